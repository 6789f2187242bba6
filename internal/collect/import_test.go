package collect

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/golden"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func input(name, content string) Input { return Input{Name: name, R: strings.NewReader(content)} }

func fileInput(t *testing.T, path string) Input {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Input{Name: filepath.Base(path), R: strings.NewReader(string(raw))}
}

// TestImportGolden imports real-shaped AWS CLI output (groups, rules,
// interfaces) and compares the whole inventory with testdata/import.golden.
func TestImportGolden(t *testing.T) {
	inv, err := ImportReaders(context.Background(), []Input{
		fileInput(t, "testdata/cli-sgs.json"),
		fileInput(t, "testdata/cli-rules.json"),
		fileInput(t, "testdata/cli-enis.json"),
	}, "")
	if err != nil {
		t.Fatalf("ImportReaders: %v", err)
	}
	got, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/import.golden", append(got, '\n'))
}

// summary is what the table tests compare: per (account, region) the
// coverage kinds, and per group its rule ids and attachments.
type summary struct {
	Source   string
	Accounts []inventory.Account
	Coverage map[string][]string
	Groups   map[string]groupSummary
}

type groupSummary struct {
	RuleIDs     []string
	Attachments []string
}

func summarise(inv *inventory.Inventory) summary {
	s := summary{Source: inv.Source, Accounts: inv.Accounts, Coverage: map[string][]string{}, Groups: map[string]groupSummary{}}
	for _, c := range inv.Coverage {
		if c.Status != inventory.CoverageOK {
			s.Coverage[c.AccountID+"/"+c.Region] = []string{string(c.Status)}
			continue
		}
		s.Coverage[c.AccountID+"/"+c.Region] = c.Collected
	}
	for _, g := range inv.SecurityGroups {
		var gs groupSummary
		for _, r := range g.Rules.All() {
			gs.RuleIDs = append(gs.RuleIDs, r.ID)
		}
		for _, a := range g.Attachments {
			gs.Attachments = append(gs.Attachments, a.NetworkInterfaceID+" "+a.PublicIP)
		}
		s.Groups[g.AccountID+"/"+g.Region+"/"+g.ID] = gs
	}
	return s
}

const (
	acct = "210987654321"
	pair = acct + "/eu-central-1"
	sgA  = pair + "/sg-0a1b2c3d4e5f60001"
	sgB  = pair + "/sg-0a1b2c3d4e5f60002"
)

// sgsNoARN is describe-security-groups output from an older CLI, without
// SecurityGroupArn.
const sgsNoARN = `{"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "g", "OwnerId": "111122223333", "VpcId": "vpc-1",
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]}`

