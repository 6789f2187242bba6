package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// hostileStrings are names and descriptions on the edges of the string
// built-ins the pack calls: Unicode spaces trim_space may or may not
// take, letters whose lower case changes length or is another letter,
// invalid UTF-8, NUL, format verbs, placeholders in other cases.
var hostileStrings = []string{
	"", " ", "\t", "\u00a0", "\u0085", "\u2028", "\u3000x", "\ufeff", "TODO", " todo ", "İ", "ı", "K", "\u212a", "ǅ",
	"Managed by Terraform", "launch-wizard-1 created 2020", "LAUNCH-WIZARD-1 CREATED", "default", "\xff\xfe", "a\x00b",
	"%s %d %!", strings.Repeat("a", 300), "web", "WEB", "Web\u200b",
}

// hostileCIDR is a canonical CIDR that sits where OPA's net built-ins are
// fragile: inside ::/8 (IPv4-mapped and -compatible, NAT64), next to it,
// or anywhere.
func hostileCIDR(r *rand.Rand) (string, inventory.PeerKind) {
	if r.IntN(2) == 0 {
		var a [4]byte
		for j := range a {
			a[j] = byte(r.IntN(256))
		}
		return netip.PrefixFrom(netip.AddrFrom4(a), r.IntN(33)).Masked().String(), inventory.PeerCIDRv4
	}
	var a [16]byte
	switch r.IntN(4) {
	case 0: // ::/79, the mapped block among them
		a[9] = byte(r.IntN(2))
		for i := 10; i < 16; i++ {
			a[i] = byte(r.IntN(256))
		}
		if r.IntN(2) == 0 {
			a[10], a[11] = 0xff, 0xff-byte(r.IntN(2))
		}
	case 1: // NAT64 and the rest of ::/8
		a[1], a[2], a[3] = 0x64, 0xff, 0x9b
		if r.IntN(2) == 0 {
			a[1], a[2], a[3] = byte(r.IntN(256)), byte(r.IntN(256)), 0
		}
		a[12], a[13] = byte(r.IntN(256)), byte(r.IntN(256))
	case 2: // around ::/8's edge
		a[0], a[1] = byte(r.IntN(2)), byte(r.IntN(256))
	default:
		for i := range a {
			a[i] = byte(r.IntN(256))
		}
	}
	bits := 64 + r.IntN(65)
	if r.IntN(3) == 0 {
		bits = r.IntN(17)
	}
	return netip.PrefixFrom(netip.AddrFrom16(a), bits).Masked().String(), inventory.PeerCIDRv6
}

// neighbour is a CIDR that net.cidr_merge joins with c into one range:
// its sibling (c with the last bit of its prefix flipped) or its first
// half; ok is false half the time and for a /0.
func neighbour(c string, r *rand.Rand) (string, bool) {
	p := netip.MustParsePrefix(c)
	if p.Bits() == 0 || r.IntN(2) == 0 {
		return "", false
	}
	if r.IntN(2) == 0 && p.Bits() < p.Addr().BitLen() {
		return netip.PrefixFrom(p.Addr(), p.Bits()+1).String(), true
	}
	b := p.Addr().AsSlice()
	bit := p.Bits() - 1
	b[bit/8] ^= 0x80 >> (bit % 8)
	a, _ := netip.AddrFromSlice(b)
	return netip.PrefixFrom(a, p.Bits()).String(), true
}

// hostileEstate is a few groups of random rules over hostileStrings and
// hostileCIDR, some AWS's egress rule, some with prefix-list, group or
// kind-less peers, and prefix lists of hostile CIDRs.
func hostileEstate(r *rand.Rand) *inventory.Inventory {
	const account = "111122223333"
	inv := oneAccountEstate()
	pick := func() string { return hostileStrings[r.IntN(len(hostileStrings))] }
	for k := range 1 + r.IntN(2) {
		pl := inventory.PrefixList{ID: fmt.Sprintf("pl-%017x", k), Name: pick(), AccountID: account, Region: "eu-west-1", Owner: account}
		for range 1 + r.IntN(4) {
			c, _ := hostileCIDR(r)
			pl.Entries = append(pl.Entries, inventory.PrefixListEntry{CIDR: c})
			if n, ok := neighbour(c, r); ok {
				pl.Entries = append(pl.Entries, inventory.PrefixListEntry{CIDR: n})
			}
		}
		inv.PrefixLists = append(inv.PrefixLists, pl)
	}
	protocols := []string{"tcp", "udp", "all", "icmp", "icmpv6", "47"}
	for i := range 4 + r.IntN(6) {
		id := fmt.Sprintf("sg-%017x", i)
		g := inventory.SecurityGroup{
			ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id, ID: id, Name: pick(), Description: pick(),
			AccountID: account, Region: "eu-west-1", VPCID: "vpc-1", IsDefault: r.IntN(6) == 0,
		}
		var rules []inventory.Rule
		for j := range r.IntN(8) {
			c, kind := hostileCIDR(r)
			rule := inventory.Rule{
				Direction: []inventory.Direction{inventory.Ingress, inventory.Egress}[r.IntN(2)], Protocol: protocols[r.IntN(len(protocols))],
				FromPort: r.IntN(100), ToPort: 100 + r.IntN(70000), Peer: inventory.Peer{Kind: kind, CIDR: c}, Description: pick(),
			}
			if r.IntN(2) == 0 {
				rule.ID = fmt.Sprintf("sgr-%017x", i*100+j)
			}
			switch r.IntN(8) {
			case 0:
				rule.Peer = inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: fmt.Sprintf("pl-%017x", r.IntN(2))}
			case 1:
				rule.Peer = inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-00000000000000001", GroupOwner: account}
			case 2:
				rule.Peer.Kind = ""
			case 3:
				rule.Protocol, rule.Direction, rule.Peer.CIDR = "all", inventory.Egress, "0.0.0.0/0"
				if kind == inventory.PeerCIDRv6 {
					rule.Peer.CIDR = "::/0"
				}
			}
			rules = append(rules, rule)
		}
		g.Rules = inventory.NewRules(rules...)
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	inv.Sort()
	return inv
}

// TestWholePackOnHostileEstates runs the whole built-in pack over random
// estates of hostile strings and CIDRs (a fixed seed), with the rules
// computed in Go and without: no error (a panic inside OPA is one), the
// same findings, and each accelerated rule equal to OPA's value, under the
// embedded data and under data at its schema's limits.
func TestWholePackOnHostileEstates(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		data map[string]any
	}{
		{"embedded data", nil},
		{"data at its limits", map[string]any{"sgaudit": map[string]any{
			"wide_public_ranges": map[string]any{
				"risky_ports": map[string]any{"ipv4": 32, "ipv6": 128},
				"other_ports": map[string]any{"ipv4": 1, "ipv6": 1},
			},
			"placeholder_descriptions": []any{"", " ", "İ", "\u212a", "web"},
			"placeholder_patterns":     []any{"^$", "(?i)k", `\s`},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Load(ctx, policies.FS, Options{Data: tc.data, BatchSize: 3})
			if err != nil {
				t.Fatal(err)
			}
			r := rand.New(rand.NewPCG(9, 10))
			for range 25 {
				inv := hostileEstate(r)
				compareAccelerated(t, e, inv, 3)
				sameFindingsOnAndOff(t, e, inv)
			}
		})
	}
}
