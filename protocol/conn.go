package protocol

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Version is the version of the protocol this package speaks. Both ends
// send it first; a connection whose ends differ fails.
const Version = 4

// ErrClosed is the error of calls on a connection that has ended. The
// error a call returns wraps it, with why the connection ended.
var ErrClosed = errors.New("protocol: connection closed")

// A ViolationError is why a connection ended when the other end sent what
// is not the protocol: the error of the calls in flight wraps it.
type ViolationError struct{ Err error }

func (e *ViolationError) Error() string { return e.Err.Error() }

// Unwrap returns what was wrong.
func (e *ViolationError) Unwrap() error { return e.Err }

// A Handler serves the calls the other end of a connection makes.
//
// ServeCall runs on a goroutine of its own. It must answer with w (a
// handler that returns without answering answers 500); ctx ends when the
// caller cancels the call or the connection ends.
type Handler interface {
	ServeCall(ctx context.Context, req *Request, w ReplyWriter)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, req *Request, w ReplyWriter)

// ServeCall calls f.
func (f HandlerFunc) ServeCall(ctx context.Context, req *Request, w ReplyWriter) { f(ctx, req, w) }

// A Caller makes calls: a [Conn] to the other end, or a [Local] caller in
// this process.
type Caller interface {
	Call(ctx context.Context, call *Call, body []byte) (*Response, error)
}

// A Request is a call the other end made: its head and its whole body.
type Request struct {
	Call
	Body []byte
}

// Options configure a [Conn].
type Options struct {
	// Handler serves the calls of the other end. Nil refuses them: they
	// are answered 501.
	Handler Handler
	// MaxBody bounds the body of a call from the other end, in bytes; a
	// bigger one is refused with 413. Default 1 MiB.
	MaxBody int
	// Window bounds how many bytes of a reply's body the other end may
	// send beyond what this end has read. Default 256 KiB.
	Window int
	// Go runs the handler of a call; default: on a new goroutine. A
	// pool of goroutines keeps their grown stacks.
	Go func(f func())
}

// A Conn is one end of a connection between a server and one of its
// workers, over a stream socket. Either end calls the other: each call is
// a stream of frames with an id its caller chose, odd from the end made
// with odd set, even from the other, so that their ids never collide.
// Many calls run at once, each answered as soon as it is ready, and the
// body of a reply is flow-controlled: the callee sends no more than the
// caller's window ahead of what the caller has read.
//
// A Conn is safe for concurrent use.
type Conn struct {
	nc   net.Conn
	opts Options
	odd  bool

	wmu   sync.Mutex // serializes whole frames on nc
	wpool sync.Pool

	mu      sync.Mutex // guards the fields below
	next    uint64
	calls   map[uint64]*pending  // calls of this end, by id
	serving map[uint64]*incoming // calls of the other end, by id
	err     error                // why the connection ended
	done    chan struct{}        // closed when it ended

	names nameTable // the read goroutine's
}

// NewConn starts the protocol on nc. odd sets which ids this end gives
// its calls; the two ends must differ. The Conn reads nc until it ends
// (or Close), and owns it.
func NewConn(nc net.Conn, odd bool, opts Options) *Conn {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.Window <= 0 {
		opts.Window = 256 << 10
	}
	if opts.Go == nil {
		opts.Go = func(f func()) { go f() }
	}
	c := &Conn{
		nc:      nc,
		opts:    opts,
		odd:     odd,
		calls:   map[uint64]*pending{},
		serving: map[uint64]*incoming{},
		done:    make(chan struct{}),
	}
	if odd {
		c.next = 1
	} else {
		c.next = 2
	}
	c.wpool.New = func() any { return new([]byte) }
	e := encoder{}
	e.uvarint(Version)
	if err := c.writeFrame(frameHeader{typ: frameHello}, e.b, nil); err != nil {
		c.fail(fmt.Errorf("send hello: %w", err))
	}
	go c.read()
	return c
}

// Done returns a channel closed once the connection has ended.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended, or nil while it runs.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close ends the connection: calls in flight fail with ErrClosed, and
// calls being served see their context end.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	return nil
}

// fail ends the connection with err, once.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if !errors.Is(err, ErrClosed) {
		err = fmt.Errorf("%w: %w", ErrClosed, err)
	}
	c.err = err
	calls, serving := c.calls, c.serving
	c.calls, c.serving = map[uint64]*pending{}, map[uint64]*incoming{}
	close(c.done)
	c.mu.Unlock()
	_ = c.nc.Close()
	for _, p := range calls {
		p.fail(err)
	}
	for _, in := range serving {
		in.abort(err)
	}
}

