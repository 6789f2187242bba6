package sgaudit.checks.open_all_traffic_test

import data.sgaudit.checks.open_all_traffic
import data.sgaudit.lib.net

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "wide",
	"description": "wide open",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rules,
	"attachments": [],
	"used_by": [],
}

rule(id, dir, proto, from, to, cidr) := {
	"id": id,
	"direction": dir,
	"protocol": proto,
	"from_port": from,
	"to_port": to,
	"peer": {"kind": kind(cidr), "cidr": cidr},
	"description": "",
}

kind(cidr) := "cidr_ipv6" if contains(cidr, ":")

else := "cidr_ipv4"

flagged(rules) := {f.rule.id | some f in findings} if {
	findings := open_all_traffic.deny with input as {"security_groups": [group(rules)]}
}

test_all_protocols_ipv4_and_ipv6 if {
	flagged([
		rule("sgr-1", "ingress", "all", 0, 65535, "0.0.0.0/0"),
		rule("sgr-2", "ingress", "all", 0, 65535, "::/0"),
	]) == {"sgr-1", "sgr-2"}
}

test_every_tcp_or_udp_port if {
	flagged([
		rule("sgr-1", "ingress", "tcp", 0, 65535, "0.0.0.0/0"),
		rule("sgr-2", "ingress", "udp", 0, 65535, "::/0"),
		rule("sgr-3", "ingress", "tcp", 1, 65535, "0.0.0.0/0"),
	]) == {"sgr-1", "sgr-2", "sgr-3"}
}

test_partial_ranges_are_not_all_traffic if {
	flagged([
		rule("sgr-1", "ingress", "tcp", 0, 1024, "0.0.0.0/0"),
		rule("sgr-2", "ingress", "tcp", 1024, 65535, "0.0.0.0/0"),
		rule("sgr-3", "ingress", "tcp", 443, 443, "0.0.0.0/0"),
	]) == set()
}

test_icmp_and_gre_are_not_all_traffic if {
	flagged([
		rule("sgr-1", "ingress", "icmp", -1, -1, "0.0.0.0/0"),
		rule("sgr-2", "ingress", "icmpv6", -1, -1, "::/0"),
		rule("sgr-3", "ingress", "47", -1, -1, "0.0.0.0/0"),
	]) == set()
}

test_not_from_the_world if {
	from_group := object.union(rule("sgr-1", "ingress", "all", 0, 65535, "x"), {"peer": {"kind": "security_group", "group_id": "sg-1"}})
	flagged([from_group, rule("sgr-2", "ingress", "all", 0, 65535, "10.0.0.0/8")]) == set()
}

test_egress_is_not_judged if {
	flagged([rule("sgr-1", "egress", "all", 0, 65535, "0.0.0.0/0")]) == set()
}

test_regression_self_rule_and_world_rule_still_judged if {
	self_rule := object.union(rule("sgr-1", "ingress", "all", 0, 65535, "x"), {"peer": {"kind": "security_group", "group_id": "sg-1"}})
	flagged([self_rule, rule("sgr-2", "ingress", "all", 0, 65535, "0.0.0.0/0")]) == {"sgr-2"}
}

test_finding_shape if {
	findings := open_all_traffic.deny with input as {"security_groups": [group([rule("", "ingress", "all", 0, 65535, "::/0")])]}
	count(findings) == 1
	some f in findings
	f.group_arn == "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1"
	f.msg == "sg-1 (wide) allows all traffic from ::/0"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]'"
	f.evidence.ip_family == "IPv6"
}

test_tcp_message if {
	some f in open_all_traffic.deny with input as {"security_groups": [group([rule("sgr-1", "ingress", "tcp", 0, 65535, "0.0.0.0/0")])]}
	f.msg == "sg-1 (wide) allows every TCP port (tcp 0-65535) from 0.0.0.0/0"
}

test_regression_ipv6_world_counts if {
	flagged([
		rule("sgr-1", "ingress", "all", 0, 65535, "::/0"),
		rule("sgr-2", "ingress", "udp", 0, 65535, "0:0:0:0:0:0:0:0/0"),
	]) == {"sgr-1", "sgr-2"}
}

test_regression_protocol_all_covers_every_port if {
	# Protocol -1 is all traffic whatever its ports say (the contract
	# writes 0-65535; hand-made JSON may say -1).
	flagged([
		rule("sgr-1", "ingress", "all", -1, -1, "0.0.0.0/0"),
		rule("sgr-2", "ingress", "all", 0, 65535, "::/0"),
	]) == {"sgr-1", "sgr-2"}
}

test_regression_prefix_list_is_expanded if {
	lists := [{"id": "pl-1", "name": "all", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "0.0.0.0/0"}]}]
	r := object.union(rule("sgr-1", "ingress", "all", 0, 65535, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := open_all_traffic.deny with input as {"security_groups": [group([r])], "prefix_lists": lists}
	{f.rule.id | some f in findings} == {"sgr-1"}
	some f in findings
	f.msg == "sg-1 (wide) allows all traffic from pl-1 (all, covers 0.0.0.0/0)"
}

test_cidr_set_is_the_world if {
	findings := open_all_traffic.deny with input as {"security_groups": [group([
		rule("sgr-1", "ingress", "tcp", 0, 65535, "0.0.0.0/1"),
		rule("sgr-2", "ingress", "tcp", 0, 65535, "128.0.0.0/1"),
	])]}
	some f in findings
	f.msg == "sg-1 (wide) allows every TCP port (tcp 0-65535) from 0.0.0.0/1 + 128.0.0.0/1"
	f.evidence.rule_ids == ["sgr-1", "sgr-2"]
}

# The check flags exactly the world rules lib's net.covers_all_ports accepts
# (it once inlined its own copy).
test_agrees_with_covers_all_ports if {
	rules := [rule(sprintf("%s %d-%d", [p, from, to]), "ingress", p, from, to, "0.0.0.0/0") |
		some p in ["tcp", "udp", "all", "icmp", "47"]
		some [from, to] in [[0, 65535], [1, 65535], [-1, -1], [0, 65534], [2, 65535], [443, 443]]
	]
	flagged(rules) == {r.id | some r in rules; net.covers_all_ports(r)}
	count(flagged(rules)) == 10
}
