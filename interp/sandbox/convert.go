package sandbox

import (
	"fmt"
	"go/ast"
	"go/types"
)

// checkCall reports calls refused by guards, writes by builtins to host
// variables, and arguments converted to interfaces.
func (c *checker) checkCall(x *ast.CallExpr) {
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
func (c *checker) convAssign(lhs, rhs []ast.Expr, dst func(i int) types.Type) {
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
func (c *checker) checkCompositeLit(x *ast.CompositeLit) {
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

// valueOf returns the value of e, an element of a composite literal.
func valueOf(e ast.Expr) ast.Expr {
	if kv, ok := e.(*ast.KeyValueExpr); ok {
		return kv.Value
	}
	return e
}

// conv checks the conversion of e to dst.
func (c *checker) conv(dst types.Type, e ast.Expr) {
	if e == nil {
		return
	}
	c.convType(dst, c.info.TypeOf(e), e)
}

// convType reports the conversion of a value of type src (at e) to an
// interface type dst if reflection could call an excluded method through
// it.
func (c *checker) convType(dst, src types.Type, e ast.Expr) {
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
func (c *checker) typeString(t types.Type) string {
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
func (c *checker) checkInstances() {
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
