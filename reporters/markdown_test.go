package reporters

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func TestMDEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "web-prod sg.1", want: "web-prod sg.1"},
		{name: "pipes", in: "a|b|c", want: `a\|b\|c`},
		{name: "html", in: `<script>alert(1)</script>`, want: `&lt;script&gt;alert(1)&lt;/script&gt;`},
		{name: "img onerror", in: `<img src=x onerror=alert(1)>`, want: `&lt;img src=x onerror=alert(1)&gt;`},
		{name: "entity is not decoded", in: "&lt;b&gt;", want: "&amp;lt;b&amp;gt;"},
		{name: "emphasis and code", in: "**bold** _it_ `code` ~~del~~", want: "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~del\\~\\~"},
		{name: "link and image", in: "![x](http://evil) [y](z)", want: "`![x](http://evil)` \\[y\\](z)"},
		{name: "bare URL", in: "see https://evil.example/x?a=1&b=2 now", want: "see `https://evil.example/x?a=1&b=2` now"},
		{name: "www link", in: "go to WWW.evil.example.", want: "go to `WWW.evil.example.`"},
		{name: "mention", in: "ping @octocat and @org/team", want: "ping `@octocat` and `@org/team`"},
		{name: "e-mail", in: "owner: netops@example.com", want: "owner: `netops@example.com`"},
		{name: "URL next to a pipe and a tag", in: "a|http://x<b>@y", want: "a\\|`http://x`&lt;b&gt;`@y`"},
		{name: "URL with a backtick", in: "http://x`y", want: "`http://x`\\`y"},
		{name: "mention after a line break", in: "a\n@admins", want: "a `@admins`"},
		{name: "backslash escapes itself", in: `a\|b`, want: `a\\\|b`},
		{name: "line breaks cannot end the cell", in: "a\n| b |\nc", want: `a \| b \| c`},
		{name: "terminal escapes removed too", in: "x\x1b[31my", want: "xy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := md(tt.in); got != tt.want {
				t.Errorf("md(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// unescapedPipe finds a pipe that is not preceded by an odd number of
// backslashes, i.e. one that GitHub would read as a cell boundary.
var unescapedPipe = regexp.MustCompile(`(^|[^\\])(\\\\)*\|`)

// cells counts the cell boundaries of one Markdown table row.
func cells(row string) int {
	n := 0
	for len(row) > 0 {
		loc := unescapedPipe.FindStringIndex(row)
		if loc == nil {
			break
		}
		n++
		row = row[loc[1]:]
	}
	return n
}

func TestMarkdownTablesKeepTheirShape(t *testing.T) {
	t.Parallel()
	out := string(render(t, Markdown{}, loadReport(t, inReport)))
	if strings.Contains(out, "<script") || strings.Contains(out, "\x1b") {
		t.Errorf("raw HTML or an escape reached the Markdown:\n%s", out)
	}
	// Every row of a table has as many cell boundaries as its header: an
	// unescaped pipe from a group name would add a column.
	header := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			header = 0
			continue
		}
		if header == 0 {
			header = cells(line)
			continue
		}
		if got := cells(line); got != header {
			t.Errorf("row has %d cell boundaries, header has %d: %s", got, header, line)
		}
	}
}

