package collect

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/internal/faultproxy"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// useWorld is a region where each supported service names a group that
// nothing else uses: no interface carries it, no launch template or
// other group's rule names it.
type useWorld struct {
	region string
	vpc    string
	// used maps each such group to the evidence that must clear it.
	used map[string]inventory.Evidence
	// unused are groups nothing names: SGA008 must still report them.
	unused []string
	// fakes are the references the fakes of the kinds moto lacks
	// (motoLacks) answer with, each naming a group of its own.
	fakes map[string][]useRef
}

// collector is a collector of the world's region whose kinds moto lacks
// are fakes behind the collector interface.
func (w useWorld) collector(cfg aws.Config) *collector {
	c := newCollector(cfg, Options{Regions: []string{w.region}, Now: func() time.Time { return fixedNow }})
	for i, k := range c.useKinds {
		if refs, ok := w.fakes[k.Kind]; ok {
			f := &fakeUses{calls: map[string]int{}, refs: map[string][]useRef{w.region: refs}}
			c.useKinds[i].collector = f
			if k.Kind == "rds_proxy" {
				c.useKinds[i].collector = &proxyEndpointsFake{endpoints: f}
			}
		}
	}
	return c
}

// useNet is what the seeding of one service needs.
type useNet struct {
	cfg     aws.Config
	region  string
	vpc     string
	subnets []string // two, in two availability zones
	role    string   // an IAM role ARN services can be given
	profile string   // an instance profile ARN with that role
	// group creates a group that nothing else uses.
	group func(name string) string
}

// motoFakes are the kinds the world reads from fakes: those moto lacks,
// and those whose resources moto 5.2 can create but not give back: DMS
// answers replication instances with timestamps the SDK cannot decode (an
// ISO string for a float), ElastiCache leaves SecurityGroups out of its
// cache clusters, Elastic Beanstalk has no DescribeConfigurationSettings.
var motoFakes = append([]string{"dms", "elasticache", "elasticbeanstalk"}, motoLacks...)

// useSeeds seed, through the SDK, one resource per service that names a
// fresh group, and return the group and the evidence that must name the
// resource.
var useSeeds = []struct {
	kind string
	seed func(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence)
}{
	{"lambda", seedLambda},
	{"ecs", seedECS},
	{"events", seedEvents},
	{"scheduler", seedScheduler},
	{"scheduler", seedSchedulerUniversal},
	{"pipes", seedPipeTarget},
	{"pipes", seedPipeKafkaSource},
	{"batch", seedBatch},
	{"codebuild", seedCodeBuild},
	{"eks", seedEKSCluster},
	{"eks", seedEKSNodegroup},
	{"rds", seedRDSInstance},
	{"rds", seedRDSCluster},
	{"rds_proxy", seedRDSProxy},
	{"redshift", seedRedshift},
	{"opensearch", seedOpenSearch},
	{"msk", seedMSK},
	{"efs", seedEFS},
	{"emr", seedEMR},
	{"emr_serverless", seedEMRServerless},
	{"sagemaker", seedSageMaker},
	{"sagemaker", seedSageMakerModel},
	{"glue", seedGlue},
	{"vpc_endpoint", seedVPCEndpoint},
	{"route53resolver", seedResolverEndpoint},
	{"spot_fleet", seedSpotFleet},
	{"ec2_fleet", seedEC2Fleet},
	{"elbv2", seedELBv2},
	{"elb", seedELB},
}

func seedLambda(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("lambda-only")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("index.py")
	_, _ = w.Write([]byte("def handler(event, context):\n    return 1\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := lambda.NewFromConfig(n.cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("idle-worker"),
		Role:         aws.String(n.role),
		Runtime:      lambdatypes.RuntimePython312,
		Handler:      aws.String("index.handler"),
		Code:         &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()},
		VpcConfig:    &lambdatypes.VpcConfig{SubnetIds: n.subnets[:1], SecurityGroupIds: []string{g}},
	})
	if err != nil {
		t.Fatalf("seed lambda: %v", err)
	}
	return g, inventory.Evidence{Kind: "lambda", ID: aws.ToString(out.FunctionArn)}
}

func seedRDSInstance(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("rds-instance-only")
	out, err := rds.NewFromConfig(n.cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String("stopped-db"),
		DBInstanceClass:      aws.String("db.t3.micro"),
		Engine:               aws.String("postgres"),
		AllocatedStorage:     aws.Int32(20),
		MasterUsername:       aws.String("admin"),
		MasterUserPassword:   aws.String("not-a-secret-1"),
		VpcSecurityGroupIds:  []string{g},
	})
	if err != nil {
		t.Fatalf("seed RDS instance: %v", err)
	}
	return g, inventory.Evidence{Kind: "rds", ID: aws.ToString(out.DBInstance.DBInstanceArn)}
}

