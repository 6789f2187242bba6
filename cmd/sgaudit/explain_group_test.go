package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

const lambdaARN = "arn:aws:lambda:eu-west-1:111122223333:function:worker"

// explainGroupWorld: in eu-west-1, where ECS could not be read, sg-fn is
// used only by a Lambda function and sg-old by nothing; us-east-1 was read
// completely, and sg-clean there is used by nothing. (An inventory holds
// each group id once: its import refuses two groups of one id.)
func explainGroupWorld() *inventory.Inventory {
	const acct = "111122223333"
	ec2Kinds := []string{inventory.KindSecurityGroups, inventory.KindSecurityGroupRules, inventory.KindNetworkInterfaces,
		inventory.KindLaunchTemplates, inventory.KindLaunchConfigurations, inventory.KindReferences}
	all := slices.Concat(ec2Kinds, collect.ProofOfUseKinds())
	denied := slices.DeleteFunc(slices.Clone(all), func(k string) bool { return k == "ecs" || k == inventory.KindLaunchTemplates })
	group := func(region, id, name string, used ...inventory.Evidence) inventory.SecurityGroup {
		return inventory.SecurityGroup{ARN: "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id, ID: id, Name: name,
			Description: name + " group", AccountID: acct, Region: region, VPCID: "vpc-1", UsedBy: used,
			Tags: inventory.NewTags(map[string]string{"owner": "team-a"})}
	}
	fn := group("eu-west-1", "sg-fn", "fn", inventory.Evidence{Kind: "lambda", ID: lambdaARN})
	old := group("eu-west-1", "sg-old", "old")
	old.Rules = inventory.NewRules(inventory.Rule{ID: "sgr-1", Direction: inventory.Ingress, Protocol: "tcp", RawProtocol: "tcp", FromPort: 22, ToPort: 22,
		Peer: inventory.Peer{Kind: inventory.PeerCIDRv4, CIDR: "0.0.0.0/0"}, Description: "ssh from anywhere"},
		inventory.Rule{ID: "sgr-2", Direction: inventory.Egress, Protocol: "all", RawProtocol: "-1", FromPort: 0, ToPort: 65535,
			Peer: inventory.Peer{Kind: inventory.PeerSecurityGroup, GroupID: "sg-fn", GroupOwner: acct}})
	many := group("eu-west-1", "sg-many", "many",
		inventory.Evidence{Kind: inventory.UsedByENI, ID: "eni-9", Detail: "i-9"},
		inventory.Evidence{Kind: inventory.UsedByLaunchTemplate, ID: "lt-1", Detail: "versions 2, 3 ($Latest)"},
		inventory.Evidence{Kind: inventory.UsedBySGReference, ID: "sg-old", Detail: "egress all traffic"})
	many.Attachments = []inventory.Attachment{{NetworkInterfaceID: "eni-9", InterfaceType: "interface", Resource: "i-9"}}
	return &inventory.Inventory{
		Accounts: []inventory.Account{{ID: acct, Partition: "aws"}},
		Coverage: []inventory.Coverage{
			{AccountID: acct, Region: "eu-west-1", Status: inventory.CoverageDenied, Collected: denied, FailedAPI: "DescribeLaunchTemplateVersions",
				ErrorCode: "UnauthorizedOperation", SecurityGroups: 3,
				Detail: "DescribeLaunchTemplateVersions: UnauthorizedOperation: not authorized; ecs:ListClusters: AccessDeniedException: not authorized"},
			{AccountID: acct, Region: "us-east-1", Status: inventory.CoverageOK, Collected: all, SecurityGroups: 1},
		},
		SecurityGroups: []inventory.SecurityGroup{fn, many, old, group("us-east-1", "sg-clean", "clean")},
	}
}

// In eu-west-1, launch templates and ECS could not be read.
const (
	notCheckedLT  = "  - launch_templates (launch templates, every version): could not be read (DescribeLaunchTemplateVersions: UnauthorizedOperation: not authorized)"
	notCheckedECS = "  - ecs (Amazon ECS: services, their deployments and task sets, in every cluster): could not be read (ecs:ListClusters: AccessDeniedException: not authorized)"
)

