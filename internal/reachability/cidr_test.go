package reachability

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestToCIDRs(t *testing.T) {
	addr := func(s string) u128 { _, a := addrOf(netip.MustParseAddr(s)); return a }
	for _, tt := range []struct {
		f      fam
		lo, hi string
		want   []string
	}{
		{v4, "0.0.0.0", "255.255.255.255", []string{"0.0.0.0/0"}},
		{v4, "198.51.100.0", "198.51.100.255", []string{"198.51.100.0/24"}},
		{v4, "10.0.0.1", "10.0.0.6", []string{"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}},
		{v4, "255.255.255.255", "255.255.255.255", []string{"255.255.255.255/32"}},
		{v6, "2000::", "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", []string{"2000::/3"}},
		{v6, "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", []string{"::/0"}},
	} {
		if got := toCIDRs(tt.f, addr(tt.lo), addr(tt.hi)); !cmp.Equal(got, tt.want) {
			t.Errorf("toCIDRs(%s, %s) = %v, want %v", tt.lo, tt.hi, got, tt.want)
		}
	}
}
