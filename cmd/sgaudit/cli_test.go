package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// fixedNow is the clock of every CLI test, so reports are byte-stable.
var fixedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

type cliResult struct {
	stdout, stderr string
	code           int
}

// runCLI runs the program in-process, as main would, with a fixed clock.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	ios := &streams{out: &out, err: &errb, getenv: os.Getenv, now: func() time.Time { return fixedNow }}
	code := runWith(context.Background(), args, ios)
	return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// assertOneLineError checks the contract for every user error: exit 2, one
// line on stderr starting with "sgaudit: " and containing want, no stdout.
func assertOneLineError(t *testing.T, r cliResult, want string) {
	t.Helper()
	if r.code != exitUsage {
		t.Errorf("exit code = %d, want %d; stderr: %s", r.code, exitUsage, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "sgaudit: ") {
		t.Errorf("stderr is not one 'sgaudit: ' line:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr %q does not mention %q", r.stderr, want)
	}
	if strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine ") {
		t.Errorf("stderr shows a panic: %s", r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout not empty on error:\n%s", r.stdout)
	}
}

// writeInventory writes inv as an sgaudit inventory file and returns its path.
func writeInventoryFile(t *testing.T, inv *inventory.Inventory) string {
	t.Helper()
	inv.SchemaVersion = inventory.SchemaVersion
	inv.Source = "aws"
	inv.Sort()
	path := filepath.Join(t.TempDir(), "inventory.json")
	data, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const acct = "111122223333"

// testGroup builds a group in acct/eu-west-1 with the given ingress rules,
// attached to one interface so it is never unused.
func testGroup(id, name, desc string, rules ...inventory.Rule) inventory.SecurityGroup {
	for i := range rules {
		rules[i].Direction = inventory.Ingress
		rules[i].ID = "sgr-" + id[3:] + string(rune('a'+i))
		if rules[i].Description == "" {
			rules[i].Description = "documented"
		}
	}
	return inventory.SecurityGroup{
		ARN: "arn:aws:ec2:eu-west-1:" + acct + ":security-group/" + id, ID: id, Name: name, Description: desc,
		AccountID: acct, Region: "eu-west-1", VPCID: "vpc-1", Rules: inventory.NewRules(rules...), Tags: inventory.Tags{},
		Attachments: []inventory.Attachment{{NetworkInterfaceID: "eni-" + id[3:], InterfaceType: "interface"}},
		UsedBy:      []inventory.Evidence{{Kind: inventory.UsedByENI, ID: "eni-" + id[3:]}},
	}
}

func tcp(port int, cidr string) inventory.Rule {
	return inventory.Rule{Protocol: "tcp", RawProtocol: "tcp", FromPort: port, ToPort: port, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: cidr}}
}

func okCoverage() []inventory.Coverage {
	return []inventory.Coverage{{AccountID: acct, Region: "eu-west-1", Status: inventory.CoverageOK, SecurityGroups: 1,
		Collected: []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroupRules, inventory.KindSecurityGroups}}}
}

func cleanInventory() *inventory.Inventory {
	return &inventory.Inventory{
		Accounts:       []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage:       okCoverage(),
		SecurityGroups: []inventory.SecurityGroup{testGroup("sg-0000000000000001", "web", "Public web tier", tcp(443, "0.0.0.0/0"))},
	}
}

func sshInventory() *inventory.Inventory {
	inv := cleanInventory()
	inv.SecurityGroups = append(inv.SecurityGroups, testGroup("sg-0000000000000002", "bastion", "SSH bastion", tcp(22, "0.0.0.0/0")))
	return inv
}

// lowOnlyInventory has a finding, but only a LOW one (a placeholder description).
func lowOnlyInventory() *inventory.Inventory {
	inv := cleanInventory()
	inv.SecurityGroups[0].Description = "Managed by Terraform"
	return inv
}

func incompleteInventory(inv *inventory.Inventory) *inventory.Inventory {
	inv.Coverage = append(inv.Coverage, inventory.Coverage{AccountID: acct, Region: "us-east-1", Status: inventory.CoverageDenied,
		FailedAPI: "DescribeSecurityGroups", ErrorCode: "UnauthorizedOperation", Detail: "not authorized"})
	return inv
}

