// Package prog returns builtin calls, operations and calls among other
// results, and results that read named results.
package prog

import (
	"fmt"
	"strconv"
)

// Pair returns len as its second result.
//
//microfn:service
func Pair(s string) (string, int) { return s, len(s) }

// Builtins returns cap and len of a slice and a map after other results.
//
//microfn:service
func Builtins(n int) (string, int, int, int) {
	xs := make([]int, n, 2*n+1)
	m := map[int]bool{}
	for i := 0; i < n; i++ {
		m[i] = true
	}
	return "xs", cap(xs), len(m), len(xs)
}

// Mixed returns len between two results of other types.
//
//microfn:service
func Mixed(s string) (string, int, bool) {
	x, y := "x", len(s) > 2
	return x, len(s), y
}

func one() int { return 1 }

func swap(a, b int) (x, y int) {
	x, y = a, b
	return y, x
}

func named(s string) (a, b int, err error) {
	a, b = 7, 8
	if s == "" {
		return b + 1, a, fmt.Errorf("empty")
	}
	return len(s), a, nil
}

func negate(a, b int) (x, y int) {
	x, y = a, b
	return -y, -x
}

func called(n int) (a, b int) {
	a = n
	return one(), a
}

func parsed(s string) (n int, err error) {
	n = 5
	return n + 1, fmt.Errorf("parsed %s", strconv.Quote(s))
}

// Named returns named results in another order, and operations, builtin
// calls and calls before a named result they read.
//
//microfn:service
func Named(s string) []string {
	a, b := swap(1, 2)
	c, d, err := named(s)
	e, f := negate(3, 4)
	g, h := called(9)
	i, err2 := parsed(s)
	return []string{fmt.Sprint(a, b), fmt.Sprint(c, d, err), fmt.Sprint(e, f), fmt.Sprint(g, h), fmt.Sprint(i, err2)}
}
