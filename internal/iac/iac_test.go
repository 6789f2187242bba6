package iac

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// fixture writes the repository of fixture_test.go under a temporary
// root and returns the root and the mapper's options.
func fixture(t *testing.T) (string, Options) {
	t.Helper()
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"infra/main.tf":               rootMain,
		"infra/modules.tf":            rootModules,
		"infra/modules/app/main.tf":   appMain,
		"infra/modules/inner/main.tf": innerMain,
		"infra/terraform.tfstate":     mustJSON(t, v4State(webID, appA, appB, innerID, remoteID)),
		"cfn/web.yaml":                cfnYAML,
		"cfn/db.json":                 cfnJSON,
		"README.md":                   "not code\n",
	})
	return root, Options{
		Root:   root,
		Dirs:   []string{filepath.Join(root, "infra")},
		States: []string{filepath.Join(root, "infra", "terraform.tfstate")},
		Templates: []TemplateMapping{
			{Stack: "web-*", File: filepath.Join(root, "cfn", "web.yaml")},
			{Stack: "db", File: filepath.Join(root, "cfn", "db.json")},
		},
	}
}

var (
	https    = liveRule("sgr-0000000000000w443", inventory.Ingress, "tcp", 443, 443, "0.0.0.0/0")
	ssh      = liveRule("sgr-00000000000000w22", inventory.Ingress, "tcp", 22, 22, "198.51.100.0/24")
	allOut   = liveRule("sgr-00000000000000w00", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	pg1      = liveRule("sgr-0000000000000w433", inventory.Ingress, "tcp", 5433, 5433, "10.0.0.0/8")
	pg0      = liveRule("sgr-0000000000000w432", inventory.Ingress, "tcp", 5432, 5432, "10.0.0.0/8")
	byHand   = liveRule("sgr-0000000000000whnd", inventory.Ingress, "tcp", 8443, 8443, "0.0.0.0/0")
	appSSH   = liveRule("sgr-0000000000000aa22", inventory.Ingress, "tcp", 22, 22, "0.0.0.0/0")
	appOut   = liveRule("sgr-0000000000000aa00", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	appBOut  = liveRule("sgr-0000000000000bb00", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	inner80  = liveRule("sgr-0000000000000i808", inventory.Ingress, "tcp", 8080, 8080, "10.1.0.0/16")
	cfnSSH   = liveRule("sgr-00000000000000c22", inventory.Ingress, "tcp", 22, 22, "203.0.113.0/24")
	cfnRDP   = liveRule("sgr-0000000000000c338", inventory.Ingress, "tcp", 3389, 3389, "0.0.0.0/0")
	dbPG     = liveRule("sgr-0000000000000d543", inventory.Ingress, "tcp", 5432, 5432, "0.0.0.0/0")
	dbMySQL  = liveRule("sgr-0000000000000d330", inventory.Ingress, "tcp", 3306, 3306, "0.0.0.0/0")
	otherAll = liveRule("sgr-0000000000000o000", inventory.Ingress, "all", 0, 65535, "0.0.0.0/0")
)

const dbID = "sg-00000000000000db"

func fixtureInventory() *inventory.Inventory {
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{
		liveGroup(webID, nil, https, ssh, allOut, pg0, pg1, byHand),
		liveGroup(appA, nil, appSSH, appOut),
		liveGroup(appB, nil, appBOut),
		liveGroup(innerID, nil, inner80),
		liveGroup(remoteID, nil),
		liveGroup(otherID, nil, otherAll),
		liveGroup(cfnID, map[string]string{TagStackName: "web-prod", TagLogicalID: "Web"}, cfnSSH, cfnRDP),
		liveGroup(dbID, map[string]string{TagStackName: "db", TagLogicalID: "Db"}, dbPG, dbMySQL),
		liveGroup("sg-0000000000nostack", map[string]string{TagStackName: "queue", TagLogicalID: "Q"}),
		liveGroup("sg-00000000000gone1", map[string]string{TagStackName: "db", TagLogicalID: "Gone"}),
	}}
	return inv
}

func finding(id string, r *inventory.Rule) findings.Finding {
	f := findings.Finding{CheckID: "SGA001", GroupID: id, GroupARN: arn(id), AccountID: acct, Region: region}
	if r != nil {
		f.RuleKey, f.RuleID = r.Key(), r.ID
	}
	return f
}

// TestMapExactLines: every finding of the fixture lands on the exact
// lines of its block, or is unmapped for the documented reason.
func TestMapExactLines(t *testing.T) {
	t.Parallel()
	_, opts := fixture(t)
	m, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	src := func(file string, start, end int, addr string) *findings.Source {
		return &findings.Source{File: file, StartLine: start, EndLine: end, Address: addr}
	}
	tests := []struct {
		name string
		f    findings.Finding
		want *findings.Source
	}{
		{"group", finding(webID, nil), src("infra/main.tf", 5, 31, "aws_security_group.web")},
		{"inline ingress by literal ports and CIDR", finding(webID, &https), src("infra/main.tf", 9, 15, "aws_security_group.web")},
		{"inline ingress with a variable CIDR, by ports", finding(webID, &ssh), src("infra/main.tf", 17, 23, "aws_security_group.web")},
		{"inline egress, protocol -1", finding(webID, &allOut), src("infra/main.tf", 25, 30, "aws_security_group.web")},
		{"aws_security_group_rule with count, index 0", finding(webID, &pg0), src("infra/main.tf", 33, 41, "aws_security_group_rule.db[0]")},
		{"aws_security_group_rule with count, index 1", finding(webID, &pg1), src("infra/main.tf", 33, 41, "aws_security_group_rule.db[1]")},
		{"rule added by hand: the group's block", finding(webID, &byHand), src("infra/main.tf", 5, 31, "aws_security_group.web")},
		{"vpc ingress rule in a for_each module", finding(appA, &appSSH), src("infra/modules/app/main.tf", 7, 13, `module.app["a"].aws_vpc_security_group_ingress_rule.ssh`)},
		{"vpc egress rule, protocol -1 without ports", finding(appA, &appOut), src("infra/modules/app/main.tf", 15, 19, `module.app["a"].aws_vpc_security_group_egress_rule.all`)},
		{"group of the other for_each instance", finding(appB, nil), src("infra/modules/app/main.tf", 3, 5, `module.app["b"].aws_security_group.app`)},
		{"unmanaged rule of it: the group's block", finding(appB, &appBOut), src("infra/modules/app/main.tf", 3, 5, `module.app["b"].aws_security_group.app`)},
		{"nested module, dynamic block", finding(innerID, &inner80), src("infra/modules/inner/main.tf", 3, 10, `module.app["a"].module.inner.aws_security_group.inner`)},
		{"CloudFormation YAML group", finding(cfnID, nil), src("cfn/web.yaml", 6, 22, "Resources.Web")},
		{"CloudFormation YAML entry with !Ref CIDR", finding(cfnID, &cfnSSH), src("cfn/web.yaml", 16, 19, "Resources.Web.Properties.SecurityGroupIngress[1]")},
		{"CloudFormation standalone ingress with !GetAtt", finding(cfnID, &cfnRDP), src("cfn/web.yaml", 23, 30, "Resources.WebRdp")},
		{"CloudFormation JSON group", finding(dbID, nil), src("cfn/db.json", 3, 14, "Resources.Db")},
		{"CloudFormation JSON entry", finding(dbID, &dbPG), src("cfn/db.json", 8, 11, "Resources.Db.Properties.SecurityGroupIngress[0]")},
		{"CloudFormation JSON standalone with Fn::GetAtt and string ports", finding(dbID, &dbMySQL), src("cfn/db.json", 15, 22, "Resources.DbMysql")},
	}
	inv := fixtureInventory()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []findings.Finding{tt.f}
			m.Map(inv, fs)
			if diff := cmp.Diff(tt.want, fs[0].Source); diff != "" {
				t.Errorf("source (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMapCoverage: the unmapped findings are counted by reason, the
// mapped ones by source.
func TestMapCoverage(t *testing.T) {
	t.Parallel()
	root, opts := fixture(t)
	m, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	fs := []findings.Finding{
		finding(webID, nil), finding(webID, &pg1), finding(appB, nil),
		finding(cfnID, nil), finding(dbID, &dbPG),
		finding(remoteID, nil),               // registry module: code not in the repository
		finding("sg-00000000000gone1", nil),  // logical id missing from the template
		finding(otherID, &otherAll),          // in no state, no stack
		finding("sg-0000000000nostack", nil), // stack without a template
	}
	// The CloudFormation findings are another account's: counted apart.
	const other = "444455556666"
	for _, i := range []int{3, 4, 8} {
		fs[i].AccountID = other
	}
	got := m.Map(fixtureInventory(), fs)
	state := filepath.Join(root, "infra", "terraform.tfstate")
	want := &findings.SourceMapping{
		Mapped: 5, Unmapped: 4,
		Sources: []findings.SourceCount{
			{Kind: KindCloudFormation, Name: filepath.Join(root, "cfn", "db.json"), Findings: 1},
			{Kind: KindCloudFormation, Name: filepath.Join(root, "cfn", "web.yaml"), Findings: 1},
			{Kind: KindTerraform, Name: state, Findings: 3},
		},
		Reasons: []findings.ReasonCount{
			{Reason: findings.UnmappedFileNotFound, Findings: 2},
			{Reason: findings.UnmappedNoSource, Findings: 1},
			{Reason: findings.UnmappedNotManaged, Findings: 1},
		},
		Accounts: []findings.AccountSourceMapping{
			{
				AccountID: fs[0].AccountID, Mapped: 3, Unmapped: 3,
				Sources: []findings.SourceCount{{Kind: KindTerraform, Name: state, Findings: 3}},
				Reasons: []findings.ReasonCount{
					{Reason: findings.UnmappedFileNotFound, Findings: 2},
					{Reason: findings.UnmappedNotManaged, Findings: 1},
				},
			},
			{
				AccountID: other, Mapped: 2, Unmapped: 1,
				Sources: []findings.SourceCount{
					{Kind: KindCloudFormation, Name: filepath.Join(root, "cfn", "db.json"), Findings: 1},
					{Kind: KindCloudFormation, Name: filepath.Join(root, "cfn", "web.yaml"), Findings: 1},
				},
				Reasons: []findings.ReasonCount{{Reason: findings.UnmappedNoSource, Findings: 1}},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&findings.SourceMapping{
		Mapped: 2, Unmapped: 1, Sources: want.Accounts[1].Sources, Reasons: want.Accounts[1].Reasons,
		Accounts: want.Accounts[1:],
	}, got.ForAccount(other)); diff != "" {
		t.Errorf("ForAccount(%s) (-want +got):\n%s", other, diff)
	}

	// Without any state, a group in no stack has no state given.
	opts.States = nil
	m, err = Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	fs = []findings.Finding{finding(webID, nil)}
	got = m.Map(fixtureInventory(), fs)
	if diff := cmp.Diff([]findings.ReasonCount{{Reason: findings.UnmappedNoSource, Findings: 1}}, got.Reasons); diff != "" {
		t.Errorf("reasons without a state (-want +got):\n%s", diff)
	}
}

// TestAnnotateDrift: the rules of a managed group that no state declares
// are listed, and only those.
func TestAnnotateDrift(t *testing.T) {
	t.Parallel()
	_, opts := fixture(t)
	m, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	inv := fixtureInventory()
	m.Annotate(inv)
	state := opts.States[0]
	want := map[string]*inventory.IaC{
		webID:   {ManagedBy: "terraform", Address: "aws_security_group.web", State: state, UnmanagedRules: []inventory.Rule{byHand}},
		appA:    {ManagedBy: "terraform", Address: `module.app["a"].aws_security_group.app`, State: state, UnmanagedRules: []inventory.Rule{}},
		appB:    {ManagedBy: "terraform", Address: `module.app["b"].aws_security_group.app`, State: state, UnmanagedRules: []inventory.Rule{appBOut}},
		innerID: {ManagedBy: "terraform", Address: `module.app["a"].module.inner.aws_security_group.inner`, State: state, UnmanagedRules: []inventory.Rule{}},
		// A registry module's group is managed even though its code is
		// elsewhere.
		remoteID: {ManagedBy: "terraform", Address: "module.remote.aws_security_group.this[0]", State: state, UnmanagedRules: []inventory.Rule{}},
	}
	got := map[string]*inventory.IaC{}
	for _, g := range inv.SecurityGroups {
		if g.IaC != nil {
			got[g.ID] = g.IaC
		}
		if err := g.Validate(); err != nil {
			t.Errorf("annotated group %s does not validate: %v", g.ID, err)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("iac (-want +got):\n%s", diff)
	}
}

// TestShowJSON: `terraform show -json` output maps like the state file.
func TestShowJSON(t *testing.T) {
	t.Parallel()
	root, opts := fixture(t)
	show := map[string]any{
		"format_version": "1.0", "terraform_version": "1.9.0",
		"values": map[string]any{"root_module": map[string]any{
			"resources": []any{map[string]any{
				"address": "aws_security_group.web", "mode": "managed", "type": "aws_security_group", "name": "web",
				"values": map[string]any{"id": webID, "arn": arn(webID), "ingress": []any{inlineRule("tcp", 443, 443, "0.0.0.0/0")}},
			}},
			"child_modules": []any{map[string]any{
				"address": `module.app["b"]`,
				"resources": []any{map[string]any{
					"address": `module.app["b"].aws_security_group.app`, "mode": "managed", "type": "aws_security_group", "name": "app",
					"values": map[string]any{"id": appB},
				}},
			}},
		}},
	}
	writeFiles(t, root, map[string]string{"show.json": mustJSON(t, show)})
	opts.States = []string{filepath.Join(root, "show.json")}
	m, err := Load(opts)
	if err != nil {
		t.Fatal(err)
	}
	fs := []findings.Finding{finding(webID, &https), finding(appB, nil)}
	m.Map(fixtureInventory(), fs)
	want := []*findings.Source{
		{File: "infra/main.tf", StartLine: 9, EndLine: 15, Address: "aws_security_group.web"},
		{File: "infra/modules/app/main.tf", StartLine: 3, EndLine: 5, Address: `module.app["b"].aws_security_group.app`},
	}
	if diff := cmp.Diff(want, []*findings.Source{fs[0].Source, fs[1].Source}); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestLoadErrors: bad input is one error wrapping ErrInput naming the file.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		opts  func(root string) Options
		want  string
	}{
		{"state not JSON", map[string]string{"s.tfstate": "{"},
			func(r string) Options { return Options{Root: r, States: []string{filepath.Join(r, "s.tfstate")}} },
			"invalid IaC input: %ROOT%/s.tfstate:1: not a Terraform state in JSON: unexpected EOF"},
		{"the JSON of a plan, which has no state values", map[string]string{"plan.json": `{"format_version": "1.2", "planned_values": {"root_module": {}}, "prior_state": {"values": {}}}`},
			func(r string) Options { return Options{Root: r, States: []string{filepath.Join(r, "plan.json")}} },
			"invalid IaC input: %ROOT%/plan.json: the JSON of a plan, not of a state: give `terraform show -json` without a plan file, or the state file"},
		{"state version 3", map[string]string{"s.tfstate": `{"version": 3}`},
			func(r string) Options { return Options{Root: r, States: []string{filepath.Join(r, "s.tfstate")}} },
			"invalid IaC input: %ROOT%/s.tfstate: state format version 3 (want 4, written by Terraform 0.12 and later)"},
		{"HCL syntax error", map[string]string{"tf/main.tf": "resource \"a\" \"b\" {\n  x = \n}\n", "s.tfstate": `{"version": 4, "resources": [{"mode": "managed", "type": "aws_security_group", "name": "b", "instances": [{"attributes": {"id": "sg-1"}}]}]}`},
			func(r string) Options {
				return Options{Root: r, Dirs: []string{filepath.Join(r, "tf")}, States: []string{filepath.Join(r, "s.tfstate")}}
			},
			"invalid IaC input: %ROOT%/tf/main.tf:2: Invalid expression"},
		{"HCL nested past the limit (the parser's recursion overflowed the stack)", map[string]string{
			"tf/main.tf": "locals {\n  x = " + strings.Repeat("[", 1_000_000) + strings.Repeat("]", 1_000_000) + "\n}\n",
			"s.tfstate":  `{"version": 4, "resources": []}`},
			func(r string) Options {
				return Options{Root: r, Dirs: []string{filepath.Join(r, "tf")}, States: []string{filepath.Join(r, "s.tfstate")}}
			},
			"invalid IaC input: %ROOT%/tf/main.tf:2: nested deeper than 500"},
		{"template not a template", map[string]string{"t.yaml": "a: 1\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.yaml")}}}
			},
			"invalid IaC input: %ROOT%/t.yaml: not a CloudFormation template (no Resources mapping)"},
		{"template bad JSON", map[string]string{"t.json": "{\n\"Resources\": {\n\"A\": [1,}}\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.json")}}}
			},
			"invalid IaC input: %ROOT%/t.json:3: invalid character ',' at start of value"},
		{"state value of the wrong type, on its line", map[string]string{"s.tfstate": "{\"version\": 4, \"resources\": [\n{\"mode\": \"managed\", \"type\": \"aws_security_group\", \"name\": \"a\",\n\"instances\": [{\"attributes\":\n{\"id\": 5}}]}]}"},
			func(r string) Options { return Options{Root: r, States: []string{filepath.Join(r, "s.tfstate")}} },
			"invalid IaC input: %ROOT%/s.tfstate:4: resources.0.instances.0.attributes.id: a number where a string is wanted"},
		{"show -json value of the wrong type", map[string]string{"s.json": "{\"format_version\": \"1.0\", \"values\": {\"root_module\": {\"child_modules\": [{\"address\": \"module.a\",\n\"resources\": [{\"address\": \"module.a.aws_security_group.x\", \"mode\": \"managed\", \"type\": \"aws_security_group\", \"name\": \"x\",\n\"values\": {\"id\": \"sg-1\",\n\"ingress\": [{\"cidr_blocks\": \"0.0.0.0/0\"}]}}]}]}}}"},
			func(r string) Options { return Options{Root: r, States: []string{filepath.Join(r, "s.json")}} },
			"invalid IaC input: %ROOT%/s.json:4: values.root_module.child_modules.0.resources.0.values.ingress.0.cidr_blocks: a string where an array is wanted"},
		{"JSON template with a syntax error YAML would accept", map[string]string{"t.json": "{\"Resources\": {\"A\": {\"Type\": \"x\",\n\"Properties\": {\"CidrIp\"}}}}\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.json")}}}
			},
			"invalid IaC input: %ROOT%/t.json:2: invalid character '}' after object name (expecting ':')"},
		{"JSON template naming a key twice", map[string]string{"t.json": "{\"Resources\": {\"A\": {\"Type\": \"x\",\n\"Properties\": {\"CidrIp\": \"a\",\n\"CidrIp\": \"b\"}}}}\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.json")}}}
			},
			"invalid IaC input: %ROOT%/t.json:3: duplicate object member name"},
		{"YAML template naming a key twice", map[string]string{"t.yaml": "Resources:\n  A:\n    Type: x\n    Type: y\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.yaml")}}}
			},
			"invalid IaC input: %ROOT%/t.yaml:4: key \"Type\" given twice"},
		{"YAML syntax error", map[string]string{"t.yaml": "Resources:\n  A:\n    B: [\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "t.yaml")}}}
			},
			"invalid IaC input: %ROOT%/t.yaml:3: did not find expected node content"},
		{"template missing", nil,
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "x", File: filepath.Join(r, "nope.yaml")}}}
			},
			"invalid IaC input: read %ROOT%/nope.yaml: stat %ROOT%/nope.yaml: no such file or directory"},
		{"bad glob", map[string]string{"t.yaml": "Resources: {}\n"},
			func(r string) Options {
				return Options{Root: r, Templates: []TemplateMapping{{Stack: "[", File: filepath.Join(r, "t.yaml")}}}
			},
			`invalid IaC input: CloudFormation stack pattern "[": not a name or glob`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			_, err := Load(tt.opts(root))
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error %v does not wrap ErrInput", err)
			}
			want := strings.ReplaceAll(tt.want, "%ROOT%", root)
			if err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
		})
	}
}

