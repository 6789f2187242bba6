package demoworld

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

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
}
