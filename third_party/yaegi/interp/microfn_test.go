package interp_test

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/traefik/yaegi/extract"
	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/generic"
	"github.com/traefik/yaegi/stdlib/syscall"
)

// The tests of the changes microfn made to yaegi (see FORK.md). Each case
// is a program whose output differs from the compiled program's without
// the change; want is what `go run` prints.

type forkCase struct {
	name string
	src  string // a main package
	want string
}

// runForkCases runs each case's program in a new interpreter and compares
// what it prints with want.
func runForkCases(t *testing.T, cases []forkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, stderr bytes.Buffer // yaegi reports panics on stderr
			i := interp.New(interp.Options{Stdout: &out, Stderr: &stderr})
			if err := i.Use(stdlib.Symbols.Exports()); err != nil {
				t.Fatal(err)
			}
			if _, err := i.Eval(c.src); err != nil {
				t.Fatalf("eval: %v\noutput: %s%s", err, out.String(), stderr.String())
			}
			if got := strings.TrimSpace(out.String()); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestReceiveAssign: a receive assigned to an index expression, a field,
// a dereferenced pointer or a variable of an enclosing function stores
// the value (yaegi wrote it into a slot of its own frame instead), and a
// variable whose address was taken keeps it.
func TestReceiveAssign(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "places",
		src: `package main

import "fmt"

type S struct{ f int }

func main() {
	c := make(chan int, 1)
	xs := []int{1}
	c <- 7
	xs[0] = <-c
	var arr [2]int
	c <- 8
	arr[1] = <-c
	m := map[string]int{}
	c <- 9
	m["k"] = <-c
	var s S
	c <- 10
	s.f = <-c
	ps := &S{}
	c <- 11
	ps.f = <-c
	p := new(int)
	c <- 12
	*p = <-c
	fmt.Println(xs, arr, m, s, *ps, *p)
}
`,
		want: "[7] [0 8] map[k:9] {10} {11} 12",
	}, {
		name: "variables",
		src: `package main

import "fmt"

func main() {
	c := make(chan int, 1)
	x := 0
	c <- 5
	func() { x = <-c }()
	y := 1
	q := &y
	c <- 6
	y = <-c
	var i interface{}
	c <- 7
	i = <-c
	ec := make(chan error, 1)
	var e error
	ec <- fmt.Errorf("e")
	e = <-ec
	fmt.Println(x, y, *q, i, e)
}
`,
		want: "5 6 6 7 e",
	}})
}

// errorTypes declares error types of the kinds the tests of errors use.
const errorTypes = `
type Code int

func (c Code) Error() string { return fmt.Sprintf("code %d", int(c)) }

const NotFound Code = 404

type Name string

func (n Name) Error() string { return "name " + string(n) }

type Wrap struct{ err error }

func (w Wrap) Error() string { return "wrap: " + w.err.Error() }
func (w Wrap) Unwrap() error { return w.err }

type Multi []error

func (m Multi) Error() string   { return "multi" }
func (m Multi) Unwrap() []error { return m }

type PErr struct{ msg string }

func (p *PErr) Error() string { return p.msg }

var ErrP = &PErr{"p"}

type Always struct{}

func (Always) Error() string        { return "always" }
func (Always) Is(target error) bool { return target == NotFound }

type U16 uint16

func (u U16) M() {}

type unwrapper interface{ Unwrap() error }

func find() error { return NotFound }
`

// TestInterfaceEquality: == and != with an operand of an interface type
// compare the dynamic types and values, also for values of interpreted
// named types with methods (yaegi compared its own representations,
// which differ for one value converted twice).
func TestInterfaceEquality(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "errors",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	err := find()
	var e2 error = NotFound
	var n error = Name("x")
	var pe error = ErrP
	fmt.Println(err == NotFound, err != NotFound, err == e2, e2 == err, n == Name("x"), n == Name("y"), n == err)
	fmt.Println(pe == ErrP, pe == error(&PErr{"p"}), err == nil, error(nil) == nil)
	var o error = Wrap{NotFound}
	a, b := Wrap{NotFound}, [2]error{NotFound}
	fmt.Println(o == Wrap{NotFound}, o == Wrap{Name("x")}, a == Wrap{NotFound}, a != Wrap{Name("x")}, b == [2]error{NotFound, nil})
}
`,
		want: "true false true true true false false\ntrue false false true\ntrue false true true true",
	}, {
		name: "any",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	u := U16(3)
	var x any = u
	var y interface{ M() } = u
	fmt.Println(u == any(u), x == u, x == any(U16(3)), x == any(U16(4)), y == x, y == u)
	var s any = "a"
	fmt.Println(s == "a", s == any(Name("b")), any(Name("a")) == any(Name("a")))
}
`,
		want: "true true true false true true\ntrue false true",
	}, {
		name: "switch",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	for _, err := range []error{NotFound, Name("x"), nil, ErrP} {
		switch err {
		case NotFound:
			fmt.Println("not found")
		case ErrP:
			fmt.Println("p")
		case nil:
			fmt.Println("nil")
		default:
			fmt.Println("other", err)
		}
	}
}
`,
		want: "not found\nother name x\nnil\np",
	}, {
		name: "uncomparable",
		src: `package main

import "fmt"

type S []int

func (S) Error() string { return "s" }

func main() {
	defer func() { fmt.Println(recover()) }()
	var a, b error = S{1}, S{1}
	fmt.Println(a == b)
}
`,
		want: "runtime error: comparing uncomparable type []int",
	}})
}

// TestErrorValues: package errors and fmt see errors of interpreted
// types as Go code does: errors.Is and errors.As match them, through
// wrapping, Unwrap and Is methods; type switches and assertions on a
// value of type error see its interpreted type; fmt prints it with its
// Error method.
func TestErrorValues(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "errors",
		src: `package main

import (
	"errors"
	"fmt"
)
` + errorTypes + `
func main() {
	err := find()
	w := fmt.Errorf("ctx: %w", err)
	fmt.Println(errors.Is(err, NotFound), errors.Is(w, NotFound), errors.Is(w, Name("x")), errors.Is(Wrap{w}, NotFound))
	fmt.Println(errors.Is(ErrP, ErrP), errors.Is(Wrap{ErrP}, ErrP), errors.Is(Always{}, NotFound), errors.Is(Multi{Name("a"), NotFound}, NotFound))
	fmt.Println(errors.Unwrap(Wrap{NotFound}) == NotFound, errors.Unwrap(NotFound) == nil, errors.Is(errors.Join(Name("a"), Wrap{NotFound}), NotFound))
	var c Code
	var p *PErr
	var u unwrapper
	fmt.Println(errors.As(w, &c), c, errors.As(Wrap{ErrP}, &p), p == ErrP, errors.As(Multi{Name("a"), Wrap{NotFound}}, &u), u)
	var n Name
	fmt.Println(errors.As(w, &n), n == "")
}
`,
		want: "true true false true\ntrue true true true\ntrue true true\ntrue code 404 true true true wrap: code 404\nfalse true",
	}, {
		name: "type switch",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	for _, err := range []error{NotFound, Wrap{Name("n")}, ErrP, nil, fmt.Errorf("x")} {
		switch e := err.(type) {
		case Code:
			fmt.Println("code", int(e))
		case unwrapper:
			fmt.Println("unwrapper", e.Unwrap())
		case *PErr:
			fmt.Println("perr", e.msg)
		case nil:
			fmt.Println("nil")
		default:
			fmt.Println("other", e)
		}
		switch err.(type) {
		case Name, Code:
			fmt.Println("name or code")
		}
	}
}
`,
		want: "code 404\nname or code\nunwrapper name n\nperr p\nnil\nother x",
	}, {
		name: "assertions",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	var err error = Wrap{NotFound}
	_, ok1 := err.(interface{ Unwrap() error })
	u, ok2 := err.(unwrapper)
	w, ok3 := err.(Wrap)
	c, ok4 := w.err.(Code)
	_, ok5 := err.(Code)
	_, ok6 := err.(fmt.Stringer)
	fmt.Println(ok1, ok2, u.Unwrap(), ok3, w, ok4, int(c), ok5, ok6)
}
`,
		want: "true true code 404 true wrap: code 404 true 404 false false",
	}, {
		name: "fmt",
		src: `package main

import "fmt"
` + errorTypes + `
func main() {
	var err error = Wrap{NotFound}
	fmt.Println(NotFound, err, Name("n"), ErrP)
	fmt.Printf("%v %s %d %q %x|%-9v|%v\n", NotFound, NotFound, NotFound, NotFound, Name("n"), NotFound, Wrap{NotFound})
}
`,
		want: "code 404 wrap: code 404 name n p\ncode 404 code 404 404 \"code 404\" 6e616d65206e|code 404 |wrap: code 404",
	}})
}

// TestRuntimePanics: the run-time panics of interpreted code are
// runtime.Errors with the runtime's text (yaegi panicked with reflect's
// strings, "reflect: slice index out of range", or errors of its own),
// or the runtime's own errors.
func TestRuntimePanics(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "kinds",
		src: `package main

import (
	"fmt"
	"runtime"
)

func try(name string, f func()) {
	defer func() {
		r := recover()
		_, isErr := r.(error)
		_, isRt := r.(runtime.Error)
		fmt.Println(name, isErr, isRt, r)
	}()
	f()
}

type T struct{ x int }

type E struct{ x int }

type S struct{ *E }

type I interface{ M() }

func main() {
	n5, m1, z := 5, -1, 0
	s := []int{1, 2, 3}
	a := [3]int{}
	pa := &a
	str := "abc"
	try("index", func() { _ = s[n5] })
	try("index-negative", func() { _ = s[m1] })
	try("index-array", func() { _ = a[n5] })
	try("index-array-pointer", func() { _ = pa[n5] })
	try("index-string", func() { _ = str[n5] })
	try("index-set", func() { s[n5] = 1 })
	try("index-empty", func() { var e []int; _ = e[5] })
	try("slice-high", func() { _ = s[1:n5] })
	try("slice-low-high", func() { lo := 2; _ = s[lo:1] })
	try("slice-max", func() { _ = s[0:1:n5] })
	try("slice-low", func() { _ = s[n5:] })
	try("slice-array", func() { _ = a[1:n5] })
	try("slice-string", func() { _ = str[1:n5] })
	try("convert-array", func() { _ = [4]int(s) })
	var m map[string]int
	try("nil-map", func() { m["a"] = 1 })
	var p *T
	try("nil-field", func() { _ = p.x })
	try("nil-field-set", func() { p.x = 1 })
	var ip *int
	try("nil-deref", func() { _ = *ip })
	try("nil-deref-set", func() { *ip = 1 })
	try("nil-embedded", func() { var v S; _ = v.x })
	var nf func()
	try("nil-func", func() { nf() })
	try("divide", func() { _ = n5 / z })
	try("shift", func() { _ = 1 << m1 })
	var x any = "s"
	try("assert", func() { _ = x.(int) })
	var e error
	try("assert-nil", func() { _ = e.(interface{ Foo() }) })
	try("assert-interface", func() { _ = x.(fmt.Stringer) })
	try("assert-interpreted", func() { var y any = 3; _ = y.(I) })
	try("makeslice", func() { _ = make([]int, m1) })
	try("makeslice-cap", func() { _ = make([]int, 5, n5-2) })
	try("makechan", func() { _ = make(chan int, m1) })
	c := make(chan int)
	close(c)
	try("send-closed", func() { c <- 1 })
	try("close-closed", func() { close(c) })
	try("uncomparable", func() { var a, b any = s, s; _ = a == b })
	try("none", func() {})
}
`,
		want: `index true true runtime error: index out of range [5] with length 3
index-negative true true runtime error: index out of range [-1]
index-array true true runtime error: index out of range [5] with length 3
index-array-pointer true true runtime error: index out of range [5] with length 3
index-string true true runtime error: index out of range [5] with length 3
index-set true true runtime error: index out of range [5] with length 3
index-empty true true runtime error: index out of range [5] with length 0
slice-high true true runtime error: slice bounds out of range [:5] with capacity 3
slice-low-high true true runtime error: slice bounds out of range [2:1]
slice-max true true runtime error: slice bounds out of range [::5] with capacity 3
slice-low true true runtime error: slice bounds out of range [5:3]
slice-array true true runtime error: slice bounds out of range [:5] with length 3
slice-string true true runtime error: slice bounds out of range [:5] with length 3
convert-array true true runtime error: cannot convert slice with length 3 to array or pointer to array with length 4
nil-map true true assignment to entry in nil map
nil-field true true runtime error: invalid memory address or nil pointer dereference
nil-field-set true true runtime error: invalid memory address or nil pointer dereference
nil-deref true true runtime error: invalid memory address or nil pointer dereference
nil-deref-set true true runtime error: invalid memory address or nil pointer dereference
nil-embedded true true runtime error: invalid memory address or nil pointer dereference
nil-func true true runtime error: invalid memory address or nil pointer dereference
divide true true runtime error: integer divide by zero
shift true true runtime error: negative shift amount
assert true true interface conversion: interface {} is string, not int
assert-nil true true interface conversion: interface is nil, not interface { Foo() }
assert-interface true true interface conversion: string is not fmt.Stringer: missing method String
assert-interpreted true true interface conversion: int is not main.I: missing method M
makeslice true true runtime error: makeslice: len out of range
makeslice-cap true true runtime error: makeslice: cap out of range
makechan true true makechan: size out of range
send-closed true true send on closed channel
close-closed true true close of closed channel
uncomparable true true runtime error: comparing uncomparable type []int
none false false <nil>`,
	}, {
		name: "assert error",
		src: `package main

import "fmt"

type Code int

func (c Code) Error() string { return "code" }

type Wrap struct{ err error }

func (w Wrap) Error() string { return "wrap" }

func main() {
	defer func() { fmt.Println(recover()) }()
	var err error = Wrap{Code(1)}
	_ = err.(Code)
}
`,
		want: "interface conversion: error is main.Wrap, not main.Code",
	}})
}

// TestPanicValues: recover returns the value given to panic (yaegi
// returned a reflect.Value holding it), a value of an interpreted type
// that implements error panics as an error, and type switches and
// assertions on an interface{} see interpreted types and binary
// interfaces.
func TestPanicValues(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "recover",
		src: `package main

import (
	"fmt"
	"runtime"
)
` + errorTypes + `
func try(f func()) (s string) {
	defer func() {
		r := recover()
		e, isErr := r.(error)
		_, isRt := r.(runtime.Error)
		c, isCode := r.(Code)
		_, isStr := r.(string)
		s = fmt.Sprint(r, " ", e, isErr, isRt, int(c), isCode, isStr)
	}()
	f()
	return "none"
}

func main() {
	fmt.Println(try(func() { panic("s") }))
	fmt.Println(try(func() { panic(NotFound) }))
	fmt.Println(try(func() { var err error = Wrap{Name("n")}; panic(err) }))
	fmt.Println(try(func() { panic(fmt.Errorf("e")) }))
	fmt.Println(try(func() { var xs []int; _ = xs[1] }))
	fmt.Println(try(func() { panic(3.5) }))
}
`,
		want: `s <nil> false false 0 false true
code 404 code 404 true false 404 true false
wrap: name n wrap: name n true false 0 false false
e e true false 0 false false
runtime error: index out of range [1] with length 0 runtime error: index out of range [1] with length 0 true true 0 false false
3.5 <nil> false false 0 false false`,
	}, {
		name: "switch on any",
		src: `package main

import (
	"fmt"
	"runtime"
)
` + errorTypes + `
func kind(x any) string {
	switch e := x.(type) {
	case nil:
		return "nil"
	case Code:
		return fmt.Sprint("code ", int(e))
	case *PErr:
		return "perr " + e.msg
	case runtime.Error:
		return "runtime " + e.Error()
	case unwrapper:
		return "unwrapper " + e.Unwrap().Error()
	case error:
		return "error " + e.Error()
	case float64:
		return "float64"
	}
	return "other"
}

func main() {
	var xs []int
	var r any
	func() {
		defer func() { r = recover() }()
		_ = xs[2]
	}()
	for _, x := range []any{nil, NotFound, ErrP, r, fmt.Errorf("w: %w", Name("n")), Name("x"), 3.5, U16(1)} {
		fmt.Println(kind(x))
	}
	var y any = Code(2)
	_, isInt := y.(int)
	fmt.Println(isInt)
}
`,
		want: `nil
code 404
perr p
runtime runtime error: index out of range [2] with length 0
unwrapper name n
error name x
float64
other
false`,
	}})
}

// TestSpreadCallArguments: in a call with ..., the arguments before the
// spread slice are converted as in any call (yaegi passed them as they
// were, so a function declaration or a value for an interface parameter
// failed: "value of type *interp.node is not assignable").
func TestSpreadCallArguments(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "spread",
		src: `package main

import "fmt"

type Code int

func (c Code) Error() string { return fmt.Sprint("code ", int(c)) }

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func apply(f func(...int) int, xs ...int) int { return f(xs...) }

func describe(err error, xs ...int) string { return fmt.Sprint(err, len(xs)) }

func main() {
	xs := []int{1, 2, 3}
	fmt.Println(apply(sum, xs...), apply(sum, 4, 5), describe(Code(1), xs...), describe(Code(2)))
}
`,
		want: "6 9 code 1 3 code 2 0",
	}})
}

// TestBinaryPackageVariables: a variable of a binary package can be
// assigned (yaegi took it for a constant: "cannot assign to
// %!s(int=524288) (int constant)" for runtime.MemProfileRate = 0).
func TestBinaryPackageVariables(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "assign",
		src: `package main

import (
	"fmt"
	"runtime"
)

func main() {
	old := runtime.MemProfileRate
	runtime.MemProfileRate = 0
	n := runtime.MemProfileRate
	var m int = runtime.MemProfileRate
	fmt.Println(old > 0, runtime.MemProfileRate, n, m)
	runtime.MemProfileRate = old
	fmt.Println(runtime.MemProfileRate == old, n)
}
`,
		want: "true 0 0 0\ntrue 0",
	}})
	// A constant still cannot be assigned, with a message that reads.
	i := interp.New(interp.Options{})
	_, err := i.Eval("package main\n\nconst c = 3\n\nfunc main() { c = 4 }\n")
	if err == nil || !strings.Contains(err.Error(), "cannot assign to c (untyped int constant)") {
		t.Errorf("assigning a constant: %v", err)
	}
}

// TestCompilePanicPosition: a panic of the interpreter while it compiles
// a declaration carries the declaration's position (the pre-order part
// of the CFG pass, and the global types pass, reported none: "interface
// conversion: reflect.Type is nil" alone).
func TestCompilePanicPosition(t *testing.T) {
	// A recursive function type, which yaegi cannot build (reflect has no
	// recursive unnamed function types).
	src := `package main

type F func(s string) F

func (f F) Then(s string) F { return f(s) }

func start(s string) F { return start }

func main() { _ = F(start).Then("a") }
`
	var got string
	func() {
		defer func() {
			if r := recover(); r != nil {
				got = fmt.Sprint(r)
			}
		}()
		i := interp.New(interp.Options{})
		if _, err := i.Eval(src); err != nil {
			got = err.Error()
		}
	}()
	if !regexp.MustCompile(`^\d+:\d+: CFG (pre|post)-order panic: `).MatchString(got) {
		t.Errorf("got %q, want a position and the panic", got)
	}
}

// TestBinaryInterfaceValues: a value of an interpreted type held in a
// binary interface other than error (fmt.Stringer) keeps its type:
// assertions, type switches and == see it.
func TestBinaryInterfaceValues(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "stringer",
		src: `package main

