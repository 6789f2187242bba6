package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/reporters"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// reportOf returns a report of the given accounts, each read completely
// and with one finding. Ids are not checked: the writer must be safe on its
// own, whatever reached the report.
func reportOf(ids ...string) *findings.Report {
	r := &findings.Report{
		SchemaVersion: findings.SchemaVersion,
		Tool:          findings.Tool{Name: "sgaudit", Version: "test"},
		GeneratedAt:   fixedNow,
		Checks:        []findings.Check{{ID: "SGA007", Name: "rule-without-description", Severity: findings.SeverityLow, Status: findings.CheckEvaluated}},
	}
	for i, id := range ids {
		r.Accounts = append(r.Accounts, inventory.Account{ID: id, Partition: "aws"})
		r.Coverage = append(r.Coverage, inventory.Coverage{AccountID: id, Region: "eu-west-1", Status: inventory.CoverageOK})
		g := fmt.Sprintf("sg-%017x", i)
		r.Findings = append(r.Findings, findings.Finding{
			CheckID: "SGA007", Severity: findings.SeverityLow, AccountID: id, Region: "eu-west-1", GroupID: g,
			GroupARN: "arn:aws:ec2:eu-west-1:" + id + ":security-group/" + g, Message: g + " has no description",
			Fingerprint: fmt.Sprintf("fp-%d", i),
		})
	}
	return r
}

// accountIDs returns n 12-digit account ids, one more than GitHub's 20 runs
// per SARIF file when n is 21.
func accountIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("2000000000%02d", i)
	}
	return ids
}

// failingReporter fails, or panics, after writing part of its report: the
// way a reporter bug or a full disk shows up half-way through a file.
type failingReporter struct{ panics bool }

var errReporter = errors.New("reporter failed on purpose")

func (f failingReporter) Write(w io.Writer, _ *findings.Report) error {
	_, _ = io.WriteString(w, `{"half": `)
	if f.panics {
		panic("reporter bug on purpose")
	}
	return errReporter
}

// cancellingReporter cancels the scan's context while it renders, as a
// SIGTERM arriving then would, and renders its report all the same.
type cancellingReporter struct {
	reporters.Reporter
	cancel context.CancelFunc
}

func (c cancellingReporter) Write(w io.Writer, r *findings.Report) error {
	c.cancel()
	return c.Reporter.Write(w, r)
}

