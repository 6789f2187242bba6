package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// YAML's core-schema tags, as yaml.Node.ShortTag reports them.
const (
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagBool      = "!!bool"
	tagNull      = "!!null"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
)

var (
	accountRE    = regexp.MustCompile(`^[0-9]{12}$`)
	yamlLineRE   = regexp.MustCompile(`^yaml: line ([0-9]+): (.*)$`)
	topLevelKeys = []string{"version", "checks", "data", "suppressions", "iac"}
	iacKeys      = []string{"cloudformation"}
	cfnKeys      = []string{"stack", "template"}
	checkKeys    = []string{"enabled", "severity"}
	// matcherKeys are the suppression keys that select findings; at least
	// one is required so that no suppression silently accepts everything.
	matcherKeys     = []string{"check", "account", "region", "group", "tag", "rule"}
	suppressionKeys = append(slices.Clone(matcherKeys), "reason", "owner", "expires")
)

// Parse parses a configuration file's content. name is the file name used
// in messages. It checks everything that does not depend on the policies;
// Validate checks check ids and data types against the loaded policies.
func Parse(name string, src []byte) (*Config, error) {
	d := decoder{file: name}
	cfg := &Config{Path: name, Checks: map[string]CheckSettings{}}
	if len(src) > MaxFileSize {
		return nil, d.errf(nil, "the file is larger than %d bytes; a configuration is a short, hand-written file", MaxFileSize)
	}

	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return cfg, nil // an empty file configures nothing
		}
		return nil, d.syntax(err)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		return nil, d.errf(&extra, "a second YAML document; the configuration must be a single document")
	case !errors.Is(err, io.EOF):
		return nil, d.syntax(err)
	}
	if err := d.bounded(&doc); err != nil {
		return nil, err
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return cfg, nil
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return cfg, nil // a file holding only comments
	}
	err := d.mapping(root, "", topLevelKeys, func(key string, k, v *yaml.Node) error {
		switch key {
		case "version":
			return d.version(v)
		case "checks":
			return d.checks(v, cfg)
		case "data":
			if isNull(v) {
				return nil
			}
			if v.Kind != yaml.MappingNode {
				return d.errf(v, "data: want a mapping of data keys, got %s", kindName(v))
			}
			val, err := d.value(v, "data")
			if err != nil {
				return err
			}
			cfg.Data = val.(map[string]any)
			cfg.dataNode = v
			return nil
		case "suppressions":
			return d.suppressions(v, cfg)
		case "iac":
			return d.iac(v, cfg)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// Limits on what a configuration file may expand to. The file is read from
// the working directory by default, so whoever can commit to a repository
// can hand one to a CI runner: a self-referencing alias or a "billion laughs"
// (aliases of aliases) must end in an error, not in a runner out of memory.
// go-yaml enforces comparable limits when decoding into Go values (about
// 400,000 alias-driven values, nesting 10,000), but the decoder below works
// on yaml.Node, which go-yaml does not expand. docs/security.md lists them.
const (
	// MaxFileSize bounds the file itself, so that parsing is bounded too.
	MaxFileSize = 1 << 20
	// maxAliases bounds how many aliases (*name) are followed while
	// expanding the document, nested ones included.
	maxAliases = 10_000
	// maxAliasedNodes bounds how many values alias expansion adds to the
	// document: the size an alias bomb would reach.
	maxAliasedNodes = 100_000
	// MaxAliasedBytes bounds the text alias expansion adds (keys and
	// values reached through aliases): a few aliases of one long string
	// stay under the counts above yet expand to gigabytes wherever the
	// document is written out or compared.
	MaxAliasedBytes = 4 << 20
	// maxDepth bounds the nesting of mappings and lists, aliases expanded.
	maxDepth = 100
	// MaxSuppressions bounds the suppressions list: each finding is
	// compared with each suppression until one matches, so their number
	// multiplies the cost of a scan. Globs cover many groups in one entry.
	MaxSuppressions = 5_000
)

// bounded walks the document as every later step will see it, aliases
// expanded, and refuses it when an alias contains itself or the expansion
// passes the limits above. Every later walk is then bounded by the file's
// size plus maxAliasedNodes values and MaxAliasedBytes of text.
func (d decoder) bounded(doc *yaml.Node) error {
	w := expansion{d: d, active: map[*yaml.Node]bool{}}
	return w.walk(doc, 0)
}

// expansion counts what walking a node tree with its aliases expanded costs.
type expansion struct {
	d       decoder
	active  map[*yaml.Node]bool // anchors being expanded on the current path
	inAlias int                 // > 0 while inside an expanded alias
	outer   *yaml.Node          // the alias being expanded, outermost
	aliases int
	aliased int
	bytes   int // text of the scalars reached through aliases
}

func (w *expansion) walk(n *yaml.Node, depth int) error {
	if n == nil {
		return nil
	}
	if w.inAlias > 0 {
		w.aliased++
		if w.aliased > maxAliasedNodes {
			return w.d.errf(w.outerOr(n), "aliases expand to more than %d values; write the values out or use fewer aliases", maxAliasedNodes)
		}
		if n.Kind == yaml.ScalarNode {
			w.bytes += len(n.Value)
			if w.bytes > MaxAliasedBytes {
				return w.d.errf(w.outer, "aliases expand to more than %d bytes of text; write the values out or use fewer aliases", MaxAliasedBytes)
			}
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		target := n.Alias
		if target == nil {
			return w.d.errf(n, "alias *%s names no anchor", n.Value)
		}
		if w.active[target] {
			return w.d.errf(n, "alias *%s is inside the value of its own anchor: it would never end", n.Value)
		}
		w.aliases++
		if w.aliases > maxAliases {
			return w.d.errf(w.outerOr(n), "more than %d aliases to expand; write the values out or use fewer aliases", maxAliases)
		}
		if w.inAlias == 0 {
			w.outer = n
		}
		w.active[target] = true
		w.inAlias++
		err := w.walk(target, depth)
		w.inAlias--
		delete(w.active, target)
		return err
	case yaml.MappingNode, yaml.SequenceNode:
		if depth >= maxDepth {
			return w.d.errf(w.outerOr(n), "mappings and lists nested more than %d deep", maxDepth)
		}
		depth++
	}
	for _, c := range n.Content {
		if err := w.walk(c, depth); err != nil {
			return err
		}
	}
	return nil
}

// outerOr names where a problem is in the file: inside an expanded alias,
// the alias that the file's own structure holds (the place to change), else
// n.
func (w *expansion) outerOr(n *yaml.Node) *yaml.Node {
	if w.inAlias > 0 {
		return w.outer
	}
	return n
}

// decoder turns yaml.Nodes into configuration, naming file and line in
// every error.
type decoder struct{ file string }

func (d decoder) errf(n *yaml.Node, format string, args ...any) *Error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// syntax turns the YAML parser's "yaml: line 3: ..." into file:line form.
func (d decoder) syntax(err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: d.file, Line: line, Msg: "invalid YAML: " + m[2], Err: err}
	}
	return &Error{File: d.file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: "), Err: err}
}

// resolve follows aliases (*anchor) to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == tagNull)
}

// kindName says what a node is, for "want X, got Y" messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case tagNull:
			return "nothing"
		case tagStr:
			return fmt.Sprintf("%q", n.Value)
		}
		return n.Value
	}
	return "an unsupported YAML node"
}

