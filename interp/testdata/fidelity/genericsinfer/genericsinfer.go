// Package prog calls generic helpers of the shapes real code uses,
// leaving their type arguments to inference: from function-typed,
// variadic and multi-value arguments, untyped constants, named and
// generic types, and core types.
package prog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

func Filter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

func Reduce[T, A any](xs []T, init A, f func(A, T) A) A {
	acc := init
	for _, x := range xs {
		acc = f(acc, x)
	}
	return acc
}

func GroupBy[T any, K comparable](xs []T, key func(T) K) map[K][]T {
	m := map[K][]T{}
	for _, x := range xs {
		k := key(x)
		m[k] = append(m[k], x)
	}
	return m
}

func Keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func Uniq[T comparable](xs []T) []T {
	seen := map[T]bool{}
	var out []T
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

type Number interface {
	~int | ~int8 | ~int64 | ~float64
}

func Max[T Number](xs ...T) T {
	m := xs[0]
	for _, x := range xs[1:] {
		if x > m {
			m = x
		}
	}
	return m
}

func Sum[T Number](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

func Clamp[T int | float64 | Level](x, lo, hi T) T {
	return min(max(x, lo), hi)
}

func Pick[T any](a, b T) T { return b }

func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type Set[T comparable] map[T]struct{}

func NewSet[T comparable](xs ...T) Set[T] {
	s := Set[T]{}
	for _, x := range xs {
		s.Add(x)
	}
	return s
}

func (s Set[T]) Add(x T)      { s[x] = struct{}{} }
func (s Set[T]) Has(x T) bool { _, ok := s[x]; return ok }

func Members[T comparable](s Set[T]) []T { return Keys(s) }

type Pair[K comparable, V any] struct {
	Key K
	Val V
}

func Swap[K, V comparable](p Pair[K, V]) Pair[V, K] { return Pair[V, K]{p.Val, p.Key} }

type Stack[T any] struct{ items []T }

func (s *Stack[T]) Push(x T) { s.items = append(s.items, x) }

func Top[T any](s *Stack[T]) T { return s.items[len(s.items)-1] }

func SortSlice[S ~[]E, E interface{ ~int | ~string }](s S) S {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s
}

func MapKeys[M ~map[K]V, K comparable, V any](m M) []K { return Keys(m) }

type Slice[T any] interface{ ~[]T }

func Last[S Slice[E], E any](s S) E { return s[len(s)-1] }

func Insert[S ~[]E, E any](s S, i int, v ...E) S {
	out := append(S{}, s[:i]...)
	out = append(out, v...)
	return append(out, s[i:]...)
}

func Convert[To, From any](x From, f func(From) To) To { return f(x) }

func Triple[A, B, C any](a A, b B, c C) string { return fmt.Sprintf("%T %T %T", a, b, c) }

type counter struct{ n int }

func (c *counter) Add(x int) int { c.n += x; return c.n }

type Status string

type Order struct {
	ID     int
	Status Status
}

type Level int

type IDs []int

type Scores map[string]int

type Names []string

// GroupOrders groups orders by a named string type.
//
//microfn:service
func GroupOrders() map[Status][]Order {
	all := []Order{{1, "new"}, {2, "paid"}, {3, "new"}}
	return GroupBy(all, func(o Order) Status { return o.Status })
}

// Pipeline maps, filters and reduces with function literals, a binary
// function and a method value.
//
//microfn:service
func Pipeline(n int) []string {
	var xs []int
	for i := 1; i <= n; i++ {
		xs = append(xs, i)
	}
	even := Filter(xs, func(i int) bool { return i%2 == 0 })
	c := &counter{}
	sums := Map(even, c.Add)
	return []string{
		strings.Join(Map(xs, strconv.Itoa), ","),
		fmt.Sprint(Map(xs, func(i int) float64 { return float64(i) / 2 })),
		Reduce(xs, "", func(a string, i int) string { return a + strconv.Itoa(i) }),
		fmt.Sprint(Reduce(xs, 0.5, func(a float64, i int) float64 { return a + float64(i) })),
		fmt.Sprint(sums, c.n),
		fmt.Sprint(Keys(GroupBy(xs, func(i int) bool { return i > 2 }))),
	}
}

// Sets uses a generic set type and its methods.
//
//microfn:service
func Sets(words []string) []string {
	s := NewSet(words...)
	ints := NewSet(3, 1, 3)
	return []string{
		fmt.Sprint(Members(s), s.Has("a"), len(s)),
		fmt.Sprint(Members(ints), Uniq(words), Uniq([]Level{2, 1, 2})),
		fmt.Sprint(Members(Set[Status]{"x": {}})),
	}
}

// Constraints infers from untyped constants and named types under
// constraints with ~ and unions.
//
//microfn:service
func Constraints() []string {
	var l Level = 4
	return []string{
		fmt.Sprint(Max(2, l), Max(1, 2.5), Max[int8](100, 27), Max([]int{4, 9, 2}...)),
		fmt.Sprint(Sum([]Level{1, 2}), Sum([]float64{0.5, 0.25})),
		fmt.Sprint(Clamp(5, 0, 3), Clamp(1.5, 2, 3), Clamp(Level(9), 0, 4)),
		fmt.Sprintf("%T %T %T %T %T", Pick(1, 'a'), Pick(1.0, 2), Pick('a', 2.5), Pick(1, 2i), Pick("a", "b")),
		fmt.Sprintf("%T %v", Max(3, 4), Pick(int8(1), 2)),
	}
}

// CoreTypes infers element types from the core types of constraints.
//
//microfn:service
func CoreTypes() []string {
	return []string{
		fmt.Sprint(SortSlice(IDs{3, 1, 2}), SortSlice([]string{"b", "a"})),
		fmt.Sprint(MapKeys(Scores{"b": 1, "a": 2}), Last(IDs{4, 5}), Last(Names{"x"})),
		fmt.Sprint(Insert(Names{"a", "d"}, 1, "b", "c"), Insert([]int{1}, 0)),
	}
}

// Generic types pass their type arguments to inference.
//
//microfn:service
func GenericTypes() []string {
	p := Pair[string, int]{"x", 1}
	st := &Stack[float64]{}
	st.Push(1.5)
	return []string{
		fmt.Sprint(Swap(p), Swap(Swap(p))),
		fmt.Sprint(Top(st)),
	}
}

// Explicit gives some or all type arguments.
//
//microfn:service
func Explicit() []string {
	f := Map[int, string]
	return []string{
		Triple[int8, float32](1, 2, "c"),
		Triple[int8](1, 2, 3.5),
		fmt.Sprint(f([]int{5}, strconv.Itoa)),
		Convert[string](3, strconv.Itoa),
		Convert("q", strconv.Quote),
	}
}

func Identity[T any](x T) T { return x }

func Apply[T any](x T, f func(T) T) T { return f(x) }

// Values passes generic functions as values: their type arguments come
// from the type they are used as.
//
//microfn:service
func Values() []string {
	ys := Map([]int{1, 2}, Identity)
	var f func(string) string = Identity
	return append(Map(ys, strconv.Itoa), f("x"), Apply("y", Identity), fmt.Sprint(Apply(2.5, Identity[float64])))
}

// Atoi infers from the results of a call.
//
//microfn:service
func Atoi(s string) int {
	return Must(strconv.Atoi(s)) + 1
}
