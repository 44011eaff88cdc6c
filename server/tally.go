package server

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"
)

// A localTally carries the nested calls workers run in process
// (--monolith), which never reach the server, into the server's own
// counters (microfn_nested_calls_total, microfn_calls_total with via
// "local"): those outlive every worker, so a reload, which replaces a
// package's worker, resets nothing. A worker counts since it started; the
// server adds what is new since it last looked, each time /metrics is
// read and once more when a version's worker is closed.
type localTally struct {
	mu   sync.Mutex
	seen map[*supervisor.Group]*tallySeen
}

// tallySeen is what the server last read of one group's worker.
type tallySeen struct {
	pid  int
	vals map[string]worker.LocalCall
}

// absorb adds to m what st says is new of g's worker.
func (t *localTally) absorb(m *metrics, g *supervisor.Group, st *worker.Stats) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen = map[*supervisor.Group]*tallySeen{}
	}
	ts := t.seen[g]
	if ts == nil || ts.pid != st.PID {
		// A new process (a restart after a crash) counts from zero.
		ts = &tallySeen{pid: st.PID, vals: map[string]worker.LocalCall{}}
		t.seen[g] = ts
	}
	for _, c := range st.Local {
		key := c.Caller + "\x00" + c.Callee + "\x00" + strconv.Itoa(c.Code)
		prev := ts.vals[key]
		if c.Count > prev.Count {
			m.observeLocal(c.Caller, c.Callee, c.Code, c.Count-prev.Count)
		}
		ts.vals[key] = c
	}
}

// forget drops what the server read of g, whose worker has ended.
func (t *localTally) forget(g *supervisor.Group) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.seen, g)
}

// workerStats asks g's worker for its Stats.
func workerStats(g *supervisor.Group, timeout time.Duration) (*worker.Stats, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	b, err := g.Ask(ctx, &protocol.Call{Method: protocol.MethodStats})
	var st worker.Stats
	if err != nil || b == nil || json.Unmarshal(b, &st) != nil {
		return nil, false
	}
	return &st, true
}

// finalTally reads the last counts of the worker of a version that is
// being closed, before it ends.
func (s *Server) finalTally(g *supervisor.Group) {
	if st, ok := workerStats(g, 250*time.Millisecond); ok {
		s.tally.absorb(s.metrics, g, st)
	}
	s.tally.forget(g)
}

// observeLocal counts n nested calls of callee by caller, run in
// process, that ended with code.
func (m *metrics) observeLocal(caller, callee string, code int, n uint64) {
	c := strconv.Itoa(code)
	m.nested.WithLabelValues(caller, callee, c).Add(float64(n))
	m.calls.WithLabelValues(callee, c, "local").Add(float64(n))
}
