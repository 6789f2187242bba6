package collect

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"golang.org/x/sync/errgroup"
	"golang.org/x/time/rate"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Page sizes: the largest each API accepts (its documented MaxResults or
// MaxRecords range).
const (
	launchTemplatePageSize = 200 // DescribeLaunchTemplateVersions: 1–200
	launchConfigPageSize   = 100 // DescribeLaunchConfigurations: MaxRecords ≤ 100
	prefixListPageSize     = 100 // DescribeManagedPrefixLists, GetManagedPrefixListEntries: 1–100
	staleGroupsPageSize    = 255 // DescribeStaleSecurityGroups: 5–255
	referencesChunk        = 100 // group ids per DescribeSecurityGroupReferences, see describeReferences
	pairFanout             = 4   // calls of one kind in flight at once within a pair
)

// regionKinds are the data kinds of one pair in the order a coverage row
// reports failures: the first failure names the row's failed_api. Only
// security_groups is required; the others are optional, and a pair whose
// optional kind fails keeps its groups with that kind missing from
// coverage.collected, so checks that need it are not judged there. Any
// failure, on any page, makes the row denied or error, except an endpoint
// that lacks references or stale references altogether (endpointLacks).
var regionKinds = []string{
	inventory.KindSecurityGroups,
	inventory.KindSecurityGroupRules,
	inventory.KindNetworkInterfaces,
	inventory.KindLaunchTemplates,
	inventory.KindLaunchConfigurations,
	inventory.KindPrefixLists,
	inventory.KindReferences,
	inventory.KindStaleReferences,
	inventory.KindSubnets,
	inventory.KindRouteTables,
	inventory.KindNetworkACLs,
	inventory.KindInternetGateways,
	inventory.KindEgressOnlyInternetGateways,
	inventory.KindAddresses,
	inventory.KindLoadBalancers,
	inventory.KindTargetGroups,
	inventory.KindClassicLoadBalancers,
}

// opError is the first failure of a kind and the API that failed.
type opError struct {
	op  string
	err error
}

// pairReader reads one (account, region).
type pairReader struct {
	c   *collector
	log *slog.Logger
	ec2 EC2API
	asg AutoScalingAPI
	// elbv2 and elb read the load balancers (loadbalancers.go), under
	// elbLim: Elastic Load Balancing meters its API apart from EC2's, so
	// its calls have a budget of their own, the same size.
	elbv2  ELBv2API
	elb    ClassicELBAPI
	lim    *rate.Limiter
	elbLim *rate.Limiter

	mu   sync.Mutex
	errs map[string]opError // kind → first failure

	// One DescribeLoadBalancers listing of each version per pair, shared by
	// the network model (loadBalancers, classicLoadBalancers) and proof of
	// use (the elbv2 and elb kinds): one paginated listing per API per
	// (account, region), whoever asks first.
	lbOnce, classicOnce sync.Once
	lbs                 []elbv2types.LoadBalancer
	classics            []elbtypes.LoadBalancerDescription
	lbErr, classicErr   error
}

// listLoadBalancers is the pair's one elasticloadbalancingv2
// DescribeLoadBalancers listing.
func (p *pairReader) listLoadBalancers(ctx context.Context) ([]elbv2types.LoadBalancer, error) {
	p.lbOnce.Do(func() {
		p.lbs, p.lbErr = drain(ctx, p.c, p.elbLim, p.log, opLoadBalancers,
			elbv2.NewDescribeLoadBalancersPaginator(p.elbv2, &elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(elbPageSize)}),
			func(o *elbv2.DescribeLoadBalancersOutput) []elbv2types.LoadBalancer { return o.LoadBalancers })
	})
	return p.lbs, p.lbErr
}

// listClassicLoadBalancers is the pair's one elasticloadbalancing
// DescribeLoadBalancers listing.
func (p *pairReader) listClassicLoadBalancers(ctx context.Context) ([]elbtypes.LoadBalancerDescription, error) {
	p.classicOnce.Do(func() {
		p.classics, p.classicErr = drain(ctx, p.c, p.elbLim, p.log, opClassicLoadBalancers,
			elb.NewDescribeLoadBalancersPaginator(p.elb, &elb.DescribeLoadBalancersInput{PageSize: aws.Int32(elbPageSize)}),
			func(o *elb.DescribeLoadBalancersOutput) []elbtypes.LoadBalancerDescription {
				return o.LoadBalancerDescriptions
			})
	})
	return p.classics, p.classicErr
}

func (p *pairReader) fail(kind, op string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.errs[kind]; !ok {
		p.errs[kind] = opError{op: op, err: err}
	}
}

