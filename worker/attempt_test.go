package worker

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/microfn/microfn/protocol"
)

// closedWithin reports whether ch is closed within d.
func closedWithin(ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

func TestAttemptContext(t *testing.T) {
	ch := protocol.Chain{Trace: [16]byte{1, 2, 3}, Span: 0x0123456789abcdef, Depth: 2}
	tests := []struct {
		name string
		// run uses the context and returns the error it ended with, or
		// fails the test.
		run  func(t *testing.T, parent context.Context, c *attemptContext) error
		want error
	}{
		{"live", func(t *testing.T, _ context.Context, c *attemptContext) error {
			if closedWithin(c.Done(), 10*time.Millisecond) {
				t.Error("Done is closed before the deadline")
			}
			return c.Err()
		}, nil},
		{"deadline passed, Done never called", func(t *testing.T, _ context.Context, c *attemptContext) error {
			c.deadline = time.Now().Add(-time.Millisecond)
			return c.Err()
		}, context.DeadlineExceeded},
		{"deadline passes while waiting on Done", func(t *testing.T, _ context.Context, c *attemptContext) error {
			c.deadline = time.Now().Add(20 * time.Millisecond)
			if !closedWithin(c.Done(), 5*time.Second) {
				t.Fatal("Done not closed after the deadline")
			}
			return c.Err()
		}, context.DeadlineExceeded},
		{"ended before Done", func(t *testing.T, _ context.Context, c *attemptContext) error {
			c.end()
			if !closedWithin(c.Done(), time.Second) {
				t.Error("Done not closed after end")
			}
			return c.Err()
		}, context.Canceled},
		{"ended while waiting", func(t *testing.T, _ context.Context, c *attemptContext) error {
			done := c.Done()
			c.end()
			if !closedWithin(done, 5*time.Second) {
				t.Error("Done not closed after end")
			}
			return c.Err()
		}, context.Canceled},
		{"ended, Err without Done", func(t *testing.T, _ context.Context, c *attemptContext) error {
			c.end()
			return c.Err()
		}, context.Canceled},
		{"parent canceled", func(t *testing.T, parent context.Context, c *attemptContext) error {
			parent.Value(cancelKey{}).(context.CancelFunc)()
			if !closedWithin(c.Done(), 5*time.Second) {
				t.Error("Done not closed after the parent ended")
			}
			return c.Err()
		}, context.Canceled},
		{"parent canceled, Err without Done", func(t *testing.T, parent context.Context, c *attemptContext) error {
			parent.Value(cancelKey{}).(context.CancelFunc)()
			return c.Err()
		}, context.Canceled},
		{"derived context ends with the attempt", func(t *testing.T, _ context.Context, c *attemptContext) error {
			derived, cancel := context.WithCancel(c)
			defer cancel()
			c.end()
			if !closedWithin(derived.Done(), 5*time.Second) {
				t.Error("a context derived from the attempt's did not end with it")
			}
			return derived.Err()
		}, context.Canceled},
		{"chain and parent values", func(t *testing.T, _ context.Context, c *attemptContext) error {
			got, ok := attemptOf(c)
			if !ok || got.chain != ch || got.id != 7 {
				t.Errorf("attemptOf = %+v, %v; want attempt 7 of %+v", got, ok, ch)
			}
			derived := context.WithValue(c, derivedKey{}, 1)
			if got, ok := attemptOf(derived); !ok || got != c {
				t.Errorf("attemptOf(derived) = %+v, %v; want the attempt", got, ok)
			}
			if c.Value(parentKey{}) != "parent" {
				t.Error("the parent's value is lost")
			}
			if d, ok := c.Deadline(); !ok || !d.Equal(c.deadline) {
				t.Errorf("Deadline = %v, %v", d, ok)
			}
			return nil
		}, nil},
	}
	t.Run("parent's earlier deadline", func(t *testing.T) {
		soon := time.Now().Add(time.Second)
		parent, cancel := context.WithDeadline(context.Background(), soon)
		defer cancel()
		c := newAttemptContext(parent, 7, ch, "/F", soon.Add(time.Hour))
		defer c.end()
		if d, ok := c.Deadline(); !ok || !d.Equal(soon) {
			t.Errorf("Deadline = %v, %v; want the parent's %v", d, ok, soon)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "parent"))
			defer cancel()
			parent = context.WithValue(parent, cancelKey{}, cancel)
			c := newAttemptContext(parent, 7, ch, "/F", time.Now().Add(time.Minute))
			defer c.end()
			if err := tt.run(t, parent, c); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("Err = %v, want %v", err, tt.want)
			}
		})
	}
}

type parentKey struct{}
type derivedKey struct{}
type cancelKey struct{}
