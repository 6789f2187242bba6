package reporters

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/sariftest"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// sourceResult is the part of a result the mapping changes.
type sourceResult struct {
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI       string `json:"uri"`
				URIBaseID string `json:"uriBaseId"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
				EndLine   int `json:"endLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
		LogicalLocations []struct {
			FullyQualifiedName string `json:"fullyQualifiedName"`
		} `json:"logicalLocations"`
	} `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

func sourceResults(t *testing.T, out []byte) []sourceResult {
	t.Helper()
	var log struct {
		Runs []struct {
			Results []sourceResult `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &log); err != nil {
		t.Fatal(err)
	}
	var all []sourceResult
	for _, r := range log.Runs {
		all = append(all, r.Results...)
	}
	return all
}

// mappedReport is the golden report with its first finding mapped to a
// Terraform block (docs/iac.md).
func mappedReport(t *testing.T) *findings.Report {
	r := allComplete(t)
	r.Findings[0].Source = &findings.Source{File: "infra/modules/web sg/main.tf", StartLine: 5, EndLine: 31,
		Address: `module.web["a"].aws_security_group.web`}
	return r
}

// TestSARIFSourceLocation: a mapped finding's location is its block,
// under %SRCROOT%, with the live ARN kept as the logical location and in
// the message; an unmapped finding keeps the group's pseudo-path; the
// fingerprint does not depend on the mapping.
func TestSARIFSourceLocation(t *testing.T) {
	t.Parallel()
	plain := sourceResults(t, render(t, SARIF{}, allComplete(t)))
	r := mappedReport(t)
	got := sourceResults(t, render(t, SARIF{}, r))
	if len(got) != len(plain) || len(got) < 2 {
		t.Fatalf("%d results, want %d (at least 2)", len(got), len(plain))
	}
	// Results are in the report's order within a run; find the mapped one.
	mapped, unmapped := -1, -1
	for i, res := range got {
		if res.Locations[0].PhysicalLocation.ArtifactLocation.URIBaseID == "%SRCROOT%" {
			if mapped >= 0 {
				t.Fatal("two results mapped, one expected")
			}
			mapped = i
		} else if unmapped < 0 {
			unmapped = i
		}
	}
	if mapped < 0 {
		t.Fatal("no result has a %SRCROOT% location")
	}
	loc := got[mapped].Locations[0]
	if diff := cmp.Diff([]any{"infra/modules/web%20sg/main.tf", 5, 31},
		[]any{loc.PhysicalLocation.ArtifactLocation.URI, loc.PhysicalLocation.Region.StartLine, loc.PhysicalLocation.Region.EndLine}); diff != "" {
		t.Errorf("mapped location (-want +got):\n%s", diff)
	}
	arn := r.Findings[0].GroupARN
	if len(loc.LogicalLocations) != 1 || loc.LogicalLocations[0].FullyQualifiedName != arn {
		t.Errorf("logical locations %+v, want the group ARN %s", loc.LogicalLocations, arn)
	}
	msg := got[mapped].Message.Text
	if !strings.Contains(msg, "Group ARN: "+arn+".") || !strings.Contains(msg, "Code: module.web[\"a\"].aws_security_group.web.") || strings.Contains(msg, "Declared by") {
		t.Errorf("message %q lacks the ARN or the address", msg)
	}
	if got[mapped].Properties["source_address"] != `module.web["a"].aws_security_group.web` {
		t.Errorf("properties %v lack source_address", got[mapped].Properties)
	}
	if u := got[unmapped].Locations[0].PhysicalLocation.ArtifactLocation; u.URIBaseID != "" || !strings.HasPrefix(u.URI, "aws/") {
		t.Errorf("unmapped location %+v, want the aws/ pseudo-path", u)
	}
	for i := range got {
		if got[i].PartialFingerprints["primaryLocationLineHash"] != plain[i].PartialFingerprints["primaryLocationLineHash"] {
			t.Errorf("result %d: the fingerprint changed with the mapping", i)
		}
	}
}

// TestSARIFSourceRefusesUnsafePaths: a source that is not a clean
// relative path keeps the pseudo-path (GitHub would reject the upload).
func TestSARIFSourceRefusesUnsafePaths(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"../outside.tf", "/abs/main.tf", "a//b.tf", `a\b.tf`, "./main.tf"} {
		r := allComplete(t)
		r.Findings = r.Findings[:1]
		r.Findings[0].Source = &findings.Source{File: file, StartLine: 1, EndLine: 2, Address: "x"}
		got := sourceResults(t, render(t, SARIF{}, r))
		if u := got[0].Locations[0].PhysicalLocation.ArtifactLocation; u.URIBaseID != "" {
			t.Errorf("%q: location %+v, want the pseudo-path", file, u)
		}
	}
}

// TestSARIFSourceURIEscapes: a file's path becomes a relative URI that
// names that file: spaces, #, ?, %, non-ASCII and colons escaped, slashes
// kept, so no segment reads as a scheme, a query or a fragment.
func TestSARIFSourceURIEscapes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ file, want string }{
		{"infra/main.tf", "infra/main.tf"},
		{"a:b/main.tf", "a%3Ab/main.tf"},
		{"c:/main.tf", "c%3A/main.tf"},
		{"dir #1/x?.tf", "dir%20%231/x%3F.tf"},
		{"100%/ü.tf", "100%25/%C3%BC.tf"},
	} {
		r := allComplete(t)
		r.Findings = r.Findings[:1]
		r.Findings[0].Source = &findings.Source{File: tt.file, StartLine: 1, EndLine: 2, Address: "x"}
		got := sourceResults(t, render(t, SARIF{}, r))
		if u := got[0].Locations[0].PhysicalLocation.ArtifactLocation; u.URI != tt.want || u.URIBaseID != "%SRCROOT%" {
			t.Errorf("%q: location %+v, want %s under %%SRCROOT%%", tt.file, u, tt.want)
		}
	}
}

// TestSARIFSourceValidates: SARIF with mapped locations passes the schema
// and GitHub's upload rules.
func TestSARIFSourceValidates(t *testing.T) {
	t.Parallel()
	out := render(t, SARIF{}, mappedReport(t))
	if err := sariftest.SchemaError(t, out); err != nil {
		t.Errorf("SARIF does not match the 2.1.0 schema: %v", err)
	}
	for _, e := range sariftest.MultitoolErrors(t, sariftest.MultitoolPath(t), out) {
		t.Error(e)
	}
}
