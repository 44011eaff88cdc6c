package policy_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/policy"
	"github.com/sethvargo/go-retry"
)

// callError mimics microfn.CallError: it describes itself by methods only.
type callError struct {
	status     int
	permanent  bool
	retryAfter time.Duration
	err        error
}

func (e *callError) Error() string               { return "status " + strconv.Itoa(e.status) }
func (e *callError) Unwrap() error               { return e.err }
func (e *callError) StatusCode() int             { return e.status }
func (e *callError) Permanent() bool             { return e.permanent }
func (e *callError) RetryAfter() time.Duration   { return e.retryAfter }
func status(code int) error                      { return &callError{status: code} }
func permanent(err error) error                  { return &callError{status: 500, permanent: true, err: err} }
func retryAfter(code int, d time.Duration) error { return &callError{status: code, retryAfter: d} }

// statusOnly has a status and nothing else.
type statusOnly int

func (s statusOnly) Error() string   { return "status only " + strconv.Itoa(int(s)) }
func (s statusOnly) StatusCode() int { return int(s) }

// permanentOnly has a Permanent method and nothing else.
type permanentOnly bool

func (p permanentOnly) Error() string   { return "permanent only" }
func (p permanentOnly) Permanent() bool { return bool(p) }

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},

		{"canceled", context.Canceled, false},
		{"wrapped canceled", fmt.Errorf("call: %w", context.Canceled), false},
		{"canceled beats status", &callError{status: 503, err: context.Canceled}, false},

		{"permanent", permanent(errors.New("bad")), false},
		{"permanent method only", permanentOnly(true), false},
		{"not permanent method only", permanentOnly(false), true},
		{"wrapped permanent", fmt.Errorf("call: %w", permanent(io.EOF)), false},
		{"permanent beneath retryable status", &callError{status: 503, err: permanentOnly(true)}, false},
		{"permanent in join", errors.Join(io.EOF, permanentOnly(true)), false},
		{"permanent beats 503", &callError{status: 503, permanent: true}, false},

		{"429", status(429), true},
		{"500", status(500), true},
		{"502", status(502), true},
		{"503", status(503), true},
		{"504", status(504), true},
		{"400", status(400), false},
		{"404", status(404), false},
		{"408", status(408), false},
		{"409", status(409), false},
		{"422", status(422), false},
		{"501", status(501), false},
		{"505", status(505), false},
		{"200", status(200), false},
		{"status method only 503", statusOnly(503), true},
		{"status method only 404", statusOnly(404), false},
		{"wrapped 404", fmt.Errorf("call: %w", status(404)), false},
		{"status beats deadline", &callError{status: 404, err: context.DeadlineExceeded}, false},
		{"first status decides", &callError{status: 404, err: status(503)}, false},

		{"deadline", context.DeadlineExceeded, true},
		{"wrapped deadline", fmt.Errorf("attempt: %w", context.DeadlineExceeded), true},

		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"eof", io.EOF, true},
		{"unexpected eof", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{"connection closed", errors.New("http: server closed idle connection"), true},
		{"plain error", errors.New("division by zero"), true},
		{"retry.RetryableError", retry.RetryableError(errors.New("x")), true},
		{"retry.RetryableError of 404", retry.RetryableError(status(404)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := policy.Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// fast returns a policy with short delays for tests.
func fast(t *testing.T, opts string) policy.Policy {
	t.Helper()
	p := apply(t, policy.Default(), "base=1ms cap=2ms jitter=0 "+opts)
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDoSuccessFirstTry(t *testing.T) {
	p := fast(t, "")
	n, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		if attempt != 1 {
			t.Errorf("attempt = %d, want 1", attempt)
		}
		return nil
	})
	if n != 1 || err != nil {
		t.Fatalf("Do = %d, %v; want 1, nil", n, err)
	}
}

func TestDoRetriesThenSucceeds(t *testing.T) {
	const (
		base   = 20 * time.Millisecond
		cap    = 30 * time.Millisecond
		jitter = 10
		slack  = 250 * time.Millisecond // scheduling latency under -race on a busy machine
	)
	p := apply(t, policy.Default(), "retry=5 base=20ms cap=30ms jitter=10%")
	var starts []time.Time
	n, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		starts = append(starts, time.Now())
		if attempt != len(starts) {
			t.Errorf("attempt = %d, want %d", attempt, len(starts))
		}
		if attempt < 3 {
			return io.EOF
		}
		return nil
	})
	if n != 3 || err != nil {
		t.Fatalf("Do = %d, %v; want 3, nil", n, err)
	}
	lo := base * (100 - jitter) / 100
	hi := cap*(100+jitter)/100 + slack
	for i := 1; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-1]); d < lo || d > hi {
			t.Errorf("wait before attempt %d = %v, want within [%v, %v]", i+1, d, lo, hi)
		}
	}
}

