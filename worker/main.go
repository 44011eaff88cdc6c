package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// A LoadFunc loads one package of a worker's spec in this process: the
// interpreter, or the compiled code of a worker executable. The
// package's proxies call call.
type LoadFunc func(ctx context.Context, spec *protocol.Spec, p *protocol.PackageSpec, call svcrt.CallFunc, logger *slog.Logger) (*svcrt.Package, error)

// A PrepareFunc is what a prepare process does (a spec with Prepare
// set), once confined: it checks and prepares the spec's packages, runs
// none of their code, and returns the outcome.
type PrepareFunc func(spec *protocol.Spec, logger *slog.Logger) (protocol.Ready, error)

// Code is how a worker executable runs service code.
type Code struct {
	// Load loads the packages of a worker.
	Load LoadFunc
	// Prepare, if set, makes the executable able to be a prepare
	// process.
	Prepare PrepareFunc
	// Warm, if set, readies a prepare process for work like that of
	// spec, a warm-up line (protocol.Spec.Warmup) it got while it waits
	// for its Spec, and returns the PrepareFunc to run the Spec with.
	Warm func(spec *protocol.Spec) PrepareFunc
}

// Main runs the worker and returns its exit code.
func Main(code Code) int {
	// Until the channel to the server is open, errors go to standard
	// error, which the server logs as the worker's output.
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(code, &logger); err != nil {
		logger.Error("worker: " + err.Error())
		return 2
	}
	return 0
}

func run(code Code, logp **slog.Logger) error {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	spec, err := readSpec(in)
	if err != nil {
		return err
	}
	if spec.Warmup {
		if code.Warm != nil && spec.Prepare != nil {
			code.Prepare = code.Warm(&spec)
		}
		if spec, err = readSpec(in); err != nil {
			return err
		}
	}
	channel, err := protocol.OpenChannel(spec.LogKey)
	if err != nil {
		return err
	}
	// The worker's own log records go on its channel, signed: nothing
	// service code writes can pass for them.
	logger := slog.New(slog.NewJSONHandler(channel, nil))
	*logp = logger
	if err := setEnvironment(spec); err != nil {
		return err
	}
	if err := applyLimits(spec.Limits); err != nil {
		return err
	}
	if spec.Prepare != nil {
		return prepare(code, &spec, channel, logger)
	}
	if n := spec.Settings.Procs; n > 0 {
		runtime.GOMAXPROCS(n)
	}
	go func() {
		// Standard input closes when the server is done with this
		// worker, or has died: either way, the worker ends.
		_, _ = io.Copy(io.Discard, in)
		os.Exit(0)
	}()
	f := os.NewFile(protocol.ConnFD, "server")
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("open the connection to the server: %w", err)
	}
	pool := NewPool(10 * time.Second)
	hc := HostConfig{Settings: spec.Settings, Logger: logger, Go: pool.Go, Direct: true, Admit: true}
	if len(spec.PeerKey) > 0 && len(spec.Packages) == 1 {
		// The worker of one package: it calls other packages' workers
		// straight, and serves their calls (see peer.go).
		hc.Package, hc.PeerKey = spec.Packages[0].Rel, spec.PeerKey
	}
	host := NewHost(hc)
	conn := protocol.NewConn(nc, false, protocol.Options{Handler: host, MaxBody: spec.Settings.BodyLimit, Go: pool.Go})
	host.SetUpstream(conn)
	r := protocol.Ready{Failed: map[string][]protocol.LoadError{}}
	// The process is confined before any service code runs, its
	// packages' init functions included.
	if r.Warnings, err = confine(spec); err != nil {
		return err
	}
	ctx := context.Background()
	for i := range spec.Packages {
		p := &spec.Packages[i]
		pkg, err := code.Load(ctx, &spec, p, host.CallFunc(), logger)
		if err == nil {
			if err = host.Add(p.Rel, pkg); err != nil {
				pkg.Close()
			}
		}
		if err != nil {
			r.Failed[p.Rel] = protocol.LoadErrors(err)
			continue
		}
		r.Loaded = append(r.Loaded, p.Rel)
	}
	if err := channel.Ready(r); err != nil {
		return err
	}
	if len(r.Loaded) == 0 {
		return nil
	}
	if hc.PeerKey != nil {
		servePeers(host)
	}
	go trimWhenIdle(conn.Done(), startCheck, idleCheck)
	<-conn.Done()
	// The server closed the connection: it is done with this worker (its
	// standard input closes too) or died.
	return nil
}

// setEnvironment makes the process's environment what service code is
// given: the variables of spec.Settings.Env, and TMPDIR naming the
// worker's private temporary folder, which os.TempDir reads (service
// code writes its temporary files there). What the process was started
// with besides (protocol.EnvWorker, the Go runtime's settings, which did
// their work as it started) is removed, before any service code runs: a
// compiled service reads the process's own environment with os.Getenv
// and os.Environ, and must find there what the interpreter gives
// interpreted code (Options.Env), and its TMPDIR. A prepare process is
// left with an empty environment: it runs no service code.
func setEnvironment(spec protocol.Spec) error {
	os.Clearenv()
	if spec.Prepare != nil {
		return nil
	}
	for _, kv := range spec.Settings.Env {
		name, value, _ := strings.Cut(kv, "=")
		if err := os.Setenv(name, value); err != nil {
			return fmt.Errorf("set the environment: %w", err)
		}
	}
	if dir := spec.Sandbox.TempDir; dir != "" {
		if err := os.Setenv("TMPDIR", dir); err != nil {
			return fmt.Errorf("set the environment: %w", err)
		}
	}
	return nil
}

// readSpec reads a Spec, one JSON line, from in.
func readSpec(in *bufio.Reader) (protocol.Spec, error) {
	var spec protocol.Spec
	line, err := in.ReadBytes('\n')
	if err != nil {
		return spec, fmt.Errorf("read the spec: %w", err)
	}
	if err := json.Unmarshal(line, &spec); err != nil {
		return spec, fmt.Errorf("read the spec: %w", err)
	}
	return spec, nil
}

// prepare runs a prepare process: it confines itself, prepares the
// spec's packages and sends the outcome as its Ready message.
func prepare(code Code, spec *protocol.Spec, channel *protocol.Channel, logger *slog.Logger) error {
	if code.Prepare == nil {
		return errors.New("this executable does not prepare packages")
	}
	warnings, err := confine(*spec)
	if err != nil {
		return err
	}
	r, err := code.Prepare(spec, logger)
	if err != nil {
		return err
	}
	r.Warnings = append(warnings, r.Warnings...)
	return channel.Ready(r)
}

// applyLimits sets the process's resource limits: the goroutine stack
// limit and the Go runtime's soft memory limit, and the operating
// system's hard limits where it has them.
func applyLimits(l protocol.Limits) error {
	if l.MaxStack > 0 {
		debug.SetMaxStack(int(l.MaxStack))
	}
	if l.MaxMemory > 0 {
		// The garbage collector works harder as the heap nears the
		// limit; the hard limit below ends the process past it.
		debug.SetMemoryLimit(l.MaxMemory / 10 * 9)
	}
	if err := setOSLimits(l); err != nil {
		return fmt.Errorf("set resource limits: %w", err)
	}
	return nil
}
