# METADATA
# title: All traffic open to the world
# description: >-
#   An ingress rule lets the world (0.0.0.0/0, ::/0, a prefix list covering
#   either, or CIDRs that together cover one) send all traffic (protocol -1), or
#   reach every TCP or UDP port (0-65535 or 1-65535).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
# custom:
#   id: SGA003
#   severity: CRITICAL
#   resolution: >-
#     Remove the rule and allow only the ports the workload serves, from the
#     peers that need them (a load balancer's security group rather than the world).
#   frameworks:
#     aws-security-hub: ["EC2.18"]
#   tags: [network, exposure]
package sgaudit.checks.open_all_traffic

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

deny contains finding if {
	# lib's own definition, by the rule's fields (net.all_ports, which
	# covers_all_ports uses too): memoised per protocol and ports, as
	# findings-heavy estates have thousands of world pairs. Once per
	# (protocol, ports) of the batch's world rules, not per rule.
	some [protocol, from, to], pairs in sg.world_ports
	net.all_ports(protocol, from, to)

	some [i, r, pair_source] in pairs
	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)
	public := sg.public_attachments(g)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows %s from %s%s", [g.id, g.name, what(r), source.peer, sg.public_text(public)]),
		"remediation": sg.revoke_rules_command(g, source.rules),
		"evidence": object.union(source.evidence, {
			"rule_ports": net.ports_text(r.protocol, r.from_port, r.to_port),
			"public_interfaces": public,
		}),
	}
}

what(r) := "all traffic" if r.protocol == "all"

else := sprintf("every %s port (%s)", [upper(r.protocol), net.ports_text(r.protocol, r.from_port, r.to_port)])
