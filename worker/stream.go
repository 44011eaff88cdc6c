package worker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/wire"
)

// StreamErrorKey is the member of the last line of a newline-delimited
// JSON stream that failed after its first value: {"microfn_error":
// PROBLEM}, the RFC 9457 problem of the error. (A server-sent event
// stream says it with an event of type error.)
const StreamErrorKey = "microfn_error"

// replyRaw answers with a result sent as it is (see wire.Func.Raw): a
// file's content, with its content type and name.
func replyRaw(w protocol.ReplyWriter, f *wire.Func, out []reflect.Value, status int, header []protocol.Field) {
	ct, disposition, data := f.RawResult(out)
	// The code may change the bytes it returned once the call is over
	// (a buffer it reuses): an answer in memory (Reply) keeps a copy.
	data = bytes.Clone(data)
	if disposition != "" {
		header = append(header, protocol.Field{Name: "Content-Disposition", Value: []byte(disposition)})
	}
	_ = w.Reply(&protocol.Reply{Status: status, ContentType: ct, Header: header}, data)
}

// wantsEvents reports whether the client of a call asked for server-sent
// events (Accept: text/event-stream).
func wantsEvents(req *protocol.Request) bool {
	if req.Proxied {
		return false // a proxy reads newline-delimited JSON
	}
	for _, f := range req.Header {
		if strings.EqualFold(f.Name, "Accept") {
			for _, part := range strings.Split(string(f.Value), ",") {
				if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == protocol.ContentTypeSSE {
					return true
				}
			}
		}
	}
	return false
}

// serveStream answers a call of a service that streams its values
// (iter.Seq[T], iter.Seq2[T, error]): it runs the service, then its
// stream, writing each value as it comes, as a line of JSON or a
// server-sent event. Each write waits for room in the caller's window,
// so a client that reads slowly slows the producer down; a client that
// goes away, or the attempt's deadline, makes the producer's yield
// return false. An error before the first value is answered as a
// problem, with its status (errors= applies); after it, as a last line
// or event.
func (h *Host) serveStream(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter, e *endpoint, args []reflect.Value, actx *attemptContext) {
	defer actx.end()
	out, err := e.svc.Invoke(actx, args)
	header, status := answerOf(actx.info)
	if err != nil {
		replyErrorWith(w, e.mapError(err), e.route, header)
		return
	}
	events := wantsEvents(req)
	head := &protocol.Reply{Status: status, ContentType: protocol.ContentTypeNDJSON, Header: header}
	if events {
		head.ContentType = protocol.ContentTypeSSE
		head.Header = append(head.Header, protocol.Field{Name: "Cache-Control", Value: []byte("no-cache")})
	}
	var (
		started bool
		failure error // why the stream ended early, for its last line
		buf     []byte
		sent    int64
	)
	deadline := actx.deadline
	max := h.cfg.Settings.MaxResponse
	err = e.svc.Stream(actx, out[0], func(v reflect.Value, yerr error) bool {
		switch {
		case ctx.Err() != nil:
			return false // the caller canceled the call
		case !deadline.IsZero() && !time.Now().Before(deadline):
			failure = microfn.Error(http.StatusGatewayTimeout, "%s: the stream ran past the call's deadline", e.svc.Desc.Name)
			return false
		case yerr != nil:
			failure = e.mapError(yerr)
			return false
		}
		var err error
		buf = buf[:0]
		if events {
			buf = append(buf, "data: "...)
		}
		if buf, err = e.svc.Func.AppendElem(buf, v); err != nil {
			failure = microfn.Error(http.StatusInternalServerError, "%s yielded a value that cannot be encoded as JSON: %v", e.svc.Desc.Name, err)
			return false
		}
		if events {
			buf = append(buf, "\n\n"...)
		} else {
			buf = append(buf, '\n')
		}
		if sent += int64(len(buf)); max > 0 && sent > max {
			failure = microfn.Permanent(microfn.Error(http.StatusInternalServerError, "%s streamed more than the limit of %d bytes (--max-response-size)", e.svc.Desc.Name, max))
			return false
		}
		if !started {
			if w.Start(head) != nil {
				return false
			}
			started = true
		}
		_, err = w.Write(buf)
		return err == nil // an error: the caller is gone
	})
	if err != nil && failure == nil {
		failure = err // the producer panicked
	}
	if !started {
		if failure != nil {
			replyErrorWith(w, failure, e.route, header)
			return
		}
		if w.Start(head) != nil {
			return
		}
	}
	if failure != nil && ctx.Err() == nil {
		p := protocol.ProblemOf(failure, e.route)
		if events {
			_, _ = w.Write(append(append([]byte("event: error\ndata: "), p.Body()...), "\n\n"...))
		} else {
			line, _ := json.Marshal(map[string]json.RawMessage{StreamErrorKey: p.Body()})
			_, _ = w.Write(append(line, '\n'))
		}
	} else if events && ctx.Err() == nil {
		_, _ = w.Write([]byte("event: end\ndata: null\n\n"))
	}
	_ = w.Close()
}

