package iac

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// node is one value of a CloudFormation template, YAML or JSON, with the
// lines it spans: the one tree both parsers build, so the mapping does
// not care which the template was.
type node struct {
	Kind  nodeKind
	Tag   string // a YAML short form: "!Ref", "!GetAtt", "!Sub", ...
	Value string // scalars
	Keys  []string
	Vals  []*node // mappings: Vals[i] is the value of Keys[i]; sequences: the items
	// Start and End are the lines of the value; for a mapping value,
	// KeyLine is the line of its key.
	Start, End, KeyLine int
}

type nodeKind int

const (
	scalarNode nodeKind = iota + 1
	mapNode
	seqNode
)

func (n *node) get(key string) *node {
	if n == nil || n.Kind != mapNode {
		return nil
	}
	for i, k := range n.Keys {
		if k == key {
			return n.Vals[i]
		}
	}
	return nil
}

// Template is a parsed CloudFormation template: its resources by logical
// id.
type Template struct {
	File      string
	Resources map[string]*node
}

// maxTemplateDepth bounds nesting, so a hostile template cannot exhaust
// the stack; real templates nest a dozen levels.
const maxTemplateDepth = 200

// ParseTemplate reads a CloudFormation template in YAML (short forms
// such as !Ref, !GetAtt and !Sub included) or JSON. Errors wrap ErrInput
// and name the file and, where the parser gives one, the line.
func ParseTemplate(file string, data []byte) (*Template, error) {
	var root *node
	var err error
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		// YAML in flow style starts with { too ({Resources: ...}); JSON's
		// first name is quoted. Only the former is read as YAML: a JSON
		// template that does not parse, or names a key twice, is an
		// error, not a YAML template read some other way.
		if rest := bytes.TrimLeft(t[1:], " \t\r\n"); len(rest) == 0 || rest[0] == '"' || rest[0] == '}' {
			root, err = parseJSONTemplate(data)
		} else {
			root, err = parseYAMLTemplate(data)
		}
	} else {
		root, err = parseYAMLTemplate(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInput, templateWhere(file, err))
	}
	res := root.get("Resources")
	if root == nil || root.Kind != mapNode || res == nil || res.Kind != mapNode {
		return nil, fmt.Errorf("%w: %s: not a CloudFormation template (no Resources mapping)", ErrInput, file)
	}
	t := &Template{File: file, Resources: make(map[string]*node, len(res.Keys))}
	for i, k := range res.Keys {
		if _, dup := t.Resources[k]; dup {
			return nil, fmt.Errorf("%w: %s:%d: resource %s given twice", ErrInput, file, res.Vals[i].KeyLine, k)
		}
		t.Resources[k] = res.Vals[i]
	}
	return t, nil
}

func parseYAMLTemplate(data []byte) (*node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("not one YAML document")
	}
	return fromYAML(doc.Content[0], 0)
}