func TestVersion(t *testing.T) {
	r := runCLI(t, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "sgaudit ") {
		t.Fatalf("version: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	for _, flag := range []string{"--version", "-v"} {
		r := runCLI(t, flag)
		if r.code != 0 || !strings.HasPrefix(r.stdout, "sgaudit version ") {
			t.Errorf("%s: code %d, stdout %q, stderr %q", flag, r.code, r.stdout, r.stderr)
		}
	}
}

// Switches read as switches in --help: `--no-color`, not pflag's
// `--no-color[=true|false]`; and they still parse both ways.
func TestHelpShowsSwitchesPlainly(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"scan", "--help"}, {"collect", "-h"}, {"checks", "--help"}, {"version", "--help"}} {
		r := runCLI(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "-h, --help ") {
			t.Errorf("%v: code %d, no -h, --help in:\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "[=") {
			t.Errorf("%v: help shows a switch with its value syntax:\n%s", args, r.stdout)
		}
	}
	r := runCLI(t, "scan", "--help")
	for _, want := range []string{"      --org ", "      --no-color ", "      --no-config ", "      --no-progress "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("scan --help does not list %q", strings.TrimSpace(want))
		}
	}
	inv := writeInventoryFile(t, cleanInventory())
	if r := runCLI(t, "scan", "--input", inv, "--no-color=false", "--no-config=true"); r.code != 0 {
		t.Errorf("--no-color=false --no-config=true: code %d, stderr %s", r.code, r.stderr)
	}
	assertOneLineError(t, runCLI(t, "scan", "--input", inv, "--no-color=maybe"), `invalid argument "maybe" for "--no-color" flag: want true or false`)
}

func TestHelpListsCommandsAndExitCodes(t *testing.T) {
	r := runCLI(t, "--help")
	for _, want := range []string{"scan", "collect", "checks", "version"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--help does not list %q:\n%s", want, r.stdout)
		}
	}
	r = runCLI(t, "scan", "--help")
	for _, want := range []string{"--fail-on", "--format", "--input", "Exit codes", "3 incomplete"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("scan --help does not mention %q", want)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	inv := writeInventoryFile(t, cleanInventory())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"scan", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"positional argument", []string{"scan", "extra"}, "unknown command \"extra\""},
		{"unknown format", []string{"scan", "--input", inv, "--format", "pdf"}, "pdf"},
		{"several formats to stdout", []string{"scan", "--input", inv, "--format", "json,sarif"}, "need --output-dir"},
		{"bad fail-on", []string{"scan", "--input", inv, "--fail-on", "severe"}, "--fail-on"},
		{"bad log level", []string{"scan", "--input", inv, "--log-level", "loud"}, "--log-level"},
		{"checks bad format", []string{"checks", "--format", "xml"}, "--format"},
		{"missing input file", []string{"scan", "--input", filepath.Join(t.TempDir(), "nope.json")}, "nope.json"},
		{"regions with input", []string{"scan", "--input", inv, "--regions", "us-east-1"}, "--regions reads AWS"},
		{"org with input", []string{"scan", "--input", inv, "--org"}, "--org reads AWS"},
		{"profile with input", []string{"scan", "--input", inv, "--profile", "prod"}, "--profile reads AWS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertOneLineError(t, runCLI(t, tt.args...), tt.want)
		})
	}
}

func TestBadInputsWriteNoReport(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	badRego := writeFile(t, "policies/broken.rego", "package acme.checks.broken\n\ndeny contains x if {\n")
	objectRule := writeFile(t, "policies/old.rego", `# METADATA
# title: Old style
# description: deny[msg] is an object rule in Rego v1
# custom:
#   id: ACME001
#   severity: LOW
#   resolution: none
package acme.checks.old_style

deny[msg] if {
	some g in input.security_groups
	msg := g.id
}
`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"malformed JSON", []string{"--input", writeFile(t, "bad.json", `{"SecurityGroups": [ {"GroupId": "sg-1",`)}, "bad.json"},
		{"unknown JSON", []string{"--input", writeFile(t, "other.json", `{"Buckets": []}`)}, "other.json"},
		{"not JSON", []string{"--input", writeFile(t, "x.json", "hello")}, "x.json"},
		{"invalid Rego", []string{"--input", inv, "--policy-dir", filepath.Dir(badRego)}, "broken.rego"},
		{"deny object rule", []string{"--input", inv, "--policy-dir", filepath.Dir(objectRule)}, "deny contains"},
		{"policy inside data.sgaudit", []string{"--input", inv, "--policy-dir", writeFile(t, "override/ports.rego", "package sgaudit.ports\n\nadmin := []\n")},
			"ports.rego:1: package sgaudit.ports is inside sgaudit's own namespace data.sgaudit"},
		{"bad data file", []string{"--input", inv, "--data", writeFile(t, "data.json", `{"sgaudit": `)}, "data.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"scan", "--format", "json,sarif,html", "--output-dir", dir}, tt.args...)
			assertOneLineError(t, runCLI(t, args...), tt.want)
			entries, _ := os.ReadDir(dir)
			if len(entries) != 0 {
				t.Errorf("a failed scan left %d files in the output directory", len(entries))
			}
		})
	}
}

