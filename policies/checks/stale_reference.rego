# METADATA
# title: Stale security group reference
# description: >-
#   A rule references a security group that no longer exists, or one in a peered
#   VPC whose peering connection was deleted or never became active
#   (DescribeStaleSecurityGroups, and the rule's peering status: deleted,
#   deleting, failed, expired, rejected). The rule admits nothing now, but it
#   reads as if it did, hides the intent of the group, counts against the quota,
#   and would silently apply again if a group with a reused name or a new
#   peering came back.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeStaleSecurityGroups.html
#   - ref: https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html
# custom:
#   id: SGA013
#   severity: MEDIUM
#   resolution: >-
#     Remove the stale rule; if the access is still needed, reference the
#     group that replaced it, across an active peering.
#   tags: [hygiene, network]
#   requires: [stale_references]
package sgaudit.checks.stale_reference

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# broken_peering are the VPC peering states in which a reference across the
# peering matches nothing (a fact about the EC2 API, not policy):
# https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcPeeringConnectionStateReason.html
broken_peering := {"deleted", "deleting", "failed", "expired", "rejected"}

# What DescribeStaleSecurityGroups reported: the collector puts those rules on
# the group, with the rule id when the group still lists the rule.
deny contains finding if {
	# One expression walks every group's stale rules (nearly always none).
	some i, j
	r := input.security_groups[i].stale_rules[j]
	g := input.security_groups[i]
	finding := stale_finding(g, r, "it references a group that was deleted, or one behind a VPC peering or transit gateway connection that is gone")
}

# A peering status on the rule itself tells the same where the stale rules
# did not list it (the peering broke after the call). stale_rules is checked
# only for such rules, which are rare.
deny contains finding if {
	# One expression walks every rule of every group and skips those
	# without a peering status (nearly all) inside the lookup, without
	# evaluating another expression for them: ~2x cheaper than
	# `some g in input.security_groups; some r in g.rules` first.
	some i, j
	broken_peering[input.security_groups[i].rules[j].peer.peering_status]
	g := input.security_groups[i]
	r := g.rules[j]
	not listed_stale(g, r)
	finding := stale_finding(g, r, sprintf("the VPC peering to %s is %s", [object.get(r.peer, "vpc_id", "the peer VPC"), r.peer.peering_status]))
}

listed_stale(g, r) if {
	some s in g.stale_rules
	s.direction == r.direction
	s.protocol == r.protocol
	s.from_port == r.from_port
	s.to_port == r.to_port
	s.peer.group_id == r.peer.group_id
}

stale_finding(g, r, why) := {
	"group_arn": g.arn,
	"rule": r,
	"msg": sprintf("%s has a stale %s rule (%s %s %s): %s", [
		sg.label(g), r.direction, net.ports_text(r.protocol, r.from_port, r.to_port),
		direction_word[r.direction], net.peer_text(r.peer), why,
	]),
	"remediation": sg.revoke_command(g, r),
	"evidence": {
		"direction": r.direction,
		"peer": net.peer_text(r.peer),
		"peer_vpc_id": object.get(r.peer, "vpc_id", ""),
		"peering_status": object.get(r.peer, "peering_status", ""),
	},
}

direction_word := {"ingress": "from", "egress": "to"}
