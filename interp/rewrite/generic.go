package rewrite

import (
	"go/ast"
	"go/types"
	"strings"
)

// genericInstance spells the type arguments of a generic function, of
// the package or another (the standard library's slices, maps, …), used
// as a value, not called, which takes them from its context: the
// interpreter infers the type arguments of a call from its arguments
// (all of them, or those a call gives not), but not those of a function
// value from the type it is used as. A value that gives a part of them
// gets the others.
//
//	Map(xs, Identity)                     =>  Map(xs, Identity[int])
//	slices.SortFunc(xs, cmp.Compare)      =>  slices.SortFunc(xs, cmp.Compare[int])
//	var f func(string) string = Identity  =>  var f func(string) string = Identity[string]
func (r *fileRewriter) genericInstance(id *ast.Ident) {
	if r.info == nil {
		return
	}
	inst, ok := r.info.Instances[id]
	if !ok || inst.TypeArgs.Len() == 0 {
		return
	}
	if fn, ok := r.info.Uses[id].(*types.Func); !ok || fn.Pkg() == nil {
		return
	}
	// The expression naming the function, and the type arguments given.
	var expr ast.Expr = id
	parent := len(r.stack) - 1
	if parent >= 0 {
		if s, ok := r.stack[parent].(*ast.SelectorExpr); ok && s.Sel == id {
			expr = s
			parent--
		}
	}
	given, at, use := 0, expr.End(), expr
	if parent >= 0 {
		switch p := r.stack[parent].(type) {
		case *ast.IndexExpr:
			if p.X == expr {
				given, at, use = 1, p.Index.End(), p
				parent--
			}
		case *ast.IndexListExpr:
			if p.X == expr {
				given, at, use = len(p.Indices), p.Indices[len(p.Indices)-1].End(), p
				parent--
			}
		}
	}
	if given == inst.TypeArgs.Len() {
		return // explicit
	}
	if parent >= 0 {
		if c, ok := r.stack[parent].(*ast.CallExpr); ok && c.Fun == use {
			return // a call: the interpreter infers its type arguments
		}
	}
	args := make([]string, inst.TypeArgs.Len())
	for i := range args {
		typ, ok := r.typeString(inst.TypeArgs.At(i))
		if !ok {
			return
		}
		args[i] = typ
	}
	if given > 0 {
		r.insert(at, ", "+strings.Join(args[given:], ", "))
		return
	}
	r.insert(at, "["+strings.Join(args, ", ")+"]")
}
