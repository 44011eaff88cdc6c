package server

import (
	"sync"

	"github.com/microfn/microfn/policy"
)

// Admission in the worker: the attempts of a service whose package runs
// in a worker process of its own are admitted under the service's
// concurrency limit by that worker's host, which keeps the limiter (see
// worker/admit.go), so that calls that do not come through the server
// can be admitted by the same limiter. The server sends such an attempt
// with protocol.Call.Admit, due by the call's deadline (backstop), in one
// round trip: the worker runs it at once if its chain holds the slot or
// one is free, else it waits for one in place; it gives the attempt its
// timeout from its slot and answers 504 at that deadline itself
// (protocol.Reply.Overran: the server accounts for a runaway until the
// answer's body ends, with the execution). The answer says how long the
// attempt waited (wait= in the access line) and whether a 429 was the
// limiter's (microfn_rejected_total); microfn_waiting is read from the
// worker at each scrape (workerMetrics). When the worker is replaced
// (its runaway overran the grace), the attempts waiting in it are sent
// to the next one once it has ended (supervisor.ErrReplaced).
//
// A reload does not admit extra calls: a new version's worker admits
// the calls of a route only if its previous version is closed (no call
// runs it any more) and the route's limiter, carried over when scale and
// queue did not change, holds no slot. Otherwise the server admits the
// new version's calls with that limiter, which also holds the chains
// the previous version's worker still runs (see workerHolds).

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
