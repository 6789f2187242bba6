package iac

import (
	"testing"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestRuleSpecScore: how a declared rule is compared with a live one
// (docs/iac.md §3): spellings EC2 treats as one are one, an unknown field
// matches anything and counts for nothing, a known one that differs
// excludes the rule.
func TestRuleSpecScore(t *testing.T) {
	t.Parallel()
	live := func(proto string, from, to int, peer inventory.Peer) inventory.Rule {
		return inventory.Rule{Direction: inventory.Ingress, Protocol: proto, FromPort: from, ToPort: to, Peer: peer}
	}
	v4 := func(c string) inventory.Peer { return inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: c} }
	spec := func(proto string, from, to int, peers func(*ruleSpec)) ruleSpec {
		s := ruleSpec{Direction: inventory.Ingress, PeersKnown: true}
		s.Protocol, _ = normProtocol(proto)
		s.FromPort, s.ToPort = intPtr(from), intPtr(to)
		peers(&s)
		return s
	}
	cidrs := func(cs ...string) func(*ruleSpec) { return func(s *ruleSpec) { s.addCIDRs(cs) } }
	for _, tt := range []struct {
		name string
		spec ruleSpec
		rule inventory.Rule
		want int
	}{
		{"protocol number 6 is tcp", spec("6", 22, 22, cidrs("0.0.0.0/0")), live("tcp", 22, 22, v4("0.0.0.0/0")), 4},
		{"-1 with ports 0/0 is all traffic 0-65535", spec("-1", 0, 0, cidrs("0.0.0.0/0")), live("all", 0, 65535, v4("0.0.0.0/0")), 4},
		{"an IANA name the provider stores, esp, is protocol 50", spec("esp", 0, 0, cidrs("10.0.0.0/8")), live("50", -1, -1, v4("10.0.0.0/8")), 4},
		{"ipv6-icmp is icmpv6", spec("ipv6-icmp", -1, -1, cidrs("::/0")),
			live("icmpv6", -1, -1, inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "::/0"}), 4},
		{"gre is not esp", spec("gre", 0, 0, cidrs("10.0.0.0/8")), live("50", -1, -1, v4("10.0.0.0/8")), -1},
		{"all, spelt out", spec("all", 0, 0, cidrs("0.0.0.0/0")), live("all", 0, 65535, v4("0.0.0.0/0")), 4},
		{"icmp type and code", spec("icmp", 8, -1, cidrs("10.0.0.0/8")), live("icmp", 8, -1, v4("10.0.0.0/8")), 4},
		{"another icmp type", spec("icmp", 8, -1, cidrs("10.0.0.0/8")), live("icmp", 0, -1, v4("10.0.0.0/8")), -1},
		{"CIDR written with host bits", spec("tcp", 22, 22, cidrs("10.1.2.3/8")), live("tcp", 22, 22, v4("10.0.0.0/8")), 4},
		{"IPv6 in another case", spec("tcp", 443, 443, cidrs("2001:DB8::/32")),
			live("tcp", 443, 443, inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "2001:db8::/32"}), 4},
		{"one CIDR of several", spec("tcp", 22, 22, cidrs("10.0.0.0/8", "192.168.0.0/16")), live("tcp", 22, 22, v4("192.168.0.0/16")), 4},
		{"a CIDR not declared", spec("tcp", 22, 22, cidrs("10.0.0.0/8")), live("tcp", 22, 22, v4("0.0.0.0/0")), -1},
		{"other ports", spec("tcp", 22, 22, cidrs("0.0.0.0/0")), live("tcp", 2222, 2222, v4("0.0.0.0/0")), -1},
		{"egress is not ingress", func() ruleSpec {
			s := spec("tcp", 22, 22, cidrs("0.0.0.0/0"))
			s.Direction = inventory.Egress
			return s
		}(),
			live("tcp", 22, 22, v4("0.0.0.0/0")), -1},
		{"self is the group", spec("tcp", 80, 80, func(s *ruleSpec) { s.Peers = append(s.Peers, peerSpec{Self: true}) }),
			live("tcp", 80, 80, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-1"}), 4},
		{"a group in another account", spec("tcp", 80, 80, func(s *ruleSpec) { s.addGroups([]string{"222233334444/sg-9"}) }),
			live("tcp", 80, 80, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-9", GroupOwner: "222233334444"}), 4},
		{"a prefix list", spec("tcp", 443, 443, func(s *ruleSpec) { s.addPrefixLists([]string{"pl-12345678"}) }),
			live("tcp", 443, 443, inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-12345678"}), 4},
		{"unknown peers and ports count for nothing", ruleSpec{Direction: inventory.Ingress, Protocol: "tcp"}, live("tcp", 22, 22, v4("0.0.0.0/0")), 2},
		{"the same sgr- id wins over content", ruleSpec{ID: "sgr-1", Protocol: "udp"}, inventory.Rule{ID: "sgr-1", Protocol: "tcp"}, 100},
		{"another sgr- id", ruleSpec{ID: "sgr-2"}, inventory.Rule{ID: "sgr-1"}, -1},
	} {
		if got := tt.spec.score("sg-1", tt.rule); got != tt.want {
			t.Errorf("%s: score %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestBestMatchTie: two blocks that match equally well map to neither.
func TestBestMatchTie(t *testing.T) {
	t.Parallel()
	r := inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", FromPort: 22, ToPort: 22,
		Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "10.0.0.0/8"}}
	vague := ruleSpec{Direction: inventory.Ingress}
	exact := ruleSpec{Direction: inventory.Ingress, Protocol: "tcp", FromPort: intPtr(22), ToPort: intPtr(22)}
	if got := bestMatch([]ruleSpec{vague, vague}, "sg-1", r); got != -1 {
		t.Errorf("a tie gave %d, want -1", got)
	}
	if got := bestMatch([]ruleSpec{vague, exact, vague}, "sg-1", r); got != 1 {
		t.Errorf("the more precise block is %d, want 1", got)
	}
}
