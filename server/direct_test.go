package server_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
)

// directSrc calls itself in every way the direct path takes (a nested
// call whose callee this worker runs, and whose slot an ancestor attempt
// holds) and every way it does not.
const directSrc = `package rec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn"
)

var (
	mu   sync.Mutex
	runs = map[string]int{}
)

func count(name string) int {
	mu.Lock()
	defer mu.Unlock()
	runs[name]++
	return runs[name]
}

//microfn:service scale=1
func Fib(n int) int {
	if n < 2 {
		return 1
	}
	return Fib(n-1) + Fib(n-2)
}

// Loop calls itself without end.
//
//microfn:service
func Loop(n int) (int, error) { return Loop(n + 1) }

// Outer calls Rec, which calls itself, its innermost call sleeping past
// Rec's timeout: Outer goes on with the error.
//
//microfn:service timeout=10s
func Outer(d time.Duration) string {
	_, err := Rec(1, d)
	return fmt.Sprintf("outer went on: %d", microfn.StatusOf(err))
}

//microfn:service timeout=300ms retry=1
func Rec(n int, d time.Duration) (string, error) {
	if n == 0 {
		time.Sleep(d)
		count("slept")
		return "slept", nil
	}
	return Rec(n-1, d)
}

// Runs reports how many times name ran.
//
//microfn:service
func Runs(name string) int {
	mu.Lock()
	defer mu.Unlock()
	return runs[name]
}

// Flaky's innermost call always fails: the proxy tries it as its
// retries allow.
//
//microfn:service retry=3 base=1ms cap=2ms
func Flaky(n int) (string, error) {
	if n == 0 {
		count("Flaky0")
		return "", errors.New("always fails")
	}
	_, err := Flaky(n - 1)
	mu.Lock()
	defer mu.Unlock()
	return fmt.Sprintf("%d %d", runs["Flaky0"], microfn.StatusOf(err)), nil
}

var ErrNegative = errors.New("negative")

// Check returns ErrNegative below 0, panics at 0, and at 1 reports what
// it got of both from itself.
//
//microfn:service retry=1
func Check(n int) (string, error) {
	switch {
	case n < 0:
		return "", ErrNegative
	case n == 0:
		panic("boom at zero")
	case n == 1:
		_, neg := Check(-1)
		_, pan := Check(0)
		return fmt.Sprintf("is=%v neg=%d panic=%d boom=%v", errors.Is(neg, ErrNegative), microfn.StatusOf(neg), microfn.StatusOf(pan), pan != nil && strings.Contains(pan.Error(), "boom at zero")), nil
	}
	return Check(n - 1)
}

// Info reports the request its innermost call reads.
//
//microfn:service
func Info(ctx context.Context, n int) string {
	if n == 0 {
		r, ok := microfn.RequestOf(ctx)
		if !ok {
			return "no request"
		}
		return fmt.Sprintf("%s %s %d %v", r.Method, r.Route, r.Depth, len(r.Trace) == 32)
	}
	return Info(ctx, n-1)
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

// Walk calls itself down to 0, then Hold, another scale=1 service.
//
//microfn:service scale=1
func Walk(n int) (string, error) {
	if n == 0 {
		return Hold(0)
	}
	return Walk(n - 1)
}

//microfn:service scale=1 timeout=10s
func Hold(d time.Duration) (string, error) {
	time.Sleep(d)
	return "held", nil
}
`

// text returns the string a service answered, unquoted.
func text(r microfntest.Response) string {
	s, err := strconv.Unquote(body(r))
	if err != nil {
		return body(r)
	}
	return s
}

func startDirect(t *testing.T) *microfntest.Instance {
	t.Helper()
	return microfntest.Start(t, map[string]string{"rec.go": directSrc})
}

// nestedVia is the via of the nested calls the direct path would take:
// worker with workers, process in process.
func nestedVia(in *microfntest.Instance) string {
	if len(in.Server.WorkerPIDs()) > 0 {
		return "worker"
	}
	return "process"
}

// accessLines returns the access lines of nested calls of route: those
// with a depth above 0.
func accessLines(in *microfntest.Instance, route string) []microfntest.Record {
	var out []microfntest.Record
	for _, r := range in.Logs().Records() {
		if strings.TrimSpace(r.Msg) == "POST "+route && r.Attrs["depth"] != "" && r.Attrs["depth"] != "0" {
			out = append(out, r)
		}
	}
	return out
}

