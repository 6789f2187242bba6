package engine

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestAcceleratedRulesPinned fails when the embedded library's text of an
// accelerated rule, or of anything its Go code reproduces, has changed:
// check the Go against the new text (accelerate.go), then update the pin
// to the sha256 this test prints.
func TestAcceleratedRulesPinned(t *testing.T) {
	e, err := Load(context.Background(), policies.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accelerators() {
		for _, p := range a.pins {
			sum, files := ruleTextHash(e.compiler, ast.MustParseRef(p.path))
			if len(files) == 0 {
				t.Errorf("%s (pinned by %s) is not in the embedded pack", p.path, a.path)
				continue
			}
			if sum != p.sha256 {
				t.Errorf("%s (pinned by %s) has changed: sha256 %s, pinned %s", p.path, a.path, sum, p.sha256)
			}
		}
	}
	if len(e.accelerated) != len(accelerators()) {
		t.Errorf("%d of %d accelerated rules active", len(e.accelerated), len(accelerators()))
	}
}

// edgeEstate is one account's groups whose rules and descriptions sit on
// every edge of the accelerated rules: blank descriptions of each kind of
// whitespace, AWS's egress rule in every spelling and one field off it,
// CIDRs around each prefix limit, text that is not a CIDR, descriptions
// that are placeholders in another case, the name, or the wizard's.
func edgeEstate() *inventory.Inventory {
	const account = "111122223333"
	inv := oneAccountEstate()
	// Two IPv4-mapped entries: OPA's net.cidr_merge panicked on them.
	inv.PrefixLists = []inventory.PrefixList{{ID: "pl-1", Name: "mapped", AccountID: account, Region: "eu-west-1", Owner: account,
		Entries: []inventory.PrefixListEntry{{CIDR: "::ffff:0:0/96"}, {CIDR: "::ffff:10.0.0.0/104"}, {CIDR: "::/1"}, {CIDR: "8000::/1"}}}}
	cidr := func(dir inventory.Direction, proto, c, desc string) inventory.Rule {
		kind := inventory.PeerCIDRv4
		if strings.Contains(c, ":") {
			kind = inventory.PeerCIDRv6
		}
		return inventory.Rule{Direction: dir, Protocol: proto, FromPort: 22, ToPort: 22, Peer: inventory.Peer{Kind: kind, CIDR: c}, Description: desc}
	}
	var rules []inventory.Rule
	for _, c := range []string{
		"0.0.0.0/0", "10.0.0.0/0", "0.0.0.0/1", "128.0.0.0/9", "10.0.0.0/10", "10.0.0.0/15", "10.0.0.0/16",
		"1.2.3.4/32", "1.2.3.4/01", "1.2.3.4/", "abc/1", "::/0", "::/1", "2001:db8::/31", "2001:db8::/32",
		"2001:db8::/127", "::ffff:0:0/96", "::ffff:10.0.0.0/104", "2001:DB8::/8", "/0", "1.2.3.4/1234",
	} {
		for _, dir := range []inventory.Direction{inventory.Ingress, inventory.Egress} {
			for _, proto := range []string{"all", "tcp"} {
				for _, desc := range []string{"", " ", "\t\n", "\u00a0", "\u2003x", "ok"} {
					rules = append(rules, cidr(dir, proto, c, desc))
				}
			}
		}
	}
	// Private and reserved ranges around SGA016's limits (one written as
	// its list has it, one inside, one holding public space), and
	// protocols without ports, and UDP, on a few CIDRs: the world's and
	// SGA016's rules keep tcp, udp and all only. One rule each way: the
	// whole pack runs on this estate too, and every /1-/9 rule is a seed
	// of its world analysis.
	for _, c := range []string{"10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.0.0.0/8", "224.0.0.0/3", "fc00::/7", "2001::/16"} {
		rules = append(rules, cidr(inventory.Ingress, "tcp", c, "ok"), cidr(inventory.Egress, "all", c, ""))
	}
	for _, c := range []string{"0.0.0.0/0", "0.0.0.0/1", "::/0", "10.0.0.0/8", "128.0.0.0/9", "2001::/16"} {
		for _, proto := range []string{"icmp", "udp", "icmpv6", "50"} {
			rules = append(rules, cidr(inventory.Ingress, proto, c, "ok"), cidr(inventory.Egress, proto, c, ""))
		}
	}
	rules = append(rules,
		inventory.Rule{Direction: inventory.Egress, Protocol: "all", FromPort: -1, ToPort: -1, Peer: inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-1"}},
		inventory.Rule{Direction: inventory.Egress, Protocol: "all", FromPort: -1, ToPort: -1, Peer: inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-1", GroupOwner: account}},
		inventory.Rule{Direction: inventory.Ingress, Protocol: "-1", RawProtocol: "-1", Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}},
	)
	descs := []struct{ name, desc string }{
		{"web", ""}, {"web", "   "}, {"web", "web"}, {"Web ", " WEB"}, {"web", "TODO"}, {"web", " Managed by Terraform "},
		{"web", "launch-wizard-3 created 2024-01-01T00:00:00Z"}, {"web", "Launch-Wizard-3 created x"}, {"web", "the web tier"},
		{"", ""}, {"", "x"}, {"web", "sg"}, {"web", "n/a\t"},
		{"launch-wizard-12", "launch-wizard-12 created 2024-01-01T00:00:00Z"}, {"Launch-wizard-1", "x"}, {"launch-wizard-", "x"}, {"launch-wizardry", "x"},
	}
	for i, d := range descs {
		id := fmt.Sprintf("sg-%017x", i)
		g := inventory.SecurityGroup{
			ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id, ID: id, Name: d.name, Description: d.desc,
			AccountID: account, Region: "eu-west-1", VPCID: "vpc-1", IsDefault: i%5 == 4,
		}
		if i%3 == 1 { // in use: not unused_group's candidate
			g.UsedBy = []inventory.Evidence{{Kind: inventory.UsedByENI, ID: fmt.Sprintf("eni-%d", i)}}
		}
		// Each group a different slice of the rules, some none.
		lo := i * len(rules) / len(descs)
		g.Rules = inventory.NewRules(rules[lo:min(len(rules), lo+len(rules)/3)]...)
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	inv.Sort()
	return inv
}

// TestAcceleratedRulesMatchRego evaluates each accelerated rule with OPA
// and compares its value with the Go one, batch by batch, on the
// synthetic estate and the edge estate, with the embedded data and with
// data that moves every limit and list the rules read; then the findings
// with the rules computed in Go and without.
func TestAcceleratedRulesMatchRego(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		data map[string]any
	}{
		{"embedded data", nil},
		{"other limits and lists", map[string]any{"sgaudit": map[string]any{
			"wide_public_ranges":       otherWideLimits(),
			"placeholder_descriptions": []any{" Web ", "THE WEB TIER"},
			"placeholder_patterns":     []any{},
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Load(ctx, policies.FS, Options{Data: tc.data, BatchSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			if len(e.accelerated) != len(accelerators()) {
				t.Fatalf("%d of %d accelerated rules active", len(e.accelerated), len(accelerators()))
			}
			for i, inv := range []*inventory.Inventory{edgeEstate(), synthetic(300, 7)} {
				nonEmpty := compareAccelerated(t, e, inv, 5)
				for _, a := range e.accelerated {
					if i == 0 && nonEmpty[a.path.String()] == 0 {
						t.Errorf("%s is empty in every batch of the edge estate: it tests nothing", a.path)
					}
				}
				if on := sameFindingsOnAndOff(t, e, inv); len(on) == 0 {
					t.Fatal("no findings: the estate tests nothing")
				}
			}
		})
	}
}

// otherWideLimits are SGA016 limits other than the embedded ones, wider and
// narrower in each family, so that short_pattern changes with them.
func otherWideLimits() map[string]any {
	return map[string]any{
		"risky_ports": map[string]any{"ipv4": 24, "ipv6": 128},
		"other_ports": map[string]any{"ipv4": 4, "ipv6": 64},
	}
}

// sameFindingsOnAndOff evaluates inv with the rules computed in Go and
// without, fails unless both succeed with the same findings, and returns
// them.
func sameFindingsOnAndOff(t testing.TB, e *Engine, inv *inventory.Inventory) []findings.Finding {
	t.Helper()
	ctx := context.Background()
	on, _, err := e.Evaluate(ctx, inv)
	if err != nil {
		t.Fatalf("with rules computed in Go: %v", err)
	}
	accelerated := e.accelerated
	e.accelerated = nil
	off, _, err := e.Evaluate(ctx, inv)
	e.accelerated = accelerated
	if err != nil {
		t.Fatalf("without: %v", err)
	}
	if diff := cmp.Diff(off, on); diff != "" {
		t.Fatalf("findings with rules computed in Go differ (-OPA +Go):\n%s", diff)
	}
	return on
}

// oneAccountEstate is an inventory of one account and region with every
// kind the checks read collected, and nothing else: tests add groups.
func oneAccountEstate() *inventory.Inventory {
	const account = "111122223333"
	return &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Source:        "aws",
		Accounts:      []inventory.Account{{ID: account, Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: account, Region: "eu-west-1", Status: inventory.CoverageOK,
			Collected: []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroups}}},
	}
}

// compareAccelerated checks every accelerated rule on inv, batch by batch:
// OPA evaluates them all in one query per batch, over the same input the
// Go values are computed from. It returns how many batches each rule had a
// non-empty value for.
func compareAccelerated(t testing.TB, e *Engine, inv *inventory.Inventory, batch int) map[string]int {
	t.Helper()
	ctx := context.Background()
	sh := sharedInput(inv, e.inputKeys)
	nonEmpty := map[string]int{}
	paths := make([]string, len(e.accelerated))
	for i, a := range e.accelerated {
		paths[i] = a.path.String()
	}
	q, err := rego.New(rego.Query("x = ["+strings.Join(paths, ", ")+"]"), rego.Compiler(e.compiler), rego.Store(e.store)).PrepareForEval(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < len(inv.SecurityGroups); lo += batch {
		groups := inv.SecurityGroups[lo:min(lo+batch, len(inv.SecurityGroups))]
		pass := newRulePass(e.accelerated)
		input, terms := inputValue(sh, groups, pass)
		rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
		if err != nil || len(rs) != 1 {
			t.Fatalf("groups %d-%d: %v (%d results)", lo, lo+len(groups)-1, err, len(rs))
		}
		values, _ := rs[0].Bindings["x"].([]any)
		if len(values) != len(paths) {
			t.Fatalf("groups %d-%d: %d values for %d rules", lo, lo+len(groups)-1, len(values), len(paths))
		}
		for i, a := range e.accelerated {
			want := values[i]
			got, err := ast.JSON(a.value(groups, pass, terms).Value)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("%s for groups %d-%d (-OPA +Go):\n%s", a.path, lo, lo+len(groups)-1, diff)
			}
			n := 0
			switch v := want.(type) {
			case map[string]any:
				n = len(v)
			case []any: // a set
				n = len(v)
			}
			if n > 0 {
				nonEmpty[paths[i]]++
			}
		}
	}
	return nonEmpty
}

// FuzzAcceleratedRules: for any descriptions, names and CIDR text, each
// rule computed in Go has the value OPA computes from its Rego. (Not the
// whole pack per input: OPA's evaluator has so many paths that nearly
// every input was new coverage, and minimising them left ~5 inputs a
// second.)
func FuzzAcceleratedRules(f *testing.F) {
	for _, seed := range []struct {
		groupName, groupDesc, ruleDesc, cidr string
		shape                                uint16
	}{
		{"web", "web", "", "0.0.0.0/0", 0},
		{"web", " TODO ", " ", "::/0", 3},
		{"launch-wizard-1", "launch-wizard-1 created 2024", "\u00a0", "10.0.0.0/9", 6},
		{"db", "Managed by Terraform", "x", "::ffff:0:0/96", 12},
		{"x", "", "\t", "2001:db8::/31", 17},
		{"", "sg", "", "1.2.3.4/01", 255},
		{"a", "b", "", "0.0.0.0/1", 1023},
	} {
		f.Add(seed.groupName, seed.groupDesc, seed.ruleDesc, seed.cidr, seed.shape)
	}
	e, err := Load(context.Background(), policies.FS, Options{BatchSize: 2})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, groupName, groupDesc, ruleDesc, cidr string, shape uint16) {
		inv := fuzzEstate(groupName, groupDesc, ruleDesc, cidr, shape)
		compareAccelerated(t, e, inv, 2)
	})
}

// fuzzEstate is three groups around one fuzzed rule: the rule itself, its
// copy in the other direction, AWS's egress rule, and the fuzzed CIDR's
// neighbours that can add up to the world with it.
func fuzzEstate(groupName, groupDesc, ruleDesc, cidr string, shape uint16) *inventory.Inventory {
	const account = "111122223333"
	inv := oneAccountEstate()
	protocols := []string{"tcp", "udp", "all", "icmp"}
	kind := inventory.PeerCIDRv4
	if shape&16 != 0 {
		kind = inventory.PeerCIDRv6
	}
	dir := inventory.Ingress
	if shape&32 != 0 {
		dir = inventory.Egress
	}
	rule := inventory.Rule{Direction: dir, Protocol: protocols[shape>>2&3], FromPort: 22, ToPort: int(shape>>6&7) * 1000,
		Peer: inventory.Peer{Kind: kind, CIDR: cidr}, Description: ruleDesc}
	other := rule
	other.Direction = inventory.Egress
	if dir == inventory.Egress {
		other.Direction = inventory.Ingress
	}
	awsEgress := inventory.Rule{Direction: inventory.Egress, Protocol: "all", FromPort: -1, ToPort: -1,
		Peer: inventory.Peer{Kind: kind, CIDR: cidr}}
	rules := []inventory.Rule{rule, other, awsEgress}
	for _, c := range []string{"0.0.0.0/1", "128.0.0.0/1", "::/1", "8000::/1"} {
		r := rule
		r.Peer.CIDR = c
		rules = append(rules, r)
	}
	for i, name := range []string{groupName, "web", groupDesc} {
		id := fmt.Sprintf("sg-%017x", i)
		g := inventory.SecurityGroup{
			ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id, ID: id, Name: name, Description: groupDesc,
			AccountID: account, Region: "eu-west-1", VPCID: "vpc-1", IsDefault: shape&(1<<(9+i)) != 0,
			Rules: inventory.NewRules(rules[:3+(int(shape)+i)%5]...),
		}
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	inv.Sort()
	return inv
}

// TestAcceleratedRulesUnderWith: a custom policy that evaluates a library
// rule `with` other input gets OPA's value for that input, not the one
// computed in Go for the batch; and without `with`, the batch's value.
func TestAcceleratedRulesUnderWith(t *testing.T) {
	dir := writeFiles(t, map[string]string{"with.rego": meta("ACME003", "LOW") + `package acme.with

import data.sgaudit.lib.sg

mine := [{"direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
	"peer": {"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}, "description": "", "id": ""}]

deny contains {"group_arn": g.arn, "msg": "with", "discriminator": "with"} if {
	g := input.security_groups[0]
	v := sg.short_rules with input.security_groups as [{"rules": mine}]
	v == {0: mine}
	u := sg.undescribed_rules with input.security_groups as [{"rules": mine}]
	u == {0: mine}
}

deny contains {"group_arn": g.arn, "msg": sprintf("without %d", [count(sg.short_rules)]), "discriminator": "without"} if {
	g := input.security_groups[0]
}
`})
	e, err := Load(context.Background(), policies.FS, Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.accelerated) != len(accelerators()) {
		t.Fatalf("%d of %d accelerated rules active", len(e.accelerated), len(accelerators()))
	}
	inv := edgeEstate()
	fs, _, err := e.Evaluate(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	msgs := messagesOf(fs, "ACME003")
	// The edge estate (one batch) has short rules in several groups; the
	// `with` value has its one group.
	e.accelerated = nil
	off, _, err := e.Evaluate(context.Background(), inv)
	if err != nil {
		t.Fatal(err)
	}
	want := messagesOf(off, "ACME003")
	if !slices.Contains(want, "with") || len(want) != 2 || want[1] == "without 0" {
		t.Fatalf("OPA alone gives %q: the test's policy tests nothing", want)
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("custom policy's findings with rules computed in Go (-OPA +Go):\n%s", diff)
	}
}

// messagesOf returns the sorted messages of check's findings.
func messagesOf(fs []findings.Finding, check string) []string {
	var out []string
	for _, f := range fs {
		if f.CheckID == check {
			out = append(out, f.Message)
		}
	}
	slices.Sort(out)
	return out
}

// TestAcceleratedRulesFollowAnEditedPattern: the Go code of short_rules
// relies on short_pattern's text (shortSuffix: every string it matches
// ends in "/" and digits), so an edit to that text, or to short_lengths,
// which writes its alternatives, must hand the rule back to OPA like an
// edit to short_rules itself. Each edit keeps short_rules' own text; the
// value of every rule still computed in Go must equal OPA's.
func TestAcceleratedRulesFollowAnEditedPattern(t *testing.T) {
	ctx := context.Background()
	text, err := fs.ReadFile(policies.FS, "lib/sg.rego")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"short_pattern takes four digits", "short_pattern := sprintf(`^[0-9.]+/(?:%s)$|", "short_pattern := sprintf(`/[0-9]{4}$|^[0-9.]+/(?:%s)$|"},
		{"short_lengths counts in four digits", `short_lengths(limit) := concat("|", [sprintf("%d", [n])`, `short_lengths(limit) := concat("|", [sprintf("%04d", [n])`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(text), tc.old) {
				t.Fatalf("lib/sg.rego no longer holds %q: update the edit", tc.old)
			}
			pack := editedPack(t, func(p string, b []byte, _ fstest.MapFS) []byte {
				if p == "lib/sg.rego" {
					b = []byte(strings.Replace(string(b), tc.old, tc.new, 1))
				}
				return b
			})
			e, err := Load(ctx, pack, Options{BatchSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			inv := edgeEstate()
			g := &inv.SecurityGroups[0]
			rules := g.Rules.Slice()
			for _, c := range []string{"0.0.0.0/0001", "10.0.0.0/0008"} {
				rules = append(rules, inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", FromPort: 22, ToPort: 22,
					Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: c}, Description: "text"})
			}
			g.Rules = inventory.NewRules(rules...)
			compareAccelerated(t, e, inv, 5)
		})
	}
}

