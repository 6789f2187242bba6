package sgaudit.checks.open_high_risk_ports_test

import data.sgaudit.checks.open_high_risk_ports

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "build",
	"description": "build servers",
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
	findings := open_high_risk_ports.deny with input as {"security_groups": [group(rules)]}
}

# services[rule id] is the service list of that rule's finding.
services(findings) := {f.rule.id: f.evidence.services | some f in findings}

test_docker_api if {
	findings := deny_for([ingress("sgr-1", "tcp", 2375, 2376, "0.0.0.0/0")])
	services(findings) == {"sgr-1": ["Docker Engine API"]}
	some f in findings
	not f.severity # HIGH from METADATA
	f.msg == "sg-1 (build) allows Docker Engine API (tcp 2375-2376) from 0.0.0.0/0 through tcp 2375-2376"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_udp_services_are_udp if {
	# SNMP and NTP live on UDP (and their amplification attacks); a TCP rule
	# on those ports is not them.
	services(deny_for([
		ingress("sgr-1", "udp", 161, 161, "0.0.0.0/0"),
		ingress("sgr-2", "udp", 123, 123, "::/0"),
		ingress("sgr-3", "tcp", 161, 161, "0.0.0.0/0"),
		ingress("sgr-4", "tcp", 123, 123, "0.0.0.0/0"),
	])) == {"sgr-1": ["SNMP"], "sgr-2": ["NTP"]}
}

test_netbios_name_and_datagram_udp_session_tcp if {
	services(deny_for([
		ingress("sgr-1", "udp", 137, 138, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 139, 139, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 137, 138, "0.0.0.0/0"),
		ingress("sgr-4", "udp", 139, 139, "0.0.0.0/0"),
	])) == {"sgr-1": ["NetBIOS name and datagram"], "sgr-2": ["NetBIOS session"]}
}

test_security_hub_ec2_19_ports if {
	# Every EC2.19 port that is not an admin or database port.
	ports := [20, 21, 23, 25, 110, 135, 143, 445, 3000, 4333, 5000, 5500, 5601, 8080, 8088, 8888]
	rules := [ingress(sprintf("sgr-%d", [p]), "tcp", p, p, "0.0.0.0/0") | some p in ports]
	{id | some id, _ in services(deny_for(rules))} == {r.id | some r in rules}
}

test_range_is_one_finding_listing_every_service if {
	findings := deny_for([ingress("sgr-1", "tcp", 0, 1024, "0.0.0.0/0")])
	services(findings) == {"sgr-1": [
		"FTP", "IMAP", "LDAP", "LDAPS", "Microsoft RPC", "NetBIOS session",
		"POP3", "SMB", "SMTP", "Telnet",
	]}
	count(findings) == 1
}

test_regression_protocol_all_covers_every_port if {
	findings := deny_for([ingress("sgr-1", "all", 0, 65535, "0.0.0.0/0")])
	services(findings)["sgr-1"] == sort({e.service | some e in data.sgaudit.ports.high_risk})
}

test_regression_ipv6_world_counts if {
	services(deny_for([ingress("sgr-1", "tcp", 445, 445, "::/0")])) == {"sgr-1": ["SMB"]}
}

test_regression_gre_47_and_icmp_are_not_services if {
	count(deny_for([
		ingress("sgr-1", "47", -1, -1, "0.0.0.0/0"),
		ingress("sgr-2", "icmp", 23, -1, "0.0.0.0/0"),
	])) == 0
}

test_regression_prefix_list_is_expanded if {
	lists := [{"id": "pl-1", "name": "", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "0.0.0.0/0"}]}]
	r := object.union(ingress("sgr-1", "tcp", 6443, 6443, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := open_high_risk_ports.deny with input as {"security_groups": [group([r])], "prefix_lists": lists}
	services(findings) == {"sgr-1": ["Kubernetes API server"]}
	some f in findings
	f.evidence.peer == "pl-1 (covers 0.0.0.0/0)"
}

test_regression_self_rule_and_world_rule_still_judged if {
	self_rule := object.union(ingress("sgr-1", "all", 0, 65535, "x"), {"peer": {"kind": "security_group", "group_id": "sg-1"}})
	services(deny_for([self_rule, ingress("sgr-2", "tcp", 10250, 10250, "0.0.0.0/0")])) == {"sgr-2": ["kubelet"]}
}

test_cidr_set_is_the_world if {
	findings := deny_for([
		ingress("sgr-1", "tcp", 2375, 2376, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 2375, 2376, "128.0.0.0/1"),
	])
	some f in findings
	f.msg == "sg-1 (build) allows Docker Engine API (tcp 2375-2376) from 0.0.0.0/1 + 128.0.0.0/1 through tcp 2375-2376"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1 sgr-2"
}

test_admin_and_database_ports_are_other_checks if {
	count(deny_for([
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 5432, 5432, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 443, 443, "0.0.0.0/0"),
	])) == 0
}

