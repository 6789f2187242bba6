package collect

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
)

// This file extends the fakes of fake_test.go with the network and load
// balancer reads: regionFake's net holds their canned pages, and the
// Elastic Load Balancing clients are fakeEC2 under another method set
// (both APIs name their listing DescribeLoadBalancers).

// networkFake is the network and load balancers of one region.
type networkFake struct {
	subnetPages [][]types.Subnet
	rtPages     [][]types.RouteTable
	aclPages    [][]types.NetworkAcl
	igwPages    [][]types.InternetGateway
	eigwPages   [][]types.EgressOnlyInternetGateway
	addresses   []types.Address
	lbPages     [][]elbv2types.LoadBalancer
	// listenerPages: load balancer ARN → pages; an ARN without an entry
	// answers LoadBalancerNotFound.
	listenerPages map[string][][]elbv2types.Listener
	// rulePages: listener ARN → pages of DescribeRules; a listener
	// without an entry answers ListenerNotFound.
	rulePages map[string][][]elbv2types.Rule
	tgPages   [][]elbv2types.TargetGroup
	// health: target group ARN → its targets; an ARN without an entry
	// answers TargetGroupNotFound.
	health map[string][]elbv2types.TargetHealthDescription
	// attrs: target group ARN → its attributes; an ARN without an entry
	// answers TargetGroupNotFound.
	attrs        map[string][]elbv2types.TargetGroupAttribute
	classicPages [][]elbtypes.LoadBalancerDescription
}

