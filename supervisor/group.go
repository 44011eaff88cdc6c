package supervisor

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn/protocol"
)

// Config configures a [Group].
type Config struct {
	// Command is the worker's executable and arguments. Default: this
	// executable, without arguments (its main must run the worker when
	// [IsWorker] reports true).
	Command []string
	// Dir is where the workers' private temporary folders are made; it
	// must exist and be private to this user.
	Dir string
	// Label names what the group runs in logs and errors, such as the
	// package directory "examples/seed/billing".
	Label string
	// Package, if set, is the one package the group's workers run: it
	// labels what they write in the log (attribute package), replacing
	// the package attribute of their own records. Without it, what a
	// worker prints is labelled with Label.
	Package string
	// LoadTimeout bounds how long a worker may take to load its packages
	// (init functions included). Default 10s.
	LoadTimeout time.Duration
	// Grace is how long an attempt may run past its deadline before its
	// worker is replaced. Default 5s.
	Grace time.Duration
	// MaxMemory is the memory limit of each worker, for crash messages;
	// the limit itself is in the Spec.
	MaxMemory int64
	// Logger receives the workers' log records and crash reports.
	// Default slog.Default().
	Logger *slog.Logger
	// OnCrash, if set, is called once for every worker that dies without
	// being asked to.
	OnCrash func(Crash)
	// Handler returns the handler of the calls the group's workers make
	// (their nested calls): one per group, so that it knows the group
	// the calls come from.
	Handler func(*Group) protocol.Handler
	// MaxBody bounds the body of a worker's call, in bytes.
	MaxBody int
	// TempWatcher, if set, keeps account of the workers' temporary
	// folders (Limits.MaxTempSize) with the one inotify instance it holds,
	// shared by every group given it; otherwise each worker takes one.
	TempWatcher *TempWatcher
	// Spares, if set, gives the group's workers started processes of
	// its Command that wait for their Spec, when it has one.
	Spares *Spares
	// IdleAfter, if not zero, stops the worker once it has had no call
	// for that long; the next call starts one and waits for it (scale to
	// zero).
	IdleAfter time.Duration
}

// A Crash is the death of a worker process that nobody asked for.
type Crash struct {
	// Label is the group's label.
	Label string
	// Reason is the first line of the fatal error, such as "concurrent
	// map writes", or how the process ended.
	Reason string
	// At is when the supervisor saw the worker end.
	At time.Time
	// PID was the worker's process id.
	PID int
}

// CrashError is the error of an attempt whose worker died while it ran,
// or of a worker that died while loading.
type CrashError struct {
	// Label is the group's label.
	Label string
	// Reason is the first line of the fatal error.
	Reason string
	// Loading is set when the worker died before it was ready.
	Loading bool
}

// Error says which group's worker crashed, and of what.
func (e *CrashError) Error() string {
	if e.Loading {
		return fmt.Sprintf("the worker of %s crashed while loading: %s", e.Label, e.Reason)
	}
	return fmt.Sprintf("the worker of %s crashed: %s", e.Label, e.Reason)
}

// LoadTimeoutError reports a worker that did not finish loading in time:
// an init function or a package-level initialiser that does not return.
type LoadTimeoutError struct {
	// Label is the group's label.
	Label string
	// Timeout is the load timeout that passed.
	Timeout time.Duration
}

// Error says which group did not load in time, and what usually causes it.
func (e *LoadTimeoutError) Error() string {
	return fmt.Sprintf("%s did not finish loading within %s (--load-timeout): an init function or a package-level variable's initialiser does not return", e.Label, e.Timeout)
}

// A Group runs one loaded version of its packages in a worker process,
// and keeps one running: it restarts a worker that dies and replaces one
// that runs an attempt long past its deadline. It is safe for concurrent
// use.
type Group struct {
	cfg  Config
	spec protocol.Spec
	ctx  context.Context // ends when the group closes
	stop context.CancelFunc

	mu       sync.Mutex // guards the fields below
	cur      *process   // the process taking calls; nil while (re)starting
	changed  chan struct{}
	procs    map[*process]bool // every process not yet exited
	crashes  []time.Time       // recent crashes, for the backoff
	starting bool              // a replacement or restart is under way
	idle     bool              // the worker was stopped for lack of calls
	closed   bool
	draining bool          // see Drain
	closedc  chan struct{} // closed by Close

	wg sync.WaitGroup // the watchdog, restarts and stops
}

