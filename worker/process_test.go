package worker_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/workertest"
	"github.com/microfn/microfn/protocol"
)

// The tests of this file start this test binary as a worker process and
// are its server: they speak the server's side of package protocol
// themselves, with no supervisor, so that what they check is the
// worker's side of it. With protocol.EnvWorker set, TestMain runs a real
// worker (workertest.Main: Main with the services of package workertest
// compiled in) instead of the tests.
func TestMain(m *testing.M) {
	if protocol.IsWorker() {
		os.Exit(workertest.Main())
	}
	os.Exit(m.Run())
}

// lines collects the lines a worker writes on one of its streams. It is
// safe for concurrent use.
type lines struct {
	mu sync.Mutex
	l  []string
}

func (b *lines) add(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.l = append(b.l, s)
}

func (b *lines) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.l)
}

// A proc is a worker process a test started, with the server's ends of
// its descriptors.
type proc struct {
	t     *testing.T
	cmd   *exec.Cmd
	spec  protocol.Spec
	stdin *os.File
	conn  *protocol.Conn
	// ready is the worker's Ready message, once it came whole and
	// signed; readyErr is why it did not.
	ready    chan protocol.Ready
	readyErr chan error
	// stdout and stderr are what the worker printed; channel holds the
	// messages of its channel besides its Ready message, as they came.
	stdout, stderr lines
	channel        lines
	exited         chan struct{} // closed once the process has exited
	state          *os.ProcessState
}

// socketPair returns the two ends of a pair of connected Unix sockets of
// type typ, closed on exec: the server's end, non-blocking, and the
// worker's, as package supervisor makes them.
func socketPair(t *testing.T, typ int) (mine, theirs *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, typ|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	return os.NewFile(uintptr(fds[0]), "server"), os.NewFile(uintptr(fds[1]), "worker")
}

// startWorker starts a worker process, sends it spec (with a new LogKey,
// and a temporary folder of its own) and serves its nested calls with h
// (nil refuses them). It does not wait for its Ready message.
func startWorker(t *testing.T, spec protocol.Spec, h protocol.Handler) *proc {
	t.Helper()
	return startWorkerAfter(t, nil, spec, h)
}

