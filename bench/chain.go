package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// chain measures the start-up of a module whose packages form one chain of
// imports: c1 imports c0, c2 imports c1, …, and a service package at the
// top imports the last. Each package is loaded with every package below
// it, so a load whose cost grows with the packages of a chain per package
// shows as time growing with the square of its length.
func (b *bench) chain(ctx context.Context) {
	s := b.newSection("chain", "9. A chain of imports",
		fmt.Sprintf("Time from starting `microfn serve --no-watch %s` on a generated module of n library packages, each importing the one before it (c1 imports c0, …), and a service package importing the last, to the first 200 from the service (`GET /top/V`, which returns n through the whole chain). Median of %d round(s).", isolated, b.cfg.startRounds))
	tab := table{header: []string{"packages", "ready", "per package"}}
	for _, n := range b.cfg.chainSizes {
		dir := filepath.Join(b.tmp, "pkg", fmt.Sprintf("chain%d", n))
		if err := writeChain(dir, n); err != nil {
			b.fail("chain: %v", err)
			return
		}
		var ready []time.Duration
		for round := range b.cfg.startRounds {
			spec := procSpec{name: fmt.Sprintf("microfn, a chain of %d packages", n), argv: []string{b.microfnBin, "serve", dir, "--addr", "{addr}", "--quiet", "--no-watch", isolated}, ready: "/top/V"}
			b.progress("chain: round %d/%d, %d packages", round+1, b.cfg.startRounds, n)
			p, took, err := b.start(ctx, spec, 5*time.Minute)
			if err != nil {
				b.fail("chain: %v", err)
				continue
			}
			ready = append(ready, took)
			c := newCaller()
			if got, _, err := c.get(ctx, p.base, "/top/V"); err != nil || got != strconv.Itoa(n)+"\n" {
				b.fail("chain: %d packages: /top/V = %q, %v; want %d", n, got, err, n)
			}
			c.close()
			b.stopProc(p)
		}
		r := medianDur(ready)
		tab.rows = append(tab.rows, []string{strconv.Itoa(n), fmtDur(r), fmtDur(r / time.Duration(n))})
	}
	s.tables = append(s.tables, tab)
	b.print(s)
}

// writeChain writes a module of n library packages c0 … c(n-1), each
// importing the one before it, and a package top whose service V returns
// n through them.
func writeChain(dir string, n int) error {
	files := map[string]string{"go.mod": "module example.com/chain\n\ngo 1.22\n"}
	files["c0/c.go"] = "// Package c0 is the chain's first link.\npackage c0\n\n// F is the link's depth.\nfunc F() int { return 1 }\n"
	for k := 1; k < n; k++ {
		files[fmt.Sprintf("c%d/c.go", k)] = fmt.Sprintf("// Package c%d is a link of the chain.\npackage c%d\n\nimport \"example.com/chain/c%d\"\n\n// F is the link's depth.\nfunc F() int { return c%d.F() + 1 }\n", k, k, k-1, k-1)
	}
	files["top/top.go"] = fmt.Sprintf("package top\n\nimport \"example.com/chain/c%d\"\n\n// V returns the length of the chain.\n//\n//microfn:service\nfunc V() int { return c%d.F() }\n", n-1, n-1)
	return writeFiles(dir, files)
}

// writeFiles writes files, by slash-separated path relative to dir, with
// the directories they need.
func writeFiles(dir string, files map[string]string) error {
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			return err
		}
	}
	return nil
}
