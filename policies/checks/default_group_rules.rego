# METADATA
# title: Default security group has rules
# description: >-
#   A VPC's default security group has ingress or egress rules. Anything
#   launched without an explicit group lands in it, so CIS asks that it allow
#   nothing. MEDIUM where the VPC has network interfaces or they were not
#   collected; LOW in a VPC that nobody uses (still reported, as CIS asks for
#   every region).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
# custom:
#   id: SGA009
#   severity: MEDIUM
#   resolution: >-
#     Remove every rule from the default group and give each workload its own
#     group with only the rules it needs; move any interface still on the
#     default group first.
#   frameworks:
#     cis-aws-foundations: ["v3.0:5.4", "v4.0:5.5", "v5.0:5.5", "v6.0:6.5"]
#     aws-security-hub: ["EC2.2"]
#   tags: [network, cis]
package sgaudit.checks.default_group_rules

import data.sgaudit.lib.sg

deny contains finding if {
	# Only the default groups, a few per scan (sg.default_groups).
	some i in sg.default_groups
	g := input.security_groups[i]
	ingress := count([r | some r in g.rules; r.direction == "ingress"])
	egress := count([r | some r in g.rules; r.direction == "egress"])
	ingress + egress > 0

	# What the VPC's use says, worked out once per finding.
	interfaces := vpc_interfaces(g)
	empty := empty_vpc(g, interfaces)
	finding := object.union(
		{
			"group_arn": g.arn,
			"msg": sprintf("%s is the default group of %s and has %d ingress and %d egress rule(s)%s", [
				sg.label(g), g.vpc_id, ingress, egress, vpc_text(empty),
			]),
			"remediation": sg.revoke_all_command(g),
			"evidence": {
				"ingress_rules": ingress,
				"egress_rules": egress,
				"vpc_network_interfaces": interfaces,
			},
		},
		downgrade(empty),
	)
}

# vpc_interfaces(g) is the interface count of g's VPC, "unknown" when the
# VPC is not in the inventory or its interfaces were not collected: the
# collector writes VPC rows with 0 interfaces when it could not read them
# (a describe-security-groups import, DescribeNetworkInterfaces denied).
vpc_interfaces(g) := n if {
	sg.collected(g, "network_interfaces")
	n := sg.vpc_interface_count(g)
}

else := "unknown"

# empty_vpc(g, interfaces) is true when g's VPC is known to have no
# interfaces (interfaces from vpc_interfaces) and none carries g itself.
empty_vpc(g, interfaces) if {
	interfaces == 0
	not sg.has_attachments(g)
}

else := false

# downgrade lowers the severity only on evidence that nobody uses the VPC;
# a VPC missing from the inventory, or one whose interfaces were not
# collected, keeps the METADATA severity.
downgrade(empty) := {"severity": object.get(data.sgaudit.severities, ["default_group_rules", "vpc_without_interfaces"], "LOW")} if empty

else := {}

vpc_text(empty) := "; nobody uses the VPC (no network interfaces)" if empty

else := ""
