package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/atomicfile"
	"github.com/sgaudit/sgaudit/internal/baseline"
	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/internal/engine"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/reporters"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
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
	aws      awsFlags
	config   configFlags
	baseline string
	inputs   []string
	formats  []string
	// output is -o/--output: one report file, or a directory (see
	// resolveOutput); outputDir is --output-dir.
	output    string
	outputDir string
	failOn    string
	policyDir []string
	dataFiles []string
	noColor   bool
	// severities is --severity: report only these.
	severities []string
	// checks is --check and --skip-check.
	checks checkSelection
	// quiet is --quiet: no table, progress or notices on the terminal.
	quiet bool
	// wide is --wide: the table is not fitted to the terminal.
	wide bool
	// verbose is --verbose: every finding on its own line of the table.
	verbose bool
	// policyTimeout bounds policy evaluation (engine.Options.Timeout).
	policyTimeout time.Duration
	// iac is --iac, --tf-state and --cfn-template (docs/iac.md).
	iac iacFlags
}

func newScanCmd(ios *streams) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Collect security groups (or read exported JSON), judge them and report findings",
		Long: `Collect every security group of every enabled region of the caller's account, judge them
with the embedded policies (plus --policy-dir), and write the reports.

Formats: table (stdout), json (findings.json), sarif (results.sarif), html (report.html),
markdown (summary.md). One format without -o prints to stdout. -o FILE writes the one
file format to FILE (the table, if also asked for, still goes to stdout); --output-dir DIR
writes every format but table to DIR under the names above. An -o value that ends with
a slash, names an existing directory, or comes with several file formats is taken as
--output-dir. Files are written atomically. -o or --output-dir with only the table
format is an error.

Configuration: --config FILE, or .sgaudit.yaml in the working directory when present
(--no-config ignores it): check settings, data, suppressions; see examples/sgaudit.yaml.
Suppressed findings stay in the reports, marked, and never fail --fail-on. With
--baseline old-findings.json only findings that are new since that report fail it.

Filters: --severity critical,high reports only those severities, in every format (a
notice in each report says so), and --fail-on judges what is reported. --check and
--skip-check (ids or globs such as SGA00*) choose the checks over the configuration.

Code: --tf-state FILE (Terraform state) with --iac DIR (default: the working directory when it
holds *.tf or *.tf.json files), and --cfn-template STACK=FILE, locate findings on the block that
declares the group or rule (SARIF, JSON source, the table's SOURCE column) and turn on SGA017,
rules added outside Terraform (docs/iac.md).

Terminal: the table fits the terminal's width (--wide for whole values), shows a check
that repeats below HIGH as one line with ×N (--verbose lists each finding), and has no colour
with --no-color, NO_COLOR or TERM=dumb. --quiet prints only errors.

Exit codes: 0 complete and nothing at --fail-on; 1 a finding at or above --fail-on;
2 usage, config, policy, credentials or input error (nothing scanned);
3 incomplete (an account or region could not be read) and nothing at --fail-on;
130 or 143 interrupted by SIGINT or SIGTERM (no report written).`,
		Example: `  sgaudit scan --regions eu-west-1,us-east-1
  sgaudit scan --format sarif -o results.sarif
  sgaudit scan --format json,sarif,html --output-dir out/ --fail-on high
  sgaudit scan --input inventory.json --policy-dir ./my-policies
  sgaudit scan --config ci.sgaudit.yaml --baseline last/findings.json --fail-on high
  sgaudit scan --severity critical,high --skip-check SGA005 --fail-on high
  sgaudit scan --input sgs.json --input enis.json --region eu-west-1
  sgaudit scan --tf-state prod.tfstate --iac infra --format sarif -o results.sarif`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.config.explicit = cmd.Flags().Changed("config")
			if err := rejectEmptyPaths(cmd); err != nil {
				return err
			}
			if len(f.inputs) > 0 {
				if err := rejectCollectionFlags(cmd); err != nil {
					return err
				}
			}
			if err := f.aws.validate(cmd.Flags()); err != nil {
				return err
			}
			if f.quiet {
				f.aws.noProgress, ios.quiet = true, true
			}
			return runScan(cmd.Context(), f, ios)
		},
	}
	f.aws.register(cmd)
	f.config.register(cmd)
	f.iac.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.inputs, "input", "i", nil, "audit this file instead of calling AWS: sgaudit inventory JSON or aws ec2 describe-security-groups / describe-network-interfaces / describe-security-group-rules JSON (repeatable)")
	fl.StringSliceVarP(&f.formats, "format", "f", []string{"table"}, "report formats, comma-separated: "+strings.Join(reporters.Names(), ", "))
	fl.StringVarP(&f.output, "output", "o", "", "write the report to this file (one file format; - for stdout); a value ending in /, naming an existing directory, or with several file formats means --output-dir")
	fl.StringVar(&f.outputDir, "output-dir", "", "write the reports to this directory under fixed names (created if missing)")
	fl.StringVar(&f.failOn, "fail-on", "", "exit 1 when an unsuppressed finding is at or above this severity: low, medium, high, critical")
	fl.StringArrayVar(&f.policyDir, "policy-dir", nil, "directory of extra .rego checks (repeatable)")
	fl.DurationVar(&f.policyTimeout, "policy-timeout", engine.DefaultPolicyTimeout, "stop with exit 2 when evaluating the policies takes longer than this (a runaway custom policy)")
	fl.StringArrayVar(&f.dataFiles, "data", nil, "JSON or YAML data file merged over the policies' data, e.g. port lists (repeatable)")
	fl.StringVar(&f.baseline, "baseline", "", "JSON report of an earlier scan (--format json): mark findings new or unchanged, list the fixed ones; only new findings fail --fail-on")
	switchVar(fl, &f.noColor, "no-color", "", "no colour in the table (also NO_COLOR=1 or TERM=dumb)")
	switchVar(fl, &f.wide, "wide", "", "do not fit the table to the terminal's width: whole messages and ids (the table is never fitted when stdout is not a terminal)")
	switchVar(fl, &f.verbose, "verbose", "", "list every finding in the table, instead of one line with ×N for the findings of a check that repeats")
	fl.StringSliceVar(&f.severities, "severity", nil, "report only findings of these severities, comma-separated (e.g. critical,high), in every format; --fail-on judges what is reported; a filtered SARIF upload closes the alerts of the severities left out")
	fl.StringSliceVar(&f.checks.only, "check", nil, "run only these checks: ids or globs such as SGA00*, comma-separated or repeated; wins over the configuration file")
	fl.StringSliceVar(&f.checks.skip, "skip-check", nil, "do not run these checks: ids or globs, comma-separated or repeated; wins over --check and the configuration file")
	switchVar(fl, &f.quiet, "quiet", "q", "print only errors and the --fail-on line: no table, progress line or notices on the terminal (files and --format json/sarif/... on stdout are still written)")
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
	// single is set for the file named by -o FILE, written on its own
	// (atomicfile.Write) rather than as part of an --output-dir set.
	single bool
}

