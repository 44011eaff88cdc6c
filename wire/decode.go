package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	case object:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// An object is a decoded JSON object with its members in document order.
// encoding/json lets the last of repeated keys win, also when keys match
// one struct field case-insensitively, which needs that order.
type object []member

type member struct {
	key   string
	value any
}

// decodeJSON decodes the JSON text data, which must hold one value and
// nothing after it, into nil, bool, json.Number, string, []any and object
// values. Malformed JSON gets the error json.Decoder reports.
func decodeJSON(data []byte) (any, error) {
	if !json.Valid(data) { // also bounds the nesting, as encoding/json does
		return nil, syntaxError(data)
	}
	p := parser{data: data}
	return p.value(), nil
}

// errTrailing reports data after the JSON value.
var errTrailing = errors.New("more data after the JSON value")

// syntaxError explains why data is not one JSON value.
func syntaxError(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return errors.New("invalid JSON")
}

// A parser decodes JSON text that json.Valid accepted, so it checks
// nothing.
type parser struct {
	data []byte
	i    int
}

func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() any {
	p.space()
	switch p.data[p.i] {
	case '{':
		p.i++
		obj := object{}
		p.space()
		if p.data[p.i] == '}' {
			p.i++
			return obj
		}
		for {
			p.space()
			key := p.string()
			p.space()
			p.i++ // :
			obj = append(obj, member{key, p.value()})
			p.space()
			p.i++ // , or }
			if p.data[p.i-1] == '}' {
				return obj
			}
		}
	case '[':
		p.i++
		list := []any{}
		p.space()
		if p.data[p.i] == ']' {
			p.i++
			return list
		}
		for {
			list = append(list, p.value())
			p.space()
			p.i++ // , or ]
			if p.data[p.i-1] == ']' {
				return list
			}
		}
	case '"':
		return p.string()
	case 't':
		p.i += len("true")
		return true
	case 'f':
		p.i += len("false")
		return false
	case 'n':
		p.i += len("null")
		return nil
	}
	start := p.i
	for p.i < len(p.data) && strings.IndexByte("+-.0123456789eE", p.data[p.i]) >= 0 {
		p.i++
	}
	return json.Number(p.data[start:p.i])
}

// string decodes the string that starts at p.i.
func (p *parser) string() string {
	start := p.i
	p.i++
	simple := true
	for p.data[p.i] != '"' {
		switch c := p.data[p.i]; {
		case c == '\\':
			simple = false
			p.i += 2
		case c >= utf8.RuneSelf:
			simple = false
			p.i++
		default:
			p.i++
		}
	}
	p.i++
	quoted := p.data[start:p.i]
	if simple || (bytes.IndexByte(quoted, '\\') < 0 && utf8.Valid(quoted)) {
		return string(quoted[1 : len(quoted)-1])
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // escapes, and invalid UTF-8 replaced
	return s
}

// set stores the JSON value v, as decodeJSON returns it, into dst, which
// has the reflect type of the source type t.
func (c *Codec) set(dst reflect.Value, t *funcs.Type, v any, path string) error {
	kc := codecOf(t.Kind)
	if v == nil && kc.null != nullDecoded {
		if kc.null == nullZero {
			dst.SetZero()
			return nil
		}
		return mismatch(path, t, v)
	}
	if kc.decode == nil {
		return &decodeError{path: path, msg: fmt.Sprintf("cannot decode into %s", t)}
	}
	return kc.decode(c, dst, t, v, path)
}

func (*Codec) decodeBool(dst reflect.Value, t *funcs.Type, v any, path string) error {
	b, ok := v.(bool)
	if !ok {
		return mismatch(path, t, v)
	}
	dst.SetBool(b)
	return nil
}

func (*Codec) decodeInt(dst reflect.Value, t *funcs.Type, v any, path string) error {
	n, ok := v.(json.Number)
	if !ok {
		return mismatch(path, t, v)
	}
	i, err := strconv.ParseInt(n.String(), 10, t.Kind.Bits())
	if err != nil {
		return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (%s)", t, n, numErr(err, n.String()))}
	}
	dst.SetInt(i)
	return nil
}

func (*Codec) decodeUint(dst reflect.Value, t *funcs.Type, v any, path string) error {
	n, ok := v.(json.Number)
	if !ok {
		return mismatch(path, t, v)
	}
	u, err := strconv.ParseUint(n.String(), 10, t.Kind.Bits())
	if err != nil {
		return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (%s)", t, n, numErr(err, n.String()))}
	}
	dst.SetUint(u)
	return nil
}

// decodeFloat reads a JSON number, or one of the strings microfn writes
// for NaN and the infinities.
func (*Codec) decodeFloat(dst reflect.Value, t *funcs.Type, v any, path string) error {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(x.String(), t.Kind.Bits())
		if err != nil {
			return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (out of range)", t, x)}
		}
		dst.SetFloat(f)
	case string:
		f, ok := specialFloat(x)
		if !ok {
			return &decodeError{path: path, msg: fmt.Sprintf("want %s, got %s (a float is a JSON number, or one of the strings %q, %q, %q)", t, jsonKind(v), jsonNaN, jsonInf, jsonNegInf)}
		}
		dst.SetFloat(f)
	default:
		return mismatch(path, t, v)
	}
	return nil
}

