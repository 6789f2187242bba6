package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/sgaudit/sgaudit/internal/cputime"
	"github.com/sgaudit/sgaudit/internal/memsample"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// synthetic builds a deterministic inventory of n groups shaped like a real
// estate: ~10 rules per group (the AWS default egress plus ingress from
// other groups, private CIDRs, prefix lists and some HTTPS from the world),
// a default group per VPC, interfaces with and without public IPs, and
// about 5% of groups with a problem the checks report.
func synthetic(n int, seed uint64) *inventory.Inventory {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const account = "111122223333"
	regions := []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"}
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		CollectedAt:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Source:        "aws",
		Accounts:      []inventory.Account{{ID: account, Name: "synthetic", Partition: "aws"}},
	}
	all := []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroupRules, inventory.KindSecurityGroups}
	perRegion := make([]int, len(regions))
	for i := range n {
		perRegion[i%len(regions)]++
	}
	for i, r := range regions {
		inv.Coverage = append(inv.Coverage, inventory.Coverage{AccountID: account, Region: r, Status: inventory.CoverageOK, Collected: all, SecurityGroups: perRegion[i]})
		inv.PrefixLists = append(inv.PrefixLists, inventory.PrefixList{ID: "pl-0" + r, Name: "corp", Owner: account, AccountID: account, Region: r,
			Entries: []inventory.PrefixListEntry{{CIDR: "192.0.2.0/24"}, {CIDR: "198.51.100.0/24"}}})
	}
	ports := []int{443, 80, 8080, 8443, 5432, 3306, 6379, 22, 9090, 25}
	const groupsPerVPC = 50
	vpcENIs := map[string]int{}
	for i := range n {
		region := regions[i%len(regions)]
		vpc := fmt.Sprintf("vpc-%08x", i/(groupsPerVPC*len(regions))*len(regions)+i%len(regions))
		id := fmt.Sprintf("sg-%017x", i)
		g := inventory.SecurityGroup{
			ARN:         "arn:aws:ec2:" + region + ":" + account + ":security-group/" + id,
			ID:          id,
			Name:        fmt.Sprintf("app-%d-sg", i),
			Description: fmt.Sprintf("Application tier %d", i),
			AccountID:   account,
			Region:      region,
			VPCID:       vpc,
			Tags:        inventory.Tags{{Key: "env", Value: "prod"}, {Key: "team", Value: fmt.Sprintf("team-%d", i%17)}},
		}
		var rules []inventory.Rule
		add := func(dir inventory.Direction, proto string, from, to int, peer inventory.Peer, desc string) {
			raw := proto
			if proto == inventory.ProtocolAll {
				raw = "-1"
			}
			rules = append(rules, inventory.Rule{ID: fmt.Sprintf("sgr-%08x%09x", i, len(rules)+1), Direction: dir, Protocol: proto, RawProtocol: raw,
				FromPort: from, ToPort: to, Peer: peer, Description: desc})
		}
		world := inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}
		add(inventory.Egress, inventory.ProtocolAll, 0, 65535, world, "")
		if i%groupsPerVPC == 0 {
			// The VPC's default group: half keep AWS's self-reference.
			g.Name, g.Description, g.IsDefault = "default", "default VPC security group", true
			if rng.IntN(2) == 0 {
				add(inventory.Ingress, inventory.ProtocolAll, 0, 65535, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: id, GroupOwner: account}, "")
			}
		} else {
			for range 9 {
				port := ports[rng.IntN(len(ports))]
				switch p := rng.IntN(100); {
				case p < 55:
					peer := fmt.Sprintf("sg-%017x", rng.IntN(n))
					add(inventory.Ingress, inventory.ProtocolTCP, port, port, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: peer, GroupOwner: account}, "from peer tier")
				case p < 85:
					cidr := fmt.Sprintf("10.%d.%d.0/24", rng.IntN(256), rng.IntN(256))
					add(inventory.Ingress, inventory.ProtocolTCP, port, port, inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: cidr}, "office")
				case p < 95:
					add(inventory.Ingress, inventory.ProtocolTCP, port, port, inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-0" + region}, "corp prefix list")
				default:
					add(inventory.Ingress, inventory.ProtocolTCP, 443, 443, world, "public https")
				}
			}
			// About 5% of groups with something to report.
			switch p := rng.IntN(1000); {
			case p < 10:
				add(inventory.Ingress, inventory.ProtocolTCP, 22, 22, world, "ssh")
			case p < 15:
				add(inventory.Ingress, inventory.ProtocolTCP, 5432, 5432, inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "::/0"}, "postgres")
			case p < 18:
				add(inventory.Ingress, inventory.ProtocolAll, 0, 65535, world, "debug")
			case p < 28:
				g.Description = "Managed by Terraform"
			case p < 38:
				add(inventory.Ingress, inventory.ProtocolUDP, 53, 53, inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "10.0.0.0/8"}, "")
			}
		}
		if g.IsDefault || rng.IntN(1000) >= 15 {
			eni := fmt.Sprintf("eni-%017x", i)
			ni := inventory.NetworkInterface{ID: eni, Type: "interface", AccountID: account, Region: region, VPCID: vpc,
				SubnetID: "subnet-" + vpc[4:], Resource: fmt.Sprintf("i-%017x", i), GroupIDs: []string{id}, Status: "in-use"}
			a := inventory.Attachment{NetworkInterfaceID: eni, InterfaceType: "interface", Resource: ni.Resource}
			if rng.IntN(10) == 0 {
				ni.PublicIP = fmt.Sprintf("198.51.%d.%d", i/256%256, i%256)
				a.PublicIP = ni.PublicIP
			}
			g.Attachments = []inventory.Attachment{a}
			g.UsedBy = []inventory.Evidence{{Kind: inventory.UsedByENI, ID: eni}}
			inv.NetworkInterfaces = append(inv.NetworkInterfaces, ni)
			vpcENIs[region+"/"+vpc]++
		}
		g.Rules = inventory.SortedRules(rules)
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	for key, count := range vpcENIs {
		region, vpc, _ := strings.Cut(key, "/")
		inv.VPCs = append(inv.VPCs, inventory.VPC{ID: vpc, AccountID: account, Region: region, NetworkInterfaces: count})
	}
	inv.Sort()
	return inv
}

