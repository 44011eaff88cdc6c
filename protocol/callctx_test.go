package protocol

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestCallContext: the context of a served call ends as
// context.WithCancelCause's would, whether something waited on it before
// it ended, after, or through a context derived from it.
func TestCallContext(t *testing.T) {
	t.Parallel()
	why := errors.New("the caller canceled the call")
	cases := []struct {
		name  string
		cause error
		// before runs before the context ends; it returns the channel
		// to wait on afterwards.
		before func(c *callContext) <-chan struct{}
	}{
		{"done before the end", why, func(c *callContext) <-chan struct{} { return c.Done() }},
		{"done after the end", why, func(c *callContext) <-chan struct{} { return nil }},
		{"no cause", nil, func(c *callContext) <-chan struct{} { return c.Done() }},
		{"derived context", why, func(c *callContext) <-chan struct{} {
			d, cancel := context.WithCancel(c)
			t.Cleanup(cancel)
			return d.Done()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c callContext
			done := tc.before(&c)
			if err := c.Err(); err != nil {
				t.Fatalf("Err before the end = %v", err)
			}
			if _, ok := c.Deadline(); ok {
				t.Fatal("a call's context has a deadline")
			}
			c.end(tc.cause)
			c.end(errors.New("a second end changes nothing"))
			if done == nil {
				done = c.Done()
			}
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the context did not end")
			}
			if err := c.Err(); err != context.Canceled {
				t.Errorf("Err = %v, want context.Canceled", err)
			}
			want := tc.cause
			if want == nil {
				want = context.Canceled
			}
			if got := context.Cause(&c); got != want {
				t.Errorf("Cause = %v, want %v", got, want)
			}
		})
	}
}
