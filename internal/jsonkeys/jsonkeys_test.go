package jsonkeys

import (
	stdjson "encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	"github.com/google/go-cmp/cmp"
)

type inner struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type base struct {
	ID    string `json:"id"`
	Shade string `json:"shade"`
}

type outer struct {
	base
	Shade string    `json:"shade"` // hides base's
	Items []inner   `json:"items"`
	At    time.Time `json:"at"`
	Any   any       `json:"any"`
	Skip  string    `json:"-"`
	Bare  int
}

// want is an Error without its position; the test checks the position
// separately, against the text.
type want struct {
	Key, First string
	Path       []string
	Unknown    bool
}

func TestStrict(t *testing.T) {
	tests := []struct {
		name, doc string
		want      *want
	}{
		{name: "valid", doc: `{"id":"a","shade":"b","items":[{"name":"n","tags":{"k":"v","K":"w"}}],"at":"2026-01-01T00:00:00Z","any":{"x":1,"X":2},"Bare":1}`},
		{name: "exact twice", doc: `{"id":"a","id":"b"}`, want: &want{Key: "id", First: "id"}},
		{name: "case twice", doc: `{"id":"a",` + "\n" + ` "ID":"b"}`, want: &want{Key: "ID", First: "id"}},
		{name: "case alone", doc: `{"ID":"b"}`, want: &want{Key: "ID", Unknown: true}},
		{name: "unknown", doc: `{"id":"a","idd":"b"}`, want: &want{Key: "idd", Unknown: true}},
		{name: "dash tag is no field", doc: `{"Skip":"x"}`, want: &want{Key: "Skip", Unknown: true}},
		{name: "untagged field by Go name only", doc: `{"bare":1}`, want: &want{Key: "bare", Unknown: true}},
		{name: "escaped name", doc: `{"i\u0064":"a","items":[{"n\u0061me":"x","NAME":"y"}]}`, want: &want{Key: "NAME", First: "name", Path: []string{"items", "0"}}},
		{name: "Kelvin sign folds to k", doc: `{"shade":"a","\u212aey":1}`, want: &want{Key: "\u212aey", Unknown: true}},
		{name: "map key twice", doc: `{"items":[{"tags":{"k":"v","k":"w"}}]}`, want: &want{Key: "k", First: "k", Path: []string{"items", "0", "tags"}}},
		{name: "twice inside any", doc: `{"any":{"x":1,"x":2}}`, want: &want{Key: "x", First: "x", Path: []string{"any"}}},
		{name: "syntax error is the decoder's", doc: `{"id":"a",}`},
		{name: "after a syntax error nothing", doc: `{"id":"a" "id":"b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Strict([]byte(tt.doc), reflect.TypeFor[outer]())
			var got *want
			if e != nil {
				got = &want{Key: e.Key, First: e.First, Path: e.Path, Unknown: e.Unknown}
				checkPosition(t, tt.doc, e)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Strict(%s): %v (-want +got):\n%s", tt.doc, e, diff)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	tests := []struct {
		doc  string
		want *want
	}{
		{doc: `{"a":1,"A":2,"b":{"c":[{"d":1},{"d":2}]}}`},
		{doc: `{"a":1,"b":{"c":[{"d":1},{"d":2,` + "\n" + `"d":3}]}}`, want: &want{Key: "d", First: "d", Path: []string{"b", "c", "1"}}},
		{doc: "{\"a\":\"\xff\",\"a\":2}", want: &want{Key: "a", First: "a"}},
		{doc: `{"a":1,"a"`, want: &want{Key: "a", First: "a"}},
		{doc: `[1,}`},
	}
	for _, tt := range tests {
		e := Duplicates([]byte(tt.doc))
		var got *want
		if e != nil {
			got = &want{Key: e.Key, First: e.First, Path: e.Path, Unknown: e.Unknown}
			checkPosition(t, tt.doc, e)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Duplicates(%q): %v (-want +got):\n%s", tt.doc, e, diff)
		}
	}
}

// checkPosition checks that Offset, Line and Col all point at the key's
// quoted name.
func checkPosition(t *testing.T, doc string, e *Error) {
	t.Helper()
	if e.Offset < 0 || e.Offset >= len(doc) || doc[e.Offset] != '"' {
		t.Errorf("%v: offset %d is not a name's opening quote in %q", e, e.Offset, doc)
		return
	}
	raw := readString(doc[e.Offset:])
	// Invalid UTF-8 comes back as U+FFFD, as Strict reads it, with an
	// error that does not matter here.
	name, _ := jsontext.AppendUnquote(nil, raw)
	// A key is reported as written (invalid UTF-8 too) or as the decoder
	// reads it (each invalid byte U+FFFD): two keys that differ only in
	// invalid bytes are one key to encoding/json.
	asWritten := name
	if len(raw) >= 2 && !strings.Contains(string(raw), `\`) {
		asWritten = raw[1 : len(raw)-1]
	}
	if len(raw) < 2 || (string(name) != e.Key && string(asWritten) != e.Key) {
		t.Errorf("%v: offset %d holds %q, want the key %q", e, e.Offset, name, e.Key)
	}
	line := strings.Count(doc[:e.Offset], "\n") + 1
	col := e.Offset - (strings.LastIndexByte(doc[:e.Offset], '\n') + 1) + 1
	if line != e.Line || col != e.Col {
		t.Errorf("%v: line %d column %d, want %d:%d", e, e.Line, e.Col, line, col)
	}
	if !strings.Contains(e.Error(), strconv.Quote(e.Key)) {
		t.Errorf("%q does not name the key", e.Error())
	}
}

// readString returns the JSON string at the start of s.
func readString(s string) []byte {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return []byte(s[:i+1])
		}
	}
	return []byte(s)
}

// FuzzStrict: a document Strict accepts decodes with the go-json-experiment
// decoder (case-sensitive, duplicates and unknown members refused) exactly
// as encoding/json decodes it; so nothing Strict lets through is merged or
// dropped by encoding/json. A refused key is where the error says.
func FuzzStrict(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","shade":"b","items":[{"name":"n","tags":{"k":"v","K":"w"}}],"Bare":1}`,
		`{"id":"a","ID":"b"}`, `{"items":[{"name":"x","Name":"y"}]}`, `{"shade":"a","Shade":"b"}`,
		`{"items":[{"tags":{"k":"v","k":"w"}}]}`, `{"i\u0064":"a"}`, `{"\u212a":1}`, `{"any":{"a":[{"b":1}]}}`,
	} {
		f.Add([]byte(s))
	}
	typ := reflect.TypeFor[outer]()
	f.Fuzz(func(t *testing.T, b []byte) {
		e := Strict(b, typ)
		if e != nil {
			checkPosition(t, string(b), e)
			return
		}
		var v1 outer
		if err := stdjson.Unmarshal(b, &v1); err != nil {
			return // the decoder's error to report
		}
		var v2 outer
		err := json.Unmarshal(b, &v2, json.RejectUnknownMembers(true), jsontext.AllowInvalidUTF8(true))
		var se *json.SemanticError
		if errors.As(err, &se) && se.Err != nil && !errors.Is(se.Err, json.ErrUnknownName) {
			return // a type mismatch the two decoders word differently
		}
		if err != nil {
			t.Fatalf("Strict accepted %q, which a strict decoder refuses: %v", b, err)
		}
		if diff := cmp.Diff(v1, v2, cmp.AllowUnexported(outer{})); diff != "" {
			t.Errorf("Strict accepted %q, which encoding/json decodes differently (-v1 +v2):\n%s", b, diff)
		}
	})
}
