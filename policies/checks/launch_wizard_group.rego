# METADATA
# title: Launch-wizard security group
# description: >-
#   The group's name is launch-wizard-N: the EC2 console's launch wizard made
#   it, by default with SSH (or RDP) open to 0.0.0.0/0, for one instance, with a
#   name and description that say nothing about what it protects. Such groups
#   outlive their instance and get reused by hand. Default groups are never
#   named so.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/creating-security-group.html
# custom:
#   id: SGA011
#   severity: LOW
#   resolution: >-
#     Replace the group with one named and described for its workload, with only
#     the rules it needs, and move its interfaces; delete it if nothing uses it.
#     In the console, pick or create a group instead of letting the wizard make one.
#   tags: [hygiene]
package sgaudit.checks.launch_wizard_group

import data.sgaudit.lib.sg

# name_pattern is the console's naming, a fact about AWS rather than policy.
name_pattern := `^launch-wizard-[0-9]+$`

# wizard_named holds the index in input.security_groups of every group
# whose name starts like the wizard's: one builtin per group, in the
# expression that walks the groups, dismisses nearly every name before the
# regex. sgaudit computes this value in Go for each batch
# (docs/performance.md, "Rules computed in Go").
wizard_named := {i | startswith(input.security_groups[i].name, "launch-wizard-")}

deny contains finding if {
	some i in wizard_named
	g := input.security_groups[i]
	regex.match(name_pattern, g.name)
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s was created by the EC2 launch wizard (%s)", [sg.label(g), usage_text(g)]),
		"remediation": remediation(g),
		"evidence": {
			"ingress_rules": count([r | some r in g.rules; r.direction == "ingress"]),
			"network_interfaces": count([a | some a in g.attachments]),
			"used_by": [e.kind | some e in g.used_by],
		},
	}
}

# A wizard group nothing uses can simply go; one in use needs a replacement.
remediation(g) := sg.delete_command(g) if not g.used_by[0]

else := sg.replacement_command(g)

usage_text(g) := "not in use; delete it" if not g.used_by[0]

else := sprintf("in use by %d resource(s); replace it with a group named for its workload", [count(g.used_by)])
