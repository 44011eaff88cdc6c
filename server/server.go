package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"

	"github.com/microfn/microfn"
)

// A Server serves the services of the packages below one directory: it
// owns the HTTP side (Fiber, the handlers of every route) and the
// processes that run service code; what it serves, the packages and their
// versions, and their reloads are its packages'.
type Server struct {
	cfg    *config
	access accessSampler // the access lines of successful calls written per second
	root   string
	app    *fiber.App
	loader *interp.Loader
	client *fasthttp.Client

	// packages are the packages served, with the generation requests
	// read.
	packages *packages
	// temps keeps account of every worker's temporary folder
	// (--max-temp-size) with one inotify instance; nil without workers or
	// a limit (or if it could not start: each worker then takes one).
	temps     *supervisor.TempWatcher
	tempsOnce sync.Once // makes temps when the first worker starts
	// loading is set while the first load of a server made by Open runs.
	loading atomic.Bool

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
	// peers is the peer path's state, nil when it is off (see peer.go).
	peers *peerState

	// runDir holds the workers' private temporary folders; unset with
	// IsolateNone. runLock is locked while the server runs: see
	// makeRunDir.
	runDir  string
	runLock *os.File
	shared  *sharedWorker  // with IsolateShared
	groups  sync.WaitGroup // worker groups not yet ended
	warned  sync.Map       // warnings logged once
	// bg counts what runs in the background until Close: reloads started
	// by the watcher, the first load of a server made by Open, the
	// compiled tier's builds.
	bg sync.WaitGroup
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
	// spares keeps a worker and a prepare process started, waiting for
	// their Spec, while the folder is watched (see supervisor.Spares);
	// nil otherwise.
	spares *supervisor.Spares
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
		s.shared.retiring = s.finalTally
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
	root := filepath.Clean(dir)
	s := &Server{
		cfg:     cfg,
		root:    root,
		metrics: newMetrics(),
		workers: worker.NewPool(10 * time.Second),
		shadows: make(chan struct{}, maxShadows),
		modules: &moduleSources{root: root, limits: cfg.limits},
		client:  newClient(cfg),
		peers:   newPeerState(cfg),
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
	if cfg.watch && cfg.isolation != IsolateNone {
		// While files are edited, a save need not wait for the two
		// processes it starts (its prepare process and its worker).
		s.spares, _ = supervisor.NewSpares(cfg.workerCommand, supervisor.DefaultSpareKeep, cfg.logger)
	}
	s.packages = newPackages(s)
	s.life, s.stopLife = context.WithCancel(context.Background())
	s.app = s.newApp()
	return s
}

// newClient returns the client of the calls the server makes to other
// servers.
func newClient(cfg *config) *fasthttp.Client {
	return &fasthttp.Client{
		// Below the server's idle timeout, so a pooled connection is
		// never one the server is closing.
		MaxIdleConnDuration:           cfg.idleTimeout / 2,
		MaxConnsPerHost:               16384,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: false,
		// Retries are the callee's policy's business, not the client's.
		RetryIfErr: func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
	}
}

// newApp returns the Fiber application of the server: its own routes
// (/healthz, /readyz, /metrics, /openapi.json, /docs) and one catch-all
// route for every service (handle), behind CORS and authentication when
// they are on.
func (s *Server) newApp() *fiber.App {
	cfg := s.cfg
	app := fiber.New(fiber.Config{
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
		app.Use(cors.New(cors.Config{
			AllowOrigins:     strings.Join(cfg.cors, ","),
			AllowMethods:     "GET,POST,HEAD",
			AllowCredentials: cfg.corsCredentials,
			ExposeHeaders:    strings.Join([]string{protocol.HeaderAttempts, protocol.HeaderStale, protocol.HeaderTier, fiber.HeaderRetryAfter, fiber.HeaderLocation}, ","),
			MaxAge:           600,
		}))
	}
	if cfg.auth.active() {
		app.Use(s.authenticate)
	}
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics.handler())
	app.Get("/openapi.json", s.openapiJSON)
	docs := docsHandler(cfg.token != "")
	app.Get("/docs", func(c *fiber.Ctx) error { return c.Redirect("/docs/", fiber.StatusMovedPermanently) })
	app.Get("/docs/*", docs)
	app.All("/*", s.handle)
	// Fiber answers a method it does not know (lower-case "get", made-up
	// ones) with plain text before any route: such requests get a problem
	// here instead.
	fh := app.Server().Handler
	app.Server().Handler = func(c *fasthttp.RequestCtx) {
		if !knownMethod(c.Method()) {
			writeMethodProblem(c)
			return
		}
		fh(c)
	}
	return app
}

// checkOnly reports names given to WithOnly that match no service.
func (s *Server) checkOnly() error {
	if len(s.cfg.only) == 0 {
		return nil
	}
	known := map[string]bool{}
	var all []string
	s.packages.each(func(st *pkgState) {
		if st.current == nil {
			return
		}
		for _, e := range st.current.endpoints {
			known[strings.TrimPrefix(e.route, "/")] = true
			all = append(all, strings.TrimPrefix(e.route, "/"))
		}
	})
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
	s.cfg.logger.Info("serving", "dir", s.root, "url", s.baseURL, "services", len(s.packages.generation().routes), "monolith", s.cfg.monolith)
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
	s.packages.each(func(st *pkgState) {
		if st.current != nil {
			st.current.retire()
		}
	})
	if s.shared != nil {
		if g := s.shared.group.Load(); g != nil {
			g.Close()
		}
	}
	s.groups.Wait()
	s.spares.Close()
	s.client.CloseIdleConnections()
	s.workers.Close()
	s.tempsOnce.Do(func() {}) // none made from now on
	if s.temps != nil {
		s.temps.Close()
	}
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
	return s.packages.reloadAll(ctx)
}

// Reload reloads the packages in the directories rel (relative to the
// root) if their files changed.
func (s *Server) Reload(ctx context.Context, rels ...string) map[string]error {
	return s.packages.reloadGroup(ctx, rels, false)
}

// tempWatcher returns the watcher of the workers' temporary folders,
// made when the first worker starts (nil with no limit, or if it cannot
// be made: each worker then takes an inotify instance of its own).
func (s *Server) tempWatcher() *supervisor.TempWatcher {
	s.tempsOnce.Do(func() {
		if s.cfg.isolation == IsolateNone || s.cfg.workerLimits.MaxTempSize <= 0 {
			return
		}
		tw, err := supervisor.NewTempWatcher()
		if err != nil {
			s.cfg.logger.Warn(fmt.Sprintf("watch the workers' temporary folders: %v (each worker will take an inotify instance of its own)", err))
			return
		}
		s.temps = tw
	})
	return s.temps
}
