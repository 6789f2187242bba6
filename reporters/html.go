package reporters

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed" // the page's template, stylesheet and script
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// HTML writes the report as one self-contained HTML page: the notices
// about the scan, a summary by severity, check, account and region with
// server-rendered SVG charts (and the counts since the baseline), a
// findings table that can be filtered and sorted (new findings badged,
// with a "new only" filter), the interfaces the world can reach, the
// findings fixed since the baseline, the suppressed findings, the coverage
// of every (account, region) and the check catalogue with its compliance
// mappings.
//
// The page makes no network request. Everything that comes from AWS (group
// names, descriptions, tags, messages, evidence) is attacker-controlled, so
// it is rendered with html/template as text only, never inside <script> or
// <style>, and a Content-Security-Policy allows only the page's own
// stylesheet and script, pinned by hash: even markup that escaped the
// template could neither run nor load anything. The script only filters and
// sorts rows already in the DOM, so the page also works with JavaScript off.
type HTML struct{}

var (
	//go:embed html/report.html.tmpl
	htmlTemplateText string
	//go:embed html/report.css
	htmlCSS string
	//go:embed html/report.js
	htmlJS string

	htmlTemplate = template.Must(template.New("report.html").
			Funcs(template.FuncMap{"plural": htmlCount}).
			Parse(htmlTemplateText))

	// htmlCSP pins the embedded stylesheet and script by hash. It has no
	// 'unsafe-inline' and no 'unsafe-hashes', so injected <script>, on*=
	// handlers and style= attributes are all refused; default-src 'none'
	// blocks every fetch (images, fonts, frames, connections); img-src data:
	// allows only the empty favicon. base-uri and form-action do not fall
	// back to default-src, so they are closed explicitly.
	// https://www.w3.org/TR/CSP3/#directive-default-src
	htmlCSP = "default-src 'none'; style-src '" + htmlCSPHash(htmlCSS) +
		"'; script-src '" + htmlCSPHash(htmlJS) +
		"'; img-src data:; base-uri 'none'; form-action 'none'"
)

