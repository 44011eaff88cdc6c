package interp_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"

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

// TestGenericInference: the type arguments of a call of a generic function
// are inferred as Go infers them. yaegi took the types it met in the
// parameters' types, in order, for the type parameters, in order, so
// GroupBy(orders, func(o Order) Status {…}) failed ("cannot use type
// func(Order) Status as type func(Order) Order"), and it knew neither
// untyped constants' default types, nor generic types, core types, or
// type arguments given in part.
func TestGenericInference(t *testing.T) {
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
// constants were folded (change 19).
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
