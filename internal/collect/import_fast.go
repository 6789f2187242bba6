package collect

import (
	"bytes"
	"encoding"
	"encoding/binary"
	stdjson "encoding/json"
	"fmt"
	"io"
	"reflect"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// The fast decoder of AWS CLI items. Decoding each item with json v2's
// reflection into the SDK's pointer-per-field structs was a third of an
// import's CPU time (docs/performance.md, "Import CPU time, second pass").
// An item's bytes are now decoded by a plan per SDK type, made once by
// reflection: strings, int32s, bools, enums, nested structs and lists of
// them are set directly; any other field (a time, a list of strings) is
// decoded by json v2 alone. Groups and interfaces are decoded on the
// workers of import_pipeline.go from bytes nothing has checked, so the
// plan refuses whatever jsontext refuses (fastDecoder); rule records are
// read whole by jsontext first. The plan takes only what the CLI prints:
// field names in their exact case, each value of its field's JSON kind,
// integers in range. Anything else (a name in another case, an unknown
// name, a string where a number belongs) makes the item be decoded again
// by json v2 exactly as before, from its bytes, with the error's offset
// and path moved to where the item is in the file: what is accepted, what
// is produced and every error stay the same (FuzzImportFastDecode).

// decodeItem decodes the next item of list key (its index i) into v.
// start is the decoder's offset before it, plus the byte order mark (a
// lineReader offset).
func decodeItem[T any](s *stream, key string, i int, start int64, p *structPlan, v *T, slow bool) error {
	prefix := func() jsontext.Pointer { return jsontext.Pointer(fmt.Sprintf("/%s/%d", key, i)) }
	// A '}' where an item should start is an error of the list, not of an
	// item: only the live decoder, which knows it follows an element,
	// reports it as json v2 always did ("after array element"); a replay
	// from the item's start would say "at start of value".
	if slow || s.dec.PeekKind() == '}' {
		return json.UnmarshalDecode(s.dec, v, decodeOptions)
	}
	raw, err := s.dec.ReadValue()
	if err != nil {
		// What json v2 would have said reading it token by token: the
		// error of the first byte it cannot take, which may come before
		// the syntax error ReadValue found. The lineReader holds the
		// item's bytes and how its reader ended: decode them again.
		return s.replay(start, prefix, v, err)
	}
	return decodeRaw(&s.cells, raw, s.dec.InputOffset()-int64(len(raw)), p, v, key, i)
}

// decodeRaw decodes raw, an item jsontext read whole, into v: by plan p
// with c's cells, else by json v2. An error's offset and path are moved
// to where the item is in its file: at (decoder offset of raw's first
// byte), under /key/i.
func decodeRaw[T any](c *cells, raw []byte, at int64, p *structPlan, v *T, key string, i int) error {
	if len(raw) > 0 && raw[0] == '{' && c.decode(raw, p, unsafe.Pointer(v)) {
		return nil
	}
	var zero T
	*v = zero
	err := json.UnmarshalDecode(jsontext.NewDecoder(bytes.NewReader(raw)), v, decodeOptions)
	return shiftError(err, at, func() jsontext.Pointer { return jsontext.Pointer(fmt.Sprintf("/%s/%d", key, i)) })
}

// replay decodes the item starting at lineReader offset start again with
// json v2, from the bytes read so far and then the rest of the input, and
// returns its error; readErr (ReadValue's) when it finds none.
func (s *stream) replay(start int64, prefix func() jsontext.Pointer, v any, readErr error) error {
	from := s.lr.skipSeparators(start)
	if from < s.lr.base || from > s.lr.end() {
		return readErr
	}
	// Then what the file holds after them: json v2 may read further
	// than ReadValue did before it fails.
	var rest io.Reader = s.lr
	if s.lr.err != nil {
		rest = errorReader{s.lr.err}
	}
	r := io.MultiReader(bytes.NewReader(s.lr.buf[from-s.lr.base:]), rest)
	err := json.UnmarshalDecode(jsontext.NewDecoder(r), v, decodeOptions)
	if err == nil {
		return readErr
	}
	return shiftError(err, from-s.delta, prefix)
}

type errorReader struct{ err error }

func (r errorReader) Read([]byte) (int, error) { return 0, r.err }

// shiftError moves a json v2 error of an item decoded on its own to where
// the item is in its file: its byte offset by at, its path under prefix.
func shiftError(err error, at int64, prefix func() jsontext.Pointer) error {
	switch e := err.(type) {
	case *json.SemanticError:
		moved := *e
		moved.ByteOffset += at
		moved.JSONPointer = prefix() + moved.JSONPointer
		return &moved
	case *jsontext.SyntacticError:
		moved := *e
		moved.ByteOffset += at
		moved.JSONPointer = prefix() + moved.JSONPointer
		return &moved
	}
	return err
}

// fieldKind is how a plan decodes a field.
type fieldKind uint8

const (
	fieldGeneric     fieldKind = iota // json v2 decodes it
	fieldString                       // a string or a string enum
	fieldStringPtr                    // *string
	fieldInt32Ptr                     // *int32
	fieldBoolPtr                      // *bool
	fieldStructPtr                    // *struct with a plan
	fieldStructSlice                  // []struct with a plan
)

type fieldPlan struct {
	name string
	bit  uint64 // its bit in an object's mask of the names seen (0: none)
	kind fieldKind
	off  uintptr
	typ  reflect.Type // the field's type
	sub  *structPlan  // fieldStructPtr, fieldStructSlice
}

// structPlan decodes one SDK struct type. A nil plan (a type with
// embedded fields or tags) makes every item fall back to json v2.
type structPlan struct {
	typ    reflect.Type
	fields map[string]*fieldPlan // by exact JSON name
	// byLen holds the fields by the length of their name: found by one
	// or two string comparisons, faster than a map.
	byLen [64][]*fieldPlan
	ops   typeOps // nil for a type without typed operations
}

// lookup returns the field named name, nil if none.
func (p *structPlan) lookup(name []byte) *fieldPlan {
	if len(name) >= len(p.byLen) {
		return p.fields[string(name)]
	}
	for _, f := range p.byLen[len(name)] {
		if f.name == string(name) {
			return f
		}
	}
	return nil
}

// typeOps allocates the SDK structs the plans decode, with the types
// known at compile time: reflect.New and reflect.Copy looked their
// pointer types up in a sync.Map on every call.
type typeOps interface {
	new() unsafe.Pointer
	// item returns the i-th item of the type's scratch list in c.
	item(c *cells, i int) unsafe.Pointer
	// finish stores the first n scratch items as the slice at fp (an
	// empty, not nil, slice for 0) and clears them.
	finish(c *cells, n int, fp unsafe.Pointer)
	// clear clears the first n scratch items.
	clear(c *cells, n int)
}

type ops[T any] struct{ id int }

func (ops[T]) new() unsafe.Pointer { return unsafe.Pointer(new(T)) }

func (o ops[T]) item(c *cells, i int) unsafe.Pointer {
	s, _ := c.scratch[o.id].([]T)
	if i >= len(s) {
		s = append(s, make([]T, len(s)+4)...)
		c.scratch[o.id] = s
	}
	return unsafe.Pointer(&s[i])
}

func (o ops[T]) finish(c *cells, n int, fp unsafe.Pointer) {
	out := []T{}
	if n > 0 {
		s := c.scratch[o.id].([]T)
		out = make([]T, n)
		copy(out, s)
		clear(s[:n])
	}
	*(*[]T)(fp) = out
}

func (o ops[T]) clear(c *cells, n int) {
	if n > 0 {
		clear(c.scratch[o.id].([]T)[:n])
	}
}

// typedOps are the SDK types of the items' lists and nested structs;
// the fields of any other struct type are decoded by json v2.
var typedOps = func() map[reflect.Type]typeOps {
	m := map[reflect.Type]typeOps{}
	add := func(t reflect.Type, o typeOps) { m[t] = o }
	add(reflect.TypeFor[types.IpPermission](), ops[types.IpPermission]{0})
	add(reflect.TypeFor[types.IpRange](), ops[types.IpRange]{1})
	add(reflect.TypeFor[types.Ipv6Range](), ops[types.Ipv6Range]{2})
	add(reflect.TypeFor[types.PrefixListId](), ops[types.PrefixListId]{3})
	add(reflect.TypeFor[types.UserIdGroupPair](), ops[types.UserIdGroupPair]{4})
	add(reflect.TypeFor[types.Tag](), ops[types.Tag]{5})
	add(reflect.TypeFor[types.GroupIdentifier](), ops[types.GroupIdentifier]{6})
	add(reflect.TypeFor[types.NetworkInterfacePrivateIpAddress](), ops[types.NetworkInterfacePrivateIpAddress]{7})
	add(reflect.TypeFor[types.NetworkInterfaceIpv6Address](), ops[types.NetworkInterfaceIpv6Address]{8})
	add(reflect.TypeFor[types.NetworkInterfaceAssociation](), ops[types.NetworkInterfaceAssociation]{9})
	add(reflect.TypeFor[types.NetworkInterfaceAttachment](), ops[types.NetworkInterfaceAttachment]{10})
	add(reflect.TypeFor[types.ReferencedSecurityGroup](), ops[types.ReferencedSecurityGroup]{11})
	return m
}()

// scratchLists is the number of typedOps: the size of cells.scratch.
const scratchLists = 12

var (
	plansMu sync.Mutex
	plans   = map[reflect.Type]*structPlan{}
)

// The plans of the items of the AWS CLI lists the fast decoder reads.
var (
	groupPlan     = planOf(reflect.TypeFor[types.SecurityGroup]())
	interfacePlan = planOf(reflect.TypeFor[types.NetworkInterface]())
	rulePlan      = planOf(reflect.TypeFor[types.SecurityGroupRule]())
)

// planOf returns the plan of struct type t.
func planOf(t reflect.Type) *structPlan {
	plansMu.Lock()
	defer plansMu.Unlock()
	return makePlan(t, map[reflect.Type]bool{})
}

var (
	jsonUnmarshalerV1 = reflect.TypeFor[stdjson.Unmarshaler]()
	jsonUnmarshalerV2 = reflect.TypeFor[json.Unmarshaler]()
	jsonUnmarshalerFr = reflect.TypeFor[json.UnmarshalerFrom]()
	textUnmarshaler   = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// hasMethods reports whether json v2 decodes t with one of its methods.
func hasMethods(t reflect.Type) bool {
	for _, u := range []reflect.Type{jsonUnmarshalerV1, jsonUnmarshalerV2, jsonUnmarshalerFr, textUnmarshaler} {
		if t.Implements(u) || reflect.PointerTo(t).Implements(u) {
			return true
		}
	}
	return false
}

// makePlan makes the plan of struct type t (plansMu held); nil when t
// cannot have one. Recursive types are decoded by json v2.
func makePlan(t reflect.Type, making map[reflect.Type]bool) *structPlan {
	if p, ok := plans[t]; ok {
		return p
	}
	if t.Kind() != reflect.Struct || hasMethods(t) || making[t] {
		return nil
	}
	making[t] = true
	defer delete(making, t)
	p := &structPlan{typ: t, fields: map[string]*fieldPlan{}, ops: typedOps[t]}
	for i := range t.NumField() {
		f := t.Field(i)
		if _, tagged := f.Tag.Lookup("json"); tagged {
			return cachePlan(t, nil)
		}
		if f.Anonymous {
			// The SDK's noSmithyDocumentSerde: an unexported empty struct.
			if f.IsExported() || f.Type.Kind() != reflect.Struct || f.Type.NumField() != 0 {
				return cachePlan(t, nil)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		fp := &fieldPlan{name: f.Name, kind: fieldGeneric, off: f.Offset, typ: f.Type}
		if n := len(p.fields); n < 64 {
			fp.bit = 1 << n
		}
		ft := f.Type
		switch {
		case hasMethods(ft):
		case ft.Kind() == reflect.String:
			fp.kind = fieldString
		case ft.Kind() == reflect.Pointer && !hasMethods(ft.Elem()):
			switch e := ft.Elem(); {
			case e == reflect.TypeFor[string]():
				fp.kind = fieldStringPtr
			case e == reflect.TypeFor[int32]():
				fp.kind = fieldInt32Ptr
			case e == reflect.TypeFor[bool]():
				fp.kind = fieldBoolPtr
			case e.Kind() == reflect.Struct:
				if sub := makePlan(e, making); sub != nil && sub.ops != nil {
					fp.kind, fp.sub = fieldStructPtr, sub
				}
			}
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			if sub := makePlan(ft.Elem(), making); sub != nil && sub.ops != nil {
				fp.kind, fp.sub = fieldStructSlice, sub
			}
		}
		p.fields[f.Name] = fp
		if len(f.Name) < len(p.byLen) {
			p.byLen[len(f.Name)] = append(p.byLen[len(f.Name)], fp)
		}
	}
	return cachePlan(t, p)
}

func cachePlan(t reflect.Type, p *structPlan) *structPlan {
	plans[t] = p
	return p
}

// cells hands out the memory of the SDK structs' *string, *int32 and
// *bool fields, 64 at a time: one allocation each was most of the
// decoder's. A block lives as long as one of its fields is referenced:
// the SDK structs live until their chunk is normalised.
type cells struct {
	strs  []string
	int32 []int32
	bools []bool
	// strings recently made, as json v2 keeps them: an export repeats
	// its account, protocols, CIDRs and VPCs on every item.
	cache [256]string
	// scratch holds the items of a list being decoded, per element type:
	// the list is then allocated at its size, once.
	scratch [scratchLists]any // a []T of each typedOps
}

// intern returns b as a string, the one made before when it is in the
// cache (json v2's makeString).
func (c *cells) intern(b []byte) string {
	if len(b) < 2 || len(b) > 256 {
		return string(b)
	}
	var h uint64
	if len(b) >= 8 {
		h = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[len(b)-8:])*0x9e3779b97f4a7c15
	} else {
		for _, c := range b {
			h = h*31 + uint64(c)
		}
	}
	h ^= uint64(len(b))
	h *= 0x9e3779b97f4a7c15
	slot := &c.cache[h>>56]
	if *slot == string(b) {
		return *slot
	}
	*slot = string(b)
	return *slot
}

const cellBlock = 64

func (c *cells) str(s string) *string {
	if len(c.strs) == cap(c.strs) {
		c.strs = make([]string, 0, cellBlock)
	}
	c.strs = append(c.strs, s)
	return &c.strs[len(c.strs)-1]
}

func (c *cells) i32(n int32) *int32 {
	if len(c.int32) == cap(c.int32) {
		c.int32 = make([]int32, 0, cellBlock)
	}
	c.int32 = append(c.int32, n)
	return &c.int32[len(c.int32)-1]
}

func (c *cells) bool(b bool) *bool {
	if len(c.bools) == cap(c.bools) {
		c.bools = make([]bool, 0, cellBlock)
	}
	c.bools = append(c.bools, b)
	return &c.bools[len(c.bools)-1]
}

// decode decodes raw, one JSON object that jsontext read whole, into the
// struct at v by plan p, with c's cells. It returns false, leaving v half
// written, for anything the plan does not take.
func (c *cells) decode(raw []byte, p *structPlan, v unsafe.Pointer) bool {
	if p == nil {
		return false
	}
	d := fastDecoder{b: raw, c: c}
	return d.object(p, v) && d.end()
}

// fastDecoder reads an item's bytes, which nothing has checked, and
// takes only what jsontext would accept whole (import_pipeline.go reads
// the items without it): white space is what JSON allows, strings are
// UTF-8 without control characters or bad escapes, numbers have no leading
// zero, no name is given twice, and values it hands to json v2 are not
// nested deeper than maxSkipDepth. Anything else is declined.
type fastDecoder struct {
	b []byte
	i int
	c *cells
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\t' || d.b[d.i] == '\r') {
		d.i++
		// The CLI indents deeply: skip spaces eight at a time.
		for d.i+8 <= len(d.b) && binary.LittleEndian.Uint64(d.b[d.i:]) == 0x2020202020202020 {
			d.i += 8
		}
	}
}

func (d *fastDecoder) peek() byte {
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// next consumes a ',' before the next member or element, or the closing
// byte; it reports whether a member or element follows.
func (d *fastDecoder) next(closing byte, first bool) (more, ok bool) {
	switch d.peek() {
	case closing:
		d.i++
		return false, true
	case ',':
		if first {
			return false, false
		}
		d.i++
		return true, true
	}
	return first, first
}

// rawString returns the bytes of the string at d.i, quotes included, and
// whether it has escapes.
func (d *fastDecoder) rawString() (quoted []byte, escaped, ok bool) {
	if d.peek() != '"' {
		return nil, false, false
	}
	start := d.i
	if n := bytes.IndexByte(d.b[start+1:], '"'); n >= 0 && bytes.IndexByte(d.b[start+1:start+1+n], '\\') < 0 {
		d.i = start + n + 2
		return d.b[start:d.i], false, true
	}
	for j := d.i + 1; j < len(d.b); j++ {
		switch d.b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			d.i = j + 1
			return d.b[start:d.i], escaped, true
		}
	}
	return nil, false, false
}

// plainString reports whether b, a string's content without escapes, is
// printable ASCII, or valid UTF-8 without control characters.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < ' ' {
			return false
		}
		if c >= utf8.RuneSelf {
			return utf8.Valid(b) && bytes.IndexFunc(b, func(r rune) bool { return r < ' ' }) < 0
		}
	}
	return true
}