// Start starts a group: its first worker loads spec. It returns the
// worker's Ready message; a worker that fails to load some packages still
// runs the others. An error means no worker runs: it crashed or timed out
// while loading, or could not be started.
func Start(ctx context.Context, cfg Config, spec protocol.Spec) (*Group, protocol.Ready, error) {
	if len(cfg.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, protocol.Ready{}, fmt.Errorf("start worker of %s: %w", cfg.Label, err)
		}
		cfg.Command = []string{exe}
	}
	if cfg.LoadTimeout <= 0 {
		cfg.LoadTimeout = 10 * time.Second
	}
	if cfg.Grace <= 0 {
		cfg.Grace = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Package != "" {
		cfg.Logger = cfg.Logger.With("package", cfg.Package)
	}
	gctx, stop := context.WithCancel(context.Background())
	g := &Group{cfg: cfg, spec: spec, ctx: gctx, stop: stop, changed: make(chan struct{}), procs: map[*process]bool{}, closedc: make(chan struct{})}
	p, ready, err := g.spawn(ctx, spec)
	if err != nil {
		stop()
		return nil, protocol.Ready{}, err
	}
	g.mu.Lock()
	g.procs[p] = true
	g.cur = p
	g.mu.Unlock()
	if len(ready.Loaded) == 0 {
		// Nothing to serve: the caller reports the load errors.
		g.Close()
		g.Wait()
		return nil, ready, nil
	}
	g.wg.Add(1)
	go g.watchdog()
	return g, ready, nil
}

// Do sends one attempt to the group's worker and returns the head of its
// answer; read the body from the Response. deadline is the attempt's
// deadline: while a worker (re)starts, Do waits for it until then, and an
// attempt still running at deadline plus the grace gets its worker
// replaced. Do does not return before the worker answers or dies, or ctx
// ends (the call is then canceled): the caller enforces deadlines.
//
// If the worker dies during the attempt, the error is a *CrashError.
func (g *Group) Do(ctx context.Context, call *protocol.Call, body []byte, deadline time.Time) (*protocol.Response, error) {
	for {
		p, err := g.live(deadline)
		if err != nil {
			return nil, err
		}
		resp, err := p.do(ctx, call, body, deadline)
		if errors.Is(err, errDraining) || errors.Is(err, ErrReplaced) {
			g.mu.Lock()
			retired := g.draining || g.closed
			g.mu.Unlock()
			if retired {
				return nil, ErrRetired
			}
			continue
		}
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, g.failure(p, err)
	}
}

// A SentAttempt is an attempt Send sent to a worker: once Ready is
// closed, Response returns its answer.
type SentAttempt struct {
	g        *Group
	p        *process
	id       uint64
	deadline time.Time
	call     protocol.SentCall
}

// Send sends an attempt to the group's live worker, as Do does, and
// returns once it is sent, so that the caller waits for the answer as it
// likes. Call Response once for every attempt sent, when Ready is closed:
// until then the worker counts the attempt as running. Send does not
// wait: when no worker takes calls at the moment (one is starting, or
// the group is idle), it returns ErrNoLiveWorker; Do waits for one.
func (g *Group) Send(call *protocol.Call, body []byte, deadline time.Time) (SentAttempt, error) {
	g.mu.Lock()
	p, retired := g.cur, g.closed || g.draining
	g.mu.Unlock()
	switch {
	case retired:
		return SentAttempt{}, ErrRetired
	case p == nil:
		return SentAttempt{}, ErrNoLiveWorker
	}
	id, ok := p.begin(deadline)
	if !ok {
		return SentAttempt{}, ErrNoLiveWorker // being replaced: Do waits for its successor
	}
	return SentAttempt{g: g, p: p, id: id, deadline: deadline, call: p.conn.Send(call, body)}, nil
}

// ErrNoLiveWorker is the error of Send when no worker of the group takes
// calls at the moment.
var ErrNoLiveWorker = errors.New("no worker of the group takes calls at the moment")

