package collect

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/faultproxy"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// orgRegions are the regions of the organisation test.
var orgRegions = []string{"eu-west-1", "us-east-1", "us-west-2"}

// orgWorld is what seedOrg created: the accounts, and per account and
// region the ids of the groups and of what uses them.
type orgWorld struct {
	management string
	members    map[string]string // id → name
	pairs      map[string]seededPair
}

type seededPair struct {
	account, region                                   string
	ltOnly, refOnly, eniOnly, unused, selfRef, lcOnly string
	template, config, eni, prefixList                 string
}

// memberConfig reaches a member account as the collector does: a role
// assumed from the management account. moto accepts any role name and
// really switches to the member's backend.
func memberConfig(ctx context.Context, s *moto.Server, account, region string) aws.Config {
	cfg := s.Config(ctx, region)
	roleARN := "arn:aws:iam::" + account + ":role/" + DefaultRoleName
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(s.Config(ctx, region)), roleARN))
	return cfg
}

// seedOrg builds, through the SDK, an organisation of the management
// account and two members created with CreateAccount, and in each account
// and region: a group used only by a launch template, one only referenced
// by another group's rule, one only on a network interface, one used by
// nothing, a self-referencing one, and one used by a launch configuration;
// plus a managed prefix list a rule references.
func seedOrg(t *testing.T, ctx context.Context, s *moto.Server) orgWorld {
	t.Helper()
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %s: %v", what, err)
		}
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	w := orgWorld{management: moto.AccountID, members: map[string]string{}, pairs: map[string]seededPair{}}
	org := organizations.NewFromConfig(s.Config(ctx, "us-east-1"))
	_, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	must(err, "create organization")
	for _, name := range []string{"member-a", "member-b"} {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		must(err, "create account "+name)
		w.members[aws.ToString(out.CreateAccountStatus.AccountId)] = name
	}

	accounts := []string{w.management}
	for id := range w.members {
		accounts = append(accounts, id)
	}
	for _, acct := range accounts {
		for _, region := range orgRegions {
			cfg := s.Config(ctx, region)
			if acct != w.management {
				cfg = memberConfig(ctx, s, acct, region)
			}
			w.pairs[acct+"/"+region] = seedPair(t, ctx, cfg, acct, region)
		}
	}
	return w
}

func seedPair(t *testing.T, ctx context.Context, cfg aws.Config, acct, region string) seededPair {
	t.Helper()
	c := ec2.NewFromConfig(cfg)
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed %s/%s: %s: %v", acct, region, what, err)
		}
	}
	p := seededPair{account: acct, region: region}
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	must(err, "create VPC")
	subnet, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.9.1.0/24")})
	must(err, "create subnet")
	group := func(name string) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name),
			Description: aws.String(name + " in " + acct), VpcId: vpc.Vpc.VpcId})
		must(err, "create group "+name)
		return aws.ToString(g.GroupId)
	}
	p.ltOnly, p.refOnly, p.eniOnly = group("lt-only"), group("ref-only"), group("eni-only")
	p.unused, p.selfRef, p.lcOnly = group("unused"), group("self-ref"), group("lc-only")

	pl, err := c.CreateManagedPrefixList(ctx, &ec2.CreateManagedPrefixListInput{PrefixListName: aws.String("corp"),
		AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5),
		Entries: []types.AddPrefixListEntry{{Cidr: aws.String("198.51.100.0/24")}, {Cidr: aws.String("10.0.0.0/8")}}})
	must(err, "create prefix list")
	p.prefixList = aws.ToString(pl.PrefixList.PrefixListId)

	from := func(id string) types.IpPermission {
		return types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432),
			UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(id), UserId: aws.String(acct)}}}
	}
	ingress := func(group string, perm types.IpPermission) {
		_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(group),
			IpPermissions: []types.IpPermission{perm}})
		must(err, "authorize ingress on "+group)
	}
	// eni-only's rule is what uses ref-only; self-ref names only itself.
	ingress(p.eniOnly, from(p.refOnly))
	ingress(p.eniOnly, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(p.prefixList)}}})
	ingress(p.selfRef, from(p.selfRef))

	eni, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subnet.Subnet.SubnetId,
		Groups: []string{p.eniOnly}, Description: aws.String("seeded interface")})
	must(err, "create interface")
	p.eni = aws.ToString(eni.NetworkInterface.NetworkInterfaceId)

	lt, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String("ami-12345678"), SecurityGroupIds: []string{p.ltOnly}}})
	must(err, "create launch template")
	p.template = aws.ToString(lt.LaunchTemplate.LaunchTemplateId)

	p.config = "lc-" + acct + "-" + region
	_, err = autoscaling.NewFromConfig(cfg).CreateLaunchConfiguration(ctx, &autoscaling.CreateLaunchConfigurationInput{
		LaunchConfigurationName: aws.String(p.config), ImageId: aws.String("ami-12345678"), InstanceType: aws.String("t3.micro"),
		SecurityGroups: []string{p.lcOnly}})
	must(err, "create launch configuration")
	return p
}

