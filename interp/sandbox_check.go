package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/petermattis/goid"

	"github.com/microfn/microfn/funcs"
)

// The sandbox's checks of service code, at file:line:col. With the type
// information of go/types (checkSandbox), they report:
//
//   - every use of an excluded name: a package-level name, also through a
//     dot import, or a method (called, as a method value or expression, or
//     promoted through an embedded field);
//   - a call of a guarded function with a nil argument it refuses;
//   - every write to a variable of the host: assigning it, changing what
//     it holds (a field, an element, through a pointer, delete, clear,
//     copy), taking its address; and assigning through a pointer of a
//     type the host shares (*time.UTC's *time.Location);
//   - every expression of type unsafe.Pointer;
//   - every conversion to an interface (an argument of type any, a value
//     stored in an interface variable, returned, sent, …) of a value
//     through which reflection could call an excluded method: text/template
//     executes methods of its data by name, and package reflect calls them
//     with Value.MethodByName, so a *text/template.Template must not reach
//     either.
//
// Without the type information (no Go toolchain: see checked.complete),
// checkSandboxSyntax judges by names: qualified names and dot imports of
// excluded names, selectors named like an excluded method in a file that
// imports its package, and writes to qualified host variables.

// pendingPolicies hands the policy of a load from checkImports, which is
// given the options of the Loader, to typeChecker.check, which is not:
// Loader.Prepare calls one after the other on the same goroutine with the
// same package. check takes it back; without one it applies the default
// sandbox.
var pendingPolicies sync.Map // pendingKey → policy

type pendingKey struct {
	src *funcs.Package
	g   int64
}

func handPolicy(src *funcs.Package, pol policy) {
	pendingPolicies.Store(pendingKey{src, goid.Get()}, pol)
}

func takePolicy(src *funcs.Package) policy {
	if v, ok := pendingPolicies.LoadAndDelete(pendingKey{src, goid.Get()}); ok {
		return v.(policy)
	}
	return newPolicy(false, nil)
}

// sandboxChecker checks one package with its type information.
type sandboxChecker struct {
	pkg  *funcs.Package
	info *types.Info
	pol  policy
	list funcs.ErrorList
	// reached memoizes reaches: what a value (reached[0]) or a
	// reflect.Type (reached[1]) of a type leads reflection to.
	reached [2]map[types.Type]*target
}

// A target is an excluded method reflection could call.
type target struct {
	path, name string // "text/template", "Template.ParseFiles"
	why        reason
}

func checkSandbox(pkg *funcs.Package, info *types.Info, pol policy) funcs.ErrorList {
	if pol.unrestricted {
		return nil
	}
	c := &sandboxChecker{pkg: pkg, info: info, pol: pol,
		reached: [2]map[types.Type]*target{{}, {}}}
	c.checkUses()
	for _, f := range pkg.Files {
		c.checkFile(f.AST)
	}
	c.checkInstances()
	c.checkUnsafePointers()
	return c.list
}

func (c *sandboxChecker) errorf(pos token.Pos, format string, args ...any) {
	c.list = append(c.list, &funcs.SourceError{Pos: c.pkg.Fset.Position(pos), Msg: fmt.Sprintf(format, args...)})
}

// host reports whether p is a package of the host: not the package
// checked.
func (c *sandboxChecker) host(p *types.Package) bool {
	if p == nil {
		return false
	}
	self := c.pol.self
	if self == "" {
		self = checkPath(c.pkg)
	}
	return p.Path() != self && !c.pol.sources[p.Path()]
}

// nameOf returns the path of obj's package and obj's name in the tables
// ("Template.ParseFiles" for a method), if obj is a package-level object
// or a method of a named type of a host package.
func (c *sandboxChecker) nameOf(obj types.Object) (path, name string, ok bool) {
	if obj == nil || !c.host(obj.Pkg()) {
		return "", "", false
	}
	switch o := obj.(type) {
	case *types.PkgName:
		return "", "", false
	case *types.Func:
		if recv := o.Origin().Signature().Recv(); recv != nil {
			n, ok := namedOf(recv.Type())
			if !ok {
				return "", "", false
			}
			return o.Pkg().Path(), n.Obj().Name() + "." + o.Name(), true
		}
	case *types.Var:
		if o.IsField() {
			return "", "", false
		}
	}
	if obj.Parent() != obj.Pkg().Scope() {
		return "", "", false
	}
	return obj.Pkg().Path(), obj.Name(), true
}

