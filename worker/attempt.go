package worker

import (
	"context"
	"encoding/hex"
	"sync"
	"time"

	"github.com/microfn/microfn/internal/callinfo"

	"github.com/microfn/microfn/protocol"
)

// attemptContext is the context one attempt of a call runs under: it
// carries the attempt the server sent (its id, its chain) and the
// attempt's deadline.
//
// It stands for context.WithDeadline(context.WithValue(parent, key,
// attempt), deadline), which is on the path of every call, nested calls
// included, but is cheaper: the deadline's timer starts only when
// something waits on Done (most service code never does), so an attempt
// costs one allocation instead of a value context, a cancel context, a
// channel and a runtime timer.
type attemptContext struct {
	parent context.Context
	// id is the server's id of the attempt: nested calls name it.
	id uint64
	// chain is the attempt's chain; its depth is that of the service
	// running (deeper for a call made in this process, --monolith).
	chain    protocol.Chain
	route    string // the service running
	caller   string // who made the chain's first call, as the server authenticated it
	claims   []byte // the claims of the JSON Web Token it showed, if any
	deadline time.Time
	// info is the request the attempt answers and what its code sets of
	// the answer, for a service that takes a context; else nil.
	info *callinfo.Info
	// up is the attempt, running in this process, that made this one: the
	// caller of one run here (see direct.go), or the caller the server
	// named for one it sent, if this process runs it; nil otherwise.
	up *attemptContext
	// root is the attempt the server sent whose id this one carries: the
	// attempt itself, for one the server sent; nil for a stream's.
	root *attemptContext
	// calls are the calls run here on behalf of a root attempt, which the
	// server has not been told of yet.
	calls directLog
	// peer, for the root attempt of a call from another worker (the peer
	// path), takes the records of calls in place of the server.
	peer *peerLog
	// caps are the capabilities of the chain (see peer.go).
	caps []protocol.Capability

	mu     sync.Mutex
	inner  context.Context // the real deadline context, made by the first Done
	cancel context.CancelFunc
	ended  bool // the attempt has ended: the context is canceled
}

// newAttemptContext returns the context of the attempt id of route, in
// chain ch, that must end by deadline or by the parent's deadline if that
// is earlier. The caller must call end when the attempt ends.
func newAttemptContext(parent context.Context, id uint64, ch protocol.Chain, route string, deadline time.Time) *attemptContext {
	if d, ok := parent.Deadline(); ok && (deadline.IsZero() || d.Before(deadline)) {
		deadline = d
	}
	return &attemptContext{parent: parent, id: id, chain: ch, route: route, deadline: deadline}
}

type attemptKey struct{}

// attemptOf returns the attempt whose context ctx is or derives from.
func attemptOf(ctx context.Context) (*attemptContext, bool) {
	switch ctx := ctx.(type) {
	case nil:
		return nil, false
	case *attemptContext:
		return ctx, true
	}
	a, ok := ctx.Value(attemptKey{}).(*attemptContext)
	return a, ok
}

// Deadline returns the attempt's deadline.
func (c *attemptContext) Deadline() (time.Time, bool) { return c.deadline, !c.deadline.IsZero() }

// Done returns a channel that is closed when the deadline passes, the
// parent ends, or the attempt ends, whichever comes first.
func (c *attemptContext) Done() <-chan struct{} { return c.started().Done() }

// started returns the real deadline context, making it on first use.
func (c *attemptContext) started() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner == nil {
		if c.deadline.IsZero() {
			c.inner, c.cancel = context.WithCancel(c.parent)
		} else {
			c.inner, c.cancel = context.WithDeadline(c.parent, c.deadline)
		}
		if c.ended {
			c.cancel()
		}
	}
	return c.inner
}

// Err tells why the context ended, as Done would: context.Canceled once
// the attempt (or the parent) is over, context.DeadlineExceeded once the
// deadline has passed, nil before.
func (c *attemptContext) Err() error {
	c.mu.Lock()
	inner, ended := c.inner, c.ended
	c.mu.Unlock()
	switch {
	case inner != nil:
		return inner.Err()
	case ended:
		return context.Canceled
	case !c.deadline.IsZero() && !time.Now().Before(c.deadline):
		return context.DeadlineExceeded
	}
	return c.parent.Err()
}

// Value returns the attempt for attemptKey, and the parent's values
// otherwise.
func (c *attemptContext) Value(key any) any {
	switch key {
	case attemptKey{}:
		return c
	case callinfo.Key:
		if c.info != nil {
			return c.info
		}
	}
	return c.parent.Value(key)
}

// AfterFunc arranges for f to run once the context ends. The context
// package uses it, so a context derived from this one needs no goroutine
// of its own to learn that this one ended.
func (c *attemptContext) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.started(), f)
}

// String describes the context for debugging, as the context package's
// own contexts do.
func (c *attemptContext) String() string {
	return "microfn attempt of " + c.route + " (trace " + hex.EncodeToString(c.chain.Trace[:]) + ")"
}

// live reports whether the attempt runs as its chain's at now: it has not
// ended, nor passed its deadline (then its slot is no longer its
// chain's: see heldSlot).
func (c *attemptContext) live(now time.Time) bool {
	c.mu.Lock()
	ended := c.ended
	c.mu.Unlock()
	return !ended && (c.deadline.IsZero() || now.Before(c.deadline))
}

// end cancels the context: the attempt is over.
func (c *attemptContext) end() {
	c.mu.Lock()
	c.ended = true
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}
