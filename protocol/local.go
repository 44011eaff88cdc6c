package protocol

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
)

// Local is a Caller that runs calls in this process, with the answer in
// memory. It is what a server uses for code it runs itself, so that one
// path serves calls whichever process runs the code.
type Local struct {
	Handler Handler
	// Go runs the handler of a call whose context can end; default a new
	// goroutine. The handler of a call whose context cannot end runs on
	// the caller's goroutine.
	Go func(func())
}

// Call runs the handler. As over a connection, when ctx ends before the
// answer, Call returns ctx's error and the handler's context ends, and
// the handler's answer, when it comes, is dropped.
//
// A handler that streams its answer (Start, then Write) while running on
// a goroutine of its own (a call whose context can end) is answered as
// soon as it starts: the body is read as the handler writes it, each
// Write waiting for the reader, and the handler's context ends when the
// reader closes the body. On the caller's goroutine, a streamed answer is
// collected whole first.
func (l Local) Call(ctx context.Context, call *Call, body []byte) (*Response, error) {
	if ctx.Done() == nil {
		return l.serve(ctx, call, body)
	}
	req := &Request{Call: *call, Body: body}
	hctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	w := &localWriter{ready: make(chan struct{}), cancel: cancel}
	run := func() {
		l.Handler.ServeCall(hctx, req, w)
		w.handlerDone()
		cancel(nil)
	}
	if l.Go != nil {
		l.Go(run)
	} else {
		go run()
	}
	select {
	case <-w.ready:
		return w.response()
	case <-ctx.Done():
		cancel(errors.New("the caller canceled the call"))
		w.abandon()
		return nil, ctx.Err()
	}
}

// serve runs the handler on this goroutine: the request, the writer and
// the answer are one allocation.
func (l Local) serve(ctx context.Context, call *Call, body []byte) (*Response, error) {
	lc := &struct {
		req Request
		LocalCall
	}{req: Request{Call: *call, Body: body}}
	return l.CallIn(ctx, &lc.req, &lc.LocalCall)
}

// A LocalCall is the room Local needs for the writer and the answer of
// one call it runs on the caller's goroutine (see CallIn). Its zero value
// is ready; use it for one call.
type LocalCall struct {
	w    localWriter
	resp Response
}

// CallIn runs the handler on this goroutine for req, with lc as the room
// of its writer and its answer: a caller that has a struct of its own for
// each call holds req and lc there, and the call costs no allocation of
// Local's. ctx must be one that cannot end (Done returns nil): Call
// serves the others. The answer returned may be &lc's, and the handler
// may keep req until it answers.
func (l Local) CallIn(ctx context.Context, req *Request, lc *LocalCall) (*Response, error) {
	l.Handler.ServeCall(ctx, req, &lc.w)
	if lc.w.pr != nil {
		return lc.w.response()
	}
	if err := lc.w.responseInto(&lc.resp); err != nil {
		return nil, err
	}
	return &lc.resp, nil
}

// A localWriter collects an answer in memory, or, once a handler on a
// goroutine of its own starts streaming, hands it over through a pipe.
type localWriter struct {
	// ready, if set, is closed once the answer can be returned: the
	// handler started streaming, or it returned. cancel ends the
	// handler's context.
	ready  chan struct{}
	cancel context.CancelCauseFunc

	mu            sync.Mutex // guards the fields below
	started, done bool
	reply         Reply
	body          bytes.Buffer   // a streamed body collected whole
	replied       []byte         // the body given to Reply, kept as it is
	pw            *io.PipeWriter // the streamed body's writing end
	pr            *io.PipeReader
	signaled      bool
}

// signal closes ready once.
func (w *localWriter) signal() {
	if w.ready != nil && !w.signaled {
		w.signaled = true
		close(w.ready)
	}
}

// Reply answers whole: the answer in memory is body itself, not a copy.
func (w *localWriter) Reply(r *Reply, body []byte) error {
	if err := w.Start(r); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pw != nil || w.body.Len() > 0 {
		// A streamed answer cannot be replied to whole; not reached:
		// Start streams only when called on its own.
		return errAnswered
	}
	w.replied = body
	w.done = true
	return nil
}

// Start starts the answer. Called on its own (not by Reply) on a handler
// of its own goroutine, it starts a stream the caller reads at once.
func (w *localWriter) Start(r *Reply) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started {
		return errAnswered
	}
	w.started, w.reply = true, *r
	return nil
}

// startStream makes the answer a stream read through a pipe, at its
// first Write (so nothing was written before).
func (w *localWriter) startStream() {
	if w.pw == nil && w.ready != nil && !w.done {
		w.pr, w.pw = io.Pipe()
		w.signal()
	}
}

func (w *localWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	if !w.started || w.done {
		w.mu.Unlock()
		return 0, errors.New("protocol: write outside a streamed answer")
	}
	w.startStream()
	pw := w.pw
	if pw == nil {
		defer w.mu.Unlock()
		return w.body.Write(p)
	}
	w.mu.Unlock()
	n, err := pw.Write(p)
	if err != nil && w.cancel != nil {
		w.cancel(err) // the reader is gone: so is the handler's reason to go on
	}
	return n, err
}

func (w *localWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
	if w.pw != nil {
		return w.pw.Close()
	}
	return nil
}

// handlerDone is called when the handler returns: an answer not yet
// handed over is now complete, and a stream it left open ends.
func (w *localWriter) handlerDone() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pw != nil && !w.done {
		w.done = true
		_ = w.pw.Close()
	}
	w.signal()
}

// abandon drops the answer of a call the caller gave up.
func (w *localWriter) abandon() {
	w.mu.Lock()
	pr := w.pr
	w.mu.Unlock()
	if pr != nil {
		_ = pr.CloseWithError(errReaderGone)
	}
}

// response returns the answer, once ready.
func (w *localWriter) response() (*Response, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		return nil, errors.New("protocol: the handler did not answer")
	}
	if w.pr != nil {
		return &Response{Reply: w.reply, pipe: w.pr}, nil
	}
	return newLocalResponse(w.reply, w.bodyBytes()), nil
}

// responseInto makes *resp the answer in memory, once ready: response
// without an allocation, for an answer that is not streamed.
func (w *localWriter) responseInto(resp *Response) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started {
		return errors.New("protocol: the handler did not answer")
	}
	*resp = Response{Reply: w.reply, localBody: w.bodyBytes()}
	resp.localReader.Reset(resp.localBody)
	resp.local = &resp.localReader
	return nil
}

// bodyBytes returns the answer's body in memory: the one given to
// Reply, or what was written.
func (w *localWriter) bodyBytes() []byte {
	if w.replied != nil {
		return w.replied
	}
	return w.body.Bytes()
}

// NewResponse returns a Response of r whose body is body, read from
// memory. The Response owns body from then on.
func NewResponse(r Reply, body []byte) *Response {
	return newLocalResponse(r, body)
}

// newLocalResponse returns a Response of r whose body is body, in one
// allocation.
func newLocalResponse(r Reply, body []byte) *Response {
	resp := &Response{Reply: r, localBody: body}
	resp.localReader.Reset(body)
	resp.local = &resp.localReader
	return resp
}

var _ io.Reader = (*Response)(nil)
