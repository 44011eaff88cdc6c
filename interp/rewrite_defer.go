package interp

import (
	"go/ast"
	"go/types"
	"strings"
)

// The rewrites of defer statements and of the closures they may call:
// yaegi evaluates deferred calls late and deadlocks on closures run from
// deferred calls. Each function says what it works around.

// deferSafeClosures works around a deadlock of the interpreter: while a
// function's deferred calls run, the interpreter holds a lock on its frame,
// and a closure created in that frame takes the same lock when it returns.
// So a closure stored in a variable and called from a deferred call
//
//	cleanup := func() { … }
//	defer cleanup()
//
// would hang for good. In a function with defer statements, each function
// literal assigned to a variable is created one frame further in, which
// changes nothing in Go:
//
//	cleanup := func() func() { return func() { … } }()
//
// The wrapper goes on the literal's first and last lines, so no line moves.
func (r *fileRewriter) deferSafeClosures(body *ast.BlockStmt) {
	defers := false
	var lits []*ast.FuncLit
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its own body is handled on its own
		case *ast.DeferStmt:
			defers = true
		case *ast.AssignStmt:
			for _, rhs := range n.Rhs {
				if lit, ok := ast.Unparen(rhs).(*ast.FuncLit); ok {
					lits = append(lits, lit)
				}
			}
		case *ast.ValueSpec:
			for _, v := range n.Values {
				if lit, ok := ast.Unparen(v).(*ast.FuncLit); ok {
					lits = append(lits, lit)
				}
			}
		}
		return true
	})
	if !defers {
		return
	}
	for _, lit := range lits {
		r.insert(lit.Pos(), "func() "+types.ExprString(lit.Type)+" { return ")
		r.insert(lit.End(), " }()")
	}
}

