package inventory

import (
	"cmp"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
)

// This file holds the network model that verified exposure reads
// (docs/reachability.md): subnets, route tables, network ACLs, internet
// gateways, public addresses and load balancers. Each list is filled per
// (account, region) by its own describe, recorded as a data kind in
// Coverage.Collected, so that "not collected" (no kind) and "absent"
// (kind collected, list without the item) differ (docs/inventory.md §16).

// Data kinds of the network model, one per describe (docs/inventory.md §5).
const (
	// KindSubnets is DescribeSubnets.
	KindSubnets = "subnets"
	// KindRouteTables is DescribeRouteTables.
	KindRouteTables = "route_tables"
	// KindNetworkACLs is DescribeNetworkAcls.
	KindNetworkACLs = "network_acls"
	// KindInternetGateways is DescribeInternetGateways.
	KindInternetGateways = "internet_gateways"
	// KindEgressOnlyInternetGateways is DescribeEgressOnlyInternetGateways.
	KindEgressOnlyInternetGateways = "egress_only_internet_gateways"
	// KindAddresses is DescribeAddresses (Elastic IPs).
	KindAddresses = "addresses"
	// KindLoadBalancers is elasticloadbalancingv2 DescribeLoadBalancers and
	// DescribeListeners (application, network and gateway load balancers).
	KindLoadBalancers = "load_balancers"
	// KindTargetGroups is elasticloadbalancingv2 DescribeTargetGroups,
	// DescribeTargetHealth and DescribeTargetGroupAttributes.
	KindTargetGroups = "target_groups"
	// KindClassicLoadBalancers is elasticloadbalancing DescribeLoadBalancers.
	KindClassicLoadBalancers = "classic_load_balancers"
)

// NetworkKinds are the data kinds the reachability analysis needs for an
// interface's own path; load-balancer entries need the load-balancer kinds
// too (LoadBalancerKinds).
var NetworkKinds = []string{KindNetworkInterfaces, KindSubnets, KindRouteTables, KindNetworkACLs, KindInternetGateways}

// LoadBalancerKinds are the data kinds that together say which load
// balancers target an interface.
var LoadBalancerKinds = []string{KindLoadBalancers, KindTargetGroups, KindClassicLoadBalancers}

// Subnet is one VPC subnet (DescribeSubnets), with the route table and
// network ACL that apply to it resolved from their associations.
type Subnet struct {
	ID               string `json:"id"`
	AccountID        string `json:"account_id"`
	Region           string `json:"region"`
	VPCID            string `json:"vpc_id"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	// CIDRs are the subnet's IPv4 block and its associated IPv6 blocks,
	// canonical, sorted.
	CIDRs []string `json:"cidrs"`
	// RouteTableID is the route table explicitly associated with the
	// subnet; "" means the VPC's main route table applies.
	RouteTableID string `json:"route_table_id,omitempty"`
	// NetworkACLID is the network ACL associated with the subnet (every
	// subnet has exactly one; "" only when network ACLs were not read).
	NetworkACLID string `json:"network_acl_id,omitempty"`
}

// RouteTarget is what a route sends traffic to.
type RouteTarget string

// Route targets. Anything AWS may add later is RouteOther, which the
// analysis treats as "not the internet".
const (
	RouteInternetGateway   RouteTarget = "igw"
	RouteEgressOnlyGateway RouteTarget = "eigw"
	RouteNATGateway        RouteTarget = "nat"
	RoutePeering           RouteTarget = "pcx"
	RouteTransitGateway    RouteTarget = "tgw"
	RouteVPCEndpoint       RouteTarget = "vpce"
	RouteNetworkInterface  RouteTarget = "eni"
	RouteInstance          RouteTarget = "instance"
	RouteLocal             RouteTarget = "local"
	// RouteVPNGateway is a virtual private gateway (vgw-).
	RouteVPNGateway RouteTarget = "vgw"
	// RouteBlackhole is a route with no target at all.
	RouteBlackhole RouteTarget = "blackhole"
	// RouteOther is any other target: carrier, local or core-network
	// gateways.
	RouteOther RouteTarget = "other"
)

// RouteState is a route's state.
type RouteState string

// Route states. A blackhole route's target is gone: it drops traffic.
const (
	RouteActive         RouteState = "active"
	RouteStateBlackhole RouteState = "blackhole"
)

// RouteTable is one VPC route table (DescribeRouteTables).
type RouteTable struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id"`
	// Main is true for the VPC's main route table, which applies to every
	// subnet without an explicit association.
	Main bool `json:"main"`
	// SubnetIDs are the subnets explicitly associated, sorted.
	SubnetIDs []string `json:"subnet_ids"`
	Routes    []Route  `json:"routes"`
}