import "fmt"

type N int

func (n N) String() string { return fmt.Sprint("n", int(n)) }

type P struct{ x int }

func (p P) String() string { return "p" }

func main() {
	var s fmt.Stringer = N(1)
	n, ok := s.(N)
	_, isP := s.(P)
	switch e := s.(type) {
	case P:
		fmt.Println("P")
	case N:
		fmt.Println("N", int(e))
	}
	var q fmt.Stringer = P{2}
	p, okP := q.(P)
	fmt.Println(n, ok, isP, s == N(1), s == N(2), p.x, okP, q == P{2}, s, q)
}
`,
		want: "N 1\nn1 true false true false 2 true true n1 p",
	}})
}

// TestSelectBreak: break in a select case leaves the select, and break L
// leaves the loop L (yaegi went on with the loop when break L ended the
// case, and left the enclosing loop on a plain break that did not).
func TestSelectBreak(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "break",
		src: `package main

import "fmt"

func main() {
	i := 0
L:
	for i < 5 {
		select {
		default:
			i++
			break L
		}
	}
	j := 0
	for j < 5 {
		select {
		default:
			j++
			if j > 0 {
				break
			}
			j += 100
		}
	}
	ch := make(chan int, 1)
	ch <- 1
	k := 0
M:
	for {
		select {
		case v := <-ch:
			k = v
			break M
		}
	}
	fmt.Println(i, j, k)
}
`,
		want: "1 5 1",
	}})
}

// TestReturnOperands: in a return statement with several operands, a
// builtin call, an operation or a call is stored aside and every operand
// is read before the results are set (yaegi stored len(s) in the first
// result's slot, whatever its position: return s, len(s) panicked; and an
// operand overwrote a named result another operand then read: return b+1, a
// returned b+1 twice).
func TestReturnOperands(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "builtins",
		src: `package main

import "fmt"

func pair(s string) (string, int) { return s, len(s) }

func builtins(x []int, m map[int]int) (string, int, int, int) { return "a", cap(x), len(m), len(x) }

func mixed(s string) (string, int, bool) { x, y := "x", true; return x, len(s), y }

func boxed(x []int) (int, any) { return 1, len(x) }

func main() {
	fmt.Println(pair("abc"))
	fmt.Println(builtins(make([]int, 2, 5), map[int]int{1: 1}))
	fmt.Println(mixed("abcd"))
	fmt.Println(boxed([]int{1}))
}
`,
		want: "abc 3\na 5 1 2\nx 4 true\n1 1",
	}, {
		name: "named",
		src: `package main

import (
	"errors"
	"fmt"
)

func one() int { return 1 }

func swap(a, b int) (x, y int) { x, y = a, b; return y, x }

func sum(a, b int) (x, y int) { x, y = a, b; return y + 1, x }

func length(s string) (a, b int) { a = 7; return len(s), a }

func negate(a, b int) (x, y int) { x, y = a, b; return -y, -x }

func called() (a, b int) { a = 5; return one(), a }

func wrapped(s string) (n int, err error) {
	n = 2
	return n + 1, fmt.Errorf("w: %w", errors.New(s))
}

func main() {
	fmt.Println(swap(1, 2))
	fmt.Println(sum(1, 2))
	fmt.Println(length("abc"))
	fmt.Println(negate(1, 2))
	fmt.Println(called())
	fmt.Println(wrapped("e"))
	f := func() (a, b string) { a, b = "a", "b"; return b, a }
	fmt.Println(f())
}
`,
		want: "2 1\n3 1\n3 7\n-2 -1\n1 5\n3 w: e\nb a",
	}})
}

// TestUntypedShift: a shift of an untyped constant by a non-constant count
// takes the type of its context (a comparison, an assignment, an
// argument, a conversion), as in Go; yaegi shifted an int into a slot of
// type int and then set it as the context's type (`var i uint; i < 1<<n`
// panicked with "reflect: call of reflect.Value.SetUint on int Value").
func TestUntypedShift(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "contexts",
		src: `package main

import "fmt"

type U8 uint8

func less(n uint) bool { var i uint; return i < 1<<n }

func use8(x uint8) uint8    { return x }
func useU(x U8) U8          { return x }
func use32(x uint32) uint32 { return x }

func main() {
	n := uint(8)
	fmt.Println(less(3), less(70))
	var u uint8
	fmt.Println(u < 1<<n, u == 1<<n, u < 1<<n+1, u < (1<<n)|2)
	var z uint8 = 1 << n
	var w uint32
	w = 1 << (n * 5)
	fmt.Println(z, w, use8(1<<n), useU(1<<n), use32(1<<(n*4)), use32(1<<(n*4)-1))
	fmt.Println(uint16(1<<(n*2)), uint8(1<<n+3), 1<<n, -(1<<n), ^uint8(1<<n))
	var i8 int8 = 1<<(n-1) - 1
	var x uint8 = ^(1 << n)
	y := uint8(3) + 1<<n
	var k uint64 = 1 << (n * 7)
	fmt.Println(i8, x, y, k, k == 1<<(n*7), k < 1<<(n*8))
	m := map[uint8]bool{1 << n: true}
	fmt.Println(m, u+1<<n, u|1<<(n-1))
}
`,
		want: "true false\nfalse true true true\n0 0 0 0 0 4294967295\n0 3 256 -256 255\n127 255 3 72057594037927936 true false\nmap[0:true] 0 128",
	}})
}

// TestInitOrderThroughFunctions: package-level variables are initialized
// in the order the Go specification gives, where a reference to a
// function counts as references to what its body refers to (yaegi only
// counted the variables an initializer names directly, so A below was
// computed from a zero B).
func TestInitOrderThroughFunctions(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "through functions",
		src: `package main

import "fmt"

var A = f()

func f() int { return g() * 2 }

func g() int { return B[1] + C }

var B = mk()

func mk() [3]int { trace = append(trace, "B"); return [3]int{1, 2, 3} }

var C = D + 1

var D = 5

var trace []string

var E = func() int { trace = append(trace, "E"); return A + 1 }()

func main() {
	fmt.Println(A, B, C, D, E, trace)
}
`,
		want: "16 [1 2 3] 6 5 17 [B E]",
	}, {
		name: "local variable named like a package-level one",
		src: `package main

import "fmt"

var a = f()

func f() int { b := 2; return b }

var b = g()

func g() int { a := 3; return a }

func main() { fmt.Println(a, b) }
`,
		want: "2 3",
	}})
}

// TestCallResultMethods: the result of a call of an interpreted function,
// passed straight to a binary function taking an interface (fmt), keeps
// its methods, as a variable holding it does (fmt.Sprint(f()) printed the
// value without its String method).
func TestCallResultMethods(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "String and Error",
		src: `package main

import (
	"errors"
	"fmt"
)

type A [2]byte

func (a A) String() string { return "A!" }

type E struct{ msg string }

func (e E) Error() string { return "E: " + e.msg }

func mkA() A          { return A{1, 2} }
func mkE() error      { return E{"x"} }
func mkEs() E         { return E{"y"} }
func two() (A, error) { return A{}, nil }

func main() {
	fmt.Println(mkA(), mkE(), mkEs())
	fmt.Printf("%s %v %s\n", mkA(), mkA(), mkEs())
	a, err := two()
	fmt.Println(a, err)
	fmt.Println(errors.Is(mkE(), E{"x"}))
}
`,
		want: "A! E: x E: y\nA! A! E: y\nA! <nil>\ntrue",
	}})
}

// TestStringerVerbs: a value of an interpreted type with a String method
// prints with it for %v, %s, %q, %x and %X, and as itself for the other
// verbs (%d printed the fields of the wrapper that carries the method).
func TestStringerVerbs(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "integer kind",
		src: `package main

import "fmt"

type Money int64

func (m Money) String() string { return fmt.Sprintf("$%d.%02d", m/100, m%100) }

func main() {
	fmt.Println(fmt.Sprintf("%d %v %s %x|%05d|%#v|%q", Money(1234), Money(1234), Money(5), Money(255), Money(42), Money(7), Money(1)))
}
`,
		want: `1234 $12.34 $0.05 24322e3535|00042|7|"$0.01"`,
	}})
}

// TestLazyTables: a [stdlib.Table] builds a package's symbols on first
// use, once, and gives the wrapper types of its interfaces without
// building the rest; a process starts with none of the standard library's
// tables built; and an interpreter given a few packages whole and only the
// wrappers of another passes an interpreted value as an interface of that
// other package to compiled code.
func TestLazyTables(t *testing.T) {
	if os.Getenv("YAEGI_LAZY_TABLES_CHILD") != "" {
		for _, tab := range []*stdlib.Table{stdlib.Symbols, syscall.Symbols} {
			for _, key := range tab.Keys() {
				if tab.Built(key) {
					fmt.Println("built at start:", key)
				}
			}
		}
		return
	}
	t.Parallel()
	t.Run("start", func(t *testing.T) {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestLazyTables$", "-test.count=1")
		cmd.Env = append(os.Environ(), "YAEGI_LAZY_TABLES_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Contains(string(out), "built at start") {
			t.Errorf("the child process: %v\n%s", err, out)
		}
	})
	t.Run("table", func(t *testing.T) {
		t.Parallel()
		var tab stdlib.Table
		builds := 0
		tab.Add("a/b/b", func() map[string]reflect.Value {
			builds++
			return map[string]reflect.Value{"F": reflect.ValueOf(strings.ToUpper)}
		}, map[string]reflect.Value{"_I": reflect.ValueOf((*fmt.Stringer)(nil))})
		if keys := tab.Keys(); len(keys) != 1 || keys[0] != "a/b/b" {
			t.Errorf("Keys() = %q, want [a/b/b]", keys)
		}
		if w := tab.Wrappers("a/b/b"); len(w) != 1 || !w["_I"].IsValid() || builds != 0 || tab.Built("a/b/b") {
			t.Errorf("Wrappers: %v, %d builds, built %v; want _I alone, no build", w, builds, tab.Built("a/b/b"))
		}
		p1, p2 := tab.Package("a/b/b"), tab.Package("a/b/b")
		if builds != 1 || len(p1) != 2 || !p1["F"].IsValid() || !p1["_I"].IsValid() || reflect.ValueOf(p1).Pointer() != reflect.ValueOf(p2).Pointer() || !tab.Built("a/b/b") {
			t.Errorf("Package: %v, %d builds; want F and _I, one build, the same map twice", p1, builds)
		}
		if p := tab.Package("x/x"); p != nil {
			t.Errorf("Package of an unknown key = %v, want nil", p)
		}
	})
	t.Run("wrappers only", func(t *testing.T) {
		t.Parallel()
		var out bytes.Buffer
		i := interp.New(interp.Options{Stdout: &out})
		exports := interp.Exports{}
		for _, key := range []string{".", "bufio/bufio", "fmt/fmt"} {
			exports[key] = stdlib.Symbols.Package(key)
		}
		exports["io/io"] = stdlib.Symbols.Wrappers("io/io")
		if err := i.Use(exports); err != nil {
			t.Fatal(err)
		}
		src := `package main

import (
	"bufio"
	"fmt"
)

type r struct{ done bool }

func (x *r) Read(p []byte) (int, error) {
	if x.done {
		return 0, fmt.Errorf("done")
	}
	x.done = true
	return copy(p, "hi\n"), nil
}

func main() {
	s, err := bufio.NewReader(&r{}).ReadString('\n')
	fmt.Print(s, err)
}
`
		if _, err := i.Eval(src); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != "hi\n<nil>" {
			t.Errorf("output %q, want %q", got, "hi\n<nil>")
		}
	})
}

// notInTables are the packages of `go list std` that stdlib.Symbols leaves
// out on purpose, with the reason.
var notInTables = map[string]string{
	"embed":            "its files come from //go:embed directives, which the interpreter does not process",
	"os/exec":          "it runs programs: the unrestricted tables have it",
	"plugin":           "it loads compiled code into the process",
	"runtime/cgo":      "it supports cgo, which interpreted code cannot use",
	"runtime/coverage": "it writes coverage data of a binary built with -cover",
	"runtime/race":     "it is the race detector's runtime, with no API",
	"syscall":          "the syscall and unrestricted tables have it, per platform",
	"time/tzdata":      "it has no API: it is imported for its side effect of embedding the time zone database",
	"unsafe":           "the unsafe table has it",
}

// stdExports returns the standard library's packages (as the toolchain
// running the test lists them, internal ones left out) and a function
// giving each one's exported names that the symbol tables hold: all but
// generic functions and types, and constraint interfaces. It skips the
// test without a Go toolchain.
func stdExports(t *testing.T) ([]string, func(path string) map[string]bool) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, gobin, "list", "-export", "-f", "{{.ImportPath}} {{.Export}}", "std").Output()
	if err != nil {
		t.Fatalf("go list std: %v", err)
	}
	exports := map[string]string{}
	var paths []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, file, _ := strings.Cut(line, " ")
		exports[path] = file
		if !strings.Contains(path, "internal") && !strings.HasPrefix(path, "vendor/") {
			paths = append(paths, path)
		}
	}
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		return os.Open(exports[path])
	})
	names := func(path string) map[string]bool {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		m := map[string]bool{}
		for _, name := range pkg.Scope().Names() {
			switch o := pkg.Scope().Lookup(name).(type) {
			case *types.Func:
				if o.Exported() && o.Type().(*types.Signature).TypeParams().Len() == 0 {
					m[name] = true
				}
			case *types.TypeName:
				if !o.Exported() {
					continue
				}
				if n, ok := o.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
					continue
				}
				if i, ok := o.Type().Underlying().(*types.Interface); ok && i.NumMethods() == 0 && i.NumEmbeddeds() != 0 {
					continue
				}
				m[name] = true
			case *types.Var, *types.Const:
				if o.Exported() {
					m[name] = true
				}
			}
		}
		return m
	}
	return paths, names
}

// TestStdlibTables: the standard library's symbol tables are those of the
// Go release that builds the interpreter: they have every package `go list
// std` lists (but those of notInTables), and each package has exactly the
// names the toolchain's export data has. With a new release of Go, this
// test fails until the tables are generated again (go generate in stdlib,
// internal/cmd/extract/all_platforms.sh).
func TestStdlibTables(t *testing.T) {
	t.Parallel()
	paths, names := stdExports(t)
	tables := map[string]map[string]reflect.Value{}
	for key, syms := range stdlib.Symbols.Exports() {
		if key != "." && !strings.HasPrefix(key, "github.com/traefik/yaegi/") {
			tables[path.Dir(key)] = syms
		}
	}
	for _, p := range paths {
		syms, ok := tables[p]
		if _, skip := notInTables[p]; skip {
			if ok {
				t.Errorf("%s is in the tables and in notInTables", p)
			}
			continue
		}
		if !ok {
			t.Errorf("the tables lack %s (go list std has it): add it to the go:generate lines of stdlib/stdlib.go, or to notInTables with a reason", p)
			continue
		}
		want := names(p)
		for name := range want {
			if _, ok := syms[name]; !ok {
				t.Errorf("%s.%s is missing from the tables", p, name)
			}
		}
		for name := range syms {
			if !strings.HasPrefix(name, "_") && !want[name] {
				t.Errorf("the tables have %s.%s, which the toolchain's %s lacks", p, name, p)
			}
		}
		delete(tables, p)
	}
	for p := range tables {
		t.Errorf("the tables have %s, which go list std does not list", p)
	}
}

// TestRangeOverFunc: range over a function (Go 1.23) calls it with a
// yield function that runs the loop's body; break, continue, labeled
// branches to enclosing loops, return (with named results and defers)
// and panics behave as in Go, the loop variables are fresh each
// iteration, and misused yield functions panic with the runtime's errors
// (yaegi panicked compiling such a loop: "nil type"). A goto out of the
// body is refused.
func TestRangeOverFunc(t *testing.T) {
	t.Parallel()
	i := interp.New(interp.Options{})
	_, err := i.Eval(`package main

func main() {
	for range func(yield func() bool) { yield() } {
		goto out
	}
out:
}
`)
	if err == nil || !strings.Contains(err.Error(), "goto out of the body of a range over a function is not supported") {
		t.Errorf("goto out of the body: got error %v", err)
	}
	runForkCases(t, []forkCase{{
		name: "branches",
		src: `package main

import "fmt"

func count(n int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			if !yield(i) {
				fmt.Println("stopped at", i)
				return
			}
		}
		fmt.Println("exhausted")
	}
}

func pairs(yield func(string, int) bool) {
	for i, s := range []string{"a", "b"} {
		if !yield(s, i) {
			return
		}
	}
}

func nothing(yield func() bool) { _ = yield() && yield() }

func main() {
	for x := range count(10) {
		if x == 1 {
			continue
		}
		if x == 3 {
			break
		}
		fmt.Println("x", x)
	}
	for k, v := range pairs {
		fmt.Println(k, v)
	}
	for k := range pairs {
		fmt.Println(k)
	}
	n := 0
	for range nothing {
		n++
	}
	fmt.Println("n", n)
outer:
	for i := 0; i < 3; i++ {
		for x := range count(5) {
			if x == 1 {
				continue outer
			}
			if i == 2 {
				break outer
			}
			fmt.Println("i x", i, x)
		}
	}
L:
	for x := range count(3) {
		for y := range count(3) {
			switch {
			case y == 1:
				continue L
			case x == 2:
				break L
			}
			fmt.Println("x y", x, y)
		}
	}
}
`,
		want: "x 0\nx 2\nstopped at 3\na 0\nb 1\na\nb\nn 2\ni x 0 0\nstopped at 1\ni x 1 0\nstopped at 1\nstopped at 0\nx y 0 0\nstopped at 1\nx y 1 0\nstopped at 1\nstopped at 0\nstopped at 2",
	}, {
		name: "return, defer and variables",
		src: `package main

import (
	"fmt"
	"strings"
)

type Seq[V any] func(yield func(V) bool)

func gen(vs ...string) Seq[string] {
	return func(yield func(string) bool) {
		for _, v := range vs {
			if !yield(v) {
				return
			}
		}
	}
}

type List struct{ items []string }

func (l *List) All(yield func(int, string) bool) {
	for i, s := range l.items {
		if !yield(i, s) {
			return
		}
	}
}

func nested() (s string) {
	defer func() { s += "!" }()
	for a := range gen("x", "y") {
		for b := range gen("1", "2") {
			defer func() { s += "d" }()
			if a == "y" && b == "2" {
				return a + b
			}
		}
	}
	return "none"
}

func main() {
	fmt.Println(nested())
	var fs []func() string
	for v := range gen("a", "b", "c") {
		fs = append(fs, func() string { return v })
	}
	for _, f := range fs {
		fmt.Print(f())
	}
	fmt.Println()
	for i, s := range (&List{[]string{"p", "q"}}).All {
		fmt.Print(i, s, " ")
	}
	fmt.Println()
	for line := range strings.Lines("l1\nl2\n") {
		fmt.Printf("%q ", line)
	}
	for part := range strings.SplitSeq("1,2,3", ",") {
		if part == "3" {
			break
		}
		fmt.Print(part, " ")
	}
	fmt.Println()
	done := make(chan bool)
	for x := range func(yield func(int) bool) {
		go func() { yield(42); done <- true }()
		<-done
	} {
		fmt.Println("from a goroutine", x)
	}
}
`,
		want: "y2dddd!\nabc\n0p 1q \n\"l1\\n\" \"l2\\n\" 1 2 \nfrom a goroutine 42",
	}, {
		name: "panics",
		src: `package main

import (
	"fmt"
	"runtime"
)

func try(f func()) {
	defer func() {
		r := recover()
		_, ok := r.(runtime.Error)
		fmt.Println(r, ok)
	}()
	f()
}

func main() {
	try(func() {
		for x := range func(yield func(int) bool) { _ = yield(1) && yield(2) } {
			if x == 1 {
				panic("boom")
			}
		}
	})
	try(func() {
		for range func(yield func() bool) { yield(); yield() } {
			break
		}
	})
	var saved func() bool
	try(func() {
		for range func(yield func() bool) { saved = yield } {
		}
		saved()
	})
	try(func() {
		for range func(yield func() bool) {
			defer func() { recover() }()
			yield()
		} {
			panic("body")
		}
	})
	try(func() {
		for range func(yield func() bool) {
			func() { defer func() { recover() }(); yield() }()
			yield()
		} {
			panic("body")
		}
	})
	try(func() {
		var seq func(func(int) bool)
		for x := range seq {
			fmt.Println(x)
		}
	})
}
`,
		want: "boom false\n" +
			"runtime error: range function continued iteration after function for loop body returned false true\n" +
			"runtime error: range function continued iteration after whole loop exit true\n" +
			"runtime error: range function recovered a loop body panic and did not resume panicking true\n" +
			"runtime error: range function continued iteration after loop body panic true\n" +
			"runtime error: invalid memory address or nil pointer dereference true",
	}})
}

