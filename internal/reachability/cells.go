package reachability

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// self stands for the interface's own id in cached verdicts, which
// interfaces with the same subnet and groups share.
const self = "\x00self"

// cache holds the amaps of one worker: each route table, NACL and group
// set is evaluated once per worker, however many interfaces use it.
type cache struct {
	rt     map[rtKey]*amap[routeVal]
	in     map[aclKey]*amap[[]pseg]
	out    map[aclKey]*amap[retVal]
	groups map[*inventory.SecurityGroup]*parsed
	places map[placeKey]*amap[netVal]
	cells  []cell // reused from interface to interface
	// summarise's buffers
	sumCells  []*cell
	sumActive []*cell
	sumBounds []int
	sumKeys   []blockKey
	sgb       sgBuf
	resolved  map[key]*resolvedPlace // by subnet
	ps        []*parsed              // the current interface's groups
	gbuf      []*grant               // their grants for one protocol
	prev, cur []int                  // cells' buffers
	yes, no   []span                 // unreached's buffers
	diff      []span
	sumBlocks []Block // activeBlocks' buffer
	ports     []Port  // summarise's
	cidrText  map[cidrKey]string
}

type resolvedPlace struct {
	pl     place
	reason string
	maps   [4][2]*amap[netVal] // placeMap by protocol index and family
}

type rtKey struct {
	rt *inventory.RouteTable
	f  fam
}

type aclKey struct {
	acl   *inventory.NetworkACL
	f     fam
	proto string
}

type gsVal struct {
	grants []*grant // into the groups' parsed rules: stable while the cache lives
	refs   []*grant // rules whose peer is a security group
	reason string
}

func newCache() *cache {
	return &cache{rt: map[rtKey]*amap[routeVal]{}, in: map[aclKey]*amap[[]pseg]{}, out: map[aclKey]*amap[retVal]{},
		groups: map[*inventory.SecurityGroup]*parsed{}, places: map[placeKey]*amap[netVal]{}, resolved: map[key]*resolvedPlace{},
		cidrText: map[cidrKey]string{}}
}

func (c *cache) naclIn(acl *inventory.NetworkACL, f fam, proto string) *amap[[]pseg] {
	k := aclKey{acl, f, proto}
	m, ok := c.in[k]
	if !ok {
		m = naclIn(acl, f, proto)
		c.in[k] = m
	}
	return m
}

func (c *cache) naclOut(acl *inventory.NetworkACL, f fam, proto string) *amap[retVal] {
	k := aclKey{acl, f, proto}
	m, ok := c.out[k]
	if !ok {
		m = naclOut(acl, f, proto)
		c.out[k] = m
	}
	return m
}

// parsed is one group's ingress rules as grants, per protocol.
type parsed struct {
	grants [4][]grant
	refs   [4][]grant // rules whose peer is a security group
	reason string     // a prefix list it names is missing
}

func protoIndex(p string) int { return slices.Index(Protocols, p) }

// group parses a group's rules once per worker: groups are shared by many
// interfaces, group sets mostly are not.
func (a *Analyzer) group(c *cache, g *inventory.SecurityGroup) *parsed {
	if a.parsed != nil {
		if p := a.parsed[g]; p != nil {
			return p
		}
	}
	if p, ok := c.groups[g]; ok {
		return p
	}
	p := a.parseGroup(g, nil)
	return p
}

// parseScratch holds parseGroup's per-protocol buffers, reused from group
// to group by one goroutine.
type parseScratch struct{ grants, refs [4][]grant }

// parseGroup turns a group's ingress rules into grants per protocol. The
// grants of every protocol share one exactly sized array, and the grants
// of a rule one ruleRef: parsed groups live as long as the analysis and
// the collector marks them in every cycle.
func (a *Analyzer) parseGroup(g *inventory.SecurityGroup, sc *parseScratch) *parsed {
	if sc == nil {
		sc = &parseScratch{}
	}
	for pi := range sc.grants {
		sc.grants[pi], sc.refs[pi] = sc.grants[pi][:0], sc.refs[pi][:0]
	}
	p := &parsed{}
	n := 0
	for _, r := range g.Rules.All() {
		if r.Direction == inventory.Ingress {
			n++
		}
	}
	refs := make([]ruleRef, 0, n)
	for _, r := range g.Rules.All() {
		if r.Direction != inventory.Ingress {
			continue
		}
		refs = append(refs, refOf(r))
		ref := &refs[len(refs)-1]
		for pi, proto := range Protocols {
			lo, hi, ok := sgRange(r, proto)
			if !ok {
				continue
			}
			switch r.Peer.Kind {
			case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
				if s, ok := parseSpan(r.Peer.CIDR); ok {
					sc.grants[pi] = append(sc.grants[pi], grant{group: g.ID, rule: ref, span: s, lo: lo, hi: hi})
				}
			case inventory.PeerPrefixList:
				pl := a.prefix[key{g.AccountID, g.Region, r.Peer.PrefixListID}]
				if pl == nil {
					p.reason = "prefix list " + r.Peer.PrefixListID + " of group " + g.ID + " is not in the inventory"
					continue
				}
				for _, e := range pl.Entries {
					if s, ok := parseSpan(e.CIDR); ok {
						sc.grants[pi] = append(sc.grants[pi], grant{group: g.ID, rule: ref, span: s, lo: lo, hi: hi})
					}
				}
			case inventory.PeerSecurityGroup:
				sc.refs[pi] = append(sc.refs[pi], grant{group: g.ID, rule: ref, lo: lo, hi: hi})
			}
		}
	}
	total := 0
	for pi := range sc.grants {
		total += len(sc.grants[pi]) + len(sc.refs[pi])
	}
	all := make([]grant, 0, total)
	for pi := range sc.grants {
		if len(sc.grants[pi]) > 0 {
			all = append(all, sc.grants[pi]...)
			p.grants[pi] = all[len(all)-len(sc.grants[pi]) : len(all) : len(all)]
		}
		if len(sc.refs[pi]) > 0 {
			all = append(all, sc.refs[pi]...)
			p.refs[pi] = all[len(all)-len(sc.refs[pi]) : len(all) : len(all)]
		}
	}
	return p
}

