package engine

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// This file converts the inventory into OPA's ast.Value by hand. Passing Go
// structs with rego.EvalInput round-trips them through JSON on every Eval;
// building the value directly is 2.5–3× cheaper.
//
// The result must equal ast.InterfaceToValue of the inventory's JSON, field
// for field, omitempty included, so `opa eval -i inventory.json` sees the
// same input as a scan. TestInputMatchesJSON guards that against drift. The
// one deliberate difference: nil slices and maps become [] and {} instead of
// null, so policies never have to guard against null lists.

// Object keys, allocated once. Terms are immutable once built, so one key
// term can sit in any number of objects and be read by concurrent Evals.
var (
	kAccountID          = ast.StringTerm("account_id")
	kAccounts           = ast.StringTerm("accounts")
	kARN                = ast.StringTerm("arn")
	kAttachments        = ast.StringTerm("attachments")
	kCIDR               = ast.StringTerm("cidr")
	kCollected          = ast.StringTerm("collected")
	kCollectedAt        = ast.StringTerm("collected_at")
	kCoverage           = ast.StringTerm("coverage")
	kDescription        = ast.StringTerm("description")
	kDetail             = ast.StringTerm("detail")
	kDirection          = ast.StringTerm("direction")
	kEntries            = ast.StringTerm("entries")
	kErrorCode          = ast.StringTerm("error_code")
	kFailedAPI          = ast.StringTerm("failed_api")
	kFromPort           = ast.StringTerm("from_port")
	kGroupID            = ast.StringTerm("group_id")
	kGroupIDs           = ast.StringTerm("group_ids")
	kGroupOwner         = ast.StringTerm("group_owner")
	kID                 = ast.StringTerm("id")
	kInterfaceType      = ast.StringTerm("interface_type")
	kIsDefault          = ast.StringTerm("is_default")
	kKind               = ast.StringTerm("kind")
	kName               = ast.StringTerm("name")
	kNetworkInterfaceID = ast.StringTerm("network_interface_id")
	kNetworkInterfaces  = ast.StringTerm("network_interfaces")
	kOwner              = ast.StringTerm("owner")
	kPartition          = ast.StringTerm("partition")
	kPeer               = ast.StringTerm("peer")
	kPeeringStatus      = ast.StringTerm("peering_status")
	kPrefixListID       = ast.StringTerm("prefix_list_id")
	kPrefixLists        = ast.StringTerm("prefix_lists")
	kProtocol           = ast.StringTerm("protocol")
	kPublicIP           = ast.StringTerm("public_ip")
	kRawProtocol        = ast.StringTerm("raw_protocol")
	kRegion             = ast.StringTerm("region")
	kResource           = ast.StringTerm("resource")
	kRules              = ast.StringTerm("rules")
	kSchemaVersion      = ast.StringTerm("schema_version")
	kSecurityGroups     = ast.StringTerm("security_groups")
	kSource             = ast.StringTerm("source")
	kStaleRules         = ast.StringTerm("stale_rules")
	kStatus             = ast.StringTerm("status")
	kSubnetID           = ast.StringTerm("subnet_id")
	kTags               = ast.StringTerm("tags")
	kToPort             = ast.StringTerm("to_port")
	kType               = ast.StringTerm("type")
	kUsedBy             = ast.StringTerm("used_by")
	kVPCID              = ast.StringTerm("vpc_id")
	kVPCs               = ast.StringTerm("vpcs")
	// The group's iac object (docs/iac.md §4).
	kIaC            = ast.StringTerm("iac")
	kManagedBy      = ast.StringTerm("managed_by")
	kAddress        = ast.StringTerm("address")
	kState          = ast.StringTerm("state")
	kUnmanagedRules = ast.StringTerm("unmanaged_rules")
	kPrivateIPs     = ast.StringTerm("private_ips")
	kPublicIPs      = ast.StringTerm("public_ips")
	kIPv6Addresses  = ast.StringTerm("ipv6_addresses")
	kPrimary        = ast.StringTerm("primary")
)

