// Package engine evaluates sgaudit's Rego checks over an inventory with OPA
// v1 used as a library. Load reads the embedded policy pack plus the user's
// own policies and data, validates the check catalogue from the packages'
// METADATA, compiles everything in strict mode and prepares one query for
// every enabled check. Evaluate then runs that query over batches of
// security groups on one worker per core and turns the results into
// findings.
//
// The Rego ↔ Go contract is docs/writing-policies.md; the performance
// choices (ast.Value input, batches of a few hundred groups, one shared
// prepared query) are measured in docs/performance.md.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/topdown/print"

	"github.com/sgaudit/sgaudit/internal/location"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// DefaultBatchSize is how many security groups one Eval judges. A single
// Eval has a fixed cost of ~39 µs, and one Eval over everything costs
// memory quadratically in practice; ~100 groups per Eval was the measured
// sweet spot. With the pack's per-group cost down since,
// 200 measured 2% less CPU than 100 and the same as 400 (50k groups);
// a batch's input in flight is ~2.5 MB.
const DefaultBatchSize = 200

// ErrPolicy is wrapped by every error caused by the policies, the data files
// or the check configuration rather than by the inventory or the machine:
// invalid Rego, bad METADATA, duplicate check ids, a malformed data file, or
// a policy returning a malformed finding. The CLI maps it to exit code 2.
var ErrPolicy = errors.New("policy error")

// PolicyError is a user-facing policy problem with the file and line it was
// found at, when known. Its message is one line. errors.Is(err, ErrPolicy)
// holds for every PolicyError.
type PolicyError struct {
	File string // path of the .rego or data file, "" when not tied to one
	Line int    // 1-based line, 0 when unknown
	Msg  string
}

// Error formats the problem as "file:line: message".
func (e *PolicyError) Error() string { return location.Format(e.File, e.Line, e.Msg) }

// Is makes errors.Is(err, ErrPolicy) true for a PolicyError.
func (e *PolicyError) Is(target error) bool { return target == ErrPolicy }

// policyErr builds a PolicyError, flattening multi-line messages so the CLI
// can always print exactly one line.
func policyErr(file string, line int, format string, args ...any) *PolicyError {
	msg := fmt.Sprintf(format, args...)
	return &PolicyError{File: file, Line: line, Msg: strings.Join(strings.Fields(msg), " ")}
}

// Options configures Load.
type Options struct {
	// PolicyDirs are extra .rego files or directories (searched
	// recursively, *_test.rego skipped) holding the user's own checks and
	// helpers (--policy-dir).
	PolicyDirs []string
	// Data is a document deep-merged over the embedded data at the root of
	// `data`, before DataFiles: the configuration file's data section
	// ({"sgaudit": {...}}), so --data files still win over it.
	Data map[string]any
	// DataFiles are JSON or YAML files whose top-level object is deep-merged
	// over the embedded data at the root of `data` (--data).
	DataFiles []string
	// Disabled turns checks off by id. It wins over Enabled.
	Disabled map[string]bool
	// Enabled turns on checks whose METADATA says `enabled: false`.
	Enabled map[string]bool
	// SeverityOverrides replaces a check's METADATA severity by id. A
	// severity a policy sets on a single finding (escalation) still wins.
	SeverityOverrides map[string]findings.Severity
	// BatchSize is the number of security groups per Eval; 0 means
	// DefaultBatchSize.
	BatchSize int
	// Workers is the number of concurrent Evals; 0 means runtime.GOMAXPROCS.
	Workers int
	// Logger receives debug and info logs; nil discards them.
	Logger *slog.Logger
	// Now is the scan's clock: Evaluate reads it once, and time.now_ns in
	// every policy returns that instant, so all batches of a scan agree and
	// a test can fix it. nil means time.Now.
	Now func() time.Time
	// Timeout bounds one Evaluate (--policy-timeout): a policy that runs
	// longer is stopped and Evaluate returns a PolicyError. 0 means
	// DefaultPolicyTimeout; a negative value is an error.
	Timeout time.Duration
}

// DefaultPolicyTimeout is the evaluation budget when Options.Timeout is 0:
// the built-in pack judges 100,000 groups in about 3 s on two cores
// (docs/performance.md), so only a pathological policy (an exponential
// comprehension, numbers.range(1, 1e12)) reaches it.
const DefaultPolicyTimeout = 5 * time.Minute

