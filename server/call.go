package server

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

// overran accounts for an attempt that ran past its deadline while it goes
// on: its slot is detached from its chain, it is counted and logged as a
// runaway until wait returns its outcome, and the error for the call is
// returned: the caller's deadline or context, else the service's timeout.
func (s *Server) overran(ctx context.Context, e *endpoint, ch chain, slot *heldSlot, wait func() error) error {
	slot.detach(e.limiter, ch.id)
	started := time.Now()
	runaways := s.metrics.runaways.WithLabelValues(e.route)
	runaways.Inc()
	s.metrics.runawaysTotal.WithLabelValues(e.route).Inc()
	s.metrics.timeouts.WithLabelValues(e.route).Inc()
	go func() {
		err := wait()
		runaways.Dec()
		s.cfg.logger.Warn("runaway call finished after its deadline",
			"service", e.route, "trace", ch.trace, "overran", time.Since(started).Round(time.Millisecond).String(), "error", errString(err))
	}()
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", e.desc.Name, ctx.Err())
	}
	return &worker.TimeoutError{Service: e.desc.Name, Timeout: e.policy.Timeout}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// acquireSlot waits for a slot of the service's concurrency limit,
// reentrant for the chain, and makes *slot hold it. It returns the time
// the attempt starts: now, or when it got the slot if it had to wait. It
// adds the time spent waiting to *wait.
func (s *Server) acquireSlot(ctx context.Context, now time.Time, e *endpoint, ch chain, slot *heldSlot, wait *time.Duration) (time.Time, error) {
	if e.limiter.TryHold(ch.id) {
		// The usual case: a free slot, or the chain's own. It costs no
		// release func: the slot knows its limiter and chain.
		if err := ctx.Err(); err != nil {
			e.limiter.Release(ch.id)
			return now, s.slotError(e, err)
		}
		slot.limiter, slot.chain = e.limiter, ch.id
		return now, nil
	}
	queued := time.Now()
	e.metrics.waiting.Inc()
	release, err := e.limiter.Acquire(ctx, ch.id)
	e.metrics.waiting.Dec()
	now = time.Now()
	*wait += now.Sub(queued)
	if err != nil {
		return now, s.slotError(e, err)
	}
	slot.release = release
	return now, nil
}

// slotError is the error of a call of e that got no slot because of err.
func (s *Server) slotError(e *endpoint, err error) error {
	if errors.Is(err, policy.ErrQueueFull) {
		s.metrics.rejected.WithLabelValues(e.route).Inc()
		return &worker.OverloadError{Service: e.desc.Name}
	}
	return fmt.Errorf("waiting for a free slot of %s: %w", e.desc.Name, err)
}

// A heldSlot is a slot of a service's concurrency limit held by one
// attempt. When the attempt overruns its deadline, the slot is detached
// from its chain (see policy.Limiter.Detach): the overrunning execution
// keeps it until it really ends, but a retry of the same chain has to wait
// for a slot instead of running beside it.
type heldSlot struct {
	mu sync.Mutex // guards the fields below
	// release frees the slot; if nil, limiter.Release(chain) does.
	release  func()
	limiter  *policy.Limiter
	chain    string
	done     bool
	detached bool
}

// free releases the slot once; it does nothing for a slot never
// taken (an attempt its worker admits).
func (h *heldSlot) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done && (h.release != nil || h.limiter != nil) {
		h.done = true
		if h.release != nil {
			h.release()
		} else {
			h.limiter.Release(h.chain)
		}
	}
}

// detach detaches the slot from chain, unless it is free already.
func (h *heldSlot) detach(l *policy.Limiter, chain string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done && !h.detached && (h.release != nil || h.limiter != nil) {
		h.detached = true
		h.release = l.Detach(chain)
	}
}

// detachAt detaches the slot at deadline if the attempt still runs; stop
// the timer it returns when the attempt ends.
func (h *heldSlot) detachAt(deadline time.Time, l *policy.Limiter, chain string) *time.Timer {
	return time.AfterFunc(time.Until(deadline), func() { h.detach(l, chain) })
}

// callStats describes how a call went.
type callStats struct {
	attempts int
	wait     time.Duration // spent waiting for a slot
}

// The keys of the chain's request headers as fasthttp keeps them
// (normalized), so proxies can set them without normalizing them anew.
var (
	keyTraceparent = []byte("Traceparent")
	keyDepth       = []byte(protocol.HeaderDepth)
	keyDeadline    = []byte(protocol.HeaderDeadline)
	keyProxied     = []byte(protocol.HeaderProxied)
	valueProxied   = []byte("1")
)

// setChainHeaders sets the headers of a call made by the execution of
// parent, at depth, with deadline, all but protocol.HeaderChain: keys as fasthttp
// keeps them, values written into scratch (they are on every nested
// call). It returns scratch past the values, for more.
func setChainHeaders(h *fasthttp.RequestHeader, scratch []byte, parent chain, depth int, deadline time.Time) []byte {
	v := parent.appendTraceparent(scratch)
	h.SetCanonical(keyTraceparent, v)
	v = strconv.AppendInt(v[len(v):], int64(depth), 10)
	h.SetCanonical(keyDepth, v)
	h.SetCanonical(keyProxied, valueProxied)
	v = appendDeadline(v[len(v):], deadline)
	h.SetCanonical(keyDeadline, v)
	return v[len(v):]
}
