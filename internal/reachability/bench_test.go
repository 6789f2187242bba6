package reachability

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/sgaudit/sgaudit/internal/cputime"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func cidrRule(id, proto string, from, to int, c string) inventory.Rule {
	k := inventory.PeerCIDRv4
	if len(c) > 0 && c[len(c)-3:] != "/0" && c[0] == ':' || c == "::/0" {
		k = inventory.PeerCIDRv6
	}
	return inventory.Rule{ID: id, Direction: inventory.Ingress, Protocol: proto, RawProtocol: proto, FromPort: from, ToPort: to, Peer: inventory.Peer{Kind: k, CIDR: c}}
}

// benchWorld builds n interfaces in n/100 VPCs of four subnets each (two
// public, routed to an internet gateway with a more specific peering
// route; two private, routed to a NAT gateway), two NACLs per VPC (the
// default allow-all, and one that denies SSH before allowing all and lets
// only ephemeral ports out), n groups of ~8 rules, 1-3 random groups per
// interface (mostly distinct sets, so caching by set does not hide the
// cost), 60% of interfaces public, some IPv6, and one internet-facing
// network load balancer per 1,000 interfaces with ten ip targets.
func benchWorld(n int) *inventory.Inventory {
	r := rand.New(rand.NewPCG(uint64(n), 3))
	all := append([]string{inventory.KindSecurityGroups}, inventory.NetworkKinds...)
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Accounts:      []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage:      []inventory.Coverage{{AccountID: acct, Region: region, Status: inventory.CoverageOK, Collected: append(all, inventory.LoadBalancerKinds...)}},
	}
	vpcs := max(1, n/100)
	entry := func(num int, egress bool, proto string, action inventory.NACLAction, c string, from, to int) inventory.NACLEntry {
		return inventory.NACLEntry{RuleNumber: num, Egress: egress, Protocol: proto, Action: action, CIDR: c, FromPort: from, ToPort: to, ICMPType: -1, ICMPCode: -1}
	}
	for v := range vpcs {
		vpc := fmt.Sprintf("vpc-%d", v)
		igw := fmt.Sprintf("igw-%d", v)
		inv.InternetGateways = append(inv.InternetGateways, inventory.InternetGateway{ID: igw, AccountID: acct, Region: region, VPCIDs: []string{vpc}})
		local := inventory.Route{Destination: "10.0.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive}
		inv.RouteTables = append(inv.RouteTables,
			inventory.RouteTable{ID: fmt.Sprintf("rtb-m%d", v), AccountID: acct, Region: region, VPCID: vpc, Main: true, Routes: []inventory.Route{local,
				{Destination: "0.0.0.0/0", TargetKind: inventory.RouteNATGateway, TargetID: "nat-1", State: inventory.RouteActive}}},
			inventory.RouteTable{ID: fmt.Sprintf("rtb-p%d", v), AccountID: acct, Region: region, VPCID: vpc, SubnetIDs: []string{fmt.Sprintf("subnet-%da", v), fmt.Sprintf("subnet-%db", v)},
				Routes: []inventory.Route{local,
					{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: igw, State: inventory.RouteActive},
					{Destination: "::/0", TargetKind: inventory.RouteInternetGateway, TargetID: igw, State: inventory.RouteActive},
					{Destination: "198.51.100.0/24", TargetKind: inventory.RoutePeering, TargetID: "pcx-1", State: inventory.RouteActive}}})
		inv.NetworkACLs = append(inv.NetworkACLs,
			inventory.NetworkACL{ID: fmt.Sprintf("acl-d%d", v), AccountID: acct, Region: region, VPCID: vpc, IsDefault: true,
				SubnetIDs: []string{fmt.Sprintf("subnet-%da", v), fmt.Sprintf("subnet-%dc", v)}, Entries: []inventory.NACLEntry{
					entry(100, false, "-1", inventory.NACLAllow, "0.0.0.0/0", -1, -1), entry(101, false, "-1", inventory.NACLAllow, "::/0", -1, -1),
					entry(32767, false, "-1", inventory.NACLDeny, "0.0.0.0/0", -1, -1),
					entry(100, true, "-1", inventory.NACLAllow, "0.0.0.0/0", -1, -1), entry(101, true, "-1", inventory.NACLAllow, "::/0", -1, -1),
					entry(32767, true, "-1", inventory.NACLDeny, "0.0.0.0/0", -1, -1)}},
			inventory.NetworkACL{ID: fmt.Sprintf("acl-r%d", v), AccountID: acct, Region: region, VPCID: vpc,
				SubnetIDs: []string{fmt.Sprintf("subnet-%db", v), fmt.Sprintf("subnet-%dd", v)}, Entries: []inventory.NACLEntry{
					entry(90, false, "6", inventory.NACLDeny, "0.0.0.0/0", 22, 22), entry(100, false, "-1", inventory.NACLAllow, "0.0.0.0/0", -1, -1),
					entry(110, false, "6", inventory.NACLAllow, "::/0", 0, 65535),
					entry(32767, false, "-1", inventory.NACLDeny, "0.0.0.0/0", -1, -1),
					entry(100, true, "6", inventory.NACLAllow, "0.0.0.0/0", 1024, 65535), entry(110, true, "17", inventory.NACLAllow, "0.0.0.0/0", 32768, 65535),
					entry(32767, true, "-1", inventory.NACLDeny, "0.0.0.0/0", -1, -1)}})
		for _, s := range "abcd" {
			id := fmt.Sprintf("subnet-%d%c", v, s)
			sn := inventory.Subnet{ID: id, AccountID: acct, Region: region, VPCID: vpc, CIDRs: []string{fmt.Sprintf("10.0.%d.0/24", s-'a')}}
			inv.Subnets = append(inv.Subnets, sn)
		}
	}
	inv.SecurityGroups = make([]inventory.SecurityGroup, n)
	for i := range n {
		rid := func(k int) string { return fmt.Sprintf("sgr-%d-%d", i, k) }
		rules := []inventory.Rule{
			cidrRule(rid(0), "tcp", 443, 443, "0.0.0.0/0"),
			cidrRule(rid(1), "tcp", 443, 443, "::/0"),
			cidrRule(rid(2), "tcp", 22, 22, "10.0.0.0/8"),
			cidrRule(rid(3), "tcp", 5432, 5432, "172.16.0.0/12"),
			cidrRule(rid(4), "udp", 53, 53, "10.1.0.0/16"),
			cidrRule(rid(5), "icmp", 8, -1, "0.0.0.0/0"),
		}
		switch k := r.IntN(100); {
		case k < 10:
			rules = append(rules, cidrRule(rid(6), "tcp", 22, 22, "0.0.0.0/0"))
		case k < 12:
			rules = append(rules, cidrRule(rid(6), "tcp", 8000, 9000, "0.0.0.0/1"), cidrRule(rid(7), "tcp", 8080, 8080, "128.0.0.0/1"))
		case k < 13:
			rules = append(rules, cidrRule(rid(6), "all", 0, 65535, "0.0.0.0/0"))
		case k < 20:
			rules = append(rules, cidrRule(rid(6), "tcp", 5432, 5432, "0.0.0.0/0"))
		}
		id := fmt.Sprintf("sg-%d", i)
		inv.SecurityGroups[i] = inventory.SecurityGroup{ARN: "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id, ID: id, Name: id,
			AccountID: acct, Region: region, VPCID: "vpc-0", Rules: inventory.SortedRules(rules)}
	}
	inv.NetworkInterfaces = make([]inventory.NetworkInterface, n)
	for i := range n {
		v := r.IntN(vpcs)
		s := "abcd"[r.IntN(4)]
		var gs []string
		for range 1 + r.IntN(3) {
			gs = append(gs, fmt.Sprintf("sg-%d", r.IntN(n)))
		}
		ni := inventory.NetworkInterface{ID: fmt.Sprintf("eni-%08d", i), Type: "interface", AccountID: acct, Region: region, VPCID: fmt.Sprintf("vpc-%d", v),
			SubnetID: fmt.Sprintf("subnet-%d%c", v, s), GroupIDs: gs, PrivateIPs: []string{fmt.Sprintf("10.0.%d.%d", s-'a', 4+i%250)}, Resource: fmt.Sprintf("i-%d", i), Primary: true}
		if r.IntN(10) < 6 {
			ni.PublicIP = fmt.Sprintf("54.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		}
		if r.IntN(10) == 0 {
			ni.IPv6Addresses = []string{fmt.Sprintf("2600::%x", i+1)}
		}
		inv.NetworkInterfaces[i] = ni
	}
	for l := range n / 1000 {
		arn := func(s string) string { return "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":" + s }
		tg := inventory.TargetGroup{ARN: arn(fmt.Sprintf("targetgroup/t%d/1", l)), Name: "t", AccountID: acct, Region: region, Port: 5432, Protocol: "TCP",
			TargetType: inventory.TargetTypeInstance, PreserveClientIP: true}
		for k := range 10 {
			tg.Targets = append(tg.Targets, inventory.Target{ID: fmt.Sprintf("i-%d", l*1000+k*7), Port: 5432})
		}
		v := r.IntN(vpcs)
		inv.TargetGroups = append(inv.TargetGroups, tg)
		inv.LoadBalancers = append(inv.LoadBalancers, inventory.LoadBalancer{ARN: arn(fmt.Sprintf("loadbalancer/net/n%d/1", l)), Name: "n", AccountID: acct, Region: region,
			Type: inventory.LoadBalancerNetwork, Scheme: inventory.SchemeInternetFacing, VPCID: fmt.Sprintf("vpc-%d", v),
			SubnetIDs: []string{fmt.Sprintf("subnet-%da", v), fmt.Sprintf("subnet-%db", v)},
			Listeners: []inventory.Listener{{ARN: arn(fmt.Sprintf("listener/net/n%d/1/1", l)), Protocol: "TCP", Port: 5432, TargetGroupARNs: []string{tg.ARN}}}})
	}
	inv.Sort()
	return inv
}

// BenchmarkAnalyze reports ns per interface (wall, and process CPU time
// on all cores, GC included) for the whole analysis: indexing, every
// candidate interface's verdicts and their summary.
func BenchmarkAnalyze(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		inv := benchWorld(n)
		b.Run(fmt.Sprintf("interfaces=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			reach := 0
			cpu0, cpuOK := cputime.Used()
			for b.Loop() {
				out := Analyze(inv)
				reach = 0
				for _, it := range out {
					for _, p := range it.Ports {
						if p.Reachable {
							reach++
						}
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/interface")
			if cpu1, ok := cputime.Used(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N)/float64(n), "cpu-ns/interface")
			}
			b.ReportMetric(float64(reach), "reachable-ports")
		})
	}
}

// TestBenchWorldValid keeps the benchmark's world an inventory sgaudit
// accepts, with reachable and blocked ports.
func TestBenchWorldValid(t *testing.T) {
	inv := benchWorld(2000)
	if err := inv.Check(); err != nil {
		t.Fatal(err)
	}
	reach, blocked, lb := 0, 0, 0
	for _, it := range Analyze(inv) {
		if it.NotVerified != "" {
			t.Fatalf("%s: %s", it.ID, it.NotVerified)
		}
		for _, p := range it.Ports {
			switch {
			case p.Reachable && p.Via[0].Kind == ViaLoadBalancer:
				lb++
			case p.Reachable:
				reach++
			default:
				blocked++
			}
		}
	}
	if reach == 0 || blocked == 0 || lb == 0 {
		t.Errorf("reachable %d, through a load balancer %d, blocked %d: want some of each", reach, lb, blocked)
	}
}
