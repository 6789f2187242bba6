package sgaudit.checks.rule_description_test

import data.sgaudit.checks.rule_description
import data.sgaudit.lib.sg

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "web",
	"description": "web servers",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rules,
	"attachments": [],
	"used_by": [],
}

rule(id, dir, proto, from, to, peer, description) := {
	"id": id,
	"direction": dir,
	"protocol": proto,
	"from_port": from,
	"to_port": to,
	"peer": peer,
	"description": description,
}

v4(cidr) := {"kind": "cidr_ipv4", "cidr": cidr}

v6(cidr) := {"kind": "cidr_ipv6", "cidr": cidr}

flagged(groups) := {f.rule.id | some f in findings} if {
	findings := rule_description.deny with input as {"security_groups": groups}
}

# sgr-7 to sgr-9 are all traffic out, but not to the world: not AWS's rule.
test_every_peer_kind_both_directions if {
	flagged([group([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("10.0.0.0/8"), ""),
		rule("sgr-2", "ingress", "tcp", 443, 443, v6("2001:db8::/32"), ""),
		rule("sgr-3", "ingress", "tcp", 443, 443, {"kind": "prefix_list", "prefix_list_id": "pl-1"}, ""),
		rule("sgr-4", "ingress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-1"}, ""),
		rule("sgr-5", "egress", "tcp", 5432, 5432, {"kind": "security_group", "group_id": "sg-db", "group_owner": "222222222222"}, ""),
		rule("sgr-6", "egress", "udp", 53, 53, v4("10.0.0.2/32"), ""),
		rule("sgr-7", "egress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-2"}, ""),
		rule("sgr-8", "egress", "all", 0, 65535, {"kind": "prefix_list", "prefix_list_id": "pl-1"}, ""),
		rule("sgr-9", "egress", "all", 0, 65535, v4("10.0.0.0/8"), ""),
	])]) == {"sgr-1", "sgr-2", "sgr-3", "sgr-4", "sgr-5", "sgr-6", "sgr-7", "sgr-8", "sgr-9"}
}

test_described_rules_pass if {
	flagged([group([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("10.0.0.0/8"), "ssh from the office VPN"),
		rule("sgr-2", "egress", "tcp", 5432, 5432, {"kind": "security_group", "group_id": "sg-db"}, "app to db"),
	])]) == set()
}

# The contract always carries description, a string (inventory.Rule); a
# blank one means none.
test_blank_description_is_none if {
	flagged([group([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("10.0.0.0/8"), "  "),
		rule("sgr-2", "ingress", "tcp", 22, 22, v4("10.1.0.0/16"), "\t\n"),
		rule("sgr-3", "ingress", "tcp", 22, 22, v4("10.2.0.0/16"), " x "),
	])]) == {"sgr-1", "sgr-2"}
}

test_aws_default_egress_is_skipped if {
	flagged([group([
		rule("sgr-1", "egress", "all", 0, 65535, v4("0.0.0.0/0"), ""),
		rule("sgr-2", "egress", "all", 0, 65535, v6("::/0"), ""),
	])]) == set()
}

# Regression: the check once kept its own copy of "AWS's default egress
# rule" matching only "0.0.0.0/0" and "::/0", so other spellings of the world
# lib accepts were reported. It now uses lib's definition, whatever spelling.
test_aws_default_egress_any_spelling_of_the_world if {
	rules := [rule(sprintf("sgr-%d", [i]), "egress", "all", 0, 65535, peer, "") |
		some i, c in ["0.0.0.0/0", "::/0", "0:0:0:0:0:0:0:0/0", "::0/0", "10.0.0.0/0"]
		peer := {"kind": {true: "cidr_ipv6", false: "cidr_ipv4"}[contains(c, ":")], "cidr": c}
	]
	flagged([group(rules)]) == set()

	# The check skips exactly the rules lib calls AWS's.
	every r in rules {
		sg.is_aws_default_egress(r)
	}
}

test_other_egress_to_world_is_judged if {
	flagged([group([
		rule("sgr-1", "egress", "tcp", 443, 443, v4("0.0.0.0/0"), ""),
		rule("sgr-2", "egress", "all", 0, 65535, v4("10.0.0.0/8"), ""),
		rule("sgr-3", "ingress", "all", 0, 65535, v4("0.0.0.0/0"), ""),
	])]) == {"sgr-1", "sgr-2", "sgr-3"}
}

test_default_group_is_left_to_sga009 if {
	g := object.union(group([rule("sgr-1", "ingress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-1"}, "")]), {"is_default": true})
	flagged([g]) == set()
}

test_finding_shape if {
	r := rule("sgr-1", "egress", "tcp", 5432, 5432, {"kind": "security_group", "group_id": "sg-db"}, "")
	findings := rule_description.deny with input as {"security_groups": [group([r])]}
	count(findings) == 1
	some f in findings
	f.rule == r
	f.msg == "sg-1 (web) has an egress rule without a description (tcp 5432 to sg-db)"
	f.remediation == `aws ec2 update-security-group-rule-descriptions-egress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=sg-db,Description="<why this rule exists>"}]'`
	f.evidence.peer_kind == "security_group"
}
