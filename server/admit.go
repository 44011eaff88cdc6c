package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
)

// Admission in the worker: the attempts of a service whose package runs
// in a worker process of its own are admitted under the service's
// concurrency limit by that worker's host, which keeps the limiter (see
// worker/admit.go), so that calls that do not come through the server
// can be admitted by the same limiter. The server sends such an attempt
// with protocol.Call.Admit; the worker runs it at once if its chain
// holds the slot or one is free, else it answers Busy, and the server
// waits for a slot with a protocol.MethodAcquire call, counted as
// waiting, and sends the attempt again with the slot it reserved. The
// attempt's timeout counts from then, as when the server admits it.
//
// A reload does not admit extra calls: a new version's worker admits
// the calls of a route only if its previous version is closed (no call
// runs it any more) and the route's limiter, carried over when scale and
// queue did not change, holds no slot. Otherwise the server admits the
// new version's calls with that limiter, which also holds the chains
// the previous version's worker still runs (see workerHolds).

// errBusy is the outcome of an attempt its worker could not admit at
// once: it did not run.
var errBusy = errors.New("the worker has no free slot for the attempt")

// workerHolds are the chains of the attempts of a route its worker
// admits, while they run, by chain key with their count. Once a newer
// version of the route is admitted by the server (next), they hold its
// limiter too, until they end.
type workerHolds struct {
	mu     sync.Mutex
	chains map[string]int
	next   *policy.Limiter
}

// add counts an attempt of chain.
func (h *workerHolds) add(chain string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.chains == nil {
		h.chains = map[string]int{}
	}
	h.chains[chain]++
	if h.next != nil {
		h.next.Hold(chain)
	}
}

// done drops an attempt of chain that add counted.
func (h *workerHolds) done(chain string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.chains[chain]; n > 1 {
		h.chains[chain] = n - 1
	} else {
		delete(h.chains, chain)
	}
	if h.next != nil {
		h.next.Release(chain)
	}
}

// handOver makes the attempts counted, and those to come, hold l.
func (h *workerHolds) handOver(l *policy.Limiter) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next = l
	for chain, n := range h.chains {
		for range n {
			l.Hold(chain)
		}
	}
}

// setAdmission decides, as v replaces old (nil for none), which of v's
// routes its worker admits; old is retired already. The caller holds
// p.mu, before v is published.
func setAdmission(v, old *version) {
	if v.group == nil || v.shared != nil || v.host != nil {
		return // the server admits every call
	}
	closed := old == nil || old.refs.Load() < 0
	for _, e := range v.endpoints {
		o := old.endpoint(e.route)
		if o == nil || o.limiter != e.limiter || (closed && e.limiter.InFlight() == 0 && e.limiter.Waiting() == 0) {
			e.admit = true
			continue
		}
		// The previous version may still run calls of the route: the
		// server admits them with the route's limiter.
		if o.admit {
			o.holds.handOver(e.limiter)
		}
	}
}

// endpoint returns the endpoint of v at route, or nil (also for a nil v).
func (v *version) endpoint(route string) *endpoint {
	if v == nil {
		return nil
	}
	for _, e := range v.endpoints {
		if e.route == route {
			return e
		}
	}
	return nil
}

// acquireInWorker waits for a slot of e's limiter in the worker of its
// version, for an attempt of the call ch due by deadline that the worker
// answered Busy. It returns the time the attempt starts (when it got the
// slot) and the id of the slot reserved for it (0 when the worker went
// away meanwhile: the attempt is sent to the next one without), and adds
// the time spent waiting to *wait.
func (s *Server) acquireInWorker(ctx context.Context, e *endpoint, ch chain, deadline time.Time, wait *time.Duration) (time.Time, uint64, error) {
	g := e.version.worker()
	if g == nil {
		return time.Now(), 0, errors.New("no worker runs this package here")
	}
	id := s.attempts.next.Add(1)
	call := protocol.Call{Attempt: id, Route: e.route, Method: protocol.MethodAcquire, Chain: ch.protocol(deadline)}
	queued := time.Now()
	e.metrics.waiting.Inc()
	resp, err := g.Control(ctx, &call)
	e.metrics.waiting.Dec()
	now := time.Now()
	*wait += now.Sub(queued)
	switch {
	case ctx.Err() != nil:
		return now, 0, s.slotError(e, ctx.Err())
	case !now.Before(deadline):
		return now, 0, s.slotError(e, context.DeadlineExceeded)
	case err != nil:
		// The worker is being replaced, or restarts: the attempt goes
		// to the next one, which admits it.
		return now, 0, nil
	}
	status := resp.Status
	resp.Close()
	switch status {
	case http.StatusNoContent:
		return now, id, nil
	case http.StatusTooManyRequests:
		return now, 0, s.slotError(e, policy.ErrQueueFull)
	}
	if err := ctx.Err(); err != nil {
		return now, 0, s.slotError(e, err)
	}
	return now, 0, s.slotError(e, context.DeadlineExceeded)
}