// TestMinMaxClear: the builtins min, max and clear (Go 1.21), which yaegi
// lacked ("undefined: min"): of constants (folded into a constant), of
// typed values with untyped constants, of strings, of floats (a NaN wins;
// -0 is less than 0), of type parameters; clear of a map, a slice, a nil
// map.
func TestMinMaxClear(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "values",
		src: `package main

import (
	"fmt"
	"math"
)

type Celsius float64

const c1 = min(3, 1, 2)
const c2 = max(1, 2.5)
const c3 = min("b", "a")

func main() {
	x, y := 3, 7
	fmt.Println(min(x, y), max(x, y), min(x, 5, y), max(x, 1))
	var f float64 = 2.5
	fmt.Println(min(f, 1), max(f, 10), min(1, f))
	nan := math.NaN()
	fmt.Println(min(nan, 1.0), max(1.0, nan), min(1.0, nan, 0.5))
	negz := math.Copysign(0, -1)
	fmt.Println(math.Signbit(min(0.0, negz)), math.Signbit(max(negz, 0.0)), math.Signbit(min(negz, 0.0)), math.Signbit(max(0.0, negz)))
	fmt.Println(min("b", "a", "c"), max("b", "a", "c"))
	fmt.Println(c1, c2, c3)
	var t Celsius = 30
	fmt.Println(min(t, 20), max(t, 40))
	var u uint8 = 200
	fmt.Println(min(u, 100), max(u, 255))
	m := map[string]int{"a": 1, "b": 2}
	clear(m)
	fmt.Println(len(m), m)
	s := []int{1, 2, 3}
	clear(s[1:])
	fmt.Println(s)
	var nm map[int]int
	clear(nm)
	fmt.Println(nm == nil)
	r := min(len(s), 2)
	fmt.Println(r)
}
`,
		want: "3 7 3 3\n1 10 1\nNaN NaN NaN\ntrue false true false\na c\n1 2.5 a\n20 40\n100 255\n0 map[]\n[1 0 0]\ntrue\n2",
	}, {
		name: "generic",
		src: `package main

import (
	"cmp"
	"fmt"
	"math"
)

func lo[T cmp.Ordered](xs ...T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		m = min(m, x)
	}
	return m
}

func hi[T cmp.Ordered](a, b T) T { return max(a, b) }

func clearAll[M ~map[K]V, K comparable, V any](m M) { clear(m) }

func main() {
	fmt.Println(lo[float64](3, math.NaN(), 1), lo[string]("q", "p"), lo[int](4, 2, 9))
	fmt.Println(hi[int](1, 2), hi[string]("a", "b"))
	var a any = min(1, 2)
	fmt.Printf("%T %v\n", a, a)
	x := 2.5
	fmt.Println(min(1, x), max(3, x))
	m := map[string]bool{"k": true}
	clearAll[map[string]bool, string, bool](m)
	fmt.Println(len(m))
	fmt.Println(lo[float64](0, math.Copysign(0, -1)), 1/lo[float64](0, math.Copysign(0, -1)))
}
`,
		want: "NaN p 2\n2 b\nint 1\n1 3\n0\n-0 -Inf",
	}, {
		name: "package-level variables",
		src: `package main

import "fmt"

var X = 3

var M, N = max(X, 9), min(2.5, 1)

func main() { fmt.Println(M, N) }
`,
		want: "9 1",
	}})
}

// TestGenericAcrossPackages: the generic functions and types of a package
// instantiate with the types of their callers' packages: constraints and
// field types resolve in the generic's package (yaegi resolved them in
// the caller's: "incomplete type Box[main.P]"), a type argument passed
// on to another generic function is a type there too, the instances of
// two packages' functions of one name stay apart, and a type parameter
// named like the name of a selector (Stringer fmt.Stringer) leaves the
// selector alone.
func TestGenericAcrossPackages(t *testing.T) {
	t.Parallel()
	var out, stderr bytes.Buffer
	i := interp.New(interp.Options{
		GoPath: "go",
		SourcecodeFilesystem: fstest.MapFS{
			"go/src/example.com/lib/lib.go": {Data: []byte(genericLib)},
		},
		Stdout: &out,
		Stderr: &stderr,
	})
	if err := i.Use(stdlib.Symbols.Exports()); err != nil {
		t.Fatal(err)
	}
	if _, err := i.Eval(genericApp); err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr.String())
	}
	if got, want := strings.TrimSpace(out.String()), "5 b\nP x 1\n1 -100\nP b\n<P s>"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

const genericLib = `package lib

import "fmt"

type ordered interface{ ~int | ~string }

type locker struct{ n int }

// Box holds a value; its field lk is of a type of package lib.
type Box[T any] struct {
	lk locker
	v  T
}

func (b *Box[T]) Set(v T) { b.lk.n++; b.v = v }

func (b *Box[T]) Get() (T, int) { return b.v, b.lk.n }

func Max[T ordered](a, b T) T {
	if a > b {
		return a
	}
	return b
}

func Index[S ~[]E, E comparable](s S, v E) int {
	for i := range s {
		if s[i] == v {
			return i
		}
	}
	return -1
}

func order[E any](d []E, a, b int, less func(E, E) bool) (int, int) {
	if less(d[b], d[a]) {
		return b, a
	}
	return a, b
}

func Median[E any](d []E, less func(E, E) bool) E {
	a, b, c := 0, 1, 2
	a, b = order[E](d, a, b, less)
	b, c = order[E](d, b, c, less)
	a, b = order[E](d, a, b, less)
	_, _ = a, c
	return d[b]
}

func Show[Stringer fmt.Stringer](s Stringer) string {
	var x fmt.Stringer = s
	return "<" + x.String() + ">"
}
`

const genericApp = `package main

import (
	"fmt"

	"example.com/lib"
)

type P struct{ name string }

func (p P) String() string { return "P " + p.name }

// Index has the name of lib.Index, and another body.
func Index[S ~[]E, E comparable](s S, v E) int { return -100 }

func main() {
	fmt.Println(lib.Max[int](3, 5), lib.Max[string]("a", "b"))
	var b lib.Box[P]
	b.Set(P{"x"})
	v, n := b.Get()
	fmt.Println(v, n)
	fmt.Println(lib.Index[[]int, int]([]int{1, 2}, 2), Index[[]int, int]([]int{1, 2}, 2))
	fmt.Println(lib.Median[P]([]P{{"c"}, {"a"}, {"b"}}, func(x, y P) bool { return x.name < y.name }))
	fmt.Println(lib.Show[P](P{"s"}))
}
`

// TestGenericInference: the type arguments of a call are inferred by
// name, from typed arguments (in parameters of types []E, map[K]V,
// func(T) U, *T, ...T, and of generic types: Seq[V]), from the core types
// of constraints (E of S ~[]E, K and V of M ~map[K]V), and from the
// widest default type of untyped constants (yaegi took them in the order
// of the arguments, without constraints: "undefined type for E").
func TestGenericInference(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "inference",
		src: `package main

import (
	"fmt"
	"sort"
	"strconv"
)

type Ints []int

type Seq[V any] func(yield func(V) bool)

func First[S ~[]E, E any](s S) E { return s[0] }

func Lookup[K comparable, V comparable](v V, m map[K]V) (K, bool) {
	for k, x := range m {
		if x == v {
			return k, true
		}
	}
	var zero K
	return zero, false
}

func Contains[S ~[]E, E comparable](s S, v E) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func Apply[T, U any](xs []T, f func(T) U) []U {
	var us []U
	for _, x := range xs {
		us = append(us, f(x))
	}
	return us
}

func Sum[T ~int | ~float64](xs ...T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

func Keys[M ~map[K]V, K comparable, V any](m M) []K {
	var ks []K
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func Values[V any](xs []V) Seq[V] {
	return func(yield func(V) bool) {
		for _, x := range xs {
			if !yield(x) {
				return
			}
		}
	}
}

func Collect[V any](seq Seq[V]) []V {
	var vs []V
	seq(func(v V) bool { vs = append(vs, v); return true })
	return vs
}

func Ptr[T any](v T) *T { return &v }

func Deref[T any](p *T) T { return *p }

func main() {
	fmt.Println(First(Ints{4, 5}), First([]string{"a", "b"}))
	fmt.Println(Lookup("v", map[int]string{1: "v"}))
	fmt.Println(Contains(Ints{1, 2}, 2), Contains([]string{"x"}, "y"))
	fmt.Println(Apply([]int{1, 2}, strconv.Itoa), Apply([]string{"3"}, func(s string) int { n, _ := strconv.Atoi(s); return n }))
	fmt.Println(Sum(1, 2), Sum(1, 2.5), Sum(Ints{}...), Sum([]float64{0.5, 0.25}...))
	ks := Keys(map[string]bool{"b": true, "a": true})
	sort.Strings(ks)
	fmt.Println(ks)
	fmt.Println(Collect(Values([]int{1, 2, 3})))
	fmt.Println(Deref(Ptr(7)), *Ptr("s"))
}
`,
		want: "4 a\n1 true\ntrue false\n[1 2] [3]\n3 3.5 0 0.75\n[a b]\n[1 2 3]\n7 s",
	}})
}

// TestStdlibGenerics: the generic functions and types of the standard
// library work: slices, maps, cmp, iter (Pull, Pull2), the iterators of
// strings and bytes, sync.OnceValue(s), atomic.Pointer, errors.AsType,
// reflect.TypeFor and TypeAssert, rand.N, maphash.Comparable, hkdf and
// pbkdf2 (with compiled hashes), unique.Make, weak.Make (yaegi had only
// some functions of slices, maps and cmp of Go 1.22: "undefined
// selector: slices.Sort").
func TestStdlibGenerics(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "packages",
		src: `package main

import (
	"bytes"
	"cmp"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unique"
	"weak"
)

type Person struct {
	Name string
	Age  int
}

type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

func Filter[V any](seq iter.Seq[V], keep func(V) bool) iter.Seq[V] {
	return func(yield func(V) bool) {
		for v := range seq {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

func main() {
	xs := []int{5, 2, 8, 1, 9, 3}
	slices.Sort(xs)
	fmt.Println(xs, slices.Index(xs, 8), slices.Contains(xs, 4), slices.Max(xs), slices.Min(xs))
	i, found := slices.BinarySearch(xs, 5)
	fmt.Println(i, found)
	fmt.Println(slices.Compact([]int{1, 1, 2, 2, 2, 3}), slices.Concat([]int{1}, []int{2, 3}), slices.Repeat([]string{"a"}, 3))
	ys := slices.Clone(xs)
	slices.Reverse(ys)
	fmt.Println(ys, slices.Equal(xs, ys), slices.IndexFunc(ys, func(v int) bool { return v < 3 }))
	ys = slices.Insert(ys, 1, 100, 200)
	ys = slices.Delete(ys, 0, 1)
	fmt.Println(ys, len(ys))
	ps := []Person{{"Ann", 40}, {"Bob", 25}, {"Cid", 40}, {"Dee", 31}}
	slices.SortStableFunc(ps, func(a, b Person) int { return cmp.Compare(b.Age, a.Age) })
	fmt.Println(ps)
	slices.SortFunc(ps, func(a, b Person) int {
		return cmp.Or(cmp.Compare(a.Age, b.Age), strings.Compare(a.Name, b.Name))
	})
	fmt.Println(ps)
	m := map[string]int{"b": 2, "a": 1, "c": 3}
	fmt.Println(slices.Sorted(maps.Keys(m)))
	vals := slices.Collect(maps.Values(m))
	slices.Sort(vals)
	fmt.Println(vals)
	for i, v := range slices.All([]string{"x", "y"}) {
		fmt.Print(i, v, " ")
	}
	for i, v := range slices.Backward([]string{"x", "y"}) {
		fmt.Print(i, v, " ")
	}
	fmt.Println()
	for c := range slices.Chunk([]int{1, 2, 3, 4, 5}, 2) {
		fmt.Print(c, " ")
	}
	fmt.Println()
	m2 := maps.Clone(m)
	maps.DeleteFunc(m2, func(k string, v int) bool { return v > 1 })
	fmt.Println(m2, maps.Equal(m, m2))
	maps.Insert(m2, maps.All(map[string]int{"z": 26}))
	fmt.Println(len(m2), m2["z"])
	col := maps.Collect(slices.All([]string{"p", "q"}))
	fmt.Println(col)
	evens := Filter(slices.Values([]int{1, 2, 3, 4, 5, 6}), func(v int) bool { return v%2 == 0 })
	fmt.Println(slices.Collect(evens))
	next, stop := iter.Pull(slices.Values([]string{"a", "b", "c"}))
	v1, ok1 := next()
	v2, ok2 := next()
	stop()
	v3, ok3 := next()
	fmt.Println(v1, ok1, v2, ok2, v3 == "", ok3)
	next2, stop2 := iter.Pull2(maps.All(map[string]int{"k": 1}))
	k, v, ok := next2()
	fmt.Println(k, v, ok)
	stop2()
	for line := range strings.Lines("one\ntwo\n") {
		fmt.Printf("%q ", line)
	}
	for f := range strings.FieldsSeq("  a b  c ") {
		fmt.Print(f, "|")
	}
	for part := range bytes.SplitSeq([]byte("1;2"), []byte(";")) {
		fmt.Print(string(part), "|")
	}
	fmt.Println()
	calls := 0
	once := sync.OnceValue(func() int { calls++; return 42 })
	fmt.Println(once(), once(), calls)
	once2 := sync.OnceValues(func() (string, error) { return "v", nil })
	s2, err2 := once2()
	fmt.Println(s2, err2)
	var ap atomic.Pointer[Person]
	fmt.Println(ap.Load() == nil)
	ap.Store(&ps[0])
	old := ap.Swap(&ps[1])
	fmt.Println(old.Name, ap.Load().Name, ap.CompareAndSwap(&ps[1], &ps[2]), ap.Load().Name)
	err := fmt.Errorf("wrap: %w", &NotFound{"key1"})
	if nf, ok := errors.AsType[*NotFound](err); ok {
		fmt.Println("AsType:", nf.Key)
	}
	_, ok = errors.AsType[*NotFound](errors.New("other"))
	fmt.Println(ok)
	fmt.Println(reflect.TypeFor[int](), reflect.TypeFor[error]())
	rv := reflect.ValueOf(42)
	n, ok := reflect.TypeAssert[int](rv)
	fmt.Println(n, ok)
	r := rand.N(10)
	fmt.Println(r >= 0 && r < 10)
	seed := maphash.MakeSeed()
	fmt.Println(maphash.Comparable(seed, "x") == maphash.Comparable(seed, "x"), maphash.Comparable(seed, 1) == maphash.Comparable(seed, 2))
	key, err := hkdf.Key(sha256.New, []byte("secret"), []byte("salt"), "info", 16)
	fmt.Println(hex.EncodeToString(key), err)
	key3, err := hkdf.Key(sha3.New256, []byte("secret"), nil, "info", 16)
	fmt.Println(hex.EncodeToString(key3), err)
	prk, err := hkdf.Extract(sha256.New, []byte("secret"), []byte("salt"))
	fmt.Println(hex.EncodeToString(prk), err)
	dk, err := pbkdf2.Key(sha256.New, "password", []byte("salt"), 1000, 16)
	fmt.Println(hex.EncodeToString(dk), err)
	h1, h2, h3 := unique.Make("hello"), unique.Make("hel"+"lo"), unique.Make("world")
	fmt.Println(h1 == h2, h1 == h3, h1.Value(), unique.Make(Person{"A", 1}) == unique.Make(Person{"A", 1}))
	p := &Person{"W", 1}
	wp := weak.Make(p)
	fmt.Println(wp.Value() == p, wp.Value().Name, weak.Make((*Person)(nil)).Value() == nil)
	fmt.Println(sha3.Sum256([]byte("abc")))
}
`,
		want: "[1 2 3 5 8 9] 4 false 9 1\n3 true\n[1 2 3] [1 2 3] [a a a]\n[9 8 5 3 2 1] false 4\n[100 200 8 5 3 2 1] 7\n[{Ann 40} {Cid 40} {Dee 31} {Bob 25}]\n[{Bob 25} {Dee 31} {Ann 40} {Cid 40}]\n[a b c]\n[1 2 3]\n0x 1y 1y 0x \n[1 2] [3 4] [5] \nmap[a:1] false\n2 26\nmap[0:p 1:q]\n[2 4 6]\na true b true true false\nk 1 true\n\"one\\n\" \"two\\n\" a|b|c|1|2|\n42 42 1\nv <nil>\ntrue\nBob Dee true Ann\nAsType: key1\nfalse\nint error\n42 true\ntrue\ntrue false\nf6d2fcc47cb939deafe3853a1e641a27 <nil>\n306c6d0e90fc1ce008a1641be505d8fe <nil>\n98e5340f0f4f96d2b80c2a90da0d03cf46c35e9492918cc7af73d9a39efa5981 <nil>\n632c2812e46d4604102ba7618e9d6d7d <nil>\ntrue false hello true\ntrue W true\n[58 152 93 167 79 226 37 178 4 92 23 45 107 211 144 189 133 95 8 110 62 157 82 91 70 191 226 69 17 67 21 50]",
	}})
}