func seedRDSCluster(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("rds-cluster-only")
	out, err := rds.NewFromConfig(n.cfg).CreateDBCluster(ctx, &rds.CreateDBClusterInput{
		DBClusterIdentifier: aws.String("graph-cluster"),
		Engine:              aws.String("neptune"),
		MasterUsername:      aws.String("admin"),
		MasterUserPassword:  aws.String("not-a-secret-1"),
		VpcSecurityGroupIds: []string{g},
	})
	if err != nil {
		t.Fatalf("seed RDS cluster: %v", err)
	}
	return g, inventory.Evidence{Kind: "rds", ID: aws.ToString(out.DBCluster.DBClusterArn)}
}

func seedELBv2(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("alb-only")
	out, err := elbv2.NewFromConfig(n.cfg).CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String("web"), Subnets: n.subnets, SecurityGroups: []string{g},
	})
	if err != nil {
		t.Fatalf("seed ALB: %v", err)
	}
	return g, inventory.Evidence{Kind: "elbv2", ID: aws.ToString(out.LoadBalancers[0].LoadBalancerArn)}
}

func seedELB(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("clb-only")
	_, err := elb.NewFromConfig(n.cfg).CreateLoadBalancer(ctx, &elb.CreateLoadBalancerInput{
		LoadBalancerName: aws.String("legacy"),
		Listeners:        []elbtypes.Listener{{Protocol: aws.String("HTTP"), LoadBalancerPort: 80, InstancePort: aws.Int32(80)}},
		Subnets:          n.subnets[:1],
		SecurityGroups:   []string{g},
	})
	if err != nil {
		t.Fatalf("seed Classic Load Balancer: %v", err)
	}
	return g, inventory.Evidence{Kind: "elb", ID: "arn:aws:elasticloadbalancing:" + n.region + ":" + moto.AccountID + ":loadbalancer/legacy"}
}

// seedUseWorld builds the world in one region of a reset moto.
func seedUseWorld(t *testing.T, ctx context.Context, s *moto.Server, region string) useWorld {
	t.Helper()
	n := seedUseNet(t, ctx, s, region)
	w := useWorld{region: region, vpc: n.vpc, used: map[string]inventory.Evidence{}, fakes: map[string][]useRef{}}
	for _, s := range useSeeds {
		g, ev := s.seed(t, ctx, n)
		w.used[g] = ev
	}
	for _, kind := range motoFakes {
		g := n.group(kind + "-only")
		arn := "arn:aws:" + kind + ":" + region + ":" + moto.AccountID + ":fake/" + kind
		w.fakes[kind] = []useRef{{Group: g, ID: arn}}
		w.used[g] = inventory.Evidence{Kind: inventory.EvidenceKind(kind), ID: arn}
	}
	w.unused = []string{n.group("truly-unused")}
	return w
}

// seedUseNet makes the VPC, subnets, role and instance profile the seeds
// need.
func seedUseNet(t *testing.T, ctx context.Context, s *moto.Server, region string) useNet {
	t.Helper()
	cfg := s.Config(ctx, region)
	c := ec2.NewFromConfig(cfg)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.7.0.0/16")})
	if err != nil {
		t.Fatalf("seed VPC: %v", err)
	}
	n := useNet{cfg: cfg, region: region, vpc: aws.ToString(vpc.Vpc.VpcId)}
	for i, az := range []string{"a", "b"} {
		sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId,
			CidrBlock: aws.String(fmt.Sprintf("10.7.%d.0/24", i)), AvailabilityZone: aws.String(region + az)})
		if err != nil {
			t.Fatalf("seed subnet: %v", err)
		}
		n.subnets = append(n.subnets, aws.ToString(sn.Subnet.SubnetId))
	}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("service-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	if err != nil {
		t.Fatalf("seed role: %v", err)
	}
	n.role = aws.ToString(role.Role.Arn)
	ip, err := iam.NewFromConfig(cfg).CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("service-profile")})
	if err != nil {
		t.Fatalf("seed instance profile: %v", err)
	}
	n.profile = aws.ToString(ip.InstanceProfile.Arn)
	n.group = func(name string) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name),
			Description: aws.String("named only by a service's configuration"), VpcId: vpc.Vpc.VpcId})
		if err != nil {
			t.Fatalf("seed group %s: %v", name, err)
		}
		return aws.ToString(g.GroupId)
	}
	return n
}

