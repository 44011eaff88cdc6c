package server

import (
	"context"

	"github.com/microfn/microfn/server/watch"
)

// watch reloads packages when their files change, until ctx ends. Once
// the watches are in place it reloads everything once, so a change made
// between the initial load and the first watch is not lost (unchanged
// packages are skipped by their hash).
func (s *Server) watch(ctx context.Context) {
	opts := watch.Options{
		Debounce: s.cfg.debounce,
		Logger:   s.cfg.logger,
		Ready:    func() { s.ReloadAll(ctx) },
	}
	err := watch.Watch(ctx, s.root, opts, func(dirs []string) {
		for i, d := range dirs {
			dirs[i] = migrationOwner(d) // a package's migrations reload it
		}
		s.reloadChanged(ctx, dirs...)
	})
	if err != nil {
		s.cfg.logger.Error("watching stopped; changes are no longer picked up (SIGHUP still reloads)", "dir", s.root, "error", err)
	}
}
