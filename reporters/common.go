package reporters

import (
	"cmp"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/internal/checkdocs"
	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// errNilReport is returned by every reporter given a nil report.
var errNilReport = errors.New("nil report")

// prepare returns a copy of r whose lists are cloned, sorted in the
// canonical order and never nil, so that reporters neither modify the
// caller's report (several reporters may read it at once) nor depend on the
// order it was built in. Findings and checks themselves are shared: their
// maps and slices are only read.
func prepare(r *findings.Report) (*findings.Report, error) {
	if r == nil {
		return nil, errNilReport
	}
	p := *r
	p.Accounts = cloneSorted(r.Accounts, func(a, b inventory.Account) int { return cmp.Compare(a.ID, b.ID) })
	p.Coverage = cloneSorted(r.Coverage, func(a, b inventory.Coverage) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region))
	})
	for i := range p.Coverage {
		// Never nil (it would print as null), and sorted like the rest.
		p.Coverage[i].Collected = cloneSorted(p.Coverage[i].Collected, strings.Compare)
	}
	p.Checks = cloneSorted(r.Checks, func(a, b findings.Check) int { return cmp.Compare(a.ID, b.ID) })
	for i := range p.Checks {
		c := &p.Checks[i]
		// A framework with a nil control list would print as null.
		for k, v := range c.Frameworks {
			if v == nil {
				fw := maps.Clone(c.Frameworks)
				fw[k] = []string{}
				c.Frameworks = fw
			}
		}
	}
	p.Findings = prepareFindings(r.Findings)
	p.Summary.BySeverity = cloneMap(r.Summary.BySeverity)
	p.Summary.ByCheck = cloneMap(r.Summary.ByCheck)
	p.Exposures = prepareExposures(r.Exposures)
	p.Notices = cloneSorted(r.Notices, compareNotices)
	if r.Baseline != nil {
		b := *r.Baseline
		b.FixedFindings = prepareFindings(r.Baseline.FixedFindings)
		p.Baseline = &b
	}
	return &p, nil
}

// prepareFindings returns the findings sorted, never nil, with a nil
// framework control list replaced by an empty one (it would print as null).
func prepareFindings(fs []findings.Finding) []findings.Finding {
	out := cloneSorted(fs, findings.CompareFindings)
	for i := range out {
		f := &out[i]
		for k, v := range f.Frameworks {
			if v == nil {
				fw := maps.Clone(f.Frameworks)
				fw[k] = []string{}
				f.Frameworks = fw
			}
		}
	}
	return out
}

// prepareExposures returns the exposures in the canonical order (account,
// region, interface) with their ports in port order, and every list that
// JSON must show as [] non-nil. Inner slices are cloned before they are
// changed, so the caller's report is never touched.
func prepareExposures(es []findings.Exposure) []findings.Exposure {
	out := cloneSorted(es, func(a, b findings.Exposure) int {
		return cmp.Or(
			cmp.Compare(a.AccountID, b.AccountID),
			cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID),
			cmp.Compare(a.PublicIP, b.PublicIP),
		)
	})
	for i := range out {
		e := &out[i]
		e.Ports = cloneSorted(e.Ports, compareExposedPorts)
		for j := range e.Ports {
			pt := &e.Ports[j]
			pt.GroupIDs = cloneSorted(pt.GroupIDs, strings.Compare)
			pt.Peers = cloneSorted(pt.Peers, strings.Compare)
		}
	}
	return out
}

// compareExposedPorts orders ports by protocol (all, tcp, udp, icmp,
// icmpv6, numbered protocols by number, then any other name), then by
// range: the order internal/exposure computes them in, restated here
// because reporters must not depend on it and must not trust the order a
// report was built in.
func compareExposedPorts(a, b findings.ExposedPort) int {
	return cmp.Or(
		inventory.CompareProtocols(a.Protocol, b.Protocol),
		cmp.Compare(a.FromPort, b.FromPort),
		cmp.Compare(a.ToPort, b.ToPort),
	)
}

// compareNotices puts warnings before everything else, then orders by
// message, so the notices that need action come first in every format.
func compareNotices(a, b findings.Notice) int {
	return cmp.Or(
		cmp.Compare(noticeRank(a.Level), noticeRank(b.Level)),
		cmp.Compare(a.Level, b.Level),
		cmp.Compare(a.Message, b.Message),
	)
}

func noticeRank(l findings.NoticeLevel) int {
	if l == findings.NoticeWarning {
		return 0
	}
	return 1
}

