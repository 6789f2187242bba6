package faultproxy

import "testing"

// StartT starts a proxy for one test (or benchmark), failing t if it cannot
// start, and closes it when the test ends.
func StartT(t testing.TB, opts Options) *Proxy {
	t.Helper()
	p, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}
