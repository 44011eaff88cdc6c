package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/microfn/microfn/protocol"
)

// 9. The compiled tier

// tier measures the compiled tier: how long a save takes to be served
// interpreted and then compiled, for a package of 10 services and for a
// module whose leaf library 9 packages import, and what a compiled worker
// costs: its executable, its memory idle, and a call that has to start it
// (--scale-to-zero) against one that has to start an interpreted one.
func (b *bench) tier(ctx context.Context) {
	if !b.supports("-tier") {
		b.fail("tier: this microfn has no --tier")
		return
	}
	s := b.newSection("tier", "10. The compiled tier",
		fmt.Sprintf("microfn serving with `--tier=auto` (and file watching on): each step rewrites a file so that `V` returns a new value; the save-to-served latency of the interpreted tier runs from the write until `GET /V` answers the new value, that of the compiled tier until it answers it with `Microfn-Tier: compiled`. "+
			"The package has 10 services; in the module, 9 service packages import the leaf library that each step rewrites, and a step is served when all 9 answer. %d saves each; the Go build cache is warm after the first (which is left out). "+
			"Then a compiled worker: its executable's size, its memory idle (PSS and RSS of the worker process alone, from /proc), and a call of a package whose worker was stopped for lack of calls (`--scale-to-zero 300ms`), which starts one and waits for it, for each tier: p50 and p99 of %d calls.", b.cfg.tierReps, b.cfg.tierReps))
	tab := table{header: []string{"what", "saves", "interpreted p50", "interpreted p99", "compiled p50", "compiled p99", "failed"}}
	for _, module := range []bool{false, true} {
		interp, compiled, failed := b.tierRun(ctx, module, b.cfg.tierReps)
		what := "package of 10 services"
		if module {
			what = "module: leaf imported by 9 packages"
		}
		tab.rows = append(tab.rows, []string{what, strconv.Itoa(len(compiled)), fmtDur(quantile(interp, 0.5)), fmtDur(quantile(interp, 0.99)), fmtDur(quantile(compiled, 0.5)), fmtDur(quantile(compiled, 0.99)), strconv.Itoa(failed)})
		if !module {
			b.addGoal("save → compiled p50", "≤ 2s", fmtDur(quantile(compiled, 0.5)), orNaN(quantile(compiled, 0.5)), float64(2*time.Second), false)
			b.addGoal("save → compiled p99", "≤ 4s", fmtDur(quantile(compiled, 0.99)), orNaN(quantile(compiled, 0.99)), float64(4*time.Second), false)
		}
	}
	s.tables = append(s.tables, tab)

	cw := table{header: []string{"tier", "executable", "worker PSS idle", "worker RSS idle", "call of an idle package p50", "p99"}}
	for _, tier := range []string{"interpreted", "compiled"} {
		row, err := b.idleRun(ctx, tier, b.cfg.tierReps)
		if err != nil {
			b.fail("tier: %s worker: %v", tier, err)
			continue
		}
		cw.rows = append(cw.rows, row)
	}
	s.tables = append(s.tables, cw)
	b.print(s)
}

