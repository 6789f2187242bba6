package reachability

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// This file holds the analysis to a brute-force oracle: seeded random
// VPCs (overlapping routes, prefix-list routes and rules, blackholes,
// NACL deny-before-allow and rule order, protocol -1, ICMP, IPv6,
// egress-only gateways, load balancers of every type) judged by a naive
// implementation that reads the inventory directly, port by port and
// source by source, with none of the analysis's interval machinery.

const (
	acct   = "111122223333"
	region = "eu-west-1"
)

// cidrPool are the blocks the generator draws from: nested and
// overlapping on purpose.
var cidrPool4 = []string{"0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "8.0.0.0/8", "8.8.0.0/16", "198.51.100.0/24", "198.51.100.128/25",
	"203.0.113.0/24", "203.0.113.7/32", "10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "64.0.0.0/2"}
var cidrPool6 = []string{"::/0", "2000::/3", "2001:db8::/32", "2001:db8:1::/48", "2600::/16", "8000::/1", "2001:db8::7/128"}

// portPool are the port numbers rules use; the oracle enumerates around
// each of them, which covers every port range the world can tell apart.
var portPool = []int{0, 1, 22, 23, 80, 443, 1023, 1024, 1025, 3389, 5432, 8080, 32768, 65534, 65535}

type gen struct {
	r  *rand.Rand
	pl []string // prefix list ids
}

func (g *gen) pick4() string { return cidrPool4[g.r.IntN(len(cidrPool4))] }
func (g *gen) pick6() string { return cidrPool6[g.r.IntN(len(cidrPool6))] }
func (g *gen) pickAny() string {
	if g.r.IntN(3) == 0 {
		return g.pick6()
	}
	return g.pick4()
}
func (g *gen) portRange() (int, int) {
	a, b := portPool[g.r.IntN(len(portPool))], portPool[g.r.IntN(len(portPool))]
	return min(a, b), max(a, b)
}

// world generates one random inventory.
func (g *gen) world() *inventory.Inventory {
	r := g.r
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Accounts:      []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: acct, Region: region, Status: inventory.CoverageOK,
			Collected: append(append([]string{inventory.KindSecurityGroups, inventory.KindPrefixLists}, inventory.NetworkKinds...), inventory.LoadBalancerKinds...)}},
	}
	// prefix lists
	g.pl = nil
	for i := range 1 + r.IntN(2) {
		id := fmt.Sprintf("pl-%08x", i+1)
		g.pl = append(g.pl, id)
		pl := inventory.PrefixList{ID: id, Name: id, Owner: acct, AccountID: acct, Region: region}
		for range 1 + r.IntN(3) {
			pl.Entries = append(pl.Entries, inventory.PrefixListEntry{CIDR: g.pickAny()})
		}
		inv.PrefixLists = append(inv.PrefixLists, pl)
	}
	nvpc := 1 + r.IntN(2)
	var subnets []*inventory.Subnet
	for v := range nvpc {
		vpc := fmt.Sprintf("vpc-%d", v)
		if r.IntN(5) > 0 {
			inv.InternetGateways = append(inv.InternetGateways, inventory.InternetGateway{ID: fmt.Sprintf("igw-%d", v), AccountID: acct, Region: region, VPCIDs: []string{vpc}})
		} else {
			// an internet gateway of no VPC, which routes may still name
			inv.InternetGateways = append(inv.InternetGateways, inventory.InternetGateway{ID: fmt.Sprintf("igw-%d", v), AccountID: acct, Region: region})
		}
		if r.IntN(2) == 0 {
			inv.EgressOnlyInternetGateways = append(inv.EgressOnlyInternetGateways, inventory.InternetGateway{ID: fmt.Sprintf("eigw-%d", v), AccountID: acct, Region: region, VPCIDs: []string{vpc}})
		}
		nrt := 1 + r.IntN(3)
		var rts []string
		for t := range nrt {
			id := fmt.Sprintf("rtb-%d%d", v, t)
			rts = append(rts, id)
			rt := inventory.RouteTable{ID: id, AccountID: acct, Region: region, VPCID: vpc, Main: t == 0}
			rt.Routes = append(rt.Routes, inventory.Route{Destination: fmt.Sprintf("10.%d.0.0/16", v), TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive})
			if r.IntN(3) > 0 {
				// a public subnet's default routes; more specific ones below may win
				rt.Routes = append(rt.Routes, inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: fmt.Sprintf("igw-%d", v), State: inventory.RouteActive})
				six := inventory.Route{Destination: "::/0", TargetKind: inventory.RouteInternetGateway, TargetID: fmt.Sprintf("igw-%d", v), State: inventory.RouteActive}
				if r.IntN(3) == 0 {
					six.TargetKind, six.TargetID = inventory.RouteEgressOnlyGateway, fmt.Sprintf("eigw-%d", v) // not an entry
				}
				rt.Routes = append(rt.Routes, six)
			}
			for range r.IntN(4) {
				x := g.route(v)
				if !slices.ContainsFunc(rt.Routes, func(y inventory.Route) bool {
					return y.Destination == x.Destination && y.PrefixListID == x.PrefixListID
				}) {
					rt.Routes = append(rt.Routes, x) // AWS holds one route per destination
				}
			}
			inv.RouteTables = append(inv.RouteTables, rt)
		}
		nacl := 1 + r.IntN(2)
		var acls []string
		for a := range nacl {
			id := fmt.Sprintf("acl-%d%d", v, a)
			acls = append(acls, id)
			inv.NetworkACLs = append(inv.NetworkACLs, inventory.NetworkACL{ID: id, AccountID: acct, Region: region, VPCID: vpc, IsDefault: a == 0, Entries: g.naclEntries()})
		}
		for s := range 1 + r.IntN(3) {
			id := fmt.Sprintf("subnet-%d%d", v, s)
			sn := inventory.Subnet{ID: id, AccountID: acct, Region: region, VPCID: vpc, CIDRs: []string{fmt.Sprintf("10.%d.%d.0/24", v, s)},
				NetworkACLID: acls[r.IntN(len(acls))]}
			if r.IntN(2) == 0 {
				sn.CIDRs = append(sn.CIDRs, fmt.Sprintf("2600:1%d:1%d::/64", v, s))
			}
			if t := r.IntN(len(rts) + 1); t > 0 && t < len(rts) {
				sn.RouteTableID = rts[t]
				for i := range inv.RouteTables {
					if inv.RouteTables[i].ID == rts[t] {
						inv.RouteTables[i].SubnetIDs = append(inv.RouteTables[i].SubnetIDs, id)
					}
				}
			}
			inv.Subnets = append(inv.Subnets, sn)
		}
	}
	for i := range inv.Subnets {
		subnets = append(subnets, &inv.Subnets[i])
	}
	ngroups := 1 + r.IntN(4)
	var gids []string
	for i := range ngroups {
		id := fmt.Sprintf("sg-%d", i)
		gids = append(gids, id)
		var rules []inventory.Rule
		for j := range r.IntN(5) {
			rules = append(rules, g.rule(fmt.Sprintf("sgr-%d%d", i, j), gids))
		}
		inv.SecurityGroups = append(inv.SecurityGroups, inventory.SecurityGroup{
			ARN: "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id, ID: id, Name: id, AccountID: acct, Region: region,
			VPCID: "vpc-0", Rules: inventory.SortedRules(rules)})
	}
	nif := 1 + r.IntN(4)
	for i := range nif {
		s := subnets[r.IntN(len(subnets))]
		n := inventory.NetworkInterface{ID: fmt.Sprintf("eni-%d", i), Type: "interface", AccountID: acct, Region: region, VPCID: s.VPCID, SubnetID: s.ID,
			Resource: fmt.Sprintf("i-%d", i), Primary: true, PrivateIPs: []string{strings.TrimSuffix(s.CIDRs[0], "0/24") + strconv.Itoa(10+i)}}
		if r.IntN(3) > 0 {
			n.PublicIP = fmt.Sprintf("54.0.0.%d", i)
		}
		if len(s.CIDRs) > 1 && r.IntN(2) == 0 {
			n.IPv6Addresses = []string{strings.TrimSuffix(s.CIDRs[1], "/64") + strconv.Itoa(i+1)}
		}
		for _, id := range gids {
			if r.IntN(2) == 0 {
				n.GroupIDs = append(n.GroupIDs, id)
			}
		}
		if len(n.GroupIDs) == 0 {
			n.GroupIDs = []string{gids[0]}
		}
		inv.NetworkInterfaces = append(inv.NetworkInterfaces, n)
	}
	for l := range r.IntN(3) {
		g.loadBalancer(inv, l, subnets, gids)
	}
	inv.Sort()
	return inv
}

