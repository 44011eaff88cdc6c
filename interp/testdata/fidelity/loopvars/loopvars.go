// Package prog declares variables in loop bodies and loop headers and
// keeps them in closures, goroutines, deferred calls, method values and
// pointers: each run of a declaration, and each iteration of a loop, has
// variables of its own.
package prog

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Item is a named thing.
type Item struct{ Label string }

// Name returns the item's label.
func (it Item) Name() string { return it.Label }

// PName returns the item's label through a pointer.
func (it *Item) PName() string { return it.Label }

// table maps each word to an item labelled with it in upper case.
func table(words []string) map[string]Item {
	m := map[string]Item{}
	for _, w := range words {
		m[w] = Item{strings.ToUpper(w)}
	}
	return m
}

// run calls each function and lists what they return.
func run(fs []func() string) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f()
	}
	return out
}

// FanOut starts a goroutine per known word, each adding the name of the
// word's item.
//
//microfn:service
func FanOut(words []string) []string {
	m := table(words)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var names []string
	for _, w := range append(words, "missing") {
		n, ok := m[w]
		if !ok {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			names = append(names, n.Name())
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Strings(names)
	return names
}

// CommaOk keeps the variables of comma-ok forms, of a call with several
// results and of var declarations in closures.
//
//microfn:service
func CommaOk(words []string) []string {
	m := table(words)
	c := make(chan string, 1)
	var fs []func() string
	for i, w := range words {
		n, ok := m[w]
		var x any = n
		it, isItem := x.(Item)
		_, isString := x.(string)
		c <- w
		r, open := <-c
		before, after, found := strings.Cut(w, "é")
		var v, present = m[w+"?"]
		var count = len([]rune(w))
		var last rune
		for _, r := range w {
			last = r
		}
		fs = append(fs, func() string {
			return fmt.Sprint(i, n.Name(), ok, it.Label, isItem, isString, r, open, before, after, found, v.Label, present, count, string(last))
		})
	}
	return run(fs)
}

// Missing shows that a failed comma-ok form leaves the zero value, not
// the previous iteration's.
//
//microfn:service
func Missing(words []string) []string {
	m := map[string]int{}
	for i, w := range words {
		if i%2 == 0 {
			m[w] = len(w)
		}
	}
	var out []string
	for i, w := range words {
		n, ok := m[w]
		var x any = w
		if i%2 == 1 {
			x = i
		}
		s, isString := x.(string)
		out = append(out, fmt.Sprint(n, ok, s, isString))
	}
	return out
}

// Initialisers keeps the variables of if and switch initialisers.
//
//microfn:service
func Initialisers(words []string) []string {
	m := table(words)
	var fs []func() string
	for _, w := range words {
		if n, ok := m[w]; ok {
			fs = append(fs, func() string { return "if " + n.Name() })
		}
		switch n, ok := m[w]; {
		case ok:
			fs = append(fs, func() string { return "switch " + n.Label })
		}
		switch n := m[w]; n.Label {
		case "":
		default:
			fs = append(fs, func() string { return "tag " + n.Label })
		}
		switch k := len(w); k % 2 {
		case 0:
			fs = append(fs, func() string { return fmt.Sprint("even ", k) })
		default:
			fs = append(fs, func() string { return fmt.Sprint("odd ", k) })
		}
	}
	return run(fs)
}

// TypeSwitches keeps the variable of type switch clauses.
//
//microfn:service
func TypeSwitches(values []any) []string {
	var fs []func() string
	var ps []*any
	for _, x := range values {
		switch v := x.(type) {
		case string:
			fs = append(fs, func() string { return "string " + v })
		case float64, bool:
			fs = append(fs, func() string { return fmt.Sprint("scalar ", v) })
		case nil:
			ps = append(ps, &v)
		default:
			fs = append(fs, func() string { return fmt.Sprintf("other %v", v) })
		}
		switch v := x.(type) {
		default:
			ps = append(ps, &v)
		}
	}
	out := run(fs)
	for _, p := range ps {
		out = append(out, fmt.Sprint(*p))
	}
	return out
}

// Selects keeps the variables select cases receive into.
//
//microfn:service
func Selects(words []string) []string {
	c := make(chan string, 1)
	lens := make(chan int, 1)
	var fs []func() string
	var ps []*string
	for _, w := range words {
		c <- w
		select {
		case v := <-c:
			fs = append(fs, func() string { return v })
			ps = append(ps, &v)
		}
		lens <- len(w)
		select {
		case n, ok := <-lens:
			fs = append(fs, func() string { return fmt.Sprint(n, ok) })
		}
	}
	out := run(fs)
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}

// Literals keeps variables declared from composite literals, alone and
// with other operands.
//
//microfn:service
func Literals(words []string) []string {
	var fs []func() string
	var ps []*[]string
	for i, w := range words {
		a := [2]string{w, w}
		s := []string{w}
		m := map[string]int{w: i}
		it, n := Item{w}, i
		var pair, count = []string{w, w}, len(w)
		ps = append(ps, &s)
		fs = append(fs, func() string { return fmt.Sprint(a, s, m, it, n, pair, count) })
	}
	out := run(fs)
	for _, p := range ps {
		out = append(out, strings.Join(*p, ","))
	}
	return out
}

// Headers keeps the variables of for statements: three-clause loops, with
// and without continue, and ranges over every kind of value.
//
//microfn:service
func Headers(words []string) []string {
	var fs []func() string
	for i := 0; i < len(words); i++ {
		fs = append(fs, func() string { return fmt.Sprint("for ", i, " ", words[i]) })
	}
	for i := 0; i < 2*len(words); i++ {
		if i%2 == 0 {
			continue
		}
		fs = append(fs, func() string { return fmt.Sprint("odd ", i) })
		i++
	}
	for i, j := 0, len(words); i < j; i, j = i+1, j-1 {
		fs = append(fs, func() string { return fmt.Sprint("pair ", i, j) })
	}
	for i, w := range words {
		fs = append(fs, func() string { return fmt.Sprint("slice ", i, w) })
	}
	arr := [2]string{"α", "β"}
	for i, w := range arr {
		fs = append(fs, func() string { return fmt.Sprint("array ", i, w) })
	}
	for i := range &arr {
		fs = append(fs, func() string { return fmt.Sprint("pointer ", i) })
	}
	for i, r := range strings.Join(words, "·") {
		fs = append(fs, func() string { return fmt.Sprint("rune ", i, string(r)) })
	}
	m := table(words)
	var mapped []string
	for k, v := range m {
		mapped = append(mapped, k)
		fs = append(fs, func() string { return "map " + k + "=" + v.Label })
	}
	c := make(chan string, len(words))
	for _, w := range words {
		c <- w
	}
	close(c)
	for w := range c {
		fs = append(fs, func() string { return "chan " + w })
	}
	for i := range len(words) {
		fs = append(fs, func() string { return fmt.Sprint("int ", i) })
	}
	keep := func(f func() string, _ []string) { fs = append(fs, f) }
	for i := 0; i < len(words); i++ {
		keep(func() string { return fmt.Sprint("kept ", i) }, words[:1])
	}
	out := run(fs)
	sort.Strings(out)
	return append(out, fmt.Sprint(len(mapped)))
}

// Assigned shows that assigning to a range variable in the body does not
// change the iteration.
//
//microfn:service
func Assigned(words []string) []int {
	var seen []int
	for i := range words {
		seen = append(seen, i)
		i += 10
		_ = i
	}
	for i, w := range words {
		i++
		seen = append(seen, i, len(w))
	}
	for i := range strings.Join(words, "") {
		seen = append(seen, i)
		i = 1000
	}
	return seen
}

// Pointers keeps the addresses of variables declared in loops.
//
//microfn:service
func Pointers(words []string) []string {
	m := table(words)
	var ps []*Item
	var qs []*string
	var is []*int
	for i, w := range words {
		n, _ := m[w]
		ps = append(ps, &n)
		qs = append(qs, &w)
		is = append(is, &i)
		it := m[w]
		ps = append(ps, &it)
	}
	for i := 0; i < len(words); i++ {
		is = append(is, &i)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Label)
	}
	for _, q := range qs {
		out = append(out, *q)
	}
	for _, i := range is {
		out = append(out, fmt.Sprint(*i))
	}
	return out
}

// Deferred runs deferred function literals, calls and methods made in
// loops.
//
//microfn:service
func Deferred(words []string) (out []string) {
	m := table(words)
	for i, w := range words {
		n, _ := m[w]
		defer func() { out = append(out, fmt.Sprint("literal ", i, " ", n.Name())) }()
		defer fmt.Sprint(n.Name())
		get := n.Name
		defer func() { out = append(out, "method value "+get()) }()
	}
	for i := 0; i < len(words); i++ {
		defer func() { out = append(out, fmt.Sprint("index ", i)) }()
	}
	return nil
}

// MethodValues keeps method values of variables declared in loops.
//
//microfn:service
func MethodValues(words []string) []string {
	m := table(words)
	var fs []func() string
	for _, w := range words {
		n, _ := m[w]
		fs = append(fs, n.Name, n.PName)
		it := m[w]
		fs = append(fs, it.Name)
	}
	for _, it := range []Item{{"x"}, {"ÿ"}} {
		fs = append(fs, it.Name, it.PName)
	}
	return run(fs)
}

// Callbacks keeps function literals in a function of the standard library
// that calls them later.
//
//microfn:service
func Callbacks(words []string) []string {
	var calls []func()
	var out []string
	for i, w := range words {
		upper := strings.ToUpper(w)
		calls = append(calls, sync.OnceFunc(func() { out = append(out, fmt.Sprint(i, upper)) }))
	}
	for _, call := range calls {
		call()
	}
	return out
}

// Parameters keeps the parameters of function literals called in a loop.
//
//microfn:service
func Parameters(words []string) []string {
	var fs []func() string
	keep := func(s string, n int) {
		fs = append(fs, func() string { return fmt.Sprint(s, n) })
	}
	for i, w := range words {
		keep(w, i)
		func(s string) {
			fs = append(fs, func() string { return "literal " + s })
		}(w)
	}
	return run(fs)
}

// Goroutines starts goroutines in loops that read the range variables,
// the variables of a three-clause loop and of the body, and waits for
// each before the body changes them.
//
//microfn:service
func Goroutines(words []string) []string {
	var mu sync.Mutex
	var out []string
	add := func(s string) {
		mu.Lock()
		out = append(out, s)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i, w := range words {
		n := len(w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			add(fmt.Sprint("range ", i, w, n))
		}()
	}
	for i := 0; i < len(words); i++ {
		wg.Add(1)
		go func(prefix string) {
			defer wg.Done()
			add(fmt.Sprint(prefix, i, words[i]))
		}("for ")
	}
	wg.Wait()
	for _, w := range words {
		done := make(chan bool)
		count := 0
		go func() {
			count += len(w)
			done <- true
		}()
		<-done
		count++
		add(fmt.Sprint("shared ", w, count))
	}
	sort.Strings(out)
	return out
}
