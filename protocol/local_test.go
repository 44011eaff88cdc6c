package protocol

import (
	"context"
	"testing"
)

// TestReplyKeepsBody: an answer given with Reply reads the same whoever
// carries it; in memory (Local, on the caller's goroutine or on one of
// its own) it is the body itself, not a copy.
func TestReplyKeepsBody(t *testing.T) {
	t.Parallel()
	bodies := make(chan []byte, 1)
	h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		body := append([]byte(nil), req.Body...)
		body = append(body, '\n')
		bodies <- body
		_ = w.Reply(&Reply{Status: 200, ContentType: "application/json"}, body)
	})
	a, _ := pair(t, nil, h, Options{})
	canceled, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cases := []struct {
		name   string
		caller Caller
		ctx    context.Context
		shared bool // the answer is the handler's body itself
	}{
		{"local, same goroutine", Local{Handler: h}, context.Background(), true},
		{"local, goroutine of its own", Local{Handler: h}, canceled, true},
		{"connection", a, context.Background(), false},
	}
	for _, c := range cases {
		resp, err := c.caller.Call(c.ctx, &Call{Route: "/F", Method: "POST"}, []byte(`{"x":1}`))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		sent := <-bodies
		got, err := resp.ReadAll(0)
		if err != nil || string(got) != "{\"x\":1}\n" || resp.Status != 200 || resp.ContentType != "application/json" {
			t.Errorf("%s: %d %q %q, %v", c.name, resp.Status, resp.ContentType, got, err)
			continue
		}
		if shared := &got[0] == &sent[0]; shared != c.shared {
			t.Errorf("%s: the answer is the handler's body: %v, want %v", c.name, shared, c.shared)
		}
	}
}

// TestCallIn: a call run in the room the caller holds answers as Call
// does on the caller's goroutine: whole, a stream collected whole, or the
// error of a handler that did not answer; an answer in memory is the
// room's own.
func TestCallIn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		handler HandlerFunc
		want    string
		wantErr bool
	}{
		{"whole", func(ctx context.Context, req *Request, w ReplyWriter) {
			_ = w.Reply(&Reply{Status: 200, ContentType: "application/json"}, append([]byte(req.Route), req.Body...))
		}, "/F{\"x\":1}", false},
		{"stream", func(ctx context.Context, req *Request, w ReplyWriter) {
			_ = w.Start(&Reply{Status: 200, ContentType: "application/json"})
			_, _ = w.Write([]byte("1\n"))
			_, _ = w.Write([]byte("2\n"))
			_ = w.Close()
		}, "1\n2\n", false},
		{"no answer", func(ctx context.Context, req *Request, w ReplyWriter) {}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req := &Request{Call: Call{Route: "/F", Method: "POST"}, Body: []byte(`{"x":1}`)}
			var lc LocalCall
			resp, err := Local{Handler: c.handler}.CallIn(context.Background(), req, &lc)
			if c.wantErr {
				if err == nil {
					t.Fatalf("CallIn = %d, want an error", resp.Status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp != &lc.resp {
				t.Error("the answer is not the room's")
			}
			got, err := resp.ReadAll(0)
			if err != nil || string(got) != c.want || resp.Status != 200 {
				t.Errorf("CallIn = %d %q, %v; want 200 %q", resp.Status, got, err, c.want)
			}
		})
	}
}
