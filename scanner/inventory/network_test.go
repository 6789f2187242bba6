package inventory

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNetworkFieldsDocumented holds docs/inventory.md §16 to the network
// types: every JSON field of each is named there.
func TestNetworkFieldsDocumented(t *testing.T) {
	text := docPage(t)[16]
	if text == "" {
		t.Fatal("docs/inventory.md has no §16")
	}
	for _, v := range []any{Subnet{}, RouteTable{}, Route{}, NetworkACL{}, NACLEntry{}, InternetGateway{}, Address{}, LoadBalancer{}, Listener{}, TargetGroup{}, Target{}, ReachabilityVerdict{}} {
		typ := reflect.TypeOf(v)
		for _, name := range jsonFields(typ) {
			if !strings.Contains(text, "`"+name+"`") {
				t.Errorf("docs/inventory.md §16 does not document %s field %q", typ.Name(), name)
			}
		}
	}
	for _, k := range []string{KindSubnets, KindRouteTables, KindNetworkACLs, KindInternetGateways, KindEgressOnlyInternetGateways, KindAddresses, KindLoadBalancers, KindTargetGroups, KindClassicLoadBalancers} {
		if !strings.Contains(docPage(t)[5], "`"+k+"`") {
			t.Errorf("docs/inventory.md §5 does not document data kind %q", k)
		}
	}
	for _, k := range routeTargetKinds {
		if !strings.Contains(text, "`"+string(k)+"`") {
			t.Errorf("docs/inventory.md §16 does not document route target %q", k)
		}
	}
}

var routeTargetKinds = []RouteTarget{RouteInternetGateway, RouteEgressOnlyGateway, RouteNATGateway, RoutePeering, RouteTransitGateway,
	RouteVPCEndpoint, RouteNetworkInterface, RouteInstance, RouteLocal, RouteVPNGateway, RouteBlackhole, RouteOther}

// networkInventory is a small valid inventory with one of everything.
func networkInventory() *Inventory {
	const acct, region = "111122223333", "eu-west-1"
	arn := func(s string) string { return "arn:aws:elasticloadbalancing:eu-west-1:111122223333:" + s }
	return &Inventory{
		SchemaVersion: SchemaVersion,
		Accounts:      []Account{{ID: acct, Partition: "aws"}},
		Coverage:      []Coverage{{AccountID: acct, Region: region, Status: CoverageOK, Collected: []string{KindSubnets}}},
		NetworkInterfaces: []NetworkInterface{{ID: "eni-1", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetID: "subnet-1",
			PrivateIPs: []string{"10.0.0.9", "10.0.0.5"}, PublicIPs: []string{"203.0.113.5"}, IPv6Addresses: []string{"2001:db8::5"}, Primary: true}},
		Subnets: []Subnet{{ID: "subnet-1", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"2001:db8::/64", "10.0.0.0/24"}, NetworkACLID: "acl-1"}},
		RouteTables: []RouteTable{{ID: "rtb-1", AccountID: acct, Region: region, VPCID: "vpc-1", Main: true, Routes: []Route{
			{Destination: "10.0.0.0/16", TargetKind: RouteLocal, TargetID: "local", State: RouteActive},
			{Destination: "0.0.0.0/0", TargetKind: RouteInternetGateway, TargetID: "igw-1", State: RouteActive},
			{PrefixListID: "pl-12345678", TargetKind: RouteBlackhole, State: RouteStateBlackhole},
		}}},
		NetworkACLs: []NetworkACL{{ID: "acl-1", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}, Entries: []NACLEntry{
			{RuleNumber: 32767, Egress: false, Protocol: "-1", Action: NACLDeny, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
			{RuleNumber: 100, Egress: true, Protocol: "-1", Action: NACLAllow, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
			{RuleNumber: 100, Egress: false, Protocol: "6", Action: NACLAllow, CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, ICMPType: -1, ICMPCode: -1},
			{RuleNumber: 90, Egress: false, Protocol: "1", Action: NACLAllow, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: 8, ICMPCode: -1},
		}}},
		InternetGateways:           []InternetGateway{{ID: "igw-1", AccountID: acct, Region: region, VPCIDs: []string{"vpc-1"}}},
		EgressOnlyInternetGateways: []InternetGateway{{ID: "eigw-1", AccountID: acct, Region: region, VPCIDs: []string{"vpc-1"}}},
		Addresses:                  []Address{{AllocationID: "eipalloc-1", AccountID: acct, Region: region, PublicIP: "203.0.113.5", NetworkInterfaceID: "eni-1", PrivateIP: "10.0.0.5"}},
		LoadBalancers: []LoadBalancer{{ARN: arn("loadbalancer/net/nlb/1"), Name: "nlb", AccountID: acct, Region: region, Type: LoadBalancerNetwork,
			Scheme: SchemeInternetFacing, VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"},
			Listeners: []Listener{{ARN: arn("listener/net/nlb/1/2"), Protocol: "TCP", Port: 5432, TargetGroupARNs: []string{arn("targetgroup/db/1")}}}}},
		TargetGroups: []TargetGroup{{ARN: arn("targetgroup/db/1"), Name: "db", AccountID: acct, Region: region, VPCID: "vpc-1", Protocol: "TCP", Port: 5432,
			TargetType: TargetTypeIP, LoadBalancerARNs: []string{arn("loadbalancer/net/nlb/1")}, Targets: []Target{{ID: "10.0.0.9", Port: 5432}}}},
	}
}

