package worker

import (
	"sort"
	"sync"
	"time"
)

// A LocalCall counts the nested calls of one callee by one caller that
// ended with one status, made in the worker's process (--monolith):
// they never reach the server, which learns of them from the worker's
// Stats.
type LocalCall struct {
	Caller string `json:"caller"`
	Callee string `json:"callee"`
	Code   int    `json:"code"`
	// Count is the number of calls since the process started.
	Count uint64 `json:"count"`
	// Seconds is the time they took, in all.
	Seconds float64 `json:"seconds"`
}

// localTally counts the nested calls a host runs in process.
type localTally struct {
	mu sync.Mutex
	m  map[localKey]*LocalCall
}

type localKey struct {
	caller, callee string
	code           int
}

// add counts one call.
func (t *localTally) add(caller, callee string, code int, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := localKey{caller, callee, code}
	c := t.m[k]
	if c == nil {
		if t.m == nil {
			t.m = map[localKey]*LocalCall{}
		}
		c = &LocalCall{Caller: caller, Callee: callee, Code: code}
		t.m[k] = c
	}
	c.Count++
	c.Seconds += d.Seconds()
}

// snapshot returns the counts, sorted.
func (t *localTally) snapshot() []LocalCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]LocalCall, 0, len(t.m))
	for _, c := range t.m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Caller != b.Caller {
			return a.Caller < b.Caller
		}
		if a.Callee != b.Callee {
			return a.Callee < b.Callee
		}
		return a.Code < b.Code
	})
	return out
}

// observeLocal records a nested call run in process: through the
// host's Observe, or in its tally for the server to read.
func (h *Host) observeLocal(caller, callee string, code int, d time.Duration) {
	if h.cfg.Observe != nil {
		h.cfg.Observe(caller, callee, code, d)
		return
	}
	h.tally.add(caller, callee, code, d)
}
