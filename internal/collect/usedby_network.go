package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
)

// Proof-of-use collectors of networking resources.

// loadBalancerPageSize is the largest page DescribeLoadBalancers takes
// (both versions): 1–400.
const loadBalancerPageSize = 400

// readELBv2 lists Application, Network and Gateway Load Balancers.
func readELBv2(ctx context.Context, r *useReader) ([]useRef, error) {
	lbs, err := useList(ctx, r, "DescribeLoadBalancers",
		elbv2.NewDescribeLoadBalancersPaginator(elbv2.NewFromConfig(r.cfg),
			&elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(loadBalancerPageSize)}),
		func(o *elbv2.DescribeLoadBalancersOutput) []elbv2types.LoadBalancer { return o.LoadBalancers })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, lb := range lbs {
		out = append(out, refs(aws.ToString(lb.LoadBalancerArn), "", lb.SecurityGroups...)...)
	}
	return out, nil
}

// readELB lists Classic Load Balancers. Their answer has no ARN; the
// evidence gives the one IAM and CloudTrail use.
func readELB(ctx context.Context, r *useReader) ([]useRef, error) {
	lbs, err := useList(ctx, r, "DescribeLoadBalancers",
		elb.NewDescribeLoadBalancersPaginator(elb.NewFromConfig(r.cfg),
			&elb.DescribeLoadBalancersInput{PageSize: aws.Int32(loadBalancerPageSize)}),
		func(o *elb.DescribeLoadBalancersOutput) []elbtypes.LoadBalancerDescription {
			return o.LoadBalancerDescriptions
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, lb := range lbs {
		arn := r.arn("elasticloadbalancing", "loadbalancer/"+aws.ToString(lb.LoadBalancerName))
		out = append(out, refs(arn, "", lb.SecurityGroups...)...)
	}
	return out, nil
}
