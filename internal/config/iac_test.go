package config

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseIaC: iac.cloudformation is read in order with its lines, and
// every mistake names its line.
func TestParseIaC(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("iac:\n  cloudformation:\n    - {stack: \"web-*\", template: cfn/web.yaml}\n    - stack: db\n      template: cfn/db.json\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []CloudFormationTemplate{{Stack: "web-*", Template: "cfn/web.yaml", Line: 3}, {Stack: "db", Template: "cfn/db.json", Line: 4}}
	if diff := cmp.Diff(want, cfg.CloudFormation); diff != "" {
		t.Errorf("cloudformation (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ src, want string }{
		{"iac:\n  terraform: x\n", `c.yaml:2: unknown key "terraform" in iac`},
		{"iac:\n  cloudformation: x\n", "c.yaml:2: iac.cloudformation: want a list of {stack, template}, got \"x\""},
		{"iac:\n  cloudformation:\n    - {stack: web}\n", "c.yaml:3: iac.cloudformation[0]: needs both stack and template"},
		{"iac:\n  cloudformation:\n    - {stack: \"[\", template: t.yaml}\n", `c.yaml:3: iac.cloudformation[0].stack: "[" is not a stack name or glob`},
		{"iac:\n  cloudformation:\n    - {stack: a, template: t.yaml, owner: x}\n", `c.yaml:3: unknown key "owner" in iac.cloudformation[0]`},
	} {
		_, err := Parse("c.yaml", []byte(tt.src))
		if !errors.Is(err, ErrConfig) || err.Error() != tt.want {
			t.Errorf("%q: error %v, want %s", tt.src, err, tt.want)
		}
	}
}