// TestStdlibGenericSources: the sources of package generic declare every
// generic function and type (and constraint) of the standard library that
// the toolchain running the test has, but those of generic.Missing, and
// each compiles in an interpreter when its package is imported.
func TestStdlibGenericSources(t *testing.T) {
	t.Parallel()
	paths, _ := stdExports(t)
	fset := token.NewFileSet()
	imp := importer.ForCompiler(fset, "gc", nil)
	for _, path := range paths {
		if _, skip := notInTables[path]; skip {
			continue
		}
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		declared := map[string]bool{}
		if src, ok := generic.Sources[path]; ok {
			f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, d := range f.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					if d.Recv == nil {
						declared[d.Name.Name] = true
					}
				case *ast.GenDecl:
					for _, sp := range d.Specs {
						if ts, ok := sp.(*ast.TypeSpec); ok {
							declared[ts.Name.Name] = true
						}
					}
				}
			}
		}
		for _, name := range pkg.Scope().Names() {
			obj := pkg.Scope().Lookup(name)
			if !obj.Exported() || !needsSource(obj) || declared[name] {
				continue
			}
			if _, ok := generic.Missing[path+"."+name]; !ok {
				t.Errorf("%s.%s is generic and the sources lack it: add its package to internal/cmd/stdsrc, or it to generic.Missing with a reason", path, name)
			}
		}
	}
	for path := range generic.Sources {
		i := interp.New(interp.Options{})
		if err := i.Use(stdlib.Symbols.Exports()); err != nil {
			t.Fatal(err)
		}
		if _, err := i.Eval("package main\n\nimport _ " + strconv.Quote(path) + "\n\nfunc main() {}\n"); err != nil {
			t.Errorf("import %s: %v", path, err)
		}
	}
}

// needsSource reports whether the symbol tables lack obj for being
// generic, or a constraint.
func needsSource(obj types.Object) bool {
	switch o := obj.(type) {
	case *types.Func:
		return o.Type().(*types.Signature).TypeParams().Len() > 0
	case *types.TypeName:
		if n, ok := o.Type().(*types.Named); ok && n.TypeParams().Len() > 0 {
			return true
		}
		i, ok := o.Type().Underlying().(*types.Interface)
		return ok && i.NumMethods() == 0 && i.NumEmbeddeds() != 0
	}
	return false
}

// TestGenericPackageVariables: a package-level variable initialized by a
// call of a generic function, its type arguments inferred or explicit,
// has the call's value (yaegi panicked, "nil reflect type", or reported
// "constant definition loop", or, once typed, left the variable zero: the
// body of an instance first made at package level was never compiled);
// and the names local to another package's generic function are not
// taken for this package's variables when ordering the initialization
// (a local idx of package slices made a "variable definition loop").
func TestGenericPackageVariables(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "initializers",
		src: `package main

import (
	"fmt"
	"maps"
	"slices"
)

func First[T any](xs []T) T { return xs[0] }

func f() int { return 5 }

var table = map[string]int{"b": 2, "a": 1}

var names = slices.Sorted(maps.Keys(table))

var idx = slices.Index(names, "b")

var Y = First([]int{7, 8})

var Z = f()

var W = First[string]([]string{"w"})

func main() { fmt.Println(names, idx, Y, Z, W) }
`,
		want: "[a b] 1 7 5 w",
	}})
}

// TestBinaryMethodSignatures: a type switch or an assertion on a value of
// a compiled type to an interface of interpreted code checks the
// signatures of its methods, not only their names (errors.Join's value
// matched interface{ Unwrap() error }, and its Unwrap's []error was
// assigned to an error: "reflect.Set: value of type []error is not
// assignable to type error").
func TestBinaryMethodSignatures(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "Unwrap",
		src: `package main

import (
	"errors"
	"fmt"
)

func kind(err error) string {
	switch x := err.(type) {
	case interface{ Unwrap() error }:
		return fmt.Sprint("one: ", x.Unwrap())
	case interface{ Unwrap() []error }:
		return fmt.Sprint("many: ", len(x.Unwrap()))
	}
	return "none"
}

func main() {
	joined := errors.Join(errors.New("a"), errors.New("b"))
	wrapped := fmt.Errorf("w: %w", errors.New("c"))
	fmt.Println(kind(joined), "|", kind(wrapped), "|", kind(errors.New("d")))
	_, ok1 := joined.(interface{ Unwrap() error })
	_, ok2 := joined.(interface{ Unwrap() []error })
	_, ok3 := wrapped.(interface{ Unwrap() []error })
	fmt.Println(ok1, ok2, ok3)
}
`,
		want: "many: 2 | one: c | none\nfalse true false",
	}})
}

// TestReturnReceive: `return <-c` returns the received value (the receive
// replaced the result's slot with a value the return then could not set:
// "reflect.Value.Set using unaddressable value").
func TestReturnReceive(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "results",
		src: `package main

import "fmt"

type S struct{ x int }

func get(c chan int) int             { return <-c }
func getAny(c chan int) any          { return <-c }
func getErr(c chan error) error      { return <-c }
func named(c chan string) (s string) { return <-c }
func paren(c chan int) int           { return (<-c) }
func two(c chan int) (int, int)      { return <-c, <-c }
func plus(c chan int) int            { return <-c + 1 }
func neg(c chan int) int             { return -<-c }
func st(c chan S) S                  { return <-c }
func not(c chan bool) bool           { return !<-c }

func deferred(c chan int) (r int) {
	defer func() { r *= 10 }()
	return <-c
}

func closed() int {
	c := make(chan int)
	close(c)
	return <-c
}

func main() {
	c := make(chan int, 10)
	for i := 1; i <= 10; i++ {
		c <- i
	}
	fmt.Println(get(c), getAny(c), paren(c))
	fmt.Println(two(c))
	fmt.Println(plus(c), neg(c), deferred(c), closed())
	e := make(chan error, 1)
	e <- fmt.Errorf("boom")
	s := make(chan string, 1)
	s <- "x"
	sc := make(chan S, 1)
	sc <- S{3}
	bc := make(chan bool, 1)
	bc <- false
	fmt.Println(getErr(e), named(s), st(sc), not(bc))
}
`,
		want: `1 2 3
4 5
7 -7 80 0
boom x {3} true`,
	}})
}

// TestNilArrayPointer: len and cap of a pointer to an array are the
// array's length without dereferencing the pointer, and a range over it
// that reads no element goes over the indices, as in Go, when the pointer
// is nil (reflect's Len panicked on the zero Value); a range over a
// pointer to an array no longer overwrites the variable declared before
// it.
func TestNilArrayPointer(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "len and range",
		src: `package main

import "fmt"

type A [4]string

func get() *[5]int { fmt.Print("get "); return nil }

func main() {
	var p *[3]int
	var q *A
	var huge *[1 << 40]byte
	fmt.Println(len(p), cap(p), len(*p), cap(*q), len(huge))
	fmt.Println(len(get()), cap(get()))
	var x any = len(q)
	fmt.Println(x)
	for i := range p {
		fmt.Print(i)
	}
	for i, _ := range q {
		fmt.Print(i)
	}
	for range p {
		fmt.Print("x")
	}
	for i := range huge {
		if i == 2 {
			break
		}
		fmt.Print("h")
	}
	var z *[0]int
	for i, v := range z {
		fmt.Print(i, v)
	}
	fmt.Println()
	a := [3]int{1, 2, 3}
	y := 5
	pa := &a
	for i, v := range pa {
		pa[2] = 10
		fmt.Print(i, v, y, " ")
	}
	fmt.Println()
	defer func() { fmt.Println("recovered:", recover()) }()
	for i, v := range p {
		fmt.Println(i, v)
	}
}
`,
		want: `3 3 3 4 1099511627776
get get 5 5
4
0120123xxxhh
0 1 5 1 2 5 2 10 5 
recovered: runtime error: invalid memory address or nil pointer dereference`,
	}})
}

// TestOperationIntoInterface: the value of an operation assigned to or
// returned as an interface keeps its own type (yaegi wrote it straight
// into the interface's slot: `a = !a.(bool)` panicked with "SetBool on
// interface Value", `b = b.(int) < 3` after `b = b.(int) + 1` converted
// the bool to int, and `return n + 1` as a fmt.Stringer returned nil).
func TestOperationIntoInterface(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "assign and return",
		src: `package main

import "fmt"

type N int

func (n N) String() string { return fmt.Sprint("N", int(n)) }

type E int

func (e E) Error() string { return fmt.Sprint("E", int(e)) }

type S struct{ v any }

func cmp(x, y int) any               { return x != y }
func sum(x, y int) any               { return x + y }
func neg(x int) any                  { return -x }
func next(n N) fmt.Stringer          { return n + 1 }
func minus(n N) fmt.Stringer         { return -n }
func double(e E) error               { return e * 2 }
func two(x, y int) (any, error)      { return x * y, -E(x) }
func named(x, y int) (r any, ok any) { r, ok = x-y, x < y; return }

func main() {
	var a any = true
	a = !a.(bool)
	var b any = 3
	b = -b.(int)
	b = b.(int) + 1
	c := b
	b = b.(int) < 3
	fmt.Println(a, c, b)
	x, y := 2, 3
	var s S
	s.v = x * y
	m := map[string]any{}
	m["k"] = !(x < y)
	var st fmt.Stringer
	st = N(4) + 1
	var err error
	err = E(5) - 1
	fmt.Println(s.v, m, st, err)
	fmt.Println(cmp(x, y), sum(x, y), neg(x), next(4), minus(4), double(3))
	fmt.Println(two(x, y))
	fmt.Println(named(x, y))
}
`,
		want: `false -2 true
6 map[k:false] N5 E4
true 5 -2 N5 N-4 E6
6 E-2
-1 true`,
	}})
}

// TestSwitchWithoutTag: a case of a switch without tag holds if any of
// its expressions does, evaluated in turn (yaegi evaluated the first
// only), and an expression of an interface type is compared with true
// (yaegi panicked: "reflect: call of reflect.Value.Bool on interface
// Value").
func TestSwitchWithoutTag(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "cases",
		src: `package main

import "fmt"

var trace []int

func f(n int, r bool) bool { trace = append(trace, n); return r }

func g(n int, r any) any { trace = append(trace, n); return r }

type S struct{ p *int }

func main() {
	x := 3
	switch {
	case x < 1, x > 2:
		fmt.Println("either")
	}
	switch {
	case f(1, false), f(2, true), f(3, true):
		fmt.Println("second", trace)
	}
	trace = nil
	switch {
	case f(1, false), f(2, false):
		fmt.Println("none")
	case g(3, "x"), g(4, 1), g(5, true), g(6, true):
		fmt.Println("third", trace)
	}
	var s S
	switch {
	case s.p == nil, *s.p > 0:
		fmt.Println("nil first")
	}
	var i, j, k any = true, false, nil
	m := map[string]any{"t": true}
	switch {
	case j, k:
		fmt.Println("j or k")
	case x == 3:
		fmt.Println("fallthrough")
		fallthrough
	case false, i:
		fmt.Println("i")
	}
	switch {
	case m["none"]:
	case m["t"]:
		fmt.Println("map entry")
	}
}
`,
		want: `either
second [1 2]
third [1 2 3 4 5]
nil first
fallthrough
i
map entry`,
	}})
}

// TestWriterWithMethodsFmtUses: a value of an interpreted type with a
// Write method and a String or an Error method is passed to fmt.Fprintf
// as the io.Writer it is (yaegi passed the wrapper that gives fmt the
// String method: "reflect: Call using stdlib._fmt_Stringer as type
// io.Writer").
func TestWriterWithMethodsFmtUses(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "fprintf",
		src: `package main

import (
	"fmt"
	"strings"
)

type W struct{ buf []byte }

func (w *W) Write(p []byte) (int, error) { w.buf = append(w.buf, p...); return len(p), nil }
func (w *W) String() string             { return "W(" + string(w.buf) + ")" }

type E struct{ n int }

func (e *E) Write(p []byte) (int, error) { e.n += len(p); return len(p), nil }
func (e *E) Error() string               { return fmt.Sprint("E", e.n) }

type S struct{ b *strings.Builder }

func (s S) Write(p []byte) (int, error) { return s.b.Write(p) }
func (s S) String() string             { return "S(" + s.b.String() + ")" }

func main() {
	w := &W{}
	fmt.Fprintf(w, "a%d", 1)
	fmt.Fprint(w, "b", w)
	fmt.Fprintln(w, "c")
	e := &E{}
	fmt.Fprintf(e, "hello")
	s := S{&strings.Builder{}}
	fmt.Fprintf(s, "x=%v", 3)
	fmt.Printf("%q %v %v\n", w, e, s)
}
`,
		want: `"W(a1bW(a1)c\n)" E5 S(x=3)`,
	}})
}

// TestUnhashableMapKey: setting a map entry to a constant does not read
// the entry first (the read of a key that cannot be hashed panicked with
// the text of a read of an empty map, "hash of unhashable type: []int",
// where Go's write says "runtime error: hash of unhashable type []int",
// and a nil map panicked on the key instead of "assignment to entry in nil
// map"), and `_, _ = m[k]` looks k up.
func TestUnhashableMapKey(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "operations",
		src: `package main

import (
	"fmt"
	"runtime"
)

func try(name string, f func()) {
	defer func() {
		r := recover()
		_, isRt := r.(runtime.Error)
		fmt.Println(name, isRt, r)
	}()
	f()
}

type K struct {
	a int
	s any
}

func main() {
	var k any = []int{1}
	try("write-empty", func() { m := map[any]int{}; m[k] = 1 })
	try("write-nil", func() { var m map[any]int; m[k] = 1 })
	try("write-func", func() { m := map[any]int{}; m[func() {}] = 1 })
	try("write-struct", func() { m := map[K]int{}; m[K{1, k}] = 1 })
	try("read-empty", func() { m := map[any]int{}; _ = m[k] })
	try("read-full", func() { m := map[any]int{1: 1}; _ = m[k] })
	try("read-blank", func() { m := map[any]int{1: 1}; _, _ = m[k] })
	try("hashable", func() { m := map[any]int{}; m[&K{}] = 1; _, _ = m["x"]; fmt.Print(len(m), " ") })
}
`,
		want: `write-empty true runtime error: hash of unhashable type []int
write-nil true assignment to entry in nil map
write-func true runtime error: hash of unhashable type func()
write-struct true runtime error: hash of unhashable type []int
read-empty true hash of unhashable type: []int
read-full true runtime error: hash of unhashable type []int
read-blank true runtime error: hash of unhashable type []int
1 hashable false <nil>`,
	}})
}

// TestMakeOutOfRange: make of a slice too large for the runtime panics
// with the runtime's errors, as for a negative length or capacity (reflect
// panicked with "runtime: allocation size out of range").
func TestMakeOutOfRange(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "sizes",
		src: `package main

import (
	"fmt"
	"runtime"
)

func try(name string, f func()) {
	defer func() {
		r := recover()
		_, isRt := r.(runtime.Error)
		fmt.Println(name, isRt, r)
	}()
	f()
}

type T struct{ a, b int64 }

func main() {
	n, big := -1, 1<<62
	huge := uint64(1) << 63
	try("const", func() { _ = make([]byte, 1<<62) })
	try("len", func() { _ = make([]byte, big) })
	try("len-negative", func() { _ = make([]byte, n) })
	try("cap", func() { _ = make([]byte, 1, big) })
	try("cap-negative", func() { _ = make([]byte, 1, n) })
	try("elements", func() { _ = make([]T, big/16+1) })
	try("elements-cap", func() { _ = make([]T, 1, 1<<45) })
	try("uint64", func() { _ = make([]byte, huge) })
	try("empty-elements", func() { _ = make([]struct{}, big) })
	try("chan", func() { _ = make(chan T, big) })
	try("map", func() { _ = make(map[int]int, n) })
}
`,
		want: `const true runtime error: makeslice: len out of range
len true runtime error: makeslice: len out of range
len-negative true runtime error: makeslice: len out of range
cap true runtime error: makeslice: cap out of range
cap-negative true runtime error: makeslice: cap out of range
elements true runtime error: makeslice: len out of range
elements-cap true runtime error: makeslice: cap out of range
uint64 true runtime error: makeslice: len out of range
empty-elements false <nil>
chan true makechan: size out of range
map false <nil>`,
	}})
}

// TestMutuallyRecursiveTypes: struct types that refer to each other, in
// any order and through pointers, slices, maps, functions and channels,
// get each the reflect type they should (yaegi replaced every reference
// under construction by the last type it had met: "reflect.Set: value of
// type *struct { … } is not assignable to type *struct { … }"), and a
// struct that holds by value one that refers back to it is laid out with
// it complete (it had the size of a placeholder, 0).
func TestMutuallyRecursiveTypes(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "references",
		src: `package main

import "fmt"

type S struct {
	ok bool
	a  *A
}

type A struct {
	flag bool
	str  string
	b    *B
}

type B struct {
	on bool
	s  *S
	a  *A
	ss []S
	m  map[string]*A
	f  func(*S) *B
	c  chan *A
}

func main() {
	var s S
	s.a = &A{}
	s.a.str = "hi"
	s.a.flag = true
	s.a.b = &B{a: s.a, s: &s, on: true, m: map[string]*A{"k": s.a}}
	s.a.b.ss = append(s.a.b.ss, s)
	s.a.b.f = func(p *S) *B { return p.a.b }
	s.a.b.c = make(chan *A, 1)
	s.a.b.c <- s.a
	s.ok = true
	fmt.Println(s.ok, s.a.str, s.a.flag, s.a.b.on, s.a.b.a.str, s.a.b.s.ok, s.a.b.ss[0].a.str, s.a.b.m["k"].flag)
	fmt.Println(s.a.b.f(&s) == s.a.b, (<-s.a.b.c).str)
}
`,
		want: "true hi true true hi true hi true\ntrue hi",
	}, {
		name: "held by value",
		src: `package main

import (
	"fmt"
	"reflect"
)

var first = &Element{}

type Element struct {
	next, prev *Element
	list       *List
	Value      any
}

type List struct {
	root Element
	len  int
}

type Tree struct {
	kids  map[string]*Tree
	store *Store
}

type Store struct {
	root  Tree
	items [2]Item
	meta  struct{ t Tree }
}

type Item struct {
	owner *Store
	tree  Tree
}

func main() {
	l := &List{}
	l.root.next, l.root.prev = &l.root, &l.root
	e := &Element{list: l, Value: 1, prev: &l.root, next: &l.root}
	l.root.next, l.root.prev, l.len = e, e, 1
	fmt.Println(reflect.TypeOf(List{}).Size(), reflect.TypeOf(List{}).Field(1).Offset, l.root.next.Value, l.root.next.list == l, l.len)
	s := &Store{}
	s.root.kids = map[string]*Tree{"a": {store: s}}
	s.items[1] = Item{owner: s, tree: Tree{store: s}}
	s.meta.t.store = s
	fmt.Println(reflect.TypeOf(Store{}).Size(), s.root.kids["a"].store == s, s.items[1].owner == s, s.items[1].tree.store == s, s.meta.t.store == s)
}
`,
		want: "48 40 1 true 1\n80 true true true true",
	}})
}

