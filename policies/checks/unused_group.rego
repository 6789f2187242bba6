# METADATA
# title: Unused security group
# description: >-
#   No network interface carries the group, no launch template or launch
#   configuration names it, no other group's rule references it (a group's
#   reference to itself does not count), and no service's configuration names
#   it (Lambda, RDS, load balancers...: docs/checks/SGA008.md lists them); a
#   service that could not be read is named as not checked. Only judged where network interfaces
#   were collected; default groups are never unused (AWS keeps them). While
#   another account of the scan was not read, its groups' rules were not
#   checked, and the finding says so.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/deleting-security-groups.html
# custom:
#   id: SGA008
#   severity: LOW
#   resolution: >-
#     Delete the group, or tag it with its owner and purpose if it is kept for
#     a reason (a standby or disaster-recovery stack).
#   tags: [hygiene]
#   requires: [network_interfaces]
package sgaudit.checks.unused_group

import data.sgaudit.lib.sg

deny contains finding if {
	# Bound before the loop: a local lookup per group, not a rule reference.
	facts_by_region := region_facts
	unread := unread_accounts
	parts := partitions
	some i in candidates
	g := input.security_groups[i]

	# Without interface data "unused" would be a guess, not a finding.
	sg.collected(g, "network_interfaces")
	facts := facts_by_region[concat("/", [g.account_id, g.region])]

	# Only unused groups get here, a few per scan.
	partition := group_partition(g, parts)
	others := [a | some a in unread; a != g.account_id; same_partition(parts, a, partition)]
	finding := verdict(g, facts, others)
}

# candidates holds the index in input.security_groups of every group with no
# evidence of use that is not a default group: any evidence of use clears a
# group (used_by may be absent, null or empty, all meaning none), which
# clears nearly every group. sgaudit computes this value in Go for each
# batch (docs/performance.md, "Rules computed in Go").
candidates := {i |
	some i, g in input.security_groups
	not g.used_by[0]
	not g.is_default
}

# unread_accounts lists, sorted, the accounts of the scan with a region not
# read completely: denied or in error, or without its groups (whose rules
# DescribeSecurityGroups carries, as an exported describe-security-groups
# does). A group of such an account may reference a group of another
# account (across a VPC peering, or in a shared VPC), and that reference was
# not seen, so "unused" elsewhere is not sure. A skipped region (not enabled
# for the account) holds no group. Small: built once per evaluation from
# input.coverage.
unread_accounts := sort({c.account_id |
	some c in input.coverage
	c.status != "skipped"
	not fully_read(c)
})

fully_read(c) if {
	c.status == "ok"
	"security_groups" in c.collected
}

# partitions maps account ids to their partition (aws, aws-cn,
# aws-us-gov): references never cross a partition.
partitions := {a.id: object.get(a, "partition", "") | some a in input.accounts}

# group_partition(g, parts) is g's account's partition, else the one in its
# ARN; "" when neither says.
group_partition(g, parts) := parts[g.account_id] if {
	parts[g.account_id] != ""
}

else := arn_partition if {
	startswith(g.arn, "arn:")
	arn_partition := split(g.arn, ":")[1]
}

else := ""

# same_partition(parts, account, partition) is true unless account is
# known to be in another partition than partition: an unknown one could be
# the same, and then "unused" is not sure.
same_partition(parts, account, partition) if object.get(parts, account, "") == partition

same_partition(parts, account, _) if object.get(parts, account, "") == ""

same_partition(_, _, "")

