package inventory

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests hold docs/inventory.md, the contract policies read, to the
// types: every JSON field and every enumerated value is documented in its
// section, and the example decodes and is written back unchanged.

// docPage reads docs/inventory.md and splits it into its numbered
// sections ("## 6. security_groups" → 6).
func docPage(t *testing.T) map[int]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "inventory.md"))
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile(`(?m)^## ([0-9]+)\. .*$`)
	text := string(b)
	locs := heading.FindAllStringSubmatchIndex(text, -1)
	out := map[int]string{}
	for i, l := range locs {
		n, _ := strconv.Atoi(text[l[2]:l[3]])
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		out[n] = text[l[0]:end]
	}
	return out
}

// jsonFields lists the JSON names of a struct type's fields.
func jsonFields(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

func TestEveryFieldDocumented(t *testing.T) {
	page := docPage(t)
	for _, tt := range []struct {
		section int
		value   any
	}{
		{2, Inventory{}},
		{3, Account{}},
		{4, Coverage{}},
		{6, SecurityGroup{}},
		{6, IaC{}},
		{7, Rule{}},
		{7, Peer{}},
		{8, Attachment{}},
		{8, Evidence{}},
		{9, PrefixList{}},
		{9, PrefixListEntry{}},
		{10, NetworkInterface{}},
		{11, VPC{}},
	} {
		typ := reflect.TypeOf(tt.value)
		text, ok := page[tt.section]
		if !ok {
			t.Errorf("docs/inventory.md has no section %d for %s", tt.section, typ.Name())
			continue
		}
		for _, name := range jsonFields(typ) {
			if !strings.Contains(text, "`"+name+"`") && !strings.Contains(text, `"`+name+`"`) {
				t.Errorf("docs/inventory.md §%d does not document %s field %q", tt.section, typ.Name(), name)
			}
		}
	}
}

// enumValues reads the string constants of inventory.go whose type is
// typ, or whose name starts with prefix when typ is "": the values a
// field can take, as the source declares them, so a value added there
// must be documented.
func enumValues(t *testing.T, typ, prefix string) []string {
	t.Helper()
	f, err := parser.ParseFile(gotoken.NewFileSet(), "inventory.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != gotoken.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			ident, _ := vs.Type.(*ast.Ident)
			for i, n := range vs.Names {
				match := typ != "" && ident != nil && ident.Name == typ ||
					typ == "" && strings.HasPrefix(n.Name, prefix)
				if !match || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != gotoken.STRING {
					continue
				}
				v, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, v)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no constants of type %q / prefix %q in inventory.go", typ, prefix)
	}
	return out
}

func TestEveryValueDocumented(t *testing.T) {
	page := docPage(t)
	for _, tt := range []struct {
		section     int
		typ, prefix string
		what        string
		wantAtLeast int
	}{
		{4, "CoverageStatus", "", "coverage status", 4},
		{5, "", "Kind", "data kind", 8},
		{7, "Direction", "", "rule direction", 2},
		{7, "PeerKind", "", "peer kind", 4},
		{7, "", "Protocol", "protocol", 5},
		{8, "EvidenceKind", "", "evidence kind", 5},
	} {
		values := enumValues(t, tt.typ, tt.prefix)
		if len(values) < tt.wantAtLeast {
			t.Errorf("found %d %s values in inventory.go (%v), want at least %d: is the parse broken?", len(values), tt.what, values, tt.wantAtLeast)
		}
		for _, v := range values {
			if !strings.Contains(page[tt.section], "`"+v+"`") {
				t.Errorf("docs/inventory.md §%d does not document the %s %q", tt.section, tt.what, v)
			}
		}
	}
}

// TestDocumentedExampleDecodes reads the example of docs/inventory.md §15
// with Decode, sorts it, and writes it back: it must be a valid inventory
// of this schema version, already in canonical order, with every field
// spelled as the types spell it.
func TestDocumentedExampleDecodes(t *testing.T) {
	section := docPage(t)[15]
	block := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(section)
	if block == nil {
		t.Fatal("docs/inventory.md §15 has no ```json block")
	}
	inv, err := Decode([]byte(block[1]))
	if err != nil {
		t.Fatalf("Decode the documented example: %v", err)
	}
	if inv.SchemaVersion != SchemaVersion {
		t.Errorf("example schema_version %q, want %q", inv.SchemaVersion, SchemaVersion)
	}
	if len(inv.SecurityGroups) == 0 || inv.SecurityGroups[0].Rules.Len() == 0 {
		t.Fatal("the example has no group with rules")
	}
	inv.Sort()
	got, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	var want, have any
	if err := json.Unmarshal([]byte(block[1]), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("the documented example is not what sgaudit writes for it (-doc +written):\n%s", diff)
	}
}

// TestSchemaVersionDocumented: the version §14 names is the one the code
// writes.
func TestSchemaVersionDocumented(t *testing.T) {
	if s := docPage(t)[14]; !strings.Contains(s, "`schema_version` is `\""+SchemaVersion+"\"`") {
		t.Errorf("docs/inventory.md §14 does not say schema_version is %q", SchemaVersion)
	}
}
