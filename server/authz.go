package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/protocol"
)

// An AuthRule says what a call from outside of the services below a route
// prefix must show, unless a service's annotation says otherwise (auth=):
// nothing, the server's bearer token, or a JSON Web Token.
type AuthRule struct {
	// Prefix is a route prefix: "/" for every route, "/billing" for
	// /billing/Charge and every route below /billing/ (not /billingx).
	Prefix string
	// Mode is funcs.AuthNone, funcs.AuthToken or funcs.AuthJWT.
	Mode string
	// Keys verify the tokens of a jwt rule; nil for the server's (see
	// [WithJWTKeys]).
	Keys *JWTKeys
}

// JWTKeys say how the server verifies a JSON Web Token: with the keys in
// a file, and what its issuer and audience must be.
type JWTKeys struct {
	// File holds the keys: a JWK Set (JSON, {"keys": [...]}) or PEM
	// public keys or certificates. The server reads it again when it
	// changes, so keys can be rotated without a restart.
	File string
	// Issuer, if set, must be the token's iss claim.
	Issuer string
	// Audience, if set, must be one of the token's aud claim.
	Audience string
}

// ParseAuthRule reads an --auth flag: PREFIX=none, PREFIX=token,
// PREFIX=jwt (the server's --jwt-keys) or PREFIX=jwt:FILE, optionally
// followed by ,iss=ISSUER and ,aud=AUDIENCE: /billing=jwt:keys.json,aud=shop.
func ParseAuthRule(s string) (AuthRule, error) {
	prefix, spec, ok := strings.Cut(s, "=")
	if !ok || prefix == "" || !strings.HasPrefix(prefix, "/") {
		return AuthRule{}, fmt.Errorf("--auth %q: want PREFIX=none|token|jwt[:FILE], such as /billing=jwt:keys.json or /=token", s)
	}
	r := AuthRule{Prefix: prefix}
	parts := strings.Split(spec, ",")
	mode, file, hasFile := strings.Cut(parts[0], ":")
	r.Mode = mode
	switch mode {
	case funcs.AuthNone, funcs.AuthToken:
		if hasFile || len(parts) > 1 {
			return AuthRule{}, fmt.Errorf("--auth %q: %s takes no file or options", s, mode)
		}
		return r, r.validate()
	case funcs.AuthJWT:
	default:
		return AuthRule{}, fmt.Errorf("--auth %q: want none, token or jwt after the =, got %q", s, mode)
	}
	if hasFile {
		if file == "" {
			return AuthRule{}, fmt.Errorf("--auth %q: jwt: names no file", s)
		}
		r.Keys = &JWTKeys{File: file}
	}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		if r.Keys == nil {
			return AuthRule{}, fmt.Errorf("--auth %q: %s= needs the keys' file (jwt:FILE,%s=…); for the server's keys use --jwt-issuer and --jwt-audience", s, k, k)
		}
		switch k {
		case "iss":
			r.Keys.Issuer = v
		case "aud":
			r.Keys.Audience = v
		default:
			return AuthRule{}, fmt.Errorf("--auth %q: unknown option %q (known: iss, aud)", s, k)
		}
	}
	return r, r.validate()
}

func (r AuthRule) validate() error {
	if !strings.HasPrefix(r.Prefix, "/") || strings.Contains(r.Prefix, "//") {
		return fmt.Errorf("auth rule %q: the prefix must be a route prefix starting with /, such as /billing", r.Prefix)
	}
	switch r.Mode {
	case funcs.AuthNone, funcs.AuthToken, funcs.AuthJWT:
		return nil
	}
	return fmt.Errorf("auth rule %s: want mode none, token or jwt, got %q", r.Prefix, r.Mode)
}

// covers reports whether the rule's prefix covers route.
func (r AuthRule) covers(route string) bool {
	p := strings.TrimSuffix(r.Prefix, "/")
	return p == "" || route == p || strings.HasPrefix(route, p+"/")
}

