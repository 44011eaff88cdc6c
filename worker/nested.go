package worker

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/internal/callinfo"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// CallFunc returns the function the proxies of the host's packages call:
// it carries each call to the callee's route through the server, or runs
// it in process (--monolith, or the direct path: see direct.go), under
// the callee's retry policy.
func (h *Host) CallFunc() svcrt.CallFunc { return h.call }

// ErrNoAttempt is the error of a service called by code that runs outside
// any call of its package: from a timer, or a goroutine started by init.
// A worker makes calls only on behalf of the calls it is serving.
var ErrNoAttempt = errors.New("services can be called only while a call of the package runs (from a service, or a goroutine one started and that has not outlived it)")

func (h *Host) call(c *svcrt.Call) error {
	name := c.Service.Desc.Name
	e := h.callees[c.Service]
	if e == nil {
		return microfn.Permanent(microfn.NewRemoteError(name, http.StatusInternalServerError, "the service is not known to this worker", 0))
	}
	parent, ok := attemptOf(c.Caller)
	if !ok {
		parent, ok = attemptOf(c.Ctx)
	}
	if !ok {
		return microfn.Permanent(microfn.NewRemoteError(name, http.StatusInternalServerError, fmt.Sprintf("%s: %v", name, ErrNoAttempt), 0))
	}
	depth := parent.chain.Depth + 1
	if max := h.cfg.Settings.MaxDepth; max > 0 && depth > max {
		err := &DepthError{Depth: depth, Max: max}
		return microfn.Permanent(microfn.NewRemoteError(name, err.StatusCode(), err.Error(), 0))
	}
	if c.Service.Func.Streams() {
		// Through the server, --monolith or not: the callee's stream
		// runs under its own attempt, its limits and its deadline.
		return h.callStream(c, e, parent, depth)
	}
	local := h.cfg.Settings.Monolith && e.own
	start := time.Now()
	_, err := e.policy.Do(c.Ctx, func(ctx context.Context, try int) error {
		if local {
			return h.localCall(ctx, e, parent, depth, c)
		}
		if h.direct(e, parent) {
			return h.directCall(ctx, e, parent, depth, try, c)
		}
		if l := h.peerFor(e, parent); l != nil {
			if err := h.peerCall(ctx, l, e, parent, depth, try, c); !errors.Is(err, errMoved) {
				return err
			}
		}
		return h.remoteCall(ctx, e, parent, depth, try, c)
	})
	if local {
		// The server never sees this call: it reads the count.
		h.observeLocal(parent.route, e.route, microfn.StatusOf(err), time.Since(start))
	}
	if err != nil {
		if _, ok := protocol.NestedFailure(err); !ok {
			// A failure to reach the callee.
			err = microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf("cannot reach %s: %v", name, err), 0)
		}
		// The call had its retries: the caller must not retry it again.
		return microfn.Permanent(err)
	}
	return nil
}

// remoteCall makes one attempt of a nested call through the server.
func (h *Host) remoteCall(ctx context.Context, e *endpoint, parent *attemptContext, depth, try int, c *svcrt.Call) error {
	name := e.svc.Desc.Name
	up := h.upstream.Load()
	if up == nil {
		return microfn.Permanent(fmt.Errorf("call %s: this worker has no server to call", name))
	}
	body, err := c.Service.Func.AppendArgs(nil, c.Args)
	if err != nil {
		return microfn.Permanent(fmt.Errorf("call %s: encode arguments: %w", name, err))
	}
	// The attempt may take the callee's timeout, and no longer than the
	// caller's deadline; the callee gets that deadline, and the answer
	// comes when it passes.
	deadline := time.Now().Add(e.policy.Timeout)
	callerDeadline, hasDeadline := ctx.Deadline()
	if hasDeadline && callerDeadline.Before(deadline) {
		deadline = callerDeadline
	}
	call := protocol.Call{
		Attempt:     parent.id,
		Route:       e.route,
		Method:      http.MethodPost,
		ContentType: "application/json",
		Proxied:     true,
		Try:         try,
		Chain:       protocol.Chain{Depth: depth, Deadline: deadline},
	}
	if parent.root != nil && parent.root.peer != nil {
		// On behalf of a call from another worker, which the server
		// did not send: the capability of this package names its chain.
		if c := capabilityFor(parent.caps, h.cfg.Package); c != nil {
			call.Caps = []protocol.Capability{*c}
		}
	}
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	resp, err := (*up).Call(cctx, &call, body)
	if err != nil {
		switch {
		case !errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("call %s: %w", name, err)
		case hasDeadline && !callerDeadline.After(deadline):
			// The caller's deadline: 504, as the server answers it, and
			// as a call run in process does.
			return microfn.NewRemoteError(name, http.StatusGatewayTimeout, fmt.Sprintf("%s: %v", name, context.DeadlineExceeded), 0)
		}
		to := &TimeoutError{Service: name, Timeout: e.policy.Timeout}
		return microfn.NewRemoteError(name, to.StatusCode(), to.Error(), 0)
	}
	return decodeAnswer(name, resp, c)
}

