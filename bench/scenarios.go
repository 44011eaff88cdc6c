package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/microfn/microfn/policy"
)

// checkAnswers makes a few calls of every kind on each server and checks
// the answers, so that a server that answers wrongly fails the run even
// where a scenario only counts statuses.
func (b *bench) checkAnswers(ctx context.Context, ps []*proc) bool {
	c := newCaller()
	defer c.close()
	ok := true
	for _, p := range ps {
		check := func(what, got string, err error, want string) {
			if err != nil {
				b.fail("%s: %s: %v", p.spec.name, what, err)
				ok = false
			} else if got != want {
				b.fail("%s: %s = %q, want %q", p.spec.name, what, got, want)
				ok = false
			}
		}
		for _, q := range []struct{ path, want string }{
			{"/IsEven?x=5", "false\n"},
			{"/IsEven?x=4", "true\n"},
			{"/Fib?n=5", "8\n"},
		} {
			got, _, err := c.get(ctx, p.base, q.path)
			check("GET "+q.path, got, err, q.want)
		}
		got, err := c.post(ctx, p.base, "/IsEven", `{"x":5}`)
		check(`POST /IsEven {"x":5}`, got, err, "false\n")
	}
	return ok
}

// 1. direct

// modeLabel names an isolation mode in goals: "isolated" for worker
// processes, "--isolate=none" for the server's own process, followed by
// --tier=compiled for the compiled tier.
func modeLabel(spec procSpec) string {
	label := spec.name
	switch {
	case strings.Contains(spec.name, notIsolated):
		label = "--isolate=none"
	case strings.Contains(spec.name, sharedWorker):
		label = "--isolate=shared"
	case strings.Contains(spec.name, isolated):
		label = "isolated"
	default:
		return label
	}
	if strings.Contains(spec.name, compiledTier) {
		label += " " + compiledTier
	}
	return label
}

func (b *bench) direct(ctx context.Context) {
	specs := b.withApp(ctx, b.variants(b.withCompiled([]string{isolated}, []string{notIsolated})...))
	targets := []target{
		{name: "/healthz", method: http.MethodGet, path: "/healthz"},
		{name: "IsEven GET", method: http.MethodGet, path: "/IsEven?x=5", want: "false\n"},
		{name: "IsEven POST", method: http.MethodPost, path: "/IsEven", body: `{"x":5}`, want: "false\n"},
	}
	res := map[[2]int][]loadResult{}
	idle := map[int][]memSample{}
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		b.checkAnswers(ctx, ps)
		time.Sleep(300 * time.Millisecond)
		for i, p := range ps {
			idle[i] = append(idle[i], p.mem())
		}
		for ti, t := range targets {
			b.progress("direct: round %d/%d, %s", round+1, b.cfg.rounds, t.name)
			var stopPerf func()
			if b.cfg.perf && round == 0 && ti == 1 {
				stopPerf = b.startPerf(ctx, ps[0], "the direct load (IsEven GET, first round, "+specs[0].name+")")
			}
			runs := make([]loadRun, len(ps))
			for vi, p := range ps {
				runs[vi] = loadRun{p, t}
			}
			rs := b.interleaved(ctx, runs, b.cfg.duration, round)
			if stopPerf != nil {
				stopPerf()
			}
			for vi, r := range rs {
				if r.errors > 0 {
					b.fail("direct: %s on %s: %d of %d requests failed, such as: %s", t.name, ps[vi].spec.name, r.errors, r.requests, r.sample)
				}
				r.lat = nil
				res[[2]int{ti, vi}] = append(res[[2]int{ti, vi}], r)
			}
		}
		for _, p := range ps {
			b.stopProc(p)
		}
	}

	s := b.newSection("direct", "1. Direct calls",
		fmt.Sprintf("A trivial function (`IsEven`, `%s`) called over HTTP at the highest rate %d concurrent keep-alive connections sustain, for %s per server and round after a %s warm-up, and `/healthz` as the floor of each server's HTTP stack (microfn's lists the packages; the baseline's is a constant). "+
			"microfn runs twice: `%s` (the default: the server forwards each call to the package's worker process over a Unix socket) and `%s` (the service code in the server's process). "+
			"The servers run side by side and take turns in slices of about 2s (A B C, B C A, …), so that noise from the rest of the machine hits each alike. "+
			"The load comes from %s. "+
			"req/s counts correct answers per second; p50/p99 are latencies seen by the load generator; CPU/req is the user+system CPU time of the server's process tree (the server and its worker processes, from /proc) divided by its requests, and \"workers\" the part of it the worker processes used. Medians of %d round(s); ratios are microfn's figure over the baseline's.",
			annotation("IsEven"), b.cfg.conns, b.cfg.duration, b.cfg.warmup, isolated, notIsolated, b.loadgenDesc(), b.cfg.rounds))
	tab := table{header: []string{"endpoint", "server", "req/s", "p50", "p99", "errors", "CPU/req", "workers", "req/s ÷ baseline", "p99 ÷ baseline", "CPU/req ÷ baseline"}}
	base := baselineIndex(specs)
	var gen []time.Duration
	for ti, t := range targets {
		bm := summarize(res[[2]int{ti, base}])
		for vi, spec := range specs {
			m := summarize(res[[2]int{ti, vi}])
			if m.gen > 0 {
				gen = append(gen, m.gen)
			}
			rr, pr, cr := "", "", ""
			if vi != base {
				rr, pr, cr = fmtRatio(ratio(m.rps, bm.rps)), fmtRatio(ratio(float64(m.p99), float64(bm.p99))), fmtRatio(ratio(float64(m.cpu), float64(bm.cpu)))
			}
			tab.rows = append(tab.rows, []string{t.name, spec.name, fmtCount(m.rps), fmtDur(m.p50), fmtDur(m.p99), strconv.Itoa(m.errors), fmtDur(m.cpu), fmtDur(m.workers), rr, pr, cr})
			if ti > 0 && strings.HasPrefix(spec.name, "microfn") {
				mode := modeLabel(spec)
				want := 0.8
				if strings.HasPrefix(mode, "isolated") {
					want = 0.6
				}
				rq, pq := ratio(m.rps, bm.rps), ratio(float64(m.p99), float64(bm.p99))
				b.addGoal(t.name+" req/s, "+mode, fmt.Sprintf("≥ %.1f× baseline", want), fmtRatio(rq)+fmt.Sprintf(" (%s vs %s req/s)", fmtCount(m.rps), fmtCount(bm.rps)), rq, want, true)
				b.addGoal(t.name+" p99, "+mode, "≤ 1.5× baseline", fmtRatio(pq)+fmt.Sprintf(" (%s vs %s)", fmtDur(m.p99), fmtDur(bm.p99)), pq, 1.5, false)
				if ti == 1 && mode == "isolated" {
					b.directCPU = m.cpu
				}
			}
		}
	}
	s.tables = append(s.tables, tab)
	mem := table{header: []string{"server", "processes", "RSS idle", "PSS idle", "RSS after the direct loads", "PSS after the direct loads"}}
	for vi, spec := range specs {
		var after []memSample
		for ti := range targets {
			for _, r := range res[[2]int{ti, vi}] {
				after = append(after, r.mem)
			}
		}
		im, am := medianMem(idle[vi]), maxMem(after)
		mem.rows = append(mem.rows, []string{spec.name, strconv.Itoa(im.procs), fmtMiB(im.rss), fmtMiB(im.pss), fmtMiB(am.rss), fmtMiB(am.pss)})
	}
	s.tables = append(s.tables, mem)
	s.notes = append(s.notes, "Memory is summed over the server's process tree: RSS counts the pages of the executable each process maps in full, PSS (from /proc/PID/smaps_rollup) shares them out among the processes that map them.")
	note := "The load generator runs on the same machine and takes a share of its cores"
	if len(gen) > 0 {
		note += fmt.Sprintf(" (about %s of CPU per request, median over the loads)", fmtDur(medianDur(gen)))
	}
	note += ", which compresses the req/s ratios towards 1. CPU/req is the measure of the work each server does per call: " +
		"with the server alone on the CPUs, req/s would follow 1 ÷ (CPU/req ÷ baseline)" + projection(targets, specs, res, base) + "."
	s.notes = append(s.notes, note)
	if n := forwardingNote(targets, specs, res); n != "" {
		s.notes = append(s.notes, n)
	}
	b.compareGenerators(ctx, s, specs[:base+1], targets[1])
	b.print(s)
}

