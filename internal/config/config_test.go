package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// catalogue is a small stand-in for the policies' check catalogue.
var catalogue = []findings.Check{{ID: "SGA001", Name: "open-admin-ports", Severity: findings.SeverityHigh}, {ID: "SGA002"}, {ID: "SGA007"}, {ID: "SGA014"}, {ID: "SGA015"}}

func ptr[T any](v T) *T { return &v }

func TestParse(t *testing.T) {
	t.Parallel()
	src := `# sgaudit configuration
version: 1
checks:
  SGA014: {enabled: true}
  SGA007:
    severity: medium
  SGA001: {enabled: false, severity: CRITICAL}
data:
  naming_pattern: '^(prod|dev)-[a-z0-9-]+-sg$'
  rules_quota: 40
  ports:
    admin: &admin
      - {service: SSH, protocols: [tcp], from_port: 22, to_port: 22}
suppressions:
  - check: SGA002
    account: 012345678901          # unquoted, with its leading zero
    region: eu-*
    group: legacy-*
    tag: {env: sandbox, team: "*"}
    rule: sgr-0abc
    reason: vendor appliance (JIRA-123)
    owner: platform-team
    expires: 2027-01-31
  - group: sg-0123456789abcdef0
    reason: "accepted: \"quoted\""
`
	got, err := Parse(".sgaudit.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Path: ".sgaudit.yaml",
		Checks: map[string]CheckSettings{
			"SGA014": {Enabled: ptr(true), Line: 4},
			"SGA007": {Severity: findings.SeverityMedium, Line: 5},
			"SGA001": {Enabled: ptr(false), Severity: findings.SeverityCritical, Line: 7},
		},
		Data: map[string]any{
			"naming_pattern": "^(prod|dev)-[a-z0-9-]+-sg$",
			"rules_quota":    int64(40),
			"ports": map[string]any{"admin": []any{
				map[string]any{"service": "SSH", "protocols": []any{"tcp"}, "from_port": int64(22), "to_port": int64(22)},
			}},
		},
		Suppressions: []Suppression{
			{Check: "SGA002", Account: "012345678901", Region: "eu-*", Group: "legacy-*",
				Tags: map[string]string{"env": "sandbox", "team": "*"}, Rule: "sgr-0abc",
				Reason: "vendor appliance (JIRA-123)", Owner: "platform-team", Expires: "2027-01-31", Line: 15},
			{Group: "sg-0123456789abcdef0", Reason: `accepted: "quoted"`, Line: 24},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{}, Suppression{})); diff != "" {
		t.Errorf("Parse (-want +got):\n%s", diff)
	}
	if err := got.Validate(catalogue); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"", "# nothing configured yet\n", "---\n", "version: 1\nchecks:\nsuppressions:\ndata:\n"} {
		cfg, err := Parse("c.yaml", []byte(src))
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if len(cfg.Checks) != 0 || len(cfg.Suppressions) != 0 || len(cfg.Data) != 0 {
			t.Errorf("Parse(%q) configured something: %+v", src, cfg)
		}
	}
}

