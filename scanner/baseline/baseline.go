// Package baseline compares a scan with an earlier sgaudit JSON report
// (--baseline old-findings.json) by fingerprint: each current finding is
// new or unchanged, and the baseline's findings that are gone are fixed.
// findings.Report.FailsAt then fails CI on new findings only, so a team
// can adopt sgaudit on an estate with known problems and still gate every
// change.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// ErrBaseline is wrapped by every error about the baseline file: it cannot
// be read or is not an sgaudit JSON report. The CLI maps it to exit code 2.
var ErrBaseline = errors.New("invalid baseline")

// Error is a problem with the baseline file. errors.Is(err, ErrBaseline)
// holds for every Error.
type Error struct {
	File string
	// Line and Col locate a JSON error in the file (1-based); 0 when the
	// problem has no place.
	Line, Col int
	Msg       string
	Err       error
}

// Error formats the problem as "baseline file: message", or
// "baseline file:line:col: message" for a JSON error.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("baseline %s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return "baseline " + e.File + ": " + e.Msg
}

// Is makes errors.Is(err, ErrBaseline) true for an Error.
func (e *Error) Is(target error) bool { return target == ErrBaseline }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Baseline is an earlier report's findings.
type Baseline struct {
	// Path is the file as given on the command line; reports show it.
	Path     string
	Findings []findings.Finding
}

// Read reads an sgaudit JSON report (reporters.JSON output).
func Read(path string) (*Baseline, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "read: " + unwrapPath(err), Err: err}
	}
	return Parse(path, src)
}

