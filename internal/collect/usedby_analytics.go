package collect

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apprunner"
	artypes "github.com/aws/aws-sdk-go-v2/service/apprunner/types"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	ebstypes "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/emr"
	emrtypes "github.com/aws/aws-sdk-go-v2/service/emr/types"
	"github.com/aws/aws-sdk-go-v2/service/emrserverless"
	emrstypes "github.com/aws/aws-sdk-go-v2/service/emrserverless/types"
	"github.com/aws/aws-sdk-go-v2/service/glue"
	gluetypes "github.com/aws/aws-sdk-go-v2/service/glue/types"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
)

// Proof-of-use collectors of builds, jobs, notebooks and applications:
// what runs now and then, with the groups of its configuration.

// codeBuildBatch is how many projects BatchGetProjects takes.
const codeBuildBatch = 100

// readCodeBuild lists projects and reads their VPC configuration, 100 at a
// time: a project between builds has no interface.
func readCodeBuild(ctx context.Context, r *useReader) ([]useRef, error) {
	c := codebuild.NewFromConfig(r.cfg)
	names, err := useList(ctx, r, "ListProjects",
		codebuild.NewListProjectsPaginator(c, &codebuild.ListProjectsInput{}),
		func(o *codebuild.ListProjectsOutput) []string { return o.Projects })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for i := 0; i < len(names); i += codeBuildBatch {
		chunk := names[i:min(i+codeBuildBatch, len(names))]
		o, err := useCall(ctx, r, "BatchGetProjects", func(ctx context.Context) (*codebuild.BatchGetProjectsOutput, error) {
			return c.BatchGetProjects(ctx, &codebuild.BatchGetProjectsInput{Names: chunk})
		})
		if err != nil {
			return nil, err
		}
		for _, p := range o.Projects {
			if p.VpcConfig != nil {
				out = append(out, refs(aws.ToString(p.Arn), "", p.VpcConfig.SecurityGroupIds...)...)
			}
		}
	}
	return out, nil
}

// emrLiveStates are the states of an EMR cluster that may still launch
// instances; a terminated cluster never does.
var emrLiveStates = []emrtypes.ClusterState{
	emrtypes.ClusterStateStarting, emrtypes.ClusterStateBootstrapping, emrtypes.ClusterStateRunning,
	emrtypes.ClusterStateWaiting, emrtypes.ClusterStateTerminating,
}

// readEMR lists live clusters and reads their managed, service-access and
// additional groups.
func readEMR(ctx context.Context, r *useReader) ([]useRef, error) {
	c := emr.NewFromConfig(r.cfg)
	clusters, err := useList(ctx, r, "ListClusters",
		emr.NewListClustersPaginator(c, &emr.ListClustersInput{ClusterStates: emrLiveStates}),
		func(o *emr.ListClustersOutput) []emrtypes.ClusterSummary { return o.Clusters })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, clusters, func(ctx context.Context, s emrtypes.ClusterSummary) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeCluster", func(ctx context.Context) (*emr.DescribeClusterOutput, error) {
			return c.DescribeCluster(ctx, &emr.DescribeClusterInput{ClusterId: s.Id})
		})
		if err != nil {
			return nil, err
		}
		if d.Cluster == nil || d.Cluster.Ec2InstanceAttributes == nil {
			return nil, nil
		}
		a, arn := d.Cluster.Ec2InstanceAttributes, aws.ToString(d.Cluster.ClusterArn)
		out := refs(arn, "managed", aws.ToString(a.EmrManagedMasterSecurityGroup), aws.ToString(a.EmrManagedSlaveSecurityGroup))
		out = append(out, refs(arn, "service access", aws.ToString(a.ServiceAccessSecurityGroup))...)
		out = append(out, refs(arn, "additional", a.AdditionalMasterSecurityGroups...)...)
		return append(out, refs(arn, "additional", a.AdditionalSlaveSecurityGroups...)...), nil
	})
}

// emrServerlessPage is the largest page ListApplications takes (1–50).
const emrServerlessPage = 50

