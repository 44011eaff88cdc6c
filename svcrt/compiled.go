package svcrt

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
)

// Compiled code. A package compiled into a worker executable reaches the
// runtime through the package-level functions below: the code microfn
// generates for it imports this package as microfnrt and calls
// CallService, MustCallService and Fork, naming its services by the package's import path and
// their index in it. The executable's main binds each package's Runtime
// with Bind, once, before any service runs. This is the process's own
// state, as a compiled program has one of each package.

// bound holds the Runtime of each compiled package, by import path.
var bound sync.Map

// Bind makes rt the runtime of the compiled package of import path pkg,
// a package this process serves.
func Bind(pkg string, rt *Runtime) { bound.Store(pkg, rt) }

// BindImported makes rt the runtime of the compiled package of import
// path pkg, a package that one this process serves imports, unless the
// process serves pkg itself (then its own runtime stays: a call of its
// services goes to their route either way).
func BindImported(pkg string, rt *Runtime) { bound.LoadOrStore(pkg, rt) }

// runtimeOf returns the runtime bound to pkg.
func runtimeOf(pkg string) (*Runtime, error) {
	rt, ok := bound.Load(pkg)
	if !ok {
		return nil, fmt.Errorf("microfn: no runtime is bound to package %s: its services cannot be called here", pkg)
	}
	return rt.(*Runtime), nil
}

// CallService is what a compiled proxy of a service with an error result
// calls:
// the service is the id-th of package pkg, and values holds pointers to
// the proxy's parameters (without a context), then to its result
// variables (without the error).
func CallService(ctx context.Context, pkg string, id int, values []any) error {
	rt, err := runtimeOf(pkg)
	if err != nil {
		return err
	}
	return rt.Call(ctx, id, values)
}

// MustCallService is CallService for a proxy of a service without an
// error result: it panics with the error of a failed call, which the
// caller's own service boundary recovers.
func MustCallService(ctx context.Context, pkg string, id int, values []any) {
	if err := CallService(ctx, pkg, id, values); err != nil {
		panic(err)
	}
}

// Fork is what a rewritten go statement of compiled code calls before it
// starts its goroutine (see [Runtime.Fork]).
func Fork() *Forked {
	return &Forked{logger: slog.Default(), ctx: current()}
}

// Clear implements the clear builtin for a rewritten go statement that
// starts it (go clear(m)).
func Clear(x any) { (*Runtime)(nil).Clear(x) }
