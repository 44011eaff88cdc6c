package server

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/supervisor"

	"github.com/microfn/microfn"
)

// A Server serves the services of the packages below one directory.
type Server struct {
	cfg    *config
	root   string
	app    *fiber.App
	loader *interp.Loader
	client *fasthttp.Client

	gen atomic.Pointer[generation]

	mu       sync.Mutex // guards packages and locks, and publishing
	packages map[string]*pkgState
	locks    map[string]*sync.Mutex // serialize the reloads of each package

	crashes crashLog

	ln      net.Listener
	baseURL string
	metrics *metrics
	workers *workerPool
	signer  *chainSigner

	// runDir holds the workers' private temporary folders; internal
	// takes the connections workers make to the server for their nested
	// calls (see supervisor.Broker). Both are unset in IsolateNone mode.
	runDir       string
	internal     *connListener
	runLock      *os.File       // locked while the server runs: see makeRunDir
	internalOnce sync.Once      // serves internal, from Serve or from Call
	shared       *sharedWorker  // with IsolateShared
	groups       sync.WaitGroup // worker groups not yet ended
	warned       sync.Map       // warnings logged once
	bg           sync.WaitGroup // reloads started by the watcher
	// modules finds the packages service code imports from source.
	modules *moduleSources
}

// pkgState is what the server knows of one package directory.
type pkgState struct {
	rel     string
	current *version // the version serving, nil if none loaded yet
	hash    [32]byte
	err     error     // the last load's error, nil if it succeeded
	errAt   time.Time // when err happened
	// held is the hash of sources whose load was held back because they
	// drop services (see removalGrace); a reload that finds the same
	// sources again goes ahead.
	held    [32]byte
	hasHeld bool
	// deps are the packages of the served module it imports, directly or
	// not: a change to one of them loads it again.
	deps []string
}

// New loads every package below dir and returns a server ready to
// [Server.Serve] them. Packages that fail to load are reported in the log
// and on /readyz; the others are served. It is NewContext with a
// background context.
func New(dir string, opts ...Option) (*Server, error) {
	return NewContext(context.Background(), dir, opts...)
}

