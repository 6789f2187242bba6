package collect

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const (
	albARN    = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":loadbalancer/app/web/1111"
	nlbARN    = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":loadbalancer/net/db/2222"
	goneLBARN = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":loadbalancer/app/gone/3333"
	albL80    = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener/app/web/1111/a"
	albL443   = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener/app/web/1111/b"
	albLGone  = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener/app/web/1111/c"
	nlbL5432  = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":listener/net/db/2222/d"
	tgWeb     = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":targetgroup/web/aaaa"
	tgAPI     = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":targetgroup/api/bbbb"
	tgDB      = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":targetgroup/db/cccc"
	tgDBInst  = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":targetgroup/dbinst/dddd"
	tgGone    = "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":targetgroup/gone/eeee"
)

// netPages is a region's network in three pages of every paginated
// listing (and of the listeners and rules of the web load balancer), with
// every route target, NACL entry shape, gateway state and load balancer
// kind the normaliser converts, and a load balancer, a listener and a
// target group deleted between their listing and the call about them.
func netPages() networkFake {
	route := func(dst string, r types.Route) types.Route {
		if strings.Contains(dst, ":") {
			r.DestinationIpv6CidrBlock = aws.String(dst)
		} else {
			r.DestinationCidrBlock = aws.String(dst)
		}
		return r
	}
	assoc := func(subnet string) types.RouteTableAssociation {
		return types.RouteTableAssociation{SubnetId: aws.String(subnet),
			AssociationState: &types.RouteTableAssociationState{State: types.RouteTableAssociationStateCodeAssociated}}
	}
	entry := func(n int32, egress bool, proto string, action types.RuleAction, cidr string) types.NetworkAclEntry {
		return types.NetworkAclEntry{RuleNumber: aws.Int32(n), Egress: aws.Bool(egress), Protocol: aws.String(proto), RuleAction: action, CidrBlock: aws.String(cidr)}
	}
	deny22 := entry(100, false, "6", types.RuleActionDeny, "0.0.0.0/0")
	deny22.PortRange = &types.PortRange{From: aws.Int32(22), To: aws.Int32(22)}
	icmp := entry(110, false, "1", types.RuleActionAllow, "10.0.0.0/8")
	icmp.IcmpTypeCode = &types.IcmpTypeCode{Type: aws.Int32(8), Code: aws.Int32(-1)}
	v6 := types.NetworkAclEntry{RuleNumber: aws.Int32(120), Egress: aws.Bool(false), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow,
		Ipv6CidrBlock: aws.String("::/0")}
	ephemeral := entry(100, true, "6", types.RuleActionAllow, "0.0.0.0/0")
	ephemeral.PortRange = &types.PortRange{From: aws.Int32(1024), To: aws.Int32(65535)}
	forward := func(tg string) []elbv2types.Action {
		return []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: aws.String(tg)}}
	}
	listener := func(arn, lb string, proto elbv2types.ProtocolEnum, port int32, actions []elbv2types.Action) elbv2types.Listener {
		return elbv2types.Listener{ListenerArn: aws.String(arn), LoadBalancerArn: aws.String(lb), Protocol: proto, Port: aws.Int32(port), DefaultActions: actions}
	}
	tg := func(arn, name string, proto elbv2types.ProtocolEnum, port int32, typ elbv2types.TargetTypeEnum, lbs ...string) elbv2types.TargetGroup {
		return elbv2types.TargetGroup{TargetGroupArn: aws.String(arn), TargetGroupName: aws.String(name), Protocol: proto, Port: aws.Int32(port),
			TargetType: typ, LoadBalancerArns: lbs, VpcId: aws.String("vpc-1")}
	}
	target := func(id string, port int32, state elbv2types.TargetHealthStateEnum) elbv2types.TargetHealthDescription {
		d := elbv2types.TargetHealthDescription{Target: &elbv2types.TargetDescription{Id: aws.String(id)}, TargetHealth: &elbv2types.TargetHealth{State: state}}
		if port != 0 {
			d.Target.Port = aws.Int32(port)
		}
		return d
	}
	return networkFake{
		subnetPages: [][]types.Subnet{
			{{SubnetId: aws.String("subnet-pub"), VpcId: aws.String("vpc-1"), OwnerId: aws.String(testAccount), CidrBlock: aws.String("10.0.1.0/24"),
				AvailabilityZone: aws.String("eu-west-1a"),
				Ipv6CidrBlockAssociationSet: []types.SubnetIpv6CidrBlockAssociation{
					{Ipv6CidrBlock: aws.String("2001:DB8:0:1::/64"), Ipv6CidrBlockState: &types.SubnetCidrBlockState{State: types.SubnetCidrBlockStateCodeAssociated}},
					{Ipv6CidrBlock: aws.String("2001:db8:0:9::/64"), Ipv6CidrBlockState: &types.SubnetCidrBlockState{State: types.SubnetCidrBlockStateCodeDisassociated}},
				}}},
			{{SubnetId: aws.String("subnet-priv"), VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.2.0/24")}},
			{{SubnetId: aws.String("subnet-nat"), VpcId: aws.String("vpc-1"), CidrBlock: aws.String("10.0.3.0/24")}},
		},
		rtPages: [][]types.RouteTable{
			{{RouteTableId: aws.String("rtb-main"), VpcId: aws.String("vpc-1"), OwnerId: aws.String(testAccount),
				Associations: []types.RouteTableAssociation{{Main: aws.Bool(true)}},
				Routes:       []types.Route{route("10.0.0.0/16", types.Route{GatewayId: aws.String("local"), State: types.RouteStateActive})}}},
			{{RouteTableId: aws.String("rtb-pub"), VpcId: aws.String("vpc-1"),
				Associations: []types.RouteTableAssociation{assoc("subnet-pub"),
					{SubnetId: aws.String("subnet-old"), AssociationState: &types.RouteTableAssociationState{State: types.RouteTableAssociationStateCodeDisassociated}}},
				Routes: []types.Route{
					route("10.0.0.0/16", types.Route{GatewayId: aws.String("local"), State: types.RouteStateActive}),
					route("0.0.0.0/0", types.Route{GatewayId: aws.String("igw-1"), State: types.RouteStateActive}),
					route("::/0", types.Route{GatewayId: aws.String("igw-1"), State: types.RouteStateActive}),
					route("203.0.113.0/24", types.Route{VpcPeeringConnectionId: aws.String("pcx-1"), State: types.RouteStateActive}),
					route("198.51.100.0/24", types.Route{NatGatewayId: aws.String("nat-gone"), State: types.RouteStateBlackhole}),
					route("192.0.2.0/24", types.Route{InstanceId: aws.String("i-fw"), NetworkInterfaceId: aws.String("eni-fw"), State: types.RouteStateActive}),
					{DestinationPrefixListId: aws.String("pl-00000001"), TransitGatewayId: aws.String("tgw-1"), State: types.RouteStateActive},
					route("100.64.0.0/10", types.Route{CarrierGatewayId: aws.String("cagw-1")}),
					route("100.128.0.0/9", types.Route{}),
				}}},
			{{RouteTableId: aws.String("rtb-nat"), VpcId: aws.String("vpc-1"), Associations: []types.RouteTableAssociation{assoc("subnet-nat")},
				Routes: []types.Route{
					route("0.0.0.0/0", types.Route{NatGatewayId: aws.String("nat-1"), State: types.RouteStateActive}),
					route("::/0", types.Route{EgressOnlyInternetGatewayId: aws.String("eigw-1"), State: types.RouteStateActive}),
				}}},
		},
		aclPages: [][]types.NetworkAcl{
			{{NetworkAclId: aws.String("acl-default"), VpcId: aws.String("vpc-1"), IsDefault: aws.Bool(true), OwnerId: aws.String(testAccount),
				Associations: []types.NetworkAclAssociation{{SubnetId: aws.String("subnet-priv")}, {SubnetId: aws.String("subnet-nat")}},
				Entries: []types.NetworkAclEntry{entry(100, false, "-1", types.RuleActionAllow, "0.0.0.0/0"),
					entry(32767, false, "-1", types.RuleActionDeny, "0.0.0.0/0")}}},
			{},
			{{NetworkAclId: aws.String("acl-pub"), VpcId: aws.String("vpc-1"),
				Associations: []types.NetworkAclAssociation{{SubnetId: aws.String("subnet-pub")}},
				Entries:      []types.NetworkAclEntry{deny22, icmp, v6, ephemeral}}},
		},
		igwPages: [][]types.InternetGateway{
			{{InternetGatewayId: aws.String("igw-1"), OwnerId: aws.String(testAccount),
				Attachments: []types.InternetGatewayAttachment{{VpcId: aws.String("vpc-1"), State: "available"}}}},
			{},
			{{InternetGatewayId: aws.String("igw-2"), Attachments: []types.InternetGatewayAttachment{{VpcId: aws.String("vpc-2"), State: types.AttachmentStatusDetached}}}},
		},
		eigwPages: [][]types.EgressOnlyInternetGateway{
			{{EgressOnlyInternetGatewayId: aws.String("eigw-1"), Attachments: []types.InternetGatewayAttachment{{VpcId: aws.String("vpc-1"), State: types.AttachmentStatusAttached}}}},
			{}, {},
		},
		addresses: []types.Address{
			{AllocationId: aws.String("eipalloc-1"), PublicIp: aws.String("203.0.113.10"), NetworkInterfaceId: aws.String("eni-1"),
				PrivateIpAddress: aws.String("10.0.1.10"), InstanceId: aws.String("i-1"), Domain: types.DomainTypeVpc},
			{AllocationId: aws.String("eipalloc-2"), PublicIp: aws.String("203.0.113.11"), Domain: types.DomainTypeVpc},
			{AllocationId: aws.String("eipalloc-3"), CarrierIp: aws.String("155.146.0.1")}, // a Wavelength carrier address only
		},
		lbPages: [][]elbv2types.LoadBalancer{
			{{LoadBalancerArn: aws.String(albARN), LoadBalancerName: aws.String("web"), Type: elbv2types.LoadBalancerTypeEnumApplication,
				Scheme: elbv2types.LoadBalancerSchemeEnumInternetFacing, VpcId: aws.String("vpc-1"), IpAddressType: elbv2types.IpAddressTypeDualstack,
				DNSName: aws.String("web-1.eu-west-1.elb.amazonaws.com"), SecurityGroups: []string{"sg-2", "sg-1"},
				AvailabilityZones: []elbv2types.AvailabilityZone{{SubnetId: aws.String("subnet-pub")}, {SubnetId: aws.String("subnet-priv")}}}},
			{{LoadBalancerArn: aws.String(nlbARN), LoadBalancerName: aws.String("db"), Type: elbv2types.LoadBalancerTypeEnumNetwork,
				Scheme: elbv2types.LoadBalancerSchemeEnumInternal, VpcId: aws.String("vpc-1"),
				AvailabilityZones: []elbv2types.AvailabilityZone{{SubnetId: aws.String("subnet-priv")}}}},
			{{LoadBalancerArn: aws.String(goneLBARN), LoadBalancerName: aws.String("gone"), Type: elbv2types.LoadBalancerTypeEnumApplication,
				Scheme: elbv2types.LoadBalancerSchemeEnumInternal}},
		},
		listenerPages: map[string][][]elbv2types.Listener{
			albARN: {
				{listener(albL80, albARN, elbv2types.ProtocolEnumHttp, 80, []elbv2types.Action{{Type: elbv2types.ActionTypeEnumRedirect}})},
				{listener(albL443, albARN, elbv2types.ProtocolEnumHttps, 443, []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward,
					ForwardConfig: &elbv2types.ForwardActionConfig{TargetGroups: []elbv2types.TargetGroupTuple{{TargetGroupArn: aws.String(tgWeb)}}}}})},
				{listener(albLGone, albARN, elbv2types.ProtocolEnumHttp, 8080, forward(tgWeb))},
			},
			nlbARN: {{listener(nlbL5432, nlbARN, elbv2types.ProtocolEnumTcp, 5432, forward(tgDB))}},
		},
		rulePages: map[string][][]elbv2types.Rule{
			albL80: {{}},
			albL443: {
				{{RuleArn: aws.String("rule-1"), Actions: forward(tgAPI)}},
				{{RuleArn: aws.String("rule-2"), Actions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumFixedResponse}}}},
				{{RuleArn: aws.String("rule-default"), IsDefault: aws.Bool(true), Actions: forward(tgWeb)}},
			},
			// albLGone: deleted after its load balancer's listing
		},
		tgPages: [][]elbv2types.TargetGroup{
			{tg(tgWeb, "web", elbv2types.ProtocolEnumHttp, 8080, elbv2types.TargetTypeEnumInstance, albARN),
				tg(tgAPI, "api", elbv2types.ProtocolEnumHttp, 9000, elbv2types.TargetTypeEnumIp, albARN)},
			{tg(tgDB, "db", elbv2types.ProtocolEnumTcp, 5432, elbv2types.TargetTypeEnumIp, nlbARN),
				tg(tgDBInst, "dbinst", elbv2types.ProtocolEnumTcp, 5432, elbv2types.TargetTypeEnumInstance)},
			{tg(tgGone, "gone", elbv2types.ProtocolEnumUdp, 53, elbv2types.TargetTypeEnumInstance)},
		},
		health: map[string][]elbv2types.TargetHealthDescription{
			tgWeb:    {target("i-2", 8080, elbv2types.TargetHealthStateEnumHealthy), target("i-1", 0, elbv2types.TargetHealthStateEnumUnhealthy)},
			tgAPI:    {target("10.0.2.20", 9000, elbv2types.TargetHealthStateEnumHealthy)},
			tgDB:     {target("10.0.2.30", 5432, elbv2types.TargetHealthStateEnumHealthy)},
			tgDBInst: {},
			// tgGone: deleted after the listing
		},
		attrs: map[string][]elbv2types.TargetGroupAttribute{
			tgDB:     {{Key: aws.String("preserve_client_ip.enabled"), Value: aws.String("true")}},
			tgDBInst: {{Key: aws.String("deregistration_delay.timeout_seconds"), Value: aws.String("300")}},
		},
		classicPages: [][]elbtypes.LoadBalancerDescription{
			{{LoadBalancerName: aws.String("legacy"), Scheme: aws.String("internet-facing"), VPCId: aws.String("vpc-1"),
				DNSName: aws.String("legacy-1.eu-west-1.elb.amazonaws.com"), Subnets: []string{"subnet-pub"}, SecurityGroups: []string{"sg-1"},
				ListenerDescriptions: []elbtypes.ListenerDescription{
					{Listener: &elbtypes.Listener{Protocol: aws.String("tcp"), LoadBalancerPort: 443, InstanceProtocol: aws.String("tcp"), InstancePort: aws.Int32(8443)}},
					{Listener: &elbtypes.Listener{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstanceProtocol: aws.String("HTTP"), InstancePort: aws.Int32(8080)}},
				},
				Instances: []elbtypes.Instance{{InstanceId: aws.String("i-2")}, {InstanceId: aws.String("i-1")}}}},
			{},
			{{LoadBalancerName: aws.String("old-internal"), Scheme: aws.String("internal")}},
		},
	}
}

