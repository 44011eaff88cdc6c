package protocol

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// A Chain places a call in its call chain: the chain it belongs to, its
// trace, how deep in the chain it runs and by when it must end.
type Chain struct {
	// ID identifies the chain for reentrant concurrency limits.
	ID [16]byte
	// Trace is the W3C trace id; Span the span of the execution that
	// made the call (the call's parent span).
	Trace [16]byte
	Span  uint64
	// Depth is the depth of the call: 0 for a call from outside.
	Depth int
	// Deadline is when the attempt must end; zero for none.
	Deadline time.Time
}

// A Field is one header of a call or a reply.
type Field struct {
	Name  string
	Value []byte
}

// Call flags.
const (
	// callProxied marks a call a proxy made: one attempt, which the
	// proxy retries itself.
	callProxied = 1 << iota
	// callAdmit asks the worker's host to admit the attempt under the
	// service's concurrency limit itself.
	callAdmit
)

// A Call is the head of a call: which service, how it was called, and
// where it stands in its chain. Its body (the JSON object of a POST)
// follows it.
//
// A call from the server to a worker is one attempt: Attempt is the id
// the server gave it, and Chain is the chain the attempt runs in. A call
// from a worker to the server is a nested call made by service code
// running in the attempt Attempt: the server takes the chain from its own
// record of that attempt, never from the worker, and Chain.Deadline may
// only shorten it.
type Call struct {
	// Attempt is an attempt id the server gave (see above).
	Attempt uint64
	// Route is the route of the service called, such as /billing/Charge.
	Route string
	// Method is the HTTP method of the call: GET (arguments in Query),
	// POST (arguments in the body) or HEAD.
	Method string
	// Query is the raw query string of a GET, without the '?'.
	Query []byte
	// ContentType is the content type of the body.
	ContentType string
	// Chain is the call's place in its chain.
	Chain Chain
	// Proxied marks a call made by a proxy: one attempt.
	Proxied bool
	// Try is the number of the attempt among those of a proxy's call,
	// from 1: the proxy retries under the callee's policy.
	Try int
	// Header holds the request headers the service may read.
	Header []Field
	// RemoteAddr is the client's address, for a call from outside.
	RemoteAddr string
	// Caller identifies who made the call, as the server authenticated
	// it; a nested call carries its chain's.
	Caller string
	// Claims are the claims of the JSON Web Token the chain's first call
	// was authenticated with (JSON), for a service that reads its
	// request; nil otherwise.
	Claims []byte
	// Parent is, for an attempt of a nested call the server sends, the
	// attempt that made the call (the id its caller named); 0 otherwise.
	// A worker that runs both finds the callee's ancestors by it.
	Parent uint64
	// Admit asks the worker's host to admit the attempt under the
	// concurrency limit of its service, which the host keeps: it runs
	// at once if the chain holds a slot or one is free, else it waits
	// for one in the limiter's queue (429 when the queue is full), at
	// most until Chain.Deadline, which is then the call's deadline,
	// not the attempt's: the host gives the attempt the service's
	// timeout from the moment it has its slot, within Chain.Deadline,
	// and answers 504 when it passes (see Reply.Overran).
	Admit bool
	// Caps are the capabilities of the attempt's chain: for an attempt
	// the server sends, those of the packages its code may call
	// straight (see Capability); for a call between workers, those the
	// caller was given, the callee's among them.
	Caps []Capability
}

// MethodDrain is the Method of a control call the server sends to a
// worker it replaces: its host answers the attempts that wait for a
// slot, and those that come after, Busy without running them, so that
// they are sent to the next worker.
const MethodDrain = "DRAIN"

// MethodStats is the Method of a control call: a call of no service, which
// the server sends to a worker (supervisor.Group.Ask) to have the
// statistics of its process (a worker.Stats, in JSON) for its /metrics.
// A worker answers it whatever the Route; service code cannot be called
// with it.
const MethodStats = "STATS"

// MethodCalls is the Method of a call a worker makes to its server to
// report the nested calls it ran itself (see package worker): its
// Attempt is the attempt they were made on behalf of, its body their
// records (JSON). The server counts and logs them, and answers 204.
const MethodCalls = "CALLS"

