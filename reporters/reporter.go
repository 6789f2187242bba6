// Package reporters turns a findings.Report into the formats people and
// machines read: a terminal table, JSON, SARIF for GitHub code scanning,
// Markdown for $GITHUB_STEP_SUMMARY and a self-contained HTML page.
//
// Every reporter implements one method, Write, and is a pure function of
// the report: the same report always gives byte-identical output. Reporters
// read only scanner/findings (and scanner/inventory for shared types); they
// never see AWS or OPA.
package reporters

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/sgaudit/sgaudit/internal/atomicfile"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// Reporter writes a report in one format.
type Reporter interface {
	// Write renders r to w. It does not modify r.
	Write(w io.Writer, r *findings.Report) error
}

// ErrUnknownFormat is returned (wrapped) by New for a format name that no
// reporter is registered under.
var ErrUnknownFormat = errors.New("unknown report format")

// registry maps a format name to its constructor. It is filled by init
// functions only, so it needs no lock.
var registry = map[string]func() Reporter{}

// filenames are the default file names a format is written to under
// --output-dir. They are fixed so CI steps (upload-sarif) can name them.
var filenames = map[string]string{
	"html":     "report.html",
	"json":     "findings.json",
	"markdown": "summary.md",
	"sarif":    "results.sarif",
	"table":    "findings.txt",
}

func register(name string, newReporter func() Reporter) {
	if _, dup := registry[name]; dup {
		panic("reporters: format registered twice: " + name)
	}
	registry[name] = newReporter
}

func init() {
	register("html", func() Reporter { return HTML{} })
	register("json", func() Reporter { return JSON{} })
	register("markdown", func() Reporter { return Markdown{} })
	register("sarif", func() Reporter { return SARIF{} })
	// The table is plain here; a CLI that writes to a terminal builds
	// Table{Color: true} itself.
	register("table", func() Reporter { return Table{} })
}

// New returns the reporter registered under name (case-insensitive). An
// unknown name is an error wrapping ErrUnknownFormat that lists the valid
// names; there is no silent fallback to a default format.
func New(name string) (Reporter, error) {
	newReporter, ok := registry[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, fmt.Errorf("%w %q (valid: %s)", ErrUnknownFormat, name, strings.Join(Names(), ", "))
	}
	return newReporter(), nil
}

// Names lists the registered format names, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Filename returns the default file name for a format (json →
// findings.json, sarif → results.sarif, html → report.html, markdown →
// summary.md, table → findings.txt), or "" for an unknown format.
func Filename(name string) string {
	return filenames[strings.ToLower(strings.TrimSpace(name))]
}

// WriteFile writes r with rep to path atomically: it writes a temporary
// file in the same directory (so the rename cannot cross file systems),
// syncs it and renames it over path. On any error, including a panic in the
// reporter, the temporary file is removed and path is left as it was, so a
// crash never leaves half a SARIF file for CI to upload. A new file gets
// 0666 less the umask; a replaced regular file keeps its mode; a symbolic
// link at path is replaced, never written through (see internal/atomicfile).
// Several reports that belong together are written as one set by the CLI
// (cmd/sgaudit, writeReports), not file by file with WriteFile.
func WriteFile(path string, rep Reporter, r *findings.Report) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := rep.Write(bw, r); err != nil {
			return err
		}
		return bw.Flush()
	})
}
