package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/internal/jsonkeys"
	"github.com/sgaudit/sgaudit/internal/regularfile"
	"github.com/sgaudit/sgaudit/internal/schema"
	"github.com/sgaudit/sgaudit/scanner/findings"
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

// builtinNamespace is the top-level key of data that is sgaudit's own:
// the embedded packages (sgaudit.checks.*, sgaudit.lib.*) and the
// embedded data (data.sgaudit.ports, ...) live under it.
const builtinNamespace = "sgaudit"

// customNamespace refuses a --policy-dir module whose package is inside
// data.sgaudit, or overlaps an embedded package (is it, inside it, or
// holds it). OPA merges a package's rules with the data document under
// the same path, so `package sgaudit.ports` with `admin := []` would
// replace the port catalogue, unchecked by the data schema, and silence
// SGA001; redefining a lib rule at least fails to compile, but a data key
// does not. Custom checks use a package of their own
// (docs/writing-policies.md).
func customNamespace(srcs []source, modules map[string]*ast.Module) error {
	ns := ast.Ref{ast.DefaultRootDocument, ast.StringTerm(builtinNamespace)}
	var builtin []source
	for _, s := range srcs {
		if modules[s.name] != nil && !s.custom {
			builtin = append(builtin, s)
		}
	}
	for _, s := range srcs {
		m := modules[s.name]
		if m == nil || !s.custom {
			continue
		}
		path := m.Package.Path
		if path.HasPrefix(ns) {
			return policyErr(s.name, line(m.Package.Location),
				"package %s is inside sgaudit's own namespace %s; custom checks use a package of their own, such as acme.checks.<name> (docs/writing-policies.md)",
				pkgName(path), ns)
		}
		for _, b := range builtin {
			bp := modules[b.name].Package.Path
			if path.HasPrefix(bp) || bp.HasPrefix(path) {
				return policyErr(s.name, line(m.Package.Location),
					"package %s overlaps the built-in package %s (%s); custom checks use a package of their own, such as acme.checks.<name> (docs/writing-policies.md)",
					pkgName(path), pkgName(bp), b.name)
			}
		}
	}
	return nil
}

// inlineData names the inline document (a configuration's data section) in
// messages; the configuration itself is validated with its lines before it
// gets here, so this name shows only when the engine is used directly.
const inlineData = "data from the configuration"

// dataSource is one document merged into data, kept until the merged
// document is validated so that a problem names its file and line.
type dataSource struct {
	name string         // the file as given, "policies/data/x.json", or inlineData
	doc  map[string]any // as decoded; deepMerge copies it, never changes it
	raw  []byte         // the file, to find a line in; nil for inlineData
}

// readData merges the embedded data/ files (lexical order), then the
// inline document, then the user's data files, each deep-merged over the
// previous ones at the root of `data`, and returns the result as an AST
// object for the store. Each document, and the merged one, must be valid
// against docs/schema/data.schema.json: a --data file that turns a port
// list into a string would otherwise silently disable a check.
//
// An escalation (data.sgaudit.severities.<check>.public_interface) below
// the severity of the check it names is refused too: it would turn "is
// exposed" into less than "could be exposed".
func readData(embedded fs.FS, inline map[string]any, files []string, checks []check) (ast.Object, error) {
	srcs, err := embeddedData(embedded)
	if err != nil {
		return nil, err
	}
	if inline != nil {
		// A copy of the maps and lists (the caller's map is not merged
		// into) sharing the strings: writing the document out, as a JSON
		// round trip did, would repeat every aliased string of the
		// configuration once per alias.
		obj, err := copyData(inline)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, dataSource{name: inlineData, doc: obj.(map[string]any)})
	}
	for _, p := range files {
		b, err := readRegular(p)
		if err != nil {
			return nil, policyErr(p, 0, "read data file: %v", unwrapPathError(p, err))
		}
		obj, err := decodeData(p, b)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, dataSource{name: p, doc: obj, raw: b})
	}
	merged := map[string]any{}
	for _, src := range srcs {
		if v := schema.ValidateData(src.doc); v != nil {
			return nil, src.invalid(v)
		}
		merged = deepMerge(merged, src.doc)
	}
	// Each part valid makes the whole valid while the schema requires no
	// key of an object that merges key by key; this keeps that promise
	// checked, and names the file that set the bad value if it breaks.
	if v := schema.ValidateData(merged); v != nil {
		return nil, owner(srcs, v.Path).invalid(v)
	}
	if err := escalations(srcs, merged, checks); err != nil {
		return nil, err
	}
	v, err := ast.InterfaceToValue(merged)
	if err != nil {
		return nil, fmt.Errorf("convert data: %w", err)
	}
	return v.(ast.Object), nil
}

