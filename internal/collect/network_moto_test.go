package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sgaudit/sgaudit/internal/moto"
)

// netWorld holds the ids seedNetwork created.
type netWorld struct {
	region, vpc, igw, eigw, nat, natEIP   string
	public, public2, private, natOnly     string // subnets
	deny22, noEphemeral, v6               string // subnets
	rtMain, rtPublic, rtNAT, rtV6         string
	aclDefault, aclDeny22, aclNoEphemeral string
	eipAlloc, eip, eipENI                 string
	web, webENI, webIP                    string // instance in public, with the Elastic IP
	app, appENI, appIP                    string // instance in private: ALB and NLB target
	db, dbENI, dbIP                       string // interface in private: NLB IP target
	job, jobENI                           string // instance in the NAT-only subnet: internal ALB target
	sgWeb, sgALB, sgApp                   string
	alb, albDNS, albListener, albTG       string
	nlb, nlbListener, nlbInstTG, nlbIPTG  string
	nlbListener2                          string
	internal, internalListener, intTG     string
	classic, classicDNS                   string
	v6CIDR, v6SubnetCIDR                  string
}

// seedNetwork builds, through the SDK, one VPC with every component of
// the reachability model (docs/inventory.md §16): a public subnet (route
// to the internet gateway), a private one (the main table, local only), a
// NAT-only one, a public subnet whose NACL denies 22 before allowing all,
// one whose NACL lets no reply out to ephemeral ports, an IPv6 subnet
// whose ::/0 goes to an egress-only gateway, an Elastic IP on an
// instance, an internet-facing ALB (instance target) and NLB (instance and
// IP targets), an internal ALB, and a Classic Load Balancer.
func seedNetwork(t *testing.T, ctx context.Context, s *moto.Server, region string) netWorld {
	t.Helper()
	cfg := s.Config(ctx, region)
	c := ec2.NewFromConfig(cfg)
	lb := elbv2.NewFromConfig(cfg)
	classic := elb.NewFromConfig(cfg)
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %s: %v", region, what, err)
		}
	}
	w := netWorld{region: region}
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16"), AmazonProvidedIpv6CidrBlock: aws.Bool(true)})
	must(err, "create VPC")
	w.vpc = *vpc.Vpc.VpcId
	if len(vpc.Vpc.Ipv6CidrBlockAssociationSet) > 0 {
		w.v6CIDR = aws.ToString(vpc.Vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock)
	}
	igw, err := c.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	must(err, "create internet gateway")
	w.igw = *igw.InternetGateway.InternetGatewayId
	_, err = c.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: &w.igw, VpcId: &w.vpc})
	must(err, "attach internet gateway")
	eigw, err := c.CreateEgressOnlyInternetGateway(ctx, &ec2.CreateEgressOnlyInternetGatewayInput{VpcId: &w.vpc})
	must(err, "create egress-only gateway")
	w.eigw = *eigw.EgressOnlyInternetGateway.EgressOnlyInternetGatewayId

	subnet := func(cidr, az string) string {
		out, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &w.vpc, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(region + az)})
		must(err, "create subnet "+cidr)
		return *out.Subnet.SubnetId
	}
	w.public = subnet("10.20.1.0/24", "a")
	w.public2 = subnet("10.20.7.0/24", "b")
	w.private = subnet("10.20.2.0/24", "a")
	w.natOnly = subnet("10.20.3.0/24", "b")
	w.deny22 = subnet("10.20.4.0/24", "a")
	w.noEphemeral = subnet("10.20.5.0/24", "a")
	w.v6SubnetCIDR = v6Subnet(w.v6CIDR)
	v6, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: &w.vpc, CidrBlock: aws.String("10.20.6.0/24"),
		Ipv6CidrBlock: aws.String(w.v6SubnetCIDR), AvailabilityZone: aws.String(region + "a")})
	must(err, "create IPv6 subnet")
	w.v6 = *v6.Subnet.SubnetId

	tables, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{w.vpc}}, {Name: aws.String("association.main"), Values: []string{"true"}}}})
	must(err, "find the main route table")
	w.rtMain = *tables.RouteTables[0].RouteTableId
	table := func(subnets ...string) string {
		out, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: &w.vpc})
		must(err, "create route table")
		for _, s := range subnets {
			_, err := c.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: out.RouteTable.RouteTableId, SubnetId: aws.String(s)})
			must(err, "associate route table with "+s)
		}
		return *out.RouteTable.RouteTableId
	}
	w.rtPublic = table(w.public, w.public2, w.deny22, w.noEphemeral)
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &w.rtPublic, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: &w.igw})
	must(err, "route to the internet gateway")
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &w.rtPublic, DestinationIpv6CidrBlock: aws.String("::/0"), GatewayId: &w.igw})
	must(err, "IPv6 route to the internet gateway")

	natAddr, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must(err, "allocate the NAT gateway's address")
	w.natEIP = *natAddr.AllocationId
	nat, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: &w.public, AllocationId: natAddr.AllocationId})
	must(err, "create NAT gateway")
	w.nat = *nat.NatGateway.NatGatewayId
	w.rtNAT = table(w.natOnly)
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &w.rtNAT, DestinationCidrBlock: aws.String("0.0.0.0/0"), NatGatewayId: &w.nat})
	must(err, "route to the NAT gateway")
	w.rtV6 = table(w.v6)
	_, err = c.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: &w.rtV6, DestinationIpv6CidrBlock: aws.String("::/0"), EgressOnlyInternetGatewayId: &w.eigw})
	must(err, "IPv6 route to the egress-only gateway")

	acls, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{w.vpc}}, {Name: aws.String("default"), Values: []string{"true"}}}})
	must(err, "find the default network ACL")
	w.aclDefault = *acls.NetworkAcls[0].NetworkAclId
	acl := func(subnet string, entries ...ec2.CreateNetworkAclEntryInput) string {
		out, err := c.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: &w.vpc})
		must(err, "create network ACL")
		id := *out.NetworkAcl.NetworkAclId
		for _, e := range entries {
			e.NetworkAclId = &id
			_, err := c.CreateNetworkAclEntry(ctx, &e)
			must(err, "create network ACL entry")
		}
		// The subnet's current association (the default ACL's) is replaced.
		cur, err := c.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
			{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
		must(err, "find the network ACL of "+subnet)
		for _, a := range cur.NetworkAcls[0].Associations {
			if aws.ToString(a.SubnetId) == subnet {
				_, err := c.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: a.NetworkAclAssociationId, NetworkAclId: &id})
				must(err, "associate network ACL with "+subnet)
			}
		}
		return id
	}
	entry := func(n int32, egress bool, proto string, from, to int32, action types.RuleAction) ec2.CreateNetworkAclEntryInput {
		e := ec2.CreateNetworkAclEntryInput{RuleNumber: aws.Int32(n), Egress: aws.Bool(egress), Protocol: aws.String(proto),
			CidrBlock: aws.String("0.0.0.0/0"), RuleAction: action}
		if proto != "-1" {
			e.PortRange = &types.PortRange{From: aws.Int32(from), To: aws.Int32(to)}
		}
		return e
	}
	w.aclDeny22 = acl(w.deny22,
		entry(100, false, "6", 22, 22, types.RuleActionDeny),
		entry(200, false, "-1", 0, 0, types.RuleActionAllow),
		entry(100, true, "-1", 0, 0, types.RuleActionAllow))
	w.aclNoEphemeral = acl(w.noEphemeral,
		entry(100, false, "-1", 0, 0, types.RuleActionAllow),
		entry(100, true, "6", 80, 443, types.RuleActionAllow))

	group := func(name string, perms ...types.IpPermission) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: &w.vpc})
		must(err, "create group "+name)
		if len(perms) > 0 {
			_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: perms})
			must(err, "authorize ingress on "+name)
		}
		return *g.GroupId
	}
	world := func(port int32) types.IpPermission {
		return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}
	}
	w.sgWeb = group("net-web", world(22), world(443))
	w.sgALB = group("net-alb", world(80))
	w.sgApp = group("net-app", world(8080), world(5432), world(22))

	instance := func(subnet, group string) (id, eni, ip string) {
		run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			InstanceType: types.InstanceTypeT3Micro, SubnetId: aws.String(subnet), SecurityGroupIds: []string{group}})
		must(err, "run instance in "+subnet)
		i := run.Instances[0]
		return *i.InstanceId, *i.NetworkInterfaces[0].NetworkInterfaceId, aws.ToString(i.PrivateIpAddress)
	}
	w.web, w.webENI, w.webIP = instance(w.public, w.sgWeb)
	w.app, w.appENI, w.appIP = instance(w.private, w.sgApp)
	w.job, w.jobENI, _ = instance(w.natOnly, w.sgApp)
	dbENI, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &w.private, Groups: []string{w.sgApp}, Description: aws.String("db")})
	must(err, "create the db interface")
	w.dbENI, w.dbIP = *dbENI.NetworkInterface.NetworkInterfaceId, aws.ToString(dbENI.NetworkInterface.PrivateIpAddress)

	addr, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must(err, "allocate address")
	w.eipAlloc, w.eip, w.eipENI = *addr.AllocationId, *addr.PublicIp, w.webENI
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: &w.webENI})
	must(err, "associate address")

	newLB := func(name string, typ elbv2types.LoadBalancerTypeEnum, scheme elbv2types.LoadBalancerSchemeEnum, groups []string, subnets ...string) (arn, dns string) {
		out, err := lb.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(name), Type: typ, Scheme: scheme,
			SecurityGroups: groups, Subnets: subnets})
		must(err, "create load balancer "+name)
		return *out.LoadBalancers[0].LoadBalancerArn, aws.ToString(out.LoadBalancers[0].DNSName)
	}
	newTG := func(name string, proto elbv2types.ProtocolEnum, port int32, typ elbv2types.TargetTypeEnum, targets ...elbv2types.TargetDescription) string {
		out, err := lb.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{Name: aws.String(name), Protocol: proto, Port: aws.Int32(port),
			VpcId: &w.vpc, TargetType: typ})
		must(err, "create target group "+name)
		arn := *out.TargetGroups[0].TargetGroupArn
		_, err = lb.RegisterTargets(ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: &arn, Targets: targets})
		must(err, "register targets of "+name)
		return arn
	}
	listen := func(lbARN string, proto elbv2types.ProtocolEnum, port int32, tg string) string {
		out, err := lb.CreateListener(ctx, &elbv2.CreateListenerInput{LoadBalancerArn: &lbARN, Protocol: proto, Port: aws.Int32(port),
			DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: &tg}}})
		must(err, "create listener")
		return *out.Listeners[0].ListenerArn
	}
	target := func(id string, port int32) elbv2types.TargetDescription {
		return elbv2types.TargetDescription{Id: aws.String(id), Port: aws.Int32(port)}
	}
	w.alb, w.albDNS = newLB("net-alb", elbv2types.LoadBalancerTypeEnumApplication, elbv2types.LoadBalancerSchemeEnumInternetFacing,
		[]string{w.sgALB}, w.public, w.public2)
	w.albTG = newTG("alb-app", elbv2types.ProtocolEnumHttp, 8080, elbv2types.TargetTypeEnumInstance, target(w.app, 8080))
	w.albListener = listen(w.alb, elbv2types.ProtocolEnumHttp, 80, w.albTG)

	w.nlb, _ = newLB("net-nlb", elbv2types.LoadBalancerTypeEnumNetwork, elbv2types.LoadBalancerSchemeEnumInternetFacing, nil, w.public)
	w.nlbIPTG = newTG("nlb-db", elbv2types.ProtocolEnumTcp, 5432, elbv2types.TargetTypeEnumIp, target(w.dbIP, 5432))
	w.nlbInstTG = newTG("nlb-ssh", elbv2types.ProtocolEnumTcp, 22, elbv2types.TargetTypeEnumInstance, target(w.app, 22))
	w.nlbListener = listen(w.nlb, elbv2types.ProtocolEnumTcp, 5432, w.nlbIPTG)
	w.nlbListener2 = listen(w.nlb, elbv2types.ProtocolEnumTcp, 2222, w.nlbInstTG)

	w.internal, _ = newLB("net-internal", elbv2types.LoadBalancerTypeEnumApplication, elbv2types.LoadBalancerSchemeEnumInternal,
		[]string{w.sgALB}, w.private, w.natOnly)
	w.intTG = newTG("int-job", elbv2types.ProtocolEnumHttp, 8080, elbv2types.TargetTypeEnumInstance, target(w.job, 8080))
	w.internalListener = listen(w.internal, elbv2types.ProtocolEnumHttp, 80, w.intTG)

	cl, err := classic.CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{LoadBalancerName: aws.String("net-classic"),
		Listeners: []elbtypes.Listener{{Protocol: aws.String("TCP"), LoadBalancerPort: 443, InstanceProtocol: aws.String("TCP"), InstancePort: aws.Int32(443)}},
		Subnets:   []string{w.public}, SecurityGroups: []string{w.sgALB}})
	must(err, "create classic load balancer")
	w.classic, w.classicDNS = "net-classic", aws.ToString(cl.DNSName)
	_, err = classic.RegisterInstancesWithLoadBalancer(ctx, &elb.RegisterInstancesWithLoadBalancerInput{LoadBalancerName: aws.String(w.classic),
		Instances: []elbtypes.Instance{{InstanceId: &w.web}}})
	must(err, "register the classic load balancer's instance")
	return w
}

// v6Subnet is the first /64 of a VPC's /56.
func v6Subnet(vpcCIDR string) string {
	// "2600:1f18:1234:5600::/56" → "2600:1f18:1234:5600::/64"
	for i := len(vpcCIDR) - 1; i >= 0; i-- {
		if vpcCIDR[i] == '/' {
			return vpcCIDR[:i] + "/64"
		}
	}
	return vpcCIDR
}
