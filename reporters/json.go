package reporters

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// JSON writes the findings.Report as indented JSON with a trailing newline.
// The format is versioned by findings.SchemaVersion and documented by the
// JSON Schema in docs/schema/findings.schema.json. Lists are sorted and
// never null; map keys are sorted by encoding/json, so output is
// deterministic.
type JSON struct{}

// Write implements Reporter.
func (JSON) Write(w io.Writer, r *findings.Report) error {
	p, err := prepare(r)
	if err != nil {
		return fmt.Errorf("write JSON: %w", err)
	}
	if p.SchemaVersion == "" {
		// The document must say which format it is, even when the caller
		// built the report by hand.
		p.SchemaVersion = findings.SchemaVersion
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// HTML escaping stays on (<, > and & as \u003c...): group names are
	// attacker-controlled and this JSON may be pasted into a web page.
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("encode findings JSON: %w", err)
	}
	return nil
}
