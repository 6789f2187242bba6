package reporters

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	gocmp "github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const (
	htmlFixturePath = "testdata/html-in-report.json"
	htmlGoldenPath  = "testdata/report.html.golden"
	// htmlPayload is the group name and description the fixture uses to
	// attack the page: it must show as text and never run.
	htmlPayload = `<img src=x onerror=alert(1)><script>window.__pwned=1</script>`
	// htmlPayloadGroup is the group that carries it.
	htmlPayloadGroup = "sg-0a1b2c3d4e5f60003"
)

// loadHTMLFixture reads the fixture and checks that it still has what the
// tests below rely on, so a later edit cannot quietly make them vacuous.
func loadHTMLFixture(t *testing.T) *findings.Report {
	t.Helper()
	b, err := os.ReadFile(htmlFixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var r findings.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("decode %s: %v", htmlFixturePath, err)
	}
	accounts := map[string]bool{}
	var suppressed, payload int
	for _, f := range r.Findings {
		accounts[f.AccountID] = true
		if f.Suppression != nil {
			suppressed++
		}
		if f.GroupID == htmlPayloadGroup && f.GroupName == htmlPayload && f.Evidence["description"] == htmlPayload {
			payload++
		}
	}
	notEvaluated := slices.ContainsFunc(r.Checks, func(c findings.Check) bool {
		return c.Status == findings.CheckNotEvaluated && c.StatusDetail != ""
	})
	if len(accounts) < 2 || suppressed == 0 || payload == 0 || r.Complete() || !notEvaluated {
		t.Fatalf("%s must have 2 accounts with findings, a suppressed finding, the payload group, a region not read and a not-evaluated check", htmlFixturePath)
	}
	// The sections of issue 4: some findings new and some not (or the "new
	// only" filter proves nothing), fixed findings, two exposed interfaces
	// (one with the payload as its resource), notices of both levels, and
	// compliance mappings on findings.
	states := map[findings.BaselineState]int{}
	var mapped int
	for _, f := range r.Findings {
		if f.Suppression == nil {
			states[f.Baseline]++
		}
		if len(f.Frameworks) > 0 {
			mapped++
		}
	}
	levels := map[findings.NoticeLevel]int{}
	for _, n := range r.Notices {
		levels[n.Level]++
	}
	payloadResource := slices.ContainsFunc(r.Exposures, func(e findings.Exposure) bool { return e.Resource == htmlPayload })
	if r.Baseline == nil || len(r.Baseline.FixedFindings) == 0 || states[findings.BaselineNew] == 0 || states[findings.BaselineUnchanged] == 0 ||
		len(r.Exposures) < 2 || !payloadResource || levels[findings.NoticeWarning] == 0 || levels[findings.NoticeInfo] == 0 || mapped == 0 {
		t.Fatalf("%s must have a baseline with fixed findings, new and unchanged open findings, 2 exposures (one with the payload as resource), a warning and an info notice, and findings with frameworks", htmlFixturePath)
	}
	return &r
}

func renderHTML(t *testing.T, r *findings.Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (HTML{}).Write(&buf, r); err != nil {
		t.Fatalf("HTML.Write: %v", err)
	}
	return buf.Bytes()
}

func TestHTMLGolden(t *testing.T) {
	t.Parallel()
	golden.Assert(t, htmlGoldenPath, renderHTML(t, loadHTMLFixture(t)))
}

// TestHTMLDeterministic checks that the page depends on the report's
// content, not on the order the caller built it in, and that Write leaves
// the caller's report alone.
func TestHTMLDeterministic(t *testing.T) {
	t.Parallel()
	r := loadHTMLFixture(t)
	want := renderHTML(t, r)

	reversed := func() *findings.Report {
		r := loadHTMLFixture(t)
		reverseLists(r)
		return r
	}
	shuffled, before := reversed(), reversed()

	got := renderHTML(t, shuffled)
	if !bytes.Equal(want, got) {
		t.Errorf("output depends on input order:\n%s", gocmp.Diff(string(want), string(got)))
	}
	if diff := gocmp.Diff(before, shuffled); diff != "" {
		t.Errorf("Write modified the report (-before +after):\n%s", diff)
	}
}

// htmlDoc is what the tokenizer sees in a rendered page.
type htmlDoc struct {
	metaCSP      string
	metaCSPIndex int // token index of the CSP meta tag
	firstBodyTag int // token index of <body>
	styles       []string
	scripts      []string
	badAttrs     []string // style= or on*= attributes anywhere
	elements     map[string]int
	payloadTexts []string // text nodes that contain the payload
}

// parseHTMLDoc tokenizes the page the way a browser's tokenizer does.
func parseHTMLDoc(t *testing.T, page []byte) htmlDoc {
	t.Helper()
	d := htmlDoc{metaCSPIndex: -1, firstBodyTag: -1, elements: map[string]int{}}
	z := html.NewTokenizer(bytes.NewReader(page))
	var inRaw string
	for i := 0; ; i++ {
		switch z.Next() {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatalf("tokenize: %v", z.Err())
			}
			return d
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			d.elements[tok.Data]++
			for _, a := range tok.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					d.badAttrs = append(d.badAttrs, tok.Data+" "+a.Key)
				}
			}
			switch tok.Data {
			case "meta":
				for _, a := range tok.Attr {
					if a.Key == "http-equiv" && strings.EqualFold(a.Val, "Content-Security-Policy") {
						d.metaCSPIndex = i
						for _, b := range tok.Attr {
							if b.Key == "content" {
								d.metaCSP = b.Val
							}
						}
					}
				}
			case "style", "script":
				inRaw = tok.Data
			case "body":
				d.firstBodyTag = i
			}
		case html.TextToken:
			text := string(z.Text())
			switch inRaw {
			case "style":
				d.styles = append(d.styles, text)
			case "script":
				d.scripts = append(d.scripts, text)
			default:
				if strings.Contains(text, htmlPayload) {
					d.payloadTexts = append(d.payloadTexts, text)
				}
			}
		case html.EndTagToken:
			inRaw = ""
		}
	}
}

func htmlSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// TestHTMLContentSecurityPolicy recomputes the CSP from what the page
// really contains: the hashes must match the one <style> and the one
// <script>, the policy must come before both, and nothing may rely on what
// the policy forbids (style= or on*= attributes).
func TestHTMLContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	d := parseHTMLDoc(t, renderHTML(t, loadHTMLFixture(t)))
	if len(d.styles) != 1 || len(d.scripts) != 1 {
		t.Fatalf("got %d <style> and %d <script> elements, want exactly 1 each", len(d.styles), len(d.scripts))
	}
	want := fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; img-src data:; base-uri 'none'; form-action 'none'",
		htmlSHA256(d.styles[0]), htmlSHA256(d.scripts[0]))
	if diff := gocmp.Diff(want, d.metaCSP); diff != "" {
		t.Errorf("CSP meta content (-want +got):\n%s", diff)
	}
	if d.metaCSPIndex < 0 || d.metaCSPIndex > d.firstBodyTag {
		t.Errorf("CSP meta tag at token %d, must come before <body> (token %d)", d.metaCSPIndex, d.firstBodyTag)
	}
	if len(d.badAttrs) > 0 {
		t.Errorf("attributes the CSP would block: %v", d.badAttrs)
	}
	// The assets are inserted verbatim; an end tag inside them would end
	// the element early and leave the rest as markup.
	for name, asset := range map[string]string{"report.css": htmlCSS, "report.js": htmlJS} {
		if lower := strings.ToLower(asset); strings.Contains(lower, "</style") || strings.Contains(lower, "</script") || strings.Contains(lower, "<!--") {
			t.Errorf("%s contains an end tag or comment opener", name)
		}
	}
}

// TestHTMLEscapesAWSData checks the page as a browser's tokenizer reads it:
// the payload is one text node (never markup) wherever it appears, and no
// element that the payloads try to create exists.
func TestHTMLEscapesAWSData(t *testing.T) {
	t.Parallel()
	page := renderHTML(t, loadHTMLFixture(t))
	d := parseHTMLDoc(t, page)
	if len(d.payloadTexts) == 0 {
		t.Errorf("the payload group name never appears as text")
	}
	if n := d.elements["img"]; n > 0 {
		t.Errorf("page has %d <img> elements; the only source of one is the payload", n)
	}
	if len(d.scripts) != 1 {
		t.Errorf("page has %d <script> elements, want only ours", len(d.scripts))
	}
	for _, raw := range []string{htmlPayload, `" autofocus`, `</script><script>`} {
		if bytes.Contains(page, []byte(raw)) {
			t.Errorf("page contains %q unescaped", raw)
		}
	}
}

