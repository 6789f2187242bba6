package faultproxy

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// request is what the proxy learns about one request before deciding its
// fate.
type request struct {
	call Call
	// json is true for the AWS JSON protocols (Organizations), whose errors
	// are JSON documents instead of XML.
	json bool
	// roleAccount is the account of the RoleArn of an sts:AssumeRole call,
	// "" for anything else.
	roleAccount string
	// accessKey is the signer's access key id, quoted in AccessDenied.
	accessKey string
	roleARN   string
}

// identify reads the service, region, action and (for sts:AssumeRole) the
// target account of a request from the parts every AWS SDK sends:
//
//   - service and region from the SigV4 credential scope,
//     Credential=AKID/20261125/us-east-1/ec2/aws4_request, in the
//     Authorization header or, for presigned URLs, the X-Amz-Credential
//     query parameter
//     (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html);
//   - the action from X-Amz-Target (JSON 1.0/1.1 protocols), from the path
//     /service/S/operation/Op (Smithy RPC v2 CBOR) or from the Action
//     parameter of the form-encoded body or query string (the AWS and EC2
//     query protocols).
//
// A request carrying none of these (moto's own /moto-api/, a health probe)
// yields an empty Call.
func identify(r *http.Request, body []byte) request {
	var req request
	req.accessKey, req.call.Region, req.call.Service = credentialScope(r)

	form := url.Values{}
	if isFormBody(r.Header.Get("Content-Type")) {
		// A malformed body leaves form empty: the call is still forwarded
		// and the upstream gives its own error.
		if v, err := url.ParseQuery(string(body)); err == nil {
			form = v
		}
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		// AWSOrganizationsV20161128.ListAccounts → ListAccounts.
		req.call.Action = target[strings.LastIndexByte(target, '.')+1:]
		req.json = true
	} else if op, ok := rpcv2Operation(r.URL.Path); ok {
		req.call.Action = op
	} else if a := form.Get("Action"); a != "" {
		req.call.Action = a
	} else if op := restOperationName(req.call.Service, r); op != "" {
		// REST-JSON: the operation is the method and path, and its
		// errors are JSON documents.
		req.call.Action = op
		req.json = true
	} else {
		req.call.Action = r.URL.Query().Get("Action")
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
		req.json = true
	}

	if req.call.Service == "sts" && req.call.Action == "AssumeRole" {
		req.roleARN = form.Get("RoleArn")
		if req.roleARN == "" {
			req.roleARN = r.URL.Query().Get("RoleArn")
		}
		req.roleAccount = arnAccount(req.roleARN)
	}
	return req
}

// credentialScope returns the access key, region and service of the SigV4
// credential scope, or empty strings when the request is not signed.
func credentialScope(r *http.Request) (accessKey, region, service string) {
	cred := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		// AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=..., Signature=...
		_, rest, ok := strings.Cut(auth, "Credential=")
		if !ok {
			return "", "", ""
		}
		cred, _, _ = strings.Cut(rest, ",")
	}
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 || parts[4] != "aws4_request" {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

// rpcv2Operation returns Op from a Smithy RPC v2 path,
// /service/ServiceName/operation/Op.
func rpcv2Operation(path string) (string, bool) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	n := len(parts)
	if n < 4 || parts[n-4] != "service" || parts[n-2] != "operation" || parts[n-1] == "" {
		return "", false
	}
	return parts[n-1], true
}

// isFormBody reports whether a Content-Type is form encoding, as the query
// protocols send (with or without a charset parameter).
func isFormBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// arnAccount returns the account id of an ARN such as
// arn:aws:iam::111111111111:role/Name, in any partition, or "" if arn is
// not an ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
