package engine

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// checkIDPattern is the contract for check ids (docs/writing-policies.md).
var checkIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*[0-9]{3}$`)

// knownKinds are the values METADATA custom.requires may list. A typo there
// would make a check silently "not evaluated" forever, so it is refused.
var knownKinds = map[string]bool{
	inventory.KindSecurityGroups:     true,
	inventory.KindSecurityGroupRules: true,
	inventory.KindNetworkInterfaces:  true,
	inventory.KindLaunchTemplates:    true,
	inventory.KindPrefixLists:        true,
	inventory.KindReferences:         true,
	inventory.KindStaleReferences:    true,
	inventory.KindTerraformState:     true,
}

// pkgModules is every module of one Rego package; a package may be split
// over several files.
type pkgModules struct {
	path    ast.Ref
	files   []string
	modules []*ast.Module
	custom  bool
}

// catalogue finds the checks (packages defining `deny`) and reads their
// METADATA. It returns them sorted by id.
func catalogue(srcs []source, modules map[string]*ast.Module) ([]check, error) {
	pkgs := map[string]*pkgModules{}
	var order []string
	for _, s := range srcs { // srcs order: deterministic "first file" for errors
		m := modules[s.name]
		if m == nil {
			continue
		}
		key := m.Package.Path.String()
		p := pkgs[key]
		if p == nil {
			p = &pkgModules{path: m.Package.Path}
			pkgs[key] = p
			order = append(order, key)
		}
		p.files = append(p.files, s.name)
		p.modules = append(p.modules, m)
		p.custom = p.custom || s.custom
	}

	var checks []check
	seen := map[string]string{} // id → file
	for _, key := range order {
		p := pkgs[key]
		c, ok, err := packageCheck(p)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if prev, dup := seen[c.ID]; dup {
			return nil, policyErr(c.file, 0, "duplicate check id %s (also declared in %s)", c.ID, prev)
		}
		seen[c.ID] = c.file
		checks = append(checks, c)
	}
	slices.SortFunc(checks, func(a, b check) int { return strings.Compare(a.ID, b.ID) })
	return checks, nil
}

// packageCheck returns the check a package declares, ok=false for a
// package that is not a check (no deny rule, no METADATA id).
func packageCheck(p *pkgModules) (check, bool, error) {
	var denies []*ast.Rule
	var annot *ast.Annotations
	annotFile := ""
	for i, m := range p.modules {
		for _, r := range m.Rules {
			if isDeny(r) {
				denies = append(denies, r)
			}
		}
		for _, a := range m.Annotations {
			if a.Scope != "package" {
				continue
			}
			if annot != nil {
				return check{}, false, policyErr(p.files[i], line(a.Location), "package %s has METADATA in two files (also %s)", pkgName(p.path), annotFile)
			}
			annot, annotFile = a, p.files[i]
		}
	}
	for _, r := range denies {
		head := r.Head
		if head.RuleKind() != ast.MultiValue || len(head.Ref()) != 1 || len(head.Args) > 0 {
			file := ""
			if r.Location != nil {
				file = r.Location.File
			}
			return check{}, false, policyErr(file, line(r.Location), "deny must be a set rule: write `deny contains msg if {...}` (found `%s`)", headText(r))
		}
	}
	id := ""
	if annot != nil {
		id, _ = annot.Custom["id"].(string)
	}
	if len(denies) == 0 {
		if id != "" {
			return check{}, false, policyErr(annotFile, line(annot.Location), "check %s (package %s) defines no `deny contains ...` rule", id, pkgName(p.path))
		}
		return check{}, false, nil
	}

	file := p.files[0]
	if annot == nil {
		return check{}, false, policyErr(file, line(denies[0].Location), "package %s defines deny but has no package METADATA (a `# METADATA` block right above `package` with title, description and custom id, severity, resolution)", pkgName(p.path))
	}
	c, err := checkFromAnnotations(annot, annotFile)
	if err != nil {
		return check{}, false, err
	}
	c.Name = strings.ReplaceAll(string(p.path[len(p.path)-1].Value.(ast.String)), "_", "-")
	c.Custom = p.custom
	c.ref = p.path.Append(ast.StringTerm("deny"))
	return c, true, nil
}

