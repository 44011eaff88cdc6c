package interp

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/microfn/microfn/interp/internal/typesutil"
)

// Rewrites and refusals of constructs whose meaning the interpreter gets
// wrong without failing: constant declarations, range statements that
// assign to variables declared outside, reflection on the methods of the
// package's types and recursive types it cannot build. Each function
// says what it works around.

// constDecl works around the interpreter's evaluation of constant
// declarations: it does not fold comparisons and && or ||, so
//
//	const debug = mode == "dev"
//	const ok = 1 < 2 && true
//
// are false, and it rejects an implicitly repeated list of several names
// (const ( a, b = iota, iota * 10; c, d )) as "constant definition loop".
// The type checker knows every constant's value, so each value is spelled
// as a literal, typed constants as a conversion of one (T(3)), and a spec
// that repeats the previous one implicitly gets its own values:
//
//	const ( KB Size = 1 << (10 * iota); MB )  =>  const ( KB Size = Size(1024); MB = Size(1048576) )
//
// Only the values change, on their lines. A spec with a value the file
// cannot spell (a type of a package the file does not import) is left as
// written, with the specs that repeat it implicitly: they repeat its
// expression.
func (r *fileRewriter) constDecl(d *ast.GenDecl) {
	if r.info == nil || d.Tok != token.CONST {
		return
	}
	// A run is a spec with values and the specs after it that repeat
	// them implicitly: it is rewritten as a whole or not at all.
	type change struct {
		spec *ast.ValueSpec
		lits []string
	}
	var run []change
	ok := true
	flush := func() {
		if ok {
			for _, c := range run {
				text := strings.Join(c.lits, ", ")
				if len(c.spec.Values) == 0 {
					// An implicit repetition, which has no type either.
					r.insert(c.spec.Names[len(c.spec.Names)-1].End(), " = "+text)
					continue
				}
				r.replaceKeepLines(c.spec.Values[0].Pos(), c.spec.Values[len(c.spec.Values)-1].End(), text)
			}
		}
		run, ok = nil, true
	}
	for _, s := range d.Specs {
		spec := s.(*ast.ValueSpec)
		if len(spec.Values) > 0 {
			flush()
		}
		lits := make([]string, len(spec.Names))
		for i, name := range spec.Names {
			c, isConst := r.info.Defs[name].(*types.Const)
			if !isConst {
				if name.Name != "_" {
					ok = false
				}
				lits[i] = "0" // a blank name has no object; its value is never used
				continue
			}
			lit, spelled := r.constLiteral(c)
			if !spelled {
				ok = false
				continue
			}
			lits[i] = lit
		}
		run = append(run, change{spec, lits})
	}
	flush()
}

// constLiteral spells the value of the constant c: see constantLiteral.
// An untyped float that float64 cannot hold exactly is spelled as the
// quotient of integers it is, so later constant arithmetic stays exact.
func (r *fileRewriter) constLiteral(c *types.Const) (string, bool) {
	v := c.Val()
	if b, ok := c.Type().(*types.Basic); ok && b.Info()&types.IsUntyped != 0 && v.Kind() == constant.Float {
		if _, exact := constant.Float64Val(v); !exact {
			num, den := constant.Num(v), constant.Denom(v)
			if num.Kind() != constant.Int || den.Kind() != constant.Int {
				return "", false
			}
			return "(" + num.ExactString() + ".0 / " + den.ExactString() + ")", true
		}
	}
	if v.Kind() == constant.Complex {
		return r.complexLiteral(c.Type(), v)
	}
	return r.constantLiteral(types.TypeAndValue{Type: c.Type(), Value: v})
}

// complexLiteral spells the untyped complex constant v as (re + imi),
// when float64 holds both parts exactly.
func (r *fileRewriter) complexLiteral(t types.Type, v constant.Value) (string, bool) {
	re, exact := constant.Float64Val(constant.Real(v))
	im, exact2 := constant.Float64Val(constant.Imag(v))
	if !exact || !exact2 {
		return "", false
	}
	float := func(f float64) string {
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return s
	}
	if !isUntyped(t) {
		// The interpreter fails on typed complex constants however they
		// are spelled ("value of type int64 cannot be converted to type
		// complex128"): left as written, they fail the same way.
		return "", false
	}
	return "(" + float(re) + " + " + float(im) + "i)", true
}

