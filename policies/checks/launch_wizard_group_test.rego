package sgaudit.checks.launch_wizard_group_test

import data.sgaudit.checks.launch_wizard_group

group(name, used_by) := {
	"arn": sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-%s", [name]),
	"id": sprintf("sg-%s", [name]),
	"name": name,
	"description": sprintf("%s created 2024-05-01T10:00:00.000Z", [name]),
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": [{
		"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
		"peer": {"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}, "description": "",
	}],
	"attachments": [],
	"used_by": used_by,
}

flagged(groups) := {f.group_arn | some f in findings} if {
	findings := launch_wizard_group.deny with input as {"security_groups": groups}
}

test_wizard_names if {
	flagged([
		group("launch-wizard-1", []),
		group("launch-wizard-27", []),
		group("launch-wizard", []),
		group("launch-wizard-1-copy", []),
		group("my-launch-wizard-1", []),
		group("launch-wizard-x", []),
		group("web", []),
	]) == {
		"arn:aws:ec2:eu-west-1:111111111111:security-group/sg-launch-wizard-1",
		"arn:aws:ec2:eu-west-1:111111111111:security-group/sg-launch-wizard-27",
	}
}

test_unused_wizard_group_is_deleted if {
	some f in launch_wizard_group.deny with input as {"security_groups": [group("launch-wizard-3", null)]}
	f.msg == "sg-launch-wizard-3 (launch-wizard-3) was created by the EC2 launch wizard (not in use; delete it)"
	f.remediation == "aws ec2 delete-security-group --region eu-west-1 --group-id sg-launch-wizard-3"
	f.evidence == {"ingress_rules": 1, "network_interfaces": 0, "used_by": []}
}

test_wizard_group_in_use_is_replaced if {
	g := object.union(group("launch-wizard-3", [{"kind": "eni", "id": "eni-1"}]), {"attachments": [{"network_interface_id": "eni-1"}]})
	some f in launch_wizard_group.deny with input as {"security_groups": [g]}
	endswith(f.msg, "(in use by 1 resource(s); replace it with a group named for its workload)")
	startswith(f.remediation, "aws ec2 create-security-group --region eu-west-1 --vpc-id vpc-1 --group-name 'launch-wizard-3-v2'")
	f.evidence.used_by == ["eni"]
}
