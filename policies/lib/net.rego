# Package sgaudit.lib.net holds the network facts the checks share: what
# "the world" is, which protocols carry ports, and whether a rule reaches a
# port or a port-catalogue entry. Plain Rego on purpose (no custom builtins),
# so a stock `opa test policies/` runs it.
#
# Rules come from the inventory (scanner/inventory.Rule): protocol is already
# normalised to tcp, udp, icmp, icmpv6, all or an IP protocol number ("47"),
# and protocol all carries from_port 0 and to_port 65535.
package sgaudit.lib.net

# first_usable_port and max_port bound the TCP/UDP ports a client can reach.
# They are protocol facts, not policy, so they live here rather than in data.
# Port 0 is reserved and cannot be connected to, so a rule for 1-65535 opens
# every port as surely as 0-65535 does.
first_usable_port := 1

max_port := 65535

# port_protocols are the protocols whose rules select ports. ICMP rules put
# the ICMP type and code in from_port/to_port, and other IP protocols (GRE
# "47", ESP "50") have no ports at all, so ICMP type 22 is not SSH.
port_protocols := {"tcp", "udp", "all"}

# cidr_peer_kinds are the peer kinds whose cidr can be the world. Prefix lists
# are expanded into their entries by sg.prefix_lists and judged in
# sg.world_port_pairs; security groups are never the world.
cidr_peer_kinds := {"cidr_ipv4", "cidr_ipv6"}

# is_world(cidr) is true when cidr matches every address of its family. Any
# prefix length of 0 does, whatever the address is written as: "0.0.0.0/0",
# "::/0", "0:0:0:0:0:0:0:0/0", or even "10.0.0.0/0". One suffix test per rule
# (docs/performance.md); the inventory holds CIDRs as EC2 writes them, so the
# world is "0.0.0.0/0" or "::/0" there (docs/inventory.md §13).
# sg.world_port_pairs and sg.world_egress_pairs inline this same expression.
is_world(cidr) if endswith(cidr, "/0")

# is_world_peer(peer) is true for a CIDR peer that is the world.
is_world_peer(peer) if {
	cidr_peer_kinds[peer.kind]
	is_world(peer.cidr)
}

# ip_family(cidr) is "IPv6" or "IPv4"; CIS counts 0.0.0.0/0 (v3.0 5.2) and
# ::/0 (v3.0 5.3) separately, so evidence says which one a finding is about.
ip_family(cidr) := "IPv6" if contains(cidr, ":")

else := "IPv4"

# short_cidr matches a CIDR whose prefix length is a single digit, /0 to /9:
# the world itself, and the only CIDRs that can be part of a set that adds up
# to the world. AWS caps the rules of one group at 1,000 per direction and
# address family, prefix-list entries included, and 1,000 CIDRs of /10 or
# longer cover at most 1000/1024 of the space; so a set of CIDRs that covers
# it all holds at least one of /9 or shorter. One regex per CIDR rule finds
# both the world and the seeds of such a set (docs/performance.md).
short_cidr := `/[0-9]$`

# union_units(cidr) is the share of its address space a /1-/9 CIDR covers,
# in 1024ths (/1 → 512, /9 → 2): see world_union_possible. The prefix is
# the CIDR's last character (short_cidr), so one lookup replaces parsing.
union_units(cidr) := units_by_prefix[substring(cidr, count(cidr) - 1, 1)]

units_by_prefix := {"1": 512, "2": 256, "3": 128, "4": 64, "5": 32, "6": 16, "7": 8, "8": 4, "9": 2}

# max_long_units is what CIDRs of /10 or longer can add up to at most, in
# 1024ths: one each, and at most 1,000 of them: AWS's ceiling on rules per
# group, direction and address family, which inventory files and imports
# are held to (inventory.MaxRulesPerDirection, docs/inventory.md §13).
max_long_units := 1000

# world_union_possible(cidrs) is the cheap necessary condition for short
# CIDRs of one family and direction (cidrs, all /1-/9) to be part of a set
# covering the world: with at most 1,000 longer CIDRs adding at most
# 1000/1024, the short ones must bring the rest. A lone 10.0.0.0/8 (4/1024)
# never can, so the common private ranges never pay for a merge.
world_union_possible(cidrs) if sum([union_units(c) | some c in cidrs]) + max_long_units >= world_units

# world_units is the whole address space in union_units.
world_units := 1024

