package interp_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// TestSemantics runs services whose results depend on the rewrite of
// constructs the interpreter mishandles.
func TestSemantics(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

func calls(fs []func() int) []int {
	var out []int
	for _, f := range fs {
		out = append(out, f())
	}
	return out
}

//microfn:service
func ForClosure() []int {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
	}
	return calls(fs)
}

//microfn:service
func ForAddress() []int {
	var ps []*int
	for i := 0; i < 3; i++ {
		ps = append(ps, &i)
	}
	var out []int
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}

//microfn:service
func ForRedeclare() []int {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
		i := 10
		_ = i
	}
	return calls(fs)
}

//microfn:service
func ForAssigned() []int {
	var out []int
	for i := 0; i < 6; i++ {
		f := func() int { return i }
		out = append(out, f())
		i++
	}
	return out
}

//microfn:service
func RangeClosure() []int {
	var fs []func() int
	for k, v := range []int{10, 20, 30} {
		fs = append(fs, func() int { return k + v })
	}
	return calls(fs)
}

//microfn:service
func RangeDefer() (out []int) {
	func() {
		for _, v := range []int{1, 2, 3} {
			defer func() { out = append(out, v) }()
		}
	}()
	return out
}

//microfn:service
func Goroutines() []int {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var out []int
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			out = append(out, i)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(out)
	return out
}

//microfn:service
func RangeInt() []int {
	var out []int
	for i := range 3 {
		out = append(out, i)
	}
	return out
}

//microfn:service
func RangeIntClosure() []int {
	var fs []func() int
	for i := range 3 {
		fs = append(fs, func() int { return i })
	}
	return calls(fs)
}

//microfn:service
func RangeNoKey(n int) int {
	c := 0
	for range n {
		c++
	}
	return c
}

//microfn:service
func RangeInt64(n int) string {
	var s int64
	for i := range int64(n) {
		s += i
	}
	var m int64 = 3
	for i := range m {
		s += i
	}
	return fmt.Sprintf("%T %d", s, s)
}

//microfn:service
func RangeIntAssign() []int {
	var out []int
	for i := range 4 {
		out = append(out, i)
		i += 10 // does not change the count
	}
	return out
}

//microfn:service
func RangeIntLabel() []string {
	var out []string
	n := 3
outer:
	for i := range n {
		for j := range
			n {
			if j > i {
				continue outer
			}
			out = append(out, fmt.Sprint(i, j))
		}
	}
	return out
}

//microfn:service
func RangeDuration() string {
	var total time.Duration
	for d := range time.Duration(3) {
		total += d
	}
	return total.String()
}

//microfn:service
func RangeEvalOnce() []int {
	calls := 0
	n := func() int { calls++; return 3 }
	var out []int
	for i := range n() {
		out = append(out, i)
	}
	return append(out, calls)
}

//microfn:service
func MinMax() string {
	x, y := 2.5, -1.0
	var n8 int8 = 7
	return fmt.Sprint(min(1, x), max(x, 2, y), min(n8, 3), max("b", "a", "c"), min(x))
}

//microfn:service
func MinMaxConst() string {
	const c = min(3, 1, 2)
	a := max(1.5, 2)
	r := min('b', 'a')
	n := -min(-5, 3)
	return fmt.Sprintf("%v %v %T %v %T %v %T", c, a, a, r, r, n, n)
}

//microfn:service
func Clear() string {
	m := map[string]int{"a": 1, "b": 2}
	xs := []int{1, 2, 3}
	clear(m)
	clear(xs[1:])
	return fmt.Sprint(len(m), xs)
}

//microfn:service
func GoShapes() []string {
	var mu sync.Mutex
	var out []string
	var wg sync.WaitGroup
	add := func(args ...any) {
		mu.Lock()
		out = append(out, fmt.Sprint(args...))
		mu.Unlock()
		wg.Done()
	}
	wg.Add(6)
	x := 1
	go add(x, "s", nil)
	go add(x,
		-1,
		2.5,
	)
	xs := []any{"v", 1}
	go add(xs...)
	var o counter
	go o.add(&wg, &mu, &out, 4)
	go func(i int) { add("lit", i) }(x)
	ch := make(chan int)
	go close(ch)
	<-ch
	go add(max(x, 2), min(1, 2.5))
	x = 100 // the goroutines got x before
	wg.Wait()
	sort.Strings(out)
	return out
}

