package sgaudit.checks.iac_drift_test

import data.sgaudit.checks.iac_drift

rule(id, dir, port, cidr) := {
	"id": id, "direction": dir, "protocol": "tcp", "raw_protocol": "tcp",
	"from_port": port, "to_port": port,
	"peer": {"kind": "cidr_ipv4", "cidr": cidr}, "description": "",
}

group(rules, iac) := object.union(
	{
		"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
		"id": "sg-1",
		"name": "web",
		"account_id": "111111111111",
		"region": "eu-west-1",
		"rules": rules,
	},
	iac,
)

managed(unmanaged) := {"iac": {
	"managed_by": "terraform",
	"address": "module.web.aws_security_group.this",
	"state": "prod.tfstate",
	"unmanaged_rules": unmanaged,
}}

test_hand_added_rule_is_one_finding if {
	by_hand := rule("sgr-9", "ingress", 8443, "0.0.0.0/0")
	g := group([rule("sgr-1", "ingress", 443, "0.0.0.0/0"), by_hand], managed([by_hand]))
	findings := iac_drift.deny with input as {"security_groups": [g]}
	count(findings) == 1
	some f in findings
	f.rule == by_hand
	f.msg == "sg-1 (web) has an ingress rule (tcp 8443 from 0.0.0.0/0) that is not in the Terraform state managing the group as module.web.aws_security_group.this: added outside Terraform"
	f.remediation == "aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-1 --security-group-rule-ids sgr-9"
	f.evidence.import == `import { to = aws_vpc_security_group_ingress_rule.NAME, id = "sgr-9" }`
	f.evidence.state == "prod.tfstate"
}

test_egress_rule_without_id if {
	r := rule("", "egress", 25, "10.0.0.0/8")
	some f in iac_drift.deny with input as {"security_groups": [group([r], managed([r]))]}
	f.remediation == "aws ec2 revoke-security-group-egress --region eu-west-1 --group-id sg-1 --ip-permissions 'IpProtocol=tcp,FromPort=25,ToPort=25,IpRanges=[{CidrIp=10.0.0.0/8}]'"
	startswith(f.evidence.import, "the rule has no id")
}

test_managed_group_without_drift_passes if {
	g := group([rule("sgr-1", "ingress", 443, "0.0.0.0/0")], managed([]))
	count(iac_drift.deny) == 0 with input as {"security_groups": [g]}
}

# A group no state manages has no iac object: its rules are not drift.
test_unmanaged_group_passes if {
	g := group([rule("sgr-1", "ingress", 443, "0.0.0.0/0")], {})
	count(iac_drift.deny) == 0 with input as {"security_groups": [g]}
}
