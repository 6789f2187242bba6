// Command demo runs a command against a local demo AWS account: it starts
// moto server (the AWS emulator) on 127.0.0.1, seeds the demo world through
// the real AWS SDK, runs the command with the AWS environment pointed at the
// emulator, and stops the emulator. `make demo` uses it to run the real
// sgaudit binary and its real collector without an AWS account.
//
//	go run ./examples/demo -- ./bin/sgaudit scan --format table,html -o out/demo
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sgaudit/sgaudit/internal/demoworld"
	"github.com/sgaudit/sgaudit/internal/moto"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: demo -- COMMAND [ARGS...]")
		return 2
	}
	start := time.Now()
	step := newSteps(os.Stderr, time.Now)
	step.say("starting the AWS emulator (moto server) on 127.0.0.1; its first start takes up to a minute while Python compiles it ...")
	srv, err := moto.Start(ctx, moto.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}
	defer srv.Close()
	step.done("the emulator answers")

	step.say(fmt.Sprintf("seeding the demo account %s in %s ...", moto.AccountID, strings.Join(demoworld.Regions, " and ")))
	if _, err := demoworld.Seed(ctx, srv.Config(ctx, "us-east-1")); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}
	step.done("seeded")

	step.say("running " + strings.Join(args, " ") + "\n")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = emulatorEnv(os.Environ(), srv.Endpoint)
	defer func() { fmt.Fprintf(os.Stderr, "demo: finished in %s\n", roundDuration(time.Since(start))) }()
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}
	return 0
}

// emulatorEnv points the AWS SDK's standard settings at the emulator and
// drops anything that could reach a real account (profiles, real keys).
func emulatorEnv(env []string, endpoint string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_") {
			continue
		}
		out = append(out, kv)
	}
	return append(out,
		"AWS_ENDPOINT_URL="+endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	)
}

// steps prints what the demo is doing, one "demo: ..." line per step, and
// how long each took: the emulator's first start and the seeding can take
// a while, and a silent terminal looks hung.
type steps struct {
	w     io.Writer
	now   func() time.Time
	begun time.Time
}

func newSteps(w io.Writer, now func() time.Time) *steps { return &steps{w: w, now: now} }

// say starts a step.
func (s *steps) say(what string) {
	s.begun = s.now()
	fmt.Fprintf(s.w, "demo: %s\n", what)
}

// done ends the step with how long it took.
func (s *steps) done(what string) {
	fmt.Fprintf(s.w, "demo: %s (%s)\n", what, roundDuration(s.now().Sub(s.begun)))
}

// roundDuration reads a duration the way a person says it: 850ms, 4.2s,
// 1m12s.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
