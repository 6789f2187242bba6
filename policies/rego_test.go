package policies_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/sgaudit/sgaudit/internal/jsontest"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// pack is the embedded policy pack as OPA loads it.
type pack struct {
	modules map[string]*ast.Module // every .rego, tests included, by path
	data    map[string]any         // data/*.json merged at the root of data
}

// loadPack loads the embedded FS the way `opa test policies/checks
// policies/lib policies/data` does: each directory is a root, so
// data/defaults.json lands at data.sgaudit rather than data.data.sgaudit.
func loadPack(t testing.TB) pack {
	t.Helper()
	res, err := loader.NewFileLoader().
		WithFS(policies.FS).
		WithRegoVersion(ast.RegoV1).
		WithProcessAnnotation(true).
		All([]string{"checks", "lib", "data"})
	if err != nil {
		t.Fatalf("load embedded policies: %v", err)
	}
	p := pack{modules: map[string]*ast.Module{}, data: res.Documents}
	for path, m := range res.Modules {
		p.modules[path] = m.Parsed
	}
	if len(p.modules) == 0 {
		t.Fatal("embedded FS holds no Rego modules")
	}
	return p
}

// policyModules returns the modules that are not tests.
func (p pack) policyModules() map[string]*ast.Module {
	out := map[string]*ast.Module{}
	for path, m := range p.modules {
		if !strings.HasSuffix(path, "_test.rego") {
			out[path] = m
		}
	}
	return out
}

// TestRego runs every Rego unit test of the pack, as `opa test` would, and
// reports each one as a subtest so a failure names the Rego test.
func TestRego(t *testing.T) {
	ctx := context.Background()
	p := loadPack(t)
	store := inmem.NewFromObject(p.data)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(ctx, txn)

	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true)).
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(store).
		SetModules(p.modules).
		SetTimeout(30 * time.Second).
		// A builtin error (sprintf on a missing value, trim_space(null))
		// fails the test instead of silently making a rule undefined.
		RaiseBuiltinErrors(true)
	ch, err := runner.RunTests(ctx, txn)
	if err != nil {
		t.Fatalf("compile policies and tests: %v", err)
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	slices.SortFunc(results, func(a, b *tester.Result) int {
		return strings.Compare(a.Package+"."+a.Name, b.Package+"."+b.Name)
	})

	// Every *_test.rego must contribute tests: a file whose tests were all
	// renamed away (no test_ prefix) would otherwise pass silently.
	perPackage := map[string]int{}
	for _, r := range results {
		perPackage[r.Package]++
	}
	for path, m := range p.modules {
		if !strings.HasSuffix(path, "_test.rego") {
			continue
		}
		pkg := m.Package.Path.String()
		if perPackage[pkg] == 0 {
			t.Errorf("%s (package %s) ran no test", path, pkg)
		}
	}

	ci := underCI(os.Getenv)
	for _, r := range results {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			switch v := verdict(r, ci); {
			case v.fail:
				t.Error(v.msg)
			case v.skip:
				t.Skip(v.msg)
			}
		})
	}
}

// underCI reports whether the tests run in CI: CI set to anything but
// "", "0" or "false" (GitHub Actions and most others set CI=true).
func underCI(getenv func(string) string) bool {
	switch strings.ToLower(getenv("CI")) {
	case "", "0", "false":
		return false
	}
	return true
}

// testVerdict is what TestRego makes of one Rego test result.
type testVerdict struct {
	fail, skip bool
	msg        string
}

// verdict judges one result. A todo_ test (OPA reports it skipped) is a
// reminder while working locally, but under CI it is a failure: a skipped
// test there would let the feature it stands for ship untested.
func verdict(r *tester.Result, ci bool) testVerdict {
	switch {
	case r.Error != nil:
		return testVerdict{fail: true, msg: fmt.Sprintf("%s: error: %v", r.Location, r.Error)}
	case r.Fail:
		// No trace here; `opa test policies/checks policies/lib
		// policies/data -v -r NAME` prints one.
		return testVerdict{fail: true, msg: fmt.Sprintf("%s: failed", r.Location)}
	case r.Skip && ci:
		return testVerdict{fail: true, msg: fmt.Sprintf("%s: %s is a todo_ test, which CI does not skip: implement it and rename it test_, or remove it", r.Location, r.Name)}
	case r.Skip:
		return testVerdict{skip: true, msg: fmt.Sprintf("%s: skipped (todo_ test; fails under CI)", r.Location)}
	}
	return testVerdict{}
}

