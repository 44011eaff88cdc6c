// Package typesutil holds what the stages of a load share about a
// package of service code and its go/types objects: the import path a
// package without one is type-checked as, the position of an error of
// the whole package, and the named type behind a pointer. The check and
// the loader (package interp), the sandbox (interp/sandbox) and the
// rewrite (interp/rewrite) all use them; none of them imports another
// for these.
package typesutil

import (
	"go/token"
	"go/types"

	"github.com/microfn/microfn/funcs"
)

// CheckPath returns the import path pkg is type-checked as when it has
// none of its own. It cannot be the path of a package pkg imports, even
// if pkg is named like one.
func CheckPath(pkg *funcs.Package) string {
	return "microfn.local/" + pkg.Name
}

// PackagePosition is the position of the package clause of the first
// file of src: where an error of the whole package is reported.
func PackagePosition(src *funcs.Package) token.Position {
	if len(src.Files) == 0 {
		return token.Position{Filename: src.Dir}
	}
	return src.Fset.Position(src.Files[0].AST.Package)
}

// NamedOf returns the named type of t or of what t points to, as
// declared (its origin, for an instance of a generic type).
func NamedOf(t types.Type) (*types.Named, bool) {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	n, ok := t.(*types.Named)
	if ok {
		n = n.Origin()
	}
	return n, ok
}
