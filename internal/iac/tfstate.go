package iac

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// ErrInput marks a file the user gave that cannot be read as what it was
// given as (a state that is not a state, a template that does not parse):
// exit 2, one line naming the file (docs/iac.md §5).
var ErrInput = errors.New("invalid IaC input")

// Instance is one resource instance of a Terraform state: a managed
// resource with its module path and count or for_each key.
type Instance struct {
	// Address is Terraform's address of the instance, as `terraform state
	// list` prints it: module.net["a"].aws_security_group.web[0].
	Address string
	// Modules is the module path without instance keys (["net"] for
	// module.net["a"]): the module blocks to follow from the root.
	Modules []string
	Type    string
	Name    string
	// Attributes are the attributes sgaudit reads of the instance; the
	// state's others (tags, timeouts, and secrets of other resources) are
	// never decoded.
	Attributes Attributes
}

// Attributes are what a state records of a group or a rule resource that
// the mapping reads (docs/iac.md §2): one struct for every supported type,
// each using its own fields. Ports are numbers in states, strings in some
// old ones: either is read.
type Attributes struct {
	ID  string `json:"id"`
	ARN string `json:"arn"`
	// Ingress and Egress are a group's inline rules; nil when the state
	// does not record them (absent or null), so which rules it declares
	// is unknown, unlike an empty list (docs/iac.md §4).
	Ingress *[]RuleAttributes `json:"ingress"`
	Egress  *[]RuleAttributes `json:"egress"`
	RuleAttributes
	// aws_security_group_rule: its type (ingress, egress) and peer group.
	Type                  string `json:"type"`
	SecurityGroupID       string `json:"security_group_id"`
	SourceSecurityGroupID string `json:"source_security_group_id"`
	// aws_vpc_security_group_*_rule: one peer, and the rule's sgr- id.
	SecurityGroupRuleID       string `json:"security_group_rule_id"`
	IPProtocol                string `json:"ip_protocol"`
	CIDRIPv4                  string `json:"cidr_ipv4"`
	CIDRIPv6                  string `json:"cidr_ipv6"`
	PrefixListID              string `json:"prefix_list_id"`
	ReferencedSecurityGroupID string `json:"referenced_security_group_id"`
}

// RuleAttributes are an inline rule of a group, or an
// aws_security_group_rule.
type RuleAttributes struct {
	Protocol       string   `json:"protocol"`
	FromPort       any      `json:"from_port"`
	ToPort         any      `json:"to_port"`
	CIDRBlocks     []string `json:"cidr_blocks"`
	IPv6CIDRBlocks []string `json:"ipv6_cidr_blocks"`
	PrefixListIDs  []string `json:"prefix_list_ids"`
	SecurityGroups []string `json:"security_groups"`
	Self           bool     `json:"self"`
}

// supportedTypes are the resource types whose instances are kept: the
// groups and the rule resources (docs/iac.md §2).
var supportedTypes = map[string]bool{
	"aws_security_group":                  true,
	"aws_default_security_group":          true,
	"aws_security_group_rule":             true,
	"aws_vpc_security_group_ingress_rule": true,
	"aws_vpc_security_group_egress_rule":  true,
}

// State is a parsed Terraform state: the managed security group and rule
// instances it holds, sorted by address.
type State struct {
	File      string
	Instances []Instance
}

