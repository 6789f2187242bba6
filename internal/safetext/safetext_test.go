package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "plain", in: "web-prod sg", want: "web-prod sg"},
		{name: "unicode kept", in: "café-日本", want: "café-日本"},
		{name: "joiners kept", in: "می\u200cخواهم 👩\u200d💻", want: "می\u200cخواهم 👩\u200d💻"},
		{name: "CSI colour", in: "a\x1b[31mred\x1b[0m", want: "ared"},
		{name: "CSI clear screen", in: "x\x1b[2Jy", want: "xy"},
		{name: "CSI with intermediates", in: "x\x1b[?25ly", want: "xy"},
		{name: "OSC title with BEL", in: "x\x1b]0;pwned\x07y", want: "xy"},
		{name: "OSC 8 hyperlink with ST", in: "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\", want: "click"},
		{name: "OSC 52 clipboard", in: "a\x1b]52;c;cm0gLXJmIH4=\x07b", want: "ab"},
		{name: "DCS", in: "a\x1bPq#0;2;0;0;0\x1b\\b", want: "ab"},
		{name: "two-byte ESC", in: "a\x1bcb", want: "ab"},
		{name: "ESC at end", in: "a\x1b", want: "a"},
		{name: "unterminated CSI", in: "a\x1b[31", want: "a"},
		{name: "unterminated OSC swallows rest", in: "a\x1b]0;title", want: "a"},
		{name: "C1 CSI", in: "a\u009b31mb", want: "ab"},
		{name: "C1 OSC", in: "a\u009d0;t\u009cb", want: "ab"},
		{name: "other C1", in: "a\u0085b", want: "ab"},
		{name: "line breaks and tabs", in: "a\nb\r\nc\td", want: "a b  c d"},
		{name: "Unicode line and paragraph separators", in: "a\u2028b\u2029c", want: "a b c"},
		{name: "NUL BEL DEL backspace", in: "a\x00b\x07c\x7fd\x08e", want: "abcde"},
		{name: "bidi override", in: "invoice\u202egpj.exe", want: "invoicegpj.exe"},
		{name: "bidi isolates and marks", in: "\u2066a\u2069\u200fb\u061c", want: "ab"},
		{name: "zero-width space hides a character", in: "sg-1\u200b23", want: "sg-123"},
		{name: "byte order mark and word joiner", in: "\ufeffa\u2060b", want: "ab"},
		{name: "tag characters smuggle text", in: "ok\U000E0069\U000E0067\U000E006E", want: "ok"},
		{name: "invalid UTF-8", in: "a\xffb", want: "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := Safe(tt.in); got != (tt.in == tt.want) {
				t.Errorf("Safe(%q) = %v", tt.in, got)
			}
		})
	}
}

// FuzzSanitize checks Line's contract on any input: valid UTF-8, no
// dangerous character, no line break, and idempotent.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		"", "plain", "café", "a\x1b[31mred\x1b[0m", "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
		"a\u009b31mb", "a\u009d0;t\u009cb", "invoice\u202egpj.exe", "\u2066a\u2069", "a\xffb",
		"\x1b\x1b[", "\x1b\u009b", "line\nbreak\r\n", "sg-1\u200b23", "\U000E0041", "\x1b]0;\x1b\\\x1b[1m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Line(%q) = %q: invalid UTF-8", s, got)
		}
		for _, r := range got {
			if Dangerous(r) {
				t.Fatalf("Line(%q) = %q keeps %U", s, got, r)
			}
		}
		if strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Line(%q) = %q spans lines", s, got)
		}
		if again := Line(got); again != got {
			t.Fatalf("Line is not idempotent: Line(%q) = %q, Line of that = %q", s, got, again)
		}
		if !Safe(got) {
			t.Fatalf("Safe(Line(%q)) = false", s)
		}
	})
}
