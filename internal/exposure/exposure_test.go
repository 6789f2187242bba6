package exposure

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const (
	acct   = "111111111111"
	region = "eu-west-1"
)

// testServices is a small catalogue with the shapes that matter: a
// tcp/udp service, ranges, a udp-only port.
var testServices = []Service{
	{Name: "FTP", Protocols: []string{"tcp"}, FromPort: 20, ToPort: 21},
	{Name: "SSH", Protocols: []string{"tcp", "udp"}, FromPort: 22, ToPort: 22},
	{Name: "Telnet", Protocols: []string{"tcp"}, FromPort: 23, ToPort: 23},
	{Name: "RDP", Protocols: []string{"tcp", "udp"}, FromPort: 3389, ToPort: 3389},
	{Name: "MSSQL Browser", Protocols: []string{"udp"}, FromPort: 1434, ToPort: 1434},
}

var allServices = []string{"FTP", "SSH", "Telnet", "MSSQL Browser", "RDP"}

func cidr(c string) inventory.Peer {
	if strings.Contains(c, ":") {
		return inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: c}
	}
	return inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: c}
}

func prefixList(id string) inventory.Peer {
	return inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: id}
}

func sgPeer(id string) inventory.Peer {
	return inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: id, GroupOwner: acct}
}

func in(proto string, from, to int, peer inventory.Peer) inventory.Rule {
	return inventory.Rule{Direction: inventory.Ingress, Protocol: proto, FromPort: from, ToPort: to, Peer: peer}
}

func out(proto string, from, to int, peer inventory.Peer) inventory.Rule {
	r := in(proto, from, to, peer)
	r.Direction = inventory.Egress
	return r
}

func group(id string, rules ...inventory.Rule) inventory.SecurityGroup {
	for i := range rules {
		rules[i].ID = fmt.Sprintf("sgr-%s-%d", id, i)
	}
	return inventory.SecurityGroup{ID: id, Name: id, AccountID: acct, Region: region, Rules: inventory.NewRules(rules...)}
}

func eni(id, publicIP string, groups ...string) inventory.NetworkInterface {
	return inventory.NetworkInterface{
		ID: id, Type: "interface", AccountID: acct, Region: region, PublicIP: publicIP,
		Resource: "i-" + strings.TrimPrefix(id, "eni-"), GroupIDs: groups,
	}
}

func exposure(id, publicIP string, ports ...findings.ExposedPort) findings.Exposure {
	return findings.Exposure{
		AccountID: acct, Region: region, NetworkInterfaceID: id, InterfaceType: "interface",
		PublicIP: publicIP, Resource: "i-" + strings.TrimPrefix(id, "eni-"), Ports: ports,
	}
}

func port(proto string, from, to int, groups, peers []string, services ...string) findings.ExposedPort {
	if len(services) == 0 {
		services = nil
	}
	return findings.ExposedPort{Protocol: proto, FromPort: from, ToPort: to, Services: services, GroupIDs: groups, Peers: peers}
}

func ids(s ...string) []string { return s }

