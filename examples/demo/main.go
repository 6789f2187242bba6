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
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

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
	fmt.Fprintln(os.Stderr, "demo: starting the AWS emulator (moto server) on 127.0.0.1 ...")
	srv, err := moto.Start(ctx, moto.Options{})
	if err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}
	defer srv.Close()

	fmt.Fprintf(os.Stderr, "demo: seeding the demo account %s in %s ...\n", moto.AccountID, strings.Join(demoworld.Regions, " and "))
	if _, err := demoworld.Seed(ctx, srv.Config(ctx, "us-east-1")); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		return 2
	}

	fmt.Fprintf(os.Stderr, "demo: running %s\n\n", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = emulatorEnv(os.Environ(), srv.Endpoint)
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