// Engine holds the compiled policies and the prepared query. It is safe for
// concurrent use: Evaluate only adds the queries it prepares for subsets
// of the checks to a concurrency-safe cache.
type Engine struct {
	checks  []check // sorted by id; every check, enabled or not
	query   rego.PreparedEvalQuery
	enabled int // number of checks in query
	// compiler and store prepare the query for a subset of the enabled
	// checks: Evaluate leaves out those its inventory cannot feed.
	compiler *ast.Compiler
	store    storage.Store
	subsets  sync.Map // check ids joined by "," → rego.PreparedEvalQuery
	// inputKeys are the top-level input keys the policies read; nil = all.
	inputKeys map[string]bool
	// shared are the rules computed once per Evaluate, not per batch.
	shared sharedPaths
	// accelerated are the library rules computed in Go for each batch
	// (accelerate.go).
	accelerated []active
	batch       int
	workers     int
	log         *slog.Logger
	now         func() time.Time
	timeout     time.Duration
}

// check is a catalogue entry plus what the engine needs to evaluate it.
type check struct {
	findings.Check
	enabled bool
	// base is the severity a finding gets when its policy sets none:
	// METADATA severity, or the configured override.
	base findings.Severity
	file string  // where its METADATA is, for error messages
	ref  ast.Ref // data.<package>.deny
}

// refusedBuiltins are the built-in functions a policy may not call, with
// the reason an error gives. Evaluation is offline and deterministic: the
// same inventory, data and clock give the same findings, so a baseline or a
// SARIF upload never sees a finding come and go by chance. OPA marks all
// but the x509 verifiers non-deterministic; the x509 verifiers read the
// machine's clock. Of the others OPA marks, time.now_ns and
// io.jwt.decode_verify read the clock and are kept: they read the scan's
// (Options.Now). docs/writing-policies.md lists them for policy authors.
var refusedBuiltins = map[string]string{
	ast.HTTPSend.Name:         "it calls the network, and a scan judges the inventory offline",
	ast.NetLookupIPAddr.Name:  "it calls the network (DNS), and a scan judges the inventory offline",
	ast.RandIntn.Name:         "it is random, and the same inventory must always give the same findings",
	ast.UUIDRFC4122.Name:      "it is random, and the same inventory must always give the same findings",
	ast.OPARuntime.Name:       "it describes an OPA server's runtime, which a scan does not have",
	ast.JSONSchemaVerify.Name: "a schema's $ref can be fetched over the network, and a scan judges the inventory offline",
	ast.JSONMatchSchema.Name:  "a schema's $ref can be fetched over the network, and a scan judges the inventory offline",
	ast.JWTEncodeSign.Name:    "its signatures can be random, and a scan signs nothing",
	ast.JWTEncodeSignRaw.Name: "its signatures can be random, and a scan signs nothing",
	// Both read the machine's clock, not the scan's, to judge expiry.
	ast.CryptoX509ParseAndVerifyCertificates.Name:            "it verifies against the machine's clock, not the scan's",
	ast.CryptoX509ParseAndVerifyCertificatesWithOptions.Name: "it verifies against the machine's clock unless told otherwise, not the scan's",
}

// capabilities are OPA's built-ins for this version minus refusedBuiltins:
// the compiler then rejects a call to one even where refusedCall cannot
// see it.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool {
		_, refused := refusedBuiltins[b.Name]
		return refused
	})
	return caps
}

// refusedCall returns an error naming the file and line of the first call
// to a refused built-in in modules (sorted by file, then position), nil if
// there is none. It runs before compilation, whose own error for the same
// call ("undefined function") would not say why.
func refusedCall(modules map[string]*ast.Module) error {
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		fn, loc := "", (*ast.Location)(nil)
		// Only operators count: a local object may well have a field
		// named send (http.send as a value is not a call).
		check := func(op string, at *ast.Location) {
			if _, refused := refusedBuiltins[op]; refused && fn == "" {
				fn, loc = op, at
			}
		}
		ast.NewGenericVisitor(func(x any) bool {
			switch v := x.(type) {
			case *ast.Expr: // f(x) as a whole expression
				if v.IsCall() {
					check(v.Operator().String(), v.Location)
				}
			case *ast.Term: // f(x) nested in an expression
				if c, ok := v.Value.(ast.Call); ok && len(c) > 0 {
					check(c[0].String(), v.Location)
				}
			}
			return fn != ""
		}).Walk(modules[name])
		if fn != "" {
			return policyErr(name, line(loc), "%s is not allowed in sgaudit policies: %s", fn, refusedBuiltins[fn])
		}
	}
	return nil
}

