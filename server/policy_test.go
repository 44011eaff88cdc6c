package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

const policySrc = `package pol

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/microfn/microfn"
)

var (
	mu       sync.Mutex
	calls    = map[string]int{}
	attempts []time.Time
)

func count(name string) int {
	mu.Lock()
	defer mu.Unlock()
	calls[name]++
	return calls[name]
}

// Calls reports how many times a service ran.
//
//microfn:service
func Calls(name string) int {
	mu.Lock()
	defer mu.Unlock()
	return calls[name]
}

// Buggy5 fails every tenth execution, deterministically.
//
//microfn:service retry=5 base=1ms cap=5ms
func Buggy5() error {
	if count("Buggy5")%%10 == 0 {
		return errors.New("internal server error")
	}
	return nil
}

//microfn:service retry=1
func Buggy1() error {
	if count("Buggy1")%%10 == 0 {
		return errors.New("internal server error")
	}
	return nil
}

// FailTwice fails its first two attempts, recording when each ran.
//
//microfn:service retry=5 backoff=constant base=40ms cap=40ms jitter=25%%
func FailTwice() (int, error) {
	mu.Lock()
	attempts = append(attempts, time.Now())
	n := len(attempts)
	mu.Unlock()
	if n <= 2 {
		return 0, errors.New("not yet")
	}
	return n, nil
}

// Gaps returns the milliseconds between FailTwice's attempts.
//
//microfn:service
func Gaps() []float64 {
	mu.Lock()
	defer mu.Unlock()
	var out []float64
	for i := 1; i < len(attempts); i++ {
		out = append(out, float64(attempts[i].Sub(attempts[i-1]).Microseconds())/1000)
	}
	return out
}

//microfn:service retry=5
func BadInput(x int) error {
	count("BadInput")
	return microfn.Error(http.StatusBadRequest, "x must be positive, got %%d", x)
}

//microfn:service retry=5
func Permanent() error {
	count("Permanent")
	return microfn.Permanent(errors.New("do not retry me"))
}

//microfn:service retry=5
func BindOnly(x int) int { count("BindOnly"); return x }

//microfn:service scale=1 retry=1
func Slow1() { time.Sleep(200 * time.Millisecond) }

//microfn:service scale=5 retry=1
func Slow5() { time.Sleep(200 * time.Millisecond) }

var meeting struct {
	sync.Mutex
	inside, most int
}

// Meet5 waits, up to 10 seconds, until 5 of its calls run at once, and
// returns the most that did.
//
//microfn:service scale=5 retry=1 timeout=15s
func Meet5() int {
	meeting.Lock()
	meeting.inside++
	meeting.most = max(meeting.most, meeting.inside)
	meeting.Unlock()
	defer func() {
		meeting.Lock()
		meeting.inside--
		meeting.Unlock()
	}()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		meeting.Lock()
		most := meeting.most
		meeting.Unlock()
		if most >= 5 {
			break
		}
	}
	meeting.Lock()
	defer meeting.Unlock()
	return meeting.most
}

//microfn:service scale=1 queue=2 retry=1
func Queue2() { time.Sleep(300 * time.Millisecond) }

//microfn:service scale=1
func Fib(n int) int {
	if n < 2 {
		return 1
	}
	return Fib(n-1) + Fib(n-2)
}

//microfn:service scale=1
func Ping(n int) int {
	if n <= 0 {
		return 0
	}
	return Pong(n-1) + 1
}

//microfn:service scale=1
func Pong(n int) int {
	if n <= 0 {
		return 0
	}
	return Ping(n-1) + 1
}

//microfn:service timeout=100ms retry=1 scale=1
func TooSlow(d time.Duration) string { time.Sleep(d); return "done" }
`

func startPolicies(t *testing.T, opts ...server.Option) *microfntest.Instance {
	t.Helper()
	return microfntest.Start(t, map[string]string{"pol.go": strings.ReplaceAll(policySrc, "%%", "%")}, append([]server.Option{server.WithQuiet(true)}, opts...)...)
}

func TestRetryMasksFailures(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	const n = 2000
	failed5, failed1 := 0, 0
	for range n {
		if r := in.Get("/Buggy5"); r.Status != 200 {
			failed5++
		}
		if r := in.Get("/Buggy1"); r.Status != 200 {
			failed1++
		}
	}
	if failed5 != 0 {
		t.Errorf("retry=5: %d of %d calls failed, want 0", failed5, n)
	}
	if failed1 != n/10 {
		t.Errorf("retry=1: %d of %d calls failed, want %d (every tenth)", failed1, n, n/10)
	}
	// 2000 calls, one failed attempt in ten retried once: 2222 executions.
	if r := in.Get("/Calls?name=Buggy5"); body(r) != "2222" {
		t.Errorf("Buggy5 ran %s times, want 2222", r.Body)
	}
}

func TestRetryAttemptsAndBackoff(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	r := in.Get("/FailTwice")
	if r.Status != 200 || r.Header.Get("Microfn-Attempts") != "3" || body(r) != "3" {
		t.Fatalf("FailTwice = %d %s, Microfn-Attempts %q; want 200 3 with 3 attempts", r.Status, r.Body, r.Header.Get("Microfn-Attempts"))
	}
	var gaps []float64
	if err := json.Unmarshal([]byte(in.Get("/Gaps").Body), &gaps); err != nil || len(gaps) != 2 {
		t.Fatalf("gaps %v: %v", gaps, err)
	}
	for _, g := range gaps {
		// base=cap=40ms, jitter 25%: each wait is 30..50ms; allow the
		// scheduler some slack above, none below.
		if g < 30 || g > 40*1.25+150 {
			t.Errorf("gap between attempts %.1fms, want 30ms..50ms (+ scheduling slack)", g)
		}
	}
}

