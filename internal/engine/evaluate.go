package engine

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"
	"golang.org/x/sync/errgroup"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// maxDetailPairs bounds how many account/region pairs a check's
// StatusDetail lists; an organisation scan has hundreds.
const maxDetailPairs = 10

// Evaluate runs every enabled check over inv and returns the findings,
// deduplicated by fingerprint and sorted with findings.CompareFindings, and
// the catalogue with each check's status for this inventory:
//
//   - disabled: turned off by METADATA or configuration;
//   - not_evaluated: a data kind it requires (METADATA custom.requires) was
//     collected in no account/region that has data;
//   - partial: that kind is missing in some of them (StatusDetail lists
//     which); the check's findings there are dropped, because judging, say,
//     "unused" without interface data would be wrong;
//   - evaluated: otherwise.
//
// Groups are judged in batches of Options.BatchSize on Options.Workers
// goroutines sharing one prepared query; the result does not depend on
// either. A malformed result from a policy is an error wrapping ErrPolicy,
// and so is an evaluation that outlasts Options.Timeout. When ctx is
// cancelled, Evaluate stops within one Rego expression and returns ctx's
// error.
func (e *Engine) Evaluate(ctx context.Context, inv *inventory.Inventory) ([]findings.Finding, []findings.Check, error) {
	start := time.Now()
	// One instant for the whole scan: time.now_ns is the same in every
	// batch, whatever the scheduling.
	now := e.now()
	catalogue := e.Checks()
	gates := e.gates(inv, catalogue)

	out := []findings.Finding{}
	// A check that requires data collected nowhere is not run at all: its
	// findings would all be dropped (SGA013 without stale references, in
	// every import of CLI JSON).
	skip := map[string]bool{}
	for _, c := range catalogue {
		if c.Status == findings.CheckNotEvaluated {
			skip[c.ID] = true
		}
	}
	if e.enabled == len(skip) || len(inv.SecurityGroups) == 0 {
		return out, catalogue, nil
	}
	query, err := e.queryFor(ctx, skip)
	if err != nil {
		return nil, nil, err
	}

	ev := &evaluation{
		engine:   e,
		query:    query,
		now:      now,
		groups:   make(map[string]*inventory.SecurityGroup, len(inv.SecurityGroups)),
		accounts: make(map[string]string, len(inv.Accounts)),
		gates:    gates,
		shared:   sharedInput(inv, e.inputKeys),
		store:    newSharedStore(),
	}
	for i := range inv.SecurityGroups {
		g := &inv.SecurityGroups[i]
		ev.groups[g.ARN] = g
	}
	for _, a := range inv.Accounts {
		ev.accounts[a.ID] = a.Name
	}

	// Each batch writes only its own slot, so the merged order is the same
	// whatever the scheduling.
	nb := (len(inv.SecurityGroups) + e.batch - 1) / e.batch
	results := make([][]findings.Finding, nb)
	// The budget is a deadline on the evaluation's own context, with a
	// cause of its own, so running out of it is told apart from the
	// caller's cancellation (SIGINT, SIGTERM).
	bctx, cancel := context.WithTimeoutCause(ctx, e.timeout, errBudget)
	defer cancel()
	// One goroutine per worker takes the batches in turn, rather than one
	// per batch: OPA's evaluator recurses deeply, and each new goroutine
	// grew its stack again by copying it, several times per batch.
	g, gctx := errgroup.WithContext(bctx)
	var next atomic.Int64
	for range min(e.workers, nb) {
		g.Go(func() error {
			for gctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= nb {
					return nil
				}
				lo, hi := i*e.batch, min((i+1)*e.batch, len(inv.SecurityGroups))
				fs, err := ev.batch(gctx, inv.SecurityGroups[lo:hi])
				if err != nil {
					return err
				}
				results[i] = fs
			}
			return nil
		})
	}
	err = g.Wait()
	// The caller's cancellation first: it also ends bctx. A cancellation
	// between batches stops the loop without an error from any batch.
	if ctxErr := ctx.Err(); ctxErr != nil {
		return nil, nil, ctxErr
	}
	if context.Cause(bctx) == errBudget {
		return nil, nil, e.budgetError(len(inv.SecurityGroups))
	}
	if err != nil {
		return nil, nil, err
	}

	for _, fs := range results {
		out = append(out, fs...)
	}
	out = dedupe(out)
	e.log.Debug("policies evaluated", "groups", len(inv.SecurityGroups), "batches", nb,
		"findings", len(out), "duration", time.Since(start))
	return out, catalogue, nil
}