// groupGrants returns the ingress grants of a group set for proto (in
// group, rule order), and why they cannot be known when a group or prefix
// list is missing.
func (a *Analyzer) groupGrants(c *cache, acct, region string, ids []string, proto string) gsVal {
	var v gsVal
	pi := protoIndex(proto)
	for _, id := range ids {
		g := a.groups[key{acct, region, id}]
		if g == nil {
			v.reason = "security group " + id + " is not in the inventory"
			return v
		}
		p := a.group(c, g)
		if p.reason != "" {
			v.reason = p.reason
			return v
		}
		for i := range p.grants[pi] {
			v.grants = append(v.grants, &p.grants[pi][i])
		}
		for i := range p.refs[pi] {
			v.refs = append(v.refs, &p.refs[pi][i])
		}
	}
	return v
}

func (a *Analyzer) sgMap(c *cache, acct, region string, ids []string, proto string, f fam) (*amap[[]pseg], gsVal) {
	v := a.groupGrants(c, acct, region, ids, proto)
	return sgAdmit(v.grants, f), v
}

// hasFamily reports whether any grant is of family f.
func hasFamily(gs []*grant, f fam) bool {
	for i := range gs {
		if gs[i].span.f == f {
			return true
		}
	}
	return false
}

func (a *Analyzer) routes(c *cache, rt *inventory.RouteTable, f fam, igw string) *amap[routeVal] {
	k := rtKey{rt, f}
	m, ok := c.rt[k]
	if !ok {
		m = routeMap(rt, f, igw, func(id string) *inventory.PrefixList { return a.prefix[key{rt.AccountID, rt.Region, id}] })
		c.rt[k] = m
	}
	return m
}

// place is a subnet with what applies to it.
type place struct {
	subnet    *inventory.Subnet
	rt        *inventory.RouteTable
	acl       *inventory.NetworkACL
	igw       string
	igwDetail string // "attached to vpc-...", for paths
}

// publicDetail is the interface's hop on a public path, by family.
var publicDetail = [2]string{"public IPv4 address", "public IPv6 address"}

// resolve finds a subnet's route table (explicit association, else the
// VPC's main table) and network ACL, or says what is missing.
func (a *Analyzer) resolve(acct, region, subnetID string) (place, string) {
	k := key{acct, region, subnetID}
	s := a.subnets[k]
	if s == nil {
		return place{}, "subnet " + cmpOr(subnetID, "(none)") + " is not in the inventory"
	}
	p := place{subnet: s, igw: a.igws[key{acct, region, s.VPCID}], igwDetail: "attached to " + s.VPCID}
	p.rt = a.rtbSubnet[k]
	if p.rt == nil && s.RouteTableID != "" {
		p.rt = a.rtbs[key{acct, region, s.RouteTableID}]
	}
	if p.rt == nil {
		p.rt = a.rtbMain[key{acct, region, s.VPCID}]
	}
	if p.rt == nil {
		return p, "no route table of subnet " + s.ID + " (nor a main route table of " + s.VPCID + ") is in the inventory"
	}
	p.acl = a.aclSubnet[k]
	if p.acl == nil && s.NetworkACLID != "" {
		p.acl = a.acls[key{acct, region, s.NetworkACLID}]
	}
	if p.acl == nil {
		return p, "the network ACL of subnet " + s.ID + " is not in the inventory"
	}
	for _, r := range p.rt.Routes {
		if r.PrefixListID != "" && a.prefix[key{acct, region, r.PrefixListID}] == nil {
			return p, "prefix list " + r.PrefixListID + " of route table " + p.rt.ID + " is not in the inventory"
		}
	}
	return p, ""
}

// cell is one verdict, constant on a port range of a protocol and a range
// of source addresses, for one entry.
type cell struct {
	proto  string
	lo, hi int
	f      fam
	alo    u128
	ahi    u128
	reach  bool
	seq    int // generation order: the first reaching cell gives the path
	pub    *pubCtx
	rv     *routeVal
	in     *pseg // into the maps, which outlive the cells
	out    *retVal
	sg     *pseg
	lb     *lbCell
	// unsure says why a cell not reached may still be: the only test
	// failing is a route to an appliance or endpoint (routeVal.unsure).
	unsure string
}

// pubCtx is what the public-address entry of one interface shares.
type pubCtx struct {
	eni, vpc string
	place    place
	pub      [2]bool
}

// lbCell holds a load-balancer cell's materialised answer.
type lbCell struct {
	via    Via
	path   []Hop
	blocks []Block
}

func (c *cell) via() Via {
	if c.lb != nil {
		return c.lb.via
	}
	return Via{Kind: ViaPublicIP}
}

func (c *cell) path() []Hop {
	if c.lb != nil {
		return slices.Clone(c.lb.path)
	}
	p := c.pub
	return []Hop{
		{Kind: KindInterface, ID: p.eni, Detail: publicDetail[c.f]},
		{Kind: KindInternetGateway, ID: p.place.igw, Detail: p.place.igwDetail},
		{Kind: KindRouteTable, ID: p.place.rt.ID, Detail: c.rv.hop},
		{Kind: KindNetworkACL, ID: p.place.acl.ID, Detail: inboundDetail(c.in.desc, *c.out, c.proto)},
		{Kind: KindSecurityGroup, ID: c.sg.grant.group, Detail: describeGrant(c.sg.grant)},
	}
}

