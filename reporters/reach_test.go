package reporters

import (
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// withVerifiedExposure marks the sample report's first exposed port as
// verified reachable through the public IP, and adds an interface only a
// load balancer reaches.
func withVerifiedExposure(t *testing.T) *findings.Report {
	t.Helper()
	r := loadReport(t, inReport)
	if len(r.Exposures) == 0 || len(r.Exposures[0].Ports) == 0 {
		t.Fatal("the sample report has no exposure")
	}
	yes := true
	p := &r.Exposures[0].Ports[0]
	p.Reachable = &yes
	p.Via = []findings.ExposureVia{{Kind: "public_ip"}}
	p.Path = []findings.PathHop{{Kind: "internet_gateway", ID: "igw-1"}, {Kind: "route_table", ID: "rtb-1"}, {Kind: "network_acl", ID: "acl-1"}, {Kind: "security_group", ID: "sg-1"}}
	r.Exposures = append(r.Exposures, findings.Exposure{AccountID: r.Exposures[0].AccountID, Region: r.Exposures[0].Region, NetworkInterfaceID: "eni-0lbonly",
		Ports: []findings.ExposedPort{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, Services: []string{"PostgreSQL"}, GroupIDs: []string{}, Peers: []string{},
			Reachable: &yes, Via: []findings.ExposureVia{{Kind: "load_balancer", LoadBalancerARN: "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/db/1", Listener: "TCP:5432"}}}}})
	return r
}

// TestTableTopRisksVerified: the table's top risks name the interfaces
// verified reachable from the internet, and only when there are some.
func TestTableTopRisksVerified(t *testing.T) {
	out := string(render(t, Table{Width: 300}, withVerifiedExposure(t)))
	if !strings.Contains(out, "VERIFIED  2 interfaces verified reachable from the internet: ") || !strings.Contains(out, "eni-0lbonly: tcp/5432") {
		t.Errorf("no verified line in the top risks:\n%s", out)
	}
	if plain := string(render(t, Table{Width: 300}, loadReport(t, inReport))); strings.Contains(plain, "VERIFIED") {
		t.Errorf("a verified line without verified exposure:\n%s", plain)
	}
}

// TestTableExposuresOnceVerified: once the analysis answered, the public-IP
// "EXPOSED" top-risk line keeps only the interfaces it could not answer
// for (a blocked port is not "reachable from the world"), and the table of
// exposed interfaces says per port what the analysis found, with a dash
// for an interface only a load balancer reaches.
func TestTableExposuresOnceVerified(t *testing.T) {
	r := withVerifiedExposure(t)
	no := false
	first := r.Exposures[0]
	blocked := findings.Exposure{AccountID: first.AccountID, Region: first.Region, NetworkInterfaceID: "eni-0blocked", PublicIP: "198.51.100.9",
		Ports: []findings.ExposedPort{{Protocol: "tcp", FromPort: 3389, ToPort: 3389, Services: []string{"RDP"}, GroupIDs: []string{"sg-9"}, Peers: []string{"0.0.0.0/0"},
			Reachable: &no, BlockedBy: []findings.Blocker{{Kind: "network_acl", ID: "acl-9", Reason: "inbound rule 90 denies"}}}}}
	unverified := findings.Exposure{AccountID: first.AccountID, Region: first.Region, NetworkInterfaceID: "eni-0unverified", PublicIP: "198.51.100.10",
		Ports:       []findings.ExposedPort{{Protocol: "tcp", FromPort: 22, ToPort: 22, Services: []string{"SSH"}, GroupIDs: []string{"sg-8"}, Peers: []string{"0.0.0.0/0"}}},
		NotVerified: "no network data for this interface"}
	r.Exposures = append(r.Exposures, blocked, unverified)
	out := string(render(t, Table{Width: 400}, r))
	var exposed string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "EXPOSED") {
			exposed = l
		}
	}
	if !strings.Contains(exposed, "with a public IP and a world-open port, reachability not verified: ") || !strings.Contains(exposed, "eni-0unverified 198.51.100.10: tcp/22") ||
		strings.Contains(exposed, first.NetworkInterfaceID) ||
		strings.Contains(exposed, "eni-0blocked") || strings.Contains(exposed, "eni-0lbonly") {
		t.Errorf("EXPOSED line = %q, want only the unverified interface", exposed)
	}
	for _, want := range []string{
		"with a world-open port behind a public IP or an internet-facing load balancer",
		"tcp/3389 (RDP) blocked",
		"tcp/22 (SSH) not verified",
		"tcp/5432 (PostgreSQL) verified",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the exposed interfaces table does not say %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "eni-0lbonly ") && !strings.Contains(l, " - ") {
			t.Errorf("the load-balanced interface's row has no dash for its public IP: %q", l)
		}
	}
}

