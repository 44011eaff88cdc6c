package server

import (
	"bufio"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

func TestChainFromHeaders(t *testing.T) {
	t.Parallel()
	const valid = "0af7651916cd43dd8448eb211c80319c"
	tests := []struct {
		traceparent, depth string
		wantTrace          string // "" for a fresh one
		wantDepth          int
	}{
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "3", valid, 3},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "", valid, 0},
		{"00-00000000000000000000000000000000-b7ad6b7169203331-01", "", "", 0}, // all-zero trace id is invalid
		{"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "", "", 0}, // all-zero parent id is invalid
		{"garbage", "-4", "", 0},
		{"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "x", "", 0}, // upper case is invalid
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", "1", "", 1},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-001", "", "", 0}, // misplaced dash
		{"0x-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "", "", 0},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g", "", "", 0},
		{"", "2", "", 2},
	}
	for _, tc := range tests {
		c := chainFromHeaders([]byte(tc.traceparent), []byte(tc.depth))
		if tc.wantTrace != "" && c.trace != tc.wantTrace {
			t.Errorf("traceparent %q: trace %q, want %q", tc.traceparent, c.trace, tc.wantTrace)
		}
		if tc.wantTrace == "" && (len(c.trace) != 32 || c.trace == valid) {
			t.Errorf("traceparent %q: want a fresh trace id, got %q", tc.traceparent, c.trace)
		}
		if c.depth != tc.wantDepth || c.span == 0 {
			t.Errorf("traceparent %q depth %q: depth %d span %x", tc.traceparent, tc.depth, c.depth, c.span)
		}
	}
}

// TestTraceparentRoundTrip: the header a proxy writes is one the callee
// accepts, with the caller's trace id and span.
func TestTraceparentRoundTrip(t *testing.T) {
	t.Parallel()
	for range 100 {
		c := newChain()
		h := c.appendTraceparent(nil)
		trace, ok := parseTraceparent(h)
		if !ok || string(trace) != c.trace {
			t.Fatalf("appendTraceparent = %q: parsed %q, %v; want trace %q", h, trace, ok, c.trace)
		}
		if want := strings.Repeat("0", 16); strings.Contains(string(h), "-"+want+"-") {
			t.Fatalf("appendTraceparent = %q: zero span", h)
		}
	}
}

// TestTraceIDIsCopied: header values alias the request buffer, which the
// next request on the connection overwrites. The trace id keys the
// concurrency limiters long after, so it must be a copy.
func TestTraceIDIsCopied(t *testing.T) {
	t.Parallel()
	buf := []byte("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	c := chainFromHeaders(buf, nil)
	copy(buf, "00-11111111111111111111111111111111-2222222222222222-01")
	if c.trace != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("the trace id changed with the request buffer: %q", c.trace)
	}
}

// TestReadCallHeaders finds the chain's headers in a parsed request,
// whatever case the client wrote their names in.
func TestReadCallHeaders(t *testing.T) {
	t.Parallel()
	deadline := time.Date(2026, 11, 28, 3, 4, 5, 123456789, time.UTC)
	tests := []struct {
		name, raw    string
		want         callHeaders
		wantDeadline bool
	}{
		{"none", "POST /F HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", callHeaders{}, false},
		{"proxy", "POST /F HTTP/1.1\r\nHost: x\r\nTraceparent: tp\r\nMicrofn-Depth: 3\r\nMicrofn-Proxied: 1\r\nMicrofn-Deadline: " + string(appendDeadline(nil, deadline)) + "\r\nContent-Length: 0\r\n\r\n",
			callHeaders{traceparent: []byte("tp"), depth: []byte("3"), proxied: true}, true},
		{"lower case", "GET /F HTTP/1.1\r\nhost: x\r\ntraceparent: tp\r\nmicrofn-depth: 2\r\nmicrofn-proxied: yes\r\n\r\n",
			callHeaders{traceparent: []byte("tp"), depth: []byte("2"), proxied: true}, false},
		{"empty proxied", "GET /F HTTP/1.1\r\nHost: x\r\nMicrofn-Proxied:\r\n\r\n", callHeaders{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var req fasthttp.Request
			if err := req.Read(bufio.NewReader(strings.NewReader(tc.raw))); err != nil {
				t.Fatal(err)
			}
			got := readCallHeaders(&req.Header)
			if string(got.traceparent) != string(tc.want.traceparent) || string(got.depth) != string(tc.want.depth) || got.proxied != tc.want.proxied {
				t.Errorf("readCallHeaders = {%q %q %v}, want {%q %q %v}", got.traceparent, got.depth, got.proxied, tc.want.traceparent, tc.want.depth, tc.want.proxied)
			}
			d, ok := parseDeadline(got.deadline)
			if ok != tc.wantDeadline || (ok && !d.Equal(deadline)) {
				t.Errorf("deadline %q → %v, %v; want %v", got.deadline, d, ok, deadline)
			}
		})
	}
}

func TestParseDeadline(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 28, 3, 4, 5, 123456789, time.UTC)
	tests := []struct {
		header string
		want   time.Time
		ok     bool
	}{
		{string(appendDeadline(nil, at)), at, true},
		{"1795835045123456789", time.Unix(0, 1795835045123456789), true},
		{"2026-11-28T03:04:05.123456789Z", at, true},
		{"2026-11-28T04:04:05.123456789+01:00", at, true},
		{"2026-11-28T03:04:05Z", at.Truncate(time.Second), true},
		{"", time.Time{}, false},
		{"0", time.Time{}, false},
		{"-5", time.Time{}, false},
		{"tomorrow", time.Time{}, false},
		{"2026-11-28", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := parseDeadline([]byte(tc.header))
		if ok != tc.ok || (ok && !got.Equal(tc.want)) {
			t.Errorf("parseDeadline(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}
