package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/microfn/microfn/protocol"
	"github.com/valyala/fasthttp"
)

// Problem is an RFC 9457 problem document, the body of every error
// response.
type Problem = protocol.Problem

// keyPermanent is protocol.HeaderPermanent as fasthttp keeps it.
var keyPermanent = []byte(protocol.HeaderPermanent)

// writeProblem answers with the problem for err.
func writeProblem(c *fiber.Ctx, err error) error {
	p := protocol.ProblemOf(err, c.Path())
	if ra := protocol.RetryAfterOf(err); ra > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(ra))
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, protocol.ProblemContentType)
	return c.Send(p.Body())
}

// knownMethod reports whether m is a method Fiber routes: the standard
// methods, in upper case as HTTP requires.
func knownMethod(m []byte) bool {
	switch string(m) {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodPost, fiber.MethodPut, fiber.MethodPatch,
		fiber.MethodDelete, fiber.MethodConnect, fiber.MethodOptions, fiber.MethodTrace:
		return true
	}
	return false
}

// writeMethodProblem answers a request whose method Fiber does not know
// with a 405 problem.
func writeMethodProblem(c *fasthttp.RequestCtx) {
	p := Problem{
		Type:     "about:blank",
		Title:    http.StatusText(http.StatusMethodNotAllowed),
		Status:   http.StatusMethodNotAllowed,
		Detail:   fmt.Sprintf("method %q is not allowed: call services with GET (query parameters) or POST (a JSON object); methods are case-sensitive", c.Method()),
		Instance: string(c.Path()),
	}
	body, _ := json.Marshal(p)
	c.Response.Header.Set(fiber.HeaderAllow, "GET, POST")
	c.Response.Header.Set(protocol.HeaderAttempts, "0")
	c.SetStatusCode(http.StatusMethodNotAllowed)
	c.SetContentType("application/problem+json")
	c.SetBody(append(body, '\n'))
}
