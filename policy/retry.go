package policy

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"time"

	"github.com/sethvargo/go-retry"
)

// The methods by which microfn's errors describe themselves. They are
// matched with errors.As, so any error type that has them takes part.
type (
	permanentError  interface{ Permanent() bool }
	statusError     interface{ StatusCode() int }
	retryAfterError interface{ RetryAfter() time.Duration }
)

// Retryable reports whether err is worth another attempt. The first rule
// that applies decides:
//
//   - nil is not retryable;
//   - an error matching [context.Canceled] is not retryable: the caller
//     gave up;
//   - an error whose chain holds an error with a method Permanent() bool
//     that reports true is not retryable;
//   - an error whose chain holds an error with a method StatusCode() int is
//     retryable if the first such status is 429, 500, 502, 503 or 504, and
//     not otherwise; 500 means the function itself failed;
//   - any other error is retryable: a timed-out attempt
//     ([context.DeadlineExceeded]), a transport error such as a refused or
//     closed connection, or a plain error returned by a function.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if isPermanent(err) {
		return false
	}
	var s statusError
	if errors.As(err, &s) {
		switch s.StatusCode() {
		case http.StatusTooManyRequests,
			http.StatusInternalServerError,
			http.StatusBadGateway,
			http.StatusServiceUnavailable,
			http.StatusGatewayTimeout:
			return true
		}
		return false
	}
	return true
}

// isPermanent reports whether any error in err's tree has a Permanent
// method that reports true. Unlike errors.As, it does not stop at the first
// error with the method, so a permanent cause is found even beneath a
// wrapper that is not itself permanent.
func isPermanent(err error) bool {
	for err != nil {
		if p, ok := err.(permanentError); ok && p.Permanent() {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if isPermanent(e) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// retryAfter returns the wait asked for by the first error in err's chain
// with a method RetryAfter() time.Duration, or 0.
func retryAfter(err error) time.Duration {
	var r retryAfterError
	if errors.As(err, &r) {
		return r.RetryAfter()
	}
	return 0
}

// retryableType is the dynamic type of the errors made by
// retry.RetryableError, which is not exported.
var retryableType = reflect.TypeOf(retry.RetryableError(errors.New("")))

// unwrapRetryable strips the wrappers added by retry.RetryableError from the
// top of err's chain.
func unwrapRetryable(err error) error {
	for err != nil && reflect.TypeOf(err) == retryableType {
		err = errors.Unwrap(err)
	}
	return err
}

// Do calls op until it succeeds, its error is not retryable (see
// [Retryable]), Attempts are used up, the budget is spent, or ctx ends.
// attempt is 1-based. Do returns the number of attempts made and the error
// of the last one, unwrapped from retry.RetryableError if op wrapped it;
// whether op wraps its errors so makes no difference to Do.
//
// If Budget is positive, op is called with a context that ends when the
// budget is spent. Do does not apply Timeout: limiting one attempt is left
// to op, which knows where an attempt's execution starts.
//
// Between attempts Do waits as long as a fresh backoff from
// [Policy.NewBackoff] says, or longer if the error has a method
// RetryAfter() time.Duration that asks for more. Do never waits past ctx's
// deadline or the budget: if the next wait would end at or after either,
// it returns at once with the last error. If ctx ends while Do waits, Do
// also returns the last error; ctx.Err() tells why. If ctx has ended before
// the first attempt, Do returns 0 and ctx.Err().
func (p Policy) Do(ctx context.Context, op func(ctx context.Context, attempt int) error) (attempts int, err error) {
	if p.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.Budget)
		defer cancel()
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var b retry.Backoff // built at the first failure: most calls succeed at once
	for {
		attempts++
		err = unwrapRetryable(op(ctx, attempts))
		if err == nil || !Retryable(err) {
			return attempts, err
		}
		if b == nil {
			b = p.NewBackoff()
		}
		wait, stop := b.Next()
		if stop || ctx.Err() != nil {
			return attempts, err
		}
		wait = max(wait, retryAfter(err))
		if deadline, ok := ctx.Deadline(); ok && !time.Now().Add(wait).Before(deadline) {
			return attempts, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempts, err
		case <-t.C:
		}
	}
}

// NewBackoff returns a new backoff, built with go-retry, that yields the
// delays between the attempts of one call under p: Base growing by the
// Backoff kind (exponential: Base, 2*Base, 4*Base, ...; fibonacci: Base,
// 2*Base, 3*Base, 5*Base, ...; constant: Base), limited to Cap, then varied
// by +/- Jitter percent. It stops after Attempts-1 delays. Each delay thus
// lies within [Base*(1-Jitter/100), Cap*(1+Jitter/100)].
//
// Backoffs are stateful: use a new one for every call. NewBackoff does not
// fail on an invalid policy; out-of-range fields are brought to the nearest
// sensible value (Attempts to 1, Base to the default, Cap to Base, Jitter
// into 0..100, an unknown kind to exponential).
func (p Policy) NewBackoff() retry.Backoff {
	base := p.Base
	if base <= 0 {
		base = Default().Base
	}
	var b retry.Backoff
	switch p.Backoff {
	case fibonacci:
		b = retry.NewFibonacci(base)
	case constant:
		b = retry.NewConstant(base)
	default:
		b = retry.NewExponential(base)
	}
	b = retry.WithCappedDuration(max(p.Cap, base), b)
	b = retry.WithJitterPercent(uint64(min(max(p.Jitter, 0), 100)), b)
	return retry.WithMaxRetries(uint64(max(p.Attempts, 1)-1), b)
}