// prepare compiles the pack's checks (no tests) in strict mode with the
// default data, ready for the query the engine runs.
func prepare(t testing.TB, query string) rego.PreparedEvalQuery {
	t.Helper()
	p := loadPack(t)
	opts := []func(*rego.Rego){
		rego.Query(query),
		rego.Store(inmem.NewFromObject(p.data)),
		rego.SetRegoVersion(ast.RegoV1),
		rego.Strict(true),
	}
	for _, m := range p.policyModules() {
		opts = append(opts, rego.ParsedModule(m))
	}
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		t.Fatalf("prepare %q: %v", query, err)
	}
	return pq
}

// toInput round-trips an inventory through its JSON encoding, the form the
// contract documents, so omitempty fields and nil slices (null) arrive in
// Rego exactly as a saved inventory.json would carry them.
func toInput(t testing.TB, inv inventory.Inventory) any {
	t.Helper()
	return jsontest.Generic(t, inv)
}

// hit is what a finding is about, in the terms the engine fills in from.
type hit struct {
	Check, GroupID, RuleID, Severity, Discriminator string
}

const (
	acct   = "111111111111"
	region = "eu-west-1"
)

func arn(id string) string { return "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id }

func rule(id string, dir inventory.Direction, proto string, from, to int, peer inventory.Peer, desc string) inventory.Rule {
	return inventory.Rule{ID: id, Direction: dir, Protocol: proto, RawProtocol: proto, FromPort: from, ToPort: to, Peer: peer, Description: desc}
}

func cidr(c string) inventory.Peer {
	if strings.Contains(c, ":") {
		return inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: c}
	}
	return inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: c}
}

func group(id, name, desc string, rules []inventory.Rule, usedBy []inventory.Evidence) inventory.SecurityGroup {
	return inventory.SecurityGroup{
		ARN: arn(id), ID: id, Name: name, Description: desc, AccountID: acct, Region: region,
		VPCID: "vpc-1", Rules: inventory.NewRules(rules...), UsedBy: usedBy,
	}
}