// resolveOutput applies the rule that keeps "-o out/" working: an -o value
// that ends with a path separator or names an existing directory is an
// output directory, anything else is the report file (planOutputs also
// takes it as a directory when several file formats are asked for). The
// check runs once, before the scan, so a directory created meanwhile
// changes nothing.
func (f *scanFlags) resolveOutput() error {
	if f.output == "-" {
		f.output = "" // stdout, as for collect
	}
	if f.output == "" {
		return nil
	}
	if f.outputDir != "" {
		return usagef("-o/--output and --output-dir exclude each other: -o names one report file, --output-dir a directory for several")
	}
	if strings.HasSuffix(f.output, "/") || strings.HasSuffix(f.output, string(filepath.Separator)) {
		f.outputDir, f.output = f.output, ""
		return nil
	}
	if fi, err := os.Stat(f.output); err == nil && fi.IsDir() {
		f.outputDir, f.output = f.output, ""
	}
	return nil
}

// outputFlag names the output flag in use, for messages.
func (f *scanFlags) outputFlag() string {
	if f.output != "" {
		return "-o " + f.output
	}
	return "--output-dir " + f.outputDir
}

// fileFormats lists the formats written to files (all but the table).
func fileFormats() []string {
	return slices.DeleteFunc(reporters.Names(), func(n string) bool { return n == "table" })
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
	if err := f.resolveOutput(); err != nil {
		return nil, err
	}
	files := 0
	for _, n := range names {
		if n != "table" {
			files++
		}
	}
	switch {
	case (f.output != "" || f.outputDir != "") && files == 0:
		return nil, usagef("%s: the table format is printed on stdout; add a file format (--format %s)", f.outputFlag(), strings.Join(fileFormats(), ","))
	case f.output != "" && files > 1:
		// Several files cannot share one name: -o names their directory,
		// as it always did.
		f.outputDir, f.output = f.output, ""
	case f.output == "" && f.outputDir == "" && len(names) > 1:
		return nil, usagef("%d formats need --output-dir (only one report can go to stdout)", len(names))
	}
	var plan []plannedOutput
	for _, n := range names {
		rep, err := reporters.New(n)
		if err != nil {
			return nil, &usageError{err}
		}
		if t, ok := rep.(reporters.Table); ok {
			t.Color = ios.outIsTerminal && !f.noColor && ios.getenv("NO_COLOR") == "" && ios.getenv("TERM") != "dumb"
			if ios.outIsTerminal && !f.wide && ios.outCols != nil {
				t.Width = ios.outCols()
			}
			t.Verbose = f.verbose
			rep = t
		}
		if n == "table" && f.quiet {
			continue // --quiet: the table is terminal output
		}
		p := plannedOutput{format: n, reporter: rep}
		switch {
		case n == "table":
		case f.output != "":
			p.path, p.single = f.output, true
		case f.outputDir != "":
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
	if f.policyTimeout <= 0 {
		return usagef("--policy-timeout %s: want a positive duration such as 10m", f.policyTimeout)
	}
	severities, err := parseSeverities(f.severities)
	if err != nil {
		return err
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
		if base, err = baseline.Read(ctx, f.baseline); err != nil {
			return err
		}
	}
	// The code and states too: a bad state fails before AWS is read.
	sources, err := f.iac.load(cfg, log)
	if err != nil {
		return err
	}
	if f.outputDir != "" {
		if err := os.MkdirAll(f.outputDir, 0o755); err != nil {
			return usagef("create output directory: %w", err)
		}
	}
	if f.output != "" {
		if err := os.MkdirAll(filepath.Dir(f.output), 0o755); err != nil {
			return usagef("create the directory of %s: %w", f.output, err)
		}
	}
	opts := scan.Options{
		Inputs:         f.inputs,
		FallbackRegion: f.aws.region,
		AWSConfig:      f.aws.loader(),
		Collect:        f.aws.collectOptions(ios),
		Config:         cfg,
		Baseline:       base,
		Sources:        sources,
		Filter:         func(rep *findings.Report) { filterSeverities(rep, severities) },
		Version:        versionString(),
		Now:            ios.now,
		Logger:         log,
	}
	opts.Engine.PolicyDirs = f.policyDir
	opts.Engine.DataFiles = f.dataFiles
	opts.Engine.Timeout = f.policyTimeout
	if err := f.checks.apply(ctx, &opts); err != nil {
		return err
	}
	rep, err := scan.Scan(ctx, opts)
	if err != nil {
		return err
	}
	if err := writeReports(ctx, plan, rep, ios); err != nil {
		return err
	}
	return resultCode(rep, failOn)
}

// sarifFormat is the format whose output is split per account when GitHub
// would reject it whole.
const sarifFormat = "sarif"

// accountSARIFName is the file of one account's SARIF when the report is
// split: results-<account>.sarif. The id must be a 12-digit account id,
// whatever the inputs were checked for: it becomes a file name.
func accountSARIFName(id string) (string, error) {
	if !inventory.ValidAccountID(id) {
		return "", fmt.Errorf("account id %q is not 12 digits: no file is named after it", id)
	}
	return "results-" + id + ".sarif", nil
}

// isAccountSARIFName reports whether name is results-<12 digits>.sarif.
func isAccountSARIFName(name string) bool {
	rest, ok := strings.CutPrefix(name, "results-")
	if !ok {
		return false
	}
	id, ok := strings.CutSuffix(rest, ".sarif")
	return ok && inventory.ValidAccountID(id)
}

// isSARIFName reports whether name is a SARIF file sgaudit writes.
func isSARIFName(name string) bool {
	return name == reporters.Filename(sarifFormat) || isAccountSARIFName(name)
}

// isReportName reports whether name is a file sgaudit writes to
// --output-dir: only these, and their temporary files, are ever replaced or
// removed.
func isReportName(name string) bool {
	for _, format := range reporters.Names() {
		if name == reporters.Filename(format) {
			return true
		}
	}
	return isAccountSARIFName(name)
}

// writeReports writes the reports of plan; those in --output-dir as one
// set (docs/security.md):
//
//   - Every format is rendered to a temporary file in the output directory
//     (".findings.json.tmp-<digits>"), and stdout reports to memory, before
//     anything is put in place. A reporter that fails or panics, or a scan
//     cancelled (SIGINT, SIGTERM) before the renames, leaves the previous
//     run's reports as they were and no temporary file; a cancelled scan
//     writes no report at all, not even to stdout.
//   - Then the files are renamed into place in one pass of a few renames,
//     the only window in which a SIGKILL can mix two runs. SARIF goes first,
//     then the previous run's SARIF files that this run does not replace are
//     removed, then the other formats: the SARIF is what CI uploads and acts
//     on (alerts are opened and closed from it), so a kill inside the window
//     leaves the current SARIF next to an older findings.json or report.html,
//     never a stale SARIF next to current reports (which an "if: always()"
//     upload would push).
//   - Temporary files of a run killed with SIGKILL, when no clean-up can
//     run, are removed at the start of the next write.
//   - Only files sgaudit names are ever created, replaced or removed: the
//     formats' fixed names (reporters.Filename) and results-<account>.sarif
//     for a 12-digit account id; results-trivy.sarif or notes.txt are never
//     touched. A file name is never built from an unvalidated value, and the
//     writer works through an os.Root on the output directory, so no name
//     can leave it. A symbolic link named like a report is replaced by the
//     report, never written through.
//   - A new report gets 0666 less the umask, as os.Create would; a report
//     that replaces a regular file keeps that file's mode.
//
// Two scans must not write the same output directory at the same time.
func writeReports(ctx context.Context, plan []plannedOutput, rep *findings.Report, ios *streams) error {
	log := loggerFrom(ctx)
	var files, stdout []plannedOutput
	var single *plannedOutput
	for _, p := range plan {
		switch {
		case p.single:
			single = &p
		case p.path != "":
			files = append(files, p)
		default:
			stdout = append(stdout, p)
		}
	}
	// SARIF first: Commit renames in the order the files were staged.
	slices.SortStableFunc(files, func(a, b plannedOutput) int {
		return cmpBool(a.format != sarifFormat, b.format != sarifFormat)
	})

	var set *atomicfile.Set
	var written []string
	var notes []string
	if len(files) > 0 {
		dir := filepath.Dir(files[0].path)
		var err error
		if set, err = atomicfile.Begin(dir, isReportName); err != nil {
			return fmt.Errorf("write reports: %w", err)
		}
		// Removes the temporary files on every way out: an error, a panic
		// in a reporter, a cancelled scan.
		defer set.Close()
		for _, p := range files {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("write reports: %w", err)
			}
			if filepath.Dir(p.path) != dir {
				return fmt.Errorf("write %s report: %s is not in %s", p.format, p.path, dir)
			}
			names, note, err := stageReport(set, p, rep)
			if err != nil {
				return fmt.Errorf("write %s report: %w", p.format, err)
			}
			written = append(written, names...)
			if note != "" {
				notes = append(notes, note)
			}
			if p.format == sarifFormat {
				if err := removeStaleSARIF(set, names); err != nil {
					return fmt.Errorf("write %s report: %w", p.format, err)
				}
			}
		}
	}
	bufs := make([]bytes.Buffer, len(stdout))
	for i, p := range stdout {
		if err := p.reporter.Write(&bufs[i], rep); err != nil {
			return fmt.Errorf("write %s report: %w", p.format, err)
		}
	}
	// The last point of no change: a scan cancelled by now writes nothing.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("write reports: %w", err)
	}
	if single != nil {
		if err := writeSingleReport(ctx, *single, rep); err != nil {
			return err
		}
		log.Info("wrote report", "path", single.path)
	}
	if set != nil {
		if err := set.Commit(ctx); err != nil {
			return fmt.Errorf("write reports: %w", err)
		}
		for _, name := range written {
			log.Info("wrote report", "path", filepath.Join(filepath.Dir(files[0].path), name))
		}
		for _, note := range notes {
			if !ios.quiet {
				fmt.Fprintln(ios.err, note)
			}
		}
	}
	for i, p := range stdout {
		if _, err := bufs[i].WriteTo(ios.out); err != nil {
			return fmt.Errorf("write %s report to stdout: %w", p.format, err)
		}
	}
	return nil
}

