// Package iac maps live security groups and rules to the Terraform and
// CloudFormation code that declares them, so findings point at source
// lines, and marks the rules of managed groups that no state declares
// (drift). docs/iac.md is its contract.
package iac

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// CloudFormation's tags on every resource of a stack.
const (
	TagStackName = "aws:cloudformation:stack-name"
	TagLogicalID = "aws:cloudformation:logical-id"
)

// Source kinds in findings.SourceCount.
const (
	KindTerraform      = "terraform"
	KindCloudFormation = "cloudformation"
)

// TemplateMapping ties CloudFormation stacks to a template: Stack is a
// stack name or a glob (path.Match syntax, "app-*"), File the template.
type TemplateMapping struct {
	Stack string
	File  string
}

// Options says where the code and the states are.
type Options struct {
	// Root is the source root: files are reported relative to it (the
	// repository's working directory in CI). Default: the repository
	// holding the working directory (the nearest directory upwards with
	// a .git), else the working directory (docs/iac.md §1).
	Root string
	// Dirs are the --iac directories: every directory under them that
	// holds *.tf or *.tf.json files is a candidate root module of each state.
	Dirs []string
	// States are Terraform state files (v4, or terraform show -json).
	States []string
	// Templates map stacks to templates, first match wins.
	Templates []TemplateMapping
}

// SetURL records where the source root is browsed (an https URL ending
// in /), for the HTML report's links (findings.SourceMapping.URL).
func (m *Mapper) SetURL(url string) { m.url = url }

// HasStates reports whether Terraform state was given: only then can a
// group be judged against it (SGA017).
func (m *Mapper) HasStates() bool { return m.anyState }

// Empty reports whether there is nothing to map with.
func (o Options) Empty() bool {
	return len(o.Dirs) == 0 && len(o.States) == 0 && len(o.Templates) == 0
}

// Mapper holds the parsed states, code and templates.
type Mapper struct {
	root      string
	realRoot  string            // root with its symlinks resolved
	realPath  map[string]string // files with their symlinks resolved
	states    []*State
	groups    map[string][]*tfGroup // by group id
	ruleRes   map[string][]*tfRule  // rule resources by the group id they name
	templates []TemplateMapping     // validated
	parsed    map[string]*Template  // by template file
	modules   map[string]*tfModule  // by directory
	rootOf    map[*State]string     // chosen root module directory
	anyState  bool
	url       string
	warnings  []string
}

type tfGroup struct {
	state *State
	inst  Instance
	block *tfBlock // nil: not found in the code
	// rules are the rules the state declares for the group: its inline
	// ingress and egress attributes.
	rules []ruleSpec
	// unknown are the directions whose inline rules the state does not
	// record: their live rules are never drift, which would be a guess.
	unknown []inventory.Direction
}

type tfRule struct {
	state *State
	inst  Instance
	block *tfBlock
	spec  ruleSpec
}

