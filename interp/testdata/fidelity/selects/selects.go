// Package prog runs select statements: one statement in many goroutines
// at once, and the operands of its cases.
package prog

import (
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
