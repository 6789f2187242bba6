package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// TestUnusedWhileAnAccountIsUnread: in an organisation scan with one
// member account denied, a group of another account that nothing read
// references may be referenced by the denied account's groups. SGA008
// names that account as not checked and keeps the delete in a comment;
// every other finding, and SGA008's identity, are those of the same scan
// with the account left out.
func TestUnusedWhileAnAccountIsUnread(t *testing.T) {
	t.Parallel()
	e, err := Load(context.Background(), policies.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		denied = "444455556666"
		gov    = "777788889999" // another partition: cannot reference
	)
	read := synthetic(200, 7) // one account, every region read
	for i := range read.Coverage {
		read.Coverage[i].Collected = append(read.Coverage[i].Collected, inventory.KindLaunchTemplates,
			inventory.KindLaunchConfigurations, inventory.KindReferences)
		read.Coverage[i].Collected = append(read.Coverage[i].Collected, collect.ProofOfUseKinds()...)
		slices.Sort(read.Coverage[i].Collected)
	}
	withDenied := *read
	withDenied.Accounts = append(slices.Clone(read.Accounts),
		inventory.Account{ID: denied, Name: "payments", Partition: "aws"},
		inventory.Account{ID: gov, Name: "gov", Partition: "aws-us-gov"})
	withDenied.Coverage = append(slices.Clone(read.Coverage),
		inventory.Coverage{AccountID: denied, Region: "eu-west-1", Status: inventory.CoverageDenied, Collected: []string{},
			FailedAPI: "AssumeRole", ErrorCode: "AccessDenied"},
		inventory.Coverage{AccountID: gov, Region: "us-gov-west-1", Status: inventory.CoverageDenied, Collected: []string{},
			FailedAPI: "AssumeRole", ErrorCode: "AccessDenied"})

	before, _ := evaluate(t, e, read)
	after, _ := evaluate(t, e, &withDenied)

	split := func(fs []findings.Finding) (unused, other []findings.Finding) {
		for _, f := range fs {
			if f.CheckID == "SGA008" {
				unused = append(unused, f)
			} else {
				other = append(other, f)
			}
		}
		return unused, other
	}
	unusedBefore, otherBefore := split(before)
	unusedAfter, otherAfter := split(after)
	if len(unusedBefore) == 0 {
		t.Fatal("the synthetic inventory has no unused group: the test proves nothing")
	}
	if diff := cmp.Diff(otherBefore, otherAfter); diff != "" {
		t.Errorf("other checks' findings changed (-read +with a denied account):\n%s", diff)
	}
	fingerprints := func(fs []findings.Finding) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Fingerprint)
		}
		return out
	}
	if diff := cmp.Diff(fingerprints(unusedBefore), fingerprints(unusedAfter)); diff != "" {
		t.Errorf("SGA008 findings are not the same groups (-read +with a denied account):\n%s", diff)
	}
	for i, f := range unusedAfter {
		b := unusedBefore[i]
		if !strings.HasPrefix(b.Remediation, "aws ec2 delete-security-group ") {
			t.Errorf("%s with every account read: remediation %q, want a plain delete", b.GroupID, b.Remediation)
		}
		if want := "not checked: the rules of account " + denied + " (not read completely)"; !strings.Contains(f.Message, want) || strings.Contains(f.Message, gov) {
			t.Errorf("%s: message %q, want it to contain %q and not name %s", f.GroupID, f.Message, want, gov)
		}
		if !strings.HasPrefix(f.Remediation, "# with the credentials of account "+denied+",") ||
			!strings.HasSuffix(f.Remediation, "then: "+b.Remediation) {
			t.Errorf("%s: remediation %q, want the account check and the delete in a comment", f.GroupID, f.Remediation)
		}
		if got := f.Evidence["accounts_not_read"]; !cmp.Equal(got, []any{denied}) {
			t.Errorf("%s: evidence accounts_not_read = %v, want [%s]", f.GroupID, got, denied)
		}
	}
}
