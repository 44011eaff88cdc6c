// Package prog receives from channels into every kind of place.
package prog

import "fmt"

type S struct {
	F  int
	In *S
}

// Places receives into an index expression, a map entry, a field, a
// dereferenced pointer, an array element and a variable of an enclosing
// function, with and without ok.
//
//microfn:service
func Places() []string {
	c := make(chan int, 1)
	xs := []int{1, 2}
	c <- 7
	xs[0] = <-c
	m := map[string]int{}
	c <- 8
	m["k"] = <-c
	var s S
	c <- 9
	s.F = <-c
	ps := &S{In: &S{}}
	c <- 10
	ps.In.F = <-c
	p := new(int)
	c <- 11
	*p = <-c
	var arr [3]int
	i := 2
	c <- 12
	arr[i] = <-c
	x := 0
	c <- 13
	func() { x = <-c }()
	y := 1
	q := &y
	c <- 14
	y = <-c
	var ok bool
	c <- 15
	xs[1], ok = <-c
	close(c)
	var ok2 bool
	m["closed"], ok2 = <-c
	return []string{fmt.Sprint(xs, m, s.F, ps.In.F, *p, arr, x, y, *q, ok, ok2)}
}

// Select receives into the same places in select cases.
//
//microfn:service
func Select() string {
	c := make(chan int, 1)
	xs := []int{0, 0}
	m := map[string]int{}
	var s S
	var ok bool
	c <- 1
	select {
	case xs[1] = <-c:
	}
	c <- 2
	select {
	case m["a"], ok = <-c:
		m["b"] = 3
	}
	c <- 4
	select {
	case s.F = <-c:
	default:
		s.F = -1
	}
	x := 0
	select {
	case x = <-c:
	default:
		x = 5
	}
	return fmt.Sprint(xs, m, ok, s.F, x)
}

// Order checks that the channel is received from after the index
// expression's operands are evaluated.
//
//microfn:service
func Order() []string {
	var log []string
	c := make(chan int, 3)
	c <- 1
	c <- 2
	c <- 3
	idx := func(i int) int { log = append(log, fmt.Sprint("idx", i)); return i }
	xs := make([]int, 3)
	for i := 0; i < 3; i++ {
		xs[idx(i)] = <-c
	}
	return append(log, fmt.Sprint(xs))
}

// Received values of interface and struct types.
//
//microfn:service
func Values() string {
	ec := make(chan error, 1)
	errs := make([]error, 1)
	ec <- fmt.Errorf("e")
	errs[0] = <-ec
	sc := make(chan S, 1)
	ss := map[int]S{}
	sc <- S{F: 3}
	ss[1] = <-sc
	ac := make(chan any, 1)
	as := []any{nil}
	ac <- "x"
	as[0] = <-ac
	return fmt.Sprint(errs[0], ss[1].F, as[0])
}

func recvInt(c chan int) int                { return <-c }
func recvAny(c chan int) any                { return <-c }
func recvErr(c chan error) error            { return <-c }
func recvNamed(c chan string) (s string)    { return <-c }
func recvParen(c chan int) int              { return (<-c) }
func recvTwo(c chan int) (int, int)         { return <-c, <-c }
func recvPlus(c chan int) int               { return <-c + 1 }
func recvNeg(c chan int) int                { return -<-c }
func recvStruct(c chan S) S                 { return <-c }
func recvPointer(c chan *S) *S              { return <-c }
func recvNot(c chan bool) bool              { return !<-c }
func recvSlice(c chan []int) []int          { return <-c }
func recvFunc(c chan func() int) func() int { return <-c }

func recvDeferred(c chan int) (r int) {
	defer func() { r *= 10 }()
	return <-c
}

func recvClosed() (int, int) {
	c := make(chan int)
	close(c)
	return recvInt(c), <-c
}

// Returns returns received values directly, alone and with other
// operands, into results of every kind.
//
//microfn:service
func Returns() []string {
	c := make(chan int, 10)
	for i := 1; i <= 10; i++ {
		c <- i
	}
	a, b := recvTwo(c)
	out := []string{fmt.Sprint(recvInt(c), recvAny(c), recvParen(c), a, b, recvPlus(c), recvNeg(c), recvDeferred(c))}
	out = append(out, fmt.Sprint(recvClosed()))
	ec := make(chan error, 1)
	ec <- fmt.Errorf("boom")
	sc := make(chan string, 1)
	sc <- "x"
	stc := make(chan S, 2)
	stc <- S{F: 3}
	ps := &S{F: 4}
	pc := make(chan *S, 1)
	pc <- ps
	bc := make(chan bool, 1)
	bc <- false
	slc := make(chan []int, 1)
	slc <- []int{1, 2}
	fc := make(chan func() int, 1)
	fc <- func() int { return 9 }
	out = append(out, fmt.Sprint(recvErr(ec), recvNamed(sc), recvStruct(stc).F, recvPointer(pc) == ps, recvNot(bc), recvSlice(slc), recvFunc(fc)()))
	return out
}