// unwrapPath drops the file name os adds ("open x: no such file"), since
// Error already names the file.
func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Parse reads an sgaudit JSON report from src; name is the file name for
// messages. Anything else (SARIF, an inventory, another tool's JSON, a
// report of another schema version) is refused with a message that says
// what the file is and what is wanted, because comparing with the wrong
// file would silently call every finding new. So is a finding whose
// fingerprint, check id, account id or severity sgaudit could not have
// written: a hand-edited baseline must not make findings match by accident.
func Parse(name string, src []byte) (*Baseline, error) {
	fail := func(format string, args ...any) error {
		return &Error{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(src, &top); err != nil {
		return nil, jsonError(name, src, "not an sgaudit JSON report (sgaudit scan --format json)", err)
	}
	switch {
	case top["runs"] != nil:
		return nil, fail("is a SARIF log; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)")
	case top["security_groups"] != nil:
		return nil, fail("is an sgaudit inventory; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)")
	case top["schema_version"] == nil || top["findings"] == nil || top["tool"] == nil:
		return nil, fail("not an sgaudit JSON report (sgaudit scan --format json): no schema_version, tool or findings")
	}
	var head struct {
		SchemaVersion string `json:"schema_version"`
		Tool          struct {
			Name string `json:"name"`
		} `json:"tool"`
	}
	if err := json.Unmarshal(src, &head); err != nil {
		return nil, jsonError(name, src, "not an sgaudit JSON report", err)
	}
	if head.Tool.Name != "sgaudit" {
		return nil, fail("is a report of %q, not of sgaudit", head.Tool.Name)
	}
	if head.SchemaVersion != findings.SchemaVersion {
		return nil, fail("report schema version %q is not supported (this sgaudit reads %q)", head.SchemaVersion, findings.SchemaVersion)
	}
	var rep struct {
		Findings []findings.Finding `json:"findings"`
	}
	if err := json.Unmarshal(src, &rep); err != nil {
		return nil, jsonError(name, src, "read findings", err)
	}
	for i, f := range rep.Findings {
		if msg := checkFinding(f); msg != "" {
			return nil, fail("findings[%d]: %s", i, msg)
		}
	}
	return &Baseline{Path: name, Findings: rep.Findings}, nil
}

// checkIDPattern is the contract for check ids (docs/writing-policies.md;
// the engine refuses a policy whose id does not match).
var checkIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*[0-9]{3}$`)

// fingerprintLen is the length of engine.Fingerprint's hex digits.
const fingerprintLen = 32

// checkFinding returns what is wrong with a baseline finding, or "".
func checkFinding(f findings.Finding) string {
	switch {
	case f.Fingerprint == "" || f.CheckID == "":
		return "no fingerprint or check_id"
	case !isFingerprint(f.Fingerprint):
		return fmt.Sprintf("fingerprint %q is not %d lower-case hex digits", f.Fingerprint, fingerprintLen)
	case !checkIDPattern.MatchString(f.CheckID):
		return fmt.Sprintf("check_id %q is not a check id (such as SGA001)", f.CheckID)
	case !inventory.ValidAccountID(f.AccountID):
		return fmt.Sprintf("account_id %q is not 12 digits", f.AccountID)
	case f.Severity.Rank() == 0:
		return fmt.Sprintf("severity %q is not LOW, MEDIUM, HIGH or CRITICAL", f.Severity)
	}
	return ""
}

func isFingerprint(s string) bool {
	if len(s) != fingerprintLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// jsonError is an Error for a JSON decoding error, located at the line
// and column of the byte that failed, and worded without Go types.
func jsonError(name string, src []byte, what string, err error) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		offset    int64 = -1
		msg             = err.Error()
	)
	switch {
	case errors.As(err, &syntaxErr):
		offset = syntaxErr.Offset
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
		msg = fmt.Sprintf("a JSON %s where %s is expected", typeErr.Value, jsonKind(typeErr.Type))
		if typeErr.Field != "" {
			msg = "field " + typeErr.Field + ": " + msg
		}
	}
	e := &Error{File: name, Msg: what + ": " + msg, Err: err}
	if offset >= 0 {
		// encoding/json's offset is just past the byte that failed.
		e.Line, e.Col = position(src, max(offset-1, 0))
	}
	return e
}

// jsonKind names what a Go type reads from JSON.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another value"
}

// position turns a byte offset into a 1-based line and column.
func position(src []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(src)))
	before := src[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = len(before) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// Apply compares rep with the baseline: every finding gets Baseline new or
// unchanged (by fingerprint, suppressed ones too; a finding whose severity
// rose since counts as new), and rep.Baseline counts
// them and lists the fixed findings: those of the baseline that are gone.
//
// A baseline finding that this scan could not have seen (its account or
// region was not read, its check is disabled or lacks the data it needs)
// is neither fixed nor present; it is left out and a Notice says how many
// there are, so a region that failed does not look fixed.
func (b *Baseline) Apply(rep *findings.Report) {
	if b == nil {
		return
	}
	// The highest severity each fingerprint had: a finding that got worse
	// since (SGA001 turns CRITICAL when a public interface starts carrying
	// the group) is new, or a baseline would hide the escalation from
	// --fail-on critical.
	old := make(map[string]int, len(b.Findings))
	for _, f := range b.Findings {
		old[f.Fingerprint] = max(old[f.Fingerprint], f.Severity.Rank())
	}
	sum := &findings.BaselineSummary{Path: b.Path, FixedFindings: []findings.Finding{}}
	now := make(map[string]bool, len(rep.Findings))
	for i := range rep.Findings {
		f := &rep.Findings[i]
		now[f.Fingerprint] = true
		if rank, ok := old[f.Fingerprint]; ok && f.Severity.Rank() <= rank {
			f.Baseline = findings.BaselineUnchanged
			sum.Unchanged++
		} else {
			f.Baseline = findings.BaselineNew
			sum.New++
		}
	}
	judged := judge(rep)
	unjudged := 0
	done := map[string]bool{}
	for _, f := range b.Findings {
		if now[f.Fingerprint] || done[f.Fingerprint] {
			continue
		}
		done[f.Fingerprint] = true // a hand-edited baseline may repeat one
		if !judged(f) {
			unjudged++
			continue
		}
		f.Baseline = findings.BaselineAbsent
		sum.FixedFindings = append(sum.FixedFindings, f)
	}
	slices.SortFunc(sum.FixedFindings, findings.CompareFindings)
	sum.Fixed = len(sum.FixedFindings)
	rep.Baseline = sum
	if unjudged > 0 {
		rep.Notices = append(rep.Notices, findings.Notice{Level: findings.NoticeInfo, Message: fmt.Sprintf(
			"baseline %s: %d of its findings are in accounts, regions or checks this scan did not judge; they are not counted as fixed",
			b.Path, unjudged)})
	}
}

// judge returns whether the scan behind rep could have found f: its
// (account, region) was read completely enough for its check, and its
// check ran.
func judge(rep *findings.Report) func(findings.Finding) bool {
	cov := make(map[string]inventory.Coverage, len(rep.Coverage))
	for _, c := range rep.Coverage {
		cov[c.AccountID+"/"+c.Region] = c
	}
	checks := make(map[string]findings.Check, len(rep.Checks))
	for _, c := range rep.Checks {
		checks[c.ID] = c
	}
	return func(f findings.Finding) bool {
		c, ok := cov[f.AccountID+"/"+f.Region]
		if !ok || c.Status != inventory.CoverageOK {
			return false
		}
		ch, ok := checks[f.CheckID]
		if !ok || (ch.Status != findings.CheckEvaluated && ch.Status != findings.CheckPartial) {
			return false
		}
		for _, k := range ch.Requires {
			if !slices.Contains(c.Collected, k) {
				return false
			}
		}
		return true
	}
}
