package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/atomicfile"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

func newCollectCmd(ios *streams) *cobra.Command {
	var f awsFlags
	var output string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect the security group inventory from AWS and write it as JSON",
		Long: `Collect the inventory (security groups, rules, network interfaces and coverage) without
judging it, so it can be archived, diffed, or scanned offline with 'sgaudit scan --input'.

-o FILE writes the inventory to FILE, atomically, as 'scan -o FILE' writes its report;
an -o value that ends with a slash or names an existing directory writes
DIR/inventory.json, as 'scan -o DIR/' writes there.

Exit codes: 0 complete; 2 usage or credentials error; 3 some region could not be read;
130 or 143 interrupted by SIGINT or SIGTERM (nothing written).`,
		Example: `  sgaudit collect -o inventory.json
  sgaudit scan --input inventory.json --format html -o out/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := rejectEmptyPaths(cmd); err != nil {
				return err
			}
			if err := f.validate(cmd.Flags()); err != nil {
				return err
			}
			if quiet {
				f.noProgress, ios.quiet = true, true
			}
			return runCollect(cmd.Context(), &f, inventoryPath(output), ios)
		},
	}
	f.register(cmd)
	switchVar(cmd.Flags(), &quiet, "quiet", "q", "print only errors: no progress line or notices")
	cmd.Flags().StringVarP(&output, "output", "o", "-", "write the inventory to this file (- for stdout); a value ending in / or naming an existing directory means DIR/"+inventoryFile)
	return cmd
}

// inventoryFile is the name collect writes in a directory given as -o.
const inventoryFile = "inventory.json"

// inventoryPath applies scan's -o rule to collect: a value that ends with a
// path separator or names an existing directory is a directory, and the
// inventory goes to inventory.json in it. Nothing is created here: an
// interrupted collection leaves no directory behind.
func inventoryPath(output string) string {
	if output == "-" || output == "" {
		return output
	}
	dir := strings.HasSuffix(output, "/") || strings.HasSuffix(output, string(filepath.Separator))
	if fi, err := os.Stat(output); err == nil && fi.IsDir() {
		dir = true
	}
	if dir {
		return filepath.Join(output, inventoryFile)
	}
	return output
}

func runCollect(ctx context.Context, f *awsFlags, output string, ios *streams) error {
	inv, err := scan.Inventory(ctx, scan.Options{
		AWSConfig: f.loader(),
		Collect:   f.collectOptions(ios),
		Now:       ios.now,
		Logger:    loggerFrom(ctx),
	})
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return writeInventory(w, inv) }
	if output == "-" || output == "" {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return err
		}
		// Interrupted while rendering: like scan, write nothing.
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := buf.WriteTo(ios.out); err != nil {
			return err
		}
	} else if err := ctx.Err(); err != nil {
		return err // interrupted after collection: no inventory file
	} else if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil {
		return fmt.Errorf("create the directory of %s: %w", output, err)
	} else if err := atomicfile.Write(output, write); err != nil {
		return err
	}
	if !inv.Complete() {
		return &errScanResult{code: exitIncomplete}
	}
	return nil
}

func writeInventory(w io.Writer, inv *inventory.Inventory) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(inv)
}

// rejectEmptyPaths refuses -o ” and --output-dir ” given on the command
// line: an empty variable in a script ("-o $OUT") would otherwise print the
// report to the terminal, or scan and write nothing, without a word.
func rejectEmptyPaths(cmd *cobra.Command) error {
	for _, name := range []string{"output", "output-dir"} {
		f := cmd.Flags().Lookup(name)
		if f != nil && f.Changed && f.Value.String() == "" {
			hint := "name a file, or - for stdout"
			if name == "output-dir" {
				hint = "name a directory"
			}
			return usagef("--%s is empty: %s", name, hint)
		}
	}
	return nil
}
