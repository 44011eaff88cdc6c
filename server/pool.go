package server

import (
	"sync"
	"time"
)

// workerPool runs functions on reused goroutines. Service code is
// interpreted, which needs deep stacks: a fresh goroutine per call would
// grow (copy) its stack on every call, a worker keeps its grown stack.
// Idle workers end after idleTimeout, and all of them once stop is closed.
type workerPool struct {
	tasks       chan func()
	stop        chan struct{}
	idleTimeout time.Duration
	wg          sync.WaitGroup
}

func newWorkerPool(idleTimeout time.Duration) *workerPool {
	return &workerPool{tasks: make(chan func()), stop: make(chan struct{}), idleTimeout: idleTimeout}
}

// run runs f on an idle worker, or on a new one if none is idle.
func (p *workerPool) run(f func()) {
	select {
	case p.tasks <- f:
	default:
		p.wg.Add(1)
		go p.worker(f)
	}
}

func (p *workerPool) worker(f func()) {
	defer p.wg.Done()
	idle := time.NewTimer(p.idleTimeout)
	defer idle.Stop()
	for {
		f()
		idle.Reset(p.idleTimeout)
		select {
		case f = <-p.tasks:
		case <-idle.C:
			return
		case <-p.stop:
			return
		}
	}
}

// close ends the idle workers; busy ones end after their task.
func (p *workerPool) close() {
	close(p.stop)
}
