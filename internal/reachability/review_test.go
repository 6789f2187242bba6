package reachability

import (
	"testing"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// reviewWorld is one VPC with an internet gateway: a public subnet
// (subnet-pub, its route table rtb-pub), a private one (subnet-priv, the
// main table: local only), a NACL allowing everything, an instance eni-web
// with a public address in subnet-pub whose group admits tcp 22 and 443
// from anywhere, and an internet-facing ALB in subnet-pub forwarding
// HTTPS:443 to eni-app (no public address) in subnet-priv.
func reviewWorld(defaultRoute inventory.Route) *inventory.Inventory {
	all := func(egress bool) inventory.NACLEntry {
		return inventory.NACLEntry{RuleNumber: 100, Egress: egress, Protocol: inventory.NACLProtocolAll, Action: inventory.NACLAllow, CIDR: "0.0.0.0/0",
			FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1}
	}
	world := func(id string, ports ...int) inventory.SecurityGroup {
		var rules []inventory.Rule
		for _, p := range ports {
			rules = append(rules, inventory.Rule{ID: id + "-r" + portText(p, p), Direction: inventory.Ingress, Protocol: inventory.ProtocolTCP, RawProtocol: "tcp",
				FromPort: p, ToPort: p, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}})
		}
		return inventory.SecurityGroup{ARN: "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id, ID: id, Name: id, AccountID: acct, Region: region,
			VPCID: "vpc-1", Rules: inventory.SortedRules(rules)}
	}
	local := inventory.Route{Destination: "10.0.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive}
	arn := "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":"
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Accounts:      []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: acct, Region: region, Status: inventory.CoverageOK,
			Collected: append(append([]string{inventory.KindSecurityGroups, inventory.KindPrefixLists}, inventory.NetworkKinds...), inventory.LoadBalancerKinds...)}},
		Subnets: []inventory.Subnet{
			{ID: "subnet-priv", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.2.0/24"}, NetworkACLID: "acl-1"},
			{ID: "subnet-pub", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.1.0/24"}, RouteTableID: "rtb-pub", NetworkACLID: "acl-1"},
		},
		RouteTables: []inventory.RouteTable{
			{ID: "rtb-main", AccountID: acct, Region: region, VPCID: "vpc-1", Main: true, SubnetIDs: []string{}, Routes: []inventory.Route{local}},
			{ID: "rtb-pub", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-pub"}, Routes: []inventory.Route{local, defaultRoute}},
		},
		NetworkACLs: []inventory.NetworkACL{{ID: "acl-1", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-priv", "subnet-pub"},
			Entries: []inventory.NACLEntry{all(false), all(true)}}},
		InternetGateways: []inventory.InternetGateway{{ID: "igw-1", AccountID: acct, Region: region, VPCIDs: []string{"vpc-1"}}},
		SecurityGroups:   []inventory.SecurityGroup{world("sg-alb", 443), world("sg-app", 443), world("sg-web", 22, 443)},
		NetworkInterfaces: []inventory.NetworkInterface{
			{ID: "eni-app", Type: "interface", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetID: "subnet-priv", Resource: "i-app", Primary: true,
				PrivateIPs: []string{"10.0.2.10"}, GroupIDs: []string{"sg-app"}},
			{ID: "eni-web", Type: "interface", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetID: "subnet-pub", Resource: "i-web", Primary: true,
				PrivateIPs: []string{"10.0.1.10"}, PublicIP: "54.0.0.1", GroupIDs: []string{"sg-web"}},
		},
		LoadBalancers: []inventory.LoadBalancer{{ARN: arn + "loadbalancer/app/alb/1", Name: "alb", AccountID: acct, Region: region,
			Type: inventory.LoadBalancerApplication, Scheme: inventory.SchemeInternetFacing, VPCID: "vpc-1", IPAddressType: "ipv4",
			SubnetIDs: []string{"subnet-pub"}, SecurityGroupIDs: []string{"sg-alb"},
			Listeners: []inventory.Listener{{ARN: arn + "listener/app/alb/1/1", Protocol: "HTTPS", Port: 443, TargetGroupARNs: []string{arn + "targetgroup/tg/1"}}}}},
		TargetGroups: []inventory.TargetGroup{{ARN: arn + "targetgroup/tg/1", Name: "tg", AccountID: acct, Region: region, Protocol: "HTTPS", Port: 443,
			TargetType: inventory.TargetTypeInstance, LoadBalancerARNs: []string{arn + "loadbalancer/app/alb/1"},
			Targets: []inventory.Target{{ID: "i-app", Port: 443, Health: "healthy"}}}},
	}
	inv.Sort()
	return inv
}

// portOf returns the verdict on tcp port of interface id.
func portOf(t *testing.T, res []Interface, id string, port int) Port {
	t.Helper()
	for _, it := range res {
		if it.ID != id {
			continue
		}
		if it.NotVerified != "" {
			return Port{Unverified: "interface: " + it.NotVerified}
		}
		for _, p := range it.Ports {
			if p.Protocol == inventory.ProtocolTCP && p.FromPort <= port && port <= p.ToPort {
				return p
			}
		}
	}
	t.Fatalf("no verdict for %s tcp %d in %+v", id, port, res)
	return Port{}
}

// TestApplianceRouteNotVerified: a subnet whose default route goes to a
// firewall or Gateway Load Balancer endpoint, an appliance's interface or
// instance (AWS Network Firewall, GWLB inspection with ingress routing on
// the internet gateway) does reach the internet through the appliance,
// which the model does not follow (docs/reachability.md §5): the answer
// must be "not verified", never a verified "not reachable" that lowers a
// finding's severity. A NAT gateway, peering or blackhole route really
// breaks the path, and a NACL denying the port blocks it whatever the
// route says.
func TestApplianceRouteNotVerified(t *testing.T) {
	route := func(kind inventory.RouteTarget, id string) inventory.Route {
		return inventory.Route{Destination: "0.0.0.0/0", TargetKind: kind, TargetID: id, State: inventory.RouteActive}
	}
	for _, tc := range []struct {
		name      string
		route     inventory.Route
		unverfied bool
	}{
		{"gwlb or firewall endpoint", route(inventory.RouteVPCEndpoint, "vpce-1"), true},
		{"appliance interface", route(inventory.RouteNetworkInterface, "eni-fw"), true},
		{"appliance instance", route(inventory.RouteInstance, "i-fw"), true},
		{"carrier or core network", route(inventory.RouteOther, "cagw-1"), true},
		{"nat gateway", route(inventory.RouteNATGateway, "nat-1"), false},
		{"peering", route(inventory.RoutePeering, "pcx-1"), false},
		{"blackhole", inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteBlackhole, State: inventory.RouteStateBlackhole}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Analyze(reviewWorld(tc.route))
			for _, id := range []string{"eni-web", "eni-app"} {
				p := portOf(t, res, id, 443)
				if p.Reachable {
					t.Errorf("%s 443: reachable through %s", id, tc.route.TargetKind)
				}
				if got := p.Unverified != ""; got != tc.unverfied {
					t.Errorf("%s 443: unverified %v (%q), want %v; blocked by %v", id, got, p.Unverified, tc.unverfied, p.BlockedBy)
				}
			}
			v := Verdicts(res, reviewWorld(tc.route))
			want := inventory.VerdictNotReachable
			if tc.unverfied {
				want = inventory.VerdictNotVerified
			}
			for _, r := range v[inventory.ReachabilityKey(acct, region, "sg-web")] {
				if r.FromPort <= 443 && 443 <= r.ToPort && r.Verdict != want {
					t.Errorf("sg-web 443: verdict %s, want %s (%s)", r.Verdict, want, r.Detail)
				}
			}
		})
	}
}