func TestNoCredentials(t *testing.T) {
	isolateAWSEnv(t)
	assertOneLineError(t, runCLI(t, "scan", "--regions", "eu-west-1"), "credentials")
}

// isolateAWSEnv removes every way the SDK could find credentials or a
// profile on a developer's machine.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		inv      *inventory.Inventory
		failOn   string
		wantCode int
	}{
		{"clean, no threshold", cleanInventory(), "", exitOK},
		{"clean, threshold low", cleanInventory(), "low", exitOK},
		{"HIGH finding, no threshold", sshInventory(), "", exitOK},
		{"HIGH finding at threshold high", sshInventory(), "high", exitFindings},
		{"HIGH finding above threshold medium", sshInventory(), "MEDIUM", exitFindings},
		{"HIGH finding below threshold critical", sshInventory(), "critical", exitOK},
		{"LOW finding, threshold high", lowOnlyInventory(), "high", exitOK},
		{"LOW finding, threshold low", lowOnlyInventory(), "low", exitFindings},
		{"incomplete, nothing at threshold", incompleteInventory(cleanInventory()), "high", exitIncomplete},
		{"incomplete, no threshold", incompleteInventory(sshInventory()), "", exitIncomplete},
		{"incomplete and a finding at threshold", incompleteInventory(sshInventory()), "high", exitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"scan", "--input", writeInventoryFile(t, tt.inv), "--format", "json"}
			if tt.failOn != "" {
				args = append(args, "--fail-on", tt.failOn)
			}
			r := runCLI(t, args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			// Reports are written whatever the exit code (0, 1 or 3).
			var rep findings.Report
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("stdout is not the JSON report: %v", err)
			}
			if tt.wantCode != exitOK && strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one line on stderr saying why, got %q", r.stderr)
			}
		})
	}
}

func TestOutputDirWritesEveryFormatAndTableToStdout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "out")
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "table,json,sarif,html,markdown", "--output-dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"findings.json", "results.sarif", "report.html", "summary.md"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if !strings.Contains(r.stdout, "SGA001") || !strings.Contains(r.stdout, "bastion") {
		t.Errorf("table on stdout lacks the SSH finding:\n%s", r.stdout)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("output dir holds %d entries, want exactly the 4 reports (no temp files)", len(entries))
	}
}

func TestSingleFormatGoesToStdout(t *testing.T) {
	for _, format := range []string{"json", "sarif", "html", "markdown", "table"} {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", format)
			if r.code != 0 || r.stdout == "" {
				t.Fatalf("exit %d, %d bytes on stdout; stderr: %s", r.code, len(r.stdout), r.stderr)
			}
			if format == "json" || format == "sarif" {
				if !json.Valid([]byte(r.stdout)) {
					t.Errorf("%s on stdout is not valid JSON", format)
				}
			}
		})
	}
}

func TestChecksListsCatalogue(t *testing.T) {
	r := runCLI(t, "checks", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var checks []findings.Check
	if err := json.Unmarshal([]byte(r.stdout), &checks); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.ID)
		if c.Title == "" || c.Severity.Rank() == 0 {
			t.Errorf("check %s lacks a title or a valid severity: %+v", c.ID, c)
		}
	}
	for _, want := range []string{"SGA001", "SGA002", "SGA003", "SGA006", "SGA007", "SGA008", "SGA009"} {
		if !strings.Contains(strings.Join(ids, ","), want) {
			t.Errorf("catalogue lacks %s: %v", want, ids)
		}
	}
	table := runCLI(t, "checks")
	if table.code != 0 || !strings.Contains(table.stdout, "SGA001") || !strings.Contains(table.stdout, "HIGH") {
		t.Errorf("checks table:\n%s", table.stdout)
	}
}

