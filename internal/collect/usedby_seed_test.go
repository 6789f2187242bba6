package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	ostypes "github.com/aws/aws-sdk-go-v2/service/opensearch/types"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	r53rtypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The seeds below create, through the SDK against moto, one resource per
// service whose configuration names a fresh group (useSeeds).

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("seed %s: %v", what, err)
	}
}

func seedECS(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("ecs-service-only")
	c := ecs.NewFromConfig(n.cfg)
	_, err := c.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String("jobs")})
	must(t, "ECS cluster", err)
	td, err := c.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String("worker"),
		NetworkMode:          ecstypes.NetworkModeAwsvpc,
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("w"), Image: aws.String("busybox"), Memory: aws.Int32(128)}}})
	must(t, "ECS task definition", err)
	out, err := c.CreateService(ctx, &ecs.CreateServiceInput{Cluster: aws.String("jobs"), ServiceName: aws.String("scaled-to-zero"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(0),
		NetworkConfiguration: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: n.subnets[:1], SecurityGroups: []string{g}}}})
	must(t, "ECS service", err)
	return g, inventory.Evidence{Kind: "ecs", ID: aws.ToString(out.Service.ServiceArn)}
}

func seedEvents(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("events-target-only")
	c := eventbridge.NewFromConfig(n.cfg)
	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("nightly"), ScheduleExpression: aws.String("rate(1 day)")})
	must(t, "EventBridge rule", err)
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nightly"), Targets: []ebtypes.Target{{
		Id: aws.String("run-task"), Arn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":cluster/jobs"),
		RoleArn: aws.String(n.role),
		EcsParameters: &ebtypes.EcsParameters{TaskDefinitionArn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":task-definition/worker:1"),
			NetworkConfiguration: &ebtypes.NetworkConfiguration{AwsvpcConfiguration: &ebtypes.AwsVpcConfiguration{
				Subnets: n.subnets[:1], SecurityGroups: []string{g}}}},
	}}})
	must(t, "EventBridge target", err)
	return g, inventory.Evidence{Kind: "events", ID: aws.ToString(rule.RuleArn), Detail: "target run-task"}
}

func seedBatch(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("batch-only")
	out, err := batch.NewFromConfig(n.cfg).CreateComputeEnvironment(ctx, &batch.CreateComputeEnvironmentInput{
		ComputeEnvironmentName: aws.String("at-zero"), Type: batchtypes.CETypeManaged, ServiceRole: aws.String(n.role),
		ComputeResources: &batchtypes.ComputeResource{Type: batchtypes.CRTypeEc2, MinvCpus: aws.Int32(0), MaxvCpus: aws.Int32(4),
			DesiredvCpus: aws.Int32(0), InstanceTypes: []string{"optimal"}, Subnets: n.subnets[:1], SecurityGroupIds: []string{g},
			InstanceRole: aws.String(n.profile)},
	})
	must(t, "Batch compute environment", err)
	return g, inventory.Evidence{Kind: "batch", ID: aws.ToString(out.ComputeEnvironmentArn)}
}

func seedCodeBuild(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("codebuild-only")
	out, err := codebuild.NewFromConfig(n.cfg).CreateProject(ctx, &codebuild.CreateProjectInput{
		Name: aws.String("nightly-build"), ServiceRole: aws.String(n.role),
		Source:      &cbtypes.ProjectSource{Type: cbtypes.SourceTypeS3, Location: aws.String("builds/src.zip")},
		Artifacts:   &cbtypes.ProjectArtifacts{Type: cbtypes.ArtifactsTypeNoArtifacts},
		Environment: &cbtypes.ProjectEnvironment{Type: cbtypes.EnvironmentTypeLinuxContainer, Image: aws.String("aws/codebuild/standard:7.0"), ComputeType: cbtypes.ComputeTypeBuildGeneral1Small},
		VpcConfig:   &cbtypes.VpcConfig{VpcId: aws.String(n.vpc), Subnets: n.subnets[:1], SecurityGroupIds: []string{g}},
	})
	must(t, "CodeBuild project", err)
	return g, inventory.Evidence{Kind: "codebuild", ID: aws.ToString(out.Project.Arn)}
}

func seedEKSCluster(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("eks-additional-only")
	out, err := eks.NewFromConfig(n.cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String("platform"), RoleArn: aws.String(n.role),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: n.subnets, SecurityGroupIds: []string{g}}})
	must(t, "EKS cluster", err)
	return g, inventory.Evidence{Kind: "eks", ID: aws.ToString(out.Cluster.Arn), Detail: "additional security group"}
}

func seedEKSNodegroup(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("eks-remote-access-only")
	out, err := eks.NewFromConfig(n.cfg).CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String("platform"),
		NodegroupName: aws.String("workers"), NodeRole: aws.String(n.role), Subnets: n.subnets,
		RemoteAccess: &ekstypes.RemoteAccessConfig{Ec2SshKey: aws.String("ops"), SourceSecurityGroups: []string{g}}})
	must(t, "EKS node group", err)
	return g, inventory.Evidence{Kind: "eks", ID: aws.ToString(out.Nodegroup.NodegroupArn), Detail: "remote access"}
}

