package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/sgaudit/sgaudit/internal/awsregions"
	"github.com/sgaudit/sgaudit/internal/collect"
	"github.com/sgaudit/sgaudit/scanner/inventory"
)

// awsFlags are the flags that say which accounts and regions to read, and
// how hard to press the AWS APIs while doing it.
type awsFlags struct {
	profile        string
	region         string
	regions        []string
	excludeRegions []string

	accounts        []string
	org             bool
	excludeAccounts []string
	roleName        string
	externalID      string
	sessionName     string

	concurrency int
	rate        float64
	callTimeout time.Duration
	maxAttempts int
	noProgress  bool

	// unknownRegions accepts well-formed region names that
	// internal/awsregions does not know: a region newer than this release.
	unknownRegions bool
}

// Bounds of the numeric collection flags (docs/security.md): outside them
// a value is a mistake, never a setting, and is refused before any call.
const (
	maxConcurrency = 1024             // pairs in flight; each holds connections and memory
	minRate        = 0.01             // requests/s; less would wait minutes per call
	maxRate        = 10000            // requests/s; no AWS API allows more (negative: no limit)
	maxMaxAttempts = 100              // each retry backs off up to 20 s
	minCallTimeout = time.Second      // less fails every call on a slow link
	maxCallTimeout = 60 * time.Minute // a call not back in an hour is not coming back
)

func (f *awsFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "AWS shared config profile (default: the SDK's credential chain)")
	fl.StringVar(&f.region, "region", "", "region for API calls that need one, and for imported JSON that does not name its region")
	fl.StringSliceVar(&f.regions, "regions", nil, "scan only these regions (comma-separated; default: every enabled region)")
	fl.StringSliceVar(&f.excludeRegions, "exclude-regions", nil, "skip these regions")

	fl.StringSliceVar(&f.accounts, "accounts", nil, "scan these account ids (comma-separated) through --role-name, instead of the caller's account")
	switchVar(fl, &f.org, "org", "", "scan every ACTIVE account of the AWS Organization (from the management or a delegated-admin account)")
	fl.StringSliceVar(&f.excludeAccounts, "exclude-accounts", nil, "skip these account ids")
	fl.StringVar(&f.roleName, "role-name", collect.DefaultRoleName, "role assumed in every account but the caller's (may include a path)")
	fl.StringVar(&f.externalID, "external-id", "", "external id for sts:AssumeRole")
	fl.StringVar(&f.sessionName, "session-name", collect.DefaultSessionName, "session name of the assumed roles (shows in CloudTrail)")

	fl.IntVar(&f.concurrency, "concurrency", collect.DefaultConcurrency, fmt.Sprintf("account/region pairs read at the same time (1 to %d)", maxConcurrency))
	fl.Float64Var(&f.rate, "rate", collect.DefaultRate, fmt.Sprintf("API requests per second per account and region (%g to %d; negative: no limit)", minRate, maxRate))
	fl.DurationVar(&f.callTimeout, "call-timeout", collect.DefaultCallTimeout, fmt.Sprintf("time limit of one API call, retries included (%s to %s)", minCallTimeout, maxCallTimeout))
	fl.IntVar(&f.maxAttempts, "max-attempts", collect.DefaultMaxAttempts, fmt.Sprintf("attempts per API call, adaptive retry mode (1 to %d)", maxMaxAttempts))
	switchVar(fl, &f.noProgress, "no-progress", "", "no progress line on stderr (it is shown only on a terminal anyway)")
	switchVar(fl, &f.unknownRegions, "allow-unknown-regions", "", "accept region names this sgaudit does not know (a region newer than this release)")
}

// validate refuses, before anything is read, every flag value that would
// silently mean something else: a region name with a typo (it would only
// show as a coverage row after the scan), a region both scanned and
// excluded, an account id that is not 12 digits, a rate, concurrency,
// attempt count or timeout out of bounds (they used to fall back to the
// default, or hang). It normalises the lists (trimmed, empty entries
// dropped) for collectOptions.
func (f *awsFlags) validate(fl *pflag.FlagSet) error {
	if f.region != "" || fl.Changed("region") {
		if err := f.checkRegion("--region", f.region); err != nil {
			return err
		}
	}
	var err error
	if f.regions, err = f.regionList(fl, "regions", f.regions); err != nil {
		return err
	}
	if f.excludeRegions, err = f.regionList(fl, "exclude-regions", f.excludeRegions); err != nil {
		return err
	}
	for _, r := range f.regions {
		if slices.Contains(f.excludeRegions, r) {
			return usagef("region %s is in both --regions and --exclude-regions", r)
		}
	}
	if f.accounts, err = accountList(fl, "accounts", f.accounts); err != nil {
		return err
	}
	if f.excludeAccounts, err = accountList(fl, "exclude-accounts", f.excludeAccounts); err != nil {
		return err
	}
	for _, a := range f.accounts {
		if slices.Contains(f.excludeAccounts, a) {
			return usagef("account %s is in both --accounts and --exclude-accounts", a)
		}
	}
	switch {
	case f.concurrency < 1 || f.concurrency > maxConcurrency:
		return usagef("invalid --concurrency %d: want 1 to %d", f.concurrency, maxConcurrency)
	case math.IsNaN(f.rate) || math.IsInf(f.rate, 0):
		return usagef("invalid --rate %v: want %g to %d requests per second, or a negative value for no limit", f.rate, minRate, maxRate)
	case f.rate >= 0 && (f.rate < minRate || f.rate > maxRate):
		return usagef("invalid --rate %g: want %g to %d requests per second, or a negative value for no limit", f.rate, minRate, maxRate)
	case f.maxAttempts < 1 || f.maxAttempts > maxMaxAttempts:
		return usagef("invalid --max-attempts %d: want 1 to %d", f.maxAttempts, maxMaxAttempts)
	case f.callTimeout < minCallTimeout || f.callTimeout > maxCallTimeout:
		return usagef("invalid --call-timeout %s: want %s to %s", f.callTimeout, minCallTimeout, maxCallTimeout)
	}
	return nil
}

