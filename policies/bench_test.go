package policies_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sgaudit/sgaudit/internal/cputime"
	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// syntheticInventory builds n groups of ten rules each, spread over 17
// regions: mostly private rules (one of them 10.0.0.0/8, which the CIDR-set
// test must dismiss cheaply), HTTPS and HTTP from the world, a prefix list,
// AWS's egress rule. When dirty, it has the findings of a neglected account:
// every group has an undescribed rule, one in ten SSH from the world, one in
// twenty all traffic, one in seven unused, one in eleven a placeholder
// description; clean, it has none (with SGA014 on, AWS's egress rule is one
// finding per group in both).
func syntheticInventory(n int, dirty bool) inventory.Inventory {
	inv := inventory.Inventory{SchemaVersion: inventory.SchemaVersion}
	regions := 17
	for r := range regions {
		reg := fmt.Sprintf("region-%02d", r)
		inv.Coverage = append(inv.Coverage, inventory.Coverage{
			AccountID: acct, Region: reg, Status: inventory.CoverageOK,
			Collected: []string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules, inventory.KindNetworkInterfaces,
				inventory.KindPrefixLists, inventory.KindStaleReferences},
		})
		inv.VPCs = append(inv.VPCs, inventory.VPC{ID: "vpc-1", AccountID: acct, Region: reg, NetworkInterfaces: r % 3})
		// An AWS-managed list as S3's: /15 to /22 entries, never the world.
		inv.PrefixLists = append(inv.PrefixLists, inventory.PrefixList{ID: "pl-1", Name: "com.amazonaws." + reg + ".s3", Owner: "AWS",
			AccountID: acct, Region: reg, Entries: []inventory.PrefixListEntry{{CIDR: "52.216.0.0/15"}, {CIDR: "3.5.0.0/19"}, {CIDR: "16.182.0.0/16"}}})
	}
	for i := range n {
		id := fmt.Sprintf("sg-%08x", i)
		rules := []inventory.Rule{
			rule(id+"-1", inventory.Ingress, "tcp", 443, 443, cidr("0.0.0.0/0"), "https"),
			rule(id+"-2", inventory.Ingress, "tcp", 8080, 8080, cidr("10.0.0.0/8"), "app"),
			rule(id+"-3", inventory.Ingress, "tcp", 22, 22, cidr("10.1.0.0/16"), "ssh from vpn"),
			rule(id+"-4", inventory.Ingress, "udp", 53, 53, cidr("10.0.0.2/32"), "dns"),
			rule(id+"-5", inventory.Ingress, "all", 0, 65535, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: id}, "self"),
			rule(id+"-6", inventory.Ingress, "icmp", -1, -1, cidr("0.0.0.0/0"), "ping"),
			rule(id+"-7", inventory.Ingress, "tcp", 5432, 5432, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-app"}, "db"),
			rule(id+"-8", inventory.Ingress, "tcp", 80, 80, cidr("::/0"), "http"),
			rule(id+"-9", inventory.Egress, "tcp", 443, 443, inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-1"}, "s3"),
			rule(id+"-a", inventory.Egress, "all", 0, 65535, cidr("0.0.0.0/0"), ""),
		}
		if dirty {
			rules[3].Description = ""
		}
		switch {
		case !dirty:
		case i%20 == 0:
			rules[1] = rule(id+"-2", inventory.Ingress, "all", 0, 65535, cidr("0.0.0.0/0"), "")
		case i%10 == 0:
			rules[2] = rule(id+"-3", inventory.Ingress, "tcp", 22, 22, cidr("0.0.0.0/0"), "")
		}
		g := group(id, fmt.Sprintf("svc-%d", i), "service group", rules, []inventory.Evidence{{Kind: inventory.UsedByENI, ID: "eni-" + id}})
		g.Region = inv.Coverage[i%regions].Region
		g.Attachments = []inventory.Attachment{{NetworkInterfaceID: "eni-" + id, PublicIP: "203.0.113.1", Resource: "i-" + id}}
		if dirty && i%7 == 0 {
			g.UsedBy, g.Attachments = nil, nil
		}
		if dirty && i%11 == 0 {
			g.Description = "Managed by Terraform"
		}
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	return inv
}

// BenchmarkChecks evaluates the whole pack the way docs/performance.md has the
// engine do it: one prepared query, batches of 200 groups, input passed as
// an ast.Value. It reports wall and CPU µs per group on one goroutine (on
// a shared machine the CPU figure is the stable one); the engine's own
// benchmark measures the parallel, end-to-end figure.
func BenchmarkChecks(b *testing.B) {
	for _, dirty := range []bool{false, true} {
		for _, n := range []int{1_000, 10_000} {
			b.Run(fmt.Sprintf("dirty=%t/groups=%d", dirty, n), func(b *testing.B) {
				benchmarkQuery(b, n, dirty, "data.sgaudit.checks[name].deny")
			})
		}
	}
}

// BenchmarkEachCheck splits the cost per check at 1k groups, to find the
// one to optimise. Package-level lookups are rebuilt for every batch here
// (the engine keeps those that do not depend on the batch), so the figures
// overstate checks that use them; BenchmarkEngine is the real total.
func BenchmarkEachCheck(b *testing.B) {
	for _, name := range []string{
		"open_admin_ports", "open_database_ports", "open_all_traffic", "open_high_risk_ports",
		"unauthorized_open_port", "group_description", "rule_description", "unused_group",
		"default_group_rules", "default_group_in_use", "launch_wizard_group", "rules_quota",
		"stale_reference", "unrestricted_egress", "naming_convention", "wide_public_range",
	} {
		for _, dirty := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/dirty=%t", name, dirty), func(b *testing.B) {
				benchmarkQuery(b, 1_000, dirty, "data.sgaudit.checks."+name+".deny")
			})
		}
	}
}

