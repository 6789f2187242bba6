// Package findings defines the result of a scan: the check catalogue, the
// findings, and the coverage they were judged on. Reporters read only this
// package (and inventory for shared types); they never see AWS or OPA.
package findings

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// SchemaVersion is the version of the findings JSON (reporters/json); the
// JSON Schema lives in docs/schema/findings.schema.json.
const SchemaVersion = "2"

// Severity is a finding's severity.
type Severity string

// Severities, lowest first.
const (
	SeverityLow      Severity = "LOW"
	SeverityMedium   Severity = "MEDIUM"
	SeverityHigh     Severity = "HIGH"
	SeverityCritical Severity = "CRITICAL"
)

// Severities lists every severity, lowest first.
var Severities = []Severity{SeverityLow, SeverityMedium, SeverityHigh, SeverityCritical}

// Rank orders severities: LOW 1 ... CRITICAL 4, anything else 0.
func (s Severity) Rank() int {
	return slices.Index(Severities, s) + 1
}

// ParseSeverity reads a severity in any case ("high", "HIGH").
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToUpper(strings.TrimSpace(s)))
	if sev.Rank() == 0 {
		return "", fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
	}
	return sev, nil
}

// CheckStatus says whether a check was run.
type CheckStatus string

// Check statuses.
const (
	CheckEvaluated    CheckStatus = "evaluated"
	CheckDisabled     CheckStatus = "disabled"
	CheckNotEvaluated CheckStatus = "not_evaluated" // data it requires was not collected
	CheckPartial      CheckStatus = "partial"       // evaluated in some regions only
)

// Check is one entry of the catalogue, read from the policy's METADATA.
type Check struct {
	ID          string   `json:"id"`   // SGA001; permanent
	Name        string   `json:"name"` // open-admin-ports
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Resolution  string   `json:"resolution"`
	// Frameworks maps a framework to its controls, e.g. "cis-aws" → ["5.2"].
	Frameworks       map[string][]string `json:"frameworks,omitempty"`
	Tags             []string            `json:"tags,omitempty"`
	RelatedResources []string            `json:"related_resources,omitempty"`
	// Requires lists the inventory data kinds the check needs.
	Requires []string    `json:"requires,omitempty"`
	Custom   bool        `json:"custom"` // from --policy-dir
	Status   CheckStatus `json:"status"`
	// StatusDetail says why a check was not (fully) evaluated.
	StatusDetail string `json:"status_detail,omitempty"`
}

// Finding is one problem on one group (and rule, when a rule is at fault).
type Finding struct {
	CheckID     string   `json:"check_id"`
	Severity    Severity `json:"severity"`
	Title       string   `json:"title"`
	AccountID   string   `json:"account_id"`
	AccountName string   `json:"account_name,omitempty"`
	Region      string   `json:"region"`
	VPCID       string   `json:"vpc_id,omitempty"`
	GroupID     string   `json:"group_id"`
	GroupName   string   `json:"group_name"`
	GroupARN    string   `json:"group_arn"`
	RuleID      string   `json:"rule_id,omitempty"`
	// RuleKey identifies the rule by content (inventory.Rule.Key) when one
	// is at fault; it is part of the fingerprint.
	RuleKey string `json:"rule_key,omitempty"`
	// Message starts with the resource: "sg-0abc (web) allows ...".
	Message string `json:"message"`
	// Remediation is the exact command a person would run; sgaudit never runs it.
	Remediation string `json:"remediation"`
	// Resolution is the check's general advice.
	Resolution string         `json:"resolution"`
	Evidence   map[string]any `json:"evidence,omitempty"`
	// Fingerprint is a stable hash of (check id, group ARN, rule key or
	// discriminator); no timestamps, so it tracks a finding across scans.
	Fingerprint string       `json:"fingerprint"`
	Suppression *Suppression `json:"suppression,omitempty"`
	// Frameworks are the compliance controls of the check (CIS, Security
	// Hub), copied onto each finding so no reporter has to join.
	Frameworks map[string][]string `json:"frameworks,omitempty"`
	// Baseline says whether the finding is new since --baseline, or was
	// there already. Empty without a baseline.
	Baseline BaselineState `json:"baseline,omitempty"`
	// Source is the block of infrastructure as code that declares the
	// group, or the rule at fault, when the scan was given the code and
	// the state that manage it (docs/iac.md). Nil otherwise.
	Source *Source `json:"source,omitempty"`
}

