package schema

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPublishedSchemasAreTheEmbeddedOnes: FS holds the files of this
// directory, every *.schema.json of it, parsed as JSON.
func TestPublishedSchemasAreTheEmbeddedOnes(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(FS, "*.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{Config, Data, Findings}, names); diff != "" {
		t.Errorf("embedded schemas (-want +got):\n%s", diff)
	}
	for _, n := range names {
		b, _ := FS.ReadFile(n)
		if !json.Valid(b) || !bytes.Contains(b, []byte(`"$id": "https://github.com/sgaudit/sgaudit/blob/main/docs/schema/`+n+`"`)) {
			t.Errorf("%s: not JSON, or its $id does not name the published file", n)
		}
	}
}
