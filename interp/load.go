package interp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"log/slog"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
	"github.com/microfn/microfn/interp/rewrite"
	"github.com/microfn/microfn/interp/sandbox"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/wire"
)

// gopath is the root of the in-memory GOPATH packages are loaded from.
const gopath = "_pkg"

// Options configure a [Loader]. The zero value is ready to use.
type Options struct {
	// Unrestricted gives service code the whole standard library,
	// including unsafe, syscall, os/exec and the other symbols yaegi keeps
	// out of its own sandbox.
	Unrestricted bool
	// Allow adds standard library packages to the default [Sandbox], such
	// as "net/http" or "os".
	Allow []string
	// Logger receives what service code prints to stdout and stderr, and
	// panics of goroutines it starts. Default: slog.Default().
	Logger *slog.Logger
	// Sources finds the packages service code imports from source: the
	// served module's other packages and those of the modules it
	// requires. Without it, service code imports only the standard
	// library and package microfn.
	Sources SourceImporter
	// Env is the environment service code reads with os.Getenv,
	// os.LookupEnv and os.Environ ("NAME=VALUE" entries): the
	// interpreter's own, never the host process's (but with
	// Unrestricted, which gives the real os package).
	Env []string
	// Compiled are the symbol tables of Go packages compiled into the
	// executable (see microfn build --with), keyed as yaegi's are
	// ("github.com/google/uuid/uuid"). Service code calls them at
	// compiled speed; they are outside the sandbox, as the standard
	// library is to itself. Their types come from their source, through
	// Sources, when it has it.
	Compiled []yaegi.Exports
	// ExportData, if set, opens the export data of a standard library
	// package for the type checker (as go/importer's Lookup): a process
	// that must not run the go command is given the files it finds.
	// Default: ask the go command.
	ExportData importer.Lookup
	// Databases are the databases service code's microfn.Database and
	// microfn.KV open, each package through its view of them
	// (state.Set.ForPackage of its folder). Default: the process's
	// (state.Process).
	Databases *state.Set
}

// A Loader loads packages of service code. It keeps the type information
// of the standard library between loads. It is safe for concurrent use.
type Loader struct {
	opts                Options
	types               *typeChecker
	allowed             map[string]bool
	allowedUnrestricted map[string]bool
	compiled            map[string]bool // import paths of Options.Compiled
}

// partial reports whether only a part of the package at path is available.
func (l *Loader) partial(path string) bool {
	return sandbox.IsPartial(path) && !l.opts.Unrestricted && !slices.Contains(l.opts.Allow, path)
}

// NewLoader returns a Loader with the given options.
func NewLoader(opts Options) *Loader {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Loader{
		opts:                opts,
		types:               newTypeChecker(opts.ExportData),
		allowed:             map[string]bool{},
		allowedUnrestricted: map[string]bool{},
	}
	for _, p := range Allowed(opts.Unrestricted, opts.Allow...) {
		l.allowed[p] = true
	}
	l.compiled = map[string]bool{}
	for _, set := range opts.Compiled {
		for key := range set {
			l.compiled[sandbox.PathOfKey(key)] = true
			l.allowed[sandbox.PathOfKey(key)] = true
		}
	}
	for _, p := range Allowed(true) {
		l.allowedUnrestricted[p] = true
	}
	return l
}

// Load checks, rewrites and interprets src. call carries out the calls
// between its services. Problems in the source are returned as a
// funcs.ErrorList with positions in src's files. It is [Loader.Prepare]
// followed by [Loader.Run].
func (l *Loader) Load(ctx context.Context, src *funcs.Package, call svcrt.CallFunc) (*svcrt.Package, error) {
	prep, err := l.Prepare(src)
	if err != nil {
		return nil, err
	}
	return l.Run(ctx, src, prep, call)
}

