package collect

import (
	"cmp"
	"context"
	"errors"
	"net"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/time/rate"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const (
	mgmtAccount      = "111111111111"
	deniedAccount    = "222222222222"
	memberAccount    = "333333333333"
	suspendedAccount = "444444444444"
	legacyAccount    = "555555555555"
	excludedAccount  = "666666666666"
)

// accountCloud is one fake account whose regions each hold one group owned
// by the account, named after the account and region.
func accountCloud(acct string, regions ...string) *fakeCloud {
	c := &fakeCloud{regions: enabled(regions...), data: map[string]*regionFake{}}
	for _, r := range regions {
		d := simpleRegion(acct + "-" + r)
		for i := range d.sgPages[0] {
			d.sgPages[0][i].OwnerId = aws.String(acct)
		}
		c.data[r] = d
	}
	return c
}

// testOrg is an organisation of six accounts over three ListAccounts pages:
// the management account (the caller), a member that refuses AssumeRole, a
// member with an extra opt-in region enabled, a suspended member, a member
// whose listing carries only the old Status field, and one to exclude.
func testOrg() *fakeOrg {
	member := accountCloud(memberAccount, "eu-west-1", "me-south-1", "us-east-1")
	return &fakeOrg{
		caller: mgmtAccount,
		accounts: map[string]*fakeCloud{
			mgmtAccount:     accountCloud(mgmtAccount, "eu-west-1", "us-east-1"),
			deniedAccount:   accountCloud(deniedAccount, "eu-west-1", "us-east-1"),
			memberAccount:   member,
			legacyAccount:   accountCloud(legacyAccount, "eu-west-1", "us-east-1"),
			excludedAccount: accountCloud(excludedAccount, "eu-west-1", "us-east-1"),
		},
		listPages: [][]orgtypes.Account{
			{orgAccount(mgmtAccount, "management", orgtypes.AccountStateActive), orgAccount(deniedAccount, "locked-down", orgtypes.AccountStateActive)},
			{orgAccount(memberAccount, "workloads", orgtypes.AccountStateActive), orgAccount(suspendedAccount, "old", orgtypes.AccountStateSuspended)},
			{{Id: aws.String(legacyAccount), Name: aws.String("legacy"), Status: orgtypes.AccountStatusActive},
				orgAccount(excludedAccount, "sandbox", orgtypes.AccountStateActive)},
		},
		denied: map[string]bool{deniedAccount: true},
	}
}

func TestCollectOrganisation(t *testing.T) {
	org := testOrg()
	var events []ProgressEvent
	inv, err := newOrgCollector(org, Options{
		Org: true, ExternalID: "ext-123", ExcludeAccounts: []string{excludedAccount},
		Progress: func(e ProgressEvent) { events = append(events, e) },
	}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	wantAccounts := []inventory.Account{
		{ID: mgmtAccount, Name: "management", Partition: "aws"},
		{ID: deniedAccount, Name: "locked-down", Partition: "aws"},
		{ID: memberAccount, Name: "workloads", Partition: "aws"},
		{ID: legacyAccount, Name: "legacy", Partition: "aws"},
	}
	if diff := gocmp.Diff(wantAccounts, inv.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}

	ok := func(acct, region string) inventory.Coverage {
		return inventory.Coverage{AccountID: acct, Region: region, Status: inventory.CoverageOK, Collected: allKinds(), SecurityGroups: 1}
	}
	denied := func(region string) inventory.Coverage {
		return inventory.Coverage{AccountID: deniedAccount, Region: region, Status: inventory.CoverageDenied, Collected: []string{},
			FailedAPI: "AssumeRole", ErrorCode: "AccessDenied",
			Detail: "AssumeRole: AccessDenied: not authorized to perform sts:AssumeRole on arn:aws:iam::" + deniedAccount + ":role/OrganizationAccountAccessRole"}
	}
	wantCoverage := []inventory.Coverage{
		ok(mgmtAccount, "eu-west-1"), ok(mgmtAccount, "us-east-1"),
		// The caller's regions stand for those of an account that cannot
		// be read at all.
		denied("eu-west-1"), denied("us-east-1"),
		// Each account's own DescribeRegions: me-south-1 is enabled here only.
		ok(memberAccount, "eu-west-1"), ok(memberAccount, "me-south-1"), ok(memberAccount, "us-east-1"),
		ok(legacyAccount, "eu-west-1"), ok(legacyAccount, "us-east-1"),
	}
	if diff := gocmp.Diff(wantCoverage, inv.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}

	// Every group read in an account is that account's: the member was
	// read with its own credentials, not the caller's.
	var groups []string
	for _, g := range inv.SecurityGroups {
		groups = append(groups, g.AccountID+"/"+g.Region+"/"+g.ID)
	}
	wantGroups := []string{}
	for _, c := range wantCoverage {
		if c.Status == inventory.CoverageOK {
			wantGroups = append(wantGroups, c.AccountID+"/"+c.Region+"/sg-"+c.AccountID+"-"+c.Region)
		}
	}
	if diff := gocmp.Diff(wantGroups, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}

	// One AssumeRole per account other than the caller's, with the external
	// id, the recognisable session name and the longest duration that
	// always works; none for suspended or excluded accounts.
	var assumed []sts.AssumeRoleInput
	for _, in := range org.assumeCalls {
		assumed = append(assumed, sts.AssumeRoleInput{RoleArn: in.RoleArn, RoleSessionName: in.RoleSessionName,
			ExternalId: in.ExternalId, DurationSeconds: in.DurationSeconds})
	}
	slices.SortFunc(assumed, func(a, b sts.AssumeRoleInput) int { return cmp.Compare(*a.RoleArn, *b.RoleArn) })
	role := func(acct string) sts.AssumeRoleInput {
		return sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"),
			RoleSessionName: aws.String("sgaudit"), ExternalId: aws.String("ext-123"), DurationSeconds: aws.Int32(3600)}
	}
	wantAssumed := []sts.AssumeRoleInput{role(deniedAccount), role(memberAccount), role(legacyAccount)}
	if diff := gocmp.Diff(wantAssumed, assumed, cmpopts.IgnoreUnexported(sts.AssumeRoleInput{})); diff != "" {
		t.Errorf("AssumeRole calls (-want +got):\n%s", diff)
	}
	wantList := []call{
		{Op: "ListAccounts", MaxResults: 20},
		{Op: "ListAccounts", MaxResults: 20, NextToken: "page-1"},
		{Op: "ListAccounts", MaxResults: 20, NextToken: "page-2"},
	}
	if diff := gocmp.Diff(wantList, org.listCalls); diff != "" {
		t.Errorf("ListAccounts calls (-want +got):\n%s", diff)
	}
	for _, acct := range []string{deniedAccount, excludedAccount} {
		if n := len(org.accounts[acct].calls); n != 0 {
			t.Errorf("account %s got %d EC2 calls, want none", acct, n)
		}
	}

	// Progress: one event per coverage row, ending complete.
	if len(events) != len(wantCoverage) {
		t.Fatalf("%d progress events, want %d", len(events), len(wantCoverage))
	}
	for i, e := range events {
		if e.Done != i+1 || e.Total < e.Done || e.Accounts != len(wantAccounts) {
			t.Errorf("event %d = %+v", i, e)
		}
	}
	last := events[len(events)-1]
	if want := (ProgressEvent{Done: 9, Total: 9, Accounts: 4, AccountsReady: 4, Errors: 2}); last.Done != want.Done ||
		last.Total != want.Total || last.AccountsReady != want.AccountsReady || last.Errors != want.Errors {
		t.Errorf("last progress event = %+v, want counts of %+v", last, want)
	}
}

