// Package rewrite rewrites a package of service code, checked, for the
// interpreter and for the Go compiler.
//
// A load goes parse (package funcs) → check → sandbox (interp/sandbox)
// → rewrite → load into yaegi (package interp). The rewrite takes the
// package's syntax and, when the check trusts it, its type information,
// and returns the files the interpreter reads ([ForInterpreter]) or the
// compiled tier builds ([ForCompiler]). It keeps every line of user code
// on its line, so that errors of the interpreter and of the compiler
// point at the user's lines ([UserPosition] maps what the rewrite added
// back to the declarations it stands for).
//
// Each service's body is renamed to an implementation function
// ([ImplPrefix]) and a proxy with the service's name calls the host
// (proxy.go), so every call of a service from service code goes through
// HTTP and the callee's policies. A generated file ([GeneratedFile],
// generated.go) lists the package's struct types, its error variables
// and the functions that call the methods of its types that encode
// themselves. go statements recover their panics and carry the call
// chain (goroutine.go).
//
// The other rewrites work around the interpreter, one construct per
// file, each saying what it works around: what it lacks (range over an
// integer in range.go; min, max and clear in builtin.go; method
// expressions in methodexpr.go; generic functions used as values in
// generic.go), and what it gets wrong without failing (constant
// declarations in constant.go; range statements that assign to variables
// declared outside in range.go; select cases that assign what they
// receive in select.go; several values assigned to a map entry in
// mapassign.go). Constructs it
// cannot rewrite are refused at their position: reflection on the
// methods of the package's types (reflect.go) and recursive types the
// interpreter cannot build (recursivetype.go). edit.go is the edit
// engine all of them write through; typespell.go spells types as a file
// can name them.
package rewrite
