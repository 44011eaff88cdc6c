package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// smoke runs the benchmark in --smoke mode with args, within limit, and
// returns its report; it fails the test if the run fails.
func smoke(t *testing.T, limit time.Duration, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("starts servers and loads them for a few seconds; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	out := filepath.Join(t.TempDir(), "benchmarks.md")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	code := run(ctx, append([]string{"--smoke", "--out", out}, args...), &stdout, &stderr)
	t.Logf("smoke run took %s; progress:\n%s", time.Since(start).Round(time.Millisecond), stderr.String())
	if code != 0 {
		t.Fatalf("exit code %d; stdout:\n%s", code, stdout.String())
	}
	report, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(report), os.TempDir()+"/") {
		t.Errorf("the report holds a temporary path:\n%s", report)
	}
	return string(report)
}

// TestSmoke runs the benchmark's scenarios of the interpreted tier in
// --smoke mode: it builds microfn and the baseline, runs each with tiny
// loads and checks that every server answered correctly and that the
// report was written. TestSmokeCompiled runs the others.
func TestTailRatio(t *testing.T) {
	// 1..n and 2..2n: the p99 of the second is twice the first's.
	seq := func(n int, k time.Duration) []time.Duration {
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = k * time.Duration(i+1)
		}
		return ds
	}
	tests := []struct {
		name     string
		ds, base []time.Duration
		want     float64 // NaN: not reported
	}{
		{"enough samples", seq(200, 2), seq(200, 1), 2},
		{"too few of its own", seq(99, 2), seq(200, 1), math.NaN()},
		{"too few of the baseline's", seq(200, 2), seq(99, 1), math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tailRatio(tt.ds, tt.base)
			if math.IsNaN(tt.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("tailRatio = %v, want %v", got, tt.want)
			}
			if p99, _ := nestedTail(tt.ds, tt.base, false); (p99 == 0) != (len(tt.ds) < minTail) {
				t.Errorf("nestedTail p99 = %v with %d samples", p99, len(tt.ds))
			}
		})
	}
}

func TestSmoke(t *testing.T) {
	report := smoke(t, 10*time.Minute, "--scenarios", "direct,nested,memory,restart,interp,policies,reload,startup,chain")
	for _, want := range []string{"## Goals", "## 1. Direct calls", "## 2. Nested calls", "## 3. Memory", "## 4. Restart after a crash", "## 5. Interpreter cost", "## 6. Policy machinery", "## 7. Live reload", "## 8. Start-up", "## 9. A chain of imports", "| 20 |", "IsEven GET", "Smoke run",
		"| IsEven GET | microfn --isolate=package |", "| IsEven GET | microfn --isolate=none |", "a fasthttp client in a separate process",
		"| --isolate=package | 3 | 4 |", "| first in its window | 2 |", "| second within 30s (backoff) | 2 |", "| --isolate=package | 10 |", "| --isolate=none | 10 |",
		"Where a call's CPU goes with `--isolate=package`", "With 3 packages, idle:", "| IsEven | – | baseline |", "| function | n | server | wall | ÷ baseline | CPU/call | ÷ baseline |", "| p99 | p99 ÷ baseline |", "| load generator | its CPU/req |"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestSmokeCompiled runs the benchmark's scenarios that build compiled
// code or modules in --smoke mode: the compiled tier, the production
// application and module reloads (TestSmokeDB runs the databases').
func TestSmokeCompiled(t *testing.T) {
	report := smoke(t, 12*time.Minute, "--scenarios", "tier,app,modreload")
	for _, want := range []string{"## 10. The compiled tier", "## 11. The production application", "| app (microfn build) | 2 |", "| IsEven GET | app (microfn build) |", "| IsEven GET | app (microfn build) --isolate=none |", "| 10 | 177 | app (microfn build) |",
		"## 12. Module reload", "| seed | --tier=interpreted | 1 |", "| module, library (domain: 4 importers) | --tier=auto | 1 |", "| module, leaf (notify) | --tier=interpreted | 1 |", "| app cold start p50 | ≤ 50ms |"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q", want)
		}
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
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

// TestFasthttpLoadBounded: the default generator's load also stops at
// maxRequests, takes its paths in turn, and counts wrong bodies as
// errors.
func TestFasthttpLoadBounded(t *testing.T) {
	var paths sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths.Store(r.URL.Path, true)
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
	r := fasthttpLoad(context.Background(), srv.URL, target{method: "GET", path: "/a?x=5", more: []string{"/b?x=5"}, want: "false\n"}, time.Minute, 4)
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the load took %s", took)
	}
	if r.requests != 300 || r.errors != 0 || len(r.lat) != 300 {
		t.Errorf("requests %d, errors %d (%s), latencies %d; want 300, 0, 300", r.requests, r.errors, r.sample, len(r.lat))
	}
	for _, p := range []string{"/a", "/b"} {
		if _, ok := paths.Load(p); !ok {
			t.Errorf("no request to %s", p)
		}
	}
	r = fasthttpLoad(context.Background(), srv.URL, target{method: "POST", path: "/?x=4", body: `{"x":4}`, want: "false\n"}, time.Minute, 4)
	if r.errors != 300 {
		t.Errorf("wrong bodies: errors %d, want 300", r.errors)
	}
}

// TestLoadgenMain runs the generator process's main in this process: it
// reads a spec line, loads for the duration and writes its measurements
// as one JSON line.
func TestLoadgenMain(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "1\n")
	}))
	defer srv.Close()
	defer func(n int64) { maxRequests = n }(maxRequests) // loadgenMain sets it from the spec
	spec, _ := json.Marshal(loadSpec{Engine: "fasthttp", Base: srv.URL, Method: "GET", Paths: []string{"/"}, Want: "1\n", Duration: time.Minute, Conns: 2, MaxRequests: 500})
	inR, inW := io.Pipe()
	defer inW.Close() // the generator stops early if its stdin closes
	go inW.Write(append(spec, '\n'))
	var out bytes.Buffer
	if code := loadgenMain(inR, &out); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	var got loadOutput
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %q", err, trim(out.String(), 300))
	}
	if got.Requests != 500 || got.Errors != 0 || len(got.Latencies) != got.Requests || got.Elapsed <= 0 {
		t.Errorf("output %+v", loadOutput{Requests: got.Requests, Errors: got.Errors, Sample: got.Sample, Elapsed: got.Elapsed, CPU: got.CPU})
	}
	if !slices.IsSorted(got.Latencies) {
		t.Errorf("latencies not sorted")
	}
}