// TestTupleAssign: a tuple assignment evaluates every operand on its right,
// and the operands of the index expressions on its left, before it assigns
// any, then assigns them all (a call or a composite literal wrote straight
// into its destination: the other destinations kept their old values, and
// a later call saw the earlier assignment).
func TestTupleAssign(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "values and calls",
		src: `package main

import "fmt"

type S struct{ a, b int }

type P struct{ x, y int }

func id(i int) int { return i }

func mk(i int) S { return S{a: i} }

var g1, g2 = id(1), 2
var g3, g4 = mk(3), P{4, 4}

func main() {
	a := 5
	var x, y int
	x, y = a, id(2)
	var s S
	var p P
	s, p = mk(6), P{a, a}
	q, r := a, S{7, 8}
	var xs []int
	x, xs = 9, []int{10}
	fmt.Println(x, y, s.a, p, q, r, xs, g1, g2, g3.a, g4)
}
`,
		want: "9 2 6 {5 5} 5 {7 8} [10] 1 2 3 {4 4}",
	}, {
		name: "places",
		src: `package main

import "fmt"

type S struct {
	a, b int
	in   *S
}

func id(i int) int { return i }

func main() {
	a := 5
	var s S
	s.a, s.b = a, id(4)
	ps := &S{in: &S{}}
	ps.in.a, ps.b = id(8), a
	arr := [3]int{}
	arr[0], arr[2] = a, id(6)
	m := map[string]int{}
	m["a"], m["b"] = id(1), a
	u, v := 0, 0
	pu := &u
	*pu, v = id(3), a
	i := 0
	zs := []int{0, 0, 0}
	i, zs[i] = 1, id(7)
	fmt.Println(s, ps.in.a, ps.b, arr, m, u, v, i, zs)
}
`,
		want: "{5 4 <nil>} 8 5 [5 0 6] map[a:1 b:5] 3 5 1 [7 0 0]",
	}, {
		name: "calls before assignments",
		src: `package main

import "fmt"

var trace []string

func get(x []int, i int) int {
	trace = append(trace, fmt.Sprint("get", i, x))
	return x[i]
}

func main() {
	x := []int{1, 2}
	x[1], x[0] = get(x, 0), get(x, 1)
	fmt.Println(x, trace)
}
`,
		want: "[2 1] [get0 [1 2] get1 [1 2]]",
	}, {
		name: "map operands",
		src: `package main

import "fmt"

func id(i int) int { return i }

func main() {
	k := "a"
	m := map[string]int{}
	k, m[k] = "b", id(1)
	m2 := map[string]int{}
	old := m
	m, m["z"] = m2, 3
	fmt.Println(k, old, m2)
}
`,
		want: "b map[a:1 z:3] map[]",
	}})
}

// TestNewExpression: new(x) with an expression x (Go 1.26) allocates a
// variable initialized to the value of x, of x's type or, for an untyped
// constant, of its default type (the expression was taken for its type
// only: the variable was zero).
func TestNewExpression(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "values",
		src: `package main

import "fmt"

type S struct{ A, B int }

func f() int { return 7 }

var gp = new(S{A: 5})

func main() {
	x := 3
	p := new(x)
	x = 4
	s := new(S{1, 2})
	sl := new([]int{1, 2})
	m := new(map[string]int{"a": 1})
	pp := new(p)
	fmt.Println(*p, x, *new(f()), *s, *sl, *m, **pp, *new(x+1), *gp)
}
`,
		want: "3 4 7 {1 2} [1 2] map[a:1] 3 5 {5 0}",
	}, {
		name: "constants",
		src: `package main

import "fmt"

func main() {
	x := 1
	const k = 1 << 10
	const fk float32 = 1.5
	fmt.Println(*new(5), *new(2.5), *new("s"), *new('r'), *new(true), *new(1 < x), *new(k), *new(fk))
	fmt.Printf("%T %T %T %T %T %T\n", new(5), new(2.5), new('r'), new(1 < x), new(fk), new(1.0+2i))
}
`,
		want: "5 2.5 s 114 true false 1024 1.5\n*int *float64 *int32 *bool *float32 *complex128",
	}, {
		name: "interfaces",
		src: `package main

import "fmt"

type S struct{ A int }

func (s S) M() int { return s.A }

type I interface{ M() int }

func main() {
	var i I = S{A: 7}
	pi := new(i)
	var e error = fmt.Errorf("err")
	pe := new(e)
	e = nil
	var a any = new(3)
	fmt.Println((*pi).M(), *pe, e, *a.(*int))
}
`,
		want: "7 err <nil> 3",
	}, {
		name: "generic",
		src: `package main

import "fmt"

type S struct{ A, B int }

func alloc[T any](v T) *T { return new(v) }

func zero[T any]() *T { return new(T) }

func main() {
	fmt.Println(*alloc(3), *alloc("x"), *alloc(S{A: 1}), *zero[int](), *zero[S]())
}
`,
		want: "3 x {1 0} 0 {0 0}",
	}})
}

// TestTupleAssignNil: nil among the values of a tuple assignment (the
// interpreter failed with "reflect: New(nil)").
func TestTupleAssignNil(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "nil values",
		src: `package main

import "fmt"

type I interface{ M() }

type S struct {
	p *int
	e error
}

func main() {
	x := 1
	p := &x
	xs := []int{1}
	m := map[string]int{"a": 1}
	var e error = fmt.Errorf("e")
	var a any = 1
	var i I
	f := func() {}
	p, xs = nil, nil
	m, e = nil, nil
	a, i = nil, nil
	f, x = nil, 2
	s := S{p: &x}
	s.p, s.e = nil, fmt.Errorf("x")
	ms := map[string]error{}
	ms["a"], ms["b"] = nil, fmt.Errorf("b")
	fmt.Println(p == nil, xs == nil, m == nil, e == nil, a == nil, i == nil, f == nil, x, s.p == nil, s.e, ms)
}
`,
		want: "true true true true true true true 2 true x map[a:<nil> b:b]",
	}})
}

// TestDeferRecoverPanic: a deferred call that panics replaces the panic
// being run and the other deferred calls still run (they were skipped);
// defer recover() and defer panic(v) run when the deferred calls run
// (they ran at the defer statement), and a deferred recover recovers
// only as a call by the function that deferred it would.
func TestDeferRecoverPanic(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "panic in a deferred call",
		src: `package main

import "fmt"

func mayPanic(b bool) {
	if b {
		panic("mp")
	}
}

func protect(b bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	defer mayPanic(b)
	return nil
}

func chain() (s string) {
	defer func() { s += fmt.Sprint(" third ", recover()) }()
	defer func() { s += fmt.Sprint(" second ", recover()); panic("c") }()
	defer func() { panic("b") }()
	panic("a")
}

func main() {
	fmt.Println(protect(true), protect(false))
	fmt.Println(chain())
}
`,
		want: "recovered: mp <nil>\n second b third c",
	}, {
		name: "defer panic",
		src: `package main

import "fmt"

func f() (s string) {
	x := 1
	defer func() { s += fmt.Sprint(" recovered ", recover()) }()
	defer panic(x)
	x = 2
	s = "body"
	return s
}

func main() { fmt.Println(f()) }
`,
		want: "body recovered 1",
	}, {
		name: "defer recover",
		src: `package main

import "fmt"

func try(f func()) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprint(r)
		}
	}()
	f()
	return "returned"
}

func main() {
	// Called by the panic itself: recovers nothing.
	fmt.Println(try(func() {
		defer recover()
		panic(1)
	}))
	// Called as by the deferred function: recovers its panic.
	fmt.Println(try(func() {
		defer func() {
			defer recover()
		}()
		panic(2)
	}))
	// The deferred function panics: called by that panic, recovers nothing.
	fmt.Println(try(func() {
		defer func() {
			defer recover()
			panic(3)
		}()
		panic(4)
	}))
	// As in test/recover1.go: a deferred recover after one that
	// recovered the deferred function's own panic recovers the outer one.
	fmt.Println(try(func() {
		defer func() {
			defer recover()
			defer func() { recover() }()
			panic(5)
		}()
		panic(6)
	}))
	// In a function that is not a deferred call: recovers nothing.
	fmt.Println(try(func() {
		defer func() {
			func() { defer recover() }()
		}()
		panic(7)
	}))
	// recover after defer recover() in the same deferred function.
	fmt.Println(try(func() {
		defer func() {
			defer recover()
			fmt.Println("direct", recover())
		}()
		panic(8)
	}))
}
`,
		want: "1\nreturned\n3\nreturned\n7\ndirect 8\nreturned",
	}})
}

// TestDeferDeclaredLater: a deferred call, in a function literal, of a
// function or a method declared further down runs (it did nothing: the
// wrapper of the deferred function took the start of its body before
// the body was compiled).
func TestDeferDeclaredLater(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "function and methods",
		src: `package main

import "fmt"

func main() {
	func() {
		defer later(1)
		var r rec
		defer r.m()
		defer (&r).pm()
		var e empty
		defer e.m()
		fmt.Println("body")
	}()
}

func later(n int) { fmt.Println("later", n) }

type rec struct{ n int }

func (r rec) m() { fmt.Println("m", r.n) }

func (r *rec) pm() { fmt.Println("pm", r.n) }

type empty struct{}

func (empty) m() { fmt.Println("empty m") }
`,
		want: "body\nempty m\npm 0\nm 0\nlater 1",
	}})
}

// TestSelectConcurrent: goroutines running one select statement at once
// each select on their own channels (they shared one array of cases, so
// a goroutine could take another's channel: wrong values, stalls, and a
// data race that go test -race reports).
func TestSelectConcurrent(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "goroutines",
		src: `package main

import (
	"fmt"
	"sync"
	"time"
)

func relay(id int, in <-chan int, out chan<- int, quit <-chan struct{}) {
	for {
		select {
		case v := <-in:
			out <- v + id
		case <-quit:
			return
		}
	}
}

func main() {
	const n, k = 64, 300
	quit := make(chan struct{})
	var wg sync.WaitGroup
	bad := make([]int, n)
	for i := 0; i < n; i++ {
		in, out := make(chan int), make(chan int)
		go relay(i*1000, in, out, quit)
		wg.Add(1)
		go func(i int, in chan<- int, out <-chan int) {
			defer wg.Done()
			for j := 0; j < k; j++ {
				select {
				case in <- j:
				case <-time.After(10 * time.Second):
					bad[i]++
					return
				}
				select {
				case v := <-out:
					if v != i*1000+j {
						bad[i]++
					}
				case <-time.After(10 * time.Second):
					bad[i]++
					return
				}
			}
		}(i, in, out)
	}
	wg.Wait()
	close(quit)
	fmt.Println(bad)
}
`,
		want: "[" + strings.Repeat("0 ", 63) + "0]",
	}})
}

// TestSelectSendOperands: the value sent by a select case is computed
// from its operands (index expressions, calls of builtins, fields through
// pointers, slices of strings, composite literals), which the select
// statement did not evaluate: the value was computed from zeros.
func TestSelectSendOperands(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "operands",
		src: `package main

import "fmt"

type S struct{ n int }

func (s S) get() int { return s.n }

type T struct{ a, b int }

func main() {
	m := map[int]int{1: 10}
	xs := []int{1, 2, 3}
	s := S{7}
	p := &s
	c := make(chan int, 1)
	select {
	case c <- m[1] + xs[2] + len(xs) + s.get():
	}
	a := <-c
	select {
	case c <- p.n * 2:
	}
	b := <-c
	str := "hello"
	sc := make(chan string, 1)
	select {
	case sc <- str[1:3] + fmt.Sprint(len(str)):
	}
	tc := make(chan T, 1)
	select {
	case tc <- T{xs[0], m[1]}:
	default:
	}
	fmt.Println(a, b, <-sc, <-tc)
}
`,
		want: "23 14 el5 {1 10}",
	}})
}

// TestMethodValueReceiver: a method value evaluates its receiver where it
// is formed, as do a deferred method call and a go statement: a value
// receiver is copied then (a nil pointer panics there), a pointer
// receiver is bound (the receiver was read at each call, so the method
// saw later assignments, and a nil pointer panicked with a reflect
// message at the call, if ever).
func TestMethodValueReceiver(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "bound receivers",
		src: `package main

import "fmt"

type T struct{ n int }

func (t T) M() int   { return t.n }
func (t *T) PM() int { return t.n }

type W struct{ *T }

type V struct{ T }

type I interface{ M() int }

func (t T) report(c chan int) { c <- t.n }

func main() {
	t := T{1}
	vf, pf := t.M, t.PM
	t.n = 2
	q := &T{3}
	qv, qp := q.M, q.PM
	q.n = 4
	q = &T{5}
	w := W{&T{6}}
	wv, wp := w.M, w.PM
	w.T.n = 7
	w.T = &T{8}
	v := V{T{9}}
	vv, vp := v.M, v.PM
	v.n = 10
	var i I = T{11}
	iv := i.M
	i = T{12}
	var fs []func() int
	for k := 0; k < 3; k++ {
		x := T{k}
		fs = append(fs, x.M)
	}
	fmt.Println(vf(), pf(), qv(), qp(), wv(), wp(), vv(), vp(), iv(), fs[0](), fs[2]())
	c := make(chan int)
	g := T{30}
	go g.report(c)
	g.n = 31
	fmt.Println(<-c)
	r := T{20}
	cb := make(chan int, 1)
	defer func() { fmt.Println("reported", <-cb) }()
	defer r.PM()
	defer func() { fmt.Println("deferred", r.M()) }()
	defer r.report(cb)
	r.n = 21
}
`,
		want: "1 2 3 4 6 7 9 10 11 0 2\n30\ndeferred 21\nreported 20",
	}, {
		name: "nil receivers",
		src: `package main

import "fmt"

type T struct{ n int }

func (t T) M() int   { return t.n }
func (t *T) PM() int { return 1 }

type W struct{ *T }

func try(name string, f func()) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println(name, r)
		}
	}()
	f()
}

func main() {
	var p *T
	try("value", func() { f := p.M; fmt.Println("formed"); _ = f })
	try("pointer", func() { f := p.PM; fmt.Println("formed", f()) })
	try("embedded", func() { w := W{}; f := w.M; fmt.Println("formed"); _ = f })
	try("embedded pointer", func() { w := W{}; f := w.PM; fmt.Println("formed", f()) })
	try("call", func() { p.M() })
	try("defer", func() { defer p.M(); fmt.Println("deferred") })
	try("literal", func() { fs := []func() int{p.M}; fmt.Println(len(fs)) })
}
`,
		want: `value runtime error: invalid memory address or nil pointer dereference
formed 1
embedded runtime error: invalid memory address or nil pointer dereference
formed 1
call runtime error: invalid memory address or nil pointer dereference
defer runtime error: invalid memory address or nil pointer dereference
literal runtime error: invalid memory address or nil pointer dereference`,
	}})
}

// TestBinaryPointerMethodValue: a method value of a method with a pointer
// receiver of a binary type, through a pointer (pb.Len with pb a
// *strings.Builder), has the method's type without the receiver (the
// assignment failed: "value of type func() int is not assignable to type
// func(*strings.Builder) int").
func TestBinaryPointerMethodValue(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "pointer receivers",
		src: `package main

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

func main() {
	pb := &strings.Builder{}
	ws, n := pb.WriteString, pb.Len
	ws("abc")
	pbuf := new(bytes.Buffer)
	w := pbuf.Write
	w([]byte("xy"))
	s := pbuf.String
	po := &sync.Once{}
	do := po.Do
	do(func() { fmt.Println("once") })
	do(func() { fmt.Println("twice") })
	fmt.Println(n(), s())
}
`,
		want: "once\n3 xy",
	}})
}

// TestBinaryMethodValueReceiver: a method value of a method of a binary
// type binds its receiver where it is formed, also through a pointer, an
// interface or an embedded field (the method read the variable when
// called), and one with a value receiver panics there on a nil pointer.
func TestBinaryMethodValueReceiver(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "bound receivers",
		src: `package main

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

type W struct{ time.Duration }

type B struct{ *strings.Builder }

func try(f func()) {
	defer func() { fmt.Println(recover()) }()
	f()
}

func main() {
	t := time.Unix(100, 0).UTC()
	unix := t.Unix
	t = t.Add(time.Hour)
	d := time.Second
	pd := &d
	str := pd.String
	d = time.Minute
	var s fmt.Stringer = time.Second
	g := s.String
	s = time.Minute
	var e error = errors.New("a")
	h := e.Error
	e = errors.New("b")
	var fs []func() string
	for _, d := range []time.Duration{1, 2, 3} {
		fs = append(fs, d.String)
	}
	w := W{time.Second}
	ws := w.String
	w.Duration = time.Minute
	pw := &w
	pws := pw.String
	pw.Duration = time.Hour
	b := B{&strings.Builder{}}
	l := b.Len
	b.WriteString("x")
	b.Builder = &strings.Builder{}
	fmt.Println(unix(), str(), g(), h(), fs[0](), fs[2](), ws(), pws(), l())
	try(func() {
		var pd *time.Duration
		f := pd.String
		fmt.Println("formed")
		_ = f
	})
	try(func() {
		var pw *W
		f := pw.String
		fmt.Println("formed")
		_ = f
	})
}
`,
		want: "100 1s 1s a 1ns 3ns 1s 1m0s 1\nruntime error: invalid memory address or nil pointer dereference\nruntime error: invalid memory address or nil pointer dereference",
	}})
}

// TestInterfaceHoldsCopy: a value converted to an interface is a copy,
// which later assignments to the variable it came from leave (the
// interface shared the variable: var i I = t; t.n = 2 changed i).
func TestInterfaceHoldsCopy(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "conversions",
		src: `package main

import (
	"errors"
	"fmt"
)

type I interface{ M() int }

type T struct{ n int }

func (t T) M() int { return t.n }

type P struct{ n int }

func (p *P) M() int { return p.n }

type E struct{ msg string }

func (e E) Error() string { return e.msg }

func take(i I) I { return i }

func ret(t T) I { return t }

type H struct{ i I }

func main() {
	t := T{1}
	var i I = t
	j, k := take(t), ret(t)
	s, m, h := []I{t}, map[string]I{"a": t}, H{i: t}
	c := make(chan I, 1)
	c <- t
	var i2 I
	i2 = t
	t.n = 2
	fmt.Println(i.M(), j.M(), k.M(), s[0].M(), m["a"].M(), h.i.M(), (<-c).M(), i2.M(), t.M())
	p := P{3}
	var pi I = &p
	p.n = 4
	arr := [2]T{{5}, {6}}
	var ai I = arr[1]
	arr[1].n = 7
	e := E{"a"}
	var err error = e
	e.msg = "b"
	fmt.Println(pi.M(), ai.M(), err, errors.Is(err, E{"a"}))
}
`,
		want: "1 1 1 1 1 1 1 1 2\n4 6 a true",
	}})
}

// TestAppendInterface: append to a slice of an interpreted interface
// type takes values of the types that implement it (it failed to compile:
// "cannot use type main.T as type interp.valueInterface").
func TestAppendInterface(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "elements",
		src: `package main

import "fmt"

type I interface{ Get() int }

type T struct{ n int }

func (t T) Get() int { return t.n }

type P struct{ n int }

func (p *P) Get() int { return p.n }

type Is []I

func gets(is ...I) (out []int) {
	for _, i := range is {
		if i == nil {
			out = append(out, -1)
			continue
		}
		out = append(out, i.Get())
	}
	return
}

func main() {
	t := T{1}
	var out []I
	out = append(out, t, &P{2}, nil, T{3})
	var is Is
	for i := 0; i < 2; i++ {
		is = append(is, T{i})
	}
	fmt.Println(gets(out...), gets(is...))
}
`,
		want: "[1 2 -1 3] [0 1]",
	}})
}