// readRegular reads path if it is a regular file (see regularfile.Open).
func readRegular(path string) ([]byte, error) {
	f, err := regularfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// escalations refuses a public_interface severity below the base
// severity of the check it belongs to: sg.escalation replaces a finding's
// severity with it, so it must raise, never lower. The severities key is
// the name a check passes to sg.escalation, its package name for the
// built-in ones (open_admin_ports is SGA001, open-admin-ports).
func escalations(srcs []dataSource, merged map[string]any, checks []check) error {
	sg, _ := merged["sgaudit"].(map[string]any)
	sevs, _ := sg["severities"].(map[string]any)
	catalogue := make([]findings.Check, len(checks))
	for i, c := range checks {
		catalogue[i] = c.Check
	}
	low, found := schema.FindLoweredEscalation(sevs, catalogue, func(ch findings.Check) findings.Severity { return ch.Severity })
	if !found {
		return nil
	}
	path := []string{"sgaudit", "severities", low.Key, low.Field}
	src := owner(srcs, path)
	return policyErr(src.name, src.line(path), "invalid data at %s: %s is below the severity of %s, %s: an escalation raises a finding on a public interface and cannot lower it (checks.%s.severity sets the check's own)",
		strings.Join(path, "."), low.Severity, low.Check.ID, low.Base, low.Check.ID)
}

// invalid reports a schema violation in src with the line of the value.
func (src dataSource) invalid(v *schema.Violation) *PolicyError {
	msg := v.Msg
	if len(v.Path) == 2 && v.Path[0] == "sgaudit" && strings.HasPrefix(msg, "unknown key") {
		msg += "; data for your own policies goes under another top-level key"
	}
	return policyErr(src.name, src.line(v.Path), "invalid data at %s: %s", v.Where, msg)
}

// line finds where the value at path is written in the source, 0 when it
// cannot tell.
func (src dataSource) line(path []string) int {
	if src.raw == nil {
		return 0
	}
	if strings.EqualFold(filepath.Ext(src.name), ".json") {
		return jsonLine(src.raw, path)
	}
	return yamlLine(src.raw, path)
}

// owner returns the source that set the merged value at path: the last one
// holding the path, or a list or value on the way to it (replaced whole).
func owner(srcs []dataSource, path []string) dataSource {
	for i := len(srcs) - 1; i >= 0; i-- {
		var cur any = srcs[i].doc
		held := true
		for _, p := range path {
			m, ok := cur.(map[string]any)
			if !ok {
				break // a list or value replaces whatever was there
			}
			if cur, ok = m[p]; !ok {
				held = false
				break
			}
		}
		if held {
			return srcs[i]
		}
	}
	return dataSource{}
}

// EmbeddedData returns the root `data` document of a policy file system:
// its data/ files (JSON or YAML) deep-merged in lexical order, exactly as
// Load merges them. A nil file system gives an empty document. It does not
// validate the document: Load does.
func EmbeddedData(embedded fs.FS) (map[string]any, error) {
	srcs, err := embeddedData(embedded)
	if err != nil {
		return nil, err
	}
	merged := map[string]any{}
	for _, src := range srcs {
		merged = deepMerge(merged, src.doc)
	}
	return merged, nil
}

// embeddedData decodes the data/ files of a policy file system in lexical
// order.
func embeddedData(embedded fs.FS) ([]dataSource, error) {
	if embedded == nil {
		return nil, nil
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
	var srcs []dataSource
	for _, p := range names {
		b, err := fs.ReadFile(embedded, p)
		if err != nil {
			return nil, fmt.Errorf("read embedded data: %w", err)
		}
		obj, err := decodeData(embeddedPrefix+p, b)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, dataSource{name: embeddedPrefix + p, doc: obj, raw: b})
	}
	return srcs, nil
}

// copyData copies a decoded document's maps and lists; strings, numbers
// and booleans are shared. It refuses what a data file cannot hold, and
// normalises what YAML decoding gives, as decodeData does.
func copyData(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := copyData(e)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := copyData(e)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, policyErr(inlineData, 0, "invalid data: %v is not a finite number", x)
		}
		return x, nil
	case nil, string, bool, int, int64, uint64, json.Number:
		return x, nil
	}
	return nil, policyErr(inlineData, 0, "invalid data: a %T is not a JSON value", v)
}

