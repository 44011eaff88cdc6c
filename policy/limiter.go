package policy

import (
	"container/list"
	"context"
	"errors"
	"strconv"
	"sync"
)

// ErrQueueFull is returned by [Limiter.Acquire] when every slot is taken
// and Queue calls are already waiting. A server answers it with status 429
// Too Many Requests.
var ErrQueueFull = errors.New("queue full")

// Limiter admits at most Scale call chains at once into one service, with
// at most Queue calls waiting for a slot. A call chain is the set of calls
// that share a trace id: a call and every call it makes, directly or
// through other services.
//
// A chain that already holds a slot is admitted again at once and shares
// that slot. This makes the limiter reentrant: Fib calling Fib through HTTP
// under scale=1 does not deadlock, and neither does a cycle A→B→A. Waiting
// calls are admitted in the order they arrived.
//
// A Limiter is safe for concurrent use.
type Limiter struct {
	scale, queue int

	mu      sync.Mutex
	held    map[string]int // chain → number of unreleased acquisitions
	waiters list.List      // of *waiter, in arrival order
	anon    uint64         // counter for the keys of unnamed chains
}

// waiter is a call waiting in a Limiter's queue.
type waiter struct {
	chain   string
	ready   chan struct{} // closed when granted
	granted bool          // guarded by Limiter.mu
	elem    *list.Element // in Limiter.waiters while not granted
}

// NewLimiter returns a Limiter that admits scale chains at once and lets
// queue calls wait. A scale below 1 counts as 1, a queue below 0 as 0.
func NewLimiter(scale, queue int) *Limiter {
	return &Limiter{
		scale: max(scale, 1),
		queue: max(queue, 0),
		held:  make(map[string]int),
	}
}

// Acquire waits until chain may execute, or until ctx ends. chain is the
// trace id of the call; an empty chain is never reentrant and counts as a
// chain of its own.
//
// If chain already holds a slot, Acquire returns at once and the chain's
// slot is shared (refcounted); the slot is freed when every acquisition of
// the chain has been released. Otherwise, if a slot is free and nobody is
// waiting, Acquire takes it; if Queue calls are already waiting, it returns
// ErrQueueFull at once; else it waits in line. If ctx ends first, Acquire
// returns ctx.Err() and leaves the queue, holding nothing.
//
// On success the caller must call release once the call is done; calls of
// release after the first do nothing.
func (l *Limiter) Acquire(ctx context.Context, chain string) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	if chain == "" {
		l.anon++
		chain = "\x00" + strconv.FormatUint(l.anon, 10)
	}
	if n, ok := l.held[chain]; ok || (len(l.held) < l.scale && l.waiters.Len() == 0) {
		l.held[chain] = n + 1
		l.mu.Unlock()
		return l.releaser(chain), nil
	}
	if l.waiters.Len() >= l.queue {
		l.mu.Unlock()
		return nil, ErrQueueFull
	}
	w := &waiter{chain: chain, ready: make(chan struct{})}
	w.elem = l.waiters.PushBack(w)
	l.mu.Unlock()

	select {
	case <-w.ready:
		return l.releaser(chain), nil
	case <-ctx.Done():
		l.mu.Lock()
		if w.granted {
			// The slot was handed over just as ctx ended: give it back.
			l.releaseLocked(chain)
		} else {
			l.waiters.Remove(w.elem)
		}
		l.mu.Unlock()
		return nil, ctx.Err()
	}
}

// TryAcquire is Acquire without the wait: it admits chain if Acquire
// would at once, and otherwise reports false, holding nothing and leaving
// the queue alone. An empty chain is never admitted by TryAcquire.
func (l *Limiter) TryAcquire(chain string) (release func(), ok bool) {
	if !l.TryHold(chain) {
		return nil, false
	}
	return l.releaser(chain), true
}

// TryHold is TryAcquire for a caller that keeps track of its acquisition
// itself: it makes no release func. The caller must call Release(chain)
// exactly once when the call is done (or Detach instead).
func (l *Limiter) TryHold(chain string) bool {
	if chain == "" {
		return false
	}
	l.mu.Lock()
	n, held := l.held[chain]
	if !held && (len(l.held) >= l.scale || l.waiters.Len() > 0) {
		l.mu.Unlock()
		return false
	}
	l.held[chain] = n + 1
	l.mu.Unlock()
	return true
}

// Release drops one acquisition of chain that TryHold made. Unlike the
// release func of Acquire, it is not idempotent: call it once per
// acquisition.
func (l *Limiter) Release(chain string) {
	l.mu.Lock()
	l.releaseLocked(chain)
	l.mu.Unlock()
}

// releaser returns the idempotent release func of one acquisition of chain.
func (l *Limiter) releaser(chain string) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			l.releaseLocked(chain)
			l.mu.Unlock()
		})
	}
}

// releaseLocked drops one acquisition of chain and, when that frees the
// chain's slot, hands free slots to the waiters in order. l.mu is held.
func (l *Limiter) releaseLocked(chain string) {
	if n := l.held[chain]; n > 1 {
		l.held[chain] = n - 1
		return
	}
	delete(l.held, chain)
	for len(l.held) < l.scale && l.waiters.Len() > 0 {
		next := l.waiters.Front().Value.(*waiter)
		// Admit every waiter of that chain together: they share one slot.
		for e := l.waiters.Front(); e != nil; {
			w := e.Value.(*waiter)
			e = e.Next()
			if w.chain == next.chain {
				l.waiters.Remove(w.elem)
				w.granted = true
				l.held[w.chain]++
				close(w.ready)
			}
		}
	}
}

// InFlight returns the number of chains that hold a slot.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}

// Waiting returns the number of calls waiting for a slot.
func (l *Limiter) Waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiters.Len()
}

// Detach moves one acquisition held by chain to a holder of its own and
// returns that holder's release; the release returned when chain
// acquired must then not be called. It is for an execution that ran past
// its attempt's timeout: it keeps its slot until it really ends, but no
// longer counts as its chain's, so a retry of the chain waits for a slot
// like any other call instead of running beside it.
func (l *Limiter) Detach(chain string) (release func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.anon++
	key := "\x00detached " + strconv.FormatUint(l.anon, 10)
	if n := l.held[chain]; n > 1 {
		l.held[chain] = n - 1
	} else {
		delete(l.held, chain)
	}
	l.held[key] = 1
	return l.releaser(key)
}

// Hold acquires a slot for chain whatever the limit: for a chain that
// holds a slot elsewhere, such as in an earlier version of the service
// that still runs it, and must count here until it ends. The limiter may
// then exceed its scale until holds are released; it admits no other
// chain meanwhile. Release(chain) drops a hold.
func (l *Limiter) Hold(chain string) {
	l.mu.Lock()
	l.held[chain]++
	l.mu.Unlock()
}
