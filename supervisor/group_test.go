package supervisor

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/workertest"
	"github.com/microfn/microfn/protocol"
)

// The tests start this test binary as the worker: with protocol.EnvWorker
// set, TestMain runs a real worker (workertest.Main: worker.Main with the
// services of package workertest compiled in) instead of the tests. With
// envOrphan set, it is a supervisor in a process of its own (see
// orphanSupervisor).
func TestMain(m *testing.M) {
	if protocol.IsWorker() {
		os.Exit(workertest.Main())
	}
	if dir := os.Getenv(envOrphan); dir != "" {
		os.Exit(orphanSupervisor(dir))
	}
	os.Exit(m.Run())
}

// envOrphan makes the test binary an orphanSupervisor, whose workers'
// temporary folders go in the directory it names.
const envOrphan = "MICROFN_TEST_ORPHAN_SUPERVISOR"

// orphanSupervisor is a supervisor in a process of its own: it starts a
// worker, prints the worker's process id and waits to be killed.
func orphanSupervisor(dir string) int {
	spec := workertest.Spec(dir, workertest.Package(workertest.Services, workertest.Services))
	g, _, err := Start(context.Background(), Config{Dir: dir, Label: "orphan", LoadTimeout: workertest.Timeout}, spec)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(g.PID())
	select {}
}

// logBuffer is where a group's log goes in a test: JSON records, one a
// line. It is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start starts a group whose worker loads the workertest package pkg (in
// the directory of that name), with the logger writing to logs (if not
// nil); change, if not nil, changes its configuration and spec first.
func start(t *testing.T, pkg string, logs *logBuffer, change func(*Config, *protocol.Spec)) (*Group, protocol.Ready, error) {
	t.Helper()
	var w bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&w, nil))
	if logs != nil {
		logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	cfg := Config{Dir: t.TempDir(), Label: pkg, LoadTimeout: workertest.Timeout, Grace: 200 * time.Millisecond, Logger: logger}
	spec := workertest.Spec(t.TempDir(), workertest.Package(pkg, pkg))
	if change != nil {
		change(&cfg, &spec)
	}
	g, r, err := Start(context.Background(), cfg, spec)
	if g != nil {
		t.Cleanup(func() { g.Close(); g.Wait() })
	}
	return g, r, err
}

// call makes one attempt of the service name of the workertest package
// of services, with the JSON object args, due by deadline.
func call(g *Group, name, args string, deadline time.Time) (string, error) {
	c := &protocol.Call{Route: workertest.Route(workertest.Services, name), Method: "POST", ContentType: "application/json"}
	resp, err := g.Do(context.Background(), c, []byte(args), deadline)
	if err != nil {
		return "", err
	}
	b, err := resp.ReadAll(0)
	if err == nil && resp.Status != 200 {
		err = fmt.Errorf("status %d: %s", resp.Status, b)
	}
	return strings.TrimSpace(string(b)), err
}

// soon is the deadline of an attempt that should be answered at once.
func soon() time.Time { return time.Now().Add(workertest.Timeout) }

// waitFor polls cond until it holds, or fails the test once
// workertest.Timeout has passed.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(workertest.Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s", what, workertest.Timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newWorker waits until the group runs a worker other than old, and
// returns its process id.
func newWorker(t *testing.T, g *Group, old int) int {
	t.Helper()
	var pid int
	waitFor(t, fmt.Sprintf("a worker to replace %d", old), func() bool {
		pid = g.PID()
		return pid != 0 && pid != old
	})
	return pid
}