// queryVar is the variable the prepared query binds to the object
// {check id: deny set}.
const queryVar = "sgaudit_findings"

// Load reads, validates and compiles the policies and prepares the query.
// embedded is the built-in pack (policies.FS: checks/, lib/, data/); it may
// be nil to run only user policies. Every error caused by the policies, the
// data or the check configuration wraps ErrPolicy and reads as one line.
func Load(ctx context.Context, embedded fs.FS, opts Options) (*Engine, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{batch: opts.BatchSize, workers: opts.Workers, log: log, now: opts.Now, timeout: opts.Timeout}
	if e.batch <= 0 {
		e.batch = DefaultBatchSize
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.now == nil {
		e.now = time.Now
	}
	switch {
	case e.timeout < 0:
		return nil, policyErr("", 0, "policy timeout %s is negative", e.timeout)
	case e.timeout == 0:
		e.timeout = DefaultPolicyTimeout
	}

	srcs, err := readPolicies(embedded, opts.PolicyDirs)
	if err != nil {
		return nil, err
	}
	modules, err := parseModules(srcs)
	if err != nil {
		return nil, err
	}
	if err := customNamespace(srcs, modules); err != nil {
		return nil, err
	}
	if err := refusedCall(modules); err != nil {
		return nil, err
	}
	checks, err := catalogue(srcs, modules)
	if err != nil {
		return nil, err
	}
	if err := configure(checks, opts); err != nil {
		return nil, err
	}
	e.checks = checks

	data, err := readData(embedded, opts.Data, opts.DataFiles, checks)
	if err != nil {
		return nil, err
	}

	compiler := ast.NewCompiler().
		WithStrict(true).
		WithDefaultRegoVersion(ast.RegoV1).
		WithEnablePrintStatements(true).
		WithCapabilities(capabilities())
	compiler.Compile(modules)
	if compiler.Failed() {
		return nil, astError("compile policies", compiler.Errors)
	}
	e.inputKeys = inputKeys(compiler.Modules)
	shared := sharedRules(compiler)
	e.shared = newSharedPaths(shared)

	e.compiler, e.store = compiler, inmem.NewFromASTObject(data)
	custom := map[string]bool{}
	for _, s := range srcs {
		custom[s.name] = s.custom
	}
	var skipped []string
	if e.accelerated, skipped, err = activeAccelerators(ctx, compiler, e.store, custom); err != nil {
		return nil, err
	}
	for _, why := range skipped {
		log.Debug("rule evaluated by OPA, not computed in Go", "reason", why)
	}
	var enabled []*check
	for i := range checks {
		if checks[i].enabled {
			enabled = append(enabled, &checks[i])
		}
	}
	e.enabled = len(enabled)
	// PrepareForEval only compiles the query; nothing here is slow enough
	// to need cancelling, but a cancelled ctx should still stop Load.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.query, err = e.prepare(ctx, enabled); err != nil {
		return nil, err
	}
	log.Debug("policies loaded", "checks", len(checks), "enabled", e.enabled, "modules", len(modules), "shared_rules", len(shared))
	return e, nil
}

// prepare compiles one query for the given checks, {"SGA001":
// data....deny, ...}: a single Eval per batch instead of one per check.
func (e *Engine) prepare(ctx context.Context, checks []*check) (rego.PreparedEvalQuery, error) {
	obj := ast.NewObject()
	for _, c := range checks {
		obj.Insert(ast.StringTerm(c.ID), ast.NewTerm(c.ref))
	}
	body := ast.NewBody(ast.Equality.Expr(ast.VarTerm(queryVar), ast.NewTerm(obj)))
	q, err := rego.New(
		rego.ParsedQuery(body),
		rego.Compiler(e.compiler),
		rego.Store(e.store),
		rego.EnablePrintStatements(true),
		rego.PrintHook(printHook{e.log}),
	).PrepareForEval(ctx)
	if err != nil {
		var astErrs ast.Errors
		if errors.As(err, &astErrs) {
			return q, astError("prepare query", astErrs)
		}
		return q, fmt.Errorf("prepare policy query: %w", err)
	}
	return q, nil
}

