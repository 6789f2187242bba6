package reporters

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Markdown writes a short GitHub-flavoured Markdown summary for a CI job's
// $GITHUB_STEP_SUMMARY: the account names, the notices about the scan,
// counts by severity and since the baseline, the top findings, the
// interfaces most exposed to the world, coverage problems and checks not
// fully evaluated. Text that came
// from AWS is escaped so a group name can neither inject HTML nor break
// the tables.
type Markdown struct{}

// maxMarkdownFindings caps the findings table: a step summary is for a
// glance (GitHub also limits it to 1 MiB); the full list is in the other
// reports.
const maxMarkdownFindings = 50

// maxMarkdownMessage cuts very long messages, in runes.
const maxMarkdownMessage = 200

// maxMarkdownExposures caps the exposed-interface table at the worst few.
const maxMarkdownExposures = 10

// maxMarkdownPath bounds an attack-surface path: a load balancer's has two
// ARNs and a few more ids, and is cut only past that.
const maxMarkdownPath = 600

// Write implements Reporter.
func (Markdown) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	var b bytes.Buffer
	n := count(p.Findings)
	missing := notOK(p.Coverage)

	b.WriteString("## sgaudit: security group audit\n\n")
	if n.active == 0 {
		b.WriteString("**No findings.**")
	} else {
		fmt.Fprintf(&b, "**%s.**", plural(n.active, "finding"))
	}
	if n.suppressed > 0 {
		fmt.Fprintf(&b, " %s not counted.", plural(n.suppressed, "suppressed finding"))
	}
	fmt.Fprintf(&b, " Scanned %s and %s in %d of %d account/regions (%s).\n\n",
		plural(p.Summary.SecurityGroups, "security group"), plural(p.Summary.Rules, "rule"),
		len(p.Coverage)-len(missing), len(p.Coverage), plural(len(p.Accounts), "account"))
	writeMarkdownAccounts(&b, p.Accounts)
	if text := sourceMappingText(p.SourceMapping); text != "" {
		b.WriteString(md(text) + ".\n\n")
	}
	if bl := p.Baseline; bl != nil {
		fmt.Fprintf(&b, "**Since baseline** %s: %d new, %d unchanged, %d fixed.\n\n",
			md(bl.Path), bl.New, bl.Unchanged, bl.Fixed)
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> The scan is incomplete: %d of %d account/regions were not read (see Coverage problems below).\n\n",
			len(missing), len(p.Coverage))
	}
	writeMarkdownNotices(&b, p.Notices)

	b.WriteString("| Severity | Findings |\n| --- | ---: |\n")
	for _, sev := range severitiesHighFirst() {
		fmt.Fprintf(&b, "| %s | %d |\n", sev, n.bySeverity[sev])
	}
	writeMarkdownAttackSurface(&b, p.Exposures)

	if active := activeBySeverity(p.Findings); len(active) > 0 {
		shown := active[:min(len(active), maxMarkdownFindings)]
		if len(shown) < len(active) {
			fmt.Fprintf(&b, "\n### Top %d of %d findings\n\n", len(shown), len(active))
		} else {
			b.WriteString("\n### Findings\n\n")
		}
		// With a baseline, a New column marks what fails CI.
		newHead, newSep := "", ""
		if p.Baseline != nil {
			newHead, newSep = " New |", " --- |"
		}
		b.WriteString("| Severity |" + newHead + " Check | Account/Region | Group | Rule | Message |\n| --- |" + newSep + " --- | --- | --- | --- | --- |\n")
		for _, f := range shown {
			group := md(f.GroupID)
			if f.GroupName != "" && f.GroupName != f.GroupID {
				group += " (" + md(truncate(sanitize(f.GroupName), maxGroupName)) + ")"
			}
			rule := "-"
			if f.RuleID != "" {
				rule = md(f.RuleID)
			}
			newCell := ""
			if p.Baseline != nil {
				newCell = "  |"
				if f.Baseline == findings.BaselineNew {
					newCell = " **new** |"
				}
			}
			fmt.Fprintf(&b, "| %s |%s %s | %s | %s | %s | %s |\n",
				md(string(f.Severity)), newCell, md(f.CheckID), md(f.AccountID+"/"+f.Region), group, rule,
				md(truncate(sanitize(messageBody(f)), maxMarkdownMessage)))
		}
		if more := len(active) - len(shown); more > 0 {
			word := "findings"
			if more == 1 {
				word = "finding"
			}
			fmt.Fprintf(&b, "\n…and %d more %s, not shown here; the JSON, SARIF and HTML reports list every finding.\n", more, word)
		}
	}

	if lines := complianceLines(activeBySeverity(p.Findings), p); len(lines) > 0 {
		b.WriteString("\n### Compliance controls\n\n| Check | Controls |\n| --- | --- |\n")
		for _, l := range lines {
			fmt.Fprintf(&b, "| %s | %s |\n", md(l.checkID), md(strings.Join(l.controls, " · ")))
		}
	}

	writeMarkdownExposures(&b, p.Exposures)

	if len(missing) > 0 {
		b.WriteString("\n### Coverage problems\n\n")
		b.WriteString("| Status | Account/Region | Failed API | Error code | Detail |\n| --- | --- | --- | --- | --- |\n")
		for _, c := range missing {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n",
				md(string(c.Status)), md(c.AccountID+"/"+c.Region), md(dash(c.FailedAPI)), md(dash(c.ErrorCode)),
				md(truncate(sanitize(dash(c.Detail)), maxMarkdownMessage)))
		}
	}

	if partial := incompleteChecks(p.Checks); len(partial) > 0 {
		b.WriteString("\n### Checks not fully evaluated\n\n")
		for _, c := range partial {
			fmt.Fprintf(&b, "- %s %s: %s", md(c.ID), md(c.Name), md(statusText(c.Status)))
			if c.StatusDetail != "" {
				b.WriteString(" (" + md(c.StatusDetail) + ")")
			}
			b.WriteString("\n")
		}
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// writeMarkdownNotices writes the notices as GitHub alerts: the warnings
// in one WARNING block, the rest in one NOTE block.
// https://docs.github.com/en/get-started/writing-on-github/getting-started-with-writing-and-formatting-on-github/basic-writing-and-formatting-syntax#alerts
func writeMarkdownNotices(b *bytes.Buffer, ns []findings.Notice) {
	var warnings, notes []string
	for _, n := range ns {
		text := md(truncate(sanitize(n.Message), maxMarkdownMessage))
		if n.Level == findings.NoticeWarning {
			warnings = append(warnings, text)
		} else {
			notes = append(notes, text)
		}
	}
	for _, block := range []struct {
		kind  string
		items []string
	}{{"WARNING", warnings}, {"NOTE", notes}} {
		if len(block.items) == 0 {
			continue
		}
		b.WriteString("> [!" + block.kind + "]\n")
		for _, item := range block.items {
			b.WriteString("> - " + item + "\n")
		}
		b.WriteString("\n")
	}
}

// writeMarkdownAttackSurface writes the ports verified reachable from the
// internet (docs/reachability.md), catalogue services first, with the
// path of each, as the HTML report opens with: nothing when none was
// verified reachable.
func writeMarkdownAttackSurface(b *bytes.Buffer, es []findings.Exposure) {
	rows := attackSurface(es)
	if len(rows) == 0 {
		return
	}
	shown := rows[:min(len(rows), maxMarkdownExposures)]
	b.WriteString("\n### Internet attack surface\n\n")
	fmt.Fprintf(b, "%s verified reachable from the internet (route table, network ACL and groups)", plural(len(rows), "port"))
	if len(shown) < len(rows) {
		fmt.Fprintf(b, "; the first %d, catalogue services first:\n\n", len(shown))
	} else {
		b.WriteString(":\n\n")
	}
	b.WriteString("| Interface | Account/Region | Port | Via | Path |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range shown {
		port := r.Port
		if r.Services != "" {
			port += " (" + r.Services + ")"
		}
		if r.Critical {
			port += " CRITICAL"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n",
			md(r.InterfaceID), md(r.AccountID+"/"+r.Region), md(port),
			md(truncate(r.Via, maxMarkdownMessage)), md(truncate(strings.Join(r.Path, " → "), maxMarkdownPath)))
	}
}

// writeMarkdownExposures writes how many interfaces the world can reach and
// a table of the worst of them (see exposureRisk).
func writeMarkdownExposures(b *bytes.Buffer, es []findings.Exposure) {
	if len(es) == 0 {
		return
	}
	worst := slices.Clone(es)
	slices.SortStableFunc(worst, func(x, y findings.Exposure) int {
		return exposureRisk(y).compare(exposureRisk(x))
	})
	shown := worst[:min(len(worst), maxMarkdownExposures)]
	verified := anyVerified(es)
	b.WriteString("\n### Exposed interfaces\n\n")
	if verified {
		fmt.Fprintf(b, "%s with a world-open port behind a public IP or an internet-facing load balancer", plural(len(es), "interface"))
	} else {
		fmt.Fprintf(b, "%s with a public IP reachable from the world", plural(len(es), "interface"))
	}
	if len(shown) < len(es) {
		fmt.Fprintf(b, "; the %d most exposed:\n\n", len(shown))
	} else {
		b.WriteString(":\n\n")
	}
	b.WriteString("| Interface | Public IP | Account/Region | Resource | Reachable | Via groups |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, e := range shown {
		ports := make([]string, 0, len(e.Ports))
		for _, pt := range e.Ports {
			ports = append(ports, portWithVerdict(pt, verified))
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n",
			md(e.NetworkInterfaceID), md(dash(e.PublicIP)), md(e.AccountID+"/"+e.Region), md(dash(e.Resource)),
			md(truncate(sanitize(strings.Join(ports, ", ")), maxMarkdownMessage)),
			md(truncate(strings.Join(exposureGroups(e), ", "), maxMarkdownMessage)))
	}
}

// writeMarkdownAccounts writes one line naming the accounts, since the
// tables show only account ids; nothing when no account has a name.
func writeMarkdownAccounts(b *bytes.Buffer, accts []inventory.Account) {
	named := namedAccounts(accts)
	if len(named) == 0 {
		return
	}
	parts := make([]string, 0, min(len(named), maxAccountLegend))
	for _, a := range named[:min(len(named), maxAccountLegend)] {
		parts = append(parts, md(a.ID)+" ("+md(a.Name)+")")
	}
	more := ""
	if n := len(named) - maxAccountLegend; n > 0 {
		more = ", …and " + plural(n, "more named account")
	}
	fmt.Fprintf(b, "**Accounts:** %s%s.\n\n", strings.Join(parts, ", "), more)
}

// mdEscaper escapes what GitHub-flavoured Markdown would interpret inside a
// table cell or a list item. HTML metacharacters become entities, so an
// injected <script> or <img> stays text (GitHub sanitises HTML as well, but
// a Markdown file is also rendered by other tools). A pipe would end the
// table cell; the rest would start emphasis, code, links or strikethrough.
// https://github.github.com/gfm/#backslash-escapes
var mdEscaper = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	`\`, `\\`, "|", `\|`, "`", "\\`", "*", `\*`, "_", `\_`,
	"[", `\[`, "]", `\]`, "~", `\~`, "#", `\#`, "!", `\!`,
)

