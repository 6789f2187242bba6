package iac

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseState: any input is a state or one error wrapping ErrInput
// naming the file; a state keeps only supported managed instances,
// sorted, each with an address that ends in its type and name, and
// parsing is deterministic.
func FuzzParseState(f *testing.F) {
	f.Add([]byte(mustJSON(f, v4State(webID, appA, appB, innerID, remoteID))))
	f.Add([]byte(`{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"aws_security_group.a","mode":"managed","type":"aws_security_group","name":"a","values":{"id":"sg-1"}}],"child_modules":[{"address":"module.m[\"k\"]","resources":[]}]}}}`))
	f.Add([]byte(`{"version":4,"resources":[{"module":"module.a[0].module.b[\"x\\\"y\"]","mode":"managed","type":"aws_security_group_rule","name":"r","instances":[{"index_key":3,"attributes":{}}]}]}`))
	f.Add([]byte(`{"version":3}`))
	f.Add([]byte(`{"version":4,"resources":[{"module":"module.","mode":"managed","type":"aws_security_group","name":"x","instances":[{}]}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format_version": "1.2", "planned_values": {}}`))
	f.Add([]byte(`{"version": 4, "resources": [{"instances": [{"index_key": "$${x}", "attributes": {"id": "sg-1", "ingress": null}}], "type": "aws_security_group", "name": "g", "mode": "managed"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState("state.json", data)
		if err != nil {
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "state.json") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line wrapping ErrInput naming the file", err)
			}
			return
		}
		if !slices.IsSortedFunc(st.Instances, func(a, b Instance) int { return strings.Compare(a.Address, b.Address) }) {
			t.Fatal("instances not sorted by address")
		}
		for _, in := range st.Instances {
			if !supportedTypes[in.Type] || in.Name == "" {
				t.Fatalf("kept %s.%s", in.Type, in.Name)
			}
			if !strings.Contains(in.Address, in.Type+"."+in.Name) {
				t.Fatalf("address %q lacks %s.%s", in.Address, in.Type, in.Name)
			}
			for _, m := range in.Modules {
				if m == "" || !strings.Contains(in.Address, "module."+m) {
					t.Fatalf("module %q not in address %q", m, in.Address)
				}
			}
		}
		again, err := ParseState("state.json", bytes.Clone(data))
		if err != nil {
			t.Fatalf("second parse failed: %v", err)
		}
		if diff := cmp.Diff(st, again); diff != "" {
			t.Fatalf("parsing is not deterministic:\n%s", diff)
		}
	})
}

// FuzzParseTemplate: any input is a template or one error wrapping
// ErrInput naming the file; in a template every resource and every rule
// the mapping would use spans lines that exist in the file, first line
// first.
func FuzzParseTemplate(f *testing.F) {
	f.Add([]byte(cfnYAML))
	f.Add([]byte(cfnJSON))
	f.Add([]byte("Resources:\n  A: &x\n    Type: AWS::EC2::SecurityGroup\n  B: *x\n"))
	f.Add([]byte("Resources:\n  W:\n    Properties:\n      SecurityGroupIngress:\n        - CidrIp: |\n            10.0.0.0/8\n          FromPort: 1\n"))
	f.Add([]byte(`{"Resources": {"A": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "W"}}}}}`))
	f.Add([]byte("{\"Resources\": {}} x"))
	f.Add([]byte("Resources: [\n"))
	f.Add([]byte("{Resources: {A: {Type: AWS::EC2::SecurityGroup}}}"))
	f.Add([]byte("{\"Resources\": {\"A\": {\"Type\": \"x\", \"Type\": \"y\"}}}"))
	f.Add([]byte("a: &a [*a, *a]\nResources:\n  W:\n    Properties:\n      SecurityGroupIngress: !If [C, [{CidrIp: 1.2.3.4/32}], !Ref AWS::NoValue]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := ParseTemplate("t.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInput) || !strings.HasPrefix(err.Error(), "invalid IaC input: t.yaml") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line wrapping ErrInput naming the file", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		inFile := func(what string, start, end int) {
			if start < 1 || end < start || end > lines {
				t.Fatalf("%s spans lines %d-%d of a %d-line file", what, start, end, lines)
			}
		}
		for id, r := range tpl.Resources {
			start, end := resourceLines(r)
			inFile("resource "+id, start, end)
			for _, rule := range tpl.groupRules(id) {
				inFile(rule.Address, rule.Start, rule.End)
			}
		}
	})
}

// FuzzParseHCL: any .tf (or .tf.json) file is parsed or is one error line wrapping
// ErrInput naming the file; every resource block and each of its inline
// ingress and egress blocks spans lines of the file, first line first,
// and the inline blocks lie within their resource's.
func FuzzParseHCL(f *testing.F) {
	f.Add([]byte(rootMain))
	f.Add([]byte(rootModules))
	f.Add([]byte(appMain))
	f.Add([]byte(innerMain))
	f.Add([]byte(inlineMain))
	f.Add([]byte("moved {\n  from = aws_security_group.a\n  to = aws_security_group.a\n}\n"))
	f.Add([]byte("locals {\n  x = [[[[[[[[]]]]]]]]\n}\n"))
	f.Add([]byte("resource \"aws_security_group\" \"x\" {\n  ingress {\n    protocol = 6\n    self = \"yes\"\n  }\n"))
	f.Add([]byte("resource \"aws_security_group\" \"x\" {\n  ingress = [{ from_port = 22, \"to_port\" = 22 }, 3]\n  egress = local.x\n}\n"))
	// JSON syntax: a file whose first byte is { or [ is read as .tf.json.
	f.Add([]byte("{\"resource\": {\"aws_security_group\": {\"x\": {\"ingress\": [{\"from_port\": 22}, {\"cidr_blocks\": [\"${var.a}\"]}]}}}}"))
	f.Add([]byte("{\"resource\": [{\"aws_security_group\": {\"x\": [{}, {\"dynamic\": {\"ingress\": {\"content\": {\"protocol\": 6}}}}]}}], \"moved\": {\"from\": \"a.b\", \"to\": \"a.c\"}}"))
	f.Add([]byte("{\"module\": {\"m\": {\"source\": \"./x\"}}, \"s\": \"}\\\"{\"}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := &tfModule{Dir: "d", Resources: map[string]*tfBlock{}, Modules: map[string]string{}, Moved: map[string]string{}}
		name := "d/main.tf"
		if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
			name = "d/main.tf.json"
		}
		err := m.parseFile(name, data)
		if err != nil {
			if !errors.Is(err, ErrInput) || !strings.HasPrefix(err.Error(), "invalid IaC input: "+name) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line wrapping ErrInput naming the file", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for key, b := range m.Resources {
			if b.Start < 1 || b.End < b.Start || b.End > lines {
				t.Fatalf("%s spans lines %d-%d of a %d-line file", key, b.Start, b.End, lines)
			}
			for _, in := range b.Inline {
				if in.Start < b.Start || in.End > b.End || in.End < in.Start {
					t.Fatalf("%s: inline block %d-%d outside %d-%d", key, in.Start, in.End, b.Start, b.End)
				}
			}
		}
		for key := range m.Moved {
			_ = m.resource(key) // a cycle of moves ends
		}
	})
}
