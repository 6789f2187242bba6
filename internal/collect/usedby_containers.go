package collect

import (
	"cmp"
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	batchtypes "github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipestypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
)

// Proof-of-use collectors of containers and batch jobs: what starts tasks
// with the groups of its configuration, at zero tasks in between.

// ecsDescribeServicesBatch is how many services DescribeServices takes.
const ecsDescribeServicesBatch = 10

// awsvpcGroups are the groups of an ECS awsvpc network configuration.
func awsvpcGroups(n *ecstypes.NetworkConfiguration) []string {
	if n == nil || n.AwsvpcConfiguration == nil {
		return nil
	}
	return n.AwsvpcConfiguration.SecurityGroups
}

// readECS lists every cluster's services with their task sets and
// deployments: a service scaled to zero starts its next task with these
// groups.
func readECS(ctx context.Context, r *useReader) ([]useRef, error) {
	c := ecs.NewFromConfig(r.cfg)
	clusters, err := useList(ctx, r, "ListClusters",
		ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *ecs.ListClustersOutput) []string { return o.ClusterArns })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, clusters, func(ctx context.Context, cluster string) ([]useRef, error) {
		arns, err := useList(ctx, r, "ListServices",
			ecs.NewListServicesPaginator(c, &ecs.ListServicesInput{Cluster: aws.String(cluster), MaxResults: aws.Int32(100)}), // 1–100
			func(o *ecs.ListServicesOutput) []string { return o.ServiceArns })
		if err != nil {
			return nil, err
		}
		var out []useRef
		for chunk := range slices.Chunk(arns, ecsDescribeServicesBatch) {
			d, err := useCall(ctx, r, "DescribeServices", func(ctx context.Context) (*ecs.DescribeServicesOutput, error) {
				return c.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: chunk})
			})
			if err != nil {
				return nil, err
			}
			for _, s := range d.Services {
				arn := aws.ToString(s.ServiceArn)
				out = append(out, refs(arn, "", awsvpcGroups(s.NetworkConfiguration)...)...)
				for _, dep := range s.Deployments {
					out = append(out, refs(arn, "deployment "+aws.ToString(dep.Id), awsvpcGroups(dep.NetworkConfiguration)...)...)
				}
				for _, ts := range s.TaskSets {
					out = append(out, refs(aws.ToString(ts.TaskSetArn), "", awsvpcGroups(ts.NetworkConfiguration)...)...)
				}
			}
		}
		return out, nil
	})
}

// eventBridgePage is the largest page ListEventBuses, ListRules and
// ListTargetsByRule take.
const eventBridgePage = 100

