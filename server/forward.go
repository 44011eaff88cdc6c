package server

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"
)

// An answer is an answer of a service's code other than 200: the problem
// it wrote, passed on as it is. It is an error so that the retry policy
// sees its status.
type answer struct {
	status     int
	body       []byte
	retryAfter int
	permanent  bool             // the code's side said another attempt cannot help
	header     []protocol.Field // the headers the code set
}

// Error is the detail of the problem.
func (a *answer) Error() string {
	var p protocol.Problem
	if json.Unmarshal(a.body, &p) == nil && p.Detail != "" {
		return p.Detail
	}
	return http.StatusText(a.status)
}

// StatusCode is the status of the answer.
func (a *answer) StatusCode() int { return a.status }

// Permanent reports whether another attempt cannot help: bad input and
// other 4xx answers, and 508, as for any error.
func (a *answer) Permanent() bool {
	return a.permanent || (a.status >= 400 && a.status < 500 && a.status != http.StatusTooManyRequests) || a.status == http.StatusLoopDetected
}

// RetryAfter is the wait the answer asks for, if any.
func (a *answer) RetryAfter() time.Duration { return time.Duration(a.retryAfter) * time.Second }

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

// keyTier is protocol.HeaderTier as fasthttp keeps it.
var keyTier = []byte(protocol.HeaderTier)

var (
	valueInterpreted = []byte(tierInterpreted)
	valueCompiled    = []byte(tierCompiled)
)

// tierValue returns the value of protocol.HeaderTier for a version of tier.
func tierValue(tier string) []byte {
	if tier == tierCompiled {
		return valueCompiled
	}
	return valueInterpreted
}

// An inbound is the part of a request its attempts send on: how the
// service is called and with what.
type inbound struct {
	method      string
	query       []byte
	contentType string
	body        []byte
	// header and remoteAddr are the request's, for a service that reads
	// them (one that takes a context).
	header     []protocol.Field
	remoteAddr string
}

// inboundOf reads the inbound of a request of e. It aliases the
// request's buffers: copy it (see detach) before it outlives the handler.
func inboundOf(c *fiber.Ctx, e *endpoint) inbound {
	r := c.Request()
	in := inbound{
		method:      methodName(c.Method()),
		query:       r.URI().QueryString(),
		contentType: string(r.Header.ContentType()),
		body:        r.Body(),
	}
	if e.desc.Context {
		// Only a service that takes a context can read the request: the
		// others cost no copy of it.
		for k, v := range r.Header.All() {
			if forwardedHeader(k) {
				in.header = append(in.header, protocol.Field{Name: string(k), Value: v})
			}
		}
		in.remoteAddr = c.Context().RemoteAddr().String()
	} else if e.stream {
		// A stream is newline-delimited JSON or server-sent events, as
		// the client accepts.
		if a := r.Header.Peek(fiber.HeaderAccept); len(a) > 0 {
			in.header = []protocol.Field{{Name: fiber.HeaderAccept, Value: a}}
		}
	}
	return in
}

// methodName returns a request's method as a string of its own: Fiber's
// aliases the request's buffer, which the next request on the connection
// overwrites, and an inbound may outlive its request (detach). The
// methods a service is called with are constants.
func methodName(m string) string {
	switch m {
	case fiber.MethodGet:
		return fiber.MethodGet
	case fiber.MethodPost:
		return fiber.MethodPost
	case fiber.MethodHead:
		return fiber.MethodHead
	}
	return strings.Clone(m)
}

// forwardedHeader reports whether a request header is one service code
// sees (see microfn.Request): not microfn's own, nor hop-by-hop.
func forwardedHeader(name []byte) bool {
	switch {
	case bytes.HasPrefix(name, []byte(protocol.HeaderPrefix)), bytes.EqualFold(name, []byte(protocol.HeaderTraceparent)), bytes.EqualFold(name, []byte(protocol.HeaderTracestate)):
		return false
	}
	switch string(name) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade", "Content-Length":
		return false
	}
	return true
}

