package inventory

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"iter"
	"math"
	"slices"
	"sync"
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
	b := rulesBuilders.Get().(*rulesBuilder)
	b.reset()
	rows := make([]ruleRow, len(rules))
	for i := range rules {
		r, p := &rules[i], &rules[i].Peer
		rows[i] = ruleRow{
			id:            b.add(r.ID), // unique: not worth remembering
			direction:     b.span(fieldDirection, string(r.Direction)),
			protocol:      b.span(fieldProtocol, r.Protocol),
			rawProtocol:   b.span(fieldRawProtocol, r.RawProtocol),
			description:   b.span(fieldDescription, r.Description),
			kind:          b.span(fieldKind, string(p.Kind)),
			cidr:          b.span(fieldCIDR, p.CIDR),
			prefixListID:  b.span(fieldPrefixList, p.PrefixListID),
			groupID:       b.span(fieldGroupID, p.GroupID),
			groupOwner:    b.span(fieldGroupOwner, p.GroupOwner),
			vpcID:         b.span(fieldVPCID, p.VPCID),
			peeringStatus: b.span(fieldPeeringStatus, p.PeeringStatus),
			fromPort:      int64(r.FromPort),
			toPort:        int64(r.ToPort),
		}
	}
	out := Rules{rows: rows, text: bytes.Clone(b.text)}
	if cap(b.text) <= maxPooledText {
		b.recent = [fields][recentPerField]recentText{} // drop the callers' strings
		rulesBuilders.Put(b)
	}
	return out
}

// The fields whose values a builder remembers.
const (
	fieldDirection = iota
	fieldProtocol
	fieldRawProtocol
	fieldDescription
	fieldKind
	fieldCIDR
	fieldPrefixList
	fieldGroupID
	fieldGroupOwner
	fieldVPCID
	fieldPeeringStatus
	fields
)

// recentPerField is how many values of each field a builder remembers:
// enough for the few values direction, protocol, peer kind and owner take,
// and for a group's usual descriptions and repeated peers.
const recentPerField = 4

// rulesBuilder writes one list's text. It is pooled: the text of a large
// group is built in a reused buffer and copied out at its exact size.
type rulesBuilder struct {
	text   []byte
	recent [fields][recentPerField]recentText
	next   [fields]uint8
}

type recentText struct {
	s   string
	ref textRef
}

// maxPooledText keeps a builder that wrote a huge list out of the pool.
const maxPooledText = 1 << 20

var rulesBuilders = sync.Pool{New: func() any { return new(rulesBuilder) }}

func (b *rulesBuilder) reset() {
	b.text = append(b.text[:0], 0) // offset 0 is ""
	b.recent = [fields][recentPerField]recentText{}
	b.next = [fields]uint8{}
}

// span stores s, or finds it among the values this field had recently in
// the list: direction, protocol, peer kind and owner repeat on every rule,
// and descriptions and peers often do.
func (b *rulesBuilder) span(field int, s string) textRef {
	if s == "" {
		return 0
	}
	recent := &b.recent[field]
	for i := range recent {
		if recent[i].ref != 0 && recent[i].s == s {
			return recent[i].ref
		}
	}
	ref := b.add(s)
	recent[b.next[field]] = recentText{s, ref}
	b.next[field] = (b.next[field] + 1) % recentPerField
	return ref
}

