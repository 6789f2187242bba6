package collect

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestNormalizeGolden turns each testdata/in-*.json (a list of RegionData
// in AWS CLI field names) into inventory JSON and compares it with
// testdata/<name>.golden.
func TestNormalizeGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/in-*.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(in), "in-"), ".json")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var data []RegionData
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatalf("decode %s: %v", in, err)
			}
			inv := normalizeAll(data)
			got, err := json.MarshalIndent(struct {
				SecurityGroups    []inventory.SecurityGroup    `json:"security_groups"`
				NetworkInterfaces []inventory.NetworkInterface `json:"network_interfaces"`
				VPCs              []inventory.VPC              `json:"vpcs"`
				PrefixLists       []inventory.PrefixList       `json:"prefix_lists"`
			}{inv.SecurityGroups, inv.NetworkInterfaces, inv.VPCs, inv.PrefixLists}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", name+".golden"), append(got, '\n'))
		})
	}
}

func TestExpandPermissionsOneRulePerPeer(t *testing.T) {
	perm := types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges:      []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("world")}, {CidrIp: aws.String("10.0.0.0/8")}},
		Ipv6Ranges:    []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-1"), Description: aws.String("corp")}},
		UserIdGroupPairs: []types.UserIdGroupPair{{
			GroupId: aws.String("sg-peer"), UserId: aws.String("444455556666"), VpcId: aws.String("vpc-p"),
			PeeringStatus: aws.String("active"), Description: aws.String("peer"),
		}},
	}
	rule := func(peer inventory.Peer, desc string) inventory.Rule {
		return inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: 22, ToPort: 22, Peer: peer, Description: desc}
	}
	want := []inventory.Rule{
		rule(inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}, "world"),
		rule(inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "10.0.0.0/8"}, ""),
		rule(inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "::/0"}, ""),
		rule(inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-1"}, "corp"),
		rule(inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-peer", GroupOwner: "444455556666", VPCID: "vpc-p", PeeringStatus: "active"}, "peer"),
	}
	got := expandPermissions(inventory.Ingress, []types.IpPermission{perm})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("expandPermissions (-want +got):\n%s", diff)
	}
}

