package main

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/internal/moto"
	"github.com/sgaudit/sgaudit/internal/sariftest"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// The Terraform repository of TestScanMapsFindingsToTerraform. Line
// numbers are asserted exactly: count them when changing the text.
const e2eMain = `resource "aws_security_group" "web" {
  name        = "web"
  description = "web servers"
  vpc_id      = var.vpc_id

  ingress {
    description = "ssh for the on-call"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = aws_security_group.web.id
  description       = "postgres from the VPCs"
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = "10.0.0.0/8"
}

variable "vpc_id" {}

module "app" {
  source   = "./modules/app"
  for_each = toset(["a"])
  vpc_id   = var.vpc_id
}
`

const e2eApp = `variable "vpc_id" {}

resource "aws_security_group" "app" {
  name        = "app"
  description = "app servers"
  vpc_id      = var.vpc_id
}

resource "aws_security_group_rule" "mysql" {
  type              = "ingress"
  security_group_id = aws_security_group.app.id
  description       = "mysql for the vendor"
  protocol          = "tcp"
  from_port         = 3306
  to_port           = 3306
  cidr_blocks       = ["0.0.0.0/0"]
}
`

// TestScanMapsFindingsToTerraform seeds groups in moto through the SDK,
// writes the Terraform code and a v4 state holding the ids moto returned,
// and scans with --tf-state and --iac: findings land on the exact lines
// of their blocks in JSON and SARIF, the SARIF passes GitHub's rules, and
// the rule added by hand is exactly one SGA017 finding.
func TestScanMapsFindingsToTerraform(t *testing.T) {
	srv := moto.StartT(t)
	ctx := context.Background()
	c := ec2.NewFromConfig(srv.Config(ctx, "eu-west-1"))
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %s: %v", what, err)
		}
	}
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.40.0.0/16")})
	must(err, "create VPC")
	group := func(name, desc string) string {
		g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(desc), VpcId: vpc.Vpc.VpcId})
		must(err, "create group "+name)
		return *g.GroupId
	}
	web, app := group("web", "web servers"), group("app", "app servers")
	ingress := func(id string, port int32, cidr, desc string) {
		_, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(id),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
				IpRanges: []types.IpRange{{CidrIp: aws.String(cidr), Description: aws.String(desc)}}}}})
		must(err, "authorize ingress")
	}
	ingress(web, 22, "0.0.0.0/0", "ssh for the on-call")
	ingress(web, 5432, "10.0.0.0/8", "postgres from the VPCs")
	ingress(web, 8443, "0.0.0.0/0", "added in the console") // in no state: drift
	ingress(app, 3306, "0.0.0.0/0", "mysql for the vendor")
	rules, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{})
	must(err, "describe rules")
	ruleID := func(group string, port int32) string {
		for _, r := range rules.SecurityGroupRules {
			if *r.GroupId == group && !*r.IsEgress && *r.FromPort == port {
				return *r.SecurityGroupRuleId
			}
		}
		t.Fatalf("no rule for %s port %d", group, port)
		return ""
	}

	arn := func(id string) string { return "arn:aws:ec2:eu-west-1:" + moto.AccountID + ":security-group/" + id }
	inline := func(proto string, port int, cidr, desc string) map[string]any {
		return map[string]any{"protocol": proto, "from_port": port, "to_port": port, "cidr_blocks": []any{cidr},
			"ipv6_cidr_blocks": []any{}, "prefix_list_ids": []any{}, "security_groups": []any{}, "self": false, "description": desc}
	}
	allOut := inline("-1", 0, "0.0.0.0/0", "")
	resource := func(module, typ, name string, key any, attrs map[string]any) map[string]any {
		inst := map[string]any{"schema_version": 1, "attributes": attrs}
		if key != nil {
			inst["index_key"] = key
		}
		r := map[string]any{"mode": "managed", "type": typ, "name": name, "instances": []any{inst},
			"provider": `provider["registry.terraform.io/hashicorp/aws"]`}
		if module != "" {
			r["module"] = module
		}
		return r
	}
	state := map[string]any{"version": 4, "terraform_version": "1.9.0", "serial": 3, "lineage": "e2e", "outputs": map[string]any{},
		"resources": []any{
			resource("", "aws_security_group", "web", nil, map[string]any{"id": web, "arn": arn(web), "name": "web",
				"ingress": []any{inline("tcp", 22, "0.0.0.0/0", "ssh for the on-call")}, "egress": []any{allOut}}),
			resource("", "aws_vpc_security_group_ingress_rule", "pg", nil, map[string]any{"id": ruleID(web, 5432),
				"security_group_rule_id": ruleID(web, 5432), "security_group_id": web, "ip_protocol": "tcp",
				"from_port": 5432, "to_port": 5432, "cidr_ipv4": "10.0.0.0/8"}),
			resource(`module.app["a"]`, "aws_security_group", "app", nil, map[string]any{"id": app, "arn": arn(app), "name": "app",
				"ingress": []any{inline("tcp", 3306, "0.0.0.0/0", "mysql for the vendor")}, "egress": []any{allOut}}),
			resource(`module.app["a"]`, "aws_security_group_rule", "mysql", nil, map[string]any{"id": "sgrule-1", "type": "ingress",
				"security_group_id": app, "protocol": "tcp", "from_port": 3306, "to_port": 3306, "cidr_blocks": []any{"0.0.0.0/0"}, "self": false}),
		}}
	repo := t.TempDir()
	for name, body := range map[string]string{
		"infra/main.tf":             e2eMain,
		"infra/modules/app/main.tf": e2eApp,
		"infra/terraform.tfstate":   mustMarshal(t, state),
	} {
		p := filepath.Join(repo, filepath.FromSlash(name))
		must(os.MkdirAll(filepath.Dir(p), 0o755), "mkdir")
		must(os.WriteFile(p, []byte(body), 0o644), "write "+name)
	}

	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("GITHUB_SERVER_URL", "https://github.com")
	t.Setenv("GITHUB_REPOSITORY", "acme/network")
	t.Setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
	t.Chdir(repo)
	r := runCLI(t, "scan", "--no-config", "--regions", "eu-west-1", "--tf-state", "infra/terraform.tfstate", "--iac", "infra",
		"--format", "json,sarif", "--output-dir", "out")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}

	// JSON: the findings on the managed groups, each on its block.
	var rep findings.Report
	must(json.Unmarshal(readFile(t, "out/findings.json"), &rep), "decode findings.json")
	type loc struct {
		Check, Group string
		Port         int
		Source       findings.Source
	}
	ports := map[string]int{}
	for _, rr := range rules.SecurityGroupRules {
		ports[*rr.SecurityGroupRuleId] = int(*rr.FromPort)
	}
	var got []loc
	drift := 0
	for _, f := range rep.Findings {
		if f.GroupID != web && f.GroupID != app {
			if f.Source != nil {
				t.Errorf("%s on unmanaged %s mapped to %+v", f.CheckID, f.GroupID, f.Source)
			}
			continue
		}
		if f.Source == nil {
			t.Errorf("%s on %s (rule %s) is not mapped", f.CheckID, f.GroupName, f.RuleID)
			continue
		}
		if f.CheckID == "SGA017" {
			drift++
		}
		got = append(got, loc{f.CheckID, f.GroupName, ports[f.RuleID], *f.Source})
	}
	webBlock := findings.Source{File: "infra/main.tf", StartLine: 1, EndLine: 20, Address: "aws_security_group.web"}
	sshBlock := findings.Source{File: "infra/main.tf", StartLine: 6, EndLine: 12, Address: "aws_security_group.web"}
	mysqlBlock := findings.Source{File: "infra/modules/app/main.tf", StartLine: 9, EndLine: 17, Address: `module.app["a"].aws_security_group_rule.mysql`}
	want := []loc{
		{"SGA002", "app", 3306, mysqlBlock},
		{"SGA005", "app", 3306, mysqlBlock},
		{"SGA008", "app", 0, findings.Source{File: "infra/modules/app/main.tf", StartLine: 3, EndLine: 7, Address: `module.app["a"].aws_security_group.app`}},
		{"SGA001", "web", 22, sshBlock},
		{"SGA005", "web", 22, sshBlock},
		{"SGA005", "web", 8443, webBlock},
		{"SGA008", "web", 0, webBlock},
		{"SGA017", "web", 8443, webBlock},
	}
	byKey := func(a, b loc) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Check, b.Check), a.Port-b.Port)
	}
	slices.SortFunc(want, byKey)
	slices.SortFunc(got, byKey)
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("mapped findings (-want +got):\n%s", diff)
	}
	if drift != 1 {
		t.Errorf("%d SGA017 findings, want exactly 1 (the rule added by hand)", drift)
	}
	if m := rep.SourceMapping; m == nil || m.Mapped != len(want) || m.URL != "https://github.com/acme/network/blob/0123456789abcdef0123456789abcdef01234567/" {
		t.Errorf("source mapping %+v, want %d mapped and the commit's URL", m, len(want))
	}

	// SARIF: the same lines under %SRCROOT%, the ARN kept, valid for GitHub.
	sarif := readFile(t, "out/results.sarif")
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
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
			} `json:"results"`
		} `json:"runs"`
	}
	must(json.Unmarshal(sarif, &log), "decode SARIF")
	type sloc struct {
		Rule, URI string
		Start     int
		End       int
		ARN       string
	}
	var sgot []sloc
	for _, run := range log.Runs {
		for _, res := range run.Results {
			l := res.Locations[0]
			if l.PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" {
				continue
			}
			arn := ""
			if len(l.LogicalLocations) == 1 {
				arn = l.LogicalLocations[0].FullyQualifiedName
			}
			sgot = append(sgot, sloc{res.RuleID, l.PhysicalLocation.ArtifactLocation.URI,
				l.PhysicalLocation.Region.StartLine, l.PhysicalLocation.Region.EndLine, arn})
		}
	}
	swant := map[sloc]bool{
		{"SGA001", "infra/main.tf", 6, 12, arn(web)}:             true,
		{"SGA017", "infra/main.tf", 1, 20, arn(web)}:             true,
		{"SGA002", "infra/modules/app/main.tf", 9, 17, arn(app)}: true,
	}
	for _, s := range sgot {
		delete(swant, s)
	}
	for s := range swant {
		t.Errorf("SARIF has no result %+v; mapped results: %+v", s, sgot)
	}
	if len(sgot) != len(want) {
		t.Errorf("SARIF has %d mapped results, want %d", len(sgot), len(want))
	}
	if err := sariftest.SchemaError(t, sarif); err != nil {
		t.Errorf("SARIF does not match the 2.1.0 schema: %v", err)
	}
	for _, e := range sariftest.MultitoolErrors(t, sariftest.MultitoolPath(t), sarif) {
		t.Error(e)
	}

	// --severity: the mapping counts the findings reported, not those
	// left out.
	r = runCLI(t, "scan", "--no-config", "--regions", "eu-west-1", "--tf-state", "infra/terraform.tfstate", "--iac", "infra",
		"--severity", "critical,high", "--format", "json", "--output", "out/high.json")
	if r.code != exitOK {
		t.Fatalf("--severity: exit %d: %s", r.code, r.stderr)
	}
	var high findings.Report
	must(json.Unmarshal(readFile(t, "out/high.json"), &high), "decode high.json")
	if len(high.Findings) == 0 || len(high.Findings) >= len(rep.Findings) {
		t.Fatalf("--severity kept %d of %d findings, want some but not all", len(high.Findings), len(rep.Findings))
	}
	mapped := 0
	for _, f := range high.Findings {
		if f.Source != nil {
			mapped++
		}
	}
	if m := high.SourceMapping; m == nil || m.Mapped != mapped || m.Mapped+m.Unmapped != len(high.Findings) {
		t.Errorf("with --severity: source mapping %+v, want %d mapped of %d findings", m, mapped, len(high.Findings))
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestIaCInputErrors: a state, template or flag that cannot be read is
// exit 2 with one line naming the file (and line), before anything is
// judged.
func TestIaCInputErrors(t *testing.T) {
	inv := writeInventoryFile(t, mixedInventory())
	dir := t.TempDir()
	state := filepath.Join(dir, "old.tfstate")
	tf := filepath.Join(dir, "tf")
	tpl := filepath.Join(dir, "t.yaml")
	for name, body := range map[string]string{
		"old.tfstate": `{"version": 3, "modules": []}`,
		"tf/main.tf":  "resource \"aws_security_group\" \"a\" {\n  name = \n}\n",
		"ok.tfstate":  `{"version": 4, "resources": []}`,
		"t.yaml":      "Resources:\n  A: [\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tf-state", state}, state + ": state format version 3"},
		{[]string{"--tf-state", filepath.Join(dir, "ok.tfstate"), "--iac", tf}, filepath.Join(tf, "main.tf") + ":2: Invalid expression"},
		{[]string{"--cfn-template", "web"}, `--cfn-template "web": want STACK=FILE`},
		{[]string{"--cfn-template", "web=" + tpl}, tpl + ":2: did not find expected node content"},
		{[]string{"--iac", filepath.Join(dir, "nope")}, "nope: not a directory"},
	} {
		assertOneLineError(t, runCLI(t, append([]string{"scan", "--no-config", "--input", inv}, tt.args...)...), tt.want)
	}
}