// WithAuth sets what calls from outside of the services below route
// prefixes must show (see [AuthRule]); the longest prefix that covers a
// route applies, and a service's annotation (auth=) wins over every rule.
// A route no rule covers needs the token if the server has one
// ([WithToken]), and nothing otherwise. Default: no rule.
func WithAuth(rules ...AuthRule) Option {
	return optionFunc(func(c *config) { c.authRules = append(c.authRules, rules...) })
}

// WithJWTKeys sets the keys that verify JSON Web Tokens for services
// annotated auth=jwt and jwt rules that name no file of their own.
// Default: none.
func WithJWTKeys(k JWTKeys) Option { return optionFunc(func(c *config) { c.jwtKeys = &k }) }

// authConfig is what the server requires of calls from outside.
type authConfig struct {
	token string
	rules []AuthRule // longest prefix first
	// keys are the server's JWT verifier (WithJWTKeys), nil without.
	keys *jwtVerifier
	// ruleKeys are the verifiers of rules that name their own file.
	ruleKeys map[*JWTKeys]*jwtVerifier
	open     authReq
}

// newAuthConfig reads the keys of the server's configuration.
func newAuthConfig(cfg *config) (*authConfig, error) {
	a := &authConfig{token: cfg.token, ruleKeys: map[*JWTKeys]*jwtVerifier{}}
	for _, r := range cfg.authRules {
		if err := r.validate(); err != nil {
			return nil, err
		}
		a.rules = append(a.rules, r)
	}
	slices.SortStableFunc(a.rules, func(x, y AuthRule) int { return len(y.Prefix) - len(x.Prefix) })
	var err error
	if cfg.jwtKeys != nil {
		if a.keys, err = newJWTVerifier(*cfg.jwtKeys); err != nil {
			return nil, err
		}
	}
	for i := range a.rules {
		if k := a.rules[i].Keys; k != nil {
			v, err := newJWTVerifier(*k)
			if err != nil {
				return nil, fmt.Errorf("--auth %s=jwt:%s: %w", a.rules[i].Prefix, k.File, err)
			}
			a.ruleKeys[k] = v
		}
	}
	a.open = authReq{mode: funcs.AuthNone}
	return a, nil
}

// active reports whether any call may need to show something.
func (a *authConfig) active() bool { return a.token != "" || len(a.rules) > 0 || a.keys != nil }

// An authReq is what calls of one route must show.
type authReq struct {
	mode string // funcs.AuthNone, AuthToken or AuthJWT
	jwt  *jwtVerifier
	// broken says why calls cannot be checked (a jwt service on a
	// server without keys): they are refused.
	broken string
}

// forRoute returns what calls of route must show, given the service's
// annotation (empty for none: a route that serves nothing yet).
func (a *authConfig) forRoute(route, annotated string) authReq {
	mode := annotated
	if mode == "" {
		mode = funcs.AuthNone
		if a.token != "" {
			mode = funcs.AuthToken
		}
		for _, r := range a.rules {
			if r.covers(route) {
				mode = r.Mode
				break
			}
		}
	}
	req := authReq{mode: mode}
	switch mode {
	case funcs.AuthToken:
		if a.token == "" {
			req.broken = "this service requires the server's token (auth=token), but the server has none: start it with --token"
		}
	case funcs.AuthJWT:
		for _, r := range a.rules {
			if r.Keys != nil && r.Mode == funcs.AuthJWT && r.covers(route) {
				req.jwt = a.ruleKeys[r.Keys]
				break
			}
		}
		if req.jwt == nil {
			req.jwt = a.keys
		}
		if req.jwt == nil {
			req.broken = "this service requires a JSON Web Token (auth=jwt), but the server has no keys to verify one: start it with --jwt-keys FILE or --auth " + route + "=jwt:FILE"
		}
	}
	return req
}

// An identity is who a call from outside was authenticated as.
type identity struct {
	// caller is the JWT's subject; empty for the token, or nothing.
	caller string
	// claims are the JWT's claims, as the token carries them (JSON).
	claims []byte
}