// motoRequesterID is the RequesterId moto puts on every interface.
const motoRequesterID = "AIDAIT2UOQQY3AUEMOTO"

// orgCollectOptions scans the organisation's three regions.
func orgCollectOptions() Options {
	return Options{Org: true, Regions: orgRegions, Now: func() time.Time { return fixedNow }}
}

// motoKinds are the kinds moto can give: it implements neither
// DescribeSecurityGroupReferences nor DescribeStaleSecurityGroups.
// Of the proof-of-use kinds, it lacks those motoLacks lists.
var motoKinds = func() []string {
	out := allKinds(inventory.KindReferences, inventory.KindStaleReferences)
	for _, k := range useKinds() {
		if !slices.Contains(motoLacks, k.Kind) {
			out = append(out, k.Kind)
		}
	}
	slices.Sort(out)
	return out
}()

// motoLacks are the proof-of-use kinds whose service moto 5.2 does not
// implement, or not every call of.
// moto has MWAA but routes it by the "api." host prefix, which a single
// endpoint on 127.0.0.1 cannot give. It has DescribeDBProxies but not
// DescribeDBProxyEndpoints (rds_proxy), and no Redshift Serverless.
var motoLacks = []string{"apprunner", "elasticache_serverless", "mwaa", "rds_proxy", "redshift_serverless"}

// Their bare 500s are retried as any 500, up to bareServerErrorAttempts.
const motoUnsupported = "DescribeSecurityGroupReferences: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"DescribeStaleSecurityGroups: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"rds_proxy:DescribeDBProxyEndpoints: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"elasticache_serverless:DescribeServerlessCaches: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"redshift_serverless:ListWorkgroups: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"mwaa:ListEnvironments: not supported by this endpoint (HTTP 500 without an AWS error code); " +
	"apprunner:ListVpcConnectors: not supported by this endpoint (HTTP 500 without an AWS error code)"