func (g *gen) route(vpc int) inventory.Route {
	r := g.r
	rt := inventory.Route{State: inventory.RouteActive}
	six := r.IntN(3) == 0
	switch {
	case r.IntN(6) == 0:
		rt.PrefixListID = g.pl[r.IntN(len(g.pl))]
	case six:
		rt.Destination = g.pick6()
	default:
		rt.Destination = g.pick4()
	}
	switch r.IntN(8) {
	case 0, 1, 2:
		rt.TargetKind, rt.TargetID = inventory.RouteInternetGateway, fmt.Sprintf("igw-%d", vpc)
	case 3:
		rt.TargetKind, rt.TargetID = inventory.RouteInternetGateway, "igw-99" // attached nowhere
	case 4:
		rt.TargetKind, rt.TargetID = inventory.RouteNATGateway, "nat-1"
	case 5:
		rt.TargetKind, rt.TargetID = inventory.RouteEgressOnlyGateway, fmt.Sprintf("eigw-%d", vpc)
	case 6:
		rt.TargetKind, rt.TargetID = inventory.RoutePeering, "pcx-1"
	default:
		rt.TargetKind, rt.State = inventory.RouteBlackhole, inventory.RouteStateBlackhole
	}
	if r.IntN(10) == 0 {
		rt.State = inventory.RouteStateBlackhole
	}
	return rt
}

