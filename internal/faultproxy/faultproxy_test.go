package faultproxy

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

// noBackoff keeps the SDK's retry decisions but not its waits (1 s and more
// after a throttle), so the package's tests stay fast.
type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return time.Millisecond, nil }

// sdkConfig points the SDK at endpoint with the standard retryer making at
// most maxAttempts attempts.
func sdkConfig(endpoint, region string, maxAttempts int) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")),
		BaseEndpoint: aws.String(endpoint),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.Backoff = noBackoff{}
			})
		},
	}
}

// upstream is a fake endpoint that counts the requests reaching it.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T, h http.HandlerFunc) *upstream {
	t.Helper()
	u := &upstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(u.Close)
	return u
}

// rawCall sends one signed-looking query-protocol request without the SDK,
// so nothing retries, and returns the status (0 when the connection failed).
func rawCall(t *testing.T, url, service, region, action string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader("Action="+action+"&Version=2016-11-15"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20261125/"+region+"/"+service+
		"/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00")
	// A fresh connection per request: a reset must not poison the next one.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestStartRejectsBadOptions(t *testing.T) {
	t.Parallel()
	const target = "http://127.0.0.1:1"
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{name: "no target", opts: Options{}, want: `target "" is not an http(s) base URL`},
		{name: "target without scheme", opts: Options{Target: "localhost:5000"}, want: "is not an http(s) base URL"},
		{name: "target with another scheme", opts: Options{Target: "ftp://127.0.0.1:21"}, want: "is not an http(s) base URL"},
		{name: "relative target", opts: Options{Target: "/moto"}, want: "is not an http(s) base URL"},
		{name: "unparsable target", opts: Options{Target: "http://[::1"}, want: "parse target"},
		{name: "negative throttle rate", opts: Options{Target: target, ThrottleRate: -0.1}, want: "throttle rate -0.1 is not in [0, 1]"},
		{name: "reset rate above 1", opts: Options{Target: target, ResetRate: 1.5}, want: "reset rate 1.5 is not in [0, 1]"},
		{name: "NaN rate", opts: Options{Target: target, ThrottleRate: math.NaN()}, want: "throttle rate NaN"},
		{name: "rates sum above 1", opts: Options{Target: target, ThrottleRate: 0.6, ResetRate: 0.5}, want: "exceeds 1"},
		{name: "short account id", opts: Options{Target: target, DenyAssumeRole: []string{"12345"}}, want: `"12345" is not a 12-digit account id`},
		{name: "account id with letters", opts: Options{Target: target, DenyAssumeRole: []string{"12345678901a"}}, want: "12-digit"},
		{name: "empty region", opts: Options{Target: target, DenyRegions: []string{""}}, want: "empty region"},
		{name: "empty server error action", opts: Options{Target: target, ServerErrorActions: []string{""}}, want: "empty action"},
		{name: "negative latency", opts: Options{Target: target, Latency: -time.Second}, want: "negative latency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Start(tt.opts)
			if err == nil {
				_ = p.Close()
				t.Fatalf("Start() succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "start fault proxy: ") {
				t.Errorf("Start() error = %q, want it to start with %q and contain %q", err, "start fault proxy: ", tt.want)
			}
		})
	}
}

func TestStartListensOnLoopbackOnly(t *testing.T) {
	t.Parallel()
	p := StartT(t, Options{Target: "http://127.0.0.1:1"})
	if !strings.HasPrefix(p.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT", p.URL())
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil (idempotent)", err)
	}
}