// compareGenerators loads the servers specs (microfn in each mode, then
// the baseline, last) with t once with every load generator there is,
// and adds a table of the req/s ratios each one reports: how much the
// generator's own CPU compresses them on this machine.
func (b *bench) compareGenerators(ctx context.Context, s *section, specs []procSpec, t target) {
	gens := []string{"fasthttp", "vegeta", "vegeta-inproc"}
	if _, err := exec.LookPath("wrk"); err == nil {
		gens = append(gens, "wrk")
	}
	d := min(b.cfg.duration, 4*time.Second)
	saved := b.cfg.loadgen
	defer func() { b.cfg.loadgen = saved }()
	header := []string{"load generator", "its CPU/req"}
	for _, spec := range specs {
		header = append(header, spec.name+" req/s")
	}
	for _, spec := range specs[:len(specs)-1] {
		header = append(header, spec.name+" ÷ baseline")
	}
	tab := table{header: header}
	for _, g := range gens {
		if ctx.Err() != nil {
			return
		}
		b.progress("direct: %s with --loadgen %s", t.name, g)
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		b.cfg.loadgen = g
		runs := make([]loadRun, len(ps))
		for i, p := range ps {
			runs[i] = loadRun{p, t}
		}
		rs := b.interleaved(ctx, runs, d, 0)
		for _, p := range ps {
			b.stopProc(p)
		}
		var gen []time.Duration
		row := []string{g, ""}
		for i, r := range rs {
			if r.errors > 0 {
				b.fail("direct: %s on %s with --loadgen %s: %d of %d requests failed, such as: %s", t.name, ps[i].spec.name, g, r.errors, r.requests, r.sample)
			}
			if c := perReq(r.genCPU, r.requests); c > 0 {
				gen = append(gen, c)
			}
			row = append(row, fmtCount(r.rps))
		}
		last := rs[len(rs)-1]
		for _, r := range rs[:len(rs)-1] {
			row = append(row, fmtRatio(ratio(r.rps, last.rps)))
		}
		row[1] = fmtDur(medianDur(gen))
		if g == saved {
			row[0] += " (this run's)"
		}
		tab.rows = append(tab.rows, row)
	}
	s.tables = append(s.tables, tab)
	s.notes = append(s.notes, fmt.Sprintf("The table above loads the same servers with `%s` once with each load generator the tool has (%s per server, after the warm-up; wrk only if it is on PATH), to show how much a generator's own CPU on the same two cores moves the ratios: the lighter the generator, the closer req/s comes to what CPU/req predicts. "+
		"Its CPU/req is the generator process's CPU time per request (not measured for vegeta-inproc, whose CPU is the tool's, nor for wrk).", t.name, d))
}