// Ready returns a channel closed when the answer's head has arrived, or
// the attempt has failed.
func (a SentAttempt) Ready() <-chan struct{} { return a.call.Ready() }

// Failed reports whether the attempt failed to get an answer (once
// Ready is closed): Response then says why, and can wait a moment for the
// worker's end to say whether it crashed.
func (a SentAttempt) Failed() bool { return a.call.Failed() }

// Response returns the answer, once Ready is closed, as Do does, and
// ends the attempt in its worker (an attempt that overran runs on until
// the answer's body ends; see process.answered).
func (a SentAttempt) Response() (*protocol.Response, error) {
	resp, err := a.call.Response()
	if err != nil {
		a.p.end(a.id)
		return nil, a.g.failure(a.p, err)
	}
	if err := a.p.answered(a.id, resp, a.deadline); err != nil {
		return nil, err
	}
	return resp, nil
}

// ErrReplaced is the error of an attempt the group's worker did not run
// because it was being replaced (protocol.Reply.Busy): it is to be sent
// again, to the next worker (Do does so itself).
var ErrReplaced = errors.New("the worker was replaced before it ran the attempt")

// failure turns a transport error of an attempt into a *CrashError if the
// process died.
func (g *Group) failure(p *process, err error) error {
	select {
	case <-p.done:
	case <-time.After(2 * time.Second):
		return fmt.Errorf("the worker of %s does not answer: %w", g.cfg.Label, err)
	}
	if why := p.stoppedWhy(); why != "" {
		return &CrashError{Label: g.cfg.Label, Reason: "the worker was stopped because " + why}
	}
	return &CrashError{Label: g.cfg.Label, Reason: g.describe(p.reason)}
}

// describe adds the memory limit to a reason that is running out of it.
func (g *Group) describe(reason string) string {
	if strings.Contains(reason, "out of memory") && g.cfg.MaxMemory > 0 {
		return fmt.Sprintf("%s (the worker's memory limit is %d MiB: --max-memory)", reason, g.cfg.MaxMemory>>20)
	}
	return reason
}

// ErrRetired is the error of an attempt sent to a group that was drained
// or closed before the attempt reached a worker: send it to the group
// that replaced it.
var ErrRetired = errors.New("the worker group was retired")

// live returns the process taking calls, waiting while one starts, until
// deadline. An idle group starts a worker for the call.
func (g *Group) live(deadline time.Time) (*process, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		g.mu.Lock()
		if g.closed || g.draining {
			g.mu.Unlock()
			return nil, ErrRetired
		}
		if g.cur != nil {
			p := g.cur
			g.mu.Unlock()
			return p, nil
		}
		if g.idle && !g.starting {
			g.idle, g.starting = false, true
			g.wg.Add(1)
			go func() {
				defer g.wg.Done()
				g.replaceAfter(0, nil)
			}()
		}
		ch := g.changed
		g.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(time.Until(deadline))
		}
		select {
		case <-ch:
		case <-timer.C:
			return nil, fmt.Errorf("waiting for the worker of %s to restart: %w", g.cfg.Label, context.DeadlineExceeded)
		}
	}
}

// setCurrentLocked makes p the process taking calls and wakes those
// waiting for one. The caller holds g.mu.
func (g *Group) setCurrentLocked(p *process) {
	g.cur = p
	close(g.changed)
	g.changed = make(chan struct{})
}

// detach takes p, which has ended, off the group, and reports whether it
// was the process taking calls.
func (g *Group) detach(p *process) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.procs, p)
	wasCurrent := g.cur == p
	if wasCurrent {
		g.cur = nil
	}
	return wasCurrent
}

// exited is called once for every process of the group when it has
// ended, after detach: wasCurrent is what detach reported.
func (g *Group) exited(p *process, wasCurrent bool) {
	g.mu.Lock()
	closed := g.closed || g.draining
	g.mu.Unlock()
	if closed || p.stoppedWhy() != "" || !wasCurrent {
		return
	}
	// It died on its own: a crash.
	c := Crash{Label: g.cfg.Label, Reason: g.describe(p.reason), At: time.Now(), PID: p.pid()}
	out := p.report
	g.cfg.Logger.Error(fmt.Sprintf("the worker of %s crashed: %s", g.cfg.Label, c.Reason), "pid", c.PID, "exit", p.state.String(), "output", out)
	if g.cfg.OnCrash != nil {
		g.cfg.OnCrash(c)
	}
	g.restart(c.At)
}