# world_cidrs(cidrs) lists, sorted, "0.0.0.0/0" and/or "::/0" when cidrs
# together cover the whole IPv4 and/or IPv6 space: one /0 of any spelling,
# or a set such as 0.0.0.0/1 + 128.0.0.0/1. Each family is merged on its
# own: net.cidr_merge of IPv4 and IPv6 CIDRs together drops the IPv4 ones
# (OPA 1.22 maps them into ::ffff:0:0/96). A malformed CIDR makes its
# family's merge undefined, so it never counts as the world. The other way
# round, the merge turns an IPv4-mapped IPv6 prefix (::ffff:0:0/96) into
# IPv4 (0.0.0.0/0); but an IPv6 rule never admits IPv4 traffic, so a
# result of the other family is dropped, not taken for the world.
world_cidrs(cidrs) := sort([w |
	some v6 in [false, true]
	family := [c | some c in cidrs; contains(c, ":") == v6; not merge_unsafe(c)]
	count(family) > 0
	some w in net.cidr_merge(family)
	is_world(w)
	contains(w, ":") == v6
])

# merge_unsafe(cidr) is true for an IPv6 CIDR that world_cidrs leaves out
# of the merge: one inside ::/8 and longer than it. OPA 1.22's
# net.cidr_merge panics (an index out of range) when two CIDRs there merge
# into one range, because it drops the leading zero bytes of the range's
# address and takes an address in ::ffff:0:0/96 for IPv4: two adjacent
# NAT64 prefixes (64:ff9b::a00:0/104, 64:ff9b::b00:0/104) in one prefix
# list or one group's rules did it, as did two IPv4-mapped ones. ::/8 is
# reserved (::, ::1, the IPv4-compatible and IPv4-mapped blocks, NAT64), and
# ::/8 itself and the prefixes holding it merge safely (their address is
# ::), so the one set this changes is one covering the IPv6 world only by
# splitting ::/8 into pieces: it is not taken for the world. An
# IPv4-mapped CIDR would only have become IPv4 and been dropped anyway.
merge_unsafe(cidr) if {
	contains(cidr, ":")
	net.cidr_contains("::/8", cidr)
	not net.cidr_contains(cidr, "::/8")
}

merge_unsafe(cidr) if ipv4_mapped(cidr)

# ipv4_mapped(cidr) is true for an IPv6 CIDR inside ::ffff:0:0/96, the
# IPv4-mapped addresses, which net.cidr_contains("::/8", cidr) does not
# see: OPA holds an IPv4 address in its mapped form and compares it as
# IPv4. (The CIDR must be written as IPv6: for the same reason
# ::ffff:0:0/96 contains every IPv4 CIDR too.)
ipv4_mapped(cidr) if {
	contains(cidr, ":")
	net.cidr_contains("::ffff:0:0/96", cidr)
}

# covers_world(cidrs) is true when cidrs together cover a whole address space.
covers_world(cidrs) if count(world_cidrs(cidrs)) > 0

# carries_ports(rule) is true when the rule's protocol selects ports.
carries_ports(rule) if port_protocols[rule.protocol]

# covers_port(rule, port) is true when the rule admits traffic to port.
# Protocol all admits every port, whatever from_port/to_port say.
covers_port(rule, _) if rule.protocol == "all"

covers_port(rule, port) if {
	port_protocols[rule.protocol]
	rule.from_port <= port
	port <= rule.to_port
}

# matches_protocol(rule, protocols) is true when the rule's protocol is one
# of protocols (a list such as ["tcp", "udp"]); protocol all matches any.
# The list is a catalogue entry's, a handful of items, so `in` is cheap here.
matches_protocol(rule, _) if rule.protocol == "all"

matches_protocol(rule, protocols) if rule.protocol in protocols

# overlaps(rule, entry) is true when the rule's port range shares at least
# one port with a catalogue entry's from_port..to_port: 0-1024 and 20-30 both
# reach 22, and 27000-27017 reaches MongoDB's 27017-27019.
overlaps(rule, _) if rule.protocol == "all"

overlaps(rule, entry) if {
	port_protocols[rule.protocol]
	rule.from_port <= entry.to_port
	entry.from_port <= rule.to_port
}

# max_indexed_range bounds how many ports of one catalogue entry
# catalogue_ports expands; a wider entry stands as "*".
max_indexed_range := 1024

# catalogue_ports(catalogue) is the set of every port a port catalogue names,
# so that a single-port rule reaching none of them is dismissed with one
# lookup instead of a walk over the catalogue. Bind it at package level (it
# is then built once per evaluation): `ports := net.catalogue_ports(c)`.
catalogue_ports(catalogue) := {p |
	some e in catalogue
	e.to_port - e.from_port <= max_indexed_range
	some p in numbers.range(e.from_port, e.to_port)
} | {"*" |
	some e in catalogue
	e.to_port - e.from_port > max_indexed_range
}

