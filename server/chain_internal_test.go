package server

import (
	"bufio"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// testServer is a server with no packages, for the chain's logic.
func testServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	cfg, err := newConfig(append([]Option{WithIsolation(IsolateNone)}, opts...))
	if err != nil {
		t.Fatal(err)
	}
	return newServer(t.TempDir(), cfg)
}

// TestChainOfUnsigned: a request whose chain headers are not signed keeps
// its W3C trace id but gets a chain of its own: a fresh chain id, depth 0,
// not proxied.
func TestChainOfUnsigned(t *testing.T) {
	t.Parallel()
	s := testServer(t)
	const valid = "0af7651916cd43dd8448eb211c80319c"
	tests := []struct {
		traceparent, depth string
		wantTrace          string // "" for a fresh one
	}{
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "3", valid},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "", valid},
		{"00-00000000000000000000000000000000-b7ad6b7169203331-01", "", ""}, // all-zero trace id is invalid
		{"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "", ""}, // all-zero parent id is invalid
		{"garbage", "-4", ""},
		{"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", "x", ""}, // upper case is invalid
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", "1", ""},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-001", "", ""}, // misplaced dash
		{"0x-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "", ""},
		{"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0g", "", ""},
		{"", "2", ""},
	}
	now := time.Now()
	for _, tc := range tests {
		h := callHeaders{traceparent: []byte(tc.traceparent), depth: []byte(tc.depth), proxied: true,
			deadline: []byte(strconv.FormatInt(now.Add(time.Second).UnixNano(), 10))}
		c, deadline, proxied := s.chainOf(h, []byte("/F"), now)
		if tc.wantTrace != "" && c.trace != tc.wantTrace {
			t.Errorf("traceparent %q: trace %q, want %q", tc.traceparent, c.trace, tc.wantTrace)
		}
		if tc.wantTrace == "" && (len(c.trace) != 32 || c.trace == valid) {
			t.Errorf("traceparent %q: want a fresh trace id, got %q", tc.traceparent, c.trace)
		}
		if len(c.id) != 32 || c.id == valid {
			t.Errorf("traceparent %q: want a fresh chain id, got %q", tc.traceparent, c.id)
		}
		if c.depth != 0 || c.span == 0 || proxied {
			t.Errorf("traceparent %q depth %q: depth %d span %x proxied %v; want depth 0, not proxied", tc.traceparent, tc.depth, c.depth, c.span, proxied)
		}
		if !deadline.Equal(time.Unix(0, now.Add(time.Second).UnixNano())) {
			t.Errorf("an earlier deadline a client asks for holds; got %s", deadline)
		}
	}
}

// signedHeaders returns the headers a proxy sends for a call of route by
// the chain c (at the callee's depth).
func signedHeaders(s *chainSigner, c chain, parent chain, deadline time.Time, route string) callHeaders {
	return callHeaders{
		traceparent: parent.appendTraceparent(nil),
		depth:       []byte(strconv.Itoa(c.depth)),
		deadline:    appendDeadline(nil, deadline),
		chain:       s.appendHeader(nil, c, deadline, route),
		proxied:     true,
	}
}

