# METADATA
# title: Security group near the rules quota
# description: >-
#   The group has more rules in one direction than data.sgaudit.rules_quota
#   (default 50; AWS's default quota is 60 inbound and 60 outbound rules per
#   group). Each rule counts once per peer, as DescribeSecurityGroupRules lists
#   them; AWS counts a prefix-list reference as the list's maximum entries,
#   which this check does not weigh. Near the quota, the next change fails
#   during an incident, and a group this large is rarely reviewed.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
# custom:
#   id: SGA012
#   severity: LOW
#   resolution: >-
#     Consolidate: put the CIDRs in a managed prefix list and reference it once,
#     reference the peers' security groups instead of their addresses, or split
#     the group by purpose. Raise the quota only with care: rules per group times
#     groups per interface may not exceed 1,000.
#   tags: [hygiene, quota]
package sgaudit.checks.rules_quota

import data.sgaudit.lib.sg

quota := data.sgaudit.rules_quota

deny contains finding if {
	q := quota

	# Neither direction can pass the quota when both together do not. An
	# element at index q means more than q rules: one lookup per group, no
	# builtin, and undefined for a null or short list; the same expression
	# walks the groups.
	some i
	input.security_groups[i].rules[q]
	g := input.security_groups[i]
	total := count(g.rules)
	ingress := count([r | some r in g.rules; r.direction == "ingress"])
	some direction, n in {"ingress": ingress, "egress": total - ingress}
	n > q
	finding := {
		"group_arn": g.arn,
		"discriminator": direction,
		"msg": sprintf("%s has %d %s rules, more than %d (AWS's default quota is 60 per direction)", [
			sg.label(g), n, direction, q,
		]),
		"remediation": sprintf("aws ec2 describe-security-group-rules %s", [filter_args(g)]),
		"evidence": {"direction": direction, "rules": n, "threshold": q},
	}
}

# filter_args(g) lists one group's rules, to review and consolidate them.
filter_args(g) := sprintf("--region %s --filters Name=group-id,Values=%s", [sg.shell_word(g.region), sg.shell_word(g.id)])