// inboundDetail is "inbound " + in + replyDetail(out, proto) in one
// allocation: it is built for every reachable port.
func inboundDetail(in string, out retVal, proto string) string {
	if !hasPorts(proto) {
		return "inbound " + in
	}
	d := out.desc
	if d == "" {
		d = describeEntry(out.entry, proto)
	}
	return "inbound " + in + "; outbound " + d + " lets the reply out"
}

func replyDetail(out retVal, proto string) string {
	if !hasPorts(proto) {
		return ""
	}
	d := out.desc
	if d == "" { // described only when the map did not: describeEntry allocates
		d = describeEntry(out.entry, proto)
	}
	return "; outbound " + d + " lets the reply out"
}

func describeGrant(g *grant) string {
	// "rule [ID] admits <protocol> <range> from <peer>", appended into one
	// buffer: it is built for every reachable port.
	var buf [128]byte
	b := append(buf[:0], "rule"...)
	if g.rule.ID != "" {
		b = append(append(b, ' '), g.rule.ID...)
	}
	b = append(append(append(b, " admits "...), g.rule.Protocol...), ' ')
	b = append(append(append(b, ruleRange(*g.rule)...), " from "...), g.rule.Peer...)
	return string(b)
}

func ruleRange(r ruleRef) string {
	if r.Protocol == inventory.ProtocolAll {
		return "all"
	}
	if r.FromPort == -1 {
		return "any"
	}
	return portText(r.FromPort, r.ToPort)
}

func (c *cell) blocks() []Block {
	if c.lb != nil {
		return c.lb.blocks
	}
	return c.appendBlocks(nil)
}

// appendBlocks appends the cell's blockers to out (a reused buffer).
func (c *cell) appendBlocks(out []Block) []Block {
	if c.lb != nil {
		return append(out, c.lb.blocks...)
	}
	p := c.pub
	if !p.pub[c.f] {
		out = append(out, Block{KindInterface, p.eni, "has no public " + c.f.String() + " address"})
	}
	if p.place.igw == "" {
		out = append(out, Block{KindVPC, p.vpc, "has no internet gateway attached"})
	}
	if !c.rv.toIGW {
		out = append(out, Block{KindRouteTable, p.place.rt.ID, c.rv.why})
	}
	if !c.in.allow {
		out = append(out, Block{KindNetworkACL, p.place.acl.ID, "inbound " + c.in.desc + " decides"})
	}
	if !c.out.ok {
		out = append(out, Block{KindNetworkACL, p.place.acl.ID, "outbound " + c.out.desc + " stops the reply to ports 1024-65535"})
	}
	return out
}

// sameCell reports whether two cells give the same answer for the same
// ports.
func sameCell(a, b *cell) bool {
	return a.proto == b.proto && a.lo == b.lo && a.hi == b.hi && a.f == b.f && a.reach == b.reach && a.rv == b.rv &&
		a.in.entry == b.in.entry && a.in.allow == b.in.allow && *a.out == *b.out && a.sg.grant == b.sg.grant
}

// netVal is what the network says for a source: where the route table
// sends it, the NACL's inbound decision over the port space and its
// outbound decision on the reply. rv is nil for a source that is not the
// internet.
type netVal struct {
	rv  *routeVal
	in  []pseg
	out retVal
}

type placeKey struct {
	rt    *inventory.RouteTable
	acl   *inventory.NetworkACL
	f     fam
	proto string
}

// placeMap merges the route table, NACL and internet maps of a place once
// per worker, joining neighbouring intervals where they say the same.
func (a *Analyzer) placeMap(c *cache, pl place, f fam, proto string) *amap[netVal] {
	k := placeKey{pl.rt, pl.acl, f, proto}
	if m, ok := c.places[k]; ok {
		return m
	}
	rt := a.routes(c, pl.rt, f, pl.igw)
	in := c.naclIn(pl.acl, f, proto)
	ou := c.naclOut(pl.acl, f, proto)
	inet := internetMaps[f]
	m := &amap[netVal]{}
	for _, start := range mergeCuts(rt.cuts, in.cuts, ou.cuts, inet.cuts) {
		var v netVal
		if inet.vals[inet.at(start)] {
			v = netVal{rv: &rt.vals[rt.at(start)], in: in.vals[in.at(start)], out: ou.vals[ou.at(start)]}
		}
		if n := len(m.vals); n > 0 {
			p := m.vals[n-1]
			if p.rv == v.rv && p.out == v.out && len(p.in) == len(v.in) && (len(p.in) == 0 || &p.in[0] == &v.in[0]) {
				continue
			}
		}
		m.cuts = append(m.cuts, start)
		m.vals = append(m.vals, v)
	}
	c.places[k] = m
	return m
}

// resolveAll resolves the subnets in need (of verifiable candidates) and
// merges every protocol's and family's place map of each once, on every
// core, before the workers share them: interfaces in random subnets would
// otherwise make each worker build most of them again. Subnets go to the
// workers in inventory order, so a VPC's subnets share a worker's route
// table and NACL maps.
func (a *Analyzer) resolveAll(need map[key]bool, workers int) {
	var subnets []key
	for i := range a.inv.Subnets {
		s := &a.inv.Subnets[i]
		if k := (key{s.AccountID, s.Region, s.ID}); need[k] {
			subnets = append(subnets, k)
		}
	}
	rs := make([]resolvedPlace, len(subnets))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c := newCache()
			for i := w * len(rs) / workers; i < (w+1)*len(rs)/workers; i++ {
				r, k := &rs[i], subnets[i]
				if r.pl, r.reason = a.resolve(k.account, k.region, k.id); r.reason != "" {
					continue
				}
				for pi, proto := range Protocols {
					for _, f := range []fam{v4, v6} {
						r.maps[pi][f] = a.placeMap(c, r.pl, f, proto)
					}
				}
			}
		})
	}
	wg.Wait()
	a.resolved = make(map[key]*resolvedPlace, len(rs))
	for i := range rs {
		a.resolved[subnets[i]] = &rs[i]
	}
}

