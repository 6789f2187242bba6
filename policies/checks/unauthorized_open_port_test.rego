package sgaudit.checks.unauthorized_open_port_test

import data.sgaudit.checks.unauthorized_open_port

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "metrics",
	"description": "metrics",
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

flagged(rules) := {f.rule.id | some f in findings} if {
	findings := unauthorized_open_port.deny with input as {"security_groups": [group(rules)]}
}

test_default_authorised_ports_pass if {
	flagged([
		ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 80, 80, "::/0"),
	]) == set()
}

test_other_port_is_flagged if {
	findings := unauthorized_open_port.deny with input as {"security_groups": [group([ingress("sgr-1", "tcp", 9100, 9100, "0.0.0.0/0")])]}
	{f.rule.id | some f in findings} == {"sgr-1"}
	some f in findings
	f.msg == "sg-1 (metrics) allows tcp 9100 from 0.0.0.0/0, which is not an authorised public port (authorised: tcp 80, tcp 443)"
	f.evidence.authorized_ports == ["tcp 80", "tcp 443"]
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_protocol_matters if {
	# QUIC on udp 443 is not tcp 443.
	flagged([ingress("sgr-1", "udp", 443, 443, "0.0.0.0/0")]) == {"sgr-1"}
}

test_range_around_authorised_ports_is_flagged if {
	# 80-443 opens 81-442 too.
	flagged([ingress("sgr-1", "tcp", 80, 443, "0.0.0.0/0")]) == {"sgr-1"}
}

test_overlap_with_named_services_is_reported_too if {
	# Judged on its own, as EC2.18 is: SSH is SGA001 and SGA005, all traffic
	# is SGA003 and SGA005.
	flagged([
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-2", "all", 0, 65535, "::/0"),
		ingress("sgr-3", "tcp", 0, 65535, "0.0.0.0/0"),
	]) == {"sgr-1", "sgr-2", "sgr-3"}
}

test_icmp_and_port_less_protocols_are_not_ports if {
	flagged([
		ingress("sgr-1", "icmp", -1, -1, "0.0.0.0/0"),
		ingress("sgr-2", "icmpv6", 128, 0, "::/0"),
		ingress("sgr-3", "47", -1, -1, "0.0.0.0/0"),
	]) == set()
}

test_not_from_the_world if {
	flagged([
		ingress("sgr-1", "tcp", 9100, 9100, "10.0.0.0/8"),
		object.union(ingress("sgr-2", "tcp", 9100, 9100, "x"), {"peer": {"kind": "security_group", "group_id": "sg-9"}}),
		object.union(ingress("sgr-3", "tcp", 9100, 9100, "0.0.0.0/0"), {"direction": "egress"}),
	]) == set()
}

test_regression_ipv6_world_counts if {
	flagged([ingress("sgr-1", "tcp", 8443, 8443, "::/0")]) == {"sgr-1"}
}

test_regression_prefix_list_is_expanded if {
	lists := [{"id": "pl-1", "name": "all", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "0.0.0.0/0"}]}]
	r := object.union(ingress("sgr-1", "tcp", 9100, 9100, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := unauthorized_open_port.deny with input as {"security_groups": [group([r])], "prefix_lists": lists}
	{f.rule.id | some f in findings} == {"sgr-1"}
}

test_cidr_set_is_the_world if {
	flagged([
		ingress("sgr-1", "tcp", 9100, 9100, "::/1"),
		ingress("sgr-2", "tcp", 9100, 9100, "8000::/1"),
		ingress("sgr-3", "tcp", 443, 443, "0.0.0.0/1"),
		ingress("sgr-4", "tcp", 443, 443, "128.0.0.0/1"),
	]) == {"sgr-1"}
}

authorize(entries, rules) := {f.rule.id | some f in findings} if {
	findings := unauthorized_open_port.deny with input as {"security_groups": [group(rules)]}
		with data.sgaudit.authorized_ports as entries
}

test_authorised_ports_are_data if {
	entries := [
		{"protocol": "udp", "from_port": 443, "to_port": 443},
		{"protocol": "tcp", "from_port": 1024, "to_port": 65535},
	]
	authorize(entries, [
		ingress("sgr-1", "udp", 443, 443, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 443, 443, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 30000, 32767, "0.0.0.0/0"),
		ingress("sgr-4", "tcp", 1000, 2000, "0.0.0.0/0"),
	]) == {"sgr-2", "sgr-4"}
}

test_range_over_adjacent_authorised_entries if {
	entries := [
		{"protocol": "tcp", "from_port": 8000, "to_port": 8000},
		{"protocol": "tcp", "from_port": 8001, "to_port": 8010},
	]
	authorize(entries, [
		ingress("sgr-1", "tcp", 8000, 8010, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 8000, 8011, "0.0.0.0/0"),
	]) == {"sgr-2"}
}

test_protocol_all_entry_authorises_every_protocol if {
	entries := [{"protocol": "all", "from_port": 53, "to_port": 53}]
	authorize(entries, [
		ingress("sgr-1", "udp", 53, 53, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 53, 53, "0.0.0.0/0"),
		ingress("sgr-3", "all", 0, 65535, "0.0.0.0/0"),
	]) == {"sgr-3"}
}

test_nothing_authorised if {
	findings := unauthorized_open_port.deny with input as {"security_groups": [group([ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/0")])]}
		with data.sgaudit.authorized_ports as []
	some f in findings
	endswith(f.msg, "(authorised: none)")
}
