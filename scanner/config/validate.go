package config

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// NamingCheck is the check that judges group names against
// data.naming_pattern. It is off unless a pattern is configured (DESIGN.md
// §3), so setting data.naming_pattern turns it on unless checks.SGA015 says
// otherwise.
const NamingCheck = "SGA015"

// documentedData describes data keys the configuration accepts even when
// the embedded policies do not define a default for them (yet): their
// shape, as an example value, for type checking. Keys the policies define
// are checked against the policies' own defaults instead.
var documentedData = map[string]any{
	"authorized_ports":         []any{map[string]any{"protocol": "tcp", "from_port": 80.0, "to_port": 80.0}},
	"naming_pattern":           "",
	"rules_quota":              50.0,
	"placeholder_descriptions": []any{""},
	"placeholder_patterns":     []any{""},
}

// regexKeys are data values that Rego will use as regular expressions.
// Rego's regex builtins use Go's RE2 syntax, so compiling them here turns
// a typo into a config error with its line instead of a failed evaluation.
var regexKeys = map[string]bool{"naming_pattern": true, "placeholder_patterns": true}

// Validate checks the configuration against the loaded policies: every
// check id (in checks and in suppressions) must be in the catalogue, and
// every data key must be one the policies know (defaults is data.sgaudit of
// the embedded policies), with a value of the same shape as the default.
func (c *Config) Validate(catalogue []findings.Check, defaults map[string]any) error {
	if c == nil {
		return nil
	}
	known := make(map[string]bool, len(catalogue))
	for _, ch := range catalogue {
		known[ch.ID] = true
	}
	ids := slices.SortedFunc(maps.Keys(c.Checks), func(a, b string) int {
		return cmp.Or(cmp.Compare(c.Checks[a].Line, c.Checks[b].Line), cmp.Compare(a, b))
	})
	for _, id := range ids {
		if !known[id] {
			return &Error{File: c.Path, Line: c.Checks[id].Line, Msg: fmt.Sprintf("unknown check id %q in checks (sgaudit checks lists them)", id)}
		}
	}
	for i, s := range c.Suppressions {
		if s.Check != "" && !known[s.Check] {
			return &Error{File: c.Path, Line: s.Line, Msg: fmt.Sprintf("unknown check id %q in suppressions[%d] (sgaudit checks lists them)", s.Check, i)}
		}
	}
	if c.dataNode == nil {
		return nil
	}
	d := decoder{file: c.Path}
	return d.mapping(c.dataNode, "data", nil, func(key string, k, v *yaml.Node) error {
		def, ok := defaults[key]
		if !ok {
			def, ok = documentedData[key]
		}
		if !ok {
			keys := slices.Sorted(maps.Keys(defaults))
			for k := range documentedData {
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			return d.errf(k, "unknown key %q in data (known: %v; data for your own policies goes in a --data file)", key, keys)
		}
		if err := d.shape(v, def, "data."+key); err != nil {
			return err
		}
		if regexKeys[key] {
			return d.regexps(v, "data."+key)
		}
		return nil
	})
}

// shape checks that a node has the shape of the policies' default value:
// same kind; objects with no keys the default lacks; list items shaped like
// the default's items. A default of null or an empty list accepts anything.
func (d decoder) shape(n *yaml.Node, def any, at string) error {
	n = resolve(n)
	switch def := def.(type) {
	case nil:
		return nil
	case map[string]any:
		if n.Kind != yaml.MappingNode {
			return d.errf(n, "%s: want a mapping, got %s", at, kindName(n))
		}
		return d.mapping(n, at, nil, func(key string, k, v *yaml.Node) error {
			sub, ok := def[key]
			if !ok {
				return d.errf(k, "unknown key %q in %s", key, at)
			}
			return d.shape(v, sub, where(at, key))
		})
	case []any:
		if n.Kind != yaml.SequenceNode {
			return d.errf(n, "%s: want a list, got %s", at, kindName(n))
		}
		item, required := listItem(def)
		if item == nil {
			return nil
		}
		for i, c := range n.Content {
			c = resolve(c)
			iat := fmt.Sprintf("%s[%d]", at, i)
			if err := d.shape(c, item, iat); err != nil {
				return err
			}
			for _, key := range required {
				if !hasKey(c, key) {
					return d.errf(c, "%s: missing key %q", iat, key)
				}
			}
		}
		return nil
	case string:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != tagStr && n.ShortTag() != tagTimestamp) {
			return d.errf(n, "%s: want a string, got %s", at, kindName(n))
		}
	case bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != tagBool {
			return d.errf(n, "%s: want true or false, got %s", at, kindName(n))
		}
	case float64, int, int64:
		if n.Kind != yaml.ScalarNode || (n.ShortTag() != tagInt && n.ShortTag() != tagFloat) {
			return d.errf(n, "%s: want a number, got %s", at, kindName(n))
		}
		// Ports and thresholds are whole numbers: 50.5 is a typo, not a quota.
		f, isFloat := def.(float64)
		if (!isFloat || f == math.Trunc(f)) && n.ShortTag() != tagInt {
			return d.errf(n, "%s: want a whole number, got %s", at, n.Value)
		}
	}
	return nil
}

