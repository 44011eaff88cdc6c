package server

import (
	"testing"
	"unsafe"
)

func TestChainFromHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		traceparent, depth string
		wantTrace          string
		wantDepth          int
	}{
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "3", "0af7651916cd43dd8448eb211c80319c", 3},
		{"00-00000000000000000000000000000000-b7ad6b7169203331-01", "", "", 0}, // all-zero trace id is invalid
		{"garbage", "-4", "", 0},
		{"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "x", "", 0}, // upper case is invalid
		{"", "2", "", 2},
	}
	for _, tc := range tests {
		c := chainFromHeaders(tc.traceparent, tc.depth)
		if tc.wantTrace != "" && c.trace != tc.wantTrace {
			t.Errorf("traceparent %q: trace %q, want %q", tc.traceparent, c.trace, tc.wantTrace)
		}
		if tc.wantTrace == "" && (len(c.trace) != 32 || c.trace == "0af7651916cd43dd8448eb211c80319c") {
			t.Errorf("traceparent %q: want a fresh trace id, got %q", tc.traceparent, c.trace)
		}
		if c.depth != tc.wantDepth || len(c.span) != 16 {
			t.Errorf("traceparent %q depth %q: depth %d span %q", tc.traceparent, tc.depth, c.depth, c.span)
		}
	}
}

// TestTraceIDIsCopied: Fiber hands out header values that alias the request
// buffer, which the next request on the connection overwrites. The trace id
// keys the concurrency limiters long after, so it must be a copy.
func TestTraceIDIsCopied(t *testing.T) {
	t.Parallel()
	buf := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	header := unsafe.String(&buf[0], len(buf)) // as fiber.Ctx.Get returns it
	c := chainFromHeaders(header, "")
	copy(buf, "00-11111111111111111111111111111111-2222222222222222-01")
	if c.trace != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("the trace id changed with the request buffer: %q", c.trace)
	}
}
