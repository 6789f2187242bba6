package reporters

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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
type Table struct {
	// Color highlights severities with ANSI colours. The caller sets it
	// only when writing to a terminal that wants colour (not NO_COLOR).
	Color bool
}

// Cell widths, in runes, past which a value is cut with "…". Messages get
// the most room; the rest keep a row within about 200 columns.
const (
	maxGroupName      = 32
	maxMessage        = 100
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
	if len(active) == 0 {
		out.WriteString("No findings.\n")
	} else {
		t.findingsTable(&out, active, p.Baseline != nil)
	}
	t.exposures(&out, p.Exposures)
	out.WriteString("\n")
	t.notices(&out, p.Notices)
	t.summary(&out, p)
	t.coverage(&out, p)
	t.checks(&out, p)
	t.compliance(&out, active, p)
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// findingsTable writes the findings. With a baseline, a NEW column marks
// the findings the baseline did not have: the ones that fail CI.
func (t Table) findingsTable(out *bytes.Buffer, active []findings.Finding, baseline bool) {
	var plain bytes.Buffer
	tw := tabwriter.NewWriter(&plain, 0, 0, 2, ' ', 0)
	newHeader := ""
	if baseline {
		newHeader = "NEW\t"
	}
	fmt.Fprintln(tw, "SEVERITY\t"+newHeader+"CHECK\tACCOUNT/REGION\tGROUP\tRULE\tMESSAGE")
	for _, f := range active {
		rule := f.RuleID
		if rule == "" {
			rule = "-"
		}
		newCell := ""
		if baseline {
			newCell = "\t"
			if f.Baseline == findings.BaselineNew {
				newCell = "new\t"
			}
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\t%s\t%s\n",
			cell(string(f.Severity), maxCell),
			newCell,
			cell(f.CheckID, maxCell),
			cell(f.AccountID+"/"+f.Region, maxCell),
			groupCell(f.GroupID, f.GroupName),
			cell(rule, maxCell),
			cell(messageBody(f), maxMessage))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail

	if !t.Color {
		out.Write(plain.Bytes())
		return
	}
	// Sanitised cells hold no line breaks, so line i+1 is finding i and
	// starts with its severity followed by padding.
	lines := strings.SplitAfter(plain.String(), "\n")
	for i, line := range lines {
		switch {
		case line == "":
		case i == 0:
			out.WriteString(ansiBold + strings.TrimRight(line, " \n") + ansiReset + "\n")
		case i-1 < len(active):
			sev := string(active[i-1].Severity)
			if c, ok := severityColor[active[i-1].Severity]; ok && strings.HasPrefix(line, sev) {
				line = c + sev + ansiReset + line[len(sev):]
			}
			out.WriteString(line)
		default:
			out.WriteString(line)
		}
	}
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
	fmt.Fprintf(out, "\nExposed interfaces: %s with a public IP reachable from the world\n", plural(len(es), "interface"))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "INTERFACE\tPUBLIC IP\tACCOUNT/REGION\tRESOURCE\tREACHABLE\tVIA GROUPS")
	for _, e := range es {
		ports := make([]string, 0, len(e.Ports))
		for _, pt := range e.Ports {
			ports = append(ports, portWithServices(pt))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			cell(e.NetworkInterfaceID, maxCell),
			cell(e.PublicIP, maxCell),
			cell(e.AccountID+"/"+e.Region, maxCell),
			cell(dash(e.Resource), maxCell),
			cell(strings.Join(ports, ", "), maxMessage),
			cell(strings.Join(exposureGroups(e), ", "), maxMessage))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
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
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tACCOUNT/REGION\tFAILED API\tERROR CODE\tDETAIL")
	for _, c := range missing {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n",
			cell(string(c.Status), maxCoverageCell),
			cell(c.AccountID+"/"+c.Region, maxCell),
			cell(dash(c.FailedAPI), maxCoverageCell),
			cell(dash(c.ErrorCode), maxCoverageCell),
			cell(dash(c.Detail), maxCoverageDetail))
	}
	_ = tw.Flush() // writes to a bytes.Buffer, which cannot fail
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
