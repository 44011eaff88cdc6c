package server

import (
	"slices"

	yaegi "github.com/traefik/yaegi/interp"

	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
)

// An Option configures a [Server].
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	addr            string
	monolith        bool
	noPeerCalls     bool // see WithPeerCalls
	workerProcs     int  // see WithWorkerProcs
	unrestricted    bool
	maxDepth        int
	bodyLimit       int
	logger          *slog.Logger
	quiet           bool
	defaults        policy.Policy
	watch           bool
	debounce        time.Duration
	shutdownTimeout time.Duration
	idleTimeout     time.Duration
	readTimeout     time.Duration
	writeTimeout    time.Duration
	only            []string
	routes          RouteTable
	token           string
	tlsCert, tlsKey string
	maxConns        int
	maxHeaderBytes  int
	callDeadline    time.Duration
	limits          funcs.Limits
	allow           []string
	env             []string // NAME=VALUE, see WithEnv
	secretFiles     []string
	compiled        []yaegi.Exports
	isolation       Isolation
	tier            Tier
	maxResponseSize int64
	scaleToZero     time.Duration
	shadow          float64
	prebuilt        *Prebuilt
	cors            []string
	corsCredentials bool
	build           compile.Options
	loadTimeout     time.Duration
	runawayGrace    time.Duration
	workerLimits    protocol.Limits
	workerCommand   []string
	chainKeys       [][]byte
	state           stateOptions
	authRules       []AuthRule
	jwtKeys         *JWTKeys
	secrets         map[string]string // name → file, read into env by newConfig (WithSecret)
	// auth is what calls from outside must show, made of token,
	// authRules and jwtKeys.
	auth *authConfig
}

// signingKeys are the keys of the server's chain signer: the chain keys
// given, else one derived from the token, else a random one (chains are
// then recognized by this server and its workers only).
func (c *config) signingKeys() [][]byte {
	switch {
	case len(c.chainKeys) > 0:
		return c.chainKeys
	case c.token != "":
		return [][]byte{deriveKey(c.token)}
	}
	return [][]byte{randomKey()}
}

// serves reports whether the server serves the service at route (see
// WithOnly).
func (c *config) serves(route string) bool {
	if len(c.only) == 0 {
		return true
	}
	for _, o := range c.only {
		if strings.Trim(o, "/") == strings.TrimPrefix(route, "/") {
			return true
		}
	}
	return false
}