// Route is one route: a destination (a CIDR, or a managed prefix list) and
// a target.
type Route struct {
	// Destination is an IPv4 or IPv6 CIDR, canonical; "" when the
	// destination is a prefix list.
	Destination string `json:"destination,omitempty"`
	// PrefixListID is the destination prefix list (pl-...), whose entries
	// are in Inventory.PrefixLists.
	PrefixListID string      `json:"prefix_list_id,omitempty"`
	TargetKind   RouteTarget `json:"target_kind"`
	// TargetID is the target's id (igw-..., nat-..., "local"), "" for a
	// blackhole.
	TargetID string     `json:"target_id,omitempty"`
	State    RouteState `json:"state"`
}

// NACLAction is allow or deny.
type NACLAction string

// Network ACL actions.
const (
	NACLAllow NACLAction = "allow"
	NACLDeny  NACLAction = "deny"
)

// NACLDefaultRuleNumber is the number AWS gives the final "*" deny entry of
// each direction, which no one can remove.
const NACLDefaultRuleNumber = 32767

// NetworkACL is one network ACL (DescribeNetworkAcls).
type NetworkACL struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id"`
	IsDefault bool   `json:"is_default"`
	// SubnetIDs are the subnets associated with the ACL, sorted.
	SubnetIDs []string `json:"subnet_ids"`
	// Entries are in (egress, rule_number) order, the "*" entries
	// (rule number 32767) included when AWS listed them.
	Entries []NACLEntry `json:"entries"`
}

// NACLEntry is one numbered network ACL rule.
type NACLEntry struct {
	// RuleNumber is 1-32766, or 32767 for the "*" entry. Lower numbers are
	// evaluated first; the first match decides.
	RuleNumber int  `json:"rule_number"`
	Egress     bool `json:"egress"`
	// Protocol is the IP protocol number as AWS writes it: "-1" (all),
	// "6" (tcp), "17" (udp), "1" (icmp), "58" (icmpv6) or any other
	// number 0-255.
	Protocol string     `json:"protocol"`
	Action   NACLAction `json:"action"`
	// CIDR is the IPv4 or IPv6 block, canonical.
	CIDR string `json:"cidr"`
	// FromPort and ToPort are the port range for protocols 6 and 17
	// (0 <= from <= to <= 65535), and -1 for every other protocol.
	FromPort int `json:"from_port"`
	ToPort   int `json:"to_port"`
	// ICMPType and ICMPCode are for protocols 1 and 58: -1 (any) or 0-255;
	// -1 for every other protocol.
	ICMPType int `json:"icmp_type"`
	ICMPCode int `json:"icmp_code"`
}