// htmlCSPHash is the CSP hash-source of an inline element's exact content.
// https://www.w3.org/TR/CSP3/#grammardef-hash-source
func htmlCSPHash(content string) string {
	sum := sha256.Sum256([]byte(content))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// Write renders r as HTML to w. It does not modify r. The page is rendered
// in memory first, so a template error never leaves half a page in w.
func (HTML) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, newHTMLPage(p)); err != nil {
		return fmt.Errorf("render html report: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

// htmlPage is everything the template shows, computed and sorted in Go so
// the template stays free of logic and the output is deterministic.
type htmlPage struct {
	CSP   string
	CSS   template.CSS // our embedded stylesheet, never report data
	JS    template.JS  // our embedded script, never report data
	Title string
	// FindingsLabel is "1 finding" or "N findings".
	FindingsLabel string

	Tool         findings.Tool
	Generated    string
	GeneratedISO string
	Source       string
	Accounts     []inventory.Account
	Groups       int
	Rules        int

	Incomplete        bool
	CoverageOK        int
	CoverageTotal     int
	CoverageBad       int
	CoverageBadDetail string // "1 denied, 1 skipped"
	Unevaluated       []htmlCheck

	SeverityTiles []htmlSeverityTile
	Charts        []htmlChart
	Legend        []htmlSeverityTile

	Findings     []htmlFinding
	Suppressed   []htmlFinding
	CheckOptions []htmlCheck
	Coverage     []htmlCoverage
	Checks       []htmlCheck

	// Warnings and Infos are the notices about the scan, by level.
	Warnings, Infos []string
	// Baseline is set when the scan was compared with a baseline; Fixed
	// lists the baseline's findings that are gone now.
	Baseline *htmlBaseline
	Fixed    []htmlFinding
	// Exposures are the interfaces the world can reach, most exposed first.
	Exposures []htmlExposure
	// AttackSurface is every port verified reachable from the internet
	// (docs/reachability.md), catalogue services first; empty when the
	// network data was not collected, and the page then shows no view.
	AttackSurface []htmlSurfaceRow
	// ExposureUnknown counts the (account, region) pairs that were read but
	// whose network interfaces were not: exposure there is unknown, not nil.
	ExposureUnknown int
}

// htmlBaseline is the comparison with the baseline report.
type htmlBaseline struct {
	Path                  string
	New, Unchanged, Fixed int
}

// htmlExposure is one interface the world can reach.
type htmlExposure struct {
	AccountID, AccountName, Region string
	InterfaceID, InterfaceType     string
	PublicIP, Resource             string
	Ports                          []htmlExposedPort
	// Groups are all the groups that open any port, once each.
	Groups []string
}

// htmlExposedPort is one protocol and port range reachable from the world.
type htmlExposedPort struct {
	Label    string // tcp/22, all traffic
	Services string // "SSH, RDP", cut after htmlMaxServices names
	// AllServices is every service name, for the tooltip when Services is
	// cut; empty otherwise.
	AllServices string
	Groups      string // the groups that open it
	Peers       string // the world peers: 0.0.0.0/0, ::/0, pl-...
}

// htmlSurfaceRow is one port verified reachable from the internet.
type htmlSurfaceRow struct {
	InterfaceID, PublicIP, Resource, AccountID, Region string
	Port, Services, Via                                string
	// Path are the hops' ids, in order: each stays on one line.
	Path []string
	// Critical is set for a catalogue service (admin, database, high
	// risk): what SGA001/002/004 grade CRITICAL when reachable.
	Critical bool
}

// attackSurface lists the verified reachable ports, catalogue services
// first, then by account, region, interface and port.
func attackSurface(es []findings.Exposure) []htmlSurfaceRow {
	var rows []htmlSurfaceRow
	for _, e := range es {
		for _, pt := range e.Ports {
			if pt.Reachable == nil || !*pt.Reachable {
				continue
			}
			var via, path []string
			for _, v := range pt.Via {
				if v.Kind == "load_balancer" {
					via = append(via, "load balancer "+v.LoadBalancerARN+" ("+v.Listener+")")
				} else {
					via = append(via, "public IP")
				}
			}
			for _, h := range pt.Path {
				path = append(path, h.ID)
			}
			rows = append(rows, htmlSurfaceRow{InterfaceID: e.NetworkInterfaceID, PublicIP: e.PublicIP, Resource: e.Resource, AccountID: e.AccountID,
				Region: e.Region, Port: portLabel(pt), Services: serviceList(pt.Services, htmlMaxServices), Via: strings.Join(via, ", "),
				Path: path, Critical: len(pt.Services) > 0})
		}
	}
	slices.SortStableFunc(rows, func(a, b htmlSurfaceRow) int {
		if a.Critical != b.Critical {
			if a.Critical {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.InterfaceID, b.InterfaceID))
	})
	return rows
}

// htmlSeverityTile is one severity's count.
type htmlSeverityTile struct {
	Severity findings.Severity
	Label    string
	Class    string
	Count    int
}

// htmlChart is one panel of horizontal stacked bars.
type htmlChart struct {
	Title       string
	PlainLabels bool // words, not ids: not set in monospace
	Rows        []htmlBarRow
}

// htmlBarRow is one bar: a label and its findings split by severity.
type htmlBarRow struct {
	Label, Sub string
	Total      int
	Incomplete bool // some (account, region) behind this row was not read
	Aria       string
	Segments   []htmlSegment
}

// htmlSegment is one severity's part of a bar, in viewBox units (0-100).
type htmlSegment struct {
	Class string
	X, W  string
	Title string
}

// htmlFinding is one finding as the tables show it.
type htmlFinding struct {
	Rank     int
	Severity findings.Severity
	// SeverityKey is the severity filter's value: the severity, or OTHER
	// for one outside the catalogue.
	SeverityKey findings.Severity
	SevClass    string
	CheckID     string
	Title       string
	AccountID   string
	AccountName string
	Region      string
	VPCID       string
	GroupID     string
	GroupName   string
	GroupARN    string
	RuleID      string
	Message     string
	Remediation string
	Resolution  string
	Evidence    []htmlKV
	Fingerprint string
	Suppression findings.Suppression
	// Baseline is the finding's baseline state ("new", "unchanged"), the
	// value of the row's data-baseline that the "new only" filter reads.
	Baseline string
	New      bool
	// Frameworks are the compliance controls the finding maps to.
	Frameworks []htmlFramework
	// SourceText is file:start-end of the code that declares the group or
	// rule (docs/iac.md), SourceAddress its address, SourceURL a link to
	// it when the report knows where the repository is browsed.
	SourceText, SourceAddress, SourceURL string
}

// sourceURL links a source to its lines in the repository's web view:
// SourceMapping.URL (an https URL ending in /) then the file, with
// GitHub's #Lstart-Lend; "" when the report has no such URL.
func sourceURL(m *findings.SourceMapping, s *findings.Source) string {
	if m == nil || s == nil || !strings.HasPrefix(m.URL, "https://") || !strings.HasSuffix(m.URL, "/") {
		return ""
	}
	segs := strings.Split(s.File, "/")
	for i, seg := range segs {
		if seg == "" || seg == "." || seg == ".." {
			return ""
		}
		segs[i] = url.PathEscape(seg)
	}
	return m.URL + strings.Join(segs, "/") + "#L" + strconv.Itoa(s.StartLine) + "-L" + strconv.Itoa(s.EndLine)
}

// htmlKV is one evidence entry. Block values (objects, arrays, multi-line
// text) are shown preformatted.
type htmlKV struct {
	Key, Value string
	Block      bool
}

// htmlCoverage is one coverage row.
type htmlCoverage struct {
	AccountID, AccountName, Region string
	Status, StatusClass            string
	OK                             bool
	Groups                         int
	Collected                      []string
	FailedAPI, ErrorCode, Detail   string
}

// htmlCheck is one catalogue entry with its counts.
type htmlCheck struct {
	ID, Name, Title, Description string
	Severity                     findings.Severity
	SevClass                     string
	Custom                       bool
	StatusLabel, StatusClass     string
	Detail                       string
	Findings, Suppressed         int
	Frameworks                   []htmlFramework
}

// htmlFramework is a framework and its controls, e.g. cis-aws "5.2, 5.3".
type htmlFramework struct {
	Name, Controls string
}

// htmlSeverityOrder is the display order: most severe first.
var htmlSeverityOrder = []findings.Severity{
	findings.SeverityCritical, findings.SeverityHigh, findings.SeverityMedium, findings.SeverityLow,
}

// htmlUnknownSeverity buckets severities outside the catalogue (a custom
// policy may emit one) so that they are still counted and drawn.
const htmlUnknownSeverity findings.Severity = "OTHER"

// htmlSeverityKey maps a severity to its bucket.
func htmlSeverityKey(s findings.Severity) findings.Severity {
	if s.Rank() == 0 {
		return htmlUnknownSeverity
	}
	return s
}

// htmlSevClass is the CSS class that colours a severity.
func htmlSevClass(s findings.Severity) string {
	if s.Rank() == 0 {
		return "sev-unknown"
	}
	return "sev-" + strings.ToLower(string(s))
}

// htmlSeverityLabel is "Critical" for CRITICAL.
func htmlSeverityLabel(s findings.Severity) string {
	if s == htmlUnknownSeverity {
		return "Other"
	}
	lower := strings.ToLower(string(s))
	if lower == "" {
		return ""
	}
	return strings.ToUpper(lower[:1]) + lower[1:]
}

// newHTMLPage builds the view of r, a prepared report (see prepare): a
// copy in the canonical order, which the page may reorder for display.
func newHTMLPage(r *findings.Report) htmlPage {
	tool := r.Tool
	if tool.Name == "" {
		tool.Name = "sgaudit"
	}
	p := htmlPage{
		CSP:    htmlCSP,
		CSS:    template.CSS(htmlCSS),
		JS:     template.JS(htmlJS),
		Tool:   tool,
		Source: cmp.Or(r.Source, "unknown"),
		Groups: r.Summary.SecurityGroups,
		Rules:  r.Summary.Rules,
	}
	if !r.GeneratedAt.IsZero() {
		t := r.GeneratedAt.UTC()
		p.Generated = t.Format("2006-01-02 15:04:05 UTC")
		p.GeneratedISO = t.Format(time.RFC3339)
	}

	p.Accounts = r.Accounts
	accountNames := make(map[string]string, len(p.Accounts))
	for _, a := range p.Accounts {
		accountNames[a.ID] = a.Name
	}

	checkByID := make(map[string]findings.Check, len(r.Checks))
	for _, c := range r.Checks {
		checkByID[c.ID] = c
	}

	all := r.Findings
	slices.SortFunc(all, findings.CompareBySeverity)
	open := map[string]int{}
	suppressed := map[string]int{}
	for _, f := range all {
		hf := newHTMLFinding(f, checkByID[f.CheckID], accountNames)
		hf.SourceURL = sourceURL(r.SourceMapping, f.Source)
		if f.Suppression != nil {
			p.Suppressed = append(p.Suppressed, hf)
			suppressed[f.CheckID]++
			continue
		}
		p.Findings = append(p.Findings, hf)
		open[f.CheckID]++
	}

	p.addCoverage(r.Coverage, accountNames)
	p.addChecks(r.Checks, open, suppressed)
	p.addSummary(accountNames)
	notices := r.Notices
	if text := sourceMappingText(r.SourceMapping); text != "" {
		notices = append(slices.Clone(notices), findings.Notice{Level: findings.NoticeInfo, Message: text})
	}
	p.addNotices(notices)
	p.addBaseline(r.Baseline, checkByID, accountNames)
	p.addExposures(r.Exposures, r.Coverage, accountNames)
	p.AttackSurface = attackSurface(r.Exposures)

	p.FindingsLabel = htmlCount(len(p.Findings), "finding", "findings")
	p.Title = "sgaudit report: " + p.FindingsLabel
	if p.Generated != "" {
		p.Title += " · " + p.Generated[:10]
	}
	return p
}

// newHTMLFinding flattens a finding for the tables.
func newHTMLFinding(f findings.Finding, c findings.Check, accountNames map[string]string) htmlFinding {
	hf := htmlFinding{
		Rank:        f.Severity.Rank(),
		Severity:    f.Severity,
		SeverityKey: htmlSeverityKey(f.Severity),
		SevClass:    htmlSevClass(f.Severity),
		CheckID:     f.CheckID,
		Title:       cmp.Or(f.Title, c.Title),
		AccountID:   f.AccountID,
		AccountName: cmp.Or(f.AccountName, accountNames[f.AccountID]),
		Region:      f.Region,
		VPCID:       f.VPCID,
		GroupID:     f.GroupID,
		GroupName:   f.GroupName,
		GroupARN:    f.GroupARN,
		RuleID:      f.RuleID,
		Message:     f.Message,
		Remediation: f.Remediation,
		Resolution:  cmp.Or(f.Resolution, c.Resolution),
		Evidence:    htmlEvidence(f.Evidence),
		Fingerprint: f.Fingerprint,
	}
	if f.Suppression != nil {
		hf.Suppression = *f.Suppression
	}
	hf.Baseline = string(f.Baseline)
	hf.New = f.Baseline == findings.BaselineNew
	hf.Frameworks = htmlFrameworks(f.Frameworks)
	if src := f.Source; src != nil {
		hf.SourceText = src.File + ":" + strconv.Itoa(src.StartLine) + "-" + strconv.Itoa(src.EndLine)
		hf.SourceAddress = src.Address
	}
	return hf
}

// htmlFrameworks lists a framework mapping by framework name.
func htmlFrameworks(fw map[string][]string) []htmlFramework {
	var out []htmlFramework
	for _, name := range slices.Sorted(maps.Keys(fw)) {
		out = append(out, htmlFramework{Name: name, Controls: strings.Join(fw[name], ", ")})
	}
	return out
}

// addNotices splits the notices by level, each list sorted, so warnings
// get their own banner above the informational ones.
func (p *htmlPage) addNotices(notices []findings.Notice) {
	for _, n := range notices {
		if n.Level == findings.NoticeWarning {
			p.Warnings = append(p.Warnings, n.Message)
		} else {
			p.Infos = append(p.Infos, n.Message)
		}
	}
	slices.Sort(p.Warnings)
	slices.Sort(p.Infos)
}

// addBaseline fills the baseline summary and the fixed findings, most
// severe first.
func (p *htmlPage) addBaseline(b *findings.BaselineSummary, checkByID map[string]findings.Check, accountNames map[string]string) {
	if b == nil {
		return
	}
	p.Baseline = &htmlBaseline{Path: b.Path, New: b.New, Unchanged: b.Unchanged, Fixed: b.Fixed}
	fixed := b.FixedFindings
	slices.SortFunc(fixed, findings.CompareBySeverity)
	for _, f := range fixed {
		p.Fixed = append(p.Fixed, newHTMLFinding(f, checkByID[f.CheckID], accountNames))
	}
}

// htmlMaxServices is how many service names a port shows in the page; a
// protocol-all range names the whole catalogue, which the tooltip keeps.
const htmlMaxServices = 8

// addExposures fills the exposed-interface table, most exposed first (see
// exposureRisk), and counts the pairs where interfaces were not read.
func (p *htmlPage) addExposures(es []findings.Exposure, coverage []inventory.Coverage, accountNames map[string]string) {
	sorted := es
	slices.SortStableFunc(sorted, func(a, b findings.Exposure) int {
		return exposureRisk(b).compare(exposureRisk(a))
	})
	for _, e := range sorted {
		he := htmlExposure{
			AccountID:     e.AccountID,
			AccountName:   accountNames[e.AccountID],
			Region:        e.Region,
			InterfaceID:   e.NetworkInterfaceID,
			InterfaceType: e.InterfaceType,
			PublicIP:      e.PublicIP,
			Resource:      e.Resource,
			Groups:        exposureGroups(e),
		}
		for _, pt := range e.Ports {
			hp := htmlExposedPort{
				Label:    portLabel(pt),
				Services: serviceList(pt.Services, htmlMaxServices),
				Groups:   strings.Join(pt.GroupIDs, ", "),
				Peers:    strings.Join(pt.Peers, ", "),
			}
			if len(pt.Services) > htmlMaxServices {
				hp.AllServices = strings.Join(pt.Services, ", ")
			}
			he.Ports = append(he.Ports, hp)
		}
		p.Exposures = append(p.Exposures, he)
	}
	for _, c := range coverage {
		if c.Status == inventory.CoverageOK && !slices.Contains(c.Collected, inventory.KindNetworkInterfaces) {
			p.ExposureUnknown++
		}
	}
}

// htmlEvidence lists evidence by key. Strings are shown as they are, other
// values as JSON (encoding/json sorts map keys, so it is deterministic).
func htmlEvidence(ev map[string]any) []htmlKV {
	out := make([]htmlKV, 0, len(ev))
	for _, k := range slices.Sorted(maps.Keys(ev)) {
		kv := htmlKV{Key: k}
		switch v := ev[k].(type) {
		case string:
			kv.Value = v
			kv.Block = strings.Contains(v, "\n")
		case map[string]any, []any:
			kv.Value, kv.Block = htmlJSON(v, "  "), true
		default:
			kv.Value = htmlJSON(v, "")
		}
		out = append(out, kv)
	}
	return out
}

// htmlJSON encodes v for display. It does not escape <, > and & as
// \u003c...: html/template escapes the text where it is shown, and the
// reader should see the characters AWS returned.
func htmlJSON(v any, indent string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		// Evidence decoded from JSON always encodes; anything else is
		// still worth showing.
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// addCoverage fills the coverage table and the incomplete-scan banner.
func (p *htmlPage) addCoverage(coverage []inventory.Coverage, accountNames map[string]string) {
	bad := map[inventory.CoverageStatus]int{}
	for _, c := range coverage {
		ok := c.Status == inventory.CoverageOK
		p.Coverage = append(p.Coverage, htmlCoverage{
			AccountID:   c.AccountID,
			AccountName: accountNames[c.AccountID],
			Region:      c.Region,
			Status:      cmp.Or(string(c.Status), "unknown"),
			StatusClass: htmlStatusClass(string(c.Status)),
			OK:          ok,
			Groups:      c.SecurityGroups,
			Collected:   c.Collected,
			FailedAPI:   c.FailedAPI,
			ErrorCode:   c.ErrorCode,
			Detail:      c.Detail,
		})
		if ok {
			p.CoverageOK++
		} else {
			bad[c.Status]++
		}
	}
	p.CoverageTotal = len(coverage)
	p.CoverageBad = p.CoverageTotal - p.CoverageOK
	p.Incomplete = p.CoverageBad > 0
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(bad)) {
		parts = append(parts, fmt.Sprintf("%d %s", bad[s], cmp.Or(string(s), "unknown")))
	}
	p.CoverageBadDetail = strings.Join(parts, ", ")
}

// htmlStatusClass is the CSS class of a coverage or check status.
func htmlStatusClass(status string) string {
	switch status {
	case string(inventory.CoverageOK), string(inventory.CoverageDenied), string(inventory.CoverageError), string(inventory.CoverageSkipped),
		string(findings.CheckEvaluated), string(findings.CheckDisabled), string(findings.CheckNotEvaluated), string(findings.CheckPartial):
		return "status-" + strings.ReplaceAll(status, "_", "-")
	}
	return "status-unknown"
}

// addChecks fills the catalogue, the check filter and the list of checks
// that did not run everywhere.
func (p *htmlPage) addChecks(checks []findings.Check, open, suppressed map[string]int) {
	for _, c := range checks {
		hc := htmlCheck{
			ID:          c.ID,
			Name:        c.Name,
			Title:       c.Title,
			Description: c.Description,
			Severity:    c.Severity,
			SevClass:    htmlSevClass(c.Severity),
			Custom:      c.Custom,
			StatusLabel: cmp.Or(strings.ReplaceAll(string(c.Status), "_", " "), "unknown"),
			StatusClass: htmlStatusClass(string(c.Status)),
			Detail:      c.StatusDetail,
			Findings:    open[c.ID],
			Suppressed:  suppressed[c.ID],
		}
		if c.Status == findings.CheckPartial {
			hc.StatusLabel = "partially evaluated"
		}
		for _, fw := range slices.Sorted(maps.Keys(c.Frameworks)) {
			hc.Frameworks = append(hc.Frameworks, htmlFramework{Name: fw, Controls: strings.Join(c.Frameworks[fw], ", ")})
		}
		p.Checks = append(p.Checks, hc)
		if c.Status == findings.CheckNotEvaluated || c.Status == findings.CheckPartial {
			p.Unevaluated = append(p.Unevaluated, hc)
		}
	}

	// The check filter offers the checks that have findings, including ids
	// missing from the catalogue, so every row can be selected.
	seen := map[string]bool{}
	for _, f := range p.Findings {
		if seen[f.CheckID] {
			continue
		}
		seen[f.CheckID] = true
		p.CheckOptions = append(p.CheckOptions, htmlCheck{ID: f.CheckID, Title: f.Title})
	}
	slices.SortFunc(p.CheckOptions, func(a, b htmlCheck) int { return cmp.Compare(a.ID, b.ID) })
}

// addSummary fills the severity tiles and the charts from the unsuppressed
// findings (the ones the table shows).
func (p *htmlPage) addSummary(accountNames map[string]string) {
	bySeverity := map[findings.Severity]int{}
	byCheck := htmlTally{}
	byAccount := htmlTally{}
	byRegion := htmlTally{}
	for _, f := range p.Findings {
		sev := htmlSeverityKey(f.Severity)
		bySeverity[sev]++
		byCheck.add(f.CheckID, sev)
		byAccount.add(f.AccountID, sev)
		byRegion.add(f.Region, sev)
	}
	// Accounts and regions with no findings are still listed: "0" is a
	// result, and "incomplete" says when it is not a trustworthy one.
	incompleteAccount := map[string]bool{}
	incompleteRegion := map[string]bool{}
	for _, c := range p.Coverage {
		byAccount.ensure(c.AccountID)
		byRegion.ensure(c.Region)
		if !c.OK {
			incompleteAccount[c.AccountID] = true
			incompleteRegion[c.Region] = true
		}
	}
	for _, a := range p.Accounts {
		byAccount.ensure(a.ID)
	}

	order := slices.Clone(htmlSeverityOrder)
	if bySeverity[htmlUnknownSeverity] > 0 {
		order = append(order, htmlUnknownSeverity)
	}
	sevRows := make([]htmlBarRow, 0, len(order))
	for _, s := range order {
		tile := htmlSeverityTile{Severity: s, Label: htmlSeverityLabel(s), Class: htmlSevClass(s), Count: bySeverity[s]}
		p.SeverityTiles = append(p.SeverityTiles, tile)
		p.Legend = append(p.Legend, tile)
		sevRows = append(sevRows, htmlBarRow{Label: tile.Label, Total: tile.Count})
	}
	// One bar per severity, each in its own colour.
	maxSev := 0
	for _, row := range sevRows {
		maxSev = max(maxSev, row.Total)
	}
	for i, s := range order {
		counts := map[findings.Severity]int{s: sevRows[i].Total}
		sevRows[i].Segments = htmlBarSegments(counts, maxSev)
		sevRows[i].Aria = htmlAria(counts)
	}

	checkTitles := map[string]string{}
	for _, c := range p.CheckOptions {
		checkTitles[c.ID] = c.Title
	}
	p.Charts = []htmlChart{
		{Title: "By severity", Rows: sevRows, PlainLabels: true},
		{Title: "By check", Rows: byCheck.rows(checkTitles, nil)},
		{Title: "By account", Rows: byAccount.rows(accountNames, incompleteAccount)},
		{Title: "By region", Rows: byRegion.rows(nil, incompleteRegion)},
	}
}

// htmlTally counts findings by a key (check, account, region) and severity.
type htmlTally map[string]map[findings.Severity]int

func (t htmlTally) add(key string, sev findings.Severity) {
	t.ensure(key)
	t[key][sev]++
}

func (t htmlTally) ensure(key string) {
	if t[key] == nil {
		t[key] = map[findings.Severity]int{}
	}
}

// rows lays the tally out as bars, most findings first, then by key; subs
// label the keys and incomplete flags rows whose data was not fully read.
func (t htmlTally) rows(subs map[string]string, incomplete map[string]bool) []htmlBarRow {
	totals := make(map[string]int, len(t))
	maxTotal := 0
	for key, counts := range t {
		for _, n := range counts {
			totals[key] += n
		}
		maxTotal = max(maxTotal, totals[key])
	}
	keys := slices.Collect(maps.Keys(t))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(totals[b], totals[a]), cmp.Compare(a, b))
	})
	rows := make([]htmlBarRow, 0, len(keys))
	for _, key := range keys {
		rows = append(rows, htmlBarRow{
			Label:      cmp.Or(key, "(none)"),
			Sub:        subs[key],
			Total:      totals[key],
			Incomplete: incomplete[key],
			Aria:       htmlAria(t[key]),
			Segments:   htmlBarSegments(t[key], maxTotal),
		})
	}
	return rows
}