# may_reach(rule, ports) is a cheap pre-filter: false only when the rule
# opens a single port that ports (from catalogue_ports) does not hold. A true
# result still needs overlaps() and matches_protocol() per entry.
may_reach(rule, _) if rule.from_port != rule.to_port

may_reach(rule, _) if rule.protocol == "all"

may_reach(rule, ports) if ports[rule.from_port]

may_reach(_, ports) if ports["*"]

# covers_all_ports(rule) is true for protocol all and for a TCP or UDP rule
# spanning every usable port (0-65535 or 1-65535).
covers_all_ports(rule) if rule.protocol == "all"

covers_all_ports(rule) if all_ports(rule.protocol, rule.from_port, rule.to_port)

# all_ports(protocol, from, to) is covers_all_ports on a rule's fields, the
# form for checks that ask it per rule: OPA indexes a function's branches
# on plain arguments ("all") and memoises its calls by their arguments,
# which the world rules of an estate mostly share (tcp 22 22, all -1 -1);
# an object argument is neither indexed nor often repeated. false rather
# than undefined when not: OPA memoises a function's value, and undefined
# is no value, so without the default every call that fails (most world
# rules) would be evaluated again.
default all_ports(_, _, _) := false

all_ports("all", _, _)

all_ports(protocol, from, to) if {
	port_protocols[protocol]
	from <= first_usable_port
	to >= max_port
}

# port_text(from, to) renders a port range: "22" or "20-30".
port_text(from, to) := sprintf("%d", [from]) if from == to

else := sprintf("%d-%d", [from, to])

# ports_text(protocol, from, to) renders what a rule admits: "all traffic",
# "tcp 22", "udp 0-65535", "icmp 8/-1" (type/code) or "protocol 47". It
# takes the rule's fields rather than the rule: OPA indexes a function's
# branches on plain arguments (protocol == "all") and not on fields of an
# object argument, and findings call this often.
ports_text(protocol, from, to) := "all traffic" if protocol == "all"

else := sprintf("%s %s", [protocol, port_text(from, to)]) if port_protocols[protocol]

else := sprintf("%s %d/%d", [protocol, from, to]) if startswith(protocol, "icmp")

else := sprintf("protocol %s", [protocol])

# entry_text(entry) renders a catalogue entry: "tcp/udp 22", "tcp 27017-27019".
entry_text(entry) := sprintf("%s %s", [concat("/", entry.protocols), port_text(entry.from_port, entry.to_port)])

# peer_text(peer) names a rule's peer: a CIDR, a prefix list, or a group.
# An else chain stops at the first match; separate definitions would all be
# evaluated. (The else bodies are blocks: `opa fmt` 1.22.3 mangles a
# single-line else body comparing with a string literal.)
peer_text(peer) := peer.cidr if cidr_peer_kinds[peer.kind]

else := peer.prefix_list_id if {
	peer.kind == "prefix_list"
}

else := group_text(peer) if {
	peer.kind == "security_group"
}

else := "unknown peer"

# group_text(peer) is owner/group when the owner is known, as a
# cross-account reference needs it, else the group id.
group_text(peer) := sprintf("%s/%s", [peer.group_owner, peer.group_id]) if object.get(peer, "group_owner", "") != ""

else := peer.group_id

# ---------------------------------------------------------------------------
# Public address space, for SGA016 (wide public ranges). A CIDR is public
# when it holds at least one address a packet from the internet can come
# from; a prefix that is partly public counts (0.0.0.0/1 holds 10.0.0.0/8
# but is mostly public), because the rule admits its public part whatever
# else it names.

# non_public_ipv4 are the IPv4 ranges no internet packet comes from: the
# IANA IPv4 special-purpose registry's top-level entries that are not
# globally reachable, plus multicast (never a source address) and the
# reserved 240.0.0.0/4. Written merged (net.cidr_merge of the list is the
# list, which net_test checks), so a prefix wholly inside them is inside
# one entry, and one net.cidr_contains_matches tells.
non_public_ipv4 := [
	"0.0.0.0/8", # "this network" (RFC 791)
	"10.0.0.0/8", # private (RFC 1918)
	"100.64.0.0/10", # shared address space, carrier-grade NAT (RFC 6598)
	"127.0.0.0/8", # loopback
	"169.254.0.0/16", # link-local (RFC 3927)
	"172.16.0.0/12", # private (RFC 1918)
	"192.0.0.0/24", # IETF protocol assignments (RFC 6890)
	"192.0.2.0/24", # documentation, TEST-NET-1 (RFC 5737)
	"192.168.0.0/16", # private (RFC 1918)
	"198.18.0.0/15", # benchmarking (RFC 2544)
	"198.51.100.0/24", # documentation, TEST-NET-2 (RFC 5737)
	"203.0.113.0/24", # documentation, TEST-NET-3 (RFC 5737)
	"224.0.0.0/3", # multicast 224.0.0.0/4 and reserved 240.0.0.0/4 (RFC 1112)
]

