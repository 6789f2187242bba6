package baseline

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/reporters"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func finding(check, account, region, group, fp string) findings.Finding {
	return findings.Finding{CheckID: check, Severity: findings.SeverityHigh, AccountID: account, Region: region,
		GroupID: group, GroupName: group, GroupARN: "arn:" + group, Fingerprint: fp}
}

// report is a scan of account 1111 in eu-west-1 (complete) and us-east-1
// (denied), with SGA001 evaluated, SGA008 needing interfaces (collected in
// eu-west-1 only) and SGA014 disabled.
func report(fs ...findings.Finding) *findings.Report {
	return &findings.Report{
		Coverage: []inventory.Coverage{
			{AccountID: "1111", Region: "eu-west-1", Status: inventory.CoverageOK, Collected: []string{inventory.KindSecurityGroups, inventory.KindNetworkInterfaces}},
			{AccountID: "1111", Region: "eu-north-1", Status: inventory.CoverageOK, Collected: []string{inventory.KindSecurityGroups}},
			{AccountID: "1111", Region: "us-east-1", Status: inventory.CoverageDenied},
		},
		Checks: []findings.Check{
			{ID: "SGA001", Status: findings.CheckEvaluated},
			{ID: "SGA008", Status: findings.CheckPartial, Requires: []string{inventory.KindNetworkInterfaces}},
			{ID: "SGA014", Status: findings.CheckDisabled},
		},
		Findings: fs,
		Notices:  []findings.Notice{},
	}
}

