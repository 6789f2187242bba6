package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// This file holds small fakes of the AWS clients: canned pages per region,
// every call recorded. fakeCloud is one account; fakeOrg is an
// organisation of them reached through a fake STS.

const testAccount = "111122223333"

// regionFake is the data and faults of one region of one account.
type regionFake struct {
	sgPages    [][]types.SecurityGroup
	rulePages  [][]types.SecurityGroupRule
	eniPages   [][]types.NetworkInterface
	ltPages    [][]types.LaunchTemplateVersion
	lcPages    [][]astypes.LaunchConfiguration
	plPages    [][]types.ManagedPrefixList
	entryPages map[string][][]types.PrefixListEntry    // prefix list id → pages
	stalePages map[string][][]types.StaleSecurityGroup // VPC id → pages
	// refs are served filtered by the group ids asked for.
	refs []types.SecurityGroupReference
	// errs maps an operation name to the error every call of it returns.
	errs map[string]error
	// pageErrs fails one page of an operation: operation name → page
	// number (1 is the first) → the error that page returns, for every
	// prefix list or VPC of the per-id operations.
	pageErrs map[string]map[int]error
	// net is the region's network and load balancers (network_fake_test.go).
	net networkFake
}

// failPage makes page n (1 is the first) of op fail with err.
func (d *regionFake) failPage(op string, n int, err error) *regionFake {
	if d.pageErrs == nil {
		d.pageErrs = map[string]map[int]error{}
	}
	if d.pageErrs[op] == nil {
		d.pageErrs[op] = map[int]error{}
	}
	d.pageErrs[op][n] = err
	return d
}

// pageNumber is the 1-based number of the page a fake token asks for.
func pageNumber(token string) int {
	if token == "" {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(token, "page-"))
	if err != nil {
		return -1
	}
	return n + 1
}

// call is one recorded request. Arg is the one id a call is about: the
// VPC of DescribeStaleSecurityGroups, the prefix list of
// GetManagedPrefixListEntries, the number of group ids of
// DescribeSecurityGroupReferences.
type call struct {
	Region, Op string
	MaxResults int32
	NextToken  string
	Arg        string
}

// fakeCloud serves canned pages per region of one account and records
// every call.
type fakeCloud struct {
	regions    []types.Region
	regionsErr error
	data       map[string]*regionFake
	// latency is added to every call, as a real endpoint's round trip.
	latency time.Duration
	// alias is the account's IAM alias ("" none); aliasErr fails
	// ListAccountAliases.
	alias    string
	aliasErr error

	mu    sync.Mutex
	calls []call
	// aliasCalls counts ListAccountAliases calls, kept apart from calls,
	// which are per region.
	aliasCalls int
}

// fakeIAM is one account's IAM client.
type fakeIAM struct {
	cloud *fakeCloud
	creds aws.CredentialsProvider
}

func (f *fakeCloud) iamClient(aws.Config) IAMAPI { return fakeIAM{cloud: f} }

func (i fakeIAM) ListAccountAliases(ctx context.Context, _ *iam.ListAccountAliasesInput, _ ...func(*iam.Options)) (*iam.ListAccountAliasesOutput, error) {
	f := i.cloud
	f.mu.Lock()
	f.aliasCalls++
	f.mu.Unlock()
	if i.creds != nil {
		if _, err := i.creds.Retrieve(ctx); err != nil {
			return nil, err
		}
	}
	if f.aliasErr != nil {
		return nil, f.aliasErr
	}
	out := &iam.ListAccountAliasesOutput{AccountAliases: []string{}}
	if f.alias != "" {
		out.AccountAliases = append(out.AccountAliases, f.alias)
	}
	return out, nil
}

func (f *fakeCloud) client(_ aws.Config, region string) EC2API {
	return &fakeEC2{cloud: f, region: region}
}

func (f *fakeCloud) asgClient(_ aws.Config, region string) AutoScalingAPI {
	return &fakeEC2{cloud: f, region: region}
}

func (f *fakeCloud) record(c call) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

// callsTo returns the recorded calls of one operation in one region.
func (f *fakeCloud) callsTo(region, op string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.Region == region && c.Op == op {
			out = append(out, c)
		}
	}
	return out
}

// countByOp counts the recorded calls of one region per operation.
func (f *fakeCloud) countByOp(region string) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		if c.Region == region {
			out[c.Op]++
		}
	}
	return out
}

// ops counts the recorded calls of every region per operation.
func (f *fakeCloud) ops() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		out[c.Op]++
	}
	return out
}

