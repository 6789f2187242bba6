package reachability

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// This file evaluates the four tests of docs/reachability.md §2 (entry,
// route back, NACL in and out, security groups) as functions of the
// source address, each an amap: constant on elementary address intervals,
// with the port space of a protocol as sorted segments inside.

// Protocols analysed, and the space of each: ports for tcp and udp; for
// icmp and icmpv6 the point type*256+code, so a rule for a type is a
// range and every rule one interval (docs/reachability.md §3).
var Protocols = []string{inventory.ProtocolTCP, inventory.ProtocolUDP, inventory.ProtocolICMP, inventory.ProtocolICMPv6}

const portMax = 65535

// Ephemeral ports a reply goes back to (docs/reachability.md §2).
const (
	EphemeralFrom = 1024
	EphemeralTo   = 65535
)

func protoNumber(p string) string {
	switch p {
	case inventory.ProtocolTCP:
		return "6"
	case inventory.ProtocolUDP:
		return "17"
	case inventory.ProtocolICMP:
		return "1"
	case inventory.ProtocolICMPv6:
		return "58"
	}
	return p
}

func hasPorts(p string) bool { return p == inventory.ProtocolTCP || p == inventory.ProtocolUDP }

// icmpRange maps an ICMP type and code (-1 any) into the protocol's space.
func icmpRange(typ, code int) (int, int) {
	switch {
	case typ < 0:
		return 0, portMax
	case code < 0:
		return typ * 256, typ*256 + 255
	}
	return typ*256 + code, typ*256 + code
}

// sgRange is the part of proto's space a security group rule admits.
func sgRange(r inventory.Rule, proto string) (lo, hi int, ok bool) {
	switch {
	case r.Protocol == inventory.ProtocolAll:
		return 0, portMax, true
	case r.Protocol != proto:
		return 0, 0, false
	case hasPorts(proto):
		return r.FromPort, r.ToPort, true
	}
	lo, hi = icmpRange(r.FromPort, r.ToPort)
	return lo, hi, true
}

// naclRange is the part of proto's space a NACL entry matches.
func naclRange(e *inventory.NACLEntry, proto string) (lo, hi int, ok bool) {
	switch {
	case e.Protocol == inventory.NACLProtocolAll:
		return 0, portMax, true
	case e.Protocol != protoNumber(proto):
		return 0, 0, false
	case hasPorts(proto):
		return e.FromPort, e.ToPort, true
	}
	lo, hi = icmpRange(e.ICMPType, e.ICMPCode)
	return lo, hi, true
}

// pseg is a segment of a protocol's space with a decision: for a NACL,
// allow or deny and the entry that decided (nil: the implicit "*"); for a
// security group union, the first rule that admits.
type pseg struct {
	lo, hi int
	allow  bool
	entry  *inventory.NACLEntry
	desc   string // the entry in words (describeEntry), built once per map
	grant  *grant
}

// ranges are [lo, hi] pairs still undecided, reused.
type ranges [][2]int

// paint assigns [lo, hi] ∩ undecided to one decision, in rule order, and
// returns the rest undecided.
func paint(und ranges, lo, hi int, out []pseg, mk func(lo, hi int) pseg) (ranges, []pseg) {
	rest := und[:0:0]
	for _, r := range und {
		if r[1] < lo || r[0] > hi {
			rest = append(rest, r)
			continue
		}
		a, b := max(r[0], lo), min(r[1], hi)
		out = append(out, mk(a, b))
		if r[0] < a {
			rest = append(rest, [2]int{r[0], a - 1})
		}
		if b < r[1] {
			rest = append(rest, [2]int{b + 1, r[1]})
		}
	}
	return rest, out
}

func sortSegs(s []pseg) []pseg {
	slices.SortFunc(s, func(a, b pseg) int { return a.lo - b.lo })
	return s
}