// callStream makes the result of a nested call of a service that streams
// its values: a stream that, each time the caller ranges over it, calls
// the service through the server (under its retry policy, until the
// answer starts) and yields the values as they arrive. The caller's loop
// stopping closes the answer: the callee's yield returns false.
func (h *Host) callStream(c *svcrt.Call, e *endpoint, parent *attemptContext, depth int) error {
	dst := reflect.ValueOf(c.Results[0]).Elem()
	name := c.Service.Desc.Name
	ctx := c.Ctx
	dst.Set(c.Service.Func.MakeSeq(dst.Type(), func() (wire.SeqSource, func(), error) {
		var resp *protocol.Response
		var stop context.CancelFunc
		_, err := e.policy.Do(ctx, func(ctx context.Context, try int) error {
			r, cancel, err := h.openStream(ctx, e, parent, depth, try, c)
			resp, stop = r, cancel
			return err
		})
		if err != nil {
			if _, ok := protocol.NestedFailure(err); !ok {
				err = microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf("cannot reach %s: %v", name, err), 0)
			}
			return nil, nil, microfn.Permanent(err)
		}
		br := bufio.NewReader(resp)
		next := func() ([]byte, error) {
			line, err := br.ReadBytes('\n')
			if errors.Is(err, io.EOF) && len(bytes.TrimSpace(line)) == 0 {
				return nil, io.EOF
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf("the stream of %s broke: %v", name, err), 0)
			}
			if bytes.HasPrefix(line, []byte(`{"`+StreamErrorKey+`":`)) {
				var last map[string]json.RawMessage
				if json.Unmarshal(line, &last) == nil && last[StreamErrorKey] != nil {
					var p protocol.Problem
					_ = json.Unmarshal(last[StreamErrorKey], &p)
					return nil, protocol.DecodeProblem(name, p.Status, last[StreamErrorKey], 0, c)
				}
			}
			return line, nil
		}
		return next, func() { resp.Close(); stop() }, nil
	}))
	return nil
}

// openStream makes one attempt of a nested call of a service that
// streams, through the server, and returns its answer once it starts,
// with what ends the call (after the answer is read or given up).
func (h *Host) openStream(ctx context.Context, e *endpoint, parent *attemptContext, depth, try int, c *svcrt.Call) (*protocol.Response, context.CancelFunc, error) {
	name := e.svc.Desc.Name
	up := h.upstream.Load()
	if up == nil {
		return nil, nil, microfn.Permanent(fmt.Errorf("call %s: this worker has no server to call", name))
	}
	body, err := c.Service.Func.AppendArgs(nil, c.Args)
	if err != nil {
		return nil, nil, microfn.Permanent(fmt.Errorf("call %s: encode arguments: %w", name, err))
	}
	deadline := time.Now().Add(e.policy.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	call := protocol.Call{
		Attempt:     parent.id,
		Route:       e.route,
		Method:      http.MethodPost,
		ContentType: "application/json",
		Proxied:     true,
		Try:         try,
		Chain:       protocol.Chain{Depth: depth, Deadline: deadline},
	}
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	resp, err := (*up).Call(cctx, &call, body)
	if err != nil {
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			to := &TimeoutError{Service: name, Timeout: e.policy.Timeout}
			return nil, nil, microfn.NewRemoteError(name, to.StatusCode(), to.Error(), 0)
		}
		return nil, nil, fmt.Errorf("call %s: %w", name, err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		data, rerr := resp.ReadAll(maxProblemBytes)
		cancel()
		if rerr != nil {
			return nil, nil, fmt.Errorf("call %s: read the answer: %w", name, rerr)
		}
		return nil, nil, protocol.DecodeProblem(name, resp.Status, data, resp.RetryAfter, c)
	}
	return resp, cancel, nil
}

// maxProblemBytes bounds the problem of a failed nested call.
const maxProblemBytes = 1 << 20
