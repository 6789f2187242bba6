package engine

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/open-policy-agent/opa/v1/ast"
)

func TestSharedRules(t *testing.T) {
	t.Parallel()
	modules := map[string]string{
		"lib.rego": `package lib

ports := {22, 3389}                                      # constant
vpcs := {v.id | some v in input.vpcs}                     # shared input only
kinds := {k | some c in input.coverage; some k in c.collected}
groups := count(input.security_groups)                   # the batch
whole := count(input)                                    # all of input
dynamic := input[k] if { some k; k == "vpcs" }           # dynamic key
via_fn := n if { n := size(1) }                          # through a function
size(_) := count(input.security_groups)
via_rule := groups + 1                                   # through a rule
else_branch := 1 if { false } else := groups             # in an else branch
via_data := count(data.checks.c.deny)                    # through another package
ref_head.a := 1                                          # ground ref head: shared
ref_head.b := count(input.security_groups)
obj[k] := 1 if { some k in input.vpcs }                  # variable in the path
`,
		"c.rego": `package checks.c

import data.lib

deny contains g.arn if {
	some g in input.security_groups
	lib.vpcs[g.vpc_id]
}
`,
	}
	parsed := map[string]*ast.Module{}
	for name, src := range modules {
		m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatal(err)
		}
		parsed[name] = m
	}
	c := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	c.Compile(parsed)
	if c.Failed() {
		t.Fatal(c.Errors)
	}
	var got []string
	for _, r := range sharedRules(c) {
		got = append(got, r.String())
	}
	want := []string{"data.lib.kinds", "data.lib.ports", "data.lib.ref_head.a", "data.lib.vpcs"}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("shared rules (-want +got):\n%s", diff)
	}
}

func TestSharedPathsContains(t *testing.T) {
	t.Parallel()
	paths := newSharedPaths([]ast.Ref{
		ast.MustParseRef("data.lib.ports"),
		ast.MustParseRef("data.lib.ref_head.a"),
		ast.MustParseRef("data.checks.c.ports"),
	})
	for ref, want := range map[string]bool{
		"data.lib.ports":          true,
		"data.lib.ports[22]":      true, // under a shared rule
		"data.lib.ref_head.a":     true,
		"data.checks.c.ports":     true,
		"data.lib.ref_head":       false, // a prefix of a shared path
		"data.lib.ref_head.b":     false,
		"data.other.ports":        false, // same rule name, other package
		"data.checks.c.ports_all": false,
		"data.lib":                false,
		"data.lib[x]":             false, // a variable where the name would be
		"input.ports":             false,
	} {
		if got := paths.contains(ast.MustParseRef(ref)); got != want {
			t.Errorf("contains(%s) = %t, want %t", ref, got, want)
		}
	}
	if newSharedPaths(nil).contains(ast.MustParseRef("data.lib.ports")) {
		t.Error("no shared paths must contain nothing")
	}
}

// TestSharedRulesComputedOncePerEvaluate proves a package-level lookup over
// shared input is built once per Evaluate (at most once per worker when
// they race), while a rule over the batch is still built per batch and
// sees only its batch; and that a value computed under `with` stays out of
// the shared cache.
func TestSharedRulesComputedOncePerEvaluate(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	e := load(t, map[string]string{"checks/s.rego": meta("ACME001", "LOW") + `package acme.s

vpcs := n if {
	print("shared computed")
	n := count(input.vpcs)
}

groups := n if {
	print("batch computed")
	n := count(input.security_groups)
}

mocked := n if {
	n := vpcs with input.vpcs as []
}

deny contains {"group_arn": g.arn, "msg": sprintf("%s %d %d %d", [g.id, m, v, n])} if {
	m := mocked # evaluated first, under a with frame
	some g in input.security_groups
	v := vpcs
	n := groups
}
`}, Options{BatchSize: 10, Workers: 2, Logger: newTestLogger(&buf)})
	inv := synthetic(300, 3)
	fs, _ := evaluate(t, e, inv)
	if len(fs) != 300 {
		t.Fatalf("got %d findings, want 300", len(fs))
	}
	for _, f := range fs {
		if want := fmt.Sprintf("%s 0 %d 10", f.GroupID, len(inv.VPCs)); f.Message != want {
			t.Fatalf("message %q, want %q", f.Message, want)
		}
	}
	shared, batch := strings.Count(buf.String(), "shared computed"), strings.Count(buf.String(), "batch computed")
	// vpcs once, and once more under with for mocked (itself shared);
	// each may be computed twice if both workers race for it.
	if shared < 2 || shared > 4 {
		t.Errorf("vpcs computed %d times, want 2 (up to 4 if workers race)", shared)
	}
	if batch != 30 {
		t.Errorf("groups computed %d times, want once per batch (30)", batch)
	}
}

// TestBatchCacheCalls checks the memo of function results: found by an
// equal key (OPA reuses the slice of the key it put), told apart by any
// argument, and kept out of a `with` frame and its values out of the memo,
// as OPA's own cache does.
func TestBatchCacheCalls(t *testing.T) {
	t.Parallel()
	fn := ast.NewTerm(ast.MustParseRef("data.lib.f"))
	other := ast.NewTerm(ast.MustParseRef("data.lib.g"))
	key := func(f *ast.Term, args ...string) ast.Ref {
		ref := ast.Ref{f}
		for _, a := range args {
			ref = append(ref, ast.MustParseTerm(a))
		}
		return ref
	}
	one, two := ast.IntNumberTerm(1), ast.IntNumberTerm(2)
	type get struct {
		key       ast.Ref
		want      *ast.Term
		undefined bool
	}
	for _, tt := range []struct {
		name string
		run  func(c *batchCache)
		gets []get
	}{
		{"equal key", func(c *batchCache) {
			k := key(fn, `{"a": [1, 2]}`, `"x"`)
			c.Put(k, one)
			k[1], k[2] = ast.StringTerm("reused"), ast.StringTerm("slice")
		}, []get{
			{key: key(fn, `{"a": [1, 2]}`, `"x"`), want: one},
			{key: key(fn, `"reused"`, `"slice"`)},
			{key: key(fn, `{"a": [1, 2]}`, `"y"`)},
			{key: key(fn, `{"a": [1, 2]}`)},
			{key: key(other, `{"a": [1, 2]}`, `"x"`)},
		}},
		{"replaced and undefined", func(c *batchCache) {
			c.Put(key(fn, `1`), one)
			c.Put(key(fn, `1`), two)
			c.Put(key(fn, `2`), nil)
		}, []get{
			{key: key(fn, `1`), want: two},
			{key: key(fn, `2`), undefined: true},
		}},
		{"with frames", func(c *batchCache) {
			c.Put(key(fn, `1`), one)
			c.Push()
			c.Put(key(fn, `2`), two)
			if got, _ := c.Get(key(fn, `1`)); got != nil {
				t.Errorf("inside a with frame, got the value put outside: %v", got)
			}
			if got, _ := c.Get(key(fn, `2`)); got != two {
				t.Errorf("inside a with frame, got %v, want %v", got, two)
			}
			c.Pop()
		}, []get{
			{key: key(fn, `1`), want: one},
			{key: key(fn, `2`)},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newBatchCache(newSharedStore(), newSharedPaths(nil))
			tt.run(c)
			for _, g := range tt.gets {
				got, undefined := c.Get(g.key)
				if got != g.want || undefined != g.undefined {
					t.Errorf("Get(%v) = %v, %t; want %v, %t", g.key, got, undefined, g.want, g.undefined)
				}
			}
		})
	}
}
