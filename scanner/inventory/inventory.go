// Package inventory defines the normalised snapshot of security groups that
// sgaudit collects and its policies judge. It is the seam of the product:
// everything after collection is a pure function of an Inventory, which
// round-trips through JSON (`sgaudit collect -o inventory.json`).
//
// Field names are snake_case because they are also the field names Rego
// policies read (input.security_groups[_].rules[_].peer.cidr). Renaming or
// removing a field is a breaking change and bumps SchemaVersion.
package inventory

import (
	"bytes"
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// SchemaVersion is the version of the inventory JSON contract.
const SchemaVersion = "1"

// Inventory is one flat, sorted snapshot of everything sgaudit collected.
type Inventory struct {
	SchemaVersion     string             `json:"schema_version"`
	CollectedAt       time.Time          `json:"collected_at"`
	Source            string             `json:"source"` // "aws", "aws-cli-json", ...
	Accounts          []Account          `json:"accounts"`
	Coverage          []Coverage         `json:"coverage"`
	SecurityGroups    []SecurityGroup    `json:"security_groups"`
	PrefixLists       []PrefixList       `json:"prefix_lists"`
	NetworkInterfaces []NetworkInterface `json:"network_interfaces"`
	VPCs              []VPC              `json:"vpcs"`

	// The network model of verified exposure (network.go,
	// docs/inventory.md §16). Optional: absent from files written before
	// it, and empty where its kinds were not collected.
	Subnets                    []Subnet          `json:"subnets,omitempty"`
	RouteTables                []RouteTable      `json:"route_tables,omitempty"`
	NetworkACLs                []NetworkACL      `json:"network_acls,omitempty"`
	InternetGateways           []InternetGateway `json:"internet_gateways,omitempty"`
	EgressOnlyInternetGateways []InternetGateway `json:"egress_only_internet_gateways,omitempty"`
	Addresses                  []Address         `json:"addresses,omitempty"`
	LoadBalancers              []LoadBalancer    `json:"load_balancers,omitempty"`
	TargetGroups               []TargetGroup     `json:"target_groups,omitempty"`
	// Reachability is derived by the scan before evaluation (network.go),
	// like VPCs; policies read it to grade world-open rules. Keyed by
	// ReachabilityKey, so a policy finds a group's verdicts in one lookup.
	Reachability map[string][]ReachabilityVerdict `json:"reachability,omitempty"`
}

// Account is an AWS account the scan tried to read.
type Account struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"` // Organizations name or IAM alias
	Partition string `json:"partition"`      // aws, aws-us-gov, aws-cn
}

// CoverageStatus says whether an (account, region) pair was read.
type CoverageStatus string

// Coverage statuses. Anything but CoverageOK makes the scan incomplete.
const (
	CoverageOK      CoverageStatus = "ok"
	CoverageDenied  CoverageStatus = "denied"  // AccessDenied, UnauthorizedOperation, AssumeRole refused
	CoverageSkipped CoverageStatus = "skipped" // region not enabled, excluded on purpose is not listed at all
	CoverageError   CoverageStatus = "error"   // anything else: throttled past retries, timeouts, 5xx
)

// Data kinds recorded in Coverage.Collected. A check that needs a kind
// (METADATA custom.requires) is not evaluated where it was not collected.
const (
	KindSecurityGroups     = "security_groups"
	KindSecurityGroupRules = "security_group_rules"
	KindNetworkInterfaces  = "network_interfaces"
	KindLaunchTemplates    = "launch_templates"
	// KindLaunchConfigurations is autoscaling DescribeLaunchConfigurations.
	KindLaunchConfigurations = "launch_configurations"
	KindPrefixLists          = "prefix_lists"
	KindReferences           = "security_group_references"
	KindStaleReferences      = "stale_references"
	// KindTerraformState is not read from AWS: every row has it when the
	// scan was given Terraform state (--tf-state), so a check that judges
	// groups against the state is not evaluated without one (docs/iac.md §4).
	KindTerraformState = "terraform_state"
)

