// Package atomicfile writes files so that readers see either the old file
// or the complete new one, never half of it: a crashed or failed scan must
// not leave half a SARIF file for CI to upload.
//
// A Set extends this to several files in one directory (a scan's reports):
// every file is written to a temporary file first, and only when all are
// complete are they renamed into place, in one quick pass.
//
// Safety rules, the same for Write and Set:
//   - Names are single, local path elements (see CheckName); everything goes
//     through an os.Root on the directory, so nothing is created, renamed or
//     removed outside it, not even through a symbolic link.
//   - A symbolic link where a file is to be written is replaced by the new
//     file (rename replaces the link itself); nothing is written through it
//     and its target is left alone.
//   - A new file gets the mode os.Create would give it (0666 less the umask:
//     the temporary file is created with 0666 and the kernel applies the
//     umask and any default ACL, so there is no process-wide umask to read
//     and restore, and no race with other goroutines). A replaced regular
//     file keeps its mode: the temporary file is created with that mode
//     (narrowed by the umask, so it is never more open than the file it
//     replaces while it is written) and set to exactly that mode before any
//     content is written.
//   - Temporary files are named ".<name>.tmp-<digits>" so that a run killed
//     with SIGKILL, when no clean-up can run, leaves files the next run can
//     recognise and remove (see Begin).
package atomicfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// ErrUnsafeName is returned (wrapped) for a file name that is not a single
// local path element: empty, ".", "..", absolute, or holding a separator.
var ErrUnsafeName = errors.New("unsafe file name")

// tmpInfix separates a file's name from the random number of its temporary
// file: ".findings.json.tmp-12345".
const tmpInfix = ".tmp-"

// newFilePerm is the mode a new file is created with before the umask, as
// os.Create does.
const newFilePerm fs.FileMode = 0o666

