package schema

import (
	"maps"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// LoweredEscalation is a severities.<key>.public_interface (or .reachable,
// verified exposure: docs/reachability.md §4) below the severity of the
// check it belongs to. sg.escalation and sg.exposure replace a finding's
// severity with it, so it must raise, never lower: the schema cannot say
// so, because the base depends on the catalogue.
type LoweredEscalation struct {
	Key      string            // the severities key: a check's name with "_" for "-"
	Field    string            // public_interface or reachable
	Severity findings.Severity // the escalation
	Check    findings.Check    // the check it belongs to
	Base     findings.Severity // that check's severity, from base
}

// FindLoweredEscalation returns the first lowered escalation in a
// severities object (keys in sorted order), if any. base gives a check's
// severity (its own, or the one the configuration sets). Values the schema
// refuses are skipped: it reports them itself.
func FindLoweredEscalation(severities map[string]any, catalogue []findings.Check, base func(findings.Check) findings.Severity) (LoweredEscalation, bool) {
	for _, key := range slices.Sorted(maps.Keys(severities)) {
		esc, _ := severities[key].(map[string]any)
		for _, field := range []string{"public_interface", "reachable"} {
			text, ok := esc[field].(string)
			if !ok {
				continue
			}
			sev, err := findings.ParseSeverity(text)
			if err != nil {
				continue
			}
			for _, ch := range catalogue {
				if b := base(ch); ch.Name == strings.ReplaceAll(key, "_", "-") && sev.Rank() < b.Rank() {
					return LoweredEscalation{Key: key, Field: field, Severity: sev, Check: ch, Base: b}, true
				}
			}
		}
	}
	return LoweredEscalation{}, false
}
