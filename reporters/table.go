package reporters

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Table writes findings as an aligned text table for a terminal: the
// unsuppressed findings, highest severity first (with a NEW column when the
// scan was compared with a baseline), the interfaces the world can reach,
// the notices about the scan, a summary with a legend of the account names,
// the (account, region) pairs that
// were not read, and the checks that were not fully evaluated. Every value
// from AWS is stripped of control characters and escape sequences and long
// values are cut, so a hostile group name can neither drive the terminal
// nor wreck the layout.
//
// The table is a pure function of the report and these options, which the
// CLI sets from the terminal and its flags.
type Table struct {
	// Color highlights severities with ANSI colours. The caller sets it
	// only when writing to a terminal that wants colour (not NO_COLOR,
	// not TERM=dumb).
	Color bool
	// Width is the terminal's width in columns. When set, every row is
	// fitted to it: the middle columns (account/region, group, rule) are
	// cut in their middle first, then a message is cut at its end, but
	// never inside its key part (see keyPart); other lines are cut at the
	// width. 0 means no terminal or --wide: messages are shown whole.
	Width int
	// Verbose lists every finding on its own line. Otherwise findings of
	// one check, severity and baseline state are one line with "×N".
	Verbose bool
}

// Cell widths, in runes, past which a value is cut with "…". Messages get
// the most room; the rest keep a row within about 200 columns. They hold
// whatever the width: they bound what a hostile name can do to the layout.
const (
	maxGroupName      = 32
	maxMessage        = 100
	maxWideMessage    = 1000 // a message with Width 0 (--wide, not a terminal)
	maxCell           = 40
	maxCoverageCell   = 32
	maxCoverageDetail = 80
	maxNotice         = 160
)

// ANSI SGR sequences. The severity colours are applied after tabwriter has
// aligned the plain text, so their bytes never count towards a width.
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
)

var severityColor = map[findings.Severity]string{
	findings.SeverityCritical: "\x1b[1;31m", // bold red
	findings.SeverityHigh:     "\x1b[31m",   // red
	findings.SeverityMedium:   "\x1b[33m",   // yellow
	findings.SeverityLow:      "\x1b[36m",   // cyan
}

