package policies_test

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The complete check of docs/writing-policies.md is what people copy. These
// tests hold it to everything the built-in checks are held to, and run it
// the way `sgaudit scan --policy-dir` does.

// exampleBlockRE finds a Rego file of the documentation: its path in
// backticks on a line of its own, then the ```rego block.
var exampleBlockRE = regexp.MustCompile("(?s)`(my-policies/[a-z0-9_]+\\.rego)`:\n\n```rego\n(.*?)```")

// customIDPattern is the engine's contract for any check's id
// (internal/engine/catalogue.go).
var customIDPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]*[0-9]{3}$`)

// exampleFiles returns the Rego files of docs/writing-policies.md by path.
// Every ```rego block of the page must be one of them: Rego in the
// documentation that no test reads would drift.
func exampleFiles(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "writing-policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	files := map[string]string{}
	for _, m := range exampleBlockRE.FindAllStringSubmatch(page, -1) {
		files[m[1]] = m[2]
	}
	if n := strings.Count(page, "```rego\n"); n != len(files) {
		t.Errorf("docs/writing-policies.md has %d ```rego blocks, %d of them named files (`my-policies/x.rego`: above the block)", n, len(files))
	}
	return files
}

func TestDocumentedExample(t *testing.T) {
	files := exampleFiles(t)
	var checkFile, testFile string
	for name := range files {
		if strings.HasSuffix(name, "_test.rego") {
			testFile = name
		} else {
			checkFile = name
		}
	}
	if len(files) != 2 || checkFile == "" || testFile != strings.TrimSuffix(checkFile, ".rego")+"_test.rego" {
		t.Fatalf("docs/writing-policies.md shows %v; want one check and its _test.rego", slices.Sorted(func(yield func(string) bool) {
			for k := range files {
				if !yield(k) {
					return
				}
			}
		}))
	}

	modules := map[string]*ast.Module{}
	for name, src := range files {
		if diff := fmtDiff(t, name, []byte(src)); diff != "" {
			t.Errorf("%s is not opa fmt clean (-doc +formatted):\n%s", name, diff)
		}
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			t.Fatalf("parse %s: %v", name, err)
		}
		modules[name] = m
	}

	// The lint of the built-in checks, with the id of a custom check.
	check := modules[checkFile]
	id, _, ok := lintCheck(t, check, customIDPattern)
	if ok && strings.HasPrefix(id, "SGA") {
		t.Errorf("the example's id %s uses the built-in prefix SGA", id)
	}
	stem := strings.TrimSuffix(path.Base(checkFile), ".rego")
	pkg := check.Package.Path.String()
	if !strings.HasSuffix(pkg, "."+stem) {
		t.Errorf("%s: package %s does not end in its file stem %s", checkFile, pkg, stem)
	}
	if got := modules[testFile].Package.Path.String(); got != pkg+"_test" {
		t.Errorf("%s: package %s, want %s_test", testFile, got, pkg)
	}
	for _, lit := range numberLiterals(check) {
		t.Errorf("%s; put it in data", lit)
	}

	t.Run("opa test", func(t *testing.T) { runExampleTests(t, modules, pkg+"_test") })
	t.Run("scan", func(t *testing.T) { scanWithExample(t, checkFile, files[checkFile], id) })
}

// runExampleTests runs the example's Rego tests with the pack's library and
// data, as `opa test my-policies policies/lib policies/data` would.
func runExampleTests(t *testing.T, example map[string]*ast.Module, testPkg string) {
	ctx := context.Background()
	p := loadPack(t)
	modules := map[string]*ast.Module{}
	for name, m := range p.policyModules() {
		if strings.HasPrefix(name, "lib/") {
			modules[name] = m
		}
	}
	for name, m := range example {
		modules[name] = m
	}
	store := inmem.NewFromObject(p.data)
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true)).
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(store).
		SetModules(modules).
		SetTimeout(30*time.Second).
		RaiseBuiltinErrors(true).
		RunTests(ctx, txn)
	if err != nil {
		t.Fatalf("compile the example and its tests: %v", err)
	}
	ran := 0
	for r := range ch {
		if r.Package != testPkg {
			continue
		}
		ran++
		if r.Fail || r.Error != nil || r.Skip {
			t.Errorf("%s.%s: fail %v, skip %v, error %v", r.Package, r.Name, r.Fail, r.Skip, r.Error)
		}
	}
	if ran == 0 {
		t.Errorf("the example's tests (%s) ran no test", testPkg)
	}
}

