package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn serve", "Usage: microfn serve DIR [flags]\n\nServe every annotated function of the Go packages below DIR, each at its own route,\nand reload a package when its files change.", stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "`address` to listen on (loopback unless you ask otherwise)")
	monolith := fs.Bool("monolith", false, "keep calls between services in process instead of over HTTP")
	unrestricted := fs.Bool("unrestricted", false, "let services import unsafe, syscall, os/exec and the rest of the unrestricted standard library")
	maxDepth := fs.Int("max-depth", 64, "deepest chain of nested calls; deeper calls get 508 Loop Detected")
	bodyLimit := fs.Int("body-limit", 1<<20, "largest request body in `bytes`; larger ones get 413")
	noWatch := fs.Bool("no-watch", false, "do not reload when files change (SIGHUP still reloads)")
	quiet := fs.Bool("quiet", false, "do not log a line per call")
	logFormat := fs.String("log-format", "text", "log `format`: text or json")
	token := fs.String("token", os.Getenv("MICROFN_TOKEN"), "require Authorization: Bearer `token` on every route but /healthz and /readyz (default $MICROFN_TOKEN)")
	tokenFile := fs.String("token-file", "", "read --token from this `file` (as a mounted Secret), instead of the command line or the environment")
	chainKeys := fs.String("chain-key", os.Getenv("MICROFN_CHAIN_KEY"), "`secrets` (comma-separated; the first signs) that sign call chains; servers that call each other must share one (default $MICROFN_CHAIN_KEY, else derived from --token, else random)")
	chainKeyFile := fs.String("chain-key-file", "", "read --chain-key from this `file` (as a mounted Secret)")
	env := envFlag(fs)
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate `file` (PEM); needs --tls-key")
	tlsKey := fs.String("tls-key", "", "the private key `file` (PEM) of --tls-cert")
	readTimeout := fs.Duration("read-timeout", 30*time.Second, "longest time to read a whole request (cuts off slow clients)")
	writeTimeout := fs.Duration("write-timeout", 0, "longest time to write a response (0: no limit)")
	idleTimeout := fs.Duration("idle-timeout", 60*time.Second, "how long an idle keep-alive connection stays open")
	maxConns := fs.Int("max-conns", 10000, "most concurrent connections")
	maxHeader := fs.Int("max-header-bytes", 16<<10, "largest request line and headers, in bytes (larger: 431)")
	callDeadline := fs.Duration("call-deadline", 5*time.Minute, "longest a call from outside may take in all, retries included")
	maxFileSize := fs.Int64("max-file-size", 1<<20, "largest source file loaded, in bytes (larger files are skipped with a message)")
	maxFiles := fs.Int("max-files", 1000, "most source files loaded per package")
	isolate := fs.String("isolate", "package", "which processes run service code: `mode` package (a worker process per package), shared (one worker process for all packages) or none (this process: a fatal error in any service ends the server)")
	maxResponse := fs.String("max-response-size", "64MiB", "largest answer of a service (larger: a 500 problem naming the limit); answers stream to the client as it reads them")
	scaleToZero := fs.Duration("scale-to-zero", 0, "stop a package's worker process after this long without a call; the next call starts one (0: never)")
	shadow := fs.Float64("shadow", 0, "share (0 to 1) of the calls a compiled version answers to run again on its interpreted version, logging and counting every difference (the service runs twice: side effects included)")
	corsOrigins := fs.String("cors", "", "let web pages of these `origins` (comma-separated, such as https://shop.example; * for any) call the services from a browser")
	corsCredentials := fs.Bool("cors-credentials", false, "with --cors, let browsers send cookies and Authorization (the origins must be listed)")
	tier := fs.String("tier", "auto", "how service code runs: `tier` auto (interpreted at once, then compiled natively in the background and swapped in), interpreted, or compiled (a version serves once compiled); the compiled tiers need the Go toolchain")
	loadTimeout := fs.Duration("load-timeout", 10*time.Second, "longest a package may take to load, init functions included")
	runawayGrace := fs.Duration("runaway-grace", 5*time.Second, "how long a call may run past its timeout before its worker process is replaced")
	maxMemory := fs.String("max-memory", "1GiB", "memory limit of each worker process (e.g. 512MiB, 2GiB; 0: none)")
	maxStack := fs.String("max-stack", "64MiB", "largest goroutine stack in a worker process: deeper recursion ends as a stack overflow")
	maxOpenFiles := fs.Uint64("max-open-files", 1024, "most open files of each worker process")
	maxWriteSize := fs.String("max-write-size", "64MiB", "largest file a worker process may write (0: no limit)")
	maxTempSize := fs.String("max-temp-size", "256MiB", "most space the files of a worker process's temporary folder may take together; past it the worker is ended (0: no limit)")
	defaults := policyFlags(fs)
	split := splitFlags(fs)
	auth := authFlags(fs)
	secrets := secretFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	dir, rest, ok := servedDir(pos)
	if !ok || len(rest) != 0 {
		fs.Usage()
		return 2
	}
	logger, err := newLogger(stderr, *logFormat)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	set := setFlags(fs)
	if *token, err = secretFlag("token", *token, set["token"], *tokenFile); err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	*chainKeys, err = secretFlag("chain-key", *chainKeys, set["chain-key"], *chainKeyFile)
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		// An optional Secret that was not created: the key is this
		// server's own, as without the flag.
		logger.Warn("WARNING: " + err.Error() + ": this server signs call chains with a key of its own")
		*chainKeys = ""
	case err != nil:
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	memLimit, err := parseBytes(*maxMemory)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve: --max-memory:", err)
		return 2
	}
	stackLimit, err := parseBytes(*maxStack)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve: --max-stack:", err)
		return 2
	}
	writeLimit, err := parseBytes(*maxWriteSize)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve: --max-write-size:", err)
		return 2
	}
	maxResponseBytes, err := parseBytes(*maxResponse)
	if err != nil || maxResponseBytes < 1 {
		fmt.Fprintln(stderr, "microfn serve: --max-response-size: want a size of at least 1 byte, such as 64MiB:", err)
		return 2
	}
	tempLimit, err := parseBytes(*maxTempSize)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve: --max-temp-size:", err)
		return 2
	}
	authOpts, err := auth(*token)
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	if *chainKeys == "" && *token == "" && splitting(args) {
		logger.Warn("WARNING: this server routes calls to others (--only, --route) without --chain-key or --token: the servers sign call chains with keys of their own, so a nested call that crosses servers starts a new chain (reentrancy, depth and deadlines do not carry over). Give every server the same --chain-key.")
	}
	if server.Isolation(*isolate) == server.IsolateNone {
		logger.Warn("WARNING: --isolate=none runs service code in the server's process: a fatal error in any service (a stack overflow, a concurrent map write, running out of memory) ends the server and every call in flight")
	}
	def, err := defaults()
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	splitOpts, err := split()
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	splitOpts = append(splitOpts, authOpts...)
	envOpts, err := secrets()
	if err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 2
	}
	splitOpts = append(splitOpts, envOpts...)
	// The server listens at once and loads in the background: /healthz
	// answers while a slow init loads, /readyz once every package has
	// loaded or failed.
	srv, err := server.Open(dir, append(append(splitOpts, executableOptions()...),
		server.WithAddr(*addr),
		server.WithMonolith(*monolith),
		server.WithUnrestricted(*unrestricted),
		server.WithMaxDepth(*maxDepth),
		server.WithBodyLimit(*bodyLimit),
		server.WithWatch(!*noWatch),
		server.WithQuiet(*quiet),
		server.WithLogger(logger),
		server.WithPolicyDefaults(def),
		server.WithEnv(env()...),
		server.WithSecretFiles(*tokenFile, *chainKeyFile),
		server.WithTLS(*tlsCert, *tlsKey),
		server.WithTimeouts(*readTimeout, *writeTimeout, *idleTimeout),
		server.WithMaxConns(*maxConns),
		server.WithMaxHeaderBytes(*maxHeader),
		server.WithCallDeadline(*callDeadline),
		server.WithSourceLimits(funcs.Limits{MaxFileSize: *maxFileSize, MaxFiles: *maxFiles}),
		server.WithIsolation(server.Isolation(*isolate)),
		server.WithTier(server.Tier(*tier)),
		server.WithMaxResponseSize(maxResponseBytes),
		server.WithScaleToZero(*scaleToZero),
		server.WithShadow(*shadow),
		server.WithCORS(splitList(*corsOrigins), *corsCredentials),
		server.WithChainKeys(strings.Split(*chainKeys, ",")...),
		server.WithLoadTimeout(*loadTimeout),
		server.WithRunawayGrace(*runawayGrace),
		server.WithWorkerLimits(protocol.Limits{MaxMemory: memLimit, MaxStack: stackLimit, MaxOpenFiles: *maxOpenFiles, MaxFileSize: writeLimit, MaxTempSize: tempLimit}),
	)...)
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
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				logger.Info("SIGHUP: reloading every package")
				srv.ReloadAll(ctx)
			}
		}
	}()
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintln(stderr, "microfn serve:", err)
		return 1
	}
	return 0
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