// cloneSorted returns a sorted copy of s, never nil. The sort is stable so
// two entries equal under compare keep the caller's order.
func cloneSorted[T any](s []T, compare func(a, b T) int) []T {
	out := make([]T, len(s))
	copy(out, s)
	slices.SortStableFunc(out, compare)
	return out
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return maps.Clone(m)
}

// tally counts unsuppressed findings per severity. Reporters count from the
// findings themselves rather than trusting Summary, which the caller may
// not have filled in.
type tally struct {
	active     int
	suppressed int
	bySeverity map[findings.Severity]int
}

func count(fs []findings.Finding) tally {
	t := tally{bySeverity: map[findings.Severity]int{}}
	for _, f := range fs {
		if f.Suppression != nil {
			t.suppressed++
			continue
		}
		t.active++
		t.bySeverity[f.Severity]++
	}
	return t
}

// severitiesHighFirst lists the severities from CRITICAL down to LOW.
func severitiesHighFirst() []findings.Severity {
	s := slices.Clone(findings.Severities)
	slices.Reverse(s)
	return s
}

// activeBySeverity returns the unsuppressed findings, highest severity
// first and in the canonical order within a severity.
func activeBySeverity(fs []findings.Finding) []findings.Finding {
	var out []findings.Finding
	for _, f := range fs {
		if f.Suppression == nil {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, findings.CompareBySeverity)
	return out
}

// messageBody returns a finding's message without the leading
// "sg-0abc (name) " that every message starts with, for tables whose GROUP
// column already shows it.
func messageBody(f findings.Finding) string {
	if f.GroupID == "" {
		return f.Message
	}
	for _, prefix := range []string{f.GroupID + " (" + f.GroupName + ") ", f.GroupID + " "} {
		if rest, ok := strings.CutPrefix(f.Message, prefix); ok && strings.TrimSpace(rest) != "" {
			return rest
		}
	}
	return f.Message
}

// notOK returns the coverage rows whose (account, region) was not read.
func notOK(cov []inventory.Coverage) []inventory.Coverage {
	var out []inventory.Coverage
	for _, c := range cov {
		if c.Status != inventory.CoverageOK {
			out = append(out, c)
		}
	}
	return out
}

// incompleteChecks returns the checks that were not evaluated everywhere.
// Disabled checks are left out: they are off on purpose.
func incompleteChecks(checks []findings.Check) []findings.Check {
	var out []findings.Check
	for _, c := range checks {
		if c.Status == findings.CheckNotEvaluated || c.Status == findings.CheckPartial {
			out = append(out, c)
		}
	}
	return out
}

// statusText reads a check status in words.
func statusText(s findings.CheckStatus) string {
	return strings.ReplaceAll(string(s), "_", " ")
}

// Account legend limits of the table and Markdown reports, which show
// account ids in their rows. IAM aliases have at most 63 characters and
// Organizations names 50; an organisation's full list is in the JSON and
// HTML reports.
const (
	maxAccountName   = 64
	maxAccountLegend = 25
)

// namedAccounts returns the accounts that have a name, in the order given
// (prepare sorts them by id), each name stripped of control characters and
// escapes and cut to maxAccountName. A name that is nothing but escapes
// counts as none.
func namedAccounts(accts []inventory.Account) []inventory.Account {
	var out []inventory.Account
	for _, a := range accts {
		if name := truncate(strings.TrimSpace(sanitize(a.Name)), maxAccountName); name != "" {
			a.Name = name
			out = append(out, a)
		}
	}
	return out
}

// plural returns "1 finding" or "2 findings".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// sanitize makes text that came from AWS safe to print on one line of a
// terminal or a Markdown table (internal/safetext.Line).
func sanitize(s string) string { return safetext.Line(s) }

// truncate shortens s to at most max runes, ending with "…" when cut.
func truncate(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	rs := []rune(s)
	return strings.TrimRight(string(rs[:max-1]), " ") + "…"
}

// portLabel reads an exposed port range as a person writes it: "tcp/22",
// "udp/137-139", "tcp/all ports", "all traffic", "icmp type 8", or
// "protocol 47" for a protocol with no name.
func portLabel(pt findings.ExposedPort) string {
	proto := strings.ToLower(strings.TrimSpace(pt.Protocol))
	switch proto {
	case inventory.ProtocolAll, "-1":
		return "all traffic"
	case inventory.ProtocolTCP, inventory.ProtocolUDP:
		switch {
		case pt.FromPort == pt.ToPort:
			return proto + "/" + strconv.Itoa(pt.FromPort)
		case pt.FromPort <= 0 && pt.ToPort >= 65535:
			return proto + "/all ports"
		default:
			return proto + "/" + strconv.Itoa(pt.FromPort) + "-" + strconv.Itoa(pt.ToPort)
		}
	case inventory.ProtocolICMP, inventory.ProtocolICMPv6:
		// For ICMP, EC2 puts the type in FromPort and the code in ToPort;
		// -1 means every type or code.
		if pt.FromPort < 0 {
			return proto
		}
		label := proto + " type " + strconv.Itoa(pt.FromPort)
		if pt.ToPort >= 0 {
			label += " code " + strconv.Itoa(pt.ToPort)
		}
		return label
	case "":
		return "unknown protocol"
	}
	if _, err := strconv.Atoi(proto); err == nil {
		return "protocol " + proto
	}
	return proto
}

// maxServices is how many service names a port shows before "+N more": a
// protocol-all range holds every service of the catalogue (dozens), which
// would drown the line.
const maxServices = 4

// serviceList joins service names, at most max of them, then "+N more".
func serviceList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + ", +" + strconv.Itoa(len(names)-max) + " more"
}