// ParseState reads a Terraform state in JSON: a state file of format
// version 4 (terraform.tfstate, `terraform state pull`) or the output of
// `terraform show -json`. Only managed instances of the supported types
// are kept. Errors wrap ErrInput and name the file.
func ParseState(file string, data []byte) (*State, error) {
	// Decoded in one pass over data, without copying: the resources'
	// instances (v4) and values (show -json) are decoded only for the
	// supported types and skipped otherwise, so a state costs little more
	// memory than its size (docs/performance.md).
	var head struct {
		Version       *int         `json:"version"`
		FormatVersion string       `json:"format_version"`
		Resources     []v4Resource `json:"resources"`
		Values        *struct {
			RootModule showModule `json:"root_module"`
		} `json:"values"`
		// A plan's JSON (terraform show -json PLANFILE) has these
		// instead of values: read as a state, it would be an empty one.
		PlannedValues jsontext.Value `json:"planned_values"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		what := "not a Terraform state in JSON: "
		var se *json.SemanticError
		if errors.As(err, &se) {
			what = ""
		}
		return nil, fmt.Errorf("%w: %s: %s%v", ErrInput, stateWhere(file, data, err), what, jsonReason(err))
	}
	st := &State{File: file}
	var err error
	switch {
	case head.Version != nil && *head.Version == 4:
		err = st.readV4(head.Resources)
	case head.Version != nil:
		err = fmt.Errorf("state format version %d (want 4, written by Terraform 0.12 and later)", *head.Version)
	case head.FormatVersion != "":
		if major, _, _ := strings.Cut(head.FormatVersion, "."); major != "1" && major != "0" {
			err = fmt.Errorf("terraform show -json format_version %q (want 1.x)", head.FormatVersion)
			break
		}
		if head.Values == nil && len(head.PlannedValues) > 0 {
			err = errors.New("the JSON of a plan, not of a state: give `terraform show -json` without a plan file, or the state file")
			break
		}
		if head.Values != nil {
			err = st.walkShow(head.Values.RootModule, "/values/root_module", 0)
		}
	default:
		err = errors.New("neither a state file (version 4) nor `terraform show -json` output (format_version)")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInput, stateWhere(file, data, err), err)
	}
	sortInstances(st.Instances)
	return st, nil
}

// v4Resource is one resource of a v4 state; its instances are decoded
// only when it is a managed resource of a supported type.
type v4Resource struct {
	Module, Mode, Type, Name string
	Instances                []v4Instance
}

type v4Instance struct {
	IndexKey   any        `json:"index_key"`
	Attributes Attributes `json:"attributes"`
}

func (r *v4Resource) kept() bool { return r.Mode == "managed" && supportedTypes[r.Type] }

// UnmarshalJSONFrom reads the resource's members in order: Terraform
// writes mode and type before instances, which are then skipped unread
// for other resources; instances written before the type are kept raw
// until it is known.
func (r *v4Resource) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return readResource(dec, map[string]any{"module": &r.Module, "name": &r.Name}, &r.Mode, &r.Type, "instances", &r.Instances)
}

// readResource reads a state resource's members (fields maps a member
// name to where it goes) with its mode and type, and payload (a v4
// resource's instances, a `show -json` resource's values) only when the
// resource is kept: a managed one of a supported type. A payload written
// before the mode and type is held raw until they are known.
func readResource(dec *jsontext.Decoder, fields map[string]any, mode, typ *string, payloadName string, payload any) error {
	kept := func() bool { return *mode == "managed" && supportedTypes[*typ] }
	var raw jsontext.Value
	err := readObject(dec, func(name string) error {
		switch name {
		case "mode":
			return json.UnmarshalDecode(dec, mode)
		case "type":
			return json.UnmarshalDecode(dec, typ)
		case payloadName:
			switch {
			case *mode != "" && *typ != "" && !kept():
				return dec.SkipValue()
			case *mode != "" && *typ != "":
				return json.UnmarshalDecode(dec, payload)
			}
			v, err := dec.ReadValue()
			raw = v.Clone()
			return err
		}
		if f, ok := fields[name]; ok {
			return json.UnmarshalDecode(dec, f)
		}
		return dec.SkipValue()
	})
	if err != nil {
		return err
	}
	if raw != nil && kept() {
		return json.Unmarshal(raw, payload)
	}
	return nil
}

// readObject reads a JSON object (or null) from dec, calling member for
// each name with the decoder before its value, which member must read.
func readObject(dec *jsontext.Decoder, member func(name string) error) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return &json.SemanticError{JSONKind: tok.Kind(), GoType: reflect.TypeFor[struct{}]()}
	}
	for dec.PeekKind() != '}' {
		name, err := dec.ReadToken()
		if err != nil {
			return err
		}
		if err := member(name.String()); err != nil {
			return err
		}
	}
	_, err = dec.ReadToken()
	return err
}

func (st *State) readV4(resources []v4Resource) error {
	for i, r := range resources {
		if !r.kept() {
			continue
		}
		at := fmt.Sprintf("/resources/%d", i)
		modules, err := modulePath(r.Module)
		if err != nil {
			return &stateError{what: fmt.Sprintf("resources[%d]: module %q", i, r.Module), ptr: jsontext.Pointer(at + "/module"), err: err}
		}
		if r.Name == "" {
			return &stateError{ptr: jsontext.Pointer(at), err: fmt.Errorf("resources[%d]: %s without a name", i, r.Type)}
		}
		for j, in := range r.Instances {
			key, err := indexKey(in.IndexKey)
			if err != nil {
				return &stateError{what: fmt.Sprintf("resources[%d] %s.%s: index_key", i, r.Type, r.Name),
					ptr: jsontext.Pointer(fmt.Sprintf("%s/instances/%d/index_key", at, j)), err: err}
			}
			addr := r.Type + "." + r.Name + key
			if r.Module != "" {
				addr = r.Module + "." + addr
			}
			st.Instances = append(st.Instances, Instance{
				Address: addr, Modules: modules, Type: r.Type, Name: r.Name, Attributes: in.Attributes,
			})
		}
	}
	return nil
}

type showModule struct {
	Address      string         `json:"address"`
	Resources    []showResource `json:"resources"`
	ChildModules []showModule   `json:"child_modules"`
}

// showResource is one resource of `terraform show -json`; its values are
// decoded only for a managed resource of a supported type.
type showResource struct {
	Address, Mode, Type, Name string
	Values                    Attributes
}

func (r *showResource) kept() bool { return r.Mode == "managed" && supportedTypes[r.Type] }

// UnmarshalJSONFrom reads the members in order, as v4Resource does.
func (r *showResource) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return readResource(dec, map[string]any{"address": &r.Address, "name": &r.Name}, &r.Mode, &r.Type, "values", &r.Values)
}

// maxModuleDepth bounds module nesting; Terraform has no limit, but a
// state nested deeper than this is not one anybody wrote.
const maxModuleDepth = 64

func (st *State) walkShow(m showModule, ptr string, depth int) error {
	if depth > maxModuleDepth {
		return fmt.Errorf("modules nested deeper than %d", maxModuleDepth)
	}
	modules, err := modulePath(m.Address)
	if err != nil {
		return &stateError{what: fmt.Sprintf("module %q", m.Address), ptr: jsontext.Pointer(ptr + "/address"), err: err}
	}
	for i, r := range m.Resources {
		if !r.kept() {
			continue
		}
		if r.Address == "" || r.Name == "" {
			return &stateError{ptr: jsontext.Pointer(fmt.Sprintf("%s/resources/%d", ptr, i)),
				err: fmt.Errorf("%s resource without an address or name", r.Type)}
		}
		if err := checkResourceAddress(m.Address, r); err != nil {
			return &stateError{what: fmt.Sprintf("resource %q", r.Address),
				ptr: jsontext.Pointer(fmt.Sprintf("%s/resources/%d/address", ptr, i)), err: err}
		}
		st.Instances = append(st.Instances, Instance{
			Address: r.Address, Modules: modules, Type: r.Type, Name: r.Name, Attributes: r.Values,
		})
	}
	for i, c := range m.ChildModules {
		if err := st.walkShow(c, fmt.Sprintf("%s/child_modules/%d", ptr, i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// checkResourceAddress checks that a `terraform show -json` resource's
// address is its module's address, then type.name, then at most one
// index key, as Terraform writes it. The address is what reports and
// SGA017 print, so one that names another resource is refused rather
// than shown.
func checkResourceAddress(module string, r showResource) error {
	want := r.Type + "." + r.Name
	if module != "" {
		want = module + "." + want
	}
	rest, ok := strings.CutPrefix(r.Address, want)
	if !ok {
		return fmt.Errorf("want an address starting %q", want)
	}
	if rest == "" {
		return nil
	}
	if !strings.HasPrefix(rest, "[") {
		return fmt.Errorf("want an address starting %q", want)
	}
	end, err := keyEnd(rest)
	if err != nil {
		return err
	}
	if end != len(rest) {
		return errors.New("text after the index key")
	}
	return nil
}

// indexKey renders a count index or for_each key as Terraform does in an
// address: [0] or ["a"].
func indexKey(k any) (string, error) {
	switch x := k.(type) {
	case nil:
		return "", nil
	case float64:
		if x < 0 || x != float64(int64(x)) {
			return "", fmt.Errorf("count index %v is not a whole number", x)
		}
		return "[" + strconv.FormatInt(int64(x), 10) + "]", nil
	case string:
		return "[" + hclQuote(x) + "]", nil
	}
	return "", fmt.Errorf("want a number or a string, got %T", k)
}

// hclQuote quotes a for_each key as Terraform writes it in addresses (its
// addrs.StringKey): HCL's escapes, template introducers ${ and %{
// doubled, other unprintable runes as \uNNNN. strconv.Quote differs on
// those, and the address in reports and in SGA017 would not be the one
// `terraform state list` and `terraform show -json` print.
func hclQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i, r := range s {
		switch r {
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '$', '%':
			b.WriteRune(r)
			if strings.HasPrefix(s[i+1:], "{") {
				b.WriteRune(r)
			}
		default:
			switch {
			case unicode.IsPrint(r):
				b.WriteRune(r)
			case r < 0x10000:
				fmt.Fprintf(&b, "\\u%04x", r)
			default:
				fmt.Fprintf(&b, "\\U%08x", r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// modulePath reads a module instance address (module.a["x"].module.b[0])
// into the module names (["a", "b"]).
func modulePath(addr string) ([]string, error) {
	var out []string
	rest := addr
	for rest != "" {
		after, ok := strings.CutPrefix(rest, "module.")
		if !ok {
			return nil, errors.New("want module.NAME steps")
		}
		n := 0
		for n < len(after) && isIdentByte(after[n], n == 0) {
			n++
		}
		if n == 0 {
			return nil, errors.New("module without a name")
		}
		out = append(out, after[:n])
		rest = after[n:]
		if strings.HasPrefix(rest, "[") {
			end, err := keyEnd(rest)
			if err != nil {
				return nil, err
			}
			rest = rest[end:]
		}
		if rest == "" {
			break
		}
		if rest, ok = strings.CutPrefix(rest, "."); !ok || rest == "" {
			return nil, errors.New("want . between module steps")
		}
	}
	return out, nil
}

// keyEnd returns the length of the [key] at the start of s: [0] or a
// quoted string with escapes.
func keyEnd(s string) (int, error) {
	if len(s) > 1 && s[1] == '"' {
		for i := 2; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '"':
				if i+1 < len(s) && s[i+1] == ']' {
					return i + 2, nil
				}
				return 0, errors.New("unterminated key")
			}
		}
		return 0, errors.New("unterminated key")
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(s) || s[i] != ']' {
		return 0, errors.New("bad index")
	}
	return i + 1, nil
}

// isIdentByte reports whether c may appear in an HCL identifier (ASCII
// only: Terraform's module and resource names are).
func isIdentByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		return true
	case c >= '0' && c <= '9', c == '-':
		return !first
	}
	return false
}

func sortInstances(xs []Instance) {
	slices.SortStableFunc(xs, func(a, b Instance) int { return strings.Compare(a.Address, b.Address) })
}

// stateError is a value of a state that is not what it should be, with
// the JSON pointer to it from the state's top, so the message can name
// its line.
type stateError struct {
	what string
	ptr  jsontext.Pointer
	err  error
}

func (e *stateError) Error() string {
	if e.what == "" {
		return jsonReason(e.err)
	}
	return e.what + ": " + jsonReason(e.err)
}

// jsonReason says what is wrong with a value in words, without the
// decoder's Go types ("cannot unmarshal JSON number into Go string").
func jsonReason(err error) string {
	var se *json.SemanticError
	if errors.As(err, &se) && se.JSONKind != 0 && se.GoType != nil {
		where := ""
		if se.JSONPointer != "" {
			where = strings.TrimPrefix(string(se.JSONPointer), "/") + ": "
			where = strings.ReplaceAll(where, "/", ".")
		}
		return fmt.Sprintf("%s%s where %s is wanted", where, kindName(se.JSONKind), goKindName(se.GoType.Kind().String()))
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return syn.Err.Error()
	}
	return err.Error()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case '{':
		return "an object"
	case '[':
		return "an array"
	}
	return "a value"
}

func goKindName(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int64", "float64":
		return "a number"
	}
	return "another value"
}

// stateWhere is "file:line" for an error of a state whose line can be
// found (a syntax error's offset, or the pointer of a value that does
// not decode), else the file.
func stateWhere(file string, data []byte, err error) string {
	off := int64(-1)
	var syn *jsontext.SyntacticError
	var se *json.SemanticError
	var ste *stateError
	switch {
	case errors.As(err, &ste):
		off = pointerOffset(data, ste.ptr)
	case errors.As(err, &syn):
		off = syn.ByteOffset
	case errors.As(err, &se):
		off = se.ByteOffset
	}
	if off < 0 || off > int64(len(data)) {
		return file
	}
	return fmt.Sprintf("%s:%d", file, 1+bytes.Count(data[:off], []byte("\n")))
}

// pointerOffset finds where the value at ptr starts in data, or -1. Only
// on the error path: it reads the state again.
func pointerOffset(data []byte, ptr jsontext.Pointer) int64 {
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		if _, err := dec.ReadToken(); err != nil {
			return -1
		}
		if dec.StackPointer() == ptr {
			return max(dec.InputOffset()-1, 0)
		}
	}
}
