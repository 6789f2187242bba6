package collect

import (
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// DefaultMaxAttempts is how many times one API call is tried, first try
// included, when Options.MaxAttempts is not set. With EC2's throttling
// answered 20% of the time, ten attempts fail a call once in 10⁷.
const DefaultMaxAttempts = 10

// bareServerErrorAttempts caps the attempts of a call answered with an HTTP
// 5xx that carries no AWS error document (see bareServerError), whatever
// Options.MaxAttempts says. AWS answers its own faults with an error code
// (InternalError, ServiceUnavailable...), which get every attempt; a bare
// 500 comes from something in front of the service or from an emulator
// without the action, and ten attempts with growing back-off would only
// hold the pair up. Three is the SDK's own default. The limit is listed
// in docs/security.md.
const bareServerErrorAttempts = 3

// newRetryer is the retry policy of every client the collector builds:
// the SDK's adaptive mode, which backs off exponentially and also slows the
// client down while the service throttles it. One retryer per client, and
// one client per (account, region), so each pair adapts to its own bucket,
// as EC2 meters each account and region separately.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
func newRetryer(maxAttempts int) aws.Retryer {
	return bareServerErrorCap{retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			// The retry quota protects a service in an outage from retry
			// storms of long-lived clients; a scan's clients are short-lived
			// and already paced by the rate budget and the adaptive limiter,
			// and a quota running dry would turn throttling into coverage
			// errors, which is what retrying is meant to prevent.
			so.RateLimiter = ratelimit.None
			// An operation the service says it does not have fails the same
			// way every time: retrying it only delays the scan. A bare HTTP
			// 500 is not such an answer: it is retried like any 500, up to
			// bareServerErrorAttempts.
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if unsupportedCode(errorCode(err)) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, so.Retryables...)
		})
	})}
}

// bareServerErrorCap stops retrying a bare server error after
// bareServerErrorAttempts. The SDK asks RetryDelay before every retry and
// gives up with the error it returns, so the call fails with the server's
// answer, wrapped as the SDK wraps an exhausted retry.
type bareServerErrorCap struct{ aws.RetryerV2 }

// RetryDelay implements aws.Retryer.
func (r bareServerErrorCap) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= bareServerErrorAttempts && bareServerError(err) {
		return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

// unsupportedCode reports whether an AWS error code says the endpoint does
// not implement the operation at all (a partition or region without the
// API), as opposed to failing this once.
func unsupportedCode(code string) bool {
	switch code {
	case "InvalidAction", "UnsupportedOperation", "NotImplemented", "UnknownOperationException":
		return true
	}
	return false
}

// bareServerError reports whether err is an HTTP 500 or 501 that carries no
// AWS error document: how emulators such as moto answer actions they lack
// (moto 5.2 has no DescribeSecurityGroupReferences nor
// DescribeStaleSecurityGroups and answers them with an HTML page), but
// also what a failing proxy or load balancer in front of the service
// sends. AWS itself answers a 500 with an XML InternalError code.
func bareServerError(err error) bool {
	if errorCode(err) != "" {
		return false
	}
	code := httpStatus(err)
	return code == http.StatusInternalServerError || code == http.StatusNotImplemented
}

// httpStatus is the HTTP status of the response err came with, 0 when
// there was none (a timeout, a network error).
func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		return 0
	}
	return re.HTTPStatusCode()
}

// endpointLacks reports whether a failure of kind means that the endpoint
// does not implement the kind's API, so the pair stays ok with the kind
// missing from coverage.collected. Only the optional kinds an emulator is
// known to lack qualify (references, stale references, and the
// proof-of-use kinds, whose whole service an emulator may lack: SGA008
// still says "not checked" where they are missing), only on their first page (an endpoint that
// answered one page has the API), and only with an answer that says so:
// an AWS "InvalidAction" style code, or a bare 500 or 501 once its retries
// are spent. Every other failure, of every other kind, is a coverage gap:
// a bare 500 on DescribeSecurityGroups must never make a region look
// clean.
func endpointLacks(kind string, err error) bool {
	if kind != inventory.KindReferences && kind != inventory.KindStaleReferences && !isUseKind(kind) {
		return false
	}
	var pe *pageError
	if errors.As(err, &pe) && pe.page > 1 {
		return false
	}
	return unsupportedCode(errorCode(err)) || bareServerError(err)
}
