package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Rules computed in Go (docs/performance.md, "Rules computed in Go").
//
// A few rules of the embedded pack look at every rule or every group of
// the estate: one or more Rego expressions each, 0.3–1 µs apiece in OPA's
// evaluator, about a third of the pack's cost. The engine computes their
// values for each batch in Go, from the batch's groups, and the batch's
// virtual cache hands a value to OPA the first time OPA asks for the rule
// (batchCache.Get): OPA then takes it instead of evaluating the rule's
// body, as it does for a rule it has already evaluated. The Rego text
// stays the definition (stock `opa` computes the same value from it, and
// policies see nothing else), and the Go below must compute exactly that
// value:
//
//   - pinned: each accelerated rule names the rules and functions whose
//     text its Go code reproduces, with the sha256 of that text and of the
//     data references it compiles to (ruleTextHash). A pack
//     whose text differs (another embedded FS, an edit to lib) is
//     evaluated by OPA alone, and TestAcceleratedRulesPinned fails on the
//     embedded pack until the Go code is checked against the new text and
//     the pin updated.
//   - tested: TestAcceleratedRulesMatchRego and FuzzAcceleratedRules
//     evaluate each rule with OPA and compare its value, term for term,
//     with the Go one; the findings of every test estate are compared
//     with acceleration on and off.
//   - with: under `with`, OPA pushes a new cache frame, so a policy that
//     replaces input or data sees the rule evaluated by OPA.

// accelerated is one library rule whose value is computed in Go.
type accelerated struct {
	path ast.Ref
	// pins are the texts the Go code reproduces: every rule (all its
	// definitions) at each path, by the sha256 of their source text.
	pins []pin
	// prepare reads what the value depends on besides the batch (a
	// pattern built from data) once per Load; nil when there is nothing.
	prepare func(ctx context.Context, c *ast.Compiler, store storage.Store) (kernel, error)
	kernel  kernel
}

// kernel computes a rule's value for one batch, in one of two shapes.
// Both read the groups' Go fields, which inputValue turns into the input's
// values one to one (a string field into that string; a CIDR, prefix list
// or group id that is "" into no key): a cheaper read than the AST's.
type kernel struct {
	// keep, for a rule of the shape {i: [the rules of group i that ...]},
	// makes the test of one rule, for one batch (it may memoise): the
	// batch's rulePass runs it on every rule as inputValue converts it.
	keep func() func(*inventory.Rule) bool
	// groups computes any other value from the batch's groups.
	groups func([]inventory.SecurityGroup) *ast.Term
}

type pin struct {
	path   string // "data.sgaudit.lib.sg.short_rules"
	sha256 string // of the rule texts at path with their data references (ruleTextHash)
}

