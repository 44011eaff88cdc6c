// Package prog uses the other generic functions and types of the standard
// library: unique, sync.OnceValue(s), atomic.Pointer, errors.AsType,
// reflect.TypeFor and TypeAssert, rand.N, maphash.Comparable.
package prog

import (
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"unique"
)

// Point is comparable.
type Point struct{ X, Y int }

// Intern interns words and points, and compares their handles.
//
//microfn:service
func Intern(words []string) ([]bool, []string, bool) {
	hs := make([]unique.Handle[string], len(words))
	for i, w := range words {
		hs[i] = unique.Make(w)
	}
	var same []bool
	for i := 1; i < len(hs); i++ {
		same = append(same, hs[i] == hs[i-1])
	}
	var back []string
	for _, h := range hs {
		back = append(back, h.Value())
	}
	return same, back, unique.Make(Point{1, 2}) == unique.Make(Point{1, 2})
}

// Once calls a function once, whatever the number of calls.
//
//microfn:service
func Once(n int) (int, int, string, error) {
	calls := 0
	v := sync.OnceValue(func() int { calls++; return 42 })
	w := sync.OnceValues(func() (string, error) { calls++; return "w", errors.New("once") })
	total := 0
	for range n {
		total += v()
		w()
	}
	s, err := w()
	return calls, total, s, err
}

// OncePanics repeats the panic of its function.
//
//microfn:service
func OncePanics() (out []string) {
	v := sync.OnceValue(func() int { panic("first") })
	for range 2 {
		func() {
			defer func() { out = append(out, fmt.Sprint(recover())) }()
			v()
		}()
	}
	return out
}

// Pointer swaps atomic pointers.
//
//microfn:service
func Pointer(names []string) []string {
	var p atomic.Pointer[Point]
	out := []string{fmt.Sprint(p.Load() == nil)}
	a, b := &Point{1, 1}, &Point{2, 2}
	p.Store(a)
	old := p.Swap(b)
	out = append(out, fmt.Sprint(*old, *p.Load(), p.CompareAndSwap(a, b), p.CompareAndSwap(b, a), *p.Load()))
	var s atomic.Pointer[string]
	for i := range names {
		s.Store(&names[i])
	}
	return append(out, *s.Load())
}

// NotFound is an error type.
type NotFound struct{ Key string }

func (e *NotFound) Error() string { return "not found: " + e.Key }

// Code is another.
type Code int

func (c Code) Error() string { return fmt.Sprintf("code %d", int(c)) }

// AsType finds errors of a type in a tree of errors.
//
//microfn:service
func AsType(key string, code int) []string {
	err := fmt.Errorf("wrap: %w", errors.Join(&NotFound{key}, Code(code)))
	var out []string
	if nf, ok := errors.AsType[*NotFound](err); ok {
		out = append(out, "NotFound "+nf.Key)
	}
	if c, ok := errors.AsType[Code](err); ok {
		out = append(out, fmt.Sprint("Code ", int(c)))
	}
	_, ok := errors.AsType[*NotFound](errors.New("plain"))
	return append(out, fmt.Sprint(ok))
}

// Reflect names types and asserts reflected values.
//
//microfn:service
func Reflect(n int) []string {
	v, ok := reflect.TypeAssert[int](reflect.ValueOf(n))
	_, bad := reflect.TypeAssert[string](reflect.ValueOf(n))
	return []string{reflect.TypeFor[int]().String(), reflect.TypeFor[error]().String(), reflect.TypeFor[[]string]().String(), fmt.Sprint(v, ok, bad)}
}

// Random draws numbers in range.
//
//microfn:service
func Random(n int) (bool, bool) {
	x := rand.N(n)
	d := rand.N(int64(n) * 1000)
	return x >= 0 && x < n, d >= 0 && d < int64(n)*1000
}

// Hash hashes comparable values.
//
//microfn:service
func Hash(a, b string) (bool, bool, bool) {
	seed := maphash.MakeSeed()
	var h1, h2 maphash.Hash
	h1.SetSeed(seed)
	h2.SetSeed(seed)
	maphash.WriteComparable(&h1, Point{1, 2})
	maphash.WriteComparable(&h2, Point{1, 2})
	return maphash.Comparable(seed, a) == maphash.Comparable(seed, b), maphash.Comparable(seed, Point{1, 2}) == maphash.Comparable(seed, Point{1, 2}), h1.Sum64() == h2.Sum64()
}