// forwardingNote splits the CPU of a call with worker processes into the
// server's part and the worker's, against the whole call in one process:
// what forwarding to a worker costs.
func forwardingNote(targets []target, specs []procSpec, res map[[2]int][]loadResult) string {
	iso, none := -1, -1
	for vi, spec := range specs {
		switch modeLabel(spec) {
		case "isolated":
			iso = vi
		case "--isolate=none":
			none = vi
		}
	}
	if iso < 0 || none < 0 {
		return ""
	}
	var parts []string
	for ti, t := range targets {
		if t.want == "" {
			continue
		}
		m, n := summarize(res[[2]int{ti, iso}]), summarize(res[[2]int{ti, none}])
		if m.cpu == 0 || n.cpu == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("for %s, %s in all, %s in the server process and %s in the worker, against %s for the whole call with `%s` (%s more per call)",
			t.name, fmtDur(m.cpu), fmtDur(m.cpu-m.workers), fmtDur(m.workers), fmtDur(n.cpu), notIsolated, fmtDur(m.cpu-n.cpu)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Where a call's CPU goes with `" + isolated + "`: " + strings.Join(parts, "; ") + ". " +
		"The server parses the request, runs the policy, and writes the call as a frame of package protocol on the worker's socket pair and reads its answer's frame (system calls and goroutine wake-ups on both sides); the worker decodes the frame, binds the arguments and runs the service's code, with no HTTP parser and no Fiber. Run with --perf for the profile of each process."
}

// loadgenDesc describes the load generator for the report.
func (b *bench) loadgenDesc() string {
	switch b.cfg.loadgen {
	case "wrk":
		return "wrk, a separate process"
	case "vegeta-inproc":
		return "vegeta in the benchmark's own process (--loadgen vegeta-inproc)"
	case "vegeta":
		return "vegeta in a separate process (the benchmark started again as a load generator, --loadgen vegeta; it reports its measurements as JSON)"
	}
	return "a fasthttp client in a separate process (the benchmark started again as a load generator; it reports its measurements as JSON)"
}

// projection names, for each microfn variant and function target, the
// req/s ratio that CPU/req implies for a server that has the CPUs to
// itself.
func projection(targets []target, specs []procSpec, res map[[2]int][]loadResult, base int) string {
	var parts []string
	for vi, spec := range specs {
		if !strings.HasPrefix(spec.name, "microfn") {
			continue
		}
		for ti, t := range targets {
			if t.want == "" {
				continue
			}
			m, bm := summarize(res[[2]int{ti, vi}]), summarize(res[[2]int{ti, base}])
			if q := ratio(float64(bm.cpu), float64(m.cpu)); !math.IsNaN(q) {
				parts = append(parts, fmt.Sprintf("%s for %s on %s", fmtRatio(q), t.name, spec.name))
			}
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, ", ")
}

// orNaN is d as a float, or NaN when d is 0: nothing was measured.
func orNaN(d time.Duration) float64 {
	if d == 0 {
		return math.NaN()
	}
	return float64(d)
}

// summary is the median of several load runs.
type summary struct {
	rps           float64
	p50, p99, cpu time.Duration
	workers, gen  time.Duration // per request: worker processes' CPU, the generator's
	errors        int
}

func summarize(rs []loadResult) summary {
	var rps []float64
	var p50, p99, cpu, workers, gen []time.Duration
	var m summary
	for _, r := range rs {
		rps = append(rps, r.rps)
		p50 = append(p50, r.p50)
		p99 = append(p99, r.p99)
		if c := r.cpuPerReq(); c > 0 {
			cpu = append(cpu, c)
			workers = append(workers, perReq(r.workers, r.requests))
		}
		if g := perReq(r.genCPU, r.requests); g > 0 {
			gen = append(gen, g)
		}
		m.errors += r.errors
	}
	m.rps = median(rps)
	m.p50, m.p99, m.cpu = medianDur(p50), medianDur(p99), medianDur(cpu)
	m.workers, m.gen = medianDur(workers), medianDur(gen)
	return m
}

// medianMem is the sample of median RSS among ms.
func medianMem(ms []memSample) memSample {
	if len(ms) == 0 {
		return memSample{}
	}
	s := slices.Clone(ms)
	slices.SortFunc(s, func(a, b memSample) int { return cmp.Compare(a.rss, b.rss) })
	return s[(len(s)-1)/2]
}

// maxMem is the sample of largest RSS among ms.
func maxMem(ms []memSample) memSample {
	var m memSample
	for _, x := range ms {
		if x.rss > m.rss {
			m = x
		}
	}
	return m
}

func medianKiB(xs []int64) int64 {
	f := make([]float64, 0, len(xs))
	for _, x := range xs {
		if x > 0 {
			f = append(f, float64(x))
		}
	}
	if len(f) == 0 {
		return 0
	}
	return int64(median(f))
}

func maxKiB(xs []int64) int64 {
	var m int64
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

// 2. nested

func fib(n int) int {
	if n < 2 {
		return 1
	}
	return fib(n-1) + fib(n-2)
}

func (b *bench) nested(ctx context.Context) {
	specs := b.withApp(ctx, b.variants(b.withCompiled([]string{isolated}, []string{notIsolated}, []string{isolated, "--monolith"})...))
	walls := map[[2]int][]time.Duration{} // [n index][variant] → median per round
	all := map[[2]int][]time.Duration{}   // every sampled call, for the p99
	samples := maps.Clone(b.cfg.fibSamples)
	samples[b.cfg.fibNs[0]] = max(samples[b.cfg.fibNs[0]], b.cfg.fibTailSamples)
	cpus := map[[2]int]time.Duration{} // server CPU time of the sampled calls, in all
	counts := map[[2]int]int{}         // sampled calls
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		b.checkAnswers(ctx, ps)
		c := newCaller()
		for ni, n := range b.cfg.fibNs {
			b.progress("nested: round %d/%d, Fib(%d)", round+1, b.cfg.rounds, n)
			path := fmt.Sprintf("/Fib?n=%d", n)
			want := strconv.Itoa(fib(n)) + "\n"
			var stopPerf func()
			if b.cfg.perf && round == 0 && ni == len(b.cfg.fibNs)-1 {
				stopPerf = b.startPerf(ctx, ps[0], fmt.Sprintf("nested calls (Fib(%d), first round, %s)", n, specs[0].name))
			}
			ds, cpu := b.sampleCalls(ctx, c, ps, path, want, samples[n], round)
			if stopPerf != nil {
				stopPerf()
			}
			for vi, d := range ds {
				if len(d) > 0 {
					walls[[2]int{ni, vi}] = append(walls[[2]int{ni, vi}], medianDur(d))
					all[[2]int{ni, vi}] = append(all[[2]int{ni, vi}], d...)
					cpus[[2]int{ni, vi}] += cpu[vi]
					counts[[2]int{ni, vi}] += len(d)
				}
			}
		}
		c.close()
		for _, p := range ps {
			b.stopProc(p)
		}
	}

	s := b.newSection("nested", "2. Nested calls",
		fmt.Sprintf("`Fib(n)` with every recursive call made over HTTP to the server's own `/Fib` (microfn through its generated proxy, the baseline through one pooled keep-alive fasthttp client), one call at a time. "+
			"A call of Fib(n) makes 2·Fib(n)−1 calls in all (Fib(0) = Fib(1) = 1), so the cost per nested call is wall ÷ (calls − 1). "+
			"With `%s`, the chain's first call of Fib holds Fib's slot, so its worker runs the recursive calls itself (the direct path: no slot needed, the server told of each call in batches), where a call into another worker goes from the worker's proxy to the server over its Unix socket, through the callee's policy there, and back to a worker over its socket; with `%s` the proxy calls the server in process. "+
			"`--monolith` makes the same calls in process (in the worker). Wall is the median of %s calls after one warm-up call, the servers taking turns call by call, then the median of %d round(s).",
			isolated, notIsolated, sampleCounts(b.cfg.fibNs, samples), b.cfg.rounds)+
			" p99 is over every sampled call of all rounds, where there are at least 100 of them; its ratio is the goal for the tail of a nested call (a chain of them: the client waits for the whole chain)."+
			" CPU per nested call is the CPU time of the server's process tree (from /proc, in 10ms ticks, so rough for small n) over all sampled calls ÷ their nested calls: where wall is much above CPU, the calls wait (wake-ups, scheduling) rather than work.")
	tab := table{header: []string{"n", "calls", "server", "wall", "per nested call", "per call ÷ baseline", "p99", "p99 ÷ baseline", "CPU per nested call"}}
	base := baselineIndex(specs)
	for ni, n := range b.cfg.fibNs {
		calls := 2*fib(n) - 1
		bw := medianDur(walls[[2]int{ni, base}])
		for vi, spec := range specs {
			w := medianDur(walls[[2]int{ni, vi}])
			per := w / time.Duration(calls-1)
			r := ""
			if vi != base {
				r = fmtRatio(ratio(float64(w), float64(bw)))
			}
			cpu := time.Duration(0)
			if k := [2]int{ni, vi}; counts[k] > 0 {
				cpu = cpus[k] / time.Duration(counts[k]*(calls-1))
			}
			p99, p99r := nestedTail(all[[2]int{ni, vi}], all[[2]int{ni, base}], vi == base)
			tab.rows = append(tab.rows, []string{strconv.Itoa(n), fmtCount(float64(calls)), spec.name, fmtDur(w), fmtDur(per), r, fmtDur(p99), p99r, fmtDur(cpu)})
			if ni == 0 && vi != base && strings.HasPrefix(spec.name, "microfn") && !strings.Contains(spec.name, "--monolith") {
				b.addGoal(fmt.Sprintf("nested p99, Fib(%d), %s", n, modeLabel(spec)), "≤ 1.5× baseline", p99r+fmt.Sprintf(" (%s vs %s)", fmtDur(p99), fmtDur(quantile(all[[2]int{ni, base}], 0.99))),
					tailRatio(all[[2]int{ni, vi}], all[[2]int{ni, base}]), 1.5, false)
			}
			if mode := modeLabel(spec); vi != base && !strings.Contains(spec.name, "--monolith") && strings.HasPrefix(spec.name, "microfn") {
				q, want := ratio(float64(w), float64(bw)), 1.1
				if strings.HasPrefix(mode, "isolated") {
					want = 1.3
				}
				b.addGoal(fmt.Sprintf("nested Fib(%d) cost per call, %s", n, mode), fmt.Sprintf("≤ %.1f× baseline", want),
					fmtRatio(q)+fmt.Sprintf(" (%s vs %s)", fmtDur(per), fmtDur(bw/time.Duration(calls-1))), q, want, false)
			}
		}
	}
	s.tables = append(s.tables, tab)
	s.notes = append(s.notes, "With `"+isolated+"`, a recursive call stays in the worker that runs the chain (the direct path), which sends the server the records of its calls, for their access lines and metrics, in batches of up to 512 and before the chain's first call answers; a nested call that needs a slot (the first of a chain into a service) crosses a process boundary four times (worker → server → worker for the call, and back for its answer), each a write, a read and a wake-up of the process on the other end. "+
		"CPU per nested call counts all of microfn's processes, including their schedulers spinning while they wait for the next message, so on two cores it can exceed the wall time. `--monolith` runs the chain inside the worker too, under the callee's limiter.")
	b.print(s)
}

// minTail is the fewest samples a p99 is reported from.
const minTail = 100

// nestedTail returns the p99 of ds and its ratio to the p99 of the
// baseline's samples base, formatted ("" for the baseline itself); none
// when either has fewer than minTail samples.
func nestedTail(ds, base []time.Duration, isBase bool) (time.Duration, string) {
	if len(ds) < minTail {
		return 0, ""
	}
	if isBase {
		return quantile(ds, 0.99), ""
	}
	return quantile(ds, 0.99), fmtRatio(tailRatio(ds, base))
}

// tailRatio is the p99 of ds over that of base, NaN when either has fewer
// than minTail samples.
func tailRatio(ds, base []time.Duration) float64 {
	if len(ds) < minTail || len(base) < minTail {
		return math.NaN()
	}
	return ratio(float64(quantile(ds, 0.99)), float64(quantile(base, 0.99)))
}

// sampleCalls calls path on every server once to warm up, then samples
// more times, the servers taking turns call by call in a balanced order
// (see balancedOrder: each server is called right after each other one
// equally often, the first changing with the round), and returns the
// wall times of each server's calls. A wrong answer is a failure, and
// that server is not called again.
//
// It also returns the CPU time each server used during its sampled
// calls, in all (0 when unknown).
func (b *bench) sampleCalls(ctx context.Context, c *caller, ps []*proc, path, want string, samples, round int) ([][]time.Duration, []time.Duration) {
	out := make([][]time.Duration, len(ps))
	cpu := make([]time.Duration, len(ps))
	bad := make([]bool, len(ps))
	calls := make([]int, len(ps))
	for _, vi := range balancedOrder(len(ps), samples+1, round) {
		if bad[vi] {
			continue
		}
		cpu0 := ps[vi].cpuTime()
		got, took, err := c.get(ctx, ps[vi].base, path)
		if err != nil || got != want {
			b.fail("GET %s on %s = %q, %v; want %q", path, ps[vi].spec.name, trim(got, 200), err, want)
			bad[vi] = true
			continue
		}
		calls[vi]++
		if calls[vi] > 1 { // the first call warms the connections up
			out[vi] = append(out[vi], took)
			if cpu0 > 0 {
				cpu[vi] += ps[vi].cpuTime() - cpu0
			}
		}
	}
	return out, cpu
}

// balancedOrder returns an order of calls to n servers, calls to each,
// in which each server follows each other one equally often (exactly,
// when calls is a multiple of n-1), starting with server round mod n.
// A call is slower right after a long call to another server (the CPU
// that server took counts against the processes started alongside it,
// the benchmark's, when other work shares the machine), so an order in
// which one server follows the slowest more often than the others (as
// rotating A B C, B C A, C A B does: B follows A twice as often as C
// does) is biased against it.
//
// The order walks an Eulerian circuit of the complete directed graph of
// the n servers (every ordered pair once), again and again, skipping the
// servers that have had their calls.
func balancedOrder(n, calls, round int) []int {
	if n == 1 {
		return slices.Repeat([]int{0}, calls)
	}
	circuit := eulerCircuit(n)
	start := round % n
	left := slices.Repeat([]int{calls}, n)
	var order []int
	for len(order) < n*calls {
		for _, v := range circuit {
			v = (v + start) % n
			if left[v] > 0 {
				left[v]--
				order = append(order, v)
			}
		}
	}
	return order
}

// eulerCircuit returns a circuit that goes once along every edge of the
// complete directed graph of n ≥ 2 nodes (Hierholzer's algorithm), as
// the nodes it visits, starting at 0 (which it returns to, not listed
// again at the end).
func eulerCircuit(n int) []int {
	next := make([]int, n) // the next neighbour of each node to go to
	for v := range next {
		next[v] = (v + 1) % n
	}
	used := make([]int, n) // edges used out of each node
	stack, circuit := []int{0}, []int(nil)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		if used[v] == n-1 {
			circuit = append(circuit, v)
			stack = stack[:len(stack)-1]
			continue
		}
		// v's neighbours in turn, v+1 … v-1: n-1 of them, never v.
		w := next[v]
		next[v] = (w + 1) % n
		used[v]++
		stack = append(stack, w)
	}
	slices.Reverse(circuit)
	return circuit[:len(circuit)-1]
}

func sampleCounts(ns []int, samples map[int]int) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, fmt.Sprintf("%d (n = %d)", samples[n], n))
	}
	return strings.Join(parts, ", ")
}