// appendTo appends the encoding of c.
func (c *Call) appendTo(e *encoder) {
	var flags uint8
	if c.Proxied {
		flags |= callProxied
	}
	if c.Admit {
		flags |= callAdmit
	}
	e.u8(flags)
	e.uvarint(c.Attempt)
	e.uvarint(uint64(c.Try))
	e.str(c.Route)
	e.str(c.Method)
	e.bytes(c.Query)
	e.str(c.ContentType)
	appendChain(e, &c.Chain)
	appendFields(e, c.Header)
	e.str(c.RemoteAddr)
	e.str(c.Caller)
	e.bytes(c.Claims)
	e.uvarint(c.Parent)
	appendCapabilities(e, c.Caps)
}

// decode reads c from d.
func (c *Call) decode(d *decoder) {
	flags := d.u8()
	c.Proxied = flags&callProxied != 0
	c.Admit = flags&callAdmit != 0
	c.Attempt = d.uvarint()
	try := d.uvarint()
	if try > 1<<16 {
		d.fail(fmt.Errorf("protocol: attempt number %d out of range", try))
	}
	c.Try = int(try)
	c.Route = d.name()
	c.Method = d.name()
	c.Query = d.bytes()
	c.ContentType = d.name()
	decodeChain(d, &c.Chain)
	c.Header = decodeFields(d)
	c.RemoteAddr = d.str()
	c.Caller = d.str()
	c.Claims = d.bytes()
	if len(c.Claims) == 0 {
		c.Claims = nil
	}
	c.Parent = d.uvarint()
	c.Caps = decodeCapabilities(d)
}

func appendChain(e *encoder, ch *Chain) {
	e.raw(ch.ID[:])
	e.raw(ch.Trace[:])
	e.u64(ch.Span)
	e.varint(int64(ch.Depth))
	var dl int64
	if !ch.Deadline.IsZero() {
		dl = ch.Deadline.UnixNano()
	}
	e.varint(dl)
}

func decodeChain(d *decoder, ch *Chain) {
	d.fixed(ch.ID[:])
	d.fixed(ch.Trace[:])
	ch.Span = d.u64()
	depth := d.varint()
	if depth < 0 || depth > 1<<20 {
		d.fail(fmt.Errorf("protocol: call depth %d out of range", depth))
	}
	ch.Depth = int(depth)
	ch.Deadline = time.Time{}
	if dl := d.varint(); dl != 0 {
		ch.Deadline = time.Unix(0, dl)
	}
}

// maxFields bounds the headers of one message.
const maxFields = 256

func appendFields(e *encoder, fs []Field) {
	e.uvarint(uint64(len(fs)))
	for _, f := range fs {
		e.str(f.Name)
		e.bytes(f.Value)
	}
}

func decodeFields(d *decoder) []Field {
	n := d.uvarint()
	if n > maxFields {
		d.fail(fmt.Errorf("protocol: %d header fields, at most %d", n, maxFields))
		return nil
	}
	if n == 0 || d.err != nil {
		return nil
	}
	fs := make([]Field, 0, n)
	for range n {
		name := d.str()
		value := d.bytes()
		if d.err != nil {
			return nil
		}
		fs = append(fs, Field{Name: name, Value: value})
	}
	return fs
}

// Reply flags.
const (
	// replyPermanent marks a failure no other attempt can help.
	replyPermanent = 1 << iota
	// replyBusy marks an attempt with Admit that did not run: its
	// worker is being replaced.
	replyBusy
	// replyOverran marks the 504 of an attempt that ran past its
	// deadline in the worker that admitted it: it runs on.
	replyOverran
	// replyRejected marks the 429 of the service's concurrency limit.
	replyRejected
)

