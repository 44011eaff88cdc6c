// Package prog computes with constants in expressions: comparisons and
// logical operators of constants, untyped constants of the standard
// library with untyped constants of the source, and constants too large
// for an int.
package prog

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

type Mode string

type On bool

// Bounds classifies n against bounds spelled with the standard library's
// untyped floating-point constants (go-humanize's FormatFloat).
//
//microfn:service
func Bounds(n float64) []string {
	var out []string
	if n > math.MaxFloat64 {
		out = append(out, "Infinity")
	}
	if n < (0.0 - math.MaxFloat64) {
		out = append(out, "-Infinity")
	}
	if n > 0.5*math.SmallestNonzeroFloat64 && n < 2*math.Pi {
		out = append(out, "small")
	}
	return append(out, fmt.Sprint(n*math.Pi > math.E+1, 1.5*math.MaxInt8, math.MaxUint32*2.0, 2i*math.Pi))
}

// Exact compares constants exactly, beyond the range of int.
//
//microfn:service
func Exact(x int) []bool {
	const local = 10 > 3
	b := x > 2
	return []bool{
		1<<100 > 1<<99,
		1<<64-1 > 1<<63,
		-1<<70 < 0,
		1<<math.MaxInt8 > 0,
		math.MaxInt64 > math.MaxInt32,
		math.MaxFloat64 > math.MaxInt64,
		'a' == 97 && 1.0 == 1,
		"b" > "a" != false,
		local,
		b == local,
		x > 2 == (3 > 1),
		x > 2 && 1 < 2,
		!(2 > 1) || x == 0,
	}
}

// Typed gives comparisons of constants a type from their context.
//
//microfn:service
func Typed(mode string) []string {
	var on On = 1 < 2
	dev := Mode(mode) == "dev"
	var d time.Duration = 2.0 * time.Second
	long := 10*time.Second > time.Minute
	return []string{
		fmt.Sprint(on, dev, d, long, 1.5*float64(time.Second)),
		fmt.Sprintf("%T %T %T", 1.0+math.MaxInt8, math.MaxInt8*1i, math.Pi),
		fmt.Sprint(utf8.RuneError == 0xFFFD, utf8.UTFMax*2),
	}
}
