package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/checkdocs"
	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

func newChecksCmd(ios *streams) *cobra.Command {
	var format string
	var policyDirs, dataFiles []string
	var cf configFlags
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "List the checks (from the policies' METADATA)",
		Example: `  sgaudit checks
  sgaudit checks --format json
  sgaudit checks --policy-dir ./my-policies
  sgaudit checks --config .sgaudit.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cf.explicit = cmd.Flags().Changed("config")
			return runChecks(cmd.Context(), format, policyDirs, dataFiles, &cf, ios)
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "table", "table, json, or markdown (docs/checks.md)")
	cmd.Flags().StringArrayVar(&policyDirs, "policy-dir", nil, "directory of extra .rego checks to list too (repeatable)")
	cmd.Flags().StringArrayVar(&dataFiles, "data", nil, "JSON or YAML data file merged over the policies' data (repeatable)")
	return cmd
}

func runChecks(ctx context.Context, format string, policyDirs, dataFiles []string, cf *configFlags, ios *streams) error {
	if format != "table" && format != "json" && format != "markdown" {
		return usagef("invalid --format %q: want table, json or markdown", format)
	}
	cfg, err := cf.load(loggerFrom(ctx))
	if err != nil {
		return err
	}
	// The configuration's check settings show in the list: enabled and
	// severity are what a scan with the same configuration would use.
	opts := scan.Options{Logger: loggerFrom(ctx), Config: cfg}
	opts.Engine.PolicyDirs = policyDirs
	opts.Engine.DataFiles = dataFiles
	eng, err := scan.LoadEngine(ctx, opts)
	if err != nil {
		return err
	}
	checks := eng.Checks()
	switch format {
	case "json":
		enc := json.NewEncoder(ios.out)
		enc.SetIndent("", "  ")
		return enc.Encode(checks)
	case "markdown":
		// docs/checks.md is this output (make docs); a test keeps it current.
		_, err := ios.out.Write(checkdocs.Index(printableChecks(checks)))
		return err
	}
	return writeChecksTable(ios, printableChecks(checks))
}

// printableChecks returns copies of the checks whose text is safe on a
// terminal (internal/safetext): a custom policy's METADATA may hold
// anything, escape sequences included. The JSON format keeps the text as
// written; encoding/json escapes its control characters.
func printableChecks(checks []findings.Check) []findings.Check {
	out := make([]findings.Check, len(checks))
	for i, c := range checks {
		c.ID, c.Name, c.Title = safetext.Line(c.ID), safetext.Line(c.Name), safetext.Line(c.Title)
		c.Description, c.Resolution = safetext.Line(c.Description), safetext.Line(c.Resolution)
		c.Severity = findings.Severity(safetext.Line(string(c.Severity)))
		if c.Frameworks != nil {
			fw := make(map[string][]string, len(c.Frameworks))
			for k, controls := range c.Frameworks {
				clean := make([]string, len(controls))
				for j, s := range controls {
					clean[j] = safetext.Line(s)
				}
				fw[safetext.Line(k)] = clean
			}
			c.Frameworks = fw
		}
		out[i] = c
	}
	return out
}

func writeChecksTable(ios *streams, checks []findings.Check) error {
	tw := tabwriter.NewWriter(ios.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tNAME\tTITLE\tENABLED")
	for _, c := range checks {
		state := "on"
		if c.Status == findings.CheckDisabled {
			state = "off"
		}
		title := c.Title
		if c.Custom {
			title += " (custom)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.ID, c.Severity, c.Name, title, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(ios.out, "\n%d checks. Details: sgaudit checks --format json, or docs/checks.md\n", len(checks))
	return err
}