// outputPlan is the plan of --format with -o dir, with the reporter of one
// format replaced when replace is not nil.
func outputPlan(t *testing.T, dir string, formats []string, replace map[string]reporters.Reporter) []plannedOutput {
	t.Helper()
	plan, err := planOutputs(&scanFlags{formats: formats, outputDir: dir}, &streams{getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range plan {
		if r, ok := replace[plan[i].format]; ok {
			plan[i].reporter = r
		}
	}
	return plan
}

// writeDir fills dir with files (name → content).
func writeDir(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readDir returns every file in dir (name → content), temporary files and
// all, so a leftover shows up in a diff.
func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(data)
	}
	return got
}

// previousRun is what an earlier scan left in -o, plus files of other tools.
var previousRun = map[string]string{
	"findings.json":       "previous findings.json",
	"results.sarif":       "previous results.sarif",
	"report.html":         "previous report.html",
	"summary.md":          "previous summary.md",
	"results-trivy.sarif": "another tool's SARIF",
	"notes.txt":           "someone's notes",
}

// TestFailedWriteLeavesPreviousReports (issue 9, item 7): a reporter that
// fails or panics half-way, or a scan cancelled before the reports are put
// in place, leaves the previous run's reports byte for byte, no temporary
// file, and nothing on stdout.
func TestFailedWriteLeavesPreviousReports(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	formats := []string{"table", "json", "sarif", "html", "markdown"}
	tests := []struct {
		name    string
		ctx     context.Context
		replace map[string]reporters.Reporter
		rep     *findings.Report
		wantErr error
		panics  bool
		// cancelIn is a format whose reporter cancels the scan (a SIGTERM
		// arriving) while it renders, and then succeeds.
		cancelIn string
	}{
		{name: "last reporter fails", ctx: context.Background(), replace: map[string]reporters.Reporter{"markdown": failingReporter{}}, wantErr: errReporter},
		{name: "first reporter fails", ctx: context.Background(), replace: map[string]reporters.Reporter{"json": failingReporter{}}, wantErr: errReporter},
		{name: "SARIF fails", ctx: context.Background(), replace: map[string]reporters.Reporter{"sarif": failingReporter{}}, wantErr: errReporter},
		{name: "stdout reporter fails", ctx: context.Background(), replace: map[string]reporters.Reporter{"table": failingReporter{}}, wantErr: errReporter},
		{name: "reporter panics", ctx: context.Background(), replace: map[string]reporters.Reporter{"html": failingReporter{panics: true}}, panics: true},
		{name: "split SARIF then a reporter fails", ctx: context.Background(), rep: reportOf(accountIDs(21)...),
			replace: map[string]reporters.Reporter{"html": failingReporter{}}, wantErr: errReporter},
		{name: "cancelled", ctx: cancelled, wantErr: context.Canceled},
		{name: "cancelled while the last report renders", cancelIn: "markdown", wantErr: context.Canceled},
		{name: "cancelled while stdout renders", cancelIn: "table", wantErr: context.Canceled},
		{name: "split SARIF, cancelled", ctx: cancelled, rep: reportOf(accountIDs(21)...), wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			previous := maps.Clone(previousRun)
			// A per-account file of an even earlier run must stay too.
			previous["results-111111111111.sarif"] = "previous per-account SARIF"
			writeDir(t, dir, previous)
			rep := tt.rep
			if rep == nil {
				rep = reportOf(accountIDs(2)...)
			}
			ctx, replace := tt.ctx, tt.replace
			if tt.cancelIn != "" {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(context.Background())
				defer cancel()
				inner, err := reporters.New(tt.cancelIn)
				if err != nil {
					t.Fatal(err)
				}
				replace = map[string]reporters.Reporter{tt.cancelIn: cancellingReporter{Reporter: inner, cancel: cancel}}
			}
			var out, errb bytes.Buffer
			ios := &streams{out: &out, err: &errb, getenv: func(string) string { return "" }, now: func() time.Time { return fixedNow }}
			err, recovered := func() (err error, recovered any) {
				defer func() { recovered = recover() }()
				return writeReports(ctx, outputPlan(t, dir, formats, replace), rep, ios), nil
			}()
			if tt.panics != (recovered != nil) {
				t.Errorf("recovered %v; want a panic: %v", recovered, tt.panics)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(previous, readDir(t, dir)); diff != "" {
				t.Errorf("output directory changed (-previous +now):\n%s", diff)
			}
			if out.Len() != 0 || errb.Len() != 0 {
				t.Errorf("a failed write printed %q on stdout and %q on stderr", out.String(), errb.String())
			}
		})
	}
}

// TestCancelledWriteToStdoutPrintsNothing: a report for stdout is printed
// only when the scan was not cancelled.
func TestCancelledWriteToStdoutPrintsNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	ios := &streams{out: &out, err: io.Discard, getenv: func(string) string { return "" }}
	err := writeReports(ctx, outputPlan(t, "", []string{"json"}, nil), reportOf(accountIDs(1)...), ios)
	if !errors.Is(err, context.Canceled) || out.Len() != 0 {
		t.Errorf("err = %v, stdout %d bytes; want context.Canceled and nothing", err, out.Len())
	}
}

// TestSplitSARIFRefusesUnsafeAccountIDs (issue 9, item 2): once the SARIF
// is split per account, an account id becomes a file name; one that is not
// 12 digits is an error, nothing is written inside or outside -o.
func TestSplitSARIFRefusesUnsafeAccountIDs(t *testing.T) {
	for _, bad := range []string{"../../escaped", "../../../escaped", "../../../../escaped", "../escaped", "/tmp/escaped", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"} {
		t.Run(bad, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "a", "out")
			writeDir(t, dir, previousRun)
			rep := reportOf(append(accountIDs(20), bad)...)
			ios := &streams{out: io.Discard, err: io.Discard, getenv: func(string) string { return "" }}
			err := writeReports(context.Background(), outputPlan(t, dir, []string{"json", "sarif"}, nil), rep, ios)
			if err == nil || !strings.Contains(err.Error(), "not 12 digits") {
				t.Errorf("err = %v, want an account id error", err)
			}
			if diff := cmp.Diff(previousRun, readDir(t, dir)); diff != "" {
				t.Errorf("output directory changed (-previous +now):\n%s", diff)
			}
			var outside []string
			_ = filepath.WalkDir(parent, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && filepath.Dir(path) != dir {
					outside = append(outside, path)
				}
				return nil
			})
			if len(outside) != 0 {
				t.Errorf("wrote outside the output directory: %v", outside)
			}
		})
	}
}

