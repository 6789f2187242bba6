package engine

import (
	"context"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// TestEmbeddedPack loads the real policy pack and holds it to the parts of
// the contract the engine relies on (docs/writing-policies.md).
func TestEmbeddedPack(t *testing.T) {
	t.Parallel()
	e, err := Load(context.Background(), policies.FS, Options{})
	if err != nil {
		t.Fatalf("load the embedded pack: %v", err)
	}

	t.Run("catalogue", func(t *testing.T) {
		// Issue #2's checks, by id; more may be added, none may vanish.
		for _, id := range []string{"SGA001", "SGA002", "SGA003", "SGA006", "SGA007", "SGA008", "SGA009"} {
			if !slices.ContainsFunc(e.Checks(), func(c findings.Check) bool { return c.ID == id }) {
				t.Errorf("check %s missing from the catalogue", id)
			}
		}
		// File stem = package leaf = check name with dashes.
		var stems, names []string
		err := fs.WalkDir(policies.FS, "checks", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && isPolicyFile(p) {
				stems = append(stems, strings.ReplaceAll(strings.TrimSuffix(path.Base(p), ".rego"), "_", "-"))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range e.Checks() {
			names = append(names, c.Name)
			if c.Custom {
				t.Errorf("%s is marked custom", c.ID)
			}
		}
		slices.Sort(stems)
		slices.Sort(names)
		if diff := cmp.Diff(stems, names); diff != "" {
			t.Errorf("check files vs check names (-files +names):\n%s", diff)
		}
	})

	t.Run("findings", func(t *testing.T) {
		fs, checks := evaluate(t, e, fixture(t))
		if len(fs) == 0 {
			t.Fatal("no findings on the fixture")
		}
		for _, f := range fs {
			if !strings.HasPrefix(f.Message, f.GroupID) {
				t.Errorf("%s: message %q does not start with the group id", f.CheckID, f.Message)
			}
			if f.Remediation == "" {
				t.Errorf("%s on %s: no remediation", f.CheckID, f.GroupID)
			}
			if f.Region == "eu-west-1" && f.CheckID == "SGA008" {
				t.Errorf("SGA008 reported %s where interfaces were not collected", f.GroupID)
			}
		}
		for _, c := range checks {
			if c.ID == "SGA008" && c.Status != findings.CheckPartial {
				t.Errorf("SGA008 status %q, want partial (no interfaces in eu-west-1)", c.Status)
			}
		}
	})

	// The engine batches security_groups; a policy that compared groups
	// with each other would change its answer with the batch size.
	t.Run("batch size does not matter", func(t *testing.T) {
		inv := synthetic(400, 7)
		want, _ := evaluate(t, e, inv)
		for _, size := range []int{1, 7, 1000} {
			other, err := Load(context.Background(), policies.FS, Options{BatchSize: size})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := evaluate(t, other, inv)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("batch size %d changes the findings (-100 +%d):\n%s", size, size, diff)
			}
		}
	})
}
