# METADATA
# title: Port open to the world that is not authorised
# description: >-
#   An ingress rule lets the world reach a TCP or UDP port range (or all
#   traffic) that is not entirely within the authorised public ports
#   (data.sgaudit.authorized_ports; default tcp 80 and 443), as Security Hub
#   EC2.18. The world is 0.0.0.0/0 or ::/0, a managed prefix list covering
#   either, or CIDR rules of the group that together cover a whole address
#   space. Judged on its own like every check: an SSH rule open to the world is
#   both SGA001 and SGA005, and an all-traffic rule both SGA003 and SGA005, so
#   the count matches EC2.18's; turn SGA005 off to see only the named services.
#   ICMP and port-less protocols are not judged.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18
# custom:
#   id: SGA005
#   severity: MEDIUM
#   resolution: >-
#     Allow the port only from the peers that need it (a security group
#     reference, a VPN range, a managed prefix list you maintain). If it must be
#     public, add it to authorized_ports in the configuration so the decision is
#     reviewed in code.
#   frameworks:
#     aws-security-hub: ["EC2.18"]
#   tags: [network, exposure]
package sgaudit.checks.unauthorized_open_port

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# authorized is the list of {protocol, from_port, to_port} that may face the
# world; protocol all authorises every protocol. (object.get over
# data.sgaudit would read this package too: a recursion.)
authorized := data.sgaudit.authorized_ports

# single[protocol][port] holds each authorised port of a narrow entry, so
# that the usual world rule (one port: 443) is cleared with one lookup.
single := {protocol: {p |
	some a in authorized
	a.protocol == protocol
	a.to_port - a.from_port <= net.max_indexed_range
	some p in numbers.range(a.from_port, a.to_port)
} |
	some protocol in {a.protocol | some a in authorized}
}

# authorized_exact holds [protocol, port, port] for each authorised port of
# a narrow entry, and each entry as written: a world rule that is exactly
# one of them is authorised.
authorized_exact := {[a.protocol, p, p] |
	some a in authorized
	a.to_port - a.from_port <= net.max_indexed_range
	some p in numbers.range(a.from_port, a.to_port)
} | {[a.protocol, a.from_port, a.to_port] | some a in authorized}

deny contains finding if {
	exact := authorized_exact
	ports := single
	listed := authorized_texts
	summary := authorized_text
	some [protocol, from, to], pairs in sg.world_ports

	# HTTPS and HTTP from the world, the usual world rules, are cleared by
	# one lookup; only the rest pays for the function call. Once per
	# (protocol, ports) of the batch's world rules, not per rule.
	not exact[[protocol, from, to]]
	not is_authorized(ports, protocol, from, to)
	rule_ports := net.ports_text(protocol, from, to)

	some [i, r, pair_source] in pairs
	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows %s from %s, which is not an authorised public port (authorised: %s)", [
			g.id, g.name, rule_ports, source.peer, summary,
		]),
		"remediation": sg.revoke_rules_command(g, source.rules),
		"evidence": object.union(source.evidence, {
			"rule_ports": rule_ports,
			"authorized_ports": listed,
		}),
	}
}

# is_authorized(ports, protocol, from, to) is true when every port of the
# range is authorised for the protocol; ports is single, passed in so that
# the usual world rule (one authorised port) is cleared by two lookups
# without reading a package-level rule. false rather than undefined when
# not authorised, so that OPA memoises that answer too (it keeps values
# only) for the rules sharing a protocol and ports.
default is_authorized(_, _, _, _) := false

is_authorized(ports, protocol, from, to) if {
	from == to
	ports[protocol][from]
}

is_authorized(ports, _, from, to) if {
	from == to
	ports.all[from]
}

# A wide authorised entry (1024-65535) holds the whole range.
is_authorized(_, protocol, from, to) if {
	some a in authorized
	protocol_matches(a.protocol, protocol)
	a.from_port <= from
	to <= a.to_port
}

# A range spread over adjacent entries (80-80 and 81-443): every port must
# be authorised. Bounded, so a wide rule never expands.
is_authorized(_, protocol, from, to) if {
	protocol != "all"
	from < to
	to - from <= net.max_indexed_range
	every p in numbers.range(from, to) {
		port_authorized(protocol, p)
	}
}

port_authorized(protocol, port) if {
	some a in authorized
	protocol_matches(a.protocol, protocol)
	a.from_port <= port
	port <= a.to_port
}

protocol_matches(entry, _) if entry == "all"

protocol_matches(entry, protocol) if entry == protocol

port_text(a) := net.ports_text(a.protocol, a.from_port, a.to_port)

# authorized_texts renders each authorised entry, once per scan (it depends
# on data alone, so the engine keeps it across batches) rather than for
# each finding.
authorized_texts := [port_text(a) | some a in authorized]

authorized_text := concat(", ", authorized_texts) if count(authorized) > 0

else := "none"