var naclProtos = []string{"-1", "6", "17", "1", "58"}

func (g *gen) naclEntries() []inventory.NACLEntry {
	r := g.r
	var out []inventory.NACLEntry
	for _, egress := range []bool{false, true} {
		used := map[int]bool{}
		for range r.IntN(5) {
			n := []int{1, 50, 90, 100, 101, 110, 200, 32766}[r.IntN(8)]
			if used[n] {
				continue
			}
			used[n] = true
			e := inventory.NACLEntry{RuleNumber: n, Egress: egress, Protocol: naclProtos[r.IntN(len(naclProtos))], CIDR: g.pickAny(),
				Action: inventory.NACLAllow, FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1}
			if r.IntN(3) == 0 {
				e.Action = inventory.NACLDeny
			}
			switch e.Protocol {
			case "6", "17":
				e.FromPort, e.ToPort = g.portRange()
				if r.IntN(3) == 0 {
					e.FromPort, e.ToPort = 1024, 65535
				}
			case "1", "58":
				if r.IntN(2) == 0 {
					e.ICMPType = []int{0, 3, 8, 128}[r.IntN(4)]
					if r.IntN(2) == 0 {
						e.ICMPCode = r.IntN(2)
					}
				}
			}
			out = append(out, e)
		}
		if r.IntN(4) > 0 && !used[100] && !used[101] {
			// the default ACL's allow-all, often after a deny
			out = append(out, inventory.NACLEntry{RuleNumber: 100, Egress: egress, Protocol: "-1", Action: inventory.NACLAllow, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
				inventory.NACLEntry{RuleNumber: 101, Egress: egress, Protocol: "-1", Action: inventory.NACLAllow, CIDR: "::/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1})
		}
		out = append(out, inventory.NACLEntry{RuleNumber: 32767, Egress: egress, Protocol: "-1", Action: inventory.NACLDeny, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1})
	}
	return out
}

func (g *gen) rule(id string, gids []string) inventory.Rule {
	r := g.r
	ru := inventory.Rule{ID: id, Direction: inventory.Ingress}
	switch r.IntN(6) {
	case 0:
		ru.Protocol, ru.FromPort, ru.ToPort = inventory.ProtocolAll, 0, 65535
	case 1:
		ru.Protocol = inventory.ProtocolUDP
		ru.FromPort, ru.ToPort = g.portRange()
	case 2:
		ru.Protocol = []string{inventory.ProtocolICMP, inventory.ProtocolICMPv6}[r.IntN(2)]
		ru.FromPort, ru.ToPort = -1, -1
		if r.IntN(2) == 0 {
			ru.FromPort = []int{0, 3, 8, 128}[r.IntN(4)]
			if r.IntN(2) == 0 {
				ru.ToPort = r.IntN(2)
			}
		}
	default:
		ru.Protocol = inventory.ProtocolTCP
		ru.FromPort, ru.ToPort = g.portRange()
	}
	ru.RawProtocol = ru.Protocol
	switch k := r.IntN(8); {
	case k == 0:
		ru.Peer = inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: g.pl[r.IntN(len(g.pl))]}
	case k == 1:
		ru.Peer = inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-lb" + strconv.Itoa(r.IntN(2))}
	case k == 2:
		ru.Peer = inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: g.pick6()}
	default:
		ru.Peer = inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: g.pick4()}
	}
	if ru.Peer.Kind == inventory.PeerCIDRv4 || ru.Peer.Kind == inventory.PeerCIDRv6 {
		// EC2 writes a CIDR with its own family's kind
		if strings.Contains(ru.Peer.CIDR, ":") {
			ru.Peer.Kind = inventory.PeerCIDRv6
		}
	}
	return ru
}

