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
	switch path := c.Path(); {
	case path == "/healthz", path == "/readyz", path == "/docs", strings.HasPrefix(path, "/docs/"):
		return c.Next()
	}
	h := c.Get(fiber.HeaderAuthorization)
	token, ok := strings.CutPrefix(h, "Bearer ")
	if ok && subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.token)) == 1 {
		return c.Next()
	}
	c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="microfn"`)
	detail := "this server requires a token: send Authorization: Bearer <token> (microfn call --token, or MICROFN_TOKEN)"
	if ok {
		detail = "the bearer token is not this server's"
	}
	s.logAccess(c, time.Now(), nil, chain{}, callStats{}, http.StatusUnauthorized)
	return writeProblem(c, microfn.Error(http.StatusUnauthorized, "%s", detail))
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
