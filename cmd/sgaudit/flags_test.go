package main

import (
	"testing"
)

// TestCollectionFlagErrors: a collection flag that would silently mean
// something else (another region set, the default, a hang) is exit 2 with
// one line naming the flag and value, before any AWS call: the
// environment has no credentials, so a flag let through would end in a
// credentials error instead.
func TestCollectionFlagErrors(t *testing.T) {
	isolateAWSEnv(t)
	inv := writeInventoryFile(t, cleanInventory())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"region scanned and excluded", []string{"--regions", "us-east-1", "--exclude-regions", "us-east-1"}, "region us-east-1 is in both --regions and --exclude-regions"},
		{"one of several excluded", []string{"--regions", "eu-west-1,us-east-1", "--exclude-regions", "us-east-1"}, "us-east-1 is in both"},
		{"region typo", []string{"--regions", "eu-west-1,eu-wst-1"}, `--regions: unknown region "eu-wst-1" (did you mean eu-west-1?)`},
		{"region in capitals", []string{"--regions", "EU-WEST-1"}, "did you mean eu-west-1?"},
		{"unknown region", []string{"--regions", "mars-north-1"}, "--allow-unknown-regions"},
		{"unknown region not even shaped like one", []string{"--allow-unknown-regions", "--regions", "../etc"}, `unknown region "../etc"`},
		{"excluded region typo", []string{"--exclude-regions", "us-esat-1"}, "--exclude-regions: unknown region \"us-esat-1\" (did you mean us-east-1?)"},
		{"single region typo", []string{"--region", "eu-wst-1"}, `--region: unknown region "eu-wst-1"`},
		{"single region typo with --input", []string{"--input", inv, "--region", "eu-wst-1"}, `--region: unknown region "eu-wst-1"`},
		{"empty region list", []string{"--regions", ""}, "--regions is empty"},
		{"rate too small to ever call", []string{"--rate", "1e-300"}, "invalid --rate 1e-300"},
		{"rate NaN", []string{"--rate", "NaN"}, "invalid --rate NaN"},
		{"rate infinite", []string{"--rate", "+Inf"}, "invalid --rate +Inf"},
		{"rate zero", []string{"--rate", "0"}, "invalid --rate 0"},
		{"rate beyond any API", []string{"--rate", "1e9"}, "invalid --rate 1e+09"},
		{"negative concurrency", []string{"--concurrency", "-4"}, "invalid --concurrency -4"},
		{"zero concurrency", []string{"--concurrency", "0"}, "invalid --concurrency 0"},
		{"huge concurrency", []string{"--concurrency", "100000"}, "invalid --concurrency 100000"},
		{"negative attempts", []string{"--max-attempts", "-1"}, "invalid --max-attempts -1"},
		{"zero attempts", []string{"--max-attempts", "0"}, "invalid --max-attempts 0"},
		{"negative call timeout", []string{"--call-timeout", "-5s"}, "invalid --call-timeout -5s"},
		{"zero call timeout", []string{"--call-timeout", "0"}, "invalid --call-timeout 0s"},
		{"call timeout of a nanosecond", []string{"--call-timeout", "1ns"}, "invalid --call-timeout 1ns"},
		{"account id climbing out", []string{"--accounts", "../../tmp/x"}, `--accounts: "../../tmp/x" is not an account id: want exactly 12 digits`},
		{"account id too short", []string{"--accounts", "111122223333,11112222333"}, `"11112222333" is not an account id`},
		{"account id in other digits", []string{"--accounts", "١١١١٢٢٢٢٣٣٣٣"}, "is not an account id"},
		{"excluded account id", []string{"--org", "--exclude-accounts", "prod"}, `--exclude-accounts: "prod" is not an account id`},
		{"account scanned and excluded", []string{"--accounts", "111122223333", "--exclude-accounts", "111122223333"}, "account 111122223333 is in both"},
		{"empty account list", []string{"--accounts", ""}, "--accounts is empty"},
	}
	for _, tt := range tests {
		for _, command := range []string{"scan", "collect"} {
			if command == "collect" && tt.args[0] == "--input" {
				continue
			}
			t.Run(command+"/"+tt.name, func(t *testing.T) {
				assertOneLineError(t, runCLI(t, append([]string{command}, tt.args...)...), tt.want)
			})
		}
	}
}

// TestCollectionFlagsAccepted: values inside the bounds pass validation and
// reach the credential chain (which fails here, without credentials).
func TestCollectionFlagsAccepted(t *testing.T) {
	isolateAWSEnv(t)
	tests := [][]string{
		{"--regions", " eu-west-1 , us-east-1,", "--exclude-regions", "eu-north-1"},
		{"--allow-unknown-regions", "--regions", "xx-newplace-1"},
		{"--rate", "-1", "--concurrency", "1", "--max-attempts", "1", "--call-timeout", "1s"},
		{"--rate", "0.01", "--concurrency", "1024", "--max-attempts", "100", "--call-timeout", "1h"},
		{"--accounts", "111122223333, 444455556666", "--exclude-accounts", "777788889999"},
		{"--region", "cn-north-1", "--regions", "us-gov-west-1,eusc-de-east-1"},
	}
	for _, args := range tests {
		assertOneLineError(t, runCLI(t, append([]string{"scan"}, args...)...), "credentials")
	}
}
