package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/smithy-go/logging"
	"github.com/google/go-cmp/cmp"
)

func TestSDKLoggerWritesOurJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log, err := newLogger(&buf, "debug", "json")
	if err != nil {
		t.Fatal(err)
	}
	l := sdkLogger{log}
	l.Logf(logging.Warn, "falling back to IMDSv1: %v", "403 \x1b[31mForbidden")
	l.Logf(logging.Debug, "request %d", 7)
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		delete(m, "time")
		got = append(got, m)
	}
	want := []map[string]any{
		{"level": "WARN", "msg": "falling back to IMDSv1: 403 Forbidden", "source": "aws-sdk"},
		{"level": "DEBUG", "msg": "request 7", "source": "aws-sdk"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

// TestIMDSv1WarningIsJSON runs a scan whose credentials come from an
// instance metadata service that refuses IMDSv2 tokens: the SDK's
// "falling back to IMDSv1" warning must come out as one of our JSON log
// lines on the command's stderr, not as the SDK's own text on os.Stderr.
func TestIMDSv1WarningIsJSON(t *testing.T) {
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/latest/api/token":
			http.Error(w, "forbidden", http.StatusForbidden)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			w.Write([]byte("role"))
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/role":
			w.Write([]byte(`{"Code":"Success","AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"secret","Token":"tok","Expiration":"2100-01-01T00:00:00Z"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer imds.Close()
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>`))
	}))
	defer aws.Close()
	isolateAWSEnv(t)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.URL)
	t.Setenv("AWS_ENDPOINT_URL", aws.URL)
	t.Setenv("AWS_REGION", "us-east-1")

	r := runCLI(t, "scan", "--regions", "us-east-1", "--max-attempts", "1", "--log-format", "json")
	if r.code != exitUsage {
		t.Errorf("exit %d, want 2 (the fake STS refuses the token)", r.code)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	warned := false
	for _, line := range lines[:len(lines)-1] { // the last line is the error
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		if msg, _ := m["msg"].(string); strings.Contains(msg, "falling back to IMDSv1") && m["level"] == "WARN" {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no JSON warning about the IMDSv1 fallback on stderr:\n%s", r.stderr)
	}
}
