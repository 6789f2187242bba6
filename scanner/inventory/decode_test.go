package inventory

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeMatchesUnmarshal(t *testing.T) {
	inv := &Inventory{SchemaVersion: SchemaVersion, Source: "aws",
		Accounts: []Account{{ID: "111122223333", Partition: "aws"}},
		SecurityGroups: []SecurityGroup{
			{ID: "sg-2", AccountID: "111122223333", Region: "eu-west-1", Tags: Tags{{"env", "prod"}},
				Rules: NewRules(sampleRules()...), StaleRules: NewRules(sampleRules()[2]),
				Attachments: []Attachment{{NetworkInterfaceID: "eni-1"}}},
			{ID: "sg-1", AccountID: "111122223333", Region: "eu-west-1"},
		},
	}
	raw, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	var want Inventory
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	want.Sort()
	got.Sort()
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Decode differs from json.Unmarshal (-unmarshal +decode):\n%s", diff)
	}
}

// A bad value deep in a rule is located in the whole file.
func TestDecodeErrorOffsets(t *testing.T) {
	for _, bad := range []string{`"from_port": "22"`, `"peer": {"cidr": 10}`} {
		raw := "{\"schema_version\": \"1\",\n \"security_groups\": [\n  {\"id\": \"sg-1\", \"tags\": {\"env\": \"prod\"},\n   \"rules\": [{\"id\": \"sgr-1\", " + bad + "}]}]}"
		_, err := Decode([]byte(raw))
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			t.Fatalf("%s: got %v, want a *json.UnmarshalTypeError", bad, err)
		}
		if line := strings.Count(raw[:typeErr.Offset], "\n") + 1; line != 4 {
			t.Errorf("%s: offset %d is on line %d, want 4", bad, typeErr.Offset, line)
		}
		if !strings.HasPrefix(typeErr.Field, "security_groups.rules.") {
			t.Errorf("%s: field %q, want it under security_groups.rules", bad, typeErr.Field)
		}
	}
	raw := "{\"security_groups\": [\n {\"tags\": {\"env\": 1}}]}"
	_, err := Decode([]byte(raw))
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || typeErr.Offset < int64(strings.Index(raw, "\n")) {
		t.Errorf("bad tag value: %v, want a type error located on line 2", err)
	}
}