// startWorkerAfter is startWorker sending the line first, if not nil,
// before the spec's.
func startWorkerAfter(t *testing.T, first []byte, spec protocol.Spec, h protocol.Handler) *proc {
	t.Helper()
	spec.LogKey = make([]byte, 32)
	_, _ = rand.Read(spec.LogKey)
	spec.Sandbox.TempDir = t.TempDir()
	p := &proc{t: t, spec: spec, ready: make(chan protocol.Ready, 1), readyErr: make(chan error, 1), exited: make(chan struct{})}
	var mine, theirs []*os.File
	for _, typ := range []int{syscall.SOCK_STREAM, syscall.SOCK_STREAM, syscall.SOCK_STREAM, syscall.SOCK_SEQPACKET, syscall.SOCK_STREAM} {
		m, th := socketPair(t, typ)
		mine, theirs = append(mine, m), append(theirs, th)
	}
	p.cmd = exec.Command(os.Args[0])
	// What a supervisor starts a worker with: the variable that makes it
	// one, its TMPDIR, the Go runtime's settings (GOGC among them, which
	// the worker must not leave to service code), and the environment of
	// service code.
	p.cmd.Env = append([]string{protocol.EnvWorker + "=1", "TMPDIR=" + spec.Sandbox.TempDir, "GOGC=100"}, spec.Settings.Env...)
	for _, name := range []string{"GORACE", "GOCOVERDIR"} {
		if v, ok := os.LookupEnv(name); ok {
			p.cmd.Env = append(p.cmd.Env, name+"="+v)
		}
	}
	p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = theirs[protocol.StdinFD], theirs[protocol.StdoutFD], theirs[protocol.StderrFD]
	p.cmd.ExtraFiles = theirs[protocol.ChannelFD:]
	err := p.cmd.Start()
	for _, f := range theirs {
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	p.stdin = mine[protocol.StdinFD]
	nc, err := net.FileConn(mine[protocol.ConnFD])
	mine[protocol.ConnFD].Close()
	if err != nil {
		t.Fatal(err)
	}
	p.conn = protocol.NewConn(nc, true, protocol.Options{Handler: h})
	var outputs sync.WaitGroup
	outputs.Add(3)
	for i, out := range []*lines{&p.stdout, &p.stderr} {
		f := mine[protocol.StdoutFD+i]
		go func() {
			defer outputs.Done()
			defer f.Close()
			s := bufio.NewScanner(f)
			for s.Scan() {
				out.add(s.Text())
			}
		}()
	}
	go func() {
		defer outputs.Done()
		p.readChannel(mine[protocol.ChannelFD])
	}()
	go func() {
		outputs.Wait()
		_ = p.cmd.Wait()
		p.state = p.cmd.ProcessState
		p.conn.Close()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stdin.Close()
		if !p.exitedWithin(workertest.Timeout) {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	line, _ := json.Marshal(spec)
	if _, err := p.stdin.Write(append(first, append(line, '\n')...)); err != nil {
		t.Fatalf("send the spec: %v", err)
	}
	return p
}

// readChannel reads the worker's channel to its end: the Ready message,
// whose parts must carry the Spec's signature, and any other message.
func (p *proc) readChannel(f *os.File) {
	defer f.Close()
	buf := make([]byte, protocol.MaxChannelMessage)
	var ready []byte
	done := false
	for {
		n, err := f.Read(buf)
		if err != nil {
			if !done {
				p.readyErr <- fmt.Errorf("the channel ended before a Ready message: %w", err)
			}
			return
		}
		kind, payload, ok := protocol.VerifyChannelMessage(p.spec.LogKey, buf[:n])
		switch {
		case ok && !done && kind == protocol.ChannelReadyPart:
			ready = append(ready, payload...)
		case ok && !done && kind == protocol.ChannelReady:
			done = true
			var r protocol.Ready
			if err := json.Unmarshal(append(ready, payload...), &r); err != nil {
				p.readyErr <- fmt.Errorf("not a Ready message: %w", err)
				continue
			}
			p.ready <- r
		default:
			p.channel.add(string(buf[:n]))
		}
	}
}

// waitReady returns the worker's Ready message, or fails the test.
func (p *proc) waitReady() protocol.Ready {
	p.t.Helper()
	select {
	case r := <-p.ready:
		return r
	case err := <-p.readyErr:
		p.t.Fatalf("%v; standard error: %q", err, p.stderr.all())
	case <-time.After(workertest.Timeout):
		p.t.Fatalf("no Ready message after %s", workertest.Timeout)
	}
	return protocol.Ready{}
}

// exitedWithin reports whether the process has exited within d.
func (p *proc) exitedWithin(d time.Duration) bool {
	select {
	case <-p.exited:
		return true
	case <-time.After(d):
		return false
	}
}

// call sends one attempt of the service name of the workertest package of
// services (Attempt 1, due in workertest.Timeout) and returns the status
// and body of its answer.
func (p *proc) call(name, args string) (int, string) {
	p.t.Helper()
	return p.attempt(&protocol.Call{Attempt: 1, Route: workertest.Route(workertest.Services, name), Method: http.MethodPost, ContentType: "application/json",
		Chain: protocol.Chain{Deadline: time.Now().Add(workertest.Timeout)}}, args)
}

// attempt sends call with the body args and returns the status and body
// of its answer.
func (p *proc) attempt(call *protocol.Call, args string) (int, string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), workertest.Timeout)
	defer cancel()
	resp, err := p.conn.Call(ctx, call, []byte(args))
	if err != nil {
		p.t.Fatalf("%s: %v", call.Route, err)
	}
	b, err := resp.ReadAll(0)
	if err != nil {
		p.t.Fatalf("%s: read the answer: %v", call.Route, err)
	}
	return resp.Status, strings.TrimSpace(string(b))
}

// spec is the spec of a worker of the workertest package name, in the
// directory of that name.
func spec(t *testing.T, name string) protocol.Spec {
	return workertest.Spec(t.TempDir(), workertest.Package(name, name))
}

// TestHandshake: a worker reads its Spec, loads its packages, and sends a
// Ready message on its channel signed with the Spec's LogKey (and with no
// other key), saying what loaded and what did not, with positions; a
// worker that serves something then answers calls on its connection, and
// one that serves nothing exits. A fatal error while loading ends the
// process as the Go runtime does, under the Spec's stack limit.
func TestHandshake(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pkg   string
		check func(t *testing.T, p *proc)
	}{
		{workertest.Services, func(t *testing.T, p *proc) {
			r := p.waitReady()
			if !slices.Equal(r.Loaded, []string{workertest.Services}) || len(r.Failed) != 0 {
				t.Errorf("ready %+v, want %s loaded", r, workertest.Services)
			}
			if status, body := p.call("Echo", `{"s":"hi"}`); status != 200 || body != `"hi"` {
				t.Errorf("Echo = %d %s", status, body)
			}
			if status, body := p.call("PID", `{}`); status != 200 || body != fmt.Sprint(p.cmd.Process.Pid) {
				t.Errorf("PID = %d %s, want %d", status, body, p.cmd.Process.Pid)
			}
			if status, body := p.call("Nothing", `{}`); status != http.StatusNotFound {
				t.Errorf("a route the worker does not serve: %d %s, want 404", status, body)
			}
		}},
		{workertest.Broken, func(t *testing.T, p *proc) {
			r := p.waitReady()
			if len(r.Loaded) != 0 || len(r.Failed[workertest.Broken]) == 0 {
				t.Fatalf("ready %+v, want %s failed", r, workertest.Broken)
			}
			if e := protocol.Err(r.Failed[workertest.Broken]); !strings.Contains(e.Error(), "broken.go:3:") {
				t.Errorf("load error %q, want its position", e)
			}
			if !p.exitedWithin(workertest.Timeout) || p.state.ExitCode() != 0 {
				t.Errorf("a worker that serves nothing: exited %v (%v), want 0", p.state != nil, p.state)
			}
		}},
		{workertest.CrashAtLoad, func(t *testing.T, p *proc) {
			if !p.exitedWithin(workertest.Timeout) {
				t.Fatal("the worker did not die")
			}
			want := fmt.Sprintf("runtime: goroutine stack exceeds %d-byte limit", workertest.MaxStack)
			if p.state.ExitCode() != 2 || !slices.Contains(p.stderr.all(), want) {
				t.Errorf("exit %v, standard error %q: want 2 and %q", p.state, p.stderr.all(), want)
			}
			select {
			case r := <-p.ready:
				t.Errorf("a Ready message %+v from a worker that crashed while loading", r)
			default:
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			t.Parallel()
			tc.check(t, startWorker(t, spec(t, tc.pkg), nil))
		})
	}
}

// TestWarmupLine: a worker given a warm-up line before its Spec (as a
// spare prepare process is) reads past it, and loads and serves its Spec;
// this executable has no Code.Warm, so it only skips it.
func TestWarmupLine(t *testing.T) {
	t.Parallel()
	warmup, _ := json.Marshal(protocol.Spec{Warmup: true, Prepare: &protocol.PrepareSpec{Exports: map[string]string{"fmt": "/export/fmt.a"}}})
	p := startWorkerAfter(t, append(warmup, '\n'), spec(t, workertest.Services), nil)
	if r := p.waitReady(); !slices.Equal(r.Loaded, []string{workertest.Services}) {
		t.Fatalf("ready %+v, want %s loaded", r, workertest.Services)
	}
	if status, body := p.call("Echo", `{"s":"hi"}`); status != 200 || body != `"hi"` {
		t.Errorf("Echo = %d %s", status, body)
	}
}

// TestEnvironment: service code finds in its process's environment what
// the Spec gives it and its TMPDIR, nothing else of what the worker was
// started with.
func TestEnvironment(t *testing.T) {
	t.Parallel()
	s := spec(t, workertest.Services)
	s.Settings.Env = []string{"GREETING=hello", "EMPTY="}
	p := startWorker(t, s, nil)
	p.waitReady()
	status, body := p.call("Env", `{}`)
	var env []string
	if status != 200 || json.Unmarshal([]byte(body), &env) != nil {
		t.Fatalf("Env = %d %s", status, body)
	}
	slices.Sort(env)
	want := []string{"EMPTY=", "GREETING=hello", "TMPDIR=" + p.spec.Sandbox.TempDir}
	if !slices.Equal(env, want) {
		t.Errorf("the environment of service code is %q, want %q", env, want)
	}
}

// TestNestedCalls: a nested call of service code goes to the server on
// the worker's connection, naming the attempt it is made by, one deeper
// than it and due no later than it, as a proxy's call (one attempt, which
// the worker retries under the callee's policy: Try counts them); the
// server's answer is the call's result. With Monolith, a call of the
// package's own service stays in the worker.
func TestNestedCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		monolith bool
		want     string
		calls    []int // the Try of each nested call the server sees
	}{
		// Quadruple(3) = Double(Double(3)); the server answers n+1, and a
		// 503 to the first try of the first call.
		{"through the server", false, "5", []int{1, 2, 1}},
		{"monolith", true, "12", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const attempt = 42
			deadline := time.Now().Add(workertest.Timeout).Round(time.Millisecond)
			var mu sync.Mutex
			var tries []int
			var faults []string
			server := protocol.HandlerFunc(func(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
				mu.Lock()
				tries = append(tries, req.Try)
				first := len(tries) == 1
				if req.Attempt != attempt || req.Route != workertest.Route(workertest.Services, "Double") || !req.Proxied || req.Chain.Depth != 3 ||
					req.Chain.Deadline.IsZero() || req.Chain.Deadline.After(deadline) {
					faults = append(faults, fmt.Sprintf("attempt %d, route %s, proxied %v, depth %d, deadline %s", req.Attempt, req.Route, req.Proxied, req.Chain.Depth, req.Chain.Deadline))
				}
				mu.Unlock()
				if first {
					p := protocol.Problem{Status: http.StatusServiceUnavailable, Detail: "not now"}
					_ = w.Reply(&protocol.Reply{Status: http.StatusServiceUnavailable, ContentType: protocol.ProblemContentType}, p.Body())
					return
				}
				var args struct{ N int }
				_ = json.Unmarshal(req.Body, &args)
				_ = w.Reply(&protocol.Reply{Status: 200, ContentType: "application/json"}, fmt.Appendf(nil, "%d", args.N+1))
			})
			s := spec(t, workertest.Services)
			s.Settings.Monolith = tc.monolith
			p := startWorker(t, s, server)
			p.waitReady()
			status, body := p.attempt(&protocol.Call{Attempt: attempt, Route: workertest.Route(workertest.Services, "Quadruple"), Method: http.MethodPost,
				ContentType: "application/json", Chain: protocol.Chain{Depth: 2, Deadline: deadline}}, `{"n":3}`)
			if status != 200 || body != tc.want {
				t.Errorf("Quadruple(3) = %d %s, want %s", status, body, tc.want)
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(tries, tc.calls) {
				t.Errorf("the server saw nested calls with tries %v, want %v", tries, tc.calls)
			}
			for _, f := range faults {
				t.Errorf("nested call: %s; want attempt %d, its route, proxied, depth 3, due by %s", f, attempt, deadline)
			}
		})
	}
}