// InternetGateway is an internet gateway or an egress-only internet
// gateway with the VPCs it is attached to.
type InternetGateway struct {
	ID        string `json:"id"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	// VPCIDs are the VPCs it is attached to (attachment state available or
	// attached), sorted.
	VPCIDs []string `json:"vpc_ids"`
}

// Address is an Elastic IP address (DescribeAddresses) and what it is
// associated with.
type Address struct {
	// AllocationID is eipalloc-...; "" for an EC2-Classic address.
	AllocationID string `json:"allocation_id,omitempty"`
	AccountID    string `json:"account_id"`
	Region       string `json:"region"`
	PublicIP     string `json:"public_ip"`
	// NetworkInterfaceID and PrivateIP say where it is associated; ""
	// when it is not associated.
	NetworkInterfaceID string `json:"network_interface_id,omitempty"`
	PrivateIP          string `json:"private_ip,omitempty"`
	InstanceID         string `json:"instance_id,omitempty"`
}

// Load balancer types and schemes, as elasticloadbalancingv2 writes them;
// a Classic Load Balancer has type "classic".
const (
	LoadBalancerApplication = "application"
	LoadBalancerNetwork     = "network"
	LoadBalancerGateway     = "gateway"
	LoadBalancerClassic     = "classic"

	SchemeInternetFacing = "internet-facing"
	SchemeInternal       = "internal"
)

// LoadBalancer is an application, network, gateway or Classic load
// balancer with its listeners.
type LoadBalancer struct {
	// ARN identifies it. A Classic Load Balancer has no ARN in its API; the
	// collector writes
	// arn:<partition>:elasticloadbalancing:<region>:<account>:loadbalancer/<name>,
	// the ARN IAM uses for it.
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	// Type is application, network, gateway or classic.
	Type string `json:"type"`
	// Scheme is internet-facing or internal; only internet-facing load
	// balancers are entries from the internet.
	Scheme string `json:"scheme"`
	VPCID  string `json:"vpc_id"`
	// IPAddressType is ipv4, dualstack or dualstack-without-public-ipv4.
	IPAddressType string `json:"ip_address_type,omitempty"`
	DNSName       string `json:"dns_name,omitempty"`
	// SubnetIDs are the subnets it has nodes in, sorted.
	SubnetIDs []string `json:"subnet_ids"`
	// SecurityGroupIDs are its groups, sorted; empty for a network load
	// balancer created without any.
	SecurityGroupIDs []string   `json:"security_group_ids"`
	Listeners        []Listener `json:"listeners"`
	// InstanceIDs are the instances registered with a Classic Load
	// Balancer, sorted.
	InstanceIDs []string `json:"instance_ids,omitempty"`
}

// Listener is one load balancer listener.
type Listener struct {
	// ARN is the listener's ARN; "" for a Classic Load Balancer.
	ARN string `json:"arn,omitempty"`
	// Protocol as the API writes it: HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP,
	// GENEVE, SSL.
	Protocol string `json:"protocol"`
	Port     int    `json:"port"`
	// TargetGroupARNs are the target groups any of its actions (default
	// action and rules) forward to, sorted.
	TargetGroupARNs []string `json:"target_group_arns,omitempty"`
	// InstanceProtocol and InstancePort are where a Classic Load Balancer
	// forwards to on its registered instances.
	InstanceProtocol string `json:"instance_protocol,omitempty"`
	InstancePort     int    `json:"instance_port,omitempty"`
}

// Target types of a target group.
const (
	TargetTypeInstance = "instance"
	TargetTypeIP       = "ip"
	TargetTypeLambda   = "lambda"
	TargetTypeALB      = "alb"
)

// TargetGroup is an elasticloadbalancingv2 target group with its
// registered targets.
type TargetGroup struct {
	ARN       string `json:"arn"`
	Name      string `json:"name"`
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	VPCID     string `json:"vpc_id,omitempty"`
	Protocol  string `json:"protocol,omitempty"`
	// Port is the default port targets receive traffic on.
	Port int `json:"port,omitempty"`
	// TargetType is instance, ip, lambda or alb.
	TargetType string `json:"target_type"`
	// LoadBalancerARNs are the load balancers that forward to it, sorted.
	LoadBalancerARNs []string `json:"load_balancer_arns"`
	// PreserveClientIP is the preserve_client_ip.enabled attribute (or its
	// default): a network load balancer then hands targets the client's
	// own address, so the target's NACL and groups must admit the client.
	PreserveClientIP bool     `json:"preserve_client_ip"`
	Targets          []Target `json:"targets"`
}

// Target is one registered target.
type Target struct {
	// ID is an instance id (target type instance) or an IP address
	// (target type ip).
	ID string `json:"id"`
	// Port is the port it receives traffic on.
	Port             int    `json:"port"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
	// Health is DescribeTargetHealth's state (healthy, unhealthy, unused,
	// draining, initial, unavailable), "" when not read.
	Health string `json:"health,omitempty"`
}

