package supervisor

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// A process is one worker process of a group.
type process struct {
	g      *Group
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	client *fasthttp.HostClient
	broker *broker
	out    *workerOutput
	// done is closed once the process has exited and its output is read;
	// state, reason and report are set then.
	done   chan struct{}
	state  *os.ProcessState
	reason string // how it ended: see workerOutput.finish
	report string // the Go runtime's report of its fatal error, if it died of one

	mu       sync.Mutex           // guards the fields below
	calls    map[uint64]time.Time // attempts in flight, by id, with their deadlines
	nextID   uint64
	draining bool   // replaced: it takes no new calls and ends once it runs only overdue ones
	stopped  string // why the supervisor stopped it, if it did
	// killedFor is why the supervisor killed it for a fault of its own
	// (its temporary files took too much): a crash, unlike stopped.
	killedFor string
}

// workerFiles are the supervisor's ends of a worker's inherited
// descriptors, and the worker's, all sockets (see socketPair).
type workerFiles struct {
	mine, theirs []*os.File // standard input, output, error, channel, broker
}

func openWorkerFiles() (*workerFiles, error) {
	w := &workerFiles{}
	for _, typ := range []int{syscall.SOCK_STREAM, syscall.SOCK_STREAM, syscall.SOCK_STREAM, packetType, packetType} {
		mine, theirs, err := socketPair(typ)
		if err != nil {
			w.close()
			return nil, err
		}
		w.mine, w.theirs = append(w.mine, mine), append(w.theirs, theirs)
	}
	return w, nil
}

// closeTheirs closes the worker's ends, which the worker has once it
// started.
func (w *workerFiles) closeTheirs() {
	for _, f := range w.theirs {
		f.Close()
	}
}

func (w *workerFiles) close() {
	w.closeTheirs()
	for _, f := range w.mine {
		f.Close()
	}
}