// readEvents lists the targets of every rule of every event bus: a rule
// that runs ECS tasks starts them with the groups of its target.
func readEvents(ctx context.Context, r *useReader) ([]useRef, error) {
	c := eventbridge.NewFromConfig(r.cfg)
	var buses []string
	err := usePages(ctx, r, "ListEventBuses", func(ctx context.Context, token *string) (*string, error) {
		o, err := useCall(ctx, r, "ListEventBuses", func(ctx context.Context) (*eventbridge.ListEventBusesOutput, error) {
			return c.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(eventBridgePage), NextToken: token})
		})
		if err != nil {
			return nil, err
		}
		for _, b := range o.EventBuses {
			buses = append(buses, aws.ToString(b.Name))
		}
		return o.NextToken, nil
	})
	if err != nil {
		return nil, err
	}
	var rules []ebtypes.Rule
	for _, bus := range buses {
		err := usePages(ctx, r, "ListRules", func(ctx context.Context, token *string) (*string, error) {
			o, err := useCall(ctx, r, "ListRules", func(ctx context.Context) (*eventbridge.ListRulesOutput, error) {
				return c.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus), Limit: aws.Int32(eventBridgePage), NextToken: token})
			})
			if err != nil {
				return nil, err
			}
			for _, rule := range o.Rules {
				if rule.EventBusName == nil {
					rule.EventBusName = aws.String(bus) // the bus it was listed on
				}
				rules = append(rules, rule)
			}
			return o.NextToken, nil
		})
		if err != nil {
			return nil, err
		}
	}
	return useFanOut(ctx, rules, func(ctx context.Context, rule ebtypes.Rule) ([]useRef, error) {
		var out []useRef
		err := usePages(ctx, r, "ListTargetsByRule", func(ctx context.Context, token *string) (*string, error) {
			o, err := useCall(ctx, r, "ListTargetsByRule", func(ctx context.Context) (*eventbridge.ListTargetsByRuleOutput, error) {
				return c.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name, EventBusName: rule.EventBusName,
					Limit: aws.Int32(eventBridgePage), NextToken: token})
			})
			if err != nil {
				return nil, err
			}
			for _, t := range o.Targets {
				if e := t.EcsParameters; e != nil && e.NetworkConfiguration != nil && e.NetworkConfiguration.AwsvpcConfiguration != nil {
					out = append(out, refs(aws.ToString(rule.Arn), "target "+aws.ToString(t.Id), e.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups...)...)
				}
			}
			return o.NextToken, nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
}

// readBatch lists compute environments: one at zero vCPUs launches its
// next instance with these groups, and with those of the launch template
// version it names. launch_templates reads only $Default and $Latest, and
// a compute environment may pin another version (its overrides too), so
// the versions named are read as a fleet's are (templateGroups).
func readBatch(ctx context.Context, r *useReader) ([]useRef, error) {
	envs, err := useList(ctx, r, "DescribeComputeEnvironments",
		batch.NewDescribeComputeEnvironmentsPaginator(batch.NewFromConfig(r.cfg),
			&batch.DescribeComputeEnvironmentsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *batch.DescribeComputeEnvironmentsOutput) []batchtypes.ComputeEnvironmentDetail {
			return o.ComputeEnvironments
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	var ids []string
	perEnv := map[string][]fleetTemplate{}
	var specs []fleetTemplate
	for _, e := range envs {
		cr := e.ComputeResources
		if cr == nil {
			continue
		}
		arn := aws.ToString(e.ComputeEnvironmentArn)
		out = append(out, refs(arn, "", cr.SecurityGroupIds...)...)
		if lt := cr.LaunchTemplate; lt != nil {
			ts := []fleetTemplate{{id: aws.ToString(lt.LaunchTemplateId), name: aws.ToString(lt.LaunchTemplateName), version: aws.ToString(lt.Version)}}
			for _, o := range lt.Overrides {
				ts = append(ts, fleetTemplate{id: aws.ToString(o.LaunchTemplateId), name: aws.ToString(o.LaunchTemplateName), version: aws.ToString(o.Version)})
			}
			for _, t := range ts {
				if t.id != "" || t.name != "" {
					if perEnv[arn] == nil {
						ids = append(ids, arn)
					}
					perEnv[arn] = append(perEnv[arn], t)
					specs = append(specs, t)
				}
			}
		}
	}
	if len(specs) == 0 {
		return out, nil
	}
	groups, err := templateGroups(ctx, r, ec2.NewFromConfig(r.cfg), specs)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		out = append(out, fleetRefs(id, perEnv[id], groups)...)
	}
	return out, nil
}

// readEKS lists clusters (their cluster and additional groups) and their
// node groups (the groups allowed to reach a node group's remote access).
func readEKS(ctx context.Context, r *useReader) ([]useRef, error) {
	c := eks.NewFromConfig(r.cfg)
	clusters, err := useList(ctx, r, "ListClusters",
		eks.NewListClustersPaginator(c, &eks.ListClustersInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *eks.ListClustersOutput) []string { return o.Clusters })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, clusters, func(ctx context.Context, name string) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribeCluster", func(ctx context.Context) (*eks.DescribeClusterOutput, error) {
			return c.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		})
		if err != nil {
			return nil, err
		}
		var out []useRef
		if cl := d.Cluster; cl != nil && cl.ResourcesVpcConfig != nil {
			arn := aws.ToString(cl.Arn)
			out = append(out, refs(arn, "cluster security group", aws.ToString(cl.ResourcesVpcConfig.ClusterSecurityGroupId))...)
			out = append(out, refs(arn, "additional security group", cl.ResourcesVpcConfig.SecurityGroupIds...)...)
		}
		groups, err := useList(ctx, r, "ListNodegroups",
			eks.NewListNodegroupsPaginator(c, &eks.ListNodegroupsInput{ClusterName: aws.String(name), MaxResults: aws.Int32(100)}), // 1–100
			func(o *eks.ListNodegroupsOutput) []string { return o.Nodegroups })
		if err != nil {
			return nil, err
		}
		for _, ng := range groups {
			d, err := useCall(ctx, r, "DescribeNodegroup", func(ctx context.Context) (*eks.DescribeNodegroupOutput, error) {
				return c.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String(ng)})
			})
			if err != nil {
				return nil, err
			}
			n := d.Nodegroup
			if n == nil {
				continue
			}
			if n.RemoteAccess != nil {
				out = append(out, refs(aws.ToString(n.NodegroupArn), "remote access", n.RemoteAccess.SourceSecurityGroups...)...)
			}
			if lt := n.LaunchTemplate; lt != nil && (aws.ToString(lt.Id) != "" || aws.ToString(lt.Name) != "") {
				// A node group pins a version of its launch template,
				// which need not be the $Default or $Latest that
				// launch_templates reads: at zero nodes, its next node
				// gets that version's groups.
				t := fleetTemplate{id: aws.ToString(lt.Id), name: aws.ToString(lt.Name), version: aws.ToString(lt.Version)}
				groups, err := templateGroups(ctx, r, ec2.NewFromConfig(r.cfg), []fleetTemplate{t})
				if err != nil {
					return nil, err
				}
				out = append(out, fleetRefs(aws.ToString(n.NodegroupArn), []fleetTemplate{t}, groups)...)
			}
		}
		return out, nil
	})
}

// schedulerPage is the largest page ListSchedules takes (1–100).
const schedulerPage = 100

