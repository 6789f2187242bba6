package scan

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/internal/cputime"
	"github.com/sgaudit/sgaudit/internal/memsample"
	"github.com/sgaudit/sgaudit/reporters"
)

// BenchmarkScanOffline is `sgaudit scan --input sgs.json --input enis.json
// -o dir --format json` without the CLI: AWS CLI JSON of an account
// (writeCLIExport) is imported, judged by the embedded policies, and the
// JSON report written. The policies' compilation is included, like in a
// run. Metrics: wall-s and cpu-s per scan (CPU over both cores, which
// neighbours on a shared machine disturb less than wall time), the wall
// time of each phase (load-policies-s, import-s, evaluate-s: the engine
// and the report, write-json-s), import-MB/s (the files' size over the
// import's wall time), MB-peak
// (the most memory the Go runtime held from the OS, ≈ RSS), MB-input
// (the files), findings.
//
//	go test ./internal/scan -run '^$' -bench 'ScanOffline/groups=10000$'
//	go test ./internal/scan -run '^$' -bench 'ScanOffline/groups=100000$' -benchtime=1x
func BenchmarkScanOffline(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			paths, size, st := writeExportFiles(b, n, false)
			ctx := context.Background()
			opts := Options{Inputs: paths, Version: "bench"}
			out := filepath.Join(b.TempDir(), "findings.json")
			var wall, cpu, loadTime, importTime, evalTime, writeTime time.Duration
			var found int
			memsample.LiveHeapMB()
			sampler := memsample.Start()
			for b.Loop() {
				start := time.Now()
				cpu0, _ := cputime.Used()
				eng, err := LoadEngine(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				loadTime += t0.Sub(start)
				inv, err := Inventory(ctx, opts)
				if err != nil {
					b.Fatal(err)
				}
				importTime += time.Since(t0)
				if len(inv.SecurityGroups) != st.groups {
					b.Fatalf("%d groups imported, want %d", len(inv.SecurityGroups), st.groups)
				}
				t1 := time.Now()
				rep, err := Evaluate(ctx, eng, inv, opts)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				evalTime += t2.Sub(t1)
				if err := reporters.WriteFile(out, reporters.JSON{}, rep); err != nil {
					b.Fatal(err)
				}
				writeTime += time.Since(t2)
				found = len(rep.Findings)
				cpu1, _ := cputime.Used()
				wall += time.Since(start)
				cpu += cpu1 - cpu0
			}
			rss, _ := sampler.Stop()
			runs := float64(b.N)
			b.ReportMetric(wall.Seconds()/runs, "wall-s")
			b.ReportMetric(cpu.Seconds()/runs, "cpu-s")
			b.ReportMetric(loadTime.Seconds()/runs, "load-policies-s")
			b.ReportMetric(importTime.Seconds()/runs, "import-s")
			b.ReportMetric(evalTime.Seconds()/runs, "evaluate-s")
			b.ReportMetric(writeTime.Seconds()/runs, "write-json-s")
			b.ReportMetric(float64(size)/(1<<20)/(importTime.Seconds()/runs), "import-MB/s")
			b.ReportMetric(rss, "MB-peak")
			b.ReportMetric(float64(size)/(1<<20), "MB-input")
			b.ReportMetric(float64(found), "findings")
			b.Logf("%d groups (%d with something to report), %d rules, %d interfaces", st.groups, st.withProblem, st.rules, st.interfaces)
		})
	}
}

