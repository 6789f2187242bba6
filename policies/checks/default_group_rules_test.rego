package sgaudit.checks.default_group_rules_test

import data.sgaudit.checks.default_group_rules

default_group(rules) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-d",
	"id": "sg-d",
	"name": "default",
	"description": "default VPC security group",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": true,
	"rules": rules,
	"attachments": [],
	"used_by": [],
}

self_ingress := {
	"id": "sgr-in", "direction": "ingress", "protocol": "all", "from_port": 0, "to_port": 65535,
	"peer": {"kind": "security_group", "group_id": "sg-d"}, "description": "",
}

world_egress := {
	"id": "sgr-out", "direction": "egress", "protocol": "all", "from_port": 0, "to_port": 65535,
	"peer": {"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}, "description": "",
}

vpcs(n) := [
	{"id": "vpc-1", "account_id": "111111111111", "region": "eu-west-1", "network_interfaces": n},
	{"id": "vpc-1", "account_id": "111111111111", "region": "us-east-1", "network_interfaces": 7},
]

# interfaces_collected is the coverage of a scan that read interfaces in
# eu-west-1; without it a VPC's 0 interfaces may only mean "not read".
interfaces_collected := [{
	"account_id": "111111111111", "region": "eu-west-1", "status": "ok",
	"collected": ["network_interfaces", "security_group_rules", "security_groups"],
}]

deny_for(g, vpc_list) := findings if {
	findings := default_group_rules.deny with input as {"coverage": interfaces_collected, "security_groups": [g], "vpcs": vpc_list}
}

severity(f) := object.get(f, "severity", "METADATA")

test_aws_stock_default_group_in_used_vpc_is_medium if {
	findings := deny_for(default_group([self_ingress, world_egress]), vpcs(3))
	count(findings) == 1
	some f in findings
	severity(f) == "METADATA" # MEDIUM
	f.evidence == {"ingress_rules": 1, "egress_rules": 1, "vpc_network_interfaces": 3}
	f.msg == "sg-d (default) is the default group of vpc-1 and has 1 ingress and 1 egress rule(s)"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-d --security-group-rule-ids sgr-in && aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-d --security-group-rule-ids sgr-out"
}

test_empty_vpc_is_low if {
	some f in deny_for(default_group([world_egress]), vpcs(0))
	severity(f) == "LOW"
	f.evidence.vpc_network_interfaces == 0
	contains(f.msg, "nobody uses the VPC")
}

test_unknown_vpc_keeps_medium if {
	some f in deny_for(default_group([world_egress]), [])
	severity(f) == "METADATA"
	f.evidence.vpc_network_interfaces == "unknown"
}

test_attached_group_in_vpc_counted_empty_keeps_medium if {
	g := object.union(default_group([world_egress]), {"attachments": [{"network_interface_id": "eni-1"}]})
	some f in deny_for(g, vpcs(0))
	severity(f) == "METADATA"
}

test_regression_empty_vpc_without_interface_data_keeps_medium if {
	# The collector writes VPC rows with 0 interfaces when it could not read
	# them: a describe-security-groups import, or DescribeNetworkInterfaces
	# denied (the region's coverage then lacks network_interfaces).
	g := default_group([world_egress])
	every coverage in [
		[],
		[{"account_id": "111111111111", "region": "eu-west-1", "status": "partial", "collected": ["security_groups"]}],
		[{"account_id": "111111111111", "region": "us-east-1", "status": "ok", "collected": ["network_interfaces"]}],
		[{"account_id": "222222222222", "region": "eu-west-1", "status": "ok", "collected": ["network_interfaces"]}],
	] {
		findings := default_group_rules.deny with input as {"coverage": coverage, "security_groups": [g], "vpcs": vpcs(0)}
		count(findings) == 1
		every f in findings {
			severity(f) == "METADATA" # MEDIUM
			f.evidence.vpc_network_interfaces == "unknown"
			f.msg == "sg-d (default) is the default group of vpc-1 and has 0 ingress and 1 egress rule(s)"
		}
	}
}

test_low_severity_is_data if {
	some f in default_group_rules.deny with input as {"coverage": interfaces_collected, "security_groups": [default_group([world_egress])], "vpcs": vpcs(0)}
		with data.sgaudit.severities.default_group_rules.vpc_without_interfaces as "MEDIUM"
	severity(f) == "MEDIUM"
}

test_default_group_without_rules_passes if {
	count(deny_for(default_group([]), vpcs(3))) == 0
	count(deny_for(object.union(default_group([]), {"rules": null}), vpcs(3))) == 0
}

test_ingress_only_or_egress_only if {
	some f in deny_for(default_group([self_ingress]), vpcs(3))
	f.evidence.ingress_rules == 1
	f.evidence.egress_rules == 0
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-d --security-group-rule-ids sgr-in"
}

test_non_default_group_is_not_judged if {
	g := object.union(default_group([self_ingress, world_egress]), {"is_default": false, "name": "web"})
	count(deny_for(g, vpcs(3))) == 0
}

test_one_finding_per_group if {
	more := [object.union(world_egress, {"id": sprintf("sgr-%d", [i]), "peer": {"kind": "cidr_ipv4", "cidr": sprintf("10.%d.0.0/16", [i])}}) | some i in numbers.range(1, 5)]
	findings := deny_for(default_group(array.concat([self_ingress], more)), vpcs(3))
	count(findings) == 1
	some f in findings
	f.evidence.egress_rules == 5
}
