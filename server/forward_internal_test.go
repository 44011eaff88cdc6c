package server

import (
	"testing"

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
