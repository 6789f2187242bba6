package reporters

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
)

// mappedCoverage is a report whose findings are all one check at HIGH (a
// row each in the table), the first mapped to code, with its coverage.
func mappedCoverage(t *testing.T) *findings.Report {
	r := mappedReport(t)
	for i := range r.Findings {
		r.Findings[i].Severity = findings.SeverityHigh
	}
	r.SourceMapping = &findings.SourceMapping{
		Mapped: 1, Unmapped: len(r.Findings) - 1,
		Sources: []findings.SourceCount{{Kind: "terraform", Name: "infra/terraform.tfstate", Findings: 1}},
		Reasons: []findings.ReasonCount{{Reason: findings.UnmappedNotManaged, Findings: len(r.Findings) - 1}},
		URL:     "https://github.com/acme/net/blob/0123abc/",
	}
	return r
}

// TestTableSource: the table gets a SOURCE column with file:line only
// when a finding is mapped, and says the mapping coverage.
func TestTableSource(t *testing.T) {
	t.Parallel()
	out := string(render(t, Table{}, mappedCoverage(t)))
	header := ""
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "SEVERITY") {
			header = line
			break
		}
	}
	if !strings.Contains(header, "  SOURCE  ") {
		t.Fatalf("header %q has no SOURCE column", header)
	}
	if !strings.Contains(out, "infra/modules/web sg/main.tf:5 ") {
		t.Errorf("table lacks file:line:\n%s", out)
	}
	n := len(mappedCoverage(t).Findings)
	want := "Mapped to code: 1 of " + plural(n, "finding") + " (terraform infra/terraform.tfstate: 1); not mapped: resource not managed " + itoa(n-1) + "\n"
	if !strings.Contains(out, want) {
		t.Errorf("table lacks %q:\n%s", want, out)
	}
	plain := string(render(t, Table{}, allComplete(t)))
	if strings.Contains(plain, "  SOURCE  ") || strings.Contains(plain, "Mapped to code") {
		t.Errorf("a report without code mentions sources:\n%s", plain)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestHTMLSource: the mapped finding's details link its lines.
func TestHTMLSource(t *testing.T) {
	t.Parallel()
	out := string(renderHTML(t, mappedCoverage(t)))
	link := `<a class="source" href="https://github.com/acme/net/blob/0123abc/infra/modules/web%20sg/main.tf#L5-L31"><code>infra/modules/web sg/main.tf:5-31</code></a>`
	if !strings.Contains(out, link) {
		t.Errorf("HTML lacks the source link %s", link)
	}
	if !strings.Contains(out, "Mapped to code: 1 of") {
		t.Error("HTML lacks the mapping coverage")
	}
	// No URL: the lines, unlinked.
	r := mappedCoverage(t)
	r.SourceMapping.URL = "javascript:alert(1)/"
	out = string(renderHTML(t, r))
	if strings.Contains(out, "javascript:") && strings.Contains(out, `href="javascript`) {
		t.Error("HTML links a javascript: URL")
	}
	if !strings.Contains(out, `<code class="source">infra/modules/web sg/main.tf:5-31</code>`) {
		t.Error("HTML without a URL lacks the source text")
	}
}

// TestJSONSource: findings.json carries source and source_mapping.
func TestJSONSource(t *testing.T) {
	t.Parallel()
	var got struct {
		Findings []struct {
			Source *findings.Source `json:"source"`
		} `json:"findings"`
		SourceMapping *findings.SourceMapping `json:"source_mapping"`
	}
	r := mappedCoverage(t)
	out := render(t, JSON{}, r)
	if err := validateJSON(t, findingsSchema(t), out); err != nil {
		t.Errorf("findings JSON with sources does not match its schema: %v", err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	var sources []*findings.Source
	for _, f := range got.Findings {
		if f.Source != nil {
			sources = append(sources, f.Source)
		}
	}
	if diff := cmp.Diff([]*findings.Source{r.Findings[0].Source}, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(r.SourceMapping, got.SourceMapping); diff != "" {
		t.Errorf("source_mapping (-want +got):\n%s", diff)
	}
}

// TestMarkdownSource: the job summary says the mapping coverage.
func TestMarkdownSource(t *testing.T) {
	t.Parallel()
	out := string(render(t, Markdown{}, mappedCoverage(t)))
	if !strings.Contains(out, "Mapped to code: 1 of") || !strings.Contains(out, "not mapped: resource not managed") {
		t.Errorf("Markdown lacks the mapping coverage:\n%s", out)
	}
	if plain := string(render(t, Markdown{}, allComplete(t))); strings.Contains(plain, "Mapped to code") {
		t.Error("a report without code mentions the mapping")
	}
}

// TestSplitSourceMapping: a report split per account, and each account's
// SARIF run, count the mapping of that account's findings, not the
// whole scan's.
func TestSplitSourceMapping(t *testing.T) {
	t.Parallel()
	r := loadReport(t, inReport)
	per := map[string]int{}
	for _, f := range r.Findings {
		per[f.AccountID]++
	}
	if len(per) < 2 {
		t.Fatalf("fixture has findings of %d accounts, want 2 or more", len(per))
	}
	r.SourceMapping = &findings.SourceMapping{Sources: []findings.SourceCount{}, Reasons: []findings.ReasonCount{}}
	for _, id := range []string{"111111111111", "222222222222"} {
		// Every finding of the first account mapped, none of the second.
		a := findings.AccountSourceMapping{AccountID: id, Sources: []findings.SourceCount{}, Reasons: []findings.ReasonCount{}}
		if id == "111111111111" {
			a.Mapped = per[id]
			a.Sources = []findings.SourceCount{{Kind: "terraform", Name: "a.tfstate", Findings: per[id]}}
		} else {
			a.Unmapped = per[id]
			a.Reasons = []findings.ReasonCount{{Reason: findings.UnmappedNoSource, Findings: per[id]}}
		}
		r.SourceMapping.Mapped += a.Mapped
		r.SourceMapping.Unmapped += a.Unmapped
		r.SourceMapping.Accounts = append(r.SourceMapping.Accounts, a)
	}
	r.SourceMapping.Sources = r.SourceMapping.Accounts[0].Sources
	r.SourceMapping.Reasons = r.SourceMapping.Accounts[1].Reasons

	want := map[string]string{
		"111111111111": "Mapped to code: " + itoa(per["111111111111"]) + " of " + plural(per["111111111111"], "finding") + " (terraform a.tfstate: " + itoa(per["111111111111"]) + ")",
		"222222222222": "Mapped to code: 0 of " + plural(per["222222222222"], "finding") + "; not mapped: no state given " + itoa(per["222222222222"]),
	}
	parts := SplitByAccount(r)
	whole := parseSARIF(t, render(t, SARIF{}, r))
	for id, text := range want {
		p := parts[id]
		if p == nil || p.SourceMapping == nil {
			t.Fatalf("part %s has no source mapping", id)
		}
		if got := sourceMappingText(p.SourceMapping); got != text {
			t.Errorf("part %s: %q, want %q", id, got, text)
		}
		for _, log := range []sarifLog{parseSARIF(t, render(t, SARIF{}, p)), whole} {
			found := false
			for _, run := range log.Runs {
				if run.Properties["account_id"] == id {
					found = true
					if got := run.Properties["source_mapping"]; got != text {
						t.Errorf("run of %s: source_mapping %q, want %q", id, got, text)
					}
				}
			}
			// An account read in part makes no run (its alerts stay open).
			if !found && id == "111111111111" {
				t.Errorf("no run of %s", id)
			}
		}
	}
}
