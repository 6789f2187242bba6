package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/sgaudit/sgaudit/internal/jsontest"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// fillMode says how fill populates a value.
type fillMode int

const (
	// rich: every field set, slices of two, maps of two entries.
	rich fillMode = iota
	// blank: every scalar zero (so omitempty fields vanish), slices of one
	// blank element, maps empty but not nil.
	blank
	// nils: like blank, but maps and every slice below the top level nil.
	nils
)

// fill populates v by reflection, so a field added to the inventory is
// covered by the drift test without anyone remembering to add it.
func fill(v reflect.Value, mode fillMode, depth int, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		if mode == rich {
			v.SetString(fmt.Sprintf("s%d", *n))
		}
	case reflect.Int, reflect.Int64:
		if mode == rich {
			v.SetInt(int64(*n))
		}
	case reflect.Bool:
		v.SetBool(mode == rich)
	case reflect.Slice:
		size := 1
		switch {
		case mode == rich:
			size = 2
		case mode == nils && (depth > 1 || v.Type().Elem().Kind() != reflect.Struct):
			return
		}
		s := reflect.MakeSlice(v.Type(), size, size)
		for i := range size {
			fill(s.Index(i), mode, depth+1, n)
		}
		v.Set(s)
	case reflect.Map:
		if mode == nils {
			return
		}
		m := reflect.MakeMap(v.Type())
		if mode == rich {
			for range 2 {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				fill(k, mode, depth+1, n)
				fill(e, mode, depth+1, n)
				m.SetMapIndex(k, e)
			}
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[inventory.Rules]() {
			// Opaque: filled through the []Rule it is built from. Its JSON
			// is never null.
			rules := reflect.New(reflect.TypeFor[[]inventory.Rule]()).Elem()
			fill(rules, mode, depth, n)
			v.Set(reflect.ValueOf(inventory.NewRules(rules.Interface().([]inventory.Rule)...)))
			return
		}
		if v.Type() == reflect.TypeFor[time.Time]() {
			if mode == rich {
				v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))))
			}
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), mode, depth+1, n)
		}
	case reflect.Pointer:
		// An optional object (a group's iac): absent with nils, set otherwise.
		if mode == nils {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), mode, depth, n)
		v.Set(p)
	default:
		panic(fmt.Sprintf("fill: add support for %s", v.Type()))
	}
}

func filled(mode fillMode) *inventory.Inventory {
	var inv inventory.Inventory
	n := 0
	fill(reflect.ValueOf(&inv).Elem(), mode, 0, &n)
	return &inv
}

// viaJSON is what `opa eval -i inventory.json` would see as input.
// inventoryValue converts a whole inventory; only the drift test needs it:
// the engine batches.
func inventoryValue(inv *inventory.Inventory) ast.Value {
	v, _ := inputValue(sharedInput(inv, nil), inv.SecurityGroups, nil)
	return v
}

func viaJSON(t *testing.T, inv *inventory.Inventory) ast.Value {
	t.Helper()
	v, err := ast.InterfaceToValue(jsontest.Generic(t, inv))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// asJSON turns an AST value back into plain Go values for a readable diff.
func asJSON(t *testing.T, v ast.Value) any {
	t.Helper()
	x, err := ast.JSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestInputMatchesJSON guards the hand-written converter against drifting
// from the inventory's JSON tags: the input built directly must equal the
// JSON round trip, field for field, with omitempty respected.
func TestInputMatchesJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		inv  *inventory.Inventory
	}{
		{"every field set", filled(rich)},
		{"every field empty", filled(blank)},
		{"fixture", fixture(t)},
		{"equal rules without ids, and near misses", repeatedRules()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want, got := viaJSON(t, tt.inv), inventoryValue(tt.inv)
			if diff := cmp.Diff(asJSON(t, want), asJSON(t, got)); diff != "" {
				t.Errorf("converted input differs from the JSON round trip (-json +converted):\n%s", diff)
			}
			// Compare also catches what ast.JSON would blur (number forms).
			if want.Compare(got) != 0 {
				t.Errorf("ast values differ:\njson:      %v\nconverted: %v", want, got)
			}
		})
	}
}

