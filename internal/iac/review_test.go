package iac

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// inlineMain has one group whose inline blocks each name their peers
// another way; lines are asserted in TestInlineBlockPeers.
const inlineMain = `resource "aws_security_group" "g" {
  ingress {
    protocol    = 6
    from_port   = 22
    to_port     = 22
    cidr_blocks = ["10.0.0.0/8", "192.168.0.0/16"]
  }
  ingress {
    protocol         = "tcp"
    from_port        = 22
    to_port          = 22
    ipv6_cidr_blocks = ["2001:db8::/32"]
  }
  ingress {
    protocol  = "-1"
    from_port = 0
    to_port   = 0
    self      = true
  }
  ingress {
    protocol        = "tcp"
    from_port       = 443
    to_port         = 443
    prefix_list_ids = ["pl-12345678"]
  }
  ingress {
    protocol  = "esp"
    from_port = 0
    to_port   = 0
    cidr_blocks = ["10.0.0.0/8"]
  }
}
`

// TestInlineBlockPeers: a live rule goes to the inline block naming its
// peer, whatever the kind of peer and however the protocol is written.
func TestInlineBlockPeers(t *testing.T) {
	t.Parallel()
	const id = "sg-00000000000inline"
	root := t.TempDir()
	st := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "g",
		"instances": []any{map[string]any{"attributes": map[string]any{
			"id": id, "arn": arn(id),
			"ingress": []any{
				inlineRule("tcp", 22, 22, "10.0.0.0/8", "192.168.0.0/16"),
				map[string]any{"protocol": "tcp", "from_port": 22, "to_port": 22, "ipv6_cidr_blocks": []string{"2001:db8::/32"}},
				map[string]any{"protocol": "-1", "from_port": 0, "to_port": 0, "self": true},
				map[string]any{"protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_ids": []string{"pl-12345678"}},
				inlineRule("esp", 0, 0, "10.0.0.0/8"),
			},
			"egress": []any{},
		}}},
	}}}
	writeFiles(t, root, map[string]string{"main.tf": inlineMain, "s.tfstate": mustJSON(t, st)})
	m, err := Load(Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	v6 := liveRule("", inventory.Ingress, "tcp", 22, 22, "2001:db8::/32")
	self := inventory.Rule{Direction: inventory.Ingress, Protocol: "all", RawProtocol: "-1", FromPort: 0, ToPort: 65535,
		Peer: inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: id, GroupOwner: acct}}
	pl := inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: 443, ToPort: 443,
		Peer: inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-12345678"}}
	second := liveRule("", inventory.Ingress, "tcp", 22, 22, "192.168.0.0/16")
	esp := liveRule("", inventory.Ingress, "50", -1, -1, "10.0.0.0/8")
	rules := []inventory.Rule{second, v6, self, pl, esp}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil, rules...)}}
	m.Annotate(inv)
	if got := inv.SecurityGroups[0].IaC; got == nil || len(got.UnmanagedRules) != 0 {
		t.Errorf("iac %+v: want every rule declared", got)
	}
	for _, tt := range []struct {
		name       string
		rule       inventory.Rule
		start, end int
	}{
		{"protocol as the number 6, the second of two CIDRs", second, 2, 7},
		{"ipv6_cidr_blocks", v6, 8, 13},
		{"self with protocol -1", self, 14, 19},
		{"prefix_list_ids", pl, 20, 25},
		{"an IANA protocol name", esp, 26, 31},
	} {
		fs := []findings.Finding{finding(id, &tt.rule)}
		m.Map(inv, fs)
		want := &findings.Source{File: "main.tf", StartLine: tt.start, EndLine: tt.end, Address: "aws_security_group.g"}
		if diff := cmp.Diff(want, fs[0].Source); diff != "" {
			t.Errorf("%s: source (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestAnnotateMissingAttributes: a state that does not record a group's
// inline rules (the attribute absent or null) says nothing of them: its
// live rules in that direction are not drift, while an empty list is a
// state that declares none.
func TestAnnotateMissingAttributes(t *testing.T) {
	t.Parallel()
	const id = "sg-0000000000missing"
	in := liveRule("", inventory.Ingress, "tcp", 22, 22, "0.0.0.0/0")
	out := liveRule("", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	for _, tt := range []struct {
		name  string
		attrs map[string]any
		want  []inventory.Rule
	}{
		{"no ingress or egress attribute", map[string]any{"id": id}, []inventory.Rule{}},
		{"null ingress, empty egress", map[string]any{"id": id, "ingress": nil, "egress": []any{}}, []inventory.Rule{out}},
		{"empty lists: both drift", map[string]any{"id": id, "ingress": []any{}, "egress": []any{}}, []inventory.Rule{in, out}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			st := map[string]any{"version": 4, "resources": []any{map[string]any{
				"mode": "managed", "type": "aws_security_group", "name": "g",
				"instances": []any{map[string]any{"attributes": tt.attrs}},
			}}}
			writeFiles(t, root, map[string]string{"s.tfstate": mustJSON(t, st)})
			m, err := Load(Options{Root: root, States: []string{filepath.Join(root, "s.tfstate")}})
			if err != nil {
				t.Fatal(err)
			}
			inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil, in, out)}}
			m.Annotate(inv)
			got := inv.SecurityGroups[0].IaC
			if got == nil {
				t.Fatal("group not marked managed")
			}
			if diff := cmp.Diff(tt.want, got.UnmanagedRules); diff != "" {
				t.Errorf("unmanaged rules (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIndexKeyAddress: for_each keys are quoted in addresses as
// Terraform quotes them (the address `terraform state list` and
// `terraform show -json` print), whatever they hold.
func TestIndexKeyAddress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		key  any
		want string
	}{
		{0, `aws_security_group.g[0]`},
		{"a b", `aws_security_group.g["a b"]`},
		{`say "hi"\`, `aws_security_group.g["say \"hi\"\\"]`},
		{"${x}", `aws_security_group.g["$${x}"]`},
		{"%{if}", `aws_security_group.g["%%{if}"]`},
		{"$x%", `aws_security_group.g["$x%"]`},
		{"tab\there\n", `aws_security_group.g["tab\there\n"]`},
		{"bell\x07", `aws_security_group.g["bell\u0007"]`},
		{"café", `aws_security_group.g["café"]`},
	} {
		st := map[string]any{"version": 4, "resources": []any{map[string]any{
			"mode": "managed", "type": "aws_security_group", "name": "g",
			"instances": []any{map[string]any{"index_key": tt.key, "attributes": map[string]any{"id": "sg-1"}}},
		}}}
		got, err := ParseState("s.tfstate", []byte(mustJSON(t, st)))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Instances) != 1 || got.Instances[0].Address != tt.want {
			t.Errorf("key %q: instances %+v, want address %s", tt.key, got.Instances, tt.want)
		}
	}
}

// TestShowAddressMatchesResource: a `terraform show -json` resource whose
// address names another resource is refused, since reports would print
// that address as the group's source; Terraform's own addresses pass.
func TestShowAddressMatchesResource(t *testing.T) {
	t.Parallel()
	show := func(module, address string) []byte {
		mod := map[string]any{"resources": []any{map[string]any{
			"address": address, "mode": "managed", "type": "aws_security_group", "name": "a",
			"values": map[string]any{"id": "sg-1"},
		}}}
		root := map[string]any{"resources": []any{}}
		if module == "" {
			root = mod
		} else {
			mod["address"] = module
			root["child_modules"] = []any{mod}
		}
		return []byte(mustJSON(t, map[string]any{"format_version": "1.0", "values": map[string]any{"root_module": root}}))
	}
	for _, tt := range []struct {
		module, address string
		ok              bool
	}{
		{"", "aws_security_group.a", true},
		{"", `aws_security_group.a["x.y"]`, true},
		{"", "aws_security_group.a[3]", true},
		{`module.m["k"]`, `module.m["k"].aws_security_group.a[0]`, true},
		{"", "a", false},
		{"", "aws_security_group.ab", false},
		{"", "aws_security_group.a[0]x", false},
		{"", "aws_security_group.a[x]", false},
		{"module.m", "aws_security_group.a", false},
		{"module.m", "module.n.aws_security_group.a", false},
	} {
		got, err := ParseState("show.json", show(tt.module, tt.address))
		if tt.ok {
			if err != nil || len(got.Instances) != 1 || got.Instances[0].Address != tt.address {
				t.Errorf("%s in %q: %+v, %v; want it kept", tt.address, tt.module, got, err)
			}
			continue
		}
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "show.json") || !strings.Contains(err.Error(), tt.address) {
			t.Errorf("%s in %q: error %v, want an input error naming the file and the address", tt.address, tt.module, err)
		}
	}
}

// TestAnnotateSeveralStates: a rule is declared when any state given
// declares it for the group: a rule resource in another root's state, or
// the group's inline rules in a second state holding it. A state of
// another account whose group has the same id but another ARN declares
// nothing for this one.
func TestAnnotateSeveralStates(t *testing.T) {
	t.Parallel()
	const id = "sg-0000000000shared1"
	otherARN := "arn:aws:ec2:us-east-1:999988887777:security-group/" + id
	group := func(groupARN string, ingress ...any) map[string]any {
		return map[string]any{"mode": "managed", "type": "aws_security_group", "name": "g",
			"instances": []any{map[string]any{"attributes": map[string]any{
				"id": id, "arn": groupARN, "ingress": append([]any{}, ingress...), "egress": []any{}}}}}
	}
	ruleRes := func(port int) map[string]any {
		return map[string]any{"mode": "managed", "type": "aws_security_group_rule", "name": "r",
			"instances": []any{map[string]any{"attributes": map[string]any{
				"type": "ingress", "security_group_id": id, "protocol": "tcp", "from_port": port, "to_port": port,
				"cidr_blocks": []any{"0.0.0.0/0"}}}}}
	}
	states := map[string]any{
		"a.tfstate": group(arn(id), inlineRule("tcp", 22, 22, "0.0.0.0/0")),
		"b.tfstate": ruleRes(443),
		"c.tfstate": group(arn(id), inlineRule("tcp", 8080, 8080, "0.0.0.0/0")),
		"d.tfstate": []any{group(otherARN), ruleRes(3306)},
	}
	root := t.TempDir()
	files := map[string]string{}
	var opts Options
	opts.Root = root
	for _, name := range []string{"a.tfstate", "b.tfstate", "c.tfstate", "d.tfstate"} {
		res := states[name]
		if _, ok := res.([]any); !ok {
			res = []any{res}
		}
		files[name] = mustJSON(t, map[string]any{"version": 4, "resources": res})
		opts.States = append(opts.States, filepath.Join(root, name))
	}
	writeFiles(t, root, files)
	m, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	r := func(port int) inventory.Rule {
		return liveRule("", inventory.Ingress, "tcp", port, port, "0.0.0.0/0")
	}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil, r(22), r(443), r(8080), r(3306))}}
	m.Annotate(inv)
	got := inv.SecurityGroups[0].IaC
	if got == nil {
		t.Fatal("group not marked managed")
	}
	if diff := cmp.Diff([]inventory.Rule{r(3306)}, got.UnmanagedRules); diff != "" {
		t.Errorf("unmanaged rules (-want +got):\n%s", diff)
	}
}

// cfnConditions chooses rules with !If, around the whole list and around
// one entry; lines asserted in TestCloudFormationConditions.
const cfnConditions = `Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupIngress: !If
        - IsProd
        - - IpProtocol: tcp
            FromPort: 443
            ToPort: 443
            CidrIp: 0.0.0.0/0
        - - IpProtocol: tcp
            FromPort: 8443
            ToPort: 8443
            CidrIp: 0.0.0.0/0
      SecurityGroupEgress:
        - !If
          - IsProd
          - IpProtocol: tcp
            FromPort: 5432
            ToPort: 5432
            CidrIp: 10.0.0.0/8
          - !Ref AWS::NoValue
        - IpProtocol: "-1"
          CidrIp: 0.0.0.0/0
`

const cfnConditionsJSON = `{"Resources": {"Web": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
  "SecurityGroupIngress": {"Fn::If": ["IsProd",
    [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}],
    [{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "CidrIp": "0.0.0.0/0"}]
  ]}
}}}}
`

// TestCloudFormationConditions: the rules inside a condition (!If or
// Fn::If, around the list or one entry) are entries like the others; the
// condition's name and !Ref AWS::NoValue are none.
func TestCloudFormationConditions(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"web.yaml": cfnConditions, "web.json": cfnConditionsJSON})
	m, err := Load(Options{Root: root, Templates: []TemplateMapping{
		{Stack: "yaml", File: filepath.Join(root, "web.yaml")},
		{Stack: "json", File: filepath.Join(root, "web.json")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	in443 := liveRule("", inventory.Ingress, "tcp", 443, 443, "0.0.0.0/0")
	in8443 := liveRule("", inventory.Ingress, "tcp", 8443, 8443, "0.0.0.0/0")
	pg := liveRule("", inventory.Egress, "tcp", 5432, 5432, "10.0.0.0/8")
	all := liveRule("", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	const yamlID, jsonID = "sg-000000000000yaml", "sg-000000000000json"
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{
		liveGroup(yamlID, map[string]string{TagStackName: "yaml", TagLogicalID: "Web"}, in443, in8443, pg, all),
		liveGroup(jsonID, map[string]string{TagStackName: "json", TagLogicalID: "Web"}, in443, in8443),
	}}
	for _, tt := range []struct {
		name, group string
		rule        inventory.Rule
		want        *findings.Source
	}{
		{"!If around the list, first branch", yamlID, in443, &findings.Source{File: "web.yaml", StartLine: 10, EndLine: 13, Address: "Resources.Web.Properties.SecurityGroupIngress[0]"}},
		{"!If around the list, second branch", yamlID, in8443, &findings.Source{File: "web.yaml", StartLine: 14, EndLine: 17, Address: "Resources.Web.Properties.SecurityGroupIngress[1]"}},
		{"!If around one entry", yamlID, pg, &findings.Source{File: "web.yaml", StartLine: 21, EndLine: 24, Address: "Resources.Web.Properties.SecurityGroupEgress[0]"}},
		{"the entry after it", yamlID, all, &findings.Source{File: "web.yaml", StartLine: 26, EndLine: 27, Address: "Resources.Web.Properties.SecurityGroupEgress[1]"}},
		{"Fn::If in JSON", jsonID, in8443, &findings.Source{File: "web.json", StartLine: 4, EndLine: 4, Address: "Resources.Web.Properties.SecurityGroupIngress[1]"}},
	} {
		fs := []findings.Finding{finding(tt.group, &tt.rule)}
		m.Map(inv, fs)
		if diff := cmp.Diff(tt.want, fs[0].Source); diff != "" {
			t.Errorf("%s: source (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestMovedBlock: a state written before a rename (moved block) still
// names the former address; the finding lands on the renamed block.
func TestMovedBlock(t *testing.T) {
	t.Parallel()
	const id = "sg-000000000000moved"
	root := t.TempDir()
	main := `moved {
  from = aws_security_group.old
  to   = aws_security_group.mid
}

moved {
  from = aws_security_group.mid
  to   = aws_security_group.new
}

resource "aws_security_group" "new" {
  name = "renamed"
}
`
	st := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "old",
		"instances": []any{map[string]any{"attributes": map[string]any{"id": id, "ingress": []any{}, "egress": []any{}}}},
	}}}
	writeFiles(t, root, map[string]string{"main.tf": main, "s.tfstate": mustJSON(t, st)})
	m, err := Load(Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	fs := []findings.Finding{finding(id, nil)}
	m.Map(&inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil)}}, fs)
	want := &findings.Source{File: "main.tf", StartLine: 11, EndLine: 13, Address: "aws_security_group.old"}
	if diff := cmp.Diff(want, fs[0].Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
}

// TestSymlinkOutsideRoot: code reached through a symlink that leaves the
// repository is not mapped (GitHub does not have it); a symlink within
// the repository is reported as the file it points to.
func TestSymlinkOutsideRoot(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	const inID, outID = "sg-00000000000000in", "sg-0000000000000out"
	group := func(name, id string) map[string]any {
		return map[string]any{"module": "module." + name, "mode": "managed", "type": "aws_security_group", "name": "g",
			"instances": []any{map[string]any{"attributes": map[string]any{"id": id, "ingress": []any{}, "egress": []any{}}}}}
	}
	writeFiles(t, base, map[string]string{
		"repo/infra/main.tf":    "module \"in\" {\n  source = \"./linked\"\n}\n\nmodule \"out\" {\n  source = \"./escape\"\n}\n",
		"repo/shared/g/main.tf": "resource \"aws_security_group\" \"g\" {\n}\n",
		"outside/main.tf":       "resource \"aws_security_group\" \"g\" {\n}\n",
		"repo/infra/s.tfstate":  mustJSON(t, map[string]any{"version": 4, "resources": []any{group("in", inID), group("out", outID)}}),
	})
	for link, target := range map[string]string{
		filepath.Join(root, "infra", "linked"): filepath.Join("..", "shared", "g"),
		filepath.Join(root, "infra", "escape"): filepath.Join("..", "..", "outside"),
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	m, err := Load(Options{Root: root, Dirs: []string{filepath.Join(root, "infra")}, States: []string{filepath.Join(root, "infra", "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(inID, nil), liveGroup(outID, nil)}}
	fs := []findings.Finding{finding(inID, nil), finding(outID, nil)}
	m.Map(inv, fs)
	want := []*findings.Source{{File: "shared/g/main.tf", StartLine: 1, EndLine: 2, Address: "module.in.aws_security_group.g"}, nil}
	if diff := cmp.Diff(want, []*findings.Source{fs[0].Source, fs[1].Source}); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestAmbiguousRoot: two environments with the same code and a state
// pulled outside both: the first by path (prod) used to take staging's
// findings onto prod's file. Now nothing is placed, with a warning, unless
// the state lies in one of them or every instance is in a module both
// share.
func TestAmbiguousRoot(t *testing.T) {
	t.Parallel()
	const id, modID = "sg-0000000000staging", "sg-00000000000module"
	env := "resource \"aws_security_group\" \"web\" {\n  name = \"web\"\n}\n\nmodule \"shared\" {\n  source = \"../../modules/shared\"\n}\n"
	state := func(withRoot bool) string {
		res := []any{map[string]any{"module": "module.shared", "mode": "managed", "type": "aws_security_group", "name": "s",
			"instances": []any{map[string]any{"attributes": map[string]any{"id": modID, "ingress": []any{}, "egress": []any{}}}}}}
		if withRoot {
			res = append(res, map[string]any{"mode": "managed", "type": "aws_security_group", "name": "web",
				"instances": []any{map[string]any{"attributes": map[string]any{"id": id, "ingress": []any{}, "egress": []any{}}}}})
		}
		return mustJSON(t, map[string]any{"version": 4, "resources": res})
	}
	for _, tt := range []struct {
		name     string
		stateAt  string
		withRoot bool
		want     []*findings.Source
		warnings int
	}{
		{"state outside both roots: ambiguous", "tmp/staging.tfstate", true, []*findings.Source{nil, nil}, 1},
		{"state in staging's root", "envs/staging/terraform.tfstate", true, []*findings.Source{
			{File: "envs/staging/main.tf", StartLine: 1, EndLine: 3, Address: "aws_security_group.web"},
			{File: "modules/shared/main.tf", StartLine: 1, EndLine: 2, Address: "module.shared.aws_security_group.s"},
		}, 0},
		{"only instances of the shared module", "tmp/staging.tfstate", false, []*findings.Source{
			nil,
			{File: "modules/shared/main.tf", StartLine: 1, EndLine: 2, Address: "module.shared.aws_security_group.s"},
		}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, map[string]string{
				"envs/prod/main.tf":      env,
				"envs/staging/main.tf":   env,
				"modules/shared/main.tf": "resource \"aws_security_group\" \"s\" {\n}\n",
				tt.stateAt:               state(tt.withRoot),
			})
			m, err := Load(Options{Root: root, Dirs: []string{filepath.Join(root, "envs")}, States: []string{filepath.Join(root, filepath.FromSlash(tt.stateAt))}})
			if err != nil {
				t.Fatal(err)
			}
			inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil), liveGroup(modID, nil)}}
			fs := []findings.Finding{finding(id, nil), finding(modID, nil)}
			m.Map(inv, fs)
			if diff := cmp.Diff(tt.want, []*findings.Source{fs[0].Source, fs[1].Source}); diff != "" {
				t.Errorf("sources (-want +got):\n%s", diff)
			}
			if len(m.Warnings()) != tt.warnings {
				t.Errorf("warnings %q, want %d", m.Warnings(), tt.warnings)
			}
		})
	}
}

// TestStateMemberOrder: a state is read in one pass, whatever the order
// of a resource's members: instances (or show -json values) before the
// type are kept until it is known; those of other resources are skipped
// unread, even when they would not decode as a group's.
func TestStateMemberOrder(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, state string
		want        []string
	}{
		{"v4, instances before type", `{"version": 4, "resources": [
			{"instances": [{"index_key": "k", "attributes": {"id": "sg-1"}}], "name": "g", "type": "aws_security_group", "mode": "managed"},
			{"mode": "managed", "type": "aws_instance", "name": "i", "instances": [{"attributes": {"id": 5, "ingress": "x"}}]},
			{"instances": [{"attributes": {"id": 5}}], "mode": "data", "type": "aws_security_group", "name": "d"}]}`,
			[]string{`aws_security_group.g["k"]`}},
		{"show -json, values before type", `{"format_version": "1.0", "values": {"root_module": {"resources": [
			{"values": {"id": "sg-1"}, "address": "aws_security_group.g", "name": "g", "type": "aws_security_group", "mode": "managed"},
			{"address": "aws_instance.i", "mode": "managed", "type": "aws_instance", "name": "i", "values": {"id": 5}}]}}}`,
			[]string{"aws_security_group.g"}},
	} {
		st, err := ParseState("s.json", []byte(tt.state))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, in := range st.Instances {
			if in.Attributes.ID != "sg-1" {
				t.Errorf("%s: %s has id %q, want sg-1", tt.name, in.Address, in.Attributes.ID)
			}
			got = append(got, in.Address)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: addresses (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestCloudFormationGroupName: a standalone ingress resource naming its
// group by GroupName (a group in the default VPC) is one of its rules.
func TestCloudFormationGroupName(t *testing.T) {
	t.Parallel()
	const tpl = `Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
  WebSSH:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupName: !Ref Web
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: 0.0.0.0/0
`
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"t.yaml": tpl})
	m, err := Load(Options{Root: root, Templates: []TemplateMapping{{Stack: "s", File: filepath.Join(root, "t.yaml")}}})
	if err != nil {
		t.Fatal(err)
	}
	const id = "sg-0000000000default"
	ssh := liveRule("", inventory.Ingress, "tcp", 22, 22, "0.0.0.0/0")
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{
		liveGroup(id, map[string]string{TagStackName: "s", TagLogicalID: "Web"}, ssh)}}
	fs := []findings.Finding{finding(id, &ssh)}
	m.Map(inv, fs)
	want := &findings.Source{File: "t.yaml", StartLine: 6, EndLine: 13, Address: "Resources.WebSSH"}
	if diff := cmp.Diff(want, fs[0].Source); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
}

// TestDynamicBlockContent: two dynamic ingress blocks are told apart by
// what their content says literally (here the protocol), instead of
// tying and falling back to the group's block.
func TestDynamicBlockContent(t *testing.T) {
	t.Parallel()
	const id = "sg-00000000000dynamic"
	main := `resource "aws_security_group" "g" {
  dynamic "ingress" {
    for_each = var.tcp_ports
    content {
      protocol    = "tcp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
  dynamic "ingress" {
    for_each = var.udp_ports
    content {
      protocol    = "udp"
      from_port   = ingress.value
      to_port     = ingress.value
      cidr_blocks = ["10.0.0.0/8"]
    }
  }
}
`
	tcp := liveRule("", inventory.Ingress, "tcp", 443, 443, "10.0.0.0/8")
	udp := liveRule("", inventory.Ingress, "udp", 53, 53, "10.0.0.0/8")
	st := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "g",
		"instances": []any{map[string]any{"attributes": map[string]any{"id": id, "egress": []any{},
			"ingress": []any{inlineRule("tcp", 443, 443, "10.0.0.0/8"), inlineRule("udp", 53, 53, "10.0.0.0/8")}}}},
	}}}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.tf": main, "s.tfstate": mustJSON(t, st)})
	m, err := Load(Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil, tcp, udp)}}
	for _, tt := range []struct {
		rule       inventory.Rule
		start, end int
	}{{tcp, 2, 10}, {udp, 11, 19}} {
		fs := []findings.Finding{finding(id, &tt.rule)}
		m.Map(inv, fs)
		want := &findings.Source{File: "main.tf", StartLine: tt.start, EndLine: tt.end, Address: "aws_security_group.g"}
		if diff := cmp.Diff(want, fs[0].Source); diff != "" {
			t.Errorf("%s: source (-want +got):\n%s", tt.rule.Protocol, diff)
		}
	}
}
