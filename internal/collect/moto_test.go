package collect

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/faultproxy"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// motoServer is shared by this package's integration tests and started on
// first use, so `go test -run TestNormalize` never starts it.
var motoServer moto.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	motoServer.Close()
	os.Exit(code)
}

// seeded holds the ids the seeding created in one region.
type seeded struct {
	region                              string
	vpc, web, db, cluster, app, unused  string
	ourDefault, instance, instanceENI   string
	standaloneENI, publicIP, instanceIP string
}

// seedRegion builds, through the SDK, one VPC with groups that exercise
// every normalisation rule: SSH from the world, HTTPS from 0.0.0.0/0 and
// ::/0 in one permission, a group reference, a self-referencing group, an
// egress reference, an unused group, an instance and a standalone
// interface with an Elastic IP.
func seedRegion(t *testing.T, ctx context.Context, s *moto.Server, region, cidrPrefix string) seeded {
	t.Helper()
	c := ec2.NewFromConfig(s.Config(ctx, region))
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s: %s: %v", region, what, err)
		}
	}
	out := seeded{region: region}
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidrPrefix + ".0.0/16")})
	must(err, "create VPC")
	out.vpc = *vpc.Vpc.VpcId
	subnet, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidrPrefix + ".1.0/24")})
	must(err, "create subnet")
	// Instances launched here get a public IP, like a public subnet's.
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: subnet.Subnet.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}})
	must(err, "make the subnet public")

	newGroup := func(name, desc string, tags ...types.Tag) string {
		in := &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(desc), VpcId: vpc.Vpc.VpcId}
		if len(tags) > 0 {
			in.TagSpecifications = []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroup, Tags: tags}}
		}
		g, err := c.CreateSecurityGroup(ctx, in)
		must(err, "create group "+name)
		return *g.GroupId
	}
	out.web = newGroup("web", "web servers", types.Tag{Key: aws.String("env"), Value: aws.String("prod")})
	out.db = newGroup("db", "database")
	out.cluster = newGroup("cluster", "nodes talk to each other")
	out.app = newGroup("app", "app servers")
	out.unused = newGroup("unused", "nobody uses this")

	pair := func(id string) []types.UserIdGroupPair {
		return []types.UserIdGroupPair{{GroupId: aws.String(id), UserId: aws.String(moto.AccountID)}}
	}
	ingress := func(group string, perms ...types.IpPermission) {
		_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(group), IpPermissions: perms})
		must(err, "authorize ingress on "+group)
	}
	ingress(out.web,
		types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0"), Description: aws.String("ssh from anywhere")}}},
		types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges:   []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
			Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0"), Description: aws.String("https v6")}}},
	)
	ingress(out.db, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(out.web), UserId: aws.String(moto.AccountID), Description: aws.String("from web")}}})
	ingress(out.cluster, types.IpPermission{IpProtocol: aws.String("-1"), UserIdGroupPairs: pair(out.cluster)})
	_, err = c.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: aws.String(out.app),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), UserIdGroupPairs: pair(out.db)}}})
	must(err, "authorize egress on app")

	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{out.vpc}}, {Name: aws.String("group-name"), Values: []string{"default"}}}})
	must(err, "find the VPC's default group")
	out.ourDefault = *groups.SecurityGroups[0].GroupId

	// moto accepts any AMI id when its default AMIs are not loaded.
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: types.InstanceTypeT3Micro, SubnetId: subnet.Subnet.SubnetId, SecurityGroupIds: []string{out.web}})
	must(err, "run instance")
	out.instance = *run.Instances[0].InstanceId
	out.instanceENI = *run.Instances[0].NetworkInterfaces[0].NetworkInterfaceId
	out.instanceIP = aws.ToString(run.Instances[0].PublicIpAddress)

	eni, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subnet.Subnet.SubnetId,
		Groups: []string{out.db, out.app}, Description: aws.String("standalone interface")})
	must(err, "create interface")
	out.standaloneENI = *eni.NetworkInterface.NetworkInterfaceId
	addr, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	must(err, "allocate address")
	_, err = c.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: aws.String(out.standaloneENI)})
	must(err, "associate address")
	out.publicIP = *addr.PublicIp
	return out
}

// ruleView is a rule without its generated id, for exact comparison.
type ruleView struct {
	Direction        inventory.Direction
	Protocol         string
	FromPort, ToPort int
	Peer             string
	Description      string
}

