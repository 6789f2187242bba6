// Package demoworld seeds a small, realistic AWS account into an emulator
// (moto server) through the real SDK: the world `make demo` scans and the
// end-to-end tests assert exact findings on. It only ever runs against an
// emulator endpoint; Seed refuses a config without a custom endpoint.
package demoworld

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Regions are the regions the demo world populates.
var Regions = []string{"us-east-1", "eu-west-1"}

// World records what Seed created, by region and group name.
type World struct {
	// Groups maps "region/name" to the group id.
	Groups map[string]string
	// VPCs maps "region/name" to the VPC id.
	VPCs map[string]string
	// Subnets maps "region/name" to the subnet id, and LoadBalancers
	// "region/name" to the load balancer's ARN: the network that decides
	// what the internet reaches (docs/inventory.md §16).
	Subnets       map[string]string
	LoadBalancers map[string]string
	// Interfaces maps "region/description" to the interface id.
	Interfaces map[string]string
}

// GroupID returns the id of the group name in region, or "".
func (w *World) GroupID(region, name string) string { return w.Groups[region+"/"+name] }

// Seed creates the demo world. cfg must point at an emulator (BaseEndpoint
// set): seeding a real account would create real resources.
func Seed(ctx context.Context, cfg aws.Config) (*World, error) {
	if cfg.BaseEndpoint == nil || *cfg.BaseEndpoint == "" {
		return nil, errors.New("demoworld: refusing to seed without an emulator endpoint (BaseEndpoint)")
	}
	w := &World{Groups: map[string]string{}, VPCs: map[string]string{}, Subnets: map[string]string{},
		LoadBalancers: map[string]string{}, Interfaces: map[string]string{}}
	for _, region := range Regions {
		c := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
		lb := elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.Region = region })
		s := &seeder{ctx: ctx, c: c, lb: lb, region: region, w: w, hosts: map[string]int{}}
		var err error
		switch region {
		case "us-east-1":
			err = s.seedProduction()
		case "eu-west-1":
			err = s.seedAnalytics()
		}
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", region, err)
		}
	}
	return w, nil
}

type seeder struct {
	ctx    context.Context
	c      *ec2.Client
	lb     *elbv2.Client
	region string
	w      *World
	// hosts is the last host number given out in each subnet ("10.10.1"
	// → 10): moto draws interface addresses at random without checking
	// they are free, and two interfaces with one address would make the
	// load balancer's ip target ambiguous.
	hosts map[string]int
}

// rule is a compact way to write one ingress permission.
type rule struct {
	proto       string
	from, to    int32
	cidr, cidr6 string
	group       string // name of a group in the same region
	desc        string
}

func (s *seeder) vpc(name, cidr string) (vpcID, subnetID string, err error) {
	v, err := s.c.CreateVpc(s.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr), TagSpecifications: tags(types.ResourceTypeVpc, name)})
	if err != nil {
		return "", "", fmt.Errorf("create vpc %s: %w", name, err)
	}
	vpcID = aws.ToString(v.Vpc.VpcId)
	s.w.VPCs[s.region+"/"+name] = vpcID
	sub, err := s.c.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String(subnetOf(cidr))})
	if err != nil {
		return "", "", fmt.Errorf("create subnet in %s: %w", name, err)
	}
	return vpcID, aws.ToString(sub.Subnet.SubnetId), nil
}

func (s *seeder) group(vpcID, name, desc string, kv ...string) (string, error) {
	out, err := s.c.CreateSecurityGroup(s.ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(name), Description: aws.String(desc), VpcId: aws.String(vpcID),
		TagSpecifications: tags(types.ResourceTypeSecurityGroup, name, kv...),
	})
	if err != nil {
		return "", fmt.Errorf("create security group %s: %w", name, err)
	}
	id := aws.ToString(out.GroupId)
	s.w.Groups[s.region+"/"+name] = id
	return id, nil
}

