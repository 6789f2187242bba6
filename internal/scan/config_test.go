package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func parseConfig(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// sshGroups: two groups with SSH open to the world, one tagged sandbox.
func sshGroups() *inventory.Inventory {
	group := func(id, name string, tags map[string]string) inventory.SecurityGroup {
		return inventory.SecurityGroup{
			ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/" + id, ID: id, Name: name, Description: name + " hosts",
			AccountID: "111122223333", Region: "eu-west-1", VPCID: "vpc-1", Tags: inventory.NewTags(tags),
			Rules: inventory.NewRules(inventory.Rule{ID: "sgr-" + id[3:], Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp",
				FromPort: 22, ToPort: 22, Description: "ssh", Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}}),
			Attachments: []inventory.Attachment{{NetworkInterfaceID: "eni-" + id[3:]}},
			UsedBy:      []inventory.Evidence{{Kind: inventory.UsedByENI, ID: "eni-" + id[3:]}},
		}
	}
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion, Source: "aws",
		Accounts: []inventory.Account{{ID: "111122223333", Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: "111122223333", Region: "eu-west-1", Status: inventory.CoverageOK,
			Collected: []string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules, inventory.KindNetworkInterfaces}}},
		SecurityGroups: []inventory.SecurityGroup{
			group("sg-01", "sandbox-box", map[string]string{"env": "sandbox"}),
			group("sg-02", "prod-box", map[string]string{"env": "prod"}),
		},
	}
	inv.Sort()
	return inv
}

// TestEvaluateAppliesSuppressionsByTag: tags come from the inventory, since
// findings do not carry them.
func TestEvaluateAppliesSuppressionsByTag(t *testing.T) {
	opts := Options{
		Config: parseConfig(t, "suppressions:\n  - tag: {env: sandbox}\n    check: SGA001\n    reason: throwaway hosts\n"),
		Now:    func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) },
	}
	eng, err := LoadEngine(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), eng, sshGroups(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.CheckID == "SGA001" {
			got = append(got, f.GroupName+" suppressed="+map[bool]string{true: "yes", false: "no"}[f.Suppression != nil])
		}
	}
	if diff := cmp.Diff([]string{"sandbox-box suppressed=yes", "prod-box suppressed=no"}, got); diff != "" {
		t.Errorf("SGA001 findings (-want +got):\n%s", diff)
	}
	if rep.Summary.Suppressed != 1 || rep.Notices == nil {
		t.Errorf("summary %+v, notices %v: want 1 suppressed and a non-nil notice list", rep.Summary, rep.Notices)
	}
}

// TestLoadEngineConfig: check ids are validated against the loaded
// catalogue (with their line), and settings reach the engine.
func TestLoadEngineConfig(t *testing.T) {
	_, err := LoadEngine(context.Background(), Options{Config: parseConfig(t, "checks:\n  SGA001: {enabled: true}\n  SGA404: {enabled: false}\n")})
	if !errors.Is(err, config.ErrConfig) || err.Error() != `c.yaml:3: unknown check id "SGA404" in checks (sgaudit checks lists them)` {
		t.Errorf("unknown check id: got %v", err)
	}

	eng, err := LoadEngine(context.Background(), Options{Config: parseConfig(t,
		"checks:\n  SGA001: {severity: critical}\n  SGA007: {enabled: false}\ndata:\n  placeholder_descriptions: [nothing here]\n")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range eng.Checks() {
		if c.ID == "SGA001" || c.ID == "SGA007" {
			got[c.ID] = string(c.Status) + " " + string(c.Severity)
		}
	}
	want := map[string]string{"SGA001": "evaluated CRITICAL", "SGA007": "disabled LOW"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("configured checks (-want +got):\n%s", diff)
	}
}

// TestExampleConfig: the annotated example is valid for the embedded
// policies: its data is valid data.sgaudit, its check ids exist.
func TestExampleConfig(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "examples", "sgaudit.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := LoadEngine(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(eng.Checks()))
	for _, c := range eng.Checks() {
		ids = append(ids, c.ID)
	}
	// The data section against the data schema, whatever the catalogue.
	dataOnly := *cfg
	dataOnly.Checks, dataOnly.Suppressions = nil, nil
	if err := dataOnly.Validate(eng.Checks()); err != nil {
		t.Errorf("example data: %v", err)
	}
	// The example configures SGA014 and SGA015. Both are in the pack, so
	// their absence is a regression, never a reason to skip (a skip passes
	// in CI and hid the example's check settings from this test).
	var missing []string
	for _, id := range []string{"SGA014", "SGA015"} {
		if !slices.Contains(ids, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the example configures checks %s, which the embedded catalogue lacks (it has %s)", strings.Join(missing, ", "), strings.Join(ids, " "))
	}
	if _, err := LoadEngine(context.Background(), Options{Config: cfg}); err != nil {
		t.Errorf("the example does not load: %v", err)
	}
}

// TestEvaluateWithoutConfig: no configuration and no baseline leave the
// findings as the engine made them, with an empty (not null) notice list.
func TestEvaluateWithoutConfig(t *testing.T) {
	eng, err := LoadEngine(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), eng, sshGroups(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Baseline != nil || len(rep.Notices) != 0 || rep.Notices == nil || rep.Summary.Suppressed != 0 {
		t.Errorf("without config or baseline: baseline %v, notices %#v, summary %+v", rep.Baseline, rep.Notices, rep.Summary)
	}
	for _, f := range rep.Findings {
		if f.Suppression != nil || f.Baseline != "" {
			t.Errorf("finding changed without config or baseline: %+v", f)
		}
	}
}

// TestPoliciesSeeTheScanClock: time.now_ns in a custom policy is the scan's
// clock (Options.Now), the one the report's generated_at and suppression
// expiry read, not the machine's.
func TestPoliciesSeeTheScanClock(t *testing.T) {
	dir := t.TempDir()
	policy := `# METADATA
# title: Clock
# description: Reports the time policies see.
# custom:
#   id: ACME001
#   severity: LOW
#   resolution: None.
package acme.clock

deny contains {"group_arn": g.arn, "msg": sprintf("now %d", [time.now_ns()])} if {
	some g in input.security_groups
}
`
	if err := os.WriteFile(filepath.Join(dir, "clock.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	opts := Options{Now: func() time.Time { return at }}
	opts.Engine.PolicyDirs = []string{dir}
	eng, err := LoadEngine(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), eng, sshGroups(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.CheckID == "ACME001" {
			got = append(got, f.Message)
		}
	}
	want := fmt.Sprintf("now %d", at.UnixNano())
	if diff := cmp.Diff([]string{want, want}, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
