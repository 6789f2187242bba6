// Package faultproxy is an HTTP proxy for tests that sits between the AWS
// SDK and moto server and injects the failures real AWS produces at
// organisation scale: throttling, connection resets, AssumeRole denied,
// regions denied by policy (issue 3), and bare HTTP 500s without an AWS
// error document (issue 9). Point the SDK's BaseEndpoint at
// Proxy.URL instead of moto's endpoint.
//
// Random faults (throttle, reset) are drawn from a PCG generator seeded by
// Options.Seed, so a test that sends the same requests in the same order
// sees the same faults. Denials and server errors are not random: every
// matching call gets them.
package faultproxy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
)

// Values of Call.Injected.
const (
	// FaultThrottle: answered with the service's throttling error.
	FaultThrottle = "throttle"
	// FaultReset: the connection was reset (TCP RST) with no response.
	FaultReset = "reset"
	// FaultDeny: answered with AccessDenied or UnauthorizedOperation.
	FaultDeny = "deny"
	// FaultServerError: answered with HTTP 500 and an HTML page, no AWS
	// error document.
	FaultServerError = "server-error"
)

// MaxConsecutiveFaults caps how many throttles or resets in a row the proxy
// injects for one (service, action, region); the next such request is
// forwarded whatever the generator says. The SDK makes at most
// retry.DefaultMaxAttempts (3) attempts per operation by default (the
// collector makes more), so the cap must be one less for any client: the
// attempts of one operation are a subsequence of the requests for its key,
// hence at most MaxConsecutiveFaults of them fail and the last of three
// attempts always goes through. A cap of 3 would let 20% throttles plus 5%
// resets fail one operation in 64 (0.25³) and make fault tests flaky.
const MaxConsecutiveFaults = retry.DefaultMaxAttempts - 1

// Options configures Start.
type Options struct {
	// Target is the upstream base URL, e.g. moto's http://127.0.0.1:PORT.
	Target string
	// ThrottleRate is the fraction of AWS API requests answered with a
	// throttling error instead of being forwarded, in [0, 1].
	ThrottleRate float64
	// ResetRate is the fraction of AWS API requests whose connection is
	// reset (TCP RST, no response) instead of being forwarded, in [0, 1].
	// ThrottleRate+ResetRate must not exceed 1.
	ResetRate float64
	// Seed seeds the fault generator: the same seed gives the same fault
	// sequence for the same request order.
	Seed int64
	// DenyAssumeRole lists account ids: sts:AssumeRole into a role of one of
	// these accounts is answered with AccessDenied (HTTP 403).
	DenyAssumeRole []string
	// DenyRegions lists regions: EC2 calls signed for one of them
	// (DescribeRegions included) are answered with UnauthorizedOperation
	// (HTTP 403), as under a service control policy that denies the region.
	// Other services are not denied.
	DenyRegions []string
	// ServerErrorActions lists API actions ("DescribeSecurityGroups"), of
	// any service: every request for one of them is answered with HTTP 500
	// and an HTML page that carries no AWS error code, as a failing load
	// balancer or proxy in front of the service answers, and as moto
	// answers actions it does not implement.
	ServerErrorActions []string
	// Latency is added to every request before it is answered or forwarded,
	// to simulate the round trip to AWS in throughput tests.
	Latency time.Duration
}

// Call is one request the proxy saw.
type Call struct {
	// Service is the SigV4 signing name ("ec2", "sts", "organizations",
	// "autoscaling"); "" for an unsigned request.
	Service string
	// Action is the API operation, e.g. "DescribeSecurityGroups".
	Action string
	// Region is the SigV4 signing region.
	Region string
	// Injected is the fault injected: "", FaultThrottle, FaultReset,
	// FaultDeny or FaultServerError. "" means the request was forwarded.
	Injected string
}

// Stats counts requests by outcome. Requests = Throttled + Reset + Denied +
// ServerErrors + Forwarded.
type Stats struct {
	Requests, Throttled, Reset, Denied, ServerErrors, Forwarded int
}

