package svcrt

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
)

// Typed proxies.
//
// A service whose signature uses only types that exist outside the
// interpreter (predeclared types, time.Time, time.Duration,
// context.Context, and slices, arrays, maps and pointers of them) gets a
// typed proxy: a host function of exactly its signature, made with
// reflect.MakeFunc, that the rewritten package declares as
//
//	var Fib = microfnrt.Proxy(5).(func(int) int)
//
// The interpreter then calls the host directly with the arguments, instead
// of running an interpreted proxy function that builds a []any of pointers
// for the host: a nested call costs the interpreter one call frame less.
// Services with a type of the package in their signature (a struct, a
// named type) keep the interpreted proxy, since their types exist only
// inside the interpreter.

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// hostTypes holds, indexed by kind, the function that returns the host
// type of a type of the kind, if it has one. A new kind is one entry (a
// test checks that every kind has one); a kind whose types exist only
// inside the interpreter has noHostType. It is filled by init, since its
// functions call hostType, which looks kinds up in it.
var hostTypes []func(t *funcs.Type) (reflect.Type, bool)

func init() {
	hostTypes = []func(*funcs.Type) (reflect.Type, bool){
		funcs.Bool: basic[bool](), funcs.Int: basic[int](), funcs.Int8: basic[int8](), funcs.Int16: basic[int16](),
		funcs.Int32: basic[int32](), funcs.Int64: basic[int64](), funcs.Uint: basic[uint](), funcs.Uint8: basic[uint8](),
		funcs.Uint16: basic[uint16](), funcs.Uint32: basic[uint32](), funcs.Uint64: basic[uint64](), funcs.Uintptr: basic[uintptr](),
		funcs.Float32: basic[float32](), funcs.Float64: basic[float64](), funcs.String: basic[string](),
		funcs.Bytes:    hostBytes,
		funcs.Slice:    hostSlice,
		funcs.Array:    hostArray,
		funcs.Map:      hostMap,
		funcs.Pointer:  hostPointer,
		funcs.Time:     basic[time.Time](),
		funcs.Duration: basic[time.Duration](),
		funcs.FileKind: basic[microfn.File](),
		funcs.Seq:      hostSeq,
		// Structs and any: the interpreter has its own representation of
		// struct types and of the values an any holds.
		funcs.Struct: noHostType, funcs.Any: noHostType,
		// Named types, whose Name hostType refuses first.
		funcs.Std: noHostType, funcs.Marshaler: noHostType,
		// Never a parameter's or a result's type (Descriptor.Context and
		// Descriptor.Error say them).
		funcs.Error: noHostType, funcs.Context: noHostType,
	}
}

// hostType returns the host type of t, if it has one: t is not a type of
// the service's package and holds none.
func hostType(t *funcs.Type) (reflect.Type, bool) {
	if t == nil || t.Name != "" || t.Kind < 0 || int(t.Kind) >= len(hostTypes) || hostTypes[t.Kind] == nil {
		return nil, false
	}
	return hostTypes[t.Kind](t)
}

// basic returns the host type function of a kind whose host type is T.
func basic[T any]() func(*funcs.Type) (reflect.Type, bool) {
	rt := reflect.TypeFor[T]()
	return func(*funcs.Type) (reflect.Type, bool) { return rt, true }
}

// noHostType is the host type function of the kinds whose types exist
// only inside the interpreter.
func noHostType(*funcs.Type) (reflect.Type, bool) { return nil, false }

// hostBytes returns []byte; a slice of a named byte type has none.
func hostBytes(t *funcs.Type) (reflect.Type, bool) {
	if t.Elem != nil {
		return nil, false
	}
	return reflect.TypeFor[[]byte](), true
}

func hostSlice(t *funcs.Type) (reflect.Type, bool) {
	elem, ok := hostType(t.Elem)
	if !ok {
		return nil, false
	}
	return reflect.SliceOf(elem), true
}

