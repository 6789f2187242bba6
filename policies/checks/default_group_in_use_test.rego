package sgaudit.checks.default_group_in_use_test

import data.sgaudit.checks.default_group_in_use

default_group(attachments) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-d",
	"id": "sg-d",
	"name": "default",
	"description": "default VPC security group",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": true,
	"rules": [],
	"attachments": attachments,
	"used_by": [],
}

eni(n) := {"network_interface_id": sprintf("eni-%d", [n]), "interface_type": "interface", "resource": sprintf("i-%d", [n])}

deny_for(groups) := findings if {
	findings := default_group_in_use.deny with input as {"security_groups": groups}
}

test_default_group_on_an_interface if {
	findings := deny_for([default_group([eni(1)])])
	count(findings) == 1
	some f in findings
	f.msg == "sg-d (default) is the default group of vpc-1 and 1 network interface(s) use it: eni-1 (i-1)"
	f.remediation == "aws ec2 modify-network-interface-attribute --region eu-west-1 --network-interface-id eni-1 --groups <replacement-sg-id>"
	f.evidence.network_interfaces == [{"network_interface_id": "eni-1", "interface_type": "interface", "resource": "i-1", "public_ip": ""}]
}

test_many_interfaces_are_counted_and_looped if {
	findings := deny_for([default_group([eni(n) | some n in numbers.range(1, 7)])])
	some f in findings
	endswith(f.msg, "use it: eni-1 (i-1), eni-2 (i-2), eni-3 (i-3), eni-4 (i-4), eni-5 (i-5) and 2 more")
	startswith(f.msg, "sg-d (default) is the default group of vpc-1 and 7 network interface(s)")
	count(f.evidence.network_interfaces) == 7
	f.remediation == `for eni in $(aws ec2 describe-network-interfaces --region eu-west-1 --filters Name=group-id,Values=sg-d --query 'NetworkInterfaces[].NetworkInterfaceId' --output text); do aws ec2 modify-network-interface-attribute --region eu-west-1 --network-interface-id "$eni" --groups <replacement-sg-id>; done`
}

test_managed_interface_without_resource if {
	some f in deny_for([default_group([{"network_interface_id": "eni-9", "interface_type": "network_load_balancer"}])])
	endswith(f.msg, "eni-9 (no attached resource)")
}

test_unused_default_group_passes if {
	count(deny_for([default_group([]), default_group(null), object.remove(default_group([]), ["attachments"])])) == 0
}

test_other_groups_are_not_judged if {
	g := object.union(default_group([eni(1)]), {"is_default": false, "name": "web"})
	count(deny_for([g])) == 0
}
