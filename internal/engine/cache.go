package engine

import (
	"maps"
	"slices"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/dependencies"
	"github.com/open-policy-agent/opa/v1/topdown"
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
}

func newBatchCache(shared *sharedStore, paths sharedPaths) *batchCache {
	return &batchCache{inner: topdown.NewVirtualCache(), shared: shared, paths: paths}
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
	if c.isShared(ref) {
		c.shared.mu.Lock()
		defer c.shared.mu.Unlock()
		return c.shared.cache.Get(ref)
	}
	return c.inner.Get(ref)
}

// Put implements topdown.VirtualCache.
func (c *batchCache) Put(ref ast.Ref, value *ast.Term) {
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
