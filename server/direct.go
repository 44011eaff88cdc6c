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

// serveDirectCalls counts and logs the nested calls the code of owner, a
// worker, ran itself on behalf of an attempt it is running
// (protocol.MethodCalls), as serveNested does those it carries: each
// record is one attempt.
func (s *Server) serveDirectCalls(owner any, req *protocol.Request, w protocol.ReplyWriter) {
	rec := s.attempts.get(req.Attempt)
	if rec == nil || !rec.ownedBy(owner) {
		s.replyNested(w, req.Route, errCallsRefused(req.Attempt))
		return
	}
	var recs []worker.DirectCall
	if err := json.Unmarshal(req.Body, &recs); err != nil {
		s.replyNested(w, req.Route, microfn.Permanent(microfn.Error(http.StatusBadRequest, "the records of calls do not decode: %v", err)))
		return
	}
	s.observeDirectCalls(rec, recs, viaWorker)
	_ = w.Reply(&protocol.Reply{Status: http.StatusNoContent}, nil)
}

// recordDirectCalls counts and logs the nested calls that host, which
// runs code in this process, ran itself on behalf of the attempt it is
// running, as serveDirectCalls does a worker's: the records are handed
// over as they are (worker.HostConfig.Record).
func (s *Server) recordDirectCalls(host *worker.Host, attempt uint64, recs []worker.DirectCall) error {
	rec := s.attempts.get(attempt)
	if rec == nil || !rec.ownedBy(host) {
		return errCallsRefused(attempt)
	}
	s.observeDirectCalls(rec, recs, viaProcess)
	return nil
}

// errCallsRefused is the error of records of calls that name attempt,
// which their code is not running.
func errCallsRefused(attempt uint64) error {
	return microfn.Permanent(microfn.Error(http.StatusForbidden,
		"calls refused: they name attempt %d, which this code is not running", attempt))
}

// observeDirectCalls counts and logs recs, run on behalf of rec.
func (s *Server) observeDirectCalls(rec *attemptRecord, recs []worker.DirectCall, via string) {
	g := s.packages.generation()
	for i := range recs {
		s.observeDirect(g, rec, &recs[i], via)
	}
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
	st := callStats{attempts: 1}
	if len(r.MAC) > 0 {
		// A call between workers: the worker that ran it signed it.
		if !s.verifyPeerRecord(r) {
			s.cfg.logger.Warn("a record of a call was refused", "error", errPeerRecord(r).Error())
			return
		}
		via, st.wait = viaPeer, time.Duration(r.Wait)
	}
	depth := max(r.Depth, rec.chain.depth+1)
	s.accountNested(e, r.Callee, r.Caller, r.Try, depth, rec.chain.trace, st, r.Status, time.Duration(r.Nanos), via)
}
