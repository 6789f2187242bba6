package iac

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sgaudit/sgaudit/scanner/findings"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// syntaxCase is one rule finding and the lines it must map to.
type syntaxCase struct {
	name       string
	rule       inventory.Rule
	file       string
	start, end int
	address    string
}

// mapRules loads root with the state st, maps a finding per case on the
// group id and compares each source.
func mapRules(t *testing.T, root, id string, st map[string]any, cases []syntaxCase) {
	t.Helper()
	writeFiles(t, root, map[string]string{"s.tfstate": mustJSON(t, st)})
	m, err := Load(Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	var rules []inventory.Rule
	for _, c := range cases {
		rules = append(rules, c.rule)
	}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(id, nil, rules...)}}
	for _, c := range cases {
		fs := []findings.Finding{finding(id, &c.rule)}
		m.Map(inv, fs)
		want := &findings.Source{File: c.file, StartLine: c.start, EndLine: c.end, Address: c.address}
		if diff := cmp.Diff(want, fs[0].Source); diff != "" {
			t.Errorf("%s: source (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestAttributeSyntaxIngress: ingress = [{...}, ...] (Terraform's
// attribute syntax for inline rules) maps each rule to its own object.
func TestAttributeSyntaxIngress(t *testing.T) {
	t.Parallel()
	const id = "sg-0000000000000attr"
	main := `resource "aws_security_group" "g" {
  name = "g"
  ingress = [
    {
      description      = "ssh"
      protocol         = "tcp"
      from_port        = 22
      to_port          = 22
      cidr_blocks      = ["203.0.113.0/24"]
      ipv6_cidr_blocks = []
      prefix_list_ids  = []
      security_groups  = []
      self             = false
    },
    { protocol = "tcp", from_port = 443, to_port = 443, cidr_blocks = ["0.0.0.0/0"], self = false },
  ]
  egress = [{
    "protocol"  = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }]
}
`
	ssh := liveRule("", inventory.Ingress, "tcp", 22, 22, "203.0.113.0/24")
	https := liveRule("", inventory.Ingress, "tcp", 443, 443, "0.0.0.0/0")
	all := liveRule("", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	st := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "g",
		"instances": []any{map[string]any{"attributes": map[string]any{"id": id,
			"ingress": []any{inlineRule("tcp", 22, 22, "203.0.113.0/24"), inlineRule("tcp", 443, 443, "0.0.0.0/0")},
			"egress":  []any{inlineRule("-1", 0, 0, "0.0.0.0/0")}}}},
	}}}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.tf": main})
	mapRules(t, root, id, st, []syntaxCase{
		{"first object", ssh, "main.tf", 4, 14, "aws_security_group.g"},
		{"one-line object", https, "main.tf", 15, 15, "aws_security_group.g"},
		{"egress with a quoted key", all, "main.tf", 17, 22, "aws_security_group.g"},
	})
}

// TestJSONSyntax: .tf.json files (JSON syntax, as CDK for Terraform
// writes them) map like .tf files: a group's block, its inline rules
// (one object or a list), a rule resource, a local module, and a moved
// block. A "${...}" string is computed, so it matches anything and
// counts for nothing.
func TestJSONSyntax(t *testing.T) {
	t.Parallel()
	const (
		webID = "sg-00000000000json01"
		appID = "sg-00000000000json02"
	)
	main := `{
  "resource": {
    "aws_security_group": {
      "web": {
        "name": "web",
        "ingress": [
          {
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_blocks": ["${var.office}"]
          },
          {
            "protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_blocks": ["198.51.100.0/24"]
          }
        ],
        "egress": {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}
      }
    },
    "aws_security_group_rule": {
      "db": {
        "count": 2,
        "type": "ingress",
        "security_group_id": "${aws_security_group.web.id}",
        "protocol": "tcp",
        "from_port": 5432,
        "to_port": 5432,
        "cidr_blocks": ["10.0.0.0/8"]
      }
    }
  },
  "module": {"app": {"source": "./modules/app"}},
  "moved": [{"from": "aws_security_group.old", "to": "aws_security_group.web"}]
}
`
	app := `{"resource": {"aws_security_group": {"app": {
  "ingress": []
}}}}
`
	office := liveRule("", inventory.Ingress, "tcp", 22, 22, "192.0.2.10/32")
	partner := liveRule("", inventory.Ingress, "tcp", 22, 22, "198.51.100.0/24")
	all := liveRule("", inventory.Egress, "all", 0, 65535, "0.0.0.0/0")
	pg := liveRule("", inventory.Ingress, "tcp", 5432, 5432, "10.0.0.0/8")
	st := map[string]any{"version": 4, "resources": []any{
		map[string]any{
			"mode": "managed", "type": "aws_security_group", "name": "web",
			"instances": []any{map[string]any{"attributes": map[string]any{"id": webID,
				"ingress": []any{inlineRule("tcp", 22, 22, "192.0.2.10/32"), inlineRule("tcp", 22, 22, "198.51.100.0/24")},
				"egress":  []any{inlineRule("-1", 0, 0, "0.0.0.0/0")}}}},
		},
		map[string]any{
			"mode": "managed", "type": "aws_security_group_rule", "name": "db",
			"instances": []any{map[string]any{"index_key": 1, "attributes": map[string]any{
				"security_group_id": webID, "type": "ingress", "protocol": "tcp", "from_port": 5432, "to_port": 5432,
				"cidr_blocks": []any{"10.0.0.0/8"}}}},
		},
		map[string]any{
			"module": "module.app", "mode": "managed", "type": "aws_security_group", "name": "app",
			"instances": []any{map[string]any{"attributes": map[string]any{"id": appID, "ingress": []any{}, "egress": []any{}}}},
		},
	}}
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"main.tf.json": main, "modules/app/main.tf.json": app})
	mapRules(t, root, webID, st, []syntaxCase{
		// The office rule's CIDR is computed: the first object matches it
		// on direction, protocol and ports, as well as the second does
		// not (its CIDR differs).
		{"computed CIDR", office, "main.tf.json", 7, 12, "aws_security_group.web"},
		{"literal CIDR", partner, "main.tf.json", 13, 18, "aws_security_group.web"},
		{"egress as one object", all, "main.tf.json", 20, 20, "aws_security_group.web"},
		{"rule resource with count", pg, "main.tf.json", 24, 32, "aws_security_group_rule.db[1]"},
	})

	m, err := Load(Options{Root: root, Dirs: []string{root}, States: []string{filepath.Join(root, "s.tfstate")}})
	if err != nil {
		t.Fatal(err)
	}
	inv := &inventory.Inventory{SecurityGroups: []inventory.SecurityGroup{liveGroup(webID, nil), liveGroup(appID, nil)}}
	fs := []findings.Finding{finding(webID, nil), finding(appID, nil)}
	m.Map(inv, fs)
	want := []*findings.Source{
		{File: "main.tf.json", StartLine: 4, EndLine: 21, Address: "aws_security_group.web"},
		{File: "modules/app/main.tf.json", StartLine: 1, EndLine: 3, Address: "module.app.aws_security_group.app"},
	}
	for i, w := range want {
		if diff := cmp.Diff(w, fs[i].Source); diff != "" {
			t.Errorf("group %d: source (-want +got):\n%s", i, diff)
		}
	}
}

