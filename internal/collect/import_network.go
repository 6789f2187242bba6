package collect

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	json "github.com/go-json-experiment/json"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The AWS CLI lists of the network model (docs/inventory.md §16) the
// importer reads, by their key in the CLI's output.
const (
	listSubnets        = "Subnets"                    // aws ec2 describe-subnets
	listRouteTables    = "RouteTables"                // aws ec2 describe-route-tables
	listNetworkACLs    = "NetworkAcls"                // aws ec2 describe-network-acls
	listIGWs           = "InternetGateways"           // aws ec2 describe-internet-gateways
	listEIGWs          = "EgressOnlyInternetGateways" // aws ec2 describe-egress-only-internet-gateways
	listAddresses      = "Addresses"                  // aws ec2 describe-addresses
	listLoadBalancers  = "LoadBalancers"              // aws elbv2 describe-load-balancers
	listListeners      = "Listeners"                  // aws elbv2 describe-listeners, per load balancer
	listELBRules       = "Rules"                      // aws elbv2 describe-rules, per listener (optional)
	listTargetGroups   = "TargetGroups"               // aws elbv2 describe-target-groups
	listTargetHealth   = "TargetHealthDescriptions"   // aws elbv2 describe-target-health, per target group
	listClassic        = "LoadBalancerDescriptions"   // aws elb describe-load-balancers
	keyTargetGroupARN  = "TargetGroupArn"             // names the group of a describe-target-health export
	networkListsJoined = listSubnets + ", " + listRouteTables + ", " + listNetworkACLs + ", " + listIGWs + ", " + listEIGWs + ", " +
		listAddresses + ", " + listLoadBalancers + ", " + listListeners + ", " + listELBRules + ", " + listTargetGroups + ", " +
		listTargetHealth + " (with " + keyTargetGroupARN + ") or " + listClassic
)

// networkCLIKinds maps each network list to the data kind it provides; the
// lists that only complete another (listeners, rules, targets) provide
// none of their own.
var networkCLIKinds = map[string]string{
	listSubnets:       inventory.KindSubnets,
	listRouteTables:   inventory.KindRouteTables,
	listNetworkACLs:   inventory.KindNetworkACLs,
	listIGWs:          inventory.KindInternetGateways,
	listEIGWs:         inventory.KindEgressOnlyInternetGateways,
	listAddresses:     inventory.KindAddresses,
	listLoadBalancers: inventory.KindLoadBalancers,
	listListeners:     "",
	listELBRules:      "",
	listTargetGroups:  inventory.KindTargetGroups,
	listTargetHealth:  "",
	listClassic:       inventory.KindClassicLoadBalancers,
}

// netItem is one decoded network item and where it was.
type netItem[T any] struct {
	v  T
	at place
}

// importedNetwork holds the network items of the AWS CLI JSON until every
// file is read: most of them name no region, which comes from the VPC
// they belong to, known once the groups, interfaces and subnets are read.
type importedNetwork struct {
	subnets     []netItem[types.Subnet]
	routeTables []netItem[types.RouteTable]
	acls        []netItem[types.NetworkAcl]
	igws        []netItem[types.InternetGateway]
	eigws       []netItem[types.EgressOnlyInternetGateway]
	addresses   []netItem[types.Address]
	lbs         []netItem[elbv2types.LoadBalancer]
	listeners   []netItem[elbv2types.Listener]
	rules       []netItem[elbv2types.Rule]
	tgs         []netItem[elbv2types.TargetGroup]
	health      []netItem[elbv2types.TargetHealthDescription]
	classic     []netItem[elbtypes.LoadBalancerDescription]
	// healthARN is the TargetGroupArn of each file with target health.
	healthARN map[int32]string
	// given are the lists some input gave, even empty.
	given map[string]bool
	files map[int32]bool // files with network lists
}

// decodeNetItem decodes one item of list into the SDK type its describe
// returns.
func decodeNetItem[T any](cur current, at place, dst *[]netItem[T]) error {
	var v T
	if err := json.UnmarshalDecode(cur.s.dec, &v, decodeOptions); err != nil {
		return err
	}
	*dst = append(*dst, netItem[T]{v: v, at: at})
	return nil
}

