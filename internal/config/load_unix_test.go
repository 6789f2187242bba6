//go:build unix

package config

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLoadRefusesSpecialFiles: only a regular file is read. Opening a
// named pipe blocks until a writer comes (no signal ends the wait), so Load
// must refuse it without opening it; a directory or a device likewise.
func TestLoadRefusesSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, want string
	}{
		{fifo, fifo + ": not a regular file but a named pipe"},
		{link, link + ": not a regular file but a named pipe"},
		{dir, dir + ": not a regular file but a directory"},
		{"/dev/null", "/dev/null: not a regular file but a device"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			t.Parallel()
			// Load blocked forever on a FIFO before; the test would time
			// out rather than fail, which still fails it.
			_, err := Load(tt.path)
			if err == nil {
				t.Fatalf("Load(%s) succeeded", tt.path)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrConfig) || !errors.Is(err, ErrNotRegular) {
				t.Errorf("error %v does not wrap ErrConfig and ErrNotRegular", err)
			}
		})
	}
}
