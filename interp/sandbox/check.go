package sandbox

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
)

// The sandbox's checks of service code, at file:line:col. With the type
// information of go/types (Check), they report:
//
//   - every use of an excluded name: a package-level name, also through a
//     dot import, or a method (called, as a method value or expression, or
//     promoted through an embedded field);
//   - a call of a guarded function with a nil argument it refuses;
//   - every write to a variable of the host: assigning it, changing what
//     it holds (a field, an element, through a pointer, delete, clear,
//     copy), taking its address; and assigning through a pointer of a
//     type the host shares (*time.UTC's *time.Location) (hostvar.go);
//   - every expression of type unsafe.Pointer;
//   - every conversion to an interface (an argument of type any, a value
//     stored in an interface variable, returned, sent, …) of a value
//     through which reflection could call an excluded method: text/template
//     executes methods of its data by name, and package reflect calls them
//     with Value.MethodByName, so a *text/template.Template must not reach
//     either (convert.go, reach.go).
//
// Without the type information (no Go toolchain), CheckSyntax judges by
// names: qualified names and dot imports of excluded names, selectors
// named like an excluded method in a file that imports its package, and
// writes to qualified host variables (syntax.go).

// checker checks one package with its type information.
type checker struct {
	pkg  *funcs.Package
	info *types.Info
	pol  Policy
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

// Check reports what the package pkg, whose type information is info,
// uses outside the sandbox of pol, at file:line:col; nothing with
// pol.Unrestricted.
func Check(pkg *funcs.Package, info *types.Info, pol Policy) funcs.ErrorList {
	if pol.Unrestricted {
		return nil
	}
	c := &checker{pkg: pkg, info: info, pol: pol,
		reached: [2]map[types.Type]*target{{}, {}}}
	c.checkUses()
	for _, f := range pkg.Files {
		c.checkFile(f.AST)
	}
	c.checkInstances()
	c.checkUnsafePointers()
	return c.list
}

// errorf reports an error at pos.
func (c *checker) errorf(pos token.Pos, format string, args ...any) {
	c.list = append(c.list, &funcs.SourceError{Pos: c.pkg.Fset.Position(pos), Msg: fmt.Sprintf(format, args...)})
}

// host reports whether p is a package of the host: not the package
// checked.
func (c *checker) host(p *types.Package) bool {
	if p == nil {
		return false
	}
	self := c.pol.Self
	if self == "" {
		self = typesutil.CheckPath(c.pkg)
	}
	return p.Path() != self && !c.pol.Sources[p.Path()]
}

// nameOf returns the path of obj's package and obj's name in the tables
// ("Template.ParseFiles" for a method), if obj is a package-level object
// or a method of a named type of a host package.
func (c *checker) nameOf(obj types.Object) (path, name string, ok bool) {
	if obj == nil || !c.host(obj.Pkg()) {
		return "", "", false
	}
	switch o := obj.(type) {
	case *types.PkgName:
		return "", "", false
	case *types.Func:
		if recv := o.Origin().Signature().Recv(); recv != nil {
			n, ok := typesutil.NamedOf(recv.Type())
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

// checkUses reports the uses of excluded names.
func (c *checker) checkUses() {
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
func (c *checker) checkFile(f *ast.File) {
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

// checkUnsafePointers reports expressions of type unsafe.Pointer, on lines
// with no other error.
func (c *checker) checkUnsafePointers() {
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