// add appends s to the text: its length as a uvarint, then its bytes.
func (b *rulesBuilder) add(s string) textRef {
	if s == "" {
		return 0
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

// UnmarshalJSON reads a JSON array of Rule; null is an empty list. An
// error's offset counts from the start of the array: Decode reads a whole
// inventory file and reports offsets in it.
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
	sortRules(rules)
	return NewRules(rules...)
}

// sortRules sorts rules in place as slices.SortFunc(rules, CompareRules)
// does, building each rule's key at most once instead of at every
// comparison: a million rules without ids (exported JSON) were compared
// ~20 million times. It sorts the rules' indexes with comparisons of the
// same results, so the sort makes the same moves and rules that compare
// equal end in the same order.
func sortRules(rules []Rule) {
	if len(rules) < 2 {
		return
	}
	s := ruleSorters.Get().(*ruleSorter)
	s.order = s.order[:0]
	for i := range rules {
		s.order = append(s.order, int32(i))
	}
	s.keys = append(s.keys[:0], make([]keySpan, len(rules))...)
	s.text = s.text[:0]
	key := func(i int32) []byte {
		k := &s.keys[i]
		if !k.built {
			start := len(s.text)
			s.text = rules[i].appendKey(s.text)
			*k = keySpan{start: int32(start), end: int32(len(s.text)), built: true}
		}
		return s.text[k.start:k.end]
	}
	slices.SortFunc(s.order, func(i, j int32) int {
		if c := compareRuleHeads(&rules[i], &rules[j]); c != 0 {
			return c
		}
		return bytes.Compare(key(i), key(j))
	})
	s.tmp = append(s.tmp[:0], rules...)
	for k, i := range s.order {
		rules[k] = s.tmp[i]
	}
	clear(s.tmp) // drop the callers' strings
	if cap(s.tmp) <= maxPooledRules {
		ruleSorters.Put(s)
	}
}

// ruleSorter is sortRules' memory, pooled: groups are sorted by the
// hundred thousand.
type ruleSorter struct {
	order []int32
	keys  []keySpan
	text  []byte
	tmp   []Rule
}

// keySpan is where a rule's key is in ruleSorter.text, once built.
type keySpan struct {
	start, end int32
	built      bool
}

// maxPooledRules keeps a sorter that sorted a huge group out of the pool.
const maxPooledRules = 4096

var ruleSorters = sync.Pool{New: func() any { return new(ruleSorter) }}

// sorted returns rs in CompareRules order: rs itself when it is already.
// Each rule's key is built at most once (CompareRules built both at every
// comparison).
func (rs Rules) sorted() Rules {
	n := rs.Len()
	if n < 2 {
		return rs
	}
	var bufs [2][128]byte
	var keys [2][]byte
	var built [2]bool
	prev, p := rs.At(0), 0
	for i := 1; i < n; i++ {
		cur, c := rs.At(i), 1-p
		built[c] = false
		r := compareRuleHeads(&prev, &cur)
		if r == 0 {
			if !built[p] {
				keys[p], built[p] = prev.appendKey(bufs[p][:0]), true
			}
			keys[c], built[c] = cur.appendKey(bufs[c][:0]), true
			r = bytes.Compare(keys[p], keys[c])
		}
		if r > 0 {
			return SortedRules(rs.Slice())
		}
		prev, p = cur, c
	}
	return rs
}

// sortByIndex sorts s as slices.SortFunc(s, compare) does (the same
// order, ties included: it sorts indexes with comparisons of the same
// results), then moves each element once. Sorting 100k groups moved
// their 300-byte structs at every swap and copied two at every
// comparison.
func sortByIndex[T any](s []T, compare func(a, b *T) int) {
	// An import of one export, or a collection, is often in order
	// already: checked in one pass, without the index or the moves.
	sorted := true
	for i := 1; i < len(s) && sorted; i++ {
		sorted = compare(&s[i-1], &s[i]) <= 0
	}
	if sorted {
		return
	}
	order := make([]int32, len(s))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int { return compare(&s[i], &s[j]) })
	// Position k takes s[order[k]]: follow each cycle once.
	for start := range order {
		if order[start] < 0 {
			continue
		}
		if int(order[start]) == start { // in place already: no copy
			order[start] = -1
			continue
		}
		tmp, k := s[start], start
		for {
			j := int(order[k])
			order[k] = -1
			if j == start {
				s[k] = tmp
				break
			}
			s[k] = s[j]
			k = j
		}
	}
}

// dirKind returns rule i's direction and peer kind, without the rest.
func (rs Rules) dirKind(i int) (Direction, PeerKind) {
	row := &rs.rows[i]
	return Direction(rs.str(row.direction)), PeerKind(rs.str(row.kind))
}