// networkLists are the inventory's network model and its derived
// reachability verdicts (docs/inventory.md §16), keyed by their JSON
// names. They are converted through JSON, simply, once per evaluation and
// only when a policy names them: the verdicts are a few rows per group
// with a verified public or load-balanced interface, and no built-in
// policy reads the network model itself.
func networkLists(inv *inventory.Inventory) []struct {
	key  string
	n    int
	list any
} {
	return []struct {
		key  string
		n    int
		list any
	}{
		{"subnets", len(inv.Subnets), inv.Subnets},
		{"route_tables", len(inv.RouteTables), inv.RouteTables},
		{"network_acls", len(inv.NetworkACLs), inv.NetworkACLs},
		{"internet_gateways", len(inv.InternetGateways), inv.InternetGateways},
		{"egress_only_internet_gateways", len(inv.EgressOnlyInternetGateways), inv.EgressOnlyInternetGateways},
		{"addresses", len(inv.Addresses), inv.Addresses},
		{"load_balancers", len(inv.LoadBalancers), inv.LoadBalancers},
		{"target_groups", len(inv.TargetGroups), inv.TargetGroups},
		{"reachability", len(inv.Reachability), inv.Reachability},
	}
}

// jsonTerm converts v through its JSON, nil lists as [] (the one
// deliberate difference from the file: see the top of this file). These
// types hold no pointers or maps, so every JSON null is a nil list. The
// inventory's own types always marshal, so an error is a bug.
func jsonTerm(v any) *ast.Term {
	data, err := json.Marshal(v)
	if err != nil {
		panic("engine: marshal inventory list: " + err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		panic("engine: decode inventory list: " + err.Error())
	}
	val, err := ast.InterfaceToValue(nullToEmpty(x))
	if err != nil {
		panic("engine: convert inventory list: " + err.Error())
	}
	return ast.NewTerm(val)
}

func nullToEmpty(x any) any {
	switch v := x.(type) {
	case nil:
		return []any{}
	case []any:
		for i := range v {
			v[i] = nullToEmpty(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = nullToEmpty(v[k])
		}
	}
	return x
}

// builder converts one batch. It is not safe for concurrent use: each
// worker has its own. Converting is a large share of a batch's cost (one
// group is ~10 rules of ~10 values each), so the builder avoids
// allocations where OPA's API allows:
//   - terms come from a slab instead of one allocation each;
//   - values that repeat across rules (protocol, peer kind, CIDR, region,
//     descriptions...) are one shared term per batch;
//   - key/value pairs are staged on one reusable stack (ast.NewObject
//     copies them);
//   - equal peers (0.0.0.0/0, the office CIDR, a shared prefix list or
//     load-balancer group) are one shared object: an ast.Object costs
//     ~500 bytes in five allocations, the biggest part of the conversion;
//   - so are equal rules without an id (exported describe-security-groups
//     JSON has none): AWS's default egress rule on every group, the same
//     HTTPS-from-the-world rule on many (a quarter of the rules of a batch
//     of BenchmarkScanOffline's estate). A rule with an id is unique.
type builder struct {
	slab  []ast.Term
	ptrs  []*ast.Term // the elements of arrays, like slab
	pairs [][2]*ast.Term
	seen  map[string]*ast.Term
	nums  map[int]*ast.Term
	peers map[peerKey]*ast.Term
	rules map[ruleKey]*ast.Term // rules without an id
	// pass, when set, is run on every rule of the batch's groups as they
	// are converted (accelerate.go), so that each is read once.
	pass *rulePass
}

// peerKey is a peer that names a CIDR, a prefix list or a group (with its
// owner) and nothing else, nearly all of them: three strings to hash per
// rule rather than the seven of an inventory.Peer.
type peerKey struct {
	kind      inventory.PeerKind
	id, owner string
}

// ruleKey is a rule without an id: its peer by its (shared) term, which
// keeps the key small enough for the map to hold it inline (an
// inventory.Rule, over 128 bytes, would cost an allocation per entry).
type ruleKey struct {
	peer                                  *ast.Term
	direction, protocol, raw, description string
	from, to                              int
}

const slabSize = 1024

func newBuilder() *builder {
	return &builder{
		seen:  make(map[string]*ast.Term, 256),
		nums:  make(map[int]*ast.Term, 64),
		peers: make(map[peerKey]*ast.Term, 256),
		rules: make(map[ruleKey]*ast.Term, 256),
	}
}

// builders recycles a batch's builder for the next batch: its maps and
// pair stack cost ~10 KB per batch to allocate again. The slabs are dropped,
// not kept: its used part holds the old batch's terms, and a chunk shared
// by two batches would chain every batch's input together (measured: +600
// MB at 10k groups).
var builders = sync.Pool{New: func() any { return newBuilder() }}

// maxPooledEntries keeps a builder that converted something large (a
// whole inventory, for the drift test) out of the pool: maps do not shrink.
const maxPooledEntries = 4096

func getBuilder() *builder { return builders.Get().(*builder) }

func putBuilder(b *builder) {
	if len(b.seen) > maxPooledEntries || len(b.peers) > maxPooledEntries || len(b.rules) > maxPooledEntries {
		return
	}
	clear(b.seen)
	clear(b.nums)
	clear(b.peers)
	clear(b.rules)
	b.slab, b.ptrs = nil, nil
	builders.Put(b)
}

// term wraps v in a term from the slab.
func (b *builder) term(v ast.Value) *ast.Term {
	if len(b.slab) == 0 {
		b.slab = make([]ast.Term, slabSize)
	}
	t := &b.slab[0]
	b.slab = b.slab[1:]
	t.Value = v
	return t
}

// elems returns room for an array's n elements, from a slab like the
// terms. Its capacity is n, so an append by OPA copies instead of writing
// over the next array.
func (b *builder) elems(n int) []*ast.Term {
	if n > slabSize/4 {
		return make([]*ast.Term, n)
	}
	if len(b.ptrs) < n {
		b.ptrs = make([]*ast.Term, slabSize)
	}
	out := b.ptrs[:n:n]
	b.ptrs = b.ptrs[n:]
	return out
}

// str is a string term for a value that is usually unique (ids, ARNs).
func (b *builder) str(s string) *ast.Term { return b.term(ast.String(s)) }

// fixed are the terms of the values of the inventory's few-valued fields
// (docs/inventory.md): a switch finds them without hashing the string, and
// they are immutable, so every batch shares them.
var fixed = func() map[string]*ast.Term {
	m := map[string]*ast.Term{}
	for _, s := range []string{
		"ingress", "egress", "tcp", "udp", "icmp", "icmpv6", "all", "-1", "6", "17", "1", "58",
		"cidr_ipv4", "cidr_ipv6", "prefix_list", "security_group",
	} {
		m[s] = ast.StringTerm(s)
	}
	return m
}()

var (
	tIngress, tEgress                        = fixed["ingress"], fixed["egress"]
	tTCP, tUDP, tICMP, tICMPv6, tAll         = fixed["tcp"], fixed["udp"], fixed["icmp"], fixed["icmpv6"], fixed["all"]
	tRawAll, tRawTCP, tRawUDP, tRaw1, tRaw58 = fixed["-1"], fixed["6"], fixed["17"], fixed["1"], fixed["58"]
	tCIDRv4, tCIDRv6, tPrefixList, tGroup    = fixed["cidr_ipv4"], fixed["cidr_ipv6"], fixed["prefix_list"], fixed["security_group"]
)

// known is common for a field whose values are mostly the few in fixed.
func (b *builder) known(s string) *ast.Term {
	switch s {
	case "ingress":
		return tIngress
	case "egress":
		return tEgress
	case "tcp":
		return tTCP
	case "udp":
		return tUDP
	case "icmp":
		return tICMP
	case "icmpv6":
		return tICMPv6
	case "all":
		return tAll
	case "-1":
		return tRawAll
	case "6":
		return tRawTCP
	case "17":
		return tRawUDP
	case "1":
		return tRaw1
	case "58":
		return tRaw58
	case "cidr_ipv4":
		return tCIDRv4
	case "cidr_ipv6":
		return tCIDRv6
	case "prefix_list":
		return tPrefixList
	case "security_group":
		return tGroup
	}
	return b.common(s)
}

// common is a string term for a value many terms repeat; it is shared.
func (b *builder) common(s string) *ast.Term {
	if t, ok := b.seen[s]; ok {
		return t
	}
	t := b.term(ast.String(s))
	b.seen[s] = t
	return t
}

func (b *builder) num(i int) *ast.Term {
	if ast.HasInternedIntNumberTerm(i) {
		return ast.InternedTerm(i)
	}
	// Ports above OPA's interned range (8080, 65535...) repeat on every
	// rule that opens them; one term per batch saves two allocations each.
	if t, ok := b.nums[i]; ok {
		return t
	}
	t := b.term(ast.Number(strconv.Itoa(i)))
	b.nums[i] = t
	return t
}

// open starts an object; its pairs go on the shared stack from the
// returned mark, and close builds it.
func (b *builder) open() int { return len(b.pairs) }

func (b *builder) add(k, v *ast.Term) { b.pairs = append(b.pairs, [2]*ast.Term{k, v}) }

// addOmit adds a string unless it is empty, like `json:",omitempty"`.
func (b *builder) addOmit(k *ast.Term, v string, common bool) {
	switch {
	case v == "":
	case common:
		b.add(k, b.common(v))
	default:
		b.add(k, b.str(v))
	}
}

func (b *builder) close(mark int) *ast.Term {
	o := ast.NewObject(b.pairs[mark:]...)
	clear(b.pairs[mark:]) // drop references so the stack does not pin terms
	b.pairs = b.pairs[:mark]
	return b.term(o)
}

// emptyArray and emptyObject stand for every empty list and map: most
// groups have no stale rules, many no tags or no attachments. Like the
// keys, they are immutable and shared by concurrent Evals.
var (
	emptyArray  = ast.NewTerm(ast.NewArray())
	emptyObject = ast.NewTerm(ast.NewObject())
)

// array converts a slice with f.
func array[T any](b *builder, xs []T, f func(*builder, *T) *ast.Term) *ast.Term {
	if len(xs) == 0 {
		return emptyArray
	}
	terms := b.elems(len(xs))
	for i := range xs {
		terms[i] = f(b, &xs[i])
	}
	return b.term(ast.NewArray(terms...))
}

func (b *builder) strings(xs []string) *ast.Term {
	terms := make([]*ast.Term, len(xs))
	for i, s := range xs {
		terms[i] = b.common(s)
	}
	return b.term(ast.NewArray(terms...))
}

// shared is the converted part of the input every batch sees whole:
// everything but security_groups.
type shared [][2]*ast.Term

// sharedInput converts everything but security_groups, once per Evaluate.
// Only the top-level keys in used are converted (nil means all): an
// organisation's network_interfaces list can be as large as its groups,
// and converting it for policies that never read it would cost memory for
// the whole evaluation.
func sharedInput(inv *inventory.Inventory, used map[string]bool) shared {
	b := newBuilder()
	m := b.open()
	want := func(k *ast.Term) bool { return used == nil || used[string(k.Value.(ast.String))] }
	if want(kSchemaVersion) {
		b.add(kSchemaVersion, b.str(inv.SchemaVersion))
	}
	if want(kCollectedAt) {
		// encoding/json writes time.Time as RFC 3339 with nanoseconds.
		b.add(kCollectedAt, b.str(inv.CollectedAt.Format(time.RFC3339Nano)))
	}
	if want(kSource) {
		b.add(kSource, b.str(inv.Source))
	}
	if want(kAccounts) {
		b.add(kAccounts, array(b, inv.Accounts, accountTerm))
	}
	if want(kCoverage) {
		b.add(kCoverage, array(b, inv.Coverage, coverageTerm))
	}
	if want(kPrefixLists) {
		b.add(kPrefixLists, array(b, inv.PrefixLists, prefixListTerm))
	}
	if want(kNetworkInterfaces) {
		b.add(kNetworkInterfaces, array(b, inv.NetworkInterfaces, networkInterfaceTerm))
	}
	if want(kVPCs) {
		b.add(kVPCs, array(b, inv.VPCs, vpcTerm))
	}
	for _, l := range networkLists(inv) {
		// omitempty: absent when empty, as in the file.
		if k := ast.StringTerm(l.key); l.n > 0 && want(k) {
			b.add(k, jsonTerm(l.list))
		}
	}
	return slices.Clone(shared(b.pairs[m:]))
}

// inputKeys returns the top-level input keys the policies can read, or nil
// when they may read any (a bare `input`, or input[k] with a variable k).
// After compilation every read of input is a reference rooted at it, with
// imports and aliases resolved, so a key no reference names is never read.
func inputKeys(modules map[string]*ast.Module) map[string]bool {
	keys := map[string]bool{}
	all := false
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		if all {
			return true
		}
		switch v := x.(type) {
		case ast.Ref:
			if !v[0].Equal(ast.InputRootDocument) {
				return false
			}
			if len(v) < 2 {
				all = true
				return true
			}
			k, ok := v[1].Value.(ast.String)
			if !ok {
				all = true
				return true
			}
			keys[string(k)] = true
			for _, t := range v[1:] { // input.a[input.b]
				vis.Walk(t)
			}
			return true
		case ast.Var:
			if ast.Var(v) == ast.InputRootDocument.Value {
				all = true
			}
		}
		return false
	})
	for _, m := range modules {
		vis.Walk(m)
	}
	if all {
		return nil
	}
	return keys
}

