package sgaudit.checks.stale_reference_test

import data.sgaudit.checks.stale_reference

group(rules, stale) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "app",
	"description": "app servers",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rules,
	"attachments": [],
	"used_by": [],
	"stale_rules": stale,
}

ref(id, dir, peer) := {
	"id": id, "direction": dir, "protocol": "tcp", "from_port": 5432, "to_port": 5432,
	"peer": object.union({"kind": "security_group", "group_id": "sg-9", "group_owner": "222222222222"}, peer),
	"description": "db",
}

flagged(g) := {f.rule.id | some f in findings} if {
	findings := stale_reference.deny with input as {"security_groups": [g]}
}

test_stale_rule_from_describe_stale_security_groups if {
	r := ref("sgr-1", "ingress", {"vpc_id": "vpc-9"})
	findings := stale_reference.deny with input as {"security_groups": [group([r], [r])]}
	count(findings) == 1
	some f in findings
	f.msg == "sg-1 (app) has a stale ingress rule (tcp 5432 from 222222222222/sg-9): it references a group that was deleted, or one behind a VPC peering or transit gateway connection that is gone"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-1"
	f.evidence.peer_vpc_id == "vpc-9"
}

test_stale_rule_without_id_is_revoked_by_content if {
	r := ref("", "egress", {})
	some f in stale_reference.deny with input as {"security_groups": [group([], [r])]}
	f.remediation == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{UserId=222222222222,GroupId=sg-9}]'"
}

test_broken_peering_status if {
	rules := [
		ref("sgr-1", "ingress", {"vpc_id": "vpc-9", "peering_status": "deleted"}),
		ref("sgr-2", "ingress", {"vpc_id": "vpc-9", "peering_status": "failed"}),
		ref("sgr-3", "egress", {"vpc_id": "vpc-9", "peering_status": "active"}),
		ref("sgr-4", "ingress", {"vpc_id": "vpc-9", "peering_status": "pending-acceptance"}),
		ref("sgr-5", "ingress", {}),
	]
	flagged(group(rules, [])) == {"sgr-1", "sgr-2"}
	some f in stale_reference.deny with input as {"security_groups": [group([rules[0]], [])]}
	endswith(f.msg, ": the VPC peering to vpc-9 is deleted")
	f.evidence.peering_status == "deleted"
}

test_rule_in_both_is_one_finding if {
	r := ref("sgr-1", "ingress", {"vpc_id": "vpc-9", "peering_status": "deleted"})
	count(stale_reference.deny) == 1 with input as {"security_groups": [group([r], [r])]}
}

test_healthy_references_pass if {
	flagged(group([ref("sgr-1", "ingress", {}), ref("sgr-2", "ingress", {"peering_status": "active"})], [])) == set()
	flagged(group([ref("sgr-1", "ingress", {})], null)) == set()
	flagged(object.remove(group([], []), ["stale_rules"])) == set()
}
