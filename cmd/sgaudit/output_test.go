package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOutputFile (issue 10, conventions): -o FILE with one file format
// writes that file, not a directory of that name; the table, if asked for
// too, still goes to stdout. -o DIR/ or an existing directory keeps
// meaning --output-dir.
func TestOutputFile(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	tests := []struct {
		name       string
		args       func(dir string) []string
		wantFiles  []string // relative to dir
		wantStdout bool
	}{
		{"-o FILE sarif", func(d string) []string { return []string{"--format", "sarif", "-o", filepath.Join(d, "results.sarif")} }, []string{"results.sarif"}, false},
		{"--output FILE json, other name", func(d string) []string { return []string{"--format", "json", "--output", filepath.Join(d, "x.json")} }, []string{"x.json"}, false},
		{"-o FILE in a missing subdirectory", func(d string) []string { return []string{"--format", "json", "-o", filepath.Join(d, "sub", "f.json")} }, []string{"sub/f.json"}, false},
		{"-o FILE with table too", func(d string) []string {
			return []string{"--format", "table,sarif", "-o", filepath.Join(d, "out.sarif")}
		}, []string{"out.sarif"}, true},
		{"-o DIR/ is a directory", func(d string) []string {
			return []string{"--format", "json,sarif", "-o", filepath.Join(d, "new") + "/"}
		}, []string{"new/findings.json", "new/results.sarif"}, false},
		{"-o existing directory", func(d string) []string { return []string{"--format", "sarif", "-o", d} }, []string{"results.sarif"}, false},
		{"-o with several file formats is a directory", func(d string) []string { return []string{"--format", "json,sarif", "-o", filepath.Join(d, "o")} }, []string{"o/findings.json", "o/results.sarif"}, false},
		{"-o - is stdout", func(d string) []string { return []string{"--format", "json", "-o", "-"} }, nil, true},
		{"--output-dir", func(d string) []string { return []string{"--format", "sarif", "--output-dir", filepath.Join(d, "o")} }, []string{"o/results.sarif"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runCLI(t, append([]string{"scan", "--input", inv}, tt.args(dir)...)...)
			if r.code != exitOK {
				t.Fatalf("exit %d; stderr: %s", r.code, r.stderr)
			}
			var got []string
			filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					got = append(got, filepath.ToSlash(rel))
				}
				return nil
			})
			slices.Sort(got)
			if diff := cmp.Diff(tt.wantFiles, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			for _, f := range got {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil || !json.Valid(data) {
					t.Errorf("%s is not a JSON report (err %v)", f, err)
				}
			}
			if (r.stdout != "") != tt.wantStdout {
				t.Errorf("stdout = %q, want output %v", r.stdout, tt.wantStdout)
			}
		})
	}
}

// TestOutputFileMode: -o FILE replacing a file keeps its mode, as the
// --output-dir set does (atomicfile.Write).
func TestOutputFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are Unix")
	}
	path := filepath.Join(t.TempDir(), "r.sarif")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "scan", "--input", writeInventoryFile(t, sshInventory()), "--format", "sarif", "-o", path)
	if r.code != exitOK {
		t.Fatalf("exit %d; stderr: %s", r.code, r.stderr)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(path); string(data) == "old" {
		t.Error("the file was not replaced")
	}
}

// TestOutputErrors: -o with only the table, -o FILE with several file
// formats, and -o with --output-dir are exit 2, and create nothing.
func TestOutputErrors(t *testing.T) {
	inv := writeInventoryFile(t, sshInventory())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"-o with only the table", []string{"-o", "OUT/x"}, "the table format is printed on stdout"},
		{"-o DIR/ with only the table", []string{"-o", "OUT/d/"}, "the table format is printed on stdout"},
		{"--output-dir with only the table", []string{"--output-dir", "OUT/d"}, "the table format is printed on stdout"},
		{"-o and --output-dir", []string{"--format", "json", "-o", "OUT/x", "--output-dir", "OUT/d"}, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"scan", "--input", inv}
			for _, a := range tt.args {
				if len(a) >= 3 && a[:3] == "OUT" {
					a = dir + a[3:]
				}
				args = append(args, a)
			}
			assertOneLineError(t, runCLI(t, args...), tt.want)
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("a refused command left %d entries", len(entries))
			}
		})
	}
}

// TestCollectOutputDirectory: collect -o DIR/ (or an existing directory)
// writes DIR/inventory.json, the rule scan -o follows.
func TestCollectOutputDirectory(t *testing.T) {
	for _, tt := range []struct {
		name string
		path func(dir string) string
		want string
	}{
		{"trailing slash", func(d string) string { return filepath.Join(d, "new") + "/" }, "new/inventory.json"},
		{"existing directory", func(d string) string { return d }, "inventory.json"},
		{"file", func(d string) string { return filepath.Join(d, "inv.json") }, "inv.json"},
		{"stdout", func(string) string { return "-" }, "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			got := inventoryPath(tt.path(dir))
			want := tt.want
			if want != "-" {
				want = filepath.Join(dir, tt.want)
			}
			if got != want {
				t.Errorf("inventoryPath = %q, want %q", got, want)
			}
		})
	}
}