// scheduleNamesGroups reports whether a schedule's target can name groups:
// an ECS resource (a cluster), whose EcsParameters give the tasks' network
// configuration, or a universal target (arn:aws:scheduler:::aws-sdk:...),
// whose input is the request of any AWS API (ecs:RunTask,
// ec2:RunInstances...) and may name groups anywhere. Any other target
// (Lambda, SQS...) takes neither.
func scheduleNamesGroups(arn string) bool {
	if _, ok := universalTarget(arn); ok {
		return true
	}
	parts := strings.SplitN(arn, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "ecs"
}

// universalTarget returns the API of a universal target's ARN,
// "aws-sdk:ecs:runTask" of arn:aws:scheduler:::aws-sdk:ecs:runTask.
func universalTarget(arn string) (string, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "scheduler" || !strings.HasPrefix(parts[5], "aws-sdk:") {
		return "", false
	}
	return parts[5], true
}

// groupIDs finds the group ids in a universal target's input: a JSON
// request of any shape, whose group ids may sit under any key.
var groupIDs = regexp.MustCompile(`\bsg-[0-9a-f]{8,}\b`)

// readScheduler lists EventBridge Scheduler schedules, in every schedule
// group, and reads those whose target can name groups: a schedule runs its
// tasks with the groups of its target, and no task runs in between. The
// listing gives only the target's ARN, so a schedule of another target
// (Lambda, SQS...) costs no call: an account may hold a million one-time
// schedules. Disabled schedules count: enabling one runs them again.
func readScheduler(ctx context.Context, r *useReader) ([]useRef, error) {
	c := scheduler.NewFromConfig(r.cfg)
	all, err := useList(ctx, r, "ListSchedules",
		scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{MaxResults: aws.Int32(schedulerPage)}),
		func(o *scheduler.ListSchedulesOutput) []schedtypes.ScheduleSummary { return o.Schedules })
	if err != nil {
		return nil, err
	}
	var named []schedtypes.ScheduleSummary
	for _, s := range all {
		if s.Target != nil && scheduleNamesGroups(aws.ToString(s.Target.Arn)) {
			named = append(named, s)
		}
	}
	return useFanOut(ctx, named, func(ctx context.Context, s schedtypes.ScheduleSummary) ([]useRef, error) {
		d, err := useCall(ctx, r, "GetSchedule", func(ctx context.Context) (*scheduler.GetScheduleOutput, error) {
			return c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: s.Name, GroupName: s.GroupName})
		})
		if err != nil {
			return nil, err
		}
		t := d.Target
		if t == nil {
			return nil, nil
		}
		arn := cmp.Or(aws.ToString(d.Arn), aws.ToString(s.Arn))
		var out []useRef
		if e := t.EcsParameters; e != nil && e.NetworkConfiguration != nil && e.NetworkConfiguration.AwsvpcConfiguration != nil {
			out = append(out, refs(arn, "", e.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups...)...)
		}
		if api, ok := universalTarget(aws.ToString(t.Arn)); ok {
			ids := groupIDs.FindAllString(aws.ToString(t.Input), -1)
			slices.Sort(ids)
			out = append(out, refs(arn, "universal target "+api, slices.Compact(ids)...)...)
		}
		return out, nil
	})
}

// pipesPage is the largest page ListPipes takes (1–100).
const pipesPage = 100

// readPipes lists EventBridge Pipes and describes each: a pipe whose
// target is ECS runs its tasks with the groups of its target parameters,
// and one whose source is a self-managed Kafka cluster reaches it from
// the VPC with the groups of its source parameters. A stopped pipe counts:
// starting it uses them again.
func readPipes(ctx context.Context, r *useReader) ([]useRef, error) {
	c := pipes.NewFromConfig(r.cfg)
	all, err := useList(ctx, r, "ListPipes",
		pipes.NewListPipesPaginator(c, &pipes.ListPipesInput{Limit: aws.Int32(pipesPage)}),
		func(o *pipes.ListPipesOutput) []pipestypes.Pipe { return o.Pipes })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, all, func(ctx context.Context, p pipestypes.Pipe) ([]useRef, error) {
		d, err := useCall(ctx, r, "DescribePipe", func(ctx context.Context) (*pipes.DescribePipeOutput, error) {
			return c.DescribePipe(ctx, &pipes.DescribePipeInput{Name: p.Name})
		})
		if err != nil {
			return nil, err
		}
		arn := cmp.Or(aws.ToString(d.Arn), aws.ToString(p.Arn))
		var out []useRef
		if t := d.TargetParameters; t != nil && t.EcsTaskParameters != nil {
			if n := t.EcsTaskParameters.NetworkConfiguration; n != nil && n.AwsvpcConfiguration != nil {
				out = append(out, refs(arn, "target", n.AwsvpcConfiguration.SecurityGroups...)...)
			}
		}
		if s := d.SourceParameters; s != nil && s.SelfManagedKafkaParameters != nil && s.SelfManagedKafkaParameters.Vpc != nil {
			out = append(out, refs(arn, "source", s.SelfManagedKafkaParameters.Vpc.SecurityGroup...)...)
		}
		return out, nil
	})
}
