package iac

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// The fixture: a Terraform root with inline rules, a separate
// aws_security_group_rule with count, a local module called with
// for_each holding a group and aws_vpc_security_group_*_rule resources,
// and a nested local module; plus a registry module whose code is not in
// the repository. Line numbers are asserted exactly in the tests, so the
// text below is the reference: count its lines when changing it.
const rootMain = `variable "office" {
  default = "198.51.100.0/24"
}

resource "aws_security_group" "web" {
  name        = "web"
  description = "web servers"

  ingress {
    description = "https"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "ssh from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.office]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "db" {
  count             = 2
  type              = "ingress"
  security_group_id = aws_security_group.web.id
  protocol          = "tcp"
  from_port         = 5432 + count.index
  to_port           = 5432 + count.index
  cidr_blocks       = ["10.0.0.0/8"]
}
`

const rootModules = `module "app" {
  source   = "./modules/app"
  for_each = toset(["a", "b"])
  name     = each.key
}

module "remote" {
  source  = "terraform-aws-modules/security-group/aws"
  version = "5.1.0"
}
`

const appMain = `variable "name" {}

resource "aws_security_group" "app" {
  name = "app-${var.name}"
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "all" {
  security_group_id = aws_security_group.app.id
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

module "inner" {
  source = "../inner"
}
`

const innerMain = `resource "aws_security_group" "inner" {
  name = "inner"
  dynamic "ingress" {
    for_each = [1]
    content {
      from_port = 8080
      to_port   = 8080
      protocol  = "tcp"
    }
  }
}
`

// Live ids of the fixture's groups.
const (
	acct     = "111122223333"
	region   = "eu-west-1"
	webID    = "sg-0000000000000web"
	appA     = "sg-00000000000000aa"
	appB     = "sg-00000000000000bb"
	innerID  = "sg-0000000000inner1"
	remoteID = "sg-000000000remote1"
	cfnID    = "sg-00000000000000cf"
	otherID  = "sg-0000000000other1"
)

func arn(id string) string { return "arn:aws:ec2:" + region + ":" + acct + ":security-group/" + id }

// writeFiles writes files (slash paths) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// rule is the state's inline rule shape.
func inlineRule(proto string, from, to int, cidrs ...string) map[string]any {
	return map[string]any{
		"protocol": proto, "from_port": from, "to_port": to, "cidr_blocks": cidrs,
		"ipv6_cidr_blocks": []string{}, "prefix_list_ids": []string{}, "security_groups": []string{},
		"self": false, "description": "",
	}
}

