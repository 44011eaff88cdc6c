// Package prog takes the length of pointers to arrays, nil or not, and
// ranges over them.
package prog

import "fmt"

type Row [4]string

type Grid struct {
	Cells *[3]int
}

func pointer(isNil bool) *[3]int {
	if isNil {
		return nil
	}
	return &[3]int{7, 8, 9}
}

// Len takes the length and capacity of a pointer to an array, directly,
// through a dereference, a field, a call and an interface.
//
//microfn:service
func Len(isNil bool) []string {
	p := pointer(isNil)
	var r *Row
	if !isNil {
		r = &Row{}
	}
	g := Grid{Cells: p}
	calls := 0
	get := func() *[3]int { calls++; return p }
	var huge *[1 << 40]byte
	var x any = len(r)
	return []string{
		fmt.Sprint(len(p), cap(p), len(*p), cap(*r), len(r), len(g.Cells), len(huge)),
		fmt.Sprint(len(get()), cap(get()), calls, x),
	}
}

// Range ranges over a pointer to an array with the index alone, a blank
// value and no variable, and with the value when it is not nil.
//
//microfn:service
func Range(isNil bool) []string {
	p := pointer(isNil)
	var out []string
	before := "kept"
	for i := range p {
		out = append(out, fmt.Sprint("i", i))
	}
	for i, _ := range p {
		out = append(out, fmt.Sprint("b", i))
	}
	n := 0
	for range p {
		n++
	}
	var huge *[1 << 40]byte
	for i := range huge {
		if i == 2 {
			break
		}
		n++
	}
	out = append(out, fmt.Sprint(n, before))
	if p != nil {
		for i, v := range p {
			p[2] = 0
			out = append(out, fmt.Sprint(i, v))
		}
	}
	return out
}

// RangeValues ranges over the values of a pointer to an array, which
// panics when it is nil and the array is not empty.
//
//microfn:service
func RangeValues(isNil bool, empty bool) []string {
	var out []string
	if empty {
		var z *[0]int
		if !isNil {
			z = &[0]int{}
		}
		for i, v := range z {
			out = append(out, fmt.Sprint(i, v))
		}
		return append(out, "empty")
	}
	for i, v := range pointer(isNil) {
		out = append(out, fmt.Sprint(i, v))
	}
	return out
}

// Deref dereferences a pointer to an array returned by a call for its
// length, which panics when it is nil.
//
//microfn:service
func Deref(isNil bool) int {
	return len(*pointer(isNil))
}
