package server_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// admitSrc: Hold and Wait run one chain at a time; each answers when it
// ended (Unix nanoseconds), and Running says how many run in the process.
const admitSrc = `package hold

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/microfn/microfn"
)

var running atomic.Int64

func sleep(ms int) int64 {
	running.Add(1)
	defer running.Add(-1)
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return time.Now().UnixNano()
}

//microfn:service scale=1 queue=0 timeout=10s retry=1
func Hold(ms int) int64 { return sleep(ms) }

//microfn:service scale=1 queue=1 timeout=10s retry=1
func Wait(ms int) int64 { return sleep(ms) }

//microfn:service scale=1 queue=1 timeout=1s retry=1
func Nap(ms int) int64 { return sleep(ms) }

// Outer calls Wait in the chain of its own call.
//
//microfn:service timeout=10s retry=1
func Outer() (int64, error) { return Wait(0), nil }

// Busy answers 429 itself.
//
//microfn:service retry=1
func Busy() error { return microfn.Error(429, "busy: %w", errors.New("try later")) }

//microfn:service
func Running() int64 { return running.Load() }
`

// startAdmit serves admitSrc in a worker process of its own, whatever
// the isolation of the run: its host admits the calls.
func startAdmit(t *testing.T, opts ...server.Option) *microfntest.Instance {
	t.Helper()
	opts = append([]server.Option{server.WithIsolation(server.IsolatePackage)}, opts...)
	return microfntest.Start(t, map[string]string{"hold/hold.go": admitSrc}, opts...)
}

// holding starts a call of path that runs for ms in the background and
// returns once it runs; the channel has its answer.
func holding(t *testing.T, in *microfntest.Instance, path string, ms int) <-chan microfntest.Response {
	t.Helper()
	done := make(chan microfntest.Response, 1)
	go func() { done <- in.Get(path + "?ms=" + strconv.Itoa(ms)) }()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		r := in.Get("/hold/Running")
		return strings.TrimSpace(r.Body) == "1", "Running = " + r.Body + ", want 1"
	})
	return done
}

// endedAt reads the answer of Hold or Wait: when the call ended.
func endedAt(t *testing.T, r microfntest.Response) int64 {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("call = %d %s, want 200", r.Status, r.Body)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(r.Body), 10, 64)
	if err != nil {
		t.Fatalf("answer %q: %v", r.Body, err)
	}
	return n
}

// accessLine returns the attributes of the last access line of a call
// of route, or nil.
func accessLine(in *microfntest.Instance, route string) map[string]string {
	var last map[string]string
	for _, r := range in.Logs().Records() {
		if r.Attrs["via"] == "http" && strings.HasSuffix(r.Msg, " "+route) {
			last = r.Attrs
		}
	}
	return last
}