// TestALBBehindNLBNotVerified: an internet-facing NLB may forward to an
// internal ALB (a target group of type alb), which forwards to its own
// targets: those targets are reached from the internet through a chain
// the model does not follow. Their ports must be "not verified", never a
// verified "not reachable" (here eni-web's own public path is cut by a
// NAT route, which alone would say so).
func TestALBBehindNLBNotVerified(t *testing.T) {
	inv := reviewWorld(inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteNATGateway, TargetID: "nat-1", State: inventory.RouteActive})
	arn := "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":"
	alb := &inv.LoadBalancers[0]
	alb.Scheme = inventory.SchemeInternal
	inv.TargetGroups[0].Targets = append(inv.TargetGroups[0].Targets, inventory.Target{ID: "i-web", Port: 443})
	// The NLB sits in a public subnet of its own.
	inv.Subnets = append(inv.Subnets, inventory.Subnet{ID: "subnet-nlb", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.3.0/24"}, RouteTableID: "rtb-nlb", NetworkACLID: "acl-1"})
	inv.NetworkACLs[0].SubnetIDs = append(inv.NetworkACLs[0].SubnetIDs, "subnet-nlb")
	inv.RouteTables = append(inv.RouteTables, inventory.RouteTable{ID: "rtb-nlb", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-nlb"},
		Routes: []inventory.Route{{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive}}})
	inv.LoadBalancers = append(inv.LoadBalancers, inventory.LoadBalancer{ARN: arn + "loadbalancer/net/nlb/1", Name: "nlb", AccountID: acct, Region: region,
		Type: inventory.LoadBalancerNetwork, Scheme: inventory.SchemeInternetFacing, VPCID: "vpc-1", IPAddressType: "ipv4", SubnetIDs: []string{"subnet-nlb"},
		Listeners: []inventory.Listener{{ARN: arn + "listener/net/nlb/1/1", Protocol: "TCP", Port: 443, TargetGroupARNs: []string{arn + "targetgroup/to-alb/1"}}}})
	inv.TargetGroups = append(inv.TargetGroups, inventory.TargetGroup{ARN: arn + "targetgroup/to-alb/1", Name: "to-alb", AccountID: acct, Region: region,
		Protocol: "TCP", Port: 443, TargetType: inventory.TargetTypeALB, LoadBalancerARNs: []string{arn + "loadbalancer/net/nlb/1"},
		Targets: []inventory.Target{{ID: alb.ARN, Port: 443}}})
	inv.Sort()
	res := Analyze(inv)
	p := portOf(t, res, "eni-web", 443)
	if p.Reachable || p.Unverified == "" {
		t.Errorf("eni-web 443 behind internal ALB behind internet-facing NLB: reachable %v, unverified %q, blocked by %v; want not verified", p.Reachable, p.Unverified, p.BlockedBy)
	}
	// Its port 22 is no target of anything: the NAT route verifies it.
	if p := portOf(t, res, "eni-web", 22); p.Reachable || p.Unverified != "" {
		t.Errorf("eni-web 22: reachable %v, unverified %q; want verified not reachable", p.Reachable, p.Unverified)
	}
}

// TestLBNodeAddressesPartlyAdmitted: a target behind a load balancer that
// does not preserve client addresses sees a node's address, one of its
// subnet's block, which one unknown (docs/reachability.md §2). A group or
// NACL admitting part of that block (AWS's advice for a network load
// balancer without groups: its nodes' private addresses, as /32 rules) may
// admit the node: "not verified", not a verified "not reachable". Admitting
// none of it is a verified block.
func TestLBNodeAddressesPartlyAdmitted(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cidrs      []string
		unverified bool
	}{
		{"node addresses as /32", []string{"10.0.1.5/32", "10.0.1.77/32"}, true},
		{"half the subnet", []string{"10.0.1.0/25"}, true},
		{"another subnet", []string{"10.0.9.0/24"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := reviewWorld(inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive})
			lb := &inv.LoadBalancers[0]
			lb.Type, lb.SecurityGroupIDs = inventory.LoadBalancerNetwork, nil
			lb.Listeners[0].Protocol = "TCP"
			inv.TargetGroups[0].Protocol, inv.TargetGroups[0].TargetType = "TCP", inventory.TargetTypeIP
			inv.TargetGroups[0].Targets = []inventory.Target{{ID: "10.0.2.10", Port: 443}}
			for i := range inv.SecurityGroups {
				if g := &inv.SecurityGroups[i]; g.ID == "sg-app" {
					var rules []inventory.Rule
					for k, c := range tc.cidrs {
						rules = append(rules, inventory.Rule{ID: "sgr-app" + portText(k, k), Direction: inventory.Ingress, Protocol: inventory.ProtocolTCP, RawProtocol: "tcp",
							FromPort: 443, ToPort: 443, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: c}})
					}
					g.Rules = inventory.SortedRules(rules)
				}
			}
			p := portOf(t, Analyze(inv), "eni-app", 443)
			if p.Reachable {
				t.Fatalf("reachable: %v", p.Path)
			}
			if got := p.Unverified != ""; got != tc.unverified {
				t.Errorf("unverified %v (%q), want %v; blocked by %v", got, p.Unverified, tc.unverified, p.BlockedBy)
			}
		})
	}
}

