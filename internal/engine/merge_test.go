package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestIPv6CIDRsInsideReservedBlockDoNotFailTheScan: OPA 1.22's
// net.cidr_merge panics whenever two IPv6 CIDRs inside ::/8 merge (it drops
// the leading zero bytes of the merged range's address), not only on
// IPv4-mapped ones: two adjacent NAT64 prefixes in one prefix list, or a
// group whose IPv6 rules are judged for a world union, failed the whole
// scan. Each case is one valid, canonical inventory.
func TestIPv6CIDRsInsideReservedBlockDoNotFailTheScan(t *testing.T) {
	const account = "111122223333"
	for _, tc := range []struct {
		name  string
		list  []string // a prefix list's entries
		rules []string // one group's IPv6 ingress rules, tcp 22
		world bool     // SGA001 reports the group
	}{
		{name: "adjacent NAT64 prefixes in a prefix list", list: []string{"64:ff9b::a00:0/104", "64:ff9b::b00:0/104"}},
		{name: "nested NAT64 prefixes in a prefix list", list: []string{"64:ff9b::/96", "64:ff9b::/97"}},
		{name: "IPv4-compatible prefixes in a prefix list", list: []string{"::4:0:0:0/79", "::4:6c00:0:0/89"}},
		{name: "below the mapped block in a prefix list", list: []string{"::fff9:0:0/112", "::e000:0:0/83"}},
		{name: "NAT64 rules beside a half of the world", rules: []string{"8000::/1", "64:ff9b::a00:0/104", "64:ff9b::b00:0/104"}},
		{name: "the world in halves with NAT64 rules", rules: []string{"::/1", "8000::/1", "64:ff9b::a00:0/104", "64:ff9b::b00:0/104"}, world: true},
		{name: "the world with ::/8 whole", rules: []string{"::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4", "2000::/3", "4000::/2", "8000::/1"}, world: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := oneAccountEstate()
			if tc.list != nil {
				pl := inventory.PrefixList{ID: "pl-0123456789abcdef0", Name: "nat64", AccountID: account, Region: "eu-west-1", Owner: account}
				for _, c := range tc.list {
					pl.Entries = append(pl.Entries, inventory.PrefixListEntry{CIDR: c})
				}
				inv.PrefixLists = append(inv.PrefixLists, pl)
			}
			id := "sg-0123456789abcdef0"
			g := inventory.SecurityGroup{
				ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id, ID: id, Name: "web", Description: "the web tier",
				AccountID: account, Region: "eu-west-1", VPCID: "vpc-1",
			}
			var rules []inventory.Rule
			for i, c := range tc.rules {
				rules = append(rules, inventory.Rule{ID: fmt.Sprintf("sgr-%017x", i), Direction: inventory.Ingress, Protocol: "tcp",
					FromPort: 22, ToPort: 22, Peer: inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: c}, Description: "ssh"})
			}
			g.Rules = inventory.NewRules(rules...)
			inv.SecurityGroups = append(inv.SecurityGroups, g)
			inv.Sort()
			for i := range inv.PrefixLists {
				if err := inv.PrefixLists[i].Validate("prefix list"); err != nil {
					t.Fatalf("the prefix list is not valid: %v", err)
				}
			}
			if err := inv.SecurityGroups[0].Validate(); err != nil {
				t.Fatalf("the group is not valid: %v", err)
			}

			e, err := Load(context.Background(), policies.FS, Options{})
			if err != nil {
				t.Fatal(err)
			}
			fs, _, err := e.Evaluate(context.Background(), inv)
			if err != nil {
				t.Fatalf("Evaluate: %v", err)
			}
			world := false
			for _, f := range fs {
				world = world || f.CheckID == "SGA001"
			}
			if world != tc.world {
				t.Errorf("SGA001 reported: %v, want %v (findings %v)", world, tc.world, fs)
			}
		})
	}
}

// TestDedupeKeepsOneWhateverTheOrder: findings that share a fingerprint
// and differ in one field each keep the same one in every order (rules
// that differ by their id alone share a rule key, and so a fingerprint).
func TestDedupeKeepsOneWhateverTheOrder(t *testing.T) {
	base := findings.Finding{CheckID: "SGA007", AccountID: "111122223333", Region: "eu-west-1", GroupID: "sg-1",
		RuleKey: "ingress|tcp|22|22|cidr_ipv4|10.0.0.0/8", Fingerprint: "f", Severity: findings.SeverityLow, Message: "m"}
	variants := []func(*findings.Finding){
		func(f *findings.Finding) { f.RuleID = "sgr-1" },
		func(f *findings.Finding) { f.Severity = findings.SeverityHigh },
		func(f *findings.Finding) { f.Message = "n" },
		func(f *findings.Finding) { f.Remediation = "r" },
		func(f *findings.Finding) { f.Evidence = map[string]any{"x": 1} },
	}
	for i, edit := range variants {
		other := base
		edit(&other)
		a := dedupe([]findings.Finding{base, other})
		b := dedupe([]findings.Finding{other, base})
		if len(a) != 1 || len(b) != 1 || !cmp.Equal(a[0], b[0]) {
			t.Errorf("variant %d: kept %+v in one order and %+v in the other", i, a, b)
		}
	}
}
