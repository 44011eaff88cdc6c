package protocol

import (
	"context"
	"testing"
)

// BenchmarkCall: one small call and its reply over a Unix socket pair,
// both ends in this process.
func BenchmarkCall(b *testing.B) {
	a, _ := pair(b, nil, HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		_ = w.Reply(&Reply{Status: 200, ContentType: "application/json"}, []byte("8\n"))
	}), Options{})
	call := &Call{Route: "/Fib", Method: "POST", ContentType: "application/json", Proxied: true}
	body := []byte(`{"n":5}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := a.Call(context.Background(), call, body)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := r.ReadAll(0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