func (*Codec) decodeString(dst reflect.Value, t *funcs.Type, v any, path string) error {
	s, ok := v.(string)
	if !ok {
		return mismatch(path, t, v)
	}
	dst.SetString(s)
	return nil
}

func (*Codec) decodeBytes(dst reflect.Value, t *funcs.Type, v any, path string) error {
	s, ok := v.(string)
	if !ok {
		return mismatch(path, t, v)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return &decodeError{path: path, msg: "want []byte as a base64 string: " + err.Error()}
	}
	dst.SetBytes(b)
	return nil
}

func (*Codec) decodeTime(dst reflect.Value, t *funcs.Type, v any, path string) error {
	s, ok := v.(string)
	if !ok {
		return mismatch(path, t, v)
	}
	tm, err := parseTime(s)
	if err != nil {
		return &decodeError{path: path, msg: fmt.Sprintf("want time.Time as an RFC 3339 string like %q, got %q", "2006-01-02T15:04:05Z", s)}
	}
	dst.Set(reflect.ValueOf(tm))
	return nil
}

// decodeDuration reads integer nanoseconds, or a string such as "1.5s".
func (*Codec) decodeDuration(dst reflect.Value, t *funcs.Type, v any, path string) error {
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
	return nil
}

func (c *Codec) decodePointer(dst reflect.Value, t *funcs.Type, v any, path string) error {
	p := reflect.New(dst.Type().Elem())
	if err := c.set(p.Elem(), t.Elem, v, path); err != nil {
		return err
	}
	dst.Set(p)
	return nil
}

func (c *Codec) decodeSlice(dst reflect.Value, t *funcs.Type, v any, path string) error {
	list, ok := v.([]any)
	if !ok {
		return mismatch(path, t, v)
	}
	dst.Set(reflect.MakeSlice(dst.Type(), len(list), len(list)))
	return c.decodeElems(dst, t.Elem, list, path)
}

// decodeArray reads a JSON array of exactly the array's length.
func (c *Codec) decodeArray(dst reflect.Value, t *funcs.Type, v any, path string) error {
	list, ok := v.([]any)
	if !ok {
		return mismatch(path, t, v)
	}
	if len(list) != t.Len {
		return &decodeError{path: path, msg: fmt.Sprintf("want %s, got an array of %d elements", t, len(list))}
	}
	return c.decodeElems(dst, t.Elem, list, path)
}

