package interp

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"sync"

	"github.com/petermattis/goid"
	yaegi "github.com/traefik/yaegi/interp"
)

// A Call is one call of a service made by service code through a proxy.
type Call struct {
	// Ctx is the context for the call: the context.Context the caller
	// passed if the service takes one, else the context of the service
	// execution that made the call (see Caller), else Background.
	Ctx context.Context
	// Caller is the context of the service execution that made the call,
	// found through the calling goroutine, or nil when the call was not
	// made while a service ran (for example from init).
	Caller context.Context
	// Service is the service called.
	Service *Service
	// Args are the arguments, one per parameter, without a context.
	Args []reflect.Value
	// Results are pointers to the caller's result variables, without the
	// error result; CallFunc stores the results there.
	Results []any
}

// A CallFunc carries out calls between services. It is given to
// [Loader.Load] and called by the proxies of the loaded package,
// concurrently. A returned error becomes the proxy's error result, or a
// panic in the caller when the service has no error result.
type CallFunc func(c *Call) error

// proxyRuntime is what the proxies of one package version call. It knows,
// per goroutine, the context of the service execution running on it, so a
// call chain travels even through service code that passes no context.
type proxyRuntime struct {
	pkg    *Package
	call   CallFunc
	logger *slog.Logger
	// running maps a goroutine id to the context of the service execution
	// (or goroutine started by one) running on it.
	running sync.Map
	// parked is closed when the evaluation Package.Close ends calls Park;
	// returned is closed when that evaluation has returned.
	parked, returned chan struct{}
	parkOnce         sync.Once
	// loaded receives what the loading evaluation reports: the
	// implementations of the services, then the list of struct types.
	loaded chan []any
}

// enter records ctx as the context of the calling goroutine until the
// returned function is called.
func (rt *proxyRuntime) enter(ctx context.Context) (leave func()) {
	id := goid.Get()
	prev, had := rt.running.Swap(id, ctx)
	return func() {
		if had {
			rt.running.Store(id, prev)
		} else {
			rt.running.Delete(id)
		}
	}
}

// current returns the context of the service execution on the calling
// goroutine, or nil.
func (rt *proxyRuntime) current() context.Context {
	if v, ok := rt.running.Load(goid.Get()); ok {
		return v.(context.Context)
	}
	return nil
}

func (rt *proxyRuntime) exports() yaegi.Exports {
	return yaegi.Exports{
		proxyPath + "/" + proxyName: {
			"Call":   reflect.ValueOf(rt.proxyCall),
			"Must":   reflect.ValueOf(must),
			"Fork":   reflect.ValueOf(rt.fork),
			"Clear":  reflect.ValueOf(clearValue),
			"Forked": reflect.ValueOf((*Forked)(nil)),
			"Park":   reflect.ValueOf(rt.park),
			"Loaded": reflect.ValueOf(rt.reportLoaded),
		},
	}
}

// proxyCall is what a generated proxy calls: args and results hold
// pointers to the proxy's parameters and result variables.
func (rt *proxyRuntime) proxyCall(ctx context.Context, id int, args []any, results []any) error {
	caller := rt.current()
	if ctx == nil {
		ctx = caller
	}
	if ctx == nil {
		ctx = context.Background()
	}
	svc := rt.pkg.Services[id]
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		vals[i] = reflect.ValueOf(a).Elem()
	}
	return rt.call(&Call{Ctx: ctx, Caller: caller, Service: svc, Args: vals, Results: results})
}

// park is what the evaluation that Package.Close ends runs: it reports
// that the evaluation is under way, and blocks until it has returned. Only
// then may the interpreted code go on, so the evaluation cannot end by
// itself before Close ends it, which would leave Close without effect.
func (rt *proxyRuntime) park() {
	rt.parkOnce.Do(func() { close(rt.parked) })
	<-rt.returned
}

// reportLoaded hands the values the loading evaluation looked up to Load.
func (rt *proxyRuntime) reportLoaded(values []any) {
	rt.loaded <- values
}

// must panics with err if it is not nil; proxies of services without an
// error result call it.
func must(err error) {
	if err != nil {
		panic(err)
	}
}

// clearValue implements the clear builtin for maps and slices.
func clearValue(x any) {
	v := reflect.ValueOf(x)
	if v.Kind() == reflect.Map || v.Kind() == reflect.Slice {
		v.Clear()
	}
}

// Forked carries a service execution's context into a goroutine that
// execution starts; the rewritten go statements use it.
type Forked struct {
	rt    *proxyRuntime
	ctx   context.Context
	leave func()
}

func (rt *proxyRuntime) fork() *Forked {
	return &Forked{rt: rt, ctx: rt.current()}
}

// Enter records the forking execution's context for the new goroutine.
func (f *Forked) Enter() {
	if f.ctx != nil {
		f.leave = f.rt.enter(f.ctx)
	}
}

// Exit ends the goroutine: it forgets its context and logs a panic it
// recovered instead of letting it end the process.
func (f *Forked) Exit(recovered any) {
	if f.leave != nil {
		f.leave()
	}
	if recovered != nil {
		f.rt.logger.Error("goroutine started by service code panicked; recovered",
			"package", f.rt.pkg.Source.Dir, "panic", fmt.Sprint(recovered), "stack", string(debug.Stack()))
	}
}