// namedOf returns the named type of t or of what t points to.
func namedOf(t types.Type) (*types.Named, bool) {
	t = types.Unalias(t)
	if p, ok := t.(*types.Pointer); ok {
		t = types.Unalias(p.Elem())
	}
	n, ok := t.(*types.Named)
	if ok {
		n = n.Origin()
	}
	return n, ok
}

// checkUses reports the uses of excluded names.
func (c *sandboxChecker) checkUses() {
	for id, obj := range c.info.Uses {
		path, name, ok := c.nameOf(obj)
		if !ok {
			continue
		}
		if r, out := c.pol.excluded(path, name); out {
			c.errorf(id.Pos(), "%s", outsideMsg(path, name, r))
		}
	}
}

// checkFile reports calls refused by guards, writes to host variables and
// conversions that let reflection reach an excluded method.
func (c *sandboxChecker) checkFile(f *ast.File) {
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, n)
		switch x := n.(type) {
		case *ast.AssignStmt:
			if x.Tok != token.DEFINE {
				for _, l := range x.Lhs {
					c.checkWrite(l, "assign")
					c.checkSharedPointee(l)
				}
			}
			if x.Tok == token.ASSIGN {
				c.convAssign(x.Lhs, x.Rhs, func(i int) types.Type { return c.info.TypeOf(x.Lhs[i]) })
			}
		case *ast.IncDecStmt:
			c.checkWrite(x.X, "assign")
		case *ast.RangeStmt:
			if x.Tok == token.ASSIGN {
				for _, e := range []ast.Expr{x.Key, x.Value} {
					if e != nil {
						c.checkWrite(e, "assign")
					}
				}
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				c.checkWrite(x.X, "address")
			}
		case *ast.SelectorExpr:
			c.checkImplicitAddress(x)
		case *ast.CallExpr:
			c.checkCall(x)
		case *ast.ValueSpec:
			if x.Type != nil {
				dst := c.info.TypeOf(x.Type)
				c.convAssign(make([]ast.Expr, len(x.Names)), x.Values, func(int) types.Type { return dst })
			}
		case *ast.ReturnStmt:
			if sig := enclosingSignature(c.info, stack); sig != nil && sig.Results().Len() > 0 {
				c.convAssign(make([]ast.Expr, sig.Results().Len()), x.Results, func(i int) types.Type { return sig.Results().At(i).Type() })
			}
		case *ast.CompositeLit:
			c.checkCompositeLit(x)
		case *ast.SendStmt:
			if ch, ok := coreType(c.info.TypeOf(x.Chan)).(*types.Chan); ok {
				c.conv(ch.Elem(), x.Value)
			}
		case *ast.IndexExpr:
			if m, ok := coreType(c.info.TypeOf(x.X)).(*types.Map); ok {
				c.conv(m.Key(), x.Index)
			}
		}
		return true
	})
}

// enclosingSignature returns the signature of the innermost function of
// stack.
func enclosingSignature(info *types.Info, stack []ast.Node) *types.Signature {
	for i := len(stack) - 1; i >= 0; i-- {
		switch fn := stack[i].(type) {
		case *ast.FuncLit:
			sig, _ := info.TypeOf(fn).(*types.Signature)
			return sig
		case *ast.FuncDecl:
			if obj, ok := info.Defs[fn.Name].(*types.Func); ok {
				return obj.Signature()
			}
			return nil
		}
	}
	return nil
}

// coreType returns the underlying type of t, or of the single type of t's
// constraint if t is a type parameter whose type set has one.
func coreType(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	if tp, ok := types.Unalias(t).(*types.TypeParam); ok {
		iface := tp.Constraint().Underlying().(*types.Interface)
		if iface.NumEmbeddeds() == 1 {
			if u, ok := iface.EmbeddedType(0).(*types.Union); ok && u.Len() == 1 {
				return u.Term(0).Type().Underlying()
			}
		}
		return nil
	}
	return t.Underlying()
}