func fromYAML(y *yaml.Node, depth int) (*node, error) {
	if depth > maxTemplateDepth {
		return nil, fmt.Errorf("line %d: nested deeper than %d", y.Line, maxTemplateDepth)
	}
	if y.Kind == yaml.AliasNode {
		// An alias repeats a value written elsewhere: its lines are the
		// alias's own.
		if y.Alias == nil {
			return nil, fmt.Errorf("line %d: alias without a target", y.Line)
		}
		n := &node{Kind: scalarNode, Value: "*" + y.Value, Start: y.Line, End: y.Line}
		return n, nil
	}
	n := &node{Start: y.Line, End: y.Line}
	if strings.HasPrefix(y.Tag, "!") && !strings.HasPrefix(y.Tag, "!!") {
		n.Tag = y.Tag
	}
	switch y.Kind {
	case yaml.ScalarNode:
		n.Kind, n.Value = scalarNode, y.Value
		if y.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			// A block scalar starts on the line after its indicator; an
			// empty one (| at the end of the file) has no line of its own.
			if text := strings.TrimRight(y.Value, "\n"); text != "" {
				n.End = y.Line + strings.Count(text, "\n") + 1
			}
		} else if lines := strings.Count(y.Value, "\n"); lines > 0 {
			n.End = y.Line + lines
		}
	case yaml.MappingNode:
		n.Kind = mapNode
		if len(y.Content)%2 != 0 {
			return nil, fmt.Errorf("line %d: mapping with a key and no value", y.Line)
		}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a mapping key that is not a string", k.Line)
			}
			if slices.Contains(n.Keys, k.Value) {
				// CloudFormation refuses it; reading the first or the last
				// would put findings on a value it never used.
				return nil, fmt.Errorf("line %d: key %q given twice", k.Line, k.Value)
			}
			c, err := fromYAML(v, depth+1)
			if err != nil {
				return nil, err
			}
			c.KeyLine = k.Line
			n.Keys = append(n.Keys, k.Value)
			n.Vals = append(n.Vals, c)
			n.End = max(n.End, c.End)
		}
	case yaml.SequenceNode:
		n.Kind = seqNode
		for _, v := range y.Content {
			c, err := fromYAML(v, depth+1)
			if err != nil {
				return nil, err
			}
			n.Vals = append(n.Vals, c)
			n.End = max(n.End, c.End)
		}
	default:
		return nil, fmt.Errorf("line %d: unexpected YAML node", y.Line)
	}
	return n, nil
}

// parseJSONTemplate builds the tree with a streaming decoder whose input
// offsets give every value's first and last line.
func parseJSONTemplate(data []byte) (*node, error) {
	lines := lineStarts(data)
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	n, err := readJSON(dec, data, lines, 0)
	if err != nil {
		return nil, jsonError(err, lines)
	}
	if _, err := dec.ReadToken(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("line %d: data after the template", lineOf(lines, int(dec.InputOffset())))
	}
	return n, nil
}

func jsonError(err error, lines []int) error {
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: %v", lineOf(lines, int(se.ByteOffset)), se.Err)
	}
	return err
}

