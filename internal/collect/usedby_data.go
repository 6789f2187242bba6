package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// Proof-of-use collectors of data stores: their interfaces exist while
// they run, but a stopped RDS instance or a cluster being created may have
// none.

// rdsGroups are the ids of RDS VPC security group memberships.
func rdsGroups(ms []rdstypes.VpcSecurityGroupMembership) []string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, aws.ToString(m.VpcSecurityGroupId))
	}
	return out
}

// readRDS lists DB instances and DB clusters; DocumentDB and Neptune
// clusters and instances are RDS resources and come with them.
func readRDS(ctx context.Context, r *useReader) ([]useRef, error) {
	c := rds.NewFromConfig(r.cfg)
	instances, err := useList(ctx, r, "DescribeDBInstances",
		rds.NewDescribeDBInstancesPaginator(c, &rds.DescribeDBInstancesInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return o.DBInstances })
	if err != nil {
		return nil, err
	}
	clusters, err := useList(ctx, r, "DescribeDBClusters",
		rds.NewDescribeDBClustersPaginator(c, &rds.DescribeDBClustersInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *rds.DescribeDBClustersOutput) []rdstypes.DBCluster { return o.DBClusters })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, db := range instances {
		out = append(out, refs(aws.ToString(db.DBInstanceArn), "", rdsGroups(db.VpcSecurityGroups)...)...)
	}
	for _, cl := range clusters {
		out = append(out, refs(aws.ToString(cl.DBClusterArn), "", rdsGroups(cl.VpcSecurityGroups)...)...)
	}
	return out, nil
}
