package reporters

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	if diff := cmp.Diff([]string{"html", "json", "markdown", "sarif", "table"}, Names()); diff != "" {
		t.Errorf("Names() (-want +got):\n%s", diff)
	}
	tests := []struct {
		name     string
		want     Reporter
		filename string
	}{
		{name: "json", want: JSON{}, filename: "findings.json"},
		{name: "sarif", want: SARIF{}, filename: "results.sarif"},
		{name: "html", want: HTML{}, filename: "report.html"},
		{name: "markdown", want: Markdown{}, filename: "summary.md"},
		{name: "table", want: Table{}, filename: "findings.txt"},
		{name: " SARIF ", want: SARIF{}, filename: "results.sarif"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := New(tt.name)
			if err != nil {
				t.Fatalf("New(%q): %v", tt.name, err)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(tt.want) {
				t.Errorf("New(%q) = %T, want %T", tt.name, got, tt.want)
			}
			if got := Filename(tt.name); got != tt.filename {
				t.Errorf("Filename(%q) = %q, want %q", tt.name, got, tt.filename)
			}
		})
	}
}

func TestNewUnknownFormat(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"xml", "", "sarif,json", "htm"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep, err := New(name)
			if !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("New(%q) error = %v, want ErrUnknownFormat", name, err)
			}
			if rep != nil {
				t.Errorf("New(%q) returned a reporter with the error", name)
			}
			// The message must tell the user what would have worked.
			for _, valid := range Names() {
				if !strings.Contains(err.Error(), valid) {
					t.Errorf("error %q does not list %q", err, valid)
				}
			}
			if Filename(name) != "" {
				t.Errorf("Filename(%q) = %q, want empty", name, Filename(name))
			}
		})
	}
}

// failingReporter writes part of a report and then fails, or panics, as a
// reporter that runs out of disk or hits a bug would.
type failingReporter struct{ panic bool }

var errMidWrite = errors.New("disk full")

func (f failingReporter) Write(w io.Writer, _ *findings.Report) error {
	if _, err := io.WriteString(w, strings.Repeat(`{"partial": true,`, 10000)); err != nil {
		return err
	}
	if f.panic {
		panic("reporter bug")
	}
	return errMidWrite
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	want := render(t, JSON{}, r)

	t.Run("writes the report", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "findings.json")
		if err := WriteFile(path, JSON{}, r); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("file content (-want +got):\n%s", diff)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm()&0o044 != 0o044 {
			t.Errorf("mode %v: report is not readable by group and others", info.Mode())
		}
		assertOnlyFiles(t, dir, "findings.json")
	})

	t.Run("replaces an existing file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := filepath.Join(dir, "findings.json")
		if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, JSON{}, r); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != string(want) {
			t.Errorf("file was not replaced: %.40q", got)
		}
		assertOnlyFiles(t, dir, "findings.json")
	})

	for _, tt := range []struct {
		name  string
		rep   failingReporter
		old   string // content at path before, "" for no file
		isErr error
	}{
		{name: "reporter fails, no file before", rep: failingReporter{}, isErr: errMidWrite},
		{name: "reporter fails, old file kept", rep: failingReporter{}, old: "old report\n", isErr: errMidWrite},
		{name: "reporter panics, no file before", rep: failingReporter{panic: true}},
		{name: "reporter panics, old file kept", rep: failingReporter{panic: true}, old: "old report\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "results.sarif")
			if tt.old != "" {
				if err := os.WriteFile(path, []byte(tt.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := writeFileRecovering(path, tt.rep, r)
			if err == nil {
				t.Fatal("WriteFile succeeded with a failing reporter")
			}
			if tt.isErr != nil && !errors.Is(err, tt.isErr) {
				t.Errorf("error %v does not wrap %v", err, tt.isErr)
			}
			if tt.old == "" {
				assertOnlyFiles(t, dir)
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.old {
				t.Errorf("old file changed to %.40q", got)
			}
			assertOnlyFiles(t, dir, "results.sarif")
		})
	}

	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		err := WriteFile(filepath.Join(t.TempDir(), "nope", "findings.json"), JSON{}, r)
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("error = %v, want one wrapping os.ErrNotExist", err)
		}
	})

	t.Run("path is a directory", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "findings.json"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(filepath.Join(dir, "findings.json"), JSON{}, r); err == nil {
			t.Error("WriteFile over a directory succeeded")
		}
		assertOnlyFiles(t, dir, "findings.json")
	})
}

// writeFileRecovering calls WriteFile and turns a panic into an error, after
// WriteFile's own clean-up has run.
func writeFileRecovering(path string, rep Reporter, r *findings.Report) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return WriteFile(path, rep, r)
}

// assertOnlyFiles fails unless dir holds exactly the named entries: no
// temporary file may be left behind.
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if names == nil {
		names = []string{}
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("files in %s (-want +got):\n%s", dir, diff)
	}
}
