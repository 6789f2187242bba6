package collect

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/reachability"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestCollectRoutePrefixLists: a route table naming a prefix list (a
// gateway endpoint's S3 or DynamoDB list, a customer list to a transit
// gateway) needs that list's entries for longest-prefix match
// (docs/reachability.md §2). Entries were read only for the lists some
// group rule references, so every subnet of such a route table, the
// common VPC with an S3 gateway endpoint, came out "not verified".
func TestCollectRoutePrefixLists(t *testing.T) {
	d := simpleRegion("1")
	d.net = netPages() // rtb-pub routes pl-00000001 to a transit gateway
	d.plPages = [][]types.ManagedPrefixList{{{PrefixListId: aws.String("pl-00000001"), PrefixListName: aws.String("com.amazonaws.eu-west-1.s3"), OwnerId: aws.String("AWS")}}}
	d.entryPages = map[string][][]types.PrefixListEntry{"pl-00000001": {{{Cidr: aws.String("52.218.0.0/17")}}}}
	cloud := &fakeCloud{regions: enabled("eu-west-1"), data: map[string]*regionFake{"eu-west-1": d}}
	inv, err := newTestCollector(cloud, fakeSTS{arn: callerARN}, Options{}).run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []inventory.PrefixList{{ID: "pl-00000001", Name: "com.amazonaws.eu-west-1.s3", Owner: "AWS", AccountID: inv.Coverage[0].AccountID, Region: "eu-west-1",
		Entries: []inventory.PrefixListEntry{{CIDR: "52.218.0.0/17"}}}}
	if diff := cmp.Diff(want, inv.PrefixLists); diff != "" {
		t.Errorf("prefix lists (-want +got):\n%s", diff)
	}
	if !slices.Contains(inv.Coverage[0].Collected, inventory.KindPrefixLists) {
		t.Errorf("prefix lists not in coverage: %+v", inv.Coverage[0])
	}
	for _, it := range reachability.Analyze(inv) {
		if strings.Contains(it.NotVerified, "prefix list") {
			t.Errorf("%s: %s", it.ID, it.NotVerified)
		}
	}
}

// TestImportNetworkPartialListeners: an export that gives the load
// balancers but not the listeners of one of them, or not the rules of an
// application load balancer's listener, misses what those forward to: a
// target would read "not reachable". The pair's load balancers are then
// not collected (every port not reached is "not verified"), never taken as
// complete.
func TestImportNetworkPartialListeners(t *testing.T) {
	drop := func(prefixes ...string) []Input {
		var out []Input
		for _, in := range netExport(t) {
			if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(in.Name, p) }) {
				out = append(out, in)
			}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		files []Input
		want  bool
	}{
		{"complete", netExport(t), true},
		{"no rules of the application load balancer's listeners", drop("rules-"), false},
		{"no listeners of the internet-facing load balancer", drop("listeners-"+albARN[len(albARN)-4:], "rules-"), false},
		{"no listeners of an internal load balancer", drop("listeners-" + nlbARN[len(nlbARN)-4:]), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := ImportReaders(context.Background(), tc.files, "")
			if err != nil {
				t.Fatalf("ImportReaders: %v", err)
			}
			if got := slices.Contains(inv.Coverage[0].Collected, inventory.KindLoadBalancers); got != tc.want {
				t.Errorf("load_balancers collected %v, want %v (coverage %+v)", got, tc.want, inv.Coverage[0])
			}
		})
	}
}
