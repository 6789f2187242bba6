// Package jsonkeys finds the object keys of a JSON document that a decoder
// would silently merge or ignore: a key given twice (encoding/json keeps
// the last), two keys that encoding/json matches to one struct field
// (it compares them ignoring case), and keys that are no field at all.
// It reports nothing else: a syntax error is left to the decoder that
// follows, in its own words.
package jsonkeys

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/go-json-experiment/json/jsontext"
)

// Error is a key refused: where it is and why.
type Error struct {
	Offset    int      // byte offset of the key in the document
	Line, Col int      // 1-based; Col counts bytes
	Key       string   // the key as written
	Path      []string // the keys and indices of the object holding it
	First     string   // for a repeated key, the earlier key it repeats
	Unknown   bool     // the key is no field of the object's struct type
}

func (e *Error) Error() string {
	in := ""
	if len(e.Path) > 0 {
		in = " in " + strings.Join(e.Path, ".")
	}
	switch {
	case e.Unknown:
		return fmt.Sprintf("line %d column %d: unknown key %q%s", e.Line, e.Col, e.Key, in)
	case e.First != e.Key:
		return fmt.Sprintf("line %d column %d: key %q%s is %q again (encoding/json matches keys ignoring case)", e.Line, e.Col, e.Key, in, e.First)
	}
	return fmt.Sprintf("line %d column %d: key %q given twice%s", e.Line, e.Col, e.Key, in)
}

// Duplicates finds the first key given twice, exactly, in one object of
// b, or returns nil. Invalid UTF-8 is allowed, as encoding/json allows
// it, so that the check goes on past it.
func Duplicates(b []byte) *Error {
	dec := jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowInvalidUTF8(true))
	for {
		if _, err := dec.ReadToken(); err != nil {
			return duplicateErr(b, err)
		}
	}
}

// duplicateErr turns jsontext's duplicate-name error into an Error; any
// other error is the decoder's to report, so nil.
func duplicateErr(b []byte, err error) *Error {
	var se *jsontext.SyntacticError
	if !errors.As(err, &se) || !errors.Is(se.Err, jsontext.ErrDuplicateName) {
		return nil
	}
	path := slices.Collect(se.JSONPointer.Tokens())
	key := se.JSONPointer.LastToken()
	e := at(b, int(se.ByteOffset), key, path[:max(len(path)-1, 0)])
	e.First = key
	return e
}

func at(b []byte, off int, key string, path []string) *Error {
	off = min(max(off, 0), len(b))
	line := bytes.Count(b[:off], []byte("\n")) + 1
	col := off - (bytes.LastIndexByte(b[:off], '\n') + 1) + 1
	if len(path) == 0 {
		path = nil // the top level
	}
	return &Error{Offset: off, Line: line, Col: col, Key: key, Path: path}
}

// Strict checks b against the Go type t that it is decoded into with
// encoding/json: in the objects decoded into structs, every key must be
// the JSON name of a field exactly, and no two keys may fold to one name
// as encoding/json folds them; in every object (maps too), no key may be
// given twice. Values of a type with its own UnmarshalJSON, and of
// interface type, are checked for exact duplicates only. It returns the
// first key refused, or nil.
func Strict(b []byte, t reflect.Type) *Error {
	w := walker{b: b, dec: jsontext.NewDecoder(bytes.NewReader(b), jsontext.AllowInvalidUTF8(true))}
	if err := w.value(t); err != nil {
		var ke *Error
		if errors.As(err, &ke) {
			return ke
		}
		return duplicateErr(b, err)
	}
	return nil
}

type walker struct {
	b   []byte
	dec *jsontext.Decoder
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

func (w *walker) value(t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshaler) {
		return w.dec.SkipValue()
	}
	switch w.dec.PeekKind() {
	case '{':
		if _, err := w.dec.ReadToken(); err != nil {
			return err
		}
		var fields map[string]field
		var seen uint64 // fields given so far, by index (see fieldsOf)
		if t.Kind() == reflect.Struct {
			fields = fieldsOf(t)
		}
		for w.dec.PeekKind() != '}' {
			start := int(w.dec.InputOffset())
			// The raw name: its text is the key when it has no escapes,
			// and looking it up then costs no allocation.
			raw, err := w.dec.ReadValue()
			if err != nil {
				return err
			}
			var elem reflect.Type
			switch t.Kind() {
			case reflect.Struct:
				name := raw[1 : len(raw)-1]
				if bytes.IndexByte(name, '\\') >= 0 {
					// The decoder has read the name, so the only error
					// left is invalid UTF-8, which is allowed: the name
					// comes back with U+FFFD, and is still checked.
					name, _ = jsontext.AppendUnquote(nil, raw)
				}
				f, ok := fields[string(name)]
				if !ok {
					return w.keyErr(start, string(name), fields, seen)
				}
				seen |= 1 << (f.index % 64)
				elem = f.typ
			case reflect.Map:
				elem = t.Elem()
			}
			if err := w.value(elem); err != nil {
				return err
			}
		}
		_, err := w.dec.ReadToken()
		return err
	case '[':
		if _, err := w.dec.ReadToken(); err != nil {
			return err
		}
		var elem reflect.Type
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			elem = t.Elem()
		}
		for w.dec.PeekKind() != ']' {
			if err := w.value(elem); err != nil {
				return err
			}
		}
		_, err := w.dec.ReadToken()
		return err
	}
	return w.dec.SkipValue()
}

// keyErr is the error for a key that is no field of the struct whose
// fields are given, seen those given so far: a field given earlier in
// another case, or else an unknown key. It places the key read from
// start: past the comma and white space before it.
func (w *walker) keyErr(start int, key string, fields map[string]field, seen uint64) *Error {
	for start < len(w.b) && strings.IndexByte(" \t\r\n,", w.b[start]) >= 0 {
		start++
	}
	ptr := slices.Collect(w.dec.StackPointer().Tokens())
	e := at(w.b, start, key, ptr[:max(len(ptr)-1, 0)])
	e.Unknown = true
	for name, f := range fields {
		// strings.EqualFold is how encoding/json matches a key to a field.
		if seen&(1<<(f.index%64)) != 0 && strings.EqualFold(name, key) {
			e.First, e.Unknown = name, false
			break
		}
	}
	return e
}

type field struct {
	typ   reflect.Type
	index int // in the order of fieldsOf's walk
}

var fieldCache sync.Map // reflect.Type -> map[string]field

// fieldsOf maps the JSON names of a struct type's fields to their types,
// as encoding/json sees them: fields of embedded structs are promoted, and
// a shallower field hides a deeper one of the same name.
func fieldsOf(t reflect.Type) map[string]field {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]field)
	}
	types := make(map[string]reflect.Type)
	addFields(types, t, map[reflect.Type]bool{})
	names := slices.Sorted(maps.Keys(types))
	m := make(map[string]field, len(types))
	for i, name := range names {
		m[name] = field{typ: types[name], index: i}
	}
	fieldCache.Store(t, m)
	return m
}

func addFields(m map[string]reflect.Type, t reflect.Type, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	var embedded []reflect.Type
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = ft
	}
	for _, et := range embedded {
		inner := make(map[string]reflect.Type)
		addFields(inner, et, visiting)
		for k, v := range inner {
			if _, ok := m[k]; !ok {
				m[k] = v
			}
		}
	}
}
