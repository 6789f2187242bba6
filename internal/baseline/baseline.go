// Package baseline compares a scan with an earlier sgaudit JSON report
// (--baseline old-findings.json) by fingerprint: each current finding is
// new or unchanged, and the baseline's findings that are gone are fixed.
// findings.Report.FailsAt then fails CI on new findings only, so a team
// can adopt sgaudit on an estate with known problems and still gate every
// change.
package baseline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unique"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/sgaudit/sgaudit/internal/jsonkeys"
	"github.com/sgaudit/sgaudit/internal/location"
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

// MaxFileSize is the largest baseline Read accepts (docs/security.md). A
// report of 200,000 findings is about 300 MB; memory follows the findings
// kept, not the file, but a file has to end somewhere.
const MaxFileSize = 1 << 30

// maxFileSizeText is MaxFileSize as messages say it.
const maxFileSizeText = "1 GiB"

// MaxValueSize bounds one finding, and one string or number anywhere in a
// baseline (docs/security.md): the decoder holds a whole value while it
// reads it, so without this a file that is one huge string would cost
// several times its size. sgaudit writes findings of a few kilobytes.
const MaxValueSize = 64 << 20

// maxValueSizeText is MaxValueSize as messages say it.
const maxValueSizeText = "64 MiB"

// Read reads an sgaudit JSON report (reporters.JSON output) in one pass,
// a finding at a time, keeping only the findings. It stops with ctx's
// error when ctx is done.
func Read(ctx context.Context, path string) (*Baseline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "read: " + unwrapPath(err), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > MaxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("is %d bytes; a baseline may be at most %s", st.Size(), maxFileSizeText)}
	}
	return decode(ctx, path, f, func(offset int64) (int, int) {
		return positionInFile(path, offset)
	})
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
	return decode(context.Background(), name, bytes.NewReader(src), func(offset int64) (int, int) {
		return position(src, offset)
	})
}

// reader is the file as decode reads it: it stops when done (the
// context's Err) says so, and after MaxFileSize bytes, for input whose
// size Stat cannot tell (a pipe, a file still growing).
type reader struct {
	done func() error
	r    io.Reader
	n    int64
	over bool
	// mark is where the value being read starts (decode moves it); more
	// than MaxValueSize bytes past it sets overValue.
	mark      int64
	overValue bool
}

func (r *reader) Read(p []byte) (int, error) {
	if err := r.done(); err != nil {
		return 0, err
	}
	// Reads are cut at both limits, so that one large read cannot pass
	// them.
	limit := min(MaxFileSize-r.n, r.mark+MaxValueSize+1-r.n)
	if limit <= 0 {
		r.over = r.n >= MaxFileSize
		r.overValue = !r.over
		return 0, errTooLarge
	}
	p = p[:min(int64(len(p)), limit)]
	n, err := r.r.Read(p)
	r.n += int64(n)
	return n, err
}

// errTooLarge stops the decoder at MaxFileSize; decode reports it with
// the limit (reader.over).
var errTooLarge = errors.New("too large")

