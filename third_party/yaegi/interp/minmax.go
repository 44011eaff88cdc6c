package interp

import (
	"go/constant"
	"go/token"
	"math"
	"reflect"
)

// The builtins min, max (Go 1.21) and clear.

// minMax type-checks a call of min or max: one argument or more, of one
// ordered type once the untyped constants among them take the type of
// the typed ones (or, if all are untyped, the kind of the widest).
func (check typecheck) minMax(name string, n *node, params []param) error {
	if len(params) == 0 {
		return n.cfgErrorf("not enough arguments for %s() (expected 1, found 0)", name)
	}
	typ := minMaxType(params)
	for _, p := range params {
		if err := check.convertUntyped(p.nod, typ); err != nil {
			return err
		}
	}
	for _, p := range params {
		t := p.Type()
		if !typ.untyped && !t.equals(typ) {
			return n.cfgErrorf("invalid argument: mismatched types %s (previous argument) and %s (type of %s)", typ.id(), t.id(), p.nod.ident)
		}
		if rt := t.TypeOf(); rt == nil || !isNumber(rt) && !isString(rt) || isComplex(rt) {
			return p.nod.cfgErrorf("invalid argument: %s cannot be ordered", t.id())
		}
	}
	return nil
}

// minMaxType returns the type of a call of min or max: that of its first
// typed argument, or the widest kind of untyped constant among them.
func minMaxType(params []param) *itype {
	var widest *itype
	for _, p := range params {
		t := p.Type()
		if !t.untyped {
			return t
		}
		if widest == nil || isNumber(t.TypeOf()) && isNumber(widest.TypeOf()) && t.TypeOf().Kind() > widest.TypeOf().Kind() {
			widest = t
		}
	}
	return widest
}

// minMaxNodeType returns the type of call n of min or max, which may be
// asked before its arguments are typed (for a package-level variable).
func minMaxNodeType(interp *Interpreter, sc *scope, n *node, seen []*node) (*itype, error) {
	if len(n.child) < 2 {
		return nil, n.cfgErrorf("not enough arguments for %s() (expected 1, found 0)", n.child[0].ident)
	}
	params := make([]param, len(n.child)-1)
	for i, c := range n.child[1:] {
		t, err := nodeType2(interp, sc, c, seen)
		if err != nil {
			return nil, err
		}
		if t.incomplete {
			return t, nil
		}
		params[i] = param{nod: c, typ: t}
	}
	return minMaxType(params), nil
}

// minMaxConst folds a call of min or max whose arguments are constants.
func minMaxConst(n *node) {
	var best reflect.Value
	for _, c := range n.child[1:] {
		if !c.rval.IsValid() {
			return
		}
		if !best.IsValid() || constLess(c.rval, best, n.child[0].ident == bltnMax) {
			best = c.rval
		}
	}
	n.rval = best
	n.gen = nop
}

// constLess reports whether constant x comes before y for min (or, with
// max, for max).
func constLess(x, y reflect.Value, max bool) bool {
	cx, cy := asConstant(x), asConstant(y)
	op := token.LSS
	if max {
		op = token.GTR
	}
	return constant.Compare(cx, op, cy)
}

// asConstant returns the value of a constant, typed or not, as a
// constant.Value.
func asConstant(v reflect.Value) constant.Value {
	if c := vConstantValue(v); c != nil {
		return c
	}
	switch {
	case isString(v.Type()):
		return constant.MakeString(v.String())
	case isUint(v.Type()):
		return constant.MakeUint64(v.Uint())
	case isInt(v.Type()):
		return constant.MakeInt64(v.Int())
	}
	return constant.MakeFloat64(v.Float())
}

func _min(n *node) { minMaxGen(n, false) }
func _max(n *node) { minMaxGen(n, true) }

// minMaxGen generates the exec of a call of min or max.
func minMaxGen(n *node, max bool) {
	next := getExec(n.tnext)
	typ := n.typ.TypeOf()
	dest := genValueOutput(n, typ)
	args := make([]func(*frame) reflect.Value, len(n.child)-1)
	for i, c := range n.child[1:] {
		if c.rval.IsValid() {
			convertLiteralValue(c, typ)
		}
		args[i] = genValue(c)
	}
	var better func(x, y reflect.Value) bool // whether x replaces the best so far, y
	switch {
	case isString(typ):
		better = func(x, y reflect.Value) bool { return x.String() < y.String() != max && x.String() != y.String() }
	case isUint(typ): // before isInt, which includes the unsigned kinds
		better = func(x, y reflect.Value) bool { return x.Uint() < y.Uint() != max && x.Uint() != y.Uint() }
	case isInt(typ):
		better = func(x, y reflect.Value) bool { return x.Int() < y.Int() != max && x.Int() != y.Int() }
	default:
		better = func(x, y reflect.Value) bool { return floatBetter(x.Float(), y.Float(), max) }
	}
	n.exec = func(f *frame) bltn {
		best := args[0](f)
		for _, a := range args[1:] {
			if v := a(f); better(v, best) {
				best = v
			}
		}
		dest(f).Set(best)
		return next
	}
}

// floatBetter reports whether x replaces y as the minimum (or maximum) so
// far: a NaN wins, and -0 is less than 0.
func floatBetter(x, y float64, max bool) bool {
	switch {
	case math.IsNaN(y):
		return false
	case math.IsNaN(x):
		return true
	case x == y:
		// Only zeros of two signs differ.
		return math.Signbit(x) != max && !math.Signbit(y) == !max
	}
	return x < y != max
}

// _clear generates the exec of a call of clear, which deletes the
// entries of a map or zeroes the elements of a slice.
func _clear(n *node) {
	in := []func(*frame) reflect.Value{genValue(n.child[1])}
	genBuiltinDeferWrapper(n, in, nil, func(args []reflect.Value) []reflect.Value {
		args[0].Clear()
		return nil
	})
}
