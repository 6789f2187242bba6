// Package schema validates policy data against the published
// data.schema.json (embedded by docs/schema) at run time, with the checks a
// JSON Schema cannot express, and finds configured severities that lower an
// escalated check.
package schema

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	published "github.com/sgaudit/sgaudit/docs/schema"
)

// Violation is the first value of a data document that the data schema (or
// one of the checks a schema cannot express) refuses.
type Violation struct {
	// Path leads from the root of the data document to the bad value:
	// object keys and list indices ("0"). For an unknown key it ends with
	// that key.
	Path []string
	// Where is Path as text: sgaudit.ports.admin[0].from_port.
	Where string
	// Msg says what is wrong, in one line.
	Msg string
}

// Error formats the violation as "path: message".
func (v *Violation) Error() string { return v.Where + ": " + v.Msg }

// compiled is data.schema.json, compiled once; with the names of
// data.sgaudit's keys for messages about unknown ones.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	b, err := published.FS.ReadFile(published.Data)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", published.Data, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(published.Data, doc); err != nil {
		return nil, err
	}
	return c.Compile(published.Data)
})

var sgauditKeys = sync.OnceValue(func() []string {
	b, _ := published.FS.ReadFile(published.Data)
	var s struct {
		Defs struct {
			Sgaudit struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"sgaudit"`
		} `json:"$defs"`
	}
	_ = json.Unmarshal(b, &s)
	return slices.Sorted(maps.Keys(s.Defs.Sgaudit.Properties))
})

// ValidateData checks a root data document (decoded JSON or YAML: maps,
// lists, strings, booleans, nil, json.Number or Go numbers) against
// data.schema.json and returns the first violation, nil when it is valid.
// "First" is the smallest path, so the answer does not depend on map order.
// A partial document (one --data file) is validated the same way: the
// schema requires no key of an object that merges key by key.
func ValidateData(doc any) *Violation {
	sch, err := compiled()
	if err != nil {
		// The schema is embedded and tested: this is a broken build.
		panic(fmt.Sprintf("schema: %s: %v", published.Data, err))
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return violation(doc, nil, err.Error())
		}
		return fromSchema(doc, ve)
	}
	sg, _ := lookup(doc, []string{"sgaudit"})
	if sg == nil {
		return nil
	}
	return extra(doc, sg)
}

// fromSchema turns the first leaf of a validation error into a Violation.
func fromSchema(doc any, ve *jsonschema.ValidationError) *Violation {
	var leaves []*jsonschema.ValidationError
	var collect func(e *jsonschema.ValidationError)
	collect = func(e *jsonschema.ValidationError) {
		// A key's name is validated as an instance of its own, whose
		// errors lose the place: the propertyNames error keeps it.
		if _, ok := e.ErrorKind.(*kind.PropertyNames); ok || len(e.Causes) == 0 {
			leaves = append(leaves, e)
			return
		}
		for _, c := range e.Causes {
			collect(c)
		}
	}
	collect(ve)
	// At one place, an unknown key is named before a missing one: a typo
	// explains both.
	rank := func(e *jsonschema.ValidationError) int {
		switch e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			return 0
		case *kind.Required:
			return 2
		}
		return 1
	}
	slices.SortStableFunc(leaves, func(a, b *jsonschema.ValidationError) int {
		return cmp.Or(comparePaths(a.InstanceLocation, b.InstanceLocation), cmp.Compare(rank(a), rank(b)))
	})
	leaf := leaves[0]
	path := slices.Clone(leaf.InstanceLocation)
	val, _ := lookup(doc, path)
	var msg string
	switch k := leaf.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		key := slices.Min(k.Properties)
		path = append(path, key)
		msg = "unknown key"
		if slices.Equal(leaf.InstanceLocation, []string{"sgaudit"}) {
			msg += fmt.Sprintf(" (known: %s)", strings.Join(sgauditKeys(), ", "))
		}
	case *kind.PropertyNames:
		path = append(path, k.Property)
		msg = "invalid key"
		if k.Property == "" {
			msg = "empty key"
		}
	case *kind.Type:
		msg = fmt.Sprintf("want %s, got %s", strings.Join(k.Want, " or "), describe(val))
	case *kind.Required:
		msg = fmt.Sprintf("missing key %q", slices.Min(k.Missing))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		msg = fmt.Sprintf("want one of %s, got %s", strings.Join(want, ", "), describe(val))
	case *kind.Minimum:
		msg = fmt.Sprintf("want at least %s, got %s", k.Want.RatString(), describe(val))
	case *kind.Maximum:
		msg = fmt.Sprintf("want at most %s, got %s", k.Want.RatString(), describe(val))
	case *kind.MinItems:
		msg = fmt.Sprintf("want at least %d item(s), got %d", k.Want, k.Got)
		if id := categoryChecks[strings.Join(path, ".")]; id != "" {
			msg += fmt.Sprintf("; an empty list would turn %s off unseen: turn it off with checks.%s.enabled: false in the configuration", id, id)
		}
	case *kind.MinLength:
		msg = "must not be empty"
	case *kind.UniqueItems:
		msg = fmt.Sprintf("items %d and %d are the same", k.Duplicates[0], k.Duplicates[1])
	default:
		msg = leaf.Error()
		if _, after, ok := strings.Cut(msg, "': "); ok && strings.HasPrefix(msg, "at '") {
			msg = after
		}
	}
	return violation(doc, path, msg)
}

// categoryChecks names the built-in check that reads each port category
// the schema requires to be non-empty.
var categoryChecks = map[string]string{
	"sgaudit.ports.admin":     "SGA001",
	"sgaudit.ports.database":  "SGA002",
	"sgaudit.ports.high_risk": "SGA004",
}

// extra checks what the schema cannot say about data.sgaudit.
func extra(doc, sg any) *Violation {
	// Numbers: 22.0 is an integer to JSON Schema, but Rego keeps it a
	// floating-point number and the checks print it as "%!d(float64=22)".
	if v := wholeNumbers(doc, []string{"sgaudit"}, sg); v != nil {
		return v
	}
	m := sg.(map[string]any)
	ranges := func(path []string, list any) *Violation {
		items, _ := list.([]any)
		for i, it := range items {
			e := it.(map[string]any)
			from, _ := strconv.Atoi(fmt.Sprint(e["from_port"]))
			to, _ := strconv.Atoi(fmt.Sprint(e["to_port"]))
			if from > to {
				p := append(slices.Clone(path), strconv.Itoa(i), "to_port")
				return violation(doc, p, fmt.Sprintf("to_port %d is below from_port %d: the range would match no port", to, from))
			}
		}
		return nil
	}
	if v := ranges([]string{"sgaudit", "authorized_ports"}, m["authorized_ports"]); v != nil {
		return v
	}
	ports, _ := m["ports"].(map[string]any)
	for _, cat := range slices.Sorted(maps.Keys(ports)) {
		if v := ranges([]string{"sgaudit", "ports", cat}, ports[cat]); v != nil {
			return v
		}
	}
	// Rego's regex builtins use Go's RE2: a pattern that does not compile
	// here would fail the evaluation.
	if p, ok := m["naming_pattern"].(string); ok {
		if _, err := regexp.Compile(p); err != nil {
			return violation(doc, []string{"sgaudit", "naming_pattern"}, fmt.Sprintf("invalid regular expression %q: %v", p, err))
		}
	}
	patterns, _ := m["placeholder_patterns"].([]any)
	for i, p := range patterns {
		if _, err := regexp.Compile(p.(string)); err != nil {
			return violation(doc, []string{"sgaudit", "placeholder_patterns", strconv.Itoa(i)}, fmt.Sprintf("invalid regular expression %q: %v", p, err))
		}
	}
	return nil
}

var integerText = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// wholeNumbers finds a number under v written with a fraction or exponent.
// Decoded YAML gives Go integers for integers and float64 otherwise;
// decoded JSON gives json.Number, which keeps the text.
func wholeNumbers(doc any, path []string, v any) *Violation {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if v := wholeNumbers(doc, append(path, k), x[k]); v != nil {
				return v
			}
		}
	case []any:
		for i, e := range x {
			if v := wholeNumbers(doc, append(path, strconv.Itoa(i)), e); v != nil {
				return v
			}
		}
	case float32, float64:
		return violation(doc, slices.Clone(path), fmt.Sprintf("want a whole number written without a fraction, got %v", x))
	case json.Number:
		if !integerText.MatchString(string(x)) {
			return violation(doc, slices.Clone(path), fmt.Sprintf("want a whole number written without a fraction or exponent, got %s", x))
		}
	}
	return nil
}

func violation(doc any, path []string, msg string) *Violation {
	return &Violation{Path: path, Where: Where(doc, path), Msg: msg}
}

// Where renders a path into doc as text: keys joined by dots, list indices
// in brackets, keys that are not plain words quoted:
// sgaudit.ports["my ports"][0].from_port. The root is "data".
func Where(doc any, path []string) string {
	if len(path) == 0 {
		return "data"
	}
	var b strings.Builder
	cur := doc
	for i, p := range path {
		if _, isList := cur.([]any); isList {
			b.WriteString("[" + p + "]")
		} else {
			if plainKey.MatchString(p) {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(p)
			} else {
				b.WriteString("[" + strconv.Quote(p) + "]")
			}
		}
		cur, _ = lookup(cur, []string{p})
	}
	return b.String()
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// lookup returns the value at path in doc.
func lookup(doc any, path []string) (any, bool) {
	cur := doc
	for _, p := range path {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[p]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// comparePaths orders paths element by element, numbers numerically.
func comparePaths(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] == b[i] {
			continue
		}
		x, errX := strconv.Atoi(a[i])
		y, errY := strconv.Atoi(b[i])
		if errX == nil && errY == nil {
			return cmp.Compare(x, y)
		}
		return strings.Compare(a[i], b[i])
	}
	return cmp.Compare(len(a), len(b))
}

// describe shows a value in a message: strings quoted, numbers as written,
// containers by kind.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