// errBudget is the cause of the evaluation context's deadline.
var errBudget = errors.New("policy evaluation budget exhausted")

// budgetError says that evaluation ran out of Options.Timeout, in one line.
// OPA's cancellation does not say which rule was running, so the message
// names the custom checks, the usual suspects (the built-in pack is
// benchmarked; docs/performance.md), or says the built-in checks alone ran
// out, which only a huge inventory on a slow machine can make them do.
func (e *Engine) budgetError(groups int) error {
	var custom []string
	for _, c := range e.checks {
		if c.enabled && c.Custom {
			custom = append(custom, c.ID+" ("+c.file+")")
		}
	}
	switch {
	case len(custom) == 0:
		return policyErr("", 0, "evaluation stopped after --policy-timeout %s: the built-in checks did not finish judging %d security groups; raise --policy-timeout", e.timeout, groups)
	case len(custom) > maxDetailPairs:
		custom = append(custom[:maxDetailPairs], fmt.Sprintf("and %d more", len(custom)-maxDetailPairs))
	}
	return policyErr("", 0, "evaluation stopped after --policy-timeout %s; custom checks enabled, the likely cause: %s", e.timeout, strings.Join(custom, ", "))
}

// gate says where a check's findings count: everywhere, or only in the
// account/region pairs that collected every data kind it requires.
type gate struct {
	all bool            // no requirement, or every pair qualifies
	ok  map[string]bool // "account/region" → findings kept
}

// gates computes each enabled check's status from the coverage and returns
// the gate of each check by id. It updates catalogue in place.
func (e *Engine) gates(inv *inventory.Inventory, catalogue []findings.Check) map[string]*gate {
	kinds := inv.Kinds()
	// The pairs a check could have judged: those that collected something,
	// and any pair holding groups even without a coverage row (an imported
	// file may lack one; it then counts as having collected nothing).
	var pairs []string
	seen := map[string]bool{}
	for _, c := range inv.Coverage {
		key := c.AccountID + "/" + c.Region
		if len(c.Collected) > 0 && !seen[key] {
			seen[key] = true
			pairs = append(pairs, key)
		}
	}
	for _, g := range inv.SecurityGroups {
		key := g.AccountID + "/" + g.Region
		if !seen[key] {
			seen[key] = true
			pairs = append(pairs, key)
		}
	}
	slices.Sort(pairs)

	out := make(map[string]*gate, len(catalogue))
	for i := range catalogue {
		c := &catalogue[i]
		if c.Status == findings.CheckDisabled {
			continue
		}
		gt := &gate{all: true}
		out[c.ID] = gt
		if len(c.Requires) == 0 {
			continue
		}
		gt.ok = make(map[string]bool, len(pairs))
		var missingPairs []string
		missingKinds := map[string]bool{}
		for _, p := range pairs {
			have := kinds[p]
			complete := true
			for _, k := range c.Requires {
				if !have[k] {
					complete = false
					missingKinds[k] = true
				}
			}
			gt.ok[p] = complete
			if !complete {
				missingPairs = append(missingPairs, p)
			}
		}
		if len(missingPairs) == 0 {
			continue
		}
		gt.all = false
		need := strings.Join(slices.Sorted(maps.Keys(missingKinds)), ", ")
		if len(missingPairs) == len(pairs) {
			c.Status = findings.CheckNotEvaluated
			c.StatusDetail = fmt.Sprintf("requires %s, which was not collected", need)
			if need == inventory.KindTerraformState {
				// Not read from AWS: given by the user (docs/iac.md §4).
				c.StatusDetail = "requires Terraform state, which was not given (--tf-state)"
			}
			continue
		}
		c.Status = findings.CheckPartial
		shown := missingPairs
		more := ""
		if len(shown) > maxDetailPairs {
			more = fmt.Sprintf(" and %d more", len(shown)-maxDetailPairs)
			shown = shown[:maxDetailPairs]
		}
		c.StatusDetail = fmt.Sprintf("not evaluated in %s%s: %s not collected", strings.Join(shown, ", "), more, need)
	}
	return out
}

// evaluation is the read-only state shared by the batches of one Evaluate.
type evaluation struct {
	engine   *Engine
	query    rego.PreparedEvalQuery              // the enabled checks this inventory can feed
	groups   map[string]*inventory.SecurityGroup // by ARN
	accounts map[string]string                   // id → name
	gates    map[string]*gate
	shared   shared
	store    *sharedStore // values of e.shared rules
	now      time.Time    // what time.now_ns returns
}

