package compile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// Options configure a [Builder].
type Options struct {
	// Go is the go command. Default: "go" from PATH.
	Go string
	// Source is microfn's source tree. Default: SourceDir().
	Source string
	// Cache is where built executables and build directories live.
	// Default: $MICROFN_WORKER_CACHE, else microfn/workers in the user's
	// cache directory (see DefaultCacheDir).
	Cache string
	// CacheSize is the most bytes the cache's executables may take:
	// past it, those used least recently and in use by no one are
	// removed, at start and after each build (see [Cache]). Default:
	// $MICROFN_WORKER_CACHE_SIZE, else DefaultCacheSize; negative: no
	// limit.
	CacheSize int64
	// Logger is told when the cache cannot fit its budget, and when a
	// trim of it fails. Default: none.
	Logger *slog.Logger
	// StdErrors names the standard library's error variables the code
	// may return ("io.EOF", "io/fs.ErrNotExist"): a compiled worker knows
	// those of the packages its code imports, so that errors keep their
	// identity across calls.
	StdErrors []string
	// Symbols keeps the symbol table and the debugging information in
	// the executables built (go build without -ldflags=-s -w), so that a
	// profiler such as perf names their functions; they are about half
	// as large again. Default: set when the environment has
	// EnvSymbols=1.
	Symbols bool
}

// EnvSymbols, set to 1 in the environment, makes a Builder keep the
// symbols of what it builds (see Options.Symbols).
const EnvSymbols = "MICROFN_SYMBOLS"

// A Builder builds compiled workers. It is safe for concurrent use.
type Builder struct {
	opts      Options
	cache     *Cache
	goVersion string
	exeID     string // identifies this microfn executable, in cache keys
}

// NewBuilder returns a builder, or an error saying why this machine
// cannot build compiled workers (no Go toolchain, no microfn source).
func NewBuilder(opts Options) (*Builder, error) {
	if opts.Go == "" {
		opts.Go = "go"
	}
	goCmd, err := exec.LookPath(opts.Go)
	if err != nil {
		return nil, fmt.Errorf("the compiled tier needs the Go toolchain: %w", err)
	}
	opts.Go = goCmd
	if os.Getenv(EnvSymbols) == "1" {
		opts.Symbols = true
	}
	if opts.Source == "" {
		if opts.Source, err = SourceDir(); err != nil {
			return nil, err
		}
	}
	cache, err := openCache(&opts)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(goCmd, "env", "GOVERSION").Output()
	if err != nil {
		return nil, fmt.Errorf("run %s env: %w", goCmd, err)
	}
	b := &Builder{opts: opts, cache: cache, goVersion: strings.TrimSpace(string(out))}
	if exe, err := os.Executable(); err == nil {
		if st, err := os.Stat(exe); err == nil {
			b.exeID = fmt.Sprintf("%s %d %d", exe, st.Size(), st.ModTime().UnixNano())
		}
	}
	b.trim()
	return b, nil
}

