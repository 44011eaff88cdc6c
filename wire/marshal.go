package wire

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"

	"github.com/microfn/microfn/funcs"
)

// Methods are functions that call the JSON and text methods of a type of
// Kind funcs.Marshaler, for values whose reflect type lacks them: the
// interpreter represents a type of service code without its methods, so
// the code that loads a package declares, in the package, functions that
// call them (see interp's generated file). Each takes a pointer to a
// value: MarshalJSON and MarshalText are func(*T) ([]byte, error),
// UnmarshalJSON and UnmarshalText func(*T, []byte) error. A zero Value
// stands for a method the type lacks.
type Methods struct {
	MarshalJSON, MarshalText, UnmarshalJSON, UnmarshalText reflect.Value
}

// SetMethods records the functions that call the methods of the type
// name of the package of import path pkg ("" for the package's own types,
// as funcs describes them). Set them before the types are registered. A
// type whose functions are not set is encoded with the methods of its
// reflect type: a compiled type has them.
func (c *Codec) SetMethods(pkg, name string, m Methods) {
	key := name
	if pkg != "" {
		key = pkg + "." + name
	}
	c.methods[key] = m
}

// A marshaler encodes and decodes the values of one type of Kind
// funcs.Marshaler, through pointers to them.
type marshaler struct {
	rt reflect.Type // the values' reflect type
	// marshalJSON, marshalText, unmarshalJSON and unmarshalText call the
	// methods; nil for those the type lacks.
	marshalJSON, marshalText     func(p reflect.Value) ([]byte, error)
	unmarshalJSON, unmarshalText func(p reflect.Value, data []byte) error
}

// newMarshaler returns how to call the methods of t, whose values have the
// reflect type rt: the functions set with SetMethods, or else rt's own
// methods.
func (c *Codec) newMarshaler(t *funcs.Type, rt reflect.Type) (*marshaler, error) {
	m := &marshaler{rt: rt}
	pt := reflect.PointerTo(rt)
	fns, set := c.methods[t.QualifiedName()]
	for _, x := range []struct {
		name  string
		has   bool
		fn    reflect.Value
		iface reflect.Type
	}{
		{"MarshalJSON", t.Methods.MarshalJSON, fns.MarshalJSON, marshalerType},
		{"MarshalText", t.Methods.MarshalText, fns.MarshalText, textMarshalerType},
		{"UnmarshalJSON", t.Methods.UnmarshalJSON, fns.UnmarshalJSON, unmarshalerType},
		{"UnmarshalText", t.Methods.UnmarshalText, fns.UnmarshalText, textUnmarshalerType},
	} {
		if !x.has {
			continue
		}
		fn := x.fn
		if !set {
			if !pt.Implements(x.iface) {
				return nil, fmt.Errorf("type %s has a %s method, which microfn cannot call on the values the interpreter represents as %s", t.QualifiedString(), x.name, rt)
			}
			meth, _ := pt.MethodByName(x.name)
			fn = meth.Func
		}
		if !fn.IsValid() || fn.Kind() != reflect.Func || fn.Type().NumIn() < 1 || !pt.ConvertibleTo(fn.Type().In(0)) {
			return nil, fmt.Errorf("type %s: the function calling its %s method does not take a %s", t.QualifiedString(), x.name, pt)
		}
		call := methodCaller(t.QualifiedString()+"."+x.name, fn)
		switch x.name {
		case "MarshalJSON", "MarshalText":
			enc := func(p reflect.Value) ([]byte, error) {
				out, err := call(p)
				if err != nil || len(out) < 1 {
					return nil, err
				}
				b, _ := out[0].Interface().([]byte)
				return b, resultError(out[1])
			}
			if x.name == "MarshalJSON" {
				m.marshalJSON = enc
			} else {
				m.marshalText = enc
			}
		default:
			dec := func(p reflect.Value, data []byte) error {
				out, err := call(p, reflect.ValueOf(data))
				if err != nil || len(out) < 1 {
					return err
				}
				return resultError(out[0])
			}
			if x.name == "UnmarshalJSON" {
				m.unmarshalJSON = dec
			} else {
				m.unmarshalText = dec
			}
		}
	}
	return m, nil
}

// methodCaller returns a function that calls fn with a pointer to a value
// and further arguments, turning a panic of the method called into an
// error.
func methodCaller(name string, fn reflect.Value) func(p reflect.Value, args ...reflect.Value) ([]reflect.Value, error) {
	in := fn.Type().In(0)
	return func(p reflect.Value, args ...reflect.Value) (out []reflect.Value, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s panicked: %v", name, r)
			}
		}()
		if p.Type() != in {
			p = p.Convert(in)
		}
		return fn.Call(append([]reflect.Value{p}, args...)), nil
	}
}

// resultError returns the error a method returned.
func resultError(v reflect.Value) error {
	if !v.IsValid() || (v.Kind() == reflect.Interface && v.IsNil()) {
		return nil
	}
	if err, ok := v.Interface().(error); ok {
		return err
	}
	return nil
}

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// pointerTo returns a pointer to v: v's address when it has one, as
// encoding/json calls methods with pointer receivers on addressable
// values, else a copy's.
func pointerTo(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v.Addr()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p
}