// TestWorkerAdmission: the worker that runs a service admits its calls
// under its concurrency limit as the server did: a full queue answers
// the limiter's 429, counted as rejected (a service's own 429 is not); a
// call that waits is counted as waiting and its access line says how
// long it waited; a call made in the worker (--monolith) waits for the
// same slot as the calls the server sends.
func TestWorkerAdmission(t *testing.T) {
	t.Parallel()
	t.Run("queue full", func(t *testing.T) {
		t.Parallel()
		in := startAdmit(t)
		first := holding(t, in, "/hold/Hold", 1000)
		r := in.Get("/hold/Hold?ms=0")
		p := problem(t, r)
		if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "1" || !strings.Contains(p.Detail, "Hold") || p.Instance != "/hold/Hold" {
			t.Errorf("second Hold = %d %v %+v, want the limiter's 429", r.Status, r.Header, p)
		}
		if r := in.Get("/hold/Busy"); r.Status != http.StatusTooManyRequests {
			t.Errorf("Busy = %d, want its own 429", r.Status)
		}
		endedAt(t, <-first)
		m := scrape(t, in)
		if got := value(m, "microfn_rejected_total", map[string]string{"service": "/hold/Hold"}); got != 1 {
			t.Errorf("microfn_rejected_total of Hold = %v, want 1", got)
		}
		if got := value(m, "microfn_rejected_total", map[string]string{"service": "/hold/Busy"}); got != 0 {
			t.Errorf("microfn_rejected_total of Busy = %v, want 0: its 429 is its own", got)
		}
	})
	t.Run("wait", func(t *testing.T) {
		t.Parallel()
		in := startAdmit(t)
		first := holding(t, in, "/hold/Wait", 1000)
		second := make(chan microfntest.Response, 1)
		go func() { second <- in.Get("/hold/Wait?ms=0") }()
		microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
			got := value(scrape(t, in), "microfn_waiting", map[string]string{"service": "/hold/Wait"})
			return got == 1, "microfn_waiting of Wait = " + strconv.FormatFloat(got, 'g', -1, 64) + ", want 1"
		})
		a, b := endedAt(t, <-first), endedAt(t, <-second)
		if b < a {
			t.Errorf("the second call of Wait ended %s before the first: it did not wait", time.Duration(a-b))
		}
		microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
			line := accessLine(in, "/hold/Wait?ms=0")
			if line == nil {
				return false, "no access line of the second call"
			}
			w, err := time.ParseDuration(line["wait"])
			return err == nil && w > 0, "wait=" + line["wait"] + ", want the time it waited"
		})
	})
	t.Run("deadline while waiting", func(t *testing.T) {
		t.Parallel()
		in := startAdmit(t)
		first := holding(t, in, "/hold/Wait", 1500)
		req, err := http.NewRequest(http.MethodGet, in.URL+"/hold/Wait?ms=0", nil)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		req.Header.Set(protocol.HeaderDeadline, strconv.FormatInt(start.Add(300*time.Millisecond).UnixNano(), 10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if took := time.Since(start); resp.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), "waiting for a free slot") || took > time.Second {
			t.Errorf("a call whose deadline passed while it waited = %d %s after %s, want 504 at its deadline (300ms)", resp.StatusCode, b, took)
		}
		endedAt(t, <-first)
		m := scrape(t, in)
		for _, name := range []string{"microfn_runaways_total", "microfn_timeouts_total"} {
			if got := value(m, name, map[string]string{"service": "/hold/Wait"}); got != 0 {
				t.Errorf("%s of Wait = %v, want 0: the call that waited never ran", name, got)
			}
		}
	})
	t.Run("monolith", func(t *testing.T) {
		t.Parallel()
		in := startAdmit(t, server.WithMonolith(true))
		first := holding(t, in, "/hold/Wait", 1000)
		r := in.Get("/hold/Outer")
		a, b := endedAt(t, <-first), endedAt(t, r)
		if b < a {
			t.Errorf("Outer's call of Wait ended %s before the call that held Wait's slot", time.Duration(a-b))
		}
	})
}

// TestReloadAdmitsNoExtraChain: a reload under scale=1 admits no other
// chain while the previous version still runs one, though the new
// version runs in a new worker.
func TestReloadAdmitsNoExtraChain(t *testing.T) {
	t.Parallel()
	in := startAdmit(t)
	first := holding(t, in, "/hold/Wait", 2000)
	in.Write("hold/hold.go", admitSrc+"\n// Reloaded.\n")
	microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool { return strings.HasPrefix(r.Msg, "reloaded ") })
		return n > 0, "no reload yet"
	})
	r := in.Get("/hold/Wait?ms=0")
	a, b := endedAt(t, <-first), endedAt(t, r)
	if b < a {
		t.Errorf("a call of the new version ended %s before the old version's call ended: two chains ran at once under scale=1", time.Duration(a-b))
	}
}

// TestAdmittedTimeoutFromSlot: an attempt its worker admits has the
// service's timeout (1s) from the moment it got its slot, as when the
// server admits it: one that waited behind a call in time, or behind a
// runaway, is not answered 504 for the time it waited, and its access
// line says how long that was.
func TestAdmittedTimeoutFromSlot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		first       int // ms the call that holds the slot runs
		firstStatus int
		second      int           // ms the call that waits runs
		minWait     time.Duration // the second call waited at least
	}{
		{"behind a call in time", 700, http.StatusOK, 600, 400 * time.Millisecond},
		{"behind a runaway", 1600, http.StatusGatewayTimeout, 0, 500 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := startAdmit(t)
			first := holding(t, in, "/hold/Nap", tc.first)
			path := "/hold/Nap?ms=" + strconv.Itoa(tc.second)
			r := in.Get(path)
			if r.Status != http.StatusOK {
				t.Fatalf("the call that waited = %d %s, want 200: its own run (%dms) is within the timeout", r.Status, r.Body, tc.second)
			}
			if f := <-first; f.Status != tc.firstStatus {
				t.Errorf("the call that held the slot = %d %s, want %d", f.Status, f.Body, tc.firstStatus)
			}
			microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
				line := accessLine(in, path)
				if line == nil {
					return false, "no access line of the call that waited"
				}
				w, err := time.ParseDuration(line["wait"])
				return err == nil && w >= tc.minWait, "wait=" + line["wait"] + ", want at least " + tc.minWait.String()
			})
		})
	}
}
