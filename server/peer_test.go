package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// peerModule has services in two packages that call each other: the
// calls go straight between their workers once the server has carried
// one (the peer path), with a worker per package.
func peerModule() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/peer\n\ngo 1.22\n",
		"a/a.go": `package a

import (
	"fmt"
	"time"

	"github.com/microfn/microfn"

	"example.com/peer/b"
)

// Call calls b.Echo n times.
//
//microfn:service
func Call(n int) (string, error) {
	out := ""
	for i := range n {
		s, err := b.Echo(i)
		if err != nil {
			return "", err
		}
		out += s
	}
	return out, nil
}

// Status reports the status b.Slow or b.Flaky answered.
//
//microfn:service timeout=10s
func Status(what string, d time.Duration) string {
	var err error
	switch what {
	case "slow":
		_, err = b.Slow(d)
	case "flaky":
		_, err = b.Flaky(what)
	case "crash":
		_, err = b.Crash(d)
	}
	return fmt.Sprintf("%d", microfn.StatusOf(err))
}

// Hold holds b.One's slot for d.
//
//microfn:service timeout=10s scale=4
func Hold(d time.Duration) (string, error) { return b.One(d) }

// Deep calls b.Deep.
//
//microfn:service
func Deep(n int) (int, error) { return b.Deep(n) }
`,
		"b/b.go": `package b

import (
	"errors"
	"sync"
	"time"

	"example.com/peer/b/c"
)

// Echo answers its argument.
//
//microfn:service
func Echo(i int) (string, error) { return string(rune('0' + i%10)), nil }

//microfn:service timeout=200ms retry=1
func Slow(d time.Duration) (string, error) {
	time.Sleep(d)
	return "slept", nil
}

var (
	mu    sync.Mutex
	tries = map[string]int{}
)

// Flaky fails twice for each key, then succeeds.
//
//microfn:service retry=3 base=1ms cap=2ms
func Flaky(key string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	tries[key]++
	if tries[key] <= 2 {
		return "", errors.New("not yet")
	}
	return "ok", nil
}

// Crash ends its worker after d: a goroutine's panic.
//
//microfn:service retry=1
func Crash(d time.Duration) (string, error) {
	done := make(chan bool)
	time.AfterFunc(d, func() { panic("crash") })
	<-done
	return "", nil
}

var running int

// One runs one call at a time.
//
//microfn:service scale=1 timeout=10s
func One(d time.Duration) (string, error) {
	mu.Lock()
	running++
	mu.Unlock()
	time.Sleep(d)
	mu.Lock()
	running--
	mu.Unlock()
	return "one", nil
}

// Running reports how many calls of One run.
//
//microfn:service
func Running() int {
	mu.Lock()
	defer mu.Unlock()
	return running
}

// Deep calls c.Deep.
//
//microfn:service
func Deep(n int) (int, error) { return c.Deep(n) }
`,
		"b/c/c.go": `package c

// Deep calls itself n deep.
//
//microfn:service
func Deep(n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	return Deep(n - 1)
}
`,
	}
}

// peerWorkers reports whether in runs a worker per package: the peer
// path's mode.
func peerWorkers(in *microfntest.Instance) bool {
	return len(in.Server.WorkerPIDs()) > 1
}

// startPeer starts peerModule and calls b from a until the call goes
// straight from a's worker to b's: a's attempts carry b's capability,
// and the two workers are connected.
func startPeer(t *testing.T, opts ...server.Option) *microfntest.Instance {
	t.Helper()
	in := microfntest.Start(t, peerModule(), opts...)
	if r := in.Get("/a/Call?n=1"); text(r) != "0" {
		t.Fatalf("/a/Call = %d %s, want 0", r.Status, r.Body)
	}
	// The connection reaches the workers as calls go on.
	waitVia(t, in, "/b/Echo", wantVia(in))
	return in
}

// wantVia is the via of the calls of a's services to b's after
// startPeer: peer with a worker per package, else through the server.
func wantVia(in *microfntest.Instance) string {
	if peerWorkers(in) {
		return "peer"
	}
	return "http"
}