// ours reports whether stream id was opened by this end.
func (c *Conn) ours(id uint64) bool { return (id%2 == 1) == c.odd }

// writeFrame writes one frame whose payload is a then b.
func (c *Conn) writeFrame(h frameHeader, a, b []byte) error {
	bp := c.wpool.Get().(*[]byte)
	var hb [frameHeaderLen]byte
	buf := append(append((*bp)[:0], hb[:]...), a...)
	return c.sendFrame(bp, h, buf, b)
}

// writeHead writes a frame of stream id whose payload is head (a Call or
// a Reply) then b, ending the connection if it cannot. The head is
// encoded right after the frame's header, in the one buffer written.
func (c *Conn) writeHead(typ frameType, flags uint8, id uint64, head interface{ appendTo(*encoder) }, b []byte) error {
	bp := c.wpool.Get().(*[]byte)
	var hb [frameHeaderLen]byte
	buf := appendHead(append((*bp)[:0], hb[:]...), head)
	if err := c.sendFrame(bp, frameHeader{typ: typ, flags: flags, stream: id}, buf, b); err != nil {
		c.fail(fmt.Errorf("write %s frame: %w", typ, err))
		return c.Err()
	}
	return nil
}

// sendFrame writes the frame of h: buf holds room for its header, then
// the start of its payload; b is the rest. It gives buf back to the pool
// as bp.
func (c *Conn) sendFrame(bp *[]byte, h frameHeader, buf, b []byte) error {
	h.length = uint32(len(buf) - frameHeaderLen + len(b))
	h.put((*[frameHeaderLen]byte)(buf))
	var err error
	c.wmu.Lock()
	if len(b) <= 4<<10 {
		buf = append(buf, b...)
		_, err = c.nc.Write(buf)
	} else {
		// A big body goes out without a copy.
		bufs := net.Buffers{buf, b}
		_, err = bufs.WriteTo(c.nc)
	}
	c.wmu.Unlock()
	if cap(buf) <= 64<<10 {
		*bp = buf
		c.wpool.Put(bp)
	}
	return err
}

// write writes a frame of stream id, ending the connection if it cannot.
func (c *Conn) write(typ frameType, flags uint8, id uint64, a, b []byte) error {
	if err := c.writeFrame(frameHeader{typ: typ, flags: flags, stream: id}, a, b); err != nil {
		c.fail(fmt.Errorf("write %s frame: %w", typ, err))
		return c.Err()
	}
	return nil
}

// Call makes a call and returns the head of its reply once it arrives;
// read the reply's body from the Response, then close it. ctx bounds the
// wait for the reply's head: when it ends first, the call is canceled
// (the other end's handler sees its context end) and Call returns ctx's
// error. The body may be of any size: it is sent in frames.
func (c *Conn) Call(ctx context.Context, call *Call, body []byte) (*Response, error) {
	sc := c.Send(call, body)
	select {
	case <-sc.Ready():
	case <-ctx.Done():
		c.cancel(sc.p.id, "the caller gave up")
		sc.p.fail(ctx.Err())
		return nil, ctx.Err()
	}
	return sc.Response()
}

// A SentCall is a call sent by Send whose reply is awaited: once Ready
// is closed, Response returns it. Nothing needs to wait for it: a reply
// nobody takes is kept until the connection ends, as a call canceled
// late would be.
type SentCall struct {
	p *pending
}

// Ready returns a channel closed when the reply's head has arrived, or
// the call has failed.
func (s SentCall) Ready() <-chan struct{} { return s.p.ready }

// Failed reports whether the call failed (once Ready is closed): then
// Response returns why.
func (s SentCall) Failed() bool { return s.p.err != nil }

// Response returns the reply, once Ready is closed: read its body, then
// close it, as that of Call.
func (s SentCall) Response() (*Response, error) {
	p := s.p
	if p.err != nil {
		p.c.forget(p.id)
		return nil, p.err
	}
	if !p.respMade {
		p.respMade = true
		p.resp = Response{Reply: p.reply, p: p}
	}
	return &p.resp, nil
}