// BenchmarkEvaluateOffline is BenchmarkScanOffline's evaluation phase
// alone (Evaluate: verified exposure, the policies, exposures and the
// report) on the same imported estate, imported once outside the loop:
// what docs/performance.md's "Evaluation" section splits. cpu-s is the
// process CPU (both cores, GC included) per evaluation; findings must stay
// what the end-to-end scan reports.
//
//	go test ./internal/scan -run '^$' -bench 'EvaluateOffline/groups=100000$' -benchtime=3x
func BenchmarkEvaluateOffline(b *testing.B) {
	for _, n := range []int{20_000, 100_000} {
		b.Run(fmt.Sprintf("groups=%d", n), func(b *testing.B) {
			paths, _, _ := writeExportFiles(b, n, false)
			ctx := context.Background()
			opts := Options{Inputs: paths, Version: "bench"}
			eng, err := LoadEngine(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			inv, err := Inventory(ctx, opts)
			if err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			var cpu time.Duration
			var found int
			for b.Loop() {
				cpu0, _ := cputime.Used()
				rep, err := Evaluate(ctx, eng, inv, opts)
				if err != nil {
					b.Fatal(err)
				}
				cpu1, _ := cputime.Used()
				cpu += cpu1 - cpu0
				found = len(rep.Findings)
			}
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
			b.ReportMetric(float64(found), "findings")
		})
	}
}

// BenchmarkImportCLI imports the same files alone. MB/s is the files'
// size over the import's wall time; MB-peak is the most memory held from
// the OS during the import, MB-inventory the live heap of the inventory it
// returns, and x-inventory their ratio: what streaming keeps low (the old
// importer held the file and every SDK struct at once). MB-heap-peak is
// the peak of the heap above what was live before (garbage not yet
// collected included), x-inventory-heap its ratio to the inventory.
// MB/cpu-s is the
// files' size over the CPU time of the import (all cores): on a shared
// machine it moves less than MB/s. The -with-rules cases add the
// describe-security-group-rules export of the same groups, whose records
// are held until every group is read.
//
//	go test ./internal/scan -run '^$' -bench 'ImportCLI/groups=100000$' -benchtime=1x
//	go test ./internal/scan -run '^$' -bench 'ImportCLI/groups=100000-with-rules$' -benchtime=1x
func BenchmarkImportCLI(b *testing.B) {
	for _, bc := range []struct {
		n     int
		rules bool
	}{{10_000, false}, {100_000, false}, {10_000, true}, {100_000, true}} {
		name := fmt.Sprintf("groups=%d", bc.n)
		if bc.rules {
			name += "-with-rules"
		}
		b.Run(name, func(b *testing.B) {
			paths, size, _ := writeExportFiles(b, bc.n, bc.rules)
			b.SetBytes(size)
			var peak, heap, live float64
			var cpu time.Duration
			for b.Loop() {
				base := memsample.LiveHeapMB()
				sampler := memsample.Start()
				cpu0, _ := cputime.Used()
				inv, err := collect.Import(context.Background(), paths, "")
				if err != nil {
					b.Fatal(err)
				}
				cpu1, _ := cputime.Used()
				cpu += cpu1 - cpu0
				rss, heapPeak := sampler.Stop()
				peak, heap = rss, heapPeak-base
				live = memsample.LiveHeapMB() - base
				runtime.KeepAlive(inv)
			}
			b.ReportMetric(peak, "MB-peak")
			b.ReportMetric(live, "MB-inventory")
			b.ReportMetric(peak/live, "x-inventory")
			b.ReportMetric(heap, "MB-heap-peak")
			b.ReportMetric(heap/live, "x-inventory-heap")
			b.ReportMetric(float64(size)/(1<<20)/(cpu.Seconds()/float64(b.N)), "MB/cpu-s")
			b.ReportMetric(float64(size)/(1<<20), "MB-input")
		})
	}
}

// writeExportFiles writes the AWS CLI export of n groups into a temporary
// directory and returns the two files and their total size.
func writeExportFiles(b *testing.B, n int, withRules bool) ([]string, int64, exportStats) {
	b.Helper()
	dir := b.TempDir()
	paths := []string{filepath.Join(dir, "sgs.json"), filepath.Join(dir, "enis.json")}
	var rules io.Writer
	files := []*os.File{}
	if withRules {
		paths = append(paths, filepath.Join(dir, "rules.json"))
		f, err := os.Create(paths[2])
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		rules = f
		files = append(files, f)
	}
	sgs, err := os.Create(paths[0])
	if err != nil {
		b.Fatal(err)
	}
	defer sgs.Close()
	enis, err := os.Create(paths[1])
	if err != nil {
		b.Fatal(err)
	}
	defer enis.Close()
	st, err := writeCLIExport(sgs, enis, rules, n, 1)
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, f := range append(files, sgs, enis) {
		fi, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		size += fi.Size()
	}
	return paths, size, st
}

// The structs below print what `aws ec2 describe-security-groups` and
// `aws ec2 describe-network-interfaces` print: the API's field names,
// empty lists as [], absent optional fields omitted.
type cliPair struct {
	GroupId     string `json:"GroupId"`
	UserId      string `json:"UserId"`
	Description string `json:"Description,omitempty"`
}

type cliRange struct {
	CidrIp      string `json:"CidrIp,omitempty"`
	CidrIpv6    string `json:"CidrIpv6,omitempty"`
	Description string `json:"Description,omitempty"`
}

type cliPrefixList struct {
	PrefixListId string `json:"PrefixListId"`
	Description  string `json:"Description,omitempty"`
}

type cliPermission struct {
	IpProtocol       string          `json:"IpProtocol"`
	FromPort         *int            `json:"FromPort,omitempty"`
	ToPort           *int            `json:"ToPort,omitempty"`
	UserIdGroupPairs []cliPair       `json:"UserIdGroupPairs"`
	IpRanges         []cliRange      `json:"IpRanges"`
	Ipv6Ranges       []cliRange      `json:"Ipv6Ranges"`
	PrefixListIds    []cliPrefixList `json:"PrefixListIds"`
}

type cliTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type cliGroup struct {
	GroupId             string          `json:"GroupId"`
	IpPermissionsEgress []cliPermission `json:"IpPermissionsEgress"`
	VpcId               string          `json:"VpcId"`
	SecurityGroupArn    string          `json:"SecurityGroupArn"`
	OwnerId             string          `json:"OwnerId"`
	GroupName           string          `json:"GroupName"`
	Description         string          `json:"Description"`
	IpPermissions       []cliPermission `json:"IpPermissions"`
	Tags                []cliTag        `json:"Tags,omitempty"`
}

type cliENIGroup struct {
	GroupName string `json:"GroupName"`
	GroupId   string `json:"GroupId"`
}

type cliENI struct {
	Association *struct {
		IpOwnerId string `json:"IpOwnerId"`
		PublicIp  string `json:"PublicIp"`
	} `json:"Association,omitempty"`
	Attachment struct {
		AttachmentId        string `json:"AttachmentId"`
		DeleteOnTermination bool   `json:"DeleteOnTermination"`
		DeviceIndex         int    `json:"DeviceIndex"`
		InstanceId          string `json:"InstanceId"`
		InstanceOwnerId     string `json:"InstanceOwnerId"`
		Status              string `json:"Status"`
	} `json:"Attachment"`
	AvailabilityZone   string        `json:"AvailabilityZone"`
	Description        string        `json:"Description"`
	Groups             []cliENIGroup `json:"Groups"`
	InterfaceType      string        `json:"InterfaceType"`
	MacAddress         string        `json:"MacAddress"`
	NetworkInterfaceId string        `json:"NetworkInterfaceId"`
	OwnerId            string        `json:"OwnerId"`
	PrivateIpAddress   string        `json:"PrivateIpAddress"`
	RequesterManaged   bool          `json:"RequesterManaged"`
	SourceDestCheck    bool          `json:"SourceDestCheck"`
	Status             string        `json:"Status"`
	SubnetId           string        `json:"SubnetId"`
	VpcId              string        `json:"VpcId"`
}

// exportStats says what writeCLIExport wrote.
type exportStats struct {
	groups, rules, interfaces int
	withProblem               int // groups given something a default check reports
}

// writeCLIExport writes the AWS CLI output of an account with n groups in
// four regions, indented by four spaces as the CLI prints it:
// describe-security-groups to sgs and describe-network-interfaces to enis.
// Groups have ~10 rules (AWS's default egress, ingress from other groups,
// private CIDRs, a prefix list, some HTTPS from the world); about 20% have
// something to report (a port open to the world, an unused group, a
// description left by a tool).
func writeCLIExport(sgs, enis, rules io.Writer, n int, seed uint64) (exportStats, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	const account = "111122223333"
	regions := []string{"eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"}
	ports := []int{443, 80, 8080, 8443, 5432, 3306, 6379, 9090, 25}
	const groupsPerVPC = 50
	var st exportStats

	sw, ew := bufio.NewWriterSize(sgs, 1<<20), bufio.NewWriterSize(enis, 1<<20)
	sw.WriteString("{\n    \"SecurityGroups\": [")
	ew.WriteString("{\n    \"NetworkInterfaces\": [")
	var rw *bufio.Writer
	if rules != nil {
		rw = bufio.NewWriterSize(rules, 1<<20)
		rw.WriteString("{\n    \"SecurityGroupRules\": [")
	}
	records := 0
	encode := func(w *bufio.Writer, first bool, v any) error {
		b, err := json.MarshalIndent(v, "        ", "    ")
		if err != nil {
			return err
		}
		if !first {
			w.WriteByte(',')
		}
		w.WriteString("\n        ")
		_, err = w.Write(b)
		return err
	}
	port := func(p int) *int { return &p }
	for i := range n {
		region := regions[i%len(regions)]
		vpc := fmt.Sprintf("vpc-%08x", i/(groupsPerVPC*len(regions))*len(regions)+i%len(regions))
		id := fmt.Sprintf("sg-%017x", i)
		g := cliGroup{
			GroupId: id, VpcId: vpc, OwnerId: account,
			SecurityGroupArn: "arn:aws:ec2:" + region + ":" + account + ":security-group/" + id,
			GroupName:        fmt.Sprintf("app-%d-sg", i),
			Description:      fmt.Sprintf("Application tier %d", i),
			Tags:             []cliTag{{"env", "prod"}, {"team", fmt.Sprintf("team-%d", i%17)}},
			IpPermissions:    []cliPermission{},
			IpPermissionsEgress: []cliPermission{{IpProtocol: "-1", UserIdGroupPairs: []cliPair{},
				IpRanges: []cliRange{{CidrIp: "0.0.0.0/0"}}, Ipv6Ranges: []cliRange{}, PrefixListIds: []cliPrefixList{}}},
		}
		st.rules++
		perm := func(from, to int) cliPermission {
			return cliPermission{IpProtocol: "tcp", FromPort: port(from), ToPort: port(to), UserIdGroupPairs: []cliPair{},
				IpRanges: []cliRange{}, Ipv6Ranges: []cliRange{}, PrefixListIds: []cliPrefixList{}}
		}
		used := true
		if i%groupsPerVPC == 0 {
			g.GroupName, g.Description = "default", "default VPC security group"
			p := perm(0, 0)
			p.IpProtocol, p.FromPort, p.ToPort = "-1", nil, nil
			p.UserIdGroupPairs = []cliPair{{GroupId: id, UserId: account}}
			g.IpPermissions = append(g.IpPermissions, p)
			st.rules++
		} else {
			for range 9 {
				pt := ports[rng.IntN(len(ports))]
				p := perm(pt, pt)
				switch x := rng.IntN(100); {
				case x < 55:
					p.UserIdGroupPairs = []cliPair{{GroupId: fmt.Sprintf("sg-%017x", rng.IntN(n)), UserId: account, Description: "from peer tier"}}
				case x < 85:
					p.IpRanges = []cliRange{{CidrIp: fmt.Sprintf("10.%d.%d.0/24", rng.IntN(256), rng.IntN(256)), Description: "office"}}
				case x < 95:
					p.PrefixListIds = []cliPrefixList{{PrefixListId: "pl-0123456789abcdef0", Description: "corp prefix list"}}
				default:
					p.FromPort, p.ToPort = port(443), port(443)
					p.IpRanges = []cliRange{{CidrIp: "0.0.0.0/0", Description: "public https"}}
				}
				// The CLI prints one permission per protocol and ports,
				// with every peer of those in its lists.
				if j := slices.IndexFunc(g.IpPermissions, func(q cliPermission) bool { return *q.FromPort == *p.FromPort }); j >= 0 {
					q := &g.IpPermissions[j]
					// The same peer twice on one port is one rule: AWS
					// refuses the second, and the import refuses two
					// records of it.
					for _, pair := range p.UserIdGroupPairs {
						if slices.ContainsFunc(q.UserIdGroupPairs, func(o cliPair) bool { return o.GroupId == pair.GroupId }) {
							st.rules--
							continue
						}
						q.UserIdGroupPairs = append(q.UserIdGroupPairs, pair)
					}
					for _, r := range p.IpRanges {
						if slices.ContainsFunc(q.IpRanges, func(o cliRange) bool { return o.CidrIp == r.CidrIp }) {
							st.rules--
							continue
						}
						q.IpRanges = append(q.IpRanges, r)
					}
					if len(p.PrefixListIds) > 0 && len(q.PrefixListIds) > 0 {
						st.rules-- // the same rule twice: AWS refuses it
					}
					if len(q.PrefixListIds) == 0 {
						q.PrefixListIds = p.PrefixListIds
					}
				} else {
					g.IpPermissions = append(g.IpPermissions, p)
				}
				st.rules++
			}
			// About 20% of groups with something to report.
			problem := true
			switch x := rng.IntN(100); {
			case x < 4:
				p := perm(22, 22)
				p.IpRanges = []cliRange{{CidrIp: "0.0.0.0/0", Description: "ssh"}}
				g.IpPermissions = append(g.IpPermissions, p)
				st.rules++
			case x < 7:
				p := perm(5432, 5432)
				p.Ipv6Ranges = []cliRange{{CidrIpv6: "::/0", Description: "postgres"}}
				g.IpPermissions = append(g.IpPermissions, p)
				st.rules++
			case x < 9:
				p := perm(0, 0)
				p.IpProtocol, p.FromPort, p.ToPort = "-1", nil, nil
				p.IpRanges = []cliRange{{CidrIp: "0.0.0.0/0", Description: "debug"}}
				g.IpPermissions = append(g.IpPermissions, p)
				st.rules++
			case x < 14:
				g.Description = "Managed by Terraform"
			case x < 20:
				used = false
			default:
				problem = false
			}
			if problem {
				st.withProblem++
			}
		}
		if err := encode(sw, i == 0, g); err != nil {
			return st, err
		}
		if rw != nil {
			for _, r := range ruleRecords(g) {
				if err := encode(rw, records == 0, r); err != nil {
					return st, err
				}
				records++
			}
		}
		st.groups++
		if !used {
			continue
		}
		e := cliENI{
			AvailabilityZone: region + "a", Description: "", Groups: []cliENIGroup{{GroupName: g.GroupName, GroupId: id}},
			InterfaceType: "interface", MacAddress: "06:00:00:00:00:00", NetworkInterfaceId: fmt.Sprintf("eni-%017x", i),
			OwnerId: account, PrivateIpAddress: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255),
			SourceDestCheck: true, Status: "in-use", SubnetId: "subnet-" + vpc[4:], VpcId: vpc,
		}
		e.Attachment.AttachmentId = fmt.Sprintf("eni-attach-%017x", i)
		e.Attachment.InstanceId = fmt.Sprintf("i-%017x", i)
		e.Attachment.InstanceOwnerId, e.Attachment.Status, e.Attachment.DeleteOnTermination = account, "attached", true
		if rng.IntN(10) == 0 {
			e.Association = &struct {
				IpOwnerId string `json:"IpOwnerId"`
				PublicIp  string `json:"PublicIp"`
			}{"amazon", fmt.Sprintf("198.51.%d.%d", i/256%256, i%256)}
		}
		if err := encode(ew, st.interfaces == 0, e); err != nil {
			return st, err
		}
		st.interfaces++
	}
	sw.WriteString("\n    ]\n}\n")
	ew.WriteString("\n    ]\n}\n")
	if rw != nil {
		rw.WriteString("\n    ]\n}\n")
		if err := rw.Flush(); err != nil {
			return st, err
		}
	}
	if err := sw.Flush(); err != nil {
		return st, err
	}
	return st, ew.Flush()
}

