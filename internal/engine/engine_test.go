package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// testPack is the small policy pack under testdata/pack, shaped like the
// real policies/ directory.
func testPack() fstest.MapFS {
	fsys := fstest.MapFS{}
	root := filepath.Join("testdata", "pack")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fsys[filepath.ToSlash(rel)] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return fsys
}

// meta is a valid METADATA block for a check; tests replace parts of it.
func meta(id, severity string) string {
	return `# METADATA
# title: Test check ` + id + `
# description: Flags every group.
# custom:
#   id: ` + id + `
#   severity: ` + severity + `
#   resolution: Fix it.
`
}

// everyGroup is a deny rule that reports every group once.
const everyGroup = `
deny contains {"group_arn": g.arn, "msg": sprintf("%s flagged", [g.id])} if {
	some g in input.security_groups
}
`

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

// writeFiles writes files under a fresh temporary directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCatalogueFromMetadata(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  []findings.Check
	}{
		{
			name: "every field",
			files: map[string]string{"checks/open_ssh.rego": `# METADATA
# title: SSH open to the world
# description: |
#   An ingress rule lets the world reach port 22.
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13
# custom:
#   id: ACME001
#   severity: high
#   resolution: Use SSM Session Manager.
#   frameworks:
#     cis-aws-foundations: ["5.2", 5.3]
#     aws-security-hub: EC2.13
#   tags: [network, ssh]
#   requires: [network_interfaces, security_group_rules]
package acme.checks.open_ssh
` + everyGroup},
			want: []findings.Check{{
				ID: "ACME001", Name: "open-ssh", Title: "SSH open to the world",
				Description: "An ingress rule lets the world reach port 22.",
				Severity:    findings.SeverityHigh, Resolution: "Use SSM Session Manager.",
				Frameworks:       map[string][]string{"cis-aws-foundations": {"5.2", "5.3"}, "aws-security-hub": {"EC2.13"}},
				Tags:             []string{"network", "ssh"},
				RelatedResources: []string{"https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13"},
				Requires:         []string{"network_interfaces", "security_group_rules"},
				Status:           findings.CheckEvaluated,
			}},
		},
		{
			name: "sorted by id, libraries are not checks, off by default",
			files: map[string]string{
				"checks/b.rego": meta("ACME002", "LOW") + "package acme.checks.b\n" + everyGroup,
				"checks/a.rego": meta("ACME010", "MEDIUM") + "#   enabled: false\npackage acme.checks.a\n" + everyGroup,
				"lib/util.rego": "package acme.lib.util\n\nworld := {\"0.0.0.0/0\"}\n",
			},
			want: []findings.Check{
				{ID: "ACME002", Name: "b", Title: "Test check ACME002", Description: "Flags every group.", Severity: findings.SeverityLow, Resolution: "Fix it.", Status: findings.CheckEvaluated},
				{ID: "ACME010", Name: "a", Title: "Test check ACME010", Description: "Flags every group.", Severity: findings.SeverityMedium, Resolution: "Fix it.", Status: findings.CheckDisabled},
			},
		},
		{
			name: "configuration enables, disables and re-grades",
			files: map[string]string{
				"checks/b.rego": meta("ACME002", "LOW") + "package acme.checks.b\n" + everyGroup,
				"checks/a.rego": meta("ACME010", "MEDIUM") + "#   enabled: false\npackage acme.checks.a\n" + everyGroup,
				"checks/c.rego": meta("ACME011", "MEDIUM") + "#   enabled: false\npackage acme.checks.c\n" + everyGroup,
			},
			opts: Options{
				Enabled:           map[string]bool{"ACME010": true, "ACME011": true},
				Disabled:          map[string]bool{"ACME002": true, "ACME011": true}, // disabling wins
				SeverityOverrides: map[string]findings.Severity{"ACME010": "critical"},
			},
			want: []findings.Check{
				{ID: "ACME002", Name: "b", Title: "Test check ACME002", Description: "Flags every group.", Severity: findings.SeverityLow, Resolution: "Fix it.", Status: findings.CheckDisabled},
				{ID: "ACME010", Name: "a", Title: "Test check ACME010", Description: "Flags every group.", Severity: findings.SeverityCritical, Resolution: "Fix it.", Status: findings.CheckEvaluated},
				{ID: "ACME011", Name: "c", Title: "Test check ACME011", Description: "Flags every group.", Severity: findings.SeverityMedium, Resolution: "Fix it.", Status: findings.CheckDisabled},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Load(context.Background(), mapFS(tt.files), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, e.Checks(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Checks() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUserPoliciesAreCustomAndSkipTests(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"team/mine.rego":      meta("ACME001", "LOW") + "package acme.mine\n" + everyGroup,
		"team/mine_test.rego": "package acme.mine_test\n\nthis is not even Rego\n",
		"README.md":           "not a policy",
	})
	e, err := Load(context.Background(), testPack(), Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var custom []string
	for _, c := range e.Checks() {
		if c.Custom {
			custom = append(custom, c.ID)
		}
	}
	if diff := cmp.Diff([]string{"ACME001"}, custom); diff != "" {
		t.Errorf("custom checks (-want +got):\n%s", diff)
	}
}

// TestLoadErrors proves that each mistake a user can make is reported as
// one line naming the file (and line), wrapping ErrPolicy.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	good := meta("ACME900", "HIGH") + "package acme.good\n" + everyGroup
	tests := []struct {
		name     string
		embedded map[string]string
		user     map[string]string // written to a temp dir passed as PolicyDirs
		data     map[string]string // written to a temp dir, each passed in DataFiles
		opts     Options
		want     []string // substrings of the one-line message
	}{
		{
			name: "invalid Rego",
			user: map[string]string{"bad.rego": "package acme\n\ndeny contains msg if {\n\tmsg := \n}\n"},
			want: []string{"bad.rego:5: rego_parse_error: unexpected } token"},
		},
		{
			name: "Rego v0 syntax",
			user: map[string]string{"old.rego": "package acme\n\ndeny[msg] {\n\tmsg := \"x\"\n}\n"},
			want: []string{"old.rego:3: rego_parse_error", "`if` keyword is required", "(and 1 more)"},
		},
		{
			name: "strict compile: unused variable",
			user: map[string]string{"strict.rego": meta("ACME001", "LOW") + "package acme.s\n\ndeny contains \"x\" if {\n\tsome g in input.security_groups\n\tunused := 1\n}\n"},
			want: []string{"strict.rego:", "rego_compile_error", "unused"},
		},
		{
			name: "compile: unknown function",
			user: map[string]string{"fn.rego": "package acme.fn\n\nx := nope(1)\n"},
			want: []string{"fn.rego:3: rego_type_error", "nope"},
		},
		{
			name: "network call",
			user: map[string]string{"net.rego": "package acme.net\n\nx := http.send({\"method\": \"get\", \"url\": \"http://example.com\"})\n"},
			want: []string{"net.rego:3: http.send is not allowed in sgaudit policies: it calls the network"},
		},
		{
			name: "METADATA on the deny rule instead of the package",
			user: map[string]string{"ruleonly.rego": "package acme.ruleonly\n\n" + strings.Replace(meta("ACME001", "LOW"), "# METADATA\n", "# METADATA\n# scope: rule\n", 1) + `deny contains "x" if { true }` + "\n"},
			want: []string{"ruleonly.rego:11: package acme.ruleonly defines deny but has no package METADATA"},
		},
		{
			name: "deny as an object rule",
			user: map[string]string{"obj.rego": meta("ACME001", "LOW") + "package acme.obj\n\ndeny[msg] if {\n\tmsg := \"x\"\n}\n"},
			want: []string{"obj.rego:10: deny must be a set rule: write `deny contains msg if {...}`", "deny[msg]"},
		},
		{
			name: "deny as a complete rule",
			user: map[string]string{"whole.rego": meta("ACME001", "LOW") + "package acme.whole\n\ndeny if { true }\n"},
			want: []string{"whole.rego:10: deny must be a set rule"},
		},
		{
			name: "deny as a function",
			user: map[string]string{"fn.rego": meta("ACME001", "LOW") + "package acme.fn\n\ndeny(x) := x\n"},
			want: []string{"fn.rego:10: deny must be a set rule", "deny(x)"},
		},
		{
			name: "deny without METADATA",
			user: map[string]string{"nometa.rego": "package acme.nometa\n" + everyGroup},
			want: []string{"nometa.rego:3: package acme.nometa defines deny but has no package METADATA"},
		},
		{
			name: "METADATA without id",
			user: map[string]string{"noid.rego": "# METADATA\n# title: x\n# description: y\n# custom:\n#   severity: LOW\n#   resolution: z\npackage acme.noid\n" + everyGroup},
			want: []string{"noid.rego:1: METADATA: custom.id is required"},
		},
		{
			name: "METADATA without severity",
			user: map[string]string{"nosev.rego": "# METADATA\n# title: x\n# description: y\n# custom:\n#   id: ACME001\n#   resolution: z\npackage acme.nosev\n" + everyGroup},
			want: []string{"nosev.rego:1: METADATA: check ACME001: custom.severity is required"},
		},
		{
			name: "unknown severity",
			user: map[string]string{"sev.rego": meta("ACME001", "URGENT") + "package acme.sev\n" + everyGroup},
			want: []string{"sev.rego:1: METADATA: check ACME001: custom.severity: unknown severity \"URGENT\""},
		},
		{
			name: "malformed id",
			user: map[string]string{"id.rego": meta("acme-1", "LOW") + "package acme.id\n" + everyGroup},
			want: []string{"id.rego:1: METADATA: custom.id \"acme-1\" must be"},
		},
		{
			name: "missing title",
			user: map[string]string{"t.rego": "# METADATA\n# description: y\n# custom:\n#   id: ACME001\n#   severity: LOW\n#   resolution: z\npackage acme.t\n" + everyGroup},
			want: []string{"t.rego:1: METADATA: check ACME001: title is required"},
		},
		{
			name: "unknown required data kind",
			user: map[string]string{"req.rego": meta("ACME001", "LOW") + "#   requires: [enis]\npackage acme.req\n" + everyGroup},
			want: []string{"req.rego:1: METADATA: check ACME001: custom.requires: unknown data kind \"enis\""},
		},
		{
			name: "METADATA id but no deny",
			user: map[string]string{"nodeny.rego": meta("ACME001", "LOW") + "package acme.nodeny\n\nallow := true\n"},
			want: []string{"nodeny.rego:1: check ACME001 (package acme.nodeny) defines no `deny contains ...` rule"},
		},
		{
			name:     "duplicate id across embedded and user checks",
			embedded: map[string]string{"checks/one.rego": meta("SGA001", "LOW") + "package sgaudit.checks.one\n" + everyGroup},
			user:     map[string]string{"two.rego": meta("SGA001", "LOW") + "package acme.two\n" + everyGroup},
			want:     []string{"two.rego: duplicate check id SGA001 (also declared in policies/checks/one.rego)"},
		},
		// Issue 9: a package inside data.sgaudit merges with the
		// embedded data under the same path, unchecked.
		{
			name: "custom package inside data.sgaudit",
			user: map[string]string{"ports.rego": "# Replaces the admin port list.\npackage sgaudit.ports\n\nadmin := []\n"},
			want: []string{"ports.rego:2: package sgaudit.ports is inside sgaudit's own namespace data.sgaudit; custom checks use a package of their own, such as acme.checks.<name> (docs/writing-policies.md)"},
		},
		{
			name: "custom package sgaudit",
			user: map[string]string{"root.rego": "package sgaudit\n\nports := {}\n"},
			want: []string{"root.rego:1: package sgaudit is inside sgaudit's own namespace data.sgaudit"},
		},
		{
			name: "custom package inside an embedded package",
			user: map[string]string{"sub.rego": "package acme.good.more\n\nx := 1\n"},
			want: []string{"sub.rego:1: package acme.good.more overlaps the built-in package acme.good (policies/checks/good.rego)"},
		},
		{
			name: "custom package holding an embedded package",
			user: map[string]string{"up.rego": "package acme\n\ngood := {}\n"},
			want: []string{"up.rego:1: package acme overlaps the built-in package acme.good (policies/checks/good.rego)"},
		},
		{
			name: "data file not JSON",
			data: map[string]string{"bad.json": "{\n  \"sgaudit\": {\n    \"ports\": [22,]\n  }\n}\n"},
			want: []string{"bad.json:3: invalid JSON data: invalid character ']'"},
		},
		{
			name: "data file not YAML",
			data: map[string]string{"bad.yaml": "sgaudit:\n  ports: [22\n"},
			want: []string{"bad.yaml:1: invalid YAML data: did not find expected ',' or ']'"},
		},
		{
			name: "data file holds an array",
			data: map[string]string{"list.json": "[1, 2]"},
			want: []string{"list.json: data file must hold an object at the top level, got an array"},
		},
		{
			name: "data file holds two values",
			data: map[string]string{"two.json": "{} {}"},
			want: []string{"two.json: invalid JSON data: more than one value"},
		},
		{
			name: "empty YAML data file",
			data: map[string]string{"empty.yaml": ""},
			want: []string{"empty.yaml: data file must hold an object at the top level, got null"},
		},
		{
			name: "missing data file",
			opts: Options{DataFiles: []string{"testdata/nope.json"}},
			want: []string{"testdata/nope.json: read data file: no such file or directory"},
		},
		{
			name: "missing policy dir",
			opts: Options{PolicyDirs: []string{"testdata/nope"}},
			want: []string{"testdata/nope: read policy directory: no such file or directory"},
		},
		{
			name: "policy dir without policies",
			user: map[string]string{"only_test.rego": "package acme_test\n"},
			want: []string{"no .rego files found"},
		},
		{
			name: "unknown check id in configuration",
			opts: Options{Disabled: map[string]bool{"ACME999": true}},
			want: []string{"unknown check id \"ACME999\" in disabled checks"},
		},
		{
			name: "unknown severity in configuration",
			opts: Options{SeverityOverrides: map[string]findings.Severity{"ACME900": "severe"}},
			want: []string{"severity override for ACME900: unknown severity \"severe\""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			embedded := tt.embedded
			if embedded == nil {
				embedded = map[string]string{"checks/good.rego": good}
			}
			if tt.user != nil {
				opts.PolicyDirs = append(opts.PolicyDirs, writeFiles(t, tt.user))
			}
			if tt.data != nil {
				dir := writeFiles(t, tt.data)
				for name := range tt.data {
					opts.DataFiles = append(opts.DataFiles, filepath.Join(dir, name))
				}
			}
			_, err := Load(context.Background(), mapFS(embedded), opts)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if !errors.Is(err, ErrPolicy) {
				t.Errorf("error %q does not wrap ErrPolicy", err)
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Errorf("error %q is not a *PolicyError", err)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") {
				t.Errorf("error is more than one line:\n%s", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestLoadHonoursCancelledContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, testPack(), Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context: got %v, want context.Canceled", err)
	}
	if errors.Is(err, ErrPolicy) {
		t.Errorf("cancellation %q must not be reported as a policy error", err)
	}
}

func TestChecksReturnsACopy(t *testing.T) {
	t.Parallel()
	e, err := Load(context.Background(), testPack(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := e.Checks()
	first[0].Tags[0] = "changed"
	first[0].Frameworks["cis-aws-foundations"][0] = "changed"
	if diff := cmp.Diff(e.Checks()[0].Tags, []string{"network", "ssh", "rdp"}); diff != "" {
		t.Errorf("catalogue changed through a returned copy (-got +want):\n%s", diff)
	}
	if got := e.Checks()[0].Frameworks["cis-aws-foundations"][0]; got != "5.2" {
		t.Errorf("frameworks changed through a returned copy: %q", got)
	}
}
