package exposure

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/policies"
)

func TestServicesFromData(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []Service
		wantErr string
	}{
		{
			name: "every category, in name order, across files; repeats dropped",
			files: fstest.MapFS{
				"data/a.json": {Data: []byte(`{"sgaudit": {"ports": {
					"database": [{"service": "MySQL", "protocols": ["tcp"], "from_port": 3306, "to_port": 3306}],
					"admin": [{"service": "SSH", "protocols": ["TCP", "udp"], "from_port": 22, "to_port": 22}]
				}}}`)},
				"data/b.json": {Data: []byte(`{"sgaudit": {"ports": {
					"high_risk": [{"service": "NetBIOS", "protocols": ["tcp", "udp"], "from_port": 137, "to_port": 139}],
					"admin": [{"service": "SSH", "protocols": ["tcp", "udp"], "from_port": 22, "to_port": 22}]
				}}}`)},
				"checks/x.rego": {Data: []byte("package x")},
			},
			want: []Service{
				{Name: "SSH", Protocols: []string{"tcp", "udp"}, FromPort: 22, ToPort: 22},
				{Name: "MySQL", Protocols: []string{"tcp"}, FromPort: 3306, ToPort: 3306},
				{Name: "NetBIOS", Protocols: []string{"tcp", "udp"}, FromPort: 137, ToPort: 139},
			},
		},
		{
			name: "port and protocol shorthands; unnamed entries and non-lists skipped",
			files: fstest.MapFS{
				"data/defaults.json": {Data: []byte(`{"sgaudit": {"ports": {
					"authorised": [{"protocol": "tcp", "port": 443}],
					"threshold": 50,
					"misc": [{"service": "NTP", "protocol": "udp", "port": 123}, {"service": "Docker", "protocols": ["tcp"], "from_port": 2375}]
				}, "placeholder_descriptions": [""]}}`)},
			},
			want: []Service{
				{Name: "NTP", Protocols: []string{"udp"}, FromPort: 123, ToPort: 123},
				{Name: "Docker", Protocols: []string{"tcp"}, FromPort: 2375, ToPort: 2375},
			},
		},
		{
			name:  "no data files",
			files: fstest.MapFS{"checks/x.rego": {Data: []byte("package x")}},
			want:  nil,
		},
		{
			name:    "malformed json names the file",
			files:   fstest.MapFS{"data/bad.json": {Data: []byte(`{"sgaudit": `)}},
			wantErr: "policy data bad.json: decode port catalogue",
		},
		{
			name:    "wrong type in a list names the category",
			files:   fstest.MapFS{"data/d.json": {Data: []byte(`{"sgaudit": {"ports": {"admin": [{"service": "SSH", "from_port": "22"}]}}}`)}},
			wantErr: "decode sgaudit.ports.admin",
		},
		{
			name:    "reversed range",
			files:   fstest.MapFS{"data/d.json": {Data: []byte(`{"sgaudit": {"ports": {"admin": [{"service": "X", "protocols": ["tcp"], "from_port": 30, "to_port": 20}]}}}`)}},
			wantErr: "sgaudit.ports.admin[0] (X): bad port range 30-20",
		},
		{
			name:    "no protocols",
			files:   fstest.MapFS{"data/d.json": {Data: []byte(`{"sgaudit": {"ports": {"admin": [{"service": "X", "from_port": 1}]}}}`)}},
			wantErr: "sgaudit.ports.admin[0] (X): no protocols",
		},
		{
			name:    "no port",
			files:   fstest.MapFS{"data/d.json": {Data: []byte(`{"sgaudit": {"ports": {"admin": [{"service": "X", "protocols": ["tcp"]}]}}}`)}},
			wantErr: "sgaudit.ports.admin[0] (X): no from_port",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ServicesFromData(tt.files)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ServicesFromData error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ServicesFromData: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ServicesFromData (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServicesFromEmbeddedPolicies reads the real catalogue: every category
// under data.sgaudit.ports (whatever other engineers add) must contribute
// every one of its named entries, and the facts of docs/architecture.md §5 hold.
func TestServicesFromEmbeddedPolicies(t *testing.T) {
	t.Parallel()
	got, err := ServicesFromData(policies.FS)
	if err != nil {
		t.Fatalf("ServicesFromData(policies.FS): %v", err)
	}
	for _, s := range got {
		if s.Name == "" || len(s.Protocols) == 0 || s.FromPort < 0 || s.ToPort > 65535 || s.FromPort > s.ToPort {
			t.Errorf("invalid service %+v", s)
		}
	}
	has := func(name, proto string, port int) bool {
		return slices.ContainsFunc(got, func(s Service) bool {
			return s.Name == name && slices.Contains(s.Protocols, proto) && s.FromPort <= port && port <= s.ToPort
		})
	}
	for _, f := range []struct {
		name, proto string
		port        int
	}{{"SSH", "tcp", 22}, {"SSH", "udp", 22}, {"RDP", "udp", 3389}, {"MySQL", "tcp", 3306}, {"MSSQL Browser", "udp", 1434}} {
		if !has(f.name, f.proto, f.port) {
			t.Errorf("catalogue lacks %s %s/%d", f.name, f.proto, f.port)
		}
	}
	// Each named entry of each data file's port lists is in the result,
	// read here with a generic decoder rather than the package's own.
	files, err := fs.Glob(policies.FS, "data/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no data files in policies.FS: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(policies.FS, f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			SGAudit struct {
				Ports map[string]any `json:"ports"`
			} `json:"sgaudit"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for category, v := range doc.SGAudit.Ports {
			list, _ := v.([]any)
			for _, e := range list {
				m, _ := e.(map[string]any)
				name, _ := m["service"].(string)
				if name != "" && !slices.ContainsFunc(got, func(s Service) bool { return s.Name == name }) {
					t.Errorf("%s: service %q of category %s is missing", f, name, category)
				}
			}
		}
	}
}

func TestCatalogueNames(t *testing.T) {
	t.Parallel()
	cat := catalogue(append(slices.Clone(testServices),
		Service{Name: "GRE thing", Protocols: []string{"47"}, FromPort: 0, ToPort: 0},
		Service{Name: "SSH", Protocols: []string{"tcp"}, FromPort: 2222, ToPort: 2222}, // a second entry, one name
	))
	tests := []struct {
		name     string
		proto    string
		from, to int
		want     []string
	}{
		{name: "range spanning several, ordered by port", proto: "tcp", from: 20, to: 30, want: []string{"FTP", "SSH", "Telnet"}},
		{name: "range overlapping a service range at its end", proto: "tcp", from: 21, to: 21, want: []string{"FTP"}},
		{name: "udp 22 is SSH", proto: "udp", from: 22, to: 22, want: []string{"SSH"}},
		{name: "udp-only service not on tcp", proto: "tcp", from: 1434, to: 1434, want: nil},
		{name: "udp-only service on udp", proto: "udp", from: 1400, to: 1500, want: []string{"MSSQL Browser"}},
		{name: "one name once", proto: "tcp", from: 0, to: 65535, want: []string{"FTP", "SSH", "Telnet", "RDP"}},
		{name: "all reaches every service", proto: "all", from: 0, to: 65535, want: []string{"GRE thing", "FTP", "SSH", "Telnet", "MSSQL Browser", "RDP"}},
		{name: "portless protocol matches by protocol", proto: "47", from: -1, to: -1, want: []string{"GRE thing"}},
		{name: "icmp is no service here", proto: "icmp", from: -1, to: -1, want: nil},
		{name: "no overlap", proto: "tcp", from: 24, to: 2221, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, cat.names(tt.proto, tt.from, tt.to)); diff != "" {
				t.Errorf("names(%s %d-%d) (-want +got):\n%s", tt.proto, tt.from, tt.to, diff)
			}
		})
	}
}
