package interp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/rewrite"
	"github.com/microfn/microfn/svcrt"
)

// An evaluation is the one evaluation of the interpreter that loads a
// package and then parks: the interpreted code reaches the package's
// svcrt.Runtime, and the evaluation's own Park and Loaded, under the
// proxy package's name.
type evaluation struct {
	interp *yaegi.Interpreter
	rt     *svcrt.Runtime
	// parked is closed when the evaluation calls Park; returned is closed
	// when the evaluation has returned.
	parked, returned chan struct{}
	parkOnce         sync.Once
	// loaded receives what the evaluation reports: the implementations of
	// the services, then the list of struct types and the error
	// functions.
	loaded chan []any
}

// exports exports the runtime into the interpreter.
func (ev *evaluation) exports() yaegi.Exports {
	rt := ev.rt
	return yaegi.Exports{
		rewrite.ProxyPath + "/" + rewrite.ProxyName: {
			"Call":     reflect.ValueOf(rt.Call),
			"MustCall": reflect.ValueOf(rt.MustCall),
			"Proxy":    reflect.ValueOf(rt.Proxy),
			"Fork":     reflect.ValueOf(rt.Fork),
			"Clear":    reflect.ValueOf(rt.Clear),
			"Forked":   reflect.ValueOf((*svcrt.Forked)(nil)),
			"Park":     reflect.ValueOf(ev.park),
			"Loaded":   reflect.ValueOf(ev.reportLoaded),
		},
	}
}

// park is what the evaluation that Package.Close ends runs: it reports
// that the evaluation is under way, and blocks until it has returned. Only
// then may the interpreted code go on, so the evaluation cannot end by
// itself before Close ends it, which would leave Close without effect.
func (ev *evaluation) park() {
	ev.parkOnce.Do(func() { close(ev.parked) })
	<-ev.returned
}

// reportLoaded hands the values the loading evaluation looked up to Load.
func (ev *evaluation) reportLoaded(values []any) {
	ev.loaded <- values
}

// load loads the package with one evaluation that imports it (running
// its init functions), reports the implementations of its services, its
// list of struct types, its functions over its error variables and those
// that call the methods of its types that encode themselves to the host
// (and those of each package it imports from source but the struct
// types: see splitLoaded), and then parks until stopCtx ends.
// The parked evaluation gives the interpreter a context whose end stops
// every running frame: that is how Close stops the code. Everything
// happens in one evaluation because starting an evaluation writes state of
// the interpreter that goroutines started by init may be reading.
func (ev *evaluation) load(ctx, stopCtx context.Context, src *funcs.Package, importPath string, deps []*funcs.Package) ([]any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "import %s %q\nimport %s %q\n", pkgAlias, importPath, rewrite.ProxyName, rewrite.ProxyPath)
	for k, d := range deps {
		fmt.Fprintf(&b, "import %s%d %q\n", depAlias, k, d.ImportPath)
	}
	fmt.Fprintf(&b, "\nfunc init() {\n\t%s.Loaded([]any{", rewrite.ProxyName)
	for _, d := range src.Services {
		fmt.Fprintf(&b, "%s.%s%s, ", pkgAlias, ImplPrefix, d.Name)
	}
	fmt.Fprintf(&b, "%s.%s, %s.%s, %s.%s, %s, ", pkgAlias, TypesVar, pkgAlias, ErrorsIsFunc, pkgAlias, ErrorVarFunc, marshalersOf(src, pkgAlias))
	for k, d := range deps {
		for _, svc := range d.Services {
			fmt.Fprintf(&b, "%s%d.%s%s, ", depAlias, k, ImplPrefix, svc.Name)
		}
		fmt.Fprintf(&b, "%s%d.%s, %s%d.%s, %s, ", depAlias, k, ErrorsIsFunc, depAlias, k, ErrorVarFunc, marshalersOf(d, depAlias+strconv.Itoa(k)))
	}
	fmt.Fprintf(&b, "})\n\t%s.Park()\n}\n", rewrite.ProxyName)
	ev.loaded = make(chan []any, 1)
	ev.parked, ev.returned = make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(ev.returned)
		errc <- evalSource(stopCtx, ev.interp, b.String())
	}()
	select {
	case values := <-ev.loaded:
		return values, nil
	case err := <-errc:
		if err == nil {
			err = errors.New("the package did not load")
		}
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// marshalersOf returns the expression of the load's evaluation for the
// generated list of functions calling the methods of pkg's types that
// encode themselves (see rewrite.MarshalersVar), pkg imported as alias: nil
// when it has none.
func marshalersOf(pkg *funcs.Package, alias string) string {
	if len(pkg.MarshalerTypes()) == 0 {
		return "nil"
	}
	return alias + "." + MarshalersVar
}

// evalSource evaluates src, turning panics of the interpreter into errors.
func evalSource(ctx context.Context, i *yaegi.Interpreter, src string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf(interpFailed+"%v", r)
		}
	}()
	_, err = i.EvalWithContext(ctx, src)
	var p yaegi.Panic
	if errors.As(err, &p) {
		return fmt.Errorf(interpFailed+"%v", p.Value)
	}
	return err
}

// interpFailed starts the errors of panics of the interpreter.
const interpFailed = "the interpreter failed: "

// pkgAlias is the name the loaded package is imported as, to look up its
// symbols; depAlias and a number name the imported packages with services.
const (
	pkgAlias = "microfn_pkg"
	depAlias = "microfn_dep"
)
