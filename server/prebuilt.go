package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/gomod"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/worker"
)

// Prebuilt is the code of an application that microfn build compiled:
// every package of a folder compiled into the executable, with its
// sources (for its services' descriptions, routes and docs). A server
// with one (WithPrebuilt) serves those packages as they were built: it
// reads no folder, checks, prepares and interprets nothing, and needs no
// Go toolchain. Its workers are the executable started again.
type Prebuilt struct {
	// Root is the folder the application was built from: it names the
	// packages in logs and positions, and is never read.
	Root string `json:"root"`
	// Packages are the packages, each with its sources.
	Packages []PrebuiltPackage `json:"packages"`
	// Load loads a package's compiled code in a process (see
	// worker.CompiledLoader).
	Load worker.LoadFunc `json:"-"`
}

// A PrebuiltPackage is one package of a Prebuilt.
type PrebuiltPackage struct {
	// Rel is its directory relative to the root, "." for the root.
	Rel string `json:"rel"`
	// ImportPath is its import path in its module; empty outside one.
	ImportPath string `json:"importPath,omitempty"`
	// CompiledPath is the import path it was compiled as.
	CompiledPath string `json:"compiledPath"`
	// Files are its source files.
	Files []funcs.SourceFile `json:"files"`
	// Deps are the packages it imports from source, for the types of its
	// services' signatures.
	Deps []*funcs.PackageSource `json:"deps,omitempty"`
	// Migrations are its migrations (migrations/NAME/*.sql), by
	// database, each database's in order: the application applies them
	// where it runs, before the package loads, as microfn serve does.
	Migrations map[string][]PrebuiltMigration `json:"migrations,omitempty"`
}

// A PrebuiltMigration is one migration a built application carries.
type PrebuiltMigration struct {
	// Name is its file's name ("001_init.sql").
	Name string `json:"name"`
	// SQL is its text.
	SQL string `json:"sql"`
}

// migrations returns the migrations of p, by database, for an
// application built from the folder root: their paths name the folder
// they came from, for errors.
func (p *PrebuiltPackage) migrations(root string) map[string][]state.Migration {
	if len(p.Migrations) == 0 {
		return nil
	}
	out := map[string][]state.Migration{}
	for name, ms := range p.Migrations {
		for _, m := range ms {
			out[name] = append(out[name], state.Migration{Name: m.Name, Path: path.Join(root, p.Rel, "migrations", name, m.Name), SQL: m.SQL})
		}
		state.SortMigrations(out[name])
	}
	return out
}

// WithPrebuilt serves the packages of p, as microfn build compiled them,
// instead of those of a folder (whose path New then ignores). It needs a
// worker per package or no worker (IsolatePackage, IsolateNone).
func WithPrebuilt(p *Prebuilt) Option {
	return optionFunc(func(c *config) { c.prebuilt = p })
}

// pkg returns the package in rel of p.
func (p *Prebuilt) pkg(rel string) (*PrebuiltPackage, bool) {
	i := slices.IndexFunc(p.Packages, func(pkg PrebuiltPackage) bool { return pkg.Rel == rel })
	if i < 0 {
		return nil, false
	}
	return &p.Packages[i], true
}

// prebuiltPrepared returns the prepared code of a prebuilt package: what
// a worker of the executable needs to load its compiled code.
func prebuiltPrepared(p *PrebuiltPackage) *interp.Prepared {
	prep := &interp.Prepared{ImportPath: p.ImportPath, CompiledPath: p.CompiledPath}
	for _, d := range p.Deps {
		prep.Deps = append(prep.Deps, &interp.PreparedDep{PackageSource: *d})
	}
	return prep
}

// checkPrebuilt checks the configuration of a server of a Prebuilt.
func checkPrebuilt(c *config) error {
	if c.prebuilt == nil {
		return nil
	}
	if c.isolation == IsolateShared {
		return fmt.Errorf("a built application runs a worker per package (--isolate=package) or none (--isolate=none), not one shared worker")
	}
	if c.tier == TierCompiled || c.tier == TierAuto {
		c.tier = TierInterpreted // its code is compiled already: nothing to build
	}
	c.watch = false
	return nil
}

// A BuiltApp is an application BuildApp built.
type BuiltApp struct {
	// Exe is the executable.
	Exe string
	// Prebuilt is what the executable serves (without its Load, which
	// only the executable has): a server of this process serves the
	// same with WithPrebuilt and WithWorkerCommand(Exe).
	Prebuilt *Prebuilt
	// Services counts its services.
	Services int
	// Took is how long the go command took.
	Took time.Duration
}