func TestDirectRecursion(t *testing.T) {
	t.Parallel()
	in := startDirect(t)
	before := scrape(t, in)
	if r := in.Get("/Fib?n=10"); r.Status != 200 || body(r) != "89" {
		t.Fatalf("Fib(10) = %d %s, want 89", r.Status, r.Body)
	}
	after := scrape(t, in)
	labels := map[string]string{"caller": "/Fib", "callee": "/Fib", "code": "200"}
	if got := value(after, "microfn_nested_calls_total", labels) - value(before, "microfn_nested_calls_total", labels); got != 176 {
		t.Errorf("microfn_nested_calls_total%v moved by %v, want 176", labels, got)
	}
	calls := map[string]string{"service": "/Fib", "code": "200"}
	if got := value(after, "microfn_calls_total", calls) - value(before, "microfn_calls_total", calls); got != 177 {
		t.Errorf("microfn_calls_total%v moved by %v, want 177", calls, got)
	}
	hist := map[string]string{"service": "/Fib"}
	if got := value(after, "microfn_call_duration_seconds", hist) - value(before, "microfn_call_duration_seconds", hist); got != 177 {
		t.Errorf("microfn_call_duration_seconds%v counted %v calls, want 177", hist, got)
	}
	lines := accessLines(in, "/Fib")
	if len(lines) != 176 {
		t.Fatalf("%d access lines of nested calls of /Fib, want 176", len(lines))
	}
	via, depths, traces := nestedVia(in), map[int]int{}, map[string]bool{}
	for _, l := range lines {
		d, err := strconv.Atoi(l.Attrs["depth"])
		if err != nil {
			t.Fatalf("line %q: depth %q", l.Msg, l.Attrs["depth"])
		}
		depths[d]++
		traces[l.Attrs["trace"]] = true
		if l.Attrs["via"] != via || l.Attrs["status"] != "200" || l.Attrs["attempts"] != "1" {
			t.Errorf("line %q %v: want via=%s status=200 attempts=1", l.Msg, l.Attrs, via)
		}
		if indent := len(l.Msg) - len(strings.TrimLeft(l.Msg, " ")); indent != 2*d {
			t.Errorf("line %q at depth %d is indented by %d, want %d", l.Msg, d, indent, 2*d)
		}
	}
	// Fib(10) calls Fib(9) and Fib(8): two calls at depth 1; the
	// deepest are Fib(1) and Fib(0) at depth 9, by way of Fib(2).
	if depths[1] != 2 || depths[9] != 2 || depths[10] != 0 {
		t.Errorf("calls by depth %v, want 2 at depth 1, 2 at depth 9, none deeper", depths)
	}
	if len(traces) != 1 {
		t.Errorf("the nested calls carry %d trace ids, want 1", len(traces))
	}
}

func TestDirectAnswers(t *testing.T) {
	t.Parallel()
	in := startDirect(t)
	tests := []struct {
		name, path string
		status     int
		want       string
	}{
		{"unbounded recursion", "/Loop?n=0", 508, ""},
		{"callee past its timeout", "/Outer?d=1s", 200, "outer went on: 504"},
		{"retries of a failing callee", "/Flaky?n=1", 200, "3 500"},
		{"error identity and panic", "/Check?n=3", 200, "is=true neg=500 panic=500 boom=true"},
		{"request info", "/Info?n=2", 200, "POST /Info 2 true"},
		{"A calls B calls A", "/Ping?n=6", 200, "6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := in.Get(tc.path)
			if r.Status != tc.status || tc.want != "" && text(r) != tc.want {
				t.Fatalf("GET %s = %d %s, want %d %s", tc.path, r.Status, r.Body, tc.status, tc.want)
			}
		})
	}
	waitSlept(t, in, 1)
}

// waitSlept waits until Rec's innermost call has slept n times: the
// executions that overran have ended.
func waitSlept(t *testing.T, in *microfntest.Instance, n int) {
	t.Helper()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		r := in.Get("/Runs?name=slept")
		return body(r) == strconv.Itoa(n), "Rec(0) has slept " + body(r) + " times, want " + strconv.Itoa(n)
	})
}

