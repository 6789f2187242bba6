package collect

import "github.com/sgaudit/sgaudit/scanner/inventory"

// The names the importer checks on every item, matched without regexp:
// the regexps were a tenth of an import's time (docs/performance.md).
// Each matches exactly what its regexp, in the comment, matches
// (TestNameMatchers, FuzzNameMatchers).

// regionName and partitionName are what an ARN's region and partition
// must look like: they end up in ARNs, coverage rows and file names.
var (
	regionName    regionNameMatcher    // ^[a-z]{2}(?:-[a-z]+)+-\d+$
	partitionName partitionNameMatcher // ^aws(?:-[a-z]+)*$
)

// azRegion matches the region prefix of an availability zone name:
// us-east-1a, us-west-2-lax-1a and us-east-1-wl1-bos-wlz-1 all start with
// their region.
var azRegion azRegionMatcher // ^[a-z]{2}(?:-[a-z]+)+-\d+

type regionNameMatcher struct{}

func (regionNameMatcher) MatchString(s string) bool { return inventory.ValidRegion(s) }

type partitionNameMatcher struct{}

func (partitionNameMatcher) MatchString(s string) bool {
	if len(s) < 3 || s[:3] != "aws" {
		return false
	}
	for i := 3; i < len(s); {
		if s[i] != '-' {
			return false
		}
		j := i + 1
		for j < len(s) && 'a' <= s[j] && s[j] <= 'z' {
			j++
		}
		if j == i+1 {
			return false
		}
		i = j
	}
	return true
}

type azRegionMatcher struct{}

// FindString returns the region at the start of s, "" if none.
func (azRegionMatcher) FindString(s string) string {
	if n := regionPrefix(s); n > 0 {
		return s[:n]
	}
	return ""
}

// regionPrefix returns the length of the match of ^[a-z]{2}(?:-[a-z]+)+-\d+
// at the start of s, -1 if none. The parts are split by '-', which none of
// them holds, so there is one way to read s: two letters, groups of
// letters, then the digits of the first group that starts with one.
func regionPrefix(s string) int {
	lower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	if len(s) < 2 || !lower(s[0]) || !lower(s[1]) {
		return -1
	}
	for i, groups := 2, 0; ; groups++ {
		if i >= len(s) || s[i] != '-' {
			return -1
		}
		j := i + 1
		if j < len(s) && digit(s[j]) {
			if groups == 0 {
				return -1
			}
			for j < len(s) && digit(s[j]) {
				j++
			}
			return j
		}
		k := j
		for k < len(s) && lower(s[k]) {
			k++
		}
		if k == j {
			return -1
		}
		i = k
	}
}
