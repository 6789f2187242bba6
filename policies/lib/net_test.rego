package sgaudit.lib.net_test

import data.sgaudit.lib.net

rule(proto, from, to) := {"protocol": proto, "from_port": from, "to_port": to}

ssh := {"service": "SSH", "protocols": ["tcp", "udp"], "from_port": 22, "to_port": 22}

mongodb := {"service": "MongoDB", "protocols": ["tcp"], "from_port": 27017, "to_port": 27019}

# is_world

test_is_world_ipv4 if net.is_world("0.0.0.0/0")

test_is_world_ipv6 if net.is_world("::/0")

test_is_world_ipv6_uncompressed if net.is_world("0:0:0:0:0:0:0:0/0")

test_is_world_any_address_with_prefix_zero if net.is_world("10.0.0.0/0")

test_is_world_rejects_narrower_prefixes if {
	every cidr in ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1", "1.2.3.4/10", "0.0.0.0/32", "::/1", "::/128", "2001:db8::/32", "0.0.0.0", ""] {
		not net.is_world(cidr)
	}
}

test_is_world_peer_cidr_kinds if {
	net.is_world_peer({"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"})
	net.is_world_peer({"kind": "cidr_ipv6", "cidr": "::/0"})
}

test_is_world_peer_rejects_other_kinds if {
	not net.is_world_peer({"kind": "security_group", "group_id": "sg-1"})
	not net.is_world_peer({"kind": "prefix_list", "prefix_list_id": "pl-1"})
	not net.is_world_peer({"kind": "cidr_ipv4", "cidr": "10.0.0.0/8"})
}

test_ip_family if {
	net.ip_family("0.0.0.0/0") == "IPv4"
	net.ip_family("::/0") == "IPv6"
}

# carries_ports

test_carries_ports_tcp_udp_all if {
	every p in ["tcp", "udp", "all"] {
		net.carries_ports(rule(p, 22, 22))
	}
}

test_carries_ports_not_icmp_or_numbered if {
	every p in ["icmp", "icmpv6", "47", "50", "58"] {
		not net.carries_ports(rule(p, 22, 22))
	}
}

# covers_port

test_covers_port_exact if net.covers_port(rule("tcp", 22, 22), 22)

test_covers_port_udp if net.covers_port(rule("udp", 22, 22), 22)

test_covers_port_range_contains if {
	net.covers_port(rule("tcp", 0, 1024), 22)
	net.covers_port(rule("tcp", 20, 30), 22)
	net.covers_port(rule("tcp", 22, 30), 22)
	net.covers_port(rule("tcp", 20, 22), 22)
}

test_covers_port_range_outside if {
	not net.covers_port(rule("tcp", 23, 30), 22)
	not net.covers_port(rule("tcp", 0, 21), 22)
	not net.covers_port(rule("tcp", 443, 443), 22)
}

test_covers_port_all_protocols_covers_everything if {
	net.covers_port(rule("all", 0, 65535), 22)

	# protocol all admits every port even when the ports are written -1.
	net.covers_port(rule("all", -1, -1), 3389)
}

test_covers_port_icmp_type_is_not_a_port if {
	# ICMP type 22 / code -1, and GRE: neither is SSH.
	not net.covers_port(rule("icmp", 22, -1), 22)
	not net.covers_port(rule("icmpv6", 22, 22), 22)
	not net.covers_port(rule("47", 22, 22), 22)
}

# matches_protocol

test_matches_protocol if {
	net.matches_protocol(rule("tcp", 22, 22), ["tcp", "udp"])
	net.matches_protocol(rule("udp", 22, 22), ["tcp", "udp"])
	net.matches_protocol(rule("all", 0, 65535), ["udp"])
	not net.matches_protocol(rule("udp", 1433, 1433), ["tcp"])
	not net.matches_protocol(rule("icmp", -1, -1), ["tcp", "udp"])
	not net.matches_protocol(rule("47", 0, 0), ["tcp", "udp"])
}

# overlaps

test_overlaps_ranges if {
	net.overlaps(rule("tcp", 22, 22), ssh)
	net.overlaps(rule("tcp", 0, 1024), ssh)
	net.overlaps(rule("tcp", 20, 30), ssh)
	net.overlaps(rule("tcp", 27000, 27017), mongodb)
	net.overlaps(rule("tcp", 27019, 28000), mongodb)
	net.overlaps(rule("tcp", 27018, 27018), mongodb)
	net.overlaps(rule("all", 0, 65535), mongodb)
}