// decode reads a report from r in one pass. Keys may come in any order;
// what the file is (SARIF, an inventory, another tool's or version's
// report) is decided as soon as a key tells, and the findings are decoded
// one at a time. pos turns a byte offset into a line and column.
func decode(ctx context.Context, name string, r io.Reader, pos func(int64) (int, int)) (*Baseline, error) {
	in := &reader{done: ctx.Err, r: r}
	dec := jsontext.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	fail := func(format string, args ...any) error {
		return &Error{File: name, Msg: fmt.Sprintf(format, args...)}
	}
	jsonErr := func(what string, err error) error {
		switch {
		case ctx.Err() != nil && errors.Is(err, ctx.Err()):
			return &Error{File: name, Msg: "read: " + ctx.Err().Error(), Err: ctx.Err()}
		case in.over:
			return fail("is larger than %s, the most a baseline may be", maxFileSizeText)
		case in.overValue:
			line, col := pos(in.mark)
			return &Error{File: name, Line: line, Col: col, Err: ErrBaseline,
				Msg: "a JSON value larger than " + maxValueSizeText + ", the most a baseline value may be"}
		}
		return jsonError(name, pos, in.n, what, err)
	}
	const notReport = "not an sgaudit JSON report (sgaudit scan --format json)"
	if k := dec.PeekKind(); k != '{' {
		if !slices.Contains([]jsontext.Kind{'n', 't', 'f', '"', '0', '['}, k) {
			_, err := dec.ReadToken()
			return nil, jsonErr(notReport, err)
		}
		line, col := pos(dec.InputOffset() + skipSpace(dec))
		return nil, &Error{File: name, Line: line, Col: col, Err: ErrBaseline,
			Msg: notReport + ": a JSON " + jsonkeys.KindName(k) + " where an object is expected"}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, jsonErr(notReport, err)
	}
	var (
		haveSchema, haveTool, haveFindings bool
		badVersion                         error
		fs                                 []findings.Finding
		badFinding                         error // the first, reported once the file is known to be a report
		intern                             = newInterner()
	)
	for next(dec, in) != '}' {
		tok, err := dec.ReadToken()
		if err != nil {
			return nil, jsonErr(notReport, err)
		}
		switch key := tok.String(); key {
		case "runs":
			return nil, fail("is a SARIF log; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)")
		case "security_groups":
			return nil, fail("is an sgaudit inventory; --baseline needs the JSON report of an earlier scan (sgaudit scan --format json)")
		case "schema_version":
			var v string
			if err := json.UnmarshalDecode(dec, &v); err != nil {
				return nil, jsonErr("not an sgaudit JSON report", err)
			}
			// Said once the file is known to be a report: an inventory's
			// schema_version comes before the key that tells it apart.
			if !slices.Contains(readableVersions, v) && badVersion == nil {
				badVersion = fail("report schema version %q is not supported (this sgaudit reads %s)", v, quotedList(readableVersions))
			}
			haveSchema = true
		case "tool":
			var v struct {
				Name string `json:"name"`
			}
			if err := json.UnmarshalDecode(dec, &v); err != nil {
				return nil, jsonErr("not an sgaudit JSON report", err)
			}
			if v.Name != "sgaudit" {
				return nil, fail("is a report of %q, not of sgaudit", v.Name)
			}
			haveTool = true
		case "findings":
			// A findings.json always has an array, empty or not: null is
			// a hand-made file, and reading it as "no findings" would call
			// every current finding new.
			if k := dec.PeekKind(); k != '[' {
				if k == 0 {
					_, err := dec.ReadToken()
					return nil, jsonErr("read findings", err)
				}
				line, col := pos(dec.InputOffset() + skipSpace(dec))
				return nil, &Error{File: name, Line: line, Col: col, Err: ErrBaseline,
					Msg: "read findings: field findings: a JSON " + jsonkeys.KindName(k) + " where an array is expected"}
			}
			if _, err := dec.ReadToken(); err != nil {
				return nil, jsonErr("read findings", err)
			}
			fs = []findings.Finding{}
			for i := 0; next(dec, in) != ']'; i++ {
				var f findings.Finding
				if err := json.UnmarshalDecode(dec, &f); err != nil {
					return nil, jsonErr("read findings", err)
				}
				if badFinding != nil {
					continue
				}
				if msg := checkFinding(f); msg != "" {
					badFinding = fail("findings[%d]: %s", i, msg)
					fs = nil
					continue
				}
				fs = append(fs, intern.finding(f))
			}
			if _, err := dec.ReadToken(); err != nil {
				return nil, jsonErr("read findings", err)
			}
			haveFindings = true
		default:
			if err := skipValue(dec, in); err != nil {
				return nil, jsonErr(notReport, err)
			}
		}
	}
	if _, err := dec.ReadToken(); err != nil {
		return nil, jsonErr(notReport, err)
	}
	// One report per file, as json.Unmarshal wanted.
	if k := dec.PeekKind(); k != 0 {
		line, col := pos(dec.InputOffset() + skipSpace(dec))
		return nil, &Error{File: name, Line: line, Col: col, Err: ErrBaseline,
			Msg: notReport + ": data after the top-level object"}
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, jsonErr(notReport, err)
	}
	if badVersion != nil {
		return nil, badVersion
	}
	if !haveSchema || !haveTool || !haveFindings {
		return nil, fail(notReport + ": no schema_version, tool or findings")
	}
	if badFinding != nil {
		return nil, badFinding
	}
	return &Baseline{Path: name, Findings: slices.Clip(fs)}, nil
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
// and column of the byte that failed (the last byte read, for a file that
// ends too early), and worded without Go types.
func jsonError(name string, pos func(int64) (int, int), read int64, what string, err error) error {
	var (
		semErr *json.SemanticError
		synErr *jsontext.SyntacticError
		offset int64 = -1
		msg          = err.Error()
	)
	switch {
	case errors.As(err, &semErr):
		offset = semErr.ByteOffset
		switch {
		case semErr.JSONKind != 0 && semErr.GoType != nil:
			msg = fmt.Sprintf("a JSON %s where %s is expected", jsonkeys.KindName(semErr.JSONKind), jsonKind(semErr.GoType))
		case semErr.Err != nil:
			msg = semErr.Err.Error()
		default:
			msg = "a value that cannot be read"
		}
		if p := jsonkeys.Path(semErr.JSONPointer); p != "" {
			msg = "field " + p + ": " + msg
		}
	case errors.As(err, &synErr):
		offset = synErr.ByteOffset
		msg = synErr.Err.Error()
		switch {
		case errors.Is(synErr.Err, io.ErrUnexpectedEOF):
			msg = "unexpected end of JSON input"
			offset = read - 1
		case errors.Is(synErr.Err, jsontext.ErrDuplicateName) && synErr.JSONPointer != "":
			// encoding/json kept the last of two, which could hide a
			// finding. Quoted: the key is anything the file says.
			msg = fmt.Sprintf("the key %q is given twice", jsonkeys.Path(synErr.JSONPointer))
		}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		msg = "unexpected end of JSON input"
		offset = read - 1
	}
	e := &Error{File: name, Msg: what + ": " + msg, Err: err}
	if offset >= 0 {
		e.Line, e.Col = pos(offset)
	}
	return e
}

// next peeks at the next token and marks where it starts.
func next(dec *jsontext.Decoder, in *reader) jsontext.Kind {
	k := dec.PeekKind()
	in.mark = dec.InputOffset() + skipSpace(dec)
	return k
}

// skipValue skips a value a token at a time, moving in.mark with each, so
// that a large section the baseline does not need (exposures, say) is
// bounded by its largest token, not by its size.
func skipValue(dec *jsontext.Decoder, in *reader) error {
	depth := 0
	for {
		next(dec, in)
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		switch tok.Kind() {
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// skipSpace is how many bytes of white space and separators come before
// the next value, which the decoder has buffered once PeekKind saw it.
func skipSpace(dec *jsontext.Decoder) int64 {
	var n int64
	for _, c := range dec.UnreadBuffer() {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ',' && c != ':' {
			break
		}
		n++
	}
	return n
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

// positionInFile is position for a file Read does not hold: it reads the
// file again up to offset, which happens only for an error.
func positionInFile(path string, offset int64) (line, col int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.LimitReader(f, max(offset, 0)), 64<<10)
	line, col = 1, 1
	for {
		c, err := r.ReadByte()
		if err != nil {
			return line, col
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
}

// position turns a byte offset into a 1-based line and column.
func position(src []byte, offset int64) (line, col int) { return location.Position(src, offset) }

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

// interner makes the findings of a baseline share the strings and
// framework maps that repeat from finding to finding (a check's title,
// resolution and controls, account and region names): a large baseline
// then costs what its findings say, not a copy per finding. The shared
// maps are read only; reporters copy a map before they change it.
type interner struct {
	frameworks map[string]map[string][]string // by check id
}

func newInterner() *interner {
	return &interner{frameworks: map[string]map[string][]string{}}
}

func (in *interner) finding(f findings.Finding) findings.Finding {
	for _, s := range []*string{&f.CheckID, &f.Title, &f.AccountID, &f.AccountName, &f.Region, &f.VPCID, &f.Resolution} {
		*s = unique.Make(*s).Value()
	}
	f.Severity = findings.Severity(unique.Make(string(f.Severity)).Value())
	if f.Frameworks != nil {
		if fw, ok := in.frameworks[f.CheckID]; ok && maps.EqualFunc(fw, f.Frameworks, slices.Equal) {
			f.Frameworks = fw
		} else if !ok {
			in.frameworks[f.CheckID] = f.Frameworks
		}
	}
	return f
}

// readableVersions are the findings-JSON schema versions a baseline may
// have. Version 2 only added to version 1 (verified exposure, source
// locations); a finding's fingerprint, check id and severity mean the same
// in both, so a scheduled job whose baseline was written by the previous
// release keeps comparing across the upgrade instead of failing.
var readableVersions = []string{"1", findings.SchemaVersion}

func quotedList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, " and ")
}