// accelerators is every rule the engine can compute in Go.
func accelerators() []accelerated {
	return []accelerated{
		{
			path:    ast.MustParseRef("data.sgaudit.lib.sg.short_rules"),
			pins:    shortPins(),
			prepare: prepareShortRules,
		},
		{
			path: ast.MustParseRef("data.sgaudit.lib.sg.world_cidr_rules"),
			pins: append(shortPins(),
				pin{"data.sgaudit.lib.sg.world_cidr_rules", "1b615145c90402337d27eb42f13e5297cbe718260bdef03e36b6ebb43504edd3"}),
			prepare: prepareShortSubset(worldCIDRRule, nil),
		},
		{
			path: ast.MustParseRef("data.sgaudit.lib.sg.seed_rules"),
			pins: append(shortPins(),
				pin{"data.sgaudit.lib.sg.seed_rules", "88075fd49efc041ce6f3e9f11cc5845673e8ae48d2cdbf511e5c08099a0a1ee5"}),
			prepare: prepareShortSubset(seedRule, nil),
		},
		{
			path: ast.MustParseRef("data.sgaudit.checks.wide_public_range.candidates"),
			pins: append(shortPins(),
				pin{"data.sgaudit.checks.wide_public_range.candidates", "a2d719d083254cab4f3a2d569f2354d0b23bf538530c1c716e04c7dda103cbe2"}),
			prepare: prepareWideCandidates,
		},
		{
			path:   ast.MustParseRef("data.sgaudit.lib.sg.default_groups"),
			pins:   []pin{{"data.sgaudit.lib.sg.default_groups", "2c522bee48723e30df4eff798c3b9d0489237ee7e5cfb9fc97ced6c5cf4dbf53"}},
			kernel: kernel{groups: groupIndexes(func(g *inventory.SecurityGroup) bool { return g.IsDefault })},
		},
		{
			path: ast.MustParseRef("data.sgaudit.checks.launch_wizard_group.wizard_named"),
			pins: []pin{{"data.sgaudit.checks.launch_wizard_group.wizard_named", "9247b0460e66a2425e1dc8319cfe491bacaaa7dddcc72f89256081b30fba1f0a"}},
			kernel: kernel{groups: groupIndexes(func(g *inventory.SecurityGroup) bool {
				return strings.HasPrefix(g.Name, "launch-wizard-")
			})},
		},
		{
			path: ast.MustParseRef("data.sgaudit.checks.unused_group.candidates"),
			pins: []pin{{"data.sgaudit.checks.unused_group.candidates", "58f269b632077afc6a9a6fb8d9094303d42daf14f593c0561b60ae33ac1ea1f0"}},
			kernel: kernel{groups: groupIndexes(func(g *inventory.SecurityGroup) bool {
				return len(g.UsedBy) == 0 && !g.IsDefault
			})},
		},
		{
			path: ast.MustParseRef("data.sgaudit.lib.sg.undescribed_rules"),
			pins: []pin{
				{"data.sgaudit.lib.sg.undescribed_rules", "6521ceff48efb094859d44e00be04088caac0e0aa767527767d29b726c3d0127"},
				{"data.sgaudit.lib.sg.aws_default_egress", "bc184cc5a88bdec6adfd04389c854224a4bd3bbd7a99d035e9003cfbb57f6822"},
				{"data.sgaudit.lib.sg.has_description", "e83915a6d61c55763be8743d8102dc6c12c42048295e94976fa8d3f23219023c"},
				{"data.sgaudit.lib.net.is_world_peer", "95f6e3ddbf12bd78ae4925554d6c85388e7bcd7aac4baa1ca94395f5b88a7a3e"},
				{"data.sgaudit.lib.net.is_world", "4f239f9b6ba7e325e0850e2e363090c39dc0dc52ea212b515479d14327f3ac14"},
				{"data.sgaudit.lib.net.cidr_peer_kinds", "eaa7d139f6bf56111b358bb8da83ef4d2a8e60f6bf8d1cd57292c80cc3718eee"},
			},
			kernel: kernel{keep: func() func(*inventory.Rule) bool { return undescribed }},
		},
		{
			path: ast.MustParseRef("data.sgaudit.checks.group_description.bad_descriptions"),
			pins: []pin{
				{"data.sgaudit.checks.group_description.bad_descriptions", "77c7c8a8466f30c4c471e623bca4a20887ff5344173586512b99cf6722c3f2ab"},
				{"data.sgaudit.checks.group_description.first_reason", "a1797f82b71d20c3b06a89b1c9ce0f56c19cc382001b1d8652aa943bebc840ca"},
				{"data.sgaudit.checks.group_description.placeholders", "186e2d1ec8884d432c0d0f01f5f232c091928542f05f2b6f76a230f48e3fef41"},
				{"data.sgaudit.checks.group_description.wizard_pattern", "5489aa3be41988a2eaf3656c251248daa69510a2192a4eead762948d47290ada"},
			},
			prepare: prepareBadDescriptions,
		},
	}
}

// shortPins are short_rules' pins: every rule computed from its value
// reproduces it too.
func shortPins() []pin {
	return []pin{
		{"data.sgaudit.lib.sg.short_rules", "6474c7f26ba463524678201f448e2767177af04844cdd76a6efc95d83fc3b665"},
		// shortSuffix assumes the strings the pattern matches end in "/"
		// and digits: the pattern's text and its alternatives' say so.
		{"data.sgaudit.lib.sg.short_pattern", "04941f025cb03d955549503bb243f0adf56e443af9b21dd9cd7ab2df9df3b364"},
		{"data.sgaudit.lib.sg.short_lengths", "042730e2375945b4e20d89c32e030d4b37cf143ed34df2a53a4878ad747563a4"},
	}
}

