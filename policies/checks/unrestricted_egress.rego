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
	some i, rules in sg.world_egress_rules
	some r in rules

	# net.covers_all_ports inlined, as in SGA003.
	r.from_port <= net.first_usable_port
	r.to_port >= net.max_port

	g := input.security_groups[i]
	source := sg.world_source(i, r)
	rule_ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s allows %s to %s%s", [sg.label(g), rule_ports, source.peer, default_text(r)]),
		"remediation": sg.revoke_rules_command(g, source.rules),
		"evidence": object.union(sg.world_finding_evidence(source), {
			"rule_ports": rule_ports,
			"aws_default": default_text(r) != "",
		}),
	}
}

default_text(r) := " (AWS's default egress rule)" if sg.is_aws_default_egress(r)

else := ""
