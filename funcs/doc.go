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
// netip.AddrPort, netip.Prefix, a Marshaler with MarshalText on its value),
// pointers, structs declared in the package or another package of the
// module, time.Time, time.Duration, the standard-library types of
// [StdTypes] (math/big.Int, big.Float, big.Rat, net/netip.Addr,
// netip.AddrPort, netip.Prefix), types that encode themselves (below), any,
// a trailing error result, and a leading context.Context parameter.
//
// A named type of the package, of another package of the module or of a
// module it requires that has a method writing it (MarshalJSON or
// MarshalText) and one reading it (UnmarshalJSON or UnmarshalText), on
// its value or pointer receiver with the signatures of json.Marshaler,
// encoding.TextMarshaler and their Unmarshal counterparts, is of Kind
// [Marshaler]: it travels as what its methods write, whatever it is made
// of, as with encoding/json (github.com/google/uuid.UUID as its text,
// github.com/shopspring/decimal.Decimal as its JSON). Its methods are
// found in the source of the package that declares it, through the
// [Importer] for the packages of other modules; the code that loads the
// package calls them ([Package.MarshalerTypes]). A type with only one
// side of the pair is an error, and so are a struct embedding a type that
// encodes itself (time.Time, a [StdType], a Marshaler: encoding/json
// would encode the struct as that field alone), a defined type over one
// (it loses the methods), and an omitzero field whose type has an IsZero
// method, which microfn does not call.
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
