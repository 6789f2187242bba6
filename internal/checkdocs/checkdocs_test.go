package checkdocs

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// catalogue loads the built-in checks exactly as `sgaudit checks` does
// without a configuration file: the real METADATA, default on/off states.
func catalogue(t *testing.T) []findings.Check {
	t.Helper()
	eng, err := engine.Load(context.Background(), policies.FS, engine.Options{})
	if err != nil {
		t.Fatalf("load the built-in policies: %v", err)
	}
	checks := eng.Checks()
	if len(checks) == 0 {
		t.Fatal("the built-in catalogue is empty")
	}
	return checks
}

// docsDir is the repository's docs/ directory.
func docsDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "docs"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestIndexUpToDate fails when docs/checks.md is not what the catalogue
// generates: someone changed a policy's METADATA without `make docs`.
// UPDATE_GOLDEN=1 rewrites the file, as the reporters' goldens do.
func TestIndexUpToDate(t *testing.T) {
	path := filepath.Join(docsDir(t), "checks.md")
	golden.AssertUpdatedBy(t, path, Index(catalogue(t)), "run `make docs`")
}

// TestPagesMatchCatalogue holds every built-in check's page to its
// METADATA: the page exists, has every section, and states the same title,
// default severity, default on/off state and framework controls.
func TestPagesMatchCatalogue(t *testing.T) {
	t.Parallel()
	dir := docsDir(t)
	for _, c := range catalogue(t) {
		if !Builtin(c) {
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(dir, PagePath(c.ID)))
			if err != nil {
				t.Fatalf("%s has no page: %v; write docs/%s", c.ID, err, PagePath(c.ID))
			}
			p := parsePage(string(b))
			checkStructure(t, p)

			on := "yes"
			if c.Status == findings.CheckDisabled {
				on = "no"
			}
			want := page{ID: c.ID, Title: c.Title, Severity: string(c.Severity), OnByDefault: on, Frameworks: sortedControls(c.Frameworks)}
			got := page{ID: p.ID, Title: p.Title, Severity: p.Severity, OnByDefault: p.OnByDefault, Frameworks: p.Frameworks}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(page{}, "Sections", "Headings")); diff != "" {
				t.Errorf("docs/%s disagrees with the check's METADATA (-METADATA +page):\n%s", PagePath(c.ID), diff)
			}
		})
	}
}

// sortedControls copies a framework mapping with each control list sorted,
// as parsePage returns them: the order of controls is presentation.
func sortedControls(fw map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range fw {
		out[k] = slices.Sorted(slices.Values(v))
	}
	return out
}

// TestEveryPageWellFormed checks all pages, also those of checks that are
// documented ahead of their policy: named after their id, every section
// present and not empty, a stated severity, a bad example that shows the
// command creating the problem and the rule as DescribeSecurityGroupRules
// prints it, and a remediation command.
func TestEveryPageWellFormed(t *testing.T) {
	t.Parallel()
	pages, err := filepath.Glob(filepath.Join(docsDir(t), "checks", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no pages in docs/checks")
	}
	for _, path := range pages {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			p := parsePage(string(b))
			if p.ID+".md" != name {
				t.Errorf("title names %q; a page is named after its check id", p.ID)
			}
			if _, err := findings.ParseSeverity(p.Severity); err != nil || p.Severity != strings.ToUpper(p.Severity) {
				t.Errorf("no \"- Severity: **LEVEL**\" line in the header (got %q)", p.Severity)
			}
			if p.OnByDefault != "yes" && p.OnByDefault != "no" {
				t.Errorf("no \"- On by default: yes|no\" line in the header (got %q)", p.OnByDefault)
			}
			checkStructure(t, p)

			bad := p.Sections["Bad example"]
			if !slices.ContainsFunc(codeBlocks(bad, "sh"), isAWSCommand) {
				t.Error("the bad example has no ```sh block with the aws command that creates the problem")
			}
			if len(codeBlocks(bad, "json")) == 0 {
				t.Error("the bad example has no ```json block with the rule or group as AWS describes it")
			}
			if !slices.ContainsFunc(codeBlocks(p.Sections["Remediation"], "sh"), isAWSCommand) {
				t.Error("the remediation has no ```sh block with an aws command")
			}
			for _, js := range codeBlocks(string(b), "json") {
				if !json.Valid([]byte(js)) {
					t.Errorf("invalid JSON block:\n%s", js)
				}
			}
			// The tuning section names the configuration key of this check.
			if !strings.Contains(p.Sections["Tuning and suppression"], p.ID) {
				t.Errorf("the tuning section does not say how to configure %s", p.ID)
			}
		})
	}
}

