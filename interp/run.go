package interp

import (
	"context"
	"fmt"
	"path"
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
	t, err := newTree(src, prep)
	if err != nil {
		return nil, err
	}
	i, panics := l.newInterpreter(src, t)
	rt := svcrt.NewRuntime(src.Dir, t.services(), call, l.opts.Logger)
	stopCtx, stop := context.WithCancel(context.Background())
	qualifier := prep.ImportPath
	if qualifier == "" {
		qualifier = src.Name
	}
	pkg := svcrt.NewPackage(src, svcrt.PackageOptions{
		ImportPath: t.importPath,
		Qualifier:  qualifier,
		Runtime:    rt,
		StdErrors:  stdErrorVars(),
		Close:      stop,
	})
	ev := &evaluation{interp: i, rt: rt}
	if err := l.useSymbols(i, src, ev); err != nil {
		stop()
		return nil, err
	}
	values, err := ev.load(ctx, stopCtx, src, t.importPath, t.deps)
	panics.stop()
	if err != nil {
		stop()
		return nil, l.sourceError(t.loaded, err, panics)
	}
	if err := addLoaded(pkg, qualifier, src, t.deps, values); err != nil {
		stop()
		return nil, err
	}
	pkg.Start()
	return pkg, nil
}

// gopath is the root of the in-memory GOPATH packages are loaded from.
const gopath = "_pkg"

// A tree is the in-memory GOPATH the interpreter of a Run reads: the
// prepared package's rewritten files, and those of the packages it
// imports from source.
type tree struct {
	importPath string // the prepared package's, as the interpreter sees it
	fs         fstest.MapFS
	loaded     []loadedSource   // the prepared package, then those it imports
	deps       []*funcs.Package // the packages it imports from source
}

// newTree lays out the package prepared from src, and the packages it
// imports from source, parsed once for prep.
func newTree(src *funcs.Package, prep *Prepared) (*tree, error) {
	t := &tree{importPath: prep.ImportPath, fs: fstest.MapFS{}}
	if t.importPath == "" {
		t.importPath = "microfn.local/" + path.Clean("pkg/"+strings.TrimPrefix(strings.ReplaceAll(src.Dir, "\\", "/"), "/"))
	}
	for name, data := range prep.Files {
		t.fs[path.Join(gopath, "src", t.importPath, name)] = &fstest.MapFile{Data: data}
	}
	t.loaded = []loadedSource{{virtualDir: virtualPath(t.importPath), src: src, files: prep.Files}}
	imp := prep.Importer()
	for _, d := range prep.Deps {
		// Imported packages are vendored into the package: the
		// interpreter finds every import from source there, keyed by its
		// import path.
		depDir := virtualPath(path.Join(t.importPath, "vendor", d.ImportPath))
		for name, data := range d.Files {
			t.fs[depDir+name] = &fstest.MapFile{Data: data}
		}
		dsrc, ok := imp(d.ImportPath)
		if !ok {
			_, err := funcs.Parse(d.Dir, d.Sources)
			return nil, fmt.Errorf("load %s: imported package %s: %w", src.Dir, d.ImportPath, err)
		}
		t.deps = append(t.deps, dsrc)
		t.loaded = append(t.loaded, loadedSource{virtualDir: depDir, src: dsrc, files: d.Files})
	}
	return t, nil
}

// services returns the services of the prepared package and then of each
// package it imports from source: the order the proxies number them in.
func (t *tree) services() []*funcs.Descriptor {
	descs := slices.Clone(t.loaded[0].src.Services)
	for _, d := range t.deps {
		descs = append(descs, d.Services...)
	}
	return descs
}

// virtualPath is the directory of the interpreter's file system a package
// of the import path is read from.
func virtualPath(importPath string) string {
	return path.Join(gopath, "src", importPath) + "/"
}

// newInterpreter returns an interpreter of the package src that reads t,
// what service code prints sent to the logger, and the recorder of where
// a panic while the package initialises happens.
func (l *Loader) newInterpreter(src *funcs.Package, t *tree) (*yaegi.Interpreter, *panicRecorder) {
	paths := realPaths(t.loaded)
	out := &lineWriter{logger: l.opts.Logger, pkg: src.Dir, paths: paths, stream: "stdout"}
	panics := &panicRecorder{}
	errOut := &lineWriter{logger: l.opts.Logger, pkg: src.Dir, paths: paths, stream: "stderr", panics: panics}
	i := yaegi.New(yaegi.Options{
		GoPath:               "./" + gopath,
		SourcecodeFilesystem: t.fs,
		Stdin:                strings.NewReader(""),
		Stdout:               out,
		Stderr:               errOut,
		Args:                 []string{},
		Env:                  l.opts.Env,
		Unrestricted:         l.opts.Unrestricted,
	})
	return i, panics
}

// useSymbols exports into i what service code of src may use of the
// host: package microfn, the standard library as the sandbox gives it,
// the packages compiled in, and the runtime of the proxies, ev's.
func (l *Loader) useSymbols(i *yaegi.Interpreter, src *funcs.Package, ev *evaluation) error {
	// The package's databases count its statements under its folder.
	dbs := l.opts.Databases
	if dbs != nil {
		dbs = dbs.ForPackage(src.Dir)
	}
	sets := append([]yaegi.Exports{apiSymbols(dbs)}, sandbox.Symbols(l.opts.Unrestricted, l.opts.Allow)...)
	for _, set := range append(sets, l.opts.Compiled...) {
		if err := i.Use(set); err != nil {
			return fmt.Errorf("load %s: export host symbols: %w", src.Dir, err)
		}
	}
	if err := i.Use(ev.exports()); err != nil {
		return fmt.Errorf("load %s: export proxy runtime: %w", src.Dir, err)
	}
	return nil
}
