package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"sort"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const sga008Page = "../../docs/checks/SGA008.md"

// TestUseKindsDoc: the table of proof-of-use kinds in docs/checks/SGA008.md
// is the one generated from useKinds. UPDATE_GOLDEN=1 (`make docs`)
// rewrites it.
func TestUseKindsDoc(t *testing.T) {
	page, err := os.ReadFile(sga008Page)
	if err != nil {
		t.Fatal(err)
	}
	want, err := withUseKindsDoc(page)
	if err != nil {
		t.Fatalf("%s: %v", sga008Page, err)
	}
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(sga008Page, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(string(want), string(page)); diff != "" {
		t.Errorf("%s is stale: run `make docs` (-want +got):\n%s", sga008Page, diff)
	}
}

// TestUseKindsTable: every row is complete and its kind a name no other
// data kind has.
func TestUseKindsTable(t *testing.T) {
	kindName := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	iamAction := regexp.MustCompile(`^[a-z0-9-]+:(Describe|Get|List|BatchGet)[A-Za-z0-9]+$`)
	seen := map[string]bool{}
	for _, k := range regionKinds {
		seen[k] = true
	}
	for _, e := range []inventory.EvidenceKind{inventory.UsedByENI, inventory.UsedByLaunchTemplate,
		inventory.UsedByLaunchConfiguration, inventory.UsedBySGReference, inventory.UsedByCrossVPCReference} {
		seen[string(e)] = true
	}
	for _, k := range useKinds() {
		if !kindName.MatchString(k.Kind) || seen[k.Kind] {
			t.Errorf("kind %q: want a new lower-case name", k.Kind)
		}
		seen[k.Kind] = true
		if k.Service == "" || k.Resources == "" || k.Fields == "" || k.Calls == "" || len(k.APIs) == 0 || k.collector == nil {
			t.Errorf("kind %s: incomplete row %+v", k.Kind, k)
		}
		for _, a := range k.IAM {
			if !iamAction.MatchString(a) {
				t.Errorf("kind %s: IAM action %q is not a read-only action", k.Kind, a)
			}
		}
		for _, api := range k.APIs {
			if !regexp.MustCompile(`^(Describe|Get|List|BatchGet)[A-Za-z0-9]+$`).MatchString(api) {
				t.Errorf("kind %s: API %q is not a read-only operation", k.Kind, api)
			}
		}
	}
}

// TestUseKindsMatchPolicy: SGA008 knows every proof-of-use kind, in the
// table's order after EC2's own, each with its check commands; a kind it
// did not know would never be "not checked".
func TestUseKindsMatchPolicy(t *testing.T) {
	ctx := context.Background()
	var mods []func(*rego.Rego)
	for _, f := range []string{"checks/unused_group.rego", "lib/sg.rego", "lib/net.rego"} {
		src, err := policies.FS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, rego.Module(f, string(src)))
	}
	rs, err := rego.New(append(mods, rego.Query("x = data.sgaudit.checks.unused_group.use_kind_order; y = data.sgaudit.checks.unused_group.use_kinds"))...).Eval(ctx)
	if err != nil || len(rs) != 1 {
		t.Fatalf("evaluate use_kinds: %v (%d results)", err, len(rs))
	}
	var order []string
	for _, v := range rs[0].Bindings["x"].([]any) {
		order = append(order, v.(string))
	}
	want := []string{inventory.KindLaunchTemplates, inventory.KindLaunchConfigurations, inventory.KindReferences}
	for _, k := range useKinds() {
		want = append(want, k.Kind)
	}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("use_kind_order (-table +policy):\n%s", diff)
	}
	kinds := rs[0].Bindings["y"].(map[string]any)
	var keys []string
	for k := range kinds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sortedWant := slices.Sorted(slices.Values(want))
	if diff := cmp.Diff(sortedWant, keys); diff != "" {
		t.Errorf("use_kinds keys (-table +policy):\n%s", diff)
	}
	for _, k := range useKinds() {
		m, _ := kinds[k.Kind].(map[string]any)
		for _, f := range []string{"plural", "singular", "check", "plain"} {
			if s, _ := m[f].(string); s == "" {
				t.Errorf("use_kinds[%q] has no %s", k.Kind, f)
			}
		}
	}
}