func TestNewBackoff(t *testing.T) {
	tests := []struct {
		opts string
		want []time.Duration // without jitter
	}{
		{"retry=6 backoff=exponential base=10ms cap=1s jitter=0",
			[]time.Duration{10, 20, 40, 80, 160}},
		{"retry=7 backoff=exponential base=10ms cap=50ms jitter=0",
			[]time.Duration{10, 20, 40, 50, 50, 50}},
		{"retry=6 backoff=fibonacci base=10ms cap=1s jitter=0",
			[]time.Duration{10, 20, 30, 50, 80}},
		{"retry=4 backoff=constant base=10ms cap=1s jitter=0",
			[]time.Duration{10, 10, 10}},
		{"retry=1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.opts, func(t *testing.T) {
			b := apply(t, policy.Default(), tt.opts).NewBackoff()
			var got []time.Duration
			for {
				d, stop := b.Next()
				if stop {
					break
				}
				got = append(got, d/time.Millisecond)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("delays = %v ms, want %v ms", got, tt.want)
			}
		})
	}
}

func TestNewBackoffJitterBounds(t *testing.T) {
	for _, kind := range []string{"exponential", "fibonacci", "constant"} {
		p := apply(t, policy.Default(), "retry=200 base=10ms cap=80ms jitter=25% backoff="+kind)
		lo := p.Base * 75 / 100
		hi := p.Cap * 125 / 100
		b := p.NewBackoff()
		n := 0
		for {
			d, stop := b.Next()
			if stop {
				break
			}
			n++
			if d < lo || d > hi {
				t.Errorf("%s: delay %d = %v, want within [%v, %v]", kind, n, d, lo, hi)
			}
		}
		if n != 199 {
			t.Errorf("%s: %d delays, want 199", kind, n)
		}
	}
}

func TestNewBackoffNoOverflow(t *testing.T) {
	// go-retry shifts the base left once per attempt. Past 2^63 the delay
	// must stay at the cap, not wrap around to smaller values.
	const cap = 2000000 * time.Hour
	p := apply(t, policy.Default(), "retry=200 base=10ms cap=2000000h jitter=0")
	b := p.NewBackoff()
	var last time.Duration
	for i := 1; ; i++ {
		d, stop := b.Next()
		if stop {
			break
		}
		if d < last || d > cap {
			t.Fatalf("delay %d = %v after %v, want non-decreasing and at most %v", i, d, last, cap)
		}
		last = d
	}
	if last != cap {
		t.Errorf("last delay = %v, want %v", last, cap)
	}
}

func TestNewBackoffInvalidPolicy(t *testing.T) {
	// The zero Policy must not panic or loop for ever.
	b := policy.Policy{}.NewBackoff()
	if _, stop := b.Next(); !stop {
		t.Error("zero policy: backoff did not stop at once")
	}
	n, err := policy.Policy{}.Do(context.Background(), func(context.Context, int) error { return io.EOF })
	if n != 1 || err != io.EOF {
		t.Errorf("zero policy: Do = %d, %v; want 1, EOF", n, err)
	}
}

func TestDoNotRetryable(t *testing.T) {
	for _, e := range []error{status(404), permanent(io.EOF), context.Canceled} {
		p := fast(t, "retry=5")
		n, err := p.Do(context.Background(), func(context.Context, int) error { return e })
		if n != 1 || err != e {
			t.Errorf("Do = %d, %v; want 1, %v", n, err, e)
		}
	}
}

func TestDoAttemptsExhausted(t *testing.T) {
	for _, attempts := range []int{1, 2, 4} {
		p := fast(t, "retry="+strconv.Itoa(attempts))
		var errs []error
		n, err := p.Do(context.Background(), func(_ context.Context, attempt int) error {
			e := fmt.Errorf("failure %d", attempt)
			errs = append(errs, e)
			return e
		})
		if n != attempts || len(errs) != attempts {
			t.Fatalf("retry=%d: Do made %d attempts (op called %d times), want %d", attempts, n, len(errs), attempts)
		}
		if err != errs[len(errs)-1] {
			t.Errorf("retry=%d: Do error = %v, want the last one, %v", attempts, err, errs[len(errs)-1])
		}
	}
}

func TestDoUnwrapsRetryableError(t *testing.T) {
	cause := errors.New("flaky")
	p := fast(t, "retry=2")
	n, err := p.Do(context.Background(), func(context.Context, int) error {
		return retry.RetryableError(cause)
	})
	if n != 2 || err != cause {
		t.Fatalf("Do = %d, %v; want 2, %v", n, err, cause)
	}

	// A wrapper from retry does not make a permanent error retryable.
	p404 := status(404)
	n, err = p.Do(context.Background(), func(context.Context, int) error {
		return retry.RetryableError(p404)
	})
	if n != 1 || err != p404 {
		t.Fatalf("Do = %d, %v; want 1, %v", n, err, p404)
	}
}

