package microfn

import (
	"context"
	"net/http"
	"net/url"

	"github.com/microfn/microfn/internal/callinfo"
)

// A Request describes the HTTP request a call of a service answers. A
// service that takes a context.Context reads it with [RequestOf].
type Request struct {
	// Method is the request's method: GET, POST or HEAD. A call made by
	// another service's proxy is a POST.
	Method string
	// Route is the service's route, such as /billing/Charge.
	Route string
	// Header holds the request's headers, as the client sent them, but
	// for microfn's own (Microfn-*, traceparent) and the hop-by-hop
	// ones. A call made by another service carries none.
	Header http.Header
	// Query holds the query parameters of a GET.
	Query url.Values
	// RemoteAddr is the client's address (IP and port), or that of the
	// server that forwarded the call from another machine; empty for a
	// call made by another service of the same server.
	RemoteAddr string
	// Caller identifies who made the call, as the server authenticated
	// it: the subject (sub) of the JSON Web Token of a service that
	// requires one (auth=jwt); empty for the server's token, or when the
	// service requires nothing. A nested call carries its first caller's
	// identity.
	Caller string
	// Claims are the claims of the JSON Web Token the call was
	// authenticated with, decoded as encoding/json decodes into a
	// map[string]any (numbers are float64); nil without one. A nested
	// call carries its first caller's.
	Claims map[string]any
	// Trace is the W3C trace id of the call's chain.
	Trace string
	// Depth is the call's depth in its chain: 0 for a call from outside.
	Depth int
}

func callInfo(ctx context.Context) *callinfo.Info { return callinfo.From(ctx) }

// RequestOf returns the request the call whose context ctx is (or derives
// from) answers. It reports false outside a call served by microfn: in a
// test, or a program that calls the function directly.
func RequestOf(ctx context.Context) (*Request, bool) {
	c := callInfo(ctx)
	if c == nil {
		return nil, false
	}
	r, ok := c.Request.(*Request)
	return r, ok
}

// SetHeader sets a header of the answer of the call whose context ctx is,
// replacing any value it had. It reports false outside a call served by
// microfn, where it does nothing. Headers microfn sets itself
// (Content-Type, Content-Length, Microfn-*) cannot be set.
func SetHeader(ctx context.Context, name, value string) bool {
	c := callInfo(ctx)
	if c == nil {
		return false
	}
	c.SetHeader(name, value)
	return true
}

// SetCookie adds a Set-Cookie header to the answer of the call whose
// context ctx is. It reports false outside a call served by microfn, or
// for a cookie that is not valid.
func SetCookie(ctx context.Context, cookie *http.Cookie) bool {
	c := callInfo(ctx)
	if c == nil || cookie.Valid() != nil {
		return false
	}
	c.AddHeader("Set-Cookie", cookie.String())
	return true
}

// SetStatus sets the status of a successful answer of the call whose
// context ctx is, such as 201 (Created) or 202 (Accepted), instead of
// 200; a failure's status is its error's (see [Error]). It reports false
// outside a call served by microfn, or for a status that is not a
// success (2xx).
func SetStatus(ctx context.Context, status int) bool {
	c := callInfo(ctx)
	if c == nil || status < 200 || status > 299 {
		return false
	}
	c.SetStatus(status)
	return true
}
