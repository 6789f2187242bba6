package sgaudit.checks.wide_public_range_test

import data.sgaudit.checks.wide_public_range
import data.sgaudit.lib.net as netlib

group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "partners",
	"description": "partner access",
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

ssh(id, cidr) := ingress(id, "tcp", 22, 22, cidr)

# tcp 8443: no catalogue service, not authorised: the other_ports limit.
admin_ui(id, cidr) := ingress(id, "tcp", 8443, 8443, cidr)

deny_for(rules) := findings if {
	findings := wide_public_range.deny with input as {"security_groups": [group(rules)]}
}

flagged(rules) := {f.rule.id | some f in deny_for(rules)}

# The issue's case: half of IPv4 on SSH was no finding at all.

test_half_of_ipv4_on_ssh_is_one_finding if {
	findings := deny_for([ssh("sgr-1", "0.0.0.0/1")])
	count(findings) == 1
	some f in findings
	f.rule.id == "sgr-1"
	not "severity" in object.keys(f) # MEDIUM, from METADATA
	f.msg == "sg-1 (partners) allows tcp 22 (SSH) from 0.0.0.0/1: a public range wider than /16, the limit for admin, database and high-risk ports"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
	f.evidence == {
		"peer": "0.0.0.0/1",
		"ip_family": "IPv4",
		"wide_cidrs": ["0.0.0.0/1"],
		"limits": {"IPv4": 16},
		"port_class": "risky_ports",
		"services": ["SSH"],
		"rule_ports": "tcp 22",
	}
}

test_quarter_of_ipv4_on_other_port if {
	findings := deny_for([admin_ui("sgr-1", "64.0.0.0/2")])
	count(findings) == 1
	some f in findings
	f.msg == "sg-1 (partners) allows tcp 8443 from 64.0.0.0/2: a public range wider than /8, the limit for other ports"
	f.evidence.port_class == "other_ports"
	f.evidence.services == []
	f.evidence.limits == {"IPv4": 8}
}

# /0 is the world checks' (SGA001-SGA005), whatever its spelling.

test_world_is_not_this_checks if {
	flagged([
		ssh("sgr-1", "0.0.0.0/0"),
		ssh("sgr-2", "::/0"),
		admin_ui("sgr-3", "0.0.0.0/0"),
	]) == set()
}

test_world_zero_vs_one if {
	flagged([ssh("sgr-0", "0.0.0.0/0"), ssh("sgr-1", "128.0.0.0/1")]) == {"sgr-1"}
	flagged([ssh("sgr-0", "::/0"), ssh("sgr-1", "::/1")]) == {"sgr-1"}
}

# The limits: a prefix shorter than the limit is wide, the limit itself is not.

test_boundary_other_ports_ipv4 if {
	flagged([
		admin_ui("sgr-7", "64.0.0.0/7"),
		admin_ui("sgr-8", "64.0.0.0/8"),
		admin_ui("sgr-9", "64.128.0.0/9"),
	]) == {"sgr-7"}
}

test_boundary_risky_ports_ipv4 if {
	flagged([
		ssh("sgr-07", "64.0.0.0/7"),
		ssh("sgr-08", "64.0.0.0/8"),
		ssh("sgr-09", "64.128.0.0/9"),
		ssh("sgr-15", "64.0.0.0/15"),
		ssh("sgr-16", "64.0.0.0/16"),
		ssh("sgr-17", "64.0.0.0/17"),
	]) == {"sgr-07", "sgr-08", "sgr-09", "sgr-15"}
}

test_boundary_ipv6 if {
	flagged([
		ssh("sgr-31", "2600::/31"),
		ssh("sgr-32", "2600::/32"),
		ssh("sgr-33", "2600::/33"),
		admin_ui("sgr-11", "2600::/11"),
		admin_ui("sgr-12", "2600::/12"),
		admin_ui("sgr-13", "2600::/13"),
	]) == {"sgr-31", "sgr-11"}
}

test_limits_are_data if {
	limits := {"risky_ports": {"ipv4": 24, "ipv6": 48}, "other_ports": {"ipv4": 20, "ipv6": 40}}
	findings := wide_public_range.deny with input as {"security_groups": [group([
		ssh("sgr-1", "64.1.0.0/20"),
		ssh("sgr-2", "64.1.2.0/24"),
		admin_ui("sgr-3", "64.1.0.0/19"),
		admin_ui("sgr-4", "64.1.0.0/20"),
		ssh("sgr-5", "2600:1::/47"),
		admin_ui("sgr-6", "2600:1::/40"),
	])]}
		with data.sgaudit.wide_public_ranges as limits
	{f.rule.id | some f in findings} == {"sgr-1", "sgr-3", "sgr-5"}
}

