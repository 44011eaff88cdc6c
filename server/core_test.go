package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// problem decodes a problem+json body, failing the test if it is not one.
func problem(t *testing.T, r microfntest.Response) server.Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (status %d, body %s)", ct, r.Status, r.Body)
	}
	var p server.Problem
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
		t.Fatalf("problem body %q: %v", r.Body, err)
	}
	if p.Status != r.Status || p.Title == "" || p.Detail == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, r.Status)
	}
	return p
}

func body(r microfntest.Response) string { return strings.TrimSpace(r.Body) }

func TestSeedExamples(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	tests := []struct {
		name, method, path, body, want string
	}{
		{"IsEven GET", "GET", "/IsEven?x=5", "", "false"},
		{"IsEven POST", "POST", "/IsEven", `{"x": 4}`, "true"},
		{"IsOdd", "GET", "/IsOdd?x=5", "", "true"},
		{"Fib", "GET", "/Fib?n=5", "", "8"},
		{"Factorial", "GET", "/Factorial?n=5", "", "120"},
		{"Area", "POST", "/Area", `{"r": {"min": {"x": 0, "y": 0}, "max": {"x": 2, "y": 3}}}`, "6"},
		{"Distance GET", "GET", "/Distance?a=" + url.QueryEscape(`{"x":0,"y":0}`) + "&b=" + url.QueryEscape(`{"x":3,"y":4}`), "", "5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := in.Do(tc.method, tc.path, "application/json", tc.body)
			if r.Status != 200 || body(r) != tc.want {
				t.Fatalf("%s %s = %d %s, want 200 %s", tc.method, tc.path, r.Status, r.Body, tc.want)
			}
			if r.Header.Get("Microfn-Attempts") != "1" {
				t.Errorf("Microfn-Attempts = %q, want 1", r.Header.Get("Microfn-Attempts"))
			}
		})
	}
}

func TestFibGoesThroughHTTP(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	r := in.Get("/Fib?n=10")
	if body(r) != "89" {
		t.Fatalf("Fib(10) = %s", r.Body)
	}
	// The first call comes over HTTP; the code runs the 176 nested ones
	// itself (its first attempt holds Fib's slot), and the server logs
	// them with via=worker, or via=process in process.
	nestedVia := "process"
	if len(in.Server.WorkerPIDs()) > 0 {
		nestedVia = "worker"
	}
	if n := in.Logs().HTTPCalls(); n != 1 {
		t.Errorf("Fib(10) made %d HTTP requests, want 1", n)
	}
	if n := in.Logs().Count(func(r microfntest.Record) bool { return r.Attrs["via"] == nestedVia && r.Attrs["depth"] != "0" }); n != 176 {
		t.Errorf("Fib(10) logged %d nested calls via %s, want 176", n, nestedVia)
	}
	// Every line of the tree carries the same trace id.
	traces := map[string]int{}
	for _, rec := range in.Logs().Records() {
		if rec.Attrs["via"] == "http" || rec.Attrs["via"] == nestedVia {
			traces[rec.Attrs["trace"]]++
		}
	}
	if len(traces) != 1 {
		t.Errorf("Fib(10) used %d trace ids, want 1: %v", len(traces), traces)
	}
}

func TestIsOddCallsIsEvenOverHTTP(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	if r := in.Get("/IsOdd?x=7"); body(r) != "true" {
		t.Fatalf("IsOdd(7) = %d %s", r.Status, r.Body)
	}
	nested := in.Logs().Count(func(r microfntest.Record) bool {
		return r.Attrs["via"] == "http" && strings.TrimSpace(r.Msg) == "POST /IsEven" && r.Attrs["depth"] == "1"
	})
	if nested != 1 {
		t.Errorf("IsOdd made %d nested POST /IsEven requests at depth 1, want 1", nested)
	}
}

func TestMonolithKeepsCallsInProcess(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithMonolith(true))
	for _, tc := range []struct{ path, want string }{{"/Fib?n=10", "89"}, {"/IsOdd?x=3", "true"}, {"/Factorial?n=6", "720"}} {
		path, want := tc.path, tc.want
		in.Logs().Reset()
		if r := in.Get(path); r.Status != 200 || body(r) != want {
			t.Fatalf("GET %s = %d %s, want %s", path, r.Status, r.Body, want)
		}
		if n := in.Logs().HTTPCalls(); n != 1 {
			t.Errorf("GET %s: %d HTTP requests, want 1 (nested calls in process)", path, n)
		}
	}
	// Factorial(6) makes 5 nested calls. A worker process's log lines
	// reach the server's log a moment after the answer.
	// Factorial's are the lines of its trace.
	var trace string
	for _, r := range in.Logs().Records() {
		if strings.TrimSpace(r.Msg) == "GET /Factorial?n=6" {
			trace = r.Attrs["trace"]
		}
	}
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		local := in.Logs().Count(func(r microfntest.Record) bool { return r.Attrs["via"] == "local" && r.Attrs["trace"] == trace })
		return trace != "" && local == 5, fmt.Sprintf("Factorial(6) (trace %q) logged %d in-process nested calls, want 5", trace, local)
	})
}