func isDataFile(p string) bool {
	switch path.Ext(p) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// yamlLineRE reads the line out of go-yaml's "yaml: line 3: ..." errors.
var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)

// yamlAnchorRE reads the anchor out of go-yaml's error for an alias inside
// its own anchor's value.
var yamlAnchorRE = regexp.MustCompile(`^yaml: anchor '(.*)' value contains itself$`)

// decodeData parses one data file. A .json file is parsed as strict JSON
// (so errors carry a JSON line number); anything else as YAML, which also
// accepts JSON. The top level must be an object.
//
// YAML is decoded by go-yaml into Go values, which bounds alias expansion
// (an alias inside its own anchor's value is an error; "billion laughs"
// stops at "document contains excessive aliasing", about 400,000 values
// from aliases) and nesting (10,000 levels); see docs/security.md.
func decodeData(name string, b []byte) (map[string]any, error) {
	var v any
	if strings.EqualFold(filepath.Ext(name), ".json") {
		if err := duplicateKey(name, b); err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return nil, policyErr(name, jsonErrorLine(b, err), "invalid JSON data: %v", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, policyErr(name, 0, "invalid JSON data: more than one value")
		}
	} else {
		// A node first: its parse is linear in the file and gives lines;
		// decoding the node applies go-yaml's limits on aliases.
		dec := yaml.NewDecoder(bytes.NewReader(b))
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return nil, yamlErr(name, &doc, err)
		}
		var extra yaml.Node
		switch err := dec.Decode(&extra); {
		case err == nil:
			return nil, policyErr(name, extra.Line, "invalid YAML data: a second YAML document; a data file holds one")
		case !errors.Is(err, io.EOF):
			return nil, yamlErr(name, &doc, err)
		}
		if err := doc.Decode(&v); err != nil {
			return nil, yamlErr(name, &doc, err)
		}
		// go-yaml bounds how many values aliases add, not how much text:
		// one long string aliased a few thousand times passes its limits
		// and reaches gigabytes wherever the data is compared or written.
		// Walked after Decode, which refused cycles and alias bombs.
		if line, over := aliasedText(&doc, nil, 0); over > MaxAliasedDataBytes {
			return nil, policyErr(name, line, "invalid YAML data: aliases expand to more than %d bytes of text; write the values out or use fewer aliases", MaxAliasedDataBytes)
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

// MaxAliasedDataBytes bounds the text that alias expansion adds to a YAML
// --data file (the configuration's data section has the same bound,
// config.MaxAliasedBytes); docs/security.md lists it.
const MaxAliasedDataBytes = 4 << 20

// aliasedText adds up the text of the scalars reached through aliases
// under n, counting from sum, and stops past MaxAliasedDataBytes. alias is
// the outermost alias being expanded (nil outside aliases); line is that of
// the alias during which the sum passed the bound. n must be free of
// cycles (Decode refuses them).
func aliasedText(n, alias *yaml.Node, sum int) (line, total int) {
	switch {
	case n == nil:
		return 0, sum
	case n.Kind == yaml.AliasNode:
		if alias == nil {
			alias = n
		}
		return aliasedText(n.Alias, alias, sum)
	case n.Kind == yaml.ScalarNode && alias != nil:
		sum += len(n.Value)
		if sum > MaxAliasedDataBytes {
			return alias.Line, sum
		}
	}
	for _, c := range n.Content {
		if line, sum = aliasedText(c, alias, sum); sum > MaxAliasedDataBytes {
			return line, sum
		}
	}
	return 0, sum
}

// duplicateKey refuses an object that gives a key twice: encoding/json
// keeps the last, so {"admin": [...], "admin": []} would silently empty
// a port list. It reports nothing else; the decoder after it reports
// syntax errors in its own words. (Keys differing only in case are
// different keys here: the document is decoded into maps, which match
// keys exactly, as Rego does.)
func duplicateKey(name string, b []byte) error {
	e := jsonkeys.Duplicates(b)
	if e == nil {
		return nil
	}
	in := ""
	if len(e.Path) > 0 {
		in = " in " + strings.Join(e.Path, ".")
	}
	return policyErr(name, e.Line, "invalid JSON data: column %d: key %q given twice%s (first at line %d); a JSON decoder keeps only one of them",
		e.Col, e.Key, in, jsonLine(b, append(slices.Clone(e.Path), e.Key)))
}

// yamlErr turns a go-yaml error into a PolicyError with its line: from the
// message, or for an alias inside its own anchor, the anchor's line.
func yamlErr(name string, doc *yaml.Node, err error) *PolicyError {
	msg := err.Error()
	// "unmarshal errors: line 3: mapping key "x" already defined at line
	// 2" and more: the first one, as "yaml: line 3: ...".
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = "yaml: " + te.Errors[0]
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return policyErr(name, line, "invalid YAML data: %s", m[2])
	}
	line := 0
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		line = anchorLine(doc, m[1])
	}
	return policyErr(name, line, "invalid YAML data: %s", strings.TrimPrefix(msg, "yaml: "))
}