// active is an accelerated rule of one Load, ready to compute.
type active struct {
	path   ast.Ref
	kernel kernel
	slot   int // its test's index in a rulePass, -1 without one
}

// activeAccelerators returns the accelerated rules whose pinned texts all
// match the compiled pack, defined by embedded modules only.
func activeAccelerators(ctx context.Context, c *ast.Compiler, store storage.Store, custom map[string]bool) ([]active, []string, error) {
	var out []active
	var skipped []string
	slots := 0
	for _, a := range accelerators() {
		if why := pinMismatch(c, a.pins, custom); why != "" {
			skipped = append(skipped, a.path.String()+": "+why)
			continue
		}
		k := a.kernel
		if a.prepare != nil {
			var err error
			if k, err = a.prepare(ctx, c, store); err != nil {
				return nil, nil, err
			}
		}
		switch {
		case k.keep != nil:
			out = append(out, active{path: a.path, kernel: k, slot: slots})
			slots++
		case k.groups != nil:
			out = append(out, active{path: a.path, kernel: k, slot: -1})
		default:
			skipped = append(skipped, a.path.String()+": nothing to compute it with")
		}
	}
	return out, skipped, nil
}

// rulePass runs the tests of a batch's accelerated rules on every rule of
// its groups, as inputValue converts them, so that each rule is read once.
type rulePass struct {
	keep  []func(*inventory.Rule) bool
	hits  [][]ruleAt // per test: the rules it kept, in group then rule order
	group int32      // the group being converted
}

// ruleAt is rule j of group i of a batch.
type ruleAt struct{ group, rule int32 }

// newRulePass returns the pass for one batch, nil when no accelerated rule
// has a per-rule test.
func newRulePass(actives []active) *rulePass {
	var p *rulePass
	for _, a := range actives {
		if a.slot < 0 {
			continue
		}
		if p == nil {
			p = &rulePass{}
		}
		p.keep = append(p.keep, a.kernel.keep())
	}
	if p != nil {
		p.hits = make([][]ruleAt, len(p.keep))
	}
	return p
}

// see runs every test on rule j of the current group.
func (p *rulePass) see(j int, r *inventory.Rule) {
	for k, keep := range p.keep {
		if keep(r) {
			p.hits[k] = append(p.hits[k], ruleAt{p.group, int32(j)})
		}
	}
}

// value is a's value for a batch: its groups, the pass inputValue ran,
// and the input.security_groups value it built, whose rule terms the value
// holds where the Rego's holds input's.
func (a active) value(groups []inventory.SecurityGroup, pass *rulePass, terms *ast.Array) *ast.Term {
	if a.slot < 0 {
		return a.kernel.groups(groups)
	}
	hits := pass.hits[a.slot]
	var pairs [][2]*ast.Term
	for lo := 0; lo < len(hits); {
		i := hits[lo].group
		hi := lo + 1
		for hi < len(hits) && hits[hi].group == i {
			hi++
		}
		rules := field(terms.Elem(int(i)).Value, kRules).(*ast.Array)
		kept := make([]*ast.Term, hi-lo)
		for k, h := range hits[lo:hi] {
			kept[k] = rules.Elem(int(h.rule))
		}
		pairs = append(pairs, [2]*ast.Term{ast.InternedTerm(int(i)), ast.ArrayTerm(kept...)})
		lo = hi
	}
	return ast.ObjectTerm(pairs...)
}

// pinMismatch says why the pinned texts do not match c, or "".
func pinMismatch(c *ast.Compiler, pins []pin, custom map[string]bool) string {
	for _, p := range pins {
		sum, files := ruleTextHash(c, ast.MustParseRef(p.path))
		switch {
		case len(files) == 0:
			return p.path + " is not defined"
		case slices.ContainsFunc(files, func(f string) bool { return custom[f] }):
			return p.path + " is defined by a custom policy"
		case sum != p.sha256:
			return fmt.Sprintf("%s has changed (sha256 %s)", p.path, sum)
		}
	}
	return ""
}