func hostArray(t *funcs.Type) (reflect.Type, bool) {
	elem, ok := hostType(t.Elem)
	if !ok {
		return nil, false
	}
	return reflect.ArrayOf(t.Len, elem), true
}

func hostPointer(t *funcs.Type) (reflect.Type, bool) {
	elem, ok := hostType(t.Elem)
	if !ok {
		return nil, false
	}
	return reflect.PointerTo(elem), true
}

func hostMap(t *funcs.Type) (reflect.Type, bool) {
	key, ok := hostType(t.Key)
	if !ok {
		return nil, false
	}
	elem, ok := hostType(t.Elem)
	if !ok {
		return nil, false
	}
	return reflect.MapOf(key, elem), true
}

// hostSeq returns func(yield func(T) bool), or func(yield func(T, error)
// bool).
func hostSeq(t *funcs.Type) (reflect.Type, bool) {
	elem, ok := hostType(t.Elem)
	if !ok {
		return nil, false
	}
	in := []reflect.Type{elem}
	if t.SeqErr {
		in = append(in, errorType)
	}
	yield := reflect.FuncOf(in, []reflect.Type{reflect.TypeFor[bool]()}, false)
	return reflect.FuncOf([]reflect.Type{yield}, nil, false), true
}

// HasTypedProxy reports whether service d gets a typed proxy: every type
// of its signature exists outside the interpreter.
func HasTypedProxy(d *funcs.Descriptor) bool {
	_, ok := hostFuncType(d)
	return ok
}

// hostFuncType returns the host type of d's function, if every type of its
// signature has one.
func hostFuncType(d *funcs.Descriptor) (reflect.Type, bool) {
	var in, out []reflect.Type
	if d.Context {
		in = append(in, contextType)
	}
	for _, p := range d.Params {
		t, ok := hostType(p.Type)
		if !ok {
			return nil, false
		}
		in = append(in, t)
	}
	for _, r := range d.Results {
		t, ok := hostType(r)
		if !ok {
			return nil, false
		}
		out = append(out, t)
	}
	if d.Error {
		out = append(out, errorType)
	}
	if d.Variadic && (len(in) == 0 || in[len(in)-1].Kind() != reflect.Slice) {
		return nil, false
	}
	return reflect.FuncOf(in, out, d.Variadic), true
}

// Proxy returns the typed proxy of service id, as the rewritten package
// asks for it while the package initialises.
func (rt *Runtime) Proxy(id int) any {
	d := rt.descs[id]
	ft, ok := hostFuncType(d)
	if !ok {
		panic(fmt.Sprintf("microfn: %s has no typed proxy", d.Name))
	}
	nRes := len(d.Results)
	resultTypes := make([]reflect.Type, nRes)
	for k := range resultTypes {
		resultTypes[k] = ft.Out(k)
	}
	numOut := ft.NumOut()
	return reflect.MakeFunc(ft, func(in []reflect.Value) []reflect.Value {
		var ctx context.Context
		if d.Context {
			ctx, _ = in[0].Interface().(context.Context) // nil stays nil
			in = in[1:]
		}
		out := make([]reflect.Value, numOut)
		results := make([]any, nRes)
		for k, t := range resultTypes {
			p := reflect.New(t)
			results[k] = p.Interface()
			out[k] = p.Elem()
		}
		c, err := rt.newCall(ctx, id)
		if err == nil {
			copy(c.withArgs(len(in)), in)
			c.Results = results
			err = rt.call(c)
		}
		switch {
		case d.Error:
			e := reflect.New(errorType).Elem()
			if err != nil {
				e.Set(reflect.ValueOf(err))
			}
			out[nRes] = e
		case err != nil:
			// The caller has no error result: as with the interpreted
			// proxy, the failure panics in the caller, whose own service
			// boundary recovers it.
			panic(err)
		}
		return out
	}).Interface()
}
