package iac

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// maxSourceBytes bounds one .tf file or template: the largest real ones
// are a few hundred kilobytes. maxStateBytes bounds a state, which grows
// with every resource of a root (docs/iac.md §5).
const (
	maxSourceBytes = 16 << 20
	maxStateBytes  = 512 << 20
)

// tfBlock is one resource block of a Terraform module.
type tfBlock struct {
	File       string // absolute path
	Start, End int    // lines, 1-based, inclusive
	// Inline are the ingress and egress blocks inside an
	// aws_security_group (or aws_default_security_group) block.
	Inline []inlineBlock
}

type inlineBlock struct {
	Start, End int
	Spec       ruleSpec
}

// tfModule is one directory of .tf files: its resource blocks by
// "type.name" and its module calls by name.
type tfModule struct {
	Dir       string
	Resources map[string]*tfBlock
	// Modules maps a module call's name to the directory of its source
	// when the source is local ("./modules/net"), else to "".
	Modules map[string]string
	// Moved maps a resource's former "type.name" to its new one, from
	// the module's moved blocks: a state written before the move still
	// names the former.
	Moved map[string]string
}

// resource finds the block of "type.name", following moved blocks (a
// bounded chain) when the code no longer has it under that name.
func (m *tfModule) resource(key string) *tfBlock {
	for range 16 {
		if b := m.Resources[key]; b != nil {
			return b
		}
		next, ok := m.Moved[key]
		if !ok {
			return nil
		}
		key = next
	}
	return nil
}

