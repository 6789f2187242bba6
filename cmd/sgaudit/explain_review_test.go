package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestExplainFromUnverified: explain --from gives the same kind of answer
// as the summary (and the findings) for the same port: "not verified"
// where the summary cannot verify "not reachable" (a load-balancer kind
// not collected; a route to an appliance or endpoint, which may forward
// to the internet), never a confident NOT REACHABLE.
func TestExplainFromUnverified(t *testing.T) {
	noLB := explainWorld()
	noLB.Coverage[0].Collected = append([]string{inventory.KindSecurityGroups}, inventory.NetworkKinds...)
	appliance := explainWorld()
	appliance.RouteTables[0].Routes[1].TargetKind, appliance.RouteTables[0].Routes[1].TargetID = inventory.RouteNetworkInterface, "eni-fw"
	for _, tt := range []struct {
		name string
		inv  *inventory.Inventory
		args []string
		want string
	}{
		{"load balancers not collected, summary", noLB, []string{"--to", "eni-1", "--port", "3389"}, "eni-1 (i-1) tcp 3389 from any internet address: NOT VERIFIED"},
		{"load balancers not collected, one source", noLB, []string{"--to", "eni-1", "--port", "3389", "--from", "203.0.113.7"}, "eni-1 (i-1) tcp 3389 from 203.0.113.7: NOT VERIFIED"},
		{"load balancers not collected, a block", noLB, []string{"--to", "eni-1", "--port", "3389", "--from", "0.0.0.0/1"}, "eni-1 (i-1) tcp 3389 from the internet addresses of 0.0.0.0/1: NOT VERIFIED"},
		{"route to an appliance, one source", appliance, []string{"--to", "eni-1", "--port", "22", "--from", "198.51.100.9"}, "eni-1 (i-1) tcp 22 from 198.51.100.9: NOT VERIFIED"},
		{"route to an appliance, other sources", appliance, []string{"--to", "eni-1", "--port", "22", "--from", "203.0.113.7"}, "eni-1 (i-1) tcp 22 from 203.0.113.7: REACHABLE"},
		{"NACL deny wins over the appliance route", appliance, []string{"--to", "eni-1", "--port", "3389", "--from", "198.51.100.9"}, "eni-1 (i-1) tcp 3389 from 198.51.100.9: NOT REACHABLE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"explain", "--input", writeInventoryFile(t, tt.inv)}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got, _, _ := strings.Cut(r.stdout, "\n")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("first line (-want +got):\n%s\nfull output:\n%s", diff, r.stdout)
			}
		})
	}
}
