package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/svcrt"
)

// attempt runs one attempt of a call: it waits for a slot of the
// service's concurrency limit (reentrant for the chain), then runs the
// implementation with the service's timeout. An attempt that overruns its
// timeout answers at once; the execution keeps its slot until it really
// ends, and is logged as a runaway.
//
// now is the time the attempt starts; its timeout counts from then, or
// from when it got its slot. deadline, unless zero, is the call's, which
// the attempt does not outlive (nor ctx's). It adds the time spent waiting
// for the slot to *wait.
//
// An inline attempt runs on the calling goroutine and returns when the
// execution ends: the caller enforces the timeout itself (a proxy gives
// its request a deadline of at most the timeout, and answers 504 when it
// passes), which saves two goroutine switches per nested call.
func (s *Server) attempt(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, args []reflect.Value, wait *time.Duration, inline bool) ([]reflect.Value, error) {
	release, now, err := s.acquireSlot(ctx, now, e, ch, wait)
	if err != nil {
		return nil, err
	}
	ch.service = e.route
	attemptDeadline := now.Add(e.policy.Timeout)
	if !deadline.IsZero() && deadline.Before(attemptDeadline) {
		attemptDeadline = deadline
	}
	actx := newAttemptContext(ctx, ch, attemptDeadline)
	inFlight := e.metrics.inFlight
	inFlight.Inc()
	slot := &heldSlot{release: release}
	if inline {
		timer := slot.detachAt(attemptDeadline, e.limiter, ch.id)
		out, err := e.svc.Invoke(actx, args)
		timer.Stop()
		inFlight.Dec()
		slot.free()
		actx.end()
		return out, err
	}
	type result struct {
		out []reflect.Value
		err error
	}
	done := make(chan result, 1)
	s.workers.run(func() {
		defer slot.free()
		defer inFlight.Dec()
		out, err := e.svc.Invoke(actx, args)
		done <- result{out, err}
	})
	select {
	case r := <-done:
		actx.end()
		return r.out, r.err
	case <-actx.Done():
	}
	actx.end()
	return nil, s.overran(ctx, e, ch, slot, func() error { return (<-done).err })
}

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
	return &timeoutError{service: e.desc.Name, timeout: e.policy.Timeout}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// acquireSlot waits for a slot of the service's concurrency limit,
// reentrant for the chain, and returns its release and the time the
// attempt starts: now, or when it got the slot if it had to wait. It adds
// the time spent waiting to *wait.
func (s *Server) acquireSlot(ctx context.Context, now time.Time, e *endpoint, ch chain, wait *time.Duration) (func(), time.Time, error) {
	var err error
	release, ok := e.limiter.TryAcquire(ch.id)
	if !ok {
		queued := time.Now()
		e.metrics.waiting.Inc()
		release, err = e.limiter.Acquire(ctx, ch.id)
		e.metrics.waiting.Dec()
		now = time.Now()
		*wait += now.Sub(queued)
	} else if err = ctx.Err(); err != nil {
		release()
	}
	if err != nil {
		if errors.Is(err, policy.ErrQueueFull) {
			s.metrics.rejected.WithLabelValues(e.route).Inc()
			return nil, now, &overloadError{service: e.desc.Name}
		}
		return nil, now, fmt.Errorf("waiting for a free slot of %s: %w", e.desc.Name, err)
	}
	return release, now, nil
}

// A heldSlot is a slot of a service's concurrency limit held by one
// attempt. When the attempt overruns its deadline, the slot is detached
// from its chain (see policy.Limiter.Detach): the overrunning execution
// keeps it until it really ends, but a retry of the same chain has to wait
// for a slot instead of running beside it.
type heldSlot struct {
	mu       sync.Mutex // guards the fields below
	release  func()
	done     bool
	detached bool
}

// free releases the slot once.
func (h *heldSlot) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done {
		h.done = true
		h.release()
	}
}

// detach detaches the slot from chain, unless it is free already.
func (h *heldSlot) detach(l *policy.Limiter, chain string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done && !h.detached {
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

// execute runs a call that arrived over HTTP. A call from a proxy gets one
// attempt (its proxy retries); any other call is retried here under the
// service's policy.
//
// now is the time the call arrived; deadline, unless zero, the time by
// which it must be answered.
func (s *Server) execute(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, args []reflect.Value, proxied bool) (out []reflect.Value, st callStats, err error) {
	if proxied {
		out, err = s.attempt(ctx, now, deadline, e, ch, args, &st.wait, true)
		st.attempts = 1
		return out, st, err
	}
	st.attempts, err = e.policy.Do(ctx, func(ctx context.Context, attempt int) error {
		if attempt > 1 {
			now = time.Now()
		}
		var err error
		out, err = s.attempt(ctx, now, deadline, e, ch, args, &st.wait, false)
		return err
	})
	return out, st, err
}

// versionRef lets the proxies of a version find it once it is built.
type versionRef struct{ v *version }

// callFunc returns the function the proxies of one package version call:
// it carries each call to the callee over HTTP, or in process in monolith
// mode, under the callee's retry policy.
func (s *Server) callFunc(ref *versionRef) svcrt.CallFunc {
	return func(c *svcrt.Call) error {
		name := c.Service.Desc.Name
		v := ref.v
		if v == nil {
			return microfn.Permanent(microfn.NewRemoteError(name, 500, "services cannot be called while their package initialises", 0))
		}
		// Index counts in the list the service belongs to: the package's
		// own services, or those of the packages it imports.
		var e *endpoint
		if c.Service.ImportedFrom != "" {
			e = v.imported[c.Service.Index]
		} else {
			e = v.endpoints[c.Service.Index]
		}
		parent, ok := chainFrom(c.Caller)
		if !ok {
			if parent, ok = chainFrom(c.Ctx); !ok {
				parent = newChain()
				parent.depth = -1
			}
		}
		ch := parent.child()
		if ch.depth > s.cfg.maxDepth {
			err := &depthError{depth: ch.depth, max: s.cfg.maxDepth}
			return microfn.Permanent(microfn.NewRemoteError(name, err.StatusCode(), err.Error(), 0))
		}
		base := s.baseURL
		if !e.local {
			var ok bool
			if base, ok = s.cfg.routes.lookup(e.route, e.version.rel); !ok {
				key := strings.TrimPrefix(e.route, "/")
				return microfn.Permanent(microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf(
					"%s is not served here and has no route: serve it elsewhere and pass --route %s=http://HOST:PORT (or set %s%s)",
					key, key, RouteEnvPrefix, strings.ReplaceAll(key, "/", "_")), 0))
			}
		}
		attempts, err := e.policy.Do(c.Ctx, func(ctx context.Context, _ int) error {
			if s.cfg.monolith && e.local && !e.imported {
				return s.localCall(ctx, e, ch, c)
			}
			return s.httpCall(ctx, base, e, parent, ch, c)
		})
		s.metrics.observeNested(e.metrics, parent.service, statusOf(err))
		if attempts > 1 {
			e.metrics.retries.Add(float64(attempts - 1))
		}
		if err != nil {
			if _, ok := nestedFailure(err); !ok {
				// A transport failure: the callee could not be reached.
				err = microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf("cannot reach %s at %s: %v", name, base, err), 0)
			}
			// The call had its retries: the caller must not retry it again.
			return microfn.Permanent(err)
		}
		return nil
	}
}

