// Package collect reads EC2 security groups, their rules and the network
// interfaces that use them from AWS (Collect) or from exported AWS CLI JSON
// (Import), and turns both into an inventory.Inventory through one
// normalisation path (Normalize).
//
// Collection is a set of tasks over (account, region) pairs. A pair that
// cannot be read is a coverage row (denied, skipped or error), never a
// silent gap, and never stops the other pairs.
package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Source is the inventory source name of a live collection.
const Source = "aws"

// DefaultConcurrency is how many (account, region) pairs are read at once
// when Options.Concurrency is not set.
const DefaultConcurrency = 8

// maxResults is the largest page EC2's Describe* calls accept.
const maxResults = 1000

// defaultCallTimeout bounds one API page, retries included.
const defaultCallTimeout = 2 * time.Minute

// bootstrapRegion is used for STS and DescribeRegions when the config has
// no region; a user of another partition must configure one anyway.
const bootstrapRegion = "us-east-1"

// ErrCredentials is returned (wrapped) by Collect when the caller's
// credentials are missing, invalid or expired, so nothing could be read.
// Its message says what to do.
var ErrCredentials = errors.New("no usable AWS credentials")

// Options configures Collect. The zero value scans every enabled region of
// the caller's account.
type Options struct {
	// Regions limits the scan to these regions. A region that is not enabled
	// for the account gets a coverage row "skipped" saying why.
	Regions []string
	// ExcludeRegions are never scanned nor listed in coverage.
	ExcludeRegions []string
	// Concurrency is how many (account, region) pairs are read at once;
	// zero means DefaultConcurrency.
	Concurrency int
	// Logger receives progress (debug: pages; info: pairs done; warn:
	// coverage gaps). Nil discards.
	Logger *slog.Logger
	// Now stamps CollectedAt; nil means time.Now.
	Now func() time.Time
	// Progress, if set, is called after each (account, region) pair is read
	// with how many are done out of how many; calls are serialised. The CLI
	// uses it for a progress line on a terminal.
	Progress func(done, total int)
}

// EC2API is the part of the EC2 client the collector calls. *ec2.Client
// implements it; tests use fakes.
type EC2API interface {
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSecurityGroupRulesAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
}

// STSAPI is the part of the STS client the collector calls.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Collect reads the caller's account (found with STS GetCallerIdentity)
// in every enabled region, or in opts.Regions, and returns the sorted
// inventory. Region failures are coverage rows, not errors; Collect fails
// only when nothing can be scanned: bad credentials (ErrCredentials), no
// region list, or a cancelled ctx.
func Collect(ctx context.Context, cfg aws.Config, opts Options) (*inventory.Inventory, error) {
	return newCollector(cfg, opts).run(ctx)
}

// collector holds what a run needs; its functions are replaced in tests.
type collector struct {
	cfg         aws.Config
	opts        Options
	log         *slog.Logger
	callTimeout time.Duration
	newEC2      func(cfg aws.Config, region string) EC2API
	newSTS      func(cfg aws.Config) STSAPI
	// configFor returns the config that reads an account. Today that is the
	// caller's own config; --accounts/--org will assume a role here.
	configFor func(ctx context.Context, account inventory.Account) (aws.Config, error)
}