// v4State is a hand-built state file of format version 4 for the
// fixture, with the given group ids.
func v4State(web, a, b, inner, remote string) map[string]any {
	group := func(id string, ingress, egress []any) map[string]any {
		return map[string]any{"id": id, "arn": arn(id), "name": id, "ingress": ingress, "egress": egress}
	}
	inst := func(key any, attrs map[string]any) map[string]any {
		m := map[string]any{"schema_version": 1, "attributes": attrs}
		if key != nil {
			m["index_key"] = key
		}
		return m
	}
	res := func(module, typ, name string, instances ...any) map[string]any {
		r := map[string]any{"mode": "managed", "type": typ, "name": name,
			"provider": `provider["registry.terraform.io/hashicorp/aws"]`, "instances": instances}
		if module != "" {
			r["module"] = module
		}
		return r
	}
	allEgress := []any{inlineRule("-1", 0, 0, "0.0.0.0/0")}
	return map[string]any{
		"version": 4, "terraform_version": "1.9.0", "serial": 7, "lineage": "fixture",
		"outputs": map[string]any{},
		"resources": []any{
			map[string]any{"mode": "data", "type": "aws_vpc", "name": "main", "instances": []any{}},
			res("", "aws_security_group", "web", inst(nil, group(web,
				[]any{inlineRule("tcp", 443, 443, "0.0.0.0/0"), inlineRule("tcp", 22, 22, "198.51.100.0/24")}, allEgress))),
			res("", "aws_security_group_rule", "db",
				inst(0, map[string]any{"id": "sgrule-1", "type": "ingress", "security_group_id": web, "protocol": "tcp",
					"from_port": 5432, "to_port": 5432, "cidr_blocks": []any{"10.0.0.0/8"}, "self": false}),
				inst(1, map[string]any{"id": "sgrule-2", "type": "ingress", "security_group_id": web, "protocol": "tcp",
					"from_port": 5433, "to_port": 5433, "cidr_blocks": []any{"10.0.0.0/8"}, "self": false})),
			res(`module.app["a"]`, "aws_security_group", "app", inst(nil, group(a, []any{}, []any{}))),
			res(`module.app["b"]`, "aws_security_group", "app", inst(nil, group(b, []any{}, []any{}))),
			res(`module.app["a"]`, "aws_vpc_security_group_ingress_rule", "ssh", inst(nil, map[string]any{
				"id": "sgr-0000000000000aa22", "security_group_rule_id": "sgr-0000000000000aa22", "security_group_id": a,
				"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"})),
			res(`module.app["a"]`, "aws_vpc_security_group_egress_rule", "all", inst(nil, map[string]any{
				"id": "sgr-0000000000000aa00", "security_group_rule_id": "sgr-0000000000000aa00", "security_group_id": a,
				"ip_protocol": "-1", "from_port": nil, "to_port": nil, "cidr_ipv4": "0.0.0.0/0"})),
			res(`module.app["a"].module.inner`, "aws_security_group", "inner", inst(nil, group(inner,
				[]any{inlineRule("tcp", 8080, 8080, "10.1.0.0/16")}, []any{}))),
			res(`module.remote`, "aws_security_group", "this", inst(0, group(remote, []any{}, []any{}))),
		},
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const cfnYAML = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Office:
    Type: String
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: !Sub "web of ${AWS::StackName}"
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 443
          ToPort: 443
          CidrIp: 0.0.0.0/0
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: !Ref Office
      Tags:
        - Key: Name
          Value: !Join ["-", [web, !Ref "AWS::StackName"]]
  WebRdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Web.GroupId
      IpProtocol: tcp
      FromPort: 3389
      ToPort: 3389
      CidrIp: 0.0.0.0/0
Outputs:
  Id:
    Value: !GetAtt [Web, GroupId]
`

const cfnJSON = `{
  "Resources": {
    "Db": {
      "Type": "AWS::EC2::SecurityGroup",
      "Properties": {
        "GroupDescription": {"Fn::Sub": "db of ${AWS::StackName}"},
        "SecurityGroupIngress": [
          {
            "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
            "CidrIp": "0.0.0.0/0"
          }
        ]
      }
    },
    "DbMysql": {
      "Type": "AWS::EC2::SecurityGroupIngress",
      "Properties": {
        "GroupId": {"Fn::GetAtt": ["Db", "GroupId"]},
        "IpProtocol": "tcp", "FromPort": "3306", "ToPort": "3306",
        "CidrIp": "0.0.0.0/0"
      }
    }
  }
}
`

// liveRule builds an inventory rule.
func liveRule(id string, dir inventory.Direction, proto string, from, to int, cidr string) inventory.Rule {
	kind := inventory.PeerCIDRv4
	if _, v6, _ := inventory.CanonicalCIDR(cidr); v6 {
		kind = inventory.PeerCIDRv6
	}
	return inventory.Rule{ID: id, Direction: dir, Protocol: proto, RawProtocol: proto, FromPort: from, ToPort: to,
		Peer: inventory.Peer{Kind: kind, CIDR: cidr}}
}

func liveGroup(id string, tags map[string]string, rules ...inventory.Rule) inventory.SecurityGroup {
	return inventory.SecurityGroup{ARN: arn(id), ID: id, Name: id, AccountID: acct, Region: region,
		Tags: inventory.NewTags(tags), Rules: inventory.NewRules(rules...)}
}
