package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/reporters"
	"github.com/sgaudit/sgaudit/scanner"
	"github.com/sgaudit/sgaudit/scanner/baseline"
	"github.com/sgaudit/sgaudit/scanner/config"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// configFlags choose the configuration file: --config FILE, else
// .sgaudit.yaml in the working directory when it exists, unless --no-config.
type configFlags struct {
	path string
	none bool
	// explicit is set when --config was given, even as --config "".
	explicit bool
}

func (f *configFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.path, "config", "", "configuration file: check settings, data, suppressions (default: "+config.DefaultFile+" in the working directory, if present)")
	switchVar(fl, &f.none, "no-config", "", "ignore "+config.DefaultFile+" in the working directory")
}

// load returns the configuration to use, or nil for none. Errors name the
// file and line and wrap config.ErrConfig (exit 2).
func (f *configFlags) load(log *slog.Logger) (*config.Config, error) {
	switch {
	case f.explicit && f.none:
		return nil, usagef("--config and --no-config exclude each other")
	case f.none:
		return nil, nil
	case f.explicit && f.path == "":
		return nil, usagef("--config needs a file name (--no-config ignores %s)", config.DefaultFile)
	case f.explicit:
		return config.Load(f.path)
	}
	if _, err := os.Stat(config.DefaultFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	// Say so: a file nobody remembers can silently suppress findings.
	log.Info("using configuration file", "path", config.DefaultFile)
	return config.Load(config.DefaultFile)
}

type scanFlags struct {
	aws       awsFlags
	config    configFlags
	baseline  string
	inputs    []string
	formats   []string
	outputDir string
	failOn    string
	policyDir []string
	dataFiles []string
	noColor   bool
}

func newScanCmd(ios *streams) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Collect security groups (or read exported JSON), judge them and report findings",
		Long: `Collect every security group of every enabled region of the caller's account, judge them
with the embedded policies (plus --policy-dir), and write the reports.

Formats: table (stdout), json (findings.json), sarif (results.sarif), html (report.html),
markdown (summary.md). One format without --output-dir prints to stdout; with --output-dir
every format but table is written there, atomically, and the table still goes to stdout.

Configuration: --config FILE, or .sgaudit.yaml in the working directory when present
(--no-config ignores it): check settings, data, suppressions; see examples/sgaudit.yaml.
Suppressed findings stay in the reports, marked, and never fail --fail-on. With
--baseline old-findings.json only findings that are new since that report fail it.

Exit codes: 0 complete and nothing at --fail-on; 1 a finding at or above --fail-on;
2 usage, config, policy, credentials or input error (nothing scanned);
3 incomplete (an account or region could not be read) and nothing at --fail-on.`,
		Example: `  sgaudit scan --regions eu-west-1,us-east-1
  sgaudit scan --format json,sarif,html --output-dir out/ --fail-on high
  sgaudit scan --input inventory.json --policy-dir ./my-policies
  sgaudit scan --config ci.sgaudit.yaml --baseline last/findings.json --fail-on high
  sgaudit scan --input sgs.json --input enis.json --region eu-west-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.config.explicit = cmd.Flags().Changed("config")
			if len(f.inputs) > 0 {
				if err := rejectCollectionFlags(cmd); err != nil {
					return err
				}
			}
			if err := f.aws.validate(cmd.Flags()); err != nil {
				return err
			}
			return runScan(cmd.Context(), f, ios)
		},
	}
	f.aws.register(cmd)
	f.config.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.inputs, "input", "i", nil, "audit this file instead of calling AWS: sgaudit inventory JSON or aws ec2 describe-security-groups / describe-network-interfaces / describe-security-group-rules JSON (repeatable)")
	fl.StringSliceVarP(&f.formats, "format", "f", []string{"table"}, "report formats, comma-separated: "+strings.Join(reporters.Names(), ", "))
	fl.StringVarP(&f.outputDir, "output-dir", "o", "", "write reports to this directory (created if missing)")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above this severity: low, medium, high, critical")
	fl.StringArrayVar(&f.policyDir, "policy-dir", nil, "directory of extra .rego checks (repeatable)")
	fl.StringArrayVar(&f.dataFiles, "data", nil, "JSON or YAML data file merged over the policies' data, e.g. port lists (repeatable)")
	fl.StringVar(&f.baseline, "baseline", "", "JSON report of an earlier scan (--format json): mark findings new or unchanged, list the fixed ones; only new findings fail --fail-on")
	switchVar(fl, &f.noColor, "no-color", "", "no colour in the table (also NO_COLOR=1)")
	return cmd
}

// collectionFlags only mean something when sgaudit reads AWS. With
// --input they would be silently ignored (a user filtering an export with
// --regions would get every region), so they are refused instead.
var collectionFlags = []string{"regions", "exclude-regions", "accounts", "org", "exclude-accounts",
	"role-name", "external-id", "session-name", "profile", "concurrency", "rate", "call-timeout", "max-attempts"}

func rejectCollectionFlags(cmd *cobra.Command) error {
	for _, name := range collectionFlags {
		if cmd.Flags().Changed(name) {
			return usagef("--%s reads AWS and cannot be combined with --input, which is judged as it is", name)
		}
	}
	return nil
}

// plannedOutput is one report to write: to a file, or to stdout when path is "".
type plannedOutput struct {
	format   string
	reporter reporters.Reporter
	path     string
}

// planOutputs validates formats and destinations before any scanning, so a
// typo fails in a second, not after a ten-minute scan.
func planOutputs(f *scanFlags, ios *streams) ([]plannedOutput, error) {
	var names []string
	for _, n := range f.formats {
		n = strings.ToLower(strings.TrimSpace(n))
		if n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, usagef("--format is empty: want one or more of %s", strings.Join(reporters.Names(), ", "))
	}
	if f.outputDir == "" && len(names) > 1 {
		return nil, usagef("%d formats need --output-dir (only one report can go to stdout)", len(names))
	}
	var plan []plannedOutput
	for _, n := range names {
		rep, err := reporters.New(n)
		if err != nil {
			return nil, &usageError{err}
		}
		if t, ok := rep.(reporters.Table); ok {
			t.Color = ios.outIsTerminal && !f.noColor && ios.getenv("NO_COLOR") == ""
			rep = t
		}
		p := plannedOutput{format: n, reporter: rep}
		if f.outputDir != "" && n != "table" {
			p.path = filepath.Join(f.outputDir, reporters.Filename(n))
		}
		plan = append(plan, p)
	}
	return plan, nil
}

func runScan(ctx context.Context, f *scanFlags, ios *streams) error {
	log := loggerFrom(ctx)
	var failOn findings.Severity
	if f.failOn != "" {
		sev, err := findings.ParseSeverity(f.failOn)
		if err != nil {
			return usagef("--fail-on: %w", err)
		}
		failOn = sev
	}
	plan, err := planOutputs(f, ios)
	if err != nil {
		return err
	}
	// Configuration and baseline are read before anything else happens, so
	// a mistake in either costs a second, not a scan.
	cfg, err := f.config.load(log)
	if err != nil {
		return err
	}
	var base *baseline.Baseline
	if f.baseline != "" {
		if base, err = baseline.Read(f.baseline); err != nil {
			return err
		}
	}
	if f.outputDir != "" {
		if err := os.MkdirAll(f.outputDir, 0o755); err != nil {
			return usagef("create output directory: %w", err)
		}
	}
	opts := scanner.Options{
		Inputs:         f.inputs,
		FallbackRegion: f.aws.region,
		AWSConfig:      f.aws.loader(),
		Collect:        f.aws.collectOptions(ios),
		Config:         cfg,
		Baseline:       base,
		Version:        versionString(),
		Now:            ios.now,
		Logger:         log,
	}
	opts.Engine.PolicyDirs = f.policyDir
	opts.Engine.DataFiles = f.dataFiles
	rep, err := scanner.Scan(ctx, opts)
	if err != nil {
		return err
	}
	if err := writeReports(plan, rep, ios); err != nil {
		return err
	}
	for _, p := range plan {
		if p.path != "" {
			log.Info("wrote report", "format", p.format, "path", p.path)
		}
	}
	return resultCode(rep, failOn)
}

// writeSARIFPerAccount writes results-<account>.sarif for each account read
// completely, when one file would pass GitHub's limits (20 runs, 25,000
// results a run, 10 MB gzipped): each file is uploaded on its own, with its
// own category. An account still over the limits alone is an error.
func writeSARIFPerAccount(p plannedOutput, rep *findings.Report, ios *streams) error {
	parts := reporters.SplitByAccount(rep)
	complete := rep.AccountsComplete()
	dir := filepath.Dir(p.path)
	written := map[string]bool{}
	for _, id := range complete {
		part, ok := parts[id]
		if !ok {
			continue
		}
		name := "results-" + id + ".sarif"
		if err := reporters.WriteFile(filepath.Join(dir, name), p.reporter, part); err != nil {
			return fmt.Errorf("account %s: %w", id, err)
		}
		written[name] = true
	}
	if err := removeStaleSARIF(dir, written); err != nil {
		return err
	}
	fmt.Fprintf(ios.err, "sgaudit: the SARIF is over GitHub's upload limits: wrote one file per account (%s/results-<account>.sarif, %d files) instead of %s\n",
		dir, len(complete), filepath.Base(p.path))
	return nil
}

// removeStaleSARIF deletes the SARIF files an earlier scan left in dir
// (results.sarif, results-<account>.sarif) that this scan did not write:
// CI uploads the directory, and a stale file would be uploaded as current.
func removeStaleSARIF(dir string, keep map[string]bool) error {
	stale, err := filepath.Glob(filepath.Join(dir, "results*.sarif"))
	if err != nil {
		return err
	}
	for _, path := range stale {
		name := filepath.Base(path)
		if keep[name] || (name != "results.sarif" && !strings.HasPrefix(name, "results-")) {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove stale %s: %w", name, err)
		}
	}
	return nil
}

// writeReports writes files atomically and buffers stdout output so a
// reporter that fails never leaves half a report behind.
func writeReports(plan []plannedOutput, rep *findings.Report, ios *streams) error {
	for _, p := range plan {
		if p.path != "" {
			err := reporters.WriteFile(p.path, p.reporter, rep)
			switch {
			case errors.Is(err, reporters.ErrSARIFLimit):
				err = writeSARIFPerAccount(p, rep, ios)
			case err == nil && p.format == "sarif":
				err = removeStaleSARIF(filepath.Dir(p.path), map[string]bool{filepath.Base(p.path): true})
			}
			if err != nil {
				return fmt.Errorf("write %s report: %w", p.format, err)
			}
			continue
		}
		var buf bytes.Buffer
		if err := p.reporter.Write(&buf, rep); err != nil {
			return fmt.Errorf("write %s report: %w", p.format, err)
		}
		if _, err := buf.WriteTo(ios.out); err != nil {
			return fmt.Errorf("write %s report to stdout: %w", p.format, err)
		}
	}
	return nil
}