// authError is a call refused for what it showed: 401 with a
// WWW-Authenticate header.
type authError struct {
	msg       string
	challenge string // the WWW-Authenticate value
}

func (e *authError) Error() string { return e.msg }

// StatusCode is 401.
func (e *authError) StatusCode() int { return http.StatusUnauthorized }

// Permanent reports true: the same credentials fail again.
func (e *authError) Permanent() bool { return true }

// check verifies what a request with the Authorization header value h
// shows against req.
func (a *authConfig) check(req authReq, h []byte) (identity, error) {
	if req.mode == funcs.AuthNone {
		return identity{}, nil
	}
	if req.broken != "" {
		return identity{}, &authError{msg: req.broken, challenge: `Bearer realm="microfn"`}
	}
	tok, ok := bytes.CutPrefix(h, []byte("Bearer "))
	switch req.mode {
	case funcs.AuthToken:
		if ok && subtle.ConstantTimeCompare(tok, []byte(a.token)) == 1 {
			return identity{}, nil
		}
		msg := "this server requires a token: send Authorization: Bearer <token> (microfn call --token, or MICROFN_TOKEN)"
		if ok {
			msg = "the bearer token is not this server's"
		}
		return identity{}, &authError{msg: msg, challenge: `Bearer realm="microfn"`}
	}
	if !ok || len(tok) == 0 {
		return identity{}, &authError{msg: "this service requires a JSON Web Token: send Authorization: Bearer <JWT>", challenge: `Bearer realm="microfn"`}
	}
	id, err := req.jwt.verify(string(tok))
	if err != nil {
		return identity{}, &authError{msg: err.Error(), challenge: `Bearer realm="microfn", error="invalid_token"`}
	}
	return id, nil
}

// jwtMethods are the signing methods a token may use: asymmetric keys of
// a JWK Set or PEM file, and HMAC for the symmetric keys of a JWK Set
// (each method verifies only with its own kind of key).
var jwtMethods = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512"}

// jwtLeeway is the clock skew allowed for exp, nbf and iat.
const jwtLeeway = 30 * time.Second

// keyCheckInterval is how often a verifier looks whether its file
// changed.
const keyCheckInterval = time.Second

// A jwtVerifier verifies JSON Web Tokens against the keys of a file,
// which it reads again when the file changes. It is safe for concurrent
// use.
type jwtVerifier struct {
	cfg    JWTKeys
	parser *jwt.Parser

	keys      atomic.Pointer[jwtKeySet]
	nextCheck atomic.Int64 // Unix nanoseconds
	mu        sync.Mutex   // serializes reloads
}

// A jwtKeySet is the keys of one version of the file.
type jwtKeySet struct {
	keyfunc jwt.Keyfunc
	mod     time.Time
	size    int64
}

func newJWTVerifier(cfg JWTKeys) (*jwtVerifier, error) {
	opts := []jwt.ParserOption{jwt.WithValidMethods(jwtMethods), jwt.WithExpirationRequired(), jwt.WithLeeway(jwtLeeway)}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v := &jwtVerifier{cfg: cfg, parser: jwt.NewParser(opts...)}
	ks, err := readKeySet(cfg.File)
	if err != nil {
		return nil, err
	}
	v.keys.Store(ks)
	v.nextCheck.Store(time.Now().Add(keyCheckInterval).UnixNano())
	return v, nil
}