// addNetworkItem decodes one item of a network list.
func (im *importer) addNetworkItem(cur current, at place, key string) error {
	n := &im.net
	n.files[at.file] = true
	switch key {
	case listSubnets:
		return decodeNetItem(cur, at, &n.subnets)
	case listRouteTables:
		return decodeNetItem(cur, at, &n.routeTables)
	case listNetworkACLs:
		return decodeNetItem(cur, at, &n.acls)
	case listIGWs:
		return decodeNetItem(cur, at, &n.igws)
	case listEIGWs:
		return decodeNetItem(cur, at, &n.eigws)
	case listAddresses:
		return decodeNetItem(cur, at, &n.addresses)
	case listLoadBalancers:
		return decodeNetItem(cur, at, &n.lbs)
	case listListeners:
		return decodeNetItem(cur, at, &n.listeners)
	case listELBRules:
		return decodeNetItem(cur, at, &n.rules)
	case listTargetGroups:
		return decodeNetItem(cur, at, &n.tgs)
	case listTargetHealth:
		return decodeNetItem(cur, at, &n.health)
	case listClassic:
		return decodeNetItem(cur, at, &n.classic)
	}
	return fmt.Errorf("collect: no decoder for list %s", key) // cliKinds and this switch disagree: a bug
}

// elbDNSRegion finds the region in a load balancer's DNS name
// ("name-123.eu-west-1.elb.amazonaws.com").
var elbDNSRegion = regexp.MustCompile(`\.([a-z]{2}(?:-[a-z]+)+-\d+)\.elb\.`)

// netResolver tells the (account, region) of network items from what
// the rest of the import holds.
type netResolver struct {
	im       *importer
	vpcs     map[string]pairKey // VPC → where it is
	subnets  map[string]pairKey
	groups   map[string]pairKey
	enis     map[string]pairKey
	accounts []string // every account of the import, sorted
	regions  []string // every region of the import, sorted
	data     map[pairKey]*RegionData
}

func (r *netResolver) pair(k pairKey) *RegionData {
	d := r.data[k]
	if d == nil {
		rd := r.im.regionData(k)
		d = &rd
		r.data[k] = d
	}
	return d
}

// region is the region of an item: the first of the candidates that is
// one, else the fallback region, else an error.
func (r *netResolver) region(at place, list, what string, candidates ...string) (string, error) {
	for _, c := range candidates {
		if c != "" {
			if !regionName.MatchString(c) {
				return "", fmt.Errorf("%w: %s: %s: %s is not a region name", ErrInput, r.im.where(at, list), what, quote(c))
			}
			return c, nil
		}
	}
	if r.im.fallback != "" {
		return r.im.fallback, nil
	}
	if len(r.regions) == 1 {
		// An export of one region: a detached gateway is of that region.
		return r.regions[0], nil
	}
	return "", fmt.Errorf("%w: %s: cannot tell the region of %s: pass --region", ErrInput, r.im.where(at, list), what)
}

// account is the account of an item: the first candidate, else the one
// account of the import, else an error.
func (r *netResolver) account(at place, list, what string, candidates ...string) (string, error) {
	for _, c := range candidates {
		if c != "" {
			if !inventory.ValidAccountID(c) {
				return "", fmt.Errorf("%w: %s: %s: account %s: an account id is exactly 12 digits", ErrInput, r.im.where(at, list), what, quote(c))
			}
			return c, nil
		}
	}
	if len(r.accounts) == 1 {
		return r.accounts[0], nil
	}
	return "", fmt.Errorf("%w: %s: cannot tell the account of %s: it names none, and no item of the input it belongs to does",
		ErrInput, r.im.where(at, list), what)
}

// inVPC is where the first of the VPCs the input places is.
func (r *netResolver) inVPC(vpcs ...string) (pairKey, bool) {
	for _, v := range vpcs {
		if k, ok := r.vpcs[v]; ok {
			return k, true
		}
	}
	return pairKey{}, false
}

// arnPair is the account and region of an elasticloadbalancing ARN.
func (r *netResolver) arnPair(at place, list, field, s string) (pairKey, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "elasticloadbalancing" || a.AccountID == "" || a.Region == "" {
		return pairKey{}, fmt.Errorf("%w: %s: %s %s is not an Elastic Load Balancing ARN", ErrInput, r.im.where(at, list), field, quote(s))
	}
	if !regionName.MatchString(a.Region) || !inventory.ValidAccountID(a.AccountID) || !partitionName.MatchString(a.Partition) {
		return pairKey{}, fmt.Errorf("%w: %s: %s %s: bad partition, region or account", ErrInput, r.im.where(at, list), field, quote(s))
	}
	return pairKey{a.AccountID, a.Region}, nil
}