// wantNetwork is what netPages normalises to.
func wantNetwork() *inventory.Inventory {
	const region = "eu-west-1"
	inv := &inventory.Inventory{
		Subnets: []inventory.Subnet{
			{ID: "subnet-nat", AccountID: testAccount, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.3.0/24"},
				RouteTableID: "rtb-nat", NetworkACLID: "acl-default"},
			{ID: "subnet-priv", AccountID: testAccount, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.2.0/24"},
				NetworkACLID: "acl-default"}, // the main route table
			{ID: "subnet-pub", AccountID: testAccount, Region: region, VPCID: "vpc-1", AvailabilityZone: "eu-west-1a",
				CIDRs: []string{"10.0.1.0/24", "2001:db8:0:1::/64"}, RouteTableID: "rtb-pub", NetworkACLID: "acl-pub"},
		},
		RouteTables: []inventory.RouteTable{
			{ID: "rtb-main", AccountID: testAccount, Region: region, VPCID: "vpc-1", Main: true, SubnetIDs: []string{},
				Routes: []inventory.Route{{Destination: "10.0.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive}}},
			{ID: "rtb-nat", AccountID: testAccount, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-nat"},
				Routes: []inventory.Route{
					{Destination: "0.0.0.0/0", TargetKind: inventory.RouteNATGateway, TargetID: "nat-1", State: inventory.RouteActive},
					{Destination: "::/0", TargetKind: inventory.RouteEgressOnlyGateway, TargetID: "eigw-1", State: inventory.RouteActive},
				}},
			{ID: "rtb-pub", AccountID: testAccount, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-pub"},
				Routes: []inventory.Route{
					{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive},
					{Destination: "10.0.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive},
					{Destination: "100.128.0.0/9", TargetKind: inventory.RouteBlackhole, State: inventory.RouteActive},
					{Destination: "100.64.0.0/10", TargetKind: inventory.RouteOther, TargetID: "cagw-1", State: inventory.RouteActive},
					{Destination: "192.0.2.0/24", TargetKind: inventory.RouteNetworkInterface, TargetID: "eni-fw", State: inventory.RouteActive},
					{Destination: "198.51.100.0/24", TargetKind: inventory.RouteNATGateway, TargetID: "nat-gone", State: inventory.RouteStateBlackhole},
					{Destination: "203.0.113.0/24", TargetKind: inventory.RoutePeering, TargetID: "pcx-1", State: inventory.RouteActive},
					{Destination: "::/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive},
					{PrefixListID: "pl-00000001", TargetKind: inventory.RouteTransitGateway, TargetID: "tgw-1", State: inventory.RouteActive},
				}},
		},
		NetworkACLs: []inventory.NetworkACL{
			{ID: "acl-default", AccountID: testAccount, Region: region, VPCID: "vpc-1", IsDefault: true, SubnetIDs: []string{"subnet-nat", "subnet-priv"},
				Entries: []inventory.NACLEntry{
					{RuleNumber: 100, Protocol: "-1", Action: inventory.NACLAllow, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
					{RuleNumber: 32767, Protocol: "-1", Action: inventory.NACLDeny, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
				}},
			{ID: "acl-pub", AccountID: testAccount, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-pub"},
				Entries: []inventory.NACLEntry{
					{RuleNumber: 100, Protocol: "6", Action: inventory.NACLDeny, CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, ICMPType: -1, ICMPCode: -1},
					{RuleNumber: 110, Protocol: "1", Action: inventory.NACLAllow, CIDR: "10.0.0.0/8", FromPort: -1, ToPort: -1, ICMPType: 8, ICMPCode: -1},
					{RuleNumber: 120, Protocol: "-1", Action: inventory.NACLAllow, CIDR: "::/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1},
					{RuleNumber: 100, Egress: true, Protocol: "6", Action: inventory.NACLAllow, CIDR: "0.0.0.0/0", FromPort: 1024, ToPort: 65535, ICMPType: -1, ICMPCode: -1},
				}},
		},
		InternetGateways: []inventory.InternetGateway{
			{ID: "igw-1", AccountID: testAccount, Region: region, VPCIDs: []string{"vpc-1"}},
			{ID: "igw-2", AccountID: testAccount, Region: region, VPCIDs: []string{}}, // detached
		},
		EgressOnlyInternetGateways: []inventory.InternetGateway{{ID: "eigw-1", AccountID: testAccount, Region: region, VPCIDs: []string{"vpc-1"}}},
		Addresses: []inventory.Address{
			{AllocationID: "eipalloc-1", AccountID: testAccount, Region: region, PublicIP: "203.0.113.10", NetworkInterfaceID: "eni-1",
				PrivateIP: "10.0.1.10", InstanceID: "i-1"},
			{AllocationID: "eipalloc-2", AccountID: testAccount, Region: region, PublicIP: "203.0.113.11"},
		},
		LoadBalancers: []inventory.LoadBalancer{
			{ARN: albARN, Name: "web", AccountID: testAccount, Region: region, Type: "application", Scheme: "internet-facing", VPCID: "vpc-1",
				IPAddressType: "dualstack", DNSName: "web-1.eu-west-1.elb.amazonaws.com",
				SubnetIDs: []string{"subnet-priv", "subnet-pub"}, SecurityGroupIDs: []string{"sg-1", "sg-2"},
				Listeners: []inventory.Listener{
					{ARN: albL80, Protocol: "HTTP", Port: 80}, // a redirect: forwards to no group
					{ARN: albL443, Protocol: "HTTPS", Port: 443, TargetGroupARNs: []string{tgAPI, tgWeb}},
					{ARN: albLGone, Protocol: "HTTP", Port: 8080, TargetGroupARNs: []string{tgWeb}},
				}},
			// The one deleted after the listing: listed, without listeners.
			{ARN: goneLBARN, Name: "gone", AccountID: testAccount, Region: region, Type: "application", Scheme: "internal",
				SubnetIDs: []string{}, SecurityGroupIDs: []string{}, Listeners: []inventory.Listener{}},
			{ARN: nlbARN, Name: "db", AccountID: testAccount, Region: region, Type: "network", Scheme: "internal", VPCID: "vpc-1",
				SubnetIDs: []string{"subnet-priv"}, SecurityGroupIDs: []string{},
				Listeners: []inventory.Listener{{ARN: nlbL5432, Protocol: "TCP", Port: 5432, TargetGroupARNs: []string{tgDB}}}},
			{ARN: "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":loadbalancer/legacy", Name: "legacy", AccountID: testAccount, Region: region,
				Type: "classic", Scheme: "internet-facing", VPCID: "vpc-1", DNSName: "legacy-1.eu-west-1.elb.amazonaws.com",
				SubnetIDs: []string{"subnet-pub"}, SecurityGroupIDs: []string{"sg-1"},
				Listeners: []inventory.Listener{
					{Protocol: "HTTP", Port: 80, InstanceProtocol: "HTTP", InstancePort: 8080},
					{Protocol: "TCP", Port: 443, InstanceProtocol: "TCP", InstancePort: 8443},
				},
				InstanceIDs: []string{"i-1", "i-2"}},
			{ARN: "arn:aws:elasticloadbalancing:eu-west-1:" + testAccount + ":loadbalancer/old-internal", Name: "old-internal", AccountID: testAccount,
				Region: region, Type: "classic", Scheme: "internal", SubnetIDs: []string{}, SecurityGroupIDs: []string{}, Listeners: []inventory.Listener{}},
		},
		TargetGroups: []inventory.TargetGroup{
			{ARN: tgAPI, Name: "api", AccountID: testAccount, Region: region, VPCID: "vpc-1", Protocol: "HTTP", Port: 9000, TargetType: "ip",
				LoadBalancerARNs: []string{albARN}, Targets: []inventory.Target{{ID: "10.0.2.20", Port: 9000, Health: "healthy"}}},
			// Attribute read: preserves the client's address.
			{ARN: tgDB, Name: "db", AccountID: testAccount, Region: region, VPCID: "vpc-1", Protocol: "TCP", Port: 5432, TargetType: "ip",
				LoadBalancerARNs: []string{nlbARN}, PreserveClientIP: true, Targets: []inventory.Target{{ID: "10.0.2.30", Port: 5432, Health: "healthy"}}},
			// No such attribute: the default of instance targets.
			{ARN: tgDBInst, Name: "dbinst", AccountID: testAccount, Region: region, VPCID: "vpc-1", Protocol: "TCP", Port: 5432, TargetType: "instance",
				LoadBalancerARNs: []string{}, PreserveClientIP: true, Targets: []inventory.Target{}},
			// Deleted after the listing: listed, without targets.
			{ARN: tgGone, Name: "gone", AccountID: testAccount, Region: region, VPCID: "vpc-1", Protocol: "UDP", Port: 53, TargetType: "instance",
				LoadBalancerARNs: []string{}, PreserveClientIP: true, Targets: []inventory.Target{}},
			{ARN: tgWeb, Name: "web", AccountID: testAccount, Region: region, VPCID: "vpc-1", Protocol: "HTTP", Port: 8080, TargetType: "instance",
				LoadBalancerARNs: []string{albARN}, Targets: []inventory.Target{
					{ID: "i-1", Port: 8080, Health: "unhealthy"}, // registered without a port: the group's
					{ID: "i-2", Port: 8080, Health: "healthy"},
				}},
		},
	}
	inv.Sort() // the canonical order is Sort's to decide
	return inv
}

// networkOf is the network model of inv, for comparison.
func networkOf(inv *inventory.Inventory) *inventory.Inventory {
	return &inventory.Inventory{
		Subnets: inv.Subnets, RouteTables: inv.RouteTables, NetworkACLs: inv.NetworkACLs, InternetGateways: inv.InternetGateways,
		EgressOnlyInternetGateways: inv.EgressOnlyInternetGateways, Addresses: inv.Addresses, LoadBalancers: inv.LoadBalancers,
		TargetGroups: inv.TargetGroups,
	}
}

// TestCollectNetwork: every page of every network listing, the listeners
// and rules of every load balancer and the targets and attributes of
// every target group are read and normalised exactly, the result passes
// the inventory's checks, and a load balancer, listener or target group
// deleted during the scan is not a failure.
func TestCollectNetwork(t *testing.T) {
	d := simpleRegion("1")
	d.net = netPages()
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if diff := cmp.Diff(wantNetwork(), networkOf(inv)); diff != "" {
		t.Errorf("network (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string(allKinds()), inv.Coverage[0].Collected); diff != "" || inv.Coverage[0].Status != inventory.CoverageOK {
		t.Errorf("coverage %+v (-want +got collected):\n%s", inv.Coverage[0], diff)
	}
	if err := inv.Check(); err != nil {
		t.Errorf("the collected network fails the inventory's checks: %v", err)
	}

	// Calls: one listing per API, every page; listeners per load balancer,
	// rules per listener of an application load balancer, targets per
	// target group, attributes per group of a network load balancer's
	// protocol.
	args := func(op string) []string {
		var out []string
		for _, c := range cloud.callsTo("eu-west-1", op) {
			out = append(out, c.Arg+" "+c.NextToken)
		}
		slices.Sort(out)
		return out
	}
	want := map[string][]string{
		"DescribeSubnets":                    {" ", " page-1", " page-2"},
		"DescribeRouteTables":                {" ", " page-1", " page-2"},
		"DescribeNetworkAcls":                {" ", " page-1", " page-2"},
		"DescribeInternetGateways":           {" ", " page-1", " page-2"},
		"DescribeEgressOnlyInternetGateways": {" ", " page-1", " page-2"},
		"DescribeAddresses":                  {" "},
		opLoadBalancers:                      {" ", " page-1", " page-2"},
		opListeners:                          {albARN + " ", albARN + " page-1", albARN + " page-2", goneLBARN + " ", nlbARN + " "},
		opRules:                              {albL443 + " ", albL443 + " page-1", albL443 + " page-2", albL80 + " ", albLGone + " "},
		opTargetGroups:                       {" ", " page-1", " page-2"},
		opTargetHealth:                       {tgAPI + " ", tgDB + " ", tgDBInst + " ", tgGone + " ", tgWeb + " "},
		opTargetGroupAttributes:              {tgDB + " ", tgDBInst + " ", tgGone + " "},
		opClassicLoadBalancers:               {" ", " page-1", " page-2"},
	}
	for op, w := range want {
		slices.Sort(w)
		if diff := cmp.Diff(w, args(op)); diff != "" {
			t.Errorf("%s calls (-want +got):\n%s", op, diff)
		}
	}
	sizes := map[string]int32{"DescribeSubnets": 1000, "DescribeRouteTables": 100, "DescribeNetworkAcls": 100, "DescribeInternetGateways": 1000,
		"DescribeEgressOnlyInternetGateways": 255, opLoadBalancers: 400, opListeners: 400, opRules: 400, opTargetGroups: 400, opClassicLoadBalancers: 400}
	for op, size := range sizes {
		for _, c := range cloud.callsTo("eu-west-1", op) {
			if c.MaxResults != size {
				t.Errorf("%s asked for pages of %d, want %d (the most it accepts)", op, c.MaxResults, size)
			}
		}
	}
}

// TestCollectNetworkFailures: a denied or failing network call drops its
// kind only (never half of it), leaves the groups and the other kinds,
// and makes the pair denied or error with the call named.
func TestCollectNetworkFailures(t *testing.T) {
	tests := []struct {
		op, kind string
		err      error
		status   inventory.CoverageStatus
	}{
		{"DescribeSubnets", inventory.KindSubnets, apiError("UnauthorizedOperation"), inventory.CoverageDenied},
		{"DescribeRouteTables", inventory.KindRouteTables, apiError("UnauthorizedOperation"), inventory.CoverageDenied},
		{"DescribeNetworkAcls", inventory.KindNetworkACLs, apiError("RequestLimitExceeded"), inventory.CoverageError},
		{"DescribeInternetGateways", inventory.KindInternetGateways, apiError("UnauthorizedOperation"), inventory.CoverageDenied},
		{"DescribeEgressOnlyInternetGateways", inventory.KindEgressOnlyInternetGateways, apiError("UnauthorizedOperation"), inventory.CoverageDenied},
		{"DescribeAddresses", inventory.KindAddresses, apiError("UnauthorizedOperation"), inventory.CoverageDenied},
		{opLoadBalancers, inventory.KindLoadBalancers, apiError("AccessDenied"), inventory.CoverageDenied},
		{opListeners, inventory.KindLoadBalancers, apiError("AccessDenied"), inventory.CoverageDenied},
		{opRules, inventory.KindLoadBalancers, apiError("Throttling"), inventory.CoverageError},
		{opTargetGroups, inventory.KindTargetGroups, apiError("AccessDenied"), inventory.CoverageDenied},
		{opTargetHealth, inventory.KindTargetGroups, apiError("AccessDenied"), inventory.CoverageDenied},
		{opTargetGroupAttributes, inventory.KindTargetGroups, noAWSCode(), inventory.CoverageError},
		{opClassicLoadBalancers, inventory.KindClassicLoadBalancers, apiError("AccessDenied"), inventory.CoverageDenied},
	}
	full := wantNetwork()
	for _, tt := range tests {
		t.Run(tt.op, func(t *testing.T) {
			t.Parallel()
			d := simpleRegion("1")
			d.net = netPages()
			d.errs = map[string]error{tt.op: tt.err}
			cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
			inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			row := inv.Coverage[0]
			got := []any{row.Status, row.FailedAPI, row.Collected, row.SecurityGroups}
			want := []any{tt.status, tt.op, allKinds(tt.kind), 1}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[status, failed api, collected, groups] (-want +got):\n%s", diff)
			}
			// Exactly the failed kind is gone.
			wantNet := withoutKind(full, tt.kind)
			if diff := cmp.Diff(wantNet, networkOf(inv)); diff != "" {
				t.Errorf("network (-want +got):\n%s", diff)
			}
		})
	}
}

// withoutKind is a copy of the network model of inv without what kind
// holds.
func withoutKind(inv *inventory.Inventory, kind string) *inventory.Inventory {
	out := networkOf(inv)
	switch kind {
	case inventory.KindSubnets:
		out.Subnets = nil
	case inventory.KindRouteTables:
		out.RouteTables = nil
		// Without route tables no subnet's association is known.
		out.Subnets = slices.Clone(out.Subnets)
		for i := range out.Subnets {
			out.Subnets[i].RouteTableID = ""
		}
	case inventory.KindNetworkACLs:
		out.NetworkACLs = nil
		out.Subnets = slices.Clone(out.Subnets)
		for i := range out.Subnets {
			out.Subnets[i].NetworkACLID = ""
		}
	case inventory.KindInternetGateways:
		out.InternetGateways = nil
	case inventory.KindEgressOnlyInternetGateways:
		out.EgressOnlyInternetGateways = nil
	case inventory.KindAddresses:
		out.Addresses = nil
	case inventory.KindLoadBalancers, inventory.KindClassicLoadBalancers:
		classic := kind == inventory.KindClassicLoadBalancers
		var keep []inventory.LoadBalancer
		for _, lb := range out.LoadBalancers {
			if (lb.Type == inventory.LoadBalancerClassic) != classic {
				keep = append(keep, lb)
			}
		}
		out.LoadBalancers = keep
	case inventory.KindTargetGroups:
		out.TargetGroups = nil
	}
	return out
}