// TestSpawnAndHandshake: a group starts its worker from this executable
// with a minimal environment and five sockets, sends it its Spec and
// takes its signed Ready message; the worker then serves calls on its
// connection. Its private temporary folder lives as long as it does.
func TestSpawnAndHandshake(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inheritedPath := filepath.Join(t.TempDir(), "inherited")
	if err := os.WriteFile(inheritedPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	inherited, err := syscall.Open(inheritedPath, syscall.O_RDONLY, 0) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(inherited) })
	g, r, err := start(t, workertest.Services, nil, func(c *Config, s *protocol.Spec) {
		c.Dir = dir
		s.Settings.Env = []string{"GREETING=hello"}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Loaded, []string{workertest.Services}) || len(r.Failed) != 0 {
		t.Errorf("ready %+v, want %s loaded", r, workertest.Services)
	}
	pid := g.PID()
	if got, err := call(g, "Echo", `{"s":"hi"}`, soon()); err != nil || got != `"hi"` {
		t.Errorf("Echo = %s, %v", got, err)
	}
	if got, err := call(g, "PID", `{}`, soon()); err != nil || got != strconv.Itoa(pid) {
		t.Errorf("the call ran in %s, %v; the worker is %d", got, err, pid)
	}
	t.Run("no inherited descriptor", func(t *testing.T) {
		// inherited is open in this process without close-on-exec, as
		// a descriptor a shell hands the server is.
		entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
			if link == inheritedPath {
				t.Errorf("the worker has descriptor %s on %s, open in its server (as %d) without close-on-exec", e.Name(), link, inherited)
			}
		}
	})
	t.Run("descriptors", func(t *testing.T) {
		// The worker's connection (ConnFD) has moved to another
		// descriptor by now: the worker made it a net.Conn.
		for fd := protocol.StdinFD; fd <= protocol.ChannelFD; fd++ {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, fd))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				t.Errorf("the worker's descriptor %d is %q (%v), want a socket", fd, link, err)
			}
		}
	})
	var tmp string
	t.Run("environment", func(t *testing.T) {
		// What the worker was started with; it clears it as it starts.
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, kv := range strings.Split(strings.TrimRight(string(b), "\x00"), "\x00") {
			name, value, _ := strings.Cut(kv, "=")
			switch {
			case kv == protocol.EnvWorker+"=1", kv == "GREETING=hello":
			case name == "TMPDIR" && filepath.Dir(value) == dir:
				tmp = value
			case slices.Contains(RuntimeEnv, name) && slices.Contains(os.Environ(), kv):
			default:
				t.Errorf("the worker was started with %q", kv)
			}
		}
		if tmp == "" {
			t.Fatalf("the worker was started without a TMPDIR in %s: %q", dir, b)
		}
		if info, err := os.Stat(tmp); err != nil || !info.IsDir() {
			t.Errorf("the worker's TMPDIR %s: %v", tmp, err)
		}
	})
	g.Close()
	g.Wait()
	if alive(pid) {
		t.Errorf("worker %d runs after Close and Wait", pid)
	}
	if _, err := os.Stat(tmp); tmp != "" && !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the worker's temporary folder outlives it: %v", err)
	}
}

// TestLoadFailures: a worker that dies while loading is a crash while
// loading, with the fatal error's first line; one that does not load in
// time is killed; a package that does not load leaves no group, and its
// errors with their positions.
func TestLoadFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pkg   string
		check func(t *testing.T, g *Group, r protocol.Ready, err error)
	}{
		{workertest.CrashAtLoad, func(t *testing.T, g *Group, r protocol.Ready, err error) {
			var ce *CrashError
			want := fmt.Sprintf("goroutine stack exceeds %d-byte limit", workertest.MaxStack)
			if !errors.As(err, &ce) || !ce.Loading || ce.Reason != want {
				t.Errorf("err = %v, want a crash while loading: %s", err, want)
			}
		}},
		{workertest.HangAtLoad, func(t *testing.T, g *Group, r protocol.Ready, err error) {
			var lt *LoadTimeoutError
			if !errors.As(err, &lt) || lt.Timeout != time.Second {
				t.Errorf("err = %v, want a load timeout of 1s", err)
			}
		}},
		{workertest.Broken, func(t *testing.T, g *Group, r protocol.Ready, err error) {
			if err != nil || g != nil || len(r.Failed[workertest.Broken]) == 0 {
				t.Fatalf("g %v, ready %+v, err %v: want no group and the load errors", g, r, err)
			}
			if e := protocol.Err(r.Failed[workertest.Broken]); !strings.Contains(e.Error(), "broken.go:3:") {
				t.Errorf("load error %q, want its position", e)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			t.Parallel()
			g, r, err := start(t, tc.pkg, nil, func(c *Config, _ *protocol.Spec) {
				if tc.pkg == workertest.HangAtLoad {
					c.LoadTimeout = time.Second
				}
			})
			tc.check(t, g, r, err)
		})
	}
}