func readJSON(dec *jsontext.Decoder, data []byte, lines []int, depth int) (*node, error) {
	if depth > maxTemplateDepth {
		return nil, fmt.Errorf("line %d: nested deeper than %d", lineOf(lines, int(dec.InputOffset())), maxTemplateDepth)
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	// The token ends at InputOffset; its first byte is the first
	// non-space byte after the previous token.
	end := int(dec.InputOffset())
	start := end - 1
	n := &node{}
	kind := tok.Kind()
	switch kind {
	case '{':
		n.Kind = mapNode
		n.Start = lineOf(lines, start)
		for dec.PeekKind() != '}' {
			kt, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			if kt.Kind() != '"' {
				return nil, errors.New("object key is not a string")
			}
			// The token is void after the next read: copy the key now.
			key := kt.String()
			keyLine := lineOf(lines, int(dec.InputOffset())-1)
			c, err := readJSON(dec, data, lines, depth+1)
			if err != nil {
				return nil, err
			}
			c.KeyLine = keyLine
			n.Keys = append(n.Keys, key)
			n.Vals = append(n.Vals, c)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		n.End = lineOf(lines, int(dec.InputOffset())-1)
	case '[':
		n.Kind = seqNode
		n.Start = lineOf(lines, start)
		for dec.PeekKind() != ']' {
			c, err := readJSON(dec, data, lines, depth+1)
			if err != nil {
				return nil, err
			}
			n.Vals = append(n.Vals, c)
		}
		if _, err := dec.ReadToken(); err != nil {
			return nil, err
		}
		n.End = lineOf(lines, int(dec.InputOffset())-1)
	case 0:
		return nil, errors.New("unexpected end of the template")
	default:
		n.Kind = scalarNode
		n.Value = tok.String()
		if kind == 'n' {
			n.Value = ""
		}
		// A string token may not span lines: its last byte is on the
		// line of its first.
		n.Start = lineOf(lines, end-1)
		n.End = n.Start
	}
	return n, nil
}

// lineStarts returns the byte offset of each line's first byte.
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// lineOf returns the 1-based line holding byte offset off.
func lineOf(starts []int, off int) int {
	lo, hi := 0, len(starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// resourceLines is the span of a resource: from its logical id's line to
// the last line of its body.
func resourceLines(r *node) (int, int) {
	return min(r.KeyLine, r.Start), r.End
}

// cfnRule is one rule a template declares for a group: an entry of its
// SecurityGroupIngress or SecurityGroupEgress, or a standalone
// AWS::EC2::SecurityGroupIngress / Egress resource.
type cfnRule struct {
	Start, End int
	Address    string // Resources.Web.Properties.SecurityGroupIngress[1], or the standalone resource's logical id
	Spec       ruleSpec
}

// groupRules lists the rules the template declares for the group with
// logical id logical.
func (t *Template) groupRules(logical string) []cfnRule {
	var out []cfnRule
	if g := t.Resources[logical]; g != nil {
		props := g.get("Properties")
		for _, dir := range []inventory.Direction{inventory.Ingress, inventory.Egress} {
			prop := "SecurityGroupIngress"
			if dir == inventory.Egress {
				prop = "SecurityGroupEgress"
			}
			for i, e := range ruleEntries(props.get(prop), 0) {
				out = append(out, cfnRule{
					Start: e.Start, End: e.End,
					Address: fmt.Sprintf("Resources.%s.Properties.%s[%d]", logical, prop, i),
					Spec:    cfnRuleSpec(dir, e),
				})
			}
		}
	}
	for _, id := range sortedKeys(t.Resources) {
		r := t.Resources[id]
		var dir inventory.Direction
		switch r.get("Type").scalar() {
		case "AWS::EC2::SecurityGroupIngress":
			dir = inventory.Ingress
		case "AWS::EC2::SecurityGroupEgress":
			dir = inventory.Egress
		default:
			continue
		}
		props := r.get("Properties")
		// GroupName (!Ref of a group in the default VPC, whose Ref is its
		// name) names the group as well as GroupId.
		if refersTo(props.get("GroupId"), logical) || refersTo(props.get("GroupName"), logical) {
			start, end := resourceLines(r)
			out = append(out, cfnRule{Start: start, End: end, Address: "Resources." + id, Spec: cfnRuleSpec(dir, props)})
		}
	}
	return out
}

// ruleEntries lists the rule entries of a SecurityGroupIngress or
// SecurityGroupEgress value: the mappings of its list, looking into both
// branches of a condition (!If [Cond, A, B], {"Fn::If": [...]}) whether it
// chooses the whole list or one entry, so that a condition's name or a
// branch is never taken for a rule, and the rules inside a condition are
// found. !Ref AWS::NoValue and other intrinsics are no rule.
func ruleEntries(v *node, depth int) []*node {
	if v == nil || depth > maxTemplateDepth {
		return nil
	}
	if branches := ifBranches(v); branches != nil {
		var out []*node
		for _, b := range branches {
			out = append(out, ruleEntries(b, depth+1)...)
		}
		return out
	}
	switch {
	case v.Kind == seqNode && v.Tag == "":
		var out []*node
		for _, e := range v.Vals {
			if e.Kind == seqNode && e.Tag == "" {
				continue // a list is no rule
			}
			out = append(out, ruleEntries(e, depth+1)...)
		}
		return out
	case v.Kind == mapNode && v.Tag == "" && !isIntrinsic(v):
		return []*node{v}
	}
	return nil
}

// ifBranches returns the two values of a condition, or nil.
func ifBranches(v *node) []*node {
	args := v
	switch {
	case v.Kind == seqNode && v.Tag == "!If":
	case v.Kind == mapNode && len(v.Keys) == 1 && v.Keys[0] == "Fn::If":
		args = v.Vals[0]
	default:
		return nil
	}
	if args.Kind != seqNode || len(args.Vals) != 3 {
		return nil
	}
	return args.Vals[1:]
}

// isIntrinsic reports whether a mapping is a function call in long form
// ({"Ref": ...}, {"Fn::...": ...}), not a rule's properties.
func isIntrinsic(v *node) bool {
	return len(v.Keys) == 1 && (v.Keys[0] == "Ref" || strings.HasPrefix(v.Keys[0], "Fn::"))
}

// scalar returns a plain scalar's value, or "" for anything else (a
// mapping, a sequence, a short form such as !Ref).
func (n *node) scalar() string {
	if n == nil || n.Kind != scalarNode || n.Tag != "" {
		return ""
	}
	return n.Value
}

// refersTo reports whether v names the group with logical id logical:
// !Ref X, {"Ref": X}, !GetAtt X.GroupId, {"Fn::GetAtt": [X, "GroupId"]}.
func refersTo(v *node, logical string) bool {
	if v == nil {
		return false
	}
	switch {
	case v.Kind == scalarNode && v.Tag == "!Ref":
		return v.Value == logical
	case v.Kind == scalarNode && v.Tag == "!GetAtt":
		return v.Value == logical+".GroupId"
	case v.Kind == seqNode && v.Tag == "!GetAtt":
		return len(v.Vals) == 2 && v.Vals[0].Value == logical && v.Vals[1].Value == "GroupId"
	case v.Kind == mapNode && len(v.Keys) == 1 && v.Keys[0] == "Ref":
		return v.Vals[0].scalar() == logical
	case v.Kind == mapNode && len(v.Keys) == 1 && v.Keys[0] == "Fn::GetAtt":
		a := v.Vals[0]
		if a.Kind == scalarNode {
			return a.Value == logical+".GroupId"
		}
		return a.Kind == seqNode && len(a.Vals) == 2 && a.Vals[0].scalar() == logical && a.Vals[1].scalar() == "GroupId"
	}
	return false
}

// cfnRuleSpec reads the literal values of a rule's properties; !Ref,
// !Sub, Fn::... and every other intrinsic function are unknown.
func cfnRuleSpec(dir inventory.Direction, e *node) ruleSpec {
	spec := ruleSpec{Direction: dir, PeersKnown: true}
	if e == nil || e.Kind != mapNode {
		return ruleSpec{Direction: dir}
	}
	if p := e.get("IpProtocol"); p != nil {
		if s := p.scalar(); s != "" {
			if np, ok := normProtocol(s); ok {
				spec.Protocol = np
			} else {
				spec.Protocol = s
			}
		}
	}
	if i, ok := anyInt(e.get("FromPort").scalar()); ok {
		spec.FromPort = intPtr(i)
	}
	if i, ok := anyInt(e.get("ToPort").scalar()); ok {
		spec.ToPort = intPtr(i)
	}
	peerProps := []struct {
		name string
		add  func([]string)
	}{
		{"CidrIp", spec.addCIDRs},
		{"CidrIpv6", spec.addCIDRs},
		{"SourcePrefixListId", spec.addPrefixLists},
		{"DestinationPrefixListId", spec.addPrefixLists},
		{"SourceSecurityGroupId", spec.addGroups},
		{"DestinationSecurityGroupId", spec.addGroups},
	}
	for _, p := range peerProps {
		v := e.get(p.name)
		if v == nil {
			continue
		}
		s := v.scalar()
		if s == "" {
			spec.PeersKnown = false
			continue
		}
		p.add([]string{s})
	}
	if len(spec.Peers) == 0 {
		spec.PeersKnown = false
	}
	return spec
}

// templateWhere writes a parser's "line N: reason" (yaml's "yaml: line N:
// reason") as "file:N: reason", the form of every other input error
// (docs/iac.md §5), on one line.
func templateWhere(file string, err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.ReplaceAll(msg, "\n", " ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, reason, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(n); err == nil {
				return file + ":" + n + ": " + reason
			}
		}
	}
	return file + ": " + msg
}
