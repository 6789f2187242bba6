package exposure

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Service is one entry of the policies' port catalogue
// (data.sgaudit.ports.<category>[_]): a named service on a port range.
type Service struct {
	Name string
	// Protocols are the protocols the service listens on, e.g. ["tcp", "udp"].
	Protocols []string
	FromPort  int
	ToPort    int
}

// catalogueEntry is the JSON shape of a port-catalogue entry in
// policies/data/*.json. Pointers tell a missing port from port 0.
type catalogueEntry struct {
	Service   string   `json:"service"`
	Protocols []string `json:"protocols"`
	Protocol  string   `json:"protocol"`
	FromPort  *int     `json:"from_port"`
	ToPort    *int     `json:"to_port"`
	Port      *int     `json:"port"`
}

// ServicesFromData reads the port catalogue from the data/*.json files of a
// policy file system (policies.FS): every list under data.sgaudit.ports,
// whatever its category (admin, database, high_risk...), so a category added
// to the data needs no code change. It parses the JSON directly, without
// OPA, so the exposure package stays cheap to import.
//
// Entries without a service name are skipped: they are port lists that are
// not a catalogue (such as authorised ports). A file system with no data
// files gives an empty catalogue; a malformed file is an error.
func ServicesFromData(fsys fs.FS) ([]Service, error) {
	names, err := fs.Glob(fsys, "data/*.json")
	if err != nil {
		return nil, fmt.Errorf("list policy data files: %w", err)
	}
	var out []Service
	for _, name := range names { // fs.Glob returns names sorted
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read policy data %s: %w", name, err)
		}
		s, err := ServicesFromJSON(b)
		if err != nil {
			return nil, fmt.Errorf("policy data %s: %w", path.Base(name), err)
		}
		out = append(out, s...)
	}
	return dedupeServices(out), nil
}

// ServicesFromJSON reads the port catalogue from one data document shaped
// like policies/data/defaults.json ({"sgaudit": {"ports": {"admin": [...]}}}),
// categories in name order. A document without data.sgaudit.ports gives none.
func ServicesFromJSON(b []byte) ([]Service, error) {
	var doc struct {
		SGAudit struct {
			Ports map[string]json.RawMessage `json:"ports"`
		} `json:"sgaudit"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("decode port catalogue: %w", err)
	}
	var out []Service
	for _, category := range slices.Sorted(maps.Keys(doc.SGAudit.Ports)) {
		raw := bytes.TrimSpace(doc.SGAudit.Ports[category])
		if len(raw) == 0 || raw[0] != '[' {
			continue // not a list of ports (a setting kept beside the lists)
		}
		var entries []catalogueEntry
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil, fmt.Errorf("decode sgaudit.ports.%s: %w", category, err)
		}
		for i, e := range entries {
			if strings.TrimSpace(e.Service) == "" {
				continue
			}
			s, err := e.service()
			if err != nil {
				return nil, fmt.Errorf("sgaudit.ports.%s[%d] (%s): %w", category, i, e.Service, err)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

// service checks an entry and converts it; "port" stands for a one-port
// range and "protocol" for a one-protocol list.
func (e catalogueEntry) service() (Service, error) {
	protocols := e.Protocols
	if len(protocols) == 0 && e.Protocol != "" {
		protocols = []string{e.Protocol}
	}
	if len(protocols) == 0 {
		return Service{}, errors.New("no protocols")
	}
	from, to := e.FromPort, e.ToPort
	if from == nil {
		from = e.Port
	}
	if to == nil {
		to = from
	}
	if from == nil {
		return Service{}, errors.New("no from_port")
	}
	if *from < 0 || *to > 65535 || *from > *to {
		return Service{}, fmt.Errorf("bad port range %d-%d", *from, *to)
	}
	ps := make([]string, len(protocols))
	for i, p := range protocols {
		ps[i] = strings.ToLower(strings.TrimSpace(p))
	}
	return Service{Name: strings.TrimSpace(e.Service), Protocols: ps, FromPort: *from, ToPort: *to}, nil
}

// dedupeServices drops exact repeats (the same entry in two data files),
// keeping the first, so names are not counted twice.
func dedupeServices(in []Service) []Service {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		k := fmt.Sprintf("%s|%s|%d|%d", s.Name, strings.Join(s.Protocols, ","), s.FromPort, s.ToPort)
		if !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// catalogue answers "which services does this exposed range reach".
type catalogue []Service

// names lists the services a world-open protocol and range reach, ordered
// by their lowest port in the range and then by name, each once. Protocol
// all reaches every service (as net.matches_protocol and net.overlaps say);
// tcp and udp need a shared port; any other protocol only needs to be
// listed by the service, since it has no ports (from/to are -1).
func (c catalogue) names(protocol string, from, to int) []string {
	type hit struct {
		name string
		port int
	}
	var hits []hit
	for _, s := range c {
		if protocol != inventory.ProtocolAll {
			if !slices.Contains(s.Protocols, protocol) {
				continue
			}
			if hasPorts(protocol) && (s.FromPort > to || from > s.ToPort) {
				continue
			}
		}
		hits = append(hits, hit{s.Name, max(s.FromPort, from)})
	}
	if len(hits) == 0 {
		return nil
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.port, b.port), cmp.Compare(a.name, b.name)) })
	out := make([]string, 0, len(hits))
	seen := make(map[string]bool, len(hits))
	for _, h := range hits {
		if !seen[h.name] {
			seen[h.name] = true
			out = append(out, h.name)
		}
	}
	return out
}

// ServiceNames names the catalogue services in a port range of a protocol,
// as Compute does for each world-open range: for ranges found another way
// (a port only a load balancer makes reachable, docs/reachability.md §4).
func ServiceNames(services []Service, protocol string, from, to int) []string {
	return catalogue(services).names(protocol, from, to)
}
