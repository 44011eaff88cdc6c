package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
)

// A sharedWorker is the worker process every package runs in with
// IsolateShared. A reload of any package starts a new one with every
// package's current code and swaps it in; the old one finishes its calls
// and ends.
type sharedWorker struct {
	mu    sync.Mutex // serializes reloads: each starts a worker with every package
	group atomic.Pointer[supervisor.Group]
	// starting is set while the server loads its packages for the first
	// time: they are prepared one by one, and then one worker loads them
	// all (startFirstShared), rather than a worker per package loaded.
	starting bool
	// retiring, called with the worker being replaced before it drains,
	// reads its last counts of the calls it ran in process (see
	// localTally).
	retiring func(*supervisor.Group)
}

// holdShared holds the shared worker, with IsolateShared, for the reload
// of a group of n packages, until release is called: reloads take turns,
// each starting a worker with every package. A group of several packages
// starts one worker for all of them (oneShared: see sharedGroup), unless
// the first shared worker is starting. It implements codeRunner.
func (s *Server) holdShared(n int) (oneShared bool, release func()) {
	if s.shared == nil {
		return false, func() {}
	}
	s.shared.mu.Lock()
	if n > 1 && !s.shared.starting {
		// The group's packages are prepared only; then one shared
		// worker loads all of them (see sharedGroup).
		s.shared.starting = true
		return true, func() {
			s.shared.starting = false
			s.shared.mu.Unlock()
		}
	}
	return false, s.shared.mu.Unlock
}

// startFirstShared starts the first shared worker, with every package
// prepared while the server started. A package that fails to load in it
// is a load error; the others are served.
func (s *Server) startFirstShared(ctx context.Context) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	s.shared.starting = false
	g, failed, err := s.launchShared(ctx, "", "every package", nil, nil)
	s.packages.installFirstShared(s.shared, g, failed, err)
}

// installFirstShared makes g, if not nil, the first worker of w, the
// shared worker, and publishes the versions it runs. A package that
// failed to load in it (failed; every package if err is set) has its
// version retired, and the error as its load's.
func (p *packages) installFirstShared(w *sharedWorker, g *supervisor.Group, failed map[string][]protocol.LoadError, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer p.unsyncedPublish()
	for rel, st := range p.byRel {
		if st.current == nil || st.current.shared == nil {
			continue
		}
		ferr := err
		if list, ok := failed[rel]; ok {
			ferr = protocol.Err(list)
		}
		if ferr != nil {
			st.current.retire()
			st.current = nil
			p.unsyncedFailed(st, rel, p.label(rel), ferr)
		}
	}
	if g != nil {
		w.install(g)
	}
}

// startShared starts a shared worker with the package in rel at its new
// version (files, prep) and every other package at its current one, and
// returns it once it has loaded them all; sharedWorker.install makes it
// the shared worker. The caller holds s.shared.mu.
func (s *Server) startShared(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, error) {
	g, failed, err := s.launchShared(ctx, rel, label, files, prep)
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		if g != nil {
			g.Close()
		}
		if list, ok := failed[rel]; ok {
			return nil, protocol.Err(list)
		}
		for other, list := range failed {
			return nil, fmt.Errorf("load %s: package %s no longer loads beside it: %v", label, other, protocol.Err(list))
		}
	}
	return g, nil
}

// launchShared starts a shared worker with every package's current
// version, and with the package in rel at (files, prep) unless rel is "".
// It returns the worker, if any package loaded, and the packages that
// failed to. The caller holds s.shared.mu.
func (s *Server) launchShared(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, map[string][]protocol.LoadError, error) {
	news := map[string]*version{}
	if rel != "" {
		news[rel] = &version{rel: rel, files: files, prep: prep}
	}
	return s.launchSharedWith(ctx, label, news)
}

// launchSharedWith is launchShared with new versions of several packages:
// news, by package directory (their files and prepared code).
func (s *Server) launchSharedWith(ctx context.Context, label string, news map[string]*version) (*supervisor.Group, map[string][]protocol.LoadError, error) {
	var pkgs []protocol.PackageSpec
	for rel, v := range news {
		pkgs = append(pkgs, packageSpec(rel, v.files, v.prep, false))
	}
	s.packages.each(func(st *pkgState) {
		if _, isNew := news[st.rel]; !isNew && st.current != nil && st.current.prep != nil && st.current.servesAny() {
			pkgs = append(pkgs, packageSpec(st.rel, st.current.files, st.current.prep, false))
		}
	})
	if len(pkgs) == 0 {
		return nil, nil, nil
	}
	g, ready, err := s.startGroup(ctx, s.workerSpec("every package", "", pkgs...))
	if err != nil {
		return nil, nil, err
	}
	return g, ready.Failed, nil
}

// install makes g the shared worker: new calls go to it, and the one it
// replaces ends once its calls have. The caller holds packages.mu, and
// publishes the versions g runs right after.
func (w *sharedWorker) install(g *supervisor.Group) {
	if old := w.group.Swap(g); old != nil {
		if w.retiring != nil {
			w.retiring(old)
		}
		old.Drain()
	}
}

// sharedGroup starts the one shared worker of a group's new versions, with
// every other package's current one, and hands it to the first of them to
// install. If a package fails to load in it, no new version of the group
// is installed: each keeps its current version, with the error. The
// caller holds s.shared.mu (see holdShared). It implements codeRunner.
func (s *Server) sharedGroup(ctx context.Context, loads []pendingLoad) {
	s.shared.starting = false
	news := map[string]*version{}
	for _, l := range loads {
		if !l.finished && l.err == nil && l.v.shared != nil {
			news[l.rel] = l.v
		}
	}
	if len(news) == 0 {
		return
	}
	g, failed, err := s.launchSharedWith(ctx, "the reloaded packages", news)
	if err == nil && len(failed) > 0 {
		for rel, list := range failed {
			err = fmt.Errorf("package %s does not load with the others it changed with: %w", rel, protocol.Err(list))
			break
		}
		if g != nil {
			g.Close()
			g = nil
		}
	}
	for i := range loads {
		l := &loads[i]
		if _, ok := news[l.rel]; !ok {
			continue
		}
		if err != nil {
			if list, ok := failed[l.rel]; ok {
				l.err = protocol.Err(list)
			} else {
				l.err = err
			}
			l.v.retire()
			l.v = nil
			continue
		}
		l.v.pending, g = g, nil // the first installs it; the others run in it too
	}
}