// TestConsecutiveFaultCap checks that throttles and resets never exceed
// MaxConsecutiveFaults in a row for one (service, action, region), and that
// each key counts on its own.
func TestConsecutiveFaultCap(t *testing.T) {
	t.Parallel()
	type key struct{ service, region, action string }
	a := key{"ec2", "us-east-1", "DescribeSecurityGroups"}
	b := key{"ec2", "eu-west-1", "DescribeSecurityGroups"} // same action, other region
	c := key{"sts", "us-east-1", "DescribeSecurityGroups"} // same action and region, other service
	const th, rs = FaultThrottle, FaultReset
	tests := []struct {
		name     string
		opts     Options
		sequence []key
		want     []string
	}{
		{
			name:     "always throttle",
			opts:     Options{ThrottleRate: 1},
			sequence: []key{a, a, b, a, a, b, b, a, c, c, c},
			//        a1  a2  b1  a3  a1  b2  b3  a2  c1  c2  c3
			want: []string{th, th, th, "", th, th, "", th, th, th, ""},
		},
		{
			name:     "always reset",
			opts:     Options{ResetRate: 1},
			sequence: []key{a, a, a, a, a, a, a},
			want:     []string{rs, rs, "", rs, rs, "", rs},
		},
		{
			name:     "never a fault",
			opts:     Options{},
			sequence: []key{a, a, a, b},
			want:     []string{"", "", "", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, nil)
			tt.opts.Target = up.URL
			p := StartT(t, tt.opts)
			for _, k := range tt.sequence {
				rawCall(t, p.URL(), k.service, k.region, k.action)
			}
			var got []string
			for _, c := range p.Calls() {
				got = append(got, c.Injected)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("injected faults (-want +got):\n%s", diff)
			}
			var forwarded int
			for _, f := range tt.want {
				if f == "" {
					forwarded++
				}
			}
			if n := up.hits.Load(); n != int64(forwarded) {
				t.Errorf("upstream saw %d requests, want %d (only the unfaulted ones)", n, forwarded)
			}
		})
	}
}

// TestSameSeedSameFaults sends one fixed request sequence to three proxies:
// two with the same seed must inject the same faults, a third seed others.
func TestSameSeedSameFaults(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	actions := []string{"DescribeSecurityGroups", "DescribeSecurityGroupRules", "DescribeNetworkInterfaces"}
	regions := []string{"us-east-1", "eu-west-1"}
	const n = 300
	run := func(seed int64) []Call {
		p := StartT(t, Options{Target: up.URL, ThrottleRate: 0.2, ResetRate: 0.05, Seed: seed})
		for i := range n {
			rawCall(t, p.URL(), "ec2", regions[i%len(regions)], actions[i%len(actions)])
		}
		return p.Calls()
	}
	first, again, other := run(7), run(7), run(8)
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("same seed, different calls (-first +again):\n%s", diff)
	}
	if cmp.Equal(first, other) {
		t.Error("seeds 7 and 8 injected exactly the same faults")
	}
	// The rates are honoured: 300 draws at 20% and 5% land well inside
	// these bounds (the cap removes only a few faults).
	count := map[string]int{}
	for _, c := range first {
		count[c.Injected]++
	}
	if th := count[FaultThrottle]; th < 40 || th > 80 {
		t.Errorf("throttled %d of %d requests, want about 20%%", th, n)
	}
	if rs := count[FaultReset]; rs < 5 || rs > 30 {
		t.Errorf("reset %d of %d requests, want about 5%%", rs, n)
	}
}

func TestForwardKeepsRequestIntact(t *testing.T) {
	t.Parallel()
	type seen struct {
		Method, Path, Query, Host, Auth, Date, Target, Forwarded, Body string
	}
	got := make(chan seen, 1)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Get("Authorization"),
			r.Header.Get("X-Amz-Date"), r.Header.Get("X-Amz-Target"), r.Header.Get("X-Forwarded-For"), string(b)}
		w.Header().Set("X-Amzn-Requestid", "upstream-id")
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, `{"Accounts":[]}`)
	})
	p := StartT(t, Options{Target: up.URL})

	auth := "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1/organizations/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=ab"
	body := `{"NextToken":"a+b/c="}`
	req, err := http.NewRequest(http.MethodPost, p.URL()+"/some/path?x=1&y=%2F", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "organizations.us-east-1.amazonaws.com"
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-Amz-Date", "20261125T120000Z")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	respBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	want := seen{http.MethodPost, "/some/path", "x=1&y=%2F", req.Host, auth, "20261125T120000Z",
		"AWSOrganizationsV20161128.ListAccounts", "", body}
	if diff := cmp.Diff(want, <-got); diff != "" {
		t.Errorf("request upstream (-want +got):\n%s", diff)
	}
	gotResp := []string{resp.Status, resp.Header.Get("X-Amzn-Requestid"), string(respBody)}
	if diff := cmp.Diff([]string{"418 I'm a teapot", "upstream-id", `{"Accounts":[]}`}, gotResp); diff != "" {
		t.Errorf("response relayed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Call{{Service: "organizations", Action: "ListAccounts", Region: "us-east-1"}}, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
}

// TestUnsignedRequestsAreNeverFaulted: moto's own API (reset, dashboard)
// is test plumbing, not an AWS call, and must go through whatever the rates.
func TestUnsignedRequestsAreNeverFaulted(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	p := StartT(t, Options{Target: up.URL, ThrottleRate: 0.5, ResetRate: 0.5})
	for range 3 {
		resp, err := http.Post(p.URL()+"/moto-api/reset", "", nil)
		if err != nil {
			t.Fatalf("POST /moto-api/reset: %v", err)
		}
		resp.Body.Close()
	}
	if diff := cmp.Diff([]Call{{}, {}, {}}, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Requests: 3, Forwarded: 3}, p.Stats()); diff != "" {
		t.Errorf("Stats() (-want +got):\n%s", diff)
	}
}

