package faultproxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/moto"
)

// motoServer is started by the first test that needs it; the unit tests
// of this package run without it.
var motoServer moto.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	motoServer.Close()
	os.Exit(code)
}

// motoProxy starts a proxy in front of the shared moto server.
func motoProxy(t *testing.T, opts Options) *Proxy {
	t.Helper()
	opts.Target = motoServer.Get(t).Endpoint
	return StartT(t, opts)
}

// scanConfig is the configuration the scan itself uses against moto
// (adaptive retry mode, real backoff), sent through p.
func scanConfig(t *testing.T, p *Proxy, region string) aws.Config {
	t.Helper()
	cfg := motoServer.Get(t).Config(context.Background(), region)
	cfg.BaseEndpoint = aws.String(p.URL())
	return cfg
}

func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// TestFaultsUnderLoad runs a loop of SDK calls, mutations included, through
// 20% throttles and 5% resets: every call must succeed, and each group must
// be created exactly once (a fault never lets a request through twice).
func TestFaultsUnderLoad(t *testing.T) {
	t.Parallel()
	regions := []string{"us-east-1", "eu-west-1"}
	tests := []struct {
		name       string
		seed       int64
		iterations int
		config     func(t *testing.T, p *Proxy, region string) aws.Config
	}{
		{
			// Many calls, quickly: the SDK's standard retry decisions
			// without its waits.
			name: "standard retryer", seed: 1, iterations: 16,
			config: func(_ *testing.T, p *Proxy, region string) aws.Config { return sdkConfig(p.URL(), region, 0) },
		},
		{
			// Fewer calls with the scan's own retryer: adaptive mode, its
			// default 3 attempts, real backoff and client-side rate limit.
			name: "adaptive retryer as the scan", seed: 3, iterations: 4,
			config: scanConfig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			p := motoProxy(t, Options{ThrottleRate: 0.2, ResetRate: 0.05, Seed: tt.seed})
			ec2s := map[string]*ec2.Client{}
			vpcs := map[string]string{}
			want := map[string][]string{}
			for _, r := range regions {
				ec2s[r] = ec2.NewFromConfig(tt.config(t, p, r))
				vpc, err := ec2s[r].CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
				if err != nil {
					t.Fatalf("CreateVpc in %s: %v", r, err)
				}
				vpcs[r] = aws.ToString(vpc.Vpc.VpcId)
				want[r] = []string{"default"}
			}
			stsClient := sts.NewFromConfig(tt.config(t, p, "us-east-1"))
			groupNames := func(region string) []string {
				t.Helper()
				out, err := ec2s[region].DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
					Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcs[region]}}},
				})
				if err != nil {
					t.Fatalf("DescribeSecurityGroups in %s: %v", region, err)
				}
				var names []string
				for _, g := range out.SecurityGroups {
					names = append(names, aws.ToString(g.GroupName))
				}
				slices.Sort(names)
				return names
			}

			for i := range tt.iterations {
				r := regions[i%len(regions)]
				name := fmt.Sprintf("fp-%02d", i)
				if _, err := ec2s[r].CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
					GroupName: aws.String(name), Description: aws.String("fault proxy test"), VpcId: aws.String(vpcs[r]),
				}); err != nil {
					t.Fatalf("CreateSecurityGroup %s in %s: %v", name, r, err)
				}
				want[r] = append(want[r], name)
				groupNames(r)
				if _, err := stsClient.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
					t.Fatalf("GetCallerIdentity: %v", err)
				}
			}
			for _, r := range regions {
				slices.Sort(want[r])
				if diff := cmp.Diff(want[r], groupNames(r)); diff != "" {
					t.Errorf("groups in %s (-want +got):\n%s", r, diff)
				}
			}

			st := p.Stats()
			t.Logf("%+v", st)
			if st.Throttled == 0 || st.Reset == 0 {
				t.Errorf("Stats() = %+v, want both throttles and resets injected", st)
			}
			if sum := st.Throttled + st.Reset + st.Denied + st.ServerErrors + st.Forwarded; sum != st.Requests || len(p.Calls()) != st.Requests {
				t.Errorf("Stats() = %+v and %d calls: outcomes do not add up to the requests", st, len(p.Calls()))
			}
		})
	}
}

