package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/supervisor"
)

// workerConfig is set on the server of a worker process.
type workerConfig struct {
	// key is the secret the server sends with every call.
	key []byte
}

// supervisorHost is the host of the base URL a worker's proxies call the
// services of its server at; its link dials the server for it.
const supervisorHost = "supervisor"

// A WorkerLink is a worker process's link to its server: the listener of
// the calls the server sends, and the dialer of every connection the
// worker makes — to its server (supervisor.ServerAddr), for its proxies'
// nested calls, and to the servers of the routes. A supervisor.Broker is
// one: through it a worker opens no socket of its own.
type WorkerLink interface {
	net.Listener
	Dial(addr string) (net.Conn, error)
}

// ServeWorker runs this process as a worker of a server: it loads the
// packages of spec from the sources spec carries, reports the outcome to
// ready, then serves the calls the server sends on link until ctx ends.
// Each call is one attempt: the server applies the policies, logs the
// calls and counts them. The worker's proxies send nested calls to the
// server through link, or run them in this process with --monolith.
//
// restrict, if not nil, is called before any service code runs (its
// packages' init functions included): it confines the process (see
// supervisor.Sandbox) and returns warnings about what it could not
// enforce.
//
// opts are options of the executable itself that the spec does not carry
// (WithCompiled); the spec sets the rest.
func ServeWorker(ctx context.Context, spec supervisor.Spec, logger *slog.Logger, link WorkerLink, restrict func() ([]string, error), ready func(supervisor.Ready) error, opts ...Option) error {
	var set WorkerSettings
	if err := json.Unmarshal(spec.Settings, &set); err != nil {
		return fmt.Errorf("worker: read the settings: %w", err)
	}
	cfg, err := newConfig(append(opts,
		WithIsolation(IsolateNone),
		WithWatch(false),
		WithMonolith(set.Monolith),
		WithUnrestricted(set.Unrestricted),
		WithAllow(set.Allow...),
		WithEnv(set.Env...),
		WithMaxDepth(set.MaxDepth),
		WithBodyLimit(set.BodyLimit),
		WithPolicyDefaults(set.Defaults),
		WithOnly(set.Only...),
		WithRoutes(set.Routes),
		WithToken(set.Token),
		WithCallDeadline(set.CallDeadline),
		WithQuiet(set.Quiet),
		WithLogger(logger),
	))
	if err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	cfg.worker = &workerConfig{key: set.WorkerKey}
	cfg.chainKeys = set.ChainKeys
	s := newServer(spec.Root, cfg)
	defer s.Close()
	s.baseURL = "http://" + supervisorHost
	s.client.Dial = link.Dial
	ln := link
	r := supervisor.Ready{Failed: map[string][]supervisor.LoadError{}}
	if restrict != nil {
		if r.Warnings, err = restrict(); err != nil {
			ln.Close()
			return fmt.Errorf("worker: %w", err)
		}
	}
	for _, p := range spec.Packages {
		var prep interp.Prepared
		if err := json.Unmarshal(p.Prepared, &prep); err != nil {
			return fmt.Errorf("worker: read the prepared package %s: %w", p.Rel, err)
		}
		if err := s.loadSources(ctx, p.Rel, p.Files, &prep); err != nil {
			r.Failed[p.Rel] = supervisor.LoadErrors(err)
			continue
		}
		r.Loaded = append(r.Loaded, p.Rel)
	}
	if err := ready(r); err != nil || len(r.Loaded) == 0 {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = s.app.ShutdownWithTimeout(s.cfg.shutdownTimeout)
	}
	return err
}

// loadSources runs the package in rel, prepared from files, in this
// process, and publishes it.
func (s *Server) loadSources(ctx context.Context, rel string, files []funcs.SourceFile, prep *interp.Prepared) error {
	dir := filepath.Join(s.root, filepath.FromSlash(rel))
	src, err := funcs.ParseWith(dir, files, prep.Importer())
	if err != nil {
		return err
	}
	src.ImportPath = prep.ImportPath
	v, err := s.loadHere(ctx, rel, src, prep, nil)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.packages[rel] = &pkgState{rel: rel, current: v, hash: hashFiles(files)}
	s.unsyncedPublish()
	return nil
}