// detach returns a copy of in that owns its buffers.
func (in inbound) detach() inbound {
	in.query = append([]byte(nil), in.query...)
	in.body = append([]byte(nil), in.body...)
	if in.header != nil {
		h := make([]protocol.Field, len(in.header))
		for i, f := range in.header {
			h[i] = protocol.Field{Name: f.Name, Value: append([]byte(nil), f.Value...)}
		}
		in.header = h
	}
	return in
}

// handleCall runs a call of a service under its policy (slots, retries,
// timeouts): each attempt goes to the code's worker process, or to the
// host that runs it in this process, which binds the request, runs the
// code and encodes the results.
func (s *Server) handleCall(c *fiber.Ctx, start, deadline time.Time, e *endpoint, ch chain, proxied bool) error {
	c.Response().Header.SetCanonical(keyTier, tierValue(e.version.tier))
	in := inboundOf(c, e)
	var ctx context.Context = context.Background()
	if !proxied {
		dc := &deadlineContext{deadline: deadline}
		defer dc.stop()
		ctx = dc
	}
	resp, st, err := s.execute(ctx, start, deadline, e, ch, in, proxied)
	if err != nil {
		var a *answer
		if errors.As(err, &a) {
			return s.passProblem(c, start, e, ch, st, a)
		}
		return s.fail(c, start, e, ch, st, err)
	}
	setAttempts(&c.Response().Header, st.attempts)
	setAnswerHeaders(&c.Response().Header, resp.Header)
	if resp.ContentType != "" && resp.ContentType != fiber.MIMEApplicationJSON {
		c.Response().Header.SetContentType(resp.ContentType) // a file, a stream
	} else {
		c.Response().Header.SetContentType(fiber.MIMEApplicationJSON)
	}
	c.Status(resp.Status)
	s.logAccess(c, start, e, ch, st, resp.Status)
	if body, ok := resp.Buffered(); ok {
		if !e.stream {
			s.maybeShadow(e, ch, in, resp.Status, body)
		}
		return c.Send(body)
	}
	// A bigger answer streams from the code to the client as the client
	// reads it: the server holds a window of it at most.
	c.Response().SetBodyStream(&limitedBody{r: resp, limit: s.cfg.maxResponseSize, left: s.cfg.maxResponseSize}, -1)
	return nil
}

// limitedBody is the body of an answer streamed to a client, cut off
// past the largest answer allowed (the worker refuses a bigger one
// itself: this bounds a worker that does not).
type limitedBody struct {
	r           *protocol.Response
	limit, left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("the answer exceeds the limit of %d bytes", b.limit)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close stops reading the answer.
func (b *limitedBody) Close() error { return b.r.Close() }

// execute runs a call: one attempt for a call from a proxy (its proxy
// retries), else the attempts the service's policy allows.
//
// now is the time the call arrived; deadline, unless zero, the time by
// which it must be answered.
func (s *Server) execute(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, in inbound, proxied bool) (resp *protocol.Response, st callStats, err error) {
	if proxied {
		st.attempts = 1
		resp, err = s.attempt(ctx, now, deadline, e, ch, in, &st.wait, true)
		return resp, st, err
	}
	st.attempts, err = e.policy.Do(ctx, func(ctx context.Context, attempt int) error {
		if attempt > 1 {
			now = time.Now()
		}
		var err error
		resp, err = s.attempt(ctx, now, deadline, e, ch, in, &st.wait, false)
		return err
	})
	return resp, st, err
}

// passProblem answers with the problem the code's side wrote.
func (s *Server) passProblem(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, a *answer) error {
	setAttempts(&c.Response().Header, st.attempts)
	setAnswerHeaders(&c.Response().Header, a.header)
	s.maybeShadow(e, ch, inboundOf(c, e), a.status, a.body)
	if a.status >= 500 {
		s.cfg.logger.Error("call failed", "route", e.route, "status", a.status, "trace", ch.trace, "error", a.Error())
	}
	s.logAccess(c, start, e, ch, st, a.status)
	if a.retryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(a.retryAfter))
	}
	c.Set(fiber.HeaderContentType, protocol.ProblemContentType)
	c.Status(a.status)
	return c.Send(a.body)
}

