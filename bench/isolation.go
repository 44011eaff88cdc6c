package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// 3. memory

// memory starts microfn on 1, 10 and 100 generated packages (two
// services each), in each isolation mode, with compiled workers, and with
// idle workers scaled to zero, and samples the memory of its process tree
// idle and after a load spread over every package (over the first
// scaledInUse packages only with --scale-to-zero: the others stay idle,
// their workers stopped).
func (b *bench) memory(ctx context.Context) {
	type row struct {
		mode        string
		n           int
		ready       time.Duration
		idle, after memSample
		load        loadResult
	}
	var rows []row
	for _, n := range b.cfg.memSizes {
		dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("memory%d", n))
		names, err := writeMemPackages(dir, n)
		if err != nil {
			b.fail("memory: %v", err)
			return
		}
		modes := [][]string{{isolated}}
		if b.hasShared {
			modes = append(modes, []string{sharedWorker})
		}
		modes = append(modes, []string{notIsolated})
		if b.supports("-tier") {
			modes = append(modes, []string{isolated, compiledTier})
		}
		if b.supports("-scale-to-zero") && n > scaledInUse {
			modes = append(modes, []string{isolated, scaleToZero})
		}
		for _, flags := range modes {
			if ctx.Err() != nil {
				return
			}
			mode := strings.Join(flags, " ")
			b.progress("memory: %d packages, %s", n, mode)
			spec := b.microfnSpec(dir, flags...)
			scaled := slices.Contains(flags, scaleToZero)
			p, took, err := b.start(ctx, spec, 5*time.Minute)
			if err != nil {
				b.fail("memory: start %s on %d packages: %v", spec.name, n, err)
				continue
			}
			if !b.checkPackages(ctx, p, names) {
				b.stopProc(p)
				continue
			}
			idle := b.cfg.memIdle
			inUse := names
			if scaled {
				// Long enough for every worker to be stopped.
				idle = max(idle, scaleToZeroAfter+time.Second)
				inUse = names[:scaledInUse]
			}
			time.Sleep(idle)
			r := row{mode: mode, n: n, ready: took, idle: p.mem()}
			t := target{name: "IsEven GET, every package", method: http.MethodGet, want: "false\n"}
			for i, name := range inUse {
				path := "/" + name + "/IsEven?x=5"
				if i == 0 {
					t.path = path
				} else {
					t.more = append(t.more, path)
				}
			}
			if b.cfg.warmup > 0 {
				b.generate(ctx, p.base, t, b.cfg.warmup)
			}
			r.load = b.generate(ctx, p.base, t, b.cfg.duration)
			r.after = p.mem()
			if r.load.errors > 0 {
				b.fail("memory: %s on %d packages: %d of %d requests failed, such as: %s", spec.name, n, r.load.errors, r.load.requests, r.load.sample)
			}
			rows = append(rows, r)
			b.stopProc(p)
		}
	}

	s := b.newSection("memory", "3. Memory",
		fmt.Sprintf("microfn serving %s generated packages of two services each (`V` and `IsEven`), `--no-watch`, in each isolation mode: with `%s` a worker process per package, with `%s` (if the microfn built has it) one worker process for every package, with `%s` one process. "+
			"Memory is summed over the server's process tree, from /proc: RSS (VmRSS) counts in every process the pages of the executable it maps, so the workers' shared copy of microfn's code is counted once per worker; PSS (Pss of /proc/PID/smaps_rollup) shares each page out among the processes that map it, so it adds up to what the tree really holds. "+
			"With `"+scaleToZero+"`, the load goes to the first "+strconv.Itoa(scaledInUse)+" packages only, after every worker was stopped (idle is sampled then): the others stay without a worker. With `"+compiledTier+"`, every worker is a compiled worker executable. "+
			"Idle is %s after every package answered once; after load is right after %s of `GET /pNNN/IsEven?x=5` over every package in turn (%d connections, after a %s warm-up). Ready is the time from starting the server to its first 200 on `/readyz` (every package loaded).",
			joinInts(b.cfg.memSizes), isolated, sharedWorker, notIsolated, b.cfg.memIdle, b.cfg.duration, b.cfg.conns, b.cfg.warmup))
	tab := table{header: []string{"mode", "packages", "processes", "ready", "RSS idle", "PSS idle", "RSS after load", "PSS after load", "req/s of the load"}}
	for _, r := range rows {
		tab.rows = append(tab.rows, []string{r.mode, strconv.Itoa(r.n), strconv.Itoa(r.idle.procs), fmtDur(r.ready), fmtMiB(r.idle.rss), fmtMiB(r.idle.pss), fmtMiB(r.after.rss), fmtMiB(r.after.pss), fmtCount(r.load.rps)})
		switch {
		case r.n == 10 && r.mode != notIsolated && !strings.Contains(r.mode, scaleToZero):
			b.addGoal("total PSS, 10 packages, "+r.mode+", after load", "≤ 100 MiB", fmtMiB(r.after.pss), orNaNf(float64(r.after.pss)/1024), 100, false)
		case r.n == 100 && r.mode != notIsolated && !strings.Contains(r.mode, scaleToZero):
			b.addGoal("total PSS, 100 packages, "+r.mode+", after load", "≤ 600 MiB", fmtMiB(r.after.pss), orNaNf(float64(r.after.pss)/1024), 600, false)
		case r.n == 100 && strings.Contains(r.mode, scaleToZero):
			b.addGoal(fmt.Sprintf("total PSS, 100 packages, %s, %d in use", r.mode, scaledInUse), "≤ 150 MiB", fmtMiB(r.after.pss), orNaNf(float64(r.after.pss)/1024), 150, false)
		}
		if (r.mode == isolated || r.mode == sharedWorker) && r.n == 10 {
			for _, m := range []struct {
				when string
				s    memSample
			}{{"idle", r.idle}, {"after load", r.after}} {
				v := float64(m.s.rss) / 1024
				measured := fmtMiB(m.s.rss)
				if m.s.pss > 0 {
					measured += " (PSS " + fmtMiB(m.s.pss) + ")"
				}
				if m.s.rss == 0 {
					v = 0
				}
				b.addGoal("total RSS, 10 packages, "+modeLabel(procSpec{name: r.mode})+", "+m.when, "≤ 150 MiB", measured, orNaNf(v), 150, false)
			}
		}
	}
	s.tables = append(s.tables, tab)

	// Where the memory is: the server's process against an average
	// worker, anonymous memory (heaps, stacks) against file pages (the
	// executable).
	split := table{header: []string{"mode", "packages", "process", "RSS", "anonymous", "file", "PSS"}}
	for _, r := range rows {
		if r.mode == notIsolated {
			continue
		}
		for _, m := range []struct {
			when string
			s    memSample
		}{{"idle", r.idle}, {"after load", r.after}} {
			w := m.s.procs - 1
			split.rows = append(split.rows, []string{r.mode, strconv.Itoa(r.n), "server (" + m.when + ")", fmtMiB(m.s.rootRSS), fmtMiB(m.s.rootAnon), fmtMiB(m.s.rootFile), fmtMiB(m.s.rootPSS)})
			if w > 0 {
				per := func(tree, root int64) int64 { return (tree - root) / int64(w) }
				pss := int64(0)
				if m.s.pss > 0 {
					pss = per(m.s.pss, m.s.rootPSS)
				}
				split.rows = append(split.rows, []string{r.mode, strconv.Itoa(r.n), fmt.Sprintf("one worker, average of %d (%s)", w, m.when), fmtMiB(per(m.s.rss, m.s.rootRSS)), fmtMiB(per(m.s.anon, m.s.rootAnon)), fmtMiB(per(m.s.file, m.s.rootFile)), fmtMiB(pss)})
			}
		}
	}
	s.tables = append(s.tables, split)
	var pick *row
	for i, r := range rows {
		if r.mode == isolated && r.n >= 2 && r.idle.procs >= 2 && (pick == nil || r.n == 10) {
			pick = &rows[i]
		}
	}
	if r := pick; r != nil {
		w := int64(r.idle.procs - 1)
		per := (r.idle.rss - r.idle.rootRSS) / w
		perFile := (r.idle.file - r.idle.rootFile) / w
		budget := (150*1024 - r.idle.rootRSS) / w
		verdict := "the file pages of the executable that each worker maps are alone more than that, so RSS cannot meet the goal while every package's worker is a process running microfn's whole executable"
		if perFile <= budget {
			verdict = fmt.Sprintf("the file pages of the executable take %s of that", fmtMiB(perFile))
		}
		s.notes = append(s.notes, fmt.Sprintf("With %d packages, idle: the server process holds %s of RSS and each worker %s on average, %s of it file pages (the executable, shared) and %s anonymous. "+
			"For the RSS of the server and %d workers to stay within 150 MiB, each worker would have to hold at most %s: %s. PSS, which counts the shared pages once, is %s for the tree.",
			r.n, fmtMiB(r.idle.rootRSS), fmtMiB(per), fmtMiB(perFile), fmtMiB(per-perFile), r.n, fmtMiB(budget), verdict, fmtMiB(r.idle.pss)))
	}
	s.notes = append(s.notes, "Anonymous memory is each process's own (Go heap, stacks, runtime); file pages are mostly microfn's executable, which every worker maps (they are the same executable started again) and which RSS counts in full in each of them. "+
		"The workers' executable pages are shared with the server's, so PSS is the figure of what the tree costs the machine; RSS is what the goal names.")
	b.print(s)
}