// inputValue is the whole input for one batch of groups, and its
// security_groups array. pass, when not nil, sees every rule of the
// groups (not their stale_rules) in order.
func inputValue(sh shared, groups []inventory.SecurityGroup, pass *rulePass) (ast.Value, *ast.Array) {
	b := getBuilder()
	b.pass = pass
	sgs := emptyArray
	if len(groups) > 0 {
		terms := b.elems(len(groups))
		for i := range groups {
			if pass != nil {
				pass.group = int32(i)
			}
			terms[i] = groupTerm(b, &groups[i])
		}
		sgs = b.term(ast.NewArray(terms...))
	}
	b.pass = nil
	putBuilder(b)
	pairs := make([][2]*ast.Term, 0, len(sh)+1)
	pairs = append(pairs, sh...)
	pairs = append(pairs, [2]*ast.Term{kSecurityGroups, sgs})
	return ast.NewObject(pairs...), sgs.Value.(*ast.Array)
}

func accountTerm(b *builder, a *inventory.Account) *ast.Term {
	m := b.open()
	b.add(kID, b.str(a.ID))
	b.addOmit(kName, a.Name, false)
	b.add(kPartition, b.common(a.Partition))
	return b.close(m)
}

func coverageTerm(b *builder, c *inventory.Coverage) *ast.Term {
	m := b.open()
	b.add(kAccountID, b.common(c.AccountID))
	b.add(kRegion, b.common(c.Region))
	b.add(kStatus, b.common(string(c.Status)))
	b.add(kCollected, b.strings(c.Collected))
	b.addOmit(kFailedAPI, c.FailedAPI, true)
	b.addOmit(kErrorCode, c.ErrorCode, true)
	b.addOmit(kDetail, c.Detail, false)
	b.add(kSecurityGroups, b.num(c.SecurityGroups))
	return b.close(m)
}

