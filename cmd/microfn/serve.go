package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn serve", "Usage: microfn serve DIR [flags]\n\nServe every annotated function of the Go packages below DIR, each at its own route,\nand reload a package when its files change.", stderr)
	var f serveFlags
	f.register(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	dir, rest, ok := servedDir(pos)
	if !ok || len(rest) != 0 {
		fs.Usage()
		return 2
	}
	logger, err := newLogger(stderr, f.logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	opts, err := f.options(setFlags(fs), splitting(args), logger)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	// The server listens at once and loads in the background: /healthz
	// answers while a slow init loads, /readyz once every package has
	// loaded or failed.
	srv, err := server.Open(dir, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 1
	}
	if err := srv.Listen(); err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 1
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go reloadOnHangup(ctx, srv, hup, logger)
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 1
	}
	return 0
}

// serveFlags are the flags of microfn serve.
type serveFlags struct {
	// The server's own process.
	addr, logFormat                 string
	monolith, unrestricted, noWatch bool
	peerCalls                       bool
	quiet                           bool
	maxDepth, bodyLimit             int
	token, tokenFile                string
	chainKeys, chainKeyFile         string
	tlsCert, tlsKey                 string
	readTimeout, writeTimeout       time.Duration
	idleTimeout, callDeadline       time.Duration
	maxConns, maxHeader             int
	maxFileSize                     int64
	maxFiles                        int
	corsOrigins                     string
	corsCredentials                 bool

	// The processes that run service code.
	isolate, tier             string
	maxResponse               string
	scaleToZero               time.Duration
	workerProcs               int
	shadow                    float64
	loadTimeout, runawayGrace time.Duration
	maxMemory, maxStack       string
	maxOpenFiles              uint64
	maxWriteSize, maxTempSize string

	// Groups of flags registered by their own functions.
	env      func() []string
	defaults func() (policy.Policy, error)
	split    func() ([]server.Option, error)
	secrets  func() ([]server.Option, error)
	auth     func(token string) ([]server.Option, error)
	cache    func() (compile.Options, error)
}

// register registers the flags of microfn serve in fs.
func (f *serveFlags) register(fs *flag.FlagSet) {
	f.registerServer(fs)
	f.registerWorkers(fs)
	f.env = envFlag(fs)
	f.defaults = policyFlags(fs)
	f.split = splitFlags(fs)
	f.auth = authFlags(fs)
	f.secrets = secretFlags(fs)
	f.cache = workerCacheFlags(fs)
}

// registerServer registers the flags of the server's own process: how
// it listens, answers, logs and authenticates.
func (f *serveFlags) registerServer(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8000", "`address` to listen on (loopback unless you ask otherwise)")
	fs.BoolVar(&f.monolith, "monolith", false, "keep calls between services in process instead of over HTTP")
	fs.BoolVar(&f.peerCalls, "peer-calls", true, "with a worker per package, make calls between packages straight from worker to worker (false: each through the server)")
	fs.BoolVar(&f.unrestricted, "unrestricted", false, "let services import unsafe, syscall, os/exec and the rest of the unrestricted standard library")
	fs.IntVar(&f.maxDepth, "max-depth", 64, "deepest chain of nested calls; deeper calls get 508 Loop Detected")
	fs.IntVar(&f.bodyLimit, "body-limit", 1<<20, "largest request body in `bytes`; larger ones get 413")
	fs.BoolVar(&f.noWatch, "no-watch", false, "do not reload when files change (SIGHUP still reloads)")
	fs.BoolVar(&f.quiet, "quiet", false, "do not log a line per call")
	fs.StringVar(&f.logFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&f.token, "token", os.Getenv("MICROFN_TOKEN"), "require Authorization: Bearer `token` on every route but /healthz and /readyz (default $MICROFN_TOKEN)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read --token from this `file` (as a mounted Secret), instead of the command line or the environment")
	fs.StringVar(&f.chainKeys, "chain-key", os.Getenv("MICROFN_CHAIN_KEY"), "`secrets` (comma-separated; the first signs) that sign call chains; servers that call each other must share one (default $MICROFN_CHAIN_KEY, else derived from --token, else random)")
	fs.StringVar(&f.chainKeyFile, "chain-key-file", "", "read --chain-key from this `file` (as a mounted Secret)")
	fs.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate `file` (PEM); needs --tls-key")
	fs.StringVar(&f.tlsKey, "tls-key", "", "the private key `file` (PEM) of --tls-cert")
	fs.DurationVar(&f.readTimeout, "read-timeout", 30*time.Second, "longest time to read a whole request (cuts off slow clients)")
	fs.DurationVar(&f.writeTimeout, "write-timeout", 0, "longest time to write a response (0: no limit)")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", 60*time.Second, "how long an idle keep-alive connection stays open")
	fs.IntVar(&f.maxConns, "max-conns", 10000, "most concurrent connections")
	fs.IntVar(&f.maxHeader, "max-header-bytes", 16<<10, "largest request line and headers, in bytes (larger: 431)")
	fs.DurationVar(&f.callDeadline, "call-deadline", 5*time.Minute, "longest a call from outside may take in all, retries included")
	fs.Int64Var(&f.maxFileSize, "max-file-size", 1<<20, "largest source file loaded, in bytes (larger files are skipped with a message)")
	fs.IntVar(&f.maxFiles, "max-files", 1000, "most source files loaded per package")
	fs.StringVar(&f.corsOrigins, "cors", "", "let web pages of these `origins` (comma-separated, such as https://shop.example; * for any) call the services from a browser")
	fs.BoolVar(&f.corsCredentials, "cors-credentials", false, "with --cors, let browsers send cookies and Authorization (the origins must be listed)")
}