// TestQUICListeners: a network load balancer's QUIC listener carries UDP
// and TCP_QUIC both; their targets are reached like any other's (they were
// no entry at all, so a target whose own path was cut read "not
// reachable").
func TestQUICListeners(t *testing.T) {
	for _, proto := range []string{"QUIC", "TCP_QUIC"} {
		t.Run(proto, func(t *testing.T) {
			inv := reviewWorld(inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive})
			lb := &inv.LoadBalancers[0]
			lb.Type, lb.SecurityGroupIDs = inventory.LoadBalancerNetwork, nil
			lb.Listeners[0].Protocol = proto
			inv.TargetGroups[0].Protocol = proto
			for i := range inv.SecurityGroups {
				if g := &inv.SecurityGroups[i]; g.ID == "sg-app" {
					g.Rules = inventory.SortedRules([]inventory.Rule{{ID: "sgr-app", Direction: inventory.Ingress, Protocol: inventory.ProtocolAll, RawProtocol: "-1",
						FromPort: 0, ToPort: 65535, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}}})
				}
			}
			var udp *Port
			for _, it := range Analyze(inv) {
				for i, p := range it.Ports {
					if it.ID == "eni-app" && p.Protocol == inventory.ProtocolUDP && p.FromPort <= 443 && 443 <= p.ToPort {
						udp = &it.Ports[i]
					}
				}
			}
			if udp == nil || !udp.Reachable || len(udp.Via) == 0 || udp.Via[0].Kind != ViaLoadBalancer {
				t.Errorf("eni-app udp 443 behind a %s listener: %+v, want reachable via the load balancer", proto, udp)
			}
		})
	}
}

// TestUnknownListenerProtocol: a listener protocol the model does not
// know (one AWS adds later) still forwards to its targets: their port is
// "not verified", not a verified "not reachable" from their own path.
func TestUnknownListenerProtocol(t *testing.T) {
	inv := reviewWorld(inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteNATGateway, TargetID: "nat-1", State: inventory.RouteActive})
	inv.LoadBalancers[0].Listeners[0].Protocol = "SCTP"
	inv.TargetGroups[0].Targets = append(inv.TargetGroups[0].Targets, inventory.Target{ID: "i-web", Port: 443})
	p := portOf(t, Analyze(inv), "eni-web", 443)
	if p.Reachable || p.Unverified == "" {
		t.Errorf("eni-web 443 behind an SCTP listener: reachable %v, unverified %q, blocked by %v; want not verified", p.Reachable, p.Unverified, p.BlockedBy)
	}
}
