package sgaudit.checks.rules_quota_test

import data.sgaudit.checks.rules_quota

rules(direction, n) := [{
	"id": sprintf("sgr-%s-%d", [direction, i]), "direction": direction, "protocol": "tcp", "from_port": 443, "to_port": 443,
	"peer": {"kind": "cidr_ipv4", "cidr": sprintf("10.0.%d.0/24", [i])}, "description": "client",
} |
	some i in numbers.range(1, n)
]

group(rs) := {
	"arn": "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1",
	"id": "sg-1",
	"name": "big",
	"description": "big",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": false,
	"rules": rs,
	"attachments": [],
	"used_by": [],
}

over(rs) := {f.discriminator: f.evidence.rules | some f in findings} if {
	findings := rules_quota.deny with input as {"security_groups": [group(rs)]}
}

test_at_the_threshold_passes if {
	over(array.concat(rules("ingress", 50), rules("egress", 50))) == {}
}

test_over_the_threshold_per_direction if {
	over(array.concat(rules("ingress", 51), rules("egress", 50))) == {"ingress": 51}
	over(array.concat(rules("ingress", 3), rules("egress", 60))) == {"egress": 60}
	over(array.concat(rules("ingress", 51), rules("egress", 52))) == {"ingress": 51, "egress": 52}
}

test_finding_shape if {
	some f in rules_quota.deny with input as {"security_groups": [group(rules("ingress", 51))]}
	f.msg == "sg-1 (big) has 51 ingress rules, more than 50 (AWS's default quota is 60 per direction)"
	f.remediation == "aws ec2 describe-security-group-rules --region eu-west-1 --filters Name=group-id,Values=sg-1"
	f.evidence == {"direction": "ingress", "rules": 51, "threshold": 50}
}

test_threshold_is_data if {
	findings := rules_quota.deny with input as {"security_groups": [group(rules("egress", 11))]}
		with data.sgaudit.rules_quota as 10
	{f.discriminator | some f in findings} == {"egress"}
}

test_no_rules if {
	over([]) == {}
	count(rules_quota.deny) == 0 with input as {"security_groups": [object.union(group([]), {"rules": null})]}
}