test_overlaps_disjoint if {
	not net.overlaps(rule("tcp", 23, 1024), ssh)
	not net.overlaps(rule("tcp", 0, 21), ssh)
	not net.overlaps(rule("tcp", 27020, 28000), mongodb)
	not net.overlaps(rule("tcp", 27000, 27016), mongodb)
	not net.overlaps(rule("icmp", 22, 22), ssh)
	not net.overlaps(rule("47", 0, 65535), ssh)
}

# covers_all_ports

test_covers_all_ports if {
	net.covers_all_ports(rule("all", 0, 65535))
	net.covers_all_ports(rule("tcp", 0, 65535))
	net.covers_all_ports(rule("udp", 0, 65535))
}

test_covers_all_ports_usable_range if {
	# Port 0 is reserved: 1-65535 opens every port a client can reach.
	net.covers_all_ports(rule("tcp", 1, 65535))
}

test_all_ports_is_covers_all_ports_on_the_fields if {
	every r in [rule("all", -1, -1), rule("all", 0, 65535), rule("tcp", 0, 65535), rule("udp", 1, 65535)] {
		net.covers_all_ports(r)
		net.all_ports(r.protocol, r.from_port, r.to_port)
	}
	every r in [rule("tcp", 0, 65534), rule("tcp", 2, 65535), rule("icmp", -1, -1), rule("47", 0, 65535), rule("-1", 0, 65535)] {
		not net.covers_all_ports(r)
		not net.all_ports(r.protocol, r.from_port, r.to_port)
	}
}

test_covers_all_ports_partial_ranges if {
	not net.covers_all_ports(rule("tcp", 0, 65534))
	not net.covers_all_ports(rule("tcp", 2, 65535))
	not net.covers_all_ports(rule("tcp", 1024, 65535))
	not net.covers_all_ports(rule("icmp", -1, -1))
	not net.covers_all_ports(rule("47", 0, 65535))
}

# text helpers

test_ports_text if {
	net.ports_text("all", 0, 65535) == "all traffic"
	net.ports_text("tcp", 22, 22) == "tcp 22"
	net.ports_text("udp", 0, 1024) == "udp 0-1024"
	net.ports_text("icmp", 8, -1) == "icmp 8/-1"
	net.ports_text("icmpv6", -1, -1) == "icmpv6 -1/-1"
	net.ports_text("47", -1, -1) == "protocol 47"
}

test_entry_text if {
	net.entry_text(ssh) == "tcp/udp 22"
	net.entry_text(mongodb) == "tcp 27017-27019"
}

test_peer_text if {
	net.peer_text({"kind": "cidr_ipv4", "cidr": "10.0.0.0/8"}) == "10.0.0.0/8"
	net.peer_text({"kind": "cidr_ipv6", "cidr": "::/0"}) == "::/0"
	net.peer_text({"kind": "prefix_list", "prefix_list_id": "pl-1"}) == "pl-1"
	net.peer_text({"kind": "security_group", "group_id": "sg-2"}) == "sg-2"
	net.peer_text({"kind": "security_group", "group_id": "sg-2", "group_owner": ""}) == "sg-2"
	net.peer_text({"kind": "security_group", "group_id": "sg-2", "group_owner": "222222222222"}) == "222222222222/sg-2"
}

# catalogue_ports / may_reach

test_catalogue_ports_expands_ranges if {
	net.catalogue_ports([ssh, mongodb]) == {22, 27017, 27018, 27019}
}

test_catalogue_ports_wide_entry_is_a_wildcard if {
	wide := {"service": "ephemeral", "protocols": ["tcp"], "from_port": 1024, "to_port": 65535}
	net.catalogue_ports([ssh, wide]) == {22, "*"}
}

test_may_reach if {
	ports := net.catalogue_ports([ssh, mongodb])
	net.may_reach(rule("tcp", 22, 22), ports)
	net.may_reach(rule("tcp", 27018, 27018), ports)
	net.may_reach(rule("tcp", 0, 1024), ports) # ranges are left to overlaps()
	net.may_reach(rule("all", 0, 65535), ports)
	net.may_reach(rule("all", -1, -1), ports)
	not net.may_reach(rule("tcp", 443, 443), ports)
	not net.may_reach(rule("udp", 53, 53), ports)
}

