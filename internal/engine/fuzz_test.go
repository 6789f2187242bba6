package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgaudit/sgaudit/internal/schema"
	"github.com/sgaudit/sgaudit/policies"
)

// FuzzData: a --data file (JSON or YAML, as its name says) is either
// refused with a *PolicyError naming it, or accepted; accepted data holds
// only JSON values, still validates after the JSON round trip a
// configuration's data takes, and merged over the embedded defaults gives
// a document that validates too (checking each file on its own is the same
// as checking the merge). A refusal by the schema names a path and a line
// lookup that does not fail.
func FuzzData(f *testing.F) {
	defaults, err := fs.ReadFile(policies.FS, "data/defaults.json")
	if err != nil {
		f.Fatal(err)
	}
	var laughs strings.Builder
	laughs.WriteString("corp:\n  l0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	for _, seed := range []struct {
		yaml bool
		text string
	}{
		{false, string(defaults)},
		{false, `{"sgaudit":{"ports":{"admin":"none"}}}`},
		{false, `{"sgaudit":7}`},
		{false, `{"sgaudit": {"authorized_ports": [{"protocol": "tcp", "from_port": 22.0, "to_port": 2e1}]}, "corp": [1, "x"]}`},
		{false, "{\n \"sgaudit\": {\"ports\": {\"my ports\": [\n  {\"service\": \"X\", \"protocols\": [\"tcp\"], \"from_port\": 9, \"to_port\": 8}]}}}"},
		{true, "sgaudit:\n  ports:\n    admin:\n      - {service: SSH, protocols: [tcp], from_port: \"22\", to_port: 22}\n"},
		{true, "sgaudit:\n  rules_quota: 40\n  naming_pattern: '(['\n  severities: {mine: {public_interface: high}}\n"},
		{true, "corp: &d\n  x: *d\n"},
		{true, laughs.String()},
		{true, "corp: {when: 2027-01-31, inf: .inf, bin: !!binary aGVsbG8=, big: 18446744073709551615}\n"},
		{true, "sgaudit: {}\n---\nsgaudit: 7\n"},
		{false, `{"sgaudit":{"ports":{"admin":[]},"ports":{"admin":[]}}}`},
		{false, `{"corp":{"a":1,"\u0061":2,"A":3}}`},
		{false, "{\"corp\":{\"\xff\":1,\"\xfe\":2}}"},
		{true, "corp:\n  a: &s " + strings.Repeat("y", 1000) + "\n  b: [*s, *s, *s]\n"},
	} {
		f.Add(seed.yaml, []byte(seed.text))
	}
	embedded, err := EmbeddedData(policies.FS)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, isYAML bool, b []byte) {
		name := "fuzz.json"
		if isYAML {
			name = "fuzz.yaml"
		}
		doc, err := decodeData(name, b)
		if err != nil {
			var pe *PolicyError
			if !errors.As(err, &pe) || !errors.Is(err, ErrPolicy) || pe.File != name {
				t.Fatalf("error %v (%T) is not a *PolicyError naming %s", err, err, name)
			}
			return
		}
		src := dataSource{name: name, doc: doc, raw: b}
		if v := schema.ValidateData(doc); v != nil {
			if v.Where == "" || v.Msg == "" {
				t.Fatalf("violation without a place or a message: %+v", v)
			}
			if pe := src.invalid(v); pe.File != name || pe.Line < 0 {
				t.Fatalf("violation reported as %+v", pe)
			}
			return
		}
		if err := onlyJSON(doc); err != nil {
			t.Fatalf("accepted data: %v", err)
		}
		enc, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("accepted data does not encode as JSON: %v", err)
		}
		again, err := decodeData("again.json", enc)
		if err != nil {
			t.Fatalf("accepted data does not decode from its JSON: %v", err)
		}
		if v := schema.ValidateData(again); v != nil {
			t.Fatalf("accepted data is refused after a JSON round trip: %v", v)
		}
		// The copy a configuration's data gets is the same document.
		copied, err := copyData(doc)
		if err != nil {
			t.Fatalf("accepted data is refused by copyData: %v", err)
		}
		if diff := cmp.Diff(any(doc), copied); diff != "" {
			t.Fatalf("copyData changed the document (-doc +copy):\n%s", diff)
		}
		// Nothing written is dropped: a JSON file has as many object
		// members as the document (a key given twice is refused).
		if !isYAML {
			if written, kept := jsonMembers(t, b), members(doc); written != kept {
				t.Fatalf("the file has %d object members, the accepted document %d", written, kept)
			}
		}
		merged := deepMerge(deepMerge(map[string]any{}, embedded), doc)
		if v := schema.ValidateData(merged); v != nil {
			t.Fatalf("accepted data merged over the defaults is refused: %v", v)
		}
		if _, err := ast.InterfaceToValue(merged); err != nil {
			t.Fatalf("accepted data does not convert for the store: %v", err)
		}
	})
}

// jsonMembers counts the object members written in a JSON text.
func jsonMembers(t *testing.T, b []byte) int {
	t.Helper()
	dec := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	n := 0
	for {
		tok, err := dec.ReadToken()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("accepted JSON does not tokenise: %v", err)
		}
		// A name is an odd token of an object.
		if k, length := dec.StackIndex(dec.StackDepth()); tok.Kind() == '"' && k == '{' && length%2 == 1 {
			n++
		}
	}
}

// members counts the object members in a decoded document.
func members(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		n += len(x)
		for _, e := range x {
			n += members(e)
		}
	case []any:
		for _, e := range x {
			n += members(e)
		}
	}
	return n
}

// onlyJSON fails on any value encoding/json or go-yaml would not give for
// JSON: maps with string keys, lists, strings, booleans, null, finite
// numbers.
func onlyJSON(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if err := onlyJSON(e); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	case []any:
		for i, e := range x {
			if err := onlyJSON(e); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Errorf("%v is not a JSON number", x)
		}
	case nil, string, bool, json.Number, int, int64, uint64:
	default:
		return fmt.Errorf("%T is not a JSON value", x)
	}
	return nil
}

// TestOwner: a problem in the merged document is blamed on the last file
// that set the value, or a list or value on the way to it.
func TestOwner(t *testing.T) {
	t.Parallel()
	srcs := []dataSource{
		{name: "a", doc: map[string]any{"sgaudit": map[string]any{"ports": map[string]any{"admin": []any{1}}, "rules_quota": 1}}},
		{name: "b", doc: map[string]any{"sgaudit": map[string]any{"ports": map[string]any{"db": []any{}}}}},
		{name: "c", doc: map[string]any{"corp": 7}},
	}
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"sgaudit", "ports", "admin", "0", "from_port"}, "a"},
		{[]string{"sgaudit", "ports", "db"}, "b"},
		{[]string{"sgaudit", "ports"}, "b"},
		{[]string{"sgaudit", "rules_quota"}, "a"},
		{[]string{"corp", "x"}, "c"},
		{[]string{"nowhere"}, ""},
	} {
		if got := owner(srcs, tt.path).name; got != tt.want {
			t.Errorf("owner(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