func groupTerm(b *builder, g *inventory.SecurityGroup) *ast.Term {
	m := b.open()
	b.add(kARN, b.str(g.ARN))
	b.add(kID, b.str(g.ID))
	b.add(kName, b.str(g.Name))
	b.add(kDescription, b.str(g.Description))
	b.add(kAccountID, b.common(g.AccountID))
	b.add(kRegion, b.common(g.Region))
	b.add(kVPCID, b.common(g.VPCID))
	b.add(kIsDefault, ast.InternedTerm(g.IsDefault))
	if len(g.Tags) == 0 {
		b.add(kTags, emptyObject)
	} else {
		tags := b.open()
		for k, v := range g.Tags.All() {
			b.add(b.common(k), b.common(v))
		}
		b.add(kTags, b.close(tags))
	}
	pass := b.pass
	b.add(kRules, rulesTerm(b, g.Rules))
	b.pass = nil // the pass is over the group's rules, not its stale ones
	b.add(kStaleRules, rulesTerm(b, g.StaleRules))
	b.pass = pass
	b.add(kAttachments, array(b, g.Attachments, attachmentTerm))
	b.add(kUsedBy, array(b, g.UsedBy, evidenceTerm))
	if g.IaC != nil {
		b.add(kIaC, iacTerm(b, g.IaC))
	}
	return b.close(m)
}

