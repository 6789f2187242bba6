# METADATA
# title: High-risk service port open to the world
# description: >-
#   An ingress rule lets the world reach a service that should never face the
#   internet, other than admin ports (SGA001) and databases (SGA002): FTP,
#   Telnet, SMTP, POP3, IMAP, Microsoft RPC, NetBIOS, SMB, LDAP, NTP and SNMP
#   (UDP), NFS, VNC, WinRM, Docker, Kubernetes API, kubelet, etcd, Consul,
#   Vault, Kibana, and Security Hub EC2.19's 3000, 4333, 5000, 5500, 8080, 8088,
#   8888 (data.sgaudit.ports.high_risk). The world is 0.0.0.0/0 or ::/0, a
#   managed prefix list covering either, or CIDR rules of the group that
#   together cover a whole address space. One finding per rule (or set of
#   rules), listing every service it reaches. CRITICAL when a port is
#   verified reachable from the internet on an interface carrying the group
#   (docs/reachability.md); where network data was not collected, when such
#   an interface has a public IP.
# scope: package
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19
#   - ref: https://www.cisecurity.org/benchmark/amazon_web_services
# custom:
#   id: SGA004
#   severity: HIGH
#   resolution: >-
#     Remove the rule. Allow the service only from the peers that need it (a
#     security group reference, a VPN range); reach consoles through SSM Session
#     Manager port forwarding or a VPN rather than the internet.
#   frameworks:
#     cis-aws-foundations: ["v4.0:5.1.2", "v5.0:5.1.2", "v6.0:6.1.2"]
#     aws-security-hub: ["EC2.19"]
#   tags: [network, exposure]
package sgaudit.checks.open_high_risk_ports

import data.sgaudit.lib.net
import data.sgaudit.lib.sg

# One finding per rule, like SGA002: a range such as 0-1024 reaches a dozen
# of these services, and the fix is the same one revoke.
deny contains finding if {
	texts := service_texts

	# ports is bound whole: sg.world_ports[ports] below is one lookup, where
	# a key rebuilt from its parts cost 18% more allocations per batch.
	some ports, hits in sg.world_port_hits
	matched := hits.high_risk
	services := sort({e.service | some e in matched})
	service_ports := [texts[e] | some e in matched]
	[protocol, from, to] := ports
	rule_ports := net.ports_text(protocol, from, to)

	some [i, r, pair_source] in sg.world_ports[ports]
	g := input.security_groups[i]
	source := sg.world_source(r, pair_source)
	public := sg.public_attachments(g)
	x := sg.exposure("open_high_risk_ports", g, r, matched, public, true)
	finding := object.union(
		{
			"group_arn": g.arn,
			"rule": r,
			"msg": sprintf("%s (%s) allows %s from %s through %s%s", [
				g.id, g.name, concat(", ", service_ports), source.peer,
				rule_ports, x.text,
			]),
			"remediation": sg.revoke_rules_command(g, source.rules),
			"evidence": object.union(source.evidence, {
				"services": services,
				"ports": service_ports,
				"rule_ports": rule_ports,
				"public_interfaces": public,
				"reachability": x.verdict,
			}),
		},
		x.escalation,
	)
}

# service_texts renders each high_risk entry of the port catalogue once per
# scan (it depends on data alone, so the engine keeps it across batches): an
# all-traffic rule from the world reaches every entry, and rendering them
# for each finding was most of such a finding's cost.
service_texts := {e: sprintf("%s (%s)", [e.service, net.entry_text(e)]) | some e in data.sgaudit.ports.high_risk}