func TestUpstreamDownIsBadGateway(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close() // nothing listens there any more
	p := StartT(t, Options{Target: dead})
	if got := rawCall(t, p.URL(), "ec2", "us-east-1", "DescribeVpcs"); got != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	const latency = 150 * time.Millisecond
	p := StartT(t, Options{Target: up.URL, Latency: latency})
	start := time.Now()
	rawCall(t, p.URL(), "ec2", "us-east-1", "DescribeVpcs")
	if d := time.Since(start); d < latency {
		t.Errorf("request took %v, want at least the %v latency", d, latency)
	}
}

// TestCloseDuringLatency: Close must not wait for requests sleeping in a
// long latency, nor leave their clients hanging.
func TestCloseDuringLatency(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	p := StartT(t, Options{Target: up.URL, Latency: time.Minute})
	var wg sync.WaitGroup
	wg.Add(1)
	status := -1
	go func() {
		defer wg.Done()
		status = rawCall(t, p.URL(), "ec2", "us-east-1", "DescribeVpcs")
	}()
	for len(p.Calls()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	wg.Wait()
	// No clock needed: a Close that waited for the latency would let the
	// request through to the upstream, with a status.
	if status != 0 || up.hits.Load() != 0 {
		t.Errorf("in-flight request: status %d, upstream hits %d; want a failed request that never went upstream", status, up.hits.Load())
	}
}

// TestSDKClassifiesInjectedErrors makes one attempt per call, so the SDK
// returns the injected error itself, and checks that the SDK decodes it to
// the service's own error code and classifies it as the real one: throttles
// retryable and throttling, resets retryable connection errors, denials
// terminal, bare server errors a retryable 500 without a code. Nothing may
// reach the upstream.
func TestSDKClassifiesInjectedErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type call func(cfg aws.Config) error
	ec2Describe := func(cfg aws.Config) error {
		_, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{})
		return err
	}
	stsIdentity := func(cfg aws.Config) error {
		_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		return err
	}
	assumeRole := func(account string) call {
		return func(cfg aws.Config) error {
			_, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
				RoleArn:         aws.String("arn:aws:iam::" + account + ":role/Audit"),
				RoleSessionName: aws.String("sgaudit"),
			})
			return err
		}
	}
	asgConfigs := func(cfg aws.Config) error {
		_, err := autoscaling.NewFromConfig(cfg).DescribeLaunchConfigurations(ctx, &autoscaling.DescribeLaunchConfigurationsInput{})
		return err
	}
	orgAccounts := func(cfg aws.Config) error {
		_, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
		return err
	}
	tests := []struct {
		name      string
		opts      Options
		region    string
		call      call
		code      string // "" for a connection error
		status    int
		retryable bool
		throttle  bool
	}{
		{name: "ec2 throttle", opts: Options{ThrottleRate: 1}, call: ec2Describe, code: "RequestLimitExceeded", status: 503, retryable: true, throttle: true},
		{name: "sts throttle", opts: Options{ThrottleRate: 1}, call: stsIdentity, code: "Throttling", status: 400, retryable: true, throttle: true},
		{name: "autoscaling throttle", opts: Options{ThrottleRate: 1}, call: asgConfigs, code: "Throttling", status: 400, retryable: true, throttle: true},
		{name: "organizations throttle", opts: Options{ThrottleRate: 1}, call: orgAccounts, code: "TooManyRequestsException", status: 400, retryable: true, throttle: true},
		{name: "ec2 reset", opts: Options{ResetRate: 1}, call: ec2Describe, retryable: true},
		{name: "organizations reset", opts: Options{ResetRate: 1}, call: orgAccounts, retryable: true},
		{name: "assume role denied", opts: Options{DenyAssumeRole: []string{"111111111111"}}, call: assumeRole("111111111111"), code: "AccessDenied", status: 403},
		{name: "denial beats throttling", opts: Options{ThrottleRate: 1, DenyAssumeRole: []string{"111111111111"}}, call: assumeRole("111111111111"), code: "AccessDenied", status: 403},
		{name: "ec2 region denied", opts: Options{DenyRegions: []string{"eu-west-1"}}, region: "eu-west-1", call: ec2Describe, code: "UnauthorizedOperation", status: 403},
		// No AWS error code, but a 500 the SDK retries like any other.
		{name: "ec2 bare server error", opts: Options{ServerErrorActions: []string{"DescribeSecurityGroups"}}, call: ec2Describe, status: 500, retryable: true},
		{name: "server error beats throttling", opts: Options{ThrottleRate: 1, ServerErrorActions: []string{"DescribeSecurityGroups"}}, call: ec2Describe, status: 500, retryable: true},
		{name: "organizations bare server error", opts: Options{ServerErrorActions: []string{"ListAccounts"}}, call: orgAccounts, status: 500, retryable: true},
		{name: "autoscaling bare server error", opts: Options{ServerErrorActions: []string{"DescribeLaunchConfigurations"}}, call: asgConfigs, status: 500, retryable: true},
	}
	classifier := retry.NewStandard()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := newUpstream(t, nil)
			tt.opts.Target = up.URL
			p := StartT(t, tt.opts)
			region := tt.region
			if region == "" {
				region = "us-east-1"
			}
			err := tt.call(sdkConfig(p.URL(), region, 1))
			if err == nil {
				t.Fatal("call succeeded, want the injected error")
			}
			var apiErr smithy.APIError
			var code string
			if errors.As(err, &apiErr) {
				code = apiErr.ErrorCode()
			}
			var status int
			var respErr *smithyhttp.ResponseError
			if errors.As(err, &respErr) {
				status = respErr.HTTPStatusCode()
			}
			var sendErr *smithyhttp.RequestSendError
			got := []any{code, status, classifier.IsErrorRetryable(err),
				retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool(), errors.As(err, &sendErr)}
			want := []any{tt.code, tt.status, tt.retryable, tt.throttle, tt.code == "" && tt.status == 0}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("error %v\n[code, status, retryable, throttle, connection error] (-want +got):\n%s", err, diff)
			}
			if tt.code != "" && !strings.Contains(err.Error(), "faultproxy-00000001") {
				t.Errorf("error %q does not carry the injected request id", err)
			}
			if n := up.hits.Load(); n != 0 {
				t.Errorf("upstream saw %d requests, want 0", n)
			}
			// One attempt, one request: neither the SDK nor net/http
			// retried the fault behind the caller's back.
			if n := len(p.Calls()); n != 1 {
				t.Errorf("proxy saw %d requests, want 1", n)
			}
		})
	}
}