// scaledInUse is how many packages the memory scenario calls with
// --scale-to-zero.
const scaledInUse = 5

// scaleToZeroAfter is how long a package of the memory scenario stays idle
// before its worker is stopped, with scaleToZero.
const scaleToZeroAfter = 2 * time.Second

// scaleToZero is the flag of the memory scenario's scale-to-zero mode.
var scaleToZero = "--scale-to-zero=" + scaleToZeroAfter.String()

// checkPackages calls V of every package once and checks its answer.
func (b *bench) checkPackages(ctx context.Context, p *proc, names []string) bool {
	c := newCaller()
	defer c.close()
	for i, name := range names {
		got, _, err := c.get(ctx, p.base, "/"+name+"/V")
		if want := strconv.Itoa(i+1) + "\n"; err != nil || got != want {
			b.fail("%s: GET /%s/V = %q, %v; want %q", p.spec.name, name, trim(got, 200), err, want)
			return false
		}
	}
	return true
}

func joinInts(xs []int) string {
	var parts []string
	for _, x := range xs {
		parts = append(parts, strconv.Itoa(x))
	}
	if len(parts) < 2 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func orNaNf(x float64) float64 {
	if x <= 0 {
		return orNaN(0)
	}
	return x
}

// 4. restart after a crash

// restart measures how soon a package whose worker crashed answers
// again: each of several generated packages has a service that crashes
// its worker (a stack overflow) and one that answers 1. For each package
// in turn: call Ok, call Crash (502), then call Ok until it answers 200;
// the time from the 502 to that 200 is the restart time. Each package's
// first crash is the first in the supervisor's crash-loop window (30s),
// which restarts at once; the package is then crashed a second time at
// once, which the supervisor restarts after its backoff (100ms), as a
// separate row.
func (b *bench) restart(ctx context.Context) {
	dir := filepath.Join(b.tmp, "pkg", "restart")
	defer os.RemoveAll(dir)
	names, err := writeCrashPackages(dir, b.cfg.crashes)
	if err != nil {
		b.fail("restart: %v", err)
		return
	}
	spec := b.microfnSpec(dir, isolated)
	p, _, err := b.start(ctx, spec, 5*time.Minute)
	if err != nil {
		b.fail("restart: start %s: %v", spec.name, err)
		return
	}
	defer b.stopProc(p)
	c := newCaller()
	defer c.close()
	const (
		pollEvery = time.Millisecond
		giveUp    = 10 * time.Second
	)
	type sample struct {
		crash, restart time.Duration
		calls          int
	}
	var first, second []sample
	// crashOnce crashes the worker of name and waits until Ok answers.
	crashOnce := func(name string) (sample, bool) {
		status, body, took, err := c.call(ctx, p.base, "/"+name+"/Crash")
		if err != nil || status != http.StatusBadGateway || !strings.Contains(body, "crashed") {
			b.fail("restart: GET /%s/Crash = %d %q, %v; want 502, a crashed worker", name, status, trim(body, 200), err)
			return sample{}, false
		}
		t0 := time.Now()
		sm := sample{crash: took}
		for {
			sm.calls++
			status, body, _, err := c.call(ctx, p.base, "/"+name+"/Ok")
			if err == nil && status == http.StatusOK {
				if body != "1\n" {
					b.fail("restart: GET /%s/Ok = %q, want 1", name, trim(body, 200))
					return sample{}, false
				}
				sm.restart = time.Since(t0)
				return sm, true
			}
			if time.Since(t0) > giveUp || ctx.Err() != nil {
				b.fail("restart: /%s/Ok did not answer 200 within %s of the crash: last %d %q, %v", name, giveUp, status, trim(body, 200), err)
				return sample{}, false
			}
			time.Sleep(pollEvery)
		}
	}
	for i, name := range names {
		if ctx.Err() != nil {
			return
		}
		b.progress("restart: package %d/%d", i+1, len(names))
		if got, _, err := c.get(ctx, p.base, "/"+name+"/Ok"); err != nil || got != "1\n" {
			b.fail("restart: GET /%s/Ok before the crash = %q, %v", name, got, err)
			continue
		}
		sm, ok := crashOnce(name)
		if !ok {
			continue
		}
		first = append(first, sm)
		if sm, ok = crashOnce(name); ok {
			second = append(second, sm)
		}
	}

	s := b.newSection("restart", "4. Restart after a crash",
		fmt.Sprintf("microfn (`%s`) serving %d generated packages, each with `Crash` (`retry=1`: it recurses until the goroutine stack overflows, a fatal error that ends its worker process; one attempt, since a crash is retried like a panic) and `Ok` (answers 1) in the same package, so the same worker. "+
			"For each package in turn: `GET Ok`, `GET Crash` (a 502 naming the crash), then `GET Ok` every %s until it answers 200 (a call that arrives while the worker restarts waits for it, so most samples are one call). "+
			"Restart is the time from the 502's arrival to that 200: the supervisor seeing the worker end, starting a new worker process, the worker loading the package, and the call. "+
			"Each package's first crash is the first of its crash-loop window (30s), which the supervisor restarts at once: that row is the goal's. Then the same package is crashed again at once: the supervisor waits its backoff (100ms for a second crash within the window) before restarting, shown as a second row. Each package is crashed twice in all, so the samples of each row are independent of the others' backoff.",
			isolated, len(names), pollEvery))
	tab := table{header: []string{"crash", "samples", "restart p50", "restart p99", "max", "calls to Ok (median)", "the crashing call itself (p50)"}}
	for _, r := range []struct {
		name string
		ss   []sample
	}{{"first in its window", first}, {"second within 30s (backoff)", second}} {
		var rs, cs []time.Duration
		var calls []float64
		for _, sm := range r.ss {
			rs = append(rs, sm.restart)
			cs = append(cs, sm.crash)
			calls = append(calls, float64(sm.calls))
		}
		tab.rows = append(tab.rows, []string{r.name, strconv.Itoa(len(r.ss)), fmtDur(quantile(rs, 0.5)), fmtDur(quantile(rs, 0.99)), fmtDur(quantile(rs, 1)), fmtCount(median(calls)), fmtDur(quantile(cs, 0.5))})
		if r.name == "first in its window" {
			p50 := quantile(rs, 0.5)
			b.addGoal("restart after a crash, p50", "≤ 100ms", fmtDur(p50)+fmt.Sprintf(" (p99 %s, %d crashes)", fmtDur(quantile(rs, 0.99)), len(rs)), orNaN(p50), float64(100*time.Millisecond), false)
		}
	}
	s.tables = append(s.tables, tab)
	b.print(s)
}