// Proxy is a running fault-injection proxy. Close it when done.
type Proxy struct {
	opts         Options
	url          string
	denyAccounts map[string]bool
	denyRegions  map[string]bool
	serverErrors map[string]bool // actions

	srv       *http.Server
	transport *http.Transport
	forward   *httputil.ReverseProxy
	served    chan struct{} // closed when Serve has returned
	closeOnce sync.Once
	closeErr  error

	mu     sync.Mutex // guards the fields below
	rng    *rand.Rand
	calls  []Call
	stats  Stats
	streak map[streakKey]int // consecutive random faults per key
}

type streakKey struct{ service, action, region string }

// Start validates opts and starts a proxy listening on a free port of
// 127.0.0.1 (never another interface: it forwards anyone's requests).
func Start(opts Options) (*Proxy, error) {
	target, err := validate(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start fault proxy: %w", err)
	}
	// A transport of its own, so Close can drop its idle connections, with
	// enough idle connections kept for a concurrent scan not to redial
	// upstream for every request.
	transport := &http.Transport{
		Proxy:               nil, // never send test traffic to an HTTP_PROXY
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     30 * time.Second,
	}
	quiet := log.New(io.Discard, "", 0)
	p := &Proxy{
		opts:         opts,
		url:          "http://" + ln.Addr().String(),
		denyAccounts: set(opts.DenyAssumeRole),
		denyRegions:  set(opts.DenyRegions),
		serverErrors: set(opts.ServerErrorActions),
		transport:    transport,
		served:       make(chan struct{}),
		// The second PCG word is an arbitrary constant: Seed alone decides
		// the sequence.
		rng:    rand.New(rand.NewPCG(uint64(opts.Seed), 0x5ca1ab1e)),
		streak: map[streakKey]int{},
	}
	p.forward = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// SetURL sets Host to the target's; keep the one the SDK
			// signed so SigV4 still verifies upstream.
			pr.Out.Host = pr.In.Host
		},
		Transport: transport,
		ErrorLog:  quiet,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
			// The SDK retries 502 like AWS's own gateway errors.
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	// Client disconnects and hijacked connections are expected here; the
	// server's log would only be noise in test output.
	p.srv = &http.Server{Handler: p, ErrorLog: quiet, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(p.served)
		_ = p.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return p, nil
}

func validate(opts Options) (*url.URL, error) {
	target, err := url.Parse(opts.Target)
	if err != nil {
		return nil, fmt.Errorf("start fault proxy: parse target: %w", err)
	}
	if (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("start fault proxy: target %q is not an http(s) base URL", opts.Target)
	}
	for name, r := range map[string]float64{"throttle rate": opts.ThrottleRate, "reset rate": opts.ResetRate} {
		if math.IsNaN(r) || r < 0 || r > 1 {
			return nil, fmt.Errorf("start fault proxy: %s %v is not in [0, 1]", name, r)
		}
	}
	if sum := opts.ThrottleRate + opts.ResetRate; sum > 1 {
		return nil, fmt.Errorf("start fault proxy: throttle rate + reset rate = %v exceeds 1", sum)
	}
	for _, id := range opts.DenyAssumeRole {
		if !isAccountID(id) {
			return nil, fmt.Errorf("start fault proxy: deny assume role: %q is not a 12-digit account id", id)
		}
	}
	for _, r := range opts.DenyRegions {
		if r == "" {
			return nil, errors.New("start fault proxy: deny regions: empty region")
		}
	}
	for _, a := range opts.ServerErrorActions {
		if a == "" {
			return nil, errors.New("start fault proxy: server error actions: empty action")
		}
	}
	if opts.Latency < 0 {
		return nil, fmt.Errorf("start fault proxy: negative latency %v", opts.Latency)
	}
	return target, nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func set(items []string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

// URL returns the proxy's base URL, e.g. http://127.0.0.1:41234, for the
// SDK's BaseEndpoint.
func (p *Proxy) URL() string { return p.url }

// Close stops the proxy: it closes the listener and every open connection
// and waits for the server to stop. Close is idempotent.
func (p *Proxy) Close() error {
	p.closeOnce.Do(func() {
		if err := p.srv.Close(); err != nil {
			p.closeErr = fmt.Errorf("close fault proxy: %w", err)
		}
		<-p.served
		p.transport.CloseIdleConnections()
	})
	return p.closeErr
}

// Calls returns a copy of every request seen, in the order the proxy
// decided their fate (arrival order, once each body was read).
func (p *Proxy) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.calls)
}

