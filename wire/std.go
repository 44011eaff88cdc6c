package wire

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"

	"github.com/microfn/microfn/funcs"
)

// stdTypes are the host types of the standard-library types services may
// use (funcs.StdTypes), by qualified name. They are compiled types, so
// their JSON and text methods can be called, as encoding/json calls them.
var stdTypes = map[string]reflect.Type{
	"math/big.Int":       reflect.TypeFor[big.Int](),
	"math/big.Float":     reflect.TypeFor[big.Float](),
	"math/big.Rat":       reflect.TypeFor[big.Rat](),
	"net/netip.Addr":     reflect.TypeFor[netip.Addr](),
	"net/netip.AddrPort": reflect.TypeFor[netip.AddrPort](),
	"net/netip.Prefix":   reflect.TypeFor[netip.Prefix](),
}

// stdReflectType returns the host type of s.
func stdReflectType(s *funcs.StdType) (reflect.Type, bool) {
	if s == nil {
		return nil, false
	}
	rt, ok := stdTypes[s.QualifiedName()]
	return rt, ok
}

// encodeStd encodes v, a value of a standard-library type, with its own
// methods, as encoding/json does for an addressable value (the methods of
// big.Int, big.Float and big.Rat have pointer receivers). Held in an any,
// such a value is encoded by encoding/json itself, as it is.
func (*Codec) encodeStd(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	var p reflect.Value
	if v.CanAddr() {
		p = v.Addr()
	} else {
		p = reflect.New(v.Type())
		p.Elem().Set(v)
	}
	out, err := json.Marshal(p.Interface())
	if err != nil {
		return b, err
	}
	return append(b, out...), nil
}

// decodeStd decodes the JSON value v into dst, of the standard-library
// type t, with the type's own methods, as encoding/json does. The value
// must be of the JSON kind the type writes: a number or a string.
func (*Codec) decodeStd(dst reflect.Value, t *funcs.Type, v any, path string) error {
	var raw []byte
	switch x := v.(type) {
	case json.Number:
		if !t.Std.Number {
			return mismatch(path, t, v)
		}
		raw = []byte(x)
	case string:
		if t.Std.Number {
			return mismatch(path, t, v)
		}
		raw, _ = json.Marshal(x)
	default:
		return mismatch(path, t, v)
	}
	p := reflect.New(dst.Type())
	if err := json.Unmarshal(raw, p.Interface()); err != nil {
		return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s: %v", describe(t), jsonKind(v), err)}
	}
	dst.Set(p.Elem())
	return nil
}

// setStdText sets dst, of a standard-library type, from its text form, as
// given in a query string: its UnmarshalText method reads it.
func setStdText(dst reflect.Value, text string) error {
	p := reflect.New(dst.Type())
	u, ok := p.Interface().(encoding.TextUnmarshaler)
	if !ok {
		return fmt.Errorf("%s cannot be read from text", dst.Type())
	}
	if err := u.UnmarshalText([]byte(text)); err != nil {
		return err
	}
	dst.Set(p.Elem())
	return nil
}

// describeStd describes a standard-library type by its Go spelling and
// its JSON.
func describeStd(t *funcs.Type) string { return t.String() + " (" + t.Std.Doc + ")" }
