package worker

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
)

// Admission: with HostConfig.Admit, the host admits the attempts of its
// routes that the server sends with protocol.Call.Admit under each
// route's concurrency limiter, which it keeps (the server's own
// admission is skipped for them). An attempt whose chain holds the
// route's slot, or that finds one free, runs at once; any other is
// answered Busy without running, and the server waits for a slot with a
// protocol.MethodAcquire call, which reserves it for the attempt it
// sends next (protocol.Call.Slot). The server measures the wait, counts
// it as waiting and starts the attempt's timeout once it has the slot,
// as when it admits the attempt itself.

// reservations are the slots MethodAcquire calls took for the attempts
// the server sends next, by the id of the call that took each.
type reservations struct {
	mu sync.Mutex
	m  map[uint64]*reservation
}

// A reservation is a slot held for an attempt not sent yet: it is freed
// when its deadline passes first.
type reservation struct {
	slot  *heldSlot
	timer *time.Timer
}

// add holds slot for the attempt that names id, until deadline.
func (r *reservations) add(id uint64, slot *heldSlot, deadline time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[uint64]*reservation{}
	}
	if old := r.m[id]; old != nil {
		// A second call with the same id: the server never sends one.
		old.timer.Stop()
		old.slot.free()
	}
	res := &reservation{slot: slot}
	res.timer = time.AfterFunc(time.Until(deadline), func() {
		if r.take(id) == slot {
			slot.free()
		}
	})
	r.m[id] = res
}

// take removes the reservation id and returns its slot, or nil.
func (r *reservations) take(id uint64) *heldSlot {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := r.m[id]
	if res == nil {
		return nil
	}
	delete(r.m, id)
	res.timer.Stop()
	return res.slot
}

// admittedSlots are the slots of the attempts the host admitted that
// run, by limiter and chain.
type admittedSlots struct {
	mu sync.Mutex
	m  map[slotKey][]*heldSlot
}

// A slotKey names the slot of a chain in a limiter.
type slotKey struct {
	limiter *policy.Limiter
	chain   string
}

// add records s, the slot of a running attempt due by s.deadline.
func (a *admittedSlots) add(s *heldSlot) {
	k := slotKey{s.limiter, s.chain}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[slotKey][]*heldSlot{}
	}
	a.m[k] = append(a.m[k], s)
}

// remove forgets s: its attempt has ended.
func (a *admittedSlots) remove(s *heldSlot) {
	k := slotKey{s.limiter, s.chain}
	a.mu.Lock()
	defer a.mu.Unlock()
	list := a.m[k]
	for i, x := range list {
		if x == s {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(a.m, k)
	} else {
		a.m[k] = list
	}
}

// detachOverdue detaches from chain the slots in l of its attempts that
// run past their deadline, before the chain is admitted again: a retry
// after a timeout waits for a slot like any other call instead of
// running beside the overrunning execution, as when the server detaches
// the slot at the deadline.
func (a *admittedSlots) detachOverdue(l *policy.Limiter, chain string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.m[slotKey{l, chain}] {
		if !s.deadline.IsZero() && !s.deadline.After(now) {
			s.detach()
		}
	}
}

// admit admits req, an attempt of e the server sent with Admit: with the
// slot reserved for it, else the chain's own slot or a free one. It
// returns nil when the attempt must wait for a slot.
func (h *Host) admit(req *protocol.Request, e *endpoint) *heldSlot {
	if req.Slot != 0 {
		if s := h.reserved.take(req.Slot); s != nil {
			if s.limiter == e.limiter {
				return s
			}
			s.free()
		}
	}
	chain := hex.EncodeToString(req.Chain.ID[:]) // as the server keys its limiters
	h.admitted.detachOverdue(e.limiter, chain, time.Now())
	if !e.limiter.TryHold(chain) {
		return nil
	}
	return &heldSlot{limiter: e.limiter, chain: chain}
}

// serveAdmitted runs req, an attempt of e the server sent with Admit,
// if it gets a slot (else it answers Busy): the attempt holds the slot
// until it has answered, detached from its chain at its deadline if it
// runs on (see heldSlot).
func (h *Host) serveAdmitted(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter, e *endpoint) {
	slot := h.admit(req, e)
	if slot == nil {
		_ = w.Reply(&protocol.Reply{Status: http.StatusServiceUnavailable, Busy: true}, nil)
		return
	}
	// The slot is detached from the chain once the attempt runs past
	// its deadline, when the chain is admitted again (detachOverdue).
	slot.deadline = req.Chain.Deadline
	h.admitted.add(slot)
	defer func() {
		slot.free()
		h.admitted.remove(slot)
	}()
	h.serve(ctx, req, &slotWriter{ReplyWriter: w, slot: slot}, e)
}

// A slotWriter frees an attempt's slot as its answer is complete, before
// it is sent: once the server has the answer, the slot is free, as when
// the server holds it.
type slotWriter struct {
	protocol.ReplyWriter
	slot *heldSlot
}

// Reply frees the slot and answers.
func (w *slotWriter) Reply(r *protocol.Reply, body []byte) error {
	w.slot.free()
	return w.ReplyWriter.Reply(r, body)
}

// Close frees the slot and ends the streamed answer.
func (w *slotWriter) Close() error {
	w.slot.free()
	return w.ReplyWriter.Close()
}

// serveAcquire answers a protocol.MethodAcquire call: it waits for a
// slot of the route's limiter, reentrant for the chain, until the call's
// deadline, and reserves it for the attempt the server sends next.
func (h *Host) serveAcquire(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
	e := h.routes[req.Route]
	if e == nil || !h.cfg.Admit {
		replyError(w, microfn.Error(http.StatusNotFound, "no service at %s admits calls in this worker", req.Route), req.Route)
		return
	}
	if d := req.Chain.Deadline; !d.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
	}
	now := time.Now()
	chain := hex.EncodeToString(req.Chain.ID[:])
	h.admitted.detachOverdue(e.limiter, chain, now)
	release, err := acquire(ctx, e, chain)
	if err == nil && ctx.Err() != nil {
		// Granted as the server gave up: nobody takes the slot.
		release()
		err = ctx.Err()
	}
	if err != nil {
		var oe *OverloadError
		if !errors.As(err, &oe) {
			err = microfn.Error(http.StatusGatewayTimeout, "%v", err)
		}
		replyError(w, err, e.route)
		return
	}
	h.reserved.add(req.Attempt, &heldSlot{limiter: e.limiter, chain: chain, release: release}, req.Chain.Deadline)
	_ = w.Reply(&protocol.Reply{Status: http.StatusNoContent}, nil)
}
