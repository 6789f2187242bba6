package scan

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// reachWorld: one group with SSH open to the world, on a public interface
// in a subnet whose route table sends 0.0.0.0/0 to an attached internet
// gateway, and whose NACL allows all (edit to block).
func reachWorld(edit func(*inventory.Inventory)) *inventory.Inventory {
	const acct, region = "111122223333", "eu-west-1"
	entry := func(num int, egress bool, action inventory.NACLAction) inventory.NACLEntry {
		return inventory.NACLEntry{RuleNumber: num, Egress: egress, Protocol: "-1", Action: action, CIDR: "0.0.0.0/0", FromPort: -1, ToPort: -1, ICMPType: -1, ICMPCode: -1}
	}
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion, Source: "aws",
		Accounts: []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage: []inventory.Coverage{{AccountID: acct, Region: region, Status: inventory.CoverageOK,
			Collected: append(append([]string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules}, inventory.NetworkKinds...), inventory.LoadBalancerKinds...)}},
		SecurityGroups: []inventory.SecurityGroup{{
			ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", ID: "sg-1", Name: "bastion", AccountID: acct, Region: region, VPCID: "vpc-1",
			Rules: inventory.NewRules(inventory.Rule{ID: "sgr-1", Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp",
				FromPort: 22, ToPort: 22, Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}}),
			Attachments: []inventory.Attachment{{NetworkInterfaceID: "eni-1", InterfaceType: "interface", PublicIP: "198.51.100.7", Resource: "i-1"}},
			UsedBy:      []inventory.Evidence{{Kind: inventory.UsedByENI, ID: "eni-1"}},
		}},
		NetworkInterfaces: []inventory.NetworkInterface{{ID: "eni-1", Type: "interface", AccountID: acct, Region: region, VPCID: "vpc-1",
			SubnetID: "subnet-1", PublicIP: "198.51.100.7", Resource: "i-1", GroupIDs: []string{"sg-1"}, Primary: true}},
		Subnets: []inventory.Subnet{{ID: "subnet-1", AccountID: acct, Region: region, VPCID: "vpc-1", CIDRs: []string{"10.0.1.0/24"}, NetworkACLID: "acl-1"}},
		RouteTables: []inventory.RouteTable{{ID: "rtb-1", AccountID: acct, Region: region, VPCID: "vpc-1", Main: true, Routes: []inventory.Route{
			{Destination: "10.0.0.0/16", TargetKind: inventory.RouteLocal, TargetID: "local", State: inventory.RouteActive},
			{Destination: "0.0.0.0/0", TargetKind: inventory.RouteInternetGateway, TargetID: "igw-1", State: inventory.RouteActive},
		}}},
		NetworkACLs: []inventory.NetworkACL{{ID: "acl-1", AccountID: acct, Region: region, VPCID: "vpc-1", IsDefault: true, SubnetIDs: []string{"subnet-1"},
			Entries: []inventory.NACLEntry{entry(100, false, inventory.NACLAllow), entry(32767, false, inventory.NACLDeny), entry(100, true, inventory.NACLAllow), entry(32767, true, inventory.NACLDeny)}}},
		InternetGateways: []inventory.InternetGateway{{ID: "igw-1", AccountID: acct, Region: region, VPCIDs: []string{"vpc-1"}}},
	}
	if edit != nil {
		edit(inv)
	}
	inv.Sort()
	return inv
}

// TestEvaluateGradesByVerifiedExposure: SGA001 is CRITICAL when SSH is
// verified reachable, HIGH when a NACL blocks it, and keeps the public-IP
// escalation with the reason when the network data was not collected
// (docs/reachability.md §4). The exposure says the same.
func TestEvaluateGradesByVerifiedExposure(t *testing.T) {
	for _, tt := range []struct {
		name      string
		edit      func(*inventory.Inventory)
		severity  findings.Severity
		msgSuffix string
		reachable *bool
		blockedBy []string
	}{
		{
			name: "reachable", severity: findings.SeverityCritical, reachable: ptr(true),
			msgSuffix: "; verified reachable from the internet on eni-1 via public IP: eni-1 (public IPv4 address) → igw-1 (attached to vpc-1) → rtb-1 (route 0.0.0.0/0 to igw-1) → acl-1 (inbound rule 100 (allow all traffic 0.0.0.0/0); outbound rule 100 (allow all traffic 0.0.0.0/0) lets the reply out) → sg-1 (rule sgr-1 admits tcp 22 from 0.0.0.0/0)",
		},
		{
			name: "blocked by a NACL and a route", severity: findings.SeverityHigh, reachable: ptr(false), blockedBy: []string{"rtb-1", "acl-1"},
			edit: func(inv *inventory.Inventory) {
				a := &inv.NetworkACLs[0]
				a.Entries = append(a.Entries, inventory.NACLEntry{RuleNumber: 90, Protocol: "6", Action: inventory.NACLDeny, CIDR: "0.0.0.0/0", FromPort: 22, ToPort: 22, ICMPType: -1, ICMPCode: -1})
				inv.RouteTables[0].Routes[1].TargetKind, inv.RouteTables[0].Routes[1].TargetID = inventory.RouteNATGateway, "nat-1"
			},
			msgSuffix: "; open in the group but not reachable from the internet on eni-1: blocked by rtb-1: the route 0.0.0.0/0 goes to nat nat-1, not to an internet gateway; acl-1: inbound rule 90 (deny tcp 22 0.0.0.0/0) decides (" + "not modelled: Transit Gateway, VPN, Direct Connect, Global Accelerator, CloudFront, host firewalls)",
		},
		{
			name: "not collected", severity: findings.SeverityCritical,
			edit: func(inv *inventory.Inventory) {
				inv.Coverage[0].Collected = []string{inventory.KindSecurityGroups, inventory.KindNetworkInterfaces}
				inv.Subnets, inv.RouteTables, inv.NetworkACLs, inv.InternetGateways = nil, nil, nil, nil
			},
			msgSuffix: "; the group is on 1 interface(s) with a public IP: eni-1 (198.51.100.7, i-1); reachability not verified (the network data it needs, subnets, route tables, network ACLs and internet gateways, was not collected for these interfaces)",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			eng, err := LoadEngine(context.Background(), Options{})
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Evaluate(context.Background(), eng, reachWorld(tt.edit), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var f *findings.Finding
			for i := range rep.Findings {
				if rep.Findings[i].CheckID == "SGA001" {
					f = &rep.Findings[i]
				}
			}
			if f == nil {
				t.Fatal("no SGA001 finding")
			}
			if f.Severity != tt.severity || !strings.HasSuffix(f.Message, tt.msgSuffix) {
				t.Errorf("SGA001 %s %q\nwant %s ending %q", f.Severity, f.Message, tt.severity, tt.msgSuffix)
			}
			if len(rep.Exposures) != 1 || len(rep.Exposures[0].Ports) != 1 {
				t.Fatalf("exposures %+v, want one interface with one port", rep.Exposures)
			}
			p := rep.Exposures[0].Ports[0]
			if diff := cmp.Diff(tt.reachable, p.Reachable); diff != "" {
				t.Errorf("reachable (-want +got):\n%s", diff)
			}
			var blocked []string
			for _, b := range p.BlockedBy {
				blocked = append(blocked, b.ID)
			}
			if diff := cmp.Diff(tt.blockedBy, blocked); diff != "" {
				t.Errorf("blocked_by (-want +got):\n%s", diff)
			}
			if tt.reachable == nil && rep.Exposures[0].NotVerified == "" {
				t.Errorf("exposure without network data has no not_verified reason")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
