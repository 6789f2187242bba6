// Package sariftest validates SARIF logs the way GitHub code scanning
// reads them, for tests of every package that writes SARIF: against the
// SARIF 2.1.0 schema, and with Microsoft's SARIF multitool and GitHub's
// upload rules (reporters/testdata/github-sarif.config.xml). The tools
// come from `make test-deps` (tools/node_modules); without them a test is
// skipped, except in CI, where it fails.
package sariftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// RepoRoot is the directory holding go.mod above this package's source,
// so it is found whatever the test's working directory (t.Chdir).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate internal/sariftest's source")
	}
	dir := filepath.Dir(file)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// RequireTool returns tools/<rel>, skipping the test when it is missing
// (failing it in CI).
func RequireTool(t testing.TB, rel string) string {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "tools", rel)
	if _, err := os.Stat(path); err != nil {
		msg := "tools/" + rel + " not found: run `make test-deps`"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// SchemaError validates log against the SARIF 2.1.0 schema; nil when it
// conforms.
func SchemaError(t testing.TB, log []byte) error {
	t.Helper()
	schemaPath := RequireTool(t, "node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json")
	sch, err := jsonschema.NewCompiler().Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}

// MultitoolPath finds the SARIF multitool's native binary. The npm .bin
// wrapper runs it through a shell, which splits "Sarif;Ghas" at the ';'.
func MultitoolPath(t testing.TB) string {
	t.Helper()
	pkg, exe := runtime.GOOS, "Sarif.Multitool"
	if pkg == "windows" {
		pkg, exe = "win32", "Sarif.Multitool.exe"
	}
	return RequireTool(t, filepath.Join("node_modules", "@microsoft", "sarif-multitool-"+pkg, exe))
}

// MultitoolErrors validates a SARIF log with Microsoft's multitool and
// GitHub's upload rules (reporters/testdata/github-sarif.config.xml) and returns the
// error-level results, formatted. The multitool exits 0 even when it finds
// errors, so its own output log is the verdict.
func MultitoolErrors(t testing.TB, tool string, log []byte) []string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "out.sarif") // the multitool skips files not named *.sarif
	if err := os.WriteFile(in, log, 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(RepoRoot(t), "reporters", "testdata", "github-sarif.config.xml")
	verdict := filepath.Join(dir, "v.sarif")
	cmd := exec.Command(tool, "validate", in,
		"--rule-kind", "Sarif;Ghas", "--config", config, "--output", verdict, "--level", "Error;Warning;Note")
	cmd.Dir = dir
	// .NET writes caches under HOME; keep it inside the test's directory.
	cmd.Env = append(os.Environ(), "DOTNET_CLI_HOME="+dir, "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sarif-multitool: %v\n%s", err, out)
	}
	b, err := os.ReadFile(verdict)
	if err != nil {
		t.Fatalf("sarif-multitool wrote no log: %v", err)
	}
	var v struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful       bool `json:"executionSuccessful"`
				ToolExecutionNotification []struct {
					Level   string `json:"level"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
					Descriptor struct {
						ID string `json:"id"`
					} `json:"descriptor"`
				} `json:"toolExecutionNotifications"`
			} `json:"invocations"`
			Results []struct {
				RuleID  string `json:"ruleId"`
				Level   string `json:"level"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode multitool log: %v", err)
	}
	var errs []string
	for _, run := range v.Runs {
		for _, inv := range run.Invocations {
			if !inv.ExecutionSuccessful {
				errs = append(errs, "multitool execution failed")
			}
			for _, n := range inv.ToolExecutionNotification {
				// A target the multitool skipped was not validated at all.
				if n.Level == "error" || strings.HasPrefix(n.Descriptor.ID, "WRN997") {
					errs = append(errs, fmt.Sprintf("%s: %s", n.Descriptor.ID, n.Message.Text))
				}
			}
		}
		for _, r := range run.Results {
			if r.Level == "error" {
				errs = append(errs, fmt.Sprintf("%s: %s", r.RuleID, r.Message.Text))
			}
		}
	}
	return errs
}
