package inventory

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeIaC: a group's iac object round-trips through an inventory
// file, and one whose unmanaged rules are not the group's is refused
// (docs/iac.md §4).
func TestDecodeIaC(t *testing.T) {
	rules := validRules()
	group := SecurityGroup{ID: "sg-1", AccountID: "111122223333", Region: "eu-west-1",
		ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", Rules: NewRules(rules...),
		IaC: &IaC{ManagedBy: "terraform", Address: "aws_security_group.web", State: "terraform.tfstate", UnmanagedRules: rules[:1]}}
	inv := &Inventory{SchemaVersion: SchemaVersion, Source: "aws",
		Accounts:       []Account{{ID: "111122223333", Partition: "aws"}},
		SecurityGroups: []SecurityGroup{group},
		Coverage:       []Coverage{{AccountID: "111122223333", Region: "eu-west-1", Status: CoverageOK, Collected: []string{KindSecurityGroups}}},
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(group.IaC, got.SecurityGroups[0].IaC); diff != "" {
		t.Errorf("iac after a round trip (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		name string
		iac  IaC
		want string
	}{
		{"a rule the group does not have", IaC{ManagedBy: "terraform", UnmanagedRules: []Rule{{Direction: Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: 1, ToPort: 1, Peer: Peer{Kind: PeerCIDRv4, CIDR: "10.9.9.9/32"}}}},
			"iac.unmanaged_rules[0]"},
		{"another tool", IaC{ManagedBy: "pulumi"}, "iac.managed_by"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := *inv
			g := group
			g.IaC = &tt.iac
			bad.SecurityGroups = []SecurityGroup{g}
			raw, err := json.Marshal(&bad)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Decode(raw); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Decode error %v, want one naming %s", err, tt.want)
			}
		})
	}
}