func (g *gen) loadBalancer(inv *inventory.Inventory, l int, subnets []*inventory.Subnet, gids []string) {
	r := g.r
	arn := func(s string) string { return "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":" + s }
	typ := []string{inventory.LoadBalancerApplication, inventory.LoadBalancerNetwork, inventory.LoadBalancerClassic}[r.IntN(3)]
	lb := inventory.LoadBalancer{ARN: arn(fmt.Sprintf("loadbalancer/x/lb%d/1", l)), Name: fmt.Sprintf("lb%d", l), AccountID: acct, Region: region,
		Type: typ, Scheme: inventory.SchemeInternetFacing, VPCID: subnets[0].VPCID, IPAddressType: "ipv4"}
	if r.IntN(4) == 0 {
		lb.Scheme = inventory.SchemeInternal
	}
	if r.IntN(3) == 0 {
		lb.IPAddressType = "dualstack"
	}
	for _, s := range subnets {
		if r.IntN(2) == 0 {
			lb.SubnetIDs = append(lb.SubnetIDs, s.ID)
		}
	}
	if len(lb.SubnetIDs) == 0 {
		lb.SubnetIDs = []string{subnets[0].ID}
	}
	if typ != inventory.LoadBalancerNetwork || r.IntN(2) == 0 {
		// the load balancer's own groups, which target rules may reference
		id := "sg-lb" + strconv.Itoa(l%2)
		if !slices.ContainsFunc(inv.SecurityGroups, func(s inventory.SecurityGroup) bool { return s.ID == id }) {
			var rules []inventory.Rule
			if r.IntN(2) == 0 {
				rules = append(rules, inventory.Rule{ID: fmt.Sprintf("sgr-lb%d9", l), Direction: inventory.Ingress, Protocol: inventory.ProtocolAll, RawProtocol: "-1",
					FromPort: 0, ToPort: 65535, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}})
			}
			for j := range 1 + r.IntN(3) {
				rules = append(rules, g.rule(fmt.Sprintf("sgr-lb%d%d", l, j), gids))
			}
			inv.SecurityGroups = append(inv.SecurityGroups, inventory.SecurityGroup{ARN: "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id,
				ID: id, Name: id, AccountID: acct, Region: region, VPCID: "vpc-0", Rules: inventory.SortedRules(rules)})
		}
		lb.SecurityGroupIDs = []string{id}
	}
	nifs := len(inv.NetworkInterfaces)
	for k := range 1 + r.IntN(2) {
		port := portPool[r.IntN(len(portPool))]
		if port == 0 {
			port = 443
		}
		tport := portPool[1+r.IntN(len(portPool)-1)]
		proto := []string{"TCP", "HTTP", "UDP", "TCP_UDP"}[r.IntN(4)]
		if typ == inventory.LoadBalancerClassic {
			proto = "TCP"
			lb.Listeners = append(lb.Listeners, inventory.Listener{Protocol: proto, Port: port, InstanceProtocol: "TCP", InstancePort: tport})
			continue
		}
		tgARN := arn(fmt.Sprintf("targetgroup/tg%d%d/1", l, k))
		tg := inventory.TargetGroup{ARN: tgARN, Name: "tg", AccountID: acct, Region: region, Port: tport, TargetType: inventory.TargetTypeInstance,
			LoadBalancerARNs: []string{lb.ARN}, PreserveClientIP: r.IntN(2) == 0}
		if r.IntN(2) == 0 {
			tg.TargetType = inventory.TargetTypeIP
		}
		for range 1 + r.IntN(2) {
			n := inv.NetworkInterfaces[r.IntN(nifs)]
			id := n.Resource
			if tg.TargetType == inventory.TargetTypeIP {
				id = n.PrivateIPs[0]
			}
			tg.Targets = append(tg.Targets, inventory.Target{ID: id, Port: []int{0, tport}[r.IntN(2)]})
		}
		inv.TargetGroups = append(inv.TargetGroups, tg)
		lb.Listeners = append(lb.Listeners, inventory.Listener{ARN: arn(fmt.Sprintf("listener/x/lb%d/1/%d", l, k)), Protocol: proto, Port: port, TargetGroupARNs: []string{tgARN}})
	}
	for range 1 + r.IntN(2) {
		lb.InstanceIDs = append(lb.InstanceIDs, inv.NetworkInterfaces[r.IntN(nifs)].Resource)
	}
	if typ != inventory.LoadBalancerClassic {
		lb.InstanceIDs = nil
	}
	lb.InstanceIDs = slices.Compact(slices.Sorted(slices.Values(lb.InstanceIDs)))
	inv.LoadBalancers = append(inv.LoadBalancers, lb)
}

// ---- the oracle: reads the inventory directly, one packet at a time ----

type oracle struct {
	inv    *inventory.Inventory
	memo   map[string]bool
	sorted map[*inventory.NetworkACL][]inventory.NACLEntry
}