// Load reads every state and template and the Terraform code under
// opts.Dirs. A file that cannot be read as what it was given as is an
// error wrapping ErrInput that names it.
func Load(opts Options) (*Mapper, error) {
	root := opts.Root
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("find the working directory: %w", err)
		}
		root = repositoryRoot(wd)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("find the source root: %w", err)
	}
	realRoot := root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		realRoot = r
	}
	m := &Mapper{
		root: root, realRoot: realRoot, realPath: map[string]string{}, groups: map[string][]*tfGroup{}, ruleRes: map[string][]*tfRule{},
		parsed: map[string]*Template{}, modules: map[string]*tfModule{}, rootOf: map[*State]string{},
	}
	var candidates []string
	for _, d := range opts.Dirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", d, err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("%w: --iac %s: not a directory", ErrInput, d)
		}
		if !m.inRoot(abs) {
			m.warnings = append(m.warnings, fmt.Sprintf(
				"--iac %s is outside the repository's root %s: no finding is located on its code, which GitHub could not show (docs/iac.md §1)", d, root))
		}
		roots, err := terraformRoots(abs)
		if err != nil {
			return nil, err
		}
		candidates = append(candidates, roots...)
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	if len(opts.States) > 0 {
		// Every candidate is parsed, so a .tf file that does not parse is
		// an error whatever the states hold (docs/iac.md §5).
		for _, c := range candidates {
			if _, err := m.module(c); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range opts.States {
		data, err := readSource(f, maxStateBytes)
		if err != nil {
			if errors.Is(err, ErrInput) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		st, err := ParseState(f, data)
		if err != nil {
			return nil, err
		}
		m.states = append(m.states, st)
		m.anyState = true
		if err := m.addState(st, candidates); err != nil {
			return nil, err
		}
	}
	for _, t := range opts.Templates {
		if _, err := path.Match(t.Stack, ""); err != nil || t.Stack == "" {
			return nil, fmt.Errorf("%w: CloudFormation stack pattern %q: not a name or glob", ErrInput, t.Stack)
		}
		if _, ok := m.parsed[t.File]; !ok {
			data, err := readSource(t.File, maxSourceBytes)
			if err != nil {
				if errors.Is(err, ErrInput) {
					return nil, err
				}
				return nil, fmt.Errorf("%w: %w", ErrInput, err)
			}
			tpl, err := ParseTemplate(t.File, data)
			if err != nil {
				return nil, err
			}
			m.parsed[t.File] = tpl
		}
		m.templates = append(m.templates, t)
	}
	return m, nil
}

// repositoryRoot is the nearest directory from dir upwards that holds
// .git (a directory, or a file in a worktree or submodule): GitHub
// resolves SARIF URIs against the repository's root, so a scan run in
// infra/ must still report infra/main.tf. dir itself when there is none.
func repositoryRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// module parses dir once.
func (m *Mapper) module(dir string) (*tfModule, error) {
	if mod, ok := m.modules[dir]; ok {
		return mod, nil
	}
	mod, err := parseModule(dir)
	if err != nil {
		return nil, err
	}
	m.modules[dir] = mod
	return mod, nil
}

// block finds an instance's resource block under the root module dir,
// following local module calls; nil when the code does not have it.
func (m *Mapper) block(root string, in Instance) (*tfBlock, error) {
	dir := root
	for _, name := range in.Modules {
		mod, err := m.module(dir)
		if err != nil {
			return nil, err
		}
		next := mod.Modules[name]
		if next == "" {
			return nil, nil // a registry or git module: not in the repository
		}
		if fi, err := os.Stat(next); err != nil || !fi.IsDir() {
			return nil, nil
		}
		dir = next
	}
	mod, err := m.module(dir)
	if err != nil {
		return nil, err
	}
	return mod.resource(in.Type + "." + in.Name), nil
}

// addState picks the state's root module among the candidates (the one
// where most of its instances find their block; on a tie the one holding
// the state file, then the first by path: docs/iac.md §2) and indexes its
// groups and rules.
func (m *Mapper) addState(st *State, candidates []string) error {
	stateDir := ""
	if abs, err := filepath.Abs(st.File); err == nil {
		stateDir = filepath.Dir(abs)
	}
	best, bestN := "", 0
	counts := make([]int, len(candidates))
	for i, c := range candidates {
		n := 0
		for _, in := range st.Instances {
			b, err := m.block(c, in)
			if err != nil {
				return err
			}
			if b != nil {
				n++
			}
		}
		counts[i] = n
		if n > bestN || (n == bestN && n > 0 && c == stateDir) {
			best, bestN = c, n
		}
	}
	if best != "" && best != stateDir {
		// Several roots where as many of the state's resources are found
		// (environments with the same code, the state pulled elsewhere):
		// unless they would place every instance on the same lines,
		// taking the first by path would put one environment's findings
		// on another's file. Nothing is placed then (docs/iac.md §2).
		for i, c := range candidates {
			if c == best || counts[i] != bestN {
				continue
			}
			same, err := m.sameBlocks(st, best, c)
			if err != nil {
				return err
			}
			if !same {
				m.warnings = append(m.warnings, fmt.Sprintf(
					"Terraform state %s: its code could be in %s or in %s (as many of its resources in each), so no finding is located on it: give --iac that root only, or write the state into it (terraform -chdir=DIR state pull > DIR/terraform.tfstate)",
					st.File, m.display(best), m.display(c)))
				best = ""
				break
			}
		}
	}
	m.rootOf[st] = best
	for _, in := range st.Instances {
		var blk *tfBlock
		if best != "" {
			b, err := m.block(best, in)
			if err != nil {
				return err
			}
			blk = b
		}
		a := &in.Attributes
		switch in.Type {
		case "aws_security_group", "aws_default_security_group":
			if a.ID == "" {
				continue
			}
			g := &tfGroup{state: st, inst: in, block: blk}
			if a.Ingress == nil {
				g.unknown = append(g.unknown, inventory.Ingress)
			} else {
				for _, r := range *a.Ingress {
					g.rules = append(g.rules, stateInlineSpec("ingress", &r))
				}
			}
			if a.Egress == nil {
				g.unknown = append(g.unknown, inventory.Egress)
			} else {
				for _, r := range *a.Egress {
					g.rules = append(g.rules, stateInlineSpec("egress", &r))
				}
			}
			m.groups[a.ID] = append(m.groups[a.ID], g)
		case "aws_security_group_rule":
			if a.SecurityGroupID == "" {
				continue
			}
			spec := stateInlineSpec(a.Type, &a.RuleAttributes)
			if a.SourceSecurityGroupID != "" {
				spec.addGroups([]string{a.SourceSecurityGroupID})
			}
			m.ruleRes[a.SecurityGroupID] = append(m.ruleRes[a.SecurityGroupID], &tfRule{state: st, inst: in, block: blk, spec: spec})
		case "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule":
			if a.SecurityGroupID == "" {
				continue
			}
			dir := inventory.Ingress
			if in.Type == "aws_vpc_security_group_egress_rule" {
				dir = inventory.Egress
			}
			m.ruleRes[a.SecurityGroupID] = append(m.ruleRes[a.SecurityGroupID], &tfRule{state: st, inst: in, block: blk, spec: stateVPCRuleSpec(dir, a)})
		}
	}
	return nil
}

// inRoot reports whether path, symlinks resolved, lies in the source root.
func (m *Mapper) inRoot(path string) bool {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		path = r
	}
	rel, err := filepath.Rel(m.realRoot, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// sameBlocks reports whether roots a and b place every instance of st on
// the same block.
func (m *Mapper) sameBlocks(st *State, a, b string) (bool, error) {
	for _, in := range st.Instances {
		ba, err := m.block(a, in)
		if err != nil {
			return false, err
		}
		bb, err := m.block(b, in)
		if err != nil {
			return false, err
		}
		if ba != bb {
			return false, nil
		}
	}
	return true, nil
}

// display is dir relative to the source root when it lies inside it.
func (m *Mapper) display(dir string) string {
	if rel, err := filepath.Rel(m.root, dir); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return dir
}

// Warnings are what the user should know about the mapping (a state whose
// root module is ambiguous), one sentence each, in the order found.
func (m *Mapper) Warnings() []string { return m.warnings }

// stateInlineSpec reads an inline ingress or egress entry of a group, or
// an aws_security_group_rule, as the state holds it: every value known.
func stateInlineSpec(dir string, a *RuleAttributes) ruleSpec {
	spec := ruleSpec{Direction: directionOf(dir), PeersKnown: true}
	if p, ok := normProtocol(a.Protocol); ok {
		spec.Protocol = p
	} else {
		spec.Protocol = a.Protocol // matches nothing
	}
	if i, ok := anyInt(a.FromPort); ok {
		spec.FromPort = intPtr(i)
	}
	if i, ok := anyInt(a.ToPort); ok {
		spec.ToPort = intPtr(i)
	}
	spec.addCIDRs(a.CIDRBlocks)
	spec.addCIDRs(a.IPv6CIDRBlocks)
	spec.addPrefixLists(a.PrefixListIDs)
	spec.addGroups(a.SecurityGroups)
	if a.Self {
		spec.Peers = append(spec.Peers, peerSpec{Self: true})
	}
	return spec
}

// stateVPCRuleSpec reads an aws_vpc_security_group_ingress_rule or
// _egress_rule: one peer, ports null for protocol -1, and the rule's own
// sgr- id.
func stateVPCRuleSpec(dir inventory.Direction, a *Attributes) ruleSpec {
	spec := ruleSpec{Direction: dir, PeersKnown: true, ID: a.SecurityGroupRuleID}
	if spec.ID == "" && strings.HasPrefix(a.ID, "sgr-") {
		spec.ID = a.ID
	}
	if p, ok := normProtocol(a.IPProtocol); ok {
		spec.Protocol = p
	} else {
		spec.Protocol = a.IPProtocol
	}
	if i, ok := anyInt(a.FromPort); ok {
		spec.FromPort = intPtr(i)
	}
	if i, ok := anyInt(a.ToPort); ok {
		spec.ToPort = intPtr(i)
	}
	for _, c := range []string{a.CIDRIPv4, a.CIDRIPv6} {
		if c != "" {
			spec.addCIDRs([]string{c})
		}
	}
	if a.PrefixListID != "" {
		spec.addPrefixLists([]string{a.PrefixListID})
	}
	if a.ReferencedSecurityGroupID != "" {
		spec.addGroups([]string{a.ReferencedSecurityGroupID})
	}
	return spec
}

// group returns the state's group with this id (and ARN, when the state
// records one), or nil.
func (m *Mapper) group(id, arn string) *tfGroup {
	for _, g := range m.groups[id] {
		if sameGroup(g, arn) {
			return g
		}
	}
	return nil
}

func sameGroup(g *tfGroup, arn string) bool {
	a := g.inst.Attributes.ARN
	return a == "" || arn == "" || a == arn
}

// ruleResources are the rule resources naming the group with this id and
// ARN: not those of a state whose own group with that id has another ARN
// (a state of another account or region whose ids collide).
func (m *Mapper) ruleResources(id, arn string) []*tfRule {
	rules := m.ruleRes[id]
	var out []*tfRule
	for _, rr := range rules {
		other := slices.ContainsFunc(m.groups[id], func(g *tfGroup) bool { return g.state == rr.state && !sameGroup(g, arn) })
		if !other {
			out = append(out, rr)
		}
	}
	return out
}

// declared reports whether a state declares the live rule r of group g:
// an inline entry of the group or a rule resource naming the group.
func (m *Mapper) declared(g *inventory.SecurityGroup, r inventory.Rule) bool {
	// Every state holding the group counts: a group in two roots' states
	// declares the rules of both.
	for _, tg := range m.groups[g.ID] {
		if !sameGroup(tg, g.ARN) {
			continue
		}
		if slices.Contains(tg.unknown, r.Direction) {
			return true // not recorded: missing data is never drift
		}
		for _, s := range tg.rules {
			if s.score(g.ID, r) >= 0 {
				return true
			}
		}
	}
	for _, rr := range m.ruleResources(g.ID, g.ARN) {
		if rr.spec.score(g.ID, r) >= 0 {
			return true
		}
	}
	return false
}

// Annotate sets the iac object of every group a state manages
// (docs/iac.md §4): its address, and the live rules no state declares,
// which SGA017 reports as drift. It runs before evaluation.
func (m *Mapper) Annotate(inv *inventory.Inventory) {
	for i := range inv.SecurityGroups {
		g := &inv.SecurityGroups[i]
		tg := m.group(g.ID, g.ARN)
		if tg == nil {
			g.IaC = nil
			continue
		}
		unmanaged := []inventory.Rule{}
		for _, r := range g.Rules.All() {
			if !m.declared(g, r) {
				unmanaged = append(unmanaged, r)
			}
		}
		g.IaC = &inventory.IaC{ManagedBy: KindTerraform, Address: tg.inst.Address, State: tg.state.File, UnmanagedRules: unmanaged}
	}
}

// mapping is where one finding landed, or why it did not.
type mapping struct {
	source *findings.Source
	kind   string // of the source
	name   string // the state file or template
	reason string
}

// Map sets Source on every finding whose group (or rule) the code
// declares, and returns the mapping coverage (docs/iac.md §3).
func (m *Mapper) Map(inv *inventory.Inventory, fs []findings.Finding) *findings.SourceMapping {
	byARN := make(map[string]*inventory.SecurityGroup, len(inv.SecurityGroups))
	for i := range inv.SecurityGroups {
		byARN[inv.SecurityGroups[i].ARN] = &inv.SecurityGroups[i]
	}
	cov := &findings.SourceMapping{URL: m.url}
	// Counted per account; the report's totals are their sum.
	type counts struct {
		mapped, unmapped int
		sources          map[[2]string]int
		reasons          map[string]int
	}
	perAccount := map[string]*counts{}
	all := &counts{sources: map[[2]string]int{}, reasons: map[string]int{}}
	// A group's rules by key, read once for all its findings: decoding
	// the compact rules and building keys per finding was most of the cost.
	keyed := map[string]map[string]inventory.Rule{}
	ruleOf := func(g *inventory.SecurityGroup, key string) *inventory.Rule {
		byKey, ok := keyed[g.ARN]
		if !ok {
			byKey = make(map[string]inventory.Rule, g.Rules.Len())
			for _, r := range g.Rules.All() {
				byKey[r.Key()] = r
			}
			keyed[g.ARN] = byKey
		}
		if r, ok := byKey[key]; ok {
			return &r
		}
		return nil
	}
	for i := range fs {
		f := &fs[i]
		var rule *inventory.Rule
		g := byARN[f.GroupARN]
		if g != nil && f.RuleKey != "" {
			rule = ruleOf(g, f.RuleKey)
		}
		mp := m.mapFinding(f, g, rule)
		f.Source = mp.source
		acct := perAccount[f.AccountID]
		if acct == nil {
			acct = &counts{sources: map[[2]string]int{}, reasons: map[string]int{}}
			perAccount[f.AccountID] = acct
		}
		for _, c := range []*counts{all, acct} {
			if mp.source != nil {
				c.mapped++
				c.sources[[2]string{mp.kind, mp.name}]++
			} else {
				c.unmapped++
				c.reasons[mp.reason]++
			}
		}
	}
	lists := func(c *counts) ([]findings.SourceCount, []findings.ReasonCount) {
		sources := []findings.SourceCount{}
		for _, k := range slices.SortedFunc(maps.Keys(c.sources), func(a, b [2]string) int {
			return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]))
		}) {
			sources = append(sources, findings.SourceCount{Kind: k[0], Name: k[1], Findings: c.sources[k]})
		}
		reasons := []findings.ReasonCount{}
		for _, r := range slices.Sorted(maps.Keys(c.reasons)) {
			reasons = append(reasons, findings.ReasonCount{Reason: r, Findings: c.reasons[r]})
		}
		return sources, reasons
	}
	cov.Mapped, cov.Unmapped = all.mapped, all.unmapped
	cov.Sources, cov.Reasons = lists(all)
	cov.Accounts = []findings.AccountSourceMapping{}
	for _, id := range slices.Sorted(maps.Keys(perAccount)) {
		c := perAccount[id]
		sources, reasons := lists(c)
		cov.Accounts = append(cov.Accounts, findings.AccountSourceMapping{
			AccountID: id, Mapped: c.mapped, Unmapped: c.unmapped, Sources: sources, Reasons: reasons,
		})
	}
	return cov
}

