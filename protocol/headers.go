package protocol

import "strings"

// The HTTP headers of microfn. A server reads and writes them at its HTTP
// edge: on the calls it answers (from a client, or from another server
// that forwards a nested call, --route) and on the nested calls it
// forwards to another server. They never cross a worker's connection as
// headers: there, a call's chain is a [Chain] and its flags are fields of
// [Call] and [Reply] (see the package documentation).
//
// Every header of microfn's own begins with [HeaderPrefix]. Service code
// sees none of them, nor the trace context headers, among the headers of
// the request it answers (microfn.RequestOf), and the worker drops one it
// sets on its answer (microfn.SetHeader): only a server writes them.
//
// A client can send any request header. A server trusts [HeaderDepth],
// [HeaderProxied] and [HeaderCaller] only on a request whose
// [HeaderChain] verifies: a signature, made with a key the servers share
// (--chain-key), over the chain id, the trace id, the depth, the deadline,
// the route called and the caller. Without one, the call starts a chain of
// its own at depth 0, whatever the headers say; [HeaderDeadline] can still
// make its deadline earlier, never later, and [HeaderTraceparent] still
// names its trace for the logs.

// HeaderPrefix begins the name of every header of microfn's own, as
// net/http and fasthttp write names (canonical form). A server passes no
// request header with it to service code, and a worker drops an answer's
// header with it that service code sets.
const HeaderPrefix = "Microfn-"

// The headers of a request that place a call in a call chain. A server
// sets them all on a nested call it forwards to another server (--route);
// the server that receives the call reads them (see above for which of
// them it trusts, and when).
const (
	// HeaderTraceparent is the W3C trace context header: the chain's
	// trace id and the span of the execution that made the call (its
	// parent span). A server keeps the trace id of any request that has
	// a valid one, signed or not, for its logs; one it cannot read is
	// ignored, and the call starts a trace of its own. It is not passed
	// to service code.
	HeaderTraceparent = "traceparent"
	// HeaderTracestate is the W3C trace context header of vendor state.
	// A server does not read it, and does not pass it to service code.
	HeaderTracestate = "tracestate"
	// HeaderDepth is the depth of the call in its chain, a whole number:
	// a call from outside has depth 0, and each nested call one more than
	// its caller. A server answers a value that is not a whole number
	// >= 0 with 400, trusts the value only with a chain that verifies,
	// and refuses a call deeper than --max-depth (508).
	HeaderDepth = "Microfn-Depth"
	// HeaderDeadline is the caller's deadline for the call: Unix time in
	// nanoseconds, as servers send it, or an RFC 3339 time, so that a
	// person can write one. A server answers a value it cannot read with
	// 400; a deadline earlier than the call's own timeout shortens it,
	// signed or not, and a later one is ignored.
	HeaderDeadline = "Microfn-Deadline"
	// HeaderProxied, with any value (servers send "1"), marks a call
	// made by a proxy, which retries under the callee's policy itself:
	// the server makes one attempt. It holds only with a chain that
	// verifies; without one, the server retries.
	HeaderProxied = "Microfn-Proxied"
	// HeaderChain carries the call's chain id and its signature:
	// 32 lower-case hex digits, a dot, and 22 base64url characters (16
	// bytes of HMAC-SHA256, unpadded). The chain id keys reentrant
	// concurrency limits. A server takes the call's chain id, depth,
	// deadline, HeaderProxied and HeaderCaller from the request only when
	// the signature verifies with one of its keys and the signed deadline
	// has not passed; a signature replayed on another chain, route or
	// caller does not verify.
	HeaderChain = "Microfn-Chain"
	// HeaderCaller carries who made the chain's first call, as the server
	// it reached authenticated it, and the claims of the JSON Web Token
	// it showed: base64url(caller) "." base64url(claims), unpadded. It is
	// signed with the chain (HeaderChain): a server trusts it only with a
	// chain that verifies, and service code reads it as the caller of its
	// request (microfn.Request's Caller and Claims).
	HeaderCaller = "Microfn-Caller"
)

// The headers of a server's answer to a call. A server sets them; clients
// and tests read them, and a server that forwarded a nested call reads
// [HeaderPermanent]. A browser's script may read all but HeaderPermanent
// (Access-Control-Expose-Headers, with --cors).
const (
	// HeaderAttempts is on every answer: how many attempts the call
	// took, a whole number; 0 when it was refused before its first
	// attempt (no such service, a bad header, authorization).
	HeaderAttempts = "Microfn-Attempts"
	// HeaderStale is on the answer of a service whose package failed to
	// reload, which an older version of the package answered: its value
	// is the first load error, on one line (printable ASCII, at most
	// about 200 characters), with how many more there are.
	HeaderStale = "Microfn-Stale"
	// HeaderTier is on the answer of a call that reached a version of
	// its service: the tier of the code that answered, [TierInterpreted]
	// or [TierCompiled].
	HeaderTier = "Microfn-Tier"
	// HeaderPermanent, with any value (servers send "1"), is on a failed
	// answer that another attempt cannot help (policy.Retryable reports
	// false: bad input, an error the service marked permanent with
	// microfn.Permanent, a status other than 429, 500, 502, 503 and
	// 504). A
	// server that forwarded the call for a nested call (--route) reads
	// it into the [Reply]'s Permanent flag, so that the calling proxy
	// does not retry.
	HeaderPermanent = "Microfn-Permanent"
)

// The values of [HeaderTier].
const (
	// TierInterpreted is the tier of code run by the interpreter.
	TierInterpreted = "interpreted"
	// TierCompiled is the tier of code compiled into a worker
	// executable with the Go toolchain.
	TierCompiled = "compiled"
)

// ReservedHeader reports whether a header named name, in any case, is
// not service code's to set on an answer: microfn's own ([HeaderPrefix])
// and those of the connection, which the server writes itself. The
// worker's host drops them from what service code sets, and the server
// drops them again from a worker's answer, trusting nothing a worker
// sends. It does not allocate: it runs for every header of every answer.
func ReservedHeader(name string) bool {
	if len(name) >= len(HeaderPrefix) && strings.EqualFold(name[:len(HeaderPrefix)], HeaderPrefix) {
		return true
	}
	for _, h := range connectionHeaders {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	return false
}

// connectionHeaders are the headers of the connection, not of an answer.
var connectionHeaders = [...]string{"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Trailer", "Upgrade"}
