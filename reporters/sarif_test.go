package reporters

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/internal/sariftest"
	"github.com/sgaudit/sgaudit/internal/scan"
	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// sarifLog is the part of a SARIF log the tests read.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	AutomationDetails struct {
		ID string `json:"id"`
	} `json:"automationDetails"`
	Tool struct {
		Driver struct {
			Name  string      `json:"name"`
			Rules []sarifRule `json:"rules"`
		} `json:"driver"`
	} `json:"tool"`
	Results     []sarifResult  `json:"results"`
	Properties  map[string]any `json:"properties"`
	Invocations []struct {
		ExecutionSuccessful        bool `json:"executionSuccessful"`
		ToolExecutionNotifications []struct {
			Level   string `json:"level"`
			Message struct {
				Text string `json:"text"`
			} `json:"message"`
		} `json:"toolExecutionNotifications"`
	} `json:"invocations"`
}

type sarifRule struct {
	ID                   string `json:"id"`
	Name                 string `json:"name"`
	DefaultConfiguration struct {
		Level   string `json:"level"`
		Enabled bool   `json:"enabled"`
	} `json:"defaultConfiguration"`
	Help struct {
		Text     string `json:"text"`
		Markdown string `json:"markdown"`
	} `json:"help"`
	HelpURI    string `json:"helpUri"`
	Properties struct {
		Tags             []string `json:"tags"`
		SecuritySeverity string   `json:"security-severity"`
	} `json:"properties"`
}

