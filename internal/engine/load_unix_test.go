//go:build unix

package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/policies"
)

// TestDataFileMustBeRegular: a --data path that is a named pipe, a
// directory or a device is refused without being opened for a blocking
// read. Opening a named pipe blocks until a writer comes, and no signal
// ends the wait.
func TestDataFileMustBeRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
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
		{fifo, fifo + ": read data file: not a regular file but a named pipe"},
		{link, link + ": read data file: not a regular file but a named pipe"},
		{dir, dir + ": read data file: not a regular file but a directory"},
		{"/dev/null", "/dev/null: read data file: not a regular file but a device"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			t.Parallel()
			_, err := Load(context.Background(), policies.FS, Options{DataFiles: []string{tt.path}})
			if err == nil {
				t.Fatalf("Load with --data %s succeeded", tt.path)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %v does not wrap ErrPolicy", err)
			}
		})
	}
}