func seedRedshift(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("redshift-only")
	_, err := redshift.NewFromConfig(n.cfg).CreateCluster(ctx, &redshift.CreateClusterInput{
		ClusterIdentifier: aws.String("paused-warehouse"), NodeType: aws.String("ra3.xlplus"), MasterUsername: aws.String("admin"),
		MasterUserPassword: aws.String("Not-a-secret-1"), ClusterType: aws.String("single-node"), VpcSecurityGroupIds: []string{g}})
	must(t, "Redshift cluster", err)
	return g, inventory.Evidence{Kind: "redshift", ID: "arn:aws:redshift:" + n.region + ":" + moto.AccountID + ":cluster:paused-warehouse"}
}

func seedOpenSearch(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("opensearch-only")
	out, err := opensearch.NewFromConfig(n.cfg).CreateDomain(ctx, &opensearch.CreateDomainInput{DomainName: aws.String("search"),
		VPCOptions: &ostypes.VPCOptions{SubnetIds: n.subnets[:1], SecurityGroupIds: []string{g}}})
	must(t, "OpenSearch domain", err)
	return g, inventory.Evidence{Kind: "opensearch", ID: aws.ToString(out.DomainStatus.ARN)}
}

func seedMSK(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("msk-only")
	out, err := kafka.NewFromConfig(n.cfg).CreateClusterV2(ctx, &kafka.CreateClusterV2Input{ClusterName: aws.String("events"),
		Provisioned: &kafkatypes.ProvisionedRequest{KafkaVersion: aws.String("3.6.0"), NumberOfBrokerNodes: aws.Int32(2),
			BrokerNodeGroupInfo: &kafkatypes.BrokerNodeGroupInfo{InstanceType: aws.String("kafka.t3.small"), ClientSubnets: n.subnets, SecurityGroups: []string{g}}}})
	must(t, "MSK cluster", err)
	return g, inventory.Evidence{Kind: "msk", ID: aws.ToString(out.ClusterArn)}
}

func seedEFS(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("efs-only")
	c := efs.NewFromConfig(n.cfg)
	fs, err := c.CreateFileSystem(ctx, &efs.CreateFileSystemInput{CreationToken: aws.String("shared")})
	must(t, "EFS file system", err)
	mt, err := c.CreateMountTarget(ctx, &efs.CreateMountTargetInput{FileSystemId: fs.FileSystemId, SubnetId: aws.String(n.subnets[0]), SecurityGroups: []string{g}})
	must(t, "EFS mount target", err)
	return g, inventory.Evidence{Kind: "efs", ID: aws.ToString(fs.FileSystemArn), Detail: "mount target " + aws.ToString(mt.MountTargetId)}
}

func seedEMR(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("emr-additional-only")
	out, err := emr.NewFromConfig(n.cfg).RunJobFlow(ctx, &emr.RunJobFlowInput{Name: aws.String("etl"), ReleaseLabel: aws.String("emr-7.0.0"),
		JobFlowRole: aws.String("EMR_EC2_DefaultRole"), ServiceRole: aws.String("EMR_DefaultRole"),
		Instances: &emrtypes.JobFlowInstancesConfig{MasterInstanceType: aws.String("m5.xlarge"), SlaveInstanceType: aws.String("m5.xlarge"),
			InstanceCount: aws.Int32(1), KeepJobFlowAliveWhenNoSteps: aws.Bool(true), Ec2SubnetId: aws.String(n.subnets[0]),
			AdditionalMasterSecurityGroups: []string{g}}})
	must(t, "EMR cluster", err)
	return g, inventory.Evidence{Kind: "emr", ID: aws.ToString(out.ClusterArn), Detail: "additional"}
}

func seedSageMaker(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("sagemaker-notebook-only")
	out, err := sagemaker.NewFromConfig(n.cfg).CreateNotebookInstance(ctx, &sagemaker.CreateNotebookInstanceInput{
		NotebookInstanceName: aws.String("research"), InstanceType: smtypes.InstanceTypeMlT3Medium, RoleArn: aws.String(n.role),
		SubnetId: aws.String(n.subnets[0]), SecurityGroupIds: []string{g}})
	must(t, "SageMaker notebook instance", err)
	return g, inventory.Evidence{Kind: "sagemaker", ID: aws.ToString(out.NotebookInstanceArn), Detail: "notebook instance"}
}

func seedSageMakerModel(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("sagemaker-model-only")
	out, err := sagemaker.NewFromConfig(n.cfg).CreateModel(ctx, &sagemaker.CreateModelInput{ModelName: aws.String("ranker"),
		ExecutionRoleArn: aws.String(n.role), PrimaryContainer: &smtypes.ContainerDefinition{Image: aws.String("123456789012.dkr.ecr.eu-west-1.amazonaws.com/ranker:1")},
		VpcConfig: &smtypes.VpcConfig{Subnets: n.subnets[:1], SecurityGroupIds: []string{g}}})
	must(t, "SageMaker model", err)
	return g, inventory.Evidence{Kind: "sagemaker", ID: aws.ToString(out.ModelArn), Detail: "model"}
}