// sortNetwork puts the network lists in canonical order: each list by
// (account, region, id or ARN), and the lists inside each item as their
// doc comments say.
func (inv *Inventory) sortNetwork() {
	byPlace := func(a1, r1, id1, a2, r2, id2 string) int {
		return cmp.Or(cmp.Compare(a1, a2), cmp.Compare(r1, r2), cmp.Compare(id1, id2))
	}
	slices.SortFunc(inv.Subnets, func(a, b Subnet) int { return byPlace(a.AccountID, a.Region, a.ID, b.AccountID, b.Region, b.ID) })
	for i := range inv.Subnets {
		slices.Sort(inv.Subnets[i].CIDRs)
	}
	slices.SortFunc(inv.RouteTables, func(a, b RouteTable) int { return byPlace(a.AccountID, a.Region, a.ID, b.AccountID, b.Region, b.ID) })
	for i := range inv.RouteTables {
		t := &inv.RouteTables[i]
		slices.Sort(t.SubnetIDs)
		slices.SortFunc(t.Routes, func(a, b Route) int {
			return cmp.Or(cmp.Compare(a.Destination, b.Destination), cmp.Compare(a.PrefixListID, b.PrefixListID),
				cmp.Compare(a.TargetKind, b.TargetKind), cmp.Compare(a.TargetID, b.TargetID), cmp.Compare(a.State, b.State))
		})
	}
	slices.SortFunc(inv.NetworkACLs, func(a, b NetworkACL) int { return byPlace(a.AccountID, a.Region, a.ID, b.AccountID, b.Region, b.ID) })
	for i := range inv.NetworkACLs {
		n := &inv.NetworkACLs[i]
		slices.Sort(n.SubnetIDs)
		slices.SortFunc(n.Entries, compareNACLEntries)
	}
	for _, gws := range [][]InternetGateway{inv.InternetGateways, inv.EgressOnlyInternetGateways} {
		slices.SortFunc(gws, func(a, b InternetGateway) int {
			return byPlace(a.AccountID, a.Region, a.ID, b.AccountID, b.Region, b.ID)
		})
		for i := range gws {
			slices.Sort(gws[i].VPCIDs)
		}
	}
	slices.SortFunc(inv.Addresses, func(a, b Address) int {
		return cmp.Or(byPlace(a.AccountID, a.Region, a.PublicIP, b.AccountID, b.Region, b.PublicIP), cmp.Compare(a.AllocationID, b.AllocationID))
	})
	slices.SortFunc(inv.LoadBalancers, func(a, b LoadBalancer) int {
		return byPlace(a.AccountID, a.Region, a.ARN, b.AccountID, b.Region, b.ARN)
	})
	for i := range inv.LoadBalancers {
		lb := &inv.LoadBalancers[i]
		slices.Sort(lb.SubnetIDs)
		slices.Sort(lb.SecurityGroupIDs)
		slices.Sort(lb.InstanceIDs)
		slices.SortFunc(lb.Listeners, func(a, b Listener) int {
			return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.ARN, b.ARN),
				cmp.Compare(a.InstancePort, b.InstancePort), cmp.Compare(a.InstanceProtocol, b.InstanceProtocol))
		})
		for j := range lb.Listeners {
			slices.Sort(lb.Listeners[j].TargetGroupARNs)
		}
	}
	slices.SortFunc(inv.TargetGroups, func(a, b TargetGroup) int { return byPlace(a.AccountID, a.Region, a.ARN, b.AccountID, b.Region, b.ARN) })
	for i := range inv.TargetGroups {
		tg := &inv.TargetGroups[i]
		slices.Sort(tg.LoadBalancerARNs)
		slices.SortFunc(tg.Targets, func(a, b Target) int {
			return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.Port, b.Port), cmp.Compare(a.AvailabilityZone, b.AvailabilityZone))
		})
	}
	for i := range inv.NetworkInterfaces {
		n := &inv.NetworkInterfaces[i]
		slices.Sort(n.PrivateIPs)
		slices.Sort(n.IPv6Addresses)
		slices.Sort(n.PublicIPs)
	}
}

// compareNACLEntries orders entries inbound first, then by rule number: the
// order AWS evaluates them in.
func compareNACLEntries(a, b NACLEntry) int {
	ea, eb := 0, 0
	if a.Egress {
		ea = 1
	}
	if b.Egress {
		eb = 1
	}
	return cmp.Or(cmp.Compare(ea, eb), cmp.Compare(a.RuleNumber, b.RuleNumber), cmp.Compare(a.CIDR, b.CIDR))
}

// checkNetwork validates the network lists: ids of their kind, accounts
// and regions, canonical CIDRs and addresses, NACL entries as AWS accepts
// them, known route targets, load balancer types and schemes, ports.
// An item given twice with the same content is kept once; twice with
// different content is an error. Errors name the list and index.
func (inv *Inventory) checkNetwork() error {
	var err error
	if inv.Subnets, err = dedupe("subnets", inv.Subnets, func(s Subnet) string { return s.AccountID + "/" + s.Region + "/" + s.ID }, checkSubnet); err != nil {
		return err
	}
	if inv.RouteTables, err = dedupe("route_tables", inv.RouteTables, func(t RouteTable) string { return t.AccountID + "/" + t.Region + "/" + t.ID }, checkRouteTable); err != nil {
		return err
	}
	if inv.NetworkACLs, err = dedupe("network_acls", inv.NetworkACLs, func(n NetworkACL) string { return n.AccountID + "/" + n.Region + "/" + n.ID }, checkNetworkACL); err != nil {
		return err
	}
	gwKey := func(g InternetGateway) string { return g.AccountID + "/" + g.Region + "/" + g.ID }
	if inv.InternetGateways, err = dedupe("internet_gateways", inv.InternetGateways, gwKey, func(g InternetGateway) (string, string, string) { return checkGateway(g, "igw-") }); err != nil {
		return err
	}
	if inv.EgressOnlyInternetGateways, err = dedupe("egress_only_internet_gateways", inv.EgressOnlyInternetGateways, gwKey, func(g InternetGateway) (string, string, string) { return checkGateway(g, "eigw-") }); err != nil {
		return err
	}
	if inv.Addresses, err = dedupe("addresses", inv.Addresses, func(a Address) string { return a.AccountID + "/" + a.Region + "/" + a.PublicIP }, checkAddress); err != nil {
		return err
	}
	if inv.LoadBalancers, err = dedupe("load_balancers", inv.LoadBalancers, func(l LoadBalancer) string { return l.ARN }, checkLoadBalancer); err != nil {
		return err
	}
	if inv.TargetGroups, err = dedupe("target_groups", inv.TargetGroups, func(t TargetGroup) string { return t.ARN }, checkTargetGroup); err != nil {
		return err
	}
	for i, n := range inv.NetworkInterfaces {
		where := fmt.Sprintf("network_interfaces[%d]", i)
		if n.SubnetID != "" && !ValidResourceID("subnet-", n.SubnetID) {
			return &ValueError{Where: where, Rule: -1, Field: "subnet_id", Value: n.SubnetID, Reason: resourceIDReason("subnet-")}
		}
		for _, f := range []struct {
			name string
			ips  []string
			v6   bool
		}{{"private_ips", n.PrivateIPs, false}, {"public_ips", n.PublicIPs, false}, {"ipv6_addresses", n.IPv6Addresses, true}} {
			for j, ip := range f.ips {
				if reason := checkAddr(ip, f.v6); reason != "" {
					return &ValueError{Where: where, Rule: -1, Field: fmt.Sprintf("%s[%d]", f.name, j), Value: ip, Reason: reason}
				}
			}
		}
		if n.PublicIP != "" {
			if reason := checkAddr(n.PublicIP, false); reason != "" {
				return &ValueError{Where: where, Rule: -1, Field: "public_ip", Value: n.PublicIP, Reason: reason}
			}
		}
	}
	return nil
}

