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
	contextType  = reflect.TypeFor[context.Context]()
	errorType    = reflect.TypeFor[error]()
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// basicTypes are the host types of the predeclared kinds.
var basicTypes = map[funcs.Kind]reflect.Type{
	funcs.Bool: reflect.TypeFor[bool](), funcs.Int: reflect.TypeFor[int](), funcs.Int8: reflect.TypeFor[int8](),
	funcs.Int16: reflect.TypeFor[int16](), funcs.Int32: reflect.TypeFor[int32](), funcs.Int64: reflect.TypeFor[int64](),
	funcs.Uint: reflect.TypeFor[uint](), funcs.Uint8: reflect.TypeFor[uint8](), funcs.Uint16: reflect.TypeFor[uint16](),
	funcs.Uint32: reflect.TypeFor[uint32](), funcs.Uint64: reflect.TypeFor[uint64](), funcs.Uintptr: reflect.TypeFor[uintptr](),
	funcs.Float32: reflect.TypeFor[float32](), funcs.Float64: reflect.TypeFor[float64](), funcs.String: reflect.TypeFor[string](),
}

// hostType returns the host type of t, if it has one: t is not a type of
// the service's package and holds none.
func hostType(t *funcs.Type) (reflect.Type, bool) {
	if t == nil || t.Name != "" {
		return nil, false
	}
	if rt, ok := basicTypes[t.Kind]; ok {
		return rt, true
	}
	switch t.Kind {
	case funcs.Bytes:
		if t.Elem != nil { // a slice of a named byte type
			return nil, false
		}
		return reflect.TypeFor[[]byte](), true
	case funcs.Slice, funcs.Array, funcs.Pointer:
		elem, ok := hostType(t.Elem)
		if !ok {
			return nil, false
		}
		switch t.Kind {
		case funcs.Slice:
			return reflect.SliceOf(elem), true
		case funcs.Array:
			return reflect.ArrayOf(t.Len, elem), true
		}
		return reflect.PointerTo(elem), true
	case funcs.Map:
		key, ok := hostType(t.Key)
		if !ok {
			return nil, false
		}
		elem, ok := hostType(t.Elem)
		if !ok {
			return nil, false
		}
		return reflect.MapOf(key, elem), true
	case funcs.Time:
		return timeType, true
	case funcs.Duration:
		return durationType, true
	case funcs.FileKind:
		return reflect.TypeFor[microfn.File](), true
	case funcs.Seq:
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
	// Structs and any: the interpreter has its own representation of
	// struct types and of the values an any holds.
	return nil, false
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
