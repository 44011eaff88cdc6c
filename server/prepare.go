package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"go/token"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/mod/module"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"
)

// needsCode reports whether a version of the package in rel with the
// services descs runs code here, and so needs its code prepared, not only
// checked: with workers, when this server serves one of its services;
// in the server's process, when it has services (a library runs within
// the packages that import it).
func (s *Server) needsCode(rel string, descs []*funcs.Descriptor) bool {
	if s.noRun {
		return false
	}
	if s.cfg.isolation == IsolateNone {
		return len(descs) > 0
	}
	for _, d := range descs {
		if s.cfg.serves(routePrefix(rel) + d.Route) {
			return true
		}
	}
	return false
}

// prepareAll checks the packages of a reload group that are to be loaded,
// and prepares the code of those that run here (see needsCode), setting
// each load's prep or err. Their imported packages are checked once for
// the group. With worker processes this happens in one prepare process,
// under the workers' limits and sandbox (see prepareSplitting); without,
// in the server.
func (s *Server) prepareAll(ctx context.Context, loads []*pendingLoad, sources interp.SourceImporter) {
	if len(loads) == 0 {
		return
	}
	if s.cfg.prebuilt != nil {
		// Checked and compiled when the application was built.
		for _, l := range loads {
			if p, ok := s.cfg.prebuilt.pkg(l.rel); ok && s.needsCode(l.rel, l.src.Services) {
				l.prep = prebuiltPrepared(p)
			}
		}
		return
	}
	if s.cfg.isolation == IsolateNone {
		s.prepareHere(loads, sources)
		return
	}
	s.prepareSplitting(ctx, loads, sources)
}

// prepareSplitting prepares loads in one prepare process; if a limit ends
// it, it prepares each half of them in a process of its own, the halves
// side by side, and so on down to the package that needs too much: a
// group of n packages with one such costs about 2·log₂(n) processes.
func (s *Server) prepareSplitting(ctx context.Context, loads []*pendingLoad, sources interp.SourceImporter) {
	err := s.prepareInProcess(ctx, loads, sources)
	switch {
	case err == nil:
		return
	case len(loads) == 1 || ctx.Err() != nil:
		for _, l := range loads {
			l.err = prepareFailed(l.src, err)
		}
		return
	}
	half := len(loads) / 2
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.prepareSplitting(ctx, loads[:half], sources)
	}()
	s.prepareSplitting(ctx, loads[half:], sources)
	wg.Wait()
}

// prepareFailed places the error of a prepare process that ended without
// its outcome at the package.
func prepareFailed(src *funcs.Package, err error) error {
	var pe *supervisor.PrepareError
	if !errors.As(err, &pe) {
		return err
	}
	pos := token.Position{Filename: src.Dir}
	if len(src.Files) > 0 {
		pos = src.Fset.Position(src.Files[0].AST.Package)
	}
	return funcs.ErrorList{&funcs.SourceError{Pos: pos, Msg: pe.Error()}}
}

// prepareHere prepares loads in the server's process.
func (s *Server) prepareHere(loads []*pendingLoad, sources interp.SourceImporter) {
	batch := s.loader.NewBatch(sources)
	sem := make(chan struct{}, maxParallelLoads)
	var wg sync.WaitGroup
	for _, l := range loads {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if s.needsCode(l.rel, l.src.Services) {
				l.prep, l.err = batch.Prepare(l.src)
			} else {
				l.err = batch.Check(l.src)
			}
		}()
	}
	wg.Wait()
}