// readEMRServerless lists EMR Serverless applications and reads each one
// not terminated: a stopped application starts again, on its next job,
// with the groups of its network configuration, and has no interface in
// between. The listing gives no network configuration.
func readEMRServerless(ctx context.Context, r *useReader) ([]useRef, error) {
	c := emrserverless.NewFromConfig(r.cfg)
	apps, err := useList(ctx, r, "ListApplications",
		emrserverless.NewListApplicationsPaginator(c, &emrserverless.ListApplicationsInput{MaxResults: aws.Int32(emrServerlessPage)}),
		func(o *emrserverless.ListApplicationsOutput) []emrstypes.ApplicationSummary { return o.Applications })
	if err != nil {
		return nil, err
	}
	var live []emrstypes.ApplicationSummary
	for _, a := range apps {
		if a.State != emrstypes.ApplicationStateTerminated {
			live = append(live, a)
		}
	}
	return useFanOut(ctx, live, func(ctx context.Context, a emrstypes.ApplicationSummary) ([]useRef, error) {
		d, err := useCall(ctx, r, "GetApplication", func(ctx context.Context) (*emrserverless.GetApplicationOutput, error) {
			return c.GetApplication(ctx, &emrserverless.GetApplicationInput{ApplicationId: a.Id})
		})
		if err != nil {
			return nil, err
		}
		if d.Application == nil || d.Application.NetworkConfiguration == nil {
			return nil, nil
		}
		return refs(aws.ToString(d.Application.Arn), "", d.Application.NetworkConfiguration.SecurityGroupIds...), nil
	})
}

// readSageMaker lists notebook instances, domains and models and reads
// each: a stopped notebook, an idle domain's next app and a model's next
// endpoint or job start with these groups. The listings give no groups,
// so each resource costs a Describe call.
func readSageMaker(ctx context.Context, r *useReader) ([]useRef, error) {
	c := sagemaker.NewFromConfig(r.cfg)
	notebooks, err := useList(ctx, r, "ListNotebookInstances",
		sagemaker.NewListNotebookInstancesPaginator(c, &sagemaker.ListNotebookInstancesInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *sagemaker.ListNotebookInstancesOutput) []smtypes.NotebookInstanceSummary {
			return o.NotebookInstances
		})
	if err != nil {
		return nil, err
	}
	out, err := useFanOut(ctx, notebooks, func(ctx context.Context, n smtypes.NotebookInstanceSummary) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeNotebookInstance", func(ctx context.Context) (*sagemaker.DescribeNotebookInstanceOutput, error) {
			return c.DescribeNotebookInstance(ctx, &sagemaker.DescribeNotebookInstanceInput{NotebookInstanceName: n.NotebookInstanceName})
		})
		if err != nil {
			return nil, err
		}
		return refs(aws.ToString(d.NotebookInstanceArn), "notebook instance", d.SecurityGroups...), nil
	})
	if err != nil {
		return nil, err
	}
	domains, err := useList(ctx, r, "ListDomains",
		sagemaker.NewListDomainsPaginator(c, &sagemaker.ListDomainsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *sagemaker.ListDomainsOutput) []smtypes.DomainDetails { return o.Domains })
	if err != nil {
		return nil, err
	}
	more, err := useFanOut(ctx, domains, func(ctx context.Context, dd smtypes.DomainDetails) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeDomain", func(ctx context.Context) (*sagemaker.DescribeDomainOutput, error) {
			return c.DescribeDomain(ctx, &sagemaker.DescribeDomainInput{DomainId: dd.DomainId})
		})
		if err != nil {
			return nil, err
		}
		arn := aws.ToString(d.DomainArn)
		var out []useRef
		if d.DefaultUserSettings != nil {
			out = append(out, refs(arn, "default user settings", d.DefaultUserSettings.SecurityGroups...)...)
		}
		if d.DomainSettings != nil {
			out = append(out, refs(arn, "domain settings", d.DomainSettings.SecurityGroupIds...)...)
		}
		if d.DefaultSpaceSettings != nil {
			// A shared space's next app starts with these groups.
			out = append(out, refs(arn, "default space settings", d.DefaultSpaceSettings.SecurityGroups...)...)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	out = append(out, more...)
	models, err := useList(ctx, r, "ListModels",
		sagemaker.NewListModelsPaginator(c, &sagemaker.ListModelsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *sagemaker.ListModelsOutput) []smtypes.ModelSummary { return o.Models })
	if err != nil {
		return nil, err
	}
	more, err = useFanOut(ctx, models, func(ctx context.Context, m smtypes.ModelSummary) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeModel", func(ctx context.Context) (*sagemaker.DescribeModelOutput, error) {
			return c.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: m.ModelName})
		})
		if err != nil {
			return nil, err
		}
		if d.VpcConfig == nil {
			return nil, nil
		}
		return refs(aws.ToString(d.ModelArn), "model", d.VpcConfig.SecurityGroupIds...), nil
	})
	if err != nil {
		return nil, err
	}
	return append(out, more...), nil
}

// readGlue lists connections, without their passwords: a job or crawler
// that uses one gets an interface with these groups while it runs.
func readGlue(ctx context.Context, r *useReader) ([]useRef, error) {
	conns, err := useList(ctx, r, "GetConnections",
		glue.NewGetConnectionsPaginator(glue.NewFromConfig(r.cfg), &glue.GetConnectionsInput{HidePassword: true, MaxResults: aws.Int32(1000)}), // 1–1000
		func(o *glue.GetConnectionsOutput) []gluetypes.Connection { return o.ConnectionList })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, cn := range conns {
		if p := cn.PhysicalConnectionRequirements; p != nil {
			out = append(out, refs(r.arn("glue", "connection/"+aws.ToString(cn.Name)), "", p.SecurityGroupIdList...)...)
		}
	}
	return out, nil
}

