// Package interp loads a package of service code into the yaegi
// interpreter and makes its services callable from the host.
//
// A load is a pipeline: parse (package funcs) → check → sandbox →
// rewrite → load into yaegi. Package interp is its conductor: the
// [Loader] runs the stages in order, each reporting problems as
// file:line:col: message in the user's own files; the sandbox and the
// rewrite are stages of their own (packages interp/sandbox and
// interp/rewrite). Its files are the loader's steps:
//
//  1. Prepare (loader.go, batch.go, prepare.go): the packages the package
//     imports from source are found (sources.go) and prepared with it,
//     each checked once per [Batch].
//  2. Check (check.go): every import must be allowed (see [Allowed]);
//     string constants must not outgrow memory (constsize.go); the
//     package is type-checked with go/types (typecheck.go), which reports
//     type errors and finds the modern Go constructs the interpreter
//     mishandles; services must not be called while the package
//     initialises (initcalls.go), and errors= options must name error
//     variables (errstatus.go). What does not stop the load is a warning
//     ([Prepared.Warnings]): a service that writes into its caller's
//     memory through a parameter (a map entry, a slice element, through a
//     pointer) while service code calls it through its proxy, which gives
//     it a copy (argwrites.go). What the interpreter cannot run (a
//     function without a Go body, a generic function compiled into the
//     executable: compiledgenerics.go) leaves the package to the
//     compiled tier ([Prepared.Uninterpretable]).
//  3. Sandbox: within the type check, interp/sandbox reports every use
//     of a name the sandbox leaves out, with the policy the options make
//     (--allow, --unrestricted).
//  4. Rewrite: interp/rewrite renames each service's body to an
//     implementation function and gives a typed proxy the service's
//     name, so every call of a service from service code goes through the
//     host (and so through HTTP and the callee's policies); it rewrites
//     the constructs the interpreter runs wrongly, keeping every line of
//     user code on its line, and adds a generated file. It also rewrites
//     the package for the Go compiler, for the compiled tier.
//  5. Run (run.go, evaluation.go, loaded.go): the rewritten package is
//     loaded as a whole into a fresh interpreter, from an in-memory
//     GOPATH, with the symbols of package microfn (symbols.go) and of the
//     sandbox; one evaluation imports it, reports its implementations
//     and parks. Errors of the interpreter are mapped back to the user's
//     lines (loaderr.go), and what service code prints goes to the logger
//     (linewriter.go).
//
// [Loader.Prepare] runs no service code, so one process can prepare a
// package and another run it ([Loader.Run], [WorkerLoader]). A loaded
// svcrt.Package is immutable; its services call an implementation with a
// context, recovering panics. Proxies call the svcrt.CallFunc given to
// [Loader.Load] for every call between services; the host decides
// whether that call goes over HTTP or stays in process.
package interp