func viewRules(t *testing.T, g inventory.SecurityGroup) []ruleView {
	t.Helper()
	var out []ruleView
	for _, r := range g.Rules.All() {
		if !strings.HasPrefix(r.ID, "sgr-") {
			t.Errorf("%s: rule %s has no id from DescribeSecurityGroupRules", g.ID, r.Key())
		}
		peer := string(r.Peer.Kind) + " " + r.Peer.CIDR + r.Peer.PrefixListID + r.Peer.GroupID
		if r.Peer.GroupOwner != "" {
			peer += " owner " + r.Peer.GroupOwner
		}
		out = append(out, ruleView{r.Direction, r.Protocol, r.FromPort, r.ToPort, peer, r.Description})
	}
	return out
}

func TestCollectAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	regions := []seeded{seedRegion(t, ctx, s, "eu-west-1", "10.1"), seedRegion(t, ctx, s, "us-west-2", "10.2")}
	// Outside an organisation, the account's IAM alias is its name.
	if _, err := iam.NewFromConfig(s.Config(ctx, "eu-west-1")).CreateAccountAlias(ctx,
		&iam.CreateAccountAliasInput{AccountAlias: aws.String("corp-audit-test")}); err != nil {
		t.Fatalf("seed: create account alias: %v", err)
	}

	start := time.Now()
	inv, err := Collect(ctx, s.Config(ctx, "eu-west-1"), Options{
		Regions: []string{"us-west-2", "eu-west-1"},
		Now:     func() time.Time { return fixedNow },
	})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	t.Logf("Collect of 2 seeded regions took %v", time.Since(start))

	// Each region has moto's default VPC with its default group, plus ours:
	// our VPC's default group and five groups.
	wantCoverage := []inventory.Coverage{
		{AccountID: moto.AccountID, Region: "eu-west-1", Status: inventory.CoverageOK, Collected: motoKinds, SecurityGroups: 7, Detail: motoUnsupported},
		{AccountID: moto.AccountID, Region: "us-west-2", Status: inventory.CoverageOK, Collected: motoKinds, SecurityGroups: 7, Detail: motoUnsupported},
	}
	if diff := cmp.Diff(wantCoverage, inv.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]inventory.Account{{ID: moto.AccountID, Name: "corp-audit-test", Partition: "aws"}}, inv.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}

	byID := map[string]inventory.SecurityGroup{}
	for _, g := range inv.SecurityGroups {
		byID[g.ID] = g
	}
	allEgress := ruleView{inventory.Egress, "all", 0, 65535, "cidr_ipv4 0.0.0.0/0", ""}
	for _, r := range regions {
		t.Run(r.region, func(t *testing.T) {
			sgPeer := func(id string) string { return "security_group " + id + " owner " + moto.AccountID }
			want := map[string][]ruleView{
				r.web: {
					allEgress,
					{inventory.Ingress, "tcp", 22, 22, "cidr_ipv4 0.0.0.0/0", "ssh from anywhere"},
					{inventory.Ingress, "tcp", 443, 443, "cidr_ipv4 0.0.0.0/0", ""},
					{inventory.Ingress, "tcp", 443, 443, "cidr_ipv6 ::/0", "https v6"},
				},
				r.db:         {allEgress, {inventory.Ingress, "tcp", 5432, 5432, sgPeer(r.web), "from web"}},
				r.cluster:    {allEgress, {inventory.Ingress, "all", 0, 65535, sgPeer(r.cluster), ""}},
				r.app:        {allEgress, {inventory.Egress, "tcp", 5432, 5432, sgPeer(r.db), ""}},
				r.unused:     {allEgress},
				r.ourDefault: {allEgress}, // moto's default groups have no ingress rule
			}
			sortViews := cmpopts.SortSlices(func(a, b ruleView) bool { return fmt.Sprint(a) < fmt.Sprint(b) })
			for id, wantRules := range want {
				g, ok := byID[id]
				if !ok {
					t.Errorf("group %s missing from the inventory", id)
					continue
				}
				if diff := cmp.Diff(wantRules, viewRules(t, g), sortViews); diff != "" {
					t.Errorf("%s (%s) rules (-want +got):\n%s", g.Name, id, diff)
				}
				wantARN := "arn:aws:ec2:" + r.region + ":" + moto.AccountID + ":security-group/" + id
				if g.ARN != wantARN || g.Region != r.region || g.VPCID != r.vpc || g.AccountID != moto.AccountID {
					t.Errorf("%s: arn, region, vpc, account = %s %s %s %s", id, g.ARN, g.Region, g.VPCID, g.AccountID)
				}
			}

			resource := func(id string) string { // what the interface evidence says, "" if none
				if a := byID[id].Attachments; len(a) > 0 {
					return a[0].Resource
				}
				return ""
			}
			usedBy := map[string][]inventory.Evidence{
				r.web: {
					{Kind: inventory.UsedByENI, ID: r.instanceENI, Detail: r.instance},
					{Kind: inventory.UsedBySGReference, ID: r.db, Detail: "ingress"},
				},
				r.db: {
					{Kind: inventory.UsedByENI, ID: r.standaloneENI, Detail: resource(r.db)},
					{Kind: inventory.UsedBySGReference, ID: r.app, Detail: "egress"},
				},
				r.app:        {{Kind: inventory.UsedByENI, ID: r.standaloneENI, Detail: resource(r.app)}},
				r.cluster:    {}, // its only reference is to itself
				r.unused:     {},
				r.ourDefault: {},
			}
			for id, want := range usedBy {
				if diff := cmp.Diff(want, byID[id].UsedBy); diff != "" {
					t.Errorf("%s used_by (-want +got):\n%s", byID[id].Name, diff)
				}
			}

			wantAttach := map[string][]inventory.Attachment{
				r.web: {{NetworkInterfaceID: r.instanceENI, InterfaceType: "interface", PublicIP: r.instanceIP, Resource: r.instance}},
				r.db:  {{NetworkInterfaceID: r.standaloneENI, InterfaceType: "interface", PublicIP: r.publicIP}},
			}
			ignoreResource := cmpopts.IgnoreFields(inventory.Attachment{}, "Resource")
			for id, want := range wantAttach {
				got := byID[id].Attachments
				opts := cmp.Options{}
				if id == r.db {
					// A standalone interface has no instance; its resource is
					// whatever moto puts in RequesterId and the description.
					opts = append(opts, ignoreResource)
					if len(got) == 1 && !strings.Contains(got[0].Resource, "standalone interface") {
						t.Errorf("standalone interface resource = %q, want its description in it", got[0].Resource)
					}
				}
				if diff := cmp.Diff(want, got, opts...); diff != "" {
					t.Errorf("%s attachments (-want +got):\n%s", byID[id].Name, diff)
				}
			}
			if r.publicIP == "" || r.instanceIP == "" {
				t.Errorf("seeding gave no public IP: interface %q, instance %q", r.publicIP, r.instanceIP)
			}
		})
	}

	// The derived VPC list counts interfaces: two in each of our VPCs.
	for _, r := range regions {
		i := slices.IndexFunc(inv.VPCs, func(v inventory.VPC) bool { return v.ID == r.vpc })
		if i < 0 || inv.VPCs[i].NetworkInterfaces != 2 || inv.VPCs[i].Region != r.region {
			t.Errorf("VPC %s in %s missing or wrong: %+v", r.vpc, r.region, inv.VPCs)
		}
	}
}

