package wire

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microfn/microfn/funcs"
)

// maxDepth bounds nesting while encoding, as encoding/json does for cycles.
const maxDepth = 1000

// AppendValue appends the JSON encoding of v, a value of the source type t.
func (c *Codec) AppendValue(b []byte, t *funcs.Type, v reflect.Value) ([]byte, error) {
	return c.appendValue(b, t, v, 0)
}

func (c *Codec) appendValue(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("value nests deeper than %d levels (a cycle?)", maxDepth)
	}
	if !v.IsValid() {
		return append(b, "null"...), nil
	}
	if enc := codecOf(t.Kind).encode; enc != nil {
		return enc(c, b, t, v, depth)
	}
	return b, fmt.Errorf("cannot encode a value of type %s", t)
}

func (*Codec) encodeBool(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendBool(b, v.Bool()), nil
}

// encodeInt encodes the signed integer kinds and time.Duration.
func (*Codec) encodeInt(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendInt(b, v.Int(), 10), nil
}

func (*Codec) encodeUint(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	return strconv.AppendUint(b, v.Uint(), 10), nil
}

func (*Codec) encodeFloat(b []byte, t *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	return appendFloat(b, v.Float(), t.Kind.Bits())
}

func (*Codec) encodeString(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	return appendString(b, v.String())
}

// encodeBytes encodes a []byte as a base64 string, and nil as null.
func (*Codec) encodeBytes(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, v.Bytes())
	return append(b, '"'), nil
}

func (*Codec) encodeTime(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	tm, _ := v.Interface().(time.Time)
	out, err := tm.MarshalJSON()
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}

func (c *Codec) encodePointer(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	return c.appendValue(b, t.Elem, v.Elem(), depth+1)
}

func (c *Codec) encodeSlice(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	return c.appendList(b, t.Elem, v, depth)
}

func (c *Codec) encodeArray(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	return c.appendList(b, t.Elem, v, depth)
}

func (c *Codec) encodeMap(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	if v.IsNil() {
		return append(b, "null"...), nil
	}
	return c.appendMap(b, t.Key, v, func(b []byte, e reflect.Value) ([]byte, error) {
		return c.appendValue(b, t.Elem, e, depth+1)
	})
}

// encodeAny encodes the value an any holds (see appendDynamic).
func (c *Codec) encodeAny(b []byte, _ *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	return c.appendDynamic(b, v, depth)
}

func (c *Codec) appendList(b []byte, elem *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	b = append(b, '[')
	var err error
	for i := range v.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = c.appendValue(b, elem, v.Index(i), depth+1); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// appendMap encodes the map v, whose keys are of the source type key (nil
// inside an any), with elem encoding its values.
func (c *Codec) appendMap(b []byte, key *funcs.Type, v reflect.Value, elem func([]byte, reflect.Value) ([]byte, error)) ([]byte, error) {
	type entry struct {
		key string
		v   reflect.Value
	}
	entries := make([]entry, 0, v.Len())
	for iter := v.MapRange(); iter.Next(); {
		k, err := c.encodeKey(key, iter.Key())
		if err != nil {
			return b, err
		}
		entries = append(entries, entry{k, iter.Value()})
	}
	slices.SortFunc(entries, func(x, y entry) int { return strings.Compare(x.key, y.key) })
	b = append(b, '{')
	var err error
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendString(b, e.key); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = elem(b, e.v); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// encodeKey returns the JSON object key of the map key k, of the source
// type key (nil inside an any).
func (c *Codec) encodeKey(key *funcs.Type, k reflect.Value) (string, error) {
	if key != nil {
		if enc := codecOf(key.Kind).encodeKey; enc != nil {
			return enc(c, key, k)
		}
	}
	return mapKey(k)
}

// mapKey returns the JSON key of the map key k as encoding/json writes it:
// strings as they are, then the text of a MarshalText method (time.Time,
// netip.Addr: host types, since interpreted ones have no methods), then
// integers in decimal.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
			if k.Kind() == reflect.Pointer && k.IsNil() {
				return "", nil // as encoding/json does
			}
			text, err := tm.MarshalText()
			if err != nil {
				return "", fmt.Errorf("map key %v: %w", k.Type(), err)
			}
			return string(text), nil
		}
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", fmt.Errorf("cannot encode a map with %s keys", k.Type())
}

