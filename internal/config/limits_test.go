package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// laughs is a "billion laughs" document: levels anchors, each a list of
// width aliases to the previous one, so the last one expands to
// width^levels values. The data section holds the last one.
func laughs(levels, width int) string {
	var b strings.Builder
	b.WriteString("version: 1\ndata:\n  l0: &l0 [lol]\n")
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), width), ", "))
	}
	return b.String()
}

// TestParseBoundsAliasesAndNesting: a file whose aliases never end, or
// expand past the limits, or nests too deep, is one error naming the file
// and line, before any of it is expanded. Each case would otherwise grow
// without bound (self-reference) or to gigabytes (the bombs).
func TestParseBoundsAliasesAndNesting(t *testing.T) {
	t.Parallel()
	// One list of 2,000 values, aliased 100 times: 200,000 values from a
	// file of a few kilobytes, with few aliases.
	wide := "data:\n  big: &big [" + strings.TrimSuffix(strings.Repeat("x, ", 2000), ", ") + "]\n  copies: [" +
		strings.TrimSuffix(strings.Repeat("*big, ", 100), ", ") + "]\n"
	// The same through suppressions: one tag mapping of 2,000 keys given
	// to 100 suppressions would be 200,000 tag patterns.
	tags := "suppressions:\n  - {reason: r, tag: &t {"
	for i := range 2000 {
		tags += fmt.Sprintf("k%d: v, ", i)
	}
	tags = strings.TrimSuffix(tags, ", ") + "}}\n" + strings.Repeat("  - {reason: r, tag: *t}\n", 100)
	// One long string aliased many times: few aliases and few values, but
	// 9,999 copies of 100,000 bytes is a gigabyte of text wherever the
	// data is written out (the engine's copy of it, a report).
	longText := "version: 1\ndata:\n  naming_pattern: &s \"" + strings.Repeat("y", 100_000) + "\"\n" +
		"  placeholder_descriptions: [" + strings.TrimSuffix(strings.Repeat("*s, ", 9999), ", ") + "]\n"
	// The same on separate lines, to name the alias that passes the limit:
	// the 42nd copy (line 3+42) makes 4,200,000 bytes.
	longLines := "data:\n  a: &s \"" + strings.Repeat("y", 100_000) + "\"\n  b:\n" + strings.Repeat("    - *s\n", 100)
	// A chain of anchors, each a list holding the previous one, nests one
	// level per alias although no line of the file is indented.
	var chain strings.Builder
	chain.WriteString("data:\n  c0: &c0 []\n")
	for i := 1; i <= maxDepth+1; i++ {
		fmt.Fprintf(&chain, "  c%d: &c%d [*c%d]\n", i, i, i-1)
	}
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"alias inside its own anchor", "version: 1\ndata: &d\n  x: *d\n",
			`.sgaudit.yaml:3: alias *d is inside the value of its own anchor: it would never end`},
		{"alias inside its own anchor, in a list", "data:\n  ports:\n    admin: &a\n      - *a\n",
			`.sgaudit.yaml:4: alias *a is inside the value of its own anchor: it would never end`},
		{"two anchors containing each other", "data:\n  a: &a {b: &b {a: *a}}\n  c: *b\n",
			`.sgaudit.yaml:2: alias *a is inside the value of its own anchor: it would never end`},
		{"self-reference in suppressions", "suppressions: &s\n  - *s\n",
			`.sgaudit.yaml:2: alias *s is inside the value of its own anchor: it would never end`},
		{"self-reference in a second document", "version: 1\n---\na: &a [*a]\n",
			`.sgaudit.yaml:2: a second YAML document; the configuration must be a single document`},
		{"billion laughs, 9 levels of 10", laughs(9, 10),
			fmt.Sprintf(`.sgaudit.yaml:7: more than %d aliases to expand; write the values out or use fewer aliases`, maxAliases)},
		{"one big list aliased many times", wide,
			fmt.Sprintf(`.sgaudit.yaml:3: aliases expand to more than %d values; write the values out or use fewer aliases`, maxAliasedNodes)},
		// Each alias adds the mapping, its 2,000 keys and their values
		// (4,001 values): the 25th alias (line 27) passes the limit.
		{"one big tag mapping aliased many times", tags,
			fmt.Sprintf(`.sgaudit.yaml:%d: aliases expand to more than %d values; write the values out or use fewer aliases`, 3+maxAliasedNodes/4001, maxAliasedNodes)},
		{"one long string aliased many times", longText,
			fmt.Sprintf(`.sgaudit.yaml:4: aliases expand to more than %d bytes of text; write the values out or use fewer aliases`, MaxAliasedBytes)},
		{"one long string aliased on many lines", longLines,
			fmt.Sprintf(`.sgaudit.yaml:%d: aliases expand to more than %d bytes of text; write the values out or use fewer aliases`, 3+MaxAliasedBytes/100_000+1, MaxAliasedBytes)},
		{"deep nesting", "data:\n  x: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n",
			fmt.Sprintf(`.sgaudit.yaml:2: mappings and lists nested more than %d deep`, maxDepth)},
		{"deep nesting through aliases", chain.String(),
			fmt.Sprintf(`.sgaudit.yaml:%d: mappings and lists nested more than %d deep`, maxDepth, maxDepth)},
		{"nesting past go-yaml's own limit", strings.Repeat("[", 20000),
			`.sgaudit.yaml: invalid YAML: exceeded max depth of 10000`},
		{"a file too large", "# " + strings.Repeat("x", MaxFileSize) + "\n",
			fmt.Sprintf(`.sgaudit.yaml: the file is larger than %d bytes; a configuration is a short, hand-written file`, MaxFileSize)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(".sgaudit.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded, want %q; got %d data keys", tt.want, len(cfg.Data))
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Errorf("error %v is not a *config.Error wrapping ErrConfig", err)
			}
		})
	}
}

