package wire

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/microfn/microfn/funcs"
)

// A BindError reports a request value that does not fit a parameter. It is
// the client's fault: its status is 400 and it is never retried.
type BindError struct {
	// Param is the parameter concerned, empty for the request as a whole.
	Param string
	// Msg says what is wrong and what was expected.
	Msg string
}

// Error implements the error interface.
func (e *BindError) Error() string {
	if e.Param == "" {
		return e.Msg
	}
	return "parameter " + strconv.Quote(e.Param) + ": " + e.Msg
}

// StatusCode returns 400 (Bad Request).
func (e *BindError) StatusCode() int { return 400 }

// Permanent reports true: bad input is never retried.
func (e *BindError) Permanent() bool { return true }

// decodeError is a problem at a path inside one value.
type decodeError struct {
	path string
	msg  string
}

func (e *decodeError) Error() string {
	if e.path == "" {
		return e.msg
	}
	return "at " + e.path + ": " + e.msg
}

func mismatch(path string, t *funcs.Type, got any) error {
	return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s", describe(t), jsonKind(got))}
}

// describe names a type for error messages: the Go type and, where it
// helps, the JSON that is expected.
func describe(t *funcs.Type) string {
	switch t.Kind {
	case funcs.Bytes:
		return "[]byte (a base64 string)"
	case funcs.Time:
		return "time.Time (an RFC 3339 string)"
	case funcs.Duration:
		return `time.Duration (integer nanoseconds or a string like "1.5s")`
	case funcs.Struct:
		return t.String() + " (a JSON object)"
	case funcs.Slice, funcs.Array:
		return t.String() + " (a JSON array)"
	case funcs.Map:
		return t.String() + " (a JSON object)"
	}
	return t.String()
}

func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "the number " + v.String()
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return "the string " + strconv.Quote(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// set stores the decoded JSON value v (from a decoder with UseNumber) into
// dst, which has the reflect type of the source type t.
func (c *Codec) set(dst reflect.Value, t *funcs.Type, v any, path string) error {
	if v == nil {
		switch t.Kind {
		case funcs.Pointer, funcs.Slice, funcs.Map, funcs.Bytes, funcs.Any:
			dst.SetZero()
			return nil
		}
		return mismatch(path, t, v)
	}
	switch t.Kind {
	case funcs.Bool:
		b, ok := v.(bool)
		if !ok {
			return mismatch(path, t, v)
		}
		dst.SetBool(b)
	case funcs.Int, funcs.Int8, funcs.Int16, funcs.Int32, funcs.Int64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(path, t, v)
		}
		i, err := strconv.ParseInt(n.String(), 10, t.Kind.Bits())
		if err != nil {
			return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (%s)", t, n, numErr(err))}
		}
		dst.SetInt(i)
	case funcs.Uint, funcs.Uint8, funcs.Uint16, funcs.Uint32, funcs.Uint64, funcs.Uintptr:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(path, t, v)
		}
		u, err := strconv.ParseUint(n.String(), 10, t.Kind.Bits())
		if err != nil {
			return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (%s)", t, n, numErr(err))}
		}
		dst.SetUint(u)
	case funcs.Float32, funcs.Float64:
		n, ok := v.(json.Number)
		if !ok {
			return mismatch(path, t, v)
		}
		f, err := strconv.ParseFloat(n.String(), t.Kind.Bits())
		if err != nil {
			return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (out of range)", t, n)}
		}
		dst.SetFloat(f)
	case funcs.String:
		s, ok := v.(string)
		if !ok {
			return mismatch(path, t, v)
		}
		dst.SetString(s)
	case funcs.Bytes:
		s, ok := v.(string)
		if !ok {
			return mismatch(path, t, v)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &decodeError{path: path, msg: "want []byte as a base64 string: " + err.Error()}
		}
		dst.SetBytes(b)
	case funcs.Time:
		s, ok := v.(string)
		if !ok {
			return mismatch(path, t, v)
		}
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return &decodeError{path: path, msg: fmt.Sprintf("want time.Time as an RFC 3339 string like %q, got %q", "2006-01-02T15:04:05Z", s)}
		}
		dst.Set(reflect.ValueOf(tm))
	case funcs.Duration:
		switch x := v.(type) {
		case json.Number:
			i, err := strconv.ParseInt(x.String(), 10, 64)
			if err != nil {
				return &decodeError{path: path, msg: fmt.Sprintf("want time.Duration in integer nanoseconds, got %s", x)}
			}
			dst.SetInt(i)
		case string:
			d, err := time.ParseDuration(x)
			if err != nil {
				return &decodeError{path: path, msg: fmt.Sprintf("want time.Duration like \"1.5s\", got %q", x)}
			}
			dst.SetInt(int64(d))
		default:
			return mismatch(path, t, v)
		}
	case funcs.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := c.set(p.Elem(), t.Elem, v, path); err != nil {
			return err
		}
		dst.Set(p)
	case funcs.Slice, funcs.Array:
		list, ok := v.([]any)
		if !ok {
			return mismatch(path, t, v)
		}
		if t.Kind == funcs.Array {
			if len(list) != t.Len {
				return &decodeError{path: path, msg: fmt.Sprintf("want %s, got an array of %d elements", t, len(list))}
			}
		} else {
			dst.Set(reflect.MakeSlice(dst.Type(), len(list), len(list)))
		}
		for i, e := range list {
			if err := c.set(dst.Index(i), t.Elem, e, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
	case funcs.Map:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, t, v)
		}
		m := reflect.MakeMapWithSize(dst.Type(), len(obj))
		kt, et := dst.Type().Key(), dst.Type().Elem()
		for k, e := range obj {
			ev := reflect.New(et).Elem()
			if err := c.set(ev, t.Elem, e, path+"["+strconv.Quote(k)+"]"); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(k).Convert(kt), ev)
		}
		dst.Set(m)
	case funcs.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			return mismatch(path, t, v)
		}
		fields := c.fields[t]
		for k, e := range obj {
			f := lookupField(fields, k)
			if f == nil {
				return &decodeError{path: path, msg: fmt.Sprintf("unknown field %q in %s (fields: %s)", k, t, fieldNames(fields))}
			}
			fv, _ := fieldByPath(dst, f.path, true)
			sub := f.name
			if path != "" {
				sub = path + "." + f.name
			}
			if err := c.set(fv, f.typ, e, sub); err != nil {
				return err
			}
		}
	case funcs.Any:
		dst.Set(reflect.ValueOf(plain(v)))
	default:
		return &decodeError{path: path, msg: fmt.Sprintf("cannot decode into %s", t)}
	}
	return nil
}

func numErr(err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return "out of range"
	}
	return "not an integer"
}

func fieldNames(fields []wireField) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// plain turns json.Number into float64 inside a decoded value, as
// encoding/json decodes numbers into any.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil && !math.IsInf(f, 0) {
			return x.String()
		}
		return f
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plain(x[k])
		}
	}
	return v
}
