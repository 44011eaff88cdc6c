// Package interp loads a package of service code into the yaegi
// interpreter and makes its services callable from the host.
//
// Loading a [funcs.Package] goes through these steps, each reporting
// problems as file:line:col: message in the user's own files:
//
//  1. Check: every import must be allowed (see [Allowed]); the package is
//     type-checked with go/types, which reports type errors and finds the
//     modern Go constructs the interpreter mishandles. What does not stop
//     the load is a warning ([Prepared.Warnings]): a service that writes
//     into its caller's memory through a parameter (a map entry, a slice
//     element, through a pointer) while service code calls it through its
//     proxy, which gives it a copy.
//  2. Rewrite: each service's body is renamed to an implementation
//     function and a typed proxy takes the service's name, so every call
//     of a service from service code goes through the host (and so through
//     HTTP and the callee's policies). go statements are wrapped so their
//     panics are recovered and they carry the call chain; loop variables
//     become per-iteration; range over int and min, max and clear are
//     rewritten into forms the interpreter runs. The rewrite keeps every
//     line of user code on its line, so interpreter errors point at the
//     user's lines. A generated file declares functions that call the
//     JSON and text methods of the package's types that encode
//     themselves, which the interpreter's values lack, for the host.
//  3. Interpret: the rewritten package is loaded as a whole into a fresh
//     interpreter, from an in-memory GOPATH, and the implementations are
//     looked up once.
//
// A loaded [Package] is immutable; [Service.Invoke] calls an
// implementation with a context, recovering panics. Proxies call the
// [CallFunc] given to [Loader.Load] for every call between services; the
// host decides whether that call goes over HTTP or stays in process.
package interp