// A Reply is the head of the answer to a call: its status and headers.
// Its body (the JSON of the results, or a problem) follows it.
type Reply struct {
	// Status is the HTTP status of the answer.
	Status int
	// Permanent marks a failure that another attempt cannot help (bad
	// input, an error the service marked permanent).
	Permanent bool
	// RetryAfter is the wait the service asks for before another
	// attempt, in whole seconds; 0 for none.
	RetryAfter int
	// ContentType is the content type of the body.
	ContentType string
	// Header holds response headers to pass on.
	Header []Field
	// The fields below answer an attempt sent with Call.Admit.
	//
	// Busy marks an attempt that did not run: its worker is being
	// replaced (MethodDrain); it is to be sent to the next one.
	Busy bool
	// Overran marks the 504 the host answers when the attempt runs past
	// its deadline (the service's timeout from its slot, or the call's
	// deadline): the execution runs on, holding its slot, and the
	// body, the problem, ends only when it ends.
	Overran bool
	// Rejected marks the 429 of the service's concurrency limit (its
	// queue is full), not one the service answered itself.
	Rejected bool
	// Wait is how long the attempt waited for a slot.
	Wait time.Duration
}

func (r *Reply) appendTo(e *encoder) {
	var flags uint8
	if r.Permanent {
		flags |= replyPermanent
	}
	if r.Busy {
		flags |= replyBusy
	}
	if r.Overran {
		flags |= replyOverran
	}
	if r.Rejected {
		flags |= replyRejected
	}
	e.u8(flags)
	e.uvarint(uint64(r.Status))
	e.uvarint(uint64(r.RetryAfter))
	e.uvarint(uint64(max(r.Wait, 0)))
	e.str(r.ContentType)
	appendFields(e, r.Header)
}

func (r *Reply) decode(d *decoder) {
	flags := d.u8()
	r.Permanent = flags&replyPermanent != 0
	r.Busy = flags&replyBusy != 0
	r.Overran = flags&replyOverran != 0
	r.Rejected = flags&replyRejected != 0
	status := d.uvarint()
	if status < 100 || status > 999 {
		d.fail(fmt.Errorf("protocol: status %d out of range", status))
	}
	r.Status = int(status)
	ra := d.uvarint()
	if ra > 1<<31 {
		d.fail(errors.New("protocol: retry-after out of range"))
	}
	r.RetryAfter = int(ra)
	wait := d.uvarint()
	if wait > math.MaxInt64 {
		d.fail(errors.New("protocol: wait out of range"))
	}
	r.Wait = time.Duration(wait)
	r.ContentType = d.name()
	r.Header = decodeFields(d)
}

// appendHead appends a head (a Call or a Reply) with its length, so that
// the body can follow it in the same frame.
func appendHead(b []byte, head interface{ appendTo(*encoder) }) []byte {
	// The head is written after a fixed 4-byte length slot, filled once
	// its size is known.
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	e := encoder{b: b}
	// Concrete calls, so that the encoder stays on the stack.
	switch h := head.(type) {
	case *Call:
		h.appendTo(&e)
	case *Reply:
		h.appendTo(&e)
	default:
		h.appendTo(&e)
	}
	n := len(e.b) - start - 4
	e.b[start] = byte(n)
	e.b[start+1] = byte(n >> 8)
	e.b[start+2] = byte(n >> 16)
	e.b[start+3] = byte(n >> 24)
	return e.b
}

// splitHead splits a frame's payload into its head and the body that
// follows it.
func splitHead(p []byte) (head, body []byte, err error) {
	if len(p) < 4 {
		return nil, nil, errShort
	}
	n := int(uint32(p[0]) | uint32(p[1])<<8 | uint32(p[2])<<16 | uint32(p[3])<<24)
	if n < 0 || n > len(p)-4 {
		return nil, nil, errShort
	}
	return p[4 : 4+n], p[4+n:], nil
}

// decodeCall reads a Call frame's payload.
func decodeCall(p []byte, names *nameTable) (Call, []byte, error) {
	var c Call
	head, body, err := splitHead(p)
	if err != nil {
		return c, nil, err
	}
	d := decoder{b: head, names: names}
	c.decode(&d)
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("protocol: trailing bytes after a call's head")
	}
	return c, body, d.err
}

// decodeReply reads a Reply frame's payload. names, if set, keeps its
// content type for the next replies.
func decodeReply(p []byte, names *nameTable) (Reply, []byte, error) {
	var r Reply
	head, body, err := splitHead(p)
	if err != nil {
		return r, nil, err
	}
	d := decoder{b: head, names: names}
	r.decode(&d)
	if d.err == nil && len(d.b) != 0 {
		d.err = errors.New("protocol: trailing bytes after a reply's head")
	}
	return r, body, d.err
}
