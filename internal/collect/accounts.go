package collect

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// listAccountsPageSize is the largest page Organizations ListAccounts gives.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html
const listAccountsPageSize = 20

// accounts lists the accounts to scan, sorted by id: the caller's alone by
// default; else the organisation's active accounts and the listed ones,
// less the excluded ones. Every account has the caller's partition: an
// organisation and role assumption never cross partitions.
func (c *collector) accounts(ctx context.Context, caller inventory.Account) ([]inventory.Account, error) {
	byID := map[string]inventory.Account{}
	if !c.multiAccount() {
		byID[caller.ID] = caller
	}
	if c.opts.Org {
		org, err := c.orgAccounts(ctx, caller.Partition)
		if err != nil {
			return nil, err
		}
		for _, a := range org {
			byID[a.ID] = a
		}
	}
	for _, id := range c.opts.Accounts {
		id = strings.TrimSpace(id)
		if _, ok := byID[id]; !ok {
			byID[id] = inventory.Account{ID: id, Partition: caller.Partition}
		}
	}
	for _, id := range c.opts.ExcludeAccounts {
		delete(byID, strings.TrimSpace(id))
	}
	if len(byID) == 0 {
		return nil, errors.New("no account to scan: every account is excluded")
	}
	out := make([]inventory.Account, 0, len(byID))
	for _, a := range byID {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b inventory.Account) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// orgAccounts lists the ACTIVE accounts of the caller's organisation with
// their names. Suspended, closing or pending accounts cannot be read and
// are left out on purpose (logged), like excluded regions. An id that is
// not 12 digits, in any state, fails the listing (ErrMalformed).
func (c *collector) orgAccounts(ctx context.Context, partition string) ([]inventory.Account, error) {
	start := time.Now()
	p := organizations.NewListAccountsPaginator(c.newOrg(c.cfg), &organizations.ListAccountsInput{MaxResults: aws.Int32(listAccountsPageSize)})
	// Organizations is a global service with its own, low rate limit; it is
	// not an (account, region) bucket, so it gets a budget of its own.
	all, err := drain(ctx, c, c.limiter("organizations", ""), c.log, "ListAccounts", p,
		func(o *organizations.ListAccountsOutput) []orgtypes.Account { return o.Accounts })
	if err != nil {
		return nil, fmt.Errorf("list organization accounts (run from the management account or a delegated administrator of AWS Organizations): %w", err)
	}
	var out []inventory.Account
	for i, a := range all {
		id := aws.ToString(a.Id)
		// Refusing the one account is not possible: a coverage row would
		// carry the id into reports and file names, and leaving it out
		// would make the scan look complete. The whole scan stops; the
		// user cannot even exclude it, as --exclude-accounts takes ids.
		if !inventory.ValidAccountID(id) {
			return nil, fmt.Errorf("list organization accounts: %w: account #%d (%q) has id %q, which is not 12 digits",
				ErrMalformed, i+1, aws.ToString(a.Name), id)
		}
		// State replaces Status, which Organizations retires in September
		// 2026; moto and older responses may carry only one of them.
		state := cmp.Or(string(a.State), string(a.Status))
		if state != string(orgtypes.AccountStateActive) {
			c.log.Info("skipping organization account that is not active", "account_id", id, "state", state)
			continue
		}
		out = append(out, inventory.Account{ID: id, Name: aws.ToString(a.Name), Partition: partition})
	}
	c.log.Info("organization accounts listed", "accounts", len(out), "listed", len(all), "duration", time.Since(start))
	return out, nil
}

// planAccount sets up one account: the config that reads it (the caller's
// own, or an assumed role), and its regions. An account that cannot be
// reached gets coverage rows for the regions it would have had, and the
// scan goes on; the caller's own region list failing is fatal only in a
// single-account scan, or when its credentials are refused.
func (c *collector) planAccount(ctx context.Context, acct inventory.Account, caller inventory.Account, callerRegions func() regionList) (accountPlan, error) {
	start := time.Now()
	log := c.log.With("account_id", acct.ID)
	if acct.ID == caller.ID {
		t := target{account: acct, cfg: c.cfg}
		alias := c.startAlias(ctx, t)
		rl := callerRegions()
		if rl.err != nil {
			if ctx.Err() != nil {
				return accountPlan{}, nil // cancelled: the run reports it
			}
			// Credentials that stopped working stop every account.
			if isCredentialsCode(errorCode(rl.err)) {
				return accountPlan{}, &credentialsError{err: rl.err}
			}
			// Alone, the caller's account is the whole scan: without its
			// regions there is nothing to read.
			if !c.multiAccount() {
				return accountPlan{}, rl.err
			}
			// In an organisation scan it is one account among others, and
			// fails like them: rows for its regions, the others go on.
			rows := failedRows(acct, c.fallbackRegions(callerRegions), "DescribeRegions", rl.err)
			log.Warn("cannot list regions; account not scanned", "status", statusOf(rows), "error_code", errorCode(rl.err), "error", rl.err, "duration", time.Since(start))
			return accountPlan{rows: rows, alias: alias()}, nil
		}
		name := alias()
		log.Info("account ready", "regions", len(rl.regions), "role", "caller", "alias", name, "duration", time.Since(start))
		return accountPlan{tasks: tasksFor(t, rl.regions), rows: rl.skipped, alias: name}, nil
	}

	cfg, roleARN, err := c.assumeRole(ctx, acct)
	if err != nil {
		if ctx.Err() != nil {
			return accountPlan{}, nil // cancelled: the run reports it
		}
		rows := failedRows(acct, c.fallbackRegions(callerRegions), "AssumeRole", err)
		log.Warn("cannot assume role; account not scanned", "role_arn", roleARN, "status", statusOf(rows),
			"error_code", errorCode(err), "error", err, "duration", time.Since(start))
		return accountPlan{rows: rows}, nil
	}
	t := target{account: acct, cfg: cfg}
	alias := c.startAlias(ctx, t)
	regions, skipped, err := c.regions(ctx, t)
	if err != nil {
		if ctx.Err() != nil {
			return accountPlan{}, nil
		}
		rows := failedRows(acct, c.fallbackRegions(callerRegions), "DescribeRegions", err)
		log.Warn("cannot list regions; account not scanned", "error_code", errorCode(err), "error", err, "duration", time.Since(start))
		// The alias still names the account in the coverage of every report.
		return accountPlan{rows: rows, alias: alias()}, nil
	}
	name := alias()
	log.Info("account ready", "regions", len(regions), "role_arn", roleARN, "alias", name, "duration", time.Since(start))
	return accountPlan{tasks: tasksFor(t, regions), rows: skipped, alias: name}, nil
}

// multiAccount reports whether the scan names its accounts (--org,
// --accounts) rather than reading the caller's alone.
func (c *collector) multiAccount() bool {
	return c.opts.Org || len(c.opts.Accounts) > 0
}

// startAlias looks up the IAM alias of an account that Organizations did
// not name, alongside the account's DescribeRegions so that it adds no
// latency to the account's set-up, and returns a function that waits for
// it. It is best effort: the alias only makes reports easier to read, so a
// refusal (iam:ListAccountAliases is optional in the policy) or an
// endpoint without IAM leaves the name empty, logged at debug, and is
// never a coverage gap. IAM is global: one call per account, not per
// region.
func (c *collector) startAlias(ctx context.Context, t target) func() string {
	if t.account.Name != "" {
		return func() string { return "" }
	}
	done := make(chan string, 1)
	go func() {
		done <- c.accountAlias(ctx, t)
	}()
	return sync.OnceValue(func() string { return <-done })
}

// accountAlias returns the account's IAM alias, or "" when it has none or
// it cannot be read.
func (c *collector) accountAlias(ctx context.Context, t target) string {
	log := c.log.With("account_id", t.account.ID)
	// IAM meters each account on its own, globally, not per region; the
	// "iam" budget keeps this call out of the EC2 buckets.
	out, err := apiCall(ctx, c, c.limiter(t.account.ID, "iam"), func(ctx context.Context) (*iam.ListAccountAliasesOutput, error) {
		return c.newIAM(t.cfg).ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
	})
	if err != nil {
		log.Debug("no account alias: cannot list account aliases", "api", "ListAccountAliases", "error_code", errorCode(err), "error", err)
		return ""
	}
	// An account has at most one alias.
	if len(out.AccountAliases) == 0 {
		log.Debug("account has no alias")
		return ""
	}
	return strings.TrimSpace(out.AccountAliases[0])
}

func tasksFor(t target, regions []string) []task {
	tasks := make([]task, 0, len(regions))
	for _, r := range regions {
		tasks = append(tasks, task{target: t, region: r})
	}
	return tasks
}

// assumeRole returns a config whose credentials come from sts:AssumeRole
// into the account's role, and checks that the role can be assumed. The
// credentials cache renews them credentialsExpiryWindow before they
// expire, so every call of a scan longer than their hour still has valid
// ones.
func (c *collector) assumeRole(ctx context.Context, acct inventory.Account) (aws.Config, string, error) {
	roleARN := "arn:" + acct.Partition + ":iam::" + acct.ID + ":role/" + c.opts.RoleName
	provider := stscreds.NewAssumeRoleProvider(c.newSTS(c.cfg), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = c.opts.SessionName
		o.Duration = assumeRoleDuration
		if c.opts.ExternalID != "" {
			o.ExternalID = aws.String(c.opts.ExternalID)
		}
	})
	cfg := c.cfg.Copy()
	cfg.Credentials = aws.NewCredentialsCache(provider, func(o *aws.CredentialsCacheOptions) {
		o.ExpiryWindow = credentialsExpiryWindow
	})
	// Assuming the role now, not on the first EC2 call, tells a refused
	// role (one row per region, "AssumeRole") from a refused EC2 call. STS
	// meters the caller's account, not the target's, with a quota far above
	// one call per account (600 per second by default), so AssumeRole has no
	// budget of its own; a throttled call is retried like any other.
	_, err := apiCall(ctx, c, nil, func(ctx context.Context) (aws.Credentials, error) {
		return cfg.Credentials.Retrieve(ctx)
	})
	if err != nil {
		return aws.Config{}, roleARN, fmt.Errorf("assume role %s: %w", roleARN, err)
	}
	return cfg, roleARN, nil
}