func newCollector(cfg aws.Config, opts Options) *collector {
	if cfg.Region == "" {
		cfg.Region = bootstrapRegion
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &collector{
		cfg:         cfg,
		opts:        opts,
		log:         log,
		callTimeout: defaultCallTimeout,
		newEC2: func(cfg aws.Config, region string) EC2API {
			return ec2.NewFromConfig(cfg, func(o *ec2.Options) {
				o.Region = region
				// Adaptive mode adds client-side rate limiting on throttling;
				// one client per (account, region) gives each pair its own
				// budget, matching EC2's per-account, per-region limits.
				o.Retryer = retry.NewAdaptiveMode()
			})
		},
		newSTS: func(cfg aws.Config) STSAPI { return sts.NewFromConfig(cfg) },
		configFor: func(context.Context, inventory.Account) (aws.Config, error) {
			return cfg, nil
		},
	}
}

// target is one account to read; task is one (account, region) pair.
type target struct {
	account inventory.Account
	cfg     aws.Config
}

type task struct {
	target
	region string
}

// result is what one task produced.
type result struct {
	data     RegionData
	coverage inventory.Coverage
}

func (c *collector) run(ctx context.Context) (*inventory.Inventory, error) {
	caller, err := c.callerAccount(ctx)
	if err != nil {
		return nil, err
	}
	accounts := []inventory.Account{caller}

	var tasks []task
	var coverage []inventory.Coverage
	for _, acct := range accounts {
		cfg, err := c.configFor(ctx, acct)
		if err != nil {
			return nil, fmt.Errorf("configure account %s: %w", acct.ID, err)
		}
		t := target{account: acct, cfg: cfg}
		regions, skipped, err := c.regions(ctx, t)
		if err != nil {
			return nil, err
		}
		coverage = append(coverage, skipped...)
		for _, r := range regions {
			tasks = append(tasks, task{target: t, region: r})
		}
	}

	if len(tasks) == 0 && len(coverage) == 0 {
		// Every region was excluded: an empty, "complete" inventory would
		// pass an audit that looked at nothing.
		return nil, errors.New("no region to scan: every region is excluded")
	}

	results := make([]result, len(tasks))
	var mu sync.Mutex
	done := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(c.opts.Concurrency)
	for i, t := range tasks {
		g.Go(func() error {
			results[i] = c.collectRegion(gctx, t)
			if c.opts.Progress != nil {
				mu.Lock()
				done++
				c.opts.Progress(done, len(tasks))
				mu.Unlock()
			}
			return nil
		})
	}
	_ = g.Wait() // tasks never fail: failures are coverage rows
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}

	data := make([]RegionData, 0, len(results))
	for _, r := range results {
		data = append(data, r.data)
		coverage = append(coverage, r.coverage)
	}
	inv := Normalize(data)
	inv.SchemaVersion = inventory.SchemaVersion
	inv.CollectedAt = c.opts.Now().UTC()
	inv.Source = Source
	inv.Accounts = accounts
	inv.Coverage = coverage
	inv.Sort()
	return inv, nil
}

// callerAccount asks STS who the credentials belong to. The partition comes
// from the caller's ARN, so GovCloud and China work without a flag.
func (c *collector) callerAccount(ctx context.Context) (inventory.Account, error) {
	if c.cfg.Credentials == nil {
		return inventory.Account{}, &credentialsError{err: errors.New("no credential provider configured")}
	}
	// Retrieving first separates "no credentials at all" (the SDK's chain
	// found nothing) from a request the service refused.
	if _, err := c.cfg.Credentials.Retrieve(ctx); err != nil {
		if ctx.Err() != nil {
			return inventory.Account{}, fmt.Errorf("get caller identity: %w", ctx.Err())
		}
		return inventory.Account{}, &credentialsError{err: err}
	}
	cctx, cancel := context.WithTimeout(ctx, c.callTimeout)
	defer cancel()
	out, err := c.newSTS(c.cfg).GetCallerIdentity(cctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if isCredentialsCode(errorCode(err)) {
			return inventory.Account{}, &credentialsError{err: err}
		}
		return inventory.Account{}, fmt.Errorf("get caller identity: %w", err)
	}
	a, err := arn.Parse(aws.ToString(out.Arn))
	if err != nil {
		return inventory.Account{}, fmt.Errorf("get caller identity: parse caller ARN %q: %w", aws.ToString(out.Arn), err)
	}
	id := aws.ToString(out.Account)
	if id == "" {
		id = a.AccountID
	}
	return inventory.Account{ID: id, Partition: a.Partition}, nil
}

