package server_test

import (
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// contextSrc is one trivial service three ways: without a context, with
// one it does not read, and reading the request from it (a header, the
// method, the route), to price the request context of a direct call.
const contextSrc = `package rc

import (
	"context"

	"github.com/microfn/microfn"
)

//microfn:service
func Plain(x int) bool { return x%2 == 0 }

//microfn:service
func WithCtx(ctx context.Context, x int) bool { return x%2 == 0 }

//microfn:service
func ReadsRequest(ctx context.Context, x int) bool {
	r, ok := microfn.RequestOf(ctx)
	return ok && r.Method == "GET" && r.Header.Get("X-Note") == "" && r.Route != "" && x%2 == 0
}
`

// BenchmarkRequestContext: a direct call of a trivial service, without a
// context, with one, and reading the request from it; compare the three
// (same run) for the cost of the request context.
func BenchmarkRequestContext(b *testing.B) {
	in := microfntest.Start(b, map[string]string{"rc/rc.go": contextSrc}, server.WithQuiet(true), server.WithWatch(false))
	for _, name := range []string{"Plain", "WithCtx", "ReadsRequest"} {
		b.Run(name, func(b *testing.B) {
			benchGet(b, in, "/rc/"+name+"?x=4", "true")
		})
	}
}
