package collect

import (
	"cmp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// RegionData is the raw EC2 data of one (account, region), as the SDK or
// the AWS CLI returns it. The JSON names of the EC2 lists are those of the
// AWS CLI output, so a test fixture reads like exported data.
type RegionData struct {
	Account inventory.Account `json:"account"`
	Region  string            `json:"region"`
	// Groups is DescribeSecurityGroups' output.
	Groups []types.SecurityGroup `json:"SecurityGroups"`
	// Rules is DescribeSecurityGroupRules' output. It is optional: without
	// it rule ids stay "" (exported describe-security-groups JSON has none).
	Rules []types.SecurityGroupRule `json:"SecurityGroupRules"`
	// Interfaces is DescribeNetworkInterfaces' output.
	Interfaces []types.NetworkInterface `json:"NetworkInterfaces"`

	// The fields below are optional evidence of use and data for later
	// checks; nil means not collected.

	// LaunchTemplateVersions is DescribeLaunchTemplateVersions' output for
	// the $Default and $Latest versions of every launch template.
	LaunchTemplateVersions []types.LaunchTemplateVersion `json:"LaunchTemplateVersions,omitempty"`
	// LaunchConfigurations is autoscaling DescribeLaunchConfigurations' output.
	LaunchConfigurations []astypes.LaunchConfiguration `json:"LaunchConfigurations,omitempty"`
	// PrefixLists is DescribeManagedPrefixLists' output.
	PrefixLists []types.ManagedPrefixList `json:"PrefixLists,omitempty"`
	// PrefixListEntries maps a prefix-list id to GetManagedPrefixListEntries'
	// output, for the lists that the groups' rules reference.
	PrefixListEntries map[string][]types.PrefixListEntry `json:"PrefixListEntries,omitempty"`
	// References is DescribeSecurityGroupReferences' output: the VPCs across
	// a peering or transit gateway connection whose rules reference a group.
	References []types.SecurityGroupReference `json:"SecurityGroupReferenceSet,omitempty"`
	// Stale is DescribeStaleSecurityGroups' output for every VPC with groups.
	Stale []types.StaleSecurityGroup `json:"StaleSecurityGroupSet,omitempty"`
	// Uses maps a proof-of-use kind (usedby.go) to the groups its
	// resources name; a kind that was not read is absent.
	Uses map[string][]useRef `json:"-"`

	// The network and its entries from the internet (docs/inventory.md §16),
	// each a describe's output; nil means not collected.
	Subnets            []types.Subnet                    `json:"Subnets,omitempty"`
	RouteTables        []types.RouteTable                `json:"RouteTables,omitempty"`
	NetworkACLs        []types.NetworkAcl                `json:"NetworkAcls,omitempty"`
	InternetGateways   []types.InternetGateway           `json:"InternetGateways,omitempty"`
	EgressOnlyGateways []types.EgressOnlyInternetGateway `json:"EgressOnlyInternetGateways,omitempty"`
	// Addresses is DescribeAddresses' output: the Elastic IPs.
	Addresses []types.Address `json:"Addresses,omitempty"`
	// LoadBalancers and Listeners are elasticloadbalancingv2
	// DescribeLoadBalancers' and DescribeListeners' (of every load
	// balancer) output; ListenerRules maps a listener ARN to DescribeRules'
	// output for it, for the listeners of application load balancers.
	LoadBalancers []elbv2types.LoadBalancer    `json:"LoadBalancers,omitempty"`
	Listeners     []elbv2types.Listener        `json:"Listeners,omitempty"`
	ListenerRules map[string][]elbv2types.Rule `json:"ListenerRules,omitempty"`
	// TargetGroups is DescribeTargetGroups' output; TargetHealth and
	// TargetGroupAttributes map a target group ARN to DescribeTargetHealth's
	// and DescribeTargetGroupAttributes' output for it (attributes only for
	// the groups of network load balancers).
	TargetGroups          []elbv2types.TargetGroup                        `json:"TargetGroups,omitempty"`
	TargetHealth          map[string][]elbv2types.TargetHealthDescription `json:"TargetHealth,omitempty"`
	TargetGroupAttributes map[string][]elbv2types.TargetGroupAttribute    `json:"TargetGroupAttributes,omitempty"`
	// ClassicLoadBalancers is elasticloadbalancing DescribeLoadBalancers'
	// output.
	ClassicLoadBalancers []elbtypes.LoadBalancerDescription `json:"LoadBalancerDescriptions,omitempty"`
}

// normalizer converts raw EC2 data into the inventory's security groups,
// network interfaces and VPCs. It is the one conversion path from EC2
// shapes to the inventory: the collector and the importer both use it.
//
// It takes one (account, region) at a time, so a caller can drop each
// region's raw data once it is added: the SDK's shapes take several times
// the memory of the inventory (BenchmarkCollectMemory), and an
// organisation's would otherwise all be held until the last region
// arrives. Evidence that crosses regions and accounts (a group in account A
// referenced by a rule in account B through VPC peering) is linked in
// finish, when every region has been seen; for that only the references
// are kept.
type normalizer struct {
	inv  *inventory.Inventory
	refs []RegionData // Region and References only
	uses []usesOf
}

func newNormalizer() *normalizer {
	return &normalizer{inv: &inventory.Inventory{
		SecurityGroups:    []inventory.SecurityGroup{},
		PrefixLists:       []inventory.PrefixList{},
		NetworkInterfaces: []inventory.NetworkInterface{},
		VPCs:              []inventory.VPC{},
	}}
}

// add normalises one (account, region). Not safe for concurrent use.
func (n *normalizer) add(d RegionData) {
	normalizeRegion(n.inv, d)
	if len(d.References) > 0 {
		n.refs = append(n.refs, RegionData{Region: d.Region, References: d.References})
	}
	if len(d.Uses) > 0 {
		n.uses = append(n.uses, usesOf{account: d.Account.ID, region: d.Region, uses: d.Uses})
	}
}

// finish links the evidence that crosses regions and accounts. The
// inventory is not sorted yet: the caller fills accounts, coverage, schema
// version, source and time, and sorts it once (Sort also compacts it, which
// is not free at 100k groups).
func (n *normalizer) finish() *inventory.Inventory {
	crossVPC := linkReferences(n.inv.SecurityGroups)
	linkPeerReferences(n.inv, n.refs, crossVPC)
	linkUses(n.inv, n.uses)
	return n.inv
}

// normalizeRegion appends one (account, region)'s groups, interfaces and
// VPCs to inv.
func normalizeRegion(inv *inventory.Inventory, d RegionData) {
	partition := d.Account.Partition
	if partition == "" {
		partition = partitionOfRegion(d.Region)
	}
	records := indexRuleRecords(d.Rules)

	first := len(inv.SecurityGroups)
	byID := make(map[string]int, len(d.Groups))
	var scratch []inventory.Rule // the rules of the group being built
	for _, sg := range d.Groups {
		g := inventory.SecurityGroup{
			ARN:         aws.ToString(sg.SecurityGroupArn),
			ID:          aws.ToString(sg.GroupId),
			Name:        aws.ToString(sg.GroupName),
			Description: aws.ToString(sg.Description),
			AccountID:   cmp.Or(aws.ToString(sg.OwnerId), d.Account.ID),
			Region:      d.Region,
			VPCID:       aws.ToString(sg.VpcId),
			// EC2 reserves the name "default" for the group it creates with
			// each VPC: CreateSecurityGroup refuses it.
			IsDefault:   aws.ToString(sg.GroupName) == "default",
			Tags:        tagMap(sg.Tags),
			Attachments: []inventory.Attachment{},
			UsedBy:      []inventory.Evidence{},
		}
		if g.ARN == "" {
			g.ARN = "arn:" + partition + ":ec2:" + d.Region + ":" + g.AccountID + ":security-group/" + g.ID
		}
		// The groups' rules are built in one reused slice: SortedRules
		// copies them into the group's compact list. Allocated per group
		// and grown by append, they were a third of what a region's
		// normalisation allocated (docs/performance.md).
		rules := slices.Grow(scratch[:0], permissionRules(sg.IpPermissions)+permissionRules(sg.IpPermissionsEgress))
		rules = appendPermissions(rules, inventory.Ingress, sg.IpPermissions)
		rules = appendPermissions(rules, inventory.Egress, sg.IpPermissionsEgress)
		fillFromRecords(rules, records[g.ID])
		g.Rules = inventory.SortedRules(rules)
		scratch = rules
		byID[g.ID] = len(inv.SecurityGroups)
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	}
	groups := inv.SecurityGroups[first:]

	vpcs := map[string]int{} // vpc id → interfaces
	for _, g := range groups {
		if _, ok := vpcs[g.VPCID]; !ok && g.VPCID != "" {
			vpcs[g.VPCID] = 0 // a VPC with groups but no interfaces
		}
	}
	for _, eni := range d.Interfaces {
		ni := inventory.NetworkInterface{
			ID:        aws.ToString(eni.NetworkInterfaceId),
			Type:      string(eni.InterfaceType),
			AccountID: cmp.Or(aws.ToString(eni.OwnerId), d.Account.ID),
			Region:    d.Region,
			VPCID:     aws.ToString(eni.VpcId),
			SubnetID:  aws.ToString(eni.SubnetId),
			Resource:  interfaceResource(eni),
			GroupIDs:  []string{},
			Status:    string(eni.Status),
		}
		if eni.Association != nil {
			ni.PublicIP = aws.ToString(eni.Association.PublicIp)
		}
		interfaceAddresses(&ni, eni)
		if ni.VPCID != "" {
			vpcs[ni.VPCID]++
		}
		for _, gi := range eni.Groups {
			id := aws.ToString(gi.GroupId)
			if slices.Contains(ni.GroupIDs, id) {
				continue
			}
			ni.GroupIDs = append(ni.GroupIDs, id)
			i, ok := byID[id]
			if !ok {
				continue // the group's data was not collected (e.g. an ENI-only import)
			}
			g := &inv.SecurityGroups[i]
			g.Attachments = append(g.Attachments, inventory.Attachment{
				NetworkInterfaceID: ni.ID,
				InterfaceType:      ni.Type,
				PublicIP:           ni.PublicIP,
				Resource:           ni.Resource,
			})
			g.UsedBy = append(g.UsedBy, inventory.Evidence{Kind: inventory.UsedByENI, ID: ni.ID, Detail: ni.Resource})
		}
		inv.NetworkInterfaces = append(inv.NetworkInterfaces, ni)
	}
	for id, n := range vpcs {
		inv.VPCs = append(inv.VPCs, inventory.VPC{ID: id, AccountID: d.Account.ID, Region: d.Region, NetworkInterfaces: n})
	}

	lookup := newGroupLookup(groups, byID, first)
	linkLaunchTemplates(inv.SecurityGroups, lookup, d.LaunchTemplateVersions)
	linkLaunchConfigurations(inv.SecurityGroups, lookup, d.LaunchConfigurations)
	addStaleRules(inv.SecurityGroups, byID, d.Stale)
	lists := prefixLists(d)
	for i := range lists {
		for j := range lists[i].Entries {
			e := &lists[i].Entries[j]
			e.CIDR = normalizeEntryCIDR(e.CIDR)
		}
	}
	inv.PrefixLists = append(inv.PrefixLists, lists...)
	normalizeNetwork(inv, d, partition)
}

// interfaceAddresses fills what verified exposure needs of an interface
// (docs/inventory.md §10): every private IPv4 address, every public IPv4
// address associated with one of them, the IPv6 addresses, and whether it
// is its instance's primary interface.
func interfaceAddresses(ni *inventory.NetworkInterface, eni types.NetworkInterface) {
	var private, public, v6 []string
	if ip := aws.ToString(eni.PrivateIpAddress); ip != "" {
		private = append(private, canonicalIP(ip))
	}
	if ni.PublicIP != "" {
		public = append(public, canonicalIP(ni.PublicIP))
	}
	for _, a := range eni.PrivateIpAddresses {
		if ip := aws.ToString(a.PrivateIpAddress); ip != "" {
			private = append(private, canonicalIP(ip))
		}
		if a.Association != nil {
			if ip := aws.ToString(a.Association.PublicIp); ip != "" {
				public = append(public, canonicalIP(ip))
			}
		}
	}
	if ip := aws.ToString(eni.Ipv6Address); ip != "" {
		v6 = append(v6, canonicalIP(ip))
	}
	for _, a := range eni.Ipv6Addresses {
		if ip := aws.ToString(a.Ipv6Address); ip != "" {
			v6 = append(v6, canonicalIP(ip))
		}
	}
	ni.PrivateIPs, ni.PublicIPs, ni.IPv6Addresses = sortedSet(private), sortedSet(public), sortedSet(v6)
	if at := eni.Attachment; at != nil && aws.ToString(at.InstanceId) != "" {
		ni.Primary = aws.ToInt32(at.DeviceIndex) == 0 && aws.ToInt32(at.NetworkCardIndex) == 0
	}
}

// expandPermissions turns IpPermissions into one rule per peer, the shape
// of DescribeSecurityGroupRules: an IpPermission with two CIDRs and a group
// is three rules.
func expandPermissions(dir inventory.Direction, perms []types.IpPermission) []inventory.Rule {
	return appendPermissions(nil, dir, perms)
}

// permissionRules is the number of rules expandPermissions makes of perms.
func permissionRules(perms []types.IpPermission) int {
	n := 0
	for _, p := range perms {
		n += len(p.IpRanges) + len(p.Ipv6Ranges) + len(p.PrefixListIds) + len(p.UserIdGroupPairs)
	}
	return n
}

// appendPermissions appends the rules of perms (expandPermissions) to rules.
func appendPermissions(rules []inventory.Rule, dir inventory.Direction, perms []types.IpPermission) []inventory.Rule {
	for _, p := range perms {
		base := inventory.Rule{Direction: dir}
		setProtocolAndPorts(&base, p.IpProtocol, p.FromPort, p.ToPort)
		add := func(peer inventory.Peer, desc *string) {
			r := base
			r.Peer = peer
			r.Description = aws.ToString(desc)
			rules = append(rules, r)
		}
		for _, x := range p.IpRanges {
			add(inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: normalizeCIDR(aws.ToString(x.CidrIp), false)}, x.Description)
		}
		for _, x := range p.Ipv6Ranges {
			add(inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: normalizeCIDR(aws.ToString(x.CidrIpv6), true)}, x.Description)
		}
		for _, x := range p.PrefixListIds {
			add(inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: aws.ToString(x.PrefixListId)}, x.Description)
		}
		for _, x := range p.UserIdGroupPairs {
			add(inventory.Peer{
				Kind:          inventory.PeerSecurityGroup,
				GroupID:       aws.ToString(x.GroupId),
				GroupOwner:    aws.ToString(x.UserId),
				VPCID:         aws.ToString(x.VpcId),
				PeeringStatus: aws.ToString(x.PeeringStatus),
			}, x.Description)
		}
	}
	return rules
}

