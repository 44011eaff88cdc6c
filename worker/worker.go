// Package worker is the worker side of microfn's process boundary: the
// main of a process that runs service code for a server (see package
// supervisor for the server's side).
//
// A program that serves with worker processes starts them from its own
// executable, so its main must begin with:
//
//	if supervisor.IsWorker() {
//		os.Exit(worker.Main())
//	}
//
// The worker reads its supervisor.Spec from standard input, sets its
// resource limits, loads its packages, writes its supervisor.Ready line
// on file descriptor 3 and serves calls on its Unix socket. It exits when
// its standard input closes: when the server closes it, or dies.
package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/supervisor"
)

// Main runs the worker and returns its exit code.
//
// opts are the server options of the executable itself, which the spec
// does not carry (server.WithCompiled).
func Main(opts ...server.Option) int {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	in := bufio.NewReaderSize(os.Stdin, 1<<16)
	line, err := in.ReadBytes('\n')
	if err != nil {
		logger.Error("worker: read the spec: " + err.Error())
		return 2
	}
	var spec supervisor.Spec
	if err := json.Unmarshal(line, &spec); err != nil {
		logger.Error("worker: read the spec: " + err.Error())
		return 2
	}
	if err := applyLimits(spec.Limits); err != nil {
		logger.Error("worker: " + err.Error())
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Standard input closes when the server is done with this
		// worker, or has died: either way, the worker ends.
		_, _ = io.Copy(io.Discard, in)
		os.Exit(0)
	}()
	ready := func(r supervisor.Ready) error {
		// The supervisor reads the Ready line on fd 3, a pipe of its own.
		out := os.NewFile(3, "ready")
		defer out.Close()
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
		return err
	}
	restrict := func() ([]string, error) { return confine(spec) }
	if err := server.ServeWorker(ctx, spec, logger, restrict, ready, opts...); err != nil {
		logger.Error(err.Error())
		return 1
	}
	return 0
}

// applyLimits sets the process's resource limits: the goroutine stack
// limit and the Go runtime's soft memory limit, and the operating
// system's hard limits where it has them.
func applyLimits(l supervisor.Limits) error {
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
