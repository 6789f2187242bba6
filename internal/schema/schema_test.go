package schema

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	published "github.com/sgaudit/sgaudit/docs/schema"
	"github.com/sgaudit/sgaudit/policies"
)

// rawSchema is data.schema.json as plain JSON, for walking it.
func rawSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := published.FS.ReadFile(published.Data)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// deref follows a local "$ref": "#/$defs/x".
func deref(root, node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			return node
		}
		node = root["$defs"].(map[string]any)[name].(map[string]any)
	}
}

// decodeJSON decodes JSON as the engine does (json.Number for numbers).
func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidateData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string // want "" = valid
	}{
		{"empty", `{}`, ""},
		{"free-form outside sgaudit", `{"corp": {"x": [1, 2.5, null, "s"]}, "sgaudit": {}}`, ""},
		{"a partial file", `{"sgaudit": {"severities": {"open_admin_ports": {}}}}`, ""},
		{"sgaudit a number", `{"sgaudit": 7}`, "sgaudit: want object, got 7"},
		{"admin ports a string", `{"sgaudit": {"ports": {"admin": "none"}}}`, `sgaudit.ports.admin: want array, got "none"`},
		{"port a string", `{"sgaudit": {"authorized_ports": [{"protocol": "tcp", "from_port": "22", "to_port": 22}]}}`,
			`sgaudit.authorized_ports[0].from_port: want integer, got "22"`},
		{"port -1", `{"sgaudit": {"authorized_ports": [{"protocol": "tcp", "from_port": -1, "to_port": 22}]}}`,
			`sgaudit.authorized_ports[0].from_port: want at least 0, got -1`},
		{"exponent", `{"sgaudit": {"rules_quota": 5e1}}`, `sgaudit.rules_quota: want a whole number written without a fraction or exponent, got 5e1`},
		{"unknown key, and a missing one, in one entry", `{"sgaudit": {"authorized_ports": [{"protocol": "tcp", "form_port": 1, "to_port": 22}]}}`,
			`sgaudit.authorized_ports[0].form_port: unknown key`},
		{"first error by path, whatever the map order", `{"sgaudit": {"rules_quota": "x", "naming_pattern": 1, "ports": {"b": 1, "a": 2}}}`,
			`sgaudit.naming_pattern: want string, got 1`},
		{"quoted key in the path", `{"sgaudit": {"ports": {"my.ports": [{"service": "", "protocols": ["tcp"], "from_port": 1, "to_port": 1}]}}}`,
			`sgaudit.ports["my.ports"][0].service: must not be empty`},
		{"duplicate protocol", `{"sgaudit": {"ports": {"a": [{"service": "x", "protocols": ["tcp", "tcp"], "from_port": 1, "to_port": 1}]}}}`,
			`sgaudit.ports.a[0].protocols: items 0 and 1 are the same`},
		{"empty category name", `{"sgaudit": {"ports": {"": []}}}`, `sgaudit.ports[""]: empty key`},
		{"admin ports emptied", `{"sgaudit": {"ports": {"admin": []}}}`,
			`sgaudit.ports.admin: want at least 1 item(s), got 0; an empty list would turn SGA001 off unseen: turn it off with checks.SGA001.enabled: false in the configuration`},
		{"database ports emptied", `{"sgaudit": {"ports": {"database": []}}}`,
			`sgaudit.ports.database: want at least 1 item(s), got 0; an empty list would turn SGA002 off unseen: turn it off with checks.SGA002.enabled: false in the configuration`},
		{"high-risk ports emptied", `{"sgaudit": {"ports": {"high_risk": []}}}`,
			`sgaudit.ports.high_risk: want at least 1 item(s), got 0; an empty list would turn SGA004 off unseen: turn it off with checks.SGA004.enabled: false in the configuration`},
		{"a category of one's own may be empty", `{"sgaudit": {"ports": {"mine": []}}}`, ""},
		{"severity of one's own check", `{"sgaudit": {"severities": {"mine": {"public_interface": "high"}}}}`, ""},
		{"unknown special case", `{"sgaudit": {"severities": {"mine": {"private_interface": "high"}}}}`,
			`sgaudit.severities.mine.private_interface: unknown key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ""
			if v := ValidateData(decodeJSON(t, tt.doc)); v != nil {
				got = v.Error()
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ValidateData (-want +got):\n%s", diff)
			}
		})
	}
	// Go values as decoded YAML gives them.
	yamlDoc := map[string]any{"sgaudit": map[string]any{"ports": map[string]any{"admin": []any{
		map[string]any{"service": "SSH", "protocols": []any{"tcp"}, "from_port": 22, "to_port": uint64(22)},
		map[string]any{"service": "SSH", "protocols": []any{"tcp"}, "from_port": int64(2222), "to_port": 2222.0},
	}}}}
	if v, want := ValidateData(yamlDoc), "sgaudit.ports.admin[1].to_port: want a whole number written without a fraction, got 2222"; v == nil || v.Error() != want {
		t.Errorf("ValidateData(YAML values) = %v, want %q", v, want)
	}
}

// TestEmbeddedDefaultsAreValid: the pack's own data passes the schema and
// sets every key of data.sgaudit, so the merged document always has them
// all (the schema cannot require them: a --data file sets only some).
func TestEmbeddedDefaultsAreValid(t *testing.T) {
	t.Parallel()
	b, err := fs.ReadFile(policies.FS, "data/defaults.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := decodeJSON(t, string(b))
	if v := ValidateData(doc); v != nil {
		t.Fatalf("policies/data/defaults.json: %v", v)
	}
	sg := doc["sgaudit"].(map[string]any)
	for _, key := range sgauditKeys() {
		if _, ok := sg[key]; !ok {
			t.Errorf("policies/data/defaults.json has no data.sgaudit.%s", key)
		}
	}
}

// TestMergedObjectsRequireNothing: an object that merges key by key (every
// object not inside a list) must not have required keys or a minimum
// count, or a --data file setting one key would be refused. This is what
// makes checking each file on its own the same as checking the merge.
func TestMergedObjectsRequireNothing(t *testing.T) {
	t.Parallel()
	root := rawSchema(t)
	var walk func(at string, node map[string]any)
	walk = func(at string, node map[string]any) {
		node = deref(root, node)
		for _, kw := range []string{"required", "minProperties", "anyOf", "oneOf", "allOf", "if", "dependentRequired"} {
			if _, ok := node[kw]; ok {
				t.Errorf("%s: %q on an object that merges key by key", at, kw)
			}
		}
		if props, ok := node["properties"].(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(props)) {
				walk(at+"."+k, props[k].(map[string]any))
			}
		}
		if add, ok := node["additionalProperties"].(map[string]any); ok {
			walk(at+".*", add)
		}
		// Lists are replaced whole: their items may require keys.
	}
	walk("data", root)
}

// read is a path into data.sgaudit that a policy reads; "*" is a key only
// known at evaluation (a variable).
type read struct {
	file string
	path []string
}

// sgauditReads lists every data.sgaudit path the pack's policies read:
// refs (data.sgaudit.ports.admin, data.sgaudit.ports[c]) and the paths of
// object.get over such a ref. lib and checks are the pack's own packages.
func sgauditReads(t *testing.T) []read {
	t.Helper()
	var reads []read
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(p, string(b), ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		refPath := func(ref ast.Ref) ([]string, bool) {
			if len(ref) < 2 || !ref[0].Equal(ast.DefaultRootDocument) || !ref[1].Equal(ast.StringTerm("sgaudit")) {
				return nil, false
			}
			var path []string
			for _, term := range ref[2:] {
				if s, ok := term.Value.(ast.String); ok {
					path = append(path, string(s))
				} else {
					path = append(path, "*")
				}
			}
			if len(path) > 0 && (path[0] == "lib" || path[0] == "checks") {
				return nil, false
			}
			return path, true
		}
		ast.WalkTerms(m, func(term *ast.Term) bool {
			switch v := term.Value.(type) {
			case ast.Ref:
				if path, ok := refPath(v); ok && len(path) > 0 {
					reads = append(reads, read{p, path})
				}
			case ast.Call:
				if len(v) == 4 && v[0].String() == "object.get" {
					base, ok := v[1].Value.(ast.Ref)
					keys, isArray := v[2].Value.(*ast.Array)
					if path, isData := refPath(base); ok && isData && isArray {
						keys.Foreach(func(k *ast.Term) {
							if s, ok := k.Value.(ast.String); ok {
								path = append(path, string(s))
							} else {
								path = append(path, "*")
							}
						})
						reads = append(reads, read{p, path})
					}
				}
			}
			return false
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return reads
}

// TestSchemaCoversEveryKeyThePoliciesRead: every data.sgaudit path a
// policy reads is defined by the schema (a key: under properties, or any
// key where the schema takes keys of one's own; a variable: only there),
// and every key the schema defines at the top of data.sgaudit is read by
// some policy.
func TestSchemaCoversEveryKeyThePoliciesRead(t *testing.T) {
	t.Parallel()
	root := rawSchema(t)
	sg := root["$defs"].(map[string]any)["sgaudit"].(map[string]any)
	reads := sgauditReads(t)
	read1 := map[string]bool{}
	for _, r := range reads {
		read1[r.path[0]] = true
		node := sg
		for i, key := range r.path {
			node = deref(root, node)
			if items, ok := node["items"].(map[string]any); ok {
				node = items // a list index
				continue
			}
			props, _ := node["properties"].(map[string]any)
			if sub, ok := props[key].(map[string]any); ok && key != "*" {
				node = sub
				continue
			}
			if add, ok := node["additionalProperties"].(map[string]any); ok {
				node = add
				continue
			}
			t.Errorf("%s reads data.sgaudit.%s, which data.schema.json does not define (at %q)", r.file, strings.Join(r.path, "."), strings.Join(r.path[:i+1], "."))
			break
		}
	}
	var unread []string
	for _, k := range sgauditKeys() {
		if !read1[k] {
			unread = append(unread, k)
		}
	}
	if len(unread) > 0 {
		t.Errorf("data.schema.json defines data.sgaudit keys no policy reads: %v", unread)
	}
	if len(reads) < len(sgauditKeys()) {
		t.Errorf("found only %d reads of data.sgaudit in the pack: the walk is broken", len(reads))
	}
}

// BenchmarkValidateDefaults measures validating the pack's own data, which
// every policy load does (with each --data file and the merged document).
func BenchmarkValidateDefaults(b *testing.B) {
	raw, err := fs.ReadFile(policies.FS, "data/defaults.json")
	if err != nil {
		b.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if v := ValidateData(doc); v != nil {
			b.Fatal(v)
		}
	}
}
