package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// Exit codes, documented in the README and docs/architecture.md §10.
// exitCode chooses them, except for a run stopped by a signal, which exits
// 128+signal: 130 for SIGINT, 143 for SIGTERM (signalCause, in runWith).
const (
	exitOK         = 0 // scan complete, nothing at or above --fail-on
	exitFindings   = 1 // an unsuppressed finding at or above --fail-on (reports written)
	exitUsage      = 2 // usage, config, policy, credentials or input error; nothing scanned
	exitIncomplete = 3 // some account/region not covered, and no finding at the threshold
)

// usageError marks errors the user can fix by changing the command line,
// the config or the input files. Every other error is also reported as exit
// 2 (nothing was scanned), but only after the scan itself failed.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// errScanResult carries the outcome of a scan whose reports were written:
// findings at the threshold (exit 1) or incomplete coverage (exit 3).
type errScanResult struct {
	code int
	// failing counts the findings that crossed failOn (exit 1); newOnly
	// says a baseline limited them to new ones.
	failing int
	failOn  findings.Severity
	newOnly bool
}

func (e *errScanResult) Error() string {
	if e.code != exitFindings {
		return "scan incomplete: some accounts or regions were not read (see coverage)"
	}
	if e.failOn == "" {
		return "findings at or above the --fail-on threshold"
	}
	what := "finding"
	if e.newOnly {
		what = "new finding"
	}
	if e.failing != 1 {
		what += "s"
	}
	return fmt.Sprintf("%d %s at or above %s (--fail-on %s)", e.failing, what, e.failOn, strings.ToLower(string(e.failOn)))
}

// resultCode turns a written report into its exit code.
func resultCode(rep *findings.Report, failOn findings.Severity) error {
	switch {
	case rep.FailsAt(failOn):
		return &errScanResult{code: exitFindings, failing: countFailing(rep, failOn), failOn: failOn, newOnly: rep.Baseline != nil}
	case !rep.Complete():
		return &errScanResult{code: exitIncomplete}
	}
	return nil
}

// countFailing counts the findings Report.FailsAt fails on: unsuppressed,
// not unchanged since the baseline, at or above threshold.
func countFailing(rep *findings.Report, threshold findings.Severity) int {
	n := 0
	for _, f := range rep.Findings {
		if f.Suppression == nil && f.Baseline != findings.BaselineUnchanged && f.Severity.Rank() >= threshold.Rank() {
			n++
		}
	}
	return n
}

// exitCode maps an error to the process exit code and says it as one line
// (errorLine).
func exitCode(err error, say func(msg string, code int)) int {
	if err == nil {
		return exitOK
	}
	var res *errScanResult
	if errors.As(err, &res) {
		// Reports are written; one line on stderr says why the exit is not 0.
		say(res.Error(), res.code)
		return res.code
	}
	if errors.Is(err, context.Canceled) {
		say("interrupted", exitUsage)
		return exitUsage
	}
	say(oneLine(err.Error()), exitUsage)
	return exitUsage
}

// oneLine keeps an error to a single line: AWS and OPA errors sometimes
// span several, and CI logs read best with one. The lines are joined with
// "; " (a space after a line that ends with a colon), and cobra's "Did
// you mean this?" list becomes "(did you mean scan?)". Errors quote file
// names, group names and JSON keys from data, so the line is sanitised too
// (internal/safetext): nothing in it can drive the terminal.
func oneLine(s string) string {
	// Errors quote data (a key or an id from a file); one such value of
	// 100 MB must not become a 100 MB log line. Cut first, so the rest of
	// the work is bounded too; the start names the file and the problem.
	cut := 0
	if len(s) > maxErrorLine {
		cut = len(s) - maxErrorLine
		s = strings.ToValidUTF8(s[:maxErrorLine], "")
	}
	s = strings.ReplaceAll(s, "\r", "")
	if head, list, ok := strings.Cut(s, "\nDid you mean this?\n"); ok {
		var names []string
		for _, l := range strings.Split(list, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		s = strings.TrimSpace(head)
		if len(names) > 0 {
			s += " (did you mean " + strings.Join(names, " or ") + "?)"
		}
	}
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(safetext.Line(l)), " "); l == "" {
			continue
		}
		switch out := b.String(); {
		case out == "":
		case strings.HasSuffix(out, ":"):
			b.WriteString(" ")
		default:
			b.WriteString("; ")
		}
		b.WriteString(l)
	}
	if cut > 0 {
		fmt.Fprintf(&b, "… (%d more bytes of the message left out)", cut)
	}
	return b.String()
}

// maxErrorLine bounds the error line in bytes (docs/security.md).
const maxErrorLine = 2000
