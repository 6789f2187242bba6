package reporters

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// findingsSchema compiles docs/schema/findings.schema.json.
func findingsSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(filepath.Join(repoRoot(t), "docs", "schema", "findings.schema.json"))
	if err != nil {
		t.Fatalf("compile findings schema: %v", err)
	}
	return sch
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, doc []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
	return sch.Validate(inst)
}

func TestJSONValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	sch := findingsSchema(t)
	tests := []struct {
		name string
		r    *findings.Report
	}{
		{name: "rich report", r: loadReport(t, inReport)},
		// A zero report must still be a valid document: [] and {} rather
		// than null, and the schema version filled in.
		{name: "empty report", r: &findings.Report{}},
		{name: "nil inner lists", r: &findings.Report{
			Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}},
			Checks:   []findings.Check{{ID: "SGA001", Severity: findings.SeverityHigh, Status: findings.CheckEvaluated, Frameworks: map[string][]string{"cis": nil}}},
			Findings: []findings.Finding{{CheckID: "SGA001", Severity: findings.SeverityHigh, AccountID: "111111111111", Fingerprint: "f", Frameworks: map[string][]string{"cis": nil}}},
			Exposures: []findings.Exposure{
				{AccountID: "111111111111", Region: "eu-west-1", NetworkInterfaceID: "eni-1", PublicIP: "203.0.113.1"},
				{AccountID: "111111111111", Region: "eu-west-1", NetworkInterfaceID: "eni-2", PublicIP: "203.0.113.2", Ports: []findings.ExposedPort{{Protocol: "tcp", FromPort: 22, ToPort: 22}}},
			},
			Baseline: &findings.BaselineSummary{Path: "old.json"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := render(t, JSON{}, tt.r)
			if err := validateJSON(t, sch, out); err != nil {
				t.Errorf("output does not match the schema: %v\n%s", err, out)
			}
			if bytes.Contains(out, []byte("null")) {
				t.Errorf("output contains null:\n%s", out)
			}
			if !bytes.HasSuffix(out, []byte("}\n")) {
				t.Errorf("output does not end with a newline")
			}
		})
	}
}

// TestSchemaRejects proves the schema is not vacuous: each document here is
// the golden report with one contract violation.
func TestSchemaRejects(t *testing.T) {
	t.Parallel()
	sch := findingsSchema(t)
	golden := render(t, JSON{}, loadReport(t, inReport))
	tests := []struct {
		name   string
		mutate func(doc map[string]any)
	}{
		{name: "unknown severity", mutate: func(d map[string]any) { finding0(d)["severity"] = "SEVERE" }},
		{name: "lower-case severity", mutate: func(d map[string]any) { finding0(d)["severity"] = "high" }},
		{name: "unknown coverage status", mutate: func(d map[string]any) { d["coverage"].([]any)[0].(map[string]any)["status"] = "partial" }},
		{name: "unknown check status", mutate: func(d map[string]any) { d["checks"].([]any)[0].(map[string]any)["status"] = "skipped" }},
		{name: "other schema version", mutate: func(d map[string]any) { d["schema_version"] = "1" }},
		{name: "null findings", mutate: func(d map[string]any) { d["findings"] = nil }},
		{name: "missing fingerprint", mutate: func(d map[string]any) { delete(finding0(d), "fingerprint") }},
		{name: "unknown field", mutate: func(d map[string]any) { finding0(d)["colour"] = "red" }},
		{name: "suppression without reason", mutate: func(d map[string]any) { finding0(d)["suppression"] = map[string]any{"owner": "me"} }},
		{name: "negative count", mutate: func(d map[string]any) { d["summary"].(map[string]any)["findings"] = -1 }},
		{name: "unknown baseline state", mutate: func(d map[string]any) { finding0(d)["baseline"] = "fixed" }},
		{name: "null framework controls", mutate: func(d map[string]any) { finding0(d)["frameworks"] = map[string]any{"cis": nil} }},
		{name: "null exposures", mutate: func(d map[string]any) { d["exposures"] = nil }},
		{name: "missing notices", mutate: func(d map[string]any) { delete(d, "notices") }},
		{name: "unknown notice level", mutate: func(d map[string]any) { d["notices"].([]any)[0].(map[string]any)["level"] = "error" }},
		{name: "empty notice", mutate: func(d map[string]any) { d["notices"].([]any)[0].(map[string]any)["message"] = "" }},
		{name: "exposed port without groups", mutate: func(d map[string]any) { port0(d)["group_ids"] = nil }},
		{name: "port out of range", mutate: func(d map[string]any) { port0(d)["to_port"] = 65536 }},
		{name: "exposure without public IP", mutate: func(d map[string]any) { delete(d["exposures"].([]any)[0].(map[string]any), "public_ip") }},
		{name: "baseline without fixed findings", mutate: func(d map[string]any) { delete(d["baseline"].(map[string]any), "fixed_findings") }},
		{name: "negative baseline count", mutate: func(d map[string]any) { d["baseline"].(map[string]any)["new"] = -1 }},
		{name: "fixed finding without fingerprint", mutate: func(d map[string]any) {
			delete(d["baseline"].(map[string]any)["fixed_findings"].([]any)[0].(map[string]any), "fingerprint")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			if err := json.Unmarshal(golden, &doc); err != nil {
				t.Fatal(err)
			}
			tt.mutate(doc)
			b, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(t, sch, b); err == nil {
				t.Errorf("schema accepted a document with %s", tt.name)
			}
		})
	}
}

