package server

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/microfn/microfn/funcs"
)

// authenticate guards the server's own routes: every route but
// /healthz and /readyz (probes) and the static pages of /docs (which ask
// for the token and send it with every request they make) needs the
// token, when the server has one. A service route is guarded by its own
// requirement, in handle (see authorize). It is installed only when the
// server requires something of some calls.
func (s *Server) authenticate(c *fiber.Ctx) error {
	method, path := c.Method(), c.Path()
	if open(method, path) || !serverRoute(path) {
		return c.Next()
	}
	if s.cfg.token == "" {
		return c.Next()
	}
	if _, err := s.cfg.auth.check(authReq{mode: funcs.AuthToken}, c.Request().Header.Peek(fiber.HeaderAuthorization)); err != nil {
		setAttempts(&c.Response().Header, 0)
		s.logAccess(c, time.Now(), nil, chain{}, callStats{}, http.StatusUnauthorized)
		return writeProblem(c, s.challenge(c, err))
	}
	return c.Next()
}

// serverRoute reports whether path is a route of the server itself
// rather than of a service.
func serverRoute(path string) bool {
	switch {
	case path == "/metrics", path == "/openapi.json", path == "/healthz", path == "/readyz", path == "/docs", strings.HasPrefix(path, "/docs/"):
		return true
	}
	return false
}

// authorize checks a call of a service from outside against what the
// service requires, and returns who made it.
func (s *Server) authorize(c *fiber.Ctx, req authReq) (identity, error) {
	id, err := s.cfg.auth.check(req, c.Request().Header.Peek(fiber.HeaderAuthorization))
	if err != nil {
		return id, s.challenge(c, err)
	}
	return id, nil
}

// challenge sets the WWW-Authenticate header of a refused call.
func (s *Server) challenge(c *fiber.Ctx, err error) error {
	var ae *authError
	if errors.As(err, &ae) {
		c.Set(fiber.HeaderWWWAuthenticate, ae.challenge)
	}
	return err
}

// open reports whether a request needs no token: only GET (and HEAD) of
// the health checks and of the pages of /docs, matched by method and
// route. Every other method on those routes, and every other route,
// needs it; no service route can be under /docs (see reservedRoute).
func open(method, path string) bool {
	if method != fiber.MethodGet && method != fiber.MethodHead {
		return false
	}
	switch {
	case path == "/healthz", path == "/readyz", path == "/docs", strings.HasPrefix(path, "/docs/"):
		return true
	}
	return false
}

// reservedRoute reports whether a service at route would collide with a
// route of the server, for any method.
func reservedRoute(route string) bool {
	lower := strings.ToLower(route)
	switch lower {
	case "/docs", "/openapi.json", "/metrics", "/healthz", "/readyz":
		return true
	}
	return strings.HasPrefix(lower, "/docs/")
}

// isLoopback reports whether addr (host:port) only listens on loopback.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