# use_kinds are the data kinds, besides network_interfaces, that can show a
# group is used, with how messages name them. EC2 deletes a group that only
# a launch template, a launch configuration or a service's configuration
# names (the next scale-out or run then fails), so a verdict without them
# must say so. The service kinds are internal/collect's table of
# proof-of-use kinds (usekinds.go; TestUseKindsMatchPolicy holds this list
# to it), each with the AWS CLI command that prints what of that kind
# names a group: check with %[1]s the region and %[2]s the group id, plain
# (for an id that cannot sit in a query) with %[1]s the quoted region.
use_kinds := {
	"launch_templates": {"plural": "launch templates", "singular": "launch template"},
	"launch_configurations": {"plural": "launch configurations", "singular": "launch configuration"},
	"security_group_references": {"plural": "cross-VPC references", "singular": "cross-VPC reference"},
	"lambda": {
		"plural": "Lambda functions", "singular": "Lambda function",
		"check": "aws lambda list-functions --region %[1]s --function-version ALL --query 'Functions[?contains(VpcConfig.SecurityGroupIds || `[]`, `\"%[2]s\"`)].FunctionArn' --output text",
		"plain": "aws lambda list-functions --region %[1]s --function-version ALL",
	},
	"ecs": {
		"plural": "ECS services and task sets", "singular": "ECS service or task set",
		"check": "for c in $(aws ecs list-clusters --region %[1]s --query clusterArns --output text); do for s in $(aws ecs list-services --region %[1]s --cluster \"$c\" --query serviceArns --output text); do aws ecs describe-services --region %[1]s --cluster \"$c\" --services \"$s\" --query 'services[?contains(networkConfiguration.awsvpcConfiguration.securityGroups || `[]`, `\"%[2]s\"`) || contains(taskSets[].networkConfiguration.awsvpcConfiguration.securityGroups[] || `[]`, `\"%[2]s\"`)].serviceArn' --output text; done; done",
		"plain": "aws ecs list-clusters --region %[1]s",
	},
	"events": {
		"plural": "EventBridge rules' ECS targets", "singular": "EventBridge rule",
		"check": "for b in $(aws events list-event-buses --region %[1]s --query 'EventBuses[].Name' --output text); do for r in $(aws events list-rules --region %[1]s --event-bus-name \"$b\" --query 'Rules[].Name' --output text); do aws events list-targets-by-rule --region %[1]s --event-bus-name \"$b\" --rule \"$r\" --query 'Targets[?contains(EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"%[2]s\"`)].Arn' --output text; done; done",
		"plain": "aws events list-event-buses --region %[1]s",
	},
	"scheduler": {
		"plural": "EventBridge Scheduler schedules", "singular": "EventBridge Scheduler schedule",
		"check": "aws scheduler list-schedules --region %[1]s --query 'Schedules[?contains(Target.Arn, `\":ecs:\"`) || contains(Target.Arn, `\":aws-sdk:\"`)].[GroupName,Name]' --output text | while read -r g n; do aws scheduler get-schedule --region %[1]s --group-name \"$g\" --name \"$n\" --query '[@][?contains(Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"%[2]s\"`) || contains(Target.Input || `\"\"`, `\"%[2]s\"`)].Arn' --output text; done",
		"plain": "aws scheduler list-schedules --region %[1]s",
	},
	"pipes": {
		"plural": "EventBridge Pipes", "singular": "EventBridge pipe",
		"check": "for p in $(aws pipes list-pipes --region %[1]s --query 'Pipes[].Name' --output text); do aws pipes describe-pipe --region %[1]s --name \"$p\" --query '[@][?contains(TargetParameters.EcsTaskParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"%[2]s\"`) || contains(SourceParameters.SelfManagedKafkaParameters.Vpc.SecurityGroup || `[]`, `\"%[2]s\"`)].Arn' --output text; done",
		"plain": "aws pipes list-pipes --region %[1]s",
	},
	"batch": {
		"plural": "Batch compute environments", "singular": "Batch compute environment",
		"check": "aws batch describe-compute-environments --region %[1]s --query 'computeEnvironments[?contains(computeResources.securityGroupIds || `[]`, `\"%[2]s\"`)].computeEnvironmentArn' --output text",
		"plain": "aws batch describe-compute-environments --region %[1]s",
	},
	"codebuild": {
		"plural": "CodeBuild projects", "singular": "CodeBuild project",
		"check": "for p in $(aws codebuild list-projects --region %[1]s --query projects --output text); do aws codebuild batch-get-projects --region %[1]s --names \"$p\" --query 'projects[?contains(vpcConfig.securityGroupIds || `[]`, `\"%[2]s\"`)].arn' --output text; done",
		"plain": "aws codebuild list-projects --region %[1]s",
	},
	"eks": {
		"plural": "EKS clusters and node groups", "singular": "EKS cluster or node group",
		"check": "for c in $(aws eks list-clusters --region %[1]s --query clusters --output text); do aws eks describe-cluster --region %[1]s --name \"$c\" --query '[cluster][?resourcesVpcConfig.clusterSecurityGroupId == `\"%[2]s\"` || contains(resourcesVpcConfig.securityGroupIds || `[]`, `\"%[2]s\"`)].arn' --output text; for n in $(aws eks list-nodegroups --region %[1]s --cluster-name \"$c\" --query nodegroups --output text); do aws eks describe-nodegroup --region %[1]s --cluster-name \"$c\" --nodegroup-name \"$n\" --query '[nodegroup][?contains(remoteAccess.sourceSecurityGroups || `[]`, `\"%[2]s\"`)].nodegroupArn' --output text; done; done",
		"plain": "aws eks list-clusters --region %[1]s",
	},
	"rds": {
		"plural": "RDS instances and clusters", "singular": "RDS instance or cluster",
		"check": "aws rds describe-db-instances --region %[1]s --query 'DBInstances[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"%[2]s\"`)].DBInstanceArn' --output text && aws rds describe-db-clusters --region %[1]s --query 'DBClusters[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"%[2]s\"`)].DBClusterArn' --output text",
		"plain": "aws rds describe-db-instances --region %[1]s && aws rds describe-db-clusters --region %[1]s",
	},
	"rds_proxy": {
		"plural": "RDS proxies and proxy endpoints", "singular": "RDS proxy or proxy endpoint",
		"check": "aws rds describe-db-proxies --region %[1]s --query 'DBProxies[?contains(VpcSecurityGroupIds || `[]`, `\"%[2]s\"`)].DBProxyArn' --output text && aws rds describe-db-proxy-endpoints --region %[1]s --query 'DBProxyEndpoints[?contains(VpcSecurityGroupIds || `[]`, `\"%[2]s\"`)].DBProxyEndpointArn' --output text",
		"plain": "aws rds describe-db-proxies --region %[1]s && aws rds describe-db-proxy-endpoints --region %[1]s",
	},
	"elasticache": {
		"plural": "ElastiCache clusters", "singular": "ElastiCache cluster",
		"check": "aws elasticache describe-cache-clusters --region %[1]s --query 'CacheClusters[?contains(SecurityGroups[].SecurityGroupId || `[]`, `\"%[2]s\"`)].ARN' --output text",
		"plain": "aws elasticache describe-cache-clusters --region %[1]s",
	},
	"elasticache_serverless": {
		"plural": "ElastiCache serverless caches", "singular": "ElastiCache serverless cache",
		"check": "aws elasticache describe-serverless-caches --region %[1]s --query 'ServerlessCaches[?contains(SecurityGroupIds || `[]`, `\"%[2]s\"`)].ARN' --output text",
		"plain": "aws elasticache describe-serverless-caches --region %[1]s",
	},
	"redshift": {
		"plural": "Redshift clusters", "singular": "Redshift cluster",
		"check": "aws redshift describe-clusters --region %[1]s --query 'Clusters[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"%[2]s\"`)].ClusterIdentifier' --output text",
		"plain": "aws redshift describe-clusters --region %[1]s",
	},
	"redshift_serverless": {
		"plural": "Redshift Serverless workgroups", "singular": "Redshift Serverless workgroup",
		"check": "aws redshift-serverless list-workgroups --region %[1]s --query 'workgroups[?contains(securityGroupIds || `[]`, `\"%[2]s\"`)].workgroupArn' --output text",
		"plain": "aws redshift-serverless list-workgroups --region %[1]s",
	},
	"opensearch": {
		"plural": "OpenSearch domains", "singular": "OpenSearch domain",
		"check": "for d in $(aws opensearch list-domain-names --region %[1]s --query 'DomainNames[].DomainName' --output text); do aws opensearch describe-domain --region %[1]s --domain-name \"$d\" --query '[DomainStatus][?contains(VPCOptions.SecurityGroupIds || `[]`, `\"%[2]s\"`)].ARN' --output text; done",
		"plain": "aws opensearch list-domain-names --region %[1]s",
	},
	"msk": {
		"plural": "MSK clusters", "singular": "MSK cluster",
		"check": "aws kafka list-clusters-v2 --region %[1]s --query 'ClusterInfoList[?contains(Provisioned.BrokerNodeGroupInfo.SecurityGroups || `[]`, `\"%[2]s\"`) || contains(Serverless.VpcConfigs[].SecurityGroupIds[] || `[]`, `\"%[2]s\"`)].ClusterArn' --output text",
		"plain": "aws kafka list-clusters-v2 --region %[1]s",
	},
	"efs": {
		"plural": "EFS mount targets", "singular": "EFS mount target",
		"check": "for f in $(aws efs describe-file-systems --region %[1]s --query 'FileSystems[].FileSystemId' --output text); do for m in $(aws efs describe-mount-targets --region %[1]s --file-system-id \"$f\" --query 'MountTargets[].MountTargetId' --output text); do aws efs describe-mount-target-security-groups --region %[1]s --mount-target-id \"$m\" --query 'SecurityGroups[?@ == `\"%[2]s\"`]' --output text | sed \"s/^/$f $m /\"; done; done",
		"plain": "aws efs describe-file-systems --region %[1]s",
	},
	"emr": {
		"plural": "EMR clusters", "singular": "EMR cluster",
		"check": "for c in $(aws emr list-clusters --region %[1]s --active --query 'Clusters[].Id' --output text); do aws emr describe-cluster --region %[1]s --cluster-id \"$c\" --query '[Cluster][?contains([Ec2InstanceAttributes.EmrManagedMasterSecurityGroup, Ec2InstanceAttributes.EmrManagedSlaveSecurityGroup, Ec2InstanceAttributes.ServiceAccessSecurityGroup], `\"%[2]s\"`) || contains(Ec2InstanceAttributes.AdditionalMasterSecurityGroups || `[]`, `\"%[2]s\"`) || contains(Ec2InstanceAttributes.AdditionalSlaveSecurityGroups || `[]`, `\"%[2]s\"`)].ClusterArn' --output text; done",
		"plain": "aws emr list-clusters --region %[1]s --active",
	},
	"emr_serverless": {
		"plural": "EMR Serverless applications", "singular": "EMR Serverless application",
		"check": "for a in $(aws emr-serverless list-applications --region %[1]s --query 'applications[?state != `\"TERMINATED\"`].id' --output text); do aws emr-serverless get-application --region %[1]s --application-id \"$a\" --query '[application][?contains(networkConfiguration.securityGroupIds || `[]`, `\"%[2]s\"`)].arn' --output text; done",
		"plain": "aws emr-serverless list-applications --region %[1]s",
	},
	"sagemaker": {
		"plural": "SageMaker notebook instances, domains and models", "singular": "SageMaker notebook instance, domain or model",
		"check": "for n in $(aws sagemaker list-notebook-instances --region %[1]s --query 'NotebookInstances[].NotebookInstanceName' --output text); do aws sagemaker describe-notebook-instance --region %[1]s --notebook-instance-name \"$n\" --query '[@][?contains(SecurityGroups || `[]`, `\"%[2]s\"`)].NotebookInstanceArn' --output text; done && for d in $(aws sagemaker list-domains --region %[1]s --query 'Domains[].DomainId' --output text); do aws sagemaker describe-domain --region %[1]s --domain-id \"$d\" --query '[@][?contains(DefaultUserSettings.SecurityGroups || `[]`, `\"%[2]s\"`) || contains(DefaultSpaceSettings.SecurityGroups || `[]`, `\"%[2]s\"`) || contains(DomainSettings.SecurityGroupIds || `[]`, `\"%[2]s\"`)].DomainArn' --output text; done && for m in $(aws sagemaker list-models --region %[1]s --query 'Models[].ModelName' --output text); do aws sagemaker describe-model --region %[1]s --model-name \"$m\" --query '[@][?contains(VpcConfig.SecurityGroupIds || `[]`, `\"%[2]s\"`)].ModelArn' --output text; done",
		"plain": "aws sagemaker list-notebook-instances --region %[1]s && aws sagemaker list-domains --region %[1]s && aws sagemaker list-models --region %[1]s",
	},
	"glue": {
		"plural": "Glue connections", "singular": "Glue connection",
		"check": "aws glue get-connections --region %[1]s --hide-password --query 'ConnectionList[?contains(PhysicalConnectionRequirements.SecurityGroupIdList || `[]`, `\"%[2]s\"`)].Name' --output text",
		"plain": "aws glue get-connections --region %[1]s --hide-password",
	},
	"dms": {
		"plural": "DMS replication instances", "singular": "DMS replication instance",
		"check": "aws dms describe-replication-instances --region %[1]s --query 'ReplicationInstances[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"%[2]s\"`)].ReplicationInstanceArn' --output text",
		"plain": "aws dms describe-replication-instances --region %[1]s",
	},
	"mwaa": {
		"plural": "MWAA environments", "singular": "MWAA environment",
		"check": "for e in $(aws mwaa list-environments --region %[1]s --query Environments --output text); do aws mwaa get-environment --region %[1]s --name \"$e\" --query '[Environment][?contains(NetworkConfiguration.SecurityGroupIds || `[]`, `\"%[2]s\"`)].Arn' --output text; done",
		"plain": "aws mwaa list-environments --region %[1]s",
	},
	"apprunner": {
		"plural": "App Runner VPC connectors", "singular": "App Runner VPC connector",
		"check": "aws apprunner list-vpc-connectors --region %[1]s --query 'VpcConnectors[?contains(SecurityGroups || `[]`, `\"%[2]s\"`)].VpcConnectorArn' --output text",
		"plain": "aws apprunner list-vpc-connectors --region %[1]s",
	},
	"vpc_endpoint": {
		"plural": "VPC endpoints", "singular": "VPC endpoint",
		"check": "aws ec2 describe-vpc-endpoints --region %[1]s --query 'VpcEndpoints[?contains(Groups[].GroupId || `[]`, `\"%[2]s\"`)].VpcEndpointId' --output text",
		"plain": "aws ec2 describe-vpc-endpoints --region %[1]s",
	},
	"route53resolver": {
		"plural": "Route 53 Resolver endpoints", "singular": "Route 53 Resolver endpoint",
		"check": "aws route53resolver list-resolver-endpoints --region %[1]s --query 'ResolverEndpoints[?contains(SecurityGroupIds || `[]`, `\"%[2]s\"`)].Arn' --output text",
		"plain": "aws route53resolver list-resolver-endpoints --region %[1]s",
	},
	"elasticbeanstalk": {
		"plural": "Elastic Beanstalk environments", "singular": "Elastic Beanstalk environment",
		"check": "aws elasticbeanstalk describe-environments --region %[1]s --query 'Environments[].[ApplicationName,EnvironmentName]' --output text | while read -r a e; do aws elasticbeanstalk describe-configuration-settings --region %[1]s --application-name \"$a\" --environment-name \"$e\" --query 'ConfigurationSettings[].OptionSettings[?OptionName == `SecurityGroups` && contains(Value, `\"%[2]s\"`)].Namespace[]' --output text | sed \"s/^/$e /\"; done",
		"plain": "aws elasticbeanstalk describe-environments --region %[1]s",
	},
	"spot_fleet": {
		"plural": "Spot Fleet requests", "singular": "Spot Fleet request",
		"check": "aws ec2 describe-spot-fleet-requests --region %[1]s --query 'SpotFleetRequestConfigs[?contains(SpotFleetRequestConfig.LaunchSpecifications[].SecurityGroups[].GroupId || `[]`, `\"%[2]s\"`) || contains(SpotFleetRequestConfig.LaunchSpecifications[].NetworkInterfaces[].Groups[] || `[]`, `\"%[2]s\"`)].SpotFleetRequestId' --output text && aws ec2 describe-spot-fleet-requests --region %[1]s --query 'SpotFleetRequestConfigs[].SpotFleetRequestConfig.LaunchTemplateConfigs[].LaunchTemplateSpecification.[LaunchTemplateId, Version || `\"$Default\"`]' --output text | while read -r t v; do aws ec2 describe-launch-template-versions --region %[1]s --launch-template-id \"$t\" --versions \"$v\" --query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"%[2]s\"`) || contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"%[2]s\"`)].[LaunchTemplateId,VersionNumber]' --output text; done",
		"plain": "aws ec2 describe-spot-fleet-requests --region %[1]s",
	},
	"ec2_fleet": {
		"plural": "EC2 Fleets", "singular": "EC2 Fleet",
		"check": "aws ec2 describe-fleets --region %[1]s --query 'Fleets[].LaunchTemplateConfigs[].LaunchTemplateSpecification.[LaunchTemplateId, Version || `\"$Default\"`]' --output text | while read -r t v; do aws ec2 describe-launch-template-versions --region %[1]s --launch-template-id \"$t\" --versions \"$v\" --query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"%[2]s\"`) || contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"%[2]s\"`)].[LaunchTemplateId,VersionNumber]' --output text; done",
		"plain": "aws ec2 describe-fleets --region %[1]s",
	},
	"elbv2": {
		"plural": "load balancers", "singular": "load balancer",
		"check": "aws elbv2 describe-load-balancers --region %[1]s --query 'LoadBalancers[?contains(SecurityGroups || `[]`, `\"%[2]s\"`)].LoadBalancerArn' --output text",
		"plain": "aws elbv2 describe-load-balancers --region %[1]s",
	},
	"elb": {
		"plural": "Classic Load Balancers", "singular": "Classic Load Balancer",
		"check": "aws elb describe-load-balancers --region %[1]s --query 'LoadBalancerDescriptions[?contains(SecurityGroups || `[]`, `\"%[2]s\"`)].LoadBalancerName' --output text",
		"plain": "aws elb describe-load-balancers --region %[1]s",
	},
}

