package collect

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func ltVersion(id string, n int64, isDefault bool, groups ...string) types.LaunchTemplateVersion {
	return types.LaunchTemplateVersion{LaunchTemplateId: aws.String(id), VersionNumber: aws.Int64(n), DefaultVersion: aws.Bool(isDefault),
		LaunchTemplateData: &types.ResponseLaunchTemplateData{SecurityGroupIds: groups}}
}

func staleGroup(id, peer string) types.StaleSecurityGroup {
	return types.StaleSecurityGroup{GroupId: aws.String(id), VpcId: aws.String("vpc-1"),
		StaleIpPermissions: []types.StaleIpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(peer), UserId: aws.String("999988887777"), PeeringStatus: aws.String("deleted")}}}}}
}

// threePages is a region with three pages of every paginated kind; the
// rules of page 3 belong to groups of page 1, the $Default version of lt-1
// on page 1 is only known not to be $Latest from page 3, so the result is
// only right if every page was read.
func threePages() *regionFake {
	withPL := sg("sg-4")
	withPL.IpPermissions = append(withPL.IpPermissions, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-2")}}})
	entry := func(cidr string) types.PrefixListEntry { return types.PrefixListEntry{Cidr: aws.String(cidr)} }
	d := &regionFake{
		sgPages:   [][]types.SecurityGroup{{sg("sg-1"), sg("sg-2")}, {sg("sg-3")}, {withPL, sg("sg-5")}},
		rulePages: [][]types.SecurityGroupRule{{sgRule("sgr-5", "sg-5")}, {sgRule("sgr-3", "sg-3"), sgRule("sgr-4", "sg-4")}, {sgRule("sgr-1", "sg-1"), sgRule("sgr-2", "sg-2")}},
		eniPages:  [][]types.NetworkInterface{{eni("eni-1", "sg-1")}, {eni("eni-2", "sg-2")}, {eni("eni-3", "sg-3")}},
		ltPages: [][]types.LaunchTemplateVersion{
			{ltVersion("lt-1", 1, true, "sg-4")}, {ltVersion("lt-2", 7, true, "sg-5")}, {ltVersion("lt-1", 2, false, "sg-5")},
		},
		lcPages: [][]astypes.LaunchConfiguration{
			{{LaunchConfigurationName: aws.String("lc-a"), SecurityGroups: []string{"sg-1"}}},
			{{LaunchConfigurationName: aws.String("lc-b")}},
			{{LaunchConfigurationName: aws.String("lc-c"), SecurityGroups: []string{"sg-5"}}},
		},
		plPages: [][]types.ManagedPrefixList{
			{{PrefixListId: aws.String("pl-1"), PrefixListName: aws.String("one"), OwnerId: aws.String("AWS")}},
			{{PrefixListId: aws.String("pl-3"), PrefixListName: aws.String("three"), OwnerId: aws.String(testAccount)}},
			{{PrefixListId: aws.String("pl-2"), PrefixListName: aws.String("corp"), OwnerId: aws.String(testAccount)}},
		},
		entryPages: map[string][][]types.PrefixListEntry{
			"pl-2": {{entry("10.0.0.0/8")}, {entry("172.16.0.0/12")}, {entry("192.168.0.0/16")}},
		},
		stalePages: map[string][][]types.StaleSecurityGroup{
			"vpc-1": {{staleGroup("sg-1", "sg-gone1")}, {}, {staleGroup("sg-3", "sg-gone3")}},
		},
		refs: []types.SecurityGroupReference{
			{GroupId: aws.String("sg-2"), ReferencingVpcId: aws.String("vpc-peer"), VpcPeeringConnectionId: aws.String("pcx-1")},
		},
		net: netPages(), // network_test.go: three pages of every network listing
	}
	return d
}

func TestCollectPaginates(t *testing.T) {
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": threePages()}}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}

	type groupFacts struct {
		ID      string
		RuleIDs []string
		ENIs    []string
		UsedBy  []string
		Stale   []string
	}
	var got []groupFacts
	for _, g := range inv.SecurityGroups {
		f := groupFacts{ID: g.ID}
		for _, r := range g.Rules.All() {
			f.RuleIDs = append(f.RuleIDs, r.ID)
		}
		for _, a := range g.Attachments {
			f.ENIs = append(f.ENIs, a.NetworkInterfaceID)
		}
		for _, e := range g.UsedBy {
			f.UsedBy = append(f.UsedBy, string(e.Kind)+" "+e.ID+" "+e.Detail)
		}
		for _, r := range g.StaleRules.All() {
			f.Stale = append(f.Stale, r.Peer.GroupID)
		}
		got = append(got, f)
	}
	want := []groupFacts{
		{ID: "sg-1", RuleIDs: []string{"sgr-1"}, ENIs: []string{"eni-1"},
			UsedBy: []string{"eni eni-1 ", "launch_configuration lc-a "}, Stale: []string{"sg-gone1"}},
		{ID: "sg-2", RuleIDs: []string{"sgr-2"}, ENIs: []string{"eni-2"},
			UsedBy: []string{"cross_vpc_reference vpc-peer rule in vpc-peer via peering pcx-1", "eni eni-2 "}},
		{ID: "sg-3", RuleIDs: []string{"sgr-3"}, ENIs: []string{"eni-3"}, UsedBy: []string{"eni eni-3 "}, Stale: []string{"sg-gone3"}},
		{ID: "sg-4", RuleIDs: []string{"", "sgr-4"}, UsedBy: []string{"launch_template lt-1 version 1 ($Default)"}},
		{ID: "sg-5", RuleIDs: []string{"sgr-5"}, UsedBy: []string{
			"launch_configuration lc-c ", "launch_template lt-1 version 2 ($Latest)", "launch_template lt-2 version 7 ($Default, $Latest)"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if n := len(inv.NetworkInterfaces); n != 3 {
		t.Errorf("network interfaces = %d, want 3", n)
	}
	// Only the referenced list, with every page of its entries.
	wantPL := []inventory.PrefixList{{ID: "pl-2", Name: "corp", Owner: testAccount, AccountID: testAccount, Region: "eu-west-1",
		Entries: []inventory.PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "172.16.0.0/12"}, {CIDR: "192.168.0.0/16"}}}}
	if diff := cmp.Diff(wantPL, inv.PrefixLists); diff != "" {
		t.Errorf("prefix lists (-want +got):\n%s", diff)
	}

	pages := func(op string, maxResults int32, arg string) []call {
		return []call{
			{Region: "eu-west-1", Op: op, MaxResults: maxResults, Arg: arg},
			{Region: "eu-west-1", Op: op, MaxResults: maxResults, NextToken: "page-1", Arg: arg},
			{Region: "eu-west-1", Op: op, MaxResults: maxResults, NextToken: "page-2", Arg: arg},
		}
	}
	wantCalls := map[string][]call{
		"DescribeSecurityGroups":         pages("DescribeSecurityGroups", 1000, ""),
		"DescribeSecurityGroupRules":     pages("DescribeSecurityGroupRules", 1000, ""),
		"DescribeNetworkInterfaces":      pages("DescribeNetworkInterfaces", 1000, ""),
		"DescribeLaunchTemplateVersions": pages("DescribeLaunchTemplateVersions", 200, ""),
		"DescribeLaunchConfigurations":   pages("DescribeLaunchConfigurations", 100, ""),
		"DescribeManagedPrefixLists":     pages("DescribeManagedPrefixLists", 100, ""),
		// and the list a route names (netPages: gone, so not in the inventory)
		"GetManagedPrefixListEntries": append(pages("GetManagedPrefixListEntries", 100, "pl-2"),
			call{Region: "eu-west-1", Op: "GetManagedPrefixListEntries", MaxResults: 100, Arg: "pl-00000001"}),
		"DescribeStaleSecurityGroups":     pages("DescribeStaleSecurityGroups", 255, "vpc-1"),
		"DescribeSecurityGroupReferences": {{Region: "eu-west-1", Op: "DescribeSecurityGroupReferences", Arg: "5"}},
	}
	for op, want := range wantCalls {
		if diff := cmp.Diff(want, cloud.callsTo("eu-west-1", op)); diff != "" {
			t.Errorf("%s calls (-want +got):\n%s", op, diff)
		}
	}
}

// allKinds lists every data kind of a pair but the given ones, sorted as
// coverage rows list them.
func allKinds(except ...string) []string {
	out := []string{}
	for _, k := range regionKinds {
		if !slices.Contains(except, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// noAWSCode is how moto answers an action it does not implement: HTTP 500
// with an HTML page the SDK cannot read an error code from.
func noAWSCode() error { return bareStatus(500) }

func TestCollectRegionFailuresAreCoverage(t *testing.T) {
	withErr := func(errs map[string]error) *regionFake {
		d := simpleRegion("x")
		d.errs = errs
		return d
	}
	one := func(op, code string) *regionFake { return withErr(map[string]error{op: apiError(code)}) }
	withPrefixList := withErr(map[string]error{
		"DescribeLaunchConfigurations": apiError("RequestLimitExceeded"),
		"GetManagedPrefixListEntries":  apiError("UnauthorizedOperation"),
	})
	withPrefixList.sgPages[0][0].IpPermissions[0].PrefixListIds = []types.PrefixListId{{PrefixListId: aws.String("pl-1")}}
	cloud := &fakeCloud{
		regions: enabled("ap-northeast-1", "ap-south-1", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
			"us-east-1", "us-east-2", "us-west-1", "us-west-2"),
		data: map[string]*regionFake{
			"eu-west-1": simpleRegion("ok"),
			"eu-west-2": one("DescribeSecurityGroups", "UnauthorizedOperation"),
			"eu-west-3": one("DescribeSecurityGroups", "OptInRequired"),
			"us-east-1": one("DescribeSecurityGroups", "RequestLimitExceeded"),
			"us-east-2": one("DescribeNetworkInterfaces", "AccessDeniedException"),
			"us-west-1": one("DescribeSecurityGroupRules", "UnauthorizedOperation"),
			"us-west-2": {errs: map[string]error{
				"DescribeSecurityGroups": errors.New("dial tcp: i/o timeout"),
			}},
			"ap-south-1": one("DescribeLaunchTemplateVersions", "UnauthorizedOperation"),
			"ap-northeast-1": withErr(map[string]error{
				"DescribeSecurityGroupReferences": noAWSCode(),
				"DescribeStaleSecurityGroups":     apiError("InvalidAction"),
			}),
			"ca-central-1": withPrefixList,
		},
	}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []inventory.Coverage{
		// Endpoints that do not implement an optional API: the pair is read,
		// the kinds are missing from collected, the detail says why.
		{AccountID: testAccount, Region: "ap-northeast-1", Status: inventory.CoverageOK,
			Collected:      allKinds(inventory.KindReferences, inventory.KindStaleReferences),
			SecurityGroups: 1,
			Detail: "DescribeSecurityGroupReferences: not supported by this endpoint (HTTP 500 without an AWS error code); " +
				"DescribeStaleSecurityGroups: not supported by this endpoint (InvalidAction: message for InvalidAction)"},
		// An optional kind denied: the groups stay, the pair is incomplete.
		{AccountID: testAccount, Region: "ap-south-1", Status: inventory.CoverageDenied,
			Collected: allKinds(inventory.KindLaunchTemplates), SecurityGroups: 1,
			FailedAPI: "DescribeLaunchTemplateVersions", ErrorCode: "UnauthorizedOperation",
			Detail: "DescribeLaunchTemplateVersions: UnauthorizedOperation: message for UnauthorizedOperation"},
		// Two optional kinds fail: the first in call order names the row.
		{AccountID: testAccount, Region: "ca-central-1", Status: inventory.CoverageError,
			Collected: allKinds(inventory.KindLaunchConfigurations, inventory.KindPrefixLists), SecurityGroups: 1,
			FailedAPI: "DescribeLaunchConfigurations", ErrorCode: "RequestLimitExceeded",
			Detail: "DescribeLaunchConfigurations: RequestLimitExceeded: message for RequestLimitExceeded; " +
				"GetManagedPrefixListEntries: UnauthorizedOperation: message for UnauthorizedOperation"},
		{AccountID: testAccount, Region: "eu-west-1", Status: inventory.CoverageOK, Collected: allKinds(), SecurityGroups: 1},
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
			Collected: allKinds(inventory.KindNetworkInterfaces),
			FailedAPI: "DescribeNetworkInterfaces", ErrorCode: "AccessDeniedException", SecurityGroups: 1,
			Detail: "DescribeNetworkInterfaces: AccessDeniedException: message for AccessDeniedException"},
		{AccountID: testAccount, Region: "us-west-1", Status: inventory.CoverageDenied,
			Collected: allKinds(inventory.KindSecurityGroupRules),
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
	// without ids; optional kinds failing keep everything else.
	type groupFacts struct {
		Region, ID, RuleID string
		UsedBy             int
	}
	var got []groupFacts
	for _, g := range inv.SecurityGroups {
		rules := g.Rules.Slice()
		i := slices.IndexFunc(rules, func(r inventory.Rule) bool { return r.Peer.Kind == inventory.PeerCIDRv4 })
		got = append(got, groupFacts{g.Region, g.ID, rules[i].ID, len(g.UsedBy)})
	}
	wantGroups := []groupFacts{
		{"ap-northeast-1", "sg-x", "sgr-x", 1},
		{"ap-south-1", "sg-x", "sgr-x", 1},
		{"ca-central-1", "sg-x", "sgr-x", 1},
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
	// A region whose groups failed makes no call that needs the groups.
	for _, op := range []string{"DescribeSecurityGroupReferences", "DescribeStaleSecurityGroups"} {
		if n := len(cloud.callsTo("eu-west-2", op)); n != 0 {
			t.Errorf("%s called %d times in a region whose groups were denied", op, n)
		}
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
	regionsDenied := func(code, scanned string) inventory.Coverage {
		return inventory.Coverage{AccountID: testAccount, Region: UnlistedRegions, Status: inventory.CoverageDenied, Collected: []string{},
			FailedAPI: "DescribeRegions", ErrorCode: code, Detail: "could not list the enabled regions; " + scanned}
	}
	tests := []struct {
		name        string
		arn         string
		opts        Options
		regionsErr  error
		wantScanned []string
		wantSkipped []inventory.Coverage
		wantFailed  []inventory.Coverage
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
			// The other regions are unknown, not absent: the scan must not
			// pass for complete.
			name:        "DescribeRegions denied: the config's region, and a row for the rest",
			regionsErr:  apiError("UnauthorizedOperation"),
			wantScanned: []string{"eu-west-1"},
			wantFailed:  []inventory.Coverage{regionsDenied("UnauthorizedOperation", "only eu-west-1 was scanned")},
		},
		{
			name:       "DescribeRegions denied and the config's region excluded: nothing scanned",
			regionsErr: apiError("AccessDenied"),
			opts:       Options{ExcludeRegions: []string{"eu-west-1"}},
			wantFailed: []inventory.Coverage{regionsDenied("AccessDenied", "no region was scanned")},
		},
		{
			// The user named the regions: nothing asked for is missing.
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
			var skippedRows, failedRows []inventory.Coverage
			for _, c := range inv.Coverage {
				switch c.Status {
				case inventory.CoverageSkipped:
					skippedRows = append(skippedRows, c)
					continue
				case inventory.CoverageDenied, inventory.CoverageError:
					failedRows = append(failedRows, c)
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
			if diff := cmp.Diff(tt.wantFailed, failedRows); diff != "" {
				t.Errorf("failed rows (-want +got):\n%s", diff)
			}
			if got, want := inv.Complete(), len(tt.wantSkipped)+len(tt.wantFailed) == 0; got != want {
				t.Errorf("Complete() = %v, want %v", got, want)
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
		Progress:    func(e ProgressEvent) { progress = append(progress, [2]int{e.Done, e.Total}) },
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

// kindItems counts what the inventory holds of one data kind, so a test
// can tell that a kind whose read failed left nothing behind.
func kindItems(inv *inventory.Inventory, kind string) int {
	n := 0
	switch kind {
	case inventory.KindSecurityGroups:
		return len(inv.SecurityGroups)
	case inventory.KindNetworkInterfaces:
		return len(inv.NetworkInterfaces)
	case inventory.KindPrefixLists:
		return len(inv.PrefixLists)
	case inventory.KindSubnets:
		return len(inv.Subnets)
	case inventory.KindRouteTables:
		return len(inv.RouteTables)
	case inventory.KindNetworkACLs:
		return len(inv.NetworkACLs)
	case inventory.KindInternetGateways:
		return len(inv.InternetGateways)
	case inventory.KindEgressOnlyInternetGateways:
		return len(inv.EgressOnlyInternetGateways)
	case inventory.KindAddresses:
		return len(inv.Addresses)
	case inventory.KindTargetGroups:
		return len(inv.TargetGroups)
	case inventory.KindLoadBalancers, inventory.KindClassicLoadBalancers:
		for _, lb := range inv.LoadBalancers {
			if (lb.Type == inventory.LoadBalancerClassic) == (kind == inventory.KindClassicLoadBalancers) {
				n++
			}
		}
		return n
	}
	for _, g := range inv.SecurityGroups {
		switch kind {
		case inventory.KindSecurityGroupRules:
			for _, r := range g.Rules.All() {
				if r.ID != "" { // ids come from DescribeSecurityGroupRules only
					n++
				}
			}
		case inventory.KindStaleReferences:
			n += g.StaleRules.Len()
		}
		for _, e := range g.UsedBy {
			if kind == inventory.KindLaunchTemplates && e.Kind == inventory.UsedByLaunchTemplate ||
				kind == inventory.KindLaunchConfigurations && e.Kind == inventory.UsedByLaunchConfiguration {
				n++
			}
		}
	}
	return n
}

// TestCollectPageFailures fails one page of one paginated operation at a
// time, the first, a middle or the last, with an AWS error or a bare HTTP
// 500: the kind is dropped whole (nothing of the pages read before stays),
// it is missing from coverage.collected, and the row is an error, never
// ok. A failure of the groups leaves the region empty. Every paginated
// operation the collector calls has its cases: a new one without them
// fails the test.
func TestCollectPageFailures(t *testing.T) {
	kinds := map[string]string{ // paginated operation → its kind
		"DescribeSecurityGroups":         inventory.KindSecurityGroups,
		"DescribeSecurityGroupRules":     inventory.KindSecurityGroupRules,
		"DescribeNetworkInterfaces":      inventory.KindNetworkInterfaces,
		"DescribeLaunchTemplateVersions": inventory.KindLaunchTemplates,
		"DescribeLaunchConfigurations":   inventory.KindLaunchConfigurations,
		"DescribeManagedPrefixLists":     inventory.KindPrefixLists,
		"GetManagedPrefixListEntries":    inventory.KindPrefixLists,
		"DescribeStaleSecurityGroups":    inventory.KindStaleReferences,
		// The network and load balancers (network.go, loadbalancers.go).
		"DescribeSubnets":                    inventory.KindSubnets,
		"DescribeRouteTables":                inventory.KindRouteTables,
		"DescribeNetworkAcls":                inventory.KindNetworkACLs,
		"DescribeInternetGateways":           inventory.KindInternetGateways,
		"DescribeEgressOnlyInternetGateways": inventory.KindEgressOnlyInternetGateways,
		opLoadBalancers:                      inventory.KindLoadBalancers,
		opListeners:                          inventory.KindLoadBalancers,
		opRules:                              inventory.KindLoadBalancers,
		opTargetGroups:                       inventory.KindTargetGroups,
		opClassicLoadBalancers:               inventory.KindClassicLoadBalancers,
	}

	// Without a fault every kind is read, every page of it, and each kind
	// has items, so "no items left" below can fail.
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": threePages()}}
	baseline, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil || !baseline.Complete() {
		t.Fatalf("run without faults: %v %+v", err, baseline)
	}
	paginated := map[string]bool{}
	for _, c := range cloud.calls {
		if c.NextToken != "" {
			paginated[c.Op] = true
		}
	}
	for op := range kinds {
		if !paginated[op] {
			t.Errorf("%s has a case but was not read in pages", op)
		}
		delete(paginated, op)
	}
	if len(paginated) > 0 {
		t.Errorf("paginated operations without a page failure case: %v", paginated)
	}
	for _, kind := range kinds {
		if kindItems(baseline, kind) == 0 {
			t.Fatalf("the fake region has no %s to lose", kind)
		}
	}

	faults := []struct {
		name   string
		err    error
		detail string // the row's detail after "op: "
	}{
		{"AWS error", apiError("InternalError"), "InternalError: message for InternalError"},
		{"bare HTTP 500", noAWSCode(), "HTTP 500 without an AWS error code"},
	}
	for op, kind := range kinds {
		for _, page := range []int{1, 2, 3} {
			for _, f := range faults {
				if kind == inventory.KindStaleReferences && page == 1 && bareServerError(f.err) {
					continue // an endpoint without the API: TestCollectEndpointWithoutAPI
				}
				t.Run(op+"/page "+strconv.Itoa(page)+"/"+f.name, func(t *testing.T) {
					t.Parallel()
					d := threePages().failPage(op, page, f.err)
					cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
					inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
					if err != nil {
						t.Fatalf("run: %v", err)
					}
					detail := op + ": " + f.detail
					if page > 1 {
						detail = op + ": page " + strconv.Itoa(page) + ": " + f.detail
					}
					want := inventory.Coverage{AccountID: testAccount, Region: "eu-west-1", Status: inventory.CoverageError,
						Collected: allKinds(kind), SecurityGroups: 5, FailedAPI: op, ErrorCode: errorCode(f.err), Detail: detail}
					if kind == inventory.KindSecurityGroups {
						want.Collected, want.SecurityGroups = []string{}, 0
					}
					if diff := cmp.Diff([]inventory.Coverage{want}, inv.Coverage); diff != "" {
						t.Errorf("coverage (-want +got):\n%s", diff)
					}
					if n := kindItems(inv, kind); n != 0 {
						t.Errorf("%d items of %s left from the pages read before the failure", n, kind)
					}
					if inv.Complete() {
						t.Error("Complete() = true with a kind unread")
					}
					// The failing page was the last call of its operation
					// (for each prefix list or VPC it is about).
					for _, c := range cloud.callsTo("eu-west-1", op) {
						if pageNumber(c.NextToken) > page {
							t.Errorf("%s page %d read after page %d failed", op, pageNumber(c.NextToken), page)
						}
					}
				})
			}
		}
	}
}

// TestCollectEndpointWithoutAPI: only the optional kinds an emulator may
// lack (references, stale references) may fail as "not supported by this
// endpoint" and leave the row ok; the same answer on a core kind, or on a
// later page of an optional one, is a coverage error.
func TestCollectEndpointWithoutAPI(t *testing.T) {
	tests := []struct {
		name       string
		region     func() *regionFake
		wantStatus inventory.CoverageStatus
		wantKinds  []string
		wantDetail string
	}{
		{
			name:       "references: bare 500",
			region:     func() *regionFake { return threePages().failPage("DescribeSecurityGroupReferences", 1, noAWSCode()) },
			wantStatus: inventory.CoverageOK, wantKinds: allKinds(inventory.KindReferences),
			wantDetail: "DescribeSecurityGroupReferences: not supported by this endpoint (HTTP 500 without an AWS error code)",
		},
		{
			name: "stale references: InvalidAction",
			region: func() *regionFake {
				return threePages().failPage("DescribeStaleSecurityGroups", 1, apiError("InvalidAction"))
			},
			wantStatus: inventory.CoverageOK, wantKinds: allKinds(inventory.KindStaleReferences),
			wantDetail: "DescribeStaleSecurityGroups: not supported by this endpoint (InvalidAction: message for InvalidAction)",
		},
		{
			name:       "stale references: bare 500 that the SDK named UnknownError",
			region:     func() *regionFake { return threePages().failPage("DescribeStaleSecurityGroups", 1, unknownError500()) },
			wantStatus: inventory.CoverageOK, wantKinds: allKinds(inventory.KindStaleReferences),
			wantDetail: "DescribeStaleSecurityGroups: not supported by this endpoint (HTTP 500 without an AWS error code)",
		},
		{
			name:       "stale references: bare 500 on page 2 means the endpoint has the API",
			region:     func() *regionFake { return threePages().failPage("DescribeStaleSecurityGroups", 2, noAWSCode()) },
			wantStatus: inventory.CoverageError, wantKinds: allKinds(inventory.KindStaleReferences),
			wantDetail: "DescribeStaleSecurityGroups: page 2: HTTP 500 without an AWS error code",
		},
		{
			name: "groups: InvalidAction",
			region: func() *regionFake {
				return threePages().failPage("DescribeSecurityGroups", 1, apiError("InvalidAction"))
			},
			wantStatus: inventory.CoverageError, wantKinds: []string{},
			wantDetail: "DescribeSecurityGroups: InvalidAction: message for InvalidAction",
		},
		{
			name:       "interfaces: 501",
			region:     func() *regionFake { return threePages().failPage("DescribeNetworkInterfaces", 1, bareStatus(501)) },
			wantStatus: inventory.CoverageError, wantKinds: allKinds(inventory.KindNetworkInterfaces),
			wantDetail: "DescribeNetworkInterfaces: HTTP 501 without an AWS error code",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": tt.region()}}
			inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			row := inv.Coverage[0]
			got := []any{row.Status, row.Collected, row.Detail}
			if diff := cmp.Diff([]any{tt.wantStatus, tt.wantKinds, tt.wantDetail}, got); diff != "" {
				t.Errorf("[status, collected, detail] (-want +got):\n%s", diff)
			}
			if got, want := inv.Complete(), tt.wantStatus == inventory.CoverageOK; got != want {
				t.Errorf("Complete() = %v, want %v", got, want)
			}
		})
	}
}

// bareStatus is an HTTP answer with the status and no AWS error document.
func bareStatus(status int) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      errors.New("error while fetching xml error response code: XML syntax error"),
	}
}

// unknownError500 is how the SDK reports an HTTP 500 whose body is well
// formed but holds no error code: its placeholder code UnknownError.
func unknownError500() error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
		Err:      &smithy.GenericAPIError{Code: "UnknownError", Message: "UnknownError"},
	}
}
