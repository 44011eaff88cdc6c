package worker

import (
	"net/http"
	"testing"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
)

// TestCheckPeer checks a peer call's capability as the callee does: only
// one the server signed with the callee's key, for the callee's package,
// before its chain's deadline, and no deeper than the limit.
func TestCheckPeer(t *testing.T) {
	t.Parallel()
	key, other := []byte("the key of package b, 32 bytes.."), []byte("the key of package c, 32 bytes..")
	now := time.Now()
	h := NewHost(HostConfig{Package: "b", PeerKey: key, Settings: protocol.Settings{MaxDepth: 4}})
	capability := func(pkg string, signWith []byte, deadline time.Time, depth int) protocol.Capability {
		c := protocol.Capability{Package: pkg, Chain: protocol.Chain{ID: [16]byte{1}, Trace: [16]byte{2}, Depth: depth, Deadline: deadline}, Caller: "alice", Claims: []byte(`{"sub":"alice"}`)}
		c.Sign(signWith)
		return c
	}
	forged := capability("b", key, now.Add(time.Minute), 1)
	forged.Chain.Deadline = now.Add(time.Hour) // changed after signing
	tests := []struct {
		name   string
		caps   []protocol.Capability
		depth  int // of the call
		status int // 0: granted
	}{
		{"granted", []protocol.Capability{capability("c", other, now.Add(time.Minute), 1), capability("b", key, now.Add(time.Minute), 1)}, 2, 0},
		{"none for the package", []protocol.Capability{capability("c", other, now.Add(time.Minute), 1)}, 2, http.StatusForbidden},
		{"forged", []protocol.Capability{forged}, 2, http.StatusForbidden},
		{"signed with another package's key", []protocol.Capability{capability("b", other, now.Add(time.Minute), 1)}, 2, http.StatusForbidden},
		{"another package's, renamed", []protocol.Capability{func() protocol.Capability {
			c := capability("c", other, now.Add(time.Minute), 1)
			c.Package = "b"
			return c
		}()}, 2, http.StatusForbidden},
		{"expired", []protocol.Capability{capability("b", key, now.Add(-time.Second), 1)}, 2, http.StatusForbidden},
		{"past the depth limit", []protocol.Capability{capability("b", key, now.Add(time.Minute), 4)}, 2, http.StatusLoopDetected},
		{"deeper than the call says", []protocol.Capability{capability("b", key, now.Add(time.Minute), 2)}, 5, http.StatusLoopDetected},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := &protocol.Request{Call: protocol.Call{Route: "/b/F", Attempt: 9, Caller: "mallory", Caps: tc.caps,
				Chain: protocol.Chain{ID: [16]byte{7}, Depth: tc.depth, Deadline: now.Add(time.Hour)}}}
			err := h.checkPeer(req, now)
			if got := microfn.StatusOf(err); tc.status == 0 && err != nil || tc.status != 0 && got != tc.status {
				t.Fatalf("checkPeer = %v (%d), want status %d", err, got, tc.status)
			}
			if tc.status != 0 {
				return
			}
			// The call runs in the chain the capability grants, no
			// later than it, with its caller and claims.
			if req.Chain.ID != [16]byte{1} || req.Caller != "alice" || string(req.Claims) != `{"sub":"alice"}` || req.Attempt != 0 ||
				req.Chain.Depth != tc.depth || !req.Chain.Deadline.Equal(now.Add(time.Minute)) {
				t.Errorf("granted call: chain %+v caller %q claims %s attempt %d", req.Chain, req.Caller, req.Claims, req.Attempt)
			}
		})
	}
}

// TestPeerRecordSignature checks the records of peer calls: signed by
// the worker that ran the call, verified with its key only, whatever
// caller route the calling worker sets.
func TestPeerRecordSignature(t *testing.T) {
	t.Parallel()
	key, other := []byte("key b"), []byte("key c")
	r := DirectCall{Callee: "/b/F", Status: 200, Try: 1, Depth: 2, Nanos: 1000, Wait: 10}
	r.Sign("b", key)
	r.Caller = "/a/G"
	changed := r
	changed.Status = 500
	tests := []struct {
		name string
		r    DirectCall
		key  []byte
		want bool
	}{
		{"signed", r, key, true},
		{"another key", r, other, false},
		{"no key", r, nil, false},
		{"changed", changed, key, false},
		{"unsigned", DirectCall{Callee: "/b/F"}, key, false},
	}
	for _, tc := range tests {
		if got := tc.r.Verify(tc.key); got != tc.want {
			t.Errorf("%s: Verify = %v, want %v", tc.name, got, tc.want)
		}
	}
}
