# Test pack helpers (the real ones live in policies/lib). Written in the
# style docs/performance.md asks for: set lookups, no per-item helper chains.
package sgaudit.lib.net

world_cidrs := {"0.0.0.0/0", "::/0"}

port_protocols := {"tcp", "udp", "all"}

is_world(peer) if world_cidrs[peer.cidr]

# covers_port holds when rule r lets port through.
covers_port(r, port) if {
	port_protocols[r.protocol]
	r.from_port <= port
	port <= r.to_port
}

# world_ingress is every ingress rule of g open to the world.
world_ingress(g) := [r |
	some r in g.rules
	r.direction == "ingress"
	world_cidrs[r.peer.cidr]
]

revoke(g, r) := sprintf("aws ec2 revoke-security-group-%s --region %s --group-id %s --security-group-rule-ids %s", [r.direction, g.region, g.id, r.id])
