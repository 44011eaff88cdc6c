// Package prog shifts untyped constants by non-constant counts, which take
// the type of their context.
package prog

import "fmt"

// F compares a uint with 1<<n.
//
//microfn:service
func F(n uint) bool { var i uint; return i < 1<<n }

func use8(x uint8) uint8    { return x }
func use64(x uint64) uint64 { return x }

// Contexts shifts 1 by n in comparisons, declarations, assignments,
// arguments and conversions of several sizes.
//
//microfn:service
func Contexts(n uint) []string {
	var u uint8
	x := uint64(1) << n
	var y uint64 = 1 << n
	var z uint8
	z = 1 << n
	var w uint32 = 1<<n - 1
	return []string{
		fmt.Sprint(u < 1<<n, u == 1<<n, u < 1<<n+1),
		fmt.Sprint(x, y, x == y, z, w),
		fmt.Sprint(use8(1<<n), use64(1<<n), uint16(1<<n), int8(1<<n-1)),
		fmt.Sprint(1<<n, -(1 << n), u|1<<(n-1)),
	}
}
