package worker

import (
	"testing"
	"time"

	"github.com/microfn/microfn/policy"
)

// TestReservations: a slot reserved for an attempt is taken once by the
// attempt that names it, and freed at its deadline if none does.
func TestReservations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		take    bool
		holding int // chains that hold a slot of the limiter at the end
	}{
		{"taken", true, 1},
		{"expired", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := policy.NewLimiter(1, 1)
			if !l.TryHold("a") {
				t.Fatal("TryHold refused a free slot")
			}
			var r reservations
			r.add(7, &heldSlot{limiter: l, chain: "a"}, time.Now().Add(100*time.Millisecond))
			if tc.take {
				if s := r.take(7); s == nil || s.chain != "a" {
					t.Fatalf("take(7) = %v, want a's slot", s)
				}
				if s := r.take(7); s != nil {
					t.Fatal("a reservation was taken twice")
				}
			}
			deadline := time.Now().Add(5 * time.Second)
			for l.InFlight() != tc.holding && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if got := l.InFlight(); got != tc.holding {
				t.Fatalf("%d chains hold a slot, want %d", got, tc.holding)
			}
			if !tc.take && r.take(7) != nil {
				t.Fatal("an expired reservation was taken")
			}
		})
	}
}

// TestDetachOverdue: before a chain is admitted again, its slots held
// by attempts past their deadline are detached: the chain waits for the
// overrunning execution like any other, while one within its deadline
// keeps the chain's slot.
func TestDetachOverdue(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, tc := range []struct {
		name      string
		deadline  time.Time
		reentrant bool // the chain is admitted again at once
	}{
		{"overdue", now.Add(-time.Millisecond), false},
		{"running", now.Add(time.Hour), true},
		{"no deadline", time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := policy.NewLimiter(1, 1)
			if !l.TryHold("a") {
				t.Fatal("TryHold refused a free slot")
			}
			var a admittedSlots
			s := &heldSlot{limiter: l, chain: "a", deadline: tc.deadline}
			a.add(s)
			a.detachOverdue(l, "a", now)
			if got := l.TryHold("a"); got != tc.reentrant {
				t.Fatalf("TryHold(a) = %v, want %v", got, tc.reentrant)
			} else if got {
				l.Release("a")
			}
			s.free()
			a.remove(s)
			if l.InFlight() != 0 || len(a.m) != 0 {
				t.Fatalf("after the attempt ended: %d in flight, %d chains recorded", l.InFlight(), len(a.m))
			}
		})
	}
}
