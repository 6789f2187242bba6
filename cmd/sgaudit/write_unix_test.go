//go:build unix

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReportModes (issue 9, item 10): reports honour the umask when new and
// keep the mode of the file they replace, so a 0600 findings.json stays
// private. The test sets the process umask, so it is not parallel
// (parallel tests wait until every sequential one is done).
func TestReportModes(t *testing.T) {
	tests := []struct {
		name     string
		umask    int
		existing fs.FileMode // 0: no report before
		want     fs.FileMode
	}{
		{name: "new, umask 077", umask: 0o077, want: 0o600},
		{name: "new, umask 022", umask: 0o022, want: 0o644},
		{name: "existing 0600", umask: 0o022, existing: 0o600, want: 0o600},
		{name: "existing 0640", umask: 0o022, existing: 0o640, want: 0o640},
		{name: "existing 0664, umask 077", umask: 0o077, existing: 0o664, want: 0o664},
	}
	inv := writeInventoryFile(t, sshInventory())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			names := []string{"findings.json", "results.sarif"}
			if tt.existing != 0 {
				for _, name := range names {
					path := filepath.Join(dir, name)
					if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
						t.Fatal(err)
					}
					if err := os.Chmod(path, tt.existing); err != nil {
						t.Fatal(err)
					}
				}
			}
			old := syscall.Umask(tt.umask)
			r := runCLI(t, "scan", "--input", inv, "--format", "json,sarif", "-o", dir)
			syscall.Umask(old)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			for _, name := range names {
				fi, err := os.Stat(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if fi.Size() <= 3 || fi.Mode().Perm() != tt.want {
					t.Errorf("%s: mode %v, %d bytes; want %v and the new report", name, fi.Mode().Perm(), fi.Size(), tt.want)
				}
			}
		})
	}
}

// TestReportSymlinkIsReplacedNotFollowed: a symbolic link named like a
// report (to a file outside -o) is replaced by the report; its target is
// not written.
func TestReportSymlinkIsReplacedNotFollowed(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	writeDir(t, dir, nil)
	target := filepath.Join(parent, "precious")
	if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"findings.json", "results-111111111111.sarif"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatalf("cannot make a symbolic link here: %v", err)
		}
	}
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "json,sarif", "-o", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if got, err := os.ReadFile(target); err != nil || string(got) != "precious" {
		t.Errorf("the link's target = %q, %v; want it untouched", got, err)
	}
	for _, name := range []string{"findings.json", "results.sarif"} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file: %v, %v", name, fi, err)
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "results-111111111111.sarif")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale per-account link is still there: %v", err)
	}
}