type counter struct{}

func (counter) add(wg *sync.WaitGroup, mu *sync.Mutex, out *[]string, n float64) {
	mu.Lock()
	*out = append(*out, fmt.Sprint("method ", n))
	mu.Unlock()
	wg.Done()
}
`}, interp.Options{}, nil)
	tests := []struct {
		name, args, want string
	}{
		{"ForClosure", "", "[0,1,2]"},
		{"ForAddress", "", "[0,1,2]"},
		{"ForRedeclare", "", "[0,1,2]"},
		{"ForAssigned", "", "[0,2,4]"},
		{"RangeClosure", "", "[10,21,32]"},
		{"Goroutines", "", "[0,1,2]"},
		{"RangeInt", "", "[0,1,2]"},
		{"RangeIntClosure", "", "[0,1,2]"},
		{"RangeNoKey", `{"n":4}`, "4"},
		{"RangeNoKey", `{"n":0}`, "0"},
		{"RangeInt64", `{"n":4}`, `"int64 9"`},
		{"RangeIntAssign", "", "[0,1,2,3]"},
		{"RangeIntLabel", "", `["0 0","1 0","1 1","2 0","2 1","2 2"]`},
		{"RangeDuration", "", `"3ns"`},
		{"RangeEvalOnce", "", "[0,1,2,1]"},
		{"MinMax", "", `"1 2.5 3c2.5"`},
		{"MinMaxConst", "", `"1 2 float64 97 int32 5 int"`},
		{"Clear", "", `"0 [1 0 0]"`},
		{"GoShapes", "", `["1 -1 2.5","1s\u003cnil\u003e","2 1","lit1","method 4","v1"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustInvoke(t, service(t, pkg, tt.name), tt.args); got != tt.want {
				t.Errorf("%s(%s) = %s, want %s", tt.name, tt.args, got, tt.want)
			}
		})
	}
}

// TestPackageNamedLikeImport loads a package named like a package it
// imports: the rewrite must not spell its own types with the import's name.
func TestPackageNamedLikeImport(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package strings

import (
	"fmt"
	"strings"
)

type Count int

//microfn:service
func Counts(s string) string {
	var c Count = 3
	out := ""
	for i := range c {
		out += fmt.Sprint(i)
	}
	return strings.ToUpper(s) + out + fmt.Sprint(max(c, 1))
}
`}, interp.Options{}, nil)
	if got := mustInvoke(t, service(t, pkg, "Counts"), `{"s":"x"}`); got != `"X0123"` {
		t.Errorf("Counts = %s", got)
	}
}

// TestGoroutinesInLoops starts many goroutines from loops, in every shape
// of go statement, and checks that each sees its own iteration's values.
// (The sink is a pointer: the interpreter copies a struct variable whose
// pointer method is called, which the race detector reports when another
// goroutine holds the struct's mutex. Not tested: a function value made by
// a function literal in a loop and started with go f(): when a call of it
// returns, the interpreter resets the variable it was made in, racing with
// the loop making the next one.)
func TestGoroutinesInLoops(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"sort"
	"sync"
	"time"
)

func dur() time.Duration { return time.Second }

func addDur(s *sink, v int, _ time.Duration) { s.add(v) }

type sink struct {
	mu  sync.Mutex
	wg  sync.WaitGroup
	got []int
}

func (s *sink) add(v int) {
	s.mu.Lock()
	s.got = append(s.got, v)
	s.mu.Unlock()
	s.wg.Done()
}

func addTo[T ~int](s *sink, v T) { s.add(int(v)) }

// check returns the values that are not 0..n-1 once each, and how many
// there were.
func (s *sink) check(n int) []int {
	s.wg.Wait()
	sort.Ints(s.got)
	var bad []int
	for i, v := range s.got {
		if v != i {
			bad = append(bad, v)
		}
	}
	return append(bad, len(s.got))
}

const n = 100

//microfn:service
func Args() []int {
	s := &sink{}
	for i := 0; i < n; i++ {
		s.wg.Add(1)
		go s.add(i)
	}
	return s.check(n)
}

//microfn:service
func Closure() []int {
	s := &sink{}
	for i := 0; i < n; i++ {
		s.wg.Add(1)
		go func() { s.add(i) }()
	}
	return s.check(n)
}

//microfn:service
func RangeClosure() []int {
	s := &sink{}
	xs := make([]int, n)
	for i := range xs {
		xs[i] = i
	}
	for _, x := range xs {
		y := x
		s.wg.Add(1)
		go func() {
			if x == y {
				s.add(x)
			}
		}()
	}
	return s.check(n)
}

//microfn:service
func RangeIntArg() []int {
	s := &sink{}
	for i := range n {
		s.wg.Add(1)
		go func(v int) { s.add(v) }(i)
	}
	return s.check(n)
}

//microfn:service
func Generic() []int {
	s := &sink{}
	for i := range n {
		s.wg.Add(1)
		go addTo(s, i)
	}
	return s.check(n)
}

`,
		// This file cannot spell time.Duration, so its go statement is
		// rewritten without types.
		"b.go": `package a

//microfn:service
func Untyped() []int {
	s := &sink{}
	for i := range n {
		s.wg.Add(1)
		go addDur(s, i, dur())
	}
	return s.check(n)
}
`}, interp.Options{}, nil)
	for _, name := range []string{"Args", "Closure", "RangeClosure", "RangeIntArg", "Generic", "Untyped"} {
		t.Run(name, func(t *testing.T) {
			if got := mustInvoke(t, service(t, pkg, name), ""); got != "[100]" {
				t.Errorf("%s() = %s, want [100]: each of 100 goroutines adding its own value", name, got)
			}
		})
	}
}

