package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/demoworld"
	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// seededEmulator starts moto, seeds the demo world and points the AWS SDK's
// standard environment at it, as a user would with AWS_ENDPOINT_URL.
func seededEmulator(t *testing.T) (*moto.Server, *demoworld.World) {
	t.Helper()
	srv := moto.StartT(t)
	w, err := demoworld.Seed(context.Background(), srv.Config(context.Background(), "us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	return srv, w
}

// findingKeys names each finding by what a person would say: check,
// severity, region and group name (default groups by their VPC).
func findingKeys(rep *findings.Report, w *demoworld.World) []string {
	vpcNames := map[string]string{}
	for k, id := range w.VPCs {
		vpcNames[id] = strings.SplitN(k, "/", 2)[1]
	}
	var keys []string
	for _, f := range rep.Findings {
		name := f.GroupName
		if name == "default" {
			vpc := vpcNames[f.VPCID]
			if vpc == "" {
				vpc = "default-vpc"
			}
			name = "default@" + vpc
		}
		keys = append(keys, strings.Join([]string{f.CheckID, string(f.Severity), f.Region, name}, " "))
	}
	slices.Sort(keys)
	return keys
}

// demoWorldFindings is what sgaudit must find in the demo world: every
// check of v0.1 fires, SSH from half of the internet is SGA016 alone, and
// the groups that are fine (HTTPS from the world, SSH from a group, a self
// reference, a private CIDR, GRE and ICMP from the world) produce nothing.
var demoWorldFindings = []string{
	"SGA001 CRITICAL us-east-1 bastion",         // SSH from 0.0.0.0/0 on an interface with an Elastic IP
	"SGA001 HIGH eu-west-1 ops-tools",           // RDP over UDP from 0.0.0.0/0
	"SGA001 HIGH eu-west-1 ops-tools",           // SSH inside tcp 20-30 from ::/0
	"SGA001 HIGH us-east-1 launch-wizard-1",     // all traffic from ::/0: RDP
	"SGA001 HIGH us-east-1 launch-wizard-1",     // all traffic from ::/0: SSH
	"SGA002 CRITICAL us-east-1 launch-wizard-1", // all traffic covers every database port
	"SGA002 CRITICAL us-east-1 prod-db-sg",      // MySQL from 0.0.0.0/0
	"SGA003 CRITICAL us-east-1 launch-wizard-1", // all traffic from ::/0
	"SGA004 HIGH eu-west-1 ops-tools",           // tcp 20-30 holds FTP, Telnet and SMTP
	"SGA004 HIGH us-east-1 launch-wizard-1",     // all traffic holds every high-risk service
	"SGA005 MEDIUM eu-west-1 ops-tools",         // tcp 20-30 is not an authorised public port (EC2.18)
	"SGA005 MEDIUM eu-west-1 ops-tools",         // nor is udp 3389
	"SGA005 MEDIUM us-east-1 bastion",           // nor tcp 22
	"SGA005 MEDIUM us-east-1 launch-wizard-1",   // nor all traffic
	"SGA005 MEDIUM us-east-1 prod-db-sg",        // nor tcp 3306
	"SGA006 LOW eu-west-1 analytics-redis",      // "Managed by Terraform"
	"SGA006 LOW us-east-1 launch-wizard-1",      // wizard description
	"SGA006 LOW us-east-1 legacy-ftp",           // description = name
	"SGA007 LOW us-east-1 bastion",              // SSH rule without description
	"SGA007 LOW us-east-1 launch-wizard-1",      // all-traffic rule without description
	"SGA008 LOW us-east-1 launch-wizard-1",      // no interface, no reference
	"SGA008 LOW us-east-1 legacy-ftp",           // no interface, no reference
	"SGA009 LOW eu-west-1 default@default-vpc",  // default group with AWS's egress rule, VPC unused
	"SGA009 LOW us-east-1 default@default-vpc",
	"SGA009 MEDIUM eu-west-1 default@analytics", // same, VPC with interfaces
	"SGA009 MEDIUM us-east-1 default@prod",
	"SGA011 LOW us-east-1 launch-wizard-1", // a launch-wizard group
	"SGA016 MEDIUM us-east-1 partner-sftp", // SSH from 0.0.0.0/1, half of the internet
}

func scanJSON(t *testing.T, args ...string) (*findings.Report, cliResult) {
	t.Helper()
	r := runCLI(t, append([]string{"scan", "--format", "json"}, args...)...)
	var rep findings.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("scan %v: exit %d, stdout is not a JSON report (%v); stderr: %s", args, r.code, err, r.stderr)
	}
	return &rep, r
}

func TestScanDemoWorldAgainstEmulator(t *testing.T) {
	_, w := seededEmulator(t)
	rep, r := scanJSON(t, "--regions", strings.Join(demoworld.Regions, ","), "--fail-on", "critical")
	if r.code != exitFindings {
		t.Errorf("exit %d, want 1 (CRITICAL findings with --fail-on critical); stderr: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(demoWorldFindings, findingKeys(rep, w)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range rep.Findings {
		if f.AccountID != moto.AccountID || f.Fingerprint == "" || f.Remediation == "" || !strings.HasPrefix(f.Message, f.GroupID) {
			t.Errorf("finding lacks account, fingerprint, remediation or a message starting with the group: %+v", f)
		}
		if f.RuleKey != "" && !strings.HasPrefix(f.RuleID, "sgr-") {
			t.Errorf("%s on %s names a rule without its sgr- id: %+v", f.CheckID, f.GroupName, f)
		}
	}
	var regions []string
	for _, c := range rep.Coverage {
		if c.Status != "ok" || !slices.Contains(c.Collected, "network_interfaces") {
			t.Errorf("coverage row not ok or without interfaces: %+v", c)
		}
		regions = append(regions, c.Region)
	}
	if diff := cmp.Diff([]string{"eu-west-1", "us-east-1"}, regions); diff != "" {
		t.Errorf("coverage regions (-want +got):\n%s", diff)
	}
	// Only the bastion's interface has a public IP: the world reaches SSH
	// on it, through the bastion group, its subnet's route to the internet
	// gateway and the network ACL. db-1 has none, but the internet-facing
	// NLB forwards MySQL to it (docs/reachability.md §2).
	byID := map[string]findings.Exposure{}
	for _, e := range rep.Exposures {
		byID[e.NetworkInterfaceID] = e
	}
	bastion, db := byID[w.Interfaces["us-east-1/bastion-1"]], byID[w.Interfaces["us-east-1/db-1"]]
	if len(rep.Exposures) != 2 || bastion.PublicIP == "" || len(db.Ports) == 0 {
		t.Fatalf("exposures: got %+v, want the bastion interface (with its public IP) and db-1", rep.Exposures)
	}
	yes := true
	hops := func(p []findings.PathHop) []string {
		var kinds []string
		for _, h := range p {
			kinds = append(kinds, h.Kind)
		}
		return kinds
	}
	wantPorts := []findings.ExposedPort{{Protocol: "tcp", FromPort: 22, ToPort: 22, Services: []string{"SSH"},
		GroupIDs: []string{w.GroupID("us-east-1", "bastion")}, Peers: []string{"0.0.0.0/0"},
		Reachable: &yes, Via: []findings.ExposureVia{{Kind: "public_ip"}}}}
	ignorePath := cmpopts.IgnoreFields(findings.ExposedPort{}, "Path")
	if diff := cmp.Diff(wantPorts, bastion.Ports, ignorePath); diff != "" {
		t.Errorf("bastion exposure (-want +got):\n%s", diff)
	}
	wantHops := []string{"network_interface", "internet_gateway", "route_table", "network_acl", "security_group"}
	if got := hops(bastion.Ports[0].Path); !slices.Equal(got, wantHops) {
		t.Errorf("bastion path %v, want %v", got, wantHops)
	}
	dbPort := db.Ports[0]
	wantVia := []findings.ExposureVia{{Kind: "load_balancer", LoadBalancerARN: w.LoadBalancers["us-east-1/prod-db-nlb"], Listener: "TCP:3306"}}
	if len(db.Ports) != 1 || dbPort.Protocol != "tcp" || dbPort.FromPort != 3306 || dbPort.ToPort != 3306 ||
		dbPort.Reachable == nil || !*dbPort.Reachable || !cmp.Equal(wantVia, dbPort.Via) {
		t.Errorf("db-1 exposure %+v, want tcp 3306 reachable through prod-db-nlb", db.Ports)
	}
	if rep.Summary.SecurityGroups != 13 { // 9 seeded + a default group per seeded VPC and per default VPC
		t.Errorf("scanned %d groups, want 13", rep.Summary.SecurityGroups)
	}
}

// TestHalfOfIPv4OnSSHIsOneFinding: a group whose one rule opens SSH to
// 0.0.0.0/1, half of the internet, is exactly one finding, SGA016's. No
// world check sees it (it is not 0.0.0.0/0), so before SGA016 the scan
// was clean.
func TestHalfOfIPv4OnSSHIsOneFinding(t *testing.T) {
	inv := cleanInventory()
	inv.SecurityGroups = []inventory.SecurityGroup{testGroup("sg-0000000000000003", "partner-sftp", "SFTP drop box for partner uploads", tcp(22, "0.0.0.0/1"))}
	rep, r := scanJSON(t, "--input", writeInventoryFile(t, inv))
	if r.code != 0 {
		t.Errorf("exit %d, want 0 (a MEDIUM finding, no --fail-on); stderr: %s", r.code, r.stderr)
	}
	type got struct{ Check, Severity, Rule, Message string }
	var findings []got
	for _, f := range rep.Findings {
		findings = append(findings, got{f.CheckID, string(f.Severity), f.RuleID, f.Message})
	}
	want := []got{{"SGA016", "MEDIUM", "sgr-0000000000000003a",
		"sg-0000000000000003 (partner-sftp) allows tcp 22 (SSH) from 0.0.0.0/1: a public range wider than /16, the limit for admin, database and high-risk ports"}}
	if diff := cmp.Diff(want, findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestCollectThenScanOfflineMatchesOnlineScan proves the inventory is the
// seam: judging a saved inventory gives byte-identical reports.
func TestCollectThenScanOfflineMatchesOnlineScan(t *testing.T) {
	seededEmulator(t)
	regions := strings.Join(demoworld.Regions, ",")
	online := runCLI(t, "scan", "--regions", regions, "--format", "sarif")
	invPath := filepath.Join(t.TempDir(), "inventory.json")
	c := runCLI(t, "collect", "--regions", regions, "-o", invPath)
	if c.code != 0 {
		t.Fatalf("collect: exit %d: %s", c.code, c.stderr)
	}
	offline := runCLI(t, "scan", "--input", invPath, "--format", "sarif")
	if online.code != 0 || offline.code != 0 {
		t.Fatalf("exit codes %d/%d: %s %s", online.code, offline.code, online.stderr, offline.stderr)
	}
	if diff := cmp.Diff(online.stdout, offline.stdout); diff != "" {
		t.Errorf("offline SARIF differs from online (-online +offline):\n%s", diff)
	}
}

// TestScanAWSCLIExport audits what `aws ec2 describe-security-groups` and
// `describe-network-interfaces` print, exported from the same emulator:
// the same findings as a live scan (exported JSON has no rule ids).
func TestScanAWSCLIExport(t *testing.T) {
	srv, w := seededEmulator(t)
	ctx := context.Background()
	dir := t.TempDir()
	c := ec2.NewFromConfig(srv.Config(ctx, "eu-west-1"))
	sgs, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	enis, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{})
	if err != nil {
		t.Fatal(err)
	}
	sgPath := writeJSON(t, dir, "sgs.json", map[string]any{"SecurityGroups": sgs.SecurityGroups})
	eniPath := writeJSON(t, dir, "enis.json", map[string]any{"NetworkInterfaces": enis.NetworkInterfaces})

	var want []string
	for _, k := range demoWorldFindings {
		if strings.Contains(k, " eu-west-1 ") {
			want = append(want, k)
		}
	}
	rep, r := scanJSON(t, "--input", sgPath, "--input", eniPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if diff := cmp.Diff(want, findingKeys(rep, w)); diff != "" {
		t.Errorf("findings from the CLI export (-want +got):\n%s", diff)
	}

	// Without interface data, the unused-group check is not evaluated, and
	// the report says so instead of calling every group unused.
	rep, r = scanJSON(t, "--input", sgPath)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	sga008, _ := rep.Check("SGA008")
	if sga008.Status != findings.CheckNotEvaluated || sga008.StatusDetail == "" {
		t.Errorf("SGA008 without interface data: status %q (%q), want not_evaluated with a reason", sga008.Status, sga008.StatusDetail)
	}
	table := runCLI(t, "scan", "--input", sgPath)
	if !strings.Contains(table.stdout, "SGA008") || !strings.Contains(strings.ToLower(table.stdout), "not evaluated") {
		t.Errorf("table does not say SGA008 was not evaluated:\n%s", table.stdout)
	}
}

// TestRegionNotEnabledIsIncomplete: a requested region that is not enabled
// is a coverage gap, and the exit code says the scan is incomplete. The
// region is one no table knows, let through by --allow-unknown-regions,
// so the emulator cannot start listing it.
func TestRegionNotEnabledIsIncomplete(t *testing.T) {
	seededEmulator(t)
	rep, r := scanJSON(t, "--allow-unknown-regions", "--regions", "eu-west-1,mars-north-1")
	if r.code != exitIncomplete {
		t.Fatalf("exit %d, want 3; stderr: %s", r.code, r.stderr)
	}
	var statuses []string
	for _, c := range rep.Coverage {
		statuses = append(statuses, c.Region+"="+string(c.Status))
	}
	if diff := cmp.Diff([]string{"eu-west-1=ok", "mars-north-1=skipped"}, statuses); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
