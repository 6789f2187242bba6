package collect

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fill sets every exported field of the value at v to something not zero,
// as the CLI would print it: lists of two, nested structs filled too.
func fill(v reflect.Value, depth int) {
	if depth > 6 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("v%d-\"quoted\" é", depth))
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(int64(-7 * depth))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1.5)
	case reflect.Pointer:
		if v.Type().Elem() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(new(time.Date(2025, 3, 4, 10, 11, 12, 0, time.UTC))))
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fill(s.Index(i), depth+1)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 3, 4, 10, 11, 12, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// checkFast decodes raw with the plan p and with json v2 into new values of
// type t, and says how they differ; taken reports whether the plan took it.
func checkFast(t *testing.T, p *structPlan, typ reflect.Type, raw []byte) (taken bool) {
	t.Helper()
	want := reflect.New(typ)
	werr := json.Unmarshal(raw, want.Interface(), decodeOptions)
	got := reflect.New(typ)
	var c cells
	// The fast decoder sees bytes nothing has checked (import_pipeline.go):
	// it must take only what jsontext reads whole.
	trimmed := bytes.TrimSpace(raw)
	if !c.decode(trimmed, p, got.UnsafePointer()) {
		return false
	}
	if _, err := jsontext.NewDecoder(bytes.NewReader(trimmed)).ReadValue(); err != nil {
		t.Fatalf("the fast decoder took %q, which jsontext refuses: %v", raw, err)
	}
	if werr != nil {
		t.Fatalf("the fast decoder took %s, which json v2 refuses: %v", raw, werr)
	}
	if diff := cmp.Diff(want.Interface(), got.Interface(), cmpopts.IgnoreUnexported(allSDKTypes(typ)...)); diff != "" {
		t.Fatalf("fast decode of %s (-json v2 +fast):\n%s", raw, diff)
	}
	return true
}

// allSDKTypes lists the struct types reachable from t, for go-cmp.
func allSDKTypes(t reflect.Type) []any {
	seen := map[reflect.Type]bool{}
	var out []any
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			walk(t.Elem())
		case reflect.Struct:
			if seen[t] || t == reflect.TypeFor[time.Time]() {
				return
			}
			seen[t] = true
			out = append(out, reflect.New(t).Elem().Interface())
			for i := range t.NumField() {
				walk(t.Field(i).Type)
			}
		}
	}
	walk(t)
	return out
}

// TestFastDecodeTakesCLIItems checks that the fast decoder takes what the
// CLI prints (the testdata exports, and an item of each type with every
// field set) and decodes it as json v2 does.
func TestFastDecodeTakesCLIItems(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		plan *structPlan
		file string
		list string
	}{
		{reflect.TypeFor[types.SecurityGroup](), groupPlan, "cli-sgs.json", listGroups},
		{reflect.TypeFor[types.NetworkInterface](), interfacePlan, "cli-enis.json", listInterfaces},
		{reflect.TypeFor[types.SecurityGroupRule](), rulePlan, "cli-rules.json", listRules},
	} {
		t.Run(tc.typ.Name(), func(t *testing.T) {
			if tc.plan == nil {
				t.Fatal("no plan")
			}
			full := reflect.New(tc.typ)
			fill(full.Elem(), 0)
			raw, err := json.Marshal(full.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if !checkFast(t, tc.plan, tc.typ, raw) {
				t.Errorf("the fast decoder did not take an item with every field set: %s", raw)
			}
			file, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var top map[string][]jsontext.Value
			if err := json.Unmarshal(file, &top); err != nil {
				t.Fatal(err)
			}
			if len(top[tc.list]) == 0 {
				t.Fatalf("%s holds no %s", tc.file, tc.list)
			}
			for i, item := range top[tc.list] {
				if !checkFast(t, tc.plan, tc.typ, item) {
					t.Errorf("%s %s[%d]: the fast decoder did not take it", tc.file, tc.list, i)
				}
			}
		})
	}
}