// prepareInProcess prepares loads in one prepare process and sets their
// outcomes. An error means the process gave none: a limit ended it.
func (s *Server) prepareInProcess(ctx context.Context, loads []*pendingLoad, sources interp.SourceImporter) error {
	srcs := make([]*funcs.Package, len(loads))
	for i, l := range loads {
		srcs[i] = l.src
	}
	pkgs, std := importedSources(srcs, sources)
	var specs []protocol.PackageSpec
	var labels []string
	for _, l := range loads {
		specs = append(specs, protocol.PackageSpec{
			Rel:        l.rel,
			Files:      l.files,
			ImportPath: l.src.ImportPath,
			CheckOnly:  !s.needsCode(l.rel, l.src.Services),
		})
		labels = append(labels, l.label)
	}
	w := s.workerSpec(strings.Join(labels, ", "), "", specs...)
	spec, cfg := w.forPrepare(&protocol.PrepareSpec{Sources: pkgs, Exports: s.exports.find(std)})
	ready, err := supervisor.Prepare(ctx, cfg, spec)
	if err != nil {
		return err
	}
	for _, w := range ready.Warnings {
		s.warnOnce(w)
	}
	for i, l := range loads {
		if list, failed := ready.Failed[l.rel]; failed {
			l.err = protocol.Err(list)
			continue
		}
		if spec.Packages[i].CheckOnly {
			continue
		}
		raw, ok := ready.Prepared[l.rel]
		if !ok {
			l.err = fmt.Errorf("load %s: the prepare process gave nothing", l.label)
			continue
		}
		var prep interp.Prepared
		if err := json.Unmarshal(raw, &prep); err != nil {
			l.err = fmt.Errorf("load %s: read the prepared package: %w", l.label, err)
			continue
		}
		l.prep = &prep
	}
	return nil
}

// importedSources returns the packages srcs import from source, directly
// or not, each once, as sources gives them (or the error it gives), and
// the standard library's packages they all import.
func importedSources(srcs []*funcs.Package, sources interp.SourceImporter) ([]protocol.SourcePackage, []string) {
	var out []protocol.SourcePackage
	seen := map[string]bool{interp.APIPath: true, "C": true}
	var std []string
	var queue []string
	add := func(pkg *funcs.Package) {
		for _, f := range pkg.Files {
			for _, is := range f.AST.Imports {
				p, err := strconv.Unquote(is.Path.Value)
				if err != nil || seen[p] || module.CheckImportPath(p) != nil {
					continue
				}
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	for _, src := range srcs {
		add(src)
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if sources == nil {
			std = append(std, p)
			continue
		}
		pkg, ok, err := sources.ImportSource(p)
		switch {
		case err != nil:
			out = append(out, protocol.SourcePackage{ImportPath: p, Err: err.Error()})
		case ok:
			sp := protocol.SourcePackage{ImportPath: p, Dir: pkg.Dir}
			for _, f := range pkg.Files {
				sp.Files = append(sp.Files, funcs.SourceFile{Name: f.Name, Src: f.Src})
			}
			out = append(out, sp)
			add(pkg)
		default:
			std = append(std, p)
		}
	}
	return out, std
}

// exportFiles finds the export data of the standard library's packages
// with the go command, as go/importer does, and keeps what it found.
type exportFiles struct {
	mu    sync.Mutex
	files map[string]string // by import path; "" where there is none
}

// known returns the export data files found so far, by import path.
func (e *exportFiles) known() map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]string{}
	for p, f := range e.files {
		if f != "" {
			out[p] = f
		}
	}
	return out
}

// readAhead lets the spare prepare process read ahead the export data of
// the standard packages the prepares so far read: the next save most
// likely imports the same.
func (s *Server) readAhead() {
	if files := s.exports.known(); len(files) > 0 {
		s.spares.Warm(&protocol.Spec{Warmup: true, Prepare: &protocol.PrepareSpec{Exports: files}})
	}
}

// find returns the export data files of the packages paths, and of
// those package microfn's declaration imports (time, database/sql, …,
// which its types use), by import path.
func (e *exportFiles) find(paths []string) map[string]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.files == nil {
		e.files = map[string]string{}
	}
	paths = append(slices.Clone(paths), interp.APIImports()...)
	var missing []string
	for _, p := range paths {
		if _, ok := e.files[p]; !ok && p != "unsafe" {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		for p, f := range listExports(missing) {
			e.files[p] = f
		}
		for _, p := range missing {
			if _, ok := e.files[p]; !ok {
				e.files[p] = "" // none: the type checker judges without
			}
		}
	}
	out := map[string]string{}
	for _, p := range paths {
		if f := e.files[p]; f != "" {
			out[p] = f
		}
	}
	return out
}

// listExports asks the go command where the export data of the packages
// paths is (building it if need be). Without a Go toolchain it finds
// none.
func listExports(paths []string) map[string]string {
	cmd := exec.Command(filepath.Join(build.Default.GOROOT, "bin", "go"), append([]string{"list", "-e", "-export", "-f", "{{if not .Error}}{{.ImportPath}}\t{{.Export}}{{end}}"}, paths...)...)
	cmd.Dir = build.Default.GOROOT
	cmd.Env = append(os.Environ(), "PWD="+cmd.Dir, "GOROOT="+build.Default.GOROOT)
	out, _ := cmd.Output()
	files := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if p, f, ok := strings.Cut(line, "\t"); ok && f != "" {
			files[p] = f
		}
	}
	return files
}

