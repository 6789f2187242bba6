package checkdocs

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The repository's comments and documents cite its own pages, often with a
// numbered section: "docs/architecture.md §6". These tests keep every such
// citation pointing at a page and a section that exist, and keep out
// citations of documents that are not in the repository.

// citationRE finds a citation of a page under docs/, optionally written as
// a Markdown link whose text is the path, optionally followed by sections:
// "docs/inventory.md §5", "[docs/inventory.md](inventory.md) §5",
// "docs/architecture.md §4 and §6".
var citationRE = regexp.MustCompile(`docs/([A-Za-z0-9_./-]+\.md)(?:\]\([^)\s]*\))?((?:,? §[0-9]+)(?:(?:, | and | or )§[0-9]+)*)?`)

// sectionNumberRE reads the section numbers out of citationRE's second group.
var sectionNumberRE = regexp.MustCompile(`§([0-9]+)`)

// foreignRE finds citations of documents that are not in the repository:
// design and style notes kept outside it, and paths out of it. The names
// are spelt in pieces so that this file does not itself cite them.
var foreignRE = regexp.MustCompile(`\b(?:DESIGN|STYLE)\` + `.md\b|\.\./` + `shared\b`)

// Spellings of the foreign citations, for the test cases.
const (
	designNotes = "DESIGN" + ".md"
	styleNotes  = "STYLE" + ".md"
	outside     = "../" + "shared"
)

// headingRE finds a numbered section heading: "## 6. The engine".
var headingRE = regexp.MustCompile(`(?m)^#{2,6} ([0-9]+)\. `)

// citation is one reference to a page of docs/.
type citation struct {
	Page     string // path under docs/
	Sections []int  // cited section numbers, none for the page as a whole
}

// citations returns the citations of docs/ pages in text, in order.
func citations(text string) []citation {
	var out []citation
	for _, m := range citationRE.FindAllStringSubmatch(text, -1) {
		c := citation{Page: m[1]}
		for _, n := range sectionNumberRE.FindAllStringSubmatch(m[2], -1) {
			i, _ := strconv.Atoi(n[1])
			c.Sections = append(c.Sections, i)
		}
		out = append(out, c)
	}
	return out
}

// sections returns the numbers of a page's numbered headings.
func sections(page string) map[int]bool {
	out := map[int]bool{}
	for _, m := range headingRE.FindAllStringSubmatch(page, -1) {
		i, _ := strconv.Atoi(m[1])
		out[i] = true
	}
	return out
}

func TestCitations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want []citation
	}{
		{"no citation here", nil},
		{"see docs/performance.md.", []citation{{Page: "performance.md"}}},
		{"(docs/architecture.md §6: batches)", []citation{{Page: "architecture.md", Sections: []int{6}}}},
		{"docs/architecture.md §4 and §6", []citation{{Page: "architecture.md", Sections: []int{4, 6}}}},
		{"docs/architecture.md §4, §6 or §7", []citation{{Page: "architecture.md", Sections: []int{4, 6, 7}}}},
		{"[docs/inventory.md](inventory.md) §5", []citation{{Page: "inventory.md", Sections: []int{5}}}},
		{"docs/checks/SGA001.md and docs/inventory.md §13", []citation{{Page: "checks/SGA001.md"}, {Page: "inventory.md", Sections: []int{13}}}},
		// A section sign that does not follow the page is not its section.
		{"docs/inventory.md says §5", []citation{{Page: "inventory.md"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, citations(tt.text)); diff != "" {
			t.Errorf("citations(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestSections(t *testing.T) {
	t.Parallel()
	page := "# Title\n\n## 1. One\n\ntext ## 9. not a heading\n\n### 2. Two\n## Three\n##4. no space\n"
	if diff := cmp.Diff(map[int]bool{1: true, 2: true}, sections(page)); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
}

func TestForeignCitations(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"(" + designNotes + " §3)":   true,
		"see " + styleNotes:          true,
		outside + "/fixtures":        true,
		"docs/architecture.md §3":    false,
		"MY" + designNotes:           false,
		"the design, docs/design.md": false,
	} {
		if got := foreignRE.MatchString(text); got != want {
			t.Errorf("foreignRE.MatchString(%q) = %v, want %v", text, got, want)
		}
	}
}

// skipDirs are not the repository's own text: tools and caches that the
// tests and the demo install, build output, and git's own files.
var skipDirs = map[string]bool{".git": true, ".venv": true, "node_modules": true, "bin": true, "out": true}

// repoFiles returns the text files of the repository, by path relative to
// its root.
func repoFiles(t *testing.T) map[string][]byte {
	t.Helper()
	root := filepath.Dir(docsDir(t))
	files := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skipDirs[d.Name()] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil // binary
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatalf("walk the repository: %v", err)
	}
	if _, ok := files["docs/architecture.md"]; !ok {
		t.Fatal("docs/architecture.md not found: is the repository root where the test thinks?")
	}
	return files
}

// TestRepositoryCitationsResolve reads every text file of the repository:
// no citation of design or style notes kept outside it or of paths out of
// it (foreignRE), and every citation of a
// page under docs/ names a page that exists and, if it cites sections,
// sections the page has ("## 6. ..." headings).
func TestRepositoryCitationsResolve(t *testing.T) {
	t.Parallel()
	files := repoFiles(t)
	pageSections := map[string]map[int]bool{}
	for name, b := range files {
		if page, ok := strings.CutPrefix(name, "docs/"); ok && strings.HasSuffix(page, ".md") {
			pageSections[page] = sections(string(b))
		}
	}
	cited := 0
	for _, name := range slices.Sorted(maps.Keys(files)) {
		// This file spells the forbidden names in its own test cases.
		if name == "internal/checkdocs/citations_test.go" {
			continue
		}
		for i, line := range strings.Split(string(files[name]), "\n") {
			where := fmt.Sprintf("%s:%d", name, i+1)
			if m := foreignRE.FindString(line); m != "" {
				t.Errorf("%s cites %s, which is not in the repository; cite a page of docs/", where, m)
			}
			for _, c := range citations(line) {
				cited++
				have, ok := pageSections[c.Page]
				if !ok {
					t.Errorf("%s cites docs/%s, which does not exist", where, c.Page)
					continue
				}
				for _, s := range c.Sections {
					if !have[s] {
						t.Errorf("%s cites docs/%s §%d, which has no section %d (a \"## %d. ...\" heading)", where, c.Page, s, s, s)
					}
				}
			}
		}
	}
	if cited == 0 {
		t.Error("found no citation of docs/ at all; is the pattern broken?")
	}
}