// TestFastDecodeDeclines checks items the fast decoder must leave to json
// v2, and that the import then says exactly what it said before.
func TestFastDecodeDeclines(t *testing.T) {
	for _, tc := range []struct {
		name, item string
		taken      bool
	}{
		{"names in another case", `{"groupId": "sg-1"}`, false},
		{"an unknown name", `{"GroupId": "sg-1", "Extra": 1}`, false},
		{"a number for a string", `{"GroupId": 5}`, false},
		{"a string for a port", `{"IpPermissions": [{"FromPort": "22"}]}`, false},
		{"a port out of range", `{"IpPermissions": [{"FromPort": 2147483648}]}`, false},
		{"a fraction", `{"IpPermissions": [{"FromPort": 22.0}]}`, false},
		{"an exponent", `{"IpPermissions": [{"FromPort": 2e1}]}`, false},
		{"a null list item", `{"IpPermissions": [null]}`, false},
		{"an escaped name", `{"Group\u0049d": "sg-1"}`, false},
		{"a list for an object", `{"IpPermissions": {}}`, false},
		{"the smallest port", `{"IpPermissions": [{"FromPort": -2147483648, "ToPort": -0}]}`, true},
		{"nulls", `{"GroupId": null, "IpPermissions": null, "Tags": [{"Key": null}]}`, true},
		{"escapes", `{"GroupId": "sg-\u00e9\"\\\/\n", "Description": "\ud83d\ude00"}`, true},
		{"empty lists", `{"IpPermissions": [], "Tags": [ ]}`, true},
		{"white space", " {\n\t\"GroupId\" :\r\n \"sg-1\" , \"IpPermissions\" : [ { } , { \"FromPort\" : 1 } ] } ", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			taken := checkFast(t, groupPlan, reflect.TypeFor[types.SecurityGroup](), []byte(tc.item))
			if taken != tc.taken {
				t.Errorf("taken = %v, want %v", taken, tc.taken)
			}
			sameImport(t, []byte(`{"SecurityGroups": [`+cliGroup("sg-0", "")+`, `+tc.item+`]}`), "eu-west-1")
		})
	}
	for _, tc := range []struct{ name, item string }{
		{"a bad time", `{"NetworkInterfaceId": "eni-1", "Attachment": {"AttachTime": "yesterday"}}`},
		{"a time", `{"NetworkInterfaceId": "eni-1", "Attachment": {"AttachTime": "2025-03-04T10:11:12+00:00"}}`},
		{"a string list with a number", `{"NetworkInterfaceId": "eni-1", "AssociatedSubnets": ["a", 1]}`},
		{"an enum as a number", `{"NetworkInterfaceId": "eni-1", "InterfaceType": 3}`},
		{"a bool as a string", `{"NetworkInterfaceId": "eni-1", "SourceDestCheck": "true"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkFast(t, interfacePlan, reflect.TypeFor[types.NetworkInterface](), []byte(tc.item))
			sameImport(t, []byte(`{"NetworkInterfaces": [`+tc.item+`]}`), "eu-west-1")
		})
	}
}

// sameImport imports data with the fast decoder and with json v2 alone,
// and fails unless both give the same inventory or the same error.
func sameImport(t *testing.T, data []byte, region string) {
	t.Helper()
	ctx := context.Background()
	slow, serr := importReaders(ctx, []Input{{Name: "in.json", R: bytes.NewReader(data)}}, region, true)
	// The pipeline (import_pipeline.go) as it runs, then with a batch per
	// item and the input handed out a byte at a time, so that small inputs
	// have several batches in flight and scanList reads at every byte.
	for _, c := range []struct {
		name  string
		batch int
		r     func([]byte) io.Reader
	}{
		{"fast", 0, func(b []byte) io.Reader { return bytes.NewReader(b) }},
		{"fast, batches of 1, a byte a read", 1, func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }},
	} {
		fast, ferr := importWith(ctx, []Input{{Name: "in.json", R: c.r(data)}}, region, func(im *importer) { im.batchItems = c.batch })
		switch {
		case ferr != nil || serr != nil:
			if fmt.Sprint(ferr) != fmt.Sprint(serr) {
				t.Fatalf("errors differ for %q:\n%s: %v\njson: %v", data, c.name, ferr, serr)
			}
		default:
			if diff := cmp.Diff(slow, fast); diff != "" {
				t.Fatalf("inventories differ for %q (-json +%s):\n%s", data, c.name, diff)
			}
		}
	}
}

// TestFastDecodeErrors checks that the errors of bad items (syntax,
// duplicate names, types, a file cut short) are those json v2 reported.
func TestFastDecodeErrors(t *testing.T) {
	good := cliGroup("sg-1", sshToWorld)
	for _, data := range []string{
		`{"SecurityGroups": [` + good + `, {"GroupId": 5, "GroupId": "x"}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": "a", "GroupId": "x"}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": "a", "groupId": "x"}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": 5, "Tags": [}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": "a", "Tags": [}]}`,
		`{"SecurityGroups": [` + good + `, {"IpPermissions": [{"FromPort": 1e400}]}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": "a\xff"}]}`,
		`{"SecurityGroups": [` + good + `, {"GroupId": 5`,
		`{"SecurityGroups": [` + good + `, {"GroupId": "sg-2"`,
		`{"SecurityGroups": [` + good + `,, {}]}`,
		`{"SecurityGroups": [` + good + `, 5]}`,
		`{"SecurityGroups": [` + good + `, "sg-1"]}`,
		"\xEF\xBB\xBF" + `{"SecurityGroups": [` + good + ",\n" + `{"IpPermissions": [{"IpRanges": [{"CidrIp": 1}]}]}]}`,
		"\xEF\xBB\xBF" + `{"SecurityGroups": [` + good + ",\n" + `{"IpPermissions": [{"IpRanges": [{"CidrIp": "x"}]]}]}`,
		`{"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "Attachment": {"AttachTime": 5}}]}`,
		`{"SecurityGroupRules": [{"SecurityGroupRuleId": "sgr-1", "IsEgress": "no"}]}`,
	} {
		sameImport(t, []byte(data), "eu-west-1")
		if !strings.Contains(data, "NetworkInterfaces") && !strings.Contains(data, "SecurityGroupRules") {
			if _, err := importReaders(context.Background(), []Input{{Name: "in.json", R: strings.NewReader(data)}}, "eu-west-1", false); err == nil {
				t.Errorf("%q: no error", data)
			}
		}
	}
}

// FuzzImportFastDecode imports one file with the fast decoder and with
// json v2 alone (the decoder before it): both must give the same
// inventory, or the same error. Seeds: FuzzImport's.
//
//	go test ./internal/collect -run '^$' -fuzz '^FuzzImportFastDecode$' -fuzztime 20000x
func FuzzImportFastDecode(f *testing.F) {
	addImportSeeds(f)
	f.Add([]byte(`{"SecurityGroups": [{"groupId": "sg-1", "OwnerId": "111122223333", "IpPermissions": [{"FromPort": null, "IpRanges": [null]}]}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, fallback bool) {
		region := ""
		if fallback {
			region = "eu-west-1"
		}
		sameImport(t, data, region)
		// The input as an item: the plans take no bytes jsontext refuses.
		for _, p := range []*structPlan{groupPlan, interfacePlan, rulePlan} {
			checkFast(t, p, p.typ, data)
		}
		// Each item alone, decoded by both.
		var top map[string][]jsontext.Value
		if json.Unmarshal(data, &top, json.MatchCaseInsensitiveNames(true)) != nil {
			return
		}
		for list, p := range map[string]*structPlan{listGroups: groupPlan, listInterfaces: interfacePlan, listRules: rulePlan} {
			for _, item := range top[list] {
				checkFast(t, p, p.typ, item)
			}
		}
	})
}

// The plans are made for the SDK's types as they are: a new SDK version
// that adds an embedded field or a tag would make every item fall back
// (correct, only slower); this says so.
func TestFastDecodePlans(t *testing.T) {
	for _, p := range []*structPlan{groupPlan, interfacePlan, rulePlan} {
		if p == nil {
			t.Fatal("an SDK type has no plan: every item is decoded by json v2 alone")
		}
		if len(p.fields) == 0 || unsafe.Sizeof(p.fields) == 0 {
			t.Fatalf("%v: a plan without fields", p.typ)
		}
	}
	for name, kind := range map[string]fieldKind{
		"GroupId": fieldStringPtr, "IpPermissions": fieldStructSlice, "Tags": fieldStructSlice,
	} {
		if f := groupPlan.fields[name]; f == nil || f.kind != kind {
			t.Errorf("SecurityGroup %s: plan %+v, want kind %d", name, f, kind)
		}
	}
	for name, kind := range map[string]fieldKind{
		"Attachment": fieldStructPtr, "InterfaceType": fieldString, "AssociatedSubnets": fieldGeneric, "SourceDestCheck": fieldBoolPtr,
	} {
		if f := interfacePlan.fields[name]; f == nil || f.kind != kind {
			t.Errorf("NetworkInterface %s: plan %+v, want kind %d", name, f, kind)
		}
	}
	if f := interfacePlan.fields["Attachment"].sub.fields["AttachTime"]; f == nil || f.kind != fieldGeneric {
		t.Errorf("NetworkInterfaceAttachment AttachTime: plan %+v, want json v2", f)
	}
}