// rangeAssign works around the interpreter's range statements that assign
// to variables declared outside (for i = range xs): it declares new
// variables for the iteration instead, so the outer ones keep their
// values (i := 0; for i = range [5]int{} {} left i at 0). The statement
// ranges into fresh variables and assigns them first thing in the body,
// as Go does at each iteration:
//
//	for k, v = range x { body }  =>  for t1, t2 := range x { k, v = t1, t2; { body } }
//
// Range over an integer becomes a counting loop (see rangeInt). A key or
// value the rewrite cannot copy (spanning lines, holding a function
// literal) is an error with a suggestion.
func (r *fileRewriter) rangeAssign(s *ast.RangeStmt, kind rangeKindT, intType string) {
	var lhs, temps []string
	for _, e := range []ast.Expr{s.Key, s.Value} {
		if e == nil {
			continue
		}
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			temps = append(temps, "_")
			continue
		}
		if !r.copyable(e) {
			r.errorf(e.Pos(), "this range statement assigns to %s, which microfn's interpreter cannot rewrite: range into new variables (for k, v := range …) and assign them in the body", r.text(e))
			return
		}
		t := r.temp()
		lhs = append(lhs, r.text(e))
		temps = append(temps, t)
	}
	if len(lhs) == 0 { // for _ = range x, for _, _ = range x: nothing is assigned
		return
	}
	assign := " " + strings.Join(lhs, ", ") + " = " + strings.Join(nonBlank(temps), ", ") + "; {"
	if kind == rangeInt {
		// for k = range n: the count has the key's type.
		if intType == "" || r.info == nil {
			r.rangeInt(s, intType) // an error
			return
		}
		if tv, ok := r.info.Types[s.Key]; ok && tv.Type != nil {
			if typ, ok := r.typeString(tv.Type); ok {
				intType = typ
			}
		}
		c, m := r.temp(), r.temp()
		conv := ""
		if tv, ok := r.info.Types[s.X]; ok && (tv.Value != nil || tv.Type != nil && isUntyped(tv.Type)) {
			conv = intType // an untyped constant takes the key's type
		}
		r.replaceKeepLines(s.For+token.Pos(len("for")), s.X.Pos(), fmt.Sprintf(" %s, %s := %s(0), %s(", c, m, intType, conv))
		r.insert(s.X.End(), fmt.Sprintf("); %s < %s; %s++", c, m, c))
		r.insert(s.Body.Lbrace+1, " "+strings.Join(lhs, ", ")+" = "+c+"; {")
		r.insert(s.Body.Rbrace, "}")
		return
	}
	r.replaceKeepLines(s.Key.Pos(), s.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(s.Body.Lbrace+1, assign)
	r.insert(s.Body.Rbrace, "}")
}

func nonBlank(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "_" {
			out = append(out, n)
		}
	}
	return out
}

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

// recursiveTypes refuses the package's types that the interpreter cannot
// build: a type that refers to itself other than through a struct or an
// interface (type F func(string) F, type P *P, type T []T, type M
// map[string]M, type C chan C). Loading one failed inside the
// interpreter, without a position ("reflect.Type is nil").
func (r *fileRewriter) recursiveTypes() {
	if r.info == nil {
		return
	}
	for _, decl := range r.file.AST.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			obj, ok := r.info.Defs[ts.Name].(*types.TypeName)
			if !ok || ts.Assign.IsValid() {
				continue
			}
			named, ok := obj.Type().(*types.Named)
			if !ok {
				continue
			}
			if path := recursionPath(named, named.Underlying(), map[types.Type]bool{}); path != "" {
				r.errorf(ts.Name.Pos(), "type %s refers to itself through %s, without a struct in between, which microfn's interpreter cannot build: wrap the recursion in a struct (type %s struct{ next … }), or serve it compiled (microfn serve --tier=auto, the default, serves it once built)", ts.Name.Name, path, ts.Name.Name)
			}
		}
	}
}

// recursionPath returns how t refers to the named type self other than
// through a struct or an interface ("a function result", "a pointer"),
// or "" if it does not.
func recursionPath(self *types.Named, t types.Type, seen map[types.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		if t == self || t.Origin() == self {
			return "itself"
		}
		if t.Obj().Pkg() != self.Obj().Pkg() {
			return ""
		}
		return recursionPath(self, t.Underlying(), seen)
	case *types.Alias:
		return recursionPath(self, types.Unalias(t), seen)
	case *types.Pointer:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a pointer"
		}
	case *types.Slice:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a slice"
		}
	case *types.Array:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "an array"
		}
	case *types.Map:
		if recursionPath(self, t.Key(), seen) != "" || recursionPath(self, t.Elem(), seen) != "" {
			return "a map"
		}
	case *types.Chan:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a channel"
		}
	case *types.Signature:
		for _, tuple := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tuple.Len() {
				if recursionPath(self, tuple.At(i).Type(), seen) != "" {
					return "a function type"
				}
			}
		}
	}
	return ""
}