// TestLoadRootIsRepository: run in a subdirectory of the repository
// (cd infra; --iac .) or with --iac ../infra, files are still relative
// to the repository's root, where GitHub resolves SARIF URIs; without a
// repository, to the working directory.
func TestLoadRootIsRepository(t *testing.T) {
	tests := []struct {
		name    string
		git     bool
		workdir string // slash path under the root
		dirs    []string
		want    string
	}{
		{"in the repository's root", true, ".", []string{"infra"}, "infra/main.tf"},
		{"in the module's directory", true, "infra", []string{"."}, "infra/main.tf"},
		{"in a sibling directory, --iac ../infra", true, "docs", []string{"../infra"}, "infra/main.tf"},
		{"in no repository: the working directory", false, "infra", []string{"."}, "main.tf"},
	}
	t.Run("--iac outside the repository: not mapped, and said", func(t *testing.T) {
		root, opts := fixture(t)
		writeFiles(t, root, map[string]string{"repo/.git/HEAD": "ref: refs/heads/main\n"})
		t.Chdir(filepath.Join(root, "repo"))
		opts.Root, opts.Dirs, opts.Templates = "", []string{"../infra"}, nil
		m, err := Load(opts)
		if err != nil {
			t.Fatal(err)
		}
		fs := []findings.Finding{finding(webID, nil)}
		m.Map(fixtureInventory(), fs)
		if fs[0].Source != nil || len(m.Warnings()) != 1 || !strings.Contains(m.Warnings()[0], "--iac ../infra is outside the repository's root") {
			t.Errorf("source %+v, warnings %q: want none, and one warning naming --iac ../infra", fs[0].Source, m.Warnings())
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, opts := fixture(t)
			if tt.git {
				writeFiles(t, root, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "docs/notes.txt": "x\n"})
			}
			t.Chdir(filepath.Join(root, filepath.FromSlash(tt.workdir)))
			opts.Root, opts.Dirs, opts.Templates = "", tt.dirs, nil
			m, err := Load(opts)
			if err != nil {
				t.Fatal(err)
			}
			fs := []findings.Finding{finding(webID, nil)}
			m.Map(fixtureInventory(), fs)
			if fs[0].Source == nil || fs[0].Source.File != tt.want {
				t.Errorf("source %+v, want file %s", fs[0].Source, tt.want)
			}
			if len(m.Warnings()) != 0 {
				t.Errorf("warnings %q, want none", m.Warnings())
			}
		})
	}
}
