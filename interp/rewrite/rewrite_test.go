package rewrite_test

import (
	"bytes"
	"errors"
	"flag"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/scanner"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
	"github.com/microfn/microfn/interp/rewrite"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// rewriteCases are packages whose rewrite is compared with
// testdata/NAME.golden. Each source is one file, a.go, unless it
// holds "-- name --" lines, which start files.
var rewriteCases = []struct {
	name string
	src  string
	// untyped rewrites without type information, as when the standard
	// library's export data is missing.
	untyped bool
}{
	{name: "service", src: `package a

// Add adds.
//
//microfn:service
func Add(x, y int) int {
	return x + y
}

func helper() int { return Add(1, 2) }
`},
	{name: "marshalers", src: `package a

import "strings"

// Code is written in upper case.
type Code string

func (c Code) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(c))), nil }

func (c *Code) UnmarshalText(b []byte) error { *c = Code(strings.ToLower(string(b))); return nil }

type money struct{ cents int64 }

func (m *money) MarshalJSON() ([]byte, error) { return nil, nil }

func (m *money) UnmarshalJSON(b []byte) error { return nil }

func (m *money) UnmarshalText(b []byte) error { return nil }

//microfn:service
func Upper(c Code) Code { return c }
`},
	{name: "context", src: `package a

import "context"

//microfn:service
func Deadline(ctx context.Context, name string) (string, bool) {
	_, ok := ctx.Deadline()
	return name, ok
}
`},
	{name: "error", src: `package a

import "errors"

//microfn:service
func Check(n int) (int, error) {
	if n < 0 {
		return 0, errors.New("negative")
	}
	return n, nil
}

//microfn:service
func Fail() error { return nil }
`},
	{name: "error_vars", src: `package a

import (
	"errors"
	"io"
)

// The package-level variables and constants of error types are listed in
// the generated functions; other variables, blank ones and locals are not.
var (
	ErrNotFound        = errors.New("not found")
	errQuiet     error = io.EOF
	ErrGone            = &Gone{}
	_                  = errors.New("blank")
	count              int
	Wrapped, Plain     = fmt(), "plain"
)

type Code string

func (c Code) Error() string { return string(c) }

const Missing Code = "missing"

const Untyped = "untyped"

type Gone struct{}

func (*Gone) Error() string { return "gone" }

func fmt() error { local := errors.New("local"); return local }

//microfn:service
func Find(n int) error { return ErrNotFound }
`},
	{name: "variadic", src: `package a

//microfn:service
func Sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}
`},
	{name: "results", src: `package a

type Point struct{ X, Y int }

//microfn:service
func Unnamed(p Point) (int, int, string) { return p.X, p.Y, "" }

//microfn:service
func Named(n int) (lo, hi int, err error) { return n, n, nil }

//microfn:service
func None(p *Point) {}
`},
	{name: "go", src: `package a

import (
	"fmt"
	"sync"
)

type obj struct{}

func (obj) m(x int) {}

func f(args ...any) {}

func g(a, b int) {}

func gen[T any, U ~string](t T, u U) {}

func run(a, b int, o obj, ch chan int, xs []any) {
	go g(a, b)
	go o.m(a)
	go func() { fmt.Println(a) }()
	for i := range 3 {
		go func(i int) { fmt.Println(i) }(i)
	}
	go close(ch)
	go f(1, "s", nil)
	go f(a,
		-1,
		b, // why
	)
	go f(xs...)
	go f(
		1,
		2)
	go println(1, 2.5)
	go clear(xs)
	const big = 1 << 40
	go f(a, big, 'x', big*1.5, len([2]int{}), max(big, 1), -big)
	go gen(a, "s")
	go gen[int, string](a, "s")
	for k, x := range xs {
		n := 0
		var st struct{ k int }
		var wg sync.WaitGroup
		go func() {
			fmt.Println(k, x, a, n, st, &wg)
			n++
			st.k = 1
			wg.Done()
		}()
	}
}
`},
	{name: "go_untyped", untyped: true, src: `package a

func f(args ...any) {}

func run(a, b int, ch chan int) {
	go f(a,
		-1,
		b)
	go close(ch)
}
`},
	{name: "loops", src: `package a

// The interpreter makes loop variables per-iteration: loops are left as
// written, whatever their bodies do with the variables.
func loops(n int) (fs []func() int, ps []*int) {
	for i := 0; i < n; i++ {
		fs = append(fs, func() int { return i })
	}
	for i := 0; i < n; i++ {
		ps = append(ps, &i)
	}
	for k, v := range []int{1, 2} {
		fs = append(fs, func() int { return k + v })
	}
	for i := 0; i < n; i++ {
		fs = append(fs, func() int { return i })
		i++
	}
	return
}
`},
	{name: "defer", src: `package a

import (
	"fmt"
	"sync"
)

type T struct{ n int }

func (t T) Show()      { fmt.Println(t.n) }
func (t *T) Inc()      { t.n++ }
func (t *T) Guard()    { recover() }
func rec(xs ...int)    {}
func one(x float64)    {}

//microfn:service
func Defers(ts []T) {
	var mu sync.Mutex
	mu.Lock()
	defer mu.Unlock()
	for i, t := range ts {
		defer rec(i, 2)
		defer t.Show()
		defer one(1)
	}
	f := fmt.Println
	defer f("x", len(ts))
	defer rec(len(ts))
	xs := []int{1}
	defer rec(xs...)
	var c T
	defer c.Inc()
	defer c.Guard()
	defer fmt.Println(
		"spans lines")
	defer func() {}()
}
`},
	{name: "method_value", src: `package a

import (
	"sort"
	"strings"
)

type T struct{ n int }

func (t T) Get() int          { return t.n }
func (t *T) Add(xs ...int)    {}
func (t T) Less(i, j int) bool { return i < j }

//microfn:service
func Values(ts []T) int {
	var fs []func() int
	for _, t := range ts {
		fs = append(fs, t.Get)
	}
	var c T
	add := c.Add
	add(1, 2)
	c.Add(3)
	sort.Slice(ts, T{}.Less)
	var b strings.Builder
	w := (b.WriteString)
	_, _ = w("x")
	get := T.Get
	(*T).Add(&c, 4)
	return len(fs) + (c.Get)() + get(c)
}
`},
	{name: "iface", src: `package a

import "fmt"

type E struct{ msg string }

func (e E) Error() string { return e.msg }

type S string

func (s S) String() string { return string(s) }

func convert(es []E) (error, fmt.Stringer) {
	var errs []error
	for _, e := range es {
		errs = append(errs, e)
	}
	var s S = "x"
	var st fmt.Stringer = s
	var a any = s
	_, _ = a, st
	m := map[string]error{"e": es[0]}
	_ = m
	return es[0], s
}

//microfn:service
func Convert(es []E) string {
	err, st := convert(es)
	return err.Error() + st.String()
}
`},
	{name: "range_int", src: `package a

import (
	"fmt"
	tm "time"
)

type count int

func ranges(n int, n64 int64, d tm.Duration, c count) {
	for i := range 3 {
		fmt.Println(i)
	}
	for i := range n {
		_ = i
	}
	for i := range n64 {
		fmt.Println(i)
	}
	for range n {
	}
	for i := range d {
		_ = i.String()
	}
	for i := range c {
		_ = i
	}
	for i := range n {
		defer func() { fmt.Println(i) }()
	}
outer:
	for i := range n {
		for j := range
			i {
			if j > 1 {
				continue outer
			}
		}
	}
	for i := range min(n,
		10) {
		i := i * 2
		_ = i
	}
	for i := range int64(n) {
		_ = i
	}
	for i := range len("abc") {
		_ = i
	}
}
`},
	{name: "range_int_untyped", untyped: true, src: `package a

func ranges(n int) {
	for i := range 3 {
		println(i)
	}
	for range 2 {
	}
}
`},
	{name: "builtins", src: `package a

type level int8

func builtins(x float64, l level, s string, m map[string]int, xs []int) {
	a := min(1, x)
	b := max(x, 2, 3)
	c := min(l, 3)
	d := max(s, "m")
	e := min(3, 1, 2)
	f := -min(-5, 3)
	g := max(1.5, 2)
	h := min('a', 'b')
	i := max("a", "b")
	var j int8 = min(3, 4)
	const k = max(1, 2) * 3
	clear(m)
	clear(xs)
	_, _, _, _, _, _, _, _, _, _, _ = a, b, c, d, e, f, g, h, i, j, k
}
`},
	{name: "qualifier", src: `-- a.go --
package a

import (
	. "time"
	t2 "time"
)

func dot(d Duration, e t2.Duration) {
	for i := range d {
		_ = i
	}
	for i := range e {
		_ = i
	}
	_ = max(d, e, Second)
}
-- b.go --
package a

import "time"

func plain() {
	for i := range dur() {
		_ = i.Seconds()
	}
	_ = min(dur(), time.Second)
}

func dur() time.Duration { return 3 }
-- c.go --
package a

// No import of time: the type cannot be spelled here, so min infers it.
func none() {
	_ = min(dur(), 1)
	go println(dur(), min(1, 2))
}
`},
	{name: "multifile", src: `-- a.go --
package a

//microfn:service
func A() int { return B() + helper }
-- b.go --
// Package a has a doc comment.
package a

var helper = 1

//microfn:service
func B() int {
	go A()
	return 2
}
-- c.go --
package a

func init() { helper++ }
`},
	{name: "const", src: `package a

import "time"

type Size uint64

const (
	_       = iota
	KB Size = 1 << (10 * iota)
	MB
)

const (
	a, b = iota, iota * 10
	c, d
)

const debug = "dev" == "prod" || 1 < 2
const third = 1.0 / 3
const wait = 3 * time.Second
const big = 1 << 70

func f() bool {
	const local = len("abc") > 2
	return local
}

const z = complex(1, 2)
`},
	{name: "range_assign", src: `package a

func f(xs []int, m map[string]int, s string, p *[3]int, ch chan int) (int, int) {
	i, v := 0, 0
	for i = range xs {
	}
	for i, v = range xs {
		v++
	}
	var k string
	for k, v = range m {
		_ = k
	}
	var r rune
	for _, r = range s {
	}
	for i = range p {
	}
	for v = range ch {
		break
	}
	arr := [2]int{}
	for arr[0] = range xs {
	}
	var n int64
	for n = range 5 {
	}
	for _ = range xs {
	}
	return i + int(r) + int(n), v
}
`},
	{name: "receive_assign", src: `package a

type S struct{ F int }

func f(c chan int, m map[string]int, s *S, xs []int) (ok bool) {
	select {
	case xs[0] = <-c:
	case m["a"], ok = <-c:
		m["b"] = 1
	case s.F, _ = <-c:
	case _ = <-c:
	}
	m["c"], ok = <-c
	var x any = 1
	m["d"], ok = x.(int)
	m["e"], ok = m["f"]
	return
}
`},
	{name: "generics", src: `package a

import (
	"cmp"
	"iter"
	"maps"
	"slices"
)

func first[T any](xs ...T) T { return xs[0] }

func evens(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i += 2 {
			if !yield(i) {
				return
			}
		}
	}
}

//microfn:service
func Sorted(m map[string]int, xs []int) ([]string, int, int) {
	slices.SortFunc(xs, cmp.Compare)
	i := slices.Index[[]int](xs, 3)
	index := slices.Index[[]int]
	i += index(xs, 2)
	for v := range evens(4) {
		i += v
	}
	return slices.Sorted(maps.Keys(m)), first(1, 2), i
}
`},
}

// splitFiles splits a case's source into files.
func splitFiles(src string) map[string]string {
	if !strings.HasPrefix(src, "-- ") {
		return map[string]string{"a.go": src}
	}
	files := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(line, "-- ") && strings.HasSuffix(line, " --\n") {
			name = strings.TrimSuffix(strings.TrimPrefix(line, "-- "), " --\n")
			continue
		}
		files[name] += line
	}
	return files
}