// TestSARIFWriteTouchesOnlyItsOwnFiles (issue 9, item 3): other tools'
// SARIF files and unrelated files survive a single-file and a split write;
// sgaudit's own stale SARIF files are removed.
func TestSARIFWriteTouchesOnlyItsOwnFiles(t *testing.T) {
	split := &inventory.Inventory{}
	var splitNames []string
	for i, id := range accountIDs(21) {
		split.Accounts = append(split.Accounts, inventory.Account{ID: id, Partition: "aws"})
		split.Coverage = append(split.Coverage, inventory.Coverage{AccountID: id, Region: "eu-west-1", Status: inventory.CoverageOK,
			Collected: []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroups}})
		g := testGroup(fmt.Sprintf("sg-%017d", i), "bastion", "SSH bastion", tcp(22, "0.0.0.0/0"))
		g.AccountID, g.ARN = id, "arn:aws:ec2:eu-west-1:"+id+":security-group/"+g.ID
		split.SecurityGroups = append(split.SecurityGroups, g)
		splitNames = append(splitNames, "results-"+id+".sarif")
	}
	foreign := map[string]string{
		"results-trivy.sarif": "another tool's SARIF",
		"results-1234.sarif":  "not an account id: not ours",
		"notes.txt":           "someone's notes",
		"results.sarif.bak":   "someone's backup",
	}
	tests := []struct {
		name      string
		inv       *inventory.Inventory
		wantNew   []string
		wantGone  []string
		wantSplit bool
	}{
		{name: "single file", inv: sshInventory(), wantNew: []string{"results.sarif"}, wantGone: []string{"results-111111111111.sarif", "results-200000000000.sarif"}},
		{name: "split", inv: split, wantNew: splitNames, wantGone: []string{"results.sarif", "results-111111111111.sarif"}, wantSplit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			before := maps.Clone(foreign)
			for _, name := range tt.wantGone {
				before[name] = "stale " + name
			}
			writeDir(t, dir, before)
			r := runCLI(t, "scan", "--input", writeInventoryFile(t, tt.inv), "--format", "sarif", "-o", dir)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := strings.Contains(r.stderr, "one file per account"); got != tt.wantSplit {
				t.Errorf("stderr %q; want a note on the split: %v", r.stderr, tt.wantSplit)
			}
			got := readDir(t, dir)
			for name, content := range before {
				if slices.Contains(tt.wantGone, name) {
					if _, ok := got[name]; ok {
						t.Errorf("stale %s is still there", name)
					}
				} else if got[name] != content {
					t.Errorf("%s = %q, want %q untouched", name, got[name], content)
				}
			}
			var gotNew []string
			for name := range got {
				if _, old := before[name]; !old {
					gotNew = append(gotNew, name)
				}
			}
			slices.Sort(gotNew)
			if diff := cmp.Diff(tt.wantNew, gotNew); diff != "" {
				t.Errorf("new files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStaleTempFilesOfAKilledRunAreRemoved (issue 9, item 7): temporary
// files a run killed with SIGKILL left are removed by the next write; other
// files that look alike are not.
func TestStaleTempFilesOfAKilledRunAreRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	kept := map[string]string{
		".notes.txt.tmp-1":           "another tool's temporary file",
		".results-trivy.sarif.tmp-2": "another tool's temporary file",
		"findings.json.tmp-3":        "not our pattern",
	}
	before := maps.Clone(kept)
	for _, name := range []string{".findings.json.tmp-123", ".results.sarif.tmp-4", ".results-111111111111.sarif.tmp-5", ".report.html.tmp-6"} {
		before[name] = ""
	}
	writeDir(t, dir, before)
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "json", "-o", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := readDir(t, dir)
	delete(got, "findings.json")
	if diff := cmp.Diff(kept, got); diff != "" {
		t.Errorf("files besides findings.json (-want +got):\n%s", diff)
	}
}

// recordingReporter notes the order reporters are called in: the order the
// files are staged, which is the order they are renamed into place.
type recordingReporter struct {
	reporters.Reporter
	name  string
	order *[]string
}

func (r recordingReporter) Write(w io.Writer, rep *findings.Report) error {
	*r.order = append(*r.order, r.name)
	return r.Reporter.Write(w, rep)
}

// TestSARIFIsRenamedFirst: SARIF is put in place before the other formats,
// so a kill between the renames never leaves a stale SARIF next to current
// reports for CI to upload.
func TestSARIFIsRenamedFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	writeDir(t, dir, nil)
	var order []string
	replace := map[string]reporters.Reporter{}
	formats := []string{"json", "html", "markdown", "sarif"}
	for _, f := range formats {
		rep, err := reporters.New(f)
		if err != nil {
			t.Fatal(err)
		}
		replace[f] = recordingReporter{Reporter: rep, name: f, order: &order}
	}
	ios := &streams{out: io.Discard, err: io.Discard, getenv: func(string) string { return "" }}
	if err := writeReports(context.Background(), outputPlan(t, dir, formats, replace), reportOf(accountIDs(2)...), ios); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"sarif", "json", "html", "markdown"}, order); diff != "" {
		t.Errorf("staging order (-want +got):\n%s", diff)
	}
}