# use_kind_order is the order messages and remediations name the use kinds
# in: EC2's own first, then the services in the collector's table order.
use_kind_order := [
	"launch_templates",
	"launch_configurations",
	"security_group_references",
	"lambda",
	"ecs",
	"events",
	"scheduler",
	"pipes",
	"batch",
	"codebuild",
	"eks",
	"rds",
	"rds_proxy",
	"elasticache",
	"elasticache_serverless",
	"redshift",
	"redshift_serverless",
	"opensearch",
	"msk",
	"efs",
	"emr",
	"emr_serverless",
	"sagemaker",
	"glue",
	"dms",
	"mwaa",
	"apprunner",
	"vpc_endpoint",
	"route53resolver",
	"elasticbeanstalk",
	"spot_fleet",
	"ec2_fleet",
	"elbv2",
	"elb",
]

# unchecked["account/region"] lists, in use_kind_order, the use kinds not
# collected in a region where interfaces were, each as {"kind", "reason"}:
# the reason is the coverage detail of the kind's failed calls (the
# collector names them "kind:Operation"), "" when the kind was not read at
# all (an AWS CLI export, an older inventory). [] when all were collected.
# Built once per evaluation from input.coverage, so a group pays one
# lookup.
unchecked := {region: gaps |
	kinds := sg.collected_kinds
	some c in input.coverage
	region := concat("/", [c.account_id, c.region])
	kinds[concat("/", [region, "network_interfaces"])]
	problems := split(object.get(c, "detail", ""), "; ")
	gaps := [{"kind": k, "reason": concat("; ", reasons)} |
		some k in use_kind_order
		not kinds[concat("/", [region, k])]
		reasons := [p | some p in problems; startswith(p, concat("", [k, ":"]))]
	]
}