// openCache opens the cache opts names, filling in its defaults.
func openCache(opts *Options) (*Cache, error) {
	var err error
	if opts.Cache == "" {
		if opts.Cache, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	if opts.CacheSize == 0 {
		if opts.CacheSize, err = CacheSizeFromEnv(); err != nil {
			return nil, err
		}
	}
	return OpenCache(opts.Cache, opts.CacheSize, opts.Logger)
}

// Cache returns the builder's cache of executables.
func (b *Builder) Cache() *Cache { return b.cache }

// trim trims the cache to its budget; a failure is logged, and the
// build goes on.
func (b *Builder) trim() {
	if _, err := b.cache.Trim(); err != nil && b.opts.Logger != nil {
		b.opts.Logger.Warn("trim the compiled workers' cache: " + err.Error())
	}
}

// A Module is the module a package belongs to.
type Module struct {
	// Path is the module path.
	Path string
	// Dir is the directory of its go.mod.
	Dir string
}

// A Request is what to build: versions of packages of one module, into
// one executable that runs any of them (a worker loads the package its
// spec names), or one package outside a module.
type Request struct {
	// Module is the packages' module; nil outside one.
	Module *Module
	// Packages are the package versions.
	Packages []Package
}

// A Package is one package version of a Request.
type Package struct {
	// Dir is the package's directory.
	Dir string
	// Prepared is the package as the interpreter's loader prepared it,
	// with its version for the compiler.
	Prepared *interp.Prepared
}

// A Result is a built worker executable. It holds a lease on the
// executable (see [Cache.Lease]), which keeps it from being evicted until
// [Result.Release].
type Result struct {
	// Exe is the executable.
	Exe string
	// Cached reports that it was built before, from the same code.
	Cached bool
	// Took is how long the build took.
	Took time.Duration

	lease *Lease
}

// Release releases the result's lease on its executable: once the
// workers started from it hold leases of their own, or none will be. It
// may be called more than once, and on nil.
func (r *Result) Release() {
	if r != nil {
		r.lease.Release()
	}
}

// source is one package of a build: where it is, and its files for the
// compiler.
type source struct {
	path  string // import path
	dir   string
	files map[string][]byte
}

// Build builds the worker executable of req. Errors in the code are a
// funcs.ErrorList with positions in the user's files.
func (b *Builder) Build(ctx context.Context, req Request) (*Result, error) {
	start := time.Now()
	if req.Module == nil && len(req.Packages) > 1 {
		return nil, errors.New("build: packages outside a module are built one at a time")
	}
	own, paths, err := sources(req)
	if err != nil {
		return nil, err
	}
	loader, err := b.loaderSource(own, paths)
	if err != nil {
		return nil, err
	}
	main := loader.file("// Code generated by microfn for a compiled worker. DO NOT EDIT.",
		[]string{"fmt", "os", ModulePath + "/protocol"},
		"func main() {\n\tif !protocol.IsWorker() {\n\t\tfmt.Fprintln(os.Stderr, \"this is a compiled microfn worker: microfn serve starts it\")\n\t\tos.Exit(2)\n\t}\n\tos.Exit(worker.Main(worker.Code{Load: "+loader.expr+"}))\n}\n")
	work, release, err := b.workDir(buildPrefix)
	if err != nil {
		return nil, err
	}
	defer release()
	plan, err := b.plan(work, req.Module, own, mainPackage{dir: "microfn_worker_main", files: map[string][]byte{"main.go": main}})
	if err != nil {
		return nil, err
	}
	if !usesDatabases(req) {
		plan.flags = append(plan.flags, "-tags="+NoDatabaseTag)
	}
	exe := filepath.Join(b.opts.Cache, exePrefix+plan.key)
	l, err := lease(exe)
	if err != nil {
		return nil, err
	}
	if err := touch(exe); err == nil {
		return &Result{Exe: exe, Cached: true, Took: time.Since(start), lease: l}, nil
	}
	tmpExe := filepath.Join(work, "worker")
	if err := b.goBuild(ctx, plan, tmpExe); err != nil {
		l.Release()
		return nil, err
	}
	if err := os.Rename(tmpExe, exe); err != nil {
		l.Release()
		return nil, err
	}
	b.trim()
	return &Result{Exe: exe, Took: time.Since(start), lease: l}, nil
}

// workDir makes a build folder in the cache, held (see holdDir) until
// release, which removes it.
func (b *Builder) workDir(prefix string) (dir string, release func(), err error) {
	dir, err = os.MkdirTemp(b.opts.Cache, prefix)
	if err != nil {
		return "", nil, fmt.Errorf("make a build folder: %w", err)
	}
	unhold, err := holdDir(dir)
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, func() {
		os.RemoveAll(dir)
		unhold()
	}, nil
}

// sources returns the packages a build of req rewrites, each once, and
// the import paths the packages of req are compiled as.
func sources(req Request) ([]source, []string, error) {
	if len(req.Packages) == 0 {
		return nil, nil, errors.New("build: no package")
	}
	byPath := map[string]source{}
	var paths []string
	for _, p := range req.Packages {
		if err := p.Prepared.CompileError(); err != nil {
			return nil, nil, err
		}
		own, err := ownSources(req.Module, p)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range own {
			byPath[s.path] = s // the same code whichever package reaches it
		}
		paths = append(paths, p.Prepared.CompiledPath)
	}
	own := make([]source, 0, len(byPath))
	for _, s := range byPath {
		own = append(own, s)
	}
	sort.Slice(own, func(i, j int) bool { return own[i].path < own[j].path })
	return own, paths, nil
}

// A mainPackage is the main package of a build: its directory, relative
// to the module's, and its files.
type mainPackage struct {
	dir   string
	files map[string][]byte
}

// plan plans a build of own with main, in the module m or outside one.
func (b *Builder) plan(work string, m *Module, own []source, main mainPackage) (*buildPlan, error) {
	if m != nil {
		return b.inModule(work, m, own, main)
	}
	return b.standalone(work, own, main)
}

// goBuild runs go build as plan says, writing the executable exe.
func (b *Builder) goBuild(ctx context.Context, plan *buildPlan, exe string) error {
	args := []string{"build", "-o", exe}
	if !b.opts.Symbols {
		args = append(args, "-ldflags=-s -w")
	}
	args = append(args, plan.flags...)
	args = append(args, plan.pkg)
	cmd := exec.CommandContext(ctx, b.opts.Go, args...)
	cmd.Dir = plan.dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local", "GONOSUMDB=*", "GONOSUMCHECK=1", "GOSUMDB=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return buildError(out.String(), plan.paths, err)
	}
	return nil
}

