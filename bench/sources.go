package main

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// fnsSource is the file of functions the baseline compiles; microfn
// serves the same file, renamed to package benchfns.
//
//go:embed baseline/fns.go
var fnsSource string

// fibSource is microfn's Fib: each recursive call goes through its proxy,
// so over HTTP (or in process with --monolith). The baseline has its own
// Fib, which makes the same calls with an explicit HTTP client.
const fibSource = `package benchfns

// Fib returns the n-th Fibonacci number (Fib(0) = Fib(1) = 1), calling
// itself twice per step, each time through its endpoint.
//
//microfn:service timeout=5m
func Fib(n int) int {
	if n < 2 {
		return 1
	}
	return Fib(n-1) + Fib(n-2)
}
`

// writeBenchPackage writes the package microfn serves for the direct,
// nested, interpreter and policy scenarios into dir.
func writeBenchPackage(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	src := strings.Replace(fnsSource, "package main", "package benchfns", 1)
	if err := os.WriteFile(filepath.Join(dir, "fns.go"), []byte(src), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "fib.go"), []byte(fibSource), 0o644)
}

// annotation returns the options of the //microfn:service line of the
// function name in fnsSource.
func annotation(name string) string {
	var opts string
	for _, line := range strings.Split(fnsSource, "\n") {
		if rest, ok := strings.CutPrefix(line, "//microfn:service"); ok {
			opts = strings.TrimSpace(rest)
		}
		if strings.HasPrefix(line, "func "+name+"(") {
			return opts
		}
		if !strings.HasPrefix(line, "//") {
			opts = ""
		}
	}
	return ""
}

// manySource returns a package of n services: V, which returns gen (the
// one whose answer a reload changes), and S1…S(n-1), which add their
// number to x. With n == 1 it holds V alone.
func manySource(n, gen int) []byte {
	var b strings.Builder
	b.WriteString("// Package many is a generated package of services for microfn's benchmark.\npackage many\n\n")
	fmt.Fprintf(&b, "// V returns the generation of this file.\n//\n//microfn:service\nfunc V() int { return %d }\n", gen)
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "\n// S%d returns x + %d.\n//\n//microfn:service\nfunc S%d(x int) int { return x + %d }\n", i, i, i, i)
	}
	return []byte(b.String())
}

// writeManyPackage writes a package of n services into dir (see
// manySource).
func writeManyPackage(dir string, n, gen int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "many.go"), manySource(n, gen), 0o644)
}
