package seed

import (
	"errors"
	"math/rand/v2"
	"time"
)

// BuggyFunction fails one call in ten. With retry=5 the caller almost never
// sees a failure: each failed attempt is retried after an exponential,
// jittered backoff.
//
//microfn:service retry=5 backoff=exponential base=20ms cap=1s jitter=20%
func BuggyFunction() error {
	if rand.Float64() < 0.1 {
		return errors.New("internal server error")
	}
	return nil
}

// SlowFunction sleeps for d and reports how long it slept. Five calls may
// run at once; a call that takes longer than two seconds is answered with
// 504 Gateway Timeout.
//
//microfn:service scale=5 timeout=2s retry=1
func SlowFunction(d time.Duration) string {
	time.Sleep(d)
	return "slept " + d.String()
}