// ownSources returns the packages the build rewrites for pkg: the
// package itself and the packages of its module it imports. The others it
// imports (other modules') are compiled as they are.
func ownSources(m *Module, pkg Package) ([]source, error) {
	prep := pkg.Prepared
	dirs := map[string]string{prep.CompiledPath: pkg.Dir}
	for _, d := range prep.Deps {
		dirs[d.ImportPath] = d.Dir
	}
	var out []source
	for p, files := range prep.Compiled {
		if p != prep.CompiledPath && (m == nil || !(p == m.Path || strings.HasPrefix(p, m.Path+"/"))) {
			continue
		}
		dir, ok := dirs[p]
		if !ok {
			return nil, fmt.Errorf("build %s: no directory for package %s", pkg.Dir, p)
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		out = append(out, source{path: p, dir: abs, files: files})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, nil
}

// A buildPlan is how to run go build.
type buildPlan struct {
	dir   string   // where to run it
	pkg   string   // the main package, as go build takes it
	flags []string // -modfile, -overlay
	key   string   // identifies what is built
	// paths maps paths in the compiler's messages to the user's.
	paths *strings.Replacer
}

// inModule plans a build with the module as the main module: the
// rewritten files by overlay, microfn added by a go.mod of the build's.
func (b *Builder) inModule(work string, m *Module, own []source, main mainPackage) (*buildPlan, error) {
	h := b.hasher()
	overlay := map[string]string{}
	n := 0
	put := func(real string, data []byte) error {
		n++
		f := filepath.Join(work, "overlay", strconv.Itoa(n)+"-"+filepath.Base(real))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		overlay[real] = f
		fmt.Fprintf(h, "file %s %d\n", real, len(data))
		h.Write(data)
		return os.WriteFile(f, data, 0o644)
	}
	for _, s := range own {
		for _, name := range sortedNames(s.files) {
			if err := put(filepath.Join(s.dir, name), s.files[name]); err != nil {
				return nil, err
			}
		}
		// A file on disk that the package was not loaded with (written
		// since) is not compiled either.
		onDisk, _ := filepath.Glob(filepath.Join(s.dir, "*.go"))
		for _, f := range onDisk {
			if _, ok := s.files[filepath.Base(f)]; !ok && !strings.HasSuffix(f, "_test.go") {
				overlay[f] = ""
			}
		}
	}
	for _, name := range sortedNames(main.files) {
		if err := put(filepath.Join(m.Dir, main.dir, name), main.files[name]); err != nil {
			return nil, err
		}
	}
	goMod, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
	if err != nil {
		return nil, err
	}
	goSum, _ := os.ReadFile(filepath.Join(m.Dir, "go.sum"))
	if m.Path != ModulePath {
		if goMod, err = b.withMicrofn(goMod); err != nil {
			return nil, err
		}
		srcSum, _ := os.ReadFile(filepath.Join(b.opts.Source, "go.sum"))
		goSum = sameLines(goSum, srcSum)
	}
	h.Write(goMod)
	h.Write(goSum)
	if err := os.WriteFile(filepath.Join(work, "go.mod"), goMod, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "go.sum"), goSum, 0o644); err != nil {
		return nil, err
	}
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "overlay.json"), ov, 0o644); err != nil {
		return nil, err
	}
	return &buildPlan{
		dir:   m.Dir,
		pkg:   "./" + main.dir,
		flags: []string{"-modfile", filepath.Join(work, "go.mod"), "-overlay", filepath.Join(work, "overlay.json")},
		key:   hex.EncodeToString(h.Sum(nil))[:32],
		paths: strings.NewReplacer(),
	}, nil
}