// ruleFromRecord converts a DescribeSecurityGroupRules record with the same
// protocol and port logic as expandPermissions, so both give the same Key.
func ruleFromRecord(rec types.SecurityGroupRule) inventory.Rule {
	r := inventory.Rule{
		ID:          aws.ToString(rec.SecurityGroupRuleId),
		Direction:   inventory.Ingress,
		Description: aws.ToString(rec.Description),
	}
	if aws.ToBool(rec.IsEgress) {
		r.Direction = inventory.Egress
	}
	setProtocolAndPorts(&r, rec.IpProtocol, rec.FromPort, rec.ToPort)
	switch {
	case rec.CidrIpv4 != nil:
		r.Peer = inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: normalizeCIDR(*rec.CidrIpv4, false)}
	case rec.CidrIpv6 != nil:
		r.Peer = inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: normalizeCIDR(*rec.CidrIpv6, true)}
	case rec.PrefixListId != nil:
		r.Peer = inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: *rec.PrefixListId}
	case rec.ReferencedGroupInfo != nil:
		ref := rec.ReferencedGroupInfo
		r.Peer = inventory.Peer{
			Kind:          inventory.PeerSecurityGroup,
			GroupID:       aws.ToString(ref.GroupId),
			GroupOwner:    aws.ToString(ref.UserId),
			VPCID:         aws.ToString(ref.VpcId),
			PeeringStatus: aws.ToString(ref.PeeringStatus),
		}
	}
	return r
}

