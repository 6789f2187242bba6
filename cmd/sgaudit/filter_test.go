package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// mixedInventory has findings of several severities and checks: CRITICAL
// (MySQL to the world), HIGH (SSH to the world), LOW (placeholder
// description).
func mixedInventory() *inventory.Inventory {
	inv := sshInventory()
	inv.SecurityGroups[0].Description = "Managed by Terraform"
	inv.SecurityGroups = append(inv.SecurityGroups, testGroup("sg-0000000000000003", "db", "Database", tcp(3306, "0.0.0.0/0")))
	return inv
}

type jsonReport struct {
	Summary struct {
		Findings int `json:"findings"`
	} `json:"summary"`
	Findings []struct {
		CheckID  string `json:"check_id"`
		Severity string `json:"severity"`
	} `json:"findings"`
	Notices []struct {
		Level   string `json:"level"`
		Message string `json:"message"`
	} `json:"notices"`
}

func scanJSONReport(t *testing.T, args ...string) (jsonReport, cliResult) {
	t.Helper()
	r := runCLI(t, append([]string{"scan", "--format", "json"}, args...)...)
	var rep jsonReport
	if r.code != exitUsage {
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("stdout is not a JSON report (exit %d, stderr %s): %v", r.code, r.stderr, err)
		}
	}
	return rep, r
}

func severitiesOf(rep jsonReport) []string {
	var out []string
	for _, f := range rep.Findings {
		if !slices.Contains(out, f.Severity) {
			out = append(out, f.Severity)
		}
	}
	slices.Sort(out)
	return out
}

func checksOf(rep jsonReport) []string {
	var out []string
	for _, f := range rep.Findings {
		if !slices.Contains(out, f.CheckID) {
			out = append(out, f.CheckID)
		}
	}
	slices.Sort(out)
	return out
}

// TestSeverityFilter (issue 10, conventions): --severity reports only the
// severities asked for, says so in a notice, and --fail-on judges what is
// reported.
func TestSeverityFilter(t *testing.T) {
	inv := writeInventoryFile(t, mixedInventory())
	all, _ := scanJSONReport(t, "--input", inv)
	if got := severitiesOf(all); !slices.Contains(got, "LOW") || !slices.Contains(got, "CRITICAL") {
		t.Fatalf("the fixture lost its mix of severities: %v", got)
	}
	rep, r := scanJSONReport(t, "--input", inv, "--severity", "critical,HIGH")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff([]string{"CRITICAL", "HIGH"}, severitiesOf(rep)); diff != "" {
		t.Errorf("severities reported (-want +got):\n%s", diff)
	}
	if rep.Summary.Findings != len(rep.Findings) {
		t.Errorf("summary counts %d findings, the report lists %d", rep.Summary.Findings, len(rep.Findings))
	}
	left := len(all.Findings) - len(rep.Findings)
	found := false
	for _, n := range rep.Notices {
		if strings.Contains(n.Message, "--severity") && strings.Contains(n.Message, pluralize(left, "finding")+" of other severities left out") {
			found = true
		}
	}
	if !found {
		t.Errorf("no notice says the report is filtered (%d left out): %+v", left, rep.Notices)
	}
	// Every format says it.
	for _, format := range []string{"table", "markdown", "html", "sarif"} {
		tr := runCLI(t, "scan", "--input", inv, "--severity", "low", "--format", format)
		if !strings.Contains(tr.stdout, "Filtered by --severity: only LOW findings") {
			t.Errorf("the %s report does not say it is filtered:\n%s", format, tr.stdout)
		}
	}
	// --fail-on judges what is reported: only LOW is, so high does not fail.
	if r := runCLI(t, "scan", "--input", inv, "--severity", "low", "--fail-on", "high"); r.code != exitOK {
		t.Errorf("--severity low --fail-on high: exit %d, want 0 (nothing HIGH is reported)", r.code)
	}
	if r := runCLI(t, "scan", "--input", inv, "--severity", "critical", "--fail-on", "high"); r.code != exitFindings || !strings.Contains(r.stderr, "1 finding at or above HIGH") {
		t.Errorf("--severity critical --fail-on high: exit %d, stderr %q", r.code, r.stderr)
	}
	assertOneLineError(t, runCLI(t, "scan", "--input", inv, "--severity", "severe"), `--severity: unknown severity "severe"`)
}

