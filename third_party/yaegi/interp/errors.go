package interp

import (
	"errors"
	"fmt"
	"reflect"
)

// Errors of interpreted types in the errors package.
//
// A value of an interpreted type reaches binary code as an _error, which
// implements error only. The package errors looks for more: it compares
// errors with ==, which an _error does not support (it holds functions),
// and calls Is, As and Unwrap methods, which _error does not forward. So
// _error implements Is, As and Unwrap on behalf of the value it wraps
// (see wrapErrorMethods), and errors.As, which cannot see the interpreted
// type of its target, is run by the interpreter for such targets (see
// errorsAsFunc).

// Is reports whether the wrapped error is target: the same dynamic type
// and an equal value, or the wrapped value's Is method says so, or one of
// the errors its Unwrap() []error method returns is target. errors.Is
// calls it, since it cannot compare an _error with ==.
func (w _error) Is(target error) bool {
	d0, c0 := dynamicOf(reflect.ValueOf(w), nil)
	d1, c1 := dynamicOf(reflect.ValueOf(&target).Elem(), nil)
	if c0.IsValid() && c1.IsValid() && c1.Type().Comparable() && sameDynamicType(d0, c0, d1, c1) && c0.Interface() == c1.Interface() {
		return true
	}
	if w.is != nil && w.is(target) {
		return true
	}
	if w.unwrapMulti != nil {
		for _, err := range w.unwrapMulti() {
			if errors.Is(err, target) {
				return true
			}
		}
	}
	return false
}

// As calls the wrapped value's As method, and looks for target in the
// errors its Unwrap() []error method returns.
func (w _error) As(target interface{}) bool {
	if w.as != nil && w.as(target) {
		return true
	}
	if w.unwrapMulti != nil {
		for _, err := range w.unwrapMulti() {
			if err != nil && errors.As(err, target) {
				return true
			}
		}
	}
	return false
}

// Unwrap returns what the wrapped value's Unwrap() error method returns,
// or nil.
func (w _error) Unwrap() error {
	if w.unwrap != nil {
		return w.unwrap()
	}
	return nil
}

// wrapErrorMethods sets the functions of the methods errors looks for
// on w, a wrapper of the value v of the interpreted type of node n (the
// node the value was converted from).
func wrapErrorMethods(f *frame, w *_error, n *node, v reflect.Value) {
	wrapErrorMethodsOf(f, w, n, v)
}

// wrapErrorMethodsOf is wrapErrorMethods; with n nil, the methods get v
// as their receiver.
func wrapErrorMethodsOf(f *frame, w *_error, n *node, v reflect.Value) {
	method := func(name string) reflect.Value {
		m, index := w.node.typ.lookupMethod(name)
		if m == nil {
			return reflect.Value{}
		}
		nod := *m
		nod.recv = &receiver{n, v, index}
		return genFunctionWrapper(&nod)(f)
	}
	if m := method("Is"); m.IsValid() {
		w.is, _ = m.Interface().(func(error) bool)
	}
	if m := method("As"); m.IsValid() {
		w.as, _ = m.Interface().(func(interface{}) bool)
	}
	if m := method("Unwrap"); m.IsValid() {
		switch fn := m.Interface().(type) {
		case func() error:
			w.unwrap = fn
		case func() []error:
			w.unwrapMulti = fn
		}
	}
}

var errorsAsPointer = reflect.ValueOf(errors.As).Pointer()

// errorsAsFunc returns the function that replaces errors.As in the call
// n, when n calls errors.As with a pointer to a variable of an
// interpreted type: errors.As panics on such a target, whose reflect type
// neither is an interface nor implements error.
func errorsAsFunc(n *node) (reflect.Value, bool) {
	c0 := n.child[0]
	if !c0.rval.IsValid() || c0.rval.Kind() != reflect.Func || c0.rval.Pointer() != errorsAsPointer || len(n.child) != 3 {
		return reflect.Value{}, false
	}
	t := n.child[2].typ
	if t == nil || !isPtrSrc(t) {
		return reflect.Value{}, false
	}
	elem := t.val
	if t.cat == linkedT {
		elem = t.val.val
	}
	if elem == nil || isBin(elem) || elem.cat == errorT || isEmptyInterface(elem) {
		return reflect.Value{}, false
	}
	return reflect.ValueOf(func(err error, target interface{}) bool {
		if err == nil {
			return false
		}
		p := reflect.ValueOf(target)
		if !p.IsValid() || p.Kind() != reflect.Ptr || p.IsNil() {
			panic("errors: target must be a non-nil pointer")
		}
		return errorsAs(err, p.Elem(), elem)
	}), true
}