// deferStmt works around the interpreter's evaluation of deferred calls:
// Go evaluates the function value, the receiver and the arguments of a
// deferred call when the defer statement runs, but the interpreter keeps
// the variables themselves and reads them when the call runs, so in
//
//	for _, f := range files { defer f.Close() }
//	defer log(i); i++
//
// every deferred call sees the last values. The rewrite copies what the
// call needs into variables declared fresh where the defer statement is,
// on its line:
//
//	defer f(a, b)  =>  { var tf F = f; var ta A = a; var tb B = b; defer tf(ta, tb) }
//	defer x.M(a)   =>  { var tr R = x; var ta A = a; defer func(tr R, ta A) { tr.M(ta) }(tr, ta) }
//
// (a method call goes through a function literal: the interpreter binds a
// deferred method's receiver late even when it is a fresh variable; R is
// *T for a method with a pointer receiver called on an addressable T).
// Constants, functions declared at package level and function literals
// are not copied. The rewrite needs type information, and leaves alone a
// call it cannot spell this way (an argument spanning lines or holding a
// function literal, a builtin, a method that calls recover, which must stay
// the deferred function itself).
func (r *fileRewriter) deferStmt(d *ast.DeferStmt) {
	if r.info == nil {
		return
	}
	body, inLoop := r.enclosingFunc()
	if body == nil {
		return
	}
	// mayChange reports whether e may have another value when the
	// deferred call runs: in a loop, when it reads a variable that is
	// set again, a package-level variable or a field, or calls something.
	mayChange := func(e ast.Expr) bool {
		if inLoop {
			return true
		}
		found := false
		ast.Inspect(e, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				if r.isCall(x) {
					found = true
				}
			case *ast.Ident:
				if v, ok := r.info.Uses[x].(*types.Var); ok {
					found = found || v.IsField() || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() || r.changes(body, v)
				}
			}
			return !found
		})
		return found
	}
	call := d.Call
	for _, a := range call.Args {
		if tv, ok := r.info.Types[a]; !ok || tv.Type == nil {
			return
		} else if _, tuple := tv.Type.(*types.Tuple); tuple {
			return
		}
		if !r.copyable(a) {
			return
		}
	}
	tv, ok := r.info.Types[call.Fun]
	if !ok || tv.Type == nil {
		return
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || sig.TypeParams().Len() > 0 || r.isGeneric(call.Fun) {
		return
	}
	fun := ast.Unparen(call.Fun)
	if id, ok := fun.(*ast.Ident); ok {
		if _, builtin := r.info.Uses[id].(*types.Builtin); builtin {
			return
		}
	}
	if lit, ok := fun.(*ast.FuncLit); ok {
		r.deferLiteral(d, lit, inLoop, mayChange)
		return
	}
	var decls []string
	declare := func(e ast.Expr, text string, t types.Type) (string, bool) {
		typ, ok := r.typeString(t)
		if !ok {
			return "", false
		}
		name := r.temp()
		decls = append(decls, "var "+name+" "+typ+" = "+text+"; ")
		return name, true
	}
	// The function value or the receiver first, as Go evaluates them.
	sel, _ := fun.(*ast.SelectorExpr)
	selection := r.info.Selections[sel]
	method := selection != nil && selection.Kind() == types.MethodVal
	recv, recvType := "", ""
	funText := r.text(fun)
	switch {
	case method:
		m := selection.Obj().(*types.Func)
		if r.callsRecover(fun) || !r.copyable(sel.X) {
			return
		}
		t := r.info.Types[sel.X].Type
		_, ptrRecv := m.Type().(*types.Signature).Recv().Type().(*types.Pointer)
		_, ptrX := t.Underlying().(*types.Pointer)
		// A pointer method called on a variable takes its address, which
		// does not change: the receiver needs no copy then.
		if !(ptrRecv && !ptrX && !types.IsInterface(t)) && mayChange(sel.X) {
			var ok bool
			if recvType, ok = r.typeString(t); !ok {
				return
			}
			if recv, ok = declare(sel.X, r.text(sel.X), t); !ok {
				return
			}
		}
	case !r.isPackageFunc(fun) && mayChange(fun):
		if !r.copyable(fun) {
			return
		}
		name, ok := declare(fun, r.text(fun), tv.Type)
		if !ok {
			return
		}
		funText = name
	}
	// The arguments, each with the type of its parameter.
	n := sig.Params().Len()
	args := make([]string, len(call.Args))
	argTypes := make([]string, len(call.Args))
	for i, a := range call.Args {
		var t types.Type
		switch {
		case sig.Variadic() && i >= n-1 && call.Ellipsis.IsValid():
			t = sig.Params().At(n - 1).Type()
		case sig.Variadic() && i >= n-1:
			t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		case i < n:
			t = sig.Params().At(i).Type()
		default:
			return
		}
		typ, ok := r.typeString(t)
		if !ok {
			return
		}
		argTypes[i] = typ
		args[i] = r.text(a)
		if tv := r.info.Types[a]; tv.Value != nil || tv.IsNil() || !mayChange(a) {
			continue // a constant, nil, or a value that stays
		}
		if args[i], ok = declare(a, args[i], t); !ok {
			return
		}
	}
	ellipsis := ""
	if call.Ellipsis.IsValid() {
		ellipsis = "..."
	}
	// A method whose receiver is copied, and a call with ..., go through
	// a function literal that gets them as arguments: the interpreter
	// binds a deferred method's receiver late even when it is a fresh
	// variable, and fails on a deferred call with ....
	literal := recv != "" || ellipsis != ""
	if len(decls) == 0 && !literal {
		return // nothing can change
	}
	callText := "defer " + funText + "(" + strings.Join(args, ", ") + ellipsis + ")"
	if literal {
		if r.callsRecover(fun) {
			return // recover works only in the deferred function itself
		}
		var params, passed, inner []string
		target := funText
		switch {
		case recv != "":
			params, passed = append(params, recv+" "+recvType), append(passed, recv)
			target = recv + "." + sel.Sel.Name
		case funText != r.text(fun):
			// A copied function value.
			typ, _ := r.typeString(tv.Type) // spelled once already
			params, passed = append(params, funText+" "+typ), append(passed, funText)
		}
		for i := range args {
			p := r.temp()
			params = append(params, p+" "+argTypes[i]) // with ..., the last is the slice type
			passed = append(passed, args[i])
			inner = append(inner, p)
		}
		callText = "defer func(" + strings.Join(params, ", ") + ") { " + target + "(" + strings.Join(inner, ", ") + ellipsis + ") }(" + strings.Join(passed, ", ") + ")"
	}
	r.replace(d.Pos(), d.End(), "{ "+strings.Join(decls, "")+callText+" }")
}

