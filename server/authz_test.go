package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// authSources: billing's services need a JWT (the --auth rule of the
// test), whoami reads the claims, outer calls it; the root package has a
// service open to all (auth=none), one for the token (auth=token) and
// one the default covers (the token: the server has one).
func authSources() map[string]string {
	return map[string]string{
		"billing/billing.go": `package billing

import (
	"context"
	"fmt"

	"github.com/microfn/microfn"
)

// Whoami tells who called, and the role claim of their token.
//
//microfn:service
func Whoami(ctx context.Context) (string, error) {
	r, ok := microfn.RequestOf(ctx)
	if !ok {
		return "", fmt.Errorf("no request")
	}
	return fmt.Sprintf("%s role=%v depth=%d", r.Caller, r.Claims["role"], r.Depth), nil
}

// Outer calls Whoami: a nested call keeps the caller.
//
//microfn:service
func Outer(ctx context.Context) (string, error) {
	s, err := Whoami(ctx)
	return "outer " + s, err
}

// Blind calls Whoami without a context of its own: the chain still
// carries the caller.
//
//microfn:service
func Blind() string {
	s, _ := Whoami(context.Background())
	return "blind " + s
}
`,
		"open.go": `package open

// Ping is open to all.
//
//microfn:service auth=none
func Ping() string { return "pong" }

// Admin needs the server's token.
//
//microfn:service auth=token
func Admin() string { return "admin" }

// Plain leaves it to the server: the token, which it has.
//
//microfn:service
func Plain() string { return "plain" }
`,
	}
}

// testKey is a signing key with its key id.
type testKey struct {
	kid  string
	priv *ecdsa.PrivateKey
}

func newTestKey(t testing.TB, kid string) testKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, priv: k}
}

// writeJWKS writes the public keys of keys as a JWK Set file.
func writeJWKS(t testing.TB, file string, keys ...testKey) {
	t.Helper()
	var set jwkset.JWKSMarshal
	for _, k := range keys {
		jwk, err := jwkset.NewJWKFromKey(&k.priv.PublicKey, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: k.kid, ALG: jwkset.AlgES256, USE: jwkset.UseSig}})
		if err != nil {
			t.Fatal(err)
		}
		set.Keys = append(set.Keys, jwk.Marshal())
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// sign returns a JWT of claims signed by k.
func (k testKey) sign(t testing.TB, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	tok.Header["kid"] = k.kid
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get calls path with the Authorization header auth (none if empty).
func get(t *testing.T, in *microfntest.Instance, path, auth string) microfntest.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, in.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// authModes are the ways code runs that the auth tests cover: nested
// calls between workers through the server, in the worker (--monolith),
// and compiled. (The test script runs them with --isolate=none too.)
var authModes = []struct {
	name string
	opts []server.Option
}{
	{"http", nil},
	{"monolith", []server.Option{server.WithMonolith(true)}},
	{"compiled", []server.Option{server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled)}},
}

