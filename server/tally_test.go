package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// callsSrc is a caller and its callee; v changes with each version.
func callsSrc(v int) string {
	return fmt.Sprintf(`package calls

//microfn:service
func Inner(x int) int { return x + %d }

//microfn:service
func Outer(x int) int { return Inner(x) * 2 }
`, v)
}

// TestMetricsSurviveReload: the call counters and the nested-call graph,
// keyed by route, go on counting across versions of a package (each a
// new worker): through the server, and with --monolith, where the nested
// calls run in the worker, whose last counts the server reads before the
// worker of a retired version ends.
func TestMetricsSurviveReload(t *testing.T) {
	t.Parallel()
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"calls/calls.go": callsSrc(1)}, append([]server.Option{server.WithQuiet(true)}, m.opts...)...)
			for range 3 {
				if r := in.Get("/calls/Outer?x=1"); body(r) != "4" {
					t.Fatalf("Outer = %d %s", r.Status, r.Body)
				}
			}
			in.Write("calls/calls.go", callsSrc(2))
			in.WaitBody("/calls/Outer?x=1", "6", 60*time.Second)
			// WaitBody called Outer some times more: count from here.
			f := scrape(t, in)
			nested := value(f, "microfn_nested_calls_total", map[string]string{"caller": "/calls/Outer", "callee": "/calls/Inner", "code": "200"})
			outer := value(f, "microfn_calls_total", map[string]string{"service": "/calls/Outer", "code": "200", "via": "http"})
			if nested < 4 || outer < 4 || nested != outer {
				t.Errorf("after a reload: %v nested calls of Inner by Outer and %v calls of Outer; want as many, 4 or more", nested, outer)
			}
			for range 2 {
				in.Get("/calls/Outer?x=1")
			}
			in.Write("calls/calls.go", callsSrc(3))
			in.WaitBody("/calls/Outer?x=1", "8", 60*time.Second)
			f = scrape(t, in)
			n2 := value(f, "microfn_nested_calls_total", map[string]string{"caller": "/calls/Outer", "callee": "/calls/Inner", "code": "200"})
			o2 := value(f, "microfn_calls_total", map[string]string{"service": "/calls/Outer", "code": "200", "via": "http"})
			if n2 < nested+3 || o2 < outer+3 || n2 != o2 {
				t.Errorf("after another reload: %v nested calls (%v before) and %v calls of Outer (%v before); want both to grow by 3 or more, alike", n2, nested, o2, outer)
			}
		})
	}
}