// parseModule reads every *.tf and *.tf.json file of dir (not its
// subdirectories, as Terraform does). A file that does not parse is an error naming its
// file and line. Files are read in name order, so the first of two
// blocks with one address (which Terraform itself refuses) wins.
func parseModule(dir string) (*tfModule, error) {
	m := &tfModule{Dir: dir, Resources: map[string]*tfBlock{}, Modules: map[string]string{}, Moved: map[string]string{}}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read Terraform module %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.IsDir() || !IsTerraformFile(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		src, err := readSource(path, maxSourceBytes)
		if err != nil {
			return nil, err
		}
		if err := m.parseFile(path, src); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func readSource(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s: not a regular file", ErrInput, path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%w: %s: larger than %d bytes", ErrInput, path, limit)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return src, nil
}

// maxHCLDepth bounds the brackets open at once in a .tf file: the HCL
// parser recurses per level, and a few megabytes of [[[[ overflowed the
// stack (a crash, not an error). Real code nests a few dozen levels.
const maxHCLDepth = 500

// hclTooDeep returns the line where src first has more than maxHCLDepth
// brackets open, or 0. Brackets inside strings and comments count too: a
// file holding hundreds of unmatched ones in text is not one anybody
// wrote, and interpolations (${...}) nest expressions inside strings.
func hclTooDeep(src []byte) int {
	depth, line := 0, 1
	for _, c := range src {
		switch c {
		case '\n':
			line++
		case '(', '[', '{':
			if depth++; depth > maxHCLDepth {
				return line
			}
		case ')', ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return 0
}

func (m *tfModule) parseFile(path string, src []byte) error {
	if line := hclTooDeep(src); line > 0 {
		return fmt.Errorf("%w: %s:%d: nested deeper than %d", ErrInput, path, line, maxHCLDepth)
	}
	if strings.HasSuffix(path, ".json") {
		file, diags := hcljson.Parse(src, path)
		if diags.HasErrors() {
			return diagError(path, diags)
		}
		return m.addJSONFile(path, file.Body, jsonObjectStarts(src))
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.Pos{Line: 1, Column: 1, Byte: 0})
	if diags.HasErrors() {
		return diagError(path, diags)
	}
	body, ok := file.Body.(*hclsyntax.Body)
	if !ok {
		return fmt.Errorf("%w: %s: not native HCL syntax", ErrInput, path)
	}
	for _, b := range body.Blocks {
		switch {
		case b.Type == "resource" && len(b.Labels) == 2:
			key := b.Labels[0] + "." + b.Labels[1]
			if _, dup := m.Resources[key]; dup {
				continue
			}
			r := b.Range()
			blk := &tfBlock{File: path, Start: r.Start.Line, End: r.End.Line}
			if b.Labels[0] == "aws_security_group" || b.Labels[0] == "aws_default_security_group" {
				blk.Inline = inlineBlocks(b.Body)
			}
			m.Resources[key] = blk
		case b.Type == "moved" && len(b.Labels) == 0:
			// Only a resource renamed within this module: from and to are
			// both type.name (an instance key or a module move is not
			// followed).
			from, ok1 := resourceRef(nativeAttrs(b.Body), "from")
			to, ok2 := resourceRef(nativeAttrs(b.Body), "to")
			if ok1 && ok2 {
				if _, dup := m.Moved[from]; !dup {
					m.Moved[from] = to
				}
			}
		case b.Type == "module" && len(b.Labels) == 1:
			if _, dup := m.Modules[b.Labels[0]]; dup {
				continue
			}
			m.Modules[b.Labels[0]] = ""
			if attr, ok := b.Body.Attributes["source"]; ok {
				if s, ok := literalString(attr.Expr); ok && isLocalSource(s) {
					m.Modules[b.Labels[0]] = filepath.Join(m.Dir, filepath.FromSlash(s))
				}
			}
		}
	}
	return nil
}

// diagError is the first error of diags as one line naming the file and
// line.
func diagError(path string, diags hcl.Diagnostics) error {
	d := diags[0]
	for _, x := range diags {
		if x.Severity == hcl.DiagError {
			d = x
			break
		}
	}
	line := 0
	if d.Subject != nil {
		line = d.Subject.Start.Line
	}
	return fmt.Errorf("%w: %s:%d: %s", ErrInput, path, line, d.Summary)
}

// attrs looks an attribute's expression up by name, whatever the syntax.
type attrs func(name string) (hcl.Expression, bool)

func nativeAttrs(body *hclsyntax.Body) attrs {
	return func(name string) (hcl.Expression, bool) {
		a, ok := body.Attributes[name]
		if !ok {
			return nil, false
		}
		return a.Expr, true
	}
}

// resourceRef reads a moved block's from or to when it is exactly
// TYPE.NAME.
func resourceRef(get attrs, name string) (string, bool) {
	expr, ok := get(name)
	if !ok {
		return "", false
	}
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(tr) != 2 {
		return "", false
	}
	root, ok := tr[0].(hcl.TraverseRoot)
	attrStep, ok2 := tr[1].(hcl.TraverseAttr)
	if !ok || !ok2 || root.Name == "module" || root.Name == "data" {
		return "", false
	}
	return root.Name + "." + attrStep.Name, true
}

// isLocalSource reports whether a module source is a local path, the only
// kind whose code is in the repository (docs/iac.md §2).
func isLocalSource(s string) bool {
	return strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../")
}

// inlineBlocks reads the ingress and egress blocks of a group's body; a
// dynamic block counts, with its direction and its content's literals, and
// so does each object of the attribute syntax (ingress = [{...}, ...]).
func inlineBlocks(body *hclsyntax.Body) []inlineBlock {
	var out []inlineBlock
	for _, typ := range []string{"ingress", "egress"} {
		if a, ok := body.Attributes[typ]; ok {
			out = append(out, attributeRules(typ, a.Expr)...)
		}
	}
	for _, b := range body.Blocks {
		typ := b.Type
		inner := b.Body
		if typ == "dynamic" && len(b.Labels) == 1 {
			// What its content block says literally holds for every rule
			// it makes; the rest (ingress.value.x) is unknown.
			typ = b.Labels[0]
			inner = nil
			for _, c := range b.Body.Blocks {
				if c.Type == "content" {
					inner = c.Body
				}
			}
		}
		if typ != "ingress" && typ != "egress" {
			continue
		}
		r := b.Range()
		spec := ruleSpec{Direction: directionOf(typ)}
		if inner != nil {
			spec = hclRuleSpec(typ, nativeAttrs(inner))
		}
		out = append(out, inlineBlock{Start: r.Start.Line, End: r.End.Line, Spec: spec})
	}
	slices.SortStableFunc(out, func(a, b inlineBlock) int { return a.Start - b.Start })
	return out
}

// attributeRules reads ingress = [{...}, ...], Terraform's attribute
// syntax for inline rules: each object literal is one rule, spanning its
// own lines. A list that is not written out (ingress = local.rules) names
// no rule: its findings go to the group's block.
func attributeRules(typ string, expr hclsyntax.Expression) []inlineBlock {
	tuple, ok := expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil
	}
	var out []inlineBlock
	for _, e := range tuple.Exprs {
		obj, ok := e.(*hclsyntax.ObjectConsExpr)
		if !ok {
			continue
		}
		items := map[string]hcl.Expression{}
		for _, it := range obj.Items {
			key := hcl.ExprAsKeyword(it.KeyExpr)
			if key == "" {
				if k, ok := literalString(it.KeyExpr); ok {
					key = k
				}
			}
			if _, dup := items[key]; key != "" && !dup {
				items[key] = it.ValueExpr
			}
		}
		r := obj.Range()
		out = append(out, inlineBlock{Start: r.Start.Line, End: r.End.Line, Spec: hclRuleSpec(typ, func(name string) (hcl.Expression, bool) {
			x, ok := items[name]
			return x, ok
		})})
	}
	return out
}

func directionOf(s string) inventory.Direction {
	if s == "egress" {
		return inventory.Egress
	}
	return inventory.Ingress
}

// hclRuleSpec reads what an inline block says literally; an attribute
// that needs variables or functions is unknown.
func hclRuleSpec(typ string, body attrs) ruleSpec {
	spec := ruleSpec{Direction: directionOf(typ), PeersKnown: true}
	if v, ok := literal(body, "protocol"); ok && (v.Type() == cty.String || v.Type() == cty.Number) {
		// protocol = 6, a number, is what Terraform converts to "6".
		var raw string
		if v.Type() == cty.Number {
			raw = v.AsBigFloat().Text('f', -1)
		} else {
			raw = v.AsString()
		}
		if p, ok := normProtocol(raw); ok {
			spec.Protocol = p
		} else {
			spec.Protocol = raw // matches nothing
		}
	}
	if v, ok := literal(body, "from_port"); ok {
		if i, ok := ctyInt(v); ok {
			spec.FromPort = intPtr(i)
		}
	}
	if v, ok := literal(body, "to_port"); ok {
		if i, ok := ctyInt(v); ok {
			spec.ToPort = intPtr(i)
		}
	}
	lists := map[string]func([]string){
		"cidr_blocks":      spec.addCIDRs,
		"ipv6_cidr_blocks": spec.addCIDRs,
		"prefix_list_ids":  spec.addPrefixLists,
		"security_groups":  spec.addGroups,
	}
	for _, name := range []string{"cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups"} {
		if _, present := body(name); !present || isNull(body, name) {
			// null is written literally: no peers of this kind, as [].
			continue
		}
		v, ok := literal(body, name)
		xs, ok2 := ctyStrings(v)
		if !ok || !ok2 {
			spec.PeersKnown = false
			continue
		}
		lists[name](xs)
	}
	if _, present := body("self"); present && !isNull(body, "self") {
		v, ok := literal(body, "self")
		switch {
		case !ok || v.Type() != cty.Bool:
			spec.PeersKnown = false
		case v.True():
			spec.Peers = append(spec.Peers, peerSpec{Self: true})
		}
	}
	if len(spec.Peers) == 0 {
		spec.PeersKnown = false
	}
	return spec
}

// literal evaluates an attribute without variables or functions: what the
// code says literally, or ok false.
func literal(body attrs, name string) (cty.Value, bool) {
	expr, ok := body(name)
	if !ok {
		return cty.NilVal, false
	}
	return literalValue(expr)
}

// literalValue evaluates an expression without variables or functions.
func literalValue(e hcl.Expression) (cty.Value, bool) {
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() || hasTemplate(v) {
		return cty.NilVal, false
	}
	return v, true
}

// isNull reports whether an attribute is the literal null (ipv6_cidr_blocks
// = null, common in the attribute syntax's objects, and JSON's null).
func isNull(body attrs, name string) bool {
	expr, ok := body(name)
	if !ok {
		return false
	}
	v, diags := expr.Value(nil)
	return !diags.HasErrors() && v.IsKnown() && v.IsNull()
}

func literalString(e hcl.Expression) (string, bool) {
	v, ok := literalValue(e)
	if !ok || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// hasTemplate reports whether a string in v holds a template sequence
// (${ or %{). Evaluated without a context, JSON syntax returns its strings
// as written, so "${var.office}" is a value Terraform would compute, not
// a literal; in native syntax only an escaped $${ evaluates to one, and
// no rule field is written that way.
func hasTemplate(v cty.Value) bool {
	switch {
	case v.Type() == cty.String:
		s := v.AsString()
		return strings.Contains(s, "${") || strings.Contains(s, "%{")
	case v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsObjectType() || v.Type().IsMapType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			if e.IsKnown() && !e.IsNull() && hasTemplate(e) {
				return true
			}
		}
	}
	return false
}

func ctyInt(v cty.Value) (int, bool) {
	switch v.Type() {
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() {
			return 0, false
		}
		i, acc := bf.Int64()
		if acc != 0 || i < -1 || i > 65535 {
			return 0, false
		}
		return int(i), true
	case cty.String:
		return anyInt(v.AsString())
	}
	return 0, false
}

func ctyStrings(v cty.Value) ([]string, bool) {
	if v == cty.NilVal || !(v.Type().IsTupleType() || v.Type().IsListType() || v.Type().IsSetType()) {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.Type() != cty.String {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// IsTerraformFile reports whether Terraform reads a file of this name as
// configuration: native syntax (.tf) or JSON syntax (.tf.json, as CDK for
// Terraform writes it).
func IsTerraformFile(name string) bool {
	return strings.HasSuffix(name, ".tf") || strings.HasSuffix(name, ".tf.json")
}

// terraformRoots lists the directories under dir that hold *.tf files:
// the candidate root modules of a state (docs/iac.md §2). Hidden
// directories (.git, .terraform, whose copies of remote modules are not
// the repository's code) and node_modules are skipped.
func terraformRoots(dir string) ([]string, error) {
	var roots []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != dir && (strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if IsTerraformFile(d.Name()) && d.Type().IsRegular() {
			parent := filepath.Dir(path)
			if len(roots) == 0 || roots[len(roots)-1] != parent {
				roots = append(roots, parent)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list Terraform directories under %s: %w", dir, err)
	}
	slices.Sort(roots)
	return slices.Compact(roots), nil
}

// The parts of a JSON-syntax file (.tf.json) the mapping reads, by schema:
// JSON has no syntax of its own for blocks, so the schema says which
// properties are blocks (with how many labels) and which are attributes.
var (
	jsonFileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "moved"},
		{Type: "module", LabelNames: []string{"name"}},
	}}
	jsonMovedSchema  = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "from"}, {Name: "to"}}}
	jsonModuleSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "source"}}}
	jsonGroupSchema  = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "ingress"}, {Type: "egress"}, {Type: "dynamic", LabelNames: []string{"type"}},
	}}
	jsonDynamicSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "content"}}}
	jsonRuleSchema    = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
		{Name: "protocol"}, {Name: "from_port"}, {Name: "to_port"}, {Name: "cidr_blocks"},
		{Name: "ipv6_cidr_blocks"}, {Name: "prefix_list_ids"}, {Name: "security_groups"}, {Name: "self"},
	}}
)