// TestUseKindsIAMPolicy: the example read-only policy grants exactly the
// collector's actions: EC2's and the account's, and every proof-of-use
// kind's.
func TestUseKindsIAMPolicy(t *testing.T) {
	b, err := os.ReadFile("../../examples/iam/sgaudit-readonly-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Action []string
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Statement {
		got = append(got, s.Action...)
	}
	want := []string{
		"ec2:DescribeRegions", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
		"ec2:DescribeSecurityGroupReferences", "ec2:DescribeStaleSecurityGroups", "ec2:DescribeNetworkInterfaces",
		"ec2:DescribeLaunchTemplateVersions", "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries",
		"autoscaling:DescribeLaunchConfigurations", "sts:GetCallerIdentity", "iam:ListAccountAliases",
		// The network model (docs/inventory.md §16).
		"ec2:DescribeSubnets", "ec2:DescribeRouteTables", "ec2:DescribeNetworkAcls", "ec2:DescribeInternetGateways",
		"ec2:DescribeEgressOnlyInternetGateways", "ec2:DescribeAddresses",
		"elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
		"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTargetGroupAttributes",
	}
	for _, k := range useKinds() {
		want = append(want, k.IAM...)
	}
	slices.Sort(got)
	slices.Sort(want)
	// Each action once: a duplicate is a merge left half done.
	if diff := cmp.Diff(slices.Compact(want), got); diff != "" {
		t.Errorf("examples/iam/sgaudit-readonly-policy.json actions (-want +got):\n%s", diff)
	}
}

// fakeUses is a proof-of-use kind behind the collector interface: canned
// references per region, or an error, with its calls counted.
type fakeUses struct {
	refs  map[string][]useRef // region → refs
	err   error
	calls map[string]int // region → calls
}

func (f *fakeUses) collect(_ context.Context, r *useReader) ([]useRef, error) {
	f.calls[r.region]++
	if f.err != nil {
		return nil, f.err
	}
	return f.refs[r.region], nil
}

// TestCollectUsesWithFakes: the evidence of each kind is linked to the
// groups named by id, or by name in the resource's own account and
// region; a kind whose call fails is left out of collected with the row
// naming kind:Operation; a service without an endpoint in the region is
// collected empty; each kind is read once per pair.
func TestCollectUsesWithFakes(t *testing.T) {
	named := sg("sg-named")
	named.GroupName = awsString("by-name")
	region := &regionFake{sgPages: [][]types.SecurityGroup{{sg("sg-1"), sg("sg-2"), named, sg("sg-unused")}}}
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": region}}
	c := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{Regions: []string{"eu-west-1"}})
	fn := &fakeUses{calls: map[string]int{}, refs: map[string][]useRef{"eu-west-1": {
		{Group: "sg-1", ID: "arn:aws:lambda:eu-west-1:111122223333:function:a"},
		{Group: "sg-1", ID: "arn:aws:lambda:eu-west-1:111122223333:function:a"}, // twice: once
		{Group: "sg-elsewhere", ID: "arn:aws:lambda:eu-west-1:111122223333:function:b"},
	}}}
	beanstalk := &fakeUses{calls: map[string]int{}, refs: map[string][]useRef{"eu-west-1": {
		{Group: "by-name", ID: "arn:aws:elasticbeanstalk:eu-west-1:111122223333:environment/app/prod", Detail: "aws:autoscaling:launchconfiguration"},
	}}}
	denied := &fakeUses{calls: map[string]int{}, err: &useError{op: "DescribeDBInstances", err: apiError("AccessDenied")}}
	noDNS := &fakeUses{calls: map[string]int{}, err: &useError{op: "ListEnvironments", err: &net.DNSError{Err: "no such host", Name: "airflow.eu-west-1.amazonaws.com", IsNotFound: true}}}
	c.useKinds = []useKind{
		{Kind: "lambda", APIs: []string{"ListFunctions"}, collector: fn},
		{Kind: "rds", APIs: []string{"DescribeDBInstances"}, collector: denied},
		{Kind: "elasticbeanstalk", APIs: []string{"DescribeEnvironments"}, collector: beanstalk},
		{Kind: "mwaa", APIs: []string{"ListEnvironments"}, collector: noDNS},
	}
	inv, err := c.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	row := inv.Coverage[0]
	wantRow := inventory.Coverage{
		AccountID: testAccount, Region: "eu-west-1", Status: inventory.CoverageDenied,
		Collected: append(allKinds(), "elasticbeanstalk", "lambda", "mwaa"),
		FailedAPI: "rds:DescribeDBInstances", ErrorCode: "AccessDenied",
		Detail:         "rds:DescribeDBInstances: AccessDenied: message for AccessDenied",
		SecurityGroups: 4,
	}
	slices.Sort(wantRow.Collected)
	if diff := cmp.Diff(wantRow, row); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	got := map[string][]inventory.Evidence{}
	for _, g := range inv.SecurityGroups {
		got[g.ID] = g.UsedBy
	}
	want := map[string][]inventory.Evidence{
		"sg-1":      {{Kind: "lambda", ID: "arn:aws:lambda:eu-west-1:111122223333:function:a"}},
		"sg-2":      {},
		"sg-named":  {{Kind: "elasticbeanstalk", ID: "arn:aws:elasticbeanstalk:eu-west-1:111122223333:environment/app/prod", Detail: "aws:autoscaling:launchconfiguration, by name"}},
		"sg-unused": {},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("used_by (-want +got):\n%s", diff)
	}
	for name, f := range map[string]*fakeUses{"lambda": fn, "rds": denied, "elasticbeanstalk": beanstalk, "mwaa": noDNS} {
		if f.calls["eu-west-1"] != 1 {
			t.Errorf("%s read %d times in the pair, want once", name, f.calls["eu-west-1"])
		}
	}
}