// TestCrashDetection: a worker that dies while it runs an attempt fails the
// attempt with a *CrashError whose reason is the first line of the Go
// runtime's fatal error — never a line service code printed before it —,
// or how the process ended; the crash is reported once, with the dead
// worker's pid, and a new worker takes the next call.
func TestCrashDetection(t *testing.T) {
	t.Parallel()
	overflow := fmt.Sprintf("goroutine stack exceeds %d-byte limit", workertest.MaxStack)
	tests := []struct {
		name, service, args string
		kill                bool // killed from outside while it runs the call
		want                string
	}{
		{"stack overflow", "Overflow", `{"n":0}`, false, overflow},
		{"panic on a goroutine", "GoPanic", `{"msg":"boom"}`, false, "panic: boom"},
		{"forged report before a real one", "Forge", `{"msg":"forged"}`, false, overflow},
		{"exit", "Exit", `{"code":3,"msg":"bye"}`, false, "the worker exited (exit status 3) after printing: bye"},
		{"killed", "Hang", `{}`, true, "the worker was killed by signal killed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			crashes := make(chan Crash, 4)
			g, _, err := start(t, workertest.Services, nil, func(c *Config, _ *protocol.Spec) {
				c.OnCrash = func(cr Crash) { crashes <- cr }
			})
			if err != nil {
				t.Fatal(err)
			}
			pid := g.PID()
			failed := make(chan error, 1)
			go func() {
				_, err := call(g, tc.service, tc.args, soon())
				failed <- err
			}()
			if tc.kill {
				g.mu.Lock()
				p := g.cur
				g.mu.Unlock()
				waitFor(t, "the attempt to be in flight", func() bool {
					p.mu.Lock()
					defer p.mu.Unlock()
					return len(p.calls) > 0
				})
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			err = <-failed
			var ce *CrashError
			if !errors.As(err, &ce) || ce.Reason != tc.want || ce.Loading || ce.Label != workertest.Services {
				t.Fatalf("%s: %v, want a CrashError: %s", tc.service, err, tc.want)
			}
			select {
			case cr := <-crashes:
				if cr.Reason != tc.want || cr.PID != pid || cr.Label != workertest.Services {
					t.Errorf("crash reported %+v, want pid %d and %q", cr, pid, tc.want)
				}
			case <-time.After(workertest.Timeout):
				t.Fatal("the crash was not reported")
			}
			if got, err := call(g, "PID", `{}`, soon()); err != nil || got == strconv.Itoa(pid) {
				t.Errorf("after the crash of %d the call ran in %s, %v; want a new worker", pid, got, err)
			}
			if alive(pid) {
				t.Errorf("the crashed worker %d still runs", pid)
			}
			select {
			case cr := <-crashes:
				t.Errorf("another crash reported: %+v", cr)
			default:
			}
		})
	}
}

// TestRestartBackoff: the first crash restarts the worker at once; each
// further crash within the window waits twice as long as the one before,
// from minBackoff, and says so in the log.
func TestRestartBackoff(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	crashes := make(chan Crash, 4)
	g, _, err := start(t, workertest.Services, &logs, func(c *Config, _ *protocol.Spec) {
		c.OnCrash = func(cr Crash) { crashes <- cr }
	})
	if err != nil {
		t.Fatal(err)
	}
	pid := g.PID()
	for i, delay := range []time.Duration{0, minBackoff, 2 * minBackoff} {
		if _, err := call(g, "Overflow", `{"n":0}`, soon()); err == nil {
			t.Fatalf("crash %d: no error", i+1)
		}
		// The backoff runs from the moment the supervisor saw the crash.
		var crashed time.Time
		select {
		case cr := <-crashes:
			crashed = cr.At
		case <-time.After(workertest.Timeout):
			t.Fatalf("crash %d was not reported", i+1)
		}
		pid = newWorker(t, g, pid)
		took := time.Since(crashed)
		line := fmt.Sprintf("keeps crashing: restarting it in %s", delay)
		if delay == 0 {
			if strings.Contains(logs.String(), "keeps crashing") {
				t.Errorf("the first crash restarted after a backoff:\n%s", logs.String())
			}
			continue
		}
		if !strings.Contains(logs.String(), line) {
			t.Errorf("crash %d: the log does not say %q:\n%s", i+1, line, logs.String())
		}
		if took < delay {
			t.Errorf("crash %d: restarted %s after it, want at least the backoff of %s", i+1, took, delay)
		}
	}
	if got, err := call(g, "Echo", `{"s":"up"}`, soon()); err != nil || got != `"up"` {
		t.Errorf("after three crashes: %s, %v", got, err)
	}
}

// TestRunawayReplaced: an attempt past its deadline plus the grace gets
// its worker replaced; the new worker takes the calls, and the old one,
// which runs nothing but the overdue attempt, is killed: the attempt
// fails, saying why.
func TestRunawayReplaced(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, workertest.Services, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := g.PID()
	hung := make(chan error, 1)
	go func() {
		_, err := call(g, "Hang", `{}`, time.Now().Add(100*time.Millisecond))
		hung <- err
	}()
	second := newWorker(t, g, first)
	if got, err := call(g, "PID", `{}`, soon()); err != nil || got != strconv.Itoa(second) {
		t.Errorf("after the replacement the call ran in %s, %v; want %d", got, err, second)
	}
	waitFor(t, fmt.Sprintf("the replaced worker %d to end", first), func() bool { return !alive(first) })
	select {
	case err := <-hung:
		var ce *CrashError
		if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "stopped because it was replaced") {
			t.Errorf("the runaway attempt: %v, want a CrashError saying its worker was replaced", err)
		}
	case <-time.After(workertest.Timeout):
		t.Fatal("the runaway attempt did not end with its worker")
	}
}

