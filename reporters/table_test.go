package reporters

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/golden"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{in: "short", max: 10, want: "short"},
		{in: "exactly10!", max: 10, want: "exactly10!"},
		{in: "eleven char", max: 10, want: "eleven ch…"},
		{in: "trailing  space", max: 10, want: "trailing…"},
		{in: "日本語のグループ名", max: 5, want: "日本語の…"},
	}
	for _, tt := range tests {
		if got := truncate(tt.in, tt.max); got != tt.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// controlChars matches anything a terminal could act on, except the line
// feeds that end each line.
var controlChars = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069]")

func TestTableStripsEscapes(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	out := string(render(t, Table{}, r))
	if loc := controlChars.FindStringIndex(out); loc != nil {
		t.Errorf("table contains control character %q at byte %d:\n%s", out[loc[0]:loc[1]], loc[0], out)
	}
	if strings.Contains(out, "pwned") {
		t.Error("the OSC title payload reached the output")
	}
	// The attack is stripped but the name is still shown.
	if !strings.Contains(out, "sg-0a1b2c3d4e5f60002 (evil<script>") {
		t.Errorf("malicious group not shown by its id and visible name:\n%s", out)
	}
}

// TestTableCustomCheckIDIsSanitised: a custom check's id comes from its
// METADATA; the compliance lines print it, so it is sanitised there too.
func TestTableCustomCheckIDIsSanitised(t *testing.T) {
	t.Parallel()
	id := "ACME\x1b]0;pwned\x07\u202e1"
	r := &findings.Report{
		Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}},
		Findings: []findings.Finding{{CheckID: id, Severity: findings.SeverityHigh, AccountID: "111111111111", Region: "eu-west-1",
			GroupID: "sg-1", Message: "sg-1 bad", Frameworks: map[string][]string{"acme-policy": {"7.1"}}}},
	}
	out := string(render(t, Table{}, r))
	if loc := controlChars.FindStringIndex(out); loc != nil {
		t.Errorf("table contains control character %q at byte %d:\n%s", out[loc[0]:loc[1]], loc[0], out)
	}
	if !strings.Contains(out, "  ACME1  acme-policy 7.1") {
		t.Errorf("compliance line missing:\n%s", out)
	}
}

func TestTableColor(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	plain := string(render(t, Table{}, r))
	colored := string(render(t, Table{Color: true}, r))

	if strings.Contains(plain, "\x1b") {
		t.Error("Table{Color: false} wrote an escape sequence")
	}
	for _, sev := range findings.Severities {
		if !strings.Contains(colored, severityColor[sev]+string(sev)+ansiReset) {
			t.Errorf("Table{Color: true} did not colour %s", sev)
		}
	}
	// Colour must not change the layout: without the SGR sequences the
	// coloured table is the plain one, column for column.
	sgr := regexp.MustCompile("\x1b\\[[0-9;]*m")
	if diff := cmp.Diff(plain, sgr.ReplaceAllString(colored, "")); diff != "" {
		t.Errorf("colour changed the text (-plain +colored without SGR):\n%s", diff)
	}
	// Only our own SGR sequences are present: nothing from the report.
	if rest := sgr.ReplaceAllString(colored, ""); strings.ContainsRune(rest, 0x1b) {
		t.Error("coloured table carries an escape that is not an SGR colour")
	}
}

