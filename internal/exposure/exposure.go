// Package exposure computes, for every network interface with a public IP,
// which protocols and ports the world can reach. EC2 allows a packet when
// any rule of any group on the interface allows it, so an interface is
// judged on the union of the ingress rules of all its groups, not group by
// group as the Rego checks do.
//
// "The world" is what policies/lib/net.rego and docs/architecture.md §5 call it:
// 0.0.0.0/0, ::/0 (any /0), a managed prefix list that holds either, and
// CIDRs that together cover the whole IPv4 or IPv6 space on the same
// protocol and port (0.0.0.0/1 + 128.0.0.0/1). Here the union runs over all
// the interface's groups, and prefix lists are expanded into their CIDRs
// and join that union like any other CIDR.
//
// Representation: one findings.ExposedPort per protocol and maximal port
// range through which the world gets in by the same groups and peers.
// Protocol all is reported once as "all" 0-65535; tcp and udp as port
// ranges; icmp, icmpv6 and numbered protocols (47, GRE) as -1/-1, since
// they have no ports. Peers are the blocks that make the range world-open,
// not every peer allowed: a CIDR inside a wider one (10.0.0.0/8 beside
// 0.0.0.0/0) and a family that does not cover its space (2001:db8::/32
// alone) are left out, so each listed group is one that opens the port.
package exposure

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// key identifies a group, prefix list or interface: ids are unique only
// within an account and region.
type key struct{ account, region, id string }

// grant is what one ingress rule (or one entry of a prefix-list rule) lets
// in: a protocol, a range in that protocol's own space (see rangeOf), and a
// source block.
type grant struct {
	proto  string
	lo, hi int
	span   span
	peer   string // the CIDR as written, or the prefix list id
	pl     bool   // peer is a prefix list
	group  string
}

// Compute returns, for every network interface with a public IP, what the
// world can reach through the union of the ingress rules of all the groups
// it carries (EC2 allows the union). Interfaces the world cannot reach on
// any port are left out. The result is sorted by (account, region,
// interface id), each interface's ports by protocol (all, tcp, udp, icmp,
// icmpv6, then protocol numbers) and range; it never depends on the order
// of the inventory's lists.
//
// NetworkInterfaces is authoritative: an interface's groups are its
// GroupIDs, looked up by (account, region, id), and its public IP is its
// PublicIP. Only an interface it does not list (exported
// describe-security-groups data), or lists without group ids, takes them
// from the groups' Attachments. Groups absent from the inventory are
// skipped: their rules are unknown, and nothing is assumed about them.
//
// Cost is linear in the rules of the groups on public interfaces: groups and
// prefix lists are indexed once, each group's rules are parsed once, and
// interfaces with the same group set share one computation.
func Compute(inv *inventory.Inventory, services []Service) []findings.Exposure {
	if inv == nil {
		return []findings.Exposure{}
	}
	c := newComputer(inv, services)
	public := c.publicInterfaces()
	out := make([]findings.Exposure, 0, len(public))
	for _, it := range public {
		ports, shared := c.portsFor(it.groups)
		if len(ports) == 0 {
			continue
		}
		if shared {
			// Exposures never share slices: a caller may sort or edit one
			// interface's ports without touching another's.
			ports = clonePorts(ports)
		}
		out = append(out, findings.Exposure{
			AccountID:          it.key.account,
			Region:             it.key.region,
			NetworkInterfaceID: it.key.id,
			InterfaceType:      it.typ,
			PublicIP:           it.publicIP,
			Resource:           it.resource,
			Ports:              ports,
		})
	}
	slices.SortFunc(out, func(a, b findings.Exposure) int {
		return cmp.Or(
			cmp.Compare(a.AccountID, b.AccountID),
			cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID),
		)
	})
	return out
}