// registerWorkers registers the flags of the processes that run service
// code: which they are, how they run it and their limits.
func (f *serveFlags) registerWorkers(fs *flag.FlagSet) {
	fs.StringVar(&f.isolate, "isolate", "package", "which processes run service code: `mode` package (a worker process per package), shared (one worker process for all packages) or none (this process: a fatal error in any service ends the server)")
	fs.StringVar(&f.maxResponse, "max-response-size", "64MiB", "largest answer of a service (larger: a 500 problem naming the limit); answers stream to the client as it reads them")
	fs.IntVar(&f.workerProcs, "worker-procs", 0, "threads that run each worker process's Go code at once (GOMAXPROCS; 0: the Go runtime's choice, every core); 1 makes short calls cheaper, and runs no code of a package in parallel")
	fs.DurationVar(&f.scaleToZero, "scale-to-zero", 0, "stop a package's worker process after this long without a call; the next call starts one (0: never)")
	fs.Float64Var(&f.shadow, "shadow", 0, "share (0 to 1) of the calls a compiled version answers to run again on its interpreted version, logging and counting every difference (the service runs twice: side effects included)")
	fs.StringVar(&f.tier, "tier", "auto", "how service code runs: `tier` auto (interpreted at once, then compiled natively in the background and swapped in), interpreted, or compiled (a version serves once compiled); the compiled tiers need the Go toolchain")
	fs.DurationVar(&f.loadTimeout, "load-timeout", 10*time.Second, "longest a package may take to load, init functions included")
	fs.DurationVar(&f.runawayGrace, "runaway-grace", 5*time.Second, "how long a call may run past its timeout before its worker process is replaced")
	fs.StringVar(&f.maxMemory, "max-memory", "1GiB", "memory limit of each worker process (e.g. 512MiB, 2GiB; 0: none)")
	fs.StringVar(&f.maxStack, "max-stack", "64MiB", "largest goroutine stack in a worker process: deeper recursion ends as a stack overflow")
	fs.Uint64Var(&f.maxOpenFiles, "max-open-files", 1024, "most open files of each worker process")
	fs.StringVar(&f.maxWriteSize, "max-write-size", "64MiB", "largest file a worker process may write (0: no limit)")
	fs.StringVar(&f.maxTempSize, "max-temp-size", "256MiB", "most space the files of a worker process's temporary folder may take together; past it the worker is ended (0: no limit)")
}