// Write implements Reporter.
func (t Table) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	var out bytes.Buffer
	active := activeBySeverity(p.Findings)
	t.topRisks(&out, active, p.Exposures)
	if len(active) == 0 {
		out.WriteString("No findings.\n")
	} else {
		t.findingsTable(&out, active, p.Baseline != nil)
	}
	var rest bytes.Buffer
	t.exposures(&rest, p.Exposures)
	rest.WriteString("\n")
	t.notices(&rest, p.Notices)
	t.summary(&rest, p)
	t.coverage(&rest, p)
	t.checks(&rest, p)
	t.compliance(&rest, active, p)
	out.WriteString(t.fitLines(rest.String()))
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// findingsTable writes the findings. With a baseline, a NEW column marks
// the findings the baseline did not have: the ones that fail CI. Unless
// Verbose, the findings of one check, severity and baseline state are one
// row with "×N" below HIGH (see groupFindings).
func (t Table) findingsTable(out *bytes.Buffer, active []findings.Finding, baseline bool) {
	header := []string{"SEVERITY"}
	if baseline {
		header = append(header, "NEW")
	}
	header = append(header, "CHECK", "ACCOUNT/REGION", "GROUP", "RULE")
	// SOURCE (file:line of the code that declares the group or rule,
	// docs/iac.md) only when some finding was mapped: other tables are
	// unchanged.
	withSource := slices.ContainsFunc(active, func(f findings.Finding) bool { return f.Source != nil })
	if withSource {
		header = append(header, "SOURCE")
	}
	header = append(header, "MESSAGE")
	rows := [][]string{header}
	var plain bytes.Buffer
	var sevs []findings.Severity
	grouped := false
	for _, g := range t.groupFindings(active) {
		f := g[0]
		row := []string{cell(string(f.Severity), maxCell)}
		if baseline {
			row = append(row, "")
			if f.Baseline == findings.BaselineNew {
				row[1] = "new"
			}
		}
		if len(g) == 1 {
			row = append(row,
				cell(f.CheckID, maxCell),
				cell(f.AccountID+"/"+f.Region, maxCell),
				groupCell(f.GroupID, f.GroupName),
				cell(dash(f.RuleID), maxCell))
			if withSource {
				row = append(row, cell(dash(sourceText(f.Source)), maxCell))
			}
			row = append(row, cell(messageBody(f), t.maxMessage()))
		} else {
			grouped = true
			row = append(row,
				cell(f.CheckID, maxCell)+" ×"+strconv.Itoa(len(g)),
				common(g, "account/region", func(f findings.Finding) string { return cell(f.AccountID+"/"+f.Region, maxCell) }),
				common(g, "group", func(f findings.Finding) string { return groupCell(f.GroupID, f.GroupName) }),
				common(g, "rule", func(f findings.Finding) string { return cell(dash(f.RuleID), maxCell) }))
			if withSource {
				row = append(row, common(g, "source", func(f findings.Finding) string { return cell(dash(sourceText(f.Source)), maxCell) }))
			}
			row = append(row, groupMessage(g, t.maxMessage()))
		}
		rows = append(rows, row)
		sevs = append(sevs, f.Severity)
	}
	n := len(header)
	if withSource {
		n-- // the columns before SOURCE keep their places from the end
	}
	// The middle columns give way first, cut in their middle so that both
	// ends of an id stay readable; the message keeps its key part.
	fits := []fit{
		{col: n - 2, soft: 20, min: 6, middle: true},                         // RULE
		{col: n - 4, soft: 23, min: 12, middle: true},                        // ACCOUNT/REGION
		{col: n - 3, soft: 24, min: 12, middle: true},                        // GROUP
		{col: len(header) - 1, soft: 50, min: len("MESSAGE"), keep: keyPart}, // MESSAGE
	}
	if withSource {
		// Cut in the middle: the file name and line at the end stay.
		fits = append(fits, fit{col: n - 1, soft: 30, min: 10, middle: true}) // SOURCE
	}
	// On a terminal, an ACCOUNT/REGION column that says the same on every
	// row is said once above the table: its room goes to the messages.
	if ar := n - 4; t.Width > 0 && sameColumn(rows[1:], ar) {
		out.WriteString(t.fitLine("All findings in "+rows[1][ar]+":") + "\n")
		for i := range rows {
			rows[i] = slices.Delete(rows[i], ar, ar+1)
		}
		fits = slices.Delete(fits, 1, 2)
		for i := range fits {
			fits[i].col-- // each kept column is one to the left now
		}
	}
	t.writeRows(&plain, rows, fits)
	if grouped {
		fmt.Fprintln(&plain, t.fitLine("Findings of one check are one line with ×N; --verbose lists each."))
	}

	if !t.Color {
		out.Write(plain.Bytes())
		return
	}
	// Sanitised cells hold no line breaks, so line i+1 is row i and starts
	// with its severity followed by padding.
	lines := strings.SplitAfter(plain.String(), "\n")
	for i, line := range lines {
		switch {
		case line == "":
		case i == 0:
			out.WriteString(ansiBold + strings.TrimRight(line, " \n") + ansiReset + "\n")
		case i-1 < len(sevs):
			sev := string(sevs[i-1])
			if c, ok := severityColor[sevs[i-1]]; ok && strings.HasPrefix(line, sev) {
				line = c + sev + ansiReset + line[len(sev):]
			}
			out.WriteString(line)
		default:
			out.WriteString(line)
		}
	}
}

// sourceText is a source as file:line, "" for none.
func sourceText(s *findings.Source) string {
	if s == nil {
		return ""
	}
	return s.File + ":" + strconv.Itoa(s.StartLine)
}

