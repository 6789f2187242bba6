package sgaudit.checks.group_description_test

import data.sgaudit.checks.group_description

group(name, description) := {
	"arn": sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-%s", [name]),
	"id": "sg-1",
	"name": name,
	"description": description,
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": [],
	"attachments": [],
	"used_by": [],
}

reasons(groups) := {f.evidence.reason | some f in findings} if {
	findings := group_description.deny with input as {"security_groups": groups}
}

test_empty if {
	reasons([group("web", "")]) == {"empty"}
	reasons([group("web", "   ")]) == {"empty"}
}

test_same_as_name if {
	reasons([group("web-sg", "web-sg")]) == {"same as the group name"}
	reasons([group("Web-SG", " web-sg ")]) == {"same as the group name"}
}

test_placeholders_case_insensitive if {
	every d in ["Managed by Terraform", "managed by terraform", "MANAGED BY TERRAFORM", "default", "TODO", "tbd", "Test", "None", "N/A", "description", "Security Group", "SG", " todo "] {
		reasons([group("web", d)]) == {"placeholder"}
	}
}

test_launch_wizard if {
	reasons([group("launch-wizard-3", "launch-wizard-3 created 2024-01-02T10:00:00.000Z")]) == {"wizard default"}

	# The name differs from the group's: the pattern still catches it.
	reasons([group("web", "launch-wizard-12 created 2023-05-06T07:08:09Z")]) == {"wizard default"}
}

test_real_descriptions_pass if {
	every d in [
		"web servers behind the public ALB",
		"Managed by Terraform: API tier",
		"todo list service",
		"testing environment bastion",
		"launch-wizard-3",
		"default VPC security group",
	] {
		reasons([group("web", d)]) == set()
	}
}

test_regression_default_group_description_is_not_placeholder if {
	g := object.union(group("default", "default VPC security group"), {"is_default": true})
	reasons([g]) == set()

	# Even a default group whose description matches a placeholder or its
	# name: AWS wrote it, nobody can change it.
	g2 := object.union(group("default", "default"), {"is_default": true})
	reasons([g2]) == set()
}

test_one_finding_per_group if {
	# "sg" is both the name and a placeholder: one finding, the first reason.
	findings := group_description.deny with input as {"security_groups": [group("sg", "sg")]}
	count(findings) == 1
	{f.evidence.reason | some f in findings} == {"same as the group name"}
}

test_reasons_in_order if {
	# Empty before a placeholder ("" is one by default), the name before a
	# placeholder or a wizard pattern.
	reasons([group("web", " ")]) == {"empty"}
	reasons([group("test", "Test")]) == {"same as the group name"}
	reasons([group("launch-wizard-1 created x", "launch-wizard-1 created x")]) == {"same as the group name"}
}

test_wizard_patterns_are_data if {
	two := ["^made by [a-z]+$", "^generated$"]
	reasons([group("web", "Generated")]) == {"wizard default"} with data.sgaudit.placeholder_patterns as two
	reasons([group("web", "made by hand")]) == {"wizard default"} with data.sgaudit.placeholder_patterns as two
	reasons([group("web", "made by 2 people")]) == set() with data.sgaudit.placeholder_patterns as two

	# Without any pattern nothing is a wizard default.
	reasons([group("web", "launch-wizard-1 created 2024-01-02T10:00:00.000Z")]) == set() with data.sgaudit.placeholder_patterns as []
}

test_each_group_judged if {
	findings := group_description.deny with input as {"security_groups": [group("a", "TODO"), group("b", "b's web servers"), group("c", "")]}
	{f.group_arn | some f in findings} == {
		"arn:aws:ec2:eu-west-1:111111111111:security-group/sg-a",
		"arn:aws:ec2:eu-west-1:111111111111:security-group/sg-c",
	}
}

test_placeholders_are_data if {
	findings := group_description.deny with input as {"security_groups": [group("web", "changeme"), group("api", "TODO")]}
		with data.sgaudit.placeholder_descriptions as ["ChangeMe"]
	{f.evidence.reason | some f in findings} == {"placeholder"}
	{f.evidence.description | some f in findings} == {"changeme"}
}

test_finding_shape if {
	some f in group_description.deny with input as {"security_groups": [group("web", "Managed by Terraform")]}
	f.msg == `sg-1 (web) has a description that says nothing (placeholder): "Managed by Terraform"`
	f.remediation == `aws ec2 create-security-group --region eu-west-1 --vpc-id vpc-1 --group-name 'web-v2' --description "<what this group is for>"`
	not "rule" in object.keys(f)
}
