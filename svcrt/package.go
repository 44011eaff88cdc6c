package svcrt

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

// A Package is one loaded version of a package of service code, whatever
// runs it: the interpreter or the compiled code of a worker executable. It
// is immutable once started, and safe for concurrent use until
// [Package.Close].
type Package struct {
	// Source is the package as parsed.
	Source *funcs.Package
	// Services are the services, in the order of Source.Services.
	Services []*Service
	// Imported are the services of the packages it imports from source,
	// which its code calls through their proxies.
	Imported []*Service
	// Codec encodes the package's values.
	Codec *wire.Codec

	importPath string
	qualifier  string // qualifies its error variables' names
	// errorFuncs match and give the error variables of the package and
	// of those it imports from source.
	errorFuncs []errorFuncs
	std        *StdErrors
	runtime    *Runtime
	close      func()
}

// PackageOptions describe a [Package] to [NewPackage].
type PackageOptions struct {
	// ImportPath is the package's import path (a path of microfn's own
	// outside a module).
	ImportPath string
	// Qualifier qualifies the names of its error variables: its import
	// path in its module, or its name outside one.
	Qualifier string
	// Runtime is the runtime its proxies call.
	Runtime *Runtime
	// StdErrors are the standard library's error variables, which errors
	// it returns are matched against too; nil for none.
	StdErrors *StdErrors
	// Close stops its code, if anything must be done for that.
	Close func()
}

// NewPackage returns a package of src with no service yet: add them with
// AddService, then Start it.
func NewPackage(src *funcs.Package, opts PackageOptions) *Package {
	return &Package{
		Source:     src,
		Codec:      wire.NewCodec(),
		importPath: opts.ImportPath,
		qualifier:  opts.Qualifier,
		std:        opts.StdErrors,
		runtime:    opts.Runtime,
		close:      opts.Close,
	}
}

// AddService adds the service d, whose implementation is impl: one of the
// package's own when importedFrom is empty, else one of the package of
// that import path, which the package imports.
func (p *Package) AddService(d *funcs.Descriptor, impl reflect.Value, importedFrom string) (*Service, error) {
	if impl.Kind() != reflect.Func {
		return nil, fmt.Errorf("load %s: %s is not a function", p.Source.Dir, d.Name)
	}
	f, err := p.Codec.NewFunc(d, impl.Type())
	if err != nil {
		return nil, &funcs.SourceError{Pos: d.Pos, Msg: err.Error()}
	}
	svc := &Service{Desc: d, Func: f, Package: p, ImportedFrom: importedFrom, impl: impl}
	if importedFrom == "" {
		svc.Index = len(p.Services)
		p.Services = append(p.Services, svc)
	} else {
		svc.Index = len(p.Imported)
		p.Imported = append(p.Imported, svc)
	}
	return svc, nil
}

// AddErrorFuncs adds the generated functions over the error variables of
// the package qualified by qualifier (the package itself or one it
// imports): is, a func(error) []string naming those an error matches, and
// get, a func(string) error giving one by name.
func (p *Package) AddErrorFuncs(qualifier string, is, get reflect.Value) {
	p.errorFuncs = append(p.errorFuncs, errorFuncs{qualifier: qualifier, is: is, get: get})
}

// Start makes the package's services callable by its proxies: the
// package has loaded.
func (p *Package) Start() {
	p.runtime.Serve(append(slices.Clone(p.Services), p.Imported...))
}

// Runtime returns the runtime the package's proxies call.
func (p *Package) Runtime() *Runtime { return p.runtime }

// Close stops every execution of the package's code still running, where
// the code's host can (the interpreter abandons them at their next step).
// Calls of its services after Close have undefined results.
func (p *Package) Close() {
	if p.close != nil {
		p.close()
	}
}