// BuildApp builds the application of the packages of the folder dir
// into the executable out (microfn build DIR -o out): every package is
// read and prepared as serve would, then compiled natively with
// microfn's command, whose source tree build names (see compile.Options).
// Errors in the code are a funcs.ErrorList of every package's errors
// (file:line:col), and then no executable is written. opts are those of
// a server of the folder (WithAllow, WithUnrestricted).
func BuildApp(ctx context.Context, dir, out string, build compile.Options, opts ...Option) (*BuiltApp, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	dirs, err := funcs.PackageDirs(abs)
	if err != nil {
		return nil, err
	}
	mod, err := gomod.Find(abs, funcs.Limits{})
	if err != nil {
		return nil, err
	}
	srcs, errs := readServices(abs, dirs, mod)
	if len(errs) == 0 && len(srcs) == 0 {
		return nil, fmt.Errorf("build %s: no services below it", dir)
	}
	preps, failed, err := PrepareBuild(ctx, abs, srcs, opts...)
	if err != nil {
		return nil, err
	}
	rels := slices.Sorted(maps.Keys(srcs))
	for _, rel := range rels {
		if err := failed[rel]; err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	app := compile.App{Output: out}
	if mod != nil {
		app.Module = &compile.Module{Path: mod.Path, Dir: mod.Dir}
	}
	built := &BuiltApp{Exe: out, Prebuilt: &Prebuilt{Root: filepath.Base(abs)}}
	for _, rel := range rels {
		prep, src := preps[rel], srcs[rel]
		app.Packages = append(app.Packages, compile.Package{Dir: filepath.Join(abs, filepath.FromSlash(rel)), Prepared: prep})
		p, err := newPrebuiltPackage(abs, built.Prebuilt.Root, rel, src, prep)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", dir, err)
		}
		built.Prebuilt.Packages = append(built.Prebuilt.Packages, p)
		built.Services += len(src.Services)
	}
	if app.Manifest, err = json.Marshal(built.Prebuilt); err != nil {
		return nil, err
	}
	if build.StdErrors == nil {
		build.StdErrors = interp.StdErrorNames()
	}
	b, err := compile.NewBuilder(build)
	if err != nil {
		return nil, err
	}
	if built.Took, err = b.BuildApp(ctx, app); err != nil {
		return nil, err
	}
	return built, nil
}

// readServices reads and parses the packages in dirs of the folder abs,
// in the module mod if not nil, and returns those with services by
// directory, and the errors of those that could not be read or parsed.
// Programs and libraries are left out: a library is compiled with the
// packages that import it.
func readServices(abs string, dirs []string, mod *gomod.Module) (map[string]*funcs.Package, []error) {
	var imp funcs.Importer
	if mod != nil {
		imp = mod.Importer()
	}
	srcs := map[string]*funcs.Package{}
	var errs []error
	for _, rel := range dirs {
		pdir := filepath.Join(abs, filepath.FromSlash(rel))
		files, err := funcs.ReadDir(pdir, funcs.Limits{})
		if funcs.IsProgram(files) {
			continue // a program beside the services: never served
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		src, err := funcs.ParseWith(pdir, files, imp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(src.Services) == 0 {
			continue
		}
		if mod != nil {
			src.ImportPath = mod.ImportPath(pdir)
		}
		srcs[rel] = src
	}
	return srcs, errs
}

// newPrebuiltPackage returns the package in rel of the folder abs, as
// read (src) and prepared (prep), as an application built from the folder
// carries it: its sources, the packages it imports from source, named
// below root (the folder's base name: see portableDir), and its
// migrations.
func newPrebuiltPackage(abs, root, rel string, src *funcs.Package, prep *interp.Prepared) (PrebuiltPackage, error) {
	p := PrebuiltPackage{Rel: rel, ImportPath: src.ImportPath, CompiledPath: prep.CompiledPath, Files: sourceFiles(src)}
	for _, d := range prep.Deps {
		dep := d.PackageSource
		dep.Dir = portableDir(abs, root, dep.Dir, dep.ImportPath)
		p.Deps = append(p.Deps, &dep)
	}
	ms, err := state.Declared(src.Dir)
	if err != nil {
		return p, err
	}
	for name, list := range ms {
		if p.Migrations == nil {
			p.Migrations = map[string][]PrebuiltMigration{}
		}
		for _, m := range list {
			p.Migrations[name] = append(p.Migrations[name], PrebuiltMigration{Name: m.Name, SQL: m.SQL})
		}
	}
	return p, nil
}

// joinErrors returns errs as one error: a funcs.ErrorList of their
// positioned errors, sorted, if they all are, else errors.Join.
func joinErrors(errs []error) error {
	var list funcs.ErrorList
	for _, err := range errs {
		var l funcs.ErrorList
		if !errors.As(err, &l) {
			return errors.Join(errs...)
		}
		list = append(list, l...)
	}
	list.Sort()
	return list
}

// portableDir names dir, a directory of the folder abs, as the built
// application does: below the folder's base name base, so that positions
// in its messages do not name the machine it was built on. A directory
// outside the folder is named by its import path.
func portableDir(abs, base, dir, importPath string) string {
	rel, err := filepath.Rel(abs, dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return importPath
	}
	return filepath.Join(base, rel)
}

// PrepareBuild prepares the packages srcs of the folder dir, by directory
// relative to it, for microfn build: each is checked and rewritten, in a
// prepare process as serve does, and its version for the compiler is
// returned, or its load error. Nothing runs: the code is built, not
// loaded.
func PrepareBuild(ctx context.Context, dir string, srcs map[string]*funcs.Package, opts ...Option) (map[string]*interp.Prepared, map[string]error, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, nil, err
	}
	s := newServer(dir, cfg)
	loads, err := s.prepareOffline(ctx, srcs)
	defer s.Close()
	if err != nil {
		return nil, nil, err
	}
	preps, errs := map[string]*interp.Prepared{}, map[string]error{}
	for _, l := range loads {
		switch {
		case l.err != nil:
			errs[l.rel] = l.err
		case l.prep != nil:
			if err := l.prep.CompileError(); err != nil {
				errs[l.rel] = err
			} else {
				preps[l.rel] = l.prep
			}
		}
	}
	return preps, errs, ctx.Err()
}