// The template of TestScanMapsFindingsToCloudFormation; lines asserted.
const e2eTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.50.0.0/16
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "web of ${AWS::StackName}"
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 10.0.0.0/8
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
`

// TestScanMapsFindingsToCloudFormation creates a stack in moto (which tags
// its groups with the stack name and logical id, as CloudFormation does),
// maps it to its template through the configuration file, and finds the
// findings on the template's lines.
func TestScanMapsFindingsToCloudFormation(t *testing.T) {
	srv := moto.StartT(t)
	ctx := context.Background()
	cf := cloudformation.NewFromConfig(srv.Config(ctx, "eu-west-1"))
	if _, err := cf.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("web-prod"), TemplateBody: aws.String(e2eTemplate)}); err != nil {
		t.Fatalf("create stack: %v", err)
	}
	repo := t.TempDir()
	for name, body := range map[string]string{
		"cfn/web.yaml":  e2eTemplate,
		".sgaudit.yaml": "iac:\n  cloudformation:\n    - {stack: \"web-*\", template: cfn/web.yaml}\n",
	} {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	isolateAWSEnv(t)
	t.Setenv("AWS_ENDPOINT_URL", srv.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Chdir(repo)
	rep, r := scanJSON(t, "--regions", "eu-west-1") // .sgaudit.yaml maps the stack
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got := map[string]findings.Source{}
	for _, f := range rep.Findings {
		if f.GroupName == "default" {
			continue
		}
		if f.Source == nil {
			t.Errorf("%s on %s (%s) is not mapped", f.CheckID, f.GroupName, f.RuleKey)
			continue
		}
		key := f.CheckID
		if parts := strings.Split(f.RuleKey, "|"); len(parts) > 2 {
			key += " port " + parts[2]
		}
		got[key] = *f.Source
	}
	entry := findings.Source{File: "cfn/web.yaml", StartLine: 17, EndLine: 20, Address: "Resources.Web.Properties.SecurityGroupIngress[1]"}
	group := findings.Source{File: "cfn/web.yaml", StartLine: 7, EndLine: 20, Address: "Resources.Web"}
	https := findings.Source{File: "cfn/web.yaml", StartLine: 13, EndLine: 16, Address: "Resources.Web.Properties.SecurityGroupIngress[0]"}
	want := map[string]findings.Source{
		"SGA001 port 22": entry, "SGA005 port 22": entry, // SSH from the world
		"SGA007 port 22": entry, "SGA007 port 443": https, // no descriptions
		"SGA008": group, // unused: on the group's resource
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("sources by check (-want +got):\n%s", diff)
	}
	if c, _ := rep.Check("SGA017"); c.Status != findings.CheckNotEvaluated {
		t.Errorf("SGA017 is %s without a Terraform state, want not_evaluated", c.Status)
	}
}