// computer holds the indexes one Compute call builds once.
type computer struct {
	inv         *inventory.Inventory
	cat         catalogue
	groups      map[key]int // -> index in inv.SecurityGroups
	prefixLists map[key]*inventory.PrefixList
	grants      [][]grant // per group, parsed on first use
	parsed      []bool
	// bySet caches the ports of a group set, keyed by its sorted indices:
	// instances of one auto scaling group share their groups.
	bySet map[string][]findings.ExposedPort
	names map[portKey][]string
	arena []grant // the current chunk that grants are stored in
	// Buffers reused across interfaces.
	parse    []grant
	key      []byte
	gathered []grant
	rules    []grant
	sw       sweeper
}

func newComputer(inv *inventory.Inventory, services []Service) *computer {
	c := &computer{
		inv:         inv,
		cat:         catalogue(services),
		groups:      make(map[key]int, len(inv.SecurityGroups)),
		prefixLists: make(map[key]*inventory.PrefixList, len(inv.PrefixLists)),
		grants:      make([][]grant, len(inv.SecurityGroups)),
		parsed:      make([]bool, len(inv.SecurityGroups)),
		bySet:       map[string][]findings.ExposedPort{},
		names:       map[portKey][]string{},
	}
	for i, g := range inv.SecurityGroups {
		c.groups[key{g.AccountID, g.Region, g.ID}] = i
	}
	for i := range inv.PrefixLists {
		pl := &inv.PrefixLists[i]
		c.prefixLists[key{pl.AccountID, pl.Region, pl.ID}] = pl
	}
	return c
}

// iface is an interface with the indices of its groups.
type iface struct {
	key                     key
	typ, publicIP, resource string
	groups                  []int
	// authoritative is set when NetworkInterfaces listed group ids for it;
	// attachments then add nothing.
	authoritative bool
}

// notPublic marks, in publicInterfaces' index, an interface that
// NetworkInterfaces lists without a public IP.
const notPublic = -1

// publicInterfaces merges NetworkInterfaces with the groups' Attachments
// and keeps those with a public IP. NetworkInterfaces is authoritative:
// an interface it lists without a public IP stays private whatever an
// attachment says, and one it lists with group ids keeps exactly those.
// Attachments only complete what it lacks (an interface it does not list,
// as in exported describe-security-groups data, or one without group ids).
func (c *computer) publicInterfaces() []iface {
	byKey := make(map[key]int, len(c.inv.NetworkInterfaces))
	public := 0
	for _, n := range c.inv.NetworkInterfaces {
		if n.PublicIP != "" {
			public++
		}
	}
	list := make([]iface, 0, public)
	for _, n := range c.inv.NetworkInterfaces {
		k := key{n.AccountID, n.Region, n.ID}
		ip := strings.TrimSpace(n.PublicIP)
		i, seen := byKey[k]
		if !seen || i == notPublic {
			if ip == "" {
				byKey[k] = notPublic
				continue
			}
			i = len(list)
			byKey[k] = i
			list = append(list, iface{key: k})
		}
		it := &list[i]
		it.typ = cmp.Or(it.typ, n.Type)
		it.publicIP = cmp.Or(it.publicIP, ip)
		it.resource = cmp.Or(it.resource, n.Resource)
		for _, id := range n.GroupIDs {
			it.authoritative = true
			if gi, ok := c.groups[key{n.AccountID, n.Region, id}]; ok {
				it.groups = append(it.groups, gi)
			}
		}
	}
	for gi, g := range c.inv.SecurityGroups {
		for _, a := range g.Attachments {
			k := key{g.AccountID, g.Region, a.NetworkInterfaceID}
			i, seen := byKey[k]
			if seen && i == notPublic {
				continue
			}
			if !seen {
				i = len(list)
				byKey[k] = i
				list = append(list, iface{key: k})
			}
			it := &list[i]
			it.typ = cmp.Or(it.typ, a.InterfaceType)
			it.publicIP = cmp.Or(it.publicIP, strings.TrimSpace(a.PublicIP))
			it.resource = cmp.Or(it.resource, a.Resource)
			if !it.authoritative {
				it.groups = append(it.groups, gi)
			}
		}
	}
	out := list[:0]
	for _, it := range list {
		if it.publicIP == "" || len(it.groups) == 0 {
			continue
		}
		slices.Sort(it.groups)
		it.groups = slices.Compact(it.groups)
		out = append(out, it)
	}
	return out
}