// addJSONFile reads a .tf.json file's resource, moved and module blocks,
// as parseFile does for native syntax. A block spans from its object's
// opening brace to its closing one.
func (m *tfModule) addJSONFile(path string, body hcl.Body, starts map[int]int) error {
	content, _, diags := body.PartialContent(jsonFileSchema)
	if diags.HasErrors() {
		return diagError(path, diags)
	}
	for _, b := range content.Blocks {
		switch b.Type {
		case "resource":
			key := b.Labels[0] + "." + b.Labels[1]
			if _, dup := m.Resources[key]; dup {
				continue
			}
			start, end := jsonBlockLines(b, starts)
			blk := &tfBlock{File: path, Start: start, End: end}
			if b.Labels[0] == "aws_security_group" || b.Labels[0] == "aws_default_security_group" {
				blk.Inline = jsonInlineBlocks(b.Body, starts)
			}
			m.Resources[key] = blk
		case "moved":
			get := jsonAttrs(b.Body, jsonMovedSchema)
			from, ok1 := resourceRef(get, "from")
			to, ok2 := resourceRef(get, "to")
			if ok1 && ok2 {
				if _, dup := m.Moved[from]; !dup {
					m.Moved[from] = to
				}
			}
		case "module":
			if _, dup := m.Modules[b.Labels[0]]; dup {
				continue
			}
			m.Modules[b.Labels[0]] = ""
			if expr, ok := jsonAttrs(b.Body, jsonModuleSchema)("source"); ok {
				if s, ok := literalString(expr); ok && isLocalSource(s) {
					m.Modules[b.Labels[0]] = filepath.Join(m.Dir, filepath.FromSlash(s))
				}
			}
		}
	}
	return nil
}

