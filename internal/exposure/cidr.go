package exposure

import (
	"cmp"
	"encoding/binary"
	"net/netip"
	"slices"
	"strings"
)

// u128 is an address as a 128-bit number (IPv4 uses the low 32 bits), so
// both families share one comparison and one "next address" step.
type u128 struct{ hi, lo uint64 }

func (a u128) compare(b u128) int {
	return cmp.Or(cmp.Compare(a.hi, b.hi), cmp.Compare(a.lo, b.lo))
}

func (a u128) next() u128 {
	if a.lo == ^uint64(0) {
		return u128{a.hi + 1, 0}
	}
	return u128{a.hi, a.lo + 1}
}

// span is a CIDR block as the first and last address it holds. Prefixes
// either nest or are disjoint, which the coverage and maximality tests
// below rely on.
type span struct {
	v6          bool
	bits        int // prefix length
	first, last u128
}

// maxAddr is the last address of a family.
func maxAddr(v6 bool) u128 {
	if v6 {
		return u128{^uint64(0), ^uint64(0)}
	}
	return u128{0, 1<<32 - 1}
}

// worldSpan is the whole address space of a family (0.0.0.0/0 or ::/0).
func worldSpan(v6 bool) span {
	return span{v6: v6, bits: 0, last: maxAddr(v6)}
}

// isWorld reports whether s is its family's whole address space.
func (s span) isWorld() bool { return s.bits == 0 }

// parseSpan reads a CIDR as AWS writes it. The family is the address's own:
// an IPv4-mapped IPv6 prefix such as ::ffff:0.0.0.0/96 stays IPv6 (it is
// never Unmap()ed) and covers only its /96 of the IPv6 space. EC2 matches
// IPv4 packets against IPv4 rules only, so it never stands for IPv4.
// Host bits are ignored ("10.0.0.1/8" is 10.0.0.0/8), as netip.Masked does.
//
// Text that does not parse but ends in "/0" is still the world, because the
// Rego checks decide world-ness by that suffix alone (policies/lib/net.rego
// is_world) and exposure must agree with them; its family is IPv6 when it
// contains a colon, as net.ip_family decides.
func parseSpan(cidr string) (span, bool) {
	cidr = strings.TrimSpace(cidr)
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		if strings.HasSuffix(cidr, "/0") {
			return worldSpan(strings.Contains(cidr, ":")), true
		}
		return span{}, false
	}
	p = p.Masked()
	a := p.Addr()
	if a.Is4() {
		b := a.As4()
		first := uint64(binary.BigEndian.Uint32(b[:]))
		host := uint64(1)<<(32-p.Bits()) - 1
		return span{bits: p.Bits(), first: u128{0, first}, last: u128{0, first | host}}, true
	}
	b := a.As16()
	first := u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
	host := hostMask128(128 - p.Bits())
	return span{v6: true, bits: p.Bits(), first: first, last: u128{first.hi | host.hi, first.lo | host.lo}}, true
}

// hostMask128 has the low n bits set.
func hostMask128(n int) u128 {
	switch {
	case n <= 0:
		return u128{}
	case n < 64:
		return u128{0, 1<<n - 1}
	case n == 64:
		return u128{0, ^uint64(0)}
	case n < 128:
		return u128{1<<(n-64) - 1, ^uint64(0)}
	default:
		return u128{^uint64(0), ^uint64(0)}
	}
}

// compareSpans orders spans by family, first address, then widest first, so
// a prefix comes right before the prefixes nested in it.
func compareSpans(a, b span) int {
	return cmp.Or(compareBool(a.v6, b.v6), a.first.compare(b.first), cmp.Compare(a.bits, b.bits))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	default:
		return -1
	}
}

// coversFamily reports whether the union of spans (all of one family, in
// any order, overlapping or nested) is that family's whole address space:
// the merged blocks must start at address 0 and run without a gap to the
// last address. It sorts spans in place.
func coversFamily(spans []span, v6 bool) bool {
	slices.SortFunc(spans, compareSpans)
	last := maxAddr(v6)
	var next u128 // the lowest address not yet covered
	for _, s := range spans {
		if s.first.compare(next) > 0 {
			return false // a gap before s that no later span can fill
		}
		if s.last.compare(next) >= 0 {
			if s.last == last {
				return true
			}
			next = s.last.next()
		}
	}
	return false
}

// maximal returns the indices (in idx order after sorting by span) of the
// spans not strictly inside another one: since CIDR blocks nest or are
// disjoint, these are disjoint and their union is the union of all spans,
// so they are the peers that actually open the address space. Equal spans
// (the same CIDR in two groups) are all kept. All spans are of one family.
func maximal(spans []span, idx []int) []int {
	slices.SortFunc(idx, func(a, b int) int { return compareSpans(spans[a], spans[b]) })
	out := idx[:0:0]
	var cur span
	have := false
	for _, i := range idx {
		s := spans[i]
		switch {
		case have && s.first == cur.first && s.bits == cur.bits:
			out = append(out, i) // the same block again
		case have && s.first.compare(cur.last) <= 0:
			// nested in cur: sorted by first address and widest first, a
			// block containing s comes before it, and the latest maximal
			// block started at or before s is the only one that can.
		default:
			cur, have = s, true
			out = append(out, i)
		}
	}
	return out
}
