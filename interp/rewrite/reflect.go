package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"

	"github.com/microfn/microfn/interp/internal/typesutil"
)

// reflectMethods refuses reflection on the methods of a type declared in
// the package: the interpreter builds the package's types with package
// reflect, which cannot give a type methods, so
//
//	reflect.ValueOf(t).Method(0)          // panics: Method index out of range
//	reflect.TypeOf(t).NumMethod()         // 0
//	reflect.ValueOf(&t).MethodByName("M") // the zero Value
//
// would not do what they do in Go. The methods are Method, MethodByName,
// NumMethod and Implements of reflect.Type and reflect.Value. Every way
// to reach one is an error where the reflect.Type or reflect.Value is
// known to describe such a type (reflect.ValueOf(x), reflect.TypeOf(x),
// reflect.TypeFor[T]() of it, through Elem, Type, Indirect, PointerTo,
// New, Zero, Addr, type assertions, conversions to interfaces and local
// variables set once):
//
//   - a call or a method value (v.NumMethod), also through an interface
//     or a struct that embeds reflect.Type or reflect.Value;
//   - a call or a method value of a method so named of another interface
//     that holds it (var m interface{ NumMethod() int } = reflect.TypeOf(t));
//   - a method expression called with it (reflect.Type.NumMethod(rt));
//
// and, whatever they describe, a method expression that is not called
// (its receiver is unknown) and a reflect.Type or reflect.Value as the
// type argument of a type parameter whose constraint has a method so
// named (see reflectInstance).
func (r *fileRewriter) reflectMethods(sel *ast.SelectorExpr) {
	if r.info == nil || !reflectMethodNames[sel.Sel.Name] {
		return
	}
	selection := r.info.Selections[sel]
	if selection == nil {
		return
	}
	m, ok := selection.Obj().(*types.Func)
	if !ok {
		return
	}
	var recv ast.Expr // the reflect.Type or reflect.Value
	switch selection.Kind() {
	case types.MethodVal:
		if !isReflectMethod(m) && !r.reflectCanImplement(selection.Recv()) {
			return
		}
		recv = sel.X
	case types.MethodExpr:
		if !isReflectMethod(m) {
			return
		}
		call := r.calledWith(sel)
		if call == nil || len(call.Args) == 0 {
			r.errorf(sel.Sel.Pos(), "%s as a method expression: microfn cannot tell what its receiver will describe, and reflection cannot see the methods of the types declared in the package (microfn's interpreter builds its types without methods). Call %s on the reflect value itself", types.ExprString(sel), sel.Sel.Name)
			return
		}
		recv = call.Args[0]
	default:
		return
	}
	t := r.reflectOrigin(recv, 0)
	if t == nil {
		return
	}
	named := t
	if p, ok := named.(*types.Pointer); ok {
		named = p.Elem()
	}
	if !r.declaredHere(named) {
		return
	}
	if types.NewMethodSet(types.NewPointer(named)).Len() == 0 {
		return
	}
	name, _ := r.typeString(named)
	r.errorf(sel.Sel.Pos(), "reflection cannot see the methods of %s, a type declared in the package: microfn's interpreter builds its types without methods, so %s would differ from Go (Method panics, NumMethod is 0). Call the methods directly, or dispatch on a map of method values (map[string]func(…){\"Name\": t.Name})", name, sel.Sel.Name)
}

// reflectInstance refuses, at an instance of a generic function or type,
// a type argument that has the methods of reflectMethodNames of
// reflect.Type or reflect.Value (reflect.Type itself, an interface or a
// struct that embeds it) for a type parameter whose constraint has a
// method so named: the generic code can call it on values of which
// nothing tells what they describe.
func (r *fileRewriter) reflectInstance(id *ast.Ident) {
	if r.info == nil {
		return
	}
	inst, ok := r.info.Instances[id]
	if !ok {
		return
	}
	var params *types.TypeParamList
	switch obj := r.info.Uses[id].(type) {
	case *types.Func:
		params = obj.Origin().Signature().TypeParams()
	case *types.TypeName:
		if n, ok := obj.Type().(*types.Named); ok {
			params = n.Origin().TypeParams()
		}
	}
	if params == nil {
		return
	}
	for i := range min(params.Len(), inst.TypeArgs.Len()) {
		iface, ok := params.At(i).Constraint().Underlying().(*types.Interface)
		if !ok {
			continue
		}
		for j := range iface.NumMethods() {
			name := iface.Method(j).Name()
			if !reflectMethodNames[name] || !hasReflectMethod(inst.TypeArgs.At(i), name) {
				continue
			}
			arg, _ := r.typeString(inst.TypeArgs.At(i))
			r.errorf(id.Pos(), "%s cannot be a type argument of %s: its constraint has %s, through which the generic code would see the methods of what a reflect value describes, and reflection cannot see the methods of the types declared in the package (microfn's interpreter builds its types without methods). Call %s on the reflect value itself", arg, id.Name, name, name)
			return
		}
	}
}