func TestIsReportName(t *testing.T) {
	tests := map[string]bool{
		"findings.json": true, "results.sarif": true, "report.html": true, "summary.md": true, "findings.txt": true,
		"results-123456789012.sarif": true,
		"results-trivy.sarif":        false, "results-12345678901.sarif": false, "results-1234567890123.sarif": false,
		"results-../../x.sarif": false, "notes.txt": false, "results.sarif.bak": false, "inventory.json": false,
	}
	for name, want := range tests {
		if got := isReportName(name); got != want {
			t.Errorf("isReportName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestCancelledScanWritesNoReport (issue 9, item 1): a scan whose context
// is cancelled (SIGINT, SIGTERM) writes no report, to -o or to stdout, and
// does not exit 0.
func TestCancelledScanWritesNoReport(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	for _, args := range [][]string{
		{"--format", "table,json,sarif,html,markdown", "-o", "OUT"},
		{"--format", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			writeDir(t, dir, previousRun)
			for i, a := range args {
				if a == "OUT" {
					args[i] = dir
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errb bytes.Buffer
			ios := &streams{out: &out, err: &errb, getenv: func(string) string { return "" }, now: func() time.Time { return fixedNow }}
			code := runWith(ctx, append([]string{"scan", "--input", inv}, args...), ios)
			if !slices.Contains([]int{exitUsage, 130, 143}, code) {
				t.Errorf("exit %d, want 2, 130 or 143; stderr: %s", code, errb.String())
			}
			if out.Len() != 0 {
				t.Errorf("stdout holds %d bytes", out.Len())
			}
			if diff := cmp.Diff(previousRun, readDir(t, dir)); diff != "" {
				t.Errorf("output directory changed (-previous +now):\n%s", diff)
			}
		})
	}
}

// TestCollectInterruptedAfterCollectionWritesNothing: a signal that lands
// once the inventory is collected (the clock is read last, to stamp it) but
// before it is written leaves -o as it was: no inventory file.
func TestCollectInterruptedAfterCollectionWritesNothing(t *testing.T) {
	seededEmulator(t)
	for _, output := range []string{"file", "-"} {
		t.Run(output, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "inventory.json")
			if output == "file" {
				output = path
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var out, errb bytes.Buffer
			ios := &streams{out: &out, err: &errb, getenv: os.Getenv, now: func() time.Time {
				cancel() // the collector stamps CollectedAt when everything is read
				return fixedNow
			}}
			code := runWith(ctx, []string{"collect", "--regions", "eu-west-1", "-o", output}, ios)
			if code == exitOK {
				t.Fatalf("exit 0 after an interrupt; stderr: %s", errb.String())
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the inventory was written after the interrupt (stat: %v)", err)
			}
			if out.Len() != 0 {
				t.Errorf("stdout holds %d bytes after the interrupt", out.Len())
			}
		})
	}
}