// TestHTMLStates covers the page's states that the fixture does not.
func TestHTMLStates(t *testing.T) {
	t.Parallel()
	ok := inventory.Coverage{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK, SecurityGroups: 3}
	denied := inventory.Coverage{AccountID: "111111111111", Region: "us-east-1", Status: inventory.CoverageDenied, ErrorCode: "UnauthorizedOperation"}
	evaluated := findings.Check{ID: "SGA001", Title: "Admin port open to the world", Severity: findings.SeverityHigh, Status: findings.CheckEvaluated}
	partial := findings.Check{ID: "SGA008", Title: "Unused security group", Severity: findings.SeverityLow, Status: findings.CheckPartial, StatusDetail: "no network interface data in us-east-1"}
	odd := findings.Finding{CheckID: "ACME001", Severity: "URGENT", AccountID: "111111111111", Region: "eu-west-1", GroupID: "sg-1", Message: "sg-1 is odd"}
	okENIs := ok
	okENIs.Collected = []string{inventory.KindSecurityGroups, inventory.KindNetworkInterfaces}
	newSSH := findings.Finding{
		CheckID: "SGA001", Severity: findings.SeverityHigh, AccountID: "111111111111", Region: "eu-west-1", GroupID: "sg-2",
		Message: "sg-2 allows SSH", Fingerprint: "f2", Baseline: findings.BaselineNew,
		Frameworks: map[string][]string{"cis-aws-foundations": {"5.2", "5.3"}, "aws-security-hub": {"EC2.13"}},
	}
	suppressedSSH := newSSH
	suppressedSSH.Suppression = &findings.Suppression{Reason: "bastion", Source: ".sgaudit.yaml:7"}

	tests := []struct {
		name   string
		report findings.Report
		want   []string // substrings the page must have
		absent []string // and must not
	}{
		{
			name:   "empty and complete",
			report: findings.Report{Coverage: []inventory.Coverage{ok}, Checks: []findings.Check{evaluated}, Summary: findings.Summary{SecurityGroups: 3}},
			want:   []string{`id="no-findings"`, "<h3>No findings</h3>", "no problem in 3 security groups across 1 account/region pair.", "No suppressed findings."},
			absent: []string{`id="findings-table"`, `id="filters"`, "Scan incomplete", "nothing was found in what was read", `class="charts"`},
		},
		{
			name:   "empty but incomplete: no all-clear",
			report: findings.Report{Coverage: []inventory.Coverage{ok, denied}, Checks: []findings.Check{evaluated}},
			want:   []string{"<h3>No findings</h3>", "Scan incomplete.", "1 of 2 account/region pairs were not read (1 denied)", "the scan was incomplete: 1 account/region pair was not read", `class="cov-bad"`},
			absent: []string{"no problem in", `id="findings-table"`},
		},
		{
			name:   "partially evaluated check is announced",
			report: findings.Report{Coverage: []inventory.Coverage{ok}, Checks: []findings.Check{evaluated, partial}},
			want:   []string{"Not every check ran.", `SGA008</a> partially evaluated: no network interface data in us-east-1`},
		},
		{
			name:   "severity outside the catalogue is counted as other",
			report: findings.Report{Coverage: []inventory.Coverage{ok}, Findings: []findings.Finding{odd}},
			want:   []string{`data-rank="0" data-severity="OTHER"`, `<span class="sev sev-unknown">URGENT</span>`, `<option value="OTHER">Other</option>`, "1 finding</span>", "No command: see the resolution"},
		},
		{
			name:   "baseline with nothing fixed",
			report: findings.Report{Coverage: []inventory.Coverage{ok}, Findings: []findings.Finding{newSSH}, Baseline: &findings.BaselineSummary{Path: "old.json", New: 1}},
			want: []string{
				`<span class="pill pill-new">1 new</span>`, `id="baseline-summary"`, "<code>old.json</code>", `id="filter-new"`,
				`data-baseline="new"`, `<span class="badge-new"`, `<section id="fixed"`, "Nothing in the baseline has been fixed.",
			},
		},
		{
			name:   "no baseline: no badge, no filter, no fixed section",
			report: findings.Report{Coverage: []inventory.Coverage{ok}, Findings: []findings.Finding{{CheckID: "SGA001", Severity: findings.SeverityHigh, GroupID: "sg-1", Fingerprint: "f"}}},
			absent: []string{`id="filter-new"`, `id="baseline-summary"`, `<span class="badge-new"`, `" data-baseline=`, `id="fixed"`, `<span class="pill pill-new">`},
		},
		{
			name:   "interfaces read and none exposed",
			report: findings.Report{Coverage: []inventory.Coverage{okENIs}},
			want:   []string{"No interface with a public IP is reachable from the world.", `id="exposure-count"><span class="tile-count">0</span>`, `<a href="#exposure">Exposure <span class="pill">0</span>`},
			absent: []string{"exposure there is unknown", `id="exposure-table"`},
		},
		{
			name:   "interfaces not read: exposure unknown, not clean",
			report: findings.Report{Coverage: []inventory.Coverage{ok, okENIs, denied}},
			want:   []string{"No exposed interface was found, but that is not an all-clear", "Network interfaces were not read in 1 account/region pair"},
			absent: []string{"No interface with a public IP is reachable"},
		},
		{
			name: "notices by level",
			report: findings.Report{Notices: []findings.Notice{
				{Level: findings.NoticeInfo, Message: "baseline is old"},
				{Level: findings.NoticeWarning, Message: "suppression 1 expired"},
				{Level: findings.NoticeWarning, Message: "suppression 2 expired"},
			}},
			want: []string{"<strong>Warnings about this scan.</strong>", "<li>suppression 1 expired</li>\n    <li>suppression 2 expired</li>", "<strong>About this scan.</strong>\n  <ul>\n    <li>baseline is old</li>"},
		},
		{
			name:   "compliance per finding and suppression source",
			report: findings.Report{Findings: []findings.Finding{newSSH, suppressedSSH}},
			want: []string{
				`<dt>Compliance</dt><dd><div class="framework"><span class="muted">aws-security-hub</span> EC2.13</div><div class="framework"><span class="muted">cis-aws-foundations</span> 5.2, 5.3</div></dd>`,
				`bastion<div class="sub">from <span class="mono">.sgaudit.yaml:7</span></div>`,
			},
		},
		{
			name:   "no coverage and no checks",
			report: findings.Report{},
			want:   []string{"No account or region was tried.", "The report lists no checks.", "at an unknown time", "source <span class=\"mono\">unknown</span>"},
			absent: []string{"Scan incomplete"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			page := string(renderHTML(t, &tt.report))
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(page, s) {
					t.Errorf("page has %q", s)
				}
			}
		})
	}
}

