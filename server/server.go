package server

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
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
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/worker"

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
	// loading is set while the first load of a server made by Open runs.
	loading atomic.Bool

	mu       sync.Mutex // guards packages and locks, and publishing
	packages map[string]*pkgState
	locks    map[string]*sync.Mutex // serialize the reloads of each package
	// exports are the files of the standard library's export data, for
	// prepare processes.
	exports exportFiles
	// noRun makes loads check packages without running any of
	// their code (see Check).
	noRun bool

	crashes crashLog
	// tally carries the nested calls workers run in process into the
	// server's counters.
	tally localTally

	ln      net.Listener
	baseURL string
	metrics *metrics
	// workers runs attempts that are waited for with a timeout, on
	// goroutines that keep their grown stacks.
	workers *worker.Pool
	signer  *chainSigner
	// attempts are the attempts in flight, which nested calls name.
	attempts attemptTable

	// runDir holds the workers' private temporary folders; unset with
	// IsolateNone. runLock is locked while the server runs: see
	// makeRunDir.
	runDir  string
	runLock *os.File
	shared  *sharedWorker  // with IsolateShared
	groups  sync.WaitGroup // worker groups not yet ended
	warned  sync.Map       // warnings logged once
	bg      sync.WaitGroup // reloads started by the watcher
	// modules finds the packages service code imports from source.
	modules *moduleSources
	// tiers is the compiled tier, nil when off.
	tiers *tiering
	// shadows holds a token per shadow call under way (see maybeShadow).
	shadows chan struct{}
	// life ends when the server closes: builds under way stop.
	life     context.Context
	stopLife context.CancelFunc
	// state applies the migrations of service code's databases and
	// reports on them.
	state *stateManager
}

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
	s, err := openServer(dir, opts)
	if err != nil {
		return nil, err
	}
	if err := s.loadFirst(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Open returns a server of dir that has loaded nothing yet: [Server.Serve]
// listens at once and loads every package in the background, so that
// /healthz answers while they load (a slow init does not make a liveness
// probe kill the server) and /readyz answers 503 until every package has
// loaded or failed. A first load that fails as a whole (--only naming no
// service) ends Serve with its error. [New] loads before it returns.
func Open(dir string, opts ...Option) (*Server, error) {
	s, err := openServer(dir, opts)
	if err != nil {
		return nil, err
	}
	s.loading.Store(true)
	return s, nil
}

// openServer returns a server of dir with no package loaded.
func openServer(dir string, opts []Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.prebuilt != nil {
		dir = cfg.prebuilt.Root
	} else if info, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("serve %s: %w", dir, err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("serve %s: not a directory", dir)
	}
	s := newServer(dir, cfg)
	if err := s.startTiering(); err != nil {
		return nil, err
	}
	if cfg.isolation != IsolateNone {
		if err := s.makeRunDir(); err != nil {
			return nil, err
		}
	}
	if cfg.isolation == IsolateShared {
		s.shared = &sharedWorker{starting: true}
	}
	return s, nil
}

// loadFirst loads every package for the first time.
func (s *Server) loadFirst(ctx context.Context) error {
	s.ReloadAll(ctx)
	if s.shared != nil {
		s.startFirstShared(ctx)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("serve %s: %w", s.root, err)
	}
	return s.checkOnly()
}

// newServer returns a server of dir with no package loaded.
func newServer(dir string, cfg *config) *Server {
	s := &Server{
		cfg:      cfg,
		root:     filepath.Clean(dir),
		packages: map[string]*pkgState{},
		locks:    map[string]*sync.Mutex{},
		metrics:  newMetrics(),
		workers:  worker.NewPool(10 * time.Second),
		shadows:  make(chan struct{}, maxShadows),
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
	if cfg.prebuilt == nil {
		s.modules.refresh()
	}
	s.state = newStateManager(s.root, cfg.prebuilt, cfg.state, cfg.logger)
	s.loader = interp.NewLoader(interp.Options{Unrestricted: cfg.unrestricted, Allow: cfg.allow, Logger: cfg.logger, Compiled: cfg.compiled, Sources: s.modules, Databases: s.state.set, Env: cfg.env})
	s.signer = newChainSigner(cfg.signingKeys())
	s.crashes.metric = s.metrics.crashes
	if cfg.isolation != IsolateNone {
		s.metrics.workers = workerMetrics{s}
	} else {
		s.metrics.workers = localDBMetrics{s}
	}
	s.gen.Store(newGeneration(nil, nil))
	s.life, s.stopLife = context.WithCancel(context.Background())
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
	if len(cfg.cors) > 0 {
		// Before the token: a browser's preflight carries none.
		s.app.Use(cors.New(cors.Config{
			AllowOrigins:     strings.Join(cfg.cors, ","),
			AllowMethods:     "GET,POST,HEAD",
			AllowCredentials: cfg.corsCredentials,
			ExposeHeaders:    strings.Join([]string{HeaderAttempts, HeaderStale, HeaderTier, fiber.HeaderRetryAfter, fiber.HeaderLocation}, ","),
			MaxAge:           600,
		}))
	}
	if cfg.auth.active() {
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

// warnOnce logs a warning the first time it is given.
func (s *Server) warnOnce(msg string) {
	if _, seen := s.warned.LoadOrStore(msg, true); !seen {
		s.cfg.logger.Warn("WARNING: " + msg)
	}
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
	if s.loading.Load() {
		// Opened: the first load runs while the server answers.
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			err := s.loadFirst(ctx)
			s.loading.Store(false)
			if err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
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
	s.stopLife()
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
	s.workers.Close()
	s.state.close()
	if s.runDir != "" {
		os.RemoveAll(s.runDir)
		s.runLock.Close()
	}
}

// ReloadAll loads every package below the root whose files changed, and
// drops packages whose directory is gone. It returns the load errors by
// package directory.
func (s *Server) ReloadAll(ctx context.Context) map[string]error {
	var dirs []string
	if s.cfg.prebuilt != nil {
		for _, p := range s.cfg.prebuilt.Packages {
			dirs = append(dirs, p.Rel)
		}
	} else {
		s.modules.refresh()
		var err error
		if dirs, err = funcs.PackageDirs(s.root); err != nil {
			s.cfg.logger.Error("list packages", "error", err)
		}
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

// reload reloads the packages in rels (see reloadGroup), several at
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

// reloadGroup loads the packages in rels whose files changed, several
// at once (a package that fails to load keeps its last good version
// serving; with guard set, sources that drop services are held back for
// removalGrace first; reloads of one package are serialized, and the slow
// part, the load itself, holds no lock that requests or health checks
// need), and publishes the new versions of all of them in one
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
	var sources interp.SourceImporter = s.modules
	if mod := s.modules.get(); mod != nil {
		snap = mod.Snapshot()
		sources = snap
	}
	loads := make([]pendingLoad, len(rels))
	s.inParallel(len(rels), func(i int) { loads[i] = s.readPackage(ctx, rels[i], guard, snap) })
	// The packages to load are checked and prepared together (each
	// package they import checked once), then loaded side by side.
	var toLoad []*pendingLoad
	for i := range loads {
		if !loads[i].finished {
			toLoad = append(toLoad, &loads[i])
		}
	}
	s.prepareAll(ctx, toLoad, sources)
	built := s.buildTogether(ctx, toLoad)
	s.inParallel(len(toLoad), func(i int) {
		if l := toLoad[i]; l.err == nil {
			// The package's migrations first: its code may rely on them.
			if l.err = s.state.migrate(ctx, l.rel, l.src); l.err != nil {
				return
			}
			l.v, l.err = s.load(ctx, l.rel, l.label, l.src, l.files, l.prev, l.prep, built[l.rel])
		}
	})
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

// inParallel calls f(0), …, f(n-1), at most maxParallelLoads at once, and
// returns when every call has.
func (s *Server) inParallel(n int, f func(i int)) {
	sem := make(chan struct{}, maxParallelLoads)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			f(i)
		}()
	}
	wg.Wait()
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

// A pendingLoad is the outcome of loading one package of a reload, to be
// published with the others of its group.
type pendingLoad struct {
	rel, label string
	st         *pkgState
	start      time.Time
	// src and files are the package as read, prev the version serving
	// now; prep is its code as prepared, when it runs here.
	src   *funcs.Package
	files []funcs.SourceFile
	prev  *version
	prep  *interp.Prepared
	v     *version // the new version, if it loaded
	err   error
	// finished reports that nothing is left to publish: the package was
	// unchanged, removed, held back or failed before its load, and err
	// is its outcome.
	finished bool
}

// readPackage is the first part of a reload of the package in rel: it
// reads and parses the package, and finishes the load if the package is
// unchanged, removed, held back or cannot be parsed. snap, in a module,
// is the group's snapshot of its files. The caller holds the package's
// lock.
func (s *Server) readPackage(ctx context.Context, rel string, guard bool, snap *gomod.Snapshot) pendingLoad {
	start := time.Now()
	dir := filepath.Join(s.root, filepath.FromSlash(rel))
	label := filepath.ToSlash(dir)
	finished := func(err error) pendingLoad { return pendingLoad{rel: rel, label: label, err: err, finished: true} }
	var files []funcs.SourceFile
	var readErr error
	var prebuilt *PrebuiltPackage
	switch {
	case s.cfg.prebuilt != nil:
		// A built application's sources are in it: no folder is read.
		prebuilt, _ = s.prebuiltPackage(rel)
		if prebuilt != nil {
			files = prebuilt.Files
		}
	case snap != nil:
		files, readErr = snap.ReadDir(dir)
	default:
		files, readErr = funcs.ReadDir(dir, s.cfg.limits)
	}
	if link := symlinkIn(s.root, rel); prebuilt == nil && link != "" {
		// No code is loaded from outside the folder: a package directory
		// that is (or is below) a symbolic link is not a package.
		s.cfg.logger.Warn(fmt.Sprintf("skipped %s: %s is a symbolic link; no code is loaded from outside %s", label, filepath.ToSlash(link), filepath.ToSlash(s.root)))
		files, readErr = nil, nil
	}
	if prebuilt == nil && rel != "." && funcs.IsModuleRoot(dir) {
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
			s.state.forget(rel)
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
	if prebuilt == nil {
		h = hashMigrations(h, dir) // an application's are in it, as built
	}
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
	st.seq++
	s.mu.Unlock()
	// Parsed without the lock, so that the packages of a group parse side
	// by side (the package's own lock keeps st its own meanwhile).
	var imp funcs.Importer
	switch {
	case prebuilt != nil:
		imp = funcs.NewImporter(prebuilt.Deps)
	case snap != nil:
		imp = snap.Importer()
	}
	src, err := funcs.ParseWith(dir, files, imp)
	switch {
	case err == nil && prebuilt != nil:
		src.ImportPath = prebuilt.ImportPath
	case err == nil && snap != nil:
		src.ImportPath = s.modules.get().ImportPath(dir)
	}
	s.mu.Lock()
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
	return pendingLoad{rel: rel, label: label, st: st, start: start, src: src, files: files, prev: prev}
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
		err = s.unsyncedFailed(l.st, l.rel, l.label, err)
		var f *interpFailure
		if errors.As(err, &f) {
			// What the interpreter cannot run, the compiler may.
			s.compileLater(l.st, f.v, l.src, f.err)
		}
		return err
	}
	old := l.st.current
	l.st.current, l.st.err, l.st.warnings = v, nil, v.warnings
	for _, w := range v.warnings {
		s.cfg.logger.Warn("warning: " + w.Error())
	}
	if v.tier == tierCompiled && s.cfg.prebuilt == nil {
		l.st.build = buildState{took: v.buildTook, at: time.Now()}
	} else if v.tier == tierInterpreted && v.group != nil {
		s.compileLater(l.st, v, l.src, nil)
	}
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

// loadHere loads one version of the package in rel in this process
// (IsolateNone): the code prepared already, if prep is not nil. A host
// runs its services; their calls of other services come back to this
// server as a worker's would.
func (s *Server) loadHere(ctx context.Context, rel string, src *funcs.Package, prep *interp.Prepared, prev *version) (*version, error) {
	v, err := s.newVersion(rel, src.Services, prev)
	if err != nil {
		return nil, err
	}
	host := worker.NewHost(worker.HostConfig{
		Settings: s.workerSettings(),
		Logger:   s.cfg.logger,
		Limiter:  v.limiter,
		Go:       s.workers.Go,
		Observe: func(caller, callee string, status int, _ time.Duration) {
			s.metrics.observeLocal(caller, callee, status, 1)
		},
	})
	host.SetUpstream(protocol.Local{Handler: s.nestedHandler(host), Go: s.workers.Go})
	var pkg *svcrt.Package
	switch {
	case s.cfg.prebuilt != nil:
		// The application's compiled code, loaded as its workers would.
		spec := s.workerSpec(rel, rel).run
		ps := packageSpec(rel, sourceFiles(src), prep, true)
		pkg, err = s.cfg.prebuilt.Load(ctx, &spec, &ps, host.CallFunc(), s.cfg.logger)
	case prep != nil:
		pkg, err = s.loader.Run(ctx, src, prep, host.CallFunc())
	default:
		pkg, err = s.loader.Load(ctx, src, host.CallFunc())
	}
	if err != nil {
		return nil, err
	}
	if err := host.Add(rel, pkg); err != nil {
		pkg.Close()
		return nil, err
	}
	v.pkg, v.host = pkg, host
	return v, nil
}

// load loads one version of the package in rel, checked already, from
// its code prepared (prep: nil when it runs nothing here, see needsCode):
// in this process, or in a worker process of its own. prev is the version
// serving now, if any.
func (s *Server) load(ctx context.Context, rel, label string, src *funcs.Package, files []funcs.SourceFile, prev *version, prep *interp.Prepared, built *compile.Result) (*version, error) {
	if s.cfg.isolation == IsolateNone {
		if prep == nil {
			// A library: it runs within the packages that import it.
			return s.newVersion(rel, src.Services, prev)
		}
		v, err := s.loadHere(ctx, rel, src, prep, prev)
		if v != nil {
			v.warnings = prep.Warnings
		}
		return v, err
	}
	v, err := s.newVersion(rel, src.Services, prev)
	if err != nil {
		return nil, err
	}
	if prep != nil {
		v.warnings = prep.Warnings
	}
	if !v.servesAny() {
		// Every service of the package is served elsewhere (--only):
		// no code of it runs here, so it needs no worker.
		return v, nil
	}
	if s.shared != nil {
		v.files, v.prep, v.shared = files, prep, s.shared
		if s.shared.starting {
			// The first shared worker loads every package at once.
			return v, nil
		}
		g, err := s.startShared(ctx, rel, label, files, prep)
		if err != nil {
			var lt *supervisor.LoadTimeoutError
			if errors.As(err, &lt) {
				return nil, loadTimeoutError(src, prep, lt)
			}
			return nil, err
		}
		v.pending = g
		return v, nil
	}
	v.files, v.prep = files, prep
	if s.tiers != nil && s.cfg.tier == TierCompiled {
		g, took, err := s.build(ctx, rel, label, src, files, prep, built)
		if err != nil {
			return nil, err
		}
		v.group, v.tier, v.buildTook = g, tierCompiled, took
		v.final = func() { s.finalTally(g) }
		return v, nil
	}
	g, err := s.startWorker(ctx, rel, label, files, prep)
	if err != nil {
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return nil, loadTimeoutError(src, prep, lt)
		}
		if s.tiers != nil {
			return nil, &interpFailure{err: err, v: v}
		}
		return nil, err
	}
	v.group = g
	v.final = func() { s.finalTally(g) }
	return v, nil
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
func (s *Server) newVersion(rel string, descs []*funcs.Descriptor, prev *version) (*version, error) {
	v := &version{rel: rel, loadedAt: time.Now(), tier: tierInterpreted, databases: s.state.databasesOf(rel)}
	if s.cfg.prebuilt != nil {
		v.tier = tierCompiled
	}
	old := map[string]*endpoint{}
	if prev != nil {
		for _, e := range prev.endpoints {
			old[e.route] = e
		}
	}
	var list funcs.ErrorList
	for _, desc := range descs {
		p, err := s.policyOf(desc)
		if err != nil {
			list = append(list, err.(funcs.ErrorList)...)
		}
		e := &endpoint{route: routePrefix(rel) + desc.Route, desc: desc, policy: p, version: v}
		e.auth = s.cfg.auth.forRoute(e.route, desc.Auth)
		e.stream = len(desc.Results) == 1 && desc.Results[0].Kind == funcs.Seq
		if reservedRoute(e.route) {
			list = append(list, &funcs.SourceError{Pos: desc.Pos, Msg: fmt.Sprintf("service %s: route %s collides with the server's own routes (/docs, /openapi.json, /metrics, /healthz, /readyz): rename the package directory or the function, or set name=", desc.Name, e.route)})
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

// policyOf returns the policy the annotation of desc sets over the
// server's defaults.
func (s *Server) policyOf(desc *funcs.Descriptor) (policy.Policy, error) {
	return worker.PolicyOf(s.cfg.defaults, desc)
}

// unsyncedPublish builds and publishes the generation of the current
// versions. The caller holds s.mu.
func (s *Server) unsyncedPublish() {
	versions := map[string]*version{}
	stale := map[string]string{}
	for rel, st := range s.packages {
		if st.current != nil {
			versions[rel] = st.current
			s.metrics.observeTier(rel, st.current.tier)
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
