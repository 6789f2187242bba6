// Package collect reads EC2 security groups, their rules, everything
// that proves a group is in use (network interfaces, launch templates and
// configurations, references from other groups and peered VPCs) and the
// network that decides what the internet reaches (subnets, route tables,
// network ACLs, gateways, Elastic IPs, load balancers: network.go,
// loadbalancers.go) from AWS (Collect) or from exported AWS CLI JSON
// (Import), and turns both into an inventory.Inventory through one
// normalisation path (normalizer).
//
// Collection is a set of tasks over (account, region) pairs: the caller's
// account, a list of accounts, or every active account of an AWS
// Organization, each reached through sts:AssumeRole. A pair that cannot be
// read is a coverage row (denied, skipped or error), never a silent gap,
// and never stops the other pairs. An account that Organizations does not
// name gets its IAM account alias as its name, best effort. The collector
// only ever calls read-only APIs (Describe*, Get*, List*, sts:AssumeRole,
// sts:GetCallerIdentity).
package collect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"golang.org/x/time/rate"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Source is the inventory source name of a live collection.
const Source = "aws"

// Defaults of the Options fields left zero.
const (
	// DefaultConcurrency is how many (account, region) pairs are read at once.
	DefaultConcurrency = 32
	// DefaultRoleName is the role that AWS Organizations creates in every
	// account it creates, trusted by the management account.
	DefaultRoleName = "OrganizationAccountAccessRole"
	// DefaultSessionName names the assumed-role sessions, so CloudTrail
	// readers can tell sgaudit's calls from everyone else's.
	DefaultSessionName = "sgaudit"
	// DefaultRate is the request budget per second of one (account,
	// region). EC2 refills an account's bucket for each Describe* API at 20
	// requests per second per region; half of it leaves the other half to
	// the organisation's own automation. The burst is twice the rate: a
	// pair makes about fifteen EC2 calls (its groups, then its network),
	// none more than a page or three of any one API, whose bucket holds
	// 100; so a pair never waits for its own budget. Elastic Load
	// Balancing, metered apart, has a budget of its own of the same size
	// (three listings, then one call per load balancer, listener and
	// target group).
	// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
	DefaultRate = 10
	// DefaultCallTimeout bounds one API call (one page), retries included.
	DefaultCallTimeout = 30 * time.Second
)

// maxResults is the largest page EC2's Describe* calls for groups, rules
// and interfaces accept.
const maxResults = 1000

// bootstrapRegion is used for STS and DescribeRegions when the config has
// no region; a user of another partition must configure one anyway.
const bootstrapRegion = "us-east-1"

// assumeRoleDuration is how long assumed-role credentials last. One hour is
// the most that role chaining allows and the least a role's
// MaxSessionDuration can be, so it always works.
const assumeRoleDuration = time.Hour

// credentialsExpiryWindow makes the credentials cache fetch new assumed-role
// credentials this long before the old ones expire, so a call never starts
// with credentials that die in flight, however long the scan runs.
const credentialsExpiryWindow = 5 * time.Minute

// ErrCredentials is returned (wrapped) by Collect when the caller's
// credentials are missing, invalid or expired, so nothing could be read.
// Its message says what to do.
var ErrCredentials = errors.New("no usable AWS credentials")

// ErrMalformed is returned (wrapped) when AWS names an account or a region
// with something that is not one: an account id that is not 12 digits
// (STS GetCallerIdentity, Organizations ListAccounts), a partition or a
// region name of the wrong shape. These names become file names and ARN
// parts, so such an answer is refused before any of it is used: Collect
// fails, or, for the regions of an account other than the caller's, that
// account gets error rows in the regions it would have had.
var ErrMalformed = errors.New("malformed answer from AWS")

// ErrOptions is returned (wrapped) by Collect for options it cannot use,
// before any AWS call: a malformed account id, session name or external id.
var ErrOptions = errors.New("invalid collect options")

