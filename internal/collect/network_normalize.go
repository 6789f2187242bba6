package collect

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// normalizeNetwork appends one (account, region)'s network model
// (docs/inventory.md §16) to inv: subnets with the route table and network
// ACL associated with each, route tables, network ACLs, gateways, Elastic
// IPs, load balancers with their listeners, and target groups with their
// targets. Part of the one normalisation path (normalizeRegion).
func normalizeNetwork(inv *inventory.Inventory, d RegionData, partition string) {
	account := d.Account.ID
	rtOf, aclOf := map[string]string{}, map[string]string{} // subnet → its route table, its ACL
	for _, t := range d.RouteTables {
		rt := inventory.RouteTable{
			ID:        aws.ToString(t.RouteTableId),
			AccountID: cmp.Or(aws.ToString(t.OwnerId), account),
			Region:    d.Region,
			VPCID:     aws.ToString(t.VpcId),
			SubnetIDs: []string{},
			Routes:    make([]inventory.Route, 0, len(t.Routes)),
		}
		for _, a := range t.Associations {
			if !associated(a.AssociationState) {
				continue
			}
			if aws.ToBool(a.Main) {
				rt.Main = true
			}
			if s := aws.ToString(a.SubnetId); s != "" {
				rt.SubnetIDs = append(rt.SubnetIDs, s)
				rtOf[s] = rt.ID
			}
		}
		rt.SubnetIDs = sortedSet(rt.SubnetIDs)
		for _, r := range t.Routes {
			rt.Routes = append(rt.Routes, route(r))
		}
		inv.RouteTables = append(inv.RouteTables, rt)
	}
	for _, n := range d.NetworkACLs {
		acl := inventory.NetworkACL{
			ID:        aws.ToString(n.NetworkAclId),
			AccountID: cmp.Or(aws.ToString(n.OwnerId), account),
			Region:    d.Region,
			VPCID:     aws.ToString(n.VpcId),
			IsDefault: aws.ToBool(n.IsDefault),
			SubnetIDs: []string{},
			Entries:   make([]inventory.NACLEntry, 0, len(n.Entries)),
		}
		for _, a := range n.Associations {
			if s := aws.ToString(a.SubnetId); s != "" {
				acl.SubnetIDs = append(acl.SubnetIDs, s)
				aclOf[s] = acl.ID
			}
		}
		acl.SubnetIDs = sortedSet(acl.SubnetIDs)
		for _, e := range n.Entries {
			acl.Entries = append(acl.Entries, naclEntry(e))
		}
		inv.NetworkACLs = append(inv.NetworkACLs, acl)
	}
	for _, s := range d.Subnets {
		sn := inventory.Subnet{
			ID:               aws.ToString(s.SubnetId),
			AccountID:        cmp.Or(aws.ToString(s.OwnerId), account),
			Region:           d.Region,
			VPCID:            aws.ToString(s.VpcId),
			AvailabilityZone: aws.ToString(s.AvailabilityZone),
			CIDRs:            []string{},
		}
		if c := aws.ToString(s.CidrBlock); c != "" {
			sn.CIDRs = append(sn.CIDRs, normalizeEntryCIDR(c))
		}
		for _, a := range s.Ipv6CidrBlockAssociationSet {
			if a.Ipv6CidrBlockState != nil && !cidrBlockAssociated(string(a.Ipv6CidrBlockState.State)) {
				continue
			}
			if c := aws.ToString(a.Ipv6CidrBlock); c != "" {
				sn.CIDRs = append(sn.CIDRs, normalizeEntryCIDR(c))
			}
		}
		sn.CIDRs = sortedSet(sn.CIDRs)
		sn.RouteTableID, sn.NetworkACLID = rtOf[sn.ID], aclOf[sn.ID]
		inv.Subnets = append(inv.Subnets, sn)
	}
	for _, g := range d.InternetGateways {
		gw := inventory.InternetGateway{ID: aws.ToString(g.InternetGatewayId), AccountID: cmp.Or(aws.ToString(g.OwnerId), account),
			Region: d.Region, VPCIDs: []string{}}
		for _, a := range g.Attachments {
			if gatewayAttached(a.State) {
				gw.VPCIDs = append(gw.VPCIDs, aws.ToString(a.VpcId))
			}
		}
		gw.VPCIDs = sortedSet(gw.VPCIDs)
		inv.InternetGateways = append(inv.InternetGateways, gw)
	}
	for _, g := range d.EgressOnlyGateways {
		// The API names no owner: the pair's account owns what it lists.
		gw := inventory.InternetGateway{ID: aws.ToString(g.EgressOnlyInternetGatewayId), AccountID: account, Region: d.Region, VPCIDs: []string{}}
		for _, a := range g.Attachments {
			if gatewayAttached(a.State) {
				gw.VPCIDs = append(gw.VPCIDs, aws.ToString(a.VpcId))
			}
		}
		gw.VPCIDs = sortedSet(gw.VPCIDs)
		inv.EgressOnlyInternetGateways = append(inv.EgressOnlyInternetGateways, gw)
	}
	for _, a := range d.Addresses {
		if aws.ToString(a.PublicIp) == "" {
			// A carrier or customer-owned address only: no internet address.
			continue
		}
		inv.Addresses = append(inv.Addresses, inventory.Address{
			AllocationID:       aws.ToString(a.AllocationId),
			AccountID:          account,
			Region:             d.Region,
			PublicIP:           canonicalIP(aws.ToString(a.PublicIp)),
			NetworkInterfaceID: aws.ToString(a.NetworkInterfaceId),
			PrivateIP:          canonicalIP(aws.ToString(a.PrivateIpAddress)),
			InstanceID:         aws.ToString(a.InstanceId),
		})
	}
	normalizeLoadBalancers(inv, d)
	normalizeTargetGroups(inv, d)
	for _, c := range d.ClassicLoadBalancers {
		inv.LoadBalancers = append(inv.LoadBalancers, classicLoadBalancer(c, account, d.Region, partition))
	}
}