func TestTableCases(t *testing.T) {
	t.Parallel()
	ok := []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK, SecurityGroups: 2}}
	finding := func(sev findings.Severity, check string, suppressed bool) findings.Finding {
		f := findings.Finding{
			CheckID: check, Severity: sev, AccountID: "111111111111", Region: "eu-west-1",
			GroupID: "sg-1", GroupName: "web", Message: "sg-1 (web) allows " + check, Fingerprint: check,
		}
		if suppressed {
			f.Suppression = &findings.Suppression{Reason: "accepted risk"}
		}
		return f
	}
	tests := []struct {
		name    string
		r       *findings.Report
		want    []string // lines that must appear, in this order
		notWant []string
	}{
		{
			name:    "no findings at all",
			r:       &findings.Report{Coverage: ok, Summary: findings.Summary{SecurityGroups: 2, Rules: 5}},
			want:    []string{"No findings.", "Findings: 0 (CRITICAL 0, HIGH 0, MEDIUM 0, LOW 0)", "Scanned: 2 security groups and 5 rules in 1 of 1 account/regions (0 accounts)"},
			notWant: []string{"SEVERITY", "Coverage is incomplete", "suppressed"},
		},
		{
			name: "only suppressed findings",
			r:    &findings.Report{Coverage: ok, Findings: []findings.Finding{finding(findings.SeverityHigh, "SGA001", true)}},
			want: []string{"No findings.", "Findings: 0 (CRITICAL 0, HIGH 0, MEDIUM 0, LOW 0); 1 suppressed, not shown"},
			// The suppressed finding's message must not be listed.
			notWant: []string{"SEVERITY", "allows SGA001"},
		},
		{
			name: "highest severity first, suppressed left out",
			r: &findings.Report{Coverage: ok, Findings: []findings.Finding{
				finding(findings.SeverityLow, "SGA007", false),
				finding(findings.SeverityCritical, "SGA003", false),
				finding(findings.SeverityMedium, "SGA009", true),
				finding(findings.SeverityHigh, "SGA001", false),
			}},
			want: []string{
				"CRITICAL  SGA003  111111111111/eu-west-1  sg-1 (web)  -     allows SGA003",
				"HIGH      SGA001  111111111111/eu-west-1  sg-1 (web)  -     allows SGA001",
				"LOW       SGA007  111111111111/eu-west-1  sg-1 (web)  -     allows SGA007",
				"Findings: 3 (CRITICAL 1, HIGH 1, MEDIUM 0, LOW 1); 1 suppressed, not shown",
			},
			notWant: []string{"SGA009"},
		},
		{
			name: "coverage and check gaps",
			r: &findings.Report{
				Coverage: []inventory.Coverage{
					ok[0],
					{AccountID: "222222222222", Region: "us-east-1", Status: inventory.CoverageError, FailedAPI: "DescribeSecurityGroupRules", ErrorCode: "Throttling", Detail: "rate exceeded\x1b[2J"},
				},
				Checks: []findings.Check{
					{ID: "SGA001", Name: "open-admin-ports", Status: findings.CheckEvaluated},
					{ID: "SGA008", Name: "unused-group", Status: findings.CheckNotEvaluated},
					{ID: "SGA014", Name: "unrestricted-egress", Status: findings.CheckDisabled},
				},
			},
			want: []string{
				"in 1 of 2 account/regions",
				"Coverage is incomplete: 1 of 2 account/regions were not read, so findings there are missing.",
				"error   222222222222/us-east-1  DescribeSecurityGroupRules  Throttling  rate exceeded",
				"Checks not fully evaluated:",
				"SGA008  unused-group  not evaluated",
			},
			notWant: []string{"SGA014", "open-admin-ports", "\x1b"},
		},
		{
			name: "baseline: NEW column and counts",
			r: &findings.Report{Coverage: ok, Findings: []findings.Finding{
				withBaseline(finding(findings.SeverityCritical, "SGA003", false), findings.BaselineNew),
				withBaseline(finding(findings.SeverityLow, "SGA007", false), findings.BaselineUnchanged),
			}, Baseline: &findings.BaselineSummary{Path: "old\x1b[2J.json", New: 1, Unchanged: 1, Fixed: 2}},
			want: []string{
				"SEVERITY  NEW  CHECK   ACCOUNT/REGION",
				"CRITICAL  new  SGA003  111111111111/eu-west-1",
				"LOW            SGA007  111111111111/eu-west-1",
				"Findings: 2 (",
				"Since baseline old.json: 1 new, 1 unchanged, 2 fixed",
				"Scanned:",
			},
		},
		{
			name:    "no baseline: no NEW column",
			r:       &findings.Report{Coverage: ok, Findings: []findings.Finding{finding(findings.SeverityHigh, "SGA001", false)}},
			want:    []string{"SEVERITY  CHECK   ACCOUNT/REGION"},
			notWant: []string{"NEW", "Since baseline", "Exposed interfaces", "Warning:", "Note:"},
		},
		{
			name: "notices: warnings first, above the summary",
			r: &findings.Report{Coverage: ok, Notices: []findings.Notice{
				{Level: findings.NoticeInfo, Message: "b info"},
				{Level: findings.NoticeWarning, Message: "z warn\x1b]0;pwned\x07"},
				{Level: findings.NoticeWarning, Message: "a warn"},
			}},
			want:    []string{"No findings.", "\nWarning: a warn\n", "Warning: z warn\n", "Note: b info\n", "Findings: 0"},
			notWant: []string{"pwned"},
		},
		{
			name: "account legend: named accounts only, sanitised",
			r: &findings.Report{Coverage: ok, Accounts: []inventory.Account{
				{ID: "333333333333", Name: "sandbox"},
				{ID: "111111111111", Name: "prod\x1b]0;pwned\x07\x1b[2J"},
				{ID: "222222222222"},
				{ID: "444444444444", Name: "\x1b[31m"},
			}},
			want: []string{
				"Scanned:", "(4 accounts)\n",
				"Accounts:\n  111111111111  prod\n  333333333333  sandbox\n",
			},
			notWant: []string{"pwned", "\x1b", "222222222222", "444444444444"},
		},
		{
			name:    "no account names: no legend",
			r:       &findings.Report{Coverage: ok, Accounts: []inventory.Account{{ID: "111111111111", Partition: "aws"}}},
			want:    []string{"(1 account)\n"},
			notWant: []string{"Accounts:"},
		},
		{
			name: "exposed interfaces, one line each",
			r: &findings.Report{Coverage: ok, Exposures: []findings.Exposure{
				{AccountID: "111111111111", Region: "eu-west-1", NetworkInterfaceID: "eni-2", PublicIP: "203.0.113.2", Ports: []findings.ExposedPort{
					{Protocol: "all", FromPort: 0, ToPort: 65535, GroupIDs: []string{"sg-3"}},
				}},
				{AccountID: "111111111111", Region: "eu-west-1", NetworkInterfaceID: "eni-1", PublicIP: "203.0.113.1", Resource: "i-1", Ports: []findings.ExposedPort{
					{Protocol: "udp", FromPort: 137, ToPort: 139, Services: []string{"NetBIOS"}, GroupIDs: []string{"sg-2"}},
					{Protocol: "tcp", FromPort: 22, ToPort: 22, Services: []string{"SSH"}, GroupIDs: []string{"sg-2", "sg-1"}},
				}},
			}},
			want: []string{
				"No findings.",
				"Exposed interfaces: 2 interfaces with a public IP reachable from the world",
				"INTERFACE  PUBLIC IP    ACCOUNT/REGION          RESOURCE  REACHABLE                            VIA GROUPS",
				"eni-1      203.0.113.1  111111111111/eu-west-1  i-1       tcp/22 (SSH), udp/137-139 (NetBIOS)  sg-1, sg-2",
				"eni-2      203.0.113.2  111111111111/eu-west-1  -         all traffic                          sg-3",
				"Findings: 0",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := string(render(t, Table{}, tt.r))
			assertInOrder(t, out, tt.want, tt.notWant)
		})
	}
}