// iacTerm is a group's iac object (docs/iac.md §4), set only for groups
// that infrastructure as code given to the scan manages.
func iacTerm(b *builder, c *inventory.IaC) *ast.Term {
	m := b.open()
	b.add(kManagedBy, b.common(c.ManagedBy))
	b.add(kAddress, b.str(c.Address))
	b.add(kState, b.common(c.State))
	b.add(kUnmanagedRules, array(b, c.UnmanagedRules, ruleTerm))
	return b.close(m)
}

func rulesTerm(b *builder, rules inventory.Rules) *ast.Term {
	if rules.Len() == 0 {
		return emptyArray
	}
	terms := b.elems(rules.Len())
	// One Rule for the whole list: the pass's tests are func values, so
	// the rule escapes, and a copy per rule was an allocation each.
	r := new(inventory.Rule)
	for i := range rules.Len() {
		*r = rules.At(i)
		terms[i] = ruleTerm(b, r)
		if b.pass != nil {
			b.pass.see(i, r)
		}
	}
	return b.term(ast.NewArray(terms...))
}

func ruleTerm(b *builder, r *inventory.Rule) *ast.Term {
	peer := peerTerm(b, &r.Peer)
	if r.ID != "" {
		return newRuleTerm(b, r, peer)
	}
	k := ruleKey{peer, string(r.Direction), r.Protocol, r.RawProtocol, r.Description, r.FromPort, r.ToPort}
	if t, ok := b.rules[k]; ok {
		return t
	}
	t := newRuleTerm(b, r, peer)
	b.rules[k] = t
	return t
}

