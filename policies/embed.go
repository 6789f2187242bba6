// Package policies embeds sgaudit's built-in Rego policy pack: the checks
// (checks/), their shared helpers (lib/) and the default data they read
// (data/defaults.json: port catalogues, placeholders, severities). The
// engine compiles it once; a stock `opa test policies/` runs the same files.
// See docs/writing-policies.md for the Rego ↔ Go contract.
package policies

import "embed"

// FS holds checks/, lib/ and data/ as they are in the repository, Rego tests
// (*_test.rego) included: the engine skips them, the Go tests run them.
//
//go:embed checks lib data
var FS embed.FS
