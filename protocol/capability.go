package protocol

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// A Capability is the server's grant, to the code that runs one chain, of
// calls of the services of one package that do not pass through the
// server: a worker presents it with a call it makes straight to the
// worker of that package, which checks it (Verify) with its own key
// before it admits the call under the callee's policy.
//
// The server mints capabilities for each attempt it sends, signed with
// the key of the callee package's worker, which only that worker and the
// server hold: the caller cannot make one, nor change one's chain, depth
// or deadline. A capability grants nothing past its chain's deadline, so
// a worker acts only for the chains it was given, and only while they
// run; a call may go deeper and end sooner than its capability says,
// never shallower or later.
type Capability struct {
	// Package is the directory of the package whose services it lets
	// call, relative to the served folder ("." for the folder itself).
	Package string
	// Chain is the chain of the attempt it was minted for: its id, its
	// trace and span, its depth and its deadline, past which it is void.
	Chain Chain
	// Caller and Claims are the chain's, as the server authenticated
	// its first call (see Call).
	Caller string
	Claims []byte
	// MAC signs the fields above under the key of the package's worker.
	MAC [CapabilityMACSize]byte
}

// CapabilityMACSize is the size of a capability's signature: HMAC-SHA256,
// truncated.
const CapabilityMACSize = 16

// capabilityDomain starts what a capability's MAC signs, so that no other
// message signed with the same key passes for one.
const capabilityDomain = "microfn capability 1\x00"

// Errors of Capability.Verify.
var (
	// ErrForgedCapability is the error of a capability whose signature is
	// not that of the callee's key: made or changed by the caller.
	ErrForgedCapability = errors.New("the capability is not signed by the server for this package")
	// ErrExpiredCapability is the error of a capability whose chain's
	// deadline has passed, or that has none.
	ErrExpiredCapability = errors.New("the capability's chain is past its deadline")
)

// Sign sets c's MAC under key, the key of the worker of c.Package.
func (c *Capability) Sign(key []byte) {
	copy(c.MAC[:], c.mac(key))
}

// Verify checks that c lets a call of a service of pkg be made at now:
// that it is signed under key (the key of pkg's worker), names pkg, and
// that its chain's deadline has not passed.
func (c *Capability) Verify(key []byte, pkg string, now time.Time) error {
	if len(key) == 0 {
		return errors.New("no key to check the capability with")
	}
	if !hmac.Equal(c.mac(key), c.MAC[:]) {
		return ErrForgedCapability
	}
	if c.Package != pkg {
		return fmt.Errorf("the capability is for the services of package %q, not of %q", c.Package, pkg)
	}
	if c.Chain.Deadline.IsZero() || !now.Before(c.Chain.Deadline) {
		return ErrExpiredCapability
	}
	return nil
}

// mac returns the signature of c's fields under key.
func (c *Capability) mac(key []byte) []byte {
	e := encoder{b: make([]byte, 0, 128+len(c.Package)+len(c.Caller)+len(c.Claims))}
	e.raw([]byte(capabilityDomain))
	c.appendFields(&e)
	m := hmac.New(sha256.New, key)
	m.Write(e.b)
	return m.Sum(nil)[:CapabilityMACSize]
}

// appendFields appends the fields c's MAC signs.
func (c *Capability) appendFields(e *encoder) {
	e.str(c.Package)
	appendChain(e, &c.Chain)
	e.str(c.Caller)
	e.bytes(c.Claims)
}

// appendTo appends the encoding of c.
func (c *Capability) appendTo(e *encoder) {
	c.appendFields(e)
	e.raw(c.MAC[:])
}

// decode reads c from d.
func (c *Capability) decode(d *decoder) {
	c.Package = d.str()
	decodeChain(d, &c.Chain)
	c.Caller = d.str()
	c.Claims = d.bytes()
	if len(c.Claims) == 0 {
		c.Claims = nil
	}
	d.fixed(c.MAC[:])
}

// maxCapabilities bounds the capabilities of one call: one per package a
// chain can reach.
const maxCapabilities = 1024

// appendCapabilities appends caps with their number.
func appendCapabilities(e *encoder, caps []Capability) {
	e.uvarint(uint64(len(caps)))
	for i := range caps {
		caps[i].appendTo(e)
	}
}

// decodeCapabilities reads what appendCapabilities appended.
func decodeCapabilities(d *decoder) []Capability {
	n := d.uvarint()
	if n > maxCapabilities {
		d.fail(fmt.Errorf("protocol: %d capabilities, at most %d", n, maxCapabilities))
		return nil
	}
	if n == 0 || d.err != nil {
		return nil
	}
	caps := make([]Capability, n)
	for i := range caps {
		caps[i].decode(d)
	}
	if d.err != nil {
		return nil
	}
	return caps
}