// options returns the server options the flags set, with the flags set
// on the command line (set) and whether the services are split across
// servers (split). It logs the warnings of risky settings with logger.
func (f *serveFlags) options(set map[string]bool, split bool, logger *slog.Logger) ([]server.Option, error) {
	if err := f.readSecrets(set, logger); err != nil {
		return nil, err
	}
	limits, maxResponse, err := f.workerLimits()
	if err != nil {
		return nil, err
	}
	authOpts, err := f.auth(f.token)
	if err != nil {
		return nil, err
	}
	if f.chainKeys == "" && f.token == "" && split {
		logger.Warn("WARNING: this server routes calls to others (--only, --route) without --chain-key or --token: the servers sign call chains with keys of their own, so a nested call that crosses servers starts a new chain (reentrancy, depth and deadlines do not carry over). Give every server the same --chain-key.")
	}
	if server.Isolation(f.isolate) == server.IsolateNone {
		logger.Warn("WARNING: --isolate=none runs service code in the server's process: a fatal error in any service (a stack overflow, a concurrent map write, running out of memory) ends the server and every call in flight")
	}
	def, err := f.defaults()
	if err != nil {
		return nil, err
	}
	opts, err := f.split()
	if err != nil {
		return nil, err
	}
	opts = append(opts, authOpts...)
	envOpts, err := f.secrets()
	if err != nil {
		return nil, err
	}
	opts = append(opts, envOpts...)
	build, err := f.cache()
	if err != nil {
		return nil, err
	}
	return append(append(opts, executableOptions()...),
		server.WithBuildOptions(build),
		server.WithAddr(f.addr),
		server.WithMonolith(f.monolith),
		server.WithPeerCalls(f.peerCalls),
		server.WithWorkerProcs(f.workerProcs),
		server.WithUnrestricted(f.unrestricted),
		server.WithMaxDepth(f.maxDepth),
		server.WithBodyLimit(f.bodyLimit),
		server.WithWatch(!f.noWatch),
		server.WithQuiet(f.quiet),
		server.WithLogger(logger),
		server.WithPolicyDefaults(def),
		server.WithEnv(f.env()...),
		server.WithSecretFiles(f.tokenFile, f.chainKeyFile),
		server.WithTLS(f.tlsCert, f.tlsKey),
		server.WithTimeouts(f.readTimeout, f.writeTimeout, f.idleTimeout),
		server.WithMaxConns(f.maxConns),
		server.WithMaxHeaderBytes(f.maxHeader),
		server.WithCallDeadline(f.callDeadline),
		server.WithSourceLimits(funcs.Limits{MaxFileSize: f.maxFileSize, MaxFiles: f.maxFiles}),
		server.WithIsolation(server.Isolation(f.isolate)),
		server.WithTier(server.Tier(f.tier)),
		server.WithMaxResponseSize(maxResponse),
		server.WithScaleToZero(f.scaleToZero),
		server.WithShadow(f.shadow),
		server.WithCORS(splitList(f.corsOrigins), f.corsCredentials),
		server.WithChainKeys(strings.Split(f.chainKeys, ",")...),
		server.WithLoadTimeout(f.loadTimeout),
		server.WithRunawayGrace(f.runawayGrace),
		server.WithWorkerLimits(limits),
	), nil
}

// readSecrets reads --token and --chain-key from their files, if given
// (set are the flags set on the command line). A --chain-key-file that
// does not exist (an optional Secret that was not created) leaves the
// server signing with a key of its own, with a warning.
func (f *serveFlags) readSecrets(set map[string]bool, logger *slog.Logger) error {
	var err error
	if f.token, err = secretFlag("token", f.token, set["token"], f.tokenFile); err != nil {
		return err
	}
	f.chainKeys, err = secretFlag("chain-key", f.chainKeys, set["chain-key"], f.chainKeyFile)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		logger.Warn("WARNING: " + err.Error() + ": this server signs call chains with a key of its own")
		f.chainKeys = ""
	case err != nil:
		return err
	}
	return nil
}

// workerLimits returns the limits of each worker process and the largest
// answer of a service that the flags set.
func (f *serveFlags) workerLimits() (protocol.Limits, int64, error) {
	memLimit, err := parseBytes(f.maxMemory)
	if err != nil {
		return protocol.Limits{}, 0, fmt.Errorf("--max-memory: %w", err)
	}
	stackLimit, err := parseBytes(f.maxStack)
	if err != nil {
		return protocol.Limits{}, 0, fmt.Errorf("--max-stack: %w", err)
	}
	writeLimit, err := parseBytes(f.maxWriteSize)
	if err != nil {
		return protocol.Limits{}, 0, fmt.Errorf("--max-write-size: %w", err)
	}
	maxResponse, err := parseBytes(f.maxResponse)
	if err != nil || maxResponse < 1 {
		return protocol.Limits{}, 0, fmt.Errorf("--max-response-size: want a size of at least 1 byte, such as 64MiB: %v", err)
	}
	tempLimit, err := parseBytes(f.maxTempSize)
	if err != nil {
		return protocol.Limits{}, 0, fmt.Errorf("--max-temp-size: %w", err)
	}
	limits := protocol.Limits{MaxMemory: memLimit, MaxStack: stackLimit, MaxOpenFiles: f.maxOpenFiles, MaxFileSize: writeLimit, MaxTempSize: tempLimit}
	return limits, maxResponse, nil
}

// reloadOnHangup reloads every package of srv on each SIGHUP hup
// receives, until ctx ends.
func reloadOnHangup(ctx context.Context, srv *server.Server, hup <-chan os.Signal, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			logger.Info("SIGHUP: reloading every package")
			srv.ReloadAll(ctx)
		}
	}
}

// splitting reports whether serve's arguments split the services across
// servers.
func splitting(args []string) bool {
	for _, a := range args {
		for _, f := range []string{"-only", "--only", "-route", "--route", "-routes", "--routes"} {
			if a == f || strings.HasPrefix(a, f+"=") {
				return true
			}
		}
	}
	return false
}
