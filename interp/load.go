package interp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
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
	_, part := sandboxPart[path]
	return part && !l.opts.Unrestricted && !slices.Contains(l.opts.Allow, path)
}

// NewLoader returns a Loader with the given options.
func NewLoader(opts Options) *Loader {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Loader{
		opts:                opts,
		types:               newTypeChecker(),
		allowed:             map[string]bool{},
		allowedUnrestricted: map[string]bool{},
	}
	for _, p := range Allowed(opts.Unrestricted, opts.Allow...) {
		l.allowed[p] = true
	}
	l.compiled = map[string]bool{}
	for _, set := range opts.Compiled {
		for key := range set {
			l.compiled[importPathOfKey(key)] = true
			l.allowed[importPathOfKey(key)] = true
		}
	}
	for _, p := range Allowed(true) {
		l.allowedUnrestricted[p] = true
	}
	return l
}

// A Package is one loaded version of a package of service code. It is
// immutable and safe for concurrent use until [Package.Close].
type Package struct {
	// Source is the package as parsed.
	Source *funcs.Package
	// Services are the services, in the order of Source.Services.
	Services []*Service
	// Codec encodes the package's values.
	Codec *wire.Codec

	// Imported are the services of the packages it imports from source,
	// which its code calls through their proxies.
	Imported []*Service

	importPath string
	qualifier  string           // qualifies its error variables' names
	deps       []*funcs.Package // imported from source, as Prepared.Deps
	// errorFuncs match and give the error variables of the package and
	// of those it imports from source (see generated).
	errorFuncs []errorFuncs
	interp     *yaegi.Interpreter
	rt         *proxyRuntime
	stop       context.CancelFunc
}

// Close stops every execution of the package's code still running,
// including goroutines it started: the interpreter abandons them at their
// next step. Calls of its services after Close have undefined results.
func (p *Package) Close() {
	p.stop()
}

// Load checks, rewrites and interprets src. call carries out the calls
// between its services. Problems in the source are returned as a
// funcs.ErrorList with positions in src's files. It is [Loader.Prepare]
// followed by [Loader.Run].
func (l *Loader) Load(ctx context.Context, src *funcs.Package, call CallFunc) (*Package, error) {
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

	importerOnce sync.Once
	importer     funcs.Importer // see Importer
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
	if len(src.Files) == 0 {
		return nil, fmt.Errorf("load %s: no Go files", src.Dir)
	}
	deps, err := collectSources(src, imp, l.compiled)
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
			chk, err := l.types.checkAs(d.pkg, d.pkg.ImportPath, checkedDeps)
			if err != nil || !chk.complete {
				continue // the interpreter's symbols still give the package
			}
			checkedDeps[d.pkg.ImportPath] = chk.pkg
			continue
		}
		chk, err := l.check(d.pkg, d.pkg.ImportPath, sources, checkedDeps)
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
		path = checkPath(src)
	}
	chk, err := l.check(src, path, sources, checkedDeps)
	if err != nil {
		return nil, err
	}
	files, err := rewritePackage(src, chk.info, 0)
	if err != nil {
		return nil, err
	}
	prep := &Prepared{ImportPath: src.ImportPath, Files: files}
	first := len(src.Services)
	for _, d := range deps {
		if d.typesOnly {
			continue
		}
		files, err := rewritePackage(d.pkg, d.info, first)
		if err != nil {
			return nil, withChain(err, d)
		}
		first += len(d.pkg.Services)
		pd := &PreparedDep{ImportPath: d.pkg.ImportPath, Dir: d.pkg.Dir, Files: files}
		for _, f := range d.pkg.Files {
			pd.Sources = append(pd.Sources, funcs.SourceFile{Name: f.Name, Src: f.Src})
		}
		prep.Deps = append(prep.Deps, pd)
	}
	return prep, nil
}

