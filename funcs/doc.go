// Package funcs finds the annotated functions of a Go package and describes
// them as plain data.
//
// A function is a service when its doc comment holds a directive line:
//
//	// Fib returns the n-th Fibonacci number.
//	//microfn:service retry=3 scale=2
//	func Fib(n int) int { ... }
//
// The directive starts the line with no space after the slashes, like
// //go:generate. It may be followed by key=value options separated by
// spaces. The option name=ROUTE sets the route of the service (default: the
// function's name as written); every other key is a call policy option
// documented by package policy (retry, backoff, base, cap, jitter, budget,
// timeout, scale, queue). Unknown keys, bad values and repeated keys are
// errors.
//
// Only top-level functions, not methods, can be services, and their
// parameter and result types must be representable in JSON: bool, the int,
// uint and float kinds, string, []byte, slices, arrays, maps whose keys
// encoding/json accepts (a string or integer type, time.Time, netip.Addr,
// netip.AddrPort, netip.Prefix), pointers, structs declared in the
// package, time.Time, time.Duration, the standard-library types of
// [StdTypes] (math/big.Int, big.Float, big.Rat, net/netip.Addr,
// netip.AddrPort, netip.Prefix), any, a trailing error result, and a
// leading context.Context parameter.
//
// Methods that change how encoding/json treats a type cannot be called by
// the interpreter when the type is declared in service code, so types
// that travel must not need them: types with a MarshalJSON,
// UnmarshalJSON, MarshalText or UnmarshalText method, structs embedding
// such a type, time.Time or a [StdType] (which promote their methods),
// defined types over time.Time or a StdType (which lose them), and
// omitzero fields whose type has an IsZero method are errors. The methods
// of time.Time and the StdTypes themselves are compiled, so they are
// called.
//
// [Load] reads one directory the way the Go toolchain does (build
// constraints honoured, _test.go, hidden and _-prefixed files ignored) and
// returns a [Package] holding the parsed files and one [Descriptor] per
// service. Every problem is reported as a [SourceError] with a file:line:col
// position; Load reports all of them, not just the first. [ParseAll] also
// returns the package whose services have problems, for tools that go on
// checking it (microfn check).
//
// Package funcs imports neither the interpreter nor the HTTP server.
package funcs
