# METADATA
# title: Group name breaks the naming convention
# description: >-
#   The group's name does not match the configured regular expression
#   (data.sgaudit.naming_pattern, RE2 syntax, e.g.
#   ^(prod|staging|dev)-[a-z0-9-]+-sg$). Off unless a pattern is configured: an
#   empty pattern gives no finding, and setting one in the configuration file
#   turns the check on. Default groups are exempt: AWS names them "default".
# scope: package
# related_resources:
#   - ref: https://github.com/google/re2/wiki/Syntax
# custom:
#   id: SGA015
#   severity: LOW
#   resolution: >-
#     EC2 cannot rename a group: create a replacement with a conforming name,
#     copy the rules, move the interfaces and launch templates, delete the old
#     group. Or fix the pattern if it is the convention that is wrong.
#   tags: [hygiene]
#   enabled: false
package sgaudit.checks.naming_convention

import data.sgaudit.lib.sg

pattern := data.sgaudit.naming_pattern

deny contains finding if {
	p := pattern
	p != ""
	some g in input.security_groups
	not g.is_default

	# One regex per group; OPA compiles the pattern once and caches it.
	not regex.match(p, g.name)
	finding := {
		"group_arn": g.arn,
		"msg": sprintf("%s has a name that does not match the naming convention %s", [sg.label(g), p]),
		"remediation": sg.replacement_command(g),
		"evidence": {"name": g.name, "pattern": p},
	}
}
