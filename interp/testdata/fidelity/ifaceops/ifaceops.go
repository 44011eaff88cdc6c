// Package prog assigns and returns the values of operations as
// interfaces.
package prog

import (
	"errors"
	"fmt"
)

type N int

func (n N) String() string { return fmt.Sprint("N", int(n)) }

type E int

func (e E) Error() string { return fmt.Sprint("E", int(e)) }

type S struct {
	V any
	S fmt.Stringer
}

func compare(x, y int) any              { return x != y }
func sum(x, y int) any                  { return x + y }
func negate(x int) any                  { return -x }
func not(b bool) any                    { return !b }
func next(n N) fmt.Stringer             { return n + 1 }
func minus(n N) fmt.Stringer            { return -n }
func double(e E) error                  { return e * 2 }
func pair(x, y int) (any, error)        { return x * y, -E(x) }
func named(x, y int) (r any, lt any)    { r, lt = x-y, x < y; return }
func concat(s string) any               { return s + "!" }
func shifted(x int, n uint) any         { return x << n }
func greater(a, b float64) (bool, any)  { return a > b, a >= b }
func describe(v any) string             { return fmt.Sprintf("%v:%T", v, v) }
func stringer(s fmt.Stringer) string    { return s.String() }
func unwrap(err error) (string, bool)   { return err.Error(), errors.Is(err, E(6)) }
func negated(e E) (error, fmt.Stringer) { return -e, -N(e) }

// Assign assigns operations on values asserted from interfaces back to
// them, and operations to interface fields, map entries and elements.
//
//microfn:service
func Assign(x, y int, flag bool) []string {
	var a any = flag
	a = !a.(bool)
	var b any = x
	b = -b.(int)
	b = b.(int) + 1
	c := b
	b = b.(int) < y
	var f any = 1.5
	f = f.(float64) / 2
	var s any = "a"
	s = s.(string) + "b"
	s = s.(string) < "b"
	var st S
	st.V = x * y
	st.S = N(x) * 3
	p := &st
	p.V = !(x < y)
	m := map[string]any{}
	m["k"] = x == y
	m["n"] = x % 3
	arr := []any{nil, nil}
	arr[0] = ^x
	arr[1] = x > y
	var err error
	err = E(x) + 1
	func() {
		a = x * y
	}()
	return []string{
		describe(a), describe(c), describe(b), describe(f), describe(s),
		describe(st.V), stringer(st.S), fmt.Sprint(m), fmt.Sprint(arr), fmt.Sprint(unwrap(err)),
	}
}

// Return returns operations as interfaces, alone and with other results.
//
//microfn:service
func Return(x, y int, flag bool) []string {
	r, lt := named(x, y)
	g1, g2 := greater(float64(x), float64(y))
	e1, e2 := negated(E(x))
	p1, p2 := pair(x, y)
	return []string{
		describe(compare(x, y)), describe(sum(x, y)), describe(negate(x)), describe(not(flag)),
		stringer(next(N(x))), stringer(minus(N(y))), double(E(x)).Error(),
		describe(p1), p2.Error(), describe(r), describe(lt), describe(concat("s")),
		describe(shifted(x, 2)), fmt.Sprint(g1), describe(g2), e1.Error(), e2.String(),
	}
}