// CheckName returns an error wrapping ErrUnsafeName unless name is one
// local path element, so that joining it to a directory names a file in
// that directory and nowhere else.
func CheckName(name string) error {
	if name == "" || name == "." || name == ".." || !filepath.IsLocal(name) ||
		strings.ContainsAny(name, `/\`) || filepath.Base(name) != name {
		return fmt.Errorf("%w %q: want one file name inside the directory", ErrUnsafeName, name)
	}
	return nil
}

// Write calls write with a temporary file in path's directory, syncs it and
// renames it over path. If write fails or panics, the temporary file is
// removed and path is untouched. Temporary files of path left by a killed
// earlier Write are removed first.
//
// A path that names a device, a named pipe or a socket (`-o /dev/null`,
// `-o >(gzip > r.gz)`), or any path under /dev or /proc, is written in
// place instead: renaming over it would replace the device or the
// descriptor's link with a regular file (docs/security.md).
func Write(path string, write func(w io.Writer) error) error {
	if inPlace(path) {
		return writeInPlace(path, write)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := CheckName(base); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	s, err := Begin(dir, func(name string) bool { return name == base })
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer s.Close()
	if err := s.Write(base, write); err != nil {
		return err
	}
	// Write has no context: a single file is put in place once written.
	return s.Commit(context.Background())
}

// inPlace reports whether path must be written in place, not replaced:
// it exists and is neither a regular file nor a directory (following
// symbolic links), or it lies under /dev or /proc, where a rename would
// replace a device node or a descriptor's link.
func inPlace(path string) bool {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return true
	}
	abs, err := filepath.Abs(path)
	if err != nil || runtime.GOOS == "windows" {
		return false
	}
	return strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

// writeInPlace writes to an existing device, pipe or descriptor. There is
// nothing to rename: what was written is what the reader got.
func writeInPlace(path string, write func(w io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// pending holds the paths of the temporary files being written or waiting
// for Commit, across every Set of the process, for RemoveTemporaries.
var pending sync.Map

// RemoveTemporaries removes every temporary file a Set of this process has
// not renamed or removed yet. It is for a process that must exit at once
// (a second SIGINT) and will run no deferred Close: without it, those
// files would wait for the next run's Begin.
func RemoveTemporaries() {
	pending.Range(func(path, _ any) bool {
		_ = os.Remove(path.(string)) // best effort: the process is ending
		pending.Delete(path)
		return true
	})
}

// Set is a group of files written to one directory together. Write renders
// each file to a temporary file; Commit renames them all into place (and
// makes the removals Remove asked for), in the order they were added; Close
// removes every temporary file Commit did not rename. Until Commit, the
// directory holds the previous files untouched. A Set is not safe for
// concurrent use, and two Sets must not write the same directory at the
// same time (each removes the other's temporary files, see Begin).
type Set struct {
	root *os.Root
	dir  string
	ops  []op
	// committed is set once Commit starts renaming; a Set is used once.
	committed bool
}

// op is one change Commit makes: rename tmp to name, or remove name when
// tmp is "".
type op struct {
	name, tmp string
	done      bool
}

// Begin starts a Set in dir, which must exist. It first removes temporary
// files that a killed earlier run left for the names owned reports true for
// (".<name>.tmp-<digits>"), so they do not pile up or get uploaded.
func Begin(dir string, owned func(name string) bool) (*Set, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open directory: %w", err)
	}
	s := &Set{root: root, dir: dir}
	if owned != nil {
		if err := s.removeStaleTemps(owned); err != nil {
			_ = root.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *Set) removeStaleTemps(owned func(string) bool) error {
	entries, err := s.ReadDir()
	if err != nil {
		return err
	}
	for _, e := range entries {
		name, ok := TempOf(e.Name())
		if !ok || !owned(name) || !e.Type().IsRegular() {
			continue
		}
		if err := s.root.Remove(e.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale temporary file %s: %w", filepath.Join(s.dir, e.Name()), err)
		}
	}
	return nil
}

// TempOf reports whether name is a temporary file of this package and, if
// so, the name of the file it was to become.
func TempOf(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	i := strings.LastIndex(rest, tmpInfix)
	if i <= 0 {
		return "", false
	}
	digits := rest[i+len(tmpInfix):]
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", false
	}
	return rest[:i], true
}

// ReadDir lists the Set's directory, sorted by name.
func (s *Set) ReadDir() ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(s.root.FS(), ".")
	if err != nil {
		return nil, fmt.Errorf("read directory %s: %w", s.dir, err)
	}
	return entries, nil
}

// Write renders name through write into a temporary file and queues its
// rename. If write fails or panics, the temporary file is removed at once;
// the files already written stay queued until Commit or Close.
func (s *Set) Write(name string, write func(w io.Writer) error) (err error) {
	path := filepath.Join(s.dir, name)
	if err := s.check(name); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, tmp, err := s.createTemp(name)
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	ok := false
	defer func() {
		// Also runs while a panic in write unwinds.
		if !ok {
			_ = f.Close() // already failing; the first error is the useful one
			_ = s.root.Remove(tmp)
			pending.Delete(filepath.Join(s.dir, tmp))
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", path, err)
	}
	ok = true
	s.ops = append(s.ops, op{name: name, tmp: tmp})
	return nil
}

// Remove queues the removal of name (a file or a symbolic link, never what
// it points to) for Commit. A name that does not exist then is no error.
func (s *Set) Remove(name string) error {
	if err := s.check(name); err != nil {
		return fmt.Errorf("remove %s: %w", filepath.Join(s.dir, name), err)
	}
	s.ops = append(s.ops, op{name: name})
	return nil
}

func (s *Set) check(name string) error {
	if s.committed {
		return errors.New("set already committed")
	}
	if err := CheckName(name); err != nil {
		return err
	}
	for _, o := range s.ops {
		if o.name == name {
			return fmt.Errorf("%s is already in the set", name)
		}
	}
	return nil
}

// createTemp makes the temporary file for name with the mode name will
// have: an existing regular file's mode, else 0666 less the umask. It is
// os.CreateTemp with a chosen mode (os.CreateTemp always uses 0600).
func (s *Set) createTemp(name string) (*os.File, string, error) {
	perm, keep := newFilePerm, false
	// Lstat, not Stat: a symbolic link is replaced, so its target's mode
	// is no business of ours.
	if fi, err := s.root.Lstat(name); err == nil && fi.Mode().IsRegular() {
		perm, keep = fi.Mode().Perm(), true
	}
	for range 10000 {
		tmp := "." + name + tmpInfix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		f, err := s.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		// The umask may have narrowed perm; the replaced file's own bits
		// are restored before any content is written.
		if keep {
			if err := f.Chmod(perm); err != nil {
				_ = f.Close()
				_ = s.root.Remove(tmp)
				return nil, "", err
			}
		}
		pending.Store(filepath.Join(s.dir, tmp), struct{}{})
		return f, tmp, nil
	}
	return nil, "", fmt.Errorf("no free temporary name for %s", name)
}

// Commit puts the Set in place: it renames every written file over its name
// and makes the queued removals, in the order they were queued, then syncs
// the directory. It checks ctx once, before the first change, and never
// stops half-way for it: a cancelled context changes nothing, and once
// started the pass is a few renames. A target that is a directory fails
// the Commit before anything changes. A rename that fails half-way (a full
// or read-only file system) returns an error; files renamed by then stay.
func (s *Set) Commit(ctx context.Context) error {
	if s.committed {
		return errors.New("commit: set already committed")
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit %s: %w", s.dir, err)
	}
	for _, o := range s.ops {
		fi, err := s.root.Lstat(o.name)
		switch {
		case err != nil: // nothing there yet
		case fi.IsDir():
			return fmt.Errorf("replace %s: is a directory", filepath.Join(s.dir, o.name))
		case !fi.Mode().IsRegular() && fi.Mode()&fs.ModeSymlink == 0:
			// A device, pipe or socket named like a report is not ours to
			// replace.
			return fmt.Errorf("replace %s: not a regular file (%s)", filepath.Join(s.dir, o.name), fi.Mode().Type())
		}
	}
	s.committed = true
	for i := range s.ops {
		o := &s.ops[i]
		if o.tmp == "" {
			if err := s.root.Remove(o.name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove %s: %w", filepath.Join(s.dir, o.name), err)
			}
			o.done = true
			continue
		}
		if err := s.root.Rename(o.tmp, o.name); err != nil {
			return fmt.Errorf("rename temporary file to %s: %w", filepath.Join(s.dir, o.name), err)
		}
		pending.Delete(filepath.Join(s.dir, o.tmp))
		o.done = true
	}
	s.syncDir()
	return nil
}

// Close removes every temporary file that Commit did not rename (all of
// them when Commit was not called or failed) and releases the directory.
// It is safe to call more than once and meant to be deferred right after
// Begin, so that an error, a panic or a cancellation leaves no temporary
// file behind.
func (s *Set) Close() error {
	for i := range s.ops {
		o := &s.ops[i]
		if o.tmp != "" && !o.done {
			_ = s.root.Remove(o.tmp) // best effort: the first error is the useful one
			pending.Delete(filepath.Join(s.dir, o.tmp))
			o.done = true
		}
	}
	return s.root.Close()
}

// syncDir makes the renames durable. It is best effort: some platforms and
// file systems cannot sync a directory, and the files themselves are
// complete.
func (s *Set) syncDir() {
	d, err := s.root.Open(".")
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
