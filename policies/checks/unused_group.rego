# METADATA
# title: Unused security group
# description: >-
#   No network interface carries the group, no launch template or launch
#   configuration names it, and no other group's rule references it (a group's
#   reference to itself does not count). Only judged where network interfaces
#   were collected; default groups are never unused (AWS keeps them).
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/deleting-security-groups.html
# custom:
#   id: SGA008
#   severity: LOW
#   resolution: >-
#     Delete the group, or tag it with its owner and purpose if it is kept for
#     a reason (a standby or disaster-recovery stack).
#   tags: [hygiene]
#   requires: [network_interfaces]
package sgaudit.checks.unused_group

import data.sgaudit.lib.sg

deny contains finding if {
	some g in input.security_groups
	not g.is_default

	# Any evidence of use clears the group; used_by may be absent, null or
	# empty, all meaning none.
	not g.used_by[0]

	# Without interface data "unused" would be a guess, not a finding.
	sg.collected(g, "network_interfaces")
	checked := sg.kinds_checked(g)
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s is unused: no network interface, launch template or other group's rule references it (checked: %s)", [
			sg.label(g), concat(", ", checked),
		]),
		"remediation": sg.delete_command(g),
		"evidence": {"checked": checked},
	}
}
