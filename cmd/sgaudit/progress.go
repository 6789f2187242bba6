package main

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/scanner/collect"
)

// progressLine draws one self-overwriting line on a terminal's stderr:
// pairs done of total, accounts set up, errors so far, the pair just done.
// It is never used when stderr is not a terminal (CI logs stay clean).
type progressLine struct {
	mu    sync.Mutex
	w     io.Writer
	width int
	open  bool // a line is drawn without its newline
}

func newProgressLine(w io.Writer) *progressLine { return &progressLine{w: w} }

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
	pad := ""
	if n := p.width - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	p.width = len(line)
	end := ""
	if ev.AccountsReady == ev.Accounts && ev.Done == ev.Total {
		end = "\n" // finished: keep the last line, the report follows
		p.width = 0
	}
	p.open = end == ""
	fmt.Fprintf(p.w, "\r%s%s%s", line, pad, end)
}