// Prepared is a package checked and rewritten for the interpreter: what
// [Loader.Run] interprets. It is plain data, so one process can prepare a
// package (type-checking is the slow part of a load, and runs no service
// code) and another run it.
type Prepared struct {
	// ImportPath is the package's import path; empty for a package
	// outside a module.
	ImportPath string `json:"importPath,omitempty"`
	// Files are the rewritten files by name.
	Files map[string][]byte `json:"files"`
	// Deps are the packages it imports from source, a package after the
	// ones it imports.
	Deps []*PreparedDep `json:"deps,omitempty"`
	// Compiled is the package and the packages it imports from source,
	// rewritten for the Go compiler (see rewriteCompiled), by import path
	// and then file name: what a build of the compiled tier compiles.
	// Workers that interpret the package do without it (see
	// ForInterpreter).
	Compiled map[string]map[string][]byte `json:"compiled,omitempty"`
	// CompiledPath is the import path the package is compiled as: its
	// own, or a path of microfn's outside a module.
	CompiledPath string `json:"compiledPath,omitempty"`
	// CompiledErrors say why the package has no version for the
	// compiler, if it has none.
	CompiledErrors []protocol.LoadError `json:"compiledErrors,omitempty"`
	// Warnings are what the checks found that does not stop the package
	// from loading: writes of services into the memory of their callers,
	// which a call through a proxy never brings back (see argwrites.go).
	Warnings funcs.ErrorList `json:"warnings,omitempty"`
	// Uninterpretable says why the interpreter cannot run the package,
	// which is correct Go (an assembly function without a Go body, a
	// construct the interpreter cannot build, a generic function of a
	// package compiled into the executable): [Loader.Run] fails with it,
	// and the compiled tier serves the package, built from Compiled.
	Uninterpretable funcs.ErrorList `json:"uninterpretable,omitempty"`

	importerOnce sync.Once
	importer     funcs.Importer // see Importer
}

// CompileError says why the package has no version for the compiler, or
// nil.
func (p *Prepared) CompileError() error {
	if len(p.CompiledErrors) == 0 {
		return nil
	}
	return protocol.Err(p.CompiledErrors)
}

// ForInterpreter returns p without its version for the compiler: what a
// worker that interprets it needs.
func (p *Prepared) ForInterpreter() *Prepared {
	return &Prepared{ImportPath: p.ImportPath, Files: p.Files, Deps: p.Deps, Uninterpretable: p.Uninterpretable}
}

// Prepare checks src (imports against the sandbox, types, calls made at
// init) and rewrites it for the interpreter. It runs none of its code.
func (l *Loader) Prepare(src *funcs.Package) (*Prepared, error) {
	return l.PrepareWith(src, l.opts.Sources)
}

// PrepareWith is [Loader.Prepare] with the packages src imports from
// source found by sources rather than by Options.Sources: packages
// prepared together can then see one snapshot of their files.
func (l *Loader) PrepareWith(src *funcs.Package, imp SourceImporter) (*Prepared, error) {
	return l.NewBatch(imp).Prepare(src)
}

// A Batch prepares packages loaded together, from one set of sources: each
// package they import from source is checked once, for all of them, and
// rewritten once when it has no services (the rewrite of a package with
// services depends on its importer). It is safe for concurrent use.
type Batch struct {
	l   *Loader
	imp SourceImporter

	mu      sync.Mutex // guards checked, rewrite and imports
	checked map[string]*batchCheck
	rewrite map[string]*batchRewrite
	// imports are the imports of every package seen, so that a package
	// reached from many is read once (see importsOf).
	imports map[*funcs.Package]importList
}

// batchCheck is the check of one imported package, done once.
type batchCheck struct {
	once sync.Once
	pkg  *funcs.Package // as checked: chk.info is of its syntax
	chk  *checked
	err  error
}

// batchRewrite is the rewrite of one imported package without services,
// done once.
type batchRewrite struct {
	once  sync.Once
	files map[string][]byte
	err   error
}

// NewBatch returns a Batch of the packages imp gives.
func (l *Loader) NewBatch(imp SourceImporter) *Batch {
	return &Batch{l: l, imp: imp, checked: map[string]*batchCheck{}, rewrite: map[string]*batchRewrite{}, imports: map[*funcs.Package]importList{}}
}

// importsOf is importsOf, kept for the batch.
func (b *Batch) importsOf(pkg *funcs.Package) importList {
	b.mu.Lock()
	l, ok := b.imports[pkg]
	b.mu.Unlock()
	if ok {
		return l
	}
	l = importsOf(pkg)
	b.mu.Lock()
	b.imports[pkg] = l
	b.mu.Unlock()
	return l
}

// shared reports whether the checks of imported packages can be shared:
// a package compiled into the executable makes what is interpreted depend
// on the importer.
func (b *Batch) shared() bool { return len(b.l.compiled) == 0 }