// portWithServices is portLabel followed by the services in the range:
// "tcp/22 (SSH)", "all traffic (FTP, SSH, Telnet, SMTP, +56 more)".
func portWithServices(pt findings.ExposedPort) string {
	label := portLabel(pt)
	if len(pt.Services) > 0 {
		label += " (" + serviceList(pt.Services, maxServices) + ")"
	}
	return label
}

// portWithVerdict is portWithServices followed, when the scan verified
// reachability anywhere, by this port's verdict.
func portWithVerdict(pt findings.ExposedPort, verified bool) string {
	label := portWithServices(pt)
	switch {
	case !verified:
	case pt.Reachable == nil:
		label += " not verified"
	case *pt.Reachable:
		label += " verified"
	default:
		label += " blocked"
	}
	return label
}

// exposureGroups lists, sorted and once each, the groups that open any
// port of an exposure.
func exposureGroups(e findings.Exposure) []string {
	var ids []string
	for _, pt := range e.Ports {
		ids = append(ids, pt.GroupIDs...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// risk ranks how exposed an interface is, for lists that show only the
// worst few: all traffic open beats anything, then the number of catalogue
// services reachable (SSH, MySQL...: each one a known attack surface), then
// how many ports are open in all.
type risk struct {
	allTraffic bool
	services   int
	ports      int
}

// exposureRisk measures one exposure.
func exposureRisk(e findings.Exposure) risk {
	var r risk
	services := map[string]bool{}
	for _, pt := range e.Ports {
		switch strings.ToLower(pt.Protocol) {
		case inventory.ProtocolAll, "-1":
			r.allTraffic = true
			r.ports += 65536
		case inventory.ProtocolTCP, inventory.ProtocolUDP:
			r.ports += max(pt.ToPort-pt.FromPort+1, 1)
		default:
			r.ports++
		}
		for _, s := range pt.Services {
			services[s] = true
		}
	}
	r.services = len(services)
	return r
}

// compare orders risks, least exposed first.
func (r risk) compare(o risk) int {
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	return cmp.Or(
		cmp.Compare(b2i(r.allTraffic), b2i(o.allTraffic)),
		cmp.Compare(r.services, o.services),
		cmp.Compare(r.ports, o.ports),
	)
}

// complianceLine is one check's compliance controls, as every format
// shows them (internal/checkdocs.Frameworks).
type complianceLine struct {
	checkID  string
	controls []string
}

// complianceLines returns, for each check with an active finding, its
// controls, by check id. The catalogue is authoritative; a finding's own
// copy serves custom checks missing from it.
func complianceLines(active []findings.Finding, p *findings.Report) []complianceLine {
	seen := map[string]bool{}
	var lines []complianceLine
	for _, f := range active {
		if seen[f.CheckID] {
			continue
		}
		seen[f.CheckID] = true
		fw := f.Frameworks
		if c, ok := p.Check(f.CheckID); ok && len(c.Frameworks) > 0 {
			fw = c.Frameworks
		}
		if controls := checkdocs.Frameworks(fw); len(controls) > 0 {
			lines = append(lines, complianceLine{checkID: f.CheckID, controls: controls})
		}
	}
	slices.SortFunc(lines, func(a, b complianceLine) int { return cmp.Compare(a.checkID, b.checkID) })
	return lines
}
