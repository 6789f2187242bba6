package collect

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

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
	if r.pair != nil {
		// The network model lists them too: one listing serves both.
		lbs, err := r.pair.listLoadBalancers(ctx)
		if err != nil {
			return nil, err
		}
		return elbv2Refs(lbs), nil
	}
	lbs, err := useList(ctx, r, "DescribeLoadBalancers",
		elbv2.NewDescribeLoadBalancersPaginator(elbv2.NewFromConfig(r.cfg),
			&elbv2.DescribeLoadBalancersInput{PageSize: aws.Int32(loadBalancerPageSize)}),
		func(o *elbv2.DescribeLoadBalancersOutput) []elbv2types.LoadBalancer { return o.LoadBalancers })
	if err != nil {
		return nil, err
	}
	return elbv2Refs(lbs), nil
}

func elbv2Refs(lbs []elbv2types.LoadBalancer) []useRef {
	var out []useRef
	for _, lb := range lbs {
		out = append(out, refs(aws.ToString(lb.LoadBalancerArn), "", lb.SecurityGroups...)...)
	}
	return out
}

// readELB lists Classic Load Balancers. Their answer has no ARN; the
// evidence gives the one IAM and CloudTrail use.
func readELB(ctx context.Context, r *useReader) ([]useRef, error) {
	if r.pair != nil {
		lbs, err := r.pair.listClassicLoadBalancers(ctx)
		if err != nil {
			return nil, err
		}
		return r.classicRefs(lbs), nil
	}
	lbs, err := useList(ctx, r, "DescribeLoadBalancers",
		elb.NewDescribeLoadBalancersPaginator(elb.NewFromConfig(r.cfg),
			&elb.DescribeLoadBalancersInput{PageSize: aws.Int32(loadBalancerPageSize)}),
		func(o *elb.DescribeLoadBalancersOutput) []elbtypes.LoadBalancerDescription {
			return o.LoadBalancerDescriptions
		})
	if err != nil {
		return nil, err
	}
	return r.classicRefs(lbs), nil
}

func (r *useReader) classicRefs(lbs []elbtypes.LoadBalancerDescription) []useRef {
	var out []useRef
	for _, lb := range lbs {
		arn := r.arn("elasticloadbalancing", "loadbalancer/"+aws.ToString(lb.LoadBalancerName))
		out = append(out, refs(arn, "", lb.SecurityGroups...)...)
	}
	return out
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
// launch specifications, and of the launch template versions they name.
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
	perFleet := map[string][]fleetTemplate{}
	var specs []fleetTemplate
	for _, q := range reqs {
		if !spotFleetLive[q.SpotFleetRequestState] || q.SpotFleetRequestConfig == nil {
			continue
		}
		id := aws.ToString(q.SpotFleetRequestId)
		for _, cfg := range q.SpotFleetRequestConfig.LaunchTemplateConfigs {
			if s := cfg.LaunchTemplateSpecification; s != nil {
				t := fleetTemplate{id: aws.ToString(s.LaunchTemplateId), name: aws.ToString(s.LaunchTemplateName), version: aws.ToString(s.Version)}
				perFleet[id] = append(perFleet[id], t)
				specs = append(specs, t)
			}
		}
		for _, spec := range q.SpotFleetRequestConfig.LaunchSpecifications {
			for _, g := range spec.SecurityGroups {
				// A launch specification in a default VPC may name its
				// groups by name only; linkUses resolves names.
				out = append(out, refs(id, "launch specification", cmp.Or(aws.ToString(g.GroupId), aws.ToString(g.GroupName)))...)
			}
			for _, ni := range spec.NetworkInterfaces {
				out = append(out, refs(id, "launch specification", ni.Groups...)...)
			}
		}
	}
	if len(specs) == 0 {
		return out, nil
	}
	groups, err := templateGroups(ctx, r, ec2.NewFromConfig(r.cfg), specs)
	if err != nil {
		return nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(perFleet)) {
		out = append(out, fleetRefs(id, perFleet[id], groups)...)
	}
	return out, nil
}

// fleetTemplate is a launch template version a fleet launches from, as the
// fleet names it: by id or name, and a version number, $Default or
// $Latest ("" is $Default).
type fleetTemplate struct {
	id, name, version string
}

func (f fleetTemplate) String() string {
	return "launch template " + cmp.Or(f.id, f.name) + " version " + cmp.Or(f.version, "$Default")
}