// decodeAnswer reads the answer resp of a nested call of the service
// name into c's results, or returns the error it carries: the callee's
// problem, as its error, for a status other than 2xx.
func decodeAnswer(name string, resp *protocol.Response, c *svcrt.Call) error {
	data, err := resp.ReadAll(0)
	if err != nil {
		return fmt.Errorf("call %s: read the answer: %w", name, err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		return protocol.DecodeProblem(name, resp.Status, data, resp.RetryAfter, c)
	}
	if err := c.Service.Func.DecodeResults(data, c.Results); err != nil {
		return microfn.Permanent(fmt.Errorf("call %s: %w", name, err))
	}
	return nil
}

// localCall runs one attempt of a nested call in process (--monolith),
// with the errors a call through the server would give: it waits for a
// slot of the callee's limit (reentrant for the chain), runs the
// implementation under the callee's timeout, and answers at the timeout
// while the execution goes on, holding its slot until it ends.
func (h *Host) localCall(ctx context.Context, e *endpoint, parent *attemptContext, depth int, c *svcrt.Call) error {
	chainKey := hex.EncodeToString(parent.chain.ID[:]) // as the server keys its limiters
	release, err := acquire(ctx, e, chainKey)
	if err != nil {
		return microfn.NewRemoteError(e.svc.Desc.Name, protocol.StatusOf(err), err.Error(), time.Duration(protocol.RetryAfterOf(err))*time.Second)
	}
	_, err = h.runLocal(ctx, e, parent, depth, c, &heldSlot{release: release, limiter: e.limiter, chain: chainKey})
	return err
}

// runLocal runs one attempt of a nested call of e in process, on behalf
// of parent, under e's timeout and ctx's deadline: it answers at the
// deadline while the execution goes on (overran is then true), holding
// slot, if any, until it ends. Its errors are those the server path
// gives.
func (h *Host) runLocal(ctx context.Context, e *endpoint, parent *attemptContext, depth int, c *svcrt.Call, slot *heldSlot) (overran bool, err error) {
	name := e.svc.Desc.Name
	deadline := time.Now().Add(e.policy.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	actx := h.childAttempt(ctx, e, parent, depth, deadline)
	type result struct {
		out []reflect.Value
		err error
	}
	done := make(chan result, 1)
	h.cfg.Go(func() {
		if slot != nil {
			defer slot.free()
		}
		out, err := e.svc.Invoke(actx, c.Args)
		done <- result{out, err}
	})
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	var r result
	select {
	case r = <-done:
	case <-timer.C:
		// The execution goes on, and keeps its slot, but no longer as
		// the chain's: a retry of the same chain must wait for a slot.
		actx.end()
		if slot != nil {
			slot.detach()
		}
		if hd, ok := ctx.Deadline(); ok && !hd.After(deadline) {
			return true, microfn.NewRemoteError(name, http.StatusGatewayTimeout, fmt.Sprintf("%s: %v", name, context.DeadlineExceeded), 0)
		}
		to := &TimeoutError{Service: name, Timeout: e.policy.Timeout}
		return true, microfn.NewRemoteError(name, to.StatusCode(), to.Error(), 0)
	}
	actx.end()
	if r.err != nil {
		return false, e.callError(r.err, c)
	}
	if slot != nil && !h.cfg.Settings.Quiet {
		// --monolith: the server never sees the call.
		h.cfg.Logger.Info(fmt.Sprintf("%scall %s", strings.Repeat("  ", max(depth, 0)), e.route),
			"depth", depth, "trace", hex.EncodeToString(actx.chain.Trace[:]), "via", "local")
	}
	return false, c.Service.Func.SetResults(r.out, c.Results)
}

// childAttempt returns the context of an attempt of e run in process on
// behalf of parent, at depth, due by deadline: it carries parent's id and
// chain, so that the calls it makes through the server name an attempt
// the server knows.
func (h *Host) childAttempt(ctx context.Context, e *endpoint, parent *attemptContext, depth int, deadline time.Time) *attemptContext {
	ch := parent.chain
	ch.Depth = depth
	actx := newAttemptContext(context.WithoutCancel(ctx), parent.id, ch, e.route, deadline)
	actx.caller, actx.claims, actx.caps = parent.caller, parent.claims, parent.caps
	actx.up, actx.root = parent, parent.root
	if e.svc.Desc.Context {
		// A call made by another service carries the chain's caller,
		// claims and trace, and nothing of the client's request.
		actx.info = &callinfo.Info{Request: &microfn.Request{Method: http.MethodPost, Route: e.route, Header: http.Header{},
			Caller: parent.caller, Claims: claimsOf(parent.claims), Trace: hex.EncodeToString(ch.Trace[:]), Depth: depth}}
	}
	return actx
}

// callError is the error a proxy's caller gets for err, the failure of an
// attempt of e run in process: the very error the service returned, with
// the results returned with it, or the problem a call through the server
// would answer.
func (e *endpoint) callError(err error, c *svcrt.Call) error {
	name := e.svc.Desc.Name
	var re *svcrt.ReturnedError
	if errors.As(err, &re) {
		_ = c.Service.Func.SetResults(re.Results, c.Results)
		status := microfn.StatusOf(re.Err)
		var m *MappedError
		if errors.As(e.mapError(err), &m) {
			status = m.Status
		}
		return microfn.NewReturnedError(name, status, re.Err.Error(), re.Err)
	}
	msg := err.Error()
	if ce, ok := protocol.NestedFailure(err); ok {
		msg = ce.Message
	}
	return microfn.NewRemoteError(name, protocol.StatusOf(err), msg, time.Duration(protocol.RetryAfterOf(err))*time.Second)
}

// A heldSlot is a slot of a service's concurrency limit held by one
// attempt. When the attempt overruns its deadline, the slot is detached
// from its chain (see policy.Limiter.Detach): the overrunning execution
// keeps it until it really ends, but a retry of the same chain has to wait
// for a slot instead of running beside it.
type heldSlot struct {
	limiter *policy.Limiter // the slot's
	chain   string          // the key of the chain that holds it

	mu sync.Mutex // guards the fields below
	// release frees the slot; if nil, limiter.Release(chain) does.
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
		if h.release != nil {
			h.release()
		} else {
			h.limiter.Release(h.chain) // a slot TryHold took
		}
	}
}

// detach detaches the slot from its chain, unless it is free already.
func (h *heldSlot) detach() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.done && !h.detached {
		h.detached = true
		h.release = h.limiter.Detach(h.chain)
	}
}

