package iac

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// BenchmarkMapTerraform measures a state of n groups (count instances of
// one block, ten inline rules each) loaded with its code, annotated for
// drift and ten findings per group mapped: the whole cost --tf-state adds
// to a scan. Run: go test -run '^$' -bench MapTerraform -benchmem ./internal/iac/
func BenchmarkMapTerraform(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			root := b.TempDir()
			var instances []any
			inv := &inventory.Inventory{}
			var fs []findings.Finding
			for i := range n {
				id := fmt.Sprintf("sg-%017x", i)
				var ingress []any
				var rules []inventory.Rule
				for p := range 10 {
					ingress = append(ingress, inlineRule("tcp", 1000+p, 1000+p, "0.0.0.0/0"))
					rules = append(rules, liveRule(fmt.Sprintf("sgr-%08x%09x", i, p), inventory.Ingress, "tcp", 1000+p, 1000+p, "0.0.0.0/0"))
				}
				instances = append(instances, map[string]any{"index_key": i, "attributes": map[string]any{"id": id, "arn": arn(id), "ingress": ingress}})
				g := liveGroup(id, nil, rules...)
				inv.SecurityGroups = append(inv.SecurityGroups, g)
				for _, r := range rules {
					fs = append(fs, finding(id, &r))
				}
			}
			state := map[string]any{"version": 4, "resources": []any{map[string]any{
				"mode": "managed", "type": "aws_security_group", "name": "web", "instances": instances}}}
			writeFiles(b, root, map[string]string{
				"main.tf":           "resource \"aws_security_group\" \"web\" {\n  count = 10000\n  ingress {\n    from_port = 1000\n    to_port = 1000\n    protocol = \"tcp\"\n  }\n}\n",
				"terraform.tfstate": mustJSON(b, state),
			})
			opts := Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "terraform.tfstate")}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				m, err := Load(opts)
				if err != nil {
					b.Fatal(err)
				}
				m.Annotate(inv)
				cov := m.Map(inv, fs)
				if cov.Mapped != len(fs) {
					b.Fatalf("mapped %d of %d", cov.Mapped, len(fs))
				}
			}
		})
	}
}