// batch judges one slice of groups with the shared prepared query.
func (ev *evaluation) batch(ctx context.Context, groups []inventory.SecurityGroup) ([]findings.Finding, error) {
	e := ev.engine
	pass := newRulePass(e.accelerated)
	input, sgs := inputValue(ev.shared, groups, pass)
	cache := newBatchCache(ev.store, e.shared)
	cache.computed, cache.groups, cache.pass, cache.terms = e.accelerated, groups, pass, sgs
	rs, err := ev.eval(ctx, input, cache)
	var pe *panicError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("evaluate groups %s to %s: %w", groups[0].ARN, groups[len(groups)-1].ARN, pe)
	}
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		var te *topdown.Error
		if errors.As(err, &te) {
			file, ln := "", 0
			if te.Location != nil {
				file, ln = te.Location.File, te.Location.Row
			}
			return nil, policyErr(file, ln, "evaluate: %s: %s", te.Code, te.Message)
		}
		return nil, fmt.Errorf("evaluate batch: %w", err)
	}
	if len(rs) != 1 {
		// The query is an assignment of a constant-shaped object, so it
		// always has exactly one result.
		return nil, fmt.Errorf("evaluate batch: got %d results, want 1", len(rs))
	}
	byCheck, ok := rs[0].Bindings[queryVar].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("evaluate batch: unexpected result %T", rs[0].Bindings[queryVar])
	}
	var out []findings.Finding
	for id, raw := range byCheck {
		c := e.check(id)
		set, ok := raw.([]any)
		if !ok {
			return nil, policyErr(c.file, 0, "check %s (%s): deny is %T, want a set", c.ID, c.Name, raw)
		}
		gt := ev.gates[c.ID]
		for _, item := range set {
			f, err := ev.finding(c, item)
			if err != nil {
				return nil, err
			}
			if !gt.all && !gt.ok[f.AccountID+"/"+f.Region] {
				continue
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// eval runs the query on one batch's input. A panic inside OPA (a
// built-in's bug on input it did not expect: net.cidr_merge on two
// IPv4-mapped IPv6 CIDRs in OPA 1.22) is returned as a *panicError rather
// than ending the process without a report or a clear message.
func (ev *evaluation) eval(ctx context.Context, input ast.Value, cache *batchCache) (rs rego.ResultSet, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &panicError{value: r}
		}
	}()
	return ev.query.Eval(ctx,
		rego.EvalParsedInput(input),
		rego.EvalVirtualCache(cache),
		rego.EvalTime(ev.now))
}

// panicError is a panic recovered from OPA's evaluator.
type panicError struct{ value any }

func (p *panicError) Error() string {
	return fmt.Sprintf("the policy evaluator (OPA) failed: %v", p.value)
}

// check returns the catalogue entry for an id the query was built from.
func (e *Engine) check(id string) *check {
	i, _ := slices.BinarySearchFunc(e.checks, id, func(c check, id string) int { return cmp.Compare(c.ID, id) })
	return &e.checks[i]
}

// finding turns one element of a check's deny set into a Finding, filling
// in everything the engine knows better than the policy.
func (ev *evaluation) finding(c *check, item any) (findings.Finding, error) {
	bad := func(format string, args ...any) (findings.Finding, error) {
		return findings.Finding{}, policyErr(c.file, 0, "check %s (%s): "+format, append([]any{c.ID, c.Name}, args...)...)
	}
	res, ok := item.(map[string]any)
	if !ok {
		return bad("deny returned %s, want an object with group_arn and msg", describe(item))
	}
	arn, _ := res["group_arn"].(string)
	if arn == "" {
		return bad("finding without group_arn (a string naming the group): %s", describe(item))
	}
	msg, _ := res["msg"].(string)
	if msg == "" {
		return bad("finding for %s without msg (a non-empty string)", arn)
	}
	g := ev.groups[arn]
	if g == nil {
		return bad("finding names unknown group %q", arn)
	}

	f := findings.Finding{
		CheckID:     c.ID,
		Severity:    c.base,
		Title:       c.Title,
		AccountID:   g.AccountID,
		AccountName: ev.accounts[g.AccountID],
		Region:      g.Region,
		VPCID:       g.VPCID,
		GroupID:     g.ID,
		GroupName:   g.Name,
		GroupARN:    g.ARN,
		Message:     msg,
		Resolution:  c.Resolution,
	}
	// A policy may escalate one finding (SGA001: CRITICAL with a public
	// IP); anything that is not a severity keeps the check's own.
	if s, ok := res["severity"].(string); ok {
		if sev, err := findings.ParseSeverity(s); err == nil {
			f.Severity = sev
		} else {
			ev.engine.log.Warn("ignoring invalid severity in finding", "check_id", c.ID, "severity", s)
		}
	}
	if v, ok := res["remediation"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return bad("finding for %s: remediation must be a string", arn)
		}
		f.Remediation = s
	}
	if v, ok := res["evidence"]; ok && v != nil {
		m, isObj := v.(map[string]any)
		if !isObj {
			return bad("finding for %s: evidence must be an object, got %s", arn, describe(v))
		}
		f.Evidence = m
	}
	disc := ""
	if v, ok := res["discriminator"]; ok {
		s, isStr := v.(string)
		if !isStr {
			return bad("finding for %s: discriminator must be a string", arn)
		}
		disc = s
	}
	if v, ok := res["rule"]; ok && v != nil {
		r, err := ruleFromResult(v)
		if err != nil {
			return bad("finding for %s: rule: %v", arn, err)
		}
		f.RuleID = r.ID
		f.RuleKey = r.Key()
	}
	f.Fingerprint = Fingerprint(c.ID, arn, f.RuleKey, disc)
	return f, nil
}