test_may_reach_wildcard if {
	ports := net.catalogue_ports([{"service": "ephemeral", "protocols": ["tcp"], "from_port": 1024, "to_port": 65535}])
	net.may_reach(rule("tcp", 443, 443), ports)
}

# world_cidrs / covers_world

test_world_cidrs_of_halves if {
	net.world_cidrs(["0.0.0.0/1", "128.0.0.0/1"]) == ["0.0.0.0/0"]
	net.world_cidrs(["::/1", "8000::/1"]) == ["::/0"]
	net.world_cidrs(["128.0.0.0/1", "::/1", "0.0.0.0/1", "8000::/1"]) == ["0.0.0.0/0", "::/0"]
}

test_world_cidrs_any_spelling_of_slash_zero if {
	net.world_cidrs(["10.0.0.0/0"]) == ["0.0.0.0/0"]
	net.world_cidrs(["0:0:0:0:0:0:0:0/0"]) == ["::/0"]
}

test_world_cidrs_families_merge_apart if {
	# net.cidr_merge of mixed families loses the IPv4 ones; a merge per family
	# keeps an IPv4 half from counting towards the IPv6 space or the reverse.
	net.world_cidrs(["0.0.0.0/1", "8000::/1"]) == []
	net.world_cidrs(["::/0", "10.0.0.0/8"]) == ["::/0"]
}

test_regression_ipv4_mapped_ipv6_is_not_the_ipv4_world if {
	# net.cidr_merge turns ::ffff:0:0/96 into 0.0.0.0/0; an IPv6 rule never
	# admits IPv4 traffic, so these were a false "SSH from the world".
	net.world_cidrs(["::ffff:0:0/96"]) == []
	net.world_cidrs(["8000::/1", "::ffff:0:0/96"]) == []
	net.world_cidrs(["::/1", "8000::/1", "::ffff:0:0/96"]) == ["::/0"]
	net.world_cidrs(["0.0.0.0/1", "::ffff:128.0.0.0/97"]) == []
}

test_regression_two_ipv4_mapped_cidrs_do_not_crash_the_merge if {
	# OPA's net.cidr_merge panicked on each of these lists.
	net.world_cidrs(["::ffff:0:0/96", "::ffff:10.0.0.0/104"]) == []
	net.world_cidrs(["::ffff:0:0/96", "::ffff:0:0/96", "::/1", "8000::/1"]) == ["::/0"]
	net.world_cidrs(["0:0:0:0:0:FFFF:0:0/97", "::ffff:128.0.0.0/97", "0.0.0.0/1", "128.0.0.0/1"]) == ["0.0.0.0/0"]

	# Not mapped: the network address of ::ffff:0:0/80 is ::.
	net.world_cidrs(["::ffff:0:0/80", "::ffff:0:0/96"]) == []
	net.ipv4_mapped("::ffff:10.0.0.0/104")
	not net.ipv4_mapped("::ffff:0:0/80")
	not net.ipv4_mapped("10.0.0.0/8")
	not net.ipv4_mapped("0.0.0.0/0")
	not net.ipv4_mapped("not a cidr")
}

test_regression_ipv6_cidrs_inside_the_reserved_block_do_not_crash_the_merge if {
	# OPA's net.cidr_merge panicked whenever two CIDRs inside ::/8 merged:
	# it drops the leading zero bytes of the merged range's address.
	net.world_cidrs(["64:ff9b::a00:0/104", "64:ff9b::b00:0/104"]) == []
	net.world_cidrs(["64:ff9b::/96", "64:ff9b::/97"]) == []
	net.world_cidrs(["::4:0:0:0/79", "::4:6c00:0:0/89"]) == []
	net.world_cidrs(["::fff9:0:0/112", "::e000:0:0/83"]) == []
	net.world_cidrs(["8000::/1", "::/1", "64:ff9b::a00:0/104", "64:ff9b::b00:0/104"]) == ["::/0"]

	# ::/8 itself and the prefixes holding it are merged as before.
	net.world_cidrs(["::/8", "100::/8", "200::/7", "400::/6", "800::/5", "1000::/4", "2000::/3", "4000::/2", "8000::/1"]) == ["::/0"]
	net.merge_unsafe("64:ff9b::/96")
	net.merge_unsafe("::1/128")
	net.merge_unsafe("::ffff:10.0.0.0/104")
	not net.merge_unsafe("::/8")
	not net.merge_unsafe("::/1")
	not net.merge_unsafe("100::/8")
	not net.merge_unsafe("10.0.0.0/8")
	not net.merge_unsafe("not a cidr")
}

