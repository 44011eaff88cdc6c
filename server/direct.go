package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

// viaWorker is the via of a nested call that a worker ran itself, on the
// direct path (see package worker): its caller and its callee run in that
// worker, and an ancestor attempt of the callee held its slot.
const viaWorker = "worker"

// viaProcess is the via of a nested call run on the direct path by the
// code the server runs in its own process (IsolateNone).
const viaProcess = "process"

// serveDirectCalls counts and logs the nested calls the code of owner ran
// itself on behalf of an attempt it is running (protocol.MethodCalls), as
// serveNested does those it carries: each record is one attempt.
func (s *Server) serveDirectCalls(owner any, req *protocol.Request, w protocol.ReplyWriter) {
	rec := s.attempts.get(req.Attempt)
	if rec == nil || !rec.ownedBy(owner) {
		s.replyNested(w, req.Route, microfn.Permanent(microfn.Error(http.StatusForbidden,
			"calls refused: they name attempt %d, which this code is not running", req.Attempt)))
		return
	}
	var recs []worker.DirectCall
	if err := json.Unmarshal(req.Body, &recs); err != nil {
		s.replyNested(w, req.Route, microfn.Permanent(microfn.Error(http.StatusBadRequest, "the records of calls do not decode: %v", err)))
		return
	}
	via := viaWorker
	if _, here := owner.(*worker.Host); here {
		via = viaProcess
	}
	g := s.packages.generation()
	for i := range recs {
		s.observeDirect(g, rec, &recs[i], via)
	}
	_ = w.Reply(&protocol.Reply{Status: http.StatusNoContent}, nil)
}

// observeDirect counts and logs one attempt of a nested call run in a
// worker on behalf of rec, as the server does the attempts it carries: a
// proxy's call counts once, by its first attempt, the others are its
// retries. The chain's trace is rec's, and the depth is at least one
// below it.
func (s *Server) observeDirect(g *generation, rec *attemptRecord, r *worker.DirectCall, via string) {
	e := g.routes[r.Callee]
	if e != nil && r.TimedOut {
		// The execution went on past the answer: a runaway.
		s.metrics.timeouts.WithLabelValues(e.route).Inc()
		s.metrics.runawaysTotal.WithLabelValues(e.route).Inc()
	}
	depth := max(r.Depth, rec.chain.depth+1)
	s.accountNested(e, r.Callee, r.Caller, r.Try, depth, rec.chain.trace, callStats{attempts: 1}, r.Status, time.Duration(r.Nanos), via)
}