// TestExplainGroup: why a group is not unused (the Lambda function that
// names it), and why another is unused, with what was not checked.
func TestExplainGroup(t *testing.T) {
	in := writeInventoryFile(t, explainGroupWorld())
	for _, tt := range []struct {
		name string
		args []string
		want []string // lines that must appear, in order
		not  []string // lines that must not appear
	}{
		{"used only by a Lambda function", []string{"--group", "sg-fn"}, []string{
			"sg-fn (fn) in account 111122223333, eu-west-1, vpc-1",
			"  arn: arn:aws:ec2:eu-west-1:111122223333:security-group/sg-fn",
			`  description: "fn group"; 1 tags`,
			"IN USE: 1 evidence",
			"  - lambda " + lambdaARN,
			"not checked:",
			notCheckedLT,
			notCheckedECS,
			"rules: 0",
			"findings: 0",
		}, []string{"UNUSED"}},
		{"an interface, a launch template and another group's rule", []string{"--group", "sg-many"}, []string{
			"IN USE: 3 evidence",
			"  - eni eni-9 (interface of i-9)",
			"  - launch_template lt-1: versions 2, 3 ($Latest)",
			"  - sg_reference sg-old: egress all traffic",
		}, []string{"UNUSED"}},
		{"unused, one service not checked", []string{"--group", "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-old"}, []string{
			"sg-old (old) in account 111122223333, eu-west-1, vpc-1",
			"UNUSED as far as the data tells: nothing checked references it, but 2 kinds of use were not checked",
			"checked in 111122223333/eu-west-1: network_interfaces, security_groups, launch_configurations, security_group_references, lambda, events, scheduler, pipes, batch, codebuild, eks, rds, rds_proxy, elasticache, elasticache_serverless, redshift, redshift_serverless, opensearch, msk, efs, emr, emr_serverless, sagemaker, glue, dms, mwaa, apprunner, vpc_endpoint, route53resolver, elasticbeanstalk, spot_fleet, ec2_fleet, elbv2, elb",
			"not checked:",
			notCheckedLT,
			notCheckedECS,
			"rules: 2",
			"  egress  all traffic to 111122223333/sg-fn [sgr-2]",
			`  ingress tcp 22 from 0.0.0.0/0 [sgr-1] "ssh from anywhere"`,
			"verified exposure to the internet: no network interface carries it",
		}, []string{"IN USE"}},
		{"unused, everything checked", []string{"--group", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-clean"}, []string{
			"sg-clean (clean) in account 111122223333, us-east-1, vpc-1",
			"UNUSED: nothing of any kind checked references it",
			"  - SGA008 LOW sg-clean (clean) is unused: no network interface, launch template or other group's rule references it (checked: apprunner, batch, codebuild, dms, ec2_fleet, ecs, efs, eks, elasticache, elasticache_serverless, elasticbeanstalk, elb, elbv2, emr, emr_serverless, events, glue, lambda, launch_configurations, launch_templates, msk, mwaa, network_interfaces, opensearch, pipes, rds, rds_proxy, redshift, redshift_serverless, route53resolver, sagemaker, scheduler, security_group_references, security_group_rules, security_groups, spot_fleet, vpc_endpoint)",
		}, []string{"not checked", "eu-west-1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"explain", "--input", in}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			lines := strings.Split(r.stdout, "\n")
			at := 0
			for _, w := range tt.want {
				k := slices.Index(lines[at:], w)
				if k < 0 {
					t.Fatalf("no line %q (in order) in:\n%s", w, r.stdout)
				}
				at += k + 1
			}
			for _, n := range tt.not {
				if strings.Contains(r.stdout, n) {
					t.Errorf("output has %q:\n%s", n, r.stdout)
				}
			}
		})
	}

	// The unused group's findings: SGA008 naming what was not checked, and
	// the world-open SSH rule (SGA001).
	r := runCLI(t, "explain", "--input", in, "--group", "sg-old")
	if !strings.Contains(r.stdout, "  - SGA008 LOW sg-old (old) is unused: ") || !strings.Contains(r.stdout, "  - SGA001 HIGH sg-old (old) allows SSH") || !strings.Contains(r.stdout, "not checked: launch templates, ECS services and task sets could not be read") {
		t.Errorf("no SGA001, or no SGA008 naming what was not checked:\n%s", r.stdout)
	}
}