# region_facts["account/region"] is what findings say of a region's gaps
# (unchecked) and of the kinds it checked (sg.kinds_checked), built once
# per scan: every unused group of the region shares them, and building them
# for each finding was most of its cost.
region_facts := {region: {
	"gaps": gaps,
	"checked": sort([k | some k in sg.known_kinds; not sg.network_kinds[k]; kinds[concat("/", [region, k])]]),
	"kinds": [x.kind | some x in gaps],
	"guarded": guarded,
	"summarised": count(absent) > 1,
	"absent_count": count(absent),
	"absent_text": absent_text(gaps),
	"not_checked": array.concat([gap_text(x) | some x in guarded], [absent_text(gaps) | absent_summarised(gaps)]),
} |
	kinds := sg.collected_kinds
	some region, gaps in unchecked
	absent := absent_gaps(gaps)
	guarded := guarded_gaps(gaps)
}

# verdict(g, facts, unread) is the finding: as sure as the data
# allows when every use kind was collected and every other account read,
# else naming what was not checked and guarding the delete command with
# what to confirm first.
verdict(g, facts, unread) := {
	"group_arn": g.arn,
	"msg": sprintf("%s is unused: no network interface, launch template or other group's rule references it (checked: %s)", [
		sg.label(g), concat(", ", facts.checked),
	]),
	"remediation": sg.delete_command(g),
	"evidence": {"checked": facts.checked},
} if {
	count(facts.gaps) == 0
	count(unread) == 0
}