// anchorLine finds the line of the first node anchored as name. It follows
// Content only, never aliases, so it ends on any tree.
func anchorLine(n *yaml.Node, name string) int {
	if n.Anchor == name {
		return n.Line
	}
	for _, c := range n.Content {
		if l := anchorLine(c, name); l > 0 {
			return l
		}
	}
	return 0
}

// yamlLine finds where the value at path (keys and list indices) is written
// in a YAML file: for a key, the key's line; for a list item, the item's.
// When the path ends in something missing, the deepest line on the way.
func yamlLine(b []byte, path []string) int {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		return 0
	}
	cur, line := &n, 0
	if cur.Kind == yaml.DocumentNode && len(cur.Content) > 0 {
		cur = cur.Content[0]
	}
	for _, p := range path {
		for cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = cur.Alias
		}
		switch cur.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(cur.Content); i += 2 {
				if cur.Content[i].Value == p {
					line, next = cur.Content[i].Line, cur.Content[i+1]
					break
				}
			}
			if next == nil {
				return line
			}
			cur = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(cur.Content) {
				return line
			}
			cur = cur.Content[i]
			line = cur.Line
		default:
			return line
		}
	}
	return line
}

// jsonLine finds where the value at path (keys and list indices) is written
// in a JSON file: for a key, the key's line; for a list item, the item's.
// When the path ends in something missing, the deepest line on the way.
func jsonLine(b []byte, path []string) int {
	dec := json.NewDecoder(bytes.NewReader(b))
	line := 0
	for depth := 0; depth < len(path); depth++ {
		tok, err := dec.Token()
		if err != nil {
			return line
		}
		switch tok {
		case json.Delim('{'):
			found := false
			for dec.More() {
				off := dec.InputOffset()
				k, err := dec.Token()
				if err != nil {
					return line
				}
				if k == path[depth] {
					line, found = lineAt(b, off), true
					break
				}
				if skipJSON(dec) != nil {
					return line
				}
			}
			if !found {
				return line
			}
		case json.Delim('['):
			i, err := strconv.Atoi(path[depth])
			if err != nil {
				return line
			}
			for ; i > 0 && dec.More(); i-- {
				if skipJSON(dec) != nil {
					return line
				}
			}
			if !dec.More() {
				return line
			}
			line = lineAt(b, dec.InputOffset())
		default:
			return line
		}
	}
	return line
}

// lineAt is the line of the first token at or after off: InputOffset is
// where the previous token ended, before any separator and white space.
func lineAt(b []byte, off int64) int {
	i := min(int(off), len(b))
	for i < len(b) && strings.IndexByte(" \t\r\n,:", b[i]) >= 0 {
		i++
	}
	return bytes.Count(b[:i], []byte("\n")) + 1
}

// skipJSON reads one whole value.
func skipJSON(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
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
// with string keys only, finite numbers, and timestamps as strings.
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
	case float64:
		// JSON has no .inf or .nan.
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, fmt.Errorf("%v is not a finite number", x)
		}
		return x, nil
	case nil, string, bool, int, int64, uint64:
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
// file {"sgaudit": {"ports": {"admin": [...]}}} replaces only the admin
// port list. dst is modified and returned; src's objects are copied, not
// shared.
func deepMerge(dst, src map[string]any) map[string]any {
	for k, sv := range src {
		if sm, ok := sv.(map[string]any); ok {
			dm, ok := dst[k].(map[string]any)
			if !ok {
				// A copy: merging a later document into it must not
				// change src, which names the file of a bad value.
				dm = map[string]any{}
			}
			dst[k] = deepMerge(dm, sm)
			continue
		}
		dst[k] = sv
	}
	return dst
}