// ruleTextHash returns the sha256 of the source texts of every rule at
// path (in file, then line order), each followed by the data its compiled
// form refers to, and the files defining them. The references are part of
// what a text means: an import alias that points elsewhere, or a package
// rule that a built-in's name now resolves to, changes the rules a call
// names without changing the text.
func ruleTextHash(c *ast.Compiler, path ast.Ref) (string, []string) {
	type def struct {
		file string
		row  int
		text string
	}
	var defs []def
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		for _, r := range c.Modules[name].Rules {
			if !r.Ref().Equal(path) && !r.Ref().HasPrefix(path) {
				continue
			}
			for rule := r; rule != nil; rule = rule.Else {
				if rule.Location == nil {
					continue
				}
				defs = append(defs, def{name, rule.Location.Row, string(rule.Location.Text) + "\n" + dataRefs(rule)})
			}
		}
	}
	if len(defs) == 0 {
		return "", nil
	}
	slices.SortStableFunc(defs, func(a, b def) int {
		if c := strings.Compare(a.file, b.file); c != 0 {
			return c
		}
		return a.row - b.row
	})
	var texts, files []string
	for _, d := range defs {
		texts = append(texts, d.text)
		if !slices.Contains(files, d.file) {
			files = append(files, d.file)
		}
	}
	sum := sha256.Sum256([]byte(strings.Join(texts, "\n")))
	return hex.EncodeToString(sum[:]), files
}

// dataRefs lists, sorted and one a line, the ground prefixes of the
// references to data in a compiled rule (its own head and else branches
// left out: they are hashed on their own).
func dataRefs(rule *ast.Rule) string {
	seen := map[string]bool{}
	ast.WalkRefs(rule.Body, func(ref ast.Ref) bool {
		if ref.HasPrefix(ast.DefaultRootRef) {
			seen[ref.GroundPrefix().String()] = true
		}
		return false
	})
	ast.WalkRefs(rule.Head, func(ref ast.Ref) bool {
		if ref.HasPrefix(ast.DefaultRootRef) {
			seen[ref.GroundPrefix().String()] = true
		}
		return false
	})
	return strings.Join(slices.Sorted(maps.Keys(seen)), "\n")
}

// ruleValue evaluates a batch-independent rule (a pattern built from data)
// with OPA.
func ruleValue(ctx context.Context, c *ast.Compiler, store storage.Store, path string) (any, bool, error) {
	rs, err := rego.New(
		rego.Query("x = "+path),
		rego.Compiler(c),
		rego.Store(store),
	).Eval(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("evaluate %s: %w", path, err)
	}
	if len(rs) != 1 {
		return nil, false, nil
	}
	return rs[0].Bindings["x"], true, nil
}

// rulePattern compiles the regular expression a batch-independent rule
// evaluates to; nil when the rule is undefined, not a string, or not a
// pattern (OPA reports that when it evaluates the rule itself).
func rulePattern(ctx context.Context, c *ast.Compiler, store storage.Store, path string) (*regexp.Regexp, error) {
	v, ok, err := ruleValue(ctx, c, store, path)
	if err != nil || !ok {
		return nil, err
	}
	s, isStr := v.(string)
	if !isStr {
		return nil, nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, nil
	}
	return re, nil
}

// prepareShortRules compiles short_pattern (built from data: SGA016's
// limits) and returns short_rules' computation:
//
//	short_rules := {i: rules |
//		some i, g in input.security_groups
//		rules := [r | some j; regex.match(short_pattern, g.rules[j].peer.cidr)
//		              r := g.rules[j]; regex.match(patterns[r.direction], r.peer.cidr)]
//		rules[0]
//	}
//
// regex.match is Go's regexp, so the same pattern matches the same strings.
func prepareShortRules(ctx context.Context, c *ast.Compiler, store storage.Store) (kernel, error) {
	pattern, err := rulePattern(ctx, c, store, "data.sgaudit.lib.sg.short_pattern")
	if err != nil || pattern == nil {
		return kernel{}, err
	}
	return kernel{keep: func() func(*inventory.Rule) bool {
		match := newShortMatch(pattern)
		return func(r *inventory.Rule) bool {
			cidr := r.Peer.CIDR
			if !match.short(cidr) {
				return false
			}
			// short_rules' per-direction patterns, as byte tests (a regexp
			// run on every world rule was 7% of a batch's CPU): ingress's
			// `/[0-9]+$` is shortSuffix, true here; egress's is `/[1-9]$`.
			switch r.Direction {
			case inventory.Ingress:
				return true
			case inventory.Egress:
				return slashOneToNine(cidr)
			}
			return false
		}
	}}, nil
}

