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
	some g in input.security_groups
	not g.is_default
	some r in g.rules
	not sg.has_description(r)
	not sg.is_aws_default_egress(r)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s has an %s rule without a description (%s %s %s)", [
			sg.label(g), r.direction, net.rule_ports_text(r),
			direction_word[r.direction], net.peer_text(r.peer),
		]),
		"remediation": sg.describe_rule_command(g, r),
		"evidence": {
			"direction": r.direction,
			"peer_kind": r.peer.kind,
			"peer": net.peer_text(r.peer),
			"rule_ports": net.rule_ports_text(r),
		},
	}
}

direction_word := {"ingress": "from", "egress": "to"}
