package interp

import (
	"fmt"
	"go/ast"
	"go/types"

	"github.com/microfn/microfn/funcs"
)

// checkCompiledGenerics reports the uses in pkg of the generic functions
// and types of packages compiled into the executable (microfn build
// --with): Go compiles a generic function only for the type arguments
// its callers give, so a symbol table cannot hold it, and the
// interpreter has no code for it. info is pkg's type information (nil:
// nothing is reported; the interpreter then says which symbol it lacks).
func (l *Loader) checkCompiledGenerics(pkg *funcs.Package, info *types.Info) error {
	if info == nil || len(l.compiled) == 0 {
		return nil
	}
	var list funcs.ErrorList
	seen := map[*ast.Ident]bool{}
	for id, obj := range info.Uses {
		if seen[id] || obj == nil || obj.Pkg() == nil || !l.compiled[obj.Pkg().Path()] {
			continue
		}
		kind := ""
		switch o := obj.(type) {
		case *types.Func:
			if sig, ok := o.Type().(*types.Signature); ok && sig.TypeParams().Len() > 0 {
				kind = "function"
			}
		case *types.TypeName:
			if n, ok := o.Type().(*types.Named); ok && n.TypeParams().Len() > 0 && !o.IsAlias() {
				kind = "type"
			}
		}
		if kind == "" {
			continue
		}
		seen[id] = true
		p := obj.Pkg().Path()
		list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(id.Pos()), Msg: fmt.Sprintf(
			"%s.%s is a generic %s of %s, which is compiled into this microfn (microfn build --with) without its generic functions and types: Go compiles those only for the type arguments of their callers. Serve the package compiled (microfn serve --tier=auto, the default, serves it once built, or --tier=compiled), or use a microfn built without --with %s, which interprets the module from its source",
			obj.Pkg().Name(), obj.Name(), kind, p, p)})
	}
	if len(list) == 0 {
		return nil
	}
	list.Sort()
	return list
}