func (p *pairReader) failed(kind string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.errs[kind]
	return ok
}

// collectRegion reads one (account, region). Calls that need nothing run
// at once; the calls that need the groups (references, stale rules,
// prefix-list entries) start as soon as the groups are read. A pair then
// takes two calls' time, not the sum of its calls (docs/architecture.md §4).
func (c *collector) collectRegion(ctx context.Context, t task) result {
	start := time.Now()
	p := &pairReader{
		c:      c,
		log:    c.log.With("account_id", t.account.ID, "region", t.region),
		ec2:    c.newEC2(t.cfg, t.region),
		asg:    c.newASG(t.cfg, t.region),
		elbv2:  c.newELBv2(t.cfg, t.region),
		elb:    c.newELB(t.cfg, t.region),
		lim:    c.limiter(t.account.ID, t.region),
		elbLim: c.limiter(t.account.ID, t.region+"/elasticloadbalancing"),
		errs:   map[string]opError{},
	}
	data := RegionData{Account: t.account, Region: t.region}

	// Without groups nothing else means anything: their failure cancels
	// the calls in flight.
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { data.Rules = p.rules(gctx) })
	wg.Go(func() { data.Interfaces = p.interfaces(gctx) })
	wg.Go(func() { data.LaunchTemplateVersions = p.launchTemplates(gctx) })
	wg.Go(func() { data.LaunchConfigurations = p.launchConfigurations(gctx) })
	wg.Go(func() { data.PrefixLists = p.prefixLists(gctx) })
	wg.Go(func() { data.Uses = p.readUses(gctx, t) })
	// The network and the load balancers: what decides whether the
	// internet reaches an interface (docs/inventory.md §16).
	wg.Go(func() { data.Subnets = p.subnets(gctx) })
	wg.Go(func() { data.RouteTables = p.routeTables(gctx) })
	wg.Go(func() { data.NetworkACLs = p.networkACLs(gctx) })
	wg.Go(func() { data.InternetGateways = p.internetGateways(gctx) })
	wg.Go(func() { data.EgressOnlyGateways = p.egressOnlyGateways(gctx) })
	wg.Go(func() { data.Addresses = p.addresses(gctx) })
	wg.Go(func() { p.loadBalancers(gctx, &data) })
	wg.Go(func() { p.targetGroups(gctx, &data) })
	wg.Go(func() { data.ClassicLoadBalancers = p.classicLoadBalancers(gctx) })
	groups, err := drain(gctx, c, p.lim, p.log, "DescribeSecurityGroups",
		ec2.NewDescribeSecurityGroupsPaginator(p.ec2, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
	if err != nil {
		p.fail(inventory.KindSecurityGroups, "DescribeSecurityGroups", err)
		cancel()
	} else {
		data.Groups = groups
		wg.Go(func() { data.References = p.references(gctx, groups) })
		wg.Go(func() { data.Stale = p.stale(gctx, groups) })
		wg.Go(func() { data.PrefixListEntries = p.prefixListEntries(gctx, groups) })
	}
	wg.Wait()
	// Route tables name prefix lists too (a gateway endpoint's S3 or
	// DynamoDB list, a customer list): longest-prefix match needs their
	// entries (docs/reachability.md §2), read once the routes are known.
	if extra := routePrefixLists(data.RouteTables, data.PrefixListEntries); len(extra) > 0 && data.PrefixListEntries != nil && !p.failed(inventory.KindPrefixLists) {
		for id, es := range p.prefixListEntriesOf(gctx, extra) {
			data.PrefixListEntries[id] = es
		}
	}

	cov := p.coverage(ctx, t, &data)
	p.log.Info("region done", "status", cov.Status, "groups", len(data.Groups), "rules", len(data.Rules),
		"interfaces", len(data.Interfaces), "launch_templates", len(data.LaunchTemplateVersions),
		"collected", len(cov.Collected), "duration", time.Since(start))
	return result{data: data, coverage: cov}
}

// coverage builds the pair's coverage row from the failures and drops the
// data of every failed kind, so the inventory never holds half a kind.
func (p *pairReader) coverage(ctx context.Context, t task, data *RegionData) inventory.Coverage {
	cov := inventory.Coverage{AccountID: t.account.ID, Region: t.region, Status: inventory.CoverageOK, Collected: []string{}}
	groupsFailed := p.failed(inventory.KindSecurityGroups)
	var problems []string
	for _, kind := range slices.Concat(regionKinds, p.c.useKindNames()) {
		e, failed := p.errs[kind]
		if !failed {
			if !groupsFailed {
				cov.Collected = append(cov.Collected, kind)
			}
			continue
		}
		dropKind(data, kind)
		if groupsFailed && kind != inventory.KindSecurityGroups && errors.Is(e.err, context.Canceled) && ctx.Err() == nil {
			continue // cancelled because the groups failed: not a failure of its own
		}
		if endpointLacks(kind, e.err) {
			// Not a gap in what exists, but an optional kind this endpoint
			// cannot give: the row stays ok, and the kind is missing from
			// collected.
			problems = append(problems, e.op+": not supported by this endpoint ("+describeError(e.err)+")")
			p.log.Info("API not supported by the endpoint", "api", e.op, "error", e.err)
			continue
		}
		status, code := classify(e.err)
		if cov.Status == inventory.CoverageOK {
			cov.Status, cov.FailedAPI, cov.ErrorCode = status, e.op, code
		}
		problems = append(problems, e.op+": "+describeError(e.err))
		p.log.Warn("cannot read region data", "api", e.op, "kind", kind, "status", status, "error_code", code, "error", e.err)
	}
	if groupsFailed {
		*data = RegionData{Account: t.account, Region: t.region}
	}
	cov.Detail = strings.Join(problems, "; ")
	cov.SecurityGroups = len(data.Groups)
	return cov
}

// dropKind forgets the raw data of a kind that was not read completely.
func dropKind(d *RegionData, kind string) {
	switch kind {
	case inventory.KindSecurityGroupRules:
		d.Rules = nil
	case inventory.KindNetworkInterfaces:
		d.Interfaces = nil
	case inventory.KindLaunchTemplates:
		d.LaunchTemplateVersions = nil
	case inventory.KindLaunchConfigurations:
		d.LaunchConfigurations = nil
	case inventory.KindPrefixLists:
		d.PrefixLists, d.PrefixListEntries = nil, nil
	case inventory.KindReferences:
		d.References = nil
	case inventory.KindStaleReferences:
		d.Stale = nil
	case inventory.KindSubnets:
		d.Subnets = nil
	case inventory.KindRouteTables:
		d.RouteTables = nil
	case inventory.KindNetworkACLs:
		d.NetworkACLs = nil
	case inventory.KindInternetGateways:
		d.InternetGateways = nil
	case inventory.KindEgressOnlyInternetGateways:
		d.EgressOnlyGateways = nil
	case inventory.KindAddresses:
		d.Addresses = nil
	case inventory.KindLoadBalancers:
		d.LoadBalancers, d.Listeners, d.ListenerRules = nil, nil, nil
	case inventory.KindTargetGroups:
		d.TargetGroups, d.TargetHealth, d.TargetGroupAttributes = nil, nil, nil
	case inventory.KindClassicLoadBalancers:
		d.ClassicLoadBalancers = nil
	default:
		delete(d.Uses, kind)
	}
}

func (p *pairReader) rules(ctx context.Context) []types.SecurityGroupRule {
	const op = "DescribeSecurityGroupRules"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeSecurityGroupRulesPaginator(p.ec2, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeSecurityGroupRulesOutput) []types.SecurityGroupRule { return o.SecurityGroupRules })
	if err != nil {
		p.fail(inventory.KindSecurityGroupRules, op, err)
	}
	return out
}