func contains(cidr string, a netip.Addr) bool {
	p := netip.MustParsePrefix(cidr)
	return p.Addr().Is4() == a.Is4() && p.Contains(a)
}

func (o *oracle) prefixEntries(id string) []string {
	for _, pl := range o.inv.PrefixLists {
		if pl.ID == id {
			var out []string
			for _, e := range pl.Entries {
				out = append(out, e.CIDR)
			}
			return out
		}
	}
	return nil
}

// icmpMatch says whether a rule's type and code (-1 any) match the point
// type*256+code.
func icmpMatch(typ, code, point int) bool {
	return typ < 0 || point/256 == typ && (code < 0 || point%256 == code)
}

func (o *oracle) sgAdmits(groups []string, proto string, port int, src netip.Addr) (bool, bool) {
	ref := false
	for _, id := range groups {
		for _, g := range o.inv.SecurityGroups {
			if g.ID != id {
				continue
			}
			for _, r := range g.Rules.All() {
				if r.Direction != inventory.Ingress {
					continue
				}
				match := r.Protocol == inventory.ProtocolAll ||
					r.Protocol == proto && (hasPorts(proto) && r.FromPort <= port && port <= r.ToPort || !hasPorts(proto) && icmpMatch(r.FromPort, r.ToPort, port))
				if !match {
					continue
				}
				switch r.Peer.Kind {
				case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
					if contains(r.Peer.CIDR, src) {
						return true, ref
					}
				case inventory.PeerPrefixList:
					for _, c := range o.prefixEntries(r.Peer.PrefixListID) {
						if contains(c, src) {
							return true, ref
						}
					}
				}
			}
		}
	}
	return false, ref
}

func (o *oracle) sgRef(groups []string, lbGroups []string, proto string, port int) bool {
	for _, id := range groups {
		for _, g := range o.inv.SecurityGroups {
			if g.ID != id {
				continue
			}
			for _, r := range g.Rules.All() {
				if r.Direction == inventory.Ingress && r.Peer.Kind == inventory.PeerSecurityGroup && slices.Contains(lbGroups, r.Peer.GroupID) &&
					(r.Protocol == inventory.ProtocolAll || r.Protocol == proto && (hasPorts(proto) && r.FromPort <= port && port <= r.ToPort || !hasPorts(proto) && icmpMatch(r.FromPort, r.ToPort, port))) {
					return true
				}
			}
		}
	}
	return false
}

func (o *oracle) subnet(id string) *inventory.Subnet {
	for i := range o.inv.Subnets {
		if o.inv.Subnets[i].ID == id {
			return &o.inv.Subnets[i]
		}
	}
	return nil
}

func (o *oracle) routeTable(s *inventory.Subnet) *inventory.RouteTable {
	for i, t := range o.inv.RouteTables {
		if slices.Contains(t.SubnetIDs, s.ID) {
			return &o.inv.RouteTables[i]
		}
	}
	for i, t := range o.inv.RouteTables {
		if t.VPCID == s.VPCID && t.Main {
			return &o.inv.RouteTables[i]
		}
	}
	return nil
}

func (o *oracle) acl(s *inventory.Subnet) *inventory.NetworkACL {
	for i, a := range o.inv.NetworkACLs {
		if a.ID == s.NetworkACLID {
			return &o.inv.NetworkACLs[i]
		}
	}
	return nil
}

func (o *oracle) igw(vpc string) string {
	for _, g := range o.inv.InternetGateways {
		if slices.Contains(g.VPCIDs, vpc) {
			return g.ID
		}
	}
	return ""
}

// routesToIGW: longest prefix wins; at equal length a CIDR route beats a
// prefix-list route.
func (o *oracle) routesToIGW(t *inventory.RouteTable, igw string, src netip.Addr) bool {
	bestBits, bestPL := -1, true
	var best *inventory.Route
	for i := range t.Routes {
		r := &t.Routes[i]
		dests := []string{r.Destination}
		pl := r.PrefixListID != ""
		if pl {
			dests = o.prefixEntries(r.PrefixListID)
		}
		for _, d := range dests {
			if !contains(d, src) {
				continue
			}
			bits := netip.MustParsePrefix(d).Bits()
			if bits > bestBits || bits == bestBits && bestPL && !pl {
				bestBits, bestPL, best = bits, pl, r
			}
		}
	}
	return best != nil && best.State == inventory.RouteActive && best.TargetKind == inventory.RouteInternetGateway && best.TargetID == igw && igw != ""
}