// TestProtocolAndPorts: issue 9 item 6. EC2's spellings of a protocol are
// read as EC2 reads them, ports as EC2 applies them; anything else is kept
// as found for Validate to refuse (TestNormalizedValuesValidate).
func TestProtocolAndPorts(t *testing.T) {
	tests := []struct {
		name           string
		raw            string
		from, to       *int32
		wantProto      string
		wantFrom, want int
	}{
		{name: "all traffic has no ports", raw: "-1", wantProto: "all", wantFrom: 0, want: 65535},
		{name: "all traffic ignores -1 ports of the rules API", raw: "-1", from: aws.Int32(-1), to: aws.Int32(-1), wantProto: "all", wantFrom: 0, want: 65535},
		{name: "all traffic ignores any ports", raw: "-1", from: aws.Int32(22), to: aws.Int32(22), wantProto: "all", wantFrom: 0, want: 65535},
		{name: "tcp by name", raw: "tcp", from: aws.Int32(22), to: aws.Int32(22), wantProto: "tcp", wantFrom: 22, want: 22},
		{name: "tcp by number", raw: "6", from: aws.Int32(80), to: aws.Int32(443), wantProto: "tcp", wantFrom: 80, want: 443},
		{name: "tcp upper case", raw: "TCP", from: aws.Int32(1), to: aws.Int32(2), wantProto: "tcp", wantFrom: 1, want: 2},
		{name: "tcp without ports is left for Validate", raw: "tcp", wantProto: "tcp", wantFrom: -1, want: -1},
		{name: "udp by name upper case", raw: "UDP", from: aws.Int32(53), to: aws.Int32(53), wantProto: "udp", wantFrom: 53, want: 53},
		{name: "udp by number", raw: "17", from: aws.Int32(123), to: aws.Int32(123), wantProto: "udp", wantFrom: 123, want: 123},
		{name: "icmp type and any code", raw: "icmp", from: aws.Int32(8), to: aws.Int32(-1), wantProto: "icmp", wantFrom: 8, want: -1},
		{name: "icmp by number", raw: "1", from: aws.Int32(-1), to: aws.Int32(-1), wantProto: "icmp", wantFrom: -1, want: -1},
		{name: "icmpv6 by number", raw: "58", wantProto: "icmpv6", wantFrom: -1, want: -1},
		{name: "icmpv6 by name", raw: "icmpv6", wantProto: "icmpv6", wantFrom: -1, want: -1},
		{name: "gre keeps its number and has no ports", raw: "47", wantProto: "47", wantFrom: -1, want: -1},
		{name: "gre ignores ports as EC2 does", raw: "47", from: aws.Int32(22), to: aws.Int32(22), wantProto: "47", wantFrom: -1, want: -1},
		{name: "esp keeps its number", raw: "50", wantProto: "50", wantFrom: -1, want: -1},
		// Not EC2 values: kept as found, ports too.
		{name: "zero-padded number", raw: "006", from: aws.Int32(1), to: aws.Int32(2), wantProto: "006", wantFrom: 1, want: 2},
		{name: "hex number", raw: "0x6", from: aws.Int32(22), to: aws.Int32(22), wantProto: "0x6", wantFrom: 22, want: 22},
		{name: "sctp by name", raw: "sctp", wantProto: "sctp", wantFrom: -1, want: -1},
		{name: "number above 255", raw: "256", wantProto: "256", wantFrom: -1, want: -1},
		{name: "empty", raw: "", from: aws.Int32(22), to: aws.Int32(22), wantProto: "", wantFrom: 22, want: 22},
		{name: "spaces", raw: " tcp", from: aws.Int32(22), to: aws.Int32(22), wantProto: " tcp", wantFrom: 22, want: 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got inventory.Rule
			setProtocolAndPorts(&got, aws.String(tt.raw), tt.from, tt.to)
			want := inventory.Rule{Protocol: tt.wantProto, RawProtocol: tt.raw, FromPort: tt.wantFrom, ToPort: tt.want}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("setProtocolAndPorts(%q) (-want +got):\n%s", tt.raw, diff)
			}
		})
	}
}

// TestCIDRsNormalised: issue 9 item 6. Every spelling of a CIDR that EC2
// accepts is stored as EC2 writes it, in both APIs and in prefix lists, so
// the world is always "0.0.0.0/0" or "::/0" (the policies' test); text
// that is not a CIDR of the rule's family is kept for Validate to refuse.
func TestCIDRsNormalised(t *testing.T) {
	tests := []struct {
		in, want string
		v6       bool
	}{
		{"0.0.0.0/0", "0.0.0.0/0", false},
		{"10.0.0.0/0", "0.0.0.0/0", false},
		{"192.0.2.77/24", "192.0.2.0/24", false},
		{"::/0", "::/0", true},
		{"0:0:0:0:0:0:0:0/0", "::/0", true},
		{"::ffff:0.0.0.0/0", "::/0", true},
		{"2001:DB8:0::1/64", "2001:db8::/64", true},
		{"0.0.0.0/0 ", "0.0.0.0/0 ", false},
		{"0.0.0.0/00", "0.0.0.0/00", false},
		{"300.0.0.0/8", "300.0.0.0/8", false},
		{"zz::/0", "zz::/0", true},
		{"::/0", "::/0", false}, // IPv6 in IpRanges: left for Validate
		{"0.0.0.0/0", "0.0.0.0/0", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			perm := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22)}
			rec := types.SecurityGroupRule{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22)}
			if tt.v6 {
				perm.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(tt.in)}}
				rec.CidrIpv6 = aws.String(tt.in)
			} else {
				perm.IpRanges = []types.IpRange{{CidrIp: aws.String(tt.in)}}
				rec.CidrIpv4 = aws.String(tt.in)
			}
			rules := expandPermissions(inventory.Ingress, []types.IpPermission{perm})
			if len(rules) != 1 || rules[0].Peer.CIDR != tt.want {
				t.Errorf("expandPermissions: %+v, want CIDR %q", rules, tt.want)
			}
			if got := ruleFromRecord(rec).Peer.CIDR; got != tt.want {
				t.Errorf("ruleFromRecord: CIDR %q, want %q", got, tt.want)
			}
		})
	}
	inv := normalizeAll([]RegionData{{
		Account: inventory.Account{ID: "111122223333"}, Region: "eu-west-1",
		PrefixListEntries: map[string][]types.PrefixListEntry{"pl-1": {
			{Cidr: aws.String("10.1.0.0/0")}, {Cidr: aws.String("0:0::/0")}, {Cidr: aws.String("0.0.0.0/00")},
		}},
	}})
	var got []string
	for _, e := range inv.PrefixLists[0].Entries {
		got = append(got, e.CIDR)
	}
	if diff := cmp.Diff([]string{"0.0.0.0/0", "0.0.0.0/00", "::/0"}, got); diff != "" {
		t.Errorf("prefix-list entries (-want +got):\n%s", diff)
	}
}