func TestImportReaders(t *testing.T) {
	accountAWS := []inventory.Account{{ID: acct, Partition: "aws"}}
	sgsKinds := []string{inventory.KindSecurityGroups}
	tests := []struct {
		name     string
		inputs   func(t *testing.T) []Input
		fallback string
		want     summary
	}{
		{
			name:   "describe-security-groups alone: no rule ids, interfaces not collected",
			inputs: func(t *testing.T) []Input { return []Input{fileInput(t, "testdata/cli-sgs.json")} },
			want: summary{Source: SourceCLI, Accounts: accountAWS, Coverage: map[string][]string{pair: sgsKinds},
				Groups: map[string]groupSummary{sgA: {RuleIDs: []string{"", "", ""}}, sgB: {RuleIDs: []string{""}}}},
		},
		{
			name: "with interfaces: attachments and the network_interfaces kind",
			inputs: func(t *testing.T) []Input {
				return []Input{fileInput(t, "testdata/cli-enis.json"), fileInput(t, "testdata/cli-sgs.json")}
			},
			want: summary{Source: SourceCLI, Accounts: accountAWS,
				Coverage: map[string][]string{pair: {inventory.KindNetworkInterfaces, inventory.KindSecurityGroups}},
				Groups: map[string]groupSummary{
					sgA: {RuleIDs: []string{"", "", ""}, Attachments: []string{"eni-0123456789abcdef0 198.51.100.7"}},
					sgB: {RuleIDs: []string{""}},
				}},
		},
		{
			name: "with rules: ids filled by key",
			inputs: func(t *testing.T) []Input {
				return []Input{fileInput(t, "testdata/cli-sgs.json"), fileInput(t, "testdata/cli-rules.json")}
			},
			want: summary{Source: SourceCLI, Accounts: accountAWS,
				Coverage: map[string][]string{pair: {inventory.KindSecurityGroupRules, inventory.KindSecurityGroups}},
				Groups: map[string]groupSummary{
					sgA: {RuleIDs: []string{"", "sgr-0000000000000001a", "sgr-0000000000000001b"}},
					sgB: {RuleIDs: []string{"sgr-0000000000000002a"}},
				}},
		},
		{
			name: "the same file twice does not double the groups",
			inputs: func(t *testing.T) []Input {
				return []Input{fileInput(t, "testdata/cli-sgs.json"), fileInput(t, "testdata/cli-sgs.json")}
			},
			want: summary{Source: SourceCLI, Accounts: accountAWS, Coverage: map[string][]string{pair: sgsKinds},
				Groups: map[string]groupSummary{sgA: {RuleIDs: []string{"", "", ""}}, sgB: {RuleIDs: []string{""}}}},
		},
		{
			name: "two regions merge; interfaces of one region do not count for the other",
			inputs: func(t *testing.T) []Input {
				return []Input{fileInput(t, "testdata/cli-sgs.json"), fileInput(t, "testdata/cli-enis.json"), input("old.json", sgsNoARN)}
			},
			fallback: "us-west-2",
			want: summary{Source: SourceCLI,
				Accounts: []inventory.Account{{ID: "111122223333", Partition: "aws"}, {ID: acct, Partition: "aws"}},
				Coverage: map[string][]string{
					pair:                     {inventory.KindNetworkInterfaces, inventory.KindSecurityGroups},
					"111122223333/us-west-2": sgsKinds,
				},
				Groups: map[string]groupSummary{
					sgA:                           {RuleIDs: []string{"", "", ""}, Attachments: []string{"eni-0123456789abcdef0 198.51.100.7"}},
					sgB:                           {RuleIDs: []string{""}},
					"111122223333/us-west-2/sg-1": {RuleIDs: []string{""}},
				}},
		},
		{
			name: "an empty interface list counts for the fallback region",
			inputs: func(t *testing.T) []Input {
				return []Input{input("sgs.json", sgsNoARN), input("enis.json", `{"NetworkInterfaces": []}`)}
			},
			fallback: "us-west-2",
			want: summary{Source: SourceCLI, Accounts: []inventory.Account{{ID: "111122223333", Partition: "aws"}},
				Coverage: map[string][]string{"111122223333/us-west-2": {inventory.KindNetworkInterfaces, inventory.KindSecurityGroups}},
				Groups:   map[string]groupSummary{"111122223333/us-west-2/sg-1": {RuleIDs: []string{""}}}},
		},
		{
			name: "partition from the region when there is no ARN",
			inputs: func(t *testing.T) []Input {
				return []Input{input("sgs.json", sgsNoARN)}
			},
			fallback: "us-gov-east-1",
			want: summary{Source: SourceCLI, Accounts: []inventory.Account{{ID: "111122223333", Partition: "aws-us-gov"}},
				Coverage: map[string][]string{"111122223333/us-gov-east-1": sgsKinds},
				Groups:   map[string]groupSummary{"111122223333/us-gov-east-1/sg-1": {RuleIDs: []string{""}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv, err := ImportReaders(context.Background(), tt.inputs(t), tt.fallback)
			if err != nil {
				t.Fatalf("ImportReaders: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarise(inv)); diff != "" {
				t.Errorf("ImportReaders (-want +got):\n%s", diff)
			}
			if !inv.CollectedAt.IsZero() {
				t.Errorf("CollectedAt = %v, want zero for CLI data", inv.CollectedAt)
			}
		})
	}
}

// TestImportInventory checks an sgaudit inventory round-trips unchanged and
// merges with CLI data of another region.
func TestImportInventory(t *testing.T) {
	cli, err := ImportReaders(context.Background(), []Input{fileInput(t, "testdata/cli-sgs.json"), fileInput(t, "testdata/cli-enis.json")}, "")
	if err != nil {
		t.Fatal(err)
	}
	cli.Source = Source
	cli.CollectedAt = fixedNow
	raw, err := json.Marshal(cli)
	if err != nil {
		t.Fatal(err)
	}

	again, err := ImportReaders(context.Background(), []Input{input("inventory.json", string(raw))}, "")
	if err != nil {
		t.Fatalf("ImportReaders(inventory): %v", err)
	}
	if diff := cmp.Diff(cli, again); diff != "" {
		t.Errorf("inventory round trip (-want +got):\n%s", diff)
	}

	merged, err := ImportReaders(context.Background(), []Input{input("inventory.json", string(raw)), input("old.json", sgsNoARN)}, "us-west-2")
	if err != nil {
		t.Fatalf("ImportReaders(inventory + CLI): %v", err)
	}
	if got, want := len(merged.SecurityGroups), len(cli.SecurityGroups)+1; got != want {
		t.Errorf("merged groups = %d, want %d", got, want)
	}
	if got, want := merged.Source, "aws+aws-cli-json"; got != want {
		t.Errorf("merged source = %q, want %q", got, want)
	}
	if !merged.CollectedAt.Equal(fixedNow) {
		t.Errorf("merged CollectedAt = %v, want the inventory's %v", merged.CollectedAt, fixedNow)
	}

	// The same (account, region) from two sources cannot be merged.
	_, err = ImportReaders(context.Background(), []Input{input("inventory.json", string(raw)), fileInput(t, "testdata/cli-sgs.json")}, "")
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "both hold account "+acct+" region eu-central-1") {
		t.Errorf("ImportReaders(duplicate pair) error = %v, want ErrInput naming the pair", err)
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name     string
		inputs   []Input
		fallback string
		want     string // the whole one-line message
	}{
		{
			name:   "malformed JSON names file, line and column",
			inputs: []Input{input("sgs.json", "{\n  \"SecurityGroups\": [\n    {\"GroupId\": \"sg-1\",,}\n  ]\n}")},
			want:   "invalid input: sgs.json:3:24 (byte 47): malformed JSON: invalid character ',' at start of value",
		},
		{
			name:   "truncated JSON",
			inputs: []Input{input("cut.json", `{"SecurityGroups": [`)},
			want:   "invalid input: cut.json:1:21 (byte 20): malformed JSON: unexpected end of JSON input",
		},
		{
			name:   "wrong type inside a known format",
			inputs: []Input{input("sgs.json", `{"SecurityGroups": [{"GroupId": "sg-1", "IpPermissions": [{"FromPort": "22"}]}]}`)},
			want:   "invalid input: sgs.json:1:72 (byte 71): field SecurityGroups[0].IpPermissions[0].FromPort: a JSON string where int32 was expected",
		},
		{
			name:   "wrong type inside a rule of an sgaudit inventory",
			inputs: []Input{input("inv.json", "{\"schema_version\": \"1\",\n \"security_groups\": [\n  {\"id\": \"sg-1\",\n   \"rules\": [{\"id\": \"sgr-1\", \"from_port\": \"22\"}]}]}")},
			want:   "invalid input: inv.json:4:46 (byte 108): field security_groups.rules.from_port: a JSON string where int was expected",
		},
		{
			name:   "unknown JSON lists what is accepted",
			inputs: []Input{input("vpcs.json", `{"Vpcs": [], "NextToken": null}`)},
			want: "invalid input: vpcs.json is not a format sgaudit reads (top-level keys: \"NextToken\", \"Vpcs\"); accepted: an sgaudit inventory " +
				"(sgaudit collect -o), or the JSON output of `aws ec2 describe-security-groups`, `aws ec2 describe-network-interfaces` " +
				"or `aws ec2 describe-security-group-rules`, with the network describes verified exposure reads " +
				"(docs/inventory.md §16: describe-subnets, describe-route-tables, describe-network-acls, describe-internet-gateways, " +
				"describe-egress-only-internet-gateways, describe-addresses, elbv2 describe-load-balancers, describe-listeners, " +
				"describe-rules, describe-target-groups, describe-target-health, elb describe-load-balancers)",
		},
		{
			name:   "a JSON array is not accepted",
			inputs: []Input{input("list.json", `[{"GroupId": "sg-1"}]`)},
			want: "invalid input: list.json is a JSON array, not an object; accepted: an sgaudit inventory " +
				"(sgaudit collect -o), or the JSON output of `aws ec2 describe-security-groups`, `aws ec2 describe-network-interfaces` " +
				"or `aws ec2 describe-security-group-rules`, with the network describes verified exposure reads " +
				"(docs/inventory.md §16: describe-subnets, describe-route-tables, describe-network-acls, describe-internet-gateways, " +
				"describe-egress-only-internet-gateways, describe-addresses, elbv2 describe-load-balancers, describe-listeners, " +
				"describe-rules, describe-target-groups, describe-target-health, elb describe-load-balancers)",
		},
		{
			name:   "empty file",
			inputs: []Input{input("empty.json", " \n")},
			want: "invalid input: empty.json is empty; accepted: an sgaudit inventory " +
				"(sgaudit collect -o), or the JSON output of `aws ec2 describe-security-groups`, `aws ec2 describe-network-interfaces` " +
				"or `aws ec2 describe-security-group-rules`, with the network describes verified exposure reads " +
				"(docs/inventory.md §16: describe-subnets, describe-route-tables, describe-network-acls, describe-internet-gateways, " +
				"describe-egress-only-internet-gateways, describe-addresses, elbv2 describe-load-balancers, describe-listeners, " +
				"describe-rules, describe-target-groups, describe-target-health, elb describe-load-balancers)",
		},
		{
			name:   "missing region",
			inputs: []Input{input("old.json", sgsNoARN)},
			want:   "invalid input: old.json:1:21 (SecurityGroups[0]): cannot tell the region of sg-1: pass --region",
		},
		{
			name:   "a rule whose group is unknown, without a region",
			inputs: []Input{input("rules.json", `{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "GroupId": "sg-9", "GroupOwnerId": "111122223333", "IsEgress": false}]}`)},
			want: "invalid input: rules.json (SecurityGroupRules[0]): rule sgr-1 belongs to group sg-9, which no input holds: " +
				"add the describe-security-groups export of that region",
		},
		{
			name:     "missing account",
			inputs:   []Input{input("sgs.json", `{"SecurityGroups": [{"GroupId": "sg-1"}]}`)},
			fallback: "eu-west-1",
			want:     "invalid input: sgs.json:1:21 (SecurityGroups[0]): cannot tell the account of sg-1: it has no OwnerId",
		},
		{
			name:   "unknown inventory schema version",
			inputs: []Input{input("inv.json", `{"schema_version": "99", "security_groups": []}`)},
			want:   `invalid input: inv.json is an sgaudit inventory with schema_version "99"; this sgaudit reads schema_version "1"`,
		},
		{
			name:   "only empty lists",
			inputs: []Input{input("sgs.json", `{"SecurityGroups": []}`)},
			want:   "invalid input: no security groups, rules or interfaces in sgs.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ImportReaders(context.Background(), tt.inputs, tt.fallback)
			if !errors.Is(err, ErrInput) {
				t.Fatalf("ImportReaders() error = %v, want ErrInput", err)
			}
			if err.Error() != tt.want {
				t.Errorf("ImportReaders() error =\n%s\nwant\n%s", err, tt.want)
			}
		})
	}
}

func TestImport(t *testing.T) {
	inv, err := Import(context.Background(), []string{"testdata/cli-sgs.json"}, "")
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(inv.SecurityGroups) != 2 {
		t.Errorf("groups = %d, want 2", len(inv.SecurityGroups))
	}
	missing := filepath.Join(t.TempDir(), "nope.json")
	if _, err := Import(context.Background(), []string{missing}, ""); !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Import(missing) error = %v, want ErrInput naming the file", err)
	}
}

func TestPosition(t *testing.T) {
	raw := []byte("ab\ncd\n\nef")
	tests := []struct {
		offset          int64
		wantLine, wantC int
	}{
		{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {7, 4, 1}, {9, 4, 3}, {100, 4, 3},
	}
	for _, tt := range tests {
		line, col := position(raw, tt.offset)
		if line != tt.wantLine || col != tt.wantC {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.offset, line, col, tt.wantLine, tt.wantC)
		}
	}
}

func TestAZRegion(t *testing.T) {
	for az, want := range map[string]string{
		"eu-central-1a":           "eu-central-1",
		"us-gov-west-1b":          "us-gov-west-1",
		"cn-northwest-1c":         "cn-northwest-1",
		"us-west-2-lax-1a":        "us-west-2",
		"us-east-1-wl1-bos-wlz-1": "us-east-1",
		"":                        "",
	} {
		if got := azRegion.FindString(az); got != want {
			t.Errorf("region of %q = %q, want %q", az, got, want)
		}
	}
}