// writeSingleReport writes the one report of -o FILE with atomicfile.Write:
// the same temporary-file, rename and mode rules as an --output-dir set, for
// a file whose name the user chose. A scan cancelled while it renders
// leaves FILE as it was. A SARIF report over GitHub's limits cannot be
// split into one file per account under a single name: that is an error
// that says to use --output-dir.
func writeSingleReport(ctx context.Context, p plannedOutput, rep *findings.Report) error {
	err := atomicfile.Write(p.path, func(w io.Writer) error {
		if err := render(p.reporter, rep)(w); err != nil {
			return err
		}
		return ctx.Err()
	})
	switch {
	case err == nil:
		return nil
	case p.format == sarifFormat && errors.Is(err, reporters.ErrSARIFLimit):
		return fmt.Errorf("write %s report %s: %w (--output-dir DIR writes one file per account instead)", p.format, p.path, err)
	case ctx.Err() != nil:
		return fmt.Errorf("write reports: %w", ctx.Err())
	}
	return fmt.Errorf("write %s report %s: %w", p.format, p.path, err)
}

// stageReport renders one file report into set and returns the names it
// will have. A SARIF report over GitHub's limits is staged as one file per
// account instead (see stageSARIFPerAccount), with a note for stderr.
func stageReport(set *atomicfile.Set, p plannedOutput, rep *findings.Report) (names []string, note string, err error) {
	name := filepath.Base(p.path)
	err = set.Write(name, render(p.reporter, rep))
	switch {
	case err == nil:
		return []string{name}, "", nil
	case p.format == sarifFormat && errors.Is(err, reporters.ErrSARIFLimit):
		return stageSARIFPerAccount(set, p, rep)
	}
	return nil, "", err
}