// hostVar returns the host package variable id denotes, if it does.
func (c *sandboxChecker) hostVar(id *ast.Ident) *types.Var {
	v, ok := c.info.Uses[id].(*types.Var)
	if !ok || v.IsField() || !c.host(v.Pkg()) || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}

// hostVarRoot returns the expression that names a host variable e is
// part of (rand.Reader in rand.Reader, unicode.Upper.R16[0].Lo, *time.UTC),
// the variable, and whether e is the variable itself.
func (c *sandboxChecker) hostVarRoot(e ast.Expr) (ast.Expr, *types.Var, bool) {
	whole := true
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.Ident:
			if v := c.hostVar(x); v != nil {
				return x, v, whole
			}
		case *ast.SelectorExpr:
			if sel, ok := c.info.Selections[x]; ok {
				if sel.Kind() != types.FieldVal {
					return nil, nil, false
				}
				whole = false
				e = x.X
				continue
			}
			if v := c.hostVar(x.Sel); v != nil {
				return x, v, whole
			}
		case *ast.IndexExpr, *ast.SliceExpr, *ast.StarExpr:
			whole = false
			e = partOf(x)
			continue
		}
		return nil, nil, false
	}
}

// partOf returns the operand whose part e, an index, slice or
// dereference expression, denotes.
func partOf(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case *ast.IndexExpr:
		return x.X
	case *ast.SliceExpr:
		return x.X
	case *ast.StarExpr:
		return x.X
	}
	return nil
}

// checkWrite reports a write to (or, for how "address", the taking of the
// address of) a host variable through e.
func (c *sandboxChecker) checkWrite(e ast.Expr, how string) {
	root, v, whole := c.hostVarRoot(e)
	if root == nil {
		return
	}
	if how == "assign" && !whole {
		how = "change"
	}
	c.errorf(root.Pos(), "%s", hostVarMsg(types.ExprString(root), v.Pkg().Path(), how))
}

// hostVarMsg is the message of a write to host variable spelled name of
// package path.
func hostVarMsg(name, path, how string) string {
	what := map[string]string{"assign": "assign it", "change": "change it", "address": "take its address"}[how]
	return fmt.Sprintf("%s is a variable of the host's %s: service code cannot %s, since the host's variables are shared with every package (use a variable of your own)", name, path, what)
}

// checkImplicitAddress reports a call of a method with a pointer receiver
// on a host variable that is not a pointer, which takes its address.
func (c *sandboxChecker) checkImplicitAddress(x *ast.SelectorExpr) {
	sel, ok := c.info.Selections[x]
	if !ok || sel.Kind() != types.MethodVal || sel.Indirect() {
		return
	}
	fn, ok := sel.Obj().(*types.Func)
	if !ok {
		return
	}
	if _, ptr := types.Unalias(fn.Signature().Recv().Type()).(*types.Pointer); ptr {
		if _, isPtr := types.Unalias(sel.Recv()).(*types.Pointer); !isPtr {
			c.checkWrite(x.X, "address")
		}
	}
}

// checkSharedPointee reports an assignment through a pointer to a value of
// a type the host shares.
func (c *sandboxChecker) checkSharedPointee(l ast.Expr) {
	star, ok := ast.Unparen(l).(*ast.StarExpr)
	if !ok {
		return
	}
	if root, _, _ := c.hostVarRoot(star); root != nil {
		return // reported as a write to the variable
	}
	n, ok := types.Unalias(c.info.TypeOf(star)).(*types.Named)
	if !ok || n.Obj().Pkg() == nil {
		return
	}
	if why, shared := sharedPointee[n.Obj().Pkg().Path()+"."+n.Obj().Name()]; shared {
		c.errorf(star.Pos(), "assignment through a *%s: %s", types.TypeString(n, nil), why)
	}
}

