package sgaudit.checks.unrestricted_egress_test

import data.sgaudit.checks.unrestricted_egress
import data.sgaudit.lib.net

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "app",
	"description": "app",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rules,
	"attachments": [],
	"used_by": [],
}

egress(id, proto, from, to, cidr, desc) := {
	"id": id,
	"direction": "egress",
	"protocol": proto,
	"from_port": from,
	"to_port": to,
	"peer": {"kind": kind(cidr), "cidr": cidr},
	"description": desc,
}

kind(cidr) := "cidr_ipv6" if contains(cidr, ":")

else := "cidr_ipv4"

flagged(rules) := {f.rule.id | some f in findings} if {
	findings := unrestricted_egress.deny with input as {"security_groups": [group(rules)]}
}

test_aws_default_egress_is_flagged_and_named if {
	findings := unrestricted_egress.deny with input as {"security_groups": [group([egress("sgr-1", "all", 0, 65535, "0.0.0.0/0", "")])]}
	some f in findings
	f.msg == "sg-1 (app) allows all traffic to 0.0.0.0/0 (AWS's default egress rule)"
	f.evidence.aws_default == true
	f.remediation == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_every_port_or_all_traffic if {
	flagged([
		egress("sgr-1", "all", 0, 65535, "0.0.0.0/0", "everything"),
		egress("sgr-2", "all", 0, 65535, "::/0", ""),
		egress("sgr-3", "tcp", 0, 65535, "0.0.0.0/0", "all tcp"),
		egress("sgr-4", "udp", 1, 65535, "::/0", "all udp"),
		egress("sgr-5", "tcp", 443, 443, "0.0.0.0/0", "https"),
		egress("sgr-6", "tcp", 1024, 65535, "0.0.0.0/0", "high ports"),
		egress("sgr-7", "icmp", -1, -1, "0.0.0.0/0", "ping"),
		egress("sgr-8", "all", 0, 65535, "10.0.0.0/8", "vpc"),
	]) == {"sgr-1", "sgr-2", "sgr-3", "sgr-4"}
}

test_described_rule_is_not_called_aws_default if {
	some f in unrestricted_egress.deny with input as {"security_groups": [group([egress("sgr-1", "all", 0, 65535, "0.0.0.0/0", "needed")])]}
	f.msg == "sg-1 (app) allows all traffic to 0.0.0.0/0"
	f.evidence.aws_default == false
}

test_ingress_is_not_judged if {
	r := object.union(egress("sgr-1", "all", 0, 65535, "0.0.0.0/0", ""), {"direction": "ingress"})
	flagged([r]) == set()
}

test_regression_prefix_list_is_expanded if {
	lists := [{"id": "pl-1", "name": "", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "::/0"}]}]
	r := object.union(egress("sgr-1", "all", 0, 65535, "x", ""), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := unrestricted_egress.deny with input as {"security_groups": [group([r])], "prefix_lists": lists}
	{f.rule.id | some f in findings} == {"sgr-1"}
}

test_cidr_set_is_the_world if {
	findings := unrestricted_egress.deny with input as {"security_groups": [group([
		egress("sgr-1", "all", 0, 65535, "0.0.0.0/1", ""),
		egress("sgr-2", "all", 0, 65535, "128.0.0.0/1", ""),
	])]}
	{f.rule.id | some f in findings} == {"sgr-1"}
	some f in findings
	f.remediation == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1 sgr-2"
}

# Regression: the check once inlined "AWS's default egress rule" as "all
# traffic without a description", so an undescribed all-traffic rule to a
# prefix list holding ::/0, or to two halves of the IPv4 space, was named
# AWS's rule. AWS's rule is to a /0 CIDR: lib's definition.
test_regression_only_a_world_cidr_is_aws_default if {
	lists := [{"id": "pl-1", "name": "", "account_id": "111111111111", "region": "eu-west-1", "entries": [{"cidr": "::/0"}]}]
	listed := object.union(egress("sgr-1", "all", 0, 65535, "x", ""), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	findings := unrestricted_egress.deny with input as {
		"security_groups": [group([
			listed,
			egress("sgr-2", "all", 0, 65535, "0.0.0.0/1", ""),
			egress("sgr-3", "all", 0, 65535, "128.0.0.0/1", ""),
			egress("sgr-4", "all", 0, 65535, "0:0:0:0:0:0:0:0/0", ""),
		])],
		"prefix_lists": lists,
	}
	{f.rule.id: f.evidence.aws_default | some f in findings} == {"sgr-1": false, "sgr-2": false, "sgr-4": true}
	every f in findings {
		contains(f.msg, "AWS's default egress rule") == f.evidence.aws_default
	}
}

# The check flags exactly the world rules lib's net.covers_all_ports accepts.
test_agrees_with_covers_all_ports if {
	rules := [egress(sprintf("%s %d-%d", [p, from, to]), p, from, to, "0.0.0.0/0", "x") |
		some p in ["tcp", "udp", "all", "icmp", "47"]
		some [from, to] in [[0, 65535], [1, 65535], [-1, -1], [0, 65534], [2, 65535], [443, 443]]
	]
	flagged(rules) == {r.id | some r in rules; net.covers_all_ports(r)}
	count(flagged(rules)) == 10
}
