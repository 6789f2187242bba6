package collect

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/moto"
)

// reviewNet is a VPC with two subnets, a role and an instance profile in a
// reset moto, for the tests of single collectors.
func reviewNet(t *testing.T, ctx context.Context, s *moto.Server, region string) (useNet, *useReader) {
	t.Helper()
	w := seedUseNet(t, ctx, s, region)
	cfg := s.Config(ctx, region)
	c := newCollector(cfg, Options{Regions: []string{region}, Now: func() time.Time { return fixedNow }})
	r := &useReader{c: c, cfg: cfg, account: moto.AccountID, partition: "aws", region: region,
		log: slog.New(slog.DiscardHandler), kind: "test", service: "test"}
	return w, r
}

// pinnedTemplate makes a launch template whose version 1 names group g and
// whose version 2, $Default and $Latest, names none: only what pins
// version 1 names g.
func pinnedTemplate(t *testing.T, ctx context.Context, n useNet, name, g string) string {
	t.Helper()
	c := ec2.NewFromConfig(n.cfg)
	lt, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String(name),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678"), SecurityGroupIds: []string{g}}})
	must(t, "launch template", err)
	id := aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	_, err = c.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678")}})
	must(t, "launch template version 2", err)
	_, err = c.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("2")})
	must(t, "launch template default version", err)
	return id
}

// TestBatchPinnedLaunchTemplate: a Batch compute environment at zero vCPUs
// whose launch template pins version 1 launches its next instance with
// version 1's groups, which launch_templates ($Default, $Latest) does not
// read. The kind read only computeResources.securityGroupIds, so a group
// named only there was reported unused with a delete command.
func TestBatchPinnedLaunchTemplate(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	n, r := reviewNet(t, ctx, s, "eu-west-1")
	g := n.group("batch-template-only")
	own := n.group("batch-own") // moto needs securityGroupIds
	id := pinnedTemplate(t, ctx, n, "batch-pinned", g)
	out, err := batch.NewFromConfig(n.cfg).CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("pinned"), Type: batchtypes.CETypeManaged, ServiceRole: aws.String(n.role),
		ComputeResources: &batchtypes.ComputeResource{Type: batchtypes.CRTypeEc2, MinvCpus: aws.Int32(0), MaxvCpus: aws.Int32(4),
			DesiredvCpus: aws.Int32(0), InstanceTypes: []string{"optimal"}, Subnets: n.subnets[:1], InstanceRole: aws.String(n.profile),
			SecurityGroupIds: []string{own},
			LaunchTemplate:   &batchtypes.LaunchTemplateSpecification{LaunchTemplateId: aws.String(id), Version: aws.String("1")}},
	})
	must(t, "Batch compute environment", err)
	got, err := readBatch(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(out.ComputeEnvironmentArn)
	want := []useRef{{Group: own, ID: arn}, {Group: g, ID: arn, Detail: "launch template " + id + " version 1"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(useRef{})); diff != "" {
		t.Errorf("readBatch (-want +got):\n%s", diff)
	}
}

// TestEKSNodegroupPinnedLaunchTemplate: a managed node group pins a
// version of its launch template; at zero nodes, its next node gets that
// version's groups.
func TestEKSNodegroupPinnedLaunchTemplate(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	n, r := reviewNet(t, ctx, s, "eu-west-1")
	g := n.group("eks-template-only")
	id := pinnedTemplate(t, ctx, n, "eks-pinned", g)
	c := eks.NewFromConfig(n.cfg)
	_, err := c.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("platform"), RoleArn: aws.String(n.role),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: n.subnets}})
	must(t, "EKS cluster", err)
	ng, err := c.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String("platform"),
		NodegroupName: aws.String("workers"), NodeRole: aws.String(n.role), Subnets: n.subnets,
		ScalingConfig:  &ekstypes.NodegroupScalingConfig{MinSize: aws.Int32(0), MaxSize: aws.Int32(2), DesiredSize: aws.Int32(0)},
		LaunchTemplate: &ekstypes.LaunchTemplateSpecification{Id: aws.String(id), Version: aws.String("1")}})
	must(t, "EKS node group", err)
	got, err := readEKS(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	var mine []useRef
	for _, u := range got {
		if u.Group == g {
			mine = append(mine, u)
		}
	}
	want := []useRef{{Group: g, ID: aws.ToString(ng.Nodegroup.NodegroupArn), Detail: "launch template " + id + " version 1"}}
	if diff := cmp.Diff(want, mine, cmp.AllowUnexported(useRef{})); diff != "" {
		t.Errorf("readEKS, refs of %s (-want +got):\n%s", g, diff)
	}
}

// TestSpotFleetGroupByName: a Spot Fleet launch specification in a default
// VPC may name its group by name only; the kind kept GroupId alone and
// dropped it.
func TestSpotFleetGroupByName(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	n, r := reviewNet(t, ctx, s, "eu-west-1")
	n.group("spot-by-name")
	out, err := ec2.NewFromConfig(n.cfg).RequestSpotFleet(ctx, &ec2.RequestSpotFleetInput{SpotFleetRequestConfig: &ec2types.SpotFleetRequestConfigData{
		IamFleetRole: aws.String(n.role), TargetCapacity: aws.Int32(1), AllocationStrategy: ec2types.AllocationStrategyLowestPrice,
		LaunchSpecifications: []ec2types.SpotFleetLaunchSpecification{{ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeT3Micro,
			SubnetId: aws.String(n.subnets[0]), SecurityGroups: []ec2types.GroupIdentifier{{GroupName: aws.String("spot-by-name")}}}}}})
	must(t, "Spot Fleet request", err)
	got, err := readSpotFleets(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	want := []useRef{{Group: "spot-by-name", ID: aws.ToString(out.SpotFleetRequestId), Detail: "launch specification"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(useRef{})); diff != "" {
		t.Errorf("readSpotFleets (-want +got):\n%s", diff)
	}
}
