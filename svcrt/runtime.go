package svcrt

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/petermattis/goid"

	"github.com/microfn/microfn/funcs"
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

	args [4]reflect.Value // backs Args for up to 4 parameters
}

// A CallFunc carries out calls between services. It is given to
// [Loader.Load] and called by the proxies of the loaded package,
// concurrently. A returned error becomes the proxy's error result, or a
// panic in the caller when the service has no error result.
type CallFunc func(c *Call) error

// A Runtime is what the proxies of one loaded package version call. It
// knows, per goroutine, the context of the service execution running on
// it, so a call chain travels even through service code that passes no
// context. The code microfn generates for a package reaches it as
// microfnrt: the interpreter exports its methods under that name, and a
// compiled package declares it. It is safe for concurrent use.
type Runtime struct {
	label  string // the package, for logs
	call   CallFunc
	logger *slog.Logger
	// ready is set once services is complete: proxies may call.
	ready atomic.Bool
	// descs describe the services proxies call, by index: the package's
	// own, then those of the packages it imports from source.
	descs []*funcs.Descriptor
	// services are the services of descs, once the package has loaded.
	services []*Service
}

// NewRuntime returns the runtime of a package (label names it in logs)
// whose proxies call the services descs describe, by index, through call.
// Proxies refuse to call until [Package.Start].
func NewRuntime(label string, descs []*funcs.Descriptor, call CallFunc, logger *slog.Logger) *Runtime {
	if logger == nil {
		logger = slog.Default()
	}
	return &Runtime{label: label, call: call, logger: logger, descs: descs}
}

// running maps a goroutine id to the context of the service execution
// (or goroutine started by one) running on it. It is the process's: a
// goroutine runs one service execution at a time, of whichever package,
// and compiled code starts goroutines (see Fork) without knowing which
// package's execution runs.
var running goroutineContexts

// Serve makes the services the runtime's proxies call, one per
// descriptor it was made with, callable: their package has loaded.
func (rt *Runtime) Serve(services []*Service) {
	rt.services = services
	rt.ready.Store(true)
}

// goroutineShards is the number of independently locked parts of a
// goroutineContexts.
const goroutineShards = 64

// goroutineContexts maps goroutine ids to contexts. Entries come and go
// with every service execution, so it is a sharded map under mutexes,
// which reuses its memory, rather than a sync.Map, which allocates for
// every new key.
type goroutineContexts struct {
	shards [goroutineShards]struct {
		mu sync.Mutex
		m  map[int64]context.Context
	}
}

// swap sets the context of goroutine id to ctx (or forgets it if ctx is
// nil) and returns the one it had.
func (g *goroutineContexts) swap(id int64, ctx context.Context) (prev context.Context) {
	s := &g.shards[uint64(id)%goroutineShards]
	s.mu.Lock()
	prev = s.m[id]
	switch {
	case ctx == nil:
		delete(s.m, id)
	case s.m == nil:
		s.m = map[int64]context.Context{id: ctx}
	default:
		s.m[id] = ctx
	}
	s.mu.Unlock()
	return prev
}

// load returns the context of goroutine id, or nil.
func (g *goroutineContexts) load(id int64) context.Context {
	s := &g.shards[uint64(id)%goroutineShards]
	s.mu.Lock()
	ctx := s.m[id]
	s.mu.Unlock()
	return ctx
}

// enter records ctx as the context of the calling goroutine, whose id it
// returns with the context the goroutine had; leave restores that one.
func enter(ctx context.Context) (id int64, prev context.Context) {
	id = goid.Get()
	return id, running.swap(id, ctx)
}

// leave gives goroutine id back the context it had before enter.
func leave(id int64, prev context.Context) {
	running.swap(id, prev)
}

// current returns the context of the service execution on the calling
// goroutine, or nil.
func current() context.Context {
	return running.load(goid.Get())
}