// withCompiled adds the compiled tier (a worker per package) to modes,
// when the microfn built has it.
func (b *bench) withCompiled(modes ...[]string) [][]string {
	if b.supports("-tier") {
		modes = append(modes, []string{isolated, compiledTier})
	}
	return modes
}

// baselineIndex is the index of the baseline in specs.
func baselineIndex(specs []procSpec) int {
	for i, s := range specs {
		if s.name == "baseline" {
			return i
		}
	}
	return -1
}

// 5. interpreter cost

// interpFn is a function the interpreter-cost scenario calls.
type interpFn struct {
	name, path string
	n          string // its size, as the table shows it
	calls      int    // sampled calls per server and round
}

// interpFns are the functions of the interpreter-cost scenario: the three
// CPU-bound ones, and IsEven, whose wall time is what a call costs
// whatever it does (HTTP, and with a worker the hop to it and back).
func (b *bench) interpFns() []interpFn {
	var fns []interpFn
	for _, name := range []string{"SumSquares", "BuildString", "EncodeJSON"} {
		n := b.cfg.interpN[name]
		fns = append(fns, interpFn{name: name, path: fmt.Sprintf("/%s?n=%d", name, n), n: fmtCount(float64(n)), calls: b.cfg.interpCalls})
	}
	// An even number of calls: with three servers, each follows each
	// other one equally often (see balancedOrder).
	return append(fns, interpFn{name: "IsEven", path: "/IsEven?x=5", n: "–", calls: 6*b.cfg.interpCalls + 1})
}

