package interp

import (
	"reflect"
	"sync"

	"github.com/traefik/yaegi/stdlib"

	"github.com/microfn/microfn/interp/sandbox"
	"github.com/microfn/microfn/svcrt"
)

// Error identity across calls. A service that returns a package-level
// error variable (var ErrNotFound = errors.New("not found")), a constant
// of an error type, or a standard library one (io.EOF), or an error that
// wraps them, is matched against each of them with errors.Is (see
// svcrt.Package.MatchErrorVars). The names of those that match travel
// with the error to the caller, which wraps its own values of the same
// names: errors.Is(err, ErrNotFound) holds in the caller although the
// error crossed processes. The generated file of each package (see
// generated) has the functions over its own variables.

// stdErrorVars returns the standard library's exported error variables,
// read from the interpreter's symbol tables when first used: reading them
// builds every package's table, which a worker whose services return no
// error never does.
var stdErrorVars = sync.OnceValue(func() *svcrt.StdErrors {
	return svcrt.LazyStdErrors(readStdErrorVars)
})

// readStdErrorVars reads the standard library's exported error variables
// from the interpreter's symbol tables.
func readStdErrorVars() map[string]error {
	errorType := reflect.TypeFor[error]()
	vars := map[string]error{}
	for key, syms := range stdlib.Symbols.Exports() {
		path := sandbox.PathOfKey(key)
		for name, v := range syms {
			if !v.CanAddr() || v.Type() != errorType || v.IsNil() {
				continue
			}
			vars[path+"."+name] = v.Interface().(error)
		}
	}
	return vars
}

// StdErrorNames returns the names of the standard library's exported
// error variables ("io.EOF", "io/fs.ErrNotExist"), sorted.
func StdErrorNames() []string { return stdErrorVars().Names() }