// regionList trims and checks the names of a region list flag. Given but
// empty (--regions "") is an error: it would scan every region.
func (f *awsFlags) regionList(fl *pflag.FlagSet, flag string, names []string) ([]string, error) {
	var out []string
	for _, r := range names {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if err := f.checkRegion("--"+flag, r); err != nil {
			return nil, err
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if fl.Changed(flag) && len(out) == 0 {
		return nil, usagef("--%s is empty: name at least one region", flag)
	}
	return out, nil
}

// checkRegion refuses a region name that is not one of the SDK's, unless
// --allow-unknown-regions accepts one that at least looks like a region.
func (f *awsFlags) checkRegion(flag, name string) error {
	if awsregions.Known(name) || (f.unknownRegions && awsregions.WellFormed(name)) {
		return nil
	}
	if s := awsregions.Suggest(name); s != "" {
		return usagef("%s: unknown region %q (did you mean %s?)", flag, name, s)
	}
	return usagef("%s: unknown region %q: not an AWS region this sgaudit knows; if it is newer than this release, add --allow-unknown-regions (docs/security.md)", flag, name)
}

// accountList trims and checks the ids of an account list flag: exactly 12
// digits (inventory.ValidAccountID), as they become ARNs and file names.
func accountList(fl *pflag.FlagSet, flag string, ids []string) ([]string, error) {
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if !inventory.ValidAccountID(id) {
			return nil, usagef("--%s: %q is not an account id: want exactly 12 digits", flag, id)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if fl.Changed(flag) && len(out) == 0 {
		return nil, usagef("--%s is empty: name at least one account id", flag)
	}
	return out, nil
}

// loader returns the lazy AWS config loader: the SDK's default chain
// (environment, shared config and SSO profiles, web identity, IMDS), which
// also honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_EC2.
func (f *awsFlags) loader() func(ctx context.Context) (aws.Config, error) {
	return func(ctx context.Context) (aws.Config, error) {
		opts := []func(*awsconfig.LoadOptions) error{
			awsconfig.WithRetryMode(aws.RetryModeAdaptive),
			// DescribeRegions needs some region; us-east-1 exists in the
			// commercial partition, and credentials from another partition
			// come with their own region configured.
			awsconfig.WithDefaultRegion("us-east-1"),
			// The SDK's own warnings (IMDSv1 fallback) go through our
			// logger, not straight to stderr in its own format.
			awsconfig.WithLogger(sdkLogger{loggerFrom(ctx)}),
		}
		if f.profile != "" {
			opts = append(opts, awsconfig.WithSharedConfigProfile(f.profile))
		}
		if f.region != "" {
			opts = append(opts, awsconfig.WithRegion(f.region))
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			// Not wrapped here: scan.Inventory says "load AWS
			// configuration" for every loader; this only marks it exit 2.
			return aws.Config{}, &usageError{err}
		}
		return cfg, nil
	}
}

func (f *awsFlags) collectOptions(ios *streams) collect.Options {
	opts := collect.Options{
		Regions: f.regions, ExcludeRegions: f.excludeRegions,
		Accounts: f.accounts, Org: f.org, ExcludeAccounts: f.excludeAccounts,
		RoleName: f.roleName, ExternalID: f.externalID, SessionName: f.sessionName,
		Concurrency: f.concurrency, Rate: f.rate, CallTimeout: f.callTimeout, MaxAttempts: f.maxAttempts,
	}
	if !f.noProgress && ios.errIsTerminal {
		ios.progress = newProgressLine(ios.err, ios.errCols)
		opts.Progress = ios.progress.update
	}
	return opts
}

// sdkLogger hands the SDK's log lines (its smithy logging.Logger) to our
// slog logger, so that they honour --log-level, stay JSON under
// --log-format json, and are sanitised like every other line.
type sdkLogger struct{ log *slog.Logger }

// Logf implements logging.Logger.
func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelInfo
	switch c {
	case logging.Warn:
		level = slog.LevelWarn
	case logging.Debug:
		level = slog.LevelDebug
	}
	l.log.Log(context.Background(), level, fmt.Sprintf(format, v...), "source", "aws-sdk")
}
