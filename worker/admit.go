package worker

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
)

// Admission: with HostConfig.Admit, the host admits the attempts of its
// routes that the server sends with protocol.Call.Admit under each
// route's concurrency limiter, which it keeps (the server's own
// admission is skipped for them), in the one round trip of the attempt:
// an attempt whose chain holds the route's slot, or that finds one free,
// runs at once; any other waits for a slot in the limiter's queue, at
// most until the call's deadline (protocol.Call.Admit), and is answered
// the limiter's 429 when the queue is full. The attempt then has the
// service's timeout from the moment it got its slot, which the host
// enforces: it answers 504 at the deadline (protocol.Reply.Overran) while
// the execution runs on, holding its slot, detached from its chain, until
// it ends. The answer says how long the attempt waited.

// errDraining is the error of admitting an attempt in a host that is
// being replaced: the attempt did not run, and goes to the next worker.
var errDraining = errors.New("the worker is being replaced")

// admit admits an attempt of e in chain (its key, as the server keys its
// limiters) under e's concurrency limit, and makes slot hold its slot,
// which the caller frees: at once with the chain's own slot or a free
// one, else it waits in the limiter's queue until it gets one, the queue
// is full (an *OverloadError), deadline passes (unless zero) or ctx ends
// (a 504), or the host is being replaced (errDraining). It returns how
// long the attempt waited for its slot.
//
// Every attempt the host admits goes through admit: those the server
// sends, and those other workers send.
func (h *Host) admit(ctx context.Context, e *endpoint, chain string, deadline time.Time, slot *heldSlot) (time.Duration, error) {
	if h.draining.Load() {
		return 0, errDraining
	}
	slot.limiter, slot.chain = e.limiter, chain
	if e.limiter.TryHold(chain) {
		// The usual case: it costs no release func, nor a context.
		return 0, nil
	}
	queued := time.Now()
	wctx, cancel := h.drainContext(ctx, deadline)
	defer cancel()
	release, err := acquire(wctx, e, chain)
	wait := time.Since(queued)
	var oe *OverloadError
	switch {
	case err == nil:
		slot.release = release
		return wait, nil
	case errors.As(err, &oe):
		return wait, err
	case h.draining.Load() && ctx.Err() == nil && (deadline.IsZero() || time.Now().Before(deadline)):
		return wait, errDraining
	}
	return wait, microfn.Error(http.StatusGatewayTimeout, "%v", err)
}

// drainContext returns ctx bounded by deadline (unless zero), which also
// ends when the host starts draining.
func (h *Host) drainContext(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	var cancel context.CancelFunc
	if deadline.IsZero() {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithDeadline(ctx, deadline)
	}
	stop := context.AfterFunc(h.drainCtx, cancel)
	return ctx, func() {
		stop()
		cancel()
	}
}

// drain makes the host refuse the attempts that wait for a slot, and
// those that come after, as Busy (see protocol.MethodDrain).
func (h *Host) drain() {
	h.draining.Store(true)
	h.drained()
}

// serveAdmitted admits req, an attempt of e the server sent with Admit
// (see admit), and runs it under the service's timeout from the moment
// it got its slot, within the call's deadline (req.Chain.Deadline): at
// that deadline it answers 504 while the execution runs on, holding its
// slot, detached from its chain, until it ends (see admittedWriter).
func (h *Host) serveAdmitted(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter, e *endpoint) {
	callDeadline := req.Chain.Deadline
	aw := admittedWriters.Get().(*admittedWriter)
	aw.w = w
	wait, err := h.admit(ctx, e, hex.EncodeToString(req.Chain.ID[:]), callDeadline, &aw.slot)
	if err != nil {
		refuse(w, e, err, wait)
		aw.recycle()
		return
	}
	aw.wait = wait
	deadline := time.Now().Add(e.policy.Timeout)
	bounded := !callDeadline.IsZero() && callDeadline.Before(deadline)
	if bounded {
		deadline = callDeadline
	}
	req.Chain.Deadline = deadline
	aw.mu.Lock()
	aw.e, aw.bounded = e, bounded
	aw.mu.Unlock()
	aw.timer.Reset(time.Until(deadline))
	h.serve(ctx, req, aw, e)
	aw.end()
}

// refuse answers an attempt admit did not admit because of err: Busy
// when the host is being replaced, else the problem of err, marked as
// the limiter's 429 when the queue is full.
func refuse(w protocol.ReplyWriter, e *endpoint, err error, wait time.Duration) {
	if errors.Is(err, errDraining) {
		_ = w.Reply(&protocol.Reply{Status: http.StatusServiceUnavailable, Busy: true, Wait: wait}, nil)
		return
	}
	var oe *OverloadError
	p := protocol.ProblemOf(err, e.route)
	_ = w.Reply(&protocol.Reply{
		Status:      p.Status,
		RetryAfter:  protocol.RetryAfterOf(err),
		ContentType: protocol.ProblemContentType,
		Rejected:    errors.As(err, &oe),
		Wait:        wait,
	}, p.Body())
}