func TestCollectOrganisationAgainstMoto(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	w := seedOrg(t, ctx, s)

	start := time.Now()
	inv, err := Collect(ctx, s.Config(ctx, "us-east-1"), orgCollectOptions())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	t.Logf("Collect of 3 accounts × 3 regions took %v", time.Since(start))

	// Accounts with the names Organizations gave them.
	names := map[string]string{}
	for _, a := range inv.Accounts {
		names[a.ID] = a.Name
		if a.Partition != "aws" {
			t.Errorf("account %s partition %q", a.ID, a.Partition)
		}
	}
	for id, name := range w.members {
		if names[id] != name {
			t.Errorf("account %s named %q, want %q", id, names[id], name)
		}
	}
	if _, ok := names[w.management]; !ok || len(names) != 3 {
		t.Errorf("accounts = %v, want the management account and two members", names)
	}

	// Every pair read, each with its own groups; moto lacks two APIs.
	var wantCoverage []inventory.Coverage
	for _, a := range inv.Accounts {
		for _, r := range orgRegions {
			wantCoverage = append(wantCoverage, inventory.Coverage{AccountID: a.ID, Region: r, Status: inventory.CoverageOK,
				Collected: motoKinds, Detail: motoUnsupported,
				// moto's default VPC's group, our VPC's default group, six groups.
				SecurityGroups: 8})
		}
	}
	if diff := gocmp.Diff(wantCoverage, inv.Coverage); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}

	byID := map[string]inventory.SecurityGroup{}
	for _, g := range inv.SecurityGroups {
		byID[g.ID] = g
	}
	for key, p := range w.pairs {
		t.Run(key, func(t *testing.T) {
			want := map[string][]inventory.Evidence{
				p.ltOnly:  {{Kind: inventory.UsedByLaunchTemplate, ID: p.template, Detail: "version 1 ($Default, $Latest)"}},
				p.refOnly: {{Kind: inventory.UsedBySGReference, ID: p.eniOnly, Detail: "ingress"}},
				// A standalone interface's resource is its requester and
				// description; moto's requester is a fixed user id.
				p.eniOnly: {{Kind: inventory.UsedByENI, ID: p.eni, Detail: motoRequesterID + " / seeded interface"}},
				p.unused:  {},
				p.selfRef: {},
				p.lcOnly:  {{Kind: inventory.UsedByLaunchConfiguration, ID: p.config}},
			}
			for id, ev := range want {
				g, ok := byID[id]
				if !ok {
					t.Errorf("group %s missing", id)
					continue
				}
				if g.AccountID != p.account || g.Region != p.region {
					t.Errorf("%s (%s) is in %s/%s, want %s/%s", g.Name, id, g.AccountID, g.Region, p.account, p.region)
				}
				if diff := gocmp.Diff(ev, g.UsedBy); diff != "" {
					t.Errorf("%s used_by (-want +got):\n%s", g.Name, diff)
				}
			}
			// The referenced prefix list, with its entries (moto drops
			// their descriptions).
			i := slices.IndexFunc(inv.PrefixLists, func(pl inventory.PrefixList) bool {
				return pl.ID == p.prefixList && pl.AccountID == p.account && pl.Region == p.region
			})
			if i < 0 {
				t.Fatalf("prefix list %s not in the inventory", p.prefixList)
			}
			wantPL := inventory.PrefixList{ID: p.prefixList, Name: "corp", Owner: p.account, AccountID: p.account, Region: p.region,
				Entries: []inventory.PrefixListEntry{{CIDR: "10.0.0.0/8"}, {CIDR: "198.51.100.0/24"}}}
			if diff := gocmp.Diff(wantPL, inv.PrefixLists[i]); diff != "" {
				t.Errorf("prefix list (-want +got):\n%s", diff)
			}
		})
	}
	// Only referenced lists: moto's AWS-managed lists are not in it.
	if len(inv.PrefixLists) != len(w.pairs) {
		t.Errorf("%d prefix lists in the inventory, want the %d referenced ones", len(inv.PrefixLists), len(w.pairs))
	}
}

// readOnlyAction is every action the collector may make.
var readOnlyAction = regexp.MustCompile(`^(Describe|Get|List|BatchGet)[A-Za-z0-9]+$|^AssumeRole$`)

// proxiedConfig sends the management account's calls through the proxy.
func proxiedConfig(ctx context.Context, s *moto.Server, p *faultproxy.Proxy) aws.Config {
	cfg := s.Config(ctx, "us-east-1")
	cfg.BaseEndpoint = aws.String(p.URL())
	return cfg
}