else := {
	"group_arn": g.arn,
	"msg": sprintf("%s is unused: no network interface or other group's rule references it; not checked: %s (checked: %s)", [
		sg.label(g), concat(", ", not_checked_text(facts, unread)), concat(", ", facts.checked),
	]),
	"remediation": guarded_delete(g, facts, unread),
	"evidence": object.union({"checked": facts.checked, "not_checked": facts.kinds}, unread_evidence(unread)),
} if {
	count(facts.gaps) > 0
}

else := {
	"group_arn": g.arn,
	"msg": sprintf("%s is unused: no network interface, launch template or other group's rule in the accounts read references it; not checked: %s (checked: %s)", [
		sg.label(g), concat(", ", not_checked_text(facts, unread)), concat(", ", facts.checked),
	]),
	"remediation": guarded_delete(g, facts, unread),
	"evidence": object.union({"checked": facts.checked}, unread_evidence(unread)),
}

# not_checked_text(facts, unread) names, for messages, the use kinds not
# collected, with why when a call failed (facts.not_checked), then the
# accounts not read.
not_checked_text(facts, unread) := array.concat(facts.not_checked, [accounts_text(unread) | count(unread) > 0])

# absent_gaps(gaps) are the services whose configuration the data does not
# hold at all (an AWS CLI export of groups, an inventory from an older
# sgaudit), as opposed to those whose calls failed. More than one is
# summarised: naming 31 services, each with its own AWS CLI check, made
# every finding of such an import a paragraph and its remediation 11 KB of
# shell. EC2's own kinds (launch templates and configurations, cross-VPC
# references) are always named, with their checks.
absent_gaps(gaps) := [x | some x in gaps; x.reason == ""; not ec2_kinds[x.kind]]