func (p *pairReader) interfaces(ctx context.Context) []types.NetworkInterface {
	const op = "DescribeNetworkInterfaces"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeNetworkInterfacesPaginator(p.ec2, &ec2.DescribeNetworkInterfacesInput{
			MaxResults: aws.Int32(maxResults),
			// Interfaces that AWS services manage (hidden by the account's
			// managed-resource visibility setting) still carry groups: without
			// them a group used only by such a service would look unused.
			IncludeManagedResources: aws.Bool(true),
		}),
		func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
	if err != nil {
		p.fail(inventory.KindNetworkInterfaces, op, err)
	}
	return out
}

// launchTemplates reads the $Default and $Latest version of every launch
// template in one paginated call: with no template id or name and only
// those two version keywords, EC2 describes them for all templates.
// MaxResults is always sent: moto silently stops at 15 items without it.
func (p *pairReader) launchTemplates(ctx context.Context) []types.LaunchTemplateVersion {
	const op = "DescribeLaunchTemplateVersions"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeLaunchTemplateVersionsPaginator(p.ec2, &ec2.DescribeLaunchTemplateVersionsInput{
			Versions:   []string{"$Default", "$Latest"},
			MaxResults: aws.Int32(launchTemplatePageSize),
			// Templates that AWS services manage (EKS node groups, for one)
			// launch instances with the groups they name, as any other.
			IncludeManagedResources: aws.Bool(true),
		}),
		func(o *ec2.DescribeLaunchTemplateVersionsOutput) []types.LaunchTemplateVersion {
			return o.LaunchTemplateVersions
		})
	if err != nil {
		p.fail(inventory.KindLaunchTemplates, op, err)
	}
	return out
}