// Options configures Collect. The zero value scans every enabled region of
// the caller's account.
type Options struct {
	// Regions limits the scan to these regions. A region that is not enabled
	// for an account gets a coverage row "skipped" saying why.
	Regions []string
	// ExcludeRegions are never scanned nor listed in coverage.
	ExcludeRegions []string

	// Accounts are the 12-digit ids of the accounts to scan instead of the
	// caller's. With Org, they are scanned in addition to the organisation's.
	Accounts []string
	// Org scans every ACTIVE account of the caller's AWS Organization
	// (organizations:ListAccounts, from the management account or a
	// delegated administrator), with the names Organizations knows.
	Org bool
	// ExcludeAccounts are never scanned nor listed.
	ExcludeAccounts []string
	// RoleName is the role assumed in every account but the caller's, as
	// arn:<partition>:iam::<account>:role/<RoleName>; it may include a
	// path ("audit/sgaudit"). Empty means DefaultRoleName.
	RoleName string
	// ExternalID is passed to sts:AssumeRole when not empty.
	ExternalID string
	// SessionName is the assumed-role session name; empty means
	// DefaultSessionName.
	SessionName string

	// Concurrency is how many (account, region) pairs are read at once;
	// zero means DefaultConcurrency.
	Concurrency int
	// Rate is the budget of API requests per second of one (account,
	// region), shared by every call made in that pair (Elastic Load
	// Balancing's calls have one more of the same size), with a burst of
	// twice the rate; zero means DefaultRate, a negative value means no
	// limit.
	Rate float64
	// CallTimeout bounds each API call (each page), retries included; zero
	// means DefaultCallTimeout.
	CallTimeout time.Duration
	// MaxAttempts is how many times a call is tried, first try included,
	// with the SDK's adaptive retry mode; zero means DefaultMaxAttempts.
	MaxAttempts int

	// Logger receives structured logs with account_id, region and duration
	// (debug: pages; info: accounts and pairs done; warn: coverage gaps).
	// Nil discards.
	Logger *slog.Logger
	// Now stamps CollectedAt; nil means time.Now.
	Now func() time.Time
	// Progress, if set, is called after each (account, region) pair gets
	// its coverage row; calls are serialised. The CLI draws a progress line
	// from it on a terminal.
	Progress func(ProgressEvent)
}

// ProgressEvent says how far a collection is, after one more pair.
type ProgressEvent struct {
	// Done is how many (account, region) pairs have their coverage row.
	Done int
	// Total is how many pairs are known so far. It grows while accounts
	// are being set up (role assumed, regions listed) and is final once
	// AccountsReady equals Accounts.
	Total int
	// Accounts is how many accounts are scanned; AccountsReady how many
	// of them have their region list.
	Accounts, AccountsReady int
	// Errors is how many of the Done pairs were denied or failed.
	Errors int
	// AccountID, Region and Status are those of the pair just done.
	AccountID, Region string
	Status            inventory.CoverageStatus
}

// EC2API is the part of the EC2 client the collector calls: read-only
// operations only. *ec2.Client implements it; tests use fakes.
type EC2API interface {
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeSecurityGroupRulesAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
	ec2.DescribeLaunchTemplateVersionsAPIClient
	ec2.DescribeManagedPrefixListsAPIClient
	ec2.GetManagedPrefixListEntriesAPIClient
	ec2.DescribeStaleSecurityGroupsAPIClient
	DescribeSecurityGroupReferences(ctx context.Context, in *ec2.DescribeSecurityGroupReferencesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupReferencesOutput, error)
	NetworkEC2API
}

// AutoScalingAPI is the part of the Auto Scaling client the collector calls.
type AutoScalingAPI interface {
	autoscaling.DescribeLaunchConfigurationsAPIClient
}

// STSAPI is the part of the STS client the collector calls.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	stscreds.AssumeRoleAPIClient
}

// OrganizationsAPI is the part of the Organizations client the collector calls.
type OrganizationsAPI interface {
	organizations.ListAccountsAPIClient
}

// IAMAPI is the part of the IAM client the collector calls: the account
// alias, which names an account that Organizations does not.
type IAMAPI interface {
	ListAccountAliases(ctx context.Context, in *iam.ListAccountAliasesInput, optFns ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error)
}