// TestHTMLAttackSurface: the page opens with the attack-surface view, the
// catalogue services (CRITICAL) first, with the path; without verified
// exposure there is no such view.
func TestHTMLAttackSurface(t *testing.T) {
	out := string(renderHTML(t, withVerifiedExposure(t)))
	view := strings.Index(out, `<section id="attack-surface"`)
	if view < 0 || view > strings.Index(out, `id="summary"`) {
		t.Fatalf("no attack-surface view before the summary")
	}
	section := out[view:]
	section = section[:strings.Index(section, "</section>")]
	lb, pub := strings.Index(section, "eni-0lbonly"), strings.Index(section, `<span class="hop">igw-1</span> → <span class="hop">rtb-1</span> → <span class="hop">acl-1</span> → <span class="hop">sg-1</span>`)
	if lb < 0 || pub < 0 || !strings.Contains(section, "load balancer arn:aws:elasticloadbalancing") {
		t.Errorf("attack surface misses a row or its path:\n%s", section)
	}
	if plain := string(renderHTML(t, loadReport(t, inReport))); strings.Contains(plain, "attack-surface") {
		t.Error("an attack-surface view without verified exposure")
	}
}

// TestMarkdownAttackSurface: the job summary gets the HTML's attack
// surface after the severity counts, catalogue services first, with the
// path; its exposed interfaces say per port what the analysis found; a
// report without verified exposure has no such section.
func TestMarkdownAttackSurface(t *testing.T) {
	r := withVerifiedExposure(t)
	no := false
	first := r.Exposures[0]
	r.Exposures = append(r.Exposures, findings.Exposure{AccountID: first.AccountID, Region: first.Region, NetworkInterfaceID: "eni-0blocked", PublicIP: "198.51.100.9",
		Ports: []findings.ExposedPort{{Protocol: "tcp", FromPort: 3389, ToPort: 3389, Services: []string{"RDP"}, GroupIDs: []string{"sg-9"}, Peers: []string{"0.0.0.0/0"},
			Reachable: &no, BlockedBy: []findings.Blocker{{Kind: "network_acl", ID: "acl-9", Reason: "inbound rule 90 denies"}}}}})
	out := string(render(t, Markdown{}, r))
	view := strings.Index(out, "\n### Internet attack surface\n")
	if view < 0 || view < strings.Index(out, "| Severity | Findings |") || view > strings.Index(out, "\n### Exposed interfaces\n") {
		t.Fatalf("no attack surface between the severity counts and the exposed interfaces:\n%s", out)
	}
	section := out[view+1:]
	section = section[:strings.Index(section, "\n### ")]
	var rows []string
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "| eni-") {
			rows = append(rows, l)
		}
	}
	if len(rows) != 2 || !strings.Contains(section, "2 ports verified reachable from the internet") {
		t.Fatalf("want 2 reachable ports (not the blocked one), got:\n%s", section)
	}
	if !strings.Contains(rows[0], "CRITICAL") || !strings.Contains(strings.Join(rows, "\n"), "igw-1 → rtb-1 → acl-1 → sg-1") ||
		!strings.Contains(strings.Join(rows, "\n"), "load balancer arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/db/1 (TCP:5432)") {
		t.Errorf("rows lack CRITICAL first, the path or the load balancer:\n%s", strings.Join(rows, "\n"))
	}
	for _, want := range []string{"tcp/3389 (RDP) blocked", "tcp/5432 (PostgreSQL) verified", "| eni-0lbonly | - |",
		"with a world-open port behind a public IP or an internet-facing load balancer"} {
		if !strings.Contains(out, want) {
			t.Errorf("exposed interfaces do not say %q:\n%s", want, out)
		}
	}
	if plain := string(render(t, Markdown{}, loadReport(t, inReport))); strings.Contains(plain, "attack surface") || strings.Contains(plain, "verified") {
		t.Errorf("a summary without verified exposure mentions it:\n%s", plain)
	}
}