// checkDep checks the imported package d with the packages it imports,
// checked already; once for the batch when it can be shared.
func (b *Batch) checkDep(d *sourceDep, sources map[string]bool, checkedDeps map[string]*types.Package) (*checked, error) {
	if !b.shared() {
		return b.l.check(d.pkg, d.pkg.ImportPath, sources, checkedDeps)
	}
	b.mu.Lock()
	e := b.checked[d.pkg.ImportPath]
	if e == nil {
		e = &batchCheck{}
		b.checked[d.pkg.ImportPath] = e
	}
	b.mu.Unlock()
	e.once.Do(func() {
		e.pkg = d.pkg
		e.chk, e.err = b.l.check(d.pkg, d.pkg.ImportPath, sources, checkedDeps)
	})
	d.pkg = e.pkg // the importer may have parsed it again
	return e.chk, e.err
}

// rewriteDep rewrites the imported package d, its services numbered from
// first; once for the batch when it has none.
func (b *Batch) rewriteDep(d *sourceDep, first int) (map[string][]byte, error) {
	if len(d.pkg.Services) > 0 || !b.shared() {
		return rewrite.ForInterpreter(d.pkg, d.info, first)
	}
	b.mu.Lock()
	e := b.rewrite[d.pkg.ImportPath]
	if e == nil {
		e = &batchRewrite{}
		b.rewrite[d.pkg.ImportPath] = e
	}
	b.mu.Unlock()
	e.once.Do(func() { e.files, e.err = rewrite.ForInterpreter(d.pkg, d.info, first) })
	return e.files, e.err
}

// Prepare is [Loader.Prepare] within the batch.
func (b *Batch) Prepare(src *funcs.Package) (*Prepared, error) {
	return b.prepare(src, true)
}

// Check checks src as Prepare does, without rewriting it: for a package
// nothing runs (a library, or one whose services are served elsewhere).
func (b *Batch) Check(src *funcs.Package) error {
	_, err := b.prepare(src, false)
	return err
}