// Send sends a call, as Call does, but returns as soon as it is sent:
// wait for its reply with the SentCall. Send and Call are one path; Send
// lets a caller wait for the reply with a deadline of its own, and leave
// the call to end on its own past it. A call that cannot be sent (the
// connection has ended) has failed at once: see SentCall.Failed.
func (c *Conn) Send(call *Call, body []byte) SentCall {
	p := newPending(c)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		p.fail(err)
		return SentCall{p: p}
	}
	p.id = c.next
	c.next += 2
	c.calls[p.id] = p
	c.mu.Unlock()

	first := body
	if len(first) > maxPayload {
		first = first[:maxPayload]
	}
	rest := body[len(first):]
	var flags uint8
	if len(rest) == 0 {
		flags = flagEnd
	}
	err := c.writeHead(frameCall, flags, p.id, call, first)
	for err == nil && len(rest) > 0 {
		chunk := rest
		if len(chunk) > maxPayload {
			chunk = chunk[:maxPayload]
		}
		rest = rest[len(chunk):]
		flags = 0
		if len(rest) == 0 {
			flags = flagEnd
		}
		err = c.write(frameData, flags, p.id, nil, chunk)
	}
	if err != nil {
		// The connection has ended (write failed it): so has the call.
		c.forget(p.id)
		p.fail(err)
	}
	return SentCall{p: p}
}

// forget drops a call of this end.
func (c *Conn) forget(id uint64) {
	c.mu.Lock()
	delete(c.calls, id)
	c.mu.Unlock()
}

// cancel tells the other end that this end gave up on call id.
func (c *Conn) cancel(id uint64, why string) {
	c.forget(id)
	_ = c.write(frameCancel, 0, id, []byte(why), nil)
}

// read reads frames until the connection ends.
func (c *Conn) read() {
	br := bufio.NewReaderSize(c.nc, 64<<10)
	var hb [frameHeaderLen]byte
	var arena []byte // what is left of the block small payloads are cut from
	hello := false
	for {
		h, err := readFrameHeader(br, &hb)
		if err != nil {
			c.fail(readError(err))
			return
		}
		var payload []byte
		payload, arena = cutPayload(arena, int(h.length))
		if _, err := io.ReadFull(br, payload); err != nil {
			c.fail(readError(err))
			return
		}
		if !hello {
			if err := checkHello(h, payload); err != nil {
				c.fail(&ViolationError{err})
				return
			}
			hello = true
			continue
		}
		if err := c.dispatch(h, payload); err != nil {
			c.fail(&ViolationError{err})
			return
		}
	}
}

// Small payloads are cut from blocks of arenaBlock bytes: a frame costs
// an allocation per block, not one of its own. (A payload kept keeps its
// block: the blocks are small.)
const (
	arenaBlock   = 16 << 10
	arenaPayload = 2 << 10 // the largest payload cut from a block
)

// cutPayload returns a buffer of n bytes for a frame's payload, and what
// is left of arena: a small one is cut from arena (from a new block if it
// does not fit), a bigger one is a buffer of its own.
func cutPayload(arena []byte, n int) (payload, rest []byte) {
	if n > arenaPayload {
		return make([]byte, n), arena
	}
	if len(arena) < n {
		arena = make([]byte, arenaBlock)
	}
	return arena[:n:n], arena[n:]
}

// readError describes why reading the connection stopped.
func readError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("the other end closed the connection: %w", err)
	}
	return err
}

// checkHello checks the first frame of the other end.
func checkHello(h frameHeader, payload []byte) error {
	if h.typ != frameHello || h.stream != 0 {
		return fmt.Errorf("protocol: want a hello frame first, got a %s frame", h.typ)
	}
	d := decoder{b: payload}
	if v := d.uvarint(); d.err != nil || v != Version {
		return fmt.Errorf("protocol: the other end speaks version %d, this end %d", v, Version)
	}
	return nil
}