// NewContext is [New] with a context: when ctx ends, loads under way stop
// (their worker processes are killed) and NewContext returns.
func NewContext(ctx context.Context, dir string, opts ...Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("serve %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("serve %s: not a directory", dir)
	}
	s := newServer(dir, cfg)
	if cfg.isolation != IsolateNone {
		if err := s.listenInternal(); err != nil {
			return nil, err
		}
	}
	if cfg.isolation == IsolateShared {
		s.shared = &sharedWorker{key: []byte(hex.EncodeToString(randomKey())), starting: true}
	}
	s.ReloadAll(ctx)
	if s.shared != nil {
		s.startFirstShared(ctx)
	}
	if err := ctx.Err(); err != nil {
		s.Close()
		return nil, fmt.Errorf("serve %s: %w", dir, err)
	}
	if err := s.checkOnly(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// newServer returns a server of dir with no package loaded.
func newServer(dir string, cfg *config) *Server {
	s := &Server{
		cfg:      cfg,
		root:     filepath.Clean(dir),
		packages: map[string]*pkgState{},
		locks:    map[string]*sync.Mutex{},
		metrics:  newMetrics(cfg.worker != nil),
		workers:  newWorkerPool(10 * time.Second),
		modules:  &moduleSources{root: filepath.Clean(dir), limits: cfg.limits},
		client: &fasthttp.Client{
			// Below the server's idle timeout, so a pooled connection is
			// never one the server is closing.
			MaxIdleConnDuration:           cfg.idleTimeout / 2,
			MaxConnsPerHost:               16384,
			NoDefaultUserAgentHeader:      true,
			DisableHeaderNamesNormalizing: false,
			// Retries are the callee's policy's business, not the client's.
			RetryIfErr: func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		},
	}
	opts := interp.Options{Unrestricted: cfg.unrestricted, Allow: cfg.allow, Env: cfg.env, Logger: cfg.logger, Compiled: cfg.compiled}
	if cfg.worker == nil {
		// A worker only runs code prepared by its server.
		s.modules.refresh()
		opts.Sources = s.modules
	}
	s.loader = interp.NewLoader(opts)
	s.signer = newChainSigner(cfg.signingKeys())
	s.crashes.metric = s.metrics.crashes
	if cfg.isolation != IsolateNone {
		s.metrics.workers = workerMetrics{s}
	}
	s.gen.Store(newGeneration(nil, nil))
	s.app = fiber.New(fiber.Config{
		DisableStartupMessage: true,
		BodyLimit:             cfg.bodyLimit,
		IdleTimeout:           cfg.idleTimeout,
		ReadTimeout:           cfg.readTimeout,
		WriteTimeout:          cfg.writeTimeout,
		ReadBufferSize:        cfg.maxHeaderBytes,
		Concurrency:           cfg.maxConns,
		CaseSensitive:         true,
		StrictRouting:         true,
		ErrorHandler:          s.errorHandler,
	})
	if cfg.token != "" && cfg.worker == nil {
		s.app.Use(s.authenticate)
	}
	s.app.Get("/healthz", s.healthz)
	s.app.Get("/readyz", s.readyz)
	s.app.Get("/metrics", s.metrics.handler())
	s.app.Get("/openapi.json", s.openapiJSON)
	docs := docsHandler(cfg.token != "")
	s.app.Get("/docs", func(c *fiber.Ctx) error { return c.Redirect("/docs/", fiber.StatusMovedPermanently) })
	s.app.Get("/docs/*", docs)
	s.app.All("/*", s.handle)
	// Fiber answers a method it does not know (lower-case "get", made-up
	// ones) with plain text before any route: such requests get a problem
	// here instead.
	fh := s.app.Server().Handler
	s.app.Server().Handler = func(c *fasthttp.RequestCtx) {
		if !knownMethod(c.Method()) {
			writeMethodProblem(c)
			return
		}
		fh(c)
	}
	return s
}

// serves reports whether this server serves the service at route.
func (s *Server) serves(route string) bool {
	if len(s.cfg.only) == 0 {
		return true
	}
	for _, o := range s.cfg.only {
		if strings.Trim(o, "/") == strings.TrimPrefix(route, "/") {
			return true
		}
	}
	return false
}

// checkOnly reports names given to WithOnly that match no service.
func (s *Server) checkOnly() error {
	if len(s.cfg.only) == 0 {
		return nil
	}
	known := map[string]bool{}
	var all []string
	s.mu.Lock()
	for _, st := range s.packages {
		if st.current == nil {
			continue
		}
		for _, e := range st.current.endpoints {
			known[strings.TrimPrefix(e.route, "/")] = true
			all = append(all, strings.TrimPrefix(e.route, "/"))
		}
	}
	s.mu.Unlock()
	sort.Strings(all)
	for _, o := range s.cfg.only {
		if !known[strings.Trim(o, "/")] {
			return fmt.Errorf("--only %s: no such service (services: %s)", o, strings.Join(all, ", "))
		}
	}
	return nil
}

// errorHandler answers errors raised outside the service handler, such as
// a body over the limit, as problems.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	setAttempts(&c.Response().Header, 0)
	var fe *fiber.Error
	if errors.As(err, &fe) {
		msg := fe.Message
		switch fe.Code {
		case fiber.StatusRequestEntityTooLarge:
			msg = fmt.Sprintf("request body is over the limit of %d bytes", s.cfg.bodyLimit)
		case fiber.StatusRequestHeaderFieldsTooLarge:
			msg = fmt.Sprintf("request line and headers are over the limit of %d bytes", s.cfg.maxHeaderBytes)
		}
		return writeProblem(c, microfn.Error(fe.Code, "%s", msg))
	}
	return writeProblem(c, err)
}

// Listen binds the server's address. Serve calls it if needed; call it
// first to learn the address (see [Server.URL]) before serving.
func (s *Server) Listen() error {
	if s.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", s.cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.addr, err)
	}
	scheme := "http"
	if s.cfg.tlsCert != "" {
		tlsConfig, err := s.serverTLS()
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	s.ln = ln
	addr := ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	s.baseURL = scheme + "://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
	if !isLoopback(s.cfg.addr) && s.cfg.token == "" {
		s.cfg.logger.Warn("WARNING: listening on " + s.cfg.addr + ", beyond this machine, with no token: anyone who can reach it can call every service. Pass --token (or set MICROFN_TOKEN), or listen on 127.0.0.1.")
	}
	return nil
}

// URL returns the base URL the server serves on, such as
// "http://127.0.0.1:8000", once it listens.
func (s *Server) URL() string { return s.baseURL }

// Serve serves until ctx ends, then shuts down gracefully: it stops
// accepting connections and waits for calls in flight, up to the shutdown
// timeout. It watches the directory for changes unless watching is off.
func (s *Server) Serve(ctx context.Context) error {
	if err := s.Listen(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	if s.cfg.watch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.watch(ctx)
		}()
	}
	errc := make(chan error, 2)
	go func() { errc <- s.app.Listener(s.ln) }()
	if s.internal != nil {
		s.internalOnce.Do(func() {
			go func() { errc <- s.app.Server().Serve(s.internal) }()
		})
	}
	s.cfg.logger.Info("serving", "dir", s.root, "url", s.baseURL, "services", len(s.gen.Load().routes), "monolith", s.cfg.monolith)
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		err = s.app.ShutdownWithTimeout(s.cfg.shutdownTimeout)
	}
	cancel()
	wg.Wait()
	s.Close()
	return err
}

