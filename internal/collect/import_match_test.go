package collect

import (
	"regexp"
	"testing"
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

// FuzzNameMatchers compares the matchers with the regexps on any text.
//
//	go test ./internal/collect -run '^$' -fuzz '^FuzzNameMatchers$' -fuzztime 20000x
func FuzzNameMatchers(f *testing.F) {
	for _, s := range matcherSamples {
		f.Add(s)
	}
	f.Fuzz(checkNameMatchers)
}
