package worker

import (
	"sync"
	"time"
)

// A Pool runs functions on reused goroutines. Interpreted service code
// needs deep stacks: a fresh goroutine per call would grow (copy) its
// stack on every call, a pooled one keeps its grown stack. Idle
// goroutines end after the idle timeout, and all of them after Close.
type Pool struct {
	tasks       chan func()
	stop        chan struct{}
	idleTimeout time.Duration
	once        sync.Once
}

// NewPool returns a pool whose idle goroutines end after idleTimeout.
func NewPool(idleTimeout time.Duration) *Pool {
	return &Pool{tasks: make(chan func()), stop: make(chan struct{}), idleTimeout: idleTimeout}
}

// Go runs f on an idle goroutine of the pool, or on a new one if none is
// idle.
func (p *Pool) Go(f func()) {
	select {
	case p.tasks <- f:
	default:
		go p.worker(f)
	}
}

func (p *Pool) worker(f func()) {
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

// Close ends the idle goroutines; busy ones end after their function.
func (p *Pool) Close() {
	p.once.Do(func() { close(p.stop) })
}
