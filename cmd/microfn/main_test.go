package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/freeport"
)

func runCLI(t *testing.T, ctx context.Context, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(ctx, args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		code int
		out  string
		err  string
	}{
		{[]string{"run", "../../examples/seed", "Fib", "n=5"}, 0, "8\n", ""},
		{[]string{"run", "../../examples/seed", "IsOdd", "x=3"}, 0, "true\n", ""},
		{[]string{"run", "../../examples/seed", "Fib", "n=x"}, 1, "", `parameter "n": want int`},
		{[]string{"run", "../../examples/seed", "Fob", "n=1"}, 1, "", "did you mean /Fib"},
		{[]string{"run", "../../examples/seed"}, 2, "", "Usage: microfn run"},
		{[]string{"version"}, 0, "microfn ", ""},
		{[]string{"openapi", "../../examples/seed"}, 0, "{\n  \"components\"", ""},
		{[]string{"routes", "../../examples/seed", "--only", "IsOdd"}, 0, "NAME", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, context.Background(), tc.args...)
			if code != tc.code || !strings.HasPrefix(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q", code, out, errOut, tc.code, tc.out, tc.err)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		code  int
		want  []string
	}{
		{"ok", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F(x int) int { return x }\n"}, 0, []string{"ok: 1 packages, 1 services"}},
		{"syntax error", map[string]string{"a.go": "package a\n\nfunc F( {\n"}, 1, []string{"a.go:3:"}},
		{"type error", map[string]string{"a.go": "package a\n", "b.go": "package a\n\n//microfn:service\nfunc F(x int) int { return undefinedThing }\n"}, 1, []string{"b.go:4:28: undefined: undefinedThing"}},
		{"unsupported type", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F(c chan int) {}\n"}, 1, []string{"a.go:4:10:", `parameter "c"`, "channel"}},
		{"unknown option", map[string]string{"a.go": "package a\n\n//microfn:service retries=3\nfunc F() {}\n"}, 1, []string{"a.go:3:", `unknown option "retries"`}},
		{"forbidden import", map[string]string{"a.go": "package a\n\nimport \"os/exec\"\n\nvar _ = exec.Command\n"}, 1, []string{"a.go:3:8:", "--unrestricted"}},
		{"two broken packages", map[string]string{"a/a.go": "package a\n\nfunc F( {\n", "b/b.go": "package b\n\nvar x int = \"s\"\n"}, 1, []string{"a.go:3:", "b.go:3:", "2 of 2 packages"}},
		{"new types", map[string]string{"a.go": "package a\n\nimport (\n\t\"math/big\"\n\t\"net/netip\"\n)\n\n//microfn:service\nfunc F(m map[int]string, n *big.Int, ip netip.Addr) (map[netip.Addr]float64, error) { return nil, nil }\n"}, 0, []string{"ok: 1 packages, 1 services"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tc.files)
			code, out, errOut := runCLI(t, context.Background(), "check", dir)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not contain %q:\n%s%s", w, out, errOut)
				}
			}
		})
	}
}

// TestCheckEveryError: check prints every error of every kind in one run,
// sorted by position, each once; fixing one kind does not reveal another.
func TestCheckEveryError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []string // in this order
	}{
		{"refused signature and undefined name", map[string]string{
			"a.go": "package a\n\n//microfn:service\nfunc F(c chan int) {}\n",
			"b.go": "package a\n\nfunc g() int { return undefinedThing }\n",
		}, []string{`a.go:4:10: service F: parameter "c"`, "b.go:3:23: undefined: undefinedThing"}},
		{"directive, signature, types and init", map[string]string{
			"a.go": "package a\n\n//microfn:service retries=3\nfunc F() {}\n\n//microfn:service\nfunc G(f func()) int { return 1 }\n",
			"b.go": "package a\n\nvar x int = \"s\"\n\n//microfn:service\nfunc H() int { return y }\n",
		}, []string{`a.go:3:`, `unknown option "retries"`, `a.go:7:10: service G: parameter "f"`, "b.go:3:13:", "b.go:6:23: undefined: y"}},
		{"refused import and type error", map[string]string{
			"a.go": "package a\n\nimport \"os/exec\"\n\nvar _ = exec.Command\n",
			"b.go": "package a\n\nvar x int = \"s\"\n",
		}, []string{"a.go:3:8:", "--unrestricted", "b.go:3:13:"}},
		{"a service and its caller both broken", map[string]string{
			"a.go": "package a\n\n//microfn:service\nfunc F(c chan int) int { return 1 }\n\n//microfn:service\nfunc G() int { return F(nil) + missing }\n",
		}, []string{`a.go:4:10: service F: parameter "c"`, "a.go:7:32: undefined: missing"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, tc.files)
			code, out, errOut := runCLI(t, context.Background(), "check", dir)
			if code != 1 || out != "" {
				t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
			}
			rest := errOut
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (or has it out of order):\n%s", w, errOut)
				}
				rest = rest[i+len(w):]
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			seen := map[string]bool{}
			for _, l := range lines {
				if seen[l] {
					t.Errorf("line printed twice: %s", l)
				}
				seen[l] = true
			}
			if !strings.HasSuffix(errOut, "microfn check: 1 of 1 packages have errors\n") {
				t.Errorf("no summary line:\n%s", errOut)
			}
		})
	}
}

