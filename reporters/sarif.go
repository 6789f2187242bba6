package reporters

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/sgaudit/sgaudit/internal/checkdocs"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// SARIF writes SARIF 2.1.0 for GitHub code scanning: one run per account
// that was read completely, each with the full check catalogue as its
// rules, so uploading it opens, updates and closes alerts per account.
// A finding at another severity than its check's points at a rule of its
// own ("SGA001/critical"), so GitHub shows it at that severity (see
// ruleSet).
//
// The log is built only with go-sarif's New* constructors: its struct
// literals leave arrays nil, which marshal as null and fail the schema.
// Nothing in it depends on time or chance (no timestamps, run GUIDs,
// process ids or command lines): the same report gives byte-identical
// SARIF, so re-uploads do not churn alerts.
//
// With a baseline, each result carries baselineState new or unchanged. The
// baseline's fixed findings are not written as "absent" results: GitHub
// closes an alert by itself when a later upload no longer has it. Notices
// about the scan (an expired suppression...) become the run's
// toolExecutionNotifications, at level warning or note; the run still
// executed successfully.
//
// GitHub's rules for SARIF uploads:
// https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
type SARIF struct{}

// Upload limits of GitHub code scanning (see the SARIF support page above).
// Past any of them GitHub rejects the whole file; SARIF.Write returns an
// error wrapping ErrSARIFLimit instead, and the caller can write one file
// per account with SplitByAccount.
const (
	MaxSARIFRuns          = 20
	MaxSARIFResultsPerRun = 25000
	MaxSARIFRulesPerRun   = 25000
	// MaxSARIFGzipBytes is the largest upload, measured gzip-compressed.
	MaxSARIFGzipBytes = 10 << 20
)

// ErrSARIFLimit is returned (wrapped, with the numbers) by SARIF.Write when
// the log would exceed a GitHub upload limit. Nothing is written then.
var ErrSARIFLimit = errors.New("SARIF exceeds GitHub code scanning limits")

// securitySeverity is GitHub's numeric severity for security alerts, read
// from a rule's properties: >= 9.0 is critical, 7.0–8.9 high, 4.0–6.9
// medium, 0.1–3.9 low. Each value sits inside its band.
var securitySeverity = map[findings.Severity]string{
	findings.SeverityCritical: "9.5",
	findings.SeverityHigh:     "8.0",
	findings.SeverityMedium:   "5.5",
	findings.SeverityLow:      "2.0",
}

// maxRuleTags is how many tags GitHub shows per rule; it drops the rest.
const maxRuleTags = 10

// sarifSchemaURI is the $id of the SARIF 2.1.0 schema as the OASIS
// standard publishes it (errata 01): a fixed URL, unlike go-sarif's
// default, a file on a branch of a GitHub repository that can change.
const sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// Write implements Reporter.
func (SARIF) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write SARIF: %w", err)
	}
	log, err := buildSARIF(p)
	if err != nil {
		return err
	}
	var raw bytes.Buffer
	if err := log.Write(&raw); err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	out, err := tidy(raw.Bytes())
	if err != nil {
		return fmt.Errorf("encode SARIF: %w", err)
	}
	buf := bytes.NewBuffer(out)
	buf.WriteByte('\n')
	// Only a log larger than the limit uncompressed can be larger
	// compressed, so the common case never pays for gzip.
	if buf.Len() > MaxSARIFGzipBytes {
		if n := gzipSize(buf.Bytes()); n > MaxSARIFGzipBytes {
			return fmt.Errorf("%w: %d bytes gzip-compressed (at most %d); write one file per account",
				ErrSARIFLimit, n, MaxSARIFGzipBytes)
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write SARIF: %w", err)
	}
	return nil
}

func buildSARIF(p *findings.Report) (*sarif.Report, error) {
	accounts := p.AccountsComplete()
	if len(accounts) > MaxSARIFRuns {
		return nil, fmt.Errorf("%w: %d accounts make %d runs (at most %d per file); write one file per account",
			ErrSARIFLimit, len(accounts), len(accounts), MaxSARIFRuns)
	}
	byAccount := map[string][]findings.Finding{}
	for _, f := range p.Findings {
		byAccount[f.AccountID] = append(byAccount[f.AccountID], f)
	}
	log := sarif.NewReport()
	log.Schema = sarifSchemaURI
	for _, acct := range accounts {
		run, err := buildRun(p, acct, byAccount[acct])
		if err != nil {
			return nil, err
		}
		log.AddRun(run)
	}
	return log, nil
}

