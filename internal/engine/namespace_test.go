package engine

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgaudit/sgaudit/policies"
)

// TestCustomPolicyNamespace (issue 9): with the real pack, a --policy-dir
// module that declares a package inside data.sgaudit is refused when the
// policies load, naming its file and line; the override of the admin port
// list it would make used to load and silence SGA001. A check in a
// package of its own still loads.
func TestCustomPolicyNamespace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want string // "" when Load must succeed
	}{
		{"data override", "# An empty admin port list: SGA001 finds nothing.\npackage sgaudit.ports\n\nadmin := []\n",
			"override.rego:2: package sgaudit.ports is inside sgaudit's own namespace data.sgaudit; custom checks use a package of their own, such as acme.checks.<name> (docs/writing-policies.md)"},
		{"lib rule", "package sgaudit.lib.net\n\nis_world(_) := false\n",
			"override.rego:1: package sgaudit.lib.net is inside sgaudit's own namespace data.sgaudit"},
		{"check of its own", meta("ACME001", "LOW") + "package acme.checks.flag_all\n" + everyGroup, ""},
		{"name that only starts like sgaudit", meta("ACME002", "LOW") + "package sgaudit_acme.checks.flag_all\n" + everyGroup, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"override.rego": tt.file})
			e, err := Load(context.Background(), policies.FS, Options{PolicyDirs: []string{dir}})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				custom := 0
				for _, c := range e.Checks() {
					if c.Custom {
						custom++
					}
				}
				if custom != 1 {
					t.Errorf("%d custom checks loaded, want 1", custom)
				}
				return
			}
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, ErrPolicy) || !strings.HasPrefix(err.Error(), dir) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want ErrPolicy, starting with %s and containing %q", err, dir, tt.want)
			}
		})
	}
}

// TestBuiltinNamespace: everything the embedded pack defines, its
// packages and its data, is under data.sgaudit, the namespace
// customNamespace keeps for it.
func TestBuiltinNamespace(t *testing.T) {
	t.Parallel()
	ns := ast.Ref{ast.DefaultRootDocument, ast.StringTerm(builtinNamespace)}
	n := 0
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		n++
		if !m.Package.Path.HasPrefix(ns) {
			t.Errorf("%s: package %s is outside %s", p, m.Package.Path, ns)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no .rego files in the embedded pack")
	}
	data, err := EmbeddedData(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{builtinNamespace}, slices.Sorted(maps.Keys(data))); diff != "" {
		t.Errorf("top-level keys of the embedded data (-want +got):\n%s", diff)
	}
}