// TestExplainGroupJSON: the documented shape (docs/explain.md), decoded
// and compared field by field.
func TestExplainGroupJSON(t *testing.T) {
	in := writeInventoryFile(t, explainGroupWorld())
	decode := func(t *testing.T, args ...string) []groupExplanation {
		t.Helper()
		r := runCLI(t, append([]string{"explain", "--input", in, "--format", "json"}, args...)...)
		var out []groupExplanation
		dec := json.NewDecoder(strings.NewReader(r.stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out); err != nil || r.code != 0 {
			t.Fatalf("exit %d, %v: %s%s", r.code, err, r.stdout, r.stderr)
		}
		return out
	}
	fn := decode(t, "--group", "sg-fn")
	if len(fn) != 1 {
		t.Fatalf("%d answers, want 1", len(fn))
	}
	wantID := groupIdentity{ARN: "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-fn", ID: "sg-fn", Name: "fn", Description: "fn group",
		AccountID: "111122223333", Region: "eu-west-1", VPCID: "vpc-1", Tags: 1}
	if diff := cmp.Diff(wantID, fn[0].Group); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
	if !fn[0].InUse {
		t.Error("in_use false for a group a Lambda function names")
	}
	if diff := cmp.Diff([]groupEvidence{{Kind: "lambda", ID: lambdaARN}}, fn[0].UsedBy); diff != "" {
		t.Errorf("used_by (-want +got):\n%s", diff)
	}
	wantGap := []useCheck{{Kind: "launch_templates", What: "launch templates, every version",
		Reason: "could not be read (DescribeLaunchTemplateVersions: UnauthorizedOperation: not authorized)"}, {Kind: "ecs", What: "Amazon ECS: services, their deployments and task sets, in every cluster",
		Reason: "could not be read (ecs:ListClusters: AccessDeniedException: not authorized)"}}
	if diff := cmp.Diff(wantGap, fn[0].NotChecked, cmpopts.IgnoreUnexported(useCheck{})); diff != "" {
		t.Errorf("not_checked (-want +got):\n%s", diff)
	}
	if len(fn[0].Checked)+len(fn[0].NotChecked) != len(ec2UseKinds)+len(collect.ProofOfUseKinds()) {
		t.Errorf("checked %d + not checked %d kinds, want every kind of use", len(fn[0].Checked), len(fn[0].NotChecked))
	}

	many := decode(t, "--group", "sg-many")
	wantEv := []groupEvidence{{Kind: "eni", ID: "eni-9", Resource: "i-9", InterfaceType: "interface"},
		{Kind: "launch_template", ID: "lt-1", Detail: "versions 2, 3 ($Latest)"}, {Kind: "sg_reference", ID: "sg-old", Detail: "egress all traffic"}}
	if diff := cmp.Diff(wantEv, many[0].UsedBy); len(many) != 1 || diff != "" {
		t.Errorf("sg-many used_by (-want +got):\n%s", diff)
	}

	old := decode(t, "--group", "sg-old")
	if len(old) != 1 || old[0].InUse || len(old[0].UsedBy) != 0 || old[0].UsedBy == nil {
		t.Fatalf("sg-old: %+v, want one unused answer with used_by []", old)
	}
	wantRules := []groupRule{
		{ID: "sgr-2", Direction: "egress", Protocol: "all", FromPort: 0, ToPort: 65535, PeerKind: "security_group", Peer: "111122223333/sg-fn"},
		{ID: "sgr-1", Direction: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22, PeerKind: "cidr_ipv4", Peer: "0.0.0.0/0", Description: "ssh from anywhere"},
	}
	if diff := cmp.Diff(wantRules, old[0].Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	// No interface carries it: no verdict, and the note says why.
	if len(old[0].Exposure) != 0 || old[0].Exposure == nil || old[0].ExposureNote != "no network interface carries it" {
		t.Errorf("exposure %+v (%q), want [] as no interface carries it", old[0].Exposure, old[0].ExposureNote)
	}
	var checks []string
	for _, f := range old[0].Findings {
		checks = append(checks, f.CheckID)
		if f.Message == "" || f.Severity == "" {
			t.Errorf("finding without message or severity: %+v", f)
		}
	}
	if !slices.Contains(checks, "SGA008") {
		t.Errorf("findings %v, want SGA008 among them", checks)
	}

	clean := decode(t, "--group", "sg-clean")
	if len(clean) != 1 || clean[0].InUse || len(clean[0].NotChecked) != 0 || clean[0].NotChecked == nil || clean[0].Exposure == nil || clean[0].Findings[0].CheckID != "SGA008" {
		t.Errorf("sg-clean: %+v, want unused, every kind checked (not_checked []), SGA008", clean)
	}
}

func TestExplainGroupErrors(t *testing.T) {
	in := writeInventoryFile(t, explainGroupWorld())
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown group", []string{"--group", "sg-9"}, "--group sg-9: no such security group"},
		{"unknown ARN", []string{"--group", "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-fn9"}, "no such security group"},
		{"ARN of another region", []string{"--group", "arn:aws:ec2:eu-west-2:111122223333:security-group/sg-fn"}, "no such security group"},
		{"bad id", []string{"--group", "sg_1"}, "want a security group id"},
		{"not a group ARN", []string{"--group", "arn:aws:s3:::bucket"}, "want a security group id"},
		{"an interface", []string{"--group", "eni-1"}, "want a security group id"},
		{"with --to", []string{"--group", "sg-fn", "--to", "eni-1"}, "--group and --to exclude each other"},
		{"with --port", []string{"--group", "sg-fn", "--port", "22"}, "--group and --port exclude each other"},
		{"empty", []string{"--group", ""}, "want a security group id"},
		{"bad format", []string{"--group", "sg-fn", "--format", "sarif"}, "invalid --format"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertOneLineError(t, runCLI(t, append([]string{"explain", "--input", in}, tt.args...)...), tt.want)
		})
	}
}