// mapFinding maps f, on group g (nil when the inventory lacks it) and
// rule (nil for a finding on the group).
func (m *Mapper) mapFinding(f *findings.Finding, g *inventory.SecurityGroup, rule *inventory.Rule) mapping {
	tg := m.group(f.GroupID, f.GroupARN)
	// A rule resource of this state may name a group managed elsewhere.
	if rule != nil {
		rules := m.ruleResources(f.GroupID, f.GroupARN)
		specs := make([]ruleSpec, len(rules))
		for i, r := range rules {
			specs[i] = r.spec
		}
		if i := bestMatch(specs, f.GroupID, *rule); i >= 0 {
			if rr := rules[i]; rr.block != nil {
				if src := m.source(rr.block.File, rr.block.Start, rr.block.End, rr.inst.Address); src != nil {
					return mapping{source: src, kind: KindTerraform, name: rr.state.File}
				}
			}
		}
	}
	if tg != nil {
		if tg.block == nil {
			return mapping{reason: findings.UnmappedFileNotFound}
		}
		start, end := tg.block.Start, tg.block.End
		// Only a rule the group's inline rules declare is looked for among
		// the inline blocks: a rule added by hand (drift) is on no block,
		// and a dynamic block would otherwise claim it.
		if rule != nil && slices.ContainsFunc(tg.rules, func(s ruleSpec) bool { return s.score(f.GroupID, *rule) >= 0 }) {
			specs := make([]ruleSpec, len(tg.block.Inline))
			for i, b := range tg.block.Inline {
				specs[i] = b.Spec
			}
			if i := bestMatch(specs, f.GroupID, *rule); i >= 0 {
				start, end = tg.block.Inline[i].Start, tg.block.Inline[i].End
			}
		}
		if src := m.source(tg.block.File, start, end, tg.inst.Address); src != nil {
			return mapping{source: src, kind: KindTerraform, name: tg.state.File}
		}
		return mapping{reason: findings.UnmappedFileNotFound}
	}
	if g != nil {
		if stack, ok := g.Tags.Get(TagStackName); ok {
			return m.mapCloudFormation(g, stack, rule)
		}
	}
	if !m.anyState {
		return mapping{reason: findings.UnmappedNoSource}
	}
	return mapping{reason: findings.UnmappedNotManaged}
}