// sameColumn reports whether every row holds the same value in column c.
func sameColumn(rows [][]string, c int) bool {
	for _, row := range rows[1:] {
		if row[c] != rows[0][c] {
			return false
		}
	}
	return len(rows) > 0
}

// maxMessage is the cap of a message cell: generous when the table is not
// fitted to a terminal, so CI logs and --wide show whole messages.
func (t Table) maxMessage() int {
	if t.Width > 0 {
		return maxMessage
	}
	return maxWideMessage
}

// groupFindings returns the findings to show, one slice per row: each
// finding alone when Verbose, else the MEDIUM and LOW findings of one
// (severity, check, new or not) together; CRITICAL and HIGH always alone. Rows keep the findings' order (highest severity
// first); a group sits where its first finding was, so within a severity
// the rows are ordered by check only when the canonical order puts them so.
func (t Table) groupFindings(active []findings.Finding) [][]findings.Finding {
	if t.Verbose {
		out := make([][]findings.Finding, len(active))
		for i := range active {
			out[i] = active[i : i+1]
		}
		return out
	}
	type key struct {
		sev   findings.Severity
		check string
		new   bool
	}
	index := map[key]int{}
	var out [][]findings.Finding
	for _, f := range active {
		// CRITICAL and HIGH findings are what an audit acts on first:
		// each keeps its own row, with its group and rule.
		if f.Severity == findings.SeverityCritical || f.Severity == findings.SeverityHigh {
			out = append(out, []findings.Finding{f})
			continue
		}
		k := key{f.Severity, f.CheckID, f.Baseline == findings.BaselineNew}
		if i, ok := index[k]; ok {
			out[i] = append(out[i], f)
			continue
		}
		index[k] = len(out)
		out = append(out, []findings.Finding{f})
	}
	return out
}

// common returns the value all findings of g share, or "N <what>s" when
// they differ.
func common(g []findings.Finding, what string, value func(findings.Finding) string) string {
	first := value(g[0])
	seen := map[string]bool{first: true}
	for _, f := range g[1:] {
		seen[value(f)] = true
	}
	if len(seen) == 1 {
		return first
	}
	return plural(len(seen), what)
}

// groupMessage is the message of a grouped row: the message the findings
// share, else the check's title, else the first message.
func groupMessage(g []findings.Finding, max int) string {
	msg := messageBody(g[0])
	for _, f := range g[1:] {
		if messageBody(f) != msg {
			if g[0].Title != "" {
				return cell(g[0].Title, max)
			}
			return cell(msg, max) + " (and others)"
		}
	}
	return cell(msg, max)
}

// keyPart returns how many runes of a message cell must stay: the part up
// to the first clause break ("; ", ": ", ", which", ", the ", " through "),
// where messages say what is open to whom (the rest is detail), plus one
// for the "…" that replaces the rest.
func keyPart(msg string) int {
	end := len(msg)
	for _, sep := range []string{"; ", ": ", ", which", ", the ", " through "} {
		if i := strings.Index(msg, sep); i >= 0 && i < end {
			end = i
		}
	}
	n := utf8.RuneCountInString(msg[:end])
	if end < len(msg) {
		n++
	}
	return n
}

// fit says how one column gives way when a table is too wide: first down
// to soft runes, then, if the table is still too wide once every column
// gave that much, down to min; cut in the middle (ids, names) or at the
// end. keep, when set, returns how many runes of a cell must stay (a
// message's key part).
type fit struct {
	col       int
	soft, min int
	middle    bool
	keep      func(string) int
}

