package collect

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/time/rate"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Proof of use from service configurations (docs/checks/SGA008.md, "Proof
// of use"). Many services name a security group in their configuration
// and create network interfaces only while they run: a Lambda function
// gone inactive, an ECS service scaled to zero, a Batch compute
// environment at zero instances. EC2 lets such a group be deleted (no
// interface depends on it) and the service fails at its next run, so
// "unused" must look at the configurations too.
//
// Each kind is one small useCollector, listed once in useKinds. A kind is
// its own data kind in coverage: a denied or missing service leaves it out
// of coverage.collected, and SGA008 then says "not checked" instead of
// "unused".

// useKind is one row of the table of proof-of-use kinds. The table is the
// one place a kind is declared: the collector reads it, the SGA008 page
// has a section generated from it (UseKindsMarkdown), and tests hold the
// Rego check's list of kinds and the IAM policy example to it.
type useKind struct {
	// Kind is the data kind in coverage.collected and the evidence kind in
	// used_by: "lambda".
	Kind string
	// Service is the AWS service, as its documentation names it.
	Service string
	// Resources says what is read, in the plural: "functions".
	Resources string
	// APIs are the operations called, in the order they are called.
	APIs []string
	// IAM are the IAM actions those operations need.
	IAM []string
	// Fields are the fields of the answers that name groups.
	Fields string
	// Calls says how many calls a (account, region) costs.
	Calls string
	// collector reads the kind; tests replace it with a fake.
	collector useCollector
}

// useCollector reads one proof-of-use kind in one (account, region):
// read-only, paginated with the largest page the API takes, and never a
// call per group. It returns every group id (or, where the service takes
// names, group name) that a resource's configuration names, with the
// resource. A failure on any call fails the whole kind (a *useError
// names the operation).
type useCollector interface {
	collect(ctx context.Context, r *useReader) ([]useRef, error)
}

// useFunc is a useCollector in one function.
type useFunc func(ctx context.Context, r *useReader) ([]useRef, error)

func (f useFunc) collect(ctx context.Context, r *useReader) ([]useRef, error) { return f(ctx, r) }

// useRef is one group that one resource names.
type useRef struct {
	// Group is the group id (sg-...), or a group name where the service
	// accepts names (Elastic Beanstalk option settings).
	Group string
	// ID is the resource's ARN, else its id or name.
	ID string
	// Detail says where in the resource, when a resource names groups in
	// several places ("additional", "remote access").
	Detail string
}

// refs builds the useRefs of one resource.
func refs(id, detail string, groups ...string) []useRef {
	out := make([]useRef, 0, len(groups))
	for _, g := range groups {
		if g = strings.TrimSpace(g); g != "" {
			out = append(out, useRef{Group: g, ID: id, Detail: detail})
		}
	}
	return out
}

// useReader is what a useCollector reads one (account, region) with.
type useReader struct {
	c         *collector
	cfg       aws.Config // the account's, with the pair's region
	account   string
	partition string
	region    string
	log       *slog.Logger
	kind      string
	service   string // the IAM prefix of its actions: "lambda", "ec2"
	// pair shares listings the pair's other reads make too (load
	// balancers); nil reads them alone.
	pair *pairReader
}

// limiter is the request budget of the kind's service in the pair. AWS
// throttles each service on its own, so each service has its own bucket:
// the other services' calls never eat into EC2's, and a pair's services
// do not queue behind one bucket. The kinds read through EC2 (VPC
// endpoints, fleets) share the pair's EC2 bucket (docs/architecture.md
// §4).
func (r *useReader) limiter() *rate.Limiter {
	if r.service == "ec2" {
		return r.c.limiter(r.account, r.region)
	}
	return r.c.limiter(r.account, r.region+"/"+r.service)
}

// useError is the failure of a proof-of-use kind and the operation that
// failed, for the coverage row.
type useError struct {
	op  string
	err error
}

func (e *useError) Error() string { return e.op + ": " + e.err.Error() }
func (e *useError) Unwrap() error { return e.err }

