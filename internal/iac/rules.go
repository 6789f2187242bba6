package iac

import (
	"strconv"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// ruleSpec is a rule as Terraform or CloudFormation declares it: one
// direction, protocol and port range, and any number of peers. A field the
// source leaves unknown (a variable in HCL, !Ref in a template) is a
// wildcard: it matches anything, and only the known fields count towards
// how well a block matches (docs/iac.md §3).
type ruleSpec struct {
	Direction inventory.Direction // "" unknown
	Protocol  string              // normalised as in the inventory; "" unknown
	// FromPort and ToPort as the source wrote them; nil unknown.
	FromPort, ToPort *int
	// Peers are the peers the source names, each as inventory peer kind
	// and value ("cidr_ipv4", "10.0.0.0/8"); PeersKnown is false when any
	// peer list could not be read, so peers are then not compared.
	Peers      []peerSpec
	PeersKnown bool
	// ID is the rule's sgr- id when the source has one
	// (aws_vpc_security_group_ingress_rule's state).
	ID string
}

type peerSpec struct {
	Kind  inventory.PeerKind
	Value string // canonical CIDR, pl- id or sg- id; "" when Self
	Self  bool   // the group itself (Terraform's self = true)
}

// normProtocol reads a protocol the way Terraform and CloudFormation
// accept it ("-1", "all", "tcp", "6", "TCP") into the inventory's form.
func normProtocol(raw string) (string, bool) {
	if strings.EqualFold(raw, "all") {
		return inventory.ProtocolAll, true
	}
	if p, ok := inventory.ParseProtocol(raw); ok {
		return p, true
	}
	// The AWS provider accepts any IANA keyword and stores it in the
	// state ("esp" for 50), while EC2 reports the number: read as a name
	// that matches nothing, a declared ESP rule was drift (SGA017).
	if n, ok := ianaProtocols[strings.ToLower(raw)]; ok {
		return inventory.ParseProtocol(strconv.Itoa(n))
	}
	return raw, false
}

// ianaProtocols are the IANA protocol keywords (Assigned Internet
// Protocol Numbers) that are not tcp, udp, icmp or icmpv6.
var ianaProtocols = map[string]int{
	"hopopt": 0, "igmp": 2, "ggp": 3, "ipv4": 4, "st": 5, "cbt": 7, "egp": 8, "igp": 9,
	"bbn-rcc-mon": 10, "nvp-ii": 11, "pup": 12, "argus": 13, "emcon": 14, "xnet": 15, "chaos": 16,
	"mux": 18, "dcn-meas": 19, "hmp": 20, "prm": 21, "xns-idp": 22, "trunk-1": 23, "trunk-2": 24,
	"leaf-1": 25, "leaf-2": 26, "rdp": 27, "irtp": 28, "iso-tp4": 29, "netblt": 30, "mfe-nsp": 31,
	"merit-inp": 32, "dccp": 33, "3pc": 34, "idpr": 35, "xtp": 36, "ddp": 37, "idpr-cmtp": 38,
	"tp++": 39, "il": 40, "ipv6": 41, "sdrp": 42, "ipv6-route": 43, "ipv6-frag": 44, "idrp": 45,
	"rsvp": 46, "gre": 47, "dsr": 48, "bna": 49, "esp": 50, "ah": 51, "i-nlsp": 52, "swipe": 53,
	"narp": 54, "mobile": 55, "tlsp": 56, "skip": 57, "ipv6-icmp": 58, "ipv6-nonxt": 59,
	"ipv6-opts": 60, "cftp": 62, "sat-expak": 64, "kryptolan": 65, "rvd": 66, "ippc": 67,
	"sat-mon": 69, "visa": 70, "ipcv": 71, "cpnx": 72, "cphb": 73, "wsn": 74, "pvp": 75,
	"br-sat-mon": 76, "sun-nd": 77, "wb-mon": 78, "wb-expak": 79, "iso-ip": 80, "vmtp": 81,
	"secure-vmtp": 82, "vines": 83, "ttp": 84, "iptm": 84, "nsfnet-igp": 85, "dgp": 86, "tcf": 87,
	"eigrp": 88, "ospfigp": 89, "sprite-rpc": 90, "larp": 91, "mtp": 92, "ax.25": 93, "ipip": 94,
	"micp": 95, "scc-sp": 96, "etherip": 97, "encap": 98, "gmtp": 100, "ifmp": 101, "pnni": 102,
	"pim": 103, "aris": 104, "scps": 105, "qnx": 106, "a/n": 107, "ipcomp": 108, "snp": 109,
	"compaq-peer": 110, "ipx-in-ip": 111, "vrrp": 112, "pgm": 113, "l2tp": 115, "ddx": 116,
	"iatp": 117, "stp": 118, "srp": 119, "uti": 120, "smp": 121, "sm": 122, "ptp": 123,
	"isis-over-ipv4": 124, "fire": 125, "crtp": 126, "crudp": 127, "sscopmce": 128, "iplt": 129,
	"sps": 130, "pipe": 131, "sctp": 132, "fc": 133, "rsvp-e2e-ignore": 134, "mobility-header": 135,
	"udplite": 136, "mpls-in-ip": 137, "manet": 138, "hip": 139, "shim6": 140, "wesp": 141, "rohc": 142,
	"ethernet": 143,
}

func intPtr(i int) *int { return &i }

// addCIDRs appends the CIDRs of one list to s; a value that is not a CIDR
// is kept as written, so it matches nothing.
func (s *ruleSpec) addCIDRs(cidrs []string) {
	for _, c := range cidrs {
		canon, v6, ok := inventory.CanonicalCIDR(c)
		kind := inventory.PeerCIDRv4
		if !ok {
			canon = c
		} else if v6 {
			kind = inventory.PeerCIDRv6
		}
		s.Peers = append(s.Peers, peerSpec{Kind: kind, Value: canon})
	}
}

func (s *ruleSpec) addPrefixLists(ids []string) {
	for _, id := range ids {
		s.Peers = append(s.Peers, peerSpec{Kind: inventory.PeerPrefixList, Value: id})
	}
}

// addGroups appends security group peers; Terraform writes a group in
// another account as "123456789012/sg-1".
func (s *ruleSpec) addGroups(ids []string) {
	for _, id := range ids {
		if _, after, ok := strings.Cut(id, "/"); ok {
			id = after
		}
		s.Peers = append(s.Peers, peerSpec{Kind: inventory.PeerSecurityGroup, Value: id})
	}
}

// score says how well r (a live rule of group groupID) matches s: -1 when a
// known field differs, else the number of known fields that matched, so a
// block that names more of the rule wins over a vaguer one.
func (s ruleSpec) score(groupID string, r inventory.Rule) int {
	n := 0
	if s.ID != "" && r.ID != "" {
		if s.ID != r.ID {
			return -1
		}
		// The same sgr- id is the same rule, whatever else was read.
		return 100
	}
	if s.Direction != "" {
		if s.Direction != r.Direction {
			return -1
		}
		n++
	}
	if s.Protocol != "" {
		if s.Protocol != r.Protocol {
			return -1
		}
		n++
	}
	if s.Protocol != "" && s.FromPort != nil && s.ToPort != nil {
		if !portsMatch(s.Protocol, *s.FromPort, *s.ToPort, r) {
			return -1
		}
		n++
	}
	if s.PeersKnown {
		found := false
		for _, p := range s.Peers {
			if p.matches(groupID, r.Peer) {
				found = true
				break
			}
		}
		if !found {
			return -1
		}
		n++
	}
	return n
}

// portsMatch compares declared ports with the live rule's, which the
// inventory stores as EC2 applies them (docs/inventory.md §7): a port
// range for tcp and udp, type and code for icmp and icmpv6 (as Terraform
// and CloudFormation declare them too); protocol all is 0-65535 and every
// other protocol -1/-1 whatever was declared, so those always match.
func portsMatch(protocol string, from, to int, r inventory.Rule) bool {
	switch protocol {
	case inventory.ProtocolTCP, inventory.ProtocolUDP, inventory.ProtocolICMP, inventory.ProtocolICMPv6:
		return from == r.FromPort && to == r.ToPort
	}
	return true
}

func (p peerSpec) matches(groupID string, live inventory.Peer) bool {
	if p.Self {
		return live.Kind == inventory.PeerSecurityGroup && live.GroupID == groupID
	}
	if p.Kind != live.Kind {
		return false
	}
	switch p.Kind {
	case inventory.PeerCIDRv4, inventory.PeerCIDRv6:
		return p.Value == live.CIDR
	case inventory.PeerPrefixList:
		return p.Value == live.PrefixListID
	case inventory.PeerSecurityGroup:
		return p.Value == live.GroupID
	}
	return false
}

// bestMatch returns the index of the spec that matches r best, or -1 when
// none does or two match equally well: an ambiguous match maps to the
// group's block instead of guessing between two rule blocks.
func bestMatch(specs []ruleSpec, groupID string, r inventory.Rule) int {
	best, bestScore, tie := -1, -1, false
	for i, s := range specs {
		sc := s.score(groupID, r)
		switch {
		case sc < 0:
		case sc > bestScore:
			best, bestScore, tie = i, sc, false
		case sc == bestScore:
			tie = true
		}
	}
	if tie {
		return -1
	}
	return best
}

// anyInt reads a JSON number or numeric string (Terraform states hold
// ports as numbers; older ones and templates as strings).
func anyInt(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		if x != float64(int(x)) {
			return 0, false
		}
		return int(x), true
	case int:
		return x, true
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(x))
		return i, err == nil
	}
	return 0, false
}
