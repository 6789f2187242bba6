package reporters

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// inReport is the rich report every golden file is rendered from: two
// accounts (one with a denied region, so it gets no SARIF run), a skipped
// region, checks that were disabled, partial or not evaluated, a suppressed
// finding, and a group whose name carries <script>, ANSI escapes, a
// terminal-title OSC, Markdown pipes and a bidi override.
const inReport = "testdata/in-report.json"

// loadReport reads a findings report from a JSON file.
func loadReport(t testing.TB, path string) *findings.Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r findings.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return &r
}

// render writes r with rep and fails the test on error.
// reverseLists reverses every list of r, nested ones too: a reporter's
// output must not depend on the order the report was built in.
func reverseLists(r *findings.Report) {
	slices.Reverse(r.Accounts)
	slices.Reverse(r.Coverage)
	for i := range r.Coverage {
		slices.Reverse(r.Coverage[i].Collected)
	}
	slices.Reverse(r.Checks)
	slices.Reverse(r.Findings)
	slices.Reverse(r.Notices)
	if r.Baseline != nil {
		slices.Reverse(r.Baseline.FixedFindings)
	}
	slices.Reverse(r.Exposures)
	for i := range r.Exposures {
		slices.Reverse(r.Exposures[i].Ports)
		for j := range r.Exposures[i].Ports {
			slices.Reverse(r.Exposures[i].Ports[j].GroupIDs)
			slices.Reverse(r.Exposures[i].Ports[j].Peers)
		}
	}
}

func render(t *testing.T, rep Reporter, r *findings.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := rep.Write(&buf, r); err != nil {
		t.Fatalf("%T.Write: %v", rep, err)
	}
	return buf.Bytes()
}

// repoRoot walks up from the working directory to the directory holding
// go.mod, so tests find tools/ wherever `go test` runs them from.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// requireTool returns the path of a test tool under the repo's tools/
// directory. When it is missing the test fails in CI (CI must have run the
// set-up) and is skipped elsewhere, with the same one-line hint.
func requireTool(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join(repoRoot(t), "tools", rel)
	if _, err := os.Stat(path); err != nil {
		msg := "tools/" + rel + " not found: run `make test-deps`"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

func TestGolden(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	tests := []struct {
		name   string
		rep    Reporter
		golden string
	}{
		{name: "json", rep: JSON{}, golden: "testdata/report.json.golden"},
		{name: "sarif", rep: SARIF{}, golden: "testdata/report.sarif.golden"},
		{name: "markdown", rep: Markdown{}, golden: "testdata/report.md.golden"},
		{name: "table", rep: Table{}, golden: "testdata/report.txt.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			golden.Assert(t, tt.golden, render(t, tt.rep, r))
		})
	}
}