// segAt returns the segment holding x, or nil.
func segAt(segs []pseg, x int) *pseg {
	i, _ := slices.BinarySearchFunc(segs, x, func(s pseg, x int) int {
		switch {
		case s.hi < x:
			return -1
		case s.lo > x:
			return 1
		}
		return 0
	})
	if i < len(segs) && segs[i].lo <= x && x <= segs[i].hi {
		return &segs[i]
	}
	return nil
}

// naclIn is, per source address, the inbound decision over proto's space.
func naclIn(acl *inventory.NetworkACL, f fam, proto string) *amap[[]pseg] {
	entries, spans := naclEntries(acl, false, f, proto)
	descs := make([]string, len(entries))
	for i, e := range entries {
		descs[i] = describeEntry(e, proto)
	}
	return build(f, spans, func(a u128) []pseg {
		und := ranges{{0, portMax}}
		var out []pseg
		for i, e := range entries {
			if !spans[i].contains(a) {
				continue
			}
			lo, hi, _ := naclRange(e, proto)
			allow := e.Action == inventory.NACLAllow
			und, out = paint(und, lo, hi, out, func(lo, hi int) pseg { return pseg{lo: lo, hi: hi, allow: allow, entry: e, desc: descs[i]} })
			if len(und) == 0 {
				break
			}
		}
		for _, r := range und {
			out = append(out, pseg{lo: r[0], hi: r[1], desc: describeEntry(nil, proto)})
		}
		return sortSegs(out)
	})
}

// retVal is the outbound decision on a reply to a source: ok when the
// first matching outbound entries allow every ephemeral port; else the
// entry that denies (nil: "*").
type retVal struct {
	ok    bool
	entry *inventory.NACLEntry
	desc  string
}

// naclOut is, per source address, whether the reply goes out. Only tcp
// and udp have replies in the model; icmp is judged inbound only
// (docs/reachability.md §2).
func naclOut(acl *inventory.NetworkACL, f fam, proto string) *amap[retVal] {
	if !hasPorts(proto) {
		return &amap[retVal]{cuts: []u128{{}}, vals: []retVal{{ok: true}}}
	}
	entries, spans := naclEntries(acl, true, f, proto)
	descs := make([]string, len(entries))
	for i, e := range entries {
		descs[i] = describeEntry(e, proto)
	}
	return build(f, spans, func(a u128) retVal {
		und := ranges{{EphemeralFrom, EphemeralTo}}
		for i, e := range entries {
			if !spans[i].contains(a) {
				continue
			}
			lo, hi, _ := naclRange(e, proto)
			if hi < und[0][0] || lo > und[len(und)-1][1] {
				continue
			}
			overlaps := false
			for _, r := range und {
				if r[1] >= lo && r[0] <= hi {
					overlaps = true
				}
			}
			if !overlaps {
				continue
			}
			if e.Action != inventory.NACLAllow {
				return retVal{entry: e, desc: descs[i]}
			}
			und, _ = paint(und, lo, hi, nil, func(lo, hi int) pseg { return pseg{} })
			if len(und) == 0 {
				return retVal{ok: true, entry: e, desc: descs[i]}
			}
		}
		return retVal{desc: describeEntry(nil, proto)}
	})
}

// naclEntries returns a direction's entries that match proto in family f,
// in rule order, with their blocks.
func naclEntries(acl *inventory.NetworkACL, egress bool, f fam, proto string) ([]*inventory.NACLEntry, []span) {
	var es []*inventory.NACLEntry
	var spans []span
	idx := make([]int, 0, len(acl.Entries))
	for i := range acl.Entries {
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int { return acl.Entries[a].RuleNumber - acl.Entries[b].RuleNumber })
	for _, i := range idx {
		e := &acl.Entries[i]
		if e.Egress != egress {
			continue
		}
		if _, _, ok := naclRange(e, proto); !ok {
			continue
		}
		s, ok := parseSpan(e.CIDR)
		if !ok || s.f != f {
			continue
		}
		es = append(es, e)
		spans = append(spans, s)
	}
	return es, spans
}

