package inventory

import (
	"regexp"
	"testing"
)

// The regexps the hand-written matchers replaced: the oracles.
var (
	regionRegexp       = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	partitionRegexp    = regexp.MustCompile(`^aws(-[a-z0-9]+)*$`)
	prefixListIDRegexp = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)
)

var nameSamples = []string{
	"", "a", "eu", "eu-", "eu-west", "eu-west-", "eu-west-1", "eu-west-12", "eu-west-1a", "us-gov-west-1",
	"us-isob-east-1", "eu-1", "EU-west-1", "eu-West-1", "eu--west-1", "eu-west--1", "eu-west-1-", "eu-west-1-lax-1",
	"e-west-1", "euw-west-1", "eu-west-x1", "eu-west1", "eu-west-1\n", " eu-west-1", "eu-wést-1", "eu-west-١",
	"aws", "aws-", "aws-cn", "aws-us-gov", "aws-iso-b", "aws-iso-b2", "aws--cn", "aws-CN", "awscn", "aws-cn-", "AWS", "xaws",
	"pl-", "pl-0123456", "pl-01234567", "pl-0123456789abcdef0", "pl-0123456789abcdef01", "pl-0123456789ABCDEF", "pl-0123456g",
	"PL-01234567", "pl-01234567 ", "pl--1234567",
}

// TestNamePatterns checks the hand-written matchers against the regexps
// they replaced.
func TestNamePatterns(t *testing.T) {
	for _, s := range nameSamples {
		checkNamePatterns(t, s)
	}
}

func checkNamePatterns(t *testing.T, s string) {
	t.Helper()
	if got, want := ValidRegion(s), regionRegexp.MatchString(s); got != want {
		t.Errorf("ValidRegion(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := partitionPattern.MatchString(s), partitionRegexp.MatchString(s); got != want {
		t.Errorf("partitionPattern(%q) = %v, regexp says %v", s, got, want)
	}
	if got, want := ValidPrefixListID(s), prefixListIDRegexp.MatchString(s); got != want {
		t.Errorf("ValidPrefixListID(%q) = %v, regexp says %v", s, got, want)
	}
}

// FuzzNamePatterns compares the matchers with the regexps on any text.
//
//	go test ./scanner/inventory -run '^$' -fuzz '^FuzzNamePatterns$' -fuzztime 20000x
func FuzzNamePatterns(f *testing.F) {
	for _, s := range nameSamples {
		f.Add(s)
	}
	f.Fuzz(checkNamePatterns)
}