// TestCollectCallerRegionsFailure checks that the caller's DescribeRegions
// failing is one account's failure in an organisation scan, like any other
// account's, but still ends a scan of the caller alone or with bad
// credentials.
func TestCollectCallerRegionsFailure(t *testing.T) {
	ok := func(acct, region string) inventory.Coverage {
		return inventory.Coverage{AccountID: acct, Region: region, Status: inventory.CoverageOK, Collected: allKinds(), SecurityGroups: 1}
	}
	// With no region list of its own, the caller's account is reported in
	// the config's region, as is an account whose role is refused.
	failed := func(acct string, status inventory.CoverageStatus, api, code, detail string) inventory.Coverage {
		return inventory.Coverage{AccountID: acct, Region: "eu-west-1", Status: status, Collected: []string{},
			FailedAPI: api, ErrorCode: code, Detail: api + ": " + detail}
	}
	assumeDenied := failed(deniedAccount, inventory.CoverageDenied, "AssumeRole", "AccessDenied",
		"AccessDenied: not authorized to perform sts:AssumeRole on arn:aws:iam::"+deniedAccount+":role/OrganizationAccountAccessRole")
	tests := []struct {
		name         string
		opts         Options
		regionsErr   error
		wantErr      string // "" = no error
		wantCreds    bool
		wantCoverage []inventory.Coverage
	}{
		{
			name:       "organisation scan: throttled past retries",
			opts:       Options{Org: true, ExcludeAccounts: []string{excludedAccount}},
			regionsErr: apiError("Throttling"),
			wantCoverage: []inventory.Coverage{
				failed(mgmtAccount, inventory.CoverageError, "DescribeRegions", "Throttling", "Throttling: message for Throttling"),
				assumeDenied,
				ok(memberAccount, "eu-west-1"), ok(memberAccount, "me-south-1"), ok(memberAccount, "us-east-1"),
				ok(legacyAccount, "eu-west-1"), ok(legacyAccount, "us-east-1"),
			},
		},
		{
			name:       "listed accounts: a 5xx",
			opts:       Options{Accounts: []string{mgmtAccount, memberAccount}},
			regionsErr: apiError("InternalError"),
			wantCoverage: []inventory.Coverage{
				failed(mgmtAccount, inventory.CoverageError, "DescribeRegions", "InternalError", "InternalError: message for InternalError"),
				ok(memberAccount, "eu-west-1"), ok(memberAccount, "me-south-1"), ok(memberAccount, "us-east-1"),
			},
		},
		{
			name:       "organisation scan: expired credentials stay fatal",
			opts:       Options{Org: true},
			regionsErr: apiError("ExpiredToken"),
			wantErr:    "the credentials have expired",
			wantCreds:  true,
		},
		{
			name:       "the caller alone: nothing left to scan",
			regionsErr: apiError("InternalError"),
			wantErr:    "describe regions for account " + mgmtAccount,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := testOrg()
			org.accounts[mgmtAccount].regionsErr = tt.regionsErr
			inv, err := newOrgCollector(org, tt.opts).run(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run() error = %v, want one containing %q", err, tt.wantErr)
				}
				if got := errors.Is(err, ErrCredentials); got != tt.wantCreds {
					t.Errorf("errors.Is(err, ErrCredentials) = %v, want %v (err: %v)", got, tt.wantCreds, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if diff := gocmp.Diff(tt.wantCoverage, inv.Coverage); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			if inv.Complete() {
				t.Error("Complete() = true with the caller's account unread")
			}
		})
	}
}

func TestCollectAccountSelection(t *testing.T) {
	tests := []struct {
		name         string
		opts         Options
		listErr      error
		wantAccounts []string // id=name
		wantRoles    []string
		wantErr      string
		wantErrIs    error
		wantList     bool
	}{
		{
			name:         "default: the caller's account, no AssumeRole",
			wantAccounts: []string{mgmtAccount + "="},
		},
		{
			name:         "listed accounts only; the caller's own with its own credentials",
			opts:         Options{Accounts: []string{memberAccount, " " + mgmtAccount}},
			wantAccounts: []string{mgmtAccount + "=", memberAccount + "="},
			wantRoles:    []string{"arn:aws:iam::" + memberAccount + ":role/OrganizationAccountAccessRole"},
		},
		{
			name: "listed accounts add to the organisation's; role name with a path",
			opts: Options{Org: true, Accounts: []string{"777777777777"}, RoleName: "/audit/sgaudit-reader",
				ExcludeAccounts: []string{deniedAccount, memberAccount, legacyAccount, excludedAccount}},
			wantAccounts: []string{mgmtAccount + "=management", "777777777777="},
			wantRoles:    []string{"arn:aws:iam::777777777777:role/audit/sgaudit-reader"},
			wantList:     true,
		},
		{
			name:      "everything excluded",
			opts:      Options{Accounts: []string{memberAccount}, ExcludeAccounts: []string{memberAccount}},
			wantErr:   "no account to scan",
			wantRoles: nil,
		},
		{
			name:     "not allowed to list the organisation",
			opts:     Options{Org: true},
			listErr:  apiError("AWSOrganizationsNotInUseException"),
			wantErr:  "list organization accounts (run from the management account or a delegated administrator",
			wantList: true,
		},
		{name: "malformed account id", opts: Options{Accounts: []string{"12345"}}, wantErrIs: ErrOptions, wantErr: `"12345" is not 12 digits`},
		{name: "malformed excluded id", opts: Options{ExcludeAccounts: []string{"acct-1"}}, wantErrIs: ErrOptions, wantErr: "not 12 digits"},
		{name: "session name with a space", opts: Options{SessionName: "sg audit"}, wantErrIs: ErrOptions, wantErr: "session name"},
		{name: "external id too short", opts: Options{ExternalID: "x"}, wantErrIs: ErrOptions, wantErr: "external id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := testOrg()
			org.accounts["777777777777"] = accountCloud("777777777777", "eu-west-1")
			org.listErr = tt.listErr
			inv, err := newOrgCollector(org, tt.opts).run(context.Background())
			if tt.wantErr != "" || tt.wantErrIs != nil {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run() error = %v, want one containing %q", err, tt.wantErr)
				}
				if tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs) {
					t.Errorf("run() error = %v, want errors.Is %v", err, tt.wantErrIs)
				}
				if tt.wantErrIs != nil && len(org.listCalls)+len(org.assumeCalls) > 0 {
					t.Error("AWS was called despite invalid options")
				}
				return
			}
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if diff := gocmp.Diff(tt.wantAccounts, accountNames(inv)); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			var roles []string
			for _, in := range org.assumeCalls {
				roles = append(roles, aws.ToString(in.RoleArn))
			}
			if diff := gocmp.Diff(tt.wantRoles, roles); diff != "" {
				t.Errorf("roles assumed (-want +got):\n%s", diff)
			}
			if got := len(org.listCalls) > 0; got != tt.wantList {
				t.Errorf("ListAccounts called = %v, want %v", got, tt.wantList)
			}
			if !inv.Complete() {
				t.Errorf("coverage not complete: %+v", inv.Coverage)
			}
		})
	}
}