// decodeElems stores the elements of a JSON array into the elements of
// dst, a slice or array as long, of element type elem.
func (c *Codec) decodeElems(dst reflect.Value, elem *funcs.Type, list []any, path string) error {
	for i, e := range list {
		if err := c.set(dst.Index(i), elem, e, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func (c *Codec) decodeMap(dst reflect.Value, t *funcs.Type, v any, path string) error {
	obj, ok := v.(object)
	if !ok {
		return mismatch(path, t, v)
	}
	m := reflect.MakeMapWithSize(dst.Type(), len(obj))
	kt, et := dst.Type().Key(), dst.Type().Elem()
	for _, e := range obj {
		sub := path + "[" + strconv.Quote(e.key) + "]"
		kv := reflect.New(kt).Elem()
		if err := c.setKey(kv, t.Key, e.key); err != nil {
			return &decodeError{path: sub, msg: err.Error()}
		}
		ev := reflect.New(et).Elem()
		if err := c.set(ev, t.Elem, e.value, sub); err != nil {
			return err
		}
		m.SetMapIndex(kv, ev)
	}
	dst.Set(m)
	return nil
}

// decodeStruct reads a JSON object whose keys are the struct's fields,
// matched as encoding/json matches them; an unknown key is an error.
func (c *Codec) decodeStruct(dst reflect.Value, t *funcs.Type, v any, path string) error {
	obj, ok := v.(object)
	if !ok {
		return mismatch(path, t, v)
	}
	fields := c.fields[t]
	for _, e := range obj {
		f := lookupField(fields, e.key)
		if f == nil {
			return &decodeError{path: path, msg: fmt.Sprintf("unknown field %q in %s (fields: %s)", e.key, t, fieldNames(fields))}
		}
		sub := f.name
		if path != "" {
			sub = path + "." + f.name
		}
		fv, ok := fieldByPath(dst, f.path, !f.noAlloc)
		if !ok {
			return &decodeError{path: sub, msg: "cannot set the field: it is promoted from a nil embedded pointer to an unexported struct, which encoding/json cannot allocate either"}
		}
		if err := c.set(fv, f.typ, e.value, sub); err != nil {
			return err
		}
	}
	return nil
}

// decodeAny stores what encoding/json stores in an any (see plain).
func (*Codec) decodeAny(dst reflect.Value, _ *funcs.Type, v any, path string) error {
	p, err := plain(v)
	if err != nil {
		return &decodeError{path: path, msg: err.Error()}
	}
	if p == nil {
		dst.SetZero()
	} else {
		dst.Set(reflect.ValueOf(p))
	}
	return nil
}

// numErr says why the integer text did not parse.
func numErr(err error, text string) string {
	if errors.Is(err, strconv.ErrRange) {
		return "out of range"
	}
	if _, err := strconv.ParseInt(text, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return "out of range" // a negative number for an unsigned kind
	}
	return "not an integer"
}

// parseTime parses an RFC 3339 time as time.Time's UnmarshalJSON does,
// and refuses times that time.Time's MarshalJSON could not write back (a
// zone offset of 24 hours or more), so that a bound value can be sent on.
func parseTime(s string) (time.Time, error) {
	var tm time.Time
	if err := tm.UnmarshalText([]byte(s)); err != nil {
		return time.Time{}, err
	}
	if _, err := tm.MarshalText(); err != nil {
		return time.Time{}, err
	}
	return tm, nil
}

func fieldNames(fields []wireField) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// plain turns a decoded value into what encoding/json stores in an any:
// float64 for numbers and map[string]any for objects (the last of
// repeated keys wins). Like encoding/json, it refuses numbers beyond
// float64.
func plain(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(x.String(), 64)
		if err != nil {
			return nil, fmt.Errorf("the number %s is out of range for float64", x)
		}
		return f, nil
	case []any:
		for i := range x {
			p, err := plain(x[i])
			if err != nil {
				return nil, err
			}
			x[i] = p
		}
	case object:
		m := make(map[string]any, len(x))
		for _, e := range x {
			p, err := plain(e.value)
			if err != nil {
				return nil, err
			}
			m[e.key] = p
		}
		return m, nil
	}
	return v, nil
}