// An admittedWriter answers an attempt the host admitted: the first
// answer wins, the code's or the 504 at the attempt's deadline
// (overrun), which leaves the answer open until the execution ends
// (end), so that the server counts it as running until then. It frees
// the slot as the code's answer is complete, before it is sent: once the
// server has the answer, the slot is free, as when the server holds it.
//
// An admittedWriter is reused for another attempt (admittedWriters) when
// its timer never fired.
type admittedWriter struct {
	w     protocol.ReplyWriter
	slot  heldSlot
	wait  time.Duration
	timer *time.Timer // runs overrun at the attempt's deadline
	// stopped is set when a Stop of timer stopped it: overrun never
	// runs for this attempt.
	stopped bool

	mu       sync.Mutex // guards the fields below; held while the 504 is written
	e        *endpoint  // the service called
	bounded  bool       // the call's deadline, not the timeout, is the attempt's
	answered bool       // a head was sent: the code's, or the 504
	overran  bool       // the 504 was sent
}

// admittedWriters holds admittedWriters for reuse, each with its timer
// (stopped).
var admittedWriters = sync.Pool{New: func() any {
	a := &admittedWriter{}
	a.timer = time.AfterFunc(time.Hour, a.overrun)
	a.timer.Stop()
	return a
}}

// recycle keeps a, whose timer is stopped and never fired for its
// attempt, for another attempt.
func (a *admittedWriter) recycle() {
	*a = admittedWriter{timer: a.timer}
	admittedWriters.Put(a)
}

// stop stops the timer, and records whether it stopped it before it
// fired.
func (a *admittedWriter) stop() {
	if a.timer.Stop() {
		a.stopped = true
	}
}

// errOverran is what the code's writes get once the attempt was answered
// 504 at its deadline.
var errOverran = errors.New("the attempt was answered at its deadline")

// claim reports whether the code's answer may be sent: the first head
// wins.
func (a *admittedWriter) claim() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.answered {
		return false
	}
	a.answered = true
	return true
}

// Reply frees the slot and answers, with the time the attempt waited.
func (a *admittedWriter) Reply(r *protocol.Reply, body []byte) error {
	if !a.claim() {
		return errOverran
	}
	a.stop()
	a.slot.free()
	r.Wait = a.wait
	return a.w.Reply(r, body)
}

// Start sends the head of a streamed answer, with the time the attempt
// waited: the attempt is in time.
func (a *admittedWriter) Start(r *protocol.Reply) error {
	if !a.claim() {
		return errOverran
	}
	a.stop()
	r.Wait = a.wait
	return a.w.Start(r)
}

// Write sends more of a streamed answer.
func (a *admittedWriter) Write(p []byte) (int, error) {
	a.mu.Lock()
	overran := a.overran
	a.mu.Unlock()
	if overran {
		return 0, errOverran
	}
	return a.w.Write(p)
}

// Close frees the slot and ends the streamed answer.
func (a *admittedWriter) Close() error {
	a.mu.Lock()
	overran := a.overran
	a.mu.Unlock()
	if overran {
		return errOverran // end closes it
	}
	a.slot.free()
	return a.w.Close()
}

// overrun answers a 504 at the attempt's deadline, unless the code has
// answered: the slot is detached from the chain first (a retry waits for
// it), and the answer stays open until end.
func (a *admittedWriter) overrun() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.answered || a.e == nil {
		return
	}
	a.answered, a.overran = true, true
	a.slot.detach()
	name := a.e.svc.Desc.Name
	var err error = &TimeoutError{Service: name, Timeout: a.e.policy.Timeout}
	if a.bounded {
		err = microfn.Error(http.StatusGatewayTimeout, "%s: %v", name, context.DeadlineExceeded)
	}
	p := protocol.ProblemOf(err, a.e.route)
	if a.w.Start(&protocol.Reply{Status: p.Status, Overran: true, Wait: a.wait, ContentType: protocol.ProblemContentType}) == nil {
		_, _ = a.w.Write(p.Body())
	}
}

// end is called once the execution has ended: it frees the slot, ends
// the 504's answer if the attempt overran, and keeps a for reuse if its
// timer never fired.
func (a *admittedWriter) end() {
	a.stop()
	a.slot.free()
	a.mu.Lock()
	overran := a.overran
	a.mu.Unlock()
	switch {
	case overran:
		_ = a.w.Close()
	case a.stopped:
		a.recycle()
	}
}
