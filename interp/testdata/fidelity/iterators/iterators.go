// Package prog ranges over functions: its own iterators, those of the
// standard library, pulled ones, with every kind of branch out of the loop.
package prog

import (
	"bytes"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// Count yields 0, 1, … n-1, and says how it ended.
func count(n int, log *[]string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := range n {
			if !yield(i) {
				*log = append(*log, fmt.Sprint("stopped at ", i))
				return
			}
		}
		*log = append(*log, "exhausted")
	}
}

// Filter keeps the values of seq keep keeps.
func Filter[V any](seq iter.Seq[V], keep func(V) bool) iter.Seq[V] {
	return func(yield func(V) bool) {
		for v := range seq {
			if keep(v) && !yield(v) {
				return
			}
		}
	}
}

// Map applies f to the values of seq.
func Map[V, W any](seq iter.Seq[V], f func(V) W) iter.Seq[W] {
	return func(yield func(W) bool) {
		for v := range seq {
			if !yield(f(v)) {
				return
			}
		}
	}
}

// Branches breaks, continues and returns out of loops over functions.
//
//microfn:service
func Branches(n int) []string {
	var log []string
	for x := range count(n, &log) {
		if x == 1 {
			continue
		}
		if x == 4 {
			break
		}
		log = append(log, fmt.Sprint("x ", x))
	}
outer:
	for i := range 3 {
		for x := range count(5, &log) {
			if x == 1 {
				continue outer
			}
			if i == 2 {
				break outer
			}
			log = append(log, fmt.Sprint("i x ", i, " ", x))
		}
	}
	return log
}

// First returns the first value over limit, from inside two loops.
//
//microfn:service
func First(xs []int, limit int) (v int, found bool, log []string) {
	defer func() { log = append(log, "deferred") }()
	for _, x := range slices.All(xs) {
		for y := range count(2, &log) {
			defer func() { log = append(log, fmt.Sprint("defer ", x, " ", y)) }()
			if x*(y+1) > limit {
				return x * (y + 1), true, log
			}
		}
	}
	return 0, false, log
}

// Pipeline filters, maps and collects.
//
//microfn:service
func Pipeline(xs []int) ([]string, []int, []int) {
	evens := Filter(slices.Values(xs), func(v int) bool { return v%2 == 0 })
	strs := slices.Collect(Map(evens, func(v int) string { return fmt.Sprintf("<%d>", v) }))
	var back []int
	for i, v := range slices.Backward(xs) {
		back = append(back, i*100+v)
	}
	return strs, back, slices.AppendSeq([]int{0}, slices.Values(xs))
}

// Text splits with the iterators of strings and bytes.
//
//microfn:service
func Text(s string) ([]string, []string, []string, []string, []string) {
	var bl []string
	for l := range bytes.Lines([]byte(s)) {
		bl = append(bl, string(l))
	}
	return slices.Collect(strings.Lines(s)), slices.Collect(strings.SplitSeq(s, "\n")),
		slices.Collect(strings.FieldsSeq(s)), slices.Collect(strings.FieldsFuncSeq(s, func(r rune) bool { return r == 'a' })), bl
}

// Pull zips two sequences.
//
//microfn:service
func Pull(xs []int, ys []string) []string {
	next, stop := iter.Pull(slices.Values(ys))
	defer stop()
	var out []string
	for _, x := range xs {
		y, ok := next()
		if !ok {
			out = append(out, fmt.Sprint(x, " alone"))
			continue
		}
		out = append(out, fmt.Sprint(x, " ", y))
	}
	return out
}

// Pull2 reads a map's entries in key order.
//
//microfn:service
func Pull2(m map[string]int) []string {
	keys := slices.Sorted(maps.Keys(m))
	next, stop := iter.Pull2(slices.All(keys))
	var out []string
	for {
		i, k, ok := next()
		if !ok {
			break
		}
		out = append(out, fmt.Sprint(i, k, m[k]))
	}
	stop()
	_, _, ok := next()
	return append(out, fmt.Sprint("after stop ", ok))
}

// Sorted sorts the values of a sequence in three ways.
//
//microfn:service
func Sorted(m map[string]int) ([]int, []string, []string) {
	byLen := func(a, b string) int { return len(a) - len(b) }
	return slices.Sorted(maps.Values(m)), slices.SortedFunc(maps.Keys(m), func(a, b string) int { return strings.Compare(b, a) }),
		slices.SortedStableFunc(slices.Values(slices.Sorted(maps.Keys(m))), byLen)
}

// Collect builds a map from a sequence of pairs.
//
//microfn:service
func Collect(xs []string) map[string]int {
	m := maps.Collect(func(yield func(string, int) bool) {
		for i, x := range xs {
			if !yield(x, i) {
				return
			}
		}
	})
	return m
}

// PanicInBody panics in the body of a loop over a function.
//
//microfn:service
func PanicInBody(n int) int {
	var log []string
	for x := range count(10, &log) {
		if x == n {
			panic(fmt.Sprintf("body panicked at %d", x))
		}
	}
	return len(log)
}

// Misuse calls yield after the loop's body returned false.
//
//microfn:service
func Misuse() int {
	n := 0
	for range func(yield func() bool) {
		yield()
		yield()
	} {
		n++
		break
	}
	return n
}

// Exhausted calls yield after the loop ended.
//
//microfn:service
func Exhausted() int {
	var saved func(int) bool
	for x := range func(yield func(int) bool) { saved = yield; yield(1) } {
		_ = x
	}
	saved(2)
	return 0
}

// Closures captures the loop variable of each iteration.
//
//microfn:service
func Closures() []int {
	var fs []func() int
	var log []string
	for x := range count(3, &log) {
		fs = append(fs, func() int { return x * 10 })
	}
	var out []int
	for _, f := range fs {
		out = append(out, f())
	}
	return out
}

// Assign ranges into variables declared outside the loop.
//
//microfn:service
func Assign() []string {
	var i int
	var s string
	var out []string
	for i, s = range slices.All([]string{"a", "b"}) {
		out = append(out, fmt.Sprint(i, s))
	}
	return append(out, fmt.Sprint("after ", i, s))
}