// encodeMarshaler encodes v, of the type t of Kind Marshaler, as
// encoding/json does: the JSON its MarshalJSON method writes (checked,
// compacted, with <, > and & escaped), else the JSON string of the text
// of its MarshalText method.
func (c *Codec) encodeMarshaler(b []byte, t *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	m, ok := c.marshalers[t]
	if !ok {
		return b, fmt.Errorf("type %s was not registered for encoding", t.QualifiedString())
	}
	p := pointerTo(v)
	if m.marshalJSON != nil {
		out, err := m.marshalJSON(p)
		if err != nil {
			return b, fmt.Errorf("%s.MarshalJSON: %w", t.QualifiedString(), err)
		}
		var compact, escaped bytes.Buffer
		if err := json.Compact(&compact, out); err != nil {
			return b, fmt.Errorf("%s.MarshalJSON wrote invalid JSON: %w", t.QualifiedString(), err)
		}
		json.HTMLEscape(&escaped, compact.Bytes())
		return append(b, escaped.Bytes()...), nil
	}
	text, err := m.marshalText(p)
	if err != nil {
		return b, fmt.Errorf("%s.MarshalText: %w", t.QualifiedString(), err)
	}
	return appendString(b, string(text))
}

// describeMarshaler describes a type of Kind Marshaler by its qualified
// name and the JSON its methods write.
func describeMarshaler(t *funcs.Type) string {
	if t.Methods.Text() {
		return t.QualifiedString() + " (a string: the text of its MarshalText method)"
	}
	return t.QualifiedString() + " (the JSON of its MarshalJSON method)"
}

// encodeMarshalerKey returns the JSON object key of the map key k, of the
// type t of Kind Marshaler, as encoding/json writes it: a string kind as
// it is, else the text of MarshalText.
func (c *Codec) encodeMarshalerKey(t *funcs.Type, k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	m, ok := c.marshalers[t]
	if !ok || m.marshalText == nil {
		return "", fmt.Errorf("cannot encode a map with %s keys", t.QualifiedString())
	}
	text, err := m.marshalText(pointerTo(k))
	if err != nil {
		return "", fmt.Errorf("map key %s: %s.MarshalText: %w", t.QualifiedString(), t.QualifiedString(), err)
	}
	return string(text), nil
}

// decodeMarshaler decodes the JSON value v into dst, of the type t of
// Kind Marshaler, as encoding/json does: UnmarshalJSON reads the value's
// JSON (null included), else UnmarshalText the text of a JSON string.
func (c *Codec) decodeMarshaler(dst reflect.Value, t *funcs.Type, v any, path string) error {
	m, ok := c.marshalers[t]
	if !ok {
		return &decodeError{path: path, msg: fmt.Sprintf("cannot decode into %s: it was not registered", t.QualifiedString())}
	}
	p := reflect.New(dst.Type())
	var err error
	if m.unmarshalJSON != nil {
		err = m.unmarshalJSON(p, appendTree(nil, v))
	} else {
		s, ok := v.(string)
		if !ok {
			return mismatch(path, t, v)
		}
		err = m.unmarshalText(p, []byte(s))
	}
	if err != nil {
		return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s: %v", describe(t), jsonKind(v), err)}
	}
	dst.Set(p.Elem())
	return nil
}

// setMarshalerText sets dst, of the type t of Kind Marshaler, from text,
// as given in a query string: UnmarshalText reads it, else UnmarshalJSON
// reads it as JSON, or as a JSON string when it is not JSON.
func (c *Codec) setMarshalerText(dst reflect.Value, t *funcs.Type, text string) error {
	m, ok := c.marshalers[t]
	if !ok {
		return fmt.Errorf("cannot decode into %s: it was not registered", t.QualifiedString())
	}
	p := reflect.New(dst.Type())
	var err error
	if m.unmarshalText != nil {
		err = m.unmarshalText(p, []byte(text))
	} else {
		data := []byte(text)
		if !json.Valid(data) {
			data, _ = json.Marshal(text)
		}
		err = m.unmarshalJSON(p, data)
	}
	if err != nil {
		return err
	}
	dst.Set(p.Elem())
	return nil
}

// setMarshalerKey sets dst, a map key of the type t of Kind Marshaler,
// from its JSON object key with UnmarshalText, as encoding/json does.
func (c *Codec) setMarshalerKey(dst reflect.Value, t *funcs.Type, s string) error {
	m, ok := c.marshalers[t]
	if !ok || m.unmarshalText == nil {
		return fmt.Errorf("%s has no UnmarshalText method to read it", t.QualifiedString())
	}
	p := reflect.New(dst.Type())
	if err := m.unmarshalText(p, []byte(s)); err != nil {
		return err
	}
	dst.Set(p.Elem())
	return nil
}

// appendTree appends the JSON text of v, a value as decodeJSON returns
// it, with object members in their order: what a JSON method reads.
func appendTree(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case json.Number:
		return append(b, x...)
	case string:
		out, _ := json.Marshal(x)
		return append(b, out...)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendTree(b, e)
		}
		return append(b, ']')
	case object:
		b = append(b, '{')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			k, _ := json.Marshal(e.key)
			b = append(append(b, k...), ':')
			b = appendTree(b, e.value)
		}
		return append(b, '}')
	}
	return append(b, "null"...)
}