func naclMatch(e inventory.NACLEntry, proto string, port int, a netip.Addr) bool {
	if !contains(e.CIDR, a) {
		return false
	}
	switch e.Protocol {
	case "-1":
		return true
	case protoNumber(proto):
		if hasPorts(proto) {
			return e.FromPort <= port && port <= e.ToPort
		}
		return icmpMatch(e.ICMPType, e.ICMPCode, port)
	}
	return false
}

// naclAllows: entries in rule-number order, the first match decides, no
// match denies.
func (o *oracle) naclAllows(acl *inventory.NetworkACL, egress bool, proto string, port int, a netip.Addr) bool {
	es, ok := o.sorted[acl]
	if !ok {
		es = slices.Clone(acl.Entries)
		slices.SortStableFunc(es, func(x, y inventory.NACLEntry) int { return x.RuleNumber - y.RuleNumber })
		o.sorted[acl] = es
	}
	for _, e := range es {
		if e.Egress == egress && naclMatch(e, proto, port, a) {
			return e.Action == inventory.NACLAllow
		}
	}
	return false
}

// replyOut: every ephemeral port must be allowed outbound to a, checked
// port by port (tcp and udp; icmp has no reply in the model). The ports
// tried are the probes in the ephemeral range: every NACL port range of a
// generated world starts and ends at a port of the pool, so a port
// between two probes is decided as its neighbours are.
func (o *oracle) replyOut(acl *inventory.NetworkACL, proto string, a netip.Addr) bool {
	if !hasPorts(proto) {
		return true
	}
	k := acl.ID + proto + a.String()
	if v, ok := o.memo[k]; ok {
		return v
	}
	ok := true
	for _, p := range probes(proto) {
		if p < EphemeralFrom {
			continue
		}
		if !o.naclAllows(acl, true, proto, p, a) {
			ok = false
			break
		}
	}
	o.memo[k] = ok
	return ok
}

type oVerdict struct {
	Open, Reachable bool
	Blocks          []string // kind:id
}

func (o *oracle) verdict(n *inventory.NetworkInterface, proto string, port int, src netip.Addr) oVerdict {
	var v oVerdict
	blocks := map[string]bool{}
	s := o.subnet(n.SubnetID)
	rt, acl, igw := o.routeTable(s), o.acl(s), o.igw(s.VPCID)
	if ok, _ := o.sgAdmits(n.GroupIDs, proto, port, src); ok {
		v.Open = true
		var b []string
		if src.Is4() && n.PublicIP == "" || src.Is6() && len(n.IPv6Addresses) == 0 {
			b = append(b, "network_interface:"+n.ID)
		}
		if igw == "" {
			b = append(b, "vpc:"+s.VPCID)
		}
		if !o.routesToIGW(rt, igw, src) {
			b = append(b, "route_table:"+rt.ID)
		}
		if !o.naclAllows(acl, false, proto, port, src) || !o.replyOut(acl, proto, src) {
			b = append(b, "network_acl:"+acl.ID)
		}
		if len(b) == 0 {
			v.Reachable = true
		}
		for _, x := range b {
			blocks[x] = true
		}
	}
	for _, lb := range o.inv.LoadBalancers {
		if lb.Scheme != inventory.SchemeInternetFacing || src.Is6() && lb.IPAddressType != "dualstack" {
			continue
		}
		for _, ls := range lb.Listeners {
			for _, e := range o.forwards(lb, ls, n) {
				if e.proto != proto || e.port != port {
					continue
				}
				v.Open = true
				var b, sgB []string
				if len(lb.SecurityGroupIDs) > 0 {
					if ok, _ := o.sgAdmits(lb.SecurityGroupIDs, proto, ls.Port, src); !ok {
						for _, id := range lb.SecurityGroupIDs {
							sgB = append(sgB, "security_group:"+id)
						}
					}
				}
				reach := false
				for _, sid := range lb.SubnetIDs {
					ls2 := o.subnet(sid)
					lrt, lacl, ligw := o.routeTable(ls2), o.acl(ls2), o.igw(ls2.VPCID)
					var fb []string
					if ligw == "" {
						fb = append(fb, "vpc:"+ls2.VPCID)
					}
					if !o.routesToIGW(lrt, ligw, src) {
						fb = append(fb, "route_table:"+lrt.ID)
					}
					if !o.naclAllows(lacl, false, proto, ls.Port, src) || !o.replyOut(lacl, proto, src) {
						fb = append(fb, "network_acl:"+lacl.ID)
					}
					fb = append(fb, o.leg(lb, e, n, acl, ls2, src)...)
					if len(fb) == 0 && len(sgB) == 0 {
						reach = true
					}
					b = append(b, fb...)
				}
				b = append(b, sgB...)
				if reach {
					v.Reachable = true
				}
				for _, x := range b {
					blocks[x] = true
				}
			}
		}
	}
	if !v.Reachable {
		for x := range blocks {
			v.Blocks = append(v.Blocks, x)
		}
		slices.Sort(v.Blocks)
	}
	return v
}

