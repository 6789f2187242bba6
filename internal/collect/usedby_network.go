package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/route53resolver"
	r53rtypes "github.com/aws/aws-sdk-go-v2/service/route53resolver/types"
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

// readVPCEndpoints lists VPC endpoints (interface and Gateway Load
// Balancer endpoints carry groups).
func readVPCEndpoints(ctx context.Context, r *useReader) ([]useRef, error) {
	eps, err := useList(ctx, r, "DescribeVpcEndpoints",
		ec2.NewDescribeVpcEndpointsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeVpcEndpointsOutput) []ec2types.VpcEndpoint { return o.VpcEndpoints })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, ep := range eps {
		for _, g := range ep.Groups {
			out = append(out, refs(aws.ToString(ep.VpcEndpointId), "", aws.ToString(g.GroupId))...)
		}
	}
	return out, nil
}

// readResolverEndpoints lists Route 53 Resolver inbound and outbound
// endpoints.
func readResolverEndpoints(ctx context.Context, r *useReader) ([]useRef, error) {
	eps, err := useList(ctx, r, "ListResolverEndpoints",
		route53resolver.NewListResolverEndpointsPaginator(route53resolver.NewFromConfig(r.cfg),
			&route53resolver.ListResolverEndpointsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *route53resolver.ListResolverEndpointsOutput) []r53rtypes.ResolverEndpoint {
			return o.ResolverEndpoints
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, ep := range eps {
		out = append(out, refs(aws.ToString(ep.Arn), "", ep.SecurityGroupIds...)...)
	}
	return out, nil
}

// spotFleetLive are the Spot Fleet request states that may still launch
// instances.
var spotFleetLive = map[ec2types.BatchState]bool{
	ec2types.BatchStateSubmitted: true, ec2types.BatchStateActive: true, ec2types.BatchStateModifying: true,
}

// readSpotFleets lists Spot Fleet requests and reads the groups of their
// launch specifications (those given as launch templates are read with
// the templates).
func readSpotFleets(ctx context.Context, r *useReader) ([]useRef, error) {
	reqs, err := useList(ctx, r, "DescribeSpotFleetRequests",
		ec2.NewDescribeSpotFleetRequestsPaginator(ec2.NewFromConfig(r.cfg), &ec2.DescribeSpotFleetRequestsInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeSpotFleetRequestsOutput) []ec2types.SpotFleetRequestConfig {
			return o.SpotFleetRequestConfigs
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, q := range reqs {
		if !spotFleetLive[q.SpotFleetRequestState] || q.SpotFleetRequestConfig == nil {
			continue
		}
		id := aws.ToString(q.SpotFleetRequestId)
		for _, spec := range q.SpotFleetRequestConfig.LaunchSpecifications {
			for _, g := range spec.SecurityGroups {
				out = append(out, refs(id, "launch specification", aws.ToString(g.GroupId))...)
			}
			for _, ni := range spec.NetworkInterfaces {
				out = append(out, refs(id, "launch specification", ni.Groups...)...)
			}
		}
	}
	return out, nil
}