// md makes one value safe for a single line of Markdown: sanitised, with
// Markdown and HTML metacharacters escaped, and every word GitHub would
// turn into a link or a notification put in a code span, where GitHub
// renders it as plain text: a URL ("http://x" is autolinked), "www.x",
// an @mention (which would notify that user or team wherever the summary
// is shown) or an e-mail address. Words end at white space and at the
// characters a code span cannot hold safely (backtick, pipe, < and >),
// which are escaped outside it.
// https://github.github.com/gfm/#autolinks-extension-
func md(s string) string {
	s = sanitize(s)
	if !hasLinky(s) {
		return mdEscaper.Replace(s)
	}
	var b strings.Builder
	word := func(w string) {
		if hasLinky(w) {
			b.WriteString("`" + w + "`")
		} else {
			b.WriteString(mdEscaper.Replace(w))
		}
	}
	start := 0
	for i, r := range s {
		if r == '`' || r == '|' || r == '<' || r == '>' || unicode.IsSpace(r) {
			word(s[start:i])
			b.WriteString(mdEscaper.Replace(string(r)))
			start = i + utf8.RuneLen(r)
		}
	}
	word(s[start:])
	return b.String()
}

// hasLinky reports whether s holds what GitHub autolinks or notifies: a
// scheme's "://", "www." or an "@" (mentions and e-mail addresses).
func hasLinky(s string) bool {
	if strings.Contains(s, "://") || strings.Contains(s, "@") {
		return true
	}
	return strings.Contains(strings.ToLower(s), "www.")
}