// buildRun makes the run of one account. Findings of accounts that were not
// read completely never get here: an empty or partial run would close
// their alerts on GitHub for resources sgaudit simply could not see.
func buildRun(p *findings.Report, acct string, fs []findings.Finding) (*sarif.Run, error) {
	if len(fs) > MaxSARIFResultsPerRun {
		return nil, fmt.Errorf("%w: account %s has %d results (at most %d per run)",
			ErrSARIFLimit, acct, len(fs), MaxSARIFResultsPerRun)
	}
	rules := newRuleSet(catalogue(p.Checks, fs), fs)
	if len(rules.rules) > MaxSARIFRulesPerRun {
		return nil, fmt.Errorf("%w: %d rules (at most %d per run)", ErrSARIFLimit, len(rules.rules), MaxSARIFRulesPerRun)
	}

	name := p.Tool.Name
	if name == "" {
		name = "sgaudit"
	}
	driver := sarif.NewToolComponent().WithName(name)
	if p.Tool.Version != "" {
		driver.WithVersion(p.Tool.Version)
	}
	if isWebURL(p.Tool.URI) {
		driver.WithInformationURI(p.Tool.URI)
	}
	for _, r := range rules.rules {
		driver.AddRule(rule(r))
	}

	props := sarif.NewPropertyBag().Add("account_id", acct)
	if n := p.AccountName(acct); n != "" {
		props.Add("account_name", n)
	}
	regions := []string{}
	for _, c := range p.Coverage {
		if c.AccountID == acct && c.Status == inventory.CoverageOK {
			regions = append(regions, c.Region)
		}
	}
	props.Add("regions", regions)
	if m := p.SourceMapping; m != nil {
		// This run's findings are the account's: so are the counts.
		props.Add("source_mapping", sourceMappingText(m.ForAccount(acct)))
	}

	run := sarif.NewRun().
		WithTool(sarif.NewTool().WithDriver(driver)).
		// GitHub tracks alerts per category: one per account, so a later
		// upload for one account leaves the other accounts' alerts alone.
		WithAutomationDetails(sarif.NewRunAutomationDetails().WithID("sgaudit/aws/" + acct + "/")).
		WithProperties(props)
	if inv := invocation(p.Notices); inv != nil {
		run.AddInvocation(inv)
	}
	for _, f := range fs {
		id := rules.ruleID(f)
		run.AddResult(result(f, id, rules.index[id]))
	}
	return run, nil
}

// catalogue returns the checks as rules: the full catalogue, so a check with
// no result still closes its old alerts, plus a minimal rule for any
// finding whose check is missing from it (a custom policy's finding must
// not be dropped nor point at no rule).
func catalogue(checks []findings.Check, fs []findings.Finding) []findings.Check {
	out := slices.Clone(checks)
	known := map[string]bool{}
	for _, c := range checks {
		known[c.ID] = true
	}
	var extra []findings.Check
	for _, f := range fs {
		if !known[f.CheckID] {
			known[f.CheckID] = true
			extra = append(extra, findings.Check{ID: f.CheckID, Title: f.Title, Severity: f.Severity, Resolution: f.Resolution})
		}
	}
	slices.SortFunc(extra, func(a, b findings.Check) int { return strings.Compare(a.ID, b.ID) })
	return append(out, extra...)
}

// checkRule is one rule of a run: a check at one severity.
type checkRule struct {
	id    string
	check findings.Check
	sev   findings.Severity
}

