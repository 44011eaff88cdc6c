package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain makes the test binary a load generator when the tool starts
// it as one (see loadgenMain), as main does for the tool.
func TestMain(m *testing.M) {
	if os.Getenv(loadgenEnv) == "1" {
		os.Exit(loadgenMain(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// TestSmoke runs the whole benchmark in --smoke mode: it builds microfn and
// the baseline, runs every scenario with tiny loads and checks that every
// server answered correctly and that the report was written.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and loads them for a few seconds; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(ctx, []string{"--smoke", "--out", out}, &stdout, &stderr)
	t.Logf("smoke run took %s; progress:\n%s", time.Since(start).Round(time.Millisecond), stderr.String())
	if code != 0 {
		t.Fatalf("exit code %d; stdout:\n%s", code, stdout.String())
	}
	report, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Goals", "## 1. Direct calls", "## 2. Nested calls", "## 3. Memory", "## 4. Restart after a crash", "## 5. Interpreter cost", "## 6. Policy machinery", "## 7. Live reload", "## 8. Start-up", "IsEven GET", "Smoke run",
		"| IsEven GET | microfn --isolate=package |", "| IsEven GET | microfn --isolate=none |", "a fasthttp client in a separate process",
		"| --isolate=package | 3 | 4 |", "| first in its window | 2 |", "| second within 30s (backoff) | 2 |", "| --isolate=package | 10 |", "| --isolate=none | 10 |"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(string(report), os.TempDir()+"/") {
		t.Errorf("the report holds a temporary path:\n%s", report)
	}
}

// TestSmokePeer: --peer-cmd adds another server, started from a shell
// command with {addr} filled in, as a column of the direct and nested
// tables; here the peer is a second copy of the baseline.
func TestSmokePeer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers and loads them for a few seconds; skipped with -short")
	}
	peer := filepath.Join(t.TempDir(), "peer")
	if out, err := exec.Command("go", "build", "-o", peer, "./baseline").CombinedOutput(); err != nil {
		t.Fatalf("build the peer: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"--smoke", "--scenarios", "direct,nested", "--out", out, "--peer-cmd", peer + " --addr {addr}"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	report, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| IsEven GET | peer |", "| peer |"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
}

func TestParseWrk(t *testing.T) {
	out := `Running 1s test @ http://127.0.0.1:1/IsEven?x=5
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.10ms  300.00us   5.00ms   90.00%
    Req/Sec    50.00k     1.00k   52.00k    80.00%
  Latency Distribution
     50%  1.00ms
     75%  1.20ms
     90%  1.50ms
     99%  850.00us
  50000 requests in 1.00s, 5.00MB read
  Non-2xx or 3xx responses: 10
Requests/sec:  50000.00
Transfer/sec:      5.00MB
`
	r := parseWrk(out, loadResult{})
	if r.requests != 50000 || r.errors != 10 || r.p50 != time.Millisecond || r.p99 != 850*time.Microsecond || r.rps != 49990 {
		t.Errorf("parseWrk = %+v", r)
	}
}

func TestQuantile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	if q := quantile(ds, 0.5); q != 3 {
		t.Errorf("p50 = %d, want 3", q)
	}
	if q := quantile(ds, 0.99); q != 5 {
		t.Errorf("p99 = %d, want 5", q)
	}
	if m := medianDur([]time.Duration{4, 1, 3, 2}); m != 2 {
		t.Errorf("median = %d, want 2 (2.5 truncated)", m)
	}
}

func TestCommandLine(t *testing.T) {
	got := commandLine([]string{"--out", "/m/docs/benchmarks.md", "--peer-cmd", "srv --addr {addr}", "--out=/elsewhere/x.md"}, "/m")
	want := "go run ./bench --out docs/benchmarks.md --peer-cmd 'srv --addr {addr}' --out=x.md"
	if got != want {
		t.Errorf("commandLine = %s, want %s", got, want)
	}
}

func TestAnnotation(t *testing.T) {
	if got := annotation("Bare"); got != "retry=1 scale=1000000 queue=0" {
		t.Errorf(`annotation("Bare") = %q`, got)
	}
	if got := annotation("IsEven"); got != "retry=3 scale=64" {
		t.Errorf(`annotation("IsEven") = %q`, got)
	}
	if got := annotation("Nope"); got != "" {
		t.Errorf(`annotation("Nope") = %q`, got)
	}
}

// TestVegetaLoadBounded checks that a load stops at maxRequests even when
// its duration is far from over, and that wrong bodies count as errors.
func TestVegetaLoadBounded(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("x") == "5" {
			io.WriteString(w, "false\n")
			return
		}
		io.WriteString(w, "true\n")
	}))
	defer srv.Close()
	defer func(n int64) { maxRequests = n }(maxRequests)
	maxRequests = 300
	start := time.Now()
	r := vegetaLoad(context.Background(), srv.URL, target{method: "GET", path: "/?x=5", want: "false\n"}, time.Minute, 4)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the load took %s", took)
	}
	if r.requests != 300 || r.errors != 0 || len(r.lat) != 300 {
		t.Errorf("requests %d, errors %d (%s), latencies %d; want 300, 0, 300", r.requests, r.errors, r.sample, len(r.lat))
	}
	r = vegetaLoad(context.Background(), srv.URL, target{method: "GET", path: "/?x=4", want: "false\n"}, time.Minute, 4)
	if r.errors != 300 {
		t.Errorf("wrong bodies: errors %d, want 300", r.errors)
	}
}