// grant is one security group rule (or one entry of a prefix-list rule)
// admitting a source block.
type grant struct {
	group string
	rule  *ruleRef // shared by the grants of one rule
	span  span
	lo    int
	hi    int
}

// sgAdmit is, per source address, the part of proto's space a set of
// groups admits, each segment with the first rule (in group, rule order)
// that does.
func sgAdmit(grants []*grant, f fam) *amap[[]pseg] {
	var spans []span
	var mine []*grant
	for _, g := range grants {
		if g.span.f == f {
			spans = append(spans, g.span)
			mine = append(mine, g)
		}
	}
	return build(f, spans, func(a u128) []pseg {
		und := ranges{{0, portMax}}
		var out []pseg
		for _, g := range mine {
			if !g.span.contains(a) {
				continue
			}
			und, out = paint(und, g.lo, g.hi, out, func(lo, hi int) pseg { return pseg{lo: lo, hi: hi, allow: true, grant: g} })
			if len(und) == 0 {
				break
			}
		}
		return sortSegs(out)
	})
}

// routeVal is where a route table sends a source.
type routeVal struct {
	toIGW bool
	route *inventory.Route // the longest match, nil when none
	dest  string           // its destination as written (CIDR or pl-)
	why   string           // when not to the internet gateway
	hop   string           // "route <dest> to <igw>", the path's detail when it is
	// unsure is set when the route goes to an appliance or endpoint that
	// may forward to the internet gateway (docs/reachability.md §5): the
	// route alone cannot verify "not reachable".
	unsure string
}

// routeMap is, per address, the route table's longest-prefix match. At
// equal length a CIDR route wins over a prefix-list route
// (docs/reachability.md §2).
func routeMap(rt *inventory.RouteTable, f fam, igw string, pls func(id string) *inventory.PrefixList) *amap[routeVal] {
	type cand struct {
		r    *inventory.Route
		s    span
		bits int
		pl   bool
	}
	var cands []cand
	var spans []span
	for i := range rt.Routes {
		r := &rt.Routes[i]
		if r.Destination != "" {
			if s, ok := parseSpan(r.Destination); ok && s.f == f {
				cands = append(cands, cand{r, s, s.bits(), false})
				spans = append(spans, s)
			}
			continue
		}
		if pl := pls(r.PrefixListID); pl != nil {
			for _, e := range pl.Entries {
				if s, ok := parseSpan(e.CIDR); ok && s.f == f {
					cands = append(cands, cand{r, s, s.bits(), true})
					spans = append(spans, s)
				}
			}
		}
	}
	return build(f, spans, func(a u128) routeVal {
		var best *cand
		for i := range cands {
			c := &cands[i]
			if !c.s.contains(a) {
				continue
			}
			if best == nil || c.bits > best.bits || c.bits == best.bits && best.pl && !c.pl {
				best = c
			}
		}
		if best == nil {
			return routeVal{why: "no route matches the source"}
		}
		r := best.r
		v := routeVal{route: r, dest: cmpOr(r.Destination, r.PrefixListID)}
		switch {
		case r.State == inventory.RouteStateBlackhole || r.TargetKind == inventory.RouteBlackhole:
			v.why = "the route " + v.dest + " is a blackhole"
		case r.TargetKind == inventory.RouteInternetGateway && r.TargetID == igw && igw != "":
			v.toIGW = true
			v.hop = "route " + v.dest + " to " + igw
		case r.TargetKind == inventory.RouteInternetGateway:
			v.why = "the route " + v.dest + " goes to " + r.TargetID + ", which is not attached to the VPC"
		default:
			v.why = "the route " + v.dest + " goes to " + string(r.TargetKind) + " " + cmpOr(r.TargetID, "(no target)") + ", not to an internet gateway"
			switch r.TargetKind {
			case inventory.RouteVPCEndpoint, inventory.RouteNetworkInterface, inventory.RouteInstance, inventory.RouteOther:
				// A firewall or Gateway Load Balancer endpoint, an appliance
				// or a carrier gateway may hand the packet on to the
				// internet: inspection paths are not modelled.
				v.unsure = "route table " + rt.ID + " sends " + v.dest + " to " + string(r.TargetKind) + " " + r.TargetID +
					", which may forward to the internet (appliance and endpoint paths are not modelled)"
			}
		}
		return v
	})
}

