package protocol

import (
	"context"
	"sync"
	"time"
)

// A callContext is the context a handler serves a call of the other end
// under: it ends when the caller cancels the call, the connection ends,
// or the handler returns. It stands for
// context.WithCancelCause(context.Background()), which is on the path
// of every call, but costs no allocation of its own: the real context is
// made only when something waits on Done (most handlers never do).
type callContext struct {
	mu     sync.Mutex
	inner  context.Context // the real context, made by the first Done
	cancel context.CancelCauseFunc
	ended  bool
	cause  error // why it ended, once ended
}

// Deadline reports no deadline.
func (c *callContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed when the context ends.
func (c *callContext) Done() <-chan struct{} { return c.started().Done() }

// Err returns context.Canceled once the context has ended, nil before.
func (c *callContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return context.Canceled
	}
	return nil
}

// Value returns the real context's values, once made (context.Cause
// finds the cause there); the context carries none of its own.
func (c *callContext) Value(key any) any {
	c.mu.Lock()
	inner := c.inner
	c.mu.Unlock()
	if inner == nil {
		return nil
	}
	return inner.Value(key)
}

// AfterFunc arranges for f to run once the context ends. The context
// package uses it, so a context derived from this one needs no goroutine
// of its own to learn that this one ended.
func (c *callContext) AfterFunc(f func()) (stop func() bool) {
	return context.AfterFunc(c.started(), f)
}

// String describes the context for debugging.
func (c *callContext) String() string { return "protocol call context" }

// started returns the real context, making it on first use (ended
// already, if the call has).
func (c *callContext) started() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inner == nil {
		c.inner, c.cancel = context.WithCancelCause(context.Background())
		if c.ended {
			c.cancel(c.cause)
		}
	}
	return c.inner
}

// end ends the context with cause (nil: context.Canceled), once.
func (c *callContext) end(cause error) {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended, c.cause = true, cause
	cancel := c.cancel
	c.mu.Unlock()
	if cancel != nil {
		cancel(cause)
	}
}