// TestAcceleratedRulesFollowAnEditedImport: a pinned rule's text names
// other rules through its module's imports (aws_default_egress calls
// net.is_world_peer), so an import that points elsewhere changes what the
// text means without changing it. Here lib/sg.rego imports a copy of
// lib/net.rego whose is_world is "/1"; the value of every rule still
// computed in Go must equal OPA's.
func TestAcceleratedRulesFollowAnEditedImport(t *testing.T) {
	ctx := context.Background()
	const (
		oldImport = "import data.sgaudit.lib.net\n"
		oldWorld  = `is_world(cidr) if endswith(cidr, "/0")`
	)
	pack := editedPack(t, func(p string, b []byte, pack fstest.MapFS) []byte {
		switch p {
		case "lib/sg.rego":
			if !strings.Contains(string(b), oldImport) {
				t.Fatalf("lib/sg.rego no longer holds %q: update the edit", oldImport)
			}
			b = []byte(strings.Replace(string(b), oldImport, "import data.sgaudit.lib.net2 as net\n", 1))
		case "lib/net.rego":
			if !strings.Contains(string(b), oldWorld) {
				t.Fatalf("lib/net.rego no longer holds %q: update the edit", oldWorld)
			}
			other := strings.Replace(string(b), "package sgaudit.lib.net\n", "package sgaudit.lib.net2\n", 1)
			other = strings.Replace(other, oldWorld, `is_world(cidr) if endswith(cidr, "/1")`, 1)
			pack["lib/net2.rego"] = &fstest.MapFile{Data: []byte(other)}
		}
		return b
	})
	e, err := Load(ctx, pack, Options{BatchSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	compareAccelerated(t, e, edgeEstate(), 5)
}

// editedPack is a copy of the embedded pack with each file's bytes passed
// through edit, which may add files to the copy.
func editedPack(t *testing.T, edit func(path string, b []byte, pack fstest.MapFS) []byte) fstest.MapFS {
	t.Helper()
	pack := fstest.MapFS{}
	err := fs.WalkDir(policies.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(policies.FS, p)
		if err != nil {
			return err
		}
		pack[p] = &fstest.MapFile{Data: edit(p, b, pack)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pack
}

// TestShortMatchIsThePattern compares shortMatch with short_pattern itself,
// as the pack builds it from two data sets, on edge strings and on random
// ones over the characters the pattern's branches tell apart.
func TestShortMatchIsThePattern(t *testing.T) {
	ctx := context.Background()
	edges := []string{
		"", "/", "/0", "0/0", "0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/08", "10.0.0.0/15", "10.0.0.0/16",
		"1.2.3.4/32", "1.2.3.4/", "1.2.3.4/x", "a.b/8", "1.2.3.4/8/8", "1.2.3.4 /8", "::/0", "::/31",
		"::/32", "2001:db8::/16", "2001:DB8::/16", "::ffff:10.0.0.0/8", "g:/8", ":g/8", "x::/8",
		"1.2.3.4:/8", "1.2:3.4/8", ":/8", "::/", "::/1x", "0.0.0.0/0\n", "０/8", "::/007", "::/100000",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefgABF:./ "
	for range 20000 {
		b := make([]byte, rng.IntN(14))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(b)
		if rng.IntN(2) == 0 {
			s += fmt.Sprintf("/%d", rng.IntN(140))
		}
		edges = append(edges, s)
	}
	for _, data := range []map[string]any{nil, {"sgaudit": map[string]any{"wide_public_ranges": otherWideLimits()}}} {
		e, err := Load(ctx, policies.FS, Options{Data: data})
		if err != nil {
			t.Fatal(err)
		}
		pattern, err := rulePattern(ctx, e.compiler, e.store, "data.sgaudit.lib.sg.short_pattern")
		if err != nil || pattern == nil {
			t.Fatalf("short_pattern: %v, %v", pattern, err)
		}
		match := newShortMatch(pattern)
		matched := 0
		for _, s := range edges {
			want := pattern.MatchString(s)
			if got := match.short(s); got != want {
				t.Errorf("pattern %s on %q: shortMatch says %v, the pattern %v", pattern, s, got, want)
			}
			if want {
				matched++
			}
		}
		if matched < 100 {
			t.Errorf("pattern %s matched only %d strings: the test tests little", pattern, matched)
		}
	}
}
