// Package prog assigns tuples: values with calls and composite literals,
// to every kind of place, swaps, and calls that read what the assignment
// changes.
package prog

import "fmt"

type S struct {
	A, B int
	In   *S
}

type P struct{ X, Y int }

func id(i int) int { return i }

func mk(i int) S { return S{A: i} }

var g1, g2 = id(1), 2
var g3, g4 = mk(3), P{4, 4}

// Values assigns a variable and a call, composite literals and calls, in
// assignments, definitions and declarations.
//
//microfn:service
func Values(a int) []string {
	var x, y int
	x, y = a, id(2)
	var s S
	var p P
	s, p = mk(a), P{a, a}
	q, r := a, S{A: 7}
	var xs []int
	var n int
	n, xs = 9, []int{a}
	var e, f int = a, id(a + 1)
	var i any
	var err error
	i, err = id(a), fmt.Errorf("e%d", a)
	fn, k := func() int { return a }, id(3)
	return []string{fmt.Sprint(x, y, s.A, p, q, r.A, n, xs, e, f, i, err, fn(), k, g1, g2, g3.A, g4)}
}

// Places assigns a call and a value to fields, fields through pointers,
// array and slice elements, map entries and dereferenced pointers.
//
//microfn:service
func Places(a int) []string {
	var s S
	s.A, s.B = a, id(4)
	ps := &S{In: &S{}}
	ps.In.A, ps.B = id(8), a
	arr := [3]int{}
	arr[0], arr[2] = a, id(6)
	parr := &arr
	parr[1], parr[0] = id(1), parr[2]
	m := map[P]int{}
	m[P{1, 1}], m[P{2, 2}] = id(1), a
	m[P{1, 1}] += id(10)
	u, v := 0, 0
	pu := &u
	*pu, v = id(3), a
	i := 0
	zs := []int{0, 0, 0}
	i, zs[i] = 1, id(a)
	ss := []S{{}, {}}
	ss[0].A, ss[1].B = id(a), a+1
	var st struct{ F func() int }
	st.F, u = func() int { return a * 2 }, id(u+1)
	return []string{fmt.Sprint(s.A, s.B, ps.In.A, ps.B, arr, m, u, v, i, zs, ss[0].A, ss[1].B, st.F())}
}

var trace []string

func get(x []int, i int) int {
	trace = append(trace, fmt.Sprint("get", i, x))
	return x[i]
}

func (s *S) set(v int) int { s.A = v; return v }

// Calls assigns the results of calls that read the places the assignment
// sets: each call sees the values before the assignment.
//
//microfn:service
func Calls(a, b int) []string {
	trace = nil
	x := []int{a, b}
	x[1], x[0] = get(x, 0), get(x, 1)
	y := []int{a, b}
	y[0], y[1] = get(y, 1)+1, get(y, 0)+1
	ss := []S{{}, {}}
	ss[0].A, ss[1].B = ss[1].set(a), a+1
	return append(trace, fmt.Sprint(x, y, ss[0].A, ss[1].A, ss[1].B))
}

// Swaps exchanges variables, elements, fields and pointed-to values, with
// and without calls among the values.
//
//microfn:service
func Swaps(a, b int) []string {
	x, y := a, b
	x, y = y, x
	u, v := a, b
	u, v = v+id(0), u
	p := &u
	*p, v = v, *p
	xs := []int{a, b, a + b}
	xs[0], xs[2], xs[1] = xs[2], xs[1], id(xs[0])
	s := S{A: a, B: b}
	s.A, s.B = s.B, s.A
	m := map[string]int{"a": a, "b": b}
	m["a"], m["b"] = m["b"], id(m["a"])
	return []string{fmt.Sprint(x, y, u, v, xs, s.A, s.B, m)}
}

// MapOperands assigns a map entry and the map or the key it is indexed
// with: the entry is set in the old map at the old key.
//
//microfn:service
func MapOperands(a int) []string {
	k := "a"
	m := map[string]int{}
	k, m[k] = "b", id(a)
	m2 := map[string]int{}
	old := m
	m, m["z"] = m2, a
	var ki any = 1
	mi := map[any]int{}
	ki, mi[ki] = "s", id(a)
	return []string{fmt.Sprintln(k, old, m2, ki, mi)}
}

// NilMap assigns to an entry of a nil map in a tuple assignment: the
// assignment panics after the variable before it is set.
//
//microfn:service
func NilMap(a int) (n int, msg string) {
	var m map[string]int
	defer func() { msg = fmt.Sprint(recover()) }()
	n, m["a"] = a, id(a)
	return 0, ""
}

// Nil assigns nil among other values to variables, fields and map
// entries of pointer, slice, map, function and interface types.
//
//microfn:service
func Nil(a int) string {
	x := a
	p := &x
	xs := []int{a}
	m := map[string]int{"a": a}
	var e error = fmt.Errorf("e")
	var i any = a
	f := func() {}
	p, xs = nil, nil
	m, e = nil, nil
	i, f = nil, nil
	var s struct {
		P *int
		E error
	}
	s.P, s.E = nil, fmt.Errorf("e%d", a)
	me := map[string]error{}
	me["a"], me["b"] = nil, s.E
	return fmt.Sprint(p == nil, xs == nil, m == nil, e == nil, i == nil, f == nil, s.P == nil, s.E, me)
}
