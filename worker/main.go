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
	"runtime/debug"
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
}

// Main runs the worker and returns its exit code.
func Main(code Code) int {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(code, logger); err != nil {
		logger.Error("worker: " + err.Error())
		return 2
	}
	return 0
}

func run(code Code, logger *slog.Logger) error {
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("read the spec: %w", err)
	}
	var spec protocol.Spec
	if err := json.Unmarshal(line, &spec); err != nil {
		return fmt.Errorf("read the spec: %w", err)
	}
	if err := applyLimits(spec.Limits); err != nil {
		return err
	}
	if spec.Prepare != nil {
		return prepare(code, &spec, logger)
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
	host := NewHost(HostConfig{Settings: spec.Settings, Logger: logger, Go: pool.Go})
	conn := protocol.NewConn(nc, false, protocol.Options{Handler: host, MaxBody: spec.Settings.BodyLimit, Go: pool.Go})
	host.SetUpstream(conn)
	r := protocol.Ready{Failed: map[string][]protocol.LoadError{}}
	// The process is confined before any service code runs, its
	// packages' init functions included.
	if r.Warnings, err = confine(spec); err != nil {
		return err
	}
	applyEnv(spec.Settings)
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
	if err := ready(r); err != nil {
		return err
	}
	if len(r.Loaded) == 0 {
		return nil
	}
	<-conn.Done()
	// The server closed the connection: it is done with this worker (its
	// standard input closes too) or died.
	return nil
}

// prepare runs a prepare process: it confines itself, prepares the
// spec's packages and writes the outcome as its Ready line.
func prepare(code Code, spec *protocol.Spec, logger *slog.Logger) error {
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
	return ready(r)
}

// ready writes the Ready line on the worker's pipe for it.
func ready(r protocol.Ready) error {
	out := os.NewFile(protocol.ReadyFD, "ready")
	defer out.Close()
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
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
