package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

// The server is the only authority on call chains: every attempt it sends
// to service code gets an id, and a nested call the code makes names the
// attempt it is made by. The server takes the chain, the depth, the
// deadline and the caller from its own record of that attempt, which
// lives as long as the attempt runs. The code holds no key; whatever it
// does, it can only call on behalf of the attempts it is running, no
// deeper and no later than they are.

// An attemptRecord is the server's record of an attempt in flight.
type attemptRecord struct {
	id       uint64
	chain    chain // the attempt's chain; its service is the one called
	deadline time.Time
	// owner is the code the attempt was sent to: a worker group, or a
	// host in this process (always a pointer of the same type for one
	// record). Only its calls may name the attempt.
	owner atomic.Value
}

// setOwner records o, a pointer, as the code the attempt was sent to.
func (r *attemptRecord) setOwner(o any) { r.owner.Store(o) }

// ownedBy reports whether the attempt was sent to o.
func (r *attemptRecord) ownedBy(o any) bool { return r.owner.Load() == o }

// attemptShards is the number of independently locked parts of an
// attemptTable.
const attemptShards = 64

// An attemptTable holds the attempts in flight by id. It is safe for
// concurrent use.
type attemptTable struct {
	next   atomic.Uint64
	shards [attemptShards]struct {
		mu sync.Mutex
		m  map[uint64]*attemptRecord
	}
}

// add records an attempt of the chain ch due by deadline, with a new id.
func (t *attemptTable) add(ch chain, deadline time.Time) *attemptRecord {
	r := &attemptRecord{chain: ch, deadline: deadline}
	t.insert(r)
	return r
}

// insert records r, whose chain and deadline are set, with a new id: add
// for a record that lives in another struct (see sentAttempt).
func (t *attemptTable) insert(r *attemptRecord) {
	r.id = t.next.Add(1)
	sh := &t.shards[r.id%attemptShards]
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = map[uint64]*attemptRecord{}
	}
	sh.m[r.id] = r
	sh.mu.Unlock()
}

// get returns the attempt id, if it is in flight.
func (t *attemptTable) get(id uint64) *attemptRecord {
	sh := &t.shards[id%attemptShards]
	sh.mu.Lock()
	r := sh.m[id]
	sh.mu.Unlock()
	return r
}

// remove forgets attempt id: it has ended, and its id is dead.
func (t *attemptTable) remove(id uint64) {
	sh := &t.shards[id%attemptShards]
	sh.mu.Lock()
	delete(sh.m, id)
	sh.mu.Unlock()
}

// nestedHandler returns the handler of the nested calls made by the code
// of owner (a worker group, or a host in this process).
func (s *Server) nestedHandler(owner any) protocol.Handler {
	return protocol.HandlerFunc(func(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
		if req.Method == protocol.MethodCalls {
			s.serveDirectCalls(owner, req, w)
			return
		}
		s.serveNested(ctx, owner, req, w)
	})
}

// serveNested runs a nested call that service code made through a proxy:
// one attempt of the callee, under the callee's concurrency limit, at the
// callee's route here, or on the server that serves it (--route). The
// caller's proxy retries.
func (s *Server) serveNested(ctx context.Context, owner any, req *protocol.Request, w protocol.ReplyWriter) {
	start := time.Now()
	rec := s.attempts.get(req.Attempt)
	if req.Attempt == 0 {
		rec = s.peerParent(owner, req)
	}
	if rec == nil || !rec.ownedBy(owner) {
		// A call on behalf of an attempt this code is not running: one
		// that has ended, or was never its own.
		s.replyNested(w, req.Route, microfn.Permanent(microfn.Error(http.StatusForbidden,
			"call of %s refused: it names attempt %d, which this code is not running (a call made after the call that started it ended, or a forged one)", req.Route, req.Attempt)))
		return
	}
	parent := rec.chain
	ch := parent.child()
	ch.depth = max(ch.depth, req.Chain.Depth) // deeper only: calls made in the worker (--monolith, direct)
	ch.parent = rec.id
	deadline := rec.deadline
	if d := req.Chain.Deadline; !d.IsZero() && d.Before(deadline) {
		deadline = d
	}
	in := inbound{method: http.MethodPost, contentType: req.ContentType, body: req.Body}
	var e *endpoint
	st := callStats{attempts: 1}
	// The call is counted and logged as its answer starts: before the
	// caller can go on.
	w = &accountedWriter{ReplyWriter: w, account: func(status int) {
		s.accountNested(e, req.Route, parent.service, req.Try, ch.depth, ch.trace, st, status, time.Since(start), "http")
	}}
	if ch.depth > s.cfg.maxDepth {
		s.replyNested(w, req.Route, &worker.DepthError{Depth: ch.depth, Max: s.cfg.maxDepth})
		return
	}
	g := s.packages.generation()
	e = g.routes[req.Route]
	if e != nil && !e.version.acquire() {
		e = s.packages.generation().routes[req.Route] // retired meanwhile: the newer one
		if e != nil && !e.version.acquire() {
			e = nil
		}
	}
	if e == nil {
		s.remoteNested(ctx, req, parent, ch, deadline, w)
		return
	}
	defer e.version.release()
	s.peerCarried(owner, parent.service, e)
	resp, err := s.attempt(ctx, start, deadline, e, ch, in, &st.wait, true)
	var a *answer
	switch {
	case errors.As(err, &a):
		_ = w.Reply(&protocol.Reply{Status: a.status, Permanent: a.permanent, RetryAfter: a.retryAfter, ContentType: protocol.ProblemContentType}, a.body)
	case err != nil:
		if status := protocol.StatusOf(err); status >= 500 {
			s.cfg.logger.Error("call failed", "route", e.route, "status", status, "trace", ch.trace, "error", err.Error())
		}
		s.replyNested(w, req.Route, err)
	default:
		head := &protocol.Reply{Status: resp.Status, ContentType: resp.ContentType}
		if head.ContentType == "" {
			head.ContentType = "application/json"
		}
		if body, ok := resp.Buffered(); ok {
			_ = w.Reply(head, body)
			return
		}
		// A bigger answer streams from the callee to the caller, each
		// connection's window bounding what waits in between.
		defer resp.Close()
		if w.Start(head) == nil {
			_, _ = io.Copy(w, io.LimitReader(resp, s.cfg.maxResponseSize))
			_ = w.Close()
		}
	}
}

// An accountedWriter counts and logs a nested call when its answer
// starts.
type accountedWriter struct {
	protocol.ReplyWriter
	account func(status int)
	done    bool
}

func (a *accountedWriter) once(status int) {
	if !a.done {
		a.done = true
		a.account(status)
	}
}

// Reply accounts for the call, then answers it.
func (a *accountedWriter) Reply(r *protocol.Reply, body []byte) error {
	a.once(r.Status)
	return a.ReplyWriter.Reply(r, body)
}

// Start accounts for the call, then starts its answer.
func (a *accountedWriter) Start(r *protocol.Reply) error {
	a.once(r.Status)
	return a.ReplyWriter.Start(r)
}

// replyNested answers a nested call with the problem of err.
func (s *Server) replyNested(w protocol.ReplyWriter, route string, err error) {
	p := protocol.ProblemOf(err, route)
	_ = w.Reply(&protocol.Reply{Status: p.Status, Permanent: !policy.Retryable(err), RetryAfter: protocol.RetryAfterOf(err), ContentType: protocol.ProblemContentType}, p.Body())
}

// remoteNested carries a nested call of a service this server does not
// serve to the server that does (--route), over HTTP, with the chain's
// headers signed, and answers with what it answered.
func (s *Server) remoteNested(ctx context.Context, req *protocol.Request, parent, ch chain, deadline time.Time, w protocol.ReplyWriter) {
	route := req.Route
	key := strings.TrimPrefix(route, "/")
	rel := path.Dir(key)
	base, ok := s.cfg.routes.lookup(route, rel)
	if !ok {
		err := microfn.Error(http.StatusBadGateway,
			"%s is not served here and has no route: serve it elsewhere and pass --route %s=http://HOST:PORT (or set %s%s)",
			key, key, RouteEnvPrefix, strings.ReplaceAll(key, "/", "_"))
		s.replyNested(w, route, microfn.Permanent(err))
		return
	}
	hreq := fasthttp.AcquireRequest()
	hresp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(hreq)
	defer fasthttp.ReleaseResponse(hresp)
	hreq.SetBodyRaw(req.Body)
	hreq.SetRequestURI(base + route)
	hreq.Header.SetMethod(fasthttp.MethodPost)
	hreq.Header.SetContentType("application/json")
	var scratch [192]byte
	v := setChainHeaders(&hreq.Header, scratch[:0], parent, ch.depth, deadline)
	hreq.Header.SetCanonical(keyChain, s.signer.appendHeader(v, ch, deadline, route))
	if who := callerHeader(ch); who != nil {
		hreq.Header.SetCanonical(keyCaller, who)
	}
	if s.cfg.token != "" {
		hreq.Header.Set(fasthttp.HeaderAuthorization, "Bearer "+s.cfg.token)
	}
	if err := s.client.DoDeadline(hreq, hresp, deadline); err != nil {
		var fail error = fmt.Errorf("cannot reach %s at %s: %w", route, base, err)
		status := http.StatusBadGateway
		if errors.Is(err, fasthttp.ErrTimeout) {
			status = http.StatusGatewayTimeout
			fail = fmt.Errorf("%s: %w", route, context.DeadlineExceeded)
		}
		s.replyNested(w, route, microfn.Error(status, "%v", fail))
		return
	}
	status := hresp.StatusCode()
	_ = w.Reply(&protocol.Reply{
		Status:      status,
		Permanent:   len(hresp.Header.Peek(protocol.HeaderPermanent)) > 0,
		RetryAfter:  protocol.ParseRetryAfter(string(hresp.Header.Peek(fasthttp.HeaderRetryAfter))),
		ContentType: string(hresp.Header.ContentType()),
	}, append([]byte(nil), hresp.Body()...))
}

// accountNested counts and logs one attempt of a nested call of route (e,
// nil when it is not served here) by caller, try of its proxy, at depth
// in the chain of trace, which ended with status after d; via is the
// path it took (see logNestedAccess). A proxy's call counts once, by its
// first attempt; the others are its retries.
func (s *Server) accountNested(e *endpoint, route, caller string, try, depth int, trace string, st callStats, status int, d time.Duration, via string) {
	if e != nil {
		if try > 1 {
			e.metrics.retries.Inc()
		} else {
			s.metrics.observeNested(e.metrics, caller, status)
		}
		s.metrics.observeCall(e.metrics, status, d, st, via)
	}
	s.logNestedAccess(route, depth, trace, st, status, d, via)
}

// logNestedAccess writes the access line of a nested call, indented by
// its depth so that the calls of a chain show as a tree: via is the path
// it took, http through the server, worker in the worker that runs both
// caller and callee.
func (s *Server) logNestedAccess(route string, depth int, trace string, st callStats, status int, d time.Duration, via string) {
	if s.cfg.quiet {
		return
	}
	s.cfg.logger.Info(fmt.Sprintf("%sPOST %s", strings.Repeat("  ", max(depth, 0)), route),
		"status", status,
		"duration", d.Round(time.Microsecond).String(),
		"attempts", st.attempts,
		"wait", st.wait.Round(time.Microsecond).String(),
		"depth", depth,
		"trace", trace,
		"via", via,
	)
}
