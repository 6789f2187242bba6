# METADATA
# title: Database port open to the world
# description: >-
#   An ingress rule lets the world (0.0.0.0/0, ::/0, a prefix list covering
#   either, or CIDRs that together cover one) reach a database port (MySQL,
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

# One finding per rule, not per service: an all-traffic rule reaches every
# entry of the catalogue, and twenty findings for one rule would bury the one
# fix (revoke that rule). The message and evidence list the services.
deny contains finding if {
	texts := service_texts

	# ports is bound whole: sg.world_ports[ports] below is one lookup, where
	# a key rebuilt from its parts cost 18% more allocations per batch.
	some ports, hits in sg.world_port_hits
	matched := hits.database
	services := sort({e.service | some e in matched})
	service_ports := [texts[e] | some e in matched]
	[protocol, from, to] := ports
	rule_ports := net.ports_text(protocol, from, to)

	some [i, r, pair_source] in sg.world_ports[ports]
	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)
	public := sg.public_attachments(g)
	x := sg.exposure("open_database_ports", g, r, matched, public, false)
	finding := object.union(
		{
			"group_arn": g.arn,
			"rule": r,
			"msg": sprintf("%s (%s) exposes %d database service(s) to %s through one rule (%s): %s%s", [
				g.id, g.name, count(services), source.peer,
				rule_ports, concat(", ", services), x.text,
			]),
			"remediation": sg.revoke_rules_command(g, source.rules),
			"evidence": object.union(source.evidence, {
				"services": services,
				"ports": service_ports,
				"rule_ports": rule_ports,
				"public_interfaces": public,
				"reachability": x.verdict,
			}),
		},
		x.escalation,
	)
}

# service_texts renders each database entry of the port catalogue once per
# scan (it depends on data alone, so the engine keeps it across batches): an
# all-traffic rule from the world reaches every entry, and rendering them
# for each finding was most of such a finding's cost.
service_texts := {e: sprintf("%s %s", [e.service, net.entry_text(e)]) | some e in data.sgaudit.ports.database}
