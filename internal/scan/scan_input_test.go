package scan

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sgaudit/sgaudit/internal/collect"
)

// TestInventoryInput: bad input files are one line that starts with what
// is wrong and names the file (issue 9), and a cancelled scan stops in the
// import with ctx's error (issue 9, item 1).
func TestInventoryInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	group := func(extra string) string {
		return `{"GroupId": "sg-1", "OwnerId": "111122223333", "SecurityGroupArn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1"` + extra + `}`
	}
	a := write("a.json", `{"SecurityGroups": [`+group("")+`]}`)
	b := write("b.json", `{"SecurityGroups": [`+group(`, "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]`)+`]}`)

	_, err := Inventory(context.Background(), Options{Inputs: []string{a, b}})
	want := "invalid input: group sg-1 differs between " + a + " (SecurityGroups[0]) and " + b + " (SecurityGroups[0])"
	if !errors.Is(err, collect.ErrInput) || err.Error() != want {
		t.Errorf("Inventory() error =\n%v\nwant\n%s", err, want)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Inventory(ctx, Options{Inputs: []string{a}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, collect.ErrInput) || !strings.Contains(err.Error(), a) {
		t.Errorf("Inventory(cancelled) error = %v, want context.Canceled naming %s", err, a)
	}
}
