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
	// The idle timer is not reset for each function (a runtime timer
	// update on every call): it ticks, and a goroutine that waits
	// through two ticks for work ends, after between one and two idle
	// timeouts without any.
	idle := time.NewTicker(p.idleTimeout)
	defer idle.Stop()
	for ok := true; ok; f, ok = p.next(idle.C) {
		f()
	}
}

// next waits for the next function to run, and reports false when the
// goroutine is to end instead: it waited through two ticks, or the pool
// is closed.
func (p *Pool) next(tick <-chan time.Time) (func(), bool) {
	ticked := false
	for {
		select {
		case f := <-p.tasks:
			return f, true
		case <-tick:
			if ticked {
				return nil, false
			}
			ticked = true
		case <-p.stop:
			return nil, false
		}
	}
}

// Close ends the idle goroutines; busy ones end after their function.
func (p *Pool) Close() {
	p.once.Do(func() { close(p.stop) })
}
