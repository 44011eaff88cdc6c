package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// A CompiledPackage is the compiled code of one package of service code,
// as the main of a compiled worker executable lists it: the functions
// the code microfn generated for the package declares.
type CompiledPackage struct {
	// Path is the import path it was compiled as.
	Path string
	// Impls are the implementations of its services, by service name.
	Impls map[string]any
	// ErrorsIs and ErrorVar are its generated functions over its error
	// variables: func(error) []string and func(string) error.
	ErrorsIs, ErrorVar any
}

// CompiledLoader returns the LoadFunc of a worker executable with the
// code of pkgs compiled in: the packages a server version runs, and the
// packages of its module they import. std are the standard library's
// error variables the code can return, by import path, dot, name.
//
// The services are described from the sources the spec carries, as the
// interpreter's are, and bound to the compiled implementations; each
// compiled package's proxies reach their services through a runtime
// bound to its import path (see svcrt.Bind).
func CompiledLoader(std map[string]error, pkgs ...CompiledPackage) LoadFunc {
	byPath := map[string]CompiledPackage{}
	for _, p := range pkgs {
		byPath[p.Path] = p
	}
	stdErrors := svcrt.NewStdErrors(std)
	return func(ctx context.Context, spec *protocol.Spec, ps *protocol.PackageSpec, call svcrt.CallFunc, logger *slog.Logger) (*svcrt.Package, error) {
		var prep struct {
			ImportPath string                 `json:"importPath"`
			Deps       []*funcs.PackageSource `json:"deps"`
		}
		if err := json.Unmarshal(ps.Prepared, &prep); err != nil {
			return nil, fmt.Errorf("read the package %s: %w", ps.Rel, err)
		}
		imp := funcs.NewImporter(prep.Deps)
		dir := filepath.Join(spec.Root, filepath.FromSlash(ps.Rel))
		src, err := funcs.ParseWith(dir, ps.Files, imp)
		if err != nil {
			return nil, err
		}
		src.ImportPath = prep.ImportPath
		own, ok := byPath[ps.CompiledPath]
		if !ok {
			return nil, fmt.Errorf("load %s: this executable has no compiled code of %s", ps.Rel, ps.CompiledPath)
		}
		rt := svcrt.NewRuntime(src.Dir, src.Services, call, logger)
		qualifier := prep.ImportPath
		if qualifier == "" {
			qualifier = src.Name
		}
		pkg := svcrt.NewPackage(src, svcrt.PackageOptions{ImportPath: ps.CompiledPath, Qualifier: qualifier, Runtime: rt, StdErrors: stdErrors})
		for _, d := range src.Services {
			if _, err := pkg.AddService(d, reflect.ValueOf(own.Impls[d.Name]), ""); err != nil {
				return nil, err
			}
		}
		pkg.AddErrorFuncs(qualifier, reflect.ValueOf(own.ErrorsIs), reflect.ValueOf(own.ErrorVar))
		// The packages it imports from source that are compiled in: their
		// services are called at their own routes, through runtimes of
		// their own.
		type depRuntime struct {
			path string
			rt   *svcrt.Runtime
			svcs []*svcrt.Service
		}
		var deps []depRuntime
		for _, d := range prep.Deps {
			cp, ok := byPath[d.ImportPath]
			if !ok {
				continue // compiled as it is: no services, no error table
			}
			dsrc, ok := imp(d.ImportPath)
			if !ok {
				return nil, fmt.Errorf("load %s: imported package %s does not parse", ps.Rel, d.ImportPath)
			}
			pkg.AddErrorFuncs(d.ImportPath, reflect.ValueOf(cp.ErrorsIs), reflect.ValueOf(cp.ErrorVar))
			if len(dsrc.Services) == 0 {
				continue
			}
			dr := depRuntime{path: d.ImportPath, rt: svcrt.NewRuntime(dsrc.Dir, dsrc.Services, call, logger)}
			for _, sd := range dsrc.Services {
				svc, err := pkg.AddService(sd, reflect.ValueOf(cp.Impls[sd.Name]), d.ImportPath)
				if err != nil {
					return nil, err
				}
				dr.svcs = append(dr.svcs, svc)
			}
			deps = append(deps, dr)
		}
		rt.Serve(pkg.Services)
		svcrt.Bind(ps.CompiledPath, rt)
		for _, d := range deps {
			d.rt.Serve(d.svcs)
			svcrt.BindImported(d.path, d.rt)
		}
		return pkg, nil
	}
}
