// Package regularfile opens input files that must be regular files: a
// configuration or a data file that is a named pipe would block the open
// until a writer came (and no signal ends that wait), and a device might
// never end (docs/security.md).
package regularfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by Open's error for a path that is a directory,
// a named pipe, a socket or a device.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading if it is a regular file. It looks before
// opening, so that a named pipe is never opened, opens without blocking in
// case the file was replaced in between, and looks again at what it
// opened. Other errors are os.Open's, unwrapped.
func Open(path string) (*os.File, error) {
	// When Stat fails, so does the open, whose error says "open".
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return nil, notRegular(fi.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(fi.Mode())
	}
	return f, nil
}

// notRegular says what the path is instead: "not a regular file but a
// named pipe".
func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%w but %s", ErrNotRegular, kind)
}
