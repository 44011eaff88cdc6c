//go:build go1.26

// Package prog allocates variables with new: of a type, and, since Go
// 1.26, initialized to the value of an expression.
package prog

import (
	"fmt"
	"strings"
)

type S struct{ A, B int }

func (s S) M() int { return s.A + s.B }

type I interface{ M() int }

func twice(x int) int { return 2 * x }

var global = new(S{A: 5})

// Values allocates variables initialized to variables, calls, composite
// literals, operations, pointers and fields; each is a new variable.
//
//microfn:service
func Values(x int) []string {
	p := new(x)
	q := new(x)
	*q = x + 1
	s := new(S{A: x, B: 2})
	sl := new([]int{x, x})
	m := new(map[string]int{"x": x})
	pp := new(p)
	f := new(s.A)
	*f = -1
	arr := [2]int{x, x}
	pa := new(arr)
	arr[0] = 0
	fn := new(func() int { return x * 3 })
	c := make(chan int, 1)
	c <- x
	return []string{fmt.Sprint(*p, *q, *s, *sl, *m, **pp == *p, *f, *pa, (*fn)(), *new(twice(x)), *new(x + 1), *new(<-c), *global, p == q)}
}

// Constants allocates variables initialized to constants: an untyped
// one is of its default type.
//
//microfn:service
func Constants(x int) []string {
	const k = 1 << 10
	const fk float32 = 1.5
	return []string{
		fmt.Sprint(*new(5), *new(2.5), *new("s"), *new('r'), *new(true), *new(1 < x), *new(k), *new(fk), *new(len("abc"))),
		fmt.Sprintf("%T %T %T %T %T %T %T %T", new(5), new(2.5), new("s"), new('r'), new(1 < x), new(k), new(fk), new(1.0+2i)),
	}
}

// Types allocates zero variables of types, as before Go 1.26.
//
//microfn:service
func Types() string {
	return fmt.Sprint(*new(int), *new(S), *new([]int) == nil, *new(string) == "", *new(*int) == nil)
}

// Interfaces allocates variables of interface types, from interface
// values and into interface variables.
//
//microfn:service
func Interfaces(x int) string {
	var i I = S{A: x}
	pi := new(i)
	i = S{}
	var e error = fmt.Errorf("e%d", x)
	pe := new(e)
	e = nil
	var a any = new(x)
	var j I = *new(S{B: x})
	return fmt.Sprint((*pi).M(), i.M(), *pe, e, *a.(*int), j.M())
}

func alloc[T any](v T) *T { return new(v) }

func zero[T any]() *T { return new(T) }

// Generic allocates variables in generic functions, of a type parameter
// and initialized to a value of one.
//
//microfn:service
func Generic(x int) string {
	return fmt.Sprint(*alloc(x), *alloc(strings.Repeat("a", x)), *alloc(S{A: x}), *zero[int](), *zero[S]())
}