func TestRewriteGolden(t *testing.T) {
	for _, tc := range rewriteCases {
		t.Run(tc.name, func(t *testing.T) {
			files := splitFiles(tc.src)
			pkg := parsePackage(t, files)
			var info *types.Info
			if !tc.untyped {
				info = typeCheck(t, pkg)
			}
			out, err := rewrite.ForInterpreter(pkg, info, 0)
			if err != nil {
				t.Fatalf("rewrite: %v", lines(err))
			}
			names := make([]string, 0, len(out))
			for name := range out {
				names = append(names, name)
			}
			slices.Sort(names)
			var got bytes.Buffer
			for _, name := range names {
				got.WriteString("-- " + name + " --\n")
				got.Write(out[name])
				if !bytes.HasSuffix(out[name], []byte("\n")) {
					got.WriteString("\n")
				}
				// Every file the interpreter gets must parse.
				if _, err := parser.ParseFile(token.NewFileSet(), name, out[name], parser.SkipObjectResolution); err != nil {
					t.Errorf("rewritten %s does not parse: %v", name, err)
				}
				if orig, ok := files[name]; ok {
					checkLinesKept(t, name, orig, string(out[name]))
				}
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRewriteGolden -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("rewrite differs from %s (rerun with -update if the change is intended)\n%s", golden, lineDiff(string(want), got.String()))
			}
		})
	}
}