func (s *seeder) ingress(groupName string, rules ...rule) error {
	var perms []types.IpPermission
	for _, r := range rules {
		p := types.IpPermission{IpProtocol: aws.String(r.proto)}
		if r.proto != "-1" {
			p.FromPort, p.ToPort = aws.Int32(r.from), aws.Int32(r.to)
		}
		desc := optional(r.desc)
		switch {
		case r.cidr != "":
			p.IpRanges = []types.IpRange{{CidrIp: aws.String(r.cidr), Description: desc}}
		case r.cidr6 != "":
			p.Ipv6Ranges = []types.Ipv6Range{{CidrIpv6: aws.String(r.cidr6), Description: desc}}
		case r.group != "":
			p.UserIdGroupPairs = []types.UserIdGroupPair{{GroupId: aws.String(s.w.GroupID(s.region, r.group)), Description: desc}}
		}
		perms = append(perms, p)
	}
	_, err := s.c.AuthorizeSecurityGroupIngress(s.ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(s.w.GroupID(s.region, groupName)), IpPermissions: perms,
	})
	if err != nil {
		return fmt.Errorf("authorize ingress on %s: %w", groupName, err)
	}
	return nil
}

// eni creates a network interface carrying groups; withPublicIP associates
// an Elastic IP so the interface is reachable from the internet.
func (s *seeder) eni(subnetID, desc string, withPublicIP bool, groupNames ...string) error {
	var ids []string
	for _, n := range groupNames {
		ids = append(ids, s.w.GroupID(s.region, n))
	}
	sub, err := s.c.DescribeSubnets(s.ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnetID}})
	if err != nil || len(sub.Subnets) != 1 {
		return fmt.Errorf("find subnet %s: %v", subnetID, err)
	}
	// A /24: its first three octets, then the next free host from 10 on.
	net := strings.TrimSuffix(aws.ToString(sub.Subnets[0].CidrBlock), ".0/24")
	s.hosts[net] = max(s.hosts[net]+1, 10)
	out, err := s.c.CreateNetworkInterface(s.ctx, &ec2.CreateNetworkInterfaceInput{
		SubnetId: aws.String(subnetID), Groups: ids, Description: aws.String(desc),
		PrivateIpAddress: aws.String(fmt.Sprintf("%s.%d", net, s.hosts[net])),
	})
	if err != nil {
		return fmt.Errorf("create network interface %q: %w", desc, err)
	}
	s.w.Interfaces[s.region+"/"+desc] = aws.ToString(out.NetworkInterface.NetworkInterfaceId)
	if !withPublicIP {
		return nil
	}
	addr, err := s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil {
		return fmt.Errorf("allocate address: %w", err)
	}
	_, err = s.c.AssociateAddress(s.ctx, &ec2.AssociateAddressInput{
		AllocationId: addr.AllocationId, NetworkInterfaceId: out.NetworkInterface.NetworkInterfaceId,
	})
	if err != nil {
		return fmt.Errorf("associate address with %q: %w", desc, err)
	}
	return nil
}