// shortMatch is short_pattern's verdict on a CIDR, with the pattern run
// on a stand-in per prefix length instead of on every CIDR: most CIDRs of
// an estate are unique, and a regexp per rule was 4% of a batch's CPU.
// short_pattern's text is pinned (acceleratedRules):
//
//	^[0-9.]+/(?:L4)$|:[0-9a-f:.]*/(?:L6)$
//
// L4 and L6 being alternations of decimal numbers (short_lengths). The
// pattern only matches strings that end in "/" and digits (shortSuffix),
// and then only at the last "/", since no alternative holds one. So:
//   - without ':', only the first branch can match; it does iff what comes
//     before the slash is [0-9.]+ and the digits are one of L4, which is
//     what the pattern says of "0/" and the digits;
//   - with ':', only the second can; it does iff the run of [0-9a-f:.]
//     that ends at the slash holds a ':' and the digits are one of L6,
//     which is what the pattern says of "::/" and the digits.
//
// TestShortMatchIsThePattern compares the two on random and edge strings.
type shortMatch struct {
	pattern *regexp.Regexp
	v4, v6  map[string]bool // the pattern's verdict on "0/"+digits and "::/"+digits
}

func newShortMatch(pattern *regexp.Regexp) *shortMatch {
	return &shortMatch{pattern: pattern, v4: map[string]bool{}, v6: map[string]bool{}}
}

func (m *shortMatch) short(s string) bool {
	slash := shortSuffix(s)
	if slash < 0 {
		return false
	}
	digits := s[slash+1:]
	colon := false
	for i := slash - 1; i >= 0; i-- {
		c := s[i]
		if c == ':' {
			colon = true
			break
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || c == '.') {
			break
		}
	}
	if colon {
		return m.verdict(m.v6, "::/", digits)
	}
	// Digits and dots before the slash leave no ':' anywhere.
	if slash == 0 {
		return false
	}
	for _, c := range []byte(s[:slash]) {
		if !('0' <= c && c <= '9' || c == '.') {
			return false
		}
	}
	return m.verdict(m.v4, "0/", digits)
}

func (m *shortMatch) verdict(memo map[string]bool, stand string, digits string) bool {
	v, seen := memo[digits]
	if !seen {
		v = m.pattern.MatchString(stand + digits)
		memo[digits] = v
	}
	return v
}

// shortSuffix returns the index of the last "/" of s when s ends in "/"
// and digits, as every string short_pattern matches does (its text and
// short_lengths' are pinned), and -1 otherwise: group and prefix-list peers
// ("") and text never reach the pattern. The digits are not counted: how
// many the pattern takes depends on wide_limit and the data.
func shortSuffix(s string) int {
	slash := strings.LastIndexByte(s, '/')
	if slash < 0 || slash == len(s)-1 {
		return -1
	}
	for _, c := range []byte(s[slash+1:]) {
		if c < '0' || c > '9' {
			return -1
		}
	}
	return slash
}

// prepareShortSubset returns the preparation of a rule of the shape
//
//	x := {i: rules |
//		some i, short in short_rules
//		rules := [r | some r in short; <test(r)>]
//		rules[0]
//	}
//
// whose kept rules are short_rules[i]'s in their order: test and
// short_rules' own test together, on every rule of the group.
//
// then, when not nil, is asked of a rule's CIDR after both hold: a test
// too costly to run on rules that are not short.
func prepareShortSubset(test func(*inventory.Rule) bool, then func(cidr string) bool) func(context.Context, *ast.Compiler, storage.Store) (kernel, error) {
	return func(ctx context.Context, c *ast.Compiler, store storage.Store) (kernel, error) {
		short, err := prepareShortRules(ctx, c, store)
		if err != nil || short.keep == nil {
			return kernel{}, err
		}
		return kernel{keep: func() func(*inventory.Rule) bool {
			isShort := short.keep()
			return func(r *inventory.Rule) bool {
				return test(r) && isShort(r) && (then == nil || then(r.Peer.CIDR))
			}
		}}, nil
	}
}

// portProtocol is the test `{"tcp", "udp", "all"}[r.protocol]`: the
// protocols whose rules open ports.
func portProtocol(p string) bool { return p == "tcp" || p == "udp" || p == "all" }

