// Package policy describes and enforces the call policy of a microfn
// service: how often a failed call is retried, how long it waits between
// attempts, and how many calls may run at once.
//
// A service declares its policy as key=value options on its directive line:
//
//	//microfn:service retry=5 scale=2 timeout=2s
//	func Fib(n int) int { ... }
//
// Every option is optional:
//
//	retry=N        at most N attempts per call, the first included (N >= 1); default 3
//	backoff=KIND   exponential, fibonacci or constant; default exponential
//	base=DUR       the first delay between attempts; default 10ms
//	cap=DUR        the largest delay between attempts; default 1s
//	jitter=P%      random jitter of +/- P percent on each delay (0..100); default 10%
//	budget=DUR     total time a call may spend across attempts and waits; default none
//	timeout=DUR    limit on one attempt's execution; default 30s
//	scale=N        at most N call chains execute the function at once (N >= 1); default 1
//	queue=N        calls that may wait for a slot, past which a call is rejected (N >= 0); default 100
//
// Durations use the syntax of [time.ParseDuration].
//
// [Default] returns the policy with every default, [Policy.Set] applies one
// option and [Policy.Validate] checks the rules that span several options.
//
// [Policy.Do] runs an operation under the retry part of the policy, and
// [Retryable] decides which errors are worth another attempt. A [Limiter]
// enforces scale and queue; it is reentrant per call chain, so a service
// that calls itself, directly or through others, does not deadlock.
//
// Package policy imports nothing from the rest of microfn. It recognises
// microfn's errors by their methods: StatusCode() int, Permanent() bool and
// RetryAfter() time.Duration.
package policy
