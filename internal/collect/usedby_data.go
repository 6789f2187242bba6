package collect

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	dms "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice"
	dmstypes "github.com/aws/aws-sdk-go-v2/service/databasemigrationservice/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	efstypes "github.com/aws/aws-sdk-go-v2/service/efs/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	ectypes "github.com/aws/aws-sdk-go-v2/service/elasticache/types"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	kafkatypes "github.com/aws/aws-sdk-go-v2/service/kafka/types"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	rstypes "github.com/aws/aws-sdk-go-v2/service/redshift/types"
	"github.com/aws/aws-sdk-go-v2/service/redshiftserverless"
	rsstypes "github.com/aws/aws-sdk-go-v2/service/redshiftserverless/types"
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

// readRDSProxy lists RDS proxies and their endpoints: a proxy's groups,
// and those of each endpoint made besides the default one (an endpoint
// may name groups of its own, in another VPC even). A proxy keeps them
// while its targets are stopped.
func readRDSProxy(ctx context.Context, r *useReader) ([]useRef, error) {
	out, err := readDBProxies(ctx, r)
	if err != nil {
		return nil, err
	}
	eps, err := readDBProxyEndpoints(ctx, r)
	if err != nil {
		return nil, err
	}
	return append(out, eps...), nil
}

// readDBProxies is the proxies' part of readRDSProxy.
func readDBProxies(ctx context.Context, r *useReader) ([]useRef, error) {
	proxies, err := useList(ctx, r, "DescribeDBProxies",
		rds.NewDescribeDBProxiesPaginator(rds.NewFromConfig(r.cfg), &rds.DescribeDBProxiesInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *rds.DescribeDBProxiesOutput) []rdstypes.DBProxy { return o.DBProxies })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, p := range proxies {
		out = append(out, refs(aws.ToString(p.DBProxyArn), "", p.VpcSecurityGroupIds...)...)
	}
	return out, nil
}

// readDBProxyEndpoints is the endpoints' part of readRDSProxy. The
// default endpoint of a proxy has the proxy's groups, which
// readDBProxies gives with the proxy's ARN.
func readDBProxyEndpoints(ctx context.Context, r *useReader) ([]useRef, error) {
	eps, err := useList(ctx, r, "DescribeDBProxyEndpoints",
		rds.NewDescribeDBProxyEndpointsPaginator(rds.NewFromConfig(r.cfg), &rds.DescribeDBProxyEndpointsInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *rds.DescribeDBProxyEndpointsOutput) []rdstypes.DBProxyEndpoint { return o.DBProxyEndpoints })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, e := range eps {
		if aws.ToBool(e.IsDefault) {
			continue
		}
		out = append(out, refs(aws.ToString(e.DBProxyEndpointArn), "endpoint of proxy "+aws.ToString(e.DBProxyName), e.VpcSecurityGroupIds...)...)
	}
	return out, nil
}

// readElastiCache lists cache clusters, the nodes of replication groups
// included.
func readElastiCache(ctx context.Context, r *useReader) ([]useRef, error) {
	clusters, err := useList(ctx, r, "DescribeCacheClusters",
		elasticache.NewDescribeCacheClustersPaginator(elasticache.NewFromConfig(r.cfg),
			&elasticache.DescribeCacheClustersInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *elasticache.DescribeCacheClustersOutput) []ectypes.CacheCluster { return o.CacheClusters })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, cl := range clusters {
		detail := ""
		if rg := aws.ToString(cl.ReplicationGroupId); rg != "" {
			detail = "replication group " + rg
		}
		for _, m := range cl.SecurityGroups {
			out = append(out, refs(aws.ToString(cl.ARN), detail, aws.ToString(m.SecurityGroupId))...)
		}
	}
	return out, nil
}

