package inventory

import (
	"cmp"
	"encoding/json"
	"iter"
	"maps"
	"slices"
)

// Tags are a resource's tags, sorted by key, each key once. A Go map per
// group cost ~320 bytes for the usual two or three tags, more than the
// group's own fields (BenchmarkEvaluate: 32 MB of a 226 MB inventory at
// 100k groups); a sorted slice costs 32 bytes a tag. In JSON it is an
// object, as map[string]string was; nil is written as {}.
type Tags []Tag

// Tag is one key and value.
type Tag struct {
	Key, Value string
}

// NewTags copies a map into Tags.
func NewTags(m map[string]string) Tags {
	if len(m) == 0 {
		return nil
	}
	out := make(Tags, 0, len(m))
	for k, v := range m {
		out = append(out, Tag{k, v})
	}
	slices.SortFunc(out, func(a, b Tag) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

// Get returns the value of key and whether the tag is set.
func (ts Tags) Get(key string) (string, bool) {
	i, ok := slices.BinarySearchFunc(ts, key, func(t Tag, k string) int { return cmp.Compare(t.Key, k) })
	if !ok {
		return "", false
	}
	return ts[i].Value, true
}

// All yields each key and value, by key.
func (ts Tags) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, t := range ts {
			if !yield(t.Key, t.Value) {
				return
			}
		}
	}
}

// Map returns the tags as a new map.
func (ts Tags) Map() map[string]string {
	return maps.Collect(ts.All())
}

// MarshalJSON writes the tags as a JSON object with sorted keys; no tags
// is {}.
func (ts Tags) MarshalJSON() ([]byte, error) {
	return json.Marshal(ts.Map())
}

// UnmarshalJSON reads a JSON object of strings; null is no tags.
func (ts *Tags) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*ts = NewTags(m)
	return nil
}