test_not_from_the_world if {
	count(deny_for([
		ingress("sgr-1", "tcp", 445, 445, "10.0.0.0/8"),
		object.union(ingress("sgr-2", "tcp", 445, 445, "x"), {"peer": {"kind": "security_group", "group_id": "sg-2"}}),
		object.union(ingress("sgr-3", "tcp", 445, 445, "0.0.0.0/0"), {"direction": "egress"}),
	])) == 0
}

test_public_interface_escalates_to_critical if {
	g := object.union(group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")]), {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "public_ip": "203.0.113.7", "resource": "i-0abc"},
	]})
	some f in open_high_risk_ports.deny with input as {"security_groups": [g]}
	f.severity == "CRITICAL"
	endswith(f.msg, "; the group is on 1 interface(s) with a public IP: eni-1 (203.0.113.7, i-0abc); reachability not verified (the network data it needs, subnets, route tables, network ACLs and internet gateways, was not collected for these interfaces)")
	f.evidence.public_interfaces == [{"network_interface_id": "eni-1", "public_ip": "203.0.113.7", "resource": "i-0abc"}]
	f.evidence.reachability == "not_verified"
}

# Verified exposure (docs/reachability.md §4): the derived verdicts decide.
verdict(v, from, to) := {
	"account_id": "111111111111", "region": "eu-west-1", "group_id": "sg-1",
	"protocol": "tcp", "from_port": from, "to_port": to, "verdict": v,
	"network_interface_id": "eni-1", "detail": "DETAIL",
}

test_verified_reachable_is_critical_without_public_ip if {
	g := group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")])
	some f in open_high_risk_ports.deny with input as {"security_groups": [g], "reachability": {"111111111111/eu-west-1/sg-1": [verdict("reachable", 23, 23)]}}
	f.severity == "CRITICAL"
	endswith(f.msg, "; verified reachable from the internet on eni-1 DETAIL")
	f.evidence.reachability == "reachable"
}

test_verified_not_reachable_keeps_default_with_public_ip if {
	g := object.union(group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")]), {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "public_ip": "203.0.113.7", "resource": "i-0abc"},
	]})
	some f in open_high_risk_ports.deny with input as {"security_groups": [g], "reachability": {"111111111111/eu-west-1/sg-1": [verdict("not_reachable", 23, 23)]}}
	not f.severity
	endswith(f.msg, "; open in the group but not reachable from the internet on eni-1: DETAIL")
}

test_not_verified_keeps_public_escalation if {
	g := object.union(group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")]), {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "public_ip": "203.0.113.7", "resource": "i-0abc"},
	]})
	v := object.union(verdict("not_verified", 0, 65535), {"protocol": "all", "detail": "route_tables not collected in 111111111111/eu-west-1"})
	some f in open_high_risk_ports.deny with input as {"security_groups": [g], "reachability": {"111111111111/eu-west-1/sg-1": [v]}}
	f.severity == "CRITICAL"
	endswith(f.msg, "; reachability not verified (eni-1: route_tables not collected in 111111111111/eu-west-1)")
}

test_verdict_on_another_port_does_not_count if {
	g := group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")])
	some f in open_high_risk_ports.deny with input as {"security_groups": [g], "reachability": {"111111111111/eu-west-1/sg-1": [verdict("reachable", 443, 443)]}}
	not f.severity
	f.evidence.reachability == "none"
}

test_escalation_severity_is_data if {
	g := object.union(group([ingress("sgr-1", "tcp", 23, 23, "0.0.0.0/0")]), {"attachments": [{"network_interface_id": "eni-1", "public_ip": "203.0.113.7"}]})
	some f in open_high_risk_ports.deny with input as {"security_groups": [g]}
		with data.sgaudit.severities.open_high_risk_ports.public_interface as "HIGH"
	f.severity == "HIGH"
}

test_catalogue_is_data if {
	catalogue := [{"service": "Game", "protocols": ["udp"], "from_port": 7777, "to_port": 7777}]
	findings := open_high_risk_ports.deny with input as {"security_groups": [group([
		ingress("sgr-1", "udp", 7777, 7777, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 23, 23, "0.0.0.0/0"),
	])]}
		with data.sgaudit.ports.high_risk as catalogue
	services(findings) == {"sgr-1": ["Game"]}
}