// hasReflectMethod reports whether the method name of t (or of *t) is
// the method of reflect.Type or reflect.Value.
func hasReflectMethod(t types.Type, name string) bool {
	for _, t := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(t)
		for i := range ms.Len() {
			if m, ok := ms.At(i).Obj().(*types.Func); ok && m.Name() == name && isReflectMethod(m) {
				return true
			}
		}
	}
	return false
}

// reflectMethodNames are the methods of reflect.Type and reflect.Value
// whose results depend on the methods of the type they describe.
var reflectMethodNames = map[string]bool{"Method": true, "MethodByName": true, "NumMethod": true, "Implements": true}

// isReflectMethod reports whether m is one of reflectMethodNames of
// reflect.Type or reflect.Value.
func isReflectMethod(m *types.Func) bool {
	recv := m.Signature().Recv()
	if recv == nil || !reflectMethodNames[m.Name()] {
		return false
	}
	n, ok := typesutil.NamedOf(recv.Type())
	return ok && isReflectValueOrType(n)
}

// reflectCanImplement reports whether t is an interface a reflect.Type or
// a reflect.Value can be held in, with a method of reflectMethodNames.
func (r *fileRewriter) reflectCanImplement(t types.Type) bool {
	iface, ok := t.Underlying().(*types.Interface)
	if !ok {
		return false
	}
	named := false
	for i := range iface.NumMethods() {
		named = named || reflectMethodNames[iface.Method(i).Name()]
	}
	if !named {
		return false
	}
	reflect := r.reflectPackage()
	if reflect == nil {
		return false // nothing here can hold a reflect value it made
	}
	for _, name := range []string{"Type", "Value"} {
		if obj := reflect.Scope().Lookup(name); obj != nil && types.Implements(obj.Type(), iface) {
			return true
		}
	}
	return false
}

// reflectPackage returns package reflect, if the package uses it.
func (r *fileRewriter) reflectPackage() *types.Package {
	for _, obj := range r.info.Uses {
		if pn, ok := obj.(*types.PkgName); ok && pn.Imported().Path() == "reflect" {
			return pn.Imported()
		}
	}
	return nil
}

// calledWith returns the call whose function sel is, if it is one.
func (r *fileRewriter) calledWith(sel *ast.SelectorExpr) *ast.CallExpr {
	var child ast.Node = sel
	for i := len(r.stack) - 1; i >= 0; i-- {
		switch p := r.stack[i].(type) {
		case *ast.ParenExpr:
			child = p
			continue
		case *ast.CallExpr:
			if p.Fun == child {
				return p
			}
		}
		break
	}
	return nil
}

// isReflectValueOrType reports whether t is reflect.Value or reflect.Type.
func isReflectValueOrType(t types.Type) bool {
	named, ok := t.(*types.Named)
	if !ok || named.Obj().Pkg() == nil || named.Obj().Pkg().Path() != "reflect" {
		return false
	}
	return named.Obj().Name() == "Value" || named.Obj().Name() == "Type"
}