func isAWSCommand(block string) bool {
	return regexp.MustCompile(`(?m)^\s*aws [a-z0-9-]+ [a-z0-9-]+`).MatchString(block)
}

// checkStructure fails unless p has every required section, in order, each
// with content.
func checkStructure(t *testing.T, p page) {
	t.Helper()
	var order []string
	for _, h := range p.Headings {
		if slices.Contains(requiredSections, h) {
			order = append(order, h)
		}
	}
	if diff := cmp.Diff(requiredSections, order); diff != "" {
		t.Errorf("sections missing or out of order (-want +got):\n%s", diff)
	}
	for _, h := range requiredSections {
		if s, ok := p.Sections[h]; ok && s == "" {
			t.Errorf("section %q is empty", h)
		}
	}
}

// mdLink finds Markdown links and images: [text](target).
var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestRelativeLinksResolve follows every relative link in docs/checks.md
// and the pages to a file of the repository, so a renamed policy or page
// cannot leave a dead link behind.
func TestRelativeLinksResolve(t *testing.T) {
	t.Parallel()
	dir := docsDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "checks", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join(dir, "checks.md"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mdLink.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			if _, err := os.Stat(filepath.Join(filepath.Dir(f), filepath.FromSlash(target))); err != nil {
				rel, _ := filepath.Rel(filepath.Dir(dir), f)
				t.Errorf("%s links to %s, which does not exist", rel, m[1])
			}
		}
	}
}

// TestPageURL checks that the helpUri SARIF gives each built-in check is
// the published address of a page that exists in the repository.
func TestPageURL(t *testing.T) {
	t.Parallel()
	const repoBlob = "https://github.com/sgaudit/sgaudit/blob/main/"
	root := filepath.Dir(docsDir(t))
	for _, c := range catalogue(t) {
		if !Builtin(c) {
			continue
		}
		u := PageURL(c.ID)
		rel, ok := strings.CutPrefix(u, repoBlob)
		if !ok {
			t.Errorf("PageURL(%s) = %s, not a file on the main branch of %s", c.ID, u, repoBlob)
			continue
		}
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			t.Errorf("PageURL(%s) = %s, but %s is not in the repository", c.ID, u, rel)
		}
	}
}

func TestBuiltin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		check findings.Check
		want  bool
	}{
		{"built-in", findings.Check{ID: "SGA001"}, true},
		{"custom id", findings.Check{ID: "ACME001", Custom: true}, false},
		{"custom policy borrowing the prefix", findings.Check{ID: "SGA900", Custom: true}, false},
		{"not the built-in id shape", findings.Check{ID: "SGA0001"}, false},
		{"lower case", findings.Check{ID: "sga001"}, false},
		{"empty", findings.Check{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Builtin(tt.check); got != tt.want {
				t.Errorf("Builtin(%+v) = %v, want %v", tt.check, got, tt.want)
			}
		})
	}
}

// indexRow is one parsed row of the index table.
type indexRow struct {
	ID, Link, Title, Severity, On, Frameworks string
}

// linkCell reads "[SGA001](checks/SGA001.md)" or a bare id.
var linkCell = regexp.MustCompile(`^\[([^\]]+)\]\(([^)]+)\)$`)

// parseIndex reads the rows of the index table (every line starting with
// "| " after the header and separator).
func parseIndex(t *testing.T, md string) []indexRow {
	t.Helper()
	var rows []indexRow
	seenHeader := false
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		if !seenHeader || strings.HasPrefix(line, "|---") {
			seenHeader = true
			continue
		}
		cells := tableCells(line)
		if len(cells) != 5 {
			t.Fatalf("row has %d cells, want 5: %s", len(cells), line)
		}
		r := indexRow{ID: cells[0], Title: cells[1], Severity: cells[2], On: cells[3], Frameworks: cells[4]}
		if m := linkCell.FindStringSubmatch(cells[0]); m != nil {
			r.ID, r.Link = m[1], m[2]
		}
		rows = append(rows, r)
	}
	return rows
}