func (m *Mapper) mapCloudFormation(g *inventory.SecurityGroup, stack string, rule *inventory.Rule) mapping {
	var tpl *Template
	for _, t := range m.templates {
		if ok, _ := path.Match(t.Stack, stack); ok {
			tpl = m.parsed[t.File]
			break
		}
	}
	if tpl == nil {
		return mapping{reason: findings.UnmappedNoSource}
	}
	logical, _ := g.Tags.Get(TagLogicalID)
	res := tpl.Resources[logical]
	if res == nil {
		return mapping{reason: findings.UnmappedFileNotFound}
	}
	start, end := resourceLines(res)
	addr := "Resources." + logical
	if rule != nil {
		rules := tpl.groupRules(logical)
		specs := make([]ruleSpec, len(rules))
		for i, r := range rules {
			specs[i] = r.Spec
		}
		if i := bestMatch(specs, g.ID, *rule); i >= 0 {
			start, end, addr = rules[i].Start, rules[i].End, rules[i].Address
		}
	}
	if src := m.source(tpl.File, start, end, addr); src != nil {
		return mapping{source: src, kind: KindCloudFormation, name: tpl.File}
	}
	return mapping{reason: findings.UnmappedFileNotFound}
}

// source makes a Source of a file's lines, relative to the root; nil when
// the file lies outside it (GitHub could not show it).
func (m *Mapper) source(file string, start, end int, addr string) *findings.Source {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil
	}
	// Through symlinks: a link in the repository to a file or directory
	// outside it names code GitHub does not have (docs/iac.md §1).
	real, ok := m.realPath[abs]
	if !ok {
		// Once per file: resolving costs a system call per directory, and
		// a file holds the blocks of many findings.
		real = abs
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			real = r
		}
		m.realPath[abs] = real
	}
	abs = real
	rel, err := filepath.Rel(m.realRoot, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil
	}
	return &findings.Source{File: filepath.ToSlash(rel), StartLine: start, EndLine: max(end, start), Address: addr}
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
