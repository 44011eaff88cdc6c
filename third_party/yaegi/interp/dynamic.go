package interp

import "reflect"

// The dynamic type of interface values.
//
// An interface value of interpreted code is held in one of several forms:
// a valueInterface (a value of an interface type declared in interpreted
// code, or of any holding a value of a type with methods), a wrapper of a
// binary interface such as _error (a value of type error), or the plain
// value (any holding a value of a type without methods, or a binary
// value). The reflect type of a value of an interpreted named type is the
// reflect type of its underlying type, so it is the node recorded in the
// valueInterface or the wrapper that says which type the value has. The
// functions here find it, so that == and type switches see the type Go
// sees.

// dynamicOf returns the dynamic type and concrete value of v, a value of
// static type t. The type is nil when it is known only as the concrete
// value's reflect type (a binary value, or a plain value held in an
// interface). The value is invalid for a nil interface.
func dynamicOf(v reflect.Value, t *itype) (*itype, reflect.Value) {
	if t != nil && (isInterface(t) || t.cat == nilT) {
		t = nil
	}
	for v.IsValid() {
		switch {
		case v.Kind() == reflect.Interface:
			if v.IsNil() {
				return nil, reflect.Value{}
			}
			v, t = v.Elem(), nil
			continue
		case v.Type() == valueInterfaceType:
			vi := v.Interface().(valueInterface)
			if vi.node == nil || vi.node.typ == nil || vi.node.typ.cat == nilT {
				return nil, reflect.Value{}
			}
			v, t = vi.value, vi.node.typ
			if isInterface(t) {
				t = nil
			}
			continue
		case v.Type() == errorWrapperType:
			w := v.Interface().(_error)
			v, t = reflect.ValueOf(w.IValue), nil
			if w.node != nil && !isInterface(w.node.typ) {
				t = w.node.typ
			}
			continue
		case isWrapperType(v.Type()):
			v, t = v.Field(0), nil
			continue
		}
		break
	}
	return t, v
}

// isWrapperType reports whether rt is the type of a wrapper of a binary
// interface, which holds the value it wraps in its first field, IValue.
func isWrapperType(rt reflect.Type) bool {
	return rt.Kind() == reflect.Struct && rt.NumMethod() > 0 && rt.NumField() > 0 && rt.Field(0).Name == "IValue"
}

// typeKey names a type for comparisons of dynamic types.
func typeKey(t *itype) string {
	switch {
	case t.untyped:
		return t.name // the constant's default type
	case t.cat == valueT && t.val == nil:
		return t.rtype.String()
	}
	return t.id()
}

// sameDynamicType reports whether the concrete values c0 and c1, of
// dynamic types t0 and t1 as dynamicOf returns them, have the same type.
// A type known only by reflection is compared by reflection.
func sameDynamicType(t0 *itype, c0 reflect.Value, t1 *itype, c1 reflect.Value) bool {
	if c0.Type() != c1.Type() {
		return false
	}
	if t0 == nil || t1 == nil {
		return true
	}
	return typeKey(t0) == typeKey(t1)
}

// interfaceEqual implements == when one of the operands has an interface
// type: v0 of static type t0 and v1 of static type t1 are equal if both
// are nil, or if they have the same dynamic type and equal values. As in
// Go, comparing equal dynamic types that are not comparable panics.
func interfaceEqual(v0 reflect.Value, t0 *itype, v1 reflect.Value, t1 *itype) bool {
	d0, c0 := dynamicOf(v0, t0)
	d1, c1 := dynamicOf(v1, t1)
	if !c0.IsValid() || !c1.IsValid() {
		return !c0.IsValid() && !c1.IsValid()
	}
	if !sameDynamicType(d0, c0, d1, c1) {
		return false
	}
	return valuesEqual(c0, c1)
}

// valuesEqual implements == for values a and b of one reflect type, whose
// interface parts (fields and elements) may hold values in the forms
// dynamicOf reads. Like ==, it panics if the type is not comparable.
func valuesEqual(a, b reflect.Value) bool {
	t := a.Type()
	switch {
	case !t.Comparable():
		// Panics as Go does: comparing uncomparable type T.
	case t.Kind() == reflect.Interface || t == valueInterfaceType || t == errorWrapperType || isWrapperType(t):
		return interfaceEqual(a, nil, b, nil)
	case t.Kind() == reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if !valuesEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case t.Kind() == reflect.Array:
		for i := 0; i < t.Len(); i++ {
			if !valuesEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	}
	if !a.CanInterface() || !b.CanInterface() {
		return a.Equal(b)
	}
	return a.Interface() == b.Interface()
}

// canCompareInterfaces reports whether == of the operands c0 and c1 is
// implemented by interfaceEqual: one of them has an interface type, or
// both have a struct or array type with interface parts, and none is the
// nil literal.
func canCompareInterfaces(c0, c1 *node) bool {
	if c0.typ == nil || c1.typ == nil || c0.typ.cat == nilT || c1.typ.cat == nilT || c0.isNil() || c1.isNil() {
		return false
	}
	if isInterface(c0.typ) || isInterface(c1.typ) {
		return true
	}
	t0, t1 := c0.typ.TypeOf(), c1.typ.TypeOf()
	return t0 != nil && t0 == t1 && hasInterfaceParts(t0)
}

// hasInterfaceParts reports whether t, a struct or an array, has fields or
// elements of an interface type, at any depth.
func hasInterfaceParts(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			ft := t.Field(i).Type
			if ft.Kind() == reflect.Interface || ft == valueInterfaceType || hasInterfaceParts(ft) {
				return true
			}
		}
	case reflect.Array:
		et := t.Elem()
		return et.Kind() == reflect.Interface || et == valueInterfaceType || hasInterfaceParts(et)
	}
	return false
}

