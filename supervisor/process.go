package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/microfn/microfn/protocol"
)

// A process is one worker process of a group.
type process struct {
	g      *Group
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	conn   *protocol.Conn // to the worker
	stderr *stderrLog
	// done is closed once the process has exited and its output is read.
	done  chan struct{}
	state *os.ProcessState

	mu       sync.Mutex           // guards the fields below
	calls    map[uint64]time.Time // attempts in flight, by id, with their deadlines
	nextID   uint64
	draining bool      // replaced: it takes no new calls and ends once it runs only overdue ones
	started  time.Time // when it was ready
	lastEnd  time.Time // when its last attempt ended
	stopped  string    // why the supervisor stopped it, if it did
}

// spawn starts a worker process for spec and waits until it is ready,
// has failed to load, or loadTimeout passes.
func (g *Group) spawn(ctx context.Context, spec protocol.Spec) (*process, protocol.Ready, error) {
	tmp, err := os.MkdirTemp(g.cfg.Dir, "tmp-")
	if err != nil {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	spec.Sandbox.TempDir = tmp
	line, err := json.Marshal(spec)
	if err != nil {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	cmd := exec.Command(g.cfg.Command[0], g.cfg.Command[1:]...)
	cmd.Env = append(os.Environ(), protocol.EnvWorker+"=1")
	cmd.SysProcAttr = sysProcAttr()
	p := &process{
		g:      g,
		cmd:    cmd,
		stderr: &stderrLog{logger: g.cfg.Logger, label: g.cfg.Label},
		done:   make(chan struct{}),
		calls:  map[uint64]time.Time{},
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	// The Ready line comes on a pipe of its own (the worker's fd 3), so
	// that nothing service code prints can be taken for it.
	readyR, readyW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	// The connection is a socket pair: the worker gets its end as a file
	// descriptor, and neither side names a path.
	mine, theirs, err := socketPair()
	if err != nil {
		readyR.Close()
		readyW.Close()
		os.RemoveAll(tmp)
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	cmd.ExtraFiles = []*os.File{readyW, theirs} // fds 3 and 4: protocol.ReadyFD, protocol.ConnFD
	err = cmd.Start()
	readyW.Close()
	theirs.Close()
	if err != nil {
		readyR.Close()
		mine.Close()
		os.RemoveAll(tmp)
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	var h protocol.Handler
	if g.cfg.Handler != nil {
		h = g.cfg.Handler(g)
	}
	p.conn = protocol.NewConn(mine, true, protocol.Options{Handler: h, MaxBody: g.cfg.MaxBody})
	readyc := make(chan []byte, 1)
	go func() {
		defer readyR.Close()
		first := true
		readLines(readyR, func(b []byte) {
			if first {
				first = false
				readyc <- append([]byte(nil), b...)
			}
		})
	}()
	var outputs sync.WaitGroup
	outputs.Add(2)
	go func() {
		defer outputs.Done()
		readLines(stdout, p.stderr.line)
	}()
	go func() {
		defer outputs.Done()
		readLines(stderr, p.stderr.line)
	}()
	go func() {
		outputs.Wait()
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		_ = os.RemoveAll(tmp)
		p.conn.Close()
		// Off the group before done closes: a caller that saw its
		// attempt fail with this process's death finds the group
		// without it, never sends it another.
		wasCurrent := g.detach(p)
		close(p.done)
		g.exited(p, wasCurrent)
	}()
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.kill("its start failed")
		<-p.done
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: send its spec: %w (%s)", g.cfg.Label, err, p.exitReason())
	}
	timer := time.NewTimer(g.cfg.LoadTimeout)
	defer timer.Stop()
	select {
	case b := <-readyc:
		p.started = time.Now()
		var r protocol.Ready
		if err := json.Unmarshal(b, &r); err != nil {
			p.kill("it did not start properly")
			<-p.done
			return nil, protocol.Ready{}, fmt.Errorf("worker of %s: not a ready line: %q", g.cfg.Label, b)
		}
		return p, r, nil
	case <-p.done:
		return nil, protocol.Ready{}, &CrashError{Label: g.cfg.Label, Reason: p.exitReason(), Loading: true}
	case <-timer.C:
		p.kill("it did not finish loading in time")
		<-p.done
		return nil, protocol.Ready{}, &LoadTimeoutError{Label: g.cfg.Label, Timeout: g.cfg.LoadTimeout}
	case <-ctx.Done():
		p.kill("the server is stopping")
		<-p.done
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, ctx.Err())
	}
}

// begin registers an attempt with its deadline and returns its id, or
// false if the process takes no new calls.
func (p *process) begin(deadline time.Time) (uint64, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.draining || p.stopped != "" {
		return 0, false
	}
	p.nextID++
	p.calls[p.nextID] = deadline
	return p.nextID, true
}

// end unregisters an attempt.
func (p *process) end(id uint64) {
	p.mu.Lock()
	delete(p.calls, id)
	p.lastEnd = time.Now()
	idle := p.draining && p.onlyOverdueLocked(time.Now())
	p.mu.Unlock()
	if idle {
		p.kill("it was replaced")
	}
}

// idleSince reports whether the process runs no attempt and has run none
// for d (since it started, if it never ran one).
func (p *process) idleSince(now time.Time, d time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	last := p.lastEnd
	if last.Before(p.started) {
		last = p.started
	}
	return len(p.calls) == 0 && now.Sub(last) >= d
}

// overdue reports whether an attempt has run past its deadline plus
// grace.
func (p *process) overdue(now time.Time, grace time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range p.calls {
		if !d.IsZero() && now.After(d.Add(grace)) {
			return true
		}
	}
	return false
}

// onlyOverdueLocked reports whether every attempt in flight is past its
// deadline. The caller holds p.mu.
func (p *process) onlyOverdueLocked(now time.Time) bool {
	for _, d := range p.calls {
		if d.IsZero() || !now.After(d) {
			return false
		}
	}
	return true
}

// drain stops the process taking calls; it is killed once it runs only
// overdue attempts.
func (p *process) drain() {
	p.mu.Lock()
	p.draining = true
	idle := p.onlyOverdueLocked(time.Now())
	p.mu.Unlock()
	if idle {
		p.kill("it was replaced")
	}
}

// checkDrained kills a draining process that runs only overdue attempts.
func (p *process) checkDrained(now time.Time) {
	p.mu.Lock()
	idle := p.draining && p.onlyOverdueLocked(now)
	p.mu.Unlock()
	if idle {
		p.kill("it was replaced")
	}
}

// kill ends the process at once, noting why.
func (p *process) kill(why string) {
	p.mu.Lock()
	if p.stopped == "" {
		p.stopped = why
	}
	p.mu.Unlock()
	_ = p.cmd.Process.Kill()
}

// stop asks the process to end by closing its standard input, and kills
// it if it has not ended after wait.
func (p *process) stop(why string, wait time.Duration) {
	p.mu.Lock()
	if p.stopped == "" {
		p.stopped = why
	}
	p.mu.Unlock()
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// stoppedWhy returns why the supervisor stopped the process, or "" if it
// died by itself.
func (p *process) stoppedWhy() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopped
}

// exitReason describes how the process ended. Call it after done.
func (p *process) exitReason() string {
	how := "the worker ended"
	if p.state != nil {
		how = "the worker exited (" + p.state.String() + ")"
		if ws, ok := p.state.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			how = "the worker was killed by signal " + ws.Signal().String()
		}
	}
	if p.stderr.crashed() {
		return p.stderr.reason()
	}
	if r := p.stderr.reason(); r != "" {
		// No fatal error: the code ended the process (log.Fatal and
		// the like), and the last line it printed says why.
		return how + " after printing: " + r
	}
	return how
}

// do sends one attempt to the process and returns its answer.
func (p *process) do(ctx context.Context, call *protocol.Call, body []byte, deadline time.Time) (*protocol.Response, error) {
	id, ok := p.begin(deadline)
	if !ok {
		return nil, errDraining
	}
	resp, err := p.conn.Call(ctx, call, body)
	p.end(id)
	return resp, err
}

var errDraining = errors.New("worker is being replaced")

// pid is the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// socketPair returns the two ends of a connected Unix stream socket: a
// connection for this process, and a file to hand to the worker.
func socketPair() (net.Conn, *os.File, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socket pair: %w", err)
	}
	syscall.CloseOnExec(fds[0])
	syscall.CloseOnExec(fds[1])
	f := os.NewFile(uintptr(fds[0]), "worker")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		syscall.Close(fds[1])
		return nil, nil, err
	}
	return c, os.NewFile(uintptr(fds[1]), "server"), nil
}
