package checkdocs

import (
	"bufio"
	"regexp"
	"slices"
	"strings"
)

// This file reads the hand-written pages docs/checks/<ID>.md back, so the
// tests can hold them to the catalogue. The format a page must keep:
//
//	# SGA001: <the check's METADATA title>
//
//	- Severity: **HIGH** (anything may follow the severity word)
//	- On by default: yes
//
//	## What it flags        (and every other heading in requiredSections)
//	...
//	## Compliance
//	| Framework | Version | Controls |
//	|---|---|---|
//	| CIS AWS Foundations Benchmark (`cis-aws-foundations`) | v3.0 | 5.2, 5.3 |
//	| AWS Security Hub (`aws-security-hub`) | – | EC2.13 |
//
// A framework row is one whose first cell holds the METADATA key in
// backquotes; its controls are the last cell, comma-separated, each
// prefixed with the version ("v3.0:5.2", as METADATA writes versioned
// controls) unless the version is "–". A two-column table (framework,
// controls) works too. A framework may take several rows; a page without
// such rows maps to no framework.

// requiredSections are the level-2 headings every page has, in this order.
var requiredSections = []string{
	"What it flags",
	"Why it matters",
	"Bad example",
	"Good example",
	"How sgaudit reports it",
	"Remediation",
	"Compliance",
	"Tuning and suppression",
	"False positives",
}

// page is what the tests read from one check page.
type page struct {
	ID, Title string
	// Severity and OnByDefault are as the page states them ("" when it
	// does not).
	Severity    string
	OnByDefault string
	// Sections maps a level-2 heading to its body; Headings keeps their
	// order.
	Sections map[string]string
	Headings []string
	// Frameworks are the Compliance section's rows.
	Frameworks map[string][]string
}

var (
	titleLine = regexp.MustCompile(`^# ([A-Z][A-Z0-9]*[0-9]{3}): (.+)$`)
	// keyCell finds the METADATA key of a framework row: `cis-aws-foundations`.
	keyCell = regexp.MustCompile("`([a-z0-9][a-z0-9-]*)`")
)

// parsePage reads a page. Headings inside fenced code blocks (a shell
// comment such as "# list the rules") are text, not structure.
func parsePage(text string) page {
	p := page{Sections: map[string]string{}, Frameworks: map[string][]string{}}
	var cur string
	var body strings.Builder
	flush := func() {
		if cur != "" {
			p.Sections[cur] = strings.TrimSpace(body.String())
		}
		body.Reset()
	}
	fenced := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		switch {
		case fenced || strings.HasPrefix(strings.TrimSpace(line), "```"):
			// part of a code block
		case p.ID == "" && titleLine.MatchString(line):
			m := titleLine.FindStringSubmatch(line)
			p.ID, p.Title = m[1], strings.TrimSpace(m[2])
			continue
		case strings.HasPrefix(line, "## "):
			flush()
			cur = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			p.Headings = append(p.Headings, cur)
			continue
		case cur == "":
			// The header list between the title and the first section.
			field := strings.TrimSpace(strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(line), "- "), "*", ""))
			if v, ok := strings.CutPrefix(field, "Severity:"); ok {
				p.Severity = firstWord(v)
			}
			if v, ok := strings.CutPrefix(field, "On by default:"); ok {
				p.OnByDefault = firstWord(v)
			}
		case cur == "Compliance" && strings.HasPrefix(strings.TrimSpace(line), "|"):
			cells := tableCells(line)
			if m := keyCell.FindStringSubmatch(cells[0]); m != nil && len(cells) >= 2 {
				// | framework (`key`) | controls |, or with a version
				// column: | framework (`key`) | v3.0 | 5.2, 5.3 | reads as
				// the METADATA controls v3.0:5.2 and v3.0:5.3.
				version, controls := "", cells[1]
				if len(cells) >= 3 {
					version, controls = strings.Trim(cells[1], "`"), cells[2]
				}
				for _, c := range splitControls(controls) {
					if version != "" && version != "–" && version != "-" {
						c = version + ":" + c
					}
					p.Frameworks[m[1]] = append(p.Frameworks[m[1]], c)
				}
				slices.Sort(p.Frameworks[m[1]])
			}
		}
		body.WriteString(line)
		body.WriteByte('\n')
	}
	flush()
	return p
}

func firstWord(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], ".,;:()")
}

// tableCells splits a Markdown table row into its trimmed cells; an
// escaped pipe (\|) stays inside its cell.
func tableCells(row string) []string {
	row = strings.TrimSpace(row)
	row = strings.TrimPrefix(row, "|")
	row = strings.TrimSuffix(row, "|")
	var cells []string
	var b strings.Builder
	for i := 0; i < len(row); i++ {
		switch {
		case row[i] == '\\' && i+1 < len(row):
			b.WriteByte(row[i])
			b.WriteByte(row[i+1])
			i++
		case row[i] == '|':
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(row[i])
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

// splitControls reads "5.2, 5.3" (controls may be in backquotes) as a
// sorted list.
func splitControls(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		if c = strings.Trim(strings.TrimSpace(c), "`"); c != "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// codeBlocks returns the bodies of the fenced code blocks of text whose
// info string is lang ("sh", "json").
func codeBlocks(text, lang string) []string {
	var out []string
	var body strings.Builder
	in, keep := false, false
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case !in && strings.HasPrefix(t, "```"):
			in, keep = true, strings.TrimPrefix(t, "```") == lang
			body.Reset()
		case in && t == "```":
			if keep {
				out = append(out, body.String())
			}
			in = false
		case in:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	return out
}
