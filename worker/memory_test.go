package worker

import (
	"runtime/metrics"
	"testing"
)

// TestIdleTrimmer: the worker returns its spare memory once after each
// time of work, when a period passes with few allocations, and only if
// there is enough of it.
func TestIdleTrimmer(t *testing.T) {
	t.Parallel()
	type sample struct {
		allocs, spare uint64
		want          bool
	}
	const mib = 1 << 20
	tests := []struct {
		name    string
		samples []sample
	}{
		{"never worked", []sample{{0, 4 * mib, false}, {1000, 4 * mib, false}}},
		{"work then quiet", []sample{{10 * mib, 4 * mib, false}, {10*mib + 100, 4 * mib, true}, {10*mib + 200, 4 * mib, false}}},
		{"still working", []sample{{10 * mib, 4 * mib, false}, {20 * mib, 4 * mib, false}, {30 * mib, 4 * mib, false}}},
		{"quiet with little to return", []sample{{10 * mib, 4 * mib, false}, {10 * mib, spareMin - 1, false}, {10 * mib, spareMin - 1, false}}},
		{"a trickle is quiet", []sample{{10 * mib, 4 * mib, false}, {10*mib + quietAllocs, 4 * mib, true}}},
		{"work again, trim again", []sample{{10 * mib, 4 * mib, false}, {10 * mib, 4 * mib, true}, {12 * mib, 4 * mib, false}, {12 * mib, 4 * mib, true}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := idleTrimmer{trimmed: true}
			for i, s := range tc.samples {
				if got := tr.next(s.allocs, s.spare); got != s.want {
					t.Fatalf("sample %d (%d allocated, %d spare): trim %v, want %v", i, s.allocs, s.spare, got, s.want)
				}
			}
		})
	}
}

// TestReadMetric: the metrics the worker reads exist in the runtime it is
// built with (a renamed one would read as 0 and turn the trimming off).
func TestReadMetric(t *testing.T) {
	t.Parallel()
	kinds := map[string]metrics.ValueKind{}
	for _, d := range metrics.All() {
		kinds[d.Name] = d.Kind
	}
	for _, name := range []string{heapAllocs, heapObjects, heapLive, heapFree} {
		if k, ok := kinds[name]; !ok || k != metrics.KindUint64 {
			t.Errorf("the runtime has no metric %s of kind uint64", name)
		}
	}
	if readMetric(heapAllocs) == 0 {
		t.Errorf("%s reads 0", heapAllocs)
	}
	if v := readMetric("/no/such:bytes"); v != 0 {
		t.Errorf("an unknown metric reads %d, want 0", v)
	}
}