// implementsItype reports whether values of the interpreted type d
// implement the interface iface of interpreted code: d has every method
// of iface, with the same signature (itype.methods compares names).
func implementsItype(d, iface *itype) bool {
	ms := iface.methods()
	if !d.methods().contains(ms) {
		return false
	}
	for name := range ms {
		want := lookupFieldOrMethod(iface, name)
		if d.cat == valueT && want != nil && want.cat == funcT {
			if !binaryMethodIs(d.rtype, name, want) {
				return false
			}
			continue
		}
		got := lookupFieldOrMethod(d, name)
		if want == nil || got == nil || want.cat != funcT || got.cat != funcT {
			continue // a binary method: its name must do
		}
		if !sameSignature(got, want) {
			return false
		}
	}
	return true
}

// sameSignature reports whether the function types a and b have the same
// parameter and result types.
func sameSignature(a, b *itype) bool {
	if len(a.arg) != len(b.arg) || len(a.ret) != len(b.ret) {
		return false
	}
	for i := range a.arg {
		if typeKey(a.arg[i]) != typeKey(b.arg[i]) {
			return false
		}
	}
	for i := range a.ret {
		if typeKey(a.ret[i]) != typeKey(b.ret[i]) {
			return false
		}
	}
	return true
}

// binaryMethodIs reports whether binary type rt has a method name of the
// signature of want, a function type of interpreted code: a type switch
// or an assertion to interface{ Unwrap() error } does not match a value
// whose Unwrap returns []error.
func binaryMethodIs(rt reflect.Type, name string, want *itype) bool {
	m, ok := rt.MethodByName(name)
	if !ok {
		return false
	}
	mt := m.Type
	if rt.Kind() != reflect.Interface {
		// A method of a concrete type takes its receiver first.
		in := make([]reflect.Type, mt.NumIn()-1)
		for i := range in {
			in[i] = mt.In(i + 1)
		}
		out := make([]reflect.Type, mt.NumOut())
		for i := range out {
			out[i] = mt.Out(i)
		}
		mt = reflect.FuncOf(in, out, mt.IsVariadic())
	}
	wt := want.TypeOf()
	return wt == nil || mt == wt || mt.String() == wt.String()
}

// plainCaseMatch reports whether a value of reflect type vt held plainly
// in an interface (not in a valueInterface or a wrapper), or nil if vt is
// nil, matches the case type typ of a type switch. Its type is known only
// by reflection: an interpreted named type matches if its reflect type is
// vt (the type of a value stored plainly is not recorded).
func plainCaseMatch(vt reflect.Type, typ *itype) (match bool) {
	if vt == nil || typ.cat == nilT {
		return vt == nil && typ.cat == nilT
	}
	if isInterfaceSrc(typ) {
		return implementsItype(valueTOf(vt), typ)
	}
	defer func() {
		if recover() != nil {
			match = false // a type reflect cannot build
		}
	}()
	rt := typ.TypeOf()
	if rt == nil {
		return false
	}
	if rt.Kind() == reflect.Interface {
		return vt.Implements(rt)
	}
	return vt == rt
}

// caseValue returns the value the variable of a type switch case of the
// single type typ takes for v, a value held plainly that matched it: for
// a case of an interface type of interpreted code, v with its type.
func caseValue(v reflect.Value, typ *itype) reflect.Value {
	if isInterfaceSrc(typ) && !isEmptyInterface(typ) {
		return reflect.ValueOf(valueInterface{&node{typ: valueTOf(v.Type())}, v})
	}
	return v
}

// isNilInterface reports whether v, an interface value, is nil in any of
// its forms (a nil interface, a valueInterface of a nil interface of
// interpreted code: var i I; any(i)).
func isNilInterface(v reflect.Value) bool {
	_, c := dynamicOf(v, nil)
	return !c.IsValid()
}
