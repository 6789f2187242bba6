package moto

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestStartMissingBinary(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-moto")
	tests := []struct {
		name string
		opts Options
		env  string
	}{
		{name: "explicit binary", opts: Options{Binary: missing}},
		{name: "environment variable", env: missing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvBinary, tt.env)
			_, err := Start(context.Background(), tt.opts)
			var nf *NotFoundError
			if !errors.As(err, &nf) {
				t.Fatalf("Start() error = %v, want *NotFoundError", err)
			}
			want := "moto server not found at " + missing + ": run `make test-deps` or set SGAUDIT_MOTO_SERVER"
			if err.Error() != want {
				t.Errorf("Start() error =\n%q\nwant\n%q", err.Error(), want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestStartNotExecutable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "moto_server")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Binary: path})
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Path != path {
		t.Fatalf("Start() error = %v, want *NotFoundError for %s", err, path)
	}
}

func TestStartBinaryThatNeverAnswers(t *testing.T) {
	// A binary that exits at once must make Start fail fast, not wait for
	// the whole start timeout.
	path := filepath.Join(t.TempDir(), "moto_server")
	if err := os.WriteFile(path, []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{Binary: path})
	if err == nil || !strings.Contains(err.Error(), "exited") {
		t.Fatalf("Start() error = %v, want an error saying the process exited", err)
	}
}

// TestServer starts the real moto server once and checks everything the
// other packages rely on: the SDK reaches it through Config, regions are
// isolated, Reset wipes state, Close stops the process.
func TestServer(t *testing.T) {
	s := StartT(t)
	ctx := context.Background()

	id, err := sts.NewFromConfig(s.Config(ctx, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if got := aws.ToString(id.Account); got != AccountID {
		t.Errorf("account = %q, want %q", got, AccountID)
	}

	east := ec2.NewFromConfig(s.Config(ctx, "us-east-1"))
	west := ec2.NewFromConfig(s.Config(ctx, "eu-west-1"))
	if _, err := east.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")}); err != nil {
		t.Fatalf("CreateVpc: %v", err)
	}
	countVPCs := func(c *ec2.Client) int {
		t.Helper()
		out, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil {
			t.Fatalf("DescribeVpcs: %v", err)
		}
		return len(out.Vpcs)
	}
	// Each region has moto's default VPC; only us-east-1 has ours.
	if e, w := countVPCs(east), countVPCs(west); e != 2 || w != 1 {
		t.Errorf("VPCs in us-east-1, eu-west-1 = %d, %d; want 2, 1", e, w)
	}

	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if e := countVPCs(east); e != 1 {
		t.Errorf("VPCs in us-east-1 after Reset = %d, want only the default one", e)
	}

	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := sts.NewFromConfig(s.Config(ctx, "us-east-1"), func(o *sts.Options) {
		o.RetryMaxAttempts = 1
	}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err == nil {
		t.Error("server still answers after Close")
	}
}
