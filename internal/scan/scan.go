// Package scanner ties sgaudit together in one direction:
// collect (or import) → inventory → engine → findings.Report.
// Reporters and the CLI sit after it; nothing here writes output.
package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sgaudit/sgaudit/internal/baseline"
	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/internal/exposure"
	"github.com/sgaudit/sgaudit/internal/iac"
	"github.com/sgaudit/sgaudit/internal/reachability"
	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// Options configures one scan.
type Options struct {
	// Inputs are files to audit instead of calling AWS: sgaudit inventory
	// JSON or the JSON the AWS CLI prints (describe-security-groups, ...).
	Inputs []string
	// FallbackRegion names the region of imported groups whose JSON does
	// not say it (no SecurityGroupArn).
	FallbackRegion string
	// AWSConfig loads credentials; it is called only when collecting, so an
	// offline scan never needs credentials.
	AWSConfig func(ctx context.Context) (aws.Config, error)
	Collect   collect.Options
	Engine    engine.Options
	// Config is the parsed configuration file (--config); nil means none.
	// Its check settings and data go to the engine, its suppressions are
	// applied to the findings.
	Config *config.Config
	// Baseline is an earlier report to compare with (--baseline); nil
	// means none.
	Baseline *baseline.Baseline
	// Sources maps findings to the Terraform and CloudFormation code that
	// declares their groups, and marks drift before evaluation
	// (docs/iac.md); nil means no code was given.
	Sources *iac.Mapper
	// Filter, when set, removes findings the run does not report
	// (--severity) once suppressions and the baseline are applied, before
	// the findings are mapped to code: the mapping's counts are then of
	// the findings reported.
	Filter  func(*findings.Report)
	Version string
	Now     func() time.Time
	Logger  *slog.Logger
}

func (o *Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o *Options) now() time.Time {
	if o.Now == nil {
		return time.Now().UTC()
	}
	return o.Now().UTC()
}

// LoadEngine compiles the embedded policies plus the user's, configured by
// opts.Config. A configuration is validated against the catalogue the
// policies define (check ids, with their line in the file), so with check
// settings or data the policies are compiled twice: once to learn the
// catalogue, once configured. That costs milliseconds and keeps the engine
// free of configuration-file concerns.
func LoadEngine(ctx context.Context, opts Options) (*engine.Engine, error) {
	eopts := opts.Engine
	if eopts.Logger == nil {
		eopts.Logger = opts.logger()
	}
	if eopts.Now == nil {
		eopts.Now = opts.now // time.now_ns in policies is the scan's clock
	}
	eng, err := engine.Load(ctx, policies.FS, eopts)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	cfg := opts.Config
	if cfg == nil {
		return eng, nil
	}
	if err := cfg.Validate(eng.Checks()); err != nil {
		return nil, err
	}
	set := cfg.Settings(eng.Checks())
	if set.Empty() && len(cfg.Data) == 0 {
		return eng, nil
	}
	// Settings given directly in opts.Engine win over the file's.
	eopts.Enabled = overlay(set.Enabled, eopts.Enabled)
	eopts.Disabled = overlay(set.Disabled, eopts.Disabled)
	eopts.SeverityOverrides = overlay(set.Severities, eopts.SeverityOverrides)
	if len(cfg.Data) > 0 {
		// Merged before the --data files, so they still win over it.
		eopts.Data = map[string]any{"sgaudit": cfg.Data}
	}
	eng, err = engine.Load(ctx, policies.FS, eopts)
	if err != nil {
		return nil, fmt.Errorf("load policies configured by %s: %w", cfg.Path, err)
	}
	return eng, nil
}

// overlay returns base with over's entries on top, as a new map.
func overlay[V any](base, over map[string]V) map[string]V {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, over)
	return out
}

// Inventory returns the inventory to judge: imported from opts.Inputs when
// given, else collected from AWS.
func Inventory(ctx context.Context, opts Options) (*inventory.Inventory, error) {
	if len(opts.Inputs) > 0 {
		inv, err := collect.Import(ctx, opts.Inputs, opts.FallbackRegion)
		if errors.Is(err, collect.ErrInput) {
			// Already one line naming the file: "invalid input: sgs.json: ...".
			return nil, err
		}
		if err != nil {
			return nil, fmt.Errorf("read input: %w", err)
		}
		return inv, nil
	}
	if opts.AWSConfig == nil {
		return nil, fmt.Errorf("collect: no AWS configuration")
	}
	cfg, err := opts.AWSConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	copts := opts.Collect
	if copts.Logger == nil {
		copts.Logger = opts.logger()
	}
	if copts.Now == nil {
		copts.Now = opts.now
	}
	inv, err := collect.Collect(ctx, cfg, copts)
	if err != nil {
		return nil, fmt.Errorf("collect: %w", err)
	}
	return inv, nil
}