// checkLinesKept checks that every identifier and literal of the original
// source is still on its line in the rewritten source, so positions the
// interpreter reports are the user's. Names may gain a prefix (services,
// min, max) or change case (clear), so the test is a case-insensitive
// substring match. Two rewrites move text: a min or max of constants
// becomes its value, a constant argument of a go statement moves into the
// goroutine's call on the statement's last line, and the key of a range
// over an integer is declared after the body's brace.
func checkLinesKept(t *testing.T, name, orig, rewritten string) {
	t.Helper()
	origLines := strings.Split(orig, "\n")
	newLines := strings.Split(rewritten, "\n")
	if len(newLines) < len(origLines) {
		t.Errorf("%s: rewrite has %d lines, the source %d", name, len(newLines), len(origLines))
		return
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, orig, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ from, to token.Pos }
	var folded []span
	moves := map[span][2]int{} // go argument: the lines of its statement
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "min" || id.Name == "max") {
				folded = append(folded, span{n.Pos(), n.End()})
			}
		case *ast.GenDecl:
			// The values of constants are spelled as literals.
			if n.Tok == token.CONST {
				for _, s := range n.Specs {
					for _, v := range s.(*ast.ValueSpec).Values {
						folded = append(folded, span{v.Pos(), v.End()})
					}
				}
			}
		case *ast.GoStmt:
			lines := [2]int{fset.Position(n.Pos()).Line, fset.Position(n.End()).Line}
			for _, a := range n.Call.Args {
				moves[span{a.Pos(), a.End()}] = lines
			}
		case *ast.RangeStmt:
			// Over an integer, the key is declared at the start of the body.
			if n.Key != nil {
				moves[span{n.Key.Pos(), n.Key.End()}] = [2]int{fset.Position(n.Key.Pos()).Line, fset.Position(n.Body.Lbrace).Line}
			}
		}
		return true
	})
	file := fset.File(f.Pos())
	var s scanner.Scanner
	s.Init(file, []byte(orig), nil, 0)