// associated reports whether a route table association is in force:
// associated, or with no state (exported JSON may omit it).
func associated(s *types.RouteTableAssociationState) bool {
	return s == nil || s.State == "" || s.State == types.RouteTableAssociationStateCodeAssociated
}

// cidrBlockAssociated reports whether a subnet's IPv6 block is in force.
// Only the states that say it is not are refused: moto 5 writes its state
// as a Python dict's text ("{'State': 'associated'}").
func cidrBlockAssociated(s string) bool {
	switch types.SubnetCidrBlockStateCode(s) {
	case types.SubnetCidrBlockStateCodeDisassociating, types.SubnetCidrBlockStateCodeDisassociated,
		types.SubnetCidrBlockStateCodeFailing, types.SubnetCidrBlockStateCodeFailed:
		return false
	}
	return true
}

// gatewayAttached reports whether a gateway attachment is in force. An
// internet gateway's attachment says "available" when attached; an
// egress-only gateway's says "attached".
func gatewayAttached(s types.AttachmentStatus) bool {
	return s == "" || s == "available" || s == types.AttachmentStatusAttached
}

// route converts one route. Its target is the one id the route names; a
// route that names none sends nowhere (a blackhole target).
func route(r types.Route) inventory.Route {
	out := inventory.Route{PrefixListID: aws.ToString(r.DestinationPrefixListId), State: inventory.RouteState(r.State)}
	if out.State == "" {
		out.State = inventory.RouteActive
	}
	switch {
	case r.DestinationCidrBlock != nil:
		out.Destination = normalizeEntryCIDR(*r.DestinationCidrBlock)
	case r.DestinationIpv6CidrBlock != nil:
		out.Destination = normalizeEntryCIDR(*r.DestinationIpv6CidrBlock)
	}
	gw := aws.ToString(r.GatewayId)
	switch {
	case gw == "local":
		out.TargetKind, out.TargetID = inventory.RouteLocal, gw
	case strings.HasPrefix(gw, "igw-"):
		out.TargetKind, out.TargetID = inventory.RouteInternetGateway, gw
	case strings.HasPrefix(gw, "vgw-"):
		out.TargetKind, out.TargetID = inventory.RouteVPNGateway, gw
	case strings.HasPrefix(gw, "vpce-"):
		out.TargetKind, out.TargetID = inventory.RouteVPCEndpoint, gw
	case gw != "":
		out.TargetKind, out.TargetID = inventory.RouteOther, gw
	case r.EgressOnlyInternetGatewayId != nil:
		out.TargetKind, out.TargetID = inventory.RouteEgressOnlyGateway, *r.EgressOnlyInternetGatewayId
	case r.NatGatewayId != nil:
		out.TargetKind, out.TargetID = inventory.RouteNATGateway, *r.NatGatewayId
	case r.VpcPeeringConnectionId != nil:
		out.TargetKind, out.TargetID = inventory.RoutePeering, *r.VpcPeeringConnectionId
	case r.TransitGatewayId != nil:
		out.TargetKind, out.TargetID = inventory.RouteTransitGateway, *r.TransitGatewayId
	case r.NetworkInterfaceId != nil:
		// An instance route names the instance and its interface: the
		// interface is where the traffic goes.
		out.TargetKind, out.TargetID = inventory.RouteNetworkInterface, *r.NetworkInterfaceId
	case r.InstanceId != nil:
		out.TargetKind, out.TargetID = inventory.RouteInstance, *r.InstanceId
	case r.CarrierGatewayId != nil:
		out.TargetKind, out.TargetID = inventory.RouteOther, *r.CarrierGatewayId
	case r.LocalGatewayId != nil:
		out.TargetKind, out.TargetID = inventory.RouteOther, *r.LocalGatewayId
	case r.CoreNetworkArn != nil:
		out.TargetKind, out.TargetID = inventory.RouteOther, *r.CoreNetworkArn
	case r.OdbNetworkArn != nil:
		out.TargetKind, out.TargetID = inventory.RouteOther, *r.OdbNetworkArn
	default:
		out.TargetKind = inventory.RouteBlackhole
	}
	return out
}

