package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/internal/faultproxy"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// seedOrganisation creates an organisation with two member accounts in the
// emulator and returns the member ids.
func seedOrganisation(t *testing.T, srv *moto.Server) []string {
	t.Helper()
	ctx := context.Background()
	org := organizations.NewFromConfig(srv.Config(ctx, "us-east-1"))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, name := range []string{"payments", "analytics"} {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.CreateAccountStatus.AccountId))
	}
	return ids
}

// TestScanOrganisationThroughProxy scans a whole organisation through the
// CLI, with the fault-injection proxy between the SDK and the emulator:
// one member's role refuses AssumeRole. That account is denied in coverage,
// the others are read, the exit code is 3, and SARIF has runs only for the
// accounts read completely.
func TestScanOrganisationThroughProxy(t *testing.T) {
	srv, _ := seededEmulator(t)
	members := seedOrganisation(t, srv)
	proxy := faultproxy.StartT(t, faultproxy.Options{Target: srv.Endpoint, DenyAssumeRole: []string{members[1]}, Seed: 7})
	t.Setenv("AWS_ENDPOINT_URL", proxy.URL())

	dir := t.TempDir()
	r := runCLI(t, "scan", "--org", "--regions", "us-east-1,eu-west-1", "--format", "json,sarif", "-o", dir)
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3 (one account denied); stderr: %s", r.code, r.stderr)
	}
	var rep findings.Report
	readJSONFile(t, dir+"/findings.json", &rep)

	var rows []string
	for _, c := range rep.Coverage {
		rows = append(rows, fmt.Sprintf("%s %s %s %s", c.AccountID, c.Region, c.Status, c.FailedAPI))
	}
	want := []string{
		moto.AccountID + " eu-west-1 ok ",
		moto.AccountID + " us-east-1 ok ",
		members[0] + " eu-west-1 ok ",
		members[0] + " us-east-1 ok ",
		members[1] + " eu-west-1 denied AssumeRole",
		members[1] + " us-east-1 denied AssumeRole",
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	names := map[string]string{}
	for _, a := range rep.Accounts {
		names[a.ID] = a.Name
	}
	if names[members[0]] != "payments" || names[members[1]] != "analytics" {
		t.Errorf("account names from Organizations missing: %v", names)
	}

	var sarif struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
		} `json:"runs"`
	}
	readJSONFile(t, dir+"/results.sarif", &sarif)
	var runs []string
	for _, run := range sarif.Runs {
		runs = append(runs, run.AutomationDetails.ID)
	}
	wantRuns := []string{"sgaudit/aws/" + moto.AccountID + "/", "sgaudit/aws/" + members[0] + "/"}
	slices.Sort(wantRuns)
	if diff := cmp.Diff(wantRuns, runs); diff != "" {
		t.Errorf("SARIF runs (-want +got): the denied account must have none\n%s", diff)
	}
	seen := map[string]bool{}
	for _, c := range proxy.Calls() {
		seen[c.Action] = true
		if !readOnlyAction.MatchString(c.Action) && c.Action != "GetCallerIdentity" {
			t.Errorf("the scan called a mutating API: %s:%s", c.Service, c.Action)
		}
	}
	for _, action := range []string{"ListAccounts", "AssumeRole", "DescribeRegions", "DescribeSecurityGroups", "DescribeNetworkInterfaces"} {
		if !seen[action] {
			t.Errorf("the proxy never saw %s: the read-only check proves nothing", action)
		}
	}
}

// readOnlyAction is every AWS action sgaudit may call: it never changes anything.
var readOnlyAction = regexp.MustCompile(`^(Describe|Get|List|BatchGet)[A-Za-z0-9]+$|^AssumeRole$`)

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newProgressLine(&buf, nil)
	p.update(collect.ProgressEvent{Done: 1, Total: 4, Accounts: 2, AccountsReady: 1, AccountID: "111122223333", Region: "eu-west-1", Status: "ok"})
	p.update(collect.ProgressEvent{Done: 4, Total: 4, Accounts: 2, AccountsReady: 2, Errors: 1, AccountID: "111122223333", Region: "us-east-1", Status: "denied"})
	got := buf.String()
	for _, want := range []string{"\rsgaudit: 1/4 account/regions read, 1/2 accounts ready", "4/4", "1 not readable", "us-east-1 denied\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "\n") != 1 {
		t.Errorf("progress must end with exactly one newline when done: %q", got)
	}
}
