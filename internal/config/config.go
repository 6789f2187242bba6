// Package config reads sgaudit's configuration file (.sgaudit.yaml): which
// checks run and at what severity, data merged over the policies' defaults
// (port catalogue, authorised ports, placeholders, naming pattern, rules
// quota) and suppressions of accepted findings.
//
// The file is decoded through yaml.Node rather than into structs, so every
// mistake (an unknown key, a bad date, a value of the wrong type) is reported
// with its file and line: "sgaudit: .sgaudit.yaml:7: unknown key "severty"
// in checks.SGA001". Every such error wraps ErrConfig.
//
// The file is read from the working directory by default, so it may come
// from anyone who can commit to the repository being scanned: its size,
// alias expansion (values and text), nesting and number of suppressions
// are bounded (MaxFileSize and the limits in parse.go, listed in
// docs/security.md), and it must be a regular file, so that no file can
// exhaust the runner's memory or time. Its data section follows
// docs/schema/data.schema.json, like every --data file.
//
// The format is documented by docs/schema/config.schema.json and the
// annotated example examples/sgaudit.yaml.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/sgaudit/sgaudit/internal/location"
	"github.com/sgaudit/sgaudit/internal/regularfile"
	"github.com/sgaudit/sgaudit/scanner/findings"
)

// DefaultFile is the configuration file read from the working directory
// when --config is not given (and --no-config is not set).
const DefaultFile = ".sgaudit.yaml"

// Version is the only configuration format version this build reads.
const Version = 1

// ErrConfig is wrapped by every error about the configuration file: it
// cannot be read, is not valid YAML, or says something sgaudit does not
// understand. The CLI maps it to exit code 2 (nothing scanned).
var ErrConfig = errors.New("invalid configuration")

// Error is a configuration problem with the file and line it was found at.
// errors.Is(err, ErrConfig) holds for every Error.
type Error struct {
	File string // the config file as given, e.g. ".sgaudit.yaml"
	Line int    // 1-based; 0 when the problem is not tied to a line
	Msg  string
	Err  error // the underlying error, if any (e.g. from os.ReadFile)
}

// Error formats the problem as "file:line: message".
func (e *Error) Error() string { return location.Format(e.File, e.Line, e.Msg) }

// Is makes errors.Is(err, ErrConfig) true for an Error.
func (e *Error) Is(target error) bool { return target == ErrConfig }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Config is a parsed configuration file. The zero value (and a nil
// *Config) configures nothing.
type Config struct {
	// Path is the file the configuration was read from, as given; error
	// messages, notices and Suppression.Source name it.
	Path string
	// Checks holds the per-check settings by check id.
	Checks map[string]CheckSettings
	// Data is merged over data.sgaudit of the policies: objects key by key,
	// lists and scalars replaced whole (the engine's --data semantics).
	Data map[string]any
	// Suppressions in file order; the first that matches a finding wins.
	Suppressions []Suppression
	// CloudFormation maps stacks to templates (iac.cloudformation), in
	// file order: the first pattern that matches a stack wins
	// (docs/iac.md §1).
	CloudFormation []CloudFormationTemplate

	// dataNode keeps the data section's YAML so Validate can point at the
	// line of a value that data.schema.json refuses.
	dataNode *yaml.Node
}

// CloudFormationTemplate ties the stacks named Stack (a name or a glob) to
// a template file, relative to the working directory.
type CloudFormationTemplate struct {
	Stack, Template string
	// Line is where the entry is in the file.
	Line int
}

// CheckSettings are the settings of one check.
type CheckSettings struct {
	// Enabled turns the check on or off; nil keeps its default.
	Enabled *bool
	// Severity replaces the check's default severity; "" keeps it.
	Severity findings.Severity
	// Line is where the check's key is in the file.
	Line int
}

// Suppression accepts the findings it matches: they stay in every report,
// marked, but no longer fail CI. Every matcher that is set must match; at
// least one must be set.
type Suppression struct {
	// Check is a check id, e.g. SGA002.
	Check string
	// Account is a 12-digit account id.
	Account string
	// Region is a region or a glob ("eu-*").
	Region string
	// Group is a glob matched against the group id and the group name:
	// "sg-0123456789abcdef0" or "legacy-*".
	Group string
	// Tags must all be on the group; values are globs ("*" = any value).
	Tags map[string]string
	// Rule is a security group rule id (sgr-...).
	Rule string
	// Reason says why the finding is accepted. Required.
	Reason string
	// Owner is who answers for the exception.
	Owner string
	// Expires is the last day (YYYY-MM-DD, UTC) the suppression applies;
	// "" never expires.
	Expires string
	// Line is where the suppression starts in the file.
	Line int

	// until is the first instant the suppression no longer applies: the
	// midnight (UTC) after Expires. Zero when it never expires.
	until time.Time
}

// Source names the suppression in reports: "file:line".
func (s *Suppression) Source(file string) string {
	return fmt.Sprintf("%s:%d", file, s.Line)
}

// ExpiredAt reports whether the suppression no longer applies at now. A
// suppression applies through the whole of its Expires day, in UTC, so that
// "expires: 2027-01-31" means what a person reads: still valid on the 31st,
// whatever the time zone of the CI runner.
func (s *Suppression) ExpiredAt(now time.Time) bool {
	return !s.until.IsZero() && !now.UTC().Before(s.until)
}

// Load reads and parses a configuration file. path is kept as given, so
// messages name the file the way the user wrote it.
//
// Only a regular file is read: a named pipe would block Load (and a
// signal would not end the wait), a device would never end.
func Load(path string) (*Config, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte more than Parse accepts, so that it can tell the file is too
	// large without this reading all of it.
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &Error{Msg: "read config: " + err.Error(), Err: err}
	}
	return Parse(path, src)
}

// openRegular opens path for reading if it is a regular file (see
// regularfile.Open); errors name the file and wrap ErrConfig.
func openRegular(path string) (*os.File, error) {
	f, err := regularfile.Open(path)
	switch {
	case errors.Is(err, regularfile.ErrNotRegular):
		return nil, &Error{File: path, Msg: err.Error(), Err: err}
	case err != nil:
		return nil, &Error{Msg: "read config: " + err.Error(), Err: err}
	}
	return f, nil
}

// ErrNotRegular is wrapped by the error for a configuration path that is
// not a regular file (a directory, a named pipe, a device).
var ErrNotRegular = regularfile.ErrNotRegular

// describe names what a suppression covers, for notices: "SGA002 for group
// sg-0123, region eu-west-1".
func (s *Suppression) describe() string {
	what := s.Check
	if what == "" {
		what = "every check"
	}
	var scope []string
	if s.Group != "" {
		scope = append(scope, "group "+s.Group)
	}
	if s.Rule != "" {
		scope = append(scope, "rule "+s.Rule)
	}
	for _, k := range sortedKeys(s.Tags) {
		scope = append(scope, "tag "+k+"="+s.Tags[k])
	}
	if s.Account != "" {
		scope = append(scope, "account "+s.Account)
	}
	if s.Region != "" {
		scope = append(scope, "region "+s.Region)
	}
	if len(scope) == 0 {
		return what
	}
	return what + " for " + strings.Join(scope, ", ")
}
