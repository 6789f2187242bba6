package sgaudit.checks.unused_group_test

import data.sgaudit.checks.unused_group

group(id, used_by) := {
	"arn": sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/%s", [id]),
	"id": id,
	"name": id,
	"description": "something",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": [],
	"attachments": [],
	"used_by": used_by,
}

coverage(kinds) := [
	{"account_id": "111111111111", "region": "eu-west-1", "status": "ok", "collected": kinds},
	{"account_id": "111111111111", "region": "us-east-1", "status": "ok", "collected": ["security_groups"]},
]

all_kinds := ["network_interfaces", "security_group_rules", "security_groups"]

unused(groups, kinds) := {f.group_arn | some f in findings} if {
	findings := unused_group.deny with input as {"coverage": coverage(kinds), "security_groups": groups}
}

arn(id) := sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/%s", [id])

test_unused_group_flagged if {
	unused([group("sg-1", [])], all_kinds) == {arn("sg-1")}
}

test_absent_or_null_used_by_means_unused if {
	unused([group("sg-1", null), object.remove(group("sg-2", []), ["used_by"])], all_kinds) == {arn("sg-1"), arn("sg-2")}
}

test_any_evidence_means_used if {
	unused(
		[
			group("sg-1", [{"kind": "eni", "id": "eni-1"}]),
			group("sg-2", [{"kind": "launch_template", "id": "lt-1", "detail": "$Default"}]),
			group("sg-3", [{"kind": "cross_vpc_reference", "id": "sg-9"}]),
			group("sg-4", []),
		],
		all_kinds,
	) == {arn("sg-4")}
}

test_regression_egress_only_reference_makes_used if {
	# sg-2 is only named by sg-1's egress rule; the collector records that
	# as sg_reference evidence on sg-2, and that is enough.
	sg1 := object.union(group("sg-1", [{"kind": "eni", "id": "eni-1"}]), {"rules": [{
		"id": "sgr-1", "direction": "egress", "protocol": "tcp", "from_port": 5432, "to_port": 5432,
		"peer": {"kind": "security_group", "group_id": "sg-2"}, "description": "app to db",
	}]})
	sg2 := group("sg-2", [{"kind": "sg_reference", "id": "sg-1", "detail": "egress sgr-1"}])
	unused([sg1, sg2], all_kinds) == set()
}

test_regression_default_groups_never_unused if {
	unused([object.union(group("sg-1", []), {"is_default": true})], all_kinds) == set()
}

test_silent_without_interface_data if {
	unused([group("sg-1", [])], ["security_groups", "security_group_rules"]) == set()
}

test_silent_in_region_without_interface_data if {
	us := object.union(group("sg-1", []), {"region": "us-east-1"})
	unused([us], all_kinds) == set()
}

test_silent_without_coverage if {
	findings := unused_group.deny with input as {"security_groups": [group("sg-1", [])]}
	count(findings) == 0
}

finding_for(kinds) := f if {
	findings := unused_group.deny with input as {"coverage": coverage(kinds), "security_groups": [group("sg-1", [])]}
	count(findings) == 1
	some f in findings
}

every_use_kind := [
	"apprunner",
	"batch",
	"codebuild",
	"dms",
	"ec2_fleet",
	"ecs",
	"efs",
	"eks",
	"elasticache",
	"elasticache_serverless",
	"elasticbeanstalk",
	"elb",
	"elbv2",
	"emr",
	"emr_serverless",
	"events",
	"glue",
	"lambda",
	"launch_configurations",
	"launch_templates",
	"msk",
	"mwaa",
	"network_interfaces",
	"opensearch",
	"pipes",
	"rds",
	"rds_proxy",
	"redshift",
	"redshift_serverless",
	"route53resolver",
	"sagemaker",
	"scheduler",
	"security_group_references",
	"security_group_rules",
	"security_groups",
	"spot_fleet",
	"vpc_endpoint",
]

every_use_kind_text := "apprunner, batch, codebuild, dms, ec2_fleet, ecs, efs, eks, elasticache, elasticache_serverless, elasticbeanstalk, elb, elbv2, emr, emr_serverless, events, glue, lambda, launch_configurations, launch_templates, msk, mwaa, network_interfaces, opensearch, pipes, rds, rds_proxy, redshift, redshift_serverless, route53resolver, sagemaker, scheduler, security_group_references, security_group_rules, security_groups, spot_fleet, vpc_endpoint"