// Close retires every package version, stops the worker processes and
// waits for them to end. Serve calls it when it returns; call it after
// [New] when the server is never served.
func (s *Server) Close() {
	s.bg.Wait()
	s.mu.Lock()
	for _, st := range s.packages {
		if st.current != nil {
			st.current.retire()
		}
	}
	s.mu.Unlock()
	if s.shared != nil {
		if g := s.shared.group.Load(); g != nil {
			g.Close()
		}
	}
	s.groups.Wait()
	s.client.CloseIdleConnections()
	s.workers.close()
	if s.internal != nil {
		s.internal.Close()
	}
	if s.runDir != "" {
		os.RemoveAll(s.runDir)
		s.runLock.Close()
	}
}

// ReloadAll loads every package below the root whose files changed, and
// drops packages whose directory is gone. It returns the load errors by
// package directory.
func (s *Server) ReloadAll(ctx context.Context) map[string]error {
	s.modules.refresh()
	dirs, err := funcs.PackageDirs(s.root)
	if err != nil {
		s.cfg.logger.Error("list packages", "error", err)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		seen[d] = true
	}
	s.mu.Lock()
	for rel := range s.packages {
		if !seen[rel] {
			dirs = append(dirs, rel)
		}
	}
	s.mu.Unlock()
	return s.reload(ctx, dirs, false)
}

// Reload reloads the packages in the directories rel (relative to the
// root) if their files changed.
func (s *Server) Reload(ctx context.Context, rels ...string) map[string]error {
	return s.reload(ctx, rels, false)
}

// reloadChanged reloads the packages in rels after the watcher saw their
// files change, in the background: each with the packages that import it,
// directly or not (every package when go.mod or go.sum changed), as one
// group published together (see reloadGroup); groups do not wait for each
// other. Unlike Reload, it holds back a load that drops services for a
// while (see removalGrace). Errors are logged.
func (s *Server) reloadChanged(ctx context.Context, rels ...string) {
	if ctx.Err() != nil {
		return
	}
	all := s.modules.refresh()
	for _, rel := range rels {
		// The package and its importers, published together.
		group := s.withDependents([]string{rel}, all)
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.reloadGroup(ctx, group, true)
		}()
	}
}