// TestSDKRetriesInjectedFaults: with every request faulted, the cap still
// lets the SDK's third and last default attempt through.
func TestSDKRetriesInjectedFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		opts Options
		call func(cfg aws.Config) error
		want []Call
	}{
		{
			name: "ec2 throttled", opts: Options{ThrottleRate: 1},
			call: func(cfg aws.Config) error {
				_, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
				return err
			},
			want: []Call{
				{Service: "ec2", Action: "DescribeSecurityGroups", Region: "us-east-1", Injected: FaultThrottle},
				{Service: "ec2", Action: "DescribeSecurityGroups", Region: "us-east-1", Injected: FaultThrottle},
				{Service: "ec2", Action: "DescribeSecurityGroups", Region: "us-east-1"},
			},
		},
		{
			name: "sts reset", opts: Options{ResetRate: 1},
			call: func(cfg aws.Config) error {
				_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			},
			want: []Call{
				{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1", Injected: FaultReset},
				{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1", Injected: FaultReset},
				{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1"},
			},
		},
		{
			// Seed 2 draws a throttle then a reset: both kinds count
			// towards the same cap.
			name: "autoscaling throttled then reset", opts: Options{ThrottleRate: 0.5, ResetRate: 0.5, Seed: 2},
			call: func(cfg aws.Config) error {
				_, err := autoscaling.NewFromConfig(cfg).DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{})
				return err
			},
			want: []Call{
				{Service: "autoscaling", Action: "DescribeLaunchConfigurations", Region: "us-east-1", Injected: FaultThrottle},
				{Service: "autoscaling", Action: "DescribeLaunchConfigurations", Region: "us-east-1", Injected: FaultReset},
				{Service: "autoscaling", Action: "DescribeLaunchConfigurations", Region: "us-east-1"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := motoProxy(t, tt.opts)
			// 0 attempts means the SDK default, retry.DefaultMaxAttempts.
			if err := tt.call(sdkConfig(p.URL(), "us-east-1", 0)); err != nil {
				t.Fatalf("call failed through the proxy: %v", err)
			}
			if diff := cmp.Diff(tt.want, p.Calls()); diff != "" {
				t.Errorf("Calls() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDenyAssumeRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const denied, allowed = "111111111111", "222222222222"
	p := motoProxy(t, Options{DenyAssumeRole: []string{denied}})
	base := scanConfig(t, p, "us-east-1")
	stsClient := sts.NewFromConfig(base)
	as := func(account string) aws.Config {
		cfg := base.Copy()
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient,
			"arn:aws:iam::"+account+":role/OrganizationAccountAccessRole",
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "sgaudit-test" }))
		return cfg
	}

	_, err := ec2.NewFromConfig(as(denied)).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if got := errorCode(err); got != "AccessDenied" {
		t.Errorf("DescribeSecurityGroups as %s: error code %q (%v), want AccessDenied", denied, got, err)
	}
	id, err := sts.NewFromConfig(as(allowed)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity as %s: %v", allowed, err)
	}
	if got := aws.ToString(id.Account); got != allowed {
		t.Errorf("assumed role's account = %s, want %s (moto switches backends)", got, allowed)
	}

	// AccessDenied is terminal: one AssumeRole, no retry, no EC2 call.
	want := []Call{
		{Service: "sts", Action: "AssumeRole", Region: "us-east-1", Injected: FaultDeny},
		{Service: "sts", Action: "AssumeRole", Region: "us-east-1"},
		{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1"},
	}
	if diff := cmp.Diff(want, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
}

func TestDenyRegions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := motoProxy(t, Options{DenyRegions: []string{"eu-west-1", "ap-south-1"}})
	describe := func(region string) error {
		_, err := ec2.NewFromConfig(scanConfig(t, p, region)).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		return err
	}
	got := map[string]string{}
	for _, r := range []string{"eu-west-1", "us-east-1", "ap-south-1"} {
		got["ec2 "+r] = errorCode(describe(r))
	}
	// The denial is EC2's: STS signed for a denied region still works.
	_, err := sts.NewFromConfig(scanConfig(t, p, "eu-west-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	got["sts eu-west-1"] = errorCode(err)
	want := map[string]string{
		"ec2 eu-west-1":  "UnauthorizedOperation",
		"ec2 us-east-1":  "",
		"ec2 ap-south-1": "UnauthorizedOperation",
		"sts eu-west-1":  "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error codes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Requests: 4, Denied: 2, Forwarded: 2}, p.Stats()); diff != "" {
		t.Errorf("Stats() (-want +got):\n%s", diff)
	}
}

// TestCallsIdentifyEveryProtocol checks Calls against real SDK traffic of
// the EC2 query, AWS query and JSON 1.1 protocols, and that responses come
// back intact through the proxy.
func TestCallsIdentifyEveryProtocol(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := motoProxy(t, Options{})

	if _, err := ec2.NewFromConfig(scanConfig(t, p, "eu-west-2")).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}); err != nil {
		t.Fatalf("DescribeSecurityGroups: %v", err)
	}
	id, err := sts.NewFromConfig(scanConfig(t, p, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	org := organizations.NewFromConfig(scanConfig(t, p, "us-east-1"))
	// -count=2 reuses the shared server, where the organisation exists.
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil && errorCode(err) != "AlreadyInOrganizationException" {
		t.Fatalf("CreateOrganization: %v", err)
	}
	accounts, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil {
		t.Fatalf("ListAccounts: %v", err)
	}
	if !slices.ContainsFunc(accounts.Accounts, func(a orgtypes.Account) bool { return aws.ToString(a.Id) == aws.ToString(id.Account) }) {
		t.Errorf("ListAccounts through the proxy does not list the management account %s", aws.ToString(id.Account))
	}
	if _, err := autoscaling.NewFromConfig(scanConfig(t, p, "ap-southeast-2")).DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{}); err != nil {
		t.Fatalf("DescribeLaunchConfigurations: %v", err)
	}
	resp, err := http.Get(p.URL() + "/moto-api/data.json")
	if err != nil {
		t.Fatalf("GET /moto-api/data.json: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /moto-api/data.json through the proxy: %s", resp.Status)
	}

	want := []Call{
		{Service: "ec2", Action: "DescribeSecurityGroups", Region: "eu-west-2"},
		{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1"},
		{Service: "organizations", Action: "CreateOrganization", Region: "us-east-1"},
		{Service: "organizations", Action: "ListAccounts", Region: "us-east-1"},
		{Service: "autoscaling", Action: "DescribeLaunchConfigurations", Region: "ap-southeast-2"},
		{}, // moto's own API: not an AWS call
	}
	if diff := cmp.Diff(want, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
}