func (p *pairReader) launchConfigurations(ctx context.Context) []astypes.LaunchConfiguration {
	const op = "DescribeLaunchConfigurations"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		autoscaling.NewDescribeLaunchConfigurationsPaginator(p.asg, &autoscaling.DescribeLaunchConfigurationsInput{
			MaxRecords: aws.Int32(launchConfigPageSize),
		}),
		func(o *autoscaling.DescribeLaunchConfigurationsOutput) []astypes.LaunchConfiguration {
			return o.LaunchConfigurations
		})
	if err != nil {
		p.fail(inventory.KindLaunchConfigurations, op, err)
	}
	return out
}

func (p *pairReader) prefixLists(ctx context.Context) []types.ManagedPrefixList {
	const op = "DescribeManagedPrefixLists"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeManagedPrefixListsPaginator(p.ec2, &ec2.DescribeManagedPrefixListsInput{
			MaxResults: aws.Int32(prefixListPageSize),
		}),
		func(o *ec2.DescribeManagedPrefixListsOutput) []types.ManagedPrefixList { return o.PrefixLists })
	if err != nil {
		p.fail(inventory.KindPrefixLists, op, err)
	}
	return out
}

// prefixListEntries reads the entries of the prefix lists that some rule of
// the pair references, and only those: every region holds a dozen
// AWS-managed lists (S3, DynamoDB, CloudFront...) plus the lists shared
// with the account, and a call per list nobody references would cost more
// than the rest of the pair while no check could use its answer.
func (p *pairReader) prefixListEntries(ctx context.Context, groups []types.SecurityGroup) map[string][]types.PrefixListEntry {
	return p.prefixListEntriesOf(ctx, referencedPrefixLists(groups))
}

