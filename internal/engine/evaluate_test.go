package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// fixture reads testdata/in-inventory.json: one account, a region with
// everything collected, one without interfaces, one denied.
func fixture(t testing.TB) *inventory.Inventory {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "in-inventory.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inv inventory.Inventory
	if err := json.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	return &inv
}

func load(t testing.TB, fsys map[string]string, opts Options) *Engine {
	t.Helper()
	var e *Engine
	var err error
	if fsys == nil {
		e, err = Load(context.Background(), testPack(), opts)
	} else {
		e, err = Load(context.Background(), mapFS(fsys), opts)
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func evaluate(t testing.TB, e *Engine, inv *inventory.Inventory) ([]findings.Finding, []findings.Check) {
	t.Helper()
	fs, checks, err := e.Evaluate(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	return fs, checks
}

// TestEvaluateGolden pins the findings and check statuses of the test pack
// over the fixture, every field included; TestEvaluateSemantics says
// independently which findings must be there and why.
func TestEvaluateGolden(t *testing.T) {
	t.Parallel()
	fs, checks := evaluate(t, load(t, nil, Options{}), fixture(t))
	got, err := json.MarshalIndent(struct {
		Checks   []findings.Check   `json:"checks"`
		Findings []findings.Finding `json:"findings"`
	}{checks, fs}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "findings.golden"), append(got, '\n'))
}

// TestEvaluateSemantics states, independently of the golden file, which
// (check, group, rule) triples the fixture must produce and which it must
// not, so a wrong golden cannot be accepted by accident.
func TestEvaluateSemantics(t *testing.T) {
	t.Parallel()
	fs, checks := evaluate(t, load(t, nil, Options{}), fixture(t))
	type key struct{ Check, Group, Rule string }
	var got []key
	sev := map[key]findings.Severity{}
	for _, f := range fs {
		k := key{f.CheckID, f.GroupName + "/" + f.Region, f.RuleID}
		got = append(got, k)
		sev[k] = f.Severity
	}
	want := []key{
		// eu-west-1 has no interface data: TST006 (unused) is dropped there.
		{"TST002", "reporting-db/eu-west-1", ""}, // rule without an sgr id (exported JSON)
		{"TST005", "reporting-db/eu-west-1", ""},
		{"TST007", "default/eu-west-1", ""},                     // AWS default egress still counts as a rule
		{"TST001", "app-db/us-east-1", "sgr-0a0000000000000b1"}, // ::/0 and a range spanning 22
		{"TST002", "app-db/us-east-1", "sgr-0a0000000000000b1"},
		{"TST003", "app-db/us-east-1", "sgr-0a0000000000000b1"},
		{"TST004", "app-db/us-east-1", ""},
		{"TST007", "default/us-east-1", ""},
		{"TST001", "ops-udp/us-east-1", "sgr-0a0000000000000u3"}, // UDP 20-30 covers 22; ICMP and 10/8 do not count
		{"TST004", "ops-udp/us-east-1", ""},                      // description = name
		{"TST006", "ops-udp/us-east-1", ""},
		{"TST001", "web/us-east-1", "sgr-0a0000000000000w1"},
		{"TST005", "web/us-east-1", "sgr-0a0000000000000w1"}, // not the AWS default egress rule
	}
	sortKeys := cmpopts.SortSlices(func(a, b key) bool { return a.Check+a.Group+a.Rule < b.Check+b.Group+b.Rule })
	if diff := cmp.Diff(want, got, sortKeys); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for k, want := range map[key]findings.Severity{
		{"TST001", "web/us-east-1", "sgr-0a0000000000000w1"}:     findings.SeverityCritical, // public IP escalates
		{"TST001", "app-db/us-east-1", "sgr-0a0000000000000b1"}:  findings.SeverityHigh,
		{"TST007", "default/us-east-1", ""}:                      findings.SeverityMedium, // VPC with interfaces
		{"TST007", "default/eu-west-1", ""}:                      findings.SeverityLow,
		{"TST002", "reporting-db/eu-west-1", ""}:                 findings.SeverityCritical,
		{"TST001", "ops-udp/us-east-1", "sgr-0a0000000000000u3"}: findings.SeverityHigh,
	} {
		if sev[k] != want {
			t.Errorf("severity of %v = %q, want %q", k, sev[k], want)
		}
	}
	status := map[string]findings.CheckStatus{}
	for _, c := range checks {
		status[c.ID] = c.Status
	}
	if status["TST006"] != findings.CheckPartial || status["TST008"] != findings.CheckDisabled || status["TST001"] != findings.CheckEvaluated {
		t.Errorf("statuses: %v", status)
	}
	if !slices.IsSortedFunc(fs, findings.CompareFindings) {
		t.Error("findings are not in canonical order")
	}
}

// TestBatchingDoesNotChangeResults runs the same inventory with different
// batch sizes and worker counts; everything, fingerprints included, must
// be identical.
func TestBatchingDoesNotChangeResults(t *testing.T) {
	t.Parallel()
	inv := synthetic(300, 42)
	e := load(t, nil, Options{BatchSize: 100})
	want, wantChecks := evaluate(t, e, inv)
	if len(want) < 20 {
		t.Fatalf("only %d findings; the synthetic inventory should produce more", len(want))
	}
	for _, tt := range []struct {
		name           string
		batch, workers int
	}{
		{"batch 1", 1, 0},
		{"batch 7", 7, 3},
		{"batch 100 one worker", 100, 1},
		{"one batch", 10000, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, gotChecks := evaluate(t, load(t, nil, Options{BatchSize: tt.batch, Workers: tt.workers}), inv)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings differ from batch size 100 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantChecks, gotChecks); diff != "" {
				t.Errorf("checks differ from batch size 100 (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFingerprintStability proves what a fingerprint follows and ignores:
// it survives a rule being re-created (new sgr id), a reworded message,
// and the groups being in another order; it changes with the port.
func TestFingerprintStability(t *testing.T) {
	t.Parallel()
	e := load(t, nil, Options{})
	fingerprints := func(inv *inventory.Inventory) map[string]string {
		fs, _ := evaluate(t, e, inv)
		out := map[string]string{}
		for _, f := range fs {
			out[f.CheckID+" "+f.GroupID] = f.Fingerprint
		}
		return out
	}
	base := fingerprints(fixture(t))
	tests := []struct {
		name    string
		mutate  func(*inventory.Inventory)
		changed []string // check+group whose fingerprint must change
	}{
		{"same input again", func(*inventory.Inventory) {}, nil},
		{"groups reversed", func(inv *inventory.Inventory) { slices.Reverse(inv.SecurityGroups) }, nil},
		{"rule re-created with a new id", func(inv *inventory.Inventory) {
			rules := inv.SecurityGroups[5].Rules.Slice()
			rules[1].ID = "sgr-0ffffffffffffffff"
			inv.SecurityGroups[5].Rules = inventory.NewRules(rules...)
		}, nil},
		{"group renamed changes messages only", func(inv *inventory.Inventory) {
			inv.SecurityGroups[5].Name = "web-renamed"
		}, nil},
		{"port changed", func(inv *inventory.Inventory) {
			rules := inv.SecurityGroups[5].Rules.Slice()
			rules[1].FromPort, rules[1].ToPort = 20, 23
			inv.SecurityGroups[5].Rules = inventory.NewRules(rules...)
		}, []string{"TST001 sg-0a00000000000we01", "TST005 sg-0a00000000000we01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := fixture(t)
			tt.mutate(inv)
			got := fingerprints(inv)
			var changed []string
			for k, fp := range base {
				if got[k] != fp {
					changed = append(changed, k)
				}
			}
			slices.Sort(changed)
			if diff := cmp.Diff(tt.changed, changed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("changed fingerprints (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1"
	a := Fingerprint("SGA001", arn, "ingress|tcp|22|22|cidr_ipv4|0.0.0.0/0", "")
	if len(a) != 32 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q is not 32 lower-case hex digits", a)
	}
	distinct := []string{
		a,
		Fingerprint("SGA002", arn, "ingress|tcp|22|22|cidr_ipv4|0.0.0.0/0", ""),
		Fingerprint("SGA001", arn+"2", "ingress|tcp|22|22|cidr_ipv4|0.0.0.0/0", ""),
		Fingerprint("SGA001", arn, "ingress|tcp|22|22|cidr_ipv6|::/0", ""),
		Fingerprint("SGA001", arn, "ingress|tcp|22|22|cidr_ipv4|0.0.0.0/0", "port 22"),
		Fingerprint("SGA001", arn, "", "port 22"),
		Fingerprint("SGA001", arn, "", ""),
	}
	seen := map[string]int{}
	for i, fp := range distinct {
		if j, dup := seen[fp]; dup {
			t.Errorf("fingerprints %d and %d collide: %s", j, i, fp)
		}
		seen[fp] = i
	}
}

// TestSeverity covers the three sources of a finding's severity: the
// check's METADATA, a configured override of it, and the policy's own
// per-finding escalation, which wins when it is a valid severity.
func TestSeverity(t *testing.T) {
	t.Parallel()
	pack := func(resultSeverity string) map[string]string {
		field := ""
		if resultSeverity != "" {
			field = `, "severity": "` + resultSeverity + `"`
		}
		return map[string]string{"checks/sev.rego": meta("ACME001", "MEDIUM") + `package acme.sev

deny contains {"group_arn": g.arn, "msg": "x"` + field + `} if {
	some g in input.security_groups
}
`}
	}
	tests := []struct {
		name     string
		result   string
		override findings.Severity
		want     findings.Severity
	}{
		{"METADATA", "", "", findings.SeverityMedium},
		{"configured override", "", findings.SeverityLow, findings.SeverityLow},
		{"escalation in the result", "CRITICAL", "", findings.SeverityCritical},
		{"escalation in lower case", "high", "", findings.SeverityHigh},
		{"escalation beats the override", "CRITICAL", findings.SeverityLow, findings.SeverityCritical},
		{"invalid escalation keeps METADATA", "URGENT", "", findings.SeverityMedium},
		{"invalid escalation keeps the override", "URGENT", findings.SeverityHigh, findings.SeverityHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{}
			if tt.override != "" {
				opts.SeverityOverrides = map[string]findings.Severity{"ACME001": tt.override}
			}
			fs, _ := evaluate(t, load(t, pack(tt.result), opts), fixture(t))
			if len(fs) != len(fixture(t).SecurityGroups) {
				t.Fatalf("got %d findings, want one per group", len(fs))
			}
			for _, f := range fs {
				if f.Severity != tt.want {
					t.Fatalf("severity %q, want %q", f.Severity, tt.want)
				}
			}
		})
	}
}

// TestDataMerge proves embedded data, then each --data file in order, are
// deep-merged at the root of data: objects merge, arrays and scalars
// replace. data.sgaudit follows docs/schema/data.schema.json; other
// top-level keys (here corp) are free-form.
func TestDataMerge(t *testing.T) {
	t.Parallel()
	embedded := map[string]string{
		"checks/echo.rego": meta("ACME001", "LOW") + `package acme.echo

deny contains {"group_arn": g.arn, "msg": "data", "evidence": {"corp": data.corp, "sgaudit": data.sgaudit}} if {
	some g in input.security_groups
	g.id == "sg-0a00000000000we01"
}
`,
		"data/a.json": `{"sgaudit": {"ports": {"admin": [` + ssh + `], "db": []}, "rules_quota": 50}, "corp": {"threshold": 50, "names": {"x": 1}}}`,
		"data/b.yml":  "corp:\n  names:\n    y: 2\n",
	}
	dir := writeFiles(t, map[string]string{
		// Replaces the embedded admin list whole: RDP only.
		"ports.json": `{"sgaudit": {"ports": {"admin": [{"service": "RDP", "protocols": ["tcp"], "from_port": 3389, "to_port": 3389}]}}}`,
		"more.yaml":  "sgaudit:\n  rules_quota: 40\ncorp:\n  threshold: 40\n  names: {x: 3}\nother: true\n",
	})
	// The inline document (a configuration's data) goes over the embedded
	// data and under the files: its db list stays, its quota and names.x
	// lose to more.yaml.
	inline := map[string]any{
		"sgaudit": map[string]any{"ports": map[string]any{"db": []any{map[string]any{"service": "MySQL", "protocols": []any{"tcp"}, "from_port": 3306, "to_port": 3306}}}, "rules_quota": 45},
		"corp":    map[string]any{"threshold": 45, "names": map[string]any{"x": 9, "z": 4}},
	}
	e := load(t, embedded, Options{Data: inline, DataFiles: []string{filepath.Join(dir, "ports.json"), filepath.Join(dir, "more.yaml")}})
	fs, _ := evaluate(t, e, fixture(t))
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	got, _ := json.Marshal(fs[0].Evidence)
	want := `{"corp":{"names":{"x":3,"y":2,"z":4},"threshold":40},"sgaudit":{"ports":{"admin":[{"from_port":3389,"protocols":["tcp"],"service":"RDP","to_port":3389}],"db":[{"from_port":3306,"protocols":["tcp"],"service":"MySQL","to_port":3306}]},"rules_quota":40}}`
	if string(got) != want {
		t.Errorf("merged data = %s, want %s", got, want)
	}
}

// ssh is a valid port catalogue entry, as JSON.
const ssh = `{"service": "SSH", "protocols": ["tcp"], "from_port": 22, "to_port": 22}`

// TestCheckStatus covers how a check that requires a data kind is judged
// against coverage, and that its findings are kept only where the kind
// was collected.
func TestCheckStatus(t *testing.T) {
	t.Parallel()
	pack := map[string]string{
		"checks/needs.rego": meta("ACME001", "LOW") + "#   requires: [network_interfaces, launch_templates]\npackage acme.needs\n" + everyGroup,
		"checks/plain.rego": meta("ACME002", "LOW") + "package acme.plain\n" + everyGroup,
		"checks/off.rego":   meta("ACME003", "LOW") + "#   enabled: false\npackage acme.off\n" + everyGroup,
	}
	all := []string{"launch_templates", "network_interfaces", "security_group_rules", "security_groups"}
	noENI := []string{"launch_templates", "security_group_rules", "security_groups"}
	group := func(region string) inventory.SecurityGroup {
		return inventory.SecurityGroup{ARN: "arn:" + region, ID: "sg-" + region, AccountID: "1", Region: region}
	}
	cov := func(region string, collected []string) inventory.Coverage {
		return inventory.Coverage{AccountID: "1", Region: region, Status: inventory.CoverageOK, Collected: collected}
	}
	tests := []struct {
		name       string
		coverage   []inventory.Coverage
		groups     []inventory.SecurityGroup
		wantStatus findings.CheckStatus
		wantDetail string
		wantIn     []string // regions where ACME001 reports
	}{
		{
			name:       "collected everywhere",
			coverage:   []inventory.Coverage{cov("a", all), cov("b", all)},
			groups:     []inventory.SecurityGroup{group("a"), group("b")},
			wantStatus: findings.CheckEvaluated,
			wantIn:     []string{"a", "b"},
		},
		{
			name:       "collected nowhere",
			coverage:   []inventory.Coverage{cov("a", noENI), cov("b", noENI)},
			groups:     []inventory.SecurityGroup{group("a"), group("b")},
			wantStatus: findings.CheckNotEvaluated,
			wantDetail: "requires network_interfaces, which was not collected",
		},
		{
			name:       "collected in some regions",
			coverage:   []inventory.Coverage{cov("a", all), cov("b", noENI), cov("c", []string{"security_groups"})},
			groups:     []inventory.SecurityGroup{group("a"), group("b"), group("c")},
			wantStatus: findings.CheckPartial,
			wantDetail: "not evaluated in 1/b, 1/c: launch_templates, network_interfaces not collected",
			wantIn:     []string{"a"},
		},
		{
			name: "a denied region with nothing collected does not make it partial",
			coverage: []inventory.Coverage{cov("a", all),
				{AccountID: "1", Region: "z", Status: inventory.CoverageDenied}},
			groups:     []inventory.SecurityGroup{group("a")},
			wantStatus: findings.CheckEvaluated,
			wantIn:     []string{"a"},
		},
		{
			name:       "groups without a coverage row count as collected nothing",
			coverage:   []inventory.Coverage{cov("a", all)},
			groups:     []inventory.SecurityGroup{group("a"), group("b")},
			wantStatus: findings.CheckPartial,
			wantDetail: "not evaluated in 1/b: launch_templates, network_interfaces not collected",
			wantIn:     []string{"a"},
		},
		{
			name:       "empty inventory",
			wantStatus: findings.CheckEvaluated,
		},
	}
	e := load(t, pack, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := &inventory.Inventory{Coverage: tt.coverage, SecurityGroups: tt.groups}
			fs, checks := evaluate(t, e, inv)
			var in []string
			for _, f := range fs {
				if f.CheckID == "ACME001" {
					in = append(in, f.Region)
				}
				if f.CheckID == "ACME003" {
					t.Errorf("disabled check reported %s", f.GroupID)
				}
			}
			if diff := cmp.Diff(tt.wantIn, in, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("regions reported by ACME001 (-want +got):\n%s", diff)
			}
			got := map[string][2]string{}
			for _, c := range checks {
				got[c.ID] = [2]string{string(c.Status), c.StatusDetail}
			}
			want := map[string][2]string{
				"ACME001": {string(tt.wantStatus), tt.wantDetail},
				"ACME002": {string(findings.CheckEvaluated), ""},
				"ACME003": {string(findings.CheckDisabled), ""},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotEvaluatedChecksDoNotRun: a check whose required data was collected
// nowhere is left out of the query, not run and its findings dropped; the
// query for that subset is prepared once and reused.
func TestNotEvaluatedChecksDoNotRun(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	e := load(t, map[string]string{
		"checks/needs.rego": meta("ACME001", "LOW") + "#   requires: [network_interfaces]\npackage acme.needs\n" + `
deny contains {"group_arn": g.arn, "msg": "needs"} if {
	some g in input.security_groups
	print("needs ran")
}
`,
		"checks/plain.rego": meta("ACME002", "LOW") + "package acme.plain\n" + everyGroup,
	}, Options{Logger: newTestLogger(&logs)})
	inventoryWith := func(collected ...string) *inventory.Inventory {
		return &inventory.Inventory{
			Coverage:       []inventory.Coverage{{AccountID: "1", Region: "a", Status: inventory.CoverageOK, Collected: collected}},
			SecurityGroups: []inventory.SecurityGroup{{ARN: "arn:a", ID: "sg-a", AccountID: "1", Region: "a"}},
		}
	}
	for range 2 {
		fs, _ := evaluate(t, e, inventoryWith(inventory.KindSecurityGroups))
		if len(fs) != 1 || fs[0].CheckID != "ACME002" {
			t.Fatalf("findings %+v, want ACME002's only", fs)
		}
	}
	if strings.Contains(logs.String(), "needs ran") {
		t.Fatal("a check requiring data collected nowhere was evaluated")
	}
	if n := countSubsets(e); n != 1 {
		t.Errorf("%d subset queries prepared, want 1 reused", n)
	}
	fs, _ := evaluate(t, e, inventoryWith(inventory.KindSecurityGroups, inventory.KindNetworkInterfaces))
	if len(fs) != 2 || !strings.Contains(logs.String(), "needs ran") {
		t.Errorf("with the data collected both checks must run: %d findings", len(fs))
	}
}

func countSubsets(e *Engine) int {
	n := 0
	e.subsets.Range(func(_, _ any) bool { n++; return true })
	return n
}

func TestStatusDetailIsBounded(t *testing.T) {
	t.Parallel()
	e := load(t, map[string]string{
		"checks/needs.rego": meta("ACME001", "LOW") + "#   requires: [network_interfaces]\npackage acme.needs\n" + everyGroup,
	}, Options{})
	inv := &inventory.Inventory{Coverage: []inventory.Coverage{{AccountID: "0", Region: "ok", Collected: []string{"network_interfaces"}}}}
	for i := range 25 {
		inv.Coverage = append(inv.Coverage, inventory.Coverage{AccountID: "1", Region: string(rune('a' + i)), Collected: []string{"security_groups"}})
	}
	_, checks := evaluate(t, e, inv)
	want := "not evaluated in 1/a, 1/b, 1/c, 1/d, 1/e, 1/f, 1/g, 1/h, 1/i, 1/j and 15 more: network_interfaces not collected"
	if checks[0].StatusDetail != want {
		t.Errorf("detail %q, want %q", checks[0].StatusDetail, want)
	}
}

// TestMalformedResults proves a policy bug is reported as a policy error
// that names the check, never as a panic or a silently dropped finding.
func TestMalformedResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, finding, want string
	}{
		{"not an object", `"just a string"`, `check ACME001 (bad): deny returned "just a string", want an object with group_arn and msg`},
		{"no group_arn", `{"msg": "x"}`, `check ACME001 (bad): finding without group_arn`},
		{"no msg", `{"group_arn": g.arn}`, `check ACME001 (bad): finding for arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0e0000000000000a1 without msg`},
		{"empty msg", `{"group_arn": g.arn, "msg": ""}`, `without msg`},
		{"unknown group", `{"group_arn": "arn:nope", "msg": "x"}`, `check ACME001 (bad): finding names unknown group "arn:nope"`},
		{"evidence not an object", `{"group_arn": g.arn, "msg": "x", "evidence": [1]}`, `evidence must be an object, got [1]`},
		{"rule not an object", `{"group_arn": g.arn, "msg": "x", "rule": "sgr-1"}`, `rule: want the rule object from input, got "sgr-1"`},
		{"rule with a string port", `{"group_arn": g.arn, "msg": "x", "rule": {"from_port": "22"}}`, `rule: from_port must be an integer`},
		{"remediation not a string", `{"group_arn": g.arn, "msg": "x", "remediation": 1}`, `remediation must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := load(t, map[string]string{"checks/bad.rego": meta("ACME001", "LOW") + "package acme.bad\n\ndeny contains " + tt.finding + ` if {
	some g in input.security_groups
	g.id == "sg-0e0000000000000a1"
}
`}, Options{})
			_, _, err := e.Evaluate(context.Background(), fixture(t))
			if err == nil {
				t.Fatal("Evaluate succeeded, want an error")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %q does not wrap ErrPolicy", err)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "policies/checks/bad.rego: ") {
				t.Errorf("error %q, want it to start with the file and contain %q", err, tt.want)
			}
		})
	}
}

func TestRuntimeErrorIsAPolicyError(t *testing.T) {
	t.Parallel()
	// Two values for one key of a complete rule: a conflict only found at
	// evaluation time.
	e := load(t, map[string]string{"checks/conflict.rego": meta("ACME001", "LOW") + `package acme.conflict

name := g.name if {
	some g in input.security_groups
}

deny contains {"group_arn": g.arn, "msg": name} if {
	some g in input.security_groups
}
`}, Options{})
	_, _, err := e.Evaluate(context.Background(), fixture(t))
	if !errors.Is(err, ErrPolicy) || !strings.Contains(err.Error(), "policies/checks/conflict.rego:10: evaluate: eval_conflict_error") {
		t.Errorf("got %v, want a policy error naming the conflict", err)
	}
}

// TestDuplicateFingerprints: a policy that reports one rule twice (two
// ports) without a discriminator yields one finding, the most severe; a
// discriminator keeps them apart.
func TestDuplicateFingerprints(t *testing.T) {
	t.Parallel()
	src := func(disc string) map[string]string {
		return map[string]string{"checks/dup.rego": meta("ACME001", "LOW") + `package acme.dup

deny contains f if {
	some g in input.security_groups
	g.name == "web"
	some r in g.rules
	r.id == "sgr-0a0000000000000w1"
	some port, sev in {"22": "MEDIUM", "2222": "HIGH"}
	f := {"group_arn": g.arn, "rule": r, "msg": sprintf("port %s", [port]), "severity": sev` + disc + `}
}
`}
	}
	fs, _ := evaluate(t, load(t, src(""), Options{}), fixture(t))
	if len(fs) != 1 || fs[0].Severity != findings.SeverityHigh || fs[0].Message != "port 2222" {
		t.Errorf("without a discriminator: got %+v, want the HIGH finding only", fs)
	}
	fs, _ = evaluate(t, load(t, src(`, "discriminator": port`), Options{}), fixture(t))
	if len(fs) != 2 || fs[0].Fingerprint == fs[1].Fingerprint {
		t.Errorf("with a discriminator: got %d findings, want 2 with distinct fingerprints", len(fs))
	}
}

func TestEvaluateCancelled(t *testing.T) {
	t.Parallel()
	e := load(t, nil, Options{BatchSize: 10})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := e.Evaluate(ctx, synthetic(500, 1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrPolicy) {
		t.Errorf("cancellation %q must not be a policy error", err)
	}
}

func TestEvaluateEmpty(t *testing.T) {
	t.Parallel()
	fs, checks := evaluate(t, load(t, nil, Options{}), &inventory.Inventory{})
	if fs == nil || len(fs) != 0 {
		t.Errorf("findings = %#v, want an empty non-nil slice (JSON [])", fs)
	}
	if len(checks) != 8 {
		t.Errorf("got %d checks, want the whole catalogue (8)", len(checks))
	}
}

// TestPrintGoesToDebugLog: print() in a policy is a debugging aid and
// must never reach stdout.
func TestPrintGoesToDebugLog(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := newTestLogger(&buf)
	e := load(t, map[string]string{"checks/p.rego": meta("ACME001", "LOW") + `package acme.p

deny contains {"group_arn": g.arn, "msg": "x"} if {
	some g in input.security_groups
	g.name == "web"
	print("looking at", g.id)
}
`}, Options{Logger: log})
	evaluate(t, e, fixture(t))
	if !strings.Contains(buf.String(), "looking at sg-0a00000000000we01") {
		t.Errorf("debug log does not contain the print output:\n%s", buf.String())
	}
}
