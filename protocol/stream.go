package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
)

// A pending is a call of this end: waiting for its reply's head, then
// receiving its body.
type pending struct {
	c     *Conn
	id    uint64
	ready chan struct{} // closed once reply or err is set
	reply Reply
	err   error // set before ready closes, if the call failed

	mu       sync.Mutex // guards the fields below
	chunks   [][]byte   // received, not yet read
	buffered int        // bytes in chunks
	end      bool       // the last chunk has arrived
	bodyErr  error      // the body cannot be read further
	unacked  int        // bytes read since the last window grant
	closed   bool       // the reader closed the body
	// more, made by the first reader that waits (most bodies come
	// whole), is signaled when more of the body arrives.
	more chan struct{}
	once sync.Once
	// first holds the first chunk, without an allocation: most replies
	// come in one.
	first [1][]byte
	// resp is the Response of the reply, without an allocation of its
	// own; respMade is set once SentCall.Response made it.
	resp     Response
	respMade bool
}

func newPending(c *Conn) *pending {
	p := &pending{c: c, ready: make(chan struct{})}
	p.chunks = p.first[:0]
	return p
}

// fail ends the call with err: before its head, the call fails; after,
// its body does.
func (p *pending) fail(err error) {
	p.once.Do(func() {
		p.err = err
		close(p.ready)
	})
	p.mu.Lock()
	if p.bodyErr == nil && !p.end {
		p.bodyErr = err
	}
	p.mu.Unlock()
	p.signal()
}

func (p *pending) signal() {
	p.mu.Lock()
	more := p.more
	p.mu.Unlock()
	if more == nil {
		return // nobody has waited yet: a reader looks before it waits
	}
	select {
	case more <- struct{}{}:
	default:
	}
}

// head delivers the reply's head, and the start of its body.
func (p *pending) head(r Reply, body []byte, end bool) error {
	first := false
	p.once.Do(func() {
		first = true
		p.reply = r
	})
	if !first {
		if p.err != nil {
			return nil // the call was given up
		}
		return fmt.Errorf("protocol: call %d answered twice", p.id)
	}
	err := p.data(body, end)
	close(p.ready)
	return err
}

// data delivers a part of the reply's body. The sender must keep within
// the window: more is a protocol violation, since this end buffers what
// it receives until it is read.
func (p *pending) data(b []byte, end bool) error {
	p.mu.Lock()
	if p.end {
		p.mu.Unlock()
		return fmt.Errorf("protocol: data after the end of call %d's reply", p.id)
	}
	if p.closed || p.bodyErr != nil {
		p.end = end
		p.mu.Unlock()
		return nil
	}
	if p.buffered+len(b) > p.c.opts.Window {
		p.mu.Unlock()
		return fmt.Errorf("protocol: call %d's reply exceeds the window of %d bytes", p.id, p.c.opts.Window)
	}
	if len(b) > 0 {
		p.chunks = append(p.chunks, b)
		p.buffered += len(b)
	}
	p.end = end
	p.mu.Unlock()
	if end {
		p.c.forget(p.id)
	}
	p.signal()
	return nil
}

// A Response is the answer to a call: the reply's head, and its body to
// read. Read the body to its end or Close the Response, or the call stays
// open.
type Response struct {
	Reply
	p     *pending
	local *bytes.Reader // the body, for an answer in memory: &localReader
	// localReader reads localBody, the body of an answer in memory.
	localReader bytes.Reader
	localBody   []byte
	pipe        *io.PipeReader // the body, for an answer streamed in this process

	done     func() // see OnDone
	doneOnce sync.Once
}

// OnDone arranges for f to run once the body has been read to its end,
// has failed, or the Response is closed, whichever comes first. Set it
// before reading.
func (r *Response) OnDone(f func()) { r.done = f }

// finish runs the OnDone function, once.
func (r *Response) finish() {
	if r.done != nil {
		r.doneOnce.Do(r.done)
	}
}

// Read reads from the reply's body. It returns io.EOF at its end.
func (r *Response) Read(b []byte) (int, error) {
	n, err := r.read(b)
	if err != nil {
		r.finish()
	}
	return n, err
}

func (r *Response) read(b []byte) (int, error) {
	if r.local != nil {
		return r.local.Read(b)
	}
	if r.pipe != nil {
		return r.pipe.Read(b)
	}
	p := r.p
	for {
		p.mu.Lock()
		if len(p.chunks) > 0 {
			n := copy(b, p.chunks[0])
			if n == len(p.chunks[0]) {
				p.chunks[0] = nil
				p.chunks = p.chunks[1:]
			} else {
				p.chunks[0] = p.chunks[0][n:]
			}
			p.buffered -= n
			grant := p.ackLocked(n)
			p.mu.Unlock()
			r.grant(grant)
			return n, nil
		}
		switch {
		case p.end:
			p.mu.Unlock()
			return 0, io.EOF
		case p.bodyErr != nil:
			err := p.bodyErr
			p.mu.Unlock()
			return 0, err
		case p.closed:
			p.mu.Unlock()
			return 0, errors.New("protocol: read of a closed response")
		}
		if p.more == nil {
			p.more = make(chan struct{}, 1)
		}
		more := p.more
		p.mu.Unlock()
		<-more
	}
}

// ackLocked counts n bytes read and returns how many to grant the sender
// now: grants go out once half the window has been read, so that a body
// costs a window frame per half window, not per read.
func (p *pending) ackLocked(n int) int {
	p.unacked += n
	if p.end || p.unacked < p.c.opts.Window/2 {
		return 0
	}
	g := p.unacked
	p.unacked = 0
	return g
}

func (r *Response) grant(n int) {
	if n == 0 {
		return
	}
	e := encoder{}
	e.uvarint(uint64(n))
	_ = r.p.c.write(frameWindow, 0, r.p.id, e.b, nil)
}

// ReadAll reads the whole body, which may be at most max bytes (0: no
// bound), and closes the Response.
func (r *Response) ReadAll(max int) ([]byte, error) {
	defer r.Close()
	if r.pipe != nil {
		return readAllFrom(r, max)
	}
	if r.local != nil {
		b := r.takeLocal()
		if max > 0 && len(b) > max {
			return nil, &BodyTooLargeError{Limit: max}
		}
		return b, nil
	}
	p := r.p
	// The common case: the whole body came in the reply's frame.
	p.mu.Lock()
	if p.end && len(p.chunks) <= 1 {
		var b []byte
		if len(p.chunks) == 1 {
			b = p.chunks[0]
		}
		p.chunks, p.buffered = nil, 0
		p.mu.Unlock()
		if max > 0 && len(b) > max {
			return nil, &BodyTooLargeError{Limit: max}
		}
		return b, nil
	}
	p.mu.Unlock()
	return readAllFrom(r, max)
}

// readAllFrom reads r to its end, at most max bytes (0: no bound).
func readAllFrom(r io.Reader, max int) ([]byte, error) {
	var out []byte
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if max > 0 && len(out) > max {
			return nil, &BodyTooLargeError{Limit: max}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// Buffered returns the whole body if it has arrived already, as it does
// when it fits in one frame, and closes the Response; it reports false,
// changing nothing, while more of the body is to come.
func (r *Response) Buffered() ([]byte, bool) {
	if r.pipe != nil {
		return nil, false
	}
	if r.local != nil {
		b := r.takeLocal()
		r.finish()
		return b, true
	}
	p := r.p
	p.mu.Lock()
	if !p.end || len(p.chunks) > 1 {
		p.mu.Unlock()
		return nil, false
	}
	var b []byte
	if len(p.chunks) == 1 {
		b = p.chunks[0]
	}
	p.chunks, p.buffered, p.closed = nil, 0, true
	p.mu.Unlock()
	r.finish()
	return b, true
}

// takeLocal returns what is left unread of an answer in memory, without
// a copy, and leaves nothing to read.
func (r *Response) takeLocal() []byte {
	b := r.localBody[len(r.localBody)-r.local.Len():]
	r.localBody = nil
	r.local.Reset(nil)
	return b
}

// Close ends reading the body: what has not arrived yet is canceled.
func (r *Response) Close() error {
	defer r.finish()
	if r.pipe != nil {
		return r.pipe.CloseWithError(errReaderGone)
	}
	if r.local != nil {
		return nil
	}
	p := r.p
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	end := p.end
	p.chunks, p.buffered = nil, 0
	p.mu.Unlock()
	if !end {
		p.c.cancel(p.id, "the caller stopped reading the reply")
	}
	return nil
}

// errReaderGone is what the writer of an answer streamed in this process
// gets once its reader has closed it.
var errReaderGone = errors.New("protocol: the caller stopped reading the reply")

// The content types of streamed answers: values as newline-delimited
// JSON, or as server-sent events.
const (
	ContentTypeNDJSON = "application/x-ndjson"
	ContentTypeSSE    = "text/event-stream"
)

// IsStream reports whether an answer of this content type is a stream of
// values, produced as it is read.
func IsStream(contentType string) bool {
	return contentType == ContentTypeNDJSON || contentType == ContentTypeSSE
}

// BodyTooLargeError is the error of reading a body past a limit.
type BodyTooLargeError struct {
	// Limit is the limit, in bytes.
	Limit int
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("the answer exceeds the limit of %d bytes", e.Limit)
}

// A ReplyWriter answers a call: at once with Reply, or as a stream with
// Start, then Write as the body is produced, then Close. On a connection,
// Write blocks while the caller's window is full: a caller that reads
// slowly slows the writer down, and nothing piles up on either end.
type ReplyWriter interface {
	// Reply answers with r and the whole body.
	Reply(r *Reply, body []byte) error
	// Start sends the head of a streamed answer.
	Start(r *Reply) error
	// Write sends more of a streamed answer's body.
	Write(p []byte) (int, error)
	// Close ends a streamed answer.
	Close() error
}

// An OwnedReplier is a ReplyWriter that can keep the body of a whole
// answer as it is: ReplyOwned answers as Reply does, but the caller gives
// body up (it must not change it afterwards). An answer in memory (see
// Local) then costs no copy.
type OwnedReplier interface {
	ReplyOwned(r *Reply, body []byte) error
}

// ReplyOwned answers with r and body through w, giving body up if w can
// keep it (see OwnedReplier), else with w.Reply.
func ReplyOwned(w ReplyWriter, r *Reply, body []byte) error {
	if o, ok := w.(OwnedReplier); ok {
		return o.ReplyOwned(r, body)
	}
	return w.Reply(r, body)
}

// A connWriter is the ReplyWriter of a call that came over a connection.
type connWriter struct {
	c  *Conn
	in *incoming

	mu      sync.Mutex // guards the fields below
	started bool       // the head is sent
	done    bool       // the last frame is sent
	credit  int        // bytes the caller's window has room for
	err     error      // the call was canceled or the connection ended
	// wake, made by the first Write that waits for credit (most answers
	// never do), is signaled when credit comes or the call ends.
	wake chan struct{}
}

// ended reports whether the answer is complete (or can no longer be
// sent).
func (w *connWriter) ended() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.done || w.err != nil
}

func (w *connWriter) grant(n int) {
	w.mu.Lock()
	w.credit += n
	wake := w.wake
	w.mu.Unlock()
	signal(wake)
}

func (w *connWriter) abort(err error) {
	w.mu.Lock()
	if w.err == nil {
		w.err = err
	}
	wake := w.wake
	w.mu.Unlock()
	signal(wake)
}

// signal wakes the waiter on c, if any; nil c has none.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// errAnswered is the error of answering a call twice.
var errAnswered = errors.New("protocol: the call was answered already")

// Reply answers the call with r and the whole body.
func (w *connWriter) Reply(r *Reply, body []byte) error {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errAnswered
	}
	if w.err != nil {
		err := w.err
		w.mu.Unlock()
		return err
	}
	w.started = true
	small := len(body) <= min(w.credit, maxPayload)
	if small {
		w.credit -= len(body)
		w.done = true
	}
	w.mu.Unlock()
	if small {
		return w.c.writeHead(frameReply, flagEnd, w.in.id, r, body)
	}
	if err := w.sendHead(r); err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	return w.Close()
}

// Start sends the head of a streamed answer.
func (w *connWriter) Start(r *Reply) error {
	w.mu.Lock()
	if w.started {
		w.mu.Unlock()
		return errAnswered
	}
	w.started = true
	w.mu.Unlock()
	return w.sendHead(r)
}

func (w *connWriter) sendHead(r *Reply) error {
	return w.c.writeHead(frameReply, 0, w.in.id, r, nil)
}

// Write sends more of the body, waiting for room in the caller's window.
// It fails once the caller has canceled the call.
func (w *connWriter) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		w.mu.Lock()
		for w.credit == 0 && w.err == nil {
			if w.wake == nil {
				w.wake = make(chan struct{}, 1)
			}
			wake := w.wake
			w.mu.Unlock()
			<-wake
			w.mu.Lock()
		}
		if w.err != nil {
			err := w.err
			w.mu.Unlock()
			return n, err
		}
		k := min(len(b), w.credit, maxPayload)
		w.credit -= k
		w.mu.Unlock()
		if err := w.c.write(frameData, 0, w.in.id, nil, b[:k]); err != nil {
			return n, err
		}
		n += k
		b = b[k:]
	}
	return n, nil
}

// Close ends a streamed answer.
func (w *connWriter) Close() error {
	w.mu.Lock()
	if w.done {
		w.mu.Unlock()
		return nil
	}
	w.done = true
	err := w.err
	w.mu.Unlock()
	if err != nil {
		return err
	}
	return w.c.write(frameData, flagEnd, w.in.id, nil, nil)
}
