package inventory

import (
	"encoding/json"
	"maps"
	"reflect"
	"testing"
)

func TestTags(t *testing.T) {
	m := map[string]string{"team": "payments", "env": "prod", "Name": `web "edge"`, "empty": ""}
	tags := NewTags(m)
	if want := (Tags{{"Name", `web "edge"`}, {"empty", ""}, {"env", "prod"}, {"team", "payments"}}); !reflect.DeepEqual(tags, want) {
		t.Fatalf("NewTags = %v, want sorted by key %v", tags, want)
	}
	for k, v := range m {
		if got, ok := tags.Get(k); !ok || got != v {
			t.Errorf("Get(%q) = %q, %t; want %q", k, got, ok, v)
		}
	}
	if _, ok := tags.Get("owner"); ok {
		t.Error("Get of a missing key must say so")
	}
	if !maps.Equal(tags.Map(), m) {
		t.Errorf("Map = %v, want %v", tags.Map(), m)
	}

	// JSON: the object map[string]string gave, keys sorted.
	got, err := json.Marshal(tags)
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("JSON = %s, want %s", got, want)
	}
	var back Tags
	if err := json.Unmarshal(got, &back); err != nil || !reflect.DeepEqual(back, tags) {
		t.Errorf("round trip = %v (err %v), want %v", back, err, tags)
	}

	// No tags is {} in JSON, never null; null and {} read as none.
	g, err := json.Marshal(SecurityGroup{})
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(g, &obj); err != nil {
		t.Fatal(err)
	}
	if tagsJSON, ok := obj["tags"].(map[string]any); !ok || len(tagsJSON) != 0 {
		t.Errorf("a group without tags has tags %v in JSON, want {}", obj["tags"])
	}
	for _, in := range []string{`null`, `{}`} {
		var none Tags
		if err := json.Unmarshal([]byte(in), &none); err != nil || len(none) != 0 {
			t.Errorf("%s: %v, %v; want no tags", in, none, err)
		}
	}
	var bad Tags
	if err := json.Unmarshal([]byte(`{"env": 1}`), &bad); err == nil {
		t.Error("a tag value that is not a string must be an error")
	}
}
