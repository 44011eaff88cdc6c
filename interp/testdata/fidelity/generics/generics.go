// Package prog uses the generic functions of slices, maps and cmp.
package prog

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Person is sorted by age, then name.
type Person struct {
	Name string `json:"name"`
	Age  int    `json:"age"`
}

// Ages is a named slice type.
type Ages []int

// SortInts sorts a copy of xs, and reports whether xs was sorted.
//
//microfn:service
func SortInts(xs []int) ([]int, bool) {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s, slices.IsSorted(xs)
}

// SortPeople sorts by age, stably, then by age and name.
//
//microfn:service
func SortPeople(ps []Person) ([]Person, []Person) {
	stable := slices.Clone(ps)
	slices.SortStableFunc(stable, func(a, b Person) int { return cmp.Compare(a.Age, b.Age) })
	full := slices.Clone(ps)
	slices.SortFunc(full, func(a, b Person) int {
		return cmp.Or(cmp.Compare(a.Age, b.Age), strings.Compare(a.Name, b.Name))
	})
	return stable, full
}

// SortUnstable sorts n values with many equal keys by key only: the order
// of equal keys is the algorithm's own.
//
//microfn:service
func SortUnstable(n int) []string {
	var items []string
	for i := range n {
		items = append(items, fmt.Sprintf("%d-%d", (i*7)%5, i))
	}
	slices.SortFunc(items, func(a, b string) int { return cmp.Compare(a[0], b[0]) })
	return items
}

// Search finds v in sorted xs.
//
//microfn:service
func Search(xs Ages, v int) (int, bool, int, bool) {
	i, found := slices.BinarySearch(xs, v)
	j, found2 := slices.BinarySearchFunc(xs, v, func(e, t int) int { return cmp.Compare(e, t) })
	return i, found, j, found2
}

// Keys returns the sorted keys and values of m.
//
//microfn:service
func Keys(m map[string]int) ([]string, []int) {
	return slices.Sorted(maps.Keys(m)), slices.Sorted(maps.Values(m))
}

// Edit inserts, deletes, replaces, compacts, concatenates, reverses and
// repeats.
//
//microfn:service
func Edit(xs []int) [][]int {
	out := [][]int{}
	s := slices.Insert(slices.Clone(xs), 1, 100, 200)
	out = append(out, s)
	s = slices.Delete(s, 0, 2)
	out = append(out, s)
	s = slices.Replace(s, 0, 1, 7, 7, 7)
	out = append(out, s)
	out = append(out, slices.Compact(slices.Clone(s)))
	out = append(out, slices.Concat(xs, []int{-1}, xs))
	r := slices.Clone(xs)
	slices.Reverse(r)
	out = append(out, r)
	out = append(out, slices.Repeat(xs, 2))
	out = append(out, slices.DeleteFunc(slices.Clone(xs), func(v int) bool { return v%2 == 0 }))
	return out
}

// Overlap inserts a slice into itself, which slices.Insert copies first.
//
//microfn:service
func Overlap(xs []int) []int {
	s := make([]int, len(xs), len(xs)+10)
	copy(s, xs)
	return slices.Insert(s, 1, s[1:]...)
}

// InsertOutOfRange panics as Go does.
//
//microfn:service
func InsertOutOfRange(xs []int, i int) []int { return slices.Insert(xs, i, 1) }

// Find looks for v in every way.
//
//microfn:service
func Find(xs []string, v string) (int, bool, int, bool, bool) {
	return slices.Index(xs, v), slices.Contains(xs, v),
		slices.IndexFunc(xs, func(s string) bool { return strings.HasPrefix(s, v) }),
		slices.ContainsFunc(xs, func(s string) bool { return strings.HasSuffix(s, v) }),
		slices.Equal(xs, []string{v})
}

// MinMax returns the extremes of xs; an empty xs panics.
//
//microfn:service
func MinMax(xs []float64) (float64, float64, Person) {
	ps := []Person{{"a", 3}, {"b", 1}, {"c", 1}}
	return slices.Min(xs), slices.Max(xs), slices.MinFunc(ps, func(a, b Person) int { return cmp.Compare(a.Age, b.Age) })
}

// Chunks splits xs into chunks of n; n < 1 panics.
//
//microfn:service
func Chunks(xs []int, n int) [][]int { return slices.Collect(slices.Chunk(xs, n)) }

// MapOps clones, filters, compares and inserts.
//
//microfn:service
func MapOps(m map[string]int) (map[string]int, bool, bool, map[string]int) {
	c := maps.Clone(m)
	maps.DeleteFunc(c, func(k string, v int) bool { return v > 1 })
	eq := maps.Equal(m, maps.Clone(m))
	eqf := maps.EqualFunc(m, c, func(a, b int) bool { return a == b })
	ins := map[string]int{"z": 26}
	maps.Insert(ins, maps.All(c))
	maps.Copy(ins, map[string]int{"y": 25})
	return c, eq, eqf, ins
}

// Compare compares in every way.
//
//microfn:service
func Compare(a, b []string) (int, bool, int, string) {
	return slices.Compare(a, b), cmp.Less(len(a), len(b)),
		slices.CompareFunc(a, b, func(x, y string) int { return cmp.Compare(len(x), len(y)) }),
		cmp.Or("", strings.Join(a, "+"), "none")
}

// Grow grows and clips.
//
//microfn:service
func Grow(xs []int, n int) (int, int, int) {
	g := slices.Grow(xs, n)
	return len(g), len(slices.Clip(g)), cap(slices.Clip(g))
}
