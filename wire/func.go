package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// A Func binds requests to the parameters of one service and encodes its
// results. It is built once per service per package version and is safe
// for concurrent use.
type Func struct {
	codec   *Codec
	desc    *funcs.Descriptor
	params  []reflect.Type // the parameters' reflect types, without context
	results []reflect.Type // the results' reflect types, without error
	byName  map[string]int
	// usage lists the parameters for error messages: "x int, y string".
	usage string
}

// NewFunc registers the types of the service d, whose function has the
// reflect type fn, with c and returns the binding plan. fn's signature
// must match d.
func (c *Codec) NewFunc(d *funcs.Descriptor, fn reflect.Type) (*Func, error) {
	if fn.Kind() != reflect.Func {
		return nil, fmt.Errorf("%s is a %s, not a function", d.Name, fn)
	}
	in, out := fn.NumIn(), fn.NumOut()
	ctx, errRes := 0, 0
	if d.Context {
		ctx = 1
	}
	if d.Error {
		errRes = 1
	}
	if in != len(d.Params)+ctx || out != len(d.Results)+errRes {
		return nil, fmt.Errorf("%s has signature %s, which does not match its source", d.Name, fn)
	}
	f := &Func{codec: c, desc: d, byName: map[string]int{}}
	var usage []string
	for i, p := range d.Params {
		rt := fn.In(i + ctx)
		if err := c.Register(p.Type, rt); err != nil {
			return nil, fmt.Errorf("%s: parameter %s: %w", d.Name, p.Name, err)
		}
		f.params = append(f.params, rt)
		f.byName[p.Name] = i
		usage = append(usage, p.Name+" "+p.Type.String())
	}
	for i, r := range d.Results {
		rt := fn.Out(i)
		if err := c.Register(r, rt); err != nil {
			return nil, fmt.Errorf("%s: result %d: %w", d.Name, i+1, err)
		}
		f.results = append(f.results, rt)
	}
	f.usage = strings.Join(usage, ", ")
	if f.usage == "" {
		f.usage = "none"
	}
	return f, nil
}

// NumArgs returns the number of the service's parameters, without a
// context.
func (f *Func) NumArgs() int { return len(f.params) }

// Descriptor returns the service this plan binds.
func (f *Func) Descriptor() *funcs.Descriptor { return f.desc }

// bindError builds the error for a parameter.
func (f *Func) bindError(param, format string, args ...any) *BindError {
	return &BindError{Param: param, Msg: fmt.Sprintf(format, args...)}
}

// newArgs returns zero values for every parameter.
func (f *Func) newArgs() []reflect.Value {
	args := make([]reflect.Value, len(f.params))
	for i, rt := range f.params {
		args[i] = reflect.New(rt).Elem()
	}
	return args
}

// checkMissing reports the first parameter that was not given. Pointer
// parameters are optional: they stay nil.
func (f *Func) checkMissing(given []bool) error {
	for i, p := range f.desc.Params {
		if !given[i] && p.Type.Kind != funcs.Pointer {
			return f.bindError(p.Name, "missing (want %s; parameters of %s: %s)", describe(p.Type), f.desc.Name, f.usage)
		}
	}
	return nil
}

func (f *Func) unknown(name string) error {
	msg := fmt.Sprintf("unknown parameter (parameters of %s: %s)", f.desc.Name, f.usage)
	return &BindError{Param: name, Msg: msg}
}

// BindJSON binds a request body holding a JSON object keyed by parameter
// names, such as {"x": 5}. An empty body binds no parameter. A parameter
// given twice is an error.
func (f *Func) BindJSON(body []byte) ([]reflect.Value, error) {
	args := f.newArgs()
	given := make([]bool, len(args))
	if len(bytes.TrimSpace(body)) > 0 {
		v, err := decodeJSON(body)
		if err != nil {
			return nil, &BindError{Msg: "malformed JSON body: " + jsonErr(err)}
		}
		obj, ok := v.(object)
		if !ok {
			return nil, &BindError{Msg: fmt.Sprintf("the body must be a JSON object of the parameters (%s), got %s", f.usage, jsonKind(v))}
		}
		for _, e := range obj {
			i, ok := f.byName[e.key]
			if !ok {
				return nil, f.unknown(e.key)
			}
			if given[i] {
				return nil, f.bindError(e.key, "given more than once")
			}
			if err := f.codec.set(args[i], f.desc.Params[i].Type, e.value, ""); err != nil {
				return nil, &BindError{Param: e.key, Msg: err.Error()}
			}
			given[i] = true
		}
	}
	if err := f.checkMissing(given); err != nil {
		return nil, err
	}
	return args, nil
}