// readKeySet reads the keys of file: a JWK Set, or PEM blocks.
func readKeySet(file string) (*jwtKeySet, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the JWT keys: %w", err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("read the JWT keys: %w", err)
	}
	ks := &jwtKeySet{mod: st.ModTime(), size: st.Size()}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		kf, err := keyfunc.NewJWKSetJSON(trimmed)
		if err != nil {
			return nil, fmt.Errorf("read the JWT keys of %s (a JWK Set): %w", file, err)
		}
		ks.keyfunc = kf.Keyfunc
		return ks, nil
	}
	var set jwt.VerificationKeySet
	for rest := trimmed; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		one := pem.EncodeToMemory(block)
		var key jwt.VerificationKey
		if k, err := jwt.ParseRSAPublicKeyFromPEM(one); err == nil {
			key = k
		} else if k, err := jwt.ParseECPublicKeyFromPEM(one); err == nil {
			key = k
		} else if k, err := jwt.ParseEdPublicKeyFromPEM(one); err == nil {
			key = k
		} else {
			return nil, fmt.Errorf("read the JWT keys of %s: a PEM block %q is not a public key or certificate of RSA, ECDSA or Ed25519", file, block.Type)
		}
		set.Keys = append(set.Keys, key)
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("read the JWT keys of %s: want a JWK Set (JSON) or PEM public keys, found neither", file)
	}
	ks.keyfunc = func(*jwt.Token) (any, error) { return set, nil }
	return ks, nil
}

// current returns the keys, reading the file again if it changed since
// the last look (at most once per keyCheckInterval). A file that cannot
// be read any more keeps the keys it had.
func (v *jwtVerifier) current() *jwtKeySet {
	ks := v.keys.Load()
	now := time.Now()
	next := v.nextCheck.Load()
	if now.UnixNano() < next || !v.nextCheck.CompareAndSwap(next, now.Add(keyCheckInterval).UnixNano()) {
		return ks
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	st, err := os.Stat(v.cfg.File)
	if err != nil || (st.ModTime().Equal(ks.mod) && st.Size() == ks.size) {
		return ks
	}
	if fresh, err := readKeySet(v.cfg.File); err == nil {
		v.keys.Store(fresh)
		return fresh
	}
	return ks
}

// verify checks a token's signature and claims, and returns who it
// identifies.
func (v *jwtVerifier) verify(raw string) (identity, error) {
	ks := v.current()
	tok, err := v.parser.Parse(raw, ks.keyfunc)
	if err != nil {
		return identity{}, jwtProblem(err)
	}
	sub, _ := tok.Claims.GetSubject()
	// The claims as the token carries them: its payload.
	parts := strings.Split(raw, ".")
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return identity{}, jwtProblem(err)
	}
	return identity{caller: sub, claims: claims}, nil
}

// jwtProblem says, for a person, why a token was refused.
func jwtProblem(err error) error {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return errors.New("the JSON Web Token has expired: get a new one")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return fmt.Errorf("the JSON Web Token is refused: %v (microfn requires an exp claim)", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return errors.New("the JSON Web Token's signature does not verify with this server's keys")
	case errors.Is(err, jwt.ErrTokenMalformed):
		return errors.New("the bearer token is not a well-formed JSON Web Token")
	}
	return fmt.Errorf("the JSON Web Token is refused: %v", err)
}

// keyCaller is protocol.HeaderCaller as fasthttp keeps it.
var keyCaller = []byte(protocol.HeaderCaller)

// callerHeader returns the value of protocol.HeaderCaller for a call of chain ch,
// nil when the chain carries no identity.
func callerHeader(ch chain) []byte {
	if ch.caller == "" && len(ch.claims) == 0 {
		return nil
	}
	b := base64.RawURLEncoding.AppendEncode(nil, []byte(ch.caller))
	b = append(b, '.')
	return base64.RawURLEncoding.AppendEncode(b, ch.claims)
}

// parseCallerHeader reads a protocol.HeaderCaller value (one whose signature
// verified).
func parseCallerHeader(v []byte) (caller string, claims []byte) {
	if len(v) == 0 {
		return "", nil
	}
	c, cl, _ := bytes.Cut(v, []byte("."))
	who, err1 := base64.RawURLEncoding.AppendDecode(nil, c)
	what, err2 := base64.RawURLEncoding.AppendDecode(nil, cl)
	if err1 != nil || err2 != nil {
		return "", nil
	}
	if len(what) == 0 {
		what = nil
	}
	return string(who), what
}
