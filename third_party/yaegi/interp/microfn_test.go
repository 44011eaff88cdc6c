package interp_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The tests of the changes microfn made to yaegi (see FORK.md). Each case
// is a program whose output differs from the compiled program's without
// the change; want is what `go run` prints.

type forkCase struct {
	name string
	src  string // a main package
	want string
}

// runForkCases runs each case's program in a new interpreter and compares
// what it prints with want.
func runForkCases(t *testing.T, cases []forkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			i := interp.New(interp.Options{Stdout: &out, Stderr: &out})
			if err := i.Use(stdlib.Symbols); err != nil {
				t.Fatal(err)
			}
			if _, err := i.Eval(c.src); err != nil {
				t.Fatalf("eval: %v\noutput: %s", err, out.String())
			}
			if got := strings.TrimSpace(out.String()); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

// TestReceiveAssign: a receive assigned to an index expression, a field,
// a dereferenced pointer or a variable of an enclosing function stores
// the value (yaegi wrote it into a slot of its own frame instead), and a
// variable whose address was taken keeps it.
func TestReceiveAssign(t *testing.T) {
	runForkCases(t, []forkCase{{
		name: "places",
		src: `package main

import "fmt"

type S struct{ f int }

func main() {
	c := make(chan int, 1)
	xs := []int{1}
	c <- 7
	xs[0] = <-c
	var arr [2]int
	c <- 8
	arr[1] = <-c
	m := map[string]int{}
	c <- 9
	m["k"] = <-c
	var s S
	c <- 10
	s.f = <-c
	ps := &S{}
	c <- 11
	ps.f = <-c
	p := new(int)
	c <- 12
	*p = <-c
	fmt.Println(xs, arr, m, s, *ps, *p)
}
`,
		want: "[7] [0 8] map[k:9] {10} {11} 12",
	}, {
		name: "variables",
		src: `package main

import "fmt"

func main() {
	c := make(chan int, 1)
	x := 0
	c <- 5
	func() { x = <-c }()
	y := 1
	q := &y
	c <- 6
	y = <-c
	var i interface{}
	c <- 7
	i = <-c
	ec := make(chan error, 1)
	var e error
	ec <- fmt.Errorf("e")
	e = <-ec
	fmt.Println(x, y, *q, i, e)
}
`,
		want: "5 6 6 7 e",
	}})
}