// TestGenericTypeOperands: an instance of a generic type with several type
// arguments (Pair[string, int]) is a type in a composite literal that is
// an operand and in a conversion (the statement of fmt.Println(Pair[string,
// int]{"a", 1}) and the one after it were not run; a conversion panicked).
func TestGenericTypeOperands(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "literals and conversions",
		src: `package main

import "fmt"

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

type Named[K comparable, V any] map[K]V

func main() {
	fmt.Println("start")
	fmt.Println(Pair[string, int]{"a", 1}, Pair[int, bool]{Key: 2})
	fmt.Println("middle")
	m := map[string]int{"x": 1}
	fmt.Println(len(Named[string, int](m)), Named[string, int]{"y": 2})
	ps := []Pair[string, int]{{"b", 2}}
	fmt.Println(ps, &Pair[string, int]{"c", 3})
}
`,
		want: "start\n{a 1} {2 false}\nmiddle\n1 map[y:2]\n[{b 2}] &{c 3}",
	}})
}

// genericHelpers declares generic functions and types of the shapes real
// code uses, for the tests of inference.
const genericHelpers = `
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func Filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func Reduce[T, A any](xs []T, init A, f func(A, T) A) A {
	acc := init
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

func GroupBy[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	m := map[K][]T{}
	for _, x := range xs {
		k := key(x)
		m[k] = append(m[k], x)
	}
	return m
}

func Keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func Uniq[T comparable](xs []T) []T {
	seen := map[T]bool{}
	var out []T
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

type Number interface {
	~int | ~int8 | ~int64 | ~float64
}

func Max[T Number](xs ...T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func Pick[T any](a, b T) T { return b }

func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type Set[T comparable] map[T]struct{}

func NewSet[T comparable](xs ...T) Set[T] {
	s := Set[T]{}
	for _, x := range xs {
		s.Add(x)
	}
	return s
}

func (s Set[T]) Add(x T)      { s[x] = struct{}{} }
func (s Set[T]) Has(x T) bool { _, ok := s[x]; return ok }

func Members[T comparable](s Set[T]) []T { return Keys(s) }

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func Swap[K, V comparable](p Pair[K, V]) Pair[V, K] { return Pair[V, K]{p.Val, p.Key} }

type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }

func Top[T any](s *Stack[T]) T { return s.items[len(s.items)-1] }

func SortSlice[S ~[]E, E interface{ ~int | ~string }](s S) S {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func MapKeys[M ~map[K]V, K comparable, V any](m M) []K { return Keys(m) }

type Slice[T any] interface{ ~[]T }

func Last[S Slice[E], E any](s S) E { return s[len(s)-1] }

func Convert[To, From any](x From, f func(From) To) To { return f(x) }

func Triple[A, B, C any](a A, b B, c C) string { return fmt.Sprintf("%T %T %T", a, b, c) }

func Collect[T any](c <-chan T) []T {
	var out []T
	for x := range c {
		out = append(out, x)
	}
	return out
}
`

// TestGenericUnification: the type arguments of a call of a generic function
// are inferred as Go infers them. yaegi took the types it met in the
// parameters' types, in order, for the type parameters, in order, so
// GroupBy(orders, func(o Order) Status {…}) failed ("cannot use type
// func(Order) Status as type func(Order) Order"), and it knew neither
// untyped constants' default types, nor generic types, core types, or
// type arguments given in part.
func TestGenericUnification(t *testing.T) {
	t.Parallel()
	program := func(body string) string {
		return "package main\n\nimport (\n\t\"fmt\"\n\t\"sort\"\n\t\"strconv\"\n)\n\nvar _ = strconv.Itoa\n" +
			genericHelpers + "\nfunc main() {\n" + body + "}\n"
	}
	runForkCases(t, []forkCase{{
		name: "function arguments",
		src: program(`
	type Status string
	type Order struct {
		ID     int
		Status Status
	}
	all := []Order{{1, "new"}, {2, "paid"}, {3, "new"}}
	byStatus := GroupBy(all, func(o Order) Status { return o.Status })
	fmt.Println(Keys(byStatus), byStatus["new"])
	xs := []int{3, 1, 2, 3}
	fmt.Println(Map(xs, strconv.Itoa), Map(xs, func(i int) float64 { return float64(i) / 2 }))
	type Pred func(int) bool
	var big Pred = func(i int) bool { return i > 1 }
	fmt.Println(Filter(xs, big), Uniq(xs))
	fmt.Println(Reduce(xs, "", func(a string, i int) string { return a + strconv.Itoa(i) }))
	fmt.Println(Convert[string](3, strconv.Itoa), Convert(4, strconv.Itoa))
`),
		want: "[new paid] [{1 new} {3 new}]\n[3 1 2 3] [1.5 0.5 1 1.5]\n[3 2 3] [3 1 2]\n3123\n3 4",
	}, {
		name: "untyped constants",
		src: program(`
	type Celsius float64
	var c Celsius = 4
	fmt.Printf("%T %T %T %T %T\n", Pick(1, 'a'), Pick(1.0, 2), Pick('a', 2.5), Pick(1, 2i), Pick("a", "b"))
	fmt.Println(Max(2, c), Max(1, 2.5), Max[int8](100, 27), Pick(int8(1), 2))
	fmt.Printf("%T\n", Max(3, 4))
`),
		want: "int32 float64 float64 complex128 string\n4 2.5 100 2\nint",
	}, {
		name: "generic types",
		src: program(`
	s := NewSet("b", "a", "b")
	fmt.Println(Members(s), s.Has("a"), Members(Set[int]{7: {}}))
	p := Pair[string, int]{"x", 1}
	fmt.Println(Swap(p), Swap(Swap(p)))
	st := &Stack[float64]{}
	st.Push(1.5)
	fmt.Println(Top(st))
`),
		want: "[a b] true [7]\n{1 x} {x 1}\n1.5",
	}, {
		name: "core types",
		src: program(`
	type IDs []int
	type Scores map[string]int
	fmt.Println(SortSlice(IDs{3, 1, 2}), SortSlice([]string{"b", "a"}))
	fmt.Println(MapKeys(Scores{"b": 1, "a": 2}), Last(IDs{4, 5}), Last([]string{"x"}))
`),
		want: "[1 2 3] [a b]\n[a b] 5 x",
	}, {
		name: "type arguments in part, results and channels",
		src: program(`
	fmt.Println(Triple[int8, float32](1, 2, "c"), Triple[int8](1, 2, 3.5))
	f := Map[int, string]
	fmt.Println(f([]int{5}, strconv.Itoa))
	fmt.Println(Must(strconv.Atoi("12")) + 1)
	c := make(chan string, 2)
	c <- "a"
	c <- "b"
	close(c)
	fmt.Println(Collect(c), Max([]int{4, 9, 2}...))
`),
		want: "int8 float32 string int8 int float64\n[5]\n13\n[a b] 9",
	}})
}

// TestGenericInferenceErrors: a call whose type arguments cannot be
// inferred is refused with Go's reasons.
func TestGenericInferenceErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ call, want string }{
		{"Zero()", "in call to Zero, cannot infer T"},
		{`Pick(1, "a")`, "in call to Pick, mismatched types untyped int and untyped string (cannot infer T)"},
		{"Pick(int8(1), int16(2))", "in call to Pick, type int16 does not match inferred type int8 for T"},
		{"Zero[int, int]()", "got 2 type arguments but Zero has 1 type parameters"},
		{`Float("x")`, "string does not implement main.Number"},
	}
	for _, c := range cases {
		c := c
		t.Run(c.call, func(t *testing.T) {
			t.Parallel()
			src := "package main\n\nfunc Zero[T any]() (z T) { return }\n\nfunc Pick[T any](a, b T) T { return b }\n\n" +
				"type Number interface{ ~int | ~float64 }\n\nfunc Float[T Number](x T) float64 { return float64(x) }\n\n" +
				"func main() { _ = " + c.call + " }\n"
			i := interp.New(interp.Options{})
			_, err := i.Eval(src)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}

// TestTypeArgumentAsType: in an instance of a generic function, a type
// parameter whose type argument is a defined type (T = Level) is a type
// in a conversion T(x) and a composite literal S{} (the type argument's
// name, main.Level, names no symbol: T(3) was compiled as a call, "too
// many arguments", and S{} as a literal without a type).
func TestTypeArgumentAsType(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "conversions and literals",
		src: `package main

import "fmt"

type Level int
type Names []string
type Dict map[string]int
type Point struct{ X, Y int }

func Conv[T ~int](x int) T { return T(x) }

func Empty[S ~[]E, E any]() S { return S{} }

func One[M ~map[K]V, K comparable, V any](k K, v V) M { return M{k: v} }

func Insert[S ~[]E, E any](s S, i int, v ...E) S {
	out := append(S{}, s[:i]...)
	out = append(out, v...)
	return append(out, s[i:]...)
}

func Zero[T any]() T { return *new(T) }

func main() {
	fmt.Println(Conv[Level](3), Conv[int](4))
	fmt.Println(len(Empty[Names]()), len(Empty[[]int]()))
	fmt.Println(One[Dict]("a", 1), One[map[string]bool]("b", true))
	fmt.Println(Insert(Names{"a", "d"}, 1, "b", "c"), Zero[Point]())
}
`,
		want: "3 4\n0 0\nmap[a:1] map[b:true]\n[a b c d] {0 0}",
	}})
}

// TestUntypedBinaryConstants: an untyped floating-point or complex
// constant of a binary package (math.MaxFloat64) has the type of an
// untyped constant of the source, so that an operation on both is valid
// (0.0 - math.MaxFloat64 was refused: "mismatched types untyped float and
// untyped float64", which made github.com/dustin/go-humanize fail to
// load).
func TestUntypedBinaryConstants(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "operations",
		src: `package main

import (
	"fmt"
	"math"
	"time"
)

func main() {
	n := 1.5
	fmt.Println(n < (0.0 - math.MaxFloat64), n > 0.5*math.SmallestNonzeroFloat64)
	fmt.Println(0.0-math.MaxFloat64, 1-math.MaxInt8, 2*math.Pi, math.Pi*2, math.E+math.Pi)
	fmt.Println(1.5*math.MaxInt8, math.MaxInt8+0.5, 'a'+math.MaxInt8, math.MaxUint32*2.0)
	fmt.Println(2i*math.Pi, math.Pi+1i)
	const c = 2.5 * math.SmallestNonzeroFloat64
	var d time.Duration = 2.0 * time.Second
	fmt.Println(c > 0, d, 1.5*float64(time.Second))
}
`,
		want: "false true\n-1.7976931348623157e+308 -126 6.283185307179586 6.283185307179586 5.859874482048839\n190.5 127.5 224 8.58993459e+09\n(0+6.283185307179586i) (3.141592653589793+1i)\ntrue 2s 1.5e+09",
	}})
}

// TestConstantComparisons: a comparison, && and || of constants is a
// constant, computed exactly at compile time. yaegi left them to the run
// time, which never comes for a constant declaration: const X = 3 > 1
// was false, const on = Debug && n > 2 too, and a comparison of untyped
// constants that do not fit in an int (1<<100 > 1<<99, or an operand
// that is a shift, in a declaration compiled twice) was refused as a
// "constant definition loop".
func TestConstantComparisons(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "declarations and expressions",
		src: `package main

import (
	"fmt"
	"math"
	"time"
)

type Mode string
type Size uint64
type On bool

const (
	Dev     Mode = "dev"
	Debug        = Dev == "dev"
	Verbose      = Debug && len(Dev) > 2
	KB      Size = 1 << 10
	Large        = KB*1024 > 1e6
	Long         = 10*time.Second > time.Minute
	Huge         = 1<<100 > 1<<99
	Shifted      = 1<<3 > 1
	IsV1         = "v1" == "v1" || false
	Neither      = !(IsV1 && Large)
	Flag    On   = KB > 1000
	Mixed        = 'a' == 97 && 1.0 == 1
	MaxCheck     = math.MaxInt64 > math.MaxInt32
	Exact        = 1<<math.MaxInt8 > 0
)

func main() {
	fmt.Println(Debug, Verbose, Large, Long, Huge, Shifted, IsV1, Neither, Flag, Mixed, MaxCheck, Exact)
	const local = 3 > 1
	b := true
	x := 3
	fmt.Println(local, b == local, b == Debug, x > 2 == local, x > 2 && Debug, !Long == (x == 3))
	var on On = 1 < 2
	fmt.Println(on, 1<<100 > 1<<99, 1<<64-1 > 1<<63)
	fmt.Println(any(1) == any(1.0), any(int64(1)) == any(1), any(1) == 1.0, any(2) == 2)
}
`,
		want: "true true true false true true true false true true true true\ntrue true true true true true\ntrue true true\nfalse false false true",
	}})
}

// TestPackageMultiValueVars: a package-level declaration of several
// variables from one value of several results (a call, binary or
// interpreted, a map index, a type assertion, a receive), with _ in any
// position, declares global variables that functions read (they read
// another slot of another frame: string(B) of var B, _ =
// hex.DecodeString("4142") panicked with "value of type func([]interface
// {}) cannot be converted to type string"), in the order of their
// dependencies, and the comma-ok forms set both variables (they failed
// with "nil type", or left them zero).
func TestPackageMultiValueVars(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "declarations",
		src: `package main

import (
	"encoding/hex"
	"fmt"
	"strconv"
)

var B, _ = hex.DecodeString("4142")
var _, Err = hex.DecodeString("zz")
var N, NErr = strconv.Atoi("12")

var A1, S1 = two()
var A2, _ = two()
var _, S3 = two()
var _, _ = two()
var T1, _, T3 = three()
var Min, Max = func() (float64, float64) { return 1.5, 9.5 }()
var TA, TB int = func() (int, int) { return 4, 5 }()

var V, OK = m["k"]
var _, Missing = m["z"]
var m = map[string]int{"k": 7}

var Str, IsStr = x.(string)
var _, IsInt = x.(int)
var x any = "str"

var R, ROK = <-ch
var ch = func() chan int { c := make(chan int, 1); c <- 5; return c }()

func get() string {
	return fmt.Sprintln(string(B), Err, N, NErr, A1, S1, A2, S3, T1, T3, Min, Max, TA, TB, V, OK, Missing, Str, IsStr, IsInt, R, ROK)
}

func main() {
	fmt.Println(get())
}

func two() (int, string)         { return 1, "one" }
func three() (int, string, bool) { return 3, "three", true }
`,
		want: "AB encoding/hex: invalid byte: U+007A 'z' 12 <nil> 1 one 1 one 3 true 1.5 9.5 4 5 7 true false str true false 5 true",
	}})
}

// TestTypeSwitchPlainValues: a type switch matches a value an interface
// holds plainly (not in a valueInterface) by its reflect type, in every
// form of switch (the form without a variable compared the reflect type's
// name with the case type's, so struct, pointer-to-struct types and types
// spelled with any, such as func(int) any or map[string]any, never
// matched), and a nil interface of interpreted code in an any matches
// case nil (the forms with a variable took case I, or no case).
func TestTypeSwitchPlainValues(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "case types",
		src: `package main

import "fmt"

type Point struct{ X int }

func kind(x any) string {
	switch x.(type) {
	case int:
		return "int"
	case Point:
		return "Point"
	case *Point:
		return "*Point"
	case func(int) int:
		return "func(int) int"
	case func(int) any:
		return "func(int) any"
	case map[string]any:
		return "map[string]any"
	case []any:
		return "[]any"
	case chan any:
		return "chan any"
	case [2]any:
		return "[2]any"
	case nil:
		return "nil"
	}
	return "other"
}

func kindOf(x any) string {
	switch v := x.(type) {
	case Point, *Point, func(int) any:
		return fmt.Sprintf("%T", v)
	case map[string]any:
		return fmt.Sprint("map ", len(v))
	case [2]any:
		return fmt.Sprint("array ", len(v))
	}
	return "other"
}

func main() {
	var p *Point
	fmt.Println(kind(1), kind(Point{}), kind(&Point{}), kind(p), kind(nil))
	fmt.Println(kind(func(int) int { return 0 }), kind(func(int) any { return 0 }))
	fmt.Println(kind(map[string]any{}), kind([]any{}), kind(make(chan any)), kind([2]any{}))
	fmt.Println(kindOf(map[string]any{"a": 1}), kindOf([2]any{}), kindOf(3))
}
`,
		want: "int Point *Point *Point nil\nfunc(int) int func(int) any\nmap[string]any []any chan any [2]any\nmap 1 array 2 other",
	}, {
		name: "nil interfaces",
		src: `package main

import "fmt"

type I interface{ M() }

type T struct{}

func (T) M() {}

func one(x any) string {
	switch v := x.(type) {
	case nil:
		return fmt.Sprint("nil ", v == nil)
	}
	return "other"
}

func several(x any) string {
	switch v := x.(type) {
	case nil:
		return fmt.Sprint("nil ", v)
	case error:
		return "error"
	case I:
		return "I"
	}
	return "other"
}

func main() {
	var i I
	var e error
	var s fmt.Stringer
	for _, x := range []any{nil, i, e, s, T{}} {
		fmt.Println(one(x), several(x), x == nil)
	}
	var x any = i
	fmt.Println(one(x), several(x), one(i), several(i))
}
`,
		want: "nil true nil <nil> true\nnil true nil <nil> true\nnil true nil <nil> true\nnil true nil <nil> true\nother I false\nnil true nil <nil> nil true nil <nil>",
	}})
}

// TestNilPointerInInterface: a nil pointer (or map, slice, ...) of an
// interpreted type given to an interface of a binary package, such as
// error, is a non-nil interface holding it, as in Go (a function that
// returns a nil *E as an error returned a nil error).
func TestNilPointerInInterface(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "error",
		src: `package main

import (
	"errors"
	"fmt"
)

type E struct{ msg string }

func (e *E) Error() string {
	if e == nil {
		return "nil E"
	}
	return e.msg
}

type S []int

func (s S) String() string { return fmt.Sprint("S", len(s)) }

func find(ok bool) error {
	var e *E
	if ok {
		return nil
	}
	return e
}

func main() {
	err := find(false)
	fmt.Println(err == nil, err, err.Error())
	var target *E
	fmt.Println(errors.As(err, &target), target == nil, find(true) == nil)
	var s S
	var st fmt.Stringer = s
	fmt.Println(st == nil, st)
	switch err.(type) {
	case nil:
		fmt.Println("nil")
	case *E:
		fmt.Println("*E")
	}
}
`,
		want: "false nil E nil E\ntrue true true\nfalse S0\n*E",
	}})
}

// TestGenericInstanceCode: the code of an instance of a generic function
// is generated when the instance is compiled, whatever the statement that
// calls it first. It was generated only when the compilation of the
// calling function reached it, which a var statement does not: after var
// s = Id("s") (or any var statement calling an instance first), the
// instance's body did nothing and s was empty.
func TestGenericInstanceCode(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "var statements",
		src: `package main

import "fmt"

func Id[T any](x T) T { return x }

func Pair[A, B any](a A, b B) string { return fmt.Sprint(a, "/", b) }

func main() {
	var s = Id("s")
	var w any = Id[string]("w")
	var p, q = Pair(1, 2.5), Pair[string, bool]("x", true)
	fmt.Println(s, w, p, q)
}
`,
		want: "s w 1/2.5 x/true",
	}})
}