// logRecorder is a slog handler that keeps the records it handles.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
	added   chan struct{}
}

func newLogRecorder() *logRecorder { return &logRecorder{added: make(chan struct{}, 100)} }

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecorder) WithGroup(string) slog.Handler            { return h }
func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.records = append(h.records, r.Clone())
	h.mu.Unlock()
	h.added <- struct{}{}
	return nil
}

// wait returns the first record whose message contains msg, waiting up to
// five seconds for it.
func (h *logRecorder) wait(t *testing.T, msg string) slog.Record {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		h.mu.Lock()
		for _, r := range h.records {
			if strings.Contains(r.Message, msg) {
				h.mu.Unlock()
				return r
			}
		}
		h.mu.Unlock()
		select {
		case <-h.added:
		case <-timeout:
			t.Fatalf("no log record %q", msg)
		}
	}
}

func attr(r slog.Record, key string) string {
	var v string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

func TestGoroutinePanicIsRecoveredAndLogged(t *testing.T) {
	logs := newLogRecorder()
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import "fmt"

//microfn:service
func Spawn() string {
	done := make(chan struct{})
	go func() {
		defer close(done)
		panic("boom in goroutine")
	}()
	<-done
	fmt.Println("printed by service")
	return "spawned"
}
`}, interp.Options{Logger: slog.New(logs)}, nil)
	if got := mustInvoke(t, service(t, pkg, "Spawn"), ""); got != `"spawned"` {
		t.Fatalf("Spawn() = %s", got)
	}
	r := logs.wait(t, "panicked")
	if r.Level != slog.LevelError || !strings.Contains(attr(r, "panic"), "boom in goroutine") {
		t.Errorf("log record: %v %s panic=%q", r.Level, r.Message, attr(r, "panic"))
	}
	if got := attr(logs.wait(t, "printed by service"), "stream"); got != "stdout" {
		t.Errorf("stdout line logged with stream=%q", got)
	}
	// The process survived; the package still works.
	if got := mustInvoke(t, service(t, pkg, "Spawn"), ""); got != `"spawned"` {
		t.Fatalf("second Spawn() = %s", got)
	}
}

type ctxKey struct{}

// TestGoroutineInheritsCaller checks that calls made from goroutines a
// service starts carry the service's context, whatever the go statement's
// shape.
func TestGoroutineInheritsCaller(t *testing.T) {
	rec := &recorder{}
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import "sync"

//microfn:service
func Inner(n int) int { return n * 2 }

func worker(wg *sync.WaitGroup, out *int, n int) {
	defer wg.Done()
	*out = Inner(n)
}

//microfn:service
func Outer() int {
	var wg sync.WaitGroup
	var a, b, c int
	wg.Add(3)
	go func() {
		defer wg.Done()
		a = Inner(1)
	}()
	go worker(&wg, &b, 2)
	go func() {
		defer wg.Done()
		done := make(chan struct{})
		go func() { // a goroutine of a goroutine
			defer close(done)
			c = Inner(3)
		}()
		<-done
	}()
	wg.Wait()
	return a + b + c
}
`}, interp.Options{}, rec.call)
	ctx := context.WithValue(context.Background(), ctxKey{}, "outer")
	got, err := invoke(t, ctx, service(t, pkg, "Outer"), "")
	if err != nil || got != "12" {
		t.Fatalf("Outer() = %s, %v; want 12", got, err)
	}
	calls := rec.recorded()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, c := range calls {
		if c.Caller != ctx {
			t.Errorf("call of %s from a goroutine: Caller = %v, want the context given to Invoke", c.Service.Desc.Name, c.Caller)
		}
		if c.Ctx.Value(ctxKey{}) != "outer" {
			t.Errorf("call of %s: Ctx does not derive from the caller's context", c.Service.Desc.Name)
		}
	}
}