// seedProduction: a production VPC with a web tier that is fine, a bastion
// open to the world on a public IP, a database open to the world, an SFTP
// group open to half of the internet, and the leftovers every account has
// (a launch-wizard group, a legacy group).
func (s *seeder) seedProduction() error {
	vpc, subnet, err := s.vpc("prod", "10.10.0.0/16")
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error {
			_, err := s.group(vpc, "prod-web-sg", "Public web tier behind CloudFront", "env", "prod")
			return err
		},
		func() error {
			_, err := s.group(vpc, "prod-app-sg", "Application tier, reachable from the web tier only", "env", "prod")
			return err
		},
		func() error {
			_, err := s.group(vpc, "prod-db-sg", "PostgreSQL for the application tier", "env", "prod")
			return err
		},
		func() error { _, err := s.group(vpc, "bastion", "SSH bastion hosts", "env", "prod"); return err },
		func() error {
			_, err := s.group(vpc, "launch-wizard-1", "launch-wizard-1 created 2026-03-02T10:11:12.000+00:00")
			return err
		},
		func() error { _, err := s.group(vpc, "legacy-ftp", "legacy-ftp"); return err },
		func() error {
			_, err := s.group(vpc, "partner-sftp", "SFTP drop box for partner uploads", "env", "prod")
			return err
		},
		func() error {
			return s.ingress("prod-web-sg",
				rule{proto: "tcp", from: 443, to: 443, cidr: "0.0.0.0/0", desc: "HTTPS from the internet"},
				rule{proto: "tcp", from: 443, to: 443, cidr6: "::/0", desc: "HTTPS from the internet (IPv6)"})
		},
		func() error {
			return s.ingress("prod-app-sg",
				rule{proto: "tcp", from: 8080, to: 8080, group: "prod-web-sg", desc: "App port from the web tier"},
				rule{proto: "-1", group: "prod-app-sg", desc: "Cluster traffic between app nodes"})
		},
		func() error {
			return s.ingress("prod-db-sg",
				rule{proto: "tcp", from: 5432, to: 5432, group: "prod-app-sg", desc: "PostgreSQL from the app tier"},
				rule{proto: "tcp", from: 3306, to: 3306, cidr: "0.0.0.0/0", desc: "temporary: vendor migration"})
		},
		func() error {
			return s.ingress("bastion", rule{proto: "tcp", from: 22, to: 22, cidr: "0.0.0.0/0"})
		},
		func() error {
			return s.ingress("launch-wizard-1", rule{proto: "-1", cidr6: "::/0"})
		},
		func() error {
			return s.ingress("legacy-ftp", rule{proto: "tcp", from: 21, to: 21, cidr: "10.0.0.0/8", desc: "FTP from the office"})
		},
		func() error {
			// Half of the internet, because the partner's addresses change:
			// not the world, so only SGA016 sees it.
			return s.ingress("partner-sftp", rule{proto: "tcp", from: 22, to: 22, cidr: "0.0.0.0/1", desc: "partner uploads"})
		},
		func() error { return s.eni(subnet, "web-1", false, "prod-web-sg") },
		func() error { return s.eni(subnet, "db-1", false, "prod-db-sg") },
		func() error { return s.eni(subnet, "bastion-1", true, "bastion") },
		func() error { return s.eni(subnet, "sftp-1", false, "partner-sftp") },
		func() error { return s.productionNetwork(vpc, subnet) },
	}
	return runAll(steps)
}

// productionNetwork makes the production VPC's first subnet public (a
// route to an internet gateway), adds a private subnet on the main route
// table with an application interface in it, and puts db-1, which has no
// public address, behind an internet-facing Network Load Balancer on
// MySQL: the path from the internet that no group rule shows.
func (s *seeder) productionNetwork(vpc, public string) error {
	s.w.Subnets[s.region+"/prod-public"] = public
	igw, err := s.c.CreateInternetGateway(s.ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: tags(types.ResourceTypeInternetGateway, "prod-igw")})
	if err != nil {
		return fmt.Errorf("create internet gateway: %w", err)
	}
	igwID := igw.InternetGateway.InternetGatewayId
	if _, err := s.c.AttachInternetGateway(s.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: igwID, VpcId: aws.String(vpc)}); err != nil {
		return fmt.Errorf("attach internet gateway: %w", err)
	}
	rt, err := s.c.CreateRouteTable(s.ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(vpc), TagSpecifications: tags(types.ResourceTypeRouteTable, "prod-public")})
	if err != nil {
		return fmt.Errorf("create route table: %w", err)
	}
	if _, err := s.c.CreateRoute(s.ctx, &ec2.CreateRouteInput{RouteTableId: rt.RouteTable.RouteTableId,
		DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igwID}); err != nil {
		return fmt.Errorf("route to the internet gateway: %w", err)
	}
	if _, err := s.c.AssociateRouteTable(s.ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId, SubnetId: aws.String(public)}); err != nil {
		return fmt.Errorf("associate the public route table: %w", err)
	}
	private, err := s.c.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.10.2.0/24"),
		TagSpecifications: tags(types.ResourceTypeSubnet, "prod-private")})
	if err != nil {
		return fmt.Errorf("create the private subnet: %w", err)
	}
	s.w.Subnets[s.region+"/prod-private"] = aws.ToString(private.Subnet.SubnetId)
	if err := s.eni(aws.ToString(private.Subnet.SubnetId), "app-1", false, "prod-app-sg"); err != nil {
		return err
	}

	db, err := s.c.DescribeNetworkInterfaces(s.ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{s.w.Interfaces[s.region+"/db-1"]}})
	if err != nil || len(db.NetworkInterfaces) != 1 {
		return fmt.Errorf("find db-1: %v", err)
	}
	nlb, err := s.lb.CreateLoadBalancer(s.ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String("prod-db-nlb"),
		Type: elbv2types.LoadBalancerTypeEnumNetwork, Scheme: elbv2types.LoadBalancerSchemeEnumInternetFacing, Subnets: []string{public}})
	if err != nil {
		return fmt.Errorf("create load balancer: %w", err)
	}
	nlbARN := nlb.LoadBalancers[0].LoadBalancerArn
	s.w.LoadBalancers[s.region+"/prod-db-nlb"] = aws.ToString(nlbARN)
	tg, err := s.lb.CreateTargetGroup(s.ctx, &elbv2.CreateTargetGroupInput{Name: aws.String("prod-db-mysql"), Protocol: elbv2types.ProtocolEnumTcp,
		Port: aws.Int32(3306), VpcId: aws.String(vpc), TargetType: elbv2types.TargetTypeEnumIp})
	if err != nil {
		return fmt.Errorf("create target group: %w", err)
	}
	tgARN := tg.TargetGroups[0].TargetGroupArn
	if _, err := s.lb.RegisterTargets(s.ctx, &elbv2.RegisterTargetsInput{TargetGroupArn: tgARN,
		Targets: []elbv2types.TargetDescription{{Id: db.NetworkInterfaces[0].PrivateIpAddress, Port: aws.Int32(3306)}}}); err != nil {
		return fmt.Errorf("register db-1: %w", err)
	}
	if _, err := s.lb.CreateListener(s.ctx, &elbv2.CreateListenerInput{LoadBalancerArn: nlbARN, Protocol: elbv2types.ProtocolEnumTcp,
		Port: aws.Int32(3306), DefaultActions: []elbv2types.Action{{Type: elbv2types.ActionTypeEnumForward, TargetGroupArn: tgARN}}}); err != nil {
		return fmt.Errorf("create listener: %w", err)
	}
	return nil
}

