package server_test

import (
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// benchGetAuth is benchGet with an Authorization header.
func benchGetAuth(b *testing.B, in *microfntest.Instance, path, auth, want string) {
	client := &fasthttp.Client{MaxConnsPerHost: 256}
	url := in.URL + path
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := fasthttp.AcquireRequest()
		resp := fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(resp)
		req.SetRequestURI(url)
		req.Header.Set("Authorization", auth)
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

// BenchmarkDirectCallToken measures one HTTP call of a trivial service on
// a server that requires its token.
func BenchmarkDirectCallToken(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false), server.WithToken("s3cret"))
	benchGetAuth(b, in, "/IsEven?x=5", "Bearer s3cret", "false")
}