func TestPanics(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"errors"
	"os"
)

//microfn:service
func Exit() int {
	os.Exit(3)
	return 1
}

//microfn:service
func Panic(msg string) int { panic(msg) }

//microfn:service
func PanicError() int { panic(errors.New("an error value")) }

//microfn:service
func NilMap() (int, error) {
	var m map[string]int
	m["x"] = 1
	return 0, nil
}

//microfn:service
func Index(i int) int {
	xs := []int{1}
	return xs[i]
}
`}, interp.Options{Allow: []string{"os"}}, nil)
	tests := []struct {
		name, args string
		want       string // what the panic value's text contains
	}{
		{"Exit", "", "os.Exit(3)"},
		{"Panic", `{"msg":"boom"}`, "boom"},
		{"PanicError", "", "an error value"},
		{"NilMap", "", "nil map"},
		{"Index", `{"i":5}`, "index out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := invoke(t, context.Background(), service(t, pkg, tt.name), tt.args)
			var pe *svcrt.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want a *PanicError", err, err)
			}
			if !strings.Contains(pe.Error(), tt.want) {
				t.Errorf("PanicError %q does not contain %q", pe.Error(), tt.want)
			}
			if len(pe.Stack) == 0 {
				t.Errorf("PanicError has no stack")
			}
			if pe.StatusCode() != 500 {
				t.Errorf("StatusCode() = %d", pe.StatusCode())
			}
		})
	}
	t.Run("PanicErrorUnwraps", func(t *testing.T) {
		_, err := invoke(t, context.Background(), service(t, pkg, "PanicError"), "")
		if err == nil || errors.Unwrap(err) == nil || errors.Unwrap(err).Error() != "an error value" {
			t.Errorf("Unwrap(%v) = %v", err, errors.Unwrap(err))
		}
	})
}

// TestLoadPanics checks that panics while the package loads (its
// initialization, or the interpreter itself) are errors of Load.
func TestLoadPanics(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"init", `package a

func init() { panic("init failed") }

//microfn:service
func S() int { return 1 }
`, "init failed"},
		{"var", `package a

var x = f()

func f() int { var m map[int]int; m[1] = 1; return 1 }

//microfn:service
func S() int { return x }
`, "nil map"},
		// A bug of the interpreter: it panics compiling this (two blank
		// fields, whose names reflect.StructOf refuses).
		{"interpreter", `package a

type T struct {
	_ int
	_ string
	X int
}

//microfn:service
func S() int {
	return T{X: 1}.X
}
`, "the interpreter failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadFiles(t, map[string]string{"a.go": tt.src}, interp.Options{}, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load: %v, want an error containing %q", err, tt.want)
			}
			// The interpreter's message has a position: it must be the
			// user's file, not part of the message.
			var list funcs.ErrorList
			if errors.As(err, &list) && tt.name == "interpreter" {
				if p := list[0].Pos; filepath.Base(p.Filename) != "a.go" || p.Line != 11 || !strings.HasPrefix(list[0].Msg, "the interpreter failed: ") {
					t.Errorf("error at %q line %d: %s", p.Filename, p.Line, list[0].Msg)
				}
			}

		})
	}
}

// TestExportedGenerics loads packages that export generic types and
// functions, which the interpreter's symbol table cannot list.
func TestExportedGenerics(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

type List[T any] struct {
	Next *List[T]
	V    T
}

type Set[T comparable] map[T]bool

func Keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

//microfn:service
func Count(words []string) int {
	s := Set[string]{}
	for _, w := range words {
		s[w] = true
	}
	l := &List[int]{V: 1}
	l.Next = &List[int]{V: 2}
	return len(Keys(s)) + l.Next.V
}
`}, interp.Options{}, nil)
	if got := mustInvoke(t, service(t, pkg, "Count"), `{"words":["a","b","a"]}`); got != "4" {
		t.Errorf("Count = %s, want 4", got)
	}
}