// spawn starts a worker process for spec and waits until it is ready,
// has failed to load, or loadTimeout passes.
func (g *Group) spawn(ctx context.Context, spec Spec) (*process, Ready, error) {
	fail := func(err error) (*process, Ready, error) {
		return nil, Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, err)
	}
	tmp, err := os.MkdirTemp(g.cfg.Dir, "tmp-")
	if err != nil {
		return fail(err)
	}
	spec.Sandbox.TempDir = tmp
	spec.Key = make([]byte, 32)
	_, _ = rand.Read(spec.Key)
	line, err := json.Marshal(spec)
	if err != nil {
		os.RemoveAll(tmp)
		return fail(err)
	}
	files, err := openWorkerFiles()
	if err != nil {
		os.RemoveAll(tmp)
		return fail(err)
	}
	cmd := exec.Command(g.cfg.Command[0], g.cfg.Command[1:]...)
	cmd.Env = workerEnv(os.Environ(), g.cfg.Env, tmp)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = files.theirs[0], files.theirs[1], files.theirs[2]
	cmd.ExtraFiles = files.theirs[ChannelFD:] // fds 3 and 4
	err = cmd.Start()
	files.closeTheirs()
	if err != nil {
		for _, f := range files.mine {
			f.Close()
		}
		os.RemoveAll(tmp)
		return fail(err)
	}
	p := &process{
		g:     g,
		cmd:   cmd,
		stdin: files.mine[0],
		out:   newWorkerOutput(g.cfg.Logger, g.cfg.Package != "", g.cfg.Label, spec.Key),
		done:  make(chan struct{}),
		calls: map[uint64]time.Time{},
	}
	p.out.pid = cmd.Process.Pid
	channel, cerr := packetConn(files.mine[ChannelFD])
	brokerConn, berr := packetConn(files.mine[BrokerFD])
	if err := errors.Join(cerr, berr); err != nil {
		for _, c := range []*net.UnixConn{channel, brokerConn} {
			if c != nil {
				c.Close()
			}
		}
		for _, f := range files.mine[:ChannelFD] {
			f.Close()
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		os.RemoveAll(tmp)
		return fail(err)
	}
	p.broker = &broker{conn: brokerConn, serve: g.cfg.Connect, routes: g.cfg.Routes}
	p.client = &fasthttp.HostClient{
		Addr:                          "worker",
		Dial:                          func(string) (net.Conn, error) { return p.broker.connect() },
		MaxConns:                      1 << 16,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: true,
		DisablePathNormalizing:        true,
		// A failed attempt is the policy's business, never resent here.
		RetryIfErr: func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
	}
	go p.broker.run()
	// The account of its temporary files starts before the worker reads
	// its spec, so before it can write.
	var quota *tempQuota
	var quotaErr error
	if max := spec.Limits.MaxTempSize; max > 0 {
		quota, quotaErr = watchTemp(tmp, max, func(used int64) { p.overQuota(max, used) })
	}
	readyc := make(chan []byte, 1)
	var outputs sync.WaitGroup
	outputs.Add(3)
	go func() {
		defer outputs.Done()
		// The worker's channel: its Ready message, then its log records.
		buf := make([]byte, maxMessage)
		first := true
		for {
			n, err := channel.Read(buf)
			if err != nil {
				channel.Close()
				return
			}
			if n == 0 {
				continue
			}
			if r := p.out.message(buf[:n]); r != nil && first {
				first = false
				readyc <- append([]byte(nil), r...)
			}
		}
	}()
	for i, stream := range []string{"stdout", "stderr"} {
		f := files.mine[1+i]
		go func() {
			defer outputs.Done()
			defer f.Close()
			readLines(f, func(b []byte) { p.out.rawLine(stream, b) })
		}()
	}
	go func() {
		outputs.Wait()
		_ = cmd.Wait()
		p.state = cmd.ProcessState
		p.reason, p.report = p.out.finish(p.state)
		if quota != nil {
			quota.stop()
		}
		p.mu.Lock()
		if p.killedFor != "" {
			p.reason, p.report = p.killedFor, ""
		}
		p.mu.Unlock()
		brokerConn.Close()
		_ = os.RemoveAll(tmp)
		close(p.done)
		g.exited(p)
	}()
	if quotaErr != nil {
		p.kill("its temporary folder cannot be watched")
		<-p.done
		return fail(fmt.Errorf("watch its temporary folder: %w", quotaErr))
	}
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		p.kill("its start failed")
		<-p.done
		return nil, Ready{}, fmt.Errorf("start worker of %s: send its spec: %w (%s)", g.cfg.Label, err, p.reason)
	}
	timer := time.NewTimer(g.cfg.LoadTimeout)
	defer timer.Stop()
	select {
	case b := <-readyc:
		var r Ready
		if err := json.Unmarshal(b, &r); err != nil {
			p.kill("it did not start properly")
			<-p.done
			return nil, Ready{}, fmt.Errorf("worker of %s: not a ready message: %q", g.cfg.Label, b)
		}
		return p, r, nil
	case <-p.done:
		return nil, Ready{}, &CrashError{Label: g.cfg.Label, Reason: p.reason, Loading: true}
	case <-timer.C:
		p.kill("it did not finish loading in time")
		<-p.done
		return nil, Ready{}, &LoadTimeoutError{Label: g.cfg.Label, Timeout: g.cfg.LoadTimeout}
	case <-ctx.Done():
		p.kill("the server is stopping")
		<-p.done
		return nil, Ready{}, fmt.Errorf("start worker of %s: %w", g.cfg.Label, ctx.Err())
	}
}

// RuntimeEnv are the variables of the supervisor's environment a worker
// gets as they are: they set the Go runtime (GOMAXPROCS, GOGC,
// GOMEMLIMIT, GODEBUG, GOTRACEBACK), its race detector (GORACE) and its
// coverage counters (GOCOVERDIR), and are no secret.
var RuntimeEnv = []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG", "GOTRACEBACK", "GORACE", "GOCOVERDIR"}

// workerEnv is the environment of a worker: EnvWorker, TMPDIR pointing at
// its private temporary folder tmp, the variables of RuntimeEnv the
// supervisor's environment environ has, and extra.
func workerEnv(environ, extra []string, tmp string) []string {
	env := []string{EnvWorker + "=1", "TMPDIR=" + tmp}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(RuntimeEnv, name) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
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
	idle := p.draining && p.onlyOverdueLocked(time.Now())
	p.mu.Unlock()
	if idle {
		p.kill("it was replaced")
	}
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

// do sends one attempt to the process.
func (p *process) do(req *fasthttp.Request, resp *fasthttp.Response, deadline time.Time) error {
	id, ok := p.begin(deadline)
	if !ok {
		return errDraining
	}
	req.SetHost("worker")
	err := p.client.Do(req, resp)
	p.end(id)
	return err
}

var errDraining = errors.New("worker is being replaced")

// fetch GETs path from the worker, for its metrics.
func (p *process) fetch(path string, timeout time.Duration) ([]byte, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI("http://worker" + path)
	if err := p.client.DoTimeout(req, resp, timeout); err != nil {
		return nil, err
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", path, resp.StatusCode())
	}
	return append([]byte(nil), resp.Body()...), nil
}

// pid is the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }
