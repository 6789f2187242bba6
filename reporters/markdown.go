package reporters

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// Markdown writes a short GitHub-flavoured Markdown summary for a CI job's
// $GITHUB_STEP_SUMMARY: counts by severity, the top findings, coverage
// problems and checks not fully evaluated. Text that came from AWS is
// escaped so a group name can neither inject HTML nor break the tables.
type Markdown struct{}

// maxMarkdownFindings caps the findings table: a step summary is for a
// glance (GitHub also limits it to 1 MiB); the full list is in the other
// reports.
const maxMarkdownFindings = 50

// maxMarkdownMessage cuts very long messages, in runes.
const maxMarkdownMessage = 200

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
	if len(missing) > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> The scan is incomplete: %d of %d account/regions were not read (see Coverage problems below).\n\n",
			len(missing), len(p.Coverage))
	}

	b.WriteString("| Severity | Findings |\n| --- | ---: |\n")
	for _, sev := range severitiesHighFirst() {
		fmt.Fprintf(&b, "| %s | %d |\n", sev, n.bySeverity[sev])
	}

	if active := activeBySeverity(p.Findings); len(active) > 0 {
		shown := active[:min(len(active), maxMarkdownFindings)]
		if len(shown) < len(active) {
			fmt.Fprintf(&b, "\n### Top %d of %d findings\n\n", len(shown), len(active))
		} else {
			b.WriteString("\n### Findings\n\n")
		}
		b.WriteString("| Severity | Check | Account/Region | Group | Rule | Message |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, f := range shown {
			group := md(f.GroupID)
			if f.GroupName != "" && f.GroupName != f.GroupID {
				group += " (" + md(truncate(sanitize(f.GroupName), maxGroupName)) + ")"
			}
			rule := "-"
			if f.RuleID != "" {
				rule = md(f.RuleID)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
				md(string(f.Severity)), md(f.CheckID), md(f.AccountID+"/"+f.Region), group, rule,
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

// md makes one value safe for a single line of Markdown.
func md(s string) string {
	return mdEscaper.Replace(sanitize(s))
}
