package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/sgaudit/sgaudit/internal/safetext"
	"github.com/sgaudit/sgaudit/scanner/collect"
)

// progressLine draws one self-overwriting line on a terminal's stderr:
// pairs done of total, accounts set up, errors so far, the pair just done.
// It is never used when stderr is not a terminal (CI logs stay clean).
type progressLine struct {
	w     io.Writer
	width int
}

func newProgressLine(w io.Writer) *progressLine { return &progressLine{w: w} }

func (p *progressLine) update(ev collect.ProgressEvent) {
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
	fmt.Fprintf(p.w, "\r%s%s%s", line, pad, end)
}