// indexRuleRecords maps group id → match key → record.
func indexRuleRecords(recs []types.SecurityGroupRule) map[string]map[string]inventory.Rule {
	out := map[string]map[string]inventory.Rule{}
	for _, rec := range recs {
		r := ruleFromRecord(rec)
		gid := aws.ToString(rec.GroupId)
		if out[gid] == nil {
			out[gid] = map[string]inventory.Rule{}
		}
		out[gid][r.Key()] = r
		// A referenced group's owner may be present on one side only; group
		// ids are globally unique, so the key without owner is as good.
		if k := ownerlessKey(r); k != r.Key() {
			if _, taken := out[gid][k]; !taken {
				out[gid][k] = r
			}
		}
	}
	return out
}

// fillFromRecords sets rule ids and descriptions from the group's
// DescribeSecurityGroupRules records. A rule with no record (added between
// the two calls) keeps an empty id; a record with no rule (the group was
// read before the rule was added) is ignored, because the group's own
// permissions are the snapshot the rest of the inventory agrees with.
func fillFromRecords(rules []inventory.Rule, recs map[string]inventory.Rule) {
	if len(recs) == 0 {
		return
	}
	for i := range rules {
		rec, ok := recs[rules[i].Key()]
		if !ok {
			rec, ok = recs[ownerlessKey(rules[i])]
		}
		if !ok {
			continue
		}
		rules[i].ID = rec.ID
		// Both APIs carry the description; moto drops it from the rules
		// API for group references, so an empty one never erases the other.
		rules[i].Description = cmp.Or(rec.Description, rules[i].Description)
	}
}

