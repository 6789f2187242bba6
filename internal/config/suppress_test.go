package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

const arnWeb = "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0000000000000001"

// webFinding is an SGA002 finding on rule sgr-0abc of group "legacy-web"
// in 111122223333/eu-west-1.
func webFinding() findings.Finding {
	return findings.Finding{
		CheckID: "SGA002", Severity: findings.SeverityCritical, AccountID: "111122223333", Region: "eu-west-1",
		GroupID: "sg-0000000000000001", GroupName: "legacy-web", GroupARN: arnWeb, RuleID: "sgr-0abc",
		Fingerprint: "fp-web",
	}
}

var webTags = map[string]string{"env": "sandbox", "team": "payments"}

func TestSuppressionMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Suppression
		want bool
	}{
		{"check", Suppression{Check: "SGA002"}, true},
		{"other check", Suppression{Check: "SGA001"}, false},
		{"account", Suppression{Account: "111122223333"}, true},
		{"other account", Suppression{Account: "444455556666"}, false},
		{"region", Suppression{Region: "eu-west-1"}, true},
		{"region glob", Suppression{Region: "eu-*"}, true},
		{"region glob that does not match", Suppression{Region: "us-*"}, false},
		{"group id", Suppression{Group: "sg-0000000000000001"}, true},
		{"group name", Suppression{Group: "legacy-web"}, true},
		{"group name glob", Suppression{Group: "legacy-*"}, true},
		{"group ARN", Suppression{Group: arnWeb}, true},
		{"group glob with ?", Suppression{Group: "legacy-we?"}, true},
		{"group glob is anchored", Suppression{Group: "legacy"}, false},
		{"group glob is case-sensitive", Suppression{Group: "Legacy-*"}, false},
		{"other group", Suppression{Group: "sg-0000000000000002"}, false},
		{"rule", Suppression{Rule: "sgr-0abc"}, true},
		{"other rule", Suppression{Rule: "sgr-0def"}, false},
		{"tag", Suppression{Tags: map[string]string{"env": "sandbox"}}, true},
		{"tag value glob", Suppression{Tags: map[string]string{"team": "pay*"}}, true},
		{"tag present with any value", Suppression{Tags: map[string]string{"team": "*"}}, true},
		{"tag with another value", Suppression{Tags: map[string]string{"env": "prod"}}, false},
		{"tag the group lacks, even with *", Suppression{Tags: map[string]string{"owner": "*"}}, false},
		{"every tag must match", Suppression{Tags: map[string]string{"env": "sandbox", "team": "web"}}, false},
		{"all matchers match", Suppression{Check: "SGA002", Account: "111122223333", Region: "eu-west-1", Group: "legacy-*", Rule: "sgr-0abc", Tags: map[string]string{"env": "sandbox"}}, true},
		{"all must match: check differs", Suppression{Check: "SGA001", Account: "111122223333", Region: "eu-west-1", Group: "legacy-*", Rule: "sgr-0abc"}, false},
		{"all must match: region differs", Suppression{Check: "SGA002", Region: "us-east-1", Group: "legacy-*"}, false},
		{"all must match: tag differs", Suppression{Check: "SGA002", Group: "legacy-*", Tags: map[string]string{"env": "prod"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := webFinding()
			if got := tt.s.Matches(&f, webTags); got != tt.want {
				t.Errorf("Matches(%+v) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}

func TestSuppressionWithoutRuleIDNeverMatchesRule(t *testing.T) {
	t.Parallel()
	// Exported describe-security-groups JSON has no sgr- ids: a rule matcher
	// must not match the empty id.
	f := webFinding()
	f.RuleID = ""
	s := Suppression{Rule: "sgr-0abc"}
	if s.Matches(&f, nil) {
		t.Error("a rule matcher matched a finding without a rule id")
	}
}

// TestExpiryBoundary: a suppression applies through the end of its expires
// day in UTC, whatever the time zone of the clock.
func TestExpiryBoundary(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("suppressions:\n  - check: SGA002\n    reason: r\n    expires: 2027-01-31\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := &cfg.Suppressions[0]
	tokyo := time.FixedZone("UTC+9", 9*3600)
	tests := []struct {
		name    string
		now     time.Time
		expired bool
	}{
		{"the day before", time.Date(2027, 1, 30, 12, 0, 0, 0, time.UTC), false},
		{"the expires day, first instant", time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC), false},
		{"the expires day, last instant", time.Date(2027, 1, 31, 23, 59, 59, 999999999, time.UTC), false},
		{"the next day, midnight UTC", time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), true},
		{"the next day local, still the 31st in UTC", time.Date(2027, 2, 1, 8, 0, 0, 0, tokyo), false},
		{"the 1st in UTC seen from Tokyo", time.Date(2027, 2, 1, 9, 0, 0, 0, tokyo), true},
		{"a year later", time.Date(2028, 1, 31, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := s.ExpiredAt(tt.now); got != tt.expired {
				t.Errorf("ExpiredAt(%s) = %v, want %v", tt.now, got, tt.expired)
			}
			rep := &findings.Report{Findings: []findings.Finding{webFinding()}}
			cfg.Apply(rep, nil, tt.now)
			if suppressed := rep.Findings[0].Suppression != nil; suppressed == tt.expired {
				t.Errorf("at %s: suppressed = %v, want %v", tt.now, suppressed, !tt.expired)
			}
		})
	}
	never := Suppression{Check: "SGA002"}
	if never.ExpiredAt(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a suppression without expires expired")
	}
}

func TestApply(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	src := `suppressions:
  - group: legacy-*
    check: SGA002
    reason: vendor appliance
    owner: platform-team
    expires: 2027-01-31
  - check: SGA002
    reason: shadowed by the first for legacy-web, but matches db too
  - rule: sgr-gone
    reason: rule since deleted
  - tag: {env: sandbox}
    check: SGA007
    reason: sandbox accounts may skip descriptions
    expires: 2026-01-31
`
	cfg, err := Parse(".sgaudit.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	web := webFinding()
	db := webFinding()
	db.GroupID, db.GroupName, db.GroupARN, db.RuleID, db.Fingerprint = "sg-0000000000000002", "db", "arn:db", "sgr-0def", "fp-db"
	undescribed := webFinding()
	undescribed.CheckID, undescribed.Severity, undescribed.Fingerprint = "SGA007", findings.SeverityLow, "fp-desc"
	ssh := webFinding()
	ssh.CheckID, ssh.Severity, ssh.Fingerprint = "SGA001", findings.SeverityHigh, "fp-ssh"
	rep := &findings.Report{Findings: []findings.Finding{web, db, undescribed, ssh}}

	cfg.Apply(rep, GroupTags{arnWeb: webTags, "arn:db": {"env": "prod"}}, now)

	got := map[string]*findings.Suppression{}
	for _, f := range rep.Findings {
		got[f.Fingerprint] = f.Suppression
	}
	want := map[string]*findings.Suppression{
		"fp-web":  {Reason: "vendor appliance", Owner: "platform-team", Expires: "2027-01-31", Source: ".sgaudit.yaml:2"},
		"fp-db":   {Reason: "shadowed by the first for legacy-web, but matches db too", Source: ".sgaudit.yaml:7"},
		"fp-desc": nil, // its suppression expired
		"fp-ssh":  nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressions (-want +got):\n%s", diff)
	}
	wantNotices := []findings.Notice{
		{Level: findings.NoticeInfo, Message: ".sgaudit.yaml:9: suppression of every check for rule sgr-gone matched no finding; remove it if the problem is fixed"},
		{Level: findings.NoticeWarning, Message: ".sgaudit.yaml:11: suppression of SGA007 for tag env=sandbox expired on 2026-01-31; it no longer applies (1 finding no longer suppressed)"},
	}
	if diff := cmp.Diff(wantNotices, rep.Notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
	// Summary is recomputed: two suppressed; the expired one counts again.
	wantSummary := findings.Summary{
		Findings: 2, Suppressed: 2,
		BySeverity: map[findings.Severity]int{findings.SeverityLow: 1, findings.SeverityMedium: 0, findings.SeverityHigh: 1, findings.SeverityCritical: 0},
		ByCheck:    map[string]int{"SGA001": 1, "SGA007": 1},
	}
	if diff := cmp.Diff(wantSummary, rep.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !rep.FailsAt(findings.SeverityHigh) || rep.FailsAt(findings.SeverityCritical) {
		t.Error("with both CRITICAL findings suppressed, --fail-on critical must pass and --fail-on high must fail (SGA001)")
	}
}

func TestApplyExpiredSuppressionWithoutFindings(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("suppressions:\n  - account: '111122223333'\n    region: us-east-1\n    reason: r\n    expires: 2020-05-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep := &findings.Report{Findings: []findings.Finding{webFinding()}}
	cfg.Apply(rep, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	want := []findings.Notice{{Level: findings.NoticeWarning,
		Message: "c.yaml:2: suppression of every check for account 111122223333, region us-east-1 expired on 2020-05-01; it no longer applies"}}
	if diff := cmp.Diff(want, rep.Notices); diff != "" {
		t.Errorf("notices (-want +got):\n%s", diff)
	}
}

func TestApplyNilAndEmpty(t *testing.T) {
	t.Parallel()
	for i, cfg := range []*Config{nil, {Path: "c.yaml"}} {
		rep := &findings.Report{Findings: []findings.Finding{webFinding()}}
		cfg.Apply(rep, nil, time.Now())
		if rep.Findings[0].Suppression != nil || len(rep.Notices) != 0 {
			t.Errorf("%d: a config without suppressions changed the report: %+v", i, rep)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	// 100 suppressions × 10k findings: the nested loop must stay cheap.
	var cfg Config
	for i := range 100 {
		cfg.Suppressions = append(cfg.Suppressions, Suppression{Group: fmt.Sprintf("legacy-%d-*", i), Check: "SGA002", Reason: "r"})
	}
	fs := make([]findings.Finding, 10000)
	for i := range fs {
		fs[i] = webFinding()
		fs[i].GroupName = fmt.Sprintf("legacy-%d-x", i%200)
	}
	now := time.Now()
	for b.Loop() {
		rep := &findings.Report{Findings: append([]findings.Finding(nil), fs...)}
		cfg.Apply(rep, nil, now)
	}
}
