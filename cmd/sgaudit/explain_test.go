package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// explainWorld: eni-1 (i-1) has a public IP in a subnet routed to an
// internet gateway; its group opens SSH to the world and PostgreSQL to the
// VPC; its NACL denies 3389 before allowing all. An internet-facing NLB
// (client IPs preserved) in the same subnet forwards 5432 to it.
func explainWorld() *inventory.Inventory {
	const acct, region = "111122223333", "eu-west-1"
	entry := func(num int, egress bool, proto string, action inventory.NACLAction, from, to int) inventory.NACLEntry {
		return inventory.NACLEntry{RuleNumber: num, Egress: egress, Protocol: proto, Action: action, CIDR: "0.0.0.0/0", FromPort: from, ToPort: to, ICMPType: -1, ICMPCode: -1}
	}
	rule := func(id string, port int, cidr string) inventory.Rule {
		return inventory.Rule{ID: id, Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: port, ToPort: port, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: cidr}}
	}
	arn := func(s string) string { return "arn:aws:elasticloadbalancing:eu-west-1:111122223333:" + s }
	return &inventory.Inventory{
		Accounts: []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: acct, Region: region, Status: inventory.CoverageOK, SecurityGroups: 1,
			Collected: append(append([]string{inventory.KindSecurityGroups}, inventory.NetworkKinds...), inventory.LoadBalancerKinds...)}},
		SecurityGroups: []inventory.SecurityGroup{{
			ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", ID: "sg-1", Name: "db", AccountID: acct, Region: region, VPCID: "vpc-1",
			Rules: inventory.NewRules(rule("sgr-1", 22, "0.0.0.0/0"), rule("sgr-2", 5432, "0.0.0.0/0"), rule("sgr-3", 3389, "0.0.0.0/0")),
		}},
		NetworkInterfaces: []inventory.NetworkInterface{{ID: "eni-1", Type: "interface", AccountID: acct, Region: region, VPCID: "vpc-1",
			SubnetID: "subnet-1", PublicIP: "198.51.100.7", PrivateIPs: []string{"10.0.1.10"}, Resource: "i-1", GroupIDs: []string{"sg-1"}, Primary: true}},
		Subnets: []inventory.Subnet{{ID: "subnet-1", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.1.0/24"}, NetworkACLID: "acl-1"}},
		RouteTables: []inventory.RouteTable{{ID: "rtb-1", AccountID: acct, Region: region, VPCID: "vpc-1", Main: true, Routes: []inventory.Route{
			{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive},
			{Destination: "198.51.100.0/24", TargetKind: inventory.RoutePeering, TargetID: "pcx-1", State: inventory.RouteActive},
		}}},
		NetworkACLs: []inventory.NetworkACL{{ID: "acl-1", AccountID: acct, Region: region, VPCID: "vpc-1", SubnetIDs: []string{"subnet-1"}, Entries: []inventory.NACLEntry{
			entry(90, false, "6", inventory.NACLDeny, 3389, 3389), entry(100, false, "-1", inventory.NACLAllow, -1, -1),
			entry(100, true, "-1", inventory.NACLAllow, -1, -1)}}},
		InternetGateways: []inventory.InternetGateway{{ID: "igw-1", AccountID: acct, Region: region, VPCIDs: []string{"vpc-1"}}},
		LoadBalancers: []inventory.LoadBalancer{{ARN: arn("loadbalancer/net/db/1"), Name: "db", AccountID: acct, Region: region, Type: inventory.LoadBalancerNetwork,
			Scheme: inventory.SchemeInternetFacing, VPCID: "vpc-1", DNSName: "db-1.elb.eu-west-1.amazonaws.com", SubnetIDs: []string{"subnet-1"},
			Listeners: []inventory.Listener{{ARN: arn("listener/net/db/1/1"), Protocol: "TCP", Port: 15432, TargetGroupARNs: []string{arn("targetgroup/db/1")}}}}},
		TargetGroups: []inventory.TargetGroup{{ARN: arn("targetgroup/db/1"), Name: "db", AccountID: acct, Region: region, Port: 5432, TargetType: inventory.TargetTypeIP,
			PreserveClientIP: true, LoadBalancerARNs: []string{arn("loadbalancer/net/db/1")}, Targets: []inventory.Target{{ID: "10.0.1.10", Port: 5432}}}},
	}
}