// scanWithExample loads the example as --policy-dir does, beside the
// built-in pack (strict compilation, refused built-ins, catalogue), and
// judges two groups with it: one without tags, one with an owner tag,
// first with the example's default data, then with data.acme of a --data
// file.
func scanWithExample(t *testing.T, name, src, id string) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), filepath.Dir(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, path.Base(name)), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dataFile := filepath.Join(t.TempDir(), "acme.json")
	if err := os.WriteFile(dataFile, []byte(`{"acme": {"required_tags": ["owner", "cost-center"]}}`), 0o644); err != nil {
		t.Fatal(err)
	}

	const account, region = "111122223333", "eu-west-1"
	group := func(id, name string, tags map[string]string) inventory.SecurityGroup {
		return inventory.SecurityGroup{
			ARN: "arn:aws:ec2:" + region + ":" + account + ":security-group/" + id,
			ID:  id, Name: name, Description: name + " tier", AccountID: account, Region: region,
			VPCID: "vpc-1", Tags: inventory.NewTags(tags),
		}
	}
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Source:        "test",
		Accounts:      []inventory.Account{{ID: account, Partition: "aws"}},
		Coverage: []inventory.Coverage{{
			AccountID: account, Region: region, Status: inventory.CoverageOK,
			Collected: []string{inventory.KindSecurityGroups}, SecurityGroups: 2,
		}},
		SecurityGroups: []inventory.SecurityGroup{
			group("sg-1", "web", nil),
			group("sg-2", "db", map[string]string{"owner": "data"}),
		},
	}
	inv.Sort()

	for _, tt := range []struct {
		name      string
		dataFiles []string
		want      []string // "group: message: remediation"
	}{
		{"default data", nil, []string{
			"sg-1: sg-1 (web) has no owner tag: aws ec2 create-tags --region eu-west-1 --resources sg-1 --tags 'Key=owner,Value=TEAM'",
		}},
		{"--data", []string{dataFile}, []string{
			"sg-1: sg-1 (web) has no cost-center tag: aws ec2 create-tags --region eu-west-1 --resources sg-1 --tags 'Key=cost-center,Value=TEAM'",
			"sg-1: sg-1 (web) has no owner tag: aws ec2 create-tags --region eu-west-1 --resources sg-1 --tags 'Key=owner,Value=TEAM'",
			"sg-2: sg-2 (db) has no cost-center tag: aws ec2 create-tags --region eu-west-1 --resources sg-2 --tags 'Key=cost-center,Value=TEAM'",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := engine.Load(ctx, policies.FS, engine.Options{PolicyDirs: []string{dir}, DataFiles: tt.dataFiles, Workers: 1})
			if err != nil {
				t.Fatalf("load the example as --policy-dir: %v", err)
			}
			i := slices.IndexFunc(e.Checks(), func(c findings.Check) bool { return c.ID == id })
			if i < 0 || !e.Checks()[i].Custom {
				t.Fatalf("the catalogue has no custom check %s", id)
			}
			fs, _, err := e.Evaluate(ctx, inv)
			if err != nil {
				t.Fatalf("evaluate: %v", err)
			}
			var got []string
			fingerprints := map[string]bool{}
			for _, f := range fs {
				if f.CheckID != id {
					continue
				}
				got = append(got, f.GroupID+": "+f.Message+": "+f.Remediation)
				fingerprints[f.Fingerprint] = true
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings of %s (-want +got):\n%s", id, diff)
			}
			if len(fingerprints) != len(got) {
				t.Errorf("%d findings share %d fingerprints: the discriminator must tell them apart", len(got), len(fingerprints))
			}
		})
	}
}

// TestDocumentedDataOnlyPort applies the configuration of "Adding a port
// or a service: data only" in docs/writing-policies.md as `sgaudit scan`
// does, and checks what the page promises: tcp 8443 from the world becomes
// an SGA001 finding, which it is not without the configuration.
func TestDocumentedDataOnlyPort(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join("..", "docs", "writing-policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, _ := strings.Cut(string(b), "## Adding a port or a service: data only\n")
	section, _, _ = strings.Cut(section, "\n## ")
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal("the data-only section of docs/writing-policies.md has no ```yaml block")
	}
	cfg, err := config.Parse(".sgaudit.yaml", []byte(m[1]))
	if err != nil {
		t.Fatalf("parse the documented configuration: %v", err)
	}

	const account, region = "111122223333", "eu-west-1"
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion,
		Source:        "test",
		Accounts:      []inventory.Account{{ID: account, Partition: "aws"}},
		Coverage: []inventory.Coverage{{
			AccountID: account, Region: region, Status: inventory.CoverageOK,
			Collected: []string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules}, SecurityGroups: 1,
		}},
		SecurityGroups: []inventory.SecurityGroup{{
			ARN: "arn:aws:ec2:" + region + ":" + account + ":security-group/sg-1",
			ID:  "sg-1", Name: "console", Description: "admin console", AccountID: account, Region: region, VPCID: "vpc-1",
			Rules: inventory.NewRules(inventory.Rule{
				ID: "sgr-1", Direction: inventory.Ingress, Protocol: inventory.ProtocolTCP, RawProtocol: "tcp",
				FromPort: 8443, ToPort: 8443, Description: "console",
				Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"},
			}),
		}},
	}
	inv.Sort()

	for _, tt := range []struct {
		name string
		cfg  *config.Config
		want []string // SGA001 messages
	}{
		{"defaults", nil, nil},
		{"documented configuration", cfg, []string{"sg-1 (console) allows Admin console (tcp 8443) from 0.0.0.0/0 through tcp 8443"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eng, err := scan.LoadEngine(ctx, scan.Options{Config: tt.cfg})
			if err != nil {
				t.Fatalf("load the policies: %v", err)
			}
			fs, _, err := eng.Evaluate(ctx, inv)
			if err != nil {
				t.Fatalf("evaluate: %v", err)
			}
			var got []string
			for _, f := range fs {
				if f.CheckID == "SGA001" {
					got = append(got, f.Message)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("SGA001 findings (-want +got):\n%s", diff)
			}
		})
	}
}