// TestInputNilIsEmpty: the one deliberate difference from JSON. Nil lists
// and maps become [] and {}, never null, so `count(g.rules) == 0` works.
// repeatedRules is groups whose id-less rules repeat, one field apart, and
// peers that differ in a field the builder's caches do not key on: a rule
// or peer term shared where it should not be shows as a difference from
// the JSON.
func repeatedRules() *inventory.Inventory {
	world := inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}
	group := inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-2", GroupOwner: "111122223333"}
	rule := inventory.Rule{Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: 443, ToPort: 443, Peer: world, Description: "https"}
	variants := []inventory.Rule{rule, rule}
	for _, edit := range []func(r *inventory.Rule){
		func(r *inventory.Rule) { r.ID = "sgr-1" },
		func(r *inventory.Rule) { r.Direction = inventory.Egress },
		func(r *inventory.Rule) { r.Protocol, r.RawProtocol = "udp", "17" },
		func(r *inventory.Rule) { r.RawProtocol = "6" },
		func(r *inventory.Rule) { r.FromPort = 80 },
		func(r *inventory.Rule) { r.ToPort = 8443 },
		func(r *inventory.Rule) { r.Description = "" },
		func(r *inventory.Rule) { r.Peer = group },
		func(r *inventory.Rule) { r.Peer = group; r.Peer.GroupOwner = "444455556666" },
		func(r *inventory.Rule) { r.Peer = group; r.Peer.VPCID, r.Peer.PeeringStatus = "vpc-2", "active" },
		func(r *inventory.Rule) { r.Peer = group; r.Peer.VPCID = "vpc-3" },
		func(r *inventory.Rule) { r.Peer = inventory.Peer{Kind: inventory.PeerPrefixList, PrefixListID: "pl-1"} },
		func(r *inventory.Rule) { r.Peer = inventory.Peer{Kind: inventory.PeerCIDRv6, CIDR: "::/0"} },
		func(r *inventory.Rule) { r.Peer.Kind = inventory.PeerCIDRv6 }, // same CIDR, another kind
	} {
		r := rule
		edit(&r)
		variants = append(variants, r, r)
	}
	// Empty lists, not nil: nil becomes [] on purpose (TestInputNilIsEmpty).
	inv := &inventory.Inventory{
		SchemaVersion: inventory.SchemaVersion, Accounts: []inventory.Account{}, Coverage: []inventory.Coverage{},
		NetworkInterfaces: []inventory.NetworkInterface{}, PrefixLists: []inventory.PrefixList{}, VPCs: []inventory.VPC{},
	}
	for i := range 3 {
		id := fmt.Sprintf("sg-%d", i)
		inv.SecurityGroups = append(inv.SecurityGroups, inventory.SecurityGroup{
			ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/" + id, ID: id, Name: id,
			AccountID: "111122223333", Region: "eu-west-1", Rules: inventory.NewRules(variants...),
			Attachments: []inventory.Attachment{}, UsedBy: []inventory.Evidence{},
		})
	}
	return inv
}

func TestInputNilIsEmpty(t *testing.T) {
	t.Parallel()
	withNils := filled(nils)
	if withNils.SecurityGroups[0].Attachments != nil || withNils.SecurityGroups[0].Tags != nil {
		t.Fatal("fill(nils) should leave nested slices and maps nil")
	}
	got := inventoryValue(withNils)
	if got.Compare(viaJSON(t, withNils)) == 0 {
		t.Fatal("expected nil slices to differ from their JSON (null)")
	}
	// The same inventory with every nil made empty is what the converter
	// must produce.
	emptied := filled(nils)
	makeEmpty(reflect.ValueOf(emptied).Elem())
	if diff := cmp.Diff(asJSON(t, viaJSON(t, emptied)), asJSON(t, got)); diff != "" {
		t.Errorf("nil lists and maps (-want +got):\n%s", diff)
	}
}

// makeEmpty replaces every nil slice and map under v with an empty one.
func makeEmpty(v reflect.Value) {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		for i := range v.Len() {
			makeEmpty(v.Index(i))
		}
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() || v.Type() == reflect.TypeFor[inventory.Rules]() {
			return
		}
		for i := range v.NumField() {
			makeEmpty(v.Field(i))
		}
	}
}