func cmpOr(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// describeEntry is a NACL entry in a few words.
func describeEntry(e *inventory.NACLEntry, proto string) string {
	if e == nil || e.RuleNumber == inventory.NACLDefaultRuleNumber {
		return "rule * (deny all)"
	}
	what := "all traffic"
	switch {
	case e.Protocol == inventory.NACLProtocolAll:
	case e.Protocol == "6" || e.Protocol == "17":
		what = proto + " " + portText(e.FromPort, e.ToPort)
	default:
		what = proto
		if e.ICMPType >= 0 {
			what += " type " + strconv.Itoa(e.ICMPType)
		}
	}
	return fmt.Sprintf("rule %d (%s %s %s)", e.RuleNumber, e.Action, what, e.CIDR)
}

func portText(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + "-" + strconv.Itoa(hi)
}

// ruleRef is what a grant keeps of its rule: enough to name it on a path
// and to match a group reference. A whole inventory.Rule is ~200 bytes a
// grant, and a group's rules are parsed into grants for every protocol.
type ruleRef struct {
	ID, Protocol     string
	FromPort, ToPort int
	// Peer is the CIDR, prefix list id or group id; GroupID the last.
	Peer, GroupID string
}

func refOf(r inventory.Rule) ruleRef {
	return ruleRef{ID: r.ID, Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort,
		Peer: cmpOr(r.Peer.CIDR, r.Peer.PrefixListID, r.Peer.GroupID), GroupID: r.Peer.GroupID}
}

// sgBuf holds the buffers of sgAdmit for one worker: the per-interface
// group-set map is the one map not shared between interfaces, so its
// buffers are reused instead of allocated per interface.
type sgBuf struct {
	spans     []span
	mine      []*grant
	und, rest ranges
	arena     []pseg // the segments of every map built since reset
	m         amap[[]pseg]
}

// reset forgets the segments of the previous interface.
func (b *sgBuf) reset() { b.arena = b.arena[:0] }

// admit is sgAdmit into b: the map it returns is valid until the next
// admit, its segments until reset.
func (b *sgBuf) admit(grants []*grant, f fam) *amap[[]pseg] {
	b.spans, b.mine = b.spans[:0], b.mine[:0]
	for _, g := range grants {
		if g.span.f == f {
			b.spans = append(b.spans, g.span)
			b.mine = append(b.mine, g)
		}
	}
	b.m.cuts = cutsOf(f, b.spans, b.m.cuts)
	b.m.vals = slices.Grow(b.m.vals[:0], len(b.m.cuts))[:len(b.m.cuts)]
	und, rest := b.und, b.rest
	for i, a := range b.m.cuts {
		und = append(und[:0], [2]int{0, portMax})
		start := len(b.arena)
		for _, g := range b.mine {
			if !g.span.contains(a) {
				continue
			}
			rest = rest[:0]
			for _, r := range und {
				if r[1] < g.lo || r[0] > g.hi {
					rest = append(rest, r)
					continue
				}
				x, y := max(r[0], g.lo), min(r[1], g.hi)
				b.arena = append(b.arena, pseg{lo: x, hi: y, allow: true, grant: g})
				if r[0] < x {
					rest = append(rest, [2]int{r[0], x - 1})
				}
				if y < r[1] {
					rest = append(rest, [2]int{y + 1, r[1]})
				}
			}
			und, rest = rest, und
			if len(und) == 0 {
				break
			}
		}
		b.m.vals[i] = sortSegs(b.arena[start:len(b.arena):len(b.arena)])
	}
	b.und, b.rest = und, rest
	return &b.m
}