// BenchmarkEvaluate measures evaluation over synthetic inventories with the
// real embedded pack. Metrics:
// µs/group; MB-peak, the most memory the Go runtime held from the OS during
// the run (≈ RSS, inventory included); MB-inventory, the live heap before
// evaluating (the inventory, the compiled policies); MB-heap-eval, the peak
// heap above that (garbage not yet collected included); cpu-µs/group, CPU time over all cores, which
// other processes on a shared machine disturb less than wall time;
// findings/group, to show the mix is realistic; gc-cycles, gc-cpu-% and
// B-alloc/group, what the garbage collector costs and why.
//
//	go test ./internal/engine -run '^$' -bench 'Evaluate/groups=(1000|10000)$'
//	go test ./internal/engine -run '^$' -bench 'Evaluate/groups=100000$' -benchtime=1x
func BenchmarkEvaluate(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			benchmarkEvaluate(b, policies.FS, n)
		})
	}
}

// BenchmarkDecodedInventory measures what an inventory read from JSON
// (`scan --input`, and much like the collector's, whose strings each come
// from a response of their own) holds in memory: as decoded, and after
// Sort, which every path that builds one ends with (it compacts the slices
// and shares repeated strings). MB is the live heap of the inventory.
//
//	go test ./internal/engine -run '^$' -bench DecodedInventory -benchtime=1x
func BenchmarkDecodedInventory(b *testing.B) {
	raw, err := json.Marshal(synthetic(100_000, 1))
	if err != nil {
		b.Fatal(err)
	}
	for _, sorted := range []bool{false, true} {
		b.Run(fmt.Sprintf("groups=100000/sorted=%t", sorted), func(b *testing.B) {
			var mb float64
			for b.Loop() {
				before := memsample.LiveHeapMB()
				inv, err := inventory.Decode(raw)
				if err != nil {
					b.Fatal(err)
				}
				if sorted {
					inv.Sort()
				}
				mb = memsample.LiveHeapMB() - before
				runtime.KeepAlive(inv)
			}
			b.ReportMetric(mb, "MB")
		})
	}
}

