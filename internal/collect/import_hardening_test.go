package collect

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// group is one describe-security-groups item in eu-west-1 of account
// 111122223333, with extra fields spliced in.
func cliGroup(id, extra string) string {
	return `{"GroupId": "` + id + `", "GroupName": "g", "OwnerId": "111122223333", "VpcId": "vpc-1",
  "SecurityGroupArn": "arn:aws:ec2:eu-west-1:111122223333:security-group/` + id + `"` + extra + `}`
}

func cliGroups(items ...string) string {
	return `{"SecurityGroups": [` + strings.Join(items, ",\n") + `]}`
}

const sshToWorld = `, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]`

func cliRule(id, gid, extra string) string {
	return `{"SecurityGroupRuleId": "` + id + `", "GroupId": "` + gid + `", "GroupOwnerId": "111122223333", "IsEgress": false,
  "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22` + extra + `}`
}

func cliENI(id, extra string) string {
	return `{"NetworkInterfaceId": "` + id + `", "OwnerId": "111122223333", "AvailabilityZone": "eu-west-1a",
  "InterfaceType": "interface", "Status": "in-use", "Groups": [{"GroupId": "sg-1"}]` + extra + `}`
}

// TestImportDuplicates: the same item twice is kept once; two different
// items with one id, or one without an id, are an error naming both places
// (issue 9, item 4). The old importer kept the first of two groups with one
// id and dropped the second, with its SSH open to the world.
func TestImportDuplicates(t *testing.T) {
	tests := []struct {
		name       string
		inputs     []Input
		wantGroups []string // ids, when the import succeeds
		wantErr    string
	}{
		{
			name:       "identical groups in two files are merged",
			inputs:     []Input{input("a.json", cliGroups(cliGroup("sg-1", sshToWorld))), input("b.json", cliGroups(cliGroup("sg-2", ""), cliGroup("sg-1", sshToWorld)))},
			wantGroups: []string{"sg-1", "sg-2"},
		},
		{
			name:       "identical groups in one file are merged",
			inputs:     []Input{input("a.json", cliGroups(cliGroup("sg-1", ""), cliGroup("sg-1", "")))},
			wantGroups: []string{"sg-1"},
		},
		{
			name:    "a second group with the same id opening SSH to the world",
			inputs:  []Input{input("a.json", cliGroups(cliGroup("sg-1", ""))), input("b.json", cliGroups(cliGroup("sg-2", ""), cliGroup("sg-1", sshToWorld)))},
			wantErr: "invalid input: group sg-1 differs between a.json (SecurityGroups[0]) and b.json (SecurityGroups[1])",
		},
		{
			name:    "the same id twice in one file, differing",
			inputs:  []Input{input("a.json", cliGroups(cliGroup("sg-1", ""), cliGroup("sg-1", sshToWorld)))},
			wantErr: "invalid input: group sg-1 differs between a.json (SecurityGroups[0]) and a.json (SecurityGroups[1])",
		},
		{
			name:    "the same id in another account",
			inputs:  []Input{input("a.json", cliGroups(cliGroup("sg-1", ""), strings.Replace(cliGroup("sg-1", ""), `"OwnerId": "111122223333"`, `"OwnerId": "444455556666"`, 1)))},
			wantErr: "invalid input: group sg-1 differs between a.json (SecurityGroups[0]) and a.json (SecurityGroups[1])",
		},
		{
			name:    "groups without an id are not merged into one",
			inputs:  []Input{input("a.json", "{\"SecurityGroups\": [\n  "+cliGroup("sg-1", "")+",\n  {\"GroupName\": \"x\", \"OwnerId\": \"111122223333\"}]}")},
			wantErr: "invalid input: a.json:4:3 (SecurityGroups[1]): a security group without GroupId",
		},
		{
			name: "identical rule records are merged",
			inputs: []Input{input("a.json", cliGroups(cliGroup("sg-1", sshToWorld))),
				input("r1.json", `{"SecurityGroupRules": [`+cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`]}`),
				input("r2.json", `{"SecurityGroupRules": [`+cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`]}`)},
			wantGroups: []string{"sg-1"},
		},
		{
			name: "rule records with the same id, differing",
			inputs: []Input{input("a.json", cliGroups(cliGroup("sg-1", sshToWorld))),
				input("r1.json", `{"SecurityGroupRules": [`+cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`)+`]}`),
				input("r2.json", `{"SecurityGroupRules": [`+cliRule("sgr-2", "sg-1", `, "CidrIpv4": "10.0.0.0/8"`)+`, `+cliRule("sgr-1", "sg-1", `, "CidrIpv4": "10.0.0.0/8"`)+`]}`)},
			wantErr: "invalid input: rule sgr-1 differs between r1.json (SecurityGroupRules[0]) and r2.json:2:81 (SecurityGroupRules[1])",
		},
		{
			name:    "a rule record without an id",
			inputs:  []Input{input("r.json", `{"SecurityGroupRules": [{"GroupId": "sg-1", "GroupOwnerId": "111122223333"}]}`)},
			wantErr: "invalid input: r.json:1:25 (SecurityGroupRules[0]): a security group rule without SecurityGroupRuleId",
		},
		{
			name:       "identical interfaces are merged",
			inputs:     []Input{input("a.json", cliGroups(cliGroup("sg-1", ""))), input("e1.json", `{"NetworkInterfaces": [`+cliENI("eni-1", "")+`]}`), input("e2.json", `{"NetworkInterfaces": [`+cliENI("eni-1", "")+`]}`)},
			wantGroups: []string{"sg-1"},
		},
		{
			name: "interfaces with the same id, differing",
			inputs: []Input{input("a.json", cliGroups(cliGroup("sg-1", ""))), input("e1.json", `{"NetworkInterfaces": [`+cliENI("eni-1", "")+`]}`),
				input("e2.json", `{"NetworkInterfaces": [`+cliENI("eni-1", `, "Association": {"PublicIp": "198.51.100.1"}`)+`]}`)},
			wantErr: "invalid input: network interface eni-1 differs between e1.json (NetworkInterfaces[0]) and e2.json (NetworkInterfaces[0])",
		},
		{
			name:    "an interface without an id",
			inputs:  []Input{input("e.json", `{"NetworkInterfaces": [{"OwnerId": "111122223333"}]}`)},
			wantErr: "invalid input: e.json:1:24 (NetworkInterfaces[0]): a network interface without NetworkInterfaceId",
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
			for _, g := range inv.SecurityGroups {
				ids = append(ids, g.ID)
			}
			if diff := cmp.Diff(tt.wantGroups, ids); diff != "" {
				t.Errorf("groups (-want +got):\n%s", diff)
			}
		})
	}
}

// TestImportInventoryOverlap: inventories are held to the same rule as
// AWS CLI data (issue 9, item 4).
func TestImportInventoryOverlap(t *testing.T) {
	base, err := ImportReaders(context.Background(), []Input{fileInput(t, "testdata/cli-sgs.json")}, "")
	if err != nil {
		t.Fatal(err)
	}
	encode := func(edit func(inv *inventory.Inventory)) string {
		raw, err := json.Marshal(base)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := inventory.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		edit(inv)
		if raw, err = json.Marshal(inv); err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	same := encode(func(*inventory.Inventory) {})
	dupDiffering := encode(func(inv *inventory.Inventory) {
		g := inv.SecurityGroups[0]
		g.Name = "other"
		inv.SecurityGroups = append(inv.SecurityGroups, g)
	})
	dupIdentical := encode(func(inv *inventory.Inventory) {
		inv.SecurityGroups = append(inv.SecurityGroups, inv.SecurityGroups[0])
	})
	noID := encode(func(inv *inventory.Inventory) { inv.SecurityGroups[1].ID = "" })
	otherRegion := encode(func(inv *inventory.Inventory) {
		for i := range inv.Coverage {
			inv.Coverage[i].Region = "eu-west-1"
		}
		for i := range inv.SecurityGroups {
			g := &inv.SecurityGroups[i]
			g.ARN = strings.Replace(g.ARN, ":"+g.Region+":", ":eu-west-1:", 1)
			g.Region = "eu-west-1"
		}
	})

	// Two inventories, each valid on its own, whose union is not: one rule
	// id on two different rules (a suppression by rule id would hide both).
	withRuleID := func(inv *inventory.Inventory) {
		g := &inv.SecurityGroups[0]
		rules := g.Rules.Slice()
		rules[0].ID = "sgr-0123456789abcdef0"
		g.Rules = inventory.SortedRules(rules)
	}
	ruleIDHere := encode(withRuleID)
	ruleIDThere := encode(func(inv *inventory.Inventory) {
		for i := range inv.Coverage {
			inv.Coverage[i].Region = "eu-west-1"
		}
		for i := range inv.SecurityGroups {
			g := &inv.SecurityGroups[i]
			g.ID = strings.Replace(g.ID, "sg-0a", "sg-0b", 1)
			g.Region = "eu-west-1"
			g.ARN = "arn:aws:ec2:eu-west-1:" + g.AccountID + ":security-group/" + g.ID
		}
		inv.NetworkInterfaces = nil
		inv.VPCs = nil
		withRuleID(inv)
	})

	tests := []struct {
		name       string
		inputs     []Input
		wantGroups int
		wantErr    string
		// wantErrIn, instead of wantErr, for what inventory.Decode finds
		// in one file: the error is its, with these parts.
		wantErrIn []string
	}{
		{name: "the same inventory twice", inputs: []Input{input("a.json", same), input("b.json", same)}, wantGroups: 2},
		{name: "one rule id in each of two inventories", inputs: []Input{input("a.json", ruleIDHere)}, wantGroups: 2},
		{
			name:      "one rule id on two rules of two inventories",
			inputs:    []Input{input("a.json", ruleIDHere), input("b.json", ruleIDThere)},
			wantErrIn: []string{"a.json, b.json together", "sgr-0123456789abcdef0"},
		},
		{name: "an identical copy of a group inside one inventory", inputs: []Input{input("a.json", dupIdentical)}, wantGroups: 2},
		{
			name:      "two different groups with one id inside one inventory",
			inputs:    []Input{input("a.json", dupDiffering)},
			wantErrIn: []string{"a.json", "security_groups[0]", "2]", "sg-0a1b2c3d4e5f60001"},
		},
		{
			name:      "a group without id",
			inputs:    []Input{input("a.json", noID)},
			wantErrIn: []string{"a.json", "security_groups[1]", "id"},
		},
		{
			name:    "the same groups in two inventories of different regions",
			inputs:  []Input{input("a.json", same), input("b.json", otherRegion)},
			wantErr: "invalid input: group sg-0a1b2c3d4e5f60001 differs between a.json (security_groups[0]) and b.json (security_groups[0])",
		},
		{
			name:    "an inventory and AWS CLI JSON holding the same group in different regions",
			inputs:  []Input{input("a.json", otherRegion), fileInput(t, "testdata/cli-sgs.json")},
			wantErr: "invalid input: group sg-0a1b2c3d4e5f60001 differs between a.json (security_groups[0]) and cli-sgs.json (SecurityGroups[0])",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ImportReaders(context.Background(), tt.inputs, "")
			if tt.wantErr != "" {
				if !errors.Is(err, ErrInput) || err.Error() != tt.wantErr {
					t.Fatalf("ImportReaders() error =\n%v\nwant\n%s", err, tt.wantErr)
				}
				return
			}
			if tt.wantErrIn != nil {
				if !errors.Is(err, ErrInput) {
					t.Fatalf("ImportReaders() error = %v, want ErrInput", err)
				}
				for _, part := range tt.wantErrIn {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("ImportReaders() error = %v, want it to contain %q", err, part)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ImportReaders: %v", err)
			}
			if len(inv.SecurityGroups) != tt.wantGroups {
				t.Errorf("groups = %d, want %d", len(inv.SecurityGroups), tt.wantGroups)
			}
		})
	}
}

// TestImportAccountIDs: every account id that enters from AWS CLI JSON is
// 12 digits (issue 9, item 2: an OwnerId of ../../x once became part of a
// file name), and so is an ARN's region a region name.
func TestImportAccountIDs(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{
			name:    "group OwnerId",
			content: cliGroups(strings.Replace(cliGroup("sg-1", ""), `"OwnerId": "111122223333"`, `"OwnerId": "../../x"`, 1)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): group sg-1: OwnerId "../../x": an account id is exactly 12 digits`,
		},
		{
			name:    "peer group owner",
			content: cliGroups(cliGroup("sg-1", `, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "1111222233334"}]}]`)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): group sg-1: UserIdGroupPairs UserId "1111222233334": an account id is exactly 12 digits`,
		},
		{
			name:    "egress peer group owner",
			content: cliGroups(cliGroup("sg-1", `, "IpPermissionsEgress": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-2", "UserId": "amazon-elb"}]}]`)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): group sg-1: UserIdGroupPairs UserId "amazon-elb": an account id is exactly 12 digits`,
		},
		{
			name:    "rule GroupOwnerId",
			content: `{"SecurityGroupRules": [` + strings.Replace(cliRule("sgr-1", "sg-1", ""), `"111122223333"`, `"11112222333/"`, 1) + `]}`,
			want:    `invalid input: f.json:1:25 (SecurityGroupRules[0]): rule sgr-1: GroupOwnerId "11112222333/": an account id is exactly 12 digits`,
		},
		{
			name:    "referenced group owner in a rule record",
			content: `{"SecurityGroupRules": [` + cliRule("sgr-1", "sg-1", `, "ReferencedGroupInfo": {"GroupId": "sg-2", "UserId": "x"}`) + `]}`,
			want:    `invalid input: f.json:1:25 (SecurityGroupRules[0]): rule sgr-1: ReferencedGroupInfo UserId "x": an account id is exactly 12 digits`,
		},
		{
			name:    "interface OwnerId",
			content: `{"NetworkInterfaces": [` + strings.Replace(cliENI("eni-1", ""), `"111122223333"`, `"1111 2222 3333"`, 1) + `]}`,
			want:    `invalid input: f.json:1:24 (NetworkInterfaces[0]): interface eni-1: OwnerId "1111 2222 3333": an account id is exactly 12 digits`,
		},
		{
			name:    "region of the group's ARN",
			content: cliGroups(strings.Replace(cliGroup("sg-1", ""), "arn:aws:ec2:eu-west-1:", "arn:aws:ec2:../../tmp:", 1)),
			want:    `invalid input: f.json:1:21 (SecurityGroups[0]): SecurityGroupArn "arn:aws:ec2:../../tmp:111122223333:security-group/sg-1": "../../tmp" is not a region name`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ImportReaders(context.Background(), []Input{input("f.json", tt.content)}, "eu-west-1")
			if !errors.Is(err, ErrInput) || err.Error() != tt.want {
				t.Errorf("ImportReaders() error =\n%v\nwant\n%s", err, tt.want)
			}
		})
	}
}