// TestServerErrorActions: every request for a listed action, of any
// service, gets the bare HTML 500, counted apart; other actions are
// forwarded.
func TestServerErrorActions(t *testing.T) {
	t.Parallel()
	up := newUpstream(t, nil)
	p := StartT(t, Options{Target: up.URL, ServerErrorActions: []string{"DescribeSecurityGroups", "ListAccounts"}})
	got := []int{
		rawCall(t, p.URL(), "ec2", "us-east-1", "DescribeSecurityGroups"),
		rawCall(t, p.URL(), "ec2", "us-east-1", "DescribeSecurityGroups"),
		rawCall(t, p.URL(), "ec2", "eu-west-1", "DescribeVpcs"),
	}
	if diff := cmp.Diff([]int{500, 500, 200}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	wantCalls := []Call{
		{Service: "ec2", Action: "DescribeSecurityGroups", Region: "us-east-1", Injected: FaultServerError},
		{Service: "ec2", Action: "DescribeSecurityGroups", Region: "us-east-1", Injected: FaultServerError},
		{Service: "ec2", Action: "DescribeVpcs", Region: "eu-west-1"},
	}
	if diff := cmp.Diff(wantCalls, p.Calls()); diff != "" {
		t.Errorf("Calls() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Stats{Requests: 3, ServerErrors: 2, Forwarded: 1}, p.Stats()); diff != "" {
		t.Errorf("Stats() (-want +got):\n%s", diff)
	}
	if n := up.hits.Load(); n != 1 {
		t.Errorf("upstream saw %d requests, want the forwarded one", n)
	}
}
