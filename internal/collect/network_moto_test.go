package collect

import (
	"context"
	stdjson "encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/faultproxy"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/internal/reachability"
	"github.com/sgaudit/sgaudit/scanner/inventory"
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
	v6ENI, v6Addr                         string // interface in the IPv6 subnet
	sgV6                                  string // HTTPS from ::/0 only
	// Interfaces with an Elastic IP each, in the subnets that block them:
	// the deny-22 NACL, the NACL without ephemeral replies, the NAT route.
	edgeENI, legacyENI, natPubENI string
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
	w.sgV6 = group("net-v6", types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}})

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
	// Interfaces get fixed addresses: moto draws them at random without
	// checking they are free, and two interfaces with one address make an
	// ip target ambiguous.
	dbENI, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &w.private, Groups: []string{w.sgApp}, Description: aws.String("db"),
		PrivateIpAddress: aws.String("10.20.2.50")})
	must(err, "create the db interface")
	w.dbENI, w.dbIP = *dbENI.NetworkInterface.NetworkInterfaceId, aws.ToString(dbENI.NetworkInterface.PrivateIpAddress)

	v6ENI, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &w.v6, Groups: []string{w.sgV6}, PrivateIpAddress: aws.String("10.20.6.50"),
		Ipv6AddressCount: aws.Int32(1), Description: aws.String("v6")})
	must(err, "create the IPv6 interface")
	w.v6ENI = *v6ENI.NetworkInterface.NetworkInterfaceId
	if a := v6ENI.NetworkInterface.Ipv6Addresses; len(a) > 0 {
		w.v6Addr = aws.ToString(a[0].Ipv6Address)
	}

	addr, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must(err, "allocate address")
	w.eipAlloc, w.eip, w.eipENI = *addr.AllocationId, *addr.PublicIp, w.webENI
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: &w.webENI})
	must(err, "associate address")
	public := func(subnet, ip, desc string) string {
		eni, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &subnet, Groups: []string{w.sgWeb}, Description: aws.String(desc),
			PrivateIpAddress: aws.String(ip)})
		must(err, "create the "+desc+" interface")
		addr, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
		must(err, "allocate the "+desc+" address")
		_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId})
		must(err, "associate the "+desc+" address")
		return *eni.NetworkInterface.NetworkInterfaceId
	}
	w.edgeENI = public(w.deny22, "10.20.4.50", "edge")
	w.legacyENI = public(w.noEphemeral, "10.20.5.50", "legacy")
	w.natPubENI = public(w.natOnly, "10.20.3.50", "natpub")

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