func (b *bench) interp(ctx context.Context) {
	specs := b.variants(b.withCompiled([]string{isolated})...)
	fns := b.interpFns()
	walls := map[[2]int][]time.Duration{}
	// The CPU time of the calls and their number, over every round: CPU
	// time comes from /proc in clock ticks (10ms), which a sum over many
	// calls averages out.
	cpus := map[[2]int]time.Duration{}
	calls := map[[2]int]int{}
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		c := newCaller()
		base := baselineIndex(specs)
		for fi, fn := range fns {
			b.progress("interp: round %d/%d, %s", round+1, b.cfg.rounds, fn.name)
			want, _, err := c.get(ctx, ps[base].base, fn.path)
			if err != nil {
				b.fail("interp: %s on baseline: %v", fn.name, err)
				continue
			}
			ds, cpu := b.sampleCalls(ctx, c, ps, fn.path, want, fn.calls, round)
			for vi, d := range ds {
				if len(d) > 0 {
					walls[[2]int{fi, vi}] = append(walls[[2]int{fi, vi}], medianDur(d))
					cpus[[2]int{fi, vi}] += cpu[vi]
					calls[[2]int{fi, vi}] += len(d)
				}
			}
		}
		c.close()
		for _, p := range ps {
			b.stopProc(p)
		}
	}
	cpuPerCall := map[[2]int]time.Duration{}
	for k, n := range calls {
		cpuPerCall[k] = cpus[k] / time.Duration(n)
	}
	b.interpReport(specs, fns, walls, cpuPerCall)
}

// interpReport prints the interpreter-cost section: walls are the
// medians of each round, cpus the CPU time per call over every round
// (0 if unknown), by function and server.
func (b *bench) interpReport(specs []procSpec, fns []interpFn, walls map[[2]int][]time.Duration, cpus map[[2]int]time.Duration) {
	s := b.newSection("interp", "5. Interpreter cost",
		fmt.Sprintf("CPU-bound functions called once per request with a large n, one call at a time: the wall time is almost all execution, so the ratio is what interpreting with yaegi costs against compiled Go, and for the compiled tier what running the same compiled code in a worker costs. "+
			"`SumSquares` is arithmetic in a loop, `BuildString` calls strconv and strings.Builder in a loop, `EncodeJSON` builds n structs and runs encoding/json over them; `IsEven` does nothing, so its wall time is what any call costs (HTTP, and for microfn the hop to the worker and back). "+
			"Median of %d calls (IsEven: %d) after a warm-up call, the servers taking turns call by call in an order in which each follows each other one equally often (right after a long call to another server, a call was about twice as slow on a loaded machine), then the median of %d round(s). "+
			"CPU per call is the CPU time of the server's process tree (microfn: the server and its worker) during its calls ÷ calls, over every round (from /proc, in clock ticks of 10ms: a figure of a few milliseconds is rough), which waiting for a core on a busy machine does not move.", b.cfg.interpCalls, 6*b.cfg.interpCalls+1, b.cfg.rounds))
	tab := table{header: []string{"function", "n", "server", "wall", "÷ baseline", "CPU/call", "÷ baseline"}}
	base := baselineIndex(specs)
	var logs []float64
	for fi, fn := range fns {
		bw := medianDur(walls[[2]int{fi, base}])
		bc := cpus[[2]int{fi, base}]
		for vi, spec := range specs {
			w := medianDur(walls[[2]int{fi, vi}])
			cpu := cpus[[2]int{fi, vi}]
			r, rc := "", ""
			if vi != base {
				q := ratio(float64(w), float64(bw))
				r = fmtRatio(q)
				rc = fmtRatio(ratio(float64(cpu), float64(bc)))
				if vi == 0 && fn.name != "IsEven" && !math.IsNaN(q) {
					logs = append(logs, math.Log(q))
				}
			}
			tab.rows = append(tab.rows, []string{fn.name, fn.n, spec.name, fmtDur(w), r, fmtDur(cpu), rc})
		}
	}
	s.tables = append(s.tables, tab)
	if len(logs) > 0 {
		var sum float64
		for _, l := range logs {
			sum += l
		}
		s.notes = append(s.notes, fmt.Sprintf("Geometric mean of microfn ÷ baseline over the three CPU-bound functions: %s. The issue sets no goal for this scenario.", fmtRatio(math.Exp(sum/float64(len(logs))))))
	}
	b.print(s)
}

