// Package jsontest holds JSON helpers for tests.
package jsontest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Generic is v as a reader of its JSON sees it: encoded with encoding/json
// (omitempty applied, nil slices as null) and decoded into maps, slices and
// json.Number. UseNumber keeps integers as integers (ast.Number "22", not
// 22.0 through float64), as the engine's own ast.Value builder does, so
// the result is what `opa eval -i file.json` gets as input.
func Generic(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}