// withDependents returns rels and the packages that import one of them,
// directly or not; every package when all is set (go.mod changed).
func (s *Server) withDependents(rels []string, all bool) []string {
	changed := map[string]bool{}
	for _, r := range rels {
		changed[r] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(rels)
	for rel, st := range s.packages {
		if changed[rel] {
			continue
		}
		if all || slices.ContainsFunc(st.deps, func(d string) bool { return changed[d] }) {
			out = append(out, rel)
		}
	}
	return out
}

// maxParallelLoads bounds the packages loaded at once.
const maxParallelLoads = 4

// reload reloads the packages in rels (see reloadPackage), several at
// once, publishes them together, and returns their errors.
func (s *Server) reload(ctx context.Context, rels []string, guard bool) map[string]error {
	return s.reloadGroup(ctx, rels, guard)
}

// packageLock returns the lock that serializes the reloads of the package
// in rel.
func (s *Server) packageLock(rel string) *sync.Mutex {
	s.mu.Lock()
	defer s.mu.Unlock()
	lk := s.locks[rel]
	if lk == nil {
		lk = &sync.Mutex{}
		s.locks[rel] = lk
	}
	return lk
}

// removalGrace is how long a change that drops services waits before it
// is loaded, when the watcher saw it: a file caught half-written can be
// valid Go without its later functions, and the rest of it normally
// arrives well within this time. A removal the user meant takes effect
// once the grace has passed with the files unchanged.
func (s *Server) removalGrace() time.Duration { return 10 * s.cfg.debounce }

// dropsServices reports whether src lacks a service that v serves.
func dropsServices(v *version, src *funcs.Package) bool {
	names := map[string]bool{}
	for _, d := range src.Services {
		names[d.Name] = true
	}
	for _, e := range v.endpoints {
		if !names[e.desc.Name] {
			return true
		}
	}
	return false
}

// reloadPackage loads the package in rel if its files changed, and
// publishes the result. A package that fails to load keeps its last good
// version serving. With guard set, sources that drop services are held
// back for removalGrace first. Reloads of one package are serialized;
// reloads of different packages run side by side, and the slow part, the
// load itself, holds no lock that requests or health checks need.
func (s *Server) reloadPackage(ctx context.Context, rel string, guard bool) error {
	return s.reloadGroup(ctx, []string{rel}, guard)[rel]
}

// reloadGroup reloads the packages in rels as reloadPackage does, several
// at once, and publishes the new versions of all of them in one
// generation: a package and the packages that import it change together,
// so no call chain sees some of them old and some new. It returns the
// load errors by package.
func (s *Server) reloadGroup(ctx context.Context, rels []string, guard bool) map[string]error {
	rels = slices.Clone(rels)
	slices.Sort(rels)
	rels = slices.Compact(rels)
	errs := map[string]error{}
	// The packages' locks, in one order, so that groups that share
	// packages cannot deadlock.
	for _, rel := range rels {
		lk := s.packageLock(rel)
		lk.Lock()
		defer lk.Unlock()
	}
	oneShared := false
	if s.shared != nil {
		s.shared.mu.Lock()
		defer s.shared.mu.Unlock()
		if len(rels) > 1 && !s.shared.starting {
			// The group's packages are prepared only; then one shared
			// worker loads all of them (see sharedGroup).
			oneShared = true
			s.shared.starting = true
			defer func() { s.shared.starting = false }()
		}
	}
	// The group's packages see one snapshot of the module's files: a
	// library an editor is still writing is read once, the same for all.
	var snap *gomod.Snapshot
	if mod := s.modules.get(); mod != nil {
		snap = mod.Snapshot()
	}
	loads := make([]pendingLoad, len(rels))
	sem := make(chan struct{}, maxParallelLoads)
	var wg sync.WaitGroup
	for i, rel := range rels {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			loads[i] = s.loadPackage(ctx, rel, guard, snap)
		}()
	}
	wg.Wait()
	if oneShared {
		s.shared.starting = false
		s.sharedGroup(ctx, loads)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	published := false
	for _, l := range loads {
		if l.finished {
			if l.err != nil {
				errs[l.rel] = l.err
			}
			continue
		}
		if err := s.unsyncedInstall(l); err != nil {
			errs[l.rel] = err
		}
		published = true
	}
	if published {
		s.unsyncedPublish()
	}
	return errs
}

// sharedGroup starts the one shared worker of a group's new versions, with
// every other package's current one, and hands it to the first of them to
// install. If a package fails to load in it, no new version of the group
// is installed: each keeps its current version, with the error. The
// caller holds s.shared.mu.
func (s *Server) sharedGroup(ctx context.Context, loads []pendingLoad) {
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
			err = fmt.Errorf("package %s does not load with the others it changed with: %w", rel, supervisor.Err(list))
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
				l.err = supervisor.Err(list)
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

// A pendingLoad is the outcome of loading one package of a reload, to be
// published with the others of its group.
type pendingLoad struct {
	rel, label string
	st         *pkgState
	start      time.Time
	v          *version // the new version, if it loaded
	err        error
	// finished reports that nothing is left to publish: the package was
	// unchanged, removed, held back or failed before its load, and err
	// is its outcome.
	finished bool
}

// loadPackage is the part of a reload of the package in rel before its
// new version is published: it reads the package, skips it if unchanged,
// and loads it. snap, in a module, is the group's snapshot of its files.
// The caller holds the package's lock.
func (s *Server) loadPackage(ctx context.Context, rel string, guard bool, snap *gomod.Snapshot) pendingLoad {
	start := time.Now()
	dir := filepath.Join(s.root, filepath.FromSlash(rel))
	label := filepath.ToSlash(dir)
	finished := func(err error) pendingLoad { return pendingLoad{rel: rel, label: label, err: err, finished: true} }
	var files []funcs.SourceFile
	var readErr error
	if snap != nil {
		files, readErr = snap.ReadDir(dir)
	} else {
		files, readErr = funcs.ReadDir(dir, s.cfg.limits)
	}
	if link := symlinkIn(s.root, rel); link != "" {
		// No code is loaded from outside the folder: a package directory
		// that is (or is below) a symbolic link is not a package.
		s.cfg.logger.Warn(fmt.Sprintf("skipped %s: %s is a symbolic link; no code is loaded from outside %s", label, filepath.ToSlash(link), filepath.ToSlash(s.root)))
		files, readErr = nil, nil
	}
	if rel != "." && funcs.IsModuleRoot(dir) {
		// Another module below the served folder: not a package of it.
		files, readErr = nil, nil
	}
	if funcs.IsProgram(files) {
		// A program beside the services: never served. (A main
		// package with services is an error the parse reports.)
		if _, logged := s.warned.LoadOrStore("main "+rel, true); !logged {
			s.cfg.logger.Info(fmt.Sprintf("skipped %s: package main is a program; services live in other packages", label))
		}
		files, readErr = nil, nil
	}
	var deps []string
	var depSum [32]byte
	if snap != nil && len(files) > 0 {
		// The package is loaded anew when a package of the module it
		// imports changes, or go.mod or go.sum. (Read before the lock:
		// it reads files.)
		deps, depSum = snap.LocalDeps(files)
	}
	s.mu.Lock()
	st := s.packages[rel]
	if len(files) == 0 && (readErr == nil || errors.Is(readErr, fs.ErrNotExist)) {
		if st != nil {
			if st.current != nil {
				st.current.retire()
				s.cfg.logger.Info(fmt.Sprintf("removed %s: %s", label, strings.Join(routesOf(st.current), " ")))
			}
			delete(s.packages, rel)
			s.unsyncedPublish()
		}
		s.mu.Unlock()
		return finished(nil)
	}
	if readErr != nil {
		var list funcs.ErrorList
		if !errors.As(readErr, &list) {
			err := s.unsyncedFailed(st, rel, label, readErr)
			s.unsyncedPublish()
			s.mu.Unlock()
			return finished(err)
		}
		for _, e := range list {
			s.cfg.logger.Warn(e.Error())
		}
	}
	if st == nil {
		st = &pkgState{rel: rel}
		s.packages[rel] = st
	}
	h := hashFiles(files)
	if snap != nil {
		st.deps = deps
		h = sha256.Sum256(append(h[:], depSum[:]...))
	}
	if h == st.hash && (st.current != nil || st.err != nil) {
		err := st.err
		s.mu.Unlock()
		return finished(err)
	}
	prevHash := st.hash
	st.hash = h
	var imp funcs.Importer
	var sources interp.SourceImporter = s.modules
	if snap != nil {
		imp, sources = snap.Importer(), snap
	}
	src, err := funcs.ParseWith(dir, files, imp)
	if err == nil && snap != nil {
		src.ImportPath = s.modules.get().ImportPath(dir)
	}
	if err != nil {
		s.metrics.observeReload(rel, time.Since(start), err)
		err = s.unsyncedFailed(st, rel, label, err)
		s.unsyncedPublish()
		s.mu.Unlock()
		return finished(err)
	}
	if guard && st.current != nil && dropsServices(st.current, src) && (!st.hasHeld || st.held != h) {
		st.hash, st.held, st.hasHeld = prevHash, h, true
		grace := s.removalGrace()
		s.cfg.logger.Info(fmt.Sprintf("%s no longer declares some of its services; holding the change back for %s in case a file is still being written", label, grace))
		time.AfterFunc(grace, func() { s.reloadChanged(ctx, rel) })
		s.mu.Unlock()
		return finished(nil)
	}
	st.hasHeld = false
	prev := st.current
	s.mu.Unlock()

	v, err := s.load(ctx, rel, label, src, files, prev, sources)
	return pendingLoad{rel: rel, label: label, st: st, start: start, v: v, err: err}
}

// unsyncedInstall makes a loaded version its package's current one, or
// records its load error; the caller holds s.mu and publishes.
func (s *Server) unsyncedInstall(l pendingLoad) error {
	v, err := l.v, l.err
	if s.packages[l.rel] != l.st {
		// The package was removed while it loaded.
		if v != nil {
			if v.pending != nil {
				v.pending.Close()
			}
			v.retire()
		}
		return err
	}
	s.metrics.observeReload(l.rel, time.Since(l.start), err)
	if err != nil {
		return s.unsyncedFailed(l.st, l.rel, l.label, err)
	}
	old := l.st.current
	l.st.current, l.st.err = v, nil
	if v.pending != nil {
		// The shared worker with the new code takes calls from the
		// moment the new version is published.
		s.installShared(v.pending)
		v.pending = nil
	}
	if old != nil {
		old.retire()
	}
	s.cfg.logger.Info(fmt.Sprintf("%s %s in %s: %s", verb(old), l.label, time.Since(l.start).Round(100*time.Microsecond), diffRoutes(old, v)))
	return nil
}

// loadHere loads one version of the package in rel in this process: the
// code prepared already, if prep is not nil.
func (s *Server) loadHere(ctx context.Context, rel string, src *funcs.Package, prep *interp.Prepared, prev *version) (*version, error) {
	ref := &versionRef{}
	var pkg *interp.Package
	var err error
	if prep != nil {
		pkg, err = s.loader.Run(ctx, src, prep, s.callFunc(ref))
	} else {
		pkg, err = s.loader.Load(ctx, src, s.callFunc(ref))
	}
	if err != nil {
		return nil, err
	}
	v, err := s.newVersion(rel, src.Services, pkg.Services, prev)
	if err != nil {
		pkg.Close()
		return nil, err
	}
	if v.imported, err = s.importedEndpoints(rel, pkg); err != nil {
		pkg.Close()
		return nil, err
	}
	v.pkg = pkg
	ref.v = v
	return v, nil
}

// load loads one version of the package in rel: in this process, or in
// a worker process of its own. prev is the version serving now, if any.
//
// sources gives the packages src imports from source.
func (s *Server) load(ctx context.Context, rel, label string, src *funcs.Package, files []funcs.SourceFile, prev *version, sources interp.SourceImporter) (*version, error) {
	// The code is checked and rewritten here, where the type information
	// of the standard library is at hand, and the policies are checked,
	// before a worker is started for nothing; the worker only runs it.
	prep, err := s.loader.PrepareWith(src, sources)
	if err != nil {
		return nil, err
	}
	if s.cfg.isolation == IsolateNone {
		return s.loadHere(ctx, rel, src, prep, prev)
	}
	v, err := s.newVersion(rel, src.Services, nil, prev)
	if err != nil {
		return nil, err
	}
	if !v.servesAny() {
		// Every service of the package is served elsewhere (--only):
		// no code of it runs here, so it needs no worker.
		return v, nil
	}
	if s.shared != nil {
		v.files, v.prep, v.shared, v.workerKey = files, prep, s.shared, s.shared.key
		if s.shared.starting {
			// The first shared worker loads every package at once.
			return v, nil
		}
		g, err := s.startShared(ctx, rel, label, files, prep)
		if err != nil {
			var lt *supervisor.LoadTimeoutError
			if errors.As(err, &lt) {
				return nil, loadTimeoutError(src, lt)
			}
			return nil, err
		}
		v.pending = g
		return v, nil
	}
	v.workerKey = []byte(hex.EncodeToString(randomKey()))
	g, err := s.startWorker(ctx, rel, label, files, prep, v.workerKey)
	if err != nil {
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return nil, loadTimeoutError(src, lt)
		}
		return nil, err
	}
	v.group = g
	return v, nil
}

// loadTimeoutError places a load that timed out at the package's init
// functions, the code that runs at load, when it has some.
func loadTimeoutError(src *funcs.Package, lt *supervisor.LoadTimeoutError) error {
	var inits []token.Position
	for _, f := range src.Files {
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "init" {
				inits = append(inits, src.Fset.Position(fd.Name.Pos()))
			}
		}
	}
	msg := fmt.Sprintf("the package did not finish loading within %s (--load-timeout)", lt.Timeout)
	switch len(inits) {
	case 0:
		return &funcs.SourceError{Pos: token.Position{Filename: src.Dir}, Msg: msg + ": a package-level variable's initialiser does not return"}
	case 1:
		return &funcs.SourceError{Pos: inits[0], Msg: msg + ": this init function, or a package-level variable's initialiser, does not return"}
	}
	return &funcs.SourceError{Pos: inits[0], Msg: fmt.Sprintf("%s: one of its %d init functions, or a package-level variable's initialiser, does not return", msg, len(inits))}
}