// prepare checks src and, if andRewrite is set, rewrites it.
func (b *Batch) prepare(src *funcs.Package, andRewrite bool) (*Prepared, error) {
	l := b.l
	if len(src.Files) == 0 {
		return nil, fmt.Errorf("load %s: no Go files", src.Dir)
	}
	deps, err := collectSources(src, b.imp, l.compiled, b.importsOf)
	if err != nil {
		return nil, err
	}
	sources := map[string]bool{}
	checkedDeps := map[string]*types.Package{}
	var errs funcs.ErrorList
	for _, d := range deps {
		if !d.typesOnly {
			sources[d.pkg.ImportPath] = true // interpreted: not the host's
		}
	}
	// Each imported package is checked as the prepared one is, its
	// errors prefixed with how the prepared package reaches it; the
	// packages compiled in only for their types.
	for _, d := range deps {
		if d.typesOnly {
			chk, err := l.types.checkAs(d.pkg, d.pkg.ImportPath, checkedDeps, sandbox.NewPolicy(false, nil))
			if err != nil || !chk.complete {
				continue // the interpreter's symbols still give the package
			}
			checkedDeps[d.pkg.ImportPath] = chk.pkg
			continue
		}
		chk, err := b.checkDep(d, sources, checkedDeps)
		if err != nil {
			errs = append(errs, withChain(err, d)...)
			continue
		}
		checkedDeps[d.pkg.ImportPath], d.info = chk.pkg, chk.info
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	path := src.ImportPath
	if path == "" {
		path = typesutil.CheckPath(src)
	}
	chk, err := l.check(src, path, sources, checkedDeps)
	if err != nil {
		return nil, err
	}
	if err := checkErrorStatuses(src, chk.pkg); err != nil {
		return nil, err
	}
	if !andRewrite {
		return nil, nil
	}
	// What the interpreter cannot run does not stop the load: the
	// compiled tier can serve the package (see Uninterpretable).
	var cannot funcs.ErrorList
	addCannot := func(err error, d *sourceDep) {
		if d != nil {
			cannot = append(cannot, withChain(err, d)...)
			return
		}
		var list funcs.ErrorList
		if errors.As(err, &list) {
			cannot = append(cannot, list...)
		} else {
			cannot = append(cannot, &funcs.SourceError{Pos: typesutil.PackagePosition(src), Msg: err.Error()})
		}
	}
	if err := checkBodies(src); err != nil {
		addCannot(err, nil)
	}
	if err := l.checkCompiledGenerics(src, chk.info); err != nil {
		addCannot(err, nil)
	}
	for _, d := range deps {
		if d.typesOnly {
			continue
		}
		if err := checkBodies(d.pkg); err != nil {
			addCannot(err, d)
		}
		if err := l.checkCompiledGenerics(d.pkg, d.info); err != nil {
			addCannot(err, d)
		}
	}
	files, err := rewrite.ForInterpreter(src, chk.info, 0)
	if err != nil {
		addCannot(err, nil)
	}
	prep := &Prepared{ImportPath: src.ImportPath, Files: files, CompiledPath: path, Compiled: map[string]map[string][]byte{}}
	if chk.info != nil {
		var withInfo []argWritePkg
		for _, d := range deps {
			if !d.typesOnly && d.info != nil {
				withInfo = append(withInfo, argWritePkg{pkg: d.pkg, info: d.info})
			}
		}
		prep.Warnings = argWriteWarnings(argWritePkg{pkg: src, info: chk.info}, withInfo)
	}
	if prep.Compiled[path], err = rewrite.ForCompiler(src, path, chk.info); err != nil {
		prep.CompiledErrors = protocol.LoadErrors(err)
	}
	first := len(src.Services)
	for _, d := range deps {
		if d.typesOnly {
			continue
		}
		files, err := b.rewriteDep(d, first)
		if err != nil {
			addCannot(err, d)
		}
		if prep.CompiledErrors == nil {
			if prep.Compiled[d.pkg.ImportPath], err = rewrite.ForCompiler(d.pkg, d.pkg.ImportPath, d.info); err != nil {
				prep.CompiledErrors = protocol.LoadErrors(withChain(err, d))
			}
		}
		first += len(d.pkg.Services)
		pd := &PreparedDep{PackageSource: funcs.PackageSource{ImportPath: d.pkg.ImportPath, Dir: d.pkg.Dir}, Files: files}
		for _, f := range d.pkg.Files {
			pd.Sources = append(pd.Sources, funcs.SourceFile{Name: f.Name, Src: f.Src})
		}
		prep.Deps = append(prep.Deps, pd)
	}
	if len(cannot) > 0 {
		cannot.Sort()
		prep.Uninterpretable = cannot
	}
	return prep, nil
}

// check checks the imports, the types, the sandbox and the calls at init
// of pkg, type-checked as path with deps. Its type information is nil
// when it is not trustworthy (see checked).
func (l *Loader) check(pkg *funcs.Package, path string, sources map[string]bool, deps map[string]*types.Package) (*checked, error) {
	if err := checkImports(pkg, l.allowed, l.allowedUnrestricted, sources); err != nil {
		return nil, err
	}
	if err := checkConstantSizes(pkg); err != nil {
		return nil, err
	}
	pol := sandbox.PolicyFor(l.allowed, l.partial)
	pol.Sources = sources
	chk, err := l.types.checkAs(pkg, path, deps, pol)
	if err != nil {
		return nil, err
	}
	if !chk.complete {
		chk.info = nil
	}
	if err := checkInitCalls(pkg, chk.info); err != nil {
		return nil, err
	}
	return chk, nil
}

// checkBodies reports functions declared without a body: written in
// assembly (or linked in), which the interpreter cannot run.
func checkBodies(pkg *funcs.Package) error {
	var list funcs.ErrorList
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body == nil {
				list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(fd.Name.Pos()), Msg: fmt.Sprintf(
					"function %s has no Go body (it is written in assembly), which the interpreter cannot run: serve it compiled (microfn serve --tier=auto, the default, serves it once built), use a version with a pure-Go fallback (often the purego build tag), or compile the module in with microfn build --with", fd.Name.Name)})
			}
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// withChain prefixes the messages of the errors of err, an error in the
// imported package d, with how the prepared package reaches d.
func withChain(err error, d *sourceDep) funcs.ErrorList {
	var list funcs.ErrorList
	if !errors.As(err, &list) {
		return funcs.ErrorList{&funcs.SourceError{Pos: typesutil.PackagePosition(d.pkg), Msg: d.importChain() + err.Error()}}
	}
	out := make(funcs.ErrorList, len(list))
	for i, e := range list {
		out[i] = &funcs.SourceError{Pos: e.Pos, Msg: d.importChain() + e.Msg}
	}
	return out
}

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

// loadedValues are the values the loading evaluation reports of one
// package: the implementations of its services, its list of struct
// types (of the prepared package only), its functions over its error
// variables, and the functions that call the methods of its types that
// encode themselves (see writeMarshalers).
type loadedValues struct {
	path                                  string // the import path
	impls                                 []any
	types, errorsIs, errorVar, marshalers any
}