// checkCall reports calls refused by guards, writes by builtins to host
// variables, and arguments converted to interfaces.
func (c *sandboxChecker) checkCall(x *ast.CallExpr) {
	fun := ast.Unparen(x.Fun)
	tv := c.info.Types[fun]
	switch {
	case tv.IsType():
		if len(x.Args) == 1 {
			c.conv(tv.Type, x.Args[0])
		}
		return
	case tv.IsBuiltin():
		id, _ := fun.(*ast.Ident)
		if id == nil || len(x.Args) == 0 {
			return
		}
		switch id.Name {
		case "copy", "clear", "delete":
			c.checkWrite(x.Args[0], "change")
		case "append":
			if s, ok := coreType(c.info.TypeOf(x.Args[0])).(*types.Slice); ok && !x.Ellipsis.IsValid() {
				for _, a := range x.Args[1:] {
					c.conv(s.Elem(), a)
				}
			}
		case "panic":
			c.conv(types.Universe.Lookup("any").Type(), x.Args[0])
		}
		return
	}
	var callee *ast.Ident
	switch f := fun.(type) {
	case *ast.Ident:
		callee = f
	case *ast.SelectorExpr:
		callee = f.Sel
	}
	if callee != nil {
		if path, name, ok := c.nameOf(c.info.Uses[callee]); ok {
			if g, guarded := c.pol.guarded(path, name); guarded && g.nilArg < len(x.Args) && c.info.Types[x.Args[g.nilArg]].IsNil() {
				c.errorf(x.Args[g.nilArg].Pos(), "%s", guardMsg(path, g))
			}
		}
	}
	sig, ok := coreType(tv.Type).(*types.Signature)
	if !ok {
		return
	}
	param := func(i int) types.Type {
		n := sig.Params().Len()
		switch {
		case sig.Variadic() && i >= n-1 && !x.Ellipsis.IsValid():
			if s, ok := coreType(sig.Params().At(n - 1).Type()).(*types.Slice); ok {
				return s.Elem()
			}
			return nil
		case i < n:
			return sig.Params().At(i).Type()
		}
		return nil
	}
	if len(x.Args) == 1 && sig.Params().Len() > 1 {
		// f(g()), g with several results.
		if tuple, ok := c.info.TypeOf(x.Args[0]).(*types.Tuple); ok {
			for i := range tuple.Len() {
				c.convType(param(i), tuple.At(i).Type(), x.Args[0])
			}
			return
		}
	}
	for i, a := range x.Args {
		c.conv(param(i), a)
	}
}

// convAssign checks the conversions of an assignment of rhs to lhs, whose
// types dst gives.
func (c *sandboxChecker) convAssign(lhs, rhs []ast.Expr, dst func(i int) types.Type) {
	switch {
	case len(lhs) == len(rhs):
		for i, r := range rhs {
			c.conv(dst(i), r)
		}
	case len(rhs) == 1:
		if tuple, ok := c.info.TypeOf(rhs[0]).(*types.Tuple); ok {
			for i := range min(tuple.Len(), len(lhs)) {
				c.convType(dst(i), tuple.At(i).Type(), rhs[0])
			}
		}
	}
}

// checkCompositeLit checks the conversions of the elements of a composite
// literal to its element types.
func (c *sandboxChecker) checkCompositeLit(x *ast.CompositeLit) {
	t := coreType(c.info.TypeOf(x))
	if p, ok := t.(*types.Pointer); ok { // an elided &T in a composite literal
		t = coreType(p.Elem())
	}
	for i, e := range x.Elts {
		kv, isKV := e.(*ast.KeyValueExpr)
		switch t := t.(type) {
		case *types.Struct:
			switch {
			case isKV:
				if id, ok := kv.Key.(*ast.Ident); ok {
					for j := range t.NumFields() {
						if t.Field(j).Name() == id.Name {
							c.conv(t.Field(j).Type(), kv.Value)
						}
					}
				}
			case i < t.NumFields():
				c.conv(t.Field(i).Type(), e)
			}
		case *types.Slice:
			c.conv(t.Elem(), valueOf(e))
		case *types.Array:
			c.conv(t.Elem(), valueOf(e))
		case *types.Map:
			if isKV {
				c.conv(t.Key(), kv.Key)
				c.conv(t.Elem(), kv.Value)
			}
		}
	}
}

