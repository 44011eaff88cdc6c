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

// memSource is package number i of the memory scenario: V returns i,
// IsEven is the direct scenario's trivial function.
func memSource(name string, i int) []byte {
	return []byte(fmt.Sprintf(`// Package %s is a generated package of microfn's benchmark.
package %s

// V returns the number of this package.
//
//microfn:service
func V() int { return %d }

// IsEven reports whether x is even.
//
//microfn:service
func IsEven(x int) bool { return x%%2 == 0 }
`, name, name, i))
}

// writeMemPackages writes n packages p001, p002… (see memSource) into
// dir and returns their names.
func writeMemPackages(dir string, n int) ([]string, error) {
	// One module: the compiled tier builds its packages into one
	// executable, as it does a project's.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/memory\n\ngo 1.22\n"), 0o644); err != nil {
		return nil, err
	}
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("p%03d", i)
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name, "fns.go"), memSource(name, i), 0o644); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// crashSource is a package of the restart scenario: Crash overflows the
// stack, a fatal error of the Go runtime that no recover catches and that
// ends the worker process running it; Ok, in the same package and so the
// same worker, answers 1. Crash makes one attempt (retry=1): a crash is
// retried like a panic, and a second attempt would crash the next worker
// too, within the supervisor's crash-loop window.
func crashSource(name string) []byte {
	return []byte(fmt.Sprintf(`// Package %s is a generated package of microfn's benchmark.
package %s

// Crash recurses until the stack overflows.
//
//microfn:service retry=1
func Crash() int {
	var f func(int) int
	f = func(n int) int { return f(n+1) + 1 }
	return f(0)
}

// Ok answers 1.
//
//microfn:service
func Ok() int { return 1 }
`, name, name))
}

// writeCrashPackages writes n packages c01, c02… (see crashSource) into
// dir and returns their names.
func writeCrashPackages(dir string, n int) ([]string, error) {
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("c%02d", i)
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name, "crash.go"), crashSource(name), 0o644); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}