test_limit_one_turns_a_class_off if {
	findings := wide_public_range.deny with input as {"security_groups": [group([
		ssh("sgr-1", "0.0.0.0/1"),
		admin_ui("sgr-2", "0.0.0.0/1"),
		admin_ui("sgr-3", "::/1"),
	])]}
		with data.sgaudit.wide_public_ranges.other_ports.ipv4 as 1
	{f.rule.id | some f in findings} == {"sgr-1", "sgr-3"}
}

# What is public.

test_non_public_lists_are_merged if {
	# Merged, a prefix wholly inside them is inside one entry, which
	# net.is_public relies on (224.0.0.0/3 is multicast and reserved).
	net.cidr_merge(netlib.non_public_ipv4) == {c | some c in netlib.non_public_ipv4}
	net.cidr_merge(netlib.non_public_ipv6) == {c | some c in netlib.non_public_ipv6}
}

test_private_and_special_ranges_never_count if {
	# With limits past every prefix here, only publicness decides.
	limits := {"risky_ports": {"ipv4": 32, "ipv6": 128}, "other_ports": {"ipv4": 32, "ipv6": 128}}
	cidrs := [
		"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", # RFC 1918
		"100.64.0.0/10", # RFC 6598 shared
		"169.254.0.0/16", "127.0.0.0/8", "0.0.0.0/8",
		"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", # documentation
		"198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "224.0.0.0/3",
		"fc00::/7", "fd00::/8", "fe80::/10", "ff00::/8", "::1/128", "::ffff:0:0/96",
		"2001:db8::/32", "3fff::/20", "8000::/1", "c000::/2",
	]

	# Public controls: with these limits, any public prefix is wide.
	controls := ["8.8.8.0/24", "64.0.0.0/2", "2600::/64"]
	findings := wide_public_range.deny with input as {"security_groups": [group([ssh(c, c) | some c in array.concat(cidrs, controls)])]}
		with data.sgaudit.wide_public_ranges as limits
	{f.rule.id | some f in findings} == {c | some c in controls}
}

test_partly_public_counts if {
	# Each holds a private or special range, and public addresses too.
	flagged([
		ssh("0.0.0.0/1", "0.0.0.0/1"), # holds 10.0.0.0/8
		ssh("10.0.0.0/7", "10.0.0.0/7"), # 10/8 private, 11/8 public
		ssh("192.168.0.0/15", "192.168.0.0/15"), # 192.169/16 is public
		ssh("96.0.0.0/3", "96.0.0.0/3"), # holds 100.64.0.0/10 and 127/8
		ssh("192.0.0.0/8", "192.0.0.0/8"), # holds the documentation /24s
		ssh("::/1", "::/1"), # holds ::1 and 2000::/3
		ssh("2000::/3", "2000::/3"), # holds 2001:db8::/32
		ssh("::/8", "::/8"), # holds the NAT64 prefix 64:ff9b::/96
	]) == {"0.0.0.0/1", "10.0.0.0/7", "192.168.0.0/15", "96.0.0.0/3", "192.0.0.0/8", "::/1", "2000::/3", "::/8"}
}

# Ports: authorised ports are not judged, ICMP and port-less protocols neither.

test_authorised_ports_are_not_judged if {
	# HTTPS from the world is no finding (SGA005 authorises it): from half
	# of it neither. tcp 80-443 opens more than the authorised ports.
	flagged([
		ingress("sgr-1", "tcp", 443, 443, "0.0.0.0/1"),
		ingress("sgr-2", "tcp", 80, 80, "::/1"),
		ingress("sgr-3", "tcp", 80, 443, "0.0.0.0/1"),
		ingress("sgr-4", "udp", 443, 443, "0.0.0.0/1"),
	]) == {"sgr-3", "sgr-4"}
}

test_authorised_ports_are_data if {
	rules := [admin_ui("sgr-1", "0.0.0.0/1")]
	flagged(rules) == {"sgr-1"}
	findings := wide_public_range.deny with input as {"security_groups": [group(rules)]}
		with data.sgaudit.authorized_ports as [{"protocol": "tcp", "from_port": 8443, "to_port": 8443}]
	count(findings) == 0
}

test_icmp_and_port_less_protocols_are_not_judged if {
	flagged([
		ingress("sgr-1", "icmp", -1, -1, "0.0.0.0/1"),
		ingress("sgr-2", "icmpv6", 128, 0, "::/1"),
		ingress("sgr-3", "47", -1, -1, "0.0.0.0/1"),
		ingress("sgr-4", "udp", 53, 53, "0.0.0.0/1"),
	]) == {"sgr-4"}
}