// TestChecksReadTheInventoryContract evaluates the whole pack over an
// inventory built from the Go contract types (scanner/inventory), so a
// field the Rego reads under the wrong name, or a nil slice encoded as
// null, shows up as a missing or extra finding.
func TestChecksReadTheInventoryContract(t *testing.T) {
	// The allow-all egress rule AWS gives every new group.
	awsEgress := rule("sgr-e0", inventory.Egress, "all", 0, 65535, cidr("0.0.0.0/0"), "")
	eni := []inventory.Evidence{{Kind: inventory.UsedByENI, ID: "eni-1"}}

	web := group("sg-web", "web", "public web servers", []inventory.Rule{
		rule("sgr-w1", inventory.Ingress, "tcp", 22, 22, cidr("0.0.0.0/0"), "ssh, to be removed"),
		rule("sgr-w2", inventory.Ingress, "tcp", 443, 443, cidr("::/0"), "https"),
		awsEgress,
	}, eni)
	web.Attachments = []inventory.Attachment{{NetworkInterfaceID: "eni-1", InterfaceType: "interface", PublicIP: "203.0.113.10", Resource: "i-1"}}

	db := group("sg-db", "db", "postgres for the api", []inventory.Rule{
		rule("sgr-d1", inventory.Ingress, "tcp", 5432, 5432, cidr("::/0"), ""),
		rule("sgr-d2", inventory.Ingress, "tcp", 5432, 5432, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-web", GroupOwner: acct}, "from web"),
	}, []inventory.Evidence{{Kind: inventory.UsedBySGReference, ID: "sg-app", Detail: "egress"}})

	// Everything wrong at once; nil UsedBy (JSON null) means unused.
	open := group("sg-open", "open", "Managed by Terraform", []inventory.Rule{
		rule("sgr-o1", inventory.Ingress, "all", 0, 65535, cidr("0.0.0.0/0"), "debug"),
	}, nil)

	def := group("sg-def", "default", "default VPC security group", []inventory.Rule{
		rule("sgr-f1", inventory.Ingress, "all", 0, 65535, inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-def"}, ""),
		awsEgress,
	}, nil)
	def.IsDefault = true

	// Another VPC's default group: no rules, but an interface uses it.
	def2 := group("sg-def2", "default", "default VPC security group", nil, eni)
	def2.IsDefault, def2.VPCID = true, "vpc-2"
	def2.Attachments = []inventory.Attachment{{NetworkInterfaceID: "eni-2", InterfaceType: "interface", Resource: "i-2"}}

	// The world beyond /0: a prefix list holding ::/0, and two CIDR rules
	// that are the IPv4 world together; a stale reference (listed by
	// DescribeStaleSecurityGroups) and one across a deleted peering.
	gone := inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-gone", GroupOwner: "222222222222", VPCID: "vpc-9"}
	peered := gone
	peered.GroupID, peered.PeeringStatus = "sg-peer", "deleted"
	edge := group("sg-edge", "edge", "edge proxies", []inventory.Rule{
		rule("sgr-x1", inventory.Ingress, "tcp", 23, 23, inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-all"}, "telnet"),
		rule("sgr-x2", inventory.Ingress, "tcp", 9100, 9100, cidr("0.0.0.0/1"), "metrics"),
		rule("sgr-x3", inventory.Ingress, "tcp", 9100, 9100, cidr("128.0.0.0/1"), "metrics"),
		rule("sgr-x4", inventory.Ingress, "tcp", 5432, 5432, gone, "db"),
		rule("sgr-x5", inventory.Ingress, "tcp", 6379, 6379, peered, "cache"),
	}, eni)
	edge.StaleRules = inventory.NewRules(edge.Rules.At(3))

	// A launch-wizard group with its wizard description, and a group past
	// the rules threshold (51 ingress rules).
	wiz := group("sg-wiz", "launch-wizard-1", "launch-wizard-1 created 2024-05-01T10:00:00.000Z", nil, eni)
	var many []inventory.Rule
	for n := range 51 {
		many = append(many, rule(fmt.Sprintf("sgr-b%02d", n), inventory.Ingress, "tcp", 443, 443, cidr(fmt.Sprintf("10.0.%d.0/24", n)), "client"))
	}
	big := group("sg-big", "big", "partner access", many, eni)

	// Almost the world (SGA016): half of IPv4 on SSH, and a customer prefix
	// list holding a public IPv6 /8 on PostgreSQL. Not: a private /8 on
	// MySQL, a public /12 on an unnamed port (its limit is /8), HTTPS from
	// half the world (authorised), egress to half the world; nor sg-edge's
	// two halves of 9100, which together are the world (SGA005).
	partner := group("sg-partner", "partner", "partner access", []inventory.Rule{
		rule("sgr-p1", inventory.Ingress, "tcp", 22, 22, cidr("0.0.0.0/1"), "partner ssh"),
		rule("sgr-p2", inventory.Ingress, "tcp", 3306, 3306, cidr("10.0.0.0/8"), "mysql from the vpc"),
		rule("sgr-p3", inventory.Ingress, "tcp", 8443, 8443, cidr("64.0.0.0/12"), "partner console"),
		rule("sgr-p4", inventory.Ingress, "tcp", 443, 443, cidr("128.0.0.0/1"), "https"),
		rule("sgr-p5", inventory.Ingress, "tcp", 5432, 5432, inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-partner"}, "partner db"),
		rule("sgr-p6", inventory.Egress, "tcp", 443, 443, cidr("0.0.0.0/1"), "updates"),
	}, eni)

	inv := inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Coverage: []inventory.Coverage{{
			AccountID: acct, Region: region, Status: inventory.CoverageOK,
			Collected: []string{
				inventory.KindSecurityGroups, inventory.KindSecurityGroupRules, inventory.KindNetworkInterfaces,
				inventory.KindPrefixLists, inventory.KindStaleReferences,
			},
		}},
		SecurityGroups: []inventory.SecurityGroup{big, db, def, def2, edge, open, partner, web, wiz},
		PrefixLists: []inventory.PrefixList{{
			ID: "pl-all", Name: "anyone", Owner: acct, AccountID: acct, Region: region,
			Entries: []inventory.PrefixListEntry{{CIDR: "2001:db8::/32"}, {CIDR: "::/0"}},
		}, {
			ID: "pl-partner", Name: "partner", Owner: acct, AccountID: acct, Region: region,
			Entries: []inventory.PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "2600::/8"}},
		}},
		VPCs: []inventory.VPC{
			{ID: "vpc-1", AccountID: acct, Region: region, NetworkInterfaces: 0},
			{ID: "vpc-2", AccountID: acct, Region: region, NetworkInterfaces: 1},
		},
	}

	pq := prepare(t, "some name; f := data.sgaudit.checks[name].deny[_]")
	rs, err := pq.Eval(context.Background(), rego.EvalInput(toInput(t, inv)))
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	var got []hit
	for _, r := range rs {
		f, ok := r.Bindings["f"].(map[string]any)
		if !ok {
			t.Fatalf("finding is %T, want an object", r.Bindings["f"])
		}
		h := hit{Check: r.Bindings["name"].(string)}
		for _, g := range inv.SecurityGroups {
			if g.ARN == f["group_arn"] {
				h.GroupID = g.ID
			}
		}
		if rl, ok := f["rule"].(map[string]any); ok {
			h.RuleID, _ = rl["id"].(string)
		}
		h.Severity, _ = f["severity"].(string)
		h.Discriminator, _ = f["discriminator"].(string)
		if msg, _ := f["msg"].(string); !strings.HasPrefix(msg, h.GroupID+" (") {
			t.Errorf("%s message does not start with the group: %q", h.Check, msg)
		}
		if rem, _ := f["remediation"].(string); !strings.HasPrefix(rem, "aws ec2 ") || !strings.Contains(rem, "--region "+region) {
			t.Errorf("%s remediation is not an AWS CLI command with --region: %q", h.Check, rem)
		}
		got = append(got, h)
	}
	slices.SortFunc(got, func(a, b hit) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})

	want := []hit{
		// sg-big: 51 ingress rules, past the default threshold of 50.
		{Check: "rules_quota", GroupID: "sg-big", Discriminator: "ingress"},
		// sg-db: PostgreSQL from ::/0, undescribed and not an authorised
		// port; the group reference is fine.
		{Check: "open_database_ports", GroupID: "sg-db", RuleID: "sgr-d1"},
		{Check: "rule_description", GroupID: "sg-db", RuleID: "sgr-d1"},
		{Check: "unauthorized_open_port", GroupID: "sg-db", RuleID: "sgr-d1"},
		// sg-def: default group with rules, VPC without interfaces: LOW.
		// Not SGA006 (AWS's description) nor SGA007 nor SGA008.
		{Check: "default_group_rules", GroupID: "sg-def", Severity: "LOW"},
		// SGA014 is off by default in the engine, but it is a check like any
		// other here: AWS's egress rule is unrestricted egress.
		{Check: "unrestricted_egress", GroupID: "sg-def", RuleID: "sgr-e0"},
		// sg-def2: a default group an interface uses.
		{Check: "default_group_in_use", GroupID: "sg-def2"},
		// sg-edge: telnet from a prefix list that holds ::/0 (SGA004 and
		// SGA005); 9100 from two halves of the IPv4 space, reported once on
		// the first (SGA005); a stale reference and a reference across a
		// deleted peering (SGA013).
		{Check: "open_high_risk_ports", GroupID: "sg-edge", RuleID: "sgr-x1"},
		{Check: "unauthorized_open_port", GroupID: "sg-edge", RuleID: "sgr-x1"},
		{Check: "unauthorized_open_port", GroupID: "sg-edge", RuleID: "sgr-x2"},
		{Check: "stale_reference", GroupID: "sg-edge", RuleID: "sgr-x4"},
		{Check: "stale_reference", GroupID: "sg-edge", RuleID: "sgr-x5"},
		// sg-open: all traffic is SGA001 twice (SSH, RDP), SGA002, SGA003,
		// SGA004 and SGA005.
		{Check: "group_description", GroupID: "sg-open"},
		{Check: "open_admin_ports", GroupID: "sg-open", RuleID: "sgr-o1", Discriminator: "RDP"},
		{Check: "open_admin_ports", GroupID: "sg-open", RuleID: "sgr-o1", Discriminator: "SSH"},
		{Check: "open_all_traffic", GroupID: "sg-open", RuleID: "sgr-o1"},
		{Check: "open_database_ports", GroupID: "sg-open", RuleID: "sgr-o1"},
		{Check: "open_high_risk_ports", GroupID: "sg-open", RuleID: "sgr-o1"},
		{Check: "unauthorized_open_port", GroupID: "sg-open", RuleID: "sgr-o1"},
		{Check: "unused_group", GroupID: "sg-open"},
		// sg-partner: half of IPv4 on SSH; a public /8 of IPv6 through a
		// prefix list on PostgreSQL.
		{Check: "wide_public_range", GroupID: "sg-partner", RuleID: "sgr-p1"},
		{Check: "wide_public_range", GroupID: "sg-partner", RuleID: "sgr-p5"},
		// sg-web: SSH on an interface with a public IP (SGA001 CRITICAL, and
		// SGA005). HTTPS is authorised; AWS's egress rule is SGA014 only.
		{Check: "open_admin_ports", GroupID: "sg-web", RuleID: "sgr-w1", Severity: "CRITICAL", Discriminator: "SSH"},
		{Check: "unauthorized_open_port", GroupID: "sg-web", RuleID: "sgr-w1"},
		{Check: "unrestricted_egress", GroupID: "sg-web", RuleID: "sgr-e0"},
		// sg-wiz: the launch wizard's name and description.
		{Check: "group_description", GroupID: "sg-wiz"},
		{Check: "launch_wizard_group", GroupID: "sg-wiz"},
	}
	slices.SortFunc(want, func(a, b hit) int {
		return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestRemediationSurvivesTheShell runs the quoted pieces of remediation
// commands through /bin/sh: a hostile group name must come out as one
// argument, byte for byte, and never run anything.
func TestRemediationSurvivesTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH")
	}
	pq := prepare(t, "q := data.sgaudit.lib.sg.shell_quote(input.s); w := data.sgaudit.lib.sg.shell_word(input.s)")
	hostile := []string{
		"web",
		"x'; touch /tmp/sgaudit-pwned; echo '",
		`$(touch /tmp/sgaudit-pwned)`,
		"`id`",
		`a"b\c`,
		"two words\nand a newline",
		"'",
		"",
		"sg-1 --dry-run",
	}
	for _, s := range hostile {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			rs, err := pq.Eval(context.Background(), rego.EvalInput(map[string]any{"s": s}))
			if err != nil || len(rs) != 1 {
				t.Fatalf("eval: %v (%d results)", err, len(rs))
			}
			for _, key := range []string{"q", "w"} {
				word := rs[0].Bindings[key].(string)
				// printf prints its one argument; more than one argument or a
				// command substitution would change the output.
				out, err := exec.Command(sh, "-c", "printf '%s|' "+word).Output()
				if err != nil {
					t.Fatalf("%s: sh -c printf %s: %v", key, word, err)
				}
				if diff := cmp.Diff(s+"|", string(out)); diff != "" {
					t.Errorf("%s: %s came out of the shell changed (-want +got):\n%s", key, word, diff)
				}
			}
		})
	}
}