// errorsAs is errors.As for a target variable dest of the interpreted
// type elem.
func errorsAs(err error, dest reflect.Value, elem *itype) bool {
	for err != nil {
		if matchErrorAs(err, dest, elem) {
			return true
		}
		if w, ok := err.(_error); ok {
			// The wrapped value's methods, without _error's own As, which
			// would call errors.As with dest.
			if w.as != nil && w.as(dest.Addr().Interface()) {
				return true
			}
			if w.unwrapMulti != nil {
				for _, e := range w.unwrapMulti() {
					if e != nil && errorsAs(e, dest, elem) {
						return true
					}
				}
				return false
			}
			if w.unwrap == nil {
				return false
			}
			err = w.unwrap()
			continue
		}
		if x, ok := err.(interface{ As(interface{}) bool }); ok && x.As(dest.Addr().Interface()) {
			return true
		}
		switch x := err.(type) {
		case interface{ Unwrap() error }:
			err = x.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range x.Unwrap() {
				if e != nil && errorsAs(e, dest, elem) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// matchErrorAs stores err in dest, a variable of the interpreted type
// elem, if err's dynamic type is elem or implements it.
func matchErrorAs(err error, dest reflect.Value, elem *itype) bool {
	d, c := dynamicOf(reflect.ValueOf(&err).Elem(), nil)
	if !c.IsValid() {
		return false
	}
	if isInterfaceSrc(elem) {
		var dn *node
		if w, ok := err.(_error); ok && w.node != nil {
			dn = w.node
		} else {
			dn = &node{typ: valueTOf(c.Type())}
		}
		if d == nil {
			d = dn.typ
		}
		if !implementsItype(d, elem) {
			return false
		}
		dest.Set(reflect.ValueOf(valueInterface{dn, c}))
		return true
	}
	if d == nil || c.Type() != dest.Type() || typeKey(d) != typeKey(elem) {
		return false
	}
	dest.Set(c)
	return true
}

// interpretedError returns the node and the concrete value of v, an
// interface value, when it holds a value of an interpreted type: wrapped
// in an _error, or in a valueInterface (an interface{} holding a value of
// a type with methods).
func interpretedError(v reflect.Value) (*node, reflect.Value, bool) {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, reflect.Value{}, false
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil, reflect.Value{}, false
	}
	if v.Type() != errorWrapperType && isWrapperType(v.Type()) {
		// The wrapper of another binary interface, which keeps a value of
		// an interpreted type in a valueInterface.
		v = v.Field(0)
		for v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
		}
		if !v.IsValid() || v.Kind() == reflect.Interface {
			return nil, reflect.Value{}, false
		}
	}
	switch v.Type() {
	case errorWrapperType:
		w := v.Interface().(_error)
		if w.node == nil {
			return nil, reflect.Value{}, false
		}
		_, c := dynamicOf(v, nil)
		return w.node, c, c.IsValid()
	case valueInterfaceType:
		vi := v.Interface().(valueInterface)
		if vi.node == nil || vi.node.typ == nil || isInterface(vi.node.typ) || vi.node.typ.cat == nilT || vi.node.typ.cat == valueT {
			return nil, reflect.Value{}, false
		}
		c := valueInterfaceValue(v)
		return vi.node, c, c.IsValid()
	}
	return nil, reflect.Value{}, false
}

// errorMatch tells whether a value of the interpreted type of node dn,
// wrapped in an _error, has type typ (or implements it), and returns it
// as a value of that type. It reports known == false when the
// interpreter's own code must decide (typ is a binary interface other
// than error).
func errorMatch(f *frame, dn *node, c, orig reflect.Value, typ *itype) (v reflect.Value, ok, known bool) {
	d := dn.typ
	switch {
	case typ.cat == nilT:
		return reflect.Value{}, false, true
	case typ.cat == errorT:
		e := orig
		for e.IsValid() && e.Kind() == reflect.Interface && !e.IsNil() {
			e = e.Elem()
		}
		if e.IsValid() && e.Type() == errorWrapperType {
			return e, true, true
		}
		w, ok := wrapError(f, dn, c)
		if !ok {
			return reflect.Value{}, false, true
		}
		return reflect.ValueOf(w), true, true
	case isInterfaceSrc(typ):
		if !implementsItype(d, typ) {
			return reflect.Value{}, false, true
		}
		return reflect.ValueOf(valueInterface{dn, c}), true, true
	case isInterface(typ):
		return reflect.Value{}, false, false
	}
	if typeKey(d) != typeKey(typ) || c.Type() != typ.TypeOf() {
		return reflect.Value{}, false, true
	}
	return c, true, true
}

// assertError wraps exec, the type assertion n of a value of type error
// (or of another binary interface) to typ, so that a value of an
// interpreted type wrapped in an _error is asserted by its interpreted
// type, which its reflect type does not tell.
func assertError(n *node, exec bltn, value, value0, value1 func(*frame) reflect.Value, setStatus, withResult, withOk bool, typ *itype) bltn {
	next := getExec(n.tnext)
	return func(f *frame) bltn {
		orig := value(f)
		dn, c, isErr := interpretedError(orig)
		if !isErr {
			return exec(f)
		}
		v, ok, known := errorMatch(f, dn, c, orig, typ)
		if !known {
			return exec(f)
		}
		if setStatus {
			value1(f).SetBool(ok)
		}
		if !ok {
			if !withOk {
				if isInterface(typ) {
					panicTypeAssertion("", goTypeString(dn.typ), goTypeString(typ), firstMissing(dn.typ, typ))
				}
				panicTypeAssertion(goTypeString(n.child[0].typ), goTypeString(dn.typ), goTypeString(typ), "")
			}
			return next
		}
		if withResult {
			value0(f).Set(v)
		}
		return next
	}
}

// switchError wraps exec, the clause n of a type switch on a value of
// type error (or of another binary interface) whose case types are types,
// so that a value of an interpreted type wrapped in an _error matches its
// interpreted type. dest is the switch variable, if any.
func switchError(n *node, exec bltn, src, dest func(*frame) reflect.Value, types []*itype) bltn {
	tnext, fnext := getExec(n.tnext), getExec(n.fnext)
	return func(f *frame) bltn {
		orig := src(f)
		dn, c, isErr := interpretedError(orig)
		if !isErr {
			// A binary value matches an interface of interpreted code it
			// implements, which the interpreter's own code misses.
			bc := orig
			for bc.IsValid() && bc.Kind() == reflect.Interface && !bc.IsNil() {
				bc = bc.Elem()
			}
			if !bc.IsValid() || bc.Kind() == reflect.Interface || isWrapperType(bc.Type()) {
				return exec(f)
			}
			vt := valueTOf(bc.Type())
			for _, typ := range types {
				switch {
				case typ.cat == nilT:
				case isInterfaceSrc(typ):
					if implementsItype(vt, typ) {
						if dest != nil {
							if len(types) == 1 {
								dest(f).Set(reflect.ValueOf(valueInterface{&node{typ: vt}, bc}))
							} else {
								dest(f).Set(orig)
							}
						}
						return tnext
					}
				case typ.cat == errorT || typ.cat == valueT && typ.rtype.Kind() == reflect.Interface:
					// A binary interface: runtime.Error, error, fmt.Stringer.
					if bc.Type().Implements(typ.TypeOf()) {
						if dest != nil {
							if len(types) == 1 {
								dest(f).Set(bc)
							} else {
								dest(f).Set(orig)
							}
						}
						return tnext
					}
				default:
					// The interpreter's own code decides for other types;
					// it is right for binary types.
					return exec(f)
				}
			}
			return exec(f)
		}
		for _, typ := range types {
			v, ok, known := errorMatch(f, dn, c, orig, typ)
			if !known {
				return exec(f)
			}
			if !ok {
				continue
			}
			if dest != nil {
				if len(types) == 1 {
					dest(f).Set(v)
				} else {
					dest(f).Set(orig)
				}
			}
			return tnext
		}
		return fnext
	}
}

// Format formats the wrapped error as fmt formats an error: with its
// Error method for %v, %s, %q, %x and %X, and as the wrapped value for the
// other verbs (%d of an error of an integer type prints the integer), not
// as the fields of the wrapper.
func (w _error) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			fmt.Fprintf(f, fmt.FormatString(f, verb), w.IValue)
			return
		}
		fallthrough
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), w.Error())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), w.IValue)
	}
}

