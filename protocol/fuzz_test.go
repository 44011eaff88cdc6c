package protocol

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"
)

// FuzzMessages: any payload either fails to decode or decodes to a head
// that encodes back to the same head.
func FuzzMessages(f *testing.F) {
	c := Call{Attempt: 7, Route: "/a/B", Method: "POST", Query: []byte("x=1"), Proxied: true, Chain: Chain{Depth: 3, Span: 1, Deadline: time.Unix(0, 5)}, Header: []Field{{"K", []byte("v")}}}
	f.Add(appendHead(nil, &c), true)
	r := Reply{Status: 200, RetryAfter: 1, ContentType: "x", Header: []Field{{"A", nil}}}
	f.Add(appendHead(nil, &r), false)
	admitted := Reply{Status: 504, Overran: true, Rejected: true, Busy: true, Wait: time.Second, ContentType: ProblemContentType}
	f.Add(appendHead(nil, &admitted), false)
	c.Admit = true
	f.Add(appendHead(nil, &c), true)
	f.Fuzz(func(t *testing.T, p []byte, isCall bool) {
		if isCall {
			var names nameTable // a connection's: decoding the same names again reuses them
			c, _, err := decodeCall(p, &names)
			if err != nil {
				return
			}
			c2, _, err := decodeCall(appendHead(nil, &c), &names)
			if err != nil || fmt.Sprint(c2) != fmt.Sprint(c) {
				t.Fatalf("call %+v re-decodes as %+v, %v", c, c2, err)
			}
			return
		}
		var names nameTable // a connection's: decoding the same content type again reuses it
		r, _, err := decodeReply(p, &names)
		if err != nil {
			return
		}
		r2, _, err := decodeReply(appendHead(nil, &r), &names)
		if err != nil || fmt.Sprint(r2) != fmt.Sprint(r) {
			t.Fatalf("reply %+v re-decodes as %+v, %v", r, r2, err)
		}
	})
}

// FuzzConn: whatever the other end sends after its hello, the connection
// neither panics nor hangs: it serves what is valid and ends on the rest.
func FuzzConn(f *testing.F) {
	call := Call{Route: "/F", Method: "GET"}
	valid := frameBytes(frameCall, flagEnd, 2, appendHead(nil, &call))
	f.Add(valid)
	f.Add(append(frameBytes(frameCall, 0, 4, appendHead(nil, &call)), frameBytes(frameData, flagEnd, 4, []byte("body"))...))
	f.Add(frameBytes(frameWindow, 0, 2, []byte{0x80, 0x01}))
	f.Add(frameBytes(frameCancel, 0, 1, []byte("why")))
	f.Add(frameBytes(frameReply, flagEnd, 1, appendHead(nil, &Reply{Status: 200})))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, y := socketPair(t)
		c := NewConn(x, true, Options{Handler: echo, MaxBody: 1 << 16, Window: 1 << 12})
		defer c.Close()
		// A call of this end, so that replies to stream 1 have a taker.
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			if r, err := c.Call(ctx, &Call{Route: "/G"}, nil); err == nil {
				_, _ = r.ReadAll(1 << 16)
			}
		}()
		go func() { _, _ = io.Copy(io.Discard, y) }()
		_, _ = y.Write(append(helloFrame(), data...))
		// Half-close: the connection reads what was sent, then EOF.
		if uc, ok := y.(interface{ CloseWrite() error }); ok {
			_ = uc.CloseWrite()
		}
		select {
		case <-c.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the connection did not end after its input did")
		}
		y.Close()
	})
}
