package interp

import "github.com/microfn/microfn/interp/rewrite"

// ImplPrefix starts the name a service's implementation gets in the
// rewritten source; the service's own name goes to its proxy.
const ImplPrefix = rewrite.ImplPrefix

// TypesVar is the generated variable listing the package's struct types.
const TypesVar = rewrite.TypesVar

// MarshalersVar is the generated variable listing the functions that call
// the JSON and text methods of the package's types that encode
// themselves; a package without such types has none.
const MarshalersVar = rewrite.MarshalersVar

// The functions of the generated file over the package-level error
// variables.
const (
	ErrorsIsFunc = rewrite.ErrorsIsFunc
	ErrorVarFunc = rewrite.ErrorVarFunc
)