// BenchmarkEvaluateTestPack is BenchmarkEvaluate with the small test pack:
// cheap Rego, so it shows the engine's own cost (conversion, batching,
// results).
func BenchmarkEvaluateTestPack(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			benchmarkEvaluate(b, testPack(), n)
		})
	}
}

func benchmarkEvaluate(b *testing.B, pack fs.FS, n int) {
	e, err := Load(context.Background(), pack, Options{})
	if err != nil {
		b.Fatal(err)
	}
	inv := synthetic(n, 1)
	base := memsample.LiveHeapMB()
	var found int
	sampler := memsample.Start()
	cpu0, cpuOK := cputime.Used()
	gc0 := readGCStats()
	b.ResetTimer()
	for range b.N {
		fs, _, err := e.Evaluate(context.Background(), inv)
		if err != nil {
			b.Fatal(err)
		}
		found = len(fs)
	}
	b.StopTimer()
	gc := readGCStats().since(gc0)
	cpu1, cpuOK1 := cputime.Used()
	rss, heap := sampler.Stop()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/group")
	if cpuOK && cpuOK1 {
		b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/group")
	}
	b.ReportMetric(rss, "MB-peak")
	b.ReportMetric(base, "MB-inventory")
	b.ReportMetric(heap-base, "MB-heap-eval")
	b.ReportMetric(float64(found)/float64(n), "findings/group")
	b.ReportMetric(float64(gc.cycles)/float64(b.N), "gc-cycles")
	b.ReportMetric(100*gc.cpu/gc.totalCPU, "gc-cpu-%")
	b.ReportMetric(float64(gc.allocated)/float64(b.N*n), "B-alloc/group")
	b.Logf("%d groups, %d rules, %d findings", n, countRules(inv), found)
}

// gcStats are the garbage collector's counters: the cost an evaluation's
// allocations cause beyond their own.
type gcStats struct {
	cycles, allocated uint64
	cpu, totalCPU     float64 // seconds, as the runtime estimates them
}

func readGCStats() gcStats {
	s := []metrics.Sample{
		{Name: "/gc/cycles/total:gc-cycles"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/cpu/classes/gc/total:cpu-seconds"},
		{Name: "/cpu/classes/total:cpu-seconds"},
	}
	metrics.Read(s)
	return gcStats{s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Float64(), s[3].Value.Float64()}
}

func (s gcStats) since(before gcStats) gcStats {
	return gcStats{s.cycles - before.cycles, s.allocated - before.allocated, s.cpu - before.cpu, s.totalCPU - before.totalCPU}
}

func countRules(inv *inventory.Inventory) int {
	n := 0
	for _, g := range inv.SecurityGroups {
		n += g.Rules.Len()
	}
	return n
}

// BenchmarkLargeGroupUnions judges one group at AWS's limit of 1,000 rules,
// every one a /2-/9 CIDR from the world's halves and quarters: the world
// union analysis' worst case (docs/performance.md, "Rules computed in
// Go"), on one port and on a port per rule.
//
//	go test ./internal/engine -run '^$' -bench LargeGroupUnions
func BenchmarkLargeGroupUnions(b *testing.B) {
	e, err := Load(context.Background(), policies.FS, Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, distinct := range []bool{false, true} {
		b.Run(fmt.Sprintf("port-per-rule=%t", distinct), func(b *testing.B) {
			inv := synthetic(1, 1)
			var rules []inventory.Rule
			for k := range 1000 {
				port := 22
				if distinct {
					port = 1000 + k
				}
				rules = append(rules, inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", FromPort: port, ToPort: port,
					Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: fmt.Sprintf("%d.0.0.0/%d", (k*4)%256, 2+k%8)}})
			}
			inv.SecurityGroups[0].Rules = inventory.NewRules(rules...)
			inv.Sort()
			var found int
			for b.Loop() {
				fs, _, err := e.Evaluate(context.Background(), inv)
				if err != nil {
					b.Fatal(err)
				}
				found = len(fs)
			}
			b.ReportMetric(float64(found), "findings")
		})
	}
}