test_all_traffic_is_risky if {
	findings := deny_for([ingress("sgr-1", "all", 0, 65535, "64.0.0.0/10")])
	count(findings) == 1
	some f in findings
	f.evidence.port_class == "risky_ports"
	contains(f.msg, "allows all traffic (")
	contains(f.msg, "admin, database or high-risk services) from 64.0.0.0/10")
	"SSH" in f.evidence.services
}

test_range_holding_a_risky_port_is_risky if {
	# tcp 20-30 holds FTP, SSH, Telnet and SMTP: /12 is wide for it.
	some f in deny_for([ingress("sgr-1", "tcp", 20, 30, "64.0.0.0/12")])
	f.evidence.services == ["FTP", "SMTP", "SSH", "Telnet"]
	startswith(f.msg, "sg-1 (partners) allows tcp 20-30 (4 admin, database or high-risk services) from 64.0.0.0/12")
}

test_database_and_high_risk_ports_are_risky if {
	# /12 is wide for PostgreSQL and SMB (/16), not for tcp 9443 (/8).
	flagged([
		ingress("sgr-1", "tcp", 5432, 5432, "64.0.0.0/12"),
		ingress("sgr-2", "tcp", 445, 445, "64.0.0.0/12"),
		ingress("sgr-3", "tcp", 9443, 9443, "64.0.0.0/12"),
	]) == {"sgr-1", "sgr-2"}
}

# Direction and peers.

test_egress_is_not_judged if {
	r := object.union(ssh("sgr-1", "0.0.0.0/1"), {"direction": "egress"})
	flagged([r]) == set()
	flagged([ssh("sgr-1", "0.0.0.0/1")]) == {"sgr-1"}
}

test_security_group_peer_is_not_judged if {
	r := object.union(ssh("sgr-1", "x"), {"peer": {"kind": "security_group", "group_id": "sg-2"}})
	flagged([r]) == set()
}

test_halves_that_are_the_world_are_left_to_the_world_checks if {
	# SGA001 reports the pair as SSH from the world; neither half again.
	flagged([ssh("sgr-1", "0.0.0.0/1"), ssh("sgr-2", "128.0.0.0/1")]) == set()
	flagged([ssh("sgr-1", "::/1"), ssh("sgr-2", "8000::/1")]) == set()
}

test_halves_on_different_ports_are_each_wide if {
	# Not the world for any one port: each half is half the world.
	flagged([ssh("sgr-1", "0.0.0.0/1"), admin_ui("sgr-2", "128.0.0.0/1")]) == {"sgr-1", "sgr-2"}
}

test_regression_ipv4_mapped_half_is_not_the_world if {
	# 8000::/1 + ::ffff:0:0/96 once merged into "the IPv4 world", which hid
	# 8000::/1 here as part of it. 8000::/1 holds no public address
	# (outside 2000::/3), so nothing is wide; ::/1 with the mapped prefix is.
	flagged([ssh("sgr-1", "8000::/1"), ssh("sgr-2", "::ffff:0:0/96")]) == set()
	flagged([ssh("sgr-1", "::/1"), ssh("sgr-2", "::ffff:0:0/96")]) == {"sgr-1"}
}

test_each_group_judged_on_its_own if {
	g2 := object.union(group([ssh("sgr-9", "0.0.0.0/1")]), {"id": "sg-2", "arn": "arn:sg-2"})
	findings := wide_public_range.deny with input as {"security_groups": [group([ssh("sgr-1", "10.0.0.0/8")]), g2]}
	{[f.group_arn, f.rule.id] | some f in findings} == {["arn:sg-2", "sgr-9"]}
}

test_rule_without_id_gets_content_remediation if {
	some f in deny_for([ssh("", "0.0.0.0/1")])
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/1}]'"
}

# Prefix lists are expanded into their entries.

pl(id, owner, cidrs) := {
	"id": id, "name": "partners", "owner": owner, "account_id": "111111111111", "region": "eu-west-1",
	"entries": [{"cidr": c} | some c in cidrs],
}

from_list(id, proto, from, to, list) := object.union(ingress(id, proto, from, to, "x"), {"peer": {"kind": "prefix_list", "prefix_list_id": list}})

deny_with_lists(rules, lists) := findings if {
	findings := wide_public_range.deny with input as {"security_groups": [group(rules)], "prefix_lists": lists}
}