// FuzzNormalizeRule: whatever protocol, ports and CIDR an export holds,
// the normalised rule either fails Validate or is what EC2 applies: a
// protocol EC2 accepts, ports in range, and a CIDR that is the world
// exactly when its prefix length is 0, and then spelt "0.0.0.0/0" or
// "::/0". So no spelling of the world passes as something else.
func FuzzNormalizeRule(f *testing.F) {
	f.Add("tcp", int32(22), int32(22), "0.0.0.0/0", false)
	f.Add("-1", int32(-1), int32(-1), "::/0", true)
	f.Add("6", int32(0), int32(65535), "10.0.0.1/0", false)
	f.Add("ICMPv6", int32(-1), int32(-1), "0:0:0:0:0:0:0:0/0", true)
	f.Add("47", int32(22), int32(22), "0.0.0.0/00", false)
	f.Add("0x6", int32(22), int32(21), "0.0.0.0/0 ", false)
	f.Fuzz(func(t *testing.T, proto string, from, to int32, cidr string, v6 bool) {
		perm := types.IpPermission{IpProtocol: aws.String(proto), FromPort: aws.Int32(from), ToPort: aws.Int32(to)}
		if v6 {
			perm.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(cidr)}}
		} else {
			perm.IpRanges = []types.IpRange{{CidrIp: aws.String(cidr)}}
		}
		rules := expandPermissions(inventory.Ingress, []types.IpPermission{perm})
		g := inventory.SecurityGroup{ID: "sg-1", AccountID: "111122223333", Rules: inventory.NewRules(rules...)}
		if g.Validate() != nil {
			return
		}
		r := rules[0]
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			t.Fatalf("%q is not a CIDR but was accepted as %q", cidr, r.Peer.CIDR)
		}
		world := p.Bits() == 0
		if got := strings.HasSuffix(r.Peer.CIDR, "/0"); got != world {
			t.Fatalf("%q (world: %v) normalised to %q", cidr, world, r.Peer.CIDR)
		}
		if world && r.Peer.CIDR != "0.0.0.0/0" && r.Peer.CIDR != "::/0" {
			t.Fatalf("%q normalised to %q, not to the world's spelling", cidr, r.Peer.CIDR)
		}
		if want, ok := inventory.ParseProtocol(proto); !ok || want != r.Protocol {
			t.Fatalf("protocol %q accepted as %q", proto, r.Protocol)
		}
		if (r.Protocol == "tcp" || r.Protocol == "udp") && (r.FromPort != int(from) || r.ToPort != int(to) || from > to || from < 0 || to > 65535) {
			t.Fatalf("%s ports %d-%d accepted as %d-%d", r.Protocol, from, to, r.FromPort, r.ToPort)
		}
	})
}

