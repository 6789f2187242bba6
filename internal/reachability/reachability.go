// Package reachability computes verified exposure: which ports of which
// network interfaces an internet address can really reach, through the
// interface's public address or an internet-facing load balancer, given
// route tables, network ACLs and security groups; and, for every port open
// in a group that no internet address reaches, every component that
// blocks it. The model is docs/reachability.md; its tests hold it against
// a brute-force oracle (oracle_test.go).
//
// The analysis works over interval sets, never by enumerating ports or
// addresses: each test is a function of the source address that is
// constant on the elementary intervals its CIDRs cut the address space
// into, holding the decision over a protocol's port space as sorted
// segments (model.go). Route tables, NACLs and group sets are evaluated
// once each and shared by every interface that uses them.
package reachability

import (
	"cmp"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Component kinds named in paths and blockers.
const (
	KindInterface       = "network_interface"
	KindVPC             = "vpc"
	KindInternetGateway = "internet_gateway"
	KindRouteTable      = "route_table"
	KindNetworkACL      = "network_acl"
	KindSecurityGroup   = "security_group"
	KindLoadBalancer    = "load_balancer"
	KindTargetGroup     = "target_group"
)

// Entries: how an internet packet gets to the interface.
const (
	ViaPublicIP     = "public_ip"
	ViaLoadBalancer = "load_balancer"
)

// Caveat is said with every "not reachable" answer: what the model does
// not look at (docs/reachability.md §5).
const Caveat = "not modelled: Transit Gateway, VPN, Direct Connect, Global Accelerator, CloudFront, host firewalls"

// Hop is one component on a reachable path.
type Hop struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Detail string `json:"detail,omitempty"`
}

// Block is one component that blocks a port, with why.
type Block struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// Via is one entry that reaches a port.
type Via struct {
	Kind            string `json:"kind"`
	LoadBalancerARN string `json:"load_balancer_arn,omitempty"`
	// Listener is "PROTOCOL:port" of the load balancer's listener.
	Listener string `json:"listener,omitempty"`
}

// Port is the verdict on one protocol and port range of an interface.
type Port struct {
	Protocol  string `json:"protocol"`
	FromPort  int    `json:"from_port"`
	ToPort    int    `json:"to_port"`
	Reachable bool   `json:"reachable"`
	// Via are the entries that reach it (reachable ports only).
	Via []Via `json:"via,omitempty"`
	// Path is the components admitting it, in order, for the first source
	// (lowest address) and entry that reaches it.
	Path []Hop `json:"path,omitempty"`
	// BlockedBy is every component that blocks it, for every source the
	// groups admit (ports not reachable only).
	BlockedBy []Block `json:"blocked_by,omitempty"`
	// UnreachedSources are, for a reachable port, the internet sources its
	// groups admit that reach it by no entry (a more specific route, a
	// NACL rule for a range), as CIDR blocks: at most MaxUnreached.
	UnreachedSources []string `json:"unreached_sources,omitempty"`
	// Unverified says why "not reachable" could not be verified (a load
	// balancer kind not collected): the port may be reachable.
	Unverified string `json:"unverified,omitempty"`
}

// Interface is the verdict on one interface with a public address or
// behind an internet-facing load balancer.
type Interface struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	ID        string `json:"network_interface_id"`
	Type      string `json:"interface_type,omitempty"`
	PublicIP  string `json:"public_ip,omitempty"`
	Resource  string `json:"resource,omitempty"`
	// NotVerified says why nothing could be verified (network data not
	// collected, or a component missing); Ports is then empty.
	NotVerified string `json:"not_verified,omitempty"`
	Ports       []Port `json:"ports"`
	// pairNotCollected is set when NotVerified is because the network
	// data of the interface's (account, region) was not collected.
	pairNotCollected bool
}

type key struct{ account, region, id string }

// lbEntry is one way a load balancer forwards to an interface.
type lbEntry struct {
	lb       *inventory.LoadBalancer
	listener *inventory.Listener
	tg       *inventory.TargetGroup // nil for Classic
	port     int                    // the port on the interface
	proto    string
	// chain, when set, says why the path is one the model does not follow
	// (docs/reachability.md §5): an internet-facing network load balancer
	// forwarding to lb, an internal application load balancer; or a
	// listener protocol it does not know.
	chain string
}

