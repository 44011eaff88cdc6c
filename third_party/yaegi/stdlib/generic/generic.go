// Package generic holds the source of the generic functions and types of
// the standard library, which the interpreter compiles when a package that
// has some is imported: the symbol tables of package stdlib hold compiled
// code, which generic code is not. The source is that of the Go release
// that builds the interpreter, taken from its GOROOT by go generate
// (internal/cmd/stdsrc), with patches where interpreted code cannot do
// what the standard library does (unsafe, the runtime's internals): they
// call host functions of Natives.
package generic

//go:generate go run ../../internal/cmd/stdsrc

// Missing lists the generic functions and types of the standard library
// that Sources does not provide, with the reason.
var Missing = map[string]string{
	"database/sql.Null": "its Scan method converts values with the package's unexported convertAssign, which the compiled package does not export",
}
