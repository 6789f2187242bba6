# METADATA
# title: Default security group in use
# description: >-
#   A network interface carries a VPC's default security group. Anything
#   launched without an explicit group lands there, so whatever the default
#   group allows (its members reach each other on every port, AWS's stock
#   rules) applies to resources nobody chose it for, and CIS's remedy for the
#   default group is to move resources off it first. Judged on the interfaces
#   the collector attached to the group.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
# custom:
#   id: SGA010
#   severity: LOW
#   resolution: >-
#     Create a group for each workload with only the rules it needs and move the
#     interfaces to it. modify-network-interface-attribute --groups replaces the
#     interface's whole group list, so name its other groups too; interfaces that
#     a service manages (load balancers, RDS, Lambda) change their groups through
#     that service.
#   frameworks:
#     cis-aws-foundations: ["v3.0:5.4", "v4.0:5.5", "v5.0:5.5", "v6.0:6.5"]
#   tags: [network, cis]
#   requires: [network_interfaces]
package sgaudit.checks.default_group_in_use

import data.sgaudit.lib.sg

# shown bounds how many interfaces a message names; evidence lists them all.
shown := sg.max_listed

deny contains finding if {
	# Only the default groups, a few per scan (sg.default_groups).
	some i in sg.default_groups
	g := input.security_groups[i]
	sg.has_attachments(g)

	interfaces := [{
		"network_interface_id": a.network_interface_id,
		"interface_type": object.get(a, "interface_type", ""),
		"resource": object.get(a, "resource", ""),
		"public_ip": object.get(a, "public_ip", ""),
	} |
		some a in g.attachments
	]
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s is the default group of %s and %d network interface(s) use it: %s", [
			sg.label(g), g.vpc_id, count(interfaces), interfaces_text(interfaces),
		]),
		"remediation": move_command(g, interfaces),
		"evidence": {"network_interfaces": interfaces},
	}
}

interfaces_text(interfaces) := concat(", ", [sprintf("%s (%s)", [a.network_interface_id, sg.resource_text(a.resource)]) |
	some a in interfaces
]) if {
	count(interfaces) <= shown
}

else := sprintf("%s and %d more", [
	concat(", ", [sprintf("%s (%s)", [a.network_interface_id, sg.resource_text(a.resource)]) |
		some a in array.slice(interfaces, 0, shown)
	]),
	count(interfaces) - shown,
])

# move_command(g, interfaces) puts each interface on a replacement group (a
# placeholder the person fills in): one command for one interface, a loop
# over the group's interfaces for several.
move_command(g, interfaces) := sprintf("aws ec2 modify-network-interface-attribute --region %s --network-interface-id %s --groups <replacement-sg-id>", [
	sg.shell_word(g.region), sg.shell_word(interfaces[0].network_interface_id),
]) if {
	count(interfaces) == 1
}

else := sprintf(`for eni in $(aws ec2 describe-network-interfaces --region %s --filters Name=group-id,Values=%s --query 'NetworkInterfaces[].NetworkInterfaceId' --output text); do aws ec2 modify-network-interface-attribute --region %s --network-interface-id "$eni" --groups <replacement-sg-id>; done`, [
	sg.shell_word(g.region), sg.shell_word(g.id), sg.shell_word(g.region),
])