// TestNormalizedValuesValidate: the values the normalizer keeps as found
// (TestProtocolAndPorts, TestCIDRsNormalised) are refused by Validate,
// naming the group and the rule; the ones it rewrites pass.
func TestNormalizedValuesValidate(t *testing.T) {
	tests := []struct {
		name        string
		proto, cidr string
		from, to    *int32
		want        string // "" when valid
	}{
		{"host bits", "6", "10.9.8.7/0", aws.Int32(22), aws.Int32(22), ""},
		{"gre with ports", "47", "0.0.0.0/0", aws.Int32(1), aws.Int32(0), ""},
		{"icmpv6 without ports", "58", "0.0.0.0/0", nil, nil, ""},
		{"port out of range", "tcp", "0.0.0.0/0", aws.Int32(0), aws.Int32(65536), `to_port "65536"`},
		{"from above to", "udp", "0.0.0.0/0", aws.Int32(53), aws.Int32(52), `from_port "53": greater than to_port 52`},
		{"tcp without ports", "tcp", "0.0.0.0/0", nil, nil, `from_port "-1"`},
		{"empty protocol", "", "0.0.0.0/0", nil, nil, `protocol "": no protocol`},
		{"protocol 256", "256", "0.0.0.0/0", nil, nil, `protocol "256": not an EC2 protocol`},
		{"sctp", "sctp", "0.0.0.0/0", nil, nil, `protocol "sctp": not an EC2 protocol`},
		{"hex protocol", "0x6", "0.0.0.0/0", aws.Int32(22), aws.Int32(22), `protocol "0x6": not an EC2 protocol`},
		{"octet above 255", "tcp", "300.0.0.0/8", aws.Int32(22), aws.Int32(22), `peer.cidr "300.0.0.0/8": not a CIDR block`},
		{"trailing space", "tcp", "0.0.0.0/0 ", aws.Int32(22), aws.Int32(22), `peer.cidr "0.0.0.0/0 ": not a CIDR block`},
		{"padded prefix length", "tcp", "0.0.0.0/00", aws.Int32(22), aws.Int32(22), `peer.cidr "0.0.0.0/00": not a CIDR block`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := normalizeAll([]RegionData{{
				Account: inventory.Account{ID: "111122223333"}, Region: "eu-west-1",
				Groups: []types.SecurityGroup{{
					GroupId: aws.String("sg-1"), OwnerId: aws.String("111122223333"),
					IpPermissions: []types.IpPermission{{IpProtocol: aws.String(tt.proto), FromPort: tt.from, ToPort: tt.to,
						IpRanges: []types.IpRange{{CidrIp: aws.String(tt.cidr)}}}},
				}},
			}})
			err := inv.SecurityGroups[0].Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "group sg-1, rule #1 (")):
				t.Errorf("Validate = %v, want an error naming sg-1, rule #1 and %s", err, tt.want)
			}
		})
	}
}

// group builds a security group with the given ingress and egress
// references to other groups.
func group(id, vpc string, ingressFrom, egressTo []string) types.SecurityGroup {
	pairs := func(ids []string) []types.IpPermission {
		if len(ids) == 0 {
			return nil
		}
		p := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443)}
		for _, id := range ids {
			p.UserIdGroupPairs = append(p.UserIdGroupPairs, types.UserIdGroupPair{GroupId: aws.String(id), UserId: aws.String("111122223333")})
		}
		return []types.IpPermission{p}
	}
	return types.SecurityGroup{
		GroupId: aws.String(id), GroupName: aws.String(id), OwnerId: aws.String("111122223333"), VpcId: aws.String(vpc),
		IpPermissions: pairs(ingressFrom), IpPermissionsEgress: pairs(egressTo),
	}
}

