package server_test

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// benchGet calls path on in with a pooled fasthttp client, b.N times, in
// parallel, with the headers given as name, value pairs, and fails on any
// answer but 200 with body want.
func benchGet(b *testing.B, in *microfntest.Instance, path, want string, header ...string) {
	client := &fasthttp.Client{MaxConnsPerHost: 256}
	url := in.URL + path
	b.ReportAllocs() // allocs/op: the client's and the server's (and, with --isolate=none, the code's)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(url)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		for pb.Next() {
			if err := client.Do(req, resp); err != nil {
				b.Error(err)
				return
			}
			if resp.StatusCode() != 200 || string(resp.Body()) != want+"\n" {
				b.Errorf("GET %s = %d %s", path, resp.StatusCode(), resp.Body())
				return
			}
		}
	})
}

// BenchmarkDirectCall measures one HTTP call of a trivial service.
func BenchmarkDirectCall(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false))
	benchGet(b, in, "/IsEven?x=5", "false")
}

// BenchmarkHealthz is the floor of the HTTP stack, for comparison.
func BenchmarkHealthz(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false))
	client := &fasthttp.Client{}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, _, err := client.Get(nil, in.URL+"/healthz"); err != nil || status != 200 {
				b.Errorf("healthz: %d %v", status, err)
				return
			}
		}
	})
}

// BenchmarkNestedFib10 measures Fib(10): 177 HTTP calls per op.
func BenchmarkNestedFib10(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false))
	benchGet(b, in, "/Fib?n=10", "89")
}

// BenchmarkMonolithFib10 measures Fib(10) with nested calls in process.
func BenchmarkMonolithFib10(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false), server.WithMonolith(true))
	benchGet(b, in, "/Fib?n=10", "89")
}
