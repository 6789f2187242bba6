package collect

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/emrserverless"
	emrstypes "github.com/aws/aws-sdk-go-v2/service/emrserverless/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Seeds, through the SDK against moto, of EventBridge Scheduler,
// EventBridge Pipes, EMR Serverless and RDS Proxy (useSeeds). moto 5.2
// lacks Redshift Serverless and DescribeDBProxyEndpoints: the world reads
// them from fakes (motoLacks), and the tests below run their collectors
// against fake endpoints.

// ecsCluster is the ARN of the world's ECS cluster (seedECS).
func ecsCluster(n useNet) string {
	return "arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":cluster/jobs"
}

// seedScheduler makes, in a schedule group of its own, a schedule that runs
// an ECS task with a fresh group, and one that targets Lambda, which the
// collector must not read (TestProofOfUseAgainstMoto counts one
// GetSchedule).
func seedScheduler(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("scheduler-only")
	c := scheduler.NewFromConfig(n.cfg)
	_, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("batch-jobs")})
	must(t, "schedule group", err)
	out, err := c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("nightly-task"), GroupName: aws.String("batch-jobs"),
		ScheduleExpression: aws.String("cron(0 3 * * ? *)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String(ecsCluster(n)), RoleArn: aws.String(n.role),
			EcsParameters: &schedtypes.EcsParameters{TaskDefinitionArn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":task-definition/worker:1"),
				NetworkConfiguration: &schedtypes.NetworkConfiguration{AwsvpcConfiguration: &schedtypes.AwsVpcConfiguration{
					Subnets: n.subnets[:1], SecurityGroups: []string{g}}}}}})
	must(t, "schedule", err)
	_, err = c.CreateSchedule(ctx, &scheduler.CreateScheduleInput{Name: aws.String("hourly-function"),
		ScheduleExpression: aws.String("rate(1 hour)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String("arn:aws:lambda:" + n.region + ":" + moto.AccountID + ":function:idle-worker"), RoleArn: aws.String(n.role)}})
	must(t, "Lambda schedule", err)
	return g, inventory.Evidence{Kind: "scheduler", ID: aws.ToString(out.ScheduleArn)}
}

// seedPipeTarget makes a pipe from an SQS queue to ECS tasks.
func seedPipeTarget(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("pipe-target-only")
	out, err := pipes.NewFromConfig(n.cfg).CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("orders-to-tasks"), RoleArn: aws.String(n.role),
		Source: aws.String("arn:aws:sqs:" + n.region + ":" + moto.AccountID + ":orders"), Target: aws.String(ecsCluster(n)),
		TargetParameters: &pipestypes.PipeTargetParameters{EcsTaskParameters: &pipestypes.PipeTargetEcsTaskParameters{
			TaskDefinitionArn: aws.String("arn:aws:ecs:" + n.region + ":" + moto.AccountID + ":task-definition/worker:1"),
			NetworkConfiguration: &pipestypes.NetworkConfiguration{AwsvpcConfiguration: &pipestypes.AwsVpcConfiguration{
				Subnets: n.subnets[:1], SecurityGroups: []string{g}}}}}})
	must(t, "pipe with an ECS target", err)
	return g, inventory.Evidence{Kind: "pipes", ID: aws.ToString(out.Arn), Detail: "target"}
}

// seedPipeKafkaSource makes a pipe from a self-managed Kafka cluster
// reached in the VPC.
func seedPipeKafkaSource(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("pipe-source-only")
	out, err := pipes.NewFromConfig(n.cfg).CreatePipe(ctx, &pipes.CreatePipeInput{Name: aws.String("kafka-to-queue"), RoleArn: aws.String(n.role),
		Source: aws.String("smk://broker-1.internal:9092"), Target: aws.String("arn:aws:sqs:" + n.region + ":" + moto.AccountID + ":events"),
		SourceParameters: &pipestypes.PipeSourceParameters{SelfManagedKafkaParameters: &pipestypes.PipeSourceSelfManagedKafkaParameters{
			TopicName: aws.String("events"), Vpc: &pipestypes.SelfManagedKafkaAccessConfigurationVpc{Subnets: n.subnets, SecurityGroup: []string{g}}}}})
	must(t, "pipe with a self-managed Kafka source", err)
	return g, inventory.Evidence{Kind: "pipes", ID: aws.ToString(out.Arn), Detail: "source"}
}

func seedEMRServerless(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("emr-serverless-only")
	out, err := emrserverless.NewFromConfig(n.cfg).CreateApplication(ctx, &emrserverless.CreateApplicationInput{Name: aws.String("spark-etl"),
		ReleaseLabel: aws.String("emr-7.0.0"), Type: aws.String("SPARK"),
		NetworkConfiguration: &emrstypes.NetworkConfiguration{SubnetIds: n.subnets, SecurityGroupIds: []string{g}}})
	must(t, "EMR Serverless application", err)
	return g, inventory.Evidence{Kind: "emr_serverless", ID: aws.ToString(out.Arn)}
}

// seedRDSProxy makes a proxy; its endpoints come from a fake
// (proxyEndpointsFake).
func seedRDSProxy(t *testing.T, ctx context.Context, n useNet) (string, inventory.Evidence) {
	g := n.group("rds-proxy-only")
	out, err := rds.NewFromConfig(n.cfg).CreateDBProxy(ctx, &rds.CreateDBProxyInput{DBProxyName: aws.String("pooler"),
		EngineFamily: rdstypes.EngineFamilyPostgresql, RoleArn: aws.String(n.role), VpcSubnetIds: n.subnets, VpcSecurityGroupIds: []string{g},
		Auth: []rdstypes.UserAuthConfig{{AuthScheme: rdstypes.AuthSchemeSecrets,
			SecretArn: aws.String("arn:aws:secretsmanager:" + n.region + ":" + moto.AccountID + ":secret:db-credentials")}}})
	must(t, "RDS proxy", err)
	return g, inventory.Evidence{Kind: "rds_proxy", ID: aws.ToString(out.DBProxy.DBProxyArn)}
}

// proxyEndpointsFake is the rds_proxy kind of the moto world: moto 5.2 has
// DescribeDBProxies, read from it by the collector's own code, but not
// DescribeDBProxyEndpoints, whose references the fake gives.
type proxyEndpointsFake struct {
	endpoints *fakeUses
}

func (f *proxyEndpointsFake) collect(ctx context.Context, r *useReader) ([]useRef, error) {
	out, err := readDBProxies(ctx, r)
	if err != nil {
		return nil, err
	}
	eps, err := f.endpoints.collect(ctx, r)
	if err != nil {
		return nil, err
	}
	return append(out, eps...), nil
}