// ruleSet is the rules of a run and where each is.
//
// GitHub shows a security alert at the security-severity of the rule its
// result points to, never of the result itself. A check's findings can
// have another severity than the check (SGA001 escalates to CRITICAL
// through a public interface, SGA009 drops to LOW in an unused VPC), so a
// run has one rule per (check, severity) its results use:
//
//   - the check's own rule, id "SGA001", at the check's severity in the
//     report (after any override in the config), for every check: the full
//     catalogue, so a check with no result still closes its old alerts;
//   - a rule "SGA001/critical" for each other severity a result of the run
//     has, after the catalogue, ordered by check id then severity, highest
//     first. SARIF allows ids of "/"-separated components (result.ruleId
//     in the 2.1.0 standard); check ids never hold a "/" (internal/engine's
//     id pattern), so none collides.
//
// A finding's alert is its rule id and fingerprint: it stays the same alert
// from scan to scan while its severity stays the same, and is closed and
// opened anew under the other rule when its severity really changes. So
// does an alert whose check's severity the config changes to or from the
// finding's own: the id says "the check's severity", which moved.
// Only the variants a run's results use are written: all four bands of
// every check would add some 45 rules no alert points to (~2.4 KB each,
// ~110 KB a run before compression; docs/performance.md, "SARIF size").
type ruleSet struct {
	rules []checkRule
	index map[string]int               // by rule id
	sev   map[string]findings.Severity // each check's own severity
}

func newRuleSet(checks []findings.Check, fs []findings.Finding) *ruleSet {
	s := &ruleSet{index: map[string]int{}, sev: map[string]findings.Severity{}}
	byID := map[string]findings.Check{}
	for _, c := range checks {
		byID[c.ID] = c
		s.sev[c.ID] = c.Severity
		s.add(checkRule{id: c.ID, check: c, sev: c.Severity})
	}
	var variants []checkRule
	seen := map[string]bool{}
	for _, f := range fs {
		id := s.ruleID(f)
		if id == f.CheckID || seen[id] {
			continue
		}
		seen[id] = true
		variants = append(variants, checkRule{id: id, check: byID[f.CheckID], sev: f.Severity})
	}
	slices.SortFunc(variants, func(a, b checkRule) int {
		return cmp.Or(cmp.Compare(a.check.ID, b.check.ID), cmp.Compare(b.sev.Rank(), a.sev.Rank()))
	})
	for _, r := range variants {
		s.add(r)
	}
	return s
}

func (s *ruleSet) add(r checkRule) {
	s.index[r.id] = len(s.rules)
	s.rules = append(s.rules, r)
}

// ruleID is the id of the rule f points to: its check's own when f has
// the check's severity, or one GitHub cannot show (the check's severity is
// then the best there is), else the check's rule at f's severity.
func (s *ruleSet) ruleID(f findings.Finding) string {
	if _, known := securitySeverity[f.Severity]; !known || f.Severity == s.sev[f.CheckID] {
		return f.CheckID
	}
	return f.CheckID + "/" + strings.ToLower(string(f.Severity))
}

// rule describes r. A check's rules at other severities are the same but
// for id, name, level and security-severity: the alert's title
// (shortDescription) stays the check's, and GitHub shows the severity next
// to it.
func rule(r checkRule) *sarif.ReportingDescriptor {
	c := r.check
	short := firstNonEmpty(c.Title, c.ID) // a title, shown as the alert's name
	full := sentence(firstNonEmpty(c.Description, c.Title, c.ID))
	text, markdown := help(c, full)
	d := sarif.NewRule(r.id).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(short)).
		WithFullDescription(sarif.NewMultiformatMessageString().WithText(full)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(text).WithMarkdown(markdown)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().
			WithLevel(level(r.sev)).
			WithEnabled(c.Status != findings.CheckDisabled))
	if name := pascalCase(c.Name); name != "" {
		if r.id != c.ID {
			// Distinct from the check's own rule, so GitHub's rule
			// filter tells them apart: "OpenAdminPortsCritical".
			name += pascalCase(strings.ToLower(string(r.sev)))
		}
		d.WithName(name)
	}
	if uri := helpURI(c); uri != "" {
		d.WithHelpURI(uri)
	}

	// Compliance controls come right after "security" and before the
	// check's own tags: they are what an auditor filters alerts by
	// (tag:cis-aws-foundations/5.2), and GitHub keeps only the first ten.
	tags := []string{"security"}
	for _, t := range append(frameworkTags(c.Frameworks), c.Tags...) {
		if t != "" && !slices.Contains(tags, t) && len(tags) < maxRuleTags {
			tags = append(tags, t)
		}
	}
	props := sarif.NewPropertyBag().WithTags(tags)
	if s, ok := securitySeverity[r.sev]; ok {
		props.Add("security-severity", s)
	}
	if len(c.Frameworks) > 0 {
		props.Add("frameworks", c.Frameworks)
	}
	return d.WithProperties(props)
}