type oEntry struct {
	proto string
	port  int
	tg    *inventory.TargetGroup
}

// forwards lists how a listener reaches interface n.
func (o *oracle) forwards(lb inventory.LoadBalancer, ls inventory.Listener, n *inventory.NetworkInterface) []oEntry {
	var out []oEntry
	protos := listenerProtocols(ls.Protocol)
	if lb.Type == inventory.LoadBalancerClassic {
		if slices.Contains(lb.InstanceIDs, n.Resource) {
			for _, p := range listenerProtocols(ls.InstanceProtocol) {
				out = append(out, oEntry{p, ls.InstancePort, nil})
			}
		}
		return out
	}
	for i := range o.inv.TargetGroups {
		tg := &o.inv.TargetGroups[i]
		if !slices.Contains(ls.TargetGroupARNs, tg.ARN) {
			continue
		}
		for _, t := range tg.Targets {
			if tg.TargetType == inventory.TargetTypeInstance && t.ID == n.Resource || tg.TargetType == inventory.TargetTypeIP && slices.Contains(n.PrivateIPs, t.ID) {
				port := t.Port
				if port == 0 {
					port = tg.Port
				}
				for _, p := range protos {
					out = append(out, oEntry{p, port, tg})
				}
			}
		}
	}
	return out
}

// leg: from the load balancer's node in subnet ls2 to the target; the
// node's address is unknown, so every address of the subnet's IPv4 block
// must pass, one by one; or the client's own address when preserved.
func (o *oracle) leg(lb inventory.LoadBalancer, e oEntry, n *inventory.NetworkInterface, acl *inventory.NetworkACL, ls2 *inventory.Subnet, src netip.Addr) []string {
	preserve := lb.Type == inventory.LoadBalancerNetwork && e.tg != nil && e.tg.PreserveClientIP
	ref := o.sgRef(n.GroupIDs, lb.SecurityGroupIDs, e.proto, e.port)
	var b []string
	judge := func(a netip.Addr) (naclOK, sgOK bool) {
		naclOK = o.naclAllows(acl, false, e.proto, e.port, a) && o.replyOut(acl, e.proto, a)
		ok, _ := o.sgAdmits(n.GroupIDs, e.proto, e.port, a)
		return naclOK, ref || ok
	}
	naclOK, sgOK := true, true
	if preserve {
		naclOK, sgOK = judge(src)
	} else {
		k := fmt.Sprint("leg", lb.ARN, e.proto, e.port, n.ID, ls2.ID)
		kn, ks := k+"n", k+"s"
		if _, ok := o.memo[kn]; !ok {
			p := netip.MustParsePrefix(ls2.CIDRs[0])
			nOK, sOK := true, true
			for a := p.Addr(); p.Contains(a); a = a.Next() {
				x, y := judge(a)
				nOK, sOK = nOK && x, sOK && y
			}
			o.memo[kn], o.memo[ks] = nOK, sOK
		}
		naclOK, sgOK = o.memo[kn], o.memo[ks]
	}
	if !naclOK {
		b = append(b, "network_acl:"+acl.ID)
	}
	if !sgOK {
		for _, id := range n.GroupIDs {
			b = append(b, "security_group:"+id)
		}
	}
	return b
}