// evaluate runs the built-in policies on inv.
func evaluate(t *testing.T, ctx context.Context, inv *inventory.Inventory) []findings.Finding {
	t.Helper()
	eng, err := engine.Load(ctx, policies.FS, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	found, _, err := eng.Evaluate(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// unusedFindings maps group id → SGA008 finding, for the groups of vpc.
func unusedFindings(found []findings.Finding, vpc string) map[string]findings.Finding {
	out := map[string]findings.Finding{}
	for _, f := range found {
		if f.CheckID == "SGA008" && f.VPCID == vpc {
			out[f.GroupID] = f
		}
	}
	return out
}

// TestProofOfUseAgainstMoto: on a moto world where each supported service
// names a group nothing else uses, no such group is reported unused, each
// carries evidence naming the resource, and the truly unused group still
// is reported, guarded only by what moto lacks (cross-VPC references). Collected through the
// fault proxy (no faults), every service is listed once per region.
func TestProofOfUseAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	start := time.Now()
	w := seedUseWorld(t, ctx, s, region)
	t.Logf("seeded %d services in %v", len(useSeeds), time.Since(start))

	p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint})
	cfg := s.Config(ctx, region)
	cfg.BaseEndpoint = aws.String(p.URL())
	start = time.Now()
	inv, err := w.collector(cfg).run(ctx)
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	t.Logf("collected in %v", time.Since(start))
	if len(inv.Coverage) != 1 || inv.Coverage[0].Status != inventory.CoverageOK {
		t.Fatalf("coverage %+v, want one ok row", inv.Coverage)
	}
	// Every kind, the fakes' included, but the references moto lacks.
	wantKinds := append(allKinds(inventory.KindReferences, inventory.KindStaleReferences), ProofOfUseKinds()...)
	slices.Sort(wantKinds)
	if diff := cmp.Diff(wantKinds, inv.Coverage[0].Collected); diff != "" {
		t.Errorf("collected kinds (-want +got):\n%s", diff)
	}

	byID := map[string]inventory.SecurityGroup{}
	for _, g := range inv.SecurityGroups {
		byID[g.ID] = g
	}
	for g, want := range w.used {
		got := byID[g].UsedBy
		if !slices.Contains(got, want) {
			t.Errorf("%s (%s): used_by %v, want it to hold %v", g, byID[g].Name, got, want)
		}
	}

	unused := unusedFindings(evaluate(t, ctx, inv), w.vpc)
	for g, ev := range w.used {
		if f, ok := unused[g]; ok {
			t.Errorf("%s, named by %s %s, reported unused: %s", g, ev.Kind, ev.ID, f.Message)
		}
	}
	for _, g := range w.unused {
		f, ok := unused[g]
		if !ok {
			t.Errorf("%s is named by nothing but is not reported unused", g)
			continue
		}
		// Every kind was read but the cross-VPC references moto lacks.
		if diff := cmp.Diff([]any{"security_group_references"}, f.Evidence["not_checked"]); diff != "" {
			t.Errorf("%s: evidence not_checked (-want +got):\n%s", g, diff)
		}
	}

	// One listing per service per region: moto answers each in one page,
	// and nothing is called per group.
	perAction := map[string]int{}
	for _, c := range p.Calls() {
		if c.Region == region {
			perAction[c.Service+":"+c.Action]++
		}
	}
	// Each kind's calls, by IAM action (which is also the signing name and
	// operation the proxy sees); both load balancer kinds call
	// elasticloadbalancing:DescribeLoadBalancers.
	want, got := map[string]int{}, map[string]int{}
	for _, k := range useKinds() {
		for _, a := range k.IAM {
			if w.fakes[k.Kind] == nil {
				want[a]++
				got[a] = perAction[a]
			}
		}
	}
	// The world has no SageMaker domain, so none is described; ECS lists
	// the services of each cluster moto has.
	want["sagemaker:DescribeDomain"] = 0
	// Two pipes, each described; of the three schedules, the one that
	// targets ECS and the universal target are read, not the Lambda one.
	want["pipes:DescribePipe"] = 2
	want["scheduler:GetSchedule"] = 2
	// RDS proxies are read from moto, their endpoints from a fake
	// (proxyEndpointsFake).
	want["rds:DescribeDBProxies"], got["rds:DescribeDBProxies"] = 1, perAction["rds:DescribeDBProxies"]
	want["rds:DescribeDBProxyEndpoints"], got["rds:DescribeDBProxyEndpoints"] = 0, perAction["rds:DescribeDBProxyEndpoints"]
	// Launch template versions are read for the launch templates named,
	// one call each: the world's two fleets name one each, its Batch
	// compute environment and EKS node group none.
	want["ec2:DescribeLaunchTemplateVersions"] = 2
	clusters, err := ecs.NewFromConfig(s.Config(ctx, region)).ListClusters(ctx, &ecs.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	want["ecs:ListServices"] = len(clusters.ClusterArns)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls per action in %s (-want +got):\n%s", region, diff)
	}
}

