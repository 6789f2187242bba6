package collect

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// useKinds is the table of proof-of-use kinds (usedby.go), in the order a
// coverage row names their failures. Adding a service is one collector
// and one row here; `make docs` regenerates the table of
// docs/checks/SGA008.md from it, TestUseKindsDoc fails while that page is
// stale, and TestUseKindsMatchPolicy while SGA008 or the IAM policy
// example does not know a kind.
func useKinds() []useKind {
	return []useKind{
		{
			Kind: "lambda", Service: "AWS Lambda", Resources: "functions, every published version included",
			APIs:   []string{"ListFunctions"},
			IAM:    []string{"lambda:ListFunctions"},
			Fields: "`VpcConfig.SecurityGroupIds`", Calls: "1 per page of 50 versions",
			collector: useFunc(readLambda),
		},
		{
			Kind: "ecs", Service: "Amazon ECS", Resources: "services, their deployments and task sets, in every cluster",
			APIs:   []string{"ListClusters", "ListServices", "DescribeServices"},
			IAM:    []string{"ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"},
			Fields: "`networkConfiguration.awsvpcConfiguration.securityGroups`", Calls: "1 per page of 100 clusters + per cluster: 1 per page of 100 services + 1 per 10 services",
			collector: useFunc(readECS),
		},
		{
			Kind: "events", Service: "Amazon EventBridge", Resources: "rules' targets on every event bus",
			APIs:   []string{"ListEventBuses", "ListRules", "ListTargetsByRule"},
			IAM:    []string{"events:ListEventBuses", "events:ListRules", "events:ListTargetsByRule"},
			Fields: "`Targets[].EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`", Calls: "1 per page of 100 buses + 1 per page of 100 rules per bus + 1 per rule",
			collector: useFunc(readEvents),
		},
		{
			Kind: "scheduler", Service: "Amazon EventBridge Scheduler", Resources: "schedules that target ECS or an AWS API (universal targets), in every schedule group",
			APIs:   []string{"ListSchedules", "GetSchedule"},
			IAM:    []string{"scheduler:ListSchedules", "scheduler:GetSchedule"},
			Fields: "`Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`, and the group ids anywhere in a universal target's `Target.Input`", Calls: "1 per page of 100 schedules + 1 per schedule that targets ECS or an AWS API",
			collector: useFunc(readScheduler),
		},
		{
			Kind: "pipes", Service: "Amazon EventBridge Pipes", Resources: "pipes with an ECS target or a self-managed Kafka source",
			APIs:   []string{"ListPipes", "DescribePipe"},
			IAM:    []string{"pipes:ListPipes", "pipes:DescribePipe"},
			Fields: "`TargetParameters.EcsTaskParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups`, `SourceParameters.SelfManagedKafkaParameters.Vpc.SecurityGroup`", Calls: "1 per page of 100 pipes + 1 per pipe",
			collector: useFunc(readPipes),
		},
		{
			Kind: "batch", Service: "AWS Batch", Resources: "compute environments, and the launch template versions they name",
			APIs:   []string{"DescribeComputeEnvironments", "DescribeLaunchTemplateVersions"},
			IAM:    []string{"batch:DescribeComputeEnvironments", "ec2:DescribeLaunchTemplateVersions"},
			Fields: "`computeResources.securityGroupIds`, and the groups of the launch template versions of `computeResources.launchTemplate` and its `overrides` (a pinned version too)", Calls: "1 per page of 100 + 1 per launch template named",
			collector: useFunc(readBatch),
		},
		{
			Kind: "codebuild", Service: "AWS CodeBuild", Resources: "projects",
			APIs:   []string{"ListProjects", "BatchGetProjects"},
			IAM:    []string{"codebuild:ListProjects", "codebuild:BatchGetProjects"},
			Fields: "`vpcConfig.securityGroupIds`", Calls: "1 per page of 100 projects + 1 per 100 projects",
			collector: useFunc(readCodeBuild),
		},
		{
			Kind: "eks", Service: "Amazon EKS", Resources: "clusters and node groups",
			APIs:   []string{"ListClusters", "DescribeCluster", "ListNodegroups", "DescribeNodegroup", "DescribeLaunchTemplateVersions"},
			IAM:    []string{"eks:ListClusters", "eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "ec2:DescribeLaunchTemplateVersions"},
			Fields: "`resourcesVpcConfig.clusterSecurityGroupId`, `resourcesVpcConfig.securityGroupIds`, node groups' `remoteAccess.sourceSecurityGroups` and the groups of the launch template version a node group pins (`launchTemplate`)", Calls: "1 per page of 100 clusters + per cluster: 2 + 1 per node group (+ 1 per node group with a launch template)",
			collector: useFunc(readEKS),
		},
		{
			Kind: "rds", Service: "Amazon RDS (with DocumentDB and Neptune)", Resources: "DB instances and DB clusters",
			APIs:   []string{"DescribeDBInstances", "DescribeDBClusters"},
			IAM:    []string{"rds:DescribeDBInstances", "rds:DescribeDBClusters"},
			Fields: "`VpcSecurityGroups[].VpcSecurityGroupId`", Calls: "1 per page of 100 instances + 1 per page of 100 clusters",
			collector: useFunc(readRDS),
		},
		{
			Kind: "rds_proxy", Service: "Amazon RDS Proxy", Resources: "proxies and their endpoints",
			APIs:   []string{"DescribeDBProxies", "DescribeDBProxyEndpoints"},
			IAM:    []string{"rds:DescribeDBProxies", "rds:DescribeDBProxyEndpoints"},
			Fields: "`VpcSecurityGroupIds` of proxies and of endpoints", Calls: "1 per page of 100 proxies + 1 per page of 100 endpoints",
			collector: useFunc(readRDSProxy),
		},
		{
			Kind: "elasticache", Service: "Amazon ElastiCache", Resources: "cache clusters, replication groups' nodes included",
			APIs:   []string{"DescribeCacheClusters"},
			IAM:    []string{"elasticache:DescribeCacheClusters"},
			Fields: "`SecurityGroups[].SecurityGroupId`", Calls: "1 per page of 100",
			collector: useFunc(readElastiCache),
		},
		{
			Kind: "elasticache_serverless", Service: "Amazon ElastiCache", Resources: "serverless caches",
			APIs:   []string{"DescribeServerlessCaches"},
			IAM:    []string{"elasticache:DescribeServerlessCaches"},
			Fields: "`SecurityGroupIds`", Calls: "1 per page of 100",
			collector: useFunc(readElastiCacheServerless),
		},
		{
			Kind: "redshift", Service: "Amazon Redshift", Resources: "provisioned clusters",
			APIs:   []string{"DescribeClusters"},
			IAM:    []string{"redshift:DescribeClusters"},
			Fields: "`VpcSecurityGroups[].VpcSecurityGroupId`", Calls: "1 per page of 100",
			collector: useFunc(readRedshift),
		},
		{
			Kind: "redshift_serverless", Service: "Amazon Redshift Serverless", Resources: "workgroups",
			APIs:   []string{"ListWorkgroups"},
			IAM:    []string{"redshift-serverless:ListWorkgroups"},
			Fields: "`securityGroupIds`", Calls: "1 per page of 100",
			collector: useFunc(readRedshiftServerless),
		},
		{
			Kind: "opensearch", Service: "Amazon OpenSearch Service", Resources: "domains (OpenSearch and Elasticsearch)",
			APIs:   []string{"ListDomainNames", "DescribeDomains"},
			IAM:    []string{"es:ListDomainNames", "es:DescribeDomains"},
			Fields: "`VPCOptions.SecurityGroupIds`", Calls: "1 + 1 per 5 domains",
			collector: useFunc(readOpenSearch),
		},
		{
			Kind: "msk", Service: "Amazon MSK", Resources: "provisioned and serverless clusters",
			APIs:   []string{"ListClustersV2"},
			IAM:    []string{"kafka:ListClustersV2"},
			Fields: "`Provisioned.BrokerNodeGroupInfo.SecurityGroups`, `Serverless.VpcConfigs[].SecurityGroupIds`", Calls: "1 per page of 100",
			collector: useFunc(readMSK),
		},
		{
			Kind: "efs", Service: "Amazon EFS", Resources: "file systems' mount targets",
			APIs:   []string{"DescribeFileSystems", "DescribeMountTargets", "DescribeMountTargetSecurityGroups"},
			IAM:    []string{"elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeMountTargets", "elasticfilesystem:DescribeMountTargetSecurityGroups"},
			Fields: "`SecurityGroups` of each mount target", Calls: "1 per page of 1,000 file systems + per file system: 1 + 1 per mount target",
			collector: useFunc(readEFS),
		},
		{
			Kind: "emr", Service: "Amazon EMR", Resources: "clusters not yet terminated",
			APIs:   []string{"ListClusters", "DescribeCluster"},
			IAM:    []string{"elasticmapreduce:ListClusters", "elasticmapreduce:DescribeCluster"},
			Fields: "`Ec2InstanceAttributes`: managed, service access and additional groups", Calls: "1 per page of 50 clusters + 1 per cluster",
			collector: useFunc(readEMR),
		},
		{
			Kind: "emr_serverless", Service: "Amazon EMR Serverless", Resources: "applications not terminated",
			APIs:   []string{"ListApplications", "GetApplication"},
			IAM:    []string{"emr-serverless:ListApplications", "emr-serverless:GetApplication"},
			Fields: "`networkConfiguration.securityGroupIds`", Calls: "1 per page of 50 + 1 per application not terminated",
			collector: useFunc(readEMRServerless),
		},
		{
			Kind: "sagemaker", Service: "Amazon SageMaker AI", Resources: "notebook instances, domains and models",
			APIs:   []string{"ListNotebookInstances", "DescribeNotebookInstance", "ListDomains", "DescribeDomain", "ListModels", "DescribeModel"},
			IAM:    []string{"sagemaker:ListNotebookInstances", "sagemaker:DescribeNotebookInstance", "sagemaker:ListDomains", "sagemaker:DescribeDomain", "sagemaker:ListModels", "sagemaker:DescribeModel"},
			Fields: "`SecurityGroups`, `DefaultUserSettings.SecurityGroups`, `DefaultSpaceSettings.SecurityGroups`, `DomainSettings.SecurityGroupIds`, `VpcConfig.SecurityGroupIds`", Calls: "3 listings (1 per page of 100 each) + 1 per notebook instance, domain and model",
			collector: useFunc(readSageMaker),
		},
		{
			Kind: "glue", Service: "AWS Glue", Resources: "connections (passwords hidden)",
			APIs:   []string{"GetConnections"},
			IAM:    []string{"glue:GetConnections"},
			Fields: "`PhysicalConnectionRequirements.SecurityGroupIdList`", Calls: "1 per page of 1,000",
			collector: useFunc(readGlue),
		},
		{
			Kind: "dms", Service: "AWS DMS", Resources: "replication instances",
			APIs:   []string{"DescribeReplicationInstances"},
			IAM:    []string{"dms:DescribeReplicationInstances"},
			Fields: "`VpcSecurityGroups[].VpcSecurityGroupId`", Calls: "1 per page of 100",
			collector: useFunc(readDMS),
		},
		{
			Kind: "mwaa", Service: "Amazon MWAA", Resources: "environments",
			APIs:   []string{"ListEnvironments", "GetEnvironment"},
			IAM:    []string{"airflow:ListEnvironments", "airflow:GetEnvironment"},
			Fields: "`NetworkConfiguration.SecurityGroupIds`", Calls: "1 per page of 25 + 1 per environment",
			collector: useFunc(readMWAA),
		},
		{
			Kind: "apprunner", Service: "AWS App Runner", Resources: "VPC connectors",
			APIs:   []string{"ListVpcConnectors"},
			IAM:    []string{"apprunner:ListVpcConnectors"},
			Fields: "`SecurityGroups`", Calls: "1 per page of 100",
			collector: useFunc(readAppRunner),
		},
		{
			Kind: "vpc_endpoint", Service: "Amazon VPC", Resources: "VPC endpoints",
			APIs:   []string{"DescribeVpcEndpoints"},
			IAM:    []string{"ec2:DescribeVpcEndpoints"},
			Fields: "`Groups[].GroupId`", Calls: "1 per page of 1,000",
			collector: useFunc(readVPCEndpoints),
		},
		{
			Kind: "route53resolver", Service: "Amazon Route 53 Resolver", Resources: "inbound and outbound endpoints",
			APIs:   []string{"ListResolverEndpoints"},
			IAM:    []string{"route53resolver:ListResolverEndpoints"},
			Fields: "`SecurityGroupIds`", Calls: "1 per page of 100",
			collector: useFunc(readResolverEndpoints),
		},
		{
			Kind: "elasticbeanstalk", Service: "AWS Elastic Beanstalk", Resources: "environments' option settings",
			APIs:   []string{"DescribeEnvironments", "DescribeConfigurationSettings"},
			IAM:    []string{"elasticbeanstalk:DescribeEnvironments", "elasticbeanstalk:DescribeConfigurationSettings"},
			Fields: "`SecurityGroups` of `aws:autoscaling:launchconfiguration`, `aws:elbv2:loadbalancer`, `aws:elb:loadbalancer` (ids or names)", Calls: "1 per page of 1,000 + 1 per environment",
			collector: useFunc(readBeanstalk),
		},
		{
			Kind: "spot_fleet", Service: "Amazon EC2 Spot Fleet", Resources: "requests that may still launch (submitted, active, modifying)",
			APIs:      []string{"DescribeSpotFleetRequests", "DescribeLaunchTemplateVersions"},
			IAM:       []string{"ec2:DescribeSpotFleetRequests", "ec2:DescribeLaunchTemplateVersions"},
			Fields:    "`LaunchSpecifications[].SecurityGroups`, `.NetworkInterfaces[].Groups`, and the groups of the launch template versions of `LaunchTemplateConfigs`",
			Calls:     "1 per page of 1,000 + 1 per launch template named",
			collector: useFunc(readSpotFleets),
		},
		{
			Kind: "ec2_fleet", Service: "Amazon EC2 Fleet", Resources: "fleets that may still launch (submitted, active, modifying)",
			APIs:      []string{"DescribeFleets", "DescribeLaunchTemplateVersions"},
			IAM:       []string{"ec2:DescribeFleets", "ec2:DescribeLaunchTemplateVersions"},
			Fields:    "the groups of the launch template versions of `LaunchTemplateConfigs` (a pinned version too, not only `$Default` and `$Latest`)",
			Calls:     "1 per page of 1,000 + 1 per launch template named",
			collector: useFunc(readEC2Fleets),
		},
		{
			Kind: "elbv2", Service: "Elastic Load Balancing", Resources: "Application, Network and Gateway Load Balancers",
			APIs:   []string{"DescribeLoadBalancers"},
			IAM:    []string{"elasticloadbalancing:DescribeLoadBalancers"},
			Fields: "`SecurityGroups`", Calls: "1 per page of 400",
			collector: useFunc(readELBv2),
		},
		{
			Kind: "elb", Service: "Elastic Load Balancing (Classic)", Resources: "Classic Load Balancers",
			APIs:   []string{"DescribeLoadBalancers"},
			IAM:    []string{"elasticloadbalancing:DescribeLoadBalancers"},
			Fields: "`SecurityGroups`", Calls: "1 per page of 400",
			collector: useFunc(readELB),
		},
	}
}

// The generated section of docs/checks/SGA008.md lies between these
// markers.
const (
	useKindsDocBegin = "<!-- BEGIN proof-of-use kinds: generated from internal/collect/usekinds.go by `make docs`; do not edit. -->"
	useKindsDocEnd   = "<!-- END proof-of-use kinds -->"
)

// useKindsMarkdown renders the table of proof-of-use kinds for the SGA008
// page: one row per kind, with the service, what is read, the calls and
// IAM actions, and the fields that name groups.
func useKindsMarkdown() []byte {
	var b bytes.Buffer
	b.WriteString("| kind (`used_by`, coverage) | service: what is read | API calls | IAM actions | field naming the group | calls per account and region |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, k := range useKinds() {
		fmt.Fprintf(&b, "| `%s` | %s: %s | %s | %s | %s | %s |\n",
			k.Kind, k.Service, k.Resources, strings.Join(k.APIs, ", "),
			"`"+strings.Join(k.IAM, "`, `")+"`", k.Fields, k.Calls)
	}
	return b.Bytes()
}

// withUseKindsDoc returns page with its generated section replaced by
// useKindsMarkdown.
func withUseKindsDoc(page []byte) ([]byte, error) {
	before, rest, ok := bytes.Cut(page, []byte(useKindsDocBegin))
	if !ok {
		return nil, errors.New("no line " + useKindsDocBegin)
	}
	_, after, ok := bytes.Cut(rest, []byte(useKindsDocEnd))
	if !ok {
		return nil, errors.New("no line " + useKindsDocEnd)
	}
	return slices.Concat(before, []byte(useKindsDocBegin+"\n\n"), useKindsMarkdown(), []byte("\n"+useKindsDocEnd), after), nil
}

// ProofOfUseKinds returns the data kinds of the proof-of-use table, in its
// order: what a live collection adds to coverage.collected besides EC2's
// kinds, each also an evidence kind of used_by.
func ProofOfUseKinds() []string {
	out := []string{}
	for _, k := range useKinds() {
		out = append(out, k.Kind)
	}
	return out
}