// groupGrants parses a group's ingress rules into grants once. Only CIDR
// and prefix-list peers can be the world: a security-group peer admits
// only the interfaces carrying that group.
func (c *computer) groupGrants(gi int) []grant {
	if c.parsed[gi] {
		return c.grants[gi]
	}
	c.parsed[gi] = true
	g := &c.inv.SecurityGroups[gi]
	out := c.parse[:0]
	for _, r := range g.Rules.All() {
		if r.Direction != inventory.Ingress {
			continue
		}
		proto := normProtocol(r.Protocol)
		lo, hi, ok := rangeOf(proto, r.FromPort, r.ToPort)
		if !ok {
			continue
		}
		switch r.Peer.Kind {
		case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
			if s, ok := parseSpan(r.Peer.CIDR); ok {
				out = append(out, grant{proto: proto, lo: lo, hi: hi, span: s, peer: strings.TrimSpace(r.Peer.CIDR), group: g.ID})
			}
		case inventory.PeerPrefixList:
			// A prefix list not in the inventory cannot be judged; it is
			// not assumed to be the world.
			pl := c.prefixLists[key{g.AccountID, g.Region, r.Peer.PrefixListID}]
			if pl == nil {
				continue
			}
			for _, e := range pl.Entries {
				if s, ok := parseSpan(e.CIDR); ok {
					out = append(out, grant{proto: proto, lo: lo, hi: hi, span: s, peer: pl.ID, pl: true, group: g.ID})
				}
			}
		}
	}
	c.parse = out
	c.grants[gi] = c.store(out)
	return c.grants[gi]
}

// arenaChunk is how many grants one arena allocation holds: groups' grants
// are copied into shared chunks instead of one small slice per group,
// which at 100k groups is most of the allocations.
const arenaChunk = 4096

// store copies grants into the arena and returns the stored slice (capped,
// so an append by a caller can never write into a neighbour's grants).
func (c *computer) store(gs []grant) []grant {
	if len(gs) == 0 {
		return nil
	}
	if len(gs) > cap(c.arena)-len(c.arena) {
		c.arena = make([]grant, 0, max(arenaChunk, len(gs)))
	}
	start := len(c.arena)
	c.arena = append(c.arena, gs...)
	return c.arena[start:len(c.arena):len(c.arena)]
}

// normProtocol accepts what the inventory normalises to (tcp, udp, icmp,
// icmpv6, all, a number) and also the raw EC2 forms, so a hand-written
// inventory with "-1" or "6" is read the same.
func normProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "-1":
		return inventory.ProtocolAll
	case "6":
		return inventory.ProtocolTCP
	case "17":
		return inventory.ProtocolUDP
	case "1":
		return inventory.ProtocolICMP
	case "58":
		return inventory.ProtocolICMPv6
	}
	return p
}

// hasPorts reports whether a protocol selects ports.
func hasPorts(proto string) bool {
	return proto == inventory.ProtocolTCP || proto == inventory.ProtocolUDP
}

// spaceMax is the last position of a protocol's own space: ports for tcp
// and udp (and all), ICMP types for icmp/icmpv6, and a single point for
// protocols without ports.
func spaceMax(proto string) int {
	switch proto {
	case inventory.ProtocolTCP, inventory.ProtocolUDP, inventory.ProtocolAll:
		return 65535
	case inventory.ProtocolICMP, inventory.ProtocolICMPv6:
		return 255
	}
	return 0
}

