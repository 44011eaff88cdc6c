// Package seed is microfn's starter example: a few small services that
// call each other through HTTP.
package seed

// IsEven reports whether x is even.
//
//microfn:service retry=5 scale=5
func IsEven(x int) bool { return x%2 == 0 }

// IsOdd reports whether x is odd. It calls IsEven, so the call goes
// through IsEven's endpoint.
//
//microfn:service
func IsOdd(x int) bool { return !IsEven(x) }
