package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// sshSuppression accepts the SSH finding on the bastion group.
const sshSuppression = `version: 1
suppressions:
  - check: SGA001
    group: bastion
    reason: "bastion reachable from anywhere by design (SEC-42)"
    owner: platform-team
    expires: %s
`

func configFile(t *testing.T, content string) string {
	t.Helper()
	return writeFile(t, "sgaudit.yaml", content)
}

func decodeReport(t *testing.T, r cliResult) *findings.Report {
	t.Helper()
	var rep findings.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\nstderr: %s", err, r.stderr)
	}
	return &rep
}

// TestConfigSuppressionPassesFailOn: the same scan that fails --fail-on
// high passes once the finding is suppressed, and the JSON report still
// carries the finding, marked with the reason and the config line.
func TestConfigSuppressionPassesFailOn(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	base := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high")
	if base.code != exitFindings {
		t.Fatalf("without the config: exit %d, want %d; stderr: %s", base.code, exitFindings, base.stderr)
	}

	cfg := configFile(t, strings.ReplaceAll(sshSuppression, "%s", "2026-11-25")) // fixedNow's day: still applies
	r := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high", "--config", cfg)
	if r.code != exitOK {
		t.Fatalf("with the suppression: exit %d, want 0; stderr: %s", r.code, r.stderr)
	}
	rep := decodeReport(t, r)
	var got []string
	for _, f := range rep.Findings {
		s := "-"
		if f.Suppression != nil {
			s = f.Suppression.Reason + " / " + f.Suppression.Owner + " / " + f.Suppression.Expires + " / " + f.Suppression.Source
		}
		got = append(got, f.CheckID+" "+f.GroupName+": "+s)
	}
	// The suppression names SGA001; the same rule's SGA005 (MEDIUM, an
	// unauthorised public port) stays active but is below --fail-on high.
	want := []string{"SGA001 bastion: bastion reachable from anywhere by design (SEC-42) / platform-team / 2026-11-25 / " + cfg + ":3", "SGA005 bastion: -"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if rep.Summary.Suppressed != 1 || rep.Summary.Findings != 1 {
		t.Errorf("summary: %+v, want 1 suppressed and 1 active", rep.Summary)
	}
	if len(rep.Notices) != 0 {
		t.Errorf("notices: %+v, want none", rep.Notices)
	}
}

func TestConfigExpiredSuppressionFailsAgain(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	cfg := configFile(t, strings.ReplaceAll(sshSuppression, "%s", "2026-11-24")) // the day before fixedNow
	r := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high", "--config", cfg)
	if r.code != exitFindings {
		t.Fatalf("exit %d, want %d: an expired suppression must not apply; stderr: %s", r.code, exitFindings, r.stderr)
	}
	rep := decodeReport(t, r)
	want := []findings.Notice{{Level: findings.NoticeWarning,
		Message: cfg + ":3: suppression of SGA001 for group bastion expired on 2026-11-24; it no longer applies (1 finding no longer suppressed)"}}
	if diff := cmp.Diff(want, rep.Notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
	if rep.Findings[0].Suppression != nil {
		t.Errorf("the finding is still suppressed: %+v", rep.Findings[0].Suppression)
	}
}

func TestConfigSuppressionInSARIF(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	cfg := configFile(t, strings.ReplaceAll(sshSuppression, "%s", "2027-01-31"))
	r := runCLI(t, "scan", "--input", inv, "--format", "sarif", "--fail-on", "high", "--config", cfg)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID       string `json:"ruleId"`
				Suppressions []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, run := range log.Runs {
		for _, res := range run.Results {
			for _, s := range res.Suppressions {
				got = append(got, res.RuleID+" "+s.Kind+" "+s.Justification)
			}
		}
	}
	want := []string{"SGA001 external bastion reachable from anywhere by design (SEC-42)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SARIF suppressions (-want +got):\n%s", diff)
	}
}

// TestConfigCheckSettings: enabled and severity from the file change the
// scan and show in `sgaudit checks`.
func TestConfigCheckSettings(t *testing.T) {
	cfg := configFile(t, "checks:\n  SGA001: {enabled: false}\n  SGA006: {severity: high}\n")
	inv := writeInventoryFile(t, lowOnlyInventory()) // a placeholder description: SGA006, LOW by default
	inv2 := writeInventoryFile(t, sshInventory())

	r := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high", "--config", cfg)
	if r.code != exitFindings {
		t.Fatalf("SGA006 raised to HIGH must fail --fail-on high: exit %d; stderr: %s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r); len(rep.Findings) != 1 || rep.Findings[0].CheckID != "SGA006" || rep.Findings[0].Severity != findings.SeverityHigh {
		t.Errorf("findings: %+v, want one HIGH SGA006", rep.Findings)
	}
	r = runCLI(t, "scan", "--input", inv2, "--format", "json", "--fail-on", "high", "--config", cfg)
	if r.code != exitOK {
		t.Fatalf("SGA001 disabled must not fail: exit %d; stderr: %s", r.code, r.stderr)
	}

	r = runCLI(t, "checks", "--format", "json", "--config", cfg)
	if r.code != exitOK {
		t.Fatalf("checks: exit %d: %s", r.code, r.stderr)
	}
	var checks []findings.Check
	if err := json.Unmarshal([]byte(r.stdout), &checks); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range checks {
		if c.ID == "SGA001" || c.ID == "SGA006" {
			got[c.ID] = string(c.Status) + " " + string(c.Severity)
		}
	}
	want := map[string]string{"SGA001": "disabled HIGH", "SGA006": "evaluated HIGH"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("checks --config (-want +got):\n%s", diff)
	}
}

// TestConfigData: the data section reaches the policies, and a --data file
// on the command line still wins over it.
func TestConfigData(t *testing.T) {
	inv := writeInventoryFile(t, cleanInventory()) // HTTPS from the world: no finding by default
	cfg := configFile(t, "data:\n  ports:\n    admin:\n      - {service: Console, protocols: [tcp], from_port: 443, to_port: 443}\n")
	r := runCLI(t, "scan", "--input", inv, "--format", "json", "--config", cfg)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r); len(rep.Findings) != 1 || rep.Findings[0].CheckID != "SGA001" {
		t.Errorf("with 443 as an admin port: findings %+v, want one SGA001", rep.Findings)
	}
	data := writeFile(t, "ports.json", `{"sgaudit": {"ports": {"admin": [{"service": "SSH", "protocols": ["tcp"], "from_port": 22, "to_port": 22}]}}}`)
	r = runCLI(t, "scan", "--input", inv, "--format", "json", "--config", cfg, "--data", data)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r); len(rep.Findings) != 0 {
		t.Errorf("--data must win over the config's data: findings %+v", rep.Findings)
	}
}

