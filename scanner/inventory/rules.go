package inventory

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"iter"
	"math"
	"slices"
	"unsafe"
)

// Rules is a group's list of rules, held compactly: an immutable value
// whose memory holds no pointers. An organisation has millions of rules,
// and as plain []Rule they were most of an inventory (208 bytes of struct
// with eleven string pointers per rule, plus the strings); the garbage
// collector traced all of it on every cycle of an evaluation. Here each
// rule is one 64-byte row of offsets into the list's own text, so a cycle
// skips rules entirely and a rule costs less than half the memory
// (BenchmarkEvaluate, BenchmarkDecodedInventory).
//
// Build one with NewRules; read it with Len, At and All. The zero value is
// an empty list. In JSON it is an array of Rule, as []Rule was.
type Rules struct {
	rows []ruleRow
	// text holds the rows' strings, each as its length (a uvarint) and
	// its bytes, after one unused byte so that offset 0 can mean "". It is
	// never written after NewRules returns: the strings At hands out point
	// into it.
	text []byte
}

// textRef is the offset in Rules.text of one string; 0 is "".
type textRef uint32

// ruleRow is a Rule without pointers.
type ruleRow struct {
	id, direction, protocol, rawProtocol, description textRef
	kind, cidr, prefixListID, groupID, groupOwner     textRef
	vpcID, peeringStatus                              textRef
	fromPort, toPort                                  int64
}

// NewRules copies rules into a compact list, in the order given.
func NewRules(rules ...Rule) Rules {
	if len(rules) == 0 {
		return Rules{}
	}
	rows := make([]ruleRow, len(rules))
	size := 1
	for i := range rules {
		size += rules[i].textSize()
	}
	b := rulesBuilder{text: make([]byte, 1, size)}
	var prev Rule
	var prevRow ruleRow
	for i := range rules {
		r := &rules[i]
		row := &rows[i]
		row.id = b.span(r.ID, prev.ID, prevRow.id)
		row.direction = b.span(string(r.Direction), string(prev.Direction), prevRow.direction)
		row.protocol = b.span(r.Protocol, prev.Protocol, prevRow.protocol)
		row.rawProtocol = b.span(r.RawProtocol, prev.RawProtocol, prevRow.rawProtocol)
		row.description = b.span(r.Description, prev.Description, prevRow.description)
		row.kind = b.span(string(r.Peer.Kind), string(prev.Peer.Kind), prevRow.kind)
		row.cidr = b.span(r.Peer.CIDR, prev.Peer.CIDR, prevRow.cidr)
		row.prefixListID = b.span(r.Peer.PrefixListID, prev.Peer.PrefixListID, prevRow.prefixListID)
		row.groupID = b.span(r.Peer.GroupID, prev.Peer.GroupID, prevRow.groupID)
		row.groupOwner = b.span(r.Peer.GroupOwner, prev.Peer.GroupOwner, prevRow.groupOwner)
		row.vpcID = b.span(r.Peer.VPCID, prev.Peer.VPCID, prevRow.vpcID)
		row.peeringStatus = b.span(r.Peer.PeeringStatus, prev.Peer.PeeringStatus, prevRow.peeringStatus)
		row.fromPort, row.toPort = int64(r.FromPort), int64(r.ToPort)
		prev, prevRow = *r, *row
	}
	text := b.text
	if len(text) < cap(text)*3/4 {
		text = bytes.Clone(text) // repeated values made the first guess too big
	}
	return Rules{rows: rows, text: text}
}

// textSize is the length of all of r's strings with their length
// prefixes, assuming each is shorter than 128 bytes (the text grows if
// not).
func (r *Rule) textSize() int {
	p := &r.Peer
	return 12 + len(r.ID) + len(r.Direction) + len(r.Protocol) + len(r.RawProtocol) + len(r.Description) +
		len(p.Kind) + len(p.CIDR) + len(p.PrefixListID) + len(p.GroupID) + len(p.GroupOwner) + len(p.VPCID) + len(p.PeeringStatus)
}

type rulesBuilder struct{ text []byte }

