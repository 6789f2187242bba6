package collect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const testAccount = "111122223333"

// regionFake is the EC2 data and faults of one region.
type regionFake struct {
	sgPages   [][]types.SecurityGroup
	rulePages [][]types.SecurityGroupRule
	eniPages  [][]types.NetworkInterface
	// errs maps an operation name to the error it returns.
	errs map[string]error
}

// call is one recorded request.
type call struct {
	Region, Op string
	MaxResults int32
	NextToken  string
}

// fakeCloud serves canned pages per region and records every call.
type fakeCloud struct {
	regions    []types.Region
	regionsErr error
	data       map[string]*regionFake

	mu    sync.Mutex
	calls []call
}

func (f *fakeCloud) client(_ aws.Config, region string) EC2API {
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

type fakeEC2 struct {
	cloud  *fakeCloud
	region string
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

func (e *fakeEC2) begin(op string, maxResults *int32, token *string) (*regionFake, error) {
	e.cloud.record(call{Region: e.region, Op: op, MaxResults: aws.ToInt32(maxResults), NextToken: aws.ToString(token)})
	d := e.cloud.data[e.region]
	if d == nil {
		return nil, fmt.Errorf("fake: no data for region %s", e.region)
	}
	return d, d.errs[op]
}

func (e *fakeEC2) DescribeRegions(_ context.Context, in *ec2.DescribeRegionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error) {
	e.cloud.record(call{Region: e.region, Op: "DescribeRegions"})
	if !aws.ToBool(in.AllRegions) {
		return nil, errors.New("fake: want AllRegions")
	}
	return &ec2.DescribeRegionsOutput{Regions: e.cloud.regions}, e.cloud.regionsErr
}

func (e *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	d, err := e.begin("DescribeSecurityGroups", in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.sgPages, in.NextToken)
	return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeSecurityGroupRules(_ context.Context, in *ec2.DescribeSecurityGroupRulesInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupRulesOutput, error) {
	d, err := e.begin("DescribeSecurityGroupRules", in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.rulePages, in.NextToken)
	return &ec2.DescribeSecurityGroupRulesOutput{SecurityGroupRules: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	d, err := e.begin("DescribeNetworkInterfaces", in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if !aws.ToBool(in.IncludeManagedResources) {
		return nil, errors.New("fake: want IncludeManagedResources")
	}
	items, next, err := page(d.eniPages, in.NextToken)
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: items, NextToken: next}, err
}

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

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newTestCollector wires a collector to fakes.
func newTestCollector(cloud *fakeCloud, st fakeSTS, opts Options) *collector {
	opts.Now = func() time.Time { return fixedNow }
	cfg := aws.Config{Region: "eu-west-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}
	c := newCollector(cfg, opts)
	c.newEC2 = cloud.client
	c.newSTS = func(aws.Config) STSAPI { return st }
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

// simpleRegion has one group with one rule and one interface.
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

func TestCollectPaginates(t *testing.T) {
	// Three pages of each kind; the rules of page 3 belong to groups of
	// page 1, so ids are only right if every page was read.
	d := &regionFake{
		sgPages:   [][]types.SecurityGroup{{sg("sg-1"), sg("sg-2")}, {sg("sg-3")}, {sg("sg-4"), sg("sg-5")}},
		rulePages: [][]types.SecurityGroupRule{{sgRule("sgr-5", "sg-5")}, {sgRule("sgr-3", "sg-3"), sgRule("sgr-4", "sg-4")}, {sgRule("sgr-1", "sg-1"), sgRule("sgr-2", "sg-2")}},
		eniPages:  [][]types.NetworkInterface{{eni("eni-1", "sg-1")}, {eni("eni-2", "sg-2")}, {eni("eni-3", "sg-3")}},
	}
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	type groupFacts struct {
		ID      string
		RuleIDs []string
		ENIs    []string
	}
	var got []groupFacts
	for _, g := range inv.SecurityGroups {
		f := groupFacts{ID: g.ID}
		for _, r := range g.Rules {
			f.RuleIDs = append(f.RuleIDs, r.ID)
		}
		for _, a := range g.Attachments {
			f.ENIs = append(f.ENIs, a.NetworkInterfaceID)
		}
		got = append(got, f)
	}
	want := []groupFacts{
		{ID: "sg-1", RuleIDs: []string{"sgr-1"}, ENIs: []string{"eni-1"}},
		{ID: "sg-2", RuleIDs: []string{"sgr-2"}, ENIs: []string{"eni-2"}},
		{ID: "sg-3", RuleIDs: []string{"sgr-3"}, ENIs: []string{"eni-3"}},
		{ID: "sg-4", RuleIDs: []string{"sgr-4"}},
		{ID: "sg-5", RuleIDs: []string{"sgr-5"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if n := len(inv.NetworkInterfaces); n != 3 {
		t.Errorf("network interfaces = %d, want 3", n)
	}

	for _, op := range []string{"DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeNetworkInterfaces"} {
		wantCalls := []call{
			{Region: "eu-west-1", Op: op, MaxResults: 1000},
			{Region: "eu-west-1", Op: op, MaxResults: 1000, NextToken: "page-1"},
			{Region: "eu-west-1", Op: op, MaxResults: 1000, NextToken: "page-2"},
		}
		if diff := cmp.Diff(wantCalls, cloud.callsTo("eu-west-1", op)); diff != "" {
			t.Errorf("%s calls (-want +got):\n%s", op, diff)
		}
	}
}

func apiError(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "message for " + code}
}

func TestCollectRegionFailuresAreCoverage(t *testing.T) {
	withErr := func(op, code string) *regionFake {
		d := simpleRegion("x")
		d.errs = map[string]error{op: apiError(code)}
		return d
	}
	cloud := &fakeCloud{
		regions: enabled("eu-west-1", "eu-west-2", "eu-west-3", "us-east-1", "us-east-2", "us-west-1", "us-west-2"),
		data: map[string]*regionFake{
			"eu-west-1": simpleRegion("ok"),
			"eu-west-2": withErr("DescribeSecurityGroups", "UnauthorizedOperation"),
			"eu-west-3": withErr("DescribeSecurityGroups", "OptInRequired"),
			"us-east-1": withErr("DescribeSecurityGroups", "RequestLimitExceeded"),
			"us-east-2": withErr("DescribeNetworkInterfaces", "AccessDeniedException"),
			"us-west-1": withErr("DescribeSecurityGroupRules", "UnauthorizedOperation"),
			"us-west-2": {errs: map[string]error{
				"DescribeSecurityGroups": errors.New("dial tcp: i/o timeout"),
			}},
		},
	}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	all := []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroupRules, inventory.KindSecurityGroups}
	want := []inventory.Coverage{
		{AccountID: testAccount, Region: "eu-west-1", Status: inventory.CoverageOK, Collected: all, SecurityGroups: 1},
		{AccountID: testAccount, Region: "eu-west-2", Status: inventory.CoverageDenied, Collected: []string{},
			FailedAPI: "DescribeSecurityGroups", ErrorCode: "UnauthorizedOperation",
			Detail: "DescribeSecurityGroups: UnauthorizedOperation: message for UnauthorizedOperation"},
		{AccountID: testAccount, Region: "eu-west-3", Status: inventory.CoverageSkipped, Collected: []string{},
			FailedAPI: "DescribeSecurityGroups", ErrorCode: "OptInRequired",
			Detail: "DescribeSecurityGroups: OptInRequired: message for OptInRequired"},
		{AccountID: testAccount, Region: "us-east-1", Status: inventory.CoverageError, Collected: []string{},
			FailedAPI: "DescribeSecurityGroups", ErrorCode: "RequestLimitExceeded",
			Detail: "DescribeSecurityGroups: RequestLimitExceeded: message for RequestLimitExceeded"},
		// Interfaces denied: the groups stay, but network_interfaces is not
		// collected, so checks needing it are not judged there.
		{AccountID: testAccount, Region: "us-east-2", Status: inventory.CoverageDenied,
			Collected: []string{inventory.KindSecurityGroupRules, inventory.KindSecurityGroups},
			FailedAPI: "DescribeNetworkInterfaces", ErrorCode: "AccessDeniedException", SecurityGroups: 1,
			Detail: "DescribeNetworkInterfaces: AccessDeniedException: message for AccessDeniedException"},
		{AccountID: testAccount, Region: "us-west-1", Status: inventory.CoverageDenied,
			Collected: []string{inventory.KindNetworkInterfaces, inventory.KindSecurityGroups},
			FailedAPI: "DescribeSecurityGroupRules", ErrorCode: "UnauthorizedOperation", SecurityGroups: 1,
			Detail: "DescribeSecurityGroupRules: UnauthorizedOperation: message for UnauthorizedOperation"},
		{AccountID: testAccount, Region: "us-west-2", Status: inventory.CoverageError, Collected: []string{},
			FailedAPI: "DescribeSecurityGroups", Detail: "DescribeSecurityGroups: dial tcp: i/o timeout"},
	}
	if diff := cmp.Diff(want, inv.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}

	// Groups of a region whose interfaces failed are kept, without
	// interface evidence; groups of a region whose rules failed keep rules
	// without ids.
	type groupFacts struct {
		Region, ID, RuleID string
		UsedBy             int
	}
	var got []groupFacts
	for _, g := range inv.SecurityGroups {
		got = append(got, groupFacts{g.Region, g.ID, g.Rules[0].ID, len(g.UsedBy)})
	}
	wantGroups := []groupFacts{
		{"eu-west-1", "sg-ok", "sgr-ok", 1},
		{"us-east-2", "sg-x", "sgr-x", 0},
		{"us-west-1", "sg-x", "", 1},
	}
	if diff := cmp.Diff(wantGroups, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if inv.Complete() {
		t.Error("inventory with failed regions reports Complete() = true")
	}
}

func TestCollectRegionSelection(t *testing.T) {
	regions := []types.Region{
		{RegionName: aws.String("eu-west-1"), OptInStatus: aws.String("opt-in-not-required")},
		{RegionName: aws.String("eu-south-2"), OptInStatus: aws.String("not-opted-in")},
		{RegionName: aws.String("me-south-1"), OptInStatus: aws.String("opted-in")},
		{RegionName: aws.String("us-east-1")}, // moto leaves some statuses empty
		{RegionName: aws.String("us-gov-west-1"), OptInStatus: aws.String("opt-in-not-required")},
		{RegionName: aws.String("cn-north-1"), OptInStatus: aws.String("opt-in-not-required")},
	}
	skipped := func(region, detail string) inventory.Coverage {
		return inventory.Coverage{AccountID: testAccount, Region: region, Status: inventory.CoverageSkipped, Collected: []string{}, Detail: detail}
	}
	tests := []struct {
		name        string
		arn         string
		opts        Options
		regionsErr  error
		wantScanned []string
		wantSkipped []inventory.Coverage
	}{
		{
			name:        "all enabled regions of the aws partition",
			wantScanned: []string{"eu-west-1", "me-south-1", "us-east-1"},
		},
		{
			name:        "excluded regions are not scanned nor listed",
			opts:        Options{ExcludeRegions: []string{"us-east-1"}},
			wantScanned: []string{"eu-west-1", "me-south-1"},
		},
		{
			name: "explicit regions; not enabled, wrong partition and unknown are skipped",
			opts: Options{Regions: []string{"us-east-1", "eu-south-2", "us-gov-west-1", "eu-wset-1", "us-east-1", "me-south-1"},
				ExcludeRegions: []string{"me-south-1"}},
			wantScanned: []string{"us-east-1"},
			wantSkipped: []inventory.Coverage{
				skipped("eu-south-2", "region is not enabled for the account (opt-in status not-opted-in)"),
				skipped("eu-wset-1", "region is unknown to DescribeRegions"),
				skipped("us-gov-west-1", "region is not in partition aws"),
			},
		},
		{
			name:        "GovCloud caller sees only GovCloud regions",
			arn:         "arn:aws-us-gov:iam::" + testAccount + ":user/auditor",
			wantScanned: []string{"us-gov-west-1"},
		},
		{
			name:        "China caller sees only China regions",
			arn:         "arn:aws-cn:iam::" + testAccount + ":user/auditor",
			wantScanned: []string{"cn-north-1"},
		},
		{
			name:        "DescribeRegions denied: the config's region",
			regionsErr:  apiError("UnauthorizedOperation"),
			wantScanned: []string{"eu-west-1"},
		},
		{
			name:        "DescribeRegions denied: the regions given, unchecked",
			regionsErr:  apiError("UnauthorizedOperation"),
			opts:        Options{Regions: []string{"us-east-1", "eu-south-2"}},
			wantScanned: []string{"eu-south-2", "us-east-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := map[string]*regionFake{}
			for _, r := range regions {
				data[*r.RegionName] = simpleRegion(*r.RegionName)
			}
			cloud := &fakeCloud{regions: regions, regionsErr: tt.regionsErr, data: data}
			arn := tt.arn
			if arn == "" {
				arn = callerARN
			}
			inv, err := newTestCollector(cloud, fakeSTS{arn: arn}, tt.opts).run(context.Background())
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			var scanned []string
			var skippedRows []inventory.Coverage
			for _, c := range inv.Coverage {
				if c.Status == inventory.CoverageSkipped {
					skippedRows = append(skippedRows, c)
					continue
				}
				scanned = append(scanned, c.Region)
				if len(cloud.callsTo(c.Region, "DescribeSecurityGroups")) != 1 {
					t.Errorf("region %s in coverage but not read", c.Region)
				}
			}
			if diff := cmp.Diff(tt.wantScanned, scanned); diff != "" {
				t.Errorf("scanned regions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSkipped, skippedRows); diff != "" {
				t.Errorf("skipped rows (-want +got):\n%s", diff)
			}
			// Every group's ARN is in the caller's partition.
			partition := strings.Split(arn, ":")[1]
			for _, g := range inv.SecurityGroups {
				if !strings.HasPrefix(g.ARN, "arn:"+partition+":ec2:"+g.Region+":") {
					t.Errorf("group ARN %q not in partition %s", g.ARN, partition)
				}
			}
			if diff := cmp.Diff([]inventory.Account{{ID: testAccount, Partition: partition}}, inv.Accounts); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCollectDescribeRegionsFailure(t *testing.T) {
	cloud := &fakeCloud{regionsErr: apiError("InternalError"), data: map[string]*regionFake{}}
	_, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "describe regions for account "+testAccount) {
		t.Fatalf("run() error = %v, want a describe regions error", err)
	}
	if errors.Is(err, ErrCredentials) {
		t.Errorf("a service error is reported as a credentials error: %v", err)
	}
}

type failingProvider struct{ err error }

func (p failingProvider) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, p.err
}

func TestCollectCredentials(t *testing.T) {
	tests := []struct {
		name      string
		creds     aws.CredentialsProvider
		stsErr    error
		wantCreds bool
		wantHint  string
	}{
		{name: "no provider", wantCreds: true, wantHint: "set AWS_PROFILE or pass --profile"},
		{name: "provider chain finds nothing", creds: failingProvider{errors.New("failed to refresh cached credentials, no EC2 IMDS role found")},
			wantCreds: true, wantHint: "aws sso login"},
		{name: "invalid key", stsErr: apiError("InvalidClientTokenId"), wantCreds: true, wantHint: "the access key is not valid"},
		{name: "bad secret", stsErr: apiError("SignatureDoesNotMatch"), wantCreds: true, wantHint: "the access key is not valid"},
		{name: "expired session", stsErr: apiError("ExpiredToken"), wantCreds: true, wantHint: "have expired"},
		{name: "network failure is not a credentials problem", stsErr: errors.New("dial tcp: connection refused"), wantCreds: false},
		{name: "service failure is not a credentials problem", stsErr: apiError("InternalFailure"), wantCreds: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": simpleRegion("a")}}
			c := newTestCollector(cloud, fakeSTS{arn: callerARN, err: tt.stsErr}, Options{})
			c.cfg.Credentials = tt.creds
			if tt.creds == nil && tt.stsErr != nil {
				c.cfg.Credentials = credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
			}
			_, err := c.run(context.Background())
			if err == nil {
				t.Fatal("run() succeeded, want an error")
			}
			if got := errors.Is(err, ErrCredentials); got != tt.wantCreds {
				t.Fatalf("errors.Is(err, ErrCredentials) = %v, want %v; err = %v", got, tt.wantCreds, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if !strings.Contains(err.Error(), tt.wantHint) {
				t.Errorf("error %q does not contain hint %q", err, tt.wantHint)
			}
			if tt.stsErr != nil && !errors.Is(err, tt.stsErr) {
				t.Errorf("error does not wrap the STS error: %v", err)
			}
			if len(cloud.callsTo("eu-west-1", "DescribeSecurityGroups")) != 0 {
				t.Error("regions were read after the identity check failed")
			}
		})
	}
}

func TestCollectCancelled(t *testing.T) {
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": simpleRegion("a")}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("run() error = %v, want context.Canceled", err)
	}
}

func TestCollectInventoryEnvelope(t *testing.T) {
	cloud := &fakeCloud{regions: enabled("eu-west-1", "us-east-1"),
		data: map[string]*regionFake{"eu-west-1": simpleRegion("b"), "us-east-1": simpleRegion("a")}}
	var progress [][2]int
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{
		Concurrency: 1,
		Progress:    func(done, total int) { progress = append(progress, [2]int{done, total}) },
	}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if diff := cmp.Diff([][2]int{{1, 2}, {2, 2}}, progress); diff != "" {
		t.Errorf("progress calls (-want +got):\n%s", diff)
	}
	got := inventory.Inventory{SchemaVersion: inv.SchemaVersion, Source: inv.Source, CollectedAt: inv.CollectedAt}
	want := inventory.Inventory{SchemaVersion: inventory.SchemaVersion, Source: "aws", CollectedAt: fixedNow}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("envelope (-want +got):\n%s", diff)
	}
	ids := []string{}
	for _, g := range inv.SecurityGroups {
		ids = append(ids, g.Region+"/"+g.ID)
	}
	if !slices.IsSorted(ids) || len(ids) != 2 {
		t.Errorf("groups not sorted by region and id: %v", ids)
	}
	if diff := cmp.Diff([]string{"eu-west-1", "us-east-1"}, regionsOf(inv.Coverage), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("coverage regions (-want +got):\n%s", diff)
	}
}

func regionsOf(cov []inventory.Coverage) []string {
	var out []string
	for _, c := range cov {
		out = append(out, c.Region)
	}
	return out
}

func TestCollectEverythingExcluded(t *testing.T) {
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": simpleRegion("a")}}
	_, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{ExcludeRegions: []string{"eu-west-1"}}).run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no region to scan") {
		t.Fatalf("run() error = %v, want \"no region to scan\"", err)
	}
}
