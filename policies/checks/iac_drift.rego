# METADATA
# title: Rule not in the Terraform state that manages its group
# description: >-
#   A live rule of a security group that a Terraform state given to the scan
#   manages (--tf-state) is declared nowhere in the states: neither among the
#   group's inline ingress and egress rules nor by an aws_security_group_rule
#   or aws_vpc_security_group_ingress_rule / _egress_rule resource. It was
#   added outside Terraform, in the console or by a script: nobody reviewed it,
#   and the next apply may silently remove it, or never will.
# scope: package
# related_resources:
#   - ref: https://developer.hashicorp.com/terraform/cli/import
#   - ref: https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/vpc_security_group_ingress_rule
# custom:
#   id: SGA017
#   severity: MEDIUM
#   resolution: >-
#     If the rule is wanted, declare it in Terraform: an ingress or egress
#     block in the group when it declares its rules inline (no import), else
#     an aws_vpc_security_group_ingress_rule or _egress_rule block and an
#     import block with the rule's sgr- id; if not, remove it from the group.
#   tags: [drift, iac, terraform]
#   requires: [terraform_state]
package sgaudit.checks.iac_drift

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# The iac object is set in Go before evaluation, only on groups a state
# manages, with the rules no state declares (docs/iac.md §4): nearly every
# group has none, so one expression walks them.
deny contains finding if {
	some i, j
	r := input.security_groups[i].iac.unmanaged_rules[j]
	g := input.security_groups[i]
	ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	peer := net.peer_text(r.peer)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s has an %s rule (%s %s %s) that is not in the Terraform state managing the group as %s: added outside Terraform", [
			sg.label(g), r.direction, ports, direction_word[r.direction], peer, g.iac.address,
		]),
		"remediation": sg.revoke_command(g, r),
		"evidence": {
			"address": g.iac.address,
			"state": g.iac.state,
			"direction": r.direction,
			"rule_ports": ports,
			"peer": peer,
			"import": import_hint(r),
		},
	}
}

direction_word := {"ingress": "from", "egress": "to"}

rule_type := {"ingress": "aws_vpc_security_group_ingress_rule", "egress": "aws_vpc_security_group_egress_rule"}

# import_hint is the Terraform import block that adopts the rule, for a
# rule with an id (a name to choose stands in for NAME).
import_hint(r) := sprintf("import { to = %s.NAME, id = %q }", [rule_type[r.direction], r.id]) if {
	object.get(r, "id", "") != ""
}

else := "the rule has no id in this inventory: find it with aws ec2 describe-security-group-rules"
