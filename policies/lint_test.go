package policies_test

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// regoFiles lists every .rego file of the embedded FS, sorted.
func regoFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".rego") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk embedded FS: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("embedded FS holds no .rego file")
	}
	slices.Sort(files)
	return files
}

func parse(t *testing.T, file string) *ast.Module {
	t.Helper()
	src, err := fs.ReadFile(policies.FS, file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ast.ParseModuleWithOpts(file, string(src), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return m
}

// TestRegoIsFormatted is `opa fmt --list` over the pack: every file must be
// byte-for-byte what the formatter writes.
func TestRegoIsFormatted(t *testing.T) {
	for _, file := range regoFiles(t) {
		t.Run(file, func(t *testing.T) {
			src, err := fs.ReadFile(policies.FS, file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := fmtDiff(t, file, src); diff != "" {
				t.Errorf("not opa fmt clean; run `opa fmt -w %s` (-have +formatted):\n%s", file, diff)
			}
		})
	}
}

// fmtDiff is how src differs from what `opa fmt` writes, "" when it does
// not.
func fmtDiff(t *testing.T, file string, src []byte) string {
	t.Helper()
	got, err := format.SourceWithOpts(file, src, format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatalf("format %s: %v", file, err)
	}
	return cmp.Diff(string(src), string(got))
}

// TestRegoCompilesStrict is `opa check --strict` with Rego v1: unused
// variables and imports, shadowed input/data, deprecated builtins all fail.
func TestRegoCompilesStrict(t *testing.T) {
	p := loadPack(t)
	c := ast.NewCompiler().WithStrict(true).WithDefaultRegoVersion(ast.RegoV1)
	if c.Compile(p.modules); c.Failed() {
		t.Fatalf("strict compile:\n%v", c.Errors)
	}
}

var (
	checkID = regexp.MustCompile(`^SGA[0-9]{3}$`)
	// customKeys is every key custom METADATA may hold (writing-policies.md);
	// anything else is a typo the engine would silently ignore.
	customKeys = map[string]bool{"id": true, "severity": true, "resolution": true, "frameworks": true, "tags": true, "requires": true, "enabled": true}
	// dataKinds are the inventory kinds `requires` may name.
	dataKinds = map[string]bool{
		inventory.KindSecurityGroups: true, inventory.KindSecurityGroupRules: true, inventory.KindNetworkInterfaces: true,
		inventory.KindLaunchTemplates: true, inventory.KindPrefixLists: true, inventory.KindReferences: true, inventory.KindStaleReferences: true,
		inventory.KindTerraformState: true,
	}
)

// TestCheckMetadata enforces the check contract of docs/writing-policies.md
// on every file of checks/: METADATA with the required fields, a permanent
// unique id, file stem = package leaf, a deny partial set rule, and a
// _test.rego beside it.
func TestCheckMetadata(t *testing.T) {
	files := regoFiles(t)
	have := map[string]bool{}
	for _, f := range files {
		have[f] = true
	}
	ids := map[string]string{}
	enabled := map[string]bool{}
	checks := 0
	for _, file := range files {
		if !strings.HasPrefix(file, "checks/") || strings.HasSuffix(file, "_test.rego") {
			continue
		}
		checks++
		t.Run(file, func(t *testing.T) {
			m := parse(t, file)
			stem := strings.TrimSuffix(path.Base(file), ".rego")
			if got, want := m.Package.Path.String(), "data.sgaudit.checks."+stem; got != want {
				t.Errorf("package %s, want %s (file stem = package leaf)", got, want)
			}
			if test := strings.TrimSuffix(file, ".rego") + "_test.rego"; !have[test] {
				t.Errorf("no %s beside it", test)
			} else if got, want := parse(t, test).Package.Path.String(), "data.sgaudit.checks."+stem+"_test"; got != want {
				t.Errorf("%s has package %s, want %s", test, got, want)
			}

			id, on, ok := lintCheck(t, m, checkID)
			if !ok {
				return
			}
			if other, dup := ids[id]; dup {
				t.Errorf("custom.id %s is also used by %s", id, other)
			}
			ids[id] = file
			enabled[id] = on
		})
	}
	if checks == 0 {
		t.Fatal("no check found under checks/")
	}

	var got, off []string
	for id := range ids {
		got = append(got, id)
		if !enabled[id] {
			off = append(off, id)
		}
	}
	slices.Sort(got)
	slices.Sort(off)
	for _, err := range catalogueErrors(got, retiredIDs, documentedIDs(t)) {
		t.Error(err)
	}
	// Only SGA014 (every group starts with AWS's allow-all egress) and
	// SGA015 (no naming convention until one is configured) are off by
	// default: a new check that is off by default is a decision to make
	// here, on purpose.
	if diff := cmp.Diff([]string{"SGA014", "SGA015"}, off); diff != "" {
		t.Errorf("checks off by default (-want +got):\n%s", diff)
	}
}

// lintCheck enforces the check contract of docs/writing-policies.md on one
// parsed check module, the built-in ones and the documentation's example
// alike: package METADATA with a title, a description, https related
// resources, only known custom keys, an id matching idPattern, a severity,
// a resolution, well-formed frameworks and requires, and a deny partial set
// rule. It returns the id, whether the check is on by default, and whether
// the id is well formed.
func lintCheck(t *testing.T, m *ast.Module, idPattern *regexp.Regexp) (id string, enabled, ok bool) {
	t.Helper()
	var meta *ast.Annotations
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			meta = a
		}
	}
	if meta == nil {
		t.Error("no package-scope METADATA")
		return "", false, false
	}
	if strings.TrimSpace(meta.Title) == "" {
		t.Error("METADATA title is empty")
	}
	if strings.TrimSpace(meta.Description) == "" {
		t.Error("METADATA description is empty")
	}
	for _, r := range meta.RelatedResources {
		if r.Ref.Scheme != "https" {
			t.Errorf("related resource %s is not https", r.Ref.String())
		}
	}
	for k := range meta.Custom {
		if !customKeys[k] {
			t.Errorf("unknown custom METADATA key %q", k)
		}
	}
	id, _ = meta.Custom["id"].(string)
	if idPattern.MatchString(id) {
		ok = true
	} else {
		t.Errorf("custom.id %q does not match %s", id, idPattern)
	}
	sev, _ := meta.Custom["severity"].(string)
	if findings.Severity(sev).Rank() == 0 {
		t.Errorf("custom.severity %q is not one of %v", sev, findings.Severities)
	}
	if res, _ := meta.Custom["resolution"].(string); strings.TrimSpace(res) == "" {
		t.Error("custom.resolution is empty")
	}
	if fw, has := meta.Custom["frameworks"]; has {
		if err := checkFrameworks(fw); err != nil {
			t.Errorf("custom.frameworks: %v", err)
		}
	}
	enabled = true
	if v, set := meta.Custom["enabled"]; set {
		enabled, _ = v.(bool)
	}
	if req, has := meta.Custom["requires"]; has {
		list, _ := req.([]any)
		if len(list) == 0 {
			t.Errorf("custom.requires %v is not a non-empty list", req)
		}
		for _, k := range list {
			if s, _ := k.(string); !dataKinds[s] {
				t.Errorf("custom.requires names %v, not an inventory data kind", k)
			}
		}
	}

	deny := 0
	for _, r := range m.Rules {
		if ref := r.Head.Ref(); len(ref) == 0 || !ref[0].Equal(ast.VarTerm("deny")) {
			continue
		}
		deny++
		// `deny[msg] if` is an object rule under Rego v1; the engine
		// wants `deny contains finding if`.
		if r.Head.RuleKind() != ast.MultiValue {
			t.Errorf("%s: deny is not a partial set rule (use `deny contains finding if`)", r.Location)
		}
	}
	if deny == 0 {
		t.Error("no deny rule")
	}
	return id, enabled, ok
}

// frameworkControl says how each framework's controls are written, so a
// report can be filtered by framework and version. CIS items carry the
// benchmark version, because the numbering moved between versions (the
// admin-ports item is 5.2 in v3.0, 5.3 in v4.0 and v5.0, 6.3 in v6.0):
// "v5.0:5.3". Security Hub controls are their ids, "EC2.13".
var frameworkControl = map[string]*regexp.Regexp{
	"cis-aws-foundations": regexp.MustCompile(`^v[0-9]+\.[0-9]+:[0-9]+(\.[0-9]+)*$`),
	"aws-security-hub":    regexp.MustCompile(`^[A-Z][A-Za-z0-9]*\.[0-9]+$`),
}

func checkFrameworks(v any) error {
	fw, ok := v.(map[string]any)
	if !ok || len(fw) == 0 {
		return fmt.Errorf("%v is not a map of framework to controls", v)
	}
	for name, controls := range fw {
		list, ok := controls.([]any)
		if !ok || len(list) == 0 {
			return fmt.Errorf("%s: %v is not a non-empty list", name, controls)
		}
		pattern, known := frameworkControl[name]
		if !known {
			return fmt.Errorf("unknown framework %q (want one of cis-aws-foundations, aws-security-hub)", name)
		}
		var controls []string
		for _, c := range list {
			s, ok := c.(string)
			if !ok || s == "" {
				return fmt.Errorf("%s: control %v is not a string (quote \"5.2\" in YAML)", name, c)
			}
			if !pattern.MatchString(s) {
				return fmt.Errorf("%s: control %q does not match %s", name, s, pattern)
			}
			controls = append(controls, s)
		}
		if !slices.IsSorted(controls) || len(slices.Compact(slices.Clone(controls))) != len(controls) {
			return fmt.Errorf("%s: controls %v are not sorted and unique", name, controls)
		}
	}
	return nil
}

// TestLibLayout: every helper file of lib/ is package sgaudit.lib.<stem>
// and has a _test.rego beside it.
func TestLibLayout(t *testing.T) {
	files := regoFiles(t)
	for _, file := range files {
		if !strings.HasPrefix(file, "lib/") || strings.HasSuffix(file, "_test.rego") {
			continue
		}
		stem := strings.TrimSuffix(path.Base(file), ".rego")
		if got, want := parse(t, file).Package.Path.String(), "data.sgaudit.lib."+stem; got != want {
			t.Errorf("%s: package %s, want %s", file, got, want)
		}
		if test := strings.TrimSuffix(file, ".rego") + "_test.rego"; !slices.Contains(files, test) {
			t.Errorf("%s has no %s beside it", file, test)
		}
	}
}

// TestChecksHaveNoPortLiterals keeps ports in data: the only numbers a
// check may spell are 0 and 1 (counts). Ports, severities' thresholds and
// protocol numbers belong in data/defaults.json or lib.
func TestChecksHaveNoPortLiterals(t *testing.T) {
	for _, file := range regoFiles(t) {
		if !strings.HasPrefix(file, "checks/") || strings.HasSuffix(file, "_test.rego") {
			continue
		}
		for _, lit := range numberLiterals(parse(t, file)) {
			t.Errorf("%s; put it in data", lit)
		}
	}
}

// numberLiterals lists, with their places, the number literals of a check
// other than 0 and 1.
func numberLiterals(m *ast.Module) []string {
	var out []string
	ast.WalkTerms(m, func(term *ast.Term) bool {
		if n, ok := term.Value.(ast.Number); ok && n.String() != "0" && n.String() != "1" {
			out = append(out, fmt.Sprintf("%s: number literal %s in a check", term.Location, n))
		}
		return false
	})
	return out
}

// TestDefaultData checks the shipped catalogue is well formed: a port entry
// with from > to, or a protocol that carries no ports, would never match.
func TestDefaultData(t *testing.T) {
	p := loadPack(t)
	root, _ := p.data["sgaudit"].(map[string]any)
	if root == nil {
		t.Fatal("data/defaults.json has no top-level sgaudit object")
	}
	ports, _ := root["ports"].(map[string]any)
	for _, list := range []string{"admin", "database", "high_risk"} {
		entries, _ := ports[list].([]any)
		if len(entries) == 0 {
			t.Errorf("ports.%s is empty", list)
		}
		for i, e := range entries {
			entry, _ := e.(map[string]any)
			where := fmt.Sprintf("ports.%s[%d] %v", list, i, entry["service"])
			if s, _ := entry["service"].(string); s == "" {
				t.Errorf("%s: no service name", where)
			}
			checkRange(t, where, entry)
			protos, _ := entry["protocols"].([]any)
			if len(protos) == 0 {
				t.Errorf("%s: no protocols", where)
			}
			for _, pr := range protos {
				if pr != "tcp" && pr != "udp" {
					t.Errorf("%s: protocol %v carries no ports (want tcp or udp)", where, pr)
				}
			}
		}
	}
	authorized, _ := root["authorized_ports"].([]any)
	if len(authorized) == 0 {
		t.Error("authorized_ports is empty (Security Hub EC2.18 authorises tcp 80 and 443)")
	}
	for i, e := range authorized {
		entry, _ := e.(map[string]any)
		where := fmt.Sprintf("authorized_ports[%d]", i)
		checkRange(t, where, entry)
		if p := entry["protocol"]; p != "tcp" && p != "udp" && p != "all" {
			t.Errorf("%s: protocol %v (want tcp, udp or all)", where, p)
		}
	}
	if q, ok := number(root["rules_quota"]); !ok || q < 1 || q != float64(int(q)) {
		t.Errorf("rules_quota %v is not a positive integer", root["rules_quota"])
	}
	if p, ok := root["naming_pattern"].(string); !ok {
		t.Errorf("naming_pattern %v is not a string", root["naming_pattern"])
	} else if _, err := regexp.Compile(p); err != nil {
		t.Errorf("naming_pattern %q: %v", p, err)
	}
	for _, key := range []string{"placeholder_descriptions", "placeholder_patterns"} {
		if list, _ := root[key].([]any); len(list) == 0 {
			t.Errorf("%s is empty", key)
		}
	}
	for _, pat := range root["placeholder_patterns"].([]any) {
		if _, err := regexp.Compile(pat.(string)); err != nil {
			t.Errorf("placeholder pattern %q: %v", pat, err)
		}
	}
	sevs, _ := root["severities"].(map[string]any)
	for check, v := range sevs {
		for key, s := range v.(map[string]any) {
			if str, _ := s.(string); findings.Severity(str).Rank() == 0 {
				t.Errorf("severities.%s.%s = %v is not a severity", check, key, s)
			}
		}
	}
}

// checkRange fails on a port range that could never match.
func checkRange(t *testing.T, where string, entry map[string]any) {
	t.Helper()
	from, okF := number(entry["from_port"])
	to, okT := number(entry["to_port"])
	if !okF || !okT || from < 0 || to > 65535 || from > to {
		t.Errorf("%s: bad port range %v-%v", where, entry["from_port"], entry["to_port"])
	}
}

// number reads a JSON number as the loader decodes it.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case interface{ Float64() (float64, error) }:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}