func TestParseStat(t *testing.T) {
	st, ok := parseStat("4242 (micro fn) S 4000 4242 4000 0 -1 4194560 100 0 0 0 250 50 30 20 20 0 8 0 1000 0 0")
	if !ok || st.pid != 4242 || st.ppid != 4000 || st.cpu != 3*time.Second || st.waited != 500*time.Millisecond {
		t.Errorf("parseStat = %+v, %v", st, ok)
	}
	// This process and its tree can be read.
	if _, ok := readTreeCPU(os.Getpid()); !ok {
		t.Skip("no /proc")
	}
	if m := readTreeMem(os.Getpid()); m.procs < 1 || m.rss <= 0 {
		t.Errorf("readTreeMem = %+v", m)
	}
}

func TestNumericColumns(t *testing.T) {
	tab := table{header: []string{"mode", "n"}, rows: [][]string{{"--isolate=none", "-1"}, {"--isolate=package", "–"}}}
	if tab.numeric(0) || !tab.numeric(1) {
		t.Errorf("numeric: mode %v, n %v; want false, true", tab.numeric(0), tab.numeric(1))
	}
}

func TestFmtRatio(t *testing.T) {
	for x, want := range map[float64]string{0.4964: "0.496×", 1.234: "1.23×", 12.34: "12.3×", 0.7: "0.700×"} {
		if got := fmtRatio(x); got != want {
			t.Errorf("fmtRatio(%v) = %s, want %s", x, got, want)
		}
	}
}

func TestBalancedOrder(t *testing.T) {
	for n := 1; n <= 5; n++ {
		for _, calls := range []int{1, 2, 6, 7, 12} {
			for round := range n {
				order := balancedOrder(n, calls, round)
				count := make([]int, n)
				follows := map[[2]int]int{}
				for i, v := range order {
					count[v]++
					if i > 0 {
						follows[[2]int{order[i-1], v}]++
					}
				}
				for v, c := range count {
					if c != calls {
						t.Fatalf("balancedOrder(%d, %d, %d) = %v: server %d called %d times", n, calls, round, order, v, c)
					}
				}
				if order[0] != round%n {
					t.Errorf("balancedOrder(%d, %d, %d) starts with %d", n, calls, round, order[0])
				}
				if n == 1 || calls%(n-1) != 0 {
					continue
				}
				// Each server follows each other one equally often: the
				// circuit is walked calls/(n-1) times, and the last call
				// is followed by none.
				for a := range n {
					for b := range n {
						want := calls / (n - 1)
						if a == b {
							want = 0
						} else if a == order[len(order)-1] && b == order[0] {
							want--
						}
						if got := follows[[2]int{a, b}]; got != want {
							t.Errorf("balancedOrder(%d, %d, %d) = %v: %d follows %d %d times, want %d", n, calls, round, order, b, a, got, want)
						}
					}
				}
			}
		}
	}
}