// reflectOrigin returns the static type of the value the reflect.Value or
// reflect.Type e describes, when it is known: e is reflect.ValueOf(x),
// reflect.TypeOf(x), reflect.TypeFor[T](), reflect.Indirect(v),
// reflect.PointerTo(t), reflect.New(t), reflect.Zero(t), v.Elem(),
// v.Addr() or v.Type() of one, one converted to an interface or asserted
// from one, or a local variable set once to one.
func (r *fileRewriter) reflectOrigin(e ast.Expr, depth int) types.Type {
	if depth > 8 {
		return nil
	}
	switch x := ast.Unparen(e).(type) {
	case *ast.TypeAssertExpr:
		return r.reflectOrigin(x.X, depth+1)
	case *ast.CallExpr:
		fun := ast.Unparen(x.Fun)
		if ix, ok := fun.(*ast.IndexExpr); ok { // reflect.TypeFor[T]()
			if r.isReflectFunc(ix.X, "TypeFor") {
				return r.info.TypeOf(ix.Index)
			}
			return nil
		}
		if tv := r.info.Types[fun]; tv.IsType() && types.IsInterface(tv.Type) && len(x.Args) == 1 {
			return r.reflectOrigin(x.Args[0], depth+1) // I(v)
		}
		if len(x.Args) == 1 {
			switch {
			case r.isReflectFunc(fun, "PointerTo"), r.isReflectFunc(fun, "PtrTo"), r.isReflectFunc(fun, "New"):
				if t := r.reflectOrigin(x.Args[0], depth+1); t != nil {
					return types.NewPointer(t)
				}
				return nil
			case r.isReflectFunc(fun, "Zero"):
				return r.reflectOrigin(x.Args[0], depth+1)
			}
		}
		switch {
		case r.isReflectFunc(fun, "ValueOf"), r.isReflectFunc(fun, "TypeOf"):
			if len(x.Args) != 1 {
				return nil
			}
			t := r.info.TypeOf(x.Args[0])
			if t == nil || types.IsInterface(t) {
				return nil
			}
			return t
		case r.isReflectFunc(fun, "Indirect"):
			if len(x.Args) == 1 {
				return derefType(r.reflectOrigin(x.Args[0], depth+1))
			}
		}
		if sel, ok := fun.(*ast.SelectorExpr); ok && len(x.Args) == 0 && isReflectValueOrType(r.info.TypeOf(sel.X)) {
			switch sel.Sel.Name {
			case "Elem":
				return derefType(r.reflectOrigin(sel.X, depth+1))
			case "Type":
				return r.reflectOrigin(sel.X, depth+1)
			case "Addr":
				if t := r.reflectOrigin(sel.X, depth+1); t != nil {
					return types.NewPointer(t)
				}
			}
		}
	case *ast.Ident:
		v, ok := r.info.Uses[x].(*types.Var)
		if !ok || v.Parent() == nil || v.Pkg() == nil || v.Parent() == v.Pkg().Scope() {
			return nil
		}
		init := r.singleAssignment(v)
		if init == nil {
			return nil
		}
		return r.reflectOrigin(init, depth+1)
	}
	return nil
}

// derefType returns what t points to, or nil.
func derefType(t types.Type) types.Type {
	if p, ok := t.(*types.Pointer); ok {
		return p.Elem()
	}
	return nil
}

// isReflectFunc reports whether e names the function name of package
// reflect.
func (r *fileRewriter) isReflectFunc(e ast.Expr, name string) bool {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	fn, ok := r.info.Uses[sel.Sel].(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == "reflect"
}

// singleAssignment returns the expression the local variable v is
// initialized with, if v is declared with one (v := e, var v = e) and
// never assigned again.
func (r *fileRewriter) singleAssignment(v *types.Var) ast.Expr {
	var init ast.Expr
	assigned := 0
	ast.Inspect(r.file.AST, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range x.Lhs {
				id, ok := ast.Unparen(lhs).(*ast.Ident)
				if !ok || (r.info.Defs[id] != v && r.info.Uses[id] != v) {
					continue
				}
				assigned++
				if len(x.Lhs) == len(x.Rhs) && r.info.Defs[id] == v {
					init = x.Rhs[i]
				}
			}
		case *ast.ValueSpec:
			for i, id := range x.Names {
				if r.info.Defs[id] == v && len(x.Values) == len(x.Names) {
					init = x.Values[i]
					assigned++
				}
			}
		case *ast.UnaryExpr:
			if id, ok := ast.Unparen(x.X).(*ast.Ident); ok && x.Op == token.AND && r.info.Uses[id] == v {
				assigned += 2 // its address is taken
			}
		}
		return true
	})
	if assigned != 1 {
		return nil
	}
	return init
}