// TestChainOfSigned: a signed request is part of its chain; a signature
// replayed on another chain, trace, depth, deadline or route, an expired
// one, or one made with another key is not.
func TestChainOfSigned(t *testing.T) {
	t.Parallel()
	s := testServer(t, WithChainKeys("k1"))
	other := newChainSigner([][]byte{deriveKey("k2")})
	now := time.Now()
	parent := newChain()
	c := parent.child()
	deadline := now.Add(time.Second)
	tamper := func(f func(h *callHeaders)) callHeaders {
		h := signedHeaders(s.signer, c, parent, deadline, "/F")
		f(&h)
		return h
	}
	tests := []struct {
		name   string
		h      callHeaders
		route  string
		signed bool
	}{
		{"signed", signedHeaders(s.signer, c, parent, deadline, "/F"), "/F", true},
		{"another route", signedHeaders(s.signer, c, parent, deadline, "/F"), "/G", false},
		{"another trace", tamper(func(h *callHeaders) { h.traceparent = newChain().appendTraceparent(nil) }), "/F", false},
		{"deeper", tamper(func(h *callHeaders) { h.depth = []byte("5") }), "/F", false},
		{"later deadline", tamper(func(h *callHeaders) { h.deadline = appendDeadline(nil, deadline.Add(time.Hour)) }), "/F", false},
		{"another chain id", tamper(func(h *callHeaders) { copy(h.chain, newChain().id) }), "/F", false},
		{"no signature", tamper(func(h *callHeaders) { h.chain = h.chain[:chainIDLen] }), "/F", false},
		{"expired", signedHeaders(s.signer, c, parent, now.Add(-time.Millisecond), "/F"), "/F", false},
		{"another key", signedHeaders(other, c, parent, deadline, "/F"), "/F", false},
	}
	for _, tc := range tests {
		got, _, proxied := s.chainOf(tc.h, []byte(tc.route), now)
		if signed := got.id == c.id; signed != tc.signed {
			t.Errorf("%s: chain id %q (signed %v), want signed %v", tc.name, got.id, signed, tc.signed)
		}
		if tc.signed && (got.depth != c.depth || !proxied || got.trace != c.trace) {
			t.Errorf("%s: depth %d proxied %v trace %q", tc.name, got.depth, proxied, got.trace)
		}
		if !tc.signed && (got.depth != 0 || proxied) {
			t.Errorf("%s: unsigned but depth %d proxied %v", tc.name, got.depth, proxied)
		}
	}
	// Rotation: a server that verifies with the old key too accepts
	// both.
	rotated := testServer(t, WithChainKeys("k2", "k1"))
	if got, _, _ := rotated.chainOf(signedHeaders(s.signer, c, parent, deadline, "/F"), []byte("/F"), now); got.id != c.id {
		t.Errorf("a chain signed with the old key is not recognized during rotation")
	}
	both := testServer(t, WithChainKeys("k1", "k2"))
	if got, _, _ := both.chainOf(signedHeaders(rotated.signer, c, parent, deadline, "/F"), []byte("/F"), now); got.id != c.id {
		t.Errorf("a chain signed with the new key is not recognized by a server that has it second")
	}
}

// BenchmarkChainSign is the cost signing adds to a nested call: one
// signature by the caller's proxy, one verification by the callee.
func BenchmarkChainSign(b *testing.B) {
	s := newChainSigner([][]byte{deriveKey("k")})
	parent := newChain()
	c := parent.child()
	deadline := time.Now().Add(time.Minute)
	route := []byte("/Fib")
	trace := []byte(c.trace)
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		h := s.appendHeader(buf[:0], c, deadline, "/Fib")
		if _, err := s.verify(h, trace, c.depth, deadline.UnixNano(), route, nil, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzChainHeader: no chain header, however malformed, is accepted
// unless it was signed, and none makes verify panic.
func FuzzChainHeader(f *testing.F) {
	s := newChainSigner([][]byte{deriveKey("k")})
	c := newChain().child()
	deadline := time.Now().Add(time.Hour)
	f.Add(s.appendHeader(nil, c, deadline, "/F"), []byte(c.trace), 1, deadline.UnixNano(), []byte("/F"))
	f.Add([]byte("0af7651916cd43dd8448eb211c80319c.AAAAAAAAAAAAAAAAAAAAAA"), []byte("x"), 0, int64(0), []byte(""))
	f.Fuzz(func(t *testing.T, header, trace []byte, depth int, deadline int64, route []byte) {
		id, err := s.verify(header, trace, depth, deadline, route, nil, time.Unix(0, 0))
		if err != nil {
			return
		}
		want := s.appendHeader(nil, chain{id: id, trace: string(trace), depth: depth}, time.Unix(0, deadline), string(route))
		if string(want) != string(header) {
			t.Fatalf("verify accepted %q, which is not the signature %q", header, want)
		}
	})
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
	c, _, _ := testServer(t).chainOf(callHeaders{traceparent: buf}, []byte("/F"), time.Now())
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