// importNetwork places every network item in its (account, region),
// checks that what completes an item (listeners, rules, targets) has its
// item, and normalises each pair through the one normaliser. It runs once
// every group and interface is normalised.
func (im *importer) importNetwork(inv *inventory.Inventory) error {
	n := &im.net
	if len(n.files) == 0 {
		return nil
	}
	if err := n.dedupe(im); err != nil {
		return err
	}
	r := &netResolver{im: im, vpcs: map[string]pairKey{}, subnets: map[string]pairKey{}, groups: map[string]pairKey{},
		enis: map[string]pairKey{}, data: map[pairKey]*RegionData{}}
	accounts, regions := map[string]bool{}, map[string]bool{}
	for _, g := range inv.SecurityGroups {
		k := pairKey{g.AccountID, g.Region}
		r.groups[g.ID], accounts[g.AccountID], regions[g.Region] = k, true, true
		if g.VPCID != "" {
			r.vpcs[g.VPCID] = k
		}
	}
	for _, ni := range inv.NetworkInterfaces {
		k := pairKey{ni.AccountID, ni.Region}
		r.enis[ni.ID], accounts[ni.AccountID], regions[ni.Region] = k, true, true
		if ni.VPCID != "" {
			r.vpcs[ni.VPCID] = k
		}
	}
	for _, it := range n.subnets {
		s := it.v
		id := aws.ToString(s.SubnetId)
		if id == "" {
			return fmt.Errorf("%w: %s: a subnet without SubnetId", ErrInput, im.where(it.at, listSubnets))
		}
		account := aws.ToString(s.OwnerId)
		if account == "" || !inventory.ValidAccountID(account) {
			return fmt.Errorf("%w: %s: subnet %s: OwnerId %s: an account id is exactly 12 digits", ErrInput, im.where(it.at, listSubnets), show(id), quote(account))
		}
		arnRegion, _ := arnRegion(aws.ToString(s.SubnetArn))
		region, err := r.region(it.at, listSubnets, "subnet "+show(id), arnRegion, azRegion.FindString(aws.ToString(s.AvailabilityZone)))
		if err != nil {
			return err
		}
		k := pairKey{account, region}
		r.subnets[id], accounts[account], regions[region] = k, true, true
		if v := aws.ToString(s.VpcId); v != "" {
			r.vpcs[v] = k
		}
		d := r.pair(k)
		d.Subnets = append(d.Subnets, s)
	}
	r.accounts, r.regions = slices.Sorted(maps.Keys(accounts)), slices.Sorted(maps.Keys(regions))

	// Items of a VPC: its region is the VPC's, its account its own.
	for _, it := range n.routeTables {
		t := it.v
		id := aws.ToString(t.RouteTableId)
		k, err := r.vpcItem(it.at, listRouteTables, "route table", id, aws.ToString(t.OwnerId), aws.ToString(t.VpcId))
		if err != nil {
			return err
		}
		d := r.pair(k)
		d.RouteTables = append(d.RouteTables, t)
	}
	for _, it := range n.acls {
		a := it.v
		k, err := r.vpcItem(it.at, listNetworkACLs, "network ACL", aws.ToString(a.NetworkAclId), aws.ToString(a.OwnerId), aws.ToString(a.VpcId))
		if err != nil {
			return err
		}
		d := r.pair(k)
		d.NetworkACLs = append(d.NetworkACLs, a)
	}
	attachedVPCs := func(as []types.InternetGatewayAttachment) []string {
		var out []string
		for _, a := range as {
			out = append(out, aws.ToString(a.VpcId))
		}
		return out
	}
	for _, it := range n.igws {
		g := it.v
		k, err := r.vpcItem(it.at, listIGWs, "internet gateway", aws.ToString(g.InternetGatewayId), aws.ToString(g.OwnerId), attachedVPCs(g.Attachments)...)
		if err != nil {
			return err
		}
		d := r.pair(k)
		d.InternetGateways = append(d.InternetGateways, g)
	}
	for _, it := range n.eigws {
		g := it.v
		// The API names no owner: the account is the VPC's.
		k, err := r.vpcItem(it.at, listEIGWs, "egress-only internet gateway", aws.ToString(g.EgressOnlyInternetGatewayId), "", attachedVPCs(g.Attachments)...)
		if err != nil {
			return err
		}
		d := r.pair(k)
		d.EgressOnlyGateways = append(d.EgressOnlyGateways, g)
	}
	for _, it := range n.addresses {
		a := it.v
		what := "address " + show(aws.ToString(a.PublicIp))
		eni, known := r.enis[aws.ToString(a.NetworkInterfaceId)]
		account, err := r.account(it.at, listAddresses, what, aws.ToString(a.NetworkInterfaceOwnerId), eni.account)
		if err != nil {
			return err
		}
		borderRegion := azRegion.FindString(aws.ToString(a.NetworkBorderGroup))
		if known && borderRegion == "" {
			borderRegion = eni.region
		}
		region, err := r.region(it.at, listAddresses, what, borderRegion)
		if err != nil {
			return err
		}
		d := r.pair(pairKey{account, region})
		d.Addresses = append(d.Addresses, a)
	}

	// Load balancers: their ARNs say where they are.
	lbAt := map[string]pairKey{}
	for _, it := range n.lbs {
		k, err := r.arnPair(it.at, listLoadBalancers, "LoadBalancerArn", aws.ToString(it.v.LoadBalancerArn))
		if err != nil {
			return err
		}
		lbAt[aws.ToString(it.v.LoadBalancerArn)] = k
		d := r.pair(k)
		d.LoadBalancers = append(d.LoadBalancers, it.v)
	}
	if len(n.lbs) > 0 && !n.given[listListeners] {
		return fmt.Errorf("%w: %s: load balancers without their listeners: add the output of `aws elbv2 describe-listeners --load-balancer-arn …` of each",
			ErrInput, im.where(n.lbs[0].at, listLoadBalancers))
	}
	listenerAt := map[string]pairKey{}
	for _, it := range n.listeners {
		lb := aws.ToString(it.v.LoadBalancerArn)
		k, ok := lbAt[lb]
		if !ok {
			return fmt.Errorf("%w: %s: listener %s belongs to load balancer %s, which no input holds: add the describe-load-balancers export of that region",
				ErrInput, im.where(it.at, listListeners), show(aws.ToString(it.v.ListenerArn)), show(lb))
		}
		listenerAt[aws.ToString(it.v.ListenerArn)] = k
		d := r.pair(k)
		d.Listeners = append(d.Listeners, it.v)
	}
	for _, it := range n.rules {
		// arn:…:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id>
		// belongs to arn:…:listener/app/<lb>/<lb id>/<listener id>.
		ruleARN := aws.ToString(it.v.RuleArn)
		listener := strings.Replace(ruleARN, ":listener-rule/", ":listener/", 1)
		if i := strings.LastIndexByte(listener, '/'); i >= 0 {
			listener = listener[:i]
		}
		k, ok := listenerAt[listener]
		if !ok {
			return fmt.Errorf("%w: %s: rule %s belongs to listener %s, which no input holds: add its describe-listeners export",
				ErrInput, im.where(it.at, listELBRules), show(ruleARN), show(listener))
		}
		d := r.pair(k)
		if d.ListenerRules == nil {
			d.ListenerRules = map[string][]elbv2types.Rule{}
		}
		d.ListenerRules[listener] = append(d.ListenerRules[listener], it.v)
	}
	tgAt := map[string]pairKey{}
	for _, it := range n.tgs {
		arn := aws.ToString(it.v.TargetGroupArn)
		k, err := r.arnPair(it.at, listTargetGroups, "TargetGroupArn", arn)
		if err != nil {
			return err
		}
		tgAt[arn] = k
		d := r.pair(k)
		d.TargetGroups = append(d.TargetGroups, it.v)
	}
	withTargets := map[string]bool{}
	for f, arn := range n.healthARN {
		k, ok := tgAt[arn]
		if !ok {
			return fmt.Errorf("%w: %s: the targets of target group %s, which no input holds: add the describe-target-groups export of that region",
				ErrInput, im.names[f], show(arn))
		}
		withTargets[arn] = true
		d := r.pair(k)
		if d.TargetHealth == nil {
			d.TargetHealth = map[string][]elbv2types.TargetHealthDescription{}
		}
		d.TargetHealth[arn] = nonNil(d.TargetHealth[arn])
	}
	for _, it := range n.health {
		arn := n.healthARN[it.at.file]
		d := r.pair(tgAt[arn])
		d.TargetHealth[arn] = append(d.TargetHealth[arn], it.v)
	}
	for _, it := range n.tgs {
		// Without its targets a group would look empty: "absent" where the
		// truth is "not given".
		if arn := aws.ToString(it.v.TargetGroupArn); !withTargets[arn] {
			return fmt.Errorf("%w: %s: target group %s without its targets: add the output of `aws elbv2 describe-target-health --target-group-arn %s` "+
				"with a top-level \"%s\": %s", ErrInput, im.where(it.at, listTargetGroups), show(arn), show(arn), keyTargetGroupARN, quote(arn))
		}
	}
	for _, it := range n.classic {
		c := it.v
		name := aws.ToString(c.LoadBalancerName)
		what := "load balancer " + show(name)
		var vpcRegion, subnetAccount, subnetRegion string
		if k, ok := r.inVPC(aws.ToString(c.VPCId)); ok {
			vpcRegion = k.region
		}
		for _, s := range c.Subnets {
			if k, ok := r.subnets[s]; ok {
				subnetAccount, subnetRegion = k.account, k.region
				break
			}
		}
		var groupAccount string
		for _, g := range c.SecurityGroups {
			if k, ok := r.groups[g]; ok {
				groupAccount = k.account
				break
			}
		}
		var dnsRegion, azName string
		if m := elbDNSRegion.FindStringSubmatch(aws.ToString(c.DNSName)); m != nil {
			dnsRegion = m[1]
		}
		if len(c.AvailabilityZones) > 0 {
			azName = azRegion.FindString(c.AvailabilityZones[0])
		}
		ownerAlias := ""
		if c.SourceSecurityGroup != nil && inventory.ValidAccountID(aws.ToString(c.SourceSecurityGroup.OwnerAlias)) {
			ownerAlias = aws.ToString(c.SourceSecurityGroup.OwnerAlias)
		}
		account, err := r.account(it.at, listClassic, what, cmp.Or(subnetAccount, groupAccount), ownerAlias)
		if err != nil {
			return err
		}
		region, err := r.region(it.at, listClassic, what, cmp.Or(subnetRegion, vpcRegion), azName, dnsRegion)
		if err != nil {
			return err
		}
		d := r.pair(pairKey{account, region})
		d.ClassicLoadBalancers = append(d.ClassicLoadBalancers, c)
	}

	for _, k := range slices.SortedFunc(maps.Keys(r.data), comparePairs) {
		d := r.data[k]
		normalizeNetwork(inv, *d, d.Account.Partition)
		partial := listenersPartial(d)
		for list, kind := range networkCLIKinds {
			if kind != "" && networkListHas(d, list) && !(partial && kind == inventory.KindLoadBalancers) {
				im.kind(k, kind)
			}
		}
	}
	return nil
}