// writeReport writes rep the way `sgaudit scan --format json` does.
func writeReport(t *testing.T, rep *findings.Report) []byte {
	t.Helper()
	rep.SchemaVersion = findings.SchemaVersion
	rep.Tool = findings.Tool{Name: "sgaudit", Version: "test"}
	var buf bytes.Buffer
	if err := (reporters.JSON{}).Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestApply(t *testing.T) {
	t.Parallel()
	kept := finding("SGA001", "1111", "eu-west-1", "sg-kept", "fp-kept")
	fixed := finding("SGA001", "1111", "eu-west-1", "sg-fixed", "fp-fixed")
	fixedUnused := finding("SGA008", "1111", "eu-west-1", "sg-unused", "fp-unused")
	deniedRegion := finding("SGA001", "1111", "us-east-1", "sg-east", "fp-east")
	notScannedRegion := finding("SGA001", "1111", "ap-south-1", "sg-south", "fp-south")
	disabledCheck := finding("SGA014", "1111", "eu-west-1", "sg-egress", "fp-egress")
	missingData := finding("SGA008", "1111", "eu-north-1", "sg-north", "fp-north")
	removedCheck := finding("ACME001", "1111", "eu-west-1", "sg-custom", "fp-custom")
	suppressed := finding("SGA001", "1111", "eu-west-1", "sg-accepted", "fp-accepted")
	suppressed.Suppression = &findings.Suppression{Reason: "accepted"}

	data := writeReport(t, report(kept, fixed, fixed, fixedUnused, deniedRegion, notScannedRegion, disabledCheck, missingData, removedCheck))
	base, err := Parse("old.json", data)
	if err != nil {
		t.Fatal(err)
	}

	added := finding("SGA001", "1111", "eu-west-1", "sg-new", "fp-new")
	rep := report(kept, added, suppressed)
	base.Apply(rep)

	got := map[string]findings.BaselineState{}
	for _, f := range rep.Findings {
		got[f.Fingerprint] = f.Baseline
	}
	wantStates := map[string]findings.BaselineState{
		"fp-kept":     findings.BaselineUnchanged,
		"fp-new":      findings.BaselineNew,
		"fp-accepted": findings.BaselineNew, // suppressed findings are compared too
	}
	if diff := cmp.Diff(wantStates, got); diff != "" {
		t.Errorf("baseline states (-want +got):\n%s", diff)
	}
	fixedWant := []findings.Finding{fixed, fixedUnused}
	for i := range fixedWant {
		fixedWant[i].Baseline = findings.BaselineAbsent
	}
	want := &findings.BaselineSummary{Path: "old.json", New: 2, Unchanged: 1, Fixed: 2, FixedFindings: fixedWant}
	if diff := cmp.Diff(want, rep.Baseline); diff != "" {
		t.Errorf("baseline summary (-want +got):\n%s", diff)
	}
	wantNotices := []findings.Notice{{Level: findings.NoticeInfo,
		Message: "baseline old.json: 5 of its findings are in accounts, regions or checks this scan did not judge; they are not counted as fixed"}}
	if diff := cmp.Diff(wantNotices, rep.Notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
	// Only the new unsuppressed finding can fail CI.
	if !rep.FailsAt(findings.SeverityHigh) {
		t.Error("the new HIGH finding must fail --fail-on high")
	}
	rep.Findings = []findings.Finding{rep.Findings[0]} // fp-kept only
	if rep.Findings[0].Fingerprint != "fp-kept" || rep.FailsAt(findings.SeverityLow) {
		t.Errorf("an unchanged finding must not fail CI: %+v", rep.Findings)
	}
}

func TestApplyEmptyBaseline(t *testing.T) {
	t.Parallel()
	base, err := Parse("old.json", writeReport(t, report()))
	if err != nil {
		t.Fatal(err)
	}
	rep := report(finding("SGA001", "1111", "eu-west-1", "sg-a", "fp-a"))
	base.Apply(rep)
	want := &findings.BaselineSummary{Path: "old.json", New: 1, FixedFindings: []findings.Finding{}}
	if diff := cmp.Diff(want, rep.Baseline); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var none *Baseline
	rep = report(finding("SGA001", "1111", "eu-west-1", "sg-a", "fp-a"))
	none.Apply(rep)
	if rep.Baseline != nil || rep.Findings[0].Baseline != "" {
		t.Error("a nil baseline changed the report")
	}
}

func TestParseRejectsOtherFiles(t *testing.T) {
	t.Parallel()
	valid := string(writeReport(t, report(finding("SGA001", "1111", "eu-west-1", "sg-a", "fp-a"))))
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"not JSON", "hello", "baseline old.json: not an sgaudit JSON report (sgaudit scan --format json): invalid character 'h' looking for beginning of value"},
		{"JSON array", "[]", "baseline old.json: not an sgaudit JSON report (sgaudit scan --format json): json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{"SARIF", `{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}`,
			"baseline old.json: is a SARIF log; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)"},
		{"inventory", `{"schema_version": "1", "source": "aws", "security_groups": []}`,
			"baseline old.json: is an sgaudit inventory; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)"},
		{"other JSON", `{"Buckets": []}`, "baseline old.json: not an sgaudit JSON report (sgaudit scan --format json): no schema_version, tool or findings"},
		{"another tool", `{"schema_version": "1", "tool": {"name": "trivy"}, "findings": []}`, `baseline old.json: is a report of "trivy", not of sgaudit`},
		{"future schema", `{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": []}`, `baseline old.json: report schema version "2" is not supported (this sgaudit reads "1")`},
		{"finding without fingerprint", `{"schema_version": "1", "tool": {"name": "sgaudit"}, "findings": [{"check_id": "SGA001"}]}`,
			"baseline old.json: findings[0] has no fingerprint or check_id"},
		{"findings not a list", `{"schema_version": "1", "tool": {"name": "sgaudit"}, "findings": {}}`,
			"baseline old.json: read findings: json: cannot unmarshal object into Go struct field .findings of type []findings.Finding"},
		{"truncated report", valid[:len(valid)/2], "baseline old.json: not an sgaudit JSON report (sgaudit scan --format json): unexpected end of JSON input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("old.json", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrBaseline) {
				t.Errorf("%v does not wrap ErrBaseline", err)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "findings.json")
	if err := os.WriteFile(path, writeReport(t, report(finding("SGA001", "1111", "eu-west-1", "sg-a", "fp-a"))), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Path != path || len(b.Findings) != 1 || b.Findings[0].Fingerprint != "fp-a" {
		t.Errorf("Read: %+v", b)
	}
	missing := filepath.Join(dir, "missing.json")
	_, err = Read(missing)
	if !errors.Is(err, ErrBaseline) || !errors.Is(err, os.ErrNotExist) || err.Error() != "baseline "+missing+": read: no such file or directory" {
		t.Errorf("Read of a missing file: %v", err)
	}
}

// TestApplyEscalationIsNew: a finding whose severity rose since the
// baseline (SGA001 HIGH → CRITICAL once a public interface carries the
// group) is new, so --fail-on critical still catches it; one that fell is
// unchanged.
func TestApplyEscalationIsNew(t *testing.T) {
	t.Parallel()
	was := finding("SGA001", "1111", "eu-west-1", "sg-a", "fp-a")
	was.Severity = findings.SeverityHigh
	calmer := finding("SGA002", "1111", "eu-west-1", "sg-b", "fp-b")
	calmer.Severity = findings.SeverityCritical
	base, err := Parse("old.json", writeReport(t, report(was, calmer)))
	if err != nil {
		t.Fatal(err)
	}
	now := was
	now.Severity = findings.SeverityCritical
	lower := calmer
	lower.Severity = findings.SeverityHigh
	rep := report(now, lower)
	base.Apply(rep)
	got := map[string]findings.BaselineState{}
	for _, f := range rep.Findings {
		got[f.Fingerprint] = f.Baseline
	}
	want := map[string]findings.BaselineState{"fp-a": findings.BaselineNew, "fp-b": findings.BaselineUnchanged}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("baseline states (-want +got):\n%s", diff)
	}
	if !rep.FailsAt(findings.SeverityCritical) {
		t.Error("an escalated finding must fail --fail-on critical")
	}
}
