package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEnvFlags (issue 10, conventions): every flag is also SGAUDIT_<FLAG>;
// the command line wins; an invalid value is exit 2 naming the variable.
func TestEnvFlags(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory()) // one HIGH finding
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"fail-on from the environment", map[string]string{"SGAUDIT_FAIL_ON": "high"}, nil, exitFindings, "(--fail-on high)"},
		{"command line wins", map[string]string{"SGAUDIT_FAIL_ON": "high"}, []string{"--fail-on", "critical"}, exitOK, ""},
		{"input from the environment", map[string]string{"SGAUDIT_INPUT": inv, "SGAUDIT_FAIL_ON": "low"}, []string{}, exitFindings, ""},
		{"bad severity names the variable", map[string]string{"SGAUDIT_FAIL_ON": "severe"}, nil, exitUsage, "SGAUDIT_FAIL_ON"},
		{"bad number names the variable", map[string]string{"SGAUDIT_POLICY_TIMEOUT": "soon"}, nil, exitUsage, `invalid SGAUDIT_POLICY_TIMEOUT="soon"`},
		{"bad switch names the variable", map[string]string{"SGAUDIT_NO_COLOR": "maybe"}, nil, exitUsage, `invalid SGAUDIT_NO_COLOR="maybe"`},
		{"bad log level names the variable", map[string]string{"SGAUDIT_LOG_LEVEL": "loud"}, nil, exitUsage, "SGAUDIT_LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := []string{"scan"}
			if _, ok := tt.env["SGAUDIT_INPUT"]; !ok {
				args = append(args, "--input", inv)
			}
			r := runCLI(t, append(args, tt.args...)...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			if tt.wantCode == exitUsage {
				assertOneLineError(t, r, tt.wantErr)
			} else if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.wantErr)
			}
		})
	}
}

// TestEnvInHelp: --help shows each flag's variable.
func TestEnvInHelp(t *testing.T) {
	for _, cmd := range []string{"scan", "collect", "checks"} {
		r := runCLI(t, cmd, "--help")
		for _, want := range []string{"[$SGAUDIT_LOG_FORMAT]", "[$SGAUDIT_CONFIG]"} {
			if cmd == "collect" && want == "[$SGAUDIT_CONFIG]" {
				want = "[$SGAUDIT_OUTPUT]"
			}
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s --help does not show %s", cmd, want)
			}
		}
		if strings.Contains(r.stdout, "SGAUDIT_HELP") {
			t.Errorf("%s --help offers SGAUDIT_HELP", cmd)
		}
	}
	if r := runCLI(t, "scan", "--help"); !strings.Contains(r.stdout, "[$SGAUDIT_FAIL_ON]") {
		t.Error("scan --help does not show [$SGAUDIT_FAIL_ON]")
	}
}