// probes are the ports the oracle tries: every port of the pool and its
// neighbours, and for icmp every type and code the generator uses.
func probes(proto string) []int {
	if !hasPorts(proto) {
		var out []int
		for _, t := range []int{0, 1, 3, 8, 9, 128, 255} {
			for _, c := range []int{0, 1, 2, 255} {
				out = append(out, t*256+c)
			}
		}
		return out
	}
	var out []int
	for _, p := range portPool {
		for _, q := range []int{p - 1, p, p + 1} {
			if q >= 0 && q <= 65535 {
				out = append(out, q)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sources are the source addresses the oracle tries: each block's first
// and last address and their outer neighbours, and random addresses.
func sources(r *rand.Rand) []netip.Addr {
	var out []netip.Addr
	for _, c := range append(slices.Clone(cidrPool4), cidrPool6...) {
		p := netip.MustParsePrefix(c)
		first := p.Addr()
		last := lastAddr(p)
		for _, a := range []netip.Addr{first, last, first.Prev(), last.Next()} {
			if a.IsValid() && Internet(a) {
				out = append(out, a)
			}
		}
	}
	for range 6 {
		var b4 [4]byte
		for i := range b4 {
			b4[i] = byte(r.IntN(256))
		}
		if a := netip.AddrFrom4(b4); Internet(a) {
			out = append(out, a)
		}
		var b6 [16]byte
		b6[0] = 0x20 | byte(r.IntN(32))
		for i := 1; i < 16; i++ {
			b6[i] = byte(r.IntN(256))
		}
		if a := netip.AddrFrom16(b6); Internet(a) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out)
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 1 << (7 - j)
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func TestOracle(t *testing.T) {
	cases := 2000
	if testing.Short() {
		cases = 200
	}
	checked := 0
	reachable, blocked, viaLB := 0, 0, 0
	for seed := range cases {
		r := rand.New(rand.NewPCG(uint64(seed), 11))
		g := &gen{r: r}
		inv := g.world()
		if err := inv.Check(); err != nil {
			t.Fatalf("seed %d: generated inventory is invalid: %v", seed, err)
		}
		o := &oracle{inv: inv, memo: map[string]bool{}, sorted: map[*inventory.NetworkACL][]inventory.NACLEntry{}}
		a := New(inv)
		srcs := sources(r)
		for i := range inv.NetworkInterfaces {
			n := &inv.NetworkInterfaces[i]
			ans, reason := a.Explain(i)
			if reason != "" {
				t.Fatalf("seed %d %s: not verified: %s", seed, n.ID, reason)
			}
			summary := a.Interface(i)
			for _, proto := range Protocols {
				for _, port := range probes(proto) {
					var sp *Port // the summary's answer for the port
					for k := range summary.Ports {
						if p := &summary.Ports[k]; p.Protocol == proto && p.FromPort <= port && port <= p.ToPort && hasPorts(proto) {
							sp = p
						}
					}
					wants := make([]oVerdict, 0, len(srcs))
					for _, src := range srcs {
						want := o.verdict(n, proto, port, src)
						wants = append(wants, want)
						if sp != nil && sp.Reachable && len(sp.UnreachedSources) < MaxUnreached {
							// The summary's unreached blocks are exactly the
							// admitted sources that reach by no entry.
							in := slices.ContainsFunc(sp.UnreachedSources, func(c string) bool { return netip.MustParsePrefix(c).Contains(src) })
							if in != (want.Open && !want.Reachable) {
								t.Fatalf("seed %d %s %s port %d from %s: in unreached %v = %v, oracle %+v", seed, n.ID, proto, port, src, sp.UnreachedSources, in, want)
							}
						}
						if (sp != nil) != want.Open && hasPorts(proto) && want.Open {
							t.Fatalf("seed %d %s %s port %d from %s: open for the oracle, absent from the summary %+v", seed, n.ID, proto, port, src, summary.Ports)
						}
						got := ans.Query(proto, port, src)
						gv := oVerdict{Open: got.Open, Reachable: got.Reachable}
						for _, b := range got.BlockedBy {
							gv.Blocks = append(gv.Blocks, b.Kind+":"+b.ID)
						}
						gv.Blocks = slices.Compact(slices.Sorted(slices.Values(gv.Blocks)))
						checked++
						if want.Reachable {
							reachable++
						} else if want.Open {
							blocked++
						}
						if want.Open == gv.Open && want.Reachable == gv.Reachable && slices.Equal(want.Blocks, gv.Blocks) {
							if got.Reachable && slices.ContainsFunc(got.Via, func(v Via) bool { return v.Kind == ViaLoadBalancer }) {
								viaLB++
							}
							continue
						}
						if diff := cmp.Diff(want, gv); diff != "" {
							t.Fatalf("seed %d %s %s port %d from %s (-oracle +analysis):\n%s\nanswer: %+v", seed, n.ID, proto, port, src, diff, got)
						}
					}
					// A block's answer agrees with its sampled sources: one
					// that reaches makes it reachable, one that is open makes
					// it open. (Every tenth world: it is the costly part.)
					for _, c := range append(slices.Clone(cidrPool4), cidrPool6...) {
						if seed%10 != 0 {
							break
						}
						pfx := netip.MustParsePrefix(c)
						got := ans.QueryPrefix(proto, port, pfx)
						for k, src := range srcs {
							if pfx.Contains(src) && (wants[k].Reachable && !got.Reachable || wants[k].Open && !got.Open) {
								t.Fatalf("seed %d %s %s port %d: block %s answers %+v, but %s is %+v for the oracle", seed, n.ID, proto, port, c, got, src, wants[k])
							}
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases, %d verdicts (%d reachable, %d of them through a load balancer; %d open but blocked)", cases, checked, reachable, viaLB, blocked)
	if reachable == 0 || blocked == 0 || viaLB == 0 {
		t.Errorf("the generator made no reachable (%d), no load-balancer (%d) or no blocked (%d) verdict", reachable, viaLB, blocked)
	}
}
