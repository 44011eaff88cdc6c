// Package prog panics at run time in every way Go does, recovered by the
// service itself and left to the caller.
package prog

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
)

type T struct{ X int }

type E struct{ X int }

type S struct{ *E }

type I interface{ M() }

type Code int

func (c Code) Error() string { return fmt.Sprint("code ", int(c)) }

// op panics in the way kind names, with n as its operand.
func op(kind string, n int) {
	s := []int{1, 2, 3}
	a := [3]int{}
	pa := &a
	str := "abc"
	var m map[string]int
	var p *T
	var ip *int
	var f func()
	var e error
	var x any = "s"
	c := make(chan int)
	close(c)
	switch kind {
	case "index":
		_ = s[n]
	case "index-array":
		_ = a[n]
	case "index-array-pointer":
		_ = pa[n]
	case "index-string":
		_ = str[n]
	case "index-empty":
		var e []int
		_ = e[n]
	case "index-set":
		s[n] = 1
	case "index-map-slice":
		ms := map[string][]int{}
		_ = ms["x"][n]
	case "slice-high":
		_ = s[1:n]
	case "slice-low":
		_ = s[n:]
	case "slice-low-high":
		lo := 2
		_ = s[lo:n]
	case "slice-max":
		_ = s[0:1:n]
	case "slice-array":
		_ = a[1:n]
	case "slice-string":
		_ = str[1:n]
	case "convert-array":
		_ = [4]int(s[:n])
	case "nil-map":
		m["a"] = n
	case "nil-field":
		_ = p.X
	case "nil-field-set":
		p.X = n
	case "nil-deref":
		_ = *ip
	case "nil-deref-set":
		*ip = n
	case "nil-embedded":
		var v S
		_ = v.X
	case "nil-func":
		f()
	case "divide":
		_ = 10 / n
	case "modulo":
		_ = 10 % n
	case "shift":
		_ = 1 << n
	case "assert":
		_ = x.(int)
	case "assert-nil":
		_ = e.(interface{ Foo() })
	case "assert-interface":
		_ = x.(fmt.Stringer)
	case "assert-package-interface":
		var y any = n
		_ = y.(I)
	case "assert-error":
		var err error = Code(n)
		_ = err.(interface{ Unwrap() error })
	case "makeslice":
		_ = make([]int, n)
	case "makeslice-cap":
		_ = make([]int, 5, n)
	case "makechan":
		_ = make(chan int, n)
	case "send-closed":
		c <- n
	case "close-closed":
		close(c)
	case "close-nil":
		var nc chan int
		close(nc)
	case "uncomparable":
		var a, b any = s, s
		_ = a == b
	case "custom-string":
		panic(fmt.Sprintf("custom %d", n))
	case "custom-error":
		panic(errors.New("custom error"))
	case "custom-code":
		panic(Code(n))
	}
}

// Kinds lists the panics op knows.
var Kinds = []string{
	"index", "index-array", "index-array-pointer", "index-string", "index-empty", "index-set", "index-map-slice",
	"slice-high", "slice-low", "slice-low-high", "slice-max", "slice-array", "slice-string", "convert-array",
	"nil-map", "nil-field", "nil-field-set", "nil-deref", "nil-deref-set", "nil-embedded", "nil-func",
	"divide", "modulo", "shift", "assert", "assert-nil", "assert-interface", "assert-package-interface", "assert-error",
	"makeslice", "makeslice-cap", "makechan", "send-closed", "close-closed", "close-nil", "uncomparable",
	"custom-string", "custom-error", "custom-code",
}

// Recovered recovers every kind of panic and reports what it got.
//
//microfn:service
func Recovered(n int) []string {
	var out []string
	for _, kind := range Kinds {
		out = append(out, kind+": "+recovered(kind, n))
	}
	return out
}

func recovered(kind string, n int) (s string) {
	defer func() {
		r := recover()
		if r == nil {
			s = "no panic"
			return
		}
		var parts []string
		if e, ok := r.(runtime.Error); ok {
			parts = append(parts, "runtime.Error", e.Error())
		} else if e, ok := r.(error); ok {
			parts = append(parts, "error", e.Error())
		} else {
			parts = append(parts, fmt.Sprintf("%v", r))
		}
		switch r.(type) {
		case runtime.Error:
			parts = append(parts, "switch runtime.Error")
		case error:
			parts = append(parts, "switch error")
		case string:
			parts = append(parts, "switch string")
		}
		s = strings.Join(parts, " | ")
	}()
	op(kind, n)
	return ""
}

// Panic panics with kind and operand n, unrecovered: the caller sees the
// panic.
//
//microfn:service
func Panic(kind string, n int) string {
	op(kind, n)
	return "no panic"
}

// Errors wraps a recovered runtime error and looks into it.
//
//microfn:service
func Errors(n int) []string {
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("recovered: %w", r.(error))
			}
		}()
		op("index", n)
	}()
	var re runtime.Error
	return []string{fmt.Sprint(err), fmt.Sprint(errors.As(err, &re))}
}