// seedAnalytics: an analytics VPC with a private Redis (fine but for its
// placeholder description) and an ops group whose port range hides SSH,
// next to GRE and ICMP rules that must not be mistaken for SSH.
func (s *seeder) seedAnalytics() error {
	vpc, subnet, err := s.vpc("analytics", "10.20.0.0/16")
	if err != nil {
		return err
	}
	steps := []func() error{
		func() error { _, err := s.group(vpc, "analytics-redis", "Managed by Terraform"); return err },
		func() error { _, err := s.group(vpc, "ops-tools", "Operations tooling hosts"); return err },
		func() error {
			return s.ingress("analytics-redis", rule{proto: "tcp", from: 6379, to: 6379, cidr: "10.20.0.0/16", desc: "Redis from inside the VPC"})
		},
		func() error {
			return s.ingress("ops-tools",
				rule{proto: "tcp", from: 20, to: 30, cidr6: "::/0", desc: "legacy ops range"},
				rule{proto: "udp", from: 3389, to: 3389, cidr: "0.0.0.0/0", desc: "RDP over UDP"},
				rule{proto: "47", cidr: "0.0.0.0/0", desc: "GRE tunnel to the partner"},
				rule{proto: "icmp", from: -1, to: -1, cidr: "0.0.0.0/0", desc: "ping"})
		},
		func() error { return s.eni(subnet, "redis-1", false, "analytics-redis") },
		func() error { return s.eni(subnet, "ops-1", false, "ops-tools") },
	}
	return runAll(steps)
}

func runAll(steps []func() error) error {
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func tags(rt types.ResourceType, name string, kv ...string) []types.TagSpecification {
	t := []types.Tag{{Key: aws.String("Name"), Value: aws.String(name)}}
	for i := 0; i+1 < len(kv); i += 2 {
		t = append(t, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return []types.TagSpecification{{ResourceType: rt, Tags: t}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// subnetOf turns 10.10.0.0/16 into 10.10.1.0/24.
func subnetOf(vpcCIDR string) string {
	var a, b int
	fmt.Sscanf(vpcCIDR, "%d.%d.", &a, &b)
	return fmt.Sprintf("%d.%d.1.0/24", a, b)
}