// TestCheckFlags: --check and --skip-check choose checks on the command
// line, by id or glob, over the configuration file; unknown ids and
// globs that match nothing are exit 2.
func TestCheckFlags(t *testing.T) {
	inv := writeInventoryFile(t, mixedInventory())
	disableSSH := writeFile(t, "c.yaml", "version: 1\nchecks:\n  SGA001: {enabled: false}\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want []string
	}{
		{"no selection", nil, nil, []string{"SGA001", "SGA002", "SGA005", "SGA006"}},
		{"one check", nil, []string{"--check", "SGA001"}, []string{"SGA001"}},
		{"lower case, comma list", nil, []string{"--check", "sga001,SGA006"}, []string{"SGA001", "SGA006"}},
		{"repeated", nil, []string{"--check", "SGA001", "--check", "SGA002"}, []string{"SGA001", "SGA002"}},
		{"glob", nil, []string{"--check", "SGA00[12]"}, []string{"SGA001", "SGA002"}},
		{"skip", nil, []string{"--skip-check", "SGA006"}, []string{"SGA001", "SGA002", "SGA005"}},
		{"skip wins over check", nil, []string{"--check", "SGA00*", "--skip-check", "SGA002,SGA005"}, []string{"SGA001", "SGA006"}},
		{"check wins over the config", nil, []string{"--config", disableSSH, "--check", "SGA001"}, []string{"SGA001"}},
		{"the config alone", nil, []string{"--config", disableSSH}, []string{"SGA002", "SGA005", "SGA006"}},
		{"skip from the environment", map[string]string{"SGAUDIT_SKIP_CHECK": "SGA001,SGA002"}, nil, []string{"SGA005", "SGA006"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			rep, r := scanJSONReport(t, append([]string{"--input", inv}, tt.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if diff := cmp.Diff(tt.want, checksOf(rep)); diff != "" {
				t.Errorf("checks with findings (-want +got):\n%s", diff)
			}
		})
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown id", []string{"--check", "SGA999"}, `--check: unknown check id "SGA999"`},
		{"unknown skipped id", []string{"--skip-check", "SGA001,SGX1"}, `--skip-check: unknown check id "SGX1"`},
		{"glob matching nothing", []string{"--check", "ACME*"}, `--check "ACME*" matches no check`},
		{"bad glob", []string{"--skip-check", "SGA[0"}, "--skip-check"},
		{"empty list", []string{"--check", ","}, "--check is empty"},
		{"every check skipped", []string{"--skip-check", "*", "--fail-on", "low"}, "leave no check to run"},
		{"the only check skipped", []string{"--check", "SGA001", "--skip-check", "SGA001"}, "leave no check to run"},
		{"only the checks that are off by default left", []string{"--skip-check", "SGA00*,SGA01[0-3],SGA016"}, "leave no check to run"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertOneLineError(t, runCLI(t, append([]string{"scan", "--input", inv}, tt.args...)...), tt.want)
		})
	}
}

// TestQuiet: --quiet prints no table, progress or notice; reports are
// still written, errors and the --fail-on line still shown.
func TestQuiet(t *testing.T) {
	inv := writeInventoryFile(t, mixedInventory())
	r := runCLI(t, "scan", "--input", inv, "--quiet")
	if r.code != exitOK || r.stdout != "" || r.stderr != "" {
		t.Errorf("--quiet: exit %d, stdout %q, stderr %q; want 0 and nothing", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	r = runCLI(t, "scan", "--input", inv, "-q", "--format", "table,sarif", "-o", dir+"/r.sarif", "--fail-on", "critical", "--log-level", "error")
	if r.code != exitFindings || r.stdout != "" {
		t.Errorf("-q with a file: exit %d, stdout %q", r.code, r.stdout)
	}
	if want := "sgaudit: 1 finding at or above CRITICAL (--fail-on critical)\n"; r.stderr != want {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
	if data, err := readFileString(dir + "/r.sarif"); err != nil || !strings.Contains(data, `"results"`) {
		t.Errorf("the SARIF was not written under --quiet: %v", err)
	}
	// A JSON report on stdout is a report, not chatter: still written.
	if rep, r := scanJSONReport(t, "--input", inv, "--quiet"); r.code != exitOK || len(rep.Findings) == 0 {
		t.Errorf("--quiet --format json: exit %d, %d findings", r.code, len(rep.Findings))
	}
	assertOneLineError(t, runCLI(t, "scan", "--input", inv, "-q", "--format", "pdf"), "pdf")
}

func readFileString(path string) (string, error) {
	data, err := os.ReadFile(path)
	return string(data), err
}

// TestQuietOnATerminal: on a terminal, where the progress line is drawn,
// --quiet leaves stderr empty for collect and scan; the inventory and the
// reports are still written.
func TestQuietOnATerminal(t *testing.T) {
	seededEmulator(t)
	dir := t.TempDir()
	run := func(args ...string) cliResult {
		var out, errb bytes.Buffer
		ios := &streams{out: &out, err: &errb, errIsTerminal: true, errCols: func() int { return 100 },
			getenv: func(string) string { return "" }, now: func() time.Time { return fixedNow }}
		code := runWith(context.Background(), args, ios)
		return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
	}
	// Without --quiet the progress line shows: the test can tell.
	if r := run("collect", "--regions", "eu-west-1", "-o", filepath.Join(dir, "loud.json")); !strings.Contains(r.stderr, "account/regions read") {
		t.Fatalf("no progress line without --quiet (exit %d): %q", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"collect", "--regions", "eu-west-1", "--quiet", "-o", filepath.Join(dir, "inv.json")},
		{"scan", "--regions", "eu-west-1", "-q", "--format", "table,json", "-o", filepath.Join(dir, "findings.json")},
	} {
		r := run(args...)
		if r.code != exitOK || r.stderr != "" || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and nothing", args, r.code, r.stdout, r.stderr)
		}
	}
	for _, name := range []string{"inv.json", "findings.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not written under --quiet: %v", name, err)
		}
	}
}