// fallbackRegions are the regions reported for an account whose own
// region list cannot be read: the regions asked for, else the caller's
// enabled regions, else the config's region.
func (c *collector) fallbackRegions(callerRegions func() regionList) []string {
	if r := cleanRegions(c.opts.Regions, c.opts.ExcludeRegions); len(r) > 0 {
		return r
	}
	if rl := callerRegions(); rl.err == nil && len(rl.regions) > 0 {
		return rl.regions
	}
	return cleanRegions([]string{c.cfg.Region}, c.opts.ExcludeRegions)
}

// failedRows is one coverage row per region of an account that could not
// be read at all because api failed.
func failedRows(acct inventory.Account, regions []string, api string, err error) []inventory.Coverage {
	status, code := classify(err)
	rows := make([]inventory.Coverage, 0, len(regions))
	for _, r := range regions {
		rows = append(rows, inventory.Coverage{
			AccountID: acct.ID,
			Region:    r,
			Status:    status,
			Collected: []string{},
			FailedAPI: api,
			ErrorCode: code,
			Detail:    api + ": " + describeError(err),
		})
	}
	return rows
}

func statusOf(rows []inventory.Coverage) inventory.CoverageStatus {
	if len(rows) == 0 {
		return ""
	}
	return rows[0].Status
}
