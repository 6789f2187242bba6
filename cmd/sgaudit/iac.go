package main

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/internal/config"
	"github.com/sgaudit/sgaudit/internal/iac"
)

// iacFlags tie live groups to the code that declares them (docs/iac.md §1).
type iacFlags struct {
	dirs      []string
	states    []string
	templates []string
}

func (f *iacFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.dirs, "iac", nil, "directory of Terraform code whose blocks findings are located on (repeatable; default: the working directory when it holds *.tf or *.tf.json files or CloudFormation templates)")
	fl.StringArrayVar(&f.states, "tf-state", nil, "Terraform state in JSON (terraform.tfstate v4, or terraform show -json) that ties live groups to the code; enables SGA017, rules added outside Terraform (repeatable)")
	fl.StringArrayVar(&f.templates, "cfn-template", nil, "STACK=FILE: the CloudFormation template of the stacks named STACK, a name or a glob (repeatable; also iac.cloudformation in the configuration)")
}

// load reads the states, templates and code; nil when there is nothing
// to map with. The CloudFormation flags come before the configuration's
// entries (the first match wins).
func (f *iacFlags) load(cfg *config.Config, log *slog.Logger) (*iac.Mapper, error) {
	opts := iac.Options{Dirs: f.dirs, States: f.states}
	for _, t := range f.templates {
		stack, file, ok := strings.Cut(t, "=")
		if !ok || stack == "" || file == "" {
			return nil, usagef("--cfn-template %q: want STACK=FILE, e.g. 'web-*=cfn/web.yaml'", t)
		}
		opts.Templates = append(opts.Templates, iac.TemplateMapping{Stack: stack, File: file})
	}
	if cfg != nil {
		for _, t := range cfg.CloudFormation {
			opts.Templates = append(opts.Templates, iac.TemplateMapping{Stack: t.Stack, File: t.Template})
		}
	}
	if len(opts.Dirs) == 0 && holdsIaC(".") {
		opts.Dirs = []string{"."}
	}
	if opts.Empty() {
		return nil, nil
	}
	m, err := iac.Load(opts)
	if err != nil {
		return nil, err
	}
	for _, w := range m.Warnings() {
		log.Warn(w)
	}
	if url := githubBlobURL(); url != "" {
		m.SetURL(url)
	}
	return m, nil
}

// maxProbe bounds the files looked at to decide whether the working
// directory holds code: a scan run in a large directory by accident
// must not walk it.
const maxProbe = 10_000

// holdsIaC reports whether dir holds *.tf or *.tf.json files (at any depth, hidden
// directories and node_modules skipped) or a CloudFormation template at
// its top.
func holdsIaC(dir string) bool {
	found, seen := false, 0
	errFound := errors.New("found")
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if seen++; seen > maxProbe {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		switch {
		case iac.IsTerraformFile(name) && d.Type().IsRegular():
			found = true
		case filepath.Dir(path) == dir && isTemplateName(name) && d.Type().IsRegular() && looksLikeTemplate(path):
			found = true
		}
		if found {
			return errFound
		}
		return nil
	})
	return found
}

func isTemplateName(name string) bool {
	for _, ext := range []string{".yaml", ".yml", ".json", ".template"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// looksLikeTemplate reads the start of a file for what every template
// has: the format version or a resource type of AWS.
func looksLikeTemplate(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, _ := f.Read(buf)
	return bytes.Contains(buf[:n], []byte("AWSTemplateFormatVersion")) || bytes.Contains(buf[:n], []byte("AWS::EC2::SecurityGroup"))
}

// githubBlobURL is where GitHub shows the checked-out commit's files, in
// GitHub Actions (their default environment); "" elsewhere.
func githubBlobURL() string {
	server, repo, sha := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_SHA")
	if !strings.HasPrefix(server, "https://") || repo == "" || sha == "" || strings.ContainsAny(repo+sha, " \t\n?#") {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + repo + "/blob/" + sha + "/"
}
