package interp

import (
	"go/ast"
	"go/token"
	"go/types"
)

// ifaceConversions works around an aliasing bug of the interpreter: when
// a variable of a type declared in the package is converted to an
// interface with methods (error, fmt.Stringer, an interface of the
// package), the interface value shares the variable's storage, so
//
//	for _, e := range problems { errs = append(errs, e) }
//	var g Getter = t; t.n = 2
//
// give interface values that all see the variable's last value. (Types of
// other packages, and conversions to any, are copied as they should be.)
// Such a conversion is made in a function literal that gets the value as
// its argument, a copy the interface can keep:
//
//	errs = append(errs, func(v E) error { return v }(e))
//
// on e's line. It looks at every place Go converts implicitly (arguments,
// assignments, declarations with a type, returns, composite literal
// elements, sends) and at explicit conversions. It needs type information.
func (r *fileRewriter) ifaceConversions(n ast.Node) {
	if r.info == nil {
		return
	}
	switch n := n.(type) {
	case *ast.CallExpr:
		tv, ok := r.info.Types[n.Fun]
		if !ok || tv.Type == nil {
			return
		}
		if tv.IsType() {
			if len(n.Args) == 1 {
				r.wrapConversion(n.Args[0], tv.Type)
			}
			return
		}
		sig, ok := tv.Type.Underlying().(*types.Signature)
		if !ok {
			return
		}
		params := sig.Params()
		for i, a := range n.Args {
			switch {
			case sig.Variadic() && i >= params.Len()-1 && n.Ellipsis.IsValid():
				// The slice is passed as it is.
			case sig.Variadic() && i >= params.Len()-1:
				if s, ok := params.At(params.Len() - 1).Type().(*types.Slice); ok {
					r.wrapConversion(a, s.Elem())
				}
			case i < params.Len():
				r.wrapConversion(a, params.At(i).Type())
			}
		}
	case *ast.AssignStmt:
		if n.Tok != token.ASSIGN || len(n.Lhs) != len(n.Rhs) {
			return
		}
		for i, lhs := range n.Lhs {
			if tv, ok := r.info.Types[lhs]; ok {
				r.wrapConversion(n.Rhs[i], tv.Type)
			}
		}
	case *ast.ValueSpec:
		if n.Type == nil {
			return
		}
		if tv, ok := r.info.Types[n.Type]; ok {
			for _, v := range n.Values {
				r.wrapConversion(v, tv.Type)
			}
		}
	case *ast.ReturnStmt:
		sig := r.enclosingSignature()
		if sig == nil || sig.Results().Len() != len(n.Results) {
			return
		}
		for i, res := range n.Results {
			r.wrapConversion(res, sig.Results().At(i).Type())
		}
	case *ast.SendStmt:
		if tv, ok := r.info.Types[n.Chan]; ok && tv.Type != nil {
			if ch, ok := tv.Type.Underlying().(*types.Chan); ok {
				r.wrapConversion(n.Value, ch.Elem())
			}
		}
	case *ast.CompositeLit:
		r.compositeConversions(n)
	}
}

// compositeConversions wraps the elements of a composite literal that are
// converted to an interface type.
func (r *fileRewriter) compositeConversions(lit *ast.CompositeLit) {
	tv, ok := r.info.Types[lit]
	if !ok || tv.Type == nil {
		return
	}
	under := tv.Type.Underlying()
	if p, ok := under.(*types.Pointer); ok { // &T{...} elided in a literal of pointers
		under = p.Elem().Underlying()
	}
	for i, elt := range lit.Elts {
		key, value := ast.Expr(nil), elt
		if kv, ok := elt.(*ast.KeyValueExpr); ok {
			key, value = kv.Key, kv.Value
		}
		switch t := under.(type) {
		case *types.Slice:
			r.wrapConversion(value, t.Elem())
		case *types.Array:
			r.wrapConversion(value, t.Elem())
		case *types.Map:
			if key != nil {
				r.wrapConversion(key, t.Key())
			}
			r.wrapConversion(value, t.Elem())
		case *types.Struct:
			if id, ok := key.(*ast.Ident); ok {
				for j := range t.NumFields() {
					if t.Field(j).Name() == id.Name {
						r.wrapConversion(value, t.Field(j).Type())
					}
				}
			} else if key == nil && i < t.NumFields() {
				r.wrapConversion(value, t.Field(i).Type())
			}
		}
	}
}

// enclosingSignature returns the signature of the function the node being
// visited is in.
func (r *fileRewriter) enclosingSignature() *types.Signature {
	for i := len(r.stack) - 1; i >= 0; i-- {
		switch x := r.stack[i].(type) {
		case *ast.FuncLit:
			if tv, ok := r.info.Types[x]; ok {
				sig, _ := tv.Type.(*types.Signature)
				return sig
			}
			return nil
		case *ast.FuncDecl:
			if fn, ok := r.info.Defs[x.Name].(*types.Func); ok {
				return fn.Type().(*types.Signature)
			}
			return nil
		}
	}
	return nil
}

// wrapConversion makes the conversion of e to target in a function
// literal, if target is an interface with methods and e a variable of a
// type declared in the package.
func (r *fileRewriter) wrapConversion(e ast.Expr, target types.Type) {
	if target == nil || !types.IsInterface(target) {
		return
	}
	if iface, ok := target.Underlying().(*types.Interface); !ok || iface.NumMethods() == 0 {
		return
	}
	tv, ok := r.info.Types[e]
	if !ok || tv.Type == nil || types.IsInterface(tv.Type) || tv.Value != nil || tv.IsNil() {
		return
	}
	if !r.declaredHere(tv.Type) || !r.isVariable(e) || !r.copyable(e) {
		return
	}
	from, ok := r.typeString(tv.Type)
	if !ok {
		return
	}
	to, ok := r.typeString(target)
	if !ok {
		return
	}
	v := r.temp()
	r.insert(e.Pos(), "func("+v+" "+from+") "+to+" { return "+v+" }(")
	r.insert(e.End(), ")")
}

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

// isVariable reports whether e denotes a variable (or part of one), whose
// storage a conversion could share.
func (r *fileRewriter) isVariable(e ast.Expr) bool {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		_, ok := r.info.Uses[x].(*types.Var)
		return ok
	case *ast.SelectorExpr:
		sel := r.info.Selections[x]
		return sel != nil && sel.Kind() == types.FieldVal
	case *ast.IndexExpr:
		tv, ok := r.info.Types[x.X]
		if !ok || tv.Type == nil {
			return false
		}
		switch tv.Type.Underlying().(type) {
		case *types.Slice, *types.Array, *types.Map, *types.Pointer:
			return true
		}
	case *ast.StarExpr:
		return true
	}
	return false
}
