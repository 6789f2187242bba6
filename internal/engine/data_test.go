package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// loadData loads the real policy pack with the given --data files, written
// to a temporary directory, and returns the error with that directory
// removed from it ("" when Load succeeds).
func loadData(t *testing.T, files map[string]string, order ...string) string {
	t.Helper()
	dir := writeFiles(t, files)
	var paths []string
	for _, name := range order {
		paths = append(paths, filepath.Join(dir, name))
	}
	_, err := Load(context.Background(), policies.FS, Options{DataFiles: paths})
	if err == nil {
		return ""
	}
	if !errors.Is(err, ErrPolicy) {
		t.Errorf("error %q does not wrap ErrPolicy", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is more than one line: %q", err)
	}
	return strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
}

// TestDataIsValidated: every --data file is checked against
// docs/schema/data.schema.json, so a value of the wrong type is an error
// naming the file, the line and the path, instead of a check that silently
// stops working.
func TestDataIsValidated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string // name; .json or .yaml decides the parser
		text string
		want string // "" = valid
	}{
		{"admin ports disabled by a string", "d.json", `{"sgaudit":{"ports":{"admin":"none"}}}`,
			`d.json:1: invalid data at sgaudit.ports.admin: want array, got "none"`},
		{"admin ports emptied", "d.json", `{"sgaudit":{"ports":{"admin":[]}}}`,
			`d.json:1: invalid data at sgaudit.ports.admin: want at least 1 item(s), got 0; an empty list would turn SGA001 off unseen: turn it off with checks.SGA001.enabled: false in the configuration`},
		{"database ports emptied, YAML", "d.yaml", "sgaudit:\n  ports:\n    database: []\n",
			`d.yaml:3: invalid data at sgaudit.ports.database: want at least 1 item(s), got 0; an empty list would turn SGA002 off unseen: turn it off with checks.SGA002.enabled: false in the configuration`},
		{"sgaudit not an object", "d.json", `{"sgaudit":7}`,
			`d.json:1: invalid data at sgaudit: want object, got 7`},
		{"port as a string, YAML", "d.yaml", "sgaudit:\n  ports:\n    admin:\n      - service: SSH\n        protocols: [tcp]\n        from_port: \"22\"\n        to_port: 22\n",
			`d.yaml:6: invalid data at sgaudit.ports.admin[0].from_port: want integer, got "22"`},
		{"port as a string, JSON", "d.json", "{\n  \"sgaudit\": {\n    \"authorized_ports\": [\n      {\"protocol\": \"tcp\", \"from_port\": 80, \"to_port\": 80},\n      {\"protocol\": \"tcp\",\n       \"from_port\": \"443\", \"to_port\": 443}\n    ]\n  }\n}\n",
			`d.json:6: invalid data at sgaudit.authorized_ports[1].from_port: want integer, got "443"`},
		{"whole number written as a fraction", "d.json", `{"sgaudit": {"ports": {"admin": [{"service": "SSH", "protocols": ["tcp"], "from_port": 22.0, "to_port": 22}]}}}`,
			`d.json:1: invalid data at sgaudit.ports.admin[0].from_port: want a whole number written without a fraction or exponent, got 22.0`},
		{"unknown key in sgaudit", "d.yaml", "sgaudit:\n  rules_qouta: 40\n",
			`d.yaml:2: invalid data at sgaudit.rules_qouta: unknown key (known: authorized_ports, naming_pattern, placeholder_descriptions, placeholder_patterns, ports, rules_quota, severities, wide_public_ranges); data for your own policies goes under another top-level key`},
		{"missing key in a list entry", "d.json", "{\"sgaudit\": {\"ports\": {\"admin\": [\n  {\"service\": \"SSH\", \"from_port\": 22, \"to_port\": 22}\n]}}}",
			`d.json:2: invalid data at sgaudit.ports.admin[0]: missing key "protocols"`},
		{"upside-down range", "d.yaml", "sgaudit:\n  authorized_ports:\n    - {protocol: tcp, from_port: 443, to_port: 80}\n",
			`d.yaml:3: invalid data at sgaudit.authorized_ports[0].to_port: to_port 80 is below from_port 443: the range would match no port`},
		{"bad regular expression", "d.yaml", "sgaudit:\n  naming_pattern: '(['\n",
			"d.yaml:2: invalid data at sgaudit.naming_pattern: invalid regular expression \"([\": error parsing regexp: missing closing ]: `[`"},
		{"a category of your own", "d.yaml", "sgaudit:\n  ports:\n    my ports:\n      - {service: Console, protocols: [tcp], from_port: 8443, to_port: 8443}\n", ""},
		{"a bad entry in a category of your own", "d.yaml", "sgaudit:\n  ports:\n    my ports:\n      - {service: Console, protocols: [sctp], from_port: 8443, to_port: 8443}\n",
			`d.yaml:4: invalid data at sgaudit.ports["my ports"][0].protocols[0]: want one of tcp, udp, got "sctp"`},
		{"free-form data outside sgaudit", "d.yaml", "corp:\n  anything: [1, {x: .5}, null]\n", ""},
		{"an infinite number", "d.yaml", "corp:\n  x: .inf\n",
			`d.yaml: invalid YAML data: corp: x: +Inf is not a finite number`},
		{"a key given twice, JSON", "d.json", "{\"sgaudit\": {\n  \"ports\": {\"admin\": [{\"service\": \"SSH\", \"protocols\": [\"tcp\"], \"from_port\": 22, \"to_port\": 22}]},\n  \"ports\": {\"admin\": []}}}\n",
			`d.json:3: invalid JSON data: column 3: key "ports" given twice in sgaudit (first at line 2); a JSON decoder keeps only one of them`},
		{"a key given twice at the top, JSON", "d.json", `{"corp": 1, "corp": 2}`,
			`d.json:1: invalid JSON data: column 13: key "corp" given twice (first at line 1); a JSON decoder keeps only one of them`},
		// encoding/json accepts invalid UTF-8; the check must go on past it.
		{"a key given twice after invalid UTF-8, JSON", "d.json", "{\"corp\": \"\xff\",\n \"corp\": 2}",
			`d.json:2: invalid JSON data: column 2: key "corp" given twice (first at line 1); a JSON decoder keeps only one of them`},
		{"a key given twice, YAML", "d.yaml", "sgaudit:\n  ports: {}\n  ports: {admin: []}\n",
			`d.yaml:3: invalid YAML data: mapping key "ports" already defined at line 2`},
		{"keys differing in case are different keys, JSON", "d.json", `{"corp": {"a": 1, "A": 2}}`, ""},
		{"two YAML documents", "d.yaml", "sgaudit: {}\n---\nsgaudit: 7\n",
			`d.yaml:2: invalid YAML data: a second YAML document; a data file holds one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := loadData(t, map[string]string{tt.file: tt.text}, tt.file)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDataFileOrder: each file is checked on its own, so the file named is
// the one that holds the bad value, even when a later file replaces it.
func TestDataFileOrder(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"a.json": `{"sgaudit": {"rules_quota": "many"}}`,
		"b.json": `{"sgaudit": {"rules_quota": 40}}`,
	}
	if diff := cmp.Diff(`a.json:1: invalid data at sgaudit.rules_quota: want integer, got "many"`, loadData(t, files, "a.json", "b.json")); diff != "" {
		t.Errorf("Load error (-want +got):\n%s", diff)
	}
}

// TestEmbeddedDataIsValidated: the merged document includes the pack's own
// data; a bad value there names the embedded file and line.
func TestEmbeddedDataIsValidated(t *testing.T) {
	t.Parallel()
	pack := mapFS(map[string]string{
		"checks/good.rego":   meta("ACME900", "HIGH") + "package acme.good\n" + everyGroup,
		"data/defaults.json": "{\"sgaudit\": {\n  \"ports\": {\n    \"admin\": [22, 3389]\n  }\n}}\n",
	})
	_, err := Load(context.Background(), pack, Options{})
	want := `policies/data/defaults.json:3: invalid data at sgaudit.ports.admin[0]: want object, got 22`
	if err == nil || err.Error() != want {
		t.Errorf("Load = %v, want %q", err, want)
	}
}

// TestDataAliasLimits: YAML --data files are decoded by go-yaml into Go
// values, which refuses an alias inside its own anchor and stops alias
// expansion ("billion laughs") early; sgaudit also bounds the text aliases
// add. Each is an error naming the file.
func TestDataAliasLimits(t *testing.T) {
	t.Parallel()
	var laughs strings.Builder
	laughs.WriteString("corp:\n  l0: &l0 [lol]\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, "  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 10), ", "))
	}
	tests := []struct {
		name, text, want string
	}{
		{"self-reference", "corp: &d\n  x: *d\n", `d.yaml:1: invalid YAML data: anchor 'd' value contains itself`},
		{"self-reference in sgaudit", "sgaudit:\n  ports: &p\n    admin: *p\n", `d.yaml:2: invalid YAML data: anchor 'p' value contains itself`},
		{"billion laughs, 9 levels of 10", laughs.String(), `d.yaml: invalid YAML data: document contains excessive aliasing`},
		{"deep nesting", "corp: " + strings.Repeat("[", 20000), `d.yaml: invalid YAML data: exceeded max depth of 10000`},
		// Few aliases and few values, within go-yaml's limits, but 9,999
		// copies of 100,000 bytes: a gigabyte of text.
		{"one long string aliased many times", "sgaudit:\n  naming_pattern: &s \"" + strings.Repeat("y", 100_000) + "\"\n" +
			"  placeholder_descriptions: [" + strings.TrimSuffix(strings.Repeat("*s, ", 9999), ", ") + "]\n",
			fmt.Sprintf(`d.yaml:3: invalid YAML data: aliases expand to more than %d bytes of text; write the values out or use fewer aliases`, MaxAliasedDataBytes)},
		// The 42nd alias (line 3+42) passes 4 MiB.
		{"one long string aliased on many lines", "corp:\n  a: &s \"" + strings.Repeat("y", 100_000) + "\"\n  b:\n" + strings.Repeat("    - *s\n", 100),
			fmt.Sprintf(`d.yaml:%d: invalid YAML data: aliases expand to more than %d bytes of text; write the values out or use fewer aliases`, 3+MaxAliasedDataBytes/100_000+1, MaxAliasedDataBytes)},
		{"a long string aliased a few times", "corp:\n  a: &s \"" + strings.Repeat("y", 100_000) + "\"\n  b:\n" + strings.Repeat("    - *s\n", MaxAliasedDataBytes/100_000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := loadData(t, map[string]string{"d.yaml": tt.text}, "d.yaml")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUserCategoryIsEvaluated: a port category of one's own, accepted by
// the schema, goes through the real pack's catalogue index without error.
func TestUserCategoryIsEvaluated(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"d.yaml": "sgaudit:\n  ports:\n    mycat:\n      - {service: Console, protocols: [tcp, udp], from_port: 0, to_port: 65535}\n"})
	e, err := Load(context.Background(), policies.FS, Options{DataFiles: []string{filepath.Join(dir, "d.yaml")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Evaluate(context.Background(), fixture(t)); err != nil {
		t.Errorf("Evaluate with a category of one's own: %v", err)
	}
}

// TestEscalationNotBelowBase: data.sgaudit.severities.<check>.public_interface
// replaces the severity of a finding on a public interface, so it may
// raise it and never lower it below the check's severity (METADATA, or the
// configured override): LOW would turn SGA001's CRITICAL escalation into
// less than the HIGH of a group nobody reaches.
func TestEscalationNotBelowBase(t *testing.T) {
	t.Parallel()
	const msg = "invalid data at sgaudit.severities.%s.public_interface: %s is below the severity of %s, %s: an escalation raises a finding on a public interface and cannot lower it (checks.%s.severity sets the check's own)"
	tests := []struct {
		name      string
		file      string
		text      string
		overrides map[string]findings.Severity
		want      string // "" = accepted
	}{
		{"admin escalation lowered", "d.yaml", "sgaudit:\n  severities:\n    open_admin_ports:\n      public_interface: low\n", nil,
			"d.yaml:4: " + fmt.Sprintf(msg, "open_admin_ports", "LOW", "SGA001", "HIGH", "SGA001")},
		{"high-risk escalation lowered, JSON", "d.json", "{\"sgaudit\": {\"severities\": {\n  \"open_high_risk_ports\": {\"public_interface\": \"Medium\"}}}}", nil,
			"d.json:2: " + fmt.Sprintf(msg, "open_high_risk_ports", "MEDIUM", "SGA004", "HIGH", "SGA004")},
		{"escalation equal to the base", "d.yaml", "sgaudit:\n  severities:\n    open_admin_ports: {public_interface: high}\n", nil, ""},
		{"below an overridden base", "d.yaml", "sgaudit:\n  severities:\n    open_admin_ports: {public_interface: high}\n",
			map[string]findings.Severity{"SGA001": findings.SeverityCritical},
			"d.yaml:3: " + fmt.Sprintf(msg, "open_admin_ports", "HIGH", "SGA001", "CRITICAL", "SGA001")},
		{"above a lowered base", "d.yaml", "sgaudit:\n  severities:\n    open_admin_ports: {public_interface: medium}\n",
			map[string]findings.Severity{"SGA001": findings.SeverityLow}, ""},
		// A downgrade by design, not an escalation.
		{"default group special case", "d.yaml", "sgaudit:\n  severities:\n    default_group_rules: {vpc_without_interfaces: low}\n", nil, ""},
		{"a name no check has", "d.yaml", "sgaudit:\n  severities:\n    my_check: {public_interface: low}\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{tt.file: tt.text})
			_, err := Load(context.Background(), policies.FS, Options{DataFiles: []string{filepath.Join(dir, tt.file)}, SeverityOverrides: tt.overrides})
			got := ""
			if err != nil {
				got = strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
				if !errors.Is(err, ErrPolicy) {
					t.Errorf("error %v does not wrap ErrPolicy", err)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load error (-want +got):\n%s", diff)
			}
		})
	}
}
