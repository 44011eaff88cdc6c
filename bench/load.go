package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// A target is one request the load repeats.
type target struct {
	name   string // as shown in tables: "IsEven GET"
	method string
	path   string   // with the query: "/IsEven?x=5"
	more   []string // further paths, taken in turn with path
	body   string   // JSON body of a POST
	want   string   // the expected body; "" accepts any
}

// paths returns every path of t, path first.
func (t target) paths() []string {
	return append([]string{t.path}, t.more...)
}

// A loadResult is what one bounded load run measured.
type loadResult struct {
	requests int
	errors   int    // non-200 answers, transport errors and wrong bodies
	sample   string // one of the errors
	elapsed  time.Duration
	rps      float64 // correct answers per second
	p50, p99 time.Duration
	lat      []time.Duration // latencies of the correct answers, sorted; nil from wrk
	// cpu is the CPU time of the server's process tree during the run
	// (0 if unknown), workers that part of it its worker processes used.
	cpu, workers time.Duration
	genCPU       time.Duration // the load generator's CPU time; 0 if unknown
	mem          memSample     // the server's process tree after the run
}

// cpuPerReq is the server's CPU time per answered request.
func (r loadResult) cpuPerReq() time.Duration {
	return perReq(r.cpu, r.requests)
}

func perReq(d time.Duration, n int) time.Duration {
	if d <= 0 || n == 0 {
		return 0
	}
	return d / time.Duration(n)
}

// merge adds the slice s of the same load to r.
func (r *loadResult) merge(s loadResult, slices int) {
	r.requests += s.requests
	r.errors += s.errors
	if r.sample == "" {
		r.sample = s.sample
	}
	ok := r.rps*r.elapsed.Seconds() + s.rps*s.elapsed.Seconds()
	r.elapsed += s.elapsed
	if r.elapsed > 0 {
		r.rps = ok / r.elapsed.Seconds()
	}
	r.cpu += s.cpu
	r.workers += s.workers
	r.genCPU += s.genCPU
	r.mem = s.mem
	if s.lat != nil {
		r.lat = mergeSorted(r.lat, s.lat)
		r.p50, r.p99 = quantileSorted(r.lat, 0.50), quantileSorted(r.lat, 0.99)
	} else {
		// wrk gives quantiles only: keep the worst slice's p99 and a
		// running mean of p50.
		n := time.Duration(max(slices, 1))
		r.p50 += s.p50 / n
		r.p99 = max(r.p99, s.p99)
	}
}