func withBaseline(f findings.Finding, state findings.BaselineState) findings.Finding {
	f.Baseline = state
	return f
}

// TestTableTruncatesLongValues: a hostile group name is cut whatever the
// width; a long message is whole without a width (--wide, not a terminal)
// and fitted to the width of a terminal, its key part kept.
func TestTableTruncatesLongValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 500)
	r := &findings.Report{Findings: []findings.Finding{{
		CheckID: "SGA001", Severity: findings.SeverityHigh, AccountID: "1", Region: "r",
		GroupID: "sg-1", GroupName: long, Message: "sg-1 allows SSH from 0.0.0.0/0; " + long, Fingerprint: "f",
	}}}
	for _, tt := range []struct {
		width, maxLine int
		wholeMessage   bool
	}{
		{width: 0, maxLine: 700, wholeMessage: true},
		{width: 200, maxLine: 200},
		{width: 90, maxLine: 90},
	} {
		out := string(render(t, Table{Width: tt.width}, r))
		for _, line := range strings.Split(out, "\n") {
			if n := len([]rune(line)); n > tt.maxLine {
				t.Errorf("width %d: line of %d runes: %q", tt.width, n, line)
			}
			if strings.IndexFunc(line, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
				t.Errorf("width %d: unprintable rune in %q", tt.width, line)
			}
		}
		if strings.Contains(out, strings.Repeat("x", maxGroupName+1)+")") {
			t.Errorf("width %d: the group name is not cut", tt.width)
		}
		if got := strings.Contains(out, "0.0.0.0/0; "+long); got != tt.wholeMessage {
			t.Errorf("width %d: whole message shown = %v, want %v", tt.width, got, tt.wholeMessage)
		}
		if !strings.Contains(out, "allows SSH from 0.0.0.0/0") {
			t.Errorf("width %d: the key part of the message was cut:\n%s", tt.width, out)
		}
	}
}

