package protocol

import (
	"bytes"
	"context"
	"errors"
	"io"
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
func (l Local) Call(ctx context.Context, call *Call, body []byte) (*Response, error) {
	req := &Request{Call: *call, Body: body}
	if ctx.Done() == nil {
		return l.serve(ctx, req)
	}
	hctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	type result struct {
		resp *Response
		err  error
	}
	done := make(chan result, 1)
	run := func() {
		resp, err := l.serve(hctx, req)
		done <- result{resp, err}
	}
	if l.Go != nil {
		l.Go(run)
	} else {
		go run()
	}
	select {
	case r := <-done:
		cancel(nil)
		return r.resp, r.err
	case <-ctx.Done():
		cancel(errors.New("the caller canceled the call"))
		return nil, ctx.Err()
	}
}

func (l Local) serve(ctx context.Context, req *Request) (*Response, error) {
	w := &localWriter{}
	l.Handler.ServeCall(ctx, req, w)
	if !w.started {
		return nil, errors.New("protocol: the handler did not answer")
	}
	return &Response{Reply: w.reply, local: bytes.NewReader(w.body.Bytes())}, nil
}

// A localWriter collects an answer in memory.
type localWriter struct {
	started, done bool
	reply         Reply
	body          bytes.Buffer
}

func (w *localWriter) Reply(r *Reply, body []byte) error {
	if err := w.Start(r); err != nil {
		return err
	}
	w.body.Write(body)
	w.done = true
	return nil
}

func (w *localWriter) Start(r *Reply) error {
	if w.started {
		return errAnswered
	}
	w.started, w.reply = true, *r
	return nil
}

func (w *localWriter) Write(p []byte) (int, error) {
	if !w.started || w.done {
		return 0, errors.New("protocol: write outside a streamed answer")
	}
	return w.body.Write(p)
}

func (w *localWriter) Close() error {
	w.done = true
	return nil
}

// NewResponse returns a Response of r whose body is body, read from
// memory.
func NewResponse(r Reply, body []byte) *Response {
	return &Response{Reply: r, local: bytes.NewReader(body)}
}

var _ io.Reader = (*Response)(nil)
