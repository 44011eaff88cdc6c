package supervisor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/protocol"
)

// The tests start this test binary as the worker: with protocol.EnvWorker
// set, TestMain runs fakeWorker instead of the tests. Its first package's
// Rel says how it loads ("ok", "crash-at-load", "slow-load",
// "fail-load"), and each call's route what it does.
func TestMain(m *testing.M) {
	if protocol.IsWorker() {
		os.Exit(fakeWorker())
	}
	if os.Getenv("MICROFN_FAKE_SUPERVISOR") != "" {
		os.Exit(fakeSupervisor())
	}
	os.Exit(m.Run())
}

// fakeWorker speaks the worker's side of the protocol with made-up
// services.
func fakeWorker() int {
	in := bufio.NewReader(os.Stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		return 2
	}
	var spec protocol.Spec
	if err := json.Unmarshal(line, &spec); err != nil {
		return 2
	}
	go func() {
		_, _ = io.Copy(io.Discard, in)
		os.Exit(0)
	}()
	mode := spec.Packages[0].Rel
	switch mode {
	case "crash-at-load":
		fmt.Fprintln(os.Stderr, "fatal error: crashed while loading")
		return 2
	case "slow-load":
		select {}
	}
	f := os.NewFile(protocol.ConnFD, "server")
	nc, err := net.FileConn(f)
	if err != nil {
		return 2
	}
	protocol.NewConn(nc, false, protocol.Options{Handler: protocol.HandlerFunc(fakeService)})
	r := protocol.Ready{Loaded: []string{mode}}
	if mode == "fail-load" {
		r = protocol.Ready{Failed: map[string][]protocol.LoadError{mode: {{File: "a.go", Line: 3, Column: 1, Msg: "does not load"}}}}
	}
	ch, err := protocol.OpenChannel(spec.LogKey)
	if err != nil {
		return 2
	}
	if err := ch.Ready(r); err != nil {
		return 2
	}
	select {}
}

// fakeService answers the fake worker's calls by route.
func fakeService(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
	switch req.Route {
	case "/pid":
		_ = w.Reply(&protocol.Reply{Status: 200}, []byte(strconv.Itoa(os.Getpid())))
	case "/crash":
		fmt.Fprintln(os.Stderr, "fatal error: concurrent map writes")
		fmt.Fprintln(os.Stderr, "\ngoroutine 1 [running]:")
		os.Exit(2)
	case "/hang":
		select {}
	default:
		_ = w.Reply(&protocol.Reply{Status: 200}, req.Body)
	}
}

// fakeSupervisor is a supervisor in a process of its own: it starts a
// worker, prints the worker's process id and waits to be killed.
func fakeSupervisor() int {
	g, _, err := Start(context.Background(), Config{Dir: os.TempDir(), Label: "orphan"}, protocol.Spec{Packages: []protocol.PackageSpec{{Rel: "ok"}}})
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	fmt.Println(g.PID())
	select {}
}

// start starts a group whose worker loads in the way mode says.
func start(t *testing.T, mode string, change func(*Config)) (*Group, protocol.Ready, error) {
	t.Helper()
	cfg := Config{Dir: t.TempDir(), Label: mode, LoadTimeout: 5 * time.Second, Grace: 200 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if change != nil {
		change(&cfg)
	}
	g, r, err := Start(context.Background(), cfg, protocol.Spec{Packages: []protocol.PackageSpec{{Rel: mode}}})
	if g != nil {
		t.Cleanup(func() { g.Close(); g.Wait() })
	}
	return g, r, err
}

// call makes one attempt on g.
func call(g *Group, route string, deadline time.Time) (string, error) {
	resp, err := g.Do(context.Background(), &protocol.Call{Route: route, Method: "POST"}, []byte("hello"), deadline)
	if err != nil {
		return "", err
	}
	b, err := resp.ReadAll(0)
	return string(b), err
}

func TestStartAndCall(t *testing.T) {
	t.Parallel()
	g, r, err := start(t, "ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Loaded) != 1 || r.Loaded[0] != "ok" {
		t.Errorf("ready %+v", r)
	}
	if got, err := call(g, "/echo", time.Now().Add(5*time.Second)); err != nil || got != "hello" {
		t.Errorf("echo = %q, %v", got, err)
	}
	if pid, _ := call(g, "/pid", time.Now().Add(5*time.Second)); pid != strconv.Itoa(g.PID()) {
		t.Errorf("the call ran in %s, the worker is %d", pid, g.PID())
	}
}

func TestLoadFailures(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		mode  string
		check func(t *testing.T, g *Group, r protocol.Ready, err error)
	}{
		{"crash-at-load", func(t *testing.T, g *Group, r protocol.Ready, err error) {
			var ce *CrashError
			if !errors.As(err, &ce) || !ce.Loading || ce.Reason != "crashed while loading" {
				t.Errorf("err = %v, want a crash while loading naming the fatal error", err)
			}
		}},
		{"fail-load", func(t *testing.T, g *Group, r protocol.Ready, err error) {
			if err != nil || g != nil || len(r.Failed["fail-load"]) != 1 {
				t.Errorf("g %v, ready %+v, err %v: want no group and the load errors", g, r, err)
			}
			if e := protocol.Err(r.Failed["fail-load"]); !strings.Contains(e.Error(), "a.go:3:1: does not load") {
				t.Errorf("Err = %v", e)
			}
		}},
	} {
		t.Run(c.mode, func(t *testing.T) {
			t.Parallel()
			g, r, err := start(t, c.mode, nil)
			c.check(t, g, r, err)
		})
	}
	t.Run("slow-load", func(t *testing.T) {
		t.Parallel()
		_, _, err := start(t, "slow-load", func(c *Config) { c.LoadTimeout = 300 * time.Millisecond })
		var lt *LoadTimeoutError
		if !errors.As(err, &lt) || lt.Timeout != 300*time.Millisecond {
			t.Errorf("err = %v, want a load timeout", err)
		}
	})
}

