package protocol

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/svcrt"
)

// ProblemContentType is the content type of a problem document.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document, the body of every error
// answer: to a client over HTTP, and to a server from its worker.
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

// StatusClientClosedRequest is the status of a call whose caller went
// away before the answer (nginx's 499).
const StatusClientClosedRequest = 499

// NestedFailure returns the failed nested call in err's chain, if any.
func NestedFailure(err error) (*microfn.CallError, bool) {
	var ce *microfn.CallError
	if errors.As(err, &ce) && ce.Service != "" {
		return ce, true
	}
	return nil, false
}

// StatusOf maps an error to the HTTP status of its answer: the status
// the error carries (bad input 400, limit full 429, panic 500, …), 504
// for a deadline, 499 for a canceled caller, else 500. A failed nested
// call is the caller's failure (500), except that a loop (508), a
// deadline (504) and an unreachable or unavailable callee (502, 503) are
// properties of the whole chain and show as such.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	if ce, ok := NestedFailure(err); ok {
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
		return StatusClientClosedRequest
	}
	return http.StatusInternalServerError
}

// ProblemOf returns the problem document of err, for a call of instance
// (the route called).
func ProblemOf(err error, instance string) Problem {
	status := StatusOf(err)
	p := Problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   err.Error(),
		Instance: instance,
	}
	if status == StatusClientClosedRequest {
		p.Title = "Client Closed Request"
	}
	if ce, ok := NestedFailure(err); ok {
		p.Service, p.Cause = ce.Service, ce.Message
	}
	var re *svcrt.ReturnedError
	if errors.As(err, &re) {
		p.Returned = &Returned{Status: microfn.StatusOf(re.Err), Is: re.ErrorVars()}
		var mapped interface{ MappedStatus() int }
		if errors.As(err, &mapped) {
			p.Returned.Status = mapped.MappedStatus()
		}
		if len(re.Results) > 0 {
			if b, err := re.AppendResults(nil); err == nil {
				p.Returned.Results = b
			}
		}
	}
	return p
}

// RetryAfterOf returns the wait err asks for before another attempt, in
// whole seconds (rounded up), or 0.
func RetryAfterOf(err error) int {
	var ra interface{ RetryAfter() time.Duration }
	if errors.As(err, &ra) && ra.RetryAfter() > 0 {
		return int((ra.RetryAfter() + time.Second - 1) / time.Second)
	}
	return 0
}

// Body returns the JSON of the problem, with a final newline.
func (p *Problem) Body() []byte {
	b, _ := json.Marshal(p) // plain data: cannot fail
	return append(b, '\n')
}

// DecodeProblem reads an error answer of a call of service into a
// *microfn.CallError. An error the service returned keeps its text and
// status, and wraps the calling package's own values of the error
// variables it matched; the results returned with it are stored into
// c.Results (c may be nil).
func DecodeProblem(service string, status int, body []byte, retryAfter int, c *svcrt.Call) *microfn.CallError {
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
	return microfn.NewRemoteError(service, status, detail, time.Duration(retryAfter)*time.Second)
}

// ParseRetryAfter reads a Retry-After header in whole seconds; anything
// else is 0.
func ParseRetryAfter(h string) int {
	if s, err := strconv.Atoi(h); err == nil && s > 0 {
		return s
	}
	return 0
}