// htmlBarSegments lays counts out as one stacked bar, most severe first,
// scaled so that maxTotal fills the 100-unit viewBox; rows of one chart
// share the scale and compare at a glance. Edges are rounded, not widths,
// so the segments meet without gaps or overlap.
func htmlBarSegments(counts map[findings.Severity]int, maxTotal int) []htmlSegment {
	if maxTotal <= 0 {
		return nil
	}
	order := append(slices.Clone(htmlSeverityOrder), htmlUnknownSeverity)
	var segs []htmlSegment
	cum := 0
	for _, s := range order {
		n := counts[s]
		if n <= 0 {
			continue
		}
		x0 := htmlRound(float64(cum) * 100 / float64(maxTotal))
		cum += n
		x1 := htmlRound(float64(cum) * 100 / float64(maxTotal))
		segs = append(segs, htmlSegment{
			Class: htmlSevClass(s),
			X:     strconv.FormatFloat(x0, 'f', -1, 64),
			W:     strconv.FormatFloat(htmlRound(x1-x0), 'f', -1, 64),
			Title: fmt.Sprintf("%s: %d", htmlSeverityLabel(s), n),
		})
	}
	return segs
}

// htmlRound rounds to 2 decimals: enough for a bar, and stable text.
func htmlRound(v float64) float64 {
	return math.Round(v*100) / 100
}

// htmlAria describes a bar for screen readers: "2 critical, 1 high".
func htmlAria(counts map[findings.Severity]int) string {
	var parts []string
	for _, s := range append(slices.Clone(htmlSeverityOrder), htmlUnknownSeverity) {
		if n := counts[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ToLower(htmlSeverityLabel(s))))
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

// htmlCount is "1 finding" or "3 findings".
func htmlCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
