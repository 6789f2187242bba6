package reachability

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// PathText is a path in one line: "kind id (detail) → ...".
func PathText(via []Via, hops []Hop) string {
	var b strings.Builder
	for i, v := range via {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("via ")
		if v.Kind == ViaPublicIP {
			b.WriteString("public IP")
		} else {
			b.WriteString("load balancer " + v.LoadBalancerARN + " listener " + v.Listener)
		}
	}
	b.WriteString(": ")
	for i, h := range hops {
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(h.ID)
		if h.Detail != "" {
			b.WriteString(" (" + h.Detail + ")")
		}
	}
	return b.String()
}

// BlockedText is every blocker in one line, with the caveat.
func BlockedText(blocks []Block) string {
	var parts []string
	for _, x := range blocks {
		parts = append(parts, x.ID+": "+x.Reason)
	}
	return "blocked by " + strings.Join(parts, "; ") + " (" + Caveat + ")"
}

// Verdicts derives the inventory's reachability verdicts (docs/inventory.md
// §16) from the analysis: for each group on an analysed interface, one row
// per protocol and port range of the interface's answer; an interface that
// could not be verified gives each of its groups one not_verified row for
// all protocols and ports, except where its (account, region) lacks the
// network data altogether (then the policies' fallback says so, without a
// row per group). A group is regional: every interface carrying it is in
// its own (account, region), so that fallback never hides a verified
// "not reachable" next to an unverified interface of the same group. Rows for the same group and range merge: any
// reachable interface makes it reachable, else any unverified one makes it
// not_verified.
func Verdicts(results []Interface, inv *inventory.Inventory) map[string][]inventory.ReachabilityVerdict {
	groups := make(map[key][]string, len(results))
	for _, n := range inv.NetworkInterfaces {
		groups[key{n.AccountID, n.Region, n.ID}] = n.GroupIDs
	}
	type rowKey struct {
		account, region, group, proto string
		from, to                      int
	}
	rank := map[string]int{inventory.VerdictNotReachable: 0, inventory.VerdictNotVerified: 1, inventory.VerdictReachable: 2}
	rows := map[rowKey]*inventory.ReachabilityVerdict{}
	add := func(it *Interface, proto string, from, to int, verdict, detail string) {
		for _, g := range groups[key{it.AccountID, it.Region, it.ID}] {
			k := rowKey{it.AccountID, it.Region, g, proto, from, to}
			r := rows[k]
			if r == nil || rank[verdict] > rank[r.Verdict] || rank[verdict] == rank[r.Verdict] && it.ID < r.NetworkInterfaceID {
				rows[k] = &inventory.ReachabilityVerdict{AccountID: it.AccountID, Region: it.Region, GroupID: g, Protocol: proto,
					FromPort: from, ToPort: to, Verdict: verdict, NetworkInterfaceID: it.ID, Detail: detail}
			}
		}
	}
	for i := range results {
		it := &results[i]
		if it.NotVerified != "" {
			if !it.pairNotCollected {
				add(it, inventory.ProtocolAll, 0, 65535, inventory.VerdictNotVerified, it.NotVerified)
			}
			continue
		}
		for _, p := range it.Ports {
			switch {
			case p.Reachable:
				add(it, p.Protocol, p.FromPort, p.ToPort, inventory.VerdictReachable, PathText(p.Via, p.Path))
			case p.Unverified != "":
				add(it, p.Protocol, p.FromPort, p.ToPort, inventory.VerdictNotVerified, p.Unverified+"; "+BlockedText(p.BlockedBy))
			default:
				add(it, p.Protocol, p.FromPort, p.ToPort, inventory.VerdictNotReachable, BlockedText(p.BlockedBy))
			}
		}
	}
	if len(rows) == 0 {
		return nil
	}
	out := map[string][]inventory.ReachabilityVerdict{}
	for _, r := range rows {
		k := inventory.ReachabilityKey(r.AccountID, r.Region, r.GroupID)
		out[k] = append(out[k], *r)
	}
	for _, vs := range out {
		slices.SortFunc(vs, func(a, b inventory.ReachabilityVerdict) int {
			return cmp.Or(inventory.CompareProtocols(a.Protocol, b.Protocol), cmp.Compare(a.FromPort, b.FromPort), cmp.Compare(a.ToPort, b.ToPort))
		})
	}
	return out
}