// TestCollectAccountNames: an account that Organizations does not name
// gets its IAM alias, read once per account with that account's own
// credentials; an alias that cannot be read leaves the name empty and the
// scan complete.
func TestCollectAccountNames(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		aliases map[string]string // account → its alias
		errs    map[string]error  // account → ListAccountAliases error
		// wantAccounts are id=name; wantCalls the ListAccountAliases calls
		// per account (absent: none).
		wantAccounts []string
		wantCalls    map[string]int
	}{
		{
			name:         "the caller's alias, one call for two regions",
			aliases:      map[string]string{mgmtAccount: "corp-management"},
			wantAccounts: []string{mgmtAccount + "=corp-management"},
			wantCalls:    map[string]int{mgmtAccount: 1},
		},
		{
			name:         "listed accounts: each alias read with the account's own credentials",
			opts:         Options{Accounts: []string{memberAccount, mgmtAccount}},
			aliases:      map[string]string{mgmtAccount: "corp-management", memberAccount: "corp-workloads"},
			wantAccounts: []string{mgmtAccount + "=corp-management", memberAccount + "=corp-workloads"},
			wantCalls:    map[string]int{mgmtAccount: 1, memberAccount: 1},
		},
		{
			name: "Organizations names win; only the unnamed listed account is looked up",
			opts: Options{Org: true, Accounts: []string{"777777777777"},
				ExcludeAccounts: []string{memberAccount, legacyAccount, excludedAccount}},
			aliases: map[string]string{mgmtAccount: "corp-management", "777777777777": "outsider"},
			// The denied account is neither looked up nor renamed.
			wantAccounts: []string{mgmtAccount + "=management", deniedAccount + "=locked-down", "777777777777=outsider"},
			wantCalls:    map[string]int{"777777777777": 1},
		},
		{
			name:         "account without an alias",
			opts:         Options{Accounts: []string{memberAccount}},
			wantAccounts: []string{memberAccount + "="},
			wantCalls:    map[string]int{memberAccount: 1},
		},
		{
			name:         "alias refused: name empty, scan complete",
			opts:         Options{Accounts: []string{memberAccount, mgmtAccount}},
			aliases:      map[string]string{mgmtAccount: "corp-management", memberAccount: "corp-workloads"},
			errs:         map[string]error{memberAccount: apiError("AccessDenied")},
			wantAccounts: []string{mgmtAccount + "=corp-management", memberAccount + "="},
			wantCalls:    map[string]int{mgmtAccount: 1, memberAccount: 1},
		},
		{
			name:         "endpoint without IAM: name empty, scan complete",
			aliases:      map[string]string{mgmtAccount: "corp-management"},
			errs:         map[string]error{mgmtAccount: noAWSCode()},
			wantAccounts: []string{mgmtAccount + "="},
			wantCalls:    map[string]int{mgmtAccount: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := testOrg()
			org.accounts["777777777777"] = accountCloud("777777777777", "eu-west-1")
			for id, cloud := range org.accounts {
				cloud.alias = tt.aliases[id]
				cloud.aliasErr = tt.errs[id]
			}
			inv, err := newOrgCollector(org, tt.opts).run(context.Background())
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if diff := gocmp.Diff(tt.wantAccounts, accountNames(inv)); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			calls := map[string]int{}
			for id, cloud := range org.accounts {
				if cloud.aliasCalls > 0 {
					calls[id] = cloud.aliasCalls
				}
			}
			if diff := gocmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("ListAccountAliases calls per account (-want +got):\n%s", diff)
			}
			for _, c := range inv.Coverage {
				if c.Status != inventory.CoverageOK && c.AccountID != deniedAccount {
					t.Errorf("%s/%s: %s %s", c.AccountID, c.Region, c.Status, c.Detail)
				}
			}
		})
	}
}

