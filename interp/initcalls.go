package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"

	"github.com/microfn/microfn/funcs"
)

// checkInitCalls reports calls of the package's services made while the
// package initialises: from the initialiser of a package-level variable or
// from an init function. A service is reachable only once its package has
// loaded, so such a call could never work. Calls inside function literals
// are not reported (they may run later); at run time they fail with a
// message of their own. info, when not nil, tells a service from a local
// name that shadows it.
func checkInitCalls(pkg *funcs.Package, info *types.Info) error {
	services := map[string]bool{}
	for _, d := range pkg.Services {
		services[d.Name] = true
	}
	isService := func(id *ast.Ident) bool {
		if !services[id.Name] {
			return false
		}
		if info == nil {
			return true
		}
		fn, ok := info.Uses[id].(*types.Func)
		return ok && fn.Parent() != nil && fn.Parent() == fn.Pkg().Scope()
	}
	var list funcs.ErrorList
	report := func(n ast.Node, where string) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && isService(id) {
					list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(id.Pos()), Msg: fmt.Sprintf(
						"%s calls service %s while the package initialises: services can be called once the package has loaded (call it from a function instead)", where, id.Name)})
				}
			}
			return true
		})
	}
	for _, f := range pkg.Files {
		for _, decl := range f.AST.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					for _, v := range vs.Values {
						report(v, "the initialiser of package-level variable "+vs.Names[0].Name)
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" && d.Body != nil {
					report(d.Body, "init")
				}
			}
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}
