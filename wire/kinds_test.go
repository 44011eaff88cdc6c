package wire

import (
	"context"
	"iter"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
)

// widest returns a type of kind k with everything that allows: a Std type
// and a Marshaler that may key maps.
func widest(k funcs.Kind) *funcs.Type {
	t := &funcs.Type{Kind: k}
	switch k {
	case funcs.Std:
		t.Std = &funcs.StdType{Path: "net/netip", Name: "Addr", Key: true}
	case funcs.Marshaler:
		t.Methods = &funcs.Methods{MarshalText: true, UnmarshalText: true, ValueText: true}
	}
	return t
}

// TestKindCodecs checks that every kind has a codec, and that its
// operations agree with each other and with funcs: a kind funcs accepts
// as a map key has the key operations.
func TestKindCodecs(t *testing.T) {
	t.Parallel()
	n := 0
	for k := range funcs.Kinds() {
		n++
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			if int(k) >= len(kindCodecs) || kindCodecs[k] == nil {
				t.Fatalf("kind %s (%d) has no entry in kindCodecs (wire/kinds.go)", k, int(k))
			}
			kc := kindCodecs[k]
			if (kc.encode == nil) != (kc.decode == nil) {
				t.Errorf("kind %s: encode set %v, decode set %v: a kind travels both ways or not at all", k, kc.encode != nil, kc.decode != nil)
			}
			if (kc.keyFits == nil) != (kc.decodeKey == nil) {
				t.Errorf("kind %s: keyFits set %v, decodeKey set %v", k, kc.keyFits != nil, kc.decodeKey != nil)
			}
			if want := funcs.IsMapKey(widest(k)); (kc.decodeKey != nil) != want {
				t.Errorf("kind %s: has map key operations %v, funcs.IsMapKey says %v", k, kc.decodeKey != nil, want)
			}
			if kc.encodeKey != nil && kc.decodeKey == nil {
				t.Errorf("kind %s: encodes map keys it cannot decode", k)
			}
			if kc.scalar && kc.decode != nil && kc.decodeText == nil {
				t.Errorf("kind %s: a query string gives it as its text, but it has no decodeText", k)
			}
			if kc.null == nullDecoded && kc.decode == nil {
				t.Errorf("kind %s: null is decoded, but it has no decode", k)
			}
		})
	}
	if len(kindCodecs) > n+1 {
		t.Errorf("kindCodecs has %d entries for %d kinds", len(kindCodecs), n)
	}
}

// textID is a type that encodes itself with its text methods, as a
// Marshaler of compiled code does.
type textID string

func (id textID) MarshalText() ([]byte, error) { return []byte("id-" + id), nil }

func (id *textID) UnmarshalText(b []byte) error {
	*id = textID(strings.TrimPrefix(string(b), "id-"))
	return nil
}

