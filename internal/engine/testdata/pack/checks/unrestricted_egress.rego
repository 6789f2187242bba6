# METADATA
# title: Unrestricted egress
# description: Egress to the world on every port.
# custom:
#   id: TST008
#   severity: LOW
#   resolution: Restrict egress.
#   enabled: false
package sgaudit.checks.unrestricted_egress

import data.sgaudit.lib.net

deny contains finding if {
	some g in input.security_groups
	some r in g.rules
	r.direction == "egress"
	r.protocol == "all"
	net.is_world(r.peer)
	finding := {"group_arn": g.arn, "rule": r, "msg": sprintf("%s (%s) allows all egress", [g.id, g.name])}
}