func newRuleTerm(b *builder, r *inventory.Rule, peer *ast.Term) *ast.Term {
	m := b.open()
	b.add(kID, b.str(r.ID))
	b.add(kDirection, b.known(string(r.Direction)))
	b.add(kProtocol, b.known(r.Protocol))
	b.add(kRawProtocol, b.known(r.RawProtocol))
	b.add(kFromPort, b.num(r.FromPort))
	b.add(kToPort, b.num(r.ToPort))
	b.add(kPeer, peer)
	b.add(kDescription, b.common(r.Description))
	return b.close(m)
}

func peerTerm(b *builder, p *inventory.Peer) *ast.Term {
	var k peerKey
	switch {
	case p.VPCID != "" || p.PeeringStatus != "":
		return newPeerTerm(b, p) // a peered VPC's group: rare
	case p.CIDR != "" && p.PrefixListID == "" && p.GroupID == "" && p.GroupOwner == "":
		k = peerKey{p.Kind, p.CIDR, ""}
	case p.CIDR == "" && p.PrefixListID != "" && p.GroupID == "" && p.GroupOwner == "":
		k = peerKey{p.Kind, p.PrefixListID, ""}
	case p.CIDR == "" && p.PrefixListID == "" && p.GroupID != "":
		k = peerKey{p.Kind, p.GroupID, p.GroupOwner}
	default:
		return newPeerTerm(b, p)
	}
	if t, ok := b.peers[k]; ok {
		return t
	}
	t := newPeerTerm(b, p)
	b.peers[k] = t
	return t
}

