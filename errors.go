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

// Error implements the error interface.
func (e *CallError) Error() string {
	msg := e.Message
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	if msg == "" {
		msg = http.StatusText(e.StatusCode())
	}
	if e.Service != "" {
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
