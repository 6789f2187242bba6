package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzImport feeds one file to the importer, with and without a fallback
// region. Seeds: every AWS CLI shape and inventory in testdata, the
// small cases of the other tests, and every network list (networkSeeds). Invariants: an error wraps ErrInput; a
// successful import round-trips through the inventory format unchanged
// (encoded as JSON and imported again, it is the same inventory).
//
//	go test ./internal/collect -run '^$' -fuzz '^FuzzImport$' -fuzztime 20s
func FuzzImport(f *testing.F) {
	addImportSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte, fallback bool) {
		region := ""
		if fallback {
			region = "eu-west-1"
		}
		ctx := context.Background()
		inv, err := ImportReaders(ctx, []Input{{Name: "in.json", R: bytes.NewReader(data)}}, region)
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Fatalf("error does not wrap ErrInput: %v", err)
			}
			return
		}
		raw, err := json.Marshal(inv)
		if err != nil {
			t.Fatalf("encode the inventory: %v", err)
		}
		again, err := ImportReaders(ctx, []Input{{Name: "inventory.json", R: bytes.NewReader(raw)}}, "")
		if err != nil {
			t.Fatalf("import the inventory written from an import: %v\n%s", err, raw)
		}
		if diff := cmp.Diff(inv, again); diff != "" {
			t.Fatalf("inventory round trip (-first +again):\n%s", diff)
		}
	})
}

// addImportSeeds adds the seeds of FuzzImport: (a file, whether a fallback
// region is given).
func addImportSeeds(f *testing.F) {
	for _, name := range []string{"cli-sgs.json", "cli-rules.json", "cli-enis.json", "import.golden", "basic.golden", "evidence.golden", "cross-account.golden"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw, false)
		f.Add(raw, true)
	}
	for _, s := range []string{
		sgsNoARN,
		`{"SecurityGroups": []}`,
		`{"NetworkInterfaces": [], "NextToken": null}`,
		"\xEF\xBB\xBF" + cliGroups(cliGroup("sg-1", sshToWorld)),
		cliGroups(cliGroup("sg-1", ""), cliGroup("sg-1", sshToWorld)),
		`{"SecurityGroupRules": [` + cliRule("sgr-1", "sg-1", `, "CidrIpv4": "0.0.0.0/0"`) + `]}`,
		`{"NetworkInterfaces": [` + cliENI("eni-1", "") + `]}`,
		`{"schema_version": "1", "security_groups": []}`,
		`[1]`,
		`{"SecurityGroups": [], "NextToken": "abc"}`,
		`{"SecurityGroups": [], "securityGroups": []}`,
		`{"schema_version": "1", "security_groups": [], "SecurityGroups": []}`,
		cliGroups(cliGroup("sg-1", sshToWorld)) + "\n",
	} {
		f.Add([]byte(s), true)
	}
	for _, s := range networkSeeds(f) {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
}
