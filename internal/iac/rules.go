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
	return inventory.ParseProtocol(raw)
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