// TestCollectRefreshesCredentials: assumed-role credentials that expire
// during the scan are renewed before they expire, and every call succeeds.
func TestCollectRefreshesCredentials(t *testing.T) {
	regions := []string{"eu-west-1", "eu-west-2", "eu-west-3", "us-east-1"}
	org := &fakeOrg{
		caller:   mgmtAccount,
		accounts: map[string]*fakeCloud{mgmtAccount: accountCloud(mgmtAccount, regions...), memberAccount: accountCloud(memberAccount, regions...)},
		// Within the cache's expiry window 150 ms after they are issued,
		// while reading four regions one after the other takes longer.
		ttl: credentialsExpiryWindow + 150*time.Millisecond,
	}
	org.accounts[memberAccount].latency = 40 * time.Millisecond
	inv, err := newOrgCollector(org, Options{Accounts: []string{memberAccount}, Concurrency: 1}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, c := range inv.Coverage {
		if c.Status != inventory.CoverageOK {
			t.Errorf("%s/%s: %s %s", c.AccountID, c.Region, c.Status, c.Detail)
		}
	}
	if n := len(org.assumeCalls); n < 2 {
		t.Errorf("AssumeRole called %d times during a scan longer than the credentials' life, want at least 2", n)
	}
	if n := len(org.keysUsed); n < 2 {
		t.Errorf("%d distinct credentials used, want renewed ones too: %v", n, org.keysUsed)
	}
}

// TestCallsPerPairIndependentOfGroups counts the API calls of one (account,
// region): every paginated API costs its pages, whatever the number of
// groups; only DescribeSecurityGroupReferences grows, by one call per
// referencesChunk groups, never per group.
func TestCallsPerPairIndependentOfGroups(t *testing.T) {
	region := func(n int) *regionFake {
		d := &regionFake{sgPages: [][]types.SecurityGroup{{}}, rulePages: [][]types.SecurityGroupRule{{}}, eniPages: [][]types.NetworkInterface{{}}}
		for i := range n {
			id := "sg-" + strconv.Itoa(i)
			d.sgPages[0] = append(d.sgPages[0], sg(id))
			d.rulePages[0] = append(d.rulePages[0], sgRule("sgr-"+strconv.Itoa(i), id))
			d.eniPages[0] = append(d.eniPages[0], eni("eni-"+strconv.Itoa(i), id))
		}
		d.ltPages = [][]types.LaunchTemplateVersion{{ltVersion("lt-1", 1, true, "sg-0")}}
		return d
	}
	counts := map[int]map[string]int{}
	for _, n := range []int{10, 5000} {
		cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": region(n)}}
		inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
		if err != nil {
			t.Fatalf("run with %d groups: %v", n, err)
		}
		if len(inv.SecurityGroups) != n || !inv.Complete() {
			t.Fatalf("%d groups read of %d; coverage %+v", len(inv.SecurityGroups), n, inv.Coverage)
		}
		counts[n] = cloud.countByOp("eu-west-1")
		// The pages the fake served: one per paginated API, one stale call
		// for the one VPC, no prefix-list entries (no rule names a list),
		// and the references in chunks.
		want := map[string]int{
			"DescribeRegions":                1,
			"DescribeSecurityGroups":         1,
			"DescribeSecurityGroupRules":     1,
			"DescribeNetworkInterfaces":      1,
			"DescribeLaunchTemplateVersions": 1,
			"DescribeLaunchConfigurations":   1,
			"DescribeManagedPrefixLists":     1,
			"DescribeStaleSecurityGroups":    1,
			// The network and load balancers: one listing each, whatever
			// the number of groups (no load balancer here, so no call per
			// load balancer, listener or target group).
			"DescribeSubnets":                    1,
			"DescribeRouteTables":                1,
			"DescribeNetworkAcls":                1,
			"DescribeInternetGateways":           1,
			"DescribeEgressOnlyInternetGateways": 1,
			"DescribeAddresses":                  1,
			opLoadBalancers:                      1,
			opTargetGroups:                       1,
			opClassicLoadBalancers:               1,
			// ⌈n / referencesChunk⌉
			"DescribeSecurityGroupReferences": (n + referencesChunk - 1) / referencesChunk,
		}
		if diff := gocmp.Diff(want, counts[n]); diff != "" {
			t.Errorf("%d groups: calls per API (-want +got):\n%s", n, diff)
		}
	}
	delete(counts[10], "DescribeSecurityGroupReferences")
	delete(counts[5000], "DescribeSecurityGroupReferences")
	if diff := gocmp.Diff(counts[10], counts[5000]); diff != "" {
		t.Errorf("calls differ between 10 and 5,000 groups (-10 +5000):\n%s", diff)
	}
}

// TestCollectReferencesSplitOnMissingGroup: a group deleted between
// DescribeSecurityGroups and DescribeSecurityGroupReferences fails its whole
// chunk; the chunk is split until that group is isolated, and the others'
// references are still read.
func TestCollectReferencesSplitOnMissingGroup(t *testing.T) {
	d := &regionFake{sgPages: [][]types.SecurityGroup{{sg("sg-1"), sg("sg-2"), sg("sg-gone"), sg("sg-4")}},
		refs: []types.SecurityGroupReference{{GroupId: aws.String("sg-4"), ReferencingVpcId: aws.String("vpc-peer")}}}
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
	c := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{})
	c.newEC2 = func(cfg aws.Config, region string) EC2API {
		return missingGroup{EC2API: cloud.client(cfg, region), missing: "sg-gone"}
	}
	inv, err := c.run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !slices.Contains(inv.Coverage[0].Collected, inventory.KindReferences) {
		t.Errorf("references not collected: %+v", inv.Coverage[0])
	}
	i := slices.IndexFunc(inv.SecurityGroups, func(g inventory.SecurityGroup) bool { return g.ID == "sg-4" })
	want := []inventory.Evidence{{Kind: inventory.UsedByCrossVPCReference, ID: "vpc-peer", Detail: "rule in vpc-peer"}}
	if diff := gocmp.Diff(want, inv.SecurityGroups[i].UsedBy); diff != "" {
		t.Errorf("sg-4 used_by (-want +got):\n%s", diff)
	}
	// 4 ids → fails; [1 2] ok; [gone 4] fails; [gone] fails; [4] ok.
	if got := cloud.callsTo("eu-west-1", "DescribeSecurityGroupReferences"); len(got) != 5 {
		t.Errorf("%d reference calls, want 5: %+v", len(got), got)
	}
}

