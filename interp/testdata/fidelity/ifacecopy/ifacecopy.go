// Package prog converts values to interfaces, then changes the variables
// they came from: an interface holds a copy.
package prog

import (
	"errors"
	"fmt"
)

type I interface{ M() int }

type T struct{ N int }

func (t T) M() int { return t.N }

type P struct{ N int }

func (p *P) M() int { return p.N }

type E struct{ Msg string }

func (e E) Error() string { return e.Msg }

type S string

func (s S) String() string { return "S:" + string(s) }

func take(i I) I { return i }

func ret(t T) I { return t }

type H struct{ In I }

// Copies converts a variable to interfaces in every way (a variable, an
// argument, a result, elements, a field, a channel), then changes it.
//
//microfn:service
func Copies(n int) []int {
	t := T{n}
	var i I = t
	j, k := take(t), ret(t)
	s, m, h := []I{t}, map[string]I{"a": t}, H{In: t}
	c := make(chan I, 1)
	c <- t
	var i2 I
	i2 = t
	t.N = -1
	cv := <-c
	return []int{i.M(), j.M(), k.M(), s[0].M(), m["a"].M(), h.In.M(), cv.M(), i2.M(), t.M()}
}

// Parts converts an element, a field and a loop variable, and a pointer,
// which the interface shares.
//
//microfn:service
func Parts(n int) []int {
	arr := [2]T{{n}, {n + 1}}
	var ai I = arr[1]
	arr[1].N = -1
	st := struct{ T T }{T{n + 2}}
	var si I = st.T
	st.T.N = -1
	var out []int
	for _, x := range []T{{n + 3}} {
		var xi I = x
		x.N = -1
		out = append(out, xi.M())
	}
	p := P{n}
	var pi I = &p
	p.N = n + 4
	return append(out, ai.M(), si.M(), pi.M())
}

// Binary converts to error and fmt.Stringer, then changes the variables.
//
//microfn:service
func Binary(msg string) []string {
	e := E{msg}
	var err error = e
	e.Msg = "changed"
	s := S(msg)
	var st fmt.Stringer = s
	s = "changed"
	return []string{err.Error(), fmt.Sprint(err), fmt.Sprint(errors.Is(err, E{msg})), st.String(), fmt.Sprint(st)}
}

// Appended appends a loop variable and other values to slices of
// interfaces, the package's and error.
//
//microfn:service
func Appended(n int) []string {
	var out []I
	var errs []error
	for i := 0; i < n; i++ {
		t := T{i}
		out = append(out, t)
		e := E{fmt.Sprint("e", i)}
		errs = append(errs, e)
	}
	p := &P{n}
	out = append(out, p, nil)
	p.N = -n
	var got []string
	for _, i := range out {
		if i == nil {
			got = append(got, "nil")
			continue
		}
		got = append(got, fmt.Sprint(i.M()))
	}
	return append(got, fmt.Sprint(errs))
}
