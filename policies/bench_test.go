package policies_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// syntheticInventory builds n groups of ten rules each, spread over 17
// regions: mostly private rules, HTTPS and HTTP from the world, AWS's egress
// rule. When dirty, it has the findings of a neglected account: every group
// has an undescribed rule, one in ten SSH from the world, one in twenty all
// traffic, one in seven unused, one in eleven a placeholder description
// (about 1.6 findings per group); clean, it has none.
func syntheticInventory(n int, dirty bool) inventory.Inventory {
	inv := inventory.Inventory{SchemaVersion: inventory.SchemaVersion}
	regions := 17
	for r := range regions {
		reg := fmt.Sprintf("region-%02d", r)
		inv.Coverage = append(inv.Coverage, inventory.Coverage{
			AccountID: acct, Region: reg, Status: inventory.CoverageOK,
			Collected: []string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules, inventory.KindNetworkInterfaces},
		})
		inv.VPCs = append(inv.VPCs, inventory.VPC{ID: "vpc-1", AccountID: acct, Region: reg, NetworkInterfaces: r % 3})
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

// BenchmarkChecks evaluates the whole pack the way DESIGN.md §8 has the
// engine do it: one prepared query, batches of 100 groups, input passed as
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
// one to optimise.
func BenchmarkEachCheck(b *testing.B) {
	for _, name := range []string{
		"open_admin_ports", "open_database_ports", "open_all_traffic",
		"group_description", "rule_description", "unused_group", "default_group_rules",
	} {
		for _, dirty := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/dirty=%t", name, dirty), func(b *testing.B) {
				benchmarkQuery(b, 1_000, dirty, "data.sgaudit.checks."+name+".deny")
			})
		}
	}
}

func benchmarkQuery(b *testing.B, n int, dirty bool, query string) {
	const batch = 100
	{
		{
			in := toInput(b, syntheticInventory(n, dirty)).(map[string]any)
			groups := in["security_groups"].([]any)
			var batches []ast.Value
			for lo := 0; lo < len(groups); lo += batch {
				v, err := ast.InterfaceToValue(map[string]any{
					"coverage":        in["coverage"],
					"vpcs":            in["vpcs"],
					"security_groups": groups[lo:min(lo+batch, len(groups))],
				})
				if err != nil {
					b.Fatal(err)
				}
				batches = append(batches, v)
			}
			pq := prepare(b, query)
			ctx := context.Background()
			cpu0, cpuOK := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				for _, v := range batches {
					if _, err := pq.Eval(ctx, rego.EvalParsedInput(v)); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/group")
			if cpu1, ok := cpuTime(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Microseconds())/float64(b.N*n), "cpu-µs/group")
			}
		}
	}
}
