# METADATA
# title: Group description missing or a placeholder
# description: >-
#   The group's description is empty, repeats the group name, is a placeholder
#   ("Managed by Terraform", "default", "todo", ...) or was written by a wizard
#   ("launch-wizard-1 created ..."), so nobody can tell what the group is for.
#   Default groups are exempt: AWS names and describes them.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/creating-security-groups.html
# custom:
#   id: SGA006
#   severity: LOW
#   resolution: >-
#     EC2 cannot change a group's description: create a replacement group with
#     a description that says what it is for, copy the rules, move the network
#     interfaces and launch templates to it, then delete the old group.
#   tags: [hygiene, documentation]
package sgaudit.checks.group_description

import data.sgaudit.lib.sg

# placeholders is the lower-cased placeholder list, a set for O(1) lookups.
placeholders := {lower(trim_space(p)) | some p in data.sgaudit.placeholder_descriptions}

deny contains finding if {
	# Bound once, outside the group loop: a package-level rule referenced
	# inside it is a cache lookup per group (sg.short_rules explains).
	known := placeholders
	patterns := data.sgaudit.placeholder_patterns
	some g in input.security_groups
	not g.is_default
	reason := weakness(lower(trim_space(g.description)), lower(trim_space(g.name)), known, patterns)
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s has a description that says nothing (%s): %q", [sg.label(g), reason, g.description]),
		"remediation": sg.replacement_command(g),
		"evidence": {
			"description": g.description,
			"reason": reason,
		},
	}
}

# weakness(desc, name, known, patterns) names the first reason a
# description (lower-cased, trimmed) is useless, known being the
# placeholders and patterns the wizard patterns; undefined when it is fine.
# One reason per group keeps one finding per group.
weakness(desc, name, known, patterns) := "empty" if desc == ""

else := "same as the group name" if desc == name

else := "placeholder" if known[desc]

else := "wizard default" if {
	some p in patterns
	regex.match(p, desc)
}
