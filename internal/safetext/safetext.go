// Package safetext makes text that came from outside sgaudit (AWS answers,
// imported files, policy METADATA, error messages quoting them) safe to
// print on one line of a terminal, a log or a Markdown table. It is the
// one sanitiser of the project: the reporters and the command line both
// use it (docs/security.md).
package safetext

import "strings"

// Line makes s safe to print on one line of a terminal or a Markdown
// table. Security group names, descriptions and tags are
// attacker-controlled: an ANSI escape in a group name could clear the
// screen, retitle the terminal, forge output or, in some terminals, write
// files (OSC 52, OSC 8 hyperlinks). It removes
//   - ANSI escape sequences: CSI (ESC [ … final byte), OSC/DCS/SOS/PM/APC
//     strings (up to BEL or ST), and two-byte ESC sequences, in both their
//     7-bit and 8-bit (C1) forms;
//   - every other C0 and C1 control character and DEL (tabs and line
//     breaks, U+2028 and U+2029 included, become spaces so one value stays
//     on one line);
//   - Unicode bidirectional controls, which reorder what the reader sees
//     ("Trojan Source", CVE-2021-42574);
//   - invisible characters that hide or smuggle text: zero-width space,
//     word joiner and invisible operators, the byte order mark, deprecated
//     format characters, interlinear annotation and tag characters
//     (see Invisible).
//
// Invalid UTF-8 becomes U+FFFD. Line is idempotent: Line(Line(s)) ==
// Line(s). See ECMA-48 §5 for the sequence grammar.
func Line(s string) string {
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
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			// other controls: drop
		case IsBidiControl(r), Invisible(r):
			// drop
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Safe reports whether s prints as it is: Line(s) == s.
func Safe(s string) bool {
	return isPlain(s) || Line(s) == s
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

// IsBidiControl reports the explicit directional formatting characters of
// Unicode's bidirectional algorithm (UAX #9): LRE, RLE, PDF, LRO, RLO, LRI,
// RLI, FSI, PDI, and the marks LRM, RLM, ALM.
func IsBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}

// Invisible reports format characters that print as nothing yet change
// what a string is: text hidden between them looks like the text without
// it ("sg-1\u200b23" reads as sg-123), and tag characters carry whole
// hidden ASCII messages. Zero-width (non-)joiners are kept: scripts and
// emoji need them, and they cannot hide text on their own.
func Invisible(r rune) bool {
	switch {
	case r == 0x200b, // zero-width space
		r == 0xfeff,                  // byte order mark, zero-width no-break space
		r == 0x180e,                  // Mongolian vowel separator
		r >= 0x2060 && r <= 0x2064,   // word joiner, invisible operators
		r >= 0x206a && r <= 0x206f,   // deprecated format characters
		r >= 0xfff9 && r <= 0xfffb,   // interlinear annotation
		r >= 0xe0000 && r <= 0xe007f: // tag characters
		return true
	}
	return false
}

// Dangerous reports whether r never appears in Line's output: a C0 or C1
// control, DEL, a line or paragraph separator, a bidirectional control or
// an invisible character.
func Dangerous(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 ||
		IsBidiControl(r) || Invisible(r)
}