// dedupe validates each item of a list with check (which returns the
// field, value and reason of its first bad value), drops an item that
// repeats an earlier one of the same key exactly, and refuses one that
// differs.
func dedupe[T any](list string, items []T, key func(T) string, check func(T) (field, value, reason string)) ([]T, error) {
	seen := make(map[string]int, len(items))
	kept := items[:0]
	var at []int
	for i, it := range items {
		where := fmt.Sprintf("%s[%d]", list, i)
		if field, value, reason := check(it); reason != "" {
			return nil, &ValueError{Where: where, Rule: -1, Field: field, Value: value, Reason: reason}
		}
		k := key(it)
		if j, dup := seen[k]; dup {
			if reflect.DeepEqual(kept[j], it) {
				continue
			}
			return nil, &ValueError{Where: fmt.Sprintf("%s[%d] and [%d]", list, at[j], i), Rule: -1, Field: "id", Value: k,
				Reason: "the same item twice with different content"}
		}
		seen[k] = len(kept)
		kept = append(kept, it)
		at = append(at, i)
	}
	var zero T
	for i := len(kept); i < len(items); i++ {
		items[i] = zero
	}
	return kept, nil
}

// checkPlace checks an item's account and region.
func checkPlace(account, region string) (field, value, reason string) {
	if !ValidAccountID(account) {
		return "account_id", account, "an account id is exactly 12 digits"
	}
	if !ValidRegion(region) {
		return "region", region, "not a region name such as eu-west-1"
	}
	return "", "", ""
}

// checkIDs checks that each id of a list is an id of its kind.
func checkIDs(field, prefix string, ids []string) (string, string, string) {
	for i, id := range ids {
		if !ValidResourceID(prefix, id) {
			return fmt.Sprintf("%s[%d]", field, i), id, resourceIDReason(prefix)
		}
	}
	return "", "", ""
}

// checkAddr checks an IP address: parsable, of the family wanted, and
// written as netip writes it.
func checkAddr(s string, v6 bool) string {
	a, err := netip.ParseAddr(s)
	switch {
	case err != nil:
		return "not an IP address"
	case a.Zone() != "":
		return "an address with a zone"
	case a.Is6() != v6 && !v6:
		return "an IPv6 address where IPv4 is expected"
	case a.Is6() != v6:
		return "an IPv4 address where IPv6 is expected"
	case a.String() != s:
		return "not canonical: write it " + a.String()
	}
	return ""
}

func checkSubnet(s Subnet) (string, string, string) {
	if !ValidResourceID("subnet-", s.ID) {
		return "id", s.ID, resourceIDReason("subnet-")
	}
	if f, v, r := checkPlace(s.AccountID, s.Region); r != "" {
		return f, v, r
	}
	if !ValidResourceID("vpc-", s.VPCID) {
		return "vpc_id", s.VPCID, resourceIDReason("vpc-")
	}
	for i, c := range s.CIDRs {
		if reason := checkCIDR(c, ""); reason != "" {
			return fmt.Sprintf("cidrs[%d]", i), c, reason
		}
	}
	if s.RouteTableID != "" && !ValidResourceID("rtb-", s.RouteTableID) {
		return "route_table_id", s.RouteTableID, resourceIDReason("rtb-")
	}
	if s.NetworkACLID != "" && !ValidResourceID("acl-", s.NetworkACLID) {
		return "network_acl_id", s.NetworkACLID, resourceIDReason("acl-")
	}
	return "", "", ""
}