ec2_kinds := {"launch_templates", "launch_configurations", "security_group_references"}

absent_summarised(gaps) if count(absent_gaps(gaps)) > 1

# guarded_gaps(gaps) are the kinds named one by one, in the message and in
# the remediation's checks: every failed one, EC2's, and the absent
# services unless they are summarised.
guarded_gaps(gaps) := gaps if not absent_summarised(gaps)

else := [x | some x in gaps; not absent_service(x)]

absent_service(x) if {
	x.reason == ""
	not ec2_kinds[x.kind]
}

absent_text(gaps) := sprintf("%d services whose configuration this data does not hold (evidence.not_checked lists them; a live scan reads them)", [count(absent_gaps(gaps))])

gap_text(x) := use_kinds[x.kind].plural if x.reason == ""

else := sprintf("%s could not be read (%s)", [use_kinds[x.kind].plural, x.reason])

accounts_text(unread) := sprintf("the rules of account %s (not read completely)", unread) if count(unread) == 1

else := sprintf("the rules of accounts %s (not read completely)", [concat(", ", unread)])

unread_evidence(unread) := {"accounts_not_read": unread} if count(unread) > 0

else := {}

# or_list(words) joins words as prose: "a", "a or b", "a, b or c".
or_list(words) := words[0] if count(words) == 1