next:
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if !tok.IsLiteral() || lit == "" {
			continue
		}
		for _, sp := range folded {
			if sp.from <= pos && pos < sp.to {
				continue next
			}
		}
		line := fset.Position(pos).Line
		first, last := line, line
		for sp, lines := range moves {
			if sp.from <= pos && pos < sp.to {
				first, last = lines[0], lines[1]
			}
		}
		found := false
		for l := first; l <= last; l++ {
			found = found || strings.Contains(strings.ToLower(newLines[l-1]), strings.ToLower(lit))
		}
		if !found {
			t.Errorf("%s:%d: %s moved off its line:\n\tsource:    %s\n\trewritten: %s", name, line, lit, origLines[line-1], newLines[line-1])
		}
	}
}

// lineDiff shows the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n\twant: " + wl + "\n\tgot:  " + gl + "\n")
			shown++
		}
	}
	return b.String()
}

// parsePackage writes files to a new directory and parses them with
// funcs.Load.
func parsePackage(t *testing.T, files map[string]string) *funcs.Package {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pkg, err := funcs.Load(dir)
	if err != nil {
		t.Fatalf("funcs.Load: %v", err)
	}
	return pkg
}

// typeCheck type-checks pkg as the loader does, as the import path
// typesutil.CheckPath gives, with the Go toolchain's export data of the
// standard library, and returns its type information.
func typeCheck(t *testing.T, pkg *funcs.Package) *types.Info {
	t.Helper()
	files := make([]*ast.File, len(pkg.Files))
	for i, f := range pkg.Files {
		files[i] = f.AST
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Defs:       map[*ast.Ident]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	conf := types.Config{Importer: importer.ForCompiler(token.NewFileSet(), "gc", nil)}
	if _, err := conf.Check(typesutil.CheckPath(pkg), pkg.Fset, files, info); err != nil {
		t.Fatalf("type-check: %v", err)
	}
	return info
}

// lines returns the errors of err, one a line.
func lines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}
