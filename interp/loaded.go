package interp

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/rewrite"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/wire"
)

// loadedSource is one package of those an interpreter loads: the prepared
// one, or one it imports from source.
type loadedSource struct {
	virtualDir string // where the interpreter reads it
	src        *funcs.Package
	files      map[string][]byte // as rewritten
}

// realPaths replaces the interpreter's directories of the loaded packages
// with their real ones. The imported packages' directories are below the
// prepared one's, so they come first.
func realPaths(loaded []loadedSource) *strings.Replacer {
	var pairs []string
	for i := len(loaded) - 1; i >= 0; i-- {
		pairs = append(pairs, loaded[i].virtualDir, strings.TrimSuffix(loaded[i].src.Dir, "/")+"/")
	}
	return strings.NewReplacer(pairs...)
}

// loadedValues are the values the loading evaluation reports of one
// package: the implementations of its services, its list of struct
// types (of the prepared package only), its functions over its error
// variables, and the functions that call the methods of its types that
// encode themselves (see rewrite.MarshalersVar).
type loadedValues struct {
	path                                  string // the import path
	impls                                 []any
	types, errorsIs, errorVar, marshalers any
}

// splitLoaded splits what the evaluation reported (see evaluation.load) by package:
// the prepared package src, then each of deps.
func splitLoaded(values []any, src *funcs.Package, deps []*funcs.Package) []loadedValues {
	n := len(src.Services)
	out := []loadedValues{{path: src.ImportPath, impls: values[:n], types: values[n], errorsIs: values[n+1], errorVar: values[n+2], marshalers: values[n+3]}}
	values = values[n+4:]
	for _, d := range deps {
		n := len(d.Services)
		out = append(out, loadedValues{path: d.ImportPath, impls: values[:n], errorsIs: values[n], errorVar: values[n+1], marshalers: values[n+2]})
		values = values[n+3:]
	}
	return out
}

// setMethods gives the codec of p the functions that call the methods of
// the types that encode themselves of the package of import path path:
// list holds, per type, its name and the functions (see rewrite.MarshalersVar).
func setMethods(p *svcrt.Package, path string, list any) {
	entries, _ := list.([]any)
	for i := 0; i+4 < len(entries); i += 5 {
		name, _ := entries[i].(string)
		fn := func(v any) reflect.Value {
			if v == nil {
				return reflect.Value{}
			}
			return reflect.ValueOf(v)
		}
		p.Codec.SetMethods(path, name, wire.Methods{
			MarshalJSON: fn(entries[i+1]), MarshalText: fn(entries[i+2]),
			UnmarshalJSON: fn(entries[i+3]), UnmarshalText: fn(entries[i+4]),
		})
	}
}

// registerTypes tells the codec the interpreter's representation of every
// struct type of the package, so values of them inside an any encode as
// written.
func registerTypes(p *svcrt.Package, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice {
		return
	}
	names := rewrite.StructTypes(p.Source)
	for i := 0; i < v.Len() && i < len(names); i++ {
		e := v.Index(i)
		if e.Kind() == reflect.Interface {
			e = e.Elem()
		}
		if !e.IsValid() || e.Kind() != reflect.Pointer {
			continue
		}
		if t, ok := p.Source.LookupType(names[i]); ok {
			_ = p.Codec.Register(t, e.Type().Elem()) // a type that cannot travel simply stays unregistered
		}
	}
}

// addLoaded gives pkg what the evaluation reported, package by package
// (see evaluation.load): the types that encode themselves first, since
// the services' types may hold them, then the services, the struct types
// and the functions over the error variables. qualifier names the
// package src in errors.
func addLoaded(pkg *svcrt.Package, qualifier string, src *funcs.Package, deps []*funcs.Package, values []any) error {
	lv := splitLoaded(values, src, deps)
	for _, p := range lv {
		setMethods(pkg, p.path, p.marshalers)
	}
	if src.ImportPath != "" {
		setMethods(pkg, "", lv[0].marshalers) // as funcs names the package's own types
	}
	for k, d := range src.Services {
		if err := addService(pkg, src.Dir, d, lv[0].impls[k], ""); err != nil {
			return err
		}
	}
	registerTypes(pkg, reflect.ValueOf(lv[0].types))
	pkg.AddErrorFuncs(qualifier, reflect.ValueOf(lv[0].errorsIs), reflect.ValueOf(lv[0].errorVar))
	for i, dsrc := range deps {
		for k, d := range dsrc.Services {
			if err := addService(pkg, src.Dir, d, lv[i+1].impls[k], dsrc.ImportPath); err != nil {
				return err
			}
		}
		pkg.AddErrorFuncs(dsrc.ImportPath, reflect.ValueOf(lv[i+1].errorsIs), reflect.ValueOf(lv[i+1].errorVar))
	}
	return nil
}

// addService adds to pkg, loaded from dir, the service d, whose
// implementation the evaluation reported as v; imported is the import
// path of its package if the loaded package imports it.
func addService(pkg *svcrt.Package, dir string, d *funcs.Descriptor, v any, imported string) error {
	impl := reflect.ValueOf(v)
	if impl.Kind() != reflect.Func {
		return fmt.Errorf("load %s: the interpreter did not define %s", dir, d.Name)
	}
	_, err := pkg.AddService(d, impl, imported)
	return err
}