func TestReferenceEvidence(t *testing.T) {
	tests := []struct {
		name   string
		groups []types.SecurityGroup
		// want maps a group id to its used_by evidence.
		want map[string][]inventory.Evidence
	}{
		{
			name:   "self reference is not evidence",
			groups: []types.SecurityGroup{group("sg-self", "vpc-1", []string{"sg-self"}, []string{"sg-self"})},
			want:   map[string][]inventory.Evidence{"sg-self": {}},
		},
		{
			name:   "ingress reference is evidence for the referenced group only",
			groups: []types.SecurityGroup{group("sg-db", "vpc-1", []string{"sg-app"}, nil), group("sg-app", "vpc-1", nil, nil)},
			want: map[string][]inventory.Evidence{
				"sg-app": {{Kind: inventory.UsedBySGReference, ID: "sg-db", Detail: "ingress"}},
				"sg-db":  {},
			},
		},
		{
			name:   "egress reference is evidence",
			groups: []types.SecurityGroup{group("sg-app", "vpc-1", nil, []string{"sg-db"}), group("sg-db", "vpc-1", nil, nil)},
			want: map[string][]inventory.Evidence{
				"sg-app": {},
				"sg-db":  {{Kind: inventory.UsedBySGReference, ID: "sg-app", Detail: "egress"}},
			},
		},
		{
			name:   "both directions from one group are one piece of evidence",
			groups: []types.SecurityGroup{group("sg-a", "vpc-1", []string{"sg-b"}, []string{"sg-b"}), group("sg-b", "vpc-1", nil, nil)},
			want: map[string][]inventory.Evidence{
				"sg-a": {},
				"sg-b": {{Kind: inventory.UsedBySGReference, ID: "sg-a", Detail: "egress, ingress"}},
			},
		},
		{
			name:   "reference from another VPC is cross-VPC evidence",
			groups: []types.SecurityGroup{group("sg-a", "vpc-1", nil, []string{"sg-b"}), group("sg-b", "vpc-2", nil, nil)},
			want: map[string][]inventory.Evidence{
				"sg-a": {},
				"sg-b": {{Kind: inventory.UsedByCrossVPCReference, ID: "sg-a", Detail: "egress rule in 111122223333/vpc-1"}},
			},
		},
		{
			name:   "reference to a group not in the inventory is dropped",
			groups: []types.SecurityGroup{group("sg-a", "vpc-1", []string{"sg-gone"}, nil)},
			want:   map[string][]inventory.Evidence{"sg-a": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := normalizeAll([]RegionData{{Account: inventory.Account{ID: "111122223333", Partition: "aws"}, Region: "eu-west-1", Groups: tt.groups}})
			got := map[string][]inventory.Evidence{}
			for _, g := range inv.SecurityGroups {
				got[g.ID] = g.UsedBy
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("used_by (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRuleIDsMatchedByKey(t *testing.T) {
	sg := types.SecurityGroup{
		GroupId: aws.String("sg-1"), OwnerId: aws.String("111122223333"), VpcId: aws.String("vpc-1"), GroupName: aws.String("g"),
		IpPermissions: []types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
				IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("old text")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(23), ToPort: aws.Int32(23),
				IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
				UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-2"), UserId: aws.String("111122223333")}}},
		},
		IpPermissionsEgress: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}
	recs := []types.SecurityGroupRule{
		{SecurityGroupRuleId: aws.String("sgr-22"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(22), ToPort: aws.Int32(22), CidrIpv4: aws.String("10.0.0.0/8"), Description: aws.String("new text")},
		// Same CIDR and port on another group: must not leak into sg-1.
		{SecurityGroupRuleId: aws.String("sgr-other"), GroupId: aws.String("sg-9"), IsEgress: aws.Bool(false), IpProtocol: aws.String("tcp"),
			FromPort: aws.Int32(23), ToPort: aws.Int32(23), CidrIpv4: aws.String("10.0.0.0/8")},
		// The rules API may omit the referenced group's owner.
		{SecurityGroupRuleId: aws.String("sgr-ref"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("6"),
			FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), ReferencedGroupInfo: &types.ReferencedSecurityGroup{GroupId: aws.String("sg-2")}},
		// All traffic comes back as -1/-1 from the rules API.
		{SecurityGroupRuleId: aws.String("sgr-egress"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(true), IpProtocol: aws.String("-1"),
			FromPort: aws.Int32(-1), ToPort: aws.Int32(-1), CidrIpv4: aws.String("0.0.0.0/0")},
		// Same peer as sgr-egress but ingress: direction is part of the key.
		{SecurityGroupRuleId: aws.String("sgr-ingress-all"), GroupId: aws.String("sg-1"), IsEgress: aws.Bool(false), IpProtocol: aws.String("-1"),
			CidrIpv4: aws.String("0.0.0.0/0")},
	}
	inv := normalizeAll([]RegionData{{Account: inventory.Account{ID: "111122223333", Partition: "aws"}, Region: "eu-west-1", Groups: []types.SecurityGroup{sg}, Rules: recs}})
	type idDesc struct{ Key, ID, Description string }
	var got []idDesc
	for _, r := range inv.SecurityGroups[0].Rules.All() {
		got = append(got, idDesc{r.Key(), r.ID, r.Description})
	}
	want := []idDesc{
		{"egress|all|0|65535|cidr_ipv4|0.0.0.0/0", "sgr-egress", ""},
		{"ingress|tcp|23|23|cidr_ipv4|10.0.0.0/8", "", ""},
		{"ingress|tcp|22|22|cidr_ipv4|10.0.0.0/8", "sgr-22", "new text"},
		{"ingress|tcp|5432|5432|security_group|111122223333/sg-2", "sgr-ref", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule ids (-want +got):\n%s", diff)
	}
}

func TestNormalizeGroupFields(t *testing.T) {
	tests := []struct {
		name    string
		account inventory.Account
		region  string
		sg      types.SecurityGroup
		wantARN string
		wantDef bool
	}{
		{
			name:    "ARN built in the account's partition",
			account: inventory.Account{ID: "111122223333", Partition: "aws-us-gov"},
			region:  "us-gov-west-1",
			sg:      types.SecurityGroup{GroupId: aws.String("sg-1"), GroupName: aws.String("app"), OwnerId: aws.String("111122223333")},
			wantARN: "arn:aws-us-gov:ec2:us-gov-west-1:111122223333:security-group/sg-1",
		},
		{
			name:    "partition guessed from the region when unknown",
			account: inventory.Account{ID: "111122223333"},
			region:  "cn-north-1",
			sg:      types.SecurityGroup{GroupId: aws.String("sg-1"), GroupName: aws.String("default"), OwnerId: aws.String("111122223333")},
			wantARN: "arn:aws-cn:ec2:cn-north-1:111122223333:security-group/sg-1",
			wantDef: true,
		},
		{
			name:    "SecurityGroupArn wins",
			account: inventory.Account{ID: "111122223333", Partition: "aws"},
			region:  "eu-west-1",
			sg: types.SecurityGroup{GroupId: aws.String("sg-1"), GroupName: aws.String("Default"), OwnerId: aws.String("111122223333"),
				SecurityGroupArn: aws.String("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1")},
			wantARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := normalizeAll([]RegionData{{Account: tt.account, Region: tt.region, Groups: []types.SecurityGroup{tt.sg}}}).SecurityGroups[0]
			if g.ARN != tt.wantARN || g.IsDefault != tt.wantDef {
				t.Errorf("ARN, is_default = %q, %v; want %q, %v", g.ARN, g.IsDefault, tt.wantARN, tt.wantDef)
			}
		})
	}
}

func TestInterfaceResource(t *testing.T) {
	tests := []struct {
		name string
		eni  types.NetworkInterface
		want string
	}{
		{name: "instance", eni: types.NetworkInterface{Attachment: &types.NetworkInterfaceAttachment{InstanceId: aws.String("i-1")}, RequesterId: aws.String("x")}, want: "i-1"},
		{name: "load balancer", eni: types.NetworkInterface{RequesterId: aws.String("amazon-elb"), InterfaceType: "interface", Description: aws.String("ELB app/a/1")}, want: "amazon-elb / ELB app/a/1"},
		{name: "lambda type", eni: types.NetworkInterface{InterfaceType: "lambda"}, want: "lambda"},
		{name: "unattached, no description", eni: types.NetworkInterface{InterfaceType: "interface"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := interfaceResource(tt.eni); got != tt.want {
				t.Errorf("interfaceResource() = %q, want %q", got, tt.want)
			}
		})
	}
}

// normalizeAll is the normalizer over every region, sorted as the
// collector and the importer leave it.
func normalizeAll(data []RegionData) *inventory.Inventory {
	n := newNormalizer()
	for _, d := range data {
		n.add(d)
	}
	inv := n.finish()
	inv.Sort()
	return inv
}

// TestLinkReferencesInChunks links more groups than one task's chunk, with
// references in both directions, to groups of other VPCs and accounts, to
// themselves and to groups not in the inventory, and compares every
// group's evidence and the cross-VPC map with one plain pass in order.
func TestLinkReferencesInChunks(t *testing.T) {
	const n = 5000
	id := func(i int) string { return fmt.Sprintf("sg-%05d", i) }
	build := func() []inventory.SecurityGroup {
		rng := rand.New(rand.NewPCG(5, 6))
		groups := make([]inventory.SecurityGroup, n)
		for i := range groups {
			var rules []inventory.Rule
			for range rng.IntN(6) {
				dir := inventory.Ingress
				if rng.IntN(3) == 0 {
					dir = inventory.Egress
				}
				peer := inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: id(rng.IntN(n + 50)), GroupOwner: "111122223333"}
				if rng.IntN(10) == 0 {
					peer = inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "10.0.0.0/8"}
				}
				rules = append(rules, inventory.Rule{Direction: dir, Protocol: "tcp", RawProtocol: "6", FromPort: rng.IntN(3), ToPort: 3, Peer: peer})
			}
			groups[i] = inventory.SecurityGroup{
				ID: id(i), AccountID: []string{"111122223333", "444455556666"}[rng.IntN(2)], Region: "eu-west-1",
				VPCID: fmt.Sprintf("vpc-%d", rng.IntN(4)), Rules: inventory.NewRules(rules...),
			}
		}
		return groups
	}
	got := build()
	gotCross := linkReferences(got)

	want := build()
	wantCross := map[int]map[string]bool{}
	at := map[string]int{}
	for i, g := range want {
		at[g.ID] = i
	}
	for fi := range want {
		from := &want[fi]
		var order []int
		dirs := map[int][]string{}
		for _, r := range from.Rules.All() {
			to, ok := at[r.Peer.GroupID]
			if r.Peer.Kind != inventory.PeerSecurityGroup || r.Peer.GroupID == from.ID || !ok {
				continue
			}
			if _, seen := dirs[to]; !seen {
				order = append(order, to)
			}
			if !slices.Contains(dirs[to], string(r.Direction)) {
				dirs[to] = append(dirs[to], string(r.Direction))
			}
		}
		for _, to := range order {
			g := &want[to]
			slices.Sort(dirs[to])
			ev := inventory.Evidence{Kind: inventory.UsedBySGReference, ID: from.ID, Detail: strings.Join(dirs[to], ", ")}
			if from.AccountID != g.AccountID || from.VPCID != g.VPCID {
				ev.Kind = inventory.UsedByCrossVPCReference
				ev.Detail += " rule in " + from.AccountID + "/" + from.VPCID
				if wantCross[to] == nil {
					wantCross[to] = map[string]bool{}
				}
				wantCross[to][from.VPCID] = true
			}
			g.UsedBy = append(g.UsedBy, ev)
		}
	}
	linked, both := 0, 0
	for i := range want {
		if diff := cmp.Diff(want[i].UsedBy, got[i].UsedBy, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("group %d's evidence (-want +got):\n%s", i, diff)
		}
		linked += len(got[i].UsedBy)
		for _, ev := range got[i].UsedBy {
			if strings.HasPrefix(ev.Detail, "egress, ingress") {
				both++
			}
		}
	}
	if diff := cmp.Diff(wantCross, gotCross); diff != "" {
		t.Errorf("cross-VPC map (-want +got):\n%s", diff)
	}
	if linked < n || both == 0 || len(gotCross) == 0 {
		t.Errorf("%d evidence, %d in both directions, %d cross-VPC targets: the estate tests little", linked, both, len(gotCross))
	}
}
