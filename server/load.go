package server

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/worker"
)

// start starts the code of v, a new version of the package of l, checked
// already, from its code as prepared (l.prep: nil when it runs nothing
// here, see needsCode): in this process, in the shared worker, or in a
// worker process of its own, interpreted or compiled. built, if not nil,
// is an executable built for it with the other packages of its group
// (see buildTogether). It implements codeRunner.
func (s *Server) start(ctx context.Context, v *version, l *pendingLoad, built *compile.Result) error {
	if s.cfg.isolation == IsolateNone {
		if l.prep == nil {
			// A library: it runs within the packages that import it.
			return nil
		}
		return s.startHere(ctx, v, l.src, l.prep)
	}
	if !v.servesAny() {
		// Every service of the package is served elsewhere (--only):
		// no code of it runs here, so it needs no worker.
		return nil
	}
	if s.shared != nil {
		return s.startInShared(ctx, v, l)
	}
	v.files, v.prep = l.files, l.prep
	if s.tiers != nil && s.cfg.tier == TierCompiled {
		g, took, err := s.build(ctx, l.rel, l.label, l.src, l.files, l.prep, built)
		if err != nil {
			return err
		}
		v.group, v.tier, v.buildTook = g, tierCompiled, took
		v.final = func() { s.finalTally(g) }
		return nil
	}
	g, err := s.startWorker(ctx, l.rel, l.label, l.files, l.prep)
	if err != nil {
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return loadTimeoutError(l.src, l.prep, lt)
		}
		if s.tiers != nil {
			return &interpFailure{err: err, v: v}
		}
		return err
	}
	v.group = g
	v.final = func() { s.finalTally(g) }
	return nil
}

// startInShared starts v in a new shared worker that runs every other
// package at its current version; the worker is installed with v (see
// sharedWorker.install). While the shared worker is starting (the first
// load, or a group's reload: see holdShared), v's code is only noted, for
// the one shared worker that will load every package.
func (s *Server) startInShared(ctx context.Context, v *version, l *pendingLoad) error {
	v.files, v.prep, v.shared = l.files, l.prep, s.shared
	if s.shared.starting {
		// The first shared worker loads every package at once.
		return nil
	}
	g, err := s.startShared(ctx, l.rel, l.label, l.files, l.prep)
	if err != nil {
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return loadTimeoutError(l.src, l.prep, lt)
		}
		return err
	}
	v.pending = g
	return nil
}

// startHere starts the code of v, a version of the package src, in this
// process (IsolateNone), from its code as prepared: a host runs its
// services; their calls of other services come back to this server as a
// worker's would.
func (s *Server) startHere(ctx context.Context, v *version, src *funcs.Package, prep *interp.Prepared) error {
	v.files = sourceFiles(src) // for the docs: the package's doc comment and examples
	var host *worker.Host
	host = worker.NewHost(worker.HostConfig{
		Settings: s.workerSettings(),
		Logger:   s.cfg.logger,
		Limiter:  v.limiter,
		Go:       s.workers.Go,
		Observe: func(caller, callee string, status int, _ time.Duration) {
			s.metrics.observeLocal(caller, callee, status, 1)
		},
		Direct: true,
		Record: func(attempt uint64, recs []worker.DirectCall) error {
			return s.recordDirectCalls(host, attempt, recs)
		},
	})
	host.SetUpstream(protocol.Local{Handler: s.nestedHandler(host), Go: s.workers.Go})
	var pkg *svcrt.Package
	var err error
	switch {
	case s.cfg.prebuilt != nil:
		// The application's compiled code, loaded as its workers would.
		spec := s.workerSpec(v.rel, v.rel).run
		ps := packageSpec(v.rel, sourceFiles(src), prep, true)
		pkg, err = s.cfg.prebuilt.Load(ctx, &spec, &ps, host.CallFunc(), s.cfg.logger)
	case prep != nil:
		pkg, err = s.loader.Run(ctx, src, prep, host.CallFunc())
	default:
		pkg, err = s.loader.Load(ctx, src, host.CallFunc())
	}
	if err != nil {
		return err
	}
	if err := host.Add(v.rel, pkg); err != nil {
		pkg.Close()
		return err
	}
	v.pkg, v.host = pkg, host
	return nil
}

// An interpFailure is the failure of the interpreter to run a version
// that was checked and prepared: the compiled tier may still serve it.
type interpFailure struct {
	err error
	v   *version // the version, without a worker
}

