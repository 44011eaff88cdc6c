package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/microfn/microfn/protocol"
)

// PrepareConfig configures [Prepare].
type PrepareConfig struct {
	// Command is the executable and arguments, as Config.Command.
	Command []string
	// Label names what is prepared in logs and errors.
	Label string
	// Timeout bounds the processor time the process may take (where the
	// system can bound it: Linux), and three times it the time on the
	// clock, so that a machine busy with other work does not end it.
	// Default 10s.
	Timeout time.Duration
	// MaxMemory is the memory limit of the process, for messages; the
	// limit itself is in the protocol.Spec.
	MaxMemory int64
	// Logger receives what the process logs. Default slog.Default().
	Logger *slog.Logger
	// Spares, if set, gives a started process of Command that waits for
	// its Spec, when it has one.
	Spares *Spares
}

// A PrepareError is a prepare process that ended before it gave its
// outcome: a limit ended it, or it crashed.
type PrepareError struct {
	// Label is the configuration's label.
	Label string
	// Limit is the limit that ended it: "memory", "cpu" (processor
	// time), "time" (on the clock), or "" for a crash.
	Limit string
	// Reason is the first line of the fatal error, or how the process
	// ended.
	Reason string
	// MaxMemory and Timeout are the limits it had.
	MaxMemory int64
	Timeout   time.Duration
}

// Error says which limit ended the process, or what it died of.
func (e *PrepareError) Error() string {
	switch e.Limit {
	case "memory":
		return fmt.Sprintf("type-checking needed more than %d MiB (--max-memory): %s", e.MaxMemory>>20, e.Reason)
	case "cpu":
		return fmt.Sprintf("type-checking took more than %s of processor time (--load-timeout)", e.Timeout)
	case "time":
		return fmt.Sprintf("type-checking took more than %s (three times --load-timeout)", clockLimit(e.Timeout))
	}
	return fmt.Sprintf("type-checking crashed: %s", e.Reason)
}

// Prepare runs a prepare process for spec, whose Prepare field is set: a
// process started like a worker, with the worker's limits and sandbox,
// that checks and rewrites the spec's packages and runs none of their
// code. It returns the process's Ready line, with the prepared packages
// and the load errors. A process that ends without one — past its memory
// limit, its processor time (cfg.Timeout) or three times that on the
// clock, or of a crash — is a *PrepareError.
func Prepare(ctx context.Context, cfg PrepareConfig, spec protocol.Spec) (protocol.Ready, error) {
	if len(cfg.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
		}
		cfg.Command = []string{exe}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cmd, l, out, err := startPrepare(cfg)
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	defer l.stdin.Close()
	spec.LogKey = out.key
	line, err := json.Marshal(spec)
	if err != nil {
		l.abandon()
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	limitCPU(cmd.Process.Pid, cfg.Timeout)
	done := make(chan struct{})
	go func() {
		<-l.outputs
		_ = cmd.Wait()
		close(done)
	}()
	// The spec goes in while the process runs: it may be larger than a
	// socket holds. A process that dies first makes the write fail.
	go func() { _, _ = l.stdin.Write(append(line, '\n')) }()
	timer := time.NewTimer(clockLimit(cfg.Timeout))
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		_ = cmd.Process.Kill()
		<-done
		out.finish(cmd.ProcessState)
		return protocol.Ready{}, &PrepareError{Label: cfg.Label, Limit: "time", Timeout: cfg.Timeout, MaxMemory: cfg.MaxMemory}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		out.finish(cmd.ProcessState)
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, ctx.Err())
	}
	reason, report := out.finish(cmd.ProcessState)
	var m readyMessage
	select {
	case m = <-l.ready:
	default:
		m.err = errNoReady
	}
	if m.err == nil && cmd.ProcessState.Success() {
		r, err := readyOf(m)
		if err != nil {
			return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
		}
		return r, nil
	}
	if errors.Is(m.err, errReadyTooLarge) {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, m.err)
	}
	err = prepareFailure(cfg, cmd.ProcessState, reason)
	if report != "" {
		cfg.Logger.Error(fmt.Sprintf("the prepare process of %s died: %v", cfg.Label, err), "exit", cmd.ProcessState.String(), "output", report)
	}
	return protocol.Ready{}, err
}

// startPrepare starts the prepare process of cfg, or takes a spare (see
// Spares) and names it cfg's. It runs no service code: it is given none
// of the variables service code is, nor a temporary folder.
func startPrepare(cfg PrepareConfig) (*exec.Cmd, *launched, *workerOutput, error) {
	st, err := startProcess(cfg.Spares, cfg.Command, keyOf(false, "", nil), outputName{logger: cfg.Logger, label: cfg.Label, what: "the prepare process"})
	if err != nil {
		return nil, nil, nil, err
	}
	return st.cmd, st.launched, st.out, nil
}

// clockLimit is how long a prepare process with the processor time limit
// d may take on the clock.
func clockLimit(d time.Duration) time.Duration { return 3 * d }

// prepareFailure describes a prepare process that ended without its
// outcome.
func prepareFailure(cfg PrepareConfig, state *os.ProcessState, reason string) error {
	e := &PrepareError{Label: cfg.Label, MaxMemory: cfg.MaxMemory, Timeout: cfg.Timeout, Reason: reason}
	ws, _ := state.Sys().(syscall.WaitStatus)
	switch {
	case strings.Contains(e.Reason, "out of memory") || strings.Contains(e.Reason, "failed to allocate"):
		// The Go runtime's words, or the race detector's.
		e.Limit = "memory"
	case ws.Signaled() && (ws.Signal() == syscall.SIGXCPU || ws.Signal() == syscall.SIGKILL) && state.UserTime()+state.SystemTime() >= cfg.Timeout:
		// Its processor time limit: SIGXCPU, then SIGKILL (Go ignores
		// SIGXCPU).
		e.Limit = "cpu"
	case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
		// After SIGXCPU, or the kernel's out-of-memory killer.
		e.Reason = "killed by signal SIGKILL (past its processor time limit, or the system's memory ran out)"
	case e.Reason == "":
		e.Reason = "the process exited (" + state.String() + ")"
	}
	return e
}