// attempt runs one attempt: it waits for a slot of the service's
// concurrency limit (reentrant for the chain), then sends the attempt to
// the code and reads its answer. An attempt that overruns its timeout
// answers at once (unless inline: then the caller's proxy answers it);
// the code keeps running it, and the slot stays taken until the code
// answers or its worker is replaced (see supervisor.Group), so the limit
// is never exceeded.
//
// now is the time the attempt starts; its timeout counts from then, or
// from when it got its slot. deadline, unless zero, is the call's, which
// the attempt does not outlive (nor ctx's). It adds the time spent waiting
// for the slot to *wait. in need only stay valid until attempt returns.
//
// The answer of an attempt that succeeded is returned with its body
// unread (read it, or close it); that of one that failed is the error.
func (s *Server) attempt(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, in inbound, wait *time.Duration, inline bool) (*protocol.Response, error) {
	if !e.admit {
		return s.sendAttempt(ctx, now, deadline, e, ch, in, wait, inline)
	}
	// The worker admits the attempt (see admit.go); it is sent again
	// when the worker was replaced before it ran it.
	for {
		resp, err := s.sendAttempt(ctx, now, deadline, e, ch, in, wait, inline)
		if !errors.Is(err, supervisor.ErrReplaced) {
			return resp, err
		}
	}
}

// sendAttempt runs one attempt as attempt does: it waits for a slot of
// the service's limiter, unless the worker admits the attempt (e.admit):
// the attempt is then due by the call's deadline, within which the
// worker gives it its timeout from its slot.
func (s *Server) sendAttempt(ctx context.Context, now, deadline time.Time, e *endpoint, ch chain, in inbound, wait *time.Duration, inline bool) (*protocol.Response, error) {
	a := &sentAttempt{s: s, e: e}
	if e.admit {
		a.record.deadline = s.backstop(ctx, now, deadline)
		a.until = a.record.deadline.Add(backstopMargin)
	} else {
		var err error
		if now, err = s.acquireSlot(ctx, now, e, ch, &a.slot, wait); err != nil {
			return nil, err
		}
		a.record.deadline = now.Add(e.policy.Timeout)
		if !deadline.IsZero() && deadline.Before(a.record.deadline) {
			a.record.deadline = deadline
		}
		a.until = a.record.deadline
	}
	ch.service = e.route
	a.record.chain = ch
	s.attempts.insert(&a.record)
	a.setRequest(ch, in, inline)
	a.req.Caps = s.capsFor(e, ch, a.record.deadline)
	if e.admit {
		a.req.Admit = true
		e.holds.add(ch.id)
	}
	e.metrics.inFlight.Inc()
	if inline {
		resp, err := s.runInline(a)
		*wait += a.waited()
		return resp, err
	}
	var resp *protocol.Response
	var err error
	ok := false
	if e.version.host == nil && !e.stream {
		resp, err, ok = s.awaitSent(ctx, a, ch, in)
	}
	if !ok {
		// The attempt goes on past the handler if it overruns: it needs
		// its own copy of the request.
		resp, err = s.await(ctx, a, ch, in.detach())
	}
	*wait += a.waited()
	return resp, err
}

// runInline runs a, an attempt of a call from a proxy, on this
// goroutine: its proxy answers at its deadline, while a runs on.
func (s *Server) runInline(a *sentAttempt) (*protocol.Response, error) {
	var timer *time.Timer
	if !a.e.admit {
		timer = a.slot.detachAt(a.record.deadline, a.e.limiter, a.record.chain.id)
	}
	resp, err := a.run()
	if timer != nil {
		timer.Stop()
	}
	a.finish()
	if errors.Is(err, errOverran) {
		// Its worker answered at its deadline: it runs on there.
		s.workers.Go(func() { _ = a.runOut(nil, err) })
		return nil, &worker.TimeoutError{Service: a.e.desc.Name, Timeout: a.e.policy.Timeout}
	}
	return resp, err
}

