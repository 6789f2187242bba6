// Package memsample measures memory for benchmarks: the peak of what the Go
// runtime holds from the OS (close to RSS) and of the live heap while some
// work runs, sampled through runtime/metrics, which does not stop the world.
package memsample

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Sampler records peaks until Stop.
type Sampler struct {
	stop     chan struct{}
	done     sync.WaitGroup
	peakRSS  atomic.Uint64
	peakHeap atomic.Uint64
}

// Start samples every 2 ms until Stop.
func Start() *Sampler {
	s := &Sampler{stop: make(chan struct{})}
	samples := []metrics.Sample{
		{Name: "/memory/classes/total:bytes"},
		{Name: "/memory/classes/heap/released:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	read := func() {
		metrics.Read(samples)
		rss := samples[0].Value.Uint64() - samples[1].Value.Uint64()
		heap := samples[2].Value.Uint64()
		if rss > s.peakRSS.Load() {
			s.peakRSS.Store(rss)
		}
		if heap > s.peakHeap.Load() {
			s.peakHeap.Store(heap)
		}
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends sampling and returns the peaks in MB: memory held from the OS
// (≈ RSS, everything live included) and heap objects (garbage not yet
// collected included).
func (s *Sampler) Stop() (rssMB, heapMB float64) {
	close(s.stop)
	s.done.Wait()
	return mb(s.peakRSS.Load()), mb(s.peakHeap.Load())
}

// LiveHeapMB collects garbage, returns freed memory to the OS (so that a
// peak measured next starts from what is live, not from earlier garbage)
// and reports the live heap.
func LiveHeapMB() float64 {
	runtime.GC()
	debug.FreeOSMemory()
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return mb(s[0].Value.Uint64())
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }
