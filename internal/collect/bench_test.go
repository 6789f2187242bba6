package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/sgaudit/sgaudit/internal/memsample"
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

// BenchmarkCollectMemory collects an organisation of 10 accounts × 10
// regions × 1,000 groups (100k groups, ~1M rules, 100k interfaces) with
// the default concurrency and no latency, and reports the most memory the
// collection held above what the fakes hold (MB-peak-heap, MB-peak ≈ RSS)
// and the inventory it returned (MB-inventory). Every page is a fresh copy,
// as a real client decodes one from its response.
//
//	go test ./internal/collect -run '^$' -bench CollectMemory -benchtime=1x
func BenchmarkCollectMemory(b *testing.B) {
	const (
		accounts       = 10
		regions        = 10
		groupsPerPair  = 1000
		rulesPerGroup  = 10
		recordsPerPage = 1000
	)
	groups, records, enis := pairData(groupsPerPair, rulesPerGroup)
	var recordPages [][]types.SecurityGroupRule
	for lo := 0; lo < len(records); lo += recordsPerPage {
		recordPages = append(recordPages, records[lo:min(lo+recordsPerPage, len(records))])
	}
	org := &fakeOrg{caller: mgmtAccount, accounts: map[string]*fakeCloud{}}
	var page []orgtypes.Account
	for i := range accounts {
		id := fmt.Sprintf("%012d", 111111111111+i)
		cloud := &fakeCloud{regions: enabled(defaultRegions[:regions]...), data: map[string]*regionFake{}}
		for _, r := range defaultRegions[:regions] {
			cloud.data[r] = &regionFake{
				sgPages:   [][]types.SecurityGroup{groups},
				rulePages: recordPages,
				eniPages:  [][]types.NetworkInterface{enis},
			}
		}
		org.accounts[id] = cloud
		page = append(page, orgAccount(id, "account-"+id, orgtypes.AccountStateActive))
	}
	org.listPages = [][]orgtypes.Account{page}

	var inv *inventory.Inventory
	var peakRSS, peakHeap, invMB float64
	for b.Loop() {
		inv = nil
		base := memsample.LiveHeapMB()
		sampler := memsample.Start()
		c := newOrgCollector(org, Options{Org: true, Rate: -1})
		c.newEC2 = func(cfg aws.Config, region string) EC2API { return freshEC2{org.client(cfg, region).(*fakeEC2)} }
		var err error
		inv, err = c.run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		rss, heap := sampler.Stop()
		peakRSS, peakHeap = rss-base, heap-base
		invMB = memsample.LiveHeapMB() - base
	}
	if n := len(inv.SecurityGroups); n != accounts*regions*groupsPerPair {
		b.Fatalf("collected %d groups", n)
	}
	b.ReportMetric(peakHeap, "MB-peak-heap")
	b.ReportMetric(peakRSS, "MB-peak")
	b.ReportMetric(invMB, "MB-inventory")
}

// pairData is one (account, region) of n groups with ~perGroup rules each,
// as DescribeSecurityGroups, DescribeSecurityGroupRules and
// DescribeNetworkInterfaces list them.
func pairData(n, perGroup int) ([]types.SecurityGroup, []types.SecurityGroupRule, []types.NetworkInterface) {
	var groups []types.SecurityGroup
	var records []types.SecurityGroupRule
	var enis []types.NetworkInterface
	for i := range n {
		id := fmt.Sprintf("sg-%017x", i)
		g := types.SecurityGroup{
			GroupId: aws.String(id), GroupName: aws.String(fmt.Sprintf("app-%d", i)), Description: aws.String(fmt.Sprintf("Application tier %d", i)),
			VpcId: aws.String(fmt.Sprintf("vpc-%08x", i/50)), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String(fmt.Sprintf("team-%d", i%17))}},
			IpPermissionsEgress: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
		}
		records = append(records, types.SecurityGroupRule{SecurityGroupRuleId: aws.String(fmt.Sprintf("sgr-%08x%09x", i, 0)), GroupId: aws.String(id),
			IsEgress: aws.Bool(true), IpProtocol: aws.String("-1"), FromPort: aws.Int32(-1), ToPort: aws.Int32(-1), CidrIpv4: aws.String("0.0.0.0/0")})
		for j := 1; j < perGroup; j++ {
			port := int32([]int{443, 80, 8080, 5432, 3306, 6379, 22}[(i+j)%7])
			perm := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
			rec := types.SecurityGroupRule{SecurityGroupRuleId: aws.String(fmt.Sprintf("sgr-%08x%09x", i, j)), GroupId: aws.String(id),
				IsEgress: aws.Bool(false), IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port)}
			if j%2 == 0 {
				peer := fmt.Sprintf("sg-%017x", (i*7+j)%n)
				perm.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(peer), Description: aws.String("from peer tier")}}
				rec.ReferencedGroupInfo, rec.Description = &types.ReferencedSecurityGroup{GroupId: aws.String(peer)}, aws.String("from peer tier")
			} else {
				cidr := fmt.Sprintf("10.%d.%d.0/24", i%256, j)
				perm.IpRanges = []types.IpRange{{CidrIp: aws.String(cidr), Description: aws.String("office")}}
				rec.CidrIpv4, rec.Description = aws.String(cidr), aws.String("office")
			}
			g.IpPermissions = append(g.IpPermissions, perm)
			records = append(records, rec)
		}
		groups = append(groups, g)
		enis = append(enis, types.NetworkInterface{NetworkInterfaceId: aws.String(fmt.Sprintf("eni-%017x", i)), VpcId: g.VpcId,
			SubnetId: aws.String("subnet-1"), InterfaceType: types.NetworkInterfaceTypeInterface, Status: types.NetworkInterfaceStatusInUse,
			Attachment: &types.NetworkInterfaceAttachment{InstanceId: aws.String(fmt.Sprintf("i-%017x", i))},
			Groups:     []types.GroupIdentifier{{GroupId: aws.String(id)}}})
	}
	return groups, records, enis
}

// freshEC2 answers as fakeEC2 does, but every list is a new copy of the
// canned one, as a real client decodes it from the response: the memory
// the collector keeps is then its own, not shared with the fakes.
type freshEC2 struct{ *fakeEC2 }

func (e freshEC2) DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, opts ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	out, err := e.fakeEC2.DescribeSecurityGroups(ctx, in, opts...)
	if out != nil {
		out.SecurityGroups = decodedCopy(out.SecurityGroups)
	}
	return out, err
}

func (e freshEC2) DescribeSecurityGroupRules(ctx context.Context, in *ec2.DescribeSecurityGroupRulesInput, opts ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	out, err := e.fakeEC2.DescribeSecurityGroupRules(ctx, in, opts...)
	if out != nil {
		out.SecurityGroupRules = decodedCopy(out.SecurityGroupRules)
	}
	return out, err
}

func (e freshEC2) DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, opts ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	out, err := e.fakeEC2.DescribeNetworkInterfaces(ctx, in, opts...)
	if out != nil {
		out.NetworkInterfaces = decodedCopy(out.NetworkInterfaces)
	}
	return out, err
}

// decodedCopy is a deep copy of xs through JSON, every string its own.
func decodedCopy[T any](xs []T) []T {
	raw, err := json.Marshal(xs)
	if err != nil {
		panic(err)
	}
	var out []T
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}