// Source is a block of a Terraform or CloudFormation file.
type Source struct {
	// File is relative to the source root (the working directory),
	// slash-separated: the path GitHub shows the alert on.
	File      string `json:"file"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	// Address names the block: a Terraform address
	// (module.net.aws_security_group.web["a"]) or a CloudFormation path
	// (Resources.Web.Properties.SecurityGroupIngress[0]).
	Address string `json:"address"`
}

// Reasons a finding was not mapped to a source (SourceMapping.Unmapped).
const (
	// UnmappedNoSource: no state or template was given that could manage
	// the group (no --tf-state; a CloudFormation stack without a template).
	UnmappedNoSource = "no_state_given"
	// UnmappedNotManaged: the states given do not hold the group, and no
	// CloudFormation stack created it.
	UnmappedNotManaged = "resource_not_managed"
	// UnmappedFileNotFound: a state or stack holds the group, but its
	// block was not found in the code given (or lies outside the source
	// root).
	UnmappedFileNotFound = "file_not_found"
)

// SourceMapping says how many findings were mapped to infrastructure as
// code, per source, and why the rest were not (docs/iac.md §3).
type SourceMapping struct {
	Mapped   int `json:"mapped"`
	Unmapped int `json:"unmapped"`
	// Sources count the mapped findings per state file or template,
	// sorted by kind and name.
	Sources []SourceCount `json:"sources"`
	// Reasons count the unmapped findings per reason (Unmapped*), sorted.
	Reasons []ReasonCount `json:"reasons"`
	// URL is where the source root is browsed, ending in "/"
	// (https://github.com/org/repo/blob/<commit>/), when the scan knows
	// it (in GitHub Actions): the HTML report links each source to it.
	URL string `json:"url,omitempty"`
	// Accounts are the same counts per account of the findings, sorted
	// by account id: what a report split per account (and each account's
	// SARIF run) says of its own findings.
	Accounts []AccountSourceMapping `json:"accounts,omitempty"`
}

// AccountSourceMapping is SourceMapping's counts for the findings of one
// account.
type AccountSourceMapping struct {
	AccountID string        `json:"account_id"`
	Mapped    int           `json:"mapped"`
	Unmapped  int           `json:"unmapped"`
	Sources   []SourceCount `json:"sources"`
	Reasons   []ReasonCount `json:"reasons"`
}

// ForAccount returns the mapping of one account's findings alone: zero
// counts when the account had none. It is nil when m is nil, or when m
// counted findings but not per account (a report written before the
// counts were kept per account), rather than a guess.
func (m *SourceMapping) ForAccount(id string) *SourceMapping {
	if m == nil || (m.Accounts == nil && m.Mapped+m.Unmapped > 0) {
		return nil
	}
	out := &SourceMapping{Sources: []SourceCount{}, Reasons: []ReasonCount{}, URL: m.URL, Accounts: []AccountSourceMapping{}}
	for _, a := range m.Accounts {
		if a.AccountID == id {
			out.Mapped, out.Unmapped = a.Mapped, a.Unmapped
			out.Sources = append(out.Sources, a.Sources...)
			out.Reasons = append(out.Reasons, a.Reasons...)
			out.Accounts = append(out.Accounts, a)
		}
	}
	return out
}

// SourceCount is how many findings one source mapped.
type SourceCount struct {
	Kind     string `json:"kind"` // terraform, cloudformation
	Name     string `json:"name"` // the state file or template, as given
	Findings int    `json:"findings"`
}

// ReasonCount is how many findings were not mapped for one reason.
type ReasonCount struct {
	Reason   string `json:"reason"`
	Findings int    `json:"findings"`
}

// BaselineState compares a finding with a baseline report, by fingerprint.
type BaselineState string

// Baseline states (the names SARIF uses for result.baselineState).
const (
	BaselineNew       BaselineState = "new"
	BaselineUnchanged BaselineState = "unchanged"
	BaselineAbsent    BaselineState = "absent" // in the baseline, gone now: fixed
)

// BaselineSummary says what changed since the baseline report.
type BaselineSummary struct {
	// Path is the baseline file as given on the command line.
	Path      string `json:"path"`
	New       int    `json:"new"`
	Unchanged int    `json:"unchanged"`
	Fixed     int    `json:"fixed"`
	// FixedFindings are the baseline's findings that are gone now.
	FixedFindings []Finding `json:"fixed_findings"`
}

// Exposure is what the world can reach on one network interface with a
// public IP (EC2 allows the union of the rules of all its groups), or on
// one an internet-facing load balancer forwards to (PublicIP empty).
type Exposure struct {
	AccountID          string `json:"account_id"`
	Region             string `json:"region"`
	NetworkInterfaceID string `json:"network_interface_id"`
	InterfaceType      string `json:"interface_type,omitempty"`
	PublicIP           string `json:"public_ip"`
	Resource           string `json:"resource,omitempty"`
	// NotVerified says why reachability could not be verified here.
	NotVerified string        `json:"not_verified,omitempty"`
	Ports       []ExposedPort `json:"ports"`
}

// ExposureVia is one entry through which the internet reaches a port:
// kind public_ip, or load_balancer with its ARN and listener.
type ExposureVia struct {
	Kind            string `json:"kind"`
	LoadBalancerARN string `json:"load_balancer_arn,omitempty"`
	// Listener is "PROTOCOL:port".
	Listener string `json:"listener,omitempty"`
}

// PathHop is one component on a reachable path, by AWS id.
type PathHop struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Detail string `json:"detail,omitempty"`
}

// Blocker is one component that keeps the internet from a port, and why.
type Blocker struct {
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Reason string `json:"reason"`
}

// ExposedPort is one protocol and port range reachable from the world, and
// the groups (and their world peers) that open it.
type ExposedPort struct {
	Protocol string `json:"protocol"` // tcp, udp, all, icmp, ...
	FromPort int    `json:"from_port"`
	ToPort   int    `json:"to_port"`
	// Services names the catalogue services in the range, e.g. SSH.
	Services []string `json:"services,omitempty"`
	GroupIDs []string `json:"group_ids"`
	// Peers are the world peers: 0.0.0.0/0, ::/0, pl-…, or a CIDR set.
	Peers []string `json:"peers"`

	// Verified exposure (docs/reachability.md), where network data was
	// collected: Reachable is nil where it was not verified.
	Reachable *bool         `json:"reachable,omitempty"`
	Via       []ExposureVia `json:"via,omitempty"`
	Path      []PathHop     `json:"path,omitempty"`
	BlockedBy []Blocker     `json:"blocked_by,omitempty"`
	// UnreachedSources are, for a reachable port, the internet sources
	// its groups admit that reach it by no entry, as CIDR blocks.
	UnreachedSources []string `json:"unreached_sources,omitempty"`
	// Unverified says why "not reachable" could not be verified.
	Unverified string `json:"unverified,omitempty"`
	// Caveat names what the analysis does not model, with every verified
	// "not reachable".
	Caveat string `json:"caveat,omitempty"`
}

// NoticeLevel grades a Notice.
type NoticeLevel string

// Notice levels.
const (
	NoticeWarning NoticeLevel = "warning"
	NoticeInfo    NoticeLevel = "info"
)

// Notice is something about the scan itself a reader must see, such as an
// expired suppression that no longer applies.
type Notice struct {
	Level   NoticeLevel `json:"level"`
	Message string      `json:"message"`
}

// Suppression records why a finding does not fail CI.
type Suppression struct {
	Reason  string `json:"reason"`
	Owner   string `json:"owner,omitempty"`
	Expires string `json:"expires,omitempty"` // YYYY-MM-DD
	// Source names the config entry that matched, e.g. ".sgaudit.yaml:12".
	Source string `json:"source,omitempty"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	URI     string `json:"uri,omitempty"`
}