// TestNetworkRoundTrip: a valid network inventory passes Check, sorts as
// documented, and comes back unchanged through its JSON.
func TestNetworkRoundTrip(t *testing.T) {
	inv := networkInventory()
	if err := inv.Check(); err != nil {
		t.Fatal(err)
	}
	inv.Sort()
	e := inv.NetworkACLs[0].Entries
	if got := []int{e[0].RuleNumber, e[1].RuleNumber, e[2].RuleNumber}; !e[3].Egress || !cmp.Equal(got, []int{90, 100, 32767}) {
		t.Errorf("entries not in (egress, rule number) order: %+v", e)
	}
	if got := inv.Subnets[0].CIDRs; !cmp.Equal(got, []string{"10.0.0.0/24", "2001:db8::/64"}) {
		t.Errorf("cidrs = %v", got)
	}
	data, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	back.Sort()
	back.SecurityGroups = nil // Decode always makes the group list
	if diff := cmp.Diff(inv, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestNetworkCheck: each bad value is refused, naming the list, index and
// field.
func TestNetworkCheck(t *testing.T) {
	for _, tt := range []struct {
		name  string
		edit  func(*Inventory)
		wantS string
	}{
		{"subnet id", func(inv *Inventory) { inv.Subnets[0].ID = "sub-1" }, `subnets[0]: id "sub-1"`},
		{"subnet cidr", func(inv *Inventory) { inv.Subnets[0].CIDRs[0] = "10.0.0.1/24" }, `subnets[0]: cidrs[0] "10.0.0.1/24": not canonical`},
		{"route target", func(inv *Inventory) { inv.RouteTables[0].Routes[1].TargetKind = "gateway" }, `route_tables[0]: routes[1].target_kind "gateway"`},
		{"route target id", func(inv *Inventory) { inv.RouteTables[0].Routes[1].TargetID = "nat-1" }, `route_tables[0]: routes[1].target_id "nat-1"`},
		{"route state", func(inv *Inventory) { inv.RouteTables[0].Routes[0].State = "Active" }, `routes[0].state "Active"`},
		{"route both", func(inv *Inventory) { inv.RouteTables[0].Routes[0].PrefixListID = "pl-12345678" }, `routes[0].prefix_list_id`},
		{"nacl protocol", func(inv *Inventory) { inv.NetworkACLs[0].Entries[0].Protocol = "tcp" }, `entries[0].protocol "tcp"`},
		{"nacl rule number", func(inv *Inventory) { inv.NetworkACLs[0].Entries[2].RuleNumber = 0 }, `entries[2].rule_number "0"`},
		{"nacl ports", func(inv *Inventory) { inv.NetworkACLs[0].Entries[2].FromPort = 23 }, `entries[2].from_port "23"`},
		{"nacl icmp on tcp", func(inv *Inventory) { inv.NetworkACLs[0].Entries[2].ICMPType = 0 }, `entries[2].icmp_type "0"`},
		{"nacl action", func(inv *Inventory) { inv.NetworkACLs[0].Entries[0].Action = "DENY" }, `entries[0].action "DENY"`},
		{"igw", func(inv *Inventory) { inv.InternetGateways[0].ID = "eigw-1" }, `internet_gateways[0]: id "eigw-1"`},
		{"address", func(inv *Inventory) { inv.Addresses[0].PublicIP = "2001:db8::1" }, `addresses[0]: public_ip "2001:db8::1"`},
		{"interface ip", func(inv *Inventory) { inv.NetworkInterfaces[0].IPv6Addresses[0] = "2001:DB8::5" }, `network_interfaces[0]: ipv6_addresses[0]`},
		{"lb scheme", func(inv *Inventory) { inv.LoadBalancers[0].Scheme = "public" }, `load_balancers[0]: scheme "public"`},
		{"lb arn", func(inv *Inventory) {
			inv.LoadBalancers[0].ARN = "arn:aws:elasticloadbalancing:us-east-1:111122223333:x"
		}, `load_balancers[0]: arn`},
		{"listener port", func(inv *Inventory) { inv.LoadBalancers[0].Listeners[0].Port = 0 }, `listeners[0].port "0"`},
		{"target ip", func(inv *Inventory) { inv.TargetGroups[0].Targets[0].ID = "i-1" }, `targets[0].id "i-1"`},
		{"target type", func(inv *Inventory) { inv.TargetGroups[0].TargetType = "IP" }, `target_type "IP"`},
		{"duplicate differs", func(inv *Inventory) {
			s := inv.Subnets[0]
			s.CIDRs = []string{"10.1.0.0/24"}
			inv.Subnets = append(inv.Subnets, s)
		}, `subnets[0] and [1]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inv := networkInventory()
			tt.edit(inv)
			err := inv.Check()
			var ve *ValueError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tt.wantS) {
				t.Errorf("Check() = %v, want a *ValueError containing %q", err, tt.wantS)
			}
		})
	}
}

// TestNetworkDuplicateSameKept: the same item twice (one file given twice)
// is kept once.
func TestNetworkDuplicateSameKept(t *testing.T) {
	inv := networkInventory()
	inv.RouteTables = append(inv.RouteTables, networkInventory().RouteTables...)
	if err := inv.Check(); err != nil {
		t.Fatal(err)
	}
	if len(inv.RouteTables) != 1 {
		t.Errorf("%d route tables, want 1", len(inv.RouteTables))
	}
}

// FuzzDecodeNetwork: whatever Decode accepts in the network lists is what
// their checks accept (every item passes, one item per key), NACL entries
// are in the forms AWS writes, and the inventory survives a round trip
// through its JSON unchanged.
func FuzzDecodeNetwork(f *testing.F) {
	seed := networkInventory()
	seed.Sort()
	data, err := json.Marshal(seed)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Decode(data); err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(strings.Replace(string(data), `"rule_number":90`, `"rule_number":32768`, 1)))
	f.Add([]byte(strings.Replace(string(data), `"target_kind":"igw"`, `"target_kind":"nat"`, 1)))
	f.Add([]byte(strings.Replace(string(data), `"subnets":[`, `"subnets":[{"id":"subnet-1","account_id":"111122223333","region":"eu-west-1","vpc_id":"vpc-1","cidrs":["10.0.0.0/24"]},`, 1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Decode(data)
		if err != nil {
			return
		}
		check := func(list string, n int, key func(int) string, valid func(int) string) {
			seen := map[string]bool{}
			for i := range n {
				if reason := valid(i); reason != "" {
					t.Fatalf("%s[%d] accepted: %s", list, i, reason)
				}
				if k := key(i); seen[k] {
					t.Fatalf("%s: %s accepted twice", list, k)
				} else {
					seen[k] = true
				}
			}
		}
		check("subnets", len(inv.Subnets), func(i int) string { s := inv.Subnets[i]; return s.AccountID + s.Region + s.ID },
			func(i int) string { _, _, r := checkSubnet(inv.Subnets[i]); return r })
		check("route_tables", len(inv.RouteTables), func(i int) string { s := inv.RouteTables[i]; return s.AccountID + s.Region + s.ID },
			func(i int) string { _, _, r := checkRouteTable(inv.RouteTables[i]); return r })
		check("network_acls", len(inv.NetworkACLs), func(i int) string { s := inv.NetworkACLs[i]; return s.AccountID + s.Region + s.ID },
			func(i int) string { _, _, r := checkNetworkACL(inv.NetworkACLs[i]); return r })
		check("load_balancers", len(inv.LoadBalancers), func(i int) string { return inv.LoadBalancers[i].ARN },
			func(i int) string { _, _, r := checkLoadBalancer(inv.LoadBalancers[i]); return r })
		check("target_groups", len(inv.TargetGroups), func(i int) string { return inv.TargetGroups[i].ARN },
			func(i int) string { _, _, r := checkTargetGroup(inv.TargetGroups[i]); return r })
		for _, a := range inv.NetworkACLs {
			for _, e := range a.Entries {
				if e.RuleNumber < 1 || e.RuleNumber > NACLDefaultRuleNumber || e.Action != NACLAllow && e.Action != NACLDeny {
					t.Fatalf("entry %+v accepted", e)
				}
				if c, _, ok := CanonicalCIDR(e.CIDR); !ok || c != e.CIDR {
					t.Fatalf("entry CIDR %q accepted", e.CIDR)
				}
			}
		}
		inv.Sort()
		out, err := json.Marshal(inv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(out)
		if err != nil {
			t.Fatalf("an accepted inventory, written back, is refused: %v", err)
		}
		back.Sort()
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(out) {
			t.Fatalf("round trip changed the inventory:\n%s\n%s", out, again)
		}
	})
}