// TestCrashRestartBackoff: a crash fails the attempt with the fatal
// error, is reported, and a new worker takes the next call; a second
// crash within the window restarts after a backoff.
func TestCrashRestartBackoff(t *testing.T) {
	t.Parallel()
	var crashes atomic.Int32
	g, _, err := start(t, "ok", func(c *Config) { c.OnCrash = func(Crash) { crashes.Add(1) } })
	if err != nil {
		t.Fatal(err)
	}
	first := g.PID()
	_, err = call(g, "/crash", time.Now().Add(5*time.Second))
	var ce *CrashError
	if !errors.As(err, &ce) || ce.Reason != "concurrent map writes" {
		t.Fatalf("crash call: %v, want a CrashError naming the fatal error", err)
	}
	if got, err := call(g, "/echo", time.Now().Add(10*time.Second)); err != nil || got != "hello" {
		t.Fatalf("after the crash: %q, %v", got, err)
	}
	if g.PID() == first || crashes.Load() != 1 {
		t.Errorf("worker %d (was %d), crashes %d: want a new worker and one crash", g.PID(), first, crashes.Load())
	}
	// The second crash in the window restarts after the backoff.
	if _, err := call(g, "/crash", time.Now().Add(5*time.Second)); err == nil {
		t.Fatal("second crash: no error")
	}
	crashed := time.Now()
	if _, err := call(g, "/echo", time.Now().Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(crashed); d < minBackoff {
		t.Errorf("restarted %s after the second crash, want at least the backoff of %s", d, minBackoff)
	}
}

// TestRunawayReplaced: an attempt past its deadline plus the grace gets
// its worker replaced; the new worker takes the calls.
func TestRunawayReplaced(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, "ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	first := g.PID()
	go call(g, "/hang", time.Now().Add(100*time.Millisecond)) // never answers
	deadline := time.Now().Add(20 * time.Second)
	for g.PID() == first || g.PID() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the worker of a runaway call was not replaced")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got, err := call(g, "/echo", time.Now().Add(5*time.Second)); err != nil || got != "hello" {
		t.Errorf("after the replacement: %q, %v", got, err)
	}
	// The old worker runs nothing but the overdue call: it is killed.
	for alive(first) {
		if time.Now().After(deadline) {
			t.Fatalf("the replaced worker %d still runs", first)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestIdleStopsAndStarts: with IdleAfter, a worker without calls stops,
// and the next call starts one.
func TestIdleStopsAndStarts(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, "ok", func(c *Config) { c.IdleAfter = 100 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	first := g.PID()
	deadline := time.Now().Add(10 * time.Second)
	for !g.Idle() {
		if time.Now().After(deadline) {
			t.Fatal("not idle")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for alive(first) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(first) || g.PID() != 0 {
		t.Fatalf("idle group: worker %d alive %v, PID %d", first, alive(first), g.PID())
	}
	if got, err := call(g, "/echo", time.Now().Add(10*time.Second)); err != nil || got != "hello" || g.Idle() {
		t.Errorf("call of an idle group: %q, %v (idle %v)", got, err, g.Idle())
	}
}

// TestDrain: a drained group takes no new calls, and ends.
func TestDrain(t *testing.T) {
	t.Parallel()
	g, _, err := start(t, "ok", nil)
	if err != nil {
		t.Fatal(err)
	}
	pid := g.PID()
	g.Drain()
	if _, err := call(g, "/echo", time.Now().Add(time.Second)); !errors.Is(err, ErrRetired) {
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
	cmd.Env = append(os.Environ(), "MICROFN_FAKE_SUPERVISOR=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("the supervisor said %q", line)
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("worker %d outlived its supervisor", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	fields := strings.Fields(string(b))
	return len(fields) < 3 || fields[2] != "Z"
}
