package main

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// 11. The production application

// appName names the application in tables: the executable microfn build
// makes of the bench package, served by its own "serve".
const appName = "app (microfn build)"

// appExe builds the application of the bench package once (microfn build
// DIR -o FILE: every package compiled, the supervisor included, no
// interpreter at run time) and returns its path; later calls return the
// same path, or the same error.
func (b *bench) appExe(ctx context.Context) (string, error) {
	if b.appBin != "" || b.appErr != nil {
		return b.appBin, b.appErr
	}
	exe := filepath.Join(b.tmp, "app")
	b.progress("building the application of the bench package (microfn build)")
	start := time.Now()
	cmd := exec.CommandContext(ctx, b.microfnBin, "build", b.benchPkg, "-o", exe)
	cmd.Dir = b.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.appErr = fmt.Errorf("microfn build: %v\n%s", err, out)
		return "", b.appErr
	}
	b.appBin, b.appBuild = exe, time.Since(start)
	return exe, nil
}

// appSpec is the application serving what it was built with, as in
// production: no folder, no watching, no Go toolchain at work; extra
// flags are added to serve's.
func (b *bench) appSpec(exe string, extra ...string) procSpec {
	name := appName
	if len(extra) > 0 {
		name += " " + strings.Join(extra, " ")
	}
	return procSpec{name: name, argv: append([]string{exe, "serve", "--addr", "{addr}", "--quiet", "--no-watch"}, extra...), ready: "/readyz"}
}

// withApp inserts the application before the baseline in specs, when it
// builds; a failed build is a failure, and specs are returned unchanged.
func (b *bench) withApp(ctx context.Context, specs []procSpec) []procSpec {
	exe, err := b.appExe(ctx)
	if err != nil {
		b.fail("%v", err)
		return specs
	}
	base := baselineIndex(specs)
	out := append([]procSpec{}, specs[:base]...)
	out = append(out, b.appSpec(exe))
	return append(out, specs[base:]...)
}

// loadedLine is the supervisor's log line of a package loaded, with how
// long its worker took.
var loadedLine = regexp.MustCompile(`loaded \S+ in ([0-9.]+[µmn]?s)`)