// templateGroups reads the groups of the launch template versions fleets
// name, one DescribeLaunchTemplateVersions call per template: a fleet may
// pin a version other than the $Default and $Latest ones that
// launch_templates reads. Groups named by name come back as names. A
// template deleted since the fleet was read names nothing.
func templateGroups(ctx context.Context, r *useReader, c *ec2.Client, specs []fleetTemplate) (map[fleetTemplate][]string, error) {
	byTemplate := map[fleetTemplate][]string{} // template (no version) → versions asked
	for _, s := range specs {
		t := fleetTemplate{id: s.id, name: s.name}
		v := cmp.Or(s.version, "$Default")
		if !slices.Contains(byTemplate[t], v) {
			byTemplate[t] = append(byTemplate[t], v)
		}
	}
	out := map[fleetTemplate][]string{}
	templates := slices.SortedFunc(maps.Keys(byTemplate), func(a, b fleetTemplate) int {
		return cmp.Or(cmp.Compare(a.id, b.id), cmp.Compare(a.name, b.name))
	})
	for _, t := range templates {
		versions, err := templateVersions(ctx, r, c, t, byTemplate[t])
		if err != nil {
			return nil, err
		}
		var latest int64
		for _, v := range versions {
			latest = max(latest, aws.ToInt64(v.VersionNumber))
		}
		for _, v := range versions {
			d := v.LaunchTemplateData
			if d == nil {
				continue
			}
			groups := slices.Concat(d.SecurityGroupIds, d.SecurityGroups)
			for _, ni := range d.NetworkInterfaces {
				groups = append(groups, ni.Groups...)
			}
			n := aws.ToInt64(v.VersionNumber)
			for _, asked := range byTemplate[t] {
				if asked == strconv.FormatInt(n, 10) || (asked == "$Default" && aws.ToBool(v.DefaultVersion)) || (asked == "$Latest" && n == latest) {
					out[fleetTemplate{id: t.id, name: t.name, version: asked}] = groups
				}
			}
		}
	}
	return out, nil
}

// templateVersions reads the versions asked of one launch template, every
// page of them. One version deleted since it was named fails the whole
// call (VersionNotFound): then each version is asked alone, so the others
// still count. A template deleted names nothing.
func templateVersions(ctx context.Context, r *useReader, c *ec2.Client, t fleetTemplate, versions []string) ([]ec2types.LaunchTemplateVersion, error) {
	in := &ec2.DescribeLaunchTemplateVersionsInput{Versions: versions, MaxResults: aws.Int32(launchTemplatePageSize)}
	if t.id != "" {
		in.LaunchTemplateId = aws.String(t.id)
	} else {
		in.LaunchTemplateName = aws.String(t.name)
	}
	out, err := useList(ctx, r, "DescribeLaunchTemplateVersions", ec2.NewDescribeLaunchTemplateVersionsPaginator(c, in),
		func(o *ec2.DescribeLaunchTemplateVersionsOutput) []ec2types.LaunchTemplateVersion {
			return o.LaunchTemplateVersions
		})
	code := errorCode(err)
	switch {
	case err == nil:
		return out, nil
	case strings.Contains(code, "VersionNotFound") && len(versions) > 1:
		var all []ec2types.LaunchTemplateVersion
		for _, v := range versions {
			one, err := templateVersions(ctx, r, c, t, []string{v})
			if err != nil {
				return nil, err
			}
			all = append(all, one...)
		}
		return all, nil
	case strings.Contains(code, "NotFound"):
		return nil, nil
	}
	return nil, err
}

// fleetRefs are the references of one fleet's launch templates.
func fleetRefs(id string, specs []fleetTemplate, groups map[fleetTemplate][]string) []useRef {
	var out []useRef
	for _, s := range specs {
		s.version = cmp.Or(s.version, "$Default")
		out = append(out, refs(id, s.String(), groups[s]...)...)
	}
	return out
}

// ec2FleetLive are the EC2 Fleet states that may still launch instances.
var ec2FleetLive = map[ec2types.FleetStateCode]bool{
	ec2types.FleetStateCodeSubmitted: true, ec2types.FleetStateCodeActive: true, ec2types.FleetStateCodeModifying: true,
}

// readEC2Fleets lists EC2 Fleets and reads the launch template versions
// they launch from.
func readEC2Fleets(ctx context.Context, r *useReader) ([]useRef, error) {
	c := ec2.NewFromConfig(r.cfg)
	fleets, err := useList(ctx, r, "DescribeFleets",
		ec2.NewDescribeFleetsPaginator(c, &ec2.DescribeFleetsInput{MaxResults: aws.Int32(maxResults)}),
		func(o *ec2.DescribeFleetsOutput) []ec2types.FleetData { return o.Fleets })
	if err != nil {
		return nil, err
	}
	perFleet := map[string][]fleetTemplate{}
	var ids []string
	var specs []fleetTemplate
	for _, f := range fleets {
		if !ec2FleetLive[f.FleetState] {
			continue
		}
		id := aws.ToString(f.FleetId)
		ids = append(ids, id)
		for _, cfg := range f.LaunchTemplateConfigs {
			if s := cfg.LaunchTemplateSpecification; s != nil {
				t := fleetTemplate{id: aws.ToString(s.LaunchTemplateId), name: aws.ToString(s.LaunchTemplateName), version: aws.ToString(s.Version)}
				perFleet[id] = append(perFleet[id], t)
				specs = append(specs, t)
			}
		}
	}
	groups, err := templateGroups(ctx, r, c, specs)
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, id := range ids {
		out = append(out, fleetRefs(id, perFleet[id], groups)...)
	}
	return out, nil
}
