package moto

import (
	"context"
	"sync"
	"testing"
)

// StartT starts a server for one test (or benchmark) and closes it when the
// test ends. A missing binary fails the test with a one-line message saying
// how to install it: an integration test that skips silently proves nothing.
func StartT(t testing.TB) *Server {
	t.Helper()
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Shared is one server shared by the tests of a package, started on first
// use so that unit tests run alone never pay for it. Declare it at package
// level and close it in TestMain after m.Run:
//
//	var motoServer moto.Shared
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		motoServer.Close()
//		os.Exit(code)
//	}
type Shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Get returns the shared server, starting it on the first call; it fails t
// when the server cannot start (and keeps failing later callers the same
// way, without retrying).
func (s *Shared) Get(t testing.TB) *Server {
	t.Helper()
	s.once.Do(func() { s.srv, s.err = Start(context.Background(), Options{}) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.srv
}

// Close stops the server if it was started.
func (s *Shared) Close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
}