// listenersPartial reports whether an internet-facing load balancer of the
// pair came without its listeners, or an application load balancer's listener
// without its rules (every such listener has at least its default rule):
// what they forward to is unknown, so the load balancers are not
// collected, and "not reachable" cannot be verified (docs/reachability.md
// §4).
func listenersPartial(d *RegionData) bool {
	has := map[string]bool{}
	for _, l := range d.Listeners {
		has[aws.ToString(l.LoadBalancerArn)] = true
		if p := l.Protocol; (p == elbv2types.ProtocolEnumHttp || p == elbv2types.ProtocolEnumHttps) && d.ListenerRules[aws.ToString(l.ListenerArn)] == nil {
			return true
		}
	}
	for _, lb := range d.LoadBalancers {
		// An internal load balancer is no entry: without listeners it
		// misses nothing the analysis uses.
		if lb.Scheme == elbv2types.LoadBalancerSchemeEnumInternetFacing && !has[aws.ToString(lb.LoadBalancerArn)] {
			return true
		}
	}
	return false
}

// dedupeNet keeps one of the items of a list with the same key when they
// are the same (the same export given twice), and refuses two that
// differ: either could hide a path from the internet.
func dedupeNet[T any](im *importer, list string, items []netItem[T], key func(netItem[T]) string) ([]netItem[T], error) {
	seen := make(map[string]int, len(items))
	kept := items[:0]
	for _, it := range items {
		k := key(it)
		if j, dup := seen[k]; dup {
			if reflect.DeepEqual(kept[j].v, it.v) {
				continue
			}
			return nil, fmt.Errorf("%w: %s %s differs between %s and %s", ErrInput, list, show(k), im.where(kept[j].at, list), im.where(it.at, list))
		}
		seen[k] = len(kept)
		kept = append(kept, it)
	}
	return kept, nil
}

