package worker

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// TestAdmit: an attempt runs at once with a free slot or its chain's,
// else it waits for one in place and says how long, is refused with the
// limiter's 429 when the queue is full, with a 504 at the call's
// deadline, and as draining once the host is being replaced.
func TestAdmit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		queue    int
		chain    string        // of the attempt; "held" holds the only slot
		deadline time.Duration // from now; none if 0
		free     time.Duration // when the held slot is freed; never if 0
		drain    time.Duration // when the host drains; never if 0
		want     error         // nil, errDraining, or errAny for a status
		status   int           // of an error other than errDraining
		waited   bool          // the attempt had to wait (not checked for a refusal that did not)
	}{
		{name: "the chain's own slot", chain: "held"},
		{name: "queue full", queue: 0, chain: "other", deadline: time.Second, want: errAny, status: http.StatusTooManyRequests},
		{name: "waits for the slot", queue: 1, chain: "other", deadline: 10 * time.Second, free: 50 * time.Millisecond, waited: true},
		{name: "deadline", queue: 1, chain: "other", deadline: 50 * time.Millisecond, want: errAny, status: http.StatusGatewayTimeout, waited: true},
		{name: "drained while waiting", queue: 1, chain: "other", deadline: 10 * time.Second, drain: 50 * time.Millisecond, want: errDraining, waited: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := NewHost(HostConfig{Admit: true})
			e := &endpoint{route: "/S", svc: &svcrt.Service{Desc: &funcs.Descriptor{Name: "S"}}, limiter: policy.NewLimiter(1, tc.queue)}
			if !e.limiter.TryHold("held") {
				t.Fatal("TryHold refused a free slot")
			}
			if tc.free > 0 {
				time.AfterFunc(tc.free, func() { e.limiter.Release("held") })
			}
			if tc.drain > 0 {
				time.AfterFunc(tc.drain, h.drain)
			}
			var deadline time.Time
			if tc.deadline > 0 {
				deadline = time.Now().Add(tc.deadline)
			}
			var slot heldSlot
			wait, err := h.admit(context.Background(), e, tc.chain, deadline, &slot)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("admit = %v, want a slot", err)
			case tc.want == errDraining && !errors.Is(err, errDraining):
				t.Fatalf("admit = %v, want %v", err, errDraining)
			case tc.want == errAny && protocol.StatusOf(err) != tc.status:
				t.Fatalf("admit = %v (status %d), want status %d", err, protocol.StatusOf(err), tc.status)
			}
			if (wait > 0) != tc.waited && (tc.waited || tc.want == nil) {
				t.Errorf("waited %s; want a wait: %v", wait, tc.waited)
			}
			if err == nil {
				slot.free()
			}
			if e.limiter.Waiting() != 0 {
				t.Errorf("%d attempts still wait", e.limiter.Waiting())
			}
			if tc.free == 0 {
				e.limiter.Release("held")
			}
			if n := e.limiter.InFlight(); n != 0 {
				t.Errorf("%d slots held after every release", n)
			}
		})
	}
}

// errAny stands for any error with a status in TestAdmit.
var errAny = errors.New("any error")
