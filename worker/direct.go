package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// The direct path. The server is the only authority on concurrency slots,
// but a chain holds the slot of a service while an attempt of that chain
// on that service runs, and the limiter is reentrant per chain. So a
// nested call whose callee is a service of the caller's own package (so
// this process serves it, with the caller's types), and one of whose
// caller's ancestors in this process (the caller included) is a running attempt of
// the callee, needs neither a slot nor the server: its slot is the
// ancestor's. The worker runs it itself (Fib calling Fib, or A calling B
// calling A in one package), under the rest of the callee's policy: depth,
// timeout and deadline, retries by the caller's proxy. It runs only code
// of this process on behalf of an attempt this process is running, no
// deeper and no later than it: it grants nothing new.
//
// The server still sees every call: each attempt run here is recorded in
// the log of the attempt the server sent (its root), and the worker sends
// the records in batches (protocol.MethodCalls), the last before it
// answers the root, so the server counts and logs them as it does the
// calls it carries, with via "worker".

// A DirectCall is the record of one attempt of a nested call the worker
// ran itself, as it sends it to the server.
type DirectCall struct {
	// Caller and Callee are the routes of the calling service and of
	// the service called.
	Caller string `json:"caller"`
	Callee string `json:"callee"`
	// Status is the status of the attempt's answer.
	Status int `json:"status"`
	// Try is the number of the attempt among those of the proxy's call,
	// from 1.
	Try int `json:"try"`
	// Depth is the depth of the call in its chain.
	Depth int `json:"depth"`
	// Nanos is the time the attempt took.
	Nanos int64 `json:"ns"`
	// TimedOut marks an attempt that ran past its deadline: it was
	// answered 504, and its execution went on.
	TimedOut bool `json:"timed_out,omitempty"`
	// Wait is the time a peer call waited for a slot, in nanoseconds.
	Wait int64 `json:"wait,omitempty"`
	// Signer and MAC, for an attempt of a call between workers (the peer
	// path), are the package of the worker that ran it (or made it, when
	// it got no answer) and the record's signature under that worker's
	// key (see DirectCall.Sign).
	Signer string `json:"signer,omitempty"`
	MAC    []byte `json:"mac,omitempty"`
}

// directBatch is the number of records that makes the worker send them
// at once, rather than when the root attempt ends: it bounds what a long
// chain holds, and the messages stay one per many calls.
const directBatch = 512

// A directLog holds the records of the calls run here on behalf of a root
// attempt that the server has not been sent yet.
type directLog struct {
	mu   sync.Mutex
	recs []DirectCall
}

// add records a call, and returns the records to send now if there are
// enough of them.
func (l *directLog) add(r DirectCall) []DirectCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r)
	if len(l.recs) < directBatch {
		return nil
	}
	recs := l.recs
	l.recs = nil
	return recs
}

// take returns the records not sent yet, and forgets them.
func (l *directLog) take() []DirectCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.recs
	l.recs = nil
	return recs
}

// direct reports whether a call of e on behalf of parent runs in this
// process: unless the callee is of the caller's package (whose
// interpreter made the arguments: another package's has types of its
// own), and parent, or an attempt above it in this process, is a live
// attempt of the callee (each one between them live too), the call
// needs a slot only the server can give, or goes to other code.
func (h *Host) direct(e *endpoint, parent *attemptContext) bool {
	return h.cfg.Direct && parent.root != nil && e.own && !e.svc.Func.Streams() &&
		slotHeld(parent, e.route, time.Now())
}

// slotHeld reports whether a, or an attempt above it in this process, is
// an attempt of route that runs as its chain's at now, each attempt
// between them too: then the chain holds route's slot.
func slotHeld(a *attemptContext, route string, now time.Time) bool {
	for ; a != nil && a.live(now); a = a.up {
		if a.route == route {
			return true
		}
	}
	return false
}

// directCall runs one attempt of a nested call in this process, on the
// direct path, and records it for the server.
func (h *Host) directCall(ctx context.Context, e *endpoint, parent *attemptContext, depth, try int, c *svcrt.Call) error {
	start := time.Now()
	overran, err := h.runLocal(ctx, e, parent, depth, c, nil)
	rec := DirectCall{Caller: parent.route, Callee: e.route, Status: microfn.StatusOf(err), Try: try, Depth: depth,
		Nanos: int64(time.Since(start)), TimedOut: overran}
	if recs := parent.root.calls.add(rec); recs != nil {
		h.sendCalls(parent.root, recs)
	}
	return err
}

// flushCalls sends the server the records of root not sent yet. It is
// called before the root's answer, so that the server has counted the
// calls of a chain when its caller has the answer.
func (h *Host) flushCalls(root *attemptContext) {
	if root.peer != nil {
		root.peer.put(root.calls.take())
		return
	}
	if recs := root.calls.take(); len(recs) > 0 {
		h.sendCalls(root, recs)
	}
}

// sendCalls sends records of calls run on behalf of root to the server.
// A record the server cannot have is lost, and the error logged: it is
// the server's accounting, never the call's answer.
func (h *Host) sendCalls(root *attemptContext, recs []DirectCall) {
	if root.peer != nil {
		// A call from another worker: the records go with its answer.
		root.peer.put(recs)
		return
	}
	if err := h.reportCalls(root, recs); err != nil {
		h.cfg.Logger.Warn("the server was not told of calls run in the worker", "calls", len(recs), "error", err.Error())
	}
}

// reportCalls tells the server of recs, on behalf of root: through
// HostConfig.Record if set, else with a MethodCalls call.
func (h *Host) reportCalls(root *attemptContext, recs []DirectCall) error {
	if h.cfg.Record != nil {
		return h.cfg.Record(root.id, recs)
	}
	up := h.upstream.Load()
	if up == nil {
		return fmt.Errorf("this worker has no server")
	}
	body, err := json.Marshal(recs)
	if err != nil {
		return fmt.Errorf("encode the records: %w", err)
	}
	call := protocol.Call{Attempt: root.id, Route: root.route, Method: protocol.MethodCalls, ContentType: "application/json"}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := (*up).Call(ctx, &call, body)
	if err != nil {
		return err
	}
	defer resp.Close()
	if resp.Status != http.StatusNoContent {
		msg, _ := resp.ReadAll(4096)
		return fmt.Errorf("the server answered %d: %s", resp.Status, msg)
	}
	return nil
}
