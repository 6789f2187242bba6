package exposure

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSpan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cidr  string
		ok    bool
		v6    bool
		bits  int
		first u128
		last  u128
		world bool
	}{
		{name: "ipv4 world", cidr: "0.0.0.0/0", ok: true, last: u128{0, 0xffffffff}, world: true},
		{name: "ipv4 any address with /0 is the world", cidr: "10.1.2.3/0", ok: true, last: u128{0, 0xffffffff}, world: true},
		{name: "ipv4 host bits are masked", cidr: "10.1.2.3/8", ok: true, bits: 8, first: u128{0, 0x0a000000}, last: u128{0, 0x0affffff}},
		{name: "ipv4 surrounding spaces", cidr: " 128.0.0.0/1 ", ok: true, bits: 1, first: u128{0, 0x80000000}, last: u128{0, 0xffffffff}},
		{name: "ipv4 host", cidr: "255.255.255.255/32", ok: true, bits: 32, first: u128{0, 0xffffffff}, last: u128{0, 0xffffffff}},
		{name: "ipv6 world", cidr: "::/0", ok: true, v6: true, last: u128{^uint64(0), ^uint64(0)}, world: true},
		{name: "ipv6 upper half", cidr: "8000::/1", ok: true, v6: true, bits: 1, first: u128{1 << 63, 0}, last: u128{^uint64(0), ^uint64(0)}},
		{name: "ipv6 /64 boundary", cidr: "2001:db8::/64", ok: true, v6: true, bits: 64, first: u128{0x20010db800000000, 0}, last: u128{0x20010db800000000, ^uint64(0)}},
		{name: "ipv6 /65", cidr: "2001:db8::8000:0:0:0/65", ok: true, v6: true, bits: 65, first: u128{0x20010db800000000, 1 << 63}, last: u128{0x20010db800000000, ^uint64(0)}},
		{
			// IPv4-mapped stays IPv6: a /96 of the IPv6 space, never IPv4.
			name: "ipv4-mapped ipv6 stays ipv6", cidr: "::ffff:0.0.0.0/96", ok: true, v6: true, bits: 96,
			first: u128{0, 0x0000ffff00000000}, last: u128{0, 0x0000ffffffffffff},
		},
		{name: "unparsable /0 is the world as in net.rego", cidr: "garbage/0", ok: true, last: u128{0, 0xffffffff}, world: true},
		{name: "unparsable /0 with a colon is ipv6", cidr: "x:y/0", ok: true, v6: true, last: u128{^uint64(0), ^uint64(0)}, world: true},
		{name: "no prefix length", cidr: "1.2.3.4", ok: false},
		{name: "prefix too long", cidr: "1.2.3.4/33", ok: false},
		{name: "empty", cidr: "", ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ok := parseSpan(tt.cidr)
			if ok != tt.ok {
				t.Fatalf("parseSpan(%q) ok = %v, want %v", tt.cidr, ok, tt.ok)
			}
			if !ok {
				return
			}
			want := span{v6: tt.v6, bits: tt.bits, first: tt.first, last: tt.last}
			if diff := cmp.Diff(want, s, cmp.AllowUnexported(span{}, u128{})); diff != "" {
				t.Errorf("parseSpan(%q) (-want +got):\n%s", tt.cidr, diff)
			}
			if s.isWorld() != tt.world {
				t.Errorf("isWorld = %v, want %v", s.isWorld(), tt.world)
			}
		})
	}
}

// chain returns /1, /2, ... /bits blocks that step towards the last
// address (0/1, 128/2, 192/3, ...) and, if last, the final /bits host:
// together they cover the space only with the last host, which exercises
// the step past the top address without overflow.
func chain(v6, last bool) []string {
	bitsLen := 32
	if v6 {
		bitsLen = 128
	}
	var out []string
	var b [16]byte
	for bits := 1; bits <= bitsLen; bits++ {
		a := addrFrom(b[:], v6)
		out = append(out, netip.PrefixFrom(a, bits).String())
		// set bit (bits-1) for the next, deeper block
		b[(bits-1)/8] |= 0x80 >> ((bits - 1) % 8)
	}
	if last {
		out = append(out, netip.PrefixFrom(addrFrom(b[:], v6), bitsLen).String())
	}
	return out
}

func addrFrom(b []byte, v6 bool) netip.Addr {
	if v6 {
		return netip.AddrFrom16([16]byte(b))
	}
	return netip.AddrFrom4([4]byte(b[:4]))
}