// TestTodoTestsFailUnderCI runs a todo_ Rego test through OPA's runner, as
// TestRego does, and checks it is skipped locally and fails under CI.
func TestTodoTestsFailUnderCI(t *testing.T) {
	ctx := context.Background()
	m, err := ast.ParseModuleWithOpts("todo_test.rego", "package x_test\n\ntodo_test_later if false\n\ntest_now if true\n",
		ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	store := inmem.New()
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().SetDefaultRegoVersion(ast.RegoV1).SetStore(store).
		SetModules(map[string]*ast.Module{"todo_test.rego": m}).RunTests(ctx, txn)
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ Fail, Skip bool }
	results := map[string]map[bool]got{}
	for r := range ch {
		results[r.Name] = map[bool]got{}
		for _, ci := range []bool{false, true} {
			v := verdict(r, ci)
			results[r.Name][ci] = got{v.fail, v.skip}
			if r.Skip && ci && !strings.Contains(v.msg, "todo_test_later") {
				t.Errorf("the CI failure does not name the todo_ test: %q", v.msg)
			}
		}
	}
	want := map[string]map[bool]got{
		"todo_test_later": {false: {Skip: true}, true: {Fail: true}},
		"test_now":        {false: {}, true: {}},
	}
	if diff := cmp.Diff(want, results); diff != "" {
		t.Errorf("verdicts by CI (-want +got):\n%s", diff)
	}
}

func TestUnderCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "FALSE": false, "true": true, "1": true, "yes": true} {
		if got := underCI(func(string) string { return v }); got != want {
			t.Errorf("CI=%q: underCI = %t, want %t", v, got, want)
		}
	}
}
