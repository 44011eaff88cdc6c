package server

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
)

// chain is the identity and position of one execution in a call chain.
type chain struct {
	// id is the chain's identity for reentrant concurrency: 32 hex
	// digits. It is the trace id of a chain started here; a request
	// whose chain headers are not signed gets a fresh one, whatever its
	// trace id.
	id      string
	trace   string // 32 hex digits, the W3C trace id
	span    uint64 // this execution's span id, never 0
	depth   int
	service string // the route of the service this execution runs, once known
	// caller identifies who made the chain's first call, as this server
	// authenticated it; empty without authentication.
	caller string
	// claims are the claims of the JSON Web Token the chain's first call
	// was authenticated with (JSON), nil without one.
	claims []byte
	// parent is the id of the attempt that made this call, for a nested
	// call; 0 otherwise.
	parent uint64
}

// randomHex returns n random bytes in hex. Trace and span ids need to be
// unique, not secret, so a fast generator does.
func randomHex(n int) string {
	var b [16]byte
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	var h [32]byte // the digits, then one allocation: the string's
	return string(hex.AppendEncode(h[:0], b[:n]))
}

// newSpan returns a random span id.
func newSpan() uint64 {
	for {
		if s := rand.Uint64(); s != 0 {
			return s
		}
	}
}

func newChain() chain {
	t := randomHex(16)
	return chain{id: t, trace: t, span: newSpan()}
}

// child returns the chain of a call made by c's execution.
func (c chain) child() chain {
	return chain{id: c.id, trace: c.trace, span: newSpan(), depth: c.depth + 1, caller: c.caller, claims: c.claims}
}

// appendTraceparent appends the W3C header for a call made by c's
// execution: its trace id, and its span as the parent of the call.
func (c chain) appendTraceparent(b []byte) []byte {
	var span [8]byte
	binary.BigEndian.PutUint64(span[:], c.span)
	b = append(b, "00-"...)
	b = append(b, c.trace...)
	b = append(b, '-')
	b = hex.AppendEncode(b, span[:])
	return append(b, "-01"...)
}

// traceparentLen is the length of a version 00 traceparent header:
// version-trace-parent-flags, 2, 32, 16 and 2 hex digits.
const traceparentLen = 2 + 1 + 32 + 1 + 16 + 1 + 2

// parseTraceparent returns the trace id of a W3C traceparent header. The
// id aliases h.
func parseTraceparent(h []byte) ([]byte, bool) {
	if len(h) != traceparentLen || h[2] != '-' || h[35] != '-' || h[52] != '-' {
		return nil, false
	}
	version, trace, parent, flags := h[:2], h[3:35], h[36:52], h[53:]
	if !isHex(version) || !isHex(trace) || !isHex(parent) || !isHex(flags) || isZero(trace) || isZero(parent) {
		return nil, false
	}
	return trace, true
}

// isHex reports whether s is lower-case hex digits, as W3C trace context
// requires.
func isHex(s []byte) bool {
	for _, c := range s {
		if !lowerHex[c] {
			return false
		}
	}
	return true
}

// lowerHex tells the lower-case hex digits apart.
var lowerHex = [256]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true,
}

func isZero(s []byte) bool {
	for _, c := range s {
		if c != '0' {
			return false
		}
	}
	return true
}

// callHeaders are the headers of a request that place it in a call chain.
// The values alias the request and live as long as it.
type callHeaders struct {
	traceparent, depth, deadline []byte
	chain                        []byte
	caller                       []byte
	proxied                      bool
}

