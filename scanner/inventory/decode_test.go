package inventory

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeMatchesUnmarshal(t *testing.T) {
	inv := &Inventory{SchemaVersion: SchemaVersion, Source: "aws",
		Accounts: []Account{{ID: "111122223333", Partition: "aws"}},
		SecurityGroups: []SecurityGroup{
			{ID: "sg-2", AccountID: "111122223333", Region: "eu-west-1", Tags: Tags{{"env", "prod"}},
				Rules: NewRules(validRules()...), StaleRules: NewRules(validRules()[2]),
				Attachments: []Attachment{{NetworkInterfaceID: "eni-1"}}},
			{ID: "sg-1", AccountID: "111122223333", Region: "eu-west-1"},
		},
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
	group := func(id string) map[string]any {
		return map[string]any{
			"id": id, "account_id": account, "region": "eu-west-1", "tags": map[string]string{"env": "prod"},
			"rules": []map[string]any{{
				"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "raw_protocol": "tcp", "from_port": 22, "to_port": 22,
				"peer": map[string]any{"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"},
			}},
		}
	}
	m := map[string]any{
		"schema_version":     "1",
		"accounts":           []map[string]any{{"id": account, "partition": "aws"}},
		"coverage":           []map[string]any{{"account_id": account, "region": "eu-west-1", "status": "ok", "collected": []string{"security_groups"}}},
		"security_groups":    []map[string]any{group("sg-1"), group("sg-2")},
		"network_interfaces": []map[string]any{{"id": "eni-1", "account_id": account, "region": "eu-west-1", "group_ids": []string{"sg-1"}}},
		"vpcs":               []map[string]any{{"id": "vpc-1", "account_id": account, "region": "eu-west-1"}},
		"prefix_lists":       []map[string]any{{"id": "pl-1", "owner": "AWS", "account_id": account, "entries": []map[string]any{{"cidr": "10.0.0.0/8"}}}},
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
		{"vpc account", func(m map[string]any) { item(m, "vpcs", 0)["account_id"] = "111122223333 " },
			`vpcs[0]: account_id "111122223333 ": an account id is exactly 12 digits`},
		{"prefix list account", func(m map[string]any) { item(m, "prefix_lists", 0)["account_id"] = "x" },
			`prefix_lists[0] (pl-1): account_id "x": an account id is exactly 12 digits`},
		{"prefix list entry", func(m map[string]any) {
			item(m, "prefix_lists", 0)["entries"] = []map[string]any{{"cidr": "zz::/0"}}
		}, `prefix_lists[0] (pl-1): entries[0].cidr "zz::/0": not a CIDR block`},
		{"peer owner", func(m map[string]any) {
			rule(m)["peer"] = map[string]any{"kind": "security_group", "group_id": "sg-9", "group_owner": "a/b"}
		}, `security_groups[1]: group sg-2, rule sgr-1: peer.group_owner "a/b": an account id is exactly 12 digits`},
		{"world with a trailing space", func(m map[string]any) { rule(m)["peer"] = map[string]any{"kind": "cidr_ipv4", "cidr": "0.0.0.0/0 "} },
			`security_groups[1]: group sg-2, rule sgr-1: peer.cidr "0.0.0.0/0 ": not a CIDR block`},
		{"port", func(m map[string]any) { rule(m)["to_port"] = 70000 },
			`security_groups[1]: group sg-2, rule sgr-1: to_port "70000": tcp ports are 0 to 65535 (AWS requires a port range)`},
		{"group without id", func(m map[string]any) { delete(item(m, "security_groups", 1), "id") },
			`security_groups[1]: group without id: id "": a security group needs an id`},
		{"duplicate id, other content", func(m map[string]any) {
			item(m, "security_groups", 1)["id"] = "sg-1"
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
	for _, path := range []string{"../engine/testdata/in-inventory.json"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := Decode(raw); err != nil {
			f.Fatalf("%s: %v", path, err) // a seed that fails tests nothing past the first check
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"security_groups": [{"id": "sg-1", "account_id": "111122223333", "rules": [{"direction": "ingress", "protocol": "all", "to_port": 65535, "peer": {"kind": "cidr_ipv6", "cidr": "::/0"}}]}]}`))
	f.Add([]byte(`{"security_groups": [{"id": "sg-1", "account_id": "111122223333"}, {"id": "sg-1", "account_id": "111122223333"}]}`))
	f.Add([]byte(`{"prefix_lists": [{"id": "pl-1", "account_id": "111122223333", "entries": [{"cidr": "::/0"}]}], "vpcs": null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := Decode(data)
		if err != nil {
			return
		}
		if err := inv.Check(); err != nil {
			t.Fatalf("an accepted inventory fails Check: %v", err)
		}
		ids := map[string]bool{}
		for _, g := range inv.SecurityGroups {
			if err := g.Validate(); err != nil {
				t.Fatalf("an accepted group fails Validate: %v", err)
			}
			if ids[g.ID] {
				t.Fatalf("group %s accepted twice", g.ID)
			}
			ids[g.ID] = true
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
