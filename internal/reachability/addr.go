package reachability

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
)

// u128 is an address as a 128-bit number (IPv4 in the low 32 bits): both
// families share one comparison.
type u128 struct{ hi, lo uint64 }

func (a u128) compare(b u128) int { return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo)) }

func (a u128) next() u128 {
	if a.lo == ^uint64(0) {
		return u128{a.hi + 1, 0}
	}
	return u128{a.hi, a.lo + 1}
}

func (a u128) prev() u128 {
	if a.lo == 0 {
		return u128{a.hi - 1, ^uint64(0)}
	}
	return u128{a.hi, a.lo - 1}
}

// fam is an address family: 0 IPv4, 1 IPv6.
type fam int

const (
	v4 fam = 0
	v6 fam = 1
)

func (f fam) String() string {
	if f == v6 {
		return "IPv6"
	}
	return "IPv4"
}

// last is the last address of a family.
func (f fam) last() u128 {
	if f == v6 {
		return u128{^uint64(0), ^uint64(0)}
	}
	return u128{0, 1<<32 - 1}
}

// span is a CIDR block as its first and last address.
type span struct {
	f           fam
	first, last u128
}

func (s span) contains(a u128) bool { return s.first.compare(a) <= 0 && a.compare(s.last) <= 0 }

func (s span) bits() int {
	// the prefix length from the size of the block
	n := 0
	x := u128{s.last.hi ^ s.first.hi, s.last.lo ^ s.first.lo}
	for x.hi != 0 || x.lo != 0 {
		n++
		x = u128{x.hi >> 1, x.lo>>1 | x.hi<<63}
	}
	if s.f == v4 {
		return 32 - n
	}
	return 128 - n
}

// parseSpan reads a canonical CIDR.
func parseSpan(cidr string) (span, bool) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return span{}, false
	}
	p = p.Masked()
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		first := uint64(binary.BigEndian.Uint32(b[:]))
		host := uint64(1)<<(32-p.Bits()) - 1
		return span{f: v4, first: u128{0, first}, last: u128{0, first | host}}, true
	}
	b := a.As16()
	first := u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	hb := 128 - p.Bits()
	var host u128
	switch {
	case hb >= 128:
		host = u128{^uint64(0), ^uint64(0)}
	case hb >= 64:
		host = u128{1<<(hb-64) - 1, ^uint64(0)}
	default:
		host = u128{0, 1<<hb - 1}
	}
	return span{f: v6, first: first, last: u128{first.hi | host.hi, first.lo | host.lo}}, true
}

// addrOf converts an address.
func addrOf(a netip.Addr) (fam, u128) {
	if a.Is4() {
		b := a.As4()
		return v4, u128{0, uint64(binary.BigEndian.Uint32(b[:]))}
	}
	b := a.As16()
	return v6, u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// netipOf converts back, for messages.
func netipOf(f fam, a u128) netip.Addr {
	if f == v4 {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(a.lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return netip.AddrFrom16(b)
}

// cutsOf returns the sorted starting addresses of the elementary
// intervals the spans divide a family into: 0, and each span's first
// address and the address after its last.
func cutsOf(f fam, spans []span, into []u128) []u128 {
	into = append(into[:0], u128{})
	end := f.last()
	for _, s := range spans {
		into = append(into, s.first)
		if s.last != end {
			into = append(into, s.last.next())
		}
	}
	slices.SortFunc(into, u128.compare)
	return slices.Compact(into)
}

// mergeCuts merges sorted cut lists.
func mergeCuts(lists ...[]u128) []u128 {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]u128, 0, n)
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.SortFunc(out, u128.compare)
	return slices.Compact(out)
}

// amap is a function of the source address over one family, constant on
// each elementary interval: vals[i] holds on [cuts[i], cuts[i+1]).
type amap[T any] struct {
	cuts []u128
	vals []T
}

// at returns the index of the interval holding a.
func (m *amap[T]) at(a u128) int {
	i, found := slices.BinarySearchFunc(m.cuts, a, u128.compare)
	if found {
		return i
	}
	return i - 1
}

// build evaluates f at the start of each elementary interval of spans.
func build[T any](f fam, spans []span, eval func(a u128) T) *amap[T] {
	m := &amap[T]{cuts: cutsOf(f, spans, nil)}
	m.vals = make([]T, len(m.cuts))
	for i, c := range m.cuts {
		m.vals[i] = eval(c)
	}
	return m
}

// specialV4 and specialV6 are the address blocks that are not the
// internet: a packet from the internet never has such a source
// (docs/reachability.md §1).
var (
	// The documentation blocks (192.0.2.0/24, 2001:db8::/32...) stay
	// internet sources: examples and tests use them as such.
	specialV4 = []string{"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
		"192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"}
	// IPv6: only global unicast (2000::/3) is the internet.
	globalV6  = "2000::/3"
	specialV6 = []string{}
)

// Internet reports whether an address is an internet source in the model:
// IPv4 outside the private, shared, loopback, link-local, multicast and
// reserved blocks, IPv6 in 2000::/3. The oracle test and explain use it too.
func Internet(a netip.Addr) bool {
	a = a.Unmap()
	blocks := specialV4
	if a.Is6() {
		if !netip.MustParsePrefix(globalV6).Contains(a) {
			return false
		}
		blocks = specialV6
	}
	for _, b := range blocks {
		if netip.MustParsePrefix(b).Contains(a) {
			return false
		}
	}
	return true
}

// internetMaps are the internet source space of each family as amaps.
var internetMaps = func() [2]*amap[bool] {
	var out [2]*amap[bool]
	for _, f := range []fam{v4, v6} {
		var spans []span
		list := specialV4
		if f == v6 {
			list = append([]string{globalV6}, specialV6...)
		}
		for _, c := range list {
			s, _ := parseSpan(c)
			spans = append(spans, s)
		}
		out[f] = build(f, spans, func(a u128) bool { return Internet(netipOf(f, a)) })
	}
	return out
}()
