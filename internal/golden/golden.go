// Package golden compares test output with golden files. UPDATE_GOLDEN=1
// rewrites the files instead (an environment variable, not a flag: a flag
// breaks `go test ./...` in packages that do not define it).
package golden

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Assert fails t when got differs from the file at path, with a diff; with
// UPDATE_GOLDEN set it writes got to path.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	AssertUpdatedBy(t, path, got, "rerun with UPDATE_GOLDEN=1")
}

// AssertUpdatedBy is Assert for a committed file that has its own way to
// be regenerated (docs/checks.md: `make docs`); how is said on failure.
// UPDATE_GOLDEN=1 rewrites it too.
func AssertUpdatedBy(t testing.TB, path string, got []byte, how string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v; %s", err, how)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the output (-want +got); %s:\n%s", path, how, diff)
	}
}