// worldCIDRRule is world_cidr_rules' test of a short rule:
//
//	endswith(r.peer.cidr, "/0"); r.direction == "ingress"; protocols[r.protocol]
func worldCIDRRule(r *inventory.Rule) bool {
	return strings.HasSuffix(r.Peer.CIDR, "/0") && r.Direction == inventory.Ingress && portProtocol(r.Protocol)
}

// seedRule is seed_rules' test of a short rule:
//
//	regex.match(`/[1-9]$`, r.peer.cidr); protocols[r.protocol]
//
// `$` is the end of the text in Go's regexp (no multi-line flag).
func seedRule(r *inventory.Rule) bool {
	return slashOneToNine(r.Peer.CIDR) && portProtocol(r.Protocol)
}

// slashOneToNine is regex.match(`/[1-9]$`, s) without a regex: seedRule
// runs on every rule of a batch.
func slashOneToNine(s string) bool {
	n := len(s)
	return n >= 2 && s[n-2] == '/' && '1' <= s[n-1] && s[n-1] <= '9'
}

// prepareWideCandidates returns the computation of SGA016's
//
//	candidates := {i: rules |
//		private := net.non_public_exact
//		some i, short in sg.short_rules
//		rules := [r | some r in short; r.direction == "ingress"; {"tcp", "udp", "all"}[r.protocol]
//		              not endswith(r.peer.cidr, "/0"); not private[r.peer.cidr]; net.is_public(r.peer.cidr)]
//		rules[0]
//	}
//
// non_public_exact is read once per Load. net.is_public is not rewritten in
// Go: OPA evaluates it, once per CIDR for the whole Load (its value depends
// on the CIDR and data alone), so the few short public CIDRs of an estate
// cost a call each rather than one per rule per batch.
func prepareWideCandidates(ctx context.Context, c *ast.Compiler, store storage.Store) (kernel, error) {
	v, ok, err := ruleValue(ctx, c, store, "data.sgaudit.lib.net.non_public_exact")
	if err != nil || !ok {
		return kernel{}, err
	}
	list, isList := v.([]any) // a set comes out of OPA as a list
	if !isList {
		return kernel{}, nil
	}
	private := make(map[string]bool, len(list))
	for _, x := range list {
		// A member that is not a string matches no CIDR: leaving it out
		// gives the same lookups.
		if s, isStr := x.(string); isStr {
			private[s] = true
		}
	}
	query, err := rego.New(
		rego.Query("data.sgaudit.lib.net.is_public(input)"),
		rego.Compiler(c),
		rego.Store(store),
	).PrepareForEval(ctx)
	if err != nil {
		return kernel{}, fmt.Errorf("prepare data.sgaudit.lib.net.is_public: %w", err)
	}
	public := &publicCIDRs{query: query, known: map[string]bool{}}
	// is_public last: it is asked of short rules only, the test's
	// conjunction being short_rules' test's too (prepareShortSubset).
	return prepareShortSubset(func(r *inventory.Rule) bool {
		cidr := r.Peer.CIDR
		return r.Direction == inventory.Ingress && portProtocol(r.Protocol) &&
			!strings.HasSuffix(cidr, "/0") && !private[cidr]
	}, public.is)(ctx, c, store)
}

// publicCIDRs memoises net.is_public per CIDR for one Load; batches ask
// from every worker.
type publicCIDRs struct {
	query rego.PreparedEvalQuery
	mu    sync.Mutex
	known map[string]bool
}

func (p *publicCIDRs) is(cidr string) bool {
	p.mu.Lock()
	public, seen := p.known[cidr]
	p.mu.Unlock()
	if seen {
		return public
	}
	// Its built-ins take no time and read no clock or network: without a
	// deadline, Eval's only error would be OPA's own bug, and a failed
	// call is undefined, as a failed built-in is inside the pack.
	rs, err := p.query.Eval(context.Background(), rego.EvalInput(cidr))
	public = err == nil && rs.Allowed()
	p.mu.Lock()
	p.known[cidr] = public
	p.mu.Unlock()
	return public
}