// rangeOf maps a rule's from/to ports into its protocol's space. For ICMP
// from_port is the type (to_port is the code, which does not change what
// is reachable at the granularity reported): -1 is every type. A tcp or
// udp rule with -1 ports, which EC2 does not produce, is read as every
// port rather than dropped, so nothing open is missed.
func rangeOf(proto string, from, to int) (lo, hi int, ok bool) {
	top := spaceMax(proto)
	switch proto {
	case inventory.ProtocolAll:
		return 0, top, true
	case inventory.ProtocolTCP, inventory.ProtocolUDP:
		if to < 0 || to > top {
			to = top
		}
		from = max(from, 0)
		return from, to, from <= to
	case inventory.ProtocolICMP, inventory.ProtocolICMPv6:
		if from < 0 {
			return 0, top, true
		}
		return from, from, from <= top
	}
	return 0, 0, true
}

// portsFor returns the world-open ports of a group set (sorted, deduped
// group indices), computed once per distinct set. The second result is
// true when the ports come from the cache, i.e. another interface already
// holds them.
func (c *computer) portsFor(groups []int) ([]findings.ExposedPort, bool) {
	c.key = c.key[:0]
	for _, gi := range groups {
		c.key = strconv.AppendInt(c.key, int64(gi), 36)
		c.key = append(c.key, ',')
	}
	if ports, ok := c.bySet[string(c.key)]; ok {
		return ports, true
	}
	// Gather the set's grants, ordered by protocol, protocol all first.
	gathered := c.gathered[:0]
	for _, gi := range groups {
		gathered = append(gathered, c.groupGrants(gi)...)
	}
	slices.SortStableFunc(gathered, func(a, b grant) int { return inventory.CompareProtocols(a.proto, b.proto) })
	c.gathered = gathered
	nAll := 0
	for nAll < len(gathered) && gathered[nAll].proto == inventory.ProtocolAll {
		nAll++
	}
	all := gathered[:nAll]
	var ports []findings.ExposedPort
	if nAll > 0 {
		ports = c.protocolPorts(ports, inventory.ProtocolAll, all)
	}
	for i := nAll; i < len(gathered); {
		j := i + 1
		for j < len(gathered) && gathered[j].proto == gathered[i].proto {
			j++
		}
		// Protocol all admits this protocol too, so its rules join the
		// union (0.0.0.0/1 for all + 128.0.0.0/1 for tcp 22 opens tcp 22).
		c.rules = append(append(c.rules[:0], gathered[i:j]...), all...)
		ports = c.protocolPorts(ports, gathered[i].proto, c.rules)
		i = j
	}
	c.bySet[string(c.key)] = ports
	return ports, false
}

// segment is a maximal range of one protocol through which the same
// contributors let the world in.
type segment struct {
	lo, hi int
	groups []string
	peers  []string
}

// protocolPorts appends the world-open ranges of one protocol (or of
// protocol all), given every grant that admits it.
func (c *computer) protocolPorts(out []findings.ExposedPort, proto string, rules []grant) []findings.ExposedPort {
	segs := c.sw.worldSegments(proto, rules)
	if len(segs) == 0 {
		return out
	}
	if !hasPorts(proto) {
		// all is one range already; icmp, icmpv6 and numbered protocols
		// are reported without ports, so their ranges (ICMP types) fold
		// into one entry naming everything that opens any of them.
		segs = []segment{foldSegments(segs)}
	}
	for _, s := range segs {
		from, to := s.lo, s.hi
		switch {
		case proto == inventory.ProtocolAll:
			from, to = 0, 65535
		case !hasPorts(proto):
			from, to = -1, -1
		}
		out = append(out, findings.ExposedPort{
			Protocol: proto,
			FromPort: from,
			ToPort:   to,
			Services: c.services(proto, from, to),
			GroupIDs: s.groups,
			Peers:    s.peers,
		})
	}
	return out
}

// services memoises catalogue lookups: the same few ranges (tcp 443, tcp
// 22) recur on most interfaces. Each caller gets its own copy.
func (c *computer) services(proto string, from, to int) []string {
	k := portKey{proto, from, to}
	names, ok := c.names[k]
	if !ok {
		names = c.cat.names(proto, from, to)
		c.names[k] = names
	}
	return slices.Clone(names)
}

