package server

import (
	"context"
	"fmt"
	"path/filepath"
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
}

// startFirstShared starts the first shared worker, with every package
// prepared while the server started. A package that fails to load in it
// is a load error; the others are served.
func (s *Server) startFirstShared(ctx context.Context) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	s.shared.starting = false
	g, failed, err := s.launchShared(ctx, "", "every package", nil, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.unsyncedPublish()
	for rel, st := range s.packages {
		if st.current == nil || st.current.shared == nil {
			continue
		}
		ferr := err
		if list, ok := failed[rel]; ok {
			ferr = protocol.Err(list)
		}
		if ferr != nil {
			label := filepath.ToSlash(filepath.Join(s.root, filepath.FromSlash(rel)))
			st.current.retire()
			st.current = nil
			s.unsyncedFailed(st, rel, label, ferr)
		}
	}
	if g != nil {
		s.installShared(g)
	}
}

// startShared starts a shared worker with the package in rel at its new
// version (files, prep) and every other package at its current one, and
// returns it once it has loaded them all; installShared makes it the
// shared worker. The caller holds s.shared.mu.
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
	s.mu.Lock()
	for other, st := range s.packages {
		if _, isNew := news[other]; !isNew && st.current != nil && st.current.prep != nil && st.current.servesAny() {
			pkgs = append(pkgs, packageSpec(other, st.current.files, st.current.prep, false))
		}
	}
	s.mu.Unlock()
	if len(pkgs) == 0 {
		return nil, nil, nil
	}
	g, ready, err := s.startGroup(ctx, s.workerSpec("every package", "", pkgs...))
	if err != nil {
		return nil, nil, err
	}
	return g, ready.Failed, nil
}

// installShared makes g the shared worker: new calls go to it, and the
// one it replaces ends once its calls have. The caller holds s.mu, and
// publishes the versions g runs right after.
func (s *Server) installShared(g *supervisor.Group) {
	if old := s.shared.group.Swap(g); old != nil {
		old.Drain()
	}
}