// app measures the production executable against the baseline: its cold
// start (exec to the first 200 of a service), direct calls under load,
// nested calls (Fib), and the memory of its process tree idle and after
// the load.
func (b *bench) app(ctx context.Context) {
	exe, err := b.appExe(ctx)
	if err != nil {
		b.fail("app: %v", err)
		return
	}
	size := "–"
	if st, err := os.Stat(exe); err == nil {
		size = fmtMiB(st.Size() >> 10)
	}

	// Cold starts: the application (with a worker, and without), the
	// baseline and microfn serve (interpreted) in turn, the first start
	// of each unmeasured (it reads the executable into the page cache).
	type starter struct {
		spec   procSpec
		ready  []time.Duration
		loaded []time.Duration
	}
	service := "/IsEven?x=1"
	interp := b.microfnSpec(b.benchPkg, isolated)
	interp.name = "microfn serve " + isolated + " --tier=interpreted"
	starters := []*starter{{spec: b.appSpec(exe)}, {spec: b.appSpec(exe, notIsolated)}, {spec: b.baselineSpec()}, {spec: interp}}
	const baseStarter = 2
	for _, s := range starters {
		s.spec.ready = service
	}
	for round := range b.cfg.appStarts + 1 {
		if ctx.Err() != nil {
			return
		}
		b.progress("app: cold start %d/%d", round, b.cfg.appStarts)
		for _, i := range rotate(len(starters), round) {
			s := starters[i]
			p, took, err := b.start(ctx, s.spec, time.Minute)
			if err != nil {
				b.fail("app: start %s: %v", s.spec.name, err)
				continue
			}
			b.stopProc(p)
			if round == 0 {
				continue
			}
			s.ready = append(s.ready, took)
			if m := loadedLine.FindAllStringSubmatch(p.log.String(), -1); len(m) > 0 {
				if d, err := time.ParseDuration(m[len(m)-1][1]); err == nil {
					s.loaded = append(s.loaded, d)
				}
			}
		}
	}

	// Direct calls, nested calls and memory: the application (with a
	// worker, and without) and the baseline side by side.
	specs := []procSpec{b.appSpec(exe), b.appSpec(exe, notIsolated), b.baselineSpec()}
	base := len(specs) - 1
	targets := []target{
		{name: "IsEven GET", method: http.MethodGet, path: "/IsEven?x=5", want: "false\n"},
		{name: "IsEven POST", method: http.MethodPost, path: "/IsEven", body: `{"x":5}`, want: "false\n"},
	}
	res := map[[2]int][]loadResult{}
	idle := map[int][]memSample{}
	after := map[int][]memSample{}
	walls := map[[2]int][]time.Duration{}
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		b.checkAnswers(ctx, ps)
		time.Sleep(b.cfg.memIdle)
		for i, p := range ps {
			idle[i] = append(idle[i], p.mem())
		}
		for ti, t := range targets {
			b.progress("app: round %d/%d, %s", round+1, b.cfg.rounds, t.name)
			runs := make([]loadRun, len(ps))
			for vi, p := range ps {
				runs[vi] = loadRun{p, t}
			}
			for vi, r := range b.interleaved(ctx, runs, b.cfg.duration, round) {
				if r.errors > 0 {
					b.fail("app: %s on %s: %d of %d requests failed, such as: %s", t.name, ps[vi].spec.name, r.errors, r.requests, r.sample)
				}
				r.lat = nil
				res[[2]int{ti, vi}] = append(res[[2]int{ti, vi}], r)
			}
		}
		for i, p := range ps {
			after[i] = append(after[i], p.mem())
		}
		c := newCaller()
		for ni, n := range b.cfg.fibNs {
			b.progress("app: round %d/%d, Fib(%d)", round+1, b.cfg.rounds, n)
			ds, _ := b.sampleCalls(ctx, c, ps, fmt.Sprintf("/Fib?n=%d", n), strconv.Itoa(fib(n))+"\n", b.cfg.fibSamples[n], round)
			for vi, d := range ds {
				if len(d) > 0 {
					walls[[2]int{ni, vi}] = append(walls[[2]int{ni, vi}], medianDur(d))
				}
			}
		}
		c.close()
		for _, p := range ps {
			b.stopProc(p)
		}
	}

	s := b.newSection("app", "11. The production application",
		fmt.Sprintf("`microfn build DIR -o app` of the bench package (the functions of `bench/baseline/fns.go` and the self-calling `Fib`): one executable, %s, built in %s, with every package compiled and the supervisor included; `app serve --no-watch` serves it with no interpreter at work, its workers the executable itself (a worker process per package, as `%s`). "+
			"Cold start is the time from starting the process to the first 200 of a service (`GET %s`, polled every 2ms on a new connection), for the application (as served by default, and with `%s`: its compiled code in the supervisor's process, no worker), the baseline and, for reference, `microfn serve %s --tier=interpreted` on the same folder; they start in turn, %d measured rounds after an unmeasured one each; \"worker loaded\" is the time the supervisor logs for the package's worker to load (the rest is the supervisor's own start and the first call). "+
			"Then the application (both ways) and the baseline side by side: direct calls as in the direct scenario (%d connections, %s per server and round in slices of about 2s taking turns, after a %s warm-up; the load comes from %s), nested calls as in the nested scenario (Fib(n), one call at a time, taking turns call by call), and the memory of each process tree (by default the application's supervisor and its worker), %s after start and again after the direct loads. Medians of %d round(s); ratios are the application's figure over the baseline's.",
			size, fmtDur(b.appBuild), isolated, service, notIsolated, isolated, b.cfg.appStarts, b.cfg.conns, b.cfg.duration, b.cfg.warmup, b.loadgenDesc(), b.cfg.memIdle, b.cfg.rounds))

	cold := table{header: []string{"server", "starts", "ready p50", "ready min", "ready max", "worker loaded p50", "÷ baseline"}}
	baseReady := medianDur(starters[baseStarter].ready)
	for i, st := range starters {
		r := ""
		if i != baseStarter {
			r = fmtRatio(ratio(float64(medianDur(st.ready)), float64(baseReady)))
		}
		cold.rows = append(cold.rows, []string{st.spec.name, strconv.Itoa(len(st.ready)), fmtDur(medianDur(st.ready)), fmtDur(quantile(st.ready, 0)), fmtDur(quantile(st.ready, 1)), fmtDur(medianDur(st.loaded)), r})
	}
	s.tables = append(s.tables, cold)
	ar := medianDur(starters[0].ready)
	b.addGoal("app cold start p50", "≤ 50ms", fmt.Sprintf("%s (baseline %s)", fmtDur(ar), fmtDur(baseReady)), orNaN(ar), float64(50*time.Millisecond), false)

	direct := table{header: []string{"endpoint", "server", "req/s", "p50", "p99", "errors", "CPU/req", "req/s ÷ baseline", "p50 ÷ baseline", "p99 ÷ baseline", "CPU/req ÷ baseline"}}
	for ti, t := range targets {
		bm := summarize(res[[2]int{ti, base}])
		for vi, spec := range specs {
			m := summarize(res[[2]int{ti, vi}])
			rr, r50, r99, rc := "", "", "", ""
			if vi != base {
				rr, r50 = fmtRatio(ratio(m.rps, bm.rps)), fmtRatio(ratio(float64(m.p50), float64(bm.p50)))
				r99, rc = fmtRatio(ratio(float64(m.p99), float64(bm.p99))), fmtRatio(ratio(float64(m.cpu), float64(bm.cpu)))
			}
			if vi == 0 {
				q := ratio(m.rps, bm.rps)
				b.addGoal("app "+t.name+" req/s", "close to 1× baseline (≥ 0.9×)", fmtRatio(q)+fmt.Sprintf(" (%s vs %s req/s; p99 %s vs %s)", fmtCount(m.rps), fmtCount(bm.rps), fmtDur(m.p99), fmtDur(bm.p99)), q, 0.9, true)
			}
			direct.rows = append(direct.rows, []string{t.name, spec.name, fmtCount(m.rps), fmtDur(m.p50), fmtDur(m.p99), strconv.Itoa(m.errors), fmtDur(m.cpu), rr, r50, r99, rc})
		}
	}
	s.tables = append(s.tables, direct)

	nested := table{header: []string{"n", "calls", "server", "wall", "per nested call", "÷ baseline"}}
	for ni, n := range b.cfg.fibNs {
		calls := 2*fib(n) - 1
		bw := medianDur(walls[[2]int{ni, base}])
		for vi, spec := range specs {
			w := medianDur(walls[[2]int{ni, vi}])
			r := ""
			if vi != base {
				q := ratio(float64(w), float64(bw))
				r = fmtRatio(q)
				if vi == 0 && ni == len(b.cfg.fibNs)-1 {
					b.addGoal(fmt.Sprintf("app nested Fib(%d) cost per call", n), "≤ 1.5× baseline", r+fmt.Sprintf(" (%s vs %s)", fmtDur(w/time.Duration(calls-1)), fmtDur(bw/time.Duration(calls-1))), q, 1.5, false)
				}
			}
			nested.rows = append(nested.rows, []string{strconv.Itoa(n), fmtCount(float64(calls)), spec.name, fmtDur(w), fmtDur(w / time.Duration(calls-1)), r})
		}
	}
	s.tables = append(s.tables, nested)

	mem := table{header: []string{"server", "processes", "RSS idle", "PSS idle", "RSS after load", "PSS after load", "supervisor RSS / PSS idle", "worker RSS / PSS idle"}}
	for vi, spec := range specs {
		im, am := medianMem(idle[vi]), maxMem(after[vi])
		sup, wrk := "–", "–"
		if im.procs > 1 {
			sup = fmtMiB(im.rootRSS) + " / " + fmtMiB(im.rootPSS)
			w := int64(im.procs - 1)
			wrk = fmtMiB((im.rss-im.rootRSS)/w) + " / " + fmtMiB((im.pss-im.rootPSS)/w)
		}
		mem.rows = append(mem.rows, []string{spec.name, strconv.Itoa(im.procs), fmtMiB(im.rss), fmtMiB(im.pss), fmtMiB(am.rss), fmtMiB(am.pss), sup, wrk})
	}
	s.tables = append(s.tables, mem)
	if sum, top := b.appInit(ctx, exe, 10); sum > 0 {
		s.notes = append(s.notes, fmt.Sprintf("Package initialisation of the executable, which the supervisor and each worker pay once per process: %s (`GODEBUG=inittrace=1 app routes`, 10 runs, the sum over packages of each one's fastest init), the largest %s.", fmtDur(sum), top))
	}
	s.notes = append(s.notes, "The application runs its service code in a worker process, the same executable started again, as `microfn serve` does by default: a direct call crosses from the supervisor to the worker and back over a Unix socket, and a nested call crosses four times; the baseline serves and calls in one process. "+
		"RSS counts the executable's pages in each process, PSS shares them out between the supervisor and its worker. "+
		"The direct and nested scenarios measure the application too, next to microfn serve in each mode. "+
		"microfn build strips the executable (`-ldflags=-s -w`; `MICROFN_SYMBOLS=1` in the environment keeps its symbols), so perf cannot name its functions here: the supervisor is microfn's server code, which `--perf` profiles in the direct scenario.")
	b.print(s)
}