// TestEveryKind encodes, decodes and reads from a query string a value of
// every kind through its codec; a kind none of whose values travels is
// refused both ways.
func TestEveryKind(t *testing.T) {
	t.Parallel()
	intType := &funcs.Type{Kind: funcs.Int}
	var stdAddr *funcs.StdType
	for _, s := range funcs.StdTypes() {
		if s.QualifiedName() == "net/netip.Addr" {
			stdAddr = s
		}
	}
	var anyValue any = map[string]any{"a": 1.0}
	var noError error
	var noContext context.Context
	var noSeq iter.Seq[int]
	cases := map[funcs.Kind]struct {
		typ *funcs.Type
		val any // a pointer to the value
		// json is the value's JSON, text its form in a query string (the
		// JSON when empty); both empty for a kind that does not travel.
		json, text string
	}{
		funcs.Bool:    {nil, new(true), "true", ""},
		funcs.Int:     {nil, new(-5), "-5", ""},
		funcs.Int8:    {nil, new(int8(-8)), "-8", ""},
		funcs.Int16:   {nil, new(int16(-16)), "-16", ""},
		funcs.Int32:   {nil, new(int32(-32)), "-32", ""},
		funcs.Int64:   {nil, new(int64(-64)), "-64", ""},
		funcs.Uint:    {nil, new(uint(5)), "5", ""},
		funcs.Uint8:   {nil, new(uint8(255)), "255", ""},
		funcs.Uint16:  {nil, new(uint16(16)), "16", ""},
		funcs.Uint32:  {nil, new(uint32(32)), "32", ""},
		funcs.Uint64:  {nil, new(uint64(1<<64 - 1)), "18446744073709551615", ""},
		funcs.Uintptr: {nil, new(uintptr(7)), "7", ""},
		funcs.Float32: {nil, new(float32(1.5)), "1.5", ""},
		funcs.Float64: {nil, new(2.25), "2.25", ""},
		funcs.String:  {nil, new("a<b"), `"a\u003cb"`, "a<b"},
		funcs.Bytes:   {nil, new([]byte("hi")), `"aGk="`, ""},
		funcs.Slice:   {&funcs.Type{Kind: funcs.Slice, Elem: intType}, new([]int{1, 2}), "[1,2]", "1"},
		funcs.Array:   {&funcs.Type{Kind: funcs.Array, Len: 2, Elem: intType}, new([2]int{1, 2}), "[1,2]", ""},
		funcs.Map: {&funcs.Type{Kind: funcs.Map, Key: &funcs.Type{Kind: funcs.String}, Elem: intType},
			new(map[string]int{"a": 1}), `{"a":1}`, ""},
		funcs.Pointer: {&funcs.Type{Kind: funcs.Pointer, Elem: intType}, new(new(3)), "3", "3"},
		funcs.Struct: {&funcs.Type{Kind: funcs.Struct, Fields: []*funcs.Field{{Name: "X", Exported: true, Type: intType, JSONName: "X"}}},
			&struct{ X int }{1}, `{"X":1}`, ""},
		funcs.Time:     {nil, new(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)), `"2024-01-02T03:04:05Z"`, "2024-01-02T03:04:05Z"},
		funcs.Duration: {nil, new(1500 * time.Millisecond), "1500000000", "1.5s"},
		funcs.Any:      {nil, &anyValue, `{"a":1}`, ""},
		funcs.Error:    {nil, &noError, "", ""},
		funcs.Context:  {nil, &noContext, "", ""},
		funcs.Std:      {&funcs.Type{Kind: funcs.Std, Std: stdAddr}, new(netip.MustParseAddr("10.0.0.1")), `"10.0.0.1"`, "10.0.0.1"},
		funcs.Marshaler: {&funcs.Type{Kind: funcs.Marshaler, Name: "textID", Methods: &funcs.Methods{MarshalText: true, UnmarshalText: true, ValueText: true}},
			new(textID("7")), `"id-7"`, "id-7"},
		funcs.FileKind: {nil, &microfn.File{Name: "a.txt", ContentType: "text/plain", Data: []byte("hi")},
			`{"name":"a.txt","contentType":"text/plain","data":"aGk="}`, ""},
		funcs.Seq: {&funcs.Type{Kind: funcs.Seq, Elem: intType}, &noSeq, "", ""},
	}
	for k := range funcs.Kinds() {
		c, ok := cases[k]
		if !ok {
			t.Errorf("kind %s (%d): no case in TestEveryKind", k, int(k))
			continue
		}
		if c.typ == nil {
			c.typ = &funcs.Type{Kind: k}
		}
		t.Run(k.String(), func(t *testing.T) {
			t.Parallel()
			codec := NewCodec()
			v := reflect.ValueOf(c.val).Elem()
			if err := codec.Register(c.typ, v.Type()); err != nil {
				t.Fatalf("Register: %v", err)
			}
			f := &Func{codec: codec}
			got, encErr := codec.AppendValue(nil, c.typ, v)
			dst := reflect.New(v.Type()).Elem()
			decErr := codec.set(dst, c.typ, mustDecode(t, "1"), "")
			if c.json == "" {
				if encErr == nil || decErr == nil {
					t.Errorf("encode: %s, %v; decode: %v; want errors: %s does not travel", got, encErr, decErr, k)
				}
				return
			}
			if encErr != nil || string(got) != c.json {
				t.Errorf("encode = %s, %v; want %s", got, encErr, c.json)
			}
			dst = reflect.New(v.Type()).Elem()
			if err := codec.set(dst, c.typ, mustDecode(t, c.json), ""); err != nil || !reflect.DeepEqual(dst.Interface(), v.Interface()) {
				t.Errorf("decode %s = %#v, %v; want %#v", c.json, dst.Interface(), err, v.Interface())
			}
			text := c.text
			if text == "" {
				text = c.json
			}
			dst = reflect.New(v.Type()).Elem()
			if k == funcs.Slice {
				v = reflect.ValueOf([]int{1}) // one element of the key repeated
			}
			if err := f.setText(dst, c.typ, "p", text); err != nil || !reflect.DeepEqual(dst.Interface(), v.Interface()) {
				t.Errorf("text %s = %#v, %v; want %#v", text, dst.Interface(), err, v.Interface())
			}
		})
	}
}

func mustDecode(t *testing.T, s string) any {
	t.Helper()
	v, err := decodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