// where joins a parent path and a key for messages: "checks.SGA001".
func where(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// mapping calls fn for each key of a mapping node in file order. It
// rejects non-mappings, merge keys, duplicate keys and, when known is not
// nil, keys not in known. at names the mapping in messages ("" = top level).
func (d decoder) mapping(n *yaml.Node, at string, known []string, fn func(key string, k, v *yaml.Node) error) error {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		name := at
		if name == "" {
			name = "the configuration"
		}
		return d.errf(n, "%s: want a mapping, got %s", name, kindName(n))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return d.errf(k, "%s: keys must be plain strings", orTop(at))
		}
		if k.ShortTag() == tagMerge {
			// Merge keys are a YAML 1.1 feature whose precedence rules
			// surprise people; anchors and aliases work without them.
			return d.errf(k, "merge keys (<<) are not supported in %s; repeat the keys or use an alias as a whole value", orTop(at))
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			return d.errf(k, "duplicate key %q%s (first at line %d)", key, in(at), first)
		}
		seen[key] = k.Line
		if known != nil && !slices.Contains(known, key) {
			return d.errf(k, "unknown key %q%s", key, in(at))
		}
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

func in(at string) string {
	if at == "" {
		return ""
	}
	return " in " + at
}

func orTop(at string) string {
	if at == "" {
		return "the configuration"
	}
	return at
}

// scalar returns a scalar's text as written: an unquoted account id such
// as 012345678901 would otherwise become a number and lose its zero.
// Null (an empty value) is "".
func (d decoder) scalar(n *yaml.Node, at string) (string, error) {
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", d.errf(n, "%s: want a single value, got %s", at, kindName(n))
	}
	return strings.TrimSpace(n.Value), nil
}