func (d *fastDecoder) str() (string, bool) {
	q, escaped, ok := d.rawString()
	if !ok {
		return "", false
	}
	if !escaped && plainString(q[1:len(q)-1]) {
		return d.c.intern(q[1 : len(q)-1]), true
	}
	// AppendUnquote refuses what jsontext does: bad escapes, control
	// characters, invalid UTF-8.
	b, err := jsontext.AppendUnquote(nil, q)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// int32 reads an integer literal in int32's range.
func (d *fastDecoder) int32() (int32, bool) {
	d.ws()
	j, neg := d.i, false
	if j < len(d.b) && d.b[j] == '-' {
		neg = true
		j++
	}
	digits := j
	var n int64
	for ; j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9'; j++ {
		n = n*10 + int64(d.b[j]-'0')
		if n > 1<<31 {
			return 0, false
		}
	}
	if j == digits || (j < len(d.b) && (d.b[j] == '.' || d.b[j] == 'e' || d.b[j] == 'E')) ||
		(d.b[digits] == '0' && j > digits+1) {
		return 0, false
	}
	if neg {
		n = -n
	}
	if n > 1<<31-1 {
		return 0, false
	}
	d.i = j
	return int32(n), true
}

func (d *fastDecoder) literal(word string) bool {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return false
	}
	d.i += len(word)
	return true
}

