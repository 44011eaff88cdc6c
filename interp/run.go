package interp

import (
	"context"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing/fstest"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/sandbox"
	"github.com/microfn/microfn/svcrt"
)

// Run interprets a package prepared from src by [Loader.Prepare]: it runs
// its init functions and returns its services. call carries out the calls
// between its services.
func (l *Loader) Run(ctx context.Context, src *funcs.Package, prep *Prepared, call svcrt.CallFunc) (*svcrt.Package, error) {
	if len(prep.Uninterpretable) > 0 {
		return nil, prep.Uninterpretable
	}
	files := prep.Files
	importPath := prep.ImportPath
	if importPath == "" {
		importPath = "microfn.local/" + path.Clean("pkg/"+strings.TrimPrefix(strings.ReplaceAll(src.Dir, "\\", "/"), "/"))
	}
	mapFS := fstest.MapFS{}
	for name, data := range files {
		mapFS[path.Join(gopath, "src", importPath, name)] = &fstest.MapFile{Data: data}
	}
	virtualDir := virtualPath(importPath)
	qualifier := prep.ImportPath
	if qualifier == "" {
		qualifier = src.Name
	}
	loaded := []loadedSource{{virtualDir: virtualDir, src: src, files: files}}
	descs := slices.Clone(src.Services)
	imp := prep.Importer()
	var deps []*funcs.Package
	for _, d := range prep.Deps {
		// Imported packages are vendored into the package: the
		// interpreter finds every import from source there, keyed by its
		// import path.
		depDir := virtualPath(path.Join(importPath, "vendor", d.ImportPath))
		for name, data := range d.Files {
			mapFS[depDir+name] = &fstest.MapFile{Data: data}
		}
		dsrc, ok := imp(d.ImportPath)
		if !ok {
			_, err := funcs.Parse(d.Dir, d.Sources)
			return nil, fmt.Errorf("load %s: imported package %s: %w", src.Dir, d.ImportPath, err)
		}
		deps = append(deps, dsrc)
		descs = append(descs, dsrc.Services...)
		loaded = append(loaded, loadedSource{virtualDir: depDir, src: dsrc, files: d.Files})
	}
	paths := realPaths(loaded)
	out := &lineWriter{logger: l.opts.Logger, pkg: src.Dir, paths: paths, stream: "stdout"}
	panics := &panicRecorder{}
	errOut := &lineWriter{logger: l.opts.Logger, pkg: src.Dir, paths: paths, stream: "stderr", panics: panics}
	i := yaegi.New(yaegi.Options{
		GoPath:               "./" + gopath,
		SourcecodeFilesystem: mapFS,
		Stdin:                strings.NewReader(""),
		Stdout:               out,
		Stderr:               errOut,
		Args:                 []string{},
		Env:                  l.opts.Env,
		Unrestricted:         l.opts.Unrestricted,
	})
	rt := svcrt.NewRuntime(src.Dir, descs, call, l.opts.Logger)
	stopCtx, stop := context.WithCancel(context.Background())
	pkg := svcrt.NewPackage(src, svcrt.PackageOptions{
		ImportPath: importPath,
		Qualifier:  qualifier,
		Runtime:    rt,
		StdErrors:  stdErrorVars(),
		Close:      stop,
	})
	// The package's databases count its statements under its folder.
	dbs := l.opts.Databases
	if dbs != nil {
		dbs = dbs.ForPackage(src.Dir)
	}
	sets := append([]yaegi.Exports{apiSymbols(dbs)}, sandbox.Symbols(l.opts.Unrestricted, l.opts.Allow)...)
	for _, set := range append(sets, l.opts.Compiled...) {
		if err := i.Use(set); err != nil {
			stop()
			return nil, fmt.Errorf("load %s: export host symbols: %w", src.Dir, err)
		}
	}
	ev := &evaluation{interp: i, rt: rt}
	if err := i.Use(ev.exports()); err != nil {
		stop()
		return nil, fmt.Errorf("load %s: export proxy runtime: %w", src.Dir, err)
	}
	values, err := ev.load(ctx, stopCtx, src, importPath, deps)
	panics.stop()
	if err != nil {
		stop()
		return nil, l.sourceError(loaded, err, panics)
	}
	add := func(d *funcs.Descriptor, v any, imported string) error {
		impl := reflect.ValueOf(v)
		if impl.Kind() != reflect.Func {
			return fmt.Errorf("load %s: the interpreter did not define %s", src.Dir, d.Name)
		}
		_, err := pkg.AddService(d, impl, imported)
		return err
	}
	// What the evaluation reported, package by package (see load): the
	// types that encode themselves first, since the services' types
	// may hold them.
	lv := splitLoaded(values, src, deps)
	for _, p := range lv {
		setMethods(pkg, p.path, p.marshalers)
	}
	if src.ImportPath != "" {
		setMethods(pkg, "", lv[0].marshalers) // as funcs names the package's own types
	}
	for k, d := range src.Services {
		if err := add(d, lv[0].impls[k], ""); err != nil {
			stop()
			return nil, err
		}
	}
	registerTypes(pkg, reflect.ValueOf(lv[0].types))
	pkg.AddErrorFuncs(qualifier, reflect.ValueOf(lv[0].errorsIs), reflect.ValueOf(lv[0].errorVar))
	for i, dsrc := range deps {
		for k, d := range dsrc.Services {
			if err := add(d, lv[i+1].impls[k], dsrc.ImportPath); err != nil {
				stop()
				return nil, err
			}
		}
		pkg.AddErrorFuncs(dsrc.ImportPath, reflect.ValueOf(lv[i+1].errorsIs), reflect.ValueOf(lv[i+1].errorVar))
	}
	pkg.Start()
	return pkg, nil
}

// virtualPath is the directory of the interpreter's file system a package
// of the import path is read from.
func virtualPath(importPath string) string {
	return path.Join(gopath, "src", importPath) + "/"
}
