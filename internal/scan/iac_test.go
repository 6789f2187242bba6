package scan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/iac"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// tfRepo writes a Terraform root declaring sg-01 with one inline SSH rule
// from the office, and its v4 state; it returns a mapper rooted there.
// sshGroups' sg-01 has SSH from the world instead: for the state, a rule
// nobody declared.
func tfRepo(t *testing.T, withState bool) *iac.Mapper {
	t.Helper()
	root := t.TempDir()
	main := `resource "aws_security_group" "box" {
  name = "sandbox-box"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`
	state := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "box",
		"instances": []any{map[string]any{"attributes": map[string]any{
			"id": "sg-01", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-01",
			"ingress": []any{map[string]any{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": []any{"10.0.0.0/8"}}},
		}}},
	}}}
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"main.tf": []byte(main), "terraform.tfstate": b} {
		if err := os.WriteFile(filepath.Join(root, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := iac.Options{Root: root, Dirs: []string{root}}
	if withState {
		opts.States = []string{filepath.Join(root, "terraform.tfstate")}
	}
	m, err := iac.Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEvaluateDrift: the rule added by hand on the managed group is
// exactly one SGA017 finding, on the group's block; without a state the
// check is not evaluated.
func TestEvaluateDrift(t *testing.T) {
	for _, withState := range []bool{true, false} {
		opts := Options{Sources: tfRepo(t, withState)}
		eng, err := LoadEngine(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Evaluate(context.Background(), eng, sshGroups(), opts)
		if err != nil {
			t.Fatal(err)
		}
		var drift []findings.Finding
		for _, f := range rep.Findings {
			if f.CheckID == "SGA017" {
				drift = append(drift, f)
			}
		}
		c, _ := rep.Check("SGA017")
		if !withState {
			if len(drift) != 0 || c.Status != findings.CheckNotEvaluated || c.StatusDetail != "requires Terraform state, which was not given (--tf-state)" {
				t.Errorf("without a state: %d SGA017 findings, status %s (%s); want none, not evaluated for want of a state", len(drift), c.Status, c.StatusDetail)
			}
			continue
		}
		if len(drift) != 1 {
			t.Fatalf("%d SGA017 findings, want exactly 1: %+v", len(drift), drift)
		}
		f := drift[0]
		want := &findings.Source{File: "main.tf", StartLine: 1, EndLine: 10, Address: "aws_security_group.box"}
		if diff := cmp.Diff(want, f.Source); diff != "" {
			t.Errorf("SGA017 source (-want +got):\n%s", diff)
		}
		// sg-01 declares its rules inline: a separate rule resource and an
		// import, the advice for other groups, would conflict with its
		// ingress blocks.
		if !strings.Contains(f.Resolution, "an ingress or egress block in the group when it declares its rules inline (no import)") {
			t.Errorf("SGA017 resolution %q: want the advice for groups with inline rules", f.Resolution)
		}
		if f.GroupID != "sg-01" || f.RuleID != "sgr-01" || f.Severity != findings.SeverityMedium {
			t.Errorf("SGA017 finding on %s rule %s at %s, want sg-01 rule sgr-01 at MEDIUM", f.GroupID, f.RuleID, f.Severity)
		}
		// Every finding of sg-01 is mapped; sg-02, in no state, is not.
		m := rep.SourceMapping
		if m == nil || m.Mapped == 0 || m.Unmapped == 0 {
			t.Fatalf("source mapping %+v, want both mapped and unmapped findings", m)
		}
		if diff := cmp.Diff([]findings.ReasonCount{{Reason: findings.UnmappedNotManaged, Findings: m.Unmapped}}, m.Reasons); diff != "" {
			t.Errorf("reasons (-want +got):\n%s", diff)
		}
		for _, row := range rep.Coverage {
			if !slices.Contains(row.Collected, inventory.KindTerraformState) {
				t.Errorf("coverage %s/%s lacks %s", row.AccountID, row.Region, inventory.KindTerraformState)
			}
		}
	}
}