func ownerlessKey(r inventory.Rule) string {
	r.Peer.GroupOwner = ""
	return r.Key()
}

// setProtocolAndPorts normalises an EC2 protocol and port pair the way
// EC2 applies them (the decisions and their sources are listed in
// scanner/inventory/validate.go):
//
//   - all traffic ("-1") gets the full range 0-65535 that policies compare
//     against, whatever ports it came with: EC2 ignores them;
//   - tcp and udp keep their range; a missing port is -1, which AWS
//     refuses for tcp and udp and Validate reports;
//   - icmp and icmpv6 keep type and code; a missing one is -1 (any), the
//     widest reading: EC2 documents icmpv6 without ports as every type;
//   - any other protocol number gets -1/-1: EC2 allows it on all ports
//     "regardless of any port range you specify";
//   - a protocol EC2 does not accept is kept as found, with its ports, for
//     Validate to report.
func setProtocolAndPorts(r *inventory.Rule, proto *string, from, to *int32) {
	r.RawProtocol = aws.ToString(proto)
	p, ok := inventory.ParseProtocol(r.RawProtocol)
	r.Protocol = p
	switch {
	case p == inventory.ProtocolAll:
		r.FromPort, r.ToPort = 0, 65535
		return
	case ok && p != inventory.ProtocolTCP && p != inventory.ProtocolUDP && p != inventory.ProtocolICMP && p != inventory.ProtocolICMPv6:
		r.FromPort, r.ToPort = -1, -1
		return
	}
	r.FromPort, r.ToPort = -1, -1
	if from != nil {
		r.FromPort = int(*from)
	}
	if to != nil {
		r.ToPort = int(*to)
	}
}