// routeTargetPrefix is the id prefix of each target kind with one.
var routeTargetPrefix = map[RouteTarget]string{
	RouteInternetGateway: "igw-", RouteEgressOnlyGateway: "eigw-", RouteNATGateway: "nat-",
	RoutePeering: "pcx-", RouteTransitGateway: "tgw-", RouteVPCEndpoint: "vpce-",
	RouteNetworkInterface: "eni-", RouteInstance: "i-", RouteVPNGateway: "vgw-",
}

func checkRouteTable(t RouteTable) (string, string, string) {
	if !ValidResourceID("rtb-", t.ID) {
		return "id", t.ID, resourceIDReason("rtb-")
	}
	if f, v, r := checkPlace(t.AccountID, t.Region); r != "" {
		return f, v, r
	}
	if !ValidResourceID("vpc-", t.VPCID) {
		return "vpc_id", t.VPCID, resourceIDReason("vpc-")
	}
	if f, v, r := checkIDs("subnet_ids", "subnet-", t.SubnetIDs); r != "" {
		return f, v, r
	}
	for i, rt := range t.Routes {
		field := func(f string) string { return fmt.Sprintf("routes[%d].%s", i, f) }
		switch {
		case rt.Destination == "" && rt.PrefixListID == "":
			return field("destination"), "", "a route needs a destination CIDR or a prefix list"
		case rt.Destination != "" && rt.PrefixListID != "":
			return field("prefix_list_id"), rt.PrefixListID, "a route has a destination CIDR or a prefix list, not both"
		case rt.Destination != "":
			if reason := checkCIDR(rt.Destination, ""); reason != "" {
				return field("destination"), rt.Destination, reason
			}
		case !ValidPrefixListID(rt.PrefixListID):
			return field("prefix_list_id"), rt.PrefixListID, `not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`
		}
		if rt.State != RouteActive && rt.State != RouteStateBlackhole {
			return field("state"), string(rt.State), "want active or blackhole"
		}
		switch prefix, ok := routeTargetPrefix[rt.TargetKind]; {
		case ok:
			if !ValidResourceID(prefix, rt.TargetID) {
				return field("target_id"), rt.TargetID, resourceIDReason(prefix)
			}
		case rt.TargetKind == RouteLocal:
			if rt.TargetID != "local" {
				return field("target_id"), rt.TargetID, `a local route's target is "local"`
			}
		case rt.TargetKind == RouteBlackhole:
			if rt.TargetID != "" {
				return field("target_id"), rt.TargetID, "a blackhole route has no target"
			}
		case rt.TargetKind == RouteOther:
		default:
			return field("target_kind"), string(rt.TargetKind), "want igw, eigw, nat, pcx, tgw, vpce, eni, instance, local, vgw, blackhole or other"
		}
	}
	return "", "", ""
}

// NACLProtocolAll and the protocol numbers the analysis names.
const (
	NACLProtocolAll    = "-1"
	NACLProtocolTCP    = "6"
	NACLProtocolUDP    = "17"
	NACLProtocolICMP   = "1"
	NACLProtocolICMPv6 = "58"
)

func checkNetworkACL(n NetworkACL) (string, string, string) {
	if !ValidResourceID("acl-", n.ID) {
		return "id", n.ID, resourceIDReason("acl-")
	}
	if f, v, r := checkPlace(n.AccountID, n.Region); r != "" {
		return f, v, r
	}
	if !ValidResourceID("vpc-", n.VPCID) {
		return "vpc_id", n.VPCID, resourceIDReason("vpc-")
	}
	if f, v, r := checkIDs("subnet_ids", "subnet-", n.SubnetIDs); r != "" {
		return f, v, r
	}
	for i, e := range n.Entries {
		if f, v, r := checkNACLEntry(e); r != "" {
			return fmt.Sprintf("entries[%d].%s", i, f), v, r
		}
	}
	return "", "", ""
}