func TestMarkdownCapsFindings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		total    int
		rows     int
		heading  string
		moreLine string
	}{
		{total: 3, rows: 3, heading: "### Findings"},
		{total: maxMarkdownFindings, rows: maxMarkdownFindings, heading: "### Findings"},
		{total: maxMarkdownFindings + 1, rows: maxMarkdownFindings, heading: "### Top 50 of 51 findings", moreLine: "…and 1 more finding,"},
		{total: 80, rows: maxMarkdownFindings, heading: "### Top 50 of 80 findings", moreLine: "…and 30 more findings,"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.total), func(t *testing.T) {
			t.Parallel()
			r := &findings.Report{Coverage: []inventory.Coverage{{AccountID: "1", Region: "r", Status: inventory.CoverageOK}}}
			for i := range tt.total {
				sev := findings.SeverityLow
				if i == tt.total-1 {
					// The last one in canonical order is the worst: it
					// must be listed first, not cut.
					sev = findings.SeverityCritical
				}
				r.Findings = append(r.Findings, findings.Finding{
					CheckID: "SGA007", Severity: sev, AccountID: "1", Region: "r",
					GroupID: fmt.Sprintf("sg-%03d", i), Message: fmt.Sprintf("sg-%03d has no description", i), Fingerprint: fmt.Sprint(i),
				})
			}
			out := string(render(t, Markdown{}, r))
			rows := strings.Count(out, "| SGA007 |")
			if rows != tt.rows {
				t.Errorf("%d finding rows, want %d", rows, tt.rows)
			}
			if !strings.Contains(out, tt.heading+"\n") {
				t.Errorf("missing heading %q:\n%s", tt.heading, out)
			}
			more := strings.Contains(out, "…and ")
			if tt.moreLine == "" && more {
				t.Errorf("says more findings exist when all are shown:\n%s", out)
			}
			if tt.moreLine != "" && !strings.Contains(out, tt.moreLine) {
				t.Errorf("does not say how many more:\n%s", out)
			}
			first := strings.Index(out, "| SGA007 |")
			if !strings.HasPrefix(out[strings.LastIndex(out[:first], "\n")+1:], "| CRITICAL |") {
				t.Errorf("the critical finding is not the first row:\n%s", out)
			}
		})
	}
}

func TestMarkdownNoFindings(t *testing.T) {
	t.Parallel()
	r := &findings.Report{Coverage: []inventory.Coverage{{AccountID: "1", Region: "r", Status: inventory.CoverageOK}}}
	out := string(render(t, Markdown{}, r))
	for _, want := range []string{"**No findings.**", "| CRITICAL | 0 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
	for _, notWant := range []string{"### Findings", "Coverage problems", "[!WARNING]"} {
		if strings.Contains(out, notWant) {
			t.Errorf("contains %q:\n%s", notWant, out)
		}
	}
}

func TestMarkdownAccounts(t *testing.T) {
	t.Parallel()
	many := make([]inventory.Account, maxAccountLegend+2)
	for i := range many {
		many[i] = inventory.Account{ID: fmt.Sprintf("1000000000%02d", i), Name: fmt.Sprintf("acct-%02d", i)}
	}
	tests := []struct {
		name     string
		accounts []inventory.Account
		want     string // the accounts line; "" for none
	}{
		{name: "no accounts"},
		{name: "no names", accounts: []inventory.Account{{ID: "111111111111"}}},
		{
			name: "named accounts sorted, unnamed left out, names escaped",
			accounts: []inventory.Account{
				{ID: "222222222222", Name: "evil|<script>alert(1)</script>\x1b[2J"},
				{ID: "333333333333"},
				{ID: "111111111111", Name: "prod **main**"},
			},
			want: `**Accounts:** 111111111111 (prod \*\*main\*\*), 222222222222 (evil\|&lt;script&gt;alert(1)&lt;/script&gt;).`,
		},
		{
			name:     "capped",
			accounts: many,
			want:     "**Accounts:** 100000000000 (acct-00), ", // checked further below
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &findings.Report{Accounts: tt.accounts,
				Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "r", Status: inventory.CoverageOK}}}
			out := string(render(t, Markdown{}, r))
			var line string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "**Accounts:**") {
					line = l
				}
			}
			if tt.want == "" {
				if line != "" {
					t.Errorf("accounts line %q, want none", line)
				}
				return
			}
			if !strings.HasPrefix(line, tt.want) {
				t.Errorf("accounts line = %q, want it to start with %q", line, tt.want)
			}
			if len(tt.accounts) > maxAccountLegend {
				if n := strings.Count(line, "(acct-"); n != maxAccountLegend {
					t.Errorf("%d accounts listed, want %d", n, maxAccountLegend)
				}
				if !strings.HasSuffix(line, ", …and 2 more named accounts.") {
					t.Errorf("accounts line does not say how many more: %q", line)
				}
			}
			// It sits right after the summary paragraph, before the counts.
			if i, j := strings.Index(out, "Scanned "), strings.Index(out, "**Accounts:**"); i < 0 || j < i ||
				j > strings.Index(out, "| Severity |") {
				t.Errorf("accounts line out of place:\n%s", out)
			}
		})
	}
}