// frameworkTags turns a framework mapping into tags "<framework>/<control>",
// sorted by framework then in the mapping's control order.
func frameworkTags(fw map[string][]string) []string {
	var tags []string
	for _, name := range slices.Sorted(maps.Keys(fw)) {
		for _, control := range fw[name] {
			if name != "" && control != "" {
				tags = append(tags, name+"/"+control)
			}
		}
	}
	return tags
}

// invocation records the notices about the scan as toolExecutionNotifications,
// or returns nil when there are none: an invocation without them would say
// nothing. The invocation has no time, process or command line, which would
// make the log differ on every run.
// https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html#_Toc141790917
func invocation(notices []findings.Notice) *sarif.Invocation {
	if len(notices) == 0 {
		return nil
	}
	inv := sarif.NewInvocation().WithExecutionSuccessful(true)
	for _, n := range notices {
		lvl := sarif.LevelNote
		if n.Level == findings.NoticeWarning {
			lvl = sarif.LevelWarning
		}
		inv.AddToolExecutionNotification(sarif.NewNotification().
			WithLevel(lvl).
			WithMessage(sarif.NewTextMessage(sentence(firstNonEmpty(sanitize(n.Message), "notice")))))
	}
	return inv
}

// helpURI is where a rule's alert links for more: the check's own page in
// docs/checks/ for a built-in check (examples, remediation, tuning), else
// the first web link of a custom policy's related_resources.
func helpURI(c findings.Check) string {
	if checkdocs.Builtin(c) {
		return checkdocs.PageURL(c.ID)
	}
	for _, u := range c.RelatedResources {
		if isWebURL(u) {
			return u
		}
	}
	return ""
}

// help renders a rule's help as text and as Markdown: what it finds, how to
// fix it, which framework controls it maps to and, for a built-in check,
// its documentation page.
func help(c findings.Check, description string) (text, markdown string) {
	var t, m strings.Builder
	t.WriteString(description)
	m.WriteString(description)
	if c.Resolution != "" {
		t.WriteString("\n\nResolution: " + c.Resolution)
		m.WriteString("\n\n**Resolution:** " + c.Resolution)
	}
	if len(c.Frameworks) > 0 {
		names := make([]string, 0, len(c.Frameworks))
		for fw := range c.Frameworks {
			names = append(names, fw)
		}
		slices.Sort(names)
		t.WriteString("\n\nFrameworks:")
		m.WriteString("\n\n**Frameworks:**\n")
		for _, fw := range names {
			controls := strings.Join(c.Frameworks[fw], ", ")
			t.WriteString("\n- " + fw + ": " + controls)
			m.WriteString("\n- " + fw + ": " + controls)
		}
	}
	var links []string
	for _, u := range c.RelatedResources {
		if isWebURL(u) {
			links = append(links, u)
		}
	}
	if len(links) > 0 {
		t.WriteString("\n\nMore information:")
		m.WriteString("\n\n**More information:**\n")
		for _, u := range links {
			t.WriteString("\n- " + u)
			m.WriteString("\n- <" + u + ">")
		}
	}
	if checkdocs.Builtin(c) {
		doc := checkdocs.PageURL(c.ID)
		t.WriteString("\n\nDocumentation: " + doc)
		m.WriteString("\n\n**Documentation:** <" + doc + ">")
	}
	return t.String(), m.String()
}