// 6. policies

func (b *bench) policies(ctx context.Context) {
	targets := []target{
		{name: "Guarded", method: http.MethodGet, path: "/Guarded?x=5", want: "false\n"},
		{name: "Bare", method: http.MethodGet, path: "/Bare?x=5", want: "false\n"},
	}
	res := map[int][]loadResult{}
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, []procSpec{b.microfnSpec(b.benchPkg, isolated)})
		if ps == nil {
			return
		}
		b.progress("policies: round %d/%d", round+1, b.cfg.rounds)
		rs := b.interleaved(ctx, []loadRun{{ps[0], targets[0]}, {ps[0], targets[1]}}, b.cfg.duration, round)
		for ti, r := range rs {
			if r.errors > 0 {
				b.fail("policies: %s: %d of %d requests failed, such as: %s", targets[ti].name, r.errors, r.requests, r.sample)
			}
			r.lat = nil
			res[ti] = append(res[ti], r)
		}
		b.stopProc(ps[0])
	}
	g, bare := summarize(res[0]), summarize(res[1])

	guarded, bareOpts := annotation("Guarded"), annotation("Bare")
	s := b.newSection("policies", "6. Policy machinery",
		"The same trivial function under two annotations, on one microfn server (`"+isolated+"`: the policies run in the server, the calls in the package's worker process): "+
			"`Guarded` sets every option that does work on the success path (`"+guarded+"`), "+
			"`Bare` the lightest policy there is (`"+bareOpts+"`: one attempt, a limiter that never makes a call wait). "+
			"microfn runs every call through `policy.Do` and the limiter whatever the options, so no annotation turns the machinery off: the A/B isolates what the options add (a budget context, a backoff that is never used, a limiter at its scale). "+
			fmt.Sprintf("With %d connections and scale=64 no call waits for a slot, so the difference is overhead, not queueing. "+
				"The two take turns in slices of about 2s, %s per function and round, %d round(s). Overhead = Guarded's cost over Bare's − 1, judged on server CPU per request (which the load generator's share of the machine does not move), req/s shown too. "+
				"The second table measures in process what the policy package itself costs per call under each annotation: `policy.Do` around a limiter `Acquire`/`release` with a fresh chain per call, on %d goroutines, in CPU time.", b.cfg.conns, b.cfg.duration, b.cfg.rounds, b.cfg.nproc))
	tab := table{header: []string{"function", "req/s", "p50", "p99", "errors", "CPU/req"}}
	for ti, t := range targets {
		m := summarize(res[ti])
		tab.rows = append(tab.rows, []string{t.name, fmtCount(m.rps), fmtDur(m.p50), fmtDur(m.p99), strconv.Itoa(m.errors), fmtDur(m.cpu)})
	}
	s.tables = append(s.tables, tab)
	// The goal is judged on CPU per request, which the load generator's
	// share of the machine does not move; req/s, noisier, is shown too.
	over := ratio(bare.rps, g.rps) - 1
	overCPU := ratio(float64(g.cpu), float64(bare.cpu)) - 1
	judged := overCPU
	measured := fmt.Sprintf("%+.1f%% CPU/req (req/s: %+.1f%%)", overCPU*100, over*100)
	if math.IsNaN(overCPU) {
		judged, measured = over, fmt.Sprintf("%+.1f%% req/s", over*100)
	}
	b.addGoal("policy overhead (Guarded vs Bare)", "≤ 10%", measured, judged, 0.10, false)

	floor := table{header: []string{"policy", "Do + Acquire + release, per call", "share of microfn's CPU per IsEven call"}}
	for _, pc := range []struct{ name, opts string }{{"Guarded", guarded}, {"Bare", bareOpts}} {
		per, err := policyFloor(ctx, pc.opts, b.cfg.nproc, b.cfg.policyTime)
		if err != nil {
			b.fail("policies: in-process measurement of %s: %v", pc.name, err)
			continue
		}
		share := "–"
		if b.directCPU > 0 {
			share = fmt.Sprintf("%.1f%%", 100*float64(per)/float64(b.directCPU))
		}
		floor.rows = append(floor.rows, []string{pc.name, fmtDur(per), share})
	}
	s.tables = append(s.tables, floor)
	if b.directCPU == 0 {
		s.notes = append(s.notes, "Run the direct scenario too to see the share of a call's CPU.")
	}
	b.print(s)
}

// policyFloor measures, in process, the CPU cost of one call through
// policy.Do and a limiter under the options opts: workers goroutines
// call in a loop for d; the result is this process's CPU time (from
// getrusage, so CPU the rest of the machine takes does not count) ÷ calls.
func policyFloor(ctx context.Context, opts string, workers int, d time.Duration) (time.Duration, error) {
	p := policy.Default()
	for _, kv := range strings.Fields(opts) {
		k, v, _ := strings.Cut(kv, "=")
		if err := p.Set(k, v); err != nil {
			return 0, err
		}
	}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	lim := policy.NewLimiter(p.Scale, p.Queue)
	var calls atomic.Int64
	var failed atomic.Value
	deadline := time.Now().Add(d)
	cpu0 := selfCPU()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				for range 64 {
					chain := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(n)
					n++
					_, err := p.Do(ctx, func(ctx context.Context, _ int) error {
						release, err := lim.Acquire(ctx, chain)
						if err != nil {
							return err
						}
						release()
						return nil
					})
					if err != nil {
						failed.Store(err)
						return
					}
				}
				calls.Add(64)
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return 0, err
	}
	if calls.Load() == 0 {
		return 0, fmt.Errorf("no calls")
	}
	return (selfCPU() - cpu0) / time.Duration(calls.Load()), nil
}