func TestCoversFamily(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		v6    bool
		cidrs []string
		want  bool
	}{
		{name: "ipv4 world", cidrs: []string{"0.0.0.0/0"}, want: true},
		{name: "ipv4 halves", cidrs: []string{"128.0.0.0/1", "0.0.0.0/1"}, want: true},
		{name: "ipv4 quarters out of order", cidrs: []string{"192.0.0.0/2", "0.0.0.0/2", "128.0.0.0/2", "64.0.0.0/2"}, want: true},
		{name: "ipv4 nested and repeated blocks", cidrs: []string{"10.0.0.0/8", "0.0.0.0/1", "64.0.0.0/2", "0.0.0.0/1", "128.0.0.0/1", "200.1.2.3/32"}, want: true},
		{name: "ipv4 gap in the middle", cidrs: []string{"0.0.0.0/1", "192.0.0.0/2"}, want: false},
		{name: "ipv4 gap at the start", cidrs: []string{"64.0.0.0/2", "128.0.0.0/1"}, want: false},
		{name: "ipv4 gap at the end", cidrs: []string{"0.0.0.0/1", "128.0.0.0/2"}, want: false},
		{name: "ipv4 one half", cidrs: []string{"0.0.0.0/1"}, want: false},
		{name: "private ranges", cidrs: []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}, want: false},
		{name: "empty", cidrs: nil, want: false},
		{name: "ipv4 chain to the last host", cidrs: chain(false, true), want: true},
		{name: "ipv4 chain missing the last host", cidrs: chain(false, false), want: false},
		{name: "ipv6 world", v6: true, cidrs: []string{"::/0"}, want: true},
		{name: "ipv6 halves", v6: true, cidrs: []string{"8000::/1", "::/1"}, want: true},
		{name: "ipv6 chain across the 64-bit boundary", v6: true, cidrs: chain(true, true), want: true},
		{name: "ipv6 chain missing the last host", v6: true, cidrs: chain(true, false), want: false},
		{name: "ipv6 ipv4-mapped space is not the world", v6: true, cidrs: []string{"::ffff:0.0.0.0/97", "::ffff:128.0.0.0/97"}, want: false},
		{name: "ipv6 ipv4-mapped plus the rest", v6: true, cidrs: []string{"::/1", "8000::/1", "::ffff:0.0.0.0/96"}, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			spans := mustSpans(t, tt.cidrs)
			if got := coversFamily(spans, tt.v6); got != tt.want {
				t.Errorf("coversFamily(%v) = %v, want %v", tt.cidrs, got, tt.want)
			}
		})
	}
}

func mustSpans(t *testing.T, cidrs []string) []span {
	t.Helper()
	out := make([]span, 0, len(cidrs))
	for _, c := range cidrs {
		s, ok := parseSpan(c)
		if !ok {
			t.Fatalf("parseSpan(%q) failed", c)
		}
		out = append(out, s)
	}
	return out
}

// randomBlocks draws a set of prefixes no longer than /8 that often covers
// the space: a random partition of it, maybe minus one block, plus random
// extra (nested or overlapping) blocks, shuffled.
func randomBlocks(r *rand.Rand, v6 bool) []netip.Prefix {
	var part []netip.Prefix
	var split func(p netip.Prefix)
	split = func(p netip.Prefix) {
		if p.Bits() >= 8 || r.IntN(3) == 0 {
			part = append(part, p)
			return
		}
		lo := netip.PrefixFrom(p.Addr(), p.Bits()+1)
		b := p.Addr().AsSlice()
		b[p.Bits()/8] |= 0x80 >> (p.Bits() % 8)
		hi := netip.PrefixFrom(addrFrom(pad16(b), v6), p.Bits()+1)
		split(lo)
		split(hi)
	}
	var zero [16]byte
	split(netip.PrefixFrom(addrFrom(zero[:], v6), 0))
	if r.IntN(2) == 0 {
		i := r.IntN(len(part))
		part = slices.Delete(part, i, i+1)
	}
	for range r.IntN(4) {
		var b [16]byte
		b[0] = byte(r.IntN(256))
		part = append(part, netip.PrefixFrom(addrFrom(b[:], v6), 1+r.IntN(8)).Masked())
	}
	r.Shuffle(len(part), func(i, j int) { part[i], part[j] = part[j], part[i] })
	return part
}

func pad16(b []byte) []byte {
	var out [16]byte
	copy(out[:], b)
	return out[:]
}

// TestCoversFamilyAgainstBruteForce checks coversFamily and maximal on
// random prefixes of at most /8 against an oracle that needs no merging:
// such a set covers the space exactly when each of the 256 /8 blocks has its
// first address inside some prefix; and a prefix is maximal exactly when no
// strictly shorter prefix of the set contains it.
func TestCoversFamilyAgainstBruteForce(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	covered := 0
	for i := range 2000 {
		v6 := i%2 == 1
		blocks := randomBlocks(r, v6)
		want := true
		for o := range 256 {
			var b [16]byte
			b[0] = byte(o)
			a := addrFrom(b[:], v6)
			if !slices.ContainsFunc(blocks, func(p netip.Prefix) bool { return p.Contains(a) }) {
				want = false
				break
			}
		}
		strs := make([]string, len(blocks))
		for j, p := range blocks {
			strs[j] = p.String()
		}
		spans := mustSpans(t, strs)
		if got := coversFamily(slices.Clone(spans), v6); got != want {
			t.Fatalf("coversFamily(%v) = %v, want %v", strs, got, want)
		}
		if want {
			covered++
		}

		var wantMax []string
		for _, p := range blocks {
			inside := slices.ContainsFunc(blocks, func(q netip.Prefix) bool { return q.Bits() < p.Bits() && q.Contains(p.Addr()) })
			if !inside {
				wantMax = append(wantMax, p.String())
			}
		}
		idx := make([]int, len(spans))
		for j := range idx {
			idx[j] = j
		}
		var gotMax []string
		for _, j := range maximal(spans, idx) {
			gotMax = append(gotMax, strs[j])
		}
		slices.Sort(wantMax)
		slices.Sort(gotMax)
		if diff := cmp.Diff(wantMax, gotMax); diff != "" {
			t.Fatalf("maximal(%v) (-want +got):\n%s", strs, diff)
		}
	}
	// The generator must exercise both outcomes, or the test proves little.
	if covered < 200 || covered > 1800 {
		t.Fatalf("only %d of 2000 random sets covered the space; generator is unbalanced", covered)
	}
}
