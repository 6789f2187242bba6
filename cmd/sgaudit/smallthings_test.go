package main

import (
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/internal/safetext"
)

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"unknown command \"scna\" for \"sgaudit\"\n\nDid you mean this?\n\tscan\n", `unknown command "scna" for "sgaudit" (did you mean scan?)`},
		{"unknown command \"c\" for \"sgaudit\"\n\nDid you mean this?\n\tchecks\n\tcollect\n", `unknown command "c" for "sgaudit" (did you mean checks or collect?)`},
		{"compile policies:\n  a.rego:3: rego_parse_error\n\n  b.rego:4: x\r\n", "compile policies: a.rego:3: rego_parse_error; b.rego:4: x"},
		{"  plain  error ", "plain error"},
		{"bell\x07 \x1b[31mred", "bell red"},
	}
	for _, tt := range tests {
		if got := oneLine(tt.in); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestErrorLineIsBounded: an error quoting a huge value from a file (a
// 100 MB JSON key) is one bounded line that still names the file.
func TestErrorLineIsBounded(t *testing.T) {
	key := strings.Repeat("k", 10<<20)
	got := oneLine("invalid input: big.json: unknown top-level key " + key + "\nmore")
	if len(got) > maxErrorLine+100 {
		t.Errorf("the error line is %d bytes, want at most about %d", len(got), maxErrorLine)
	}
	if !strings.HasPrefix(got, "invalid input: big.json: unknown top-level key kkk") || !strings.HasSuffix(got, "bytes of the message left out)") {
		t.Errorf("the bounded line lost its start or does not say it was cut: %.120q … %.80q", got, got[max(len(got)-80, 0):])
	}
	if short := oneLine("short error"); short != "short error" {
		t.Errorf("a short line changed: %q", short)
	}
}

// TestMistypedCommand: "sgaudit scna" is one line suggesting scan, with no
// literal "⏎" in it.
func TestMistypedCommand(t *testing.T) {
	r := runCLI(t, "scna")
	assertOneLineError(t, r, `unknown command "scna" for "sgaudit" (did you mean scan?)`)
}

// TestMissingProfileWrappedOnce: an unknown --profile says "load AWS
// configuration:" once, not twice.
func TestMissingProfileWrappedOnce(t *testing.T) {
	isolateAWSEnv(t)
	for _, cmd := range []string{"scan", "collect"} {
		t.Run(cmd, func(t *testing.T) {
			r := runCLI(t, cmd, "--profile", "no-such-profile", "--regions", "eu-west-1")
			assertOneLineError(t, r, "no-such-profile")
			if n := strings.Count(r.stderr, "load AWS configuration"); n != 1 {
				t.Errorf("stderr says %q %d times: %s", "load AWS configuration", n, r.stderr)
			}
		})
	}
}

// TestRootHelp: the top-level help lists the completion command and every
// report format.
func TestRootHelp(t *testing.T) {
	r := runCLI(t, "--help")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"completion", "table", "JSON", "SARIF", "Markdown", "HTML"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("sgaudit --help does not mention %q:\n%s", want, r.stdout)
		}
	}
	if r := runCLI(t, "completion", "bash"); r.code != exitOK || !strings.Contains(r.stdout, "sgaudit") {
		t.Errorf("completion bash: exit %d, %d bytes", r.code, len(r.stdout))
	}
}

// FuzzOneLine: whatever an error says, its line is one line with nothing
// a terminal acts on, and keeps every word of a plain one-line message.
func FuzzOneLine(f *testing.F) {
	f.Add("unknown command \"scna\" for \"sgaudit\"\n\nDid you mean this?\n\tscan\n")
	f.Add("a:\n b\r\n\x1b[2Jc")
	f.Add("plain message")
	f.Fuzz(func(t *testing.T, s string) {
		got := oneLine(s)
		for _, r := range got {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("oneLine(%q) = %q holds %U", s, got, r)
			}
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("oneLine(%q) = %q: stray spaces", s, got)
		}
		if !strings.ContainsAny(s, "\n\r") && safetext.Line(s) == s {
			if want := strings.Join(strings.Fields(s), " "); got != want {
				t.Fatalf("oneLine(%q) = %q, want %q: a plain line changed", s, got, want)
			}
		}
	})
}