// TestAuthJWT: the routes under /billing need a JWT verified against a
// JWK Set file (--auth /billing=jwt:FILE); a missing, expired, wrongly
// signed, unknown-key or malformed token is a 401 problem with
// WWW-Authenticate; a good one reaches the service, which reads the
// subject and the claims, and a nested call keeps them. auth=none and
// auth=token in annotations win over the default (the token).
func TestAuthJWT(t *testing.T) {
	t.Parallel()
	good, other := newTestKey(t, "k1"), newTestKey(t, "k1")
	keys := filepath.Join(t.TempDir(), "keys.json")
	writeJWKS(t, keys, good)
	rule, err := server.ParseAuthRule("/billing=jwt:" + keys + ",aud=shop")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	valid := good.sign(t, jwt.MapClaims{"sub": "alice", "role": "buyer", "aud": "shop", "exp": now.Add(time.Hour).Unix()})
	expired := good.sign(t, jwt.MapClaims{"sub": "alice", "aud": "shop", "exp": now.Add(-time.Hour).Unix()})
	wrongKey := other.sign(t, jwt.MapClaims{"sub": "mallory", "aud": "shop", "exp": now.Add(time.Hour).Unix()})
	unknownKid := newTestKey(t, "k9").sign(t, jwt.MapClaims{"sub": "mallory", "aud": "shop", "exp": now.Add(time.Hour).Unix()})
	otherAud := good.sign(t, jwt.MapClaims{"sub": "alice", "aud": "elsewhere", "exp": now.Add(time.Hour).Unix()})
	noExp := good.sign(t, jwt.MapClaims{"sub": "alice", "aud": "shop"})
	cases := []struct {
		path, auth string
		status     int
		want       string // the body (200) or a word of the detail (401)
	}{
		{"/billing/Whoami", "", 401, "requires a JSON Web Token"},
		{"/billing/Whoami", "Bearer " + expired, 401, "expired"},
		{"/billing/Whoami", "Bearer " + wrongKey, 401, "signature"},
		{"/billing/Whoami", "Bearer " + unknownKid, 401, "signature"},
		{"/billing/Whoami", "Bearer " + otherAud, 401, "audience"},
		{"/billing/Whoami", "Bearer " + noExp, 401, "exp"},
		{"/billing/Whoami", "Bearer not.a.jwt", 401, "JSON Web Token"},
		{"/billing/Whoami", "Bearer t0ken", 401, "JSON Web Token"}, // the server's token is not a JWT
		{"/billing/Whoami", "Bearer " + valid, 200, `"alice role=buyer depth=0"`},
		{"/billing/Outer", "Bearer " + valid, 200, `"outer alice role=buyer depth=1"`},
		{"/billing/Blind", "Bearer " + valid, 200, `"blind alice role=buyer depth=1"`},
		{"/billing/Nope", "", 401, "JSON Web Token"}, // no route discovery
		{"/Ping", "", 200, `"pong"`},
		{"/Admin", "", 401, "token"},
		{"/Admin", "Bearer " + valid, 401, "token"},
		{"/Admin", "Bearer t0ken", 200, `"admin"`},
		{"/Plain", "", 401, "token"},
		{"/Plain", "Bearer t0ken", 200, `"plain"`},
		{"/Nope", "", 401, "token"},
		{"/openapi.json", "", 401, "token"},
		{"/healthz", "", 200, ""},
	}
	for _, m := range authModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]server.Option{server.WithQuiet(true), server.WithToken("t0ken"), server.WithAuth(rule)}, m.opts...)
			in := microfntest.Start(t, authSources(), opts...)
			for _, c := range cases {
				r := get(t, in, c.path, c.auth)
				if r.Status != c.status {
					t.Errorf("GET %s (%.20s) = %d %s, want %d", c.path, c.auth, r.Status, r.Body, c.status)
					continue
				}
				switch {
				case c.status == 401:
					p := problem(t, r)
					if !strings.Contains(p.Detail, c.want) || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("GET %s (%.20s): detail %q, WWW-Authenticate %q; want a detail with %q", c.path, c.auth, p.Detail, r.Header.Get("WWW-Authenticate"), c.want)
					}
				case c.want != "" && body(r) != c.want:
					t.Errorf("GET %s = %s, want %s", c.path, body(r), c.want)
				}
			}
		})
	}
}

