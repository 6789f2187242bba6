package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/internal/schema"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// NamingCheck is the check that judges group names against
// data.naming_pattern. It is off unless a pattern is configured, so setting
// data.naming_pattern turns it on unless checks.SGA015 says otherwise.
const NamingCheck = "SGA015"

// Validate checks the configuration against the loaded policies: every
// check id (in checks and in suppressions) must be in the catalogue, and
// the data section must be a valid data.sgaudit (docs/schema/data.schema.json,
// the schema every --data file is checked against too).
func (c *Config) Validate(catalogue []findings.Check) error {
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
	v := schema.ValidateData(map[string]any{"sgaudit": c.Data})
	if v == nil {
		return c.escalations(catalogue)
	}
	// Every violation is inside data.sgaudit: the document has nothing else.
	path := v.Path[1:]
	line := nodeAt(c.dataNode, path).Line
	if rest, ok := strings.CutPrefix(v.Msg, "unknown key"); ok && len(path) > 0 {
		// As for every other section: unknown key "x" in data.ports.
		msg := fmt.Sprintf("unknown key %q in %s%s", path[len(path)-1], dataWhere(c.Data, path[:len(path)-1]), rest)
		if len(path) == 1 {
			msg += "; data for your own policies goes in a --data file"
		}
		return &Error{File: c.Path, Line: line, Msg: msg}
	}
	return &Error{File: c.Path, Line: line, Msg: dataWhere(c.Data, path) + ": " + v.Msg}
}

// escalations refuses a data.severities.<check>.public_interface below the
// severity of the check it belongs to (its own, or checks.<id>.severity):
// sg.escalation replaces a finding's severity with it, so it must raise,
// never lower. The key is the name a check passes to sg.escalation, the
// package name for the built-in ones (open_admin_ports, check
// open-admin-ports).
func (c *Config) escalations(catalogue []findings.Check) error {
	sevs, _ := c.Data["severities"].(map[string]any)
	low, found := schema.FindLoweredEscalation(sevs, catalogue, func(ch findings.Check) findings.Severity {
		return cmp.Or(c.Checks[ch.ID].Severity, ch.Severity)
	})
	if !found {
		return nil
	}
	path := []string{"severities", low.Key, low.Field}
	return &Error{File: c.Path, Line: nodeAt(c.dataNode, path).Line, Msg: fmt.Sprintf(
		"data.%s: %s is below the severity of %s, %s: an escalation raises a finding on a public interface and cannot lower it (checks.%s.severity sets the check's own)",
		strings.Join(path, "."), low.Severity, low.Check.ID, low.Base, low.Check.ID)}
}

// dataWhere names a place in the data section: data.ports.admin[0].
func dataWhere(data map[string]any, path []string) string {
	if len(path) == 0 {
		return "data"
	}
	where := schema.Where(data, path)
	if strings.HasPrefix(where, "[") {
		return "data" + where
	}
	return "data." + where
}

// nodeAt finds where the value at path (keys and list indices) under n is
// written: for a key, the key's node (a mapping value in block style starts
// on the next line); for a list item, the item. When the path ends in
// something missing, the deepest node on the way.
func nodeAt(n *yaml.Node, path []string) *yaml.Node {
	at := n
	for _, p := range path {
		n = resolve(n)
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := resolve(n.Content[i]); k.Value == p {
					at, n, found = k, n.Content[i+1], true
					break
				}
			}
			if !found {
				return at
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(n.Content) {
				return at
			}
			n = n.Content[i]
			at = n
		default:
			return at
		}
	}
	return at
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