func TestHTMLBarSegments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		counts map[findings.Severity]int
		max    int
		want   []htmlSegment
	}{
		{
			name:   "full bar, most severe first",
			counts: map[findings.Severity]int{findings.SeverityLow: 2, findings.SeverityCritical: 2},
			max:    4,
			want: []htmlSegment{
				{Class: "sev-critical", X: "0", W: "50", Title: "Critical: 2"},
				{Class: "sev-low", X: "50", W: "50", Title: "Low: 2"},
			},
		},
		{
			name:   "scaled to the chart's largest row",
			counts: map[findings.Severity]int{findings.SeverityHigh: 1},
			max:    4,
			want:   []htmlSegment{{Class: "sev-high", X: "0", W: "25", Title: "High: 1"}},
		},
		{
			name:   "thirds meet without a gap",
			counts: map[findings.Severity]int{findings.SeverityHigh: 1, findings.SeverityMedium: 1, findings.SeverityLow: 1},
			max:    3,
			want: []htmlSegment{
				{Class: "sev-high", X: "0", W: "33.33", Title: "High: 1"},
				{Class: "sev-medium", X: "33.33", W: "33.34", Title: "Medium: 1"},
				{Class: "sev-low", X: "66.67", W: "33.33", Title: "Low: 1"},
			},
		},
		{
			name:   "unknown severity last",
			counts: map[findings.Severity]int{htmlUnknownSeverity: 1, findings.SeverityMedium: 1},
			max:    2,
			want: []htmlSegment{
				{Class: "sev-medium", X: "0", W: "50", Title: "Medium: 1"},
				{Class: "sev-unknown", X: "50", W: "50", Title: "Other: 1"},
			},
		},
		{name: "zero row", counts: map[findings.Severity]int{}, max: 5, want: nil},
		{name: "empty chart", counts: map[findings.Severity]int{}, max: 0, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := gocmp.Diff(tt.want, htmlBarSegments(tt.counts, tt.max)); diff != "" {
				t.Errorf("htmlBarSegments (-want +got):\n%s", diff)
			}
		})
	}
}

type htmlFailingWriter struct{ err error }

func (w htmlFailingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestHTMLWriteErrors(t *testing.T) {
	t.Parallel()
	if err := (HTML{}).Write(&bytes.Buffer{}, nil); err == nil {
		t.Error("Write(nil report) succeeded, want an error")
	}
	diskFull := errors.New("disk full")
	err := (HTML{}).Write(htmlFailingWriter{diskFull}, loadHTMLFixture(t))
	if !errors.Is(err, diskFull) || !strings.HasPrefix(err.Error(), "write html report: ") {
		t.Errorf("Write to a failing writer = %v, want it wrapped as write html report: %v", err, diskFull)
	}
}

// --- Headless Chromium -------------------------------------------------------

const htmlChromiumMissing = "chromium not found: run .ci/run or apt-get install chromium"

// htmlChromium returns the browser to test with: $SGAUDIT_CHROMIUM or
// /usr/bin/chromium. Without one the test is skipped, except in CI where a
// skipped security test would look like a pass.
func htmlChromium(t *testing.T) string {
	t.Helper()
	path := cmp.Or(os.Getenv("SGAUDIT_CHROMIUM"), "/usr/bin/chromium")
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		if os.Getenv("CI") != "" {
			t.Fatal(htmlChromiumMissing)
		}
		t.Skip(htmlChromiumMissing)
	}
	return path
}