// standalone plans the build of a package outside a module: a module of
// its own in the build's directory, with the package's rewritten files
// written into it.
func (b *Builder) standalone(work string, own []source, main mainPackage) (*buildPlan, error) {
	h := b.hasher()
	modPath := "microfn.local"
	var pairs []string
	write := func(f string, data []byte) error {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			return err
		}
		rel, _ := filepath.Rel(work, f)
		fmt.Fprintf(h, "file %s %d\n", rel, len(data))
		h.Write(data)
		return os.WriteFile(f, data, 0o644)
	}
	for _, s := range own {
		rel, ok := strings.CutPrefix(s.path, modPath+"/")
		if !ok {
			return nil, fmt.Errorf("build %s: package %s outside a module", s.dir, s.path)
		}
		dir := filepath.Join(work, filepath.FromSlash(rel))
		pairs = append(pairs, dir+string(filepath.Separator), s.dir+string(filepath.Separator))
		for name, data := range s.files {
			if err := write(filepath.Join(dir, name), data); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range sortedNames(main.files) {
		if err := write(filepath.Join(work, main.dir, name), main.files[name]); err != nil {
			return nil, err
		}
	}
	goMod, err := b.withMicrofn([]byte("module " + modPath + "\n\ngo " + strings.TrimPrefix(b.goVersion, "go") + "\n"))
	if err != nil {
		return nil, err
	}
	goSum, _ := os.ReadFile(filepath.Join(b.opts.Source, "go.sum"))
	h.Write(goMod)
	if err := write(filepath.Join(work, "go.mod"), goMod); err != nil {
		return nil, err
	}
	if err := write(filepath.Join(work, "go.sum"), goSum); err != nil {
		return nil, err
	}
	return &buildPlan{
		dir:   work,
		pkg:   "./" + main.dir,
		key:   hex.EncodeToString(h.Sum(nil))[:32],
		paths: strings.NewReplacer(pairs...),
	}, nil
}

// withMicrofn adds microfn, from its source tree, to the requirements of
// a go.mod, with microfn's own replacement of yaegi (a module's
// replacements apply only where it is the main module), which the
// command needs and a compiled worker never links.
func (b *Builder) withMicrofn(goMod []byte) ([]byte, error) {
	f, err := modfile.Parse("go.mod", goMod, nil)
	if err != nil {
		return nil, fmt.Errorf("read go.mod: %w", err)
	}
	const v = "v0.0.0-00010101000000-000000000000"
	if err := f.AddRequire(ModulePath, v); err != nil {
		return nil, err
	}
	if err := f.AddReplace(ModulePath, "", b.opts.Source, ""); err != nil {
		return nil, err
	}
	if err := f.AddReplace(yaegiPath, "", filepath.Join(b.opts.Source, "third_party", "yaegi"), ""); err != nil {
		return nil, err
	}
	return f.Format()
}

// yaegiPath is the module path of the interpreter microfn carries a fork
// of.
const yaegiPath = "github.com/traefik/yaegi"

// sortedNames returns the names of files, sorted.
func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// hasher starts the hash of a build, with what is the same for every
// package: the toolchain, and microfn.
func (b *Builder) hasher() interface {
	Write([]byte) (int, error)
	Sum([]byte) []byte
} {
	h := sha256.New()
	fmt.Fprintf(h, "microfn compiled worker v1\n%s\n%s\n%s\n", b.goVersion, b.opts.Source, b.exeID)
	if b.opts.Symbols {
		fmt.Fprintf(h, "symbols\n")
	}
	return h
}

// compileLine is a line of the compiler's output with a position.
var compileLine = regexp.MustCompile(`^(.+?\.go):(\d+):(\d+): (.*)$`)

// buildError turns the go command's output into an error: the compiler's
// messages as a funcs.ErrorList at the user's positions, or the output as
// it is.
func buildError(out string, paths *strings.Replacer, err error) error {
	var list funcs.ErrorList
	for _, line := range strings.Split(out, "\n") {
		m := compileLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		ln, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		list = append(list, &funcs.SourceError{Pos: token.Position{Filename: paths.Replace(m[1]), Line: ln, Column: col}, Msg: "the compiler: " + m[4]})
	}
	if len(list) > 0 {
		return list
	}
	msg := strings.TrimSpace(paths.Replace(out))
	if msg == "" {
		return fmt.Errorf("go build: %w", err)
	}
	return errors.New("go build: " + msg)
}

// A loader is the Go source of a worker.CompiledLoader of compiled
// packages, for a file of package main: the imports it needs, the
// expression, and the declaration of the standard library's error
// variables it refers to.
type loader struct {
	imports []string // lines of an import block
	expr    string
	decls   string
}

// loaderSource returns the loader of the packages compiled as paths,
// among own.
func (b *Builder) loaderSource(own []source, paths []string) (*loader, error) {
	l := &loader{imports: []string{fmt.Sprintf("%q", ModulePath+"/worker")}}
	std := map[string]bool{}
	fset := token.NewFileSet()
	for i, s := range own {
		l.imports = append(l.imports, fmt.Sprintf("p%d %q", i, s.path))
		for name, data := range s.files {
			f, err := parser.ParseFile(fset, name, data, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, imp := range f.Imports {
				if p, err := strconv.Unquote(imp.Path.Value); err == nil && !strings.Contains(strings.Split(p, "/")[0], ".") && p != "C" {
					std[p] = true
				}
			}
		}
	}
	stdNames := map[string]string{} // import path → alias
	var entries []string
	for _, q := range b.opts.StdErrors {
		i := strings.LastIndex(q, ".")
		if i < 0 || !std[q[:i]] || strings.Contains(q[:i], "internal") {
			continue
		}
		p := q[:i]
		alias, ok := stdNames[p]
		if !ok {
			alias = "s" + strconv.Itoa(len(stdNames))
			stdNames[p] = alias
		}
		entries = append(entries, fmt.Sprintf("\t%q: %s.%s,\n", q, alias, q[i+1:]))
	}
	stdPaths := make([]string, 0, len(stdNames))
	for p := range stdNames {
		stdPaths = append(stdPaths, p)
	}
	sort.Strings(stdPaths)
	for _, p := range stdPaths {
		l.imports = append(l.imports, fmt.Sprintf("%s %q", stdNames[p], p))
	}
	var expr strings.Builder
	expr.WriteString("worker.CompiledLoader(microfnStdErrors,\n")
	found := map[string]bool{}
	for i, s := range own {
		found[s.path] = true
		fmt.Fprintf(&expr, "\t\tworker.CompiledPackage{Path: %q, ErrorsIs: p%d.%s, ErrorVar: p%d.%s, Impls: map[string]any{", s.path, i, interp.ErrorsIsFunc, i, interp.ErrorVarFunc)
		for _, name := range implNames(s.files) {
			fmt.Fprintf(&expr, "%q: p%d.%s%s, ", name, i, interp.ImplPrefix, name)
		}
		expr.WriteString("}},\n")
	}
	expr.WriteString("\t)")
	l.expr = expr.String()
	for _, p := range paths {
		if !found[p] {
			return nil, fmt.Errorf("build %s: no compiled code for it", p)
		}
	}
	var decls strings.Builder
	decls.WriteString("// microfnStdErrors are the standard library's error variables the\n// compiled code can return, by name.\nvar microfnStdErrors = map[string]error{\n")
	slices.Sort(entries)
	for _, e := range entries {
		decls.WriteString(e)
	}
	decls.WriteString("}\n")
	l.decls = decls.String()
	return l, nil
}

// file returns a Go file of package main with the loader's imports and
// declarations and those given: a header comment, more import paths, and
// the rest of the file.
func (l *loader) file(header string, imports []string, body string) []byte {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s\n\npackage main\n\nimport (\n", header)
	for _, p := range imports {
		fmt.Fprintf(&buf, "\t%q\n", p)
	}
	for _, line := range l.imports {
		fmt.Fprintf(&buf, "\t%s\n", line)
	}
	fmt.Fprintf(&buf, ")\n\n%s\n%s", body, l.decls)
	if src, err := format.Source(buf.Bytes()); err == nil {
		return src
	}
	return buf.Bytes()
}

// implNames returns the names of the services whose implementations the
// rewritten files declare, sorted.
func implNames(files map[string][]byte) []string {
	var names []string
	fset := token.NewFileSet()
	for name, data := range files {
		f, err := parser.ParseFile(fset, name, data, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil {
				if svc, ok := strings.CutPrefix(fn.Name.Name, interp.ImplPrefix); ok {
					names = append(names, svc)
				}
			}
		}
	}
	sort.Strings(names)
	return names
}