func newConfig(opts []Option) (*config, error) {
	c := &config{
		addr:            "127.0.0.1:8000",
		maxDepth:        64,
		bodyLimit:       1 << 20,
		defaults:        policy.Default(),
		watch:           true,
		debounce:        30 * time.Millisecond,
		shutdownTimeout: 10 * time.Second,
		idleTimeout:     60 * time.Second,
		readTimeout:     30 * time.Second,
		writeTimeout:    0,
		maxConns:        10000,
		maxHeaderBytes:  16 << 10,
		callDeadline:    5 * time.Minute,
		isolation:       IsolatePackage,
		tier:            TierInterpreted,
		maxResponseSize: 64 << 20,
		loadTimeout:     10 * time.Second,
		runawayGrace:    5 * time.Second,
		workerLimits: protocol.Limits{
			MaxMemory:    1 << 30,
			MaxStack:     64 << 20,
			MaxOpenFiles: 1024,
			MaxFileSize:  64 << 20,
			MaxTempSize:  256 << 20,
		},
	}
	for _, o := range opts {
		o.apply(c)
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if err := checkPrebuilt(c); err != nil {
		return nil, err
	}
	if err := c.state.check(); err != nil {
		return c, err
	}
	if err := c.validate(); err != nil {
		return c, err
	}
	if err := c.readSecrets(); err != nil {
		return c, err
	}
	auth, err := newAuthConfig(c)
	if err != nil {
		return c, err
	}
	c.auth = auth
	return c, nil
}

func (c *config) validate() error {
	switch {
	case c.maxDepth < 1:
		return fmt.Errorf("max depth must be at least 1, got %d", c.maxDepth)
	case c.bodyLimit < 1:
		return fmt.Errorf("body limit must be at least 1 byte, got %d", c.bodyLimit)
	case c.maxConns < 1:
		return fmt.Errorf("max connections must be at least 1, got %d", c.maxConns)
	case c.maxHeaderBytes < 1024:
		return fmt.Errorf("max header bytes must be at least 1024, got %d", c.maxHeaderBytes)
	case c.callDeadline <= 0:
		return fmt.Errorf("call deadline must be positive, got %s", c.callDeadline)
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return fmt.Errorf("TLS needs both a certificate and a key file")
	case c.corsCredentials && slices.Contains(c.cors, "*"):
		return fmt.Errorf("--cors-credentials needs the origins listed, not *: a browser refuses credentials for any origin")
	case c.shadow < 0 || c.shadow > 1:
		return fmt.Errorf("shadow rate must be between 0 and 1, got %v", c.shadow)
	case c.maxResponseSize < 1:
		return fmt.Errorf("max response size must be at least 1 byte, got %d", c.maxResponseSize)
	case c.tier != TierAuto && c.tier != TierInterpreted && c.tier != TierCompiled:
		return fmt.Errorf("tier must be %q, %q or %q, got %q", TierAuto, TierInterpreted, TierCompiled, c.tier)
	case c.isolation != IsolatePackage && c.isolation != IsolateShared && c.isolation != IsolateNone:
		return fmt.Errorf("isolation must be %q, %q or %q, got %q", IsolatePackage, IsolateShared, IsolateNone, c.isolation)
	case c.loadTimeout <= 0:
		return fmt.Errorf("load timeout must be positive, got %s", c.loadTimeout)
	case c.runawayGrace <= 0:
		return fmt.Errorf("runaway grace must be positive, got %s", c.runawayGrace)
	case c.workerLimits.MaxMemory != 0 && c.workerLimits.MaxMemory < 64<<20:
		return fmt.Errorf("max memory must be at least 64 MiB (or 0 for no limit), got %d bytes", c.workerLimits.MaxMemory)
	case c.workerLimits.MaxStack != 0 && c.workerLimits.MaxStack < 1<<20:
		return fmt.Errorf("max stack must be at least 1 MiB, got %d bytes", c.workerLimits.MaxStack)
	}
	if err := c.routes.validate(); err != nil {
		return err
	}
	env, err := resolveEnv(c.env, os.LookupEnv)
	if err != nil {
		return err
	}
	c.env = env
	if err := c.defaults.Validate(); err != nil {
		return fmt.Errorf("default policy: %w", err)
	}
	return nil
}

// WithAddr sets the address to listen on. Default "127.0.0.1:8000":
// loopback only. Use "127.0.0.1:0" for a free port.
func WithAddr(addr string) Option { return optionFunc(func(c *config) { c.addr = addr }) }

// WithMonolith keeps calls between services in process instead of going
// over HTTP. Binding, errors, policies and the chain rules are the same.
// Default false.
func WithMonolith(on bool) Option { return optionFunc(func(c *config) { c.monolith = on }) }

// WithPeerCalls sets whether, with a worker per package, nested calls
// between two packages' workers go straight from one to the other once
// the server has carried one between them (the default), or each goes
// through the server.
func WithPeerCalls(on bool) Option { return optionFunc(func(c *config) { c.noPeerCalls = !on }) }

// WithWorkerProcs sets how many threads run the Go code of each worker
// process at once (its GOMAXPROCS); 0, the default, leaves the Go
// runtime's choice (every core, or GOMAXPROCS from the environment).
// One suits a package whose calls are short: such a worker mostly waits
// for its next call, and a runtime with more threads wakes idle ones to
// look for work at each message. Its code then never runs in parallel:
// calls that compute at once share one core, and a data race Go would
// catch as a fatal error ("concurrent map writes") goes unseen.
func WithWorkerProcs(n int) Option { return optionFunc(func(c *config) { c.workerProcs = max(n, 0) }) }

// WithUnrestricted lets service code import unsafe, syscall, os/exec and
// the other packages kept out of the interpreter's sandbox. Default false.
func WithUnrestricted(on bool) Option { return optionFunc(func(c *config) { c.unrestricted = on }) }

// WithAllow adds standard library packages to the interpreter's sandbox
// (see interp.Sandbox), such as "net/http" or "os". Default none.
func WithAllow(paths ...string) Option {
	return optionFunc(func(c *config) { c.allow = append(c.allow, paths...) })
}

// WithEnv gives service code environment variables, each "NAME=VALUE",
// or "NAME" for the value NAME has in the server's own environment (left
// out when it has none). Service code reads them with os.Getenv,
// os.LookupEnv and os.Environ, which list these and no other; worker
// processes have them in their environment and nothing else of the
// server's (see protocol.Settings.Env and supervisor.RuntimeEnv). microfn's own variables
// (MICROFN_*, such as MICROFN_TOKEN) and TMPDIR (a worker's private
// temporary folder) cannot be given: [New] refuses them. Default none.
func WithEnv(vars ...string) Option {
	return optionFunc(func(c *config) { c.env = append(c.env, vars...) })
}

// resolveEnv turns the entries of WithEnv into NAME=VALUE entries, taking
// the value of a bare NAME from lookup; a later entry for a name replaces
// an earlier one.
func resolveEnv(vars []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	index := map[string]int{}
	for _, v := range vars {
		name, value, hasValue := strings.Cut(v, "=")
		switch {
		case name == "" || strings.ContainsAny(name, "\x00"):
			return nil, fmt.Errorf("environment variable %q: want NAME or NAME=VALUE", v)
		case strings.HasPrefix(strings.ToUpper(name), "MICROFN_"):
			return nil, fmt.Errorf("environment variable %s: microfn's own variables (MICROFN_*) are never given to service code", name)
		case name == "TMPDIR":
			return nil, fmt.Errorf("environment variable TMPDIR: a worker's TMPDIR is its private temporary folder")
		}
		if !hasValue {
			if value, hasValue = lookup(name); !hasValue {
				continue
			}
		}
		if i, seen := index[name]; seen {
			out[i] = name + "=" + value
			continue
		}
		index[name] = len(out)
		out = append(out, name+"="+value)
	}
	return out, nil
}

// WithSecretFiles names the files the server's secrets come from (its
// token, its chain keys): worker processes cannot read them, even with
// --allow os (see protocol.Sandbox.Hidden). Default none.
func WithSecretFiles(paths ...string) Option {
	return optionFunc(func(c *config) {
		for _, p := range paths {
			if p == "" {
				continue
			}
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			c.secretFiles = append(c.secretFiles, p)
		}
	})
}

// WithCompiled gives service code the Go packages compiled into the
// executable, by their symbol tables (see interp.Options.Compiled and
// microfn build --with). Workers are the same executable, and have them
// too.
func WithCompiled(sets ...yaegi.Exports) Option {
	return optionFunc(func(c *config) { c.compiled = append(c.compiled, sets...) })
}

// WithMaxDepth sets how deep a chain of nested calls may go; a deeper call
// is refused with 508 Loop Detected. Default 64.
func WithMaxDepth(n int) Option { return optionFunc(func(c *config) { c.maxDepth = n }) }

// WithBodyLimit sets the largest request body accepted, in bytes; a larger
// one gets 413. Default 1 MiB.
func WithBodyLimit(n int) Option { return optionFunc(func(c *config) { c.bodyLimit = n }) }

// WithLogger sets the logger for access lines, reloads and what service
// code prints. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return optionFunc(func(c *config) { c.logger = l }) }

// WithQuiet drops the per-call access lines. Default false.
func WithQuiet(on bool) Option { return optionFunc(func(c *config) { c.quiet = on }) }

// WithPolicyDefaults sets the policy of services that do not set an option
// themselves. Default policy.Default().
func WithPolicyDefaults(p policy.Policy) Option {
	return optionFunc(func(c *config) { c.defaults = p })
}

// WithWatch turns reloading on file changes on or off. Default on.
func WithWatch(on bool) Option { return optionFunc(func(c *config) { c.watch = on }) }

// WithOnly serves just the named services (by route: "IsEven",
// "billing/Charge"); the packages are still loaded whole, and calls to the
// other services go where the route table says. Default: serve every
// service. Naming a service that does not exist is an error of [New].
func WithOnly(routes ...string) Option {
	return optionFunc(func(c *config) { c.only = append(c.only, routes...) })
}

// WithRoutes sets where services this server does not serve live: base
// URLs by service route or package directory (see [RouteTable]). Later
// entries win over earlier ones for the same key.
func WithRoutes(t RouteTable) Option {
	return optionFunc(func(c *config) {
		if c.routes == nil {
			c.routes = RouteTable{}
		}
		for k, v := range t {
			c.routes[strings.Trim(k, "/")] = v
		}
	})
}

// WithToken requires Authorization: Bearer token on every route except
// /healthz and /readyz, compared in constant time; proxies send it to the
// servers they call. Default: no token.
func WithToken(token string) Option { return optionFunc(func(c *config) { c.token = token }) }

// WithTLS serves HTTPS with the certificate and key in these PEM files.
// Proxies calling this server trust the certificate. Default: plain HTTP.
func WithTLS(certFile, keyFile string) Option {
	return optionFunc(func(c *config) { c.tlsCert, c.tlsKey = certFile, keyFile })
}

// WithTimeouts sets the connection timeouts: reading a whole request
// (headers and body; slow clients are cut off), writing a response (0: no
// limit, since a call may take long), and keeping an idle connection.
// Defaults 30s, 0 and 60s.
func WithTimeouts(read, write, idle time.Duration) Option {
	return optionFunc(func(c *config) { c.readTimeout, c.writeTimeout, c.idleTimeout = read, write, idle })
}

// WithMaxConns bounds the concurrent connections; past it new connections
// are refused. Default 10000.
func WithMaxConns(n int) Option { return optionFunc(func(c *config) { c.maxConns = n }) }

// WithMaxHeaderBytes bounds the size of a request's line and headers; a
// larger request gets 431. Default 16 KiB.
func WithMaxHeaderBytes(n int) Option { return optionFunc(func(c *config) { c.maxHeaderBytes = n }) }

// WithCallDeadline bounds how long a call from outside may take in all,
// retries included, unless its caller sent an earlier deadline. Default 5m.
func WithCallDeadline(d time.Duration) Option {
	return optionFunc(func(c *config) { c.callDeadline = d })
}

// WithSourceLimits bounds what is read when loading a package: the size of
// one file and the number of files (see funcs.Limits). Defaults 1 MiB and
// 1000 files.
func WithSourceLimits(l funcs.Limits) Option { return optionFunc(func(c *config) { c.limits = l }) }

// WithShutdownTimeout bounds how long a graceful shutdown waits for calls
// in flight. Default 10s.
func WithShutdownTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.shutdownTimeout = d })
}