func awsString(s string) *string { return &s }

// TestLinkUses: evidence goes to the group a reference names, by id in
// the resource's region whatever the account (a group shared with a
// participant of a shared VPC), or by name in the resource's own account
// and region, to every VPC's group of that name when several have it; a
// reference to a group not in the inventory, or in another region, is
// dropped; the same reference twice is one piece of evidence.
func TestLinkUses(t *testing.T) {
	const a, b = "111111111111", "222222222222"
	group := func(id, account, region, name string) inventory.SecurityGroup {
		return inventory.SecurityGroup{ID: id, AccountID: account, Region: region, Name: name, UsedBy: []inventory.Evidence{}}
	}
	tests := []struct {
		name string
		uses []usesOf
		want map[string][]inventory.Evidence
	}{
		{
			name: "shared group named by id from another account",
			uses: []usesOf{{account: b, region: "eu-west-1", uses: map[string][]useRef{"lambda": {{Group: "sg-a1", ID: "arn:fn"}}}}},
			want: map[string][]inventory.Evidence{"sg-a1": {{Kind: "lambda", ID: "arn:fn"}}},
		},
		{
			name: "same id in another region is not the group",
			uses: []usesOf{{account: a, region: "us-east-1", uses: map[string][]useRef{"lambda": {{Group: "sg-a1", ID: "arn:fn"}}}}},
			want: map[string][]inventory.Evidence{},
		},
		{
			name: "name in two VPCs of the account",
			uses: []usesOf{{account: a, region: "eu-west-1", uses: map[string][]useRef{"elasticbeanstalk": {{Group: "web", ID: "arn:env", Detail: "aws:elb:loadbalancer"}}}}},
			want: map[string][]inventory.Evidence{
				"sg-a2": {{Kind: "elasticbeanstalk", ID: "arn:env", Detail: "aws:elb:loadbalancer, by name, ambiguous across 2 VPCs"}},
				"sg-a3": {{Kind: "elasticbeanstalk", ID: "arn:env", Detail: "aws:elb:loadbalancer, by name, ambiguous across 2 VPCs"}},
			},
		},
		{
			name: "name of another account's group is not looked up",
			uses: []usesOf{{account: b, region: "eu-west-1", uses: map[string][]useRef{"elasticbeanstalk": {{Group: "web", ID: "arn:env"}}}}},
			want: map[string][]inventory.Evidence{},
		},
		{
			name: "twice is once, unknown group dropped",
			uses: []usesOf{{account: a, region: "eu-west-1", uses: map[string][]useRef{"ecs": {
				{Group: "sg-a1", ID: "arn:svc"}, {Group: "sg-a1", ID: "arn:svc"}, {Group: "sg-gone", ID: "arn:svc"},
			}}}},
			want: map[string][]inventory.Evidence{"sg-a1": {{Kind: "ecs", ID: "arn:svc"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{
				group("sg-a1", a, "eu-west-1", "app"), group("sg-a2", a, "eu-west-1", "web"),
				group("sg-a3", a, "eu-west-1", "web"), group("sg-b1", b, "eu-west-1", "other"),
			}}
			linkUses(inv, tt.uses)
			got := map[string][]inventory.Evidence{}
			for _, g := range inv.SecurityGroups {
				if len(g.UsedBy) > 0 {
					got[g.ID] = g.UsedBy
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("used_by (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkLinkUses links 50,000 references to 100,000 groups.
func BenchmarkLinkUses(b *testing.B) {
	const groups, refs = 100_000, 50_000
	base := make([]inventory.SecurityGroup, groups)
	for i := range base {
		base[i] = inventory.SecurityGroup{ID: fmt.Sprintf("sg-%017x", i), AccountID: "111111111111", Region: "eu-west-1",
			Name: fmt.Sprintf("g%d", i), UsedBy: []inventory.Evidence{}}
	}
	uses := map[string][]useRef{}
	for i := range refs {
		kind := useKinds()[i%len(useKinds())].Kind
		uses[kind] = append(uses[kind], useRef{Group: fmt.Sprintf("sg-%017x", (i*7)%groups), ID: fmt.Sprintf("arn:aws:x:eu-west-1:111111111111:r/%d", i)})
	}
	b.ReportAllocs()
	for b.Loop() {
		inv := &inventory.Inventory{SecurityGroups: slices.Clone(base)}
		for i := range inv.SecurityGroups {
			inv.SecurityGroups[i].UsedBy = nil
		}
		linkUses(inv, []usesOf{{account: "111111111111", region: "eu-west-1", uses: uses}})
	}
}