// cells computes every cell of interface i, or why it cannot.
func (a *Analyzer) cells(c *cache, i int) ([]cell, string) {
	n := &a.inv.NetworkInterfaces[i]
	switch reason, ok := a.pairReason[pairKey{n.AccountID, n.Region}]; {
	case !ok:
		return nil, "network data not collected in " + n.AccountID + "/" + n.Region + " (no coverage row)"
	case reason != "":
		return nil, reason
	}
	sk := key{n.AccountID, n.Region, n.SubnetID}
	r, ok := a.resolved[sk]
	if !ok {
		r, ok = c.resolved[sk]
	}
	if !ok {
		r = &resolvedPlace{}
		r.pl, r.reason = a.resolve(n.AccountID, n.Region, n.SubnetID)
		c.resolved[sk] = r
	}
	pl, reason := r.pl, r.reason
	if reason != "" {
		return nil, reason
	}
	ctx := &pubCtx{eni: n.ID, vpc: pl.subnet.VPCID, place: pl}
	ctx.pub[v4], ctx.pub[v6] = a.public(n)
	out := c.cells[:0]
	defer func() { c.cells = out[:0] }()
	c.sgb.reset()
	// The interface's groups, looked up once for every protocol.
	ps := c.ps[:0]
	var pre []*inventory.SecurityGroup
	if a.ifaceGroups != nil {
		pre = a.ifaceGroups[i]
	}
	for k, id := range n.GroupIDs {
		var g *inventory.SecurityGroup
		if pre != nil {
			g = pre[k]
		} else {
			g = a.groups[key{n.AccountID, n.Region, id}]
		}
		if g == nil {
			return nil, "security group " + id + " is not in the inventory"
		}
		p := a.group(c, g)
		if p.reason != "" {
			return nil, p.reason
		}
		ps = append(ps, p)
	}
	c.ps = ps
	for pi, proto := range Protocols {
		grants := c.gbuf[:0]
		for _, p := range ps {
			for i := range p.grants[pi] {
				grants = append(grants, &p.grants[pi][i])
			}
		}
		c.gbuf = grants
		for _, f := range []fam{v4, v6} {
			if !hasFamily(grants, f) {
				continue // no rule admits anything of this family
			}
			sg := c.sgb.admit(grants, f)
			pm := r.maps[pi][f]
			if pm == nil {
				pm = a.placeMap(c, pl, f, proto)
				r.maps[pi][f] = pm
			}
			// Walk both maps' intervals at once. A cell equal to one of
			// the previous interval's, on the adjacent sources, extends it.
			prev, cur := c.prev[:0], c.cur[:0]
			pi, si := 0, 0
			for {
				start := pm.cuts[pi]
				if sg.cuts[si].compare(start) > 0 {
					start = sg.cuts[si]
				}
				end := f.last()
				nextP, nextS := pi+1 < len(pm.cuts), si+1 < len(sg.cuts)
				if nextP {
					end = pm.cuts[pi+1].prev()
				}
				if nextS && sg.cuts[si+1].prev().compare(end) < 0 {
					end = sg.cuts[si+1].prev()
				}
				nv, segs := &pm.vals[pi], sg.vals[si]
				if nv.rv != nil && len(segs) > 0 {
					cur = cur[:0]
					for si := range segs {
						s := &segs[si]
						for ni := range nv.in {
							ns := &nv.in[ni]
							lo, hi := max(s.lo, ns.lo), min(s.hi, ns.hi)
							if lo > hi {
								continue
							}
							cl := cell{proto: proto, lo: lo, hi: hi, f: f, alo: start, ahi: end, pub: ctx, rv: nv.rv, in: ns, out: &nv.out, sg: s}
							cl.reach = ctx.pub[f] && pl.igw != "" && nv.rv.toIGW && ns.allow && nv.out.ok
							if !cl.reach && nv.rv.unsure != "" && ctx.pub[f] && pl.igw != "" && ns.allow && nv.out.ok {
								cl.unsure = nv.rv.unsure
							}
							merged := false
							for _, k := range prev {
								if p := &out[k]; p.ahi.next() == start && sameCell(p, &cl) {
									p.ahi = end
									cur = append(cur, k)
									merged = true
									break
								}
							}
							if !merged {
								cur = append(cur, len(out))
								out = append(out, cl)
							}
						}
					}
					prev, cur = cur, prev
				} else {
					prev = prev[:0]
				}
				if !nextP && !nextS {
					c.prev, c.cur = prev, cur
					break
				}
				if nextP && pm.cuts[pi+1].compare(end.next()) == 0 {
					pi++
				}
				if nextS && sg.cuts[si+1].compare(end.next()) == 0 {
					si++
				}
			}
		}
	}
	for _, e := range a.lbs[i] {
		if e.chain != "" {
			out = append(out, chainCells(e)...)
			continue
		}
		lbc, reason := a.lbCells(c, n, pl, e)
		if reason != "" {
			return nil, reason
		}
		out = append(out, lbc...)
	}
	for i := range out {
		out[i].seq = i
	}
	return out, ""
}

