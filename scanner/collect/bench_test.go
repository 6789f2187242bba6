package collect

import (
	"context"
	"fmt"
	"testing"
	"time"

	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The 17 regions enabled by default in an account (no opt-in).
var defaultRegions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// BenchmarkCollectOrganisation scans a simulated organisation of 50
// accounts × 17 regions whose every API call takes 100 ms, and reports the
// wall time against the critical path: the longest chain of calls that
// must follow each other, times the latency. That chain is
// GetCallerIdentity → ListAccounts (3 pages of 20) → AssumeRole →
// DescribeRegions → DescribeSecurityGroups → the calls that need the
// groups (references, stale rules): 8 calls. Everything else of a pair
// runs beside it. With one concurrency slot per pair the bound is the
// API, not the collector; DefaultConcurrency shows the default's cost.
// The rate budget is the default.
func BenchmarkCollectOrganisation(b *testing.B) {
	const (
		accounts = 50
		latency  = 100 * time.Millisecond
	)
	org := &fakeOrg{caller: mgmtAccount, accounts: map[string]*fakeCloud{}, latency: latency}
	var page []orgtypes.Account
	for i := range accounts {
		id := fmt.Sprintf("%012d", 111111111111+i)
		cloud := accountCloud(id, defaultRegions...)
		cloud.latency = latency
		org.accounts[id] = cloud
		page = append(page, orgAccount(id, "account-"+id, orgtypes.AccountStateActive))
		if len(page) == listAccountsPageSize || i == accounts-1 {
			org.listPages = append(org.listPages, page)
			page = nil
		}
	}
	chain := 1 + len(org.listPages) + 1 + 1 + 2
	critical := time.Duration(chain) * latency
	pairs := accounts * len(defaultRegions)
	for _, concurrency := range []int{pairs, DefaultConcurrency} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			var wall time.Duration
			for b.Loop() {
				for _, c := range org.accounts {
					c.calls = nil
				}
				start := time.Now()
				inv, err := newOrgCollector(org, Options{Org: true, Concurrency: concurrency, Rate: DefaultRate}).run(context.Background())
				wall += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if got := countStatus(inv.Coverage, inventory.CoverageOK); got != pairs || len(inv.Coverage) != pairs {
					b.Fatalf("%d pairs ok of %d (%d rows)", got, pairs, len(inv.Coverage))
				}
			}
			mean := wall / time.Duration(b.N)
			b.ReportMetric(float64(mean.Milliseconds()), "wall-ms")
			b.ReportMetric(float64(critical.Milliseconds()), "critical-path-ms")
			b.ReportMetric(float64(mean)/float64(critical), "x-critical-path")
		})
	}
}

func countStatus(cov []inventory.Coverage, s inventory.CoverageStatus) int {
	n := 0
	for _, c := range cov {
		if c.Status == s {
			n++
		}
	}
	return n
}