// cliRuleRecord is one item of `aws ec2 describe-security-group-rules`.
type cliRuleRecord struct {
	SecurityGroupRuleId string `json:"SecurityGroupRuleId"`
	GroupId             string `json:"GroupId"`
	GroupOwnerId        string `json:"GroupOwnerId"`
	IsEgress            bool   `json:"IsEgress"`
	IpProtocol          string `json:"IpProtocol"`
	FromPort            int    `json:"FromPort"`
	ToPort              int    `json:"ToPort"`
	CidrIpv4            string `json:"CidrIpv4,omitempty"`
	CidrIpv6            string `json:"CidrIpv6,omitempty"`
	PrefixListId        string `json:"PrefixListId,omitempty"`
	ReferencedGroupInfo *struct {
		GroupId string `json:"GroupId"`
		UserId  string `json:"UserId"`
	} `json:"ReferencedGroupInfo,omitempty"`
	Description          string   `json:"Description,omitempty"`
	Tags                 []cliTag `json:"Tags"`
	SecurityGroupRuleArn string   `json:"SecurityGroupRuleArn"`
}

// ruleRecords are a group's rules as describe-security-group-rules
// prints them: one per peer, -1 for the ports of protocol -1.
func ruleRecords(g cliGroup) []cliRuleRecord {
	var out []cliRuleRecord
	region := strings.Split(g.SecurityGroupArn, ":")[3]
	for _, dir := range []struct {
		egress bool
		perms  []cliPermission
	}{{false, g.IpPermissions}, {true, g.IpPermissionsEgress}} {
		for _, p := range dir.perms {
			base := cliRuleRecord{GroupId: g.GroupId, GroupOwnerId: g.OwnerId, IsEgress: dir.egress, IpProtocol: p.IpProtocol,
				FromPort: -1, ToPort: -1, Tags: []cliTag{}}
			if p.FromPort != nil {
				base.FromPort, base.ToPort = *p.FromPort, *p.ToPort
			}
			add := func(r cliRuleRecord, desc string) {
				r.SecurityGroupRuleId = fmt.Sprintf("sgr-%s%04d", g.GroupId[3:], len(out))
				r.SecurityGroupRuleArn = "arn:aws:ec2:" + region + ":" + g.OwnerId + ":security-group-rule/" + r.SecurityGroupRuleId
				r.Description = desc
				out = append(out, r)
			}
			for _, x := range p.IpRanges {
				r := base
				r.CidrIpv4 = x.CidrIp
				add(r, x.Description)
			}
			for _, x := range p.Ipv6Ranges {
				r := base
				r.CidrIpv6 = x.CidrIpv6
				add(r, x.Description)
			}
			for _, x := range p.PrefixListIds {
				r := base
				r.PrefixListId = x.PrefixListId
				add(r, x.Description)
			}
			for _, x := range p.UserIdGroupPairs {
				r := base
				r.ReferencedGroupInfo = &struct {
					GroupId string `json:"GroupId"`
					UserId  string `json:"UserId"`
				}{x.GroupId, x.UserId}
				add(r, x.Description)
			}
		}
	}
	return out
}
