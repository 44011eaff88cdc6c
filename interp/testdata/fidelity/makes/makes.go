// Package prog makes slices, channels and maps of sizes out of range.
package prog

import "fmt"

type Wide struct{ A, B, C, D int64 }

// Slice makes a slice of n elements of the kind named, with capacity c
// when c is not zero.
//
//microfn:service
func Slice(kind string, n, c int) string {
	var l int
	switch {
	case kind == "byte" && c == 0:
		l = len(make([]byte, n))
	case kind == "byte":
		l = cap(make([]byte, n, c))
	case kind == "wide" && c == 0:
		l = len(make([]Wide, n))
	case kind == "wide":
		l = cap(make([]Wide, n, c))
	case kind == "empty":
		l = len(make([]struct{}, n))
	case kind == "uint64":
		l = len(make([]int32, uint64(n)))
	}
	return fmt.Sprint(kind, " ", l)
}

// Const makes a slice of a constant size too large.
//
//microfn:service
func Const() int {
	return len(make([]byte, 1<<62))
}

// Chan makes a channel of buffer size n.
//
//microfn:service
func Chan(n int) int {
	return cap(make(chan Wide, n))
}

// Map makes a map with the size hint n, which Go lets be negative or
// large.
//
//microfn:service
func Map(n int) int {
	return len(make(map[string]int, n))
}