// TestParseErrors: every mistake is one error naming the file and line,
// and wraps ErrConfig.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"unknown key in a check", "version: 1\nchecks:\n  SGA001:\n    severty: high\n",
			`.sgaudit.yaml:4: unknown key "severty" in checks.SGA001`},
		{"unknown top-level key", "version: 1\nsuppresions: []\n",
			`.sgaudit.yaml:2: unknown key "suppresions"`},
		{"unknown key in a suppression", "suppressions:\n  - check: SGA001\n    reason: x\n    groups: web\n",
			`.sgaudit.yaml:4: unknown key "groups" in suppressions[0]`},
		{"bad date", "suppressions:\n  - check: SGA001\n    reason: x\n    expires: 2027-02-30\n",
			`.sgaudit.yaml:4: suppressions[0].expires: want a date YYYY-MM-DD, got "2027-02-30"`},
		{"date with a time", "suppressions:\n  - check: SGA001\n    reason: x\n    expires: 2027-01-31T10:00:00Z\n",
			`.sgaudit.yaml:4: suppressions[0].expires: want a date YYYY-MM-DD, got "2027-01-31T10:00:00Z"`},
		{"bad severity", "checks:\n  SGA007: {severity: severe}\n",
			`.sgaudit.yaml:2: checks.SGA007.severity: unknown severity "severe" (want low, medium, high or critical)`},
		{"enabled is not a bool", "checks:\n  SGA014:\n    enabled: yes\n",
			`.sgaudit.yaml:3: checks.SGA014.enabled: want true or false, got "yes"`},
		{"check without settings", "checks:\n  SGA014:\n",
			`.sgaudit.yaml:2: checks.SGA014: set enabled and/or severity`},
		{"check is not a mapping", "checks:\n  SGA014: true\n",
			`.sgaudit.yaml:2: checks.SGA014: want a mapping, got true`},
		{"missing reason", "suppressions:\n  - check: SGA002\n    owner: me\n",
			`.sgaudit.yaml:2: suppressions[0]: reason is required: say why the finding is accepted`},
		{"empty reason", "suppressions:\n  - check: SGA002\n    reason: \"\"\n",
			`.sgaudit.yaml:3: suppressions[0].reason is empty`},
		{"suppression without a matcher", "suppressions:\n  - check: SGA001\n    reason: a\n  - reason: everything\n    owner: me\n",
			`.sgaudit.yaml:4: suppressions[1]: set at least one of check, account, region, group, tag, rule: a suppression must say what it matches`},
		{"bad account", "suppressions:\n  - account: 1111\n    reason: x\n",
			`.sgaudit.yaml:2: suppressions[0].account: want a 12-digit account id, got "1111"`},
		{"bad glob", "suppressions:\n  - group: 'web-[a'\n    reason: x\n",
			`.sgaudit.yaml:2: suppressions[0].group: invalid glob "web-[a"`},
		{"empty tag map", "suppressions:\n  - tag: {}\n    reason: x\n",
			`.sgaudit.yaml:2: suppressions[0].tag: want at least one tag key: value`},
		{"tag value is a list", "suppressions:\n  - tag: {env: [a, b]}\n    reason: x\n",
			`.sgaudit.yaml:2: suppressions[0].tag.env: want a single value, got a list`},
		{"suppressions not a list", "suppressions:\n  check: SGA001\n",
			`.sgaudit.yaml:2: suppressions: want a list, got a mapping`},
		{"duplicate key", "checks:\n  SGA001: {enabled: true}\n  SGA001: {enabled: false}\n",
			`.sgaudit.yaml:3: duplicate key "SGA001" in checks (first at line 2)`},
		{"a suppression repeated through an alias", "suppressions:\n  - &s {group: web-*, reason: r}\n  - {group: db-*, reason: r}\n  - *s\n",
			`.sgaudit.yaml:4: suppressions[2] repeats suppressions[0] (line 2)`},
		{"a suppression written twice, tags in another order", "suppressions:\n  - {tag: {a: '1', b: '2'}, reason: r}\n  - {reason: r, tag: {b: '2', a: '1'}}\n",
			`.sgaudit.yaml:3: suppressions[1] repeats suppressions[0] (line 2)`},
		{"too many suppressions", "suppressions:\n" + manySuppressions(MaxSuppressions+1),
			fmt.Sprintf(`.sgaudit.yaml:%d: more than %d suppressions; suppress by group, tag or region glob instead of one finding at a time`, 2+MaxSuppressions, MaxSuppressions)},
		{"unsupported version", "version: 2\n",
			`.sgaudit.yaml:1: unsupported version 2 (this sgaudit reads version 1)`},
		{"version not a number", "version: one\n",
			`.sgaudit.yaml:1: version: want 1, got "one"`},
		{"not a mapping", "- check: SGA001\n",
			`.sgaudit.yaml:1: the configuration: want a mapping, got a list`},
		{"data not a mapping", "data: [1, 2]\n",
			`.sgaudit.yaml:1: data: want a mapping of data keys, got a list`},
		{"merge key", "base: &b {enabled: true}\n",
			`.sgaudit.yaml:1: unknown key "base"`},
		{"merge key in checks", "checks:\n  SGA001:\n    <<: {enabled: true}\n",
			`.sgaudit.yaml:3: merge keys (<<) are not supported in checks.SGA001; repeat the keys or use an alias as a whole value`},
		{"invalid YAML", "checks:\n  SGA001: enabled: true\n",
			`.sgaudit.yaml:2: invalid YAML: mapping values are not allowed in this context`},
		{"tab indentation", "checks:\n\tSGA001: {enabled: true}\n",
			`.sgaudit.yaml:2: invalid YAML: found character that cannot start any token`},
		{"two documents", "version: 1\n---\nversion: 1\n",
			`.sgaudit.yaml:2: a second YAML document; the configuration must be a single document`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse(".sgaudit.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse succeeded, want %q; got %+v", tt.want, cfg)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("error %v does not wrap ErrConfig", err)
			}
		})
	}
}