// naclEntry converts one network ACL entry: ports only for TCP and UDP,
// ICMP type and code only for ICMP and ICMPv6, -1 elsewhere, as AWS
// applies them (docs/inventory.md §16).
func naclEntry(e types.NetworkAclEntry) inventory.NACLEntry {
	out := inventory.NACLEntry{
		RuleNumber: int(aws.ToInt32(e.RuleNumber)),
		Egress:     aws.ToBool(e.Egress),
		Protocol:   naclProtocol(aws.ToString(e.Protocol)),
		Action:     inventory.NACLAction(e.RuleAction),
		FromPort:   -1, ToPort: -1, ICMPType: -1, ICMPCode: -1,
	}
	switch {
	case e.CidrBlock != nil:
		out.CIDR = normalizeEntryCIDR(*e.CidrBlock)
	case e.Ipv6CidrBlock != nil:
		out.CIDR = normalizeEntryCIDR(*e.Ipv6CidrBlock)
	}
	switch out.Protocol {
	case inventory.NACLProtocolTCP, inventory.NACLProtocolUDP:
		if e.PortRange != nil {
			out.FromPort, out.ToPort = int(aws.ToInt32(e.PortRange.From)), int(aws.ToInt32(e.PortRange.To))
		}
	case inventory.NACLProtocolICMP, inventory.NACLProtocolICMPv6:
		if e.IcmpTypeCode != nil {
			if e.IcmpTypeCode.Type != nil {
				out.ICMPType = int(*e.IcmpTypeCode.Type)
			}
			if e.IcmpTypeCode.Code != nil {
				out.ICMPCode = int(*e.IcmpTypeCode.Code)
			}
		}
	}
	return out
}

// naclProtocol writes a network ACL protocol as AWS lists it: "-1" or the
// protocol number. DescribeNetworkAcls always gives numbers; a name (an
// entry written by hand) is turned into its number, and anything else is
// kept for Check to refuse.
func naclProtocol(p string) string {
	switch strings.ToLower(p) {
	case "all":
		return inventory.NACLProtocolAll
	case "tcp":
		return inventory.NACLProtocolTCP
	case "udp":
		return inventory.NACLProtocolUDP
	case "icmp":
		return inventory.NACLProtocolICMP
	case "icmpv6":
		return inventory.NACLProtocolICMPv6
	}
	return p
}

// canonicalIP writes an address as netip does, or returns s unchanged for
// Check to refuse.
func canonicalIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.String()
	}
	return s
}