func (d decoder) version(v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode || v.ShortTag() != tagInt {
		return d.errf(v, "version: want %d, got %s", Version, kindName(v))
	}
	if n, err := strconv.Atoi(v.Value); err != nil || n != Version {
		return d.errf(v, "unsupported version %s (this sgaudit reads version %d)", v.Value, Version)
	}
	return nil
}

func (d decoder) checks(v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	return d.mapping(v, "checks", nil, func(id string, k, v *yaml.Node) error {
		at := "checks." + id
		cs := CheckSettings{Line: k.Line}
		if isNull(v) || (v.Kind == yaml.MappingNode && len(v.Content) == 0) {
			return d.errf(k, "%s: set enabled and/or severity", at)
		}
		err := d.mapping(v, at, checkKeys, func(key string, _, v *yaml.Node) error {
			switch key {
			case "enabled":
				if v.Kind != yaml.ScalarNode || v.ShortTag() != tagBool {
					return d.errf(v, "%s.enabled: want true or false, got %s", at, kindName(v))
				}
				b := v.Value == "true"
				cs.Enabled = &b
			case "severity":
				s, err := d.scalar(v, at+".severity")
				if err != nil {
					return err
				}
				sev, err := findings.ParseSeverity(s)
				if err != nil {
					return d.errf(v, "%s.severity: %v", at, err)
				}
				cs.Severity = sev
			}
			return nil
		})
		if err != nil {
			return err
		}
		cfg.Checks[id] = cs
		return nil
	})
}

func (d decoder) suppressions(v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return d.errf(v, "suppressions: want a list, got %s", kindName(v))
	}
	if len(v.Content) > MaxSuppressions {
		return d.errf(v.Content[MaxSuppressions], "more than %d suppressions; suppress by group, tag or region glob instead of one finding at a time", MaxSuppressions)
	}
	// An identical suppression never applies (the first one wins) but
	// costs a comparison with every finding; aliases make them for free.
	first := map[string]int{}
	for i, item := range v.Content {
		at := fmt.Sprintf("suppressions[%d]", i)
		s, err := d.suppression(resolve(item), at)
		if err != nil {
			return err
		}
		key := s.identity()
		if j, dup := first[key]; dup {
			return d.errf(item, "%s repeats suppressions[%d] (line %d)", at, j, v.Content[j].Line)
		}
		first[key] = i
		cfg.Suppressions = append(cfg.Suppressions, s)
	}
	return nil
}

// maxTemplates bounds iac.cloudformation: each group of a stack is
// matched against the patterns in order.
const maxTemplates = 1_000

// iac reads the iac section: the CloudFormation stack → template mapping
// (docs/iac.md §1).
func (d decoder) iac(v *yaml.Node, cfg *Config) error {
	if isNull(v) {
		return nil
	}
	return d.mapping(v, "iac", iacKeys, func(key string, _, list *yaml.Node) error {
		if isNull(list) {
			return nil
		}
		if list.Kind != yaml.SequenceNode {
			return d.errf(list, "iac.cloudformation: want a list of {stack, template}, got %s", kindName(list))
		}
		if len(list.Content) > maxTemplates {
			return d.errf(list.Content[maxTemplates], "more than %d iac.cloudformation entries; use stack globs", maxTemplates)
		}
		for i, item := range list.Content {
			at := fmt.Sprintf("iac.cloudformation[%d]", i)
			item = resolve(item)
			if item.Kind != yaml.MappingNode {
				return d.errf(item, "%s: want a mapping with stack and template, got %s", at, kindName(item))
			}
			t := CloudFormationTemplate{Line: item.Line}
			err := d.mapping(item, at, cfnKeys, func(key string, _, val *yaml.Node) error {
				s, err := d.scalar(val, where(at, key))
				if err != nil {
					return err
				}
				if key == "stack" {
					if _, err := path.Match(s, ""); err != nil || s == "" {
						return d.errf(val, "%s.stack: %q is not a stack name or glob", at, s)
					}
					t.Stack = s
				} else {
					t.Template = s
				}
				return nil
			})
			if err != nil {
				return err
			}
			if t.Stack == "" || t.Template == "" {
				return d.errf(item, "%s: needs both stack and template", at)
			}
			cfg.CloudFormation = append(cfg.CloudFormation, t)
		}
		return nil
	})
}

