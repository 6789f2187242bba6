package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestHoldsIaC: the working directory is --iac's default when it holds
// .tf files (hidden directories and node_modules aside) or a
// CloudFormation template at its top.
func TestHoldsIaC(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"nested .tf", map[string]string{"envs/prod/main.tf": ""}, true},
		{"nested .tf.json (CDK for Terraform)", map[string]string{"cdktf.out/stacks/prod/cdk.tf.json": "{}"}, true},
		{"only under .terraform", map[string]string{".terraform/modules/x/main.tf": "", "README.md": ""}, false},
		{"only under node_modules", map[string]string{"node_modules/x/main.tf": ""}, false},
		{"a template", map[string]string{"stack.yaml": "AWSTemplateFormatVersion: \"2010-09-09\"\nResources: {}\n"}, true},
		{"a JSON template", map[string]string{"stack.json": `{"Resources": {"W": {"Type": "AWS::EC2::SecurityGroup"}}}`}, true},
		{"other YAML", map[string]string{"ci.yaml": "jobs: {}\n", ".sgaudit.yaml": "checks: {}\n"}, false},
		{"a template below the top", map[string]string{"cfn/stack.yaml": "AWSTemplateFormatVersion: \"2010-09-09\"\n"}, false},
		{"empty", nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range tt.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := holdsIaC(dir); got != tt.want {
				t.Errorf("holdsIaC = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGitHubBlobURL: the HTML links sources to the checked-out commit
// only with GitHub's whole environment, and never to a non-https server.
func TestGitHubBlobURL(t *testing.T) {
	for _, tt := range []struct {
		server, repo, sha, want string
	}{
		{"https://github.com", "acme/net", "abc123", "https://github.com/acme/net/blob/abc123/"},
		{"https://ghe.example.com/", "acme/net", "abc123", "https://ghe.example.com/acme/net/blob/abc123/"},
		{"http://github.com", "acme/net", "abc123", ""},
		{"https://github.com", "", "abc123", ""},
		{"https://github.com", "acme/net", "", ""},
		{"https://github.com", "acme/net?x=1", "abc123", ""},
	} {
		t.Setenv("GITHUB_SERVER_URL", tt.server)
		t.Setenv("GITHUB_REPOSITORY", tt.repo)
		t.Setenv("GITHUB_SHA", tt.sha)
		if got := githubBlobURL(); got != tt.want {
			t.Errorf("%q %q %q: got %q, want %q", tt.server, tt.repo, tt.sha, got, tt.want)
		}
	}
}
