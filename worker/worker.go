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
// The worker reads its supervisor.Spec from standard input, opens its
// channel to the supervisor (supervisor.Channel, for its Ready message and
// its own log records) and its connection broker (supervisor.Broker, for
// every connection it makes or takes), sets its resource limits, confines
// itself, loads its packages, sends its supervisor.Ready message and
// serves the calls that come through the broker. It exits when its
// standard input closes: when the server closes it, or dies.
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
	// Until the channel to the supervisor is open, errors go to standard
	// error, which the supervisor logs as the worker's output.
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
	channel, err := supervisor.OpenChannel(spec.Key)
	if err != nil {
		logger.Error("worker: " + err.Error())
		return 2
	}
	// The worker's own log records go on its channel, signed: nothing
	// service code writes can pass for them.
	logger = slog.New(slog.NewJSONHandler(channel, nil))
	broker, err := supervisor.OpenBroker()
	if err != nil {
		logger.Error("worker: " + err.Error())
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
	restrict := func() ([]string, error) { return confine(spec) }
	if err := server.ServeWorker(ctx, spec, logger, broker, restrict, channel.Ready, opts...); err != nil {
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