// dispatch handles one frame. An error is a protocol violation, which
// ends the connection.
func (c *Conn) dispatch(h frameHeader, payload []byte) error {
	end := h.flags&flagEnd != 0
	if h.stream == 0 {
		return fmt.Errorf("protocol: %s frame on stream 0", h.typ)
	}
	ours := c.ours(h.stream)
	switch {
	case h.typ == frameCall && !ours:
		return c.receiveCall(h.stream, payload, end)
	case h.typ == frameData && !ours:
		return c.receiveCallData(h.stream, payload, end)
	case h.typ == frameCancel && !ours:
		c.mu.Lock()
		in := c.serving[h.stream]
		c.mu.Unlock()
		if in != nil {
			in.abort(fmt.Errorf("the caller canceled the call: %s", payload))
		}
		return nil
	case h.typ == frameWindow && !ours:
		d := decoder{b: payload}
		n := d.uvarint()
		if d.err != nil || n == 0 || n > 1<<30 {
			return fmt.Errorf("protocol: bad window frame")
		}
		c.mu.Lock()
		in := c.serving[h.stream]
		c.mu.Unlock()
		if in != nil {
			in.w.grant(int(n))
		}
		return nil
	case h.typ == frameReply && ours:
		r, body, err := decodeReply(payload, &c.names)
		if err != nil {
			return err
		}
		c.mu.Lock()
		p := c.calls[h.stream]
		c.mu.Unlock()
		if p == nil {
			return nil // canceled: drop the answer
		}
		return p.head(r, body, end)
	case h.typ == frameData && ours:
		c.mu.Lock()
		p := c.calls[h.stream]
		c.mu.Unlock()
		if p == nil {
			return nil
		}
		return p.data(payload, end)
	case h.typ == frameCancel && ours:
		c.mu.Lock()
		p := c.calls[h.stream]
		delete(c.calls, h.stream)
		c.mu.Unlock()
		if p != nil {
			p.fail(fmt.Errorf("protocol: the other end canceled the call: %s", payload))
		}
		return nil
	}
	return fmt.Errorf("protocol: unexpected %s frame on stream %d", h.typ, h.stream)
}

// receiveCall starts a call of the other end.
func (c *Conn) receiveCall(id uint64, payload []byte, end bool) error {
	call, body, err := decodeCall(payload, &c.names)
	if err != nil {
		return err
	}
	in := &incoming{id: id, req: Request{Call: call}}
	in.cw = connWriter{c: c, in: in, credit: c.opts.Window}
	in.w = &in.cw
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		in.ctx.end(c.err)
		return nil
	}
	if _, dup := c.serving[id]; dup {
		c.mu.Unlock()
		in.ctx.end(nil)
		return fmt.Errorf("protocol: call %d opened twice", id)
	}
	c.serving[id] = in
	c.mu.Unlock()
	if len(body) > c.opts.MaxBody {
		in.tooBig = true
	} else {
		in.req.Body = body
	}
	if end {
		in.complete = true
		c.opts.Go(func() { c.serve(in) })
	}
	return nil
}

// receiveCallData adds to the body of a call of the other end.
func (c *Conn) receiveCallData(id uint64, payload []byte, end bool) error {
	c.mu.Lock()
	in := c.serving[id]
	c.mu.Unlock()
	if in == nil {
		return nil // canceled meanwhile
	}
	if in.complete {
		return fmt.Errorf("protocol: data after the end of call %d's body", id)
	}
	if !in.tooBig {
		if len(in.req.Body)+len(payload) > c.opts.MaxBody {
			in.tooBig, in.req.Body = true, nil
		} else {
			in.req.Body = append(in.req.Body, payload...)
		}
	}
	if end {
		in.complete = true
		c.opts.Go(func() { c.serve(in) })
	}
	return nil
}

// serve runs the handler for a call of the other end.
func (c *Conn) serve(in *incoming) {
	w := in.w
	defer func() {
		if !w.ended() {
			_ = w.Reply(&Reply{Status: 500, Permanent: true, ContentType: "text/plain"}, []byte("the handler did not answer"))
		}
		c.mu.Lock()
		delete(c.serving, in.id)
		c.mu.Unlock()
		in.ctx.end(nil)
	}()
	switch {
	case in.tooBig:
		_ = w.Reply(&Reply{Status: 413, Permanent: true, ContentType: "text/plain"}, fmt.Appendf(nil, "the body exceeds %d bytes", c.opts.MaxBody))
	case c.opts.Handler == nil:
		_ = w.Reply(&Reply{Status: 501, Permanent: true, ContentType: "text/plain"}, []byte("this end serves no calls"))
	default:
		c.opts.Handler.ServeCall(&in.ctx, &in.req, w)
	}
}

// An incoming is a call of the other end being received or served.
type incoming struct {
	id  uint64
	req Request
	ctx callContext // the handler's
	w   *connWriter // &cw
	cw  connWriter
	// tooBig and complete are the read goroutine's: the body exceeds
	// MaxBody; the body is complete and the handler runs.
	tooBig, complete bool
}

// abort ends the call: the caller gave up, or the connection ended.
func (in *incoming) abort(err error) {
	in.ctx.end(err)
	in.w.abort(err)
}
