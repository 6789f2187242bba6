package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Page sizes of the network describes: the largest each accepts
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/, each action's
// MaxResults).
const (
	subnetPageSize       = 1000 // DescribeSubnets: 5–1000
	routeTablePageSize   = 100  // DescribeRouteTables: 5–100
	networkACLPageSize   = 100  // DescribeNetworkAcls: 5–100
	igwPageSize          = 1000 // DescribeInternetGateways: 5–1000
	egressOnlyGWPageSize = 255  // DescribeEgressOnlyInternetGateways: 5–255
)

// NetworkEC2API is the part of the EC2 client that reads what decides
// whether the internet reaches an interface (docs/inventory.md §16):
// subnets, route tables, network ACLs, gateways and addresses. Read-only.
type NetworkEC2API interface {
	ec2.DescribeSubnetsAPIClient
	ec2.DescribeRouteTablesAPIClient
	ec2.DescribeNetworkAclsAPIClient
	ec2.DescribeInternetGatewaysAPIClient
	ec2.DescribeEgressOnlyInternetGatewaysAPIClient
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
}

// Each network kind is one listing per account and region.

func (p *pairReader) subnets(ctx context.Context) []types.Subnet {
	const op = "DescribeSubnets"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeSubnetsPaginator(p.ec2, &ec2.DescribeSubnetsInput{MaxResults: aws.Int32(subnetPageSize)}),
		func(o *ec2.DescribeSubnetsOutput) []types.Subnet { return o.Subnets })
	return done(p, inventory.KindSubnets, op, out, err)
}

func (p *pairReader) routeTables(ctx context.Context) []types.RouteTable {
	const op = "DescribeRouteTables"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeRouteTablesPaginator(p.ec2, &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(routeTablePageSize)}),
		func(o *ec2.DescribeRouteTablesOutput) []types.RouteTable { return o.RouteTables })
	return done(p, inventory.KindRouteTables, op, out, err)
}

func (p *pairReader) networkACLs(ctx context.Context) []types.NetworkAcl {
	const op = "DescribeNetworkAcls"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeNetworkAclsPaginator(p.ec2, &ec2.DescribeNetworkAclsInput{MaxResults: aws.Int32(networkACLPageSize)}),
		func(o *ec2.DescribeNetworkAclsOutput) []types.NetworkAcl { return o.NetworkAcls })
	return done(p, inventory.KindNetworkACLs, op, out, err)
}

func (p *pairReader) internetGateways(ctx context.Context) []types.InternetGateway {
	const op = "DescribeInternetGateways"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeInternetGatewaysPaginator(p.ec2, &ec2.DescribeInternetGatewaysInput{MaxResults: aws.Int32(igwPageSize)}),
		func(o *ec2.DescribeInternetGatewaysOutput) []types.InternetGateway { return o.InternetGateways })
	return done(p, inventory.KindInternetGateways, op, out, err)
}

func (p *pairReader) egressOnlyGateways(ctx context.Context) []types.EgressOnlyInternetGateway {
	const op = "DescribeEgressOnlyInternetGateways"
	out, err := drain(ctx, p.c, p.lim, p.log, op,
		ec2.NewDescribeEgressOnlyInternetGatewaysPaginator(p.ec2, &ec2.DescribeEgressOnlyInternetGatewaysInput{MaxResults: aws.Int32(egressOnlyGWPageSize)}),
		func(o *ec2.DescribeEgressOnlyInternetGatewaysOutput) []types.EgressOnlyInternetGateway {
			return o.EgressOnlyInternetGateways
		})
	return done(p, inventory.KindEgressOnlyInternetGateways, op, out, err)
}

// addresses reads the Elastic IPs. DescribeAddresses is not paginated: it
// returns every address of the region in one answer (an account has five
// per region unless raised).
func (p *pairReader) addresses(ctx context.Context) []types.Address {
	const op = "DescribeAddresses"
	out, err := apiCall(ctx, p.c, p.lim, func(ctx context.Context) (*ec2.DescribeAddressesOutput, error) {
		return p.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
	})
	var items []types.Address
	if err == nil {
		items = out.Addresses
		p.log.Debug("page", "api", op, "page", 1, "items", len(items))
	}
	return done(p, inventory.KindAddresses, op, items, err)
}

// done records a failed kind, or returns what was read: never nil when
// the call succeeded, so "read, and none" stays apart from "not read".
func done[T any](p *pairReader, kind, op string, items []T, err error) []T {
	if err != nil {
		p.fail(kind, op, err)
		return nil
	}
	return nonNil(items)
}
