package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"go.yaml.in/yaml/v3"
)

// embeddedPrefix names embedded files in error messages; the pack is the
// repository's policies/ directory.
const embeddedPrefix = "policies/"

// source is one .rego file to compile.
type source struct {
	name   string // path shown in errors and used as the module's file name
	text   string
	custom bool // from Options.PolicyDirs
}

// readPolicies returns the embedded checks/ and lib/ modules, then the
// user's, each set in lexical order. Test files (*_test.rego) are skipped:
// they belong to `opa test`, not to a scan.
func readPolicies(embedded fs.FS, dirs []string) ([]source, error) {
	var out []source
	if embedded != nil {
		for _, dir := range []string{"checks", "lib"} {
			err := fs.WalkDir(embedded, dir, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if d.IsDir() || !isPolicyFile(p) {
					return nil
				}
				b, err := fs.ReadFile(embedded, p)
				if err != nil {
					return err
				}
				out = append(out, source{name: embeddedPrefix + p, text: string(b)})
				return nil
			})
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("read embedded policies: %w", err)
			}
		}
	}
	for _, dir := range dirs {
		n := len(out)
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			// A file named explicitly is read even if it is a test file's
			// sibling; walking a directory applies the filter.
			if d.IsDir() || (p != dir && !isPolicyFile(p)) {
				return nil
			}
			if p == dir && filepath.Ext(p) != ".rego" {
				return fmt.Errorf("not a .rego file or a directory")
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, source{name: p, text: string(b), custom: true})
			return nil
		})
		if err != nil {
			return nil, policyErr(dir, 0, "read policy directory: %v", unwrapPathError(dir, err))
		}
		if len(out) == n {
			return nil, policyErr(dir, 0, "no .rego files found (test files *_test.rego are ignored)")
		}
	}
	return out, nil
}

// unwrapPathError drops the path from an *fs.PathError about name, which
// the message already starts with.
func unwrapPathError(name string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Path == name {
		return pe.Err
	}
	return err
}

func isPolicyFile(p string) bool {
	return strings.HasSuffix(p, ".rego") && !strings.HasSuffix(p, "_test.rego")
}

// parseModules parses every source as Rego v1 with METADATA processing.
func parseModules(srcs []source) (map[string]*ast.Module, error) {
	modules := make(map[string]*ast.Module, len(srcs))
	popts := ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}
	for _, s := range srcs {
		if _, dup := modules[s.name]; dup {
			return nil, policyErr(s.name, 0, "policy file loaded twice (listed in more than one --policy-dir?)")
		}
		m, err := ast.ParseModuleWithOpts(s.name, s.text, popts)
		if err != nil {
			var errs ast.Errors
			if errors.As(err, &errs) {
				return nil, astError("parse", errs)
			}
			return nil, policyErr(s.name, 0, "parse: %v", err)
		}
		if m == nil {
			// An empty file or one with only comments: nothing to compile.
			continue
		}
		modules[s.name] = m
	}
	return modules, nil
}

// readData merges the embedded data/ files (lexical order), then the
// inline document, then the user's data files, each deep-merged over the
// previous ones at the root of `data`, and returns the result as an AST
// object for the store.
func readData(embedded fs.FS, inline map[string]any, files []string) (ast.Object, error) {
	merged, err := EmbeddedData(embedded)
	if err != nil {
		return nil, err
	}
	if inline != nil {
		// Round-trip through JSON: a deep copy (the caller's map is not
		// merged into) with the number and list types decodeData produces.
		b, err := json.Marshal(inline)
		if err != nil {
			return nil, fmt.Errorf("encode inline data: %w", err)
		}
		obj, err := decodeData("inline-data.json", b)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, obj)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, policyErr(p, 0, "read data file: %v", unwrapPathError(p, err))
		}
		obj, err := decodeData(p, b)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, obj)
	}
	v, err := ast.InterfaceToValue(merged)
	if err != nil {
		return nil, fmt.Errorf("convert data: %w", err)
	}
	return v.(ast.Object), nil
}

// EmbeddedData returns the root `data` document of a policy file system:
// its data/ files (JSON or YAML) deep-merged in lexical order, exactly as
// Load merges them. A nil file system gives an empty document.
func EmbeddedData(embedded fs.FS) (map[string]any, error) {
	merged := map[string]any{}
	if embedded == nil {
		return merged, nil
	}
	var names []string
	err := fs.WalkDir(embedded, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isDataFile(p) {
			names = append(names, p)
		}
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read embedded data: %w", err)
	}
	slices.Sort(names)
	for _, p := range names {
		b, err := fs.ReadFile(embedded, p)
		if err != nil {
			return nil, fmt.Errorf("read embedded data: %w", err)
		}
		obj, err := decodeData(embeddedPrefix+p, b)
		if err != nil {
			return nil, err
		}
		merged = deepMerge(merged, obj)
	}
	return merged, nil
}

func isDataFile(p string) bool {
	switch path.Ext(p) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// decodeData parses one data file. A .json file is parsed as strict JSON
// (so errors carry a JSON line number); anything else as YAML, which also
// accepts JSON. The top level must be an object.
func decodeData(name string, b []byte) (map[string]any, error) {
	var v any
	if strings.EqualFold(filepath.Ext(name), ".json") {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, policyErr(name, jsonErrorLine(b, err), "invalid JSON data: %v", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, policyErr(name, 0, "invalid JSON data: more than one value")
		}
	} else {
		if err := yaml.Unmarshal(b, &v); err != nil {
			return nil, policyErr(name, 0, "invalid YAML data: %v", err)
		}
		var err error
		if v, err = normaliseYAML(v); err != nil {
			return nil, policyErr(name, 0, "invalid YAML data: %v", err)
		}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, policyErr(name, 0, "data file must hold an object at the top level, got %s", kindOf(v))
	}
	return obj, nil
}

// jsonErrorLine finds the line of a JSON syntax or type error, 0 if unknown.
func jsonErrorLine(b []byte, err error) int {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		off = int64(len(b))
	default:
		return 0
	}
	off = min(off, int64(len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// normaliseYAML turns what yaml.v3 decodes into JSON-shaped values: maps
// with string keys only, and timestamps as strings.
func normaliseYAML(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n, err := normaliseYAML(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			x[k] = n
		}
		return x, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("key %v is not a string", k)
			}
			n, err := normaliseYAML(e)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ks, err)
			}
			out[ks] = n
		}
		return out, nil
	case []any:
		for i, e := range x {
			n, err := normaliseYAML(e)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			x[i] = n
		}
		return x, nil
	case nil, string, bool, int, int64, uint64, float64:
		return x, nil
	default:
		// Timestamps and binary: keep their text, as JSON would.
		return fmt.Sprint(x), nil
	}
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	default:
		return "a number"
	}
}

// deepMerge merges src over dst: objects merge key by key, recursively;
// anything else (arrays included) in src replaces dst's value. So a data
// file {"sgaudit": {"ports": {"admin": [22]}}} replaces only the admin port
// list. dst is modified and returned.
func deepMerge(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(dm, sm)
				continue
			}
		}
		dst[k] = sv
	}
	return dst
}