// symlinkIn returns the first directory of rel, below root, that is a
// symbolic link, or "".
func symlinkIn(root, rel string) string {
	if rel == "." || rel == "" {
		return ""
	}
	path := root
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		path = filepath.Join(path, part)
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return path
		}
	}
	return ""
}

func verb(old *version) string {
	if old == nil {
		return "loaded"
	}
	return "reloaded"
}

// unsyncedFailed records a failed load of the package in rel.
func (s *Server) unsyncedFailed(st *pkgState, rel, label string, err error) error {
	if st == nil {
		st = &pkgState{rel: rel}
		s.packages[rel] = st
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
	s.cfg.logger.Error(fmt.Sprintf("%s: %s (%s)", label, lines, still))
	return err
}

// newVersion builds the endpoints of a loaded package, with each
// service's policy: the server's defaults, then the directive's options.
// Limiters carry over from the previous version when the route's scale and
// queue did not change, so a reload does not admit extra calls.
//
// svcs are the loaded services, one per descriptor, when the package runs
// in this process; nil when it runs in a worker process.
func (s *Server) newVersion(rel string, descs []*funcs.Descriptor, svcs []*interp.Service, prev *version) (*version, error) {
	v := &version{rel: rel, loadedAt: time.Now()}
	old := map[string]*endpoint{}
	if prev != nil {
		for _, e := range prev.endpoints {
			old[e.route] = e
		}
	}
	var list funcs.ErrorList
	for i, desc := range descs {
		p, err := s.policyOf(desc)
		if err != nil {
			list = append(list, err.(funcs.ErrorList)...)
		}
		e := &endpoint{route: routePrefix(rel) + desc.Route, desc: desc, policy: p, version: v}
		if reservedRoute(e.route) {
			list = append(list, &funcs.SourceError{Pos: desc.Pos, Msg: fmt.Sprintf("service %s: route %s collides with the server's own routes (/docs, /openapi.json, /metrics, /healthz, /readyz): rename the package directory or the function, or set name=", desc.Name, e.route)})
		}
		if svcs != nil {
			e.svc = svcs[i]
		}
		e.local = s.serves(e.route)
		e.metrics = s.metrics.forRoute(e.route)
		if o, ok := old[e.route]; ok && o.policy.Scale == p.Scale && o.policy.Queue == p.Queue {
			e.limiter = o.limiter
		} else {
			e.limiter = policy.NewLimiter(p.Scale, p.Queue)
		}
		v.endpoints = append(v.endpoints, e)
	}
	if len(list) > 0 {
		return nil, list
	}
	return v, nil
}

// importedEndpoints returns the endpoints the proxies of pkg, the package
// in rel, reach the services of the packages it imports through: each at
// the route its own package serves it, under the policy its annotation
// sets. The package that declares a service enforces its concurrency
// limit; the caller's proxy retries.
func (s *Server) importedEndpoints(rel string, pkg *interp.Package) ([]*endpoint, error) {
	var out []*endpoint
	versions := map[string]*version{}
	for _, svc := range pkg.Imported {
		depRel, ok := relOfImport(svc.ImportedFrom, pkg.ImportPath(), rel)
		if !ok {
			return nil, &funcs.SourceError{Pos: svc.Desc.Pos, Msg: fmt.Sprintf("service %s of %s is outside the served folder: serve the module's root to call it", svc.Desc.Name, svc.ImportedFrom)}
		}
		v := versions[depRel]
		if v == nil {
			v = &version{rel: depRel}
			versions[depRel] = v
		}
		p, err := s.policyOf(svc.Desc)
		if err != nil {
			return nil, err
		}
		e := &endpoint{route: routePrefix(depRel) + svc.Desc.Route, desc: svc.Desc, svc: svc, policy: p, version: v, imported: true}
		e.local = s.serves(e.route)
		e.metrics = s.metrics.forRoute(e.route)
		e.limiter = policy.NewLimiter(p.Scale, p.Queue)
		out = append(out, e)
	}
	return out, nil
}

// policyOf returns the policy the annotation of desc sets over the
// server's defaults.
func (s *Server) policyOf(desc *funcs.Descriptor) (policy.Policy, error) {
	var list funcs.ErrorList
	p := s.cfg.defaults
	for _, o := range desc.Options {
		if err := p.Set(o.Key, o.Value); err != nil {
			list = append(list, &funcs.SourceError{Pos: o.Pos, Msg: err.Error()})
		}
	}
	if err := p.Validate(); err != nil {
		list = append(list, &funcs.SourceError{Pos: desc.Pos, Msg: "policy: " + err.Error()})
	}
	if len(list) > 0 {
		return p, list
	}
	return p, nil
}

// unsyncedPublish builds and publishes the generation of the current
// versions. The caller holds s.mu.
func (s *Server) unsyncedPublish() {
	versions := map[string]*version{}
	stale := map[string]string{}
	for rel, st := range s.packages {
		if st.current != nil {
			versions[rel] = st.current
		}
		if st.err != nil {
			stale[rel] = staleSummary(st.err)
		}
	}
	s.gen.Store(newGeneration(versions, stale))
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

// hashFiles hashes the names and contents of files.
func hashFiles(files []funcs.SourceFile) [32]byte {
	sorted := append([]funcs.SourceFile(nil), files...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Src))
		h.Write(f.Src)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func routesOf(v *version) []string {
	var out []string
	for _, e := range v.endpoints {
		out = append(out, e.route)
	}
	return out
}

// diffRoutes describes a reload: +added ~kept -removed routes.
func diffRoutes(old, cur *version) string {
	before := map[string]bool{}
	if old != nil {
		for _, e := range old.endpoints {
			before[e.route] = true
		}
	}
	var parts []string
	now := map[string]bool{}
	for _, e := range cur.endpoints {
		now[e.route] = true
		if before[e.route] {
			parts = append(parts, "~"+e.route)
		} else {
			parts = append(parts, "+"+e.route)
		}
	}
	if old != nil {
		for _, e := range old.endpoints {
			if !now[e.route] {
				parts = append(parts, "-"+e.route)
			}
		}
	}
	if len(parts) == 0 {
		return "no services"
	}
	return strings.Join(parts, " ")
}