// maxSkipDepth bounds the nesting of a value handed to json v2 whole:
// decoded on its own, it would not be refused where jsontext, counting
// from the top of the file, refuses it (10,000 levels).
const maxSkipDepth = 1000

// skip steps over one value and returns its bytes.
func (d *fastDecoder) skip() ([]byte, bool) {
	start := d.i
	switch d.peek() {
	case 0:
		return nil, false
	case '"':
		q, _, ok := d.rawString()
		return q, ok
	case '{', '[':
		start = d.i
		depth := 0
		for d.i < len(d.b) {
			switch d.b[d.i] {
			case '"':
				if _, _, ok := d.rawString(); !ok {
					return nil, false
				}
				continue
			case '{', '[':
				if depth++; depth > maxSkipDepth {
					return nil, false
				}
			case '}', ']':
				depth--
			}
			d.i++
			if depth == 0 {
				return d.b[start:d.i], true
			}
		}
		return nil, false
	}
	start = d.i
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return d.b[start:d.i], d.i > start
		}
		d.i++
	}
	return d.b[start:d.i], d.i > start
}

// object decodes a JSON object into the struct at v.
func (d *fastDecoder) object(p *structPlan, v unsafe.Pointer) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	var seen uint64
	for first := true; ; first = false {
		more, ok := d.next('}', first)
		if !ok {
			return false
		}
		if !more {
			return true
		}
		name, escaped, ok := d.rawString()
		if !ok || escaped {
			return false
		}
		f := p.lookup(name[1 : len(name)-1])
		if f == nil || f.bit == 0 || seen&f.bit != 0 || d.peek() != ':' {
			return false
		}
		seen |= f.bit
		d.i++
		if !d.field(f, unsafe.Add(v, f.off)) {
			return false
		}
	}
}

