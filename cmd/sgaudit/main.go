// Command sgaudit audits and lints AWS EC2 security groups.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/sgaudit/sgaudit/internal/atomicfile"
)

func main() {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	// A second signal exits at once, so no deferred clean-up runs: the
	// report writer's temporary files are removed on the way out.
	exitNow := func(code int) {
		atomicfile.RemoveTemporaries()
		os.Exit(code)
	}
	ctx, stop := watchSignals(context.Background(), ch, os.Stderr, exitNow)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	signal.Stop(ch)
	stop()
	os.Exit(code)
}

// signalCause is the cancellation cause of a run stopped by SIGINT or
// SIGTERM; runWith turns it into the exit code.
type signalCause struct{ sig os.Signal }

func (s *signalCause) Error() string { return "interrupted by " + signalName(s.sig) }

// exitCode is 128 plus the signal number (130 for SIGINT, 143 for
// SIGTERM), what a shell reports for a process the signal killed, so CI
// tells an interrupted run from a failed one.
func (s *signalCause) exitCode() int {
	if n, ok := s.sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return exitUsage
}

func signalName(sig os.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return sig.String()
}

// watchSignals returns a context cancelled, with a *signalCause, by the
// first signal on ch: every phase stops at its next context check and no
// report is written. A second signal exits at once through exit (a phase
// that does not check its context would otherwise hold the process). stop
// ends the watch.
func watchSignals(parent context.Context, ch <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	done := make(chan struct{})
	go func() {
		var first *signalCause
		select {
		case sig := <-ch:
			first = &signalCause{sig}
			cancel(first)
		case <-done:
			return
		}
		select {
		case sig := <-ch:
			second := &signalCause{sig}
			fmt.Fprintf(stderr, "sgaudit: %s again after %s: exiting at once\n", signalName(sig), signalName(first.sig))
			exit(second.exitCode())
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() { close(done) })
		cancel(nil)
	}
}