# public_ipv6 are the IPv6 ranges that hold public addresses: global
# unicast, the only space IANA allocates from (2000::/3), and the NAT64
# well-known prefix, which stands for public IPv4 (RFC 6052). Everything
# else holds none: loopback, IPv4-mapped, ULA fc00::/7, link-local
# fe80::/10, multicast ff00::/8, and the unallocated rest.
public_ipv6 := ["64:ff9b::/96", "2000::/3"]

# non_public_ipv6 are the special-purpose ranges inside public_ipv6 that
# are not globally reachable (IANA IPv6 special-purpose registry).
non_public_ipv6 := [
	"2001:2::/48", # benchmarking (RFC 5180)
	"2001:10::/28", # ORCHID, deprecated (RFC 4843)
	"2001:db8::/32", # documentation (RFC 3849)
	"3fff::/20", # documentation (RFC 9637)
]

# non_public_by_octet["10"] lists the entries of non_public_ipv4 that can
# hold an IPv4 prefix of /8 or longer whose first octet is "10": those
# starting in that octet, and the wider ones spanning it (224.0.0.0/3 for
# 224-255). One net.cidr_contains_matches over thirteen CIDRs parses them
# all, per call; through this index the usual private rule (10.0.0.0/8)
# is compared with one (docs/performance.md: measured 13 µs down to 2).
non_public_by_octet := {sprintf("%d", [o]): [c | some [c, p] in non_public_octets; p == o] |
	some [_, o] in non_public_octets
}

# non_public_octets pairs each entry of non_public_ipv4 with each first
# octet it spans: one for a /8 or longer, 2^(8-n) for a /n.
non_public_octets := [[c, o] |
	some c in non_public_ipv4
	first := to_number(split(c, ".")[0])
	span := bits.lsh(1, max([8 - prefix_length(c), 0]))
	some o in numbers.range(first, (first + span) - 1)
]

# non_public_exact holds the entries of non_public_ipv4 and
# non_public_ipv6 as written: the usual wide private rule (10.0.0.0/8) is
# told by one lookup.
non_public_exact := {c | some c in non_public_ipv4} | {c | some c in non_public_ipv6}

# is_public(cidr) is true when cidr holds at least one public address. An
# IPv4 prefix is public unless one non-public range holds it whole: for a
# /8 or longer, one of its first octet's (non_public_by_octet; one
# net.cidr_contains_matches over all thirteen parses them all, per call).
# An IPv6 prefix is public when it holds a whole public range (::/1 holds
# 2000::/3), or a public range holds it and no non-public range does.
# No regex: checks call this per rule, and OPA's regex cache takes a lock
# (docs/performance.md).
is_public(cidr) if {
	not contains(cidr, ":")
	not non_public_exact[cidr]
	prefix_length(cidr) >= 8
	count(net.cidr_contains_matches(object.get(non_public_by_octet, split(cidr, ".")[0], []), cidr)) == 0
}

is_public(cidr) if {
	not contains(cidr, ":")
	prefix_length(cidr) < 8
	count(net.cidr_contains_matches(non_public_ipv4, cidr)) == 0
}

is_public(cidr) if {
	contains(cidr, ":")
	count(net.cidr_contains_matches(cidr, public_ipv6)) > 0
}

is_public(cidr) if {
	contains(cidr, ":")
	not non_public_exact[cidr]
	count(net.cidr_contains_matches(public_ipv6, cidr)) > 0
	count(net.cidr_contains_matches(non_public_ipv6, cidr)) == 0
}

# prefix_length(cidr) is the CIDR's prefix length as a number: 8 for
# "10.0.0.0/8". Undefined for a string without one.
prefix_length(cidr) := to_number(parts[1]) if {
	parts := split(cidr, "/")
	count(parts) == 2
}

# family_key(cidr) is "ipv6" or "ipv4", the keys of per-family data
# (data.sgaudit.wide_public_ranges).
family_key(cidr) := "ipv6" if contains(cidr, ":")

else := "ipv4"