// prefixListEntriesOf reads the entries of the prefix lists ids; nil when
// a call failed (the kind is then marked failed).
func (p *pairReader) prefixListEntriesOf(ctx context.Context, ids []string) map[string][]types.PrefixListEntry {
	const op = "GetManagedPrefixListEntries"
	// nil for a list not found, [] for one without entries.
	lists, err := fanOut(ctx, ids, func(ctx context.Context, id string) ([]types.PrefixListEntry, error) {
		entries, err := drain(ctx, p.c, p.lim, p.log, op,
			ec2.NewGetManagedPrefixListEntriesPaginator(p.ec2, &ec2.GetManagedPrefixListEntriesInput{
				PrefixListId: aws.String(id),
				MaxResults:   aws.Int32(prefixListPageSize),
			}),
			func(o *ec2.GetManagedPrefixListEntriesOutput) []types.PrefixListEntry { return o.Entries })
		if isNotFound(err) {
			// Deleted or no longer shared since the rule was read: the
			// rule's peer cannot be expanded, which is what policies see
			// for a list absent from the inventory.
			p.log.Debug("referenced prefix list not found", "prefix_list_id", id)
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if entries == nil {
			entries = []types.PrefixListEntry{}
		}
		return entries, nil
	})
	if err != nil {
		p.fail(inventory.KindPrefixLists, op, err)
		return nil
	}
	out := make(map[string][]types.PrefixListEntry, len(ids))
	for i, id := range ids {
		if lists[i] != nil {
			out[id] = lists[i]
		}
	}
	return out
}

// fanOut calls read for each item, pairFanout at a time, and returns the
// results in the items' order; the first error cancels the calls still
// running and is returned.
func fanOut[K, T any](ctx context.Context, items []K, read func(context.Context, K) (T, error)) ([]T, error) {
	out := make([]T, len(items))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pairFanout)
	for i, item := range items {
		g.Go(func() error {
			v, err := read(gctx, item)
			out[i] = v // each call its own slot: no lock, and a stable order
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// referencedPrefixLists are the prefix-list ids the groups' rules name,
// sorted.
func referencedPrefixLists(groups []types.SecurityGroup) []string {
	var ids []string
	for _, g := range groups {
		for _, perms := range [][]types.IpPermission{g.IpPermissions, g.IpPermissionsEgress} {
			for _, perm := range perms {
				for _, pl := range perm.PrefixListIds {
					if id := aws.ToString(pl.PrefixListId); id != "" {
						ids = append(ids, id)
					}
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// routePrefixLists returns the prefix lists the routes name whose entries
// are not read yet, sorted.
func routePrefixLists(tables []types.RouteTable, read map[string][]types.PrefixListEntry) []string {
	var ids []string
	for _, t := range tables {
		for _, r := range t.Routes {
			if id := aws.ToString(r.DestinationPrefixListId); id != "" {
				if _, ok := read[id]; !ok {
					ids = append(ids, id)
				}
			}
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// references asks which VPCs on the other side of a peering or transit
// gateway connection reference the pair's groups: those rules live in
// accounts or VPCs the scan may not see, so the group's own rules cannot
// tell. The API takes many group ids per call and is not paginated.
func (p *pairReader) references(ctx context.Context, groups []types.SecurityGroup) []types.SecurityGroupReference {
	const op = "DescribeSecurityGroupReferences"
	var ids []string
	for _, g := range groups {
		// Only VPC groups can be referenced across VPCs.
		if aws.ToString(g.VpcId) != "" {
			ids = append(ids, aws.ToString(g.GroupId))
		}
	}
	chunks, err := fanOut(ctx, slices.Collect(slices.Chunk(ids, referencesChunk)), p.describeReferences)
	if err != nil {
		p.fail(inventory.KindReferences, op, err)
		return nil
	}
	if out := slices.Concat(chunks...); out != nil {
		return out
	}
	return []types.SecurityGroupReference{} // read, and none: not the nil of a failure
}

// describeReferences asks for one chunk of group ids. The API documents
// no limit on the number of ids; chunks of referencesChunk keep requests
// small while a region of 5,000 groups still takes 50 calls, not 5,000.
// One id that no longer exists (a group deleted since it was listed)
// fails the whole call, so a failing chunk is split in halves until the
// missing group is isolated and dropped: the cost of the race, paid only
// when it happens.
func (p *pairReader) describeReferences(ctx context.Context, ids []string) ([]types.SecurityGroupReference, error) {
	out, err := apiCall(ctx, p.c, p.lim, func(ctx context.Context) (*ec2.DescribeSecurityGroupReferencesOutput, error) {
		return p.ec2.DescribeSecurityGroupReferences(ctx, &ec2.DescribeSecurityGroupReferencesInput{GroupId: ids})
	})
	switch {
	case err == nil:
		p.log.Debug("page", "api", "DescribeSecurityGroupReferences", "groups", len(ids), "items", len(out.SecurityGroupReferenceSet))
		return out.SecurityGroupReferenceSet, nil
	case !isNotFound(err):
		return nil, err
	case len(ids) == 1:
		p.log.Debug("group deleted during the scan", "group_id", ids[0])
		return nil, nil
	}
	half := len(ids) / 2
	a, err := p.describeReferences(ctx, ids[:half])
	if err != nil {
		return nil, err
	}
	b, err := p.describeReferences(ctx, ids[half:])
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// stale reads, per VPC that holds groups, the rules that reference a group
// that no longer exists across a peering or transit gateway connection.
// The API takes exactly one VPC id.
func (p *pairReader) stale(ctx context.Context, groups []types.SecurityGroup) []types.StaleSecurityGroup {
	const op = "DescribeStaleSecurityGroups"
	var vpcs []string
	for _, g := range groups {
		if v := aws.ToString(g.VpcId); v != "" {
			vpcs = append(vpcs, v)
		}
	}
	slices.Sort(vpcs)
	vpcs = slices.Compact(vpcs)
	perVPC, err := fanOut(ctx, vpcs, func(ctx context.Context, vpc string) ([]types.StaleSecurityGroup, error) {
		got, err := drain(ctx, p.c, p.lim, p.log, op,
			ec2.NewDescribeStaleSecurityGroupsPaginator(p.ec2, &ec2.DescribeStaleSecurityGroupsInput{
				VpcId:      aws.String(vpc),
				MaxResults: aws.Int32(staleGroupsPageSize),
			}),
			func(o *ec2.DescribeStaleSecurityGroupsOutput) []types.StaleSecurityGroup {
				return o.StaleSecurityGroupSet
			})
		if isNotFound(err) {
			return nil, nil // the VPC was deleted since its groups were read
		}
		return got, err
	})
	if err != nil {
		p.fail(inventory.KindStaleReferences, op, err)
		return nil
	}
	if out := slices.Concat(perVPC...); out != nil {
		return out
	}
	return []types.StaleSecurityGroup{} // read, and none: not the nil of a failure
}

// isNotFound reports whether err is EC2's answer for an id that does not
// exist (InvalidGroup.NotFound, InvalidVpcID.NotFound,
// InvalidPrefixListID.NotFound...).
func isNotFound(err error) bool {
	return err != nil && strings.HasSuffix(errorCode(err), ".NotFound")
}