func TestCompute(t *testing.T) {
	t.Parallel()
	worldPL := inventory.PrefixList{ID: "pl-world", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "0.0.0.0/0"}}}
	officePL := inventory.PrefixList{ID: "pl-office", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "192.168.0.0/16"}}}
	halfPL := inventory.PrefixList{ID: "pl-half", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "0.0.0.0/1"}}}

	tests := []struct {
		name string
		inv  inventory.Inventory
		want []findings.Exposure
	}{
		{
			name: "single group: only world peers, each port its own entry",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-1",
					in("tcp", 22, 22, cidr("0.0.0.0/0")),
					in("tcp", 443, 443, cidr("::/0")),
					in("tcp", 5432, 5432, cidr("10.0.0.0/8")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-1")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 22, 22, ids("sg-1"), ids("0.0.0.0/0"), "SSH"),
				port("tcp", 443, 443, ids("sg-1"), ids("::/0")),
			)},
		},
		{
			name: "union of two groups: each port names every group that opens it",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 22, 22, cidr("0.0.0.0/0"))),
					group("sg-b", in("tcp", 22, 22, cidr("0.0.0.0/0")), in("tcp", 3389, 3389, cidr("0.0.0.0/0"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-b", "sg-a")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 22, 22, ids("sg-a", "sg-b"), ids("0.0.0.0/0"), "SSH"),
				port("tcp", 3389, 3389, ids("sg-b"), ids("0.0.0.0/0"), "RDP"),
			)},
		},
		{
			name: "adjacent ranges merge only where the groups and peers agree",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 20, 22, cidr("0.0.0.0/0")), in("tcp", 23, 25, cidr("0.0.0.0/0"))),
					group("sg-b", in("tcp", 24, 30, cidr("0.0.0.0/0"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 20, 23, ids("sg-a"), ids("0.0.0.0/0"), "FTP", "SSH", "Telnet"),
				port("tcp", 24, 25, ids("sg-a", "sg-b"), ids("0.0.0.0/0")),
				port("tcp", 26, 30, ids("sg-b"), ids("0.0.0.0/0")),
			)},
		},
		{
			name: "cidr halves across groups are the world only where both apply",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 20, 22, cidr("0.0.0.0/1"))),
					group("sg-b", in("tcp", 22, 100, cidr("128.0.0.0/1"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 22, 22, ids("sg-a", "sg-b"), ids("0.0.0.0/1", "128.0.0.0/1"), "SSH"),
			)},
		},
		{
			name: "cidrs covering the space within one group, nested block left out",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a",
						in("tcp", 443, 443, cidr("192.0.0.0/2")),
						in("tcp", 443, 443, cidr("10.0.0.0/8")),
						in("tcp", 443, 443, cidr("0.0.0.0/1")),
						in("tcp", 443, 443, cidr("128.0.0.0/2")),
					),
					group("sg-private", in("tcp", 443, 443, cidr("172.16.0.0/12"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-private")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 443, 443, ids("sg-a"), ids("0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2")),
			)},
		},
		{
			name: "cidrs with a gap are not the world",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("tcp", 22, 22, cidr("0.0.0.0/1")),
					in("tcp", 22, 22, cidr("192.0.0.0/2")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "prefix list with 0.0.0.0/0 is the world, one without is not",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 22, 22, prefixList("pl-world"))),
					group("sg-b", in("tcp", 3389, 3389, prefixList("pl-office"))),
				},
				PrefixLists:       []inventory.PrefixList{officePL, worldPL},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 22, 22, ids("sg-a"), ids("pl-world"), "SSH"),
			)},
		},
		{
			name: "prefix list entries join the cidr union",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("udp", 22, 22, prefixList("pl-half"))),
					group("sg-b", in("udp", 22, 22, cidr("128.0.0.0/1"))),
				},
				PrefixLists:       []inventory.PrefixList{halfPL},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("udp", 22, 22, ids("sg-a", "sg-b"), ids("128.0.0.0/1", "pl-half"), "SSH"),
			)},
		},
		{
			name: "prefix list matched by account and region, and unknown lists ignored",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("tcp", 22, 22, prefixList("pl-world")),
					in("tcp", 23, 23, prefixList("pl-missing")),
				)},
				PrefixLists: []inventory.PrefixList{
					{ID: "pl-world", AccountID: acct, Region: "us-east-1", Entries: worldPL.Entries},
					{ID: "pl-world", AccountID: "222222222222", Region: region, Entries: worldPL.Entries},
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "::/0 only",
			inv: inventory.Inventory{
				SecurityGroups:    []inventory.SecurityGroup{group("sg-a", in("udp", 1434, 1434, cidr("::/0")))},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("udp", 1434, 1434, ids("sg-a"), ids("::/0"), "MSSQL Browser"),
			)},
		},
		{
			name: "ipv6 halves across groups",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 22, 22, cidr("::/1"))),
					group("sg-b", in("tcp", 22, 22, cidr("8000::/1"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "2001:db8::1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "2001:db8::1",
				port("tcp", 22, 22, ids("sg-a", "sg-b"), ids("::/1", "8000::/1"), "SSH"),
			)},
		},
		{
			name: "ipv4-mapped ipv6 halves are not the ipv4 world",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("tcp", 22, 22, cidr("::ffff:0.0.0.0/97")),
					in("tcp", 22, 22, cidr("::ffff:128.0.0.0/97")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "an ipv4 half and an ipv6 half are no family's world",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("tcp", 22, 22, cidr("0.0.0.0/1")),
					in("tcp", 22, 22, cidr("8000::/1")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "protocol all: one all entry; a protocol's own rule is listed only where it opens the port too",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("all", 0, 65535, cidr("0.0.0.0/0"))),
					group("sg-b", in("tcp", 22, 22, cidr("0.0.0.0/0")), in("tcp", 80, 80, cidr("0.0.0.0/1"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("all", 0, 65535, ids("sg-a"), ids("0.0.0.0/0"), allServices...),
				port("tcp", 22, 22, ids("sg-a", "sg-b"), ids("0.0.0.0/0"), "SSH"),
			)},
		},
		{
			name: "protocol all half and a tcp half make tcp 22 the world",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("-1", 0, 65535, cidr("0.0.0.0/1"))),
					group("sg-b", in("tcp", 22, 22, cidr("128.0.0.0/1"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("tcp", 22, 22, ids("sg-a", "sg-b"), ids("0.0.0.0/1", "128.0.0.0/1"), "SSH"),
			)},
		},
		{
			name: "icmp, icmpv6 and numbered protocols are kept without ports",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a",
						in("icmp", 8, 0, cidr("0.0.0.0/0")),
						in("icmp", 0, -1, cidr("0.0.0.0/0")),
						in("icmpv6", -1, -1, cidr("::/0")),
						in("47", -1, -1, cidr("0.0.0.0/0")),
						in("50", -1, -1, cidr("10.0.0.0/8")),
					),
					group("sg-b", in("icmp", 3, 4, cidr("0.0.0.0/0"))),
				},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a", "sg-b")},
			},
			want: []findings.Exposure{exposure("eni-1", "203.0.113.1",
				port("icmp", -1, -1, ids("sg-a", "sg-b"), ids("0.0.0.0/0")),
				port("icmpv6", -1, -1, ids("sg-a"), ids("::/0")),
				port("47", -1, -1, ids("sg-a"), ids("0.0.0.0/0")),
			)},
		},
		{
			name: "icmp halves on different types reach no type from the whole world",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("icmp", 0, -1, cidr("0.0.0.0/1")),
					in("icmp", 8, -1, cidr("128.0.0.0/1")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "private cidrs, group references and egress are ignored",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a",
					in("tcp", 22, 22, cidr("10.0.0.0/8")),
					in("tcp", 22, 22, cidr("172.16.0.0/12")),
					in("tcp", 22, 22, cidr("192.168.0.0/16")),
					in("tcp", 22, 22, cidr("fd00::/8")),
					in("all", 0, 65535, sgPeer("sg-a")),
					in("tcp", 0, 65535, sgPeer("sg-other")),
					out("all", 0, 65535, cidr("0.0.0.0/0")),
					out("all", 0, 65535, cidr("::/0")),
				)},
				NetworkInterfaces: []inventory.NetworkInterface{eni("eni-1", "203.0.113.1", "sg-a")},
			},
			want: []findings.Exposure{},
		},
		{
			name: "interface without a public ip is ignored",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{group("sg-a", in("tcp", 22, 22, cidr("0.0.0.0/0")))},
				NetworkInterfaces: []inventory.NetworkInterface{
					eni("eni-private", "", "sg-a"),
					eni("eni-blank", "  ", "sg-a"),
				},
			},
			want: []findings.Exposure{},
		},
		{
			name: "network interfaces are authoritative; attachments fill in what they lack",
			inv: inventory.Inventory{
				SecurityGroups: []inventory.SecurityGroup{
					group("sg-a", in("tcp", 22, 22, cidr("0.0.0.0/0"))),
					func() inventory.SecurityGroup {
						g := group("sg-b", in("tcp", 3389, 3389, cidr("0.0.0.0/0")))
						g.Attachments = []inventory.Attachment{
							// stale: eni-1 lists only sg-a
							{NetworkInterfaceID: "eni-1", PublicIP: "203.0.113.1"},
							// not in NetworkInterfaces (imported describe-security-groups data)
							{NetworkInterfaceID: "eni-2", InterfaceType: "interface", PublicIP: "203.0.113.2", Resource: "i-2"},
							// listed as private: an attachment cannot make it public
							{NetworkInterfaceID: "eni-5", PublicIP: "203.0.113.5"},
							// listed without group ids: attachments supply them
							{NetworkInterfaceID: "eni-6"},
						}
						return g
					}(),
				},
				NetworkInterfaces: []inventory.NetworkInterface{
					eni("eni-1", "203.0.113.1", "sg-a"),
					// the same group id in another region is another group
					{ID: "eni-3", AccountID: acct, Region: "us-east-1", PublicIP: "198.51.100.3", GroupIDs: []string{"sg-a"}},
					// a group the inventory lacks cannot be judged
					eni("eni-4", "203.0.113.4", "sg-unknown"),
					eni("eni-5", "", "sg-a"),
					eni("eni-6", "203.0.113.6"),
				},
			},
			want: []findings.Exposure{
				exposure("eni-1", "203.0.113.1", port("tcp", 22, 22, ids("sg-a"), ids("0.0.0.0/0"), "SSH")),
				exposure("eni-2", "203.0.113.2", port("tcp", 3389, 3389, ids("sg-b"), ids("0.0.0.0/0"), "RDP")),
				exposure("eni-6", "203.0.113.6", port("tcp", 3389, 3389, ids("sg-b"), ids("0.0.0.0/0"), "RDP")),
			},
		},
		{
			name: "nil inventory lists",
			inv:  inventory.Inventory{},
			want: []findings.Exposure{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Compute(&tt.inv, testServices)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compute (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComputeNilInventory(t *testing.T) {
	t.Parallel()
	if got := Compute(nil, testServices); got == nil || len(got) != 0 {
		t.Errorf("Compute(nil) = %#v, want an empty non-nil slice", got)
	}
}

// randomInventory builds interfaces over random groups whose rules mix
// world, partial and private blocks, prefix lists, group references and
// all protocols, on a small port space so ranges overlap often.
func randomInventory(r *rand.Rand, nGroups, nENIs int) inventory.Inventory {
	blocks := []string{
		"0.0.0.0/0", "0.0.0.0/1", "128.0.0.0/1", "64.0.0.0/2", "192.0.0.0/2", "0.0.0.0/2", "128.0.0.0/2", "10.0.0.0/8",
		"::/0", "::/1", "8000::/1", "4000::/2", "::ffff:0.0.0.0/96",
	}
	protos := []string{"tcp", "tcp", "tcp", "udp", "all", "icmp", "47"}
	inv := inventory.Inventory{
		PrefixLists: []inventory.PrefixList{
			{ID: "pl-1", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "0.0.0.0/1"}, {CIDR: "10.0.0.0/8"}}},
			{ID: "pl-2", AccountID: acct, Region: region, Entries: []inventory.PrefixListEntry{{CIDR: "::/0"}}},
		},
	}
	for g := range nGroups {
		var rules []inventory.Rule
		for range 1 + r.IntN(5) {
			proto := protos[r.IntN(len(protos))]
			from := r.IntN(30)
			to := from + r.IntN(8)
			switch proto {
			case "all":
				from, to = 0, 65535
			case "icmp":
				from, to = r.IntN(4)-1, -1
			case "47":
				from, to = -1, -1
			}
			var peer inventory.Peer
			switch k := r.IntN(10); {
			case k == 0:
				peer = prefixList(fmt.Sprintf("pl-%d", 1+r.IntN(2)))
			case k == 1:
				peer = sgPeer(fmt.Sprintf("sg-%d", r.IntN(nGroups)))
			default:
				peer = cidr(blocks[r.IntN(len(blocks))])
			}
			rules = append(rules, in(proto, from, to, peer))
		}
		inv.SecurityGroups = append(inv.SecurityGroups, group(fmt.Sprintf("sg-%d", g), rules...))
	}
	for e := range nENIs {
		var gs []string
		for range 1 + r.IntN(3) {
			gs = append(gs, fmt.Sprintf("sg-%d", r.IntN(nGroups)))
		}
		ip := ""
		if r.IntN(4) > 0 {
			ip = fmt.Sprintf("203.0.113.%d", e%250)
		}
		inv.NetworkInterfaces = append(inv.NetworkInterfaces, eni(fmt.Sprintf("eni-%d", e), ip, gs...))
	}
	return inv
}

// TestComputeDeterministic shuffles every list of an inventory and expects
// the same exposures, in the canonical order.
func TestComputeDeterministic(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	inv := randomInventory(r, 40, 200)
	want := Compute(&inv, testServices)
	if len(want) < 20 {
		t.Fatalf("only %d exposures; the random inventory exercises too little", len(want))
	}
	for i := range 5 {
		shuffled := inv
		shuffled.SecurityGroups = slices.Clone(inv.SecurityGroups)
		shuffled.NetworkInterfaces = slices.Clone(inv.NetworkInterfaces)
		shuffled.PrefixLists = slices.Clone(inv.PrefixLists)
		shuffle(r, shuffled.SecurityGroups)
		shuffle(r, shuffled.NetworkInterfaces)
		shuffle(r, shuffled.PrefixLists)
		for j := range shuffled.SecurityGroups {
			g := &shuffled.SecurityGroups[j]
			rules := g.Rules.Slice()
			shuffle(r, rules)
			g.Rules = inventory.NewRules(rules...)
		}
		for j := range shuffled.NetworkInterfaces {
			n := &shuffled.NetworkInterfaces[j]
			n.GroupIDs = slices.Clone(n.GroupIDs)
			shuffle(r, n.GroupIDs)
		}
		for j := range shuffled.PrefixLists {
			p := &shuffled.PrefixLists[j]
			p.Entries = slices.Clone(p.Entries)
			shuffle(r, p.Entries)
		}
		got := Compute(&shuffled, testServices)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("shuffle %d changed the result (-want +got):\n%s", i, diff)
		}
	}
	sorted := slices.IsSortedFunc(want, func(a, b findings.Exposure) int {
		return strings.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID)
	})
	if !sorted {
		t.Error("exposures are not sorted by interface id")
	}
}

