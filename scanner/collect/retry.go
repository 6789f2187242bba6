package collect

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// DefaultMaxAttempts is how many times one API call is tried, first try
// included, when Options.MaxAttempts is not set. With EC2's throttling
// answered 20% of the time, ten attempts fail a call once in 10⁷.
const DefaultMaxAttempts = 10

// newRetryer is the retry policy of every client the collector builds:
// the SDK's adaptive mode, which backs off exponentially and also slows the
// client down while the service throttles it. One retryer per client, and
// one client per (account, region), so each pair adapts to its own bucket,
// as EC2 meters each account and region separately.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
func newRetryer(maxAttempts int) aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			// The retry quota protects a service in an outage from retry
			// storms of long-lived clients; a scan's clients are short-lived
			// and already paced by the rate budget and the adaptive limiter,
			// and a quota running dry would turn throttling into coverage
			// errors, which is what retrying is meant to prevent.
			so.RateLimiter = ratelimit.None
			// An operation the endpoint does not implement fails the same
			// way every time: retrying it only delays the scan.
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if unsupported(err) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, so.Retryables...)
		})
	})
}

// unsupported reports whether err says the endpoint does not implement the
// operation at all, as opposed to failing this once: an AWS "InvalidAction"
// style code (a partition or region without the API), or an HTTP 500 or 501
// that carries no AWS error document, which is how emulators such as moto
// answer actions they lack (moto 5.2 has no DescribeSecurityGroupReferences
// nor DescribeStaleSecurityGroups and answers them with an HTML page).
// AWS itself answers a 500 with an XML InternalError code, which stays
// retryable.
func unsupported(err error) bool {
	switch errorCode(err) {
	case "InvalidAction", "UnsupportedOperation", "NotImplemented", "UnknownOperationException":
		return true
	case "":
	default:
		return false
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	code := re.HTTPStatusCode()
	return code == http.StatusInternalServerError || code == http.StatusNotImplemented
}

// unsupportedDetail says briefly why an operation counts as unsupported:
// the AWS code, or the bare HTTP status of a response without one (whose
// body, an HTML page, says nothing useful).
func unsupportedDetail(err error) string {
	if errorCode(err) != "" {
		return describeError(err)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return "HTTP " + strconv.Itoa(re.HTTPStatusCode()) + " without an AWS error code"
	}
	return describeError(err)
}
