package atomicfile

import (
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWriteReplacesWholeFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.sarif")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, writeString("new")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "new" {
		t.Fatalf("got %q, %v; want new", got, err)
	}
	assertFiles(t, filepath.Dir(path), map[string]string{"out.sarif": "new"})
}

func TestWriteFailureLeavesOldFileAndNoTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.sarif")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half a rep")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	assertFiles(t, dir, map[string]string{"out.sarif": "old"})
}

func TestWriteFailureCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := Write(filepath.Join(dir, "new.json"), func(w io.Writer) error { return errors.New("boom") })
	if err == nil {
		t.Fatal("want error")
	}
	assertFiles(t, dir, map[string]string{})
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"findings.json", true},
		{"results-123456789012.sarif", true},
		{".hidden", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../results.sarif", false},
		{"results-../../evil.sarif", false},
		{"a/b", false},
		{`a\b`, false},
		{"/etc/passwd", false},
		{"sub/", false},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if tt.ok && err != nil {
			t.Errorf("CheckName(%q) = %v, want nil", tt.name, err)
		}
		if !tt.ok && !errors.Is(err, ErrUnsafeName) {
			t.Errorf("CheckName(%q) = %v, want ErrUnsafeName", tt.name, err)
		}
	}
}

// TestSetRefusesNamesOutsideItsDirectory: neither Write nor Remove accepts
// a name that would leave the directory, and nothing is created anywhere.
func TestSetRefusesNamesOutsideItsDirectory(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "victim"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Begin(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, name := range []string{"../evil.sarif", "results-../../evil.sarif", filepath.Join(parent, "abs.sarif"), "..", "sub/x"} {
		if err := s.Write(name, writeString("x")); !errors.Is(err, ErrUnsafeName) {
			t.Errorf("Write(%q) = %v, want ErrUnsafeName", name, err)
		}
	}
	if err := s.Remove("../victim"); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("Remove(../victim) = %v, want ErrUnsafeName", err)
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, dir, map[string]string{})
	assertFiles(t, parent, map[string]string{"victim": "keep", "out/": ""})
}

// TestSetIsAllOrNothing: until Commit the directory holds the previous
// files, whatever goes wrong, and no temporary file survives.
func TestSetIsAllOrNothing(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		// third writes the third file; commit is called only when it succeeds.
		third   func(io.Writer) error
		ctx     context.Context
		wantErr error
		panics  bool
	}{
		{name: "failing writer", third: func(w io.Writer) error { _, _ = io.WriteString(w, "half"); return boom }, ctx: context.Background(), wantErr: boom},
		{name: "panicking writer", third: func(w io.Writer) error { _, _ = io.WriteString(w, "half"); panic("reporter bug") }, ctx: context.Background(), panics: true},
		{name: "cancelled before commit", third: writeString("new c"), ctx: cancelled, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			old := map[string]string{"a": "old a", "b": "old b", "c": "old c"}
			for name, content := range old {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err, recovered := func() (err error, recovered any) {
				defer func() { recovered = recover() }()
				s, err := Begin(dir, nil)
				if err != nil {
					return err, nil
				}
				defer s.Close()
				if err := s.Write("a", writeString("new a")); err != nil {
					return err, nil
				}
				if err := s.Remove("b"); err != nil {
					return err, nil
				}
				if err := s.Write("c", tt.third); err != nil {
					return err, nil
				}
				return s.Commit(tt.ctx), nil
			}()
			if tt.panics != (recovered != nil) {
				t.Errorf("recovered %v, want a panic: %v", recovered, tt.panics)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			assertFiles(t, dir, old)
		})
	}
}