// result is f as a result of rule ruleID, the ruleIndex-th of its run.
func result(f findings.Finding, ruleID string, ruleIndex int) *sarif.Result {
	// A relative, scheme-less pseudo path: GitHub rejects a whole upload if
	// a result has no physical location or an absolute (arn:) URI. The path
	// is stable, so alerts track the group across scans.
	uri := strings.Join([]string{
		"aws", pathSegment(f.AccountID), pathSegment(f.Region), "ec2", "security-group", pathSegment(f.GroupID),
	}, "/")
	loc := sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri)).
		WithRegion(sarif.NewRegion().WithStartLine(1)))
	if src := sourceLocation(f.Source); src != nil {
		// The block of code that declares the group or rule (docs/iac.md):
		// GitHub shows the alert on it, in pull requests that touch it.
		loc = src
	}
	if f.GroupARN != "" {
		loc.AddLogicalLocation(sarif.NewLogicalLocation().
			WithName(f.GroupID).
			WithFullyQualifiedName(f.GroupARN).
			WithKind("resource"))
	}

	props := sarif.NewPropertyBag().
		Add("account_id", f.AccountID).
		Add("region", f.Region).
		Add("group_id", f.GroupID).
		Add("group_name", f.GroupName).
		Add("severity", string(f.Severity))
	if f.VPCID != "" {
		props.Add("vpc_id", f.VPCID)
	}
	if f.RuleID != "" {
		props.Add("rule_id", f.RuleID)
	}
	if f.Source != nil && f.Source.Address != "" {
		props.Add("source_address", f.Source.Address)
	}
	if len(f.Frameworks) > 0 {
		props.Add("frameworks", f.Frameworks)
	}

	res := sarif.NewRuleResult(ruleID).
		WithRuleIndex(ruleIndex).
		WithLevel(level(f.Severity)).
		WithMessage(sarif.NewTextMessage(resultMessage(f))).
		AddLocation(loc).
		WithProperties(props)
	// Only the states a finding can have now; "absent" belongs to the
	// baseline's fixed findings, which are not results (see SARIF).
	if f.Baseline == findings.BaselineNew || f.Baseline == findings.BaselineUnchanged {
		res.WithBaselineState(string(f.Baseline))
	}
	if f.Fingerprint != "" {
		// WithPartialFingerprints, not AddPartialFingerprint: the latter
		// writes into a map that NewResult leaves nil, and panics.
		res.WithPartialFingerprints(map[string]string{"primaryLocationLineHash": f.Fingerprint})
	}
	if s := f.Suppression; s != nil {
		// "external": the suppression lives in sgaudit's config, not in the
		// scanned resource. GitHub shows such results as dismissed.
		sup := sarif.NewSuppression().WithKind("external").WithStatus("accepted").WithJustification(s.Reason)
		if s.Owner != "" || s.Expires != "" || s.Source != "" {
			sp := sarif.NewPropertyBag()
			if s.Owner != "" {
				sp.Add("owner", s.Owner)
			}
			if s.Expires != "" {
				sp.Add("expires", s.Expires)
			}
			if s.Source != "" {
				// The config entry that matched, e.g. ".sgaudit.yaml:12".
				sp.Add("source", s.Source)
			}
			sup.WithProperties(sp)
		}
		res.AddSuppression(sup)
	}
	return res
}

// sourceLocation is the physical location of a finding mapped to code: a
// repository-relative URI under %SRCROOT% (each segment escaped) and the
// block's lines. Nil when the finding is not mapped or its source is not
// a clean relative path, so it keeps the group's pseudo-path.
func sourceLocation(s *findings.Source) *sarif.Location {
	if s == nil || s.File == "" || s.StartLine < 1 || s.EndLine < s.StartLine {
		return nil
	}
	segs := strings.Split(s.File, "/")
	for i, seg := range segs {
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "\\\x00") {
			return nil
		}
		// A colon left as is would make "c:/x.tf" or "a:b/x.tf" an
		// absolute URI of scheme "c" or "a", which GitHub rejects or
		// resolves elsewhere; url.PathEscape leaves it.
		segs[i] = strings.ReplaceAll(pathSegment(seg), ":", "%3A")
	}
	return sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
		WithArtifactLocation(sarif.NewSimpleArtifactLocation(strings.Join(segs, "/")).WithURIBaseID("%SRCROOT%")).
		WithRegion(sarif.NewRegion().WithStartLine(s.StartLine).WithEndLine(s.EndLine)))
}

