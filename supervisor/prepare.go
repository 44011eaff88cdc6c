package supervisor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
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
}

// maxPrepared bounds the outcome a prepare process may write.
const maxPrepared = 1 << 30

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
	line, err := json.Marshal(spec)
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), protocol.EnvWorker+"=1")
	cmd.SysProcAttr = sysProcAttr()
	out := &stderrLog{logger: cfg.Logger, label: cfg.Label}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	resultR, resultW, err := os.Pipe()
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	defer resultR.Close()
	cmd.ExtraFiles = []*os.File{resultW}
	err = cmd.Start()
	resultW.Close()
	if err != nil {
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, err)
	}
	limitCPU(cmd.Process.Pid, cfg.Timeout)
	result := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(resultR, maxPrepared))
		result <- b
	}()
	var outputs sync.WaitGroup
	outputs.Add(2)
	go func() { defer outputs.Done(); readLines(stdout, out.line) }()
	go func() { defer outputs.Done(); readLines(stderr, out.line) }()
	done := make(chan struct{})
	go func() {
		outputs.Wait()
		_ = cmd.Wait()
		close(done)
	}()
	// The spec goes in while the process runs: it may be larger than a
	// pipe holds. A process that dies first makes the write fail.
	go func() { _, _ = stdin.Write(append(line, '\n')) }()
	timer := time.NewTimer(clockLimit(cfg.Timeout))
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		_ = cmd.Process.Kill()
		<-done
		return protocol.Ready{}, &PrepareError{Label: cfg.Label, Limit: "time", Timeout: cfg.Timeout, MaxMemory: cfg.MaxMemory}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return protocol.Ready{}, fmt.Errorf("prepare %s: %w", cfg.Label, ctx.Err())
	}
	b := <-result
	if i := strings.IndexByte(string(b), '\n'); i >= 0 {
		b = b[:i]
	}
	var r protocol.Ready
	if len(b) > 0 && cmd.ProcessState.Success() {
		if err := json.Unmarshal(b, &r); err != nil {
			return protocol.Ready{}, fmt.Errorf("prepare %s: not a ready line: %w", cfg.Label, err)
		}
		return r, nil
	}
	err = prepareFailure(cfg, cmd.ProcessState, out)
	if c := out.crashOutput(); c != "" {
		cfg.Logger.Error(fmt.Sprintf("the prepare process of %s died: %v", cfg.Label, err), "exit", cmd.ProcessState.String(), "output", c)
	}
	return protocol.Ready{}, err
}

// clockLimit is how long a prepare process with the processor time limit
// d may take on the clock.
func clockLimit(d time.Duration) time.Duration { return 3 * d }

// prepareFailure describes a prepare process that ended without its
// outcome.
func prepareFailure(cfg PrepareConfig, state *os.ProcessState, out *stderrLog) error {
	e := &PrepareError{Label: cfg.Label, MaxMemory: cfg.MaxMemory, Timeout: cfg.Timeout, Reason: out.reason()}
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