// tierRun serves a fresh package (or module) with --tier=auto, rewrites it
// reps+1 times and returns the latencies from each write (but the first)
// to the new value served interpreted, then compiled, and the number of
// saves not served compiled within a minute.
func (b *bench) tierRun(ctx context.Context, module bool, reps int) (interp, compiled []time.Duration, failed int) {
	dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("tier-%d", time.Now().UnixNano()))
	defer os.RemoveAll(dir)
	nonce := time.Now().UnixNano() // sources no build has seen
	files := map[string][]byte{}
	var write func(gen int) error
	paths := []string{"/V"}
	if module {
		files["go.mod"] = []byte("module example.com/tierbench\n\ngo 1.22\n")
		for k := 1; k <= 9; k++ {
			files[fmt.Sprintf("p%d/p.go", k)] = fmt.Appendf(nil, "package p%d\n\nimport \"example.com/tierbench/leaf\"\n\n//microfn:service\nfunc V() int { return leaf.Value() }\n", k)
		}
		paths = nil
		for k := 1; k <= 9; k++ {
			paths = append(paths, fmt.Sprintf("/p%d/V", k))
		}
		write = func(gen int) error {
			return os.WriteFile(filepath.Join(dir, "leaf", "leaf.go"), fmt.Appendf(nil, "package leaf\n\n// %d\n\n// Value is what the services return.\nfunc Value() int { return %d }\n", nonce, gen), 0o644)
		}
	} else {
		write = func(gen int) error {
			return os.WriteFile(filepath.Join(dir, "many.go"), append(manySource(10, gen), fmt.Sprintf("\n// %d\n", nonce)...), 0o644)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.fail("tier: %v", err)
		return nil, nil, reps
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.fail("tier: %v", err)
			return nil, nil, reps
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			b.fail("tier: %v", err)
			return nil, nil, reps
		}
	}
	if module {
		_ = os.MkdirAll(filepath.Join(dir, "leaf"), 0o755)
	}
	if err := write(0); err != nil {
		b.fail("tier: %v", err)
		return nil, nil, reps
	}
	spec := procSpec{name: "microfn --tier=auto", argv: []string{b.microfnBin, "serve", dir, "--addr", "{addr}", "--quiet", isolated, "--tier=auto"}, ready: paths[len(paths)-1]}
	p, _, err := b.start(ctx, spec, 60*time.Second)
	if err != nil {
		b.fail("tier: start microfn: %v", err)
		return nil, nil, reps
	}
	defer b.stopProc(p)
	c := newCaller()
	defer c.close()
	b.progress("tier: module %v, %d saves", module, reps)
	for i := 1; i <= reps+1 && ctx.Err() == nil; i++ {
		want := strconv.Itoa(i) + "\n"
		start := time.Now()
		if err := write(i); err != nil {
			b.fail("tier: %v", err)
			return interp, compiled, failed + reps
		}
		servedAt := func(tier string) (time.Duration, bool) {
			for _, path := range paths {
				for {
					if time.Since(start) > time.Minute || ctx.Err() != nil {
						return 0, false
					}
					got, hdr, err := c.getHeader(ctx, p.base, path, protocol.HeaderTier)
					if err == nil && got == want && (tier == "" || hdr == tier) {
						break
					}
					time.Sleep(time.Millisecond)
				}
			}
			return time.Since(start), true
		}
		ti, ok1 := servedAt("")
		tc, ok2 := servedAt(protocol.TierCompiled)
		if !ok1 || !ok2 {
			failed++
			b.fail("tier: save %d was not served compiled within a minute; microfn's log ends with:\n%s", i, indent(p.log.lastLines(10)))
			continue
		}
		if i > 1 {
			interp, compiled = append(interp, ti), append(compiled, tc)
		}
	}
	return interp, compiled, failed
}

// idleRun serves examples/seed at tier with --scale-to-zero and measures
// the worker: the size of its executable and its memory idle, and calls
// that find it stopped.
func (b *bench) idleRun(ctx context.Context, tier string, reps int) ([]string, error) {
	const idle = 300 * time.Millisecond
	spec := procSpec{name: "microfn --tier=" + tier, argv: []string{b.microfnBin, "serve", filepath.Join(b.root, "examples", "seed"), "--addr", "{addr}", "--quiet", "--no-watch", isolated, "--tier=" + tier, "--scale-to-zero", idle.String()}, ready: "/readyz"}
	p, _, err := b.start(ctx, spec, 120*time.Second)
	if err != nil {
		return nil, err
	}
	defer b.stopProc(p)
	c := newCaller()
	defer c.close()
	if _, _, err := c.get(ctx, p.base, "/IsEven?x=2"); err != nil {
		return nil, err
	}
	time.Sleep(200 * time.Millisecond) // settle before measuring memory
	pids := p.workerPIDs()
	if len(pids) != 1 {
		return nil, fmt.Errorf("%d worker processes, want 1", len(pids))
	}
	m := readTreeMem(pids[0])
	size := "–"
	if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pids[0])); err == nil {
		if st, err := os.Stat(exe); err == nil {
			size = fmtMiB(st.Size() >> 10)
		}
	}
	var lat []time.Duration
	for range reps {
		// Wait until the worker is stopped.
		deadline := time.Now().Add(30 * time.Second)
		for !b.packageIdle(ctx, c, p.base) {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return nil, fmt.Errorf("the worker was not stopped within 30s")
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, took, err := c.get(ctx, p.base, "/IsEven?x=2")
		if err != nil {
			return nil, err
		}
		lat = append(lat, took)
	}
	p50, p99 := quantile(lat, 0.5), quantile(lat, 0.99)
	b.addGoal("call of an idle package, --tier="+tier+", p50", "≤ 100ms", fmtDur(p50)+fmt.Sprintf(" (%d calls)", len(lat)), orNaN(p50), float64(100*time.Millisecond), false)
	b.addGoal("call of an idle package, --tier="+tier+", p99", "≤ 200ms", fmtDur(p99)+fmt.Sprintf(" (%d calls)", len(lat)), orNaN(p99), float64(200*time.Millisecond), false)
	return []string{tier, size, fmtMiB(m.pss), fmtMiB(m.rss), fmtDur(p50), fmtDur(p99)}, nil
}

// packageIdle reports whether /healthz says the first package is idle.
func (b *bench) packageIdle(ctx context.Context, c *caller, base string) bool {
	body, _, err := c.get(ctx, base, "/healthz")
	if err != nil {
		return false
	}
	var h struct {
		Packages []struct {
			Idle bool `json:"idle"`
		} `json:"packages"`
	}
	return json.Unmarshal([]byte(body), &h) == nil && len(h.Packages) > 0 && h.Packages[0].Idle
}