// resultMessage is the finding's message as complete sentences, then the
// group's ARN and the exact command that fixes it. GitHub shows only the
// text, so everything a reader needs is in it.
func resultMessage(f findings.Finding) string {
	msg := sentence(firstNonEmpty(strings.TrimSpace(sanitize(f.Message)), f.Title, f.CheckID))
	if f.GroupARN != "" {
		msg += " Group ARN: " + sanitize(f.GroupARN) + "."
	}
	if f.Source != nil && f.Source.Address != "" {
		// "Code:", not "Declared by": a rule added by hand (SGA017) is
		// located on its group's block, which does not declare it.
		msg += " Code: " + sanitize(f.Source.Address) + "."
	}
	if rem := strings.TrimSpace(sanitize(f.Remediation)); rem != "" {
		msg += " To fix it, run: `" + rem + "`."
	}
	return msg
}

// level maps a severity to a SARIF level: CRITICAL and HIGH are errors,
// MEDIUM a warning, LOW a note.
func level(s findings.Severity) string {
	switch s {
	case findings.SeverityCritical, findings.SeverityHigh:
		return sarif.LevelError
	case findings.SeverityLow:
		return sarif.LevelNote
	default:
		return sarif.LevelWarning
	}
}

// SplitByAccount splits r into one report per account (every account in
// Accounts, Coverage, Findings, Exposures or the baseline's fixed
// findings), keyed by account id, so a caller can write one SARIF file per
// account when one file would pass GitHub's limits. Each part keeps the
// tool, time, full check catalogue and every notice (a notice names no
// account); its summary is recounted from its own findings, with
// SecurityGroups summed from its coverage rows and Rules left 0 (the report
// does not say which account each rule belonged to). With a baseline, each
// part's baseline summary keeps the path and counts the part's own new,
// unchanged and fixed findings. SARIF for a part whose account was not read
// completely has no run; a caller should not upload it.
func SplitByAccount(r *findings.Report) map[string]*findings.Report {
	out := map[string]*findings.Report{}
	if r == nil {
		return out
	}
	part := func(id string) *findings.Report {
		if p, ok := out[id]; ok {
			return p
		}
		p := &findings.Report{
			SchemaVersion: r.SchemaVersion,
			Tool:          r.Tool,
			GeneratedAt:   r.GeneratedAt,
			Source:        r.Source,
			Accounts:      []inventory.Account{},
			Coverage:      []inventory.Coverage{},
			Checks:        slices.Clone(r.Checks),
			Findings:      []findings.Finding{},
			Exposures:     []findings.Exposure{},
			Notices:       slices.Clone(r.Notices),
			SourceMapping: r.SourceMapping.ForAccount(id),
		}
		if p.Notices == nil {
			p.Notices = []findings.Notice{}
		}
		out[id] = p
		return p
	}
	for _, a := range r.Accounts {
		p := part(a.ID)
		p.Accounts = append(p.Accounts, a)
	}
	for _, c := range r.Coverage {
		p := part(c.AccountID)
		p.Coverage = append(p.Coverage, c)
		p.Summary.SecurityGroups += c.SecurityGroups
	}
	for _, f := range r.Findings {
		p := part(f.AccountID)
		p.Findings = append(p.Findings, f)
	}
	for _, e := range r.Exposures {
		p := part(e.AccountID)
		p.Exposures = append(p.Exposures, e)
	}
	if r.Baseline != nil {
		for _, f := range r.Baseline.FixedFindings {
			part(f.AccountID)
		}
		for _, p := range out {
			p.Baseline = &findings.BaselineSummary{Path: r.Baseline.Path, FixedFindings: []findings.Finding{}}
		}
		for _, f := range r.Baseline.FixedFindings {
			b := out[f.AccountID].Baseline
			b.FixedFindings = append(b.FixedFindings, f)
			b.Fixed++
		}
	}
	for _, p := range out {
		p.Summarise()
		if b := p.Baseline; b != nil {
			for _, f := range p.Findings {
				switch f.Baseline {
				case findings.BaselineNew:
					b.New++
				case findings.BaselineUnchanged:
					b.Unchanged++
				}
			}
		}
	}
	return out
}