func finding0(doc map[string]any) map[string]any {
	return doc["findings"].([]any)[0].(map[string]any)
}

func port0(doc map[string]any) map[string]any {
	return doc["exposures"].([]any)[0].(map[string]any)["ports"].([]any)[0].(map[string]any)
}

// TestSchemaCoversEveryField keeps the schema in step with the Go types:
// every JSON field of findings.Report (recursively) is a property of the
// matching schema object, nothing else is, and exactly the fields without
// omitempty are required.
func TestSchemaCoversEveryField(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "docs", "schema", "findings.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	resolve := func(s map[string]any) map[string]any {
		for {
			ref, ok := s["$ref"].(string)
			if !ok {
				return s
			}
			name := strings.TrimPrefix(ref, "#/$defs/")
			s = root["$defs"].(map[string]any)[name].(map[string]any)
		}
	}
	var walk func(path string, typ reflect.Type, s map[string]any)
	walk = func(path string, typ reflect.Type, s map[string]any) {
		s = resolve(s)
		switch typ.Kind() {
		case reflect.Slice:
			if items, ok := s["items"].(map[string]any); ok {
				walk(path+"[]", typ.Elem(), items)
			} else {
				t.Errorf("%s: schema has no items", path)
			}
			return
		case reflect.Map:
			if ap, ok := s["additionalProperties"].(map[string]any); ok {
				walk(path+"{}", typ.Elem(), ap)
			}
			return
		case reflect.Pointer:
			walk(path, typ.Elem(), s)
			return
		case reflect.Struct:
			if typ == reflect.TypeFor[time.Time]() {
				return
			}
		default:
			return
		}
		props, _ := s["properties"].(map[string]any)
		var fields, required []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")
			if !f.IsExported() || tag[0] == "-" {
				continue
			}
			fields = append(fields, tag[0])
			if !slices.Contains(tag[1:], "omitempty") {
				required = append(required, tag[0])
			}
			sub, ok := props[tag[0]].(map[string]any)
			if !ok {
				t.Errorf("%s.%s: field missing from the schema", path, tag[0])
				continue
			}
			walk(path+"."+tag[0], f.Type, sub)
		}
		var schemaProps, schemaRequired []string
		for k := range props {
			schemaProps = append(schemaProps, k)
		}
		for _, r := range s["required"].([]any) {
			schemaRequired = append(schemaRequired, r.(string))
		}
		sorted := cmp.Transformer("sort", func(in []string) []string {
			out := slices.Clone(in)
			slices.Sort(out)
			return out
		})
		if diff := cmp.Diff(fields, schemaProps, sorted); diff != "" {
			t.Errorf("%s: properties differ (-Go +schema):\n%s", path, diff)
		}
		if diff := cmp.Diff(required, schemaRequired, sorted); diff != "" {
			t.Errorf("%s: required differ (-Go +schema):\n%s", path, diff)
		}
		if s["additionalProperties"] != false {
			t.Errorf("%s: schema object does not set additionalProperties: false", path)
		}
	}
	walk("report", reflect.TypeFor[findings.Report](), root)
}

// TestReportersDoNotModifyReport runs every reporter on one shared report,
// at once (the CLI may), and checks that none changed it and that none
// depends on the order the report was built in.
func TestReportersDoNotModifyReport(t *testing.T) {
	t.Parallel()
	reversed := func() *findings.Report {
		r := loadReport(t, inReport)
		reverseLists(r)
		return r
	}
	shared, before := reversed(), reversed()
	for _, rep := range []Reporter{JSON{}, SARIF{}, Markdown{}, Table{}} {
		t.Run(fmt.Sprintf("%T", rep), func(t *testing.T) {
			t.Parallel()
			sorted := render(t, rep, loadReport(t, inReport))
			if diff := cmp.Diff(string(sorted), string(render(t, rep, shared))); diff != "" {
				t.Errorf("output depends on the input order (-sorted +reversed):\n%s", diff)
			}
		})
	}
	t.Cleanup(func() {
		if diff := cmp.Diff(before, shared); diff != "" {
			t.Errorf("a reporter modified the report (-before +after):\n%s", diff)
		}
	})
}
