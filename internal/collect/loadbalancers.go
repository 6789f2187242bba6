package collect

import (
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// elbPageSize is the largest PageSize Elastic Load Balancing's describes
// accept (both APIs: 1–400).
const elbPageSize = 400

// ELBv2API is the part of the Elastic Load Balancing v2 client (ALB, NLB,
// GWLB) the collector calls. Read-only.
type ELBv2API interface {
	elbv2.DescribeLoadBalancersAPIClient
	elbv2.DescribeListenersAPIClient
	elbv2.DescribeRulesAPIClient
	elbv2.DescribeTargetGroupsAPIClient
	elbv2.DescribeTargetHealthAPIClient
	DescribeTargetGroupAttributes(ctx context.Context, in *elbv2.DescribeTargetGroupAttributesInput, optFns ...func(*elbv2.Options)) (*elbv2.DescribeTargetGroupAttributesOutput, error)
}

// ClassicELBAPI is the part of the Classic Load Balancer client the
// collector calls. Read-only.
type ClassicELBAPI interface {
	elb.DescribeLoadBalancersAPIClient
}

// Operation names of Elastic Load Balancing in coverage rows and logs. The
// Classic API's listing has the same name as v2's: the suffix tells them
// apart (IAM names both elasticloadbalancing:DescribeLoadBalancers).
const (
	opLoadBalancers         = "DescribeLoadBalancers"
	opListeners             = "DescribeListeners"
	opRules                 = "DescribeRules"
	opTargetGroups          = "DescribeTargetGroups"
	opTargetHealth          = "DescribeTargetHealth"
	opTargetGroupAttributes = "DescribeTargetGroupAttributes"
	opClassicLoadBalancers  = "DescribeLoadBalancers (Classic)"
)

// loadBalancers reads the pair's application, network and gateway load
// balancers (one listing), the listeners of each, and the rules of each
// application load balancer's listener: a rule may forward to a target
// group the default action does not name, which is as much a path from
// the internet. The API takes one load balancer, or one listener, per
// call. Any failure fails the kind: half a listener set would hide a port.
func (p *pairReader) loadBalancers(ctx context.Context, d *RegionData) {
	lbs, err := p.listLoadBalancers(ctx)
	if err != nil {
		p.fail(inventory.KindLoadBalancers, opLoadBalancers, err)
		return
	}
	listeners, err := p.listeners(ctx, lbs)
	if err != nil {
		p.fail(inventory.KindLoadBalancers, opListeners, err)
		return
	}
	rules, err := p.listenerRules(ctx, lbs, listeners)
	if err != nil {
		p.fail(inventory.KindLoadBalancers, opRules, err)
		return
	}
	d.LoadBalancers, d.Listeners, d.ListenerRules = nonNil(lbs), listeners, rules
}

// listeners asks each load balancer for its listeners. A load balancer
// deleted since it was listed has none to forward with.
func (p *pairReader) listeners(ctx context.Context, lbs []elbv2types.LoadBalancer) ([]elbv2types.Listener, error) {
	arns := make([]string, 0, len(lbs))
	for _, lb := range lbs {
		arns = append(arns, aws.ToString(lb.LoadBalancerArn))
	}
	per, err := fanOut(ctx, arns, func(ctx context.Context, arn string) ([]elbv2types.Listener, error) {
		got, err := drain(ctx, p.c, p.elbLim, p.log, opListeners,
			elbv2.NewDescribeListenersPaginator(p.elbv2, &elbv2.DescribeListenersInput{
				LoadBalancerArn: aws.String(arn),
				PageSize:        aws.Int32(elbPageSize),
			}),
			func(o *elbv2.DescribeListenersOutput) []elbv2types.Listener { return o.Listeners })
		if errorCode(err) == "LoadBalancerNotFound" {
			p.log.Debug("load balancer deleted during the scan", "load_balancer_arn", arn)
			return nil, nil
		}
		return got, err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(slices.Concat(per...)), nil
}

// listenerRules asks each listener of an application load balancer for its rules
// (only those have rules beyond the default action). A listener deleted
// since it was listed forwards nothing.
func (p *pairReader) listenerRules(ctx context.Context, lbs []elbv2types.LoadBalancer, listeners []elbv2types.Listener) (map[string][]elbv2types.Rule, error) {
	alb := map[string]bool{}
	for _, lb := range lbs {
		if lb.Type == elbv2types.LoadBalancerTypeEnumApplication {
			alb[aws.ToString(lb.LoadBalancerArn)] = true
		}
	}
	var arns []string
	for _, l := range listeners {
		if alb[aws.ToString(l.LoadBalancerArn)] {
			arns = append(arns, aws.ToString(l.ListenerArn))
		}
	}
	slices.Sort(arns)
	per, err := fanOut(ctx, arns, func(ctx context.Context, arn string) ([]elbv2types.Rule, error) {
		got, err := drain(ctx, p.c, p.elbLim, p.log, opRules,
			elbv2.NewDescribeRulesPaginator(p.elbv2, &elbv2.DescribeRulesInput{ListenerArn: aws.String(arn), PageSize: aws.Int32(elbPageSize)}),
			func(o *elbv2.DescribeRulesOutput) []elbv2types.Rule { return o.Rules })
		if errorCode(err) == "ListenerNotFound" {
			p.log.Debug("listener deleted during the scan", "listener_arn", arn)
			return nil, nil
		}
		return nonNil(got), err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]elbv2types.Rule, len(arns))
	for i, arn := range arns {
		if per[i] != nil {
			out[arn] = per[i]
		}
	}
	return out, nil
}

// targetGroups reads every target group of the pair (one listing), the
// registered targets of each, and, for a network load balancer's groups,
// whether they preserve the client's address. DescribeTargetHealth and
// DescribeTargetGroupAttributes take one group each and are not
// paginated. Any failure fails the kind.
func (p *pairReader) targetGroups(ctx context.Context, d *RegionData) {
	tgs, err := drain(ctx, p.c, p.elbLim, p.log, opTargetGroups,
		elbv2.NewDescribeTargetGroupsPaginator(p.elbv2, &elbv2.DescribeTargetGroupsInput{PageSize: aws.Int32(elbPageSize)}),
		func(o *elbv2.DescribeTargetGroupsOutput) []elbv2types.TargetGroup { return o.TargetGroups })
	if err != nil {
		p.fail(inventory.KindTargetGroups, opTargetGroups, err)
		return
	}
	arns := make([]string, 0, len(tgs))
	var nlbArns []string
	for _, tg := range tgs {
		arn := aws.ToString(tg.TargetGroupArn)
		arns = append(arns, arn)
		if preservesClientIPByProtocol(tg.Protocol) {
			nlbArns = append(nlbArns, arn)
		}
	}
	health, err := perTargetGroup(ctx, p, arns, func(ctx context.Context, arn string) ([]elbv2types.TargetHealthDescription, error) {
		out, err := p.elbv2.DescribeTargetHealth(ctx, &elbv2.DescribeTargetHealthInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		p.log.Debug("page", "api", opTargetHealth, "target_group_arn", arn, "items", len(out.TargetHealthDescriptions))
		return nonNil(out.TargetHealthDescriptions), nil
	})
	if err != nil {
		p.fail(inventory.KindTargetGroups, opTargetHealth, err)
		return
	}
	attrs, err := perTargetGroup(ctx, p, nlbArns, func(ctx context.Context, arn string) ([]elbv2types.TargetGroupAttribute, error) {
		out, err := p.elbv2.DescribeTargetGroupAttributes(ctx, &elbv2.DescribeTargetGroupAttributesInput{TargetGroupArn: aws.String(arn)})
		if err != nil {
			return nil, err
		}
		p.log.Debug("page", "api", opTargetGroupAttributes, "target_group_arn", arn, "items", len(out.Attributes))
		return nonNil(out.Attributes), nil
	})
	if err != nil {
		p.fail(inventory.KindTargetGroups, opTargetGroupAttributes, err)
		return
	}
	d.TargetGroups, d.TargetHealth, d.TargetGroupAttributes = nonNil(tgs), health, attrs
}

// perTargetGroup makes one unpaginated call per target group under the
// rate budget and returns the answers by ARN; a group deleted since it was
// listed is left out.
func perTargetGroup[T any](ctx context.Context, p *pairReader, arns []string, call func(context.Context, string) ([]T, error)) (map[string][]T, error) {
	per, err := fanOut(ctx, arns, func(ctx context.Context, arn string) ([]T, error) {
		got, err := apiCall(ctx, p.c, p.elbLim, func(ctx context.Context) ([]T, error) { return call(ctx, arn) })
		if errorCode(err) == "TargetGroupNotFound" {
			p.log.Debug("target group deleted during the scan", "target_group_arn", arn)
			return nil, nil
		}
		return got, err
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]T, len(arns))
	for i, arn := range arns {
		if per[i] != nil {
			out[arn] = per[i]
		}
	}
	return out, nil
}

// classicLoadBalancers reads the pair's Classic Load Balancers, listeners
// and registered instances included.
func (p *pairReader) classicLoadBalancers(ctx context.Context) []elbtypes.LoadBalancerDescription {
	out, err := p.listClassicLoadBalancers(ctx)
	return done(p, inventory.KindClassicLoadBalancers, opClassicLoadBalancers, out, err)
}

// nonNil is s, or an empty slice for nil: read, and none.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
