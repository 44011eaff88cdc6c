package server

import (
	"testing"
	"unsafe"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/protocol"
)

// TestSetAnswerHeaders: of the header fields a worker's answer carries,
// the server keeps what service code may set and drops microfn's own and
// the connection's, whatever the worker sent (a worker whose code writes
// frames of its own could send anything).
func TestSetAnswerHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		kept bool
	}{
		{"X-Request-Note", true},
		{"Set-Cookie", true},
		{"Cache-Control", true},
		{"Content-Type", true},
		{protocol.HeaderAttempts, false},
		{protocol.HeaderChain, false},
		{"microfn-tier", false},
		{"Content-Length", false},
		{"Transfer-Encoding", false},
		{"connection", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var h fasthttp.ResponseHeader
			setAnswerHeaders(&h, []protocol.Field{{Name: tc.name, Value: []byte("forged")}})
			got := string(h.Peek(tc.name)) == "forged"
			if got != tc.kept {
				t.Errorf("%s kept %v, want %v", tc.name, got, tc.kept)
			}
		})
	}
}

// TestMethodName: the method an inbound keeps never shares the request's
// buffer, which the next request on the connection overwrites.
func TestMethodName(t *testing.T) {
	t.Parallel()
	for _, m := range []string{"GET", "POST", "HEAD", "PUT"} {
		buf := []byte(m)
		aliased := unsafe.String(&buf[0], len(buf)) // as Fiber's Method is
		got := methodName(aliased)
		if got != m {
			t.Errorf("methodName(%q) = %q", m, got)
		}
		if unsafe.StringData(got) == &buf[0] {
			t.Errorf("methodName(%q) shares the request's buffer", m)
		}
		copy(buf, "XXXX")
		if got != m {
			t.Errorf("methodName(%q) changed with the buffer to %q", m, got)
		}
	}
}