// Isolation says which processes run service code.
type Isolation string

const (
	// IsolatePackage runs each package version in a worker process of
	// its own: a fatal error in one package's code (a stack overflow, a
	// concurrent map write, running out of memory) ends only that
	// package's worker, which is restarted. The default.
	IsolatePackage Isolation = "package"
	// IsolateShared runs every package in one worker process, apart from
	// the server: a fatal error restarts that worker, and every package
	// with it, but never takes the server down. It costs one worker's
	// memory instead of one per package; a reload of any package starts
	// a new worker with every package.
	IsolateShared Isolation = "shared"
	// IsolateNone runs service code in the server's own process, as one
	// program: the fastest, but a fatal error in any service ends the
	// server.
	IsolateNone Isolation = "none"
)

// WithCORS lets web pages of origins (such as https://shop.example, or
// "*" for any) call the services from a browser: preflight requests are
// answered, and answers carry the CORS headers. With credentials, the
// browser may send cookies and Authorization (origins must then be
// listed, not "*"). Default none.
func WithCORS(origins []string, credentials bool) Option {
	return optionFunc(func(c *config) { c.cors, c.corsCredentials = origins, credentials })
}

// WithShadow runs a share rate (0 to 1) of the calls of a compiled
// version on its interpreted version too, once it has answered, and
// reports every difference between the two answers (see package doc).
// The shadow execution runs the service again, side effects included.
// Default 0: none.
func WithShadow(rate float64) Option { return optionFunc(func(c *config) { c.shadow = rate }) }

