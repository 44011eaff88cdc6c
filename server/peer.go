package server

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"
)

// The peer path: with a worker per package, a nested call of a service
// of another package goes straight from the caller's worker to the
// callee's, once the server has carried one between them (see
// worker/peer.go). The server stays the authority on chains: each
// package's worker has a key of its own (protocol.Spec.PeerKey), which
// only it and the server hold; with every attempt it sends to a package
// that calls other packages, the server sends a capability for each
// package the chain can reach from there (protocol.Capability), signed
// with that package's key, which its worker checks before it admits a
// call under the route's concurrency limit. The server still sees every
// call: the records of peer calls come back with the caller's records
// (protocol.MethodCalls), each signed by the worker that ran it, and the
// server counts and logs them, with via "peer", once it has checked the
// signature.

// viaPeer is the via of a nested call that went straight from its
// caller's worker to its callee's.
const viaPeer = "peer"

// peerState is the server's part of the peer path.
type peerState struct {
	mu sync.Mutex
	// keys are the packages' keys, by directory.
	keys map[string][]byte
	// pairs are the connections made, by caller and callee process.
	pairs map[peerPair]bool
	next  uint64
	// targets are, by package, the packages its code called through
	// the server: its attempts get their capabilities. It is replaced,
	// never changed, as calls find new targets.
	targets atomic.Pointer[map[string][]string]
}

// A peerPair names the connection between a caller's worker process and
// a callee's.
type peerPair struct {
	caller, callee       *supervisor.Group
	callerPID, calleePID int
}

// newPeerState returns the peer path's state, or nil when it is off
// for cfg: it needs a worker per package (see WithPeerCalls).
func newPeerState(cfg *config) *peerState {
	if cfg.noPeerCalls || cfg.isolation != IsolatePackage {
		return nil
	}
	return &peerState{keys: map[string][]byte{}, pairs: map[peerPair]bool{}}
}

// key returns the key of the package in rel, made on first use.
func (p *peerState) key(rel string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := p.keys[rel]
	if k == nil {
		k = make([]byte, 32)
		_, _ = rand.Read(k)
		p.keys[rel] = k
	}
	return k
}

// knownKey returns the key of the package in rel, or nil if it has none.
func (p *peerState) knownKey(rel string) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keys[rel]
}

