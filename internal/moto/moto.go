// Package moto runs a real moto server (the AWS emulator) on 127.0.0.1 for
// tests and the demo, and builds aws.Configs that point the SDK at it.
//
// moto 5.2 quirks the callers must know (docs/architecture.md §11): it does not paginate
// DescribeSecurityGroups, DescribeSecurityGroupRules or
// DescribeNetworkInterfaces (MaxResults is ignored), DescribeRegions ignores
// AllRegions and filters and also returns us-gov and cn regions, default
// groups have no ingress rules, and every region is an isolated backend.
package moto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// AccountID is the account every request lands in unless a role in another
// account is assumed: moto's default account.
const AccountID = "123456789012"

// EnvBinary names the environment variable that overrides where the
// moto_server binary is.
const EnvBinary = "SGAUDIT_MOTO_SERVER"

// Options configures Start. The zero value is ready to use.
type Options struct {
	// Binary is the moto_server executable. Empty means $SGAUDIT_MOTO_SERVER,
	// else <repo root>/.venv/bin/moto_server.
	Binary string
	// StartTimeout bounds how long Start waits for the server to answer;
	// zero means 30 seconds.
	StartTimeout time.Duration
	// Output receives the server's stdout and stderr (its request log);
	// nil discards them.
	Output io.Writer
}

// NotFoundError is returned by Start when the moto_server binary does not
// exist. Its message tells the developer how to install it.
type NotFoundError struct {
	Path string
	Err  error
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("moto server not found at %s: run `make test-deps` or set %s", e.Path, EnvBinary)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// Server is a running moto server. Close it when done.
type Server struct {
	// Endpoint is the server's base URL, e.g. http://127.0.0.1:41234.
	Endpoint string

	cmd       *exec.Cmd
	exited    chan struct{} // closed when the process has been reaped
	closeOnce sync.Once
}

// Start finds the moto_server binary, runs it on a free port of 127.0.0.1
// and waits until it answers HTTP. ctx bounds the start-up only; the server
// runs until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := binary(opts.Binary)
	if err != nil {
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// A free port found by listening on :0 can be taken by someone else
	// before moto binds it; if moto dies at start-up, try another port.
	var lastErr error
	for range 3 {
		s, err := start(ctx, bin, opts.Output)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

// binary resolves the moto_server path: explicit, environment, repo venv.
func binary(explicit string) (string, error) {
	path := explicit
	if path == "" {
		path = os.Getenv(EnvBinary)
	}
	if path == "" {
		root, err := repoRoot()
		if err != nil {
			return "", &NotFoundError{Path: filepath.Join("<repo root>", ".venv", "bin", "moto_server"), Err: err}
		}
		path = filepath.Join(root, ".venv", "bin", "moto_server")
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", &NotFoundError{Path: path, Err: err}
	}
	if info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		return "", &NotFoundError{Path: path, Err: errors.New("not an executable file")}
	}
	return path, nil
}

// repoRoot walks up from the working directory to the directory holding
// go.mod; tests run in their package directory, the demo in the root.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find repo root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("find repo root: no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func start(ctx context.Context, bin string, output io.Writer) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	if output == nil {
		output = io.Discard
	}
	// Not exec.CommandContext: ctx bounds the start-up, not the server's life.
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// Without the default AMIs moto seeds regions 2.5× faster and needs
	// ~180 MB instead of 1.3 GB (docs/architecture.md §11).
	cmd.Env = append(os.Environ(), "MOTO_EC2_LOAD_DEFAULT_AMIS=false")
	cmd.Stdout = output
	cmd.Stderr = output
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:      cmd,
		exited:   make(chan struct{}),
	}
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx); err != nil {
		s.Close()
		select {
		case <-s.exited:
			if waitErr != nil {
				err = fmt.Errorf("%w (moto server exited: %v)", err, waitErr)
			}
		default:
		}
		return nil, err
	}
	return s, nil
}

// waitReady polls the server until it answers any HTTP request, the process
// exits, or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/moto-api/", nil)
		if err != nil {
			return fmt.Errorf("wait for moto server: %w", err)
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for moto server at %s: %w", s.Endpoint, ctx.Err())
		case <-s.exited:
			return fmt.Errorf("wait for moto server at %s: process exited", s.Endpoint)
		case <-tick.C:
		}
	}
}

// Close stops the server: SIGTERM to its process group (moto's werkzeug
// may fork), SIGKILL if it is still there after 5 seconds, then waits for
// it. Close is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		terminate(s.cmd)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			kill(s.cmd)
			<-s.exited
		}
	})
	return nil
}

// Reset wipes every backend (all accounts and regions) through moto's
// /moto-api/reset, so a test starts from an empty emulator.
func (s *Server) Reset(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint+"/moto-api/reset", nil)
	if err != nil {
		return fmt.Errorf("reset moto server: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reset moto server: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset moto server: HTTP %s", resp.Status)
	}
	return nil
}

// Config returns an aws.Config for region that sends every service to the
// server with moto's test credentials. It is built by hand, not with
// config.LoadDefaultConfig, so a developer's AWS_PROFILE, ~/.aws files or
// AWS_ENDPOINT_URL_* cannot leak into tests. ctx is unused today; it is
// there so loading a config may do I/O later without an API change.
func (s *Server) Config(ctx context.Context, region string) aws.Config {
	_ = ctx
	return aws.Config{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		BaseEndpoint: aws.String(s.Endpoint),
		Retryer:      func() aws.Retryer { return retry.NewAdaptiveMode() },
	}
}