func TestConfigErrors(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	unknownKey := configFile(t, "version: 1\nchecks:\n  SGA001:\n    severty: high\n")
	unknownCheck := configFile(t, "checks:\n  SGA001: {enabled: true}\n  SGA999: {enabled: true}\n")
	badDate := configFile(t, "suppressions:\n  - check: SGA001\n    reason: r\n    expires: 31/01/2027\n")
	unknownData := configFile(t, "data:\n  authorised_ports: []\n")
	noReason := configFile(t, "suppressions:\n  - check: SGA001\n")
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	tests := []struct {
		name string
		args []string
		want string // the whole stderr
	}{
		{"unknown key", []string{"--config", unknownKey}, "sgaudit: " + unknownKey + `:4: unknown key "severty" in checks.SGA001`},
		{"unknown check", []string{"--config", unknownCheck}, "sgaudit: " + unknownCheck + `:3: unknown check id "SGA999" in checks (sgaudit checks lists them)`},
		{"bad date", []string{"--config", badDate}, "sgaudit: " + badDate + `:4: suppressions[0].expires: want a date YYYY-MM-DD, got "31/01/2027"`},
		{"unknown data key", []string{"--config", unknownData}, "sgaudit: " + unknownData + `:2: unknown key "authorised_ports" in data`},
		{"missing reason", []string{"--config", noReason}, "sgaudit: " + noReason + ":2: suppressions[0]: reason is required: say why the finding is accepted"},
		{"missing file", []string{"--config", missing}, "sgaudit: read config: open " + missing + ": no such file or directory"},
		{"config and no-config", []string{"--config", unknownKey, "--no-config"}, "sgaudit: --config and --no-config exclude each other"},
		{"empty config", []string{"--config", ""}, "sgaudit: --config needs a file name (--no-config ignores .sgaudit.yaml)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"scan", "--input", inv, "--format", "json,sarif", "-o", dir}, tt.args...)
			r := runCLI(t, args...)
			assertOneLineError(t, r, tt.want)
			if !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stderr = %q, want it to start with %q", r.stderr, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a config error left %d files in the output directory", len(entries))
			}
		})
	}
	// `checks` reads the same file the same way.
	assertOneLineError(t, runCLI(t, "checks", "--config", unknownCheck), `:3: unknown check id "SGA999"`)
}

