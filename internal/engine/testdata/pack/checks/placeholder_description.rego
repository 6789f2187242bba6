# METADATA
# title: Group description missing or a placeholder
# description: The group's description says nothing about its purpose.
# custom:
#   id: TST004
#   severity: LOW
#   resolution: Describe what the group is for.
#   tags: [hygiene]
package sgaudit.checks.placeholder_description

placeholders := {p | some p in data.testpack.placeholders}

deny contains finding if {
	some g in input.security_groups
	not g.is_default # AWS names and describes default groups itself
	placeholder(g)
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s (%s) has a placeholder description %q", [g.id, g.name, g.description]),
		"remediation": "Recreate the group with a description (descriptions cannot be edited).",
	}
}

placeholder(g) if placeholders[g.description]

placeholder(g) if g.description == g.name

placeholder(g) if regex.match(`^launch-wizard-[0-9]+ created`, g.description)