func TestPeerChain(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, peerModule())
	before := scrape(t, in)
	// The first chain goes through the server, which then connects the
	// two workers (the connection reaches them as calls go on) and gives
	// the next chains' attempts of /a/Call the capability of b.
	chains := 0
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		if r := in.Get("/a/Call?n=4"); text(r) != "0123" {
			t.Fatalf("chain %d: /a/Call = %d %s, want 0123", chains, r.Status, r.Body)
		}
		chains++
		lines := accessLines(in, "/b/Echo")
		for _, l := range lines[len(lines)-4:] {
			if l.Attrs["via"] != wantVia(in) {
				return false, fmt.Sprintf("chain %d went via %v", chains, l.Attrs["via"])
			}
		}
		return true, ""
	})
	after := scrape(t, in)
	labels := map[string]string{"caller": "/a/Call", "callee": "/b/Echo", "code": "200"}
	if got := value(after, "microfn_nested_calls_total", labels) - value(before, "microfn_nested_calls_total", labels); got != float64(4*chains) {
		t.Errorf("microfn_nested_calls_total%v moved by %v, want %d", labels, got, 4*chains)
	}
	calls := map[string]string{"service": "/b/Echo", "code": "200"}
	if got := value(after, "microfn_calls_total", calls) - value(before, "microfn_calls_total", calls); got != float64(4*chains) {
		t.Errorf("microfn_calls_total%v moved by %v, want %d", calls, got, 4*chains)
	}
	hist := map[string]string{"service": "/b/Echo"}
	if got := value(after, "microfn_call_duration_seconds", hist) - value(before, "microfn_call_duration_seconds", hist); got != float64(4*chains) {
		t.Errorf("microfn_call_duration_seconds%v counted %v calls, want %d", hist, got, 4*chains)
	}
	lines := accessLines(in, "/b/Echo")
	if len(lines) != 4*chains {
		t.Fatalf("%d access lines of /b/Echo, want %d", len(lines), 4*chains)
	}
	if peerWorkers(in) && chains < 2 {
		t.Errorf("the first chain went straight between the workers: it has no capability yet")
	}
	for i, l := range lines {
		if i < 4 && l.Attrs["via"] != "http" {
			t.Errorf("call %d of /b/Echo went via %s: want http for the first chain's", i, l.Attrs["via"])
		}
		if l.Attrs["status"] != "200" || l.Attrs["depth"] != "1" || l.Attrs["attempts"] != "1" {
			t.Errorf("line %q %v: want status=200 depth=1 attempts=1", l.Msg, l.Attrs)
		}
	}
}

func TestPeerAnswers(t *testing.T) {
	t.Parallel()
	in := startPeer(t, server.WithMaxDepth(8))
	tests := []struct {
		name, path string
		status     int
		want       string
		callee     string // whose access line is checked
		line       string // its status
		lineHTTP   string // its status through the server, if not line
	}{
		// Through the server, the call is logged with the status its
		// execution ended with; in a worker, with the caller's.
		{"callee past its timeout", "/a/Status?what=slow&d=1s", 200, "504", "/b/Slow", "504", "200"},
		{"retries of a flaky callee", "/a/Status?what=flaky&d=0s", 200, "200", "/b/Flaky", "200", ""},
		{"a chain across three packages", "/a/Deep?n=3", 200, "0", "/b/Deep", "200", ""},
		{"unbounded depth", "/a/Deep?n=10", 508, "", "/b/Deep", "508", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := in.Get(tc.path)
			if r.Status != tc.status || tc.want != "" && text(r) != tc.want {
				t.Fatalf("GET %s = %d %s, want %d %s", tc.path, r.Status, r.Body, tc.status, tc.want)
			}
			// Through the server, an attempt that overran is logged when
			// its execution ends.
			var lines []microfntest.Record
			microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
				lines = accessLines(in, tc.callee)
				return len(lines) > 0, "no access line of " + tc.callee
			})
			l, want := lines[len(lines)-1], tc.line
			if wantVia(in) == "http" && tc.lineHTTP != "" {
				want = tc.lineHTTP
			}
			if l.Attrs["via"] != wantVia(in) || l.Attrs["status"] != want {
				t.Errorf("the last call of %s: %v, want via=%s status=%s", tc.callee, l.Attrs, wantVia(in), want)
			}
		})
	}
}

