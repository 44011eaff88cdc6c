package interp

import (
	"go/constant"
	"go/token"
	"reflect"
)

// constantOperand returns the value of n if n is a constant of a basic
// type known at compile time: an untyped constant, a typed constant
// (const c uint8 = 3, time.Second) or an operation on constants computed
// at compile time. A variable of a binary package has a settable value,
// read when the code runs: it is not a constant.
func constantOperand(n *node) (constant.Value, bool) {
	v := n.rval
	if !v.IsValid() || isBinVariable(n) {
		return nil, false
	}
	if isConstantValue(v.Type()) {
		c, ok := v.Interface().(constant.Value)
		return c, ok && c != nil
	}
	switch v.Kind() {
	case reflect.Bool:
		return constant.MakeBool(v.Bool()), true
	case reflect.String:
		return constant.MakeString(v.String()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return constant.MakeInt64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return constant.MakeUint64(v.Uint()), true
	case reflect.Float32, reflect.Float64:
		return constant.MakeFloat64(v.Float()), true
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return constant.BinaryOp(constant.MakeFloat64(real(c)), token.ADD, constant.MakeImag(constant.MakeFloat64(imag(c)))), true
	}
	return nil, false
}

var comparisonTokens = map[action]token.Token{
	aEqual:        token.EQL,
	aNotEqual:     token.NEQ,
	aLower:        token.LSS,
	aLowerEqual:   token.LEQ,
	aGreater:      token.GTR,
	aGreaterEqual: token.GEQ,
}

// foldComparison computes the comparison n of two constants at compile
// time, exactly, as Go does (1<<100 > 1<<99 is true): its value is an
// untyped boolean constant. It reports whether n was folded.
func foldComparison(n *node) bool {
	tok, ok := comparisonTokens[n.action]
	if !ok || isInterface(n.child[0].typ) || isInterface(n.child[1].typ) {
		// any(1) == any(1.0) compares dynamic types too: it is not a
		// constant expression.
		return false
	}
	c0, ok0 := constantOperand(n.child[0])
	c1, ok1 := constantOperand(n.child[1])
	if !ok0 || !ok1 || !comparableConstants(c0, c1) {
		return false
	}
	n.rval = reflect.ValueOf(constant.Compare(c0, tok, c1)) // as the constant true is
	n.typ = untypedBool(n)
	return true
}

// foldLogical computes n, a && or || of two constants, at compile time.
// The result is untyped if both operands are. It reports whether n was
// folded.
func foldLogical(n *node) bool {
	c0, ok0 := constantOperand(n.child[0])
	c1, ok1 := constantOperand(n.child[1])
	if !ok0 || !ok1 || c0.Kind() != constant.Bool || c1.Kind() != constant.Bool {
		return false
	}
	b0, b1 := constant.BoolVal(c0), constant.BoolVal(c1)
	v := b0 || b1
	if n.kind == landExpr {
		v = b0 && b1
	}
	n.rval = reflect.ValueOf(v)
	if n.child[0].typ.untyped && n.child[1].typ.untyped {
		n.typ = untypedBool(n)
	}
	return true
}

// wireConstantLeft wires n, a && or || whose left operand is a constant
// (and the right one is not), to evaluate the right operand only if the
// constant does not decide: the constant does not branch as a condition
// evaluated at run time does, so the right operand was skipped and the
// result computed from its stale value (!true || x == 0 was false). It
// reports whether n was wired.
func wireConstantLeft(n *node) bool {
	c0, ok := constantOperand(n.child[0])
	if !ok || c0.Kind() != constant.Bool {
		return false
	}
	v0 := constant.BoolVal(c0)
	if n.kind == landExpr == v0 {
		// true && y, false || y: y decides.
		n.start = n.child[1].start
		n.child[1].tnext = n
		return true
	}
	n.start = n // false && y, true || y: y is not evaluated.
	return true
}

// comparableConstants reports whether constant.Compare accepts a and b:
// both numeric, both strings or both booleans.
func comparableConstants(a, b constant.Value) bool {
	numeric := func(k constant.Kind) bool {
		return k == constant.Int || k == constant.Float || k == constant.Complex
	}
	ka, kb := a.Kind(), b.Kind()
	return ka == kb && ka != constant.Unknown || numeric(ka) && numeric(kb)
}

// isBinVariable reports whether n is a variable of a binary package
// (runtime.MemProfileRate), whose value, settable, is read when the code
// runs: not a constant to compute with at compile time.
func isBinVariable(n *node) bool {
	return n.kind == selectorExpr && n.rval.IsValid() && n.rval.CanSet()
}
