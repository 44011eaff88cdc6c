// Package prog assigns variables that closures, pointers and interfaces
// share, and declares several at once.
package prog

import (
	"fmt"
	"strings"
)

// Point is a pair of numbers.
type Point struct{ X, Y int }

// Named has a name.
type Named struct{ S string }

// Name returns the name.
func (n Named) Name() string { return n.S }

// Namer has a name.
type Namer interface{ Name() string }

func two(s string) (string, int) { return strings.ToUpper(s), len(s) }

// Several declares and assigns several variables at once, with composite
// literals and calls among the operands.
//
//microfn:service
func Several(s string) []string {
	a, b := []string{s}, len(s)
	c, d := b+1, map[string]int{s: b}
	e, f := Point{b, b}, s+"!"
	var g, h = [2]string{s}, b * 2
	var x, y string
	x, y = strings.ToUpper(s), s
	u, n := two(s)
	var p Point
	var q int
	p, q = Point{1, 2}, 3
	return []string{fmt.Sprint(a, b, c, d, e, f, g, h), x, y, u, fmt.Sprint(n, p, q)}
}

// Shared assigns struct literals to variables closures and pointers
// share, and to named results in closures and deferred functions.
//
//microfn:service
func Shared(s string) (out []string, err error) {
	var p Point
	get := func() Point { return p }
	ptr := &p
	p = Point{len(s), 2}
	out = append(out, fmt.Sprint(get(), *ptr))
	var n Named
	set := func() { n = Named{strings.ToUpper(s)} }
	set()
	out = append(out, n.S)
	defer func() {
		if r := recover(); r != nil {
			out = append(out, fmt.Sprint("recovered ", r))
			err = fmt.Errorf("failed on %s", s)
		}
	}()
	panic(s)
}

// Interfaces converts variables to interfaces and changes them afterwards.
//
//microfn:service
func Interfaces(words []string) []string {
	items := []Named{{"a"}, {"b"}}
	var i any = items[0]
	var nm Namer = items[1]
	items[0].S, items[1].S = "changed", "changed"
	out := []string{i.(Named).Name(), nm.Name()}
	m := map[string]Named{}
	for _, w := range words {
		m[w] = Named{strings.ToUpper(w)}
	}
	var namers []Namer
	var anys []any
	for _, w := range words {
		var n Namer = m[w]
		var v any = m[w]
		namers, anys = append(namers, n), append(anys, v)
	}
	for j := range namers {
		out = append(out, namers[j].Name(), anys[j].(Named).Name())
	}
	return out
}

// Later defers calls of functions and methods declared further down.
//
//microfn:service
func Later(s string) (out []string) {
	n := Named{s}
	rec := &recorder{}
	defer func() { out = rec.lines }()
	defer rec.add(n.Later())
	defer rec.addLater("deferred " + s)
	n.S = "changed"
	return nil
}

type recorder struct{ lines []string }

func (r *recorder) add(s string) { r.lines = append(r.lines, s) }

// Later returns the name, called from a function declared above.
func (n Named) Later() string { return "later " + n.S }

func (r *recorder) addLater(s string) { r.lines = append(r.lines, s) }