func newPeerTerm(b *builder, p *inventory.Peer) *ast.Term {
	m := b.open()
	b.add(kKind, b.known(string(p.Kind)))
	b.addOmit(kCIDR, p.CIDR, true)
	b.addOmit(kPrefixListID, p.PrefixListID, true)
	b.addOmit(kGroupID, p.GroupID, false)
	b.addOmit(kGroupOwner, p.GroupOwner, true)
	b.addOmit(kVPCID, p.VPCID, true)
	b.addOmit(kPeeringStatus, p.PeeringStatus, true)
	return b.close(m)
}

func attachmentTerm(b *builder, a *inventory.Attachment) *ast.Term {
	m := b.open()
	b.add(kNetworkInterfaceID, b.str(a.NetworkInterfaceID))
	b.add(kInterfaceType, b.common(a.InterfaceType))
	b.addOmit(kPublicIP, a.PublicIP, false)
	b.addOmit(kResource, a.Resource, false)
	return b.close(m)
}

func evidenceTerm(b *builder, e *inventory.Evidence) *ast.Term {
	m := b.open()
	b.add(kKind, b.common(string(e.Kind)))
	b.add(kID, b.str(e.ID))
	b.addOmit(kDetail, e.Detail, false)
	return b.close(m)
}

func prefixListTerm(b *builder, p *inventory.PrefixList) *ast.Term {
	m := b.open()
	b.add(kID, b.str(p.ID))
	b.add(kName, b.str(p.Name))
	b.add(kOwner, b.common(p.Owner))
	b.add(kAccountID, b.common(p.AccountID))
	b.add(kRegion, b.common(p.Region))
	b.add(kEntries, array(b, p.Entries, prefixListEntryTerm))
	return b.close(m)
}

func prefixListEntryTerm(b *builder, e *inventory.PrefixListEntry) *ast.Term {
	m := b.open()
	b.add(kCIDR, b.str(e.CIDR))
	b.addOmit(kDescription, e.Description, false)
	return b.close(m)
}

func networkInterfaceTerm(b *builder, n *inventory.NetworkInterface) *ast.Term {
	m := b.open()
	b.add(kID, b.str(n.ID))
	b.add(kType, b.common(n.Type))
	b.add(kAccountID, b.common(n.AccountID))
	b.add(kRegion, b.common(n.Region))
	b.add(kVPCID, b.common(n.VPCID))
	b.add(kSubnetID, b.common(n.SubnetID))
	b.addOmit(kPublicIP, n.PublicIP, false)
	b.addOmit(kResource, n.Resource, false)
	b.add(kGroupIDs, b.strings(n.GroupIDs))
	b.addOmit(kStatus, n.Status, true)
	for _, l := range [...]struct {
		k  *ast.Term
		xs []string
	}{{kPrivateIPs, n.PrivateIPs}, {kPublicIPs, n.PublicIPs}, {kIPv6Addresses, n.IPv6Addresses}} {
		if len(l.xs) > 0 { // omitempty
			terms := make([]*ast.Term, len(l.xs))
			for i, s := range l.xs {
				terms[i] = b.str(s)
			}
			b.add(l.k, b.term(ast.NewArray(terms...)))
		}
	}
	if n.Primary {
		b.add(kPrimary, ast.InternedTerm(true))
	}
	return b.close(m)
}

func vpcTerm(b *builder, v *inventory.VPC) *ast.Term {
	m := b.open()
	b.add(kID, b.str(v.ID))
	b.add(kAccountID, b.common(v.AccountID))
	b.add(kRegion, b.common(v.Region))
	b.add(kNetworkInterfaces, b.num(v.NetworkInterfaces))
	return b.close(m)
}
