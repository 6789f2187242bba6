# METADATA
# title: Group description missing or a placeholder
# description: >-
#   The group's description is empty, repeats the group name, is a placeholder
#   ("Managed by Terraform", "default", "todo", ...) or was written by a wizard
#   ("launch-wizard-1 created ..."), so nobody can tell what the group is for.
#   Default groups are exempt: AWS names and describes them.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/vpc/latest/userguide/creating-security-groups.html
# custom:
#   id: SGA006
#   severity: LOW
#   resolution: >-
#     EC2 cannot change a group's description: create a replacement group with
#     a description that says what it is for, copy the rules, move the network
#     interfaces and launch templates to it, then delete the old group.
#   tags: [hygiene, documentation]
package sgaudit.checks.group_description

import data.sgaudit.lib.sg

# placeholders maps each lower-cased placeholder to true, for object.get.
placeholders := {lower(trim_space(p)): true | some p in data.sgaudit.placeholder_descriptions}

# wizard_pattern is the wizard patterns as one regex: one call per group,
# whatever their number. Without any it matches nothing.
wizard_pattern := concat("|", [sprintf("(?:%s)", [p]) | some p in data.sgaudit.placeholder_patterns]) if {
	count(data.sgaudit.placeholder_patterns) > 0
}

else := `$^`

# first_reason maps what is wrong with a description, [empty, same as the
# name, placeholder, wizard default], to the first of those that holds: one
# reason per group keeps one finding per group. A fine description has no
# entry.
first_reason := {[a, b, c, d]: reasons[k] |
	reasons := ["empty", "same as the group name", "placeholder", "wizard default"]
	some a in [false, true]
	some b in [false, true]
	some c in [false, true]
	some d in [false, true]
	k := min([j | some j, f in [a, b, c, d]; f])
}

# bad_descriptions[i] is the first reason the description of
# input.security_groups[i] says nothing, for the groups that are not
# default and have one. Every test on the lower-cased, trimmed
# description, then one lookup: a function with an else chain per group
# cost more than the tests. Five string built-ins for every group of the
# estate, so sgaudit computes this value in Go for each batch
# (docs/performance.md, "Rules computed in Go"); `opa` computes it from
# this text, and the two are tested equal.
bad_descriptions := {i: reason |
	# Bound once, outside the group loop: a package-level rule referenced
	# inside it is a cache lookup per group (sg.short_rules explains).
	known := placeholders
	wizard := wizard_pattern
	reasons := first_reason
	some i, g in input.security_groups
	not g.is_default
	desc := lower(trim_space(g.description))
	reason := reasons[[
		desc == "",
		desc == lower(trim_space(g.name)),
		object.get(known, desc, false),
		regex.match(wizard, desc),
	]]
}

deny contains finding if {
	some i, reason in bad_descriptions
	g := input.security_groups[i]
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s has a description that says nothing (%s): %q", [sg.label(g), reason, g.description]),
		"remediation": sg.replacement_command(g),
		"evidence": {
			"description": g.description,
			"reason": reason,
		},
	}
}