func TestSetCommitRenamesAndRemoves(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"a": "old a", "gone": "old", "other": "not ours"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Begin(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, step := range []error{
		s.Write("a", writeString("new a")),
		s.Write("b", writeString("new b")),
		s.Remove("gone"),
		s.Remove("never-there"),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	if err := s.Write("a", writeString("twice")); err == nil {
		t.Error("writing a name twice in one set is no error")
	}
	if err := s.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("late", writeString("x")); err == nil {
		t.Error("Write after Commit is no error")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	assertFiles(t, dir, map[string]string{"a": "new a", "b": "new b", "other": "not ours"})
}

func TestSetCommitRefusesDirectoryTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("old a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Begin(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write("a", writeString("new a")); err != nil {
		t.Fatal(err)
	}
	if err := s.Write("b", writeString("new b")); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(context.Background()); err == nil {
		t.Fatal("Commit over a directory succeeded")
	}
	_ = s.Close()
	// a must not be replaced when b cannot be: nothing changes.
	assertFiles(t, dir, map[string]string{"a": "old a", "b/": ""})
}

// TestBeginRemovesStaleTempsOfOwnedNames: a run killed with SIGKILL leaves
// its temporary files; the next run removes those of the names it owns and
// nothing else.
func TestBeginRemovesStaleTempsOfOwnedNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []string{
		".findings.json.tmp-123456", // ours: removed
		".results-111111111111.sarif.tmp-9",
		".notes.txt.tmp-1",         // not an owned name
		".findings.json.tmp-abc",   // not our pattern
		".findings.json.tmp-",      // not our pattern
		"findings.json.tmp-1",      // not our pattern (no dot)
		"findings.json",            // the report itself
		".findings.json.tmp-1.bak", // not our pattern
	}
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	owned := func(name string) bool { return name == "findings.json" || name == "results-111111111111.sarif" }
	s, err := Begin(dir, owned)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, name := range files[2:] {
		want[name] = name
	}
	assertFiles(t, dir, want)
}

func TestTempOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{".findings.json.tmp-1", "findings.json", true},
		{".a.tmp-1.tmp-22", "a.tmp-1", true},
		{"..tmp-1", "", false},
		{".x.tmp-", "", false},
		{".x.tmp-1a", "", false},
		{"x.tmp-1", "", false},
	}
	for _, tt := range tests {
		got, ok := TempOf(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("TempOf(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzCheckName: a name CheckName accepts names a file directly inside any
// directory, and its temporary file maps back to it; a refused name wraps
// ErrUnsafeName.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"findings.json", "results-123456789012.sarif", "../x", "a/b", `a\b`, "..", ".", "", "/abs", "results-../../evil.sarif", "x/..", "NUL", ".tmp-1"} {
		f.Add(s)
	}
	dir := filepath.Join("base", "out")
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckName(name)
		if err != nil {
			if !errors.Is(err, ErrUnsafeName) {
				t.Fatalf("CheckName(%q) = %v, not ErrUnsafeName", name, err)
			}
			return
		}
		joined := filepath.Join(dir, name)
		if filepath.Dir(joined) != dir || filepath.Base(joined) != name {
			t.Fatalf("accepted %q joins to %q, not a file directly in %q", name, joined, dir)
		}
		if rel, err := filepath.Rel(dir, joined); err != nil || rel != name {
			t.Fatalf("accepted %q: Rel = %q, %v", name, rel, err)
		}
		if got, ok := TempOf("." + name + tmpInfix + "42"); !ok || got != name {
			t.Fatalf("TempOf(temporary file of %q) = %q, %v", name, got, ok)
		}
	})
}

func writeString(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

// assertFiles checks that dir holds exactly want (name → content; a
// directory as "name/" with content ""), so any temporary file left fails.
func assertFiles(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if e.IsDir() {
			got[e.Name()+"/"] = ""
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = string(data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s holds %v (-want +got):\n%s", dir, slices.Sorted(maps.Keys(got)), diff)
	}
}

// TestRemoveTemporaries: a process that must exit at once (a second
// SIGINT while reports render) runs no deferred Close; RemoveTemporaries
// removes the temporary files of every Set still open, and nothing else.
func TestRemoveTemporaries(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "findings.json"), []byte("previous"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Begin(dir, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write("results.sarif", func(w io.Writer) error { _, err := io.WriteString(w, "done"); return err }); err != nil {
		t.Fatal(err)
	}
	var during []string
	err = s.Write("findings.json", func(w io.Writer) error {
		RemoveTemporaries() // the second signal, while this file renders
		during = names(t, dir)
		return nil
	})
	if err != nil {
		t.Logf("the write after the removal: %v", err) // the process would be gone by now
	}
	if want := []string{"findings.json"}; !slices.Equal(during, want) {
		t.Errorf("after RemoveTemporaries the directory holds %q, want %q (the previous report only)", during, want)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}