func jsonErr(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of JSON input"
	}
	return err.Error()
}

// BindQuery binds query parameters. visit calls its argument once per
// key/value pair, in order (fasthttp's Args.VisitAll fits). Scalars are
// written as is (x=5, s=hello, t=2024-01-02T03:04:05Z, d=1.5s);
// composite types as JSON text (p={"x":1}); a slice of scalars may also
// repeat its key (xs=1&xs=2).
func (f *Func) BindQuery(visit func(func(key, value []byte))) ([]reflect.Value, error) {
	args := f.newArgs()
	given := make([]bool, len(args))
	var err error
	visit(func(key, value []byte) {
		if err == nil {
			err = f.bindText(args, given, key, value)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := f.checkMissing(given); err != nil {
		return nil, err
	}
	return args, nil
}

// BindURLQuery binds a URL-encoded query string (x=5&s=a+b), as
// BindQuery does its pairs: '+' is a space, %XX a byte; a key or a value
// that does not unescape is bound as it is (binding then reports it).
// Unlike BindQuery, it makes no function value: it is the path of every
// GET of a service.
func (f *Func) BindURLQuery(q []byte) ([]reflect.Value, error) {
	args := f.newArgs()
	var small [8]bool // which parameters were given, for most services
	var given []bool
	if len(args) <= len(small) {
		given = small[:len(args)]
	} else {
		given = make([]bool, len(args))
	}
	for len(q) > 0 {
		var pair []byte
		pair, q, _ = bytes.Cut(q, []byte("&"))
		if len(pair) == 0 {
			continue
		}
		k, v, _ := bytes.Cut(pair, []byte("="))
		if err := f.bindText(args, given, queryUnescape(k), queryUnescape(v)); err != nil {
			return nil, err
		}
	}
	if err := f.checkMissing(given); err != nil {
		return nil, err
	}
	return args, nil
}

// queryUnescape decodes a query component: '+' is a space, %XX a byte. A
// component that does not decode is returned as it is.
func queryUnescape(b []byte) []byte {
	if bytes.IndexByte(b, '%') < 0 && bytes.IndexByte(b, '+') < 0 {
		return b
	}
	s, err := url.QueryUnescape(string(b))
	if err != nil {
		return b
	}
	return []byte(s)
}

// bindText binds the parameter key, given as text, to value, among args;
// given records which parameters were given.
func (f *Func) bindText(args []reflect.Value, given []bool, key, value []byte) error {
	i, ok := f.byName[string(key)]
	if !ok {
		return f.unknown(string(key))
	}
	name := f.desc.Params[i].Name
	t := f.desc.Params[i].Type
	if given[i] {
		if t.Kind == funcs.Slice && isScalar(t.Elem) {
			return f.appendScalar(args[i], t, name, string(value))
		}
		return f.bindError(name, "given more than once")
	}
	given[i] = true
	return f.setText(args[i], t, name, string(value))
}

// BindText binds parameters given as name=value pairs, as the command line
// of microfn run does; values are read as in a query string.
func (f *Func) BindText(pairs []string) ([]reflect.Value, error) {
	return f.BindQuery(func(visit func(key, value []byte)) {
		for _, p := range pairs {
			k, v, _ := strings.Cut(p, "=")
			visit([]byte(k), []byte(v))
		}
	})
}

// Values converts the arguments a proxy received from interpreted code into
// call arguments; a nil any becomes the parameter's zero value.
func (f *Func) Values(args []any) ([]reflect.Value, error) {
	if len(args) != len(f.params) {
		return nil, fmt.Errorf("%s takes %d arguments, got %d", f.desc.Name, len(f.params), len(args))
	}
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		if a == nil {
			out[i] = reflect.New(f.params[i]).Elem()
			continue
		}
		v := reflect.ValueOf(a)
		if !v.Type().AssignableTo(f.params[i]) {
			if !v.Type().ConvertibleTo(f.params[i]) {
				return nil, fmt.Errorf("%s: argument %d is a %s, want %s", f.desc.Name, i+1, v.Type(), f.params[i])
			}
			v = v.Convert(f.params[i])
		}
		out[i] = v
	}
	return out, nil
}

// AppendArgs appends the JSON object of the arguments a proxy received, as
// BindJSON reads it.
func (f *Func) AppendArgs(b []byte, args []reflect.Value) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, p := range f.desc.Params {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = appendString(b, p.Name); err != nil {
			return b, err
		}
		b = append(b, ':')
		if b, err = f.codec.appendValue(b, p.Type, args[i], 0); err != nil {
			return b, fmt.Errorf("argument %s: %w", p.Name, err)
		}
	}
	return append(b, '}'), nil
}

// AppendResults appends the JSON of a call's results (without the error
// result): one result as itself, none as null, several as an array.
func (f *Func) AppendResults(b []byte, results []reflect.Value) ([]byte, error) {
	rs := f.desc.Results
	switch len(rs) {
	case 0:
		return append(b, "null"...), nil
	case 1:
		return f.codec.appendValue(b, rs[0], results[0], 0)
	}
	b = append(b, '[')
	var err error
	for i, t := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = f.codec.appendValue(b, t, results[i], 0); err != nil {
			return b, fmt.Errorf("result %d: %w", i+1, err)
		}
	}
	return append(b, ']'), nil
}