// TestImportValidates: a value AWS would not accept is an error naming the
// file, the group and the rule (issue 9, item 6), from the group's
// Validate.
func TestImportValidates(t *testing.T) {
	content := cliGroups(cliGroup("sg-0", ""), cliGroup("sg-1", `, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
  "IpRanges": [{"CidrIp": "10.0.0.0/8"}, {"CidrIp": "0.0.0.0/00"}]}]`))
	_, err := ImportReaders(context.Background(), []Input{input("sgs.json", content)}, "")
	var ve *inventory.ValueError
	if !errors.Is(err, ErrInput) || !errors.As(err, &ve) {
		t.Fatalf("ImportReaders() error = %v, want ErrInput wrapping an *inventory.ValueError", err)
	}
	// Validate's own wording is inventory's; this is where it is called.
	if want := "invalid input: sgs.json: group sg-1, rule #"; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), `"0.0.0.0/00"`) {
		t.Errorf("ImportReaders() error =\n%v\nwant it to start with\n%s\nand quote the CIDR", err, want)
	}
}

// TestImportBOM: a UTF-8 byte order mark (PowerShell's Out-File) is skipped,
// in AWS CLI JSON and in inventories, and positions stay those of the file
// (issue 9, item 12).
func TestImportBOM(t *testing.T) {
	bom := "\xEF\xBB\xBF"
	raw, err := os.ReadFile("testdata/cli-sgs.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := ImportReaders(context.Background(), []Input{input("sgs.json", string(raw))}, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ImportReaders(context.Background(), []Input{input("sgs.json", bom+string(raw))}, "")
	if err != nil {
		t.Fatalf("ImportReaders(BOM + CLI JSON): %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with a BOM (-want +got):\n%s", diff)
	}

	inv, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err = ImportReaders(context.Background(), []Input{input("inv.json", bom+string(inv))}, "")
	if err != nil {
		t.Fatalf("ImportReaders(BOM + inventory): %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inventory with a BOM (-want +got):\n%s", diff)
	}

	_, err = ImportReaders(context.Background(), []Input{input("bad.json", bom+"{\"SecurityGroups\": [,]}")}, "")
	if want := "invalid input: bad.json:1:24 (byte 23): malformed JSON: invalid character ',' at start of value"; err == nil || err.Error() != want {
		t.Errorf("ImportReaders(BOM + bad JSON) error =\n%v\nwant\n%s", err, want)
	}
}

// endless is describe-security-groups output that never ends, and cancels
// ctx once it has handed out `after` bytes.
type endless struct {
	cancel  context.CancelFunc
	after   int
	served  int
	started bool
	item    int
	pending []byte
}

func (e *endless) Read(p []byte) (int, error) {
	if !e.started {
		e.started = true
		e.pending = []byte(`{"SecurityGroups": [`)
	}
	for len(e.pending) < len(p) {
		if e.item > 0 {
			e.pending = append(e.pending, ',')
		}
		e.pending = append(e.pending, cliGroup("sg-"+strings.Repeat("0", 8)+string(rune('a'+e.item%26))+itoa(e.item), sshToWorld)...)
		e.item++
	}
	n := copy(p, e.pending)
	e.pending = e.pending[n:]
	e.served += n
	if e.served >= e.after {
		e.cancel()
	}
	return n, nil
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestImportCancel: import stops when ctx is done, while a file is being
// decoded, and says so with ctx's error rather than as bad input
// (issue 9, item 1: every long phase stops on SIGINT/SIGTERM).
func TestImportCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &endless{cancel: cancel, after: 1 << 20}
	_, err := ImportReaders(ctx, []Input{{Name: "endless.json", R: src}}, "")
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrInput) {
		t.Fatalf("ImportReaders() error = %v, want context.Canceled and not ErrInput", err)
	}
	if src.served > 2<<20 {
		t.Errorf("read %d bytes after cancelling at 1 MB", src.served)
	}

	// An inventory is read whole, and stops the same way.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	inv := io.MultiReader(strings.NewReader(`{"schema_version": "1", "security_groups": [`), &endless{cancel: cancel, after: 1 << 20, started: true})
	if _, err := ImportReaders(ctx, []Input{{Name: "inv.json", R: inv}}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("ImportReaders(inventory) error = %v, want context.Canceled", err)
	}

	// Already cancelled: nothing is read.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := ImportReaders(ctx, []Input{input("sgs.json", cliGroups(cliGroup("sg-1", "")))}, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("ImportReaders(cancelled) error = %v, want context.Canceled", err)
	}
}

