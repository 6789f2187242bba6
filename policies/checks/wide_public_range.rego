# METADATA
# title: Port open to a wide public range
# description: >-
#   An ingress rule lets a public range that is not the world but almost
#   (0.0.0.0/1, 64.0.0.0/2, ::/1) reach TCP or UDP ports or all traffic: a
#   public CIDR, or an entry of a customer-managed prefix list, with a prefix
#   shorter than the limit in data.sgaudit.wide_public_ranges (default /16 for
#   IPv4 and /32 for IPv6 on admin, database and high-risk ports, /8 and /12
#   on other ports). A range counts when any of its addresses is public;
#   private, shared, link-local, loopback, ULA, multicast and documentation
#   ranges never do. Ports authorised for the world (authorized_ports) are not
#   judged, nor the world itself (/0, or CIDRs that together make it), which
#   SGA001-SGA005 report. One finding per rule.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
#   - ref: https://www.iana.org/assignments/iana-ipv4-special-registry/iana-ipv4-special-registry.xhtml
#   - ref: https://www.iana.org/assignments/iana-ipv6-special-registry/iana-ipv6-special-registry.xhtml
# custom:
#   id: SGA016
#   severity: MEDIUM
#   resolution: >-
#     Narrow the rule to the addresses that need it (a partner's or a VPN's own
#     CIDRs, a managed prefix list you maintain) or to a security group. If the
#     wide range is deliberate, suppress the finding with the reason.
#   tags: [network, exposure]
package sgaudit.checks.wide_public_range

import data.sgaudit.checks.unauthorized_open_port
import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# limits[class][family] is the prefix length a public range must reach not
# to be wide: class risky_ports (a rule reaching an admin, database or
# high-risk service) or other_ports, family ipv4 or ipv6. (Not object.get
# over data.sgaudit: that reads this package too, a recursion.)
limits := data.sgaudit.wide_public_ranges

# risky_categories are the port categories whose services get the stricter
# limit: those of SGA001, SGA002 and SGA004.
risky_categories := {"admin", "database", "high_risk"}

# lengths[kind] holds, as text, the prefix lengths short enough to be wide
# under some limit of the peer kind's family: {"1", ..., "15"} for
# cidr_ipv4 with the defaults. /0, the world, is never in it.
lengths := {kind: {sprintf("%d", [n]) | some n in numbers.range(1, m); n < m} |
	some kind, family in {"cidr_ipv4": "ipv4", "cidr_ipv6": "ipv6"}
	m := max({limits[class][family] | some class in ["risky_ports", "other_ports"]})
}

# candidates[i] lists the ingress rules of input.security_groups[i] whose
# CIDR is public and short enough for some limit, on ports (tcp, udp, all).
# They come from sg.short_rules, the one pass over every rule that the
# world checks make, which keeps the rules shorter than this check's
# largest limits too (sg.short_pattern): a pass of its own cost a quarter
# of the clean pack (docs/performance.md). So only the world (/0) is left
# to drop; the exact limit is the deny rule's. The usual private ranges
# (10.0.0.0/8) stop at one lookup, bound before the loop like everything
# here: in the engine, a rule or function reached per rule costs a lookup
# in the cache it shares between batches, and an allocating builtin
# (split) garbage; each was ~15% of the clean pack here. sgaudit computes
# this rule in Go for each batch (docs/performance.md, "Rules computed in
# Go"), asking OPA for net.is_public once per CIDR; `opa` computes it from
# this text, and the two are tested equal.
candidates := {i: rules |
	private := net.non_public_exact
	some i, short in sg.short_rules
	rules := [r |
		some r in short
		r.direction == "ingress"
		{"tcp", "udp", "all"}[r.protocol]
		not endswith(r.peer.cidr, "/0")
		not private[r.peer.cidr]
		net.is_public(r.peer.cidr)
	]
	rules[0]
}

# wide_lists["account/region/id"] holds each customer-managed prefix list
# that is not the world (the world checks' business) and has entries that
# are public and short enough for some limit: {"id", "name", "cidrs"}. An
# AWS-managed list (owner AWS: CloudFront's origin-facing ranges, S3's)
# names one service's addresses, not a slice of the internet, and is not
# judged. Built once per scan; usually empty.
wide_lists := {sg.prefix_list_key(pl.account_id, pl.region, pl.id): {
	"id": pl.id,
	"name": object.get(pl, "name", ""),
	"cidrs": wide,
} |
	by_kind := lengths
	some pl in input.prefix_lists
	object.get(pl, "owner", "") != "AWS"
	cidrs := [e.cidr | some e in pl.entries]
	not net.world_cidrs(cidrs)[0]
	wide := [c |
		some c in cidrs
		by_kind[{false: "cidr_ipv4", true: "cidr_ipv6"}[contains(c, ":")]][split(c, "/")[1]]
		net.is_public(c)
	]
	wide[0]
}

# wide_list_regions holds "account/region" of every list of wide_lists, so
# a group elsewhere skips its rules after one lookup.
wide_list_regions := {concat("/", [account, region]) |
	some key, _ in wide_lists
	[account, region, _] := split(key, "/")
}

