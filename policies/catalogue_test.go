package policies_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The check ids of the built-in pack are a catalogue people and tools
// hold on to: suppressions, baselines, SARIF alerts and dashboards name
// them. So they are permanent: issued in order from SGA001, each to one
// check, never reused. TestCheckMetadata reads the ids from the policies'
// METADATA and holds them to that with catalogueErrors.

// retiredIDs are the ids of built-in checks that were removed. An entry is
// never deleted: the id stays taken, so that a new check cannot inherit the
// suppressions, baselines and alerts of the old one. None so far.
var retiredIDs = map[string]string{
	// "SGA0nn": "why the check was removed, and when",
}

// builtinID reads the number of a built-in check id.
var builtinID = regexp.MustCompile(`^SGA([0-9]{3})$`)

// catalogueErrors checks the ids of the built-in checks (sorted, from the
// METADATA), given the retired ids and the ids of the committed index
// docs/checks.md: together, live and retired ids are SGA001 to SGAnnn with
// no gap and no overlap, and every id the index lists is live or retired.
// The last catches a removed check whose id was the highest, which leaves
// no gap behind: the index still lists it until `make docs` runs.
func catalogueErrors(ids []string, retired map[string]string, documented []string) []error {
	var errs []error
	issued := map[int]string{}
	for _, id := range ids {
		m := builtinID.FindStringSubmatch(id)
		if m == nil {
			errs = append(errs, fmt.Errorf("check id %s is not of the form SGAnnn", id))
			continue
		}
		n, _ := strconv.Atoi(m[1])
		issued[n] = id
		if why, ok := retired[id]; ok {
			errs = append(errs, fmt.Errorf("check id %s is retired (%s) and may not be reused: give the check the next free id", id, why))
		}
	}
	for id := range retired {
		m := builtinID.FindStringSubmatch(id)
		if m == nil {
			errs = append(errs, fmt.Errorf("retired id %s is not of the form SGAnnn", id))
			continue
		}
		n, _ := strconv.Atoi(m[1])
		if _, live := issued[n]; !live {
			issued[n] = id
		}
	}
	last := 0
	for n := range issued {
		last = max(last, n)
	}
	for n := 1; n <= last; n++ {
		if _, ok := issued[n]; !ok {
			errs = append(errs, fmt.Errorf("no check has id SGA%03d: ids are issued in order from SGA001; a removed check's id goes into retiredIDs, never back into use", n))
		}
	}
	for _, id := range documented {
		if !slices.Contains(ids, id) {
			if _, ok := retired[id]; !ok {
				errs = append(errs, fmt.Errorf("docs/checks.md lists %s, which no policy declares: a removed check's id goes into retiredIDs (then run `make docs`)", id))
			}
		}
	}
	slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errs
}

// documentedIDs reads the check ids of the committed index docs/checks.md,
// in its order.
func documentedIDs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "checks.md"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)^\| \[(SGA[0-9]{3})\]\(`).FindAllSubmatch(b, -1) {
		ids = append(ids, string(m[1]))
	}
	if len(ids) == 0 {
		t.Fatal("docs/checks.md lists no check: has its table changed shape?")
	}
	return ids
}

func TestCatalogueErrors(t *testing.T) {
	t.Parallel()
	seq := func(from, to int) []string {
		var out []string
		for n := from; n <= to; n++ {
			out = append(out, fmt.Sprintf("SGA%03d", n))
		}
		return out
	}
	without := func(ids []string, drop string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == drop })
	}
	all := seq(1, 15)
	tests := []struct {
		name       string
		ids        []string
		retired    map[string]string
		documented []string
		want       []string
	}{
		{name: "complete", ids: all, documented: all},
		{name: "a new check takes the next id", ids: seq(1, 16), documented: all},
		{
			name: "removed check", ids: without(all, "SGA007"), documented: all,
			want: []string{
				"docs/checks.md lists SGA007, which no policy declares: a removed check's id goes into retiredIDs (then run `make docs`)",
				"no check has id SGA007: ids are issued in order from SGA001; a removed check's id goes into retiredIDs, never back into use",
			},
		},
		{
			name: "removed check after make docs", ids: without(all, "SGA007"), documented: without(all, "SGA007"),
			want: []string{"no check has id SGA007: ids are issued in order from SGA001; a removed check's id goes into retiredIDs, never back into use"},
		},
		{
			name: "removed last check", ids: seq(1, 14), documented: all,
			want: []string{"docs/checks.md lists SGA015, which no policy declares: a removed check's id goes into retiredIDs (then run `make docs`)"},
		},
		{
			name: "removed check, id retired", ids: without(all, "SGA007"), documented: all,
			retired: map[string]string{"SGA007": "merged into SGA006"},
		},
		{
			name: "retired last id keeps the sequence", ids: seq(1, 14), documented: seq(1, 14),
			retired: map[string]string{"SGA015": "removed"},
		},
		{
			name: "retired id reused", ids: all, documented: all,
			retired: map[string]string{"SGA007": "merged into SGA006"},
			want:    []string{"check id SGA007 is retired (merged into SGA006) and may not be reused: give the check the next free id"},
		},
		{
			name: "skipped an id", ids: append(seq(1, 15), "SGA017"), documented: all,
			want: []string{"no check has id SGA016: ids are issued in order from SGA001; a removed check's id goes into retiredIDs, never back into use"},
		},
		{
			name: "not from SGA001", ids: seq(2, 3), documented: seq(2, 3),
			want: []string{"no check has id SGA001: ids are issued in order from SGA001; a removed check's id goes into retiredIDs, never back into use"},
		},
		{
			name: "not a built-in id", ids: append(seq(1, 2), "ACME001"), documented: seq(1, 2),
			want: []string{"check id ACME001 is not of the form SGAnnn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, err := range catalogueErrors(tt.ids, tt.retired, tt.documented) {
				got = append(got, err.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("catalogueErrors (-want +got):\n%s", diff)
			}
		})
	}
}
