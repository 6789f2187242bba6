package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/safetext"
)

// version is set at build time: -ldflags "-X main.version=v0.1.0".
var version = ""

// streams are the process I/O, injected so tests run commands in-process.
type streams struct {
	out, err io.Writer
	// outIsTerminal enables colour in the table.
	outIsTerminal, errIsTerminal bool
	// outCols and errCols return the width of the terminal on stdout and
	// stderr, 0 when unknown or not a terminal; nil means unknown.
	outCols, errCols func() int
	// getenv reads the environment (tests pass their own).
	getenv func(string) string
	// environ lists the environment, for warnings about SGAUDIT_ variables
	// no flag reads; nil skips them.
	environ func() []string
	// now is the clock for report timestamps.
	now func() time.Time
	// progress is the progress line of a collection, if one is drawn.
	progress *progressLine
	// quiet is --quiet: nothing on the terminal but errors.
	quiet bool
	// envFlags maps the flags set from the environment to their variable
	// (applyEnv), for error messages.
	envFlags map[string]string
}

// run is the whole program: parse args, run the command, map the error to
// an exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	ios := &streams{out: stdout, err: stderr, outIsTerminal: isTerminal(stdout), errIsTerminal: isTerminal(stderr),
		outCols: terminalCols(stdout), errCols: terminalCols(stderr), getenv: os.Getenv, environ: os.Environ, now: time.Now}
	return runWith(ctx, args, ios)
}

func runWith(ctx context.Context, args []string, ios *streams) int {
	root := newRootCmd(ios)
	root.SetArgs(args)
	root.SetOut(ios.out)
	root.SetErr(ios.err)
	cmd, err := root.ExecuteContextC(ctx)
	ios.progress.end()
	// A run cut short by a signal exits 128+signal, whatever error the
	// cancellation surfaced as (the SDK, OPA and the readers each wrap it
	// their own way). A run that finished as the signal came keeps its
	// own outcome: its reports are complete.
	format := errorFormat(args, ios.getenv)
	say := func(msg string, code int) { errorLine(ios.err, format, msg, code) }
	var sig *signalCause
	var res *errScanResult
	if err != nil && !errors.As(err, &res) && errors.As(context.Cause(ctx), &sig) {
		say(sig.Error()+": stopped, no report written", sig.exitCode())
		return sig.exitCode()
	}
	var uerr *usageError
	if err != nil && (errors.As(err, &uerr) || isCobraUsageError(err)) {
		say(fmt.Sprintf("%s (see '%s --help')", envHint(oneLine(err.Error()), ios.envFlags), cmd.CommandPath()), exitUsage)
		return exitUsage
	}
	return exitCode(err, say)
}

// isCobraUsageError recognises cobra's flag and argument errors, which it
// returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "bad flag syntax"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(ios *streams) *cobra.Command {
	var logLevel, logFormat string
	root := &cobra.Command{
		Use:   "sgaudit",
		Short: "Audit and lint AWS EC2 security groups",
		Long: `sgaudit collects every security group of every enabled region of your AWS account,
judges them with an embedded Rego policy set (OPA), and reports findings as a table,
JSON, SARIF (GitHub code scanning), Markdown (a job summary) or a self-contained
HTML page.

It only ever calls read-only AWS APIs (Describe*, Get*, List*).

Every flag can also be set by an environment variable, SGAUDIT_ and the flag's name in
capitals with _ for - (--fail-on high is SGAUDIT_FAIL_ON=high); --help shows it next to
each flag. The command line wins over the environment; an SGAUDIT_ variable that no
flag reads is warned about.`,
		Example: `  sgaudit scan                                     # every enabled region, table on stdout
  sgaudit scan --format sarif -o results.sarif     # one report to a file
  sgaudit scan --format json,sarif,html -o out/    # several reports, in out/
  sgaudit scan --fail-on high                      # exit 1 on HIGH or CRITICAL findings
  source <(sgaudit completion bash)                # shell completion (also zsh, fish, powershell)
  sgaudit collect -o inventory.json && sgaudit scan --input inventory.json
  aws ec2 describe-security-groups > sgs.json && sgaudit scan --input sgs.json`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       versionString(),
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags(), ios); err != nil {
				return err
			}
			// --quiet: only errors in the log, unless --log-level says
			// otherwise.
			if q := cmd.Flags().Lookup("quiet"); q != nil && q.Value.String() == "true" && !cmd.Flags().Changed("log-level") {
				logLevel = "error"
			}
			logger, err := newLogger(ios.err, logLevel, logFormat)
			if err != nil {
				return err
			}
			cmd.SetContext(withLogger(cmd.Context(), logger))
			warnUnknownEnv(cmd.Root(), ios, logger)
			return nil
		},
	}
	// Our own help and version switches, so that --help lists them like
	// every other switch (see switchValue); cobra acts on them by name.
	var help, showVersion bool
	switchVar(root.PersistentFlags(), &help, "help", "h", "show this help")
	switchVar(root.Flags(), &showVersion, "version", "v", "print the version")
	root.PersistentFlags().StringVar(&logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	root.PersistentFlags().StringVar(&logFormat, "log-format", "text", "log format on stderr: text or json")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newScanCmd(ios), newCollectCmd(ios), newChecksCmd(ios), newExplainCmd(ios), newVersionCmd(ios))
	// Listed in --help: shell completion is something people look for.
	root.CompletionOptions.HiddenDefaultCmd = false
	annotateEnv(root)
	return root
}

type loggerKey struct{}

func withLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, l)
}

func loggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.New(slog.DiscardHandler)
}

// newLogger builds the one logger of the process: stderr only, so stdout
// stays clean for reports. Every string reaches the handler sanitised
// (internal/safetext): log lines quote names and errors from data.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usagef("invalid --log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(safetext.NewHandler(slog.NewTextHandler(w, opts))), nil
	case "json":
		return slog.New(safetext.NewHandler(slog.NewJSONHandler(w, opts))), nil
	}
	return nil, usagef("invalid --log-format %q: want text or json", format)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newVersionCmd(ios *streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(ios.out, "sgaudit %s\n", versionString())
			return err
		},
	}
}
