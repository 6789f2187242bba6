package engine

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/sgaudit/sgaudit/policies"
)

func envInt(k string, d int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return d
}

func BenchmarkTune(b *testing.B) {
	n := envInt("SGA_N", 10000)
	e, err := Load(context.Background(), policies.FS, Options{Workers: envInt("SGA_W", 0), BatchSize: envInt("SGA_B", 0)})
	if err != nil {
		b.Fatal(err)
	}
	inv := synthetic(n, 1)
	base := liveHeapMB()
	sampler := startSampler()
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if _, _, err := e.Evaluate(context.Background(), inv); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	rss, heap := sampler.finish()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/group")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N*n), "cpu-µs/group")
	b.ReportMetric(rss, "MB-peak")
	b.ReportMetric(heap-base, "MB-heap-eval")
}