func TestPeerRetries(t *testing.T) {
	t.Parallel()
	in := startPeer(t)
	before := scrape(t, in)
	if r := in.Get("/a/Status?what=flaky&d=0s"); text(r) != "200" {
		t.Fatalf("/a/Status = %d %s, want 200", r.Status, r.Body)
	}
	after := scrape(t, in)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		// One call, tried three times: two failures, then a success.
		{"microfn_nested_calls_total", map[string]string{"caller": "/a/Status", "callee": "/b/Flaky", "code": "500"}, 1},
		{"microfn_call_retries_total", map[string]string{"service": "/b/Flaky"}, 2},
		{"microfn_calls_total", map[string]string{"service": "/b/Flaky", "code": "500"}, 2},
		{"microfn_calls_total", map[string]string{"service": "/b/Flaky", "code": "200"}, 1},
	}
	for _, c := range checks {
		if got := value(after, c.name, c.labels) - value(before, c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	lines := accessLines(in, "/b/Flaky")
	if len(lines) != 3 {
		t.Fatalf("%d access lines of /b/Flaky, want 3", len(lines))
	}
	for _, l := range lines {
		if l.Attrs["via"] != wantVia(in) {
			t.Errorf("line %v: want via=%s", l.Attrs, wantVia(in))
		}
	}
}

func TestPeerScale(t *testing.T) {
	t.Parallel()
	in := startPeer(t)
	// One chain holds b.One's slot (scale=1); another waits for it.
	first := make(chan microfntest.Response, 1)
	go func() { first <- in.Get("/a/Hold?d=500ms") }()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		r := in.Get("/b/Running")
		return body(r) == "1", "b.One is not running: " + body(r)
	})
	if r := in.Get("/a/Hold?d=0s"); text(r) != "one" {
		t.Errorf("the second /a/Hold = %d %s, want one", r.Status, r.Body)
	}
	if r := <-first; text(r) != "one" {
		t.Errorf("the first /a/Hold = %d %s, want one", r.Status, r.Body)
	}
	lines := accessLines(in, "/b/One")
	if len(lines) != 2 {
		t.Fatalf("%d access lines of /b/One, want 2", len(lines))
	}
	// The second call, straight to b's worker, waited there for the
	// first chain's slot.
	waited := false
	for _, l := range lines {
		if w, err := time.ParseDuration(l.Attrs["wait"]); err == nil && w > 0 && l.Attrs["via"] == wantVia(in) {
			waited = true
		}
	}
	if !waited {
		t.Errorf("no call of /b/One via=%s waited for the other chain's slot: %v", wantVia(in), lines)
	}
}

func TestPeerCrash(t *testing.T) {
	t.Parallel()
	in := startPeer(t)
	if !peerWorkers(in) {
		t.Skip("without a worker per package, b's crash ends a's code too")
	}
	if r := in.Get("/a/Status?what=crash&d=50ms"); text(r) != "502" {
		t.Fatalf("/a/Status, b's worker crashing = %d %s, want 502", r.Status, r.Body)
	}
	// The next calls are served: through the server, by the worker
	// that replaced the one that crashed, then straight to it.
	for i := range 3 {
		if r := in.Get("/a/Call?n=2"); text(r) != "01" {
			t.Fatalf("call %d after the crash: /a/Call = %d %s, want 01", i, r.Status, r.Body)
		}
	}
	waitVia(t, in, "/b/Echo", wantVia(in))
}

func TestPeerReload(t *testing.T) {
	t.Parallel()
	in := startPeer(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := in.Get("/a/Call?n=2")
				mu.Lock()
				seen[strconv.Itoa(r.Status)+" "+text(r)]++
				mu.Unlock()
			}
		})
	}
	src := peerModule()["b/b.go"]
	in.Write("b/b.go", strings.Replace(src, "string(rune('0' + i%10))", "string(rune('a' + i%10))", 1))
	in.WaitBody("/a/Call?n=2", `"ab"`, 20*time.Second)
	close(stop)
	wg.Wait()
	// Each call of b is answered by the old version or the new one.
	for answer := range seen {
		if answer != "200 01" && answer != "200 ab" && answer != "200 0b" {
			t.Errorf("answers during the reload: %v, want only 200 01, 0b and ab", seen)
			break
		}
	}
	waitVia(t, in, "/b/Echo", wantVia(in))
}

// waitVia calls /a/Call until its last call of route went via via: the
// server connects two workers as it carries calls between them.
func waitVia(t *testing.T, in *microfntest.Instance, route, via string) {
	t.Helper()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		if r := in.Get("/a/Call?n=1"); r.Status != 200 {
			return false, "/a/Call answered " + r.Body
		}
		lines := accessLines(in, route)
		l := lines[len(lines)-1]
		return l.Attrs["via"] == via, fmt.Sprintf("the last call of %s: %v, want via=%s", route, l.Attrs, via)
	})
}

func TestPeerCallsOff(t *testing.T) {
	t.Parallel()
	// --peer-calls=false: every call of another package's service goes
	// through the server.
	in := microfntest.Start(t, peerModule(), server.WithPeerCalls(false))
	for range 3 {
		if r := in.Get("/a/Call?n=3"); text(r) != "012" {
			t.Fatalf("/a/Call = %d %s, want 012", r.Status, r.Body)
		}
	}
	for _, l := range accessLines(in, "/b/Echo") {
		if l.Attrs["via"] != "http" {
			t.Errorf("line %v: want via=http", l.Attrs)
		}
	}
}
