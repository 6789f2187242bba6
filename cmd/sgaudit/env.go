package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/internal/typo"
)

// envPrefix starts the environment variable of every flag: --fail-on is
// also SGAUDIT_FAIL_ON, as Trivy (TRIVY_*) and Checkov (CKV_*) do it.
const envPrefix = "SGAUDIT_"

// noEnvFlags have no environment variable: they ask for help or the
// version, not for a setting.
var noEnvFlags = []string{"help", "version"}

// envName is the environment variable of a flag: SGAUDIT_ and the name in
// capitals with "-" as "_".
func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// annotateEnv appends each flag's environment variable to its usage, so
// --help shows it next to the flag.
func annotateEnv(root *cobra.Command) {
	var walk func(c *cobra.Command)
	annotate := func(f *pflag.Flag) {
		if slices.Contains(noEnvFlags, f.Name) || strings.Contains(f.Usage, "[$"+envPrefix) {
			return
		}
		f.Usage += " [$" + envName(f.Name) + "]"
	}
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(annotate)
		c.PersistentFlags().VisitAll(annotate)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// applyEnv sets every flag not given on the command line from its
// environment variable, when that is set and not empty: the command line
// wins. A value the flag refuses is a usage error naming the variable. The
// flags set this way are recorded in ios.envFlags, so that a later error
// about the value names the variable too (see envHint).
func applyEnv(fs *pflag.FlagSet, ios *streams) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed || slices.Contains(noEnvFlags, f.Name) {
			return
		}
		name := envName(f.Name)
		v := ios.getenv(name)
		if v == "" {
			return
		}
		if serr := fs.Set(f.Name, v); serr != nil {
			err = usagef("invalid %s=%q: %v", name, v, serr)
			return
		}
		if ios.envFlags == nil {
			ios.envFlags = map[string]string{}
		}
		ios.envFlags[f.Name] = name
	})
	return err
}

// envHint names the environment variables behind the flags a usage error
// mentions: "--fail-on: unknown severity" came from SGAUDIT_FAIL_ON, not
// from the command line the user is looking at.
func envHint(msg string, envFlags map[string]string) string {
	var vars []string
	for flag, name := range envFlags {
		if strings.Contains(msg, "--"+flag) && !strings.Contains(msg, name) {
			vars = append(vars, name)
		}
	}
	if len(vars) == 0 {
		return msg
	}
	slices.Sort(vars)
	return msg + " (set by $" + strings.Join(vars, ", $") + ")"
}

// errorFormat is the --log-format the final error line is written in. A
// flag error stops cobra before the flags are read, so the arguments and
// $SGAUDIT_LOG_FORMAT are looked at directly: the last --log-format on the
// command line wins, as pflag does it.
func errorFormat(args []string, getenv func(string) string) string {
	format := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--log-format="); ok {
			format = v
		} else if a == "--log-format" && i+1 < len(args) {
			format = args[i+1]
			i++
		}
	}
	if format == "" {
		format = getenv(envName("log-format"))
	}
	return format
}

// errorLine writes the one line that ends a failed or non-zero run: plain
// "sgaudit: msg" text, or under --log-format json a JSON log record (level
// ERROR, or WARN for exit 1 and 3, whose reports were written) with the
// exit code, so a log pipeline reading stderr as JSON gets every line as
// JSON, usage errors included.
func errorLine(w io.Writer, format, msg string, code int) {
	if format != "json" {
		fmt.Fprintf(w, "sgaudit: %s\n", msg)
		return
	}
	level := slog.LevelError
	if code == exitFindings || code == exitIncomplete {
		level = slog.LevelWarn
	}
	log := slog.New(safetext.NewHandler(slog.NewJSONHandler(w, nil)))
	log.Log(context.Background(), level, msg, "exit_code", code)
}

// otherVariables are the SGAUDIT_ names that are not flags and not
// mistakes: the GitHub Action's own (action.yml passes its inputs as
// SGAUDIT_INPUT_*), and the test harness's.
var otherVariables = []string{"SGAUDIT_INPUT_", "SGAUDIT_ACTION_", "SGAUDIT_TEST_", "SGAUDIT_BENCH_",
	"SGAUDIT_BIN", "SGAUDIT_EXIT_CODE", "SGAUDIT_MOTO_SERVER", "SGAUDIT_CHROMIUM"}

// warnUnknownEnv warns once per SGAUDIT_ variable that no flag of any
// command reads: SGAUDIT_FAIL_ONN=high would otherwise be ignored without a
// word, and the scan pass where the user meant it to fail. The closest
// flag's variable is suggested. A variable of another command's flag
// (SGAUDIT_ORG while listing checks) is not a mistake and is left alone.
func warnUnknownEnv(root *cobra.Command, ios *streams, log *slog.Logger) {
	if ios.environ == nil {
		return
	}
	known := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) { known[envName(f.Name)] = true })
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	var unknown []string
	for _, kv := range ios.environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || known[name] || slices.Contains(noEnvFlags, strings.ToLower(strings.TrimPrefix(name, envPrefix))) {
			continue
		}
		other := false
		for _, o := range otherVariables {
			if name == o || (strings.HasSuffix(o, "_") && strings.HasPrefix(name, o)) {
				other = true
			}
		}
		if !other {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range slices.Compact(unknown) {
		msg := "environment variable " + name + " is not an sgaudit setting; ignored"
		if best := closest(name, known); best != "" {
			msg += " (did you mean " + best + "?)"
		}
		log.Warn(msg)
	}
}

// closest returns the known name nearest to name by edit distance, when it
// is a typo of it rather than another word: at most 2 edits, and no more
// than a third of the part after SGAUDIT_ (SGAUDIT_ZZ is not SGAUDIT_TO).
func closest(name string, known map[string]bool) string {
	best, bestDist := "", typo.Far
	for k := range known {
		if d := typo.Distance(name, k); d < bestDist || (d == bestDist && k < best) {
			best, bestDist = k, d
		}
	}
	if best != "" && 3*bestDist > len(name)-len(envPrefix) {
		return ""
	}
	return best
}
