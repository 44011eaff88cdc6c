package server_test

import (
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// BenchmarkDirectCallToken measures one HTTP call of a trivial service on
// a server that requires its token.
func BenchmarkDirectCallToken(b *testing.B) {
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false), server.WithToken("s3cret"))
	benchGet(b, in, "/IsEven?x=5", "false", "Authorization", "Bearer s3cret")
}