// TestCollectThroughFaultProxy: with 20% of requests throttled and 5% of
// connections reset, the scan gives exactly the inventory it gives without
// faults; with one member's AssumeRole refused, that member is denied in
// every region and the others are complete; a region denied by policy is
// denied in every account. Every request of the scans is a read-only
// action.
func TestCollectThroughFaultProxy(t *testing.T) {
	s := motoServer.Get(t)
	ctx := context.Background()
	w := seedOrg(t, ctx, s)
	baseline, err := Collect(ctx, s.Config(ctx, "us-east-1"), orgCollectOptions())
	if err != nil {
		t.Fatalf("Collect without faults: %v", err)
	}

	var calls []faultproxy.Call
	t.Run("throttling and resets", func(t *testing.T) {
		p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, ThrottleRate: 0.2, ResetRate: 0.05, Seed: 1})
		start := time.Now()
		inv, err := Collect(ctx, proxiedConfig(ctx, s, p), orgCollectOptions())
		if err != nil {
			t.Fatalf("Collect through the proxy: %v", err)
		}
		st := p.Stats()
		t.Logf("Collect through the proxy took %v: %+v", time.Since(start), st)
		if st.Throttled == 0 || st.Reset == 0 {
			t.Fatalf("the proxy injected no fault of some kind: %+v", st)
		}
		if diff := gocmp.Diff(baseline, inv); diff != "" {
			t.Errorf("inventory under faults differs from the one without (-without +with):\n%s", diff)
		}
		calls = append(calls, p.Calls()...)
	})

	t.Run("AssumeRole denied for one member", func(t *testing.T) {
		var denied string
		for id, name := range w.members {
			if name == "member-b" {
				denied = id
			}
		}
		p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, DenyAssumeRole: []string{denied}})
		inv, err := Collect(ctx, proxiedConfig(ctx, s, p), orgCollectOptions())
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		var want []inventory.Coverage
		for _, c := range baseline.Coverage {
			if c.AccountID == denied {
				c = inventory.Coverage{AccountID: denied, Region: c.Region, Status: inventory.CoverageDenied, Collected: []string{},
					FailedAPI: "AssumeRole", ErrorCode: "AccessDenied"}
			}
			want = append(want, c)
		}
		got := slices.Clone(inv.Coverage)
		for i := range got {
			if got[i].AccountID == denied {
				if !strings.HasPrefix(got[i].Detail, "AssumeRole: AccessDenied: ") {
					t.Errorf("denied row detail = %q", got[i].Detail)
				}
				got[i].Detail = ""
			}
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		// The other accounts' data is exactly the baseline's.
		keep := func(g inventory.SecurityGroup) bool { return g.AccountID != denied }
		if diff := gocmp.Diff(filter(baseline.SecurityGroups, keep), inv.SecurityGroups); diff != "" {
			t.Errorf("groups of the other accounts (-want +got):\n%s", diff)
		}
		if diff := gocmp.Diff(baseline.Accounts, inv.Accounts); diff != "" {
			t.Errorf("accounts (-want +got):\n%s", diff)
		}
		calls = append(calls, p.Calls()...)
	})

	t.Run("a region denied by policy", func(t *testing.T) {
		p := faultproxy.StartT(t, faultproxy.Options{Target: s.Endpoint, DenyRegions: []string{"us-west-2"}})
		inv, err := Collect(ctx, proxiedConfig(ctx, s, p), orgCollectOptions())
		if err != nil {
			t.Fatalf("Collect: %v", err)
		}
		for _, c := range inv.Coverage {
			wantStatus := inventory.CoverageOK
			if c.Region == "us-west-2" {
				wantStatus = inventory.CoverageDenied
				if c.FailedAPI != "DescribeSecurityGroups" || c.ErrorCode != "UnauthorizedOperation" || c.SecurityGroups != 0 {
					t.Errorf("denied row %+v", c)
				}
			}
			if c.Status != wantStatus {
				t.Errorf("%s/%s: status %s, want %s (%s)", c.AccountID, c.Region, c.Status, wantStatus, c.Detail)
			}
		}
		if len(inv.Coverage) != len(baseline.Coverage) {
			t.Errorf("%d coverage rows, want %d", len(inv.Coverage), len(baseline.Coverage))
		}
		calls = append(calls, p.Calls()...)
	})

	// Read-only, always: every action of the scans.
	seen := map[string]bool{}
	for _, c := range calls {
		action := c.Service + ":" + c.Action
		if !readOnlyAction.MatchString(c.Action) && c.Action != "GetCallerIdentity" {
			t.Errorf("the collector called %s, which is not a read-only action", action)
		}
		seen[action] = true
	}
	// The scan made every call it should, so the check above saw them.
	for _, a := range []string{"sts:GetCallerIdentity", "sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeRegions",
		"ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules", "ec2:DescribeNetworkInterfaces",
		"ec2:DescribeLaunchTemplateVersions", "autoscaling:DescribeLaunchConfigurations", "ec2:DescribeManagedPrefixLists",
		"ec2:GetManagedPrefixListEntries", "ec2:DescribeSecurityGroupReferences", "ec2:DescribeStaleSecurityGroups",
		"ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeInternetGateways",
		"ec2:DescribeEgressOnlyInternetGateways", "ec2:DescribeAddresses", "elasticloadbalancing:DescribeLoadBalancers",
		"elasticloadbalancing:DescribeTargetGroups"} {
		if !seen[a] {
			t.Errorf("no %s call recorded; recorded: %v", a, fmt.Sprint(seen))
		}
	}
}

func filter[T any](xs []T, keep func(T) bool) []T {
	out := []T{}
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}
