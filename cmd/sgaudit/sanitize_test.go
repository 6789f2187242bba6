package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/internal/collect"
)

// terminalHazards are the characters no output path may let through: ESC
// (ANSI sequences), C1 CSI, and a bidi override.
var terminalHazards = []string{"\x1b", "\u009b", "\u202e"}

func assertNoHazards(t *testing.T, what, out string) {
	t.Helper()
	for _, h := range terminalHazards {
		if strings.Contains(out, h) {
			t.Errorf("%s carries %q:\n%q", what, h, out)
		}
	}
}

// TestErrorLineIsSanitised: an error quoting a name from outside (here the
// file name) prints neither its escape sequence nor its bidi override.
func TestErrorLineIsSanitised(t *testing.T) {
	name := filepath.Join(t.TempDir(), "evil\x1b[31mred\u202eTXT.json")
	r := runCLI(t, "scan", "--input", name)
	assertOneLineError(t, r, "evilredTXT.json")
	assertNoHazards(t, "stderr", r.stderr)
}

// TestUsageErrorLineIsSanitised: cobra's own errors quote the argument
// as it was typed.
func TestUsageErrorLineIsSanitised(t *testing.T) {
	r := runCLI(t, "scan", "--frob\x1b]0;pwned\x07\u202e")
	assertOneLineError(t, r, "unknown flag: --frob")
	assertNoHazards(t, "stderr", r.stderr)
}

func TestLoggerSanitises(t *testing.T) {
	const evil = "sg-1 (\x1b[2J\u202eweb\u009b31m)"
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			log, err := newLogger(&buf, "info", format)
			if err != nil {
				t.Fatal(err)
			}
			log.Warn("group "+evil+" skipped", "group", evil, "error", &json.SyntaxError{})
			assertNoHazards(t, "log line", buf.String())
			if !strings.Contains(buf.String(), "sg-1 (web)") {
				t.Errorf("log line lost the group name: %s", buf.String())
			}
		})
	}
}

func TestProgressLineIsSanitised(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	newProgressLine(&buf, nil).update(collect.ProgressEvent{Done: 1, Total: 2, Accounts: 1, AccountsReady: 1,
		AccountID: "111122223333", Region: "eu-west-1\x1b]0;pwned\x07\u202e", Status: "ok"})
	assertNoHazards(t, "progress line", buf.String())
	if !strings.Contains(buf.String(), "111122223333/eu-west-1 ok") {
		t.Errorf("progress line lost its text: %q", buf.String())
	}
}

// TestChecksPolicyTitleIsSanitised: a custom policy's METADATA title with
// an escape sequence and a bidi override lists sanitised in the table and
// the Markdown index.
func TestChecksPolicyTitleIsSanitised(t *testing.T) {
	dir := filepath.Dir(writeFile(t, "acme/evil.rego", `# METADATA
# title: "Evil \e[31mred\u202e title"
# description: "Hides \e]0;pwned\a things"
# custom:
#   id: ACME666
#   severity: LOW
#   resolution: none
package acme.checks.evil

deny contains finding if {
	false
	finding := {}
}
`))
	for _, format := range []string{"table", "markdown"} {
		t.Run(format, func(t *testing.T) {
			r := runCLI(t, "checks", "--policy-dir", dir, "--format", format)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			assertNoHazards(t, "stdout", r.stdout)
			assertNoHazards(t, "stderr", r.stderr)
			if !strings.Contains(r.stdout, "Evil red title") {
				t.Errorf("the title is missing:\n%s", r.stdout)
			}
		})
	}
}

// TestProgressLineEnd: a run stopped mid-collection ends the progress
// line (runWith calls end) so the error that follows is not glued to it;
// a finished line or an ended one gets no second newline.
func TestProgressLineEnd(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgressLine(&buf, nil)
	p.update(collect.ProgressEvent{Done: 1, Total: 4, Accounts: 1, AccountID: "111122223333", Region: "eu-west-1", Status: "ok"})
	p.end()
	p.end()
	if got := buf.String(); !strings.HasSuffix(got, "eu-west-1 ok\n") || strings.Count(got, "\n") != 1 {
		t.Errorf("open line not ended once: %q", got)
	}
	buf.Reset()
	p.update(collect.ProgressEvent{Done: 4, Total: 4, Accounts: 1, AccountsReady: 1, AccountID: "111122223333", Region: "us-east-1", Status: "ok"})
	p.end()
	if got := buf.String(); strings.Count(got, "\n") != 1 {
		t.Errorf("finished line ended twice: %q", got)
	}
	(*progressLine)(nil).end() // no progress line drawn: nothing to do
}