func valueOf(e ast.Expr) ast.Expr {
	if kv, ok := e.(*ast.KeyValueExpr); ok {
		return kv.Value
	}
	return e
}

// conv checks the conversion of e to dst.
func (c *sandboxChecker) conv(dst types.Type, e ast.Expr) {
	if e == nil {
		return
	}
	c.convType(dst, c.info.TypeOf(e), e)
}

// convType reports the conversion of a value of type src (at e) to an
// interface type dst if reflection could call an excluded method through
// it.
func (c *sandboxChecker) convType(dst, src types.Type, e ast.Expr) {
	if dst == nil || src == nil || !types.IsInterface(dst) || types.IsInterface(src) {
		return
	}
	if _, tuple := src.(*types.Tuple); tuple {
		return
	}
	if t := c.dangerous(src); t != nil {
		c.errorf(e.Pos(), "%s", reachMsg(c.typeString(src)+" cannot be converted to "+c.typeString(dst), t))
	}
}

// typeString spells t with the paths of the packages of its names, but the
// package checked.
func (c *sandboxChecker) typeString(t types.Type) string {
	return types.TypeString(t, func(p *types.Package) string {
		if !c.host(p) {
			return ""
		}
		return p.Path()
	})
}

// reachMsg is the message of a conversion (what) that lets reflection
// reach an excluded method.
func reachMsg(what string, t *target) string {
	return fmt.Sprintf("%s in service code: reflection (text/template executing methods by name, reflect.Value.MethodByName) could then call %s.%s, which is outside microfn's sandbox (%s): %s",
		what, t.path, t.name, t.why.does, t.why.hint(t.path))
}

// checkInstances reports instances of the package's own generic functions
// and types with a type argument through which reflection could reach an
// excluded method: inside, a value of it may become an interface.
func (c *sandboxChecker) checkInstances() {
	for id, inst := range c.info.Instances {
		obj := c.info.Uses[id]
		if obj == nil || c.host(obj.Pkg()) {
			continue
		}
		for i := range inst.TypeArgs.Len() {
			arg := inst.TypeArgs.At(i)
			if t := c.dangerous(arg); t != nil && !types.IsInterface(arg) {
				c.errorf(id.Pos(), "%s", reachMsg(c.typeString(arg)+" cannot be a type argument of "+id.Name, t))
				break
			}
		}
	}
}

// dangerous returns an excluded method reflection could call through a
// value of type t: on the value, on what its exported fields and the
// results of its methods lead to, or, from its reflect.Type, on a zero
// value of a type in zeroValueLive.
func (c *sandboxChecker) dangerous(t types.Type) *target {
	if hit := c.reach(t, false); hit != nil {
		return hit
	}
	return c.reach(t, true)
}

// reach returns an excluded method reachable from a value of type t
// (byType false) or from its reflect.Type (byType true), which also
// reaches unexported fields and parameters, but only calls methods of
// zero values.
func (c *sandboxChecker) reach(t types.Type, byType bool) *target {
	memo := c.reached[0]
	if byType {
		memo = c.reached[1]
	}
	if hit, ok := memo[t]; ok {
		return hit
	}
	memo[t] = nil // cycles
	hit := c.reachUncached(types.Unalias(t), byType)
	memo[t] = hit
	return hit
}