// identity is everything a suppression says, as one comparable string.
func (s *Suppression) identity() string {
	var b strings.Builder
	for _, f := range []string{s.Check, s.Account, s.Region, s.Group, s.Rule, s.Reason, s.Owner, s.Expires} {
		b.WriteString(strconv.Quote(f))
	}
	for _, k := range sortedKeys(s.Tags) {
		b.WriteString(strconv.Quote(k) + "=" + strconv.Quote(s.Tags[k]))
	}
	return b.String()
}

func (d decoder) suppression(n *yaml.Node, at string) (Suppression, error) {
	s := Suppression{Line: n.Line}
	matchers := 0
	err := d.mapping(n, at, suppressionKeys, func(key string, _, v *yaml.Node) error {
		if key == "tag" {
			tags, err := d.tags(v, at+".tag")
			if err != nil {
				return err
			}
			s.Tags = tags
			matchers++
			return nil
		}
		val, err := d.scalar(v, at+"."+key)
		if err != nil {
			return err
		}
		if val == "" {
			return d.errf(v, "%s.%s is empty", at, key)
		}
		if slices.Contains(matcherKeys, key) {
			matchers++
		}
		switch key {
		case "check":
			s.Check = val
		case "account":
			if !accountRE.MatchString(val) {
				return d.errf(v, "%s.account: want a 12-digit account id, got %q", at, val)
			}
			s.Account = val
		case "region":
			if err := checkGlob(val); err != nil {
				return d.errf(v, "%s.region: %v", at, err)
			}
			s.Region = val
		case "group":
			if err := checkGlob(val); err != nil {
				return d.errf(v, "%s.group: %v", at, err)
			}
			s.Group = val
		case "rule":
			s.Rule = val
		case "reason":
			s.Reason = val
		case "owner":
			s.Owner = val
		case "expires":
			day, err := time.Parse(time.DateOnly, val)
			if err != nil {
				return d.errf(v, "%s.expires: want a date YYYY-MM-DD, got %q", at, val)
			}
			s.Expires = val
			s.until = day.AddDate(0, 0, 1) // through the end of that day, UTC
		}
		return nil
	})
	if err != nil {
		return Suppression{}, err
	}
	if s.Reason == "" {
		return Suppression{}, d.errf(n, "%s: reason is required: say why the finding is accepted", at)
	}
	if matchers == 0 {
		return Suppression{}, d.errf(n, "%s: set at least one of %s: a suppression must say what it matches", at, strings.Join(matcherKeys, ", "))
	}
	return s, nil
}

func (d decoder) tags(v *yaml.Node, at string) (map[string]string, error) {
	tags := map[string]string{}
	err := d.mapping(v, at, nil, func(key string, k, v *yaml.Node) error {
		if key == "" {
			return d.errf(k, "%s: empty tag key", at)
		}
		val, err := d.scalar(v, where(at, key))
		if err != nil {
			return err
		}
		if err := checkGlob(val); err != nil {
			return d.errf(v, "%s: %v", where(at, key), err)
		}
		tags[key] = val
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, d.errf(v, "%s: want at least one tag key: value", at)
	}
	return tags, nil
}

// checkGlob rejects a malformed glob ("[a-") at load time; path.Match
// would otherwise only fail, silently, at match time.
func checkGlob(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("invalid glob %q", pattern)
	}
	return nil
}

// value converts a node into a JSON-able value (the data document).
// Timestamps stay text: a YAML date must reach Rego as the string written.
func (d decoder) value(n *yaml.Node, at string) (any, error) {
	n = resolve(n)
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		err := d.mapping(n, at, nil, func(key string, _, v *yaml.Node) error {
			val, err := d.value(v, where(at, key))
			if err != nil {
				return err
			}
			m[key] = val
			return nil
		})
		return m, err
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			val, err := d.value(item, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			list = append(list, val)
		}
		return list, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case tagNull:
			return nil, nil
		case tagBool:
			return n.Value == "true", nil
		case tagInt:
			var i int64
			if err := n.Decode(&i); err != nil {
				return nil, d.errf(n, "%s: %s is not a 64-bit integer", at, n.Value)
			}
			return i, nil
		case tagFloat:
			var f float64
			if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, d.errf(n, "%s: %s is not a finite number", at, n.Value)
			}
			return f, nil
		case tagStr, tagTimestamp:
			return n.Value, nil
		}
		return nil, d.errf(n, "%s: unsupported YAML tag %s", at, n.Tag)
	}
	return nil, d.errf(n, "%s: unsupported YAML node", at)
}
