package awsregions

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTableHasEverySDKRegion reads the partition data of the AWS SDK that
// go.mod requires (from the module cache, where the build found it) and
// fails when the SDK knows a region the table lacks or puts it in another
// partition. After `go get -u` of the SDK, add what it names here.
func TestTableHasEverySDKRegion(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-json", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list the AWS SDK module: %v", err)
	}
	var mod struct{ Dir, Version string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go list gave no module directory (%v): %s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(mod.Dir, "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatalf("read the SDK's partition data: %v", err)
	}
	var sdk struct {
		Partitions []struct {
			ID      string                     `json:"id"`
			Regions map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(data, &sdk); err != nil {
		t.Fatalf("decode the SDK's partition data: %v", err)
	}
	if len(sdk.Partitions) == 0 {
		t.Fatal("the SDK's partition data lists no partition")
	}
	var missing []string
	sdkCount := 0
	for _, p := range sdk.Partitions {
		for r := range p.Regions {
			if strings.HasSuffix(r, "-global") {
				continue
			}
			sdkCount++
			if got := Partition(r); got != p.ID {
				missing = append(missing, r+" ("+p.ID+", table says "+got+")")
			}
			if !WellFormed(r) {
				t.Errorf("SDK region %s does not match namePattern", r)
			}
		}
	}
	if len(missing) > 0 {
		t.Errorf("the table lacks regions that AWS SDK %s knows: %v", mod.Version, missing)
	}
	// A region the SDK dropped would stay accepted here: worth a look.
	if len(regions) != sdkCount {
		t.Errorf("the table has %d regions, the SDK %d", len(regions), sdkCount)
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"eu-wst-1", "eu-west-1"},
		{"EU-WEST-1", "eu-west-1"},
		{"us-esat-1", "us-east-1"},
		{"us-east-9", "us-east-1"},
		{"mars-north-1", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.in); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWellFormed(t *testing.T) {
	t.Parallel()
	got := map[string]bool{}
	for _, s := range []string{"us-east-1", "us-gov-west-1", "eusc-de-east-1", "xx-newplace-3", "eu-west", "EU-WEST-1", "../etc", "us-east-1 ", ""} {
		got[s] = WellFormed(s)
	}
	want := map[string]bool{"us-east-1": true, "us-gov-west-1": true, "eusc-de-east-1": true, "xx-newplace-3": true,
		"eu-west": false, "EU-WEST-1": false, "../etc": false, "us-east-1 ": false, "": false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WellFormed (-want +got):\n%s", diff)
	}
}
