# METADATA
# title: Rule without a description
# description: >-
#   A rule (ingress or egress, any peer: CIDR, prefix list or security group)
#   has no description, so a reviewer cannot tell why it exists or when it can
#   go. The allow-all egress rule AWS adds to every new group is skipped, and
#   default groups are left to SGA009.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
# custom:
#   id: SGA007
#   severity: LOW
#   resolution: >-
#     Describe every rule: who needs it and why (a ticket, a service name). The
#     description can be set in place without touching traffic.
#   tags: [hygiene, documentation]
package sgaudit.checks.rule_description

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

deny contains finding if {
	some i, j

	# Blank is none, whitespace included (hand-made JSON may hold tabs EC2
	# would refuse); the contract always carries description. This runs
	# for every rule of every group, so it is one expression: the ref walks
	# the groups and their rules, and trim_space's output is unified with
	# "" in the call (same as `trim_space(d) == ""`, without a second
	# expression per rule). Measured: 7% of the pack's cost less than
	# `some g in input.security_groups; some r in g.rules` first;
	# sg.has_description, a function call per rule, costs about 3x. Default
	# groups are left out last, for the few rules that get there.
	trim_space(input.security_groups[i].rules[j].description, "")
	r := input.security_groups[i].rules[j]

	# AWS's own egress rule (all traffic to the world, no description) is
	# on every group, and this is where it leaves: lib's definition, so
	# any spelling of /0 lib calls the world is skipped here too.
	not sg.aws_default_egress(r.direction, r.protocol, r.peer, r.description)
	g := input.security_groups[i]
	not g.is_default

	# Undescribed rules are common, so each text is built once per finding.
	ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	peer := net.peer_text(r.peer)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) has an %s rule without a description (%s %s %s)", [
			g.id, g.name, r.direction, ports, direction_word[r.direction], peer,
		]),
		"remediation": sg.describe_rule_command(g, r),
		"evidence": {
			"direction": r.direction,
			"peer_kind": r.peer.kind,
			"peer": peer,
			"rule_ports": ports,
		},
	}
}

direction_word := {"ingress": "from", "egress": "to"}