// fakeEC2 is one region's client; it serves EC2 and Auto Scaling alike.
type fakeEC2 struct {
	cloud  *fakeCloud
	region string
	// creds, when set, are retrieved on every call as the SDK's signer
	// does, and a call made with expired credentials fails.
	creds aws.CredentialsProvider
	org   *fakeOrg
}

// page serves pages[i] for token "page-i" (nil token: page 0) and the token
// of the next page.
func page[T any](pages [][]T, token *string) ([]T, *string, error) {
	i := 0
	if token != nil {
		n, err := strconv.Atoi(strings.TrimPrefix(*token, "page-"))
		if err != nil || n >= len(pages) {
			return nil, nil, fmt.Errorf("bad token %q", *token)
		}
		i = n
	}
	if len(pages) == 0 {
		return nil, nil, nil
	}
	var next *string
	if i+1 < len(pages) {
		next = aws.String("page-" + strconv.Itoa(i+1))
	}
	return pages[i], next, nil
}

func (e *fakeEC2) begin(ctx context.Context, c call) (*regionFake, error) {
	c.Region = e.region
	e.cloud.record(c)
	if e.creds != nil {
		creds, err := e.creds.Retrieve(ctx)
		if err != nil {
			return nil, err
		}
		if creds.CanExpire && time.Now().After(creds.Expires) {
			return nil, fmt.Errorf("fake: %s called with credentials %s expired at %v", c.Op, creds.AccessKeyID, creds.Expires)
		}
		e.org.useKey(creds.AccessKeyID)
	}
	if err := sleep(ctx, e.cloud.latency); err != nil {
		return nil, err
	}
	d := e.cloud.data[e.region]
	if d == nil {
		return nil, fmt.Errorf("fake: no data for region %s", e.region)
	}
	if err := d.errs[c.Op]; err != nil {
		return d, err
	}
	return d, d.pageErrs[c.Op][pageNumber(c.NextToken)]
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *fakeEC2) DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	e.cloud.record(call{Region: e.region, Op: "DescribeRegions"})
	if err := sleep(ctx, e.cloud.latency); err != nil {
		return nil, err
	}
	if !aws.ToBool(in.AllRegions) {
		return nil, errors.New("fake: want AllRegions")
	}
	return &ec2.DescribeRegionsOutput{Regions: e.cloud.regions}, e.cloud.regionsErr
}

