package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// runTerminal runs the program as if stdout were a terminal cols wide,
// with env as the whole environment.
func runTerminal(t *testing.T, cols int, env map[string]string, args ...string) cliResult {
	t.Helper()
	var out, errb bytes.Buffer
	ios := &streams{out: &out, err: &errb, outIsTerminal: true, outCols: func() int { return cols },
		getenv: func(k string) string { return env[k] }, now: func() time.Time { return fixedNow }}
	code := runWith(context.Background(), args, ios)
	return cliResult{stdout: out.String(), stderr: errb.String(), code: code}
}

// TestTableColourAndTerm (issue 10, conventions): TERM=dumb means no
// colour, like NO_COLOR and --no-color.
func TestTableColourAndTerm(t *testing.T) {
	inv := writeInventoryFile(t, mixedInventory())
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		colour bool
	}{
		{"colour terminal", map[string]string{"TERM": "xterm-256color"}, nil, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, nil, false},
		{"NO_COLOR", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, nil, false},
		{"--no-color", map[string]string{"TERM": "xterm"}, []string{"--no-color"}, false},
		{"SGAUDIT_NO_COLOR", map[string]string{"TERM": "xterm", "SGAUDIT_NO_COLOR": "true"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runTerminal(t, 200, tt.env, append([]string{"scan", "--input", inv}, tt.args...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := strings.Contains(r.stdout, "\x1b["); got != tt.colour {
				t.Errorf("colour = %v, want %v", got, tt.colour)
			}
		})
	}
}

// TestTableWidthAndWide: on a terminal the table fits its width; --wide,
// or stdout that is not a terminal, shows values uncut by the width.
func TestTableWidthAndWide(t *testing.T) {
	inv := mixedInventory()
	long := "payments-" + strings.Repeat("a", 14) + "-tier" // cut in its middle at width 100
	inv.SecurityGroups[1].Name = long
	path := writeInventoryFile(t, inv)
	env := map[string]string{"TERM": "dumb"}

	fitted := runTerminal(t, 100, env, "scan", "--input", path)
	for _, line := range strings.Split(fitted.stdout, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line of %d columns on a 100-column terminal: %q", n, line)
		}
	}
	if strings.Contains(fitted.stdout, long) {
		t.Errorf("the group name was not fitted to 100 columns:\n%s", fitted.stdout)
	}
	for name, r := range map[string]cliResult{
		"--wide":         runTerminal(t, 100, env, "scan", "--input", path, "--wide"),
		"not a terminal": runCLI(t, "scan", "--input", path),
		"SGAUDIT_WIDE=1": runTerminal(t, 100, map[string]string{"TERM": "dumb", "SGAUDIT_WIDE": "1"}, "scan", "--input", path),
	} {
		if r.code != exitOK || !strings.Contains(r.stdout, long) {
			t.Errorf("%s: exit %d, the group name is cut:\n%s", name, r.code, r.stdout)
		}
	}
}

// TestTableGroupingVerbose: the findings of a check that repeats are one
// line with ×N; --verbose lists them.
func TestTableGroupingVerbose(t *testing.T) {
	inv := cleanInventory()
	inv.SecurityGroups = nil
	for i := 1; i <= 12; i++ {
		inv.SecurityGroups = append(inv.SecurityGroups, testGroup(fmt.Sprintf("sg-%017d", i), fmt.Sprintf("app-%02d", i), "Managed by Terraform", tcp(443, "0.0.0.0/0")))
	}
	path := writeInventoryFile(t, inv)
	r := runCLI(t, "scan", "--input", path)
	if !strings.Contains(r.stdout, "SGA006 ×12") || !strings.Contains(r.stdout, "12 groups") {
		t.Errorf("12 placeholder descriptions are not one line with ×12:\n%s", r.stdout)
	}
	v := runCLI(t, "scan", "--input", path, "--verbose")
	if n := strings.Count(v.stdout, "SGA006  "); n != 12 {
		t.Errorf("--verbose lists %d SGA006 lines, want 12:\n%s", n, v.stdout)
	}
}
