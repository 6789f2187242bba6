package inventory

import (
	"cmp"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

func TestSortCompactsEverySlice(t *testing.T) {
	ssh := Rule{ID: "sgr-2", Direction: Ingress, Protocol: ProtocolTCP, FromPort: 22, ToPort: 22, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}}
	web := Rule{ID: "sgr-1", Direction: Ingress, Protocol: ProtocolTCP, FromPort: 443, ToPort: 443, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}}
	inv := &Inventory{
		SecurityGroups: append(make([]SecurityGroup, 0, 8),
			SecurityGroup{ID: "sg-b", Rules: NewRules(ssh, web), Attachments: nil},
			SecurityGroup{ID: "sg-a", Rules: NewRules(web), UsedBy: append(make([]Evidence, 0, 4), Evidence{Kind: UsedByENI, ID: "eni-1"})},
		),
		PrefixLists:       append(make([]PrefixList, 0, 4), PrefixList{ID: "pl-1", Entries: append(make([]PrefixListEntry, 0, 8), PrefixListEntry{CIDR: "10.0.0.0/8"})}),
		NetworkInterfaces: append(make([]NetworkInterface, 0, 4), NetworkInterface{ID: "eni-1", GroupIDs: append(make([]string, 0, 8), "sg-a")}),
	}
	inv.Sort()

	if got := []string{inv.SecurityGroups[0].ID, inv.SecurityGroups[1].ID}; !slices.Equal(got, []string{"sg-a", "sg-b"}) {
		t.Fatalf("groups not sorted: %v", got)
	}
	b := inv.SecurityGroups[1]
	if got := b.Rules.Slice(); !reflect.DeepEqual(got, []Rule{web, ssh}) {
		t.Errorf("rules of sg-b = %+v, want web then ssh (by id)", got)
	}
	if b.Attachments != nil {
		t.Errorf("a nil list must stay nil: %#v", b.Attachments)
	}
	for name, c := range map[string][2]int{
		"security_groups":     {len(inv.SecurityGroups), cap(inv.SecurityGroups)},
		"used_by":             {len(inv.SecurityGroups[0].UsedBy), cap(inv.SecurityGroups[0].UsedBy)},
		"prefix_lists":        {len(inv.PrefixLists), cap(inv.PrefixLists)},
		"prefix list entries": {len(inv.PrefixLists[0].Entries), cap(inv.PrefixLists[0].Entries)},
		"network_interfaces":  {len(inv.NetworkInterfaces), cap(inv.NetworkInterfaces)},
		"group_ids":           {len(inv.NetworkInterfaces[0].GroupIDs), cap(inv.NetworkInterfaces[0].GroupIDs)},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: len %d, cap %d; want no spare capacity", name, c[0], c[1])
		}
	}
}

// Rules without ids (exported describe-security-groups JSON) are ordered by
// their content key.
func TestCompareRulesFallsBackToContent(t *testing.T) {
	a := Rule{Direction: Ingress, Protocol: ProtocolTCP, FromPort: 22, ToPort: 22, Peer: Peer{Kind: PeerCIDRv4, CIDR: "10.0.0.0/8"}}
	b := a
	b.FromPort, b.ToPort = 3389, 3389
	if CompareRules(a, b) >= 0 || CompareRules(b, a) <= 0 || CompareRules(a, a) != 0 {
		t.Fatalf("content order wrong: a<b %d, b>a %d, a=a %d", CompareRules(a, b), CompareRules(b, a), CompareRules(a, a))
	}
	e := a
	e.Direction = Egress
	e.ID = "sgr-0" // after a's empty id, but direction comes first
	if CompareRules(e, a) >= 0 {
		t.Errorf("direction must be compared first: egress sorts before ingress")
	}
}