// readMWAA lists Managed Workflows for Apache Airflow environments and
// reads each.
func readMWAA(ctx context.Context, r *useReader) ([]useRef, error) {
	c := mwaa.NewFromConfig(r.cfg)
	names, err := useList(ctx, r, "ListEnvironments",
		mwaa.NewListEnvironmentsPaginator(c, &mwaa.ListEnvironmentsInput{MaxResults: aws.Int32(25)}), // 1–25
		func(o *mwaa.ListEnvironmentsOutput) []string { return o.Environments })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, names, func(ctx context.Context, name string) ([]useRef, error) {
		d, err := useCall(ctx, r, "GetEnvironment", func(ctx context.Context) (*mwaa.GetEnvironmentOutput, error) {
			return c.GetEnvironment(ctx, &mwaa.GetEnvironmentInput{Name: aws.String(name)})
		})
		if err != nil {
			return nil, err
		}
		if d.Environment == nil || d.Environment.NetworkConfiguration == nil {
			return nil, nil
		}
		return refs(aws.ToString(d.Environment.Arn), "", d.Environment.NetworkConfiguration.SecurityGroupIds...), nil
	})
}

// readAppRunner lists VPC connectors: a service that uses one reaches the
// VPC with these groups.
func readAppRunner(ctx context.Context, r *useReader) ([]useRef, error) {
	conns, err := useList(ctx, r, "ListVpcConnectors",
		apprunner.NewListVpcConnectorsPaginator(apprunner.NewFromConfig(r.cfg), &apprunner.ListVpcConnectorsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *apprunner.ListVpcConnectorsOutput) []artypes.VpcConnector { return o.VpcConnectors })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, v := range conns {
		out = append(out, refs(aws.ToString(v.VpcConnectorArn), "", v.SecurityGroups...)...)
	}
	return out, nil
}

// beanstalkGroupOptions are the option settings that name groups, by
// namespace: the instances' groups and the load balancer's.
var beanstalkGroupOptions = map[string]bool{
	"aws:autoscaling:launchconfiguration/SecurityGroups": true,
	"aws:elbv2:loadbalancer/SecurityGroups":              true,
	"aws:elb:loadbalancer/SecurityGroups":                true,
}

// readBeanstalk lists environments and reads their configuration
// settings: the groups a rebuild or scale-out gives instances and load
// balancers, ids or names, comma-separated.
func readBeanstalk(ctx context.Context, r *useReader) ([]useRef, error) {
	c := elasticbeanstalk.NewFromConfig(r.cfg)
	var envs []ebstypes.EnvironmentDescription
	err := usePages(ctx, r, "DescribeEnvironments", func(ctx context.Context, token *string) (*string, error) {
		o, err := useCall(ctx, r, "DescribeEnvironments", func(ctx context.Context) (*elasticbeanstalk.DescribeEnvironmentsOutput, error) {
			// Without IncludeDeleted=false the answer holds the
			// environments terminated in the last hour, whose settings
			// cannot be read: the whole kind failed.
			return c.DescribeEnvironments(ctx, &elasticbeanstalk.DescribeEnvironmentsInput{MaxRecords: aws.Int32(1000), NextToken: token, // 1–1000
				IncludeDeleted: aws.Bool(false)})
		})
		if err != nil {
			return nil, err
		}
		for _, e := range o.Environments {
			if e.Status != ebstypes.EnvironmentStatusTerminated {
				envs = append(envs, e)
			}
		}
		return o.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, envs, func(ctx context.Context, e ebstypes.EnvironmentDescription) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeConfigurationSettings", func(ctx context.Context) (*elasticbeanstalk.DescribeConfigurationSettingsOutput, error) {
			return c.DescribeConfigurationSettings(ctx, &elasticbeanstalk.DescribeConfigurationSettingsInput{
				ApplicationName: e.ApplicationName, EnvironmentName: e.EnvironmentName})
		})
		if err != nil {
			return nil, err
		}
		var out []useRef
		for _, s := range d.ConfigurationSettings {
			for _, o := range s.OptionSettings {
				ns := aws.ToString(o.Namespace)
				if beanstalkGroupOptions[ns+"/"+aws.ToString(o.OptionName)] {
					out = append(out, refs(aws.ToString(e.EnvironmentArn), ns, strings.Split(aws.ToString(o.Value), ",")...)...)
				}
			}
		}
		return out, nil
	})
}