// lbCells computes the cells of one load-balancer entry of interface n
// (in place pl): the load balancer's own path from each source, then the
// leg from the load balancer to the target (docs/reachability.md §2).
func (a *Analyzer) lbCells(c *cache, n *inventory.NetworkInterface, tpl place, e lbEntry) ([]cell, string) {
	lb := e.lb
	lp := e.listener.Port
	var places []place
	for _, sid := range lb.SubnetIDs {
		p, reason := a.resolve(lb.AccountID, lb.Region, sid)
		if reason != "" {
			return nil, "load balancer " + lb.Name + ": " + reason
		}
		places = append(places, p)
	}
	preserve := lb.Type == inventory.LoadBalancerNetwork && e.tg != nil && e.tg.PreserveClientIP
	listener := strings.ToUpper(e.listener.Protocol) + ":" + strconv.Itoa(lp)
	via := Via{Kind: ViaLoadBalancer, LoadBalancerARN: lb.ARN, Listener: listener}
	var out []cell
	for _, f := range []fam{v4, v6} {
		if f == v6 && !strings.HasPrefix(lb.IPAddressType, "dualstack") {
			continue // no IPv6 entry
		}
		var lbsg *amap[[]pseg]
		if len(lb.SecurityGroupIDs) > 0 {
			m, gv := a.sgMap(c, lb.AccountID, lb.Region, lb.SecurityGroupIDs, e.proto, f)
			if gv.reason != "" {
				return nil, "load balancer " + lb.Name + ": " + gv.reason
			}
			lbsg = m
		}
		tsg, tgv := a.sgMap(c, n.AccountID, n.Region, n.GroupIDs, e.proto, f)
		if tgv.reason != "" {
			return nil, tgv.reason
		}
		// A rule of the target's groups that admits a group of the load
		// balancer on the target port.
		var ref *grant
		for _, g := range tgv.refs {
			if slices.Contains(lb.SecurityGroupIDs, g.rule.GroupID) && g.lo <= e.port && e.port <= g.hi {
				ref = g
				break
			}
		}
		tin, tout := c.naclIn(tpl.acl, f, e.proto), c.naclOut(tpl.acl, f, e.proto)
		inet := internetMaps[f]
		lists := [][]u128{inet.cuts}
		if lbsg != nil {
			lists = append(lists, lbsg.cuts)
		}
		type front struct {
			p   place
			rt  *amap[routeVal]
			in  *amap[[]pseg]
			out *amap[retVal]
		}
		fronts := make([]front, len(places))
		for i, p := range places {
			fronts[i] = front{p, a.routes(c, p.rt, f, p.igw), c.naclIn(p.acl, f, e.proto), c.naclOut(p.acl, f, e.proto)}
			lists = append(lists, fronts[i].rt.cuts, fronts[i].in.cuts, fronts[i].out.cuts)
		}
		if preserve {
			lists = append(lists, tin.cuts, tout.cuts, tsg.cuts)
		}
		// The leg from each load balancer subnet when the target sees the
		// load balancer's own addresses: the same for every source.
		legs := make([][]Block, len(places))
		legHops := make([][]Hop, len(places))
		legUnsure := make([]string, len(places))
		if !preserve {
			for i, p := range places {
				legs[i], legHops[i], legUnsure[i] = a.legFromSubnet(p, tpl, n, e, ref, c)
			}
		}
		cuts := mergeCuts(lists...)
		for ci, start := range cuts {
			if !inet.vals[inet.at(start)] {
				continue
			}
			end := f.last()
			if ci+1 < len(cuts) {
				end = cuts[ci+1].prev()
			}
			var blocks, sgBlocks []Block
			var sgHop *Hop
			if lbsg != nil {
				if s := segAt(lbsg.vals[lbsg.at(start)], lp); s != nil {
					sgHop = &Hop{Kind: KindSecurityGroup, ID: s.grant.group, Detail: describeGrant(s.grant)}
				} else {
					for _, id := range lb.SecurityGroupIDs {
						sgBlocks = append(sgBlocks, Block{KindSecurityGroup, id, "no group of load balancer " + lb.Name + " admits " + e.proto + " " + strconv.Itoa(lp) + " from the source"})
					}
				}
			}
			var pLeg []Block
			var pHops []Hop
			if preserve {
				pLeg, pHops = legFromSource(start, tpl, n, e, tin, tout, tsg, ref)
			}
			var path []Hop
			reach := false
			unsure := ""
			for i, fr := range fronts {
				var fb []Block
				if fr.p.igw == "" {
					fb = append(fb, Block{KindVPC, fr.p.subnet.VPCID, "has no internet gateway attached"})
				}
				rv := fr.rt.vals[fr.rt.at(start)]
				if !rv.toIGW {
					fb = append(fb, Block{KindRouteTable, fr.p.rt.ID, rv.why})
				}
				ins := segAt(fr.in.vals[fr.in.at(start)], lp)
				if !ins.allow {
					fb = append(fb, Block{KindNetworkACL, fr.p.acl.ID, "inbound " + describeEntry(ins.entry, e.proto) + " decides (listener port)"})
				}
				ov := fr.out.vals[fr.out.at(start)]
				if !ov.ok {
					fb = append(fb, Block{KindNetworkACL, fr.p.acl.ID, "outbound " + describeEntry(ov.entry, e.proto) + " stops the reply to ports 1024-65535"})
				}
				leg, hops := legs[i], legHops[i]
				if preserve {
					leg, hops = pLeg, pHops
				}
				// The front may pass (only a route to an appliance fails) and
				// the leg may (only part of the nodes' block admitted).
				frontMaybe := len(fb) == 0 || len(fb) == 1 && rv.unsure != ""
				legMaybe := len(leg) == 0 || !preserve && legUnsure[i] != ""
				if frontMaybe && legMaybe && len(sgBlocks) == 0 && (len(fb) > 0 || len(leg) > 0) {
					if len(fb) > 0 {
						unsure = cmpOr(unsure, rv.unsure)
					} else {
						unsure = cmpOr(unsure, legUnsure[i])
					}
				}
				if len(fb) == 0 && len(leg) == 0 && len(sgBlocks) == 0 && !reach {
					reach = true
					path = []Hop{{Kind: KindLoadBalancer, ID: lb.ARN, Detail: lb.Type + " " + lb.Scheme + ", listener " + listener},
						{Kind: KindInternetGateway, ID: fr.p.igw, Detail: "attached to " + fr.p.subnet.VPCID},
						{Kind: KindRouteTable, ID: fr.p.rt.ID, Detail: "route " + rv.dest + " to " + fr.p.igw + " (subnet " + fr.p.subnet.ID + ")"},
						{Kind: KindNetworkACL, ID: fr.p.acl.ID, Detail: "inbound " + describeEntry(ins.entry, e.proto) + replyDetail(ov, e.proto)}}
					if sgHop != nil {
						path = append(path, *sgHop)
					}
					path = append(path, hops...)
				}
				blocks = append(blocks, fb...)
				blocks = append(blocks, leg...)
			}
			cl := cell{proto: e.proto, lo: e.port, hi: e.port, f: f, alo: start, ahi: end, reach: reach, lb: &lbCell{via: via}}
			if reach {
				cl.lb.path = path
			} else {
				cl.lb.blocks = uniqueBlocks(append(blocks, sgBlocks...))
				cl.unsure = unsure
			}
			out = append(out, cl)
		}
	}
	return out, ""
}

