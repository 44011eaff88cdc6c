package worker

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/microfn/microfn/protocol"
)

func TestSlotHeld(t *testing.T) {
	t.Parallel()
	now := time.Now()
	later, earlier := now.Add(time.Minute), now.Add(-time.Millisecond)
	// attempts returns a chain of attempts in this process, the first
	// the innermost, of the routes given, each due by its deadline.
	attempts := func(routes []string, deadlines []time.Time, ended int) *attemptContext {
		var up *attemptContext
		for i := len(routes) - 1; i >= 0; i-- {
			a := newAttemptContext(context.Background(), uint64(i+1), protocol.Chain{}, routes[i], deadlines[i])
			a.up = up
			if i == ended {
				a.end()
			}
			up = a
		}
		return up
	}
	tests := []struct {
		name      string
		routes    []string
		deadlines []time.Time
		ended     int // the attempt that has ended, or -1
		route     string
		want      bool
	}{
		{"the caller itself", []string{"/Fib"}, []time.Time{later}, -1, "/Fib", true},
		{"no deadline", []string{"/Fib"}, []time.Time{{}}, -1, "/Fib", true},
		{"another service", []string{"/Fib"}, []time.Time{later}, -1, "/IsEven", false},
		{"an ancestor", []string{"/B", "/C", "/A"}, []time.Time{later, later, later}, -1, "/A", true},
		{"the caller has ended", []string{"/Fib"}, []time.Time{later}, 0, "/Fib", false},
		{"the caller is past its deadline", []string{"/Fib"}, []time.Time{earlier}, -1, "/Fib", false},
		{"the ancestor has ended", []string{"/B", "/A"}, []time.Time{later, later}, 1, "/A", false},
		{"the ancestor overran", []string{"/B", "/A"}, []time.Time{later, earlier}, -1, "/A", false},
		{"an attempt between them has ended", []string{"/B", "/C", "/A"}, []time.Time{later, later, later}, 1, "/A", false},
		{"the nearest is live, one above has ended", []string{"/A", "/A"}, []time.Time{later, later}, 1, "/A", true},
		{"no attempt", nil, nil, -1, "/A", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := slotHeld(attempts(tc.routes, tc.deadlines, tc.ended), tc.route, now); got != tc.want {
				t.Errorf("slotHeld(%v, %s) = %v, want %v", tc.routes, tc.route, got, tc.want)
			}
		})
	}
}

func TestDirectLogBatches(t *testing.T) {
	t.Parallel()
	var l directLog
	var sent []DirectCall
	for i := range 2*directBatch + 3 {
		if recs := l.add(DirectCall{Callee: "/Fib", Try: 1, Depth: i}); recs != nil {
			if len(recs) != directBatch {
				t.Fatalf("a batch of %d records, want %d", len(recs), directBatch)
			}
			sent = append(sent, recs...)
		}
	}
	sent = append(sent, l.take()...)
	if len(sent) != 2*directBatch+3 {
		t.Fatalf("%d records sent in all, want %d", len(sent), 2*directBatch+3)
	}
	for i, r := range sent {
		if r.Depth != i {
			t.Fatalf("record %d has depth %d: out of order", i, r.Depth)
		}
	}
	if recs := l.take(); recs != nil {
		t.Errorf("take after take = %d records, want none", len(recs))
	}
}

// BenchmarkDirectRecords measures what recording a call run on the direct
// path costs the worker: the record, and its share of a batch's JSON.
func BenchmarkDirectRecords(b *testing.B) {
	var l directLog
	b.ReportAllocs()
	for i := range b.N {
		if recs := l.add(DirectCall{Caller: "/Fib", Callee: "/Fib", Status: 200, Try: 1, Depth: i % 20, Nanos: 12345}); recs != nil {
			if _, err := json.Marshal(recs); err != nil {
				b.Fatal(err)
			}
		}
	}
}
