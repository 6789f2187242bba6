package sgaudit.checks.open_database_ports_test

import data.sgaudit.checks.open_database_ports

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "db",
	"description": "databases",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rules,
	"attachments": [],
	"used_by": [],
}

ingress(id, proto, from, to, cidr) := {
	"id": id,
	"direction": "ingress",
	"protocol": proto,
	"from_port": from,
	"to_port": to,
	"peer": {"kind": kind(cidr), "cidr": cidr},
	"description": "",
}

kind(cidr) := "cidr_ipv6" if contains(cidr, ":")

else := "cidr_ipv4"

deny_for(rules) := findings if {
	findings := open_database_ports.deny with input as {"security_groups": [group(rules)]}
}

# services[rule id] is the service list of that rule's finding.
services(findings) := {f.rule.id: f.evidence.services | some f in findings}

# Every service of the shipped catalogue, and those reachable over TCP / UDP.
catalogue_services(protocol) := {e.service |
	some e in data.sgaudit.ports.database
	protocol in e.protocols
}

test_mysql if {
	findings := deny_for([ingress("sgr-1", "tcp", 3306, 3306, "0.0.0.0/0")])
	services(findings) == {"sgr-1": ["MySQL"]}
	some f in findings
	object.get(f, "severity", "none") == "none" # CRITICAL from METADATA
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
	startswith(f.msg, "sg-1 (db) exposes 1 database service(s) to 0.0.0.0/0")
}

test_postgres_ipv6 if {
	findings := deny_for([ingress("sgr-1", "tcp", 5432, 5432, "::/0")])
	services(findings) == {"sgr-1": ["PostgreSQL"]}
	some f in findings
	f.evidence.ip_family == "IPv6"
}

test_regression_mssql_1434_is_udp if {
	# 1434 is the SQL Server Browser, a UDP service; TCP 1434 is nothing.
	services(deny_for([
		ingress("sgr-1", "tcp", 1433, 1433, "0.0.0.0/0"),
		ingress("sgr-2", "udp", 1434, 1434, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 1434, 1434, "0.0.0.0/0"),
	])) == {"sgr-1": ["MSSQL"], "sgr-2": ["MSSQL Browser"]}
}

test_mssql_protocols_matter if {
	# 1433 is TCP only and 1434 the UDP browser service.
	count(deny_for([
		ingress("sgr-1", "udp", 1433, 1433, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 1434, 1434, "0.0.0.0/0"),
	])) == 0
}

test_all_traffic_is_one_finding_listing_every_service if {
	findings := deny_for([ingress("sgr-1", "all", 0, 65535, "0.0.0.0/0")])
	count(findings) == 1
	some f in findings
	{s | some s in f.evidence.services} == catalogue_services("tcp") | catalogue_services("udp")
	contains(f.msg, "MySQL")
	contains(f.msg, "ZooKeeper")
}

test_every_tcp_port_lists_tcp_services_only if {
	findings := deny_for([ingress("sgr-1", "tcp", 0, 65535, "::/0")])
	some f in findings
	{s | some s in f.evidence.services} == catalogue_services("tcp")
	not "MSSQL Browser" in f.evidence.services
}

test_every_udp_port_lists_udp_services_only if {
	services(deny_for([ingress("sgr-1", "udp", 0, 65535, "0.0.0.0/0")])) == {"sgr-1": ["MSSQL Browser", "Memcached"]}
}

test_range_spanning_ports if {
	services(deny_for([
		ingress("sgr-1", "tcp", 3000, 6000, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 27000, 27017, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 7001, 7001, "0.0.0.0/0"),
	])) == {
		"sgr-1": ["CouchDB", "MySQL", "PostgreSQL", "Redshift"],
		"sgr-2": ["MongoDB"],
		"sgr-3": ["Cassandra"],
	}
}