// normalizeLoadBalancers converts the application, network and gateway
// load balancers with their listeners. A listener forwards to the target
// groups of its default action and of its rules (ListenerRules).
func normalizeLoadBalancers(inv *inventory.Inventory, d RegionData) {
	byLB := map[string][]inventory.Listener{}
	for _, l := range d.Listeners {
		ls := inventory.Listener{
			ARN:      aws.ToString(l.ListenerArn),
			Protocol: string(l.Protocol),
			Port:     int(aws.ToInt32(l.Port)),
		}
		tgs := forwardTargets(l.DefaultActions)
		for _, r := range d.ListenerRules[ls.ARN] {
			tgs = append(tgs, forwardTargets(r.Actions)...)
		}
		if tgs = sortedSet(tgs); len(tgs) > 0 {
			ls.TargetGroupARNs = tgs
		}
		lb := aws.ToString(l.LoadBalancerArn)
		byLB[lb] = append(byLB[lb], ls)
	}
	for _, l := range d.LoadBalancers {
		lbARN := aws.ToString(l.LoadBalancerArn)
		account, region := arnAccountRegion(lbARN, d.Account.ID, d.Region)
		lb := inventory.LoadBalancer{
			ARN:              lbARN,
			Name:             aws.ToString(l.LoadBalancerName),
			AccountID:        account,
			Region:           region,
			Type:             string(l.Type),
			Scheme:           string(l.Scheme),
			VPCID:            aws.ToString(l.VpcId),
			IPAddressType:    string(l.IpAddressType),
			DNSName:          aws.ToString(l.DNSName),
			SubnetIDs:        []string{},
			SecurityGroupIDs: nonNil(sortedSet(slices.Clone(l.SecurityGroups))),
			Listeners:        nonNil(byLB[lbARN]),
		}
		for _, az := range l.AvailabilityZones {
			if s := aws.ToString(az.SubnetId); s != "" {
				lb.SubnetIDs = append(lb.SubnetIDs, s)
			}
		}
		lb.SubnetIDs = sortedSet(lb.SubnetIDs)
		slices.SortFunc(lb.Listeners, func(a, b inventory.Listener) int {
			return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.ARN, b.ARN))
		})
		inv.LoadBalancers = append(inv.LoadBalancers, lb)
	}
}

// forwardTargets are the target groups a list of actions forwards to: a
// forward action names one group, or several with weights.
func forwardTargets(actions []elbv2types.Action) []string {
	var out []string
	for _, a := range actions {
		if a.Type != elbv2types.ActionTypeEnumForward {
			continue
		}
		if tg := aws.ToString(a.TargetGroupArn); tg != "" {
			out = append(out, tg)
		}
		if a.ForwardConfig != nil {
			for _, t := range a.ForwardConfig.TargetGroups {
				if tg := aws.ToString(t.TargetGroupArn); tg != "" {
					out = append(out, tg)
				}
			}
		}
	}
	return out
}

// normalizeTargetGroups converts the target groups with their targets.
func normalizeTargetGroups(inv *inventory.Inventory, d RegionData) {
	for _, g := range d.TargetGroups {
		tgARN := aws.ToString(g.TargetGroupArn)
		account, region := arnAccountRegion(tgARN, d.Account.ID, d.Region)
		tg := inventory.TargetGroup{
			ARN:              tgARN,
			Name:             aws.ToString(g.TargetGroupName),
			AccountID:        account,
			Region:           region,
			VPCID:            aws.ToString(g.VpcId),
			Protocol:         string(g.Protocol),
			Port:             int(aws.ToInt32(g.Port)),
			TargetType:       string(g.TargetType),
			LoadBalancerARNs: nonNil(sortedSet(slices.Clone(g.LoadBalancerArns))),
			PreserveClientIP: preservesClientIP(g, d.TargetGroupAttributes[tgARN]),
			Targets:          []inventory.Target{},
		}
		for _, h := range d.TargetHealth[tgARN] {
			if h.Target == nil {
				continue
			}
			t := inventory.Target{
				ID:               aws.ToString(h.Target.Id),
				Port:             int(aws.ToInt32(h.Target.Port)),
				AvailabilityZone: aws.ToString(h.Target.AvailabilityZone),
			}
			if tg.TargetType == inventory.TargetTypeIP {
				t.ID = canonicalIP(t.ID)
			}
			if t.Port == 0 {
				t.Port = tg.Port // registered without a port: the group's
			}
			if h.TargetHealth != nil {
				t.Health = string(h.TargetHealth.State)
			}
			tg.Targets = append(tg.Targets, t)
		}
		inv.TargetGroups = append(inv.TargetGroups, tg)
	}
}