// readElastiCacheServerless lists serverless caches: a kind of its own,
// since an endpoint may have cache clusters without them.
func readElastiCacheServerless(ctx context.Context, r *useReader) ([]useRef, error) {
	caches, err := useList(ctx, r, "DescribeServerlessCaches",
		elasticache.NewDescribeServerlessCachesPaginator(elasticache.NewFromConfig(r.cfg),
			&elasticache.DescribeServerlessCachesInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *elasticache.DescribeServerlessCachesOutput) []ectypes.ServerlessCache {
			return o.ServerlessCaches
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, c := range caches {
		out = append(out, refs(aws.ToString(c.ARN), "", c.SecurityGroupIds...)...)
	}
	return out, nil
}

// readRedshift lists provisioned clusters; a paused cluster has no
// interface.
func readRedshift(ctx context.Context, r *useReader) ([]useRef, error) {
	clusters, err := useList(ctx, r, "DescribeClusters",
		redshift.NewDescribeClustersPaginator(redshift.NewFromConfig(r.cfg), &redshift.DescribeClustersInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *redshift.DescribeClustersOutput) []rstypes.Cluster { return o.Clusters })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, cl := range clusters {
		arn := r.arn("redshift", "cluster:"+aws.ToString(cl.ClusterIdentifier))
		for _, m := range cl.VpcSecurityGroups {
			out = append(out, refs(arn, "", aws.ToString(m.VpcSecurityGroupId))...)
		}
	}
	return out, nil
}

// readRedshiftServerless lists Redshift Serverless workgroups, whose
// configuration names the groups of their endpoint's interfaces: the
// groups a workgroup is recreated or moved with.
func readRedshiftServerless(ctx context.Context, r *useReader) ([]useRef, error) {
	wgs, err := useList(ctx, r, "ListWorkgroups",
		redshiftserverless.NewListWorkgroupsPaginator(redshiftserverless.NewFromConfig(r.cfg),
			&redshiftserverless.ListWorkgroupsInput{MaxResults: aws.Int32(100)}), // 1–100
		func(o *redshiftserverless.ListWorkgroupsOutput) []rsstypes.Workgroup { return o.Workgroups })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, w := range wgs {
		out = append(out, refs(aws.ToString(w.WorkgroupArn), "", w.SecurityGroupIds...)...)
	}
	return out, nil
}

// openSearchDescribeBatch is how many domains DescribeDomains takes.
const openSearchDescribeBatch = 5

// readOpenSearch lists domain names (OpenSearch and Elasticsearch) and
// describes them five at a time.
func readOpenSearch(ctx context.Context, r *useReader) ([]useRef, error) {
	c := opensearch.NewFromConfig(r.cfg)
	list, err := useCall(ctx, r, "ListDomainNames", func(ctx context.Context) (*opensearch.ListDomainNamesOutput, error) {
		return c.ListDomainNames(ctx, &opensearch.ListDomainNamesInput{}) // not paginated: every domain
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range list.DomainNames {
		names = append(names, aws.ToString(d.DomainName))
	}
	var out []useRef
	for i := 0; i < len(names); i += openSearchDescribeBatch {
		chunk := names[i:min(i+openSearchDescribeBatch, len(names))]
		d, err := useCall(ctx, r, "DescribeDomains", func(ctx context.Context) (*opensearch.DescribeDomainsOutput, error) {
			return c.DescribeDomains(ctx, &opensearch.DescribeDomainsInput{DomainNames: chunk})
		})
		if err != nil {
			return nil, err
		}
		for _, s := range d.DomainStatusList {
			if s.VPCOptions != nil {
				out = append(out, refs(aws.ToString(s.ARN), "", s.VPCOptions.SecurityGroupIds...)...)
			}
		}
	}
	return out, nil
}

// readMSK lists provisioned and serverless MSK clusters.
func readMSK(ctx context.Context, r *useReader) ([]useRef, error) {
	clusters, err := useList(ctx, r, "ListClustersV2",
		kafka.NewListClustersV2Paginator(kafka.NewFromConfig(r.cfg), &kafka.ListClustersV2Input{MaxResults: aws.Int32(100)}), // 1–100
		func(o *kafka.ListClustersV2Output) []kafkatypes.Cluster { return o.ClusterInfoList })
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, cl := range clusters {
		arn := aws.ToString(cl.ClusterArn)
		if p := cl.Provisioned; p != nil && p.BrokerNodeGroupInfo != nil {
			out = append(out, refs(arn, "", p.BrokerNodeGroupInfo.SecurityGroups...)...)
		}
		if s := cl.Serverless; s != nil {
			for _, v := range s.VpcConfigs {
				out = append(out, refs(arn, "", v.SecurityGroupIds...)...)
			}
		}
	}
	return out, nil
}

// readEFS lists file systems, their mount targets and each mount target's
// groups: the only way EFS gives them. A mount target always has an
// interface too, so this kind costs the most and proves the least; it
// names the file system a group serves.
func readEFS(ctx context.Context, r *useReader) ([]useRef, error) {
	c := efs.NewFromConfig(r.cfg)
	fss, err := useList(ctx, r, "DescribeFileSystems",
		efs.NewDescribeFileSystemsPaginator(c, &efs.DescribeFileSystemsInput{MaxItems: aws.Int32(1000)}),
		func(o *efs.DescribeFileSystemsOutput) []efstypes.FileSystemDescription { return o.FileSystems })
	if err != nil {
		return nil, err
	}
	return useFanOut(ctx, fss, func(ctx context.Context, fs efstypes.FileSystemDescription) ([]useRef, error) {
		mts, err := useList(ctx, r, "DescribeMountTargets",
			efs.NewDescribeMountTargetsPaginator(c, &efs.DescribeMountTargetsInput{FileSystemId: fs.FileSystemId, MaxItems: aws.Int32(100)}),
			func(o *efs.DescribeMountTargetsOutput) []efstypes.MountTargetDescription { return o.MountTargets })
		if err != nil {
			return nil, err
		}
		var out []useRef
		for _, mt := range mts {
			d, err := useCall(ctx, r, "DescribeMountTargetSecurityGroups", func(ctx context.Context) (*efs.DescribeMountTargetSecurityGroupsOutput, error) {
				return c.DescribeMountTargetSecurityGroups(ctx, &efs.DescribeMountTargetSecurityGroupsInput{MountTargetId: mt.MountTargetId})
			})
			if err != nil {
				return nil, err
			}
			out = append(out, refs(aws.ToString(fs.FileSystemArn), "mount target "+aws.ToString(mt.MountTargetId), d.SecurityGroups...)...)
		}
		return out, nil
	})
}

// readDMS lists replication instances.
func readDMS(ctx context.Context, r *useReader) ([]useRef, error) {
	insts, err := useList(ctx, r, "DescribeReplicationInstances",
		dms.NewDescribeReplicationInstancesPaginator(dms.NewFromConfig(r.cfg), &dms.DescribeReplicationInstancesInput{MaxRecords: aws.Int32(100)}), // 20–100
		func(o *dms.DescribeReplicationInstancesOutput) []dmstypes.ReplicationInstance {
			return o.ReplicationInstances
		})
	if err != nil {
		return nil, err
	}
	var out []useRef
	for _, in := range insts {
		for _, m := range in.VpcSecurityGroups {
			out = append(out, refs(aws.ToString(in.ReplicationInstanceArn), "", aws.ToString(m.VpcSecurityGroupId))...)
		}
	}
	return out, nil
}
