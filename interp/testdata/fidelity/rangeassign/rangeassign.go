// Package prog ranges into variables declared outside the statement.
package prog

import "fmt"

type T struct{ I, V int }

// Kinds ranges with = over every kind of range expression.
//
//microfn:service
func Kinds() []string {
	var out []string
	i, v := 0, 0
	for i = range [5]struct{}{} {
	}
	out = append(out, fmt.Sprint("array ", i))
	var a [5]int
	j := 0
	for j = range a {
	}
	out = append(out, fmt.Sprint("array var ", j))
	for i, v = range [3]int{4, 5, 6} {
	}
	out = append(out, fmt.Sprint("array kv ", i, v))
	p := &a
	for i = range p {
	}
	out = append(out, fmt.Sprint("pointer ", i))
	var r rune
	for i, r = range "héllo" {
	}
	out = append(out, fmt.Sprint("string ", i, string(r)))
	for i, v = range []int{7, 8} {
	}
	out = append(out, fmt.Sprint("slice ", i, v))
	var k string
	for k, v = range map[string]int{"one": 1} {
	}
	out = append(out, fmt.Sprint("map ", k, v))
	c := make(chan int, 2)
	c <- 9
	c <- 10
	close(c)
	for v = range c {
	}
	out = append(out, fmt.Sprint("chan ", v))
	var n int64
	for n = range 4 {
	}
	out = append(out, fmt.Sprint("int ", n))
	var m uint8
	limit := uint8(3)
	for m = range limit {
	}
	out = append(out, fmt.Sprint("int var ", m))
	return out
}

// Empty leaves the variables alone when there is nothing to range over.
//
//microfn:service
func Empty() string {
	i, v := -1, -1
	for i, v = range []int{} {
	}
	var a [0]int
	for i = range a {
	}
	for i = range 0 {
	}
	return fmt.Sprint(i, v)
}

// Break keeps the values of the iteration that breaks.
//
//microfn:service
func Break() string {
	i, v := 0, 0
	for i, v = range [5]int{10, 20, 30, 40, 50} {
		if v == 30 {
			break
		}
	}
	j := 0
outer:
	for j = range 10 {
		for range 2 {
			if j == 6 {
				break outer
			}
			continue outer
		}
	}
	return fmt.Sprint(i, v, j)
}

// Places ranges into fields, elements and pointers.
//
//microfn:service
func Places() string {
	var t T
	xs := make([]int, 2)
	m := map[string]int{}
	p := new(int)
	for t.I, t.V = range []int{3, 4} {
	}
	for xs[0], xs[1] = range [2]int{5, 6} {
	}
	for m["k"] = range "ab" {
	}
	for *p = range 3 {
	}
	return fmt.Sprint(t, xs, m, *p)
}

// Body sees the variables change, and the changes it makes last until
// the next iteration.
//
//microfn:service
func Body() []int {
	var out []int
	i := 0
	for i = range [4]int{} {
		out = append(out, i)
		i += 10
		out = append(out, i)
	}
	return append(out, i)
}

// Closures capture the one outer variable.
//
//microfn:service
func Closures() []int {
	var fs []func() int
	i := 0
	for i = range [3]int{} {
		fs = append(fs, func() int { return i })
	}
	var out []int
	for _, f := range fs {
		out = append(out, f())
	}
	return out
}