// Summary counts findings.
type Summary struct {
	SecurityGroups int              `json:"security_groups"`
	Rules          int              `json:"rules"`
	Findings       int              `json:"findings"`
	Suppressed     int              `json:"suppressed"`
	BySeverity     map[Severity]int `json:"by_severity"` // unsuppressed only
	ByCheck        map[string]int   `json:"by_check"`    // unsuppressed only
}

// Report is the complete result of one scan.
type Report struct {
	SchemaVersion string               `json:"schema_version"`
	Tool          Tool                 `json:"tool"`
	GeneratedAt   time.Time            `json:"generated_at"`
	Source        string               `json:"source"`
	Accounts      []inventory.Account  `json:"accounts"`
	Coverage      []inventory.Coverage `json:"coverage"`
	Checks        []Check              `json:"checks"`
	Summary       Summary              `json:"summary"`
	Findings      []Finding            `json:"findings"`
	// Exposures lists, per interface with a public IP, what the world can reach.
	Exposures []Exposure `json:"exposures"`
	// Baseline is set when the scan was compared with --baseline.
	Baseline *BaselineSummary `json:"baseline,omitempty"`
	// Notices are warnings about the scan itself (expired suppressions...).
	Notices []Notice `json:"notices"`
	// SourceMapping is set when the scan was given infrastructure as code
	// (--iac, --tf-state, --cfn-template): how findings map to it.
	SourceMapping *SourceMapping `json:"source_mapping,omitempty"`
}