const nestedSrc = `package nested

import (
	"errors"
	"fmt"
)

//microfn:service retry=1
func Boom(x int) int { panic(fmt.Sprintf("boom %d", x)) }

//microfn:service retry=1
func Fail(x int) (int, error) { return 0, errors.New("fail on purpose") }

//microfn:service retry=1
func CallsBoom(x int) int { return Boom(x) + 1 }

//microfn:service retry=1
func CallsFail(x int) (int, error) {
	v, err := Fail(x)
	if err != nil {
		return 0, fmt.Errorf("calls fail: %w", err)
	}
	return v, nil
}

//microfn:service retry=1
func Forever(n int) int { return Forever(n+1) }
`

func TestNestedFailuresNameTheCallee(t *testing.T) {
	t.Parallel()
	for _, monolith := range []bool{false, true} {
		t.Run(fmt.Sprintf("monolith=%v", monolith), func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"nested.go": nestedSrc}, server.WithMonolith(monolith), server.WithMaxDepth(20))
			r := in.Get("/CallsBoom?x=3")
			p := problem(t, r)
			if r.Status != 500 || !strings.Contains(p.Detail, "Boom") || !strings.Contains(p.Detail, "boom 3") {
				t.Errorf("CallsBoom: %d %+v, want 500 naming Boom and its panic", r.Status, p)
			}
			r = in.Get("/CallsFail?x=3")
			p = problem(t, r)
			// An error the callee returned keeps its text, as in Go; the
			// problem names the callee.
			if r.Status != 500 || p.Service != "Fail" || p.Detail != "calls fail: fail on purpose" || p.Returned == nil {
				t.Errorf("CallsFail: %d %+v, want 500 naming Fail, with Go's text of the error", r.Status, p)
			}
			r = in.Get("/Forever?n=0")
			p = problem(t, r)
			if r.Status != 508 || !strings.Contains(p.Detail, "depth") {
				t.Errorf("Forever: %d %+v, want 508 about the depth limit", r.Status, p)
			}
			// The server is still up.
			if r := in.Get("/Fail?x=1"); r.Status != 500 {
				t.Errorf("after failures: %d", r.Status)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"nested.go": nestedSrc, "math.go": `package nested

// Add adds.
//
//microfn:service
func Add(a, b int) int { return a + b }
`}, server.WithBodyLimit(1024))
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		detail                          []string
	}{
		{"malformed JSON", "POST", "/Add", "application/json", `{"a": 1,`, 400, []string{"malformed JSON"}},
		{"not an object", "POST", "/Add", "application/json", `[1, 2]`, 400, []string{"JSON object"}},
		{"missing param", "GET", "/Add?a=1", "", "", 400, []string{`"b"`, "missing", "int"}},
		{"unknown param", "POST", "/Add", "application/json", `{"a": 1, "b": 2, "c": 3}`, 400, []string{`"c"`, "unknown", "a int, b int"}},
		{"wrong type", "POST", "/Add", "application/json", `{"a": "one", "b": 2}`, 400, []string{`"a"`, "want int"}},
		{"wrong type query", "GET", "/Add?a=1.5&b=2", "", "", 400, []string{`"a"`, "want int"}},
		{"overflow", "GET", "/Add?a=99999999999999999999&b=2", "", "", 400, []string{`"a"`, "out of range"}},
		{"unknown function", "GET", "/Ad?a=1", "", "", 404, []string{"/Ad", "/Add"}},
		{"wrong method", "PUT", "/Add", "", "", 405, []string{"PUT"}},
		{"body too large", "POST", "/Add", "application/json", `{"a": 1, "b": 2, "pad": "` + strings.Repeat("x", 2000) + `"}`, 413, []string{"1024"}},
		{"returned error", "GET", "/Fail?x=1", "", "", 500, []string{"fail on purpose"}},
		{"panic", "GET", "/Boom?x=7", "", "", 500, []string{"boom 7"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := in.Do(tc.method, tc.path, tc.ctype, tc.body)
			if r.Status != tc.status {
				t.Fatalf("%s %s = %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
			}
			p := problem(t, r)
			for _, want := range tc.detail {
				if !strings.Contains(p.Detail, want) {
					t.Errorf("detail %q does not mention %q", p.Detail, want)
				}
			}
			if strings.Contains(r.Body, "goroutine") || strings.Contains(r.Body, ".go:") {
				t.Errorf("response leaks a stack trace or source position: %s", r.Body)
			}
		})
	}
	if r := in.Get("/Add?a=1&b=2"); body(r) != "3" {
		t.Fatalf("server unusable after errors: %d %s", r.Status, r.Body)
	}
	if got := in.Do("PUT", "/Add", "", "").Header.Get("Allow"); got != "GET, POST" {
		t.Errorf("405 Allow = %q", got)
	}
}