// chainCells are the cells of a load-balancer path the model does not
// follow (lbEntry.chain): every internet source may reach the target's
// port, which is not verified.
func chainCells(e lbEntry) []cell {
	why := e.chain
	lc := &lbCell{via: Via{Kind: ViaLoadBalancer, LoadBalancerARN: e.lb.ARN, Listener: strings.ToUpper(e.listener.Protocol) + ":" + strconv.Itoa(e.listener.Port)},
		blocks: []Block{{KindLoadBalancer, e.lb.ARN, why}}}
	var out []cell
	for _, f := range []fam{v4, v6} {
		m := internetMaps[f]
		for ci, start := range m.cuts {
			if !m.vals[ci] {
				continue
			}
			end := f.last()
			if ci+1 < len(m.cuts) {
				end = m.cuts[ci+1].prev()
			}
			out = append(out, cell{proto: e.proto, lo: e.port, hi: e.port, f: f, alo: start, ahi: end, lb: lc, unsure: why})
		}
	}
	return out
}

// tgHop names the target group (or the Classic listener) on a path.
func tgHop(e lbEntry) Hop {
	if e.tg != nil {
		return Hop{Kind: KindTargetGroup, ID: e.tg.ARN, Detail: "forwards to port " + strconv.Itoa(e.port)}
	}
	return Hop{Kind: KindLoadBalancer, ID: e.lb.ARN, Detail: "forwards to instance port " + strconv.Itoa(e.port)}
}

// legFromSubnet judges the leg from a load balancer's nodes in subnet p to
// the target, when the target sees the nodes' addresses: the target's
// NACL must admit every address of the subnet's IPv4 block (the node's
// address is one of them) and let the reply out to it, and its groups
// must admit a group of the load balancer or that whole block.
//
// The third result is set when every test admits part of the block but
// not all of it: the node's address, which one unknown, may pass, so the
// leg can only be "not verified".
func (a *Analyzer) legFromSubnet(p, tpl place, n *inventory.NetworkInterface, e lbEntry, ref *grant, c *cache) ([]Block, []Hop, string) {
	var block *span
	for _, cidr := range p.subnet.CIDRs {
		if s, ok := parseSpan(cidr); ok && s.f == v4 {
			block = &s
			break
		}
	}
	if block == nil {
		return []Block{{KindLoadBalancer, e.lb.ARN, "subnet " + p.subnet.ID + " has no IPv4 block for the load balancer's nodes"}}, nil, ""
	}
	var out []Block
	hops := []Hop{tgHop(e)}
	// The nodes reach the target over IPv4, whatever the client's family.
	tin4, tout4 := c.naclIn(tpl.acl, v4, e.proto), c.naclOut(tpl.acl, v4, e.proto)
	var inEntry, outEntry *inventory.NACLEntry
	okIn, okOut := true, true
	someIn, someOut, someSG := false, false, false
	for i := tin4.at(block.first); i < len(tin4.cuts) && tin4.cuts[i].compare(block.last) <= 0; i++ {
		if s := segAt(tin4.vals[i], e.port); !s.allow {
			if okIn {
				okIn, inEntry = false, s.entry
			}
		} else {
			someIn = true
			if okIn && inEntry == nil {
				inEntry = s.entry
			}
		}
	}
	for i := tout4.at(block.first); i < len(tout4.cuts) && tout4.cuts[i].compare(block.last) <= 0; i++ {
		if v := tout4.vals[i]; !v.ok {
			if okOut {
				okOut, outEntry = false, v.entry
			}
		} else {
			someOut = true
			if okOut && outEntry == nil {
				outEntry = v.entry
			}
		}
	}
	blockText := p.subnet.CIDRs[0]
	if !okIn {
		out = append(out, Block{KindNetworkACL, tpl.acl.ID, "inbound " + describeEntry(inEntry, e.proto) + " decides for the load balancer's addresses in " + blockText})
	}
	if !okOut {
		out = append(out, Block{KindNetworkACL, tpl.acl.ID, "outbound " + describeEntry(outEntry, e.proto) + " stops the reply to the load balancer in " + blockText})
	}
	if okIn && okOut {
		hops = append(hops, Hop{Kind: KindNetworkACL, ID: tpl.acl.ID, Detail: "inbound " + describeEntry(inEntry, e.proto) + " admits the load balancer's addresses" + replyDetail(retVal{ok: true, entry: outEntry}, e.proto)})
	}
	unsure := func() string {
		if len(out) == 0 || !someIn || !someOut || !someSG {
			return ""
		}
		return "the load balancer's nodes in " + blockText + " are admitted by the target's network ACL and groups for part of the block only; which address a node has is unknown"
	}
	if ref != nil {
		hops = append(hops, Hop{Kind: KindSecurityGroup, ID: ref.group, Detail: describeGrant(ref)})
		someSG = true
		return out, hops, unsure()
	}
	// Without a group reference, rules must admit the whole block.
	tsg, _ := a.sgMap(c, n.AccountID, n.Region, n.GroupIDs, e.proto, v4)
	var first *grant
	covered := true
	for i := tsg.at(block.first); i < len(tsg.cuts) && tsg.cuts[i].compare(block.last) <= 0; i++ {
		s := segAt(tsg.vals[i], e.port)
		if s == nil {
			covered = false
			continue
		}
		someSG = true
		if covered && first == nil {
			first = s.grant
		}
	}
	if !covered {
		for _, id := range n.GroupIDs {
			out = append(out, Block{KindSecurityGroup, id, "no group of the target admits " + e.proto + " " + strconv.Itoa(e.port) + " from the load balancer (its groups or all of " + blockText + ")"})
		}
	} else {
		hops = append(hops, Hop{Kind: KindSecurityGroup, ID: first.group, Detail: describeGrant(first)})
	}
	if len(out) > 0 {
		return out, nil, unsure()
	}
	return nil, hops, ""
}

