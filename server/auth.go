package server

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/microfn/microfn"
)

// authenticate requires the bearer token on every route except /healthz
// and /readyz (probes) and the static pages of /docs (which ask for the
// token and send it with every request they make).
// It is installed only when the server has a token.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if open(c.Method(), c.Path()) {
		return c.Next()
	}
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.token)) == 1 {
		return c.Next()
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="microfn"`)
	setAttempts(&c.Response().Header, 0)
	detail := "this server requires a token: send Authorization: Bearer <token> (microfn call --token, or MICROFN_TOKEN)"
	if ok {
		detail = "the bearer token is not this server's"
	}
	s.logAccess(c, time.Now(), nil, chain{}, callStats{}, http.StatusUnauthorized)
	return writeProblem(c, microfn.Error(http.StatusUnauthorized, "%s", detail))
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
