package findings

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func TestParseSeverity(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Severity{"low": SeverityLow, " High ": SeverityHigh, "CRITICAL": SeverityCritical, "Medium": SeverityMedium} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "severe", "info", "4"} {
		if _, err := ParseSeverity(in); err == nil {
			t.Errorf("ParseSeverity(%q) accepted", in)
		}
	}
}

func TestFailsAt(t *testing.T) {
	t.Parallel()
	high := Finding{CheckID: "SGA001", Severity: SeverityHigh}
	suppressed := Finding{CheckID: "SGA002", Severity: SeverityCritical, Suppression: &Suppression{Reason: "accepted"}}
	known := Finding{CheckID: "SGA003", Severity: SeverityCritical, Baseline: BaselineUnchanged}
	newLow := Finding{CheckID: "SGA006", Severity: SeverityLow, Baseline: BaselineNew}
	tests := []struct {
		name      string
		findings  []Finding
		threshold Severity
		want      bool
	}{
		{"no threshold never fails", []Finding{high}, "", false},
		{"at threshold", []Finding{high}, SeverityHigh, true},
		{"above threshold", []Finding{high}, SeverityLow, true},
		{"below threshold", []Finding{high}, SeverityCritical, false},
		{"suppressed never fails", []Finding{suppressed}, SeverityLow, false},
		{"unchanged since baseline never fails", []Finding{known}, SeverityLow, false},
		{"new since baseline fails", []Finding{known, newLow}, SeverityLow, true},
		{"nothing", nil, SeverityLow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Findings: tt.findings}
			if got := r.FailsAt(tt.threshold); got != tt.want {
				t.Errorf("FailsAt(%q) = %v, want %v", tt.threshold, got, tt.want)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	r := &Report{Coverage: []inventory.Coverage{
		{AccountID: "1", Region: "a", Status: inventory.CoverageOK},
		{AccountID: "2", Region: "a", Status: inventory.CoverageOK},
		{AccountID: "2", Region: "b", Status: inventory.CoverageDenied},
		{AccountID: "3", Region: "a", Status: inventory.CoverageSkipped},
		{AccountID: "4", Region: "a", Status: inventory.CoverageError},
		// Statuses nobody wrote: never complete (issue 9 review item 3).
		{AccountID: "5", Region: "a", Status: "Denied"},
		{AccountID: "6", Region: "a", Status: ""},
		{AccountID: "7", Region: "a", Status: "bogus"},
	}}
	if r.Complete() {
		t.Error("Complete() with denied and error rows")
	}
	// Account 2 was read only partly: no SARIF run, or its alerts in the
	// unread region would be closed. A skipped (not enabled) region loses nothing.
	if diff := cmp.Diff([]string{"1", "3"}, r.AccountsComplete()); diff != "" {
		t.Errorf("AccountsComplete (-want +got):\n%s", diff)
	}
	if !(&Report{Coverage: r.Coverage[:2]}).Complete() {
		t.Error("Complete() false with every row ok")
	}
}

func TestSummariseAndOrder(t *testing.T) {
	t.Parallel()
	r := &Report{Findings: []Finding{
		{CheckID: "SGA006", Severity: SeverityLow, AccountID: "1", Region: "b", GroupID: "sg-2"},
		{CheckID: "SGA001", Severity: SeverityHigh, AccountID: "1", Region: "a", GroupID: "sg-1"},
		{CheckID: "SGA002", Severity: SeverityCritical, AccountID: "1", Region: "a", GroupID: "sg-1", Suppression: &Suppression{Reason: "x"}},
	}}
	r.Sort()
	r.Summarise()
	var order []string
	for _, f := range r.Findings {
		order = append(order, f.CheckID)
	}
	if diff := cmp.Diff([]string{"SGA001", "SGA002", "SGA006"}, order); diff != "" {
		t.Errorf("canonical order (-want +got):\n%s", diff)
	}
	want := Summary{Findings: 2, Suppressed: 1,
		BySeverity: map[Severity]int{SeverityLow: 1, SeverityMedium: 0, SeverityHigh: 1, SeverityCritical: 0},
		ByCheck:    map[string]int{"SGA001": 1, "SGA006": 1}}
	if diff := cmp.Diff(want, r.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	fs := append([]Finding{}, r.Findings...)
	slices.SortFunc(fs, CompareBySeverity)
	if fs[0].CheckID != "SGA002" || fs[2].CheckID != "SGA006" {
		t.Errorf("CompareBySeverity order: %v", fs)
	}
}