// genPanicValue returns the value panic(n) panics with: the value itself,
// as Go code that recovers it expects, not the reflect.Value holding it.
// A value of an interpreted type that implements error panics as an error
// (wrapped in an _error, which keeps its interpreted type), so that
// recover().(error), the runtime's report and binary code see an error.
func genPanicValue(n *node) func(*frame) interface{} {
	value := genValue(n)
	static := n.typ != nil && !isInterface(n.typ) && n.typ.cat != valueT && n.typ.cat != nilT
	return func(f *frame) interface{} {
		v := value(f)
		if !v.IsValid() {
			return nil
		}
		dn := n
		if vi, ok := v.Interface().(valueInterface); ok {
			if vi.node == nil || vi.node.typ == nil || vi.node.typ.cat == nilT {
				return nil
			}
			dn, v = vi.node, valueInterfaceValue(v)
		} else if !static {
			return v.Interface()
		}
		if !isInterface(dn.typ) && dn.typ.cat != valueT {
			if w, ok := wrapError(f, dn, v); ok {
				return w
			}
		}
		return v.Interface()
	}
}

// wrapError wraps v, a value of the interpreted type of node dn, in an
// _error, if the type has an Error method. The wrapper keeps a copy of v.
func wrapError(f *frame, dn *node, v reflect.Value) (_error, bool) {
	m, index := dn.typ.lookupMethod("Error")
	if m == nil {
		return _error{}, false
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	w := _error{IValue: c.Interface(), node: dn}
	nod := *m
	nod.recv = &receiver{nil, c, index}
	fn, ok := genFunctionWrapper(&nod)(f).Interface().(func() string)
	if !ok {
		return _error{}, false
	}
	w.WError = fn
	wrapErrorMethodsOf(f, &w, nil, c)
	return w, true
}