// Analyzer holds the indexes of one inventory. Safe for concurrent use
// after New.
type Analyzer struct {
	inv       *inventory.Inventory
	kinds     map[string]map[string]bool
	subnets   map[key]*inventory.Subnet
	rtbs      map[key]*inventory.RouteTable
	rtbSubnet map[key]*inventory.RouteTable
	rtbMain   map[key]*inventory.RouteTable // by VPC
	acls      map[key]*inventory.NetworkACL
	aclSubnet map[key]*inventory.NetworkACL
	igws      map[key]string // VPC → igw id
	groups    map[key]*inventory.SecurityGroup
	prefix    map[key]*inventory.PrefixList
	ifaces    map[key]int
	eips      map[key]bool // interfaces with an Elastic IP
	lbs       map[int][]lbEntry
	// resolved holds, when Analyze built them up front, the place of every
	// subnet of a verifiable candidate with all its merged maps
	// (read-only from then on); nil for a single interface.
	resolved map[key]*resolvedPlace
	// ifaceGroups holds, by interface index, the groups of each verifiable
	// candidate whose groups are all in the inventory, looked up once when
	// Analyze gathered them; nil for a single interface.
	ifaceGroups [][]*inventory.SecurityGroup
	// parsed holds every group's parsed rules when Analyze parsed them all
	// up front (read-only from then on); nil for a single interface.
	parsed map[*inventory.SecurityGroup]*parsed
	// pairReason says, per (account, region) with a coverage row, why its
	// interfaces cannot be verified ("" when the network kinds were all
	// collected); lbReason, why "not reachable" there cannot be.
	pairReason map[pairKey]string
	lbReason   map[pairKey]string
}

type pairKey struct{ account, region string }