// normalizeCIDR returns a CIDR as EC2 writes it: host bits cleared, IPv6
// in RFC 5952 form, so that every spelling of the world is "0.0.0.0/0" or
// "::/0" before a policy sees it. Text that is not a CIDR is returned
// unchanged for Validate to report; a CIDR of the wrong family too.
func normalizeCIDR(s string, v6 bool) string {
	c, isV6, ok := inventory.CanonicalCIDR(s)
	if !ok || isV6 != v6 {
		return s
	}
	return c
}

// normalizeEntryCIDR is normalizeCIDR for a prefix-list entry, which may
// be of either family.
func normalizeEntryCIDR(s string) string {
	if c, _, ok := inventory.CanonicalCIDR(s); ok {
		return c
	}
	return s
}

// interfaceResource says what an interface belongs to: its instance, or
// for interfaces that AWS services create (ELB, Lambda, RDS, NAT...), the
// requester, the interface type when it says more than "interface", and
// the description, which is where AWS names the load balancer or function.
func interfaceResource(eni types.NetworkInterface) string {
	if eni.Attachment != nil && aws.ToString(eni.Attachment.InstanceId) != "" {
		return *eni.Attachment.InstanceId
	}
	var parts []string
	if id := aws.ToString(eni.RequesterId); id != "" {
		parts = append(parts, id)
	}
	if t := string(eni.InterfaceType); t != "" && t != string(types.NetworkInterfaceTypeInterface) {
		parts = append(parts, t)
	}
	if d := aws.ToString(eni.Description); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " / ")
}