// acquire waits for a slot of e's limiter, reentrant for chain.
func acquire(ctx context.Context, e *endpoint, chain string) (func(), error) {
	if release, ok := e.limiter.TryAcquire(chain); ok {
		return release, nil
	}
	release, err := e.limiter.Acquire(ctx, chain)
	if errors.Is(err, policy.ErrQueueFull) {
		return nil, &OverloadError{Service: e.svc.Desc.Name}
	}
	if err != nil {
		return nil, fmt.Errorf("waiting for a free slot of %s: %w", e.svc.Desc.Name, err)
	}
	return release, nil
}

// DepthError refuses a call past the depth limit.
type DepthError struct{ Depth, Max int }

func (e *DepthError) Error() string {
	return fmt.Sprintf("call depth %d exceeds the limit of %d: a service is probably calling itself without end (missing base case?)", e.Depth, e.Max)
}

// StatusCode is 508 Loop Detected.
func (e *DepthError) StatusCode() int { return http.StatusLoopDetected }

// Permanent reports true: a retry goes as deep.
func (e *DepthError) Permanent() bool { return true }

// TimeoutError reports an attempt that ran past the service's timeout.
type TimeoutError struct {
	Service string
	Timeout time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s did not finish within its timeout of %s", e.Service, e.Timeout)
}

// StatusCode is 504.
func (e *TimeoutError) StatusCode() int { return http.StatusGatewayTimeout }

// OverloadError is 429 with a Retry-After: too many calls wait for a
// slot of the service.
type OverloadError struct{ Service string }

// ErrQueueFull is the cause of an OverloadError.
var ErrQueueFull = errors.New("too many calls are waiting for this service; try again later")

func (e *OverloadError) Error() string {
	return fmt.Sprintf("%s: %s", e.Service, ErrQueueFull)
}

// StatusCode is 429.
func (e *OverloadError) StatusCode() int { return http.StatusTooManyRequests }

// RetryAfter asks for a second.
func (e *OverloadError) RetryAfter() time.Duration { return time.Second }