// New indexes an inventory.
func New(inv *inventory.Inventory) *Analyzer {
	// Sized up front: growing maps of 100k entries rehashes them again and
	// again.
	a := &Analyzer{
		inv: inv, kinds: inv.Kinds(),
		subnets: make(map[key]*inventory.Subnet, len(inv.Subnets)), rtbs: make(map[key]*inventory.RouteTable, len(inv.RouteTables)),
		rtbSubnet: make(map[key]*inventory.RouteTable, len(inv.Subnets)),
		rtbMain:   map[key]*inventory.RouteTable{}, acls: make(map[key]*inventory.NetworkACL, len(inv.NetworkACLs)),
		aclSubnet: make(map[key]*inventory.NetworkACL, len(inv.Subnets)),
		igws:      map[key]string{}, groups: make(map[key]*inventory.SecurityGroup, len(inv.SecurityGroups)), prefix: map[key]*inventory.PrefixList{},
		ifaces: make(map[key]int, len(inv.NetworkInterfaces)), eips: map[key]bool{}, lbs: map[int][]lbEntry{},
	}
	for i := range inv.Subnets {
		s := &inv.Subnets[i]
		a.subnets[key{s.AccountID, s.Region, s.ID}] = s
	}
	for i := range inv.RouteTables {
		t := &inv.RouteTables[i]
		a.rtbs[key{t.AccountID, t.Region, t.ID}] = t
		if t.Main {
			a.rtbMain[key{t.AccountID, t.Region, t.VPCID}] = t
		}
		for _, s := range t.SubnetIDs {
			a.rtbSubnet[key{t.AccountID, t.Region, s}] = t
		}
	}
	for i := range inv.NetworkACLs {
		n := &inv.NetworkACLs[i]
		a.acls[key{n.AccountID, n.Region, n.ID}] = n
		for _, s := range n.SubnetIDs {
			a.aclSubnet[key{n.AccountID, n.Region, s}] = n
		}
	}
	for _, g := range inv.InternetGateways {
		for _, v := range g.VPCIDs {
			a.igws[key{g.AccountID, g.Region, v}] = g.ID
		}
	}
	// The two largest indexes are built beside the rest, on another core.
	var side sync.WaitGroup
	defer side.Wait()
	side.Go(func() {
		for i := range inv.SecurityGroups {
			g := &inv.SecurityGroups[i]
			a.groups[key{g.AccountID, g.Region, g.ID}] = g
		}
		for i := range inv.NetworkInterfaces {
			n := &inv.NetworkInterfaces[i]
			a.ifaces[key{n.AccountID, n.Region, n.ID}] = i
		}
	})
	for i := range inv.PrefixLists {
		p := &inv.PrefixLists[i]
		a.prefix[key{p.AccountID, p.Region, p.ID}] = p
	}
	for _, e := range inv.Addresses {
		if e.NetworkInterfaceID != "" {
			a.eips[key{e.AccountID, e.Region, e.NetworkInterfaceID}] = true
		}
	}
	byInstance := make(map[key][]int, len(inv.NetworkInterfaces))
	byIP := make(map[key]int, len(inv.NetworkInterfaces))
	for i := range inv.NetworkInterfaces {
		n := &inv.NetworkInterfaces[i]
		if strings.HasPrefix(n.Resource, "i-") {
			k := key{n.AccountID, n.Region, n.Resource}
			if n.Primary {
				byInstance[k] = append([]int{i}, byInstance[k]...)
			} else {
				byInstance[k] = append(byInstance[k], i)
			}
		}
		for _, ip := range n.PrivateIPs {
			byIP[key{n.AccountID, n.Region, ip}] = i
		}
	}
	// An instance target receives traffic on its primary interface: the
	// one marked primary, else its only interface.
	instance := func(acct, region, id string) (int, bool) {
		l := byInstance[key{acct, region, id}]
		if len(l) == 0 || len(l) > 1 && !inv.NetworkInterfaces[l[0]].Primary {
			return 0, false
		}
		return l[0], true
	}
	tgs := map[string]*inventory.TargetGroup{}
	for i := range inv.TargetGroups {
		tgs[inv.TargetGroups[i].ARN] = &inv.TargetGroups[i]
	}
	a.pairReason, a.lbReason = map[pairKey]string{}, map[pairKey]string{}
	for _, c := range inv.Coverage {
		pk := pairKey{c.AccountID, c.Region}
		a.pairReason[pk] = ""
		for _, k := range inventory.NetworkKinds {
			if !a.kinds[c.AccountID+"/"+c.Region][k] {
				a.pairReason[pk] = k + " not collected in " + c.AccountID + "/" + c.Region
				break
			}
		}
		for _, k := range inventory.LoadBalancerKinds {
			if !a.kinds[c.AccountID+"/"+c.Region][k] {
				a.lbReason[pk] = k + " not collected in " + c.AccountID + "/" + c.Region
				break
			}
		}
	}
	for i := range inv.LoadBalancers {
		lb := &inv.LoadBalancers[i]
		if lb.Scheme != inventory.SchemeInternetFacing || lb.Type == inventory.LoadBalancerGateway {
			continue // never an entry from the internet
		}
		for j := range lb.Listeners {
			ls := &lb.Listeners[j]
			if lb.Type == inventory.LoadBalancerClassic {
				for _, id := range lb.InstanceIDs {
					if n, ok := instance(lb.AccountID, lb.Region, id); ok && ls.InstancePort > 0 {
						for _, p := range listenerProtocols(cmpOr(ls.InstanceProtocol, ls.Protocol)) {
							a.lbs[n] = append(a.lbs[n], lbEntry{lb: lb, listener: ls, port: ls.InstancePort, proto: p})
						}
					}
				}
				continue
			}
			for _, arn := range ls.TargetGroupARNs {
				tg := tgs[arn]
				if tg == nil {
					continue
				}
				for _, t := range tg.Targets {
					var n int
					var ok bool
					switch tg.TargetType {
					case inventory.TargetTypeInstance:
						n, ok = instance(tg.AccountID, tg.Region, t.ID)
					case inventory.TargetTypeIP:
						n, ok = byIP[key{tg.AccountID, tg.Region, t.ID}]
					}
					port := cmp.Or(t.Port, tg.Port)
					if !ok || port == 0 {
						continue
					}
					for _, p := range listenerProtocols(ls.Protocol) {
						a.lbs[n] = append(a.lbs[n], lbEntry{lb: lb, listener: ls, tg: tg, port: port, proto: p})
					}
					if listenerProtocols(ls.Protocol) == nil {
						for _, p := range []string{inventory.ProtocolTCP, inventory.ProtocolUDP} {
							a.lbs[n] = append(a.lbs[n], lbEntry{lb: lb, listener: ls, tg: tg, port: port, proto: p,
								chain: "listener protocol " + ls.Protocol + " of load balancer " + lb.Name + " is not modelled"})
						}
					}
				}
			}
		}
	}
	a.chained(tgs, byIP, instance)
	return a
}

