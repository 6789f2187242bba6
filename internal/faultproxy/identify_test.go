package faultproxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIdentify(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded; charset=utf-8"
	sig := func(scope string) string {
		return "AWS4-HMAC-SHA256 Credential=" + scope + ", SignedHeaders=host;x-amz-date, Signature=0123abcd"
	}
	tests := []struct {
		name    string
		method  string
		target  string // URL path and query
		headers map[string]string
		body    string
		want    request
	}{
		{
			name:    "ec2 query protocol",
			headers: map[string]string{"Authorization": sig("AKIDEC2/20261125/eu-west-1/ec2/aws4_request"), "Content-Type": form},
			body:    "Action=DescribeSecurityGroups&Version=2016-11-15&MaxResults=1000",
			want:    request{call: Call{Service: "ec2", Action: "DescribeSecurityGroups", Region: "eu-west-1"}, accessKey: "AKIDEC2"},
		},
		{
			name:    "REST-JSON operation from method and path",
			method:  http.MethodGet,
			target:  "/2015-03-31/functions/?FunctionVersion=ALL&MaxItems=50",
			headers: map[string]string{"Authorization": sig("AKIDL/20261125/eu-west-1/lambda/aws4_request")},
			want:    request{call: Call{Service: "lambda", Action: "ListFunctions", Region: "eu-west-1"}, accessKey: "AKIDL", json: true},
		},
		{
			name:    "REST-JSON operation with a name in the path",
			method:  http.MethodGet,
			target:  "/clusters/platform/node-groups/workers",
			headers: map[string]string{"Authorization": sig("AKIDE/20261125/eu-west-1/eks/aws4_request")},
			want:    request{call: Call{Service: "eks", Action: "DescribeNodegroup", Region: "eu-west-1"}, accessKey: "AKIDE", json: true},
		},
		{
			name:    "REST-JSON operation with a name in the path and a query",
			method:  http.MethodGet,
			target:  "/schedules/nightly?groupName=jobs",
			headers: map[string]string{"Authorization": sig("AKIDS/20261125/eu-west-1/scheduler/aws4_request")},
			want:    request{call: Call{Service: "scheduler", Action: "GetSchedule", Region: "eu-west-1"}, accessKey: "AKIDS", json: true},
		},
		{
			name:    "REST-JSON operation of a signing name with a dash",
			method:  http.MethodGet,
			target:  "/applications?maxResults=50",
			headers: map[string]string{"Authorization": sig("AKIDM/20261125/eu-west-1/emr-serverless/aws4_request")},
			want:    request{call: Call{Service: "emr-serverless", Action: "ListApplications", Region: "eu-west-1"}, accessKey: "AKIDM", json: true},
		},
		{
			name:    "REST-JSON request not listed has no action",
			method:  http.MethodDelete,
			target:  "/2015-03-31/functions/fn",
			headers: map[string]string{"Authorization": sig("AKIDL/20261125/eu-west-1/lambda/aws4_request")},
			want:    request{call: Call{Service: "lambda", Region: "eu-west-1"}, accessKey: "AKIDL"},
		},
		{
			name:    "sts assume role reads the role's account",
			headers: map[string]string{"Authorization": sig("AKIDSTS/20261125/us-east-1/sts/aws4_request"), "Content-Type": form},
			body:    "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2FAudit&RoleSessionName=sgaudit&Version=2011-06-15",
			want: request{
				call:      Call{Service: "sts", Action: "AssumeRole", Region: "us-east-1"},
				accessKey: "AKIDSTS", roleARN: "arn:aws:iam::111111111111:role/Audit", roleAccount: "111111111111",
			},
		},
		{
			name:    "assume role in another partition",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-gov-west-1/sts/aws4_request"), "Content-Type": form},
			body:    "Action=AssumeRole&RoleArn=arn%3Aaws-us-gov%3Aiam%3A%3A222222222222%3Arole%2Fpath%2FAudit",
			want: request{
				call:      Call{Service: "sts", Action: "AssumeRole", Region: "us-gov-west-1"},
				accessKey: "AKID", roleARN: "arn:aws-us-gov:iam::222222222222:role/path/Audit", roleAccount: "222222222222",
			},
		},
		{
			name:    "assume role with a malformed role arn has no account",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-east-1/sts/aws4_request"), "Content-Type": form},
			body:    "Action=AssumeRole&RoleArn=not-an-arn",
			want:    request{call: Call{Service: "sts", Action: "AssumeRole", Region: "us-east-1"}, accessKey: "AKID", roleARN: "not-an-arn"},
		},
		{
			name:    "role arn of another action is ignored",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-east-1/sts/aws4_request"), "Content-Type": form},
			body:    "Action=GetCallerIdentity&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2FAudit",
			want:    request{call: Call{Service: "sts", Action: "GetCallerIdentity", Region: "us-east-1"}, accessKey: "AKID"},
		},
		{
			name: "organizations json protocol",
			headers: map[string]string{
				"Authorization": sig("AKIDORG/20261125/us-east-1/organizations/aws4_request"),
				"Content-Type":  "application/x-amz-json-1.1",
				"X-Amz-Target":  "AWSOrganizationsV20161128.ListAccounts",
			},
			body: `{"MaxResults":20}`,
			want: request{call: Call{Service: "organizations", Action: "ListAccounts", Region: "us-east-1"}, accessKey: "AKIDORG", json: true},
		},
		{
			name:    "smithy rpc v2 cbor path",
			target:  "/service/GraniteServiceVersion20100801/operation/GetMetricData",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-east-1/monitoring/aws4_request"), "Content-Type": "application/cbor"},
			want:    request{call: Call{Service: "monitoring", Action: "GetMetricData", Region: "us-east-1"}, accessKey: "AKID"},
		},
		{
			name:   "presigned GET with the action in the query",
			method: http.MethodGet,
			target: "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Credential=AKIDQ%2F20261125%2Fap-south-1%2Fsts%2Faws4_request",
			want:   request{call: Call{Service: "sts", Action: "GetCallerIdentity", Region: "ap-south-1"}, accessKey: "AKIDQ"},
		},
		{
			name:    "form body is not parsed under another content type",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-east-1/ec2/aws4_request"), "Content-Type": "text/plain"},
			body:    "Action=DescribeSecurityGroups",
			want:    request{call: Call{Service: "ec2", Region: "us-east-1"}, accessKey: "AKID"},
		},
		{
			name:    "credential scope with the wrong terminator is not trusted",
			headers: map[string]string{"Authorization": sig("AKID/20261125/us-east-1/ec2/aws5_request"), "Content-Type": form},
			body:    "Action=DescribeSecurityGroups",
			want:    request{call: Call{Action: "DescribeSecurityGroups"}},
		},
		{
			name:    "authorization without a credential",
			headers: map[string]string{"Authorization": "Bearer token", "Content-Type": form},
			body:    "Action=DescribeVpcs",
			want:    request{call: Call{Action: "DescribeVpcs"}},
		},
		{
			name:   "moto's own api is not an AWS call",
			method: http.MethodGet,
			target: "/moto-api/data.json",
			want:   request{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method, target := tt.method, tt.target
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = "/"
			}
			r := httptest.NewRequest(method, target, strings.NewReader(tt.body))
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			got := identify(r, []byte(tt.body))
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(request{})); diff != "" {
				t.Errorf("identify() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