// TestExplainGroupLive: without --input, explain --group collects from
// moto first; the demo world's bastion group is used by its interface.
func TestExplainGroupLive(t *testing.T) {
	srv, w := seededEmulator(t)
	c := ec2.NewFromConfig(srv.Config(context.Background(), "us-east-1"))
	out, err := c.DescribeNetworkInterfaces(context.Background(), &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("description"), Values: []string{"bastion-1"}}}})
	if err != nil || len(out.NetworkInterfaces) != 1 {
		t.Fatalf("find the bastion's interface: %v, %d found", err, len(out.NetworkInterfaces))
	}
	eni := aws.ToString(out.NetworkInterfaces[0].NetworkInterfaceId)
	id := w.GroupID("us-east-1", "bastion")
	r := runCLI(t, "explain", "--regions", "us-east-1", "--group", id, "--format", "json")
	var got []groupExplanation
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v: %s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(got) != 1 || got[0].Group.ID != id || got[0].Group.Name != "bastion" || got[0].Group.Region != "us-east-1" {
		t.Fatalf("answers %+v, want one for %s (bastion)", got, id)
	}
	e := got[0]
	if !e.InUse || !slices.ContainsFunc(e.UsedBy, func(ev groupEvidence) bool { return ev.Kind == "eni" && ev.ID == eni }) {
		t.Errorf("used_by %+v, want the bastion's interface %s", e.UsedBy, eni)
	}
	if !slices.ContainsFunc(e.Checked, func(c useCheck) bool { return c.Kind == inventory.KindNetworkInterfaces }) {
		t.Errorf("checked %+v: network interfaces not among them", e.Checked)
	}
	if !slices.ContainsFunc(e.Rules, func(r groupRule) bool {
		return r.Direction == "ingress" && r.Protocol == "tcp" && r.FromPort == 22 && r.Peer == "0.0.0.0/0"
	}) {
		t.Errorf("rules %+v: no SSH from the world", e.Rules)
	}
	if !slices.ContainsFunc(e.Exposure, func(x groupExposure) bool { return x.Protocol == "tcp" && x.FromPort <= 22 && 22 <= x.ToPort }) {
		t.Errorf("exposure %+v: no verdict for SSH", e.Exposure)
	}
	if len(e.Findings) == 0 {
		t.Error("no findings for a group open to the world on SSH")
	}
	// And the text answer names the interface as evidence.
	r = runCLI(t, "explain", "--regions", "us-east-1", "--group", id)
	if r.code != 0 || !strings.Contains(r.stdout, "IN USE: ") || !strings.Contains(r.stdout, "  - eni "+eni) {
		t.Errorf("exit %d, text answer without the interface %s:\n%s%s", r.code, eni, r.stdout, r.stderr)
	}
}