// check checks the imports, the types, the sandbox and the calls at init
// of pkg, type-checked as path with deps. Its type information is nil
// when it is not trustworthy (see checked).
func (l *Loader) check(pkg *funcs.Package, path string, sources map[string]bool, deps map[string]*types.Package) (*checked, error) {
	if err := checkImports(pkg, l.allowed, l.allowedUnrestricted, l.partial, sources); err != nil {
		return nil, err
	}
	chk, err := l.types.checkAs(pkg, path, deps)
	if err != nil {
		return nil, err
	}
	if !chk.complete {
		chk.info = nil
	}
	if err := checkInitCalls(pkg, chk.info); err != nil {
		return nil, err
	}
	if err := checkBodies(pkg); err != nil {
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
					"function %s has no Go body (it is written in assembly), which the interpreter cannot run: use a version with a pure-Go fallback (often the purego build tag), or compile the module in with microfn build --with", fd.Name.Name)})
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
		return funcs.ErrorList{&funcs.SourceError{Pos: packagePosition(d.pkg), Msg: d.importChain() + err.Error()}}
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
func (l *Loader) Run(ctx context.Context, src *funcs.Package, prep *Prepared, call CallFunc) (pkg *Package, err error) {
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
	pkg = &Package{Source: src, importPath: importPath, qualifier: prep.ImportPath}
	if pkg.qualifier == "" {
		pkg.qualifier = src.Name
	}
	loaded := []loadedSource{{virtualDir: virtualDir, src: src, files: files}}
	descs := slices.Clone(src.Services)
	imp := prep.Importer()
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
		pkg.deps = append(pkg.deps, dsrc)
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
	pkg.interp = i
	pkg.rt = &proxyRuntime{pkg: pkg, call: call, logger: l.opts.Logger, descs: descs}
	for _, set := range append(symbolSets(l.opts.Unrestricted, l.opts.Allow), l.opts.Compiled...) {
		if err := i.Use(set); err != nil {
			return nil, fmt.Errorf("load %s: export host symbols: %w", src.Dir, err)
		}
	}
	if err := i.Use(pkg.rt.exports()); err != nil {
		return nil, fmt.Errorf("load %s: export proxy runtime: %w", src.Dir, err)
	}
	stopCtx, stop := context.WithCancel(context.Background())
	pkg.stop = stop
	values, err := pkg.evalLoad(ctx, stopCtx)
	panics.stop()
	if err != nil {
		stop()
		return nil, l.sourceError(loaded, err, panics)
	}
	pkg.Codec = wire.NewCodec()
	newService := func(d *funcs.Descriptor, v any, imported string) (*Service, error) {
		impl := reflect.ValueOf(v)
		if impl.Kind() != reflect.Func {
			return nil, fmt.Errorf("load %s: the interpreter did not define %s", src.Dir, d.Name)
		}
		f, err := pkg.Codec.NewFunc(d, impl.Type())
		if err != nil {
			return nil, &funcs.SourceError{Pos: d.Pos, Msg: err.Error()}
		}
		return &Service{Desc: d, Func: f, Package: pkg, ImportedFrom: imported, impl: impl}, nil
	}
	for k, d := range src.Services {
		svc, err := newService(d, values[k], "")
		if err != nil {
			stop()
			return nil, err
		}
		svc.Index = len(pkg.Services)
		pkg.Services = append(pkg.Services, svc)
	}
	n := len(src.Services)
	pkg.registerTypes(reflect.ValueOf(values[n]))
	pkg.errorFuncs = append(pkg.errorFuncs, errorFuncs{pkg.qualifier, reflect.ValueOf(values[n+1]), reflect.ValueOf(values[n+2])})
	values = values[n+3:]
	for _, dsrc := range pkg.deps {
		for k, d := range dsrc.Services {
			svc, err := newService(d, values[k], dsrc.ImportPath)
			if err != nil {
				stop()
				return nil, err
			}
			svc.Index = len(pkg.Imported)
			pkg.Imported = append(pkg.Imported, svc)
		}
		n := len(dsrc.Services)
		pkg.errorFuncs = append(pkg.errorFuncs, errorFuncs{dsrc.ImportPath, reflect.ValueOf(values[n]), reflect.ValueOf(values[n+1])})
		values = values[n+2:]
	}
	pkg.rt.services = append(slices.Clone(pkg.Services), pkg.Imported...)
	pkg.rt.ready.Store(true)
	return pkg, nil
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

// evalLoad loads the package with one evaluation that imports it (running
// its init functions), reports the implementations of its services, its
// list of struct types and its functions over its error variables to the
// host, and then parks until stopCtx ends.
// The parked evaluation gives the interpreter a context whose end stops
// every running frame: that is how Close stops the code. Everything
// happens in one evaluation because starting an evaluation writes state of
// the interpreter that goroutines started by init may be reading.
func (p *Package) evalLoad(ctx, stopCtx context.Context) ([]any, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "import %s %q\nimport %s %q\n", pkgAlias, p.importPath, proxyName, proxyPath)
	for k, d := range p.deps {
		fmt.Fprintf(&b, "import %s%d %q\n", depAlias, k, d.ImportPath)
	}
	fmt.Fprintf(&b, "\nfunc init() {\n\t%s.Loaded([]any{", proxyName)
	for _, d := range p.Source.Services {
		fmt.Fprintf(&b, "%s.%s%s, ", pkgAlias, ImplPrefix, d.Name)
	}
	fmt.Fprintf(&b, "%s.%s, %s.%s, %s.%s, ", pkgAlias, TypesVar, pkgAlias, ErrorsIsFunc, pkgAlias, ErrorVarFunc)
	for k, d := range p.deps {
		for _, svc := range d.Services {
			fmt.Fprintf(&b, "%s%d.%s%s, ", depAlias, k, ImplPrefix, svc.Name)
		}
		fmt.Fprintf(&b, "%s%d.%s, %s%d.%s, ", depAlias, k, ErrorsIsFunc, depAlias, k, ErrorVarFunc)
	}
	fmt.Fprintf(&b, "})\n\t%s.Park()\n}\n", proxyName)
	p.rt.loaded = make(chan []any, 1)
	p.rt.parked, p.rt.returned = make(chan struct{}), make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(p.rt.returned)
		errc <- evalSource(stopCtx, p.interp, b.String())
	}()
	select {
	case values := <-p.rt.loaded:
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

// registerTypes tells the codec the interpreter's representation of every
// struct type of the package, so values of them inside an any encode as
// written.
func (p *Package) registerTypes(v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice {
		return
	}
	names := structTypeNames(p.Source)
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
		return userPosition(ls.src, ls.files, file, line, col)
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
		pos, msg := packagePosition(main.src), interpFailed+line
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

// userColumn maps a column the interpreter reported in the rewritten file
// to the user's: on the package clause's line, the rewrite inserted the
// import of the proxy runtime.
func userColumn(src *funcs.Package, files map[string][]byte, filename string, line, col int) int {
	for _, f := range src.Files {
		if f.Name != path.Base(filepath.ToSlash(filename)) {
			continue
		}
		p := src.Fset.Position(f.AST.Name.End())
		if line != p.Line || col <= p.Column || !bytes.HasPrefix(files[f.Name][p.Offset:], []byte(proxyImport)) {
			return col
		}
		return max(p.Column, col-len(proxyImport))
	}
	return col
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