func benchmarkQuery(b *testing.B, n int, dirty bool, query string) {
	const batch = engine.DefaultBatchSize
	{
		{
			in := toInput(b, syntheticInventory(n, dirty)).(map[string]any)
			groups := in["security_groups"].([]any)
			var batches []ast.Value
			for lo := 0; lo < len(groups); lo += batch {
				v, err := ast.InterfaceToValue(map[string]any{
					"coverage":        in["coverage"],
					"vpcs":            in["vpcs"],
					"prefix_lists":    in["prefix_lists"],
					"security_groups": groups[lo:min(lo+batch, len(groups))],
				})
				if err != nil {
					b.Fatal(err)
				}
				batches = append(batches, v)
			}
			pq := prepare(b, query)
			ctx := context.Background()
			cpu0, cpuOK := cputime.Used()
			b.ResetTimer()
			for b.Loop() {
				for _, v := range batches {
					if _, err := pq.Eval(ctx, rego.EvalParsedInput(v)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/group")
			if cpu1, ok := cputime.Used(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/group")
			}
		}
	}
}

// namingPattern is a convention every synthetic group meets ("svc-12"), so
// that SGA015 costs its regex per group without adding findings.
const namingPattern = `^svc-[0-9]+$`

// BenchmarkEngine measures the pack as a scan runs it: engine.Load and
// Evaluate (one worker per core, batches of 200, package-level lookups
// kept across batches) with every check on, SGA014 and SGA015 included
// (SGA015 with a naming pattern); pack=defaults is the pack as shipped
// (SGA014 and SGA015 off). pack=floor is a pack whose one check
// matches nothing: the engine's own cost (input conversion, one Eval per
// batch, results), so builtin minus floor is what the Rego costs.
//
//	go test ./policies -run '^$' -bench BenchmarkEngine -benchtime=3x
func BenchmarkEngine(b *testing.B) {
	floor := fstest.MapFS{"checks/floor.rego": {Data: []byte(`# METADATA
# title: Floor
# description: Matches nothing; measures the engine alone.
# custom:
#   id: BEN001
#   severity: LOW
#   resolution: None.
package sgaudit.checks.floor

deny contains {"group_arn": g.arn, "msg": g.id} if {
	some g in input.security_groups
	g.id == "never"
}
`)}}
	dataFile := filepath.Join(b.TempDir(), "naming.json")
	if err := os.WriteFile(dataFile, []byte(`{"sgaudit": {"naming_pattern": "`+namingPattern+`"}}`), 0o644); err != nil {
		b.Fatal(err)
	}
	packs := []struct {
		name string
		fsys fs.FS
		opts engine.Options
	}{
		{"builtin", policies.FS, engine.Options{
			Enabled:   map[string]bool{"SGA014": true, "SGA015": true},
			DataFiles: []string{dataFile},
		}},
		{"defaults", policies.FS, engine.Options{}},
		{"floor", floor, engine.Options{}},
	}
	// SGAUDIT_BENCH_PACK=dir adds another pack with checks/ lib/ data/ (an
	// older checkout's policies/, say) for a before/after comparison.
	if dir := os.Getenv("SGAUDIT_BENCH_PACK"); dir != "" {
		packs = append(packs, struct {
			name string
			fsys fs.FS
			opts engine.Options
		}{"dir", os.DirFS(dir), engine.Options{}})
	}
	for _, p := range packs {
		for _, dirty := range []bool{false, true} {
			b.Run(fmt.Sprintf("pack=%s/dirty=%t/groups=10000", p.name, dirty), func(b *testing.B) {
				e, err := engine.Load(context.Background(), p.fsys, p.opts)
				if err != nil {
					b.Fatal(err)
				}
				inv := syntheticInventory(10_000, dirty)
				var found int
				cpu0, cpuOK := cputime.Used()
				b.ResetTimer()
				for b.Loop() {
					fs, _, err := e.Evaluate(context.Background(), &inv)
					if err != nil {
						b.Fatal(err)
					}
					found = len(fs)
				}
				n := len(inv.SecurityGroups)
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/group")
				if cpu1, ok := cputime.Used(); ok && cpuOK {
					b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/group")
				}
				b.ReportMetric(float64(found)/float64(n), "findings/group")
			})
		}
	}
}
