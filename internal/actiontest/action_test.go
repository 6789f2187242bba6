package actiontest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/internal/demoworld"
	"github.com/sgaudit/sgaudit/internal/moto"
)

// releaseVersion is the version the fake release carries, stamped into the
// binary it serves so a test can tell that binary from a source build.
const releaseVersion = "v9.8.7"

// actionFile is the part of action.yml the runner needs.
type actionFile struct {
	Inputs  map[string]struct{ Default string } `yaml:"inputs"`
	Outputs map[string]struct{ Value string }   `yaml:"outputs"`
	Runs    struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Shell string            `yaml:"shell"`
	Run   string            `yaml:"run"`
	Uses  string            `yaml:"uses"`
	Env   map[string]string `yaml:"env"`
}

// invocation is one run of the action.
type invocation struct {
	inputs    map[string]string
	actionRef string
	// env is added to every step's environment (after the runner's own).
	env []string
	// dir is the working directory of every step (the workspace).
	dir string
	// stopAfter ends the run after this step id ("" runs every step).
	stopAfter string
}

// result is what a run of the action left behind.
type result struct {
	// failed is the id of the step that exited non-zero, "" if none did.
	failed   string
	exitCode int
	stderr   string
	outputs  map[string]string // the action's outputs
	steps    map[string]map[string]string
	summary  string // the job summary
	pathDirs []string
}

var (
	rootOnce sync.Once
	rootDir  string
	rootErr  error
)

func repoRoot(t *testing.T) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			rootErr = err
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "action.yml")); err == nil {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				rootErr = errors.New("no action.yml above the working directory")
				return
			}
			dir = parent
		}
	})
	if rootErr != nil {
		t.Fatal(rootErr)
	}
	return rootDir
}

func loadAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("parse action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", a.Runs.Using)
	}
	return a
}

var exprRE = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// expand substitutes the expressions action.yml uses; any other expression
// fails the test, so this runner cannot silently drift from action.yml.
func expand(t *testing.T, a actionFile, inv invocation, steps map[string]map[string]string, s string) string {
	t.Helper()
	return exprRE.ReplaceAllStringFunc(s, func(m string) string {
		expr := exprRE.FindStringSubmatch(m)[1]
		switch {
		case strings.HasPrefix(expr, "inputs."):
			name := strings.TrimPrefix(expr, "inputs.")
			in, ok := a.Inputs[name]
			if !ok {
				t.Fatalf("action.yml uses undeclared input %q", name)
			}
			if v, ok := inv.inputs[name]; ok {
				return v
			}
			return in.Default
		case strings.HasPrefix(expr, "steps."):
			parts := strings.Split(expr, ".")
			if len(parts) != 4 || parts[2] != "outputs" {
				t.Fatalf("unsupported expression %q in action.yml", expr)
			}
			return steps[parts[1]][parts[3]]
		case expr == "github.action_ref":
			return inv.actionRef
		}
		t.Fatalf("unsupported expression %q in action.yml: teach this runner", expr)
		return ""
	})
}