// dedupe drops the repeats of every network list (dedupeNet).
func (n *importedNetwork) dedupe(im *importer) error {
	var err error
	if n.subnets, err = dedupeNet(im, listSubnets, n.subnets, func(i netItem[types.Subnet]) string { return aws.ToString(i.v.SubnetId) }); err != nil {
		return err
	}
	if n.routeTables, err = dedupeNet(im, listRouteTables, n.routeTables, func(i netItem[types.RouteTable]) string { return aws.ToString(i.v.RouteTableId) }); err != nil {
		return err
	}
	if n.acls, err = dedupeNet(im, listNetworkACLs, n.acls, func(i netItem[types.NetworkAcl]) string { return aws.ToString(i.v.NetworkAclId) }); err != nil {
		return err
	}
	if n.igws, err = dedupeNet(im, listIGWs, n.igws, func(i netItem[types.InternetGateway]) string { return aws.ToString(i.v.InternetGatewayId) }); err != nil {
		return err
	}
	if n.eigws, err = dedupeNet(im, listEIGWs, n.eigws, func(i netItem[types.EgressOnlyInternetGateway]) string {
		return aws.ToString(i.v.EgressOnlyInternetGatewayId)
	}); err != nil {
		return err
	}
	if n.addresses, err = dedupeNet(im, listAddresses, n.addresses, func(i netItem[types.Address]) string {
		return aws.ToString(i.v.AllocationId) + "/" + aws.ToString(i.v.PublicIp)
	}); err != nil {
		return err
	}
	if n.lbs, err = dedupeNet(im, listLoadBalancers, n.lbs, func(i netItem[elbv2types.LoadBalancer]) string { return aws.ToString(i.v.LoadBalancerArn) }); err != nil {
		return err
	}
	if n.listeners, err = dedupeNet(im, listListeners, n.listeners, func(i netItem[elbv2types.Listener]) string { return aws.ToString(i.v.ListenerArn) }); err != nil {
		return err
	}
	if n.rules, err = dedupeNet(im, listELBRules, n.rules, func(i netItem[elbv2types.Rule]) string { return aws.ToString(i.v.RuleArn) }); err != nil {
		return err
	}
	if n.tgs, err = dedupeNet(im, listTargetGroups, n.tgs, func(i netItem[elbv2types.TargetGroup]) string { return aws.ToString(i.v.TargetGroupArn) }); err != nil {
		return err
	}
	if n.health, err = dedupeNet(im, listTargetHealth, n.health, func(i netItem[elbv2types.TargetHealthDescription]) string {
		k := n.healthARN[i.at.file]
		if t := i.v.Target; t != nil {
			k += "/" + aws.ToString(t.Id) + "/" + strconv.Itoa(int(aws.ToInt32(t.Port)))
		}
		return k
	}); err != nil {
		return err
	}
	n.classic, err = dedupeNet(im, listClassic, n.classic, func(i netItem[elbtypes.LoadBalancerDescription]) string {
		return aws.ToString(i.v.LoadBalancerName) + "/" + aws.ToString(i.v.DNSName)
	})
	return err
}