// Stats returns the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// ServeHTTP identifies the call, decides its fate, waits Options.Latency,
// then injects the fault or forwards the request upstream.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The query protocols carry the action in the body: read it, then give
	// the forwarded request a fresh reader over the same bytes.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return // the client went away mid-request
	}
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))

	req := identify(r, body)
	fault, requestID := p.decide(req)

	if p.opts.Latency > 0 {
		t := time.NewTimer(p.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}

	switch fault {
	case FaultThrottle:
		writeThrottle(w, req, requestID)
	case FaultDeny:
		writeDeny(w, req, requestID)
	case FaultServerError:
		writeServerError(w, requestID)
	case FaultReset:
		reset(w)
	default:
		p.forward.ServeHTTP(w, r)
	}
}

// decide records the call and picks its fault under the mutex, so the
// generator's draws follow the order of Calls. It returns the fault ("" to
// forward) and a request id for an injected error.
func (p *Proxy) decide(req request) (fault, requestID string) {
	p.mu.Lock()
	defer p.mu.Unlock()

	c := req.call
	switch {
	case c.Service == "sts" && c.Action == "AssumeRole" && p.denyAccounts[req.roleAccount]:
		fault = FaultDeny
	case c.Service == "ec2" && p.denyRegions[c.Region]:
		fault = FaultDeny
	case c.Service != "" && p.serverErrors[c.Action]:
		// Not random: every attempt fails, so a test can count them.
		fault = FaultServerError
	case c.Service == "":
		// Not an AWS API call (moto's /moto-api/ for instance): forward it
		// untouched and leave the generator alone.
	default:
		fault = p.draw(streakKey{c.Service, c.Action, c.Region})
	}

	c.Injected = fault
	p.calls = append(p.calls, c)
	p.stats.Requests++
	switch fault {
	case FaultThrottle:
		p.stats.Throttled++
	case FaultReset:
		p.stats.Reset++
	case FaultDeny:
		p.stats.Denied++
	case FaultServerError:
		p.stats.ServerErrors++
	default:
		p.stats.Forwarded++
	}
	// Deterministic ids keep failing tests reproducible to the byte.
	return fault, fmt.Sprintf("faultproxy-%08d", len(p.calls))
}

// draw picks a random fault for one request of key, honouring
// MaxConsecutiveFaults. It draws exactly once per request, capped or not,
// so the sequence depends only on the seed and the request order.
func (p *Proxy) draw(key streakKey) string {
	u := p.rng.Float64()
	fault := ""
	switch {
	case u < p.opts.ThrottleRate:
		fault = FaultThrottle
	case u < p.opts.ThrottleRate+p.opts.ResetRate:
		fault = FaultReset
	}
	if fault != "" && p.streak[key] >= MaxConsecutiveFaults {
		fault = ""
	}
	if fault == "" {
		delete(p.streak, key)
	} else {
		p.streak[key]++
	}
	return fault
}

// reset closes the client's connection with a TCP RST and no response, as
// a load balancer dropping a connection does. The request has been read in
// full but not forwarded, so a retry cannot duplicate a mutation. The SDK
// sees "connection reset by peer" wrapped in a smithy RequestSendError,
// which retry.RetryableConnectionError retries.
func reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot happen on the HTTP/1.1 server Start runs; abort the
		// connection anyway so the client still gets no response.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		// Linger 0 makes close send RST instead of FIN.
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