func (e *fakeEC2) DescribeSubnets(ctx context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeSubnets", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.net.subnetPages, in.NextToken)
	return &ec2.DescribeSubnetsOutput{Subnets: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeRouteTables(ctx context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeRouteTables", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.net.rtPages, in.NextToken)
	return &ec2.DescribeRouteTablesOutput{RouteTables: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeNetworkAcls(ctx context.Context, in *ec2.DescribeNetworkAclsInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeNetworkAcls", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.net.aclPages, in.NextToken)
	return &ec2.DescribeNetworkAclsOutput{NetworkAcls: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeInternetGateways(ctx context.Context, in *ec2.DescribeInternetGatewaysInput, _ ...func(*ec2.Options)) (*ec2.DescribeInternetGatewaysOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeInternetGateways", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.net.igwPages, in.NextToken)
	return &ec2.DescribeInternetGatewaysOutput{InternetGateways: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeEgressOnlyInternetGateways(ctx context.Context, in *ec2.DescribeEgressOnlyInternetGatewaysInput, _ ...func(*ec2.Options)) (*ec2.DescribeEgressOnlyInternetGatewaysOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeEgressOnlyInternetGateways", MaxResults: aws.ToInt32(in.MaxResults), NextToken: aws.ToString(in.NextToken)})
	if err != nil {
		return nil, err
	}
	items, next, err := page(d.net.eigwPages, in.NextToken)
	return &ec2.DescribeEgressOnlyInternetGatewaysOutput{EgressOnlyInternetGateways: items, NextToken: next}, err
}

func (e *fakeEC2) DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	d, err := e.begin(ctx, call{Op: "DescribeAddresses"})
	if err != nil {
		return nil, err
	}
	if len(in.AllocationIds) > 0 || len(in.PublicIps) > 0 || len(in.Filters) > 0 {
		return nil, errors.New("fake: want every address")
	}
	return &ec2.DescribeAddressesOutput{Addresses: d.net.addresses}, nil
}

// fakeELBv2 is one region's Elastic Load Balancing v2 client.
type fakeELBv2 struct{ *fakeEC2 }

// fakeClassicELB is one region's Classic Load Balancer client.
type fakeClassicELB struct{ *fakeEC2 }

func (f *fakeCloud) elbv2Client(_ aws.Config, region string) ELBv2API {
	return fakeELBv2{&fakeEC2{cloud: f, region: region}}
}

func (f *fakeCloud) elbClient(_ aws.Config, region string) ClassicELBAPI {
	return fakeClassicELB{&fakeEC2{cloud: f, region: region}}
}

func (o *fakeOrg) elbv2Client(cfg aws.Config, region string) ELBv2API {
	return fakeELBv2{o.client(cfg, region).(*fakeEC2)}
}

func (o *fakeOrg) elbClient(cfg aws.Config, region string) ClassicELBAPI {
	return fakeClassicELB{o.client(cfg, region).(*fakeEC2)}
}

func (e fakeELBv2) DescribeLoadBalancers(ctx context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	d, err := e.begin(ctx, call{Op: opLoadBalancers, MaxResults: aws.ToInt32(in.PageSize), NextToken: aws.ToString(in.Marker)})
	if err != nil {
		return nil, err
	}
	if len(in.LoadBalancerArns) > 0 || len(in.Names) > 0 {
		return nil, errors.New("fake: want every load balancer")
	}
	items, next, err := page(d.net.lbPages, in.Marker)
	return &elbv2.DescribeLoadBalancersOutput{LoadBalancers: items, NextMarker: next}, err
}

func (e fakeELBv2) DescribeListeners(ctx context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	arn := aws.ToString(in.LoadBalancerArn)
	d, err := e.begin(ctx, call{Op: opListeners, MaxResults: aws.ToInt32(in.PageSize), NextToken: aws.ToString(in.Marker), Arg: arn})
	if err != nil {
		return nil, err
	}
	pages, ok := d.net.listenerPages[arn]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "LoadBalancerNotFound", Message: "no load balancer " + arn}
	}
	items, next, err := page(pages, in.Marker)
	return &elbv2.DescribeListenersOutput{Listeners: items, NextMarker: next}, err
}

func (e fakeELBv2) DescribeRules(ctx context.Context, in *elbv2.DescribeRulesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeRulesOutput, error) {
	arn := aws.ToString(in.ListenerArn)
	d, err := e.begin(ctx, call{Op: opRules, MaxResults: aws.ToInt32(in.PageSize), NextToken: aws.ToString(in.Marker), Arg: arn})
	if err != nil {
		return nil, err
	}
	pages, ok := d.net.rulePages[arn]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ListenerNotFound", Message: "no listener " + arn}
	}
	items, next, err := page(pages, in.Marker)
	return &elbv2.DescribeRulesOutput{Rules: items, NextMarker: next}, err
}

func (e fakeELBv2) DescribeTargetGroupAttributes(ctx context.Context, in *elbv2.DescribeTargetGroupAttributesInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error) {
	arn := aws.ToString(in.TargetGroupArn)
	d, err := e.begin(ctx, call{Op: opTargetGroupAttributes, Arg: arn})
	if err != nil {
		return nil, err
	}
	attrs, ok := d.net.attrs[arn]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "TargetGroupNotFound", Message: "no target group " + arn}
	}
	return &elbv2.DescribeTargetGroupAttributesOutput{Attributes: attrs}, nil
}

func (e fakeELBv2) DescribeTargetGroups(ctx context.Context, in *elbv2.DescribeTargetGroupsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupsOutput, error) {
	d, err := e.begin(ctx, call{Op: opTargetGroups, MaxResults: aws.ToInt32(in.PageSize), NextToken: aws.ToString(in.Marker)})
	if err != nil {
		return nil, err
	}
	if in.LoadBalancerArn != nil || len(in.TargetGroupArns) > 0 || len(in.Names) > 0 {
		return nil, errors.New("fake: want every target group")
	}
	items, next, err := page(d.net.tgPages, in.Marker)
	return &elbv2.DescribeTargetGroupsOutput{TargetGroups: items, NextMarker: next}, err
}

func (e fakeELBv2) DescribeTargetHealth(ctx context.Context, in *elbv2.DescribeTargetHealthInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTargetHealthOutput, error) {
	arn := aws.ToString(in.TargetGroupArn)
	d, err := e.begin(ctx, call{Op: opTargetHealth, Arg: arn})
	if err != nil {
		return nil, err
	}
	if len(in.Targets) > 0 {
		return nil, errors.New("fake: want every target")
	}
	targets, ok := d.net.health[arn]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "TargetGroupNotFound", Message: "no target group " + arn}
	}
	return &elbv2.DescribeTargetHealthOutput{TargetHealthDescriptions: targets}, nil
}

func (e fakeClassicELB) DescribeLoadBalancers(ctx context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	d, err := e.begin(ctx, call{Op: opClassicLoadBalancers, MaxResults: aws.ToInt32(in.PageSize), NextToken: aws.ToString(in.Marker)})
	if err != nil {
		return nil, err
	}
	if len(in.LoadBalancerNames) > 0 {
		return nil, errors.New("fake: want every load balancer")
	}
	items, next, err := page(d.net.classicPages, in.Marker)
	return &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: items, NextMarker: next}, err
}