// regions lists the regions to read for one account, and the coverage rows
// of requested regions that cannot be read.
func (c *collector) regions(ctx context.Context, t target) ([]string, []inventory.Coverage, error) {
	log := c.log.With("account_id", t.account.ID)
	requested := cleanRegions(c.opts.Regions, c.opts.ExcludeRegions)

	rctx, cancel := context.WithTimeout(ctx, c.callTimeout)
	defer cancel()
	// moto ignores AllRegions and returns every partition's regions; real
	// EC2 returns only the caller's partition. Filtering below handles both.
	out, err := c.newEC2(t.cfg, t.cfg.Region).DescribeRegions(rctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	if err != nil {
		if status, code := classify(err); status == inventory.CoverageDenied && ctx.Err() == nil {
			fallback := requested
			if len(fallback) == 0 {
				fallback = cleanRegions([]string{t.cfg.Region}, c.opts.ExcludeRegions)
			}
			log.Warn("cannot list regions; scanning only the regions given", "error_code", code, "regions", fallback, "error", err)
			return fallback, nil, nil
		}
		return nil, nil, fmt.Errorf("describe regions for account %s: %w", t.account.ID, err)
	}

	why := map[string]string{} // region → why it is not scanned ("" = enabled)
	var enabled []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		switch status := aws.ToString(r.OptInStatus); {
		case partitionOfRegion(name) != t.account.Partition:
			why[name] = "region is not in partition " + t.account.Partition
		case status == "" || status == "opt-in-not-required" || status == "opted-in":
			// moto leaves the status empty for some regions: treat as enabled.
			why[name] = ""
			enabled = append(enabled, name)
		default:
			why[name] = "region is not enabled for the account (opt-in status " + status + ")"
		}
	}
	if len(requested) == 0 {
		return cleanRegions(enabled, c.opts.ExcludeRegions), nil, nil
	}
	var regions []string
	var skipped []inventory.Coverage
	for _, r := range requested {
		reason, known := why[r]
		if !known {
			reason = "region is unknown to DescribeRegions"
		}
		if reason == "" {
			regions = append(regions, r)
			continue
		}
		log.Warn("skipping region", "region", r, "reason", reason)
		skipped = append(skipped, inventory.Coverage{
			AccountID: t.account.ID,
			Region:    r,
			Status:    inventory.CoverageSkipped,
			Collected: []string{},
			Detail:    reason,
		})
	}
	return regions, skipped, nil
}

// cleanRegions trims, dedups and sorts regions, dropping the excluded ones.
func cleanRegions(regions, exclude []string) []string {
	var out []string
	for _, r := range regions {
		r = strings.TrimSpace(r)
		if r != "" && !slices.Contains(exclude, r) && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// Kinds of data a region task reads, in call order: the first failure in
// this order is the one a coverage row names.
var regionOps = []struct{ op, kind string }{
	{"DescribeSecurityGroups", inventory.KindSecurityGroups},
	{"DescribeSecurityGroupRules", inventory.KindSecurityGroupRules},
	{"DescribeNetworkInterfaces", inventory.KindNetworkInterfaces},
}

// collectRegion reads one (account, region). The three calls run at once:
// they are independent, and a pair then takes as long as its slowest call,
// not the sum.
func (c *collector) collectRegion(ctx context.Context, t task) result {
	start := time.Now()
	log := c.log.With("account_id", t.account.ID, "region", t.region)
	client := c.newEC2(t.cfg, t.region)
	data := RegionData{Account: t.account, Region: t.region}

	errs := make([]error, len(regionOps))
	var wg sync.WaitGroup
	wg.Go(func() {
		p := ec2.NewDescribeSecurityGroupsPaginator(client, &ec2.DescribeSecurityGroupsInput{MaxResults: aws.Int32(maxResults)})
		data.Groups, errs[0] = drain(ctx, c, log, regionOps[0].op, p,
			func(o *ec2.DescribeSecurityGroupsOutput) []types.SecurityGroup { return o.SecurityGroups })
	})
	wg.Go(func() {
		p := ec2.NewDescribeSecurityGroupRulesPaginator(client, &ec2.DescribeSecurityGroupRulesInput{MaxResults: aws.Int32(maxResults)})
		data.Rules, errs[1] = drain(ctx, c, log, regionOps[1].op, p,
			func(o *ec2.DescribeSecurityGroupRulesOutput) []types.SecurityGroupRule { return o.SecurityGroupRules })
	})
	wg.Go(func() {
		p := ec2.NewDescribeNetworkInterfacesPaginator(client, &ec2.DescribeNetworkInterfacesInput{
			MaxResults: aws.Int32(maxResults),
			// Interfaces that AWS services manage (hidden by the account's
			// managed-resource visibility setting) still carry groups: without
			// them a group used only by such a service would look unused.
			IncludeManagedResources: aws.Bool(true),
		})
		data.Interfaces, errs[2] = drain(ctx, c, log, regionOps[2].op, p,
			func(o *ec2.DescribeNetworkInterfacesOutput) []types.NetworkInterface { return o.NetworkInterfaces })
	})
	wg.Wait()

	cov := inventory.Coverage{AccountID: t.account.ID, Region: t.region, Status: inventory.CoverageOK, Collected: []string{}}
	var problems []string
	for i, err := range errs {
		if err == nil {
			if errs[0] == nil {
				cov.Collected = append(cov.Collected, regionOps[i].kind)
			}
			continue
		}
		status, code := classify(err)
		if cov.Status == inventory.CoverageOK {
			cov.Status, cov.FailedAPI, cov.ErrorCode = status, regionOps[i].op, code
		}
		problems = append(problems, regionOps[i].op+": "+describeError(err))
		log.Warn("cannot read region data", "api", regionOps[i].op, "status", status, "error_code", code, "error", err)
	}
	switch {
	case errs[0] != nil:
		// Rules and interfaces mean nothing without their groups.
		data = RegionData{Account: t.account, Region: t.region}
	default:
		if errs[1] != nil {
			data.Rules = nil
		}
		if errs[2] != nil {
			data.Interfaces = nil
		}
	}
	cov.Detail = strings.Join(problems, "; ")
	cov.SecurityGroups = len(data.Groups)
	log.Info("region done", "status", cov.Status, "groups", len(data.Groups), "rules", len(data.Rules),
		"interfaces", len(data.Interfaces), "duration", time.Since(start))
	return result{data: data, coverage: cov}
}

// pager is what the SDK's generated paginators have in common.
type pager[O any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*ec2.Options)) (O, error)
}