// initLine is a line of GODEBUG=inittrace=1: the package and its clock
// time.
var initLine = regexp.MustCompile(`(?m)^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// appInit runs the application's routes command runs times with
// GODEBUG=inittrace=1 and returns the sum over its packages of their
// fastest initialisation, and the three slowest of those, described.
func (b *bench) appInit(ctx context.Context, exe string, runs int) (time.Duration, string) {
	fastest := map[string]float64{}
	for range runs {
		cmd := exec.CommandContext(ctx, exe, "routes")
		cmd.Dir = b.tmp
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return 0, ""
		}
		for _, m := range initLine.FindAllStringSubmatch(string(out), -1) {
			ms, err := strconv.ParseFloat(m[2], 64)
			if err != nil {
				continue
			}
			if old, ok := fastest[m[1]]; !ok || ms < old {
				fastest[m[1]] = ms
			}
		}
	}
	type pkg struct {
		name string
		ms   float64
	}
	var pkgs []pkg
	var sum float64
	for name, ms := range fastest {
		pkgs = append(pkgs, pkg{name, ms})
		sum += ms
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return cmp.Compare(b.ms, a.ms) })
	var top []string
	for _, p := range pkgs[:min(3, len(pkgs))] {
		top = append(top, fmt.Sprintf("%s (%s)", p.name, fmtDur(time.Duration(p.ms*float64(time.Millisecond)))))
	}
	return time.Duration(sum * float64(time.Millisecond)), strings.Join(top, ", ")
}
