# METADATA
# title: Admin port open to the world
# description: >-
#   An ingress rule lets 0.0.0.0/0 or ::/0 reach a remote administration port
#   (SSH 22, RDP 3389; TCP or UDP, including through a port range or all
#   traffic). CRITICAL when an interface carrying the group has a public IP.
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
#     cis-aws-foundations: ["5.2", "5.3"]
#     aws-security-hub: ["EC2.13", "EC2.14", "EC2.53", "EC2.54"]
#   tags: [network, exposure, ssh, rdp]
package sgaudit.checks.open_admin_ports

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# catalogue is the admin port list (data.sgaudit.ports.admin); a --data file
# replaces it.
catalogue := data.sgaudit.ports.admin

# ports holds every admin port, to dismiss most world rules in one lookup.
ports := net.catalogue_ports(catalogue)

# services names each admin service once, so a service spread over several
# catalogue entries still yields one finding per (rule, service).
services := {e.service | some e in catalogue}

# One finding per (rule, service): an all-traffic rule is both an SSH and an
# RDP finding, each with its own discriminator (the service) so that the two
# fingerprints differ.
deny contains finding if {
	some i, g in input.security_groups
	some r in sg.world_port_rules[i]
	net.may_reach(r, ports)
	some service in services
	matched := [e |
		some e in catalogue
		e.service == service
		net.matches_protocol(r, e.protocols)
		net.overlaps(r, e)
	]
	count(matched) > 0

	service_ports := concat(", ", [net.entry_text(e) | some e in matched])
	rule_ports := net.ports_text(r.protocol, r.from_port, r.to_port)
	public := sg.public_attachments(g)
	finding := object.union(
		{
			"group_arn": g.arn,
			"rule": r,
			"discriminator": service,
			"msg": sprintf("%s allows %s (%s) from %s through %s%s", [
				sg.label(g), service, service_ports, r.peer.cidr,
				rule_ports, public_text(public),
			]),
			"remediation": sg.revoke_command(g, r),
			"evidence": {
				"service": service,
				"ports": service_ports,
				"peer": r.peer.cidr,
				"ip_family": net.ip_family(r.peer.cidr),
				"rule_ports": rule_ports,
				"public_interfaces": public,
			},
		},
		escalation(public),
	)
}

# A reachable public IP turns "could be exposed" into "is exposed". The
# severity is data (data.sgaudit.severities), CRITICAL by default.
escalation(public) := {"severity": severity} if {
	count(public) > 0
	severity := object.get(data.sgaudit.severities, ["open_admin_ports", "public_interface"], "CRITICAL")
}

else := {}

public_text(public) := "" if count(public) == 0

else := sprintf("; the group is on %d interface(s) with a public IP: %s", [
	count(public),
	concat(", ", [sprintf("%s (%s, %s)", [a.network_interface_id, a.public_ip, resource_text(a)]) | some a in public]),
])

resource_text(a) := a.resource if a.resource != ""

else := "no attached resource"
