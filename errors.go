package microfn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// CallError is an error that carries an HTTP status. It is what [Error] and
// [Permanent] return, and what a proxied call returns when the callee
// answered with an error.
type CallError struct {
	// Status is the HTTP status of the error, 500 if unset.
	Status int
	// Message is the text a person reads in the problem's detail.
	Message string
	// Service names the service that failed, when known (a nested call).
	Service string
	// Err is the wrapped cause, if any.
	Err error
	// permanent marks an error that must not be retried.
	permanent bool
	// remote marks an error decoded from another server's response.
	remote bool
	// returned marks the error a called service returned: Message is its
	// own text, which Error gives unchanged.
	returned bool
	// retryAfter is the wait the callee asked for (429, 503).
	retryAfter time.Duration
}

// Error returns an error with the given HTTP status and a message formatted
// as by fmt.Sprintf. A 4xx status makes the error permanent: bad input is
// never retried.
func Error(status int, format string, args ...any) error {
	return &CallError{Status: status, Message: fmt.Sprintf(format, args...)}
}

// Permanent wraps err so that it is never retried. The status stays that of
// err (see [StatusOf]). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*CallError); ok {
		c := *ce
		c.permanent = true
		return &c
	}
	return &CallError{Status: StatusOf(err), Message: err.Error(), Err: err, permanent: true}
}

// NewRemoteError returns the error a proxy reports when the service it
// called answered with status and detail. It is used by microfn's proxies.
func NewRemoteError(service string, status int, detail string, retryAfter time.Duration) *CallError {
	return &CallError{Status: status, Message: detail, Service: service, remote: true, retryAfter: retryAfter}
}

// NewReturnedError returns the error a proxy reports when the service it
// called returned an error, rather than panicked or failed to run: its
// Error is text, the returned error's own text, and it wraps is, the
// caller's own values of the package-level error variables the returned
// error matched (errors.Is). It is used by microfn's proxies.
func NewReturnedError(service string, status int, text string, is ...error) *CallError {
	e := &CallError{Status: status, Message: text, Service: service, remote: true, returned: true}
	switch len(is) {
	case 0:
	case 1:
		e.Err = is[0]
	default:
		e.Err = errors.Join(is...)
	}
	return e
}

// Error implements the error interface. The error of a nested call that
// failed is "call SERVICE: " and why, except for an error the service
// returned, whose text is the service's own (see [NewReturnedError]).
func (e *CallError) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = http.StatusText(e.StatusCode())
	}
	if e.Service != "" && !e.returned {
		return "call " + e.Service + ": " + msg
	}
	return msg
}

// Unwrap returns the wrapped cause.
func (e *CallError) Unwrap() error { return e.Err }

// StatusCode returns the HTTP status of the error, 500 if unset.
func (e *CallError) StatusCode() int {
	if e.Status == 0 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// Permanent reports whether the error must not be retried: it was wrapped by
// [Permanent], or its status is a 4xx other than 408 and 429.
func (e *CallError) Permanent() bool {
	if e.permanent {
		return true
	}
	s := e.StatusCode()
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests
}

// Returned reports whether the error is one a called service returned
// (see [NewReturnedError]).
func (e *CallError) Returned() bool { return e.returned }

// Remote reports whether the error was decoded from another server's
// response rather than made in this process.
func (e *CallError) Remote() bool { return e.remote }

// RetryAfter is the wait the callee asked for before another attempt, or 0.
func (e *CallError) RetryAfter() time.Duration { return e.retryAfter }

// StatusOf returns the HTTP status of err: the status of the first error in
// its chain that has one (a method StatusCode() int), 504 for a deadline,
// and 500 otherwise. StatusOf(nil) is 200.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var s interface{ StatusCode() int }
	if errors.As(err, &s) {
		return s.StatusCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