// pascalCase turns a check name such as "open-admin-ports" into the
// PascalCase rule name SARIF viewers expect ("OpenAdminPorts").
func pascalCase(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sentence ends s with a full stop unless it already ends a sentence; the
// multitool's SARIF2001 asks messages to be complete sentences.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") {
		return s
	}
	return s + "."
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
}

// pathSegment escapes one segment of the pseudo path so any id yields a
// valid relative URI; an empty one would collapse the path.
func pathSegment(s string) string {
	if s == "" {
		return "unknown"
	}
	return url.PathEscape(s)
}

func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// unsetSentinels are the integer properties whose default in the SARIF
// 2.1.0 schema is -1, meaning "not set". go-sarif's constructors write them
// out (its fields lack omitempty) and the multitool's SARIF2004 warns about
// each one, so they are dropped: absent and -1 mean the same.
var unsetSentinels = map[string]bool{
	"index": true, "parentIndex": true, "ruleIndex": true, "id": true,
	"byteOffset": true, "charOffset": true, "rank": true,
}

// padding lists, by the member an object sits under, the arrays and
// objects go-sarif writes even when they are empty (its fields lack
// omitempty). Empty, they say nothing but cost ~15% of a large log, and
// GitHub caps an upload at 10 MB compressed (docs/performance.md, "SARIF
// size"). The schema requires none of them.
// runs, results and rules are not listed: an empty results array is what
// closes a clean account's alerts. TestSARIFNoPadding fails if go-sarif
// starts padding another member.
var padding = map[string][]string{
	"runs":                       {"addresses", "graphs", "invocations", "logicalLocations", "policies", "redactionTokens", "runAggregates", "taxonomies", "threadFlowLocations", "translations", "versionControlProvenance", "webRequests", "webResponses"},
	"tool":                       {"extensions"},
	"driver":                     {"locations", "notifications", "supportedTaxonomies", "taxa"},
	"rules":                      {"relationships"},
	"invocations":                {"notificationConfigurationOverrides", "ruleConfigurationOverrides", "toolConfigurationNotifications"},
	"toolExecutionNotifications": {"locations"},
	"results":                    {"attachments", "codeFlows", "fixes", "graphTraversals", "graphs", "relatedLocations", "stacks", "taxa", "workItemUris"},
	"locations":                  {"annotations", "relationships"},
	"message":                    {"arguments"},
}

// schemaDefaults are members go-sarif sets to the value the schema gives
// them when absent, by the member their object sits under. Dropping them
// changes nothing a reader sees; "kind" alone is written once per result.
var schemaDefaults = map[string]map[string]any{
	"runs":    {"language": "en-US", "newlineSequences": []any{"\r\n", "\n"}},
	"driver":  {"language": "en-US", "contents": []any{"localizedData", "nonLocalizedData"}, "isComprehensive": false},
	"results": {"kind": "fail"},
}

// tidy removes from a marshalled log the unset -1 sentinels, the empty
// padding and the schema defaults go-sarif writes, and indents it. Property
// bags are sgaudit's own data and are left as they are (an account with no
// region read still says "regions": []). Objects come back with sorted
// keys, which keeps the output deterministic.
func tidy(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep every number exactly as go-sarif wrote it
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	// under is the member v sits under; array elements sit under their
	// array's member.
	var walk func(v any, under string)
	walk = func(v any, under string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch {
				case k == "properties":
					if isEmpty(x) {
						delete(v, k)
					}
					continue // a property bag: not go-sarif's
				case unsetSentinels[k] && x == json.Number("-1"),
					isEmpty(x) && slices.Contains(padding[under], k):
					delete(v, k)
					continue
				}
				if d, ok := schemaDefaults[under][k]; ok && reflect.DeepEqual(x, d) {
					delete(v, k)
					continue
				}
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, under)
			}
		}
	}
	walk(doc, "")
	return json.MarshalIndent(doc, "", "  ")
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// gzipSize returns the length of b gzip-compressed, as GitHub measures an
// upload.
func gzipSize(b []byte) int {
	var n countingWriter
	zw := gzip.NewWriter(&n)
	_, _ = zw.Write(b) // countingWriter never fails
	_ = zw.Close()
	return int(n)
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