// queryFor returns the query for the enabled checks that are not in skip:
// the one prepared by Load when skip is empty, else one prepared on first
// use and kept.
func (e *Engine) queryFor(ctx context.Context, skip map[string]bool) (rego.PreparedEvalQuery, error) {
	if len(skip) == 0 {
		return e.query, nil
	}
	var checks []*check
	var ids []string
	for i := range e.checks {
		if c := &e.checks[i]; c.enabled && !skip[c.ID] {
			checks = append(checks, c)
			ids = append(ids, c.ID)
		}
	}
	key := strings.Join(ids, ",")
	if q, ok := e.subsets.Load(key); ok {
		return q.(rego.PreparedEvalQuery), nil
	}
	q, err := e.prepare(ctx, checks)
	if err != nil {
		return q, err
	}
	e.subsets.Store(key, q)
	return q, nil
}

// configure applies Options.Disabled, Enabled and SeverityOverrides, which
// must all name known checks: a typo in a config file must not silently
// leave a check on.
func configure(checks []check, opts Options) error {
	byID := make(map[string]*check, len(checks))
	for i := range checks {
		byID[checks[i].ID] = &checks[i]
	}
	for _, set := range []struct {
		name string
		ids  []string
	}{
		{"disabled checks", slices.Sorted(maps.Keys(opts.Disabled))},
		{"enabled checks", slices.Sorted(maps.Keys(opts.Enabled))},
		{"severity overrides", slices.Sorted(maps.Keys(opts.SeverityOverrides))},
	} {
		for _, id := range set.ids {
			if byID[id] == nil {
				return policyErr("", 0, "unknown check id %q in %s", id, set.name)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(opts.SeverityOverrides)) {
		sev, err := findings.ParseSeverity(string(opts.SeverityOverrides[id]))
		if err != nil {
			return policyErr("", 0, "severity override for %s: %v", id, err)
		}
		byID[id].base = sev
		byID[id].Severity = sev
	}
	for i := range checks {
		c := &checks[i]
		if opts.Enabled[c.ID] {
			c.enabled = true
		}
		if opts.Disabled[c.ID] {
			c.enabled = false
		}
		c.Status = findings.CheckEvaluated
		if !c.enabled {
			c.Status = findings.CheckDisabled
		}
	}
	return nil
}

// Checks returns the catalogue sorted by id. Status is CheckDisabled for a
// check that is off and CheckEvaluated for one that Evaluate will run;
// Evaluate refines the latter against the inventory's coverage.
func (e *Engine) Checks() []findings.Check {
	out := make([]findings.Check, len(e.checks))
	for i, c := range e.checks {
		out[i] = cloneCheck(c.Check)
	}
	return out
}

// cloneCheck copies a check so callers cannot modify the engine's catalogue
// through shared slices and maps.
func cloneCheck(c findings.Check) findings.Check {
	c.Tags = slices.Clone(c.Tags)
	c.RelatedResources = slices.Clone(c.RelatedResources)
	c.Requires = slices.Clone(c.Requires)
	if c.Frameworks != nil {
		fw := make(map[string][]string, len(c.Frameworks))
		for k, v := range c.Frameworks {
			fw[k] = slices.Clone(v)
		}
		c.Frameworks = fw
	}
	return c
}

// astError turns OPA's parse or compile errors into one PolicyError line:
// the first error with its file and line, and how many more there are.
func astError(op string, errs ast.Errors) error {
	if len(errs) == 0 {
		return policyErr("", 0, "%s: unknown error", op)
	}
	first := errs[0]
	msg := first.Message
	if first.Code != "" {
		msg = first.Code + ": " + msg
	}
	if n := len(errs) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	file, line := "", 0
	if first.Location != nil {
		file, line = first.Location.File, first.Location.Row
	}
	return policyErr(file, line, "%s", msg)
}

// printHook sends Rego print() output to the debug log, so a user writing
// a check can debug it with --log-level debug without polluting stdout.
type printHook struct{ log *slog.Logger }

// Print implements print.Hook.
func (h printHook) Print(pctx print.Context, msg string) error {
	loc := ""
	if pctx.Location != nil {
		loc = pctx.Location.String()
	}
	h.log.DebugContext(pctx.Context, "rego print", "location", loc, "msg", msg)
	return nil
}