// TestCollectMotoDefaultRegions runs Collect with no region list: moto's
// DescribeRegions also returns GovCloud, China and not-opted-in regions,
// none of which may be scanned.
func TestCollectMotoDefaultRegions(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	start := time.Now()
	inv, err := Collect(ctx, s.Config(ctx, "us-east-1"), Options{})
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	t.Logf("Collect of every default region (%d) took %v", len(inv.Coverage), time.Since(start))

	var regions []string
	for _, c := range inv.Coverage {
		regions = append(regions, c.Region)
		if c.Status != inventory.CoverageOK {
			t.Errorf("region %s: status %s (%s)", c.Region, c.Status, c.Detail)
		}
		if strings.HasPrefix(c.Region, "us-gov-") || strings.HasPrefix(c.Region, "cn-") {
			t.Errorf("region %s of another partition was scanned", c.Region)
		}
	}
	// Spot checks: enabled regions present, not-opted-in ones absent.
	for _, r := range []string{"us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"} {
		if !slices.Contains(regions, r) {
			t.Errorf("enabled region %s not scanned; scanned %v", r, regions)
		}
	}
	for _, r := range []string{"ap-east-1", "me-south-1", "il-central-1"} {
		if slices.Contains(regions, r) {
			t.Errorf("not-opted-in region %s scanned", r)
		}
	}
	if len(regions) < 15 {
		t.Errorf("only %d regions scanned: %v", len(regions), regions)
	}
}

