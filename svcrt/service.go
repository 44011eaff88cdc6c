package svcrt

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

// A Service is one service of a loaded package.
type Service struct {
	// Desc describes the service as written.
	Desc *funcs.Descriptor
	// Func binds its requests and encodes its results.
	Func *wire.Func
	// Package is the loaded package the service belongs to.
	Package *Package
	// Index is the service's position in Package.Services, or in
	// Package.Imported for a service of an imported package.
	Index int
	// ImportedFrom is the import path of the service's package when it is
	// a service of a package the loaded one imports: its proxy calls it
	// where that package is served. Empty for the package's own.
	ImportedFrom string

	impl reflect.Value
}

// A PanicError reports a panic of service code, recovered at the boundary.
type PanicError struct {
	// Value is what was passed to panic.
	Value any
	// Stack is the host stack where the panic was recovered; it is for
	// logs, never for responses.
	Stack []byte
}

// Error describes the panic. A failed call of another service (made by a
// proxy of a service without an error result) is named as such.
func (e *PanicError) Error() string {
	if ce, ok := e.Value.(*microfn.CallError); ok && ce.Service != "" {
		// The cause is the CallError's own text without its "call S: ".
		return "nested call " + ce.Service + " failed: " + strings.TrimPrefix(ce.Error(), "call "+ce.Service+": ")
	}
	return fmt.Sprintf("panic: %v", e.Value)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// StatusCode is 500: a panic is the service's failure.
func (e *PanicError) StatusCode() int { return http.StatusInternalServerError }

// A ReturnedError is an error a service returned as its error result, as
// opposed to a panic or a failure to run it. Its text is the error's own.
type ReturnedError struct {
	// Err is the error the service returned.
	Err error
	// Results are the service's other results, returned with Err: Go
	// callers may read them (a count of bytes written, a partial result).
	Results []reflect.Value

	svc *Service
}

// ErrorVars names the error variables Err matches (see
// [Package.MatchErrorVars]).
func (e *ReturnedError) ErrorVars() []string {
	if e.svc == nil {
		return nil
	}
	return e.svc.Package.MatchErrorVars(e.Err)
}

// AppendResults appends the JSON encoding of Results to b, as
// [wire.Func.AppendResults] does for a successful call.
func (e *ReturnedError) AppendResults(b []byte) ([]byte, error) {
	if e.svc == nil {
		return b, fmt.Errorf("no service")
	}
	return e.svc.Func.AppendResults(b, e.Results)
}

// Error is the returned error's text.
func (e *ReturnedError) Error() string { return e.Err.Error() }

// Unwrap returns the error the service returned.
func (e *ReturnedError) Unwrap() error { return e.Err }

// Invoke calls the service's implementation with args, one per parameter
// (without a context). If the service takes a context.Context, it gets
// ctx. ctx is also the context proxies see for calls made during the
// execution. A panic is recovered and returned as a *PanicError; a
// non-nil error result is returned as a *ReturnedError.
func (s *Service) Invoke(ctx context.Context, args []reflect.Value) (results []reflect.Value, err error) {
	in := args
	if s.Desc.Context {
		// A copy of ctx for the argument, so that ctx itself stays off the
		// heap for the services that take none.
		arg := ctx
		in = make([]reflect.Value, 0, len(args)+1)
		in = append(in, reflect.ValueOf(&arg).Elem())
		in = append(in, args...)
	}
	id, prev := enter(ctx)
	defer leave(id, prev)
	defer func() {
		if r := recover(); r != nil {
			results, err = nil, &PanicError{Value: panicValue(r), Stack: debug.Stack()}
		}
	}()
	var out []reflect.Value
	if s.Desc.Variadic {
		out = s.impl.CallSlice(in)
	} else {
		out = s.impl.Call(in)
	}
	if want := len(s.Desc.Results) + btoi(s.Desc.Error); len(out) != want {
		return nil, fmt.Errorf("%s returned %d results, want %d", s.Desc.Name, len(out), want)
	}
	if s.Desc.Error {
		last := out[len(out)-1]
		out = out[:len(out)-1]
		if !last.IsNil() {
			e, ok := last.Interface().(error)
			if !ok {
				return nil, fmt.Errorf("%s returned a %s as its error", s.Desc.Name, last.Type())
			}
			return out, &ReturnedError{Err: e, Results: out, svc: s}
		}
	}
	return out, nil
}

// panicValue returns the value service code passed to panic: the
// interpreter panics with a reflect.Value holding it.
func panicValue(r any) any {
	if v, ok := r.(reflect.Value); ok {
		if !v.IsValid() {
			return nil
		}
		if v.CanInterface() {
			return v.Interface()
		}
	}
	return r
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