// isDeny reports whether r defines `deny` (in any form: set, object,
// complete rule or function).
func isDeny(r *ast.Rule) bool {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return false
	}
	v, ok := ref[0].Value.(ast.Var)
	return ok && v == "deny"
}

// headText shows how a rejected deny rule was written, e.g. deny[msg].
func headText(r *ast.Rule) string {
	s := r.Head.Ref().String()
	if len(r.Head.Args) > 0 {
		s += "(" + r.Head.Args.String()[1:len(r.Head.Args.String())-1] + ")"
	}
	return s
}

func pkgName(path ast.Ref) string {
	return strings.TrimPrefix(path.String(), "data.")
}

func line(loc *ast.Location) int {
	if loc == nil {
		return 0
	}
	return loc.Row
}

// checkFromAnnotations validates a package's METADATA and builds its
// catalogue entry.
func checkFromAnnotations(a *ast.Annotations, file string) (check, error) {
	ln := line(a.Location)
	bad := func(format string, args ...any) (check, error) {
		return check{}, policyErr(file, ln, "METADATA: "+format, args...)
	}
	cu := a.Custom
	id, _ := cu["id"].(string)
	if id == "" {
		return bad("custom.id is required (e.g. `id: ACME001`)")
	}
	if !checkIDPattern.MatchString(id) {
		return bad("custom.id %q must be upper-case letters and digits ending in three digits, e.g. SGA001", id)
	}
	sevText, ok := cu["severity"].(string)
	if !ok || sevText == "" {
		return bad("check %s: custom.severity is required (LOW, MEDIUM, HIGH or CRITICAL)", id)
	}
	sev, err := findings.ParseSeverity(sevText)
	if err != nil {
		return bad("check %s: custom.severity: %v", id, err)
	}
	if a.Title == "" {
		return bad("check %s: title is required", id)
	}
	if a.Description == "" {
		return bad("check %s: description is required", id)
	}
	resolution, _ := cu["resolution"].(string)
	if resolution == "" {
		return bad("check %s: custom.resolution is required", id)
	}

	c := check{file: file, base: sev, enabled: true}
	c.ID, c.Title, c.Description, c.Severity, c.Resolution = id, a.Title, strings.TrimSpace(a.Description), sev, strings.TrimSpace(resolution)
	for _, rr := range a.RelatedResources {
		c.RelatedResources = append(c.RelatedResources, rr.Ref.String())
	}
	if c.Tags, err = stringList(cu["tags"]); err != nil {
		return bad("check %s: custom.tags: %v", id, err)
	}
	if c.Requires, err = stringList(cu["requires"]); err != nil {
		return bad("check %s: custom.requires: %v", id, err)
	}
	for _, k := range c.Requires {
		if !knownKinds[k] {
			return bad("check %s: custom.requires: unknown data kind %q (want one of %s)", id, k, strings.Join(slices.Sorted(maps.Keys(knownKinds)), ", "))
		}
	}
	if v, ok := cu["enabled"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return bad("check %s: custom.enabled must be true or false", id)
		}
		c.enabled = b
	}
	if fw, ok := cu["frameworks"]; ok && fw != nil {
		m, isMap := fw.(map[string]any)
		if !isMap {
			return bad("check %s: custom.frameworks must map a framework to its controls", id)
		}
		c.Frameworks = make(map[string][]string, len(m))
		for name, controls := range m {
			list, err := stringList(controls)
			if err != nil {
				return bad("check %s: custom.frameworks.%s: %v", id, name, err)
			}
			c.Frameworks[name] = list
		}
	}
	return c, nil
}

// stringList reads a YAML list of scalars (or one scalar) as strings.
// Unquoted YAML numbers such as 5.2 arrive as floats; they are printed back
// in their shortest form.
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := scalarString(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		s, err := scalarString(x)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
}

func scalarString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	default:
		return "", fmt.Errorf("want a list of strings, got %v", v)
	}
}
