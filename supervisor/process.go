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
	"time"

	"github.com/microfn/microfn/protocol"
)

// A process is one worker process of a group.
type process struct {
	g     *Group
	cmd   *exec.Cmd
	stdin io.WriteCloser
	conn  *protocol.Conn // to the worker
	// peers is the socket the worker gets its connections to other
	// workers on (protocol.PeersFD).
	peers *net.UnixConn
	out   *workerOutput
	// done is closed once the process has exited and its output is read;
	// state, reason and report are set then.
	done   chan struct{}
	state  *os.ProcessState
	reason string // how it ended: see workerOutput.finish
	report string // the Go runtime's report of its fatal error, if it died of one

	mu       sync.Mutex           // guards the fields below
	calls    map[uint64]time.Time // attempts in flight, by id, with their deadlines
	nextID   uint64
	draining bool      // replaced: it takes no new calls and ends once it runs only overdue ones
	started  time.Time // when it was ready
	lastEnd  time.Time // when its last attempt ended
	stopped  string    // why the supervisor stopped it, if it did
	// killedFor is why the supervisor killed it for a fault of its own
	// (its temporary files took too much): a crash, unlike stopped.
	killedFor string
}

// spawn starts a worker process for spec and waits until it is ready,
// has failed to load, or loadTimeout passes.
func (g *Group) spawn(ctx context.Context, spec protocol.Spec) (*process, protocol.Ready, error) {
	fail := func(err error) (*process, protocol.Ready, error) {
		return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	p := &process{
		g:     g,
		done:  make(chan struct{}),
		calls: map[uint64]time.Time{},
	}
	l, tmp, err := g.startProcess(p, spec.Settings.Env)
	if err != nil {
		return fail(err)
	}
	spec.Sandbox.TempDir = tmp
	spec.LogKey = p.out.key
	line, err := json.Marshal(spec)
	if err != nil {
		l.abandon()
		os.RemoveAll(tmp)
		return fail(err)
	}
	p.stdin = l.stdin
	var h protocol.Handler
	if g.cfg.Handler != nil {
		h = g.cfg.Handler(g)
	}
	p.conn = protocol.NewConn(l.conn, true, protocol.Options{Handler: h, MaxBody: g.cfg.MaxBody})
	p.peers = l.peers
	go p.watchConn()
	// The account of its temporary files starts before the worker reads
	// its spec, so before it can write.
	var quota *tempQuota
	var quotaErr error
	if max := spec.Limits.MaxTempSize; max > 0 {
		over := func(used int64) { p.overQuota(max, used) }
		if tw := g.cfg.TempWatcher; tw != nil {
			quota, quotaErr = tw.watch(tmp, max, over)
		} else {
			quota, quotaErr = watchTemp(tmp, max, over)
		}
	}
	go func() {
		<-l.outputs
		_ = p.cmd.Wait()
		p.state = p.cmd.ProcessState
		p.reason, p.report = p.out.finish(p.state)
		if quota != nil {
			quota.stop()
		}
		p.mu.Lock()
		if p.killedFor != "" {
			p.reason, p.report = p.killedFor, ""
		}
		p.mu.Unlock()
		_ = os.RemoveAll(tmp)
		p.conn.Close()
		if p.peers != nil {
			p.peers.Close()
		}
		// Off the group before done closes: a caller that saw its
		// attempt fail with this process's death finds the group
		// without it, never sends it another.
		wasCurrent := g.detach(p)
		close(p.done)
		g.exited(p, wasCurrent)
	}()
	if quotaErr != nil {
		p.kill("its temporary folder cannot be watched")
		<-p.done
		return fail(fmt.Errorf("watch its temporary folder: %w", quotaErr))
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.kill("its start failed")
		<-p.done
		return fail(fmt.Errorf("send its spec: %w (%s)", err, p.reason))
	}
	timer := time.NewTimer(g.cfg.LoadTimeout)
	defer timer.Stop()
	select {
	case m := <-l.ready:
		p.started = time.Now()
		r, err := readyOf(m)
		if err != nil {
			p.kill("it did not start properly")
			<-p.done
			return nil, protocol.Ready{}, fmt.Errorf("worker of %s: %w", g.cfg.Label, err)
		}
		return p, r, nil
	case <-p.done:
		return nil, protocol.Ready{}, &CrashError{Label: g.cfg.Label, Reason: g.describe(p.reason), Loading: true}
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

// startProcess starts the process p, a worker with a temporary folder of
// its own, given env (the variables service code is given), or takes a
// spare started so (see Spares) and names it p's. It returns the process
// as launched, and its temporary folder.
func (g *Group) startProcess(p *process, env []string) (*launched, string, error) {
	name := outputName{logger: g.cfg.Logger, ownPackage: g.cfg.Package != "", label: g.cfg.Label, what: "the worker"}
	st, err := startProcess(g.cfg.Spares, g.cfg.Command, keyOf(true, g.cfg.Dir, env), name)
	if err != nil {
		return nil, "", err
	}
	p.cmd, p.out = st.cmd, st.out
	return st.launched, st.tmp, nil
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

// watchConn kills the process if its connection ends because it wrote
// what is not the protocol (service code can write on the descriptor):
// a crash, named as such.
func (p *process) watchConn() {
	select {
	case <-p.conn.Done():
	case <-p.done:
		return
	}
	var v *protocol.ViolationError
	if !errors.As(p.conn.Err(), &v) {
		return
	}
	p.mu.Lock()
	if p.killedFor == "" && p.stopped == "" {
		p.killedFor = "the worker was killed because it wrote what is not the protocol on its connection to the server (" + v.Error() + ")"
	}
	p.mu.Unlock()
	_ = p.cmd.Process.Kill()
}

// overQuota kills the process, whose temporary files take used bytes
// (-1: too many directories to keep account of) of max: a crash.
func (p *process) overQuota(max, used int64) {
	why := fmt.Sprintf("its temporary files took more than %d MiB (--max-temp-size)", max>>20)
	if used < 0 {
		why = "its temporary folder had more directories than the supervisor can keep account of (--max-temp-size)"
	}
	p.mu.Lock()
	if p.killedFor == "" && p.stopped == "" {
		p.killedFor = "the worker was killed because " + why
	}
	p.mu.Unlock()
	_ = p.cmd.Process.Kill()
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

// do sends one attempt to the process and returns its answer.
func (p *process) do(ctx context.Context, call *protocol.Call, body []byte, deadline time.Time) (*protocol.Response, error) {
	id, ok := p.begin(deadline)
	if !ok {
		return nil, errDraining
	}
	resp, err := p.conn.Call(ctx, call, body)
	if err != nil {
		p.end(id)
		return nil, err
	}
	if err := p.answered(id, resp, deadline); err != nil {
		return nil, err
	}
	return resp, nil
}

// answered ends the attempt id of p, whose answer's head is resp, as
// the answer says: an attempt its worker admitted that ran past its
// deadline (protocol.Reply.Overran) runs on, counted as overdue until its
// answer's body ends (the execution's end); one the worker did not run
// because it is being replaced (Busy) waits until the worker has ended,
// or until deadline, and is then ErrReplaced: it goes to the next
// worker, in which no slot is held by an execution of the one replaced.
func (p *process) answered(id uint64, resp *protocol.Response, deadline time.Time) error {
	switch {
	case resp.Overran:
		p.mu.Lock()
		if _, ok := p.calls[id]; ok {
			p.calls[id] = time.Now()
		}
		p.mu.Unlock()
		resp.OnDone(func() { p.end(id) })
		return nil
	case resp.Busy:
		resp.Close()
		p.end(id)
		timer := time.NewTimer(time.Until(deadline))
		defer timer.Stop()
		select {
		case <-p.done:
			return ErrReplaced
		case <-timer.C:
			return fmt.Errorf("waiting for the replaced worker to end: %w", context.DeadlineExceeded)
		}
	}
	p.end(id)
	return nil
}

// tellDrain tells the worker of p that it is replaced (see
// protocol.MethodDrain), so that the attempts that wait for a slot in it
// go to the next worker.
func (p *process) tellDrain() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if resp, err := p.conn.Call(ctx, &protocol.Call{Method: protocol.MethodDrain}, nil); err == nil {
		resp.Close()
	}
}

var errDraining = errors.New("worker is being replaced")

// pid is the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }
