package collect

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// useKinds is the table of proof-of-use kinds (usedby.go), in the order a
// coverage row names their failures. Adding a service is one collector
// and one row here; `make docs` regenerates the table of
// docs/checks/SGA008.md from it, TestUseKindsDoc fails while that page is
// stale, and TestUseKindsMatchPolicy while SGA008 or the IAM policy
// example does not know a kind.
func useKinds() []useKind {
	return []useKind{
		{
			Kind: "lambda", Service: "AWS Lambda", Resources: "functions, every published version included",
			APIs: []string{"ListFunctions"}, IAM: []string{"lambda:ListFunctions"},
			Fields: "`VpcConfig.SecurityGroupIds`", Calls: "1 per page of 50 versions",
			collector: useFunc(readLambda),
		},
		{
			Kind: "rds", Service: "Amazon RDS (with DocumentDB and Neptune)", Resources: "DB instances and DB clusters",
			APIs: []string{"DescribeDBInstances", "DescribeDBClusters"}, IAM: []string{"rds:DescribeDBInstances", "rds:DescribeDBClusters"},
			Fields: "`VpcSecurityGroups[].VpcSecurityGroupId`", Calls: "1 per page of 100 instances + 1 per page of 100 clusters",
			collector: useFunc(readRDS),
		},
		{
			Kind: "elbv2", Service: "Elastic Load Balancing", Resources: "Application, Network and Gateway Load Balancers",
			APIs: []string{"DescribeLoadBalancers"}, IAM: []string{"elasticloadbalancing:DescribeLoadBalancers"},
			Fields: "`SecurityGroups`", Calls: "1 per page of 400",
			collector: useFunc(readELBv2),
		},
		{
			Kind: "elb", Service: "Elastic Load Balancing (Classic)", Resources: "Classic Load Balancers",
			APIs: []string{"DescribeLoadBalancers"}, IAM: []string{"elasticloadbalancing:DescribeLoadBalancers"},
			Fields: "`SecurityGroups`", Calls: "1 per page of 400",
			collector: useFunc(readELB),
		},
	}
}

// The generated section of docs/checks/SGA008.md lies between these
// markers.
const (
	useKindsDocBegin = "<!-- BEGIN proof-of-use kinds: generated from internal/collect/usekinds.go by `make docs`; do not edit. -->"
	useKindsDocEnd   = "<!-- END proof-of-use kinds -->"
)

// useKindsMarkdown renders the table of proof-of-use kinds for the SGA008
// page: one row per kind, with the service, what is read, the calls and
// IAM actions, and the fields that name groups.
func useKindsMarkdown() []byte {
	var b bytes.Buffer
	b.WriteString("| kind (`used_by`, coverage) | service: what is read | API calls | IAM actions | field naming the group | calls per account and region |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, k := range useKinds() {
		fmt.Fprintf(&b, "| `%s` | %s: %s | %s | %s | %s | %s |\n",
			k.Kind, k.Service, k.Resources, strings.Join(k.APIs, ", "),
			"`"+strings.Join(k.IAM, "`, `")+"`", k.Fields, k.Calls)
	}
	return b.Bytes()
}

// withUseKindsDoc returns page with its generated section replaced by
// useKindsMarkdown.
func withUseKindsDoc(page []byte) ([]byte, error) {
	before, rest, ok := bytes.Cut(page, []byte(useKindsDocBegin))
	if !ok {
		return nil, errors.New("no line " + useKindsDocBegin)
	}
	_, after, ok := bytes.Cut(rest, []byte(useKindsDocEnd))
	if !ok {
		return nil, errors.New("no line " + useKindsDocEnd)
	}
	return slices.Concat(before, []byte(useKindsDocBegin+"\n\n"), useKindsMarkdown(), []byte("\n"+useKindsDocEnd), after), nil
}

// ProofOfUseKinds returns the data kinds of the proof-of-use table, in its
// order: what a live collection adds to coverage.collected besides EC2's
// kinds, each also an evidence kind of used_by.
func ProofOfUseKinds() []string {
	out := []string{}
	for _, k := range useKinds() {
		out = append(out, k.Kind)
	}
	return out
}
