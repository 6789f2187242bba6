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

test_evidence_lists_kinds_checked if {
	findings := unused_group.deny with input as {"coverage": coverage(["security_groups", "network_interfaces"]), "security_groups": [group("sg-1", [])]}
	some f in findings
	f.evidence.checked == ["network_interfaces", "security_groups"]
	f.msg == "sg-1 (sg-1) is unused: no network interface, launch template or other group's rule references it (checked: network_interfaces, security_groups)"
	f.remediation == "aws ec2 delete-security-group --region eu-west-1 --group-id sg-1"
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