// TestExplain: both directions of the question, as text and JSON: who
// reaches a port (the path hop by hop) and why one cannot (every blocker).
func TestExplain(t *testing.T) {
	in := writeInventoryFile(t, explainWorld())
	for _, tt := range []struct {
		name string
		args []string
		want []string // lines of the text output, in order
	}{
		{"reachable by instance id", []string{"--to", "i-1", "--port", "22"}, []string{
			"eni-1 (i-1) tcp 22 from any internet address: REACHABLE",
			"  via its public address",
			"  1. network_interface eni-1: public IPv4 address",
			"  2. internet_gateway igw-1: attached to vpc-1",
			"  3. route_table rtb-1: route 0.0.0.0/0 to igw-1",
			"  4. network_acl acl-1: inbound rule 100 (allow all traffic 0.0.0.0/0); outbound rule 100 (allow all traffic 0.0.0.0/0) lets the reply out",
			"  5. security_group sg-1: rule sgr-1 admits tcp 22 from 0.0.0.0/0",
			"  not from 198.51.100.0/24 (admitted by the groups, blocked on the way)",
		}},
		{"blocked for one source by a more specific route", []string{"--to", "eni-1", "--port", "22", "--from", "198.51.100.9"}, []string{
			"eni-1 (i-1) tcp 22 from 198.51.100.9: NOT REACHABLE",
			"  blocked by:",
			"  - route_table rtb-1: the route 198.51.100.0/24 goes to pcx pcx-1, not to an internet gateway",
			"  (not modelled: Transit Gateway, VPN, Direct Connect, Global Accelerator, CloudFront, host firewalls)",
		}},
		{"blocked by the NACL", []string{"--to", "eni-1", "--port", "3389"}, []string{
			"eni-1 (i-1) tcp 3389 from any internet address: NOT REACHABLE",
			"  blocked by:",
			// the route blocks the sources of 198.51.100.0/24 too: every blocker is named
			"  - route_table rtb-1: the route 198.51.100.0/24 goes to pcx pcx-1, not to an internet gateway",
			"  - network_acl acl-1: inbound rule 90 (deny tcp 3389 0.0.0.0/0) decides",
			"  (not modelled: Transit Gateway, VPN, Direct Connect, Global Accelerator, CloudFront, host firewalls)",
		}},
		{"a block partly routed elsewhere", []string{"--to", "eni-1", "--port", "22", "--from", "198.51.0.0/16"}, []string{
			"eni-1 (i-1) tcp 22 from the internet addresses of 198.51.0.0/16: REACHABLE",
			"  via its public address",
		}},
		{"a block routed elsewhere", []string{"--to", "eni-1", "--port", "22", "--from", "198.51.100.0/25"}, []string{
			"eni-1 (i-1) tcp 22 from the internet addresses of 198.51.100.0/25: NOT REACHABLE",
			"  blocked by:",
			"  - route_table rtb-1: the route 198.51.100.0/24 goes to pcx pcx-1, not to an internet gateway",
		}},
		{"a private block", []string{"--to", "eni-1", "--port", "22", "--from", "10.0.0.0/8"}, []string{
			"eni-1 (i-1) tcp 22 from the internet addresses of 10.0.0.0/8: NOT OPEN",
		}},
		{"not open", []string{"--to", "eni-1", "--port", "80"}, []string{
			"eni-1 (i-1) tcp 80 from any internet address: NOT OPEN",
			"  no group of the interface admits an internet address on this port, and no load balancer forwards to it",
		}},
		{"through the load balancer by DNS name", []string{"--to", "db-1.elb.eu-west-1.amazonaws.com", "--port", "15432"}, []string{
			"eni-1 (i-1) tcp 5432 from any internet address: REACHABLE",
			"  via load balancer arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/net/db/1, listener TCP:15432",
			"  via its public address",
		}},
		// The load balancer's nodes share the subnet: its route back to
		// this source is the same peering route, so both paths are blocked.
		{"both entries blocked for one source", []string{"--to", "eni-1", "--port", "5432", "--from", "198.51.100.9"}, []string{
			"eni-1 (i-1) tcp 5432 from 198.51.100.9: NOT REACHABLE",
			"  blocked by:",
			"  - route_table rtb-1: the route 198.51.100.0/24 goes to pcx pcx-1, not to an internet gateway",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"explain", "--input", in}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			got := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s\nfull output:\n%s", diff, r.stdout)
			}
		})
	}

	r := runCLI(t, "explain", "--input", in, "--to", "eni-1", "--port", "3389", "--format", "json")
	var out []explanation
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("json: exit %d, %v: %s", r.code, err, r.stdout)
	}
	if len(out) != 1 || out[0].Verdict != explainNotReachable || len(out[0].BlockedBy) != 2 || out[0].BlockedBy[1].ID != "acl-1" || out[0].Caveat == "" {
		t.Errorf("json answer %+v, want not_reachable blocked by rtb-1 and acl-1, with the caveat", out)
	}

	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown interface", []string{"explain", "--input", in, "--to", "eni-9", "--port", "22"}, "no such interface"},
		{"bad protocol", []string{"explain", "--input", in, "--to", "eni-1", "--port", "22", "--protocol", "sctp"}, "invalid --protocol"},
		{"bad source", []string{"explain", "--input", in, "--to", "eni-1", "--port", "22", "--from", "10.0.0.0/33"}, "invalid --from"},
	} {
		t.Run(tt.name, func(t *testing.T) { assertOneLineError(t, runCLI(t, tt.args...), tt.want) })
	}
}