else := sprintf("%s or %s", [concat(", ", array.slice(words, 0, count(words) - 1)), words[count(words) - 1]])

# guarded_delete(g, facts, unread) runs only the checks of the kinds not
# collected; the delete follows in a shell comment, so pasting the line
# deletes nothing. The accounts not read come in that comment too, with the
# command to run there: it needs that account's credentials, which the
# line cannot name. Only for plain AWS region and group ids, which cannot
# end the comment or the JMESPath literal: a forged id gets the checks
# alone, quoted, without --query, and the accounts in a comment.
guarded_delete(g, facts, unread) := sprintf("%s # each prints nothing if no %s names it; %s%sthen: %s", [
	concat(" && ", [check_command(x.kind, g.region, g.id) | some x in guarded]),
	or_list([use_kinds[x.kind].singular | some x in guarded]),
	absent_note(facts, g),
	account_check(g, unread),
	sg.delete_command(g),
]) if {
	guarded := facts.guarded
	count(guarded) > 0
	regex.match(`^[a-z0-9-]+ sg-[0-9a-zA-Z]+$`, concat(" ", [g.region, g.id]))
}

else := sprintf("# %s%sthen: %s", [absent_note(facts, g), account_check(g, unread), sg.delete_command(g)]) if {
	regex.match(`^[a-z0-9-]+ sg-[0-9a-zA-Z]+$`, concat(" ", [g.region, g.id]))
}

