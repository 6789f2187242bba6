# METADATA
# title: Admin port open to the world
# description: >-
#   An ingress rule lets the world reach a remote administration port (SSH 22,
#   RDP 3389; TCP or UDP, including through a port range or all traffic). The
#   world is 0.0.0.0/0 or ::/0, a managed prefix list whose entries cover either,
#   or CIDR rules of the group that together cover a whole address space. One
#   finding per rule (or set of rules) and service. CRITICAL when the port is
#   verified reachable from the internet on an interface carrying the group
#   (docs/reachability.md); where network data was not collected, when such
#   an interface has a public IP.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-14
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-53
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-54
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
# custom:
#   id: SGA001
#   severity: HIGH
#   resolution: >-
#     Remove the rule. Reach hosts through SSM Session Manager (no inbound port
#     at all), or allow only a known CIDR or a security group instead of the world.
#   frameworks:
#     cis-aws-foundations: ["v3.0:5.2", "v3.0:5.3", "v4.0:5.3", "v4.0:5.4", "v5.0:5.3", "v5.0:5.4", "v6.0:6.3", "v6.0:6.4"]
#     aws-security-hub: ["EC2.13", "EC2.14", "EC2.19", "EC2.53", "EC2.54"]
#   tags: [network, exposure, ssh, rdp]
package sgaudit.checks.open_admin_ports

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# One finding per (rule, service): an all-traffic rule is both an SSH and an
# RDP finding, each with its own discriminator (the service) so that the two
# fingerprints differ. sg.world_port_hits has already matched the ports of
# the world's rules against data.sgaudit.ports, once per (protocol, ports);
# only the world rules of ports with an admin hit are visited.
deny contains finding if {
	texts := entry_texts

	# ports is bound whole: sg.world_ports[ports] below is one lookup, where
	# a key rebuilt from its parts cost 18% more allocations per batch.
	some ports, hits in sg.world_port_hits
	entries := hits.admin
	some service in {e.service | some e in entries}
	service_entries := [e | some e in entries; e.service == service]
	service_ports := concat(", ", [texts[e] | some e in service_entries])
	[protocol, from, to] := ports
	rule_ports := net.ports_text(protocol, from, to)

	some [i, r, pair_source] in sg.world_ports[ports]
	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)
	public := sg.public_attachments(g)
	x := sg.exposure("open_admin_ports", g, r, service_entries, public, true)
	finding := object.union(
		{
			"group_arn": g.arn,
			"rule": r,
			"discriminator": service,
			"msg": sprintf("%s (%s) allows %s (%s) from %s through %s%s", [
				g.id, g.name, service, service_ports, source.peer,
				rule_ports, x.text,
			]),
			"remediation": sg.revoke_rules_command(g, source.rules),
			"evidence": object.union(source.evidence, {
				"service": service,
				"ports": service_ports,
				"rule_ports": rule_ports,
				"public_interfaces": public,
				"reachability": x.verdict,
			}),
		},
		x.escalation,
	)
}

# entry_texts renders each admin entry of the port catalogue once per scan
# (it depends on data alone, so the engine keeps it across batches).
entry_texts := {e: net.entry_text(e) | some e in data.sgaudit.ports.admin}