// jsonBlockLines is a JSON block's first and last line: its object's
// braces. The parser gives the closing brace (the body's missing-item
// range); starts gives the line of the brace that opened it, since a
// block in a list has only the list's opening bracket as its DefRange.
func jsonBlockLines(b *hcl.Block, starts map[int]int) (int, int) {
	closing := b.Body.MissingItemRange()
	start, ok := starts[closing.Start.Byte]
	if !ok {
		start = b.DefRange.Start.Line
	}
	return start, max(start, closing.End.Line)
}

// jsonObjectStarts maps the offset of every closing brace of a JSON
// document to the line of the brace that opened it, skipping strings.
// The document has parsed, so its braces balance.
func jsonObjectStarts(src []byte) map[int]int {
	starts := map[int]int{}
	var open []int // lines of the open braces
	line, inString, escaped := 1, false, false
	for i, c := range src {
		switch {
		case c == '\n':
			line++
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{':
			open = append(open, line)
		case c == '}' && len(open) > 0:
			starts[i] = open[len(open)-1]
			open = open[:len(open)-1]
		}
	}
	return starts
}

// jsonAttrs reads the attributes schema names from a JSON body; one that
// is malformed is left out (unknown), as in native syntax.
func jsonAttrs(body hcl.Body, schema *hcl.BodySchema) attrs {
	content, _, _ := body.PartialContent(schema)
	return func(name string) (hcl.Expression, bool) {
		if content == nil {
			return nil, false
		}
		a, ok := content.Attributes[name]
		if !ok {
			return nil, false
		}
		return a.Expr, true
	}
}

// jsonInlineBlocks is inlineBlocks for a JSON body: "ingress" holds one
// object or a list of them (the same in JSON for both of Terraform's
// syntaxes), "dynamic" its blocks by type.
func jsonInlineBlocks(body hcl.Body, starts map[int]int) []inlineBlock {
	content, _, _ := body.PartialContent(jsonGroupSchema)
	if content == nil {
		return nil
	}
	var out []inlineBlock
	for _, b := range content.Blocks {
		typ, inner := b.Type, b.Body
		if typ == "dynamic" {
			typ, inner = b.Labels[0], nil
			if c, _, _ := b.Body.PartialContent(jsonDynamicSchema); c != nil {
				for _, cb := range c.Blocks {
					inner = cb.Body
				}
			}
		}
		if typ != "ingress" && typ != "egress" {
			continue
		}
		start, end := jsonBlockLines(b, starts)
		spec := ruleSpec{Direction: directionOf(typ)}
		if inner != nil {
			spec = hclRuleSpec(typ, jsonAttrs(inner, jsonRuleSchema))
		}
		out = append(out, inlineBlock{Start: start, End: end, Spec: spec})
	}
	slices.SortStableFunc(out, func(a, b inlineBlock) int { return a.Start - b.Start })
	return out
}