test_service_with_several_entries_listed_once if {
	# Cassandra has four catalogue entries; 7000-9200 reaches all of them.
	some f in deny_for([ingress("sgr-1", "tcp", 7000, 9160, "0.0.0.0/0")])
	count([s | some s in f.evidence.services; s == "Cassandra"]) == 1
	count([p | some p in f.evidence.ports; startswith(p, "Cassandra ")]) == 4
}

test_not_databases if {
	count(deny_for([
		ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-3", "icmp", 3306, -1, "0.0.0.0/0"),
		ingress("sgr-4", "47", -1, -1, "0.0.0.0/0"),
		ingress("sgr-5", "tcp", 3306, 3306, "10.0.0.0/8"),
		ingress("sgr-6", "tcp", 27020, 27100, "0.0.0.0/0"),
	])) == 0
}

test_group_peer_is_not_world if {
	r := object.union(ingress("sgr-1", "tcp", 5432, 5432, "x"), {"peer": {"kind": "security_group", "group_id": "sg-app"}})
	count(deny_for([r])) == 0
}

test_egress_is_not_judged if {
	r := object.union(ingress("sgr-1", "tcp", 5432, 5432, "0.0.0.0/0"), {"direction": "egress"})
	count(deny_for([r])) == 0
}

test_regression_self_rule_and_world_rule_still_judged if {
	self_rule := object.union(ingress("sgr-1", "all", 0, 65535, "x"), {"peer": {"kind": "security_group", "group_id": "sg-1"}})
	services(deny_for([self_rule, ingress("sgr-2", "tcp", 6379, 6379, "0.0.0.0/0")])) == {"sgr-2": ["Redis"]}
}

test_catalogue_is_data if {
	findings := open_database_ports.deny with input as {"security_groups": [group([
		ingress("sgr-1", "tcp", 3306, 3306, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 26257, 26257, "0.0.0.0/0"),
	])]}
		with data.sgaudit.ports.database as [{"service": "CockroachDB", "protocols": ["tcp"], "from_port": 26257, "to_port": 26257}]
	services(findings) == {"sgr-2": ["CockroachDB"]}
}

test_regression_ipv6_world_counts if {
	services(deny_for([ingress("sgr-1", "tcp", 6379, 6379, "::/0")])) == {"sgr-1": ["Redis"]}
}

test_regression_prefix_list_is_expanded if {
	# pl-1 holds 0.0.0.0/0 in this account and region: Redis is open to the
	# world through it. The same id elsewhere is another list.
	pl := {"id": "pl-1", "name": "everyone", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "0.0.0.0/0"}]}
	other := object.union(pl, {"region": "us-east-1", "entries": [{"cidr": "10.0.0.0/8"}]})
	r := object.union(ingress("sgr-1", "tcp", 6379, 6379, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := open_database_ports.deny with input as {"security_groups": [group([r])], "prefix_lists": [other, pl]}
	services(findings) == {"sgr-1": ["Redis"]}
	some f in findings
	f.evidence.world_via == "prefix_list"
	f.evidence.prefix_list == {"id": "pl-1", "name": "everyone", "world_cidrs": ["0.0.0.0/0"]}
	contains(f.msg, "to pl-1 (everyone, covers 0.0.0.0/0) through one rule")
}

test_cidrs_that_together_are_the_world if {
	findings := deny_for([
		ingress("sgr-1", "tcp", 5432, 5432, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 5432, 5432, "128.0.0.0/1"),
	])

	# One finding for the set, on its first rule; revoking means both.
	services(findings) == {"sgr-1": ["PostgreSQL"]}
	some f in findings
	f.evidence.world_via == "cidr_union"
	f.evidence.cidrs == ["0.0.0.0/1", "128.0.0.0/1"]
	f.evidence.rule_ids == ["sgr-1", "sgr-2"]
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1 sgr-2"
	contains(f.msg, "to 0.0.0.0/1 + 128.0.0.0/1 through one rule")
}