func (e *fakeEC2) DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeSecurityGroups", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.sgPages, in.NextToken)
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeSecurityGroupRules(ctx context.Context, in *ec2.DescribeSecurityGroupRulesInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeSecurityGroupRules", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.rulePages, in.NextToken)
	return &ec2.DescribeSecurityGroupRulesOutput{SecurityGroupRules: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeNetworkInterfaces(ctx context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeNetworkInterfaces", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	if !aws.ToBool(in.IncludeManagedResources) {
		return nil, errors.New("fake: want IncludeManagedResources")
	}
	items, next, err := page(d.eniPages, in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeLaunchTemplateVersions(ctx context.Context, in *ec2.DescribeLaunchTemplateVersionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeLaunchTemplateVersionsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeLaunchTemplateVersions", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	// Describing every template needs exactly these keywords and no id.
	if in.LaunchTemplateId != nil || in.LaunchTemplateName != nil || !slices.Equal(in.Versions, []string{"$Default", "$Latest"}) {
		return nil, fmt.Errorf("fake: want all templates' $Default and $Latest, got %+v", in)
	}
	items, next, err := page(d.ltPages, in.NextToken)
	return &ec2.DescribeLaunchTemplateVersionsOutput{LaunchTemplateVersions: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeManagedPrefixLists(ctx context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeManagedPrefixLists", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.plPages, in.NextToken)
	return &ec2.DescribeManagedPrefixListsOutput{PrefixLists: items, NextToken: next}, err
}

func (e *fakeEC2) GetManagedPrefixListEntries(ctx context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	id := aws.ToString(in.PrefixListId)
	d, err := e.begin(ctx, call{Op: "GetManagedPrefixListEntries", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken), Arg: id})
	if err != nil {
		return nil, err
	}
	pages, ok := d.entryPages[id]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidPrefixListID.NotFound", Message: "no list " + id}
	}
	items, next, err := page(pages, in.NextToken)
	return &ec2.GetManagedPrefixListEntriesOutput{Entries: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeStaleSecurityGroups(ctx context.Context, in *ec2.DescribeStaleSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeStaleSecurityGroupsOutput, error) {
	vpc := aws.ToString(in.VpcId)
	d, err := e.begin(ctx, call{Op: "DescribeStaleSecurityGroups", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken), Arg: vpc})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.stalePages[vpc], in.NextToken)
	return &ec2.DescribeStaleSecurityGroupsOutput{StaleSecurityGroupSet: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeSecurityGroupReferences(ctx context.Context, in *ec2.DescribeSecurityGroupReferencesInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupReferencesOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeSecurityGroupReferences", Arg: strconv.Itoa(len(in.GroupId))})
	if err != nil {
		return nil, err
	}
	if len(in.GroupId) == 0 || len(in.GroupId) > referencesChunk {
		return nil, fmt.Errorf("fake: %d group ids", len(in.GroupId))
	}
	var out []types.SecurityGroupReference
	for _, r := range d.refs {
		if slices.Contains(in.GroupId, aws.ToString(r.GroupId)) {
			out = append(out, r)
		}
	}
	return &ec2.DescribeSecurityGroupReferencesOutput{SecurityGroupReferenceSet: out}, nil
}

func (e *fakeEC2) DescribeLaunchConfigurations(ctx context.Context, in *autoscaling.DescribeLaunchConfigurationsInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeLaunchConfigurationsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeLaunchConfigurations", MaxResults: aws.ToInt32(in.MaxRecords), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.lcPages, in.NextToken)
	return &autoscaling.DescribeLaunchConfigurationsOutput{LaunchConfigurations: items, NextToken: next}, err
}

// fakeSTS answers GetCallerIdentity for one caller; it cannot assume roles.
type fakeSTS struct {
	arn string
	err error
}

func (s fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	parts := strings.Split(s.arn, ":")
	return &sts.GetCallerIdentityOutput{Arn: aws.String(s.arn), Account: aws.String(parts[4])}, nil
}

func (s fakeSTS) AssumeRole(context.Context, *sts.AssumeRoleInput, ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return nil, errors.New("fake: AssumeRole not expected")
}

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// testConfig is the caller's config: static keys mean the caller's account.
func testConfig() aws.Config {
	return aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
}

// testOptions fixes the time and, unless a test sets one, lifts the rate
// budget: most tests are about what is called, not how fast.
func testOptions(opts Options) Options {
	opts.Now = func() time.Time { return fixedNow }
	if opts.Rate == 0 {
		opts.Rate = -1
	}
	return opts
}

// newTestCollector wires a collector to the fakes of one account.
func newTestCollector(cloud *fakeCloud, st fakeSTS, opts Options) *collector {
	opts = testOptions(opts)
	c := newCollector(testConfig(), opts)
	c.newEC2 = cloud.client
	c.newASG = cloud.asgClient
	c.newELBv2 = cloud.elbv2Client
	c.newELB = cloud.elbClient
	c.newSTS = func(aws.Config) STSAPI { return st }
	c.newOrg = func(aws.Config) OrganizationsAPI { panic("fake: Organizations not expected") }
	c.newIAM = cloud.iamClient
	// The EC2 fakes know no other service; usedby_test.go gives the
	// proof-of-use kinds fakes of their own.
	c.useKinds = nil
	return c
}

var callerARN = "arn:aws:iam::" + testAccount + ":user/auditor"

func sg(id string) types.SecurityGroup {
	return types.SecurityGroup{
		GroupId: aws.String(id), GroupName: aws.String(id), OwnerId: aws.String(testAccount), VpcId: aws.String("vpc-1"),
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}
}

func sgRule(id, group string) types.SecurityGroupRule {
	return types.SecurityGroupRule{SecurityGroupRuleId: aws.String(id), GroupId: aws.String(group), IsEgress: aws.Bool(false),
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIpv4: aws.String("0.0.0.0/0")}
}

func eni(id, group string) types.NetworkInterface {
	return types.NetworkInterface{NetworkInterfaceId: aws.String(id), OwnerId: aws.String(testAccount), VpcId: aws.String("vpc-1"),
		InterfaceType: types.NetworkInterfaceTypeInterface, Groups: []types.GroupIdentifier{{GroupId: aws.String(group)}}}
}

// simpleRegion has one group with one rule and one interface, and no
// launch templates, configurations, prefix lists or references.
func simpleRegion(suffix string) *regionFake {
	return &regionFake{
		sgPages:   [][]types.SecurityGroup{{sg("sg-" + suffix)}},
		rulePages: [][]types.SecurityGroupRule{{sgRule("sgr-"+suffix, "sg-"+suffix)}},
		eniPages:  [][]types.NetworkInterface{{eni("eni-"+suffix, "sg-"+suffix)}},
	}
}

func enabled(names ...string) []types.Region {
	var out []types.Region
	for _, n := range names {
		out = append(out, types.Region{RegionName: aws.String(n), OptInStatus: aws.String("opt-in-not-required")})
	}
	return out
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "message for " + code}
}

// fakeOrg is an organisation of fake accounts. The caller's config has
// static keys; every other account is reached with keys that the fake
// STS hands out for its role, and its clients tell the account by them.
type fakeOrg struct {
	caller   string
	accounts map[string]*fakeCloud
	// listPages are ListAccounts' pages.
	listPages [][]orgtypes.Account
	listErr   error
	// listPageErrs fails one page of ListAccounts: page number (1 is the
	// first) → error.
	listPageErrs map[int]error
	// denied accounts refuse AssumeRole.
	denied map[string]bool
	// ttl is how long the credentials the fake STS hands out last.
	ttl     time.Duration
	latency time.Duration

	mu          sync.Mutex
	assumeCalls []sts.AssumeRoleInput
	listCalls   []call
	issued      int
	keysUsed    map[string]int
}

func (o *fakeOrg) useKey(k string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.keysUsed == nil {
		o.keysUsed = map[string]int{}
	}
	o.keysUsed[k]++
}

// accountOf tells the account of a config by its access key.
func (o *fakeOrg) accountOf(cfg aws.Config) (string, aws.CredentialsProvider) {
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil {
		panic(err)
	}
	if creds.AccessKeyID == "AKID" {
		return o.caller, nil
	}
	return strings.Split(creds.AccessKeyID, ":")[1], cfg.Credentials
}

func (o *fakeOrg) client(cfg aws.Config, region string) EC2API {
	acct, creds := o.accountOf(cfg)
	return &fakeEC2{cloud: o.accounts[acct], region: region, creds: creds, org: o}
}

func (o *fakeOrg) iamClient(cfg aws.Config) IAMAPI {
	acct, creds := o.accountOf(cfg)
	return fakeIAM{cloud: o.accounts[acct], creds: creds}
}

func (o *fakeOrg) asgClient(cfg aws.Config, region string) AutoScalingAPI {
	acct, creds := o.accountOf(cfg)
	return &fakeEC2{cloud: o.accounts[acct], region: region, creds: creds, org: o}
}

// orgSTS is the organisation's STS.
type orgSTS struct{ org *fakeOrg }

func (s orgSTS) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if err := sleep(ctx, s.org.latency); err != nil {
		return nil, err
	}
	return &sts.GetCallerIdentityOutput{Arn: aws.String("arn:aws:iam::" + s.org.caller + ":user/auditor"), Account: aws.String(s.org.caller)}, nil
}

func (s orgSTS) AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	o := s.org
	o.mu.Lock()
	o.assumeCalls = append(o.assumeCalls, *in)
	o.issued++
	n := o.issued
	o.mu.Unlock()
	if err := sleep(ctx, o.latency); err != nil {
		return nil, err
	}
	acct := strings.Split(aws.ToString(in.RoleArn), ":")[4]
	if o.denied[acct] || o.accounts[acct] == nil {
		return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "not authorized to perform sts:AssumeRole on " + aws.ToString(in.RoleArn)}
	}
	ttl := o.ttl
	if ttl == 0 {
		ttl = time.Hour
	}
	return &sts.AssumeRoleOutput{Credentials: &ststypes.Credentials{
		AccessKeyId:     aws.String("ASIA:" + acct + ":" + strconv.Itoa(n)),
		SecretAccessKey: aws.String("secret"),
		SessionToken:    aws.String("token"),
		Expiration:      aws.Time(time.Now().Add(ttl)),
	}}, nil
}

func (o *fakeOrg) ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	o.mu.Lock()
	o.listCalls = append(o.listCalls, call{Op: "ListAccounts", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	o.mu.Unlock()
	if err := sleep(ctx, o.latency); err != nil {
		return nil, err
	}
	if o.listErr != nil {
		return nil, o.listErr
	}
	if err := o.listPageErrs[pageNumber(aws.ToString(in.NextToken))]; err != nil {
		return nil, err
	}
	items, next, err := page(o.listPages, in.NextToken)
	return &organizations.ListAccountsOutput{Accounts: items, NextToken: next}, err
}

// newOrgCollector wires a collector to a fake organisation.
func newOrgCollector(o *fakeOrg, opts Options) *collector {
	opts = testOptions(opts)
	c := newCollector(testConfig(), opts)
	c.newEC2 = o.client
	c.newASG = o.asgClient
	c.newELBv2 = o.elbv2Client
	c.newELB = o.elbClient
	c.newSTS = func(aws.Config) STSAPI { return orgSTS{org: o} }
	c.newOrg = func(aws.Config) OrganizationsAPI { return o }
	c.newIAM = o.iamClient
	c.useKinds = nil
	return c
}

func orgAccount(id, name string, state orgtypes.AccountState) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: state}
}