// TestCloseStopsRunningCode checks that Close abandons a running
// execution of the package.
func TestCloseStopsRunningCode(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

//microfn:service
func Spin() int {
	n := 0
	for {
		n++
	}
}
`}, interp.Options{}, nil)
	s := service(t, pkg, "Spin")
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = s.Invoke(context.Background(), nil)
	}()
	select {
	case <-done:
		t.Fatal("Spin returned before Close")
	case <-time.After(100 * time.Millisecond):
	}
	pkg.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Spin still runs 10s after Close")
	}
}

// TestDeferredClosures: closures kept in variables and called from a
// deferred call. Left alone, the interpreter deadlocks on them (it locks
// the function's frame while deferred calls run, and the closure locks
// the frame it was created in when it returns); the rewrite creates them
// one frame further in.
func TestDeferredClosures(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

func callIt(f func()) { f() }

//microfn:service
func DeferLocal() (n int) {
	inc := func() { n += 10 }
	defer inc()
	n = 1
	return
}

//microfn:service
func DeferArgs() (out []string) {
	record := func(s string) {
		out = append(out, s)
	}
	defer record("deferred")
	record("body")
	return
}

//microfn:service
func DeferHelper() (n int) {
	var inc func()
	inc = func() { n++ }
	defer callIt(inc)
	return 5
}

//microfn:service
func DeferInLiteral() (n int) {
	var inc = func() { n *= 3 }
	defer func() { inc() }()
	return 2
}

//microfn:service
func Nested() (n int) {
	func() {
		add := func() { n += 100 }
		defer add()
	}()
	return n + 1
}
`}, interp.Options{}, nil)
	tests := []struct{ name, want string }{
		{"DeferLocal", "11"},
		{"DeferArgs", `["body","deferred"]`},
		{"DeferHelper", "6"},
		{"DeferInLiteral", "6"},
		{"Nested", "101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := service(t, pkg, tt.name)
			type result struct {
				out []reflect.Value
				err error
			}
			got := make(chan result, 1)
			go func() {
				out, err := svc.Invoke(context.Background(), nil)
				got <- result{out, err}
			}()
			select {
			case r := <-got:
				if r.err != nil {
					t.Fatalf("%s(): %v", tt.name, r.err)
				}
				b, err := svc.Func.AppendResults(nil, r.out)
				if err != nil || string(b) != tt.want {
					t.Errorf("%s() = %s (%v), want %s", tt.name, b, err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s() hangs", tt.name)
			}
		})
	}
}

// TestDeferredArguments: a deferred call gets the function value, receiver
// and arguments as they were when the defer statement ran, as in Go (the
// interpreter alone reads them when the call runs).
func TestDeferredArguments(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"fmt"
	"strings"
)

type T struct{ n int }

func (t T) Show(out *[]string)   { *out = append(*out, fmt.Sprint("T", t.n)) }
func (t *T) Inc()               { t.n++ }
func (t *T) Guard(err *error)   { if r := recover(); r != nil { *err = fmt.Errorf("recovered %v", r) } }

type shower interface{ Show(out *[]string) }

func rec(out *[]string, xs ...int) { *out = append(*out, fmt.Sprint(xs)) }

//microfn:service
func Loop() (out []string) {
	for i := 0; i < 3; i++ {
		defer rec(&out, i)
	}
	return
}

//microfn:service
func Reassigned() (out []string) {
	i := 1
	defer rec(&out, i)
	i = 2
	defer rec(&out, i)
	return
}

//microfn:service
func FuncValue() (out []string) {
	f := func() { out = append(out, "first") }
	defer f()
	f = func() { out = append(out, "second") }
	return
}

//microfn:service
func Receivers() (out []string) {
	for _, t := range []T{{1}, {2}, {3}} {
		defer t.Show(&out)
	}
	for _, s := range []shower{T{4}, T{5}} {
		defer s.Show(&out)
	}
	return
}

