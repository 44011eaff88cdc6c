// Package prog assigns variables that closures, pointers and interfaces
// share, and declares several at once.
package prog

import (
	"fmt"
	"sort"
	"strings"
	"time"
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

// Base has a number.
type Base struct{ N int }

// Get returns the number.
func (b Base) Get() int { return b.N }

// PGet returns the number through a pointer.
func (b *Base) PGet() int { return b.N }

// Outer embeds a Base.
type Outer struct{ Base }

// PtrOuter embeds a pointer to a Base.
type PtrOuter struct{ *Base }

// Getter gets a number.
type Getter interface{ Get() int }

// MethodValues makes method values of every kind of receiver and changes
// the receivers afterwards.
//
//microfn:service
func MethodValues(s string) []string {
	b := Base{1}
	g1, g2 := b.Get, b.PGet
	b.N = 2
	o := Outer{Base{3}}
	o1, o2 := o.Get, o.PGet
	o.N = 4
	po := PtrOuter{&Base{5}}
	p1, p2 := po.Get, po.PGet
	po.N = 6
	xs := []Base{{7}}
	x1, x2 := xs[0].Get, xs[0].PGet
	xs[0].N = 8
	var g Getter = Base{9}
	i1 := g.Get
	g = Base{10}
	var gp Getter = &Base{11}
	i2 := gp.Get
	gp.(*Base).N = 12
	d := time.Duration(len(s)) * time.Millisecond
	str := d.String
	d = time.Hour
	var sb strings.Builder
	w := sb.WriteString
	_, _ = w(s)
	r := strings.NewReplacer("é", "e")
	rep := r.Replace
	r = strings.NewReplacer("é", "E")
	words := strings.Fields("b a c")
	sort.Slice(words, sorter{words}.less)
	return []string{
		fmt.Sprint(g1(), g2(), o1(), o2(), p1(), p2(), x1(), x2(), i1(), i2()),
		str(), sb.String(), rep(s), rep(r.Replace(s)), strings.Join(words, ""),
	}
}

type sorter struct{ words []string }

func (s sorter) less(i, j int) bool { return s.words[i] < s.words[j] }

// Counter counts.
type Counter struct{ N int }

// Show adds the count to lines.
func (c Counter) Show(lines *[]string) { *lines = append(*lines, fmt.Sprint("show ", c.N)) }

// Inc increments the count.
func (c *Counter) Inc() { c.N++ }

// Guard recovers a panic into the count.
func (c *Counter) Guard() {
	if r := recover(); r != nil {
		c.N = -1
	}
}

func record(lines *[]string, xs ...any) { *lines = append(*lines, fmt.Sprint(xs...)) }

// Defers defers calls whose function, receiver and arguments change after
// the defer statement, calls with ..., closures kept in variables, and
// methods that recover.
//
//microfn:service
func Defers(words []string) (lines []string) {
	defer func() { lines = append(lines, "end") }()
	for i, w := range words {
		c := Counter{len(w)}
		defer record(&lines, i, w)
		defer c.Show(&lines)
		c.N = 100
	}
	f := record
	defer f(&lines, "f", len(words))
	f = func(lines *[]string, xs ...any) { *lines = append(*lines, "changed") }
	xs := []any{"spread", 1}
	defer record(&lines, xs...)
	xs[0] = "spread after"
	var c Counter
	defer c.Show(&lines)
	defer c.Inc()
	c.N = 10
	cleanup := func() { lines = append(lines, fmt.Sprint("cleanup ", c.N)) }
	defer cleanup()
	return nil
}

// Recovers recovers in a method deferred directly, in a closure kept in a
// variable, and not in a function a deferred literal calls.
//
//microfn:service
func Recovers(s string) []string {
	var c Counter
	func() {
		defer c.Guard()
		panic(s)
	}()
	var got any
	func() {
		h := func() { got = recover() }
		defer h()
		panic(s + "!")
	}()
	var inner any
	func() {
		defer func() {
			inner = helperRecover()
			recover()
		}()
		panic(s)
	}()
	return []string{fmt.Sprint(c.N), fmt.Sprint(got), fmt.Sprint(inner)}
}

func helperRecover() any { return recover() }