// drain reads every page of p, each page under its own timeout (retries
// included), and returns all items.
func drain[O, T any](ctx context.Context, c *collector, log *slog.Logger, op string, p pager[O], items func(O) []T) ([]T, error) {
	var all []T
	for page := 1; p.HasMorePages(); page++ {
		pctx, cancel := context.WithTimeout(ctx, c.callTimeout)
		out, err := p.NextPage(pctx)
		cancel()
		if err != nil {
			return nil, err
		}
		got := items(out)
		all = append(all, got...)
		log.Debug("page", "api", op, "page", page, "items", len(got))
	}
	return all, nil
}

// classify maps an AWS error to a coverage status and its error code.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
func classify(err error) (inventory.CoverageStatus, string) {
	code := errorCode(err)
	switch {
	case code == "UnauthorizedOperation", code == "AuthFailure", strings.HasPrefix(code, "AccessDenied"):
		return inventory.CoverageDenied, code
	case code == "OptInRequired":
		return inventory.CoverageSkipped, code
	}
	// Throttling past the retries, timeouts, 5xx, network errors.
	return inventory.CoverageError, code
}

// errorCode is the AWS error code of err, or "" when it is not an API
// error (a timeout, a network error).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// describeError is a short one-line detail for a coverage row: the AWS
// code and message when there is one, else the error itself.
func describeError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if msg := ae.ErrorMessage(); msg != "" {
			return oneLine(ae.ErrorCode() + ": " + msg)
		}
		return ae.ErrorCode()
	}
	return oneLine(err.Error())
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// isCredentialsCode reports whether an STS error code means the
// credentials themselves are bad, as opposed to a service or network fault.
func isCredentialsCode(code string) bool {
	switch code {
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
		"RequestExpired", "UnrecognizedClientException", "InvalidAccessKeyId", "IncompleteSignature",
		"MissingAuthenticationToken", "InvalidToken", "AccessDenied", "AuthFailure":
		return true
	}
	return false
}

// credentialsError is ErrCredentials with the SDK's reason and a hint.
type credentialsError struct{ err error }

func (e *credentialsError) Error() string {
	return ErrCredentials.Error() + ": " + oneLine(e.err.Error()) + "; " + credentialsHint(errorCode(e.err))
}

func (e *credentialsError) Unwrap() []error { return []error{ErrCredentials, e.err} }

// credentialsHint says what the user should do about a credentials error.
func credentialsHint(code string) string {
	switch code {
	case "ExpiredToken", "ExpiredTokenException", "RequestExpired":
		return "the credentials have expired: run `aws sso login` (with --profile if you use one) or get new temporary keys"
	case "InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidAccessKeyId":
		return "the access key is not valid: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the keys of the selected profile"
	}
	return "set AWS_PROFILE or pass --profile, run `aws sso login` for an SSO profile, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
}
