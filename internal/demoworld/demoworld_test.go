package demoworld

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sgaudit/sgaudit/internal/moto"
)

func TestSeedRefusesRealAWS(t *testing.T) {
	t.Parallel()
	if _, err := Seed(context.Background(), aws.Config{Region: "us-east-1"}); err == nil {
		t.Fatal("Seed without an emulator endpoint must refuse")
	}
}

// TestSeedCreatesTheWorld checks what the end-to-end tests rely on: every
// named group exists in its region, and the bastion's interface is public.
func TestSeedCreatesTheWorld(t *testing.T) {
	srv := moto.StartT(t)
	ctx := context.Background()
	w, err := Seed(ctx, srv.Config(ctx, "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Groups) != 9 {
		t.Errorf("seeded %d groups, want 9: %v", len(w.Groups), w.Groups)
	}
	c := ec2.NewFromConfig(srv.Config(ctx, "us-east-1"))
	out, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{w.GroupID("us-east-1", "bastion")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.NetworkInterfaces) != 1 || out.NetworkInterfaces[0].Association == nil || aws.ToString(out.NetworkInterfaces[0].Association.PublicIp) == "" {
		t.Fatalf("bastion interface has no public IP: %+v", out.NetworkInterfaces)
	}

	// The network: the public subnet routes 0.0.0.0/0 to an internet
	// gateway, the private one has only the main table's local route,
	// and db-1 is the target of an internet-facing NLB on MySQL.
	routes := func(subnet string) []string {
		t.Helper()
		out, err := c.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{
			{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, rt := range out.RouteTables {
			for _, r := range rt.Routes {
				target, _, _ := strings.Cut(aws.ToString(r.GatewayId), "-") // igw-0abc → igw
				got = append(got, aws.ToString(r.DestinationCidrBlock)+" "+target)
			}
		}
		return got
	}
	if got := routes(w.Subnets["us-east-1/prod-public"]); !slices.Equal(got, []string{"10.10.0.0/16 local", "0.0.0.0/0 igw"}) {
		t.Errorf("public subnet routes %v, want local and 0.0.0.0/0 to an internet gateway", got)
	}
	if got := routes(w.Subnets["us-east-1/prod-private"]); len(got) != 0 {
		t.Errorf("private subnet has an explicit route table with %v, want the main one", got)
	}
	lb := elbv2.NewFromConfig(srv.Config(ctx, "us-east-1"))
	lbs, err := lb.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{w.LoadBalancers["us-east-1/prod-db-nlb"]}})
	if err != nil || len(lbs.LoadBalancers) != 1 || lbs.LoadBalancers[0].Scheme != elbv2types.LoadBalancerSchemeEnumInternetFacing {
		t.Fatalf("prod-db-nlb: %v %+v", err, lbs)
	}
	tgs, err := lb.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: lbs.LoadBalancers[0].LoadBalancerArn})
	if err != nil || len(tgs.TargetGroups) != 1 {
		t.Fatalf("prod-db-nlb target groups: %v %+v", err, tgs)
	}
	health, err := lb.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: tgs.TargetGroups[0].TargetGroupArn})
	if err != nil {
		t.Fatal(err)
	}
	db, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{w.Interfaces["us-east-1/db-1"]}})
	if err != nil || len(health.TargetHealthDescriptions) != 1 ||
		aws.ToString(health.TargetHealthDescriptions[0].Target.Id) != aws.ToString(db.NetworkInterfaces[0].PrivateIpAddress) {
		t.Errorf("prod-db-nlb targets %+v, want db-1's address (%v)", health.TargetHealthDescriptions, err)
	}
}
