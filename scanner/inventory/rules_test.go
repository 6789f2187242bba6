package inventory

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func sampleRules() []Rule {
	return []Rule{
		{ID: "sgr-1", Direction: Egress, Protocol: ProtocolAll, RawProtocol: "-1", FromPort: 0, ToPort: 65535,
			Peer: Peer{Kind: PeerCIDRv4, CIDR: "0.0.0.0/0"}},
		{ID: "sgr-2", Direction: Ingress, Protocol: ProtocolICMP, RawProtocol: "icmp", FromPort: -1, ToPort: -1,
			Peer: Peer{Kind: PeerCIDRv6, CIDR: "::/0"}, Description: "ping"},
		{ID: "sgr-3", Direction: Ingress, Protocol: ProtocolTCP, RawProtocol: "tcp", FromPort: 443, ToPort: 443,
			Peer:        Peer{Kind: PeerSecurityGroup, GroupID: "sg-9", GroupOwner: "444455556666", VPCID: "vpc-2", PeeringStatus: "deleted"},
			Description: "ping"},
		{Direction: Ingress, Protocol: "47", RawProtocol: "47", FromPort: 1 << 40, ToPort: -1 << 40,
			Peer: Peer{Kind: PeerPrefixList, PrefixListID: "pl-1"}, Description: "gre — ünïcode"},
		// Longer than 127 bytes: a two-byte length.
		{ID: "sgr-4", Direction: Ingress, Protocol: ProtocolTCP, Description: strings.Repeat("why this rule exists ", 20)},
		{},
	}
}

func TestRulesKeepEveryField(t *testing.T) {
	want := sampleRules()
	rs := NewRules(want...)
	if rs.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", rs.Len(), len(want))
	}
	if got := rs.Slice(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Slice:\n got %+v\nwant %+v", got, want)
	}
	for i, r := range rs.All() {
		if r != want[i] {
			t.Errorf("All()[%d] = %+v, want %+v", i, r, want[i])
		}
	}
	if !rs.Equal(NewRules(want...)) {
		t.Error("two lists of the same rules must be Equal")
	}
	other := sampleRules()
	other[2].Peer.PeeringStatus = "active"
	if rs.Equal(NewRules(other...)) || rs.Equal(NewRules(want[:2]...)) {
		t.Error("lists that differ in one field or in length must not be Equal")
	}
	if (Rules{}).Len() != 0 || !(Rules{}).Equal(NewRules()) {
		t.Error("the zero value must be an empty list")
	}
}

// The point of Rules: the garbage collector never traces a rule. A string
// or pointer added to ruleRow would silently bring that cost back.
func TestRulesHoldNoPointers(t *testing.T) {
	var walk func(t reflect.Type) bool
	walk = func(typ reflect.Type) bool {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				if !walk(typ.Field(i).Type) {
					return false
				}
			}
			return true
		case reflect.Array:
			return walk(typ.Elem())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Bool:
			return true
		}
		return false
	}
	if !walk(reflect.TypeFor[ruleRow]()) {
		t.Fatal("ruleRow must hold no pointers (strings, slices, maps, pointers)")
	}
	if f, _ := reflect.TypeFor[Rules]().FieldByName("text"); f.Type != reflect.TypeFor[[]byte]() {
		t.Fatalf("Rules.text is %v, want []byte", f.Type)
	}
}

// A value repeated from one rule to the next is stored once.
func TestRulesStoreRepeatedValuesOnce(t *testing.T) {
	r := Rule{Direction: Ingress, Protocol: ProtocolTCP, RawProtocol: "tcp", FromPort: 443, ToPort: 443,
		Peer: Peer{Kind: PeerSecurityGroup, GroupID: "sg-00000000000000001", GroupOwner: "111122223333"}, Description: "from the load balancer"}
	rules := make([]Rule, 10)
	stored := func(s ...string) int { // a uvarint length below 128, then the bytes
		n := 0
		for _, x := range s {
			n += 1 + len(x)
		}
		return n
	}
	// Two descriptions in turn: a value is shared with any recent rule,
	// not only the one before.
	other := "from the bastion"
	want := 1 + stored(string(r.Direction), r.Protocol, r.RawProtocol, string(r.Peer.Kind), r.Peer.GroupID, r.Peer.GroupOwner, r.Description, other)
	for i := range rules {
		rules[i] = r
		rules[i].ID = "sgr-" + string(rune('a'+i))
		if i%2 == 1 {
			rules[i].Description = strings.Clone(other)
		}
		want += stored(rules[i].ID)
	}
	rs := NewRules(rules...)
	if len(rs.text) != want {
		t.Errorf("text holds %d bytes, want %d: the ids, and every other value once", len(rs.text), want)
	}
	if cap(rs.text) > len(rs.text)*4/3 {
		t.Errorf("text has %d bytes of spare capacity for %d used", cap(rs.text)-len(rs.text), len(rs.text))
	}
	if got := rs.Slice(); !reflect.DeepEqual(got, rules) {
		t.Errorf("sharing changed the rules:\n got %+v\nwant %+v", got, rules)
	}
}

func TestRulesJSONIsAnArrayOfRule(t *testing.T) {
	rules := sampleRules()
	want, err := json.Marshal(rules)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(NewRules(rules...))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("JSON differs from []Rule's:\n got %s\nwant %s", got, want)
	}
	var back Rules
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Equal(NewRules(rules...)) {
		t.Errorf("round trip changed the rules: %+v", back.Slice())
	}

	empty, err := json.Marshal(SecurityGroup{})
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	if err := json.Unmarshal(empty, &g); err != nil {
		t.Fatal(err)
	}
	if rules, ok := g["rules"].([]any); !ok || len(rules) != 0 {
		t.Errorf("an empty list must be written as [], got %v", g["rules"])
	}
	for _, in := range []string{`null`, `[]`} {
		var rs Rules
		if err := json.Unmarshal([]byte(in), &rs); err != nil || rs.Len() != 0 {
			t.Errorf("%s: got %d rules, err %v; want an empty list", in, rs.Len(), err)
		}
	}
	var rs Rules
	if err := json.Unmarshal([]byte(`[{"id": 5}]`), &rs); err == nil {
		t.Error("a rule with a numeric id must be an error")
	}
}

// Sort rebuilds a list out of order and keeps one in order as it is.
func TestSortRules(t *testing.T) {
	rules := sampleRules()
	ordered := SortedRules(append([]Rule(nil), rules...))
	for i := 1; i < ordered.Len(); i++ {
		if CompareRules(ordered.At(i-1), ordered.At(i)) > 0 {
			t.Fatalf("SortedRules: rule %d sorts after rule %d", i-1, i)
		}
	}
	if kept := ordered.sorted(); &kept.rows[0] != &ordered.rows[0] {
		t.Error("a sorted list must be kept, not rebuilt")
	}
	reversed := make([]Rule, len(rules))
	for i, r := range ordered.All() {
		reversed[len(rules)-1-i] = r
	}
	inv := &Inventory{SecurityGroups: []SecurityGroup{{ID: "sg-1", Rules: NewRules(reversed...), StaleRules: NewRules(reversed...)}}}
	inv.Sort()
	if g := inv.SecurityGroups[0]; !g.Rules.Equal(ordered) || !g.StaleRules.Equal(ordered) {
		t.Errorf("Sort left rules out of order: %+v", g.Rules.Slice())
	}
}