// chained adds the targets of internal application load balancers that an
// internet-facing network load balancer forwards to (a target group of
// type alb): the internet reaches them through a chain the model does not
// follow, so their ports can only be "not verified" (docs/reachability.md
// §5), never "not reachable".
func (a *Analyzer) chained(tgs map[string]*inventory.TargetGroup, byIP map[key]int, instance func(acct, region, id string) (int, bool)) {
	front := map[string]string{} // ALB ARN → the NLB in front
	for i := range a.inv.LoadBalancers {
		lb := &a.inv.LoadBalancers[i]
		if lb.Scheme != inventory.SchemeInternetFacing || lb.Type != inventory.LoadBalancerNetwork {
			continue
		}
		for _, ls := range lb.Listeners {
			for _, arn := range ls.TargetGroupARNs {
				if tg := tgs[arn]; tg != nil && tg.TargetType == inventory.TargetTypeALB {
					for _, t := range tg.Targets {
						front[t.ID] = cmpOr(front[t.ID], lb.Name)
					}
				}
			}
		}
	}
	for i := range a.inv.LoadBalancers {
		lb := &a.inv.LoadBalancers[i]
		nlb, ok := front[lb.ARN]
		if !ok || lb.Scheme == inventory.SchemeInternetFacing {
			continue
		}
		for j := range lb.Listeners {
			ls := &lb.Listeners[j]
			for _, arn := range ls.TargetGroupARNs {
				tg := tgs[arn]
				if tg == nil {
					continue
				}
				for _, t := range tg.Targets {
					var n int
					switch tg.TargetType {
					case inventory.TargetTypeInstance:
						n, ok = instance(tg.AccountID, tg.Region, t.ID)
					case inventory.TargetTypeIP:
						n, ok = byIP[key{tg.AccountID, tg.Region, t.ID}]
					default:
						ok = false
					}
					port := cmp.Or(t.Port, tg.Port)
					if !ok || port == 0 {
						continue
					}
					for _, p := range listenerProtocols(ls.Protocol) {
						a.lbs[n] = append(a.lbs[n], lbEntry{lb: lb, listener: ls, tg: tg, port: port, proto: p,
							chain: "load balancer " + lb.Name + " is internal, but internet-facing network load balancer " + nlb + " forwards to it: that chain is not modelled"})
					}
				}
			}
		}
	}
}

// listenerProtocols maps a listener protocol to the IP protocols it
// carries.
func listenerProtocols(p string) []string {
	switch strings.ToUpper(p) {
	case "HTTP", "HTTPS", "TCP", "TLS", "SSL":
		return []string{inventory.ProtocolTCP}
	case "UDP", "QUIC":
		return []string{inventory.ProtocolUDP}
	case "TCP_UDP", "TCP_QUIC":
		return []string{inventory.ProtocolTCP, inventory.ProtocolUDP}
	}
	return nil
}

// Candidates returns the interfaces the analysis answers for: those with a
// public address and those targeted by an internet-facing load balancer,
// as indexes into the inventory's NetworkInterfaces.
func (a *Analyzer) Candidates() []int {
	var out []int
	for i := range a.inv.NetworkInterfaces {
		n := &a.inv.NetworkInterfaces[i]
		pub4, pub6 := a.public(n)
		if pub4 || pub6 || len(a.lbs[i]) > 0 {
			out = append(out, i)
		}
	}
	return out
}

func (a *Analyzer) public(n *inventory.NetworkInterface) (v4, v6 bool) {
	v4 = n.PublicIP != "" || len(n.PublicIPs) > 0 || a.eips[key{n.AccountID, n.Region, n.ID}]
	return v4, len(n.IPv6Addresses) > 0
}

// Find returns the index of an interface by id, or of an instance's
// primary interface by instance id.
func (a *Analyzer) Find(id string) (int, bool) {
	for i, n := range a.inv.NetworkInterfaces {
		if n.ID == id {
			return i, true
		}
	}
	var cand []int
	for i, n := range a.inv.NetworkInterfaces {
		if n.Resource == id {
			if n.Primary {
				return i, true
			}
			cand = append(cand, i)
		}
	}
	if len(cand) == 1 {
		return cand[0], true
	}
	return 0, false
}

