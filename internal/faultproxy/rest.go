package faultproxy

import (
	"net/http"
	"regexp"
)

// restOperations names the operations of the REST protocols (REST-JSON),
// which carry the operation in neither a header nor the body but in the
// method and path: the read-only operations sgaudit's proof-of-use
// collectors call, by SigV4 signing name. A REST request not listed here
// keeps an empty action, so a test that holds every action to a read-only
// pattern notices it.
var restOperations = map[string][]restOperation{
	"lambda": {
		{http.MethodGet, `^/2015-03-31/functions/?$`, "ListFunctions"},
	},
	"eks": {
		{http.MethodGet, `^/clusters/?$`, "ListClusters"},
		{http.MethodGet, `^/clusters/[^/]+/?$`, "DescribeCluster"},
		{http.MethodGet, `^/clusters/[^/]+/node-groups/?$`, "ListNodegroups"},
		{http.MethodGet, `^/clusters/[^/]+/node-groups/[^/]+/?$`, "DescribeNodegroup"},
	},
	"elasticfilesystem": {
		{http.MethodGet, `^/2015-02-01/file-systems/?$`, "DescribeFileSystems"},
		{http.MethodGet, `^/2015-02-01/mount-targets/?$`, "DescribeMountTargets"},
		{http.MethodGet, `^/2015-02-01/mount-targets/[^/]+/security-groups/?$`, "DescribeMountTargetSecurityGroups"},
	},
	"es": {
		{http.MethodGet, `^/2021-01-01/domain/?$`, "ListDomainNames"},
		{http.MethodPost, `^/2021-01-01/opensearch/domain-info/?$`, "DescribeDomains"},
	},
	"kafka": {
		{http.MethodGet, `^/api/v2/clusters/?$`, "ListClustersV2"},
	},
	"batch": {
		{http.MethodPost, `^/v1/describecomputeenvironments/?$`, "DescribeComputeEnvironments"},
	},
	"airflow": {
		{http.MethodGet, `^/environments/?$`, "ListEnvironments"},
		{http.MethodGet, `^/environments/[^/]+/?$`, "GetEnvironment"},
	},
	"scheduler": {
		{http.MethodGet, `^/schedules/?$`, "ListSchedules"},
		{http.MethodGet, `^/schedules/[^/]+/?$`, "GetSchedule"},
	},
	"pipes": {
		{http.MethodGet, `^/v1/pipes/?$`, "ListPipes"},
		{http.MethodGet, `^/v1/pipes/[^/]+/?$`, "DescribePipe"},
	},
	"emr-serverless": {
		{http.MethodGet, `^/applications/?$`, "ListApplications"},
		{http.MethodGet, `^/applications/[^/]+/?$`, "GetApplication"},
	},
}

type restOperation struct {
	method string
	path   string
	name   string
}

// restPatterns are the compiled paths of restOperations.
var restPatterns = func() map[string]*regexp.Regexp {
	out := map[string]*regexp.Regexp{}
	for _, ops := range restOperations {
		for _, op := range ops {
			out[op.path] = regexp.MustCompile(op.path)
		}
	}
	return out
}()

// restOperationName returns the operation of a REST request of service,
// "" when it is not one of restOperations.
func restOperationName(service string, r *http.Request) string {
	for _, op := range restOperations[service] {
		if r.Method == op.method && restPatterns[op.path].MatchString(r.URL.Path) {
			return op.name
		}
	}
	return ""
}
