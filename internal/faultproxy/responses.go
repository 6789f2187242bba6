package faultproxy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
)

// The error documents below are the ones the services themselves send, so
// the SDK's protocol deserializers turn them into the same smithy.APIError
// a real throttle or denial produces, and its retryer classifies them the
// same way: RequestLimitExceeded, Throttling and TooManyRequestsException
// are all in retry.DefaultThrottleErrorCodes (aws/retry/standard.go), hence
// both retryable and throttles; AccessDenied and UnauthorizedOperation are
// in no retry list, hence terminal.

// writeThrottle answers with the throttling error of the request's protocol.
func writeThrottle(w http.ResponseWriter, req request, requestID string) {
	switch {
	case req.json:
		// https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html
		writeJSONError(w, http.StatusBadRequest, "TooManyRequestsException", "Rate exceeded", requestID)
	case req.call.Service == "ec2":
		// EC2 throttles with HTTP 503 and its own error document:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
		writeEC2Error(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.", requestID)
	default:
		// STS and Auto Scaling speak the AWS query protocol.
		writeQueryError(w, http.StatusBadRequest, "Throttling", "Rate exceeded", requestID)
	}
}

// writeDeny answers with the authorisation error of the denied call.
func writeDeny(w http.ResponseWriter, req request, requestID string) {
	if req.call.Service == "ec2" {
		msg := fmt.Sprintf("You are not authorized to perform this operation. User: %s is not authorized to perform: ec2:%s in region %s",
			req.accessKey, req.call.Action, req.call.Region)
		writeEC2Error(w, http.StatusForbidden, "UnauthorizedOperation", msg, requestID)
		return
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", req.accessKey, req.roleARN)
	writeQueryError(w, http.StatusForbidden, "AccessDenied", msg, requestID)
}

// writeServerError answers with a bare HTTP 500: the HTML page moto's web
// framework (Werkzeug) sends for an action moto lacks, from which the SDK
// reads no error code (it is not even well-formed XML).
func writeServerError(w http.ResponseWriter, requestID string) {
	writeBody(w, http.StatusInternalServerError, "text/html; charset=utf-8", requestID, serverErrorPage)
}

const serverErrorPage = `<!doctype html>
<html lang=en>
<title>500 Internal Server Error</title>
<h1>Internal Server Error</h1>
<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>
`

func writeEC2Error(w http.ResponseWriter, status int, code, msg, requestID string) {
	body := `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>` + code +
		`</Code><Message>` + xmlText(msg) + `</Message></Error></Errors><RequestID>` + requestID +
		`</RequestID></Response>`
	writeBody(w, status, "text/xml;charset=UTF-8", requestID, body)
}

func writeQueryError(w http.ResponseWriter, status int, code, msg, requestID string) {
	body := `<ErrorResponse><Error><Type>Sender</Type><Code>` + code + `</Code><Message>` + xmlText(msg) +
		`</Message></Error><RequestId>` + requestID + `</RequestId></ErrorResponse>`
	writeBody(w, status, "text/xml", requestID, body)
}

func writeJSONError(w http.ResponseWriter, status int, code, msg, requestID string) {
	b, _ := json.Marshal(struct { // marshalling two strings cannot fail
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{code, msg})
	writeBody(w, status, "application/x-amz-json-1.1", requestID, string(b))
}

func writeBody(w http.ResponseWriter, status int, contentType, requestID, body string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body)) // the client went away; nothing to do
}

// xmlText escapes s for XML character data: the messages quote ARNs and
// actions that come from the request.
func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writing to a bytes.Buffer cannot fail
	return b.String()
}
