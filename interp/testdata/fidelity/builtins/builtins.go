// Package prog uses min, max, clear and variadic generic functions.
package prog

import (
	"fmt"
	"math"
	"strings"
	"time"
)

type Celsius float64

type Rank int

func sum(xs ...int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

func join(sep string, parts ...string) string { return strings.Join(parts, sep) }

func apply(f func(...int) int, xs ...int) int { return f(xs...) }

func first[T any](xs ...T) T { return xs[0] }

func pick[K comparable, V any](k K, vs ...V) V { return vs[len(vs)-1] }

func count[T comparable](x T, xs ...T) int {
	n := 0
	for _, y := range xs {
		if y == x {
			n++
		}
	}
	return n
}

// MinMax computes min and max of every ordered kind.
//
//microfn:service
func MinMax(a, b int, x, y float64) []string {
	d := time.Duration(a) * time.Second
	c := Celsius(x)
	r := Rank(b)
	nan, negZero := math.NaN(), math.Copysign(0, -1)
	return []string{
		fmt.Sprint(min(a, b), max(a, b, 10), min(a), max(-a, b, 3)),
		fmt.Sprint(min(x, y), max(x, y), min(x, 2), max(1, y)),
		fmt.Sprint(min(d, time.Minute), max(d, time.Minute, 2*time.Second)),
		fmt.Sprint(min(c, 2), max(c, Celsius(y)), min(r, 1), max(r, Rank(a))),
		fmt.Sprint(min("b", "a", "c"), max("b", fmt.Sprint(a)), min(len("xyz"), a)),
		fmt.Sprint(min(x, nan), max(nan, x), min(nan, y, x), max(x, y, nan)),
		fmt.Sprint(math.Signbit(min(0, negZero)), math.Signbit(min(negZero, 0)), math.Signbit(max(negZero, 0)), math.Signbit(max(0, negZero))),
		fmt.Sprint(min(uint8(a), 200), max(int64(b), -5), min(float32(x), float32(y))),
	}
}

// Variadic calls variadic and generic variadic functions every way.
//
//microfn:service
func Variadic(a, b int) []string {
	xs := []int{a, b, 3}
	s := []string{"x", "y"}
	return []string{
		fmt.Sprint(sum(), sum(a), sum(a, b), sum(xs...), sum(xs[1:]...)),
		fmt.Sprint(join("-", s...), join("+", "p", "q"), join(","), apply(sum, 1, 2), apply(sum, xs...)),
		fmt.Sprint(first(1, 2), first(xs...), first("s"), first(Celsius(1.5), 2)),
		fmt.Sprint(pick(1, "a", "b"), pick("k", xs...), count(a, xs...), count("x", s...), count(Rank(1), 1, 2, 1)),
	}
}

// Clear clears maps and slices.
//
//microfn:service
func Clear(n int) []string {
	m := map[string]int{"a": 1, "b": n}
	xs := []int{n, n, n}
	clear(m)
	clear(xs[1:])
	return []string{fmt.Sprint(len(m), xs)}
}