func checkNACLEntry(e NACLEntry) (string, string, string) {
	itoa := func(n int) string { return fmt.Sprint(n) }
	if e.RuleNumber < 1 || e.RuleNumber > NACLDefaultRuleNumber {
		return "rule_number", itoa(e.RuleNumber), "a rule number is 1 to 32766, or 32767 for the * entry"
	}
	if e.Protocol != NACLProtocolAll && !protocolNumber(e.Protocol) {
		return "protocol", e.Protocol, `want "-1" or a protocol number 0-255 in plain decimal`
	}
	if e.Action != NACLAllow && e.Action != NACLDeny {
		return "action", string(e.Action), "want allow or deny"
	}
	if reason := checkCIDR(e.CIDR, ""); reason != "" {
		return "cidr", e.CIDR, reason
	}
	switch e.Protocol {
	case NACLProtocolTCP, NACLProtocolUDP:
		if e.FromPort < 0 || e.ToPort > maxPort || e.FromPort > e.ToPort {
			return "from_port", itoa(e.FromPort), fmt.Sprintf("want 0 <= from_port <= to_port (%d) <= 65535", e.ToPort)
		}
	default:
		if e.FromPort != -1 || e.ToPort != -1 {
			return "from_port", itoa(e.FromPort), "only protocols 6 and 17 have ports; the inventory stores -1"
		}
	}
	switch e.Protocol {
	case NACLProtocolICMP, NACLProtocolICMPv6:
		if e.ICMPType < -1 || e.ICMPType > maxICMPCode {
			return "icmp_type", itoa(e.ICMPType), "the ICMP type is -1 (any) or 0 to 255"
		}
		if e.ICMPCode < -1 || e.ICMPCode > maxICMPCode {
			return "icmp_code", itoa(e.ICMPCode), "the ICMP code is -1 (any) or 0 to 255"
		}
	default:
		if e.ICMPType != -1 || e.ICMPCode != -1 {
			return "icmp_type", itoa(e.ICMPType), "only protocols 1 and 58 have ICMP types; the inventory stores -1"
		}
	}
	return "", "", ""
}

func checkGateway(g InternetGateway, prefix string) (string, string, string) {
	if !ValidResourceID(prefix, g.ID) {
		return "id", g.ID, resourceIDReason(prefix)
	}
	if f, v, r := checkPlace(g.AccountID, g.Region); r != "" {
		return f, v, r
	}
	return checkIDs("vpc_ids", "vpc-", g.VPCIDs)
}

func checkAddress(a Address) (string, string, string) {
	if a.AllocationID != "" && !ValidResourceID("eipalloc-", a.AllocationID) {
		return "allocation_id", a.AllocationID, resourceIDReason("eipalloc-")
	}
	if f, v, r := checkPlace(a.AccountID, a.Region); r != "" {
		return f, v, r
	}
	if reason := checkAddr(a.PublicIP, false); reason != "" {
		return "public_ip", a.PublicIP, reason
	}
	if a.NetworkInterfaceID != "" && !ValidResourceID("eni-", a.NetworkInterfaceID) {
		return "network_interface_id", a.NetworkInterfaceID, resourceIDReason("eni-")
	}
	if a.PrivateIP != "" {
		if reason := checkAddr(a.PrivateIP, false); reason != "" {
			return "private_ip", a.PrivateIP, reason
		}
	}
	if a.InstanceID != "" && !ValidResourceID("i-", a.InstanceID) {
		return "instance_id", a.InstanceID, resourceIDReason("i-")
	}
	return "", "", ""
}

// checkARN checks that an ARN is an elasticloadbalancing ARN of the item's
// own account and region.
func checkARN(arn, account, region string) string {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return "not an ARN"
	}
	partition, rest, ok := strings.Cut(rest, ":")
	if !ok || !partitionPattern.MatchString(partition) {
		return "not an ARN"
	}
	if !strings.HasPrefix(rest, "elasticloadbalancing:"+region+":"+account+":") {
		return "want arn:<partition>:elasticloadbalancing:" + region + ":" + account + ":..., the item's own region and account"
	}
	for i := 0; i < len(arn); i++ {
		if c := arn[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return "an ARN holds no spaces, quotes or control characters"
		}
	}
	return ""
}

func checkLoadBalancer(l LoadBalancer) (string, string, string) {
	if f, v, r := checkPlace(l.AccountID, l.Region); r != "" {
		return f, v, r
	}
	if reason := checkARN(l.ARN, l.AccountID, l.Region); reason != "" {
		return "arn", l.ARN, reason
	}
	switch l.Type {
	case LoadBalancerApplication, LoadBalancerNetwork, LoadBalancerGateway, LoadBalancerClassic:
	default:
		return "type", l.Type, "want application, network, gateway or classic"
	}
	if l.Scheme != SchemeInternetFacing && l.Scheme != SchemeInternal {
		return "scheme", l.Scheme, "want internet-facing or internal"
	}
	if l.VPCID != "" && !ValidResourceID("vpc-", l.VPCID) {
		return "vpc_id", l.VPCID, resourceIDReason("vpc-")
	}
	if f, v, r := checkIDs("subnet_ids", "subnet-", l.SubnetIDs); r != "" {
		return f, v, r
	}
	if f, v, r := checkIDs("security_group_ids", "sg-", l.SecurityGroupIDs); r != "" {
		return f, v, r
	}
	if f, v, r := checkIDs("instance_ids", "i-", l.InstanceIDs); r != "" {
		return f, v, r
	}
	for i, ls := range l.Listeners {
		field := func(f string) string { return fmt.Sprintf("listeners[%d].%s", i, f) }
		if ls.Port < 1 || ls.Port > maxPort {
			return field("port"), fmt.Sprint(ls.Port), "a listener port is 1 to 65535"
		}
		if ls.InstancePort < 0 || ls.InstancePort > maxPort {
			return field("instance_port"), fmt.Sprint(ls.InstancePort), "an instance port is 1 to 65535"
		}
		for j, arn := range ls.TargetGroupARNs {
			if reason := checkARN(arn, l.AccountID, l.Region); reason != "" {
				return field(fmt.Sprintf("target_group_arns[%d]", j)), arn, reason
			}
		}
	}
	return "", "", ""
}