// TestParseAcceptsAliasesWithinLimits: anchors and aliases used the way
// people use them, and expansions just inside the limits, still work.
func TestParseAcceptsAliasesWithinLimits(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		"shared suppression fields": "suppressions:\n  - {group: legacy-*, tag: &t {team: net}, reason: being replaced}\n  - {region: eu-*, tag: *t, reason: being replaced}\n" +
			"  - {check: SGA007, reason: &why 'described elsewhere'}\n  - {check: SGA006, reason: *why}\n",
		"shared port entry": "data:\n  ports:\n    admin:\n      - &ssh {service: SSH, protocols: [tcp], from_port: 22, to_port: 22}\n    bastion:\n      - *ssh\n",
		// 4 levels of 10: 11,110 aliases would pass maxAliases; 3 levels
		// (1,110 aliases, 1,000 values) do not.
		"small laughs": laughs(3, 10),
		// 41 copies of 100,000 bytes stay under MaxAliasedBytes.
		"long string aliased a few times": "data:\n  a: &s \"" + strings.Repeat("y", 100_000) + "\"\n  b:\n" + strings.Repeat("    - *s\n", MaxAliasedBytes/100_000),
		// The root and data mappings are two levels.
		"nested to the limit": "data:\n  x: " + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + "\n",
	}
	for name, src := range ok {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := Parse(".sgaudit.yaml", []byte(src)); err != nil {
				t.Errorf("Parse: %v", err)
			}
		})
	}
	cfg, err := Parse("c.yaml", []byte(ok["shared port entry"]))
	if err != nil {
		t.Fatal(err)
	}
	ports := cfg.Data["ports"].(map[string]any)
	if diff := cmp.Diff(ports["admin"], ports["bastion"]); diff != "" {
		t.Errorf("the alias does not expand to its anchor's value (-admin +bastion):\n%s", diff)
	}
}

// TestLoadRefusesLargeFiles: Load does not read more of a file than Parse
// accepts.
func TestLoadRefusesLargeFiles(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, []byte("version: 1\n"+strings.Repeat("# filler\n", MaxFileSize/9+1)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if want := fmt.Sprintf("%s: the file is larger than %d bytes", p, MaxFileSize); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load(%d bytes) = %v, want %q...", MaxFileSize+9, err, want)
	}
}
