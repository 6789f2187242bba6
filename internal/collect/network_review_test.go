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