// selfCPU returns the user and system CPU time of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// 7. reload

func (b *bench) reload(ctx context.Context) {
	modes := []string{isolated, notIsolated}
	s := b.newSection("reload", "7. Live reload",
		fmt.Sprintf("microfn serving a generated package of 1, 10 or 100 services with file watching on, in each isolation mode (with `%s` a reload starts a new worker process for the new version and retires the old one). Each step rewrites the package's file so that `V` returns a new value, then polls `GET /V` every millisecond until the new value comes back: the time from the write to that answer is the save-to-served latency, %d reloads per size and mode. "+
			"The module table does the same for a Go module of 10 packages, a leaf library imported by 9 service packages: each step rewrites the leaf, and the latency runs until the last of the 9 packages serves the new value (each of them is reloaded, at most 4 at once). "+
			"Then memory: a fresh server (`%s`) with the 10-service package, reloaded %d and then %d times in all; RSS and PSS are summed over the server's process tree from /proc one second after the last reload (processes counts them: the server and its live workers), live heap is the server process's heap left after its last garbage collection (GODEBUG=gctrace=1).",
			isolated, b.cfg.reloadReps, isolated, b.cfg.memReloads[0], b.cfg.memReloads[1]))
	tab := table{header: []string{"mode", "services", "reloads", "p50", "p99", "max", "failed"}}
	for _, mode := range modes {
		for _, n := range b.cfg.reloadSizes {
			lat, failed := b.reloadRun(ctx, n, b.cfg.reloadReps, mode, nil)
			tab.rows = append(tab.rows, []string{mode, strconv.Itoa(n), strconv.Itoa(len(lat)), fmtDur(quantile(lat, 0.5)), fmtDur(quantile(lat, 0.99)), fmtDur(quantile(lat, 1)), strconv.Itoa(failed)})
			if n == 10 {
				p50, p99 := quantile(lat, 0.5), quantile(lat, 0.99)
				label := modeLabel(procSpec{name: mode})
				b.addGoal("reload p50, 10 services, "+label, "≤ 50ms", fmtDur(p50), orNaN(p50), float64(50*time.Millisecond), false)
				b.addGoal("reload p99, 10 services, "+label, "≤ 150ms", fmtDur(p99), orNaN(p99), float64(150*time.Millisecond), false)
			}
		}
	}
	s.tables = append(s.tables, tab)

	// A module of 10 packages: a leaf library imported by 9 service
	// packages. Saving the leaf reloads all 9; a reload is served when
	// every one of them answers with the leaf's new value.
	mod := table{header: []string{"mode", "module", "reloads", "p50", "p99", "max", "failed"}}
	for _, mode := range modes {
		lat, failed := b.reloadModuleRun(ctx, 9, b.cfg.reloadReps, mode)
		mod.rows = append(mod.rows, []string{mode, "leaf imported by 9 packages", strconv.Itoa(len(lat)), fmtDur(quantile(lat, 0.5)), fmtDur(quantile(lat, 0.99)), fmtDur(quantile(lat, 1)), strconv.Itoa(failed)})
	}
	s.tables = append(s.tables, mod)

	mem := table{header: []string{"reloads", "processes", "RSS", "PSS", "live heap (server)"}}
	marks := []int{0, b.cfg.memReloads[0], b.cfg.memReloads[1]}
	_, failed := b.reloadRun(ctx, 10, b.cfg.memReloads[1], isolated, func(done int, p *proc) {
		for _, m := range marks {
			if done == m {
				time.Sleep(time.Second)
				heap := "–"
				if h := p.liveHeapMiB(); h >= 0 {
					heap = fmt.Sprintf("%d MiB", h)
				}
				ms := p.mem()
				mem.rows = append(mem.rows, []string{strconv.Itoa(done), strconv.Itoa(ms.procs), fmtMiB(ms.rss), fmtMiB(ms.pss), heap})
			}
		}
	})
	if failed > 0 {
		s.notes = append(s.notes, fmt.Sprintf("%d reloads of the memory run failed.", failed))
	}
	s.tables = append(s.tables, mem)
	b.print(s)
}