func TestDoBudget(t *testing.T) {
	const budget = 100 * time.Millisecond
	p := apply(t, policy.Default(), "retry=1000 backoff=constant base=30ms cap=30ms jitter=0 budget=100ms")
	start := time.Now()
	var sawDeadline bool
	n, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		dl, ok := ctx.Deadline()
		sawDeadline = ok && dl.Sub(start) <= budget+50*time.Millisecond
		return fmt.Errorf("failure %d", attempt)
	})
	elapsed := time.Since(start)
	if !sawDeadline {
		t.Error("op's context has no deadline from the budget")
	}
	// Waits of 30ms fit three times in 100ms: four attempts, fewer if the
	// machine is slow. Do must stop before the budget is spent.
	if n < 1 || n > 4 {
		t.Errorf("Do made %d attempts, want 1 to 4", n)
	}
	if want := fmt.Sprintf("failure %d", n); err == nil || err.Error() != want {
		t.Errorf("Do error = %v, want %q", err, want)
	}
	// Do never starts a wait that ends past the budget; the slack covers
	// a timer that fires late on a busy machine.
	if elapsed > budget+100*time.Millisecond {
		t.Errorf("Do took %v, well past the budget of %v", elapsed, budget)
	}
}

func TestDoBudgetEndsAttempt(t *testing.T) {
	// An attempt that runs into the budget ends with its context's error;
	// with no budget left, Do returns it without waiting.
	p := apply(t, policy.Default(), "retry=5 budget=20ms")
	n, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if n != 1 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do = %d, %v; want 1, deadline exceeded", n, err)
	}
}

func TestDoContextDeadline(t *testing.T) {
	const limit = 100 * time.Millisecond
	p := apply(t, policy.Default(), "retry=1000 backoff=constant base=30ms cap=30ms jitter=0")
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	n, err := p.Do(ctx, func(ctx context.Context, attempt int) error {
		return fmt.Errorf("failure %d", attempt)
	})
	elapsed := time.Since(start)
	if n < 1 || n > 4 {
		t.Errorf("Do made %d attempts, want 1 to 4", n)
	}
	if want := fmt.Sprintf("failure %d", n); err == nil || err.Error() != want {
		t.Errorf("Do error = %v, want %q", err, want)
	}
	if elapsed > limit+100*time.Millisecond {
		t.Errorf("Do took %v, well past the deadline of %v", elapsed, limit)
	}
}

func TestDoContextCanceledWhileWaiting(t *testing.T) {
	p := apply(t, policy.Default(), "retry=5 backoff=constant base=1h cap=1h")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var n int
	var err error
	go func() {
		defer close(done)
		n, err = p.Do(ctx, func(context.Context, int) error { return io.EOF })
	}()
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Do did not return after ctx was canceled")
	}
	if n > 1 || (n == 1 && err != io.EOF) || (n == 0 && err != context.Canceled) {
		t.Errorf("Do = %d, %v; want 1, EOF or 0, canceled", n, err)
	}
}

func TestDoContextDoneBeforeFirstAttempt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := fast(t, "").Do(ctx, func(context.Context, int) error {
		t.Error("op called with a canceled context")
		return nil
	})
	if n != 0 || err != context.Canceled {
		t.Fatalf("Do = %d, %v; want 0, canceled", n, err)
	}
}

func TestDoRetryAfter(t *testing.T) {
	const wait = 60 * time.Millisecond
	p := fast(t, "retry=3")
	var starts []time.Time
	n, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		starts = append(starts, time.Now())
		if attempt == 1 {
			return retryAfter(503, wait)
		}
		return nil
	})
	if n != 2 || err != nil {
		t.Fatalf("Do = %d, %v; want 2, nil", n, err)
	}
	if d := starts[1].Sub(starts[0]); d < wait {
		t.Errorf("waited %v before attempt 2, want at least the %v asked for", d, wait)
	}
}

func TestDoRetryAfterPastDeadline(t *testing.T) {
	// A wait asked for that would pass the budget ends the call at once.
	p := fast(t, "retry=3 budget=1s")
	e := retryAfter(429, time.Hour)
	start := time.Now()
	n, err := p.Do(context.Background(), func(context.Context, int) error { return e })
	if n != 1 || err != e {
		t.Fatalf("Do = %d, %v; want 1, %v", n, err, e)
	}
	if elapsed := time.Since(start); elapsed > 500*time.Millisecond {
		t.Errorf("Do took %v, want an immediate return", elapsed)
	}
}