// encodeStruct encodes a struct as the JSON object of its flattened
// fields (see flatten), omitempty and omitzero honoured.
func (c *Codec) encodeStruct(b []byte, t *funcs.Type, v reflect.Value, depth int) ([]byte, error) {
	fields, ok := c.fields[t]
	if !ok {
		return b, fmt.Errorf("type %s was not registered for encoding", t)
	}
	b = append(b, '{')
	first := true
	var err error
	for i := range fields {
		f := &fields[i]
		fv, ok := fieldByPath(v, f.path, false)
		if !ok {
			continue
		}
		if (f.omitEmp && isEmptyValue(fv)) || (f.omitZer && isZeroValue(f.typ, fv)) {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		if b, err = c.appendValue(b, f.typ, fv, depth+1); err != nil {
			return b, fmt.Errorf("field %s: %w", f.name, err)
		}
	}
	return append(b, '}'), nil
}

// appendDynamic encodes the dynamic value inside an any.
func (c *Codec) appendDynamic(b []byte, v reflect.Value, depth int) ([]byte, error) {
	if depth > maxDepth {
		return b, fmt.Errorf("value nests deeper than %d levels (a cycle?)", maxDepth)
	}
	for v.Kind() == reflect.Interface {
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		v = v.Elem()
	}
	if w, ok := asPlainer(v); ok {
		// The interpreter's wrapper of a value of a type with methods.
		return c.appendDynamic(b, reflect.ValueOf(w.PlainValue()), depth+1)
	}
	if t, ok := c.types[v.Type()]; ok {
		return c.appendValue(b, t, v, depth)
	}
	if k := v.Kind(); (k == reflect.Float32 || k == reflect.Float64) && !encodesItself(v.Type()) {
		// NaN and the infinities as the strings microfn writes for them.
		return appendFloat(b, v.Float(), v.Type().Bits())
	}
	if c.isNative(v.Type()) {
		out, err := json.Marshal(v.Interface())
		if err == nil {
			return append(b, out...), nil
		}
		// A NaN or an infinity inside: walk the value (below), so that
		// they get their strings, unless its type encodes itself.
		var unsupported *json.UnsupportedValueError
		if !errors.As(err, &unsupported) || !walkable(v.Type()) {
			return b, err
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return c.appendDynamic(b, v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		var err error
		for i := range v.Len() {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = c.appendDynamic(b, v.Index(i), depth+1); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...), nil
		}
		return c.appendMap(b, nil, v, func(b []byte, e reflect.Value) ([]byte, error) {
			return c.appendDynamic(b, e, depth+1)
		})
	case reflect.Struct:
		return b, fmt.Errorf("cannot encode a value of an anonymous struct type held in an any: declare a named type at package level")
	}
	return b, fmt.Errorf("cannot encode a value of type %s", v.Type())
}

// plainer is what the interpreter wraps a value of an interpreted type
// with methods in, when service code stores it in an interface: the
// value is its PlainValue.
type plainer interface{ PlainValue() any }

// asPlainer returns the wrapper v is, if it is one.
func asPlainer(v reflect.Value) (plainer, bool) {
	if v.Kind() != reflect.Struct || !v.CanInterface() {
		return nil, false
	}
	w, ok := v.Interface().(plainer)
	return w, ok
}

// The JSON strings of the floating-point values JSON numbers cannot
// hold, as in the proto3 JSON mapping. encoding/json refuses these
// values; microfn writes them so, in results, nested calls and inside
// composite values alike, and reads them back for float parameters.
const (
	jsonNaN    = "NaN"
	jsonInf    = "Infinity"
	jsonNegInf = "-Infinity"
)

// specialFloat returns the float a NaN or infinity string stands for.
func specialFloat(s string) (float64, bool) {
	switch s {
	case jsonNaN:
		return math.NaN(), true
	case jsonInf:
		return math.Inf(1), true
	case jsonNegInf:
		return math.Inf(-1), true
	}
	return 0, false
}

// walkable reports whether appendDynamic may encode a value of the native
// type rt element by element: a composite type that does not encode
// itself.
func walkable(rt reflect.Type) bool {
	switch rt.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return !encodesItself(rt)
	}
	return false
}

// encodesItself reports whether encoding/json may call a method of rt, or
// of *rt, to encode a value of rt.
func encodesItself(rt reflect.Type) bool {
	for _, t := range []reflect.Type{rt, reflect.PointerTo(rt)} {
		if t.Implements(marshalerType) || t.Implements(textMarshalerType) {
			return true
		}
	}
	return false
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// appendFloat encodes f as encoding/json does, and NaN and the
// infinities as the strings "NaN", "Infinity" and "-Infinity".
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	switch {
	case math.IsNaN(f):
		return append(b, `"`+jsonNaN+`"`...), nil
	case math.IsInf(f, 1):
		return append(b, `"`+jsonInf+`"`...), nil
	case math.IsInf(f, -1):
		return append(b, `"`+jsonNegInf+`"`...), nil
	}
	abs := math.Abs(f)
	if abs == 0 || (bits == 64 && abs >= 1e-6 && abs < 1e21) || (bits == 32 && float32(abs) >= 1e-6 && float32(abs) < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, bits), nil
	}
	var out []byte
	var err error
	if bits == 32 {
		out, err = json.Marshal(float32(f))
	} else {
		out, err = json.Marshal(f)
	}
	return append(b, out...), err
}

// appendString encodes s as encoding/json does (HTML-safe, invalid UTF-8
// replaced).
func appendString(b []byte, s string) ([]byte, error) {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			simple = false
			break
		}
	}
	if simple {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"'), nil
	}
	out, err := json.Marshal(s)
	return append(b, out...), err
}

// isZeroValue reports whether omitzero omits v, a value of the source type
// t: encoding/json asks the IsZero method of time.Time and *time.Time, and
// reflect otherwise (funcs rejects other types with an IsZero method).
func isZeroValue(t *funcs.Type, v reflect.Value) bool {
	switch {
	case t.Kind == funcs.Time:
		tm, _ := v.Interface().(time.Time)
		return tm.IsZero()
	case t.Kind == funcs.Pointer && t.Name == "" && t.Elem.Kind == funcs.Time:
		if v.IsNil() {
			return true
		}
		tm, _ := v.Elem().Interface().(time.Time)
		return tm.IsZero()
	}
	return v.IsZero()
}

// isEmptyValue is encoding/json's definition of empty for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