type portKey struct {
	proto    string
	from, to int
}

// sweeper holds the buffers of one sweep, reused from interface to
// interface so the per-interface cost is the work, not the allocations.
type sweeper struct {
	partial  []span
	active   []grant
	bounds   []int
	covering []grant
	spans    []span
	idx      []int
	fam      []span
	contrib  []grant
}

// worldSegments sweeps a protocol's space and returns, merged, the ranges
// where the grants admitting them make up the world, with the groups and
// peers that do. A protocol-all grant spans the whole space of proto.
func (w *sweeper) worldSegments(proto string, rules []grant) []segment {
	top := spaceMax(proto)
	// A block narrower than /0 matters only if, with the other narrow
	// blocks of its family, it can cover that family's space on some port.
	// If even their union over every port cannot, drop them all: the
	// common case (10.0.0.0/8 rules) then costs nothing below.
	var usePartial [2]bool
	for f := range 2 {
		w.partial = w.partial[:0]
		for _, r := range rules {
			if family(r.span) == f && !r.span.isWorld() {
				w.partial = append(w.partial, r.span)
			}
		}
		usePartial[f] = len(w.partial) > 1 && coversFamily(w.partial, f == 1)
	}
	w.active = w.active[:0]
	for _, r := range rules {
		if r.span.isWorld() || usePartial[family(r.span)] {
			if r.proto == inventory.ProtocolAll {
				r.lo, r.hi = 0, top
			}
			r.lo, r.hi = max(r.lo, 0), min(r.hi, top)
			if r.lo <= r.hi {
				w.active = append(w.active, r)
			}
		}
	}
	if len(w.active) == 0 {
		return nil
	}
	w.bounds = w.bounds[:0]
	for _, r := range w.active {
		w.bounds = append(w.bounds, r.lo, r.hi+1)
	}
	slices.Sort(w.bounds)
	w.bounds = slices.Compact(w.bounds)

	var out []segment
	for i, b := range w.bounds {
		if b > top {
			break
		}
		end := top
		if i+1 < len(w.bounds) {
			end = w.bounds[i+1] - 1
		}
		w.covering = w.covering[:0]
		for _, r := range w.active {
			if r.lo <= b && b <= r.hi {
				w.covering = append(w.covering, r)
			}
		}
		if !w.judge(w.covering, usePartial) {
			continue
		}
		// Where only protocol-all rules open the point, the "all" entry
		// already says so; repeating it per protocol is noise.
		if !ownContribution(proto, w.contrib) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].hi+1 == b && sameContributors(out[n-1], w.contrib) {
			out[n-1].hi = end
			continue
		}
		s := describe(w.contrib)
		s.lo, s.hi = b, end
		out = append(out, s)
	}
	return out
}

func family(s span) int {
	if s.v6 {
		return 1
	}
	return 0
}

// judge decides whether the grants covering one point of the space admit
// the world, per address family, and leaves in w.contrib the grants whose
// blocks do (the maximal ones of each family that is covered).
func (w *sweeper) judge(covering []grant, usePartial [2]bool) bool {
	w.contrib = w.contrib[:0]
	w.spans = slices.Grow(w.spans[:0], len(covering))[:len(covering)]
	for i, r := range covering {
		w.spans[i] = r.span
	}
	for f := range 2 {
		w.idx = w.idx[:0]
		world := false
		for i, r := range covering {
			if family(r.span) == f {
				w.idx = append(w.idx, i)
				world = world || r.span.isWorld()
			}
		}
		if len(w.idx) == 0 {
			continue
		}
		if !world {
			if !usePartial[f] {
				continue
			}
			w.fam = w.fam[:0]
			for _, i := range w.idx {
				w.fam = append(w.fam, w.spans[i])
			}
			if !coversFamily(w.fam, f == 1) {
				continue
			}
		}
		for _, i := range maximal(w.spans, w.idx) {
			w.contrib = append(w.contrib, covering[i])
		}
	}
	return len(w.contrib) > 0
}