func (c *sandboxChecker) reachUncached(t types.Type, byType bool) *target {
	reachAll := func(ts ...types.Type) *target {
		for _, t := range ts {
			if hit := c.reach(t, byType); hit != nil {
				return hit
			}
		}
		return nil
	}
	tuple := func(tu *types.Tuple) []types.Type {
		var ts []types.Type
		for i := range tu.Len() {
			ts = append(ts, tu.At(i).Type())
		}
		return ts
	}
	sigTypes := func(sig *types.Signature) []types.Type {
		if byType {
			return append(tuple(sig.Params()), tuple(sig.Results())...)
		}
		return tuple(sig.Results())
	}
	switch t := t.(type) {
	case *types.Named:
		if hit := c.targetOf(t, byType); hit != nil {
			return hit
		}
		if _, iface := t.Underlying().(*types.Interface); !iface {
			ms := types.NewMethodSet(types.NewPointer(t))
			for i := range ms.Len() {
				if m := ms.At(i).Obj(); m.Exported() {
					if hit := reachAll(sigTypes(m.Type().(*types.Signature))...); hit != nil {
						return hit
					}
				}
			}
		}
		return c.reach(t.Underlying(), byType)
	case *types.Pointer:
		return c.reach(t.Elem(), byType)
	case *types.Slice:
		return c.reach(t.Elem(), byType)
	case *types.Array:
		return c.reach(t.Elem(), byType)
	case *types.Chan:
		return c.reach(t.Elem(), byType)
	case *types.Map:
		return reachAll(t.Key(), t.Elem())
	case *types.Struct:
		for i := range t.NumFields() {
			if f := t.Field(i); byType || f.Exported() || f.Embedded() {
				if hit := c.reach(f.Type(), byType); hit != nil {
					return hit
				}
			}
		}
	case *types.Signature:
		return reachAll(sigTypes(t)...)
	case *types.Interface:
		for i := range t.NumMethods() {
			if hit := reachAll(sigTypes(t.Method(i).Signature())...); hit != nil {
				return hit
			}
		}
	case *types.Tuple:
		return reachAll(tuple(t)...)
	}
	return nil
}