// DecodeResults decodes a response body written by AppendResults into the
// pointers out, one per result. A destination of another type than the
// result is an error.
func (f *Func) DecodeResults(body []byte, out []any) error {
	rs := f.desc.Results
	if len(out) != len(rs) {
		return fmt.Errorf("%s returns %d results, got %d destinations", f.desc.Name, len(rs), len(out))
	}
	if len(rs) == 0 {
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return fmt.Errorf("decode result of %s: %w", f.desc.Name, err)
	}
	values := []any{v}
	if len(rs) > 1 {
		list, ok := v.([]any)
		if !ok || len(list) != len(rs) {
			return fmt.Errorf("decode results of %s: want an array of %d values", f.desc.Name, len(rs))
		}
		values = list
	}
	for i, t := range rs {
		dst := reflect.ValueOf(out[i])
		if dst.Kind() != reflect.Pointer || dst.IsNil() {
			return fmt.Errorf("%s: result destination %d is not a pointer", f.desc.Name, i+1)
		}
		if err := f.setResult(dst.Elem(), t, values[i]); err != nil {
			return fmt.Errorf("decode result %d of %s: %w", i+1, f.desc.Name, err)
		}
	}
	return nil
}

// setResult stores the decoded value v of the result type t in dst,
// reporting a dst whose type does not fit t (reflect panics then).
func (f *Func) setResult(dst reflect.Value, t *funcs.Type, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the destination is a %s, which does not fit %s: %v", dst.Type(), t, r)
		}
	}()
	return f.codec.set(dst, t, v, "")
}

// SetResults stores the results of an in-process call into the pointers
// out, one per result.
func (f *Func) SetResults(results []reflect.Value, out []any) error {
	if len(out) != len(results) {
		return fmt.Errorf("%s returns %d results, got %d destinations", f.desc.Name, len(results), len(out))
	}
	for i, r := range results {
		dst := reflect.ValueOf(out[i])
		if dst.Kind() != reflect.Pointer || dst.IsNil() {
			return fmt.Errorf("%s: result destination %d is not a pointer", f.desc.Name, i+1)
		}
		if !r.Type().AssignableTo(dst.Elem().Type()) {
			return fmt.Errorf("%s: result %d is a %s, which cannot be stored in a %s", f.desc.Name, i+1, r.Type(), dst.Elem().Type())
		}
		dst.Elem().Set(r)
	}
	return nil
}

// Usage lists the parameters as "name type" pairs, for messages.
func (f *Func) Usage() string { return f.usage }
