package rewrite

import (
	"go/ast"
	"go/types"
)

// declaredHere reports whether t, or what it points to, is a named type
// of the package being rewritten.
func (r *fileRewriter) declaredHere(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := t.(*types.Named)
	return ok && named.Obj().Pkg() != nil && named.Obj().Parent() == named.Obj().Pkg().Scope() && r.isThisPackage(named.Obj().Pkg())
}

// isThisPackage reports whether p is the package being rewritten: the
// package of the objects its files declare.
func (r *fileRewriter) isThisPackage(p *types.Package) bool {
	for _, f := range r.pkg.Files {
		for _, decl := range f.AST.Decls {
			var id *ast.Ident
			switch d := decl.(type) {
			case *ast.FuncDecl:
				id = d.Name
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					switch s := spec.(type) {
					case *ast.TypeSpec:
						id = s.Name
					case *ast.ValueSpec:
						id = s.Names[0]
					}
					if id != nil {
						break
					}
				}
			}
			if id == nil {
				continue
			}
			if obj := r.info.Defs[id]; obj != nil && obj.Pkg() != nil {
				return obj.Pkg() == p
			}
		}
	}
	return false
}