func checkTargetGroup(t TargetGroup) (string, string, string) {
	if f, v, r := checkPlace(t.AccountID, t.Region); r != "" {
		return f, v, r
	}
	if reason := checkARN(t.ARN, t.AccountID, t.Region); reason != "" {
		return "arn", t.ARN, reason
	}
	switch t.TargetType {
	case TargetTypeInstance, TargetTypeIP, TargetTypeLambda, TargetTypeALB:
	default:
		return "target_type", t.TargetType, "want instance, ip, lambda or alb"
	}
	if t.VPCID != "" && !ValidResourceID("vpc-", t.VPCID) {
		return "vpc_id", t.VPCID, resourceIDReason("vpc-")
	}
	if t.Port < 0 || t.Port > maxPort {
		return "port", fmt.Sprint(t.Port), "a port is 1 to 65535"
	}
	for i, arn := range t.LoadBalancerARNs {
		if reason := checkARN(arn, t.AccountID, t.Region); reason != "" {
			return fmt.Sprintf("load_balancer_arns[%d]", i), arn, reason
		}
	}
	for i, tg := range t.Targets {
		field := func(f string) string { return fmt.Sprintf("targets[%d].%s", i, f) }
		switch t.TargetType {
		case TargetTypeInstance:
			if !ValidResourceID("i-", tg.ID) {
				return field("id"), tg.ID, resourceIDReason("i-")
			}
		case TargetTypeIP:
			a, err := netip.ParseAddr(tg.ID)
			if err != nil || a.Zone() != "" || a.String() != tg.ID {
				return field("id"), tg.ID, "an ip target is an IP address as netip writes it"
			}
		}
		if tg.Port < 0 || tg.Port > maxPort {
			return field("port"), fmt.Sprint(tg.Port), "a port is 1 to 65535"
		}
	}
	return "", "", ""
}

// Reachability verdicts (docs/inventory.md §16, docs/reachability.md §4).
const (
	VerdictReachable    = "reachable"
	VerdictNotReachable = "not_reachable"
	VerdictNotVerified  = "not_verified"
)

// ReachabilityVerdict is derived, not read: the scan computes verified
// exposure in Go before the policies run and gives them one verdict per
// group, protocol and port range that a group opens to an internet source
// (or that a load balancer forwards to) on an interface carrying the
// group. Interfaces in an (account, region) whose network data was not
// collected give no verdict: policies then keep their public-IP
// escalation. A value in an inventory file is replaced by the scan's own.
type ReachabilityVerdict struct {
	AccountID string `json:"account_id"`
	Region    string `json:"region"`
	GroupID   string `json:"group_id"`
	// Protocol is tcp, udp, icmp, icmpv6, or all (0-65535) for a
	// not_verified row that covers everything.
	Protocol string `json:"protocol"`
	FromPort int    `json:"from_port"`
	ToPort   int    `json:"to_port"`
	// Verdict is reachable (on at least one interface carrying the group),
	// not_reachable (verified on every such interface), or not_verified.
	Verdict string `json:"verdict"`
	// NetworkInterfaceID is the interface the detail is about: the first
	// (by id) that the verdict holds for.
	NetworkInterfaceID string `json:"network_interface_id"`
	// Detail is the path when reachable, the blocking components when
	// not, or why it could not be verified.
	Detail string `json:"detail"`
}

// ReachabilityKey is the key of a group's verdicts in
// Inventory.Reachability: "account/region/group id".
func ReachabilityKey(account, region, groupID string) string {
	return account + "/" + region + "/" + groupID
}

// sortReachability orders each group's verdicts by (protocol, from port,
// to port).
func (inv *Inventory) sortReachability() {
	for _, vs := range inv.Reachability {
		slices.SortFunc(vs, func(a, b ReachabilityVerdict) int {
			return cmp.Or(CompareProtocols(a.Protocol, b.Protocol), cmp.Compare(a.FromPort, b.FromPort), cmp.Compare(a.ToPort, b.ToPort))
		})
	}
}
