package sgaudit.checks.naming_convention_test

import data.sgaudit.checks.naming_convention

group(name, is_default) := {
	"arn": sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-%s", [name]),
	"id": sprintf("sg-%s", [name]),
	"name": name,
	"description": "x",
	"account_id": "111111111111",
	"region": "eu-west-1",
	"vpc_id": "vpc-1",
	"is_default": is_default,
	"rules": [],
	"attachments": [],
	"used_by": [],
}

convention := `^(prod|staging|dev)-[a-z0-9-]+-sg$`

names(groups, pattern) := {f.evidence.name | some f in findings} if {
	findings := naming_convention.deny with input as {"security_groups": groups}
		with data.sgaudit.naming_pattern as pattern
}

test_names_that_break_the_convention if {
	names(
		[
			group("prod-web-sg", false),
			group("staging-db-1-sg", false),
			group("web", false),
			group("prod-web", false),
			group("Prod-web-sg", false),
		],
		convention,
	) == {"web", "prod-web", "Prod-web-sg"}
}

test_default_groups_are_exempt if {
	names([group("default", true)], convention) == set()
}

test_off_without_a_pattern if {
	# The shipped default is empty: no findings even with bad names.
	count(naming_convention.deny) == 0 with input as {"security_groups": [group("web", false)]}
	names([group("web", false)], "") == set()
}

test_finding_shape if {
	some f in naming_convention.deny with input as {"security_groups": [group("web", false)]}
		with data.sgaudit.naming_pattern as convention
	f.msg == "sg-web (web) has a name that does not match the naming convention ^(prod|staging|dev)-[a-z0-9-]+-sg$"
	startswith(f.remediation, "aws ec2 create-security-group --region eu-west-1 --vpc-id vpc-1 --group-name 'web-v2'")
}
