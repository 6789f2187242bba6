# METADATA
# title: Database port open to the world
# description: An ingress rule lets the world reach a database port.
# custom:
#   id: TST002
#   severity: CRITICAL
#   resolution: Allow the application's security group instead of a CIDR.
#   tags: [network, database]
package sgaudit.checks.open_database_ports

import data.sgaudit.lib.net

deny contains finding if {
	some g in input.security_groups
	some r in net.world_ingress(g)
	ports := [p | some p in data.testpack.ports.database; net.covers_port(r, p)]
	count(ports) > 0
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows database ports %v from %s", [g.id, g.name, ports, r.peer.cidr]),
		"remediation": net.revoke(g, r),
		"evidence": {"ports": ports},
	}
}
