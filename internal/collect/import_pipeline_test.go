package collect

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// indentCLI indents JSON as the AWS CLI prints it (4 spaces), which
// scanList finds the items of by their indent.
func indentCLI(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := stdjson.Indent(&buf, []byte(s), "", "    "); err != nil {
		t.Fatalf("indent %q: %v", s, err)
	}
	return buf.String()
}

// TestPipelineAsDecoder: whatever the input, the import on every core
// (import_pipeline.go) gives the inventory or the error of decoding the
// items one by one (sameImport: with the batches of a run, and with a
// batch per item and the input read a byte at a time). The inputs have
// many items, so that several batches are in flight when something goes
// wrong: the first problem in file order is the one said, with the item's
// index and line.
func TestPipelineAsDecoder(t *testing.T) {
	var groups, enis, rules []string
	for i := range 300 {
		groups = append(groups, cliGroup(fmt.Sprintf("sg-%08d", i), sshToWorld))
		enis = append(enis, cliENI(fmt.Sprintf("eni-%08d", i), ""))
		rules = append(rules, cliRule(fmt.Sprintf("sgr-%08d", i), fmt.Sprintf("sg-%08d", i), `, "CidrIpv4": "0.0.0.0/0"`))
	}
	with := func(items []string, at int, item string) []string {
		out := append([]string{}, items[:at]...)
		return append(append(out, item), items[at+1:]...)
	}
	list := func(items []string) string { return strings.Join(items, ",\n") }
	cases := map[string]string{
		"groups":                                    cliGroups(groups...),
		"groups and interfaces":                     `{"SecurityGroups": [` + list(groups) + `], "NetworkInterfaces": [` + list(enis) + `]}`,
		"no items":                                  `{"SecurityGroups": [], "NetworkInterfaces": [ ]}`,
		"a name in another case":                    cliGroups(with(groups, 150, `{"groupId": "sg-x", "OwnerId": "111122223333", "SecurityGroupArn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-x"}`)...),
		"a duplicate, the same":                     cliGroups(with(groups, 250, groups[3])...),
		"a duplicate, differing":                    cliGroups(with(groups, 250, cliGroup("sg-00000003", ""))...),
		"a type error":                              cliGroups(with(groups, 200, `{"GroupId": 5}`)...),
		"a type error, then a syntax one":           cliGroups(with(with(groups, 200, `{"GroupId": 5}`), 260, `{"GroupId": "x",}`)...),
		"a syntax error, then a type one":           cliGroups(with(with(groups, 200, `{"GroupId": "x",}`), 260, `{"GroupId": 5}`)...),
		"a duplicate key":                           cliGroups(with(groups, 123, cliGroup("sg-1", `, "VpcId": "vpc-2"`))...),
		"a bad account, then bad JSON":              cliGroups(with(with(groups, 70, cliGroup("sg-70", `, "IpPermissions": [{"UserIdGroupPairs": [{"UserId": "12"}]}]`)), 290, `{"GroupId": "x" "y"}`)...),
		"no region":                                 strings.ReplaceAll(cliGroups(groups...), `"SecurityGroupArn"`, `"Arn"`),
		"not an object":                             cliGroups(with(groups, 99, `null`)...),
		"a string item":                             cliGroups(with(groups, 99, `"sg-1"`)...),
		"a trailing comma":                          `{"SecurityGroups": [` + list(groups) + `,]}`,
		"no comma":                                  `{"SecurityGroups": [` + strings.Join(groups, "\n") + `]}`,
		"a control character":                       cliGroups(with(groups, 180, cliGroup("sg-\x01", ""))...),
		"bad UTF-8":                                 cliGroups(with(groups, 180, cliGroup("sg-\xff", ""))...),
		"a leading zero":                            cliGroups(with(groups, 180, cliGroup("sg-1", `, "IpPermissions": [{"FromPort": 022}]`))...),
		"white space JSON does not allow":           cliGroups(with(groups, 180, cliGroup("sg-1", "\f"))...),
		"deeply nested, in a field json v2 decodes": cliENI("eni-1", `, "AssociatedSubnets": `+strings.Repeat("[", 1200)+strings.Repeat("]", 1200)),
		"cut in an item":                            cliGroups(groups...)[:len(cliGroups(groups...))/2],
		"cut after an item":                         `{"SecurityGroups": [` + list(groups),
		"the list twice":                            `{"SecurityGroups": [` + list(groups[:100]) + `], "SecurityGroups": []}`,
		"data after the object":                     cliGroups(groups...) + ` {}`,
		"an unknown key after the list":             `{"SecurityGroups": [` + list(groups) + `], "Other": 1}`,
		"one page of several":                       `{"SecurityGroups": [` + list(groups) + `], "NextToken": "abc"}`,
		"interfaces without zone":                   `{"NetworkInterfaces": [` + list(with(enis, 10, `{"NetworkInterfaceId": "eni-x", "OwnerId": "111122223333", "Groups": [{"GroupId": "sg-00000001"}]}`)) + `], "SecurityGroups": [` + list(groups) + `]}`,
		"a '}' where an item should be":             `{"SecurityGroups": [` + list(groups) + `,}`,
		"rule records":                              `{"SecurityGroupRules": [` + list(rules) + `]}`,
		"rule records, then their groups":           `{"SecurityGroupRules": [` + list(rules) + `], "SecurityGroups": [` + list(groups) + `]}`,
		"a rule record twice, the same":             `{"SecurityGroups": [` + list(groups) + `], "SecurityGroupRules": [` + list(with(rules, 280, rules[5])) + `]}`,
		"a rule record twice, differing":            `{"SecurityGroups": [` + list(groups) + `], "SecurityGroupRules": [` + list(with(rules, 280, cliRule("sgr-00000005", "sg-00000006", ""))) + `]}`,
		"a rule record without IsEgress":            `{"SecurityGroups": [` + list(groups) + `], "SecurityGroupRules": [` + list(with(rules, 140, `{"SecurityGroupRuleId": "sgr-x", "GroupId": "sg-00000001"}`)) + `]}`,
	}
	for name, data := range cases {
		for _, variant := range []struct{ name, data string }{
			{"", data},
			{", indented", indentIfJSON(t, data)},
			{", with a BOM", "\xEF\xBB\xBF" + data},
		} {
			t.Run(name+variant.name, func(t *testing.T) {
				sameImport(t, []byte(variant.data), "")
				sameImport(t, []byte(variant.data), "eu-west-1")
			})
		}
	}
}

