package sandbox

import (
	"fmt"
	"go/ast"
	"go/types"
)

// hostVar returns the host package variable id denotes, if it does.
func (c *checker) hostVar(id *ast.Ident) *types.Var {
	v, ok := c.info.Uses[id].(*types.Var)
	if !ok || v.IsField() || !c.host(v.Pkg()) || v.Parent() != v.Pkg().Scope() {
		return nil
	}
	return v
}

// hostVarRoot returns the expression that names a host variable e is
// part of (rand.Reader in rand.Reader, unicode.Upper.R16[0].Lo, *time.UTC),
// the variable, and whether e is the variable itself.
func (c *checker) hostVarRoot(e ast.Expr) (ast.Expr, *types.Var, bool) {
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
func (c *checker) checkWrite(e ast.Expr, how string) {
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
func (c *checker) checkImplicitAddress(x *ast.SelectorExpr) {
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
func (c *checker) checkSharedPointee(l ast.Expr) {
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