// runAction runs the composite steps of action.yml in order, like the
// runner: each step's env expanded, GITHUB_PATH entries of earlier steps put
// in front of PATH, step outputs read from GITHUB_OUTPUT, stop at the first
// failing step.
func runAction(t *testing.T, inv invocation) result {
	t.Helper()
	a := loadAction(t)
	for name := range inv.inputs {
		if _, ok := a.Inputs[name]; !ok {
			t.Fatalf("test passes input %q that action.yml does not declare", name)
		}
	}
	tmp := t.TempDir()
	summaryFile := filepath.Join(tmp, "step_summary.md")
	pathFile := filepath.Join(tmp, "github_path")
	runnerTemp := filepath.Join(tmp, "runner_temp")
	if err := os.MkdirAll(runnerTemp, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{summaryFile, pathFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := result{steps: map[string]map[string]string{}, outputs: map[string]string{}}
	var stderr strings.Builder
	for i, st := range a.Runs.Steps {
		if st.Uses != "" || st.If != "" || st.Shell != "bash" {
			t.Fatalf("step %d (%s): only unconditional bash run steps are supported by this runner", i, st.ID)
		}
		outFile := filepath.Join(tmp, fmt.Sprintf("output_%d", i))
		if err := os.WriteFile(outFile, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		env := baseEnv(t, pathFile, inv.env)
		env = append(env,
			"GITHUB_ACTION_PATH="+repoRoot(t),
			"GITHUB_OUTPUT="+outFile,
			"GITHUB_PATH="+pathFile,
			"GITHUB_STEP_SUMMARY="+summaryFile,
			"RUNNER_TEMP="+runnerTemp,
		)
		keys := make([]string, 0, len(st.Env))
		for k := range st.Env {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			env = append(env, k+"="+expand(t, a, inv, res.steps, st.Env[k]))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", st.Run)
		cmd.Dir = inv.dir
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		err := cmd.Run()
		res.steps[st.ID] = readOutputs(t, outFile)
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			res.failed, res.exitCode = st.ID, exit.ExitCode()
			break
		} else if err != nil {
			t.Fatalf("step %s: %v", st.ID, err)
		}
		if st.ID == inv.stopAfter {
			break
		}
	}
	for name, o := range a.Outputs {
		res.outputs[name] = expand(t, a, inv, res.steps, o.Value)
	}
	res.stderr = stderr.String()
	b, err := os.ReadFile(summaryFile)
	if err != nil {
		t.Fatal(err)
	}
	res.summary = string(b)
	res.pathDirs = readLines(t, pathFile)
	return res
}

// baseEnv is the test process's environment with the PATH entries added by
// earlier steps in front, the runner's platform variables for this host,
// and extra last (so a test can override any of them).
func baseEnv(t *testing.T, pathFile string, extra []string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		// The step gets only what the test sets: no real AWS settings, no
		// GitHub variables of an enclosing runner.
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "GITHUB_") || strings.HasPrefix(kv, "RUNNER_") || strings.HasPrefix(kv, "SGAUDIT_") || strings.HasPrefix(kv, "NO_COLOR=") {
			continue
		}
		env = append(env, kv)
	}
	path := os.Getenv("PATH")
	for _, d := range readLines(t, pathFile) {
		path = d + string(os.PathListSeparator) + path
	}
	env = append(env, "PATH="+path, "RUNNER_OS="+runnerOS(t), "RUNNER_ARCH="+runnerArch(t, runtime.GOARCH))
	return append(env, extra...)
}

func runnerOS(t *testing.T) string {
	t.Helper()
	switch runtime.GOOS {
	case "linux":
		return "Linux"
	case "darwin":
		return "macOS"
	}
	t.Fatalf("the action test runs bash steps; no runner OS for %s", runtime.GOOS)
	return ""
}

func runnerArch(t *testing.T, goarch string) string {
	t.Helper()
	switch goarch {
	case "amd64":
		return "X64"
	case "arm64":
		return "ARM64"
	}
	t.Fatalf("no runner architecture for %s", goarch)
	return ""
}

func readLines(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSuffix(line, "\n")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("GITHUB_OUTPUT line %q is not NAME=VALUE", line)
		}
		out[k] = v
	}
	return out
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// releaseBinary builds sgaudit the way the release does (CGO_ENABLED=0,
// -trimpath, version stamped), once per test binary.
func releaseBinary(t *testing.T) string {
	t.Helper()
	root := repoRoot(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sgaudit-actiontest-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "sgaudit")
		// -pgo=off like the test suite (Makefile, PGO_PROFILE): the
		// Action's install is under test here, not the binary's speed.
		cmd := exec.Command("go", "build", "-pgo=off", "-trimpath", "-ldflags", "-X main.version="+releaseVersion, "-o", builtBin, "./cmd/sgaudit")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build sgaudit: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// archiveName is the release asset name .goreleaser.yaml gives the host's
// archive.
func archiveName(goos, goarch string) string {
	return fmt.Sprintf("sgaudit_%s_%s.tar.gz", goos, goarch)
}

var (
	archiveOnce  sync.Once
	archiveBytes []byte
)

// releaseArchive is the host's release archive, packed once: gzip of the
// whole binary takes seconds.
func releaseArchive(t *testing.T) []byte {
	t.Helper()
	bin := releaseBinary(t)
	archiveOnce.Do(func() { archiveBytes = tarGz(t, bin) })
	if archiveBytes == nil {
		t.Fatal("packing the release archive failed in an earlier test")
	}
	return archiveBytes
}

// tarGz packs the binary as the release archive does: sgaudit at the top
// with a few documentation files beside it.
func tarGz(t *testing.T, bin string) []byte {
	t.Helper()
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(gz)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{
		{"README.md", 0o644, []byte("# sgaudit\n")},
		{"sgaudit", 0o755, data},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	zipOnce  sync.Once
	zipBytes []byte
)

// windowsArchive is the Windows release archive as GoReleaser packs it: a
// zip with sgaudit.exe at the top, its Unix mode recorded. The binary is the
// host's (named .exe): the script's Windows path (zip, checksum, extraction,
// the .exe name) is what is under test, not Windows itself.
func windowsArchive(t *testing.T) []byte {
	t.Helper()
	bin := releaseBinary(t)
	zipOnce.Do(func() {
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Error(err)
			return
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range []struct {
			name string
			mode os.FileMode
			data []byte
		}{
			{"README.md", 0o644, []byte("# sgaudit\n")},
			{"sgaudit.exe", 0o755, data},
		} {
			h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
			h.SetMode(f.mode)
			w, err := zw.CreateHeader(h)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := w.Write(f.data); err != nil {
				t.Error(err)
				return
			}
		}
		if err := zw.Close(); err != nil {
			t.Error(err)
			return
		}
		zipBytes = buf.Bytes()
	})
	if zipBytes == nil {
		t.Fatal("packing the Windows archive failed")
	}
	return zipBytes
}

// windowsRelease is release for a Windows runner of the host's architecture.
func windowsRelease(t *testing.T, prefix string) map[string][]byte {
	t.Helper()
	archive := windowsArchive(t)
	name := windowsArchiveName(runtime.GOARCH)
	checksums := fmt.Sprintf("%s  %s\n%s  sgaudit_linux_amd64.tar.gz\n", sum(archive), name, strings.Repeat("0", 64))
	return map[string][]byte{
		prefix + "/" + name:       archive,
		prefix + "/checksums.txt": []byte(checksums),
	}
}

func windowsArchiveName(goarch string) string {
	return fmt.Sprintf("sgaudit_windows_%s.zip", goarch)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// fakeRelease serves GitHub's release download layout on 127.0.0.1:
// /download/<tag>/<asset> and /latest/download/<asset>, and records every
// path asked for.
type fakeRelease struct {
	srv    *httptest.Server
	mu     sync.Mutex
	files  map[string][]byte // path -> body
	served []string
}

func newFakeRelease(t *testing.T, files map[string][]byte) *fakeRelease {
	t.Helper()
	f := &fakeRelease{files: files}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.served = append(f.served, r.URL.Path)
		body, ok := f.files[r.URL.Path]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(body)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeRelease) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.served)
}

// release returns the files of a well-formed release of tag for this host,
// served under prefix ("/download/<tag>" or "/latest/download").
func release(t *testing.T, prefix string) map[string][]byte {
	t.Helper()
	archive := releaseArchive(t)
	name := archiveName(runtime.GOOS, runtime.GOARCH)
	// Another platform's line first, so that the script must pick its own.
	checksums := fmt.Sprintf("%s  sgaudit_plan9_amd64.tar.gz\n%s  %s\n", strings.Repeat("0", 64), sum(archive), name)
	return map[string][]byte{
		prefix + "/" + name:       archive,
		prefix + "/checksums.txt": []byte(checksums),
	}
}

// installedVersion runs `sgaudit version` of the binary the install step put
// on PATH and returns the version it names: the second word of its first
// line ("sgaudit v1.2.3").
func installedVersion(t *testing.T, res result) string {
	t.Helper()
	bin := res.outputs["sgaudit-path"]
	if bin == "" {
		t.Fatalf("no sgaudit-path output; stderr:\n%s", res.stderr)
	}
	if len(res.pathDirs) != 1 || res.pathDirs[0] != filepath.Dir(bin) {
		t.Errorf("GITHUB_PATH = %q, want the directory of %s", res.pathDirs, bin)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("%s version: %v", bin, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	f := strings.Fields(first)
	if len(f) < 2 || f[0] != "sgaudit" {
		t.Fatalf("%s version printed %q, want \"sgaudit VERSION\"", bin, out)
	}
	return f[1]
}

// TestInstall covers the install step: which URL it downloads, that it
// verifies the checksum, and when it falls back to `go install`.
func TestInstall(t *testing.T) {
	root := repoRoot(t)
	host := archiveName(runtime.GOOS, runtime.GOARCH)
	otherArch := "arm64"
	if runtime.GOARCH == "arm64" {
		otherArch = "amd64"
	}
	tampered := func(files map[string][]byte) map[string][]byte {
		for p, b := range files {
			if strings.HasSuffix(p, "/"+host) && strings.HasPrefix(p, "/download/"+releaseVersion) {
				files[p] = append(slices.Clone(b), 0)
			}
		}
		return files
	}
	tamperedWindows := func(files map[string][]byte) map[string][]byte {
		for p, b := range files {
			if strings.HasSuffix(p, ".zip") {
				files[p] = append(slices.Clone(b), 0)
			}
		}
		return files
	}
	without := func(files map[string][]byte, suffix string) map[string][]byte {
		for p := range files {
			if strings.HasSuffix(p, suffix) {
				delete(files, p)
			}
		}
		return files
	}
	// The fallback builds this checkout instead of the module at a tag, and
	// offline: the module cache already holds every dependency
	// (releaseBinary built it); GOPROXY=off proves nothing is fetched.
	goFallback := []string{"SGAUDIT_ACTION_GO_PACKAGE=./cmd/sgaudit", "GOPROXY=off", "GOFLAGS=-mod=readonly -buildvcs=false"}

	tests := []struct {
		name      string
		version   string // the version input
		actionRef string
		arch      string // RUNNER_ARCH; "" is the host's
		files     func() map[string][]byte
		env       []string
		// wantVersion is what the installed binary reports; "" expects the
		// install step to fail with wantErr.
		wantVersion string
		wantErr     string
		// wantPaths are the URL paths fetched, in order.
		wantPaths []string
	}{
		{
			name:        "pinned version input, release archive verified",
			version:     releaseVersion,
			files:       func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			wantVersion: releaseVersion,
			wantPaths:   []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:        "version without v, as people type it",
			version:     strings.TrimPrefix(releaseVersion, "v"),
			files:       func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			wantVersion: releaseVersion,
			wantPaths:   []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:        "no version input: the action's own full-version ref",
			actionRef:   releaseVersion,
			files:       func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			wantVersion: releaseVersion,
			wantPaths:   []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:        "no version input, major-version ref: latest release",
			actionRef:   "v9",
			files:       func() map[string][]byte { return release(t, "/latest/download") },
			wantVersion: releaseVersion,
			wantPaths:   []string{"/latest/download/" + host, "/latest/download/checksums.txt"},
		},
		{
			name:      "archive does not match checksums.txt: fail, no fallback",
			version:   releaseVersion,
			files:     func() map[string][]byte { return tampered(release(t, "/download/"+releaseVersion)) },
			env:       goFallback,
			wantErr:   "checksum mismatch for " + host,
			wantPaths: []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:      "archive without checksums.txt: fail, no fallback",
			version:   releaseVersion,
			files:     func() map[string][]byte { return without(release(t, "/download/"+releaseVersion), "/checksums.txt") },
			env:       goFallback,
			wantErr:   "refusing an unverified binary",
			wantPaths: []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:    "checksums.txt without this archive: fail",
			version: releaseVersion,
			files: func() map[string][]byte {
				f := release(t, "/download/"+releaseVersion)
				f["/download/"+releaseVersion+"/checksums.txt"] = []byte(strings.Repeat("0", 64) + "  sgaudit_plan9_amd64.tar.gz\n")
				return f
			},
			wantErr:   "lists no " + host,
			wantPaths: []string{"/download/" + releaseVersion + "/" + host, "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:        "no archive for this platform: go install of the same version",
			version:     releaseVersion,
			arch:        runnerArch(t, otherArch),
			files:       func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			env:         goFallback,
			wantVersion: releaseVersion,
			wantPaths:   []string{"/download/" + releaseVersion + "/" + archiveName(runtime.GOOS, otherArch)},
		},
		{
			name:      "no archive and no Go toolchain: say so",
			version:   releaseVersion,
			arch:      runnerArch(t, otherArch),
			files:     func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			env:       []string{"PATH=" + toolsWithoutGo(t)},
			wantErr:   "no Go toolchain",
			wantPaths: []string{"/download/" + releaseVersion + "/" + archiveName(runtime.GOOS, otherArch)},
		},
		{
			name:        "Windows runner: the zip archive, verified, extracted with unzip, sgaudit.exe on PATH",
			version:     releaseVersion,
			files:       func() map[string][]byte { return windowsRelease(t, "/download/"+releaseVersion) },
			env:         []string{"RUNNER_OS=Windows"},
			wantVersion: releaseVersion,
			wantPaths:   []string{"/download/" + releaseVersion + "/" + windowsArchiveName(runtime.GOARCH), "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:      "Windows runner, zip does not match checksums.txt: fail before extracting",
			version:   releaseVersion,
			files:     func() map[string][]byte { return tamperedWindows(windowsRelease(t, "/download/"+releaseVersion)) },
			env:       []string{"RUNNER_OS=Windows"},
			wantErr:   "checksum mismatch for " + windowsArchiveName(runtime.GOARCH),
			wantPaths: []string{"/download/" + releaseVersion + "/" + windowsArchiveName(runtime.GOARCH), "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:      "Windows runner with neither unzip nor PowerShell: say so",
			version:   releaseVersion,
			files:     func() map[string][]byte { return windowsRelease(t, "/download/"+releaseVersion) },
			env:       []string{"RUNNER_OS=Windows", "PATH=" + toolsWithoutGo(t)},
			wantErr:   "no unzip or PowerShell to extract " + windowsArchiveName(runtime.GOARCH),
			wantPaths: []string{"/download/" + releaseVersion + "/" + windowsArchiveName(runtime.GOARCH), "/download/" + releaseVersion + "/checksums.txt"},
		},
		{
			name:      "a version that is not a tag",
			version:   "main branch",
			files:     func() map[string][]byte { return release(t, "/download/"+releaseVersion) },
			wantErr:   "input version: want a release tag",
			wantPaths: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel := newFakeRelease(t, tt.files())
			env := append([]string{"SGAUDIT_ACTION_RELEASES_URL=" + rel.srv.URL + "/"}, tt.env...)
			if tt.arch != "" {
				env = append(env, "RUNNER_ARCH="+tt.arch)
			}
			inputs := map[string]string{}
			if tt.version != "" {
				inputs["version"] = tt.version
			}
			res := runAction(t, invocation{inputs: inputs, actionRef: tt.actionRef, env: env, dir: root, stopAfter: "install"})
			if diff := cmp.Diff(tt.wantPaths, rel.paths()); diff != "" {
				t.Errorf("URL paths fetched (-want +got):\n%s", diff)
			}
			if tt.wantErr != "" {
				if res.failed != "install" || res.exitCode != 2 {
					t.Fatalf("install step: failed=%q exit %d, want install to exit 2; stderr:\n%s", res.failed, res.exitCode, res.stderr)
				}
				if !strings.Contains(res.stderr, tt.wantErr) {
					t.Errorf("stderr does not say %q:\n%s", tt.wantErr, res.stderr)
				}
				if strings.Contains(res.stderr, "building from source") {
					t.Errorf("fell back to go install after a verification failure:\n%s", res.stderr)
				}
				if len(res.pathDirs) != 0 || res.outputs["sgaudit-path"] != "" {
					t.Errorf("a failed install left sgaudit on PATH: %q %q", res.pathDirs, res.outputs["sgaudit-path"])
				}
				return
			}
			if res.failed != "" {
				t.Fatalf("step %s exited %d; stderr:\n%s", res.failed, res.exitCode, res.stderr)
			}
			if windows := slices.Contains(tt.env, "RUNNER_OS=Windows"); windows != strings.HasSuffix(res.outputs["sgaudit-path"], `sgaudit.exe`) {
				t.Errorf("sgaudit-path = %q on a %s runner", res.outputs["sgaudit-path"], map[bool]string{true: "Windows", false: runtime.GOOS}[windows])
			}
			if got := installedVersion(t, res); got != tt.wantVersion {
				t.Errorf("installed sgaudit says %q, want %q", got, tt.wantVersion)
			}
			fromSource := strings.Contains(res.stderr, "building from source")
			if wantSource := slices.Contains(tt.env, goFallback[0]); fromSource != wantSource {
				t.Errorf("built from source = %v, want %v; stderr:\n%s", fromSource, wantSource, res.stderr)
			}
		})
	}
}

// toolsWithoutGo returns a PATH directory holding the commands run.sh uses,
// linked from the host, and no go.
func toolsWithoutGo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, tool := range []string{"bash", "curl", "awk", "sha256sum", "tar", "mkdir", "mktemp", "rm", "cut", "tr", "uname", "head", "cat", "jq"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("the action needs %s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(dir, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// findingsReport is the part of findings.json the action reads.
type findingsReport struct {
	Summary struct {
		Findings   int            `json:"findings"`
		Suppressed int            `json:"suppressed"`
		BySeverity map[string]int `json:"by_severity"`
	} `json:"summary"`
	Coverage []struct {
		Status string `json:"status"`
	} `json:"coverage"`
}

// TestScanDemoAccount runs the whole action, as a workflow would, against the
// demo account in the AWS emulator: the release binary is downloaded and
// verified, the scan writes SARIF, the outputs carry the counts of
// findings.json, the job summary gets summary.md, and the step fails with
// sgaudit's own exit code exactly when fail-on says so.
func TestScanDemoAccount(t *testing.T) {
	srv := moto.StartT(t)
	ctx := context.Background()
	if _, err := demoworld.Seed(ctx, srv.Config(ctx, "us-east-1")); err != nil {
		t.Fatal(err)
	}
	rel := newFakeRelease(t, release(t, "/download/"+releaseVersion))
	emulator := []string{
		"SGAUDIT_ACTION_RELEASES_URL=" + rel.srv.URL,
		"AWS_ENDPOINT_URL=" + srv.Endpoint,
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
	regions := strings.Join(demoworld.Regions, ", ")

	tests := []struct {
		name   string
		inputs map[string]string
		// wantArgs must appear in the logged sgaudit command line.
		wantArgs string
		// failOn is the severity that fails, "" for none.
		failOn string
	}{
		{
			name:     "fail-on high",
			inputs:   map[string]string{"fail-on": "high", "regions": regions, "args": "--no-progress\n--no-color"},
			wantArgs: "scan --format sarif,json,markdown --output-dir OUT --fail-on high --regions " + strings.Join(demoworld.Regions, ",") + " --no-progress --no-color",
			failOn:   "HIGH",
		},
		{
			name:     "no fail-on, every format",
			inputs:   map[string]string{"format": "table,json,markdown,sarif,html", "regions": regions},
			wantArgs: "scan --format table,json,markdown,sarif,html --output-dir OUT --regions " + strings.Join(demoworld.Regions, ","),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			out := filepath.Join(work, "reports")
			inputs := map[string]string{"version": releaseVersion, "output-dir": out}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			res := runAction(t, invocation{inputs: inputs, env: emulator, dir: work})
			if got := installedVersion(t, res); got != releaseVersion {
				t.Errorf("installed sgaudit says %q, want the release's %s", got, releaseVersion)
			}
			if want := "sgaudit: " + res.outputs["sgaudit-path"] + " " + strings.ReplaceAll(tt.wantArgs, "OUT", out); !strings.Contains(res.stderr, want) {
				t.Errorf("stderr does not show the command %q:\n%s", want, res.stderr)
			}

			b, err := os.ReadFile(filepath.Join(out, "findings.json"))
			if err != nil {
				t.Fatalf("no findings.json: %v; stderr:\n%s", err, res.stderr)
			}
			var rep findingsReport
			if err := json.Unmarshal(b, &rep); err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Findings == 0 {
				t.Fatal("the demo account has no findings: nothing is tested")
			}
			complete := true
			for _, c := range rep.Coverage {
				complete = complete && c.Status == "ok"
			}
			atOrAbove := 0
			if tt.failOn != "" {
				for _, sev := range []string{"CRITICAL", "HIGH", "MEDIUM", "LOW"} {
					atOrAbove += rep.Summary.BySeverity[sev]
					if sev == tt.failOn {
						break
					}
				}
			}
			wantCode := 0
			switch {
			case atOrAbove > 0:
				wantCode = 1
			case !complete:
				wantCode = 3
			}
			if tt.failOn != "" && atOrAbove == 0 {
				t.Fatalf("the demo account has nothing at or above %s: the failing path is not tested", tt.failOn)
			}

			sarif := filepath.Join(out, "results.sarif")
			want := map[string]string{
				"exit-code":     strconv.Itoa(wantCode),
				"output-dir":    out,
				"sarif":         sarif,
				"sarif-files":   sarif,
				"findings-json": filepath.Join(out, "findings.json"),
				"summary":       filepath.Join(out, "summary.md"),
				"findings":      strconv.Itoa(rep.Summary.Findings),
				"suppressed":    strconv.Itoa(rep.Summary.Suppressed),
				"critical":      strconv.Itoa(rep.Summary.BySeverity["CRITICAL"]),
				"high":          strconv.Itoa(rep.Summary.BySeverity["HIGH"]),
				"medium":        strconv.Itoa(rep.Summary.BySeverity["MEDIUM"]),
				"low":           strconv.Itoa(rep.Summary.BySeverity["LOW"]),
				"sgaudit-path":  res.outputs["sgaudit-path"],
			}
			if diff := cmp.Diff(want, res.outputs); diff != "" {
				t.Errorf("action outputs (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(sarif); err != nil {
				t.Errorf("SARIF output names a missing file: %v", err)
			}
			md, err := os.ReadFile(filepath.Join(out, "summary.md"))
			if err != nil {
				t.Fatal(err)
			}
			if len(md) == 0 || res.summary != string(md) {
				t.Errorf("job summary is not summary.md:\n got %q\nwant %q", res.summary, md)
			}

			// The step fails with sgaudit's exit code, after the outputs
			// were set, and only then.
			if wantCode == 0 {
				if res.failed != "" {
					t.Errorf("step %s failed with %d, want success; stderr:\n%s", res.failed, res.exitCode, res.stderr)
				}
				return
			}
			if res.failed != "finish" || res.exitCode != wantCode {
				t.Errorf("failed step %q with %d, want finish with %d; stderr:\n%s", res.failed, res.exitCode, wantCode, res.stderr)
			}
			if !strings.Contains(res.stderr, "::error title=sgaudit::") {
				t.Errorf("no error annotation for exit %d:\n%s", wantCode, res.stderr)
			}
		})
	}
}

// TestInputValidation checks that a bad input stops the scan step before
// sgaudit runs, with one clear line.
func TestInputValidation(t *testing.T) {
	work := t.TempDir()
	fake := filepath.Join(work, "sgaudit")
	// A stand-in that records being run: it must not be.
	if err := os.WriteFile(fake, []byte("#!/bin/sh\ntouch \"$0.ran\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", filepath.Join(repoRoot(t), ".github", "action", "run.sh"), "scan")
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "SGAUDIT_BIN="+fake, "SGAUDIT_INPUT_ORG=yes", "GITHUB_OUTPUT="+filepath.Join(work, "out"))
	b, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Fatalf("run.sh scan with org=yes: %v, want exit 2; output:\n%s", err, b)
	}
	if want := `input org: want true or false, got "yes"`; !strings.Contains(string(b), want) {
		t.Errorf("output does not say %q:\n%s", want, b)
	}
	if _, err := os.Stat(fake + ".ran"); err == nil {
		t.Error("sgaudit ran despite the bad input")
	}
}
