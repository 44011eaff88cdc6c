package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// goBuiltins are the builtin functions, which a go statement calls by
// name inside the goroutine.
var goBuiltins = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true, "new": true,
	"panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// goStmt wraps `go f(a, b)` so the goroutine recovers its panics and
// carries the call chain. With types known, see goTyped. Without, it
// becomes
//
//	{ c := microfnrt.Fork(); tf, ta, tb := f, a, b; func() { go func() { defer func() { c.Exit(recover()) }(); c.Enter(); tf(ta, tb) }() }() }
//
// The function value and arguments are still evaluated by the calling
// goroutine, in order; literal arguments move into the call so they keep
// their meaning. User text stays in place, so rewrites inside f and the
// arguments still apply. Every separator is written right after the item
// it follows, so a line break between arguments never ends the statement
// early.
//
// The goroutine is started by a function literal called at once, made
// and called by the calling goroutine, so the goroutine's function is made
// in that literal's own frame, with the values of tf, ta and tb of the
// moment.
func (r *fileRewriter) goStmt(g *ast.GoStmt) {
	r.needsRT = true
	if r.info != nil && r.goTyped(g) {
		return
	}
	call := g.Call
	c := r.temp()
	type item struct {
		expr  ast.Expr
		moved string // the text the item is spelled with inside the call, if moved
		name  string
	}
	items := []item{{expr: call.Fun}}
	// clear is rewritten into a function, so its value can be taken.
	if id, ok := call.Fun.(*ast.Ident); ok && goBuiltins[id.Name] && id.Name != "clear" && r.isBuiltin(id, id.Name) {
		items[0].moved = id.Name
	}
	for _, a := range call.Args {
		items = append(items, item{expr: a, moved: r.constArg(a)})
	}
	var lhs []string
	lastKept := -1
	for i := range items {
		if items[i].moved == "" {
			items[i].name = c + "_" + strconv.Itoa(i)
			lhs = append(lhs, items[i].name)
			lastKept = i
		}
	}
	prefix := "{ " + c + " := " + ProxyName + ".Fork(); "
	if len(lhs) > 0 {
		prefix += strings.Join(lhs, ", ") + " := "
	}
	var inner []string
	for _, it := range items[1:] {
		if it.moved != "" {
			inner = append(inner, it.moved)
		} else {
			inner = append(inner, it.name)
		}
	}
	fun := items[0].name
	if items[0].moved != "" {
		fun = items[0].moved
	}
	ellipsis := ""
	if call.Ellipsis.IsValid() {
		ellipsis = "..."
	}
	suffix := "func() { go func() { defer func() { " + c + ".Exit(recover()) }(); " + c + ".Enter(); " +
		fun + "(" + strings.Join(inner, ", ") + ellipsis + ") }() }() }"
	r.replaceKeepLines(g.Go, items[0].expr.Pos(), prefix)
	for i, it := range items {
		if it.moved != "" {
			r.replaceKeepLines(it.expr.Pos(), it.expr.End(), "")
		}
		// The text after the item: up to the next item, or to the end of
		// the call.
		end := call.End()
		if i+1 < len(items) {
			end = items[i+1].expr.Pos()
		}
		sep := ""
		switch {
		case i == lastKept:
			sep = "; "
		case i < lastKept && it.moved == "":
			sep = ", "
		}
		if i == len(items)-1 {
			sep += suffix
		}
		r.replaceKeepLines(it.expr.End(), end, sep)
	}
}

// goTyped rewrites a go statement with the types known, so that the
// goroutine gets everything it needs as arguments of a function literal
// called at once (see goStmt for why):
//
//	go f(a, b)  =>  func(c *microfnrt.Forked, tf F, ta A, tb B) { go func() { defer func() { c.Exit(recover()) }(); c.Enter(); tf(ta, tb) }() }(microfnrt.Fork(), f, a, b)
//
// A function literal is called inside the goroutine (microfn's
// interpreter gives each iteration of a loop its own variables, which the
// literal sees):
//
//	go func(x X) { … v … }(a)  =>  func(c *microfnrt.Forked, ta X) { go func() { defer …; c.Enter(); func(x X) { … v … }(ta) }() }(microfnrt.Fork(), a)
//
// Only the text before f and between f and its arguments changes. It
// reports false, changing nothing, when a type cannot be spelled here.
func (r *fileRewriter) goTyped(g *ast.GoStmt) bool {
	call := g.Call
	tv, ok := r.info.Types[call.Fun]
	if !ok || tv.Type == nil {
		return false
	}
	sig, ok := tv.Type.Underlying().(*types.Signature)
	if !ok || sig.TypeParams().Len() > 0 {
		return false
	}
	fun := ast.Unparen(call.Fun)
	builtin := r.calledByName(fun)
	lit, _ := fun.(*ast.FuncLit)
	c := r.temp()
	outer := []string{ProxyName + ".Fork()"}
	params := []string{c + " *" + ProxyName + ".Forked"}
	innerFun := builtin
	if lit == nil && builtin == "" {
		typ, ok := r.typeString(tv.Type)
		if !ok {
			return false
		}
		innerFun = c + "_0"
		params = append(params, innerFun+" "+typ)
	}
	argParams, inner, tuple, ok := r.goArgs(call, sig, c)
	switch {
	case tuple != nil:
		r.errorf(tuple.Pos(), "go f(g()) with g returning several values is not supported by microfn's interpreter: assign the results of g to variables and pass those")
		return true
	case !ok:
		return false
	}
	params = append(params, argParams...)
	head := "func(" + strings.Join(params, ", ") + ") { go func() { defer func() { " + c + ".Exit(recover()) }(); " + c + ".Enter(); "
	innerCall := "(" + strings.Join(inner, ", ") + ") }() }(" + strings.Join(outer, ", ")
	argSep := ""
	switch {
	case len(call.Args) > 0:
		argSep = ", "
	case strings.Contains(string(r.file.Src[r.off(call.Lparen):r.off(call.Rparen)]), "\n"):
		// go f(
		// ) keeps its line break before the ")", which needs a comma
		// after the arguments the rewrite puts first.
		argSep = ","
	}
	switch {
	case lit != nil:
		r.replaceKeepLines(g.Go, call.Fun.Pos(), head)
		r.replaceKeepLines(call.Fun.End(), call.Lparen+1, innerCall+argSep)
	case builtin != "":
		r.replaceKeepLines(g.Go, call.Fun.Pos(), head+builtin+innerCall)
		r.replaceKeepLines(call.Fun.Pos(), call.Lparen+1, argSep)
	default:
		r.replaceKeepLines(g.Go, call.Fun.Pos(), head+innerFun+innerCall+", ")
		r.replaceKeepLines(call.Fun.End(), call.Lparen+1, argSep)
	}
	return true
}

