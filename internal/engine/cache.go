package engine

import (
	"maps"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/dependencies"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Policies are told to build lookups once, at package level
// (docs/writing-policies.md: `vpc_interfaces := {... | some v in input.vpcs}`).
// OPA caches such a value for one Eval only, and the engine runs one Eval
// per batch, so at 100k groups a lookup over 2,000 VPCs would be rebuilt a
// thousand times: cost quadratic in the inventory. sharedRules finds the
// rules whose value cannot depend on the batch, and batchCache keeps their
// values for the whole Evaluate, so "once" means once.

// sharedRules returns the paths of the rules whose value depends on nothing
// that changes between batches: not input.security_groups, not input as a
// whole or under a dynamic key, directly or through any rule or function
// they use. Functions and rules with variables in their path are left out
// (their cache keys carry arguments), and so is any path another rule's
// path extends.
func sharedRules(c *ast.Compiler) []ast.Ref {
	type entry struct {
		ref ast.Ref
		ok  bool
	}
	byPath := map[string]*entry{}
	var all []ast.Ref
	for _, name := range slices.Sorted(maps.Keys(c.Modules)) {
		for _, r := range c.Modules[name].Rules {
			ref := r.Ref()
			all = append(all, ref)
			key := ref.String()
			e := byPath[key]
			if e == nil {
				e = &entry{ref: ref, ok: true}
				byPath[key] = e
			}
			if !e.ok {
				continue
			}
			if len(r.Head.Args) > 0 || !ref.IsGround() {
				e.ok = false
				continue
			}
			// Base follows every rule and function r uses, else branches
			// included, and truncates dynamic refs to their constant
			// prefix, which errs on the side of "depends on everything".
			deps, err := dependencies.Base(c, r)
			if err != nil {
				e.ok = false
				continue
			}
			for _, d := range deps {
				if batchDependent(d) {
					e.ok = false
					break
				}
			}
		}
	}
	var out []ast.Ref
	for _, e := range byPath {
		if !e.ok {
			continue
		}
		extended := slices.ContainsFunc(all, func(other ast.Ref) bool {
			return len(other) > len(e.ref) && other.HasPrefix(e.ref)
		})
		if !extended {
			out = append(out, e.ref)
		}
	}
	slices.SortFunc(out, func(a, b ast.Ref) int { return a.Compare(b) })
	return out
}

// batchDependent reports whether a base document ref can differ between
// batches: input itself, input under a dynamic key, or the groups.
func batchDependent(ref ast.Ref) bool {
	if !ref[0].Equal(ast.InputRootDocument) {
		return false
	}
	if len(ref) < 2 {
		return true
	}
	k, ok := ref[1].Value.(ast.String)
	return !ok || k == "security_groups"
}

// sharedStore holds the values of shared rules for one Evaluate, for every
// batch and worker.
type sharedStore struct {
	mu    sync.Mutex
	cache topdown.VirtualCache
}

func newSharedStore() *sharedStore {
	return &sharedStore{cache: topdown.NewVirtualCache()}
}

// sharedPaths is the set of shared rule paths, indexed for isShared: OPA
// consults the cache on every reference to a rule, ~600 times per 100 groups
// with the built-in pack, and comparing each with every shared path (40)
// cost ~2% of an evaluation.
type sharedPaths struct {
	lengths []int                // the paths' lengths, ascending
	byName  map[string][]ast.Ref // the paths by their last term (the rule name)
}

func newSharedPaths(paths []ast.Ref) sharedPaths {
	s := sharedPaths{byName: map[string][]ast.Ref{}}
	for _, p := range paths {
		name, ok := p[len(p)-1].Value.(ast.String)
		if !ok { // sharedRules keeps ground refs, whose names are strings
			continue
		}
		s.byName[string(name)] = append(s.byName[string(name)], p)
		if !slices.Contains(s.lengths, len(p)) {
			s.lengths = append(s.lengths, len(p))
		}
	}
	slices.Sort(s.lengths)
	return s
}

// contains reports whether ref is a shared path or under one.
func (s sharedPaths) contains(ref ast.Ref) bool {
	for _, n := range s.lengths {
		if len(ref) < n {
			return false
		}
		name, ok := ref[n-1].Value.(ast.String)
		if !ok {
			continue
		}
		for _, p := range s.byName[string(name)] {
			if len(p) == n && ref.HasPrefix(p) {
				return true
			}
		}
	}
	return false
}

// batchCache is the topdown.VirtualCache of one Eval: values of shared rules
// go to the Evaluate-wide store, everything else to a cache of this Eval
// alone, as OPA would do by itself.
type batchCache struct {
	inner  topdown.VirtualCache
	shared *sharedStore
	paths  sharedPaths
	// depth counts `with` frames: a value computed under `with input as`
	// or `with data.x as` is not the shared one and stays in inner.
	depth int
	// calls holds function results outside `with` frames, by the hash of
	// their key (the function, then its arguments). OPA memoises every
	// call, and its own cache is a tree with a node and a hash map per
	// argument: for calls whose arguments never repeat (most, in a batch)
	// that was ~5% of an evaluation's allocations. Memoising still
	// matters: without it the pack took a quarter more CPU.
	calls map[int][]call
	// computed are the rules computed in Go (accelerate.go), each on the
	// first reference to it outside `with` frames (later ones find it in
	// inner), from this batch's groups and their input.security_groups
	// value.
	computed []active
	groups   []inventory.SecurityGroup
	pass     *rulePass
	terms    *ast.Array
}

// call is one memoised function result; undefined when value is nil.
type call struct {
	key   ast.Ref
	value *ast.Term
}

func newBatchCache(shared *sharedStore, paths sharedPaths) *batchCache {
	return &batchCache{inner: topdown.NewVirtualCache(), shared: shared, paths: paths}
}

// isCall reports whether ref is the key of a function call: OPA keys a
// call by the function's ref as one term, then its arguments; a rule's key
// starts with data.
func isCall(ref ast.Ref) bool {
	_, ok := ref[0].Value.(ast.Ref)
	return ok
}

func callHash(ref ast.Ref) int {
	h := 0
	for _, t := range ref {
		h = h*31 + t.Hash()
	}
	return h
}

func (c *batchCache) getCall(ref ast.Ref) (*ast.Term, bool) {
	for _, e := range c.calls[callHash(ref)] {
		if sameKey(e.key, ref) {
			return e.value, e.value == nil
		}
	}
	return nil, false
}

func (c *batchCache) putCall(ref ast.Ref, value *ast.Term) {
	if c.calls == nil {
		c.calls = make(map[int][]call, 256)
	}
	h := callHash(ref)
	entries := c.calls[h]
	for i := range entries {
		if sameKey(entries[i].key, ref) {
			entries[i].value = value
			return
		}
	}
	// OPA reuses the key's slice for its next call: keep a copy.
	c.calls[h] = append(entries, call{key: slices.Clone(ref), value: value})
}

func sameKey(a, b ast.Ref) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func (c *batchCache) isShared(ref ast.Ref) bool {
	return c.depth == 0 && c.paths.contains(ref)
}

// Push implements topdown.VirtualCache.
func (c *batchCache) Push() {
	c.depth++
	c.inner.Push()
}

// Pop implements topdown.VirtualCache.
func (c *batchCache) Pop() {
	c.depth--
	c.inner.Pop()
}

// Get implements topdown.VirtualCache.
func (c *batchCache) Get(ref ast.Ref) (*ast.Term, bool) {
	if c.depth == 0 && isCall(ref) {
		return c.getCall(ref)
	}
	if c.isShared(ref) {
		c.shared.mu.Lock()
		defer c.shared.mu.Unlock()
		return c.shared.cache.Get(ref)
	}
	v, undefined := c.inner.Get(ref)
	if v != nil || undefined || c.depth > 0 {
		return v, undefined
	}
	for _, a := range c.computed {
		if len(ref) == len(a.path) && ref.Equal(a.path) {
			v = a.value(c.groups, c.pass, c.terms)
			c.inner.Put(a.path, v)
			return v, false
		}
	}
	return nil, false
}

// Put implements topdown.VirtualCache.
func (c *batchCache) Put(ref ast.Ref, value *ast.Term) {
	if c.depth == 0 && isCall(ref) {
		c.putCall(ref, value)
		return
	}
	if c.isShared(ref) {
		c.shared.mu.Lock()
		defer c.shared.mu.Unlock()
		c.shared.cache.Put(ref, value)
		return
	}
	c.inner.Put(ref, value)
}

// Keys implements topdown.VirtualCache.
func (c *batchCache) Keys() []ast.Ref {
	return c.inner.Keys()
}