// TestImportDuplicatesAcrossChunks: items are normalised chunk by chunk
// on another goroutine; a duplicate is found across chunks too, and the
// error is the same whatever the timing (run with -race).
func TestImportDuplicatesAcrossChunks(t *testing.T) {
	build := func(dup string) string {
		// The copy is in the third chunk, which fills up, so it is
		// normalised while a.json is still being read.
		var items []string
		for i := range 3 * chunkSize {
			if i == 1100 {
				items = append(items, dup)
			}
			items = append(items, cliGroup("sg-"+itoa(i), ""))
		}
		return cliGroups(items...)
	}
	inv, err := ImportReaders(context.Background(), []Input{input("a.json", build(cliGroup("sg-5", "")))}, "")
	if err != nil {
		t.Fatalf("ImportReaders(identical copy): %v", err)
	}
	if got, want := len(inv.SecurityGroups), 3*chunkSize; got != want {
		t.Errorf("groups = %d, want %d", got, want)
	}
	// b.json is malformed: the error about a.json, read first, wins.
	for range 5 {
		_, err = ImportReaders(context.Background(), []Input{input("a.json", build(cliGroup("sg-5", sshToWorld))), input("b.json", "{")}, "")
		want := "invalid input: group sg-5 differs between a.json (SecurityGroups[5]) and a.json (SecurityGroups[1100])"
		if err == nil || err.Error() != want {
			t.Fatalf("ImportReaders(differing copy) error =\n%v\nwant\n%s", err, want)
		}
	}
}

// TestImportDuplicateKeys: a key given twice in one object is an error with
// its position. encoding/json kept the last, so a second, empty
// IpPermissions hid the rules of the first (issue 9, item 4).
func TestImportDuplicateKeys(t *testing.T) {
	content := "{\"SecurityGroups\": [\n" + cliGroup("sg-1", sshToWorld+`, "IpPermissions": []`) + "]}"
	_, err := ImportReaders(context.Background(), []Input{input("sgs.json", content)}, "")
	want := `invalid input: sgs.json:3:192 (byte 295): malformed JSON: the key "SecurityGroups[0].IpPermissions" is given twice`
	if !errors.Is(err, ErrInput) || err.Error() != want {
		t.Errorf("ImportReaders() error =\n%v\nwant\n%s", err, want)
	}
}