func TestCustomPolicyAddsFindings(t *testing.T) {
	dir := filepath.Dir(writeFile(t, "acme/require_owner_tag.rego", `# METADATA
# title: Group without an owner tag
# description: Every group must say who owns it.
# custom:
#   id: ACME001
#   severity: MEDIUM
#   resolution: Tag the group with owner=<team>.
package acme.checks.require_owner_tag

deny contains finding if {
	some g in input.security_groups
	not g.tags.owner
	finding := {"group_arn": g.arn, "msg": sprintf("%s (%s) has no owner tag", [g.id, g.name])}
}
`))
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, cleanInventory()), "--policy-dir", dir, "--format", "json", "--fail-on", "medium")
	if r.code != exitFindings {
		t.Fatalf("exit %d, want 1; stderr: %s", r.code, r.stderr)
	}
	var rep findings.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		got = append(got, f.CheckID+" "+f.GroupName+" "+string(f.Severity))
	}
	if diff := cmp.Diff([]string{"ACME001 web MEDIUM"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestDataOverridesPortList(t *testing.T) {
	// Declaring 443 an admin port (say, a web console) must make the HTTPS rule an SGA001 finding.
	data := writeFile(t, "ports.json", `{"sgaudit": {"ports": {"admin": [{"service": "Console", "protocols": ["tcp"], "from_port": 443, "to_port": 443}]}}}`)
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, cleanInventory()), "--data", data, "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rep findings.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].CheckID != "SGA001" {
		t.Fatalf("want one SGA001 finding for 443 with the overridden port list, got %+v", rep.Findings)
	}
}

// TestSARIFOverLimitsIsSplitPerAccount: GitHub takes at most 20 runs per
// file; with 21 accounts sgaudit writes one SARIF file per account instead.
func TestSARIFOverLimitsIsSplitPerAccount(t *testing.T) {
	inv := &inventory.Inventory{}
	var want []string
	for i := range 21 {
		id := fmt.Sprintf("1000000000%02d", i)
		inv.Accounts = append(inv.Accounts, inventory.Account{ID: id, Partition: "aws"})
		inv.Coverage = append(inv.Coverage, inventory.Coverage{AccountID: id, Region: "eu-west-1", Status: inventory.CoverageOK,
			Collected: []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroups}})
		g := testGroup(fmt.Sprintf("sg-%017d", i), "bastion", "SSH bastion", tcp(22, "0.0.0.0/0"))
		g.AccountID, g.ARN = id, "arn:aws:ec2:eu-west-1:"+id+":security-group/"+g.ID
		inv.SecurityGroups = append(inv.SecurityGroups, g)
		want = append(want, "results-"+id+".sarif")
	}
	dir := t.TempDir()
	stale := filepath.Join(dir, "results.sarif")
	if err := os.WriteFile(stale, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, inv), "--format", "sarif", "-o", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
		var doc struct {
			Runs []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		readJSONFile(t, filepath.Join(dir, e.Name()), &doc)
		if len(doc.Runs) != 1 || len(doc.Runs[0].Results) == 0 {
			t.Errorf("%s: want one run with the account's results, got %d runs", e.Name(), len(doc.Runs))
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got); the stale results.sarif must be gone:\n%s", diff)
	}
	if !strings.Contains(r.stderr, "one file per account") {
		t.Errorf("stderr does not say the SARIF was split: %q", r.stderr)
	}
}

// TestStaleSplitSARIFIsRemoved: after a scan that fits one SARIF file, the
// per-account files of an earlier, larger scan are gone, so a directory
// upload sends only this scan.
func TestStaleSplitSARIFIsRemoved(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "results-100000000001.sarif")
	keep := filepath.Join(dir, "notes.sarif.txt")
	for _, p := range []string{old, keep} {
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "sarif", "-o", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale %s still there (%v)", filepath.Base(old), err)
	}
	for _, p := range []string{keep, filepath.Join(dir, "results.sarif")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
		}
	}
}