# listed[i] lists the ingress rules of input.security_groups[i] on ports
# that name a list of wide_lists. Without such lists (the usual case) the
# comprehension ends at its first expression.
listed := {i: rules |
	lists := wide_lists
	count(lists) > 0
	regions := wide_list_regions
	some i, g in input.security_groups
	regions[concat("/", [g.account_id, g.region])]
	rules := [r |
		some r in g.rules
		lists[sg.prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
		r.direction == "ingress"
		{"tcp", "udp", "all"}[r.protocol]
	]
	rules[0]
}

# union_members holds [i, r] for each rule of a set of rules that together
# are the world (0.0.0.0/1 + 128.0.0.0/1) on the rule's own protocol and
# ports: the world checks report the set on its seed's ports, and such a
# half is not reported again here. A member that reaches more than the
# seed's ports (every TCP port from 128.0.0.0/1 beside SSH from
# 0.0.0.0/1) opens those others to its range alone, which no world finding
# says: it is judged here.
union_members := {[i, r] |
	some i, unions in sg.world_unions
	some u in unions
	some r in u.rules
	r.protocol == u.rule.protocol
	r.from_port == u.rule.from_port
	r.to_port == u.rule.to_port
}

deny contains finding if {
	members := union_members
	some i, rules in candidates
	some r in rules
	not members[[i, r]]
	class := port_class(r)
	limit := limits[class][net.family_key(r.peer.cidr)]
	net.prefix_length(r.peer.cidr) < limit
	finding := wide_finding(input.security_groups[i], r, class, r.peer.cidr, [r.peer.cidr], {})
}

deny contains finding if {
	members := union_members
	lists := wide_lists
	some i, rules in listed
	some r in rules
	not members[[i, r]]
	g := input.security_groups[i]
	pl := lists[sg.prefix_list_key(g.account_id, g.region, r.peer.prefix_list_id)]
	class := port_class(r)
	wide := [c | some c in pl.cidrs; net.prefix_length(c) < limits[class][net.family_key(c)]]
	wide[0]
	finding := wide_finding(g, r, class, list_text(pl), wide, {"prefix_list": {"id": pl.id, "name": pl.name}})
}

# port_class(r) is "risky_ports" when the rule reaches a service of
# risky_categories, else "other_ports" when its ports are not all
# authorised for the world (SGA005's own test, so the two never disagree:
# HTTPS from the world is no finding, and neither is HTTPS from half of
# it); undefined for a rule on authorised ports only.
port_class(r) := "risky_ports" if {
	some [category, _] in sg.catalogue_hits(r)
	risky_categories[category]
} else := "other_ports" if {
	not unauthorized_open_port.authorized_exact[[r.protocol, r.from_port, r.to_port]]
	not unauthorized_open_port.is_authorized(unauthorized_open_port.single, r.protocol, r.from_port, r.to_port)
}

# services(r) lists, sorted, the risky services the rule reaches.
services(r) := sort({e.service |
	some [category, e] in sg.catalogue_hits(r)
	risky_categories[category]
})

class_text := {
	"risky_ports": "admin, database and high-risk ports",
	"other_ports": "other ports",
}

family_text := {"ipv4": "IPv4", "ipv6": "IPv6"}

# list_text(pl) names a prefix list: "pl-1 (partners)" or "pl-1".
list_text(pl) := sprintf("%s (%s)", [pl.id, pl.name]) if pl.name != ""

else := pl.id

# what_text(r, found) is the rule's traffic, with the services it
# reaches when they are the reason for the stricter limit: "tcp 22 (SSH)",
# "tcp 20-30 (4 admin, database or high-risk services)".
what_text(r, found) := sprintf("%s (%s)", [net.ports_text(r.protocol, r.from_port, r.to_port), found[0]]) if {
	count(found) == 1
}

else := sprintf("%s (%d admin, database or high-risk services)", [net.ports_text(r.protocol, r.from_port, r.to_port), count(found)]) if {
	count(found) > 1
}

else := net.ports_text(r.protocol, r.from_port, r.to_port)

wide_finding(g, r, class, peer, wide, extra) := {
	"group_arn": g.arn,
	"rule": r,
	"msg": sprintf("%s (%s) allows %s from %s: %s wider than %s, the limit for %s", [
		g.id, g.name, what_text(r, found), peer_text(peer, wide),
		ranges_text(wide), limit_text(class, families), class_text[class],
	]),
	"remediation": sg.revoke_command(g, r),
	"evidence": object.union(extra, {
		"peer": peer,
		"ip_family": concat(", ", [family_text[f] | some f in families]),
		"wide_cidrs": wide,
		"limits": {family_text[f]: limits[class][f] | some f in families},
		"port_class": class,
		"services": found,
		"rule_ports": net.ports_text(r.protocol, r.from_port, r.to_port),
	}),
} if {
	found := services(r)
	families := sort({net.family_key(c) | some c in wide})
}

# peer_text(peer, wide) is the CIDR, or the list with its wide entries:
# "pl-1 (partners), holding 64.0.0.0/2 and 2600::/8".
peer_text(peer, wide) := peer if wide == [peer]

else := sprintf("%s, holding %s", [peer, concat(" and ", wide)])

ranges_text(wide) := "a public range" if count(wide) == 1

else := "public ranges"

# limit_text(class, families) is "/16", or "/16 (IPv4) and /32 (IPv6)"
# when a list's wide entries are of both families.
limit_text(class, families) := sprintf("/%d", [limits[class][families[0]]]) if count(families) == 1

else := concat(" and ", [sprintf("/%d (%s)", [limits[class][f], family_text[f]]) | some f in families])
