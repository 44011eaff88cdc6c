package server_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// BenchmarkDirectCallJWT measures one HTTP call of a trivial service
// whose route needs a JSON Web Token (ES256), verified on every call.
func BenchmarkDirectCallJWT(b *testing.B) {
	k := newTestKey(b, "k")
	keys := filepath.Join(b.TempDir(), "keys.json")
	writeJWKS(b, keys, k)
	tok := k.sign(b, jwt.MapClaims{"sub": "bench", "exp": time.Now().Add(time.Hour).Unix()})
	in := microfntest.StartDir(b, "../examples/seed", server.WithQuiet(true), server.WithWatch(false),
		server.WithAuth(server.AuthRule{Prefix: "/", Mode: "jwt", Keys: &server.JWTKeys{File: keys}}))
	benchGet(b, in, "/IsEven?x=5", "false", "Authorization", "Bearer "+tok)
}