// commClause works around the interpreter's select cases that assign a
// received value (case xs[i] = <-c, case v, ok = <-c): it fails on them
// ("reflect.Select: invalid Dir" when the case has no body, and stores
// nothing into an index expression or a field otherwise). The case
// receives into fresh variables and assigns them first thing in its
// body, which is when Go evaluates the left-hand side:
//
//	case xs[i], ok = <-c:  =>  case t1, t2 := <-c: xs[i], ok = t1, t2;
func (r *fileRewriter) commClause(cc *ast.CommClause) {
	as, ok := cc.Comm.(*ast.AssignStmt)
	if !ok || as.Tok != token.ASSIGN {
		return
	}
	var lhs, temps []string
	for _, e := range as.Lhs {
		if !r.copyable(e) {
			r.errorf(e.Pos(), "this select case assigns to %s, which microfn's interpreter cannot rewrite: receive into new variables (case v := <-c:) and assign them in the case", r.text(e))
			return
		}
		lhs = append(lhs, r.text(e)) // _ too: it uses the fresh variable
		temps = append(temps, r.temp())
	}
	r.replaceKeepLines(as.Lhs[0].Pos(), as.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(cc.Colon+1, " "+strings.Join(lhs, ", ")+" = "+strings.Join(temps, ", ")+";")
}

// mapMultiAssign works around the interpreter's assignments of several
// values from one expression when a left-hand side is a map entry
// (m[k], ok = <-c; m[k], ok = x.(T); m[k], err = f()): the interpreter
// writes the value into a copy of the entry, so the map is unchanged.
// The values go into fresh variables first:
//
//	m[k], ok = <-c  =>  { t1, t2 := <-c; m[k], ok = t1, t2 }
//
// on the statement's lines. Go evaluates the operands of the map index
// before the right-hand side; when they call a function or receive, that
// order would change, which is an error with a suggestion instead.
func (r *fileRewriter) mapMultiAssign(as *ast.AssignStmt) {
	if r.info == nil || as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Rhs) != 1 {
		return
	}
	hasMap := false
	for _, e := range as.Lhs {
		if ix, ok := ast.Unparen(e).(*ast.IndexExpr); ok {
			if t := r.info.TypeOf(ix.X); t != nil {
				if _, ok := t.Underlying().(*types.Map); ok {
					hasMap = true
				}
			}
		}
	}
	if !hasMap {
		return
	}
	inList := false
	if len(r.stack) > 0 {
		switch p := r.stack[len(r.stack)-1].(type) {
		case *ast.BlockStmt, *ast.CaseClause:
			inList = true
		case *ast.CommClause:
			if p.Comm == as {
				return // a select case: see commClause
			}
			inList = true
		}
	}
	var lhs, temps []string
	for _, e := range as.Lhs {
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			temps = append(temps, "_")
			continue
		}
		if !inList || !r.copyable(e) || r.callsOrReceives(e) {
			r.errorf(e.Pos(), "assigning several values to a map entry here is not supported by microfn's interpreter (the map would not change): assign them to new variables first (v, ok := …; m[k] = v)")
			return
		}
		lhs = append(lhs, r.text(e))
		temps = append(temps, r.temp())
	}
	r.insert(as.Pos(), "{ ")
	r.replaceKeepLines(as.Lhs[0].Pos(), as.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(as.End(), "; "+strings.Join(lhs, ", ")+" = "+strings.Join(nonBlank(temps), ", ")+" }")
}

// isCall reports whether x calls a function, rather than converting a
// value to a type.
func (r *fileRewriter) isCall(x *ast.CallExpr) bool {
	tv, ok := r.info.Types[x.Fun]
	return !ok || !tv.IsType()
}

// callsOrReceives reports whether evaluating e may call a function or
// receive from a channel.
func (r *fileRewriter) callsOrReceives(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if r.isCall(x) {
				found = true
			}
		case *ast.UnaryExpr:
			found = found || x.Op == token.ARROW
		}
		return !found
	})
	return found
}

// minMaxLiteral returns the function literal that computes the builtin
// name (min or max) of n arguments of type typ, as Go does: for floats, a
// NaN argument gives NaN and -0 is less than 0.
//
//	min(a, b)  =>  func(a0, a1 T) T { r := a0; if a1 < r { r = a1 }; return r }(a, b)
//
// It replaces the builtin's name, so the arguments stay as written. (A
// generic helper, min[T], made the interpreter fail on some type
// arguments: "CFG post-order panic: nil dereference" for time.Duration.)
func minMaxLiteral(name string, n int, typ string, float bool) string {
	var b strings.Builder
	b.WriteString("func(")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "a%d", i)
	}
	fmt.Fprintf(&b, " %s) %s { r := a0; ", typ, typ)
	less := "<"
	if name == "max" {
		less = ">"
	}
	for i := 1; i < n; i++ {
		y := fmt.Sprintf("a%d", i)
		if !float {
			fmt.Fprintf(&b, "if %s %s r { r = %s }; ", y, less, y)
			continue
		}
		// r == r: r is not NaN yet; y != y: y is NaN. 1/z < 0 tells -0
		// from 0.
		zero := "1/" + y + " < 0" // min prefers -0
		if name == "max" {
			zero = "1/r < 0" // max prefers 0 to -0
		}
		fmt.Fprintf(&b, "if r == r && (%s != %s || %s %s r || %s == 0 && r == 0 && %s) { r = %s }; ", y, y, y, less, y, zero, y)
	}
	b.WriteString("return r }")
	return b.String()
}

// isFloat reports whether t's underlying type is a floating-point type.
func isFloat(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

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