// listItem merges the items of a default list into one template: objects
// contribute all their keys, since items may omit optional ones. Keys that
// every default item has are required.
func listItem(def []any) (item any, required []string) {
	if len(def) == 0 {
		return nil, nil
	}
	first, ok := def[0].(map[string]any)
	if !ok {
		return def[0], nil
	}
	out := maps.Clone(first)
	for _, it := range def[1:] {
		if m, ok := it.(map[string]any); ok {
			for k, v := range m {
				if _, seen := out[k]; !seen {
					out[k] = v
				}
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(first)) {
		if !slices.ContainsFunc(def, func(it any) bool {
			m, ok := it.(map[string]any)
			_, has := m[k]
			return !ok || !has
		}) {
			required = append(required, k)
		}
	}
	return out, required
}

// hasKey reports whether a mapping node has key.
func hasKey(n *yaml.Node, key string) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if resolve(n.Content[i]).Value == key {
			return true
		}
	}
	return false
}

// regexps compiles a string or a list of strings as regular expressions.
func (d decoder) regexps(n *yaml.Node, at string) error {
	n = resolve(n)
	nodes := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		nodes = n.Content
	}
	for _, p := range nodes {
		p = resolve(p)
		if p.Kind != yaml.ScalarNode {
			continue
		}
		if _, err := regexp.Compile(p.Value); err != nil {
			return d.errf(p, "%s: invalid regular expression %q: %v", at, p.Value, err)
		}
	}
	return nil
}

// Settings are the engine's check settings from a configuration.
type Settings struct {
	Enabled    map[string]bool
	Disabled   map[string]bool
	Severities map[string]findings.Severity
}

// Settings turns the checks section into engine settings for the given
// catalogue. A configured data.naming_pattern also enables NamingCheck
// (when the catalogue has it) unless checks says otherwise.
func (c *Config) Settings(catalogue []findings.Check) Settings {
	s := Settings{Enabled: map[string]bool{}, Disabled: map[string]bool{}, Severities: map[string]findings.Severity{}}
	if c == nil {
		return s
	}
	for id, cs := range c.Checks {
		if cs.Enabled != nil {
			if *cs.Enabled {
				s.Enabled[id] = true
			} else {
				s.Disabled[id] = true
			}
		}
		if cs.Severity != "" {
			s.Severities[id] = cs.Severity
		}
	}
	if p, _ := c.Data["naming_pattern"].(string); p != "" && c.Checks[NamingCheck].Enabled == nil &&
		slices.ContainsFunc(catalogue, func(ch findings.Check) bool { return ch.ID == NamingCheck }) {
		s.Enabled[NamingCheck] = true
	}
	return s
}

// Empty reports whether the settings change nothing.
func (s Settings) Empty() bool {
	return len(s.Enabled) == 0 && len(s.Disabled) == 0 && len(s.Severities) == 0
}
