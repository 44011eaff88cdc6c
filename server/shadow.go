package server

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/microfn/microfn/protocol"
)

// Shadow mode (WithShadow): a share of the calls a compiled version
// answers run on the interpreted worker of the same version too, once the
// answer is on its way, and the two answers are compared. A difference is
// an interpreter that differs from Go: it is logged with the call's
// arguments and both answers, and counted.

// maxShadows bounds the shadow calls under way: past it, calls are not
// shadowed.
const maxShadows = 4

// maybeShadow runs a call of e, answered with status and body, on the
// interpreted worker of e's version, at the server's shadow rate.
func (s *Server) maybeShadow(e *endpoint, ch chain, in inbound, status int, body []byte) {
	g := e.version.shadow
	if g == nil || rand.Float64() >= s.cfg.shadow {
		return
	}
	select {
	case s.shadows <- struct{}{}:
	default:
		return
	}
	if !e.version.acquire() {
		<-s.shadows
		return
	}
	in = in.detach()
	body = bytes.Clone(body)
	go func() {
		defer func() { <-s.shadows }()
		defer e.version.release()
		s.shadow(e, ch, in, status, body)
	}()
}

// shadow runs the call in on the shadow worker of e's version and
// compares its answer with the compiled one's.
func (s *Server) shadow(e *endpoint, ch chain, in inbound, status int, body []byte) {
	deadline := time.Now().Add(e.policy.Timeout)
	shadowCh := ch.child()
	shadowCh.depth = ch.depth
	rec := s.attempts.add(shadowCh, deadline)
	defer s.attempts.remove(rec.id)
	rec.setOwner(e.version.shadow)
	call := &protocol.Call{Attempt: rec.id, Route: e.route, Method: in.method, Query: in.query, ContentType: in.contentType, Chain: shadowCh.protocol(deadline)}
	ctx, cancel := context.WithDeadline(context.Background(), deadline.Add(s.cfg.runawayGrace))
	defer cancel()
	resp, err := e.version.shadow.Do(ctx, call, in.body, deadline)
	var shadowStatus int
	var shadowBody []byte
	if err == nil {
		shadowStatus = resp.Status
		shadowBody, err = resp.ReadAll(int(s.cfg.maxResponseSize))
	}
	s.metrics.shadowCalls.WithLabelValues(e.route).Inc()
	if err != nil {
		s.cfg.logger.Warn(fmt.Sprintf("shadow: %s did not answer on the interpreted worker: %v", e.route, err), "trace", ch.trace)
		return
	}
	if shadowStatus == status && bytes.Equal(shadowBody, body) {
		return
	}
	s.metrics.shadowDiffs.WithLabelValues(e.route).Inc()
	args := string(in.query)
	if in.method == http.MethodPost {
		args = string(in.body)
	}
	s.cfg.logger.Warn(fmt.Sprintf("shadow: %s answers differently interpreted and compiled", e.route),
		"args", truncate(args, 512),
		"compiled", fmt.Sprintf("%d %s", status, truncate(string(bytes.TrimSpace(body)), 512)),
		"interpreted", fmt.Sprintf("%d %s", shadowStatus, truncate(string(bytes.TrimSpace(shadowBody)), 512)),
		"trace", ch.trace)
}

// truncate cuts s to at most n bytes, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
