package interp_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// mark marks, in the sources of argWriteCases, where a warning is wanted:
// at the byte after it.
const mark = "/*W*/"

// markPosition returns the line and column of the byte after the mark in
// src, and whether there is one.
func markPosition(src string) (line, col int, ok bool) {
	i := strings.Index(src, mark)
	if i < 0 {
		return 0, 0, false
	}
	before := src[:i]
	line = strings.Count(before, "\n") + 1
	col = i - strings.LastIndex(before, "\n") + len(mark)
	return line, col, true
}

// argWriteCases are services called through their proxies by another
// service (Caller), which write into their arguments in every way, or
// only read them, or write into copies of their own. The words are in the
// warning wanted at the mark.
var argWriteCases = []struct {
	name  string
	src   string
	words []string
}{
	{"map entry", `
//microfn:service
func Callee(m map[string]int) { /*W*/m["a"] = 1 }

//microfn:service
func Caller() int { m := map[string]int{}; Callee(m); return m["a"] }
`, []string{"Callee sets an entry of the map in its parameter m", "Caller calls it through its proxy (a.go:7:44)", "as JSON", "changes a copy", "return the new value"}},
	{"a row of a map of maps", `
//microfn:service
func CreateNewState(state int, trie map[int]map[uint8]int) int {
	/*W*/trie[state] = map[uint8]int{}
	return state + 1
}

//microfn:service
func Build() int { trie := map[int]map[uint8]int{}; n := CreateNewState(0, trie); trie[0]['a'] = n; return n }
`, []string{"CreateNewState sets an entry of the map in its parameter trie", "Build calls it"}},
	{"an entry of an inner map, through a variable", `
//microfn:service
func Callee(trie map[int]map[uint8]int) {
	row, ok := trie[0]
	if ok {
		/*W*/row['a'] = 1
	}
}

//microfn:service
func Caller() { Callee(nil) }
`, []string{"sets an entry of the map in its parameter trie"}},
	{"slice element", `
//microfn:service
func Callee(s []int) { /*W*/s[0] = 1 }

//microfn:service
func Caller() { Callee([]int{0}) }
`, []string{"Callee sets an element of the slice in its parameter s"}},
	{"slice element incremented", `
//microfn:service
func Callee(s []int, i int) { /*W*/s[i]++ }

//microfn:service
func Caller() { Callee([]int{0}, 0) }
`, []string{"sets an element of the slice in its parameter s"}},
	{"through a pointer", `
//microfn:service
func Callee(p *int) { /*W*/*p = 3 }

//microfn:service
func Caller() { x := 0; Callee(&x) }
`, []string{"Callee writes through the pointer in its parameter p"}},
	{"a field through a pointer", `
type T struct{ X int }

//microfn:service
func Callee(p *T) { /*W*/p.X += 1 }

//microfn:service
func Caller() { Callee(&T{}) }
`, []string{"sets the field X of what the pointer in its parameter p points to"}},
	{"a field of a slice element in a struct", `
type Line struct{ Qty int }

type Order struct {
	ID    int
	Lines []Line
}

//microfn:service
func Callee(o Order) { o.ID = 2; /*W*/o.Lines[0].Qty = 2 }

//microfn:service
func Caller() { Callee(Order{Lines: []Line{{}}}) }
`, []string{"sets the field Qty of an element of the slice in its parameter o"}},
	{"a map in a struct", `
type Order struct{ Tags map[string]string }

//microfn:service
func Callee(o Order) { /*W*/o.Tags["x"] = "y" }

//microfn:service
func Caller() { Callee(Order{}) }
`, []string{"sets an entry of the map in its parameter o"}},
	{"append", `
//microfn:service
func Callee(s []int) []int { s = /*W*/append(s, 1); return s }

//microfn:service
func Caller() { Callee(make([]int, 0, 4)) }
`, []string{"appends to the slice in its parameter s", "writing into the caller's array when it has room"}},
	{"copy", `
//microfn:service
func Callee(s []int) { /*W*/copy(s, []int{1}) }

//microfn:service
func Caller() { Callee([]int{0}) }
`, []string{"copies into the slice in its parameter s"}},
	{"clear", `
//microfn:service
func Callee(m map[string]int) { /*W*/clear(m) }

//microfn:service
func Caller() { Callee(nil) }
`, []string{"clears the map in its parameter m"}},
	{"delete", `
//microfn:service
func Callee(m map[string]int) { /*W*/delete(m, "a") }

//microfn:service
func Caller() { Callee(nil) }
`, []string{"deletes an entry of the map in its parameter m"}},
	{"a pointer method on a pointer", `
type Counter struct{ N int }

func (c *Counter) Inc() { c.N++ }

//microfn:service
func Callee(c *Counter) { c./*W*/Inc() }

//microfn:service
func Caller() { Callee(&Counter{}) }
`, []string{"calls Inc on its parameter c, and Inc, which has a pointer receiver, sets the field N of what the pointer in its receiver c points to (a.go:5:27)"}},
	{"a pointer method on a slice element", `
type Counter struct{ N int }

func (c *Counter) Inc() { c.N++ }

//microfn:service
func Callee(cs []Counter) { cs[0]./*W*/Inc() }

//microfn:service
func Caller() { Callee(nil) }
`, []string{"calls Inc on its parameter cs, and Inc, which has a pointer receiver, sets the field N"}},
	{"a helper that writes", `
func add(t map[string]int, k string) { t[k] = 1 }

//microfn:service
func Callee(m map[string]int) { add(/*W*/m, "a") }

//microfn:service
func Caller() { Callee(nil) }
`, []string{"passes its parameter m to add, which sets an entry of the map in its parameter t (a.go:3:40)"}},
	{"in a function literal", `
//microfn:service
func Callee(m map[string]int) { func() { /*W*/m["a"] = 1 }() }

//microfn:service
func Caller() { Callee(nil) }
`, []string{"sets an entry of the map in its parameter m"}},
	{"a recursive service", `
//microfn:service
func Fill(m map[int]int, n int) {
	if n == 0 {
		return
	}
	/*W*/m[n] = n
	Fill(m, n-1)
}
`, []string{"Fill sets an entry of the map in its parameter m", "it calls itself through its proxy (a.go:9:2)"}},
	{"called from two places", `
//microfn:service
func Callee(s []int) { /*W*/s[0] = 1 }

//microfn:service
func A() { Callee(nil) }

func helper() { Callee(nil) }
`, []string{"A calls it through its proxy (a.go:7:12), and so does 1 other place"}},

	// No warning.
	{"reads only", `
//microfn:service
func Callee(m map[string]int, s []int, p *int) int { return m["a"] + s[0] + *p + len(s) }

//microfn:service
func Caller() { Callee(nil, nil, nil) }
`, nil},
	{"a map cloned", `
import "maps"

//microfn:service
func Callee(m map[string]int) map[string]int { m2 := maps.Clone(m); m2["a"] = 1; return m2 }

//microfn:service
func Caller() { Callee(nil) }
`, nil},
	{"a slice copied", `
//microfn:service
func Callee(s []int) []int {
	s = append([]int(nil), s...)
	s[0] = 1
	s = append(s, 2)
	return s
}

//microfn:service
func Caller() { Callee(nil) }
`, nil},
	{"a new map", `
//microfn:service
func Callee(m map[string]int) map[string]int { m = map[string]int{}; m["a"] = 1; return m }

//microfn:service
func Caller() { Callee(nil) }
`, nil},
	{"values and copies", `
type Counter struct{ N int }

func (c *Counter) Inc() { c.N++ }

type Order struct {
	N     int
	Lines []int
}

//microfn:service
func Callee(o Order, a [3]int, c Counter, s []int) int {
	o.N = 2
	o.Lines = nil
	a[0] = 1
	c.Inc()
	s = append(s[:len(s):len(s)], 1)
	local := []int{1}
	local[0] = 2
	return o.N + a[0] + c.N + len(s)
}

//microfn:service
func Caller() { Callee(Order{}, [3]int{}, Counter{}, nil) }
`, nil},
	{"a pointer method of the package that only reads", `
type Counter struct{ N int }

func (c *Counter) Get() int { return c.N }

//microfn:service
func Callee(c *Counter, cs []Counter) int { return c.Get() + cs[0].Get() }

//microfn:service
func Caller() { Callee(&Counter{}, nil) }
`, nil},
	{"a pointer method of the standard library, not judged", `
import "math/big"

//microfn:service
func Callee(n *big.Int) string { return n.String() }

//microfn:service
func Caller() { Callee(big.NewInt(1)) }
`, nil},
	{"not called by another service", `
//microfn:service
func Callee(m map[string]int) { m["a"] = 1 }

//microfn:service
func Other(m map[string]int) int { return len(m) }
`, nil},
}