// missingGroup answers DescribeSecurityGroupReferences as EC2 does when one
// of the ids no longer exists.
type missingGroup struct {
	EC2API
	missing string
}

func (m missingGroup) DescribeSecurityGroupReferences(ctx context.Context, in *ec2.DescribeSecurityGroupReferencesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupReferencesOutput, error) {
	out, err := m.EC2API.DescribeSecurityGroupReferences(ctx, in, optFns...)
	if err == nil && slices.Contains(in.GroupId, m.missing) {
		return nil, apiError("InvalidGroup.NotFound")
	}
	return out, err
}

// TestLimiter: each (account, region) has one request budget, at the
// rate the options give with a burst of twice that, shared by every call
// made there; a negative rate means none.
func TestLimiter(t *testing.T) {
	tests := []struct {
		rate      float64
		wantLimit rate.Limit
		wantBurst int
	}{
		{rate: 20, wantLimit: 20, wantBurst: 40},
		{rate: 0.5, wantLimit: 0.5, wantBurst: 1},
		{rate: 0, wantLimit: DefaultRate, wantBurst: 2 * DefaultRate},
		{rate: -1, wantLimit: rate.Inf, wantBurst: 1},
	}
	for _, tt := range tests {
		c := newCollector(testConfig(), Options{Rate: tt.rate})
		l := c.limiter(testAccount, "eu-west-1")
		if l.Limit() != tt.wantLimit || l.Burst() != tt.wantBurst {
			t.Errorf("rate %v: limit %v burst %d, want %v and %d", tt.rate, l.Limit(), l.Burst(), tt.wantLimit, tt.wantBurst)
		}
		if c.limiter(testAccount, "eu-west-1") != l {
			t.Errorf("rate %v: two budgets for one pair", tt.rate)
		}
		if c.limiter(testAccount, "us-east-1") == l || c.limiter(memberAccount, "eu-west-1") == l {
			t.Errorf("rate %v: a budget shared with another pair", tt.rate)
		}
	}
}

