// Package scanner ties sgaudit together in one direction:
// collect (or import) → inventory → engine → findings.Report.
// Reporters and the CLI sit after it; nothing here writes output.
package scanner

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/sgaudit/sgaudit/policies"
	"github.com/sgaudit/sgaudit/scanner/collect"
	"github.com/sgaudit/sgaudit/scanner/engine"
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
	Version   string
	Now       func() time.Time
	Logger    *slog.Logger
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

// LoadEngine compiles the embedded policies plus the user's.
func LoadEngine(ctx context.Context, opts Options) (*engine.Engine, error) {
	eopts := opts.Engine
	if eopts.Logger == nil {
		eopts.Logger = opts.logger()
	}
	eng, err := engine.Load(ctx, policies.FS, eopts)
	if err != nil {
		return nil, fmt.Errorf("load policies: %w", err)
	}
	return eng, nil
}

// Inventory returns the inventory to judge: imported from opts.Inputs when
// given, else collected from AWS.
func Inventory(ctx context.Context, opts Options) (*inventory.Inventory, error) {
	if len(opts.Inputs) > 0 {
		inv, err := collect.Import(opts.Inputs, opts.FallbackRegion)
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
	found, checks, err := eng.Evaluate(ctx, inv)
	if err != nil {
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
	for i := range rep.Findings {
		rep.Findings[i].AccountName = names[rep.Findings[i].AccountID]
	}
	for _, g := range inv.SecurityGroups {
		rep.Summary.Rules += len(g.Rules)
	}
	rep.Summary.SecurityGroups = len(inv.SecurityGroups)
	rep.Sort()
	rep.Summarise()
	return rep, nil
}
