package server

import (
	"testing"
	"time"
)

// TestAccessSampler: up to maxAccessLines lines of successful calls are
// written each second; the first line of the next second says how many
// were left out.
func TestAccessSampler(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name     string
		calls    int           // in the first second
		then     time.Duration // when the next call comes
		wantOK   int           // of calls
		wantLeft int           // told by the next call
	}{
		{name: "under the bound", calls: 10, then: time.Second, wantOK: 10, wantLeft: 0},
		{name: "at the bound", calls: maxAccessLines, then: time.Second, wantOK: maxAccessLines, wantLeft: 0},
		{name: "past the bound", calls: maxAccessLines + 25, then: time.Second, wantOK: maxAccessLines, wantLeft: 25},
		{name: "past the bound, told after a pause", calls: maxAccessLines + 3, then: time.Minute, wantOK: maxAccessLines, wantLeft: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var a accessSampler
			ok := 0
			for i := range tc.calls {
				allowed, left := a.allow(t0.Add(time.Duration(i) * time.Microsecond))
				if left != 0 {
					t.Fatalf("call %d told of %d lines left out within its second", i, left)
				}
				if allowed {
					ok++
				}
			}
			if ok != tc.wantOK {
				t.Errorf("%d of %d lines written, want %d", ok, tc.calls, tc.wantOK)
			}
			allowed, left := a.allow(t0.Add(tc.then))
			if !allowed || left != tc.wantLeft {
				t.Errorf("the next second: allowed %v, %d left out; want true, %d", allowed, left, tc.wantLeft)
			}
		})
	}
}