// useList reads every page of a paginated operation under the kind's
// budget; its failure names op.
func useList[O, Opt, T any](ctx context.Context, r *useReader, op string, p pager[O, Opt], items func(O) []T) ([]T, error) {
	out, err := drain(ctx, r.c, r.limiter(), r.log, op, p, items)
	if err != nil {
		return nil, &useError{op: op, err: err}
	}
	return out, nil
}

// useCall makes one call under the kind's budget; its failure names op.
func useCall[O any](ctx context.Context, r *useReader, op string, f func(context.Context) (O, error)) (O, error) {
	out, err := apiCall(ctx, r.c, r.limiter(), f)
	if err != nil {
		var zero O
		return zero, &useError{op: op, err: err}
	}
	return out, nil
}

// usePages reads every page of an operation paginated by hand (no SDK
// paginator): call gets the page's token and returns the next one, "" at
// the end. A failure after the first page is a pageError, as drain's: the
// endpoint answered a page, so it has the API, and the kind is a gap, not
// an API the endpoint lacks (endpointLacks).
func usePages(ctx context.Context, r *useReader, op string, call func(ctx context.Context, token *string) (*string, error)) error {
	var token *string
	for page := 1; ; page++ {
		next, err := call(ctx, token)
		if err != nil {
			var ue *useError
			if page > 1 && errors.As(err, &ue) {
				return &useError{op: ue.op, err: &pageError{page: page, err: ue.err}}
			}
			return err
		}
		if aws.ToString(next) == "" {
			return nil
		}
		token = next
	}
}

// useFanOut calls read for each item, pairFanout at a time, and
// concatenates the results in the items' order.
func useFanOut[K any](ctx context.Context, items []K, read func(context.Context, K) ([]useRef, error)) ([]useRef, error) {
	parts, err := fanOut(ctx, items, read)
	if err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// useKindsInFlight bounds the proof-of-use kinds read at once in a pair:
// each is a service of its own with its own budget, but thirty-one at once per
// pair, times the pairs in flight, would be thousands of connections.
const useKindsInFlight = 8

// readUses reads every proof-of-use kind of the pair. A kind that fails is
// recorded on the pair reader and left out (nil); one whose service has no
// endpoint in the region has nothing to read and is collected empty.
func (p *pairReader) readUses(ctx context.Context, t task) map[string][]useRef {
	kinds := p.c.useKinds
	got := make([][]useRef, len(kinds))
	sem := make(chan struct{}, useKindsInFlight)
	var wg sync.WaitGroup
	for i, k := range kinds {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				p.fail(k.Kind, k.Kind+":"+k.APIs[0], ctx.Err())
				return
			}
			defer func() { <-sem }()
			cfg := t.cfg.Copy()
			cfg.Region = t.region
			custom := cfg.BaseEndpoint != nil
			if custom {
				// One endpoint for every service (an emulator): a host
				// prefix (MWAA's "api.") would name a host that does not
				// exist.
				cfg.APIOptions = append(slices.Clone(cfg.APIOptions), withoutHostPrefix)
			}
			r := &useReader{c: p.c, cfg: cfg, account: t.account.ID, partition: t.account.Partition,
				region: t.region, log: p.log.With("kind", k.Kind), kind: k.Kind, service: k.service(), pair: p}
			refs, err := k.collector.collect(ctx, r)
			switch {
			case err == nil:
				if refs == nil {
					refs = []useRef{} // read, and none: not the nil of a failure
				}
				got[i] = refs
			case !custom && noEndpoint(err):
				// The service is not offered in this region: nothing of
				// it can name a group here.
				p.log.Info("service has no endpoint in the region", "kind", k.Kind)
				got[i] = []useRef{}
			default:
				op := k.APIs[0]
				var ue *useError
				if errors.As(err, &ue) {
					op, err = ue.op, ue.err
				}
				// Qualified by the kind: both load balancer kinds call
				// DescribeLoadBalancers, and SGA008 finds a kind's reason
				// in the coverage detail by this prefix.
				p.fail(k.Kind, k.Kind+":"+op, err)
			}
		})
	}
	wg.Wait()
	out := make(map[string][]useRef, len(kinds))
	for i, k := range kinds {
		if got[i] != nil {
			out[k.Kind] = got[i]
		}
	}
	return out
}

