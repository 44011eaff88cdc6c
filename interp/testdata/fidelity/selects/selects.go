// Package prog runs select statements: one statement in many goroutines
// at once, and the operands of its cases.
package prog

import (
	"fmt"
	"sync"
	"time"
)

func relay(id int, in <-chan int, out chan<- int, quit <-chan struct{}) {
	for {
		select {
		case v := <-in:
			out <- v + id
		case <-quit:
			return
		}
	}
}

// Concurrent runs the select statement of relay in n goroutines at once,
// each on its own channels, k times, and counts the wrong values and the
// operations that waited more than ten seconds.
//
//microfn:service
func Concurrent(n, k int) []int {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	bad := make([]int, n)
	for i := 0; i < n; i++ {
		in, out := make(chan int), make(chan int)
		go relay(i*1000, in, out, quit)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < k; j++ {
				select {
				case in <- j:
				case <-time.After(10 * time.Second):
					bad[i]++
					return
				}
				select {
				case v := <-out:
					if v != i*1000+j {
						bad[i]++
					}
				case <-time.After(10 * time.Second):
					bad[i]++
					return
				}
			}
		}()
	}
	wg.Wait()
	close(quit)
	return bad
}

type S struct{ N int }

func (s S) Get() int { return s.N }

type T struct{ A, B int }

// Operands sends values computed from index expressions, builtins,
// methods, fields through pointers, slices and composite literals in
// select cases.
//
//microfn:service
func Operands(n int) []string {
	m := map[int]int{1: n}
	xs := []int{n, n + 1, n + 2}
	s := S{n * 2}
	p := &s
	c := make(chan int, 1)
	select {
	case c <- m[1] + xs[2] + len(xs) + s.Get():
	}
	a := <-c
	select {
	case c <- p.N * 2:
	}
	b := <-c
	str := "hello"
	sc := make(chan string, 1)
	select {
	case sc <- str[1:3] + fmt.Sprint(len(str), n):
	}
	tc := make(chan T, 1)
	select {
	case tc <- T{xs[0], m[1]}:
	default:
	}
	cs := []chan int{make(chan int, 1), make(chan int, 1)}
	i := n % 2
	select {
	case cs[i] <- xs[i] * 10:
	}
	return []string{fmt.Sprint(a, b, <-sc, <-tc, <-cs[i])}
}

// Order evaluates the channels and the values of every case once, in
// source order, on entering the select statement.
//
//microfn:service
func Order(n int) []string {
	var trace []string
	ch := func(c chan int, name string) chan int { trace = append(trace, "ch "+name); return c }
	val := func(v int, name string) int { trace = append(trace, "val "+name); return v }
	full := make(chan int, 1)
	full <- 0
	ready := make(chan int, 1)
	ready <- n
	select {
	case ch(full, "a") <- val(1, "a"):
		trace = append(trace, "sent a")
	case v := <-ch(ready, "b"):
		trace = append(trace, fmt.Sprint("got ", v))
	case ch(full, "c") <- val(2, "c"):
		trace = append(trace, "sent c")
	}
	return trace
}