// TestCollectRateBudget: every call of a pair waits for that pair's
// budget, and a pair whose budget is spent does not hold up another. With
// us-east-1's budget spent for the next hour, us-east-1 makes no call at
// all while eu-west-1 is read completely; the scan is then cancelled. No
// clock is read: the order of events alone decides.
func TestCollectRateBudget(t *testing.T) {
	cloud := &fakeCloud{regions: enabled("eu-west-1", "us-east-1"),
		data: map[string]*regionFake{"eu-west-1": threePages(), "us-east-1": threePages()}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var done []ProgressEvent
	c := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{Rate: 20, Progress: func(e ProgressEvent) {
		done = append(done, e)
		cancel() // the first pair done is all this test waits for
	}})
	now := time.Now()
	// Both of the pair's budgets: EC2's and Elastic Load Balancing's.
	for _, spent := range []*rate.Limiter{c.limiter(testAccount, "us-east-1"), c.limiter(testAccount, "us-east-1/elasticloadbalancing")} {
		for range 3600 { // an hour of 20 calls a second
			if !spent.ReserveN(now, 20).OK() {
				t.Fatal("cannot spend the budget")
			}
		}
	}
	if _, err := c.run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("run() error = %v, want context.Canceled", err)
	}
	// us-east-1 ends when the scan is cancelled, not before.
	if len(done) == 0 || done[0].Region != "eu-west-1" || done[0].Status != inventory.CoverageOK {
		t.Fatalf("pairs done = %+v, want eu-west-1 first, ok", done)
	}
	if got := cloud.countByOp("us-east-1"); len(got) != 0 {
		t.Errorf("us-east-1 made calls with its budget spent: %v", got)
	}
	// eu-west-1 made every call of a pair: nothing of it waited for
	// us-east-1's budget.
	if got := cloud.countByOp("eu-west-1"); got["DescribeSecurityGroups"] != 3 || got["DescribeStaleSecurityGroups"] != 3 {
		t.Errorf("eu-west-1 calls = %v, want every page", got)
	}
}

// TestCollectPairsConcurrently: pairs are read Concurrency at a time.
// Each pair's DescribeSecurityGroups waits at a barrier that opens only
// when Concurrency of them are in flight at once, so a collector reading
// fewer at a time never finishes (the test binary's timeout reports it);
// no pair gets past the barrier while more than Concurrency are in it.
func TestCollectPairsConcurrently(t *testing.T) {
	regions := []string{"ap-south-1", "eu-west-1", "eu-west-2", "us-east-1", "us-east-2", "us-west-2"}
	for _, concurrency := range []int{2, 3} {
		t.Run(strconv.Itoa(concurrency), func(t *testing.T) {
			t.Parallel()
			cloud := accountCloud(testAccount, regions...)
			b := &barrier{size: concurrency, open: make(chan struct{})}
			c := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{Concurrency: concurrency})
			c.newEC2 = func(cfg aws.Config, region string) EC2API {
				return barrierEC2{EC2API: cloud.client(cfg, region), b: b}
			}
			inv, err := c.run(context.Background())
			if err != nil || !inv.Complete() || len(inv.Coverage) != len(regions) {
				t.Fatalf("run: %v %+v", err, inv)
			}
			if b.most != concurrency {
				t.Errorf("at most %d pairs in flight, want %d", b.most, concurrency)
			}
		})
	}
}

// barrier holds callers until size of them are waiting at once, then lets
// everyone through; it records the most ever in it.
type barrier struct {
	size int
	open chan struct{}

	mu       sync.Mutex
	in, most int
}

func (b *barrier) wait(ctx context.Context) error {
	b.mu.Lock()
	b.in++
	b.most = max(b.most, b.in)
	if b.in == b.size {
		close(b.open)
	}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.in--
		b.mu.Unlock()
	}()
	select {
	case <-b.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type barrierEC2 struct {
	EC2API
	b *barrier
}

func (e barrierEC2) DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	if err := e.b.wait(ctx); err != nil {
		return nil, err
	}
	return e.EC2API.DescribeSecurityGroups(ctx, in, optFns...)
}

