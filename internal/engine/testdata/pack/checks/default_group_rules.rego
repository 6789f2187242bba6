# METADATA
# title: Default group has rules
# description: The VPC's default group should have no rules.
# custom:
#   id: TST007
#   severity: MEDIUM
#   resolution: Remove every rule from the default group.
#   frameworks:
#     cis-aws-foundations: ["5.4"]
package sgaudit.checks.default_group_rules

used_vpcs := {v.id | some v in input.vpcs; v.network_interfaces > 0}

deny contains finding if {
	some g in input.security_groups
	g.is_default
	count(g.rules) > 0
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s (%s) is a default group with %d rules", [g.id, g.name, count(g.rules)]),
		"severity": severity(g),
		"evidence": {"rules": count(g.rules)},
	}
}

severity(g) := "MEDIUM" if used_vpcs[g.vpc_id]

else := "LOW"
