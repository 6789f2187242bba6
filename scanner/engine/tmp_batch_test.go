package engine

import (
	"context"
	"fmt"
	"testing"

	"github.com/sgaudit/sgaudit/policies"
)

func BenchmarkTmpBatch(b *testing.B) {
	inv := synthetic(10000, 1)
	for _, bs := range []int{25, 100, 400, 2000} {
		b.Run(fmt.Sprint(bs), func(b *testing.B) {
			e, _ := Load(context.Background(), policies.FS, Options{BatchSize: bs})
			c0 := cpuTime()
			for range b.N {
				e.Evaluate(context.Background(), inv)
			}
			b.ReportMetric(float64((cpuTime()-c0).Microseconds())/float64(b.N*10000), "cpu-µs/group")
		})
	}
}