// TestArgWriteWarnings: Prepare warns at each way a service writes into
// its caller's memory through a parameter when service code calls it
// through its proxy, saying what happens and what to do; and not for a
// service that reads its arguments, writes into copies of its own, or
// that no service code calls. The package still loads.
func TestArgWriteWarnings(t *testing.T) {
	t.Parallel()
	loader := interp.NewLoader(interp.Options{})
	for _, c := range argWriteCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			src := "package a\n" + c.src
			pkg, err := funcs.Load(writePackage(t, map[string]string{"a.go": src}))
			if err != nil {
				t.Fatal(lines(err))
			}
			prep, err := loader.Prepare(pkg)
			if err != nil {
				t.Fatalf("Prepare: %v", lines(err))
			}
			line, col, wanted := markPosition(src)
			if !wanted {
				if len(prep.Warnings) > 0 {
					t.Errorf("warnings:\n%s\nwant none", prep.Warnings.Lines())
				}
				return
			}
			if len(prep.Warnings) != 1 {
				t.Fatalf("warnings:\n%s\nwant one at a.go:%d:%d", prep.Warnings.Lines(), line, col)
			}
			w := prep.Warnings[0]
			if w.Pos.Line != line || w.Pos.Column != col || !strings.HasSuffix(w.Pos.Filename, "a.go") {
				t.Errorf("warning at %s, want a.go:%d:%d: %s", w.Pos, line, col, w.Msg)
			}
			for _, word := range c.words {
				if !strings.Contains(w.Msg, word) {
					t.Errorf("warning %q lacks %q", w.Msg, word)
				}
			}
		})
	}
}
