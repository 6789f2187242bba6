# METADATA
# title: Unrestricted egress to the world
# description: >-
#   An egress rule lets the group send all traffic (protocol -1), or reach every
#   TCP or UDP port, anywhere: 0.0.0.0/0 or ::/0, a managed prefix list covering
#   either, or CIDR rules that together cover a whole address space. Off by
#   default: every new group starts with AWS's allow-all egress rule, so on by
#   default it would flag nearly every group. Turn it on where egress is meant
#   to be controlled (exfiltration, command-and-control).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
# custom:
#   id: SGA014
#   severity: LOW
#   resolution: >-
#     Replace the rule with egress to what the workload calls: the ports it uses,
#     to security groups, VPC endpoints' prefix lists or a proxy.
#   tags: [network, egress]
#   enabled: false
package sgaudit.checks.unrestricted_egress

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

deny contains finding if {
	some [i, r, pair_source] in sg.world_egress_pairs
	net.all_ports(r.protocol, r.from_port, r.to_port)

	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)

	# lib's definition, not a copy: a rule to a prefix list or a set of
	# CIDRs that is the world is all ports to the world too, but not the
	# rule AWS adds.
	aws_default := is_aws_default(r)
	rule_ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows %s to %s%s", [
			g.id, g.name, rule_ports, source.peer,
			{true: " (AWS's default egress rule)", false: ""}[aws_default],
		]),
		"remediation": sg.revoke_rules_command(g, source.rules),
		"evidence": object.union(source.evidence, {
			"rule_ports": rule_ports,
			"aws_default": aws_default,
		}),
	}
}

is_aws_default(r) if sg.is_aws_default_egress(r)

else := false
