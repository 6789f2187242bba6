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
	# sg.undescribed_rules is the one pass over every rule (blank
	# descriptions, AWS's own egress rule left out); default groups are
	# left out here, for the few groups that get this far.
	some i, rules in sg.undescribed_rules
	g := input.security_groups[i]
	not g.is_default
	some r in rules

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