// crashWindow and the backoff bounds set how a crash-looping group is
// restarted: the first crash in a window restarts at once, each further
// one waits twice as long as the one before, up to maxBackoff.
const (
	crashWindow = 30 * time.Second
	minBackoff  = 100 * time.Millisecond
	maxBackoff  = 10 * time.Second
)

// restart starts a new worker after a crash at t, after a backoff when
// the group keeps crashing.
func (g *Group) restart(t time.Time) {
	g.mu.Lock()
	recent := g.crashes[:0]
	for _, c := range g.crashes {
		if t.Sub(c) < crashWindow {
			recent = append(recent, c)
		}
	}
	g.crashes = append(recent, t)
	n := len(g.crashes)
	if g.closed || g.starting {
		g.mu.Unlock()
		return
	}
	g.starting = true
	g.wg.Add(1)
	g.mu.Unlock()
	var delay time.Duration
	if n > 1 {
		delay = min(minBackoff<<min(n-2, 16), maxBackoff)
	}
	go func() {
		defer g.wg.Done()
		g.replaceAfter(delay, nil)
	}()
}

// replaceAfter starts a new worker after delay and makes it current; old,
// if not nil, is drained once the new worker is ready. A worker that
// fails to start counts as a crash.
func (g *Group) replaceAfter(delay time.Duration, old *process) {
	if delay > 0 {
		g.cfg.Logger.Warn(fmt.Sprintf("the worker of %s keeps crashing: restarting it in %s", g.cfg.Label, delay))
		select {
		case <-time.After(delay):
		case <-g.ctx.Done():
			g.doneStarting()
			return
		}
	}
	p, ready, err := g.spawn(g.ctx, g.spec)
	if err == nil && len(ready.Failed) > 0 {
		p.kill("it failed to load")
		err = fmt.Errorf("it failed to load: %v", ready.Failed)
	}
	if err != nil {
		g.doneStarting()
		if g.ctx.Err() != nil {
			return
		}
		g.cfg.Logger.Error(fmt.Sprintf("restart the worker of %s: %v", g.cfg.Label, err))
		g.restart(time.Now())
		return
	}
	g.mu.Lock()
	g.starting = false
	if g.closed {
		g.mu.Unlock()
		p.stop("the group closed", time.Second)
		return
	}
	g.procs[p] = true
	g.setCurrentLocked(p)
	g.mu.Unlock()
	if old != nil {
		old.drain()
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			old.tellDrain()
		}()
	}
	g.cfg.Logger.Info(fmt.Sprintf("started a new worker for %s", g.cfg.Label), "pid", p.pid())
}

func (g *Group) doneStarting() {
	g.mu.Lock()
	g.starting = false
	g.mu.Unlock()
}

// watchdog replaces the current worker when an attempt runs past its
// deadline plus the grace, and kills replaced workers once they run only
// overdue attempts.
func (g *Group) watchdog() {
	defer g.wg.Done()
	tick := time.NewTicker(min(max(g.cfg.Grace/4, 10*time.Millisecond), time.Second))
	defer tick.Stop()
	for {
		select {
		case <-g.ctx.Done():
			return
		case now := <-tick.C:
			g.mu.Lock()
			cur, starting := g.cur, g.starting
			var others []*process
			for p := range g.procs {
				if p != cur {
					others = append(others, p)
				}
			}
			g.mu.Unlock()
			for _, p := range others {
				p.checkDrained(now)
			}
			if cur != nil && !starting && g.cfg.IdleAfter > 0 {
				g.stopIfIdle(cur, now)
			}
			if cur != nil && !starting && cur.overdue(now, g.cfg.Grace) {
				g.mu.Lock()
				if g.closed || g.draining || g.starting || g.cur != cur {
					g.mu.Unlock()
					continue
				}
				g.starting = true
				g.wg.Add(1)
				g.mu.Unlock()
				g.cfg.Logger.Warn(fmt.Sprintf("a call of %s ran %s past its deadline: replacing its worker", g.cfg.Label, g.cfg.Grace), "pid", cur.pid())
				go func() {
					defer g.wg.Done()
					g.replaceAfter(0, cur)
				}()
			}
		}
	}
}