func TestNotRetried(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	tests := []struct {
		path, name string
		status     int
		calls      string
	}{
		{"/BadInput?x=-1", "BadInput", 400, "1"},
		{"/Permanent", "Permanent", 500, "1"},
		{"/BindOnly?x=notanint", "BindOnly", 400, "0"},
	}
	for _, tc := range tests {
		r := in.Get(tc.path)
		if r.Status != tc.status {
			t.Errorf("GET %s = %d %s, want %d", tc.path, r.Status, r.Body, tc.status)
		}
		if a := r.Header.Get("Microfn-Attempts"); tc.calls == "1" && a != "1" {
			t.Errorf("GET %s took %q attempts, want 1", tc.path, a)
		}
		if got := body(in.Get("/Calls?name=" + tc.name)); got != tc.calls {
			t.Errorf("%s ran %s times, want %s", tc.name, got, tc.calls)
		}
	}
}

// concurrently calls path n times at once and returns the statuses and the
// wall time.
func concurrently(in *microfntest.Instance, path string, n int) ([]int, time.Duration) {
	var wg sync.WaitGroup
	statuses := make([]int, n)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = in.Get(path).Status
		}()
	}
	wg.Wait()
	return statuses, time.Since(start)
}

// concurrentBodies makes n calls of path at once and returns their
// bodies, trimmed.
func concurrentBodies(in *microfntest.Instance, path string, n int) []string {
	var wg sync.WaitGroup
	bodies := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = strings.TrimSpace(in.Get(path).Body)
		}()
	}
	wg.Wait()
	return bodies
}

func TestScale(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	_, d1 := concurrently(in, "/Slow1", 5)
	if d1 < time.Second {
		t.Errorf("scale=1: 5 calls of 200ms took %s, want at least 1s (one at a time)", d1)
	}
	// scale=5: the 5 calls run at once (each waits until it meets the
	// others, or 10 seconds pass).
	for _, b := range concurrentBodies(in, "/Meet5", 5) {
		if b != "5" {
			t.Errorf("scale=5: a call of 5 saw at most %s of them run at once, want 5", b)
		}
	}
	statuses, _ := concurrently(in, "/Queue2", 5)
	rejected := 0
	for _, s := range statuses {
		if s == 429 {
			rejected++
		} else if s != 200 {
			t.Errorf("queue=2: unexpected status %d", s)
		}
	}
	if rejected != 2 {
		t.Errorf("queue=2, scale=1, 5 callers: %d got 429, want 2 (1 runs, 2 wait)", rejected)
	}
	r := in.Get("/Queue2")
	if r.Status != 200 {
		t.Errorf("after the burst: %d", r.Status)
	}
}

func Test429HasRetryAfter(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	var wg sync.WaitGroup
	var got429 microfntest.Response
	var mu sync.Mutex
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := in.Get("/Queue2")
			if r.Status == 429 {
				mu.Lock()
				got429 = r
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if got429.Status != 429 {
		t.Fatal("no call was rejected")
	}
	p := problem(t, got429)
	if got429.Header.Get("Retry-After") == "" || !strings.Contains(p.Detail, "Queue2") {
		t.Errorf("429 without Retry-After or naming the service: %v %+v", got429.Header, p)
	}
}

func TestReentrancy(t *testing.T) {
	t.Parallel()
	for _, monolith := range []bool{false, true} {
		t.Run(fmt.Sprintf("monolith=%v", monolith), func(t *testing.T) {
			t.Parallel()
			in := startPolicies(t, server.WithMonolith(monolith))
			if r := in.Get("/Fib?n=12"); r.Status != 200 || body(r) != "233" {
				t.Errorf("Fib(12) with scale=1 = %d %s, want 233", r.Status, r.Body)
			}
			if r := in.Get("/Ping?n=10"); r.Status != 200 || body(r) != "10" {
				t.Errorf("Ping/Pong cycle with scale=1 = %d %s, want 10", r.Status, r.Body)
			}
			// Two chains at once: the second waits its turn, both finish.
			statuses, _ := concurrently(in, "/Fib?n=8", 3)
			for _, s := range statuses {
				if s != 200 {
					t.Errorf("concurrent Fib chains: status %d", s)
				}
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	start := time.Now()
	r := in.Get("/TooSlow?d=600ms")
	took := time.Since(start)
	p := problem(t, r)
	if r.Status != 504 || !strings.Contains(p.Detail, "timeout of 100ms") {
		t.Errorf("TooSlow = %d %+v, want 504 naming the timeout", r.Status, p)
	}
	if took > 500*time.Millisecond {
		t.Errorf("the 504 took %s; it must come at the timeout, not when the function ends", took)
	}
	// The runaway still holds the only slot: another chain waits for it
	// rather than running alongside (no over-admission).
	start = time.Now()
	r = in.Get("/TooSlow?d=1ms")
	if r.Status != 200 {
		t.Errorf("call after the runaway = %d %s", r.Status, r.Body)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("second call ran after %s, while the runaway still held the slot", waited)
	}
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "runaway") })
		return n == 1, fmt.Sprintf("%d runaway lines", n)
	})
}
