package reporters

import (
	"fmt"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// sourceMappingText says how many findings were mapped to code, per
// source, and why the rest were not (docs/iac.md §3); "" when the scan
// was given no code.
func sourceMappingText(m *findings.SourceMapping) string {
	if m == nil {
		return ""
	}
	total := m.Mapped + m.Unmapped
	text := fmt.Sprintf("Mapped to code: %d of %s", m.Mapped, plural(total, "finding"))
	var parts []string
	for _, s := range m.Sources {
		parts = append(parts, fmt.Sprintf("%s %s: %d", s.Kind, sanitize(s.Name), s.Findings))
	}
	if len(parts) > 0 {
		text += " (" + strings.Join(parts, ", ") + ")"
	}
	parts = parts[:0]
	for _, r := range m.Reasons {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(r.Reason, "_", " "), r.Findings))
	}
	if len(parts) > 0 {
		text += "; not mapped: " + strings.Join(parts, ", ")
	}
	return text
}