// Coverage is one row per (account, region) the scan tried. An audit that
// silently drops a region is wrong, so failures are data, not log lines.
type Coverage struct {
	AccountID string         `json:"account_id"`
	Region    string         `json:"region"`
	Status    CoverageStatus `json:"status"`
	// Collected lists the data kinds (Kind* constants) read completely.
	Collected []string `json:"collected"`
	// FailedAPI is the AWS operation that failed, e.g. "DescribeSecurityGroups".
	FailedAPI string `json:"failed_api,omitempty"`
	// ErrorCode is the AWS error code, e.g. "UnauthorizedOperation".
	ErrorCode string `json:"error_code,omitempty"`
	Detail    string `json:"detail,omitempty"`
	// SecurityGroups is how many groups were read in this pair.
	SecurityGroups int `json:"security_groups"`
}

// SecurityGroup is one EC2 security group with its rules and the evidence
// of what uses it.
type SecurityGroup struct {
	ARN         string `json:"arn"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	AccountID   string `json:"account_id"`
	Region      string `json:"region"`
	VPCID       string `json:"vpc_id"`
	IsDefault   bool   `json:"is_default"`
	Tags        Tags   `json:"tags"`
	Rules       Rules  `json:"rules"`
	// Attachments are the network interfaces that carry this group.
	Attachments []Attachment `json:"attachments"`
	// UsedBy is the evidence that the group is in use; empty means unused
	// as far as the collected data kinds can tell.
	UsedBy []Evidence `json:"used_by"`
	// StaleRules are the group's rules that DescribeStaleSecurityGroups
	// reports as stale: they reference a group that was deleted or sits
	// behind a VPC peering or transit gateway connection that is gone. Each
	// has the id and Key of the matching rule in Rules when the group still
	// lists it. Only meaningful where stale_references was collected.
	StaleRules Rules `json:"stale_rules"`
	// IaC is set when infrastructure as code given to the scan manages the
	// group (sgaudit scan --tf-state): derived before evaluation, never
	// collected (docs/iac.md §4). Nil otherwise.
	IaC *IaC `json:"iac,omitempty"`
}

// IaC says which infrastructure as code manages a group, and which of its
// live rules that code does not declare (docs/iac.md §4).
type IaC struct {
	// ManagedBy is the tool: "terraform".
	ManagedBy string `json:"managed_by"`
	// Address is the group's address in the state,
	// module.net.aws_security_group.web["a"].
	Address string `json:"address"`
	// State is the state file that holds it, as given on the command line.
	State string `json:"state"`
	// UnmanagedRules are the rules of Rules that no state given declares
	// (neither the group's inline rules nor a rule resource of the group):
	// added outside Terraform, in the console or by a script.
	UnmanagedRules []Rule `json:"unmanaged_rules"`
}

// Direction is ingress or egress.
type Direction string

// Rule directions.
const (
	Ingress Direction = "ingress"
	Egress  Direction = "egress"
)

// Normalised protocol names. Other IP protocols keep their number ("47").
const (
	ProtocolAll    = "all"
	ProtocolTCP    = "tcp"
	ProtocolUDP    = "udp"
	ProtocolICMP   = "icmp"
	ProtocolICMPv6 = "icmpv6"
)

// Rule is one rule with exactly one peer, the shape of
// DescribeSecurityGroupRules. An IpPermission with three CIDRs is three rules.
type Rule struct {
	// ID is the security group rule id (sgr-...). Empty when the source had
	// none (exported describe-security-groups JSON).
	ID        string    `json:"id"`
	Direction Direction `json:"direction"`
	// Protocol is normalised: tcp, udp, icmp, icmpv6, all, or the decimal
	// number 0-255 of any other IP protocol ("47").
	Protocol string `json:"protocol"`
	// RawProtocol is the IpProtocol as AWS gave it ("6", "TCP", "-1").
	RawProtocol string `json:"raw_protocol"`
	// FromPort and ToPort are as EC2 applies them (validate.go): 0 and
	// 65535 for protocol all; 0 <= FromPort <= ToPort <= 65535 for tcp and
	// udp; ICMP type and code for icmp and icmpv6, each -1 (any) or 0-255;
	// -1 and -1 for every other protocol, whose rules EC2 applies to all
	// ports.
	FromPort    int    `json:"from_port"`
	ToPort      int    `json:"to_port"`
	Peer        Peer   `json:"peer"`
	Description string `json:"description"`
}

// PeerKind says what a rule's peer is.
type PeerKind string

// Peer kinds.
const (
	PeerCIDRv4        PeerKind = "cidr_ipv4"
	PeerCIDRv6        PeerKind = "cidr_ipv6"
	PeerPrefixList    PeerKind = "prefix_list"
	PeerSecurityGroup PeerKind = "security_group"
)

// Peer is the other side of a rule.
type Peer struct {
	Kind PeerKind `json:"kind"`
	// CIDR is canonical, as EC2 writes it: host bits cleared, IPv6 in RFC
	// 5952 form. So the whole address space is exactly "0.0.0.0/0" or
	// "::/0", whatever spelling the source used.
	CIDR         string `json:"cidr,omitempty"`
	PrefixListID string `json:"prefix_list_id,omitempty"`
	GroupID      string `json:"group_id,omitempty"`
	GroupOwner   string `json:"group_owner,omitempty"`
	// VPCID and PeeringStatus are set for references to a group in a peered VPC.
	VPCID         string `json:"vpc_id,omitempty"`
	PeeringStatus string `json:"peering_status,omitempty"`
}

// Attachment is a network interface carrying a group, with what proves
// exposure (a public IP) and what the interface belongs to.
type Attachment struct {
	NetworkInterfaceID string `json:"network_interface_id"`
	InterfaceType      string `json:"interface_type"`
	PublicIP           string `json:"public_ip,omitempty"`
	// Resource is what owns the interface: an instance id, or the requester
	// (ELB, RDS, Lambda...) for managed interfaces.
	Resource string `json:"resource,omitempty"`
}

// EvidenceKind says what proves a group is in use.
type EvidenceKind string

// Evidence kinds.
const (
	UsedByENI                 EvidenceKind = "eni"
	UsedByLaunchTemplate      EvidenceKind = "launch_template"
	UsedByLaunchConfiguration EvidenceKind = "launch_configuration"
	UsedBySGReference         EvidenceKind = "sg_reference"
	UsedByCrossVPCReference   EvidenceKind = "cross_vpc_reference"
)

// Evidence is one proof that a group is in use.
type Evidence struct {
	Kind   EvidenceKind `json:"kind"`
	ID     string       `json:"id"`
	Detail string       `json:"detail,omitempty"`
}

// PrefixList is a managed prefix list with its entries, so policies can
// expand a prefix-list peer into CIDRs.
type PrefixList struct {
	ID        string            `json:"id"`
	Name      string            `json:"name"`
	Owner     string            `json:"owner"`
	AccountID string            `json:"account_id"`
	Region    string            `json:"region"`
	Entries   []PrefixListEntry `json:"entries"`
}

// PrefixListEntry is one CIDR of a prefix list.
type PrefixListEntry struct {
	CIDR        string `json:"cidr"`
	Description string `json:"description,omitempty"`
}

// NetworkInterface is an ENI, for exposure per interface: EC2 applies the
// union of all the groups it carries.
type NetworkInterface struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	AccountID string   `json:"account_id"`
	Region    string   `json:"region"`
	VPCID     string   `json:"vpc_id"`
	SubnetID  string   `json:"subnet_id"`
	PublicIP  string   `json:"public_ip,omitempty"`
	Resource  string   `json:"resource,omitempty"`
	GroupIDs  []string `json:"group_ids"`
	Status    string   `json:"status,omitempty"`

	// Addresses for verified exposure (docs/inventory.md §16), each list
	// sorted. PrivateIPs are its private IPv4 addresses, the primary one
	// included (an ip target of a load balancer names one of them);
	// PublicIPs every public IPv4 address associated with any of them
	// (PublicIP is the primary's); IPv6Addresses its IPv6 addresses, all
	// globally routable in AWS.
	PrivateIPs    []string `json:"private_ips,omitempty"`
	PublicIPs     []string `json:"public_ips,omitempty"`
	IPv6Addresses []string `json:"ipv6_addresses,omitempty"`
	// Primary is true for an instance's primary interface (device index
	// 0), the one an instance target of a load balancer receives traffic on.
	Primary bool `json:"primary,omitempty"`
}

// VPC is derived from the collected groups and interfaces: which VPCs exist
// in a region and how many interfaces they hold (SGA009 grades a default
// group's rules by whether its VPC is used).
type VPC struct {
	ID                string `json:"id"`
	AccountID         string `json:"account_id"`
	Region            string `json:"region"`
	NetworkInterfaces int    `json:"network_interfaces"`
}

// Sort puts every list in the canonical order: by (account, region, id),
// rules by (direction, id, then their content), evidence by (kind, id).
// Output built from a sorted inventory is deterministic. Every path that
// builds an inventory (collector, importers) ends with Sort, so Sort also
// compacts it (see Compact).
func (inv *Inventory) Sort() {
	defer inv.Compact()
	slices.SortFunc(inv.Accounts, func(a, b Account) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(inv.Coverage, func(a, b Coverage) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region))
	})
	for i := range inv.Coverage {
		slices.Sort(inv.Coverage[i].Collected)
	}
	// The groups and the other lists share nothing: 100k groups and as
	// many interfaces are sorted side by side, not one after the other.
	var others sync.WaitGroup
	others.Go(inv.sortLists)
	sortByIndex(inv.SecurityGroups, func(a, b *SecurityGroup) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
	others.Wait()
	// Each group's lists on their own: ~1M rules at 100k groups are checked
	// for order (and sorted if they are not), on every core.
	inParallel(len(inv.SecurityGroups), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g := &inv.SecurityGroups[i]
			g.Rules = g.Rules.sorted()
			g.StaleRules = g.StaleRules.sorted()
			slices.SortFunc(g.Attachments, func(a, b Attachment) int { return cmp.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID) })
			slices.SortFunc(g.UsedBy, func(a, b Evidence) int {
				return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Detail, b.Detail))
			})
		}
	})
}

// sortLists is Sort's part for every list but the groups.
func (inv *Inventory) sortLists() {
	slices.SortFunc(inv.PrefixLists, func(a, b PrefixList) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
	for i := range inv.PrefixLists {
		slices.SortFunc(inv.PrefixLists[i].Entries, func(a, b PrefixListEntry) int { return cmp.Compare(a.CIDR, b.CIDR) })
	}
	sortByIndex(inv.NetworkInterfaces, func(a, b *NetworkInterface) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
	for i := range inv.NetworkInterfaces {
		slices.Sort(inv.NetworkInterfaces[i].GroupIDs)
	}
	slices.SortFunc(inv.VPCs, func(a, b VPC) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.ID, b.ID))
	})
	inv.sortNetwork()
	inv.sortReachability()
}

// inParallel calls f on consecutive ranges that cover [0, n), one range
// per core (a single call below 2,048 elements), and returns when every
// call has. For loops whose iterations touch only their own element.
func inParallel(n int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n/1024)
	if workers <= 1 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Go(func() { f(lo, hi) })
	}
	wg.Wait()
}

// Compact gives every slice in the inventory a capacity equal to its
// length, and makes the strings that take few values but repeat on every
// group or interface (account, region, VPC, tag values, interface type and
// status) share one copy. append and encoding/json grow slices by
// doubling, so a freshly built inventory carries up to as much unused
// capacity as data. And every string decoded from an AWS response or a
// JSON file is a copy of its own, though one region name sits on every
// group. Rules need neither: Rules is exact and shares repeated values
// from the start.
func (inv *Inventory) Compact() {
	in := interner{}
	inv.Accounts = exact(inv.Accounts)
	inv.Coverage = exact(inv.Coverage)
	inv.SecurityGroups = exact(inv.SecurityGroups)
	for i := range inv.SecurityGroups {
		g := &inv.SecurityGroups[i]
		g.AccountID, g.Region, g.VPCID = in.s(g.AccountID), in.s(g.Region), in.s(g.VPCID)
		g.Tags = exact(g.Tags)
		for j := range g.Tags {
			g.Tags[j].Value = in.s(g.Tags[j].Value)
		}
		g.Attachments = exact(g.Attachments)
		for j := range g.Attachments {
			g.Attachments[j].InterfaceType = in.s(g.Attachments[j].InterfaceType)
		}
		g.UsedBy = exact(g.UsedBy)
	}
	inv.PrefixLists = exact(inv.PrefixLists)
	for i := range inv.PrefixLists {
		inv.PrefixLists[i].Entries = exact(inv.PrefixLists[i].Entries)
	}
	inv.NetworkInterfaces = exact(inv.NetworkInterfaces)
	for i := range inv.NetworkInterfaces {
		n := &inv.NetworkInterfaces[i]
		n.Type, n.AccountID, n.Region = in.s(n.Type), in.s(n.AccountID), in.s(n.Region)
		n.VPCID, n.SubnetID, n.Status = in.s(n.VPCID), in.s(n.SubnetID), in.s(n.Status)
		n.GroupIDs = exact(n.GroupIDs)
	}
	inv.VPCs = exact(inv.VPCs)
}

// interner hands out one copy of each string it has seen. Only strings
// with few distinct values go through it; ids and ARNs are unique anyway.
type interner map[string]string

func (in interner) s(x string) string {
	if x == "" {
		return x
	}
	if y, ok := in[x]; ok {
		return y
	}
	in[x] = x
	return x
}

// exact returns s, or a copy of it without spare capacity. Empty stays
// empty and nil stays nil: JSON writes [] and null.
func exact[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// CompareRules orders rules by direction, then id, then content, so rules
// without ids (exported JSON) still sort deterministically. The content key
// is built only for rules the first two do not tell apart: sorting a
// million rules compared it ~20 million times otherwise.
func CompareRules(a, b Rule) int {
	if c := compareRuleHeads(&a, &b); c != 0 {
		return c
	}
	// The keys are built in buffers on the stack: sorting a million rules
	// without ids (every rule of exported describe-security-groups JSON)
	// compared them through Key, two string allocations per comparison.
	var ka, kb [128]byte
	return bytes.Compare(a.appendKey(ka[:0]), b.appendKey(kb[:0]))
}

// compareRuleHeads is CompareRules before the content key: direction,
// then id. Every sort of rules starts with it, and builds keys only on a
// tie.
func compareRuleHeads(a, b *Rule) int {
	return cmp.Or(cmp.Compare(a.Direction, b.Direction), cmp.Compare(a.ID, b.ID))
}

// Key identifies a rule by its content: direction, protocol, ports and peer.
// EC2 refuses two rules with the same key on one group, so it is unique per
// group and, unlike the sgr- id, survives a rule being deleted and re-added.
// Fingerprints use it.
func (r Rule) Key() string {
	var buf [128]byte
	return string(r.appendKey(buf[:0]))
}

// appendKey appends Key's text to b.
func (r Rule) appendKey(b []byte) []byte {
	b = append(b, r.Direction...)
	b = append(b, '|')
	b = append(b, r.Protocol...)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(r.FromPort), 10)
	b = append(b, '|')
	b = strconv.AppendInt(b, int64(r.ToPort), 10)
	b = append(b, '|')
	b = append(b, r.Peer.Kind...)
	b = append(b, '|')
	if r.Peer.Kind == PeerSecurityGroup && r.Peer.GroupOwner != "" {
		b = append(b, r.Peer.GroupOwner...)
		b = append(b, '/')
		return append(b, r.Peer.GroupID...)
	}
	b = append(b, r.Peer.CIDR...)
	b = append(b, r.Peer.PrefixListID...)
	return append(b, r.Peer.GroupID...)
}

// Kinds returns the set of data kinds collected for each "account/region".
func (inv *Inventory) Kinds() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(inv.Coverage))
	for _, c := range inv.Coverage {
		set := make(map[string]bool, len(c.Collected))
		for _, k := range c.Collected {
			set[k] = true
		}
		out[c.AccountID+"/"+c.Region] = set
	}
	return out
}

// Complete reports whether every (account, region) pair tried was read.
func (inv *Inventory) Complete() bool { return CoverageComplete(inv.Coverage) }

// CoverageComplete reports whether every row is ok: anything else (denied,
// skipped, error) makes a scan incomplete (exit 3).
func CoverageComplete(rows []Coverage) bool {
	for _, c := range rows {
		if c.Status != CoverageOK {
			return false
		}
	}
	return true
}

// CompareProtocols orders normalised protocols the way reports list them:
// all, tcp, udp, icmp, icmpv6, then numbered protocols by number, then any
// other name alphabetically.
func CompareProtocols(a, b string) int {
	ra, na := protocolRank(a)
	rb, nb := protocolRank(b)
	return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(na, nb), cmp.Compare(a, b))
}

func protocolRank(p string) (rank, number int) {
	switch p {
	case ProtocolAll:
		return 0, 0
	case ProtocolTCP:
		return 1, 0
	case ProtocolUDP:
		return 2, 0
	case ProtocolICMP:
		return 3, 0
	case ProtocolICMPv6:
		return 4, 0
	}
	if n, err := strconv.Atoi(p); err == nil {
		return 5, n
	}
	return 6, 0
}