type sarifResult struct {
	RuleID    string `json:"ruleId"`
	RuleIndex *int   `json:"ruleIndex"`
	Level     string `json:"level"`
	Message   struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			FullyQualifiedName string `json:"fullyQualifiedName"`
			Kind               string `json:"kind"`
		} `json:"logicalLocations"`
	} `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []struct {
		Kind          string            `json:"kind"`
		Justification string            `json:"justification"`
		Properties    map[string]string `json:"properties"`
	} `json:"suppressions"`
	BaselineState string         `json:"baselineState"`
	Properties    map[string]any `json:"properties"`
}

func parseSARIF(t *testing.T, b []byte) sarifLog {
	t.Helper()
	var log sarifLog
	if err := json.Unmarshal(b, &log); err != nil {
		t.Fatalf("decode SARIF: %v", err)
	}
	return log
}

func runIDs(log sarifLog) []string {
	ids := []string{}
	for _, r := range log.Runs {
		ids = append(ids, r.AutomationDetails.ID)
	}
	return ids
}

// allComplete returns the test report with every region of every account
// read, so each account gets a run.
func allComplete(t *testing.T) *findings.Report {
	t.Helper()
	r := loadReport(t, inReport)
	for i := range r.Coverage {
		r.Coverage[i].Status = inventory.CoverageOK
	}
	return r
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	schemaPath := requireTool(t, "node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json")
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile SARIF schema: %v", err)
	}
	unknownCheck := allComplete(t)
	unknownCheck.Findings[0].CheckID = "CUSTOM999"
	tests := []struct {
		name string
		r    *findings.Report
	}{
		{name: "golden report", r: loadReport(t, inReport)},
		{name: "every account complete", r: allComplete(t)},
		{name: "empty report", r: &findings.Report{}},
		{name: "finding of a check missing from the catalogue", r: unknownCheck},
		{name: "scan with escalations", r: escalationScan(t)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := render(t, SARIF{}, tt.r)
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("SARIF does not match the 2.1.0 schema: %v", err)
			}
			if bytes.Contains(out, []byte("null")) {
				t.Error("SARIF contains null")
			}
		})
	}
}

// multitoolPath and multitoolErrors: see internal/sariftest, shared with
// the CLI's end-to-end tests.
func multitoolPath(t *testing.T) string { return sariftest.MultitoolPath(t) }

func multitoolErrors(t *testing.T, tool string, log []byte) []string {
	return sariftest.MultitoolErrors(t, tool, log)
}

func TestSARIFMultitool(t *testing.T) {
	t.Parallel()
	tool := multitoolPath(t)
	for name, r := range map[string]*findings.Report{
		"golden report":          loadReport(t, inReport),
		"every account complete": allComplete(t),
		"scan with escalations":  escalationScan(t),
	} {
		t.Run(name+" passes GitHub's rules", func(t *testing.T) {
			t.Parallel()
			for _, e := range multitoolErrors(t, tool, render(t, SARIF{}, r)) {
				t.Error(e)
			}
		})
	}
	// A negative control: the same log with GitHub-breaking locations must
	// fail, or the test above proves nothing (wrong config, file skipped).
	t.Run("broken locations are caught", func(t *testing.T) {
		t.Parallel()
		var doc map[string]any
		if err := json.Unmarshal(render(t, SARIF{}, allComplete(t)), &doc); err != nil {
			t.Fatal(err)
		}
		results := doc["runs"].([]any)[0].(map[string]any)["results"].([]any)
		results[0].(map[string]any)["locations"] = []any{}
		loc := results[1].(map[string]any)["locations"].([]any)[0].(map[string]any)
		loc["physicalLocation"].(map[string]any)["artifactLocation"].(map[string]any)["uri"] = "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1"
		bad, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		errs := strings.Join(multitoolErrors(t, tool, bad), "\n")
		for _, rule := range []string{"GH1001", "GH1005"} {
			if !strings.Contains(errs, rule+":") {
				t.Errorf("multitool did not report %s; it reported:\n%s", rule, errs)
			}
		}
	})
}

func TestSARIFDeterministic(t *testing.T) {
	t.Parallel()
	first := render(t, SARIF{}, allComplete(t))
	if second := render(t, SARIF{}, allComplete(t)); !bytes.Equal(first, second) {
		t.Fatal("two writes of the same report differ")
	}
	// The order the report was built in must not matter either.
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5 {
		r := allComplete(t)
		rng.Shuffle(len(r.Findings), func(a, b int) { r.Findings[a], r.Findings[b] = r.Findings[b], r.Findings[a] })
		rng.Shuffle(len(r.Checks), func(a, b int) { r.Checks[a], r.Checks[b] = r.Checks[b], r.Checks[a] })
		rng.Shuffle(len(r.Coverage), func(a, b int) { r.Coverage[a], r.Coverage[b] = r.Coverage[b], r.Coverage[a] })
		if diff := cmp.Diff(string(first), string(render(t, SARIF{}, r))); diff != "" {
			t.Fatalf("shuffle %d changed the SARIF (-sorted +shuffled):\n%s", i, diff)
		}
	}
}

func TestSARIFRunsOnlyForCompleteAccounts(t *testing.T) {
	t.Parallel()
	skippedOnly := allComplete(t)
	skippedOnly.Coverage[0].Status = inventory.CoverageSkipped // a region not enabled is not a failure
	noFindings := allComplete(t)
	noFindings.Findings = slices.DeleteFunc(noFindings.Findings, func(f findings.Finding) bool { return f.AccountID == "222222222222" })
	erroredRegion := allComplete(t)
	erroredRegion.Coverage[len(erroredRegion.Coverage)-1].Status = inventory.CoverageError

	tests := []struct {
		name string
		r    *findings.Report
		want []string
	}{
		{name: "denied region drops the account", r: loadReport(t, inReport), want: []string{"sgaudit/aws/111111111111/"}},
		{name: "errored region drops the account", r: erroredRegion, want: []string{"sgaudit/aws/111111111111/"}},
		{name: "all read", r: allComplete(t), want: []string{"sgaudit/aws/111111111111/", "sgaudit/aws/222222222222/"}},
		{name: "skipped region keeps the account", r: skippedOnly, want: []string{"sgaudit/aws/111111111111/", "sgaudit/aws/222222222222/"}},
		// An account read completely with nothing wrong still gets its run:
		// that is what closes its fixed alerts on GitHub.
		{name: "clean account keeps its run", r: noFindings, want: []string{"sgaudit/aws/111111111111/", "sgaudit/aws/222222222222/"}},
		{name: "nothing scanned", r: &findings.Report{}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log := parseSARIF(t, render(t, SARIF{}, tt.r))
			if diff := cmp.Diff(tt.want, runIDs(log)); diff != "" {
				t.Errorf("runs (-want +got):\n%s", diff)
			}
			var checkIDs []string
			for _, c := range tt.r.Checks {
				checkIDs = append(checkIDs, c.ID)
			}
			slices.Sort(checkIDs)
			for _, run := range log.Runs {
				acct := strings.Split(run.AutomationDetails.ID, "/")[2]
				// The full catalogue, then a rule per other severity the
				// run's results have (see TestSARIFResultSeverity).
				wantRules := slices.Clone(checkIDs)
				var variants []string
				for _, f := range tt.r.Findings {
					c := tt.r.Checks[slices.IndexFunc(tt.r.Checks, func(c findings.Check) bool { return c.ID == f.CheckID })]
					id := f.CheckID + "/" + strings.ToLower(string(f.Severity))
					if f.AccountID == acct && f.Severity != c.Severity && !slices.Contains(variants, id) {
						variants = append(variants, id)
					}
				}
				slices.Sort(variants) // one check escalates to one severity here
				wantRules = append(wantRules, variants...)
				var ruleIDs []string
				for _, rule := range run.Tool.Driver.Rules {
					ruleIDs = append(ruleIDs, rule.ID)
				}
				if diff := cmp.Diff(wantRules, ruleIDs); diff != "" {
					t.Errorf("run %s does not carry the full catalogue and the escalations (-want +got):\n%s", acct, diff)
				}
				var want int
				for _, f := range tt.r.Findings {
					if f.AccountID == acct {
						want++
					}
				}
				if len(run.Results) != want {
					t.Errorf("run %s has %d results, want %d", acct, len(run.Results), want)
				}
				for _, res := range run.Results {
					if !strings.HasPrefix(res.Locations[0].PhysicalLocation.ArtifactLocation.URI, "aws/"+acct+"/") {
						t.Errorf("run %s holds a result of another account: %s", acct, res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
					}
				}
			}
		})
	}
}

func TestSARIFResults(t *testing.T) {
	t.Parallel()
	r := allComplete(t)
	log := parseSARIF(t, render(t, SARIF{}, r))
	byFingerprint := map[string]findings.Finding{}
	for _, f := range r.Findings {
		byFingerprint[f.Fingerprint] = f
	}
	seen := 0
	for _, run := range log.Runs {
		for _, res := range run.Results {
			fp := res.PartialFingerprints["primaryLocationLineHash"]
			f, ok := byFingerprint[fp]
			if !ok {
				t.Errorf("result %s has fingerprint %q of no finding", res.RuleID, fp)
				continue
			}
			seen++
			wantRule := f.CheckID
			if c := r.Checks[slices.IndexFunc(r.Checks, func(c findings.Check) bool { return c.ID == f.CheckID })]; c.Severity != f.Severity {
				wantRule += "/" + strings.ToLower(string(f.Severity))
			}
			if res.RuleID != wantRule {
				t.Errorf("%s: ruleId %q, want %q", fp, res.RuleID, wantRule)
			}
			if res.RuleIndex == nil || run.Tool.Driver.Rules[*res.RuleIndex].ID != wantRule {
				t.Errorf("%s: ruleIndex does not point at rule %s", fp, wantRule)
			}
			if len(res.Locations) != 1 {
				t.Fatalf("%s: %d locations", fp, len(res.Locations))
			}
			loc := res.Locations[0]
			wantURI := "aws/" + f.AccountID + "/" + f.Region + "/ec2/security-group/" + f.GroupID
			if got := loc.PhysicalLocation.ArtifactLocation.URI; got != wantURI {
				t.Errorf("%s: uri %q, want %q", fp, got, wantURI)
			}
			if loc.PhysicalLocation.Region.StartLine != 1 {
				t.Errorf("%s: startLine %d", fp, loc.PhysicalLocation.Region.StartLine)
			}
			if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != f.GroupARN || loc.LogicalLocations[0].Kind != "resource" {
				t.Errorf("%s: logical locations %+v, want the ARN as a resource", fp, loc.LogicalLocations)
			}
			msg := res.Message.Text
			for _, part := range []string{sanitize(f.Message), f.GroupARN, f.Remediation} {
				if !strings.Contains(msg, part) {
					t.Errorf("%s: message %q lacks %q", fp, msg, part)
				}
			}
			if strings.ContainsRune(msg, 0x1b) {
				t.Errorf("%s: message carries an escape sequence", fp)
			}
			for key, want := range map[string]any{
				"account_id": f.AccountID, "region": f.Region, "group_id": f.GroupID,
				"group_name": f.GroupName, "severity": string(f.Severity), "rule_id": f.RuleID,
			} {
				if want == "" {
					continue
				}
				if got := res.Properties[key]; got != want {
					t.Errorf("%s: property %s = %v, want %v", fp, key, got, want)
				}
			}
			switch {
			case f.Suppression == nil && len(res.Suppressions) != 0:
				t.Errorf("%s: unsuppressed finding has suppressions", fp)
			case f.Suppression != nil && (len(res.Suppressions) != 1 || res.Suppressions[0].Kind != "external" || res.Suppressions[0].Justification != f.Suppression.Reason):
				t.Errorf("%s: suppressions %+v, want one external with the reason", fp, res.Suppressions)
			case f.Suppression != nil && res.Suppressions[0].Properties["source"] != f.Suppression.Source:
				t.Errorf("%s: suppression source %q, want %q", fp, res.Suppressions[0].Properties["source"], f.Suppression.Source)
			}
			// The baseline state is the finding's; compliance controls are
			// the finding's, as JSON.
			if res.BaselineState != string(f.Baseline) {
				t.Errorf("%s: baselineState %q, want %q", fp, res.BaselineState, f.Baseline)
			}
			wantFW, _ := json.Marshal(f.Frameworks)
			gotFW, _ := json.Marshal(res.Properties["frameworks"])
			if len(f.Frameworks) == 0 {
				wantFW = []byte("null")
			}
			if string(wantFW) != string(gotFW) {
				t.Errorf("%s: frameworks property %s, want %s", fp, gotFW, wantFW)
			}
		}
	}
	if seen != len(r.Findings) {
		t.Errorf("%d of %d findings became results", seen, len(r.Findings))
	}
}

func TestSARIFSeverity(t *testing.T) {
	t.Parallel()
	// GitHub's bands for security-severity: critical >= 9.0, high 7.0–8.9,
	// medium 4.0–6.9, low 0.1–3.9.
	tests := []struct {
		sev      findings.Severity
		level    string
		severity string
	}{
		{sev: findings.SeverityCritical, level: "error", severity: "9.5"},
		{sev: findings.SeverityHigh, level: "error", severity: "8.0"},
		{sev: findings.SeverityMedium, level: "warning", severity: "5.5"},
		{sev: findings.SeverityLow, level: "note", severity: "2.0"},
	}
	for _, tt := range tests {
		t.Run(string(tt.sev), func(t *testing.T) {
			t.Parallel()
			r := &findings.Report{
				Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}},
				Checks: []findings.Check{{
					ID: "SGA001", Name: "open-admin-ports", Title: "t", Severity: tt.sev, Status: findings.CheckEvaluated,
					Tags: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "security", "j", "k"},
				}},
				Findings: []findings.Finding{{
					CheckID: "SGA001", Severity: tt.sev, AccountID: "111111111111", Region: "eu-west-1",
					GroupID: "sg-1", GroupARN: "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-1", Message: "m", Fingerprint: "f",
				}},
			}
			log := parseSARIF(t, render(t, SARIF{}, r))
			rule := log.Runs[0].Tool.Driver.Rules[0]
			if rule.DefaultConfiguration.Level != tt.level || log.Runs[0].Results[0].Level != tt.level {
				t.Errorf("levels: rule %q, result %q, want %q", rule.DefaultConfiguration.Level, log.Runs[0].Results[0].Level, tt.level)
			}
			if rule.Properties.SecuritySeverity != tt.severity {
				t.Errorf("security-severity %q, want %q", rule.Properties.SecuritySeverity, tt.severity)
			}
			tags := rule.Properties.Tags
			if len(tags) > maxRuleTags || !slices.Contains(tags, "security") {
				t.Errorf("tags %v: want at most %d including security", tags, maxRuleTags)
			}
			if sorted := slices.Sorted(slices.Values(tags)); len(slices.Compact(sorted)) != len(tags) {
				t.Errorf("duplicate tags %v", tags)
			}
		})
	}
}

func TestSARIFRules(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	log := parseSARIF(t, render(t, SARIF{}, r))
	rules := log.Runs[0].Tool.Driver.Rules
	for i, c := range r.Checks { // in-report.json lists checks by id
		rule := rules[i]
		if rule.ID != c.ID {
			t.Fatalf("rule %d is %s, want %s", i, rule.ID, c.ID)
		}
		if rule.Name != pascalCase(c.Name) || rule.Name == "" {
			t.Errorf("%s: name %q", c.ID, rule.Name)
		}
		if rule.DefaultConfiguration.Enabled != (c.Status != findings.CheckDisabled) {
			t.Errorf("%s: enabled = %v with status %s", c.ID, rule.DefaultConfiguration.Enabled, c.Status)
		}
		for _, part := range []string{c.Description, c.Resolution} {
			if !strings.Contains(rule.Help.Text, part) || !strings.Contains(rule.Help.Markdown, part) {
				t.Errorf("%s: help lacks %q", c.ID, part)
			}
		}
		for fw, controls := range c.Frameworks {
			for _, ctl := range controls {
				if !strings.Contains(rule.Help.Markdown, fw) || !strings.Contains(rule.Help.Markdown, ctl) {
					t.Errorf("%s: help lacks framework %s %s", c.ID, fw, ctl)
				}
			}
		}
		// A built-in check links to its page in docs/checks/ (and says so
		// in its help); a custom one to its first related resource.
		wantURI := ""
		if !c.Custom && strings.HasPrefix(c.ID, "SGA") {
			wantURI = "https://github.com/sgaudit/sgaudit/blob/main/docs/checks/" + c.ID + ".md"
			if !strings.Contains(rule.Help.Markdown, wantURI) || !strings.Contains(rule.Help.Text, wantURI) {
				t.Errorf("%s: help does not link %s", c.ID, wantURI)
			}
		} else if len(c.RelatedResources) > 0 {
			wantURI = c.RelatedResources[0]
		}
		if rule.HelpURI != wantURI {
			t.Errorf("%s: helpUri %q, want %q", c.ID, rule.HelpURI, wantURI)
		}
	}
}

func TestPascalCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"open-admin-ports":  "OpenAdminPorts",
		"open_all_traffic":  "OpenAllTraffic",
		"rule 2 check":      "Rule2Check",
		"already-Camel":     "AlreadyCamel",
		"":                  "",
		"--":                "",
		"ipv6-world-access": "Ipv6WorldAccess",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

// manyAccounts returns a report of n accounts, every one read, each with
// perAccount findings.
func manyAccounts(n, perAccount int) *findings.Report {
	r := &findings.Report{Checks: []findings.Check{{ID: "SGA007", Name: "rule-without-description", Severity: findings.SeverityLow, Status: findings.CheckEvaluated}}}
	for a := range n {
		acct := fmt.Sprintf("%012d", a+1)
		r.Accounts = append(r.Accounts, inventory.Account{ID: acct, Partition: "aws"})
		r.Coverage = append(r.Coverage, inventory.Coverage{AccountID: acct, Region: "eu-west-1", Status: inventory.CoverageOK})
		for i := range perAccount {
			id := fmt.Sprintf("sg-%017x", i)
			r.Findings = append(r.Findings, findings.Finding{
				CheckID: "SGA007", Severity: findings.SeverityLow, AccountID: acct, Region: "eu-west-1", GroupID: id,
				GroupARN: "arn:aws:ec2:eu-west-1:" + acct + ":security-group/" + id, Message: id + " has no description",
				Fingerprint: fmt.Sprintf("%s-%d", acct, i),
			})
		}
	}
	return r
}

func TestSARIFLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		r       *findings.Report
		wantErr bool
	}{
		{name: "20 runs", r: manyAccounts(MaxSARIFRuns, 1)},
		{name: "21 runs", r: manyAccounts(MaxSARIFRuns+1, 1), wantErr: true},
		{name: "25000 results", r: manyAccounts(1, MaxSARIFResultsPerRun)},
		{name: "25001 results", r: manyAccounts(1, MaxSARIFResultsPerRun+1), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if testing.Short() && !tt.wantErr && len(tt.r.Findings) > 1000 {
				t.Skip("builds 25,000 results; skipped with -short")
			}
			var buf bytes.Buffer
			err := SARIF{}.Write(&buf, tt.r)
			if tt.wantErr {
				if !errors.Is(err, ErrSARIFLimit) {
					t.Fatalf("error = %v, want ErrSARIFLimit", err)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes despite the error", buf.Len())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSplitByAccount(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	parts := SplitByAccount(r)
	var keys []string
	var all []findings.Finding
	for id, p := range parts {
		keys = append(keys, id)
		all = append(all, p.Findings...)
		for _, f := range p.Findings {
			if f.AccountID != id {
				t.Errorf("part %s holds a finding of %s", id, f.AccountID)
			}
		}
		for _, c := range p.Coverage {
			if c.AccountID != id {
				t.Errorf("part %s holds coverage of %s", id, c.AccountID)
			}
		}
		if diff := cmp.Diff(r.Checks, p.Checks); diff != "" {
			t.Errorf("part %s lost the catalogue (-want +got):\n%s", id, diff)
		}
		n := count(p.Findings)
		if p.Summary.Findings != n.active || p.Summary.Suppressed != n.suppressed {
			t.Errorf("part %s summary %+v does not count its own findings", id, p.Summary)
		}
		log := parseSARIF(t, render(t, SARIF{}, p))
		if len(log.Runs) > 1 {
			t.Errorf("part %s makes %d runs", id, len(log.Runs))
		}
	}
	slices.Sort(keys)
	if diff := cmp.Diff([]string{"111111111111", "222222222222"}, keys); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	slices.SortFunc(all, findings.CompareFindings)
	if diff := cmp.Diff(r.Findings, all); diff != "" {
		t.Errorf("the parts' findings are not the report's (-want +got):\n%s", diff)
	}

	// Exposures and fixed findings go to their account's part, every part
	// has every notice, and the parts' baseline counts add up to the
	// report's (the fixture's counts are consistent with its findings).
	var exposures []findings.Exposure
	var sum findings.BaselineSummary
	for _, id := range keys {
		p := parts[id]
		for _, e := range p.Exposures {
			if e.AccountID != id {
				t.Errorf("part %s holds an exposure of %s", id, e.AccountID)
			}
		}
		exposures = append(exposures, p.Exposures...)
		if diff := cmp.Diff(r.Notices, p.Notices); diff != "" {
			t.Errorf("part %s notices (-want +got):\n%s", id, diff)
		}
		b := p.Baseline
		if b == nil || b.Path != r.Baseline.Path || b.Fixed != len(b.FixedFindings) {
			t.Fatalf("part %s baseline %+v", id, b)
		}
		for _, f := range b.FixedFindings {
			if f.AccountID != id {
				t.Errorf("part %s holds a fixed finding of %s", id, f.AccountID)
			}
		}
		sum.New += b.New
		sum.Unchanged += b.Unchanged
		sum.Fixed += b.Fixed
	}
	if diff := cmp.Diff(r.Exposures, exposures); diff != "" {
		t.Errorf("the parts' exposures are not the report's (-want +got):\n%s", diff)
	}
	if got, want := [3]int{sum.New, sum.Unchanged, sum.Fixed}, [3]int{r.Baseline.New, r.Baseline.Unchanged, r.Baseline.Fixed}; got != want {
		t.Errorf("parts' baseline counts add up to %v (new, unchanged, fixed), want %v", got, want)
	}
	// The parts' SARIF runs are the whole report's runs.
	whole := parseSARIF(t, render(t, SARIF{}, allComplete(t)))
	var fromParts []sarifRun
	for _, id := range keys {
		p := SplitByAccount(allComplete(t))[id]
		fromParts = append(fromParts, parseSARIF(t, render(t, SARIF{}, p)).Runs...)
	}
	if diff := cmp.Diff(whole.Runs, fromParts); diff != "" {
		t.Errorf("runs of the parts differ from the whole (-whole +parts):\n%s", diff)
	}
	if got := SplitByAccount(nil); len(got) != 0 {
		t.Errorf("SplitByAccount(nil) = %v", got)
	}
}

func TestNilReport(t *testing.T) {
	t.Parallel()
	for _, rep := range []Reporter{JSON{}, SARIF{}, Markdown{}, Table{}} {
		var buf bytes.Buffer
		if err := rep.Write(&buf, nil); err == nil {
			t.Errorf("%T.Write(nil) succeeded", rep)
		}
		if buf.Len() != 0 {
			t.Errorf("%T.Write(nil) wrote %q", rep, buf.String())
		}
	}
}

// oneAccount is a report of one account read completely, with one check.
func oneAccount(fs ...findings.Finding) *findings.Report {
	return &findings.Report{
		Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}},
		Checks:   []findings.Check{{ID: "SGA001", Name: "open-admin-ports", Title: "t", Severity: findings.SeverityHigh, Status: findings.CheckEvaluated}},
		Findings: fs,
	}
}

func sshFinding(fp string, state findings.BaselineState) findings.Finding {
	return findings.Finding{
		CheckID: "SGA001", Severity: findings.SeverityHigh, AccountID: "111111111111", Region: "eu-west-1",
		GroupID: "sg-" + fp, GroupARN: "arn:aws:ec2:eu-west-1:111111111111:security-group/sg-" + fp,
		Message: "sg-" + fp + " allows SSH", Fingerprint: fp, Baseline: state,
	}
}

func TestSARIFBaselineState(t *testing.T) {
	t.Parallel()
	r := oneAccount(
		sshFinding("a", findings.BaselineNew),
		sshFinding("b", findings.BaselineUnchanged),
		sshFinding("c", ""), // no baseline given
		// A contract slip: "absent" belongs to the fixed findings only.
		sshFinding("d", findings.BaselineAbsent),
	)
	r.Baseline = &findings.BaselineSummary{Path: "old.json", New: 1, Unchanged: 1, Fixed: 1,
		FixedFindings: []findings.Finding{sshFinding("gone", findings.BaselineAbsent)}}
	log := parseSARIF(t, render(t, SARIF{}, r))
	got := map[string]string{}
	for _, res := range log.Runs[0].Results {
		got[res.PartialFingerprints["primaryLocationLineHash"]] = res.BaselineState
	}
	// GitHub closes the alert of a fixed finding by itself when the upload
	// lacks it; an "absent" result would only add noise.
	want := map[string]string{"a": "new", "b": "unchanged", "c": "", "d": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("baselineState by fingerprint (-want +got):\n%s", diff)
	}
}

func TestSARIFNotices(t *testing.T) {
	t.Parallel()
	type note struct{ Level, Text string }
	tests := []struct {
		name    string
		notices []findings.Notice
		want    []note // nil: no invocation at all
	}{
		{name: "none", notices: nil, want: nil},
		{
			name: "warnings first, info as note, sanitised full sentences",
			notices: []findings.Notice{
				{Level: findings.NoticeInfo, Message: "SGA014 is off by default"},
				{Level: findings.NoticeWarning, Message: "suppression for sg-1 (evil\x1b]0;pwned\x07) expired."},
			},
			want: []note{
				{Level: "warning", Text: "suppression for sg-1 (evil) expired."},
				{Level: "note", Text: "SGA014 is off by default."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := oneAccount(sshFinding("a", ""))
			r.Notices = tt.notices
			log := parseSARIF(t, render(t, SARIF{}, r))
			invs := log.Runs[0].Invocations
			if tt.want == nil {
				if len(invs) != 0 {
					t.Errorf("%d invocations, want none", len(invs))
				}
				return
			}
			if len(invs) != 1 || !invs[0].ExecutionSuccessful {
				t.Fatalf("invocations %+v, want one that executed successfully", invs)
			}
			var got []note
			for _, n := range invs[0].ToolExecutionNotifications {
				got = append(got, note{n.Level, n.Message.Text})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("notifications (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSARIFRuleTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		frameworks map[string][]string
		tags       []string
		want       []string
	}{
		{
			name:       "compliance before the check's tags",
			frameworks: map[string][]string{"cis-aws-foundations": {"5.2"}, "aws-security-hub": {"EC2.13", "EC2.14"}},
			tags:       []string{"network", "security", "ssh"},
			want:       []string{"security", "aws-security-hub/EC2.13", "aws-security-hub/EC2.14", "cis-aws-foundations/5.2", "network", "ssh"},
		},
		{
			name:       "capped at ten, compliance kept",
			frameworks: map[string][]string{"aws-security-hub": {"EC2.13", "EC2.14", "EC2.53", "EC2.54"}, "cis-aws-foundations": {"5.1", "5.2", "5.3", "5.4", "5.5", "5.6"}},
			tags:       []string{"network"},
			want: []string{"security", "aws-security-hub/EC2.13", "aws-security-hub/EC2.14", "aws-security-hub/EC2.53", "aws-security-hub/EC2.54",
				"cis-aws-foundations/5.1", "cis-aws-foundations/5.2", "cis-aws-foundations/5.3", "cis-aws-foundations/5.4", "cis-aws-foundations/5.5"},
		},
		{name: "no mapping", tags: []string{"network"}, want: []string{"security", "network"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := oneAccount()
			r.Checks[0].Frameworks = tt.frameworks
			r.Checks[0].Tags = tt.tags
			rule := parseSARIF(t, render(t, SARIF{}, r)).Runs[0].Tool.Driver.Rules[0]
			if diff := cmp.Diff(tt.want, rule.Properties.Tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		})
	}
}

// syntheticFindings returns a report of one account read completely with n
// findings, copies of the golden report's findings (messages, remediation
// commands, frameworks, suppressions, baseline states) on n distinct groups:
// what a large, neglected account looks like to the SARIF writer.
func syntheticFindings(tb testing.TB, n int) *findings.Report {
	tb.Helper()
	r := readReport(tb, inReport)
	const acct = "111111111111"
	var proto []findings.Finding
	for _, f := range r.Findings {
		if f.AccountID == acct {
			proto = append(proto, f)
		}
	}
	r.Coverage = slices.DeleteFunc(r.Coverage, func(c inventory.Coverage) bool { return c.AccountID != acct })
	for i := range r.Coverage {
		r.Coverage[i].Status = inventory.CoverageOK
	}
	r.Findings = make([]findings.Finding, 0, n)
	for i := range n {
		f := proto[i%len(proto)]
		id := fmt.Sprintf("sg-%017x", i)
		f.Message = strings.ReplaceAll(f.Message, f.GroupID, id)
		f.Remediation = strings.ReplaceAll(f.Remediation, f.GroupID, id)
		f.GroupARN = strings.ReplaceAll(f.GroupARN, f.GroupID, id)
		f.GroupID = id
		f.Fingerprint = fmt.Sprintf("%032x", i)
		r.Findings = append(r.Findings, f)
	}
	return r
}

// readReport is loadReport for benchmarks too.
func readReport(tb testing.TB, path string) *findings.Report {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var r findings.Report
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return &r
}

// BenchmarkSARIFSize reports what one result costs in an upload, in bytes
// and gzip-compressed bytes (GitHub's limit is on the latter), for the
// golden report and for one account with 10,000 findings. The numbers are
// in docs/performance.md.
func BenchmarkSARIFSize(b *testing.B) {
	for _, bc := range []struct {
		name string
		r    func() *findings.Report
	}{
		{name: "golden", r: func() *findings.Report { return readReport(b, inReport) }},
		{name: "10k", r: func() *findings.Report { return syntheticFindings(b, 10000) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := bc.r()
			var out bytes.Buffer
			for b.Loop() {
				out.Reset()
				if err := (SARIF{}).Write(&out, r); err != nil {
					b.Fatal(err)
				}
			}
			results := 0
			var log sarifLog
			if err := json.Unmarshal(out.Bytes(), &log); err != nil {
				b.Fatal(err)
			}
			for _, run := range log.Runs {
				results += len(run.Results)
			}
			b.ReportMetric(float64(out.Len()), "B/file")
			b.ReportMetric(float64(gzipSize(out.Bytes())), "gzB/file")
			b.ReportMetric(float64(out.Len())/float64(results), "B/result")
			b.ReportMetric(float64(gzipSize(out.Bytes()))/float64(results), "gzB/result")
		})
	}
}

// escalationInventory is one account in which a scan makes findings at
// severities other than their check's: SSH open to the world on a group
// carried by an interface with a public IP (SGA001 CRITICAL) and on one
// carried by a private interface (SGA001 HIGH, the check's own), and the
// default groups of a VPC with interfaces (SGA009 MEDIUM) and of one
// without (SGA009 LOW).
const escalationInventory = `{
  "schema_version": "1", "collected_at": "2026-01-02T03:04:05Z", "source": "aws",
  "accounts": [{"id": "111122223333", "name": "prod", "partition": "aws"}],
  "coverage": [{"account_id": "111122223333", "region": "eu-west-1", "status": "ok", "security_groups": 4,
    "collected": ["network_interfaces", "security_group_rules", "security_groups"]}],
  "vpcs": [
    {"id": "vpc-0a1", "account_id": "111122223333", "region": "eu-west-1", "network_interfaces": 2},
    {"id": "vpc-0b1", "account_id": "111122223333", "region": "eu-west-1", "network_interfaces": 0}
  ],
  "network_interfaces": [
    {"id": "eni-0a1", "type": "interface", "account_id": "111122223333", "region": "eu-west-1", "vpc_id": "vpc-0a1",
     "subnet_id": "subnet-0a1", "public_ip": "198.51.100.7", "resource": "i-0a1", "group_ids": ["sg-0a0000000000000a1"]},
    {"id": "eni-0a2", "type": "interface", "account_id": "111122223333", "region": "eu-west-1", "vpc_id": "vpc-0a1",
     "subnet_id": "subnet-0a1", "resource": "i-0a2", "group_ids": ["sg-0a0000000000000a2", "sg-0a0000000000000d1"]}
  ],
  "prefix_lists": [],
  "security_groups": [
    {"arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a0000000000000a1", "id": "sg-0a0000000000000a1",
     "name": "web", "description": "web servers", "account_id": "111122223333", "region": "eu-west-1", "vpc_id": "vpc-0a1",
     "is_default": false, "tags": {},
     "rules": [{"id": "sgr-0a00000000000a1", "direction": "ingress", "protocol": "tcp", "raw_protocol": "tcp",
       "from_port": 22, "to_port": 22, "peer": {"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}, "description": ""}],
     "attachments": [{"network_interface_id": "eni-0a1", "interface_type": "interface", "public_ip": "198.51.100.7", "resource": "i-0a1"}],
     "used_by": [{"kind": "eni", "id": "eni-0a1"}], "stale_rules": []},
    {"arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a0000000000000a2", "id": "sg-0a0000000000000a2",
     "name": "batch", "description": "batch workers", "account_id": "111122223333", "region": "eu-west-1", "vpc_id": "vpc-0a1",
     "is_default": false, "tags": {},
     "rules": [{"id": "sgr-0a00000000000a2", "direction": "ingress", "protocol": "tcp", "raw_protocol": "tcp",
       "from_port": 22, "to_port": 22, "peer": {"kind": "cidr_ipv4", "cidr": "0.0.0.0/0"}, "description": "ssh"}],
     "attachments": [{"network_interface_id": "eni-0a2", "interface_type": "interface"}],
     "used_by": [{"kind": "eni", "id": "eni-0a2"}], "stale_rules": []},
    {"arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a0000000000000d1", "id": "sg-0a0000000000000d1",
     "name": "default", "description": "default VPC security group", "account_id": "111122223333", "region": "eu-west-1",
     "vpc_id": "vpc-0a1", "is_default": true, "tags": {},
     "rules": [{"id": "sgr-0a00000000000d1", "direction": "ingress", "protocol": "all", "raw_protocol": "-1",
       "from_port": 0, "to_port": 65535, "peer": {"kind": "security_group", "group_id": "sg-0a0000000000000d1",
       "group_owner": "111122223333"}, "description": ""}],
     "attachments": [{"network_interface_id": "eni-0a2", "interface_type": "interface"}],
     "used_by": [{"kind": "eni", "id": "eni-0a2"}], "stale_rules": []},
    {"arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0b0000000000000d1", "id": "sg-0b0000000000000d1",
     "name": "default", "description": "default VPC security group", "account_id": "111122223333", "region": "eu-west-1",
     "vpc_id": "vpc-0b1", "is_default": true, "tags": {},
     "rules": [{"id": "sgr-0b00000000000d1", "direction": "ingress", "protocol": "all", "raw_protocol": "-1",
       "from_port": 0, "to_port": 65535, "peer": {"kind": "security_group", "group_id": "sg-0b0000000000000d1",
       "group_owner": "111122223333"}, "description": ""}],
     "attachments": [], "used_by": [], "stale_rules": []}
  ]
}`

// escalationScan scans escalationInventory with the embedded policies and
// a configuration that raises SGA007 (rules without a description) from
// LOW to MEDIUM and suppresses the SGA009 LOW finding.
func escalationScan(t *testing.T) *findings.Report {
	t.Helper()
	ctx := t.Context()
	cfg, err := config.Parse(".sgaudit.yaml", []byte(`checks:
  SGA007: {severity: medium}
suppressions:
  - check: SGA009
    group: sg-0b0000000000000d1
    reason: "VPC being deleted (JIRA-1)"
`))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := inventory.Decode([]byte(escalationInventory))
	if err != nil {
		t.Fatal(err)
	}
	opts := scan.Options{Config: cfg, Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }}
	eng, err := scan.LoadEngine(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scan.Evaluate(ctx, eng, inv, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSARIFResultSeverity checks that GitHub shows every result of a scan
// with escalations at the severity the JSON gives it: GitHub reads the
// security-severity of the rule a result points to, so that rule must
// carry the band of the result's severity.
func TestSARIFResultSeverity(t *testing.T) {
	t.Parallel()
	r := escalationScan(t)
	// The scan must make what this test is about, or it proves nothing.
	got := map[string]findings.Severity{}
	for _, f := range r.Findings {
		got[f.CheckID+" "+f.GroupID] = f.Severity
	}
	for key, want := range map[string]findings.Severity{
		"SGA001 sg-0a0000000000000a1": findings.SeverityCritical, // public interface
		"SGA001 sg-0a0000000000000a2": findings.SeverityHigh,
		"SGA009 sg-0a0000000000000d1": findings.SeverityMedium,
		"SGA009 sg-0b0000000000000d1": findings.SeverityLow,    // nobody uses the VPC
		"SGA007 sg-0a0000000000000a1": findings.SeverityMedium, // the config's override
	} {
		if got[key] != want {
			t.Fatalf("the scan found %s at %q, want %s; findings: %v", key, got[key], want, got)
		}
	}

	log := parseSARIF(t, render(t, SARIF{}, r))
	if len(log.Runs) != 1 {
		t.Fatalf("%d runs", len(log.Runs))
	}
	run := log.Runs[0]
	bySeverity := map[string]findings.Severity{}
	for _, sev := range findings.Severities {
		bySeverity[securitySeverity[sev]] = sev
	}
	if len(run.Results) != len(r.Findings) {
		t.Fatalf("%d results of %d findings", len(run.Results), len(r.Findings))
	}
	ruleIDs := map[string]string{}
	for _, res := range run.Results {
		sev := findings.Severity(fmt.Sprint(res.Properties["severity"]))
		name := res.RuleID + " " + fmt.Sprint(res.Properties["group_id"])
		if res.RuleIndex == nil || *res.RuleIndex < 0 || *res.RuleIndex >= len(run.Tool.Driver.Rules) {
			t.Errorf("%s: ruleIndex %v outside the %d rules", name, res.RuleIndex, len(run.Tool.Driver.Rules))
			continue
		}
		rule := run.Tool.Driver.Rules[*res.RuleIndex]
		if rule.ID != res.RuleID {
			t.Errorf("%s: ruleIndex %d is rule %s", name, *res.RuleIndex, rule.ID)
		}
		if band := bySeverity[rule.Properties.SecuritySeverity]; band != sev {
			t.Errorf("%s: %s result points at rule %s with security-severity %q (%s)",
				name, sev, rule.ID, rule.Properties.SecuritySeverity, band)
		}
		if rule.DefaultConfiguration.Level != level(sev) || res.Level != level(sev) {
			t.Errorf("%s: %s result has level %q, its rule %q; want %q", name, sev, res.Level, rule.DefaultConfiguration.Level, level(sev))
		}
		ruleIDs[fmt.Sprint(res.Properties["group_id"])+" "+strings.Split(res.RuleID, "/")[0]] = res.RuleID
		// A suppressed finding is still shown, dismissed, at its severity.
		if suppressed := res.Properties["group_id"] == "sg-0b0000000000000d1" && strings.HasPrefix(res.RuleID, "SGA009"); suppressed != (len(res.Suppressions) == 1) {
			t.Errorf("%s: suppressions %+v", name, res.Suppressions)
		}
	}
	// The check's own severity keeps the check's id (alerts from before
	// stay the same alerts); another severity gets its own rule.
	for key, want := range map[string]string{
		"sg-0a0000000000000a1 SGA001": "SGA001/critical",
		"sg-0a0000000000000a2 SGA001": "SGA001",
		"sg-0a0000000000000d1 SGA009": "SGA009",
		"sg-0b0000000000000d1 SGA009": "SGA009/low",
		"sg-0a0000000000000a1 SGA007": "SGA007",
	} {
		if ruleIDs[key] != want {
			t.Errorf("%s: ruleId %q, want %q", key, ruleIDs[key], want)
		}
	}
}

// TestSARIFAlertIdentity checks what GitHub tracks an alert by, its rule id
// and fingerprint: unchanged for a finding whose severity stays the same,
// whatever else changes in the scan, and a new rule (same fingerprint)
// only for a finding whose severity changes.
func TestSARIFAlertIdentity(t *testing.T) {
	t.Parallel()
	type identity struct {
		Rule  string
		Index int
	}
	identities := func(r *findings.Report) map[string]identity {
		t.Helper()
		out := map[string]identity{}
		run := parseSARIF(t, render(t, SARIF{}, r)).Runs[0]
		for _, res := range run.Results {
			out[res.PartialFingerprints["primaryLocationLineHash"]] = identity{res.RuleID, *res.RuleIndex}
		}
		return out
	}
	critical := func(f findings.Finding) findings.Finding {
		f.Severity = findings.SeverityCritical
		return f
	}
	before := identities(oneAccount(sshFinding("a", ""), sshFinding("b", "")))
	if diff := cmp.Diff(map[string]identity{"a": {"SGA001", 0}, "b": {"SGA001", 0}}, before); diff != "" {
		t.Fatalf("identities (-want +got):\n%s", diff)
	}
	tests := []struct {
		name string
		r    *findings.Report
		want map[string]identity
	}{
		{
			name: "b escalates",
			r:    oneAccount(sshFinding("a", ""), critical(sshFinding("b", ""))),
			want: map[string]identity{"a": {"SGA001", 0}, "b": {"SGA001/critical", 1}},
		},
		{
			name: "another group escalates, a new baseline",
			r:    oneAccount(sshFinding("a", findings.BaselineUnchanged), sshFinding("b", findings.BaselineUnchanged), critical(sshFinding("c", findings.BaselineNew))),
			want: map[string]identity{"a": {"SGA001", 0}, "b": {"SGA001", 0}, "c": {"SGA001/critical", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, identities(tt.r)); diff != "" {
				t.Errorf("identities (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSARIFNoPadding checks that no empty array or object is left outside
// sgaudit's property bags but the ones that say something: runs, the
// results of a clean account (they close its alerts) and the rules.
func TestSARIFNoPadding(t *testing.T) {
	t.Parallel()
	clean := allComplete(t)
	clean.Findings = slices.DeleteFunc(clean.Findings, func(f findings.Finding) bool { return f.AccountID == "222222222222" })
	noticed := oneAccount(sshFinding("a", findings.BaselineNew))
	noticed.Notices = []findings.Notice{{Level: findings.NoticeWarning, Message: "w"}, {Level: findings.NoticeInfo, Message: "i"}}
	for name, r := range map[string]*findings.Report{
		"golden report":          loadReport(t, inReport),
		"clean account":          clean,
		"empty report":           {},
		"notices":                noticed,
		"scan with escalations":  escalationScan(t),
		"every account complete": allComplete(t),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var doc any
			if err := json.Unmarshal(render(t, SARIF{}, r), &doc); err != nil {
				t.Fatal(err)
			}
			var walk func(v any, path string)
			walk = func(v any, path string) {
				switch v := v.(type) {
				case map[string]any:
					for k, x := range v {
						p := path + "." + k
						if (x == nil || fmt.Sprint(x) == "[]" || fmt.Sprint(x) == "map[]") && !slices.Contains([]string{"runs", "results", "rules"}, k) {
							t.Errorf("%s is %v", p, x)
						}
						if k == "kind" && x == "fail" {
							t.Errorf("%s is the default %q", p, x)
						}
						if k != "properties" {
							walk(x, p)
						}
					}
				case []any:
					for _, x := range v {
						walk(x, path+"[]")
					}
				}
			}
			walk(doc, "")
		})
	}
	// A clean account's run still says it has no results.
	log := parseSARIF(t, render(t, SARIF{}, clean))
	if b, _ := json.Marshal(log.Runs[1].Results); len(log.Runs) != 2 || string(b) != "[]" {
		t.Errorf("the clean account's run has results %s, want []", b)
	}
}

// FuzzSARIFRules builds reports from bytes, three per finding (its check,
// that check's severity, its own severity; a severity byte may name none of
// the four), and checks the invariants GitHub relies on: rule ids are
// unique, the catalogue comes first in id order, every result's ruleIndex
// points at the rule its ruleId names, that rule carries the band of the
// result's severity (or is its check's own rule when the severity is none
// GitHub knows), every rule is the check's own or used by a result, and
// the same report in another order gives the same bytes.
func FuzzSARIFRules(f *testing.F) {
	f.Add([]byte{0, 2, 3, 0, 2, 2, 1, 1, 0})    // SGA001 HIGH escalated, SGA002 lowered
	f.Add([]byte{0, 4, 3, 0, 4, 2})             // a check with no severity
	f.Add([]byte{1, 1, 5, 2, 0, 0, 2, 0, 3})    // a severity GitHub does not know
	f.Add([]byte{0, 2, 2, 0, 3, 3, 0, 1, 1, 0}) // a check again: its first severity stays
	sevs := []findings.Severity{findings.SeverityLow, findings.SeverityMedium, findings.SeverityHigh, findings.SeverityCritical, "", "BOGUS"}
	bands := map[string]findings.Severity{}
	for _, s := range findings.Severities {
		bands[securitySeverity[s]] = s
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 300 {
			return
		}
		r := &findings.Report{Coverage: []inventory.Coverage{{AccountID: "111111111111", Region: "eu-west-1", Status: inventory.CoverageOK}}}
		checkSev := map[string]findings.Severity{}
		for i := 0; i+2 < len(data); i += 3 {
			id := fmt.Sprintf("SGA%03d", 1+int(data[i])%3)
			if _, ok := checkSev[id]; !ok {
				checkSev[id] = sevs[int(data[i+1])%len(sevs)]
				r.Checks = append(r.Checks, findings.Check{ID: id, Name: "check-" + id, Title: "t", Severity: checkSev[id], Status: findings.CheckEvaluated})
			}
			r.Findings = append(r.Findings, findings.Finding{
				CheckID: id, Severity: sevs[int(data[i+2])%len(sevs)], AccountID: "111111111111", Region: "eu-west-1",
				GroupID: fmt.Sprintf("sg-%d", i), GroupARN: fmt.Sprintf("arn:aws:ec2:eu-west-1:111111111111:security-group/sg-%d", i),
				Message: "m", Fingerprint: fmt.Sprintf("fp%d", i),
			})
		}
		out := render(t, SARIF{}, r)
		reversed := *r
		reversed.Findings = slices.Clone(r.Findings)
		slices.Reverse(reversed.Findings)
		reversed.Checks = slices.Clone(r.Checks)
		slices.Reverse(reversed.Checks)
		if !bytes.Equal(out, render(t, SARIF{}, &reversed)) {
			t.Fatal("the order of the report changed the SARIF")
		}
		log := parseSARIF(t, out)
		if len(log.Runs) != 1 {
			t.Fatalf("%d runs", len(log.Runs))
		}
		run := log.Runs[0]
		rules := run.Tool.Driver.Rules
		ids := slices.Sorted(maps.Keys(checkSev))
		for i, id := range ids {
			if i >= len(rules) || rules[i].ID != id {
				t.Fatalf("rule %d is not %s: the catalogue does not come first", i, id)
			}
		}
		used := map[string]bool{}
		for _, res := range run.Results {
			sev := findings.Severity(fmt.Sprint(res.Properties["severity"]))
			check := strings.SplitN(res.RuleID, "/", 2)[0]
			if res.RuleIndex == nil || *res.RuleIndex >= len(rules) || rules[*res.RuleIndex].ID != res.RuleID {
				t.Fatalf("result %s: ruleIndex %v does not point at its rule", res.RuleID, res.RuleIndex)
			}
			rule := rules[*res.RuleIndex]
			used[rule.ID] = true
			if _, known := securitySeverity[sev]; !known {
				if res.RuleID != check {
					t.Errorf("result at %q points at %s, not its check's own rule", sev, res.RuleID)
				}
				continue
			}
			if got := bands[rule.Properties.SecuritySeverity]; got != sev {
				t.Errorf("%s result points at %s, of band %q", sev, rule.ID, got)
			}
			if rule.DefaultConfiguration.Level != level(sev) {
				t.Errorf("%s result points at %s, of level %s", sev, rule.ID, rule.DefaultConfiguration.Level)
			}
		}
		seen := map[string]bool{}
		for i, rule := range rules {
			if seen[rule.ID] {
				t.Errorf("rule %s twice", rule.ID)
			}
			seen[rule.ID] = true
			if i >= len(ids) && !used[rule.ID] {
				t.Errorf("rule %s is no check's own and no result uses it", rule.ID)
			}
		}
	})
}