// Collect reads every account the options name (the caller's by default)
// in every enabled region, or in opts.Regions, and returns the sorted
// inventory. Failures of an account or a region are coverage rows, not
// errors; Collect fails only when nothing can be scanned: bad options
// (ErrOptions), bad credentials (ErrCredentials), no account or region
// list, or a cancelled ctx.
func Collect(ctx context.Context, cfg aws.Config, opts Options) (*inventory.Inventory, error) {
	return newCollector(cfg, opts).run(ctx)
}

// collector holds what a run needs; its client constructors are replaced
// in tests.
type collector struct {
	cfg    aws.Config
	opts   Options
	log    *slog.Logger
	newEC2 func(cfg aws.Config, region string) EC2API
	newASG func(cfg aws.Config, region string) AutoScalingAPI
	// newELBv2 and newELB build the Elastic Load Balancing clients of one
	// region (docs/inventory.md §16: load balancers are entries).
	newELBv2 func(cfg aws.Config, region string) ELBv2API
	newELB   func(cfg aws.Config, region string) ClassicELBAPI
	newSTS   func(cfg aws.Config) STSAPI
	newOrg   func(cfg aws.Config) OrganizationsAPI
	newIAM   func(cfg aws.Config) IAMAPI
	// useKinds are the proof-of-use kinds read in every pair (usedby.go);
	// tests replace their collectors with fakes.
	useKinds []useKind

	limMu    sync.Mutex
	limiters map[string]*rate.Limiter // "account/region" → its budget
}