// TestJSONSyntaxErrors: a .tf.json file that is not JSON, or whose
// resources are not objects, is one error naming the file and line.
func TestJSONSyntaxErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ src, want string }{
		{"{\n  \"resource\": [\n", "invalid IaC input: d/main.tf.json:3"},
		{"{\"resource\": {\"aws_security_group\": \"x\"}}", "invalid IaC input: d/main.tf.json:1"},
		{"[1]", "invalid IaC input: d/main.tf.json:1"},
	} {
		m := &tfModule{Dir: "d", Resources: map[string]*tfBlock{}, Modules: map[string]string{}, Moved: map[string]string{}}
		err := m.parseFile("d/main.tf.json", []byte(tt.src))
		if err == nil || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
			t.Errorf("%q: error %v, want %s...", tt.src, err, tt.want)
		}
	}
}

// TestInlineNullPeerLists: a peer list written null (ipv6_cidr_blocks =
// null, as the attribute syntax's objects often say, and "null" in JSON)
// is literally no peers, like []: it needs no variable or function, so the
// object's CIDRs still count and two objects that differ only by CIDR each
// get their own rule's findings, instead of tying and falling back to the
// group's block.
func TestInlineNullPeerLists(t *testing.T) {
	t.Parallel()
	const id = "sg-00000000000null01"
	native := `resource "aws_security_group" "g" {
  ingress = [
    {
      protocol = "tcp", from_port = 22, to_port = 22, cidr_blocks = ["10.0.0.0/8"],
      ipv6_cidr_blocks = null, prefix_list_ids = null, security_groups = null, self = null, description = null
    },
    {
      protocol = "tcp", from_port = 22, to_port = 22, cidr_blocks = ["192.168.0.0/16"],
      ipv6_cidr_blocks = null, prefix_list_ids = null, security_groups = null, self = null, description = null
    },
  ]
}
`
	json := `{"resource": {"aws_security_group": {"g": {
  "ingress": [
    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": null, "self": null},
    {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["192.168.0.0/16"], "ipv6_cidr_blocks": null, "self": null}
  ]
}}}}
`
	a := liveRule("", inventory.Ingress, "tcp", 22, 22, "10.0.0.0/8")
	b := liveRule("", inventory.Ingress, "tcp", 22, 22, "192.168.0.0/16")
	st := map[string]any{"version": 4, "resources": []any{map[string]any{
		"mode": "managed", "type": "aws_security_group", "name": "g",
		"instances": []any{map[string]any{"attributes": map[string]any{"id": id,
			"ingress": []any{inlineRule("tcp", 22, 22, "10.0.0.0/8"), inlineRule("tcp", 22, 22, "192.168.0.0/16")},
			"egress":  []any{}}}},
	}}}
	for _, tt := range []struct {
		file, src  string
		first, sec [2]int
	}{
		{"main.tf", native, [2]int{3, 6}, [2]int{7, 10}},
		{"main.tf.json", json, [2]int{3, 3}, [2]int{4, 4}},
	} {
		root := t.TempDir()
		writeFiles(t, root, map[string]string{tt.file: tt.src})
		mapRules(t, root, id, st, []syntaxCase{
			{tt.file + ": first object", a, tt.file, tt.first[0], tt.first[1], "aws_security_group.g"},
			{tt.file + ": second object", b, tt.file, tt.sec[0], tt.sec[1], "aws_security_group.g"},
		})
	}
}