// stageSARIFPerAccount stages results-<account>.sarif for each account read
// completely, when one file would pass GitHub's limits (20 runs, 25,000
// results a run, 10 MB gzipped): each file is uploaded on its own, with its
// own category. An account still over the limits alone is an error, and so
// is an account id that is not 12 digits.
func stageSARIFPerAccount(set *atomicfile.Set, p plannedOutput, rep *findings.Report) ([]string, string, error) {
	parts := reporters.SplitByAccount(rep)
	var names []string
	for _, id := range rep.AccountsComplete() {
		part, ok := parts[id]
		if !ok {
			continue
		}
		name, err := accountSARIFName(id)
		if err != nil {
			return nil, "", err
		}
		if err := set.Write(name, render(p.reporter, part)); err != nil {
			return nil, "", fmt.Errorf("account %s: %w", id, err)
		}
		names = append(names, name)
	}
	dir := filepath.Dir(p.path)
	note := fmt.Sprintf("sgaudit: the SARIF is over GitHub's upload limits: wrote one file per account (%s, %d files) instead of %s",
		filepath.Join(dir, "results-<account>.sarif"), len(names), filepath.Base(p.path))
	return names, note, nil
}

// removeStaleSARIF queues the removal of the SARIF files an earlier scan
// left (results.sarif, results-<account>.sarif) that this scan does not
// write: CI uploads the directory, and a stale file would be uploaded as
// current. Other files, results-trivy.sarif included, are not ours.
func removeStaleSARIF(set *atomicfile.Set, keep []string) error {
	entries, err := set.ReadDir()
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if !isSARIFName(name) || slices.Contains(keep, name) || !(e.Type().IsRegular() || e.Type()&fs.ModeSymlink != 0) {
			continue
		}
		if err := set.Remove(name); err != nil {
			return err
		}
	}
	return nil
}

// render adapts a reporter to atomicfile's writer callback, buffered.
func render(rep reporters.Reporter, r *findings.Report) func(io.Writer) error {
	return func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := rep.Write(bw, r); err != nil {
			return err
		}
		return bw.Flush()
	}
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
