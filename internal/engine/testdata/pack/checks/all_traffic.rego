# METADATA
# title: All traffic open to the world
# description: An ingress rule allows every protocol or every port from the world.
# custom:
#   id: TST003
#   severity: CRITICAL
#   resolution: Remove the rule.
package sgaudit.checks.all_traffic

import data.sgaudit.lib.net

deny contains finding if {
	some g in input.security_groups
	some r in net.world_ingress(g)
	all_ports(r)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows all traffic from %s", [g.id, g.name, r.peer.cidr]),
		"remediation": net.revoke(g, r),
	}
}

all_ports(r) if r.protocol == "all"

all_ports(r) if {
	r.protocol in {"tcp", "udp"}
	r.from_port == 0
	r.to_port == 65535
}