// localCall runs a nested call in process (monolith mode), with the same
// errors an HTTP call would give.
func (s *Server) localCall(ctx context.Context, e *endpoint, ch chain, c *svcrt.Call) error {
	start := time.Now()
	st := callStats{attempts: 1}
	out, err := s.attempt(ctx, start, time.Time{}, e, ch, c.Args, &st.wait, false)
	s.metrics.observeCall(e.metrics, statusOf(err), time.Since(start), st, "local")
	if err != nil {
		var re *svcrt.ReturnedError
		if errors.As(err, &re) {
			// The caller gets the very error the service returned, and
			// the results returned with it.
			_ = c.Service.Func.SetResults(re.Results, c.Results)
			return microfn.NewReturnedError(e.desc.Name, microfn.StatusOf(re.Err), re.Err.Error(), re.Err)
		}
		msg := err.Error()
		if ce, ok := nestedFailure(err); ok {
			msg = ce.Message
		}
		return microfn.NewRemoteError(e.desc.Name, statusOf(err), msg, retryAfterOf(err))
	}
	s.logNested(e, ch)
	return c.Service.Func.SetResults(out, c.Results)
}

func retryAfterOf(err error) time.Duration {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// The keys of the chain's request headers as fasthttp keeps them
// (normalized), so proxies can set them without normalizing them anew.
var (
	keyTraceparent = []byte("Traceparent")
	keyDepth       = []byte(HeaderDepth)
	keyDeadline    = []byte(HeaderDeadline)
	keyProxied     = []byte(HeaderProxied)
	valueProxied   = []byte("1")
)

// setChainHeaders sets the headers of a call made by the execution of
// parent, at depth, with deadline, all but HeaderChain: keys as fasthttp
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

// httpCall makes one attempt of a nested call over HTTP.
func (s *Server) httpCall(ctx context.Context, base string, e *endpoint, parent, ch chain, c *svcrt.Call) error {
	name := e.desc.Name
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	body, err := c.Service.Func.AppendArgs(req.Body(), c.Args)
	if err != nil {
		return microfn.Permanent(fmt.Errorf("call %s: encode arguments: %w", name, err))
	}
	req.SetBodyRaw(body)
	req.SetRequestURI(base + e.route)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	// The attempt may take the callee's timeout, and no longer than the
	// caller's deadline; the callee gets that deadline, and the answer
	// comes when it passes (the callee runs proxied calls inline).
	deadline := time.Now().Add(e.policy.Timeout)
	callerDeadline, hasDeadline := ctx.Deadline()
	if hasDeadline && callerDeadline.Before(deadline) {
		deadline = callerDeadline
	}
	var scratch [192]byte
	v := setChainHeaders(&req.Header, scratch[:0], parent, ch.depth, deadline)
	req.Header.SetCanonical(keyChain, s.signer.appendHeader(v, ch, deadline, e.route))
	if s.cfg.token != "" {
		req.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+s.cfg.token)
	}
	if err := s.client.DoDeadline(req, resp, deadline); err != nil {
		switch {
		case !errors.Is(err, fasthttp.ErrTimeout):
			return fmt.Errorf("call %s: %w", name, err)
		case hasDeadline && !callerDeadline.After(deadline):
			return fmt.Errorf("call %s: %w", name, context.DeadlineExceeded)
		}
		s.metrics.timeouts.WithLabelValues(e.route).Inc()
		to := &timeoutError{service: name, timeout: e.policy.Timeout}
		return microfn.NewRemoteError(name, to.StatusCode(), to.Error(), 0)
	}
	if status := resp.StatusCode(); status != fasthttp.StatusOK {
		return decodeProblem(name, status, resp.Body(), string(resp.Header.Peek(fasthttp.HeaderRetryAfter)), c)
	}
	if err := c.Service.Func.DecodeResults(resp.Body(), c.Results); err != nil {
		return microfn.Permanent(fmt.Errorf("call %s: %w", name, err))
	}
	return nil
}