// TestReadOnlyAPI: the client interfaces are all the collector can call,
// and every method of them is a read-only AWS action.
func TestReadOnlyAPI(t *testing.T) {
	readOnly := regexp.MustCompile(`^(Describe|Get|List)[A-Za-z]+$|^AssumeRole$`)
	for _, iface := range []reflect.Type{
		reflect.TypeFor[EC2API](), reflect.TypeFor[AutoScalingAPI](), reflect.TypeFor[STSAPI](), reflect.TypeFor[OrganizationsAPI](),
		reflect.TypeFor[IAMAPI](),
	} {
		for i := range iface.NumMethod() {
			if m := iface.Method(i).Name; !readOnly.MatchString(m) {
				t.Errorf("%s.%s is not a read-only action", iface.Name(), m)
			}
		}
	}
}

func TestRetryPolicy(t *testing.T) {
	r := newRetryer(DefaultMaxAttempts)
	if got := r.MaxAttempts(); got != 10 {
		t.Errorf("MaxAttempts() = %d, want 10", got)
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"EC2 throttling", apiError("RequestLimitExceeded"), true},
		{"STS throttling", apiError("Throttling"), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"AWS server error", &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
			Err: &smithy.GenericAPIError{Code: "InternalError", Message: "try again"}}, true},
		// Retried like any 500, up to bareServerErrorAttempts (below).
		{"bare HTTP 500", noAWSCode(), true},
		{"bare HTTP 501", bareStatus(501), false},
		{"region without the API", apiError("InvalidAction"), false},
		{"access denied", apiError("UnauthorizedOperation"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.IsErrorRetryable(tt.err); got != tt.want {
				t.Errorf("IsErrorRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}

	// A bare server error gets bareServerErrorAttempts attempts, other
	// retryable errors every one.
	attempts := func(err error) int {
		for attempt := 1; attempt < r.MaxAttempts(); attempt++ {
			if _, err := r.RetryDelay(attempt, err); err != nil {
				return attempt
			}
		}
		return r.MaxAttempts()
	}
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"bare HTTP 500", noAWSCode(), bareServerErrorAttempts},
		{"HTTP 500 that the SDK named UnknownError", unknownError500(), bareServerErrorAttempts},
		{"AWS server error", apiError("InternalError"), DefaultMaxAttempts},
		{"EC2 throttling", apiError("RequestLimitExceeded"), DefaultMaxAttempts},
	} {
		if got := attempts(tt.err); got != tt.want {
			t.Errorf("%s: %d attempts, want %d", tt.name, got, tt.want)
		}
	}
	var me *retry.MaxAttemptsError
	if _, err := r.RetryDelay(bareServerErrorAttempts, noAWSCode()); !errors.As(err, &me) || httpStatus(err) != 500 {
		t.Errorf("RetryDelay after the last attempt = %v, want the server's answer as the SDK's MaxAttemptsError", err)
	}
}

// accountNames lists the inventory's accounts as "id=name".
func accountNames(inv *inventory.Inventory) []string {
	var out []string
	for _, a := range inv.Accounts {
		out = append(out, a.ID+"="+a.Name)
	}
	return out
}

// TestCollectMalformedAccountIDs: an account id is exactly 12 digits
// wherever it enters. From the user (Options.Accounts, ExcludeAccounts) it
// is ErrOptions before any call; from AWS (GetCallerIdentity, any page of
// ListAccounts, in any state) it is ErrMalformed, and the scan stops
// before the id is used anywhere: no AssumeRole into it, no EC2 call, no
// inventory whose coverage or file names could carry it.
func TestCollectMalformedAccountIDs(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		org       func(o *fakeOrg)
		callerARN string // "" = the organisation's STS
		wantIs    error
		wantErr   string
	}{
		{name: "--accounts: a path", opts: Options{Accounts: []string{"../../etc"}}, wantIs: ErrOptions,
			wantErr: `account id "../../etc" is not 12 digits`},
		{name: "--accounts: 13 digits", opts: Options{Accounts: []string{"1111111111111"}}, wantIs: ErrOptions, wantErr: "not 12 digits"},
		{name: "--accounts: non-ASCII digits", opts: Options{Accounts: []string{"١١١١١١١١١١١١"}}, wantIs: ErrOptions, wantErr: "not 12 digits"},
		{name: "--exclude-accounts: empty", opts: Options{ExcludeAccounts: []string{""}}, wantIs: ErrOptions, wantErr: `account id "" is not 12 digits`},
		{
			name: "Organizations: a path on the first page",
			opts: Options{Org: true},
			org: func(o *fakeOrg) {
				o.listPages[0] = append(o.listPages[0], orgAccount("../../etc", "evil", orgtypes.AccountStateActive))
			},
			wantIs:  ErrMalformed,
			wantErr: `list organization accounts: malformed answer from AWS: account #3 ("evil") has id "../../etc", which is not 12 digits`,
		},
		{
			name: "Organizations: a suspended account on the last page",
			opts: Options{Org: true},
			org: func(o *fakeOrg) {
				o.listPages[2] = append(o.listPages[2], orgAccount("12345678901/", "odd", orgtypes.AccountStateSuspended))
			},
			wantIs: ErrMalformed, wantErr: `has id "12345678901/"`,
		},
		{
			name:   "Organizations: an empty id",
			opts:   Options{Org: true},
			org:    func(o *fakeOrg) { o.listPages[1][0].Id = nil },
			wantIs: ErrMalformed, wantErr: `("workloads") has id ""`,
		},
		{name: "GetCallerIdentity: a path", callerARN: "arn:aws:iam::../../etc:user/auditor", wantIs: ErrMalformed,
			wantErr: `get caller identity: malformed answer from AWS: account id "../../etc" is not 12 digits`},
		{name: "GetCallerIdentity: a partition that is not one", callerARN: "arn:aws/..:iam::" + testAccount + ":user/auditor", wantIs: ErrMalformed,
			wantErr: `partition "aws/.." of caller ARN is not an AWS partition`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			org := testOrg()
			if tt.org != nil {
				tt.org(org)
			}
			c := newOrgCollector(org, tt.opts)
			if tt.callerARN != "" {
				c.newSTS = func(aws.Config) STSAPI { return fakeSTS{arn: tt.callerARN} }
			}
			inv, err := c.run(context.Background())
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("run() = %v, want an error wrapping %v containing %q", err, tt.wantIs, tt.wantErr)
			}
			if inv != nil {
				t.Errorf("run() returned an inventory with its error: %+v", inv)
			}
			if len(org.assumeCalls) > 0 {
				t.Errorf("AssumeRole called: %+v", org.assumeCalls)
			}
			// The caller's DescribeRegions may overlap with ListAccounts;
			// nothing else may start.
			for id, cloud := range org.accounts {
				ops := cloud.ops()
				delete(ops, "DescribeRegions")
				if len(ops) > 0 {
					t.Errorf("account %s got EC2 calls: %v", id, ops)
				}
			}
		})
	}
}

