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