// Call is what a generated proxy of a service with an error result
// calls: values holds pointers to the proxy's parameters (without a
// context), then to its result variables (without the error).
func (rt *Runtime) Call(ctx context.Context, id int, values []any) error {
	c, err := rt.newCall(ctx, id)
	if err != nil {
		return err
	}
	n := c.Service.Func.NumArgs()
	args := c.withArgs(n)
	for i, a := range values[:n] {
		args[i] = reflect.ValueOf(plainValue(a)).Elem()
	}
	c.Results = values[n:]
	for i, r := range c.Results {
		c.Results[i] = plainValue(r)
	}
	return rt.call(c)
}

// plainValue returns the pointer a proxy passed, as the interpreter gives
// it: a pointer to a value of a type with methods comes inside a wrapper
// that keeps the interpreted type, which its PlainValue method removes.
func plainValue(p any) any {
	if w, ok := p.(interface{ PlainValue() any }); ok {
		return w.PlainValue()
	}
	return p
}

// service returns service id, once the package has loaded.
func (rt *Runtime) service(id int) (*Service, error) {
	if !rt.ready.Load() {
		return nil, fmt.Errorf("%s was called while its package initialises (from a package-level variable, init, or a goroutine they start): services can be called once the package has loaded",
			rt.descs[id].Name)
	}
	return rt.services[id], nil
}

// newCall starts a call of service id made by the code running on the
// calling goroutine, which passed ctx, or nil. The caller sets the
// arguments (see withArgs) and Results, then hands the call to rt.call.
func (rt *Runtime) newCall(ctx context.Context, id int) (*Call, error) {
	svc, err := rt.service(id)
	if err != nil {
		return nil, err
	}
	caller := current()
	if ctx == nil {
		ctx = caller
	}
	if ctx == nil {
		ctx = context.Background()
	}
	return &Call{Ctx: ctx, Caller: caller, Service: svc}, nil
}

// withArgs returns c.Args sized for n arguments, in c's own storage when
// they fit.
func (c *Call) withArgs(n int) []reflect.Value {
	if len(c.Args) != n {
		if n <= len(c.args) {
			c.Args = c.args[:n]
		} else {
			c.Args = make([]reflect.Value, n)
		}
	}
	return c.Args
}

// MustCall is what a generated proxy of a service without an error result
// calls: it panics with the error of a failed call, which the caller's
// own service boundary recovers.
func (rt *Runtime) MustCall(ctx context.Context, id int, values []any) {
	if err := rt.Call(ctx, id, values); err != nil {
		panic(err)
	}
}

// Clear implements the clear builtin for maps and slices, for code whose
// interpreter lacks it.
func (rt *Runtime) Clear(x any) {
	v := reflect.ValueOf(x)
	if v.Kind() == reflect.Map || v.Kind() == reflect.Slice {
		v.Clear()
	}
}

// Forked carries a service execution's context into a goroutine that
// execution starts; the rewritten go statements use it.
type Forked struct {
	logger *slog.Logger
	label  string // the package, for logs
	ctx    context.Context
	id     int64           // the new goroutine, once entered
	prev   context.Context // what it had before
}

// Fork is what a rewritten go statement calls before it starts its
// goroutine: the new goroutine gets the context of the execution that
// started it.
func (rt *Runtime) Fork() *Forked {
	return &Forked{logger: rt.logger, label: rt.label, ctx: current()}
}

// Enter records the forking execution's context for the new goroutine.
func (f *Forked) Enter() {
	if f.ctx != nil {
		f.id = goid.Get()
		f.prev = running.swap(f.id, f.ctx)
	}
}

// Exit ends the goroutine: it forgets its context and logs a panic it
// recovered instead of letting it end the process.
func (f *Forked) Exit(recovered any) {
	if f.ctx != nil {
		running.swap(f.id, f.prev)
	}
	if recovered != nil {
		attrs := []any{"panic", fmt.Sprint(recovered), "stack", string(debug.Stack())}
		if f.label != "" {
			attrs = append(attrs, "package", f.label)
		}
		f.logger.Error("goroutine started by service code panicked; recovered", attrs...)
	}
}