func mergeSorted(a, b []time.Duration) []time.Duration {
	out := make([]time.Duration, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i] <= b[j] {
			out = append(out, a[i])
			i++
		} else {
			out = append(out, b[j])
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// A loadRun is one server and the request to load it with.
type loadRun struct {
	p *proc
	t target
}

// interleaved loads each run for d at the highest rate the connections
// sustain, after a warm-up of each. So that noise from the rest of the
// machine hits every run alike, d is cut into slices of about two seconds
// and the runs take turns, slice by slice: A B A B … (the first run to go
// changes with round and slice). It returns one result per run.
func (b *bench) interleaved(ctx context.Context, runs []loadRun, d time.Duration, round int) []loadResult {
	if b.cfg.warmup > 0 {
		for _, r := range runs {
			b.generate(ctx, r.p.base, r.t, b.cfg.warmup)
		}
	}
	n := min(max(int(d/(2*time.Second)), 1), 5)
	slice := d / time.Duration(n)
	out := make([]loadResult, len(runs))
	for s := range n {
		for _, i := range rotate(len(runs), round+s) {
			r := runs[i]
			cpu0, ok0 := r.p.cpu()
			res := b.generate(ctx, r.p.base, r.t, slice)
			if cpu1, ok1 := r.p.cpu(); ok0 && ok1 {
				d := cpu1.sub(cpu0)
				res.cpu, res.workers = d.total(), d.children
			}
			res.mem = r.p.mem()
			out[i].merge(res, n)
		}
	}
	return out
}

// generate runs one load of t on base for d with the chosen generator: a
// fasthttp client in a process of its own (the default), vegeta in a
// process of its own, vegeta in this process, or wrk.
func (b *bench) generate(ctx context.Context, base string, t target, d time.Duration) loadResult {
	switch b.cfg.loadgen {
	case "wrk":
		return b.wrk(ctx, base, t, d)
	case "vegeta-inproc":
		return vegetaLoad(ctx, base, t, d, b.cfg.conns)
	case "vegeta":
		return processLoad(ctx, b.loadgenBin, "vegeta", base, t, d, b.cfg.conns)
	}
	return processLoad(ctx, b.loadgenBin, "fasthttp", base, t, d, b.cfg.conns)
}

// maxRequests bounds each load run, whatever its duration.
var maxRequests int64 = 1_000_000

// vegetaLoad loads base with vegeta, in process: conns workers, each
// with its own keep-alive connection, sending the next request as soon as
// the last one is answered, for d.
func vegetaLoad(ctx context.Context, base string, t target, d time.Duration, conns int) loadResult {
	atk := vegeta.NewAttacker(
		vegeta.Workers(uint64(conns)),
		vegeta.MaxWorkers(uint64(conns)),
		vegeta.Connections(conns),
		vegeta.MaxConnections(conns),
		vegeta.KeepAlive(true),
		vegeta.Timeout(10*time.Second),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.Proxy(func(*http.Request) (*url.URL, error) { return nil, nil }),
	)
	var tgts []vegeta.Target
	for _, path := range t.paths() {
		tgt := vegeta.Target{Method: t.method, URL: base + path}
		if t.body != "" {
			tgt.Body = []byte(t.body)
			tgt.Header = http.Header{"Content-Type": {"application/json"}}
		}
		tgts = append(tgts, tgt)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			atk.Stop()
		case <-done:
		}
	}()
	// Bounded in requests as well as in time: past maxRequests the
	// targeter says there is nothing left, which stops the attack.
	var sent atomic.Int64
	static := vegeta.NewStaticTargeter(tgts...)
	targeter := func(t *vegeta.Target) error {
		if sent.Add(1) > maxRequests {
			return vegeta.ErrNoTargets
		}
		return static(t)
	}
	var r loadResult
	lat := make([]time.Duration, 0, 1<<16)
	want := []byte(t.want)
	start := time.Now()
	// Rate{} is the zero pacer: as fast as the workers go.
	for res := range atk.Attack(targeter, vegeta.Rate{}, d, "") {
		if res.Error == vegeta.ErrNoTargets.Error() {
			continue // not a request: the cap was reached
		}
		r.requests++
		switch {
		case res.Error != "" || res.Code != http.StatusOK:
			r.errors++
			if r.sample == "" {
				r.sample = fmt.Sprintf("status %d %s %s", res.Code, res.Error, trim(string(res.Body), 200))
			}
		case len(want) > 0 && !bytes.Equal(res.Body, want):
			r.errors++
			if r.sample == "" {
				r.sample = fmt.Sprintf("body %q, want %q", trim(string(res.Body), 200), t.want)
			}
		default:
			lat = append(lat, res.Latency)
		}
	}
	r.elapsed = time.Since(start)
	slices.Sort(lat)
	r.lat = lat
	r.p50, r.p99 = quantileSorted(lat, 0.50), quantileSorted(lat, 0.99)
	r.rps = float64(len(lat)) / r.elapsed.Seconds()
	return r
}

func trim(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// wrk loads base with wrk (which must be on PATH) for d, rounded up to
// whole seconds. wrk does not check bodies: only statuses count as errors.
func (b *bench) wrk(ctx context.Context, base string, t target, d time.Duration) loadResult {
	secs := int(math.Ceil(d.Seconds()))
	threads := max(1, b.cfg.nproc/2)
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(max(b.cfg.conns, threads)), "-d", fmt.Sprintf("%ds", secs), "--timeout", "10s", "--latency"}
	if t.method != http.MethodGet || len(t.more) > 0 {
		script := filepath.Join(b.tmp, fmt.Sprintf("wrk-%d.lua", time.Now().UnixNano()))
		if err := os.WriteFile(script, []byte(wrkScript(t)), 0o644); err != nil {
			return loadResult{errors: 1, sample: err.Error()}
		}
		args = append(args, "-s", script)
	}
	args = append(args, base+t.path)
	cctx, cancel := context.WithTimeout(ctx, d+30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(cctx, "wrk", args...).CombinedOutput()
	r := loadResult{elapsed: time.Since(start)}
	if err != nil {
		return loadResult{errors: 1, sample: fmt.Sprintf("wrk: %v: %s", err, trim(string(out), 300))}
	}
	return parseWrk(string(out), r)
}

// wrkScript is the Lua script that makes wrk send t: its method and body,
// and its paths in turn.
func wrkScript(t target) string {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = %q\n", t.method)
	if t.body != "" {
		fmt.Fprintf(&b, "wrk.body = %q\nwrk.headers[\"Content-Type\"] = \"application/json\"\n", t.body)
	}
	if len(t.more) > 0 {
		b.WriteString("local paths = {")
		for i, p := range t.paths() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", p)
		}
		b.WriteString("}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n")
	}
	return b.String()
}

var (
	wrkReqs    = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([\d.]+)(\w+)`)
	wrkPct     = regexp.MustCompile(`(?m)^\s*(50|99)(?:\.000)?%\s+([\d.]+)(\w+)`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads the summary wrk prints with --latency.
func parseWrk(out string, r loadResult) loadResult {
	unit := func(v, u string) time.Duration {
		f, _ := strconv.ParseFloat(v, 64)
		switch u {
		case "us":
			return time.Duration(f * float64(time.Microsecond))
		case "ms":
			return time.Duration(f * float64(time.Millisecond))
		case "s":
			return time.Duration(f * float64(time.Second))
		case "m":
			return time.Duration(f * float64(time.Minute))
		}
		return 0
	}
	m := wrkReqs.FindStringSubmatch(out)
	if m == nil {
		return loadResult{errors: 1, sample: "cannot read wrk's output: " + trim(out, 300)}
	}
	r.requests, _ = strconv.Atoi(m[1])
	ran := unit(m[2], m[3])
	for _, pm := range wrkPct.FindAllStringSubmatch(out, -1) {
		if pm[1] == "50" {
			r.p50 = unit(pm[2], pm[3])
		} else {
			r.p99 = unit(pm[2], pm[3])
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		n, _ := strconv.Atoi(m[1])
		r.errors += n
		r.sample = "non-2xx answers"
	}
	if m := wrkSockErr.FindStringSubmatch(out); m != nil {
		for _, s := range m[1:] {
			n, _ := strconv.Atoi(s)
			r.errors += n
		}
		if r.sample == "" {
			r.sample = m[0]
		}
	}
	if ran > 0 {
		r.rps = float64(r.requests-r.errors) / ran.Seconds()
	}
	return r
}

// caller makes single calls over one keep-alive connection.
type caller struct {
	client *http.Client
}

func newCaller() *caller {
	return &caller{client: &http.Client{
		Timeout:   5 * time.Minute,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4},
	}}
}

func (c *caller) close() { c.client.CloseIdleConnections() }

// get calls base+path once and returns the body and the wall time; any
// status but 200 is an error.
func (c *caller) get(ctx context.Context, base, path string) (string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return "", 0, err
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return "", 0, err
	}
	body, err := io.ReadAll(bufio.NewReader(resp.Body))
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return "", took, err
	}
	if resp.StatusCode != http.StatusOK {
		return string(body), took, fmt.Errorf("GET %s: status %d: %s", path, resp.StatusCode, trim(string(body), 300))
	}
	return string(body), took, nil
}

// getHeader is get, with the value of one header of the answer.
func (c *caller) getHeader(ctx context.Context, base, path, header string) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: status %d", path, resp.StatusCode)
	}
	return string(body), resp.Header.Get(header), err
}

// post calls base+path once with a JSON body.
func (c *caller) post(ctx context.Context, base, path, body string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return string(out), fmt.Errorf("POST %s: status %d: %s", path, resp.StatusCode, trim(string(out), 300))
	}
	return string(out), nil
}

// call GETs base+path once and returns the status, the body and the wall
// time; an error is a transport error only.
func (c *caller) call(ctx context.Context, base, path string) (int, string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return 0, "", 0, err
	}
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, "", time.Since(start), err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(body), time.Since(start), err
}