// TestExplicitInstanceOperands: a call of a generic function with several
// type arguments given is an operand anywhere, in particular an element
// of a composite literal, whose type nodeType asks for ("not a generic
// type: func(…)").
func TestExplicitInstanceOperands(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "composite literals",
		src: `package main

import "fmt"

func Pair[A, B any](a A, b B) string { return fmt.Sprint(a, "/", b) }

type S struct {
	A string
	B []string
}

func main() {
	xs := []string{Pair[int, string](1, "a"), Pair(2, 3)}
	m := map[string]string{"k": Pair[int, bool](1, true)}
	s := S{A: Pair[string, string]("a", "b"), B: []string{Pair[int, int](3, 4)}}
	fmt.Println(xs, m, s, [1]string{Pair[float64, int](1.5, 2)})
}
`,
		want: "[1/a 2/3] map[k:1/true] {a/b [3/4]} [1.5/2]",
	}})
}

// TestGenericPackageVars: a package-level variable initialized by a call
// of a generic function, with its type arguments inferred or given, has
// the instance's result type. The GTA pass took the generic function's
// result type (a type parameter), which has no reflect type ("nil reflect
// type" panic), or none with type arguments given ("constant definition
// loop").
func TestGenericPackageVars(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "constructors",
		src: `package main

import "fmt"

type Set[T comparable] map[T]struct{}

func NewSet[T comparable](xs ...T) Set[T] {
	s := Set[T]{}
	for _, x := range xs {
		s[x] = struct{}{}
	}
	return s
}

type Cache[K comparable, V any] struct{ m map[K]V }

func NewCache[K comparable, V any]() *Cache[K, V] { return &Cache[K, V]{m: map[K]V{}} }

func (c *Cache[K, V]) Put(k K, v V) { c.m[k] = v }
func (c *Cache[K, V]) Get(k K) V   { return c.m[k] }

func Two[A, B any](a A, b B) (A, B) { return a, b }

func Id[T any](x T) T { return x }

var allowed = NewSet("a", "b")
var cache = NewCache[string, int]()
var X, Y = Two(1, "y")
var ids = NewSet[int]()
var G = Id(2.5)

func main() {
	cache.Put("k", 3)
	_, ok := allowed["a"]
	fmt.Println(len(allowed), ok, cache.Get("k"), X, Y, len(ids), G)
}
`,
		want: "2 true 3 1 y 0 2.5",
	}})
}

// TestConstantLeftOperand: && and || whose left operand is a constant and
// whose right one is not evaluate the right operand when the constant does
// not decide. The constant did not branch as a condition does, so the
// right operand was skipped and its stale value used: !true || x == 0 was
// false for x == 0, as was !(2 > 1) || x == 0 once comparisons of
// constants were folded (change 47).
func TestConstantLeftOperand(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "and or",
		src: `package main

import "fmt"

const debug = false

func main() {
	x := 0
	fmt.Println(!(2 > 1) || x == 0, !true || x == 0, debug || x == 0, 1 < 2 || x == 1)
	fmt.Println(2 > 1 && x == 0, !debug && x == 1, debug && x == 0)
	if !debug || x == 1 {
		fmt.Println("taken")
	}
	if 1 > 2 && x == 0 {
		fmt.Println("not taken")
	}
}
`,
		want: "true true true true\ntrue false false\ntaken",
	}})
}

// TestNewVariablePerDeclaration: each run of a declaration makes a new
// variable, which the closures, goroutines and pointers made in a previous
// run keep. The comma-ok forms of a map index, a type assertion and a
// receive, and composite literals of arrays, slices and maps, stored their
// values into the variable of the previous run, and a failed comma-ok form
// left the previous value there.
func TestNewVariablePerDeclaration(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "comma-ok forms and literals in a loop",
		src: `package main

import (
	"fmt"
	"sort"
	"sync"
)

type N struct{ s string }

func (n N) Name() string { return n.s }

func main() {
	table := map[string]N{"a": {"A"}, "b": {"B"}, "c": {"C"}}
	keys := []string{"a", "b", "c"}

	// A goroutine per element, each with its own n.
	var mu sync.Mutex
	var wg sync.WaitGroup
	var names []string
	for _, k := range keys {
		n, ok := table[k]
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			names = append(names, n.Name())
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Strings(names)
	fmt.Println(names)

	var fs []func() string
	var ps []*N
	c := make(chan N, 1)
	for _, k := range keys {
		var x any = table[k]
		v, ok := x.(N)
		c <- v
		r, more := <-c
		var w, found = table[k]
		if i, ok := table[k]; ok {
			fs = append(fs, func() string { return i.Name() })
		}
		switch j, ok := table[k]; {
		case ok:
			ps = append(ps, &j)
		}
		fs = append(fs, func() string { return fmt.Sprint(v.Name(), ok, r.Name(), more, w.Name(), found) })
		ps = append(ps, &v, &r, &w)
	}
	for _, f := range fs {
		fmt.Print(f(), ";")
	}
	fmt.Println()
	for _, p := range ps {
		fmt.Print(p.Name())
	}
	fmt.Println()

	// A failed comma-ok form leaves the zero value in the new variable.
	for _, x := range []any{1, "a"} {
		m := map[any]int{1: 10}
		v, ok := x.(int)
		e, found := m[x]
		fmt.Print(v, ok, e, found, ";")
	}
	fmt.Println()

	// Composite literals.
	var as []*[1]int
	var ss []*[]int
	var ms []*map[int]bool
	for i := 0; i < 3; i++ {
		a := [1]int{i}
		s := []int{i}
		m := map[int]bool{i: true}
		as, ss, ms = append(as, &a), append(ss, &s), append(ms, &m)
	}
	fmt.Println(*as[0], *as[2], *ss[0], *ss[2], *ms[0], *ms[2])
}
`,
		want: "[A B C]\nA;AtrueAtrueAtrue;B;BtrueBtrueBtrue;C;CtrueCtrueCtrue;\nAAAABBBBCCCC\n1 true 10 true;0 false 0 false;\n[0] [2] [0] [2] map[0:true] map[2:true]",
	}})
}

// TestNewVariablePerClause: the variable of a type switch clause and the
// variables a select case receives into are new ones each time the clause
// runs (closures and pointers of every iteration of a loop shared one),
// and a type switch whose only clause is default sets its variable (it was
// left nil).
func TestNewVariablePerClause(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "type switch and select in a loop",
		src: `package main

import "fmt"

type N struct{ s string }

func (n N) Name() string { return n.s }

func main() {
	values := []any{N{"A"}, "b", 3, nil}
	var fs []func() string
	var ps []*any
	for _, x := range values {
		switch v := x.(type) {
		case N:
			fs = append(fs, func() string { return v.Name() })
		case string, int:
			fs = append(fs, func() string { return fmt.Sprint(v) })
		case nil:
			ps = append(ps, &v)
		}
		switch v := x.(type) {
		case fmt.Stringer:
		default:
			ps = append(ps, &v)
		}
	}
	for _, x := range []any{1.5, true} {
		switch v := x.(type) {
		default:
			ps = append(ps, &v)
		}
	}
	for _, f := range fs {
		fmt.Print(f(), ";")
	}
	for _, p := range ps {
		fmt.Print(*p, ";")
	}
	fmt.Println()

	c := make(chan string, 1)
	ok := make(chan int, 1)
	var gs []func() string
	var qs []*string
	for _, s := range []string{"x", "yy", "zzz"} {
		c <- s
		select {
		case v := <-c:
			gs = append(gs, func() string { return v })
			qs = append(qs, &v)
		}
		ok <- len(s)
		select {
		case n, more := <-ok:
			gs = append(gs, func() string { return fmt.Sprint(n, more) })
		}
	}
	for _, g := range gs {
		fmt.Print(g(), ";")
	}
	for _, q := range qs {
		fmt.Print(*q, ";")
	}
	fmt.Println()
}
`,
		want: "A;b;3;{A};b;3;<nil>;<nil>;1.5;true;\nx;1 true;yy;2 true;zzz;3 true;x;yy;zzz;",
	}})
}

// TestFuncLitSlot: a call of a function made by a function literal no
// longer sets the literal's frame slot back to the function made before
// it when it returns. Another goroutine, or an argument evaluated between
// the making of a new function and its use, made the call use the older
// function (or nil), and a function made in a frame and called by one of
// its deferred calls waited for good for the frame's lock. The copy of the
// frame a function keeps no longer holds the previous function instead.
func TestFuncLitSlot(t *testing.T) {
	t.Parallel()
	for _, c := range []forkCase{{
		name: "a literal's earlier function runs between its making and its use",
		src: `package main

import "fmt"

func keep(f func(int) int, _ int) func(int) int { return f }

func main() {
	prev := func(x int) int { return x }
	for i := 1; i <= 4; i++ {
		n := i * 100
		// The function literal is made, then prev, made by the same literal
		// in the previous iteration, runs before keep receives the new one.
		prev = keep(func(x int) int { return n + x }, prev(i))
		fmt.Print(prev(0), ";")
	}
	fmt.Println()
}
`,
		want: "100;200;300;400;",
	}, {
		name: "goroutines made in a loop",
		src: `package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	var mu sync.Mutex
	sum := 0
	for i := 0; i < 1000; i++ {
		n := i
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			sum += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	fmt.Println(sum)
}
`,
		want: "499500",
	}, {
		name: "a closure called by a deferred call",
		src: `package main

import "fmt"

func run(xs []string) (out []string) {
	for _, x := range xs {
		y := x + "!"
		h := func() { out = append(out, y) }
		defer h()
	}
	return nil
}

func main() {
	fmt.Println(run([]string{"a", "b", "c"}))
}
`,
		want: "[c! b! a!]",
	}} {
		t.Run(c.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			i := interp.New(interp.Options{Stdout: &out, Stderr: &stderr})
			if err := i.Use(stdlib.Symbols.Exports()); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := i.EvalWithContext(ctx, c.src); err != nil {
				t.Fatalf("eval: %v\noutput: %s%s", err, out.String(), stderr.String())
			}
			if got := strings.TrimSpace(out.String()); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestRangeString: a range over a string steps through its bytes as Go
// does: the index is the byte offset of each rune, and an invalid byte is
// one step with the rune U+FFFD (the index counted runes when ranging with
// the index alone, and an invalid byte advanced the index by 3).
func TestRangeString(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "every form, valid and invalid UTF-8",
		src: `package main

import (
	"fmt"
	"strings"
)

type Text string

const greeting = "héllo, 世界"

func word() string { return "añb" }

// offsets lists the index of each iteration of a range over s.
func offsets(s string) []int {
	var out []int
	for i := range s {
		out = append(out, i)
	}
	return out
}

// pairs lists index:rune of each iteration.
func pairs(s string) string {
	var b strings.Builder
	for i, r := range s {
		fmt.Fprintf(&b, "%d:%U ", i, r)
	}
	return strings.TrimSpace(b.String())
}

func main() {
	fmt.Println(offsets("héllo"), offsets(greeting), offsets(""))
	for _, s := range []string{
		"héllo",
		"\xffab",            // an invalid byte
		"a\xc3",             // a truncated 2-byte sequence at the end
		"a\xe6\x97b",        // a truncated 3-byte sequence
		"\xf0\x9f\x98",      // a truncated 4-byte sequence
		"\xf0\x9f\x98\x80!", // a whole 4-byte sequence
		"\xed\xa0\x80",      // a surrogate half
		"\xc0\xaf",          // an overlong encoding
		"\xf4\x90\x80\x80",  // above U+10FFFF
	} {
		fmt.Println(offsets(s), pairs(s))
	}
	// Every range form.
	n := 0
	for range greeting {
		n++
	}
	var runes []rune
	for _, r := range greeting {
		runes = append(runes, r)
	}
	var idx []int
	for i, _ := range Text("añb") {
		idx = append(idx, i)
	}
	b := []byte("ñandú")
	for i, r := range string(b) {
		idx = append(idx, i, int(r))
	}
	for i := range word() {
		idx = append(idx, i)
	}
	var last int
	var lastRune rune
	for i, r := range "日本" {
		last, lastRune = i, r
	}
	fmt.Println(n, string(runes), idx, last, string(lastRune))
	// Scanning with the index.
	s := "façade,naïve,日本"
	start := 0
	var fields []string
	for i, r := range s {
		if r == ',' {
			fields = append(fields, s[start:i])
			start = i + 1
		}
	}
	fields = append(fields, s[start:])
	fmt.Printf("%q\n", fields)
	// Conversions.
	fmt.Println([]byte("hé"), []rune("hé世"), string([]rune("hé世")), len([]rune("a\xffb")), []rune("a\xffb"), string([]byte{0xe4, 0xb8, 0x96}))
}
`,
		want: "[0 1 3 4 5] [0 1 3 4 5 6 7 8 11] []\n[0 1 3 4 5] 0:U+0068 1:U+00E9 3:U+006C 4:U+006C 5:U+006F\n[0 1 2] 0:U+FFFD 1:U+0061 2:U+0062\n[0 1] 0:U+0061 1:U+FFFD\n[0 1 2 3] 0:U+0061 1:U+FFFD 2:U+FFFD 3:U+0062\n[0 1 2] 0:U+FFFD 1:U+FFFD 2:U+FFFD\n[0 4] 0:U+1F600 4:U+0021\n[0 1 2] 0:U+FFFD 1:U+FFFD 2:U+FFFD\n[0 1] 0:U+FFFD 1:U+FFFD\n[0 1 2 3] 0:U+FFFD 1:U+FFFD 2:U+FFFD 3:U+FFFD\n9 h\u00e9llo, \u4e16\u754c [0 1 3 0 241 2 97 3 110 4 100 5 250 0 1 3] 3 \u672c\n[\"fa\u00e7ade\" \"na\u00efve\" \"\u65e5\u672c\"]\n[104 195 169] [104 233 19990] h\u00e9\u4e16 3 [97 65533 98] \u4e16",
	}})
}

// TestLoopVariablePerIteration: the variables a for statement declares are
// new at each iteration, as in Go 1.22: those of a three-clause loop are
// copied to new ones before the post statement, those of a range statement
// are set in new ones. Closures, goroutines, deferred calls and pointers
// of every iteration shared one variable. Assigning to a range variable in
// the body no longer changes the iteration, and a range over a variable
// holding a pointer to an array no longer overwrites the variable declared
// before the loop.
func TestLoopVariablePerIteration(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "loop variables",
		src: `package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

type P struct{ n int }

func (p P) Get() int  { return p.n }
func (p *P) Addr() *P { return p }

func collect(fs []func() string) string {
	var out []string
	for _, f := range fs {
		out = append(out, f())
	}
	return strings.Join(out, " ")
}

func main() {
	var fs []func() string
	// Three-clause loops: each iteration has its own i, copied before
	// the post statement.
	for i := 0; i < 3; i++ {
		fs = append(fs, func() string { return fmt.Sprint("a", i) })
	}
	for i := 0; i < 6; i++ {
		if i%2 == 0 {
			continue
		}
		fs = append(fs, func() string { return fmt.Sprint("b", i) })
		i++ // the next iteration's i starts from this one
	}
	for i, j := 0, 10; i < 3; i, j = i+1, j-1 {
		fs = append(fs, func() string { return fmt.Sprint("c", i, j) })
	}
	for i := 0; i < 3; {
		fs = append(fs, func() string { return fmt.Sprint("d", i) })
		i++
	}
outer:
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if j == 1 {
				fs = append(fs, func() string { return fmt.Sprint("e", i, j) })
				continue outer
			}
		}
	}
	// A selector of another variable after the function literal.
	other := P{1}
	keep := func(f func() string, _ int) { fs = append(fs, f) }
	for i := 0; i < 2; i++ {
		keep(func() string { return fmt.Sprint("f", i) }, other.n)
	}
	fmt.Println(collect(fs))

	// Range over slices, arrays, pointers to arrays, strings, maps and
	// channels: new variables at each iteration.
	fs = nil
	var ptrs []*int
	xs := []int{10, 20, 30}
	arr := [2]string{"x", "y"}
	for i, x := range xs {
		fs = append(fs, func() string { return fmt.Sprint("s", i, x) })
		ptrs = append(ptrs, &x)
	}
	for i := range arr {
		fs = append(fs, func() string { return fmt.Sprint("a", i) })
	}
	for _, v := range &arr {
		fs = append(fs, func() string { return "p" + v })
	}
	for i, r := range "hé!" {
		fs = append(fs, func() string { return fmt.Sprint("r", i, string(r)) })
	}
	m := map[string]int{"k1": 1, "k2": 2}
	var keys []string
	for k, v := range m {
		fs = append(fs, func() string { return fmt.Sprint("m", k, v) })
		keys = append(keys, k)
	}
	c := make(chan int, 3)
	c <- 7
	c <- 8
	close(c)
	for v := range c {
		ptrs = append(ptrs, &v)
	}
	out := collect(fs)
	parts := strings.Fields(out)
	sort.Strings(parts)
	fmt.Println(strings.Join(parts, " "))
	for _, p := range ptrs {
		fmt.Print(*p, ";")
	}
	fmt.Println(len(keys))

	// A range over a variable holding a pointer to an array leaves the
	// variable declared before the loop alone.
	pa := &arr
	before := "kept"
	for i := range pa {
		_ = i
	}
	for i, v := range pa {
		_, _ = i, v
	}
	fmt.Println(before)

	// Assigning to the range variables does not change the iteration.
	var seen []int
	for i := range xs {
		seen = append(seen, i)
		i += 10
		_ = i
	}
	for i, x := range []string{"a", "b", "c", "d"} {
		i++
		seen = append(seen, i, len(x))
	}
	for i := range "añb" {
		seen = append(seen, i)
		i = 100
	}
	fmt.Println(seen)

	// Pointer methods, deferred calls and goroutines.
	ps := []P{{1}, {2}, {3}}
	var addrs []*P
	for _, p := range ps {
		addrs = append(addrs, p.Addr())
	}
	for _, a := range addrs {
		fmt.Print(a.n, ";")
	}
	fmt.Println()
	func() {
		for i := 0; i < 3; i++ {
			defer fmt.Print(i, ";")
		}
	}()
	fmt.Println()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var got []int
	for _, x := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			got = append(got, x)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Ints(got)
	fmt.Println(got)
}
`,
		want: "a0 a1 a2 b2 b4 b6 c0 10 c1 9 c2 8 d1 d2 d3 e0 1 e1 1 e2 1 f0 f1\n10 20 30 a0 a1 mk11 mk22 px py r0h r1\u00e9 r3! s0 s1 s2\n10;20;30;7;8;2\nkept\n[0 1 2 1 1 2 1 3 1 4 1 0 1 3]\n1;2;3;\n2;1;0;\n[10 20 30]",
	}, {
		// A call of a generic function holds the instance's declaration
		// (which calls itself here), not a part of the loop: the search
		// for what may keep the loop's variables went round it forever.
		name: "loops calling a recursive generic function",
		src: `package main

import "fmt"

func depth[T any](x T, n int) int {
	if n == 0 {
		return 0
	}
	return 1 + depth(x, n-1)
}

func main() {
	s := 0
	for i := 0; i < 4; i++ {
		s += depth("x", i)
	}
	var fs []func() int
	for i := 0; i < 3; i++ {
		s += depth(i, i)
		fs = append(fs, func() int { return i })
	}
	for _, v := range []int{5, 6} {
		s += depth(v, 2)
	}
	fmt.Println(s, fs[0](), fs[2]())
}
`,
		want: "13 0 2",
	}})
}