// await runs a, an attempt of the call ch on in, on a goroutine of its
// own, and returns its answer, or what overran says when its deadline or
// ctx ends first.
func (s *Server) await(ctx context.Context, a *sentAttempt, ch chain, in inbound) (*protocol.Response, error) {
	a.req.Query, a.req.Header, a.req.Body = in.query, in.header, in.body
	return s.handOff(ctx, a, ch, a.runAsync)
}

// handOff runs job, which ends attempt a of the call ch, on a goroutine
// of its own, and returns its outcome, or what overran says when the
// attempt's deadline or ctx ends first. job sets a.resp and a.err, frees
// the attempt (finish) and then sends on a.done.
func (s *Server) handOff(ctx context.Context, a *sentAttempt, ch chain, job func()) (*protocol.Response, error) {
	a.done = doneChans.Get().(chan struct{})
	s.workers.Go(job)
	timer := acquireTimer(time.Until(a.until))
	defer releaseTimer(timer)
	select {
	case <-a.done:
		doneChans.Put(a.done)
		if errors.Is(a.err, errOverran) {
			return nil, s.runOn(ctx, a, ch)
		}
		return a.resp, a.err
	case <-timer.C:
	case <-a.doneUnless(ctx):
	}
	return nil, s.overran(ctx, a.e, ch, &a.slot, func() error {
		<-a.done
		doneChans.Put(a.done)
		return a.runOut(a.resp, a.err)
	})
}

// doneChans holds the channels of handOff for reuse: each has carried
// its one value, and been drained, when it is put back.
var doneChans = sync.Pool{New: func() any { return make(chan struct{}, 1) }}

// runAsync runs the attempt for await.
func (a *sentAttempt) runAsync() {
	a.resp, a.err = a.run()
	a.finish()
	a.done <- struct{}{}
}

// awaitSent sends a, an attempt of the call ch on in, to the worker of
// its version from this goroutine, and waits for the answer here: the
// goroutine of its own that await hands an attempt to is needed only when
// the answer is not a plain success, or does not come in time. ok is
// false when no worker takes the attempt at the moment: await waits for
// one.
func (s *Server) awaitSent(ctx context.Context, a *sentAttempt, ch chain, in inbound) (resp *protocol.Response, err error, ok bool) {
	sent, err := a.e.version.send(&a.record, &a.req.Call, in.body, a.record.deadline)
	switch {
	case errors.Is(err, supervisor.ErrNoLiveWorker):
		return nil, nil, false
	case err != nil:
		resp, err = a.settle(nil, err)
		a.finish()
		return resp, err, true
	}
	timer := acquireTimer(time.Until(a.until))
	defer releaseTimer(timer)
	select {
	case <-sent.Ready():
		took := !sent.Failed()
		if took {
			resp, err = sent.Response()
			if err == nil && resp.Status >= 200 && resp.Status <= 299 {
				// A success: nothing to wait for.
				resp, err = a.settle(resp, err)
				a.finish()
				return resp, err, true
			}
			if err == nil && resp.Overran {
				// Its worker answered at its deadline: it runs on.
				_, _ = a.settle(resp, nil)
				return nil, s.runOn(ctx, a, ch), true
			}
		}
		// A problem to read, or a failure to tell apart from a crash:
		// each may wait, which a goroutine of its own does.
		taken, takenErr := resp, err
		resp, err = s.handOff(ctx, a, ch, func() {
			if took {
				a.resp, a.err = a.settle(taken, takenErr)
			} else {
				a.resp, a.err = a.settle(sent.Response())
			}
			a.finish()
			a.done <- struct{}{}
		})
		return resp, err, true
	case <-timer.C:
	case <-a.doneUnless(ctx):
	}
	return nil, s.overran(ctx, a.e, ch, &a.slot, func() error {
		<-sent.Ready()
		resp, err := a.settle(sent.Response())
		a.finish()
		return a.runOut(resp, err)
	}), true
}

