package interp

import (
	"fmt"
	"go/types"

	"github.com/microfn/microfn/funcs"
)

// checkErrorStatuses checks the errors= options of pkg's services: each
// names a package-level variable (or constant) of an error type, of the
// package or, exported, of a package it imports. pkg is nil when the
// types are not known.
func checkErrorStatuses(src *funcs.Package, pkg *types.Package) error {
	if pkg == nil {
		return nil
	}
	errorType := types.Universe.Lookup("error").Type().Underlying().(*types.Interface)
	var list funcs.ErrorList
	for _, d := range src.Services {
		for _, e := range d.Errors {
			scope, where := pkg.Scope(), "this package"
			if e.Path != "" {
				where = e.Path
				scope = nil
				for _, imp := range pkg.Imports() {
					if imp.Path() == e.Path {
						scope = imp.Scope()
					}
				}
			}
			var obj types.Object
			if scope != nil {
				obj = scope.Lookup(e.Var)
			}
			switch o := obj.(type) {
			case *types.Var, *types.Const:
				if !types.Implements(o.Type(), errorType) {
					list = append(list, &funcs.SourceError{Pos: e.Pos, Msg: fmt.Sprintf("service %s: errors: %s is a %s, not an error", d.Name, e.Name, o.Type())})
				} else if e.Path != "" && !o.Exported() {
					list = append(list, &funcs.SourceError{Pos: e.Pos, Msg: fmt.Sprintf("service %s: errors: %s is not exported by %s", d.Name, e.Name, where)})
				}
			default:
				list = append(list, &funcs.SourceError{Pos: e.Pos, Msg: fmt.Sprintf("service %s: errors: %s is not a package-level error variable of %s (errors.Is matches an error against such variables)", d.Name, e.Name, where)})
			}
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}