// newHTMLBrowser starts one headless Chromium for the subtests, with a fresh
// profile and everything that could make a request on its own turned off,
// so any request the test sees comes from the page.
func newHTMLBrowser(t *testing.T) context.Context {
	t.Helper()
	execPath := htmlChromium(t)
	profile, err := os.MkdirTemp("", "sgaudit-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs after the browser below has exited.
	t.Cleanup(func() { _ = os.RemoveAll(profile) })

	// The whole browser test is bounded; one Chromium serves every subtest.
	deadline, cancelDeadline := context.WithTimeout(t.Context(), 40*time.Second)
	t.Cleanup(cancelDeadline)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(deadline,
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
	)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", execPath, err)
	}
	return browser
}

// htmlTab records what a tab did that the page must never do.
type htmlTab struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []htmlRequest
	blocked  map[network.RequestID]bool // refused by the CSP before sending
	dialogs  []string                   // alert/confirm/prompt messages
	problems []string                   // console errors and warnings, exceptions, CSP reports
}

type htmlRequest struct {
	id  network.RequestID
	url string
}

// openHTMLTab opens a tab that records requests, dialogs and console
// problems from its very first event, runs setup, and loads pageURL.
func openHTMLTab(t *testing.T, browser context.Context, pageURL string, setup ...chromedp.Action[chromedp.Void]) *htmlTab {
	t.Helper()
	tab := &htmlTab{blocked: map[network.RequestID]bool{}}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(tab.record))
	t.Cleanup(cancel)
	tab.ctx = ctx
	// A dialog blocks the page until it is answered: answer it from another
	// goroutine (a listener must not send commands) and record it.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	// securitypolicyviolation is the page's own view of every CSP block;
	// the DevTools script is exempt from the page's CSP.
	violations := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', function (e) {
				window.__csp.push(e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline'));
			});`,
		})
		return err
	})
	steps := append([]chromedp.Action[chromedp.Void]{violations}, setup...)
	steps = append(steps, chromedp.Navigate(pageURL))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("load %s: %v", pageURL, err)
	}
	return tab
}

// record runs on the tab's event loop: it must be quick and send nothing.
func (tab *htmlTab) record(ev any) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		tab.requests = append(tab.requests, htmlRequest{ev.RequestID, ev.Request.URL})
	case *network.EventLoadingFailed:
		// DevTools lists a load the CSP refused as a request that failed
		// with blockedReason "csp"; it never left the browser.
		if ev.BlockedReason == network.BlockedReasonCsp {
			tab.blocked[ev.RequestID] = true
		}
	case *page.EventJavascriptDialogOpening:
		tab.dialogs = append(tab.dialogs, string(ev.Type)+": "+ev.Message)
	case *runtime.EventExceptionThrown:
		tab.problems = append(tab.problems, "exception: "+ev.ExceptionDetails.Text)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			tab.problems = append(tab.problems, fmt.Sprintf("console.%s from %s", ev.Type, htmlArgs(ev.Args)))
		}
	case *cdplog.EventEntryAdded:
		// CSP violations and blocked loads are reported here (source "security"/"network").
		if ev.Entry.Level == cdplog.EntryLevelError || ev.Entry.Level == cdplog.EntryLevelWarning {
			tab.problems = append(tab.problems, fmt.Sprintf("log %s/%s: %s", ev.Entry.Source, ev.Entry.Level, ev.Entry.Text))
		}
	}
}

func htmlArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, cmp.Or(string(a.Value), a.Description))
	}
	return strings.Join(parts, " ")
}

// snapshot returns the URLs the tab really requested, those the CSP
// blocked, the dialogs and the console problems.
func (tab *htmlTab) snapshot() (sent, blocked, dialogs, problems []string) {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	for _, r := range tab.requests {
		if tab.blocked[r.id] {
			blocked = append(blocked, r.url)
		} else {
			sent = append(sent, r.url)
		}
	}
	return sent, blocked, slices.Clone(tab.dialogs), slices.Clone(tab.problems)
}

// waitSent waits until the tab's unblocked requests are exactly want: the
// DevTools events of a blocked load arrive asynchronously. A request that
// really went out never turns blocked, so it fails the test after 3 s.
func (tab *htmlTab) waitSent(t *testing.T, want []string) {
	t.Helper()
	var sent []string
	for deadline := time.Now().Add(3 * time.Second); ; {
		sent, _, _, _ = tab.snapshot()
		if slices.Equal(sent, want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if diff := gocmp.Diff(want, sent); diff != "" {
		t.Errorf("requests (-want +got): the page must load nothing but itself\n%s", diff)
	}
}

// htmlEval evaluates a script in the tab and decodes its result.
func htmlEval[T any](t *testing.T, tab *htmlTab, script string) T {
	t.Helper()
	v, err := chromedp.Run(tab.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// htmlVisibleRows lists the findings rows the user sees, in page order, as
// "account/region group check rule".
const htmlVisibleRows = `Array.from(document.querySelectorAll('#findings-table tbody tr.finding'))
	.filter(function (r) { return r.offsetParent !== null; })
	.map(function (r) { return [r.dataset.location, r.dataset.group, r.dataset.check, r.dataset.rule].join(' '); })`

func htmlRowKey(f findings.Finding) string {
	return strings.Join([]string{f.AccountID + "/" + f.Region, f.GroupID, f.CheckID, f.RuleID}, " ")
}

func htmlRowKeys(fs []findings.Finding) []string {
	keys := make([]string, 0, len(fs))
	for _, f := range fs {
		keys = append(keys, htmlRowKey(f))
	}
	return keys
}

// writeHTMLPage writes page to a temporary file and returns its file:// URL.
func writeHTMLPage(t *testing.T, page []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, page, 0o644); err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// htmlVisibleExposures lists the exposed-interface rows the user sees, as
// "interface public-ip resource".
const htmlVisibleExposures = `Array.from(document.querySelectorAll('#exposure-table tbody tr.exposure'))
	.filter(function (r) { return r.offsetParent !== null; })
	.map(function (r) { return [r.dataset.eni, r.querySelector('.public-ip').textContent, r.querySelector('.resource').textContent].join(' '); })`

// checkHTMLSections checks, in a rendered tab, the sections that need no
// script: every exposed interface of r is a visible row showing its public
// IP and resource as text, every fixed finding is listed, each notice is in
// a banner, and the summary card counts the exposures.
func checkHTMLSections(t *testing.T, tab *htmlTab, r *findings.Report) {
	t.Helper()
	var want []string
	for _, e := range r.Exposures {
		want = append(want, strings.Join([]string{e.NetworkInterfaceID, e.PublicIP, e.Resource}, " "))
	}
	got := htmlEval[[]string](t, tab, htmlVisibleExposures)
	sorted := gocmp.Transformer("sort", func(in []string) []string { return slices.Sorted(slices.Values(in)) })
	if diff := gocmp.Diff(want, got, sorted); diff != "" {
		t.Errorf("exposed interface rows (-want +got):\n%s", diff)
	}
	if got := htmlEval[string](t, tab, `document.querySelector('#exposure-count .tile-count').textContent`); got != fmt.Sprint(len(r.Exposures)) {
		t.Errorf("exposure card shows %q, want %d", got, len(r.Exposures))
	}
	var fixed []string
	for _, f := range r.Baseline.FixedFindings {
		fixed = append(fixed, f.CheckID+" "+f.GroupID)
	}
	gotFixed := htmlEval[[]string](t, tab, `Array.from(document.querySelectorAll('#fixed tr.fixed-finding')).filter(function (r) { return r.offsetParent !== null; })
		.map(function (r) { return r.dataset.check + ' ' + r.cells[3].querySelector('.mono').textContent; })`)
	if diff := gocmp.Diff(fixed, gotFixed, sorted); diff != "" {
		t.Errorf("fixed finding rows (-want +got):\n%s", diff)
	}
	banners := htmlEval[string](t, tab, `Array.from(document.querySelectorAll('.notices li')).map(function (li) { return li.textContent; }).join('\n')`)
	for _, n := range r.Notices {
		if !strings.Contains(banners, n.Message) {
			t.Errorf("notice %q is not shown as text in a banner:\n%s", n.Message, banners)
		}
	}
}

// TestHTMLInChromium opens the report in a real headless Chromium: the rows
// render, the attacker-controlled group name is inert text, the filter and
// the sort work, and the page makes no request and logs no problem. With
// JavaScript off the page is complete; with markup injected past the
// template, the CSP still stops it.
func TestHTMLInChromium(t *testing.T) {
	r := loadHTMLFixture(t)
	page := renderHTML(t, r)
	browser := newHTMLBrowser(t)

	// What the page should show, from the fixture: the unsuppressed findings
	// highest severity first.
	var open []findings.Finding
	for _, f := range r.Findings {
		if f.Suppression == nil {
			open = append(open, f)
		}
	}
	slices.SortFunc(open, findings.CompareBySeverity)

	t.Run("interactive", func(t *testing.T) {
		pageURL := writeHTMLPage(t, page)
		tab := openHTMLTab(t, browser, pageURL, chromedp.EmulateViewport(1280, 900))

		if diff := gocmp.Diff(htmlRowKeys(open), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rendered rows (-want +got):\n%s", diff)
		}

		// The payload is text in the DOM, and nothing it asks for happened.
		name := htmlEval[string](t, tab, `document.querySelector('tr.finding[data-group="`+htmlPayloadGroup+`"] .group-name').textContent`)
		if name != htmlPayload {
			t.Errorf("group name textContent = %q, want the literal %q", name, htmlPayload)
		}
		if pwned := htmlEval[string](t, tab, `typeof window.__pwned`); pwned != "undefined" {
			t.Errorf("typeof window.__pwned = %q: the injected script ran", pwned)
		}
		if n := htmlEval[int](t, tab, `document.querySelectorAll('img, [autofocus], [onerror], [onfocus]').length + document.scripts.length`); n != 1 {
			t.Errorf("found %d script, img or handler elements, want only our one script", n)
		}
		// Our stylesheet applied (a blocked one leaves the page unstyled).
		if bg := htmlEval[string](t, tab, `getComputedStyle(document.querySelector('.sev-critical')).backgroundColor`); bg == "rgba(0, 0, 0, 0)" {
			t.Errorf("severity badge has no background: the stylesheet did not apply")
		}

		// Typing a check id hides every other row.
		var sga001 []findings.Finding
		for _, f := range open {
			if f.CheckID == "SGA001" {
				sga001 = append(sga001, f)
			}
		}
		if len(sga001) == 0 || len(sga001) == len(open) {
			t.Fatalf("fixture must have some but not all findings on SGA001")
		}
		if err := chromedp.Do(tab.ctx, chromedp.SendKeys(chromedp.ID("filter-text"), "SGA001")); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(htmlRowKeys(sga001), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows after typing SGA001 (-want +got):\n%s", diff)
		}
		wantCount := fmt.Sprintf("Showing %d of %d findings", len(sga001), len(open))
		if got := htmlEval[string](t, tab, `document.getElementById('findings-count').textContent`); got != wantCount {
			t.Errorf("count = %q, want %q", got, wantCount)
		}

		// The severity select filters by severity; Clear shows everything.
		var critical []findings.Finding
		for _, f := range open {
			if f.Severity == findings.SeverityCritical {
				critical = append(critical, f)
			}
		}
		if err := chromedp.Do(tab.ctx,
			chromedp.Click(chromedp.ID("filter-reset")),
			chromedp.SetValue(chromedp.ID("filter-severity"), "CRITICAL"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-severity').dispatchEvent(new Event('change'))`),
		); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(htmlRowKeys(critical), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows with severity CRITICAL (-want +got):\n%s", diff)
		}
		if err := chromedp.Do(tab.ctx, chromedp.Click(chromedp.ID("filter-reset"))); err != nil {
			t.Fatal(err)
		}

		// "New only" shows the findings the baseline does not have, combines
		// with the other filters, and Clear unticks it.
		var fresh, freshCritical []findings.Finding
		for _, f := range open {
			if f.Baseline == findings.BaselineNew {
				fresh = append(fresh, f)
				if f.Severity == findings.SeverityCritical {
					freshCritical = append(freshCritical, f)
				}
			}
		}
		if len(freshCritical) == 0 || len(freshCritical) == len(fresh) {
			t.Fatalf("fixture must have new findings of CRITICAL and of other severities")
		}
		if err := chromedp.Do(tab.ctx, chromedp.Click(chromedp.ID("filter-new"))); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(htmlRowKeys(fresh), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows with New only (-want +got):\n%s", diff)
		}
		wantCount = fmt.Sprintf("Showing %d of %d findings", len(fresh), len(open))
		if got := htmlEval[string](t, tab, `document.getElementById('findings-count').textContent`); got != wantCount {
			t.Errorf("count with New only = %q, want %q", got, wantCount)
		}
		if err := chromedp.Do(tab.ctx,
			chromedp.SetValue(chromedp.ID("filter-severity"), "CRITICAL"),
			chromedp.Evaluate[chromedp.Void](`document.getElementById('filter-severity').dispatchEvent(new Event('change'))`),
		); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(htmlRowKeys(freshCritical), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows with New only and CRITICAL (-want +got):\n%s", diff)
		}
		if err := chromedp.Do(tab.ctx, chromedp.Click(chromedp.ID("filter-reset"))); err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(htmlRowKeys(open), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows after Clear (-want +got):\n%s", diff)
		}
		if htmlEval[bool](t, tab, `document.getElementById('filter-new').checked`) {
			t.Errorf("Clear left New only ticked")
		}

		// Sorting: a text column, then severity by rank, most severe first,
		// then least severe first; ties keep the server's order.
		bySeverity := func(dir int) []string {
			fs := slices.Clone(open)
			slices.SortStableFunc(fs, func(a, b findings.Finding) int { return dir * cmp.Compare(a.Severity.Rank(), b.Severity.Rank()) })
			return htmlRowKeys(fs)
		}
		byCheck := slices.Clone(open)
		slices.SortStableFunc(byCheck, func(a, b findings.Finding) int { return cmp.Compare(a.CheckID, b.CheckID) })
		// The page starts sorted by severity; sorting by check first makes
		// the severity sort that follows move rows, or it would prove nothing.
		if slices.Equal(htmlRowKeys(byCheck), bySeverity(-1)) {
			t.Fatalf("fixture sorted by check equals it sorted by severity: the sort test proves nothing")
		}
		for _, step := range []struct {
			column, wantSort string
			want             []string
		}{
			{"check", "ascending", htmlRowKeys(byCheck)},
			{"severity", "descending", bySeverity(-1)},
			{"severity", "ascending", bySeverity(1)},
		} {
			if err := chromedp.Do(tab.ctx, chromedp.Click(chromedp.CSS(`th[data-sort="`+step.column+`"] button`))); err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(step.want, htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
				t.Errorf("rows sorted by %s %s (-want +got):\n%s", step.column, step.wantSort, diff)
			}
			if got := htmlEval[string](t, tab, `document.querySelector('th[data-sort="`+step.column+`"]').getAttribute('aria-sort')`); got != step.wantSort {
				t.Errorf("aria-sort of %s = %q, want %q", step.column, got, step.wantSort)
			}
		}
		if err := chromedp.Do(tab.ctx, chromedp.Click(chromedp.CSS(`th[data-sort="severity"] button`))); err != nil {
			t.Fatal(err)
		}
		first := htmlEval[string](t, tab, `document.querySelector('#findings-table tbody tr.finding').dataset.severity`)
		if first != string(findings.SeverityCritical) {
			t.Errorf("first row after sorting by severity is %s, want CRITICAL", first)
		}

		// The exposed interfaces and the fixed findings render, and the
		// payload in an interface's resource is text.
		checkHTMLSections(t, tab, r)

		// From the top, so the sticky navigation bar is where a reader sees it.
		if err := chromedp.Do(tab.ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		shot, err := chromedp.Run(tab.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		// The screenshot stays in the test's own directory; to look at it,
		// name a directory in SGAUDIT_SCREENSHOT_DIR.
		dir := cmp.Or(os.Getenv("SGAUDIT_SCREENSHOT_DIR"), t.TempDir())
		if err := os.WriteFile(filepath.Join(dir, "report.png"), shot, 0o644); err != nil {
			t.Errorf("write screenshot: %v", err)
		}

		tab.waitSent(t, []string{pageURL})
		_, blocked, dialogs, problems := tab.snapshot()
		if len(blocked) > 0 {
			t.Errorf("the CSP blocked loads of the report's own markup: %q", blocked)
		}
		if len(dialogs) > 0 {
			t.Errorf("JavaScript dialogs opened: %q", dialogs)
		}
		if len(problems) > 0 {
			t.Errorf("console problems: %q", problems)
		}
		if csp := htmlEval[[]string](t, tab, `window.__csp`); len(csp) > 0 {
			t.Errorf("CSP violations: %q", csp)
		}
	})

	t.Run("javascript off", func(t *testing.T) {
		pageURL := writeHTMLPage(t, page)
		noScript := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		})
		tab := openHTMLTab(t, browser, pageURL, noScript)
		// Every row is there and visible; the controls that need the script
		// (filters, copy buttons, sort buttons) are not offered.
		if diff := gocmp.Diff(htmlRowKeys(open), htmlEval[[]string](t, tab, htmlVisibleRows)); diff != "" {
			t.Errorf("rows with JavaScript off (-want +got):\n%s", diff)
		}
		controls := htmlEval[int](t, tab, `Array.from(document.querySelectorAll('#filters, button, #filter-new')).filter(function (e) { return e.offsetParent !== null; }).length`)
		if controls != 0 {
			t.Errorf("%d script-only controls are visible with JavaScript off", controls)
		}
		checkHTMLSections(t, tab, r)
	})

	t.Run("csp blocks markup that escaped the template", func(t *testing.T) {
		// Simulate an escaping bug: put the payload into the page raw.
		injected := bytes.Replace(page, []byte("<main"), []byte(htmlPayload+`<img src="https://attacker.invalid/x.png"><main`), 1)
		pageURL := writeHTMLPage(t, injected)
		tab := openHTMLTab(t, browser, pageURL)
		if pwned := htmlEval[string](t, tab, `typeof window.__pwned`); pwned != "undefined" {
			t.Errorf("typeof window.__pwned = %q: the CSP let an injected script run", pwned)
		}
		// The violations are reported asynchronously.
		if _, err := chromedp.Run(tab.ctx, chromedp.Poll[bool](`window.__csp.length >= 2`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Errorf("CSP violations for the injected script and handler were not reported: %v (got %q)", err, htmlEval[[]string](t, tab, `window.__csp`))
		}
		tab.waitSent(t, []string{pageURL})
		if _, blocked, dialogs, _ := tab.snapshot(); len(blocked) < 2 || len(dialogs) > 0 {
			t.Errorf("CSP blocked %q (want both injected images) and dialogs %q opened (want none)", blocked, dialogs)
		}
		// Our own script still ran: the page is usable.
		if hidden := htmlEval[bool](t, tab, `document.getElementById('filters').hidden`); hidden {
			t.Errorf("the report's own script did not run under its CSP")
		}
	})
}
