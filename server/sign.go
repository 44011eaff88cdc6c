package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"sync"
	"time"

	"github.com/microfn/microfn/protocol"
)

// keyChain is protocol.HeaderChain as fasthttp keeps it.
var keyChain = []byte(protocol.HeaderChain)

// chainIDLen is the length of a chain id: 32 hex digits.
const chainIDLen = 32

// sigLen is the length of a signature in the header: 16 bytes of
// HMAC-SHA256, base64url without padding.
const sigLen = 22

// A chainSigner signs and verifies the headers that place a call in a
// call chain: the chain id (which keys reentrant concurrency), the trace
// id, the depth, the deadline and the route called. A signature is
// HMAC-SHA256 with the first key; any key verifies, so keys can be
// rotated with an overlap. It is safe for concurrent use.
type chainSigner struct {
	keys  [][]byte
	pools []sync.Pool // of hash.Hash, one pool per key
}

// newChainSigner returns a signer with keys, the first of which signs.
func newChainSigner(keys [][]byte) *chainSigner {
	s := &chainSigner{keys: keys, pools: make([]sync.Pool, len(keys))}
	for i := range keys {
		key := keys[i]
		s.pools[i].New = func() any { return hmac.New(sha256.New, key) }
	}
	return s
}

// randomKey returns a fresh random key, for a server whose chains need
// not be recognized by any other process.
func randomKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("crypto/rand: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return k
}

// deriveKey turns a secret a person wrote (--chain-key, --token) into a
// key for chains, distinct from any other use of the same secret.
func deriveKey(secret string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("microfn call chain key v1"))
	return m.Sum(nil)
}

// message appends the signed message of a chain's headers to b: caller,
// the value of protocol.HeaderCaller, is signed too when a call carries one.
func message[T string | []byte](b []byte, id, trace T, depth int, deadline int64, route T, caller []byte) []byte {
	b = append(b, "v1\x00"...)
	b = append(b, id...)
	b = append(b, 0)
	b = append(b, trace...)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(depth), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, deadline, 10)
	b = append(b, 0)
	b = append(b, route...)
	if len(caller) > 0 {
		b = append(b, 0)
		b = append(b, caller...)
	}
	return b
}

// mac computes the signature of msg with key i into out.
func (s *chainSigner) mac(i int, out *[sha256.Size]byte, msg []byte) {
	h := s.pools[i].Get().(hash.Hash)
	h.Reset()
	h.Write(msg)
	h.Sum(out[:0])
	s.pools[i].Put(h)
}

// appendHeader appends the value of protocol.HeaderChain for a call of route by
// the chain ch (the callee's depth) with deadline. A call that carries
// protocol.HeaderCaller has its value signed too: see callerHeader.
func (s *chainSigner) appendHeader(b []byte, ch chain, deadline time.Time, route string) []byte {
	var buf [256]byte
	var sum [sha256.Size]byte
	s.mac(0, &sum, message(buf[:0], ch.id, ch.trace, ch.depth, deadline.UnixNano(), route, callerHeader(ch)))
	b = append(b, ch.id...)
	b = append(b, '.')
	return base64.RawURLEncoding.AppendEncode(b, sum[:16])
}

// errUnsigned reports why a request's chain headers are not trusted.
var (
	errNoChain        = errors.New("no chain header")
	errMalformedChain = errors.New("malformed chain header")
	errExpiredChain   = errors.New("expired chain signature")
	errBadSignature   = errors.New("chain signature does not verify")
)

// parseChainHeader splits a protocol.HeaderChain value into its chain id and its
// signature, checking their form: 32 lower-case hex digits, a dot, and
// 22 base64url characters.
func parseChainHeader(v []byte) (id, sig []byte, err error) {
	if len(v) == 0 {
		return nil, nil, errNoChain
	}
	if len(v) != chainIDLen+1+sigLen || v[chainIDLen] != '.' {
		return nil, nil, errMalformedChain
	}
	id, sig = v[:chainIDLen], v[chainIDLen+1:]
	if !isHex(id) || isZero(id) {
		return nil, nil, errMalformedChain
	}
	return id, sig, nil
}

// verify checks a request's chain header against its trace id, depth,
// deadline (Unix nanoseconds), route and protocol.HeaderCaller (nil without), at
// now. It returns the chain id
// when the signature verifies with one of the keys and the deadline has
// not passed: a replayed signature from another chain or route, or an
// expired one, does not verify.
func (s *chainSigner) verify(header, trace []byte, depth int, deadline int64, route, caller []byte, now time.Time) (string, error) {
	id, sig, err := parseChainHeader(header)
	if err != nil {
		return "", err
	}
	if deadline <= now.UnixNano() {
		return "", errExpiredChain
	}
	var want [sigLen]byte
	var sum [sha256.Size]byte
	var buf [256]byte
	msg := message(buf[:0], id, trace, depth, deadline, route, caller)
	for i := range s.keys {
		s.mac(i, &sum, msg)
		base64.RawURLEncoding.Encode(want[:], sum[:16])
		if subtle.ConstantTimeCompare(want[:], sig) == 1 {
			return string(id), nil
		}
	}
	return "", errBadSignature
}