// TestRunSpecialFloats: microfn run writes NaN and the infinities as
// serve does, "NaN", "Infinity", "-Infinity", for a result and through a
// nested call, and reads them in key=value arguments.
func TestRunSpecialFloats(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"f.go": `package f

import (
	"fmt"
	"math"
)

//microfn:service
func Div(a, b float64) float64 { return a / b }

//microfn:service
func Show(a float64) string {
	q := Div(a, 0)
	return fmt.Sprintf("%v %v", q, math.IsNaN(q))
}
`})
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"Div", "a=0", "b=0"}, `"NaN"`},
		{[]string{"Div", "a=1", "b=0"}, `"Infinity"`},
		{[]string{"Div", "a=-Inf", "b=2"}, `"-Infinity"`},
		{[]string{"Show", "a=0"}, `"NaN true"`},
		{[]string{"Show", "a=-1"}, `"-Inf false"`},
	} {
		code, out, errOut := runCLI(t, context.Background(), append([]string{"run", dir}, tc.args...)...)
		if code != 0 || out != tc.out+"\n" {
			t.Errorf("run %v: exit %d, stdout %q, stderr %q; want %s", tc.args, code, out, errOut, tc.out)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := freeport.Addr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

func TestServeAndCall(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "../../examples/seed", "--addr", addr, "--no-watch"}, &bytes.Buffer{}, &serveErr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !loaded(addr) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not load within 10s: %s", serveErr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	code, out, errOut := runCLI(t, context.Background(), "call", "--addr", addr, "Fib", "n=6")
	if code != 0 || out != "13\n" {
		t.Errorf("call Fib n=6: exit %d, %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, context.Background(), "call", "--addr", addr, "Fib", "n=oops")
	if code != 1 || !strings.Contains(errOut, "400 Bad Request") || !strings.Contains(errOut, "want int") {
		t.Errorf("call with a bad argument: exit %d, stderr %q", code, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d: %s", code, serveErr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}

// TestOfflineCommandsNameFailedPackages: routes and openapi print what
// loaded, name each package that did not (on stderr, with its errors) and
// exit 1; with the --allow it needs, every package loads and they exit 0.
func TestOfflineCommandsNameFailedPackages(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"good/good.go": "package good\n\n//microfn:service\nfunc Hello() string { return \"hi\" }\n",
		"env/env.go":   "package env\n\nimport \"os\"\n\n//microfn:service\nfunc Home() string { b, _ := os.ReadFile(\"/etc/hostname\"); return string(b) }\n",
	})
	for _, cmd := range []string{"routes", "openapi"} {
		t.Run(cmd, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, t.Context(), cmd, dir)
			if code != 1 {
				t.Errorf("%s without --allow: exit %d, want 1; stderr %q", cmd, code, errOut)
			}
			if !strings.Contains(out, "/good/Hello") || strings.Contains(out, "/env/Home") {
				t.Errorf("%s without --allow: stdout lacks /good/Hello or lists /env/Home:\n%s", cmd, out)
			}
			for _, w := range []string{"microfn " + cmd + ": package env did not load", "env.go:6:33: os.ReadFile", "--allow os"} {
				if !strings.Contains(errOut, w) {
					t.Errorf("%s without --allow: stderr lacks %q:\n%s", cmd, w, errOut)
				}
			}
			if strings.Contains(errOut, "package good") {
				t.Errorf("%s without --allow: stderr names the package that loaded:\n%s", cmd, errOut)
			}
			code, out, errOut = runCLI(t, t.Context(), cmd, dir, "--allow", "os")
			if code != 0 || !strings.Contains(out, "/env/Home") || errOut != "" {
				t.Errorf("%s --allow os: exit %d, stderr %q, stdout lists /env/Home: %v", cmd, code, errOut, strings.Contains(out, "/env/Home"))
			}
		})
	}
}

// TestCheckArgWriteWarnings: check prints a warning at a service's write
// into its argument when another service calls it through its proxy, as
// file:line:col: warning: message, and still exits 0; a write made by a
// function of another package of the module the service passes its
// argument to counts too.
func TestCheckArgWriteWarnings(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"go.mod": "module example.com/aho\n\ngo 1.22\n",
		"aho/aho.go": `package aho

import "example.com/aho/rows"

//microfn:service
func CreateNewState(state int, trie map[int]map[uint8]int) int {
	trie[state] = map[uint8]int{}
	return state + 1
}

//microfn:service
func AddRow(state int, trie map[int]map[uint8]int) { rows.Add(trie, state) }
`,
		"rows/rows.go": `package rows

// Add adds the row of state to t.
func Add(t map[int]map[uint8]int, state int) { t[state] = map[uint8]int{} }
`,
		"search/search.go": `package search

import "example.com/aho/aho"

//microfn:service
func Search() int {
	trie := map[int]map[uint8]int{}
	aho.CreateNewState(0, trie)
	aho.AddRow(1, trie)
	return len(trie)
}
`,
	})
	code, out, errOut := runCLI(t, t.Context(), "check", dir)
	if code != 0 || !strings.Contains(out, "ok: 3 packages, 3 services") {
		t.Errorf("check: exit %d, stdout %q, stderr %q; want 0 and ok", code, out, errOut)
	}
	aho := filepath.Join(dir, "aho", "aho.go")
	for _, want := range []string{
		aho + ":7:2: warning: CreateNewState sets an entry of the map in its parameter trie, but Search calls it through its proxy (search.go:8:6)",
		aho + ":12:63: warning: AddRow passes its parameter trie to Add, which sets an entry of the map in its parameter t (rows.go:4:48), but Search calls it through its proxy (search.go:9:6)",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("check: stderr %q\nlacks the warning %q", errOut, want)
		}
	}
	if n := strings.Count(errOut, "warning:"); n != 2 {
		t.Errorf("check: %d warnings, want 2:\n%s", n, errOut)
	}
}