// splitLoaded splits what the evaluation reported (see load) by package:
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
// list holds, per type, its name and the functions (see writeMarshalers).
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

// loadedSource is one package of those an interpreter loads: the prepared
// one, or one it imports from source.
type loadedSource struct {
	virtualDir string // where the interpreter reads it
	src        *funcs.Package
	files      map[string][]byte // as rewritten
}

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
// encode themselves (see writeMarshalers), pkg imported as alias: nil
// when it has none.
func marshalersOf(pkg *funcs.Package, alias string) string {
	if len(pkg.MarshalerTypes()) == 0 {
		return "nil"
	}
	return alias + "." + MarshalersVar
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

var (
	importWrapper = regexp.MustCompile(`^\d+:\d+: import "[^"]*" error: `)
	positioned    = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`)
)

// sourceError turns an interpreter error into a funcs.ErrorList with
// positions in the user's files (see userPosition). files are the
// rewritten sources the interpreter read; panics knows where a panic
// while the package initialised happened, for an error without a
// position.
func (l *Loader) sourceError(loaded []loadedSource, err error, panics *panicRecorder) error {
	msg := realPaths(loaded).Replace(importWrapper.ReplaceAllString(err.Error(), ""))
	main := loaded[0]
	position := func(file string, line, col int) (token.Position, bool) {
		ls := main
		for _, o := range loaded[1:] {
			if filepath.ToSlash(filepath.Dir(file)) == filepath.ToSlash(filepath.Clean(o.src.Dir)) {
				ls = o
			}
		}
		return rewrite.UserPosition(ls.src, ls.files, file, line, col)
	}
	var list funcs.ErrorList
	for _, line := range strings.Split(strings.TrimSpace(msg), "\n") {
		// A message of a recovered panic starts with interpFailed; the
		// position follows it.
		prefix := ""
		if strings.HasPrefix(line, interpFailed) {
			prefix, line = interpFailed, strings.TrimPrefix(line, interpFailed)
		}
		if m := positioned.FindStringSubmatch(line); m != nil {
			ln, _ := strconv.Atoi(m[2])
			col, _ := strconv.Atoi(m[3])
			if pos, ok := position(m[1], ln, col); ok {
				list = append(list, &funcs.SourceError{Pos: pos, Msg: prefix + m[4]})
				continue
			}
		}
		// No position in the user's files: a panic of the package's code
		// while it initialised, where it happened, or else a failure of
		// the interpreter, at the package clause.
		pos, msg := typesutil.PackagePosition(main.src), interpFailed+line
		if panics != nil {
			if file, ln, col, ok := panics.position(); ok {
				l, _ := strconv.Atoi(ln)
				c, _ := strconv.Atoi(col)
				if p, ok := position(file, l, c); ok {
					pos, msg = p, "panic while the package initialised: "+line
				}
			}
		}
		list = append(list, &funcs.SourceError{Pos: pos, Msg: msg})
	}
	return list
}

// escapeControl replaces the control characters of a printed line, so
// that service code cannot forge log lines or send terminal escapes.
func escapeControl(r rune) rune {
	if r == '\t' {
		return r
	}
	if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
		return '?'
	}
	return r
}

// maxPrintLine bounds the text service code prints without a newline
// that a lineWriter keeps: past it, the text is logged as a line.
const maxPrintLine = 64 << 10

// lineWriter sends what interpreted code prints to the logger, a line at a
// time, with the package's real file names.
type lineWriter struct {
	logger      *slog.Logger
	pkg, stream string
	paths       *strings.Replacer // see realPaths
	// panics, if set, sees every line, for the position of a panic.
	panics *panicRecorder

	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

var _ io.Writer = (*lineWriter)(nil)

// Write implements io.Writer. It is safe for concurrent use.
func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		line, err := w.buf.ReadString('\n')
		if err != nil {
			w.buf.WriteString(line)
			if w.buf.Len() < maxPrintLine {
				break
			}
			// Text printed without a newline is logged once it is long
			// enough, so that it is never kept without bound.
			line = w.buf.String()
			w.buf.Reset()
		}
		line = strings.TrimRight(line, "\n")
		if w.paths != nil {
			line = w.paths.Replace(line)
		}
		// The interpreter names the functions it reports panics in; a
		// service's is named as written.
		line = strings.ReplaceAll(line, "."+ImplPrefix, ".")
		w.panics.line(line)
		w.logger.Info(strings.Map(escapeControl, line), "package", w.pkg, "stream", w.stream)
	}
	return len(p), nil
}
