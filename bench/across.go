package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// acrossCalls is how many calls of b.Inc one call of a.Sum makes in the
// across scenario.
const acrossCalls = 200

// across measures nested calls between the services of two packages,
// each in a worker of its own: a.Sum(n) calls b.Inc n times. With the
// peer path each call goes straight from a's worker to b's; with
// --peer-calls=false each goes through the server. The baseline makes
// the same calls over HTTP to its own routes.
func (b *bench) across(ctx context.Context) {
	dir := filepath.Join(b.tmp, "pkg", "across")
	if err := writeAcross(dir); err != nil {
		b.fail("across: %v", err)
		return
	}
	var modes [][]string
	for _, tier := range b.withCompiled([]string{isolated}) {
		modes = append(modes, tier, append(append([]string(nil), tier...), "--peer-calls=false"))
	}
	specs := []procSpec{}
	for _, m := range modes {
		specs = append(specs, b.microfnSpec(dir, m...))
	}
	specs = append(specs, b.baselineSpec())
	samples := b.cfg.fibSamples[b.cfg.fibNs[0]]
	walls := make([][]time.Duration, len(specs))
	path := fmt.Sprintf("/a/Sum?n=%d", acrossCalls)
	want := strconv.Itoa(acrossCalls*(acrossCalls+1)/2) + "\n"
	for round := range b.cfg.rounds {
		ps := b.startAll(ctx, specs)
		if ps == nil {
			return
		}
		c := newCaller()
		// The first call pairs the workers; sampleCalls makes a warm-up
		// call of its own too.
		for _, p := range ps {
			_, _, _ = c.get(ctx, p.base, path)
		}
		b.progress("across: round %d/%d", round+1, b.cfg.rounds)
		ds, _ := b.sampleCalls(ctx, c, ps, path, want, samples, round)
		for vi, d := range ds {
			if len(d) > 0 {
				walls[vi] = append(walls[vi], medianDur(d))
			}
		}
		c.close()
		for _, p := range ps {
			b.stopProc(p)
		}
	}
	s := b.newSection("across", "14. Calls across packages",
		fmt.Sprintf("`a.Sum(%d)` calls `b.Inc` %d times, one after the other; `a` and `b` are two packages of one module, each in a worker process of its own (`%s`). "+
			"By default the calls go straight from `a`'s worker to `b`'s once the server has carried one between them (the peer path: two process crossings per call, `b`'s worker admitting each under `Inc`'s policy and sending signed records of it back with the answer, which reach the server with `a`'s); with `--peer-calls=false` each goes through the server (four crossings). "+
			"The baseline makes the same calls over HTTP to its own `/b/Inc` through one pooled keep-alive client. "+
			"Wall is the median of %d calls after warm-up calls, the servers taking turns call by call, then the median of %d round(s); per nested call is wall ÷ %d.",
			acrossCalls, acrossCalls, isolated, samples, b.cfg.rounds, acrossCalls))
	tab := table{header: []string{"server", "wall", "per nested call", "÷ baseline", "÷ through the server"}}
	base := baselineIndex(specs)
	bw := medianDur(walls[base])
	for vi, spec := range specs {
		w := medianDur(walls[vi])
		r, viaServer := "", ""
		if vi != base {
			r = fmtRatio(ratio(float64(w), float64(bw)))
		}
		if vi != base && vi%2 == 0 {
			viaServer = fmtRatio(ratio(float64(w), float64(medianDur(walls[vi+1]))))
		}
		tab.rows = append(tab.rows, []string{spec.name, fmtDur(w), fmtDur(w / acrossCalls), r, viaServer})
	}
	s.tables = append(s.tables, tab)
	b.print(s)
}

// writeAcross writes the module of the across scenario.
func writeAcross(dir string) error {
	files := map[string]string{
		"go.mod": "module example.com/across\n\ngo 1.22\n",
		"b/b.go": "package b\n\n// Inc returns x+1.\n//\n//microfn:service\nfunc Inc(x int) (int, error) { return x + 1, nil }\n",
		"a/a.go": "package a\n\nimport \"example.com/across/b\"\n\n// Sum returns the sum of b.Inc(i) for i below n.\n//\n//microfn:service timeout=60s\nfunc Sum(n int) (int, error) {\n\ts := 0\n\tfor i := range n {\n\t\tv, err := b.Inc(i)\n\t\tif err != nil {\n\t\t\treturn 0, err\n\t\t}\n\t\ts += v\n\t}\n\treturn s, nil\n}\n",
	}
	return writeFiles(dir, files)
}
