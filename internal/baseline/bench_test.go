package baseline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// benchFindings is the size of the baseline BenchmarkReadBaseline reads:
// a large estate's report, about 235 MB as sgaudit writes it.
const benchFindings = 200_000

// benchReport writes a report of n findings shaped like SGA001's (message,
// remediation, evidence, frameworks) and returns its path.
func benchReport(b *testing.B, n int) string {
	b.Helper()
	fs := make([]findings.Finding, n)
	for i := range fs {
		f := finding("SGA001", fmt.Sprintf("%012d", 100000000000+i%50), "eu-west-1",
			fmt.Sprintf("sg-%017x", i), fmt.Sprintf("bench-%d", i))
		f.Title = "Administrative ports open to the world"
		f.Message = fmt.Sprintf("sg-%017x (web-%d) allows tcp 22 (SSH) from 0.0.0.0/0: anyone on the internet can try to log in", i, i)
		f.Remediation = fmt.Sprintf("aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-%017x --security-group-rule-ids sgr-%017x", i, i)
		f.Resolution = "Allow administrative ports only from known address ranges (a VPN, a bastion host's group), or use SSM Session Manager instead of opening SSH or RDP at all. " +
			"If a port must stay reachable, restrict it to the smallest CIDR that works and record why in a suppression with an owner and an expiry date."
		f.RuleID = fmt.Sprintf("sgr-%017x", i)
		f.RuleKey = fmt.Sprintf("ingress|tcp|22|22|cidr|0.0.0.0/0|%d", i)
		f.VPCID = "vpc-0123456789abcdef0"
		f.Evidence = map[string]any{"protocol": "tcp", "from_port": 22.0, "to_port": 22.0, "cidr": "0.0.0.0/0",
			"port_names": []any{"SSH"}, "public_interfaces": []any{"eni-0a1b2c3d4e5f60718", "eni-0a1b2c3d4e5f60719"}}
		f.Frameworks = map[string][]string{"cis-aws": {"5.2", "5.3"}, "aws-foundational": {"EC2.13", "EC2.14"}}
		fs[i] = f
	}
	path := filepath.Join(b.TempDir(), "findings.json")
	if err := os.WriteFile(path, writeReport(b, report(fs...)), 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkReadBaseline reads a 200,000-finding baseline. Besides time and
// allocations it reports peak-heap-MB, the highest live heap seen while
// reading (sampled every millisecond, garbage not yet collected included),
// live-heap-MB, what the baseline keeps once read, and file-MB.
func BenchmarkReadBaseline(b *testing.B) {
	path := benchReport(b, benchFindings)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var peak, live uint64
	for b.Loop() {
		runtime.GC()
		stop := samplePeakHeap(&peak)
		base, err := readForBench(path)
		stop()
		if err != nil {
			b.Fatal(err)
		}
		if len(base.Findings) != benchFindings {
			b.Fatalf("read %d findings, want %d", len(base.Findings), benchFindings)
		}
		runtime.GC()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		live = max(live, s[0].Value.Uint64())
		runtime.KeepAlive(base)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(live)/(1<<20), "live-heap-MB")
	b.ReportMetric(float64(st.Size())/(1<<20), "file-MB")
}

// samplePeakHeap raises *peak to the largest live heap seen until stop is
// called.
func samplePeakHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

func readForBench(path string) (*Baseline, error) { return Read(context.Background(), path) }