// legFromSource judges the leg to the target for a network load balancer
// that preserves the client's address: the target's NACL and groups see
// the source itself.
func legFromSource(src u128, tpl place, n *inventory.NetworkInterface, e lbEntry, tin *amap[[]pseg], tout *amap[retVal], tsg *amap[[]pseg], ref *grant) ([]Block, []Hop) {
	var out []Block
	hops := []Hop{tgHop(e)}
	ins := segAt(tin.vals[tin.at(src)], e.port)
	ov := tout.vals[tout.at(src)]
	if !ins.allow {
		out = append(out, Block{KindNetworkACL, tpl.acl.ID, "inbound " + describeEntry(ins.entry, e.proto) + " decides (client address preserved)"})
	}
	if !ov.ok {
		out = append(out, Block{KindNetworkACL, tpl.acl.ID, "outbound " + describeEntry(ov.entry, e.proto) + " stops the reply to ports 1024-65535"})
	}
	if ins.allow && ov.ok {
		hops = append(hops, Hop{Kind: KindNetworkACL, ID: tpl.acl.ID, Detail: "inbound " + describeEntry(ins.entry, e.proto) + replyDetail(ov, e.proto)})
	}
	switch s := segAt(tsg.vals[tsg.at(src)], e.port); {
	case ref != nil:
		hops = append(hops, Hop{Kind: KindSecurityGroup, ID: ref.group, Detail: describeGrant(ref)})
	case s != nil:
		hops = append(hops, Hop{Kind: KindSecurityGroup, ID: s.grant.group, Detail: describeGrant(s.grant)})
	default:
		for _, id := range n.GroupIDs {
			out = append(out, Block{KindSecurityGroup, id, "no group of the target admits " + e.proto + " " + strconv.Itoa(e.port) + " from the client (address preserved)"})
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	return nil, hops
}

// summarise turns cells into ports: for each protocol, the elementary port
// ranges the cells cut, merged where the answer is the same.
func summarise(c *cache, cells []cell, lbUnverified string) []Port {
	out := c.ports[:0]
	for _, proto := range Protocols {
		mine, bounds := c.sumCells[:0], c.sumBounds[:0]
		for i := range cells {
			if cells[i].proto == proto {
				mine = append(mine, &cells[i])
				bounds = append(bounds, cells[i].lo, cells[i].hi+1)
			}
		}
		c.sumCells, c.sumBounds = mine, bounds
		if len(mine) == 0 {
			continue
		}
		slices.Sort(bounds)
		bounds = slices.Compact(bounds)
		// mine is in generation order; sorted stably by lo for the sweep,
		// the first reaching cell in generation order still gives the path.
		slices.SortStableFunc(mine, func(a, b *cell) int { return cmp.Compare(a.lo, b.lo) })
		active := c.sumActive[:0]
		next := 0
		havePrev := false
		for bi := 0; bi+1 < len(bounds); bi++ {
			lo, hi := bounds[bi], bounds[bi+1]-1
			keep := active[:0]
			for _, c := range active {
				if c.hi >= lo {
					keep = append(keep, c)
				}
			}
			active = keep
			for next < len(mine) && mine[next].lo <= lo {
				if mine[next].hi >= lo {
					active = append(active, mine[next])
				}
				next++
			}
			if len(active) == 0 {
				havePrev = false
				continue
			}
			p := Port{Protocol: proto, FromPort: lo, ToPort: hi}
			var first *cell
			for _, c := range active {
				if c.reach {
					p.Reachable = true
					if v := c.via(); !slices.Contains(p.Via, v) {
						p.Via = append(p.Via, v)
					}
					if first == nil || c.seq < first.seq {
						first = c
					}
				}
			}
			if p.Reachable {
				p.Path = first.path()
				p.Via = uniqueVias(p.Via)
				p.UnreachedSources = unreached(c, active)
			} else {
				p.BlockedBy = activeBlocks(c, active)
				p.Unverified = lbUnverified
				var unsure *cell
				for _, c := range active {
					if c.unsure != "" && (unsure == nil || c.seq < unsure.seq) {
						unsure = c
					}
				}
				if p.Unverified == "" && unsure != nil {
					p.Unverified = unsure.unsure
				}
			}
			if havePrev && len(out) > 0 && samePort(&out[len(out)-1], &p) {
				out[len(out)-1].ToPort = hi
				continue
			}
			havePrev = true
			out = append(out, p)
		}
		c.sumActive = active
	}
	for i := range out {
		if !hasPorts(out[i].Protocol) {
			// icmp: the space is type*256+code; reported as types
			out[i].FromPort, out[i].ToPort = out[i].FromPort/256, out[i].ToPort/256
		}
	}
	c.ports = out[:0]
	if len(out) == 0 {
		return nil
	}
	return slices.Clone(out) // out is the cache's buffer: one exact allocation
}

// blockKey is what decides a public cell's blockers: cells of many source
// intervals share it, so the blockers are built once per key.
type blockKey struct {
	f       fam
	rv      *routeVal
	inAllow bool
	in      *inventory.NACLEntry
	out     retVal
}

// activeBlocks is the union of the blockers of the active cells.
func activeBlocks(c *cache, active []*cell) []Block {
	seen := c.sumKeys[:0]
	blocks := c.sumBlocks[:0]
	for _, x := range active {
		if x.pub != nil {
			k := blockKey{x.f, x.rv, x.in.allow, x.in.entry, *x.out}
			if slices.Contains(seen, k) {
				continue
			}
			seen = append(seen, k)
		}
		blocks = x.appendBlocks(blocks)
	}
	c.sumKeys = seen
	u := uniqueBlocks(blocks)
	c.sumBlocks = blocks[:0]
	if len(u) == 0 {
		return nil
	}
	return slices.Clone(u) // blocks is the cache's buffer
}

// samePort reports whether two ports give the same answer, ranges aside.
func samePort(a, b *Port) bool {
	return a.Reachable == b.Reachable && a.Unverified == b.Unverified && slices.Equal(a.UnreachedSources, b.UnreachedSources) &&
		slices.Equal(a.Via, b.Via) && slices.Equal(a.Path, b.Path) && slices.Equal(a.BlockedBy, b.BlockedBy)
}

// MaxUnreached is how many blocks Port.UnreachedSources lists at most.
const MaxUnreached = 32

// unreached returns, for a port some internet sources reach, the sources
// its groups admit that reach it by no entry, as CIDR blocks (at most
// MaxUnreached, lowest first): what a more specific route or a NACL rule
// for a range keeps out.
func unreached(c *cache, active []*cell) []string {
	if !slices.ContainsFunc(active, func(c *cell) bool { return !c.reach }) {
		return nil // the common case: every admitted source reaches it
	}
	var out []string
	for _, f := range []fam{v4, v6} {
		yes, no := c.yes[:0], c.no[:0]
		for _, x := range active {
			if x.f != f {
				continue
			}
			if x.reach {
				yes = append(yes, span{f, x.alo, x.ahi})
			} else {
				no = append(no, span{f, x.alo, x.ahi})
			}
		}
		c.yes, c.no = yes, no
		c.diff = subtract(c.diff[:0], merge(no), merge(yes))
		for _, s := range c.diff {
			out = appendCIDRs(c.cidrText, out, f, s.first, s.last)
			if len(out) >= MaxUnreached {
				return out[:MaxUnreached]
			}
		}
	}
	return out
}

// merge sorts address ranges and joins those that overlap or touch, in
// place.
func merge(ss []span) []span {
	slices.SortFunc(ss, func(a, b span) int { return a.first.compare(b.first) })
	out := ss[:0] // written at or before the range being read
	for _, s := range ss {
		if n := len(out); n > 0 && (out[n-1].last == s.f.last() || out[n-1].last.next().compare(s.first) >= 0) {
			if s.last.compare(out[n-1].last) > 0 {
				out[n-1].last = s.last
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// subtract removes the merged ranges b from the merged ranges a,
// appending the rest to out.
func subtract(out, a, b []span) []span {
	for _, s := range a {
		cur := s
		keep := true
		for _, x := range b {
			if x.last.compare(cur.first) < 0 || x.first.compare(cur.last) > 0 {
				continue
			}
			if x.first.compare(cur.first) > 0 {
				out = append(out, span{cur.f, cur.first, x.first.prev()})
			}
			if x.last.compare(cur.last) >= 0 {
				keep = false
				break
			}
			cur.first = x.last.next()
		}
		if keep {
			out = append(out, cur)
		}
	}
	return out
}

// toCIDRs covers [lo, hi] of family f with the fewest CIDR blocks.
func toCIDRs(f fam, lo, hi u128) []string { return appendCIDRs(nil, nil, f, lo, hi) }

// cidrKey is one CIDR block, for cidrText.
type cidrKey struct {
	f    fam
	lo   u128
	bits int
}

// appendCIDRs appends toCIDRs(f, lo, hi) to out, taking each block's text
// from memo (a worker's, or nil): the same few blocks (a more specific
// route's) are unreached on port after port.
func appendCIDRs(memo map[cidrKey]string, out []string, f fam, lo, hi u128) []string {
	width := 32
	if f == v6 {
		width = 128
	}
	for lo.compare(hi) <= 0 {
		// the largest block starting at lo that fits in [lo, hi]
		bits := width
		for bits > 0 {
			size := width - (bits - 1) // host bits of the larger block
			mask := hostMask(size)
			if lo.hi&mask.hi != 0 || lo.lo&mask.lo != 0 {
				break // lo is not aligned to it
			}
			last := u128{lo.hi | mask.hi, lo.lo | mask.lo}
			if last.compare(hi) > 0 {
				break
			}
			bits--
		}
		mask := hostMask(width - bits)
		last := u128{lo.hi | mask.hi, lo.lo | mask.lo}
		k := cidrKey{f, lo, bits}
		text, ok := memo[k]
		if !ok {
			var buf [48]byte // one allocation a block, not Prefix.String's three
			text = string(netip.PrefixFrom(netipOf(f, lo), bits).AppendTo(buf[:0]))
			if memo != nil {
				memo[k] = text
			}
		}
		out = append(out, text)
		if last == f.last() {
			break
		}
		lo = last.next()
	}
	return out
}

// hostMask has the low n bits set.
func hostMask(n int) u128 {
	switch {
	case n >= 128:
		return u128{^uint64(0), ^uint64(0)}
	case n >= 64:
		return u128{1<<(n-64) - 1, ^uint64(0)}
	}
	return u128{0, 1<<n - 1}
}
