# METADATA
# title: Rule without a description
# description: A rule does not say why it exists.
# custom:
#   id: TST005
#   severity: LOW
#   resolution: Describe every rule.
package sgaudit.checks.rule_without_description

deny contains finding if {
	some g in input.security_groups
	not g.is_default
	some r in g.rules
	r.description == ""
	not aws_default_egress(r)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) rule %s has no description", [g.id, g.name, r.id]),
		"remediation": sprintf("aws ec2 modify-security-group-rules --group-id %s (add a description to %s)", [g.id, r.id]),
	}
}

aws_default_egress(r) if {
	r.direction == "egress"
	r.protocol == "all"
	r.peer.cidr == "0.0.0.0/0"
}
