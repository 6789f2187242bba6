//go:build unix

package atomicfile

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestModes: a new file gets 0666 less the umask, as os.Create would give
// it; a replaced regular file keeps its mode, even bits the umask would
// clear; a replaced symbolic link is a new file. The test sets the
// process umask, so it must not run in parallel with others (parallel
// tests wait until every sequential one is done).
func TestModes(t *testing.T) {
	tests := []struct {
		name     string
		umask    int
		existing fs.FileMode // 0: no file before
		symlink  bool        // the name is a symbolic link to a file of mode existing
		want     fs.FileMode
	}{
		{name: "new, umask 077", umask: 0o077, want: 0o600},
		{name: "new, umask 022", umask: 0o022, want: 0o644},
		{name: "new, umask 002", umask: 0o002, want: 0o664},
		{name: "existing 0600, umask 022", umask: 0o022, existing: 0o600, want: 0o600},
		{name: "existing 0640, umask 022", umask: 0o022, existing: 0o640, want: 0o640},
		{name: "existing 0664, umask 077", umask: 0o077, existing: 0o664, want: 0o664},
		{name: "existing 0444, umask 022", umask: 0o022, existing: 0o444, want: 0o444},
		{name: "symlink to 0600, umask 022", umask: 0o022, existing: 0o600, symlink: true, want: 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "findings.json")
			if tt.existing != 0 {
				file := path
				if tt.symlink {
					file = filepath.Join(t.TempDir(), "target")
					if err := os.Symlink(file, path); err != nil {
						t.Fatal(err)
					}
				}
				if err := os.WriteFile(file, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(file, tt.existing); err != nil {
					t.Fatal(err)
				}
			}
			old := syscall.Umask(tt.umask)
			err := Write(path, writeString("new"))
			syscall.Umask(old)
			if err != nil {
				t.Fatal(err)
			}
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.Mode().IsRegular() || fi.Mode().Perm() != tt.want {
				t.Errorf("mode = %v, want a regular file of %v", fi.Mode(), tt.want)
			}
		})
	}
}

// TestSetReplacesSymlinkItself: a symbolic link named like a file of the
// set is replaced by the file; its target, outside the directory, is
// neither written nor removed.
func TestSetReplacesSymlinkItself(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(parent, "target")
	if err := os.WriteFile(target, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"report", "stale"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatalf("cannot make a symbolic link here: %v", err)
		}
	}
	s, err := Begin(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write("report", writeString("new")); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("stale"); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, dir, map[string]string{"report": "new"})
	if fi, err := os.Lstat(filepath.Join(dir, "report")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("report is not a regular file: %v, %v", fi, err)
	}
	got, err := os.ReadFile(target)
	if err != nil || string(got) != "outside" {
		t.Errorf("target = %q, %v; want it untouched", got, err)
	}
}

// TestWriteToAPipeOrDevice: `-o` naming a named pipe or a device writes
// into it; a rename would have replaced the pipe (or, as root, /dev/null)
// with a regular file. A report set never replaces one either.
func TestWriteToAPipeOrDevice(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.sarif")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // blocks until the writer opens and closes it
		got <- b
	}()
	if err := Write(fifo, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatalf("Write to a named pipe: %v", err)
	}
	if b := <-got; string(b) != "report" {
		t.Errorf("the pipe's reader got %q, want %q", b, "report")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		t.Errorf("the named pipe was replaced: %v %v", fi.Mode(), err)
	}

	if err := Write("/dev/null", func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatalf("Write to /dev/null: %v", err)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode().Type() != fs.ModeCharDevice|fs.ModeDevice {
		t.Fatalf("/dev/null is no longer a device: %v %v", fi.Mode(), err)
	}

	// A report set (--output-dir) refuses to replace a pipe named like a report.
	s, err := Begin(dir, func(name string) bool { return name == "out.sarif" })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write("out.sarif", func(w io.Writer) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background()); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("Commit over a named pipe: %v, want a refusal", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode().Type() != fs.ModeNamedPipe {
		t.Errorf("the named pipe was replaced by Commit: %v %v", fi.Mode(), err)
	}
}
