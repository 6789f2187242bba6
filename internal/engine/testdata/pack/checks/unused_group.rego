# METADATA
# title: Unused security group
# description: Nothing uses the group.
# custom:
#   id: TST006
#   severity: LOW
#   resolution: Delete the group.
#   requires: [network_interfaces]
package sgaudit.checks.unused_group

deny contains finding if {
	some g in input.security_groups
	not g.is_default
	count(g.used_by) == 0
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s (%s) is not used by any interface or group", [g.id, g.name]),
		"remediation": sprintf("aws ec2 delete-security-group --region %s --group-id %s", [g.region, g.id]),
		"evidence": {"checked": ["eni", "sg_reference"]},
	}
}