else := concat(" ", array.concat(
	[c | c := concat(" && ", [plain_check_command(x.kind, sg.shell_word(g.region), sg.shell_word(g.id)) | some x in facts.guarded]); c != ""],
	array.concat(
		[sprintf("# not checked: %s", [facts.absent_text]) | facts.summarised],
		[sprintf("# not checked: %s", [accounts_text(unread)]) | count(unread) > 0],
	),
))

# absent_note(facts, g) is, inside the remediation's comment, what to run
# first when the data lacks many kinds of use: a live scan of the group's
# region reads them all, read-only.
absent_note(facts, g) := sprintf("first, a live sgaudit scan --region %s reads the %d services this data lacks (read-only); ", [g.region, facts.absent_count]) if {
	facts.summarised
}

else := ""

# account_check(g, unread) says, inside the remediation's comment, what to
# run in each account not read: it prints the groups whose rules name g.
account_check(g, unread) := "" if count(unread) == 0

else := sprintf("with the credentials of %s %s, this prints nothing if no rule there names it: aws ec2 describe-security-groups --region %s --query 'SecurityGroups[?contains(IpPermissions[].UserIdGroupPairs[].GroupId || `[]`, `\"%s\"`) || contains(IpPermissionsEgress[].UserIdGroupPairs[].GroupId || `[]`, `\"%s\"`)].GroupId' --output text; ", [
	{true: "account", false: "each of accounts"}[count(unread) == 1], concat(", ", unread), g.region, g.id, g.id,
])

# check_command(kind, region, id) lists what of kind names group id: the
# $Latest and $Default versions of every launch template (as the collector
# reads them), launch configurations, references from other VPCs.
check_command("launch_templates", region, id) := sprintf("aws ec2 describe-launch-template-versions --region %s --versions '$Latest' '$Default' --query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"%s\"`) || contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"%s\"`)].[LaunchTemplateName,VersionNumber]' --output text", [region, id, id])

check_command("launch_configurations", region, id) := sprintf("aws autoscaling describe-launch-configurations --region %s --query 'LaunchConfigurations[?contains(SecurityGroups || `[]`, `\"%s\"`)].LaunchConfigurationName' --output text", [region, id])

check_command("security_group_references", region, id) := sprintf("aws ec2 describe-security-group-references --region %s --group-id %s --query 'SecurityGroupReferenceSet[].[ReferencingVpcId,VpcPeeringConnectionId,TransitGatewayId]' --output text", [region, id])

# plain_check_command is check_command for already quoted words, without
# --query: the person reads the output for the group.
plain_check_command("launch_templates", region, _) := sprintf("aws ec2 describe-launch-template-versions --region %s --versions '$Latest' '$Default'", [region])

plain_check_command("launch_configurations", region, _) := sprintf("aws autoscaling describe-launch-configurations --region %s", [region])

plain_check_command("security_group_references", region, id) := sprintf("aws ec2 describe-security-group-references --region %s --group-id %s", [region, id])

# The service kinds' commands are in use_kinds.
check_command(kind, region, id) := sprintf(use_kinds[kind].check, [region, id])

plain_check_command(kind, region, _) := sprintf(use_kinds[kind].plain, [region])