// preservesClientIPByProtocol reports whether a target group of this
// protocol belongs to a network load balancer, the only kind with the
// preserve_client_ip.enabled attribute.
func preservesClientIPByProtocol(p elbv2types.ProtocolEnum) bool {
	switch p {
	case elbv2types.ProtocolEnumTcp, elbv2types.ProtocolEnumUdp, elbv2types.ProtocolEnumTls, elbv2types.ProtocolEnumTcpUdp:
		return true
	}
	return strings.Contains(string(p), "QUIC")
}

// preservesClientIP is a target group's preserve_client_ip.enabled
// attribute, or its default when the attribute was not read: enabled for
// a network load balancer's groups, except IP targets over TCP or TLS.
// Application and gateway load balancers always hand targets their own
// address.
// https://docs.aws.amazon.com/elasticloadbalancing/latest/network/edit-target-group-attributes.html#client-ip-preservation
func preservesClientIP(g elbv2types.TargetGroup, attrs []elbv2types.TargetGroupAttribute) bool {
	if !preservesClientIPByProtocol(g.Protocol) {
		return false
	}
	for _, a := range attrs {
		if aws.ToString(a.Key) == "preserve_client_ip.enabled" {
			return aws.ToString(a.Value) == "true"
		}
	}
	return !(g.TargetType == elbv2types.TargetTypeEnumIp && (g.Protocol == elbv2types.ProtocolEnumTcp || g.Protocol == elbv2types.ProtocolEnumTls))
}

// classicLoadBalancer converts a Classic Load Balancer. Its API names no
// ARN: it gets the one IAM uses (docs/inventory.md §16).
func classicLoadBalancer(c elbtypes.LoadBalancerDescription, account, region, partition string) inventory.LoadBalancer {
	name := aws.ToString(c.LoadBalancerName)
	lb := inventory.LoadBalancer{
		ARN:              "arn:" + partition + ":elasticloadbalancing:" + region + ":" + account + ":loadbalancer/" + name,
		Name:             name,
		AccountID:        account,
		Region:           region,
		Type:             inventory.LoadBalancerClassic,
		Scheme:           aws.ToString(c.Scheme),
		VPCID:            aws.ToString(c.VPCId),
		DNSName:          aws.ToString(c.DNSName),
		SubnetIDs:        nonNil(sortedSet(slices.Clone(c.Subnets))),
		SecurityGroupIDs: nonNil(sortedSet(slices.Clone(c.SecurityGroups))),
		Listeners:        []inventory.Listener{},
	}
	for _, ld := range c.ListenerDescriptions {
		if l := ld.Listener; l != nil {
			lb.Listeners = append(lb.Listeners, inventory.Listener{
				Protocol:         strings.ToUpper(aws.ToString(l.Protocol)),
				Port:             int(l.LoadBalancerPort),
				InstanceProtocol: strings.ToUpper(aws.ToString(l.InstanceProtocol)),
				InstancePort:     int(aws.ToInt32(l.InstancePort)),
			})
		}
	}
	slices.SortFunc(lb.Listeners, func(a, b inventory.Listener) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol))
	})
	for _, i := range c.Instances {
		if id := aws.ToString(i.InstanceId); id != "" {
			lb.InstanceIDs = append(lb.InstanceIDs, id)
		}
	}
	lb.InstanceIDs = sortedSet(lb.InstanceIDs)
	return lb
}

// arnAccountRegion is the account and region an ARN names, each falling
// back to the pair's when the ARN does not parse or leaves it empty.
func arnAccountRegion(s, account, region string) (string, string) {
	if a, err := arn.Parse(s); err == nil {
		return cmp.Or(a.AccountID, account), cmp.Or(a.Region, region)
	}
	return account, region
}

// sortedSet sorts ids and drops repeats; nil stays nil.
func sortedSet(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}
