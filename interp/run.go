package interp

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/generic"

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
	if err := l.useSymbols(i, src, t, ev); err != nil {
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
	imports    map[string]bool  // every import path of the files in fs
}

// newTree lays out the package prepared from src, and the packages it
// imports from source, parsed once for prep.
func newTree(src *funcs.Package, prep *Prepared) (*tree, error) {
	t := &tree{importPath: prep.ImportPath, fs: fstest.MapFS{}, imports: map[string]bool{}}
	if t.importPath == "" {
		t.importPath = "microfn.local/" + path.Clean("pkg/"+strings.TrimPrefix(strings.ReplaceAll(src.Dir, "\\", "/"), "/"))
	}
	for name, data := range prep.Files {
		t.add(path.Join(gopath, "src", t.importPath, name), data)
	}
	t.loaded = []loadedSource{{virtualDir: virtualPath(t.importPath), src: src, files: prep.Files}}
	imp := prep.Importer()
	for _, d := range prep.Deps {
		// Imported packages are vendored into the package: the
		// interpreter finds every import from source there, keyed by its
		// import path.
		depDir := virtualPath(path.Join(t.importPath, "vendor", d.ImportPath))
		for name, data := range d.Files {
			t.add(depDir+name, data)
		}
		dsrc, ok := imp(d.ImportPath)
		if !ok {
			_, err := funcs.Parse(d.Dir, d.Sources)
			return nil, fmt.Errorf("load %s: imported package %s: %w", src.Dir, d.ImportPath, err)
		}
		t.deps = append(t.deps, dsrc)
		t.loaded = append(t.loaded, loadedSource{virtualDir: depDir, src: dsrc, files: d.Files})
	}
	t.closeImports()
	return t, nil
}

// add lays out a file of the tree at name, and notes what it imports.
// A file whose imports do not parse imports nothing more: the
// interpreter reports its syntax error when it reads it.
func (t *tree) add(name string, data []byte) {
	t.fs[name] = &fstest.MapFile{Data: data}
	f, err := parser.ParseFile(token.NewFileSet(), name, data, parser.ImportsOnly)
	if f == nil && err != nil {
		return
	}
	for _, spec := range f.Imports {
		if p, err := strconv.Unquote(spec.Path.Value); err == nil {
			t.imports[p] = true
		}
	}
}

// needs reports whether the interpreter of the tree needs the symbols of
// the package path: its code imports it, or the source of a standard
// package's generic code the interpreter compiles does (see
// closeImports), or it is fmt, whose printing functions the interpreter
// redirects to its own output.
func (t *tree) needs(path string) bool { return t.imports[path] || path == "fmt" }

// closeImports adds to t.imports what the source of the standard
// library's generic code imports, for each package of t.imports that has
// some: the interpreter compiles it when the package is imported.
func (t *tree) closeImports() {
	todo := slices.Collect(maps.Keys(t.imports))
	for len(todo) > 0 {
		p := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		src, ok := generic.Sources[p]
		if !ok {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, src, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, spec := range f.Imports {
			if q, err := strconv.Unquote(spec.Path.Value); err == nil && !t.imports[q] {
				t.imports[q] = true
				todo = append(todo, q)
			}
		}
	}
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
func (l *Loader) useSymbols(i *yaegi.Interpreter, src *funcs.Package, t *tree, ev *evaluation) error {
	// The package's databases count its statements under its folder.
	dbs := l.opts.Databases
	if dbs != nil {
		dbs = dbs.ForPackage(src.Dir)
	}
	sets := append([]yaegi.Exports{apiSymbols(dbs)}, sandbox.Symbols(l.opts.Unrestricted, l.opts.Allow, t.needs)...)
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