// defaultGroupFinding is one LOW SGA010 finding (default group in use) on
// group n.
func defaultGroupFinding(n int) findings.Finding {
	id := fmt.Sprintf("sg-%017d", n)
	return findings.Finding{
		CheckID: "SGA010", Title: "Default security group in use", Severity: findings.SeverityLow,
		AccountID: "111111111111", Region: "eu-west-1", GroupID: id, GroupName: "default",
		Message: id + " (default) is attached to " + fmt.Sprint(n) + " interfaces", Fingerprint: id,
	}
}

// TestTableGroupsRepeatedChecks (issue 10, conventions): twenty LOW
// default-group findings are one line with ×20; --verbose lists them.
func TestTableGroupsRepeatedChecks(t *testing.T) {
	t.Parallel()
	r := &findings.Report{Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}}}
	for i := 1; i <= 20; i++ {
		r.Findings = append(r.Findings, defaultGroupFinding(i))
	}
	// HIGH (and CRITICAL) findings are never grouped: each is acted on.
	for _, id := range []string{"sg-8", "sg-9"} {
		r.Findings = append(r.Findings, findings.Finding{CheckID: "SGA001", Title: "Admin port open to the world", Severity: findings.SeverityHigh,
			AccountID: "111111111111", Region: "eu-west-1", GroupID: id, Message: id + " allows SSH (tcp/22) from 0.0.0.0/0", Fingerprint: "x" + id})
	}

	out := string(render(t, Table{}, r))
	assertInOrder(t, out, []string{
		"HIGH      SGA001      111111111111/eu-west-1  sg-8       -     allows SSH (tcp/22) from 0.0.0.0/0\n",
		"HIGH      SGA001      111111111111/eu-west-1  sg-9       -     allows SSH (tcp/22) from 0.0.0.0/0\n",
		"LOW       SGA010 ×20  111111111111/eu-west-1  20 groups  -     Default security group in use\n",
		"Findings of one check are one line with ×N; --verbose lists each.",
		"Findings: 22 (",
	}, []string{"sg-00000000000000001"})

	verbose := string(render(t, Table{Verbose: true}, r))
	for i := 1; i <= 20; i++ {
		if id := fmt.Sprintf("sg-%017d (default)", i); !strings.Contains(verbose, id) {
			t.Errorf("--verbose does not list %s", id)
		}
	}
	for _, line := range strings.Split(verbose, "\n") {
		// The top risks header counts (×N); the table's rows never group.
		if (strings.HasPrefix(line, "LOW ") || strings.HasPrefix(line, "HIGH ")) && strings.Contains(line, "×") {
			t.Errorf("--verbose still groups: %s", line)
		}
	}
}

// TestTableTopRisks: a short header, CRITICAL first, then the exposed
// interfaces (worst first), then HIGH; none without such risks.
func TestTableTopRisks(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	out := string(render(t, Table{}, r))
	assertInOrder(t, out, []string{
		"Top risks:\n",
		"  CRITICAL  SGA002 ×2 Database port open to the world; SGA001 Admin port open to the world; SGA003 All traffic open to the world\n",
		"  EXPOSED   3 interfaces reachable from the world: eni-0bb0000000000001 198.51.100.7: all traffic; ",
		"  HIGH      SGA001 ×2 Admin port open to the world\n",
		"\nSEVERITY",
	}, nil)
	low := &findings.Report{Findings: []findings.Finding{defaultGroupFinding(1)}}
	if out := string(render(t, Table{}, low)); strings.Contains(out, "Top risks") {
		t.Errorf("a report with only LOW findings has a top risks header:\n%s", out)
	}
}