// doneUnless returns ctx's Done channel, or nil when a timer set for
// a.until stands for it: ctx cannot end before the attempt's deadline,
// or the attempt's worker admits it and answers at its deadline itself
// (a.until is then a backstop, past the call's deadline and ctx's).
func (a *sentAttempt) doneUnless(ctx context.Context) <-chan struct{} {
	if a.e.admit {
		return nil
	}
	return doneUnlessBy(ctx, a.record.deadline)
}

// runOn accounts for a, an attempt its worker answered 504 at its
// deadline (a.overrun) while the execution runs on there: as a runaway
// until the answer's body ends, with the execution.
func (s *Server) runOn(ctx context.Context, a *sentAttempt, ch chain) error {
	return s.overran(ctx, a.e, ch, &a.slot, func() error { return a.runOut(nil, errOverran) })
}

// runOut ends an attempt whose outcome nobody waits for any more (settle
// and finish have seen it): it closes resp, or for an attempt that
// overran in its worker, waits for the end of the execution there.
func (a *sentAttempt) runOut(resp *protocol.Response, err error) error {
	if errors.Is(err, errOverran) {
		_, err = io.Copy(io.Discard, a.overrun)
		a.overrun.Close()
		a.s.attempts.remove(a.record.id)
		a.release()
		return err
	}
	if resp != nil {
		resp.Close()
	}
	return err
}

// backstop returns the deadline of an attempt its worker admits: the
// call's, or ctx's when it ends sooner (a retry budget). The worker
// gives the attempt its timeout from its slot, within it.
func (s *Server) backstop(ctx context.Context, now, deadline time.Time) time.Time {
	if deadline.IsZero() {
		deadline = now.Add(s.cfg.callDeadline)
	}
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	return deadline
}

// backstopMargin is how long past the backstop the server waits for the
// answer of an attempt its worker admits, which answers at that deadline
// itself: only a worker that does not answer leaves the server to.
const backstopMargin = 250 * time.Millisecond

// errOverran is the outcome settle gives an attempt its worker answered
// 504 at its deadline (protocol.Reply.Overran): the execution runs on.
var errOverran = errors.New("the attempt ran past its deadline in its worker")

// A sentAttempt is an attempt sent to the code of a service: until the
// code answers, it holds its record (which nested calls name, and which
// has its chain and its deadline), a slot of the service's concurrency
// limit and its count in flight.
type sentAttempt struct {
	s      *Server
	e      *endpoint
	record attemptRecord
	slot   heldSlot
	// until is when the server stops waiting for the answer: the
	// attempt's deadline, or a backstop past the call's deadline for an
	// attempt its worker admits.
	until time.Time
	// wait is how long the attempt waited for a slot in the worker
	// that admitted it (protocol.Reply.Wait), in nanoseconds.
	wait atomic.Int64
	// overrun is the 504 of an attempt its worker answered at its
	// deadline: its body ends when the execution ends.
	overrun *protocol.Response
	// req is the call sent, with the request's body (await makes its
	// buffers copies of the attempt's own); local is the room of the
	// answer of one run in this process.
	req   protocol.Request
	local protocol.LocalCall
	// streaming is set when the attempt answered with a stream: it goes
	// on, its record and its slot held, until the stream is read or
	// given up.
	streaming bool

	// For an attempt run on a goroutine of its own (handOff): the
	// attempt's outcome, set before done has a value.
	done chan struct{}
	resp *protocol.Response
	err  error
}

// setRequest sets the call of a, of the chain ch on in; a proxy's call
// (proxied) is answered with JSON its proxy decodes (a file too, a
// stream as newline-delimited JSON).
func (a *sentAttempt) setRequest(ch chain, in inbound, proxied bool) {
	a.req.Body = in.body
	a.req.Call = protocol.Call{
		Attempt:     a.record.id,
		Route:       a.e.route,
		Method:      in.method,
		Query:       in.query,
		ContentType: in.contentType,
		Chain:       ch.protocol(a.record.deadline),
		Header:      in.header,
		RemoteAddr:  in.remoteAddr,
		Caller:      ch.caller,
		Claims:      ch.claims,
		Proxied:     proxied,
		Parent:      ch.parent,
	}
}