// vpcItem is the place of an item that belongs to a VPC: its own account
// (else the VPC's), the VPC's region (else the fallback).
func (r *netResolver) vpcItem(at place, list, kind, id, owner string, vpcs ...string) (pairKey, error) {
	what := kind + " " + show(id)
	if id == "" {
		return pairKey{}, fmt.Errorf("%w: %s: a %s without id", ErrInput, r.im.where(at, list), kind)
	}
	k, _ := r.inVPC(vpcs...)
	account, err := r.account(at, list, what, owner, k.account)
	if err != nil {
		return pairKey{}, err
	}
	region, err := r.region(at, list, what, k.region)
	if err != nil {
		return pairKey{}, err
	}
	return pairKey{account, region}, nil
}

// networkListHas reports whether the pair got items of a list.
func networkListHas(d *RegionData, list string) bool {
	switch list {
	case listSubnets:
		return len(d.Subnets) > 0
	case listRouteTables:
		return len(d.RouteTables) > 0
	case listNetworkACLs:
		return len(d.NetworkACLs) > 0
	case listIGWs:
		return len(d.InternetGateways) > 0
	case listEIGWs:
		return len(d.EgressOnlyGateways) > 0
	case listAddresses:
		return len(d.Addresses) > 0
	case listLoadBalancers:
		return len(d.LoadBalancers) > 0
	case listTargetGroups:
		return len(d.TargetGroups) > 0
	case listClassic:
		return len(d.ClassicLoadBalancers) > 0
	}
	return false
}
