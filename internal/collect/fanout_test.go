package collect

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestFanOut(t *testing.T) {
	t.Parallel()
	items := []int{5, 1, 4, 2, 3, 0, 6, 7, 9, 8}
	var running, most atomic.Int32
	// The first calls wait until pairFanout of them are in flight: a
	// fanOut making fewer at once never returns (the test binary's
	// timeout reports it).
	b := &barrier{size: pairFanout, open: make(chan struct{})}
	got, err := fanOut(context.Background(), items, func(ctx context.Context, n int) (int, error) {
		now := running.Add(1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		defer running.Add(-1)
		if err := b.wait(ctx); err != nil {
			return 0, err
		}
		time.Sleep(time.Duration(n) * time.Millisecond) // finish out of order
		return n * 10, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []int{50, 10, 40, 20, 30, 0, 60, 70, 90, 80}
	if !slices.Equal(got, want) {
		t.Errorf("results %v, want them in the items' order %v", got, want)
	}
	if m := most.Load(); m != pairFanout {
		t.Errorf("%d calls at once, want %d", m, pairFanout)
	}

	boom := errors.New("boom")
	_, err = fanOut(context.Background(), items, func(ctx context.Context, n int) (int, error) {
		if n == 4 {
			return 0, boom
		}
		return n, nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want the failing call's", err)
	}
}