// TestUsageErrorAsJSON: under --log-format json (flag or variable), a
// usage error is one JSON log record on stderr, like every other line.
func TestUsageErrorAsJSON(t *testing.T) {
	tests := []struct {
		name string
		env  string
		args []string
		want string
	}{
		{"unknown flag", "", []string{"scan", "--log-format", "json", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"unknown flag, = form", "", []string{"--log-format=json", "scan", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"mistyped command", "", []string{"--log-format", "json", "scna"}, "did you mean scan?"},
		{"from the environment", "json", []string{"scan", "--fail-on", "severe"}, "--fail-on"},
		{"a bad value", "", []string{"scan", "--log-format", "json", "--input", "/nonexistent/x.json"}, "x.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" {
				t.Setenv("SGAUDIT_LOG_FORMAT", tt.env)
			}
			r := runCLI(t, tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want 2", r.code)
			}
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 {
				t.Fatalf("want one line on stderr, got %q", r.stderr)
			}
			var rec struct {
				Level    string `json:"level"`
				Msg      string `json:"msg"`
				ExitCode int    `json:"exit_code"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
				t.Fatalf("stderr is not a JSON record: %q", lines[0])
			}
			if rec.Level != "ERROR" || rec.ExitCode != exitUsage || !strings.Contains(rec.Msg, tt.want) {
				t.Errorf("record = %+v, want ERROR, exit_code 2, msg with %q", rec, tt.want)
			}
		})
	}
}

// TestFailOnCount: --fail-on says how many findings crossed it, counted as
// the JSON report counts them.
func TestFailOnCount(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	for _, tt := range []struct{ failOn, sev string }{{"low", "LOW"}, {"high", "HIGH"}, {"HIGH", "HIGH"}} {
		t.Run(tt.failOn, func(t *testing.T) {
			r := runCLI(t, "scan", "--input", inv, "--format", "json", "--fail-on", tt.failOn)
			if r.code != exitFindings {
				t.Fatalf("exit %d; stderr: %s", r.code, r.stderr)
			}
			var rep struct {
				Findings []struct {
					Severity    string          `json:"severity"`
					Suppression json.RawMessage `json:"suppression"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			rank := map[string]int{"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}
			n := 0
			for _, f := range rep.Findings {
				if f.Suppression == nil && rank[f.Severity] >= rank[tt.sev] {
					n++
				}
			}
			noun := "findings"
			if n == 1 {
				noun = "finding"
			}
			want := fmt.Sprintf("sgaudit: %d %s at or above %s (--fail-on %s)\n", n, noun, tt.sev, strings.ToLower(tt.failOn))
			if r.stderr != want {
				t.Errorf("stderr = %q, want %q", r.stderr, want)
			}
		})
	}
}

// TestUnknownEnvWarns: an SGAUDIT_ variable no flag reads is a warning
// naming it and the closest real one; the Action's and other commands'
// variables are not.
func TestUnknownEnvWarns(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	tests := []struct {
		name     string
		environ  []string
		want     []string // warning lines, in order
		wantCode int
	}{
		{"a typo of a flag", []string{"SGAUDIT_FAIL_ONN=high", "HOME=/root"},
			[]string{"environment variable SGAUDIT_FAIL_ONN is not an sgaudit setting; ignored (did you mean SGAUDIT_FAIL_ON?)"}, exitOK},
		{"no flag near it", []string{"SGAUDIT_SOMETHING_ELSE=1"},
			[]string{"environment variable SGAUDIT_SOMETHING_ELSE is not an sgaudit setting; ignored"}, exitOK},
		{"two, sorted, each once", []string{"SGAUDIT_ZZ=1", "SGAUDIT_FORMATT=json", "SGAUDIT_ZZ=2"},
			[]string{"environment variable SGAUDIT_FORMATT is not an sgaudit setting; ignored (did you mean SGAUDIT_FORMAT?)",
				"environment variable SGAUDIT_ZZ is not an sgaudit setting; ignored"}, exitOK},
		{"the Action's inputs, another command's flag, a real flag", []string{"SGAUDIT_INPUT_FORMAT=sarif", "SGAUDIT_ACTION_REF=v1", "SGAUDIT_ORG=true", "SGAUDIT_NO_PROGRESS=true"},
			nil, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			ios := &streams{out: &out, err: &errb, getenv: func(string) string { return "" },
				environ: func() []string { return tt.environ }, now: func() time.Time { return fixedNow }}
			code := runWith(context.Background(), []string{"scan", "--input", inv}, ios)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errb.String())
			}
			var got []string
			for _, l := range strings.Split(errb.String(), "\n") {
				if _, msg, ok := strings.Cut(l, "msg="); ok && strings.Contains(l, "level=WARN") {
					got = append(got, strings.Trim(msg, `"`))
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("warnings:\n got %q\nwant %q\nstderr:\n%s", got, tt.want, errb.String())
			}
		})
	}
}

// TestEmptyOutputPath: -o ” (an empty variable in a script) is a usage
// error, not the report on the terminal.
func TestEmptyOutputPath(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	for _, args := range [][]string{
		{"scan", "--input", inv, "-f", "json", "-o", ""},
		{"scan", "--input", inv, "-f", "json", "--output="},
		{"scan", "--input", inv, "-f", "json,sarif", "--output-dir", ""},
		{"collect", "-o", ""},
	} {
		r := runCLI(t, args...)
		want := "--output is empty"
		if slices.Contains(args, "--output-dir") {
			want = "--output-dir is empty"
		}
		assertOneLineError(t, r, want)
	}
}
