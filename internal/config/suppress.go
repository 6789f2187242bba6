package config

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"time"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// GroupTags maps a security group ARN to its tags. Findings name their
// group but do not carry its tags, so the caller (scan.Evaluate) builds
// this from the inventory for tag matchers.
type GroupTags map[string]map[string]string

// Apply marks the findings the suppressions match, adds a Notice for each
// suppression that has expired (warning: it no longer applies, so its
// findings count again) and for each that matched nothing (info: stale
// configuration), and recomputes rep.Summary. The first suppression in file
// order that matches a finding is the one recorded on it. now decides
// expiry; see Suppression.ExpiredAt.
func (c *Config) Apply(rep *findings.Report, tags GroupTags, now time.Time) {
	if c == nil || len(c.Suppressions) == 0 {
		return
	}
	hits := make([]int, len(c.Suppressions))
	for i := range rep.Findings {
		f := &rep.Findings[i]
		for j := range c.Suppressions {
			s := &c.Suppressions[j]
			if !s.Matches(f, tags[f.GroupARN]) {
				continue
			}
			// Count every match, not only the first, so that a suppression
			// shadowed by an earlier one is not reported as stale.
			hits[j]++
			if f.Suppression != nil || s.ExpiredAt(now) {
				continue
			}
			f.Suppression = &findings.Suppression{
				Reason:  s.Reason,
				Owner:   s.Owner,
				Expires: s.Expires,
				Source:  s.Source(c.Path),
			}
		}
	}
	for j := range c.Suppressions {
		s := &c.Suppressions[j]
		switch {
		case s.ExpiredAt(now):
			msg := fmt.Sprintf("%s: suppression of %s expired on %s; it no longer applies", s.Source(c.Path), s.describe(), s.Expires)
			if hits[j] > 0 {
				msg += fmt.Sprintf(" (%s no longer suppressed)", plural(hits[j], "finding"))
			}
			rep.Notices = append(rep.Notices, findings.Notice{Level: findings.NoticeWarning, Message: msg})
		case hits[j] == 0:
			rep.Notices = append(rep.Notices, findings.Notice{Level: findings.NoticeInfo,
				Message: fmt.Sprintf("%s: suppression of %s matched no finding; remove it if the problem is fixed", s.Source(c.Path), s.describe())})
		}
	}
	rep.Summarise()
}

// Matches reports whether every matcher the suppression sets matches the
// finding; groupTags are the tags of the finding's group. Expiry is not
// considered.
func (s *Suppression) Matches(f *findings.Finding, groupTags map[string]string) bool {
	switch {
	case s.Check != "" && s.Check != f.CheckID,
		s.Account != "" && s.Account != f.AccountID,
		s.Region != "" && !glob(s.Region, f.Region),
		s.Rule != "" && s.Rule != f.RuleID,
		s.Group != "" && s.Group != f.GroupARN && !glob(s.Group, f.GroupID) && !glob(s.Group, f.GroupName):
		return false
	}
	for k, want := range s.Tags {
		got, ok := groupTags[k]
		if !ok || !glob(want, got) {
			return false
		}
	}
	return true
}

// glob matches with path.Match semantics (*, ?, [a-z]); patterns were
// checked when the file was parsed.
func glob(pattern, s string) bool {
	ok, _ := path.Match(pattern, s)
	return ok
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