// TestExplainLive: without --input, explain collects from AWS (moto here)
// first and answers for the demo world's public bastion. Until the
// collector reads the network model, the answer is "not verified" with the
// kind that is missing; once it does, a verified answer with its path or
// blockers: either way, never a guess.
func TestExplainLive(t *testing.T) {
	srv, _ := seededEmulator(t)
	c := ec2.NewFromConfig(srv.Config(context.Background(), "us-east-1"))
	out, err := c.DescribeNetworkInterfaces(context.Background(), &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("description"), Values: []string{"bastion-1"}}}})
	if err != nil || len(out.NetworkInterfaces) != 1 {
		t.Fatalf("find the bastion's interface: %v, %d found", err, len(out.NetworkInterfaces))
	}
	eni := aws.ToString(out.NetworkInterfaces[0].NetworkInterfaceId)
	r := runCLI(t, "explain", "--regions", "us-east-1", "--to", eni, "--port", "22")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	head, rest, _ := strings.Cut(r.stdout, "\n")
	switch {
	case !strings.HasPrefix(head, eni+" ("):
		t.Errorf("answer not about %s:\n%s", eni, r.stdout)
	case strings.HasSuffix(head, ": NOT VERIFIED"):
		if !strings.Contains(rest, " not collected in 123456789012/us-east-1") {
			t.Errorf("not verified without the missing kind:\n%s", r.stdout)
		}
	case strings.HasSuffix(head, ": REACHABLE"):
		if !strings.Contains(rest, "  1. network_interface "+eni) {
			t.Errorf("reachable without its path:\n%s", r.stdout)
		}
	case strings.HasSuffix(head, ": NOT REACHABLE"):
		if !strings.Contains(rest, "  blocked by:\n  - ") {
			t.Errorf("not reachable without its blockers:\n%s", r.stdout)
		}
	default:
		t.Errorf("no verdict:\n%s", r.stdout)
	}
}