// learn records that code of the package in from called a service of
// the package in to.
func (p *peerState) learn(from, to string) {
	if m := p.targets.Load(); m != nil {
		for _, t := range (*m)[from] {
			if t == to {
				return
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.targets.Load()
	m := map[string][]string{}
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	for _, t := range m[from] {
		if t == to {
			return
		}
	}
	m[from] = append(append([]string(nil), m[from]...), to)
	p.targets.Store(&m)
}

// mint returns the capabilities of an attempt of a service of the
// package in rel, in the chain ch, due by deadline: one for each package
// the chain can reach from there through calls across packages; none for
// a package whose code called no other.
func (p *peerState) mint(rel string, ch chain, deadline time.Time) []protocol.Capability {
	m := p.targets.Load()
	if m == nil || len((*m)[rel]) == 0 {
		return nil
	}
	reach := []string{}
	seen := map[string]bool{rel: true}
	todo := append([]string(nil), (*m)[rel]...)
	for len(todo) > 0 {
		t := todo[0]
		todo = todo[1:]
		if seen[t] {
			continue
		}
		seen[t] = true
		reach = append(reach, t)
		todo = append(todo, (*m)[t]...)
	}
	pc := ch.protocol(deadline)
	caps := make([]protocol.Capability, len(reach))
	for i, t := range reach {
		caps[i] = protocol.Capability{Package: t, Chain: pc, Caller: ch.caller, Claims: ch.claims}
		caps[i].Sign(p.key(t))
	}
	return caps
}

// capsFor returns the capabilities of an attempt of e in the chain ch due
// by deadline, when its version runs in a worker of its own.
func (s *Server) capsFor(e *endpoint, ch chain, deadline time.Time) []protocol.Capability {
	v := e.version
	if s.peers == nil || v.group == nil || v.shared != nil || v.host != nil {
		return nil
	}
	return s.peers.mint(v.rel, ch, deadline)
}

// peerCarried is told of a nested call the server carried from the worker
// owner, running an attempt of the route caller, to the service e: when
// both run in workers of their own, of two packages, the callee's package
// becomes one the caller's attempts get a capability of, and the two
// workers get a connection of their own.
func (s *Server) peerCarried(owner any, caller string, e *endpoint) {
	from, ok := owner.(*supervisor.Group)
	if s.peers == nil || !ok {
		return
	}
	ce := s.packages.generation().routes[caller]
	to := e.version
	if ce == nil || ce.version.group != from || to.group == nil || to.shared != nil || ce.version.rel == to.rel {
		return
	}
	s.peers.learn(ce.version.rel, to.rel)
	pair := peerPair{caller: from, callee: to.group, callerPID: from.PID(), calleePID: to.group.PID()}
	if pair.callerPID == 0 || pair.calleePID == 0 {
		return
	}
	s.peers.mu.Lock()
	if s.peers.pairs[pair] {
		s.peers.mu.Unlock()
		return
	}
	for old := range s.peers.pairs {
		if old.caller == pair.caller && old.callee == pair.callee {
			delete(s.peers.pairs, old) // of a process that has ended
		}
	}
	s.peers.pairs[pair] = true
	s.peers.next++
	id := s.peers.next
	s.peers.mu.Unlock()
	if err := s.connectPeers(pair, id, ce.version.rel, to); err != nil {
		s.cfg.logger.Warn("no connection between workers", "caller", ce.version.rel, "callee", to.rel, "error", err.Error())
	}
}

// connectPeers makes the connection id of pair, between the worker of
// the package in callerRel and that of to.
func (s *Server) connectPeers(pair peerPair, id uint64, callerRel string, to *version) error {
	syscall.ForkLock.RLock()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err == nil {
		syscall.CloseOnExec(fds[0])
		syscall.CloseOnExec(fds[1])
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return fmt.Errorf("socketpair: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "caller"), os.NewFile(uintptr(fds[1]), "callee")
	defer mine.Close()
	defer theirs.Close()
	var admits []string
	for _, e := range to.endpoints {
		if e.admit {
			admits = append(admits, e.route)
		}
	}
	if err := pair.callee.SendPeer(pair.calleePID, protocol.PeerMessage{ID: id, Role: protocol.PeerCallee, Package: callerRel, Admits: admits}, theirs); err != nil {
		return err
	}
	if err := pair.caller.SendPeer(pair.callerPID, protocol.PeerMessage{ID: id, Role: protocol.PeerCaller, Package: to.rel}, mine); err != nil {
		return err
	}
	to.onRetire(func() {
		// The callee was replaced: the caller calls through the server
		// again, and the next call it carries pairs it with the new one.
		_ = pair.caller.SendPeer(pair.callerPID, protocol.PeerMessage{ID: id, Role: protocol.PeerGone, Package: to.rel}, nil)
		_ = pair.callee.SendPeer(pair.calleePID, protocol.PeerMessage{ID: id, Role: protocol.PeerGone, Package: callerRel}, nil)
		s.peers.mu.Lock()
		delete(s.peers.pairs, pair)
		s.peers.mu.Unlock()
	})
	return nil
}

// peerParent returns the record of the attempt a nested call without
// one (req.Attempt 0) is made on behalf of: a call that another worker
// made straight to owner, whose capability of owner's package it shows.
// The record is not in the table: it lives for this call.
func (s *Server) peerParent(owner any, req *protocol.Request) *attemptRecord {
	g, ok := owner.(*supervisor.Group)
	if s.peers == nil || !ok || len(req.Caps) != 1 {
		return nil
	}
	c := &req.Caps[0]
	key := s.peers.knownKey(c.Package)
	if key == nil || c.Verify(key, c.Package, time.Now()) != nil || !s.runsPackage(g, c.Package) {
		return nil
	}
	ch := chain{
		id:      hex.EncodeToString(c.Chain.ID[:]),
		trace:   hex.EncodeToString(c.Chain.Trace[:]),
		span:    c.Chain.Span,
		depth:   max(c.Chain.Depth+1, req.Chain.Depth-1),
		service: worker.RoutePrefix(c.Package),
		caller:  c.Caller,
		claims:  c.Claims,
	}
	rec := &attemptRecord{chain: ch, deadline: c.Chain.Deadline}
	rec.setOwner(owner)
	return rec
}

// runsPackage reports whether g is the worker of a version of the
// package in rel that serves calls now.
func (s *Server) runsPackage(g *supervisor.Group, rel string) bool {
	for _, e := range s.packages.generation().routes {
		if e.version.rel == rel && e.version.group == g {
			return true
		}
	}
	return false
}

// verifyPeerRecord reports whether r, a record with a signature, is
// signed by the worker of the package it names.
func (s *Server) verifyPeerRecord(r *worker.DirectCall) bool {
	if s.peers == nil {
		return false
	}
	return r.Verify(s.peers.knownKey(r.Signer))
}

// errPeerRecord is logged for a record whose signature is wrong.
func errPeerRecord(r *worker.DirectCall) error {
	return microfn.Error(http.StatusForbidden, "a record of a call of %s is not signed by the worker of %q", r.Callee, r.Signer)
}

// peerHooks run when a version is retired (see version.onRetire).
type peerHooks struct {
	mu      sync.Mutex
	retired bool
	hooks   []func()
}

// onRetire runs f when v is retired, at once if it is.
func (v *version) onRetire(f func()) {
	v.peerHooks.mu.Lock()
	if !v.peerHooks.retired {
		v.peerHooks.hooks = append(v.peerHooks.hooks, f)
		f = nil
	}
	v.peerHooks.mu.Unlock()
	if f != nil {
		f()
	}
}

// runRetireHooks runs the hooks of onRetire, once.
func (v *version) runRetireHooks() {
	v.peerHooks.mu.Lock()
	hooks := v.peerHooks.hooks
	v.peerHooks.retired, v.peerHooks.hooks = true, nil
	v.peerHooks.mu.Unlock()
	for _, f := range hooks {
		f()
	}
}
