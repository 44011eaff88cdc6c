package wire

import (
	"fmt"
	"reflect"
	"strconv"

	"github.com/microfn/microfn/funcs"
)

// keyFits reports whether rt can hold the map keys of the source type
// key, as decoding sets them.
func keyFits(key *funcs.Type, rt reflect.Type) bool {
	if f := codecOf(key.Kind).keyFits; f != nil {
		return f(key, rt)
	}
	return false
}

func keyFitsString(_ *funcs.Type, rt reflect.Type) bool { return rt.Kind() == reflect.String }

func keyFitsTime(_ *funcs.Type, rt reflect.Type) bool { return rt == timeType }

func keyFitsStd(key *funcs.Type, rt reflect.Type) bool {
	st, ok := stdReflectType(key.Std)
	return ok && rt == st && key.Std.Key
}

func keyFitsMarshaler(key *funcs.Type, _ reflect.Type) bool { return funcs.IsMapKey(key) }

// keyFitsInt accepts the signed integer types at least as wide as the
// integer kind of key (time.Duration an int64).
func keyFitsInt(key *funcs.Type, rt reflect.Type) bool {
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rt.Bits() >= key.Kind.Bits()
	}
	return false
}

// keyFitsUint accepts the unsigned integer types at least as wide as the
// unsigned kind of key.
func keyFitsUint(key *funcs.Type, rt reflect.Type) bool {
	switch rt.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rt.Bits() >= key.Kind.Bits()
	}
	return false
}

// setKey sets dst, a map key of the source type key, from its JSON object
// key, as encoding/json reads keys: strings as they are, integers in
// decimal, time.Time, the Std key types and Marshalers with UnmarshalText.
func (c *Codec) setKey(dst reflect.Value, key *funcs.Type, s string) error {
	if d := codecOf(key.Kind).decodeKey; d != nil {
		return d(c, dst, key, s)
	}
	return fmt.Errorf("cannot decode a map key of type %s", key)
}

func (*Codec) decodeStringKey(dst reflect.Value, _ *funcs.Type, s string) error {
	dst.SetString(s)
	return nil
}

func (*Codec) decodeIntKey(dst reflect.Value, key *funcs.Type, s string) error {
	i, err := strconv.ParseInt(s, 10, key.Kind.Bits())
	if err != nil {
		return fmt.Errorf("want a key of type %s (a decimal integer), got %s (%s)", key, strconv.Quote(s), numErr(err, s))
	}
	dst.SetInt(i)
	return nil
}

func (*Codec) decodeUintKey(dst reflect.Value, key *funcs.Type, s string) error {
	u, err := strconv.ParseUint(s, 10, key.Kind.Bits())
	if err != nil {
		return fmt.Errorf("want a key of type %s (a decimal integer), got %s (%s)", key, strconv.Quote(s), numErr(err, s))
	}
	dst.SetUint(u)
	return nil
}

func (*Codec) decodeTimeKey(dst reflect.Value, _ *funcs.Type, s string) error {
	tm, err := parseTime(s)
	if err != nil {
		return fmt.Errorf("want a key of type time.Time (an RFC 3339 time like %q), got %s", "2006-01-02T15:04:05Z", strconv.Quote(s))
	}
	dst.Set(reflect.ValueOf(tm))
	return nil
}

func (*Codec) decodeStdKey(dst reflect.Value, key *funcs.Type, s string) error {
	if err := setStdText(dst, s); err != nil {
		return fmt.Errorf("want a key of type %s, got %s: %v", key, strconv.Quote(s), err)
	}
	return nil
}

func (c *Codec) decodeMarshalerKey(dst reflect.Value, key *funcs.Type, s string) error {
	if err := c.setMarshalerKey(dst, key, s); err != nil {
		return fmt.Errorf("want a key of type %s, got %s: %v", key.QualifiedString(), strconv.Quote(s), err)
	}
	return nil
}