// deferLiteral handles defer func(…) { … }(…) in a loop: the interpreter
// creates the deferred function literal when the call runs, so it sees the
// variables of the last iteration, not those of its own (per iteration
// since Go 1.22). The literal is created at the defer statement instead,
// one frame further in (see deferSafeClosures), with its arguments copied
// as deferStmt copies them:
//
//	defer func(x X) { … }(a)  =>  { var ta X = a; var tf F = func() F { return func(x X) { … } }(); defer tf(ta) }
//
// Only the text before the literal, just after it and around its
// arguments changes, so the literal's own rewrites stay. A literal that
// calls recover is left alone: recover works only in the deferred
// function itself.
func (r *fileRewriter) deferLiteral(d *ast.DeferStmt, lit *ast.FuncLit, inLoop bool, mayChange func(ast.Expr) bool) {
	if !inLoop || r.bodyCallsRecover(lit.Body) || d.Call.Ellipsis.IsValid() {
		return // a deferred call with ... fails in the interpreter either way
	}
	typ := types.ExprString(lit.Type)
	var decls []string
	for _, a := range d.Call.Args {
		tv := r.info.Types[a]
		if tv.Value != nil || tv.IsNil() || !mayChange(a) {
			continue
		}
		t, ok := r.typeString(tv.Type)
		if !ok {
			return
		}
		name := r.temp()
		decls = append(decls, "var "+name+" "+t+" = "+r.text(a)+"; ")
		r.replace(a.Pos(), a.End(), name)
	}
	f := r.temp()
	r.replace(d.Pos(), lit.Pos(), "{ "+strings.Join(decls, "")+"var "+f+" "+typ+" = func() "+typ+" { return ")
	r.insert(lit.End(), " }(); defer "+f)
	r.insert(d.End(), " }")
}

// bodyCallsRecover reports whether body, outside the function literals
// in it, calls recover.
func (r *fileRewriter) bodyCallsRecover(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && r.isBuiltin(id, "recover") {
				found = true
			}
		}
		return !found
	})
	return found
}

// enclosingFunc returns the body of the function the node being visited is
// in, and whether a loop of that function encloses the node.
func (r *fileRewriter) enclosingFunc() (body *ast.BlockStmt, inLoop bool) {
	for i := len(r.stack) - 1; i >= 0; i-- {
		switch x := r.stack[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			inLoop = true
		case *ast.FuncLit:
			return x.Body, inLoop
		case *ast.FuncDecl:
			return x.Body, inLoop
		}
	}
	return nil, false
}

// copyable reports whether the expression e may be written again on one
// line in front of a defer statement: it spans one line and holds nothing
// another rewrite changes (function literals, min, max, clear).
func (r *fileRewriter) copyable(e ast.Expr) bool {
	if strings.Contains(r.text(e), "\n") {
		return false
	}
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			ok = false
		case *ast.Ident:
			if r.isBuiltin(x, "min") || r.isBuiltin(x, "max") || r.isBuiltin(x, "clear") {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// isPackageFunc reports whether e names a function declared at package
// level, here or in an imported package.
func (r *fileRewriter) isPackageFunc(e ast.Expr) bool {
	if sel, ok := e.(*ast.SelectorExpr); ok && r.info.Selections[sel] != nil {
		return false // a method or a field
	}
	id := funcName(e)
	if id == nil {
		return false
	}
	fn, ok := r.info.Uses[id].(*types.Func)
	return ok && fn.Type().(*types.Signature).Recv() == nil && fn.Parent() == fn.Pkg().Scope()
}

// callsRecover reports whether fun, the function or method a deferred
// call calls, is declared in this package and calls recover.
func (r *fileRewriter) callsRecover(fun ast.Expr) bool {
	id := funcName(fun)
	if id == nil {
		return false
	}
	fn, ok := r.info.Uses[id].(*types.Func)
	if !ok {
		return false
	}
	for _, f := range r.pkg.Files {
		for _, decl := range f.AST.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil && r.info.Defs[fd.Name] == fn {
				return r.bodyCallsRecover(fd.Body)
			}
		}
	}
	return false
}