// Fingerprint is the stable identity of a finding across scans: the first
// 32 hex digits of sha256(check id | group ARN | rule key or discriminator).
// When a finding has both, the discriminator is appended to the rule key
// so that two findings a policy tells apart on one rule stay apart.
func Fingerprint(checkID, groupARN, ruleKey, discriminator string) string {
	key := ruleKey
	switch {
	case key == "":
		key = discriminator
	case discriminator != "":
		key += "|" + discriminator
	}
	sum := sha256.Sum256([]byte(checkID + "|" + groupARN + "|" + key))
	return hex.EncodeToString(sum[:])[:32]
}

// ruleFromResult reads back the rule object a policy returned (normally
// the rule from input, untouched) so its id and Key can be computed.
func ruleFromResult(v any) (inventory.Rule, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return inventory.Rule{}, fmt.Errorf("want the rule object from input, got %s", describe(v))
	}
	var r inventory.Rule
	var err error
	s := func(m map[string]any, k string) string {
		x, isStr := m[k].(string)
		if !isStr && m[k] != nil && err == nil {
			err = fmt.Errorf("%s must be a string", k)
		}
		return x
	}
	n := func(k string) int {
		x, present := m[k]
		if !present {
			return 0
		}
		num, isNum := x.(json.Number)
		i, convErr := strconv.Atoi(string(num))
		if (!isNum || convErr != nil) && err == nil {
			err = fmt.Errorf("%s must be an integer", k)
		}
		return i
	}
	r.ID = s(m, "id")
	r.Direction = inventory.Direction(s(m, "direction"))
	r.Protocol = s(m, "protocol")
	r.FromPort, r.ToPort = n("from_port"), n("to_port")
	if p, present := m["peer"]; present {
		pm, isObj := p.(map[string]any)
		if !isObj {
			return inventory.Rule{}, errors.New("peer must be an object")
		}
		r.Peer.Kind = inventory.PeerKind(s(pm, "kind"))
		r.Peer.CIDR = s(pm, "cidr")
		r.Peer.PrefixListID = s(pm, "prefix_list_id")
		r.Peer.GroupID = s(pm, "group_id")
		r.Peer.GroupOwner = s(pm, "group_owner")
	}
	return r, err
}

// jsonText is v as JSON (object keys sorted), or its type if it has none.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%T", v)
	}
	return string(b)
}

// describe shows a policy's malformed value briefly in an error message.
func describe(v any) string {
	s := jsonText(v)
	if len(s) > 120 {
		s = s[:117] + "..."
	}
	return s
}

// dedupe sorts findings canonically and keeps one per fingerprint. Ties
// are broken by content (highest severity first) so the one kept does not
// depend on evaluation order.
func dedupe(fs []findings.Finding) []findings.Finding {
	slices.SortFunc(fs, func(a, b findings.Finding) int {
		if c := findings.CompareFindings(a, b); c != 0 {
			return c
		}
		// Only true duplicates get here, so the JSON of the evidence is
		// computed rarely.
		return cmp.Or(
			cmp.Compare(b.Severity.Rank(), a.Severity.Rank()),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.Remediation, b.Remediation),
			cmp.Compare(jsonText(a.Evidence), jsonText(b.Evidence)),
			// Two rules that differ by their id alone (one read without
			// it) share a rule key, and so a fingerprint.
			cmp.Compare(a.RuleID, b.RuleID),
		)
	})
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		if seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		out = append(out, f)
	}
	return out
}
