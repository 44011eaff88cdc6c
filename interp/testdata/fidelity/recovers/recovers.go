// Package prog recovers panics in every way recover may be called: in a
// deferred function, in a function it calls, deferred itself, after a
// deferred call panics, and defers panic.
package prog

import "fmt"

// Later defers, in function literals, calls of a function and methods
// declared further down.
//
//microfn:service
func Later(n int) []string {
	var log []string
	func() {
		defer later(&log, n)
		r := counter{n}
		defer r.value(&log)
		defer (&r).pointer(&log)
		log = append(log, "body")
	}()
	add := func() {
		defer later(&log, n+1)
	}
	add()
	return log
}

// try calls f and returns the value it panicked with, or "returned".
func try(f func()) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprint("panic ", r)
		}
	}()
	f()
	return "returned"
}

func helper() any { return recover() }

type rec struct{ log *[]string }

func (r rec) m() { *r.log = append(*r.log, fmt.Sprint("method ", recover())) }

// Direct calls recover in deferred functions, and in functions a
// deferred function calls, which recover nothing.
//
//microfn:service
func Direct(n int) []string {
	var log []string
	add := func(s ...any) { log = append(log, fmt.Sprint(s...)) }
	add(try(func() {
		defer func() { add("literal ", recover()) }()
		panic(n)
	}))
	add(try(func() {
		defer func() { add("helper ", helper()) }()
		panic(n + 1)
	}))
	add(try(func() {
		defer func() { func() { add("nested ", recover()) }() }()
		panic(n + 2)
	}))
	add(try(func() {
		defer helper()
		panic(n + 3)
	}))
	add(try(func() {
		defer rec{&log}.m()
		panic(n + 4)
	}))
	add(try(func() {
		defer func() { add("first ", recover()); add("second ", recover()) }()
		panic(n + 5)
	}))
	add(try(func() {
		defer func() { add("none ", recover()) }()
	}))
	return log
}

// Deferred defers recover itself: in the panicking function, in a
// deferred function, in a deferred function that panics, and after a
// deferred call that recovered.
//
//microfn:service
func Deferred(n int) []string {
	var log []string
	add := func(s ...any) { log = append(log, fmt.Sprint(s...)) }
	add(try(func() {
		defer recover()
		panic(n)
	}))
	add(try(func() {
		defer func() { defer recover() }()
		panic(n + 1)
	}))
	add(try(func() {
		defer func() {
			defer recover()
			panic(n + 2)
		}()
		panic(n + 3)
	}))
	add(try(func() {
		defer func() {
			defer recover()
			defer func() { add("inner ", recover()) }()
			panic(n + 4)
		}()
		panic(n + 5)
	}))
	add(try(func() {
		defer func() {
			defer func() { add("inner ", recover()) }()
			defer recover()
			panic(n + 6)
		}()
		panic(n + 7)
	}))
	add(try(func() {
		defer func() { func() { defer recover() }() }()
		panic(n + 8)
	}))
	add(try(func() {
		defer func() {
			defer recover()
			add("direct ", recover())
		}()
		panic(n + 9)
	}))
	return log
}

func mayPanic(b bool) {
	if b {
		panic("deferred")
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

// Repanic panics in deferred calls, during a panic and on a normal
// return: the later deferred calls run and recover the new panic.
//
//microfn:service
func Repanic(n int) []string {
	var log []string
	add := func(s ...any) { log = append(log, fmt.Sprint(s...)) }
	add(protect(n > 0), protect(n <= 0))
	add(try(func() {
		defer func() { add("third ", recover()) }()
		defer func() { add("second ", recover()); panic(n + 2) }()
		defer func() { panic(n + 1) }()
		panic(n)
	}))
	add(try(func() {
		defer func() { panic(n + 1) }()
		panic(n)
	}))
	add(try(func() {
		defer add("deferred add runs")
		defer func() { panic(n) }()
	}))
	add(try(func() {
		defer func() { add("r1 ", recover()) }()
		defer func() {
			defer func() { add("r2 ", recover()) }()
			panic(n + 1)
		}()
		panic(n)
	}))
	return log
}

// DeferPanic defers panic: its argument is evaluated at the defer
// statement, the panic happens when the deferred calls run.
//
//microfn:service
func DeferPanic(n int) []string {
	var log []string
	add := func(s ...any) { log = append(log, fmt.Sprint(s...)) }
	add(try(func() {
		x := n
		defer func() { add("recovered ", recover()) }()
		defer panic(x)
		x++
		add("body ", x)
	}))
	add(try(func() {
		defer panic(fmt.Errorf("e%d", n))
	}))
	return log
}

// Unrecovered returns nothing: the panic of its deferred call is not
// recovered.
//
//microfn:service
func Unrecovered(n int) string {
	defer func() {
		if n > 0 {
			panic(fmt.Sprint("deferred ", n))
		}
	}()
	if n > 1 {
		panic("body")
	}
	return "returned"
}

func later(log *[]string, n int) { *log = append(*log, fmt.Sprint("later ", n)) }

type counter struct{ n int }

func (c counter) value(log *[]string) { *log = append(*log, fmt.Sprint("value ", c.n)) }

func (c *counter) pointer(log *[]string) { *log = append(*log, fmt.Sprint("pointer ", c.n)) }
