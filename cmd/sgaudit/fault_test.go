package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/faultproxy"
)

// TestScanServerErrorIsIncomplete: an HTML 500 on DescribeSecurityGroups,
// once its retries are spent, is a coverage error and exit 3, not an
// empty region in a clean report with exit 0 (issue 9, item 14).
func TestScanServerErrorIsIncomplete(t *testing.T) {
	srv, _ := seededEmulator(t)
	proxy := faultproxy.StartT(t, faultproxy.Options{Target: srv.Endpoint, ServerErrorActions: []string{"DescribeSecurityGroups"}})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL())
	rep, r := scanJSON(t, "--regions", "us-east-1")
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3; stderr: %s", r.code, r.stderr)
	}
	var rows []string
	for _, c := range rep.Coverage {
		rows = append(rows, c.Region+" "+string(c.Status)+" "+c.FailedAPI)
	}
	if diff := cmp.Diff([]string{"us-east-1 error DescribeSecurityGroups"}, rows); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}
