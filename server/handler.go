package server

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

// handle serves every service route: it looks the route up in the current
// generation, binds the request, runs the call and writes the answer.
func (s *Server) handle(c *fiber.Ctx) error {
	start := time.Now()
	path := c.Path()
	var e *endpoint
	var g *generation
	for {
		g = s.packages.generation()
		e = g.routes[path]
		if e == nil || e.version.acquire() {
			break
		}
		// The version was retired and closed between the lookup and
		// the acquire: a newer generation is published; look again.
	}
	if e == nil {
		if s.cfg.auth.active() {
			// No route discovery without what the routes there need.
			if _, err := s.authorize(c, s.cfg.auth.forRoute(path, "")); err != nil {
				return s.fail(c, start, nil, chain{}, callStats{}, err)
			}
		}
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
		c.Set(protocol.HeaderStale, stale)
	}
	hdr := readCallHeaders(&c.Request().Header)
	ch, deadline, proxied := s.chainOf(hdr, c.Request().URI().Path(), start)
	if ch.depth == 0 && e.auth.mode != funcs.AuthNone {
		// A call from outside: checked before anything else is said
		// about it. (A call in a chain another server signed was
		// checked where the chain started, and carries who made it.)
		id, err := s.authorize(c, e.auth)
		if err != nil {
			return s.fail(c, start, e, chain{}, callStats{}, err)
		}
		ch.caller, ch.claims = id.caller, id.claims
	}
	method := c.Method()
	if method != fiber.MethodGet && method != fiber.MethodPost && method != fiber.MethodHead {
		c.Set(fiber.HeaderAllow, "GET, POST")
		return s.fail(c, start, e, chain{}, callStats{}, microfn.Error(http.StatusMethodNotAllowed, "method %s is not allowed: call %s with GET (query parameters) or POST (a JSON object)", method, path))
	}
	if err := hdr.validate(); err != nil {
		return s.fail(c, start, e, chain{}, callStats{}, err)
	}
	if ch.depth > s.cfg.maxDepth {
		return s.fail(c, start, e, ch, callStats{}, &worker.DepthError{Depth: ch.depth, Max: s.cfg.maxDepth})
	}
	return s.handleCall(c, start, deadline, e, ch, proxied)
}

// attemptsKey is protocol.HeaderAttempts as fasthttp keeps it.
var attemptsKey = []byte(protocol.HeaderAttempts)

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

// fail answers with the problem for err and logs the call.
func (s *Server) fail(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, err error) error {
	// Every answer says how many attempts it took: 0 when the call was
	// refused before one (no such service, bad headers, …).
	setAttempts(&c.Response().Header, st.attempts)
	status := protocol.StatusOf(err)
	if !policy.Retryable(err) {
		// A proxy of another server retries by the status otherwise:
		// tell it that another attempt cannot help.
		c.Response().Header.SetCanonical(keyPermanent, valueProxied)
	}
	if status >= 500 && e != nil {
		s.cfg.logger.Error("call failed", "route", e.route, "status", status, "trace", ch.trace, "error", err.Error())
	}
	s.logAccess(c, start, e, ch, st, status)
	return writeProblem(c, err)
}

// logAccess writes the access line of a call, indented by its depth so
// nested calls show as a tree.
func (s *Server) logAccess(c *fiber.Ctx, start time.Time, e *endpoint, ch chain, st callStats, status int) {
	if e != nil {
		s.metrics.observeCall(e.metrics, status, time.Since(start), st, "http")
	}
	if s.cfg.quiet {
		return
	}
	if status < 400 {
		ok, left := s.access.allow(time.Now())
		if left > 0 {
			s.cfg.logger.Info("access lines left out", "calls", left, "why", fmt.Sprintf("more than %d successful calls in a second", maxAccessLines))
		}
		if !ok {
			return
		}
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

// maxAccessLines bounds the access lines of successful calls from
// clients written in one second: past it, formatting each line would
// cost a measurable share of a busy server's CPU. A call that fails is
// always logged.
const maxAccessLines = 1000

// An accessSampler counts the access lines of successful calls written
// each second, and those left out past maxAccessLines. It is safe for
// concurrent use.
type accessSampler struct {
	mu     sync.Mutex
	second int64 // the Unix second counted
	lines  int   // written in that second
	left   int   // left out in that second
}

// allow reports whether the access line of a successful call may be
// written at now, and, at the first line of a second that follows one in
// which lines were left out, how many were.
func (a *accessSampler) allow(now time.Time) (ok bool, left int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if sec := now.Unix(); sec != a.second {
		left = a.left
		a.second, a.lines, a.left = sec, 0, 0
	}
	if a.lines < maxAccessLines {
		a.lines++
		return true, left
	}
	a.left++
	return false, left
}