// TestAuthKeyRotation: a JWK Set file that changes is read again, so a
// token of a new key works without a restart, and one of a removed key
// stops working.
func TestAuthKeyRotation(t *testing.T) {
	t.Parallel()
	old, fresh := newTestKey(t, "old"), newTestKey(t, "new")
	keys := filepath.Join(t.TempDir(), "keys.json")
	writeJWKS(t, keys, old)
	in := microfntest.Start(t, authSources(), server.WithQuiet(true), server.WithJWTKeys(server.JWTKeys{File: keys}),
		server.WithAuth(server.AuthRule{Prefix: "/billing", Mode: "jwt"}))
	exp := time.Now().Add(time.Hour).Unix()
	oldTok := "Bearer " + old.sign(t, jwt.MapClaims{"sub": "a", "role": "x", "exp": exp})
	newTok := "Bearer " + fresh.sign(t, jwt.MapClaims{"sub": "b", "role": "y", "exp": exp})
	if r := get(t, in, "/billing/Whoami", oldTok); r.Status != 200 {
		t.Fatalf("old key before rotation = %d %s", r.Status, r.Body)
	}
	if r := get(t, in, "/billing/Whoami", newTok); r.Status != 401 {
		t.Fatalf("new key before rotation = %d %s", r.Status, r.Body)
	}
	writeJWKS(t, keys, fresh)
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		r := get(t, in, "/billing/Whoami", newTok)
		return r.Status == 200 && body(r) == `"b role=y depth=0"`, r.Body
	})
	if r := get(t, in, "/billing/Whoami", oldTok); r.Status != 401 {
		t.Errorf("removed key after rotation = %d %s", r.Status, r.Body)
	}
}

// TestAuthPEM: --jwt-keys may be PEM public keys.
func TestAuthPEM(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, "pem")
	der, err := x509.MarshalPKIXPublicKey(&k.priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	in := microfntest.Start(t, authSources(), server.WithQuiet(true), server.WithJWTKeys(server.JWTKeys{File: file, Issuer: "https://id.example"}),
		server.WithAuth(server.AuthRule{Prefix: "/", Mode: "jwt"}))
	exp := time.Now().Add(time.Hour).Unix()
	ok := "Bearer " + k.sign(t, jwt.MapClaims{"sub": "carol", "role": 7, "iss": "https://id.example", "exp": exp})
	badIss := "Bearer " + k.sign(t, jwt.MapClaims{"sub": "carol", "iss": "https://evil.example", "exp": exp})
	if r := get(t, in, "/billing/Whoami", ok); r.Status != 200 || body(r) != `"carol role=7 depth=0"` {
		t.Errorf("PEM key = %d %s", r.Status, r.Body)
	}
	if r := get(t, in, "/billing/Whoami", badIss); r.Status != 401 || !strings.Contains(problem(t, r).Detail, "issuer") {
		t.Errorf("wrong issuer = %d %s", r.Status, r.Body)
	}
	// With no token, the server's own routes are open, as before.
	if r := get(t, in, "/openapi.json", ""); r.Status != 200 {
		t.Errorf("/openapi.json = %d", r.Status)
	}
}

// TestAuthMisconfigured: a service that needs what the server cannot
// check is refused, with the flag that fixes it; a bad --auth is an
// error of New.
func TestAuthMisconfigured(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, authSources(), server.WithQuiet(true), server.WithAuth(server.AuthRule{Prefix: "/billing", Mode: "jwt"}))
	for path, word := range map[string]string{"/billing/Whoami": "--jwt-keys", "/Admin": "--token"} {
		r := get(t, in, path, "Bearer x")
		if r.Status != 401 || !strings.Contains(problem(t, r).Detail, word) {
			t.Errorf("GET %s = %d %s, want 401 naming %s", path, r.Status, r.Body, word)
		}
	}
	if r := get(t, in, "/Plain", ""); r.Status != 200 {
		t.Errorf("GET /Plain with nothing required = %d %s", r.Status, r.Body)
	}
	for _, bad := range []string{"billing=jwt", "/billing", "/x=basic", "/x=token:file", "/x=jwt:", "/x=jwt,aud=y", "/x=jwt:k.json,foo=1"} {
		if _, err := server.ParseAuthRule(bad); err == nil {
			t.Errorf("ParseAuthRule(%q) = nil error", bad)
		}
	}
	if _, err := server.New(t.TempDir(), server.WithJWTKeys(server.JWTKeys{File: filepath.Join(t.TempDir(), "missing.json")})); err == nil {
		t.Errorf("New with a missing key file = nil error")
	}
}