// sourceSet is the interp.SourceImporter of a prepare process: the
// packages its supervisor found, each parsed once.
type sourceSet struct {
	byPath map[string]protocol.SourcePackage

	mu     sync.Mutex
	parsed map[string]*funcs.Package
	errs   map[string]error
}

func newSourceSet(pkgs []protocol.SourcePackage) *sourceSet {
	s := &sourceSet{byPath: map[string]protocol.SourcePackage{}, parsed: map[string]*funcs.Package{}, errs: map[string]error{}}
	for _, p := range pkgs {
		s.byPath[p.ImportPath] = p
	}
	return s
}

// ImportSource implements interp.SourceImporter.
func (s *sourceSet) ImportSource(path string) (*funcs.Package, bool, error) {
	sp, ok := s.byPath[path]
	if !ok {
		return nil, false, nil
	}
	if sp.Err != "" {
		return nil, false, errors.New(sp.Err)
	}
	s.mu.Lock()
	pkg, done := s.parsed[path]
	err := s.errs[path]
	s.mu.Unlock()
	if done || err != nil {
		return pkg, err == nil, err
	}
	pkg, err = funcs.ParseWith(sp.Dir, sp.Files, s.importer())
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, done := s.parsed[path]; done {
		return p, true, nil
	}
	if err != nil {
		s.errs[path] = err
		return nil, false, err
	}
	pkg.ImportPath = path
	s.parsed[path] = pkg
	return pkg, true, nil
}

// importer is the funcs.Importer of the set.
func (s *sourceSet) importer() funcs.Importer {
	return func(path string) (*funcs.Package, bool) {
		pkg, ok, err := s.ImportSource(path)
		return pkg, ok && err == nil
	}
}

// Prepare is what a prepare process does (see supervisor.Prepare),
// confined already: it checks and prepares the packages of spec and
// returns them in its Ready line, with the load errors. It runs no
// service code. opts are the options of the executable itself
// (WithCompiled). It is the worker.PrepareFunc of microfn's executable.
func Prepare(spec *protocol.Spec, logger *slog.Logger, opts ...Option) (protocol.Ready, error) {
	return prepareWith(spec, logger, nil, opts)
}

// Warm is what a spare prepare process does with the warm-up line it
// gets while it waits (see supervisor.Spares.Warm): it reads the
// export data of the standard packages spec names, those the server's
// prepares so far imported, and returns the worker.PrepareFunc that checks
// with what it read. It is the worker.Code.Warm of microfn's executable.
func Warm(spec *protocol.Spec, opts ...Option) worker.PrepareFunc {
	types := interp.NewTypes(spec.Prepare.Exports)
	types.Warm()
	return func(spec *protocol.Spec, logger *slog.Logger) (protocol.Ready, error) {
		if !types.Use(spec.Prepare.Exports) {
			return prepareWith(spec, logger, nil, opts) // another toolchain's files: read afresh
		}
		return prepareWith(spec, logger, types, opts)
	}
}