// groupIndexes returns the computation of a rule of the shape
//
//	x := {i | <test of input.security_groups[i]>}
//
// for a test of the group's fields that the input holds one to one:
// is_default (a boolean: `input.security_groups[i].is_default` holds when
// it is true), name (a string), used_by (an array, empty when the group
// has no evidence: `not g.used_by[0]` holds when it is empty).
func groupIndexes(test func(*inventory.SecurityGroup) bool) func([]inventory.SecurityGroup) *ast.Term {
	return func(groups []inventory.SecurityGroup) *ast.Term {
		var terms []*ast.Term
		for i := range groups {
			if test(&groups[i]) {
				terms = append(terms, ast.InternedTerm(i))
			}
		}
		return ast.SetTerm(terms...)
	}
}

// undescribed is the test of
//
//	undescribed_rules := {i: rules |
//		some i, g in input.security_groups
//		rules := [r | some j; trim_space(g.rules[j].description, "")
//		              r := g.rules[j]
//		              not aws_default_egress(r.direction, r.protocol, r.peer, r.description)]
//		rules[0]
//	}
//
// trim_space is strings.TrimSpace. aws_default_egress holds for direction
// "egress", protocol "all", a peer of a CIDR kind whose cidr ends in "/0",
// and a blank description (already known here); an argument that is
// undefined makes the call undefined, so `not` keeps the rule.
func undescribed(r *inventory.Rule) bool {
	return strings.TrimSpace(r.Description) == "" && !awsDefaultEgress(r)
}

func awsDefaultEgress(r *inventory.Rule) bool {
	return r.Direction == "egress" && r.Protocol == "all" &&
		(r.Peer.Kind == "cidr_ipv4" || r.Peer.Kind == "cidr_ipv6") &&
		strings.HasSuffix(r.Peer.CIDR, "/0")
}

// field is v's value under key, or nil when v is not an object or has no
// such key (Rego: undefined).
func field(v ast.Value, key *ast.Term) ast.Value {
	obj, ok := v.(ast.Object)
	if !ok {
		return nil
	}
	t := obj.Get(key)
	if t == nil {
		return nil
	}
	return t.Value
}

// descriptionReasons are first_reason's texts, in its order of precedence.
var descriptionReasons = [...]*ast.Term{
	ast.StringTerm("empty"),
	ast.StringTerm("same as the group name"),
	ast.StringTerm("placeholder"),
	ast.StringTerm("wizard default"),
}

// prepareBadDescriptions reads SGA006's placeholders and wizard pattern
// (built from data) and returns the computation of
//
//	bad_descriptions := {i: reason |
//		some i, g in input.security_groups
//		not g.is_default
//		desc := lower(trim_space(g.description))
//		reason := first_reason[[desc == "", desc == lower(trim_space(g.name)),
//		                        object.get(placeholders, desc, false), regex.match(wizard_pattern, desc)]]
//	}
//
// lower is strings.ToLower, trim_space strings.TrimSpace; the input's
// is_default, description and name are always a boolean and strings.
func prepareBadDescriptions(ctx context.Context, c *ast.Compiler, store storage.Store) (kernel, error) {
	const pkg = "data.sgaudit.checks.group_description."
	v, ok, err := ruleValue(ctx, c, store, pkg+"placeholders")
	if err != nil || !ok {
		return kernel{}, err
	}
	known, isObj := v.(map[string]any)
	if !isObj {
		return kernel{}, nil
	}
	for _, x := range known {
		if x != true {
			return kernel{}, nil
		}
	}
	wizard, err := rulePattern(ctx, c, store, pkg+"wizard_pattern")
	if err != nil || wizard == nil {
		return kernel{}, err
	}
	return kernel{groups: func(groups []inventory.SecurityGroup) *ast.Term {
		var pairs [][2]*ast.Term
		for i := range groups {
			g := &groups[i]
			if g.IsDefault {
				continue
			}
			d := strings.ToLower(strings.TrimSpace(g.Description))
			var reason *ast.Term
			switch {
			case d == "":
				reason = descriptionReasons[0]
			case d == strings.ToLower(strings.TrimSpace(g.Name)):
				reason = descriptionReasons[1]
			case known[d] == true:
				reason = descriptionReasons[2]
			case wizard.MatchString(d):
				reason = descriptionReasons[3]
			default:
				continue
			}
			pairs = append(pairs, [2]*ast.Term{ast.InternedTerm(i), reason})
		}
		return ast.ObjectTerm(pairs...)
	}}, nil
}