// TestProtocolViolation: a worker that writes what is not the protocol on
// its connection (service code can find the descriptor) is killed, which
// is a crash saying so.
func TestProtocolViolation(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, workertest.Services, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pid := g.PID()
	_, err = call(g, "Scribble", `{}`, soon())
	var ce *CrashError
	if !errors.As(err, &ce) || !strings.Contains(ce.Reason, "wrote what is not the protocol") {
		t.Fatalf("Scribble: %v, want a CrashError naming the protocol violation", err)
	}
	newWorker(t, g, pid)
}

// TestOutputLabelled: what service code prints, on its standard output or
// on the worker's channel, is logged as the worker's output, labelled
// with its stream and pid, never as a record of the worker's own.
func TestOutputLabelled(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	g, _, err := start(t, workertest.Services, &logs, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A log record as the worker's channel carries one, without its
	// signature.
	forged := string(protocol.ChannelRecord) + `{"level":"ERROR","msg":"forged"}`
	args, _ := json.Marshal(map[string]string{"s": forged})
	if _, err := call(g, "Print", string(args), soon()); err != nil {
		t.Fatal(err)
	}
	pid := g.PID()
	for _, stream := range []string{"stdout", "channel"} {
		waitFor(t, "the "+stream+" line in the log", func() bool {
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, `"stream":"`+stream+`"`) && strings.Contains(l, `"pid":`+strconv.Itoa(pid)) &&
					strings.Contains(l, `"level":"WARN"`) && strings.Contains(l, `"msg":"L{\"level\":\"ERROR\",\"msg\":\"forged\"}"`) {
					return true
				}
			}
			return false
		})
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("service output passed for a record:\n%s", logs.String())
	}
}

// TestIdleStopsAndStarts: with IdleAfter, a worker without calls stops,
// and the next call starts one.
func TestIdleStopsAndStarts(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, workertest.Services, nil, func(c *Config, _ *protocol.Spec) { c.IdleAfter = 100 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	first := g.PID()
	waitFor(t, "the group to be idle", g.Idle)
	waitFor(t, fmt.Sprintf("the idle worker %d to end", first), func() bool { return !alive(first) })
	if g.PID() != 0 {
		t.Fatalf("idle group: PID %d", g.PID())
	}
	if got, err := call(g, "Echo", `{"s":"again"}`, soon()); err != nil || got != `"again"` || g.Idle() {
		t.Errorf("call of an idle group: %s, %v (idle %v)", got, err, g.Idle())
	}
}

// TestDrain: a drained group takes no new calls, and ends.
func TestDrain(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, workertest.Services, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pid := g.PID()
	g.Drain()
	if _, err := call(g, "Echo", `{"s":"late"}`, soon()); !errors.Is(err, ErrRetired) {
		t.Errorf("call of a drained group: %v, want ErrRetired", err)
	}
	g.Wait()
	if alive(pid) {
		t.Errorf("worker %d of a drained group still runs", pid)
	}
}

// TestWorkerEndsWithItsSupervisor: a worker whose supervisor is killed
// with SIGKILL ends too.
func TestWorkerEndsWithItsSupervisor(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envOrphan+"="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("the supervisor said %q", line)
	}
	if !alive(pid) {
		t.Fatalf("worker %d is not running", pid)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	waitFor(t, fmt.Sprintf("worker %d to end with its supervisor", pid), func() bool { return !alive(pid) })
}

// alive reports whether process pid runs (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command, in parentheses, which may hold
	// spaces.
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(fields) == 0 || fields[0] != "Z"
}

// TestSend: an attempt Send sends to the live worker is answered through
// its SentAttempt; an idle group has no live worker to send to, and a
// drained one is retired.
func TestSend(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, workertest.Services, nil, func(c *Config, _ *protocol.Spec) { c.IdleAfter = 100 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	send := func() (string, error) {
		c := &protocol.Call{Route: workertest.Route(workertest.Services, "Echo"), Method: "POST", ContentType: "application/json"}
		sent, err := g.Send(c, []byte(`{"s":"sent"}`), soon())
		if err != nil {
			return "", err
		}
		select {
		case <-sent.Ready():
		case <-time.After(workertest.Timeout):
			return "", errors.New("no answer in time")
		}
		resp, err := sent.Response()
		if err != nil {
			return "", err
		}
		b, err := resp.ReadAll(0)
		return strings.TrimSpace(string(b)), err
	}
	if got, err := send(); err != nil || got != `"sent"` {
		t.Errorf("Send to the live worker: %s, %v", got, err)
	}
	waitFor(t, "the group to be idle", g.Idle)
	if _, err := send(); !errors.Is(err, ErrNoLiveWorker) {
		t.Errorf("Send to an idle group: %v, want ErrNoLiveWorker", err)
	}
	g.Drain()
	if _, err := send(); !errors.Is(err, ErrRetired) {
		t.Errorf("Send to a drained group: %v, want ErrRetired", err)
	}
}