func seedGlue(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("glue-only")
	_, err := glue.NewFromConfig(n.cfg).CreateConnection(ctx, &glue.CreateConnectionInput{ConnectionInput: &gluetypes.ConnectionInput{
		Name: aws.String("warehouse-jdbc"), ConnectionType: gluetypes.ConnectionTypeJdbc,
		ConnectionProperties: map[string]string{"JDBC_CONNECTION_URL": "jdbc:postgresql://db:5432/dw", "USERNAME": "etl", "PASSWORD": "x"},
		PhysicalConnectionRequirements: &gluetypes.PhysicalConnectionRequirements{SubnetId: aws.String(n.subnets[0]),
			SecurityGroupIdList: []string{g}, AvailabilityZone: aws.String(n.region + "a")}}})
	must(t, "Glue connection", err)
	return g, inventory.Evidence{Kind: "glue", ID: "arn:aws:glue:" + n.region + ":" + moto.AccountID + ":connection/warehouse-jdbc"}
}

func seedVPCEndpoint(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("endpoint-only")
	out, err := ec2.NewFromConfig(n.cfg).CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: aws.String(n.vpc),
		ServiceName: aws.String("com.amazonaws." + n.region + ".sqs"), VpcEndpointType: ec2types.VpcEndpointTypeInterface,
		SubnetIds: n.subnets[:1], SecurityGroupIds: []string{g}})
	must(t, "VPC endpoint", err)
	return g, inventory.Evidence{Kind: "vpc_endpoint", ID: aws.ToString(out.VpcEndpoint.VpcEndpointId)}
}

func seedResolverEndpoint(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("resolver-only")
	out, err := route53resolver.NewFromConfig(n.cfg).CreateResolverEndpoint(ctx, &route53resolver.CreateResolverEndpointInput{
		CreatorRequestId: aws.String("seed"), Direction: r53rtypes.ResolverEndpointDirectionInbound, SecurityGroupIds: []string{g},
		IpAddresses: []r53rtypes.IpAddressRequest{{SubnetId: aws.String(n.subnets[0])}, {SubnetId: aws.String(n.subnets[1])}}})
	must(t, "Route 53 Resolver endpoint", err)
	return g, inventory.Evidence{Kind: "route53resolver", ID: aws.ToString(out.ResolverEndpoint.Arn)}
}

func seedSpotFleet(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("spot-fleet-only")
	out, err := ec2.NewFromConfig(n.cfg).RequestSpotFleet(ctx, &ec2.RequestSpotFleetInput{SpotFleetRequestConfig: &ec2types.SpotFleetRequestConfigData{
		IamFleetRole: aws.String(n.role), TargetCapacity: aws.Int32(1), AllocationStrategy: ec2types.AllocationStrategyLowestPrice,
		LaunchSpecifications: []ec2types.SpotFleetLaunchSpecification{{ImageId: aws.String("ami-12345678"), InstanceType: ec2types.InstanceTypeT3Micro,
			SubnetId: aws.String(n.subnets[0]), SecurityGroups: []ec2types.GroupIdentifier{{GroupId: aws.String(g)}}}}}})
	must(t, "Spot Fleet request", err)
	return g, inventory.Evidence{Kind: "spot_fleet", ID: aws.ToString(out.SpotFleetRequestId), Detail: "launch specification"}
}

// seedEC2Fleet makes a fleet pin version 1 of a template whose $Default
// and $Latest (version 2) name no group: only the fleet names it.
func seedEC2Fleet(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("ec2-fleet-only")
	c := ec2.NewFromConfig(n.cfg)
	lt, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("pinned"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678"), SecurityGroupIds: []string{g}}})
	must(t, "launch template", err)
	id := aws.ToString(lt.LaunchTemplate.LaunchTemplateId)
	_, err = c.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateId: aws.String(id),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678")}})
	must(t, "launch template version 2", err)
	_, err = c.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: aws.String(id), DefaultVersion: aws.String("2")})
	must(t, "launch template default version", err)
	out, err := c.CreateFleet(ctx, &ec2.CreateFleetInput{Type: ec2types.FleetTypeMaintain,
		TargetCapacitySpecification: &ec2types.TargetCapacitySpecificationRequest{TotalTargetCapacity: aws.Int32(1),
			DefaultTargetCapacityType: ec2types.DefaultTargetCapacityTypeOnDemand},
		LaunchTemplateConfigs: []ec2types.FleetLaunchTemplateConfigRequest{{LaunchTemplateSpecification: &ec2types.FleetLaunchTemplateSpecificationRequest{
			LaunchTemplateId: aws.String(id), Version: aws.String("1")},
			// moto needs the instance type in an override.
			Overrides: []ec2types.FleetLaunchTemplateOverridesRequest{{InstanceType: ec2types.InstanceTypeT3Micro}}}}})
	must(t, "EC2 Fleet", err)
	return g, inventory.Evidence{Kind: "ec2_fleet", ID: aws.ToString(out.FleetId), Detail: "launch template " + id + " version 1"}
}