// Strings decoded from AWS or from JSON are each a copy of their own; after
// Sort, the few-valued ones that repeat on every group share one.
func TestSortSharesRepeatedStrings(t *testing.T) {
	copyOf := func(s string) string { return strings.Clone(s) }
	rule := func(id string) Rule {
		return Rule{ID: id, Direction: Direction(copyOf("ingress")), Protocol: copyOf("tcp"), RawProtocol: copyOf("tcp"), FromPort: 443, ToPort: 443,
			Peer: Peer{Kind: PeerKind(copyOf("cidr_ipv4")), CIDR: copyOf("0.0.0.0/0")}, Description: copyOf("public https")}
	}
	group := func(id string) SecurityGroup {
		return SecurityGroup{ID: id, AccountID: copyOf("111122223333"), Region: copyOf("eu-west-1"), VPCID: copyOf("vpc-1"),
			Tags: Tags{{"env", copyOf("prod")}}, Rules: NewRules(rule("sgr-" + id))}
	}
	inv := &Inventory{SecurityGroups: []SecurityGroup{group("sg-1"), group("sg-2")}}
	if unsafe.StringData(inv.SecurityGroups[0].Region) == unsafe.StringData(inv.SecurityGroups[1].Region) {
		t.Fatal("test set-up: the regions must start as separate copies")
	}
	inv.Sort()
	a, b := inv.SecurityGroups[0], inv.SecurityGroups[1]
	same := func(name, x, y string) {
		t.Helper()
		if x != y || unsafe.StringData(x) != unsafe.StringData(y) {
			t.Errorf("%s: %q and %q are not one copy", name, x, y)
		}
	}
	same("account", a.AccountID, b.AccountID)
	same("region", a.Region, b.Region)
	same("vpc", a.VPCID, b.VPCID)
	same("tag value", a.Tags[0].Value, b.Tags[0].Value)
}

// TestCompareRulesOrdersByKey: without ids, CompareRules orders rules
// exactly as their Key strings compare (it builds them on the stack), long
// peers included.
func TestCompareRulesOrdersByKey(t *testing.T) {
	long := strings.Repeat("x", 200) // past the stack buffer
	rules := []Rule{
		{Direction: Ingress, Protocol: "tcp", FromPort: 22, ToPort: 22, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}},
		{Direction: Ingress, Protocol: "tcp", FromPort: 22, ToPort: 220, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}},
		{Direction: Ingress, Protocol: "tcp", FromPort: 2, ToPort: 22, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}},
		{Direction: Ingress, Protocol: "tcp", FromPort: -1, ToPort: -1, Peer: Peer{Kind: PeerCIDRv4, CIDR: "10.0.0.0/8"}},
		{Direction: Ingress, Protocol: "udp", FromPort: 22, ToPort: 22, Peer: Peer{Kind: PeerCIDRv6, CIDR: "::/0"}},
		{Direction: Ingress, Protocol: "-1", FromPort: 0, ToPort: 0, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-1", GroupOwner: "111122223333"}},
		{Direction: Ingress, Protocol: "-1", FromPort: 0, ToPort: 0, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-1"}},
		{Direction: Ingress, Protocol: "-1", FromPort: 0, ToPort: 0, Peer: Peer{Kind: PeerPrefixList, PrefixListID: "pl-1"}},
		{Direction: Ingress, Protocol: "tcp", FromPort: 1, ToPort: 1, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-" + long, GroupOwner: "111122223333"}},
		{Direction: Ingress, Protocol: "tcp", FromPort: 1, ToPort: 1, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-" + long + "y", GroupOwner: "111122223333"}},
		{Direction: Egress, Protocol: "tcp", FromPort: 1, ToPort: 1, Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}},
	}
	for _, a := range rules {
		for _, b := range rules {
			want := cmp.Compare(a.Key(), b.Key())
			if a.Direction != b.Direction {
				want = cmp.Compare(a.Direction, b.Direction)
			}
			if got := CompareRules(a, b); got != want {
				t.Errorf("CompareRules(%s, %s) = %d, want %d", a.Key(), b.Key(), got, want)
			}
		}
	}
	if got, want := rules[5].Key(), "ingress|-1|0|0|security_group|111122223333/sg-1"; got != want {
		t.Errorf("Key = %q, want %q", got, want)
	}
}
