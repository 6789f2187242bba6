package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/internal/safetext"
)

// progressLine draws one self-overwriting line on a terminal's stderr:
// pairs done of total, accounts set up, errors so far, the pair just done.
// It is never used when stderr is not a terminal (CI logs stay clean).
//
// The line is kept shorter than the terminal is wide: a line that wraps
// puts the cursor on a second row, and "\r" then redraws only that row,
// leaving one stale row per update. The width is read at every update, so
// a resized window is followed.
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	width int  // columns drawn by the last update
	open  bool // a line is drawn without its newline
	// cols returns the terminal's width in columns (0 when unknown); nil
	// means no limit (tests that are not about the width).
	cols func() int
}

// defaultCols is the width assumed for a terminal that does not say.
const defaultCols = 80

func newProgressLine(w io.Writer, cols func() int) *progressLine {
	return &progressLine{w: w, cols: cols}
}

// maxColumns is the longest line that does not wrap: one column less than
// the width, since some terminals wrap as soon as the last column is
// written.
func (p *progressLine) maxColumns() int {
	if p.cols == nil {
		return -1
	}
	n := p.cols()
	if n <= 0 {
		n = defaultCols
	}
	return max(n-1, 1)
}

// end finishes a line left open by a run that stopped (an error, a
// signal), so the message that follows starts on a line of its own.
func (p *progressLine) end() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open, p.width = false, 0
	}
}

func (p *progressLine) update(ev collect.ProgressEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf("sgaudit: %d/%d account/regions read", ev.Done, ev.Total)
	if ev.Accounts > 1 {
		line += fmt.Sprintf(", %d/%d accounts ready", ev.AccountsReady, ev.Accounts)
	}
	if ev.Errors > 0 {
		line += fmt.Sprintf(", %d not readable", ev.Errors)
	}
	if ev.AccountID != "" {
		// Region names and statuses come from AWS answers: sanitised.
		line += safetext.Line(fmt.Sprintf(" · %s/%s %s", ev.AccountID, ev.Region, ev.Status))
	}
	limit := p.maxColumns()
	if limit > 0 {
		line = fitColumns(line, limit)
	}
	cols := utf8.RuneCountInString(line)
	pad := ""
	if n := p.width - cols; n > 0 {
		if limit > 0 {
			n = min(n, limit-cols)
		}
		pad = strings.Repeat(" ", n)
	}
	p.width = cols
	end := ""
	if ev.AccountsReady == ev.Accounts && ev.Done == ev.Total {
		end = "\n" // finished: keep the last line, the report follows
		p.width = 0
	}
	p.open = end == ""
	fmt.Fprintf(p.w, "\r%s%s%s", line, pad, end)
}

// fitColumns cuts s to at most n columns, ending it with "…" when cut.
// The line is sanitised text in which a rune takes one column (digits,
// region names, "·").
func fitColumns(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
