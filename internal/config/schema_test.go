package config

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/docs/schema"
)

var (
	schemaPath  = filepath.Join("..", "..", "docs", "schema", "config.schema.json")
	examplePath = filepath.Join("..", "..", "examples", "sgaudit.yaml")
)

// configSchema compiles config.schema.json with data.schema.json, which it
// refers to, each under its $id as an editor would fetch them.
func configSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat() // "format": "date" rejects 2027-02-30
	var configID string
	for _, name := range []string{schema.Config, schema.Data} {
		b, err := schema.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s is not JSON: %v", name, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if !strings.HasSuffix(id, "/docs/schema/"+name) {
			t.Fatalf("%s: $id %q does not name the published file", name, id)
		}
		if err := c.AddResource(id, doc); err != nil {
			t.Fatal(err)
		}
		if name == "config.schema.json" {
			configID = id
		}
	}
	sch, err := c.Compile(configID)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return sch
}

// yamlToJSON converts a config file to the JSON document the schema
// describes, with the same YAML reading as Parse (dates stay text).
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	v, err := decoder{file: "test"}.value(doc.Content[0], "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func TestExampleConfigMatchesSchema(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := configSchema(t).Validate(yamlToJSON(t, src)); err != nil {
		t.Errorf("%s does not match %s:\n%v", examplePath, schemaPath, err)
	}
	cfg, err := Parse(examplePath, src)
	if err != nil {
		t.Fatalf("sgaudit does not read its own example: %v", err)
	}
	if err := cfg.Validate(catalogue); err != nil {
		t.Errorf("the example fails validation: %v", err)
	}
	if len(cfg.Checks) == 0 || len(cfg.Data) == 0 || len(cfg.Suppressions) == 0 {
		t.Errorf("the example should show every section: %+v", cfg)
	}
}

// TestSchemaAgreesWithParser: the schema and sgaudit accept and refuse the
// same files (for what a schema can express), so an editor using the schema
// does not contradict the tool.
func TestSchemaAgreesWithParser(t *testing.T) {
	t.Parallel()
	sch := configSchema(t)
	tests := []struct {
		name  string
		src   string
		valid bool
	}{
		{"empty", "{}", true},
		{"nulls", "version: 1\nchecks:\ndata:\nsuppressions:\n", true},
		{"check settings", "checks:\n  SGA014: {enabled: true}\n  SGA007: {severity: medium}\n", true},
		{"suppression with every field", "suppressions:\n  - {check: SGA002, account: '111122223333', region: eu-*, group: legacy-*, tag: {env: sandbox}, rule: sgr-1, reason: r, owner: o, expires: 2027-01-31}\n", true},
		{"suppression with an unquoted account", "suppressions:\n  - {account: 111122223333, reason: r}\n", true},
		{"data", "data:\n  rules_quota: 40\n  naming_pattern: '^x$'\n  authorized_ports: [{protocol: tcp, from_port: 443, to_port: 443}]\n  ports: {admin: [{service: SSH, protocols: [tcp], from_port: 22, to_port: 22}]}\n", true},

		{"a port category of your own", "data:\n  ports: {bastion: [{service: SSH, protocols: [tcp], from_port: 2222, to_port: 2222}]}\n", true},
		{"severity for your own check", "data:\n  severities: {my_check: {public_interface: high}}\n", true},

		{"unknown top-level key", "versoin: 1\n", false},
		{"port as a string", "data:\n  ports: {admin: [{service: SSH, protocols: [tcp], from_port: '22', to_port: 22}]}\n", false},
		{"admin ports disabled by a string", "data:\n  ports: {admin: none}\n", false},
		{"protocol in upper case", "data:\n  authorized_ports: [{protocol: TCP, from_port: 443, to_port: 443}]\n", false},
		{"port out of range", "data:\n  authorized_ports: [{protocol: tcp, from_port: -1, to_port: 443}]\n", false},
		{"unknown check key", "checks:\n  SGA001: {severty: high}\n", false},
		{"check without settings", "checks:\n  SGA001: {}\n", false},
		{"bad check id", "checks:\n  sga001: {enabled: true}\n", false},
		{"enabled not a bool", "checks:\n  SGA001: {enabled: 'yes'}\n", false},
		{"bad severity", "checks:\n  SGA001: {severity: severe}\n", false},
		{"version 2", "version: 2\n", false},
		{"missing reason", "suppressions:\n  - {check: SGA001}\n", false},
		{"blank reason", "suppressions:\n  - {check: SGA001, reason: '  '}\n", false},
		{"no matcher", "suppressions:\n  - {reason: r, owner: o}\n", false},
		{"unknown suppression key", "suppressions:\n  - {check: SGA001, reason: r, groups: x}\n", false},
		{"bad date", "suppressions:\n  - {check: SGA001, reason: r, expires: 2027-02-30}\n", false},
		{"date with a time", "suppressions:\n  - {check: SGA001, reason: r, expires: '2027-01-31T00:00:00Z'}\n", false},
		{"short account", "suppressions:\n  - {account: '1111', reason: r}\n", false},
		{"empty tag map", "suppressions:\n  - {tag: {}, reason: r}\n", false},
		{"unknown data key", "data:\n  rules_qouta: 40\n", false},
		{"quota not a number", "data:\n  rules_quota: fifty\n", false},
		{"quota a fraction", "data:\n  rules_quota: 40.5\n", false},
		{"authorized port without to_port", "data:\n  authorized_ports: [{protocol: tcp, from_port: 443}]\n", false},
		{"port entry with an unknown key", "data:\n  ports: {admin: [{service: SSH, protocol: tcp, protocols: [tcp], from_port: 22, to_port: 22}]}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			schemaErr := sch.Validate(yamlToJSON(t, []byte(tt.src)))
			cfg, parseErr := Parse("c.yaml", []byte(tt.src))
			if parseErr == nil {
				parseErr = cfg.Validate(catalogue)
			}
			if (schemaErr == nil) != tt.valid {
				t.Errorf("schema: valid = %v, want %v (%v)", schemaErr == nil, tt.valid, schemaErr)
			}
			if (parseErr == nil) != tt.valid {
				t.Errorf("sgaudit: valid = %v, want %v (%v)", parseErr == nil, tt.valid, parseErr)
			}
		})
	}
}
