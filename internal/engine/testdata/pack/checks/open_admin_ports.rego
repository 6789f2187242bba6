# METADATA
# title: Admin port open to the world
# description: An ingress rule lets 0.0.0.0/0 or ::/0 reach SSH or RDP.
# related_resources:
#   - ref: https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-13
# custom:
#   id: TST001
#   severity: HIGH
#   resolution: Remove the rule; use SSM Session Manager instead of SSH.
#   frameworks:
#     cis-aws-foundations: ["5.2", "5.3"]
#   tags: [network, ssh, rdp]
package sgaudit.checks.open_admin_ports

import data.sgaudit.lib.net

deny contains finding if {
	some g in input.security_groups
	some r in net.world_ingress(g)
	ports := [p | some p in data.testpack.ports.admin; net.covers_port(r, p)]
	count(ports) > 0
	finding := {
		"group_arn": g.arn,
		"rule": r,
		"msg": sprintf("%s (%s) allows ports %v from %s", [g.id, g.name, ports, r.peer.cidr]),
		"severity": severity(g),
		"remediation": net.revoke(g, r),
		"evidence": {"ports": ports, "public_ips": count(public_ips(g))},
	}
}

public_ips(g) := {a.public_ip | some a in g.attachments; a.public_ip != ""}

severity(g) := "CRITICAL" if count(public_ips(g)) > 0

else := "HIGH"