// TestAuthAcrossServers: with the services split over two servers that
// share a chain key, a nested call from one to the other passes the
// callee's JWT rule (it was checked where the chain started) and carries
// the caller and the claims; without the chain key, it is checked again,
// and refused.
func TestAuthAcrossServers(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, "k")
	keys := filepath.Join(t.TempDir(), "keys.json")
	writeJWKS(t, keys, k)
	dir := t.TempDir()
	for name, src := range authSources() {
		microfntest.WriteFile(t, dir, name, src)
	}
	jwtRule := server.WithAuth(server.AuthRule{Prefix: "/billing", Mode: "jwt", Keys: &server.JWTKeys{File: keys}})
	tok := "Bearer " + k.sign(t, jwt.MapClaims{"sub": "dave", "role": "ops", "exp": time.Now().Add(time.Hour).Unix()})
	for _, shared := range []bool{true, false} {
		key := func(name string) server.Option {
			if shared {
				return server.WithChainKeys("shared")
			}
			return server.WithChainKeys(name)
		}
		callee := microfntest.StartDir(t, dir, server.WithQuiet(true), jwtRule, key("b"), server.WithOnly("billing/Whoami"))
		caller := microfntest.StartDir(t, dir, server.WithQuiet(true), jwtRule, key("a"), server.WithOnly("billing/Outer"),
			server.WithRoutes(server.RouteTable{"billing/Whoami": callee.URL}))
		r := get(t, caller, "/billing/Outer", tok)
		switch {
		case shared && (r.Status != 200 || body(r) != `"outer dave role=ops depth=1"`):
			t.Errorf("split, shared chain key: GET /billing/Outer = %d %s", r.Status, r.Body)
		case !shared && (r.Status != 500 || !strings.Contains(r.Body, "JSON Web Token")):
			t.Errorf("split, no shared chain key: GET /billing/Outer = %d %s, want 500 naming the callee's refusal", r.Status, r.Body)
		}
	}
}

// TestAuthOpenAPI: the document says which operations need what: a
// security requirement of the jwt or token scheme, with a 401 answer,
// and none for an open service.
func TestAuthOpenAPI(t *testing.T) {
	t.Parallel()
	k := newTestKey(t, "k")
	keys := filepath.Join(t.TempDir(), "keys.json")
	writeJWKS(t, keys, k)
	in := microfntest.Start(t, authSources(), server.WithQuiet(true), server.WithToken("t0ken"),
		server.WithAuth(server.AuthRule{Prefix: "/billing", Mode: "jwt", Keys: &server.JWTKeys{File: keys}}))
	r := get(t, in, "/openapi.json", "Bearer t0ken")
	var doc struct {
		Paths map[string]map[string]struct {
			Security  []map[string][]string `json:"security"`
			Responses map[string]any        `json:"responses"`
		} `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type, Scheme, BearerFormat string
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("/openapi.json: %v\n%s", err, r.Body)
	}
	for path, want := range map[string]string{"/billing/Whoami": "jwt", "/billing/Outer": "jwt", "/Admin": "token", "/Plain": "token", "/Ping": ""} {
		for _, method := range []string{"get", "post"} {
			op := doc.Paths[path][method]
			_, has401 := op.Responses["401"]
			switch {
			case want == "" && (len(op.Security) != 0 || has401):
				t.Errorf("%s %s: security %v, 401 %v; want none", method, path, op.Security, has401)
			case want != "" && (len(op.Security) != 1 || op.Security[0][want] == nil || !has401):
				t.Errorf("%s %s: security %v, 401 %v; want %s and a 401", method, path, op.Security, has401, want)
			}
		}
	}
	if s := doc.Components.SecuritySchemes["jwt"]; s.Type != "http" || s.Scheme != "bearer" || s.BearerFormat != "JWT" {
		t.Errorf("jwt scheme = %+v", s)
	}
	if s := doc.Components.SecuritySchemes["token"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("token scheme = %+v", s)
	}
}