test_world_cidrs_gaps_and_overlaps if {
	net.world_cidrs(["0.0.0.0/1", "10.0.0.0/8", "128.0.0.0/2"]) == []
	net.world_cidrs([]) == []
	not net.covers_world(["0.0.0.0/1", "192.0.0.0/2"])
	net.covers_world(["0.0.0.0/1", "192.0.0.0/2", "128.0.0.0/2"])
}

# union_units / world_union_possible

test_union_units if {
	net.union_units("0.0.0.0/1") == 512
	net.union_units("::/9") == 2
}

test_world_union_possible if {
	net.world_union_possible(["0.0.0.0/1"])
	net.world_union_possible(["0.0.0.0/5"]) # 32 + 1000 >= 1024

	# A lone 10.0.0.0/8 (4) or /6 (16) cannot be part of the world.
	not net.world_union_possible(["10.0.0.0/8"])
	not net.world_union_possible(["8.0.0.0/6"])
	net.world_union_possible(["8.0.0.0/6", "10.0.0.0/8", "20.0.0.0/8"]) # 16 + 4 + 4
}

test_short_cidr if {
	every c in ["0.0.0.0/0", "::/0", "0.0.0.0/1", "10.0.0.0/8", "::/9"] {
		regex.match(net.short_cidr, c)
	}
	every c in ["10.0.0.0/10", "192.168.0.0/16", "2001:db8::/32", "1.2.3.4/32", "1.2.3.4"] {
		not regex.match(net.short_cidr, c)
	}
}

# Public address space (SGA016)

# (That the non-public lists are merged is tested in
# checks/wide_public_range_test.rego: here `net` is this package, and
# net.cidr_merge the builtin is out of reach.)

test_is_public_ipv4 if {
	every cidr in ["8.8.8.8/32", "0.0.0.0/1", "128.0.0.0/1", "11.0.0.0/8", "10.0.0.0/7", "100.0.0.0/10", "100.128.0.0/9", "192.169.0.0/16", "223.255.255.0/24", "192.0.3.0/24", "172.32.0.0/11", "4.0.0.0/6"] {
		net.is_public(cidr)
	}
}

test_is_not_public_ipv4 if {
	every cidr in [
		"10.0.0.0/8", "10.1.0.0/16", "172.16.0.0/12", "172.31.255.0/24", "192.168.0.0/16",
		"100.64.0.0/10", "169.254.169.254/32", "127.0.0.0/8", "0.0.0.0/8",
		"192.0.0.0/24", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15",
		"224.0.0.0/4", "240.0.0.0/4", "224.0.0.0/3", "255.255.255.255/32",
		"10.1.2.0/24", "192.0.2.128/25", "240.0.0.0/5", "248.0.0.0/7", "0.0.0.0/9",
	] {
		not net.is_public(cidr)
	}
}

test_is_public_ipv6 if {
	every cidr in ["::/1", "2000::/3", "2600::/8", "2a05:d000::/25", "64:ff9b::/96", "::/8", "2001:db8::/31"] {
		net.is_public(cidr)
	}
}

test_is_not_public_ipv6 if {
	every cidr in [
		"::1/128", "::/128", "::ffff:0:0/96", "fc00::/7", "fd12:3456::/32", "fe80::/10", "ff00::/8",
		"2001:db8::/32", "2001:db8:1::/48", "3fff::/20", "2001:2::/48", "8000::/1", "4000::/2",
	] {
		not net.is_public(cidr)
	}
}

test_prefix_length if {
	net.prefix_length("10.0.0.0/8") == 8
	net.prefix_length("::/0") == 0
	net.prefix_length("2001:db8::/128") == 128
	not net.prefix_length("10.0.0.0")
}

test_non_public_by_octet if {
	net.non_public_by_octet["10"] == ["10.0.0.0/8"]
	net.non_public_by_octet["192"] == ["192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16"]
	net.non_public_by_octet["224"] == ["224.0.0.0/3"]
	net.non_public_by_octet["255"] == ["224.0.0.0/3"]
	not net.non_public_by_octet["11"]
	not net.non_public_by_octet["223"]
}
