package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sgaudit/sgaudit/internal/collect"
)

// TestProgressLineFitsTerminal (issue 10, conventions): every redraw of
// the progress line is shorter than the terminal is wide, whatever the
// width (read at each update, so a resize is followed), so it never wraps
// and leaves no stale rows; the line still ends once with a newline.
func TestProgressLineFitsTerminal(t *testing.T) {
	t.Parallel()
	for _, widths := range [][]int{{80}, {40}, {40, 20, 120}, {0}, {1}} {
		var buf bytes.Buffer
		i := 0
		cols := func() int { return widths[min(i, len(widths)-1)] }
		p := newProgressLine(&buf, cols)
		events := []collect.ProgressEvent{
			{Done: 1, Total: 400, Accounts: 20, AccountsReady: 3, AccountID: "111122223333", Region: "ap-southeast-4", Status: "ok"},
			{Done: 2, Total: 400, Accounts: 20, AccountsReady: 20, Errors: 1, AccountID: "111122223333", Region: "il-central-1", Status: "denied"},
			{Done: 3, Total: 400, Accounts: 20, AccountsReady: 20, Errors: 1},
			{Done: 400, Total: 400, Accounts: 20, AccountsReady: 20, Errors: 1, AccountID: "444455556666", Region: "us-east-1", Status: "ok"},
		}
		var limits []int
		for j, ev := range events {
			i = j
			w := cols()
			if w <= 0 {
				w = defaultCols
			}
			limits = append(limits, max(w-1, 1))
			p.update(ev)
		}
		out := buf.String()
		if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
			t.Errorf("widths %v: want one newline, at the end: %q", widths, out)
		}
		draws := strings.Split(strings.TrimPrefix(strings.TrimSuffix(out, "\n"), "\r"), "\r")
		if len(draws) != len(events) {
			t.Fatalf("widths %v: %d redraws for %d events: %q", widths, len(draws), len(events), out)
		}
		for j, d := range draws {
			if n := utf8.RuneCountInString(d); n > limits[j] {
				t.Errorf("widths %v: redraw %d is %d columns, over %d: %q", widths, j, n, limits[j], d)
			}
			if !strings.HasPrefix(d, "sgaudit: ") && limits[j] >= len("sgaudit: ") {
				t.Errorf("widths %v: redraw %d lost its start: %q", widths, j, d)
			}
		}
	}
}
