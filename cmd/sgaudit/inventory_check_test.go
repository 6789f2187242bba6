package main

import (
	"fmt"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestScanRefusesInconsistentInventory: issue 9 review items 1 to 5 end to
// end. Each inventory below hid the SSH finding of sshInventory (exit 0 or
// a report without it) before; now the scan stops with exit 2 and one line
// naming the file and the group or list.
func TestScanRefusesInconsistentInventory(t *testing.T) {
	if r := runCLI(t, "scan", "--format", "json", "--fail-on", "high", "--input", writeInventoryFile(t, sshInventory())); r.code != exitFindings {
		t.Fatalf("the unbroken inventory: exit %d, want %d; stderr: %s", r.code, exitFindings, r.stderr)
	}
	prefixListRule := func(inv *inventory.Inventory, id string) {
		g := &inv.SecurityGroups[1]
		rules := append(g.Rules.Slice(), inventory.Rule{ID: "sgr-pl", Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp",
			FromPort: 22, ToPort: 22, Peer: inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: id}})
		g.Rules = inventory.NewRules(rules...)
	}
	tests := []struct {
		name string
		edit func(inv *inventory.Inventory)
		want string
	}{
		{"two groups with one ARN", func(inv *inventory.Inventory) { inv.SecurityGroups[1].ARN = inv.SecurityGroups[0].ARN },
			"security_groups[1]: group sg-0000000000000002: arn"},
		{"no ARN", func(inv *inventory.Inventory) { inv.SecurityGroups[1].ARN = "" },
			"security_groups[1]: group sg-0000000000000002: arn \"\""},
		{"one rule id in two groups", func(inv *inventory.Inventory) {
			r := inv.SecurityGroups[1].Rules.At(0)
			r.ID = inv.SecurityGroups[0].Rules.At(0).ID
			inv.SecurityGroups[1].Rules = inventory.NewRules(r)
		}, "security_groups[1]: group sg-0000000000000002, rule sgr-0000000000000001a: id"},
		{"status Denied", func(inv *inventory.Inventory) { inv.Coverage[0].Status = "Denied" }, `coverage[0]: status "Denied"`},
		{"no coverage", func(inv *inventory.Inventory) { inv.Coverage = []inventory.Coverage{} },
			"security_groups[0]: group sg-0000000000000001: region \"eu-west-1\": coverage has no row"},
		{"unknown prefix list id", func(inv *inventory.Inventory) { prefixListRule(inv, "pl-1") }, `peer.prefix_list_id "pl-1"`},
		{"prefix list not held", func(inv *inventory.Inventory) {
			inv.Coverage[0].Collected = append(inv.Coverage[0].Collected, inventory.KindPrefixLists)
			prefixListRule(inv, "pl-0123456789abcdef0")
		}, `group sg-0000000000000002, rule sgr-pl: peer.prefix_list_id "pl-0123456789abcdef0": prefix_lists holds no list`},
		{"1,024 rules of /10", func(inv *inventory.Inventory) {
			var rules []inventory.Rule
			for i := range 1024 {
				// 1,024 /10 blocks cover the whole IPv4 space.
				rules = append(rules, inventory.Rule{ID: fmt.Sprintf("sgr-w%d", i), Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp",
					FromPort: 22, ToPort: 22, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: fmt.Sprintf("%d.%d.0.0/10", i/4, i%4*64)}})
			}
			inv.SecurityGroups[1].Rules = inventory.NewRules(rules...)
		}, `security_groups[1]: group sg-0000000000000002: rules "ingress": 1024 ingress IPv4 rules`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := sshInventory()
			tt.edit(inv)
			r := runCLI(t, "scan", "--format", "json", "--fail-on", "high", "--input", writeInventoryFile(t, inv))
			assertOneLineError(t, r, "inventory.json: ")
			assertOneLineError(t, r, tt.want)
		})
	}
}