// TestValidateErrors: what depends on the loaded policies (check ids) and
// the data section, checked against docs/schema/data.schema.json, are also
// reported with their line.
func TestValidateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want string // "" = valid
	}{
		{"known checks and data", "checks:\n  SGA015: {enabled: true}\ndata:\n  naming_pattern: '^x-'\n  placeholder_descriptions: [todo, n/a]\n", ""},
		{"unknown check", "checks:\n  SGA001: {enabled: true}\n  SGA099: {enabled: true}\n",
			`c.yaml:3: unknown check id "SGA099" in checks (sgaudit checks lists them)`},
		{"check ids are case-sensitive", "checks:\n  sga001: {enabled: true}\n",
			`c.yaml:2: unknown check id "sga001" in checks (sgaudit checks lists them)`},
		{"unknown check in a suppression", "suppressions:\n  - check: SGA001\n    reason: x\n  - check: SGA02\n    reason: x\n",
			`c.yaml:4: unknown check id "SGA02" in suppressions[1] (sgaudit checks lists them)`},
		{"unknown data key", "data:\n  rules_qouta: 40\n",
			`c.yaml:2: unknown key "rules_qouta" in data (known: authorized_ports, naming_pattern, placeholder_descriptions, placeholder_patterns, ports, rules_quota, severities, wide_public_ranges); data for your own policies goes in a --data file`},
		{"a port category of your own", "data:\n  ports:\n    bastion:\n      - {service: SSH on 2222, protocols: [tcp], from_port: 2222, to_port: 2222}\n    empty: []\n", ""},
		{"list where the schema wants a mapping", "data:\n  ports: [22]\n",
			`c.yaml:2: data.ports: want object, got a list`},
		{"string where the schema wants a number", "data:\n  rules_quota: fifty\n",
			`c.yaml:2: data.rules_quota: want integer, got "fifty"`},
		{"fraction where the schema wants an integer", "data:\n  rules_quota: 50.5\n",
			`c.yaml:2: data.rules_quota: want integer, got 50.5`},
		{"whole number written as a fraction", "data:\n  ports:\n    admin:\n      - {service: SSH, protocols: [tcp], from_port: 22.0, to_port: 22}\n",
			`c.yaml:4: data.ports.admin[0].from_port: want a whole number written without a fraction, got 22`},
		{"quota out of range", "data:\n  rules_quota: 0\n",
			`c.yaml:2: data.rules_quota: want at least 1, got 0`},
		{"port entry with an unknown key", "data:\n  ports:\n    admin:\n      - {service: SSH, protocol: tcp, from_port: 22, to_port: 22}\n",
			`c.yaml:4: unknown key "protocol" in data.ports.admin[0]`},
		{"port as a string", "data:\n  ports:\n    admin:\n      - {service: SSH, protocols: [tcp], from_port: '22', to_port: 22}\n",
			`c.yaml:4: data.ports.admin[0].from_port: want integer, got "22"`},
		{"port out of range", "data:\n  ports:\n    admin:\n      - service: SSH\n        protocols: [tcp]\n        from_port: 22\n        to_port: 65536\n",
			`c.yaml:7: data.ports.admin[0].to_port: want at most 65535, got 65536`},
		{"port range upside down", "data:\n  authorized_ports:\n    - {protocol: tcp, from_port: 443, to_port: 80}\n",
			`c.yaml:3: data.authorized_ports[0].to_port: to_port 80 is below from_port 443: the range would match no port`},
		{"admin ports emptied", "data:\n  ports:\n    admin: []\n",
			`c.yaml:3: data.ports.admin: want at least 1 item(s), got 0; an empty list would turn SGA001 off unseen: turn it off with checks.SGA001.enabled: false in the configuration`},
		{"high-risk ports emptied", "data:\n  ports:\n    high_risk:\n",
			`c.yaml:3: data.ports.high_risk: want array, got null`},
		{"admin ports disabled by a string", "data:\n  ports:\n    admin: none\n",
			`c.yaml:3: data.ports.admin: want array, got "none"`},
		{"protocol in upper case", "data:\n  ports:\n    admin:\n      - {service: SSH, protocols: [TCP], from_port: 22, to_port: 22}\n",
			`c.yaml:4: data.ports.admin[0].protocols[0]: want one of tcp, udp, got "TCP"`},
		{"placeholder not a string", "data:\n  placeholder_descriptions: [todo, 7]\n",
			`c.yaml:2: data.placeholder_descriptions[1]: want string, got 7`},
		{"bad naming pattern", "data:\n  naming_pattern: '^(prod|dev-sg$'\n",
			"c.yaml:2: data.naming_pattern: invalid regular expression \"^(prod|dev-sg$\": error parsing regexp: missing closing ): `^(prod|dev-sg$`"},
		{"bad placeholder pattern", "data:\n  placeholder_patterns:\n    - ok\n    - '(['\n",
			"c.yaml:4: data.placeholder_patterns[1]: invalid regular expression \"([\": error parsing regexp: missing closing ]: `[`"},
		{"severity of your own check", "data:\n  severities:\n    my_check: {public_interface: high}\n", ""},
		{"escalation below the check's severity", "data:\n  severities:\n    open_admin_ports:\n      public_interface: low\n",
			`c.yaml:4: data.severities.open_admin_ports.public_interface: LOW is below the severity of SGA001, HIGH: an escalation raises a finding on a public interface and cannot lower it (checks.SGA001.severity sets the check's own)`},
		{"escalation below the configured severity", "checks:\n  SGA001: {severity: critical}\ndata:\n  severities:\n    open_admin_ports: {public_interface: high}\n",
			`c.yaml:5: data.severities.open_admin_ports.public_interface: HIGH is below the severity of SGA001, CRITICAL: an escalation raises a finding on a public interface and cannot lower it (checks.SGA001.severity sets the check's own)`},
		{"escalation equal to the check's severity", "data:\n  severities:\n    open_admin_ports: {public_interface: high}\n", ""},
		{"verified-reachable severity below the check's", "data:\n  severities:\n    open_admin_ports:\n      reachable: medium\n",
			`c.yaml:4: data.severities.open_admin_ports.reachable: MEDIUM is below the severity of SGA001, HIGH: an escalation raises a finding on a public interface and cannot lower it (checks.SGA001.severity sets the check's own)`},
		{"escalation above a lowered severity", "checks:\n  SGA001: {severity: low}\ndata:\n  severities:\n    open_admin_ports: {public_interface: medium}\n", ""},
		{"unknown severity", "data:\n  severities:\n    open_admin_ports: {public_interface: severe}\n",
			`c.yaml:3: data.severities.open_admin_ports.public_interface: want one of low, medium, high, critical, LOW, MEDIUM, HIGH, CRITICAL, Low, Medium, High, Critical, got "severe"`},
		{"authorized ports", "data:\n  authorized_ports:\n    - {protocol: tcp, from_port: 443, to_port: 443}\n    - {protocol: udp, from_port: 500, to_port: 500}\n", ""},
		{"authorized port without to_port", "data:\n  authorized_ports:\n    - {protocol: tcp, from_port: 443, to_port: 443}\n    - {protocol: tcp, from_port: 8443}\n",
			`c.yaml:4: data.authorized_ports[1]: missing key "to_port"`},
		{"port entry without protocols", "data:\n  ports:\n    admin:\n      - {service: SSH, from_port: 22, to_port: 22}\n",
			`c.yaml:4: data.ports.admin[0]: missing key "protocols"`},
		{"authorized port with a typo", "data:\n  authorized_ports:\n    - {protocol: tcp, form_port: 443, to_port: 443}\n",
			`c.yaml:3: unknown key "form_port" in data.authorized_ports[0]`},
		{"bad value behind an alias", "data:\n  ports:\n    admin: &a\n      - {service: SSH, protocols: [tcp], from_port: x, to_port: 22}\n    database: *a\n",
			`c.yaml:4: data.ports.admin[0].from_port: want integer, got "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("c.yaml", []byte(tt.src))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			err = cfg.Validate(catalogue)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrConfig) {
					t.Errorf("error %v does not wrap ErrConfig", err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sgaudit.yaml")
	if err := os.WriteFile(path, []byte("checks:\n  SGA014: {enabled: true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Path != path || cfg.Checks["SGA014"].Enabled == nil {
		t.Errorf("Load: %+v", cfg)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, ErrConfig) || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load of a missing file: %v; want ErrConfig and ErrNotExist naming the file", err)
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		src       string
		catalogue []findings.Check
		want      Settings
	}{
		{
			name:      "enabled, disabled and severities",
			src:       "checks:\n  SGA014: {enabled: true}\n  SGA001: {enabled: false, severity: critical}\n  SGA007: {severity: MEDIUM}\n",
			catalogue: catalogue,
			want: Settings{
				Enabled:    map[string]bool{"SGA014": true},
				Disabled:   map[string]bool{"SGA001": true},
				Severities: map[string]findings.Severity{"SGA001": findings.SeverityCritical, "SGA007": findings.SeverityMedium},
			},
		},
		{
			name:      "a naming pattern turns the naming check on",
			src:       "data:\n  naming_pattern: '^prod-'\n",
			catalogue: catalogue,
			want:      Settings{Enabled: map[string]bool{"SGA015": true}, Disabled: map[string]bool{}, Severities: map[string]findings.Severity{}},
		},
		{
			name:      "an explicit enabled: false wins over the pattern",
			src:       "checks:\n  SGA015: {enabled: false}\ndata:\n  naming_pattern: '^prod-'\n",
			catalogue: catalogue,
			want:      Settings{Enabled: map[string]bool{}, Disabled: map[string]bool{"SGA015": true}, Severities: map[string]findings.Severity{}},
		},
		{
			name:      "an empty pattern enables nothing",
			src:       "data:\n  naming_pattern: ''\n",
			catalogue: catalogue,
			want:      Settings{Enabled: map[string]bool{}, Disabled: map[string]bool{}, Severities: map[string]findings.Severity{}},
		},
		{
			name:      "no naming check in the catalogue",
			src:       "data:\n  naming_pattern: '^prod-'\n",
			catalogue: catalogue[:4],
			want:      Settings{Enabled: map[string]bool{}, Disabled: map[string]bool{}, Severities: map[string]findings.Severity{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Parse("c.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			got := cfg.Settings(tt.catalogue)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Settings (-want +got):\n%s", diff)
			}
			if got.Empty() != (len(tt.want.Enabled)+len(tt.want.Disabled)+len(tt.want.Severities) == 0) {
				t.Errorf("Empty() = %v for %+v", got.Empty(), got)
			}
		})
	}
}

// TestParseAcceptsMaxSuppressions: the limit itself is accepted.
func TestParseAcceptsMaxSuppressions(t *testing.T) {
	t.Parallel()
	cfg, err := Parse(".sgaudit.yaml", []byte("suppressions:\n"+manySuppressions(MaxSuppressions)))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(cfg.Suppressions); got != MaxSuppressions {
		t.Errorf("got %d suppressions, want %d", got, MaxSuppressions)
	}
}

// manySuppressions writes n different one-line suppressions.
func manySuppressions(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - {group: g-%d, reason: r}\n", i)
	}
	return b.String()
}