// field decodes one member's value into the field at fp.
func (d *fastDecoder) field(f *fieldPlan, fp unsafe.Pointer) bool {
	if f.kind != fieldGeneric && d.peek() == 'n' {
		// null leaves a new struct's field as it is: zero.
		return d.literal("null")
	}
	switch f.kind {
	case fieldString:
		s, ok := d.str()
		*(*string)(fp) = s
		return ok
	case fieldStringPtr:
		s, ok := d.str()
		*(**string)(fp) = d.c.str(s)
		return ok
	case fieldInt32Ptr:
		n, ok := d.int32()
		*(**int32)(fp) = d.c.i32(n)
		return ok
	case fieldBoolPtr:
		var b bool
		switch d.peek() {
		case 't':
			b = d.literal("true")
		case 'f':
			if !d.literal("false") {
				return false
			}
		default:
			return false
		}
		*(**bool)(fp) = d.c.bool(b)
		return true
	case fieldStructPtr:
		nv := f.sub.ops.new()
		if !d.object(f.sub, nv) {
			return false
		}
		*(*unsafe.Pointer)(fp) = nv
		return true
	case fieldStructSlice:
		return d.slice(f, fp)
	}
	raw, ok := d.skip()
	if !ok {
		return false
	}
	return json.Unmarshal(raw, reflect.NewAt(f.typ, fp).Interface(), decodeOptions) == nil
}

// slice decodes a JSON array of objects into the slice at fp. An empty
// array is an empty slice, not nil, as json v2 makes it. The items are
// decoded into the scratch list of their type, then copied to a slice of
// their number: one allocation.
func (d *fastDecoder) slice(f *fieldPlan, fp unsafe.Pointer) bool {
	if d.peek() != '[' {
		return false
	}
	d.i++
	o := f.sub.ops
	n := 0
	for first := true; ; first = false {
		more, ok := d.next(']', first)
		if !ok {
			o.clear(d.c, n)
			return false
		}
		if !more {
			break
		}
		n++
		if !d.object(f.sub, o.item(d.c, n-1)) {
			o.clear(d.c, n)
			return false
		}
	}
	o.finish(d.c, n, fp)
	return true
}
