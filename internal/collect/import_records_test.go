package collect

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportRuleRecords: every describe-security-group-rules record must
// land on a rule of its group (issue 9). The old importer used a record
// only to name a rule of its group's own export and dropped the rest
// silently: a rules export alone scanned 0 groups with exit 0, and a
// record opening SSH to the world next to a closed group was ignored.
func TestImportRuleRecords(t *testing.T) {
	sshRecord := `{"SecurityGroupRules": [` + cliRule("sgr-0123456789abcdef0", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`) + `]}`
	tests := []struct {
		name    string
		inputs  []Input
		wantIDs []string // the rule ids of sg-1, when the import succeeds
		wantErr string
	}{
		{
			name:    "a rules export alone",
			inputs:  []Input{input("r.json", sshRecord)},
			wantErr: "invalid input: r.json (SecurityGroupRules[0]): rule sgr-0123456789abcdef0 belongs to group sg-1, which no input holds: add the describe-security-groups export of that region",
		},
		{
			name:    "a record of a closed group: the exports disagree",
			inputs:  []Input{input("g.json", cliGroups(cliGroup("sg-1", ""))), input("r.json", sshRecord)},
			wantErr: "invalid input: r.json (SecurityGroupRules[0]): rule sgr-0123456789abcdef0 matches none of the rules of group sg-1 in g.json (SecurityGroups[0]): the describe-security-group-rules and describe-security-groups exports disagree (taken at different times?): export both again",
		},
		{
			name: "one record matches, the other does not",
			inputs: []Input{input("g.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("r.json", `{"SecurityGroupRules": [`+
				cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`, `+cliRule("sgr-2", "sg-1", `, "CidrIpv4": "10.0.0.0/8"`)+`]}`)},
			wantErr: "invalid input: r.json (SecurityGroupRules[1]): rule sgr-2 matches none of the rules of group sg-1 in g.json (SecurityGroups[0]): the describe-security-group-rules and describe-security-groups exports disagree (taken at different times?): export both again",
		},
		{
			name: "two records of one rule",
			inputs: []Input{input("g.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("r.json", `{"SecurityGroupRules": [`+
				cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`, `+cliRule("sgr-2", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`]}`)},
			wantErr: "invalid input: rules sgr-1 (r.json (SecurityGroupRules[0])) and sgr-2 (r.json (SecurityGroupRules[1])) of group sg-1 are the same rule",
		},
		{
			name: "a record of another region than its group",
			inputs: []Input{input("g.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("r.json", `{"SecurityGroupRules": [`+
				cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0", "SecurityGroupRuleArn": "arn:aws:ec2:us-east-1:111122223333:security-group-rule/sgr-1"`)+`]}`)},
			wantErr: "invalid input: r.json (SecurityGroupRules[0]): rule sgr-1 of account 111122223333 region us-east-1 belongs to group sg-1, which g.json (SecurityGroups[0]) holds in account 111122223333 region eu-west-1",
		},
		{
			name:    "a record without IsEgress",
			inputs:  []Input{input("g.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("r.json", strings.Replace(sshRecord, `"IsEgress": false,`, "", 1))},
			wantErr: "invalid input: r.json:1:25 (SecurityGroupRules[0]): rule sgr-0123456789abcdef0 has no IsEgress: cannot tell an inbound from an outbound rule",
		},
		{
			name:    "a record matching its rule names it",
			inputs:  []Input{input("g.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("r.json", sshRecord)},
			wantIDs: []string{"sgr-0123456789abcdef0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv, err := ImportReaders(context.Background(), tt.inputs, "")
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInput) || err.Error() != tt.wantErr {
					t.Fatalf("ImportReaders() error =\n%v\nwant\n%s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ImportReaders: %v", err)
			}
			var ids []string
			for _, r := range inv.SecurityGroups[0].Rules.Slice() {
				ids = append(ids, r.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("rule ids (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportInterfacesOnly: network interfaces without any group are an
// error (issue 9): the old importer reported "0 security groups" and no
// finding, with exit 0, for an import whose groups export was forgotten.
func TestImportInterfacesOnly(t *testing.T) {
	enis := func(name string) Input {
		return input(name, `{"NetworkInterfaces": [`+cliENI("eni-"+name[:1], "")+`]}`)
	}
	_, err := ImportReaders(context.Background(), []Input{enis("b.json"), enis("a.json")}, "")
	want := "invalid input: b.json, a.json: network interfaces but no security group in any input: add the describe-security-groups export of the same regions"
	if !errors.Is(err, ErrInput) || err.Error() != want {
		t.Errorf("ImportReaders() error =\n%v\nwant\n%s", err, want)
	}
	// With the groups, the same interfaces are imported.
	inv, err := ImportReaders(context.Background(), []Input{enis("b.json"), input("g.json", cliGroups(cliGroup("sg-1", "")))}, "")
	if err != nil {
		t.Fatalf("ImportReaders(interfaces and groups): %v", err)
	}
	if got := len(inv.NetworkInterfaces); got != 1 {
		t.Errorf("interfaces = %d, want 1", got)
	}
}
