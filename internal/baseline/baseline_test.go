package baseline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/reporters"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// finding is a finding whose fingerprint is fp(label).
func finding(check, account, region, group, label string) findings.Finding {
	return findings.Finding{CheckID: check, Severity: findings.SeverityHigh, AccountID: account, Region: region,
		GroupID: group, GroupName: group, GroupARN: "arn:" + group, Fingerprint: fp(label)}
}

// fp is a well-formed fingerprint (32 hex digits, as engine.Fingerprint
// writes) named by a label.
func fp(label string) string {
	sum := sha256.Sum256([]byte(label))
	return hex.EncodeToString(sum[:16])
}

// report is a scan of account 1111 in eu-west-1 (complete) and us-east-1
// (denied), with SGA001 evaluated, SGA008 needing interfaces (collected in
// eu-west-1 only) and SGA014 disabled.
func report(fs ...findings.Finding) *findings.Report {
	return &findings.Report{
		Coverage: []inventory.Coverage{
			{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK, Collected: []string{inventory.KindSecurityGroups, inventory.KindNetworkInterfaces}},
			{AccountID: "111111111111", Region: "eu-north-1", Status: inventory.CoverageOK, Collected: []string{inventory.KindSecurityGroups}},
			{AccountID: "111111111111", Region: "us-east-1", Status: inventory.CoverageDenied},
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
func writeReport(t testing.TB, rep *findings.Report) []byte {
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
	kept := finding("SGA001", "111111111111", "eu-west-1", "sg-kept", "fp-kept")
	fixed := finding("SGA001", "111111111111", "eu-west-1", "sg-fixed", "fp-fixed")
	fixedUnused := finding("SGA008", "111111111111", "eu-west-1", "sg-unused", "fp-unused")
	deniedRegion := finding("SGA001", "111111111111", "us-east-1", "sg-east", "fp-east")
	notScannedRegion := finding("SGA001", "111111111111", "ap-south-1", "sg-south", "fp-south")
	disabledCheck := finding("SGA014", "111111111111", "eu-west-1", "sg-egress", "fp-egress")
	missingData := finding("SGA008", "111111111111", "eu-north-1", "sg-north", "fp-north")
	removedCheck := finding("ACME001", "111111111111", "eu-west-1", "sg-custom", "fp-custom")
	suppressed := finding("SGA001", "111111111111", "eu-west-1", "sg-accepted", "fp-accepted")
	suppressed.Suppression = &findings.Suppression{Reason: "accepted"}

	data := writeReport(t, report(kept, fixed, fixed, fixedUnused, deniedRegion, notScannedRegion, disabledCheck, missingData, removedCheck))
	base, err := Parse("old.json", data)
	if err != nil {
		t.Fatal(err)
	}

	added := finding("SGA001", "111111111111", "eu-west-1", "sg-new", "fp-new")
	rep := report(kept, added, suppressed)
	base.Apply(rep)

	got := map[string]findings.BaselineState{}
	for _, f := range rep.Findings {
		got[f.Fingerprint] = f.Baseline
	}
	wantStates := map[string]findings.BaselineState{
		fp("fp-kept"):     findings.BaselineUnchanged,
		fp("fp-new"):      findings.BaselineNew,
		fp("fp-accepted"): findings.BaselineNew, // suppressed findings are compared too
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
	if rep.Findings[0].Fingerprint != fp("fp-kept") || rep.FailsAt(findings.SeverityLow) {
		t.Errorf("an unchanged finding must not fail CI: %+v", rep.Findings)
	}
}

func TestApplyEmptyBaseline(t *testing.T) {
	t.Parallel()
	base, err := Parse("old.json", writeReport(t, report()))
	if err != nil {
		t.Fatal(err)
	}
	rep := report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a"))
	base.Apply(rep)
	want := &findings.BaselineSummary{Path: "old.json", New: 1, FixedFindings: []findings.Finding{}}
	if diff := cmp.Diff(want, rep.Baseline); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var none *Baseline
	rep = report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a"))
	none.Apply(rep)
	if rep.Baseline != nil || rep.Findings[0].Baseline != "" {
		t.Error("a nil baseline changed the report")
	}
}

func TestParseRejectsOtherFiles(t *testing.T) {
	t.Parallel()
	valid := string(writeReport(t, report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a"))))
	head := `{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": `
	// withFinding is a report with one good finding, one field replaced.
	withFinding := func(field string) string {
		f := map[string]string{"check_id": `"SGA001"`, "fingerprint": `"` + fp("a") + `"`, "account_id": `"111111111111"`, "severity": `"HIGH"`}
		k, _, _ := strings.Cut(field, ":")
		delete(f, strings.Trim(k, `"`))
		parts := []string{field}
		for k, v := range f {
			parts = append(parts, `"`+k+`": `+v)
		}
		return head + "[{" + strings.Join(parts, ", ") + "}]}"
	}
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"not JSON", "hello", "baseline old.json:1:1: not an sgaudit JSON report (sgaudit scan --format json): invalid character 'h' at start of value"},
		{"JSON array", "[]", "baseline old.json:1:1: not an sgaudit JSON report (sgaudit scan --format json): a JSON array where an object is expected"},
		{"SARIF", `{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "runs": []}`,
			"baseline old.json: is a SARIF log; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)"},
		{"inventory", `{"schema_version": "1", "source": "aws", "security_groups": []}`,
			"baseline old.json: is an sgaudit inventory; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)"},
		{"other JSON", `{"Buckets": []}`, "baseline old.json: not an sgaudit JSON report (sgaudit scan --format json): no schema_version, tool or findings"},
		{"another tool", `{"schema_version": "2", "tool": {"name": "trivy"}, "findings": []}`, `baseline old.json: is a report of "trivy", not of sgaudit`},
		{"future schema", `{"schema_version": "3", "tool": {"name": "sgaudit"}, "findings": []}`, `baseline old.json: report schema version "3" is not supported (this sgaudit reads "1" and "2")`},
		{"schema version a number", `{"schema_version": 1, "tool": {"name": "sgaudit"}, "findings": []}`,
			"baseline old.json:1:20: not an sgaudit JSON report: field schema_version: a JSON number where a string is expected"},
		{"finding without fingerprint", head + `[{"check_id": "SGA001"}]}`, "baseline old.json: findings[0]: no fingerprint or check_id"},
		{"findings not a list", head + "\n{}}", "baseline old.json:2:1: read findings: field findings: a JSON object where an array is expected"},
		{"severity a number", head + `[` + "\n" + `{"severity": 3}]}`, "baseline old.json:2:14: read findings: field findings[0].severity: a JSON number where a string is expected"},
		{"truncated report", valid[:len(valid)/2], "baseline old.json:" + endOf(valid[:len(valid)/2]) + ": not an sgaudit JSON report (sgaudit scan --format json): unexpected end of JSON input"},
		// Issue 9: values sgaudit never writes make a finding match or miss by accident.
		{"short fingerprint", withFinding(`"fingerprint": "fp-a"`),
			`baseline old.json: findings[0]: fingerprint "fp-a" is not 32 lower-case hex digits`},
		{"upper-case fingerprint", withFinding(`"fingerprint": "` + strings.ToUpper(fp("a")) + `"`),
			`baseline old.json: findings[0]: fingerprint "` + strings.ToUpper(fp("a")) + `" is not 32 lower-case hex digits`},
		{"check id", withFinding(`"check_id": "sga001"`), `baseline old.json: findings[0]: check_id "sga001" is not a check id (such as SGA001)`},
		{"account id", withFinding(`"account_id": "../../x"`), `baseline old.json: findings[0]: account_id "../../x" is not 12 digits`},
		{"severity", withFinding(`"severity": "URGENT"`), `baseline old.json: findings[0]: severity "URGENT" is not LOW, MEDIUM, HIGH or CRITICAL`},
		{"control characters are quoted", withFinding(`"check_id": "\u001b[2J"`), `baseline old.json: findings[0]: check_id "\x1b[2J" is not a check id (such as SGA001)`},
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

// endOf is "line:col" of the last byte of s, where a JSON decoder finds
// that s ends too early.
func endOf(s string) string {
	before := s[:len(s)-1]
	line := strings.Count(before, "\n") + 1
	col := len(before) - strings.LastIndexByte(before, '\n')
	return strconv.Itoa(line) + ":" + strconv.Itoa(col)
}

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "findings.json")
	if err := os.WriteFile(path, writeReport(t, report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a"))), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Path != path || len(b.Findings) != 1 || b.Findings[0].Fingerprint != fp("fp-a") {
		t.Errorf("Read: %+v", b)
	}
	missing := filepath.Join(dir, "missing.json")
	_, err = Read(context.Background(), missing)
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
	was := finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a")
	was.Severity = findings.SeverityHigh
	calmer := finding("SGA002", "111111111111", "eu-west-1", "sg-b", "fp-b")
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
	want := map[string]findings.BaselineState{fp("fp-a"): findings.BaselineNew, fp("fp-b"): findings.BaselineUnchanged}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("baseline states (-want +got):\n%s", diff)
	}
	if !rep.FailsAt(findings.SeverityCritical) {
		t.Error("an escalated finding must fail --fail-on critical")
	}
}

// FuzzBaselineRead fuzzes what Read does with a file's bytes (Parse). An
// error is an *Error naming the file, on one line without control
// characters; an accepted baseline holds only findings sgaudit could have
// written, and a report written from them reads back with the same
// findings.
func FuzzBaselineRead(f *testing.F) {
	f.Add(writeReport(f, report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "a"),
		finding("SGA008", "111111111111", "us-east-1", "sg-b", "b"))))
	src, err := os.ReadFile("../../reporters/testdata/report.json.golden")
	if err != nil {
		f.Fatal(err)
	}
	if _, err := Parse("golden", src); err != nil {
		f.Fatalf("the JSON reporter's golden is not a valid baseline: %v", err)
	}
	f.Add(src)
	f.Add([]byte(`{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": [{"check_id": "SGA001", "fingerprint": "` + fp("x") +
		`", "account_id": "111111111111", "severity": "LOW", "evidence": {"n": 1e3, "s": [null, true]}, "frameworks": {"cis": null}}]}`))
	f.Add([]byte(`{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": null}`))
	f.Add([]byte(`{"runs": []}`))
	f.Add([]byte("[\n1,"))
	const name = "findings.json"
	f.Fuzz(func(t *testing.T, src []byte) {
		b, err := Parse(name, src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.File != name || !errors.Is(err, ErrBaseline) {
				t.Fatalf("error %v (%T) is not an *Error naming %s", err, err, name)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "baseline "+name+":") {
				t.Fatalf("error does not start with the file name: %s", msg)
			}
			for _, r := range msg {
				if unicode.IsControl(r) {
					t.Fatalf("error holds control character %U: %q", r, msg)
				}
			}
			return
		}
		for i, f := range b.Findings {
			if !isFingerprint(f.Fingerprint) || !checkIDPattern.MatchString(f.CheckID) ||
				!inventory.ValidAccountID(f.AccountID) || f.Severity.Rank() == 0 {
				t.Fatalf("findings[%d] accepted: %+v", i, f)
			}
		}
		rep := &findings.Report{Findings: b.Findings, Notices: []findings.Notice{}}
		back, err := Parse(name, writeReport(t, rep))
		if err != nil {
			t.Fatalf("a report written from an accepted baseline is refused: %v", err)
		}
		byJSON := func(a, b findings.Finding) int {
			ja, _ := json.Marshal(a)
			jb, _ := json.Marshal(b)
			return bytes.Compare(ja, jb)
		}
		want, got := slices.SortedFunc(slices.Values(b.Findings), byJSON), slices.SortedFunc(slices.Values(back.Findings), byJSON)
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("findings changed through a report (-read +reread):\n%s", diff)
		}
	})
}

// TestParseStreamed covers what reading in one pass changed (issue 9):
// findings null is refused, keys may come in any order, a report is one
// JSON value with each key once, and errors still name line and column.
func TestParseStreamed(t *testing.T) {
	t.Parallel()
	good := `{"check_id": "SGA001", "fingerprint": "` + fp("a") + `", "account_id": "111111111111", "severity": "HIGH"}`
	tests := []struct {
		name, src, want string
	}{
		{"findings null", `{"schema_version": "2", "tool": {"name": "sgaudit"},` + "\n" + `"findings": null}`,
			"baseline old.json:2:13: read findings: field findings: a JSON null where an array is expected"},
		{"findings twice", `{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": [], "findings": [` + good + `]}`,
			`baseline old.json:1:70: not an sgaudit JSON report (sgaudit scan --format json): the key "findings" is given twice`},
		{"an array after blank lines", "\n\n  [{}]", "baseline old.json:3:3: not an sgaudit JSON report (sgaudit scan --format json): a JSON array where an object is expected"},
		{"data after the report", `{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": []}` + "\n {}",
			"baseline old.json:2:2: not an sgaudit JSON report (sgaudit scan --format json): data after the top-level object"},
		{"bad finding, then another tool", `{"findings": [{"check_id": "x"}], "schema_version": "2", "tool": {"name": "trivy"}}`,
			`baseline old.json: is a report of "trivy", not of sgaudit`},
		{"bad finding after a good one", `{"findings": [` + good + `, {"check_id": "x"}], "schema_version": "2", "tool": {"name": "sgaudit"}}`,
			"baseline old.json: findings[1]: no fingerprint or check_id"},
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
		})
	}
	// The JSON reporter writes schema_version and tool first; a baseline
	// whose findings come first is read the same.
	b, err := Parse("old.json", []byte(`{"findings": [`+good+`], "notices": [{"x": [1, {"y": null}]}], "tool": {"name": "sgaudit"}, "schema_version": "2"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Findings) != 1 || b.Findings[0].Fingerprint != fp("a") {
		t.Errorf("findings: %+v", b.Findings)
	}
}

// TestReadErrors: Read locates a JSON error by line and column without
// holding the file, refuses a file over MaxFileSize before reading it, and
// stops when its context is done.
func TestReadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	src := `{"schema_version": "2", "tool": {"name": "sgaudit"}, "findings": [` + "\n\n" + `{"severity": 3}]}`
	if err := os.WriteFile(bad, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(context.Background(), bad)
	if want := "baseline " + bad + ":3:14: read findings: field findings[0].severity: a JSON number where a string is expected"; err == nil || err.Error() != want {
		t.Errorf("Read: %v\nwant %s", err, want)
	}

	huge := filepath.Join(dir, "huge.json")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk is used.
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Read(context.Background(), huge)
	if want := "baseline " + huge + ": is 1073741825 bytes; a baseline may be at most 1 GiB"; err == nil || err.Error() != want || !errors.Is(err, ErrBaseline) {
		t.Errorf("Read of a huge file: %v\nwant %s", err, want)
	}

	good := filepath.Join(dir, "findings.json")
	if err := os.WriteFile(good, writeReport(t, report(finding("SGA001", "111111111111", "eu-west-1", "sg-a", "fp-a"))), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Read(ctx, good)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrBaseline) {
		t.Errorf("Read with a cancelled context: %v", err)
	}
}

// TestParseHugeValue: a finding, or a value of a section the baseline
// skips, larger than MaxValueSize is refused where it starts, before the
// decoder holds more of it (issue 9: memory follows what is kept).
func TestParseHugeValue(t *testing.T) {
	huge := strings.Repeat("x", MaxValueSize+1)
	head := `{"schema_version": "2", "tool": {"name": "sgaudit"},` + "\n"
	tests := []struct {
		name, src, want string
	}{
		{"finding", head + `"findings": [` + "\n" + ` {"message": "` + huge + `"}]}`,
			"baseline old.json:3:2: a JSON value larger than 64 MiB, the most a baseline value may be"},
		{"skipped section", head + `"findings": [], "notices": [` + "\n" + `  "` + huge + `"]}`,
			"baseline old.json:3:3: a JSON value larger than 64 MiB, the most a baseline value may be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("old.json", []byte(tt.src))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
	// Just under the limit is read.
	under := strings.Repeat("x", MaxValueSize/2)
	if _, err := Parse("old.json", []byte(head+`"findings": [], "notices": ["`+under+`"]}`)); err != nil {
		t.Errorf("a %d-byte string: %v", len(under), err)
	}
}

// TestPositionInFile: Read, which does not hold the file, locates every
// byte where Parse, which does, locates it.
func TestPositionInFile(t *testing.T) {
	t.Parallel()
	src := "{\n\n  \"a\": 1,\r\n\"b\"\n:[\n]}\n"
	path := filepath.Join(t.TempDir(), "f.json")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for off := int64(0); off <= int64(len(src)); off++ {
		wl, wc := position([]byte(src), off)
		gl, gc := positionInFile(path, off)
		if gl != wl || gc != wc {
			t.Errorf("offset %d: %d:%d, want %d:%d", off, gl, gc, wl, wc)
		}
	}
}

// TestReaderLimits: input whose size Stat cannot tell (a pipe) stops at
// MaxFileSize, and a read never passes either limit in one go.
func TestReaderLimits(t *testing.T) {
	t.Parallel()
	notDone := func() error { return nil }
	tests := []struct {
		name            string
		r               reader
		wantN           int
		over, overValue bool
	}{
		{"file limit", reader{n: MaxFileSize - 5, mark: MaxFileSize - 10}, 5, true, false},
		{"value limit", reader{n: 100, mark: 100 - MaxValueSize + 6}, 7, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.r
			r.done, r.r = notDone, zeros{}
			n, err := r.Read(make([]byte, 1<<20))
			if n != tt.wantN || err != nil {
				t.Fatalf("first read: %d, %v; want %d bytes", n, err, tt.wantN)
			}
			if n, err := r.Read(make([]byte, 1<<20)); n != 0 || !errors.Is(err, errTooLarge) || r.over != tt.over || r.overValue != tt.overValue {
				t.Errorf("second read: %d, %v, over %v, overValue %v", n, err, r.over, r.overValue)
			}
		})
	}
}

// zeros reads as endless zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestReadsSchemaVersion1: a baseline the previous release wrote (schema
// 1, before verified exposure) still reads, with its findings, so a
// scheduled job keeps its baseline across the upgrade.
func TestReadsSchemaVersion1(t *testing.T) {
	fp := strings.Repeat("a", 32)
	src := `{"schema_version": "1", "tool": {"name": "sgaudit"}, "findings": [{"check_id": "SGA001", "fingerprint": "` + fp +
		`", "severity": "HIGH", "account_id": "111122223333", "region": "eu-west-1", "group_id": "sg-1", "group_arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", "title": "t", "message": "m"}]}`
	b, err := Parse("old.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Findings) != 1 || b.Findings[0].Fingerprint != fp {
		t.Errorf("findings = %+v, want the one of fingerprint %s", b.Findings, fp)
	}
}