// writeRows lays rows (the first is the header) out as a table, two
// spaces between columns, fitted to Width when it is set (fitColumns).
func (t Table) writeRows(out *bytes.Buffer, rows [][]string, fits []fit) {
	if t.Width > 0 {
		fitColumns(rows, t.Width, fits)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, row := range rows {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
}

// fitColumns cuts the cells of rows (the first is the header, cut last)
// so that the table, two spaces between columns as the tabwriter lays it
// out, fits width columns where it can. The columns of fits give way in
// two passes, each column only as far as needed: in their order down to
// their soft width, then down to their minimum, the column with a kept
// part first (down to its longest kept part, at most two fifths of the
// width). A row whose kept part does not fit is left longer: cutting it
// would lose what the finding says.
func fitColumns(rows [][]string, width int, fits []fit) {
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	orig := make([][]string, len(rows))
	widths := make([]int, n)
	for i, row := range rows {
		orig[i] = slices.Clone(row)
		for c, v := range row {
			widths[c] = max(widths[c], utf8.RuneCountInString(v))
		}
	}
	total := 2 * (n - 1)
	for _, w := range widths {
		total += w
	}
	hard := slices.Clone(fits)
	slices.SortStableFunc(hard, func(a, b fit) int { return cmpBool(a.keep == nil, b.keep == nil) })
	for pass, order := range [][]fit{fits, hard} {
		for _, f := range order {
			excess := total - width
			if excess <= 0 {
				return
			}
			floor := f.soft
			if pass == 0 {
				// A header is cut only in the second pass.
				floor = max(floor, utf8.RuneCountInString(rows[0][f.col]))
			} else {
				floor = f.min
				if f.keep != nil {
					longest := 0
					for _, row := range orig[1:] {
						longest = max(longest, f.keep(row[f.col]))
					}
					floor = max(floor, min(longest, width*2/5))
				}
			}
			target := max(floor, widths[f.col]-excess)
			if target >= widths[f.col] {
				continue
			}
			// The column is as wide as its widest cut cell: a kept part
			// may hold it wider than target, and the columns after this
			// one then give way for it.
			got := 0
			for i, row := range rows {
				w := target
				if f.keep != nil && i > 0 {
					w = max(w, f.keep(orig[i][f.col]))
				}
				if f.middle {
					row[f.col] = truncateMiddle(orig[i][f.col], w)
				} else {
					row[f.col] = truncate(orig[i][f.col], w)
				}
				got = max(got, utf8.RuneCountInString(row[f.col]))
			}
			total -= widths[f.col] - got
			widths[f.col] = got
		}
	}
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// truncateMiddle shortens s to at most max runes by cutting its middle,
// so both ends stay: "sg-0a1b2…(web-prod)".
func truncateMiddle(s string, max int) string {
	rs := []rune(s)
	if max <= 0 || len(rs) <= max {
		return s
	}
	if max < 3 {
		return truncate(s, max)
	}
	head := (max - 1) / 2
	tail := max - 1 - head
	return string(rs[:head]) + "…" + string(rs[len(rs)-tail:])
}

// fitLine cuts one plain line to Width, when set.
func (t Table) fitLine(line string) string {
	if t.Width <= 0 {
		return line
	}
	return truncate(line, t.Width)
}

// fitLines cuts every line of text to Width, when set, except lines that
// carry colour (their escape bytes would count as columns; they are short
// summary lines).
func (t Table) fitLines(text string) string {
	if t.Width <= 0 {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !strings.Contains(l, "\x1b") {
			lines[i] = truncate(l, t.Width)
		}
	}
	return strings.Join(lines, "\n")
}

// maxTopRiskItems is how many checks or interfaces a line of the top risks
// header names before "+N more".
const maxTopRiskItems = 3

// topRisks writes a short header of what to look at first: the CRITICAL
// findings by check, the interfaces the world can reach (the worst
// first), and the HIGH findings by check. Nothing when there is none.
func (t Table) topRisks(out *bytes.Buffer, active []findings.Finding, es []findings.Exposure) {
	bySev := func(sev findings.Severity) string {
		counts := map[string]int{}
		var order []string
		titles := map[string]string{}
		for _, f := range active {
			if f.Severity != sev {
				continue
			}
			if counts[f.CheckID] == 0 {
				order = append(order, f.CheckID)
				titles[f.CheckID] = f.Title
			}
			counts[f.CheckID]++
		}
		// Most frequent first, then by id.
		slices.SortStableFunc(order, func(a, b string) int {
			return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
		})
		var items []string
		for _, id := range order[:min(len(order), maxTopRiskItems)] {
			item := cell(id, maxCell)
			if counts[id] > 1 {
				item += " ×" + strconv.Itoa(counts[id])
			}
			if titles[id] != "" {
				item += " " + cell(titles[id], maxCell)
			}
			items = append(items, item)
		}
		if more := len(order) - maxTopRiskItems; more > 0 {
			items = append(items, "+"+plural(more, "more check"))
		}
		return strings.Join(items, "; ")
	}
	var lines [][2]string
	if s := bySev(findings.SeverityCritical); s != "" {
		lines = append(lines, [2]string{string(findings.SeverityCritical), s})
	}
	// Verified exposure first: the ports an internet address really
	// reaches (docs/reachability.md), present only where it was verified.
	var reach []string
	nReach := 0
	for _, e := range es {
		var ports []string
		for _, pt := range e.Ports {
			if pt.Reachable != nil && *pt.Reachable {
				ports = append(ports, portLabel(pt))
			}
		}
		if len(ports) == 0 {
			continue
		}
		nReach++
		if len(reach) < maxTopRiskItems {
			reach = append(reach, cell(e.NetworkInterfaceID, maxCell)+": "+cell(strings.Join(ports, ", "), maxCell))
		}
	}
	if nReach > 0 {
		if more := nReach - len(reach); more > 0 {
			reach = append(reach, "+"+strconv.Itoa(more)+" more")
		}
		lines = append(lines, [2]string{"VERIFIED", plural(nReach, "interface") + " verified reachable from the internet: " + strings.Join(reach, "; ")})
	}
	// The interfaces the analysis could not answer for keep the public-IP
	// line; once it answered (VERIFIED above, or blocked), repeating them
	// here as "reachable from the world" would contradict it.
	all, unverified := es, es
	if nReach > 0 || anyVerified(es) {
		unverified = nil
		for _, e := range es {
			if !anyVerified([]findings.Exposure{e}) && e.PublicIP != "" {
				unverified = append(unverified, e)
			}
		}
	}
	if len(unverified) > 0 {
		es := unverified
		worst := slices.Clone(es)
		slices.SortStableFunc(worst, func(a, b findings.Exposure) int { return exposureRisk(b).compare(exposureRisk(a)) })
		var items []string
		for _, e := range worst[:min(len(worst), maxTopRiskItems)] {
			ports := make([]string, 0, len(e.Ports))
			for _, pt := range e.Ports {
				ports = append(ports, portLabel(pt))
			}
			items = append(items, cell(e.NetworkInterfaceID, maxCell)+" "+cell(e.PublicIP, maxCell)+": "+cell(strings.Join(ports, ", "), maxCell))
		}
		if more := len(es) - maxTopRiskItems; more > 0 {
			items = append(items, "+"+strconv.Itoa(more)+" more")
		}
		what := " reachable from the world: "
		if len(unverified) != len(all) {
			what = " with a public IP and a world-open port, reachability not verified: "
		}
		lines = append(lines, [2]string{"EXPOSED", plural(len(es), "interface") + what + strings.Join(items, "; ")})
	}
	if s := bySev(findings.SeverityHigh); s != "" {
		lines = append(lines, [2]string{string(findings.SeverityHigh), s})
	}
	if len(lines) == 0 {
		return
	}
	out.WriteString("Top risks:\n")
	for _, l := range lines {
		label := fmt.Sprintf("%-8s", l[0])
		line := t.fitLine("  " + label + "  " + l[1])
		if t.Color {
			if c, ok := severityColor[findings.Severity(l[0])]; ok {
				line = strings.Replace(line, label, c+label+ansiReset, 1)
			}
		}
		out.WriteString(line + "\n")
	}
	out.WriteString("\n")
}

func (t Table) summary(out *bytes.Buffer, p *findings.Report) {
	n := count(p.Findings)
	var parts []string
	for _, sev := range severitiesHighFirst() {
		parts = append(parts, fmt.Sprintf("%s %d", t.paint(sev, string(sev)), n.bySeverity[sev]))
	}
	fmt.Fprintf(out, "Findings: %d (%s)", n.active, strings.Join(parts, ", "))
	if n.suppressed > 0 {
		fmt.Fprintf(out, "; %d suppressed, not shown", n.suppressed)
	}
	out.WriteString("\n")
	if b := p.Baseline; b != nil {
		fmt.Fprintf(out, "Since baseline %s: %d new, %d unchanged, %d fixed\n",
			cell(b.Path, maxCoverageDetail), b.New, b.Unchanged, b.Fixed)
	}
	read := len(p.Coverage) - len(notOK(p.Coverage))
	fmt.Fprintf(out, "Scanned: %s and %s in %d of %d account/regions (%s)\n",
		plural(p.Summary.SecurityGroups, "security group"), plural(p.Summary.Rules, "rule"),
		read, len(p.Coverage), plural(len(p.Accounts), "account"))
	if text := sourceMappingText(p.SourceMapping); text != "" {
		out.WriteString(text + "\n")
	}
	t.accounts(out, p.Accounts)
}

// accounts writes a legend of the account names, since the rows show only
// account ids; nothing when no account has a name.
func (t Table) accounts(out *bytes.Buffer, accts []inventory.Account) {
	named := namedAccounts(accts)
	if len(named) == 0 {
		return
	}
	out.WriteString("Accounts:\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, a := range named[:min(len(named), maxAccountLegend)] {
		fmt.Fprintf(tw, "  %s\t%s\n", cell(a.ID, maxCell), a.Name)
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
	if more := len(named) - maxAccountLegend; more > 0 {
		fmt.Fprintf(out, "  …and %s (see the JSON or HTML report)\n", plural(more, "more named account"))
	}
}

// exposures lists, one line per interface, what the world can reach on
// each interface with a public IP and through which groups.
func (t Table) exposures(out *bytes.Buffer, es []findings.Exposure) {
	if len(es) == 0 {
		return
	}
	verified := anyVerified(es)
	if verified {
		// Some interfaces carry the analysis's answer
		// (docs/reachability.md): say it per port, and count the
		// interfaces only a load balancer reaches, which have no public IP.
		fmt.Fprintf(out, "\nExposed interfaces: %s with a world-open port behind a public IP or an internet-facing load balancer\n", plural(len(es), "interface"))
	} else {
		fmt.Fprintf(out, "\nExposed interfaces: %s with a public IP reachable from the world\n", plural(len(es), "interface"))
	}
	rows := [][]string{{"INTERFACE", "PUBLIC IP", "ACCOUNT/REGION", "RESOURCE", "REACHABLE", "VIA GROUPS"}}
	for _, e := range es {
		ports := make([]string, 0, len(e.Ports))
		for _, pt := range e.Ports {
			ports = append(ports, portWithVerdict(pt, verified))
		}
		rows = append(rows, []string{
			cell(e.NetworkInterfaceID, maxCell),
			cell(dash(e.PublicIP), maxCell),
			cell(e.AccountID+"/"+e.Region, maxCell),
			cell(dash(e.Resource), maxCell),
			cell(strings.Join(ports, ", "), maxMessage),
			cell(strings.Join(exposureGroups(e), ", "), maxMessage)})
	}
	t.writeRows(out, rows, []fit{
		{col: 5, soft: 24, min: 10},               // VIA GROUPS
		{col: 3, soft: 20, min: 8, middle: true},  // RESOURCE
		{col: 2, soft: 23, min: 12, middle: true}, // ACCOUNT/REGION
		{col: 4, soft: 40, min: 16},               // REACHABLE
		{col: 0, soft: 21, min: 10, middle: true}, // INTERFACE
	})
}

// notices writes one line per notice about the scan itself, warnings
// first (prepare sorted them), right above the summary a reader looks at.
func (t Table) notices(out *bytes.Buffer, ns []findings.Notice) {
	for _, n := range ns {
		label := "Note"
		if n.Level == findings.NoticeWarning {
			label = "Warning"
			if t.Color {
				label = severityColor[findings.SeverityMedium] + label + ansiReset
			}
		}
		fmt.Fprintf(out, "%s: %s\n", label, cell(n.Message, maxNotice))
	}
}

func (t Table) coverage(out *bytes.Buffer, p *findings.Report) {
	missing := notOK(p.Coverage)
	if len(missing) == 0 {
		return
	}
	fmt.Fprintf(out, "\nCoverage is incomplete: %d of %d account/regions were not read, so findings there are missing.\n",
		len(missing), len(p.Coverage))
	rows := [][]string{{"STATUS", "ACCOUNT/REGION", "FAILED API", "ERROR CODE", "DETAIL"}}
	for _, c := range missing {
		rows = append(rows, []string{
			cell(string(c.Status), maxCoverageCell),
			cell(c.AccountID+"/"+c.Region, maxCell),
			cell(dash(c.FailedAPI), maxCoverageCell),
			cell(dash(c.ErrorCode), maxCoverageCell),
			cell(dash(c.Detail), maxCoverageDetail)})
	}
	t.writeRows(out, rows, []fit{
		{col: 4, soft: 40, min: 20},               // DETAIL
		{col: 2, soft: 16, min: 10, middle: true}, // FAILED API
		{col: 3, soft: 16, min: 10, middle: true}, // ERROR CODE
		{col: 1, soft: 23, min: 12, middle: true}, // ACCOUNT/REGION
	})
}

func (t Table) checks(out *bytes.Buffer, p *findings.Report) {
	partial := incompleteChecks(p.Checks)
	if len(partial) == 0 {
		return
	}
	out.WriteString("\nChecks not fully evaluated:\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, c := range partial {
		detail := statusText(c.Status)
		if c.StatusDetail != "" {
			detail += ": " + c.StatusDetail
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", cell(c.ID, maxCell), cell(c.Name, maxCell), cell(detail, maxMessage))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
}

// compliance lists the controls of every check that has an active finding,
// so an auditor reading the table sees which CIS and Security Hub items fail.
func (t Table) compliance(out *bytes.Buffer, active []findings.Finding, p *findings.Report) {
	lines := complianceLines(active, p)
	if len(lines) == 0 {
		return
	}
	out.WriteString("\nCompliance controls of the checks above:\n")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, l := range lines {
		fmt.Fprintf(tw, "  %s\t%s\n", cell(l.checkID, maxCell), sanitize(strings.Join(l.controls, " · ")))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
}

// paint colours text with a severity's colour when colour is on.
func (t Table) paint(sev findings.Severity, text string) string {
	c, ok := severityColor[sev]
	if !t.Color || !ok {
		return text
	}
	return c + text + ansiReset
}

// cell makes one table value safe and short.
func cell(s string, max int) string {
	return truncate(sanitize(s), max)
}

// groupCell reads "sg-0abc (web)", or just the id when the name adds
// nothing.
func groupCell(id, name string) string {
	name = cell(name, maxGroupName)
	if name == "" || name == id {
		return cell(id, maxCell)
	}
	return cell(id, maxCell) + " (" + name + ")"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// anyVerified reports whether the analysis answered for a port of any of
// the exposures (reachable or blocked).
func anyVerified(es []findings.Exposure) bool {
	for _, e := range es {
		for _, pt := range e.Ports {
			if pt.Reachable != nil {
				return true
			}
		}
	}
	return false
}