// Analyze answers for every candidate interface, in the inventory's order
// (account, region, id), using every core.
func Analyze(inv *inventory.Inventory) []Interface {
	a := New(inv)
	cands := a.Candidates()
	out := make([]Interface, len(cands))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(cands)/64))
	// Parse every group a verifiable interface carries once, on every
	// core, before the workers share them: random group sets would
	// otherwise make each worker parse most groups again. Where no network
	// data was collected (an import of groups and interfaces), nothing is.
	// The candidates' groups and subnets are looked up on every core (the
	// indexes are only read); each chunk gathers its own.
	type gathered struct {
		groups  []*inventory.SecurityGroup
		subnets map[key]bool
	}
	parts := make([]gathered, workers)
	a.ifaceGroups = make([][]*inventory.SecurityGroup, len(inv.NetworkInterfaces))
	var gwg sync.WaitGroup
	for w := range workers {
		gwg.Go(func() {
			mine := cands[w*len(cands)/workers : (w+1)*len(cands)/workers]
			total := 0
			for _, i := range mine {
				total += len(inv.NetworkInterfaces[i].GroupIDs)
			}
			flat, subnets := make([]*inventory.SecurityGroup, 0, total), map[key]bool{}
			for _, i := range mine {
				n := &inv.NetworkInterfaces[i]
				if r, ok := a.pairReason[pairKey{n.AccountID, n.Region}]; !ok || r != "" {
					continue
				}
				subnets[key{n.AccountID, n.Region, n.SubnetID}] = true
				start, all := len(flat), true
				for _, id := range n.GroupIDs {
					if g := a.groups[key{n.AccountID, n.Region, id}]; g != nil {
						flat = append(flat, g)
					} else {
						all = false // cells says which group is missing
					}
				}
				if all {
					a.ifaceGroups[i] = flat[start:len(flat):len(flat)]
				}
			}
			parts[w] = gathered{flat, subnets}
		})
	}
	gwg.Wait()
	need := make(map[*inventory.SecurityGroup]bool, len(inv.SecurityGroups))
	needSubnet := map[key]bool{}
	for _, p := range parts {
		for _, g := range p.groups {
			need[g] = true
		}
		for k := range p.subnets {
			needSubnet[k] = true
		}
	}
	var needed []*inventory.SecurityGroup
	for i := range inv.SecurityGroups {
		if g := &inv.SecurityGroups[i]; need[g] {
			needed = append(needed, g)
		}
	}
	all := make([]*parsed, len(needed))
	var pwg sync.WaitGroup
	for w := range workers {
		pwg.Go(func() {
			var sc parseScratch
			for i := w * len(all) / workers; i < (w+1)*len(all)/workers; i++ {
				all[i] = a.parseGroup(needed[i], &sc)
			}
		})
	}
	pwg.Wait()
	a.parsed = make(map[*inventory.SecurityGroup]*parsed, len(all))
	for i, p := range all {
		a.parsed[needed[i]] = p
	}
	a.resolveAll(needSubnet, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newCache()
			// Contiguous chunks: neighbours in (account, region, id) order
			// tend to share subnets and groups, so each worker's cache hits.
			lo, hi := w*len(cands)/workers, (w+1)*len(cands)/workers
			for i := lo; i < hi; i++ {
				out[i] = a.interfaceWith(c, cands[i])
			}
		}()
	}
	wg.Wait()
	return out
}

// Interface answers for one interface (an index into NetworkInterfaces).
func (a *Analyzer) Interface(i int) Interface { return a.interfaceWith(newCache(), i) }

func (a *Analyzer) interfaceWith(c *cache, i int) Interface {
	n := &a.inv.NetworkInterfaces[i]
	out := Interface{AccountID: n.AccountID, Region: n.Region, ID: n.ID, Type: n.Type, PublicIP: n.PublicIP, Resource: n.Resource, Ports: []Port{}}
	cells, reason := a.cells(c, i)
	if reason != "" {
		out.NotVerified = reason
		pr, ok := a.pairReason[pairKey{n.AccountID, n.Region}]
		out.pairNotCollected = !ok || pr != ""
		return out
	}
	out.Ports = summarise(c, cells, a.lbReason[pairKey{n.AccountID, n.Region}])
	return out
}