func TestDirectCounts(t *testing.T) {
	t.Parallel()
	in := startDirect(t)
	before := scrape(t, in)
	if r := in.Get("/Flaky?n=1"); text(r) != "3 500" {
		t.Fatalf("Flaky(1) = %d %s, want 3 500", r.Status, r.Body)
	}
	if r := in.Get("/Outer?d=1s"); text(r) != "outer went on: 504" {
		t.Fatalf("Outer = %d %s", r.Status, r.Body)
	}
	waitSlept(t, in, 1)
	if r := in.Get("/Ping?n=6"); body(r) != "6" {
		t.Fatalf("Ping(6) = %d %s", r.Status, r.Body)
	}
	after := scrape(t, in)
	delta := func(name string, labels map[string]string) float64 {
		return value(after, name, labels) - value(before, name, labels)
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		// One call of Flaky(0) by Flaky(1), which failed, tried 3 times.
		{"microfn_nested_calls_total", map[string]string{"caller": "/Flaky", "callee": "/Flaky", "code": "500"}, 1},
		{"microfn_call_retries_total", map[string]string{"service": "/Flaky"}, 2},
		{"microfn_calls_total", map[string]string{"service": "/Flaky", "code": "500"}, 3},
		{"microfn_nested_calls_total", map[string]string{"caller": "/Ping", "callee": "/Pong", "code": "200"}, 3},
		{"microfn_nested_calls_total", map[string]string{"caller": "/Pong", "callee": "/Ping", "code": "200"}, 3},
	}
	for _, c := range checks {
		if got := delta(c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Outer's call of Rec(1) and Rec(1)'s of Rec(0) count once each:
	// through the server, an attempt that overran counts when its
	// execution ends; run in the worker, when its caller has the 504.
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		now := scrape(t, in)
		outer := value(now, "microfn_nested_calls_total", map[string]string{"caller": "/Outer", "callee": "/Rec"}) - value(before, "microfn_nested_calls_total", map[string]string{"caller": "/Outer", "callee": "/Rec"})
		rec := value(now, "microfn_nested_calls_total", map[string]string{"caller": "/Rec", "callee": "/Rec"}) - value(before, "microfn_nested_calls_total", map[string]string{"caller": "/Rec", "callee": "/Rec"})
		return outer == 1 && rec == 1, fmt.Sprintf("nested calls of Rec counted: %v by Outer, %v by Rec; want 1 and 1", outer, rec)
	})
	// Ping → Pong is the first entry of the chain into Pong: through the
	// server. The other calls have an ancestor holding their slot.
	via := map[string]int{}
	for _, route := range []string{"/Ping", "/Pong"} {
		for _, l := range accessLines(in, route) {
			via[l.Attrs["via"]]++
		}
	}
	want := map[string]int{"http": 1, nestedVia(in): 5}
	if len(via) != len(want) || via["http"] != want["http"] || via[nestedVia(in)] != want[nestedVia(in)] {
		t.Errorf("Ping(6)'s nested calls went via %v, want %v", via, want)
	}
}

func TestDirectScale(t *testing.T) {
	t.Parallel()
	in := startDirect(t)
	// Two chains through a scale=1 recursive service both complete: the
	// second waits for the first's slot, at its first entry.
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if r := in.Get("/Fib?n=12"); body(r) != "233" {
				t.Errorf("Fib(12) = %d %s, want 233", r.Status, r.Body)
			}
		})
	}
	wg.Wait()
	// A chain holding Walk's slot waits, through the server, for a
	// different scale=1 service another chain holds.
	done := make(chan microfntest.Response, 1)
	go func() { done <- in.Get("/Hold?d=600ms") }()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		v := value(scrape(t, in), "microfn_in_flight", map[string]string{"service": "/Hold"})
		return v == 1, "Hold is not running"
	})
	if r := in.Get("/Walk?n=3"); text(r) != "held" {
		t.Errorf("Walk(3) = %d %s, want held", r.Status, r.Body)
	}
	if r := <-done; text(r) != "held" {
		t.Errorf("Hold = %d %s, want held", r.Status, r.Body)
	}
	lines := accessLines(in, "/Hold")
	if len(lines) != 1 {
		t.Fatalf("%d access lines of nested calls of /Hold, want 1", len(lines))
	}
	wait, err := time.ParseDuration(lines[0].Attrs["wait"])
	if lines[0].Attrs["via"] != "http" || err != nil || wait <= 0 {
		t.Errorf("Walk's call of Hold: via=%s wait=%s; want via=http, a wait for the other chain's slot", lines[0].Attrs["via"], lines[0].Attrs["wait"])
	}
	// Walk(0), run in the worker at depth 3, called Hold through the
	// server on behalf of Walk(3)'s attempt: at its true depth.
	if d := lines[0].Attrs["depth"]; d != "4" {
		t.Errorf("Walk's call of Hold is at depth %s, want 4", d)
	}
}