// run sends the attempt, with the request body, to the code and reads
// its answer: a success with its body unread, or an error (an *answer
// for a problem the code wrote).
func (a *sentAttempt) run() (*protocol.Response, error) {
	return a.settle(a.e.version.do(&a.record, &a.req, &a.local, a.record.deadline, a.e.stream))
}

// settle makes the outcome of the attempt of the answer the code gave
// (resp and err of version.do): a success with its body unread, or an
// error (an *answer for a problem the code wrote).
func (a *sentAttempt) settle(resp *protocol.Response, err error) (*protocol.Response, error) {
	e := a.e
	if err == nil && e.stream && resp.Status >= 200 && resp.Status <= 299 {
		a.wait.Store(int64(resp.Wait))
		a.streaming = true
		resp.OnDone(func() {
			a.s.attempts.remove(a.record.id)
			e.metrics.inFlight.Dec()
			a.slot.free()
			if e.admit {
				e.holds.done(a.record.chain.id)
			}
		})
		return resp, nil
	}
	if err == nil && resp.Overran {
		// The execution runs on in the worker: its record stays, for the
		// calls it makes, until it ends (runOut).
		a.wait.Store(int64(resp.Wait))
		a.overrun = resp
		return nil, errOverran
	}
	defer a.s.attempts.remove(a.record.id)
	if err == nil {
		a.wait.Store(int64(resp.Wait))
		if resp.Rejected {
			a.s.metrics.rejected.WithLabelValues(e.route).Inc()
		}
	}
	if err != nil {
		var ce *supervisor.CrashError
		if errors.As(err, &ce) {
			return nil, &crashedError{service: e.route, reason: ce.Reason}
		}
		return nil, fmt.Errorf("%s: %w", e.desc.Name, err)
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		return resp, nil
	}
	problem, err := resp.ReadAll(maxProblemSize)
	if err != nil {
		return nil, fmt.Errorf("%s: read the answer: %w", e.desc.Name, err)
	}
	return nil, &answer{status: resp.Status, body: problem, retryAfter: resp.RetryAfter, permanent: resp.Permanent, header: resp.Header}
}

// finish frees the slot of an attempt that has answered, unless it
// streams (then its stream's end does) or runs on past its deadline in
// the worker that admitted it (then runOut does).
func (a *sentAttempt) finish() {
	if !a.streaming && a.overrun == nil {
		a.release()
	}
}

// release frees the slot of an attempt that has ended, and its count.
func (a *sentAttempt) release() {
	a.e.metrics.inFlight.Dec()
	a.slot.free()
	if a.e.admit {
		a.e.holds.done(a.record.chain.id)
	}
}

// waited returns how long the attempt waited for a slot in the worker
// that admitted it.
func (a *sentAttempt) waited() time.Duration { return time.Duration(a.wait.Load()) }

// maxProblemSize bounds the problem document of a failed attempt.
const maxProblemSize = 1 << 20

// do sends one attempt, req, to the code of the version: its worker, or
// the host in this process, whose answer lc holds. rec learns which of
// them it was sent to: only that code may make calls on its behalf. A
// shared worker can be replaced between the lookup and the attempt: the
// attempt then goes to the one that replaced it.
func (v *version) do(rec *attemptRecord, req *protocol.Request, lc *protocol.LocalCall, deadline time.Time, stream bool) (*protocol.Response, error) {
	call, body := &req.Call, req.Body
	if v.host != nil {
		rec.setOwner(v.host)
		if stream {
			// The code runs on a goroutine of its own, and its stream
			// is read as it writes it.
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			return protocol.Local{Handler: v.host}.Call(ctx, call, body)
		}
		return protocol.Local{Handler: v.host}.CallIn(context.Background(), req, lc)
	}
	for {
		g := v.worker()
		if g == nil {
			return nil, errors.New("no worker runs this package here")
		}
		rec.setOwner(g)
		resp, err := g.Do(context.Background(), call, body, deadline)
		if errors.Is(err, supervisor.ErrRetired) && v.worker() != g {
			continue
		}
		return resp, err
	}
}

