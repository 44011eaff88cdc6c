package rewrite

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// builtinCall rewrites min, max and clear, which the interpreter lacks.
// (recover needs no rewrite: microfn's interpreter returns the value
// given to panic, see third_party/yaegi/FORK.md.)
func (r *fileRewriter) builtinCall(call *ast.CallExpr) {
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return
	}
	switch {
	case r.isBuiltin(id, "min"), r.isBuiltin(id, "max"):
		if r.info != nil {
			if tv, ok := r.info.Types[call]; ok && tv.Value != nil {
				if lit, ok := r.constantLiteral(tv); ok {
					r.replace(call.Pos(), call.End(), lit)
					return
				}
			}
		}
		if r.info == nil {
			// Without type information, min and max of number literals
			// are folded here, so they stay untyped constants.
			if lit, ok := foldLiterals(id.Name, call.Args); ok {
				r.replace(call.Pos(), call.End(), lit)
				return
			}
		}
		if r.info != nil {
			if tv, ok := r.info.Types[call]; ok && tv.Type != nil && !isUntyped(tv.Type) {
				if typ, ok := r.typeString(tv.Type); ok {
					r.replace(id.Pos(), id.End(), minMaxLiteral(id.Name, len(call.Args), typ, isFloat(tv.Type)))
					return
				}
			}
		}
		// Without types, a generic helper in the generated file; the
		// interpreter infers T from the first argument only, so it fails
		// on some calls (min(1, x) with x a float64).
		r.usesMinMax = true
		r.replace(id.Pos(), id.End(), "microfn_"+id.Name)
	case r.isBuiltin(id, "clear"):
		r.needsRT = true
		r.replace(id.Pos(), id.End(), ProxyName+".Clear")
	}
}

// foldLiterals computes min or max of number literals (each possibly
// signed) and spells the result as a literal of the widest kind among them:
// min(1, 2.5) is (1.0). It reports false for any other argument.
func foldLiterals(name string, args []ast.Expr) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	var best constant.Value
	float := false
	for _, a := range args {
		neg := false
		if u, ok := a.(*ast.UnaryExpr); ok && (u.Op == token.SUB || u.Op == token.ADD) {
			neg, a = u.Op == token.SUB, u.X
		}
		lit, ok := a.(*ast.BasicLit)
		if !ok || (lit.Kind != token.INT && lit.Kind != token.FLOAT) {
			return "", false
		}
		v := constant.MakeFromLiteral(lit.Value, lit.Kind, 0)
		if v.Kind() == constant.Unknown {
			return "", false
		}
		if neg {
			v = constant.UnaryOp(token.SUB, v, 0)
		}
		float = float || lit.Kind == token.FLOAT
		op := token.LSS
		if name == "max" {
			op = token.GTR
		}
		if best == nil || constant.Compare(v, op, best) {
			best = v
		}
	}
	if float {
		f, _ := constant.Float64Val(constant.ToFloat(best))
		s := strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eEn") {
			s += ".0"
		}
		return "(" + s + ")", true
	}
	return "(" + best.ExactString() + ")", true
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

// isUntyped reports an untyped constant's type (or untyped nil).
func isUntyped(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Info()&types.IsUntyped != 0
}