// TestWorkerEnds: a worker exits when its standard input closes (its
// server is done with it, or died) and when its connection to the server
// ends.
func TestWorkerEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(p *proc)
	}{
		{"standard input closes", func(p *proc) { p.stdin.Close() }},
		{"connection ends", func(p *proc) { p.conn.Close() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startWorker(t, spec(t, workertest.Services), nil)
			p.waitReady()
			if status, _ := p.call("Echo", `{"s":"hi"}`); status != 200 {
				t.Fatalf("Echo = %d", status)
			}
			tc.end(p)
			if !p.exitedWithin(workertest.Timeout) {
				t.Fatalf("the worker runs %s after its %s", workertest.Timeout, tc.name)
			}
			if code := p.state.ExitCode(); code != 0 {
				t.Errorf("exit code %d, want 0", code)
			}
		})
	}
}

// TestServiceOutput: what service code prints goes to the worker's
// standard output, and what it writes on the worker's channel comes
// without the signature of the worker's own messages: it holds no key.
func TestServiceOutput(t *testing.T) {
	t.Parallel()
	p := startWorker(t, spec(t, workertest.Services), nil)
	p.waitReady()
	forged := string(protocol.ChannelRecord) + `{"level":"ERROR","msg":"forged"}`
	args, _ := json.Marshal(map[string]string{"s": forged})
	if status, body := p.call("Print", string(args)); status != 200 {
		t.Fatalf("Print = %d %s", status, body)
	}
	deadline := time.Now().Add(workertest.Timeout)
	for !slices.Contains(p.stdout.all(), forged) || !slices.Contains(p.channel.all(), forged) {
		if time.Now().After(deadline) {
			t.Fatalf("standard output %q, channel %q: want the line on both", p.stdout.all(), p.channel.all())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The message the test read as unsigned does not verify with the key
	// either once its last bytes are taken for a signature.
	if _, _, ok := protocol.VerifyChannelMessage(p.spec.LogKey, []byte(forged)); ok {
		t.Error("service code's message verifies")
	}
}

// TestAbandonedAttempt: a server that gives up on an attempt (its
// context ends: the worker gets a cancel frame) has its call end at once,
// though the service, which does not watch its context, runs on; the
// worker answers its other calls meanwhile (its supervisor replaces it
// once the attempt is long overdue, see package supervisor).
func TestAbandonedAttempt(t *testing.T) {
	t.Parallel()
	p := startWorker(t, spec(t, workertest.Services), nil)
	p.waitReady()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	call := &protocol.Call{Attempt: 7, Route: workertest.Route(workertest.Services, "Hang"), Method: http.MethodPost,
		ContentType: "application/json", Chain: protocol.Chain{Deadline: time.Now().Add(200 * time.Millisecond)}}
	if resp, err := p.conn.Call(ctx, call, []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hang = %v, %v; want the caller's deadline", resp, err)
	}
	if status, body := p.call("Echo", `{"s":"still"}`); status != 200 || body != `"still"` {
		t.Errorf("Echo after an abandoned attempt = %d %s", status, body)
	}
	if err := p.conn.Err(); err != nil {
		t.Errorf("the connection ended: %v", err)
	}
}