// TestCollectNetworkAgainstMoto seeds seedNetwork's world through the SDK,
// collects it with the real collector and checks that the inventory holds
// exactly what was seeded, component by component. What moto cannot
// express is said where it shows: every route is active (no blackhole),
// load balancers get no network interfaces, every target is healthy, a
// custom network ACL lists no "*" entries, an NLB's ARN says "app", and a
// Classic Load Balancer's DNS name says us-east-1 whatever its region.
func TestCollectNetworkAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	w := seedNetwork(t, ctx, s, region)
	inv, err := Collect(ctx, s.Config(ctx, region), Options{Regions: []string{region}, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	// moto's default VPC has a default group; ours has its own and four.
	wantCoverage := []inventory.Coverage{{AccountID: moto.AccountID, Region: region, Status: inventory.CoverageOK,
		Collected: motoKinds, SecurityGroups: 6, Detail: motoUnsupported}}
	if diff := cmp.Diff(wantCoverage, inv.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if err := inv.Check(); err != nil {
		t.Errorf("the collected inventory fails its checks: %v", err)
	}
	// Written and read back (collect -o, then --input), it is the same.
	raw, err := stdjson.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ImportReaders(ctx, []Input{input("inventory.json", string(raw))}, "")
	if err != nil {
		t.Fatalf("import the collected inventory: %v", err)
	}
	if diff := cmp.Diff(inv, again); diff != "" {
		t.Errorf("inventory round trip (-collected +read back):\n%s", diff)
	}
	if w.v6CIDR == "" || w.v6Addr == "" || w.dbIP == "" || w.eip == "" {
		t.Fatalf("seeding gave no IPv6 block, IPv6 address, db address or Elastic IP: %+v", w)
	}

	acct := moto.AccountID
	ours := func(vpc string) bool { return vpc == w.vpc }
	// moto writes IPv6 groups with leading zeros ("0738"); the inventory
	// holds them as EC2 and RFC 5952 do.
	canonical := func(cidr string) string {
		c, _, ok := inventory.CanonicalCIDR(cidr)
		if !ok {
			t.Fatalf("seeding gave %q, not a CIDR", cidr)
		}
		return c
	}
	local := []inventory.Route{
		{Destination: "10.20.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive},
		{Destination: canonical(w.v6CIDR), TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive},
	}
	all := func(n int, egress bool, action inventory.NACLAction) inventory.NACLEntry {
		return inventory.NACLEntry{RuleNumber: n, Egress: egress, Protocol: "-1", Action: action, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1}
	}
	subnet := func(id, cidr, az, rt, acl string) inventory.Subnet {
		return inventory.Subnet{ID: id, AccountID: acct, Region: region, VPCID: w.vpc, AvailabilityZone: region + az, CIDRs: []string{cidr},
			RouteTableID: rt, NetworkACLID: acl}
	}
	v6Subnet := subnet(w.v6, "10.20.6.0/24", "a", w.rtV6, w.aclDefault)
	v6Subnet.CIDRs = append(v6Subnet.CIDRs, canonical(w.v6SubnetCIDR))
	tg := func(arn, name, proto string, port int, typ, lb string, preserve bool, target string) inventory.TargetGroup {
		return inventory.TargetGroup{ARN: arn, Name: name, AccountID: acct, Region: region, VPCID: w.vpc, Protocol: proto, Port: port, TargetType: typ,
			LoadBalancerARNs: []string{lb}, PreserveClientIP: preserve, Targets: []inventory.Target{{ID: target, Port: port, Health: "healthy"}}}
	}
	want := &inventory.Inventory{
		Subnets: []inventory.Subnet{
			subnet(w.public, "10.20.1.0/24", "a", w.rtPublic, w.aclDefault),
			subnet(w.public2, "10.20.7.0/24", "b", w.rtPublic, w.aclDefault),
			subnet(w.private, "10.20.2.0/24", "a", "", w.aclDefault), // the main route table: local only
			subnet(w.natOnly, "10.20.3.0/24", "b", w.rtNAT, w.aclDefault),
			subnet(w.deny22, "10.20.4.0/24", "a", w.rtPublic, w.aclDeny22),
			subnet(w.noEphemeral, "10.20.5.0/24", "a", w.rtPublic, w.aclNoEphemeral),
			v6Subnet,
		},
		RouteTables: []inventory.RouteTable{
			{ID: w.rtMain, AccountID: acct, Region: region, VPCID: w.vpc, Main: true, SubnetIDs: []string{}, Routes: local},
			{ID: w.rtPublic, AccountID: acct, Region: region, VPCID: w.vpc, SubnetIDs: []string{w.public, w.public2, w.deny22, w.noEphemeral},
				Routes: append(slices.Clone(local),
					inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: w.igw, State: inventory.RouteActive},
					inventory.Route{Destination: "::/0", TargetKind: inventory.RouteInternetGateway, TargetID: w.igw, State: inventory.RouteActive})},
			{ID: w.rtNAT, AccountID: acct, Region: region, VPCID: w.vpc, SubnetIDs: []string{w.natOnly},
				Routes: append(slices.Clone(local),
					inventory.Route{Destination: "0.0.0.0/0", TargetKind: inventory.RouteNATGateway, TargetID: w.nat, State: inventory.RouteActive})},
			{ID: w.rtV6, AccountID: acct, Region: region, VPCID: w.vpc, SubnetIDs: []string{w.v6},
				Routes: append(slices.Clone(local),
					inventory.Route{Destination: "::/0", TargetKind: inventory.RouteEgressOnlyGateway, TargetID: w.eigw, State: inventory.RouteActive})},
		},
		NetworkACLs: []inventory.NetworkACL{
			{ID: w.aclDefault, AccountID: acct, Region: region, VPCID: w.vpc, IsDefault: true,
				SubnetIDs: []string{w.public, w.public2, w.private, w.natOnly, w.v6},
				Entries:   []inventory.NACLEntry{all(100, false, "allow"), all(32767, false, "deny"), all(100, true, "allow"), all(32767, true, "deny")}},
			{ID: w.aclDeny22, AccountID: acct, Region: region, VPCID: w.vpc, SubnetIDs: []string{w.deny22},
				Entries: []inventory.NACLEntry{
					{RuleNumber: 100, Protocol: "6", Action: inventory.NACLDeny, CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, ICMPType: -1, ICMPCode: -1},
					all(200, false, "allow"), all(100, true, "allow")}},
			{ID: w.aclNoEphemeral, AccountID: acct, Region: region, VPCID: w.vpc, SubnetIDs: []string{w.noEphemeral},
				Entries: []inventory.NACLEntry{all(100, false, "allow"),
					{RuleNumber: 100, Egress: true, Protocol: "6", Action: inventory.NACLAllow, CIDR: "0.0.0.0/0", FromPort: 80, ToPort: 443, ICMPType: -1, ICMPCode: -1}}},
		},
		InternetGateways:           []inventory.InternetGateway{{ID: w.igw, AccountID: acct, Region: region, VPCIDs: []string{w.vpc}}},
		EgressOnlyInternetGateways: []inventory.InternetGateway{{ID: w.eigw, AccountID: acct, Region: region, VPCIDs: []string{w.vpc}}},
		LoadBalancers: []inventory.LoadBalancer{
			{ARN: w.alb, Name: "net-alb", AccountID: acct, Region: region, Type: "application", Scheme: "internet-facing", VPCID: w.vpc,
				IPAddressType: "ipv4", DNSName: w.albDNS, SubnetIDs: []string{w.public, w.public2}, SecurityGroupIDs: []string{w.sgALB},
				Listeners: []inventory.Listener{{ARN: w.albListener, Protocol: "HTTP", Port: 80, TargetGroupARNs: []string{w.albTG}}}},
			{ARN: w.nlb, Name: "net-nlb", AccountID: acct, Region: region, Type: "network", Scheme: "internet-facing", VPCID: w.vpc,
				IPAddressType: "ipv4", DNSName: "net-nlb-1." + region + ".elb.amazonaws.com", SubnetIDs: []string{w.public}, SecurityGroupIDs: []string{},
				Listeners: []inventory.Listener{
					{ARN: w.nlbListener2, Protocol: "TCP", Port: 2222, TargetGroupARNs: []string{w.nlbInstTG}},
					{ARN: w.nlbListener, Protocol: "TCP", Port: 5432, TargetGroupARNs: []string{w.nlbIPTG}},
				}},
			{ARN: w.internal, Name: "net-internal", AccountID: acct, Region: region, Type: "application", Scheme: "internal", VPCID: w.vpc,
				IPAddressType: "ipv4", DNSName: "net-internal-1." + region + ".elb.amazonaws.com", SubnetIDs: []string{w.private, w.natOnly},
				SecurityGroupIDs: []string{w.sgALB},
				Listeners:        []inventory.Listener{{ARN: w.internalListener, Protocol: "HTTP", Port: 80, TargetGroupARNs: []string{w.intTG}}}},
			{ARN: "arn:aws:elasticloadbalancing:" + region + ":" + acct + ":loadbalancer/net-classic", Name: "net-classic", AccountID: acct, Region: region,
				Type: "classic", Scheme: "internet-facing", VPCID: w.vpc, DNSName: w.classicDNS, SubnetIDs: []string{w.public},
				SecurityGroupIDs: []string{w.sgALB}, InstanceIDs: []string{w.web},
				Listeners: []inventory.Listener{{Protocol: "TCP", Port: 443, InstanceProtocol: "TCP", InstancePort: 443}}},
		},
		TargetGroups: []inventory.TargetGroup{
			tg(w.albTG, "alb-app", "HTTP", 8080, "instance", w.alb, false, w.app),
			tg(w.intTG, "int-job", "HTTP", 8080, "instance", w.internal, false, w.job),
			// An NLB's ip targets over TCP do not preserve the client's
			// address by default, its instance targets do.
			tg(w.nlbIPTG, "nlb-db", "TCP", 5432, "ip", w.nlb, false, w.dbIP),
			tg(w.nlbInstTG, "nlb-ssh", "TCP", 22, "instance", w.nlb, true, w.app),
		},
	}
	want.Sort()
	got := &inventory.Inventory{
		Subnets:                    filter(inv.Subnets, func(s inventory.Subnet) bool { return ours(s.VPCID) }),
		RouteTables:                filter(inv.RouteTables, func(t inventory.RouteTable) bool { return ours(t.VPCID) }),
		NetworkACLs:                filter(inv.NetworkACLs, func(a inventory.NetworkACL) bool { return ours(a.VPCID) }),
		InternetGateways:           filter(inv.InternetGateways, func(g inventory.InternetGateway) bool { return slices.Contains(g.VPCIDs, w.vpc) }),
		EgressOnlyInternetGateways: inv.EgressOnlyInternetGateways,
		LoadBalancers:              inv.LoadBalancers,
		TargetGroups:               inv.TargetGroups,
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("network of the seeded VPC (-want +got):\n%s", diff)
	}

	// Elastic IPs: the instance's, and the NAT gateway's (on an interface
	// moto makes up for it).
	byAlloc := map[string]inventory.Address{}
	for _, a := range inv.Addresses {
		byAlloc[a.AllocationID] = a
	}
	wantEIP := inventory.Address{AllocationID: w.eipAlloc, AccountID: acct, Region: region, PublicIP: w.eip, NetworkInterfaceID: w.webENI, PrivateIP: w.webIP}
	if diff := cmp.Diff(wantEIP, byAlloc[w.eipAlloc]); diff != "" {
		t.Errorf("the instance's Elastic IP (-want +got):\n%s", diff)
	}
	if a, ok := byAlloc[w.natEIP]; !ok || a.PublicIP == "" || len(inv.Addresses) != 5 {
		t.Errorf("addresses %+v: want the instance's, the NAT gateway's and the three blocked interfaces'", inv.Addresses)
	}

	// Interfaces carry their addresses: the Elastic IP on the web
	// instance's primary interface, the IPv6 address on the v6 one.
	type addrs struct {
		Private, Public, V6 []string
		Primary             bool
	}
	ifaces := map[string]addrs{}
	for _, n := range inv.NetworkInterfaces {
		ifaces[n.ID] = addrs{n.PrivateIPs, n.PublicIPs, n.IPv6Addresses, n.Primary}
	}
	wantIfaces := map[string]addrs{
		w.webENI: {Private: []string{w.webIP}, Public: []string{w.eip}, Primary: true},
		w.appENI: {Private: []string{w.appIP}, Primary: true},
		w.dbENI:  {Private: []string{w.dbIP}},
		w.v6ENI:  {Private: ifaces[w.v6ENI].Private, V6: []string{netip.MustParseAddr(w.v6Addr).String()}},
	}
	for id, want := range wantIfaces {
		if diff := cmp.Diff(want, ifaces[id], cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("interface %s addresses (-want +got):\n%s", id, diff)
		}
	}
}

// TestReachabilityOfMotoNetwork runs the reachability analysis
// (docs/reachability.md) over what the collector read of seedNetwork's
// world and checks every verdict: which ports are reachable, through which
// entry and path, and which components block the others. The world's
// moto-made gaps show here too: its default network ACL has no IPv6
// entries (AWS adds them to a VPC with an IPv6 block), so the IPv6
// interface is blocked by the ACL as well as by its egress-only route.
func TestReachabilityOfMotoNetwork(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	w := seedNetwork(t, ctx, s, region)
	inv, err := Collect(ctx, s.Config(ctx, region), Options{Regions: []string{region}, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	names := map[string]string{w.webENI: "web", w.appENI: "app", w.dbENI: "db", w.jobENI: "job", w.v6ENI: "v6",
		w.edgeENI: "edge", w.legacyENI: "legacy", w.natPubENI: "natpub"}
	ids := func(kind, id string) string { return kind + " " + id }
	got := map[string][]string{}
	for _, r := range reachability.Analyze(inv) {
		name, ok := names[r.ID]
		if !ok {
			if len(r.Ports) > 0 {
				t.Errorf("unexpected verdicts for %s (%s): %+v", r.ID, r.Resource, r.Ports)
			}
			continue // the NAT gateway's interface: a public address, no group, nothing open
		}
		if r.NotVerified != "" {
			t.Errorf("%s: not verified: %s", name, r.NotVerified)
		}
		for _, p := range r.Ports {
			line := fmt.Sprintf("%s %d-%d", p.Protocol, p.FromPort, p.ToPort)
			if p.Reachable {
				for _, v := range p.Via {
					line += " via " + v.Kind + " " + v.LoadBalancerARN + " " + v.Listener
				}
				line += " path"
				for _, h := range p.Path {
					line += "; " + ids(h.Kind, h.ID)
				}
			} else {
				line += " blocked"
				for _, b := range p.BlockedBy {
					line += "; " + ids(b.Kind, b.ID)
				}
			}
			got[name] = append(got[name], line)
		}
	}
	acl := func(id string) string { return ids(reachability.KindNetworkACL, id) }
	rtb := func(id string) string { return ids(reachability.KindRouteTable, id) }
	igw := ids(reachability.KindInternetGateway, w.igw)
	sg := func(id string) string { return ids(reachability.KindSecurityGroup, id) }
	lb := func(arn string) string { return ids(reachability.KindLoadBalancer, arn) }
	tg := func(arn string) string { return ids(reachability.KindTargetGroup, arn) }
	eni := func(id string) string { return ids(reachability.KindInterface, id) }
	publicPath := func(e, table, nacl, group string) string {
		return " via public_ip   path; " + strings.Join([]string{eni(e), igw, rtb(table), acl(nacl), sg(group)}, "; ")
	}
	// An LB path: the load balancer, its way in (gateway, route table,
	// ACL of its subnet, its groups if any), the target group, then the
	// target's ACL and groups.
	lbPath := func(arn, listener string, in []string, group, target, targetACL, targetGroup string) string {
		hops := append([]string{lb(arn), igw, rtb(w.rtPublic), acl(w.aclDefault)}, in...)
		hops = append(hops, tg(group), acl(targetACL), sg(targetGroup))
		return " via load_balancer " + arn + " " + listener + " path; " + strings.Join(hops, "; ")
	}
	noPublic := func(e string) string { return " blocked; " + eni(e) + "; " + rtb(w.rtMain) }
	want := map[string][]string{
		// An Elastic IP in a public subnet: SSH and HTTPS, as the group says.
		"web": {"tcp 22-22" + publicPath(w.webENI, w.rtPublic, w.aclDefault, w.sgWeb), "tcp 443-443" + publicPath(w.webENI, w.rtPublic, w.aclDefault, w.sgWeb)},
		// No public address, in the private subnet: 22 through the NLB
		// (instance target, listener 2222), 8080 through the ALB (its
		// group admits 80), 5432 by nothing (the main table has no route
		// out, and no entry forwards to it).
		"app": {
			"tcp 22-22" + lbPath(w.nlb, "TCP:2222", nil, w.nlbInstTG, w.appENI, w.aclDefault, w.sgApp),
			"tcp 5432-5432" + noPublic(w.appENI),
			"tcp 8080-8080" + lbPath(w.alb, "HTTP:80", []string{sg(w.sgALB)}, w.albTG, w.appENI, w.aclDefault, w.sgApp),
		},
		// The NLB's ip target: 5432 only.
		"db": {
			"tcp 22-22" + noPublic(w.dbENI),
			"tcp 5432-5432" + lbPath(w.nlb, "TCP:5432", nil, w.nlbIPTG, w.dbENI, w.aclDefault, w.sgApp),
			"tcp 8080-8080" + noPublic(w.dbENI),
		},
		// The NACL denies 22 (rule 100) before allowing all (rule 200).
		"edge": {"tcp 22-22 blocked; " + acl(w.aclDeny22), "tcp 443-443" + publicPath(w.edgeENI, w.rtPublic, w.aclDeny22, w.sgWeb)},
		// The NACL lets no reply out to the ephemeral ports.
		"legacy": {"tcp 22-22 blocked; " + acl(w.aclNoEphemeral), "tcp 443-443 blocked; " + acl(w.aclNoEphemeral)},
		// 0.0.0.0/0 goes to the NAT gateway: no way back to the internet.
		"natpub": {"tcp 22-22 blocked; " + rtb(w.rtNAT), "tcp 443-443 blocked; " + rtb(w.rtNAT)},
		// ::/0 goes to the egress-only gateway (and the VPC's own block is
		// local); moto's default ACL has no IPv6 entry, so it blocks both
		// ways too.
		"v6": {"tcp 443-443 blocked; " + strings.Join([]string{rtb(w.rtV6), rtb(w.rtV6), acl(w.aclDefault), acl(w.aclDefault)}, "; ")},
		// "job" is only the target of the internal ALB: never an entry, so
		// not in the answer at all.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
}

// TestReachabilityNotVerifiedAgainstMoto: when DescribeRouteTables and
// DescribeTargetHealth fail (an HTML 500 from the fault proxy, after its
// retries), the pair's row says so, the two kinds are missing from
// collected, the inventory holds none of either, and the analysis calls
// every interface "not verified" with the reason, never "not reachable".
func TestReachabilityNotVerifiedAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	w := seedNetwork(t, ctx, s, region)
	p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, ServerErrorActions: []string{"DescribeRouteTables", opTargetHealth}})
	inv, err := Collect(ctx, proxiedConfig(ctx, s, p), Options{Regions: []string{region}, Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	row := inv.Coverage[0]
	wantKinds := filter(motoKinds, func(k string) bool { return k != inventory.KindRouteTables && k != inventory.KindTargetGroups })
	if row.Status != inventory.CoverageError || row.FailedAPI != "DescribeRouteTables" || !slices.Equal(row.Collected, wantKinds) ||
		!strings.Contains(row.Detail, "DescribeRouteTables: HTTP 500 without an AWS error code") ||
		!strings.Contains(row.Detail, "DescribeTargetHealth: HTTP 500 without an AWS error code") {
		t.Errorf("coverage row %+v: want an error naming DescribeRouteTables and DescribeTargetHealth, collected %v", row, wantKinds)
	}
	if len(inv.RouteTables) != 0 || len(inv.TargetGroups) != 0 || len(inv.Subnets) == 0 || len(inv.LoadBalancers) == 0 {
		t.Errorf("%d route tables and %d target groups kept, %d subnets and %d load balancers read: want none, none, some, some",
			len(inv.RouteTables), len(inv.TargetGroups), len(inv.Subnets), len(inv.LoadBalancers))
	}
	seen := 0
	for _, r := range reachability.Analyze(inv) {
		if r.ID == w.webENI || r.ID == w.edgeENI {
			seen++
		}
		if r.NotVerified == "" || !strings.Contains(r.NotVerified, inventory.KindRouteTables) || len(r.Ports) != 0 {
			t.Errorf("%s: not verified %q, %d ports: want not verified for want of route tables, no verdict", r.ID, r.NotVerified, len(r.Ports))
		}
	}
	if seen != 2 {
		t.Errorf("the interfaces with a public address are not in the answer (%d of 2)", seen)
	}
}