test_prefix_list_entries_are_judged if {
	findings := deny_with_lists(
		[from_list("sgr-1", "tcp", 22, 22, "pl-1")],
		[pl("pl-1", "111111111111", ["10.0.0.0/8", "198.51.100.0/24", "2600::/8", "64.0.0.0/2", "64.1.0.0/16"])],
	)
	count(findings) == 1
	some f in findings
	f.msg == "sg-1 (partners) allows tcp 22 (SSH) from pl-1 (partners), holding 2600::/8 and 64.0.0.0/2: public ranges wider than /16 (IPv4) and /32 (IPv6), the limit for admin, database and high-risk ports"
	f.evidence.wide_cidrs == ["2600::/8", "64.0.0.0/2"]
	f.evidence.ip_family == "IPv4, IPv6"
	f.evidence.limits == {"IPv4": 16, "IPv6": 32}
	f.evidence.prefix_list == {"id": "pl-1", "name": "partners"}
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
}

test_prefix_list_entries_judged_by_the_rules_ports if {
	# 64.0.0.0/12 is wide for SSH (/16) but not for 8443 (/8).
	lists := [pl("pl-1", "111111111111", ["64.0.0.0/12"])]
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-1")], lists)) == 1
	count(deny_with_lists([from_list("sgr-1", "tcp", 8443, 8443, "pl-1")], lists)) == 0
}

test_prefix_list_that_is_the_world_is_left_to_the_world_checks if {
	lists := [
		pl("pl-1", "111111111111", ["0.0.0.0/0", "64.0.0.0/2"]),
		pl("pl-2", "111111111111", ["0.0.0.0/1", "128.0.0.0/1"]),
	]
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-1"), from_list("sgr-2", "tcp", 22, 22, "pl-2")], lists)) == 0

	# One half of pl-2 alone is wide.
	half := [pl("pl-2", "111111111111", ["0.0.0.0/1"])]
	count(deny_with_lists([from_list("sgr-2", "tcp", 22, 22, "pl-2")], half)) == 1
}

test_prefix_list_and_cidr_that_are_the_world_together if {
	# The list's half and the rule's half are SSH from the world (SGA001).
	lists := [pl("pl-1", "111111111111", ["0.0.0.0/1"])]
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-1"), ssh("sgr-2", "128.0.0.0/1")], lists)) == 0
}

test_aws_managed_prefix_list_is_not_judged if {
	# CloudFront's origin-facing list has /15s: AWS's own, not the internet's.
	lists := [pl("pl-1", "AWS", ["13.32.0.0/15", "52.84.0.0/15"])]
	count(deny_with_lists([from_list("sgr-1", "tcp", 8080, 8080, "pl-1")], lists)) == 0

	# The same entries in a list of one's own are judged.
	mine := [pl("pl-1", "111111111111", ["13.32.0.0/15", "52.84.0.0/15"])]
	count(deny_with_lists([from_list("sgr-1", "tcp", 8080, 8080, "pl-1")], mine)) == 1
}

test_prefix_list_matched_by_account_and_region if {
	lists := [
		object.union(pl("pl-1", "111111111111", ["64.0.0.0/2"]), {"region": "us-east-1"}),
		object.union(pl("pl-1", "222222222222", ["64.0.0.0/2"]), {"account_id": "222222222222"}),
		pl("pl-1", "111111111111", ["10.0.0.0/8"]),
	]
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-1")], lists)) == 0

	# The rule's own account and region find the wide one.
	g := object.union(group([from_list("sgr-1", "tcp", 22, 22, "pl-1")]), {"region": "us-east-1"})
	count(wide_public_range.deny) == 1 with input as {"security_groups": [g], "prefix_lists": lists}
}

test_unknown_prefix_list_is_not_judged if {
	count(deny_with_lists([from_list("sgr-1", "tcp", 22, 22, "pl-missing")], [])) == 0
}

test_prefix_list_egress_is_not_judged if {
	r := object.union(from_list("sgr-1", "tcp", 22, 22, "pl-1"), {"direction": "egress"})
	count(deny_with_lists([r], [pl("pl-1", "111111111111", ["64.0.0.0/2"])])) == 0
}

test_half_on_more_ports_than_the_world_finding_is_still_wide if {
	# tcp 22 from 0.0.0.0/1 and every TCP port from 128.0.0.0/1 make SSH
	# from the world (SGA001 reports it, sgr-1 is all SSH); but sgr-2 also
	# opens RDP, databases and every other TCP port to half of IPv4, which
	# no world finding says: it was left out as a member of the SSH union.
	flagged([ssh("sgr-1", "0.0.0.0/1"), ingress("sgr-2", "tcp", 0, 65535, "128.0.0.0/1")]) == {"sgr-2"}

	# Both on every port: the world on every port, the world checks' alone.
	flagged([ingress("sgr-1", "tcp", 0, 65535, "0.0.0.0/1"), ingress("sgr-2", "tcp", 0, 65535, "128.0.0.0/1")]) == set()
}
