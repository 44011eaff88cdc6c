package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// packages is what the server serves: the state of every package
// directory below the root, with the version of it that serves, and the
// generation, the route table published from those versions that
// requests read. Reloads (reload.go) read a package's files again, load a
// new version of it when they changed, install it and publish a new
// generation; a version's code is started by the server (codeRunner).
// It is safe for concurrent use.
type packages struct {
	root    string
	cfg     *config
	modules *moduleSources
	state   *stateManager
	metrics *metrics
	code    codeRunner
	// bg counts the reloads started in the background, which the server
	// waits for when it closes.
	bg *sync.WaitGroup
	// skipped holds the directories of programs (package main) whose
	// skipping was logged.
	skipped sync.Map

	gen atomic.Pointer[generation]

	mu    sync.Mutex // guards byRel and locks, and publishing
	byRel map[string]*pkgState
	locks map[string]*sync.Mutex // serialize the reloads of each package
}

// A codeRunner checks, prepares, builds and starts the code of the
// versions that reloads load, in prepare and worker processes or in this
// process; the Server is the one there is. Methods that take a package's
// state are called with packages.mu held.
type codeRunner interface {
	// prepareAll checks the packages of loads and prepares the code of
	// those that run here, setting each load's prep or err.
	prepareAll(ctx context.Context, loads []*pendingLoad, sources interp.SourceImporter)
	// buildTogether builds, with --tier=compiled, the packages of loads
	// into one executable, returned by package directory.
	buildTogether(ctx context.Context, loads []*pendingLoad) map[string]*compile.Result
	// start starts the code of v, the new version of l's package (built,
	// if not nil, is its executable).
	start(ctx context.Context, v *version, l *pendingLoad, built *compile.Result) error
	// holdShared holds the shared worker, if any, for the reload of a
	// group of n packages until release is called, and reports whether
	// the group's new versions are to start in one shared worker
	// (sharedGroup) rather than each in its own.
	holdShared(n int) (oneShared bool, release func())
	// sharedGroup starts the one shared worker of the new versions of
	// loads.
	sharedGroup(ctx context.Context, loads []pendingLoad)
	// readAhead tells the code runner that a reload has ended: its
	// spare processes may read ahead for the next.
	readAhead()
	// compileLater queues v, the version of st's package the interpreter
	// serves, or failed to run (reason), for the compiled tier.
	compileLater(st *pkgState, v *version, src *funcs.Package, reason error)
}

var _ codeRunner = (*Server)(nil)

// pkgState is what the server knows of one package directory.
type pkgState struct {
	rel     string
	current *version // the version serving, nil if none loaded yet
	hash    [32]byte
	err     error     // the last load's error, nil if it succeeded
	errAt   time.Time // when err happened
	// warnings are what the checks of the version serving found that
	// does not stop it from loading.
	warnings funcs.ErrorList
	// held is the hash of sources whose load was held back because they
	// drop services (see removalGrace); a reload that finds the same
	// sources again goes ahead.
	held    [32]byte
	hasHeld bool
	// deps are the packages of the served module it imports, directly or
	// not: a change to one of them loads it again.
	deps []string
	// build is the state of its compiled tier.
	build buildState
	// seq counts the loads of new sources: a build of an older load is
	// not published.
	seq uint64
}

// newPackages returns the packages of the server s, none loaded yet,
// with an empty generation published.
func newPackages(s *Server) *packages {
	p := &packages{
		root:    s.root,
		cfg:     s.cfg,
		modules: s.modules,
		state:   s.state,
		metrics: s.metrics,
		code:    s,
		bg:      &s.bg,
		byRel:   map[string]*pkgState{},
		locks:   map[string]*sync.Mutex{},
	}
	p.gen.Store(newGeneration(nil, nil))
	return p
}

// generation returns the generation published last.
func (p *packages) generation() *generation { return p.gen.Load() }

// each calls f with the state of every package, holding p.mu.
func (p *packages) each(f func(st *pkgState)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.byRel {
		f(st)
	}
}

// dir returns the directory of the package in rel.
func (p *packages) dir(rel string) string {
	return filepath.Join(p.root, filepath.FromSlash(rel))
}

// label returns how logs and errors name the package in rel.
func (p *packages) label(rel string) string { return filepath.ToSlash(p.dir(rel)) }

// lock returns the lock that serializes the reloads of the package in
// rel.
func (p *packages) lock(rel string) *sync.Mutex {
	p.mu.Lock()
	defer p.mu.Unlock()
	lk := p.locks[rel]
	if lk == nil {
		lk = &sync.Mutex{}
		p.locks[rel] = lk
	}
	return lk
}

// unsyncedFailed records a failed load of the package in rel, whose
// state is st (nil if it has none yet). The caller holds p.mu.
func (p *packages) unsyncedFailed(st *pkgState, rel, label string, err error) error {
	if st == nil {
		st = &pkgState{rel: rel}
		p.byRel[rel] = st
	}
	st.err, st.errAt = err, time.Now()
	lines := err.Error()
	var list funcs.ErrorList
	if errors.As(err, &list) {
		lines = strings.TrimSpace(list.Lines())
	}
	still := "nothing is served from it"
	if st.current != nil {
		still = "still serving the version from " + st.current.loadedAt.Format("15:04:05")
	}
	p.cfg.logger.Error(fmt.Sprintf("%s: %s (%s)", label, lines, still))
	return err
}

// unsyncedRemove forgets the package in rel, whose directory holds no
// package any more, and retires its version. The caller holds p.mu.
func (p *packages) unsyncedRemove(st *pkgState, rel, label string) {
	if st.current != nil {
		st.current.retire()
		p.cfg.logger.Info(fmt.Sprintf("removed %s: %s", label, strings.Join(routesOf(st.current), " ")))
	}
	p.state.forget(rel)
	delete(p.byRel, rel)
	p.unsyncedPublish()
}

// unsyncedPublish builds and publishes the generation of the current
// versions. The caller holds p.mu.
func (p *packages) unsyncedPublish() {
	versions := map[string]*version{}
	stale := map[string]string{}
	for rel, st := range p.byRel {
		if st.current != nil {
			versions[rel] = st.current
			p.metrics.observeTier(rel, st.current.tier)
		}
		if st.err != nil {
			stale[rel] = staleSummary(st.err)
		}
	}
	p.gen.Store(newGeneration(versions, stale))
}

// staleSummary is a one-line form of a load error for a header.
func staleSummary(err error) string {
	msg := err.Error()
	var list funcs.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		msg = list[0].Error()
		if len(list) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(list)-1)
		}
	}
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > 200 {
		msg = msg[:200] + "..."
	}
	return msg
}