// TestProofOfUseDeniedServiceAgainstMoto: with Lambda denied (a fake
// behind the collector interface answers ListFunctions with
// AccessDeniedException, as IAM would), the group only Lambda names is
// reported with "not checked: Lambda functions could not be read (...)"
// and a delete guarded by the Lambda check, never as plainly unused; the
// row is denied; the other services' groups are still cleared by their
// evidence and the truly unused group is still reported.
func TestProofOfUseDeniedServiceAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "eu-west-1"
	w := seedUseWorld(t, ctx, s, region)

	c := w.collector(s.Config(ctx, region))
	for i := range c.useKinds {
		if c.useKinds[i].Kind == "lambda" {
			c.useKinds[i].collector = useFunc(func(context.Context, *useReader) ([]useRef, error) {
				return nil, &useError{op: "ListFunctions", err: apiError("AccessDeniedException")}
			})
		}
	}
	inv, err := c.run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row := inv.Coverage[0]
	if row.Status != inventory.CoverageDenied || row.FailedAPI != "lambda:ListFunctions" || row.ErrorCode != "AccessDeniedException" ||
		slices.Contains(row.Collected, "lambda") || !slices.Contains(row.Collected, "rds") {
		t.Errorf("coverage row %+v: want denied at lambda:ListFunctions, lambda not collected, rds collected", row)
	}

	unused := unusedFindings(evaluate(t, ctx, inv), w.vpc)
	for g, ev := range w.used {
		f, reported := unused[g]
		if ev.Kind != "lambda" {
			if reported {
				t.Errorf("%s, named by %s %s, reported unused: %s", g, ev.Kind, ev.ID, f.Message)
			}
			continue
		}
		if !reported {
			t.Fatalf("%s: no SGA008 finding while Lambda was not checked", g)
		}
		wantMsg := "not checked: cross-VPC references, Lambda functions could not be read (lambda:ListFunctions: AccessDeniedException: message for AccessDeniedException) (checked: "
		if !strings.Contains(f.Message, wantMsg) {
			t.Errorf("%s: message %q, want it to contain %q", g, f.Message, wantMsg)
		}
		wantRem := "aws ec2 describe-security-group-references --region " + region + " --group-id " + g +
			" --query 'SecurityGroupReferenceSet[].[ReferencingVpcId,VpcPeeringConnectionId,TransitGatewayId]' --output text && " +
			"aws lambda list-functions --region " + region + " --function-version ALL --query 'Functions[?contains(VpcConfig.SecurityGroupIds || `[]`, `\"" + g + "\"`)].FunctionArn' --output text # each prints nothing if no cross-VPC reference or Lambda function names it; then: aws ec2 delete-security-group --region " + region + " --group-id " + g
		if f.Remediation != wantRem {
			t.Errorf("%s: remediation\n%s\nwant\n%s", g, f.Remediation, wantRem)
		}
		if diff := cmp.Diff([]any{"security_group_references", "lambda"}, f.Evidence["not_checked"]); diff != "" {
			t.Errorf("%s: evidence not_checked (-want +got):\n%s", g, diff)
		}
	}
	for _, g := range w.unused {
		if _, ok := unused[g]; !ok {
			t.Errorf("%s is named by nothing but is not reported unused", g)
		}
	}
}

// TestProofOfUseCallsOnAnEmptyRegion: where no service has a resource,
// proof of use costs one call per listing API, 36 in all (EventBridge
// lists the rules of its default bus), whatever the number of groups.
func TestProofOfUseCallsOnAnEmptyRegion(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	const region = "ap-southeast-2"
	c := ec2.NewFromConfig(s.Config(ctx, region))
	for i := range 50 {
		if _, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(fmt.Sprintf("g%d", i)),
			Description: aws.String("nothing uses it")}); err != nil {
			t.Fatal(err)
		}
	}
	p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint})
	cfg := s.Config(ctx, region)
	cfg.BaseEndpoint = aws.String(p.URL())
	w := useWorld{region: region, fakes: map[string][]useRef{}}
	for _, k := range motoLacks {
		w.fakes[k] = nil
	}
	col := w.collector(cfg)
	if _, err := col.run(ctx); err != nil {
		t.Fatal(err)
	}
	iam := map[string]bool{}
	for _, k := range useKinds() {
		for _, a := range k.IAM {
			iam[a] = true
		}
	}
	calls := 0
	for _, c := range p.Calls() {
		if c.Region == region && iam[c.Service+":"+c.Action] && c.Action != "DescribeLaunchTemplateVersions" {
			calls++
		}
	}
	for _, k := range col.useKinds {
		switch f := k.collector.(type) {
		case *fakeUses:
			calls += f.calls[region]
		case *proxyEndpointsFake:
			calls += f.endpoints.calls[region]
		}
	}
	if calls != 36 {
		t.Errorf("%d proof-of-use calls in an empty region, want 36", calls)
	}
}
