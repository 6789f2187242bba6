package main

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/sgaudit/sgaudit/scanner/collect"
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
}

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

	fl.IntVar(&f.concurrency, "concurrency", collect.DefaultConcurrency, "account/region pairs read at the same time")
	fl.Float64Var(&f.rate, "rate", collect.DefaultRate, "API requests per second per account and region (negative: no limit)")
	fl.DurationVar(&f.callTimeout, "call-timeout", collect.DefaultCallTimeout, "time limit of one API call, retries included")
	fl.IntVar(&f.maxAttempts, "max-attempts", collect.DefaultMaxAttempts, "attempts per API call (adaptive retry mode)")
	switchVar(fl, &f.noProgress, "no-progress", "", "no progress line on stderr (it is shown only on a terminal anyway)")
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
		}
		if f.profile != "" {
			opts = append(opts, awsconfig.WithSharedConfigProfile(f.profile))
		}
		if f.region != "" {
			opts = append(opts, awsconfig.WithRegion(f.region))
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return aws.Config{}, usagef("load AWS configuration: %w", err)
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
		opts.Progress = newProgressLine(ios.err).update
	}
	return opts
}