// Annotate adds verified exposure to the report's exposures (computed by
// internal/exposure: world-open ports per public interface): each port
// entry gets reachable, via, path and blocked_by from the analysis's
// answer for the ports it spans; interfaces that only a load balancer
// reaches are added with their reachable ports. An interface that could
// not be verified keeps its ports as they were, with the reason. services
// names the catalogue services of a port range, for the ports only a load
// balancer reaches (the world-open ones have theirs already); their groups
// are the security groups on their path.
func Annotate(exps []findings.Exposure, results []Interface, services func(protocol string, from, to int) []string) []findings.Exposure {
	byID := make(map[key]*Interface, len(results))
	for i := range results {
		r := &results[i]
		byID[key{r.AccountID, r.Region, r.ID}] = r
	}
	seen := map[key]bool{}
	for i := range exps {
		e := &exps[i]
		k := key{e.AccountID, e.Region, e.NetworkInterfaceID}
		seen[k] = true
		r := byID[k]
		if r == nil {
			e.NotVerified = "no network data for this interface"
			continue
		}
		if r.NotVerified != "" {
			e.NotVerified = r.NotVerified
			continue
		}
		for j := range e.Ports {
			annotatePort(&e.Ports[j], r.Ports)
		}
	}
	for i := range results {
		r := &results[i]
		if seen[key{r.AccountID, r.Region, r.ID}] || r.NotVerified != "" {
			continue
		}
		var ports []findings.ExposedPort
		for _, p := range r.Ports {
			if !p.Reachable {
				continue
			}
			ep := findings.ExposedPort{Protocol: p.Protocol, FromPort: p.FromPort, ToPort: p.ToPort,
				Services: services(p.Protocol, p.FromPort, p.ToPort), Peers: []string{}}
			setVerdict(&ep, &p, nil)
			ep.GroupIDs = pathGroups(ep.Path)
			ports = append(ports, ep)
		}
		if len(ports) == 0 {
			continue
		}
		exps = append(exps, findings.Exposure{AccountID: r.AccountID, Region: r.Region, NetworkInterfaceID: r.ID, InterfaceType: r.Type,
			PublicIP: r.PublicIP, Resource: r.Resource, Ports: ports})
	}
	slices.SortFunc(exps, func(a, b findings.Exposure) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Region, b.Region), cmp.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID))
	})
	return exps
}

// annotatePort sets an exposure port's verdict from the answers that
// overlap it: reachable when any is, with the first reachable one's path;
// else blocked by the union of the blockers.
func annotatePort(ep *findings.ExposedPort, ports []Port) {
	var first *Port
	var blocks []Block
	unverified := ""
	any := false
	for i := range ports {
		p := &ports[i]
		if !overlaps(ep, p) {
			continue
		}
		any = true
		if p.Reachable && first == nil {
			first = p
		}
		blocks = append(blocks, p.BlockedBy...)
		unverified = cmp.Or(unverified, p.Unverified)
	}
	if !any {
		// The analysis answers for internet sources only; a world-open
		// port with no answer is one no internet source reaches through
		// the groups (none of its protocols is analysed, such as GRE).
		return
	}
	if first != nil {
		setVerdict(ep, first, nil)
		return
	}
	p := Port{BlockedBy: uniqueBlocks(blocks), Unverified: unverified}
	setVerdict(ep, &p, nil)
}

func overlaps(ep *findings.ExposedPort, p *Port) bool {
	switch ep.Protocol {
	case inventory.ProtocolAll:
		return true
	case p.Protocol:
		if !hasPorts(p.Protocol) || ep.FromPort < 0 {
			return true
		}
		return ep.FromPort <= p.ToPort && p.FromPort <= ep.ToPort
	}
	return false
}

func setVerdict(ep *findings.ExposedPort, p *Port, _ any) {
	r := p.Reachable
	ep.Reachable = &r
	ep.Unverified = p.Unverified
	for _, v := range p.Via {
		ep.Via = append(ep.Via, findings.ExposureVia{Kind: v.Kind, LoadBalancerARN: v.LoadBalancerARN, Listener: v.Listener})
	}
	for _, h := range p.Path {
		ep.Path = append(ep.Path, findings.PathHop{Kind: h.Kind, ID: h.ID, Detail: h.Detail})
	}
	for _, b := range p.BlockedBy {
		ep.BlockedBy = append(ep.BlockedBy, findings.Blocker{Kind: b.Kind, ID: b.ID, Reason: b.Reason})
	}
	ep.UnreachedSources = slices.Clone(p.UnreachedSources)
	if !r && p.Unverified == "" {
		ep.Caveat = Caveat
	}
}

// pathGroups are the security groups a path passes, sorted, once each.
func pathGroups(path []findings.PathHop) []string {
	ids := []string{}
	for _, h := range path {
		if h.Kind == KindSecurityGroup {
			ids = append(ids, h.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}