# The use kinds in the order messages name them: EC2's, then the services'.
gap_kinds := [
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

lambda_check := "aws lambda list-functions --region eu-west-1 --function-version ALL --query 'Functions[?contains(VpcConfig.SecurityGroupIds || `[]`, `\"sg-1\"`)].FunctionArn' --output text"

# Every service's check for sg-1 in eu-west-1, in gap_kinds order.
service_checks := [
	"aws lambda list-functions --region eu-west-1 --function-version ALL --query 'Functions[?contains(VpcConfig.SecurityGroupIds || `[]`, `\"sg-1\"`)].FunctionArn' --output text",
	"for c in $(aws ecs list-clusters --region eu-west-1 --query clusterArns --output text); do for s in $(aws ecs list-services --region eu-west-1 --cluster \"$c\" --query serviceArns --output text); do aws ecs describe-services --region eu-west-1 --cluster \"$c\" --services \"$s\" --query 'services[?contains(networkConfiguration.awsvpcConfiguration.securityGroups || `[]`, `\"sg-1\"`) || contains(taskSets[].networkConfiguration.awsvpcConfiguration.securityGroups[] || `[]`, `\"sg-1\"`)].serviceArn' --output text; done; done",
	"for b in $(aws events list-event-buses --region eu-west-1 --query 'EventBuses[].Name' --output text); do for r in $(aws events list-rules --region eu-west-1 --event-bus-name \"$b\" --query 'Rules[].Name' --output text); do aws events list-targets-by-rule --region eu-west-1 --event-bus-name \"$b\" --rule \"$r\" --query 'Targets[?contains(EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"sg-1\"`)].Arn' --output text; done; done",
	"aws scheduler list-schedules --region eu-west-1 --query 'Schedules[?contains(Target.Arn, `\":ecs:\"`) || contains(Target.Arn, `\":aws-sdk:\"`)].[GroupName,Name]' --output text | while read -r g n; do aws scheduler get-schedule --region eu-west-1 --group-name \"$g\" --name \"$n\" --query '[@][?contains(Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"sg-1\"`) || contains(Target.Input || `\"\"`, `\"sg-1\"`)].Arn' --output text; done",
	"for p in $(aws pipes list-pipes --region eu-west-1 --query 'Pipes[].Name' --output text); do aws pipes describe-pipe --region eu-west-1 --name \"$p\" --query '[@][?contains(TargetParameters.EcsTaskParameters.NetworkConfiguration.awsvpcConfiguration.SecurityGroups || `[]`, `\"sg-1\"`) || contains(SourceParameters.SelfManagedKafkaParameters.Vpc.SecurityGroup || `[]`, `\"sg-1\"`)].Arn' --output text; done",
	"aws batch describe-compute-environments --region eu-west-1 --query 'computeEnvironments[?contains(computeResources.securityGroupIds || `[]`, `\"sg-1\"`)].computeEnvironmentArn' --output text",
	"for p in $(aws codebuild list-projects --region eu-west-1 --query projects --output text); do aws codebuild batch-get-projects --region eu-west-1 --names \"$p\" --query 'projects[?contains(vpcConfig.securityGroupIds || `[]`, `\"sg-1\"`)].arn' --output text; done",
	"for c in $(aws eks list-clusters --region eu-west-1 --query clusters --output text); do aws eks describe-cluster --region eu-west-1 --name \"$c\" --query '[cluster][?resourcesVpcConfig.clusterSecurityGroupId == `\"sg-1\"` || contains(resourcesVpcConfig.securityGroupIds || `[]`, `\"sg-1\"`)].arn' --output text; for n in $(aws eks list-nodegroups --region eu-west-1 --cluster-name \"$c\" --query nodegroups --output text); do aws eks describe-nodegroup --region eu-west-1 --cluster-name \"$c\" --nodegroup-name \"$n\" --query '[nodegroup][?contains(remoteAccess.sourceSecurityGroups || `[]`, `\"sg-1\"`)].nodegroupArn' --output text; done; done",
	"aws rds describe-db-instances --region eu-west-1 --query 'DBInstances[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"sg-1\"`)].DBInstanceArn' --output text && aws rds describe-db-clusters --region eu-west-1 --query 'DBClusters[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"sg-1\"`)].DBClusterArn' --output text",
	"aws rds describe-db-proxies --region eu-west-1 --query 'DBProxies[?contains(VpcSecurityGroupIds || `[]`, `\"sg-1\"`)].DBProxyArn' --output text && aws rds describe-db-proxy-endpoints --region eu-west-1 --query 'DBProxyEndpoints[?contains(VpcSecurityGroupIds || `[]`, `\"sg-1\"`)].DBProxyEndpointArn' --output text",
	"aws elasticache describe-cache-clusters --region eu-west-1 --query 'CacheClusters[?contains(SecurityGroups[].SecurityGroupId || `[]`, `\"sg-1\"`)].ARN' --output text",
	"aws elasticache describe-serverless-caches --region eu-west-1 --query 'ServerlessCaches[?contains(SecurityGroupIds || `[]`, `\"sg-1\"`)].ARN' --output text",
	"aws redshift describe-clusters --region eu-west-1 --query 'Clusters[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"sg-1\"`)].ClusterIdentifier' --output text",
	"aws redshift-serverless list-workgroups --region eu-west-1 --query 'workgroups[?contains(securityGroupIds || `[]`, `\"sg-1\"`)].workgroupArn' --output text",
	"for d in $(aws opensearch list-domain-names --region eu-west-1 --query 'DomainNames[].DomainName' --output text); do aws opensearch describe-domain --region eu-west-1 --domain-name \"$d\" --query '[DomainStatus][?contains(VPCOptions.SecurityGroupIds || `[]`, `\"sg-1\"`)].ARN' --output text; done",
	"aws kafka list-clusters-v2 --region eu-west-1 --query 'ClusterInfoList[?contains(Provisioned.BrokerNodeGroupInfo.SecurityGroups || `[]`, `\"sg-1\"`) || contains(Serverless.VpcConfigs[].SecurityGroupIds[] || `[]`, `\"sg-1\"`)].ClusterArn' --output text",
	"for f in $(aws efs describe-file-systems --region eu-west-1 --query 'FileSystems[].FileSystemId' --output text); do for m in $(aws efs describe-mount-targets --region eu-west-1 --file-system-id \"$f\" --query 'MountTargets[].MountTargetId' --output text); do aws efs describe-mount-target-security-groups --region eu-west-1 --mount-target-id \"$m\" --query 'SecurityGroups[?@ == `\"sg-1\"`]' --output text | sed \"s/^/$f $m /\"; done; done",
	"for c in $(aws emr list-clusters --region eu-west-1 --active --query 'Clusters[].Id' --output text); do aws emr describe-cluster --region eu-west-1 --cluster-id \"$c\" --query '[Cluster][?contains([Ec2InstanceAttributes.EmrManagedMasterSecurityGroup, Ec2InstanceAttributes.EmrManagedSlaveSecurityGroup, Ec2InstanceAttributes.ServiceAccessSecurityGroup], `\"sg-1\"`) || contains(Ec2InstanceAttributes.AdditionalMasterSecurityGroups || `[]`, `\"sg-1\"`) || contains(Ec2InstanceAttributes.AdditionalSlaveSecurityGroups || `[]`, `\"sg-1\"`)].ClusterArn' --output text; done",
	"for a in $(aws emr-serverless list-applications --region eu-west-1 --query 'applications[?state != `\"TERMINATED\"`].id' --output text); do aws emr-serverless get-application --region eu-west-1 --application-id \"$a\" --query '[application][?contains(networkConfiguration.securityGroupIds || `[]`, `\"sg-1\"`)].arn' --output text; done",
	"for n in $(aws sagemaker list-notebook-instances --region eu-west-1 --query 'NotebookInstances[].NotebookInstanceName' --output text); do aws sagemaker describe-notebook-instance --region eu-west-1 --notebook-instance-name \"$n\" --query '[@][?contains(SecurityGroups || `[]`, `\"sg-1\"`)].NotebookInstanceArn' --output text; done && for d in $(aws sagemaker list-domains --region eu-west-1 --query 'Domains[].DomainId' --output text); do aws sagemaker describe-domain --region eu-west-1 --domain-id \"$d\" --query '[@][?contains(DefaultUserSettings.SecurityGroups || `[]`, `\"sg-1\"`) || contains(DomainSettings.SecurityGroupIds || `[]`, `\"sg-1\"`)].DomainArn' --output text; done && for m in $(aws sagemaker list-models --region eu-west-1 --query 'Models[].ModelName' --output text); do aws sagemaker describe-model --region eu-west-1 --model-name \"$m\" --query '[@][?contains(VpcConfig.SecurityGroupIds || `[]`, `\"sg-1\"`)].ModelArn' --output text; done",
	"aws glue get-connections --region eu-west-1 --hide-password --query 'ConnectionList[?contains(PhysicalConnectionRequirements.SecurityGroupIdList || `[]`, `\"sg-1\"`)].Name' --output text",
	"aws dms describe-replication-instances --region eu-west-1 --query 'ReplicationInstances[?contains(VpcSecurityGroups[].VpcSecurityGroupId || `[]`, `\"sg-1\"`)].ReplicationInstanceArn' --output text",
	"for e in $(aws mwaa list-environments --region eu-west-1 --query Environments --output text); do aws mwaa get-environment --region eu-west-1 --name \"$e\" --query '[Environment][?contains(NetworkConfiguration.SecurityGroupIds || `[]`, `\"sg-1\"`)].Arn' --output text; done",
	"aws apprunner list-vpc-connectors --region eu-west-1 --query 'VpcConnectors[?contains(SecurityGroups || `[]`, `\"sg-1\"`)].VpcConnectorArn' --output text",
	"aws ec2 describe-vpc-endpoints --region eu-west-1 --query 'VpcEndpoints[?contains(Groups[].GroupId || `[]`, `\"sg-1\"`)].VpcEndpointId' --output text",
	"aws route53resolver list-resolver-endpoints --region eu-west-1 --query 'ResolverEndpoints[?contains(SecurityGroupIds || `[]`, `\"sg-1\"`)].Arn' --output text",
	"aws elasticbeanstalk describe-environments --region eu-west-1 --query 'Environments[].[ApplicationName,EnvironmentName]' --output text | while read -r a e; do aws elasticbeanstalk describe-configuration-settings --region eu-west-1 --application-name \"$a\" --environment-name \"$e\" --query 'ConfigurationSettings[].OptionSettings[?OptionName == `SecurityGroups` && contains(Value, `\"sg-1\"`)].Namespace[]' --output text | sed \"s/^/$e /\"; done",
	"aws ec2 describe-spot-fleet-requests --region eu-west-1 --query 'SpotFleetRequestConfigs[?contains(SpotFleetRequestConfig.LaunchSpecifications[].SecurityGroups[].GroupId || `[]`, `\"sg-1\"`) || contains(SpotFleetRequestConfig.LaunchSpecifications[].NetworkInterfaces[].Groups[] || `[]`, `\"sg-1\"`)].SpotFleetRequestId' --output text && aws ec2 describe-spot-fleet-requests --region eu-west-1 --query 'SpotFleetRequestConfigs[].SpotFleetRequestConfig.LaunchTemplateConfigs[].LaunchTemplateSpecification.[LaunchTemplateId, Version || `\"$Default\"`]' --output text | while read -r t v; do aws ec2 describe-launch-template-versions --region eu-west-1 --launch-template-id \"$t\" --versions \"$v\" --query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"sg-1\"`) || contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"sg-1\"`)].[LaunchTemplateId,VersionNumber]' --output text; done",
	"aws ec2 describe-fleets --region eu-west-1 --query 'Fleets[].LaunchTemplateConfigs[].LaunchTemplateSpecification.[LaunchTemplateId, Version || `\"$Default\"`]' --output text | while read -r t v; do aws ec2 describe-launch-template-versions --region eu-west-1 --launch-template-id \"$t\" --versions \"$v\" --query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"sg-1\"`) || contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"sg-1\"`)].[LaunchTemplateId,VersionNumber]' --output text; done",
	"aws elbv2 describe-load-balancers --region eu-west-1 --query 'LoadBalancers[?contains(SecurityGroups || `[]`, `\"sg-1\"`)].LoadBalancerArn' --output text",
	"aws elb describe-load-balancers --region eu-west-1 --query 'LoadBalancerDescriptions[?contains(SecurityGroups || `[]`, `\"sg-1\"`)].LoadBalancerName' --output text",
]

# And the plain listing for an id that cannot sit in a query.
service_plain := [
	"aws lambda list-functions --region eu-west-1 --function-version ALL",
	"aws ecs list-clusters --region eu-west-1",
	"aws events list-event-buses --region eu-west-1",
	"aws scheduler list-schedules --region eu-west-1",
	"aws pipes list-pipes --region eu-west-1",
	"aws batch describe-compute-environments --region eu-west-1",
	"aws codebuild list-projects --region eu-west-1",
	"aws eks list-clusters --region eu-west-1",
	"aws rds describe-db-instances --region eu-west-1 && aws rds describe-db-clusters --region eu-west-1",
	"aws rds describe-db-proxies --region eu-west-1 && aws rds describe-db-proxy-endpoints --region eu-west-1",
	"aws elasticache describe-cache-clusters --region eu-west-1",
	"aws elasticache describe-serverless-caches --region eu-west-1",
	"aws redshift describe-clusters --region eu-west-1",
	"aws redshift-serverless list-workgroups --region eu-west-1",
	"aws opensearch list-domain-names --region eu-west-1",
	"aws kafka list-clusters-v2 --region eu-west-1",
	"aws efs describe-file-systems --region eu-west-1",
	"aws emr list-clusters --region eu-west-1 --active",
	"aws emr-serverless list-applications --region eu-west-1",
	"aws sagemaker list-notebook-instances --region eu-west-1 && aws sagemaker list-domains --region eu-west-1 && aws sagemaker list-models --region eu-west-1",
	"aws glue get-connections --region eu-west-1 --hide-password",
	"aws dms describe-replication-instances --region eu-west-1",
	"aws mwaa list-environments --region eu-west-1",
	"aws apprunner list-vpc-connectors --region eu-west-1",
	"aws ec2 describe-vpc-endpoints --region eu-west-1",
	"aws route53resolver list-resolver-endpoints --region eu-west-1",
	"aws elasticbeanstalk describe-environments --region eu-west-1",
	"aws ec2 describe-spot-fleet-requests --region eu-west-1",
	"aws ec2 describe-fleets --region eu-west-1",
	"aws elbv2 describe-load-balancers --region eu-west-1",
	"aws elb describe-load-balancers --region eu-west-1",
]

test_all_use_kinds_collected_is_a_plain_delete if {
	f := finding_for(every_use_kind)
	f.evidence == {"checked": every_use_kind}
	f.msg == sprintf("sg-1 (sg-1) is unused: no network interface, launch template or other group's rule references it (checked: %s)", [every_use_kind_text])
	f.remediation == "aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"
}

test_regression_interfaces_only_names_what_was_not_checked if {
	# An AWS CLI export: interfaces, but no launch templates, launch
	# configurations or cross-VPC references. EC2 deletes a group a launch
	# template names, so the delete must not be offered bare.
	f := finding_for(["security_groups", "network_interfaces"])
	f.evidence == {
		"checked": ["network_interfaces", "security_groups"],
		"not_checked": gap_kinds,
	}
	f.msg == sprintf("sg-1 (sg-1) is unused: no network interface or other group's rule references it; not checked: %s (checked: network_interfaces, security_groups)", [ec2_gap_text])
	f.remediation == concat(" ", [
		"aws ec2 describe-launch-template-versions --region eu-west-1 --versions '$Latest' '$Default'",
		"--query 'LaunchTemplateVersions[?contains(LaunchTemplateData.SecurityGroupIds || `[]`, `\"sg-1\"`)",
		"|| contains(LaunchTemplateData.NetworkInterfaces[].Groups[] || `[]`, `\"sg-1\"`)].[LaunchTemplateName,VersionNumber]' --output text",
		"&& aws autoscaling describe-launch-configurations --region eu-west-1",
		"--query 'LaunchConfigurations[?contains(SecurityGroups || `[]`, `\"sg-1\"`)].LaunchConfigurationName' --output text",
		"&& aws ec2 describe-security-group-references --region eu-west-1 --group-id sg-1",
		"--query 'SecurityGroupReferenceSet[].[ReferencingVpcId,VpcPeeringConnectionId,TransitGatewayId]' --output text",
		"# each prints nothing if no launch template, launch configuration or cross-VPC reference names it;",
		sprintf("first, a live sgaudit scan --region eu-west-1 reads the %d services this data lacks (read-only);", [absent_services]),
		"then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1",
	])

	# 11 KB of shell per finding before the services were summarised.
	count(f.remediation) < 1000
}

# An export without any service's configuration: EC2's own kinds are named
# with their checks, the services counted (all but the three EC2 kinds).
absent_services := count(gap_kinds) - count(unused_group.ec2_kinds)

ec2_gap_text := sprintf("launch templates, launch configurations, cross-VPC references, %d services whose configuration this data does not hold (evidence.not_checked lists them; a live scan reads them)", [absent_services])

test_one_absent_service_is_named_with_its_check if {
	# An inventory from before one service was read: that one is named,
	# with its check, not summarised.
	kinds := [k | some k in every_use_kind; k != "lambda"]
	f := finding_for(kinds)
	f.evidence == {"checked": kinds, "not_checked": ["lambda"]}
	endswith(f.msg, sprintf("; not checked: Lambda functions (checked: %s)", [concat(", ", kinds)]))
	f.remediation == concat(" ", [lambda_check, "# each prints nothing if no Lambda function names it; then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"])
}

test_denied_service_is_named_among_absent_ones if {
	# A denied call is named with its reason and its check even when the
	# other services are summarised.
	cov := [{
		"account_id": "111111111111", "region": "eu-west-1", "status": "denied",
		"collected": ["network_interfaces", "security_groups", "launch_templates", "launch_configurations", "security_group_references"],
		"detail": "lambda:ListFunctions: AccessDeniedException: no",
	}]
	findings := unused_group.deny with input as {"coverage": cov, "security_groups": [group("sg-1", [])]}
	some f in findings
	contains(f.msg, sprintf("not checked: Lambda functions could not be read (lambda:ListFunctions: AccessDeniedException: no), %d services whose configuration", [absent_services - 1]))
	startswith(f.remediation, concat(" ", [lambda_check, "# each prints nothing if no Lambda function names it; first, a live sgaudit scan"]))
}

test_one_use_kind_missing if {
	kinds := [k | some k in every_use_kind; k != "launch_configurations"]
	f := finding_for(kinds)
	f.evidence == {"checked": kinds, "not_checked": ["launch_configurations"]}
	endswith(f.msg, sprintf("; not checked: launch configurations (checked: %s)", [concat(", ", kinds)]))
	f.remediation == concat(" ", [
		"aws autoscaling describe-launch-configurations --region eu-west-1",
		"--query 'LaunchConfigurations[?contains(SecurityGroups || `[]`, `\"sg-1\"`)].LaunchConfigurationName' --output text",
		"# each prints nothing if no launch configuration names it;",
		"then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1",
	])
}

test_forged_id_gets_quoted_checks_and_no_delete if {
	# A newline in an imported id would end the shell comment the delete
	# sits in; such a group gets the checks alone, its id quoted.
	hostile := object.union(group("sg-1", []), {"id": "sg-1\ntouch /tmp/x"})
	findings := unused_group.deny with input as {"coverage": coverage(["network_interfaces"]), "security_groups": [hostile]}
	some f in findings
	f.remediation == concat(" ", [
		concat(" && ", [
			"aws ec2 describe-launch-template-versions --region eu-west-1 --versions '$Latest' '$Default'",
			"aws autoscaling describe-launch-configurations --region eu-west-1",
			"aws ec2 describe-security-group-references --region eu-west-1 --group-id 'sg-1\ntouch /tmp/x'",
		]),
		sprintf("# not checked: %d services whose configuration this data does not hold (evidence.not_checked lists them; a live scan reads them)", [absent_services]),
	])
}

test_gaps_are_per_region if {
	# eu-west-1 has every kind; us-east-1 only interfaces.
	cov := array.concat(coverage(every_use_kind), [{"account_id": "111111111111", "region": "us-east-1", "status": "ok", "collected": ["network_interfaces"]}])
	us := object.union(group("sg-2", []), {"region": "us-east-1", "arn": arn("sg-2")})
	findings := unused_group.deny with input as {"coverage": cov, "security_groups": [group("sg-1", []), us]}
	{[f.group_arn, object.get(f.evidence, "not_checked", "none")] | some f in findings} == {
		[arn("sg-1"), "none"],
		[arn("sg-2"), gap_kinds],
	}
}

test_regression_self_reference_does_not_make_used if {
	# The collector never records a group's reference to itself as
	# evidence; a group whose only reference is its own self rule is unused.
	self_rule := {
		"id": "sgr-1", "direction": "ingress", "protocol": "all", "from_port": 0, "to_port": 65535,
		"peer": {"kind": "security_group", "group_id": "sg-1"}, "description": "cluster",
	}
	unused([object.union(group("sg-1", []), {"rules": [self_rule]})], all_kinds) == {arn("sg-1")}
}

test_regression_launch_template_only_is_used if {
	lt := [{"kind": "launch_template", "id": "lt-0abc", "detail": "$Latest"}]
	unused([group("sg-1", lt), group("sg-2", [])], array.concat(all_kinds, ["launch_templates"])) == {arn("sg-2")}
}

# Other accounts of the scan (item: an account that could not be read). A
# group of account 222222222222 may reference sg-1 across a peering or in a
# shared VPC; while that account is not read, "unused" is not sure.

other_account(status, kinds) := {"account_id": "222222222222", "region": "eu-west-1", "status": status, "collected": kinds}

accounts(other_partition) := [
	{"id": "111111111111", "partition": "aws"},
	{"id": "222222222222", "partition": other_partition},
]

finding_with(other, parts) := f if {
	cov := array.concat(coverage(every_use_kind), [other])
	findings := unused_group.deny with input as {"coverage": cov, "accounts": parts, "security_groups": [group("sg-1", [])]}
	count(findings) == 1
	some f in findings
}

account_check := concat(" ", [
	"with the credentials of account 222222222222, this prints nothing if no rule there names it:",
	"aws ec2 describe-security-groups --region eu-west-1",
	"--query 'SecurityGroups[?contains(IpPermissions[].UserIdGroupPairs[].GroupId || `[]`, `\"sg-1\"`)",
	"|| contains(IpPermissionsEgress[].UserIdGroupPairs[].GroupId || `[]`, `\"sg-1\"`)].GroupId' --output text;",
])

test_regression_denied_account_is_not_checked if {
	f := finding_with(other_account("denied", []), accounts("aws"))
	f.evidence == {"checked": every_use_kind, "accounts_not_read": ["222222222222"]}
	f.msg == sprintf("sg-1 (sg-1) is unused: no network interface, launch template or other group's rule in the accounts read references it; not checked: the rules of account 222222222222 (not read completely) (checked: %s)", [every_use_kind_text])

	# Nothing runs when pasted: the delete waits in a comment.
	f.remediation == concat(" ", ["#", account_check, "then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"])
}

test_unread_account_and_missing_kinds if {
	cov := array.concat(coverage(["network_interfaces", "security_groups"]), [other_account("error", []), {"account_id": "333333333333", "region": "us-east-1", "status": "denied", "collected": []}])
	findings := unused_group.deny with input as {"coverage": cov, "security_groups": [group("sg-1", [])]}
	some f in findings
	f.evidence == {
		"checked": ["network_interfaces", "security_groups"],
		"not_checked": gap_kinds,
		"accounts_not_read": ["222222222222", "333333333333"],
	}
	endswith(f.msg, sprintf("; not checked: %s, the rules of accounts 222222222222, 333333333333 (not read completely) (checked: network_interfaces, security_groups)", [ec2_gap_text]))
	contains(f.remediation, sprintf("--output text # each prints nothing if no launch template, launch configuration or cross-VPC reference names it; first, a live sgaudit scan --region eu-west-1 reads the %d services this data lacks (read-only); with the credentials of each of accounts 222222222222, 333333333333, this prints nothing", [absent_services]))
	endswith(f.remediation, "; then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1")
	not startswith(f.remediation, "#")
}

test_which_other_accounts_count_as_unread if {
	# status, collected kinds, partition of 222222222222 → accounts_not_read
	cases := [
		["ok", ["security_groups", "security_group_rules"], "aws", []],
		["ok", ["security_groups"], "aws", []],
		["ok", ["network_interfaces"], "aws", ["222222222222"]],
		["denied", [], "aws", ["222222222222"]],
		["error", ["security_groups", "security_group_rules", "network_interfaces"], "aws", ["222222222222"]],
		["skipped", [], "aws", []],
		["denied", [], "aws-cn", []],
		["denied", [], "", ["222222222222"]],
	]
	every c in cases {
		f := finding_with(other_account(c[0], c[1]), accounts(c[2]))
		object.get(f.evidence, "accounts_not_read", []) == c[3]
	}
}

test_unread_region_of_the_same_account_is_not_an_other_account if {
	# A denied region of the group's own account: groups there cannot
	# reference a group in eu-west-1 (references stay in a region).
	f := finding_with({"account_id": "111111111111", "region": "ap-south-1", "status": "denied", "collected": []}, accounts("aws"))
	f.evidence == {"checked": every_use_kind}
	f.remediation == "aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"
}

test_partition_from_the_arn if {
	# No accounts list: the group's ARN says aws, 222222222222 is unknown,
	# so it could be the same partition.
	cov := array.concat(coverage(every_use_kind), [other_account("denied", [])])
	findings := unused_group.deny with input as {"coverage": cov, "accounts": [{"id": "222222222222", "partition": "aws-us-gov"}], "security_groups": [group("sg-1", [])]}
	some f in findings
	f.evidence == {"checked": every_use_kind}
}

test_forged_id_with_unread_account_gets_no_delete if {
	hostile := object.union(group("sg-1", []), {"id": "sg-1\ntouch /tmp/x"})
	cov := array.concat(coverage(every_use_kind), [other_account("denied", [])])
	findings := unused_group.deny with input as {"coverage": cov, "security_groups": [hostile]}
	some f in findings
	f.remediation == "# not checked: the rules of account 222222222222 (not read completely)"
}

test_service_evidence_means_used if {
	fn := [{"kind": "lambda", "id": "arn:aws:lambda:eu-west-1:111111111111:function:idle"}]
	unused([group("sg-1", fn), group("sg-2", [])], every_use_kind) == {arn("sg-2")}
}

test_denied_service_is_not_checked_with_its_reason if {
	# lambda:ListFunctions was denied: the row is denied, every other kind
	# was read. Not a false "unused": the message says why Lambda was not
	# checked, and the delete waits behind the Lambda check.
	kinds := [k | some k in every_use_kind; k != "lambda"]
	row := {
		"account_id": "111111111111", "region": "eu-west-1", "status": "denied", "collected": kinds,
		"failed_api": "lambda:ListFunctions", "error_code": "AccessDeniedException",
		"detail": "lambda:ListFunctions: AccessDeniedException: not authorized; elb:DescribeLoadBalancers: not supported by this endpoint (HTTP 500 without an AWS error code)",
	}
	findings := unused_group.deny with input as {"coverage": [row], "security_groups": [group("sg-1", [])]}
	count(findings) == 1
	some f in findings
	f.evidence == {"checked": kinds, "not_checked": ["lambda"]}
	f.msg == sprintf("sg-1 (sg-1) is unused: no network interface or other group's rule references it; not checked: Lambda functions could not be read (lambda:ListFunctions: AccessDeniedException: not authorized) (checked: %s)", [concat(", ", kinds)])
	f.remediation == sprintf("%s # each prints nothing if no Lambda function names it; then: aws ec2 delete-security-group --region eu-west-1 --group-id sg-1", [lambda_check])
}

test_every_service_check_names_the_group_and_region if {
	# Each service's check prints what names sg-1 in eu-west-1 (its query
	# holds the id as a JMESPath literal); its plain form names no group.
	count(service_checks) == count(service_plain)
	every c in service_checks {
		regex.match(`^(aws|for) `, c)
		contains(c, "--region eu-west-1")
		contains(c, "`\"sg-1\"`")
	}
	every p in service_plain {
		contains(p, "--region eu-west-1")
		not contains(p, "sg-1")
	}
}