func (f *interpFailure) Error() string { return f.err.Error() }
func (f *interpFailure) Unwrap() error { return f.err }

// loadTimeoutError places a load that timed out at the code that runs at
// load and may not return: the package's init functions; else those of
// the packages it imports from source (prep.Deps), named with the import
// chain; else a package-level variable's initialiser that calls a
// function, in the package, then in those it imports.
func loadTimeoutError(src *funcs.Package, prep *interp.Prepared, lt *supervisor.LoadTimeoutError) error {
	msg := fmt.Sprintf("the package did not finish loading within %s (--load-timeout)", lt.Timeout)
	deps := importedInInitOrder(src, prep)
	if inits := initFuncs(src); len(inits) > 0 {
		if len(inits) == 1 {
			return &funcs.SourceError{Pos: inits[0], Msg: msg + ": this init function, or a package-level variable's initialiser, does not return"}
		}
		return &funcs.SourceError{Pos: inits[0], Msg: fmt.Sprintf("%s: one of its %d init functions, or a package-level variable's initialiser, does not return", msg, len(inits))}
	}
	for _, d := range deps {
		if inits := initFuncs(d.pkg); len(inits) > 0 {
			return &funcs.SourceError{Pos: inits[0], Msg: fmt.Sprintf("%s: %s: this init function of an imported package, or another that runs at load, does not return", msg, d.chain)}
		}
	}
	if vars := callingInitialisers(src); len(vars) > 0 {
		return &funcs.SourceError{Pos: vars[0], Msg: msg + ": this package-level variable's initialiser, or another, does not return"}
	}
	for _, d := range deps {
		if vars := callingInitialisers(d.pkg); len(vars) > 0 {
			return &funcs.SourceError{Pos: vars[0], Msg: fmt.Sprintf("%s: %s: this package-level variable's initialiser of an imported package, or other code that runs at load, does not return", msg, d.chain)}
		}
	}
	return &funcs.SourceError{Pos: token.Position{Filename: src.Dir}, Msg: msg + ": a package-level variable's initialiser does not return"}
}

// importedPackage is a package a package imports from source, with how it
// reaches it ("example.com/app/api imports example.com/v").
type importedPackage struct {
	pkg   *funcs.Package
	chain string
}

// importedInInitOrder returns the packages src imports from source, as
// prep has them, in the order they are initialised (a package after the
// ones it imports), each with its import chain.
func importedInInitOrder(src *funcs.Package, prep *interp.Prepared) []importedPackage {
	if prep == nil || len(prep.Deps) == 0 {
		return nil
	}
	imp := prep.Importer()
	chains := map[string]string{}
	queue := []*funcs.Package{src}
	chains[src.ImportPath] = src.ImportPath
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		for _, f := range pkg.Files {
			for _, is := range f.AST.Imports {
				p, err := strconv.Unquote(is.Path.Value)
				if _, seen := chains[p]; err != nil || seen {
					continue
				}
				if dep, ok := imp(p); ok {
					chains[p] = chains[pkg.ImportPath] + " imports " + p
					queue = append(queue, dep)
				}
			}
		}
	}
	var out []importedPackage
	for _, d := range prep.Deps {
		if pkg, ok := imp(d.ImportPath); ok {
			out = append(out, importedPackage{pkg: pkg, chain: chains[d.ImportPath]})
		}
	}
	return out
}

// initFuncs returns the positions of the init functions of pkg.
func initFuncs(pkg *funcs.Package) []token.Position {
	var out []token.Position
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
				out = append(out, pkg.Fset.Position(fd.Name.Pos()))
			}
		}
	}
	return out
}

// callingInitialisers returns the positions of the package-level
// variables of pkg whose initialisers call a function at load (calls in
// function literals do not count).
func callingInitialisers(pkg *funcs.Package) []token.Position {
	var out []token.Position
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if len(vs.Values) > 0 && callsAtLoad(vs) {
					out = append(out, pkg.Fset.Position(vs.Names[0].Pos()))
				}
			}
		}
	}
	return out
}

// callsAtLoad reports whether the values of vs call a function when they
// are evaluated.
func callsAtLoad(vs *ast.ValueSpec) bool {
	calls := false
	for _, v := range vs.Values {
		ast.Inspect(v, func(n ast.Node) bool {
			switch n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				calls = true
			}
			return !calls
		})
	}
	return calls
}
