package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWatchSignals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		signals          []os.Signal
		wantCause        string
		wantCode         int // of the run
		wantExit         int // of the second signal, 0 for none
		wantStderrPrefix string
	}{
		{name: "SIGINT", signals: []os.Signal{syscall.SIGINT}, wantCause: "interrupted by SIGINT", wantCode: 130},
		{name: "SIGTERM", signals: []os.Signal{syscall.SIGTERM}, wantCause: "interrupted by SIGTERM", wantCode: 143},
		{name: "second signal exits at once", signals: []os.Signal{syscall.SIGTERM, syscall.SIGINT}, wantCause: "interrupted by SIGTERM", wantCode: 143,
			wantExit: 130, wantStderrPrefix: "sgaudit: SIGINT again after SIGTERM: exiting at once\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := make(chan os.Signal, 2)
			exited := make(chan int, 1)
			var stderr bytes.Buffer
			ctx, stop := watchSignals(context.Background(), ch, &stderr, func(code int) { exited <- code })
			defer stop()
			ch <- tt.signals[0]
			<-ctx.Done()
			var sig *signalCause
			if !errors.As(context.Cause(ctx), &sig) || sig.Error() != tt.wantCause || sig.exitCode() != tt.wantCode {
				t.Fatalf("cause = %v, want %q (exit %d)", context.Cause(ctx), tt.wantCause, tt.wantCode)
			}
			if len(tt.signals) > 1 {
				ch <- tt.signals[1]
				if code := <-exited; code != tt.wantExit {
					t.Errorf("second signal exits %d, want %d", code, tt.wantExit)
				}
				if stderr.String() != tt.wantStderrPrefix {
					t.Errorf("stderr = %q, want %q", stderr.String(), tt.wantStderrPrefix)
				}
			}
		})
	}
}

// hangingAWS is an AWS endpoint that never answers: it reports each
// request on arrived and holds it until the client gives up.
func hangingAWS(t *testing.T) (url string, arrived <-chan struct{}) {
	t.Helper()
	ch := make(chan struct{}, 1)
	closing := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ch <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-closing:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(closing) }) // runs first: Close waits for the handlers
	return srv.URL, ch
}

// fakeAWSEnv points the SDK at endpoint with static credentials.
func fakeAWSEnv(t *testing.T, endpoint string) {
	t.Helper()
	isolateAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", endpoint)
}

// TestSignalStopsCollection: a signal during collection (the call in
// flight never answers) stops the run with 128+signal, one line, and no
// report.
func TestSignalStopsCollection(t *testing.T) {
	url, arrived := hangingAWS(t)
	fakeAWSEnv(t, url)
	dir := filepath.Join(t.TempDir(), "out")
	ch := make(chan os.Signal, 2)
	ctx, stop := watchSignals(context.Background(), ch, os.Stderr, func(int) { t.Error("one signal must not exit at once") })
	defer stop()
	var out, errb bytes.Buffer
	ios := &streams{out: &out, err: &errb, getenv: os.Getenv, now: func() time.Time { return fixedNow }}
	done := make(chan int)
	go func() {
		done <- runWith(ctx, []string{"scan", "--regions", "us-east-1", "--format", "json,sarif", "-o", dir}, ios)
	}()
	select {
	case <-arrived:
	case code := <-done:
		t.Fatalf("the run ended (exit %d) before calling AWS: %s", code, errb.String())
	}
	ch <- syscall.SIGINT
	code := <-done
	r := cliResult{stdout: out.String(), stderr: errb.String(), code: code}
	if r.code != 130 {
		t.Errorf("exit %d, want 130; stderr: %s", r.code, r.stderr)
	}
	if r.stderr != "sgaudit: interrupted by SIGINT: stopped, no report written\n" {
		t.Errorf("stderr = %q", r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("an interrupted scan left %d files in the output directory", len(entries))
	}
}

// TestMainProcess is the child of TestSignalExitCodes: it runs main with
// the arguments in SGAUDIT_TEST_MAIN_ARGS, and does nothing otherwise.
func TestMainProcess(t *testing.T) {
	argsJSON := os.Getenv("SGAUDIT_TEST_MAIN_ARGS")
	if argsJSON == "" {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(argsJSON), &args); err != nil {
		t.Fatal(err)
	}
	os.Args = append([]string{"sgaudit"}, args...)
	main()
}

// TestSignalExitCodes sends real signals to the program (this test binary
// running main) while it waits on AWS: exit 130 for SIGINT, 143 for
// SIGTERM, one line on stderr.
func TestSignalExitCodes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM on Windows")
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		name string
		code int
	}{{syscall.SIGINT, "SIGINT", 130}, {syscall.SIGTERM, "SIGTERM", 143}} {
		t.Run(tt.name, func(t *testing.T) {
			url, arrived := hangingAWS(t)
			fakeAWSEnv(t, url)
			dir := filepath.Join(t.TempDir(), "out")
			args, _ := json.Marshal([]string{"collect", "--regions", "us-east-1", "-o", filepath.Join(dir, "inv.json")})
			cmd := exec.Command(os.Args[0], "-test.run=^TestMainProcess$")
			cmd.Env = append(os.Environ(), "SGAUDIT_TEST_MAIN_ARGS="+string(args))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-arrived:
			case err := <-exited:
				t.Fatalf("the program ended (%v) before calling AWS: %s", err, stderr.String())
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			err := <-exited
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.code {
				t.Errorf("exit = %v, want code %d; stderr: %s", err, tt.code, stderr.String())
			}
			if want := "sgaudit: interrupted by " + tt.name + ": stopped, no report written\n"; !strings.HasSuffix(stderr.String(), want) {
				t.Errorf("stderr = %q, want it to end with %q", stderr.String(), want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("an interrupted collect wrote %s (%v)", dir, err)
			}
		})
	}
}