// Scan loads the policies first (so a bad policy fails before any AWS
// call), gets the inventory and judges it.
func Scan(ctx context.Context, opts Options) (*findings.Report, error) {
	eng, err := LoadEngine(ctx, opts)
	if err != nil {
		return nil, err
	}
	inv, err := Inventory(ctx, opts)
	if err != nil {
		return nil, err
	}
	return Evaluate(ctx, eng, inv, opts)
}

// Evaluate judges an inventory and assembles the report.
func Evaluate(ctx context.Context, eng *engine.Engine, inv *inventory.Inventory, opts Options) (*findings.Report, error) {
	start := time.Now()
	if opts.Sources != nil {
		// Before evaluation: SGA017 reads each managed group's iac object,
		// and is judged only where a state was given (docs/iac.md §4).
		opts.Sources.Annotate(inv)
		if opts.Sources.HasStates() {
			for i := range inv.Coverage {
				c := &inv.Coverage[i]
				if !slices.Contains(c.Collected, inventory.KindTerraformState) {
					c.Collected = append(c.Collected, inventory.KindTerraformState)
					slices.Sort(c.Collected)
				}
			}
		}
	}
	// Verified exposure is derived in Go before evaluation, like VPCs:
	// the policies read its verdicts (docs/reachability.md §4).
	reach := reachability.Analyze(inv)
	inv.Reachability = reachability.Verdicts(reach, inv)
	opts.logger().Info("verified exposure", "interfaces", len(reach), "verdicts", len(inv.Reachability), "duration", time.Since(start))
	services, err := exposure.ServicesFromData(policies.FS)
	if err != nil {
		return nil, fmt.Errorf("read the port catalogue: %w", err)
	}
	// The exposures read the inventory alone, as the policies do: computed
	// meanwhile, on one core, they fill the gaps the batches leave (an
	// offline scan of 100k groups spent ~0.15 s on them after evaluation).
	exposures := make(chan []findings.Exposure, 1)
	go func() { exposures <- exposure.Compute(inv, services) }()
	start = time.Now()
	found, checks, err := eng.Evaluate(ctx, inv)
	if err != nil {
		<-exposures // nothing outlives the call
		return nil, fmt.Errorf("evaluate policies: %w", err)
	}
	opts.logger().Info("evaluated policies", "security_groups", len(inv.SecurityGroups), "findings", len(found), "duration", time.Since(start))

	rep := &findings.Report{
		SchemaVersion: findings.SchemaVersion,
		Tool:          findings.Tool{Name: "sgaudit", Version: opts.Version, URI: "https://github.com/sgaudit/sgaudit"},
		GeneratedAt:   opts.now(),
		Source:        inv.Source,
		Accounts:      append([]inventory.Account{}, inv.Accounts...),
		Coverage:      append([]inventory.Coverage{}, inv.Coverage...),
		Checks:        checks,
		Findings:      found,
	}
	names := make(map[string]string, len(inv.Accounts))
	for _, a := range inv.Accounts {
		names[a.ID] = a.Name
	}
	frameworks := make(map[string]map[string][]string, len(checks))
	for _, c := range checks {
		frameworks[c.ID] = c.Frameworks
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.AccountName = names[f.AccountID]
		f.Frameworks = frameworks[f.CheckID]
	}
	rep.Exposures = reachability.Annotate(<-exposures, reach, func(protocol string, from, to int) []string {
		return exposure.ServiceNames(services, protocol, from, to)
	})
	for _, g := range inv.SecurityGroups {
		rep.Summary.Rules += g.Rules.Len()
	}
	rep.Summary.SecurityGroups = len(inv.SecurityGroups)
	rep.Notices = []findings.Notice{}
	if opts.Config != nil {
		// Suppressions read the tags of the groups with findings only.
		tags := make(config.GroupTags, len(rep.Findings))
		for _, f := range rep.Findings {
			tags[f.GroupARN] = nil
		}
		for _, g := range inv.SecurityGroups {
			if _, ok := tags[g.ARN]; ok {
				tags[g.ARN] = g.Tags.Map()
			}
		}
		opts.Config.Apply(rep, tags, opts.now())
	}
	opts.Baseline.Apply(rep)
	if opts.Filter != nil {
		opts.Filter(rep)
	}
	if opts.Sources != nil {
		rep.SourceMapping = opts.Sources.Map(inv, rep.Findings)
		opts.logger().Info("mapped findings to code", "mapped", rep.SourceMapping.Mapped, "unmapped", rep.SourceMapping.Unmapped)
	}
	rep.Sort()
	rep.Summarise()
	if rep.Summary.Suppressed > 0 || rep.Baseline != nil {
		attrs := []any{"suppressed", rep.Summary.Suppressed}
		if b := rep.Baseline; b != nil {
			attrs = append(attrs, "new", b.New, "unchanged", b.Unchanged, "fixed", b.Fixed)
		}
		opts.logger().Info("applied configuration and baseline", attrs...)
	}
	return rep, nil
}