// targetOf returns an excluded method of named type n that reflection
// could call: through a value, or through a zero value if byType.
func (c *sandboxChecker) targetOf(n *types.Named, byType bool) *target {
	obj := n.Origin().Obj()
	if obj.Pkg() == nil || !c.host(obj.Pkg()) {
		return nil
	}
	path := obj.Pkg().Path()
	if byType && !zeroValueLive[path+"."+obj.Name()] {
		return nil
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := range ms.Len() {
		name := obj.Name() + "." + ms.At(i).Obj().Name()
		if r, out := c.pol.excluded(path, name); out && r.gate != gateUnrestricted {
			// Raw memory is out of reach of reflection: what
			// Value.UnsafePointer returns cannot be used without
			// naming unsafe.Pointer.
			return &target{path: path, name: name, why: r}
		}
	}
	return nil
}

// checkUnsafePointers reports expressions of type unsafe.Pointer, on lines
// with no other error.
func (c *sandboxChecker) checkUnsafePointers() {
	lines := map[string]bool{}
	for _, e := range c.list {
		lines[e.Pos.Filename+":"+strconv.Itoa(e.Pos.Line)] = true
	}
	for e, tv := range c.info.Types {
		if tv.Type == nil || !types.Identical(tv.Type, types.Typ[types.UnsafePointer]) || tv.IsType() {
			continue
		}
		pos := c.pkg.Fset.Position(e.Pos())
		key := pos.Filename + ":" + strconv.Itoa(pos.Line)
		if lines[key] {
			continue
		}
		lines[key] = true
		c.errorf(e.Pos(), "an unsafe.Pointer value is outside microfn's sandbox (it reads and writes raw memory): it needs --unrestricted")
	}
}

// checkSandboxSyntax is the sandbox's check without type information: it
// judges by names, so a local name that shadows an import, or a method of
// the package's own named like an excluded one, can be reported wrongly.
func checkSandboxSyntax(pkg *funcs.Package, pol policy) funcs.ErrorList {
	if pol.unrestricted {
		return nil
	}
	var list funcs.ErrorList
	errorf := func(pos token.Pos, msg string) {
		list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(pos), Msg: msg})
	}
	declared := map[string]bool{}
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declared[n.Name] = true
						}
					case *ast.TypeSpec:
						declared[s.Name.Name] = true
					}
				}
			}
		}
	}
	for _, f := range pkg.Files {
		local := map[string]string{} // import name → path
		var dot []string             // dot-imported paths
		methods := map[string][]string{}
		for _, imp := range f.AST.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				continue
			}
			switch {
			case imp.Name == nil:
				local[stdlibName(path)] = path
			case imp.Name.Name == ".":
				dot = append(dot, path)
			case imp.Name.Name != "_":
				local[imp.Name.Name] = path
			}
			for name := range sandboxExcluded[path] {
				if i := strings.IndexByte(name, '.'); i >= 0 {
					methods[name[i+1:]] = append(methods[name[i+1:]], path, name)
				}
			}
		}
		// qualified returns the path and name e names, if it is a
		// qualified identifier or an identifier of a dot import.
		qualified := func(e ast.Expr) (path, name string, ok bool) {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				if id, isID := x.X.(*ast.Ident); isID && local[id.Name] != "" && !declared[id.Name] {
					return local[id.Name], x.Sel.Name, true
				}
			case *ast.Ident:
				if declared[x.Name] {
					return "", "", false
				}
				for _, p := range dot {
					if symbolOf(p, x.Name) {
						return p, x.Name, true
					}
				}
			}
			return "", "", false
		}
		isVarOf := func(path, name string) bool {
			v, ok := symbolValue(path, name)
			return ok && isVar(v)
		}
		write := func(e ast.Expr, how string) {
			whole := true
			for {
				switch x := e.(type) {
				case *ast.ParenExpr:
					e = x.X
					continue
				case *ast.SelectorExpr, *ast.Ident:
					if path, name, ok := qualified(x); ok && isVarOf(path, name) {
						if how == "assign" && !whole {
							how = "change"
						}
						errorf(x.Pos(), hostVarMsg(types.ExprString(x), path, how))
						return
					}
					if s, ok := x.(*ast.SelectorExpr); ok {
						whole = false
						e = s.X
						continue
					}
				case *ast.IndexExpr, *ast.StarExpr:
					whole = false
					e = partOf(x)
					continue
				}
				return
			}
		}
		var parents []ast.Node
		ast.Inspect(f.AST, func(n ast.Node) bool {
			if n == nil {
				parents = parents[:len(parents)-1]
				return true
			}
			var parent ast.Node
			if len(parents) > 0 {
				parent = parents[len(parents)-1]
			}
			parents = append(parents, n)
			switch x := n.(type) {
			case *ast.Ident:
				if s, ok := parent.(*ast.SelectorExpr); ok && s.Sel == x {
					return true
				}
				if path, name, ok := qualified(x); ok {
					if r, out := pol.excluded(path, name); out {
						errorf(x.Pos(), outsideMsg(path, name, r))
					}
				}
			case *ast.SelectorExpr:
				if path, name, ok := qualified(x); ok {
					if r, out := pol.excluded(path, name); out {
						errorf(x.Sel.Pos(), outsideMsg(path, name, r))
					}
					return true
				}
				for i := 0; i+1 < len(methods[x.Sel.Name]); i += 2 {
					path, name := methods[x.Sel.Name][i], methods[x.Sel.Name][i+1]
					if r, out := pol.excluded(path, name); out {
						errorf(x.Sel.Pos(), outsideMsg(path, name, r))
						break
					}
				}
			case *ast.AssignStmt:
				if x.Tok != token.DEFINE {
					for _, l := range x.Lhs {
						write(l, "assign")
					}
				}
			case *ast.IncDecStmt:
				write(x.X, "assign")
			case *ast.UnaryExpr:
				if x.Op == token.AND {
					write(x.X, "address")
				}
			case *ast.CallExpr:
				if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "copy" || id.Name == "clear" || id.Name == "delete") && len(x.Args) > 0 {
					write(x.Args[0], "change")
				}
				if path, name, ok := qualified(ast.Unparen(x.Fun)); ok {
					if g, guarded := pol.guarded(path, name); guarded && g.nilArg < len(x.Args) {
						if id, ok := x.Args[g.nilArg].(*ast.Ident); ok && id.Name == "nil" {
							errorf(id.Pos(), guardMsg(path, g))
						}
					}
				}
			}
			return true
		})
	}
	return list
}

// symbolValue returns the symbol name of yaegi's package path.
func symbolValue(path, name string) (reflect.Value, bool) {
	v, ok := stdlibIndex()[path].syms[name]
	return v, ok
}

// symbolOf reports whether yaegi's package path has a symbol name.
func symbolOf(path, name string) bool {
	_, ok := symbolValue(path, name)
	return ok
}
