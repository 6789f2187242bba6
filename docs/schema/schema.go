// Package schema embeds the JSON Schemas published in this directory:
// config.schema.json, data.schema.json and findings.schema.json.
//
// The schemas live here, under docs/, because this is where users and
// editors find them (config.schema.json refers to data.schema.json by its
// relative name); embedding them from this package keeps one copy, so the
// published schema is the one sgaudit enforces (internal/schema validates
// against it).
package schema

import "embed"

// FS holds the published schemas.
//
//go:embed *.schema.json
var FS embed.FS

// Names of the schemas in FS.
const (
	Config   = "config.schema.json"
	Data     = "data.schema.json"
	Findings = "findings.schema.json"
)