// WithScaleToZero stops a package's worker process once it has had no
// call for d; the next call starts one and waits for it. Default 0: never.
func WithScaleToZero(d time.Duration) Option {
	return optionFunc(func(c *config) { c.scaleToZero = d })
}

// WithMaxResponseSize sets the largest answer of a service, in bytes: a
// bigger one is refused with a problem naming the limit. Default 64 MiB.
func WithMaxResponseSize(n int64) Option {
	return optionFunc(func(c *config) { c.maxResponseSize = n })
}

// WithIsolation sets which processes run service code. Default
// [IsolatePackage].
func WithIsolation(i Isolation) Option { return optionFunc(func(c *config) { c.isolation = i }) }

// WithLoadTimeout bounds how long loading a package may take, its init
// functions and package-level initialisers included; a load that takes
// longer is a load error, and the last good version keeps serving. It
// applies to worker processes (not to [IsolateNone]). Default 10s.
func WithLoadTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.loadTimeout = d })
}

// WithRunawayGrace sets how long a call may run past its timeout before
// its worker process is replaced: a fresh worker takes new calls, and the
// old one is killed once it runs nothing but overdue calls. It applies to
// worker processes. Default 5s.
func WithRunawayGrace(d time.Duration) Option {
	return optionFunc(func(c *config) { c.runawayGrace = d })
}

// WithWorkerLimits sets the resource limits of each worker process (see
// protocol.Limits). Default: 1 GiB of memory, goroutine stacks of at
// most 64 MiB, 1024 open files, files written of at most 64 MiB, 256 MiB
// of temporary files.
func WithWorkerLimits(l protocol.Limits) Option {
	return optionFunc(func(c *config) { c.workerLimits = l })
}

// WithWorkerCommand sets the executable (and arguments) started as a
// worker process. Default: this executable, whose main must call
// worker.Main when protocol.IsWorker reports true (cmd/microfn does).
func WithWorkerCommand(cmd ...string) Option {
	return optionFunc(func(c *config) { c.workerCommand = cmd })
}

// WithChainKeys sets the secrets that sign call chains (see
// [HeaderChain]): the first signs, every one verifies, so a key can be
// rotated by adding the new one first and dropping the old one later.
// Servers that call each other (split processes) must share one. Default:
// one derived from the token ([WithToken]), else a random one per start.
func WithChainKeys(secrets ...string) Option {
	return optionFunc(func(c *config) {
		for _, k := range secrets {
			if k != "" {
				c.chainKeys = append(c.chainKeys, deriveKey(k))
			}
		}
	})
}