// TestCollectBareServerErrorsAgainstMoto puts the fault proxy between the
// SDK and moto. An HTML 500 on DescribeSecurityGroups, once its retries are
// spent, is a coverage error in every region, with no group reported
// (before, it gave an empty region that counted as complete, and a clean
// report). The same answer on DescribeStaleSecurityGroups, an optional
// kind an endpoint may lack, only leaves that kind uncollected; the rest
// of the region is read as without the fault. Each failing call is tried
// bareServerErrorAttempts times, counted at the proxy; moto's own HTML 500
// for DescribeSecurityGroupReferences is retried the same way.
func TestCollectBareServerErrorsAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	regions := []string{"eu-west-1", "us-west-2"}
	seedRegion(t, ctx, s, "eu-west-1", "10.1")
	seedRegion(t, ctx, s, "us-west-2", "10.2")
	opts := Options{Regions: regions, Now: func() time.Time { return fixedNow }}
	baseline, err := Collect(ctx, s.Config(ctx, "us-east-1"), opts)
	if err != nil {
		t.Fatalf("Collect without faults: %v", err)
	}
	vpcs := map[string]map[string]bool{} // region → VPCs holding groups
	for _, g := range baseline.SecurityGroups {
		if vpcs[g.Region] == nil {
			vpcs[g.Region] = map[string]bool{}
		}
		vpcs[g.Region][g.VPCID] = true
	}

	// attempts counts the proxy's calls of one EC2 action per region, and
	// checks that each got the fault expected.
	attempts := func(t *testing.T, p *faultproxy.Proxy, action, injected string) map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, c := range p.Calls() {
			if c.Service == "ec2" && c.Action == action {
				out[c.Region]++
				if c.Injected != injected {
					t.Errorf("%s in %s: injected %q, want %q", action, c.Region, c.Injected, injected)
				}
			}
		}
		return out
	}

	t.Run("DescribeSecurityGroups", func(t *testing.T) {
		p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, ServerErrorActions: []string{"DescribeSecurityGroups"}})
		inv, err := Collect(ctx, proxiedConfig(ctx, s, p), opts)
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		var want []inventory.Coverage
		for _, r := range regions {
			want = append(want, inventory.Coverage{AccountID: moto.AccountID, Region: r, Status: inventory.CoverageError,
				Collected: []string{}, FailedAPI: "DescribeSecurityGroups",
				Detail: "DescribeSecurityGroups: HTTP 500 without an AWS error code"})
		}
		if diff := cmp.Diff(want, inv.Coverage); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		if len(inv.SecurityGroups) != 0 || inv.Complete() {
			t.Errorf("%d groups, Complete() = %v; want none, false", len(inv.SecurityGroups), inv.Complete())
		}
		wantAttempts := map[string]int{"eu-west-1": bareServerErrorAttempts, "us-west-2": bareServerErrorAttempts}
		if diff := cmp.Diff(wantAttempts, attempts(t, p, "DescribeSecurityGroups", faultproxy.FaultServerError)); diff != "" {
			t.Errorf("DescribeSecurityGroups attempts per region (-want +got):\n%s", diff)
		}
		// Nothing that needs the groups was asked.
		if n := attempts(t, p, "DescribeStaleSecurityGroups", ""); len(n) != 0 {
			t.Errorf("DescribeStaleSecurityGroups called without groups: %v", n)
		}
	})

	t.Run("DescribeStaleSecurityGroups", func(t *testing.T) {
		p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, ServerErrorActions: []string{"DescribeStaleSecurityGroups"}})
		inv, err := Collect(ctx, proxiedConfig(ctx, s, p), opts)
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		for _, c := range inv.Coverage {
			if c.Status != inventory.CoverageOK || slices.Contains(c.Collected, inventory.KindStaleReferences) ||
				!strings.Contains(c.Detail, "DescribeStaleSecurityGroups: not supported by this endpoint (HTTP 500 without an AWS error code)") {
				t.Errorf("%s: want ok without stale references, with the reason: %+v", c.Region, c)
			}
		}
		// The rest of the region is exactly what a scan without the
		// fault reads.
		if diff := cmp.Diff(baseline.SecurityGroups, inv.SecurityGroups); diff != "" {
			t.Errorf("groups (-without +with the fault):\n%s", diff)
		}
		if diff := cmp.Diff(regionsOf(baseline.Coverage), regionsOf(inv.Coverage)); diff != "" {
			t.Errorf("coverage regions (-without +with):\n%s", diff)
		}
		// One call per VPC, all at once; the first to fail, after its
		// attempts, cancels the others, which may have made fewer.
		stale := attempts(t, p, "DescribeStaleSecurityGroups", faultproxy.FaultServerError)
		for _, r := range regions {
			if n, most := stale[r], bareServerErrorAttempts*len(vpcs[r]); n < bareServerErrorAttempts || n > most {
				t.Errorf("%s: %d DescribeStaleSecurityGroups attempts, want %d to %d (%d VPCs)", r, n, bareServerErrorAttempts, most, len(vpcs[r]))
			}
		}
		// moto answers DescribeSecurityGroupReferences with its own HTML
		// 500, forwarded: one chunk per region, tried as often.
		wantRefs := map[string]int{"eu-west-1": bareServerErrorAttempts, "us-west-2": bareServerErrorAttempts}
		if diff := cmp.Diff(wantRefs, attempts(t, p, "DescribeSecurityGroupReferences", "")); diff != "" {
			t.Errorf("DescribeSecurityGroupReferences attempts per region (-want +got):\n%s", diff)
		}
	})
}