// TestGroupShape: what --group accepts.
func TestGroupShape(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"sg-0123456789abcdef0", true},
		{"sg-1", true},
		{"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1", true},
		{"arn:aws-us-gov:ec2:us-gov-west-1:111122223333:security-group/sg-0abc", true},
		{"", false},
		{"sg-", false},
		{"SG-1", false},
		{"sg-1/x", false},
		{"eni-1", false},
		{"arn:aws:ec2:eu-west-1:111122223333:network-interface/eni-1", false},
		{"arn:aws:ec2:eu-west-1:11112222333:security-group/sg-1", false},
		{"arn:aws:s3:eu-west-1:111122223333:security-group/sg-1", false},
		{"arn::ec2:eu-west-1:111122223333:security-group/sg-1", false},
		{"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1\x1b[31m", false},
	} {
		if got := groupShape(tt.in); got != tt.want {
			t.Errorf("groupShape(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestExplainGroupText: the text is sanitised (a name or description
// cannot move the cursor or hide text) and wraps at the terminal's width.
func TestExplainGroupText(t *testing.T) {
	e := groupExplanation{
		Group: groupIdentity{ID: "sg-1", Name: "evil\x1b[2Jname", Description: "line\nbreak\u202egnp.exe", AccountID: "111122223333", Region: "eu-west-1", VPCID: "vpc-1"},
		InUse: true, UsedBy: []groupEvidence{{Kind: "lambda", ID: lambdaARN, Detail: "by name\rhidden"}},
		Rules: []groupRule{{Direction: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22, Peer: "0.0.0.0/0", Description: "a very long description of the rule that goes on and on past any terminal width"}},
	}
	var b strings.Builder
	writeGroupExplanation(&b, 0, e)
	for _, bad := range []string{"\x1b", "\r", "\u202e"} {
		if strings.Contains(b.String(), bad) {
			t.Errorf("output holds %q:\n%s", bad, b.String())
		}
	}
	for _, cols := range []int{40, 60, 80} {
		b.Reset()
		writeGroupExplanation(&b, cols, e)
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			if utf8.RuneCountInString(l) > cols && strings.Contains(strings.TrimSpace(l), " ") {
				t.Errorf("cols %d: line of %d runes: %q", cols, utf8.RuneCountInString(l), l)
			}
		}
		if !strings.Contains(b.String(), lambdaARN) {
			t.Errorf("cols %d: the evidence's ARN is cut:\n%s", cols, b.String())
		}
	}
}

// FuzzWrap: wrapping keeps every word, in order, keeps each line within
// the width unless one word is wider (a continuation line; the first may
// be shorter than 20 columns, where nothing wraps), and keeps the text
// valid UTF-8.
func FuzzWrap(f *testing.F) {
	f.Add("  ", "short", 80)
	f.Add("  - ", "a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff", 30)
	f.Add("", strings.Repeat("x", 100)+" y", 40)
	f.Add("    ", "héllo wörld ünïcode "+strings.Repeat("é", 50), 25)
	f.Fuzz(func(t *testing.T, indent, text string, cols int) {
		if !utf8.ValidString(indent+text) || strings.ContainsAny(indent+text, "\n\t\r") || len(indent) > 8 || cols > 500 {
			return
		}
		var b strings.Builder
		wrapper{&b, cols}.line(indent, text)
		out := b.String()
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		var words []string
		for k, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			pre := indent
			if k > 0 {
				pre = strings.Repeat(" ", utf8.RuneCountInString(indent)+4)
			}
			if !strings.HasPrefix(l, pre) {
				t.Fatalf("line %d %q lacks the indent %q", k, l, pre)
			}
			if cols > 0 && k > 0 && utf8.RuneCountInString(l) > cols && strings.Contains(strings.TrimSpace(l), " ") {
				t.Fatalf("line %d %q: wider than %d with a space to break at", k, l, cols)
			}
			words = append(words, strings.Fields(l[len(pre):])...)
		}
		if got, want := strings.Join(words, ""), strings.Join(strings.Fields(text), ""); got != want {
			t.Fatalf("text changed: %q, want %q", got, want)
		}
	})
}

// TestExplainGroupDoc holds docs/explain.md to the JSON shape: its
// example decodes strictly, and every field of the shape is in the page.
func TestExplainGroupDoc(t *testing.T) {
	page, err := os.ReadFile("../../docs/explain.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(page), "## 4. JSON")
	_, rest, ok2 := strings.Cut(rest, "```json\n")
	example, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/explain.md has no JSON example in §4")
	}
	dec := json.NewDecoder(strings.NewReader(example))
	dec.DisallowUnknownFields()
	var got []groupExplanation
	if err := dec.Decode(&got); err != nil || len(got) != 1 {
		t.Fatalf("the example does not decode strictly: %v", err)
	}
	for _, v := range []any{groupExplanation{}, groupIdentity{}, groupEvidence{}, useCheck{}, groupRule{}, groupExposure{}, groupFinding{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if tag != "" && tag != "-" && !strings.Contains(string(page), "`"+tag+"`") && !strings.Contains(example, `"`+tag+`"`) {
				t.Errorf("%s.%s (%q) is not in docs/explain.md", rt.Name(), rt.Field(i).Name, tag)
			}
		}
	}
}

// TestExplainHelp: --help shows --group and an example of it.
func TestExplainHelp(t *testing.T) {
	r := runCLI(t, "explain", "--help")
	for _, want := range []string{"--group string", "sgaudit explain --input inventory.json --group sg-0abc", "--group arn:aws:ec2:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
}

// TestExplainGroupLiveLambda: a group that only a Lambda function's
// configuration names, collected from moto, is explained as in use by
// that function, by its ARN.
func TestExplainGroupLiveLambda(t *testing.T) {
	srv, _ := seededEmulator(t)
	ctx := context.Background()
	cfg := srv.Config(ctx, "us-east-1")
	c := ec2.NewFromConfig(cfg)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.77.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.77.1.0/24"), AvailabilityZone: aws.String("us-east-1a")})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("lambda-only"),
		Description: aws.String("named only by a function"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	w, _ := zw.Create("index.py")
	_, _ = w.Write([]byte("def handler(event, context):\n    return 1\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fn, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("idle-worker"), Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()},
		VpcConfig: &lambdatypes.VpcConfig{SubnetIds: []string{aws.ToString(sn.Subnet.SubnetId)}, SecurityGroupIds: []string{aws.ToString(g.GroupId)}},
	})
	if err != nil {
		t.Fatalf("create function: %v", err)
	}
	id := aws.ToString(g.GroupId)
	r := runCLI(t, "explain", "--regions", "us-east-1", "--group", id, "--format", "json")
	var got []groupExplanation
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || len(got) != 1 {
		t.Fatalf("exit %d, %v: %s%s", r.code, err, r.stdout, r.stderr)
	}
	e := got[0]
	if !e.InUse || !slices.ContainsFunc(e.UsedBy, func(ev groupEvidence) bool { return ev.Kind == "lambda" && ev.ID == aws.ToString(fn.FunctionArn) }) {
		t.Errorf("used_by %+v, want lambda %s", e.UsedBy, aws.ToString(fn.FunctionArn))
	}
	if !slices.ContainsFunc(e.Checked, func(c useCheck) bool { return c.Kind == "lambda" }) {
		t.Errorf("lambda not among the kinds checked: %+v", e.Checked)
	}
	if slices.ContainsFunc(e.Findings, func(f groupFinding) bool { return f.CheckID == "SGA008" }) {
		t.Errorf("SGA008 reported for a group a function names: %+v", e.Findings)
	}
}
