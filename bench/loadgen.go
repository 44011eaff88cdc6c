package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// The load generator runs in a process of its own by default: this tool,
// built again by runAll, started with loadgenEnv set, reading a loadSpec on its
// standard input and writing a loadOutput on its standard output. So the
// server shares the machine's cores with the generator as it would with a
// separate tool (wrk), rather than also sharing a process and a Go
// scheduler with it. Its default engine is a fasthttp client, which takes
// less CPU per request than vegeta's net/http one and so leaves more of a
// small machine to the server.

// loadgenEnv, set to 1, makes this executable a load generator (see
// loadgenMain): main checks it.
const loadgenEnv = "MICROFN_BENCH_LOADGEN"

// A loadSpec is one bounded load, as sent to the generator process.
type loadSpec struct {
	Engine      string        `json:"engine"` // "fasthttp" or "vegeta"
	Base        string        `json:"base"`
	Method      string        `json:"method"`
	Paths       []string      `json:"paths"` // taken in turn
	Body        string        `json:"body,omitempty"`
	Want        string        `json:"want,omitempty"`
	Duration    time.Duration `json:"duration"`
	Conns       int           `json:"conns"`
	MaxRequests int64         `json:"max_requests"`
}

// A loadOutput is what the generator process measured.
type loadOutput struct {
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	Sample   string        `json:"sample,omitempty"`
	Elapsed  time.Duration `json:"elapsed"`
	// Latencies of the correct answers, sorted, in nanoseconds.
	Latencies []time.Duration `json:"latencies"`
	// CPU is the generator's own CPU time for the load.
	CPU time.Duration `json:"cpu"`
}

// loadgenMain is the main of a generator process: it reads one loadSpec
// line on stdin, runs the load (with fasthttp or vegeta) and writes a loadOutput line
// on stdout. It also ends, at once, when its standard input closes
// before the load is over (the benchmark that started it died).
func loadgenMain(stdin io.Reader, stdout io.Writer) int {
	in := bufio.NewReader(stdin)
	line, err := in.ReadBytes('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench loadgen: read the spec:", err)
		return 2
	}
	var spec loadSpec
	if err := json.Unmarshal(line, &spec); err != nil {
		fmt.Fprintln(os.Stderr, "bench loadgen: read the spec:", err)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, in)
		cancel()
	}()
	if spec.MaxRequests > 0 {
		maxRequests = spec.MaxRequests
	}
	t := target{method: spec.Method, body: spec.Body, want: spec.Want}
	if len(spec.Paths) > 0 {
		t.path, t.more = spec.Paths[0], spec.Paths[1:]
	}
	load := fasthttpLoad
	if spec.Engine == "vegeta" {
		load = vegetaLoad
	}
	cpu0 := selfCPU()
	r := load(ctx, spec.Base, t, spec.Duration, spec.Conns)
	out := loadOutput{Requests: r.requests, Errors: r.errors, Sample: r.sample, Elapsed: r.elapsed, Latencies: r.lat, CPU: selfCPU() - cpu0}
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench loadgen: stopped: standard input closed")
		return 1
	}
	w := bufio.NewWriterSize(stdout, 1<<16)
	if err := json.NewEncoder(w).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "bench loadgen:", err)
		return 1
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "bench loadgen:", err)
		return 1
	}
	return 0
}

// processLoad runs one load in a generator process (see loadgenMain) and
// returns what it measured. The process is exe, this tool as built by
// runAll (not the running executable, which may be a test binary built
// with -race); it is given the load's duration plus 30s before it is
// killed.
func processLoad(ctx context.Context, exe, engine, base string, t target, d time.Duration, conns int) loadResult {
	spec := loadSpec{
		Engine: engine,
		Base:   base, Method: t.method, Paths: t.paths(), Body: t.body, Want: t.want,
		Duration: d, Conns: conns, MaxRequests: maxRequests,
	}
	line, err := json.Marshal(spec)
	if err != nil {
		return loadResult{errors: 1, sample: "load generator: " + err.Error()}
	}
	cctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(cctx, exe)
	cmd.Env = append(os.Environ(), loadgenEnv+"=1")
	cmd.SysProcAttr = serverAttr() // and it ends with this tool
	stderr := newTail(1 << 14)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return loadResult{errors: 1, sample: "load generator: " + err.Error()}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return loadResult{errors: 1, sample: "load generator: " + err.Error()}
	}
	if err := cmd.Start(); err != nil {
		return loadResult{errors: 1, sample: "load generator: " + err.Error()}
	}
	// Standard input stays open until the process has ended (Wait closes
	// it): the generator stops early if it closes.
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return loadResult{errors: 1, sample: "load generator: send the spec: " + err.Error()}
	}
	var out loadOutput
	decErr := json.NewDecoder(bufio.NewReaderSize(stdout, 1<<16)).Decode(&out)
	_, _ = io.Copy(io.Discard, stdout)
	waitErr := cmd.Wait()
	if decErr != nil || waitErr != nil {
		return loadResult{errors: 1, sample: fmt.Sprintf("load generator: %v, %v; its output ends with: %s", waitErr, decErr, trim(stderr.lastLines(5), 300))}
	}
	r := loadResult{
		requests: out.Requests,
		errors:   out.Errors,
		sample:   out.Sample,
		elapsed:  out.Elapsed,
		lat:      out.Latencies,
		genCPU:   out.CPU,
	}
	r.p50, r.p99 = quantileSorted(r.lat, 0.50), quantileSorted(r.lat, 0.99)
	if r.elapsed > 0 {
		r.rps = float64(len(r.lat)) / r.elapsed.Seconds()
	}
	return r
}
