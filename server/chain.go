package server

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Headers that carry the call chain between servers.
const (
	// HeaderTraceparent is the W3C trace context header: the chain's trace
	// id and the calling span.
	HeaderTraceparent = "traceparent"
	// HeaderDepth is the depth of the call in its chain; a call from
	// outside has depth 0.
	HeaderDepth = "Microfn-Depth"
	// HeaderDeadline is the caller's deadline, RFC 3339 with nanoseconds.
	HeaderDeadline = "Microfn-Deadline"
	// HeaderProxied marks a call made by a proxy, which does the retries
	// itself, so the server makes one attempt.
	HeaderProxied = "Microfn-Proxied"
	// HeaderAttempts on a response says how many attempts the call took.
	HeaderAttempts = "Microfn-Attempts"
	// HeaderStale on a response says the package failed to reload and an
	// older version answered.
	HeaderStale = "Microfn-Stale"
)

// chain is the identity and position of one execution in a call chain.
type chain struct {
	trace   string // 32 hex digits
	span    string // 16 hex digits: this execution
	depth   int
	service string // the route of the service this execution runs, once known
	// deadline, when set, bounds the execution on top of the context's
	// (a proxied call's deadline, applied by its one attempt).
	deadline time.Time
}

type chainKey struct{}

// chainFrom returns the chain of the attempt whose context ctx is or
// derives from.
func chainFrom(ctx context.Context) (chain, bool) {
	switch ctx := ctx.(type) {
	case nil:
		return chain{}, false
	case *attemptContext:
		return ctx.chain, true
	}
	if c, ok := ctx.Value(chainKey{}).(*chain); ok {
		return *c, true
	}
	return chain{}, false
}

// randomHex returns n random bytes in hex. Trace and span ids need to be
// unique, not secret, so a fast generator does.
func randomHex(n int) string {
	var b [16]byte
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], rand.Uint64())
	}
	return hex.EncodeToString(b[:n])
}

func newChain() chain { return chain{trace: randomHex(16), span: randomHex(8)} }

// child returns the chain of a call made by c's execution.
func (c chain) child() chain { return chain{trace: c.trace, span: randomHex(8), depth: c.depth + 1} }

// traceparent renders the W3C header for a call made by c's execution.
func (c chain) traceparent() string { return "00-" + c.trace + "-" + c.span + "-01" }

// parseTraceparent returns the trace id of a W3C traceparent header.
func parseTraceparent(h string) (string, bool) {
	parts := strings.Split(h, "-")
	if len(parts) != 4 || len(parts[1]) != 32 || len(parts[2]) != 16 || !isHex(parts[1]) || !isHex(parts[2]) || parts[1] == strings.Repeat("0", 32) {
		return "", false
	}
	return parts[1], true
}

func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// chainFromHeaders reads the chain of an incoming request. A request
// without a valid traceparent starts a new chain.
func chainFromHeaders(traceparent, depth string) chain {
	c := chain{span: randomHex(8)}
	if t, ok := parseTraceparent(traceparent); ok {
		// Fiber's header strings alias the request buffer, which the next
		// request on the connection overwrites; the trace id outlives the
		// request (it keys the limiters), so it gets its own copy.
		c.trace = strings.Clone(t)
	} else {
		c.trace = randomHex(16)
	}
	if d, err := strconv.Atoi(depth); err == nil && d > 0 {
		c.depth = d
	}
	return c
}

func parseDeadline(h string) (time.Time, bool) {
	if h == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, h)
	return t, err == nil
}