// TestFuncLitValue: a function literal passed to a binary function,
// converted to a named function type or deferred is the function the
// literal made when it was evaluated, with the variables of that moment
// (it ran in the frame as it was when called: callbacks kept by a binary
// function, such as time.AfterFunc's, and deferred literals saw the last
// iteration's variables); a deferred literal still recovers the panic of
// the function deferring it.
func TestFuncLitValue(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "kept, converted and deferred literals",
		src: `package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type F func() int

func safeDiv(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return a / b, nil
}

func main() {
	// Callbacks a binary function keeps.
	var mu sync.Mutex
	var wg sync.WaitGroup
	var got []string
	for _, x := range []string{"a", "b", "c"} {
		y := strings.ToUpper(x)
		wg.Add(1)
		time.AfterFunc(time.Millisecond, func() {
			mu.Lock()
			got = append(got, x+y)
			mu.Unlock()
			wg.Done()
		})
	}
	wg.Wait()
	sort.Strings(got)
	fmt.Println(got)

	// Conversions to a named function type.
	var fs []F
	for i := 0; i < 3; i++ {
		n := i * 10
		fs = append(fs, F(func() int { return i + n }))
	}
	fmt.Println(fs[0](), fs[1](), fs[2]())

	// Deferred function literals, also recovering.
	func() {
		for _, x := range []int{1, 2, 3} {
			defer func() { fmt.Print(x, ";") }()
		}
	}()
	fmt.Println()
	fmt.Println(safeDiv(7, 2))
	fmt.Println(safeDiv(1, 0))
	err := func() (err error) {
		for _, s := range []string{"x", "y"} {
			defer func() {
				if r := recover(); r != nil {
					err = errors.New(s + fmt.Sprint(r))
				}
			}()
		}
		panic("!")
	}()
	fmt.Println(err)
}
`,
		want: "[aA bB cC]\n0 11 22\n3;2;1;\n3 <nil>\n0 recovered: runtime error: integer divide by zero\ny!",
	}})
}

// TestBindAtEvaluation: a method value binds its receiver when it is made
// (a copy of the value, or the variable's address for a pointer method),
// for interpreted and binary methods, and a deferred call copies its
// arguments when the defer statement runs; yaegi read the variables when
// the method value or the deferred call ran, so in a loop they all saw the
// last iteration.
func TestBindAtEvaluation(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "method values, deferred calls and go statements",
		src: `package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

type P struct{ n int }

func (p P) Get() int   { return p.n }
func (p *P) PGet() int { return p.n }
func (p P) Print()     { fmt.Print(p.n, ";") }

func main() {
	// Method values bind their receiver when they are made.
	p := P{1}
	get, pget := p.Get, p.PGet
	p.n = 2
	pp := &P{3}
	pget2 := pp.PGet
	pp = &P{4}
	d := time.Duration(1)
	str := d.String
	d = 2
	// The method value of an interface holding a pointer keeps the
	// pointer: the value method reads the pointee when called.
	var g interface{ Get() int } = &P{5}
	iget := g.Get
	g.(*P).n = 6
	fmt.Println(get(), pget(), pget2(), str(), iget())

	var fs []func() int
	for _, q := range []P{{1}, {2}, {3}} {
		fs = append(fs, q.Get, q.PGet)
	}
	var ss []func() string
	for _, q := range []time.Duration{1, 2} {
		ss = append(ss, q.String)
	}
	for _, f := range fs {
		fmt.Print(f(), ";")
	}
	for _, s := range ss {
		fmt.Print(s(), ";")
	}
	fmt.Println()

	// Deferred calls and go statements evaluate their receiver and
	// arguments at once.
	func() {
		q := P{8}
		defer q.Print()
		x := 1
		defer fmt.Print(x, ";")
		for _, r := range []P{{1}, {2}} {
			defer fmt.Print(r.Get(), ";")
		}
		q.n = 9
		x = 2
	}()
	fmt.Println()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var out []string
	for i := 0; i < 3; i++ {
		s := strings.Repeat("x", i+1)
		wg.Add(1)
		go func(s string) {
			defer wg.Done()
			mu.Lock()
			out = append(out, s)
			mu.Unlock()
		}(s)
		s = "changed"
		_ = s
	}
	wg.Wait()
	sort.Strings(out)
	fmt.Println(out)
}
`,
		want: "1 2 3 1ns 6\n1;1;2;2;3;3;1ns;2ns;\n2;1;1;8;\n[x xx xxx]",
	}, {
		// A method value converted to a function type is made by the
		// wrapper of an interpreted function, which read the receiver's
		// variable at each call.
		name: "method values converted",
		src: `package main

import "fmt"

type P struct{ n int }

func (p P) Get() int   { return p.n }
func (p *P) PGet() int { return p.n }

type F func() int

func main() {
	p := P{1}
	f, pf := F(p.Get), F(p.PGet)
	p.n = 2
	var fs []F
	for _, q := range []P{{3}, {4}} {
		fs = append(fs, F(q.Get))
	}
	var g interface{ Get() int } = &P{5}
	gf := F(g.Get)
	g.(*P).n = 6
	fmt.Println(f(), pf(), fs[0](), fs[1](), gf())
}
`,
		want: "1 2 3 4 6",
	}})
}

// TestDeferLaterDeclaration: a deferred call of a function or method
// declared further down in the source runs (the function wrapper read the
// body's entry when it was made, before that body was compiled, and the
// deferred call silently did nothing).
func TestDeferLaterDeclaration(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "functions declared after their deferred call",
		src: `package main

import "fmt"

type P struct{ n int }

func main() {
	q := P{8}
	func() {
		defer q.Print()
		defer q.PPrint()
		defer later(1)
		q.n = 9
	}()
	fmt.Println()
}

func (p P) Print()   { fmt.Print("value ", p.n, ";") }
func (p *P) PPrint() { fmt.Print("pointer ", p.n, ";") }
func later(x int)    { fmt.Print("later ", x, ";") }
`,
		want: "later 1;pointer 9;value 8;",
	}})
}

// TestMultiAssignOperands: an assignment or declaration of several
// operands in which one is a composite literal or a call assigns every
// operand (yaegi had the literal or the call store its value straight into
// its variable, and dropped the statement that assigns the others: a, b :=
// []int{1}, 2 left b at 0).
func TestMultiAssignOperands(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "several operands",
		src: `package main

import "fmt"

type S struct{ A int }

func f() int { return 7 }

func main() {
	a, b := []int{1}, 2
	fmt.Println(a, b)
	c, d := 3, map[string]int{"x": 4}
	fmt.Println(c, d)
	e, g := S{5}, 6
	fmt.Println(e, g)
	var h, k = [2]int{7}, 8
	fmt.Println(h, k)
	var x, y int
	x, y = f(), 2
	fmt.Println(x, y)
	var u []int
	var v int
	u, v = []int{9}, 10
	fmt.Println(u, v)
	var s S
	var t int
	s, t = S{11}, 12
	fmt.Println(s, t)
	m, n := f(), 13
	fmt.Println(m, n)
	p, q := 1+x, 14
	fmt.Println(p, q)
	x, y = x+1, y+1
	fmt.Println(x, y)
	var fs []func() string
	for i := 0; i < 3; i++ {
		w, z := []int{i}, i*10
		fs = append(fs, func() string { return fmt.Sprint(w, z) })
	}
	fmt.Println(fs[0](), fs[1](), fs[2]())
}
`,
		want: "[1] 2\n3 map[x:4]\n{5} 6\n[7 0] 8\n7 2\n[9] 10\n{11} 12\n7 13\n8 14\n8 3\n[0] 0 [1] 10 [2] 20",
	}})
}

// TestSwitchInitTag: a switch statement with an init statement evaluates
// its tag (the init statement went straight to the cases, so a tag that is
// computed, such as n.s or x+1, was never evaluated and no case matched).
func TestSwitchInitTag(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "init statement and tag",
		src: `package main

import (
	"fmt"
	"strings"
)

type N struct{ s string }

func get(s string) N { return N{s} }

func main() {
	table := map[string]N{"a": {"A"}, "b": {"B"}}
	var fs []func() string
	for _, k := range []string{"a", "b", "c"} {
		switch n := table[k]; n.s {
		case "A", "B":
			fs = append(fs, func() string { return "tag " + n.s })
		default:
			fs = append(fs, func() string { return "default " + k })
		}
		switch n := get(k); strings.ToUpper(n.s) {
		case "A":
			fs = append(fs, func() string { return "call " + n.s })
		}
		switch n, ok := table[k]; {
		case ok && n.s == "B":
			fs = append(fs, func() string { return "no tag " + n.s })
		}
		switch x := len(k); x + 1 {
		case 2:
			fs = append(fs, func() string { return fmt.Sprint("sum ", x) })
		}
	}
	for _, f := range fs {
		fmt.Println(f())
	}
}
`,
		want: "tag A\ncall a\nsum 1\ntag B\nno tag B\nsum 1\ndefault c\nsum 1",
	}})
}

// TestStructLiteralAssign: a struct composite literal assigned to an
// existing variable sets the variable's value in its location, which
// closures and pointers share (it replaced the location, so a closure did
// not see the assignment, and an assignment in a closure, such as a named
// result set by a deferred function, was lost).
func TestStructLiteralAssign(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "struct literals assigned to variables",
		src: `package main

import (
	"fmt"
	"image"
)

type P struct{ X, Y int }

func named() (res P) {
	set := func() { res = P{3, 4} }
	set()
	return
}

func recovered() (res P, err error) {
	defer func() {
		if r := recover(); r != nil {
			res = P{5, 6}
			err = fmt.Errorf("%v", r)
		}
	}()
	panic("boom")
}

func main() {
	var p P
	get := func() P { return p }
	ptr := &p
	p = P{1, 2}
	fmt.Println(get(), *ptr)
	var r image.Rectangle
	getR := func() image.Rectangle { return r }
	r = image.Rectangle{Max: image.Point{X: 3, Y: 4}}
	fmt.Println(getR())
	fmt.Println(named())
	fmt.Println(recovered())
	var ps []*P
	for i := 0; i < 3; i++ {
		ps = append(ps, &P{i, i})
	}
	fmt.Println(*ps[0], *ps[1], *ps[2])
}
`,
		want: "{1 2} {1 2}\n(0,0)-(3,4)\n{3 4}\n{5 6} boom\n{0 0} {1 1} {2 2}",
	}})
}

// TestInterfaceValueCopy: a value of an interpreted type with methods
// converted to an interface is copied into it (the interface held the
// location of the variable or of the temporary the value came from, so it
// changed with the variable, and interfaces made in a loop from a map
// index all held the last element).
func TestInterfaceValueCopy(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "interfaces made from variables and temporaries",
		src: `package main

import (
	"fmt"
	"strings"
)

type N struct{ s string }

func (n N) Name() string { return n.s }

type Namer interface{ Name() string }

func main() {
	xs := []N{{"a"}, {"b"}}
	var i any = xs[0]
	var nm Namer = xs[1]
	xs[0].s, xs[1].s = "y", "z"
	fmt.Println(i.(N).Name(), nm.Name())

	table := map[string]N{"a": {"A"}, "b": {"B"}, "c": {"C"}}
	var names []Namer
	var anys []any
	for _, k := range []string{"a", "b", "c"} {
		var n Namer = table[k]
		var v any = table[k]
		names, anys = append(names, n), append(anys, v)
	}
	var out []string
	for j := range names {
		out = append(out, names[j].Name(), anys[j].(N).Name())
	}
	fmt.Println(strings.Join(out, " "))
}
`,
		want: "a b\nA A B B C C",
	}})
}

// TestDeferFunctionValue: the function value of a deferred call is
// evaluated when the defer statement runs, as its arguments are: defer f()
// followed by f = g called g.
func TestDeferFunctionValue(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "function variables and receivers",
		src: `package main

import "fmt"

type T struct{ n int }

func (t T) Show()   { fmt.Print("T", t.n, ";") }
func (t *T) PShow() { fmt.Print("P", t.n, ";") }

func a() { fmt.Print("a;") }
func b() { fmt.Print("b;") }

func main() {
	func() {
		f := a
		defer f()
		f = b
		g := func() { fmt.Print("g1;") }
		defer g()
		g = func() { fmt.Print("g2;") }
		t := T{1}
		defer t.Show()
		defer t.PShow()
		t = T{2}
		p := &T{3}
		defer p.Show()
		defer p.PShow()
		p = &T{4}
		var i interface{ Show() } = T{5}
		defer i.Show()
		i = T{6}
		for _, x := range []T{{7}, {8}} {
			defer x.Show()
			defer x.PShow()
		}
		for i := 0; i < 2; i++ {
			defer fmt.Print(i, ";")
		}
	}()
	fmt.Println()
}
`,
		want: "1;0;P8;T8;P7;T7;T5;P3;T3;P2;T1;g1;a;",
	}})
}

// TestDeferSpread: a deferred call with its last argument spread (defer
// f(a, xs...)) passes the slice's elements (the deferred call passed the
// slice as one argument, or failed).
func TestDeferSpread(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "deferred calls with ...",
		src: `package main

import (
	"errors"
	"fmt"
)

func show(prefix string, xs ...any) { fmt.Print(prefix, len(xs), xs, ";") }

func handle(errs ...*error) {
	if r := recover(); r != nil {
		for _, e := range errs {
			*e = errors.New(fmt.Sprint(r))
		}
	}
}

func guarded() (a, b error) {
	defer handle(&a, &b)
	errs := []*error{&a}
	defer handle(errs...)
	panic("boom")
}

func main() {
	func() {
		xs := []any{"a", 1}
		defer show("interpreted", xs...)
		defer fmt.Print(xs...)
		defer show("none")
		xs[0] = "b"
		xs = nil
	}()
	fmt.Println()
	fmt.Println(guarded())
}
`,
		want: "none0 [];b1interpreted2 [b 1];\nboom <nil>",
	}})
}

func TestAssertFromEmptyStruct(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "errors.Is with a compiled empty struct target",
		src: `package main

import (
	"context"
	"errors"
	"fmt"
)

type Code int

func (c Code) Error() string { return fmt.Sprintf("code %d", int(c)) }

type Temp struct{}

func (Temp) Error() string { return "temporary" }

func (Temp) Is(target error) bool {
	_, ok := target.(Code)
	return ok
}

func main() {
	var err error = fmt.Errorf("wrapped: %w", Temp{})
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled), errors.Is(err, Code(1)))
	var target error = context.DeadlineExceeded
	_, ok := target.(Code)
	fmt.Println(ok)
}
`,
		want: "false false true\nfalse",
	}})
}

// TestExtractModulePackages: extract writes a symbol table that builds
// for a package of a module named like a standard library package with a
// function of the name of one yaegi replaces (a package log with Fatal:
// it was written as the standard library's replacement, logFatal, which
// is not defined there), and for a package whose interface names a type
// of an internal package of its module (the interface's wrapper imported
// the internal package, which the go command forbids outside the
// module: the interface keeps its type and gets no wrapper).
func TestExtractModulePackages(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("needs the go command")
	}
	dir := t.TempDir()
	files := map[string]string{
		"lib/go.mod":                    "module example.com/lib\n\ngo 1.22\n",
		"lib/only/only.go":              "package only\n\n// Max is untyped.\nconst Max = 3\n\n// Pick is generic.\nfunc Pick[T any](x T) T { return x }\n",
		"lib/log/log.go":                "package log\n\n// Fatal logs at the fatal level.\nfunc Fatal(msg string) string { return \"fatal: \" + msg }\n",
		"lib/internal/secret/secret.go": "package secret\n\n// Key is a key.\ntype Key struct{ N int }\n",
		"lib/api/api.go":                "package api\n\nimport \"example.com/lib/internal/secret\"\n\n// Keyer gives keys.\ntype Keyer interface{ Key() secret.Key }\n\n// Plain has plain methods.\ntype Plain interface{ Name() string }\n\n// Use uses a Keyer.\nfunc Use(k Keyer) int { return k.Key().N }\n",
		"app/go.mod":                    "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"app/symbols/symbols.go":        "package symbols\n\nimport \"reflect\"\n\nvar Symbols = map[string]map[string]reflect.Value{}\n",
	}
	for name, src := range files {
		p := path.Join(dir, name)
		if err := os.MkdirAll(path.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Not parallel: the working directory is the process's.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(path.Join(dir, "app")); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	imp := &countingImporter{imp: importer.ForCompiler(token.NewFileSet(), "source", nil)}
	e := extract.Extractor{Dest: "symbols", Importer: imp}
	for _, p := range []string{"example.com/lib/log", "example.com/lib/api", "example.com/lib/only"} {
		var b bytes.Buffer
		if _, err := e.Extract(p, "", &b); err != nil {
			t.Fatalf("extract %s: %v", p, err)
		}
		if strings.Contains(b.String(), "logFatal") || strings.Contains(b.String(), "internal/secret") {
			t.Errorf("%s: the symbols name logFatal or the internal package:\n%s", p, b.String())
		}
		if err := os.WriteFile(path.Join("symbols", path.Base(p)+".go"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if imp.n != 3 {
		t.Errorf("the extractor's importer imported %d packages, want 3", imp.n)
	}
	cmd := exec.Command(goTool, "build", "./...")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build of the symbols: %v\n%s", err, out)
	}
}

// countingImporter counts the packages it imports.
type countingImporter struct {
	imp types.Importer
	n   int
}

func (c *countingImporter) Import(path string) (*types.Package, error) {
	c.n++
	return c.imp.Import(path)
}

// TestRecursiveGenericTypes: an instance of a generic type with several
// type parameters that refers to itself is built (only one with a single
// type parameter was: the other was generated again at each reference
// until the stack overflowed), and one that refers to itself through
// another generic type is refused with an error at its declaration
// instead of overflowing the stack.
func TestRecursiveGenericTypes(t *testing.T) {
	t.Parallel()
	runForkCases(t, []forkCase{{
		name: "self",
		src: `package main

import "fmt"

type Pair[K comparable, V any] struct {
	next *Pair[K, V]
	k    K
	v    V
}

func main() {
	p := &Pair[string, int]{k: "a", v: 1}
	p.next = &Pair[string, int]{k: "b", v: 2}
	fmt.Println(p.next.k, p.next.v, p.next.next == nil)
}
`,
		want: "b 2 true",
	}})
	i := interp.New(interp.Options{})
	if err := i.Use(stdlib.Symbols.Exports()); err != nil {
		t.Fatal(err)
	}
	_, err := i.Eval(`package main

type Entry[K comparable, V any] struct {
	next *Entry[K, V]
	list *List[K, V]
}

type List[K comparable, V any] struct {
	root Entry[K, V]
	len  int
}

func main() {
	var l List[string, int]
	println(l.len)
}
`)
	if err == nil || !strings.Contains(err.Error(), "refers to itself through another generic type") {
		t.Fatalf("mutually recursive generic types: %v, want an error", err)
	}
}
