package interp_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
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
			if err := i.Use(stdlib.Symbols); err != nil {
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
			if err := i.Use(stdlib.Symbols); err != nil {
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
