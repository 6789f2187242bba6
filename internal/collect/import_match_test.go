package collect

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// The regexps the hand-written matchers replaced: the oracles.
var (
	regionNameRegexp    = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d+$`)
	partitionNameRegexp = regexp.MustCompile(`^aws(?:-[a-z]+)*$`)
	azRegionRegexp      = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-\d+`)
)

var matcherSamples = []string{
	"", "a", "eu", "eu-", "eu-west", "eu-west-", "eu-west-1", "eu-west-12", "eu-west-1a", "us-gov-west-1",
	"us-west-2-lax-1a", "us-east-1-wl1-bos-wlz-1", "eu-1", "eu-1a", "EU-west-1", "eu--west-1", "eu-west--1",
	"eu-west-1-", "e-west-1", "euw-west-1", "eu-west-x1", "eu-west1", "eu-west1-1", "eu-west-1\n", " eu-west-1",
	"eu-wést-1", "eu-west-١", "aws", "aws-", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-iso-b2", "aws--cn",
	"aws-CN", "awscn", "aws-cn-", "AWS",
}

// TestNameMatchers checks the importer's matchers against the regexps
// they replaced.
func TestNameMatchers(t *testing.T) {
	for _, s := range matcherSamples {
		checkNameMatchers(t, s)
	}
}

func checkNameMatchers(t *testing.T, s string) {
	t.Helper()
	if got, want := regionName.MatchString(s), regionNameRegexp.MatchString(s); got != want {
		t.Errorf("regionName(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := partitionName.MatchString(s), partitionNameRegexp.MatchString(s); got != want {
		t.Errorf("partitionName(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := azRegion.FindString(s), azRegionRegexp.FindString(s); got != want {
		t.Errorf("azRegion(%q) = %q, regexp says %q", s, got, want)
	}
}

// FuzzNameMatchers compares the matchers with the regexps, and arnRegion
// with arn.Parse, on any text.
//
//	go test ./internal/collect -run '^$' -fuzz '^FuzzNameMatchers$' -fuzztime 20000x
func FuzzNameMatchers(f *testing.F) {
	for _, s := range append(matcherSamples, arnSamples...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNameMatchers(t, s)
		checkARNRegion(t, s)
	})
}

var arnSamples = []string{
	"", "arn", "arn:", "arn:aws", "arn:aws:ec2", "arn:aws:ec2:eu-west-1", "arn:aws:ec2:eu-west-1:111122223333",
	"arn:aws:ec2:eu-west-1:111122223333:", "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
	"arn:aws:ec2:eu-west-1:111122223333:a:b:c", "arn::::::", "arn:::::", "ARN:aws:ec2:r:a:x", " arn:aws:ec2:r:a:x",
	"arn:aws-cn:ec2::111122223333:x",
}

// TestARNRegion checks arnRegion against arn.Parse, which it replaced.
func TestARNRegion(t *testing.T) {
	for _, s := range arnSamples {
		checkARNRegion(t, s)
	}
}

func checkARNRegion(t *testing.T, s string) {
	t.Helper()
	var wantRegion, wantPartition string
	if a, err := arn.Parse(s); err == nil {
		wantRegion, wantPartition = a.Region, a.Partition
	}
	if region, partition := arnRegion(s); region != wantRegion || partition != wantPartition {
		t.Errorf("arnRegion(%q) = %q, %q; arn.Parse says %q, %q", s, region, partition, wantRegion, wantPartition)
	}
}