//microfn:service
func PointerReceiver() (n int) {
	var c T
	defer func() { n = c.n }()
	defer c.Inc()
	defer c.Inc()
	return
}

//microfn:service
func Variadic() (out []string) {
	xs := []int{1, 2}
	defer rec(&out, xs...)
	xs = []int{3}
	return
}

//microfn:service
func Recovers() (err error) {
	var c T
	defer c.Guard(&err)
	panic("boom")
}

//microfn:service
func LoopLiteral() (out []string) {
	for i := 0; i < 3; i++ {
		defer func() { out = append(out, fmt.Sprint(i)) }()
	}
	for _, s := range []string{"a", "b"} {
		defer func(prefix string) {
			out = append(out, prefix+s)
		}("x")
	}
	return
}

//microfn:service
func LoopRecover() (err error) {
	for i := 0; i < 2; i++ {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("recovered %v", r)
			}
		}()
	}
	panic("boom")
}

//microfn:service
func Joined() (s string) {
	parts := []string{"a"}
	defer func() { s = strings.Join(parts, ",") }()
	parts = append(parts, "b")
	return
}
`}, interp.Options{}, nil)
	tests := []struct{ name, want string }{
		{"Loop", `["[2]","[1]","[0]"]`},
		{"Reassigned", `["[2]","[1]"]`},
		{"FuncValue", `["first"]`},
		{"Receivers", `["T5","T4","T3","T2","T1"]`},
		{"PointerReceiver", "2"},
		{"Variadic", `["[1 2]"]`},
		{"Joined", `"a,b"`},
		{"LoopLiteral", `["xb","xa","2","1","0"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustInvoke(t, service(t, pkg, tt.name), ""); got != tt.want {
				t.Errorf("%s() = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
	t.Run("LoopRecover", func(t *testing.T) {
		_, err := invoke(t, context.Background(), service(t, pkg, "LoopRecover"), "")
		if err == nil || !strings.Contains(err.Error(), "recovered boom") {
			t.Errorf("LoopRecover() = %v, want the error its deferred literal made of the recovered panic", err)
		}
	})
	t.Run("Recovers", func(t *testing.T) {
		_, err := invoke(t, context.Background(), service(t, pkg, "Recovers"), "")
		if err == nil || !strings.Contains(err.Error(), "recovered boom") {
			t.Errorf("Recovers() = %v, want the error its deferred method made of the recovered panic", err)
		}
	})
}

// TestMethodValues: a method value binds its receiver when it is
// evaluated, as in Go (the interpreter alone binds it when called).
func TestMethodValues(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"fmt"
	"sort"
	"strings"
)

type T struct{ n int }

func (t T) Get() int              { return t.n }
func (t *T) Inc()                 { t.n++ }
func (t T) Sum(xs ...int) int     { for _, x := range xs { t.n += x }; return t.n }
func (t T) Less(a, b int) bool    { return a*t.n < b*t.n }

type getter interface{ Get() int }

//microfn:service
func Reassigned() []int {
	t := T{1}
	g := t.Get
	t.n = 2
	p := &T{3}
	h := p.Get
	p = &T{4}
	return []int{g(), h(), p.Get()}
}

//microfn:service
func InLoop() []int {
	var fs []func() int
	for _, t := range []T{{1}, {2}, {3}} {
		fs = append(fs, t.Get)
	}
	for _, g := range []getter{T{4}, T{5}} {
		fs = append(fs, g.Get)
	}
	var out []int
	for _, f := range fs {
		out = append(out, f())
	}
	return out
}

//microfn:service
func Kinds() string {
	c := T{1}
	inc := c.Inc
	inc()
	sum := T{10}.Sum
	xs := []int{5, 1, 3}
	sort.Slice(xs, func(i, j int) bool { return T{1}.Less(xs[i], xs[j]) })
	less := T{-1}.Less
	var b strings.Builder
	w := b.WriteString
	w("built")
	return fmt.Sprint(c.n, sum(1, 2), xs, less(1, 2), b.String())
}
`}, interp.Options{}, nil)
	tests := []struct{ name, want string }{
		{"Reassigned", "[1,3,4]"},
		{"InLoop", "[1,2,3,4,5]"},
		{"Kinds", `"2 13 [1 3 5] falsebuilt"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustInvoke(t, service(t, pkg, tt.name), ""); got != tt.want {
				t.Errorf("%s() = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}

// TestInterfaceConversions: a variable converted to an interface with
// methods is copied, as in Go (the interpreter alone shares the
// variable's storage with the interface value).
func TestInterfaceConversions(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import "fmt"

type E struct{ msg string }

func (e E) Error() string { return e.msg }

type T struct{ n int }

func (t T) Get() int { return t.n }

type P struct{ n int }

func (p *P) Get() int { return p.n }

type getter interface{ Get() int }

type box struct{ g getter }

var kept []getter

func keep(g getter) { kept = append(kept, g) }

func gets(gs ...getter) []int {
	var out []int
	for _, g := range gs {
		out = append(out, g.Get())
	}
	return out
}

//microfn:service
func Errors() string {
	var errs []error
	for _, e := range []E{{"a"}, {"b"}} {
		errs = append(errs, e)
	}
	return fmt.Sprint(errs)
}

//microfn:service
func Places() string {
	t := T{1}
	var declared getter = t
	var assigned getter
	assigned = t
	explicit := getter(t)
	m := map[string]getter{"lit": t}
	m["set"] = t
	b := box{g: t}
	s := []getter{t}
	ch := make(chan getter, 1)
	ch <- t
	keep(t)
	p := &P{1}
	var viaPtr getter = p
	t.n = 2
	p = &P{2}
	_ = p
	return fmt.Sprint(gets(declared, assigned, explicit, m["lit"], m["set"], b.g, s[0], <-ch, kept[len(kept)-1], viaPtr))
}

//microfn:service
func InLoop() string {
	kept = nil
	var out []getter
	for i := 0; i < 3; i++ {
		t := T{i}
		out = append(out, t)
		keep(t)
	}
	return fmt.Sprint(gets(out...), gets(kept...))
}
`}, interp.Options{}, nil)
	tests := []struct{ name, want string }{
		{"Errors", `"[a b]"`},
		{"Places", `"[1 1 1 1 1 1 1 1 1 1]"`},
		{"InLoop", `"[0 1 2] [0 1 2]"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mustInvoke(t, service(t, pkg, tt.name), ""); got != tt.want {
				t.Errorf("%s() = %s, want %s", tt.name, got, tt.want)
			}
		})
	}
}

// TestMethodExpressions: T.M and (*T).M, called and as values (the
// interpreter alone fails on them).
func TestMethodExpressions(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"fmt"
	"strings"
)

type T struct{ n int }

func (t T) Add(x int) int        { return t.n + x }
func (t *T) Scale(k int)         { t.n *= k }
func (t T) Sum(xs ...int) int    { for _, x := range xs { t.n += x }; return t.n }

//microfn:service
func Exprs() string {
	add := T.Add
	t := T{2}
	(*T).Scale(&t, 5)
	scale := (*T).Scale
	scale(&t, 2)
	var b strings.Builder
	(*strings.Builder).WriteString(&b, "built")
	return fmt.Sprint(add(T{1}, 2), T.Add(T{10}, 1), t.n, T.Sum(T{1}, 2, 3), b.String())
}
`}, interp.Options{}, nil)
	if got, want := mustInvoke(t, service(t, pkg, "Exprs"), ""), `"3 11 20 6built"`; got != want {
		t.Errorf("Exprs() = %s, want %s", got, want)
	}
}

// TestRecoverValues: recover returns the value passed to panic, so type
// assertions on it work (the interpreter alone returns it wrapped).
func TestRecoverValues(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"errors"
	"fmt"
)

func describe(f func()) (s string) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(error); ok {
			s = "error " + e.Error()
		} else if v, ok := r.(string); ok {
			s = "string " + v
		} else {
			s = fmt.Sprintf("%T %v", r, r)
		}
	}()
	f()
	return "no panic"
}

//microfn:service
func Recovered() []string {
	var m map[string]int
	return []string{
		describe(func() { panic(errors.New("x")) }),
		describe(func() { panic("boom") }),
		describe(func() { panic(42) }),
		describe(func() { m["a"] = 1 }),
		describe(func() {}),
	}
}
`}, interp.Options{}, nil)
	want := `["error x","string boom","int 42","error assignment to entry in nil map","no panic"]`
	if got := mustInvoke(t, service(t, pkg, "Recovered"), ""); got != want {
		t.Errorf("Recovered() = %s, want %s", got, want)
	}
}