// reloadRun starts microfn (watching, in the isolation mode given by the
// flag mode) on a fresh package of n services, reloads it reps times and
// returns the save-to-served latencies and the number of reloads that
// were not served within 10s. after, if not nil, is called after start-up
// (0) and after each reload.
func (b *bench) reloadRun(ctx context.Context, n, reps int, mode string, after func(done int, p *proc)) ([]time.Duration, int) {
	dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("reload%d-%d", n, time.Now().UnixNano()))
	defer os.RemoveAll(dir)
	if err := writeManyPackage(dir, n, 0); err != nil {
		b.fail("reload: %v", err)
		return nil, reps
	}
	spec := procSpec{name: "microfn (watching) " + mode, argv: []string{b.microfnBin, "serve", dir, "--addr", "{addr}", "--quiet", mode}, ready: "/V", env: []string{"GODEBUG=gctrace=1"}}
	if b.supports("-tier") {
		spec.argv = append(spec.argv, "--tier=interpreted")
	}
	p, _, err := b.start(ctx, spec, 60*time.Second)
	if err != nil {
		b.fail("reload: start microfn: %v", err)
		return nil, reps
	}
	defer b.stopProc(p)
	if after != nil {
		after(0, p)
	}
	c := newCaller()
	defer c.close()
	var lat []time.Duration
	failed := 0
	file := filepath.Join(dir, "many.go")
	b.progress("reload: %d services, %s, %d reloads", n, mode, reps)
	for i := 1; i <= reps && ctx.Err() == nil; i++ {
		want := strconv.Itoa(i) + "\n"
		src := manySource(n, i)
		start := time.Now()
		if err := os.WriteFile(file, src, 0o644); err != nil {
			b.fail("reload: %v", err)
			return lat, failed + reps - i + 1
		}
		served := false
		for time.Since(start) < 10*time.Second && ctx.Err() == nil {
			got, _, err := c.get(ctx, p.base, "/V")
			if err == nil && got == want {
				served = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		if served {
			lat = append(lat, time.Since(start))
		} else {
			failed++
			b.fail("reload: %d services, %s, reload %d: the new value was not served within 10s; microfn's log ends with:\n%s", n, mode, i, indent(p.log.lastLines(10)))
		}
		if after != nil {
			after(i, p)
		}
		if i%100 == 0 {
			b.progress("reload: %d services, %d/%d reloads", n, i, reps)
		}
	}
	return lat, failed
}

// reloadModuleRun starts microfn (watching, in mode) on a fresh module of
// a leaf library and n service packages that import it, rewrites the leaf
// reps times and returns the latencies from each write to the moment the
// last of the n packages serves the new value, and the number of reloads
// not served within 10s.
func (b *bench) reloadModuleRun(ctx context.Context, n, reps int, mode string) ([]time.Duration, int) {
	dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("module%d-%d", n, time.Now().UnixNano()))
	defer os.RemoveAll(dir)
	leaf := func(v int) []byte {
		return fmt.Appendf(nil, "// Package leaf is a library every service package imports.\npackage leaf\n\n// Value is the value the services return.\nfunc Value() int { return %d }\n", v)
	}
	files := map[string][]byte{
		"go.mod":       []byte("module example.com/bench\n\ngo 1.22\n"),
		"leaf/leaf.go": leaf(0),
	}
	for k := 1; k <= n; k++ {
		files[fmt.Sprintf("p%d/p.go", k)] = fmt.Appendf(nil, "package p%d\n\nimport \"example.com/bench/leaf\"\n\n// V returns the leaf's value.\n//\n//microfn:service\nfunc V() int { return leaf.Value() }\n", k)
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		err := os.MkdirAll(filepath.Dir(p), 0o755)
		if err == nil {
			err = os.WriteFile(p, src, 0o644)
		}
		if err != nil {
			b.fail("module reload: %v", err)
			return nil, reps
		}
	}
	spec := procSpec{name: "microfn (watching a module) " + mode, argv: []string{b.microfnBin, "serve", dir, "--addr", "{addr}", "--quiet", mode}, ready: fmt.Sprintf("/p%d/V", n)}
	if b.supports("-tier") {
		spec.argv = append(spec.argv, "--tier=interpreted")
	}
	p, _, err := b.start(ctx, spec, 60*time.Second)
	if err != nil {
		b.fail("module reload: start microfn: %v", err)
		return nil, reps
	}
	defer b.stopProc(p)
	c := newCaller()
	defer c.close()
	var lat []time.Duration
	failed := 0
	b.progress("module reload: leaf imported by %d packages, %s, %d reloads", n, mode, reps)
	for i := 1; i <= reps && ctx.Err() == nil; i++ {
		want := strconv.Itoa(i) + "\n"
		start := time.Now()
		if err := os.WriteFile(filepath.Join(dir, "leaf", "leaf.go"), leaf(i), 0o644); err != nil {
			b.fail("module reload: %v", err)
			return lat, failed + reps - i + 1
		}
		pending := n
		next := 1
		for pending > 0 && time.Since(start) < 10*time.Second && ctx.Err() == nil {
			got, _, err := c.get(ctx, p.base, fmt.Sprintf("/p%d/V", next))
			if err == nil && got == want {
				pending--
				next++
				continue
			}
			time.Sleep(time.Millisecond)
		}
		if pending == 0 {
			lat = append(lat, time.Since(start))
		} else {
			failed++
			b.fail("module reload: %s, reload %d: %d packages did not serve the new value within 10s; microfn's log ends with:\n%s", mode, i, pending, indent(p.log.lastLines(10)))
		}
	}
	return lat, failed
}

// 8. start-up

func (b *bench) startup(ctx context.Context) {
	ready := map[int][]time.Duration{}
	rss := map[int][]int64{}
	const baseN = -1 // the baseline's row
	dirs := map[int]string{}
	for _, n := range b.cfg.startSizes {
		dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("startup%d", n))
		if err := writeManyPackage(dir, n, 0); err != nil {
			b.fail("startup: %v", err)
			return
		}
		dirs[n] = dir
	}
	sizes := append([]int{baseN}, b.cfg.startSizes...)
	for round := range b.cfg.startRounds {
		for _, i := range rotate(len(sizes), round) {
			n := sizes[i]
			spec := procSpec{name: fmt.Sprintf("microfn, %d services", n), argv: []string{b.microfnBin, "serve", dirs[n], "--addr", "{addr}", "--quiet", "--no-watch", isolated}, ready: "/V"}
			if b.supports("-tier") {
				spec.argv = append(spec.argv, "--tier=interpreted")
			}
			if n == baseN {
				spec = b.baselineSpec()
				spec.ready = "/IsEven?x=1"
			}
			b.progress("startup: round %d/%d, %s", round+1, b.cfg.startRounds, spec.name)
			p, took, err := b.start(ctx, spec, 60*time.Second)
			if err != nil {
				b.fail("startup: %v", err)
				continue
			}
			ready[n] = append(ready[n], took)
			time.Sleep(500 * time.Millisecond)
			rss[n] = append(rss[n], p.rssKiB())
			b.stopProc(p)
		}
	}
	s := b.newSection("startup", "8. Start-up",
		fmt.Sprintf("Time from starting the process to the first 200 from a service (`GET /V` of a generated package of n services, `--no-watch %s`: the server and one worker process; the baseline's `/IsEven`), and RSS of the process tree half a second later, idle. Median of %d round(s). RSS after load is in the direct scenario's memory table, and for many packages in the memory scenario.", isolated, b.cfg.startRounds))
	tab := table{header: []string{"server", "services", "ready", "RSS idle"}}
	for _, n := range sizes {
		name, count := "microfn", strconv.Itoa(n)
		if n == baseN {
			name, count = "baseline", "–"
		}
		r := medianDur(ready[n])
		tab.rows = append(tab.rows, []string{name, count, fmtDur(r), fmtMiB(medianKiB(rss[n]))})
		if n == 1000 {
			b.addGoal("1,000 services ready", "< 2s", fmtDur(r), orNaN(r), float64(2*time.Second), false)
		}
	}
	s.tables = append(s.tables, tab)
	b.print(s)
}