func shuffle[T any](r *rand.Rand, s []T) {
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}

// TestComputeAgainstBruteForce checks, on random inventories, that the
// ports Compute reports are exactly those an independent per-port oracle
// finds open to the world, and that every group and peer listed for a range
// really admits that protocol and every port of it. The random blocks are
// either no longer than /2 or too narrow to fill a /2, so "covers the
// family" is simply "each of the four /2 quarters has its first address
// inside an admitted block".
func TestComputeAgainstBruteForce(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	inv := randomInventory(r, 30, 300)
	got := Compute(&inv, testServices)

	groups := map[string]inventory.SecurityGroup{}
	for _, g := range inv.SecurityGroups {
		groups[g.ID] = g
	}
	pls := map[string][]string{}
	for _, p := range inv.PrefixLists {
		for _, e := range p.Entries {
			pls[p.ID] = append(pls[p.ID], e.CIDR)
		}
	}
	byENI := map[string]findings.Exposure{}
	for _, e := range got {
		byENI[e.NetworkInterfaceID] = e
	}

	type admitted struct{ group, peer, cidr string }
	// admits lists the (group, peer, block) that let proto at pos in,
	// where pos is a port (tcp/udp), an ICMP type, or 0.
	admits := func(gids []string, proto string, pos int) []admitted {
		var out []admitted
		for _, gid := range gids {
			for _, ru := range groups[gid].Rules.All() {
				// The rule semantics, written out again rather than
				// reusing rangeOf: ports for tcp/udp, the type (-1 any)
				// for icmp, nothing for other protocols.
				if ru.Protocol != "all" {
					if ru.Protocol != proto {
						continue
					}
					if (proto == "tcp" || proto == "udp") && (pos < ru.FromPort || pos > ru.ToPort) {
						continue
					}
					if proto == "icmp" && ru.FromPort != -1 && ru.FromPort != pos {
						continue
					}
				}
				switch ru.Peer.Kind {
				case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
					out = append(out, admitted{gid, ru.Peer.CIDR, ru.Peer.CIDR})
				case inventory.PeerPrefixList:
					for _, c := range pls[ru.Peer.PrefixListID] {
						out = append(out, admitted{gid, ru.Peer.PrefixListID, c})
					}
				}
			}
		}
		return out
	}
	world := func(as []admitted) bool {
		for _, quarters := range [][]string{{"0.0.0.0", "64.0.0.0", "128.0.0.0", "192.0.0.0"}, {"::", "4000::", "8000::", "c000::"}} {
			all := true
			for _, q := range quarters {
				a := netip.MustParseAddr(q)
				if !slices.ContainsFunc(as, func(x admitted) bool { return netip.MustParsePrefix(x.cidr).Contains(a) }) {
					all = false
					break
				}
			}
			if all {
				return true
			}
		}
		return false
	}

	checked := 0
	for _, n := range inv.NetworkInterfaces {
		if n.PublicIP == "" {
			if _, ok := byENI[n.ID]; ok {
				t.Errorf("%s has no public IP but is reported", n.ID)
			}
			continue
		}
		e := byENI[n.ID]
		reported := map[string]bool{} // "proto/pos"
		allOpen := false
		for _, p := range e.Ports {
			if p.Protocol == "all" {
				allOpen = true
			}
			positions := []int{0}
			switch p.Protocol {
			case "tcp", "udp":
				positions = positions[:0]
				for pos := p.FromPort; pos <= p.ToPort; pos++ {
					positions = append(positions, pos)
				}
			case "icmp":
				positions = positions[:0]
				for pos := range 256 {
					if world(admits(n.GroupIDs, "icmp", pos)) {
						positions = append(positions, pos)
					}
				}
				if len(positions) == 0 {
					t.Errorf("%s: icmp reported but no ICMP type is open to the world", n.ID)
				}
			}
			for _, pos := range positions {
				reported[p.Protocol+"/"+strconv.Itoa(pos)] = true
				as := admits(n.GroupIDs, p.Protocol, pos)
				if !world(as) {
					t.Errorf("%s: %s %d reported but not open to the world", n.ID, p.Protocol, pos)
				}
				if p.Protocol == "icmp" {
					continue // the -1 entry folds the types; checked per type above
				}
				for _, gid := range p.GroupIDs {
					if !slices.ContainsFunc(as, func(a admitted) bool { return a.group == gid }) {
						t.Errorf("%s: %s %d names %s, which does not admit it", n.ID, p.Protocol, pos, gid)
					}
				}
				for _, peer := range p.Peers {
					if !slices.ContainsFunc(as, func(a admitted) bool { return a.peer == peer }) {
						t.Errorf("%s: %s %d names peer %s, which does not admit it", n.ID, p.Protocol, pos, peer)
					}
				}
			}
		}
		// Every port the oracle finds open is reported, under its protocol
		// or under the all entry.
		for _, proto := range []string{"tcp", "udp"} {
			for pos := range 40 {
				if world(admits(n.GroupIDs, proto, pos)) {
					checked++
					if !reported[proto+"/"+strconv.Itoa(pos)] && !allOpen {
						t.Errorf("%s: %s %d is open to the world but not reported", n.ID, proto, pos)
					}
				}
			}
		}
		for pos := range 256 {
			if world(admits(n.GroupIDs, "icmp", pos)) && !reported["icmp/"+strconv.Itoa(pos)] && !allOpen {
				t.Errorf("%s: icmp type %d is open to the world but not reported", n.ID, pos)
			}
		}
		if world(admits(n.GroupIDs, "47", 0)) && !reported["47/0"] && !allOpen {
			t.Errorf("%s: protocol 47 is open to the world but not reported", n.ID)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d open ports checked; the random inventory exercises too little", checked)
	}
}