// TestCollectListAccountsPageFailure: a failure on any page of
// ListAccounts fails the scan; the accounts of the pages read before are
// not scanned as if they were the whole organisation.
func TestCollectListAccountsPageFailure(t *testing.T) {
	for _, page := range []int{1, 2, 3} {
		t.Run("page "+strconv.Itoa(page), func(t *testing.T) {
			t.Parallel()
			org := testOrg()
			org.listPageErrs = map[int]error{page: apiError("ServiceException")}
			inv, err := newOrgCollector(org, Options{Org: true}).run(context.Background())
			if err == nil || !strings.Contains(err.Error(), "list organization accounts") || !strings.Contains(err.Error(), "ServiceException") {
				t.Fatalf("run() = %v, %v; want a list organization accounts error", inv, err)
			}
			if got := len(org.listCalls); got != page {
				t.Errorf("%d ListAccounts calls, want %d (up to the failing page)", got, page)
			}
			if len(org.assumeCalls) > 0 {
				t.Errorf("AssumeRole called: %+v", org.assumeCalls)
			}
		})
	}
}

// TestCollectMalformedRegionNames: a region name from DescribeRegions that
// is not one never becomes a coverage row or an ARN part. The caller's
// alone ends the scan; a member's makes that member an error in the
// regions it would have had, and the others are read.
func TestCollectMalformedRegionNames(t *testing.T) {
	bad := types.Region{RegionName: aws.String("../../etc"), OptInStatus: aws.String("opt-in-not-required")}

	t.Run("the caller alone", func(t *testing.T) {
		t.Parallel()
		org := testOrg()
		org.accounts[mgmtAccount].regions = append(org.accounts[mgmtAccount].regions, bad)
		_, err := newOrgCollector(org, Options{}).run(context.Background())
		if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), `region name "../../etc"`) {
			t.Fatalf("run() = %v, want ErrMalformed naming the region", err)
		}
		if ops := org.accounts[mgmtAccount].ops(); len(ops) != 1 || ops["DescribeRegions"] != 1 {
			t.Errorf("calls after the malformed answer: %v", ops)
		}
	})

	t.Run("a member", func(t *testing.T) {
		t.Parallel()
		org := testOrg()
		org.accounts[memberAccount].regions = append(org.accounts[memberAccount].regions, bad)
		inv, err := newOrgCollector(org, Options{Accounts: []string{mgmtAccount, memberAccount}}).run(context.Background())
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		var rows []string
		for _, c := range inv.Coverage {
			rows = append(rows, c.AccountID+" "+c.Region+" "+string(c.Status)+" "+c.FailedAPI)
		}
		want := []string{
			mgmtAccount + " eu-west-1 ok ", mgmtAccount + " us-east-1 ok ",
			// The caller's regions stand for the member's.
			memberAccount + " eu-west-1 error DescribeRegions", memberAccount + " us-east-1 error DescribeRegions",
		}
		if diff := gocmp.Diff(want, rows); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		if ops := org.accounts[memberAccount].ops(); len(ops) != 1 || ops["DescribeRegions"] != 1 {
			t.Errorf("member calls after the malformed answer: %v", ops)
		}
	})
}