// prepareWith is Prepare with the type information read ahead, if types
// is not nil; else the export data spec names is read as needed.
func prepareWith(spec *protocol.Spec, logger *slog.Logger, types *interp.Types, opts []Option) (protocol.Ready, error) {
	cfg, err := newConfig(append(opts, WithUnrestricted(spec.Settings.Unrestricted), WithAllow(spec.Settings.Allow...), WithLogger(logger)))
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare: %w", err)
	}
	r := protocol.Ready{Failed: map[string][]protocol.LoadError{}, Prepared: map[string]json.RawMessage{}}
	sources := newSourceSet(spec.Prepare.Sources)
	if types == nil {
		types = interp.NewTypes(spec.Prepare.Exports)
	}
	loader := interp.NewLoader(interp.Options{
		Unrestricted: cfg.unrestricted,
		Allow:        cfg.allow,
		Logger:       logger,
		Compiled:     cfg.compiled,
		Sources:      sources,
		Types:        types,
	})
	batch := loader.NewBatch(sources)
	for _, p := range spec.Packages {
		dir := filepath.Join(spec.Root, filepath.FromSlash(p.Rel))
		// What parsed is checked even when some of it did not (for
		// microfn check); only a package that parsed whole is prepared.
		src, err := funcs.ParseAllWith(dir, p.Files, sources.importer())
		if src == nil {
			r.Failed[p.Rel] = protocol.LoadErrors(err)
			continue
		}
		src.ImportPath = p.ImportPath
		if p.CheckOnly || err != nil {
			var list []protocol.LoadError
			if err != nil {
				list = protocol.LoadErrors(err)
			}
			if err := batch.Check(src); err != nil {
				list = append(list, protocol.LoadErrors(err)...)
			}
			if len(list) > 0 {
				r.Failed[p.Rel] = list
			}
			continue
		}
		prep, err := batch.Prepare(src)
		if err != nil {
			r.Failed[p.Rel] = protocol.LoadErrors(err)
			continue
		}
		// The code for the compiler goes back to the server too.
		b, err := json.Marshal(prep)
		if err != nil {
			return r, err
		}
		r.Prepared[p.Rel] = b
	}
	return r, nil
}

// Check loads the packages srcs of the folder dir, by directory relative
// to it, as serve would, and returns the load errors of each and the
// warnings of each (what the checks found that does not stop a load, see
// interp.Prepared.Warnings): their code is checked in a prepare process
// and, if runInit is set, loaded in a worker process, which runs their
// init functions within the load timeout (an init that does not return
// is an error at its position) and is then stopped. None of their code
// runs in this process. Without runInit only the checks are made, and
// there are no warnings. srcs may be parsed with errors (see
// funcs.ParseAll): what parsed is checked. It is what microfn check does.
func Check(ctx context.Context, dir string, srcs map[string]*funcs.Package, runInit bool, opts ...Option) (map[string]error, map[string]funcs.ErrorList, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, nil, err
	}
	s := newServer(dir, cfg)
	s.noRun = !runInit
	loads, err := s.prepareOffline(ctx, srcs)
	if err != nil {
		return nil, nil, err
	}
	defer s.Close()
	errs, warnings := map[string]error{}, map[string]funcs.ErrorList{}
	inParallel(len(loads), func(i int) {
		l := loads[i]
		if l.err == nil && runInit {
			l.v, l.err = s.packages.load(ctx, l, nil)
			if l.v != nil {
				l.v.retire()
			}
		}
	})
	for _, l := range loads {
		if l.err != nil {
			errs[l.rel] = l.err
		}
		if l.prep != nil && len(l.prep.Warnings) > 0 {
			warnings[l.rel] = l.prep.Warnings
		}
	}
	return errs, warnings, ctx.Err()
}

// prepareOffline prepares the packages srcs of a server that serves
// nothing (Check, PrepareBuild), as a reload would, and returns their
// loads. The caller closes s.
func (s *Server) prepareOffline(ctx context.Context, srcs map[string]*funcs.Package) ([]*pendingLoad, error) {
	if s.cfg.isolation != IsolateNone {
		if err := s.makeRunDir(); err != nil {
			return nil, err
		}
	}
	var sources interp.SourceImporter = s.modules
	if mod := s.modules.get(); mod != nil {
		sources = mod.Snapshot()
	}
	var loads []*pendingLoad
	for rel, src := range srcs {
		loads = append(loads, &pendingLoad{rel: rel, label: s.packages.label(rel), src: src, files: sourceFiles(src)})
	}
	s.prepareAll(ctx, loads, sources)
	return loads, nil
}