// indentIfJSON indents data when it is JSON; anything else is kept.
func indentIfJSON(t *testing.T, data string) string {
	if !stdjson.Valid([]byte(data)) {
		return data
	}
	return indentCLI(t, data)
}

// TestPipelineIndentGuessed: an item of an indented file whose nested
// '}' sits at the item's own indent (hand-edited) is not where scanList
// guesses it ends; the worker refuses what it was given, and the decoder
// reads the item, then scanList goes on.
func TestPipelineIndentGuessed(t *testing.T) {
	var groups []string
	for i := range 200 {
		groups = append(groups, indentCLI(t, cliGroup(fmt.Sprintf("sg-%08d", i), sshToWorld)))
	}
	odd := "{\n\"GroupId\": \"sg-odd\", \"OwnerId\": \"111122223333\", \"Tags\": [{\"Key\": \"k\", \"Value\": \"v\"\n}\n], \"SecurityGroupArn\": \"arn:aws:ec2:eu-west-1:111122223333:security-group/sg-odd\"\n}"
	for _, at := range []int{0, 1, 77, 199} {
		items := append([]string{}, groups...)
		items[at] = odd
		data := "{\n\"SecurityGroups\": [\n" + strings.Join(items, ",\n") + "\n]\n}\n"
		sameImport(t, []byte(data), "")
		inv, err := ImportReaders(context.Background(), []Input{input("sgs.json", data)}, "")
		if err != nil {
			t.Fatalf("item %d: %v", at, err)
		}
		if len(inv.SecurityGroups) != 200 {
			t.Errorf("item %d: %d groups, want 200", at, len(inv.SecurityGroups))
		}
	}
}

// TestPipelineStops: a cancelled import, or one that fails while batches
// are in flight, returns once every goroutine it started has ended.
func TestPipelineStops(t *testing.T) {
	var groups []string
	for i := range 2000 {
		groups = append(groups, cliGroup(fmt.Sprintf("sg-%08d", i), sshToWorld))
	}
	bad := cliGroups(append(append([]string{}, groups[:1500]...), `{"GroupId": 5}`)...)
	before := runtime.NumGoroutine()
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		src := &endless{cancel: cancel, after: 256 << 10}
		if _, err := ImportReaders(ctx, []Input{{Name: "endless.json", R: src}}, ""); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled: error = %v, want context.Canceled", err)
		}
		cancel()
		_, err := importWith(context.Background(), []Input{input("bad.json", bad)}, "", func(im *importer) { im.batchItems = 7 })
		if want := "field SecurityGroups[1500].GroupId: a JSON number where string was expected"; err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("bad item: error = %v, want %q", err, want)
		}
	}
	// The workers have returned (pipeline.close waits for them); a
	// goroutine that has returned may still be counted for a moment.
	after := runtime.NumGoroutine()
	for i := 0; i < 1000 && after > before; i++ {
		runtime.Gosched()
		after = runtime.NumGoroutine()
	}
	if after > before {
		t.Errorf("%d goroutines before the imports, %d after", before, after)
	}
}