// BenchmarkInput compares building the input directly with the JSON round
// trip rego.EvalInput would do, per group.
func BenchmarkInput(b *testing.B) {
	inv := synthetic(1000, 1)
	b.Run("ast", func(b *testing.B) {
		for range b.N {
			_, _ = inputValue(sharedInput(inv, nil), inv.SecurityGroups, nil)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inv.SecurityGroups))/1000, "µs/group")
	})
	// batches is what Evaluate does: one input per DefaultBatchSize groups.
	b.Run("batches", func(b *testing.B) {
		sh := sharedInput(inv, nil)
		b.ReportAllocs()
		for range b.N {
			for lo := 0; lo < len(inv.SecurityGroups); lo += DefaultBatchSize {
				_, _ = inputValue(sh, inv.SecurityGroups[lo:min(lo+DefaultBatchSize, len(inv.SecurityGroups))], nil)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inv.SecurityGroups))/1000, "µs/group")
	})
	b.Run("json", func(b *testing.B) {
		for range b.N {
			raw, err := json.Marshal(inv)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ast.ValueFromReader(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(inv.SecurityGroups))/1000, "µs/group")
	})
}

// TestInputKeys covers the analysis that lets the engine skip converting
// input lists no policy reads: anything it cannot prove unread is "all".
func TestInputKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       map[string]bool // nil = every key
	}{
		{"plain references", `
x := count(input.vpcs)
y if { some g in input.security_groups; g.id == input.coverage[0].region }`,
			map[string]bool{"vpcs": true, "security_groups": true, "coverage": true}},
		{"import alias", `
import input.network_interfaces as nis
x := count(nis)`,
			map[string]bool{"network_interfaces": true}},
		{"nested reference in a key", `x := input.vpcs[input.source]`,
			map[string]bool{"vpcs": true, "source": true}},
		{"bare input", `x := object.get(input, "vpcs", [])`, nil},
		{"input assigned", `x := y if { y := input }`, nil},
		{"variable key", `x contains k if { some k; input[k] }`, nil},
		{"no input at all", `x := 1`, map[string]bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := ast.ParseModuleWithOpts("k.rego", "package k\n"+tt.body, ast.ParserOptions{RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			c := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
			c.Compile(map[string]*ast.Module{"k.rego": m})
			if c.Failed() {
				t.Fatal(c.Errors)
			}
			if diff := cmp.Diff(tt.want, inputKeys(c.Modules)); diff != "" {
				t.Errorf("inputKeys (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnreadInputIsNotConverted: with a pack that reads no interfaces, the
// shared input leaves them out, and a pack that reads them sees them all.
func TestUnreadInputIsNotConverted(t *testing.T) {
	t.Parallel()
	inv := fixture(t)
	reads := load(t, map[string]string{"checks/n.rego": meta("ACME001", "LOW") + `package acme.n

deny contains {"group_arn": g.arn, "msg": sprintf("%s sees %d interfaces", [g.id, count(input.network_interfaces)])} if {
	some g in input.security_groups
}
`}, Options{})
	if !reads.inputKeys["network_interfaces"] {
		t.Fatalf("inputKeys = %v, want network_interfaces in it", reads.inputKeys)
	}
	fs, _ := evaluate(t, reads, inv)
	for _, f := range fs {
		if want := f.GroupID + " sees 2 interfaces"; f.Message != want {
			t.Errorf("message %q, want %q", f.Message, want)
		}
	}
	skips := load(t, nil, Options{})
	for _, kv := range sharedInput(inv, skips.inputKeys) {
		if kv[0].Equal(kNetworkInterfaces) {
			t.Errorf("the test pack never reads input.network_interfaces, yet it was converted")
		}
	}
}

// TestBuiltinPackReadsNamedInputKeys: the embedded pack names every input
// key it reads, so the engine converts only those. One object.get(input,
// ...) in lib made every list (94k interfaces in the 100k-group benchmark,
// the whole network model) convert for each scan: +500 MB at peak.
func TestBuiltinPackReadsNamedInputKeys(t *testing.T) {
	t.Parallel()
	e, err := Load(context.Background(), policies.FS, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e.inputKeys == nil {
		t.Fatal("the built-in pack reads input whole (input passed as a value, or input[k] with a variable k): every list is converted")
	}
	for _, k := range []string{"network_interfaces", "subnets", "route_tables", "network_acls", "load_balancers", "target_groups"} {
		if e.inputKeys[k] {
			t.Errorf("the built-in pack reads input.%s, which no built-in check needs (reachability reaches the policies as input.reachability)", k)
		}
	}
}