func TestIndex(t *testing.T) {
	t.Parallel()
	ssh := findings.Check{
		ID: "SGA001", Title: "Admin port open to the world", Severity: findings.SeverityHigh,
		Status: findings.CheckEvaluated,
		Frameworks: map[string][]string{
			"aws-security-hub":    {"EC2.13", "EC2.14"},
			"cis-aws-foundations": {"v3.0:5.2", "v4.0:5.3", "v3.0:5.3", "5.x", "v5:"},
		},
	}
	egress := findings.Check{
		ID: "SGA014", Title: "Unrestricted egress", Severity: findings.SeverityLow, Status: findings.CheckDisabled,
	}
	custom := findings.Check{
		ID: "ACME001", Title: "Ports | 8080 <b>open</b>\nto partners", Severity: findings.SeverityMedium,
		Custom: true, Status: findings.CheckEvaluated,
		Frameworks: map[string][]string{"pci-dss": {"1.3.1"}, "aws-security-hub": {"EC2.18"}},
	}
	tests := []struct {
		name   string
		checks []findings.Check
		want   []indexRow
	}{
		{
			name:   "rows sorted by id whatever the input order",
			checks: []findings.Check{egress, ssh, custom},
			want: []indexRow{
				{ID: "ACME001", Title: `Ports \| 8080 &lt;b&gt;open&lt;/b&gt; to partners (custom)`, Severity: "MEDIUM", On: "yes",
					Frameworks: "Security Hub EC2.18<br>pci-dss 1.3.1"},
				{ID: "SGA001", Link: PagePath("SGA001"), Title: ssh.Title, Severity: "HIGH", On: "yes",
					Frameworks: "CIS AWS Foundations v3.0 5.2, 5.3; v4.0 5.3; 5.x, v5:<br>Security Hub EC2.13, EC2.14"},
				{ID: "SGA014", Link: PagePath("SGA014"), Title: egress.Title, Severity: "LOW", On: "no", Frameworks: "–"},
			},
		},
		{
			name:   "empty catalogue",
			checks: nil,
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := Index(tt.checks)
			if diff := cmp.Diff(tt.want, parseIndex(t, string(out))); diff != "" {
				t.Errorf("index rows (-want +got):\n%s", diff)
			}
			if !strings.Contains(string(out), "sgaudit checks --format markdown") || !strings.Contains(string(out), "do not edit") {
				t.Error("the index does not say it is generated and by what")
			}
			// The input order must not matter, nor may Index reorder the
			// caller's slice.
			before := slices.Clone(tt.checks)
			reversed := slices.Clone(tt.checks)
			slices.Reverse(reversed)
			if string(Index(reversed)) != string(out) {
				t.Error("Index depends on the order of its input")
			}
			if diff := cmp.Diff(before, tt.checks); diff != "" {
				t.Errorf("Index modified its input:\n%s", diff)
			}
		})
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	// A page written the way the docs are, with traps: a heading inside a
	// code block, a framework row with backquoted controls, and prose
	// mentioning another check's severity after the header.
	const text = "# SGA001: Admin port open to the world\n\n" +
		"- Severity: **HIGH**; CRITICAL when an interface has a public IP\n" +
		"- On by default: yes\n\n" +
		"## What it flags\n\nSSH.\n\n```sh\n## not a heading\naws ec2 describe-security-group-rules\n```\n\n" +
		"## Compliance\n\n| Framework | Version | Controls |\n|---|---|---|\n" +
		"| CIS AWS Foundations Benchmark (`cis-aws-foundations`) | v4.0 | `5.4`, 5.3 |\n" +
		"| CIS AWS Foundations Benchmark (`cis-aws-foundations`) | v3.0 | 5.2 |\n" +
		"| AWS Security Hub (`aws-security-hub`) | – | EC2.13 |\n\nSeverity: LOW is what SGA007 uses.\n" +
		"\n| Other table | Controls |\n|---|---|\n| PCI DSS (`pci-dss`) | 1.2.5 |\n"
	got := parsePage(text)
	want := page{
		ID: "SGA001", Title: "Admin port open to the world", Severity: "HIGH", OnByDefault: "yes",
		Headings: []string{"What it flags", "Compliance"},
		Frameworks: map[string][]string{
			"cis-aws-foundations": {"v3.0:5.2", "v4.0:5.3", "v4.0:5.4"},
			"aws-security-hub":    {"EC2.13"},
			"pci-dss":             {"1.2.5"},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(page{}, "Sections")); diff != "" {
		t.Errorf("parsePage (-want +got):\n%s", diff)
	}
	if s := got.Sections["What it flags"]; !strings.Contains(s, "## not a heading") {
		t.Errorf("the code block was cut out of its section: %q", s)
	}
}
