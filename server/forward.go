package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/supervisor"
)

// A workerAnswer is an answer of a worker process other than 200: the
// problem the worker wrote, passed on as it is. It is an error so that the
// retry policy sees its status.
type workerAnswer struct {
	status     int
	body       []byte
	retryAfter string
	permanent  bool // the worker said another attempt cannot help
}

// Error is the detail of the worker's problem.
func (a *workerAnswer) Error() string {
	var p Problem
	if json.Unmarshal(a.body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return http.StatusText(a.status)
}

// StatusCode is the status the worker answered.
func (a *workerAnswer) StatusCode() int { return a.status }

// Permanent reports whether another attempt cannot help: bad input and
// other 4xx answers, and 508, as for calls in process.
func (a *workerAnswer) Permanent() bool {
	return a.permanent || (a.status >= 400 && a.status < 500 && a.status != http.StatusTooManyRequests) || a.status == http.StatusLoopDetected
}

// RetryAfter is the worker's Retry-After, if any.
func (a *workerAnswer) RetryAfter() time.Duration {
	if s, err := strconv.Atoi(a.retryAfter); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

// crashedError is the answer to a call whose worker process died while it
// ran: 502, retried like a panic.
type crashedError struct {
	service string // the route
	reason  string
}

// Error names the service and the fatal error.
func (e *crashedError) Error() string {
	return fmt.Sprintf("service %s crashed its worker: %s", e.service, e.reason)
}

// StatusCode is 502: the process that ran the call is gone.
func (e *crashedError) StatusCode() int { return http.StatusBadGateway }

// keyPermanent is the header a worker sets on the answer to an attempt
// that failed for good (microfn.Permanent, bad input): the server does not
// retry it.
var keyPermanent = []byte("Microfn-Permanent")

// handleForwarded runs a call of a service whose package runs in a worker
// process: the policy (slots, retries, timeouts) here, each attempt in
// the worker, which binds the request, runs the code and encodes the
// results.
func (s *Server) handleForwarded(c *fiber.Ctx, start, deadline time.Time, e *endpoint, ch chain, proxied bool) error {
	in := c.Request()
	ctx := context.Background()
	if !proxied {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	var st callStats
	var body []byte
	var err error
	if proxied {
		st.attempts = 1
		body, err = s.forwardAttempt(ctx, start, deadline, e, ch, in, &st.wait, true)
	} else {
		now := start
		st.attempts, err = e.policy.Do(ctx, func(ctx context.Context, attempt int) error {
			if attempt > 1 {
				now = time.Now()
			}
			var err error
			body, err = s.forwardAttempt(ctx, now, deadline, e, ch, in, &st.wait, false)
			return err
		})
	}
	if err != nil {
		var a *workerAnswer
		if errors.As(err, &a) {
			return s.passProblem(c, start, e, ch, st, a)
		}
		return s.fail(c, start, e, ch, st, err)
	}
	setAttempts(&c.Response().Header, st.attempts)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Status(http.StatusOK)
	s.logAccess(c, start, e, ch, st, http.StatusOK)
	return c.Send(body)
}

// passProblem answers with the problem a worker wrote.
func (s *Server) passProblem(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, a *workerAnswer) error {
	setAttempts(&c.Response().Header, st.attempts)
	if a.status >= 500 {
		s.cfg.logger.Error("call failed", "route", e.route, "status", a.status, "trace", ch.trace, "error", a.Error())
	}
	s.logAccess(c, start, e, ch, st, a.status)
	if a.retryAfter != "" {
		c.Set(fiber.HeaderRetryAfter, a.retryAfter)
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	c.Status(a.status)
	return c.Send(a.body)
}

// forwardAttempt runs one attempt in the worker: it waits for a slot of
// the service's concurrency limit, as attempt does, then sends the call to
// the worker. An attempt that overruns its timeout answers at once (unless
// inline: then the caller's proxy answers it); the worker keeps running
// it, and the slot stays taken until the worker answers or is replaced
// (see supervisor.Group), so the limit is never exceeded.
//
// in is the call's request; it is copied, so it need only stay valid until
// forwardAttempt returns.
func (s *Server) forwardAttempt(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, in *fasthttp.Request, wait *time.Duration, inline bool) ([]byte, error) {
	release, now, err := s.acquireSlot(ctx, now, e, ch, wait)
	if err != nil {
		return nil, err
	}
	attemptDeadline := now.Add(e.policy.Timeout)
	if !deadline.IsZero() && deadline.Before(attemptDeadline) {
		attemptDeadline = deadline
	}
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	req.Header.SetMethodBytes(in.Header.Method())
	req.SetRequestURIBytes(in.RequestURI())
	if ct := in.Header.ContentType(); len(ct) > 0 {
		req.Header.SetContentTypeBytes(ct)
	}
	req.SetBody(in.Body())
	// The worker takes the chain as it is: its server sends it.
	var scratch [192]byte
	v := setChainHeaders(&req.Header, scratch[:0], ch, ch.depth, attemptDeadline)
	req.Header.SetCanonical(keyChain, append(v, ch.id...))
	req.Header.SetCanonical(keyWorkerKey, e.version.workerKey)

	inFlight := e.metrics.inFlight
	inFlight.Inc()
	finish := func(err error) ([]byte, error) {
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		if err != nil {
			var ce *supervisor.CrashError
			if errors.As(err, &ce) {
				return nil, &crashedError{service: e.route, reason: ce.Reason}
			}
			return nil, fmt.Errorf("%s: %w", e.desc.Name, err)
		}
		if status := resp.StatusCode(); status != http.StatusOK {
			return nil, &workerAnswer{
				status:     status,
				body:       append([]byte(nil), resp.Body()...),
				retryAfter: string(resp.Header.Peek(fiber.HeaderRetryAfter)),
				permanent:  len(resp.Header.PeekBytes(keyPermanent)) > 0,
			}
		}
		return append([]byte(nil), resp.Body()...), nil
	}
	slot := &heldSlot{release: release}
	if inline {
		timer := slot.detachAt(attemptDeadline, e.limiter, ch.id)
		err := e.version.do(req, resp, attemptDeadline)
		timer.Stop()
		inFlight.Dec()
		slot.free()
		return finish(err)
	}
	done := make(chan error, 1)
	go func() {
		err := e.version.do(req, resp, attemptDeadline)
		inFlight.Dec()
		slot.free()
		done <- err
	}()
	timer := time.NewTimer(time.Until(attemptDeadline))
	defer timer.Stop()
	select {
	case err := <-done:
		return finish(err)
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, s.overran(ctx, e, ch, slot, func() error {
		_, err := finish(<-done)
		return err
	})
}

// do sends one attempt to the worker that runs the version's code. A
// shared worker can be replaced between the lookup and the attempt: the
// attempt then goes to the one that replaced it.
func (v *version) do(req *fasthttp.Request, resp *fasthttp.Response, deadline time.Time) error {
	for {
		g := v.worker()
		err := g.Do(req, resp, deadline)
		if errors.Is(err, supervisor.ErrRetired) && v.worker() != g {
			continue
		}
		return err
	}
}