// TestDefaultConfigFile: .sgaudit.yaml in the working directory is read
// unless --no-config.
func TestDefaultConfigFile(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".sgaudit.yaml"), []byte(strings.ReplaceAll(sshSuppression, "%s", "2027-01-31")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)

	r := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high")
	if r.code != exitOK {
		t.Fatalf("with .sgaudit.yaml: exit %d, want 0; stderr: %s", r.code, r.stderr)
	}
	if rep := decodeReport(t, r); rep.Findings[0].Suppression == nil || rep.Findings[0].Suppression.Source != ".sgaudit.yaml:3" {
		t.Errorf("suppression: %+v, want one from .sgaudit.yaml:3", rep.Findings[0].Suppression)
	}
	r = runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", "high", "--no-config")
	if r.code != exitFindings {
		t.Fatalf("with --no-config: exit %d, want %d; stderr: %s", r.code, exitFindings, r.stderr)
	}
	// A broken default file is an error too, not silently skipped.
	if err := os.WriteFile(filepath.Join(dir, ".sgaudit.yaml"), []byte("checks: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	assertOneLineError(t, runCLI(t, "scan", "--input", inv), "sgaudit: .sgaudit.yaml:")
}

// TestBaseline: a first scan's JSON is the baseline of a second scan after
// a change: only the new finding fails --fail-on, and the report says what
// is new, unchanged and fixed.
func TestBaseline(t *testing.T) {
	first := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "json")
	if first.code != exitOK {
		t.Fatalf("first scan: exit %d: %s", first.code, first.stderr)
	}
	baselineFile := writeFile(t, "old-findings.json", first.stdout)

	// The change: the web group gets a placeholder description (a new LOW
	// finding); the bastion's SSH finding (HIGH) was there already.
	changed := sshInventory()
	changed.SecurityGroups[0].Description = "Managed by Terraform"
	changedInv := writeInventoryFile(t, changed)

	control := runCLI(t, "scan", "--input", changedInv, "--format", "json", "--fail-on", "high")
	if control.code != exitFindings {
		t.Fatalf("without a baseline the SSH finding fails --fail-on high: exit %d", control.code)
	}
	r := runCLI(t, "scan", "--input", changedInv, "--format", "json", "--fail-on", "high", "--baseline", baselineFile)
	if r.code != exitOK {
		t.Fatalf("with the baseline, the known HIGH finding must not fail: exit %d; stderr: %s", r.code, r.stderr)
	}
	r = runCLI(t, "scan", "--input", changedInv, "--format", "json", "--fail-on", "low", "--baseline", baselineFile)
	if r.code != exitFindings {
		t.Fatalf("the new LOW finding must fail --fail-on low: exit %d; stderr: %s", r.code, r.stderr)
	}
	rep := decodeReport(t, r)
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.CheckID+" "+f.GroupName+" "+string(f.Baseline))
	}
	if diff := cmp.Diff([]string{"SGA006 web new", "SGA001 bastion unchanged", "SGA005 bastion unchanged"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if b := rep.Baseline; b == nil || b.Path != baselineFile || b.New != 1 || b.Unchanged != 2 || b.Fixed != 0 {
		t.Errorf("baseline summary: %+v", rep.Baseline)
	}

	// Then the bastion is removed: its finding is fixed.
	fixed := runCLI(t, "scan", "--input", writeInventoryFile(t, cleanInventory()), "--format", "json", "--fail-on", "low", "--baseline", baselineFile)
	if fixed.code != exitOK {
		t.Fatalf("fixed scan: exit %d: %s", fixed.code, fixed.stderr)
	}
	frep := decodeReport(t, fixed)
	var fixedKeys []string
	if b := frep.Baseline; b != nil {
		for _, f := range b.FixedFindings {
			fixedKeys = append(fixedKeys, f.CheckID+" "+f.GroupName+" "+string(f.Baseline))
		}
	}
	if diff := cmp.Diff([]string{"SGA001 bastion absent", "SGA005 bastion absent"}, fixedKeys); diff != "" || frep.Baseline.Fixed != 2 {
		t.Errorf("fixed since the baseline (-want +got):\n%s", diff)
	}
}

func TestBaselineErrors(t *testing.T) {
	invPath := writeInventoryFile(t, sshInventory())
	sarif := runCLI(t, "scan", "--input", invPath, "--format", "sarif")
	sarifFile := writeFile(t, "results.sarif", sarif.stdout)
	missing := filepath.Join(t.TempDir(), "none.json")
	tests := []struct {
		name string
		file string
		want string
	}{
		{"SARIF", sarifFile, "sgaudit: baseline " + sarifFile + ": is a SARIF log; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)"},
		{"inventory", invPath, "sgaudit: baseline " + invPath + ": is an sgaudit inventory"},
		{"missing", missing, "sgaudit: baseline " + missing + ": read: no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "scan", "--input", invPath, "--format", "json", "--baseline", tt.file)
			assertOneLineError(t, r, tt.want)
			if !strings.HasPrefix(r.stderr, tt.want) {
				t.Errorf("stderr = %q, want it to start with %q", r.stderr, tt.want)
			}
		})
	}
}
