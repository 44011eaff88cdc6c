package wire

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/microfn/microfn/funcs"
)

// isScalar is IsScalar.
func isScalar(t *funcs.Type) bool { return codecOf(t.Kind).scalar }

// appendScalar appends to the slice dst one element, read from text.
func (f *Func) appendScalar(dst reflect.Value, t *funcs.Type, name, text string) error {
	ev := reflect.New(dst.Type().Elem()).Elem()
	if err := f.setText(ev, t.Elem, name, text); err != nil {
		return err
	}
	dst.Set(reflect.Append(dst, ev))
	return nil
}

// setText binds one parameter from its text form, as in a query string
// or on the command line (key=value).
func (f *Func) setText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if dec := codecOf(t.Kind).decodeText; dec != nil {
		return dec(f, dst, t, name, text)
	}
	return f.setJSONText(dst, t, name, text)
}

// setJSONText binds a parameter from JSON text.
func (f *Func) setJSONText(dst reflect.Value, t *funcs.Type, name, text string) error {
	v, err := decodeJSON([]byte(text))
	if err != nil {
		return f.bindError(name, "want %s written as JSON, got %q", describe(t), truncate(text))
	}
	if err := f.codec.set(dst, t, v, ""); err != nil {
		return &BindError{Param: name, Msg: err.Error()}
	}
	return nil
}

// textMismatch reports text that does not read as a value of t.
func (f *Func) textMismatch(t *funcs.Type, name, text string) error {
	return f.bindError(name, "want %s, got %q", describe(t), truncate(text))
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

func (f *Func) decodeBoolText(dst reflect.Value, t *funcs.Type, name, text string) error {
	b, err := strconv.ParseBool(text)
	if err != nil {
		return f.textMismatch(t, name, text)
	}
	dst.SetBool(b)
	return nil
}

func (f *Func) decodeIntText(dst reflect.Value, t *funcs.Type, name, text string) error {
	i, err := strconv.ParseInt(text, 10, t.Kind.Bits())
	if err != nil {
		return f.bindError(name, "want %s, got %q (%s)", t, truncate(text), numErr(err, text))
	}
	dst.SetInt(i)
	return nil
}

func (f *Func) decodeUintText(dst reflect.Value, t *funcs.Type, name, text string) error {
	u, err := strconv.ParseUint(text, 10, t.Kind.Bits())
	if err != nil {
		return f.bindError(name, "want %s, got %q (%s)", t, truncate(text), numErr(err, text))
	}
	dst.SetUint(u)
	return nil
}

// decodeFloatText reads a float as strconv.ParseFloat does: NaN, Inf,
// +Inf, -Inf and Infinity are floats too, and JSON's "NaN", "Infinity"
// and "-Infinity" are the same words.
func (f *Func) decodeFloatText(dst reflect.Value, t *funcs.Type, name, text string) error {
	x, err := strconv.ParseFloat(text, t.Kind.Bits())
	if err != nil {
		return f.textMismatch(t, name, text)
	}
	dst.SetFloat(x)
	return nil
}

func (*Func) decodeStringText(dst reflect.Value, _ *funcs.Type, _, text string) error {
	dst.SetString(text)
	return nil
}

func (f *Func) decodeTimeText(dst reflect.Value, t *funcs.Type, name, text string) error {
	tm, err := parseTime(text)
	if err != nil {
		return f.textMismatch(t, name, text)
	}
	dst.Set(reflect.ValueOf(tm))
	return nil
}

// decodeDurationText reads integer nanoseconds, or a Go duration such as
// "1.5s".
func (f *Func) decodeDurationText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		dst.SetInt(i)
		return nil
	}
	d, err := time.ParseDuration(text)
	if err != nil {
		return f.textMismatch(t, name, text)
	}
	dst.SetInt(int64(d))
	return nil
}

// decodeStdText reads a standard-library type with its UnmarshalText
// method.
func (f *Func) decodeStdText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if err := setStdText(dst, text); err != nil {
		return f.bindError(name, "want %s, got %q: %v", describe(t), truncate(text), err)
	}
	return nil
}

// decodeMarshalerText reads a type of Kind funcs.Marshaler with its
// methods (see setMarshalerText).
func (f *Func) decodeMarshalerText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if err := f.codec.setMarshalerText(dst, t, text); err != nil {
		return f.bindError(name, "want %s, got %q: %v", describe(t), truncate(text), err)
	}
	return nil
}

// decodePointerText reads the pointed-to value from the text; null
// leaves the pointer nil.
func (f *Func) decodePointerText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if text == "null" {
		return nil
	}
	p := reflect.New(dst.Type().Elem())
	if err := f.setText(p.Elem(), t.Elem, name, text); err != nil {
		return err
	}
	dst.Set(p)
	return nil
}

// decodeAnyText reads JSON, and text that is not JSON as a string.
func (f *Func) decodeAnyText(dst reflect.Value, t *funcs.Type, name, text string) error {
	v, err := decodeJSON([]byte(text))
	if err != nil {
		dst.Set(reflect.ValueOf(text)) // not JSON: a plain string
		return nil
	}
	if err := f.codec.set(dst, t, v, ""); err != nil {
		return &BindError{Param: name, Msg: err.Error()}
	}
	return nil
}

// decodeSliceText reads a JSON array, or, for a slice of scalars, one
// element as its text (further ones repeat the key: see BindQuery).
func (f *Func) decodeSliceText(dst reflect.Value, t *funcs.Type, name, text string) error {
	if isScalar(t.Elem) && !strings.HasPrefix(strings.TrimSpace(text), "[") {
		dst.Set(reflect.MakeSlice(dst.Type(), 0, 1))
		return f.appendScalar(dst, t, name, text)
	}
	return f.setJSONText(dst, t, name, text)
}