// readCallHeaders finds the call chain's headers of a request in one pass.
func readCallHeaders(h *fasthttp.RequestHeader) callHeaders {
	var ch callHeaders
	for k, v := range h.All() {
		switch {
		case len(k) == len(protocol.HeaderTraceparent) && bytes.EqualFold(k, []byte(protocol.HeaderTraceparent)):
			ch.traceparent = v
		case len(k) == len(protocol.HeaderDepth) && bytes.EqualFold(k, []byte(protocol.HeaderDepth)):
			ch.depth = v
		case len(k) == len(protocol.HeaderDeadline) && bytes.EqualFold(k, []byte(protocol.HeaderDeadline)):
			ch.deadline = v
		case len(k) == len(protocol.HeaderProxied) && bytes.EqualFold(k, []byte(protocol.HeaderProxied)):
			ch.proxied = len(v) > 0
		case len(k) == len(protocol.HeaderChain) && bytes.EqualFold(k, keyChain):
			ch.chain = v
		case len(k) == len(protocol.HeaderCaller) && bytes.EqualFold(k, keyCaller):
			ch.caller = v
		}
	}
	return ch
}

// validate reports a Microfn-Deadline or Microfn-Depth header a client
// sent that cannot be read, as a 400 problem. (An invalid traceparent is
// ignored, as W3C trace context asks: the call starts a new trace.)
func (h callHeaders) validate() error {
	if len(h.deadline) > 0 {
		if _, ok := parseDeadline(h.deadline); !ok {
			return microfn.Error(http.StatusBadRequest, "header %s: want Unix time in nanoseconds or an RFC 3339 time, got %q", protocol.HeaderDeadline, h.deadline)
		}
	}
	if len(h.depth) > 0 {
		if d, err := strconv.Atoi(string(h.depth)); err != nil || d < 0 {
			return microfn.Error(http.StatusBadRequest, "header %s: want a whole number >= 0, got %q", protocol.HeaderDepth, h.depth)
		}
	}
	return nil
}

// chainOf reads the chain of a request to route that arrived at start,
// and the deadline it must be answered by. Only a request whose chain
// headers a microfn server signed is part of a chain: its chain id, depth, deadline and Microfn-Proxied
// hold. Any other request keeps its W3C trace id, for logs and tracing,
// but starts a chain of its own: a fresh chain id, depth 0, the call
// deadline (or the earlier deadline it asks for), and retries here.
func (s *Server) chainOf(h callHeaders, route []byte, start time.Time) (c chain, deadline time.Time, proxied bool) {
	deadline = start.Add(s.cfg.callDeadline)
	d, hasDeadline := parseDeadline(h.deadline)
	trace, hasTrace := parseTraceparent(h.traceparent)
	depth := 0
	if len(h.depth) > 0 {
		depth, _ = strconv.Atoi(string(h.depth)) // (no error made for the usual empty header)
	}
	if hasTrace && hasDeadline && depth > 0 {
		// The trace and chain ids outlive the request (the chain id keys
		// the limiters), so they are copies, not views of the request
		// buffer, which the next request on the connection overwrites.
		if id, err := s.signer.verify(h.chain, trace, depth, d.UnixNano(), route, h.caller, start); err == nil {
			if d.Before(deadline) {
				deadline = d
			}
			c := chain{id: id, trace: string(trace), span: newSpan(), depth: depth}
			c.caller, c.claims = parseCallerHeader(h.caller)
			return c, deadline, h.proxied
		}
	}
	c = chain{span: newSpan()}
	if hasTrace {
		c.trace, c.id = string(trace), randomHex(16)
	} else {
		c.trace = randomHex(16)
		c.id = c.trace
	}
	if hasDeadline && d.Before(deadline) {
		deadline = d
	}
	return c, deadline, false
}

// appendDeadline appends t as proxies send it in
// protocol.HeaderDeadline: Unix time in nanoseconds, which is quicker to
// write and read than RFC 3339.
func appendDeadline(b []byte, t time.Time) []byte {
	return strconv.AppendInt(b, t.UnixNano(), 10)
}

// parseDeadline reads a protocol.HeaderDeadline value: Unix time in
// nanoseconds, or an RFC 3339 time (so a person can write one).
func parseDeadline(h []byte) (time.Time, bool) {
	if len(h) == 0 {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(string(h), 10, 64); err == nil {
		return time.Unix(0, n), n > 0
	}
	t, err := time.Parse(time.RFC3339Nano, string(h))
	return t, err == nil
}