func TestMarkdownBaselineAndNotices(t *testing.T) {
	t.Parallel()
	cov := []inventory.Coverage{{AccountID: "1", Region: "r", Status: inventory.CoverageOK}}
	f := func(check string, state findings.BaselineState) findings.Finding {
		return findings.Finding{CheckID: check, Severity: findings.SeverityHigh, AccountID: "1", Region: "r", GroupID: "sg-1",
			Message: "sg-1 " + check, Fingerprint: check, Baseline: state}
	}
	tests := []struct {
		name    string
		r       *findings.Report
		want    []string // in this order
		notWant []string
	}{
		{
			name: "baseline counts and a New column",
			r: &findings.Report{Coverage: cov, Findings: []findings.Finding{f("SGA001", findings.BaselineNew), f("SGA002", findings.BaselineUnchanged)},
				Baseline: &findings.BaselineSummary{Path: "old_*.json", New: 1, Unchanged: 1, Fixed: 3}},
			want: []string{
				"**Since baseline** old\\_\\*.json: 1 new, 1 unchanged, 3 fixed.",
				"| Severity | New | Check |",
				"| HIGH | **new** | SGA001 |",
				"| HIGH |  | SGA002 |",
			},
		},
		{
			name: "notices as alerts, warnings first",
			r: &findings.Report{Coverage: cov, Notices: []findings.Notice{
				{Level: findings.NoticeInfo, Message: "b info"},
				{Level: findings.NoticeWarning, Message: "z <b>warn</b>"},
				{Level: findings.NoticeWarning, Message: "a warn"},
			}},
			want: []string{"> [!WARNING]\n> - a warn\n> - z &lt;b&gt;warn&lt;/b&gt;\n\n> [!NOTE]\n> - b info\n\n| Severity | Findings |"},
		},
		{
			name:    "none of it",
			r:       &findings.Report{Coverage: cov, Findings: []findings.Finding{f("SGA001", "")}},
			want:    []string{"| Severity | Check |"},
			notWant: []string{"Since baseline", "| New |", "[!NOTE]", "[!WARNING]", "Exposed interfaces"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := string(render(t, Markdown{}, tt.r))
			assertInOrder(t, out, tt.want, tt.notWant)
		})
	}
}

// TestMarkdownTopExposures checks that the step summary counts every
// exposed interface but lists only the most exposed: all traffic first,
// then the most catalogue services, the rest in the canonical order.
func TestMarkdownTopExposures(t *testing.T) {
	t.Parallel()
	r := &findings.Report{Coverage: []inventory.Coverage{{AccountID: "1", Region: "r", Status: inventory.CoverageOK}}}
	for i := range maxMarkdownExposures + 2 {
		pt := findings.ExposedPort{Protocol: "tcp", FromPort: 8000 + i, ToPort: 8000 + i, GroupIDs: []string{"sg-1"}, Peers: []string{"0.0.0.0/0"}}
		switch i {
		case 3:
			pt.Services = []string{"SSH"}
		case 5:
			pt = findings.ExposedPort{Protocol: "all", FromPort: 0, ToPort: 65535, GroupIDs: []string{"sg-2"}, Peers: []string{"0.0.0.0/0"}}
		case 7:
			pt.FromPort, pt.ToPort, pt.Services = 22, 3389, []string{"SSH", "RDP"}
		}
		r.Exposures = append(r.Exposures, findings.Exposure{
			AccountID: "1", Region: "r", NetworkInterfaceID: fmt.Sprintf("eni-%02d", i), PublicIP: fmt.Sprintf("203.0.113.%d", i),
			Ports: []findings.ExposedPort{pt},
		})
	}
	out := string(render(t, Markdown{}, r))
	if !strings.Contains(out, "12 interfaces with a public IP reachable from the world; the 10 most exposed:") {
		t.Errorf("missing the count line:\n%s", out)
	}
	var got []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| eni-") {
			got = append(got, strings.Fields(line)[1])
		}
	}
	want := []string{"eni-05", "eni-07", "eni-03", "eni-00", "eni-01", "eni-02", "eni-04", "eni-06", "eni-08", "eni-09"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exposure rows (-want +got):\n%s", diff)
	}
}