// calledByName returns how the goroutine of goTyped calls fun, a builtin
// or generic function, by name, since it cannot be a value; "" for any
// other function.
func (r *fileRewriter) calledByName(fun ast.Expr) string {
	name := ""
	if id, ok := fun.(*ast.Ident); ok {
		if _, ok := r.info.Uses[id].(*types.Builtin); ok {
			name = id.Name
			if name == "clear" {
				name = ProxyName + ".Clear"
			}
		}
	}
	if r.isGeneric(fun) {
		name = r.text(fun)
	}
	return name
}

// goArgs returns, for the arguments of call, a function of signature sig,
// the parameters of goTyped's function literal that take them, named
// after c, and the arguments of the call inside the goroutine. It stops
// at an argument of several values (go f(g())), which it returns as
// tuple; ok is false when a type cannot be spelled here.
func (r *fileRewriter) goArgs(call *ast.CallExpr, sig *types.Signature, c string) (params, inner []string, tuple ast.Expr, ok bool) {
	n := sig.Params().Len()
	for i, a := range call.Args {
		if _, isTuple := r.info.Types[a].Type.(*types.Tuple); isTuple {
			return nil, nil, a, false
		}
		var t types.Type
		prefix := ""
		switch {
		case sig.Variadic() && i >= n-1 && call.Ellipsis.IsValid():
			t, prefix = sig.Params().At(n-1).Type().(*types.Slice).Elem(), "..."
		case sig.Variadic() && i >= n-1:
			t = sig.Params().At(n - 1).Type().(*types.Slice).Elem()
		case i < n:
			t = sig.Params().At(i).Type()
		default:
			return nil, nil, nil, false
		}
		typ, ok := r.typeString(t)
		if !ok {
			return nil, nil, nil, false
		}
		name := c + "_" + strconv.Itoa(i+1)
		params = append(params, name+" "+prefix+typ)
		inner = append(inner, name+prefix)
	}
	return params, inner, nil, true
}

// funcName returns the identifier that names the function e, as in f or
// pkg.F or x.M, or nil.
func funcName(e ast.Expr) *ast.Ident {
	switch x := ast.Unparen(e).(type) {
	case *ast.Ident:
		return x
	case *ast.SelectorExpr:
		return x.Sel
	}
	return nil
}

// isGeneric reports a generic function, instantiated or not.
func (r *fileRewriter) isGeneric(e ast.Expr) bool {
	e = ast.Unparen(e)
	switch x := e.(type) {
	case *ast.IndexExpr:
		e = x.X
	case *ast.IndexListExpr:
		e = x.X
	}
	id := funcName(e)
	if id == nil {
		return false
	}
	if _, ok := r.info.Instances[id]; ok {
		return true
	}
	fn, ok := r.info.Uses[id].(*types.Func)
	return ok && fn.Type().(*types.Signature).TypeParams().Len() > 0
}

// constArg returns how a go statement's argument is spelled inside the
// goroutine's call when it is not evaluated into a temporary: a literal,
// or a constant expression, as written; a constant that calls min or max,
// which the rewrite folds, as its value. Otherwise it returns "".
func (r *fileRewriter) constArg(e ast.Expr) string {
	if isLiteral(e) {
		return r.text(e)
	}
	if r.info == nil {
		return ""
	}
	tv, ok := r.info.Types[e]
	if !ok || tv.Value == nil {
		return ""
	}
	folds := false
	ast.Inspect(e, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && (r.isBuiltin(id, "min") || r.isBuiltin(id, "max")) {
				folds = true
			}
		}
		return !folds
	})
	if !folds {
		return r.text(e)
	}
	lit, _ := r.constantLiteral(tv)
	return lit
}

// isLiteral reports a constant written as one literal token (possibly
// signed), or true, false or nil.
func isLiteral(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		return x.Name == "true" || x.Name == "false" || x.Name == "nil"
	case *ast.UnaryExpr:
		_, ok := x.X.(*ast.BasicLit)
		return ok && (x.Op == token.SUB || x.Op == token.ADD)
	}
	return false
}
