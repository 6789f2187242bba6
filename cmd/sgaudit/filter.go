package main

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// parseSeverities reads --severity: a list of severities in any case.
// Empty means every severity.
func parseSeverities(list []string) ([]findings.Severity, error) {
	var out []findings.Severity
	for _, s := range list {
		if strings.TrimSpace(s) == "" {
			continue
		}
		sev, err := findings.ParseSeverity(s)
		if err != nil {
			return nil, usagef("--severity: %w", err)
		}
		if !slices.Contains(out, sev) {
			out = append(out, sev)
		}
	}
	slices.SortFunc(out, func(a, b findings.Severity) int { return b.Rank() - a.Rank() })
	return out, nil
}

// filterSeverities keeps in rep only the findings of the given severities
// (--severity), in every format: the findings, the baseline's fixed
// findings and their counts, and the summary. Nothing is dropped silently:
// an info notice says which severities are reported and how many findings
// were left out. --fail-on then judges what is reported (resultCode runs
// after this), as Trivy's --exit-code does with --severity.
func filterSeverities(rep *findings.Report, keep []findings.Severity) {
	if len(keep) == 0 {
		return
	}
	kept := func(f findings.Finding) bool { return slices.Contains(keep, f.Severity) }
	before := len(rep.Findings)
	rep.Findings = slices.DeleteFunc(rep.Findings, func(f findings.Finding) bool { return !kept(f) })
	left := before - len(rep.Findings)
	rep.Summarise()
	if b := rep.Baseline; b != nil {
		b.FixedFindings = slices.DeleteFunc(b.FixedFindings, func(f findings.Finding) bool { return !kept(f) })
		b.Fixed = len(b.FixedFindings)
		b.New, b.Unchanged = 0, 0
		for _, f := range rep.Findings {
			switch f.Baseline {
			case findings.BaselineNew:
				b.New++
			case findings.BaselineUnchanged:
				b.Unchanged++
			}
		}
	}
	names := make([]string, len(keep))
	for i, s := range keep {
		names[i] = string(s)
	}
	rep.Notices = append(rep.Notices, findings.Notice{
		Level: findings.NoticeInfo,
		Message: fmt.Sprintf("Filtered by --severity: only %s findings are reported; %s of other severities left out",
			strings.Join(names, ", "), pluralize(left, "finding")),
	})
}

// checkSelection is --check and --skip-check: check ids or globs ("SGA00*").
type checkSelection struct {
	only, skip []string
}

func (s checkSelection) empty() bool { return len(s.only) == 0 && len(s.skip) == 0 }

// apply resolves the selection against the catalogue of the policies the
// scan will load (built-in and --policy-dir) and sets opts.Engine.Enabled
// and Disabled, which win over the configuration file's check settings:
// the command line is the most specific. --check runs only the checks it
// names (turning on those off by default); --skip-check turns checks off,
// and wins over --check. An id that names no check, or a glob that
// matches none, is a usage error: a typo must not leave a check on, or a
// scan silently empty.
func (s checkSelection) apply(ctx context.Context, opts *scan.Options) error {
	if s.empty() {
		return nil
	}
	// The catalogue of the policies alone: a configuration does not change
	// which checks exist.
	probe := *opts
	probe.Config = nil
	probe.Engine.Enabled, probe.Engine.Disabled = nil, nil
	eng, err := scan.LoadEngine(ctx, probe)
	if err != nil {
		return err
	}
	catalogue := eng.Checks()
	var ids []string
	for _, c := range catalogue {
		ids = append(ids, c.ID)
	}
	only, err := matchChecks("--check", s.only, ids)
	if err != nil {
		return err
	}
	skip, err := matchChecks("--skip-check", s.skip, ids)
	if err != nil {
		return err
	}
	enabled, disabled := map[string]bool{}, map[string]bool{}
	for _, id := range ids {
		switch {
		case slices.Contains(skip, id):
			disabled[id] = true
		case len(s.only) == 0:
		case slices.Contains(only, id):
			// false over the file's true: an explicit --check runs it.
			enabled[id], disabled[id] = true, false
		default:
			disabled[id] = true
		}
	}
	// A selection that leaves nothing to run would pass as a clean scan.
	settings := opts.Config.Settings(catalogue)
	runs := 0
	for _, c := range catalogue {
		on := c.Status != findings.CheckDisabled
		if settings.Enabled[c.ID] {
			on = true
		}
		if settings.Disabled[c.ID] {
			on = false
		}
		if v, set := disabled[c.ID]; set {
			on = !v
		}
		if enabled[c.ID] {
			on = true
		}
		if on {
			runs++
		}
	}
	if runs == 0 {
		return usagef("--check and --skip-check leave no check to run: nothing would be judged")
	}
	opts.Engine.Enabled, opts.Engine.Disabled = enabled, disabled
	return nil
}

// matchChecks returns the ids the patterns of flag match, sorted. Ids are
// matched without regard to case (SGA001 = sga001).
func matchChecks(flag string, patterns, ids []string) ([]string, error) {
	var out []string
	for _, p := range patterns {
		p = strings.ToUpper(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		glob := strings.ContainsAny(p, "*?[")
		n := 0
		for _, id := range ids {
			ok, err := path.Match(p, strings.ToUpper(id))
			if err != nil {
				return nil, usagef("%s %q: %v", flag, p, err)
			}
			if ok {
				n++
				if !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
		switch {
		case n == 0 && glob:
			return nil, usagef("%s %q matches no check (sgaudit checks lists them)", flag, p)
		case n == 0:
			return nil, usagef("%s: unknown check id %q (sgaudit checks lists them)", flag, p)
		}
	}
	if len(patterns) > 0 && len(out) == 0 {
		return nil, usagef("%s is empty: name at least one check id or glob", flag)
	}
	slices.Sort(out)
	return out, nil
}

// pluralize says "1 finding" or "3 findings".
func pluralize(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