// Sort puts checks by id and findings by (account, region, group, check,
// rule key, fingerprint), so every reporter's output is deterministic.
func (r *Report) Sort() {
	slices.SortFunc(r.Checks, func(a, b Check) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(r.Findings, CompareFindings)
}

// CompareFindings is the canonical finding order.
func CompareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.AccountID, b.AccountID),
		cmp.Compare(a.Region, b.Region),
		cmp.Compare(a.GroupID, b.GroupID),
		cmp.Compare(a.CheckID, b.CheckID),
		cmp.Compare(a.RuleKey, b.RuleKey),
		cmp.Compare(a.Fingerprint, b.Fingerprint),
	)
}

// Summarise fills r.Summary from the findings; groups and rules are counted
// by the caller that has the inventory.
func (r *Report) Summarise() {
	s := &r.Summary
	s.Findings, s.Suppressed = 0, 0
	s.BySeverity = map[Severity]int{}
	s.ByCheck = map[string]int{}
	for _, sev := range Severities {
		s.BySeverity[sev] = 0
	}
	for _, f := range r.Findings {
		if f.Suppression != nil {
			s.Suppressed++
			continue
		}
		s.Findings++
		s.BySeverity[f.Severity]++
		s.ByCheck[f.CheckID]++
	}
}

// Check returns the catalogue entry for id.
func (r *Report) Check(id string) (Check, bool) {
	i := slices.IndexFunc(r.Checks, func(c Check) bool { return c.ID == id })
	if i < 0 {
		return Check{}, false
	}
	return r.Checks[i], true
}

// AccountName returns the name of an account, or "".
func (r *Report) AccountName(id string) string {
	for _, a := range r.Accounts {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

// Complete reports whether every (account, region) pair was read.
func (r *Report) Complete() bool { return inventory.CoverageComplete(r.Coverage) }

// FailsAt reports whether an unsuppressed finding is at or above threshold.
// With a baseline, only new findings count: CI fails on what a change
// introduced, not on what was already known. An empty threshold never fails.
func (r *Report) FailsAt(threshold Severity) bool {
	if threshold == "" {
		return false
	}
	for _, f := range r.Findings {
		if f.Suppression == nil && f.Baseline != BaselineUnchanged && f.Severity.Rank() >= threshold.Rank() {
			return true
		}
	}
	return false
}

// AccountsComplete lists the accounts whose every region was read: each
// row ok, or skipped (a region not enabled holds nothing to lose). Only
// these get a SARIF run: a run for an account that was read partly or not
// at all would close its alerts on GitHub for resources sgaudit simply
// could not see. Any other status, one this code does not know included,
// counts as a failure: inventory.Decode refuses unknown statuses, and
// this does not rely on it.
func (r *Report) AccountsComplete() []string {
	failed := map[string]bool{}
	seen := map[string]bool{}
	for _, c := range r.Coverage {
		seen[c.AccountID] = true
		if c.Status != inventory.CoverageOK && c.Status != inventory.CoverageSkipped {
			failed[c.AccountID] = true
		}
	}
	var ids []string
	for id := range seen {
		if !failed[id] {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// CompareBySeverity orders findings the way a person reads them: highest
// severity first, then in the canonical order.
func CompareBySeverity(a, b Finding) int {
	return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), CompareFindings(a, b))
}
