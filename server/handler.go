package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/policy"
)

// handle serves every service route: it looks the route up in the current
// generation, binds the request, runs the call and writes the answer.
func (s *Server) handle(c *fiber.Ctx) error {
	start := time.Now()
	path := c.Path()
	var e *endpoint
	var g *generation
	for {
		g = s.gen.Load()
		e = g.routes[path]
		if e == nil || e.version.acquire() {
			break
		}
		// The version was retired and closed between the lookup and
		// the acquire: a newer generation is published; look again.
	}
	if e == nil {
		err := microfn.Error(http.StatusNotFound, "no service at %s%s", path, didYouMean(g.nearest(path)))
		if s.loading.Load() {
			// Not yet: a caller retries a 503, as it would a server
			// that does not answer yet.
			c.Set(fiber.HeaderRetryAfter, "1")
			err = microfn.Error(http.StatusServiceUnavailable, "no service at %s yet: the server is still loading its packages", path)
		}
		return s.fail(c, start, nil, chain{}, callStats{}, err)
	}
	defer e.version.release()
	if stale, ok := g.stale[e.version.rel]; ok {
		c.Set(HeaderStale, stale)
	}
	method := c.Method()
	if method != fiber.MethodGet && method != fiber.MethodPost && method != fiber.MethodHead {
		c.Set(fiber.HeaderAllow, "GET, POST")
		return s.fail(c, start, e, chain{}, callStats{}, microfn.Error(http.StatusMethodNotAllowed, "method %s is not allowed: call %s with GET (query parameters) or POST (a JSON object)", method, path))
	}
	hdr := readCallHeaders(&c.Request().Header)
	if err := hdr.validate(); err != nil {
		return s.fail(c, start, e, chain{}, callStats{}, err)
	}
	if s.cfg.worker != nil && !s.fromServer(hdr) {
		return s.fail(c, start, e, chain{}, callStats{}, microfn.Error(http.StatusForbidden, "a worker takes calls from its server only"))
	}
	ch, deadline, proxied := s.chainOf(hdr, c.Request().URI().Path(), start)
	if ch.depth > s.cfg.maxDepth {
		return s.fail(c, start, e, ch, callStats{}, &depthError{depth: ch.depth, max: s.cfg.maxDepth})
	}
	if e.version.worker() != nil {
		return s.handleForwarded(c, start, deadline, e, ch, proxied)
	}
	args, err := s.bind(c, e)
	if err != nil {
		return s.fail(c, start, e, ch, callStats{}, err)
	}
	ctx := context.Background()
	if !proxied {
		// Retries wait within the deadline; a proxied call has one
		// attempt, whose own context gets the deadline.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	out, st, err := s.execute(ctx, start, deadline, e, ch, args, proxied)
	if err != nil {
		return s.fail(c, start, e, ch, st, err)
	}
	body, err := e.svc.Func.AppendResults(make([]byte, 0, 64), out)
	if err != nil {
		return s.fail(c, start, e, ch, st, microfn.Error(http.StatusInternalServerError, "%s returned a value that cannot be encoded as JSON: %v", e.desc.Name, err))
	}
	setAttempts(&c.Response().Header, st.attempts)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Status(http.StatusOK)
	s.logAccess(c, start, e, ch, st, http.StatusOK)
	return c.Send(append(body, '\n'))
}

// attemptsKey is HeaderAttempts as fasthttp keeps it.
var attemptsKey = []byte(HeaderAttempts)

// setAttempts sets the Microfn-Attempts header of a response.
func setAttempts(h *fasthttp.ResponseHeader, attempts int) {
	var buf [20]byte
	h.SetCanonical(attemptsKey, strconv.AppendInt(buf[:0], int64(attempts), 10))
}

func didYouMean(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(names, ", ") + "?)"
}

// bind reads the call's arguments: query parameters for GET, a JSON object
// (or a form) for POST.
func (s *Server) bind(c *fiber.Ctx, e *endpoint) ([]reflect.Value, error) {
	f := e.svc.Func
	if c.Method() != fiber.MethodPost {
		return f.BindQuery(visitAll(c.Context().QueryArgs()))
	}
	body := c.Body()
	ct := string(c.Request().Header.ContentType())
	if strings.HasPrefix(ct, fiber.MIMEApplicationForm) && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return f.BindQuery(visitAll(c.Context().PostArgs()))
	}
	if len(c.Context().QueryArgs().QueryString()) > 0 {
		return nil, microfn.Error(http.StatusBadRequest, "a POST takes its parameters from the JSON body only; drop the query string or use GET")
	}
	return f.BindJSON(body)
}

// visitAll adapts fasthttp's arguments to the visitor wire.Func.BindQuery
// takes.
func visitAll(args *fasthttp.Args) func(func(key, value []byte)) {
	return func(visit func(key, value []byte)) {
		for k, v := range args.All() {
			visit(k, v)
		}
	}
}

// fail answers with the problem for err and logs the call.
func (s *Server) fail(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, err error) error {
	// Every answer says how many attempts it took: 0 when the call was
	// refused before one (no such service, bad headers, …).
	setAttempts(&c.Response().Header, st.attempts)
	status := statusOf(err)
	if s.cfg.worker != nil && !policy.Retryable(err) {
		// The server that sent the attempt retries by its status
		// otherwise: tell it that another attempt cannot help.
		c.Response().Header.SetCanonical(keyPermanent, valueProxied)
	}
	if status >= 500 && e != nil && s.cfg.worker == nil {
		s.cfg.logger.Error("call failed", "route", e.route, "status", status, "trace", ch.trace, "error", err.Error())
	}
	s.logAccess(c, start, e, ch, st, status)
	return writeProblem(c, err)
}

// logAccess writes the access line of a call, indented by its depth so
// nested calls show as a tree.
func (s *Server) logAccess(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, status int) {
	if s.cfg.worker != nil {
		// The server that sent the call logs and counts it.
		return
	}
	if e != nil {
		s.metrics.observeCall(e.metrics, status, time.Since(start), st, "http")
	}
	if s.cfg.quiet {
		return
	}
	uri := string(c.Request().RequestURI())
	s.cfg.logger.Info(fmt.Sprintf("%s%s %s", strings.Repeat("  ", max(ch.depth, 0)), c.Method(), uri),
		"status", status,
		"duration", time.Since(start).Round(time.Microsecond).String(),
		"attempts", st.attempts,
		"wait", st.wait.Round(time.Microsecond).String(),
		"depth", ch.depth,
		"trace", ch.trace,
		"via", "http",
	)
}

// logNested writes the line of a nested call made in process (monolith).
func (s *Server) logNested(e *endpoint, ch chain) {
	if s.cfg.quiet {
		return
	}
	s.cfg.logger.Info(fmt.Sprintf("%scall %s", strings.Repeat("  ", max(ch.depth, 0)), e.route),
		"depth", ch.depth, "trace", ch.trace, "via", "local")
}
