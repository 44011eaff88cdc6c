package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/svcrt"
)

// Problem is an RFC 9457 problem document, the body of every error
// response.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance,omitempty"`
	// Service names the nested service whose call failed, if any.
	Service string `json:"service,omitempty"`
	// Cause is the innermost failure of a failed nested call: what the
	// deepest service in the chain reported.
	Cause string `json:"cause,omitempty"`
	// Returned describes the error the service returned, when it returned
	// one (rather than panicked or failed to run); Detail is then that
	// error's own text. A proxy that reads it gives the calling service an
	// error with the same text, status and identity (errors.Is).
	Returned *Returned `json:"returned,omitempty"`
}

// Returned describes an error a service returned.
type Returned struct {
	// Status is the error's own status (microfn.StatusOf): that of the
	// first error in its chain with one. It can differ from the response's
	// status, which is 500 for a failed nested call.
	Status int `json:"status"`
	// Is names the package-level error variables the error matches with
	// errors.Is, as import path (or package name), dot, variable name.
	Is []string `json:"is,omitempty"`
	// Results are the service's other results, returned with the error,
	// encoded as those of a successful call.
	Results json.RawMessage `json:"results,omitempty"`
}

// Errors made by the server itself.
var (
	errQueueFull = errors.New("too many calls are waiting for this service; try again later")
)

// depthError refuses a call past the depth limit.
type depthError struct{ depth, max int }

func (e *depthError) Error() string {
	return fmt.Sprintf("call depth %d exceeds the limit of %d: a service is probably calling itself without end (missing base case?)", e.depth, e.max)
}
func (e *depthError) StatusCode() int { return http.StatusLoopDetected }
func (e *depthError) Permanent() bool { return true }

// timeoutError reports an attempt that ran past the service's timeout.
type timeoutError struct {
	service string
	timeout time.Duration
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("%s did not finish within its timeout of %s", e.service, e.timeout)
}
func (e *timeoutError) StatusCode() int { return http.StatusGatewayTimeout }

// overloadError is 429 with a Retry-After.
type overloadError struct{ service string }

func (e *overloadError) Error() string {
	return fmt.Sprintf("%s: %s", e.service, errQueueFull)
}
func (e *overloadError) StatusCode() int           { return http.StatusTooManyRequests }
func (e *overloadError) RetryAfter() time.Duration { return time.Second }

// nestedFailure returns the failed nested call in err's chain, if any.
func nestedFailure(err error) (*microfn.CallError, bool) {
	var ce *microfn.CallError
	if errors.As(err, &ce) && ce.Service != "" {
		return ce, true
	}
	return nil, false
}

// statusOf maps an error to the HTTP status of its response: the status
// the error carries (bad input 400, limit full 429, panic 500, …),
// 504 for a deadline, 499 for a canceled caller, else 500. A failed
// nested call is the caller's failure (500), except that a loop (508), a
// deadline (504) and an unreachable or unavailable callee (502, 503) are
// properties of the whole chain and show as such.
func statusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if ce, ok := nestedFailure(err); ok {
		switch s := ce.StatusCode(); s {
		case http.StatusLoopDetected, http.StatusGatewayTimeout, http.StatusBadGateway, http.StatusServiceUnavailable:
			return s
		}
		return http.StatusInternalServerError
	}
	var s interface{ StatusCode() int }
	switch {
	case errors.As(err, &s):
		return s.StatusCode()
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return 499
	}
	return http.StatusInternalServerError
}

// writeProblem answers with the problem for err.
func writeProblem(c *fiber.Ctx, err error) error {
	status := statusOf(err)
	p := Problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   err.Error(),
		Instance: c.Path(),
	}
	if status == 499 {
		p.Title = "Client Closed Request"
	}
	if ce, ok := nestedFailure(err); ok {
		p.Service, p.Cause = ce.Service, ce.Message
	}
	var re *svcrt.ReturnedError
	if errors.As(err, &re) {
		p.Returned = &Returned{Status: microfn.StatusOf(re.Err), Is: re.ErrorVars()}
		if len(re.Results) > 0 {
			if b, err := re.AppendResults(nil); err == nil {
				p.Returned.Results = b
			}
		}
	}
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((ra.RetryAfter()+time.Second-1)/time.Second)))
	}
	body, _ := json.Marshal(p)
	c.Status(status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Send(append(body, '\n'))
}

// decodeProblem reads an error response of another server into a
// *microfn.CallError for the service called. An error the service
// returned keeps its text and status, and wraps the calling package's own
// values of the error variables it matched; the results returned with it
// are stored into c.Results.
func decodeProblem(service string, status int, body []byte, retryAfter string, c *svcrt.Call) *microfn.CallError {
	var p Problem
	detail := ""
	switch {
	case json.Unmarshal(body, &p) != nil:
		detail = http.StatusText(status)
		if len(body) > 0 && len(body) < 512 {
			detail += ": " + string(body)
		}
	case p.Returned != nil:
		if p.Returned.Status != 0 {
			status = p.Returned.Status
		}
		var is []error
		if c != nil {
			is = c.Service.Package.ErrorVars(p.Returned.Is)
			if len(p.Returned.Results) > 0 {
				_ = c.Service.Func.DecodeResults(p.Returned.Results, c.Results) // else they stay zero
			}
		}
		return microfn.NewReturnedError(service, status, p.Detail, is...)
	case p.Cause != "":
		detail = p.Cause
	case p.Detail != "":
		detail = p.Detail
	default:
		detail = http.StatusText(status)
	}
	var wait time.Duration
	if s, err := strconv.Atoi(retryAfter); err == nil && s > 0 {
		wait = time.Duration(s) * time.Second
	}
	return microfn.NewRemoteError(service, status, detail, wait)
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
	c.Response.Header.Set(HeaderAttempts, "0")
	c.SetStatusCode(http.StatusMethodNotAllowed)
	c.SetContentType("application/problem+json")
	c.SetBody(append(body, '\n'))
}
