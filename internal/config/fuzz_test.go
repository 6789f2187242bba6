package config

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: whatever the file, Parse ends with a configuration whose data
// is plain JSON values, of a size bounded by the file and the alias limits,
// or with a *Error wrapping ErrConfig that names the file. The seeds include
// anchors and aliases, the alias bombs of TestParseBoundsAliasesAndNesting
// and the annotated example.
func FuzzParse(f *testing.F) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "sgaudit.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example),
		"",
		"version: 1\ndata: &d\n  x: *d\n",
		laughs(9, 10),
		laughs(3, 10),
		"data:\n  big: &big [a, b, c, d]\n  copies: [*big, *big, *big]\n",
		"suppressions:\n  - &s {check: SGA001, reason: r}\n  - *s\n  - {tag: &t {env: '*'}, reason: x}\n  - {tag: *t, reason: y}\n",
		"checks:\n  SGA001: &on {enabled: true}\n  SGA002: *on\n",
		"data:\n  ports:\n    admin:\n      - {service: SSH, protocols: [tcp], from_port: 22, to_port: 22}\n  rules_quota: 40\n  naming_pattern: '^x$'\n  when: 2027-01-31\n  ratio: 0.5\n",
		"data:\n  x: [[[[[[[[[[{a: [b]}]]]]]]]]]]\n",
		"a: &a [*a]\n",
		"version: 1\n---\nversion: 1\n",
		"data:\n  x: .inf\n  y: 0x10\n  z: !!binary aGVsbG8=\n",
		"data:\n  a: &s \"\\L\\L\\L\\L\"\n  b: [*s, *s, *s, *s]\n",
		"suppressions:\n  - {group: a, reason: r}\n  - {group: b, reason: r}\n  - {reason: r, group: a}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		const name = "fuzz.yaml"
		cfg, err := Parse(name, src)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v (%T) is not a *config.Error wrapping ErrConfig", err, err)
			}
			if ce.File != name {
				t.Fatalf("error %q names file %q, want %q", err, ce.File, name)
			}
			return
		}
		n, err := jsonValues(cfg.Data)
		if err != nil {
			t.Fatalf("data holds a value JSON cannot: %v", err)
		}
		if limit := len(src) + maxAliasedNodes; n > limit {
			t.Fatalf("data holds %d values from %d bytes, more than the limit %d", n, len(src), limit)
		}
		// A scalar's text is at most 1.5 times what the file spells (an
		// escape such as \L is two bytes for three), aliases add at most
		// MaxAliasedBytes.
		if size, limit := textSize(cfg.Data), 2*len(src)+MaxAliasedBytes; size > limit {
			t.Fatalf("data holds %d bytes of text from %d bytes, more than the limit %d", size, len(src), limit)
		}
		if _, err := json.Marshal(cfg.Data); err != nil {
			t.Fatalf("data does not encode as JSON: %v", err)
		}
		if len(cfg.Suppressions) > MaxSuppressions {
			t.Fatalf("%d suppressions, more than %d", len(cfg.Suppressions), MaxSuppressions)
		}
		seen := map[string]int{}
		for i, s := range cfg.Suppressions {
			if j, dup := seen[s.identity()]; dup {
				t.Fatalf("suppressions[%d] repeats suppressions[%d]", i, j)
			}
			seen[s.identity()] = i
		}
	})
}

// textSize adds up the keys and strings of a decoded document.
func textSize(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			n += len(k) + textSize(e)
		}
	case []any:
		for _, e := range x {
			n += textSize(e)
		}
	case string:
		n = len(x)
	}
	return n
}

// jsonValues counts the values in v and fails on any that is not what
// encoding/json decodes (with int64 for integers).
func jsonValues(v any) (int, error) {
	switch x := v.(type) {
	case map[string]any:
		n := 1
		for _, e := range x {
			c, err := jsonValues(e)
			if err != nil {
				return 0, err
			}
			n += c
		}
		return n, nil
	case []any:
		n := 1
		for _, e := range x {
			c, err := jsonValues(e)
			if err != nil {
				return 0, err
			}
			n += c
		}
		return n, nil
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return 0, errors.New("a number that is not finite")
		}
		return 1, nil
	case nil, string, bool, int64:
		return 1, nil
	}
	return 0, errors.New("a Go value of another type")
}
