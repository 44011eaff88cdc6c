package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The backoff kinds accepted by the backoff option.
const (
	exponential = "exponential"
	fibonacci   = "fibonacci"
	constant    = "constant"
)

// Policy is the call policy of one service. The zero value is not useful;
// start from [Default].
type Policy struct {
	// Attempts is the largest number of attempts per call, the first
	// included (option retry).
	Attempts int
	// Backoff is the kind of delay between attempts: "exponential",
	// "fibonacci" or "constant" (option backoff).
	Backoff string
	// Base is the first delay between attempts (option base).
	Base time.Duration
	// Cap is the largest delay between attempts, before jitter (option cap).
	Cap time.Duration
	// Jitter is the random jitter of each delay, in percent (option jitter).
	Jitter int
	// Budget is the total time a call may spend across attempts and waits;
	// 0 means no budget (option budget).
	Budget time.Duration
	// Timeout limits the execution of one attempt (option timeout).
	Timeout time.Duration
	// Scale is the largest number of call chains that execute the function
	// at once (option scale).
	Scale int
	// Queue is the largest number of calls that wait for a slot
	// (option queue).
	Queue int
}

// Default returns the policy of a service that sets no options:
//
//	retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100
func Default() Policy {
	return Policy{
		Attempts: 3,
		Backoff:  exponential,
		Base:     10 * time.Millisecond,
		Cap:      time.Second,
		Jitter:   10,
		Timeout:  30 * time.Second,
		Scale:    1,
		Queue:    100,
	}
}

// keys is the table of options, in documentation order.
var keys = []string{"retry", "backoff", "base", "cap", "jitter", "budget", "timeout", "scale", "queue"}

// Keys lists the option keys that [Policy.Set] understands, in the order of
// the package documentation. The caller may modify the result.
func Keys() []string {
	return append([]string(nil), keys...)
}

// Set applies one key=value option to p, validating the value on its own.
// Rules that span several options, such as cap >= base, are checked by
// [Policy.Validate]. On error p is unchanged. Error messages are lower-case
// and name the key and the value given, for example
//
//	retry: want a whole number >= 1, got "x"
func (p *Policy) Set(key, value string) error {
	switch key {
	case "retry":
		n, err := parseInt(key, value, 1)
		if err != nil {
			return err
		}
		p.Attempts = n
	case "backoff":
		switch value {
		case exponential, fibonacci, constant:
			p.Backoff = value
		default:
			return fmt.Errorf("%s: want %s, %s or %s, got %q", key, exponential, fibonacci, constant, value)
		}
	case "base":
		d, err := parseDuration(key, value, false)
		if err != nil {
			return err
		}
		p.Base = d
	case "cap":
		d, err := parseDuration(key, value, false)
		if err != nil {
			return err
		}
		p.Cap = d
	case "jitter":
		n, err := strconv.Atoi(strings.TrimSuffix(value, "%"))
		if err != nil || n < 0 || n > 100 || strings.HasPrefix(value, "+") {
			return fmt.Errorf("%s: want a percentage from 0 to 100 such as 10%%, got %q", key, value)
		}
		p.Jitter = n
	case "budget":
		d, err := parseDuration(key, value, true)
		if err != nil {
			return err
		}
		p.Budget = d
	case "timeout":
		d, err := parseDuration(key, value, false)
		if err != nil {
			return err
		}
		p.Timeout = d
	case "scale":
		n, err := parseInt(key, value, 1)
		if err != nil {
			return err
		}
		p.Scale = n
	case "queue":
		n, err := parseInt(key, value, 0)
		if err != nil {
			return err
		}
		p.Queue = n
	default:
		return fmt.Errorf("unknown option %q (known: %s)", key, strings.Join(keys, ", "))
	}
	return nil
}

// parseInt parses a whole number of at least least for the option key.
func parseInt(key, value string, least int) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < least || strings.HasPrefix(value, "+") {
		return 0, fmt.Errorf("%s: want a whole number >= %d, got %q", key, least, value)
	}
	return n, nil
}

// parseDuration parses a duration for the option key. It must be positive,
// or also zero if zeroOK.
func parseDuration(key, value string, zeroOK bool) (time.Duration, error) {
	d, err := time.ParseDuration(value)
	if err != nil || d < 0 || (d == 0 && !zeroOK) {
		want := "a duration > 0 such as 10ms"
		if zeroOK {
			want = "a duration >= 0 such as 5s (0: none)"
		}
		return 0, fmt.Errorf("%s: want %s, got %q", key, want, value)
	}
	return d, nil
}

// Validate checks p as a whole: every field in its range, as [Policy.Set]
// checks them, and cap >= base. It reports every problem found, joined as
// by [errors.Join].
func (p Policy) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(format, args...))
	}
	if p.Attempts < 1 {
		bad("retry: want a whole number >= 1, got %d", p.Attempts)
	}
	switch p.Backoff {
	case exponential, fibonacci, constant:
	default:
		bad("backoff: want %s, %s or %s, got %q", exponential, fibonacci, constant, p.Backoff)
	}
	if p.Base <= 0 {
		bad("base: want a duration > 0, got %s", FormatDuration(p.Base))
	}
	if p.Cap <= 0 {
		bad("cap: want a duration > 0, got %s", FormatDuration(p.Cap))
	}
	if p.Base > 0 && p.Cap > 0 && p.Cap < p.Base {
		bad("cap: want a duration >= base (%s), got %s", FormatDuration(p.Base), FormatDuration(p.Cap))
	}
	if p.Jitter < 0 || p.Jitter > 100 {
		bad("jitter: want a percentage from 0 to 100, got %d%%", p.Jitter)
	}
	if p.Budget < 0 {
		bad("budget: want a duration >= 0, got %s", FormatDuration(p.Budget))
	}
	if p.Timeout <= 0 {
		bad("timeout: want a duration > 0, got %s", FormatDuration(p.Timeout))
	}
	if p.Scale < 1 {
		bad("scale: want a whole number >= 1, got %d", p.Scale)
	}
	if p.Queue < 0 {
		bad("queue: want a whole number >= 0, got %d", p.Queue)
	}
	return errors.Join(errs...)
}

// String renders p as key=value options in the order of [Keys], for example
//
//	retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100
//
// budget appears only when set. Applying each option of the result with
// [Policy.Set] to [Default] gives p back.
func (p Policy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "retry=%d backoff=%s base=%s cap=%s jitter=%d%%",
		p.Attempts, p.Backoff, FormatDuration(p.Base), FormatDuration(p.Cap), p.Jitter)
	if p.Budget != 0 {
		fmt.Fprintf(&b, " budget=%s", FormatDuration(p.Budget))
	}
	fmt.Fprintf(&b, " timeout=%s scale=%d queue=%d", FormatDuration(p.Timeout), p.Scale, p.Queue)
	return b.String()
}

// FormatDuration formats d as policy options are written: as
// time.Duration.String does, without the zero units it appends ("1m"
// rather than "1m0s", "2h" rather than "2h0m0s").
func FormatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
		if strings.HasSuffix(s, "h0m") {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}
