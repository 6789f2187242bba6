package sgaudit.checks.open_admin_ports_test

import data.sgaudit.checks.open_admin_ports

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
	findings := open_admin_ports.deny with input as {"security_groups": [group(rules)]}
}

# (rule id, service) of each finding: what the check promises one finding per.
hits(findings) := {[f.rule.id, f.discriminator] | some f in findings}

test_ssh_ipv4 if {
	findings := deny_for([ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0")])
	hits(findings) == {["sgr-1", "SSH"]}
	some f in findings
	f.group_arn == "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1"
	not f.severity # HIGH from METADATA: no public interface
	f.evidence.ip_family == "IPv4"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
	startswith(f.msg, "sg-1 (web) allows SSH")
}

test_ssh_ipv6 if {
	findings := deny_for([ingress("sgr-1", "tcp", 22, 22, "::/0")])
	hits(findings) == {["sgr-1", "SSH"]}
	some f in findings
	f.evidence.ip_family == "IPv6"
	f.evidence.peer == "::/0"
}

test_ssh_ipv6_uncompressed if {
	hits(deny_for([ingress("sgr-1", "tcp", 22, 22, "0:0:0:0:0:0:0:0/0")])) == {["sgr-1", "SSH"]}
}

test_rdp if {
	hits(deny_for([ingress("sgr-1", "tcp", 3389, 3389, "0.0.0.0/0")])) == {["sgr-1", "RDP"]}
}

test_regression_udp_22_and_3389_are_admin if {
	# CIS counts UDP too; Prowler's TCP-only port checks miss these.
	hits(deny_for([
		ingress("sgr-1", "udp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-2", "udp", 3389, 3389, "::/0"),
	])) == {["sgr-1", "SSH"], ["sgr-2", "RDP"]}
}

test_regression_protocol_all_covers_every_port if {
	findings := deny_for([ingress("sgr-1", "all", 0, 65535, "0.0.0.0/0")])
	hits(findings) == {["sgr-1", "SSH"], ["sgr-1", "RDP"]}
	count(findings) == 2

	# Whatever its ports say.
	hits(deny_for([ingress("sgr-2", "all", -1, -1, "::/0")])) == {["sgr-2", "SSH"], ["sgr-2", "RDP"]}
}

test_regression_range_0_1024_and_20_30_contain_22 if {
	hits(deny_for([
		ingress("sgr-1", "tcp", 0, 1024, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 20, 30, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 3000, 4000, "::/0"),
		ingress("sgr-4", "tcp", 0, 65535, "0.0.0.0/0"),
	])) == {["sgr-1", "SSH"], ["sgr-2", "SSH"], ["sgr-3", "RDP"], ["sgr-4", "SSH"], ["sgr-4", "RDP"]}
}

test_range_next_to_the_port if {
	count(deny_for([
		ingress("sgr-1", "tcp", 23, 1024, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 0, 21, "0.0.0.0/0"),
		ingress("sgr-3", "tcp", 3390, 4000, "0.0.0.0/0"),
	])) == 0
}

test_regression_gre_47_and_icmp_are_not_ssh if {
	count(deny_for([
		ingress("sgr-1", "icmp", 22, -1, "0.0.0.0/0"),
		ingress("sgr-2", "icmpv6", 22, 22, "::/0"),
		ingress("sgr-3", "47", 22, 22, "0.0.0.0/0"),
		ingress("sgr-4", "47", -1, -1, "0.0.0.0/0"),
	])) == 0
}

test_https_from_world_is_not_admin if {
	count(deny_for([ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/0")])) == 0
}

test_private_cidr_is_not_world if {
	count(deny_for([
		ingress("sgr-1", "tcp", 22, 22, "10.0.0.0/8"),
		ingress("sgr-2", "tcp", 22, 22, "0.0.0.0/1"),
		ingress("sgr-3", "tcp", 22, 22, "2001:db8::/32"),
	])) == 0
}

test_ssh_from_security_group_or_unknown_prefix_list_is_not_world if {
	# pl-1 is not in input.prefix_lists: nothing says it is the world.
	from_group := object.union(ingress("sgr-1", "tcp", 22, 22, "x"), {"peer": {"kind": "security_group", "group_id": "sg-bastion"}})
	from_list := object.union(ingress("sgr-2", "tcp", 22, 22, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": "pl-1"}})
	count(deny_for([from_group, from_list])) == 0
}

test_egress_is_not_judged if {
	r := object.union(ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"), {"direction": "egress"})
	count(deny_for([r])) == 0
}

test_regression_self_rule_and_world_rule_still_judged if {
	# Checkov stops at the first self rule; every rule is judged here.
	self_rule := object.union(ingress("sgr-1", "all", 0, 65535, "x"), {"peer": {"kind": "security_group", "group_id": "sg-1"}})
	hits(deny_for([self_rule, ingress("sgr-2", "tcp", 22, 22, "0.0.0.0/0")])) == {["sgr-2", "SSH"]}
}

test_public_interface_escalates_to_critical if {
	g := object.union(group([ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0")]), {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "resource": "i-private"},
		{"network_interface_id": "eni-2", "interface_type": "interface", "public_ip": "203.0.113.7", "resource": "i-0abc"},
	]})
	findings := open_admin_ports.deny with input as {"security_groups": [g]}
	count(findings) == 1
	some f in findings
	f.severity == "CRITICAL"
	f.evidence.public_interfaces == [{"network_interface_id": "eni-2", "public_ip": "203.0.113.7", "resource": "i-0abc"}]
	contains(f.msg, "eni-2 (203.0.113.7, i-0abc)")
	not contains(f.msg, "eni-1")
}

test_private_interfaces_do_not_escalate if {
	g := object.union(group([ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0")]), {"attachments": [
		{"network_interface_id": "eni-1", "interface_type": "interface", "resource": "i-private"},
		{"network_interface_id": "eni-2", "interface_type": "interface", "public_ip": ""},
	]})
	some f in open_admin_ports.deny with input as {"security_groups": [g]}
	not f.severity
	f.evidence.public_interfaces == []
}

test_escalation_severity_is_data if {
	g := object.union(group([ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0")]), {"attachments": [{"network_interface_id": "eni-2", "public_ip": "203.0.113.7"}]})
	some f in open_admin_ports.deny with input as {"security_groups": [g]}
		with data.sgaudit.severities.open_admin_ports.public_interface as "HIGH"
	f.severity == "HIGH"
}

test_catalogue_is_data if {
	catalogue := [{"service": "SSH-alt", "protocols": ["tcp"], "from_port": 2222, "to_port": 2222}]
	findings := open_admin_ports.deny with input as {"security_groups": [group([
		ingress("sgr-1", "tcp", 2222, 2222, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-3", "udp", 2222, 2222, "0.0.0.0/0"),
	])]}
		with data.sgaudit.ports.admin as catalogue

	# sgr-3: the entry is TCP only, so UDP 2222 is not it.
	hits(findings) == {["sgr-1", "SSH-alt"]}
}

test_rule_without_id_gets_content_remediation if {
	some f in deny_for([ingress("", "tcp", 22, 22, "0.0.0.0/0")])
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'"
}

test_each_group_judged_on_its_own if {
	g2 := object.union(group([ingress("sgr-9", "tcp", 3389, 3389, "0.0.0.0/0")]), {"id": "sg-2", "arn": "arn:sg-2"})
	findings := open_admin_ports.deny with input as {"security_groups": [group([ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/0")]), g2]}
	{[f.group_arn, f.rule.id] | some f in findings} == {["arn:sg-2", "sgr-9"]}
}

# The world beyond 0.0.0.0/0 and ::/0.

pl(id, region, cidrs) := {
	"id": id, "name": "list", "owner": "111111111111", "account_id": "111111111111", "region": region,
	"entries": [{"cidr": c} | some c in cidrs],
}

from_list(id, proto, from, to, list) := object.union(ingress(id, proto, from, to, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": list}})

deny_with_lists(rules, lists) := findings if {
	findings := open_admin_ports.deny with input as {"security_groups": [group(rules)], "prefix_lists": lists}
}

test_regression_ipv6_world_counts if {
	hits(deny_for([
		ingress("sgr-1", "tcp", 22, 22, "::/0"),
		ingress("sgr-2", "udp", 3389, 3389, "::/0"),
	])) == {["sgr-1", "SSH"], ["sgr-2", "RDP"]}
}

test_regression_prefix_list_is_expanded if {
	findings := deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-world")], [pl("pl-world", "eu-west-1", ["10.0.0.0/8", "::/0"])])
	hits(findings) == {["sgr-1", "SSH"]}
	some f in findings
	f.evidence.ip_family == "IPv6"
	f.evidence.peer == "pl-world (list, covers ::/0)"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_prefix_list_entries_that_together_are_the_world if {
	findings := deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-halves")], [pl("pl-halves", "eu-west-1", ["0.0.0.0/1", "128.0.0.0/1"])])
	hits(findings) == {["sgr-1", "SSH"]}
}

test_prefix_list_matched_by_account_and_region if {
	lists := [
		pl("pl-1", "us-east-1", ["0.0.0.0/0"]),
		object.union(pl("pl-1", "eu-west-1", ["0.0.0.0/0"]), {"account_id": "222222222222"}),
		pl("pl-1", "eu-west-1", ["10.0.0.0/8", "192.168.0.0/16"]),
	]
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-1")], lists)) == 0
}

test_cidr_halves_are_the_world if {
	findings := deny_for([
		ingress("sgr-2", "tcp", 22, 22, "128.0.0.0/1"),
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/1"),
	])

	# One finding for the set, on the first rule of the group's order.
	hits(findings) == {["sgr-2", "SSH"]}
	some f in findings
	f.evidence.peer == "0.0.0.0/1 + 128.0.0.0/1"
	f.evidence.ip_family == "IPv4"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-2 sgr-1"
	startswith(f.msg, "sg-1 (web) allows SSH (tcp/udp 22) from 0.0.0.0/1 + 128.0.0.0/1 through tcp 22")
}

test_ipv6_halves_are_the_world if {
	hits(deny_for([
		ingress("sgr-1", "udp", 3389, 3389, "::/1"),
		ingress("sgr-2", "udp", 3389, 3389, "8000::/1"),
	])) == {["sgr-1", "RDP"]}
}

test_wider_rule_completes_a_set if {
	# 0.0.0.0/1 on all TCP ports and 128.0.0.0/1 on 22: SSH is open to the
	# world, the rest of TCP only to half of it.
	findings := deny_for([
		ingress("sgr-1", "tcp", 0, 65535, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 22, 22, "128.0.0.0/1"),
	])
	hits(findings) == {["sgr-2", "SSH"]}
	some f in findings
	f.evidence.rule_ids == ["sgr-1", "sgr-2"]
}

test_many_cidrs_add_up_to_the_world if {
	# /1 + /2 + ... + /9, and two /10s for the last /9: eleven rules.
	cidrs := [
		"0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4", "240.0.0.0/5", "248.0.0.0/6",
		"252.0.0.0/7", "254.0.0.0/8", "255.0.0.0/9", "255.128.0.0/10", "255.192.0.0/10",
	]
	rules := [ingress(sprintf("sgr-%02d", [n]), "tcp", 22, 22, c) | some n, c in cidrs]
	hits(deny_for(rules)) == {["sgr-00", "SSH"]}
	count(deny_for(array.slice(rules, 0, 10))) == 0
}

test_cidrs_that_do_not_add_up_are_not_the_world if {
	count(deny_for([
		# 0.0.0.0/1 and 10.0.0.0/8 overlap; 128.0.0.0/1 is missing.
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 22, 22, "10.0.0.0/8"),
		# Halves in different families, protocols, directions or ports.
		ingress("sgr-3", "tcp", 3389, 3389, "0.0.0.0/1"),
		ingress("sgr-4", "tcp", 3389, 3389, "8000::/1"),
		ingress("sgr-5", "udp", 22, 22, "128.0.0.0/1"),
		object.union(ingress("sgr-6", "tcp", 22, 22, "128.0.0.0/1"), {"direction": "egress"}),
		ingress("sgr-7", "tcp", 23, 23, "128.0.0.0/1"),
	])) == 0
}

test_partly_overlapping_ranges_are_not_combined if {
	# The world reaches 20-22 through the two rules together, but a set is
	# judged on one rule's range: a documented limit.
	count(deny_for([
		ingress("sgr-1", "tcp", 0, 22, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 20, 100, "128.0.0.0/1"),
	])) == 0
}

test_world_rule_and_half_are_reported_once if {
	# The /0 rule is the finding; the /1 beside it adds nothing.
	hits(deny_for([
		ingress("sgr-1", "tcp", 22, 22, "0.0.0.0/0"),
		ingress("sgr-2", "tcp", 22, 22, "0.0.0.0/1"),
	])) == {["sgr-1", "SSH"]}
}

test_prefix_list_and_cidr_together_are_the_world if {
	findings := deny_with_lists(
		[from_list("sgr-1", "tcp", 22, 22, "pl-half"), ingress("sgr-2", "tcp", 22, 22, "128.0.0.0/1")],
		[pl("pl-half", "eu-west-1", ["0.0.0.0/1"])],
	)
	hits(findings) == {["sgr-1", "SSH"]}
	some f in findings
	f.evidence.peer == "128.0.0.0/1 + pl-half"
}

test_regression_ipv4_mapped_ipv6_is_not_the_ipv4_world if {
	# OPA's CIDR merge turns ::ffff:0:0/96 into 0.0.0.0/0; with 8000::/1 it
	# was reported as SSH from the world. IPv6 rules never admit IPv4.
	count(deny_for([
		ingress("sgr-1", "tcp", 22, 22, "8000::/1"),
		ingress("sgr-2", "tcp", 22, 22, "::ffff:0:0/96"),
	])) == 0
}

# Verified exposure (docs/reachability.md §4): an all-traffic rule is an
# SSH and an RDP finding; a verdict that SSH is reachable makes only the
# SSH finding CRITICAL, and a blocked RDP keeps the check's HIGH.
test_verified_exposure_per_service if {
	verdicts := [
		{
			"account_id": "111111111111", "region": "eu-west-1", "group_id": "sg-1", "protocol": "tcp",
			"from_port": 22, "to_port": 22, "verdict": "reachable", "network_interface_id": "eni-1", "detail": "via public IP: igw-1",
		},
		{
			"account_id": "111111111111", "region": "eu-west-1", "group_id": "sg-1", "protocol": "tcp",
			"from_port": 3389, "to_port": 3389, "verdict": "not_reachable", "network_interface_id": "eni-1", "detail": "blocked by acl-1",
		},
	]
	fs := open_admin_ports.deny with input as {"security_groups": [group([ingress("sgr-1", "all", 0, 65535, "0.0.0.0/0")])], "reachability": {"111111111111/eu-west-1/sg-1": verdicts}}
	{[f.discriminator, object.get(f, "severity", "default"), f.evidence.reachability] | some f in fs} == {
		["SSH", "CRITICAL", "reachable"],
		["RDP", "default", "not_reachable"],
	}
}