// span appends s to the text, unless the previous rule had the same value
// in this field: direction, protocol, peer kind, owner and often the
// description repeat from rule to rule (rules are sorted by direction),
// and comparing with the neighbour costs less than a lookup table.
func (b *rulesBuilder) span(s, prev string, prevRef textRef) textRef {
	if s == "" {
		return 0
	}
	if s == prev {
		return prevRef
	}
	if len(b.text)+binary.MaxVarintLen64+len(s) > math.MaxUint32 {
		panic("inventory: a group's rules hold more than 4 GB of text")
	}
	ref := textRef(len(b.text))
	b.text = binary.AppendUvarint(b.text, uint64(len(s)))
	b.text = append(b.text, s...)
	return ref
}

// Len is the number of rules.
func (rs Rules) Len() int { return len(rs.rows) }

// At returns rule i. Its strings share the list's memory (no copy is made),
// so reading every rule of an inventory allocates nothing.
func (rs Rules) At(i int) Rule {
	row := &rs.rows[i]
	return Rule{
		ID:          rs.str(row.id),
		Direction:   Direction(rs.str(row.direction)),
		Protocol:    rs.str(row.protocol),
		RawProtocol: rs.str(row.rawProtocol),
		FromPort:    int(row.fromPort),
		ToPort:      int(row.toPort),
		Peer: Peer{
			Kind:          PeerKind(rs.str(row.kind)),
			CIDR:          rs.str(row.cidr),
			PrefixListID:  rs.str(row.prefixListID),
			GroupID:       rs.str(row.groupID),
			GroupOwner:    rs.str(row.groupOwner),
			VPCID:         rs.str(row.vpcID),
			PeeringStatus: rs.str(row.peeringStatus),
		},
		Description: rs.str(row.description),
	}
}

func (rs Rules) str(ref textRef) string {
	if ref == 0 {
		return ""
	}
	n, w := uint64(rs.text[ref]), 1
	if n >= 0x80 { // 128 bytes or more: a longer uvarint
		n, w = binary.Uvarint(rs.text[ref:])
	}
	// text is never modified once built, so a string may alias it.
	return unsafe.String(&rs.text[int(ref)+w], int(n))
}

// All yields each rule with its index, in order.
func (rs Rules) All() iter.Seq2[int, Rule] {
	return func(yield func(int, Rule) bool) {
		for i := range rs.rows {
			if !yield(i, rs.At(i)) {
				return
			}
		}
	}
}

// Slice returns the rules as a new []Rule, to sort or edit before building
// a new list.
func (rs Rules) Slice() []Rule {
	out := make([]Rule, len(rs.rows))
	for i := range rs.rows {
		out[i] = rs.At(i)
	}
	return out
}

// Equal reports whether both lists hold the same rules in the same order
// (go-cmp uses it).
func (rs Rules) Equal(other Rules) bool {
	if rs.Len() != other.Len() {
		return false
	}
	for i := range rs.rows {
		if rs.At(i) != other.At(i) {
			return false
		}
	}
	return true
}

// MarshalJSON writes the rules as a JSON array of Rule; an empty list is [].
func (rs Rules) MarshalJSON() ([]byte, error) {
	return json.Marshal(rs.Slice())
}

// UnmarshalJSON reads a JSON array of Rule; null is an empty list.
func (rs *Rules) UnmarshalJSON(data []byte) error {
	var rules []Rule
	if err := json.Unmarshal(data, &rules); err != nil {
		return err
	}
	*rs = NewRules(rules...)
	return nil
}

// SortedRules sorts rules in place (CompareRules) and returns them as a
// list: what builders of an inventory use, so that Sort finds the list in
// order and keeps it.
func SortedRules(rules []Rule) Rules {
	slices.SortFunc(rules, CompareRules)
	return NewRules(rules...)
}

// sorted returns rs in CompareRules order: rs itself when it is already.
func (rs Rules) sorted() Rules {
	for i := 1; i < rs.Len(); i++ {
		if CompareRules(rs.At(i-1), rs.At(i)) > 0 {
			return SortedRules(rs.Slice())
		}
	}
	return rs
}