// ownContribution reports whether a rule of proto itself (not only
// protocol all) opens the point.
func ownContribution(proto string, contrib []grant) bool {
	return slices.ContainsFunc(contrib, func(g grant) bool { return g.proto == proto })
}

// sameContributors reports whether contrib names exactly the groups and
// peers of s, so the point extends s rather than starting a new range.
func sameContributors(s segment, contrib []grant) bool {
	for _, g := range contrib {
		if !slices.Contains(s.groups, g.group) || !slices.Contains(s.peers, g.peer) {
			return false
		}
	}
	// Every contributor is in s; s has nothing more if the distinct counts match.
	return countDistinct(contrib, func(g grant) string { return g.group }) == len(s.groups) &&
		countDistinct(contrib, func(g grant) string { return g.peer }) == len(s.peers)
}

func countDistinct(gs []grant, f func(grant) string) int {
	n := 0
	for i, g := range gs {
		v := f(g)
		if !slices.ContainsFunc(gs[:i], func(h grant) bool { return f(h) == v }) {
			n++
		}
	}
	return n
}

// describe turns contributing grants into sorted, unique group ids and
// peers: CIDRs by family and address, then prefix lists by id.
func describe(contrib []grant) segment {
	slices.SortFunc(contrib, func(a, b grant) int {
		return cmp.Or(compareBool(a.pl, b.pl), comparePeer(a, b), cmp.Compare(a.peer, b.peer))
	})
	s := segment{}
	for _, g := range contrib {
		s.groups = append(s.groups, g.group)
		if n := len(s.peers); n == 0 || s.peers[n-1] != g.peer {
			s.peers = append(s.peers, g.peer)
		}
	}
	slices.Sort(s.groups)
	s.groups = slices.Compact(s.groups)
	return s
}

// comparePeer orders CIDR peers by block; prefix lists sort by id only
// (their entries' blocks say nothing about the list's name).
func comparePeer(a, b grant) int {
	if a.pl {
		return 0
	}
	return compareSpans(a.span, b.span)
}

// foldSegments merges every segment of a port-less protocol into one.
func foldSegments(segs []segment) segment {
	if len(segs) == 1 {
		return segs[0]
	}
	out := segment{lo: segs[0].lo, hi: segs[len(segs)-1].hi}
	for _, s := range segs {
		out.groups = append(out.groups, s.groups...)
		out.peers = append(out.peers, s.peers...)
	}
	slices.Sort(out.groups)
	out.groups = slices.Compact(out.groups)
	out.peers = sortPeerTexts(out.peers)
	return out
}

// sortPeerTexts sorts peer labels the way describe orders them (CIDRs by
// block, then prefix lists), removing repeats.
func sortPeerTexts(peers []string) []string {
	type p struct {
		text string
		s    span
		pl   bool
	}
	ps := make([]p, 0, len(peers))
	for _, t := range peers {
		s, ok := parseSpan(t)
		ps = append(ps, p{t, s, !ok || strings.HasPrefix(t, "pl-")})
	}
	slices.SortFunc(ps, func(a, b p) int {
		c := compareBool(a.pl, b.pl)
		if c == 0 && !a.pl {
			c = compareSpans(a.s, b.s)
		}
		return cmp.Or(c, cmp.Compare(a.text, b.text))
	})
	out := make([]string, 0, len(ps))
	for _, x := range ps {
		if n := len(out); n == 0 || out[n-1] != x.text {
			out = append(out, x.text)
		}
	}
	return out
}

// clonePorts deep-copies ports.
func clonePorts(ports []findings.ExposedPort) []findings.ExposedPort {
	out := make([]findings.ExposedPort, len(ports))
	for i, p := range ports {
		p.Services = slices.Clone(p.Services)
		p.GroupIDs = slices.Clone(p.GroupIDs)
		p.Peers = slices.Clone(p.Peers)
		out[i] = p
	}
	return out
}
