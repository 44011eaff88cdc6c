package server_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// probeSrc is the source of package pkg with a service name that sleeps
// ms milliseconds and reports how many of its executions ran at once, at
// most, so far, under the policy options given.
func probeSrc(pkg, name, options string) string {
	return "package " + pkg + `

import (
	"sync/atomic"
	"time"
)

var running, most atomic.Int64

// ` + name + ` sleeps and reports the most executions at once.
//
//microfn:service ` + options + `
func ` + name + `(ms int) int64 {
	n := running.Add(1)
	defer running.Add(-1)
	for {
		m := most.Load()
		if n <= m || most.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return most.Load()
}
`
}

// trustSrc: Narrow may run one call chain at a time.
var trustSrc = probeSrc("trust", "Narrow", "scale=1 retry=1 timeout=5s") + `
//microfn:service timeout=150ms retry=1 scale=4
func Slow() int { time.Sleep(2 * time.Second); return 1 }

//microfn:service
func One() int { return 1 }
`

// forged sends GET path with headers a client made up.
func forged(t *testing.T, in *microfntest.Instance, path string, headers map[string]string) (microfntest.Response, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, in.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = io.Copy(&b, resp.Body)
	return microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: b.String()}, time.Since(start)
}

// TestForgedChainHeaders: headers any client can send do not place a
// request in another call chain, turn off its timeout or set its depth.
func TestForgedChainHeaders(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"trust.go": trustSrc}, server.WithQuiet(true))
	const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

	t.Run("traceparent does not jump the queue", func(t *testing.T) {
		// 8 requests claim one trace: with scale=1 they must still run
		// one at a time.
		var wg sync.WaitGroup
		results := make([]string, 8)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _ := forged(t, in, "/Narrow?ms=50", map[string]string{"traceparent": traceparent})
				results[i] = body(r)
			}()
		}
		wg.Wait()
		for _, r := range results {
			if r != "1" {
				t.Fatalf("with a shared traceparent, %s executions of a scale=1 service ran at once (answers %v)", r, results)
			}
		}
	})

	t.Run("Microfn-Proxied does not turn the timeout off", func(t *testing.T) {
		r, took := forged(t, in, "/Slow", map[string]string{"Microfn-Proxied": "1", "traceparent": traceparent})
		if r.Status != http.StatusGatewayTimeout || took > time.Second {
			t.Fatalf("Slow with Microfn-Proxied: %d after %s, want 504 at its 150ms timeout", r.Status, took)
		}
	})

	t.Run("Microfn-Depth counts from the request", func(t *testing.T) {
		r, _ := forged(t, in, "/One", map[string]string{"Microfn-Depth": "1000", "traceparent": traceparent})
		if r.Status != 200 {
			t.Fatalf("One with a forged depth = %d %s, want 200", r.Status, r.Body)
		}
	})

	t.Run("a made-up signature is not one", func(t *testing.T) {
		r, took := forged(t, in, "/Slow", map[string]string{
			"Microfn-Proxied": "1",
			"traceparent":     traceparent,
			"Microfn-Depth":   "3",
			"Microfn-Chain":   "0af7651916cd43dd8448eb211c80319c.AAAAAAAAAAAAAAAAAAAAAA",
			"Microfn-Deadline": func() string {
				return time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
			}(),
		})
		if r.Status != http.StatusGatewayTimeout || took > time.Second {
			t.Fatalf("Slow with a forged chain: %d after %s, want 504 at its timeout", r.Status, took)
		}
	})

	// The trace id is kept for logs and tracing.
	r, _ := forged(t, in, "/One", map[string]string{"traceparent": traceparent})
	if r.Status != 200 {
		t.Fatalf("One = %d", r.Status)
	}
}

// overrunSrc: Stuck overruns its timeout; retries must not run beside the
// overrunning execution (scale=1).
var overrunSrc = probeSrc("overrun", "Stuck", "scale=1 timeout=100ms retry=2 base=1ms") + `
//microfn:service retry=1 timeout=5s
func Outer(ms int) (int64, error) { return StuckE(ms) }

//microfn:service scale=1 timeout=100ms retry=2 base=1ms
func StuckE(ms int) (int64, error) { return Stuck(ms), nil }
`

// TestRetryWaitsForOverrun: a retry after a timeout waits for the slot
// the overrunning attempt still holds, on the server and through a proxy:
// a scale=1 service never runs two executions at once.
func TestRetryWaitsForOverrun(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"overrun.go": overrunSrc}, server.WithQuiet(true))
	if r := in.Get("/Stuck?ms=300"); r.Status != http.StatusGatewayTimeout {
		t.Fatalf("Stuck = %d %s, want 504 after two overrunning attempts", r.Status, r.Body)
	}
	in.WaitBody("/Stuck?ms=0", "1", 10*time.Second)
	if r := in.Get("/Outer?ms=300"); r.Status == 200 {
		t.Fatalf("Outer = %d %s, want its nested call to time out", r.Status, r.Body)
	}
	in.WaitBody("/Stuck?ms=0", "1", 10*time.Second)
}