func tagMap(tags []types.Tag) inventory.Tags {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return inventory.NewTags(m)
}

// linkReferences adds the evidence that a group is used by another
// group's rule, ingress or egress: sg_reference when both are in the same
// account and VPC, cross_vpc_reference otherwise (a peered VPC or another
// account; recorded only because the referenced group is in the
// inventory). A group naming itself is not evidence: that rule exists only
// if the group does, so it cannot show the group is needed. It returns,
// per referenced group index, the VPCs whose groups gave cross-VPC
// evidence, so that DescribeSecurityGroupReferences does not repeat it.
func linkReferences(groups []inventory.SecurityGroup) map[int]map[string]bool {
	// Group ids are unique across AWS, and references never leave a region.
	type regionID struct{ region, id string } // a struct: a concatenation allocated per rule
	index := make(map[regionID]int, len(groups))
	for i, g := range groups {
		index[regionID{g.Region, g.ID}] = i
	}
	// The references are found on every core, a chunk of referencing
	// groups per task (a million rules at 100k groups: the longest part of
	// an import's last, otherwise single-core, step), and their evidence
	// is added after, in the groups' order, as one pass would.
	type link struct {
		from, to int32
		dirs     string // the rule directions, sorted and joined
	}
	const chunk = 2048
	links := make([][]link, chunks(len(groups), chunk))
	runTasks(chunkTasks(len(groups), chunk, func(c, lo, hi int) {
		// The groups one group references, and in which directions: a
		// few, in a slice reused from group to group (a map per group was
		// most of what linking allocated).
		type reference struct {
			to   int
			dirs []string
		}
		var refs []reference
		for fi := lo; fi < hi; fi++ {
			from := &groups[fi]
			refs = refs[:0]
			for _, r := range from.Rules.All() {
				if r.Peer.Kind != inventory.PeerSecurityGroup || r.Peer.GroupID == from.ID {
					continue
				}
				to, ok := index[regionID{from.Region, r.Peer.GroupID}]
				if !ok {
					continue // deleted, or in an account or region not collected
				}
				k := slices.IndexFunc(refs, func(x reference) bool { return x.to == to })
				if k < 0 {
					var dirs []string // the array of the slot's last use, if any
					if len(refs) < cap(refs) {
						dirs = refs[:len(refs)+1][len(refs)].dirs[:0]
					}
					refs = append(refs, reference{to: to, dirs: dirs})
					k = len(refs) - 1
				}
				if !slices.Contains(refs[k].dirs, string(r.Direction)) {
					refs[k].dirs = append(refs[k].dirs, string(r.Direction))
				}
			}
			for _, ref := range refs {
				slices.Sort(ref.dirs)
				links[c] = append(links[c], link{from: int32(fi), to: int32(ref.to), dirs: strings.Join(ref.dirs, ", ")})
			}
		}
	}))
	crossVPC := map[int]map[string]bool{}
	for _, out := range links {
		for _, l := range out {
			from, g := &groups[l.from], &groups[l.to]
			ev := inventory.Evidence{Kind: inventory.UsedBySGReference, ID: from.ID, Detail: l.dirs}
			if from.AccountID != g.AccountID || from.VPCID != g.VPCID {
				ev.Kind = inventory.UsedByCrossVPCReference
				ev.Detail += " rule in " + from.AccountID + "/" + from.VPCID
				if crossVPC[int(l.to)] == nil {
					crossVPC[int(l.to)] = map[string]bool{}
				}
				crossVPC[int(l.to)][from.VPCID] = true
			}
			g.UsedBy = append(g.UsedBy, ev)
		}
	}
	return crossVPC
}

// partitionOfRegion guesses a partition from a region name, for data that
// carries no ARN: us-gov-* is aws-us-gov, cn-* is aws-cn.
func partitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}