// noEndpoint reports whether err is the DNS answer that a service's
// regional endpoint does not exist: AWS publishes an endpoint for every
// region a service is offered in, and EC2 of the same region answered.
// Not asked with a custom endpoint, whose host says nothing of a region.
func noEndpoint(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// useKindNames are the kinds of the collector's table, in its order.
func (c *collector) useKindNames() []string {
	out := make([]string, 0, len(c.useKinds))
	for _, k := range c.useKinds {
		out = append(out, k.Kind)
	}
	return out
}

// usesOf is the part of RegionData the normaliser keeps until finish:
// where the resources are, and the groups they name.
type usesOf struct {
	account, region string
	uses            map[string][]useRef
}

// linkUses adds the evidence of every proof-of-use kind. It runs once
// every pair is read: a resource may name a group of another account (a
// group shared with a participant of a shared VPC), which is found by
// region and id. Names are looked up in the resource's own account and
// region, as the services resolve them; a name several VPCs have is
// evidence for each (see groupLookup.resolve).
func linkUses(inv *inventory.Inventory, all []usesOf) {
	if len(all) == 0 {
		return
	}
	type regionID struct{ region, id string }
	type named struct{ account, region, name string }
	byRegionID := make(map[regionID]int, len(inv.SecurityGroups))
	for i, g := range inv.SecurityGroups {
		byRegionID[regionID{g.Region, g.ID}] = i
	}
	var byName map[named][]int // built on the first name: most services take ids only
	type once struct {
		group int
		ev    inventory.Evidence
	}
	seen := map[once]bool{}
	add := func(i int, ev inventory.Evidence) {
		if seen[once{i, ev}] {
			return
		}
		seen[once{i, ev}] = true
		g := &inv.SecurityGroups[i]
		g.UsedBy = append(g.UsedBy, ev)
	}
	for _, u := range all {
		for _, kind := range slices.Sorted(maps.Keys(u.uses)) {
			for _, ref := range u.uses[kind] {
				ev := inventory.Evidence{Kind: inventory.EvidenceKind(kind), ID: ref.ID, Detail: ref.Detail}
				if strings.HasPrefix(ref.Group, "sg-") {
					if i, ok := byRegionID[regionID{u.region, ref.Group}]; ok {
						add(i, ev)
					}
					continue
				}
				if byName == nil {
					byName = map[named][]int{}
					for i, g := range inv.SecurityGroups {
						k := named{g.AccountID, g.Region, g.Name}
						byName[k] = append(byName[k], i)
					}
				}
				matches := byName[named{u.account, u.region, ref.Group}]
				note := "by name"
				if len(matches) > 1 {
					note = "by name, ambiguous across " + strconv.Itoa(len(matches)) + " VPCs"
				}
				for _, i := range matches {
					add(i, inventory.Evidence{Kind: ev.Kind, ID: ev.ID, Detail: withNote(ev.Detail, note)})
				}
			}
		}
	}
}

// arn builds the ARN of a resource of the pair, for answers that give
// only a name.
func (r *useReader) arn(service, resource string) string {
	partition := r.partition
	if partition == "" {
		partition = partitionOfRegion(r.region)
	}
	return "arn:" + partition + ":" + service + ":" + r.region + ":" + r.account + ":" + resource
}

// isUseKind reports whether kind is a proof-of-use kind of the table.
func isUseKind(kind string) bool {
	for _, k := range useKinds() {
		if k.Kind == kind {
			return true
		}
	}
	return false
}

// withoutHostPrefix turns off the endpoint host prefix of every operation.
func withoutHostPrefix(s *middleware.Stack) error {
	return s.Initialize.Add(middleware.InitializeMiddlewareFunc("sgauditWithoutHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

// service is the IAM prefix of the kind's actions, which names its
// service's throttling bucket.
func (k useKind) service() string {
	if len(k.IAM) == 0 {
		return k.Kind
	}
	prefix, _, _ := strings.Cut(k.IAM[0], ":")
	return prefix
}