// Verdict is the answer for one source, protocol and port.
type Verdict struct {
	// Open is false when no entry applies: no group admits the source on
	// the port and no load balancer forwards to it.
	Open      bool
	Reachable bool
	Via       []Via
	Path      []Hop
	BlockedBy []Block
	// Unverified says why a port not reached may still be (as
	// Port.Unverified): a load-balancer kind not collected, or a route to
	// an appliance or endpoint.
	Unverified string
}

// Answer holds every cell of one interface, to answer for single sources.
type Answer struct {
	cells []cell
	// lbReason is why "not reachable" cannot be verified in the
	// interface's (account, region), "" when it can.
	lbReason string
}

// Explain computes interface i's cells once, or says why it cannot.
func (a *Analyzer) Explain(i int) (*Answer, string) {
	cells, reason := a.cells(newCache(), i)
	if reason != "" {
		return nil, reason
	}
	n := &a.inv.NetworkInterfaces[i]
	return &Answer{cells: cells, lbReason: a.lbReason[pairKey{n.AccountID, n.Region}]}, ""
}

// Query answers for one source address, protocol and port (for icmp and
// icmpv6, type*256+code).
func (ans *Answer) Query(proto string, port int, src netip.Addr) Verdict {
	src = src.Unmap()
	return ans.QueryPrefix(proto, port, netip.PrefixFrom(src, src.BitLen()))
}

// QueryPrefix answers for the internet sources of a block: reachable when
// one of them reaches the port (the path is the lowest such source's), else
// blocked by the union of what blocks each admitted source.
func (ans *Answer) QueryPrefix(proto string, port int, p netip.Prefix) Verdict {
	s, ok := parseSpan(p.Masked().String())
	var v Verdict
	if !ok {
		return v
	}
	var blocks []Block
	unsure := ""
	first := -1
	for i := range ans.cells {
		c := &ans.cells[i]
		if c.proto != proto || port < c.lo || port > c.hi || c.f != s.f || c.ahi.compare(s.first) < 0 || c.alo.compare(s.last) > 0 {
			continue
		}
		v.Open = true
		if c.reach {
			if first < 0 || c.alo.compare(ans.cells[first].alo) < 0 {
				first = i
				v.Path = c.path()
			}
			v.Reachable = true
			v.Via = append(v.Via, c.via())
		} else {
			blocks = append(blocks, c.blocks()...)
			unsure = cmpOr(unsure, c.unsure)
		}
	}
	if !v.Reachable {
		v.BlockedBy = uniqueBlocks(blocks)
		if v.Open {
			v.Unverified = cmpOr(ans.lbReason, unsure)
		}
	}
	v.Via = uniqueVias(v.Via)
	return v
}

func uniqueVias(vs []Via) []Via {
	slices.SortFunc(vs, func(a, b Via) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.LoadBalancerARN, b.LoadBalancerARN), cmp.Compare(a.Listener, b.Listener))
	})
	return slices.Compact(vs)
}

var kindOrder = map[string]int{KindInterface: 0, KindVPC: 1, KindLoadBalancer: 2, KindInternetGateway: 3, KindRouteTable: 4, KindNetworkACL: 5, KindSecurityGroup: 6, KindTargetGroup: 7}

func uniqueBlocks(bs []Block) []Block {
	slices.SortFunc(bs, func(a, b Block) int {
		return cmp.Or(cmp.Compare(kindOrder[a.Kind], kindOrder[b.Kind]), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Reason, b.Reason))
	})
	return slices.Compact(bs)
}

// LBTarget is an interface a load balancer's listener forwards to, and the
// port it forwards to.
type LBTarget struct {
	Interface int // index into the inventory's NetworkInterfaces
	Port      int
}

// LoadBalancerTargets lists the interfaces the internet-facing load
// balancer arn forwards to from its listener on port, in inventory order.
func (a *Analyzer) LoadBalancerTargets(arn string, port int) []LBTarget {
	var out []LBTarget
	for i, es := range a.lbs {
		for _, e := range es {
			if e.lb.ARN == arn && e.listener.Port == port {
				out = append(out, LBTarget{i, e.port})
			}
		}
	}
	slices.SortFunc(out, func(x, y LBTarget) int {
		return cmp.Or(cmp.Compare(x.Interface, y.Interface), cmp.Compare(x.Port, y.Port))
	})
	return slices.Compact(out)
}