// stopIfIdle stops p, the current worker, if it has run no call for
// IdleAfter: the group is then idle until its next call.
func (g *Group) stopIfIdle(p *process, now time.Time) {
	if !p.idleSince(now, g.cfg.IdleAfter) {
		return
	}
	g.mu.Lock()
	if g.cur != p || g.starting || g.closed || g.draining {
		g.mu.Unlock()
		return
	}
	g.cur, g.idle = nil, true
	g.mu.Unlock()
	g.cfg.Logger.Info(fmt.Sprintf("stopped the worker of %s: no call for %s", g.cfg.Label, g.cfg.IdleAfter))
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		p.stop("it was idle", time.Second)
	}()
}

// Idle reports whether the group's worker is stopped for lack of calls.
func (g *Group) Idle() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.idle
}

// Ask sends call to the current worker and returns its answer's body,
// for questions about the process rather than calls of a service (see
// protocol.MethodStats). It returns nil while no worker runs.
func (g *Group) Ask(ctx context.Context, call *protocol.Call) ([]byte, error) {
	g.mu.Lock()
	p := g.cur
	g.mu.Unlock()
	if p == nil {
		return nil, nil
	}
	resp, err := p.conn.Call(ctx, call, nil)
	if err != nil {
		return nil, err
	}
	b, err := resp.ReadAll(1 << 20)
	if err == nil && resp.Status != 200 {
		err = fmt.Errorf("%s: status %d", call.Method, resp.Status)
	}
	return b, err
}

// PID returns the process id of the current worker, or 0 while none runs.
func (g *Group) PID() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cur == nil {
		return 0
	}
	return g.cur.pid()
}

// PIDs returns the process ids of every worker of the group still running.
func (g *Group) PIDs() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []int
	for p := range g.procs {
		out = append(out, p.pid())
	}
	return out
}

// Close stops the group's workers: each gets its standard input closed
// and is killed if it has not ended a second later. Close returns at once;
// [Group.Wait] waits for the workers to end.
func (g *Group) Close() {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return
	}
	g.closed = true
	var procs []*process
	for p := range g.procs {
		procs = append(procs, p)
	}
	// Added before closedc closes, so that Wait sees them.
	g.wg.Add(len(procs))
	close(g.closedc)
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
	g.stop()
	for _, p := range procs {
		go func() {
			defer g.wg.Done()
			p.stop("its version was retired", time.Second)
		}()
	}
}

// Drain retires the group gracefully: its workers take no new calls
// (those sent to it get ErrRetired), each is stopped once it runs nothing
// but overdue calls, and then the group closes.
func (g *Group) Drain() {
	g.mu.Lock()
	if g.closed || g.draining {
		g.mu.Unlock()
		return
	}
	g.draining = true
	var procs []*process
	for p := range g.procs {
		procs = append(procs, p)
	}
	g.wg.Add(1)
	g.mu.Unlock()
	for _, p := range procs {
		p.drain()
	}
	go func() {
		defer g.wg.Done()
		for _, p := range procs {
			<-p.done
		}
		g.Close()
	}()
}

// Wait waits until the group is closed and every worker of it has ended.
func (g *Group) Wait() {
	<-g.closedc
	g.wg.Wait()
}

// ErrNoSuchWorker is the error of SendPeer for a process that is not
// the group's any more.
var ErrNoSuchWorker = errors.New("no worker of the group has this process id")

// SendPeer sends m, with f's descriptor (nil for protocol.PeerGone), to
// the group's worker process pid on its peers' socket (see
// protocol.PeersFD). It fails if that process has ended, or was started
// without one.
func (g *Group) SendPeer(pid int, m protocol.PeerMessage, f *os.File) error {
	g.mu.Lock()
	var to *process
	for p := range g.procs {
		if p.pid() == pid {
			to = p
		}
	}
	g.mu.Unlock()
	if to == nil || to.peers == nil {
		return fmt.Errorf("%s: %w", g.cfg.Label, ErrNoSuchWorker)
	}
	return protocol.SendPeer(to.peers, m, f)
}
