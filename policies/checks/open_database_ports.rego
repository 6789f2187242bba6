# METADATA
# title: Database port open to the world
# description: >-
#   An ingress rule lets 0.0.0.0/0 or ::/0 reach a database port (MySQL,
#   PostgreSQL, MSSQL, Oracle, MongoDB, Redis, Memcached, Elasticsearch/OpenSearch,
#   Cassandra, CouchDB, Neo4j, InfluxDB, ClickHouse, Redshift, Kafka, ZooKeeper),
#   including through a port range or all traffic. One finding per rule, listing
#   every database service the rule exposes.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
# custom:
#   id: SGA002
#   severity: CRITICAL
#   resolution: >-
#     Remove the rule. Databases belong in private subnets, reached from the
#     application's security group (a group reference, not a CIDR) or through
#     a VPN or bastion.
#   frameworks:
#     aws-security-hub: ["EC2.19"]
#   tags: [network, exposure, database]
package sgaudit.checks.open_database_ports

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# catalogue is the database port list (data.sgaudit.ports.database).
catalogue := data.sgaudit.ports.database

# ports holds every database port, to dismiss most world rules (HTTPS, HTTP)
# in one lookup rather than a walk over the whole catalogue.
ports := net.catalogue_ports(catalogue)

# One finding per rule, not per service: an all-traffic rule reaches every
# entry of the catalogue, and twenty findings for one rule would bury the one
# fix (revoke that rule). The message and evidence list the services.
deny contains finding if {
	some i, g in input.security_groups
	some r in sg.world_port_rules[i]
	net.may_reach(r, ports)
	matched := [e |
		some e in catalogue
		net.matches_protocol(r, e.protocols)
		net.overlaps(r, e)
	]
	count(matched) > 0

	services := sort({e.service | some e in matched})
	service_ports := [sprintf("%s %s", [e.service, net.entry_text(e)]) | some e in matched]
	rule_ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s exposes %d database service(s) to %s through one rule (%s): %s", [
			sg.label(g), count(services), r.peer.cidr,
			rule_ports, concat(", ", services),
		]),
		"remediation": sg.revoke_command(g, r),
		"evidence": {
			"services": services,
			"ports": service_ports,
			"peer": r.peer.cidr,
			"ip_family": net.ip_family(r.peer.cidr),
			"rule_ports": rule_ports,
		},
	}
}