// TestTableFitsWidth: fitted to a terminal, no line is wider than the
// terminal, except a finding row whose message key part needs the room;
// the key part of every message is whole, and the ids keep both ends.
func TestTableFitsWidth(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	wide := string(render(t, Table{}, r))
	keys := map[string]bool{}
	for _, f := range activeBySeverity(r.Findings) {
		msg := sanitize(messageBody(f))
		n := keyPart(msg)
		if n < utf8.RuneCountInString(msg) {
			n-- // the "…"
		}
		keys[string([]rune(msg)[:n])] = true
	}
	idCut := regexp.MustCompile(`sg-0a1b\w*…`)
	for _, width := range []int{100, 120, 160} {
		out := string(render(t, Table{Width: width}, r))
		for key := range keys {
			if !strings.Contains(out, key) {
				t.Errorf("width %d: the key part %q of a message was cut", width, key)
			}
		}
		for _, line := range strings.Split(out, "\n") {
			if utf8.RuneCountInString(line) <= width {
				continue
			}
			// Only a finding row may be wider, by its message's key part.
			ok := false
			for key := range keys {
				ok = ok || strings.HasSuffix(line, "  "+key) || strings.HasSuffix(line, "  "+key+"…")
			}
			if !ok {
				t.Errorf("width %d: line of %d runes: %q", width, utf8.RuneCountInString(line), line)
			}
		}
		if !idCut.MatchString(out) {
			t.Errorf("width %d: group ids not cut in their middle:\n%s", width, out)
		}
	}
	if !strings.Contains(wide, "brute-force its passwords") {
		t.Error("without a width (--wide, not a terminal), a message is not whole")
	}
}

// TestTableFittedGolden pins the layout on a 100-column terminal.
func TestTableFittedGolden(t *testing.T) {
	t.Parallel()
	golden.Assert(t, "testdata/report.width100.txt.golden", render(t, Table{Width: 100}, loadReport(t, inReport)))
}

// FuzzFitColumns: whatever the cells and the width, fitting only cuts (a
// cell is its original, or a shorter one with "…") and never cuts a
// message inside its key part.
func FuzzFitColumns(f *testing.F) {
	f.Add("sg-0a1b2c3d4e5f60001 (web-prod)", "sgr-0aa0000000000001", "allows SSH (tcp/22) from 0.0.0.0/0; attached interface eni-1", 60)
	f.Add("", "", "", 1)
	f.Add("日本語のグループ名", "x", "allows all traffic: everything", 20)
	f.Fuzz(func(t *testing.T, group, rule, msg string, width int) {
		if width < 1 || width > 1000 {
			return
		}
		group, rule, msg = sanitize(group), sanitize(rule), sanitize(msg)
		orig := [][]string{{"GROUP", "RULE", "MESSAGE"}, {group, rule, msg}, {rule, msg, group}}
		rows := make([][]string, len(orig))
		for i := range orig {
			rows[i] = slices.Clone(orig[i])
		}
		fitColumns(rows, width, []fit{
			{col: 1, soft: 20, min: 6, middle: true},
			{col: 0, soft: 24, min: 12, middle: true},
			{col: 2, soft: 50, min: 7, keep: keyPart},
		})
		for i := range rows {
			for c := range rows[i] {
				got, was := rows[i][c], orig[i][c]
				if got == was {
					continue
				}
				if utf8.RuneCountInString(got) >= utf8.RuneCountInString(was) || !strings.Contains(got, "…") {
					t.Fatalf("cell %d,%d: %q became %q", i, c, was, got)
				}
				if c == 2 && i > 0 {
					key := string([]rune(was)[:max(keyPart(was)-1, 0)])
					if !strings.HasPrefix(got, strings.TrimRight(key, " ")) {
						t.Fatalf("message %q lost its key part %q: %q", was, key, got)
					}
				}
			}
		}
	})
}