func newCollector(cfg aws.Config, opts Options) *collector {
	if cfg.Region == "" {
		cfg.Region = bootstrapRegion
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Rate == 0 {
		opts.Rate = DefaultRate
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = DefaultCallTimeout
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = DefaultMaxAttempts
	}
	opts.RoleName = strings.Trim(strings.TrimSpace(opts.RoleName), "/")
	if opts.RoleName == "" {
		opts.RoleName = DefaultRoleName
	}
	if opts.SessionName == "" {
		opts.SessionName = DefaultSessionName
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	retryer := func() aws.Retryer { return newRetryer(opts.MaxAttempts) }
	// Every client, STS's used by the assume-role providers included,
	// gets the same retry policy.
	cfg.Retryer = retryer
	return &collector{
		cfg:  cfg,
		opts: opts,
		log:  log,
		newEC2: func(cfg aws.Config, region string) EC2API {
			return ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
		},
		newASG: func(cfg aws.Config, region string) AutoScalingAPI {
			return autoscaling.NewFromConfig(cfg, func(o *autoscaling.Options) { o.Region = region })
		},
		newELBv2: func(cfg aws.Config, region string) ELBv2API {
			return elbv2.NewFromConfig(cfg, func(o *elbv2.Options) { o.Region = region })
		},
		newELB: func(cfg aws.Config, region string) ClassicELBAPI {
			return elb.NewFromConfig(cfg, func(o *elb.Options) { o.Region = region })
		},
		newSTS: func(cfg aws.Config) STSAPI { return sts.NewFromConfig(cfg) },
		newOrg: func(cfg aws.Config) OrganizationsAPI { return organizations.NewFromConfig(cfg) },
		// IAM is global: the config's region only picks the partition's
		// endpoint.
		newIAM:   func(cfg aws.Config) IAMAPI { return iam.NewFromConfig(cfg) },
		useKinds: useKinds(),
		limiters: map[string]*rate.Limiter{},
	}
}

var (
	// An AWS partition name: aws, aws-cn, aws-us-gov, aws-iso-b... It
	// becomes a part of every ARN the collector builds.
	partitionPattern = regexp.MustCompile(`^aws(-[a-z0-9]+)*$`)
	// A region name: eu-west-1, us-gov-west-1, us-isob-east-1...
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // and 2 to 1224 long
)

// validate checks the options before any AWS call: a typo in an account
// id would otherwise become an AssumeRole failure deep in the scan.
func (c *collector) validate() error {
	for _, list := range [][]string{c.opts.Accounts, c.opts.ExcludeAccounts} {
		for _, id := range list {
			if !inventory.ValidAccountID(strings.TrimSpace(id)) {
				return fmt.Errorf("%w: account id %q is not 12 digits", ErrOptions, id)
			}
		}
	}
	if !sessionNamePattern.MatchString(c.opts.SessionName) {
		return fmt.Errorf("%w: session name %q: want 2 to 64 letters, digits or +=,.@_-", ErrOptions, c.opts.SessionName)
	}
	if id := c.opts.ExternalID; id != "" && (len(id) < 2 || len(id) > 1224 || !externalIDPattern.MatchString(id)) {
		return fmt.Errorf("%w: external id: want 2 to 1224 letters, digits or +=,.@:/_-", ErrOptions)
	}
	return nil
}

// target is one account to read, with the config that reads it; task is
// one (account, region) pair.
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

// regionList is an account's regions to read and the coverage rows of
// requested regions it cannot read.
type regionList struct {
	regions []string
	skipped []inventory.Coverage
	err     error
}

// accountPlan is what setting up one account gave: its pairs to read, or
// the coverage rows saying why it cannot be read, and its IAM alias when
// it was looked up and has one.
type accountPlan struct {
	tasks []task
	rows  []inventory.Coverage
	alias string
}

func (c *collector) run(ctx context.Context) (*inventory.Inventory, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	caller, err := c.callerAccount(ctx)
	if err != nil {
		return nil, err
	}

	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	// The caller's regions are needed to scan the caller, and as the
	// region list of an account whose role cannot be assumed; listing them
	// overlaps with listing the organisation's accounts.
	callerRegions := sync.OnceValue(func() regionList {
		r, s, err := c.regions(rctx, target{account: caller, cfg: c.cfg})
		return regionList{regions: r, skipped: s, err: err}
	})
	go callerRegions()

	accounts, err := c.accounts(rctx, caller)
	if err != nil {
		return nil, err
	}
	sc := &scanState{c: c, accounts: len(accounts), norm: newNormalizer()}

	// Accounts are set up and their pairs read in one pipeline under one
	// concurrency bound: an account's pairs start as soon as its role is
	// assumed and its regions are listed, not when the slowest account is.
	// Nothing holds a slot while waiting for another, so it cannot deadlock.
	sem := make(chan struct{}, c.opts.Concurrency)
	acquire := func() bool {
		select {
		case sem <- struct{}{}:
			return true
		case <-rctx.Done():
			return false
		}
	}
	var wg sync.WaitGroup
	for _, acct := range accounts {
		wg.Go(func() {
			if !acquire() {
				return
			}
			plan, err := c.planAccount(rctx, acct, caller, callerRegions)
			<-sem
			if err != nil {
				cancel(err)
				return
			}
			sc.addAccount(acct, plan)
			for _, t := range plan.tasks {
				wg.Go(func() {
					if !acquire() {
						return
					}
					r := c.collectRegion(rctx, t)
					<-sem
					sc.addResult(r)
				})
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	if err := context.Cause(rctx); err != nil {
		return nil, err
	}
	if len(sc.coverage) == 0 {
		// Every region was excluded: an empty, "complete" inventory would
		// pass an audit that looked at nothing.
		return nil, errors.New("no region to scan: every region is excluded")
	}

	inv := sc.norm.finish()
	inv.SchemaVersion = inventory.SchemaVersion
	inv.CollectedAt = c.opts.Now().UTC()
	inv.Source = Source
	for i := range accounts {
		if accounts[i].Name == "" {
			accounts[i].Name = sc.aliases[accounts[i].ID]
		}
	}
	inv.Accounts = accounts
	inv.Coverage = sc.coverage
	inv.Sort()
	return inv, nil
}

// scanState gathers the results of the pipeline and reports progress.
type scanState struct {
	c        *collector
	accounts int

	mu sync.Mutex
	// norm takes each pair's data as it arrives, so the raw responses of
	// a pair are garbage once it is read.
	norm          *normalizer
	coverage      []inventory.Coverage
	total, done   int
	accountsReady int
	errors        int
	aliases       map[string]string // account id → IAM alias
}

func (s *scanState) addAccount(acct inventory.Account, p accountPlan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accountsReady++
	if p.alias != "" {
		if s.aliases == nil {
			s.aliases = map[string]string{}
		}
		s.aliases[acct.ID] = p.alias
	}
	s.total += len(p.tasks) + len(p.rows)
	for _, row := range p.rows {
		s.record(row)
	}
}

func (s *scanState) addResult(r result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.norm.add(r.data)
	s.record(r.coverage)
}

// record adds a coverage row and reports progress; s.mu is held.
func (s *scanState) record(row inventory.Coverage) {
	s.coverage = append(s.coverage, row)
	s.done++
	if row.Status == inventory.CoverageDenied || row.Status == inventory.CoverageError {
		s.errors++
	}
	if s.c.opts.Progress != nil {
		s.c.opts.Progress(ProgressEvent{
			Done: s.done, Total: s.total, Accounts: s.accounts, AccountsReady: s.accountsReady,
			Errors: s.errors, AccountID: row.AccountID, Region: row.Region, Status: row.Status,
		})
	}
}

// limiter returns the request budget of one (account, region), shared by
// every call made there: the pair's own calls and the account's
// DescribeRegions in its bootstrap region. Its burst is twice its rate
// (DefaultRate says why).
func (c *collector) limiter(account, region string) *rate.Limiter {
	c.limMu.Lock()
	defer c.limMu.Unlock()
	key := account + "/" + region
	l, ok := c.limiters[key]
	if !ok {
		limit, burst := rate.Limit(c.opts.Rate), max(1, int(2*c.opts.Rate))
		if c.opts.Rate < 0 {
			limit = rate.Inf
		}
		l = rate.NewLimiter(limit, burst)
		c.limiters[key] = l
	}
	return l
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
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
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
	// The caller's account id and partition become file names and ARN
	// parts: an answer that is not an account id is refused, not used.
	if !inventory.ValidAccountID(id) {
		return inventory.Account{}, fmt.Errorf("get caller identity: %w: account id %q is not 12 digits", ErrMalformed, id)
	}
	if !partitionPattern.MatchString(a.Partition) {
		return inventory.Account{}, fmt.Errorf("get caller identity: %w: partition %q of caller ARN is not an AWS partition", ErrMalformed, a.Partition)
	}
	return inventory.Account{ID: id, Partition: a.Partition}, nil
}

// UnlistedRegions is the Region of a coverage row that stands for the
// regions of an account that could not be listed, so cannot be named.
const UnlistedRegions = "*"

// regions lists the regions to read for one account, and the coverage rows
// of requested regions that cannot be read. It asks the account itself:
// which opt-in regions are enabled differs from account to account. When
// that is refused it reads the regions given, else the config's region
// with an UnlistedRegions row for the regions it could not name.
func (c *collector) regions(ctx context.Context, t target) ([]string, []inventory.Coverage, error) {
	log := c.log.With("account_id", t.account.ID)
	requested := cleanRegions(c.opts.Regions, c.opts.ExcludeRegions)

	// moto ignores AllRegions and returns every partition's regions; real
	// EC2 returns only the caller's partition. Filtering below handles both.
	out, err := apiCall(ctx, c, c.limiter(t.account.ID, t.cfg.Region), func(ctx context.Context) (*ec2.DescribeRegionsOutput, error) {
		return c.newEC2(t.cfg, t.cfg.Region).DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	})
	if err != nil {
		if status, code := classify(err); status == inventory.CoverageDenied && ctx.Err() == nil {
			if len(requested) > 0 {
				// The user named the regions: they are read unchecked and
				// nothing they asked for is missing.
				log.Warn("cannot list regions; scanning only the regions given", "error_code", code, "regions", requested, "error", err)
				return requested, nil, nil
			}
			// Only the config's region can be read, but the account's other
			// enabled regions are unknown, not absent: a row for all of them
			// keeps the scan incomplete, so no report calls it clean.
			fallback := cleanRegions([]string{t.cfg.Region}, c.opts.ExcludeRegions)
			scanned := "no region was scanned"
			if len(fallback) > 0 {
				scanned = "only " + strings.Join(fallback, ", ") + " was scanned"
			}
			log.Warn("cannot list regions; the account's other regions are not scanned", "error_code", code, "regions", fallback, "error", err)
			return fallback, []inventory.Coverage{{
				AccountID: t.account.ID,
				Region:    UnlistedRegions,
				Status:    status,
				Collected: []string{},
				FailedAPI: "DescribeRegions",
				ErrorCode: code,
				Detail:    "could not list the enabled regions; " + scanned,
			}}, nil
		}
		return nil, nil, fmt.Errorf("describe regions for account %s: %w", t.account.ID, err)
	}

	why := map[string]string{} // region → why it is not scanned ("" = enabled)
	var enabled []string
	for _, r := range out.Regions {
		name := aws.ToString(r.RegionName)
		if !regionPattern.MatchString(name) {
			return nil, nil, fmt.Errorf("describe regions for account %s: %w: region name %q", t.account.ID, ErrMalformed, name)
		}
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

// apiCall makes one API call under a rate budget (nil: none) and the call
// timeout (which covers the SDK's retries of that call).
func apiCall[O any](ctx context.Context, c *collector, lim *rate.Limiter, f func(context.Context) (O, error)) (O, error) {
	var zero O
	if lim != nil {
		if err := lim.Wait(ctx); err != nil {
			return zero, err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	return f(cctx)
}

// pager is what the SDK's generated paginators have in common; Opt is the
// service's client options type.
type pager[O, Opt any] interface {
	HasMorePages() bool
	NextPage(ctx context.Context, optFns ...func(*Opt)) (O, error)
}

// drain reads every page of p, each page under the rate budget and its own
// timeout, and returns all items, or none: a failure on any page fails the
// whole kind. A failure after the first page is a *pageError.
func drain[O, Opt, T any](ctx context.Context, c *collector, lim *rate.Limiter, log *slog.Logger, op string, p pager[O, Opt], items func(O) []T) ([]T, error) {
	var all []T
	for page := 1; p.HasMorePages(); page++ {
		out, err := apiCall(ctx, c, lim, func(ctx context.Context) (O, error) { return p.NextPage(ctx) })
		if err != nil {
			if page > 1 {
				return nil, &pageError{page: page, err: err}
			}
			return nil, err
		}
		got := items(out)
		all = append(all, got...)
		log.Debug("page", "api", op, "page", page, "items", len(got))
	}
	return all, nil
}

// pageError is the failure of a page after the first: the endpoint
// answered the first page, so it has the API, and the pages read so far
// are dropped with the rest.
type pageError struct {
	page int
	err  error
}

func (e *pageError) Error() string { return "page " + strconv.Itoa(e.page) + ": " + e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

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
// error (a timeout, a network error) or the answer had no code:
// "UnknownError" is no AWS code but what the SDK's deserializers name an
// error document they found none in (a well-formed HTML page parses as
// one).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "UnknownError" {
		return ae.ErrorCode()
	}
	return ""
}

// describeError is a short one-line detail for a coverage row: the AWS
// code and message when there is one, the HTTP status of an answer
// without one (its body, often an HTML page, says nothing useful), else
// the error itself; prefixed with the page when it was not the first.
func describeError(err error) string {
	prefix := ""
	var pe *pageError
	if errors.As(err, &pe) {
		prefix = "page " + strconv.Itoa(pe.page) + ": "
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && errorCode(err) != "" {
		if msg := ae.ErrorMessage(); msg != "" {
			return prefix + oneLine(ae.ErrorCode()+": "+msg)
		}
		return prefix + ae.ErrorCode()
	}
	if s := httpStatus(err); s != 0 {
		// Not the number of attempts: it depends on the throttles met on
		// the way, and the same scan must give the same coverage.
		return prefix + "HTTP " + strconv.Itoa(s) + " without an AWS error code"
	}
	if pe != nil {
		return oneLine(pe.Error())
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