// send sends one attempt to the worker of the version, as do does, and
// returns without waiting for the answer (see supervisor.Group.Send).
func (v *version) send(rec *attemptRecord, call *protocol.Call, body []byte, deadline time.Time) (supervisor.SentAttempt, error) {
	for {
		g := v.worker()
		if g == nil {
			return supervisor.SentAttempt{}, errors.New("no worker runs this package here")
		}
		rec.setOwner(g)
		sent, err := g.Send(call, body, deadline)
		if errors.Is(err, supervisor.ErrRetired) && v.worker() != g {
			continue
		}
		return sent, err
	}
}

// setAnswerHeaders adds the headers the code set to a response, but for
// those service code may not set (protocol.ReservedHeader): the worker's
// host drops them already, and a worker whose code writes frames of its
// own could send them anyway.
func setAnswerHeaders(h *fasthttp.ResponseHeader, fields []protocol.Field) {
	for _, f := range fields {
		if !protocol.ReservedHeader(f.Name) {
			h.Add(f.Name, string(f.Value))
		}
	}
}

// protocol returns the chain of an attempt at c's place, due by deadline,
// as the worker protocol carries it.
func (c chain) protocol(deadline time.Time) protocol.Chain {
	p := protocol.Chain{Span: c.span, Depth: c.depth, Deadline: deadline}
	_, _ = hex.Decode(p.ID[:], []byte(c.id))
	_, _ = hex.Decode(p.Trace[:], []byte(c.trace))
	return p
}

// A deadlineContext is the context of a call from a client: it ends at
// the call's deadline. It stands for context.WithDeadline(
// context.Background(), deadline), which is on the path of every call,
// but is cheaper: its timer starts only when something waits on Done
// (a call that waits for a slot, or between retries), and await, which
// waits with a timer of its own, need not.
type deadlineContext struct {
	deadline time.Time

	mu     sync.Mutex
	inner  context.Context // the real deadline context, made by the first Done
	cancel context.CancelFunc
}

// Deadline returns the call's deadline.
func (c *deadlineContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done returns a channel closed at the deadline.
func (c *deadlineContext) Done() <-chan struct{} { return c.started().Done() }

// Err returns context.DeadlineExceeded once the deadline has passed.
func (c *deadlineContext) Err() error {
	c.mu.Lock()
	inner := c.inner
	c.mu.Unlock()
	if inner == nil {
		if time.Now().Before(c.deadline) {
			return nil
		}
		// Done and Err agree: Done is closed from now on.
		inner = c.started()
	}
	return inner.Err()
}

// Value returns nil: the context carries no values.
func (c *deadlineContext) Value(any) any { return nil }

// started returns the real deadline context, making it on first use.
func (c *deadlineContext) started() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner == nil {
		c.inner, c.cancel = context.WithDeadline(context.Background(), c.deadline)
	}
	return c.inner
}

// stop frees the timer of the real context, if it was made.
func (c *deadlineContext) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
	}
}

// doneUnlessBy returns ctx's Done channel, or nil when ctx is a
// deadlineContext that cannot end before deadline: a timer set for
// deadline stands for it.
func doneUnlessBy(ctx context.Context, deadline time.Time) <-chan struct{} {
	if dc, ok := ctx.(*deadlineContext); ok && !dc.deadline.Before(deadline) {
		return nil
	}
	return ctx.Done()
}

// timers holds stopped timers for reuse: an attempt waits with one.
var timers = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

// acquireTimer returns a timer that fires after d; give it back with
// releaseTimer.
func acquireTimer(d time.Duration) *time.Timer {
	t := timers.Get().(*time.Timer)
	t.Reset(d)
	return t
}

// releaseTimer stops t and keeps it for reuse. (Since Go 1.23, a stopped
// timer's channel holds no stale value.)
func releaseTimer(t *time.Timer) {
	t.Stop()
	timers.Put(t)
}
