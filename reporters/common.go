package reporters

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// errNilReport is returned by every reporter given a nil report.
var errNilReport = errors.New("nil report")

// prepare returns a copy of r whose lists are cloned, sorted in the
// canonical order and never nil, so that reporters neither modify the
// caller's report (several reporters may read it at once) nor depend on the
// order it was built in. Findings and checks themselves are shared: their
// maps and slices are only read.
func prepare(r *findings.Report) (*findings.Report, error) {
	if r == nil {
		return nil, errNilReport
	}
	p := *r
	p.Accounts = cloneSorted(r.Accounts, func(a, b inventory.Account) int { return cmp.Compare(a.ID, b.ID) })
	p.Coverage = cloneSorted(r.Coverage, func(a, b inventory.Coverage) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region))
	})
	for i := range p.Coverage {
		if p.Coverage[i].Collected == nil {
			p.Coverage[i].Collected = []string{}
		}
	}
	p.Checks = cloneSorted(r.Checks, func(a, b findings.Check) int { return cmp.Compare(a.ID, b.ID) })
	for i := range p.Checks {
		c := &p.Checks[i]
		// A framework with a nil control list would print as null.
		for k, v := range c.Frameworks {
			if v == nil {
				fw := maps.Clone(c.Frameworks)
				fw[k] = []string{}
				c.Frameworks = fw
			}
		}
	}
	p.Findings = cloneSorted(r.Findings, findings.CompareFindings)
	p.Summary.BySeverity = cloneMap(r.Summary.BySeverity)
	p.Summary.ByCheck = cloneMap(r.Summary.ByCheck)
	return &p, nil
}

// cloneSorted returns a sorted copy of s, never nil. The sort is stable so
// two entries equal under compare keep the caller's order.
func cloneSorted[T any](s []T, compare func(a, b T) int) []T {
	out := make([]T, len(s))
	copy(out, s)
	slices.SortStableFunc(out, compare)
	return out
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return maps.Clone(m)
}

// tally counts unsuppressed findings per severity. Reporters count from the
// findings themselves rather than trusting Summary, which the caller may
// not have filled in.
type tally struct {
	active     int
	suppressed int
	bySeverity map[findings.Severity]int
}

func count(fs []findings.Finding) tally {
	t := tally{bySeverity: map[findings.Severity]int{}}
	for _, f := range fs {
		if f.Suppression != nil {
			t.suppressed++
			continue
		}
		t.active++
		t.bySeverity[f.Severity]++
	}
	return t
}

// severitiesHighFirst lists the severities from CRITICAL down to LOW.
func severitiesHighFirst() []findings.Severity {
	s := slices.Clone(findings.Severities)
	slices.Reverse(s)
	return s
}

// activeBySeverity returns the unsuppressed findings, highest severity
// first and in the canonical order within a severity.
func activeBySeverity(fs []findings.Finding) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.Suppression == nil {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, findings.CompareBySeverity)
	return out
}

// messageBody returns a finding's message without the leading
// "sg-0abc (name) " that every message starts with, for tables whose GROUP
// column already shows it.
func messageBody(f findings.Finding) string {
	if f.GroupID == "" {
		return f.Message
	}
	for _, prefix := range []string{f.GroupID + " (" + f.GroupName + ") ", f.GroupID + " "} {
		if rest, ok := strings.CutPrefix(f.Message, prefix); ok && strings.TrimSpace(rest) != "" {
			return rest
		}
	}
	return f.Message
}

// notOK returns the coverage rows whose (account, region) was not read.
func notOK(cov []inventory.Coverage) []inventory.Coverage {
	var out []inventory.Coverage
	for _, c := range cov {
		if c.Status != inventory.CoverageOK {
			out = append(out, c)
		}
	}
	return out
}

// incompleteChecks returns the checks that were not evaluated everywhere.
// Disabled checks are left out: they are off on purpose.
func incompleteChecks(checks []findings.Check) []findings.Check {
	var out []findings.Check
	for _, c := range checks {
		if c.Status == findings.CheckNotEvaluated || c.Status == findings.CheckPartial {
			out = append(out, c)
		}
	}
	return out
}

// statusText reads a check status in words.
func statusText(s findings.CheckStatus) string {
	return strings.ReplaceAll(string(s), "_", " ")
}

// plural returns "1 finding" or "2 findings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// sanitize makes text that came from AWS safe to print on one line of a
// terminal or a Markdown table. Security group names, descriptions and
// tags are attacker-controlled: an ANSI escape in a group name could clear
// the screen, retitle the terminal, forge output or, in some terminals,
// write files (OSC 52, OSC 8 hyperlinks). It removes
//   - ANSI escape sequences: CSI (ESC [ … final byte), OSC/DCS/SOS/PM/APC
//     strings (up to BEL or ST), and two-byte ESC sequences, in both their
//     7-bit and 8-bit (C1) forms;
//   - every other C0 and C1 control character (tabs and line breaks become
//     spaces so one value stays on one line);
//   - Unicode bidirectional overrides, which reorder what the reader sees
//     ("Trojan Source", CVE-2021-42574).
//
// Invalid UTF-8 becomes U+FFFD.
// See ECMA-48 §5 for the sequence grammar.
func sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(strings.ToValidUTF8(s, "\uFFFD"))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == 0x1b: // ESC
			if i+1 >= len(rs) {
				continue
			}
			switch next := rs[i+1]; {
			case next == '[':
				i = skipCSI(rs, i+2)
			case next == ']' || next == 'P' || next == 'X' || next == '^' || next == '_':
				i = skipString(rs, i+2)
			default:
				i++ // two-byte sequence such as ESC c (reset) or ESC 7
			}
		case r == 0x9b: // C1 CSI
			i = skipCSI(rs, i+1)
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // C1 OSC, DCS, SOS, PM, APC
			i = skipString(rs, i+1)
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			// other controls: drop
		case isBidiControl(r):
			// drop
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPlain reports whether s is valid printable ASCII, the common case.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// skipCSI skips a control sequence's parameter and intermediate bytes and
// returns the index of its final byte (0x40–0x7E), or the last index when
// the sequence is cut short.
func skipCSI(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		if rs[i] >= 0x40 && rs[i] <= 0x7e {
			return i
		}
	}
	return len(rs) - 1
}

// skipString skips a control string up to and including its terminator:
// BEL, ST (ESC \) or C1 ST (0x9c). An unterminated string runs to the end,
// as a terminal would swallow it.
func skipString(rs []rune, i int) int {
	for ; i < len(rs); i++ {
		switch {
		case rs[i] == 0x07 || rs[i] == 0x9c:
			return i
		case rs[i] == 0x1b && i+1 < len(rs) && rs[i+1] == '\\':
			return i + 1
		}
	}
	return len(rs) - 1
}

// isBidiControl reports the explicit directional formatting characters of
// Unicode's bidirectional algorithm (UAX #9): LRE, RLE, PDF, LRO, RLO, LRI,
// RLI, FSI, PDI, and the marks LRM, RLM, ALM.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// truncate shortens s to at most max runes, ending with "…" when cut.
func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:max-1]), " ") + "…"
}
